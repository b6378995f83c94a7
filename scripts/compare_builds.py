#!/usr/bin/python3
"""Are two khorgos builds statistically the same model?

Runs a scenario with seeds 1..N on both binaries and compares, for every
observable and every cell of the yearly series, the means over seeds with
Welch's z = (mean_b - mean_a) / sqrt(var_a / N + var_b / N). A change of the
sampling scheme (an optimisation that draws the same distributions
differently) should leave every |z| small. The bound is Bonferroni's: a cell
is flagged (exit code 1) when its two-sided normal p-value is below
0.01 / cells, so two identical models are flagged once in a hundred
comparisons. z is close to normal from about 30 seeds on (the default).

  /usr/bin/python3 scripts/compare_builds.py OLD/khorgos NEW/khorgos
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np


def outputs(binary, scenario, seeds, scale, directory, tag):
    rows = []
    for seed in range(1, seeds + 1):
        path = os.path.join(directory, f"{tag}-{seed}.h5")
        subprocess.run([binary, "run", scenario, "--seed", str(seed), "--scale", str(scale),
                        "--threads", "1", "--out", path, "--force", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        cells = {}
        with h5py.File(path, "r") as f:
            obs = f["observables"]
            for i, p, v in zip(obs["id"][...], obs["period"][...], obs["value"][...]):
                cells[f"observable {i.decode()}@{p.decode()}"] = float(v)
            for name, data in f["yearly"].items():
                if data.attrs.get("CLASS") == b"DIMENSION_SCALE" or data.ndim == 0:
                    continue
                values = data[...]
                if values.dtype.kind != "f":
                    continue
                for index in np.ndindex(values.shape):
                    cells[f"yearly/{name}{list(index)}"] = float(values[index])
        os.remove(path)
        rows.append(cells)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", help="reference khorgos binary")
    parser.add_argument("b", help="khorgos binary to compare")
    parser.add_argument("--scenario", default="scenarios/historical.toml")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        a = outputs(args.a, args.scenario, args.seeds, args.scale, tmp, "a")
        b = outputs(args.b, args.scenario, args.seeds, args.scale, tmp, "b")
    n = args.seeds
    zs = []
    for key in a[0]:
        if key not in b[0]:
            continue
        xa = np.array([r[key] for r in a])
        xb = np.array([r[key] for r in b])
        if np.isnan(xa).any() or np.isnan(xb).any():
            continue
        se = np.sqrt(xa.var(ddof=1) / n + xb.var(ddof=1) / n)
        if se == 0:  # constant in both: must be equal
            zs.append((0.0 if xa.mean() == xb.mean() else math.inf, key, xa.mean(), xb.mean()))
            continue
        zs.append(((xb.mean() - xa.mean()) / se, key, xa.mean(), xb.mean()))
    # Bonferroni: the |z| whose two-sided p-value is 0.01 / cells (bisection on erfc).
    alpha = 0.01 / len(zs)
    lo, hi = 0.0, 40.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.erfc(mid / math.sqrt(2)) > alpha else (lo, mid)
    bound = hi
    zs.sort(key=lambda t: -abs(t[0]))
    print(f"{len(zs)} cells compared over {n} seeds each; bound |z| <= {bound:.2f} "
          f"(Bonferroni, 1% family-wise); largest |z| = {abs(zs[0][0]):.2f} ({zs[0][1]})")
    flagged = [t for t in zs if abs(t[0]) > bound]
    for z, key, ma, mb in flagged:
        print(f"  {key}: {ma:.6g} -> {mb:.6g} (z = {z:.2f})")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
