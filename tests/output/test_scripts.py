"""The Python package's run reader (khorgos.open_run) and `python3 -m
khorgos.plot run` on the synthetic run written by khorgos_write_synthetic
(tests/output/synthetic.hpp has the formulas). The package comes from
PYTHONPATH (the checkout's python/), as ctest sets it."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

import khorgos
from khorgos.run import days_to_dates

WRITER = os.environ["KHORGOS_WRITE_SYNTHETIC"]
# A run file of format 2, by the build before format 3 (tests/output/run_file_test.cpp).
FORMAT_2 = os.path.join(os.environ["KHORGOS_SOURCE_DIR"], "tests", "output", "data",
                        "run_format2.h5")
# Format 3 (labels in the coordinate variables themselves), by the build before format 4.
FORMAT_3 = os.path.join(os.environ["KHORGOS_SOURCE_DIR"], "tests", "output", "data",
                        "run_format3.h5")

EVENTS = 70_000

TARGETS = """
[[target]]
id = "nsc_visitors_cn"
period = "2010"
value = 134900
kind = "yearly_count"

[[target]]
id = "labour_quota_share"
period = "1995-01-01/2014-12-31"
value = 0.2
lower = 0.1
upper = 0.3

[[target]]
id = "only_official"
period = "2009-12-31"
value = 300000

