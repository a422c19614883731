//! `jlm-batigest completions SHELL` and `jlm-batigest man`: generated from the clap tree at run
//! time; the copies committed under `completions/` and `man/` come from `scripts/generate-docs.sh`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap_complete::{Generator, Shell};
use roff::{Roff, bold, roman};

use super::context::cannot_write;
use crate::error::Result;
use crate::exit_codes;
use crate::output::Destination;

const COMPLETIONS_EXAMPLES: &str = "\
Exemples :
  jlm-batigest completions bash > ~/.local/share/bash-completion/completions/jlm-batigest
  jlm-batigest completions zsh > ~/.zfunc/_jlm-batigest
  jlm-batigest completions powershell --dir $HOME\\Documents\\WindowsPowerShell
      puis, dans $PROFILE : . $HOME\\Documents\\WindowsPowerShell\\jlm-batigest.ps1
  jlm-batigest completions bash --dir completions
      écrit completions/jlm-batigest.bash (la copie du dépôt)";

/// Complétion des commandes et options pour un shell
#[derive(Debug, clap::Args)]
#[command(after_help = COMPLETIONS_EXAMPLES)]
pub struct CompletionsArgs {
    /// Shell visé
    #[arg(value_enum)]
    shell: Shell,

    /// Écrit le fichier dans ce dossier au lieu de la sortie standard
    #[arg(long, value_name = "DOSSIER")]
    dir: Option<PathBuf>,
}

const MAN_EXAMPLES: &str = "\
Exemples :
  jlm-batigest man | man -l -
      la page principale
  jlm-batigest man --dir man
      une page par commande (jlm-batigest.1, jlm-batigest-devis.1…)";

/// Pages de manuel (man)
#[derive(Debug, clap::Args)]
#[command(after_help = MAN_EXAMPLES)]
pub struct ManArgs {
    /// Écrit une page par commande dans ce dossier au lieu de la page principale sur la sortie standard
    #[arg(long, value_name = "DOSSIER")]
    dir: Option<PathBuf>,
}

pub fn completions(args: &CompletionsArgs, mut command: clap::Command) -> Result<()> {
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, &name, &mut script);
    match args.shell {
        Shell::Bash => script = bash_case_names(&script, &name),
        Shell::Fish => script = fish_pending_value(&script, &name),
        _ => {}
    }
    match &args.dir {
        Some(dir) => {
            // Windows PowerShell 5.1 reads a script file without a BOM in the ANSI code page: the
            // French descriptions would show as « Ã© ». With the BOM, every PowerShell reads UTF-8.
            if args.shell == Shell::PowerShell {
                script.splice(0..0, UTF8_BOM.iter().copied());
            }
            write_file(&dir.join(args.shell.file_name(&name)), &script)
        }
        None => Ok(std::io::stdout().lock().write_all(&script)?),
    }
}

const UTF8_BOM: &[u8] = "\u{feff}".as_bytes();

/// clap_complete's bash script names a subcommand's state `jlm__batigest__subcmd__devis` where
/// it walks the words, but labels its options `jlm__subcmd__batigest__subcmd__devis`: a dash in
/// the binary's name is turned into `__` in one place and into the subcommand separator in the
/// other, so nothing after a subcommand completed. The labels are given the walker's spelling.
fn bash_case_names(script: &[u8], name: &str) -> Vec<u8> {
    const SEPARATOR: &str = "__subcmd__";
    let walker = name.replace('-', "__");
    let labels = name.replace('-', SEPARATOR);
    String::from_utf8_lossy(script)
        .replace(&format!("\n        {labels}{SEPARATOR}"), &format!("\n        {walker}{SEPARATOR}"))
        .into_bytes()
}

/// clap_complete's fish script finds the subcommand by parsing the words typed so far with
/// `argparse`, which fails when the last of them is an option still waiting for its value
/// (`jlm-batigest --format `): the script then completed file names instead of the formats. The
/// words are parsed again without that last one.
fn fish_pending_value(script: &[u8], name: &str) -> Vec<u8> {
    let optspecs = format!("(__fish_{}_global_optspecs)", name.replace('-', "_"));
    let parse = format!("argparse -s {optspecs} -- $cmd 2>/dev/null");
    let retried = format!(
        "{parse}\n    or begin\n        set -e cmd[-1]\n        argparse -s {optspecs} -- $cmd 2>/dev/null\n    end"
    );
    String::from_utf8_lossy(script).replace(&parse, &retried).into_bytes()
}

