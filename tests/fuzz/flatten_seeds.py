"""Writes fuzzer seeds: every shipped TOML file as is; every scenario with its
`extends` chain merged into one self-contained file; and every file bundled
with the files it names (`extends` parents, a batch's scenarios, design
matrix, sensitivity table and posterior, a calibration's scenario and
targets) as one multi-file input, each further file after a "#@ NAME" line
(tests/fuzz/parse_one.hpp), NAME relative to the first file's directory as
the file names it. A posterior is HDF5, which the parsers only check exists
(a batch reads it when it starts): it is bundled empty.
Merging follows input/scenario_file.cpp: tables merge key by key, arrays
replace, `events` are the parent's minus `remove_events` plus the child's.
Usage: flatten_seeds.py OUTPUT_DIR FILE_OR_DIR..."""

import datetime
import json
import math
import os
import re
import shutil
import sys
import tomllib


def load(path, chain=()):
    path = os.path.abspath(path)
    if path in chain:
        raise ValueError("extends cycle")
    with open(path, "rb") as f:
        table = tomllib.load(f)
    parent_name = table.pop("extends", None)
    if parent_name is None:
        return table
    parent = load(os.path.join(os.path.dirname(path), parent_name), chain + (path,))
    removed = set(table.pop("remove_events", []))
    events = [e for e in parent.pop("events", []) if e.get("id") not in removed]
    events += table.pop("events", [])
    merge(parent, table)
    parent["events"] = events
    return parent


MARKER = "#@ "


def named_files(path):
    """The files `path` names (relative to its directory), as the parsers resolve them."""
    try:
        with open(path, "rb") as f:
            table = tomllib.load(f)
    except Exception:
        return []
    here = os.path.dirname(path)
    names = []
    if isinstance(table.get("extends"), str):
        names.append(table["extends"])
    for entry in table.get("scenario", []) if isinstance(table.get("scenario"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            names.append(entry["file"])
    sensitivity = table.get("sensitivity")  # a batch's Sobol table (CSV)
    if isinstance(sensitivity, dict) and isinstance(sensitivity.get("table"), str):
        names.append(sensitivity["table"])
    batch = table.get("batch")  # a batch's posterior file
    if isinstance(batch, dict) and isinstance(batch.get("posterior"), str):
        names.append(batch["posterior"])
    variation = table.get("variation")
    if isinstance(variation, dict) and isinstance(variation.get("file"), str):
        names.append(variation["file"])
    calibration = table.get("calibration")
    if isinstance(calibration, dict):
        names += [calibration[k] for k in ("scenario", "targets") if isinstance(calibration.get(k), str)]
    return [os.path.normpath(os.path.join(here, n)) for n in names if not os.path.isabs(n)]


def bundle(path):
    """The text of `path` followed by every file it names, transitively; None if it names none."""
    base = os.path.dirname(os.path.abspath(path))
    seen, order, todo = {os.path.abspath(path)}, [], named_files(path)
    while todo:
        p = os.path.abspath(todo.pop(0))
        if p in seen or not os.path.isfile(p):
            continue
        seen.add(p)
        order.append(p)
        todo += named_files(p)
    if not order:
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for p in order:
        if p.endswith(".h5"):  # binary: only its existence is checked
            body = ""
        else:
            with open(p, encoding="utf-8", errors="replace") as f:
                body = f.read()
        text += ("" if text.endswith("\n") else "\n") + MARKER + os.path.relpath(p, base) + "\n" + body
    return text


def merge(base, over):
    for key, value in over.items():
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            merge(base[key], value)
        else:
            base[key] = value


def key(k):
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, (int, datetime.date, datetime.datetime, datetime.time)):
        return v.isoformat() if not isinstance(v, int) else str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = []
    for arg in sys.argv[2:]:
        if os.path.isdir(arg):
            for root, _, names in os.walk(arg):
                files += [os.path.join(root, n) for n in names if n.endswith(".toml")]
        else:
            files.append(arg)
    flattened = bundled = 0
    for path in sorted(files):
        name = path.replace("/", "_")
        shutil.copyfile(path, os.path.join(out, name))
        text = bundle(path)
        if text is not None:
            with open(os.path.join(out, "bundle_" + name), "w", encoding="utf-8") as f:
                f.write(text)
            bundled += 1
        try:
            table = load(path)
        except Exception:  # a bad input that is bad before merging: kept as is only
            continue
        with open(os.path.join(out, "flat_" + name), "w", encoding="utf-8") as f:
            for k, v in table.items():
                f.write(f"{key(k)} = {value(v)}\n")
        flattened += 1
    print(f"{len(files)} seeds, {flattened} flattened, {bundled} bundled with the files they name",
          file=sys.stderr)


if __name__ == "__main__":
    main()
