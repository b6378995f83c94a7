"""`khorgos batch` from the outside: its run files equal `khorgos run`'s, a
batch killed with SIGKILL and resumed ends with the same files as an
uninterrupted one, an MPI batch equals a single-process one, bad batch files
stop before any run with exit code 2, failing runs are recorded, and the
sampling designs have the documented rows.

"Equal files" means equal data: every dataset (NaN equal to NaN) and every
attribute except those that record when or how a run was started
(start_time, end_time, history, command_line, counter_seconds), compared with
h5py. The batch's own CSV files must be byte-identical, and its summary file
equal in every dataset and attribute (it records no time)."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from dependencies import needs  # noqa: E402

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = os.path.join(HERE, "two_by_three.toml")
MPIRUN = os.environ.get("KHORGOS_MPIRUN", "")
TIME_ATTRIBUTES = {"start_time", "end_time", "history", "command_line", "counter_seconds"}


def khorgos(*args, **kwargs):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, **kwargs)


def batch(out, *options, batch_file=BATCH):
    done = khorgos("batch", batch_file, "--out", out, *options)
    if done.returncode != 0:
        raise RuntimeError(f"khorgos batch failed ({done.returncode}): {done.stderr}")
    return done


def h5_contents(path, skip=frozenset()):
    """Every dataset and attribute of a file, keyed by path, for comparison."""
    out = {}
    with h5py.File(path, "r") as f:
        def attributes(name, obj):
            for key, value in obj.attrs.items():
                if key in skip or key in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue
                out[f"{name}@{key}"] = value
        attributes("/", f)

        def visit(name, obj):
            attributes(name, obj)
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def assert_same(test, a, b, skip=frozenset()):
    x, y = h5_contents(a, skip), h5_contents(b, skip)
    test.assertEqual(sorted(x), sorted(y), f"{a} and {b} hold different objects")
    for key in x:
        u, v = np.asarray(x[key]), np.asarray(y[key])
        if u.dtype.kind == "f":
            test.assertTrue(np.array_equal(u, v, equal_nan=True), f"{key} differs: {a} vs {b}")
        else:
            test.assertTrue(np.array_equal(u, v), f"{key} differs: {a} vs {b}")


def assert_same_batch(test, a, b):
    """Two batch directories hold the same files (data-equal run files)."""
    def files(root):
        return sorted(os.path.relpath(os.path.join(d, f), root)
                      for d, _, names in os.walk(root) for f in names)
    test.assertEqual(files(a), files(b))
    for name in files(a):
        pa, pb = os.path.join(a, name), os.path.join(b, name)
        if name.startswith("runs/"):
            assert_same(test, pa, pb, TIME_ATTRIBUTES)
        elif name == "summary.h5":
            assert_same(test, pa, pb)
        else:
            with open(pa, "rb") as fa, open(pb, "rb") as fb:
                test.assertEqual(fa.read(), fb.read(), f"{name} differs")


def manifest(directory):
    with open(os.path.join(directory, "runs.csv")) as f:
        return list(csv.DictReader(f))


class Batch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-batch-")
        cls.reference = os.path.join(cls.dir, "reference")
        batch(cls.reference, "--jobs", "2")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_runs_equal_khorgos_run(self):
        rows = manifest(self.reference)
        self.assertEqual(len(rows), 6)
        self.assertEqual({r["scenario"] for r in rows}, {"historical", "visa_free_continues"})
        # Replicate r has the same seed in every scenario (paired differences).
        seeds = {(r["scenario"], r["replicate"]): r["seed"] for r in rows}
        for r in range(3):
            self.assertEqual(seeds[("historical", str(r))], seeds[("visa_free_continues", str(r))])
        self.assertEqual(len({r["seed"] for r in rows}), 3)
        for row in rows:
            self.assertEqual(row["status"], "ok")
            mine = os.path.join(self.reference, row["path"])
            with h5py.File(mine, "r") as f:
                scenario = f.attrs["scenario_path"]
                scenario = scenario.decode() if isinstance(scenario, bytes) else scenario
            single = os.path.join(self.dir, f"single-{row['run']}.h5")
            done = khorgos("run", scenario, "--seed", row["seed"], "--scale", "20",
                           "--threads", "1", "--out", single, "--quiet", cwd=HERE)
            self.assertEqual(done.returncode, 0, done.stderr)
            assert_same(self, mine, single, TIME_ATTRIBUTES)

    def test_summary(self):
        with h5py.File(os.path.join(self.reference, "summary.h5"), "r") as f:
            self.assertEqual(f.attrs["khorgos_format"].decode()
                             if isinstance(f.attrs["khorgos_format"], bytes)
                             else f.attrs["khorgos_format"], "khorgos-batch")
            labels = [x.decode() for x in f["condition_name"][()]]
            self.assertEqual(labels, ["historical", "visa_free_continues"])
            value = f["observables/value"][()]
            self.assertEqual(value.shape[:2], (2, 4))
            ids = [x.decode() for x in f["observable_name"][()]]
            # The mean and quantiles agree with the runs' own observables.
            with open(os.path.join(self.reference, "outputs.csv")) as o:
                rows = [r for r in csv.DictReader(o) if r["scenario"] == "historical"]
            for k, name in enumerate(ids):
                x = np.array([float(r[name]) for r in rows])
                self.assertAlmostEqual(value[0, 0, k], x.mean(), delta=1e-9 * max(1, abs(x.mean())))
                self.assertAlmostEqual(value[0, 2, k], np.quantile(x, 0.5),
                                       delta=1e-9 * max(1, abs(x.mean())))
            diff = f["observables/value_difference"][()]
            cf = [r for r in csv.DictReader(open(os.path.join(self.reference, "outputs.csv")))
                  if r["scenario"] == "visa_free_continues"]
            k = 0
            d = np.array([float(c[ids[k]]) - float(h[ids[k]]) for c, h in zip(cf, rows)])
            self.assertAlmostEqual(diff[0, 0, k], d.mean(), delta=1e-9 * max(1, abs(d.mean())))
            self.assertEqual(list(f["replicates/succeeded"][()]), [3, 3])
            self.assertEqual(f["daily/stock"].shape[:2], (2, 4))

    def test_resume_after_sigkill(self):
        for attempt, wait_for in enumerate((2, 5)):
            out = os.path.join(self.dir, f"killed-{attempt}")
            process = subprocess.Popen([BINARY, "batch", BATCH, "--out", out, "--jobs", "1"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 60
            while time.time() < deadline and process.poll() is None:
                runs = os.path.join(out, "runs")
                done = sum(len([n for n in files if n.endswith(".h5") and not n.startswith(".")])
                           for _, _, files in os.walk(runs))
                if done >= wait_for:
                    break
                time.sleep(0.02)
            self.assertIsNone(process.poll(), "the batch ended before it could be killed")
            process.send_signal(signal.SIGKILL)
            process.wait()
            # The kill landed mid-batch: the process died of it with runs still to do.
            self.assertEqual(process.returncode, -signal.SIGKILL)
            self.assertFalse(os.path.exists(os.path.join(out, "summary.h5")))
            # Without --resume an interrupted batch is not overwritten.
            refused = khorgos("batch", BATCH, "--out", out)
            self.assertEqual(refused.returncode, 2)
            self.assertIn("--resume", refused.stderr)
            resumed = batch(out, "--resume", "--jobs", "2")
            self.assertIn("6 of 6 runs ok", resumed.stdout)
            assert_same_batch(self, self.reference, out)

    @needs(MPIRUN, "MPI (openmpi-bin, libopenmpi-dev: khorgos is built with MPI where found)")
    def test_mpi_equals_single_process(self):
        out = os.path.join(self.dir, "mpi")
        done = subprocess.run([MPIRUN, "-np", "2", "--oversubscribe", "--allow-run-as-root",
                               BINARY, "batch", BATCH, "--out", out],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        # Both ranks ran some of the six runs (not one rank, nor two single-process batches).
        line = [l for l in done.stdout.splitlines() if l.startswith("runs per MPI rank:")]
        self.assertEqual(len(line), 1, done.stdout)
        by_rank = [int(n) for n in line[0].split(":")[1].split()]
        self.assertEqual(len(by_rank), 2, line)
        self.assertEqual(sum(by_rank), 6, line)
        self.assertTrue(all(n > 0 for n in by_rank), f"a rank did no run: {line}")
        assert_same_batch(self, self.reference, out)


class BadBatchFiles(unittest.TestCase):
    def test_each_bad_file(self):
        bad = os.path.join(HERE, "bad")
        names = sorted(n for n in os.listdir(bad) if n.endswith(".toml"))
        self.assertGreaterEqual(len(names), 5)
        for name in names:
            with open(os.path.join(bad, name)) as f:
                expected = f.readline().split("# expect:", 1)[1].strip()
            out = tempfile.mkdtemp(prefix="khorgos-bad-")
            target = os.path.join(out, "never")
            with self.subTest(name):
                for command in (["batch", name, "--out", target], ["check", name]):
                    done = khorgos(*command, cwd=bad)
                    self.assertEqual(done.returncode, 2, done.stderr)
                    self.assertIn(expected, done.stderr)
                    # file:line:column: names where the problem is
                    self.assertRegex(done.stderr, r"\.(toml|csv):\d+:\d+: key '")
                self.assertFalse(os.path.exists(target), "a run started despite the bad file")
            shutil.rmtree(out)


class Designs(unittest.TestCase):
    """Small batches at scale 200 with one replicate: designs, failures, outputs."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="khorgos-design-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, text, replicates=1):
        path = os.path.join(self.dir, "batch.toml")
        with open(path, "w") as f:
            f.write(f"""[batch]
replicates = {replicates}
seed = 7
scale = 200
keep = ["observables"]

[[scenario]]
id = "historical"
file = "{os.path.join(SOURCE, 'scenarios', 'historical.toml')}"

{text}""")
        return path

    def test_failing_run_is_recorded_and_others_go_on(self):
        path = self.write("""[variation]
method = "grid"
[[variation.parameter]]
name = "policy.labour_quota_factor"
values = [1, 500, 0]
""")
        out = os.path.join(self.dir, "out")
        done = khorgos("batch", path, "--out", out)
        self.assertEqual(done.returncode, 1, done.stderr)
        rows = manifest(out)
        self.assertEqual([r["status"] for r in rows], ["ok", "failed", "ok"])
        self.assertIn("policy.labour_quota_factor", rows[1]["error"])
        self.assertIn("must be between 0 and 100", rows[1]["error"])
        self.assertEqual(rows[1]["policy.labour_quota_factor"], "500")
        with open(os.path.join(SOURCE, "scenarios", "historical.toml"), "rb") as f:
            in_file = tomllib.load(f)["parameters"]["trader.new_traders_per_year"]
        self.assertEqual(float(rows[0]["trader.new_traders_per_year"]), in_file)  # fixed, from the scenario
        with h5py.File(os.path.join(out, "summary.h5"), "r") as f:
            self.assertEqual(list(f["replicates/succeeded"][()]), [1, 0, 1])
            self.assertTrue(np.isnan(f["observables/value"][1]).all())

    def test_saltelli_rows_follow_salib(self):
        path = self.write("""[variation]
method = "saltelli"
samples = 2
[[variation.parameter]]
name = "trader.new_traders_per_year"
lower = 2191.5
upper = 21915
[[variation.parameter]]
name = "visitor.entries_per_year"
lower = 3652.5
upper = 36525
""")
        done = khorgos("check", path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("12 variations", done.stdout)  # N * (2D + 2) = 2 * 6
        out = os.path.join(self.dir, "out")
        batch(out, batch_file=path)
        x = np.loadtxt(os.path.join(out, "variations.csv"), delimiter=",", skiprows=1)
        self.assertEqual(x.shape, (12, 2))
        for i in range(2):
            a, ab1, ab2, ba1, ba2, b = x[6 * i:6 * i + 6]
            np.testing.assert_array_equal(ab1, [b[0], a[1]])
            np.testing.assert_array_equal(ab2, [a[0], b[1]])
            np.testing.assert_array_equal(ba1, [a[0], b[1]])
            np.testing.assert_array_equal(ba2, [b[0], a[1]])
        with open(os.path.join(out, "problem.txt")) as f:
            self.assertEqual(f.read().split(), ["trader.new_traders_per_year", "2191.5", "21915",
                                                "visitor.entries_per_year", "3652.5", "36525"])
        outputs = list(csv.DictReader(open(os.path.join(out, "outputs.csv"))))
        self.assertEqual(len(outputs), 12)
        self.assertIn("nsc_visitors_cn@2010", outputs[0])

    def test_saltelli_sensitivity_indices(self):
        """The Sobol indices of summary.h5, sensitivity.csv and --json are the
        estimators' formulas (batch/sobol.hpp) applied to outputs.csv, each
        variation averaged over its replicates."""
        path = self.write("""[variation]
method = "saltelli"
samples = 3
second_order = false
[[variation.parameter]]
name = "visitor.entries_per_year"
lower = 3652.5
upper = 36525
[[variation.parameter]]
name = "labourer.entries_per_year"
lower = 365.25
upper = 1461
""", replicates=2)
        out = os.path.join(self.dir, "out")
        done = khorgos("batch", path, "--out", out, "--json")
        self.assertEqual(done.returncode, 0, done.stderr)
        report = json.loads(done.stdout)["sensitivity"]
        self.assertEqual(report["resamples"], 1000)
        outputs = np.genfromtxt(os.path.join(out, "outputs.csv"), delimiter=",", names=True,
                                dtype=None, encoding="utf-8")
        names = list(outputs.dtype.names)
        with open(os.path.join(out, "sensitivity.csv")) as f:
            table = list(csv.DictReader(f))
        with h5py.File(os.path.join(out, "summary.h5"), "r") as f:
            group = f["sensitivity"]
            labels = [x.decode() for x in group["observable_name"][()]]
            first, total = group["first_order"][()], group["total"][()]
            self.assertEqual([x.decode() for x in group["parameter_name"][()]],
                             ["visitor.entries_per_year", "labourer.entries_per_year"])
            self.assertEqual(list(group["base_samples"][0]), [3] * len(labels))
        self.assertEqual(len(table), len(labels) * 2 * 2)
        self.assertEqual(len(report["indices"]), len(labels) * 2)
        checked = 0
        for o, label in enumerate(labels):
            column = names[5 + o]  # genfromtxt's name for the column of label
            y = outputs[column].reshape(3 * 4, 2).mean(axis=1).reshape(3, 4)
            a, ab, b = y[:, 0], y[:, 1:3], y[:, 3]
            variance = np.var(np.r_[a, b])
            if variance == 0:
                self.assertTrue(np.isnan(first[0, :, 0, o]).all())
                continue
            s1 = (b[:, None] * (ab - a[:, None])).mean(axis=0) / variance
            st = 0.5 * ((a[:, None] - ab) ** 2).mean(axis=0) / variance
            np.testing.assert_allclose(first[0, :, 0, o], s1, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(total[0, :, 0, o], st, rtol=1e-12, atol=1e-15)
            for p in range(2):
                rows = [r for r in table if r["observable"] == label
                        and r["parameter"] == ["visitor.entries_per_year",
                                               "labourer.entries_per_year"][p]]
                self.assertEqual([r["index"] for r in rows], ["first", "total"])
                self.assertEqual(float(rows[0]["estimate"]), first[0, p, 0, o])
                self.assertEqual(float(rows[1]["q95"]), total[0, p, 2, o])
                entry = report["indices"][2 * o + p]
                self.assertEqual(entry["observable"], label)
                self.assertEqual(entry["total"]["estimate"], total[0, p, 0, o])
                self.assertLessEqual(entry["first"]["q05"], entry["first"]["q95"])
            checked += 1
        self.assertGreater(checked, 5)

    def test_counterfactual_on_an_uninformed_parameter_says_so(self):
        """[sensitivity] and `deciding`: the rule (informed when the total
        index reaches the threshold on some judged figure) and where it shows."""
        table = os.path.join(self.dir, "sensitivity.csv")
        with open(table, "w") as f:
            f.write("scenario,observable,parameter,index,estimate,q05,q95,sd,base_samples\n"
                    "h,a@1,policy.visa_free_multiplier,total,0.04,0,0.1,0.01,64\n"
                    "h,b@1,policy.visa_free_multiplier,first,0.5,0,0.1,0.01,64\n"
                    "h,b@1,policy.visa_free_multiplier,total,0.3,0.2,0.4,0.01,64\n")
        visa = os.path.join(SOURCE, "scenarios", "counterfactuals", "visa_free_continues.toml")
        for figures, informed in (('["a@1"]', False), ('["a@1", "b@1"]', True)):
            path = self.write(f"""[sensitivity]
table = "sensitivity.csv"
threshold = 0.05
figures = {figures}

[[scenario]]
id = "visa"
file = "{visa}"
deciding = ["policy.visa_free_multiplier"]
""")
            out = os.path.join(self.dir, f"out-{informed}")
            done = khorgos("batch", path, "--out", out)
            self.assertEqual(done.returncode, 0, done.stderr)
            note = "visa: no figure informs policy.visa_free_multiplier (largest total " \
                   "Sobol index 0.04, on a@1, below 0.05"
            self.assertEqual(note in done.stdout, not informed, done.stdout)
            with h5py.File(os.path.join(out, "summary.h5"), "r") as f:
                self.assertEqual(list(f["deciding/informed"][()]), [1.0 if informed else 0.0])
            shutil.rmtree(out)
            done = khorgos("batch", path, "--out", out, "--json")
            deciding = json.loads(done.stdout)["deciding"]
            self.assertEqual(deciding, [{"scenario": "visa",
                                         "parameter": "policy.visa_free_multiplier",
                                         "informed": informed,
                                         "largest_total_index": 0.3 if informed else 0.04,
                                         "figure": "b@1" if informed else "a@1"}])

    def test_latin_hypercube_strata(self):
        path = self.write("""[variation]
method = "latin_hypercube"
samples = 5
[[variation.parameter]]
name = "trader.new_traders_per_year"
lower = 0
upper = 21915
""")
        out = os.path.join(self.dir, "out")
        batch(out, batch_file=path)
        x = np.loadtxt(os.path.join(out, "variations.csv"), delimiter=",", skiprows=1)
        self.assertEqual(sorted((x / 4383).astype(int)), [0, 1, 2, 3, 4])

    def test_design_matrix_rows_in_order(self):
        design = os.path.join(self.dir, "design.csv")
        with open(design, "w") as f:
            f.write("policy.labour_quota_factor,trader.new_traders_per_year\n0,10957.5\n2,10957.5\n"
                    "1,21915\n1,10957.5\n")
        path = self.write('[variation]\nmethod = "design"\nfile = "design.csv"\n')
        out = os.path.join(self.dir, "out")
        batch(out, batch_file=path)
        rows = manifest(out)
        self.assertEqual([r["policy.labour_quota_factor"] for r in rows], ["0", "2", "1", "1"])
        self.assertEqual([r["trader.new_traders_per_year"] for r in rows],
                         ["10957.5", "10957.5", "21915", "10957.5"])
        outputs = list(csv.DictReader(open(os.path.join(out, "outputs.csv"))))
        self.assertEqual([r["variation"] for r in outputs], ["0", "1", "2", "3"])
        # No quota, no quota workers; twice the quota, at least as many as once
        # (rows 1 and 3 differ only in the quota and share the replicate seed).
        workers = [float(r["labour_quota_cn@2010"]) for r in outputs]
        self.assertEqual(workers[0], 0)
        self.assertGreater(workers[3], 0)
        self.assertGreaterEqual(workers[1], workers[3])
        with open(os.path.join(out, "problem.txt")) as f:
            self.assertEqual(f.readline().split(), ["policy.labour_quota_factor", "0", "100"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
