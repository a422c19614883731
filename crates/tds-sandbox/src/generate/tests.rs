//! Tests of the generator: schema, invariants of DESIGN §5, formats, determinism.

use super::*;
use rusqlite::types::Value;
use std::fmt::Write as _;

fn db(n: u64, seed: u64) -> (Connection, Summary) {
    let conn = Connection::open_in_memory().unwrap();
    let summary = generate(&conn, n, seed, Layout::Default).unwrap();
    (conn, summary)
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Every row of every table, as text with floats by their bits: equal dumps mean equal data.
fn dump(conn: &Connection) -> String {
    let mut out = String::new();
    for table in ["CLIENTS", "FAMILLES", "SOUS_FAMILLES", "OUVRAGES", "DEVIS", "FACTURES"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get::<_, Value>(i).unwrap() {
                    Value::Real(f) => out.push_str(&f.to_bits().to_string()),
                    v => write!(out, "{v:?}").unwrap(),
                }
                out.push('|');
            }
            out.push('\n');
        }
    }
    out
}

#[test]
fn schema_has_exactly_the_design_columns() {
    let (conn, _) = db(10, 1);
    let expected: &[(&str, &[(&str, &str)])] = &[
        (
            "CLIENTS",
            &[("ID", "INT"), ("CODE_CLIENT", "NVARCHAR(20)"), ("NOM", "NVARCHAR(100)"), ("VILLE", "NVARCHAR(60)")],
        ),
        ("FAMILLES", &[("ID", "INT"), ("CODE_FAMILLE", "NVARCHAR(20)"), ("LIBELLE", "NVARCHAR(100)")]),
        (
            "SOUS_FAMILLES",
            &[
                ("ID", "INT"),
                ("FAMILLE_ID", "INT"),
                ("CODE_SOUS_FAMILLE", "NVARCHAR(20)"),
                ("LIBELLE", "NVARCHAR(100)"),
            ],
        ),
        (
            "OUVRAGES",
            &[
                ("ID", "INT"),
                ("CODE_OUVRAGE", "NVARCHAR(30)"),
                ("LIBELLE", "NVARCHAR(200)"),
                ("UNITE", "NVARCHAR(10)"),
                ("PRIX_ACHAT_HT", "DECIMAL(18,4)"),
                ("PRIX_VENTE_HT", "DECIMAL(18,4)"),
                ("TAUX_FRAIS_GENERAUX", "DECIMAL(9,4)"),
                ("TAUX_BENEFICE", "DECIMAL(9,4)"),
                ("FAMILLE_ID", "INT"),
                ("SOUS_FAMILLE_ID", "INT"),
                ("ACTIF", "BIT"),
            ],
        ),
        (
            "DEVIS",
            &[
                ("ID", "INT"),
                ("NUMERO_DEVIS", "NVARCHAR(50)"),
                ("REFERENCE_AFFAIRE", "NVARCHAR(50)"),
                ("CLIENT_ID", "INT"),
                ("MONTANT_HT", "DECIMAL(18,2)"),
                ("MONTANT_TTC", "DECIMAL(18,2)"),
                ("TAUX_MARGE", "DECIMAL(9,4)"),
                ("DATE_CREATION", "DATETIME2"),
                ("DATE_VALIDATION", "DATETIME2"),
                ("STATUT", "NVARCHAR(20)"),
                ("RESPONSABLE", "NVARCHAR(100)"),
            ],
        ),
        (
            "FACTURES",
            &[
                ("ID", "INT"),
                ("NUMERO_FACTURE", "NVARCHAR(50)"),
                ("NUMERO_DEVIS", "NVARCHAR(50)"),
                ("CLIENT_ID", "INT"),
                ("MONTANT_HT", "DECIMAL(18,2)"),
                ("MONTANT_TTC", "DECIMAL(18,2)"),
                ("DATE_FACTURE", "DATE"),
                ("DATE_ECHEANCE", "DATE"),
                ("STATUT_REGLEMENT", "NVARCHAR(30)"),
                ("MONTANT_REGLE", "DECIMAL(18,2)"),
            ],
        ),
    ];
    let tables = strings(&conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    let mut names: Vec<&str> = expected.iter().map(|(t, _)| *t).collect();
    names.sort_unstable();
    assert_eq!(tables, names);
    for (table, columns) in expected {
        let mut stmt = conn.prepare("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid").unwrap();
        let actual: Vec<(String, String)> =
            stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        let expected: Vec<(String, String)> =
            columns.iter().map(|(c, t)| ((*c).to_string(), (*t).to_string())).collect();
        assert_eq!(actual, expected, "{table}");
    }
    for index in [
        "IX_DEVIS_DATE_CREATION",
        "IX_DEVIS_CLIENT_ID",
        "IX_FACTURES_NUMERO_DEVIS",
        "IX_FACTURES_DATE_FACTURE",
        "IX_FACTURES_CLIENT_ID",
    ] {
        assert_eq!(count(&conn, &format!("SELECT COUNT(*) FROM sqlite_master WHERE name = '{index}'")), 1);
    }
    // The public DDL creates the same thing on an empty database.
    let empty = Connection::open_in_memory().unwrap();
    empty.execute_batch(SCHEMA_SQL).unwrap();
    assert_eq!(count(&empty, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'IX_%'"), 5);
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let (a, sa) = db(300, 42);
    let (b, sb) = db(300, 42);
    let (c, _) = db(300, 43);
    assert_eq!(sa, sb);
    assert_eq!(dump(&a), dump(&b));
    assert_ne!(dump(&a), dump(&c));
}

#[test]
fn tiny_datasets_work() {
    for n in [0, 1, 2, 4, 5, 9] {
        let (conn, s) = db(n, 7);
        assert_eq!(s.devis, n);
        assert_eq!(count(&conn, "SELECT COUNT(*) FROM DEVIS"), n as i64);
        assert_eq!(s.clients, 50);
        // No devis, no invoices: `--generate 0` is an empty database, not four stray invoices.
        assert!(if n == 0 { s.factures == 0 } else { s.factures >= 4 }, "{n}: {}", s.factures);
    }
}

#[test]
fn every_situation_exists_from_ten_quotes() {
    for (n, seed) in [(10, 1), (10, 2), (20, 3), (20, 99), (1000, 5)] {
        let (conn, s) = db(n, seed);
        assert_eq!(s.devis, n);
        let statuts = strings(&conn, "SELECT DISTINCT STATUT FROM DEVIS ORDER BY 1");
        assert_eq!(statuts, ["ACCEPTE", "BROUILLON", "ENVOYE", "REFUSE", "VALIDE"], "n={n} seed={seed}");
        let reglements = strings(&conn, "SELECT DISTINCT STATUT_REGLEMENT FROM FACTURES ORDER BY 1");
        assert_eq!(reglements, ["NON_REGLE", "PARTIELLEMENT_REGLE", "REGLE"], "n={n} seed={seed}");
        assert!(count(&conn, "SELECT COUNT(*) FROM FACTURES WHERE NUMERO_FACTURE LIKE 'AV-%' AND MONTANT_HT < 0") >= 1);
        assert!(count(&conn, "SELECT COUNT(*) FROM FACTURES WHERE NUMERO_DEVIS IS NULL") >= 1);
        // Very late: more than 90 days past due at the reference date, still open.
        assert!(
            count(
                &conn,
                "SELECT COUNT(*) FROM FACTURES WHERE STATUT_REGLEMENT <> 'REGLE'
                   AND julianday('2025-12-31') - julianday(DATE_ECHEANCE) > 90"
            ) >= 1
        );
        // Not yet due.
        assert!(count(&conn, "SELECT COUNT(*) FROM FACTURES WHERE DATE_ECHEANCE > '2025-12-31'") >= 1);
        // Quotes sharing an affaire, always with the same client.
        assert!(
            count(
                &conn,
                "SELECT COUNT(*) FROM (SELECT REFERENCE_AFFAIRE FROM DEVIS WHERE REFERENCE_AFFAIRE IS NOT NULL GROUP BY 1 HAVING COUNT(*) > 1)"
            ) >= 1
        );
        assert_eq!(
            count(
                &conn,
                "SELECT COUNT(*) FROM (SELECT REFERENCE_AFFAIRE FROM DEVIS WHERE REFERENCE_AFFAIRE IS NOT NULL GROUP BY 1 HAVING COUNT(DISTINCT CLIENT_ID) > 1)"
            ),
            0
        );
        assert!(count(&conn, "SELECT COUNT(*) FROM DEVIS WHERE REFERENCE_AFFAIRE IS NULL") >= 1 || n < 100);
        assert!(count(&conn, "SELECT COUNT(*) FROM FACTURES f JOIN DEVIS d ON d.NUMERO_DEVIS = f.NUMERO_DEVIS") >= 1);
    }
}

#[test]
fn catalogue_has_its_anomalies() {
    let (conn, s) = db(10, 3);
    assert!((280..=320).contains(&s.ouvrages), "{}", s.ouvrages);
    assert_eq!((s.familles, s.sous_familles), (6, 21));
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM OUVRAGES WHERE PRIX_ACHAT_HT = 0"), 3);
    assert!(count(&conn, "SELECT COUNT(*) FROM OUVRAGES WHERE PRIX_ACHAT_HT = 0 AND ACTIF = 1") >= 1);
    assert!(count(&conn, "SELECT COUNT(*) FROM OUVRAGES WHERE ACTIF = 0") >= 1);
    assert!(count(&conn, "SELECT COUNT(*) FROM OUVRAGES WHERE FAMILLE_ID IS NULL") >= 1);
    assert!(
        count(&conn, "SELECT COUNT(*) FROM OUVRAGES WHERE FAMILLE_ID IS NOT NULL AND SOUS_FAMILLE_ID IS NULL") >= 1
    );
    // Sub-families belong to the ouvrage's family.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM OUVRAGES o JOIN SOUS_FAMILLES s ON s.ID = o.SOUS_FAMILLE_ID WHERE s.FAMILLE_ID <> o.FAMILLE_ID"
        ),
        0
    );
    // Coefficients: most near the theory, a few clearly off.
    // `/ 100.0`: DECIMAL columns have NUMERIC affinity, so whole values are stored as integers.
    let theory =
        "PRIX_VENTE_HT * 1.0 / PRIX_ACHAT_HT - (1 + TAUX_FRAIS_GENERAUX / 100.0) * (1 + TAUX_BENEFICE / 100.0)";
    let close =
        count(&conn, &format!("SELECT COUNT(*) FROM OUVRAGES WHERE PRIX_ACHAT_HT > 0 AND ABS({theory}) < 0.06"));
    let off = count(&conn, &format!("SELECT COUNT(*) FROM OUVRAGES WHERE PRIX_ACHAT_HT > 0 AND ABS({theory}) > 0.10"));
    assert!(close * 10 > (s.ouvrages as i64) * 8, "close={close}");
    assert!(off >= 3, "off={off}");
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM OUVRAGES WHERE TAUX_FRAIS_GENERAUX NOT BETWEEN 15 AND 35 OR TAUX_BENEFICE NOT BETWEEN 8 AND 25"
        ),
        0
    );
    for code in strings(&conn, "SELECT CODE_OUVRAGE FROM OUVRAGES") {
        assert!(code.chars().count() <= 30, "{code}");
    }
}

