//! Generated documentation: the committed completions and man pages are fresh, and they load.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{command, tool_available};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file of `dir`, sorted, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.expect("dir entry");
            (entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).expect("file"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn committed_completions_and_man_pages_are_fresh() {
    let home = tempfile::tempdir().expect("temp dir");
    let completions = home.path().join("completions");
    let man = home.path().join("man");
    std::fs::create_dir_all(&completions).expect("dir");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let status = command(home.path())
            .args(["completions", shell, "--dir", completions.to_str().expect("path")])
            .status()
            .expect("run");
        assert!(status.success());
    }
    assert!(command(home.path()).args(["man", "--dir", man.to_str().expect("path")]).status().expect("run").success());
    let stale = "stale copies: run scripts/generate-docs.sh and commit the result";
    assert!(files(&completions) == files(&repository().join("completions")), "completions/: {stale}");
    assert!(files(&man) == files(&repository().join("man")), "man/: {stale}");
}

#[test]
fn man_page_has_exit_codes_environment_and_examples() {
    let page = std::fs::read_to_string(repository().join("man/jlm-batigest-factures.1")).expect("page");
    for section in
        [".SH EXEMPLES", ".SH \"CODES DE SORTIE\"", ".SH ENVIRONNEMENT", ".SH FICHIERS", "BATIGEST_SQL_PASSWORD"]
    {
        assert!(page.contains(section), "missing {section}");
    }
    let home = tempfile::tempdir().expect("temp dir");
    let output = command(home.path()).arg("man").output().expect("run");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with(".ie \\n(.g"), "roff on stdout");
}

#[test]
fn bash_completion_loads_and_completes() {
    if !tool_available("bash", Command::new("bash").arg("--version")) {
        return;
    }
    let script = repository().join("completions/jlm-batigest.bash");
    let probe = format!(
        "source '{}' && complete -p jlm-batigest >/dev/null && COMP_WORDS=(jlm-batigest fac) COMP_CWORD=1 \
         && _jlm__batigest jlm-batigest fac jlm-batigest && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let output = Command::new("bash").args(["--norc", "-c", &probe]).output().expect("bash");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "factures");
}

#[test]
fn zsh_completion_loads() {
    if !tool_available("zsh", Command::new("zsh").arg("--version")) {
        return;
    }
    let dir = repository().join("completions");
    let probe = format!(
        "fpath=('{}' $fpath); autoload -U compinit; compinit -u -D; autoload -Uz _jlm-batigest && whence -w _jlm-batigest",
        dir.display()
    );
    let output = Command::new("zsh").args(["-f", "-c", &probe]).output().expect("zsh");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("_jlm-batigest: function"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn every_subcommand_has_french_help_with_examples() {
    let home = tempfile::tempdir().expect("temp dir");
    let help = command(home.path()).arg("--help").output().expect("run");
    let help = String::from_utf8(help.stdout).expect("UTF-8");
    let names: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commandes"))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(names.len() >= 10, "{help}");
    for name in names {
        let output = command(home.path()).args([name, "--help"]).output().expect("run");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && text.contains("Exemples :"), "{name} --help:\n{text}");
        assert!(text.contains("Utilisation : jlm-batigest"), "{name}");
    }
}