[[target]]
id = "incomplete"
"""


class RunReader(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-scripts-")
        cls.path = os.path.join(cls.dir, "run.h5")
        subprocess.run([WRITER, cls.path, "--events", str(EVENTS)], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_series(self):
        with khorgos.open_run(self.path) as run:
            self.assertEqual(run.groups(), ["daily", "yearly", "totals"])
            self.assertEqual(run.variables("daily"), [("daily", "stock"), ("daily", "flow")])
            self.assertEqual(run.dims("flow"), ("time", "agent_type", "crossing", "direction"))
            stock = run.data_array("stock")
            self.assertEqual(stock.dims, ("time", "agent_type", "region"))
            self.assertEqual(stock.attrs["units"], "persons")
            self.assertEqual(stock.time.values[0], np.datetime64("2010-01-01"))
            self.assertEqual(float(stock.sel(agent_type="trader", region="zhetysu")[0]), 0.25)
            entries = run.array("entries", "yearly")
            np.testing.assert_array_equal(entries, 2000 + 0.25 * np.arange(10).reshape(2, 5))
            self.assertEqual(run.array("agents_created"), 4000)
            yearly = run.dataset("yearly")
            self.assertEqual(set(yearly.data_vars), {"entries", "naturalisations"})
            self.assertEqual(list(run.coordinates()["year"]), [2010, 2011])

    def test_time_cells(self):
        with khorgos.open_run(self.path) as run:
            self.assertNotIn("nv", run.coordinates())
            bounds = run.bounds("time")
            self.assertEqual(bounds.shape, (40, 2))
            np.testing.assert_array_equal(bounds[0], np.array(["2009-12-31", "2010-01-01"],
                                                              "datetime64[D]"))
            self.assertEqual(list(run.bounds("time", dates=False)[1]), [7305, 7306])
            self.assertIsNone(run.bounds("year"))
            self.assertEqual(run.attributes("stock")["cell_methods"], "time: point")
            self.assertEqual(run.dataset("daily").flow.attrs["cell_methods"], "time: sum")

    def test_reads_format_2(self):
        """A file of format 2: time at the start of the step, no bounds, units "persons"."""
        with khorgos.open_run(FORMAT_2) as run:
            self.assertEqual(run.version, 2)
            self.assertEqual(run.coordinate("time")[0], np.datetime64("2000-01-01"))
            self.assertIsNone(run.bounds("time"))
            self.assertEqual(list(run.coordinates()["year"]), [2000])
            self.assertEqual(run.data_array("stock").dims, ("time", "agent_type", "region"))
            self.assertNotIn("cell_methods", run.attributes("stock"))
            self.assertIn("persons", {o.units for o in run.observables().values()})

    def test_labels(self):
        # Format 4 stores positions in region(region) and the labels in
        # region_name(region); format 3 the labels in region(region): the
        # reader indexes both by the labels.
        with khorgos.open_run(self.path) as run:
            self.assertEqual(run.version, 4)
            self.assertEqual(list(run.coordinate("region")),
                             ["almaty", "zhetysu", "Алматы облысы"])
            self.assertEqual(run.coordinate_long_name("region"), "region of Kazakhstan")
            self.assertEqual(run.variables("daily"), [("daily", "stock"), ("daily", "flow")])
            self.assertEqual(list(run.dataset("daily").region.values),
                             ["almaty", "zhetysu", "Алматы облысы"])
        for path, version in ((FORMAT_3, 3), (FORMAT_2, 2)):
            with khorgos.open_run(path) as run:
                self.assertEqual(run.version, version)
                stock = run.data_array("stock")
                self.assertEqual(list(stock.region.values), ["city"])
                self.assertEqual(float(stock.sel(region="city", agent_type="visitor").sum()),
                                 float(run.array("stock")[:, 1, 0].sum()))
                self.assertEqual(run.coordinate_long_name("region"), "region of Kazakhstan")
                self.assertIn("visitor.base_hazard", run.parameters())

    def test_observables_and_provenance(self):
        with khorgos.open_run(self.path) as run:
            observables = run.observables()
            self.assertEqual(observables[("nsc_visitors_cn", "2010")].value, 134900)
            interval = observables[("labour_quota_share", "1995-01-01/2014-12-31")]
            self.assertEqual((interval.value, interval.units), (0.125, "1"))
            provenance = run.provenance()
            self.assertEqual(provenance["seed"], 2**64 - 8)
            self.assertEqual(provenance["threads"], 2)
            self.assertEqual(provenance["git_commit"], "0123456789ab")
            self.assertTrue(provenance["scenario_text"].startswith("# Хоргос"))
            self.assertEqual(provenance["counter_events"], 123456789012)
            self.assertEqual(provenance["parameters"]["trader_rate"], 0.25)

    def test_events_in_batches(self):
        with khorgos.open_run(self.path) as run:
            self.assertEqual(run.event_count(), EVENTS)
            batches = list(run.events(batch=30_000))
            self.assertEqual([len(b["day"]) for b in batches], [30_000, 30_000, 10_000])
            to = np.concatenate([b["to_place_index"] for b in batches])
            i = np.arange(EVENTS)
            np.testing.assert_array_equal(to, (i * 3) % 9 - 1)
            labels = run.event_labels("to_place_index", to[:3])
            self.assertEqual(list(labels), ["", "khorgos", "zhetysu"])
            self.assertEqual(list(run.event_labels("event_kind_index", [1, 7])),
                             ["return", "regret_return"])
            self.assertEqual(list(days_to_dates(batches[0]["day"][:1])),
                             [np.datetime64("2010-01-01")])

    def test_reads_format_1(self):
        """Files of format 1 (before UDUNITS units and the uint64 text twins) still open."""
        old = os.path.join(self.dir, "format1.h5")
        shutil.copy(self.path, old)
        with h5py.File(old, "r+") as f:
            f.attrs.modify("khorgos_format_version", np.int32(1))
            for name in [n for n in f.attrs if n.endswith("_text")]:
                del f.attrs[name]
        with khorgos.open_run(old) as run:
            self.assertEqual(run.version, 1)
            self.assertEqual(run.provenance()["seed"], 2**64 - 8)
            self.assertEqual(run.data_array("stock").dims, ("time", "agent_type", "region"))

    def test_refuses_other_files(self):
        foreign = os.path.join(self.dir, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["x"] = 1
        with self.assertRaises(khorgos.RunFileError):
            khorgos.open_run(foreign)
        text = os.path.join(self.dir, "text.h5")
        with open(text, "w") as f:
            f.write("not HDF5")
        with self.assertRaises(khorgos.RunFileError):
            khorgos.open_run(text)


class PlotRun(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="khorgos-plot-")
        self.path = os.path.join(self.dir, "run.h5")
        subprocess.run([WRITER, self.path], check=True)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def plot(self, *args):
        return subprocess.run([sys.executable, "-m", "khorgos.plot", "run", *args],
                              capture_output=True, text=True)

    def assert_figures(self, out, names):
        for name in names:
            with open(os.path.join(out, name + ".png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", name)
            with open(os.path.join(out, name + ".pdf"), "rb") as f:
                self.assertEqual(f.read(5), b"%PDF-", name)

    def test_with_targets(self):
        targets = os.path.join(self.dir, "targets.toml")
        with open(targets, "w") as f:
            f.write(TARGETS)
        out = os.path.join(self.dir, "plots")
        done = self.plot(self.path, "--out", out, "--targets", targets)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assert_figures(out, ["observables", "stocks", "flows"])
        self.assertIn("skipping a target", done.stderr)

    def test_default_output_directory_and_repository_targets(self):
        done = self.plot(self.path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assert_figures(os.path.join(self.dir, "run-plots"), ["observables", "stocks",
                                                                  "flows"])

    def test_format_2(self):
        out = os.path.join(self.dir, "format2-plots")
        done = self.plot(FORMAT_2, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assert_figures(out, ["observables", "stocks", "flows"])

    def test_run_without_series_or_observables(self):
        empty = os.path.join(self.dir, "empty.h5")
        subprocess.run([WRITER, empty, "--empty"], check=True)
        out = os.path.join(self.dir, "empty-plots")
        done = self.plot(empty, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("stocks not drawn", done.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "stocks.png")))

    def test_errors(self):
        self.assertEqual(self.plot(self.path, "--targets", "/nonexistent.toml").returncode, 2)
        text = os.path.join(self.dir, "text.h5")
        with open(text, "w") as f:
            f.write("not HDF5")
        self.assertEqual(self.plot(text).returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
