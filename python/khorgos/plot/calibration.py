"""Figures of a posterior file:
  posterior    marginal (diagonal) and pairwise posteriors of a generation,
               weighted; log axes for log-uniform priors; the point fit in red
  progress     tolerance, effective sample size and acceptance per generation
  predictive   each target's posterior predictive (median and 90% interval of
               the fresh simulations) over the official figure
  waves        history matching (if the file has waves): the region's share of
               the box and the share each wave kept; the emulators' leave-one-out
               standardised errors per target (last wave), with the +-3 band
  depth        history matching: per pair of parameters, the optical depth of
               the last region (below the diagonal) and the design points of
               every wave (above, coloured by wave)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import matplotlib.colors
import numpy as np

from ..posterior import Posterior, read_posterior
from .style import CONTEXT, FIT, MODEL, OFFICIAL, legend_on_top, plt, save


def plot_posterior(post: Posterior, generation: int, out: Path) -> List[Path]:
    gen = post.generations[generation]
    x, w = gen.particles, gen.weights
    d = x.shape[1]
    logs = [post.prior_box(i)[2] for i in range(d)]
    fig, axes = plt.subplots(d, d, figsize=(2.2 * d + 1.5, 2.2 * d + 1), squeeze=False)
    points = None
    for i in range(d):
        for j in range(d):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(x[:, i], bins=np.geomspace(x[:, i].min(), x[:, i].max(), 21)
                        if logs[i] and x[:, i].min() > 0 else 20, weights=w, color=MODEL)
                ax.set_xscale("log" if logs[i] else "linear")
                ax.set_yticks([])
                if post.fit is not None:
                    ax.axvline(post.fit[i], color=FIT, lw=1)
            else:
                points = ax.scatter(x[:, j], x[:, i], s=6, c=w, cmap="viridis", alpha=0.8)
                if post.fit is not None:
                    ax.plot(post.fit[j], post.fit[i], "x", color=FIT, ms=6)
                ax.set_xscale("log" if logs[j] else "linear")
                ax.set_yscale("log" if logs[i] else "linear")
            ax.tick_params(axis="x", which="both", labelrotation=45)  # log axes label minor ticks
            if i == d - 1:
                ax.set_xlabel(post.names[j])
            if j == 0 and i != j:
                ax.set_ylabel(post.names[i])
    if points is not None:
        fig.colorbar(points, ax=axes, shrink=0.4, label="particle weight")
    handles = [plt.Rectangle((0, 0), 1, 1, color=MODEL, label="weighted marginal")]
    if post.fit is not None:
        handles.append(plt.Line2D([], [], marker="x", color=FIT, label="point fit ABC started from"))
    legend_on_top(fig, handles, f"Posterior of generation {gen.number} (weighted particles, "
                  f"ESS {gen.ess:.0f}, tolerance {gen.tolerance:.3g})")
    return save(fig, out, "posterior")


def plot_progress(post: Posterior, out: Path) -> List[Path]:
    gens = post.generations
    index = np.array([g.number for g in gens])
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    # Generation 0 samples the prior (or the fit's region) with no tolerance yet:
    # an infinite tolerance is left out of its panel, not the generation.
    tolerance = np.array([g.tolerance for g in gens])
    finite = np.isfinite(tolerance) & (tolerance > 0)
    axes[0].plot(index[finite], tolerance[finite], "o-", color=MODEL)
    axes[0].set_yscale("log")
    axes[0].set_title("tolerance (distance accepted)")
    axes[1].plot(index, [g.ess for g in gens], "o-", color=MODEL)
    axes[1].set_title("effective sample size (particles)")
    axes[2].plot(index, [g.acceptance for g in gens], "o-", color=MODEL)
    axes[2].set_yscale("log")
    axes[2].set_title("acceptance rate (accepted / proposed)")
    for ax in axes:
        ax.set_xlabel("generation")
        ax.set_xlim(-0.5, max(index.max(), 1) + 0.5)
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    fig.suptitle(f"ABC-SMC progress over {len(gens)} generations "
                 f"({sum(g.simulations for g in gens)} simulations)")
    fig.tight_layout()
    return save(fig, out, "progress")


def plot_predictive(post: Posterior, out: Path) -> List[Path]:
    p = post.predictive
    m = len(post.target_ids)
    fig, ax = plt.subplots(figsize=(8, 0.32 * m + 1.6))
    for i in range(m):
        ref = post.target_values[i]
        if not ref:
            continue
        lo, med, hi = (p[k][i] / ref for k in ("lower90", "median", "upper90"))
        if not np.isfinite(med):
            continue
        colour = MODEL if post.fitted[i] else CONTEXT
        y = m - 1 - i
        if post.target_lower[i] < post.target_upper[i]:
            ax.fill_betweenx([y - 0.35, y + 0.35], post.target_lower[i] / ref,
                             post.target_upper[i] / ref, color="tab:orange", alpha=0.3, lw=0)
        ax.plot([max(lo, 1e-3), max(hi, 1e-3)], [y, y], color=colour, lw=2)
        ax.plot([max(med, 1e-3)], [y], "o", color=colour)
    ax.axvline(1, color=OFFICIAL, lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(range(m))
    ax.set_yticklabels([f"{a} {b}" for a, b in zip(post.target_ids[::-1],
                                                    post.target_periods[::-1])])
    ax.set_xlabel("posterior predictive / official figure (1 = the official figure)")
    fig.tight_layout()
    handles = [plt.Line2D([], [], marker="o", color=MODEL, label="fitted: median, 90% interval"),
               plt.Line2D([], [], marker="o", color=CONTEXT, label="held out (not fitted)"),
               plt.Rectangle((0, 0), 1, 1, color="tab:orange", alpha=0.3,
                             label="official range")]
    legend_on_top(fig, handles, f"Posterior predictive: fresh simulations from generation "
                  f"{p['generation']}")
    return save(fig, out, "predictive")


def plot_waves(post: Posterior, out: Path) -> List[Path]:
    waves = post.waves
    fitted = np.flatnonzero(post.fitted)
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.4), gridspec_kw={"width_ratios": [1, 2]})
    index = np.arange(len(waves))
    axes[0].plot(index, [w.fraction for w in waves], "o-", color=MODEL,
                 label="region's share of the box")
    axes[0].plot(index, [w.kept for w in waves], "s--", color=CONTEXT,
                 label="share of the region kept")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("wave")
    axes[0].xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    axes[0].legend()
    loo = waves[-1].loo[:, fitted]
    for k in range(len(fitted)):
        z = loo[:, k]
        axes[1].plot(np.full(len(z), k) + np.linspace(-0.25, 0.25, len(z)), z, ".", ms=3,
                     color=FIT if np.mean(np.abs(z) <= 3) < 0.95 else MODEL)
    axes[1].axhspan(-3, 3, color="grey", alpha=0.15, lw=0)
    axes[1].set_xticks(range(len(fitted)))
    axes[1].set_xticklabels([f"{post.target_ids[i]} {post.target_periods[i]}" for i in fitted],
                            rotation=60, ha="right", fontsize=6)
    axes[1].set_ylabel("LOO standardised error")
    axes[1].set_title(f"emulators of wave {len(waves) - 1} (red: under 95% within +-3)")
    fig.suptitle("History matching")
    fig.tight_layout()
    return save(fig, out, "waves")


def plot_depth(post: Posterior, out: Path, bins: int = 20) -> List[Path]:
    waves = post.waves
    last = waves[-1]
    d = len(post.names)
    boxes = [post.prior_box(i) for i in range(d)]

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
        for j in range(i) if len(last.region) else []:
            counts, _, _ = np.histogram2d(unit(last.region[:, j], j), unit(last.region[:, i], i),
                                          bins=bins, range=[[0, 1], [0, 1]])
            depths[i, j] = counts / counts.sum() * last.fraction * bins * bins
    top = max([float(v.max()) for v in depths.values()] + [1e-300])
    norm = matplotlib.colors.LogNorm(vmin=top * 1e-3, vmax=top)
    fig, axes = plt.subplots(d, d, figsize=(2.2 * d + 1, 2.2 * d + 1), squeeze=False)
    image = None
    for i in range(d):
        for j in range(d):
            ax = axes[i][j]
            ax.grid(False)
            if i == j:
                ax.hist(unit(last.region[:, j], j), bins=bins, range=(0, 1), color=MODEL)
                ax.set_yticks([])
            elif (i, j) in depths:
                depth = np.ma.masked_less_equal(depths[i, j].T, 0)
                ax.set_facecolor("black")
                image = ax.imshow(depth, origin="lower", extent=(0, 1, 0, 1), norm=norm,
                                  cmap="magma", aspect="auto")
            elif j > i:
                for k, w in enumerate(waves):
                    ax.plot(unit(w.design[:, j], j), unit(w.design[:, i], i), ".", ms=3,
                            color=plt.cm.viridis(k / max(1, len(waves) - 1)))
                ax.set_xlim(0, 1)
                ax.set_ylim(0, 1)
            if i == d - 1:
                ax.set_xlabel(("log " if boxes[j][2] else "") + post.names[j] + " (box = 0-1)",
                              fontsize=6)
            if j == 0:
                ax.set_ylabel(post.names[i], fontsize=6)
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.5, label="optical depth (black: 0)")
    fig.suptitle(f"History matching: optical depth after wave {len(waves) - 1} (below), "
                 "designs by wave (above)")
    return save(fig, out, "depth")


def plot_calibration(path, out: Optional[Path] = None, generation: int = -1) -> List[Path]:
    """Draws the figures of a posterior file into `out` (default POSTERIOR-plots)."""
    post = read_posterior(path)
    out = Path(out) if out else Path(str(path)).with_name(Path(str(path)).stem + "-plots")
    written: List[Path] = []
    if post.waves:
        written += plot_waves(post, out) + plot_depth(post, out)
    if post.generations:
        written += plot_posterior(post, generation, out) + plot_progress(post, out)
        if post.predictive is not None:
            written += plot_predictive(post, out)
        else:
            print("khorgos.plot calibration: no predictive in the file (the calibration was "
                  "interrupted; --resume draws it)", file=sys.stderr)
    elif not post.waves:
        print(f"khorgos.plot calibration: {path}: no finished generation or wave (a point "
              "fit has nothing to plot)", file=sys.stderr)
    return written
