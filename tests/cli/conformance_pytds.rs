//! python-tds (pure Python, its own TDS and TLS stacks) against the sandbox.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{Sandbox, tool_available};

fn pytds_available() -> bool {
    tool_available(
        "python-tds",
        "python-tds (pip install python-tds)",
        Command::new("python3").args(["-c", "import pytds"]),
    )
}

fn run(sandbox: &Sandbox, scenario: &str, cafile: Option<&Path>) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/pytds_client.py");
    let mut command = Command::new("python3");
    command.arg(script).arg("127.0.0.1").arg(sandbox.addr.port().to_string()).arg(scenario);
    if let Some(cafile) = cafile {
        command.arg(cafile);
    }
    let output = command.output().expect("run python3");
    assert!(output.status.success(), "python-tds {scenario}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON from the python-tds client")
}

/// What python-tds returns for the fixture. It builds decimals by dividing by 10^scale, which
/// drops trailing zeros (`-180.3`, `0`); tsql shows the scale the sandbox sent (`-180.30`).
fn expected_values() -> Value {
    json!({
        "devis": [{
            "ID": 1, "NUMERO_DEVIS": "DEVIS-2024-001", "NOM": "Hélène Lefèvre", "VILLE": "Saint-Étienne",
            "MONTANT_HT": "12345678.91", "TAUX_MARGE": "42.8571",
            "DATE_CREATION": "2024-01-31 10:15:30.123456", "DATE_VALIDATION": null
        }],
        "ouvrage": [{"ACTIF": false, "PRIX_ACHAT_HT": "0", "PV": 55.0, "GRAND": 2, "FAMILLE_ID": null}],
        "facture": [{"NUMERO_FACTURE": "AV-2024-000001", "DATE_ECHEANCE": "2024-02-20", "MONTANT_REGLE": "-180.3"}],
        "by_datetime": [{"NUMERO_DEVIS": "DEVIS-2024-002"}]
    })
}

#[test]
fn values_are_exact_without_tls() {
    if !pytds_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    assert_eq!(run(&sandbox, "values", None), expected_values());
}

#[test]
fn values_are_exact_over_verified_tls() {
    if !pytds_available()
        || !tool_available(
            "pyOpenSSL (python-tds TLS)",
            "pyOpenSSL (pip install pyopenssl)",
            Command::new("python3").args(["-c", "import OpenSSL"]),
        )
    {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let pem = dir.path().join("sandbox.pem");
    let sandbox = Sandbox::with_fixture(&["--tls", "required", "--cert-out", pem.to_str().expect("path")]);
    assert_eq!(run(&sandbox, "values", Some(&pem)), expected_values());
}

#[test]
fn errors_carry_sql_server_numbers() {
    if !pytds_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let result = run(&sandbox, "errors", None);
    assert_eq!(result["table"], json!([208, "Invalid object name 'DEVIZ'."]));
    assert_eq!(result["column"], json!([207, "Invalid column name 'NUMERO'."]));
    assert_eq!(result["after"], json!([{"N": 3}]));
    assert_eq!(result["login"][0], json!(18456));
}

#[test]
fn cancel_stops_a_running_result() {
    if !pytds_available() {
        return;
    }
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "20000"]);
    let result = run(&sandbox, "cancel", None);
    assert!(result["first"].as_str().is_some_and(|n| n.starts_with("DEVIS-")), "{result}");
    assert!(result["after"][0]["N"].as_i64().is_some_and(|n| n > 0), "{result}");
}

/// SQL Server's semantics on the real-types dossier (`real_types`), as python-tds decodes them:
/// MONEY and DATETIME on the wire as such (type codes 60 and 61), CHAR padded, text compared under
/// French_CI_AS, dates compared as dates, exact sums, error 245.
#[test]
fn sql_server_semantics_on_a_real_types_dossier() {
    if !pytds_available() {
        return;
    }
    let (sandbox, _) = crate::real_types::serve("", &[]);
    let result = run(&sandbox, "semantics", None);
    // TDS type codes (MS-TDS 2.2.5.4.1): MONEY 0x3C, DATETIME 0x3D, DECIMAL/NUMERIC 0x6A, INT 0x38.
    assert_eq!(result["types"]["TotalHT"], 60, "{result}");
    assert_eq!(result["types"]["Date"], 61, "{result}");
    assert_eq!(result["types"]["TauxMarge"], 56, "{result}");
    assert_eq!(
        result["devis"],
        json!(["00000001", "cli00021", "2025-01-10 09:30:00", "12345.67", "14814.804", 25]),
        "{result}"
    );
    // 00000001, 00000002, 00000005: CLI00021 in any case.
    assert_eq!(result["by_client"], json!([{"n": 3}]));
    // CHAR(10), blank-padded, found by a lower-case key.
    assert_eq!(result["famille"], json!([{"Famille": "PORTES    "}]));
    // 30 June at midnight and at 17:45 are both in [30 June, 1 July).
    assert_eq!(result["last_day"], json!([{"n": 2}]));
    // A DATE against DATETIME is its midnight: 17:45 on the 30th is after it.
    assert_eq!(result["on_or_before"], json!([{"n": 4}]));
    // Σ HT = 29 368.38; Σ HT × rate / 100 = 7 733.256 (773 325.6 / 100).
    assert_eq!(result["sums"], json!([{"s": "29368.38", "m": "7733.256"}]));
    assert_eq!(result["conversion"][0], 245, "{result}");
    // CLI00021 and CLI00022, whatever the case each devis stored.
    assert_eq!(result["distinct"], json!([{"n": 2}]));
    // SMALLDATETIME 0x3A (rounded to the minute), SMALLMONEY 0x7A, NCHAR 0xE7 as python-tds names
    // it, VARCHAR in Windows-1252, DATETIME rounded to 1/300 s (.999 is the next second).
    assert_eq!(result["small_types"], json!([58, 122, 231, 167, 61]), "{result}");
    assert_eq!(
        result["small_values"],
        json!(["2025-06-30 17:45:00", "1.2346", "abc  ", "été", "2025-06-30 17:45:30"]),
        "{result}"
    );
}
