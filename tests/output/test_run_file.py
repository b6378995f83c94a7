"""What other tools see in a run file: h5py, xarray (netcdf4 and h5netcdf
engines), netCDF4, ncdump and h5dump, on the synthetic run written by
khorgos_write_synthetic (tests/output/synthetic.hpp has the formulas)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np
import xarray as xr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from dependencies import needs  # noqa: E402

WRITER = os.environ["KHORGOS_WRITE_SYNTHETIC"]
EVENTS = 150_000  # more than two 64Ki-row chunks
FIRST_DAY = 7305  # 2010-01-01

# (group, name, dims, units, long_name) in the order synthetic_result() adds them.
VARIABLES = [
    ("daily", "stock", ("time", "agent_type", "region"), "persons", "persons present"),
    ("daily", "flow", ("time", "agent_type", "crossing", "direction"), "persons/day",
     "border crossings"),
    ("yearly", "entries", ("year", "agent_type"), "persons", "entries"),
    ("yearly", "naturalisations", ("year", "ethnicity"), "persons", "naturalisations"),
    ("totals", "agents_created", (), "1", "agents created"),
    ("totals", "entries_by_purpose", ("purpose",), "persons", "entries by purpose"),
]
SIZES = {"time": 40, "year": 2, "agent_type": 5, "ethnicity": 5, "region": 3, "crossing": 2,
         "direction": 2, "purpose": 4}
REGIONS = ["almaty", "zhetysu", "Алматы облысы"]
PLACES = ["xinjiang", "inner_china", "khorgos", "dostyk"] + REGIONS + ["onward"]


def expected_values(k, dims):
    shape = tuple(SIZES[d] for d in dims)
    return 1000 * k + 0.25 * np.arange(int(np.prod(shape))).reshape(shape)


def expected_events(n=EVENTS):
    i = np.arange(n, dtype=np.int64)
    return {
        "day": FIRST_DAY + i // 1000,
        "agent": (i * 7) % 100003,
        "agent_type_index": i % 5,
        "ethnicity_index": (i // 5) % 5,
        "event_kind_index": i % 8,
        "crossing_index": i % 3 - 1,
        "from_place_index": i % 9 - 1,
        "to_place_index": (i * 3) % 9 - 1,
    }


def has_module(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


class RunFileReaders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-py-")
        cls.path = os.path.join(cls.dir, "run.h5")
        cls.empty = os.path.join(cls.dir, "empty.h5")
        subprocess.run([WRITER, cls.path, "--events", str(EVENTS)], check=True)
        subprocess.run([WRITER, cls.empty, "--empty", "--events", "10"], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    # h5py: the raw HDF5 layout.

    def test_h5py_layout(self):
        with h5py.File(self.path, "r") as f:
            self.assertEqual(f.attrs["Conventions"], b"CF-1.8")
            self.assertEqual(f.attrs["khorgos_format"], b"khorgos-run")
            self.assertEqual(f.attrs["seed"], np.uint64(2**64 - 8))
            self.assertEqual(f.attrs["scenario_text"].decode("utf-8").splitlines()[0],
                             "# Хоргос baseline")
            # netCDF-C needs creation order tracked and indexed everywhere.
            tracked = h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
            for group in (f["/"], f["daily"], f["events"]):
                plist = group.id.get_create_plist()
                self.assertEqual(plist.get_link_creation_order(), tracked, group.name)
                self.assertEqual(plist.get_attr_creation_order(), tracked, group.name)
            self.assertEqual(f["daily/stock"].id.get_create_plist().get_attr_creation_order(),
                             tracked)
            # Text attributes are fixed-length strings, labels variable-length,
            # beside their dimension's int32 index (format 4).
            self.assertFalse(h5py.h5a.open(f["daily/stock"].id, b"units").get_type()
                             .is_variable_str())
            self.assertIsNone(h5py.check_string_dtype(f["region_name"].dtype).length)
            self.assertEqual(f["region"].dtype, np.dtype("<i4"))
            np.testing.assert_array_equal(f["region"][()], np.arange(len(REGIONS)))
            self.assertEqual(list(f["region_name"].asstr()[()]), REGIONS)
            self.assertEqual(list(f["place_name"].asstr()[()]), PLACES)
            self.assertEqual(f["daily/stock"].attrs["coordinates"].decode(),
                             "agent_type_name region_name")
            for k, (group, name, dims, units, _) in enumerate(VARIABLES):
                d = f[group][name]
                self.assertEqual(tuple(a[0].attrs["NAME"].decode() for a in d.dims), dims)
                self.assertEqual(d.attrs["units"].decode(), units)
                np.testing.assert_array_equal(d[()], expected_values(k, dims))
            stock = f["daily/stock"]
            self.assertEqual(stock.compression, "gzip")
            self.assertTrue(stock.shuffle)
            self.assertEqual(stock.chunks[0], SIZES["time"])  # whole series in a chunk
            day = f["events/day"]
            self.assertEqual(day.chunks, (65536,))
            self.assertEqual(day.maxshape, (None,))
            self.assertEqual(day.compression, "gzip")

    # xarray with netCDF-C underneath.

    def test_xarray_netcdf4_root(self):
        with xr.open_dataset(self.path, engine="netcdf4") as ds:
            self.assertEqual(ds.attrs["Conventions"], "CF-1.8")
            self.assertEqual(ds.attrs["threads"], 2)
            self.assertEqual(list(ds.region_name.values), REGIONS)
            self.assertEqual(list(ds.place_name.values), PLACES)
            self.assertEqual(ds.time.values[0], np.datetime64("2010-01-01"))
            self.assertEqual(ds.sizes["time"], 40)
            self.assertEqual(list(ds.year.values), [2010, 2011])

    def check_groups(self, engine):
        for k, (group, name, dims, units, long_name) in enumerate(VARIABLES):
            with xr.open_dataset(self.path, group=group, engine=engine) as ds:
                v = ds[name]
                self.assertEqual(v.dims, dims)
                self.assertEqual(v.attrs["units"], units)
                self.assertEqual(v.attrs["long_name"], long_name)
                np.testing.assert_array_equal(v.values, expected_values(k, dims))
                for d in dims:  # each group carries its coordinates' values
                    self.assertIn(d, ds.coords)
        with xr.open_dataset(self.path, group="daily", engine=engine) as ds:
            self.assertEqual(list(ds.region_name.values), REGIONS)
            self.assertIn("region_name", ds.stock.coords)  # via CF "coordinates"
            self.assertEqual(ds.time.values[-1], np.datetime64("2010-02-09"))
            # SCHEMA's recipes: index the labels, or swap them in for the indices.
            labelled = ds.set_xindex("region_name").set_xindex("agent_type_name")
            self.assertEqual(float(labelled.stock.sel(time="2010-01-02", agent_type_name="visitor",
                                                      region_name="Алматы облысы")),
                             0.25 * (1 * 15 + 1 * 3 + 2))
            swapped = ds.swap_dims(region="region_name", agent_type="agent_type_name")
            self.assertEqual(float(swapped.stock.sel(time="2010-01-02", agent_type_name="visitor",
                                                     region_name="Алматы облысы")),
                             0.25 * (1 * 15 + 1 * 3 + 2))
            # CF time cells: bounds decoded with the axis's units, cell methods kept.
            self.assertEqual(ds.time.attrs["bounds"], "time_bnds")
            self.assertEqual(ds.time_bnds.dims, ("time", "nv"))
            np.testing.assert_array_equal(
                ds.time_bnds.values[0], np.array(["2009-12-31", "2010-01-01"], "datetime64[ns]"))
            self.assertEqual(ds.stock.attrs["cell_methods"], "time: point")
            self.assertEqual(ds.flow.attrs["cell_methods"], "time: sum")

    def check_observables_and_parameters(self, engine):
        with xr.open_dataset(self.path, group="observables", engine=engine) as ds:
            self.assertEqual(list(ds.id.values), ["nsc_visitors_cn", "nsc_visitors_cn",
                                                  "labour_quota_share"])
            self.assertIn("period", ds.value.coords)  # via CF "coordinates"
            indexed = ds.set_index(observable=["id", "period"])
            self.assertEqual(float(indexed.value.sel(observable=("nsc_visitors_cn", "2010"))),
                             134900)
            self.assertEqual(list(ds.units.values), ["persons", "persons", "1"])
        with xr.open_dataset(self.path, group="provenance", engine=engine) as ds:
            self.assertEqual(float(ds.set_xindex("parameter_name").parameter_value
                                   .sel(parameter_name="quota_scale")), 1500)

    def check_events(self, engine):
        expected = expected_events()
        with xr.open_dataset(self.path, group="events", engine=engine) as ds:
            self.assertEqual(ds.sizes["event"], EVENTS)
            days = (ds.day.values - np.datetime64("1990-01-01")) // np.timedelta64(1, "D")
            np.testing.assert_array_equal(days, expected["day"])
            for name in expected:
                if name == "day":
                    continue
                np.testing.assert_array_equal(ds[name].values, expected[name], err_msg=name)
            self.assertEqual(ds.to_place_index.attrs["flag_meanings"].split(),
                             ["none"] + PLACES[:6] + ["place_6", "onward"])
            self.assertEqual(ds.event_kind_index.attrs["flag_meanings"].split()[1], "return")

    def test_xarray_netcdf4_groups(self):
        self.check_groups("netcdf4")
        self.check_observables_and_parameters("netcdf4")
        self.check_events("netcdf4")

    @needs(has_module("h5netcdf"), "h5netcdf (python3-h5netcdf)")
    def test_xarray_h5netcdf(self):
        self.check_groups("h5netcdf")
        self.check_observables_and_parameters("h5netcdf")
        self.check_events("h5netcdf")

    def test_netcdf4_sees_unlimited_event_dimension(self):
        import netCDF4

        with netCDF4.Dataset(self.path) as nc:
            self.assertEqual(nc.file_format, "NETCDF4")
            events = nc.groups["events"]
            self.assertTrue(events.dimensions["event"].isunlimited())
            self.assertEqual(len(events.dimensions["event"]), EVENTS)
            self.assertEqual(nc.groups["daily"]["stock"].dimensions,
                             ("time", "agent_type", "region"))

    def test_empty_run_opens_everywhere(self):
        with xr.open_dataset(self.empty, group="observables") as ds:
            self.assertEqual(ds.sizes["observable"], 0)
        with xr.open_dataset(self.empty, group="provenance") as ds:
            self.assertEqual(ds.sizes["parameter"], 0)
        with xr.open_dataset(self.empty, group="events") as ds:
            self.assertEqual(ds.sizes["event"], 10)
            # Without run coordinates the fixed vocabularies still label the flags.
            self.assertEqual(ds.event_kind_index.attrs["flag_meanings"].split()[0], "entry")

    # Command-line tools.

    @needs(shutil.which("ncdump"), "ncdump (netcdf-bin)")
    def test_ncdump(self):
        header = subprocess.run(["ncdump", "-h", self.path], check=True, capture_output=True,
                                text=True).stdout
        self.assertIn("event = UNLIMITED ; // (150000 currently)", header)
        self.assertIn("double stock(time, agent_type, region) ;", header)
        self.assertIn("int region(region) ;", header)
        self.assertIn("string region_name(region) ;", header)
        self.assertIn('stock:coordinates = "agent_type_name region_name" ;', header)
        self.assertIn(':Conventions = "CF-1.8" ;', header)
        # Reading every value, strings included, as ncdump does without -h.
        for path in (self.path, self.empty):
            subprocess.run(["ncdump", path], check=True, stdout=subprocess.DEVNULL)

    @needs(shutil.which("h5dump"), "h5dump (hdf5-tools)")
    def test_h5dump(self):
        subprocess.run(["h5dump", "-H", self.path], check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    unittest.main(verbosity=2)
