"""The real `khorgos run` from the outside: the file it writes opens in xarray
and the khorgos package with the engine's dimensions, it refuses to overwrite without
--force, and its event log does not depend on the thread count."""

import os
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np
import xarray as xr

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
SCENARIO = os.path.join(SOURCE, "scenarios", "historical.toml")
import khorgos
from khorgos.run import EVENT_COLUMNS


def run(out, *options):
    return subprocess.run([BINARY, "run", SCENARIO, "--out", out, "--scale", "100", "--quiet",
                           *options], capture_output=True, text=True)


class KhorgosRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-run-")
        cls.path = os.path.join(cls.dir, "run.h5")
        done = run(cls.path, "--events", "--seed", "3", "--threads", "2")
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        cls.stdout = done.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_prints_the_path_and_leaves_only_the_file(self):
        self.assertEqual(self.stdout.strip(), os.path.abspath(self.path))
        self.assertEqual(os.listdir(self.dir), ["run.h5"])

    def test_series_in_xarray(self):
        with xr.open_dataset(self.path, group="daily") as daily:
            self.assertEqual(daily.stock.dims, ("time", "agent_type", "region"))
            self.assertEqual(daily.stock.attrs["units"], "1")
            # A step is stored at its end, the instant of its stocks.
            self.assertEqual(daily.time.values[0], np.datetime64("1990-01-02"))
            self.assertEqual(daily.time_bnds.values[0, 0], np.datetime64("1990-01-01"))
            self.assertEqual(daily.flow.dims, ("time", "agent_type", "crossing", "direction"))
            self.assertIn("khorgos", list(daily.crossing_name.values))
            self.assertGreater(float(daily.stock.sum()), 0)
        with xr.open_dataset(self.path, group="yearly") as yearly:
            self.assertEqual(int(yearly.year.dt.year[0]), 1990)
            self.assertEqual(yearly.year.values[0], np.datetime64("1990-01-01"))

    def test_observables_provenance_and_events(self):
        with khorgos.open_run(self.path) as r:
            self.assertIn(("nsc_visitors_cn", "2010"), r.observables())
            provenance = r.provenance()
            self.assertEqual((provenance["seed"], provenance["scale"], provenance["threads"]),
                             (3, 100.0, 2))
            self.assertIn('name = "historical"', provenance["scenario_text"])
            self.assertTrue(provenance["parameters"])
            self.assertEqual(r.event_count(), provenance["counter_events"])
            places = len(r.coordinates()["place"])
            kinds = len(r.coordinates()["event_kind"])
            for batch in r.events():
                self.assertTrue(np.all(batch["to_place_index"] < places))
                self.assertTrue(np.all(batch["event_kind_index"] < kinds))
        with xr.open_dataset(self.path, group="events") as events:
            days = events.day.values  # decoded from "days since 1990-01-01"
            self.assertGreater(len(days), 0)
            self.assertGreaterEqual(days.min(), np.datetime64("1990-01-01"))
            self.assertLessEqual(days.max(), np.datetime64("2021-12-31"))
            self.assertTrue(np.all(np.diff(days) >= np.timedelta64(0)))  # in step order

    def test_event_log_adds_up_to_the_flows(self):
        # Entries, returns, onward exits and naturalisations of the log, counted
        # per step, type and crossing, equal the aggregate series exactly.
        with khorgos.open_run(self.path) as r:
            scale = r.provenance()["scale"]
            flow = r.array("flow", "daily")          # [time, type, crossing, direction]
            onward = r.array("onward_exit", "daily")  # [time, type]
            starts = r.bounds("time", dates=False)[:, 0]  # the steps' first days
            kinds = list(r.coordinates()["event_kind"])
            counted = np.zeros_like(flow)
            counted_onward = np.zeros_like(onward)
            entry, leave = kinds.index("entry"), kinds.index("onward_exit")
            home = [kinds.index("return"), kinds.index("regret_return")]
            for batch in r.events():
                step = np.searchsorted(starts, batch["day"], side="right") - 1
                kind = batch["event_kind_index"]
                kind_type = batch["agent_type_index"]
                crossing = batch["crossing_index"]
                sel = kind == entry
                np.add.at(counted, (step[sel], kind_type[sel], crossing[sel], 0), scale)
                sel = np.isin(kind, home)
                np.add.at(counted, (step[sel], kind_type[sel], crossing[sel], 1), scale)
                sel = kind == leave
                np.add.at(counted_onward, (step[sel], kind_type[sel]), scale)
            self.assertGreater(counted.sum(), 0)
            np.testing.assert_array_equal(counted, flow)
            np.testing.assert_array_equal(counted_onward, onward)

    def test_no_clobber_without_force(self):
        with open(self.path, "rb") as f:
            before = f.read()
        done = run(self.path)
        self.assertEqual(done.returncode, 2)
        self.assertIn("--force", done.stderr)
        with open(self.path, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_file_and_event_log_independent_of_threads(self):
        # The busy test scenario has thousands of events a step, so 2 threads
        # take the parallel path (counted in the file); every dataset and the
        # event log must equal the 1-thread run's.
        busy = os.path.join(SOURCE, "tests", "data", "busy.toml")
        paths = {}
        for threads in ("1", "2"):
            paths[threads] = os.path.join(self.dir, f"busy{threads}.h5")
            done = subprocess.run([BINARY, "run", busy, "--out", paths[threads], "--events",
                                   "--seed", "3", "--threads", threads, "--quiet"],
                                  capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
        with khorgos.open_run(paths["1"]) as a, khorgos.open_run(paths["2"]) as b:
            self.assertEqual(a.provenance()["counter_parallel_steps"], 0)
            self.assertGreater(b.provenance()["counter_parallel_steps"], 0)
            self.assertEqual(a.event_count(), b.event_count())
            for x, y in zip(a.events(), b.events()):
                for name in EVENT_COLUMNS:
                    np.testing.assert_array_equal(x[name], y[name], err_msg=name)
        with h5py.File(paths["1"], "r") as a, h5py.File(paths["2"], "r") as b:
            names = []
            a.visititems(lambda name, obj: names.append(name)
                         if isinstance(obj, h5py.Dataset) else None)
            self.assertGreater(len(names), 20)
            for name in names:
                if name.startswith("provenance"):
                    continue  # wall times and the thread count differ by design
                np.testing.assert_array_equal(a[name][...], b[name][...], err_msg=name)
        for path in paths.values():
            os.remove(path)


if __name__ == "__main__":
    unittest.main(verbosity=2)
