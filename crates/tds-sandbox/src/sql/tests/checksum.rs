//! `BINARY_CHECKSUM` and `CHECKSUM_AGG` (see `sql::checksum`): INT figures that move when a value
//! moves, and only then, over the product's query of committed devis per month of creation.

use super::*;

/// Two devis in January 2024, one in February, a draft in March (not committed).
const MONTHS: &str = "
INSERT INTO CLIENTS VALUES (1, 'C1', 'Dupont', 'Lyon');
INSERT INTO DEVIS VALUES
  (1, 'DEVIS-2024-001', 'AFF-2024-0001', 1, 1234.5, 1481.4, 25, '2024-01-10 09:00:00', NULL, 'VALIDE', 'Paul'),
  (2, 'DEVIS-2024-002', NULL, 1, 1500, 1800, 30.5, '2024-01-20 10:00:00.5000000', '2024-01-25 08:00:00', 'ACCEPTE', NULL),
  (3, 'DEVIS-2024-003', 'AFF-2024-0002', 1, 99.99, 119.99, 12.25, '2024-02-03 11:00:00', NULL, 'VALIDE', NULL),
  (4, 'DEVIS-2024-004', NULL, 1, 10, 12, 20, '2024-03-01 00:00:00', NULL, 'BROUILLON', NULL);";

/// The product's query (`batigest::queries::buckets_sql` with the default mapping): per month of
/// creation, the committed devis and the checksum of what the sync carries.
const BUCKETS: &str = "SELECT YEAR(d.[DATE_CREATION]) AS annee, MONTH(d.[DATE_CREATION]) AS mois, COUNT(*) AS n, \
     CHECKSUM_AGG(BINARY_CHECKSUM(d.[NUMERO_DEVIS], d.[REFERENCE_AFFAIRE], d.[MONTANT_HT], d.[TAUX_MARGE], \
     d.[STATUT], d.[DATE_VALIDATION])) AS somme FROM [DEVIS] d \
     WHERE UPPER(RTRIM(CAST(d.[STATUT] AS NVARCHAR(4000)))) IN (N'VALIDE', N'ACCEPTE') \
     GROUP BY YEAR(d.[DATE_CREATION]), MONTH(d.[DATE_CREATION]) ORDER BY annee, mois";

/// One devis' row checksum, as `BUCKETS` computes it.
const ROW: &str = "SELECT BINARY_CHECKSUM(d.[NUMERO_DEVIS], d.[REFERENCE_AFFAIRE], d.[MONTANT_HT], d.[TAUX_MARGE], \
     d.[STATUT], d.[DATE_VALIDATION]) FROM [DEVIS] d WHERE d.ID = ";

/// A session on the fixture, after `then` (an UPDATE…) ran on it.
fn months(then: &str) -> Session {
    let database = Database::in_memory(|c| c.execute_batch(&format!("{DDL}{MONTHS}{then}"))).unwrap();
    database.session(info()).unwrap()
}

/// The single INT a query returns.
fn int_of(session: &mut Session, sql: &str) -> i64 {
    let r = run(session, sql);
    assert_eq!(r.error(), None, "{sql}");
    match r.rows()[0][0] {
        Value::Int(n) => n,
        ref other => panic!("{sql}: {other:?}"),
    }
}

fn row_checksum(session: &mut Session, id: i64) -> i64 {
    int_of(session, &format!("{ROW}{id}"))
}

