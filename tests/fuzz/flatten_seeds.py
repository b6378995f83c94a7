"""Writes fuzzer seeds: every shipped scenario with its `extends` chain merged
into one self-contained file (the fuzz entry point reads no file, so a child
scenario is only useful as a seed once flattened), plus every TOML file as is.
Merging follows sim/scenario_file.cpp: tables merge key by key, arrays
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
    flattened = 0
    for path in sorted(files):
        name = path.replace("/", "_")
        shutil.copyfile(path, os.path.join(out, name))
        try:
            table = load(path)
        except Exception:  # a bad input that is bad before merging: kept as is only
            continue
        with open(os.path.join(out, "flat_" + name), "w", encoding="utf-8") as f:
            for k, v in table.items():
                f.write(f"{key(k)} = {value(v)}\n")
        flattened += 1
    print(f"{len(files)} seeds, {flattened} flattened", file=sys.stderr)


if __name__ == "__main__":
    main()
