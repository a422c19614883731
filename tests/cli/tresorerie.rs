//! `tresorerie` and `relances` through the real binary against the sandbox, on invoices whose every
//! figure was computed by hand (report date Wednesday 5 June 2024).

use std::path::Path;
use std::process::Output;

use crate::common::{Sandbox, csv, ok, output_text as text, stderr as err, stdout};

/// Every invoice replaced by these: the comment says where each one goes on 5 June 2024.
const INVOICES: &str = "
DELETE FROM FACTURES;
INSERT INTO FACTURES VALUES
  (1, 'F1', 'DEVIS-2024-001', 1, 1000.00, 1200.00, '2024-05-06', '2024-06-05', 'PARTIELLEMENT_REGLE', 200.00),
  (2, 'F2', NULL, 1, 500.00, 600.00, '2024-05-10', '2024-06-09', 'NON_REGLE', NULL),
  (3, 'F3', NULL, 2, 250.00, 300.00, '2024-05-11', '2024-06-10', 'NON_REGLE', 0),
  (4, 'F4', NULL, 2, 833.33, 1000.00, '2024-04-21', '2024-05-21', 'NON_REGLE', NULL),
  (5, 'F5', NULL, 1, 2000.00, 2400.00, '2024-03-31', '2024-04-30', 'NON_REGLE', NULL),
  (6, 'F6', NULL, 1, 41.67, 50.00, '2024-05-05', '2024-06-04', 'NON_REGLE', NULL),
  (7, 'AV1', 'DEVIS-2024-001', 2, -100.00, -120.00, '2024-04-01', '2024-05-01', 'NON_REGLE', NULL),
  (8, 'F7', NULL, 2, 833.33, 999.99, '2024-06-01', '2024-07-01', 'NON_REGLE', NULL),
  (9, 'F8', NULL, 1, 8.33, 10.00, '2024-06-01', '2024-06-30', 'NON_REGLE', NULL),
  (10, 'F9', 'DEVIS-2024-001', 1, 500.00, 600.00, '2024-06-10', '2024-07-10', 'NON_REGLE', NULL),
  (11, 'F10', NULL, 1, 100.00, 120.00, '2024-05-01', '2024-05-02', 'REGLE', 120.00),
  (12, 'F11', NULL, 2, 4166.67, 5000.00, '2024-06-01', '2024-12-31', 'NON_REGLE', NULL);
";

fn sandbox() -> Sandbox {
    Sandbox::with_fixture_plus(INVOICES, &[])
}

fn run(sandbox: &Sandbox, config: Option<&Path>, args: &[&str]) -> Output {
    let mut command = sandbox.client();
    if let Some(config) = config {
        command.env("JLM_BATIGEST_CONFIG", config);
    }
    command.args(args).output().expect("run")
}

/// The CSV records as maps of column → value.
fn records(output: &Output) -> Vec<std::collections::BTreeMap<String, String>> {
    let rows = csv(&ok(output), ',');
    let header = rows[0].clone();
    rows[1..].iter().map(|row| header.iter().cloned().zip(row.iter().cloned()).collect()).collect()
}

