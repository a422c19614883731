"""python-tds client for the conformance suite: runs one scenario, prints JSON on stdout.

Usage: pytds_client.py HOST PORT SCENARIO [CAFILE]
Values are printed as strings (Decimal, datetime) so the Rust side compares them exactly.
"""
import json
import sys

import pytds


def connect(host, port, password="Sandbox!2024", cafile=None, database="BATIGEST_CONNECT"):
    return pytds.connect(
        server=host,
        port=port,
        user="sa",
        password=password,
        database=database,
        cafile=cafile,
        validate_host=False,
        login_timeout=10,
        timeout=10,
        autocommit=True,
    )


def show(value):
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def query(conn, sql, params=()):
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, map(show, row))) for row in cursor.fetchall()]


def main():
    host, port, scenario = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    cafile = sys.argv[4] if len(sys.argv) > 4 else None
    if scenario == "values":
        import datetime
        import decimal

        with connect(host, port, cafile=cafile) as conn:
            result = {
                "devis": query(
                    conn,
                    "SELECT d.ID, d.NUMERO_DEVIS, c.NOM, c.VILLE, d.MONTANT_HT, d.TAUX_MARGE, "
                    "d.DATE_CREATION, d.DATE_VALIDATION FROM DEVIS d JOIN CLIENTS c ON c.ID = d.CLIENT_ID "
                    "WHERE d.NUMERO_DEVIS = %s",
                    ("DEVIS-2024-001",),
                ),
                "ouvrage": query(
                    conn,
                    "SELECT ACTIF, PRIX_ACHAT_HT, CAST(PRIX_VENTE_HT AS FLOAT) AS PV, "
                    "CAST(ID AS BIGINT) AS GRAND, FAMILLE_ID FROM OUVRAGES WHERE ID = %s",
                    (2,),
                ),
                "facture": query(
                    conn,
                    "SELECT NUMERO_FACTURE, DATE_ECHEANCE, MONTANT_REGLE FROM FACTURES "
                    "WHERE DATE_FACTURE >= %s AND MONTANT_HT < %s",
                    (datetime.date(2024, 2, 16), decimal.Decimal("0.00")),
                ),
                # python-tds sends DATETIME2(6): it must match the stored 7-digit value.
                "by_datetime": query(
                    conn,
                    "SELECT NUMERO_DEVIS FROM DEVIS WHERE DATE_VALIDATION = %s",
                    (datetime.datetime(2024, 3, 1, 8, 0, 0, 500000),),
                ),
            }
    elif scenario == "errors":
        result = {}
        with connect(host, port) as conn:
            for name, sql in (("table", "SELECT * FROM DEVIZ"), ("column", "SELECT NUMERO FROM DEVIS")):
                try:
                    query(conn, sql)
                    result[name] = None
                except pytds.ProgrammingError as error:
                    result[name] = [error.msg_no, str(error.text)]
            result["after"] = query(conn, "SELECT COUNT(*) AS N FROM DEVIS")
        try:
            connect(host, port, password="wrong")
            result["login"] = None
        except pytds.Error as error:
            result["login"] = [getattr(error, "msg_no", None), str(getattr(error, "text", error))]
    elif scenario == "semantics":
        # The real-types dossier (tests/cli/real_types.rs), through python-tds' own decoding.
        import datetime

        with connect(host, port, database="BTG_DOS_JLM") as conn:
            with conn.cursor() as cursor:
                cursor.execute("SELECT Code, CodeClient, Date, TotalHT, TotalTTC, TauxMarge FROM Devis WHERE Code = %s", ("00000001",))
                types = {column[0]: column[1] for column in cursor.description}
                row = [show(value) for value in cursor.fetchone()]
            result = {
                "types": types,
                "devis": row,
                "by_client": query(conn, "SELECT COUNT(*) AS n FROM Devis WHERE CodeClient = %s", ("Cli00021",)),
                "famille": query(conn, "SELECT Famille FROM ElementDef WHERE Code = %s", ("porte-bois",)),
                "last_day": query(
                    conn,
                    "SELECT COUNT(*) AS n FROM Facture WHERE Date >= %s AND Date < %s",
                    (datetime.datetime(2025, 6, 30), datetime.datetime(2025, 7, 1)),
                ),
                "on_or_before": query(conn, "SELECT COUNT(*) AS n FROM Facture WHERE Date <= %s", (datetime.date(2025, 6, 30),)),
                "sums": query(conn, "SELECT SUM(TotalHT) AS s, SUM(TotalHT * TauxMarge / 100.0) AS m FROM Devis"),
                "distinct": query(conn, "SELECT COUNT(DISTINCT CodeClient) AS n FROM Devis"),
            }
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT CAST('2025-06-30 17:45:29' AS SMALLDATETIME) AS s, CAST(1.23456 AS SMALLMONEY) AS m, "
                    "CAST('abc' AS NCHAR(5)) AS n, CAST(N'été' AS VARCHAR(10)) AS v, "
                    "CAST('2025-06-30 17:45:29.999' AS DATETIME) AS d"
                )
                result["small_types"] = [column[1] for column in cursor.description]
                result["small_values"] = [show(value) for value in cursor.fetchone()]
            try:
                query(conn, "SELECT COUNT(*) AS n FROM Devis WHERE Etat = %s", ("sept",))
                result["conversion"] = None
            except pytds.Error as error:
                result["conversion"] = [error.msg_no, str(error.text)]
    elif scenario == "cancel":
        with connect(host, port) as conn:
            with conn.cursor() as cursor:
                cursor.execute("SELECT * FROM DEVIS")
                first = cursor.fetchone()
                cursor.cancel()
            result = {"first": show(first[1]), "after": query(conn, "SELECT COUNT(*) AS N FROM CLIENTS")}
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
