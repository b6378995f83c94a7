"""`khorgos batch` killed (SIGKILL) and interrupted (Ctrl-C, SIGINT) at random
points, from the outside, on a tiny batch of tests/data/minimal.toml (24 runs
of well under a second in all, so the faults land in every phase: start-up,
runs, manifest, summary).

- SIGKILL, several times in a row, then --resume: every file under a final
  name is whole (run files and the summary open with h5py, the CSV files have
  every row), --resume completes every run, the outputs equal an uninterrupted
  batch's, and temporary files of dead writers are removed by the resume
  (those of a live process are not).
- SIGINT: exit code 130, a message with the command that resumes, no
  temporary file left; that command, run as printed, completes the batch with
  the same outputs.

The delays come from KHORGOS_FAULT_SEED (default 20261127).
"""
import csv
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import h5py

from faults import INJECTED, FaultCase

BINARY = os.environ["KHORGOS_BINARY"]
SCENARIO = os.path.join(os.environ["KHORGOS_SOURCE_DIR"], "tests", "data", "minimal.toml")
RUNS = 24


def temporary_name(final_name, pid):
    """The name io/temporary_files.cpp gives a temporary file of `pid` on this host."""
    host = re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())[:64] or "localhost"
    return f".{final_name}.tmp-{host}-{pid}-0"


def files_under(directory):
    for root, _, names in os.walk(directory):
        for name in names:
            yield os.path.join(root, name)


def batch(spec, out, *extra, background=False):
    command = [BINARY, "batch", spec, "--out", out, "--jobs", "2", *extra]
    if background:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def read(path):
    with open(path) as f:
        return f.read()