#[test]
fn the_weekly_forecast_matches_hand_arithmetic() {
    let sandbox = sandbox();
    let output = run(&sandbox, None, &["tresorerie", "--au", "2024-06-05", "--format", "csv"]);
    let lines = records(&output);
    let line = |key: &str| {
        let line = lines.iter().find(|l| l["ligne"] == key).unwrap_or_else(|| panic!("{key}: {lines:?}"));
        (line["nombre_factures"].clone(), line["encaissement_ttc"].clone())
    };
    // F4 (15 days) and F6 (1 day) late; F5 36 days late.
    assert_eq!(line("en_retard_1-30"), ("2".into(), "1050.00".into()));
    assert_eq!(line("en_retard_31-60"), ("1".into(), "2400.00".into()));
    assert_eq!(line("en_retard_90+"), ("0".into(), "0.00".into()));
    // Week 23 runs from the report date (F1, due that very day: 1 200 − 200) to Sunday 9 June (F2).
    assert_eq!(line("2024-S23"), ("2".into(), "1600.00".into()));
    let week = lines.iter().find(|l| l["ligne"] == "2024-S23").expect("week");
    assert_eq!((week["du"].as_str(), week["au"].as_str()), ("2024-06-05", "2024-06-09"));
    assert_eq!(line("2024-S24"), ("1".into(), "300.00".into()), "Monday 10 June");
    assert_eq!(line("2024-S26"), ("1".into(), "10.00".into()), "Sunday 30 June");
    assert_eq!(line("2024-S27"), ("1".into(), "999.99".into()), "Monday 1 July");
    assert_eq!(line("au_dela"), ("1".into(), "5000.00".into()), "F11, due after 1 September");
    // The credit note is money owed to a customer: its own line, never late.
    assert_eq!(line("avoirs"), ("1".into(), "-120.00".into()));
    assert_eq!(lines.iter().filter(|l| l["ligne"].contains("-S")).count(), 13);
    // The lines add up to every open invoice's reste dû, which `factures` reports too.
    let total: rust_decimal::Decimal =
        lines.iter().map(|l| l["encaissement_ttc"].parse::<rust_decimal::Decimal>().expect("amount")).sum();
    assert_eq!(total.to_string(), "11239.99");
    assert_eq!(lines.last().expect("line")["cumul_ttc"], "11239.99");
    let factures = run(&sandbox, None, &["factures", "--au", "2024-06-05", "--format", "json"]);
    let factures: serde_json::Value = serde_json::from_str(&ok(&factures)).expect("json");
    let reste: rust_decimal::Decimal = factures["factures"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|f| f["reste_du"].to_string().parse::<rust_decimal::Decimal>().expect("amount"))
        .sum();
    assert_eq!(reste, total, "the same open invoices as `factures`");
}

