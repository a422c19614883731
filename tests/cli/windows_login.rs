//! Windows logins (issues 17 and 26): the sandbox verifies NTLMv2 (SSPI tokens in LOGIN7 and 0xED)
//! and answers as SQL Server does; our client logs in with NTLM from Linux (tiberius-ng's `sspi-rs`).
//! Judged by clients whose NTLM is not ours: FreeTDS `tsql` (C) and Samba's `ntlm_auth` (the NTLM
//! Wine uses) behind python-tds.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{DATABASE, Sandbox, command, output_text as text, tool_available};

const WINDOWS_USER: &str = "JLM\\compta";
const WINDOWS_PASSWORD: &str = "Compta!Windows-2026";
/// What SQL Server answers when the NTLM handshake fails (wrong password, unknown account, a
/// domain it does not know): 18452, state 1, whatever the cause; its error log says 17806 state 14.
const UNTRUSTED: &str =
    "Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.";

fn windows_sandbox(args: &[&str]) -> Sandbox {
    let mut all = vec!["--windows-user", WINDOWS_USER, "-v"];
    all.extend_from_slice(args);
    Sandbox::with_fixture_env("", &all, &[("JLM_SANDBOX_WINDOWS_PASSWORD", WINDOWS_PASSWORD)])
}

/// A sandbox that writes its certificate into `dir`, so clients verify it; the certificate's path.
fn windows_sandbox_with_cert(tls: &str, dir: &tempfile::TempDir) -> (Sandbox, String) {
    let pem = dir.path().join(format!("sandbox-{tls}.pem")).to_str().expect("utf-8 path").to_owned();
    (windows_sandbox(&["--tls", tls, "--cert-out", &pem]), pem)
}

/// `tsql -U 'DOMAIN\user'`: FreeTDS then logs in with NTLM (v2 by default).
fn tsql(sandbox: &Sandbox, user: &str, password: &str, encryption: &str) -> (bool, String) {
    let conf = sandbox.path("freetds.conf");
    std::fs::write(
        &conf,
        format!(
            "[global]\n\ttds version = 7.4\n\tencryption = {encryption}\n\tclient charset = UTF-8\n\tuse ntlmv2 = yes\n"
        ),
    )
    .expect("write freetds.conf");
    let mut child = Command::new("tsql")
        .args(["-H", "127.0.0.1", "-p", &sandbox.addr.port().to_string(), "-U", user, "-P", password, "-D", DATABASE])
        .args(["-o", "q", "-t", "|"])
        .env("FREETDSCONF", &conf)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tsql");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"SELECT COUNT(*) AS N FROM DEVIS\ngo\nexit\n")
        .expect("write to tsql");
    let output = child.wait_with_output().expect("tsql output");
    (output.status.success(), text(&output))
}

#[test]
fn freetds_logs_in_with_ntlmv2_and_a_wrong_password_gets_18452() {
    if !tool_available("FreeTDS tsql", Command::new("tsql").arg("-C")) {
        return;
    }
    let mut sandbox = windows_sandbox(&[]);
    for encryption in ["off", "request", "require"] {
        let (ok, transcript) = tsql(&sandbox, WINDOWS_USER, WINDOWS_PASSWORD, encryption);
        assert!(ok, "{encryption}: {transcript}");
        assert!(transcript.lines().any(|line| line.trim() == "3"), "{encryption}: the three devis: {transcript}");
    }
    // Account names are compared as Windows does, without regard to case.
    let (ok, transcript) = tsql(&sandbox, "jlm\\COMPTA", WINDOWS_PASSWORD, "off");
    assert!(ok, "{transcript}");

    for (user, password) in
        [(WINDOWS_USER, "pas le bon"), ("JLM\\direction", WINDOWS_PASSWORD), ("AUTRE\\compta", WINDOWS_PASSWORD)]
    {
        let (_, transcript) = tsql(&sandbox, user, password, "off");
        assert!(transcript.contains("18452") && transcript.contains(UNTRUSTED), "{user}: {transcript}");
    }

    let log = sandbox.stop_and_read_log();
    assert!(log.contains("Windows login (NTLMv2) verified user=JLM\\compta"), "{log}");
    assert!(log.contains("Windows login (NTLM) refused"), "{log}");
    assert!(!log.contains(WINDOWS_PASSWORD), "no secret in the log: {log}");
}

#[test]
fn a_sandbox_without_a_windows_account_refuses_windows_logins() {
    if !tool_available("FreeTDS tsql", Command::new("tsql").arg("-C")) {
        return;
    }
    let sandbox = Sandbox::with_fixture(&[]);
    let (_, transcript) = tsql(&sandbox, WINDOWS_USER, WINDOWS_PASSWORD, "off");
    assert!(transcript.contains("18452"), "{transcript}");
}

