//! The error model through the real binary: each failure gets its documented exit code, a French
//! message on stderr that names the bad value, and nothing on stdout (a message on stdout would
//! corrupt `--format csv > fichier`).

use crate::common::{Sandbox, command, stderr, stdout};

/// A devis table whose amounts may be empty: Batigest's own columns are nullable.
const NULLABLE_AMOUNTS: &str = "
ALTER TABLE DEVIS RENAME TO DEVIS_STRICT;
CREATE TABLE DEVIS (ID INT PRIMARY KEY, NUMERO_DEVIS NVARCHAR(50) NOT NULL UNIQUE,
  REFERENCE_AFFAIRE NVARCHAR(50) NULL, CLIENT_ID INT NOT NULL,
  MONTANT_HT DECIMAL(18,2) NULL, MONTANT_TTC DECIMAL(18,2) NULL, TAUX_MARGE DECIMAL(9,4) NOT NULL,
  DATE_CREATION DATETIME2 NOT NULL, DATE_VALIDATION DATETIME2 NULL,
  STATUT NVARCHAR(20) NOT NULL, RESPONSABLE NVARCHAR(100) NULL);
INSERT INTO DEVIS SELECT * FROM DEVIS_STRICT;
DROP TABLE DEVIS_STRICT;
INSERT INTO DEVIS VALUES (4, 'DEVIS-2024-004', NULL, 1, NULL, NULL, 20, '2024-01-15 09:00:00', NULL, 'VALIDE', NULL),
  (5, 'DEVIS-2024-005', NULL, 2, 1500, 1800, 25, '2024-04-02 09:00:00', NULL, 'VALIDE', NULL);
";

#[test]
fn a_mapping_naming_a_missing_column_is_a_usage_error_naming_its_key() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let mapping = sandbox.path("mapping.toml");
    std::fs::write(&mapping, "[tables.devis.columns]\nmontant_ht = \"MONTANT_HT_SUPPRIME\"\n").expect("write mapping");
    let output = sandbox.run(&["devis", "--format", "csv", "--schema", mapping.to_str().expect("utf-8")]);
    let err = stderr(&output);
    // It was exit 3, « Batigest injoignable » for a cron job.
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("« MONTANT_HT_SUPPRIME »") && err.contains("devis.montant_ht"), "{err}");
    assert!(err.contains("erreur 207"), "{err}");
    // The server's own words come last, after « Détail : ».
    assert!(err.contains("Détail : Invalid column name 'MONTANT_HT_SUPPRIME'"), "{err}");
    // … and only there: the driver's own log lines wait for -vv.
    assert_eq!(err.matches("Invalid column name").count(), 1, "{err}");
    assert!(err.lines().all(|line| ["Erreur : ", "Aide : ", "Détail : "].iter().any(|p| line.starts_with(p))), "{err}");
    assert_eq!(stdout(&output), "", "nothing on stdout");

    std::fs::write(&mapping, "[tables.factures]\nname = \"FACTURES_ARCHIVE\"\n").expect("write mapping");
    let output = sandbox.run(&["factures", "--schema", mapping.to_str().expect("utf-8")]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("la table « FACTURES_ARCHIVE »") && err.contains("(factures)"), "{err}");
}

#[test]
fn ca_file_problems_are_usage_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let not_pem = dir.path().join("autorite.pem");
    std::fs::write(&not_pem, "ceci n'est pas un certificat\n").expect("write");
    let missing = dir.path().join("absent.pem");
    let wrong_name = dir.path().join("autorite.txt");
    std::fs::write(&wrong_name, "x").expect("write");
    for (path, why) in
        [(&missing, "fichier introuvable"), (&not_pem, "aucun certificat PEM"), (&wrong_name, ".pem, .crt ou .der")]
    {
        // Nothing listens on port 9: the file is refused before any connection is tried.
        let output = command(dir.path())
            .env("BATIGEST_SQL_PASSWORD", "x")
            .args(["devis", "--server", "127.0.0.1", "--port", "9", "--user", "sa"])
            .args(["--ca-file", path.to_str().expect("utf-8")])
            .output()
            .expect("run");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("« {} »", path.display())) && err.contains(why), "{err}");
        assert_eq!(stdout(&output), "");
    }
}

#[test]
fn output_options_are_checked_before_the_password_is_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    // No password anywhere, and no terminal to prompt on: the usage error must come first.
    let output = command(dir.path())
        .env_remove("BATIGEST_SQL_PASSWORD")
        .args(["devis", "--server", "127.0.0.1", "--port", "9", "--user", "sa", "--excel", "--format", "json"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("--excel ne s'applique qu'au format CSV"), "{err}");
    assert!(!err.contains("mot de passe"), "the password was looked for first:\n{err}");

    let file = dir.path().join("un-fichier");
    std::fs::write(&file, "x").expect("write");
    for (args, said) in [
        (&["sync-offer", "--ref", " "][..], "--ref attend un numéro"),
        (&["relances", "--lettres", file.to_str().expect("utf-8")][..], "ce n'est pas un dossier"),
    ] {
        let output = command(dir.path())
            .env_remove("BATIGEST_SQL_PASSWORD")
            .args(["--server", "127.0.0.1", "--port", "9", "--user", "sa"])
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(said) && !err.contains("mot de passe"), "{args:?}: {err}");
    }
}

