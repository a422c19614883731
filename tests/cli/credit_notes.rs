//! Credit notes (avoirs) are money owed to the customer, never a late payment (DESIGN §5.3):
//! checked in `factures`, `--fail-on-alert` and the dashboard (terminal, JSON, HTML).

use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{Sandbox, d, ok, stderr};

/// On top of the fixture (FA-2024-000001: 4 444 444,40 € TTC, 1 000,50 paid, due 16/03/2024):
/// an open credit note due long ago, one not due yet, and an invoice of the other client not due.
const EXTRA: &str = "
INSERT INTO FACTURES VALUES
  (3, 'AV-2024-000002', NULL, 2, -200.00, -240.00, '2024-02-01', '2024-02-01', 'NON_REGLE', NULL),
  (4, 'AV-2024-000003', 'DEVIS-2024-001', 1, -50.00, -60.00, '2024-04-10', '2024-04-30', 'NON_REGLE', NULL),
  (5, 'FA-2024-000005', NULL, 2, 100.00, 120.00, '2024-03-01', '2024-05-31', 'NON_REGLE', NULL);
";

fn sandbox() -> Sandbox {
    Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"])
}

/// Display text with its French digit-group and currency spaces made plain.
fn plain(text: &str) -> String {
    text.replace(['\u{202f}', '\u{a0}'], " ")
}

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(&ok(output)).expect("JSON")
}

fn amount(value: &Value) -> Decimal {
    assert!(value.is_number(), "an amount is a number: {value}");
    value.to_string().parse().expect("a decimal")
}

#[test]
fn factures_keeps_credit_notes_out_of_late_totals_and_shows_them_apart() {
    let sandbox = sandbox();
    let document = json(&sandbox.run(&["factures", "--au", "2024-04-15", "--format", "json"]));
    let rows = document["factures"].as_array().expect("rows");
    let row = |numero: &str| rows.iter().find(|r| r["numero_facture"] == numero).unwrap_or_else(|| panic!("{numero}"));
    // The credit note due on 01/02 is 74 days past its date, yet never late.
    for numero in ["AV-2024-000002", "AV-2024-000003"] {
        assert_eq!(row(numero)["jours_retard"], 0, "{numero}");
        assert_eq!(row(numero)["anciennete"], "avoir", "{numero}");
    }
    assert_eq!(row("FA-2024-000001")["jours_retard"], 30);

    let late = d("4444444.40") - d("1000.50");
    let not_due = d("120.00");
    let ageing: Vec<(String, Decimal)> = document["anciennete"]
        .as_array()
        .expect("ageing")
        .iter()
        .map(|b| (b["tranche"].as_str().expect("label").to_owned(), amount(&b["reste_du"])))
        .collect();
    let zero = Decimal::ZERO;
    assert_eq!(
        ageing,
        [
            ("non_echu".to_owned(), not_due),
            ("1-30".to_owned(), late),
            ("31-60".to_owned(), zero),
            ("61-90".to_owned(), zero),
            ("90+".to_owned(), zero),
            ("avoir".to_owned(), d("-240.00") + d("-60.00")),
        ]
    );
    let all = &document["par_statut"][0];
    assert_eq!(all["nombre"], 2, "invoices only");
    assert_eq!(amount(&all["reste_du"]), late + not_due);
    assert_eq!(all["nombre_en_retard"], 1);
    assert_eq!(amount(&all["reste_du_en_retard"]), late);

    // Per client: invoices, credit notes and the net balance.
    let clients = document["par_client"].as_array().expect("clients");
    let client = |code: &str| clients.iter().find(|c| c["code_client"] == code).unwrap_or_else(|| panic!("{code}"));
    assert_eq!(amount(&client("CLI001")["reste_du"]), late);
    assert_eq!(amount(&client("CLI001")["avoirs"]), d("-60.00"));
    assert_eq!(amount(&client("CLI001")["solde"]), late - d("60.00"));
    assert_eq!(amount(&client("CLI002")["reste_du"]), not_due);
    assert_eq!(amount(&client("CLI002")["reste_du_en_retard"]), zero, "a credit note is never late");
    assert_eq!(amount(&client("CLI002")["solde"]), not_due - d("240.00"));

    let late_only = json(&sandbox.run(&["factures", "--au", "2024-04-15", "--en-retard", "--format", "json"]));
    let numeros: Vec<&str> =
        late_only["factures"].as_array().expect("rows").iter().filter_map(|r| r["numero_facture"].as_str()).collect();
    assert_eq!(numeros, ["FA-2024-000001"]);
    let table = plain(&ok(&sandbox.run(&["factures", "--au", "2024-04-15"])));
    assert!(table.contains("avoirs non imputés") && table.contains("-300,00 €"), "{table}");
}

