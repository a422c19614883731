//! Tables on a real terminal (a pseudo-terminal from `script`): fitted to its width, key columns
//! whole; plain at their natural width when stdout is not a terminal.

use std::process::Command;

use crate::common::{BIN, PASSWORD, Sandbox, USER, ok, tool_available};

/// `jlm-batigest ARGS` against `sandbox` with its stdout on a pseudo-terminal `columns` wide.
fn on_terminal(sandbox: &Sandbox, columns: u16, args: &str) -> String {
    on_terminal_with(sandbox, columns, args, &[])
}

/// As `on_terminal`, with more variables (`TERM`, which the progress spinner needs); what the
/// terminal showed, stdout and stderr both (the terminal merges them).
pub fn on_terminal_with(sandbox: &Sandbox, columns: u16, args: &str, env: &[(&str, &str)]) -> String {
    let output = Command::new("script")
        .env_clear()
        .envs(env.iter().copied())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.dir.path())
        .env("COLUMNS", columns.to_string())
        .env("BATIGEST_SQL_SERVER", "127.0.0.1")
        .env("BATIGEST_SQL_PORT", sandbox.addr.port().to_string())
        .env("BATIGEST_SQL_USER", USER)
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["-qec", &format!("{BIN} --encrypt off --color never {args}"), "/dev/null"])
        .output()
        .expect("run script");
    ok(&output).replace('\r', "")
}

#[test]
fn a_table_fits_an_80_column_terminal_without_breaking_devis_numbers() {
    if !tool_available("script", "util-linux's script (Debian: bsdutils)", Command::new("script").arg("--version")) {
        return;
    }
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "60"]);
    let text = on_terminal(&sandbox, 80, "devis");
    let too_wide: Vec<&str> = text.lines().filter(|line| line.chars().count() > 80).collect();
    assert!(too_wide.is_empty(), "lines wider than 80 columns: {too_wide:#?}\n{text}");
    let numbers = text.lines().filter(|line| line.starts_with("│ DEVIS-20") && line[4..].contains("-0")).count();
    assert!(numbers >= 20, "every devis number on one line:\n{text}");
    assert!(text.contains("Statut") && text.contains("Montant HT"), "the columns that matter stay:\n{text}");
    assert!(text.contains("Colonnes masquées faute de place : Affaire"), "{text}");

    // Not a terminal: the whole table, every column, however wide.
    let piped = ok(&sandbox.run(&["--color", "never", "devis"]));
    assert!(piped.lines().any(|line| line.chars().count() > 120), "{piped}");
    assert!(piped.contains("Responsable") && !piped.contains("Colonnes masquées"), "{piped}");
}

/// Issue 27, item 17: `config show` was 119 columns wide on an 80-column terminal; its long
/// values now wrap in their column. Piped, it keeps one line per setting.
#[test]
fn config_show_fits_an_80_column_terminal() {
    if !tool_available("script", "util-linux's script (Debian: bsdutils)", Command::new("script").arg("--version")) {
        return;
    }
    let sandbox = Sandbox::with_fixture(&[]);
    let text = on_terminal(&sandbox, 80, "config show");
    let too_wide: Vec<&str> = text.lines().filter(|line| line.chars().count() > 80).collect();
    assert!(too_wide.is_empty(), "lines wider than 80 columns: {too_wide:#?}\n{text}");
    for label in ["Serveur", "Base JLM", "Relances", "Alertes", "Mot de passe"] {
        assert!(text.lines().any(|line| line.starts_with(label)), "{label}:\n{text}");
    }
    assert!(text.contains("variable BATIGEST_SQL_SERVER"), "sources whole:\n{text}");
    let piped = ok(&sandbox.run(&["config", "show"]));
    let relances = piped.lines().find(|line| line.starts_with("Relances")).expect("relances");
    assert!(relances.contains("seuils 1/15/30 j, pénalités : aucun taux, aucun professionnel"), "{piped}");
}
