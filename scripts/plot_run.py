#!/usr/bin/python3
"""Plot one khorgos run: observables against the official figures, stocks by
agent type and by region over time, and flows by border crossing.

    plot_run.py RUN.h5 [--out DIR] [--targets calibration/targets/article.toml]

Writes observables, stocks and flows as PNG and PDF into DIR (default:
RUN-plots next to the run file). The official figures come from a targets
file ([[target]] tables with id, period, value and optionally lower/upper);
without --targets the repository's calibration/targets/article.toml is used
if present, and without any the observables are drawn alone. Headless
(matplotlib's Agg backend).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.ticker import MaxNLocator  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import khorgos_io  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_TARGETS = REPOSITORY / "calibration" / "targets" / "article.toml"


def decimal_year(date: datetime.date) -> float:
    start = datetime.date(date.year, 1, 1)
    length = (datetime.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / length


def period_span(period: str) -> Tuple[float, float]:
    """(start, end) in decimal years of "2010" (the whole year), "2000-12-31"
    (one day) or an interval "1995-01-01/2014-12-31"."""
    if "/" in period:
        first, last = period.split("/", 1)
        return period_span(first)[0], period_span(last)[1]
    if len(period) == 4 and period.isdigit():
        return float(period), float(period) + 1
    day = datetime.date.fromisoformat(period)
    return decimal_year(day), decimal_year(day + datetime.timedelta(days=1))


def load_targets(path: Optional[Path]) -> List[dict]:
    """[[target]] entries with id, period and value; others are skipped with a warning."""
    if path is None:
        return []
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        print("plot_run: no tomllib (Python >= 3.11 needed), official figures not drawn",
              file=sys.stderr)
        return []
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    targets = []
    for entry in data.get("target", []):
        if not all(key in entry for key in ("id", "period", "value")):
            print(f"plot_run: {path}: skipping a target without id, period and value",
                  file=sys.stderr)
            continue
        targets.append(entry)
    return targets


def save(figure, out: Path, name: str) -> List[Path]:
    paths = [out / f"{name}.png", out / f"{name}.pdf"]
    for path in paths:
        figure.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(figure)
    return paths


def grid(count: int, columns: int, width: float = 4.2, height: float = 3.0):
    rows = max(1, -(-count // columns))
    columns = min(columns, max(count, 1))
    figure, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows),
                                squeeze=False)
    flat = axes.ravel()
    for axis in flat[count:]:
        axis.set_visible(False)
    return figure, flat[:count]


def draw_points(axis, spans, values, errors, **style):
    """Points at the middle of their periods, with the period as a horizontal bar."""
    if not values:
        return
    middle = [(a + b) / 2 for a, b in spans]
    half = [(b - a) / 2 for a, b in spans]
    axis.errorbar(middle, values, xerr=half, yerr=errors, linestyle="none", capsize=3, **style)


def plot_observables(run: khorgos_io.Run, targets: List[dict], out: Path) -> List[Path]:
    model = run.observables()
    ids: List[str] = []
    for oid, _ in model:
        if oid not in ids:
            ids.append(oid)
    for target in targets:
        if target["id"] not in ids:
            ids.append(target["id"])
    if not ids:
        print("plot_run: no observables and no targets, observables not drawn", file=sys.stderr)
        return []
    figure, axes = grid(len(ids), 4)
    for axis, oid in zip(axes, ids):
        mine = [o for (i, _), o in model.items() if i == oid]
        draw_points(axis, [period_span(o.period) for o in mine], [o.value for o in mine], None,
                    marker="o", color="tab:blue", label="model")
        official = [t for t in targets if t["id"] == oid]
        low = [t["value"] - t.get("lower", t["value"]) for t in official]
        high = [t.get("upper", t["value"]) - t["value"] for t in official]
        draw_points(axis, [period_span(str(t["period"])) for t in official],
                    [t["value"] for t in official], [low, high] if official else None,
                    marker="s", mfc="none", color="tab:red", label="official")
        axis.set_title(oid, fontsize=9)
        units = mine[0].units if mine else ""
        axis.set_ylabel(units, fontsize=8)
        axis.tick_params(labelsize=7)
        # Whole years on the axis, at least three of them, and zero in view so
        # that model and official figures compare by magnitude.
        axis.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        left, right = axis.get_xlim()
        middle = (left + right) / 2
        axis.set_xlim(min(left, middle - 1.5), max(right, middle + 1.5))
        values = [o.value for o in mine] + [t.get("lower", t["value"]) for t in official]
        highest = [o.value for o in mine] + [t.get("upper", t["value"]) for t in official]
        if values and min(values) >= 0 and max(highest) > 0:
            axis.set_ylim(0, max(highest) * 1.12)
    handles = [
        plt.Line2D([], [], marker="o", color="tab:blue", linestyle="none", label="model"),
        plt.Line2D([], [], marker="s", mfc="none", color="tab:red", linestyle="none",
                   label="official"),
    ]
    figure.legend(handles=handles, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 1.02))
    figure.suptitle("Observables (points at the middle of their periods)", y=1.05)
    figure.tight_layout()
    return save(figure, out, "observables")


def find_series(run: khorgos_io.Run, name: str):
    """The variable `name` over time as a labelled DataArray, or None."""
    for group, variable in run.variables():
        if variable == name and "time" in run.dims(variable, group):
            return run.data_array(variable, group)
    return None


def totals_over(series, keep: str):
    """Sums a series over every dimension except time and `keep`."""
    return series.sum(dim=[d for d in series.dims if d not in ("time", keep)])


def plot_stocks(run: khorgos_io.Run, out: Path) -> List[Path]:
    stock = find_series(run, "stock")
    if stock is None:
        print("plot_run: no daily 'stock' variable, stocks not drawn", file=sys.stderr)
        return []
    panels = [d for d in ("agent_type", "region") if d in stock.dims] or [None]
    figure, axes = grid(len(panels), 2, width=6.5, height=4)
    for axis, dim in zip(axes, panels):
        if dim is None:
            axis.plot(stock.time, totals_over(stock, "time"), label="all")
        else:
            series = totals_over(stock, dim)
            for label in series[dim].values:
                axis.plot(series.time, series.sel({dim: label}), label=str(label), lw=1)
        axis.set_title(f"stock by {dim.replace('_', ' ')}" if dim else "stock")
        axis.set_ylabel(stock.attrs.get("units", ""))
        axis.legend(fontsize=7)
        axis.grid(alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    return save(figure, out, "stocks")


def plot_flows(run: khorgos_io.Run, out: Path, smooth: int) -> List[Path]:
    flow = find_series(run, "flow")
    if flow is None or "crossing" not in flow.dims:
        print("plot_run: no daily 'flow' variable by crossing, flows not drawn", file=sys.stderr)
        return []
    crossings = list(flow["crossing"].values)
    figure, axes = grid(len(crossings), 2, width=6.5, height=3.5)
    by_direction = "direction" in flow.dims
    for axis, crossing in zip(axes, crossings):
        one = flow.sel(crossing=crossing)
        series = totals_over(one, "direction") if by_direction else totals_over(one, "time")
        for label in series["direction"].values if by_direction else [None]:
            line = series.sel(direction=label) if label is not None else series
            # Daily counts are noisy; a centred running mean shows the trend.
            line = line.rolling(time=smooth, center=True, min_periods=1).mean()
            axis.plot(line.time, line, lw=1, label=str(label) if label is not None else "all")
        axis.set_title(f"{crossing} ({smooth}-day mean)")
        axis.set_ylabel(flow.attrs.get("units", ""))
        axis.legend(fontsize=7)
        axis.grid(alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    return save(figure, out, "flows")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="run file written by `khorgos run --out`")
    parser.add_argument("--out", type=Path, help="output directory (default: RUN-plots)")
    parser.add_argument("--targets", type=Path,
                        help=f"targets TOML (default: {DEFAULT_TARGETS.name} if present)")
    parser.add_argument("--smooth", type=int, default=30, help="days of the flow running mean")
    args = parser.parse_args(argv)

    targets_path = args.targets
    if targets_path is None and DEFAULT_TARGETS.exists():
        targets_path = DEFAULT_TARGETS
    if targets_path is not None and not targets_path.exists():
        print(f"plot_run: {targets_path}: no such file", file=sys.stderr)
        return 2
    out = args.out or Path(os.path.splitext(args.run)[0] + "-plots")
    try:
        run = khorgos_io.open_run(args.run)
    except khorgos_io.RunFileError as error:
        print(f"plot_run: {error}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    with run:
        written = plot_observables(run, load_targets(targets_path), out)
        written += plot_stocks(run, out)
        written += plot_flows(run, out, max(1, args.smooth))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
