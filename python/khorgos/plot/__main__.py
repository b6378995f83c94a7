"""python3 -m khorgos.plot {run,batch,calibration} PATH [options]: figures as PNG and PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._h5 import FileError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m khorgos.plot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="observables, stocks and flows of a run file")
    run.add_argument("path", metavar="RUN.h5")
    run.add_argument("--out", type=Path, help="output directory (default RUN-plots)")
    run.add_argument("--targets", type=Path,
                     help="official figures (default calibration/targets/article.toml)")
    run.add_argument("--window", type=int, default=30,
                     help="days of the running mean of flows per day (default 30)")
    batch = commands.add_parser("batch", help="fan chart of a batch directory")
    batch.add_argument("path", metavar="BATCH_DIR")
    batch.add_argument("--out", type=Path, help="output directory (default BATCH_DIR)")
    batch.add_argument("--targets", type=Path, help="official figures")
    batch.add_argument("--max-conditions", type=int, default=10,
                       help="draw at most this many conditions, the baseline first")
    calibration = commands.add_parser("calibration", help="figures of a posterior file")
    calibration.add_argument("path", metavar="POSTERIOR.h5")
    calibration.add_argument("--out", type=Path, help="output directory (default POSTERIOR-plots)")
    calibration.add_argument("--generation", type=int, default=-1,
                             help="generation of the posterior figure (default the last)")
    args = parser.parse_args(argv)
    for option in ("targets",):
        given = getattr(args, option, None)
        if given is not None and not given.is_file():
            parser.error(f"--{option}: {given}: no such file")

    from . import plot_batch, plot_calibration, plot_run

    try:
        if args.command == "run":
            written = plot_run(args.path, args.out, args.targets, args.window)
        elif args.command == "batch":
            written = plot_batch(args.path, args.out, args.targets, args.max_conditions)
        else:
            written = plot_calibration(args.path, args.out, args.generation)
    except (FileError, OSError, KeyError) as error:
        print(f"khorgos.plot {args.command}: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
