"""Every CSV vetsim writes reads with pandas and polars without options, one type per column.

Usage: python3 .ci/check-csv-types.py DIR...   (each a result directory, e.g. output/*/)

For each column it classifies the text of every non-empty cell (integer, real, ISO date, boolean,
text) and fails if a column mixes kinds: an integer among reals counts as mixing, because polars
infers a column's type from its first rows and then fails on a later `0.5` where it saw `0`.
Then it reads the file with `pandas.read_csv(path)` and `polars.read_csv(path)`, no options, and
checks each column's type: Int64 (Float64 in pandas when a cell is empty) for integers, Float64 for
reals, Boolean for booleans, strings for dates and text. Exit 1 on any failure, naming the file
and column.
"""

import csv
import re
import sys
from pathlib import Path

import pandas as pd
import polars as pl

INT = re.compile(r"^-?[0-9]+$")
REAL = re.compile(r"^-?([0-9]+\.[0-9]*|[0-9]*\.[0-9]+)([eE][-+]?[0-9]+)?$|^-?[0-9]+[eE][-+]?[0-9]+$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def kind(cell):
    if INT.match(cell):
        return "integer"
    if REAL.match(cell) or cell in ("NaN", "inf", "-inf"):
        return "real"
    if DATE.match(cell):
        return "date"
    if cell in ("true", "false"):
        return "boolean"
    return "text"


def check(path):
    problems = []
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    if len(set(header)) != len(header):
        problems.append(f"{path}: repeated column names")
    kinds, empty = {}, {}
    for name, i in zip(header, range(len(header))):
        cells = [r[i] for r in body]
        ks = {kind(c) for c in cells if c != ""}
        empty[name] = any(c == "" for c in cells)
        if len(ks) > 1:
            where = {k: next(n + 2 for n, c in enumerate(cells) if c != "" and kind(c) == k) for k in ks}
            problems.append(f"{path}: column {name!r} mixes {sorted(where.items())} (kind: first line)")
        kinds[name] = ks.pop() if len(ks) == 1 else None
    try:
        pdf = pd.read_csv(path)
    except Exception as e:  # noqa: BLE001: any failure to read is the finding
        return problems + [f"{path}: pandas cannot read it: {e}"]
    try:
        pldf = pl.read_csv(path)
    except Exception as e:  # noqa: BLE001
        return problems + [f"{path}: polars cannot read it: {e}"]
    for name in header:
        k = kinds[name]
        pd_t, pl_t = str(pdf[name].dtype), pldf[name].dtype
        if k is None:  # all empty: nothing to check beyond a successful read
            continue
        if k == "integer":
            ok_pd = pd_t == ("float64" if empty[name] else "int64")
            ok_pl = pl_t == pl.Int64
        elif k == "real":
            ok_pd, ok_pl = pd_t == "float64", pl_t == pl.Float64
        elif k == "boolean":
            ok_pd = pd_t == ("object" if empty[name] else "bool")
            ok_pl = pl_t == pl.Boolean
        else:
            ok_pd, ok_pl = pd_t in ("object", "str", "string"), pl_t == pl.String
            if k == "date":
                cells = pdf[name].dropna()
                pd.to_datetime(cells, format="%Y-%m-%d")  # raises if any is not a date
        if not ok_pd:
            problems.append(f"{path}: column {name!r} holds {k} values but pandas reads {pd_t}")
        if not ok_pl:
            problems.append(f"{path}: column {name!r} holds {k} values but polars reads {pl_t}")
    return problems


def main(dirs):
    files = sorted(p for d in dirs for p in Path(d).glob("*.csv"))
    if not files:
        print("no CSV files found in " + " ".join(dirs), file=sys.stderr)
        return 1
    problems = [p for f in files for p in check(f)]
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(files)} CSV files read by pandas {pd.__version__} and polars {pl.__version__}: "
          + ("every column has one type" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
