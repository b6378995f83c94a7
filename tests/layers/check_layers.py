#!/usr/bin/python3
"""Fails when a folder includes a layer above it (README, Layout).

Reads every `#include "..."` line of the layers' sources and headers. An
include names its folder first ("sim/engine.hpp"); that folder must be the
including file's own or one the table below lets it use. Headers found by
other means (the generated version header) are listed apart.
Usage: check_layers.py SOURCE_DIR
"""
import pathlib
import re
import sys

# Who may include whom: the layer table of README's Layout, top to bottom.
ALLOWED = {
    "app": {"batch", "input", "output", "calibration", "io", "sim"},
    "batch": {"input", "output", "calibration", "io", "sim"},
    "output": {"calibration", "io", "sim"},  # calibration: its data types only
    "input": {"calibration", "io", "sim"},   # calibration: its configuration types
    "calibration": {"io", "sim"},
    "io": {"sim"},
    "sim": set(),
}
# Generated into the build tree, not a layer: who may include it.
GENERATED = {"khorgos_version.hpp": {"batch", "app"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def violations(root):
    found = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((root / layer).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".def", ".in"):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                where = f"{path.relative_to(root)}:{number}"
                if target in GENERATED:
                    if layer not in GENERATED[target]:
                        found.append(f"{where}: {layer}/ may not include {target}")
                    continue
                folder = target.split("/")[0] if "/" in target else None
                if folder is None:
                    found.append(f'{where}: "{target}" does not name its folder')
                elif folder != layer and folder not in allowed:
                    found.append(f"{where}: {layer}/ includes {target}, a layer it may not use "
                                 f"(allowed: {', '.join(sorted(allowed)) or 'nothing'})")
    return found


def main():
    root = pathlib.Path(sys.argv[1])
    missing = [layer for layer in ALLOWED if not (root / layer).is_dir()]
    if missing:
        print(f"check_layers: no folder {', '.join(missing)} in {root}")
        return 1
    found = violations(root)
    for line in found:
        print(line)
    print(f"check_layers: {len(found)} include(s) against the layers" if found
          else "check_layers: every include follows the layers")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
