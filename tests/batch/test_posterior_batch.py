"""A batch that draws each replicate's parameters from a posterior file
(`[batch] posterior`), and the paired effects it reports (`[batch] effects`):
- the same files with --jobs 1, --jobs 2, and after a SIGKILL and --resume;
- replicate r of every scenario runs what `khorgos run --posterior FILE --seed S`
  runs with replicate r's seed: the drawn values are in the run's provenance
  and the manifest, and the observables are equal;
- a counterfactual with a known effect (no quota workers: its quota count is
  0, so its paired effect is minus the baseline's, draw by draw) reports the
  statistics of exactly those effects, and says the interval holds parameter
  and stochastic uncertainty.
The posterior comes from a short `khorgos calibrate` made by the test.
"""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_batch import BINARY, SOURCE, assert_same_batch, khorgos, manifest  # noqa: E402

SHORT = os.path.join(SOURCE, "tests", "calibration", "short_history.toml")
REPLICATES = 12
FIGURE = "labour_quota_cn@2004"


def observables(path):
    with h5py.File(path, "r") as f:
        group = f["observables"]
        ids = [x.decode() for x in group["id"][()]]
        periods = [x.decode() for x in group["period"][()]]
        return dict(zip((f"{i}@{p}" for i, p in zip(ids, periods)), group["value"][()]))


def provenance(path):
    with h5py.File(path, "r") as f:
        names = [x.decode() for x in f["provenance/parameter_name"][()]]
        return dict(zip(names, f["provenance/parameter_value"][()]))


