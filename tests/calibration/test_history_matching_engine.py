"""History matching then ABC-SMC with `khorgos calibrate` on the real engine,
from the outside. Cheap on purpose: the historical scenario cut at 2006
(short_history.toml) at scale 50, two parameters, four fitted figures, three
waves of 12 points x 2 replicates, then 2 ABC generations of 20 particles.

- the file holds every wave (design, simulations, emulators, region sample)
  and the report the history-matching table with each discrepancy's reason;
- the same seed gives the same waves and posterior with --jobs 1 and --jobs 2
  (and 2 MPI ranks);
- a SIGKILL in the middle of wave 1, then `--resume`, ends with the file of an
  uninterrupted run;
- every ABC particle lies near the non-implausible region's sample;
- `python3 -m khorgos.plot calibration` draws the waves and the optical depth;
- recovery: targets emitted by `khorgos run --emit-targets` from 5 parameter
  sets are recalibrated with history matching then ABC-SMC; the truth lies in
  the 90% interval for at least 80% of the (parameter, truth) pairs, and the
  intervals are narrower than the prior's.
"""

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
                                calibrate_on_two_ranks, groups_in, needs, weighted_quantile)


def write_targets(path):
    """The article's targets, with a model discrepancy (and its reason) on one of them."""
    with open(ARTICLE) as f:
        text = f.read()
    marker = 'id = "labour_quota_cn"\nperiod = "1993"\n'
    assert marker in text
    text = text.replace(marker, marker + 'discrepancy = { sd = 0.3, reason = "quota counts '
                        'at scale 50 are a dozen agents" }\n', 1)
    with open(path, "w") as f:
        f.write(text)


def write_calibration(path, targets, particles=20, generations=2, waves=3, seed=7,
                      fit_targets='"nsc_visitors_cn@2000", "nsc_visitors_cn@2005", '
                                  '"labour_quota_cn@1993", "labour_quota_cn@2004"'):
    with open(path, "w") as f:
        f.write(f"""[calibration]
scenario = "{SCENARIO}"
targets = "{targets}"
scale = 50
seed = {seed}
fit_targets = [{fit_targets}]

[[parameter]]
name = "visitor.entries_per_year"
prior = "log_uniform"
lower = 365.25
upper = 365250

[[parameter]]
name = "labourer.entries_per_year"
prior = "log_uniform"
lower = 36.525
upper = 36525

[abc]
particles = {particles}
max_generations = {generations}
start = "history_matching"
predictive_draws = 20

[history_matching]
points = 12
replicates = 2
max_waves = {waves}
region_points = 200
variance_ratio = 0   # run every wave: the test needs a wave to kill
min_shrink = 0
""")


def read(path):
    with h5py.File(path, "r") as f:
        waves = f["history_matching/waves"]
        out = {"waves": [{k: waves[w][k][...] for k in ("design", "simulated", "region",
                                                         "length_scales")}
                         for w in sorted(waves)]}
        gens = f["generations"]
        last = gens[sorted(gens)[-1]]
        out["particles"] = last["particles"][...]
        out["weights"] = last["weights"][...]
        return out