/// Writes a whole file the way `-o` does: complete or not at all, links followed.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    Destination::open(Some(path))
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.commit()))
        .map_err(|e| cannot_write(path, e))
}

pub fn man(args: &ManArgs, command: &clap::Command) -> Result<()> {
    match &args.dir {
        None => {
            let page = page(command, None)?;
            Ok(std::io::stdout().lock().write_all(&page)?)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, e))?;
            let mut pages = vec![(format!("{}.1", command.get_name()), page(command, None))];
            for sub in command.get_subcommands() {
                pages.push((format!("{}-{}.1", command.get_name(), sub.get_name()), page(sub, Some(command))));
            }
            for (name, page) in pages {
                let path = dir.join(name);
                let page = page.map_err(|e| cannot_write(&path, e))?;
                write_file(&path, &page)?;
            }
            Ok(())
        }
    }
}

/// One page: clap's sections, then examples, exit codes, environment and files.
fn page(command: &clap::Command, parent: Option<&clap::Command>) -> std::io::Result<Vec<u8>> {
    let full_name = match parent {
        Some(parent) => format!("{}-{}", parent.get_name(), command.get_name()),
        None => command.get_name().to_owned(),
    };
    let mut renamed = command.clone().name(full_name);
    if let Some(parent) = parent {
        renamed = renamed.bin_name(format!("{} {}", parent.get_name(), command.get_name()));
    }
    let man = clap_mangen::Man::new(renamed).manual("jlm-batigest").source("JLM Menuiserie");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    if command.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = Roff::new();
    if let Some(parent) = parent {
        roff.control("SH", ["OPTIONS GLOBALES"]);
        roff.text([
            roman("Connexion, sortie et journalisation : voir "),
            bold(format!("{}(1)", parent.get_name())),
            roman(". Elles s'écrivent avant ou après le nom de la commande."),
        ]);
    }
    if let Some(examples) = command.get_after_help().map(ToString::to_string)
        && examples.starts_with("Exemples")
    {
        roff.control("SH", ["EXEMPLES"]);
        for line in examples.lines().skip(1) {
            roff.text([roman(line)]).control("br", [] as [&str; 0]);
        }
    }
    roff.control("SH", ["CODES DE SORTIE"]);
    for (code, meaning) in exit_codes::TABLE {
        roff.control("TP", [] as [&str; 0]).text([bold(code.to_string())]).text([roman(meaning)]);
    }
    roff.control("SH", ["ENVIRONNEMENT"]);
    for (name, meaning) in ENVIRONMENT {
        roff.control("TP", [] as [&str; 0]).text([bold(*name)]).text([roman(*meaning)]);
    }
    roff.control("SH", ["FICHIERS"]);
    for (name, meaning) in FILES {
        roff.control("TP", [] as [&str; 0]).text([bold(*name)]).text([roman(*meaning)]);
    }
    roff.to_writer(&mut out)?;
    if parent.is_none() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

const ENVIRONMENT: &[(&str, &str)] = &[
    ("BATIGEST_SQL_SERVER", "serveur SQL Server de Batigest (HÔTE ou HÔTE\\INSTANCE)"),
    ("BATIGEST_SQL_PORT", "port TCP"),
    ("BATIGEST_DATABASE", "base de données Batigest"),
    ("BATIGEST_SQL_USER", "utilisateur SQL"),
    ("BATIGEST_SQL_PASSWORD", "mot de passe SQL, si le trousseau n'en a pas pour le profil"),
    ("JLM_DATABASE_URL", "base JLM ERP (postgres://… ou sqlite:CHEMIN)"),
    ("JLM_BATIGEST_CONFIG", "chemin du fichier de configuration"),
    ("NO_COLOR", "désactive les couleurs (avec --color auto)"),
];

const FILES: &[(&str, &str)] = &[
    (
        "config.toml",
        "profils de connexion, dans le dossier de configuration du système (Linux : ~/.config/jlm-batigest/, \
         macOS : ~/Library/Application Support/fr.JLM.jlm-batigest/, Windows : %APPDATA%\\JLM\\jlm-batigest\\config\\) ; \
         jamais de mot de passe",
    ),
    ("jlm.sqlite", "magasin JLM embarqué par défaut, dans le dossier de données du système"),
];
