"""`khorgos calibrate` killed (SIGKILL) and interrupted (Ctrl-C, SIGINT) at
random points, from the outside, on a tiny calibration of tests/data/minimal.toml
(one parameter, 40 particles, 6 generations and a posterior predictive of 20
draws: about a second).

- SIGKILL, several times in a row, then --resume: every file under a final
  name is whole (the posterior opens with h5py and its generations are
  consistent), --resume completes, the posterior (every generation and the
  predictive) equals an uninterrupted run's with the same seed bit for bit, and the killed runs' temporary files are gone
  (the resume removes those whose writer is dead).
- SIGINT: exit code 130, a message that says how to resume, no temporary file
  left; the printed command, run as printed, completes the same posterior.

The delays come from KHORGOS_FAULT_SEED (default 20261127); what was injected
and what was lost is printed at the end (it must be nothing).
"""

import math
import os
import shlex
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import unittest

import h5py
import numpy as np

from faults import INJECTED, FaultCase

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
SCENARIO = os.path.join(SOURCE, "tests", "data", "minimal.toml")


def calibrate(config, out, *extra, background=False):
    command = [BINARY, "calibrate", config, "--out", out, "--quiet", "--jobs", "2", *extra]
    if background:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def read_posterior(path):
    """Every generation's arrays and tolerance, for exact comparison."""
    return read_file(path)["generations"]


def read_file(path):
    """The generations, the predictive (None before it is made) and the stopping reason."""
    with h5py.File(path, "r") as f:
        generations = [{"particles": f["generations"][g]["particles"][...],
                        "weights": f["generations"][g]["weights"][...],
                        "distances": f["generations"][g]["distances"][...],
                        "tolerance": f["generations"][g].attrs["tolerance"]}
                       for g in sorted(f["generations"])]
        predictive = None
        if "predictive" in f:
            predictive = {k: f["predictive"][k][...] for k in f["predictive"]}
            predictive["generation"] = f["predictive"].attrs["generation"]
        stopping = f.attrs["stopping"] if "stopping" in f.attrs else ""
        return {"generations": generations, "predictive": predictive, "stopping": stopping}


def temporary_name(final_name, pid):
    """The name io/temporary_files.cpp gives a temporary file of `pid` on this host."""
    host = re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())[:64] or "localhost"
    return f".{final_name}.tmp-{host}-{pid}-0"


def temporaries(directory):
    return [n for n in os.listdir(directory) if ".tmp" in n]


