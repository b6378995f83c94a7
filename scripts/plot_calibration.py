#!/usr/bin/python3
"""Plot a khorgos calibration (the posterior file of `khorgos calibrate`).

    plot_calibration.py POSTERIOR.h5 [--out DIR] [--generation N]

Writes into DIR (default: POSTERIOR-plots next to the file), as PNG and PDF:
  posterior    marginal (diagonal) and pairwise posteriors of the last (or
               chosen) generation, weighted; log axes for log-uniform priors;
               the point fit ABC started from (if any) in red
  progress     tolerance, effective sample size and acceptance per generation
  predictive   each target's posterior predictive (median and 90% interval of
               the fresh simulations in /predictive) divided by the official
               figure; official ranges as bands; held-out targets in grey
  waves        history matching (if the file has waves): the region's share of
               the box and the share each wave kept; the emulators' leave-one-out
               standardised errors per target (last wave), with the +-3 band
  depth        history matching: per pair of parameters, the optical depth of
               the last region (below the diagonal: the share of the other
               parameters' box that is non-implausible at each pair of values,
               from the region's uniform sample and its share of the box) and
               the design points of every wave (above, coloured by wave)
Headless (matplotlib's Agg backend).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import h5py
import matplotlib
import matplotlib.colors
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def load(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("format", b"") not in (b"khorgos posterior 2", "khorgos posterior 2"):
            sys.exit(f"{path}: not a khorgos posterior file (format 2)")
        data = {
            "names": text(f["parameters/names"][...]),
            "priors": text(f["parameters/priors"][...]),
            "ids": text(f["targets/id"][...]),
            "periods": text(f["targets/period"][...]),
            "value": f["targets/value"][...],
            "lower": f["targets/lower"][...],
            "upper": f["targets/upper"][...],
            "fitted": f["targets/fitted"][...] > 0,
            "generations": [],
            "waves": [],
            "fit": f["fit/parameters"][...] if "fit" in f else None,
            "predictive": None,
        }
        if "predictive" in f:
            p = f["predictive"]
            data["predictive"] = {"generation": int(p.attrs["generation"]),
                                  **{k: p[k][...] for k in ("median", "lower90", "upper90")}}
        for name in f["generations"]:
            g = f["generations"][name]
            data["generations"].append({
                **{k: float(g.attrs[k]) for k in ("tolerance", "acceptance", "ess", "seconds")},
                "simulations": int(g.attrs["simulations"]),
                "particles": g["particles"][...],
                "weights": g["weights"][...],
                "simulated": g["simulated"][...],
            })
        if "history_matching" in f:
            for name in f["history_matching/waves"]:
                w = f["history_matching/waves"][name]
                data["waves"].append({
                    **{k: float(w.attrs[k]) for k in ("kept", "fraction", "emulator_share")},
                    **{k: w[k][...] for k in ("design", "loo", "region")}})
    if not data["generations"] and not data["waves"]:
        sys.exit(f"{path}: no finished generation or wave (a point fit has nothing to plot)")
    return data


def prior_box(description):
    """(lower, upper, log) of a prior's description, e.g. "log_uniform(1e-06, 0.001)"."""
    numbers = [float(x) for x in re.findall(r"[-+]?[0-9.]+(?:e[-+]?[0-9]+)?", description)]
    return numbers[-2], numbers[-1], description.startswith("log_uniform")


def save(fig, out, name):
    for ext in ("png", "pdf"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), dpi=130, bbox_inches="tight")
    plt.close(fig)


