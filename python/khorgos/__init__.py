"""khorgos: readers and plots for the files the khorgos program writes.

    import khorgos
    run = khorgos.open_run("out/h7.h5")              # run files (output/SCHEMA.md)
    batch = khorgos.read_batch("out/cf")              # batch directories (docs/batch.md)
    post = khorgos.read_posterior("out/post.h5")      # posterior files (docs/calibration.md)

Plots: ``python3 -m khorgos.plot {run,batch,calibration} PATH``; a report
page: ``python3 -m khorgos.report PATH``.
"""

from ._h5 import FileError
from .batch import Batch, read_batch
from .posterior import Posterior, read_posterior
from .run import Run, RunFileError, open_run

__all__ = ["FileError", "Batch", "read_batch", "Posterior", "read_posterior", "Run",
           "RunFileError", "open_run", "open_any"]


def open_any(path):
    """A run file, a batch directory or a posterior file, whichever `path` is."""
    import os

    import h5py

    from ._h5 import text

    if os.path.isdir(path):
        return read_batch(path)
    try:
        with h5py.File(path, "r") as f:
            posterior = text(f.attrs.get("format", b"")).startswith("khorgos posterior")
    except OSError as error:
        raise FileError(f"{path}: not a readable HDF5 file ({error})") from error
    return read_posterior(path) if posterior else open_run(path)