#[test]
fn an_unreadable_devis_does_not_stop_the_batch() {
    let sandbox = Sandbox::with_fixture_plus(NULLABLE_AMOUNTS, &["--tls", "off"]);
    let store = sandbox.path("jlm.sqlite");
    let db = format!("sqlite:{}", store.display());
    let output = sandbox.run(&["sync-offer", "--all", "--jlm-db", &db, "--format", "csv"]);
    let (out, err) = (stdout(&output), stderr(&output));
    // A per-devis error ends the run with 1 (« N devis en erreur »), not 3: Batigest answered.
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("1 devis en erreur"), "{err}");
    let bad: Vec<&str> = out.lines().filter(|line| line.starts_with("DEVIS-2024-004,")).collect();
    assert_eq!(bad.len(), 1, "{out}");
    assert!(bad[0].contains(",error,") && bad[0].contains("MONTANT_HT"), "{out}");
    // The devis after it was synced all the same.
    assert!(out.lines().any(|line| line.starts_with("DEVIS-2024-005,") && line.contains(",synced,")), "{out}");
    assert!(!out.contains("Erreur :"), "messages stay on stderr:\n{out}");
}

#[test]
fn a_connection_lost_midway_stops_the_batch_with_exit_3_and_the_driver_words_as_detail() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "300", "--drop-after-rows", "3"]);
    let store = sandbox.path("jlm.sqlite");
    let db = format!("sqlite:{}", store.display());
    let output = sandbox.run(&["sync-offer", "--all", "--jlm-db", &db, "--format", "csv"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(err.contains("Erreur : la connexion à Batigest a été perdue pendant la lecture"), "{err}");
    // The driver's English comes only after « Détail : ».
    for line in err.lines().filter(|line| !line.starts_with("Détail : ")) {
        assert!(!line.contains("wire") && !line.contains("packet"), "raw driver text outside the detail: {line}");
    }
}

#[test]
fn each_exit_code_is_reached_through_the_real_binary() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let store = sandbox.path("jlm.sqlite");
    let db = format!("sqlite:{}", store.display());
    let code = |args: &[&str]| sandbox.run(args).status.code();
    assert_eq!(code(&["devis", "--format", "csv"]), Some(0));
    assert_eq!(code(&["devis", "--limit", "-1"]), Some(2));
    assert_eq!(code(&["sync-offer", "--ref", "DEVIS-1999-404", "--jlm-db", &db]), Some(4));
    assert_eq!(code(&["factures", "--fail-on-alert", "--au", "2025-01-01"]), Some(6));
    let mut down = sandbox.client();
    down.env("BATIGEST_SQL_PORT", "9");
    assert_eq!(down.args(["devis"]).output().expect("run").status.code(), Some(3));
    let blocked = sandbox.path("bloque");
    std::fs::write(&blocked, "un fichier, pas un dossier").expect("write");
    let unusable = format!("sqlite:{}/jlm.sqlite", blocked.display());
    assert_eq!(code(&["integrations", "--jlm-db", &unusable]), Some(5));
}

#[test]
fn special_files_named_as_inputs_are_refused_at_once() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let fifo = sandbox.path("tube.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let endless = sandbox.path("sans-fin.toml");
    std::os::unix::fs::symlink("/dev/zero", &endless).expect("symlink");
    for path in [&fifo, &endless] {
        let name = path.to_str().expect("utf-8");
        // Reading either would never end: a FIFO waits for a writer, /dev/zero never stops.
        let output = sandbox.run(&["devis", "--schema", name]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(name) && err.contains("pas un fichier ordinaire"), "{err}");
        let output = sandbox.client().env("JLM_BATIGEST_CONFIG", path).args(["devis"]).output().expect("run");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(name) && err.contains("pas un fichier ordinaire"), "{err}");
    }
}

