//! `analytics` against a fixture whose KPIs are computed here, by hand, from its rows.

use std::process::Output;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::common::{PgDatabase, Sandbox, csv, d, ok, stderr, stdout};

/// Devis of every status on month edges, several invoices per devis, a credit note (in the base
/// fixture), an invoice without devis, a converted devis that is not committed.
const EXTRA: &str = "
INSERT INTO DEVIS VALUES
  (4, 'DEVIS-2024-004', NULL, 1, 1000, 1200, 25, '2024-03-31 23:59:59', '2024-04-02 10:00:00', 'VALIDE', NULL),
  (5, 'DEVIS-2024-005', NULL, 2, 500, 600, 20, '2024-04-01 00:00:00', NULL, 'ENVOYE', NULL),
  (6, 'DEVIS-2024-006', 'AFF-2024-0200', 2, 2000, 2400, 25, '2024-04-15 09:00:00', '2024-04-16 09:00:00', 'ACCEPTE', NULL);
INSERT INTO FACTURES VALUES
  (10, 'FA-2024-000010', NULL, 2, 300, 360, '2024-04-05', '2024-05-05', 'REGLE', 360),
  (11, 'FA-2024-000011', 'DEVIS-2024-005', 2, 500, 600, '2024-04-10', '2024-05-10', 'REGLE', 600),
  (12, 'FA-2024-000012', 'DEVIS-2024-006', 2, 600, 720, '2024-04-20', '2024-05-20', 'REGLE', 720),
  (13, 'FA-2024-000013', 'DEVIS-2024-006', 2, 1500, 1800, '2024-06-10', '2024-07-10', 'NON_REGLE', NULL);
";

/// As displayed: two decimals, half away from zero.
fn r2(value: Decimal) -> String {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded.to_string()
}

fn rows(output: &Output) -> Vec<Vec<String>> {
    csv(&ok(output), ',')
}

/// One expected CSV row, from its figures.
#[allow(clippy::too_many_arguments)]
fn expected(
    periode: &str,
    (du, au): (&str, &str),
    (nombre_devis, nombre_factures): (u32, u32),
    (ca_prevu, ca_facture, ca_realise): (Decimal, Decimal, Decimal),
    conversion: Option<(Decimal, Decimal)>,
    conversion_nombre: Option<(u32, u32)>,
    marge_prevue: Option<Decimal>,
    marge_reelle: Option<Decimal>,
) -> Vec<String> {
    let pct = |value: Option<Decimal>| value.map(r2).unwrap_or_default();
    vec![
        periode.to_owned(),
        du.to_owned(),
        au.to_owned(),
        nombre_devis.to_string(),
        nombre_factures.to_string(),
        r2(ca_prevu),
        r2(ca_facture),
        r2(ca_realise),
        pct(conversion.map(|(part, whole)| d("100") * part / whole)),
        pct(conversion_nombre.map(|(part, whole)| d("100") * Decimal::from(part) / Decimal::from(whole))),
        pct(marge_prevue),
        pct(marge_reelle),
        pct(marge_reelle.zip(marge_prevue).map(|(reelle, prevue)| reelle - prevue)),
    ]
}