#[test]
fn monthly_and_what_remains_to_invoice() {
    let sandbox = sandbox();
    let output = run(&sandbox, None, &["tresorerie", "--au", "05/06/2024", "--par", "mois", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&ok(&output)).expect("json");
    let lines = document["tresorerie"].as_array().expect("lines");
    let line = |key: &str| lines.iter().find(|l| l["ligne"] == key).unwrap_or_else(|| panic!("{key}")).clone();
    // June from the 5th: F1 1 000 + F2 600 + F3 300 + F8 10.
    assert_eq!(line("2024-06")["encaissement_ttc"].to_string(), "1910.00");
    assert_eq!(line("2024-06")["du"], "2024-06-05");
    assert_eq!(line("2024-06")["au"], "2024-06-30");
    assert_eq!(line("2024-07")["encaissement_ttc"].to_string(), "999.99");
    assert_eq!(line("2024-11")["au"], "2024-11-30", "six months, the report's month included");
    assert_eq!(line("au_dela")["encaissement_ttc"].to_string(), "5000.00", "31 December is beyond");
    // DEVIS-2024-001 (accepted): 12 345 678,91 HT − (F1 1 000 − AV1 100) invoiced by 5 June (F9 is
    // dated after it) = 12 344 778,91 HT; TTC at the devis' ratio 14 814 814,69 / 12 345 678,91
    // = 14 813 734,690000… → 14 813 734,69. The refused and draft devis are not committed.
    let reste = &document["a_facturer"][0];
    assert_eq!(reste["nombre_devis"], 1);
    assert_eq!(reste["reste_ht"].to_string(), "12344778.91");
    assert_eq!(reste["reste_ttc"].to_string(), "14813734.69");

    // --detail: every figure traceable to the invoices and devis behind it.
    let output = run(&sandbox, None, &["tresorerie", "--au", "2024-06-05", "--detail", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&ok(&output)).expect("json");
    let factures = document["factures"].as_array().expect("invoices");
    assert_eq!(factures.len(), 10);
    let of = |numero: &str| factures.iter().find(|f| f["numero_facture"] == numero).expect(numero)["ligne"].clone();
    assert_eq!(of("F1"), "2024-S23");
    assert_eq!(of("AV1"), "avoirs");
    assert_eq!(of("F5"), "en_retard_31-60");
    assert_eq!(document["devis"][0]["facture_ht"].to_string(), "900.00");
}

#[test]
fn bad_horizons_are_usage_errors() {
    let sandbox = sandbox();
    for bad in ["0s", "13", "200s", "-6m"] {
        let output = run(&sandbox, None, &["tresorerie", &format!("--horizon={bad}")]);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", text(&output));
        assert!(err(&output).contains(bad), "the value is named: {}", text(&output));
    }
    // SQL Server's last day is a report date like any other (its next midnight fits no DATETIME2).
    let output = run(&sandbox, None, &["tresorerie", "--au", "9999-12-31", "--par", "mois", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

fn config(dir: &Path, relances: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, format!("[profiles.default.relances]\n{relances}")).expect("config");
    path
}

#[test]
fn reminders_with_penalties_and_indemnities_to_the_cent() {
    let sandbox = sandbox();
    let config =
        config(sandbox.dir.path(), "taux_penalites = 12.15\nprofessionnels = [\"CLI002\"]\nseuils = [1, 15, 30]\n");
    let letters = sandbox.path("lettres");
    let letters_arg = letters.to_str().expect("path");
    let output = run(
        &sandbox,
        Some(&config),
        &["relances", "--au", "2024-06-05", "--format", "json", "--lettres", letters_arg, "--fail-on-alert"],
    );
    assert_eq!(output.status.code(), Some(6), "CLI001 is at level 3: {}", text(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let rows = document["relances"].as_array().expect("rows");
    let row = |numero: &str| rows.iter().find(|r| r["numero_facture"] == numero).unwrap_or_else(|| panic!("{numero}"));
    // F5: 2 400 × 12,15 % × 36 / 365 = 28,7605… ; private customer, no indemnity.
    assert_eq!((row("F5")["niveau"].clone(), row("F5")["penalites"].to_string()), (3.into(), "28.76".to_owned()));
    assert_eq!(row("F5")["indemnite"].to_string(), "0.00");
    // F6: 50 × 12,15 % × 1 / 365 = 0,0166… ; F4 (professional): 1 000 × 12,15 % × 15 / 365 = 4,9931…
    assert_eq!((row("F6")["niveau"].clone(), row("F6")["penalites"].to_string()), (1.into(), "0.02".to_owned()));
    assert_eq!((row("F4")["niveau"].clone(), row("F4")["penalites"].to_string()), (2.into(), "4.99".to_owned()));
    assert_eq!(row("F4")["indemnite"].to_string(), "40.00");
    assert_eq!(row("F4")["professionnel"], true);
    // Neither the credit note nor the invoices not yet late are chased.
    let chased: Vec<&str> = rows.iter().map(|r| r["numero_facture"].as_str().expect("numero")).collect();
    assert_eq!(chased.len(), 3, "{chased:?}");
    let clients = document["par_client"].as_array().expect("clients");
    assert_eq!(clients[0]["code_client"], "CLI001", "level 3 first");
    assert_eq!(clients[0]["total"].to_string(), "2478.78", "2 450 + 28,76 + 0,02");
    assert_eq!(clients[1]["total"].to_string(), "1044.99", "1 000 + 4,99 + 40");

    // One letter per customer, with their invoices and no other's, loading nothing.
    let first = std::fs::read_to_string(letters.join("relance-CLI001.html")).expect("letter");
    let second = std::fs::read_to_string(letters.join("relance-CLI002.html")).expect("letter");
    assert_eq!(std::fs::read_dir(&letters).expect("dir").count(), 2, "no temporary file left");
    for (letter, own, others) in
        [(&first, &["F5", "F6"][..], &["F4", "AV1", "F1"][..]), (&second, &["F4"][..], &["F5", "F6", "AV1"][..])]
    {
        assert!(letter.starts_with("<!DOCTYPE html>") && letter.trim_end().ends_with("</html>"));
        for numero in own {
            assert!(letter.contains(&format!("<td>{numero}</td>")), "{numero} in its customer's letter");
        }
        for numero in others {
            assert!(!letter.contains(&format!("<td>{numero}</td>")), "{numero} not in this letter");
        }
        for external in ["http://", "https://", "src=", "@import", "url("] {
            assert!(!letter.contains(external), "loads nothing: {external}");
        }
        assert!(!letter.contains("{{"), "every placeholder filled");
    }
    assert!(first.contains("Mise en demeure") && first.contains("2\u{a0}478,78\u{a0}€"), "{first}");
    assert!(!first.contains("L441-10"), "no indemnity for a private customer");
    assert!(
        second.contains("Seconde relance")
            && second.contains("L441-10")
            && second.contains("Boulangerie L&#39;Épi d&#39;Or")
    );
    assert_eq!(second.matches("<tr><td>").count() - 4, 1, "F4 and the four lines of totals: {second}");
}

#[test]
fn without_a_rate_no_penalty_is_guessed() {
    let sandbox = sandbox();
    let output = run(&sandbox, None, &["relances", "--au", "2024-06-05", "--format", "csv", "--client", "CLI002"]);
    let rows = records(&output);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["numero_facture"], "F4");
    assert_eq!(rows[0]["penalites"], "", "no rate: empty, not 0");
    assert_eq!(rows[0]["indemnite"], "0.00", "not marked professional: no indemnity");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("taux_penalites"), "the hint says how to set it: {stderr}");
    // Not at level 3: --fail-on-alert stays 0.
    let output = run(&sandbox, None, &["relances", "--au", "2024-06-05", "--client", "CLI002", "--fail-on-alert"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stdout(&output).contains("seconde relance"));
    // Letters into something that is not a directory: refused, the file left as it was.
    let file = sandbox.path("pas-un-dossier");
    std::fs::write(&file, "garder").expect("file");
    let output = run(&sandbox, None, &["relances", "--au", "2024-06-05", "--lettres", file.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(err(&output).contains("n'est pas un dossier"), "{}", text(&output));
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "garder");
}

#[test]
fn a_bad_reminder_setting_names_the_key() {
    let sandbox = sandbox();
    for (setting, key) in [
        ("seuils = [15, 1, 30]\n", "seuils"),
        ("taux_penalites = -3\n", "taux_penalites"),
        ("professionnels = 42\n", "professionnels"),
        ("delai = 3\n", "delai"),
    ] {
        let config = config(sandbox.dir.path(), setting);
        let output = run(&sandbox, Some(&config), &["relances", "--au", "2024-06-05"]);
        assert_eq!(output.status.code(), Some(2), "{setting}: {}", text(&output));
        assert!(err(&output).contains(key), "{setting}: {}", text(&output));
    }
}

/// A profile's own letter (`[relances] modele`): its `{{champ}}` placeholders filled and escaped,
/// an unknown one printed as written; a template that does not parse is refused before any letter.
#[test]
fn a_profile_letter_template_is_filled_and_a_broken_one_refused() {
    let sandbox = sandbox();
    std::fs::write(
        sandbox.path("perso.html"),
        "<html><p>{{client_nom}} : {{ total }} {{signature}}</p>\n{{factures}}</html>\n",
    )
    .expect("template");
    let config = config(sandbox.dir.path(), "professionnels = [\"CLI002\"]\nmodele = \"perso.html\"\n");
    let letters = sandbox.path("perso");
    let args = ["relances", "--au", "2024-06-05", "--client", "CLI002", "--lettres", letters.to_str().expect("path")];
    let output = run(&sandbox, Some(&config), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let letter = std::fs::read_to_string(letters.join("relance-CLI002.html")).expect("letter");
    assert!(
        letter.starts_with("<html><p>Boulangerie L&#39;Épi d&#39;Or : 1\u{a0}040,00\u{a0}€ {{signature}}</p>\n<table>"),
        "{letter}"
    );
    assert!(letter.contains("<td>F4</td>") && letter.ends_with("</table></html>\n"), "{letter}");

    std::fs::write(sandbox.path("perso.html"), "<p>\n{{ client_nom </p>\n").expect("template");
    let refused = sandbox.path("refus");
    let args = ["relances", "--au", "2024-06-05", "--lettres", refused.to_str().expect("path")];
    let output = run(&sandbox, Some(&config), &args);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("perso.html invalide") && text(&output).contains("ligne 2"), "{}", text(&output));
    assert!(!refused.exists(), "no letter written");
}
