#!/bin/sh
# The seed replay (fuzz.replay_seeds): every shipped scenario, counterfactual,
# batch, calibration and targets file, bundled with the files it names (as
# the fuzzer's seeds are), must be accepted; every bad input rejected; the
# fuzzer's own seeds must only not crash.
# Usage: replay_shipped.sh REPLAY_BINARY SOURCE_DIR WORK_DIR
set -eu
replay=$1
work=$3
cd "$2"
rm -rf "$work"
mkdir -p "$work/raw" "$work/shipped"
/usr/bin/python3 tests/fuzz/flatten_seeds.py "$work/raw" scenarios tests/data \
  calibration/historical.toml calibration/targets tests/calibration/short_history.toml \
  tests/batch/two_by_three.toml
# A file that names others is replayed with them (its bundle); one that names
# none as it is. (The merged flat_ copies are fuzzer seeds only.)
for f in "$work"/raw/*.toml; do
  name=$(basename "$f")
  case $name in bundle_* | flat_*) continue ;; esac
  if [ -f "$work/raw/bundle_$name" ]; then
    cp "$work/raw/bundle_$name" "$work/shipped/$name"
  else
    cp "$f" "$work/shipped/$name"
  fi
done
exec "$replay" --accept "$work/shipped" \
  --reject tests/bad_inputs tests/calibration/bad tests/batch/bad \
  --any tests/fuzz/seeds
