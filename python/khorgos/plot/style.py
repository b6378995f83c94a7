"""The one look of every khorgos figure: colours, fonts, labels, saving."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import List

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

MODEL = "tab:blue"
OFFICIAL = "black"
CONTEXT = "tab:gray"
FIT = "tab:red"

plt.rcParams.update({
    "figure.dpi": 100, "savefig.dpi": 130, "font.size": 9, "axes.titlesize": 9,
    "axes.labelsize": 8, "xtick.labelsize": 7, "ytick.labelsize": 7, "legend.fontsize": 7,
    "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
})


def unit_label(units: str, long_name: str = "") -> str:
    """An axis label from a variable's CF attributes: "persons (1)" reads badly, so a
    count says what it counts, a share says it is a share."""
    units = units.strip()
    if units in ("", "1"):
        return long_name or ("share" if units == "1" else "")
    pretty = units.replace("d-1", "per day").replace("/day", " per day")
    return f"{long_name} ({pretty})" if long_name else pretty


def observable_label(oid: str, units: str, definition: str) -> str:
    """An observable's axis label: counts and shares both have units "1" (format
    3; "persons" for counts before), a share says so in its id or definition."""
    if units == "1" and ("share" in oid or definition.startswith("share")):
        return "share"
    if units in ("1", "persons"):
        return "persons"
    if units in ("d-1", "persons/day"):
        return "persons per day"
    return unit_label(units)


def title(text: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3])


def grid(count: int, columns: int, width: float = 4.2, height: float = 3.0):
    """A figure with `count` panels in rows of `columns`; the spare panels hidden."""
    rows = max(1, -(-count // columns))
    columns = min(columns, max(count, 1))
    figure, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows),
                                squeeze=False)
    flat = axes.ravel()
    for axis in flat[count:]:
        axis.set_visible(False)
    return figure, list(flat[:count])


def legend_on_top(figure, handles, heading: str) -> None:
    """The figure's heading and legend in one block above the panels, whatever the
    figure's height (a suptitle would collide with a legend of several rows)."""
    figure.legend(handles, [h.get_label() for h in handles], loc="lower center",
                  bbox_to_anchor=(0.5, 1.0), ncol=min(4, len(handles)), frameon=False,
                  title=heading, title_fontsize=10)


def save(figure, out: Path, name: str) -> List[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.pdf"]
    for path in paths:
        figure.savefig(path, bbox_inches="tight")
    plt.close(figure)
    return paths
