#!/usr/bin/python3
"""Fan chart of a `khorgos batch`: per observable, the baseline and each
counterfactual (mean, and the 5-95% band across replicates) against the
official figures of calibration/targets/article.toml.

usage: scripts/plot_batch.py BATCH_DIR [--targets FILE] [--out STEM] [--max-conditions N]

Reads BATCH_DIR/summary.h5 (h5py) and writes STEM.png and STEM.pdf (default
BATCH_DIR/fan_chart). Observables whose periods are years are drawn over
time; the others (intervals, dates) as one point per condition with its band.
Runs headless (matplotlib's Agg backend)."""

import argparse
import math
import os
import sys
import tomllib

import matplotlib

matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import numpy as np  # noqa: E402

DEFAULT_TARGETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                               "calibration", "targets", "article.toml")


def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def read_summary(path):
    with h5py.File(path, "r") as f:
        baseline = f.attrs["baseline"]
        return {
            "name": text([f.attrs["batch_name"]])[0],
            "baseline": baseline.decode() if isinstance(baseline, bytes) else baseline,
            "conditions": text(f["condition"][()]),
            "statistics": text(f["statistic"][()]),
            "ids": text(f["observables/id"][()]),
            "periods": text(f["observables/period"][()]),
            "units": text(f["observables/units"][()]),
            "value": f["observables/value"][()],  # [condition, statistic, observable]
        }


def read_targets(path):
    with open(path, "rb") as f:
        targets = tomllib.load(f).get("target", [])
    out = {}
    for t in targets:
        value = float(t["value"])
        out[(t["id"], str(t["period"]))] = (value, float(t.get("lower", value)),
                                            float(t.get("upper", value)))
    return out


def is_year(period):
    return period.isdigit() and len(period) == 4


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("batch_dir")
    parser.add_argument("--targets", default=DEFAULT_TARGETS)
    parser.add_argument("--out", help="output path without extension (default BATCH_DIR/fan_chart)")
    parser.add_argument("--max-conditions", type=int, default=10,
                        help="draw at most this many conditions (the baseline first)")
    args = parser.parse_args()

    summary_path = os.path.join(args.batch_dir, "summary.h5")
    if not os.path.exists(summary_path):
        sys.exit(f"plot_batch: {summary_path} does not exist (has the batch finished?)")
    s = read_summary(summary_path)
    targets = read_targets(args.targets)
    stat = {name: i for i, name in enumerate(s["statistics"])}
    conditions = list(range(len(s["conditions"])))
    base = [c for c in conditions if s["conditions"][c].split(":")[0] == s["baseline"]][:1]
    conditions = (base + [c for c in conditions if c not in base])[:args.max_conditions]

    ids = list(dict.fromkeys(s["ids"]))
    columns = min(3, len(ids))
    rows = math.ceil(len(ids) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 3.6 * rows), squeeze=False)
    colours = plt.get_cmap("tab10")
    for panel, oid in enumerate(ids):
        ax = axes[panel // columns][panel % columns]
        index = [k for k, i in enumerate(s["ids"]) if i == oid]
        periods = [s["periods"][k] for k in index]
        yearly = all(is_year(p) for p in periods)
        x = np.array([int(p) for p in periods]) if yearly else np.arange(len(index))
        width = 0.8 / max(1, len(conditions))
        for n, c in enumerate(conditions):
            mean = s["value"][c, stat["mean"], index]
            low = s["value"][c, stat["q05"], index]
            high = s["value"][c, stat["q95"], index]
            colour = colours(n % 10)
            label = s["conditions"][c] + (" (baseline)" if c in base else "")
            if yearly and len(index) > 1:
                ax.plot(x, mean, "-o", color=colour, ms=3, lw=1.5 if c in base else 1, label=label)
                ax.fill_between(x, low, high, color=colour, alpha=0.18, lw=0)
            else:
                xs = x + (n - (len(conditions) - 1) / 2) * width
                ax.errorbar(xs, mean, yerr=[mean - low, high - mean], fmt="o", color=colour,
                            ms=4, capsize=2, label=label)
        official = [targets.get((oid, p)) for p in periods]
        if any(official):
            xs = [xv for xv, o in zip(x, official) if o]
            v = np.array([o[0] for o in official if o])
            lo = np.array([o[1] for o in official if o])
            hi = np.array([o[2] for o in official if o])
            ax.errorbar(xs, v, yerr=[v - lo, hi - v], fmt="D", color="black", ms=5,
                        capsize=3, label="official figure", zorder=5)
        if yearly and len(index) > 1:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            ax.set_xticks(x)
            ax.set_xticklabels([p.replace("/", "/\n") for p in periods], fontsize=7)
        ax.set_title(f"{oid} [{s['units'][index[0]]}]", fontsize=9)
        ax.grid(alpha=0.3)
    for panel in range(len(ids), rows * columns):
        axes[panel // columns][panel % columns].axis("off")
    handles, labels = axes[0][0].get_legend_handles_labels()
    for row in axes:
        for ax in row:
            h, l = ax.get_legend_handles_labels()
            for hh, ll in zip(h, l):
                if ll not in labels:
                    handles.append(hh)
                    labels.append(ll)
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8,
               frameon=False)
    fig.suptitle(f"khorgos batch '{s['name']}': mean and 5-95% band across replicates")
    fig.tight_layout(rect=(0, 0.04 + 0.02 * math.ceil(len(labels) / 4), 1, 0.97))
    stem = args.out or os.path.join(args.batch_dir, "fan_chart")
    for extension in ("png", "pdf"):
        fig.savefig(f"{stem}.{extension}", dpi=120)
    print(f"{stem}.png\n{stem}.pdf")


if __name__ == "__main__":
    main()
