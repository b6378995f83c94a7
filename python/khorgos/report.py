"""python3 -m khorgos.report PATH [--out PAGE.html]: one self-contained HTML page
(figures embedded as PNG, tables, provenance) for a run file, a batch directory
or a posterior file. It opens offline: no scripts, no external resources."""

from __future__ import annotations

import argparse
import base64
import html
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

from . import open_any, targets as targets_file
from ._h5 import FileError
from .batch import Batch
from .posterior import Posterior
from .run import Run

STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; display: block;
        overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; font-size: 0.8em; }
"""


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="n">{_number(c)}</td>' if isinstance(c, (int, float))
            else f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def figures(paths: List[Path]) -> str:
    parts = []
    for path in paths:
        if path.suffix == ".png":
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">')
    return "\n".join(parts)


def provenance(attributes: dict, keys: Sequence[str]) -> str:
    rows = [(key, attributes[key]) for key in keys if key in attributes]
    return table(("attribute", "value"), rows)


def details(summary: str, text: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary><pre>{html.escape(text)}</pre></details>"


def run_page(run: Run, plots: Path) -> Tuple[str, str]:
    from .plot.run import plot_run

    paths = plot_run(run.path, plots)
    prov = run.provenance()
    official = targets_file.by_key(targets_file.load(targets_file.default_path()))
    rows = []
    for (oid, period), o in run.observables().items():
        t = official.get((oid, period))
        rows.append((oid, period, o.value, t["value"] if t else "", o.units,
                     ("fitted" if t["fitted"] else "context") if t else "",
                     o.value / t["value"] if t and t["value"] else ""))
    body = (f"<h2>Figures</h2>{figures(paths)}"
            "<h2>Observables against the official figures</h2>"
            + table(("id", "period", "model", "official", "units", "kind", "ratio"), rows)
            + "<h2>Provenance</h2>"
            + provenance(prov, ("source", "command_line", "scenario_path", "seed", "scale",
                                "threads", "start_time", "end_time", "counter_events",
                                "counter_agents", "counter_seconds", "khorgos_format_version"))
            + details("scenario as loaded", str(prov.get("scenario_text", "")))
            + details("resolved parameters", "\n".join(
                f"{k} = {v:g}" for k, v in prov["parameters"].items())))
    return str(prov.get("title", run.path)), body


def batch_page(batch: Batch, plots: Path) -> Tuple[str, str]:
    from .plot.batch import plot_batch

    paths = plot_batch(batch.directory, plots)
    summary = batch.summary("observables")
    conditions = [str(c) for c in summary.condition.values]
    mean = summary.value.sel(statistic="mean").values
    rows = [(str(i), str(p), str(u)) + tuple(float(mean[c, k]) for c in range(len(conditions)))
            for k, (i, p, u) in enumerate(zip(summary.id.values, summary.period.values,
                                              summary.units.values))]
    runs = batch.runs()
    status = runs["status"].value_counts().to_dict() if "status" in runs else {}
    body = (f"<h2>Figures</h2>{figures(paths)}"
            "<h2>Means across replicates, by condition</h2>"
            + table(["id", "period", "units"] + conditions, rows)
            + "<h2>Runs</h2>" + table(("status", "runs"), sorted(status.items()))
            + "<h2>Provenance</h2>"
            + provenance(batch.attributes, ("source", "batch_name", "baseline", "batch_seed",
                                            "replicates", "scale", "program_version",
                                            "git_commit", "statistics"))
            + details("batch file", str(batch.attributes.get("batch_text", ""))))
    return f"khorgos batch {batch.name}", body


def posterior_page(post: Posterior, plots: Path) -> Tuple[str, str]:
    from .plot.calibration import plot_calibration

    paths = plot_calibration(post.path, plots)
    targets = post.targets
    body = (f"<h2>Figures</h2>{figures(paths)}"
            "<h2>Targets</h2>" + table(list(targets.columns), targets.itertuples(index=False)))
    if post.generations:
        progress = post.progress()
        body += "<h2>Generations</h2>" + table(list(progress.columns),
                                               progress.itertuples(index=False))
    if post.fit is not None:
        body += "<h2>Point fit</h2>" + table(("parameter", "value"), zip(post.names, post.fit))
    body += ("<h2>Fit report</h2><pre>" + html.escape(post.report) + "</pre>"
             + "<h2>Provenance</h2>"
             + provenance(post.attributes, ("format", "method", "seed", "stopping", "inputs"))
             + details("calibration file", str(post.attributes.get("calibration_text", ""))))
    return f"khorgos calibration ({post.method}) {Path(post.path).name}", body


def render(path, out: Path) -> Path:
    """Writes the report page of `path` (run file, batch directory or posterior
    file) to `out` and returns it."""
    opened = open_any(path)
    with tempfile.TemporaryDirectory(prefix="khorgos-report-") as plots:
        if isinstance(opened, Batch):
            heading, body = batch_page(opened, Path(plots))
        elif isinstance(opened, Posterior):
            heading, body = posterior_page(opened, Path(plots))
        else:
            with opened:
                heading, body = run_page(opened, Path(plots))
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(heading)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{html.escape(heading)}</h1>"
            f"<p>Source: <code>{html.escape(str(path))}</code></p>{body}</body></html>\n")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m khorgos.report", description=__doc__)
    parser.add_argument("path", help="run file, batch directory or posterior file")
    parser.add_argument("--out", type=Path,
                        help="the page (default PATH.html, or DIR/report.html for a batch)")
    args = parser.parse_args(argv)
    source = Path(args.path)
    out = args.out or (source / "report.html" if source.is_dir() else source.with_suffix(".html"))
    try:
        print(render(source, out))
    except (FileError, OSError, KeyError) as error:
        print(f"khorgos.report: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