#[test]
fn a_late_credit_note_raises_no_alert() {
    let sandbox = sandbox();
    // On 10/03 nothing but the credit note is past its date: no alert, exit 0.
    let quiet = sandbox.run(&["factures", "--au", "2024-03-10", "--en-retard", "--fail-on-alert", "--format", "csv"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", stderr(&quiet));
    assert_eq!(ok(&quiet).lines().count(), 1, "the header alone: {}", ok(&quiet));
    // On 15/04 one invoice is late: the alert counts it alone.
    let alert = sandbox.run(&["factures", "--au", "2024-04-15", "--en-retard", "--fail-on-alert", "--format", "csv"]);
    assert_eq!(alert.status.code(), Some(6), "{}", stderr(&alert));
    assert!(stderr(&alert).contains("1 facture(s) en retard"), "{}", stderr(&alert));
    let late = String::from_utf8_lossy(&alert.stdout);
    assert!(late.contains("FA-2024-000001"), "the late invoice is listed: {late}");
    assert!(!late.contains("AV-"), "no credit note among late invoices: {late}");
}

#[test]
fn the_dashboard_never_lists_a_credit_note_as_late() {
    let sandbox = sandbox();
    let document = json(&sandbox.run(&["dashboard", "--au", "2024-03-10", "--format", "json"]));
    assert_eq!(document["factures_en_retard"].as_array().map(Vec::len), Some(0), "{document}");

    let html_path = sandbox.path("tableau.html");
    let html_arg = html_path.to_str().expect("path");
    let output = sandbox.run(&["dashboard", "--au", "2024-04-15", "--html", html_arg]);
    let terminal = plain(&ok(&output));
    let late_section = terminal.split("Factures en retard").nth(1).expect("the late section");
    assert!(late_section.contains("FA-2024-000001"), "{terminal}");
    assert!(!late_section.contains("AV-2024"), "{terminal}");
    assert!(late_section.contains(": 1 pour 4 443 443,90 €"), "{terminal}");

    let html = plain(&std::fs::read_to_string(&html_path).expect("the HTML file"));
    let late_rows: Vec<&str> = html.lines().filter(|line| line.starts_with("<tr class=\"late\">")).collect();
    assert_eq!(late_rows.len(), 1, "{late_rows:?}");
    assert!(late_rows[0].contains("FA-2024-000001") && late_rows[0].contains("16/03/2024"));
    assert!(html.contains("Avoirs non imputés (jamais en retard, hors du total) : 2 pour -300,00 €"), "{html}");

    let document = json(&sandbox.run(&["dashboard", "--au", "2024-04-15", "--format", "json"]));
    let late = document["factures_en_retard"].as_array().expect("late");
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["numero_facture"], "FA-2024-000001");
    assert_eq!(late[0]["date_echeance"], "2024-03-16", "an ISO date");
    assert_eq!(amount(&late[0]["reste_du"]), d("4444444.40") - d("1000.50"));
}

/// An invoice paid beyond its TTC (issue 27: 5 000 000 paid on 3 131,35 € TTC). Its negative reste
/// dû is owed to the customer, like a credit note: never reminded, never alerted, shown apart.
const OVERPAID: &str = "
INSERT INTO FACTURES VALUES
  (6, 'FA-2024-000006', NULL, 2, 2609.46, 3131.35, '2024-01-10', '2024-02-09', 'PARTIELLEMENT_REGLE', 5000000.00);
";

#[test]
fn an_overpaid_invoice_is_owed_to_the_customer_never_reminded_nor_alerted() {
    let sandbox = Sandbox::with_fixture_plus(OVERPAID, &["--tls", "off"]);
    let au = "2024-04-15";
    let document = json(&sandbox.run(&["factures", "--au", au, "--format", "json"]));
    let rows = document["factures"].as_array().expect("rows");
    let overpaid = rows.iter().find(|r| r["numero_facture"] == "FA-2024-000006").expect("listed");
    assert_eq!(amount(&overpaid["reste_du"]), d("-4996868.65"));
    assert_eq!(overpaid["jours_retard"], 0, "66 days past its date, yet owed to the customer");
    assert_eq!(overpaid["anciennete"], "trop_percu");
    let all = &document["par_statut"][0];
    assert_eq!(all["nombre"], 1, "FA-2024-000001 alone among the invoices");
    assert_eq!(all["nombre_en_retard"], 1);
    assert_eq!(amount(&all["reste_du_en_retard"]), d("4444444.40") - d("1000.50"));
    let ageing = document["anciennete"].as_array().expect("ageing");
    let apart = ageing.iter().find(|b| b["tranche"] == "avoir").expect("the credit line");
    assert_eq!(amount(&apart["reste_du"]), d("-4996868.65"), "the fixture's credit note is settled");
    assert_eq!(apart["libelle"], "avoirs non imputés et trop-perçus");

    // relances: CLI002 owes nothing; its overpaid invoice is no reminder, let alone a formal notice.
    let output = sandbox.run(&["relances", "--au", au, "--format", "csv", "--fail-on-alert"]);
    let relances = crate::common::stdout(&output);
    assert!(!relances.contains("FA-2024-000006") && !relances.contains("CLI002"), "{relances}");
    assert!(relances.contains("FA-2024-000001"), "{relances}");
    assert_eq!(output.status.code(), Some(6), "FA-2024-000001 is 30 days late: {}", stderr(&output));

    // alertes: the late FA-2024-000001 only.
    let output = sandbox.run(&["alertes", "--au", au, "--dry-run", "--format", "json"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let alerts = crate::common::stdout(&output);
    assert!(alerts.contains("FA-2024-000001"), "{alerts}");
    assert!(!alerts.contains("FA-2024-000006"), "{alerts}");

    // tresorerie: on the credit line, never in the weeks ahead nor among the late ones.
    let document = json(&sandbox.run(&["tresorerie", "--au", au, "--format", "json"]));
    let lines = document["tresorerie"].as_array().expect("lines");
    let credit = lines.iter().find(|line| line["ligne"] == "avoirs").expect("the credit line");
    assert_eq!(credit["libelle"], "avoirs non imputés et trop-perçus (dus aux clients)");
    assert_eq!(amount(&credit["encaissement_ttc"]), d("-4996868.65"));
    let late = lines.iter().find(|line| line["ligne"] == "en_retard_61-90").expect("61-90");
    assert_eq!(late["nombre_factures"], 0, "66 days past its date, yet not a late payment");
}
