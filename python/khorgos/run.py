"""Run files: what `khorgos run --out FILE.h5` writes (output/SCHEMA.md).

A run file is also a NetCDF-4/CF file, so ``xarray.open_dataset(path,
group="daily")`` works without this module; it adds the khorgos-specific
parts: observables keyed by (id, period), provenance as a dict, the event
log in batches, and day numbers as dates.

    import khorgos
    with khorgos.open_run("run.h5") as run:
        stock = run.data_array("stock")            # xarray.DataArray, labelled
        daily = run.dataset("daily")               # xarray.Dataset
        values = run.array("entries", "yearly")    # numpy array
        obs = run.observables()[("nsc_visitors_cn", "2010")].value
        table = run.observables_frame()            # pandas.DataFrame
        seed = run.provenance()["seed"]
        for batch in run.events():                 # dict of numpy columns
            ...

Only h5py and numpy are needed; xarray and pandas are imported by the
methods that return their objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

import h5py
import numpy as np

from ._h5 import (FileError, attributes, is_bare_dimension, label_variable, members, open_file,
                  strings, text, values)

FORMAT_NAME = "khorgos-run"
FORMAT_VERSION = 4  # the newest this module reads; it reads every older one too
SPECIAL_GROUPS = ("observables", "events", "provenance")
EPOCH = np.datetime64("1990-01-01", "D")
EVENT_COLUMNS = ("day", "agent", "agent_type_index", "ethnicity_index", "event_kind_index",
                 "crossing_index", "from_place_index", "to_place_index")
# The coordinate whose labels each index column of the event log indexes.
EVENT_LABELS = {
    "agent_type_index": "agent_type",
    "ethnicity_index": "ethnicity",
    "event_kind_index": "event_kind",
    "crossing_index": "crossing",
    "from_place_index": "place",
    "to_place_index": "place",
}


class RunFileError(FileError):
    """The file is not a khorgos run file this module can read."""


@dataclass(frozen=True)
class Observable:
    id: str
    period: str
    value: float
    units: str
    definition: str


def days_to_dates(days) -> np.ndarray:
    """Day numbers (days since 1990-01-01) as numpy datetime64[D]."""
    return EPOCH + np.asarray(days).astype("timedelta64[D]")


def _is_scale(dataset: h5py.Dataset) -> bool:
    return bool(h5py.h5ds.is_scale(dataset.id))


class Run:
    """An open run file. Use open_run(); close() or use as a context manager."""

    def __init__(self, path):
        self.path = str(path)
        try:
            self.file = open_file(path, "run")
        except FileError as error:
            raise RunFileError(str(error)) from error
        if text(self.file.attrs.get("khorgos_format", b"")) != FORMAT_NAME:
            self.file.close()
            raise RunFileError(f"{path}: not a khorgos run file")
        self.version = int(self.file.attrs["khorgos_format_version"])
        if self.version > FORMAT_VERSION:
            self.file.close()
            raise RunFileError(
                f"{path}: run file format {self.version} is newer than {FORMAT_VERSION}")

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Coordinates and variables.

    def coordinates(self) -> Dict[str, np.ndarray]:
        """Every coordinate: labels as str object arrays, numbers as float arrays."""
        return {name: self._values(obj) for name, obj in members(self.file)
                if isinstance(obj, h5py.Dataset) and _is_scale(obj) and not is_bare_dimension(obj)}

    @staticmethod
    def _values(dataset: h5py.Dataset) -> np.ndarray:
        return values(dataset, dates=False)

    def groups(self) -> List[str]:
        """The variable groups (e.g. daily, yearly, totals), in file order."""
        return [name for name, obj in members(self.file)
                if isinstance(obj, h5py.Group) and name not in SPECIAL_GROUPS]

    def variables(self, group: Optional[str] = None) -> List[Tuple[str, str]]:
        """(group, name) of every variable, optionally of one group only (time
        bounds are part of their coordinate: bounds())."""
        found = []
        for g in [group] if group else self.groups():
            # Bounds and labels (NAME_name) are part of their coordinate.
            parts = {text(obj.attrs.get("bounds", b"")) for _, obj in members(self.file[g])}
            parts |= {label_variable(obj) for _, obj in members(self.file[g])}
            for name, obj in members(self.file[g]):
                if isinstance(obj, h5py.Dataset) and not _is_scale(obj) and name not in parts:
                    found.append((g, name))
        return found

    def _variable(self, name: str, group: Optional[str]) -> h5py.Dataset:
        if group:
            return self.file[group][name]
        matches = [g for g, n in self.variables() if n == name]
        if len(matches) != 1:
            where = "no group" if not matches else "groups " + ", ".join(matches)
            raise KeyError(f"variable {name!r} is in {where}; name the group")
        return self.file[matches[0]][name]

    def dims(self, name: str, group: Optional[str] = None) -> Tuple[str, ...]:
        """Dimension names of a variable, from its dimension scales."""
        dataset = self._variable(name, group)
        return tuple(axis[0].name.rsplit("/", 1)[-1] for axis in dataset.dims)

    def attributes(self, name: str, group: Optional[str] = None) -> Dict[str, object]:
        """A variable's attributes (units, long_name, cell_methods, ...); units and
        long_name are always there ("" when the file has none)."""
        found = attributes(self._variable(name, group))
        found.pop("coordinates", None)
        found.pop("_FillValue", None)
        return {"units": "", "long_name": "", **found}

    def array(self, name: str, group: Optional[str] = None) -> np.ndarray:
        """A variable's values as a numpy array (dimensions: dims())."""
        return self._variable(name, group)[()]

    def coordinate(self, dim: str, dates: bool = True) -> np.ndarray:
        """The values of one coordinate; time as dates unless dates=False."""
        dataset = self.file[dim]
        values = self._values(dataset)
        if dates and text(dataset.attrs.get("units", b"")).startswith("days since"):
            values = days_to_dates(values)
        return values

    def coordinate_long_name(self, dim: str) -> str:
        """What a coordinate is: its long_name, a label dimension's that of its
        labels (format 4: the index's own says "index of ...")."""
        dataset = self.file[dim]
        if label_variable(dataset):
            dataset = self.file[label_variable(dataset)]
        return text(dataset.attrs.get("long_name", dim)) or dim

    def bounds(self, dim: str, dates: bool = True) -> Optional[np.ndarray]:
        """The (start, end) of each cell of a time axis, shape (n, 2), as dates
        unless dates=False; None where the file has none (before format 3). A
        step's stocks are at its end (cell_methods "time: point"), its flows sum
        over [start, end) ("time: sum"); a year's sums over its cell too."""
        dataset = self.file[dim]
        name = text(dataset.attrs.get("bounds", b""))
        if not name:
            return None
        values = self.file[name][()]
        if dates and text(dataset.attrs.get("units", b"")).startswith("days since"):
            values = days_to_dates(values)
        return values

    def data_array(self, name: str, group: Optional[str] = None, dates: bool = True):
        """A variable as a labelled xarray.DataArray; time as dates unless dates=False."""
        import xarray as xr

        dataset = self._variable(name, group)
        dims = self.dims(name, group)
        coords = {dim: self.coordinate(dim, dates) for dim in dims}
        return xr.DataArray(dataset[()], dims=dims, coords=coords, name=name,
                            attrs=self.attributes(name, group))

    def dataset(self, group: str, dates: bool = True):
        """All variables of one group as an xarray.Dataset."""
        import xarray as xr

        return xr.Dataset(
            {name: self.data_array(name, g, dates) for g, name in self.variables(group)},
            attrs={"title": text(self.file.attrs.get("title", b""))})

    # Observables and provenance.

    def observables(self) -> Dict[Tuple[str, str], Observable]:
        """Model observables keyed by (id, period), in file order."""
        group = self.file["observables"]
        columns = [strings(group[key]) for key in ("id", "period", "units", "definition")]
        values = group["value"][()]
        return {(oid, period): Observable(oid, period, float(values[i]), units, definition)
                for i, (oid, period, units, definition) in enumerate(zip(*columns))}

    def observables_frame(self):
        """The observables as a pandas.DataFrame (id, period, value, units, definition)."""
        import pandas as pd

        return pd.DataFrame([o.__dict__ for o in self.observables().values()],
                            columns=["id", "period", "value", "units", "definition"])

    def parameters(self) -> Dict[str, float]:
        """Resolved model parameters, name -> value."""
        group = self.file["provenance"]
        names = values(group["parameter"])
        return dict(zip(names, (float(v) for v in group["parameter_value"][()])))

    def provenance(self) -> Dict[str, object]:
        """Root attributes (program version, seed, scenario text, counters, ...) and
        'parameters'. The seed is an int however the file stores it."""
        result = attributes(self.file)
        if isinstance(result.get("seed_text"), str):
            result["seed"] = int(result["seed_text"])
        result["parameters"] = self.parameters()
        return result

    # Event log.

    def has_events(self) -> bool:
        return "events" in self.file

    def event_count(self) -> int:
        return self.file["events"]["day"].shape[0] if self.has_events() else 0

    def events(self, batch: int = 1 << 20) -> Iterator[Dict[str, np.ndarray]]:
        """The event log in batches of at most `batch` rows, each a dict of numpy
        columns (EVENT_COLUMNS); an index of -1 (crossing, from and to place) means none."""
        if not self.has_events():
            raise RunFileError(f"{self.path}: no event log (run with --events)")
        group = self.file["events"]
        total = self.event_count()
        for start in range(0, total, batch):
            stop = min(start + batch, total)
            yield {name: group[name][start:stop] for name in EVENT_COLUMNS}

    def event_labels(self, column: str, indices: np.ndarray) -> np.ndarray:
        """Labels for an index column of the event log (e.g. to_place_index -> place
        names), '' for -1."""
        coordinate = EVENT_LABELS[column]
        if coordinate in self.file:
            labels = list(self.coordinate(coordinate))
        else:  # the run had no such coordinate: the column's CF flags still name the values
            attrs = self.file["events"][column].attrs
            meanings = text(attrs["flag_meanings"]).split()
            labels = [m for v, m in zip(attrs["flag_values"], meanings) if v >= 0]
        table = np.array(labels + [""], dtype=object)
        indices = np.asarray(indices).astype(np.int64)
        return table[np.where(indices < 0, len(table) - 1, indices)]


def open_run(path) -> Run:
    """Opens a run file for reading. Raises RunFileError if it is not one."""
    return Run(path)
