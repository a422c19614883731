//! `devis`, `coefficients` and `factures` against the fixture: every expected figure is computed
//! here with plain arithmetic on the fixture's rows, never with the product's functions.

use std::process::{Output, Stdio};

use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{Sandbox, csv, d, ok, stderr};

/// Rows added to the base fixture: ouvrages for every coefficient case, open invoices of every kind.
const EXTRA: &str = "
INSERT INTO OUVRAGES VALUES
  (3, 'FEN-ALU-100', 'Fenêtre alu 100', 'U', 500, 700, 20, 15, 1, 1, 1),
  (4, 'FEN-BOIS-80', 'Fenêtre bois 80', 'U', 300, 480, 25, 10, 1, NULL, 1),
  (5, 'FRAIS', 'Frais de dossier', 'FORFAIT', 0, 45, 0, 0, NULL, NULL, 1),
  (6, 'DIVERS', 'Fourniture diverse', 'U', 100, 130, 10, 10, NULL, NULL, 1);
INSERT INTO FACTURES VALUES
  (3, 'FA-2024-000002', 'DEVIS-2024-001', 1, 5000, 6000, '2024-03-01', '2024-03-31', 'NON_REGLE', NULL),
  (4, 'FA-2024-000003', 'DEVIS-2024-003', 2, 100, 120, '2024-03-10', '2024-05-15', 'PARTIELLEMENT_REGLE', 20),
  (5, 'FA-2024-000004', NULL, 2, 200, 240, '2024-04-01', '2024-04-30', 'NON_REGLE', 0);
";

fn sandbox() -> Sandbox {
    Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"])
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&ok(output)).expect("one JSON document")
}

fn column<'a>(records: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let index = records[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    records[1..].iter().map(|record| record[index].as_str()).collect()
}

