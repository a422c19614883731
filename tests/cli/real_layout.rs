//! The real Batigest layout: the sandbox serves the same generated business data in both layouts,
//! and every figure read through the `batigest` mapping (built in, or written by `schema inspect`
//! and completed here) must equal the default layout's.

use std::process::Output;

use crate::common::{Sandbox, command, csv, ok, stderr};

/// Same seed, same size: the same business data in both layouts.
const DEVIS: &str = "300";
const REAL_DATABASE: &str = "BTG_DOS_DEMO";

fn default_layout() -> Sandbox {
    Sandbox::start(&["--generate", DEVIS, "--seed", "11", "--tls", "off"])
}

fn real_layout() -> Sandbox {
    Sandbox::start(&["--generate", DEVIS, "--seed", "11", "--layout", "batigest", "--tls", "off"])
}

/// `jlm-batigest --database BTG_DOS_DEMO --schema SCHEMA ARGS` against the real-layout sandbox.
fn run_real(sandbox: &Sandbox, schema: &str, args: &[&str]) -> Output {
    sandbox.run(&[&["--database", REAL_DATABASE, "--schema", schema], args].concat())
}

/// The records of a CSV output, restricted to the named columns (header included).
fn columns(text: &str, names: &[&str]) -> Vec<Vec<String>> {
    let records = csv(text, ',');
    let indexes: Vec<usize> = names
        .iter()
        .map(|name| records[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}")))
        .collect();
    records.iter().map(|record| indexes.iter().map(|&i| record[i].clone()).collect()).collect()
}

#[test]
fn the_builtin_batigest_mapping_reads_the_same_devis_as_the_default_layout() {
    let (default, real) = (default_layout(), real_layout());
    let known = ["code_client", "nom_client", "montant_ht", "date_creation", "date_validation", "statut"];
    for filter in [
        &[][..],
        &["--from", "2024-01-01", "--to", "2024-06-30", "--statut", "ACCEPTE", "--statut", "VALIDE"],
        &["--statut", "BROUILLON", "--limit", "7"],
    ] {
        let args = [&["devis", "--format", "csv"], filter].concat();
        let expected = columns(&ok(&default.run(&args)), &known);
        let text = ok(&run_real(&real, "batigest", &args));
        assert_eq!(columns(&text, &known), expected, "devis {filter:?}");
        assert!(expected.len() > 1, "the filter {filter:?} keeps some devis");
        // What the built-in mapping does not know is shown empty, and the numbers are the codes
        // the database holds: eight digits, leading zeros kept.
        let unknown = columns(&text, &["reference_affaire", "montant_ttc", "taux_marge", "responsable"]);
        assert!(unknown[1..].iter().flatten().all(String::is_empty), "{unknown:?}");
        let numbers = columns(&text, &["numero_devis"]);
        assert!(numbers[1..].iter().all(|n| n[0].len() == 8 && n[0].bytes().all(|b| b.is_ascii_digit())));
    }
    let client = columns(&ok(&default.run(&["devis", "--format", "csv"])), &["code_client"])[1][0].clone();
    let args = ["devis", "--client", &client, "--format", "csv"];
    assert_eq!(columns(&ok(&run_real(&real, "batigest", &args)), &known), columns(&ok(&default.run(&args)), &known));

    // A devis number is the text the database holds: 00000001 is found, 1 is not.
    let found = run_real(&real, "batigest", &["sync-offer", "--ref", "00000001", "--dry-run"]);
    assert!(ok(&found).contains("00000001"));
    let missing = run_real(&real, "batigest", &["sync-offer", "--ref", "1", "--dry-run"]);
    assert_eq!(missing.status.code(), Some(4), "{}", stderr(&missing));
}

#[test]
fn unmapped_fields_stop_the_commands_that_need_them_with_the_key_to_set() {
    let real = real_layout();
    for (args, field, key) in [
        (&["analytics", "--no-save"][..], "le champ devis.taux_marge", "[tables.devis.columns] taux_marge = \"…\""),
        (&["factures"][..], "la table logique factures", "[tables.factures] name = \"…\""),
        (&["coefficients"][..], "le champ ouvrages.prix_vente_ht", "[tables.ouvrages.columns] prix_vente_ht"),
    ] {
        let output = run_real(&real, "batigest", args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(field) && stderr(&output).contains(key), "{}", stderr(&output));
        assert!(output.stdout.is_empty(), "{args:?} printed before failing");
    }
    // The default mapping against the real layout: nothing matches, check-schema says what.
    let output = real.run(&["--database", REAL_DATABASE, "test-connection", "--check-schema"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("colonne manquante : DEVIS.NUMERO_DEVIS"));
}

#[test]
fn a_mapping_with_an_invalid_identifier_is_refused_before_any_query() {
    let home = tempfile::tempdir().expect("temp dir");
    let mapping = home.path().join("mapping.toml");
    std::fs::write(&mapping, "base = \"batigest\"\n[tables.devis]\nname = \"Devis; DROP TABLE x\"\n").expect("write");
    // Nothing listens on port 1: had the tool tried to connect, it would end with exit 3.
    let output = command(home.path())
        .args(["--server", "127.0.0.1", "--port", "1", "--user", "sa", "--schema"])
        .arg(&mapping)
        .args(["devis"])
        .env("BATIGEST_SQL_PASSWORD", "x")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("« Devis; DROP TABLE x »"), "{}", stderr(&output));
}

#[test]
fn inspect_write_then_complete_makes_every_command_match_the_default_layout() {
    let (default, real) = (default_layout(), real_layout());
    let file = real.path("correspondance.toml");
    let path = file.to_str().expect("UTF-8 path");
    let inspected = run_real(&real, "batigest", &["schema", "inspect", "--write", path, "--format", "csv"]);
    let report = columns(&ok(&inspected), &["table", "champ", "etat", "nom"]);
    let row = |table: &str, field: &str| {
        report.iter().find(|r| r[0] == table && r[1] == field).unwrap_or_else(|| panic!("no {table}.{field}")).clone()
    };
    assert_eq!(row("devis", "numero_devis")[2..], ["relié", "Code"]);
    assert_eq!(row("factures", "")[2..], ["proposé", "Facture"]);
    assert_eq!(row("factures", "montant_regle")[2..], ["proposé", "MontantRegle"]);
    assert_eq!(row("devis", "client_id")[2..], ["à compléter", ""]);
    let again = run_real(&real, "batigest", &["schema", "inspect", "--write", path]);
    assert_eq!(again.status.code(), Some(2), "an existing file is kept without --force");

    // Every name the file gives exists, but the invoice states are integers nobody translated yet:
    // the check says so, rather than letting filters on them quietly match nothing.
    let check = run_real(&real, path, &["test-connection", "--check-schema"]);
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(stderr(&check).contains("factures.statut_reglement (Facture.Etat) : 0, 1, 2"), "{}", stderr(&check));
    assert!(stderr(&check).contains("[tables.TABLE.values.CHAMP]"), "{}", stderr(&check));

    // IT completes the value map the file left commented, with the values it listed.
    let written = std::fs::read_to_string(&file).expect("the written mapping");
    let template = "# [tables.factures.values.statut_reglement]\n# \"0\" = \"\"\n# \"1\" = \"\"\n# \"2\" = \"\"\n";
    assert!(written.contains(template), "{written}");
    let completed = written.replace(
        template,
        "[tables.factures.values.statut_reglement]\n\"0\" = \"NON_REGLE\"\n\"1\" = \"PARTIELLEMENT_REGLE\"\n\"2\" = \"REGLE\"\n",
    );
    std::fs::write(&file, completed).expect("complete the mapping");

    let same = |args: &[&str], skip: &[&str]| {
        let expected = ok(&default.run(args));
        let header = &csv(&expected, ',')[0];
        let kept: Vec<&str> = header.iter().map(String::as_str).filter(|h| !skip.contains(h)).collect();
        let actual = ok(&run_real(&real, path, args));
        assert_eq!(columns(&actual, &kept), columns(&expected, &kept), "{args:?}");
        assert!(csv(&actual, ',').len() > 2, "{args:?} has rows");
    };
    same(&["factures", "--au", "2025-12-31", "--format", "csv"], &["numero_devis"]);
    same(&["devis", "--format", "csv"], &["numero_devis"]);
    same(&["coefficients", "--par", "sous-famille", "--format", "csv"], &[]);
    same(
        &[
            "analytics",
            "--from",
            "2023-01-01",
            "--to",
            "2025-12-31",
            "--periode",
            "trimestriel",
            "--no-save",
            "--format",
            "csv",
        ],
        &[],
    );
    let check = ok(&run_real(&real, path, &["test-connection", "--check-schema"]));
    assert!(check.contains("Schéma        : complet") && check.contains("Non reliés    : clients.id"), "{check}");
}
