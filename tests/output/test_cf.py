"""The CF conventions in the files of the real binary (a run file with its
event log, and a batch summary): every `units` attribute and every unit of the
observables' units column parses with UDUNITS (the `udunits2` program of
Debian's udunits-bin), every data variable has long_name and units, the time
and year coordinates are CF time axes with bounds, every variable over them
has cell_methods (stocks "time: point", flows "time: sum"), xarray decodes
both axes and their bounds to dates, the required global attributes are there,
uint64 attributes have exact text twins, and labels are auxiliary coordinates
beside numeric coordinate variables.
Exit code 77 (skipped) where udunits2 is not installed, 1 if
KHORGOS_REQUIRE_DEPENDENCIES=1 (scripts/test)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

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
        with h5py.File(self.run_file, "r") as f:
            column = set(f["observables/units"].asstr()[()])
        self.assertEqual(column, {"1", "d-1"})  # counts and shares, persons per day
        for unit in sorted(units | column):
            done = subprocess.run([UDUNITS, "-H", unit, "-W", ""], capture_output=True,
                                  text=True, stdin=subprocess.DEVNULL)
            self.assertEqual(done.returncode, 0, f"{unit!r}: {done.stderr}")

    def test_required_attributes(self):
        for path in self.files:
            with h5py.File(path, "r") as f:
                for key in ("Conventions", "title", "source"):
                    self.assertIn(key, f.attrs, path)
                self.assertEqual(text(f.attrs["Conventions"]), "CF-1.8")
                self.assertEqual(int(f.attrs["khorgos_format_version"]), 4)
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
                            and not name.endswith("_bnds")  # CF: part of their axis
                            and h5py.check_string_dtype(obj.dtype) is None):
                        self.assertTrue(text(obj.attrs.get("long_name", b"")), f"{path}:{name}")
                        self.assertIn("units", obj.attrs, f"{path}:{name}")

    def test_time_axes_have_bounds(self):
        for path in self.files:
            with h5py.File(path, "r") as f:
                axes = [(name, obj) for name, obj in objects(f) if is_scale(obj)
                        and " since " in text(obj.attrs.get("units", b""))]
                names = {name.rsplit("/", 1)[-1] for name, _ in axes}
                # A batch summary has the time axes of the groups it keeps (yearly by default).
                self.assertEqual(names, {"time", "year"} if path == self.run_file else {"year"},
                                 path)
                for name, axis in axes:
                    where = f"{path}:{name}"
                    for key, value in (("axis", "T"), ("standard_name", "time"),
                                       ("calendar", "proleptic_gregorian")):
                        self.assertEqual(text(axis.attrs[key]), value, where)
                    bounds = axis.parent[text(axis.attrs["bounds"])]
                    self.assertEqual(bounds.shape, (axis.shape[0], 2), where)
                    self.assertEqual([d[0].name.rsplit("/", 1)[-1] for d in bounds.dims],
                                     [name.rsplit("/", 1)[-1], "nv"], where)
                    self.assertNotIn("units", bounds.attrs, where)  # CF: inherited
                    value, cell = axis[()], bounds[()]
                    self.assertTrue(np.all(cell[:, 0] <= value) and np.all(value <= cell[:, 1]),
                                    where)
                    np.testing.assert_array_equal(cell[1:, 0], cell[:-1, 1], where)  # contiguous
                    if name.endswith("time"):  # a step is stored at its end, its stocks' instant
                        np.testing.assert_array_equal(value, cell[:, 1], where)

    def test_cell_methods(self):
        for path in self.files:
            with h5py.File(path, "r") as f:
                seen = {}
                for name, obj in objects(f):
                    if (not isinstance(obj, h5py.Dataset) or is_scale(obj)
                            or name.split("/")[0] not in ("daily", "yearly")
                            or name.endswith("_bnds")
                            or h5py.check_string_dtype(obj.dtype) is not None):  # labels
                        continue
                    dims = [d[0].name.rsplit("/", 1)[-1] for d in obj.dims]
                    axis = "time" if "time" in dims else "year"
                    self.assertIn(axis, dims, f"{path}:{name}")
                    method = text(obj.attrs.get("cell_methods", b""))
                    self.assertIn(method, (f"{axis}: point", f"{axis}: sum"), f"{path}:{name}")
                    seen[name.rsplit("/", 1)[-1]] = method
                if path == self.run_file:
                    self.assertEqual(seen["stock"], "time: point", path)
                    self.assertEqual(seen["flow"], "time: sum", path)
                self.assertEqual(seen["entries"], "year: sum", path)

    def test_labels_are_auxiliary_coordinates(self):
        # CF: a coordinate variable is numeric and monotonic; labels are
        # auxiliary coordinates NAME_name(NAME), listed in the `coordinates`
        # of every variable over NAME.
        for path in self.files:
            with h5py.File(path, "r") as f:
                labels = 0
                for name, obj in objects(f):
                    if not is_scale(obj) or text(obj.attrs["NAME"]).startswith("This is a netCDF"):
                        continue  # dimensions without values (nv, observable, event)
                    where = f"{path}:{name}"
                    self.assertIsNone(h5py.check_string_dtype(obj.dtype), where)
                    self.assertTrue(np.all(np.diff(obj[()]) > 0), where)
                    dim = name.rsplit("/", 1)[-1]
                    label = obj.parent.get(dim + "_name")
                    if label is None:
                        continue
                    labels += 1
                    self.assertIsNotNone(h5py.check_string_dtype(label.dtype), where)
                    self.assertEqual(label.shape, obj.shape, where)
                    self.assertTrue(text(label.attrs.get("long_name", b"")), where)
                    for var in obj.parent.values():
                        if (isinstance(var, h5py.Dataset) and not is_scale(var)
                                and h5py.check_string_dtype(var.dtype) is None  # data
                                and dim in [d[0].name.rsplit("/", 1)[-1] for d in var.dims]):
                            listed = text(var.attrs.get("coordinates", b"")).split()
                            self.assertIn(dim + "_name", listed, f"{path}:{var.name}")
                self.assertGreater(labels, 0, path)
                for name, obj in objects(f):  # no label is left unattached
                    base = name.rsplit("/", 1)[-1]
                    if base.endswith("_name") and isinstance(obj, h5py.Dataset):
                        self.assertIn(base[:-len("_name")], obj.parent, f"{path}:{name}")

    def test_xarray_decodes_time_axes_and_bounds(self):
        import importlib.util

        import xarray as xr

        engines = [e for e in ("netcdf4", "h5netcdf") if importlib.util.find_spec(
            "netCDF4" if e == "netcdf4" else e)]
        self.assertIn("netcdf4", engines)
        for engine in engines:
            with xr.open_dataset(self.run_file, group="yearly", engine=engine) as ds:
                self.assertEqual(ds.year.dtype.kind, "M", engine)
                self.assertEqual(list(ds.year.dt.year.values), list(range(1990, 2007)), engine)
                self.assertEqual(ds.year_bnds.dtype.kind, "M", engine)
                # Weekly steps from 1990-01-01: 1990 tallies the step that starts on
                # 31 December, so 1991 begins on 7 January; the horizon ends with 2006.
                self.assertEqual(str(ds.year_bnds.values[0, 1])[:10], "1991-01-07", engine)
                self.assertEqual(str(ds.year.values[1])[:10], "1991-01-07", engine)
                self.assertEqual(str(ds.year_bnds.values[-1, 1])[:10], "2007-01-01", engine)
            with xr.open_dataset(self.run_file, group="daily", engine=engine) as ds:
                self.assertEqual(ds.time_bnds.dtype.kind, "M", engine)
                self.assertTrue((ds.time.values == ds.time_bnds.values[:, 1]).all(), engine)

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