#[test]
fn devis_newest_first_with_every_filter() {
    let sandbox = sandbox();
    let all = csv(&ok(&sandbox.run(&["devis", "--format", "csv"])), ',');
    assert_eq!(
        all[0],
        [
            "numero_devis",
            "reference_affaire",
            "code_client",
            "nom_client",
            "montant_ht",
            "montant_ttc",
            "taux_marge",
            "date_creation",
            "date_validation",
            "statut",
            "responsable"
        ]
    );
    assert_eq!(column(&all, "numero_devis"), ["DEVIS-2024-003", "DEVIS-2024-002", "DEVIS-2024-001"]);
    assert_eq!(column(&all, "nom_client")[1], "Boulangerie L'Épi d'Or");
    assert_eq!(column(&all, "montant_ht"), ["99999999.99", "0.01", "12345678.91"]);
    assert_eq!(column(&all, "taux_marge")[2], "42.86", "percent points at 2 decimals");
    assert_eq!(column(&all, "date_creation")[2], "2024-01-31T10:15:30");
    assert_eq!(column(&all, "date_validation")[2], "", "NULL is an empty cell");

    let filtered = |args: &[&str]| {
        let records = csv(&ok(&sandbox.run(&[&["devis", "--format", "csv"], args].concat())), ',');
        column(&records, "numero_devis").into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    // Inclusive dates: the 29th at midnight is in, the 1st of March at 08:00 is in.
    assert_eq!(filtered(&["--from", "29/02/2024", "--to", "2024-03-01"]), ["DEVIS-2024-003", "DEVIS-2024-002"]);
    assert_eq!(filtered(&["--to", "2024-02-28"]), ["DEVIS-2024-001"]);
    assert_eq!(filtered(&["--statut", "accepte", "--statut", "REFUSE"]), ["DEVIS-2024-003", "DEVIS-2024-001"]);
    assert_eq!(filtered(&["--client", "CLI002"]), ["DEVIS-2024-003", "DEVIS-2024-002"]);
    assert_eq!(filtered(&["--limit", "1"]), ["DEVIS-2024-003"]);
    // A hostile client code is a value, not SQL.
    assert!(filtered(&["--client", "X' OR 1=1 --"]).is_empty());
}

#[test]
fn devis_json_ndjson_and_table() {
    let sandbox = sandbox();
    let document = json(&sandbox.run(&["devis", "--format", "json", "--statut", "ACCEPTE"]));
    let devis = &document["devis"][0];
    assert_eq!(devis["numero_devis"], "DEVIS-2024-001");
    // Exact decimals as JSON numbers: compare their text, not a float.
    assert_eq!(devis["montant_ht"].to_string(), "12345678.91");
    assert_eq!(devis["montant_ttc"].to_string(), "14814814.69");
    assert_eq!(devis["responsable"], "Éloïse Müller");
    assert_eq!(devis["date_validation"], Value::Null);

    let lines = ok(&sandbox.run(&["devis", "--format", "ndjson"]));
    let objects: Vec<Value> =
        lines.lines().map(|line| serde_json::from_str(line).expect("one object per line")).collect();
    assert_eq!(objects.len(), 3);
    assert_eq!(objects[0]["numero_devis"], "DEVIS-2024-003");

    let table = ok(&sandbox.run(&["devis", "--client", "CLI001"]));
    let expected_row = "│ DEVIS-2024-001  ┆ AFF-2024-0153 ┆ CLI001 ┆ Hélène Lefèvre ┆ 12\u{a0}345\u{a0}678,91\u{a0}€ ┆ 14\u{a0}814\u{a0}814,69\u{a0}€ ┆ 42,86\u{a0}% ┆ 31/01/2024 10:15 ┆           ┆ ACCEPTE ┆ Éloïse Müller │";
    assert!(table.lines().any(|line| line == expected_row), "{table}");
    assert!(table.contains("Total : 1 devis"), "{table}");
    assert!(!table.contains('\u{1b}'), "no colour when stdout is not a terminal");
}

#[test]
fn excel_csv_bytes() {
    let sandbox = sandbox();
    let output = sandbox.run(&["devis", "--excel", "--client", "CLI001"]);
    assert_eq!(output.status.code(), Some(0));
    let expected = "\u{feff}numero_devis;reference_affaire;code_client;nom_client;montant_ht;montant_ttc;taux_marge;\
        date_creation;date_validation;statut;responsable\r\n\
        DEVIS-2024-001;AFF-2024-0153;CLI001;Hélène Lefèvre;12345678,91;14814814,69;42,86;31/01/2024 10:15;;ACCEPTE;\
        Éloïse Müller\r\n";
    assert_eq!(String::from_utf8(output.stdout).expect("UTF-8"), expected);
}

#[test]
fn bad_input_exits_2_naming_the_value() {
    let sandbox = sandbox();
    let output = sandbox.run(&["devis", "--statut", "SIGNE"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("« SIGNE »") && stderr(&output).contains("BROUILLON, VALIDE"),
        "{}",
        stderr(&output)
    );
    let output = sandbox.run(&["devis", "--from", "31/02/2024"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("« 31/02/2024 »") && stderr(&output).contains("JJ/MM/AAAA"),
        "{}",
        stderr(&output)
    );
    // Numbers are checked by the tool's own parsers, which answer in French.
    let output = sandbox.run(&["devis", "--limit", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("« 0 » invalide pour --limit <N> : nombre entier d'au moins 1"),
        "{}",
        stderr(&output)
    );
    let output = sandbox.run(&["devis", "--limit", "vingt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("« vingt » invalide pour --limit <N> : nombre entier attendu"),
        "{}",
        stderr(&output)
    );
    let output = sandbox.run(&["devis", "--port", "99999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("« 99999 » invalide pour --port <PORT> : nombre entier de 1 à 65535"),
        "{}",
        stderr(&output)
    );
    let output = sandbox.run(&["factures", "--au", "hier"]);
    assert_eq!(output.status.code(), Some(2));
    let output = sandbox.run(&["devis", "--from", "2024-03-01", "--to", "2024-01-01"]);
    assert_eq!(output.status.code(), Some(2));
    let output = sandbox.run(&["devis", "--format", "json", "--excel"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Coefficients of the fixture's active ouvrages, computed here.
struct Expected {
    fen_pvc: Decimal,
}

fn expected() -> Expected {
    Expected { fen_pvc: d("689.99") / d("412.3456") }
}

fn round4(value: Decimal) -> String {
    value.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero).to_string()
}

#[test]
fn coefficients_by_family_with_targets_and_alerts() {
    let sandbox = sandbox();
    let config = sandbox.path("config.toml");
    std::fs::write(&config, "[profiles.default.coefficients]\ntolerance = 0.05\ncibles = { MENUISERIE_EXT = 1.7 }\n")
        .expect("config");
    let run = |args: &[&str]| sandbox.client().env("JLM_BATIGEST_CONFIG", &config).args(args).output().expect("run");
    let document = json(&run(&["coefficients", "--format", "json"]));
    let groups = document["coefficients"].as_array().expect("groups");
    assert_eq!(groups.len(), 2, "{document}");

    // MENUISERIE_EXT: FEN-PVC, FEN-ALU-100 (700/500 = 1.4), FEN-BOIS-80 (480/300 = 1.6); inactive POSE-H is out.
    let e = expected();
    let values = [e.fen_pvc, d("1.4"), d("1.6")];
    let mean = values.iter().sum::<Decimal>() / d("3");
    let variance: f64 = values
        .iter()
        .map(|v| {
            let diff = f64::try_from(*v - mean).expect("f64");
            diff * diff
        })
        .sum::<f64>()
        / 2.0;
    let menuiserie = &groups[0];
    assert_eq!(menuiserie["famille"], "MENUISERIE_EXT");
    assert_eq!(menuiserie["nombre"], 3);
    assert_eq!(menuiserie["coefficient_moyen"].to_string(), round4(mean));
    assert_eq!(menuiserie["ecart_type"].to_string(), format!("{:.4}", variance.sqrt()));
    assert_eq!(menuiserie["coefficient_min"].to_string(), "1.4000");
    assert_eq!(menuiserie["coefficient_max"].to_string(), round4(e.fen_pvc));
    // Theoretical: (1 + 25.5 %)(1 + 12.75 %), (1.20)(1.15), (1.25)(1.10).
    let theoretical = (d("1.255") * d("1.1275") + d("1.2") * d("1.15") + d("1.25") * d("1.1")) / d("3");
    assert_eq!(menuiserie["coefficient_theorique_moyen"].to_string(), round4(theoretical));
    // Beyond ±0.05: FEN-PVC (1.6733 vs 1.4150) and FEN-BOIS-80 (1.6 vs 1.375); FEN-ALU (1.4 vs 1.38) is within.
    assert_eq!(menuiserie["hors_tolerance"], 2);
    assert_eq!(menuiserie["sous_cible"], true);

    // Unclassified: DIVERS (130/100); FRAIS (purchase price 0) is an anomaly, not in any group.
    let non_classe = &groups[1];
    assert_eq!(non_classe["famille"], "Non classé");
    assert_eq!(non_classe["nombre"], 1);
    assert_eq!(non_classe["coefficient_moyen"].to_string(), "1.3000");
    assert_eq!(non_classe["ecart_type"], Value::Null, "no sample deviation for one value");
    let anomalies = document["anomalies"].as_array().expect("anomalies");
    assert_eq!(anomalies.len(), 1);
    assert_eq!(anomalies[0]["code_ouvrage"], "FRAIS");

    // Prices needed to reach the 1.7 target: purchase × 1.7, rounded to the cent.
    let below = document["familles_sous_cible"].as_array().expect("below target");
    let required: Vec<(String, String)> = below
        .iter()
        .map(|row| (row["code_ouvrage"].as_str().expect("code").to_owned(), row["prix_vente_requis"].to_string()))
        .collect();
    assert_eq!(
        required,
        [
            ("FEN-ALU-100".to_owned(), "850.00".to_owned()),
            ("FEN-BOIS-80".to_owned(), "510.00".to_owned()),
            ("FEN-PVC-120x135".to_owned(), "700.99".to_owned()),
        ]
    );

    let by_ouvrage = csv(&ok(&run(&["coefficients", "--par", "ouvrage", "--format", "csv"])), ',');
    // Grouped as the families are: by sous-famille, the unclassified last.
    assert_eq!(column(&by_ouvrage, "code_ouvrage"), ["FEN-ALU-100", "FEN-PVC-120x135", "FEN-BOIS-80", "DIVERS"]);
    assert_eq!(column(&by_ouvrage, "coefficient")[1], round4(e.fen_pvc));
    assert_eq!(column(&by_ouvrage, "ecart")[2], "0.2250");

    let alert = run(&["coefficients", "--fail-on-alert", "--format", "csv"]);
    assert_eq!(alert.status.code(), Some(6), "{}", stderr(&alert));
    assert!(stderr(&alert).contains("1 famille(s) sous leur cible, 3 ouvrage(s) hors tolérance"), "{}", stderr(&alert));
    let unknown = run(&["coefficients", "--famille", "INCONNUE"]);
    assert_eq!(unknown.status.code(), Some(4));
}

#[test]
fn factures_open_late_and_ageing() {
    let sandbox = sandbox();
    let document = json(&sandbox.run(&["factures", "--au", "15/04/2024", "--format", "json"]));
    let factures = document["factures"].as_array().expect("invoices");
    let numeros: Vec<&str> = factures.iter().map(|f| f["numero_facture"].as_str().expect("numero")).collect();
    // Open ones only (the credit note is settled), by due date.
    assert_eq!(numeros, ["FA-2024-000001", "FA-2024-000002", "FA-2024-000004", "FA-2024-000003"]);
    let reste = [d("4444444.40") - d("1000.50"), d("6000.00"), d("240.00") - d("0"), d("120.00") - d("20.00")];
    for (facture, expected) in factures.iter().zip(reste) {
        assert_eq!(facture["reste_du"].to_string(), expected.to_string());
    }
    // Due 16/03 and 31/03, seen on 15/04: 30 and 15 days late; the others are not due yet.
    let retards: Vec<i64> = factures.iter().map(|f| f["jours_retard"].as_i64().expect("days")).collect();
    assert_eq!(retards, [30, 15, 0, 0]);
    assert_eq!(factures[0]["montant_regle"].to_string(), "1000.50");
    assert_eq!(factures[1]["montant_regle"], Value::Null);

    let ageing: Vec<(String, String)> = document["anciennete"]
        .as_array()
        .expect("ageing")
        .iter()
        .map(|b| (b["tranche"].as_str().expect("label").to_owned(), b["reste_du"].to_string()))
        .collect();
    let late = reste[0] + reste[1];
    let not_due = reste[2] + reste[3];
    assert_eq!(
        ageing,
        [
            ("non_echu".to_owned(), not_due.to_string()),
            ("1-30".to_owned(), late.to_string()),
            ("31-60".to_owned(), "0.00".to_owned()),
            ("61-90".to_owned(), "0.00".to_owned()),
            ("90+".to_owned(), "0.00".to_owned()),
            // Credit notes on their own line, outside the buckets: none open here.
            ("avoir".to_owned(), "0.00".to_owned()),
        ]
    );
    let all = &document["par_statut"][0];
    assert_eq!(all["nombre"], 4);
    assert_eq!(all["reste_du"].to_string(), (late + not_due).to_string());
    assert_eq!(all["reste_du_en_retard"].to_string(), late.to_string());
    assert_eq!(all["montant_ht"].to_string(), (d("3703703.67") + d("5000") + d("100") + d("200")).to_string());
    let clients: Vec<&str> = document["par_client"]
        .as_array()
        .expect("clients")
        .iter()
        .map(|c| c["code_client"].as_str().expect("code"))
        .collect();
    assert_eq!(clients, ["CLI001", "CLI002"], "largest reste dû first");

    // On 20/03 the April invoice did not exist yet, and only the first one was late (4 days).
    let earlier = csv(&ok(&sandbox.run(&["factures", "--au", "2024-03-20", "--format", "csv"])), ',');
    assert_eq!(column(&earlier, "numero_facture"), ["FA-2024-000001", "FA-2024-000002", "FA-2024-000003"]);
    assert_eq!(column(&earlier, "jours_retard"), ["4", "0", "0"]);

    let late_only = csv(&ok(&sandbox.run(&["factures", "--au", "2024-04-15", "--en-retard", "--format", "csv"])), ',');
    assert_eq!(column(&late_only, "numero_facture"), ["FA-2024-000001", "FA-2024-000002"]);
    let client =
        csv(&ok(&sandbox.run(&["factures", "--au", "2024-04-15", "--client", "CLI002", "--format", "csv"])), ',');
    assert_eq!(column(&client, "numero_facture"), ["FA-2024-000004", "FA-2024-000003"]);

    let alert = sandbox.run(&["factures", "--au", "2024-04-15", "--fail-on-alert", "--format", "csv"]);
    assert_eq!(alert.status.code(), Some(6));
    assert!(stderr(&alert).contains("2 facture(s) en retard au 15/04/2024"), "{}", stderr(&alert));
    let calm = sandbox.run(&["factures", "--au", "2024-03-01", "--fail-on-alert", "--format", "csv"]);
    assert_eq!(calm.status.code(), Some(0), "{}", stderr(&calm));
}

#[test]
fn generated_volume_and_closed_pipe() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "3000", "--seed", "11"]);
    let lines = ok(&sandbox.run(&["devis", "--format", "ndjson"]));
    assert_eq!(lines.lines().count(), 3000);

    // `| head -1`: the reader goes away; the command ends quietly with 0.
    let mut child = sandbox
        .client()
        .args(["devis", "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0_u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("first bytes");
    drop(stdout);
    let output = child.wait_with_output().expect("exit");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "a closed pipe says nothing: {}", stderr(&output));
}

#[test]
fn a_failed_export_leaves_no_file() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "500", "--drop-after-rows", "100"]);
    let target = sandbox.path("export.csv");
    let output = sandbox.run(&["devis", "--format", "csv", "-o", target.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(!target.exists());
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "50"]);
    let target = sandbox.path("export.csv");
    let output = sandbox.run(&["devis", "--format", "csv", "-o", target.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "data went to the file, not stdout");
    assert_eq!(std::fs::read_to_string(&target).expect("export").lines().count(), 51);
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_with_130_and_leaves_no_file() {
    // Each response waits a second: the export is interrupted while it waits for its rows, once
    // it has said (-v) that its query is sent.
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "50", "--latency-ms", "1000"]);
    let target = sandbox.path("export.csv");
    let mut child = sandbox
        .client()
        .args(["-v", "devis", "--format", "csv", "-o", target.to_str().expect("path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let log = crate::common::stderr_after(&mut child, "requête : ");
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("exit");
    let log = log.join().expect("stderr");
    assert_eq!(output.status.code(), Some(130), "{log}");
    assert!(log.contains("interrompu"), "{log}");
    assert!(output.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&output.stdout));
    let left: Vec<_> = std::fs::read_dir(sandbox.dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().contains("export"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
