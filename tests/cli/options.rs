//! Options that would do nothing are refused by name; the messages a newcomer meets first.

use std::path::Path;
use std::process::Output;

use crate::common::{PASSWORD, Sandbox, USER, command, ok, stderr};

fn run(home: &Path, args: &[&str]) -> Output {
    command(home).args(args).output().expect("run jlm-batigest")
}

fn usage_error(output: &Output, expected: &str) {
    assert_eq!(output.status.code(), Some(2), "{}", stderr(output));
    assert!(stderr(output).contains(expected), "expected « {expected} » in:\n{}", stderr(output));
}

#[test]
fn a_global_option_the_command_does_not_use_is_a_usage_error_naming_it() {
    let home = tempfile::tempdir().expect("temp dir");
    let file = home.path().join("f");
    let file = file.to_str().expect("path");
    let cases: &[(&[&str], &str)] = &[
        (&["config", "path", "-o", file], "l'option -o/--output ne s'applique pas à « jlm-batigest config path »"),
        (&["config", "path", "--format", "json"], "--format ne s'applique pas"),
        (&["sandbox", "--server", "x"], "--server ne s'applique pas à « jlm-batigest sandbox »"),
        (&["login", "--format", "json"], "--format ne s'applique pas à « jlm-batigest login »"),
        (&["logout", "--server", "x"], "--server ne s'applique pas"),
        (&["completions", "bash", "-o", file], "-o/--output ne s'applique pas"),
        (&["integrations", "--password-stdin"], "--password-stdin ne s'applique pas à « jlm-batigest integrations »"),
        (&["man", "--profile", "production"], "--profile ne s'applique pas à « jlm-batigest man »"),
        (&["config", "show", "--password-stdin"], "--password-stdin ne s'applique pas"),
    ];
    for (args, expected) in cases {
        usage_error(&run(home.path(), args), expected);
    }
    assert!(!Path::new(file).exists(), "nothing written");
}

#[test]
fn a_command_help_lists_only_the_global_options_it_uses() {
    let home = tempfile::tempdir().expect("temp dir");
    let help = ok(&run(home.path(), &["sandbox", "--help"]));
    assert!(help.contains("--database") && help.contains("--user") && help.contains("--generate"), "{help}");
    for unused in ["--server", "--encrypt", "--trust-cert", "--jlm-db", "--format", "--output", "--profile"] {
        assert!(!help.contains(unused), "{unused} in:\n{help}");
    }
    let help = ok(&run(home.path(), &["devis", "--help"]));
    assert!(help.contains("--server") && help.contains("--format") && help.contains("--jlm-db"), "{help}");
    let help = ok(&run(home.path(), &["config", "path", "--help"]));
    assert!(!help.contains("--server") && !help.contains("--format"), "{help}");
}

#[test]
fn config_show_honours_format_and_output() {
    let home = tempfile::tempdir().expect("temp dir");
    let target = home.path().join("reglages.json");
    let output = run(home.path(), &["config", "show", "--format", "json", "-o", target.to_str().expect("path")]);
    assert!(ok(&output).is_empty(), "the settings went to the file");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).expect("written")).expect("one JSON document");
    let rows = json["reglages"].as_array().expect("reglages");
    let server = rows.iter().find(|row| row["reglage"] == "serveur").expect("serveur");
    assert_eq!((&server["valeur"], &server["source"]), (&"localhost".into(), &"défaut".into()));

    let csv = ok(&run(home.path(), &["config", "show", "--format", "csv"]));
    assert!(csv.starts_with("reglage,libelle,valeur,source\r\n"), "{csv}");
    // The embedded store is named with its path.
    let store = home.path().join(".local/share/jlm-batigest/jlm.sqlite");
    assert!(csv.contains(&format!("base_jlm,Base JLM,SQLite embarquée ({}),défaut", store.display())), "{csv}");
}

#[test]
fn a_missing_config_file_named_by_the_variable_is_an_error() {
    let home = tempfile::tempdir().expect("temp dir");
    let missing = home.path().join("recette.toml");
    let output = command(home.path()).env("JLM_BATIGEST_CONFIG", &missing).args(["config", "show"]).output();
    usage_error(
        &output.expect("run"),
        &format!("JLM_BATIGEST_CONFIG désigne {} : ce fichier n'existe pas", missing.display()),
    );
    // config path still prints it: that is how one finds what to create.
    let output = command(home.path()).env("JLM_BATIGEST_CONFIG", &missing).args(["config", "path"]).output();
    assert_eq!(ok(&output.expect("run")).trim_end(), missing.to_str().expect("path"));
}

#[test]
fn numbers_repeated_options_and_huge_limits_are_explained() {
    let home = tempfile::tempdir().expect("temp dir");
    usage_error(&run(home.path(), &["devis", "--user", "a", "--user", "b"]), "--user <NOM> est donné deux fois");
    let negative = run(home.path(), &["devis", "--limit", "-1"]);
    usage_error(&negative, "valeur « -1 » invalide pour --limit <N> : nombre négatif refusé");
    assert!(!stderr(&negative).contains("option inconnue"), "{}", stderr(&negative));
    usage_error(
        &run(home.path(), &["devis", "--limit", "18446744073709551615"]),
        "nombre trop grand (au plus 9223372036854775807)",
    );
    // Year 0 made the SQL Server driver panic (exit 101): it is refused as it is typed.
    for args in [&["factures", "--au", "0000-06-01"][..], &["analytics", "--from", "0000-01-01", "--no-save"]] {
        usage_error(&run(home.path(), args), "année 0 : les dates de SQL Server commencent le 01/01/0001");
    }
}

#[test]
fn the_trust_cert_warning_only_comes_with_encryption() {
    let sandbox = Sandbox::with_fixture(&[]);
    // The client runs with --encrypt off: there is no certificate to accept.
    let plain = sandbox.run(&["--trust-cert", "devis", "--limit", "1"]);
    ok(&plain);
    assert!(!stderr(&plain).contains("--trust-cert"), "{}", stderr(&plain));

    let encrypted = command(sandbox.dir.path())
        .env("BATIGEST_SQL_SERVER", "127.0.0.1")
        .env("BATIGEST_SQL_PORT", sandbox.addr.port().to_string())
        .env("BATIGEST_SQL_USER", USER)
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["--trust-cert", "devis", "--limit", "1"])
        .output()
        .expect("run");
    ok(&encrypted);
    assert!(stderr(&encrypted).contains("Attention : --trust-cert"), "{}", stderr(&encrypted));
}

/// A mistyped command is named, with the closest one (issue 27: « commande inconnue : » alone).
#[test]
fn an_unknown_command_is_named_with_the_closest_one() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(home.path(), &["treso"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let said = stderr(&output);
    assert!(said.contains("Erreur : commande inconnue : treso\n"), "{said}");
    assert!(said.contains("Aide : vouliez-vous dire « tresorerie » ?"), "{said}");

    let output = run(home.path(), &["devis", "--statu", "VALIDE"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("option inconnue : --statu"), "{said}");
    assert!(said.contains("vouliez-vous dire « --statut » ?"), "{said}");

    // Nothing close: no guess, the help line only.
    let output = run(home.path(), &["zzzz"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("commande inconnue : zzzz"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("vouliez-vous dire"), "{}", stderr(&output));
}
