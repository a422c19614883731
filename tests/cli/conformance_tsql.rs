//! FreeTDS `tsql` (C, GnuTLS) against the sandbox.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{DATABASE, PASSWORD, Sandbox, USER, tool_available};

fn tsql_available() -> bool {
    tool_available("FreeTDS tsql", Command::new("tsql").arg("-C"))
}

/// Runs `tsql` with `input` on stdin; FreeTDS is configured by a private freetds.conf.
fn tsql(sandbox: &Sandbox, encryption: &str, password: &str, input: &str) -> (bool, String) {
    let conf = sandbox.path("freetds.conf");
    std::fs::write(
        &conf,
        format!("[global]\n\ttds version = 7.4\n\tencryption = {encryption}\n\tclient charset = UTF-8\n"),
    )
    .expect("write freetds.conf");
    let mut child = Command::new("tsql")
        .args(["-H", "127.0.0.1", "-p", &sandbox.addr.port().to_string(), "-U", USER, "-P", password, "-D", DATABASE])
        .args(["-o", "q", "-t", "|"])
        .env("FREETDSCONF", &conf)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tsql");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write to tsql");
    let output = child.wait_with_output().expect("tsql output");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

const PARAMETERISED: &str = "\
EXEC sp_executesql N'SELECT d.NUMERO_DEVIS, c.NOM, c.VILLE, d.MONTANT_HT, d.TAUX_MARGE, d.DATE_VALIDATION, \
d.RESPONSABLE FROM DEVIS d JOIN CLIENTS c ON c.ID = d.CLIENT_ID WHERE d.CLIENT_ID = @client AND d.MONTANT_HT > @min \
ORDER BY d.NUMERO_DEVIS', N'@client INT, @min DECIMAL(18,2)', @client = 2, @min = 0.00
go
SELECT NUMERO_FACTURE, DATE_FACTURE, MONTANT_REGLE FROM FACTURES ORDER BY ID
go
SELECT * FROM DEVIZ
go
SELECT COUNT(*) AS N FROM OUVRAGES WHERE ACTIF = 1
go
exit
";

fn check_transcript(ok: bool, text: &str) {
    assert!(ok, "tsql failed:\n{text}");
    // Accents, apostrophes, exact decimals and NULLs. FreeTDS prints dates in its own fixed format
    // (to the minute); tiberius and python-tds check the DATETIME2 fractions.
    assert!(text.contains("DEVIS-2024-002|Boulangerie L'Épi d'Or|NULL|0.01|0.0000|Mar  1 2024 08:00AM|NULL"), "{text}");
    assert!(
        text.contains(
            "DEVIS-2024-003|Boulangerie L'Épi d'Or|NULL|99999999.99|18.5000|Mar  2 2024 09:30AM|Jean-François N'Diaye"
        ),
        "{text}"
    );
    assert!(!text.contains("DEVIS-2024-001"), "the parameters filter the rows:\n{text}");
    assert!(text.contains("FA-2024-000001|Feb 15 2024 12:00AM|1000.50"), "{text}");
    assert!(text.contains("AV-2024-000001|Feb 20 2024 12:00AM|-180.30"), "{text}");
    assert!(text.contains("Msg 208") && text.contains("Invalid object name 'DEVIZ'."), "{text}");
    // The connection survived the error.
    assert!(text.lines().any(|line| line.trim() == "1"), "{text}");
}

#[test]
fn parameterised_query_without_tls() {
    if !tsql_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture(&[]);
    let (ok, text) = tsql(&sandbox, "off", PASSWORD, PARAMETERISED);
    check_transcript(ok, &text);
}

#[test]
fn parameterised_query_over_full_tls() {
    if !tsql_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture(&["--tls", "required"]);
    let (ok, text) = tsql(&sandbox, "require", PASSWORD, PARAMETERISED);
    check_transcript(ok, &text);
}

#[test]
fn wrong_password_is_error_18456() {
    if !tsql_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture(&[]);
    let (_, text) = tsql(&sandbox, "off", "wrong", "SELECT 1\ngo\nexit\n");
    assert!(text.contains("18456") && text.contains("Login failed for user 'sa'."), "{text}");
}