#[test]
fn binary_checksum_is_an_int_and_moves_with_each_argument() {
    let mut s = months("");
    let r = run(&mut s, &format!("{ROW}1"));
    assert_eq!(r.types(), [SqlType::Int]);
    let base = row_checksum(&mut s, 1);
    assert!(i32::try_from(base).is_ok());
    // The same values written as literals of the same types: the same checksum.
    let literal = |args: [&str; 6]| format!("SELECT BINARY_CHECKSUM({})", args.join(", "));
    let same = [
        "N'DEVIS-2024-001'",
        "N'AFF-2024-0001'",
        "CAST(1234.50 AS DECIMAL(18,2))",
        "CAST(25 AS DECIMAL(9,4))",
        "N'VALIDE'",
        "CAST(NULL AS DATETIME2)",
    ];
    assert_eq!(int_of(&mut s, &literal(same)), base);
    // Each argument changed alone moves it.
    let changes = [
        (0, "N'DEVIS-2024-002'"),
        (1, "N'AFF-2024-0002'"),
        (2, "CAST(1234.51 AS DECIMAL(18,2))"),
        (3, "CAST(25.0001 AS DECIMAL(9,4))"),
        (4, "N'ACCEPTE'"),
        (5, "CAST('2024-01-25' AS DATETIME2)"),
    ];
    for (i, value) in changes {
        let mut args = same;
        args[i] = value;
        assert_ne!(int_of(&mut s, &literal(args)), base, "argument {i} = {value}");
    }
    // Arguments may be expressions: a typed NULL, a CASE.
    let r = run(
        &mut s,
        "SELECT BINARY_CHECKSUM(d.NUMERO_DEVIS, CAST(NULL AS DECIMAL(5,2))), BINARY_CHECKSUM(d.NUMERO_DEVIS, NULL),
                BINARY_CHECKSUM(CASE WHEN d.STATUT = 'VALIDE' THEN d.MONTANT_HT ELSE 0 END), BINARY_CHECKSUM(d.MONTANT_HT)
         FROM DEVIS d WHERE d.ID = 1",
    );
    assert_eq!(r.error(), None);
    assert_eq!(r.types(), [SqlType::Int; 4]);
    let row = &r.rows()[0];
    assert_eq!(row[0], row[1]);
    assert_eq!(row[2], row[3]);
}

#[test]
fn text_is_case_sensitive_and_null_is_neither_empty_nor_zero() {
    let mut s = months("");
    // French_CI_AS says 'Devis' = 'DEVIS'; BINARY_CHECKSUM does not (SQL Server's does not either).
    assert_ne!(int_of(&mut s, "SELECT BINARY_CHECKSUM(N'Devis')"), int_of(&mut s, "SELECT BINARY_CHECKSUM(N'DEVIS')"));
    let three = |middle: &str| format!("SELECT BINARY_CHECKSUM(N'a', {middle}, N'b')");
    let (null, empty, zero) =
        (int_of(&mut s, &three("NULL")), int_of(&mut s, &three("N''")), int_of(&mut s, &three("0")));
    assert!(null != empty && null != zero && empty != zero, "{null} {empty} {zero}");
    // Trailing spaces do not count, as in SQL Server's comparisons.
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM('ab  ')"), int_of(&mut s, "SELECT BINARY_CHECKSUM(N'ab')"));
    // The figures are fixed: the same on every run and platform (the family byte, then the bytes,
    // each folded as h = rotl(h, 4) ^ byte).
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM(NULL)"), 0xFF);
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM(N'A')"), (i64::from(b'S') << 4) ^ i64::from(b'A'));
    assert_eq!(int_of(&mut s, &format!("{ROW}1")), int_of(&mut months(""), &format!("{ROW}1")));
}

#[test]
fn a_decimal_hashes_alike_however_sqlite_stores_it() {
    // 1234.50 stored as a double (devis 1); 1500.00 stored as the integer 1500 (devis 2).
    let mut s = months("");
    let stored =
        |s: &mut Session, id: i64| int_of(s, &format!("SELECT BINARY_CHECKSUM(MONTANT_HT) FROM DEVIS WHERE ID = {id}"));
    let real = stored(&mut s, 1);
    let integer = stored(&mut s, 2);
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM(CAST('1234.50' AS DECIMAL(18,2)))"), real);
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM(CAST(1234.5 AS DECIMAL(18,2)))"), real);
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM(MONTANT_HT + 0) FROM DEVIS WHERE ID = 1"), real);
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM(CAST('1500.00' AS DECIMAL(18,2)))"), integer);
    assert_eq!(int_of(&mut s, "SELECT BINARY_CHECKSUM(MONTANT_HT * 1) FROM DEVIS WHERE ID = 2"), integer);
    // The same value written by an UPDATE, as text or as a number: the same checksum. (SQLite's
    // NUMERIC affinity stores both as the double; text reaches the function only from expressions,
    // see the unit tests of `sql::checksum`.)
    for update in ["UPDATE DEVIS SET MONTANT_HT = 1234.5", "UPDATE DEVIS SET MONTANT_HT = '1234.50'"] {
        let mut after = months(&format!("{update} WHERE ID = 1;"));
        assert_eq!(stored(&mut after, 1), real, "{update}");
    }
    let mut after = months("UPDATE DEVIS SET MONTANT_HT = 1500.0 WHERE ID = 2;");
    assert_eq!(stored(&mut after, 2), integer);
    // And a DECIMAL parameter, bound as SQLite's number.
    let mut r = Recorder::default();
    s.execute_rpc(
        "SELECT BINARY_CHECKSUM(@P1)",
        &[param("@P1", SqlType::Decimal { precision: 18, scale: 2 }, dec(123_450, 2))],
        &mut r,
    )
    .unwrap();
    assert_eq!(r.rows(), [[Value::Int(real)]]);
}

