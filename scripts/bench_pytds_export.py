#!/usr/bin/env python3
"""What IT would write without jlm-batigest: python-tds + the csv module, every devis to CSV.

Usage: bench_pytds_export.py HOST PORT OUTPUT.csv
Credentials from the environment as for jlm-batigest (BATIGEST_SQL_USER, BATIGEST_SQL_PASSWORD,
BATIGEST_DATABASE). Selects the columns of `jlm-batigest devis`, in the same order, with the same
ORDER BY; rows are streamed from the cursor to the writer (no fetchall), like a careful script would.
Used by scripts/bench-export.sh.
"""
import csv
import os
import sys

import pytds

QUERY = (
    "SELECT d.NUMERO_DEVIS, d.REFERENCE_AFFAIRE, c.CODE_CLIENT, c.NOM, d.MONTANT_HT, d.MONTANT_TTC, "
    "d.TAUX_MARGE, d.DATE_CREATION, d.DATE_VALIDATION, d.STATUT, d.RESPONSABLE "
    "FROM DEVIS d JOIN CLIENTS c ON c.ID = d.CLIENT_ID "
    "ORDER BY d.DATE_CREATION DESC, d.NUMERO_DEVIS DESC"
)
HEADER = [
    "numero_devis", "reference_affaire", "code_client", "nom_client", "montant_ht", "montant_ttc",
    "taux_marge", "date_creation", "date_validation", "statut", "responsable",
]


def main() -> int:
    host, port, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with pytds.connect(
        server=host,
        port=port,
        database=os.environ.get("BATIGEST_DATABASE", "BATIGEST_CONNECT"),
        user=os.environ.get("BATIGEST_SQL_USER", "sa"),
        password=os.environ["BATIGEST_SQL_PASSWORD"],
        autocommit=True,
    ) as connection, connection.cursor() as cursor, open(output, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        cursor.execute(QUERY)
        while True:
            rows = cursor.fetchmany(10_000)
            if not rows:
                break
            writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
