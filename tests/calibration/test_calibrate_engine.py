"""`khorgos calibrate` on the real engine, from the outside. Cheap on purpose:
the historical scenario cut at 2006 (tests/calibration/short_history.toml),
small scales and few particles, every calibration started from a point fit:

- parameter recovery: targets emitted by `khorgos run --emit-targets` from known
  parameters are calibrated; the true values lie in the 90% credible intervals,
  which are narrower than the prior's;
- a SIGKILL between generations, in the middle of one, or after the last one
  (during the posterior predictive), then `--resume`, ends with the file of an
  uninterrupted run (fit, generations and predictive, bit for bit);
- the same seed gives the same file with --jobs 1 and --jobs 2 (and 2 MPI ranks);
- `khorgos run --posterior` draws a particle by weight and records it;
- the calibrated scenario fragment is a valid scenario.
"""

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

from engine_calibration import (ARTICLE, BINARY, MPI_NEEDS, MPIEXEC, SCENARIO, calibrate,
                                calibrate_on_two_ranks, groups_in, needs, text,
                                weighted_quantile)



def calibration_file(path, targets, parameters, fit_targets, scale, particles, generations,
                     seed=5, fit_evaluations=15, predictive_draws=30, quantile=0.5,
                     scenario=SCENARIO):
    lines = ["[calibration]", f'scenario = "{scenario}"', f'targets = "{targets}"',
             f"scale = {scale}", f"seed = {seed}",
             "fit_targets = [" + ", ".join(f'"{t}"' for t in fit_targets) + "]", ""]
    for name, lower, upper in parameters:
        lines += ["[[parameter]]", f'name = "{name}"', 'prior = "log_uniform"',
                  f"lower = {lower}", f"upper = {upper}", ""]
    lines += ["[abc]", f"particles = {particles}", f"max_generations = {generations}",
              f"quantile = {quantile}",
              "min_acceptance = 0.0", 'start = "fit"', f"predictive_draws = {predictive_draws}",
              "", "[fit]", f"max_evaluations = {fit_evaluations}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def read(path):
    with h5py.File(path, "r") as f:
        gens = f["generations"]
        names = sorted(gens)
        last = gens[names[-1]]
        return {"n": len(names), "particles": last["particles"][...],
                "weights": last["weights"][...],
                "tolerances": [gens[g].attrs["tolerance"] for g in names],
                "names": [text(n) for n in f["parameters/names"][...]],
                "fit": f["fit/parameters"][...],
                "predictive": ({k: f["predictive"][k][...] for k in ("particle", "simulated")}
                               | {"generation": int(f["predictive"].attrs["generation"])}
                               if "predictive" in f else None)}


def stopped(path):
    """Whether ABC-SMC has finished in the file (the predictive may still be missing)."""
    try:
        with h5py.File(path, "r") as f:
            stopping = f.attrs.get("stopping")
            # An empty text attribute reads as h5py.Empty.
            return isinstance(stopping, (bytes, str)) and len(stopping) > 0
    except OSError:
        return False


def generation_seconds(path, generation):
    with h5py.File(path, "r") as f:
        return float(f["generations"][f"{generation:03d}"].attrs["seconds"])


class SmallCalibration(unittest.TestCase):
    """One parameter, a fit of 15 evaluations, 20 particles, 3 generations and 30
    predictive draws at scale 50 (~200 short simulations). It tests mechanics, not
    accuracy, so the tolerance falls slowly (quantile 0.7) and acceptance stays high."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-calib-")
        cls.config = os.path.join(cls.dir, "small.toml")
        calibration_file(cls.config, ARTICLE, [("visitor.entries_per_year", 365.25, 36525)],
                         ["nsc_visitors_cn@2000", "nsc_visitors_cn@2005"], scale=50, particles=20,
                         generations=3, quantile=0.7)
        cls.reference = os.path.join(cls.dir, "reference.h5")
        calibrate(cls.config, cls.reference, "--jobs", "2")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def assert_same_posterior(self, path):
        a, b = read(self.reference), read(path)
        self.assertEqual(a["n"], b["n"])
        np.testing.assert_array_equal(a["fit"], b["fit"])
        np.testing.assert_array_equal(a["particles"], b["particles"])
        np.testing.assert_array_equal(a["weights"], b["weights"])
        self.assertEqual(a["tolerances"], b["tolerances"])
        self.assertIsNotNone(b["predictive"])
        for key in ("particle", "simulated"):
            np.testing.assert_array_equal(a["predictive"][key], b["predictive"][key])

    def test_reference_has_fit_generations_and_predictive(self):
        r = read(self.reference)
        self.assertEqual(r["n"], 3)
        self.assertEqual(r["names"], ["visitor.entries_per_year"])
        self.assertAlmostEqual(float(np.sum(r["weights"])), 1.0)
        self.assertTrue(365.25 <= r["fit"][0] <= 36525)
        # Generation 0 came from around the fit and has a finite tolerance.
        self.assertTrue(np.isfinite(r["tolerances"][0]))
        p = r["predictive"]
        self.assertEqual(p["generation"], 2)
        self.assertEqual(len(p["particle"]), 30)
        # Fresh simulations, not the accepted ones: new seeds give values that
        # differ from those of the drawn particles' accepted simulations.
        with h5py.File(self.reference, "r") as f:
            accepted = f["generations/002/simulated"][...]
        drawn = accepted[p["particle"].astype(int)]
        self.assertFalse(np.array_equal(np.nan_to_num(drawn), np.nan_to_num(p["simulated"])))
        with open(self.reference[:-3] + "-report.txt") as f:
            report = f.read()
        self.assertIn("Started from a point fit", report)
        self.assertIn("30 fresh simulations", report)

    def test_one_job_equals_two(self):
        path = os.path.join(self.dir, "one-job.h5")
        calibrate(self.config, path, "--jobs", "1")
        self.assert_same_posterior(path)

    def kill_and_resume(self, name, when):
        """SIGKILL at `when`: "between" (as generation 0 is written), "mid" (half
        of generation 0's duration later, inside generation 1) or "predictive"
        (as ABC-SMC has stopped, before the predictive is written)."""
        path = os.path.join(self.dir, name)
        process = calibrate(self.config, path, "--jobs", "2", background=True)
        deadline = time.time() + 300
        ready = stopped if when == "predictive" else (lambda p: groups_in(p, "generations") >= 1)
        while not ready(path) and process.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        if when == "mid":
            time.sleep(0.5 * generation_seconds(path, 0))
        self.assertIsNone(process.poll(), "finished before it could be killed")
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        self.assertEqual(process.returncode, -signal.SIGKILL, "the kill came after the end")
        finished = groups_in(path, "generations")
        if when == "predictive":
            self.assertEqual(finished, 3)
            self.assertIsNone(read(path)["predictive"])
        else:
            self.assertGreaterEqual(finished, 1)
            self.assertLess(finished, 3)
        calibrate(self.config, path, "--jobs", "2", "--resume")
        self.assert_same_posterior(path)

    def test_resume_after_kill_between_generations(self):
        self.kill_and_resume("killed-between.h5", "between")

    def test_resume_after_kill_mid_generation(self):
        self.kill_and_resume("killed-mid.h5", "mid")

    def test_resume_after_kill_in_predictive(self):
        self.kill_and_resume("killed-predictive.h5", "predictive")

    @needs(MPIEXEC, MPI_NEEDS)
    def test_two_mpi_ranks_equal_one_process(self):
        path = os.path.join(self.dir, "mpi.h5")
        done = calibrate_on_two_ranks(self.config, path)
        self.assertEqual(done.returncode, 0, done.stderr)
        # One world of two ranks (not two single-process calibrations writing the
        # same file): proposals are split rank, rank + 2, ..., so rank 1 simulated.
        with open(os.path.join(self.dir, "mpi-report.txt")) as f:
            self.assertIn(" on 2 rank(s) x 1 job(s)", f.read())
        self.assert_same_posterior(path)

    def test_resume_refuses_another_calibration(self):
        other = os.path.join(self.dir, "other.toml")
        calibration_file(other, ARTICLE, [("visitor.entries_per_year", 365.25, 36525)],
                         ["nsc_visitors_cn"], scale=50, particles=20, generations=3, seed=6)
        copy = os.path.join(self.dir, "copy.h5")
        shutil.copy(self.reference, copy)
        done = subprocess.run([BINARY, "calibrate", other, "--out", copy, "--resume", "--quiet"],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("--resume", done.stderr)

    def test_run_with_posterior_draws_a_particle(self):
        r = read(self.reference)
        out = os.path.join(self.dir, "draw.h5")
        done = subprocess.run([BINARY, "run", SCENARIO, "--posterior", self.reference,
                               "--seed", "9", "--scale", "100", "--out", out],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("parameters drawn from particle", done.stdout)
        with h5py.File(out, "r") as f:
            names = [text(n) for n in f["provenance/parameter_name"][...]]
            values = f["provenance/parameter_value"][...]
        drawn = values[names.index("visitor.entries_per_year")]
        self.assertTrue(np.any(np.isclose(r["particles"][:, 0], drawn, rtol=1e-15, atol=0)))

    def test_run_shows_the_predictive_interval(self):
        """`run --predictive` sets the posterior file's predictive 90% interval
        beside each figure it has: in the table, and in --json equal to the
        file's lower90/upper90 of the same id and period."""
        with h5py.File(self.reference, "r") as f:
            ids = [text(x) for x in f["targets/id"][...]]
            periods = [text(x) for x in f["targets/period"][...]]
            lower, upper = f["predictive/lower90"][...], f["predictive/upper90"][...]
        out = os.path.join(self.dir, "with-predictive.h5")
        command = [BINARY, "run", SCENARIO, "--predictive", self.reference, "--scale", "100",
                   "--out", out, "--force"]
        table = subprocess.run(command, capture_output=True, text=True)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("predictive 90%", table.stdout)
        done = subprocess.run(command + ["--json"], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        shown = 0
        for row in json.loads(done.stdout)["observables"]:
            if "official" not in row:
                continue
            key = (row["id"], row["period"])
            if key in zip(ids, periods):
                i = list(zip(ids, periods)).index(key)
                if np.isfinite(lower[i]):
                    self.assertEqual(row["predictive_lower"], lower[i])
                    self.assertEqual(row["predictive_upper"], upper[i])
                    shown += 1
            else:
                self.assertIsNone(row["predictive_lower"])
        self.assertGreater(shown, 0)

    def test_run_refuses_a_posterior_without_predictive(self):
        path = os.path.join(self.dir, "no-predictive.h5")
        with h5py.File(self.reference, "r") as src, h5py.File(path, "w") as dst:
            for key, value in src.attrs.items():
                dst.attrs[key] = value
            for name in src:
                if name != "predictive":
                    src.copy(name, dst)
        done = subprocess.run([BINARY, "run", SCENARIO, "--predictive", path, "--scale", "100",
                               "--out", os.path.join(self.dir, "refused.h5")],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("--predictive", done.stderr)
        self.assertIn("no posterior predictive", done.stderr)

    def test_fragment_is_a_scenario(self):
        fragment = self.reference[:-3] + "-mean.toml"
        self.assertTrue(os.path.exists(fragment))
        done = subprocess.run([BINARY, "check", fragment], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)


class ParameterRecovery(unittest.TestCase):
    """Synthetic targets from known parameters; the truth inside the 90% intervals."""

    # 3e-5 and 6e-5 a day over the 1,000,000 potential visitors and the
    # 100,000 workers of the 1990 pools
    TRUTH = {"visitor.entries_per_year": 10957.5, "labourer.entries_per_year": 2191.5}

    def test_recovery(self):
        work = tempfile.mkdtemp(prefix="khorgos-recovery-")
        try:
            # Where China's part of the labour quota binds, the labour figures
            # are its places and no longer tell the labourers' hazard: truth
            # and calibration run with every quota a hundred times larger.
            scenario = os.path.join(work, "unbound.toml")
            with open(scenario, "w") as f:
                f.write(f'extends = "{SCENARIO}"\nname = "unbound"\n'
                        "[parameters]\npolicy.labour_quota_factor = 100\n")
            targets = os.path.join(work, "synthetic.toml")
            sets = [a for k, v in self.TRUTH.items() for a in ("--set", f"{k}={v}")]
            done = subprocess.run([BINARY, "run", scenario, "--scale", "50", "--seed", "11",
                                   "--threads", "1", "--quiet", "--out",
                                   os.path.join(work, "truth.h5"), "--emit-targets", targets,
                                   *sets], capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            config = os.path.join(work, "recovery.toml")
            calibration_file(config, targets,
                             [("visitor.entries_per_year", 365.25, 365250),
                              ("labourer.entries_per_year", 36.525, 36525)],
                             ["nsc_visitors_cn", "labour_quota_cn"], scale=50, particles=40,
                             generations=4, fit_evaluations=30, scenario=scenario)
            out = os.path.join(work, "posterior.h5")
            calibrate(config, out, "--jobs", "2")
            r = read(out)
            for j, name in enumerate(r["names"]):
                lo = weighted_quantile(r["particles"][:, j], r["weights"], 0.05)
                hi = weighted_quantile(r["particles"][:, j], r["weights"], 0.95)
                with self.subTest(parameter=name):
                    print(f"{name}: truth {self.TRUTH[name]:.3g}, fit {r['fit'][j]:.3g}, "
                          f"90% [{lo:.3g}, {hi:.3g}]", file=sys.stderr)
                    self.assertLessEqual(lo, self.TRUTH[name])
                    self.assertGreaterEqual(hi, self.TRUTH[name])
                    # ... and the data were informative: narrower than the prior's 90%.
                    self.assertLess(np.log(hi / lo), 0.9 * np.log(1e-3 / 1e-6))
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main()
