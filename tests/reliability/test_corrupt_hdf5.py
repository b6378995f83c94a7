"""A corrupted or truncated HDF5 file given to the command line gives a clear
error (exit 2, the file named, key 'posterior') and never a crash or a hang.
The one command that reads HDF5 is `khorgos run --posterior FILE`; it is fed a
real run file truncated at many lengths and with bytes overwritten at random
places, garbage, an empty file and a directory."""

import os
import random
import shutil
import subprocess
import tempfile
import unittest

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
SCENARIO = os.path.join(SOURCE, "tests", "data", "minimal.toml")
RNG = random.Random(int(os.environ.get("KHORGOS_FAULT_SEED", "20261127")))


class CorruptHdf5(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-corrupt-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)  # also when setUpClass fails
        cls.good = os.path.join(cls.dir, "good.h5")
        done = subprocess.run([BINARY, "run", os.path.join(SOURCE, "scenarios", "historical.toml"),
                               "--scale", "50", "--threads", "1", "--quiet", "--out", cls.good],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        with open(cls.good, "rb") as f:
            cls.bytes = f.read()
        cls.cases = 0

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)
        print(f"corrupt HDF5 inputs tried: {cls.cases}")

    def check(self, path):
        out = os.path.join(self.dir, "out.h5")
        done = subprocess.run([BINARY, "run", SCENARIO, "--posterior", path, "--out", out, "--quiet"],
                              capture_output=True, text=True, timeout=60)
        CorruptHdf5.cases += 1
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertTrue(done.stderr.startswith("khorgos run: "), done.stderr)
        self.assertIn(os.path.basename(path), done.stderr)
        self.assertIn("posterior", done.stderr)
        self.assertFalse(os.path.exists(out))

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_truncated(self):
        n = len(self.bytes)
        for length in sorted({0, 1, 8, 512, 2048, n // 3, n // 2, n - 1} |
                             {RNG.randrange(1, n) for _ in range(6)}):
            with self.subTest(length=length):
                self.check(self.write(f"truncated-{length}.h5", self.bytes[:length]))

    def test_overwritten_bytes(self):
        for i in range(12):
            data = bytearray(self.bytes)
            for _ in range(RNG.choice((1, 8, 64))):
                at = RNG.randrange(0, len(data) - 8)
                data[at:at + 8] = RNG.randbytes(8)
            with self.subTest(case=i):
                self.check(self.write(f"overwritten-{i}.h5", bytes(data)))

    def test_not_hdf5(self):
        self.check(self.write("garbage.h5", b"\x89HDF\r\n\x1a\n" + RNG.randbytes(4096)))
        self.check(self.write("text.h5", b"name = 'not a posterior'\n"))
        os.mkdir(os.path.join(self.dir, "a-directory.h5"))
        self.check(os.path.join(self.dir, "a-directory.h5"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
