"""`khorgos run` under interruption and faults, from the outside.

Ctrl-C (SIGINT) and SIGTERM stop a run cleanly: the temporary file is
removed, the message says nothing was written, the exit code is 128 + the
signal. SIGKILL at random points never leaves a file under the final name. An
unwritable directory and a full disk (a 1 MiB tmpfs where this sandbox lets us
mount one, and always a file size limit, RLIMIT_FSIZE) give a clear error and
no file at all. Each case checks what was lost: nothing but the unfinished run.
"""

import glob
import os
import random
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import h5py

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
SCENARIO = os.path.join(SOURCE, "scenarios", "historical.toml")
# A run of about 1.5 s (Release) on one thread, with an event log so that the
# write phase is long too (the file is about 10 MiB).
RUN_OPTIONS = ["--scale", "3", "--threads", "1", "--events", "--quiet"]
RNG = random.Random(int(os.environ.get("KHORGOS_FAULT_SEED", "20261127")))


def start(out, *extra, **popen):
    return subprocess.Popen([BINARY, "run", SCENARIO, "--out", out, *RUN_OPTIONS, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def temporaries(directory):
    return glob.glob(os.path.join(directory, ".*.tmp-*"))


def wait_for_temporary(directory, process, timeout=20):
    """Waits until the run has created its temporary file (the writer is open)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if temporaries(directory) or process.poll() is not None:
            return
        time.sleep(0.005)


def can_mount_tmpfs():
    probe = tempfile.mkdtemp(prefix="khorgos-mount-probe-")
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", probe], check=True)
        return ok
    except OSError:
        return False
    finally:
        os.rmdir(probe)


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-faults-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)  # also when setUpClass fails
        # How long a whole run takes here, to place the kills inside it.
        out = os.path.join(cls.dir, "timing.h5")
        t0 = time.monotonic()
        done = start(out)
        _, err = done.communicate(timeout=120)
        cls.duration = time.monotonic() - t0
        assert done.returncode == 0, err
        cls.full_size = os.path.getsize(out)
        os.remove(out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="case-", dir=self.dir)
        self.out = os.path.join(self.work, "run.h5")

    def interrupt(self, sig, expected_code):
        # Interrupt during the simulation and during the write phase.
        interrupted = 0
        for fraction in (0.2, 0.5, 0.8):
            shutil.rmtree(self.work)
            os.mkdir(self.work)
            process = start(self.out)
            wait_for_temporary(self.work, process)
            time.sleep(self.duration * fraction * RNG.uniform(0.8, 1.0))
            process.send_signal(sig)
            _, err = process.communicate(timeout=60)
            if process.returncode == 0:
                continue  # finished before the signal: nothing to check
            with self.subTest(signal=sig, fraction=fraction):
                self.assertEqual(process.returncode, expected_code, err)
                self.assertIn("interrupted", err)
                if "the output completed before is kept" in err:
                    # The signal came during the final rename (a deferred section):
                    # the run was complete, and its file is kept, whole.
                    self.assertEqual(os.listdir(self.work), ["run.h5"])
                    with h5py.File(self.out, "r") as f:
                        self.assertIn("provenance", f)
                    Faults.injected.append((signal.Signals(sig).name, fraction,
                                            "nothing (signal during the rename: file kept)"))
                    continue
                self.assertIn("nothing was written", err)
                self.assertEqual(os.listdir(self.work), [], "a file was left behind")
                Faults.injected.append((signal.Signals(sig).name, fraction, "nothing left"))
                interrupted += 1
        self.assertGreater(interrupted, 0, "every run ended before its signal")

    def test_sigint_removes_the_temporary_file(self):
        self.interrupt(signal.SIGINT, 130)

    def test_sigterm_removes_the_temporary_file(self):
        self.interrupt(signal.SIGTERM, 128 + signal.SIGTERM)

    def test_sigkill_never_leaves_a_file_under_the_final_name(self):
        kills = 6
        landed = 0
        for i in range(kills):
            # Only a finished run is removed: the temporary files of killed runs
            # stay, for the next run of the same output to remove.
            if os.path.exists(self.out):
                os.remove(self.out)
            process = start(self.out)
            time.sleep(RNG.uniform(0, self.duration))
            process.kill()
            process.communicate(timeout=60)
            # The kill landed before the end: the process died of it, not of its own exit.
            landed += process.returncode == -signal.SIGKILL
            with self.subTest(kill=i):
                if process.returncode == 0:
                    # It ended before the kill: the file must then be whole.
                    with h5py.File(self.out, "r") as f:
                        self.assertIn("time", f)
                        self.assertIn("provenance", f)
                    continue
                self.assertFalse(os.path.exists(self.out), "SIGKILL left a file under the final name")
                # The only trace is the temporary file (SIGKILL cannot be caught).
                leftovers = set(os.listdir(self.work)) - {"run.h5"}
                self.assertTrue(all(".run.h5.tmp-" in f for f in leftovers), leftovers)
                # Each run removed what the killed runs before it left.
                self.assertLessEqual(len(leftovers), 1, "temporary files of killed runs pile up")
                Faults.injected.append(("SIGKILL", i, f"no final file, {len(leftovers)} temporary left"))
        self.assertGreater(landed, 0, "every run ended before its SIGKILL")
        # The next run of the same output removes the last killed run's file.
        done = start(self.out, "--force")
        _, err = done.communicate(timeout=120)
        self.assertEqual(done.returncode, 0, err)
        self.assertEqual(os.listdir(self.work), ["run.h5"])

    def test_unwritable_directory(self):
        os.chmod(self.work, 0o555)
        command = []
        if os.geteuid() == 0:
            # root ignores permissions: run without the capabilities that let it
            # (still root, so every path stays reachable; CI runs as root).
            command = ["setpriv", "--inh-caps=-all",
                       "--bounding-set=-dac_override,-dac_read_search,-fowner"]
        done = subprocess.run(command + [BINARY, "run", SCENARIO, "--out", self.out, *RUN_OPTIONS],
                              capture_output=True, text=True, timeout=60)
        os.chmod(self.work, 0o755)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("khorgos run: failure:", done.stderr)
        self.assertIn(self.work, done.stderr)
        self.assertIn("ermission denied", done.stderr)
        self.assertEqual(os.listdir(self.work), [])
        Faults.injected.append(("unwritable directory", 0, "nothing left"))

    def assert_disk_full_is_clean(self, done, directory):
        # The exit code is checked apart (test_failed_write_exit_code).
        self.assertIn("khorgos run: failure:", done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        self.assertEqual(os.listdir(directory), [], "a file was left on the full disk")

    def test_file_size_limit(self):
        limit = self.full_size // 4

        def limit_file_size():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        done = subprocess.run([BINARY, "run", SCENARIO, "--out", self.out, *RUN_OPTIONS],
                              capture_output=True, text=True, timeout=60, preexec_fn=limit_file_size)
        # Not killed by SIGXFSZ (-25): a clear failure instead.
        self.assertNotEqual(done.returncode, -signal.SIGXFSZ)
        self.assert_disk_full_is_clean(done, self.work)
        self.assertIn("File too large", done.stderr)
        Faults.injected.append(("RLIMIT_FSIZE", limit, "nothing left"))

    # After a failed write the HDF5 file could stay open and HDF5's exit handler
    # crashed in H5F__close_cb (exit 139 instead of 1); output/ now turns that
    # handler off.
    def test_failed_write_exit_code(self):
        limit = self.full_size // 4

        def limit_file_size():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        done = subprocess.run([BINARY, "run", SCENARIO, "--out", self.out, *RUN_OPTIONS],
                              capture_output=True, text=True, timeout=60, preexec_fn=limit_file_size)
        # Under ASan the crash is a "SEGV" report with ASan's exit code 1.
        self.assertNotIn("Sanitizer", done.stderr)
        self.assertEqual(done.returncode, 1, done.stderr)

    @unittest.skipUnless(can_mount_tmpfs(), "cannot mount a tmpfs here")
    def test_full_disk(self):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", self.work], check=True)
        try:
            done = subprocess.run([BINARY, "run", SCENARIO, "--out", self.out, *RUN_OPTIONS],
                                  capture_output=True, text=True, timeout=60)
            self.assert_disk_full_is_clean(done, self.work)
            self.assertIn("No space left on device", done.stderr)
            Faults.injected.append(("full 1 MiB tmpfs", 0, "nothing left"))
        finally:
            subprocess.run(["umount", self.work], check=True)


Faults.injected = []

if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    for fault in Faults.injected:
        print("fault injected:", *fault)
    raise SystemExit(0 if result.wasSuccessful() else 1)
