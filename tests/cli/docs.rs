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

/// Windows PowerShell 5.1 reads a script file without a byte-order mark as ANSI (« Ã© » for « é »):
/// the file carries the UTF-8 BOM. Standard output does not (a shell capturing it would keep the
/// BOM as three stray characters at the start of the text).
#[test]
fn the_powershell_script_file_starts_with_a_utf8_bom() {
    let committed = std::fs::read(repository().join("completions/_jlm-batigest.ps1")).expect("script");
    assert_eq!(committed[..3], [0xEF, 0xBB, 0xBF]);
    let text = std::str::from_utf8(&committed[3..]).expect("UTF-8 after the BOM");
    assert!(text.contains("Synchronise des devis Batigest vers JLM ERP"), "French descriptions in UTF-8");
    assert!(text.contains('é'));
    let home = tempfile::tempdir().expect("temp dir");
    let output = command(home.path()).args(["completions", "powershell"]).output().expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert!(!output.stdout.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM on stdout");
    assert_eq!(output.stdout[..], committed[3..], "stdout is the file without its BOM");
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

/// What each shell offers after `line` (the words typed so far, ending with the one being
/// completed), read from the committed completion script by the shell's own machinery.
fn offered(shell: &str, line: &str) -> Vec<String> {
    let dir = repository().join("completions");
    let output = match shell {
        // `complete -p` gives the function the script registered; it is called as bash does on
        // TAB, with COMP_WORDS / COMP_CWORD and the command, current and previous words.
        "bash" => {
            let mut words: Vec<&str> = line.split(' ').collect();
            let current = words.len() - 1;
            let previous = words[current.saturating_sub(1)];
            let probe = format!(
                "source '{}' || exit 3\n\
                 function=$(complete -p jlm-batigest | sed -E 's/.* -F ([^ ]+) .*/\\1/')\n\
                 COMP_WORDS=({}); COMP_CWORD={current}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}\n\
                 \"$function\" jlm-batigest '{}' '{previous}'\n\
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                dir.join("jlm-batigest.bash").display(),
                words.iter().map(|word| format!("'{word}'")).collect::<Vec<_>>().join(" "),
                words.pop().unwrap_or_default(),
            );
            Command::new("bash").args(["--norc", "--noprofile", "-c", &probe]).output()
        }
        // An interactive zsh in a pseudo-terminal (zpty) loads the script through compinit, types
        // the line and a TAB; compadd is wrapped to print every match it is given.
        "zsh" => Command::new("zsh").args(["-f", "-c", ZSH_CAPTURE, "zsh", &dir.display().to_string(), line]).output(),
        "fish" => Command::new("fish")
            .args([
                "--no-config",
                "-c",
                &format!("source '{}'; complete -C '{line}'", dir.join("jlm-batigest.fish").display()),
            ])
            .output(),
        _ => unreachable!("{shell}"),
    }
    .unwrap_or_else(|e| panic!("{shell}: {e}"));
    assert!(output.status.success(), "{shell}: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    let mut offered: Vec<String> = match shell {
        // A match may follow the echo of the typed line on the same terminal line.
        "zsh" => text
            .split("<<")
            .skip(1)
            .filter_map(|rest| rest.split_once(">>"))
            .map(|(candidate, _)| candidate.to_owned())
            .collect(),
        // fish gives `candidate<TAB>description`.
        _ => text.lines().filter_map(|line| line.split('\t').next()).map(str::to_owned).collect(),
    };
    offered.retain(|candidate| !candidate.is_empty());
    offered.sort();
    offered.dedup();
    offered
}

const ZSH_CAPTURE: &str = r#"
zmodload zsh/zpty || exit 3
zpty capture zsh -f -i
zpty -w capture "PROMPT=''; fpath=('$1' \$fpath); autoload -U compinit; compinit -u -D"
zpty -w capture 'compadd() { local -a hits; builtin compadd -O hits "$@"; (( $#hits )) && print -rl -- "<""<"${^hits}">"">"; builtin compadd "$@" }'
zpty -w capture 'zstyle ":completion:*" insert-tab false; capture_end() { print -r -- "END""-OF-COMPLETION"; exit }; comppostfuncs=(capture_end)'
zpty -w capture "bindkey '^I' complete-word"
zpty -n -w capture "$2"$'\t'
while zpty -r capture line; do
  [[ $line == *END-OF-COMPLETION* ]] && break
  print -r -- $line
done
zpty -d capture
"#;

#[test]
fn every_shell_completes_options_after_a_subcommand_and_option_values() {
    let formats = ["csv", "json", "ndjson", "table"];
    for shell in ["bash", "zsh", "fish"] {
        if !tool_available(shell, &format!("{shell} (Debian: {shell})"), Command::new(shell).arg("--version")) {
            continue;
        }
        assert_eq!(offered(shell, "jlm-batigest devis --li"), ["--limit"], "{shell}: jlm-batigest devis --li<TAB>");
        assert_eq!(offered(shell, "jlm-batigest --format "), formats, "{shell}: jlm-batigest --format <TAB>");
        assert_eq!(
            offered(shell, "jlm-batigest devis --format "),
            formats,
            "{shell}: jlm-batigest devis --format <TAB>"
        );
        assert!(offered(shell, "jlm-batigest fac").contains(&"factures".to_owned()), "{shell}: jlm-batigest fac<TAB>");
        // The statuses, not file names (issue 27: bash offered the files of the current folder).
        assert_eq!(
            offered(shell, "jlm-batigest devis --statut "),
            ["ACCEPTE", "BROUILLON", "ENVOYE", "REFUSE", "VALIDE"],
            "{shell}: jlm-batigest devis --statut <TAB>"
        );
    }
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
