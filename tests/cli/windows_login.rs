//! Windows logins (issues 17 and 26): the sandbox verifies NTLMv2 (SSPI tokens in LOGIN7 and 0xED)
//! and answers as SQL Server does; our client logs in with NTLM from Linux (tiberius-ng's `sspi-rs`).
//! Judged by clients whose NTLM is not ours: FreeTDS `tsql` (C) and Samba's `ntlm_auth` (the NTLM
//! Wine uses) behind python-tds.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::{
    DATABASE, Sandbox, command, output_text as text, output_with_stdin, session_bus, stderr as err, tool_available,
};

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

/// `jlm-batigest --auth windows … test-connection` with the password in BATIGEST_SQL_PASSWORD.
fn our_client(sandbox: &Sandbox, user: &str, password: &str, args: &[&str]) -> Output {
    command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", password)
        .args(["test-connection", "--server", "127.0.0.1", "--port", &sandbox.addr.port().to_string()])
        .args(["--auth", "windows", "--user", user, "--timeout", "10"])
        .args(args)
        .output()
        .expect("run jlm-batigest")
}

#[test]
fn our_client_logs_in_with_ntlm_in_every_encryption_mode() {
    let certs = tempfile::tempdir().expect("temp dir");
    let (mut sandbox, pem) = windows_sandbox_with_cert("auto", &certs);
    for mode in ["off", "login-only", "required"] {
        let output = our_client(&sandbox, WINDOWS_USER, WINDOWS_PASSWORD, &["--encrypt", mode, "--ca-file", &pem]);
        assert_eq!(output.status.code(), Some(0), "{mode}: {}", text(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("Connexion à Batigest réussie") && stdout.contains(DATABASE), "{mode}: {stdout}");
    }
    // Windows compares account names without regard to case.
    let output = our_client(&sandbox, "jlm\\COMPTA", WINDOWS_PASSWORD, &["--encrypt", "off"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let log = sandbox.stop_and_read_log();
    assert_eq!(log.matches("Windows login (NTLMv2) verified user=JLM\\compta").count(), 3, "{log}");
    assert!(log.contains("Windows login (NTLMv2) verified user=jlm\\COMPTA"), "{log}");
    assert!(!log.contains(WINDOWS_PASSWORD), "no secret in the sandbox's log: {log}");

    let (mut strict, pem) = windows_sandbox_with_cert("strict", &certs);
    let output = our_client(&strict, WINDOWS_USER, WINDOWS_PASSWORD, &["--encrypt", "strict", "--ca-file", &pem]);
    assert_eq!(output.status.code(), Some(0), "strict: {}", text(&output));
    let log = strict.stop_and_read_log();
    assert!(log.contains("strict TLS (TDS 8.0) established"), "{log}");
    assert!(log.contains("Windows login (NTLMv2) verified user=JLM\\compta"), "{log}");
}

#[test]
fn a_failed_ntlm_login_is_18452_exit_3_whatever_the_cause() {
    let mut sandbox = windows_sandbox(&[]);
    let causes =
        ["wrong password for JLM\\compta", "no Windows account JLM\\direction", "no Windows account AUTRE\\compta"];
    for (user, password) in
        [(WINDOWS_USER, "pas le bon"), ("JLM\\direction", WINDOWS_PASSWORD), ("AUTRE\\compta", WINDOWS_PASSWORD)]
    {
        let output = our_client(&sandbox, user, password, &["--encrypt", "off", "-vvv"]);
        assert_eq!(output.status.code(), Some(3), "{user}: {}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("compte Windows « {user} »")), "{user}: {stderr}");
        assert!(stderr.contains("erreur 18452, état 1"), "{user}: {stderr}");
        assert!(stderr.contains("jlm-batigest login"), "{user}: the hint: {stderr}");
        assert!(!text(&output).contains(password), "{user}: no password, even at -vvv: {}", text(&output));
    }
    let log = sandbox.stop_and_read_log();
    for cause in causes {
        assert!(log.contains(cause), "the sandbox's log says why ({cause}): {log}");
    }
    assert_eq!(log.matches("SSPI handshake failed").count(), 3, "{log}");
    assert!(!log.contains("pas le bon") && !log.contains(WINDOWS_PASSWORD), "no secret in the log: {log}");
}

/// Neither the password nor an NTLM message: the AUTHENTICATE's NTLMv2 response lets the password
/// be guessed offline, and sspi-rs' trace shows it (hex of « NTLMSSP\0 »).
#[test]
fn neither_the_password_nor_an_ntlm_message_shows_at_vvv() {
    let ntlm_message = |log: &str| log.to_ascii_uppercase().contains("4E544C4D53535000") || log.contains("NTLMSSP");
    for args in [["-vvv", "test-connection"], ["-vvv", "devis"]] {
        let mut sandbox = windows_sandbox(&["-vvv"]);
        let output = command(sandbox.dir.path())
            .env("BATIGEST_SQL_PASSWORD", WINDOWS_PASSWORD)
            .args(["--server", "127.0.0.1", "--port", &sandbox.addr.port().to_string(), "--encrypt", "off"])
            .args(["--auth", "windows", "--user", WINDOWS_USER])
            .args(args)
            .output()
            .expect("run jlm-batigest");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("BATIGEST_SQL_PASSWORD"), "-vvv says where the password came from: {stderr}");
        assert!(stderr.lines().count() > 10, "-vvv traces the drivers: {stderr}");
        assert!(!text(&output).contains(WINDOWS_PASSWORD) && !ntlm_message(&text(&output)), "{}", text(&output));
        let log = sandbox.stop_and_read_log();
        assert!(!log.contains(WINDOWS_PASSWORD) && !ntlm_message(&log), "{log}");
    }
}

/// `login` checks a Windows password with a Windows login before storing it; a later command
/// reads it from the keyring.
#[test]
fn login_stores_a_windows_password_that_later_commands_use() {
    let Some(bus) = session_bus() else { return };
    let sandbox = windows_sandbox(&[]);
    let home = tempfile::tempdir().expect("temp dir");
    let profile = format!("windows-{}", std::process::id());
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.{profile}]\nserver = \"127.0.0.1\"\nport = {}\nencrypt = \"off\"\nauth = \"windows\"\nuser = 'JLM\\compta'\n",
            sandbox.addr.port()
        ),
    )
    .expect("write the config file");
    let run = |args: &[&str], stdin: &str| -> Output {
        output_with_stdin(
            command(home.path())
                .env("JLM_BATIGEST_CONFIG", &config)
                .env("DBUS_SESSION_BUS_ADDRESS", &bus)
                .args(["--profile", &profile])
                .args(args),
            stdin,
        )
    };
    let refused = run(&["login", "--password-stdin"], "pas le bon\n");
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(
        err(&refused).contains("mot de passe non enregistré") && err(&refused).contains("18452"),
        "{}",
        text(&refused)
    );

    let stored = run(&["login", "--password-stdin"], &format!("{WINDOWS_PASSWORD}\n"));
    assert_eq!(stored.status.code(), Some(0), "{}", text(&stored));
    let show = run(&["config", "show"], "");
    assert_eq!(show.status.code(), Some(0), "{}", err(&show));
    let stdout = String::from_utf8_lossy(&show.stdout).into_owned();
    assert!(stdout.lines().any(|line| line.contains("Authentification") && line.contains("windows")), "{stdout}");
    assert!(!stdout.contains(WINDOWS_PASSWORD), "{stdout}");

    let used = run(&["-vv", "test-connection"], "");
    let _ = run(&["logout"], "");
    assert_eq!(used.status.code(), Some(0), "{}", text(&used));
    assert!(err(&used).contains("trousseau"), "the password came from the keyring: {}", text(&used));
    assert!(!text(&used).contains(WINDOWS_PASSWORD), "{}", text(&used));
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
    if !tool_available("FreeTDS tsql", "FreeTDS (Debian: freetds-bin)", Command::new("tsql").arg("-C")) {
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
    if !tool_available("FreeTDS tsql", "FreeTDS (Debian: freetds-bin)", Command::new("tsql").arg("-C")) {
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
    if !tool_available(
        "Samba ntlm_auth",
        "Samba's ntlm_auth (Debian: winbind)",
        Command::new("ntlm_auth").arg("--version"),
    ) || !tool_available(
        "python-tds",
        "python-tds (pip install python-tds)",
        Command::new("python3").args(["-c", "import pytds"]),
    ) {
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
    assert!(err(&output).contains("DOMAINE\\utilisateur"), "{}", text(&output));
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
    assert!(err(&output).contains("n'est pas un compte Windows"), "{}", text(&output));

    if !cfg!(windows) {
        let output = run(&["--auth", "integrated"]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--auth integrated") && stderr.contains("que sous Windows"), "{stderr}");
        assert!(stderr.contains("--auth windows --user 'DOMAINE\\utilisateur'"), "what works instead: {stderr}");
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

    // The logged-on session has no password to look for.
    let output = show(&["--auth", "integrated"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = stdout.lines().find(|line| line.starts_with("Mot de passe")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("aucun : session Windows"), "{line}");

    std::fs::write(&config, "[profiles.default]\nauth = \"kerberos\"\n").expect("write config");
    let output = show(&[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(err(&output).contains("« sql », « windows » ou « integrated »"), "{}", text(&output));
}
