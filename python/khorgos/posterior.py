"""Posterior files: what `khorgos calibrate --out FILE.h5` writes (docs/calibration.md).

    import khorgos
    post = khorgos.read_posterior("out/historical-posterior.h5")
    post.targets                  # pandas.DataFrame: id, period, value, lower, upper, fitted
    post.generations[-1].particles, .weights   # numpy (particle x parameter), (particle)
    post.progress()               # pandas.DataFrame, one row per generation
    post.particles()              # xarray.Dataset of the last generation

Plain numpy and dataclasses; pandas and xarray only where a method returns them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from ._h5 import FileError, attributes, open_file, strings, text

FORMATS = ("khorgos posterior 2",)


@dataclass
class Generation:
    """One ABC-SMC generation: weighted particles and what they simulated."""
    number: int
    tolerance: float
    acceptance: float
    ess: float
    simulations: int
    seconds: float
    particles: np.ndarray  # particle x parameter
    weights: np.ndarray
    distances: np.ndarray
    simulated: np.ndarray  # particle x target


@dataclass
class Wave:
    """One history-matching wave (files with history matching only)."""
    number: int
    kept: float
    fraction: float
    emulator_share: float
    design: np.ndarray
    loo: np.ndarray
    region: np.ndarray


@dataclass
class Posterior:
    path: str
    attributes: Dict[str, object]
    names: List[str]
    priors: List[str]
    target_ids: List[str]
    target_periods: List[str]
    target_values: np.ndarray
    target_lower: np.ndarray
    target_upper: np.ndarray
    fitted: np.ndarray  # bool per target
    generations: List[Generation] = field(default_factory=list)
    waves: List[Wave] = field(default_factory=list)
    fit: Optional[np.ndarray] = None
    fit_attributes: Dict[str, object] = field(default_factory=dict)
    predictive: Optional[Dict[str, object]] = None

    @property
    def method(self) -> str:
        return str(self.attributes.get("method", ""))

    @property
    def report(self) -> str:
        return str(self.attributes.get("report", ""))

    @property
    def targets(self):
        """The targets with their official figures (and, with a predictive, its median
        and 90% interval) as a pandas.DataFrame."""
        import pandas as pd

        table = pd.DataFrame({"id": self.target_ids, "period": self.target_periods,
                              "official": self.target_values, "lower": self.target_lower,
                              "upper": self.target_upper, "fitted": self.fitted})
        if self.predictive is not None:
            for key in ("lower90", "median", "upper90"):
                table[f"predictive_{key}"] = self.predictive[key]
        return table

    def progress(self):
        """One row per generation: tolerance, acceptance, ESS, simulations, seconds."""
        import pandas as pd

        return pd.DataFrame([{"generation": g.number, "tolerance": g.tolerance,
                              "acceptance": g.acceptance, "ess": g.ess,
                              "simulations": g.simulations, "seconds": g.seconds}
                             for g in self.generations])

    def particles(self, generation: int = -1):
        """One generation's particles as an xarray.Dataset (one variable per
        parameter, dim particle, plus weight and distance)."""
        import xarray as xr

        g = self.generations[generation]
        data = {name: ("particle", g.particles[:, i], {"prior": prior})
                for i, (name, prior) in enumerate(zip(self.names, self.priors))}
        data["weight"] = ("particle", g.weights, {"units": "1", "long_name": "importance weight"})
        data["distance"] = ("particle", g.distances, {"units": "1", "long_name": "distance"})
        return xr.Dataset(data, attrs={"generation": g.number, "tolerance": g.tolerance})

    def prior_box(self, index: int) -> Tuple[float, float, bool]:
        """(lower, upper, log) of a parameter's prior, e.g. "log_uniform(1e-06, 0.001)"."""
        description = self.priors[index]
        numbers = [float(x) for x in re.findall(r"[-+]?[0-9.]+(?:e[-+]?[0-9]+)?", description)]
        return numbers[-2], numbers[-1], description.startswith("log_uniform")


def _ordered(group) -> List[str]:
    """Generation and wave groups in number order (their names are numbers)."""
    return sorted(group, key=lambda name: int(re.sub(r"\D", "", name) or 0))


def read_posterior(path) -> Posterior:
    """Reads a posterior file. Raises FileError if it is not one."""
    with open_file(path, "posterior") as f:
        if text(f.attrs.get("format", b"")) not in FORMATS:
            raise FileError(f"{path}: not a khorgos posterior file ({' or '.join(FORMATS)})")
        attrs = attributes(f)
        if isinstance(attrs.get("seed_text"), str):
            attrs["seed"] = int(attrs["seed_text"])
        post = Posterior(
            path=str(path), attributes=attrs,
            names=list(strings(f["parameters/names"])), priors=list(strings(f["parameters/priors"])),
            target_ids=list(strings(f["targets/id"])),
            target_periods=list(strings(f["targets/period"])),
            target_values=f["targets/value"][()], target_lower=f["targets/lower"][()],
            target_upper=f["targets/upper"][()], fitted=f["targets/fitted"][()] > 0)
        if "fit" in f:
            post.fit = f["fit/parameters"][()]
            post.fit_attributes = attributes(f["fit"])
        if "predictive" in f:
            p = f["predictive"]
            post.predictive = {"generation": int(p.attrs["generation"]),
                               **{k: p[k][()] for k in ("median", "lower90", "upper90")}}
        if "generations" in f:
            for number, name in enumerate(_ordered(f["generations"])):
                g = f["generations"][name]
                post.generations.append(Generation(
                    number=number, tolerance=float(g.attrs["tolerance"]),
                    acceptance=float(g.attrs["acceptance"]), ess=float(g.attrs["ess"]),
                    simulations=int(g.attrs["simulations"]), seconds=float(g.attrs["seconds"]),
                    particles=g["particles"][()], weights=g["weights"][()],
                    distances=g["distances"][()], simulated=g["simulated"][()]))
        if "history_matching" in f:
            waves = f["history_matching/waves"]
            for number, name in enumerate(_ordered(waves)):
                w = waves[name]
                post.waves.append(Wave(number, *(float(w.attrs[k]) for k in
                                                 ("kept", "fraction", "emulator_share")),
                                       *(w[k][()] for k in ("design", "loo", "region"))))
    return post
