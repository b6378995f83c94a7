"""Figures of one run file: observables against the official figures, stocks,
and flows by border crossing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import numpy as np

from .. import targets as targets_file
from .._h5 import text
from ..run import Run
from .style import (CONTEXT, MODEL, OFFICIAL, grid, legend_on_top, observable_label, plt, save,
                    title, unit_label)


def _warn(message: str) -> None:
    print(f"khorgos.plot run: {message}", file=sys.stderr)


def _points(axis, spans, values, errors=None, **style):
    """Points at the middle of their periods, the period as a horizontal bar."""
    if not values:
        return
    middle = [(a + b) / 2 for a, b in spans]
    half = [(b - a) / 2 for a, b in spans]
    axis.errorbar(middle, values, xerr=half, yerr=errors, linestyle="none", capsize=3, **style)


def plot_observables(run: Run, official: List[dict], out: Path) -> List[Path]:
    model = list(run.observables().values())
    ids = list(dict.fromkeys([o.id for o in model] + [t["id"] for t in official]))
    if not ids:
        _warn("no observables and no targets, observables not drawn")
        return []
    figure, axes = grid(len(ids), 4, height=3.2)
    span = targets_file.period_span
    for axis, oid in zip(axes, ids):
        mine = [o for o in model if o.id == oid]
        _points(axis, [span(o.period) for o in mine], [o.value for o in mine],
                marker="o", color=MODEL)
        for fitted, colour, face in ((True, OFFICIAL, OFFICIAL), (False, CONTEXT, "none")):
            rows = [t for t in official if t["id"] == oid and t["fitted"] == fitted]
            if rows:
                _points(axis, [span(t["period"]) for t in rows], [t["value"] for t in rows],
                        [[t["value"] - t["lower"] for t in rows],
                         [t["upper"] - t["value"] for t in rows]],
                        marker="s", mfc=face, color=colour)
        definition = mine[0].definition if mine else oid
        axis.set_title(title(definition) + f"\n[{oid}]", fontsize=8)
        if mine:
            axis.set_ylabel(observable_label(oid, mine[0].units, mine[0].definition))
        axis.set_xlabel("year")
        # Whole years on the axis, at least three, and zero in view so that model
        # and official figures compare by magnitude.
        axis.xaxis.set_major_locator(plt.MaxNLocator(integer=True, nbins=5))
        left, right = axis.get_xlim()
        middle = (left + right) / 2
        axis.set_xlim(min(left, middle - 1.5), max(right, middle + 1.5))
        highest = [o.value for o in mine] + [t["upper"] for t in official if t["id"] == oid]
        if highest and max(highest) > 0:
            axis.set_ylim(0, max(highest) * 1.12)
    handles = [
        plt.Line2D([], [], marker="o", color=MODEL, linestyle="none", label="model"),
        plt.Line2D([], [], marker="s", color=OFFICIAL, linestyle="none",
                   label="official figure (fitted)"),
        plt.Line2D([], [], marker="s", mfc="none", color=CONTEXT, linestyle="none",
                   label="official figure (context, not fitted)"),
    ]
    legend_on_top(figure, handles, f"{text(run.file.attrs.get('title', b''))}: observables at "
                  "the middle of their periods (bars: the period, and the official range)")
    figure.tight_layout()
    return save(figure, out, "observables")


def _series(run: Run, name: str):
    """The variable `name` over time as a labelled DataArray, or None."""
    for group, variable in run.variables():
        if variable == name and "time" in run.dims(variable, group):
            return run.data_array(variable, group)
    return None


def _total(series, keep: str):
    return series.sum(dim=[d for d in series.dims if d not in ("time", keep)])


def step_days(series) -> float:
    """Days per simulation step, from the time coordinate (1 for a single step)."""
    days = np.diff(series.time.values).astype("timedelta64[D]").astype(float)
    return float(np.median(days)) if len(days) else 1.0


def per_day(run: Run, flow):
    """A flow (a sum over each step) per day, at the middle of its step: from the
    time bounds (format 3; a last step cut short by the horizon counts its own
    days), else from the step length, at the step's start as format 2 stored it."""
    bounds = run.bounds("time")
    if bounds is None:
        return flow / step_days(flow)
    length = (bounds[:, 1] - bounds[:, 0]).astype("timedelta64[D]").astype(float)
    middle = bounds[:, 0] + (bounds[:, 1] - bounds[:, 0]) / 2
    rate = flow / flow.time.copy(data=length)
    return rate.assign_coords(time=middle)


def plot_stocks(run: Run, out: Path) -> List[Path]:
    stock = _series(run, "stock")
    if stock is None:
        _warn("no daily 'stock' variable, stocks not drawn")
        return []
    panels = [d for d in ("agent_type", "region") if d in stock.dims] or [None]
    figure, axes = grid(len(panels), 2, width=6.5, height=4)
    for axis, dim in zip(axes, panels):
        series = _total(stock, dim or "time")
        for label in series[dim].values if dim else [None]:
            line = series.sel({dim: label}) if dim else series
            axis.plot(series.time, line, label=str(label) if dim else "all", lw=1)
        axis.set_title(f"by {run.coordinate_long_name(dim)}" if dim else "all")
        axis.set_ylabel(unit_label(stock.attrs.get("units", ""), "persons present"))
        axis.set_xlabel("date")
        axis.set_ylim(bottom=0)
        axis.legend()
    figure.suptitle(title(stock.attrs.get("long_name", "stock"), 100))
    figure.tight_layout()
    return save(figure, out, "stocks")


def plot_flows(run: Run, out: Path, window_days: int) -> List[Path]:
    flow = _series(run, "flow")
    if flow is None or "crossing" not in flow.dims:
        _warn("no daily 'flow' variable by crossing, flows not drawn")
        return []
    # Flows are sums over a step; per day they compare across step lengths, and
    # the running mean spans whole steps covering about `window_days` days.
    days = step_days(flow)
    steps = max(1, round(window_days / days))
    rate = per_day(run, flow)
    crossings = list(flow["crossing"].values)
    figure, axes = grid(len(crossings), 2, width=6.5, height=3.5)
    by_direction = "direction" in flow.dims
    for axis, crossing in zip(axes, crossings):
        one = rate.sel(crossing=crossing)
        series = _total(one, "direction" if by_direction else "time")
        for label in series["direction"].values if by_direction else [None]:
            line = series.sel(direction=label) if label is not None else series
            line = line.rolling(time=steps, center=True, min_periods=1).mean()
            axis.plot(line.time, line, lw=1, label=str(label) if label is not None else "all")
        axis.set_title(str(crossing))
        axis.set_ylabel("crossings per day")
        axis.set_xlabel("date")
        axis.set_ylim(bottom=0)
        axis.legend()
    figure.suptitle(f"{title(flow.attrs.get('long_name', 'flow'), 100)}: per day, "
                    f"{steps * days:g}-day running mean ({steps} step(s) of {days:g} day(s))")
    figure.tight_layout()
    return save(figure, out, "flows")


def plot_run(path, out: Optional[Path] = None, targets: Optional[Path] = None,
             window_days: int = 30) -> List[Path]:
    """Draws observables, stocks and flows of a run file into `out` (default
    RUN-plots beside the file); official figures from `targets` (default the
    repository's calibration/targets/article.toml when it is there)."""
    out = Path(out) if out else Path(str(path)).with_suffix("").with_name(
        Path(str(path)).stem + "-plots")
    official = targets_file.load(targets if targets else targets_file.default_path())
    with Run(path) as run:
        return (plot_observables(run, official, out) + plot_stocks(run, out)
                + plot_flows(run, out, max(1, window_days)))
