//! `dashboard`: the terminal summary and the self-contained HTML report.

use std::process::Command;

use crate::common::{Sandbox, tool_available};

#[test]
fn html_report_is_well_formed_offline_and_shows_the_terminal_figures() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "600", "--seed", "5"]);
    let html_path = sandbox.path("tableau.html");
    let output = sandbox.run(&["dashboard", "--au", "31/12/2025", "--html", html_path.to_str().expect("path")]);
    let terminal = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{terminal}{}", String::from_utf8_lossy(&output.stderr));
    let html = std::fs::read_to_string(&html_path).expect("the HTML file");

    // Nothing is loaded from anywhere: no script, stylesheet, image, font or URL.
    for external in ["<script", "<link", "src=", "url(", "@import", "http:", "https:"] {
        assert!(!html.contains(external), "the report references {external}");
    }
    assert_eq!(html.matches("<svg").count(), 5, "five charts");
    assert!(html.contains("Encaissements attendus par semaine"), "the weeks of the cash-in forecast");
    assert!(html.contains("@page { size: A4"), "print layout");

    // Every money figure of the terminal's KPI table is in the report, formatted the same.
    let figures: Vec<&str> = terminal
        .lines()
        .take_while(|line| !line.is_empty())
        .flat_map(|line| line.split(['│', '┆']))
        .map(str::trim)
        .filter(|cell| cell.ends_with('€') || cell.ends_with('%'))
        .collect();
    assert!(figures.len() >= 10, "{terminal}");
    for figure in figures {
        assert!(html.contains(figure), "{figure} is missing from the HTML");
    }

    // It parses as XML once the doctype is set aside: every element is closed.
    if tool_available("python3", "Python 3 (Debian: python3)", Command::new("python3").arg("--version")) {
        let check = "import sys, xml.etree.ElementTree as ET; text = open(sys.argv[1], encoding='utf-8').read(); \
                     ET.fromstring(text.split('\\n', 1)[1]); print('ok')";
        let parsed =
            Command::new("python3").args(["-c", check, html_path.to_str().expect("path")]).output().expect("python3");
        assert_eq!(String::from_utf8_lossy(&parsed.stdout).trim(), "ok", "{}", String::from_utf8_lossy(&parsed.stderr));
    }
}

#[test]
fn json_dashboard_for_scripts() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "600"]);
    let output = sandbox.run(&["dashboard", "--au", "2025-12-31", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(document["indicateurs"].as_array().map(Vec::len), Some(2));
    assert_eq!(document["connexion"][2]["valeur"], "BATIGEST_CONNECT");

    // The ten most late invoices, as `factures --en-retard` lists them all: most days late
    // first, then by number.
    let shown: Vec<String> = document["factures_en_retard"]
        .as_array()
        .expect("late invoices")
        .iter()
        .map(|late| late["numero_facture"].as_str().expect("number").to_owned())
        .collect();
    let output = sandbox.run(&["factures", "--au", "2025-12-31", "--en-retard", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let factures: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut late: Vec<(i64, String)> = factures["factures"]
        .as_array()
        .expect("factures")
        .iter()
        .map(|f| (-f["jours_retard"].as_i64().expect("days"), f["numero_facture"].as_str().expect("number").to_owned()))
        .collect();
    assert!(late.len() > 20, "the sample has more late invoices than the dashboard keeps: {}", late.len());
    late.sort();
    let expected: Vec<String> = late.into_iter().take(10).map(|(_, numero)| numero).collect();
    assert_eq!(shown, expected);
}