/// Digits after the decimal point of the shortest representation of `v`.
fn scale_of(v: f64) -> usize {
    let s = format!("{v}");
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

#[test]
fn amounts_are_exact_at_their_scale() {
    let (conn, _) = db(2000, 11);
    let checks = [
        ("DEVIS", "MONTANT_HT", 2),
        ("DEVIS", "MONTANT_TTC", 2),
        ("DEVIS", "TAUX_MARGE", 4),
        ("FACTURES", "MONTANT_HT", 2),
        ("FACTURES", "MONTANT_TTC", 2),
        ("FACTURES", "MONTANT_REGLE", 2),
        ("OUVRAGES", "PRIX_ACHAT_HT", 4),
        ("OUVRAGES", "PRIX_VENTE_HT", 4),
        ("OUVRAGES", "TAUX_FRAIS_GENERAUX", 4),
        ("OUVRAGES", "TAUX_BENEFICE", 4),
    ];
    for (table, column, scale) in checks {
        let mut stmt = conn.prepare(&format!("SELECT {column} FROM {table} WHERE {column} IS NOT NULL")).unwrap();
        let values: Vec<f64> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert!(!values.is_empty());
        for v in values {
            assert!(scale_of(v) <= scale, "{table}.{column} = {v}");
        }
    }
    // Some hardware prices really use the 4 decimals.
    assert!(count(&conn, "SELECT COUNT(*) FROM OUVRAGES WHERE ROUND(PRIX_ACHAT_HT, 2) <> PRIX_ACHAT_HT") >= 1);
}

#[test]
fn business_invariants() {
    let (conn, s) = db(3000, 2024);
    let zero = |sql: &str| assert_eq!(count(&conn, sql), 0, "{sql}");
    zero("SELECT COUNT(*) FROM DEVIS WHERE MONTANT_TTC < MONTANT_HT OR MONTANT_HT <= 0");
    // TTC is HT with 20, 10 or 5.5 % VAT, rounded to the cent (so at most half a cent away).
    zero(
        "SELECT COUNT(*) FROM DEVIS WHERE ABS(MONTANT_TTC - MONTANT_HT * 1.2) > 0.0051
           AND ABS(MONTANT_TTC - MONTANT_HT * 1.1) > 0.0051 AND ABS(MONTANT_TTC - MONTANT_HT * 1.055) > 0.0051",
    );
    zero("SELECT COUNT(*) FROM DEVIS WHERE TAUX_MARGE NOT BETWEEN 18 AND 45");
    zero("SELECT COUNT(*) FROM DEVIS WHERE (STATUT IN ('VALIDE', 'ACCEPTE')) <> (DATE_VALIDATION IS NOT NULL)");
    zero(
        "SELECT COUNT(*) FROM DEVIS WHERE DATE_VALIDATION < DATE_CREATION OR DATE_VALIDATION > '2025-12-31 23:59:59.9999999'",
    );
    zero(
        "SELECT COUNT(*) FROM DEVIS WHERE DATE_CREATION < '2023-01-01' OR DATE_CREATION > '2025-12-31 23:59:59.9999999'",
    );
    zero("SELECT COUNT(*) FROM DEVIS WHERE CLIENT_ID NOT IN (SELECT ID FROM CLIENTS)");
    zero("SELECT COUNT(*) FROM FACTURES WHERE CLIENT_ID NOT IN (SELECT ID FROM CLIENTS)");
    zero(
        "SELECT COUNT(*) FROM FACTURES WHERE MONTANT_HT > 0 AND (MONTANT_TTC < MONTANT_HT OR MONTANT_REGLE > MONTANT_TTC OR MONTANT_REGLE < 0)",
    );
    zero("SELECT COUNT(*) FROM FACTURES WHERE MONTANT_HT < 0 AND NUMERO_FACTURE NOT LIKE 'AV-%'");
    zero("SELECT COUNT(*) FROM FACTURES WHERE MONTANT_HT > 0 AND NUMERO_FACTURE NOT LIKE 'FA-%'");
    zero("SELECT COUNT(*) FROM FACTURES WHERE STATUT_REGLEMENT = 'REGLE' AND MONTANT_REGLE <> MONTANT_TTC");
    zero("SELECT COUNT(*) FROM FACTURES WHERE STATUT_REGLEMENT = 'NON_REGLE' AND IFNULL(MONTANT_REGLE, 0) <> 0");
    zero(
        "SELECT COUNT(*) FROM FACTURES WHERE STATUT_REGLEMENT = 'PARTIELLEMENT_REGLE' AND NOT (MONTANT_REGLE > 0 AND MONTANT_REGLE < MONTANT_TTC)",
    );
    zero(
        "SELECT COUNT(*) FROM FACTURES WHERE DATE_ECHEANCE < DATE_FACTURE OR DATE_FACTURE > '2025-12-31' OR DATE_FACTURE < '2023-01-01'",
    );
    zero("SELECT COUNT(*) FROM FACTURES f JOIN DEVIS d ON d.NUMERO_DEVIS = f.NUMERO_DEVIS
           WHERE f.DATE_FACTURE < substr(d.DATE_CREATION, 1, 10) OR f.CLIENT_ID <> d.CLIENT_ID OR d.STATUT NOT IN ('VALIDE', 'ACCEPTE')");
    zero(
        "SELECT COUNT(*) FROM FACTURES WHERE NUMERO_DEVIS IS NOT NULL AND NUMERO_DEVIS NOT IN (SELECT NUMERO_DEVIS FROM DEVIS)",
    );
    // Fully invoiced quotes land near their amount (drift of −10 % … +12 %).
    zero(
        "SELECT COUNT(*) FROM (SELECT d.MONTANT_HT AS ht, SUM(f.MONTANT_HT) AS billed FROM DEVIS d
           JOIN FACTURES f ON f.NUMERO_DEVIS = d.NUMERO_DEVIS AND f.MONTANT_HT > 0
           WHERE d.DATE_CREATION < '2024-06-01' GROUP BY d.ID HAVING COUNT(*) >= 1)
          WHERE billed > ht * 1.121 OR billed < ht * 0.29",
    );
    let exact = count(
        &conn,
        "SELECT COUNT(*) FROM (SELECT d.MONTANT_HT AS ht, SUM(f.MONTANT_HT) AS billed FROM DEVIS d
           JOIN FACTURES f ON f.NUMERO_DEVIS = d.NUMERO_DEVIS WHERE d.DATE_CREATION < '2024-06-01' GROUP BY d.ID)
          WHERE ROUND(billed - ht, 2) = 0",
    );
    let drifted = count(
        &conn,
        "SELECT COUNT(*) FROM (SELECT d.MONTANT_HT AS ht, SUM(f.MONTANT_HT) AS billed FROM DEVIS d
           JOIN FACTURES f ON f.NUMERO_DEVIS = d.NUMERO_DEVIS WHERE d.DATE_CREATION < '2024-06-01' GROUP BY d.ID)
          WHERE ROUND(billed - ht, 2) <> 0",
    );
    assert!(exact > drifted && drifted > 0, "exact={exact} drifted={drifted}");
    // Several invoices per quote happen, and old invoices are mostly paid.
    assert!(
        count(
            &conn,
            "SELECT MAX(c) FROM (SELECT COUNT(*) AS c FROM FACTURES WHERE NUMERO_DEVIS IS NOT NULL GROUP BY NUMERO_DEVIS)"
        ) >= 4
    );
    let old_open =
        count(&conn, "SELECT COUNT(*) FROM FACTURES WHERE DATE_FACTURE < '2024-01-01' AND STATUT_REGLEMENT <> 'REGLE'");
    let old = count(&conn, "SELECT COUNT(*) FROM FACTURES WHERE DATE_FACTURE < '2024-01-01'");
    assert!(old_open * 20 < old, "{old_open}/{old}");
    assert!(s.factures as f64 > 1.1 * s.devis as f64, "{s:?}");
    // Unique numbers, ids in step with numbers.
    zero("SELECT COUNT(*) FROM (SELECT NUMERO_FACTURE FROM FACTURES GROUP BY 1 HAVING COUNT(*) > 1)");
    zero("SELECT COUNT(*) FROM FACTURES a JOIN FACTURES b ON b.ID = a.ID + 1 WHERE b.DATE_FACTURE < a.DATE_FACTURE");
    assert_eq!(count(&conn, "SELECT MAX(ID) FROM FACTURES"), s.factures as i64);
    assert_eq!(count(&conn, "SELECT MAX(ID) FROM DEVIS"), s.devis as i64);
    // Each yearly sequence is unbroken: the count of a year equals its highest number.
    for prefix in ["FA-2023-", "FA-2024-", "FA-2025-", "AV-2024-", "DEVIS-2024-", "DEVIS-2025-"] {
        let column =
            if prefix.starts_with("DEVIS") { "NUMERO_DEVIS FROM DEVIS" } else { "NUMERO_FACTURE FROM FACTURES" };
        let numbers: Vec<u64> =
            strings(&conn, &format!("SELECT {column} WHERE {} LIKE '{prefix}%'", column.split(' ').next().unwrap()))
                .iter()
                .map(|n| n[prefix.len()..].parse().unwrap())
                .collect();
        assert!(!numbers.is_empty(), "{prefix}");
        assert_eq!(numbers.iter().max().copied(), Some(numbers.len() as u64), "{prefix}");
    }
    assert_eq!(
        strings(&conn, "SELECT NUMERO_DEVIS FROM DEVIS WHERE NUMERO_DEVIS LIKE 'DEVIS-2024-%' ORDER BY ID LIMIT 1"),
        ["DEVIS-2024-001"]
    );
    assert_eq!(
        strings(&conn, "SELECT NUMERO_FACTURE FROM FACTURES WHERE NUMERO_FACTURE LIKE 'FA-2023-%' ORDER BY ID LIMIT 1"),
        ["FA-2023-000001"]
    );
    assert!(count(&conn, "SELECT COUNT(*) FROM DEVIS WHERE REFERENCE_AFFAIRE LIKE 'AFF-2024-____'") > 0);
    // Names with accents and apostrophes, cities sometimes unknown.
    assert!(count(&conn, "SELECT COUNT(*) FROM CLIENTS WHERE NOM LIKE '%''%'") > 0);
    assert!(count(&conn, "SELECT COUNT(*) FROM CLIENTS WHERE VILLE IS NULL") > 0);
    assert!(count(&conn, "SELECT COUNT(*) FROM DEVIS WHERE RESPONSABLE IS NULL") > 0);
    assert_eq!(strings(&conn, "SELECT CODE_CLIENT FROM CLIENTS WHERE ID = 42"), ["CLI00042"]);
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let time_ok = |t: &[u8]| {
        t.len() == 8
            && t.iter().enumerate().all(|(i, c)| if i == 2 || i == 5 { *c == b':' } else { c.is_ascii_digit() })
    };
    match b.len() {
        19 => is_date(&s[..10]) && b[10] == b' ' && time_ok(&b[11..19]),
        27 => {
            is_date(&s[..10])
                && b[10] == b' '
                && time_ok(&b[11..19])
                && b[19] == b'.'
                && b[20..].iter().all(u8::is_ascii_digit)
                && &s[20..] != "0000000"
        }
        _ => false,
    }
}

