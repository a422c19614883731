//! `test-connection` against the sandbox: every failure mode has its own message and exit 3.

use std::process::Output;

use serde_json::Value;

use crate::common::{PASSWORD, Sandbox, command, output_text as text, stderr as err, stdout as out};

/// Runs `jlm-batigest test-connection` against `sandbox` with the password in the environment.
fn test_connection(sandbox: &Sandbox, args: &[&str]) -> Output {
    let port = sandbox.addr.port().to_string();
    command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["test-connection", "--server", "127.0.0.1", "--port", &port, "--user", "sa"])
        .args(args)
        .output()
        .expect("run jlm-batigest")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("JSON on stdout ({e}): {}", text(output)))
}

#[test]
fn connects_in_each_encryption_mode() {
    let sandbox = Sandbox::with_fixture(&[]);
    for mode in ["off", "login-only", "required"] {
        let output = test_connection(&sandbox, &["--encrypt", mode, "--trust-cert"]);
        assert_eq!(output.status.code(), Some(0), "{mode}: {}", text(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("Connexion à Batigest réussie"), "{stdout}");
        assert!(stdout.contains("Microsoft SQL Server"), "{stdout}");
        assert!(stdout.contains("BATIGEST_CONNECT"), "{stdout}");
        // Without encryption there is no certificate, so nothing to warn about.
        let warned = String::from_utf8_lossy(&output.stderr).contains("--trust-cert");
        assert_eq!(warned, mode != "off", "{mode}: a warning names the risk where there is one");
    }
}

#[test]
fn json_report_for_scripts() {
    let sandbox = Sandbox::with_fixture(&[]);
    let output = test_connection(&sandbox, &["--encrypt", "off", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = json(&output);
    assert_eq!(report["connected"], Value::Bool(true));
    assert_eq!(report["database"], "BATIGEST_CONNECT");
    assert!(report["server_version"].as_str().is_some_and(|v| v.starts_with("Microsoft SQL Server")));
    assert!(report["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(report["message"].is_string());

    // Like every command: -o writes the report to a file, --excel is the French CSV dialect.
    let file = sandbox.path("connexion.csv");
    let output = test_connection(&sandbox, &["--encrypt", "off", "--excel", "-o", file.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(output.stdout.is_empty(), "{}", text(&output));
    let written = std::fs::read_to_string(&file).expect("report file");
    assert!(written.starts_with("\u{feff}") && written.contains(";BATIGEST_CONNECT;"), "{written}");
}

#[test]
fn certificate_verified_with_the_exported_ca_and_refused_otherwise() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pem = dir.path().join("sandbox.pem");
    let sandbox = Sandbox::with_fixture(&["--tls", "required", "--cert-out", pem.to_str().expect("path")]);
    let output = test_connection(&sandbox, &["--ca-file", pem.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let other = dir.path().join("other.pem");
    let _other = Sandbox::with_fixture(&["--cert-out", other.to_str().expect("path")]);
    let output = test_connection(&sandbox, &["--ca-file", other.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(err(&output).contains("échec TLS"), "{}", text(&output));
    assert!(err(&output).contains("--ca-file"), "{}", text(&output));

    // Verification is the default: a self-signed certificate without a CA is refused.
    let output = test_connection(&sandbox, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
}

#[test]
fn each_failure_has_its_own_message_and_exit_3() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let off = ["--encrypt", "off"];

    let output = command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", "pas le bon")
        .args(["test-connection", "--server", "127.0.0.1", "--port", &sandbox.addr.port().to_string()])
        .args(["--user", "sa", "--encrypt", "off"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    assert!(err(&output).contains("mot de passe incorrect") && err(&output).contains("jlm-batigest login"));

    let output = test_connection(&sandbox, &[&off[..], &["--database", "BTG_DOS_INCONNU"]].concat());
    assert_eq!(output.status.code(), Some(3));
    assert!(err(&output).contains("« BTG_DOS_INCONNU » n'existe pas"), "{}", text(&output));

    let refusing = Sandbox::with_fixture(&["--tls", "off", "--refuse-logins"]);
    let output = test_connection(&refusing, &off);
    assert_eq!(output.status.code(), Some(3));
    assert!(err(&output).contains("refuse les connexions"), "{}", text(&output));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let output = command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["test-connection", "--server", "127.0.0.1", "--port", &closed.to_string(), "--user", "sa"])
        .args(off)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    assert!(err(&output).contains("connexion refusée par 127.0.0.1"), "{}", text(&output));

    let output = test_connection(&sandbox, &["--encrypt", "required", "--trust-cert"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(err(&output).contains("n'accepte pas le chiffrement demandé"), "{}", text(&output));
}

#[test]
fn a_slow_server_times_out_in_bounded_time() {
    // Each answer takes 4 s: without the 1 s timeout the connection would succeed (exit 0,
    // connected). What bounds the time is the timeout, named in the message; how long it takes
    // is not asserted here (a loaded machine is slow, a timed assert flaky).
    let sandbox = Sandbox::with_fixture(&["--tls", "off", "--latency-ms", "4000"]);
    let output = test_connection(&sandbox, &["--encrypt", "off", "--timeout", "1", "--format", "json"]);
    assert_eq!(output.status.code(), Some(3), "{}", err(&output));
    let report = json(&output);
    assert_eq!(report["connected"], Value::Bool(false));
    assert!(report["message"].as_str().is_some_and(|m| m.contains("délai dépassé")), "{report}");
}

#[test]
fn named_instance_through_the_browser() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("free port").port();
    let sandbox = Sandbox::with_fixture(&["--tls", "off", "--browser-port", &port.to_string()]);
    let output = command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["test-connection", "--server", "127.0.0.1\\SAGEBAT", "--port", &port.to_string(), "--user", "sa"])
        .args(["--encrypt", "off"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let output = command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["test-connection", "--server", "127.0.0.1", "--instance", "AUTRE", "--port", &port.to_string()])
        .args(["--user", "sa", "--encrypt", "off", "--timeout", "5"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    assert!(err(&output).contains("instance « AUTRE » introuvable"), "{}", text(&output));
}

#[test]
fn check_schema_lists_what_is_missing() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let output = test_connection(&sandbox, &["--encrypt", "off", "--check-schema"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(out(&output).contains("Schéma        : complet"), "{}", text(&output));

    let mapping = sandbox.path("mapping.toml");
    std::fs::write(
        &mapping,
        "[tables.devis]\ncolumns = { responsable = \"CHARGE_AFFAIRE\" }\n[tables.factures]\nname = \"FACTURE\"\n",
    )
    .expect("write mapping");
    let output =
        test_connection(&sandbox, &["--encrypt", "off", "--check-schema", "--schema", mapping.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let report = out(&output);
    assert!(report.contains("table manquante   : FACTURE"), "{report}");
    assert!(report.contains("colonne manquante : DEVIS.CHARGE_AFFAIRE"), "{report}");
}

/// Issue 27, item 11: an amount bound to a text column passed `--check-schema` (« Schéma :
/// complet »); `analytics` then failed with SQL Server's 8114 and pointed back to `--check-schema`.
/// The check names the column, its type and what the field needs.
#[test]
fn check_schema_checks_the_types_of_the_columns_too() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let mapping = sandbox.path("mapping.toml");
    std::fs::write(&mapping, "[tables.devis.columns]\nmontant_ht = \"RESPONSABLE\"\n").expect("write mapping");
    let schema = mapping.to_str().expect("path");
    let output = test_connection(&sandbox, &["--encrypt", "off", "--check-schema", "--schema", schema]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("complet"), "{stdout}");
    assert!(
        stdout.contains(
            "  Schéma        : types illisibles\n    devis.montant_ht (DEVIS.RESPONSABLE, nvarchar : un nombre exact \
             (DECIMAL, NUMERIC, MONEY, INT…) est attendu)"
        ),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Erreur : connecté à 127.0.0.1:")
            && stderr.contains("mais des colonnes ont un type que l'outil ne lit pas exactement : devis.montant_ht"),
        "{stderr}"
    );
    assert!(stderr.contains("Aide : reliez ces champs à des colonnes DECIMAL, NUMERIC, MONEY ou INT"), "{stderr}");

    let output =
        test_connection(&sandbox, &["--encrypt", "off", "--check-schema", "--schema", schema, "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    let columns = report["columns"].as_array().expect("columns");
    let montant = columns.iter().find(|c| c["field"] == "devis.montant_ht").expect("devis.montant_ht");
    assert_eq!(montant["data_type"], "nvarchar", "{report}");
    assert_eq!(montant["readable"], false, "{report}");
}

#[test]
fn an_injected_identifier_is_refused_before_any_query() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let mapping = sandbox.path("mapping.toml");
    std::fs::write(&mapping, "[tables.devis]\nname = \"Devis; DROP TABLE x\"\n").expect("write mapping");
    let output = test_connection(&sandbox, &["--encrypt", "off", "--schema", mapping.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(err(&output).contains("« Devis; DROP TABLE x »"), "{}", text(&output));
}

#[test]
fn the_password_never_appears_in_verbose_output() {
    let secret = "Zq9!unique-secret-4242";
    let sandbox = Sandbox::with_fixture(&["--tls", "off", "--password", secret]);
    for args in [&["--encrypt", "off", "-vvv"][..], &["--encrypt", "off", "-vv", "--format", "json"][..]] {
        let output = command(sandbox.dir.path())
            .env("BATIGEST_SQL_PASSWORD", secret)
            .args([
                "test-connection",
                "--server",
                "127.0.0.1",
                "--port",
                &sandbox.addr.port().to_string(),
                "--user",
                "sa",
            ])
            .args(args)
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        // No stream holds it (merged on purpose), and the verbose log is there to hold it.
        assert!(!text(&output).contains(secret), "the password leaked:\n{}", text(&output));
        assert!(err(&output).contains("connexion à Batigest"), "the -vv log on stderr: {}", err(&output));
        assert!(out(&output).contains("BATIGEST_CONNECT"), "the report on stdout: {}", out(&output));
    }
    // A failed login does not echo it either.
    let output = command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", format!("{secret}-faux"))
        .args(["test-connection", "--server", "127.0.0.1", "--port", &sandbox.addr.port().to_string(), "--user", "sa"])
        .args(["--encrypt", "off", "-vvv"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    assert!(!text(&output).contains(secret), "the password leaked:\n{}", text(&output));
}

/// Issue 27, item 15: `--encrypt off` towards another machine sent the password in clear without
/// a word (`--trust-cert` gets one). Said on every run, on stderr; not for this machine.
#[test]
fn encryption_off_towards_another_machine_is_warned_about_on_every_run() {
    let home = tempfile::tempdir().expect("temp dir");
    // TEST-NET-1 (RFC 5737): no server answers there; the warning comes before the attempt.
    let output = command(home.path())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["test-connection", "--server", "192.0.2.1", "--user", "sa", "--encrypt", "off", "--timeout", "2"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "Attention : --encrypt off (option --encrypt) : le mot de passe et les données passent en clair sur le \
             réseau jusqu'à 192.0.2.1:1433. Préférez --encrypt required (avec --ca-file), ou au moins login-only.\n"
        ),
        "{stderr}"
    );
    // From the profile too, with its source.
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[profiles.default]\nserver = \"192.0.2.1\"\nencrypt = \"off\"\n").expect("write");
    let output = command(home.path())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .env("JLM_BATIGEST_CONFIG", &config)
        .args(["test-connection", "--user", "sa", "--timeout", "2"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--encrypt off (profil default)"), "{}", text(&output));

    // This machine: nothing crosses a network, nothing to say.
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let output = test_connection(&sandbox, &["--encrypt", "off"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "no warning on loopback");
}