/// Issue 27, item 13: PEM armour around random base64, or any bytes named `.der`, passed the
/// file check and failed the TLS handshake: exit 3 blaming the server's certificate
/// (« BadEncoding »). The file is refused by name, with exit 2, before any connection.
#[test]
fn a_ca_file_that_holds_no_certificate_is_named_not_blamed_on_the_server() {
    let sandbox = Sandbox::with_fixture(&["--tls", "required"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let armour = dir.path().join("autorite.pem");
    let noise: String =
        (0..480).map(|i| char::from(b'A' + u8::try_from((i * 7 + i / 13) % 26).expect("letter"))).collect();
    std::fs::write(&armour, format!("-----BEGIN CERTIFICATE-----\n{noise}\n-----END CERTIFICATE-----\n"))
        .expect("write");
    let der = dir.path().join("autorite.der");
    std::fs::write(&der, (0..700u32).map(|i| (i * 31 % 251) as u8).collect::<Vec<u8>>()).expect("write");
    for path in [&armour, &der] {
        let output = command(dir.path())
            .env("BATIGEST_SQL_PASSWORD", crate::common::PASSWORD)
            .args(["test-connection", "--server", "127.0.0.1", "--port", &sandbox.addr.port().to_string()])
            .args(["--user", "sa", "--encrypt", "required", "--ca-file", path.to_str().expect("utf-8")])
            .output()
            .expect("run");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "Erreur : fichier d'autorité --ca-file « {} » inutilisable : ce n'est pas un certificat X.509 lisible (BadEncoding)",
                path.display()
            )),
            "{err}"
        );
        assert!(!err.contains("certificat du serveur"), "{err}");
        assert_eq!(stdout(&output), "");
    }
}

/// Issue 27, item 10: an empty required column stopped `devis`, `factures`, `analytics` and
/// `dashboard` with « colonne « MONTANT_HT » vide alors qu'elle est obligatoire », naming no row.
/// The devis or invoice is named; and an invoice due before its own date is said once.
#[test]
fn an_empty_required_column_names_its_row_and_a_due_date_before_the_invoice_is_said_once() {
    let nullable_invoices = "
ALTER TABLE FACTURES RENAME TO FACTURES_STRICT;
CREATE TABLE FACTURES (ID INT PRIMARY KEY, NUMERO_FACTURE NVARCHAR(50) NOT NULL UNIQUE,
  NUMERO_DEVIS NVARCHAR(50) NULL, CLIENT_ID INT NOT NULL, MONTANT_HT DECIMAL(18,2) NULL,
  MONTANT_TTC DECIMAL(18,2) NULL, DATE_FACTURE DATE NOT NULL, DATE_ECHEANCE DATE NOT NULL,
  STATUT_REGLEMENT NVARCHAR(30) NOT NULL, MONTANT_REGLE DECIMAL(18,2) NULL);
INSERT INTO FACTURES SELECT * FROM FACTURES_STRICT;
DROP TABLE FACTURES_STRICT;
";
    let sandbox = Sandbox::with_fixture_plus(&format!("{NULLABLE_AMOUNTS}{nullable_invoices}"), &["--tls", "off"]);
    let output = sandbox.run(&["devis", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "Erreur : devis DEVIS-2024-004 : colonne « MONTANT_HT » vide alors qu'elle est obligatoire\n\
             Aide : complétez ce devis dans Batigest, ou reliez le champ à une autre colonne"
        ),
        "{}",
        stderr(&output)
    );

    let extra = "INSERT INTO FACTURES VALUES
      (7, 'FA-2024-000007', NULL, 2, NULL, 120, '2024-03-01', '2024-03-31', 'NON_REGLE', NULL),
      (8, 'FA-2024-000008', NULL, 2, 100, 120, '2024-01-10', '2018-01-10', 'NON_REGLE', NULL),
      (9, 'FA-2024-000009', NULL, 2, 100, 120, '2024-01-11', '2018-01-11', 'NON_REGLE', NULL);";
    let sandbox = Sandbox::with_fixture_plus(&format!("{nullable_invoices}{extra}"), &["--tls", "off"]);
    for command in [&["factures", "--au", "2024-04-15"][..], &["analytics", "--to", "2024-04-15", "--no-save"]] {
        let output = sandbox.run(command);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(
                "Erreur : facture FA-2024-000007 : colonne « MONTANT_HT » vide alors qu'elle est obligatoire"
            ),
            "{command:?}: {}",
            stderr(&output)
        );
    }

    // Due six years before its own date: counted late from then, and said once on stderr.
    let sandbox = Sandbox::with_fixture_plus(
        &format!("{nullable_invoices}{}", extra.replace("NULL, 120", "100, 120")),
        &["--tls", "off"],
    );
    let output = sandbox.run(&["dashboard", "--au", "2024-04-15", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stderr(&output);
    let warning = "Attention : la facture FA-2024-000008 a une échéance (10/01/2018) antérieure à sa date (10/01/2024) \
                   et 1 autre ; les jours de retard comptent depuis l'échéance : vérifiez-la dans Batigest\n";
    assert_eq!(said.matches(warning).count(), 1, "said once, not per invoice: {said}");
    let quiet = sandbox.run(&["--quiet", "factures", "--au", "2024-04-15", "--format", "csv"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", stderr(&quiet));
    assert_eq!(stderr(&quiet), "", "--quiet says nothing");
    assert!(stdout(&quiet).contains("FA-2024-000008,,CLI002"), "{}", stdout(&quiet));
}