#[test]
fn dates_are_canonical() {
    let (conn, _) = db(1500, 8);
    for d in strings(&conn, "SELECT DATE_FACTURE FROM FACTURES UNION ALL SELECT DATE_ECHEANCE FROM FACTURES") {
        assert!(is_date(&d), "{d}");
    }
    let datetimes = strings(
        &conn,
        "SELECT DATE_CREATION FROM DEVIS UNION ALL SELECT DATE_VALIDATION FROM DEVIS WHERE DATE_VALIDATION IS NOT NULL",
    );
    for d in &datetimes {
        assert!(is_datetime(d), "{d}");
    }
    // Both forms occur.
    assert!(datetimes.iter().any(|d| d.len() == 19) && datetimes.iter().any(|d| d.len() == 27));
    assert!(
        is_datetime("2024-01-02 03:04:05")
            && !is_datetime("2024-01-02 03:04:05.0000000")
            && !is_datetime("2024-01-02 03:04:05.123")
    );
    // Quotes are numbered in creation order.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM DEVIS a JOIN DEVIS b ON b.ID = a.ID + 1 WHERE b.DATE_CREATION < a.DATE_CREATION"
        ),
        0
    );
}

#[test]
fn helpers() {
    assert_eq!(div_round(15, 10), 2);
    assert_eq!(div_round(-15, 10), -2);
    assert_eq!(div_round(14, 10), 1);
    assert_eq!(div_round(-14, 10), -1);
    assert_eq!(with_tva(10_000, 2000), 12_000);
    assert_eq!(with_tva(1_005, 550), 1_060); // 10.05 × 1.055 = 10.60275
    assert_eq!(with_tva(-1_005, 550), -1_060);
    let mut s = String::new();
    push_padded(&mut s, 42, 5);
    push_padded(&mut s, 1234, 3);
    push_padded(&mut s, 0, 2);
    assert_eq!(s, "00042123400");
    assert_eq!(format!("{}", cents(123_456_789)), "1234567.89");
    assert_eq!(format!("{}", cents(10)), "0.1");
    assert_eq!(format!("{}", units4(124_357)), "12.4357");
    let days = day_table();
    assert_eq!(days[0].ymd, FIRST_DATE);
    assert_eq!(days[REF_DAY as usize].ymd, REFERENCE_DATE);
    assert_eq!(days[59].ymd, "2023-03-01");
    assert_eq!(days[days[59].end_of_month as usize].ymd, "2023-03-31");
    assert_eq!(days[365 + 40].ymd, "2024-02-10");
    assert_eq!(days[days[365 + 40].end_of_month as usize].ymd, "2024-02-29");
    let mut dt = String::new();
    push_datetime(&mut dt, &days[0], (9 * 3600 + 5 * 60 + 7) * TICKS_PER_SEC + 1);
    assert_eq!(dt, "2023-01-01 09:05:07.0000001");
    let alloc = devis_per_day(1_000, &days, 3);
    assert_eq!(alloc.iter().sum::<u64>(), 1_000);
}

