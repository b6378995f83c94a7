"""Batch directories: what `khorgos batch --out DIR` writes (docs/batch.md).

    import khorgos
    batch = khorgos.read_batch("out/cf")
    batch.summary()                 # xarray.Dataset (condition, statistic, observable)
    batch.runs(), batch.outputs()   # pandas.DataFrame of runs.csv and outputs.csv
    batch.attributes["batch_seed"]
"""

from __future__ import annotations

from pathlib import Path

from ._h5 import FileError, attributes, group_dataset, members, open_file, text

FORMAT_NAME = "khorgos-batch"
FORMAT_VERSION = 4  # the newest this module reads; it reads every older one too


class Batch:
    """A finished (or resumable) batch directory."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.summary_path = self.directory / "summary.h5"
        if not self.summary_path.is_file():
            raise FileError(f"{self.summary_path}: no such file (has the batch finished?)")
        with open_file(self.summary_path, "batch") as f:
            if text(f.attrs.get("khorgos_format", b"")) != FORMAT_NAME:
                raise FileError(f"{self.summary_path}: not a khorgos batch summary")
            version = int(f.attrs["khorgos_format_version"])
            if version > FORMAT_VERSION:
                raise FileError(f"{self.summary_path}: batch summary format {version} is "
                                f"newer than {FORMAT_VERSION}")
            self.attributes = attributes(f)
            self.groups = [name for name, obj in members(f) if hasattr(obj, "keys")]
        if isinstance(self.attributes.get("batch_seed_text"), str):
            self.attributes["batch_seed"] = int(self.attributes["batch_seed_text"])
        self.name = self.attributes.get("batch_name", self.directory.name)
        self.baseline = self.attributes.get("baseline", "")

    def summary(self, group: str = "observables", dates: bool = True):
        """One group of summary.h5 as an xarray.Dataset: statistics across
        replicates per condition (dims condition, statistic, then the run's)."""
        with open_file(self.summary_path, "batch") as f:
            if group not in f:
                raise KeyError(f"{self.summary_path}: no group {group!r} (has {self.groups})")
            return group_dataset(f[group], dates).load()

    def runs(self):
        """runs.csv, the manifest, as a pandas.DataFrame."""
        import pandas as pd

        return pd.read_csv(self.directory / "runs.csv", keep_default_na=False)

    def outputs(self):
        """outputs.csv, the observables of every run, as a pandas.DataFrame."""
        import pandas as pd

        return pd.read_csv(self.directory / "outputs.csv")


def read_batch(directory) -> Batch:
    return Batch(directory)


def sensitivity_markdown(table, targets="calibration/targets/article.toml",
                         calibration="calibration/historical.toml", bold=0.1):
    """The total Sobol indices of a Saltelli batch's sensitivity.csv as a
    Markdown table (docs/calibration.md): one row per figure, one column per
    parameter, "estimate (q05-q95)", bold from `bold` up; "fitted" marks the
    figures `calibration` fits (its targets' fitted ones, less its hold_out)."""
    import tomllib

    import pandas as pd

    with open(targets, "rb") as f:
        figures = [x for v in tomllib.load(f).values() if isinstance(v, list) for x in v]
    with open(calibration, "rb") as f:
        held_out = set(tomllib.load(f).get("calibration", {}).get("hold_out", []))
    fitted = {f"{x['id']}@{x['period']}" for x in figures
              if x.get("fitted", True) and x["id"] not in held_out}
    t = pd.read_csv(table)
    t = t[t["index"] == "total"]
    parameters = list(dict.fromkeys(t.parameter))
    # Full dotted names: two types share a last part (entries_per_year).
    lines = ["| figure | fitted | " + " | ".join(f"`{p}`" for p in parameters) + " |",
             "|---|---|" + "---|" * len(parameters)]
    for figure, rows in t.groupby("observable", sort=False):
        cells = []
        for p in parameters:
            r = rows[rows.parameter == p].iloc[0]
            cell = f"{r.estimate:.2f} ({r.q05:.2f}–{r.q95:.2f})"
            cells.append(f"**{cell}**" if r.estimate >= bold else cell)
        lines.append(f"| `{figure}` | {'yes' if figure in fitted else ''} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)
