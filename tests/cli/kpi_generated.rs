//! The KPIs users see are computed by SQL (`batigest/analytics.rs`, DESIGN §5.1). Here they are
//! computed a second, independent way: straight from the rows of a generated dossier, read from
//! the sandbox's SQLite file with rusqlite, following DESIGN §5.1 word for word — no code of the
//! tool involved — and compared with `analytics --format json`, month by month.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use crate::common::{PgDatabase, Sandbox, ok, stderr};

#[derive(Clone)]
struct DevisRow {
    numero: String,
    month: String,
    statut: String,
    ht: Decimal,
    taux_marge: Decimal,
}

#[derive(Clone)]
struct FactureRow {
    numero_devis: Option<String>,
    month: String,
    ht: Decimal,
    regle: bool,
}

#[derive(Default)]
struct Month {
    nombre_devis: i64,
    issued_ht: Decimal,
    converted_count: i64,
    converted_ht: Decimal,
    ca_prevu: Decimal,
    weighted_marge: Decimal,
    invoiced_ht: Decimal,
    planned_cost: Decimal,
    nombre_factures: i64,
    ca_facture: Decimal,
    ca_realise: Decimal,
}

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap_or_else(|_| Decimal::from_scientific(text).expect("a number"))
}

fn r2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| Decimal::ONE_HUNDRED * part / whole)
}

