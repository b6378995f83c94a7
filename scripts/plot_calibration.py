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
Headless (matplotlib's Agg backend).
"""

from __future__ import annotations

import argparse
import os
import sys

import h5py
import matplotlib
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
    if not data["generations"]:
        sys.exit(f"{path}: no finished generation (a point fit has nothing to plot)")
    return data


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posterior")
    parser.add_argument("--out")
    parser.add_argument("--generation", type=int, default=-1)
    args = parser.parse_args(argv)
    data = load(args.posterior)
    out = args.out or os.path.splitext(args.posterior)[0] + "-plots"
    os.makedirs(out, exist_ok=True)
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
