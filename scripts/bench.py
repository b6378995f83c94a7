"""Timing harness for khorgos: runs `khorgos run` repeatedly and prints medians.

Wall time is measured around the whole process (it includes reading the
scenario and writing the HDF5 file); peak RSS comes from the kernel's
accounting of each child (wait4). Ratios are printed next to absolute figures
because the machine may be shared and noisy.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import tomllib
import time

def run_once(binary, scenario, threads, scale, out, extra=()):
    start = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "run", scenario, "--threads", str(threads), "--scale", str(scale),
         "--out", out, "--force", "--json", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"khorgos failed: {proc.stderr.read()}")
    counters = json.loads(stdout)["counters"]
    return dict(wall=wall, engine=counters["engine_seconds"], events=counters["events"],
                agents=counters["agents"], person_days=counters["person_days_away"],
                rss_mb=usage.ru_maxrss / 1024)


def medians(samples):
    med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
    med["min_wall"] = min(s["wall"] for s in samples)
    med["max_wall"] = max(s["wall"] for s in samples)
    return med


def paired(binary, base, variant, runs, out):
    """Medians of a base and a variant run ((scenario, extra) each) taken in
    alternation, so that a drift of the machine's load hits both alike."""
    a, b = [], []
    for _ in range(runs):
        a.append(run_once(binary, base[0], 1, 1, out, base[1]))
        b.append(run_once(binary, variant[0], 1, 1, out, variant[1]))
    return medians(a), medians(b)


def busy_speed(binary, runs):
    """The parallel path where it should pay: the busy test world (thousands
    of departures and due events a step), 1 and 2 threads in alternation, so
    that a drift of the machine's speed hits both; the speed-up is the
    median of the ratios of each pair's engine times."""
    busy = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                        "busy.toml")
    one, two = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "busy.h5")
        for k in range(runs):
            order = (1, 2) if k % 2 == 0 else (2, 1)  # neither always second
            for threads in order:
                (one if threads == 1 else two).append(run_once(binary, busy, threads, 1, out))
    with open(busy, "rb") as f:
        horizon = tomllib.load(f)["horizon"]  # daily steps
    steps = (horizon["end"] - horizon["start"]).days + 1
    ratio = statistics.median(a["engine"] / b["engine"] for a, b in zip(one, two))
    print(f"busy scenario ({one[0]['events'] / steps:,.0f} events a step): engine "
          f"{statistics.median(r['engine'] for r in one):.3f} s on 1 thread, "
          f"{statistics.median(r['engine'] for r in two):.3f} s on 2, speed-up {ratio:.2f}x "
          f"(median of {runs} pairs)")


# A small ABC-SMC at the shipped calibration's scale (10): simulations per second.
BENCH_CALIBRATION = """[calibration]
name = "bench"
scenario = "{scenario}"
targets = "{targets}"
method = "abc"
seed = 1
scale = 10
replicates = 1

[[parameter]]
name = "trader.new_traders_per_year"
prior = "log_uniform"
lower = 2191.5
upper = 219150

[[parameter]]
name = "visitor.entries_per_year"
prior = "log_uniform"
lower = 365.25
upper = 36525

[abc]
particles = 20
max_generations = 2
predictive_draws = 10
"""