/// python-tds with Samba's `ntlm_auth` as its NTLM: `{"ok": …}` as the helper prints it.
fn samba_client(sandbox: &Sandbox, user: &str, password: &str, cafile: Option<&str>) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/ntlm_auth_client.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(["127.0.0.1", &sandbox.addr.port().to_string(), user])
        .args(cafile)
        .env("NTLM_PASSWORD", password)
        .output()
        .expect("run python3");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("not JSON: {}", text(&output)))
}

/// Samba's client wants signing and sealing as Wine's NTLM does for an SSPI caller, and calls a
/// CHALLENGE without them a downgrade: this is the check Windows' own client makes.
#[test]
fn samba_ntlm_auth_logs_in_as_wine_would() {
    if !tool_available("Samba ntlm_auth (paquet winbind)", Command::new("ntlm_auth").arg("--version"))
        || !tool_available("python-tds", Command::new("python3").args(["-c", "import pytds"]))
    {
        return;
    }
    let certs = tempfile::tempdir().expect("temp dir");
    let (mut sandbox, pem) = windows_sandbox_with_cert("auto", &certs);
    let answer = samba_client(&sandbox, WINDOWS_USER, WINDOWS_PASSWORD, None);
    assert_eq!(answer, serde_json::json!({"ok": true, "devis": 3}));
    let answer = samba_client(&sandbox, WINDOWS_USER, WINDOWS_PASSWORD, Some(&pem));
    assert_eq!(answer, serde_json::json!({"ok": true, "devis": 3}), "over TLS");

    let answer = samba_client(&sandbox, WINDOWS_USER, "pas le bon", None);
    assert_eq!(answer["ok"], false, "{answer}");
    assert!(answer["error"].as_str().is_some_and(|error| error.contains(UNTRUSTED)), "{answer}");

    let log = sandbox.stop_and_read_log();
    assert_eq!(log.matches("Windows login (NTLMv2) verified user=JLM\\compta").count(), 2, "{log}");
    assert!(log.contains("wrong password for JLM\\compta"), "{log}");
    assert!(!log.contains(WINDOWS_PASSWORD), "{log}");
}

#[test]
fn windows_user_must_name_its_domain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = command(dir.path())
        .env("JLM_SANDBOX_WINDOWS_PASSWORD", WINDOWS_PASSWORD)
        .args(["sandbox", "--listen", "127.0.0.1:0", "--windows-user", "compta"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("DOMAINE\\utilisateur"), "{}", text(&output));
}

/// `--auth windows` needs `DOMAINE\utilisateur`; `--auth integrated` (the logged-on Windows session)
/// exists only on Windows: elsewhere, exit 2 before touching the network, saying what works instead.
#[test]
fn client_windows_logins_are_checked_before_any_connection() {
    let mut sandbox = windows_sandbox(&[]);
    let port = sandbox.addr.port().to_string();
    let run = |args: &[&str]| {
        command(sandbox.dir.path())
            .env("BATIGEST_SQL_PASSWORD", WINDOWS_PASSWORD)
            .args(["test-connection", "--server", "127.0.0.1", "--port", &port, "--encrypt", "off"])
            .args(args)
            .output()
            .expect("run")
    };
    let output = run(&["--auth", "windows", "--user", "compta"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("n'est pas un compte Windows"), "{}", text(&output));

    for auth in ["windows", "integrated"] {
        let output = run(&["--auth", auth, "--user", WINDOWS_USER]);
        if cfg!(windows) {
            continue;
        }
        assert_eq!(output.status.code(), Some(2), "{auth}: {}", text(&output));
        assert!(text(&output).contains("que sous Windows"), "{auth}: {}", text(&output));
    }

    // SQL logins are unchanged, also when said explicitly.
    let output = command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", crate::common::PASSWORD)
        .args(["test-connection", "--server", "127.0.0.1", "--port", &port, "--encrypt", "off", "--auth", "sql"])
        .args(["--user", crate::common::USER])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let log = sandbox.stop_and_read_log();
    assert!(!log.contains("Windows login"), "nothing reached the server before exit 2: {log}");
}

#[test]
fn auth_is_a_profile_setting_shown_by_config_show() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[profiles.default]\nauth = \"windows\"\nuser = 'JLM\\compta'\n").expect("write config");
    let show = |extra: &[&str]| {
        command(dir.path())
            .env("JLM_BATIGEST_CONFIG", &config)
            .args(extra)
            .args(["config", "show"])
            .output()
            .expect("run")
    };
    let output = show(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = stdout.lines().find(|line| line.contains("Authentification")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("windows") && line.contains("profil"), "the value and where it came from: {line}");

    let output = show(&["--auth", "sql"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = stdout.lines().find(|line| line.contains("Authentification")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("sql") && line.contains("--auth"), "{line}");

    std::fs::write(&config, "[profiles.default]\nauth = \"kerberos\"\n").expect("write config");
    let output = show(&[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("« sql », « windows » ou « integrated »"), "{}", text(&output));
}