fn read(db: &std::path::Path) -> (Vec<DevisRow>, Vec<FactureRow>) {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    // CAST AS TEXT: the amounts as stored, parsed as decimals here (no float arithmetic).
    let mut devis = conn
        .prepare(
            "SELECT NUMERO_DEVIS, substr(DATE_CREATION, 1, 7), STATUT, CAST(MONTANT_HT AS TEXT), \
             CAST(TAUX_MARGE AS TEXT) FROM DEVIS",
        )
        .expect("devis");
    let devis = devis
        .query_map([], |row| {
            Ok(DevisRow {
                numero: row.get(0)?,
                month: row.get(1)?,
                statut: row.get(2)?,
                ht: decimal(&row.get::<_, String>(3)?),
                taux_marge: decimal(&row.get::<_, String>(4)?),
            })
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    let mut factures = conn
        .prepare(
            "SELECT NUMERO_DEVIS, substr(DATE_FACTURE, 1, 7), CAST(MONTANT_HT AS TEXT), STATUT_REGLEMENT FROM FACTURES",
        )
        .expect("factures");
    let factures = factures
        .query_map([], |row| {
            Ok(FactureRow {
                numero_devis: row.get(0)?,
                month: row.get(1)?,
                ht: decimal(&row.get::<_, String>(2)?),
                regle: row.get::<_, String>(3)? == "REGLE",
            })
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    (devis, factures)
}

/// DESIGN §5.1, per calendar month. `on_sale`: the margin rate is on the sale price
/// (`marge_base = "vente"`), else on cost (the default).
fn expected(devis: &[DevisRow], factures: &[FactureRow], on_sale: bool) -> BTreeMap<String, Month> {
    expected_by(devis, factures, on_sale, |row| row.month.clone(), |facture| facture.month.clone())
}

/// DESIGN §5.1, per group: `group` names a devis' group, `group_of_facture` an invoice's.
fn expected_by(
    devis: &[DevisRow],
    factures: &[FactureRow],
    on_sale: bool,
    group: impl Fn(&DevisRow) -> String,
    group_of_facture: impl Fn(&FactureRow) -> String,
) -> BTreeMap<String, Month> {
    let mut invoiced: HashMap<&str, Decimal> = HashMap::new();
    for facture in factures {
        if let Some(numero) = &facture.numero_devis {
            *invoiced.entry(numero).or_default() += facture.ht;
        }
    }
    let mut months: BTreeMap<String, Month> = BTreeMap::new();
    for row in devis {
        let month = months.entry(group(row)).or_default();
        let has_invoice = invoiced.get(row.numero.as_str());
        if row.statut != "BROUILLON" {
            month.nombre_devis += 1;
            month.issued_ht += row.ht;
            if has_invoice.is_some() {
                month.converted_count += 1;
                month.converted_ht += row.ht;
            }
        }
        if row.statut == "VALIDE" || row.statut == "ACCEPTE" {
            month.ca_prevu += row.ht;
            month.weighted_marge += row.taux_marge * row.ht;
            if let Some(total) = has_invoice {
                month.invoiced_ht += total;
                let rate = row.taux_marge / Decimal::ONE_HUNDRED;
                month.planned_cost +=
                    if on_sale { row.ht * (Decimal::ONE - rate) } else { row.ht / (Decimal::ONE + rate) };
            }
        }
    }
    for facture in factures {
        let month = months.entry(group_of_facture(facture)).or_default();
        month.nombre_factures += 1;
        month.ca_facture += facture.ht;
        if facture.regle {
            month.ca_realise += facture.ht;
        }
    }
    months
}

fn number(value: &Value) -> Option<Decimal> {
    match value {
        Value::Null => None,
        other => Some(other.to_string().parse().expect("a decimal")),
    }
}

#[test]
fn monthly_kpis_of_a_generated_dossier_match_an_independent_computation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("genere.sqlite");
    let sandbox =
        Sandbox::start(&["--tls", "off", "--generate", "600", "--seed", "7", "--db", db.to_str().expect("utf-8")]);
    let (devis, factures) = read(&db);
    assert!(devis.len() >= 600 && !factures.is_empty(), "generated: {} devis", devis.len());
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[profiles.vente]\nmarge_base = \"vente\"\n").expect("write the profile");
    for (profile, on_sale) in [("default", false), ("vente", true)] {
        let json = ok(&sandbox
            .client()
            .env("JLM_BATIGEST_CONFIG", &config)
            .args(["analytics", "--profile", profile, "--from", "2024-01-01", "--to", "2025-12-31"])
            .args(["--periode", "mensuel", "--format", "json", "--jlm-db"])
            .arg(format!("sqlite:{}", dir.path().join("jlm.sqlite").display()))
            .output()
            .expect("run"));
        compare(&json, &expected(&devis, &factures, on_sale), profile);
    }
}

fn compare(json: &str, months: &BTreeMap<String, Month>, profile: &str) {
    let document: Value = serde_json::from_str(json).expect("JSON");
    let rows = document["indicateurs"].as_array().expect("indicateurs");
    assert_eq!(rows.len(), 24, "one row per month");
    let compared_margins = compare_rows(rows, "periode", months, profile);
    assert!(compared_margins >= 12, "the generated dossier must exercise the real margin ({compared_margins} months)");
}

/// Compares each row, found in `want` by its `key` column, with the expected figures; returns the
/// number of rows whose real margin was defined.
fn compare_rows(rows: &[Value], key: &str, groups: &BTreeMap<String, Month>, profile: &str) -> usize {
    let mut compared_margins = 0;
    for row in rows {
        let label = format!("{profile} {}", row[key].as_str().expect("group label"));
        let empty = Month::default();
        let want = groups.get(row[key].as_str().expect("group label")).unwrap_or(&empty);
        let got = |key: &str| number(&row[key]);
        assert_eq!(row["nombre_devis"].as_i64(), Some(want.nombre_devis), "{label} nombre_devis");
        assert_eq!(row["nombre_factures"].as_i64(), Some(want.nombre_factures), "{label} nombre_factures");
        for (key, value) in
            [("ca_prevu", want.ca_prevu), ("ca_facture", want.ca_facture), ("ca_realise", want.ca_realise)]
        {
            assert_eq!(got(key), Some(r2(value)), "{label} {key}");
        }
        let prevue = (!want.ca_prevu.is_zero()).then(|| want.weighted_marge / want.ca_prevu);
        let reelle = percent(want.invoiced_ht - want.planned_cost, want.planned_cost);
        for (key, value) in [
            ("taux_conversion", percent(want.converted_ht, want.issued_ht)),
            ("taux_conversion_nombre", percent(want.converted_count.into(), want.nombre_devis.into())),
            ("marge_prevue_moyenne", prevue),
            ("marge_reelle_moyenne", reelle),
            ("ecart_marge", reelle.zip(prevue).map(|(r, p)| r - p)),
        ] {
            assert_eq!(got(key), value.map(r2), "{label} {key}");
        }
        compared_margins += usize::from(reelle.is_some());
    }
    compared_margins
}

/// The type of the offer the test gives devis `index` (in number order): by the offer's
/// `reference` (the sync links it), by its `batigest_ref` in another case and with a trailing blank
/// (the ERP's own link), or none.
fn offer_of(index: usize) -> Option<(&'static str, bool)> {
    match index % 4 {
        0 => Some(("fenetre", false)),
        1 => Some(("porte", true)),
        2 => Some(("volet", false)),
        _ => None,
    }
}

#[test]
fn kpis_per_menuiserie_type_of_the_erp_offers_match_an_independent_computation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("genere.sqlite");
    let sandbox =
        Sandbox::start(&["--tls", "off", "--generate", "600", "--seed", "7", "--db", db.to_str().expect("utf-8")]);
    let (mut devis, factures) = read(&db);
    devis.sort_by(|a, b| a.numero.cmp(&b.numero));
    let Some(erp) = PgDatabase::create() else { return };
    erp.psql(include_str!("fixtures/erp-postgres.sql"));
    let mut offers = String::new();
    for (index, row) in devis.iter().enumerate() {
        let Some((kind, by_ref)) = offer_of(index) else { continue };
        let (reference, batigest_ref) = if by_ref {
            (format!("'OFF-{index}'"), format!("'{} '", row.numero.to_lowercase()))
        } else {
            (format!("'{}'", row.numero), "NULL".to_owned())
        };
        let _ = writeln!(
            offers,
            "INSERT INTO offers (reference, client, location, menuiserie_type, batigest_ref) \
             VALUES ({reference}, 'Client', 'Lyon', '{kind}', {batigest_ref});"
        );
    }
    // A devis never synced (a draft) that two offers claim with two types: not guessed.
    let draft = devis.iter().enumerate().find(|(index, row)| offer_of(*index).is_none() && row.statut == "BROUILLON");
    let (_, draft) = draft.expect("a draft without offer");
    let _ = write!(
        offers,
        "INSERT INTO offers (reference, client, location, menuiserie_type, batigest_ref) VALUES \
         ('OFF-A', 'Client', 'Lyon', 'portail', '{0}'), ('OFF-B', 'Client', 'Lyon', 'cloison', '{0}');",
        draft.numero
    );
    erp.psql(&offers);
    let store = erp.url();
    let run = |args: &[&str]| sandbox.client().args(["--jlm-db", &store]).args(args).output().expect("run");

    // Before any sync, the offers of the third kind are linked already (their batigest_ref).
    let synced = run(&["sync-offer", "--all", "--format", "csv"]);
    assert!(synced.status.code().is_some_and(|code| code == 0 || code == 4), "{}", stderr(&synced));
    // What the sync linked is the store's fact; the type of each devis is the test's own.
    let linked: Vec<String> = erp
        .psql("SELECT numero_devis FROM batigest_integrations WHERE offer_id IS NOT NULL")
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(linked.len() > 50, "the sync links the committed devis: {}", linked.len());
    let kind_of = |numero: &str| -> String {
        let index = devis.iter().position(|row| row.numero == numero);
        match index.and_then(offer_of) {
            Some((kind, by_ref)) if by_ref || linked.iter().any(|linked| linked == numero) => kind.to_owned(),
            _ => "(non rattaché)".to_owned(),
        }
    };
    let in_period = |month: &str| ("2024-01".."2026-01").contains(&month);
    let devis_in: Vec<DevisRow> = devis.iter().filter(|row| in_period(&row.month)).cloned().collect();
    let factures_in: Vec<FactureRow> = factures.iter().filter(|row| in_period(&row.month)).cloned().collect();
    let want = expected_by(
        &devis_in,
        &factures_in,
        false,
        |row| kind_of(&row.numero),
        |facture| facture.numero_devis.as_deref().map_or_else(|| "(non rattaché)".to_owned(), kind_of),
    );

    let output =
        run(&["analytics", "--par", "menuiserie", "--from", "2024-01-01", "--to", "2025-12-31", "--format", "json"]);
    let json = ok(&output);
    let warning = stderr(&output);
    assert!(
        warning.contains(&format!("1 devis rattaché(s) à des offres de types différents ({})", draft.numero)),
        "{warning}"
    );
    let document: Value = serde_json::from_str(&json).expect("JSON");
    let rows = document["indicateurs"].as_array().expect("indicateurs");
    let labels: Vec<&str> = rows.iter().map(|row| row["menuiserie"].as_str().expect("menuiserie")).collect();
    // The totals are a table's last row; JSON holds the groups.
    assert_eq!(labels, ["fenetre", "porte", "volet", "(non rattaché)"]);
    let margins = compare_rows(rows, "menuiserie", &want, "menuiserie");
    assert!(margins >= 3, "the real margin of each type is exercised ({margins})");

    // The groups add up to the plain analytics of the period.
    let plain: Value = serde_json::from_str(&ok(&run(&[
        "analytics",
        "--from",
        "2024-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "json",
        "--no-save",
    ])))
    .expect("JSON");
    for key in ["nombre_devis", "nombre_factures", "ca_prevu", "ca_facture", "ca_realise"] {
        let sum: Decimal = rows.iter().map(|row| number(&row[key]).expect("a figure")).sum();
        assert_eq!(Some(sum), number(&plain["indicateurs"][0][key]), "{key}");
    }
    // Nothing saved: the history keeps runs by period.
    assert_eq!(erp.psql("SELECT COUNT(*) FROM batigest_analytics").trim(), "0");
}
