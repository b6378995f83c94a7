"""docs/model.md must show the parameter table exactly as `khorgos parameters` prints it.

Usage: check_parameter_table.py KHORGOS_BINARY DOCS/model.md
"""
import subprocess
import sys

binary, doc = sys.argv[1], sys.argv[2]
table = subprocess.run([binary, "parameters"], check=True, capture_output=True, text=True).stdout
text = open(doc, encoding="utf-8").read()
missing = [line for line in table.splitlines() if line not in text]
if missing:
    print("docs/model.md is out of date; regenerate its table with `khorgos parameters`:")
    print("\n".join(missing))
    sys.exit(1)
print(f"{len(table.splitlines())} table lines present")
