"""Ctrl-C during `khorgos batch`: exit 130, finished run files kept, a message
with the command that resumes, and --resume then completes every run."""
import csv
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

BINARY = os.environ["KHORGOS_BINARY"]
BATCH = os.path.join(os.environ["KHORGOS_SOURCE_DIR"], "scenarios", "batches",
                     "labour_quota_grid.toml")


class BatchInterrupt(unittest.TestCase):
    def test_sigint_then_resume(self):
        work = tempfile.mkdtemp(prefix="khorgos-batch-int-")
        try:
            out = os.path.join(work, "grid")
            proc = subprocess.Popen([BINARY, "batch", BATCH, "--out", out, "--jobs", "2"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(3)
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
            if proc.returncode == 0:
                self.skipTest("the batch finished before the interruption")
            self.assertEqual(proc.returncode, 130, stderr)
            self.assertIn("interrupted (SIGINT)", stderr)
            self.assertIn(f"--out {out} --resume", stderr)
            # No run file is left half-written under its final name.
            for name in os.listdir(os.path.join(out, "runs")):
                self.assertFalse(name.startswith("."), name)
            done = subprocess.run([BINARY, "batch", BATCH, "--out", out, "--jobs", "2",
                                   "--resume"], capture_output=True, text=True, timeout=300)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(os.path.join(out, "runs.csv")) as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), 60)
            self.assertTrue(all(r["status"] == "ok" for r in rows))
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main(verbosity=2)
