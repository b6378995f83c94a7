"""What every reader needs from h5py: text attributes and members in file order."""

from __future__ import annotations

from typing import List, Tuple

import h5py
import numpy as np


class FileError(Exception):
    """The file is not a khorgos file of the kind asked for, or cannot be read."""


def text(value) -> str:
    """A text attribute (fixed-length strings come back as bytes, an empty one as h5py.Empty)."""
    if isinstance(value, h5py.Empty):
        return ""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8")
    return str(value)


def plain(value):
    """An attribute as a plain Python value (str, int, float, list)."""
    if isinstance(value, (bytes, np.bytes_, h5py.Empty)):
        return text(value)
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()] if value.dtype.kind in "SO" else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def attributes(obj) -> dict:
    """Every attribute but the dimension-scale bookkeeping, as plain values."""
    hidden = ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid",
              "_Netcdf4Coordinates", "_nc3_strict")
    return {key: plain(value) for key, value in obj.attrs.items() if key not in hidden}


def strings(dataset: h5py.Dataset) -> np.ndarray:
    """A string dataset as an object array of str."""
    return np.array(dataset.asstr()[()], dtype=object)


def members(group: h5py.Group) -> List[Tuple[str, object]]:
    """(name, object) in creation order, the order khorgos wrote them (h5py
    itself lists members alphabetically)."""
    names: List[str] = []
    group.id.links.iterate(lambda name: names.append(name.decode("utf-8")),
                           idx_type=h5py.h5.INDEX_CRT_ORDER)
    return [(name, group[name]) for name in names]


def open_file(path, kind: str) -> h5py.File:
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise FileError(f"{path}: not a readable HDF5 file ({error})") from error


def is_scale(dataset) -> bool:
    return isinstance(dataset, h5py.Dataset) and bool(h5py.h5ds.is_scale(dataset.id))


def is_bare_dimension(dataset) -> bool:
    """A netCDF dimension without coordinate values (e.g. the bounds' "nv")."""
    return is_scale(dataset) and text(dataset.attrs.get("NAME", b"")).startswith(
        "This is a netCDF dimension")


def dims(dataset: h5py.Dataset) -> Tuple[str, ...]:
    """Dimension names of a dataset, from the scales attached to its axes."""
    return tuple(axis[0].name.rsplit("/", 1)[-1] for axis in dataset.dims)


LABEL_SUFFIX = "_name"


def label_variable(dataset) -> str:
    """The name of the auxiliary coordinate holding the labels of a label
    dimension (format 4: NAME_name beside the int32 index NAME), or ""."""
    if not is_scale(dataset) or dataset.dtype.kind not in "iu":
        return ""
    name = dataset.name.rsplit("/", 1)[-1] + LABEL_SUFFIX
    return name if name in dataset.parent else ""


def labels_of(dataset: h5py.Dataset) -> h5py.Dataset:
    """The labels' dataset of a label dimension (label_variable)."""
    return dataset.parent[label_variable(dataset)]


def values(dataset: h5py.Dataset, dates: bool = True, units: str = "") -> np.ndarray:
    """Strings as str objects, a label dimension's index as its labels (older
    files store the labels in the dimension's own variable); "days since DATE"
    (the dataset's units, or those given for time bounds, which CF lets inherit
    them) as datetime64[D] unless dates=False."""
    if label_variable(dataset):
        return strings(labels_of(dataset))
    if h5py.check_string_dtype(dataset.dtype) is not None:
        return strings(dataset)
    data = dataset[()]
    units = text(dataset.attrs.get("units", b"")) or units
    if dates and units.startswith("days since "):
        epoch = np.datetime64(units.split()[2][:10], "D")
        return epoch + np.asarray(data).astype("timedelta64[D]")
    return data


def group_dataset(group: h5py.Group, dates: bool = True):
    """Every variable of a netCDF-style group as one xarray.Dataset: dimension
    scales become indexes, 1-d string variables along a dimension (labels such
    as an observable's id) become coordinates, attributes are kept."""
    import xarray as xr

    coords, data = {}, {}
    # Time bounds (format 3) are coordinates too, with their axis's units.
    bounds = {text(obj.attrs["bounds"]): text(obj.attrs.get("units", b""))
              for _, obj in members(group) if "bounds" in obj.attrs}
    # Labels (format 4) index their dimension, as the dimension's own strings did before.
    labels = {label_variable(obj): obj for _, obj in members(group) if label_variable(obj)}
    for name, obj in members(group):
        if not isinstance(obj, h5py.Dataset) or name in labels:
            continue
        if is_scale(obj):
            if obj.shape and not is_bare_dimension(obj):
                attrs = attributes(labels_of(obj) if label_variable(obj) else obj)
                coords[name] = xr.Variable((name,), values(obj, dates), attrs)
            continue
        if name in bounds:
            coords[name] = xr.Variable(dims(obj), values(obj, dates, bounds[name]),
                                       attributes(obj))
            continue
        variable = xr.Variable(dims(obj), values(obj, dates), attributes(obj))
        variable.attrs.pop("coordinates", None)
        if obj.ndim == 1 and h5py.check_string_dtype(obj.dtype) is not None:
            coords[name] = variable
        else:
            data[name] = variable
    return xr.Dataset(data, coords=coords, attrs=attributes(group))
