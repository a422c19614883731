//! TDS 8.0 strict encryption (issue 17): TLS before any TDS packet, ALPN `tds/8.0`, through the real binary.

use std::process::Output;

use crate::common::{PASSWORD, Sandbox, command, output_text as text, stderr as err};

fn test_connection(sandbox: &Sandbox, args: &[&str]) -> Output {
    command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["test-connection", "--server", "127.0.0.1", "--port", &sandbox.addr.port().to_string()])
        .args(["--user", "sa", "--timeout", "10"])
        .args(args)
        .output()
        .expect("run jlm-batigest")
}

#[test]
fn strict_client_and_strict_sandbox_talk_tds_inside_tls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pem = dir.path().join("sandbox.pem");
    let mut sandbox = Sandbox::with_fixture(&["--tls", "strict", "-v", "--cert-out", pem.to_str().expect("path")]);
    let output = test_connection(&sandbox, &["--encrypt", "strict", "--ca-file", pem.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Connexion à Batigest réussie"), "{}", text(&output));

    // Strict verifies the certificate like required does: no CA, no connection.
    let output = test_connection(&sandbox, &["--encrypt", "strict"]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(err(&output).contains("échec TLS"), "{}", text(&output));

    let log = sandbox.stop_and_read_log();
    assert!(log.contains("strict TLS (TDS 8.0) established"), "{log}");
    assert!(log.contains("alpn=tds/8.0"), "the client offered ALPN tds/8.0: {log}");
    // The banner shows the sandbox's test credentials on purpose; the connection log never does.
    assert!(log.lines().filter(|line| line.contains("INFO")).all(|line| !line.contains(PASSWORD)), "{log}");
}

#[test]
fn strict_client_against_a_server_without_strict_fails_fast_with_exit_3() {
    // Fast: the sandbox closes at once on a ClientHello, so the client names the mismatch rather
    // than running into its timeout (« délai dépassé »); no clock is read here.
    let sandbox = Sandbox::with_fixture(&["--tls", "required"]);
    let output = test_connection(&sandbox, &["--encrypt", "strict", "--trust-cert"]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(err(&output).contains("n'accepte pas le chiffrement strict (TDS 8.0)"), "{}", text(&output));
    assert!(err(&output).contains("--encrypt required"), "{}", text(&output));
}

#[test]
fn non_strict_clients_against_a_strict_server_are_told_to_use_strict() {
    let sandbox = Sandbox::with_fixture(&["--tls", "strict"]);
    for mode in ["required", "login-only", "off"] {
        let output = test_connection(&sandbox, &["--encrypt", mode, "--trust-cert"]);
        assert_eq!(output.status.code(), Some(3), "{mode}: {}", text(&output));
        assert!(err(&output).contains("chiffrement strict (TDS 8.0)"), "{mode}: {}", text(&output));
        assert!(err(&output).contains("--encrypt strict"), "{mode}: {}", text(&output));
    }
}

#[test]
fn strict_is_a_profile_setting_shown_by_config_show() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[profiles.default]\nencrypt = \"strict\"\n").expect("write config");
    let output =
        command(dir.path()).env("JLM_BATIGEST_CONFIG", &config).args(["config", "show"]).output().expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let shown = String::from_utf8_lossy(&output.stdout);
    let line = shown.lines().find(|line| line.starts_with("Chiffrement ")).expect("a « Chiffrement » line");
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(line, "Chiffrement strict profil default", "the value and its source");
}