#[test]
fn the_batigest_layout_holds_the_same_business_data() {
    let (default, summary) = db(300, 7);
    let real = Connection::open_in_memory().unwrap();
    assert_eq!(generate(&real, 300, 7, Layout::Batigest).unwrap(), summary);
    let tables = strings(&real, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    assert_eq!(tables, ["Client", "Devis", "ElementDef", "Facture", "FamilleArticle", "SousFamilleArticle"]);
    assert_eq!(count(&real, "SELECT COUNT(*) FROM Devis WHERE length(Code) = 8 AND Code GLOB '[0-9]*'"), 300);
    assert_eq!(count(&real, "SELECT COUNT(*) FROM Devis WHERE typeof(Etat) = 'integer'"), 300);
    // Accepted quotes are known by DateConcretis alone, whatever their code; the dossier's codes
    // are its own, none of them 1 or 2.
    assert!(count(&real, "SELECT COUNT(*) FROM Devis WHERE DateConcretis IS NOT NULL AND Etat = 4") > 0);
    assert_eq!(count(&real, "SELECT COUNT(*) FROM Devis WHERE Etat NOT IN (0, 3, 4, 7, 9)"), 0);
    assert_eq!(count(&real, "SELECT COUNT(*) FROM Devis WHERE Etat = 3 AND DateConcretis IS NULL"), 0);
    for (default_sql, real_sql) in [
        ("SELECT CAST(SUM(MONTANT_HT) * 100 AS INT) FROM DEVIS", "SELECT CAST(SUM(TotalHT) * 100 AS INT) FROM Devis"),
        (
            "SELECT COUNT(*) FROM DEVIS WHERE STATUT = 'ACCEPTE'",
            "SELECT COUNT(*) FROM Devis WHERE DateConcretis IS NOT NULL",
        ),
        ("SELECT COUNT(*) FROM DEVIS WHERE STATUT = 'VALIDE'", "SELECT COUNT(*) FROM Devis WHERE Etat = 7"),
        (
            "SELECT COUNT(*) FROM DEVIS WHERE STATUT = 'ENVOYE'",
            "SELECT COUNT(*) FROM Devis WHERE Etat = 4 AND DateConcretis IS NULL",
        ),
        (
            "SELECT CAST(SUM(MONTANT_TTC) * 100 AS INT) FROM FACTURES WHERE STATUT_REGLEMENT = 'REGLE'",
            "SELECT CAST(SUM(TotalTTC) * 100 AS INT) FROM Facture WHERE Etat = 2",
        ),
        (
            "SELECT COUNT(*) FROM FACTURES f JOIN DEVIS d ON d.NUMERO_DEVIS = f.NUMERO_DEVIS",
            "SELECT COUNT(*) FROM Facture f JOIN Devis d ON d.Code = f.CodeDevis",
        ),
        (
            "SELECT COUNT(*) FROM OUVRAGES o JOIN FAMILLES f ON f.ID = o.FAMILLE_ID",
            "SELECT COUNT(*) FROM ElementDef o JOIN FamilleArticle f ON f.Code = o.Famille",
        ),
    ] {
        assert_eq!(count(&default, default_sql), count(&real, real_sql), "{real_sql}");
    }
}
