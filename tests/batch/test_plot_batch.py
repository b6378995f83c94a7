"""`python3 -m khorgos.plot batch` runs headless on a small batch and writes non-empty
PNG and PDF fan charts."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]


class PlotBatch(unittest.TestCase):
    def test_fan_chart(self):
        work = tempfile.mkdtemp(prefix="khorgos-plot-batch-")
        try:
            batch = os.path.join(work, "batch.toml")
            with open(batch, "w") as f:
                f.write(f"""[batch]
replicates = 2
seed = 3
scale = 200
keep = ["observables"]

[[scenario]]
id = "historical"
file = "{os.path.join(SOURCE, 'scenarios', 'historical.toml')}"

[[scenario]]
id = "labour_quota_zero"
file = "{os.path.join(SOURCE, 'scenarios', 'counterfactuals', 'labour_quota_zero.toml')}"
""")
            out = os.path.join(work, "out")
            done = subprocess.run([BINARY, "batch", batch, "--out", out],
                                  capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            env = dict(os.environ, MPLBACKEND="Agg")
            env.pop("DISPLAY", None)
            done = subprocess.run([sys.executable, "-m", "khorgos.plot", "batch", out], capture_output=True, text=True,
                                  env=env)
            self.assertEqual(done.returncode, 0, done.stderr)
            for extension in ("png", "pdf"):
                path = os.path.join(out, f"fan_chart.{extension}")
                self.assertGreater(os.path.getsize(path), 1000, path)
            with open(os.path.join(out, "fan_chart.png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main(verbosity=2)
