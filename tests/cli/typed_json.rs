//! Machine formats carry data, not display text: in every command's JSON, NDJSON and CSV an
//! amount is a number, a date ISO 8601, a missing value null or empty — French formatting is for
//! `table` and `--excel` only. The stored `data_json` of `analytics` too.

use serde_json::Value;

use crate::common::{Sandbox, csv, ok, stderr};

/// Members whose value is a number (or null): amounts, rates, counts, days.
fn is_numeric_key(key: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "montant",
        "ca_",
        "reste_du",
        "taux_",
        "marge_",
        "ecart",
        "coefficient",
        "cible",
        "avoirs",
        "solde",
        "retard_moyen",
        "jours_retard",
        "nombre",
        "part",
    ];
    PREFIXES.iter().any(|prefix| key.starts_with(prefix))
}

/// Members whose value is an ISO 8601 date or date-time (or null).
fn is_date_key(key: &str) -> bool {
    key == "du" || key == "au" || key.starts_with("date_") || key.ends_with("_at")
}

fn is_iso(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
        || chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

/// What only a display string holds: a euro sign, a narrow or non-breaking space (French digit
/// groups), a French date, a unit, a dash standing for nothing.
fn looks_formatted(text: &str) -> bool {
    let french_date = text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%d/%m/%Y").is_ok();
    let days = text.strip_suffix(" jours").is_some_and(|n| n.replace(',', ".").parse::<f64>().is_ok());
    text.contains('€') || text.contains('\u{a0}') || text.contains('\u{202f}') || days || text == "—" || french_date
}

/// Every problem found in `value`, with its path.
fn problems(path: &str, key: &str, value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (member, value) in members {
                problems(&format!("{path}.{member}"), member, value, found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                problems(&format!("{path}[{index}]"), key, item, found);
            }
        }
        Value::String(text) => {
            if is_numeric_key(key) {
                found.push(format!("{path} is the string {text:?} where a number belongs"));
            } else if is_date_key(key) && !is_iso(text) {
                found.push(format!("{path} is {text:?}, not an ISO 8601 date"));
            } else if looks_formatted(text) {
                found.push(format!("{path} holds display text {text:?}"));
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn assert_typed(what: &str, document: &Value) {
    let mut found = Vec::new();
    problems("$", "", document, &mut found);
    assert!(found.is_empty(), "{what}:\n{}", found.join("\n"));
}

fn json(sandbox: &Sandbox, args: &[&str]) -> Value {
    let output = sandbox.run(args);
    serde_json::from_str(&ok(&output)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn the_checker_catches_display_text() {
    let bad = serde_json::json!({
        "facturation_en_cours": [{"indicateur": "Reste dû", "valeur": "163 995,68 €"}],
        "x": [{"montant_ht": "12.50", "date_echeance": "31/12/2025", "retard": "340,0 jours"}],
    });
    let mut found = Vec::new();
    problems("$", "", &bad, &mut found);
    assert_eq!(found.len(), 4, "{found:#?}");
}

#[test]
fn every_command_writes_typed_json_and_stores_typed_data_json() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "300", "--seed", "3"]);
    for args in [
        &["devis", "--limit", "50", "--format", "json"][..],
        &["factures", "--au", "2025-12-31", "--format", "json"],
        &["coefficients", "--format", "json"],
        &["dashboard", "--au", "2025-12-31", "--format", "json"],
        &["analytics", "--from", "2025-01-01", "--to", "2025-12-31", "--periode", "trimestriel", "--format", "json"],
        &["test-connection", "--check-schema", "--format", "json"],
        &["schema", "inspect", "--format", "json"],
        &["sync-offer", "--all", "--format", "json"],
        &["integrations", "--format", "json"],
        &["dashboard", "--au", "2025-12-31", "--format", "json"],
    ] {
        assert_typed(&args.join(" "), &json(&sandbox, args));
    }
    let document =
        json(&sandbox, &["analytics", "--from", "2025-01-01", "--to", "2025-12-31", "--no-save", "--format", "json"]);
    let en_cours = &document["facturation_en_cours"][0];
    assert!(en_cours["reste_du"].is_number() && en_cours["nombre"].is_u64(), "{en_cours}");

    // The saved run: listed, shown whole with every section, and stored as typed data.
    let saved = sandbox.run(&["analytics", "--from", "2025-01-01", "--to", "2025-12-31", "--periode", "mensuel"]);
    assert_eq!(saved.status.code(), Some(0), "{}", stderr(&saved));
    let message = stderr(&saved);
    // « Calcul enregistré dans l'historique (id …). »
    let id = message
        .split("historique (id ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("the saved run's id in {message}"));
    assert_typed("history", &json(&sandbox, &["analytics", "history", "--format", "json"]));
    let shown = json(&sandbox, &["analytics", "history", "--id", id, "--format", "json"]);
    assert_typed("history --id", &shown);
    for section in ["indicateurs", "facturation_en_cours", "coefficients", "calcul"] {
        assert!(shown[section].as_array().is_some_and(|rows| !rows.is_empty()), "{section} in {shown}");
    }
    assert!(shown["facturation_en_cours"][0]["reste_du"].is_number(), "{shown}");

    // NDJSON: one typed object per line; CSV: plain numbers and ISO dates.
    let ndjson = ok(&sandbox.run(&["factures", "--au", "2025-12-31", "--format", "ndjson"]));
    for line in ndjson.lines() {
        assert_typed(line, &serde_json::from_str(line).expect("one JSON object per line"));
    }
    let text =
        ok(&sandbox.run(&["analytics", "--from", "2025-01-01", "--to", "2025-12-31", "--no-save", "--format", "csv"]));
    for record in csv(&text, ',') {
        for field in record {
            assert!(!looks_formatted(&field), "CSV field {field:?}");
        }
    }
}

#[test]
fn a_dashboard_whose_store_fails_says_so_on_stderr_and_exits_with_its_code() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "100"]);
    // A store under a file, not a directory: it cannot be opened.
    let output = sandbox.run(&[
        "--jlm-db",
        "sqlite:/etc/passwd/magasin.db",
        "dashboard",
        "--au",
        "2025-12-31",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(stderr(&output).contains("synchronisations non lues"), "{}", stderr(&output));
    let document: Value = serde_json::from_slice(&output.stdout).expect("the rest of the dashboard, as JSON");
    assert_eq!(document["synchronisations"], serde_json::json!([]), "no error text in the data");
    assert_typed("dashboard without store", &document);
}