def plot_posterior(data, gen, out):
    x, w = gen["particles"], gen["weights"]
    d = x.shape[1]
    logs = [p.startswith("log_uniform") for p in data["priors"]]
    fig, axes = plt.subplots(d, d, figsize=(2.2 * d + 1, 2.2 * d + 1), squeeze=False)
    for i in range(d):
        for j in range(d):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                v = np.log10(x[:, i]) if logs[i] else x[:, i]
                ax.hist(v, bins=20, weights=w, color="tab:blue", alpha=0.8)
                ax.set_yticks([])
                if data["fit"] is not None:
                    f = data["fit"][i]
                    ax.axvline(np.log10(f) if logs[i] else f, color="tab:red", lw=1)
            else:
                ax.scatter(x[:, j], x[:, i], s=6, c=w, cmap="viridis", alpha=0.8)
                if data["fit"] is not None:
                    ax.plot(data["fit"][j], data["fit"][i], "x", color="tab:red", ms=6)
                ax.set_xscale("log" if logs[j] else "linear")
                ax.set_yscale("log" if logs[i] else "linear")
            if i == d - 1:
                ax.set_xlabel(("log10 " if i == j and logs[j] else "") + data["names"][j], fontsize=7)
            if j == 0 and i != j:
                ax.set_ylabel(data["names"][i], fontsize=7)
            ax.tick_params(labelsize=6)
    fig.suptitle(f"Posterior (weighted particles), ESS {gen['ess']:.0f}")
    save(fig, out, "posterior")


def plot_progress(data, out):
    gens = data["generations"]
    index = np.arange(len(gens))
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    tol = [g["tolerance"] for g in gens]
    axes[0].plot(index[1:], tol[1:], "o-")
    axes[0].set_yscale("log")
    axes[0].set_title("tolerance")
    axes[1].plot(index, [g["ess"] for g in gens], "o-")
    axes[1].set_title("effective sample size")
    axes[2].plot(index, [g["acceptance"] for g in gens], "o-")
    axes[2].set_yscale("log")
    axes[2].set_title("acceptance rate")
    for ax in axes:
        ax.set_xlabel("generation")
    save(fig, out, "progress")


def plot_predictive(data, out):
    p = data["predictive"]
    m = len(data["ids"])
    fig, ax = plt.subplots(figsize=(8, 0.32 * m + 1.2))
    for i in range(m):
        ref = data["value"][i]
        if not ref:
            continue
        lo, med, hi = (p[k][i] / ref for k in ("lower90", "median", "upper90"))
        if not np.isfinite(med):
            continue
        colour = "tab:blue" if data["fitted"][i] else "grey"
        y = m - 1 - i
        if data["lower"][i] < data["upper"][i]:
            ax.fill_betweenx([y - 0.35, y + 0.35], data["lower"][i] / ref, data["upper"][i] / ref,
                             color="tab:orange", alpha=0.3, lw=0)
        ax.plot([max(lo, 1e-3), max(hi, 1e-3)], [y, y], color=colour, lw=2)
        ax.plot([max(med, 1e-3)], [y], "o", color=colour)
    ax.axvline(1, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(range(m))
    ax.set_yticklabels([f"{a} {p}" for a, p in zip(data["ids"][::-1], data["periods"][::-1])],
                       fontsize=7)
    ax.set_xlabel(f"posterior predictive / official figure\n(median and 90% interval of fresh "
                  f"simulations from generation {p['generation']}; grey: held out)")
    save(fig, out, "predictive")


def plot_waves(data, out):
    waves = data["waves"]
    fitted = np.flatnonzero(data["fitted"])
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.4), gridspec_kw={"width_ratios": [1, 2]})
    index = np.arange(len(waves))
    axes[0].plot(index, [w["fraction"] for w in waves], "o-", label="region's share of the box")
    axes[0].plot(index, [w["kept"] for w in waves], "s--", label="share of the region kept")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("wave")
    axes[0].legend(fontsize=7)
    loo = waves[-1]["loo"][:, fitted]
    for k, i in enumerate(fitted):
        z = loo[:, k]
        axes[1].plot(np.full(len(z), k) + np.linspace(-0.25, 0.25, len(z)), z, ".", ms=3,
                     color="tab:red" if np.mean(np.abs(z) <= 3) < 0.95 else "tab:blue")
    axes[1].axhspan(-3, 3, color="grey", alpha=0.15, lw=0)
    axes[1].set_xticks(range(len(fitted)))
    axes[1].set_xticklabels([f"{data['ids'][i]} {data['periods'][i]}" for i in fitted],
                            rotation=60, ha="right", fontsize=6)
    axes[1].set_ylabel("LOO standardised error")
    axes[1].set_title(f"emulators of wave {len(waves) - 1} (red: under 95% within +-3)",
                      fontsize=9)
    save(fig, out, "waves")


