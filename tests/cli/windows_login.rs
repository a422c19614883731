//! Windows logins (issue 17): the sandbox verifies NTLMv2 (SSPI tokens in LOGIN7 and 0xED), judged
//! by FreeTDS `tsql`, whose NTLM is its own (C, not our code).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{DATABASE, Sandbox, output_text as text, tool_available};

const WINDOWS_USER: &str = "JLM\\compta";
const WINDOWS_PASSWORD: &str = "Compta!Windows-2026";

fn windows_sandbox(args: &[&str]) -> Sandbox {
    let mut all = vec!["--windows-user", WINDOWS_USER, "-v"];
    all.extend_from_slice(args);
    Sandbox::with_fixture_env("", &all, &[("JLM_SANDBOX_WINDOWS_PASSWORD", WINDOWS_PASSWORD)])
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
fn freetds_logs_in_with_ntlmv2_and_a_wrong_password_gets_18456() {
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
        let (ok, transcript) = tsql(&sandbox, user, password, "off");
        assert!(!ok || transcript.contains("18456"), "{user}: {transcript}");
        assert!(transcript.contains("18456") && transcript.contains("Login failed"), "{user}: {transcript}");
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
    let (ok, transcript) = tsql(&sandbox, WINDOWS_USER, WINDOWS_PASSWORD, "off");
    assert!(!ok || transcript.contains("18456"), "{transcript}");
    assert!(transcript.contains("18456"), "{transcript}");
}

#[test]
fn windows_user_must_name_its_domain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = crate::common::command(dir.path())
        .env("JLM_SANDBOX_WINDOWS_PASSWORD", WINDOWS_PASSWORD)
        .args(["sandbox", "--listen", "127.0.0.1:0", "--windows-user", "compta"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("DOMAINE\\utilisateur"), "{}", text(&output));
}

/// `--auth windows` needs `DOMAINE\utilisateur`; this build does Windows logins only on Windows,
/// and says so with exit 2 before touching the network.
#[test]
fn client_windows_logins_are_checked_before_any_connection() {
    let sandbox = windows_sandbox(&[]);
    let port = sandbox.addr.port().to_string();
    let run = |args: &[&str]| {
        crate::common::command(sandbox.dir.path())
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
        assert!(!text(&output).contains(WINDOWS_PASSWORD), "{}", text(&output));
    }

    // SQL logins are unchanged, also when said explicitly.
    let output = crate::common::command(sandbox.dir.path())
        .env("BATIGEST_SQL_PASSWORD", crate::common::PASSWORD)
        .args(["test-connection", "--server", "127.0.0.1", "--port", &port, "--encrypt", "off", "--auth", "sql"])
        .args(["--user", crate::common::USER])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[test]
fn auth_is_a_profile_setting_shown_by_config_show() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[profiles.default]\nauth = \"windows\"\nuser = 'JLM\\compta'\n").expect("write config");
    let output = crate::common::command(dir.path())
        .env("JLM_BATIGEST_CONFIG", &config)
        .args(["config", "show"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.lines().any(|line| line.contains("Authentification") && line.contains("windows")), "{stdout}");

    std::fs::write(&config, "[profiles.default]\nauth = \"kerberos\"\n").expect("write config");
    let output = crate::common::command(dir.path())
        .env("JLM_BATIGEST_CONFIG", &config)
        .args(["config", "show"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("« sql », « windows » ou « integrated »"), "{}", text(&output));
}
