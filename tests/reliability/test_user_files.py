"""No file a user owns is ever lost, and no input hangs the program (issue 12).

Each case of the issue's list, run against the real binary: the user's files
(scenarios, targets, calibration files, earlier outputs) are compared byte for
byte before and after, the exit code must be 2 with a message naming the file,
and nothing may hang (every command has a timeout). Device nodes and FIFOs are
made inside the test's own temporary directory (mknod, mkfifo), never taken
from /dev: run as root, a bug would replace the machine's real device. Device
nodes need root; without it those cases are skipped, the FIFO cases still run.
"""

import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
MINIMAL = os.path.join(SOURCE, "tests", "data", "minimal.toml")
TIMEOUT = 120


def khorgos(*args, cwd=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=TIMEOUT,
                          cwd=cwd)


def digest(path):
    """What the test compares: bytes of a regular file, type and device of a node."""
    status = os.lstat(path)
    if stat.S_ISREG(status.st_mode):
        with open(path, "rb") as f:
            return ("file", hashlib.sha256(f.read()).hexdigest())
    return (stat.S_IFMT(status.st_mode), status.st_rdev)


def snapshot(directory):
    return {name: digest(os.path.join(directory, name)) for name in sorted(os.listdir(directory))}


class UserFiles(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="khorgos-user-files-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        # A scenario that extends a parent, both the user's.
        self.parent = self.path("parent.toml")
        shutil.copy(MINIMAL, self.parent)
        self.scenario = self.write("child.toml", 'extends = "parent.toml"\nname = "child"\n')
        self.targets = self.path("targets.toml")
        shutil.copy(os.path.join(SOURCE, "calibration", "targets", "article.toml"), self.targets)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def fifo(self, name):
        os.mkfifo(self.path(name))
        return self.path(name)

    def device(self, name, minor):
        """A character device like /dev/zero (minor 5) or /dev/full (minor 7), made here."""
        if os.geteuid() != 0:
            self.skipTest("making a device node needs root")
        os.mknod(self.path(name), 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        return self.path(name)

    def refused(self, done, name, *words):
        """Exit 2, a message naming the file and the reason, and every user file unchanged."""
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertRegex(done.stderr, r"^khorgos (run|batch|calibrate|check): ")
        self.assertIn(name, done.stderr)
        for word in words:
            self.assertIn(word, done.stderr)

    def run_minimal(self, *extra):
        return khorgos("run", self.scenario, "--scale", "4", "--threads", "1", "--quiet",
                       "--targets", self.targets, *extra)

    # run --emit-targets ---------------------------------------------------

    def test_emit_targets_never_replaces_a_file_without_force(self):
        out = self.path("run.h5")
        self.assertEqual(self.run_minimal("--out", out).returncode, 0)
        before = snapshot(self.dir)
        for target in (self.scenario, self.parent, self.targets, out, self.write("mine.toml", "x")):
            with self.subTest(target=os.path.basename(target)):
                done = self.run_minimal("--out", self.path("new.h5"), "--emit-targets", target)
                self.refused(done, os.path.basename(target), "--emit-targets", "--force")
                self.assertFalse(os.path.exists(self.path("new.h5")), "simulated in vain")
                before["mine.toml"] = digest(self.path("mine.toml"))
                self.assertEqual(snapshot(self.dir), before)

    def test_emit_targets_never_replaces_an_input_or_the_run_file_even_with_force(self):
        out = self.path("run.h5")
        self.assertEqual(self.run_minimal("--out", out).returncode, 0)
        before = snapshot(self.dir)
        for target, why in ((self.scenario, "scenario"), (self.parent, "scenario"),
                            (self.targets, "targets"), (out, "--out")):
            with self.subTest(target=os.path.basename(target)):
                done = self.run_minimal("--out", out, "--force", "--emit-targets", target)
                self.refused(done, os.path.basename(target), why)
                self.assertEqual(snapshot(self.dir), before)

    def test_out_never_replaces_an_input_even_with_force(self):
        before = snapshot(self.dir)
        for target in (self.scenario, self.parent, self.targets):
            with self.subTest(target=os.path.basename(target)):
                done = self.run_minimal("--out", target, "--force")
                self.refused(done, os.path.basename(target), "this run reads")
                self.assertEqual(snapshot(self.dir), before)
        config = self.calibration()
        before = snapshot(self.dir)
        for target in (config, self.scenario, self.targets):
            with self.subTest(target=os.path.basename(target)):
                done = khorgos("calibrate", config, "--quiet", "--force", "--out", target)
                self.refused(done, os.path.basename(target), "input")
                self.assertEqual(snapshot(self.dir), before)

    def test_emit_targets_writes_a_new_file(self):
        emitted = self.path("emitted.toml")
        done = self.run_minimal("--out", self.path("run.h5"), "--emit-targets", emitted)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(khorgos("check", emitted).returncode, 0)

    # calibrate's extra files ---------------------------------------------

    def calibration(self):
        return self.write("calibration.toml",
                          f'[calibration]\nscenario = "{self.scenario}"\n'
                          f'targets = "{self.targets}"\nscale = 4\nseed = 11\n'
                          'fit_targets = ["nsc_visitors_cn"]\n\n'
                          '[[parameter]]\nname = "visitor.entries_per_year"\nprior = "log_uniform"\n'
                          'lower = 730.5\nupper = 73050\n\n'
                          '[abc]\nparticles = 10\nmax_generations = 1\nmin_acceptance = 0.0\n'
                          'predictive_draws = 10\n')

    def test_calibrate_never_replaces_its_report_or_fragment(self):
        config = self.calibration()
        cases = (("abc", "NAME-mean.toml"), ("abc", "NAME-report.txt"),
                 ("fit", "NAME.toml"), ("fit", "NAME-report.txt"))
        for method, pattern in cases:
            with self.subTest(method=method, file=pattern):
                mine = self.write(pattern.replace("NAME", f"post-{method}"), "the user's own\n")
                before = snapshot(self.dir)
                done = khorgos("calibrate", config, "--method", method, "--quiet",
                               "--out", self.path(f"post-{method}.h5"))
                self.refused(done, os.path.basename(mine), "--force")
                self.assertFalse(os.path.exists(self.path(f"post-{method}.h5")),
                                 "the check came after the simulations")
                self.assertEqual(snapshot(self.dir), before)
                os.remove(mine)

    def test_calibrate_fragment_never_replaces_the_calibration_file(self):
        # --out calibration.h5 with the fit method names calibration.toml as the fragment.
        config = self.calibration()
        before = snapshot(self.dir)
        done = khorgos("calibrate", config, "--method", "fit", "--quiet", "--force",
                       "--out", self.path("calibration.h5"))
        self.refused(done, "calibration.toml", "input")
        self.assertEqual(snapshot(self.dir), before)

    # --force onto devices and FIFOs --------------------------------------

    def check_never_written_through(self, node):
        name = os.path.basename(node)
        before = snapshot(self.dir)
        commands = (
            ["run", self.scenario, "--scale", "4", "--threads", "1", "--quiet",
             "--targets", self.targets, "--out", node, "--force"],
            ["run", self.scenario, "--scale", "4", "--threads", "1", "--quiet",
             "--targets", self.targets, "--out", self.path("r.h5"), "--force",
             "--emit-targets", node],
            ["calibrate", self.calibration(), "--quiet", "--force", "--out", node],
        )
        before = snapshot(self.dir)
        for command in commands:
            with self.subTest(command=command[0], node=name):
                done = khorgos(*command)
                self.refused(done, name, "regular file")
                self.assertEqual(snapshot(self.dir), before)

    def test_force_never_replaces_a_device(self):
        self.check_never_written_through(self.device("full", 7))

    def test_force_never_replaces_a_fifo(self):
        self.check_never_written_through(self.fifo("pipe"))

    def test_force_never_writes_through_a_symbolic_link(self):
        target = self.write("precious.h5", "the user's own\n")
        link = self.path("link.h5")
        os.symlink(target, link)
        before = snapshot(self.dir)
        done = self.run_minimal("--out", link, "--force")
        self.refused(done, "link.h5", "symbolic link")
        self.assertEqual(snapshot(self.dir), before)

    # inputs that are not regular files ------------------------------------

    def check_input_refused(self, node, reason):
        name = os.path.basename(node)
        with self.subTest(node=name, role="scenario"):
            self.refused(khorgos("run", node, "--quiet"), name, reason)
            self.refused(khorgos("check", node), name, reason)
        with self.subTest(node=name, role="extends parent"):
            child = self.write("via.toml", f'extends = "{name}"\nname = "via"\n')
            self.refused(khorgos("run", child, "--quiet", "--out", self.path("x.h5")), name, reason)
        with self.subTest(node=name, role="targets"):
            self.refused(khorgos("run", self.scenario, "--quiet", "--out", self.path("y.h5"),
                                 "--targets", node), name, reason)
        with self.subTest(node=name, role="batch file"):
            self.refused(khorgos("batch", node, "--out", self.path("b")), name, reason)
        with self.subTest(node=name, role="posterior"):
            self.refused(self.run_minimal("--out", self.path("z.h5"), "--posterior", node), name,
                         reason)
        for leftover in ("x.h5", "y.h5", "z.h5", "b"):
            self.assertFalse(os.path.exists(self.path(leftover)))

    def test_zero_device_is_refused_at_once(self):
        self.check_input_refused(self.device("zero", 5), "device")

    def test_fifo_is_refused_without_blocking(self):
        self.check_input_refused(self.fifo("input"), "FIFO")

    def test_directory_says_so(self):
        os.mkdir(self.path("folder.toml"))
        self.check_input_refused(self.path("folder.toml"), "directory")

    def test_oversized_input_is_refused(self):
        big = self.path("big.toml")
        with open(big, "wb") as f:
            f.truncate(65 << 20)  # sparse: beyond the 64 MiB cap
        self.refused(khorgos("check", big), "big.toml", "MiB")

    # posterior contents ---------------------------------------------------

    def posterior(self):
        out = self.path("post.h5")
        done = khorgos("calibrate", self.calibration(), "--quiet", "--jobs", "1", "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        return out

    def test_posterior_weights_and_particles_are_validated(self):
        good = self.posterior()
        cases = {
            "nan weight": lambda g: g["weights"].__setitem__(3, np.nan),
            "negative weight": lambda g: g["weights"].__setitem__(0, -0.5),
            "zero weights": lambda g: g["weights"].__setitem__(slice(None), 0.0),
            "particle outside bounds": lambda g: g["particles"].__setitem__((4, 0), -7.0),
        }
        expected = {"nan weight": ("particle 3", "weight"),
                    "negative weight": ("particle 0", "weight"),
                    "zero weights": ("sum",),
                    "particle outside bounds": ("particle 4", "visitor.entries_per_year", "bounds")}
        for case, change in cases.items():
            with self.subTest(case=case):
                bad = self.path(case.replace(" ", "-") + ".h5")
                shutil.copy(good, bad)
                with h5py.File(bad, "r+") as f:
                    g = f["generations"]["000"]
                    arrays = {k: g[k][...] for k in ("weights", "particles")}
                    change(arrays)
                    for k, v in arrays.items():
                        g[k][...] = v
                before = snapshot(self.dir)
                done = self.run_minimal("--out", self.path("drawn.h5"), "--posterior", bad)
                self.refused(done, os.path.basename(bad), *expected[case])
                self.assertFalse(os.path.exists(self.path("drawn.h5")))
                self.assertEqual(snapshot(self.dir), before)
        # The untouched file still draws.
        done = self.run_minimal("--out", self.path("drawn.h5"), "--posterior", good)
        self.assertEqual(done.returncode, 0, done.stderr)

    # numbers on the command line -----------------------------------------

    def test_largest_seed_is_accepted(self):
        # Batch replicate seeds use all 64 bits: each can be rerun alone.
        done = self.run_minimal("--out", self.path("s.h5"), "--seed", "18446744073709551615")
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_negative_seed_is_an_error(self):
        for seed in ("-1", "1.5", "18446744073709551616", "x"):
            with self.subTest(seed=seed):
                done = self.run_minimal("--out", self.path("s.h5"), "--seed", seed)
                self.refused(done, "--seed", "seed")
                self.assertFalse(os.path.exists(self.path("s.h5")))

    def test_batch_out_that_is_a_file_is_refused(self):
        spec = self.write("batch.toml",
                          '[batch]\nname = "b"\nreplicates = 1\nseed = 1\nscale = 4\n\n'
                          f'[[scenario]]\nid = "child"\nfile = "{self.scenario}"\n')
        out = self.write("results.txt", "a file of the user's\n")
        before = snapshot(self.dir)
        done = khorgos("batch", spec, "--out", out, "--jobs", "1")
        self.refused(done, "--out", "not a directory")
        self.assertEqual(snapshot(self.dir), before)

    # --resume and edited inputs -------------------------------------------

    def test_batch_resume_refuses_an_edited_extends_parent(self):
        spec = self.write("batch.toml",
                          '[batch]\nname = "b"\nreplicates = 1\nseed = 1\nscale = 4\n\n'
                          f'[[scenario]]\nid = "child"\nfile = "{self.scenario}"\n')
        out = self.path("out")
        done = khorgos("batch", spec, "--out", out, "--jobs", "1")
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(self.parent, "a") as f:
            f.write("# edited after the batch started\n")
        before = snapshot(out)
        done = khorgos("batch", spec, "--out", out, "--resume")
        self.refused(done, "parent.toml", "changed")
        self.assertEqual(snapshot(out), before)

    def test_calibrate_resume_refuses_an_edited_extends_parent(self):
        out = self.posterior()
        with open(self.parent, "a") as f:
            f.write("# edited after the calibration started\n")
        before = snapshot(self.dir)
        done = khorgos("calibrate", self.path("calibration.toml"), "--quiet", "--out", out,
                       "--resume")
        self.refused(done, "parent.toml", "changed")
        self.assertEqual(snapshot(self.dir), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