def plot_depth(data, out, bins=20):
    waves = data["waves"]
    last = waves[-1]
    d = len(data["names"])
    boxes = [prior_box(p) for p in data["priors"]]

    def unit(values, j):
        lo, hi, log = boxes[j]
        return ((np.log(values) - np.log(lo)) / (np.log(hi) - np.log(lo)) if log
                else (values - lo) / (hi - lo))

    # The region's sample is uniform on it: its share in a cell, times the
    # region's share of the box, over the cell's share of the box, is the share
    # of the cell's slice that is non-implausible. A small region has small
    # depths everywhere, hence the logarithmic colours (three decades).
    depths = {}
    for i in range(d):
        for j in range(i) if len(last["region"]) else []:
            counts, _, _ = np.histogram2d(unit(last["region"][:, j], j),
                                          unit(last["region"][:, i], i),
                                          bins=bins, range=[[0, 1], [0, 1]])
            depths[i, j] = counts / counts.sum() * last["fraction"] * bins * bins
    top = max([float(v.max()) for v in depths.values()] + [1e-300])
    norm = matplotlib.colors.LogNorm(vmin=top * 1e-3, vmax=top)
    fig, axes = plt.subplots(d, d, figsize=(2.2 * d + 1, 2.2 * d + 1), squeeze=False)
    image = None
    for i in range(d):
        for j in range(d):
            ax = axes[i][j]
            ax.tick_params(labelsize=6)
            if i == j:
                ax.hist(unit(last["region"][:, j], j), bins=bins, range=(0, 1), color="tab:blue")
                ax.set_yticks([])
            elif (i, j) in depths:
                depth = np.ma.masked_less_equal(depths[i, j].T, 0)
                ax.set_facecolor("black")
                image = ax.imshow(depth, origin="lower", extent=(0, 1, 0, 1), norm=norm,
                                  cmap="magma", aspect="auto")
            elif j > i:
                for k, w in enumerate(waves):
                    ax.plot(unit(w["design"][:, j], j), unit(w["design"][:, i], i), ".", ms=3,
                            color=plt.cm.viridis(k / max(1, len(waves) - 1)))
                ax.set_xlim(0, 1)
                ax.set_ylim(0, 1)
            if i == d - 1:
                ax.set_xlabel(("log " if boxes[j][2] else "") + data["names"][j] + " (box = 0-1)",
                              fontsize=6)
            if j == 0:
                ax.set_ylabel(data["names"][i], fontsize=6)
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.5, label="optical depth (black: 0)")
    fig.suptitle(f"History matching: optical depth after wave {len(waves) - 1} (below), "
                 "designs by wave (above)")
    save(fig, out, "depth")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posterior")
    parser.add_argument("--out")
    parser.add_argument("--generation", type=int, default=-1)
    args = parser.parse_args(argv)
    data = load(args.posterior)
    out = args.out or os.path.splitext(args.posterior)[0] + "-plots"
    os.makedirs(out, exist_ok=True)
    if data["waves"]:
        plot_waves(data, out)
        plot_depth(data, out)
    if not data["generations"]:
        print(out)
        return
    gen = data["generations"][args.generation]
    plot_posterior(data, gen, out)
    plot_progress(data, out)
    if data["predictive"] is not None:
        plot_predictive(data, out)
    else:
        print("no /predictive in the file (the calibration was interrupted; --resume draws it)",
              file=sys.stderr)
    print(out)


if __name__ == "__main__":
    main()
