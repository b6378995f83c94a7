#!/usr/bin/env bash
# Runs the parser fuzzer (scenario, targets, batch and calibration files, with
# the files they name) for SECONDS (default 60) on all cores given by JOBS
# (default 1), from the seed corpus (scenarios, test data, bad inputs, targets)
# plus what earlier runs found (build/fuzz/corpus). Exit 0 if nothing was
# found; otherwise the crashing input is in build/fuzz/artifacts/ and the exit
# code is non-zero. Usage: tests/fuzz/run_fuzz.sh [SECONDS] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
jobs=${2:-1}
fuzzer=build/fuzz/tests/fuzz/khorgos_fuzz_parsers
[ -x "$fuzzer" ] || { echo "run_fuzz: build it first: cmake --preset fuzz && cmake --build build/fuzz --target khorgos_fuzz_parsers" >&2; exit 2; }
corpus=build/fuzz/corpus
seeds=build/fuzz/seeds
mkdir -p "$corpus" "$seeds" build/fuzz/artifacts
# Seeds: every shipped TOML file as is, with its `extends` chain merged in, and
# bundled with the files it names (one multi-file input, see parse_one.hpp);
# and the regression inputs.
/usr/bin/python3 tests/fuzz/flatten_seeds.py "$seeds" scenarios tests/data tests/bad_inputs \
  calibration/historical.toml calibration/targets tests/calibration/bad tests/batch
find tests/fuzz/regressions tests/fuzz/seeds -type f ! -name '.*' -exec cp -f {} "$seeds"/ \;
# -timeout: well below the 60 s budget, so that a slow input is found within
# it. The fuzz target skips batches of more than 10^5 runs (fuzz_parsers.cpp;
# one near the 10^7 limit takes a minute under ASan); the slowest input left,
# a grid of 10^5 runs, takes 0.6 s in this build, and the seeds under 1 s.
# -max_len: the largest seed, the shipped calibration bundled with the
# historical scenario and the article's targets, is about 26 KB.
if [ "$jobs" -gt 1 ]; then
  # -fork: each worker runs a slice of the time; a crash stops them all.
  extra=(-fork="$jobs" -ignore_crashes=0)
else
  extra=()
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$fuzzer" "$corpus" "$seeds" -dict=tests/fuzz/toml.dict -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=32768 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/artifacts/ "${extra[@]}"
