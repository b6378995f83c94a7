"""Plots of khorgos files, one look for all: ``python3 -m khorgos.plot {run,batch,calibration}``.

Each function returns the paths it wrote (PNG and PDF); matplotlib runs headless.
"""

from .batch import plot_batch
from .calibration import plot_calibration
from .run import plot_run

__all__ = ["plot_run", "plot_batch", "plot_calibration"]