class PosteriorBatch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-posterior-batch-")
        config = os.path.join(cls.dir, "calibration.toml")
        with open(config, "w") as f:
            f.write(f"""[calibration]
scenario = "{SHORT}"
targets = "{os.path.join(SOURCE, 'calibration', 'targets', 'article.toml')}"
scale = 200
seed = 5
fit_targets = ["nsc_visitors_cn@2000", "labour_quota_cn@2004"]

[[parameter]]
name = "visitor.entries_per_year"
prior = "log_uniform"
lower = 3652.5
upper = 36525

[[parameter]]
name = "labourer.entries_per_year"
prior = "log_uniform"
lower = 365.25
upper = 3652.5

[abc]
particles = 10
max_generations = 1
quantile = 0.7
min_acceptance = 0.0
start = "fit"
predictive_draws = 10

[fit]
max_evaluations = 4
""")
        cls.posterior = os.path.join(cls.dir, "posterior.h5")
        done = khorgos("calibrate", config, "--out", cls.posterior, "--quiet")
        if done.returncode != 0:
            raise AssertionError(done.stderr)
        with h5py.File(cls.posterior, "r") as f:
            generations = f["generations"]
            last = generations[sorted(generations)[-1]]
            cls.particles = last["particles"][()]
            cls.names = [x.decode() for x in f["parameters/names"][()]]
        with open(os.path.join(cls.dir, "no_quota.toml"), "w") as f:
            f.write(f'extends = "{SHORT}"\nname = "no-quota"\n\n'
                    "[parameters]\npolicy.labour_quota_factor = 0\n")
        cls.batch_file = os.path.join(cls.dir, "batch.toml")
        with open(cls.batch_file, "w") as f:
            f.write(f"""[batch]
replicates = {REPLICATES}
seed = 3
scale = 200
keep = ["observables"]
posterior = "posterior.h5"
effects = ["{FIGURE}", "nsc_visitors_cn@2000"]

[[scenario]]
id = "base"
file = "{SHORT}"

[[scenario]]
id = "no_quota"
file = "no_quota.toml"
""")
        cls.reference = os.path.join(cls.dir, "jobs1")
        cls.report = cls.run_batch(cls.reference, "--jobs", "1", "--json")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    @classmethod
    def run_batch(cls, out, *options):
        done = khorgos("batch", cls.batch_file, "--out", out, *options)
        if done.returncode != 0:
            raise AssertionError(done.stderr)
        return done.stdout

    def test_same_with_two_jobs_and_after_kill_and_resume(self):
        two = os.path.join(self.dir, "jobs2")
        self.run_batch(two, "--jobs", "2")
        assert_same_batch(self, self.reference, two)
        killed = os.path.join(self.dir, "killed")
        process = subprocess.Popen([BINARY, "batch", self.batch_file, "--out", killed,
                                    "--jobs", "1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and process.poll() is None:
            runs = os.path.join(killed, "runs")
            done = sum(len([n for n in files if n.endswith(".h5") and not n.startswith(".")])
                       for _, _, files in os.walk(runs))
            if done >= 3:
                break
            time.sleep(0.01)
        self.assertIsNone(process.poll(), "the batch ended before it could be killed")
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.assertEqual(process.returncode, -signal.SIGKILL)
        self.run_batch(killed, "--resume", "--jobs", "2")
        assert_same_batch(self, self.reference, killed)

    def test_runs_equal_run_posterior_and_record_the_draw(self):
        rows = manifest(self.reference)
        drawn = set()
        checked = 0
        for row in rows:
            path = os.path.join(self.reference, row["path"])
            values = provenance(path)
            theta = tuple(values[n] for n in self.names)
            # A particle of the posterior's last generation, the same in both
            # scenarios of the replicate, and in the manifest.
            self.assertTrue(any(np.array_equal(theta, p) for p in self.particles), theta)
            for name, value in zip(self.names, theta):
                self.assertEqual(float(row[name]), value)
            twin = [r for r in rows if r["replicate"] == row["replicate"]
                    and r["scenario"] != row["scenario"]][0]
            self.assertEqual(provenance(os.path.join(self.reference, twin["path"]))
                             [self.names[0]], theta[0])
            with h5py.File(path, "r") as f:
                self.assertIn(f"posterior draw {row['replicate']}: particle",
                              f.attrs["command_line"].decode())
            drawn.add(theta)
            if row["scenario"] != "base" or checked >= 2:
                continue
            checked += 1
            alone = os.path.join(self.dir, f"alone-{row['replicate']}.h5")
            done = khorgos("run", SHORT, "--posterior", self.posterior, "--seed", row["seed"],
                           "--scale", "200", "--threads", "1", "--quiet", "--out", alone)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(provenance(alone), values)
            a, b = observables(alone), observables(path)
            self.assertEqual(a.keys(), b.keys())
            for key in a:
                self.assertTrue(np.array_equal(a[key], b[key], equal_nan=True), key)
        self.assertEqual(checked, 2)
        # Replicates draw different particles (12 draws from 10 particles
        # with weights at most 0.25 all alike: probability below 1e-7).
        self.assertGreater(len(drawn), 1)

    def test_known_effect_and_its_interval(self):
        with open(os.path.join(self.reference, "outputs.csv")) as f:
            rows = list(csv.DictReader(f))
        base = np.array([float(r[FIGURE]) for r in rows if r["scenario"] == "base"])
        no_quota = np.array([float(r[FIGURE]) for r in rows if r["scenario"] == "no_quota"])
        np.testing.assert_array_equal(no_quota, 0)  # the known effect: minus the baseline
        effect = -base
        self.assertGreater(np.ptp(effect), 0)
        expected = [effect.mean(), *np.quantile(effect, [0.05, 0.5, 0.95])]
        with h5py.File(os.path.join(self.reference, "summary.h5"), "r") as f:
            group = f["effects"]
            self.assertEqual([x.decode() for x in group["effect_name"][()]],
                             [FIGURE, "nsc_visitors_cn@2000"])
            np.testing.assert_allclose(group["paired_effect"][0, :, 0], expected, rtol=1e-12)
            self.assertEqual(group["pairs"][0, 0], REPLICATES)
            self.assertIn("parameter and stochastic uncertainty",
                          group["paired_effect"].attrs["long_name"].decode())
        report = json.loads(self.report)["effects"]
        self.assertIn("parameter and stochastic uncertainty", report["uncertainty"])
        first = report["paired"][0]
        self.assertEqual((first["contrast"], first["figure"]), ("no_quota - base", FIGURE))
        self.assertEqual(first["pairs"], REPLICATES)
        self.assertLessEqual(first["q05"], first["q50"])
        self.assertLessEqual(first["q50"], first["q95"])
        self.assertAlmostEqual(first["q50"], expected[2])
        # The effect of each draw lies between the extremes of the draws'
        # effects, and its median within the 90% interval.
        self.assertTrue(first["q05"] <= np.median(effect) <= first["q95"])

    def test_plot_draws_the_effects(self):
        env = dict(os.environ, MPLBACKEND="Agg")
        env.pop("DISPLAY", None)
        out = os.path.join(self.dir, "plots")
        done = subprocess.run([sys.executable, "-m", "khorgos.plot", "batch", self.reference,
                               "--out", out], capture_output=True, text=True, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        for extension in ("png", "pdf"):
            self.assertGreater(os.path.getsize(os.path.join(out, f"effects.{extension}")), 1000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
