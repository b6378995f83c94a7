"""The Python package (python/khorgos) from the outside, on real files of all
three kinds made here by the real binary: `khorgos run --json`, `batch --json`
and `calibrate --json` (small and cheap), read with the package's readers,
drawn with `python3 -m khorgos.plot` and made into report pages with
`python3 -m khorgos.report`. Run once with the checkout's python/ on
PYTHONPATH (as ctest sets it) and once installed offline into a venv made
with --system-site-packages (`pip install --no-build-isolation --no-index --no-deps`)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
HISTORY = os.path.join(SOURCE, "tests", "calibration", "short_history.toml")
ARTICLE = os.path.join(SOURCE, "calibration", "targets", "article.toml")
PNG = b"\x89PNG\r\n\x1a\n"


def khorgos(*args):
    done = subprocess.run([BINARY, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"khorgos {' '.join(args)}: {done.returncode}\n{done.stderr}")
    return json.loads(done.stdout)


class Files:
    """One run file, one batch directory and one posterior file, made once."""
    dir = None

    @classmethod
    def make(cls):
        if cls.dir:
            return
        cls.dir = tempfile.mkdtemp(prefix="khorgos-package-")
        cls.run_json = khorgos("run", HISTORY, "--scale", "50", "--threads", "1", "--json",
                               "--out", os.path.join(cls.dir, "run.h5"))
        counterfactual = os.path.join(cls.dir, "no_visa_free.toml")
        with open(counterfactual, "w") as f:
            f.write(f'extends = "{HISTORY}"\nname = "no_visa_free"\n'
                    'remove_events = ["visa-free-start", "visa-free-end"]\n')
        batch = os.path.join(cls.dir, "batch.toml")
        with open(batch, "w") as f:
            f.write(f"""[batch]
replicates = 2
seed = 3
scale = 100
keep = ["observables"]

[[scenario]]
id = "short"
file = "{HISTORY}"

[[scenario]]
id = "no_visa_free"
file = "{counterfactual}"
""")
        cls.batch_json = khorgos("batch", batch, "--jobs", "1", "--json",
                                 "--out", os.path.join(cls.dir, "batch"))
        calibration = os.path.join(cls.dir, "calibration.toml")
        with open(calibration, "w") as f:
            f.write(f"""[calibration]
scenario = "{HISTORY}"
targets = "{ARTICLE}"
scale = 100
seed = 5
fit_targets = ["nsc_visitors_cn", "labour_quota_cn"]

[[parameter]]
name = "visitor.entries_per_year"
prior = "log_uniform"
lower = 3652.5
upper = 365250

