"""The CF conventions in the files of the real binary (a run file with its
event log, and a batch summary): every `units` attribute parses with UDUNITS
(the `udunits2` program of Debian's udunits-bin), every data variable has
long_name and units, the time coordinate is CF's time axis, the required
global attributes are there, and uint64 attributes have exact text twins.
Exit code 77 (skipped) where udunits2 is not installed, 1 if
KHORGOS_REQUIRE_DEPENDENCIES=1 (scripts/test)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
HISTORY = os.path.join(SOURCE, "tests", "calibration", "short_history.toml")
UDUNITS = shutil.which("udunits2")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def objects(f):
    """(path, object) of every group and dataset."""
    found = [("/", f)]
    f.visititems(lambda name, obj: found.append((name, obj)))
    return found


def is_scale(obj):
    return isinstance(obj, h5py.Dataset) and h5py.h5ds.is_scale(obj.id)


class Conventions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-cf-")
        cls.run_file = os.path.join(cls.dir, "run.h5")
        subprocess.run([BINARY, "run", HISTORY, "--scale", "100", "--threads", "1", "--events",
                        "--seed", "9007199254740993", "--quiet", "--out", cls.run_file], check=True,
                       stdout=subprocess.DEVNULL)
        batch = os.path.join(cls.dir, "batch.toml")
        with open(batch, "w") as f:
            f.write(f'[batch]\nreplicates = 2\nseed = 9007199254740993\nscale = 200\n\n'
                    f'[[scenario]]\nid = "short"\nfile = "{HISTORY}"\n')
        cls.batch = os.path.join(cls.dir, "batch")
        subprocess.run([BINARY, "batch", batch, "--out", cls.batch, "--jobs", "1", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        cls.files = [cls.run_file, os.path.join(cls.batch, "summary.h5")]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_every_unit_parses_with_udunits(self):
        units = set()
        for path in self.files:
            with h5py.File(path, "r") as f:
                for _, obj in objects(f):
                    if "units" in obj.attrs:
                        units.add(text(obj.attrs["units"]))
        self.assertIn("1", units)
        self.assertIn("days since 1990-01-01", units)
        for unit in sorted(units):
            done = subprocess.run([UDUNITS, "-H", unit, "-W", ""], capture_output=True,
                                  text=True, stdin=subprocess.DEVNULL)
            self.assertEqual(done.returncode, 0, f"{unit!r}: {done.stderr}")

    def test_required_attributes(self):
        for path in self.files:
            with h5py.File(path, "r") as f:
                for key in ("Conventions", "title", "source"):
                    self.assertIn(key, f.attrs, path)
                self.assertEqual(text(f.attrs["Conventions"]), "CF-1.8")
                self.assertEqual(int(f.attrs["khorgos_format_version"]), 2)
                if path == self.run_file:
                    self.assertIn("time", f)
                time = f["time"] if "time" in f else None
                for key, value in [] if time is None else (("axis", "T"), ("standard_name", "time"),
                                   ("calendar", "proleptic_gregorian")):
                    self.assertEqual(text(time.attrs[key]), value, path)
                for name, obj in objects(f):
                    group = name.split("/")[0]
                    if (isinstance(obj, h5py.Dataset) and not is_scale(obj) and "/" in name
                            and group not in ("provenance", "events", "observables")
                            and h5py.check_string_dtype(obj.dtype) is None):
                        self.assertTrue(text(obj.attrs.get("long_name", b"")), f"{path}:{name}")
                        self.assertIn("units", obj.attrs, f"{path}:{name}")

    def test_uint64_attributes_have_exact_text(self):
        with h5py.File(self.run_file, "r") as f:
            self.assertEqual(text(f.attrs["seed_text"]), "9007199254740993")  # 2^53 + 1
            self.assertEqual(int(f.attrs["seed"]), 9007199254740993)
            for name in ("counter_events", "counter_agents", "counter_parallel_steps"):
                self.assertEqual(text(f.attrs[name + "_text"]), str(int(f.attrs[name])))
        with h5py.File(self.files[1], "r") as f:
            self.assertEqual(text(f.attrs["batch_seed_text"]), "9007199254740993")


if __name__ == "__main__":
    if UDUNITS is None:  # a failure where scripts/test requires the dependencies
        print("udunits2 is not installed (scripts/setup installs udunits-bin)")
        sys.exit(1 if os.environ.get("KHORGOS_REQUIRE_DEPENDENCIES") == "1" else 77)
    sys.exit(0 if unittest.main(verbosity=2, exit=False).result.wasSuccessful() else 1)
