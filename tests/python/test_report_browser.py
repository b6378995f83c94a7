"""The report pages in a real browser: Debian's chromium renders the page of a
run file, a batch directory and a posterior file headless and offline, and
exits 0 with a screenshot. Exit code 77 (skipped) where chromium is not
installed (scripts/setup installs it), 1 if KHORGOS_REQUIRE_DEPENDENCIES=1."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from test_package import PNG, Files, tearDownModule  # noqa: F401  (the files, and their clean-up)

CHROMIUM = shutil.which("chromium")


class Browser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Files.make()

    def test_pages_render(self):
        for name, path in (("run", Files.run_json["file"]),
                           ("batch", Files.batch_json["directory"]),
                           ("posterior", Files.calibrate_json["posterior"])):
            page = os.path.join(Files.dir, f"{name}.html")
            shot = os.path.join(Files.dir, f"{name}.png")
            done = subprocess.run([sys.executable, "-m", "khorgos.report", path, "--out", page],
                                  capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            # A profile of its own: no state shared with other runs or users.
            profile = tempfile.mkdtemp(prefix="khorgos-chromium-", dir=Files.dir)
            done = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 f"--user-data-dir={profile}", "--window-size=1200,2000",
                 f"--screenshot={shot}", "file://" + page],
                capture_output=True, text=True, timeout=300)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(shot, "rb") as f:
                self.assertEqual(f.read(8), PNG, done.stderr)
            self.assertGreater(os.path.getsize(shot), 20_000, "an empty page?")


if __name__ == "__main__":
    if CHROMIUM is None:  # a failure where scripts/test requires the dependencies
        print("chromium is not installed (scripts/setup installs it)")
        sys.exit(1 if os.environ.get("KHORGOS_REQUIRE_DEPENDENCIES") == "1" else 77)
    sys.exit(0 if unittest.main(verbosity=2, exit=False).result.wasSuccessful() else 1)
