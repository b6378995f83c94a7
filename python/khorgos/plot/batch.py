"""The fan chart of a batch directory: per observable, each condition's mean and
5-95% band across replicates, against the official figures; and, when the batch
names `effects`, each counterfactual's paired effect on those figures (median
and 90% interval), as effects.png/.pdf."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import numpy as np

from .. import targets as targets_file
from ..batch import Batch
from .style import OFFICIAL, grid, legend_on_top, observable_label, plt, save, title


def _is_year(period: str) -> bool:
    return period.isdigit() and len(period) == 4


def plot_batch(directory, out: Optional[Path] = None, targets: Optional[Path] = None,
               max_conditions: int = 10) -> List[Path]:
    """Draws DIR/fan_chart.png and .pdf (or OUT/fan_chart.*), and effects.* when
    the batch reports effects; returns the paths."""
    batch = Batch(directory)
    summary = batch.summary("observables")
    official = targets_file.by_key(targets_file.load(targets or targets_file.default_path()))
    conditions = [str(c) for c in summary.condition.values]
    base = [c for c in conditions if c.split(":")[0] == batch.baseline][:1]
    conditions = (base + [c for c in conditions if c not in base])[:max_conditions]
    ids = [str(i) for i in summary.id.values]
    periods = [str(p) for p in summary.period.values]
    units = [str(u) for u in summary.units.values]
    definitions = [str(d) for d in summary.definition.values] if "definition" in summary else ids
    value = summary.value
    unique = list(dict.fromkeys(ids))
    figure, axes = grid(len(unique), 3, width=5.2, height=3.8)
    colours = plt.get_cmap("tab10")
    for axis, oid in zip(axes, unique):
        index = [k for k, i in enumerate(ids) if i == oid]
        mine = [periods[k] for k in index]
        yearly = all(_is_year(p) for p in mine) and len(index) > 1
        x = np.array([int(p) for p in mine]) if yearly else np.arange(len(index), dtype=float)
        width = 0.7 / max(1, len(conditions))
        for n, c in enumerate(conditions):
            def stat(name):
                return value.sel(condition=c, statistic=name).values[index]
            mean, low, high = stat("mean"), stat("q05"), stat("q95")
            colour = colours(n % 10)
            if yearly:
                axis.plot(x, mean, "-o", color=colour, ms=3, lw=1.6 if c in base else 1)
                axis.fill_between(x, low, high, color=colour, alpha=0.18, lw=0)
            else:  # conditions side by side around each period's position
                xs = x + (n - (len(conditions) - 1) / 2) * width
                axis.errorbar(xs, mean, yerr=[mean - low, high - mean], fmt="o", color=colour,
                              ms=4, capsize=2)
        known = [(xv, official[(oid, p)]) for xv, p in zip(x, mine) if (oid, p) in official]
        if known:
            v = np.array([t["value"] for _, t in known])
            axis.errorbar([xv for xv, _ in known], v,
                          yerr=[v - [t["lower"] for _, t in known],
                                [t["upper"] for _, t in known] - v],
                          fmt="D", mfc="none", color=OFFICIAL, ms=5, capsize=3, zorder=5)
        if yearly:
            axis.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
            axis.set_xlabel("year")
        else:
            axis.set_xlim(-0.5, len(index) - 0.5)
            axis.set_xticks(x)
            axis.set_xticklabels([p.replace("/", "/\n") for p in mine])
            axis.set_xlabel("period")
        axis.set_ylim(bottom=min(0, float(np.nanmin(value.sel(statistic="q05").values[:, index]))))
        axis.set_title(title(definitions[index[0]]) + f"\n[{oid}]", fontsize=8)
        axis.set_ylabel(observable_label(oid, units[index[0]], definitions[index[0]]))
    uninformed = set()  # counterfactuals whose deciding parameter no figure informs
    if "deciding" in batch.groups:
        informed = batch.summary("deciding").informed
        uninformed = {str(k).split(" - ")[0] for k, v in zip(informed.contrast.values,
                                                              informed.values) if v == 0}
    handles = [plt.Line2D([], [], marker="o", color=colours(n % 10),
                          label=c + (" (baseline)" if c in base else "")
                          + (" (deciding parameter informed by no figure)"
                             if c in uninformed else ""))
               for n, c in enumerate(conditions)]
    handles.append(plt.Line2D([], [], marker="D", mfc="none", color=OFFICIAL, linestyle="none",
                              label="official figure"))
    legend_on_top(figure, handles, f"batch {batch.name}: mean and 5-95% band across "
                  f"{batch.attributes.get('replicates', '?')} replicates per condition")
    figure.tight_layout()
    written = save(figure, Path(out) if out else batch.directory, "fan_chart")
    if "effects" in batch.groups:
        written += plot_effects(batch, Path(out) if out else batch.directory)
    return written


def plot_effects(batch: Batch, out: Path) -> List[Path]:
    """Per chosen figure, each counterfactual's paired effect: median and 90%
    interval, with what uncertainty the interval holds (parameter and
    stochastic with a posterior, stochastic alone without)."""
    effects = batch.summary("effects")
    value = effects.paired_effect
    contrasts = [str(c) for c in value.contrast.values]
    figures = [str(f) for f in value.effect.values  # not an observable of the runs: all NaN
               if not np.isnan(value.sel(effect=f).values).all()]
    figure, axes = grid(len(figures), 2, width=6.0, height=0.9 + 0.45 * len(contrasts))
    y = np.arange(len(contrasts))
    for axis, name in zip(axes, figures):
        def stat(s):
            return value.sel(effect=name, statistic=s).values
        median, low, high = stat("q50"), stat("q05"), stat("q95")
        axis.errorbar(median, y, xerr=[median - low, high - median], fmt="o", capsize=3)
        axis.axvline(0, color="0.5", lw=0.8)
        axis.set_yticks(y)
        axis.set_yticklabels(contrasts, fontsize=8)
        axis.invert_yaxis()
        axis.set_title(name, fontsize=9)
        axis.set_xlabel("counterfactual - baseline")
    pairs = int(np.nanmax(effects.pairs.values)) if effects.pairs.size else 0
    figure.suptitle(f"batch {batch.name}: paired effects, median and 90% interval over "
                    f"{pairs} replicates\n{value.attrs.get('long_name', '')}", fontsize=9)
    figure.tight_layout()
    return save(figure, out, "effects")