class BatchFaults(FaultCase):
    COMMAND = "khorgos batch"
    OUTPUT = "tiny"

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-batch-faults-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)
        cls.spec = os.path.join(cls.dir, "tiny.toml")
        with open(cls.spec, "w") as f:
            f.write(f'[batch]\nname = "tiny"\nreplicates = 6\nseed = 3\nscale = 2\n\n'
                    f'[[scenario]]\nid = "minimal"\nfile = "{SCENARIO}"\n\n'
                    '[variation]\nmethod = "grid"\n\n[[variation.parameter]]\n'
                    'name = "visitor.entries_per_year"\nvalues = [7305, 14610, 29220, 58440]\n')
        reference = os.path.join(cls.dir, "reference")
        t0 = time.monotonic()
        done = batch(cls.spec, reference)
        cls.duration = time.monotonic() - t0
        assert done.returncode == 0, done.stderr
        cls.outputs = read(os.path.join(reference, "outputs.csv"))
        assert cls.outputs.count("\n") == RUNS + 1


    def assert_whole(self):
        """Every file under a final name is complete; returns the run files done."""
        runs = 0
        for path in files_under(self.out):
            name = os.path.basename(path)
            if name.startswith("."):
                continue
            if name.endswith(".h5"):
                with h5py.File(path, "r") as f:  # raises on a partial file
                    if name == "summary.h5":
                        self.assertGreater(len(f.keys()), 0)
                    else:
                        self.assertIn("time", f)
                        self.assertIn("provenance", f)
                        runs += 1
            elif name in ("runs.csv", "outputs.csv"):
                with open(path) as f:
                    self.assertEqual(len(list(csv.DictReader(f))), RUNS, name)
            elif name == "inputs.txt":
                with open(path) as f:
                    lines = f.read().splitlines()
                self.assertTrue(lines and all(re.fullmatch(r"[0-9a-f]{16}  /.+", line)
                                              for line in lines), lines)
            elif name not in ("batch.toml", "problem.txt", "variations.csv"):
                self.fail(f"unexpected file {path}")
        return runs

    def assert_complete(self):
        self.assertEqual(self.assert_whole(), RUNS)
        with open(os.path.join(self.out, "runs.csv")) as f:
            self.assertTrue(all(r["status"] == "ok" for r in csv.DictReader(f)))
        self.assertEqual(read(os.path.join(self.out, "outputs.csv")), self.outputs)

    def test_sigkill_then_resume(self):
        kills = 0
        for trial in range(3):
            shutil.rmtree(self.work)
            os.mkdir(self.work)
            for attempt in range(2):
                process = batch(self.spec, self.out, "--resume", background=True)
                delay = self.delay()
                time.sleep(delay)
                if process.poll() is not None:
                    process.communicate()
                    self.ended_before(delay)
                    break  # it finished first: nothing to kill
                process.kill()
                process.communicate(timeout=60)
                if process.returncode != -signal.SIGKILL:
                    self.ended_before(delay)
                    break  # it finished between the check and the kill
                kills += 1  # the kill landed before the end
                with self.subTest(trial=trial, attempt=attempt):
                    runs = self.assert_whole() if os.path.isdir(self.out) else 0
                    INJECTED.append(("SIGKILL", f"trial {trial}, kill {attempt} ({runs} of "
                                     f"{RUNS} run files done)", "nothing"))
            # A temporary file of the last killed process (dead) and one of this
            # test process (alive): the resume must remove the first only.
            runs_dir = os.path.join(self.out, "runs", "minimal")
            os.makedirs(runs_dir, exist_ok=True)
            dead = os.path.join(runs_dir, temporary_name("v0-r0.h5", process.pid))
            live = os.path.join(self.out, temporary_name("summary.h5", os.getpid()))
            for path in (dead, live):
                with open(path, "w") as f:
                    f.write("partial")
            finished = batch(self.spec, self.out, "--resume")
            self.assertEqual(finished.returncode, 0, finished.stderr)
            self.assertTrue(os.path.exists(live), "a live writer's temporary file was removed")
            os.remove(live)
            self.assertEqual([p for p in files_under(self.out) if ".tmp" in p], [],
                             "the resume left stale temporary files")
            self.assert_complete()
        self.assertGreater(kills, 0, "every batch ended before its kill")

    def test_sigint_says_how_to_resume(self):
        interrupted = 0
        for trial in range(8):
            if interrupted == 3:
                break
            shutil.rmtree(self.work)
            os.mkdir(self.work)
            process = batch(self.spec, self.out, background=True)
            delay = self.delay()
            time.sleep(delay)
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=60)
            if process.returncode == 0:
                self.ended_before(delay)
                continue  # finished before the signal
            with self.subTest(trial=trial):
                if process.returncode == -signal.SIGINT:
                    # Before the handler was installed (still reading the input).
                    self.assertFalse(os.path.exists(self.out))
                    INJECTED.append(("SIGINT", f"trial {trial}, during start-up", "nothing"))
                    continue
                self.assertEqual(process.returncode, 130, err)
                self.assertIn("interrupted (SIGINT)", err)
                self.assertNotIn("failure", err)
                self.assertEqual([p for p in files_under(self.out) if ".tmp" in p], [],
                                 "Ctrl-C left a temporary file")
                runs = self.assert_whole()
                marker = "to finish the work, run: "
                self.assertIn(marker, err)
                command = shlex.split(err.split(marker, 1)[1].splitlines()[0])
                self.assertEqual(command[:2], ["khorgos", "batch"])
                self.assertIn(f"--out {self.out} --resume", shlex.join(command))
                resumed = subprocess.run([BINARY, *command[1:]], capture_output=True, text=True,
                                         timeout=300)
                self.assertEqual(resumed.returncode, 0, resumed.stderr)
                self.assert_complete()
                INJECTED.append(("SIGINT", f"trial {trial} ({runs} of {RUNS} run files done)",
                                 "nothing"))
                interrupted += 1
        self.assertGreater(interrupted, 0, "every batch ended before its Ctrl-C")


if __name__ == "__main__":
    unittest.main(verbosity=2)