[abc]
particles = 12
max_generations = 2
quantile = 0.5
min_acceptance = 0.0
predictive_draws = 10
""")
        cls.calibrate_json = khorgos("calibrate", calibration, "--jobs", "1", "--json",
                                     "--out", os.path.join(cls.dir, "posterior.h5"))


def tearDownModule():
    if Files.dir:
        shutil.rmtree(Files.dir)


class Readers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Files.make()
        import khorgos
        cls.k = khorgos

    def test_run_file_matches_run_json(self):
        summary = Files.run_json
        with self.k.open_run(summary["file"]) as run:
            table = run.observables_frame()
            self.assertEqual(list(table.columns), ["id", "period", "value", "units", "definition"])
            self.assertEqual(len(table), len(summary["observables"]))
            for row, given in zip(table.itertuples(), summary["observables"]):
                self.assertEqual((row.id, row.period, row.value), (given["id"], given["period"],
                                                                   given["value"]))
            self.assertEqual(run.provenance()["seed"], summary["seed"])
            daily = run.dataset("daily")
            self.assertEqual(daily.stock.dims, ("time", "agent_type", "region"))
            self.assertTrue(daily.stock.attrs["long_name"])
            self.assertEqual(daily.time.dtype, np.dtype("datetime64[ns]"))
            self.assertEqual(summary["counters"]["events"], run.provenance()["counter_events"])

    def test_batch_directory(self):
        batch = self.k.read_batch(Files.batch_json["directory"])
        self.assertEqual((Files.batch_json["runs"], Files.batch_json["failed"]), (4, 0))
        summary = batch.summary()
        self.assertEqual(summary.value.dims, ("condition", "statistic", "observable"))
        self.assertEqual(list(summary.condition.values), ["short", "no_visa_free"])
        self.assertIn("mean", list(summary.statistic.values))
        self.assertIn("id", summary.coords)
        self.assertEqual(list(batch.runs()["status"]), ["ok"] * 4)
        self.assertEqual(len(batch.outputs()), 4)
        self.assertEqual(batch.attributes["replicates"], 2)

    def test_posterior_file(self):
        post = self.k.read_posterior(Files.calibrate_json["posterior"])
        self.assertEqual(post.names, ["visitor.entries_per_year"])
        self.assertEqual(len(post.generations), Files.calibrate_json["generations"])
        self.assertEqual(list(post.progress()["generation"]), list(range(len(post.generations))))
        particles = post.particles()
        self.assertEqual(particles["visitor.entries_per_year"].dims, ("particle",))
        self.assertAlmostEqual(float(particles.weight.sum()), 1.0, places=9)
        targets = post.targets
        self.assertIn("predictive_median", targets.columns)
        self.assertEqual(list(targets["fitted"]).count(True), int(post.fitted.sum()))

    def test_open_any_and_refusals(self):
        self.assertIsInstance(self.k.open_any(Files.batch_json["directory"]), self.k.Batch)
        self.assertIsInstance(self.k.open_any(Files.calibrate_json["posterior"]),
                              self.k.Posterior)
        with self.assertRaises(self.k.FileError):
            self.k.read_posterior(Files.run_json["file"])
        with self.assertRaises(self.k.FileError):
            self.k.read_batch(Files.dir)


class Commands(unittest.TestCase):
    """The plots and the report pages, as a user runs them."""

    @classmethod
    def setUpClass(cls):
        Files.make()

    def python(self, *args):
        return subprocess.run([sys.executable, *args], capture_output=True, text=True)

    def assert_png(self, path):
        with open(path, "rb") as f:
            self.assertEqual(f.read(8), PNG, path)

    def test_plots(self):
        out = os.path.join(Files.dir, "plots")
        for kind, path, names in (
                ("run", Files.run_json["file"], ["observables", "stocks", "flows"]),
                ("batch", Files.batch_json["directory"], ["fan_chart"]),
                ("calibration", Files.calibrate_json["posterior"],
                 ["posterior", "progress", "predictive"])):
            done = self.python("-m", "khorgos.plot", kind, path, "--out", os.path.join(out, kind))
            self.assertEqual(done.returncode, 0, done.stderr)
            for name in names:
                self.assert_png(os.path.join(out, kind, name + ".png"))
        self.assertEqual(self.python("-m", "khorgos.plot", "run", "/nonexistent.h5").returncode, 2)
        self.assertEqual(self.python("-m", "khorgos.plot", "bogus").returncode, 2)

    def test_report_pages(self):
        for name, path in (("run", Files.run_json["file"]),
                           ("batch", Files.batch_json["directory"]),
                           ("posterior", Files.calibrate_json["posterior"])):
            page = os.path.join(Files.dir, f"{name}.html")
            done = self.python("-m", "khorgos.report", path, "--out", page)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(page, encoding="utf-8") as f:
                html = f.read()
            # Self-contained: figures inline, nothing fetched.
            self.assertIn('src="data:image/png;base64,', html)
            self.assertNotIn("http://", html.replace("http://www.w3.org", ""))
            self.assertNotIn('src="http', html)
            self.assertNotIn("<script", html)
            self.assertIn("Provenance", html)


class Installed(unittest.TestCase):
    """pip installs the package offline into a Debian venv, and it imports from there."""

    def test_venv(self):
        work = tempfile.mkdtemp(prefix="khorgos-venv-")
        try:
            # A copy, so that the build leaves nothing in the checkout.
            source = shutil.copytree(os.path.join(SOURCE, "python"), os.path.join(work, "src"))
            venv = os.path.join(work, "venv")
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv],
                           check=True)
            # --no-deps: Debian's h5py registers as "h5py._debian_h5py_serial", so pip
            # cannot see that the requirement "h5py" is met; the import below checks it is.
            done = subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet",
                                   "--no-build-isolation", "--no-index", "--no-deps", source],
                                  capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            done = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                                   "import khorgos, khorgos.plot, khorgos.report; "
                                   "print(khorgos.__file__)"],
                                  capture_output=True, text=True, env=env, cwd=work)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertTrue(done.stdout.startswith(venv), done.stdout)
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main(verbosity=2)
