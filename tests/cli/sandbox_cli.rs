//! The `sandbox` command as a user meets it: help, bad input, files, lifecycle.

use std::process::Output;

use crate::common::{Sandbox, command, stderr, write_fixture};

/// The line of `--help`'s exit codes for Ctrl-C (src/exit_codes.rs), whole.
const EXIT_130: &str = "\n  130  interrompu (Ctrl-C, Ctrl-Break, fermeture de la console)\n";

fn run(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp dir");
    command(home.path()).args(args).output().expect("run jlm-batigest")
}

#[test]
fn help_is_french_with_examples_and_exit_codes() {
    let output = run(&["sandbox", "--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("bac à sable"), "{help}");
    assert!(help.contains("Exemples :"), "{help}");
    assert!(help.contains("--drop-after-rows"), "{help}");
    let root = run(&["--help"]);
    assert_eq!(root.status.code(), Some(0), "{}", stderr(&root));
    let root = String::from_utf8_lossy(&root.stdout);
    assert!(root.contains("Codes de sortie :") && root.contains(EXIT_130), "{root}");
}

#[test]
fn bad_input_exits_2_naming_the_value() {
    let output = run(&["sandbox", "--tls", "sometimes"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("Erreur : valeur « sometimes » invalide pour --tls"), "{text}");
    assert!(text.contains("login-only"), "{text}");

    let output = run(&["sandbox", "--listen", "localhost"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("« localhost »"), "{}", stderr(&output));

    let output = run(&["sandbox", "--db", "/nonexistent/batigest.sqlite"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("fichier SQLite introuvable : /nonexistent/batigest.sqlite"), "{text}");
    assert!(text.contains("Aide : ajoutez --generate"), "{text}");
}

#[test]
fn generate_never_overwrites_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("existing.sqlite");
    write_fixture(&db);
    let before = std::fs::read(&db).expect("fixture bytes");
    let output = run(&["sandbox", "--db", db.to_str().expect("path"), "--generate", "10"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("existe déjà"), "{}", stderr(&output));
    assert_eq!(std::fs::read(&db).expect("fixture bytes"), before);
}

#[test]
fn generate_into_a_new_file_then_serve_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("nouveau.sqlite");
    let sandbox = Sandbox::start(&["--db", db.to_str().expect("path"), "--generate", "50"]);
    let conn = rusqlite::Connection::open(&db).expect("generated file");
    let devis: i64 = conn.query_row("SELECT COUNT(*) FROM DEVIS", [], |row| row.get(0)).expect("count");
    assert_eq!(devis, 50);
    drop(sandbox);
}

#[test]
fn a_taken_port_is_a_usage_error_with_a_hint() {
    let sandbox = Sandbox::with_fixture(&[]);
    let taken = sandbox.addr.to_string();
    let output = run(&["sandbox", "--listen", &taken]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains(&taken) && text.contains("--listen"), "{text}");
}

#[cfg(unix)]
#[test]
fn interrupt_ends_the_sandbox_cleanly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let home = tempfile::tempdir().expect("temp dir");
    let mut child = command(home.path())
        .args(["sandbox", "--listen", "127.0.0.1:0", "--generate", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    assert!(line.starts_with("listening on 127.0.0.1:"), "{line}");
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    assert_eq!(child.wait().expect("exit").code(), Some(0));
}