#[test]
fn checksum_agg_xors_per_month_and_moves_with_one_devis() {
    let mut s = months("");
    let r = run(&mut s, BUCKETS);
    assert_eq!(r.error(), None);
    assert_eq!(r.types(), [SqlType::Int; 4]);
    let (one, two, three) = (row_checksum(&mut s, 1), row_checksum(&mut s, 2), row_checksum(&mut s, 3));
    let rows = r.rows();
    assert_eq!(
        rows,
        [
            [Value::Int(2024), Value::Int(1), Value::Int(2), Value::Int(one ^ two)],
            [Value::Int(2024), Value::Int(2), Value::Int(1), Value::Int(three)],
        ]
    );
    // One devis' HT changes: its month's checksum moves, the other's does not, counts stay.
    let mut after = months("UPDATE DEVIS SET MONTANT_HT = 1234.6 WHERE ID = 1;");
    let changed = run(&mut after, BUCKETS).rows();
    assert_eq!(changed[1], rows[1]);
    assert_eq!(changed[0][..3], rows[0][..3]);
    assert_ne!(changed[0][3], rows[0][3]);
    // A devis saved again with the same HT (written as text), a change to the March draft (not
    // committed): the figures stay.
    let mut same =
        months("UPDATE DEVIS SET MONTANT_HT = '1234.50' WHERE ID = 1; UPDATE DEVIS SET MONTANT_HT = 11 WHERE ID = 4;");
    assert_eq!(run(&mut same, BUCKETS).rows(), rows);
}

#[test]
fn checksum_agg_ignores_nulls_and_wants_integers() {
    let mut s = months("");
    let one = |s: &mut Session, sql: &str| run(s, sql).rows()[0][0].clone();
    assert_eq!(one(&mut s, "SELECT CHECKSUM_AGG(ID) FROM DEVIS WHERE ID > 10"), Value::Null);
    assert_eq!(one(&mut s, "SELECT CHECKSUM_AGG(CAST(NULL AS INT)) FROM DEVIS"), Value::Null);
    // 1 ^ 2 ^ 3 ^ 4 = 4; NULLs are skipped.
    assert_eq!(one(&mut s, "SELECT CHECKSUM_AGG(ID) FROM DEVIS"), Value::Int(4));
    assert_eq!(one(&mut s, "SELECT CHECKSUM_AGG(CASE WHEN ID < 3 THEN ID END) FROM DEVIS"), Value::Int(3));
    assert_eq!(one(&mut s, "SELECT CHECKSUM_AGG(CLIENT_ID) FROM DEVIS"), Value::Int(0));
    assert_eq!(one(&mut s, "SELECT CHECKSUM_AGG(DISTINCT CLIENT_ID) FROM DEVIS"), Value::Int(1));
    let e = run(&mut s, "SELECT CHECKSUM_AGG(STATUT) FROM DEVIS").error().unwrap();
    assert_eq!(
        (e.number, e.message.as_str()),
        (8117, "Operand data type nvarchar is invalid for checksum_agg operator.")
    );
    let e = run(&mut s, "SELECT BINARY_CHECKSUM(*) FROM DEVIS").error().unwrap();
    assert_eq!(e.number, 50000);
}