#[test]
fn monthly_kpis_match_hand_arithmetic() {
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let output = sandbox.run(&[
        "analytics",
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-30",
        "--periode",
        "mensuel",
        "--format",
        "csv",
    ]);
    let rows = rows(&output);
    assert_eq!(rows[0][0], "periode");
    assert_eq!(rows.len(), 7, "a header and six months, the empty May included");

    // January: DEVIS-2024-001, accepted, invoiced 3 703 703.67 then credited 150.25 (in February).
    let d1 = d("12345678.91");
    let d1_invoiced = d("3703703.67") - d("150.25");
    let d1_cost = d1 / (Decimal::ONE + d("42.8571") / d("100"));
    let january_reelle = d("100") * (d1_invoiced - d1_cost) / d1_cost;
    assert_eq!(
        rows[1],
        expected(
            "2024-01",
            ("2024-01-01", "2024-01-31"),
            (1, 0),
            (d1, Decimal::ZERO, Decimal::ZERO),
            Some((d1, d1)),
            Some((1, 1)),
            Some(d("42.8571")),
            Some(january_reelle)
        )
    );
    // February: the draft of the 29th at midnight is not issued; the invoice and the credit note.
    assert_eq!(
        rows[2],
        expected(
            "2024-02",
            ("2024-02-01", "2024-02-29"),
            (0, 2),
            (Decimal::ZERO, d1_invoiced, d("-150.25")),
            None,
            None,
            None,
            None
        )
    );
    // March: refused and validated (the latter at 23:59:59 on the 31st), neither invoiced.
    let march_issued = d("99999999.99") + d("1000");
    assert_eq!(
        rows[3],
        expected(
            "2024-03",
            ("2024-03-01", "2024-03-31"),
            (2, 0),
            (d("1000"), Decimal::ZERO, Decimal::ZERO),
            Some((Decimal::ZERO, march_issued)),
            Some((0, 2)),
            Some(d("25")),
            None
        )
    );
    // April: sent-and-invoiced 500, accepted 2000 invoiced 600 + 1500 (June counts for its margin).
    let april_reelle = d("100") * (d("2100") - d("1600")) / d("1600");
    assert_eq!(
        rows[4],
        expected(
            "2024-04",
            ("2024-04-01", "2024-04-30"),
            (2, 3),
            (d("2000"), d("1400"), d("1400")),
            Some((d("2500"), d("2500"))),
            Some((2, 2)),
            Some(d("25")),
            Some(april_reelle)
        )
    );
    assert_eq!(
        rows[5],
        expected(
            "2024-05",
            ("2024-05-01", "2024-05-31"),
            (0, 0),
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO),
            None,
            None,
            None,
            None
        )
    );
    assert_eq!(
        rows[6],
        expected(
            "2024-06",
            ("2024-06-01", "2024-06-30"),
            (0, 1),
            (Decimal::ZERO, d("1500"), Decimal::ZERO),
            None,
            None,
            None,
            None
        )
    );

    // The whole half-year at once, in JSON: every ratio of sums, none an average of months.
    let output = sandbox.run(&["analytics", "--from", "2024-01-01", "--to", "2024-06-30", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let total = &document["indicateurs"][0];
    let issued = d1 + march_issued + d("2500");
    let converted = d1 + d("2500");
    assert_eq!(total["nombre_devis"], 5);
    assert_eq!(total["nombre_factures"], 6);
    assert_eq!(total["ca_prevu"].to_string(), r2(d1 + d("1000") + d("2000")));
    assert_eq!(total["ca_realise"].to_string(), r2(d("-150.25") + d("1400")));
    assert_eq!(total["taux_conversion"].to_string(), r2(d("100") * converted / issued));
    let weighted = d("42.8571") * d1 + d("25") * d("1000") + d("25") * d("2000");
    assert_eq!(total["marge_prevue_moyenne"].to_string(), r2(weighted / (d1 + d("3000"))));
    let cost = d1_cost + d("1600");
    assert_eq!(total["marge_reelle_moyenne"].to_string(), r2(d("100") * (d1_invoiced + d("2100") - cost) / cost));
    // Invoicing in progress on 30/06: the partly paid one and the June one are open.
    let en_cours = &document["facturation_en_cours"][0];
    assert_eq!(en_cours["nombre"], 2, "a number, not display text");
}

#[test]
fn a_period_starting_mid_month_clips_its_buckets() {
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let output = sandbox.run(&[
        "analytics",
        "--from",
        "15/03/2024",
        "--to",
        "10/04/2024",
        "--periode",
        "mensuel",
        "--format",
        "csv",
    ]);
    let rows = rows(&output);
    assert_eq!(rows.len(), 3);
    // 15–31 March: only the validated devis of the 31st; the refused one of the 1st is out.
    assert_eq!(rows[1][..5], ["2024-03", "2024-03-15", "2024-03-31", "1", "0"]);
    assert_eq!(rows[1][5], "1000.00");
    // 1–10 April: the sent devis of the 1st at midnight and two invoices (5th and 10th).
    assert_eq!(rows[2][..5], ["2024-04", "2024-04-01", "2024-04-10", "1", "2"]);
    assert_eq!(rows[2][6], "800.00");

    let quarterly =
        rows_of(&sandbox, &["analytics", "--from", "2024-01-01", "--to", "2024-12-31", "--periode", "trimestriel"]);
    let labels: Vec<&str> = quarterly[1..].iter().map(|row| row[0].as_str()).collect();
    assert_eq!(labels, ["2024-T1", "2024-T2", "2024-T3", "2024-T4"]);
    assert_eq!(quarterly[3][3..5], ["0", "0"], "an empty quarter is shown with zeros");
    assert_eq!(quarterly[3][8], "", "and no rate");

    let reversed = sandbox.run(&["analytics", "--from", "2024-12-31", "--to", "2024-01-01"]);
    assert_eq!(reversed.status.code(), Some(2));
}

fn rows_of(sandbox: &Sandbox, args: &[&str]) -> Vec<Vec<String>> {
    rows(&sandbox.run(&[args, &["--format", "csv"]].concat()))
}

#[test]
fn history_round_trip_on_sqlite_and_postgresql() {
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let postgres = PgDatabase::create();
    let mut stores = vec![format!("sqlite:{}", sandbox.path("jlm.sqlite").display())];
    stores.extend(postgres.as_ref().map(PgDatabase::url));
    let json = |args: &[&str]| -> serde_json::Value {
        let output = sandbox.run(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).expect("JSON")
    };
    for store in &stores {
        let period = ["--from", "2024-01-01", "--to", "2024-06-30", "--periode", "mensuel", "--jlm-db", store];
        let computed = json(&[&["analytics", "--format", "json"], &period[..]].concat());
        json(&[&["analytics", "--format", "json", "--no-save"], &period[..]].concat());

        let history = json(&["analytics", "history", "--jlm-db", store, "--format", "json"]);
        let runs = history["historique"].as_array().expect("runs");
        assert_eq!(runs.len(), 1, "--no-save saved nothing: {history}");
        let run = &runs[0];
        assert_eq!(run["periode"], "mensuel");
        assert_eq!(run["nombre_devis"], 5);
        assert_eq!(run["ca_prevu"].to_string(), "12348678.91", "Σ of the committed devis, to the cent");

        let id = run["id"].as_str().expect("a text id, JLM ERP's UUID").to_owned();
        assert_eq!(id.len(), 36, "{id}");
        let shown = json(&["analytics", "history", "--id", &id, "--jlm-db", store, "--format", "json"]);
        assert_eq!(shown["indicateurs"], computed["indicateurs"], "the saved run is the computed one");
    }
}

#[test]
fn per_menuiserie_needs_the_erp_offers_and_is_no_period_breakdown() {
    let sandbox = Sandbox::with_fixture_plus("", &["--tls", "off"]);
    // The embedded store has no `offers`: refused before Batigest is read, naming the table.
    let output = sandbox.run(&["analytics", "--par", "menuiserie", "--from", "2024-01-01", "--to", "2024-12-31"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("le magasin JLM n'a pas de table « offers » : l'analyse par menuiserie regroupe"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("--jlm-db postgres://"), "{}", stderr(&output));
    // A breakdown by period, or --no-save (nothing is saved), with it: a usage error naming both.
    for other in [&["--periode", "mensuel"][..], &["--no-save"]] {
        let output = sandbox.run(&[&["analytics", "--par", "menuiserie"][..], other].concat());
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains("--par <REGROUPEMENT>"), "{}", stderr(&output));
        assert!(stderr(&output).contains(other[0]), "{}", stderr(&output));
    }
}
