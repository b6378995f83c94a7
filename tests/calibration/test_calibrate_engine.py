"""`khorgos calibrate` on the real engine, from the outside (small scale, so the
whole file runs in a few minutes on 2 cores):

- parameter recovery: targets emitted by `khorgos run --emit-targets` from known
  parameters are calibrated; the true values lie in the 90% credible intervals;
- a SIGKILL between or in the middle of generations, then `--resume`, ends with
  the posterior of an uninterrupted run (bit for bit);
- the same seed gives the same posterior with --jobs 1 and --jobs 2 (and 2 MPI ranks);
- `khorgos run --posterior` draws a particle by weight and records it;
- the calibrated scenario fragment is a valid scenario.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import h5py
import numpy as np

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
SCENARIO = os.path.join(SOURCE, "scenarios", "historical.toml")
ARTICLE = os.path.join(SOURCE, "calibration", "targets", "article.toml")


def calibration_file(path, targets, parameters, fit_targets, scale, particles, generations,
                     seed=5):
    lines = ["[calibration]", f'scenario = "{SCENARIO}"', f'targets = "{targets}"',
             f"scale = {scale}", f"seed = {seed}",
             "fit_targets = [" + ", ".join(f'"{t}"' for t in fit_targets) + "]", ""]
    for name, lower, upper in parameters:
        lines += ["[[parameter]]", f'name = "{name}"', 'prior = "log_uniform"',
                  f"lower = {lower}", f"upper = {upper}", ""]
    lines += ["[abc]", f"particles = {particles}", f"max_generations = {generations}",
              "min_acceptance = 0.0"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def calibrate(config, out, *options, background=False):
    command = [BINARY, "calibrate", config, "--out", out, "--quiet", *options]
    if background:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(done.stderr + done.stdout)
    return done


def read(path):
    with h5py.File(path, "r") as f:
        gens = f["generations"]
        names = sorted(gens)
        last = gens[names[-1]]
        return {"n": len(names), "particles": last["particles"][...],
                "weights": last["weights"][...],
                "tolerances": [gens[g].attrs["tolerance"] for g in names],
                "names": [n.decode() if isinstance(n, bytes) else n
                          for n in f["parameters/names"][...]]}


def generations_in(path):
    try:
        with h5py.File(path, "r") as f:
            return len(f["generations"])
    except (OSError, KeyError):
        return 0


def weighted_quantile(values, weights, q):
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return values[order][np.searchsorted(cumulative, q * cumulative[-1])]


class SmallCalibration(unittest.TestCase):
    """One parameter, 20 particles, 3 generations at scale 50 (~100 simulations)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-calib-")
        cls.config = os.path.join(cls.dir, "small.toml")
        calibration_file(cls.config, ARTICLE, [("visitor.base_hazard", 1e-6, 1e-4)],
                         ["nsc_visitors_cn"], scale=50, particles=20, generations=3)
        cls.reference = os.path.join(cls.dir, "reference.h5")
        calibrate(cls.config, cls.reference, "--jobs", "2")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def assert_same_posterior(self, path):
        a, b = read(self.reference), read(path)
        self.assertEqual(a["n"], b["n"])
        np.testing.assert_array_equal(a["particles"], b["particles"])
        np.testing.assert_array_equal(a["weights"], b["weights"])
        self.assertEqual(a["tolerances"], b["tolerances"])

    def test_reference_has_three_generations(self):
        r = read(self.reference)
        self.assertEqual(r["n"], 3)
        self.assertEqual(r["names"], ["visitor.base_hazard"])
        self.assertAlmostEqual(float(np.sum(r["weights"])), 1.0)

    def test_one_job_equals_two(self):
        path = os.path.join(self.dir, "one-job.h5")
        calibrate(self.config, path, "--jobs", "1")
        self.assert_same_posterior(path)

    def kill_and_resume(self, name, delay):
        path = os.path.join(self.dir, name)
        process = calibrate(self.config, path, "--jobs", "2", background=True)
        deadline = time.time() + 300
        while generations_in(path) < 1 and process.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(delay)
        self.assertIsNone(process.poll(), "finished before it could be killed")
        process.send_signal(signal.SIGKILL)
        process.wait()
        finished = generations_in(path)
        self.assertGreaterEqual(finished, 1)
        self.assertLess(finished, 3)
        calibrate(self.config, path, "--jobs", "2", "--resume")
        self.assert_same_posterior(path)

    def test_resume_after_kill_between_generations(self):
        self.kill_and_resume("killed-between.h5", 0.0)

    def test_resume_after_kill_mid_generation(self):
        self.kill_and_resume("killed-mid.h5", 1.5)

    @unittest.skipUnless(os.environ.get("KHORGOS_MPIEXEC"), "built without KHORGOS_MPI")
    def test_two_mpi_ranks_equal_one_process(self):
        path = os.path.join(self.dir, "mpi.h5")
        done = subprocess.run([os.environ["KHORGOS_MPIEXEC"], "--allow-run-as-root", "--oversubscribe",
                               "-n", "2", BINARY, "calibrate", self.config, "--out", path,
                               "--jobs", "1", "--quiet"], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assert_same_posterior(path)

    def test_resume_refuses_another_calibration(self):
        other = os.path.join(self.dir, "other.toml")
        calibration_file(other, ARTICLE, [("visitor.base_hazard", 1e-6, 1e-4)],
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
            names = [n.decode() if isinstance(n, bytes) else n
                     for n in f["provenance/parameter"][...]]
            values = f["provenance/parameter_value"][...]
        drawn = values[names.index("visitor.base_hazard")]
        self.assertTrue(np.any(np.isclose(r["particles"][:, 0], drawn, rtol=1e-15, atol=0)))

    def test_fragment_is_a_scenario(self):
        fragment = self.reference[:-3] + "-mean.toml"
        self.assertTrue(os.path.exists(fragment))
        done = subprocess.run([BINARY, "check", fragment], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)


class ParameterRecovery(unittest.TestCase):
    """Synthetic targets from known parameters; the truth inside the 90% intervals."""

    TRUTH = {"visitor.base_hazard": 3e-5, "labourer.base_hazard": 6e-5}

    def test_recovery(self):
        work = tempfile.mkdtemp(prefix="khorgos-recovery-")
        try:
            targets = os.path.join(work, "synthetic.toml")
            sets = [a for k, v in self.TRUTH.items() for a in ("--set", f"{k}={v}")]
            done = subprocess.run([BINARY, "run", SCENARIO, "--scale", "20", "--seed", "11",
                                   "--threads", "1", "--quiet", "--out",
                                   os.path.join(work, "truth.h5"), "--emit-targets", targets,
                                   *sets], capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            config = os.path.join(work, "recovery.toml")
            calibration_file(config, targets,
                             [("visitor.base_hazard", 1e-6, 1e-3),
                              ("labourer.base_hazard", 1e-6, 1e-3)],
                             ["nsc_visitors_cn", "labour_quota_cn"], scale=20, particles=40,
                             generations=4)
            out = os.path.join(work, "posterior.h5")
            calibrate(config, out, "--jobs", "2")
            r = read(out)
            for j, name in enumerate(r["names"]):
                lo = weighted_quantile(r["particles"][:, j], r["weights"], 0.05)
                hi = weighted_quantile(r["particles"][:, j], r["weights"], 0.95)
                with self.subTest(parameter=name):
                    self.assertLessEqual(lo, self.TRUTH[name])
                    self.assertGreaterEqual(hi, self.TRUTH[name])
                    # ... and the data were informative: narrower than the prior's 90%.
                    self.assertLess(np.log(hi / lo), 0.9 * np.log(1e-3 / 1e-6))
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main()