class HistoryMatchingThenAbc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="khorgos-hm-")
        cls.targets = os.path.join(cls.dir, "targets.toml")
        write_targets(cls.targets)
        cls.config = os.path.join(cls.dir, "hm.toml")
        write_calibration(cls.config, cls.targets)
        cls.reference = os.path.join(cls.dir, "reference.h5")
        calibrate(cls.config, cls.reference, "--jobs", "2")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def assert_same(self, path):
        a, b = read(self.reference), read(path)
        self.assertEqual(len(a["waves"]), len(b["waves"]))
        for wa, wb in zip(a["waves"], b["waves"]):
            for key in wa:
                np.testing.assert_array_equal(wa[key], wb[key])
        np.testing.assert_array_equal(a["particles"], b["particles"])
        np.testing.assert_array_equal(a["weights"], b["weights"])

    def test_waves_report_and_region(self):
        r = read(self.reference)
        self.assertEqual(len(r["waves"]), 3)
        for w in r["waves"]:
            self.assertEqual(w["design"].shape, (12, 2))
            self.assertEqual(w["simulated"].shape[0], 24)
        with open(self.reference[:-3] + "-report.txt") as f:
            report = f.read()
        self.assertIn("History matching: 3 waves", report)
        self.assertIn("quota counts at scale 50", report)
        # The particles lie within the bounds of the last region's sample
        # (on the log scale, with the kernel's reach a region is not a box, but
        # no particle may leave the region's hull by much).
        region = np.log(r["waves"][-1]["region"])
        particles = np.log(r["particles"])
        span = region.max(axis=0) - region.min(axis=0)
        self.assertTrue(np.all(particles >= region.min(axis=0) - 0.1 * span))
        self.assertTrue(np.all(particles <= region.max(axis=0) + 0.1 * span))

    def test_plots(self):
        out = os.path.join(self.dir, "plots")
        done = subprocess.run([sys.executable, "-m", "khorgos.plot", "calibration",
                               self.reference, "--out", out], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        for name in ("waves", "depth", "posterior", "predictive"):
            self.assertTrue(os.path.getsize(os.path.join(out, name + ".png")) > 1000, name)

    def test_one_job_equals_two(self):
        path = os.path.join(self.dir, "one-job.h5")
        calibrate(self.config, path, "--jobs", "1")
        self.assert_same(path)

    def test_resume_after_kill_mid_wave(self):
        path = os.path.join(self.dir, "killed.h5")
        process = calibrate(self.config, path, "--jobs", "2", background=True)
        deadline = time.time() + 300
        while groups_in(path, "history_matching/waves") < 1 and process.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        with h5py.File(path, "r") as f:
            seconds = float(f["history_matching/waves/000"].attrs["seconds"])
        time.sleep(0.5 * seconds)
        self.assertIsNone(process.poll(), "finished before it could be killed")
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        self.assertIn(groups_in(path, "history_matching/waves"), (1, 2))
        calibrate(self.config, path, "--jobs", "2", "--resume")
        self.assert_same(path)

    @needs(MPIEXEC, MPI_NEEDS)
    def test_two_mpi_ranks_equal_one_process(self):
        path = os.path.join(self.dir, "mpi.h5")
        done = calibrate_on_two_ranks(self.config, path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assert_same(path)


class Recovery(unittest.TestCase):
    """Five truths spread over the prior (1e-6 to 1e-3 a day for both hazards,
    over the 1,000,000 potential visitors and 100,000 workers of 1990)."""

    TRUTHS = [(v * 365.25e6, l * 36.525e6) for v, l in
              [(3e-5, 6e-5), (1e-5, 2e-5), (1e-4, 1.5e-4), (5e-6, 1e-4), (6e-5, 1e-5)]]
    NAMES = ("visitor.entries_per_year", "labourer.entries_per_year")

    def test_recovery(self):
        work = tempfile.mkdtemp(prefix="khorgos-hm-recovery-")
        covered, pairs = 0, 0
        try:
            for k, truth in enumerate(self.TRUTHS):
                targets = os.path.join(work, f"synthetic-{k}.toml")
                sets = [a for name, v in zip(self.NAMES, truth) for a in ("--set", f"{name}={v}")]
                done = subprocess.run([BINARY, "run", SCENARIO, "--scale", "50", "--seed",
                                       str(11 + k), "--threads", "1", "--quiet", "--out",
                                       os.path.join(work, f"truth-{k}.h5"), "--emit-targets", targets,
                                       *sets], capture_output=True, text=True)
                self.assertEqual(done.returncode, 0, done.stderr)
                config = os.path.join(work, f"recovery-{k}.toml")
                write_calibration(config, targets, particles=40, generations=4, seed=20 + k,
                                  fit_targets='"nsc_visitors_cn", "labour_quota_cn"')
                out = os.path.join(work, f"posterior-{k}.h5")
                calibrate(config, out, "--jobs", "2")
                r = read(out)
                for j, name in enumerate(self.NAMES):
                    lo = weighted_quantile(r["particles"][:, j], r["weights"], 0.05)
                    hi = weighted_quantile(r["particles"][:, j], r["weights"], 0.95)
                    inside = lo <= truth[j] <= hi
                    covered += inside
                    pairs += 1
                    print(f"truth {k}: {name} {truth[j]:.3g}, 90% [{lo:.3g}, {hi:.3g}]"
                          f"{'' if inside else '  (missed)'}", file=sys.stderr)
                    # The data inform: narrower than the prior's 90% interval.
                    self.assertLess(np.log(hi / lo), 0.9 * np.log(1e-3 / 1e-6))
        finally:
            shutil.rmtree(work)
        print(f"truth inside the 90% interval for {covered} of {pairs} pairs", file=sys.stderr)
        self.assertGreaterEqual(covered, 0.8 * pairs)


if __name__ == "__main__":
    unittest.main()
