//! FreeTDS `tsql` (C, GnuTLS) against the sandbox.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{DATABASE, PASSWORD, Sandbox, USER, tool_available};

fn tsql_available() -> bool {
    tool_available("FreeTDS tsql", "FreeTDS (Debian: freetds-bin)", Command::new("tsql").arg("-C"))
}

/// Runs `tsql` with `input` on stdin; FreeTDS is configured by a private freetds.conf.
fn tsql(sandbox: &Sandbox, encryption: &str, password: &str, input: &str) -> (bool, String) {
    tsql_in(sandbox, encryption, password, DATABASE, input)
}

fn tsql_in(sandbox: &Sandbox, encryption: &str, password: &str, database: &str, input: &str) -> (bool, String) {
    let conf = sandbox.path("freetds.conf");
    std::fs::write(
        &conf,
        format!("[global]\n\ttds version = 7.4\n\tencryption = {encryption}\n\tclient charset = UTF-8\n"),
    )
    .expect("write freetds.conf");
    let mut child = Command::new("tsql")
        .args(["-H", "127.0.0.1", "-p", &sandbox.addr.port().to_string(), "-U", USER, "-P", password, "-D", database])
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

/// SQL Server's semantics as FreeTDS sees them on the real-types dossier (`real_types`): the
/// collation in `=`, joins, `LIKE`, `GROUP BY` and `ORDER BY`; typed comparisons; error 245; CHAR
/// values padded; MONEY and NUMERIC sums exact. Each expected value is worked out in a comment.
const SEMANTICS: &str = "\
SELECT COUNT(*) AS n FROM Devis WHERE CodeClient = 'CLI00021'
go
SELECT COUNT(*) AS n FROM Facture f JOIN Client c ON c.Code = f.CodeClient WHERE c.Code = 'cli00021'
go
SELECT COUNT(*) AS n FROM Facture WHERE CodeClient LIKE 'cli0002_'
go
SELECT LibelleStd FROM ElementDef ORDER BY LibelleStd
go
SELECT UPPER(Etat) AS e, COUNT(*) AS n FROM Facture GROUP BY Etat ORDER BY n DESC
go
SELECT Code, Famille FROM ElementDef WHERE Code = 'porte-bois'
go
SELECT COUNT(*) AS n FROM Facture WHERE Date <= '2025-06-30'
go
EXEC sp_executesql N'SELECT COUNT(*) AS n FROM Facture WHERE Date <= @au', N'@au DATE', @au = '2025-06-30'
go
SELECT COUNT(*) AS n FROM Devis WHERE Etat = '7'
go
SELECT COUNT(*) AS n FROM Facture WHERE Etat = 1
go
SELECT SUM(TotalHT) AS s, SUM(TotalTTC) AS t FROM Devis
go
SELECT SUM(TotalHT * TauxMarge) AS m FROM Devis
go
SELECT COUNT(DISTINCT CodeClient) AS n FROM Devis
go
SELECT CAST('2025-06-30 17:45:29' AS SMALLDATETIME) AS s, CAST(1.23456 AS SMALLMONEY) AS m, CAST(N'été' AS VARCHAR(10)) AS v
go
SELECT COUNT(*) AS n FROM Devis WHERE CodeClient IN ('cli00022', 'x')
go
SELECT COUNT(*) AS n FROM Facture WHERE Date BETWEEN '2025-06-30' AND '2025-06-30 23:59'
go
SELECT UPPER(Nom) AS u FROM Client WHERE Code = 'cli00022'
go
exit
";

#[test]
fn sql_server_semantics_on_a_real_types_dossier() {
    if !tsql_available() {
        return;
    }
    let (sandbox, _) = crate::real_types::serve("", &[]);
    let (_, text) = tsql_in(&sandbox, "off", PASSWORD, crate::real_types::DATABASE, SEMANTICS);
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let after = |header: &str, nth: usize| -> Vec<&str> {
        let start =
            lines.iter().enumerate().filter(|(_, l)| **l == header).nth(nth).map_or(lines.len(), |(i, _)| i + 1);
        lines[start..].to_vec()
    };
    let counts: Vec<&str> = lines.iter().enumerate().filter(|(_, l)| **l == "n").map(|(i, _)| lines[i + 1]).collect();
    // Devis of CLI00021 in any case: 00000001 (cli00021), 00000002, 00000005.
    assert_eq!(counts[0], "3", "{text}");
    // Its invoices, joined whatever the case: FA-2025-0001, -0002, -0003, -0005, AV-2025-0001.
    assert_eq!(counts[1], "5", "{text}");
    // LIKE 'cli0002_' matches all six invoices, padded or not.
    assert_eq!(counts[2], "6", "{text}");
    // Case-insensitive order: « alu » before « PVC » (byte order would put « P » first).
    assert_eq!(after("LibelleStd", 0)[..4], ["Ancien modèle", "Fenêtre alu", "Fenêtre PVC", "Porte bois"], "{text}");
    // NR (3), R (2), pr (1): three states, whatever their case and padding (CHAR(2): « R »).
    assert_eq!(after("e|n", 0)[..3], ["NR|3", "R |2", "PR|1"], "{text}");
    // CHAR(12) and CHAR(10) come back blank-padded; the lower-case key found the row.
    assert!(lines.contains(&"PORTE-BOIS  |PORTES"), "{text}");
    assert!(text.contains("PORTE-BOIS  |PORTES    "), "padded to 10: {text}");
    // A DATETIME compared with a date (text, then a DATE parameter): 30 June at midnight is in,
    // 17:45 that day is not — FA-2025-0001, -0003, -0004 and AV-2025-0001.
    assert_eq!((counts[3], counts[4]), ("4", "4"), "{text}");
    // An INT against '7': converted, two VALIDE devis.
    assert_eq!(counts[5], "2", "{text}");
    // A CHAR state against an integer: error 245, as SQL Server raises it.
    assert!(text.contains("Msg 245") && text.contains("to data type int"), "{text}");
    // Σ TotalHT (MONEY) = 12 345.67 + 8 000.50 + 1 500 + 2 222.22 + 999.99 + 300 + 4 000 = 29 368.38;
    // Σ TotalTTC (NUMERIC(18,4)) = 35 242.056.
    assert!(lines.contains(&"29368.3800|35242.0560"), "{text}");
    // Σ TotalHT × TauxMarge (MONEY × INT) = 308 641.75 + 280 017.5 + 30 000 + 66 666.6 + 24 999.75
    // + 3 000 + 60 000 = 773 325.6.
    assert!(lines.contains(&"773325.6000"), "{text}");
    // COUNT(DISTINCT) under the collation: CLI00021 and CLI00022.
    assert_eq!(counts[6], "2", "{text}");
    // SMALLDATETIME to the minute, SMALLMONEY to four decimals, VARCHAR in Windows-1252.
    assert!(lines.contains(&"Jun 30 2025 05:45PM|1.2346|été"), "{text}");
    // IN under the collation: the devis of CLI00022 in any case (00000003, -4, -6, -7).
    assert_eq!(counts[7], "4", "{text}");
    // BETWEEN two dates, as date-times: 30 June at midnight and at 17:45.
    assert_eq!(counts[8], "2", "{text}");
    // UPPER knows accents, as SQL Server's does (SQLite's own leaves « é »).
    assert!(lines.contains(&"HÉLÈNE LEFÈVRE"), "{text}");

    // The same dossier under French_CS_AS: only the upper-case CLI00021 devis.
    let (sandbox, _) = crate::real_types::serve("", &["--collation", "French_CS_AS"]);
    let (_, text) = tsql_in(
        &sandbox,
        "off",
        PASSWORD,
        crate::real_types::DATABASE,
        "SELECT COUNT(*) AS n FROM Devis WHERE CodeClient = 'CLI00021'\ngo\nexit\n",
    );
    assert!(text.lines().any(|l| l.trim() == "2"), "{text}");
}
