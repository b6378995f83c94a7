"""What the end-to-end calibration tests on the real engine share: where the
binary and the inputs are, running `khorgos calibrate` (to the end or in the
background, for a kill), MPI runs, and reading posterior files."""

import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from dependencies import needs  # noqa: E402,F401  (re-exported for the tests)

BINARY = os.environ["KHORGOS_BINARY"]
SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
MPIEXEC = os.environ.get("KHORGOS_MPIEXEC")
MPI_NEEDS = "MPI (openmpi-bin, libopenmpi-dev: khorgos is built with MPI where found)"
SCENARIO = os.path.join(SOURCE, "tests", "calibration", "short_history.toml")
ARTICLE = os.path.join(SOURCE, "calibration", "targets", "article.toml")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def calibrate(config, out, *options, background=False):
    """Runs `khorgos calibrate` to its end (raising on failure), or starts it
    in the background and returns the process."""
    command = [BINARY, "calibrate", config, "--out", out, "--quiet", *options]
    if background:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(done.stderr + done.stdout)
    return done


def calibrate_on_two_ranks(config, out):
    """The same calibration as one MPI world of two ranks with one job each."""
    return subprocess.run([MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-n", "2", BINARY,
                           "calibrate", config, "--out", out, "--jobs", "1", "--quiet"],
                          capture_output=True, text=True)


def groups_in(path, group):
    """How many members `group` has in the file (0 while it does not exist yet)."""
    try:
        with h5py.File(path, "r") as f:
            return len(f[group])
    except (OSError, KeyError):
        return 0


def weighted_quantile(values, weights, q):
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return values[order][np.searchsorted(cumulative, q * cumulative[-1])]