class CalibrateFaults(FaultCase):
    COMMAND = "khorgos calibrate"
    OUTPUT = "post.h5"

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-calibrate-faults-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)
        # Targets from a run with a known parameter value (khorgos run --emit-targets).
        targets = os.path.join(cls.dir, "targets.toml")
        made = subprocess.run([BINARY, "run", SCENARIO, "--scale", "4", "--threads", "1",
                               "--quiet", "--set", "visitor.entries_per_year=14610",
                               "--out", os.path.join(cls.dir, "truth.h5"),
                               "--emit-targets", targets], capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        cls.config = os.path.join(cls.dir, "tiny.toml")
        with open(cls.config, "w") as f:
            f.write(f'[calibration]\nscenario = "{SCENARIO}"\ntargets = "{targets}"\n'
                    'scale = 4\nseed = 11\nfit_targets = ["nsc_visitors_cn"]\n\n'
                    '[[parameter]]\nname = "visitor.entries_per_year"\nprior = "log_uniform"\n'
                    'lower = 730.5\nupper = 73050\n\n'
                    '[abc]\nparticles = 40\nmax_generations = 6\nmin_acceptance = 0.0\n'
                    'predictive_draws = 20\n')
        reference_dir = os.path.join(cls.dir, "reference")
        os.mkdir(reference_dir)
        t0 = time.monotonic()
        done = calibrate(cls.config, os.path.join(reference_dir, "post.h5"))
        cls.duration = time.monotonic() - t0
        assert done.returncode == 0, done.stderr
        cls.reference = read_file(os.path.join(reference_dir, "post.h5"))
        assert len(cls.reference["generations"]) == 6, "the reference should run 6 generations"
        assert cls.reference["predictive"] is not None, "the reference has no predictive"


    def assert_whole(self):
        """Every file under a final name is complete."""
        for name in os.listdir(self.work):
            if name.startswith("."):
                continue
            path = os.path.join(self.work, name)
            if name.endswith(".h5"):
                whole = read_file(path)  # raises on a partial file
                generations = whole["generations"]
                self.assertGreaterEqual(len(generations), 1, name)
                if whole["predictive"] is not None:
                    draws = len(whole["predictive"]["particle"])
                    self.assertEqual(whole["predictive"]["parameters"].shape, (draws, 1))
                    self.assertEqual(whole["predictive"]["simulated"].shape[0], draws)
                for g in generations:
                    n = len(g["weights"])
                    self.assertEqual(g["particles"].shape, (n, 1))
                    self.assertEqual(g["distances"].shape, (n,))
                    # Normalised weights: the sum of n doubles is 1 within n roundings.
                    self.assertLessEqual(abs(math.fsum(g["weights"]) - 1), n * sys.float_info.epsilon)
            elif name.endswith(".toml"):
                with open(path, "rb") as f:
                    tomllib.load(f)  # the scenario fragment parses
            elif name.endswith(".txt"):
                with open(path) as f:
                    self.assertIn("wall time of this invocation", f.read())
            else:
                self.fail(f"unexpected file {name}")

    def assert_reference(self):
        got = read_file(self.out)
        self.assertEqual(len(got["generations"]), len(self.reference["generations"]))
        for a, b in zip(self.reference["generations"], got["generations"]):
            np.testing.assert_array_equal(a["particles"], b["particles"])
            np.testing.assert_array_equal(a["weights"], b["weights"])
            np.testing.assert_array_equal(a["distances"], b["distances"])
            self.assertEqual(a["tolerance"], b["tolerance"])
        self.assertEqual(got["stopping"], self.reference["stopping"])
        self.assertIsNotNone(got["predictive"])
        self.assertEqual(sorted(got["predictive"]), sorted(self.reference["predictive"]))
        for key, value in self.reference["predictive"].items():
            np.testing.assert_array_equal(got["predictive"][key], value, err_msg=key)

    def test_sigkill_then_resume(self):
        kills = 0
        for trial in range(3):
            shutil.rmtree(self.work)
            os.mkdir(self.work)
            for attempt in range(2):
                process = calibrate(self.config, self.out, "--resume", background=True)
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
                    self.assert_whole()
                    done = len(read_posterior(self.out)) if os.path.exists(self.out) else 0
                    INJECTED.append(("SIGKILL", f"trial {trial}, kill {attempt} "
                                     f"({done} generations in the file)", "nothing"))
            # Beside what the kills left (if they hit a write), a temporary file of
            # the last killed process (dead) and one of this test process (alive):
            # the resume must remove the first only.
            dead = os.path.join(self.work, temporary_name("post.h5", process.pid))
            live = os.path.join(self.work, temporary_name("post-report.txt", os.getpid()))
            for path in (dead, live):
                with open(path, "w") as f:
                    f.write("partial")
            finished = calibrate(self.config, self.out, "--resume")
            self.assertEqual(finished.returncode, 0, finished.stderr)
            self.assertTrue(os.path.exists(live), "a live writer's temporary file was removed")
            os.remove(live)
            self.assert_whole()
            self.assert_reference()
            self.assertEqual(temporaries(self.work), [], "the resume left stale temporary files")
        self.assertGreater(kills, 0, "every calibration ended before its kill")

    def test_sigint_says_how_to_resume(self):
        interrupted = 0
        for trial in range(8):
            if interrupted == 3:
                break
            shutil.rmtree(self.work)
            os.mkdir(self.work)
            process = calibrate(self.config, self.out, background=True)
            delay = self.delay()
            time.sleep(delay)
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=60)
            if process.returncode == 0:
                self.ended_before(delay)
                continue  # finished before the signal
            with self.subTest(trial=trial):
                if process.returncode == -signal.SIGINT:
                    # Before the handler was installed (still reading the input): the
                    # default action; nothing may have been written.
                    self.assertEqual(os.listdir(self.work), [])
                    INJECTED.append(("SIGINT", f"trial {trial}, during start-up", "nothing"))
                    continue
                self.assertEqual(process.returncode, 130, err)
                self.assertIn("interrupted (SIGINT)", err)
                self.assertNotIn("failure", err)
                self.assertEqual(temporaries(self.work), [], "Ctrl-C left a temporary file")
                self.assert_whole()
                marker = "to finish the work, run: "
                self.assertIn(marker, err)
                command = shlex.split(err.split(marker, 1)[1].splitlines()[0])
                self.assertEqual(command[:2], ["khorgos", "calibrate"])
                self.assertIn("--resume", command)
                done = len(read_posterior(self.out)) if os.path.exists(self.out) else 0
                resumed = subprocess.run([BINARY, *command[1:]], capture_output=True, text=True,
                                         timeout=300)
                self.assertEqual(resumed.returncode, 0, resumed.stderr)
                self.assert_whole()
                self.assert_reference()
                INJECTED.append(("SIGINT", f"trial {trial} ({done} generations in the file)",
                                 "nothing"))
                interrupted += 1
        self.assertGreater(interrupted, 0, "every calibration ended before its Ctrl-C")


if __name__ == "__main__":
    unittest.main(verbosity=2)
