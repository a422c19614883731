#!/usr/bin/env python3
"""Checks that three exports of every devis hold the same rows; used by scripts/bench-export.sh.

Usage: bench_compare_csv.py OURS.csv FREEBCP.csv PYTDS.csv

The three files come from the same query (same columns, same ORDER BY on a total order:
DATE_CREATION DESC, NUMERO_DEVIS DESC), so they are compared row by row in file order, which is
stronger than comparing sorted copies, after normalising what each tool writes its own way:

- ours and the python script are RFC 4180 CSV with a header (read with the csv module); freebcp
  `-c -t,` writes no header and never quotes, so its lines are split on `,` and any line that
  does not have exactly 11 fields (a comma inside a text) is counted as ambiguous and reported.
- Amounts (MONTANT_HT, MONTANT_TTC, DECIMAL(18,2)) are compared as exact decimals: `4645.5`
  (python's Decimal text) equals `4645.50`. Nothing is rounded; a third decimal would differ.
- TAUX_MARGE (DECIMAL(9,4)) is a percentage that jlm-batigest writes at 2 decimals (its CSV
  contract); the others write 4. All three are rounded half-up to 2 decimals before comparing,
  and the rows where that rounding changes freebcp's value are counted and printed, so that it
  can be seen not to hide a difference (0 on the generated data, whose rates have 2 decimals).
- Date-times (DATETIME2(7)) are compared to the second, each tool's text truncated: ours writes
  seconds (`2024-01-31T10:15:30`), freebcp milliseconds truncated (`…:30.999`), python-tds
  microseconds (`…:30.999996`, or no fraction at all when it is zero). A value that some tool
  rounded up across a second boundary would show as a difference.
- NULL is an empty field in all three.

Also prints, per file, the row count, the number of distinct NUMERO_DEVIS and the exact sum of
MONTANT_HT; the set of numbers and the sums must match exactly. Exit status 0 when all agree.
"""
import csv
import hashlib
import sys
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MONEY = (4, 5)
RATE = 6
DATES = (7, 8)


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)  # header
        yield from reader


def bcp_rows(path, stats):
    with open(path, newline="", encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\r\n").split(",")
            if len(fields) != 11:
                stats["ambiguous"] += 1
            yield fields


def normalise(fields, stats=None):
    row = list(fields)
    if len(row) != 11:
        return tuple(row)
    for i in MONEY:
        row[i] = str(Decimal(row[i]))
        if "." in row[i]:
            row[i] = row[i].rstrip("0").rstrip(".")
    rate = Decimal(row[RATE])
    rounded = rate.quantize(CENT, rounding=ROUND_HALF_UP)
    if stats is not None and rounded != rate:
        stats["rates_rounded"] += 1
    row[RATE] = str(rounded)
    for i in DATES:
        row[i] = row[i][:19].replace("T", " ")
    return tuple(row)


def main():
    paths = dict(zip(("jlm-batigest", "freebcp", "python-tds"), sys.argv[1:4]))
    bcp_stats = {"ambiguous": 0, "rates_rounded": 0}
    streams = {
        "jlm-batigest": (normalise(r) for r in csv_rows(paths["jlm-batigest"])),
        "freebcp": (normalise(r, bcp_stats) for r in bcp_rows(paths["freebcp"], bcp_stats)),
        "python-tds": (normalise(r) for r in csv_rows(paths["python-tds"])),
    }
    names = list(streams)
    counts = {n: 0 for n in names}
    sums = {n: Decimal(0) for n in names}
    numbers = {n: hashlib.sha256() for n in names}
    distinct = {n: set() for n in names}
    mismatches = 0
    first = None
    sentinel = object()
    iterators = [iter(streams[n]) for n in names]
    while True:
        rows = [next(it, sentinel) for it in iterators]
        if all(r is sentinel for r in rows):
            break
        for n, r in zip(names, rows):
            if r is sentinel:
                continue
            counts[n] += 1
            if len(r) == 11:
                sums[n] += Decimal(r[4])
            distinct[n].add(r[0])
        if any(r is sentinel for r in rows) or len({r for r in rows}) != 1:
            mismatches += 1
            if first is None:
                first = (counts[names[0]], rows)
    # The set of numbers, order-free: a digest of the sorted distinct numbers.
    for n in names:
        for number in sorted(distinct[n]):
            numbers[n].update(number.encode() + b"\n")
    for n in names:
        print(f"    {n:<13} {counts[n]:>9} lignes, {len(distinct[n]):>9} numéros distincts "
              f"(empreinte {numbers[n].hexdigest()[:12]}), somme MONTANT_HT = {sums[n]}")
    print(f"    freebcp : {bcp_stats['ambiguous']} ligne(s) ambiguë(s) (virgule dans un texte), "
          f"{bcp_stats['rates_rounded']} taux changé(s) par l'arrondi à 2 décimales")
    same_sets = len({numbers[n].hexdigest() for n in names}) == 1
    same_sums = len(set(sums.values())) == 1
    if mismatches == 0 and same_sets and same_sums:
        print("    contenu identique : mêmes lignes, même ordre, mêmes numéros, même somme")
        return 0
    print(f"    DIFFÉRENCES : {mismatches} ligne(s) ; numéros identiques : {same_sets} ; sommes identiques : {same_sums}")
    if first is not None:
        line, rows = first
        print(f"    première différence vers la ligne {line} :")
        for n, r in zip(names, rows):
            print(f"      {n}: {r if r is not sentinel else '(fin du fichier)'}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