def calibration_speed(binary, scenario):
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.toml")
        with open(path, "w") as f:
            f.write(BENCH_CALIBRATION.format(
                scenario=os.path.abspath(scenario),
                targets=os.path.abspath("calibration/targets/article.toml")))
        for jobs in (1, 2):
            start = time.perf_counter()
            proc = subprocess.run([binary, "calibrate", path, "--jobs", str(jobs), "--json",
                                   "--out", os.path.join(tmp, f"posterior{jobs}.h5")],
                                  check=True, capture_output=True, text=True)
            wall = time.perf_counter() - start
            outcome = json.loads(proc.stdout)
            sims = outcome["simulations"] + outcome["predictive_draws"]
            rates[jobs] = sims / wall
            print(f"calibration (ABC-SMC, scale 10), --jobs {jobs}: {sims} simulations in "
                  f"{wall:.1f} s = {rates[jobs]:.2f} simulations/s")
    print(f"calibration speed-up --jobs 1 -> 2: {rates[2] / rates[1]:.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", default="build/release/app/khorgos")
    parser.add_argument("--scenario", default="scenarios/historical.toml")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", default="scenarios/batches/labour_quota_grid.toml",
                        help="batch file timed with --jobs 1 and 2 ('' to skip)")
    parser.add_argument("--no-calibration", dest="calibration", action="store_false",
                        help="skip the calibration timing")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; {args.runs} runs each; median (min-max) wall time")
    print(f"{'configuration':28} {'wall s':>18} {'engine s':>9} {'events/s':>10} "
          f"{'person-days/s':>14} {'peak RSS MB':>12}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.h5")
        # Round-robin over the configurations, the order reversed every
        # other round: a drift of the machine's speed hits all of them alike.
        # Scale 1000 has a thousandth of the events: its engine time is the
        # cost of the steps themselves, which does not follow the events.
        configs = [(scale, threads) for scale in (1, 10) for threads in (1, 2)] + [(1000, 1)]
        samples = {c: [] for c in configs}
        for k in range(args.runs):
            for c in configs if k % 2 == 0 else configs[::-1]:
                samples[c].append(run_once(args.binary, args.scenario, c[1], c[0], out))
        for scale, threads in configs:
            r = results[(scale, threads)] = medians(samples[(scale, threads)])
            label = f"historical scale {scale}, {threads} thr"
            wall = f"{r['wall']:.3f} ({r['min_wall']:.3f}-{r['max_wall']:.3f})"
            print(f"{label:28} {wall:>18} {r['engine']:9.3f} {r['events'] / r['wall']:10.3g} "
                  f"{r['person_days'] / r['wall']:14.3g} {r['rss_mb']:12.0f}")
    for scale in (1, 10):
        speedup = results[(scale, 1)]["wall"] / results[(scale, 2)]["wall"]
        print(f"speed-up 1 -> 2 threads at scale {scale}: {speedup:.2f}x")
    fixed = results[(1000, 1)]
    print(f"fixed cost of the steps: engine {fixed['engine']:.4f} s at scale 1000 "
          f"({fixed['events']:.0f} events), of {results[(10, 1)]['engine']:.3f} s at scale 10")
    busy_speed(args.binary, args.runs)
    ratio = results[(1, 2)]["wall"] / results[(10, 2)]["wall"]
    print(f"scale 1 / scale 10 wall time: {ratio:.2f}x "
          f"(events ratio {results[(1, 2)]['events'] / results[(10, 2)]['events']:.2f}x)")

    # Cost should follow events: doubled pools, and 7-day against 1-day steps,
    # each against a base measured in alternation with it.
    base = results[(1, 1)]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.h5")
        weekly_file = os.path.join(tmp, "weekly.toml")
        with open(weekly_file, "w") as f:
            f.write(f'extends = "{os.path.abspath(args.scenario)}"\n[horizon]\nstep_days = 7\n')
        daily = (args.scenario, ())
        base_d, doubled = paired(args.binary, daily,
                                 (args.scenario, ("--set", "pool.size_factor=2")), args.runs, out)
        base_w, weekly = paired(args.binary, daily, (weekly_file, ()), args.runs, out)
    print(f"pools doubled: wall {doubled['wall']:.3f} s = {doubled['wall'] / base_d['wall']:.2f}x "
          f"(events {doubled['events'] / base_d['events']:.2f}x)")
    print(f"7-day steps: wall {weekly['wall']:.3f} s = {weekly['wall'] / base_w['wall']:.2f}x of daily")
    print(f"engine state: {base['rss_mb']:.0f} MB peak RSS at scale 1; "
          f"{base['agents']} agents created")

    if args.calibration:
        calibration_speed(args.binary, args.scenario)

    if args.batch:
        walls = {}
        for jobs in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                subprocess.run([args.binary, "batch", args.batch, "--out", tmp, "--jobs", str(jobs)],
                               check=True, capture_output=True)
                walls[jobs] = time.perf_counter() - start
        print(f"batch {os.path.basename(args.batch)}: --jobs 1 {walls[1]:.2f} s, --jobs 2 "
              f"{walls[2]:.2f} s, speed-up {walls[1] / walls[2]:.2f}x")


if __name__ == "__main__":
    main()
