"""Targets files (the official figures, calibration/targets/article.toml)."""

from __future__ import annotations

import datetime
import sys
import tomllib
from pathlib import Path
from typing import Dict, List, Optional, Tuple

# The repository's official figures, when the package runs from a checkout.
DEFAULT = Path(__file__).resolve().parents[2] / "calibration" / "targets" / "article.toml"


def default_path() -> Optional[Path]:
    return DEFAULT if DEFAULT.is_file() else None


def load(path) -> List[dict]:
    """[[target]] entries with id, period and value (others are skipped); period as
    text, lower and upper filled in (the value when the file gives no range)."""
    if path is None:
        return []
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("target", [])
    found = []
    for entry in entries:
        if all(key in entry for key in ("id", "period", "value")):
            value = float(entry["value"])
            found.append({**entry, "period": str(entry["period"]), "value": value,
                          "lower": float(entry.get("lower", value)),
                          "upper": float(entry.get("upper", value)),
                          "fitted": bool(entry.get("fitted", True))})
        else:
            print(f"khorgos: {path}: skipping a target without id, period and value",
                  file=sys.stderr)
    return found


def by_key(targets: List[dict]) -> Dict[Tuple[str, str], dict]:
    return {(t["id"], t["period"]): t for t in targets}


def decimal_year(date: datetime.date) -> float:
    start = datetime.date(date.year, 1, 1)
    length = (datetime.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / length


def period_span(period: str) -> Tuple[float, float]:
    """(start, end) in decimal years of "2010" (the whole year), "2000-12-31"
    (one day) or an interval "1995-01-01/2014-12-31"."""
    if "/" in period:
        first, last = period.split("/", 1)
        return period_span(first)[0], period_span(last)[1]
    if len(period) == 4 and period.isdigit():
        return float(period), float(period) + 1
    day = datetime.date.fromisoformat(period)
    return decimal_year(day), decimal_year(day + datetime.timedelta(days=1))
