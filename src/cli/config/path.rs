//! `jlm-batigest config path`: the config file's path, for scripts.

use std::io::Write;

use crate::config::Env;
use crate::error::Result;

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest config path
  \"${EDITOR:-vi}\" \"$(jlm-batigest config path)\"
      ouvrir le fichier de configuration dans un éditeur
  JLM_BATIGEST_CONFIG=./recette.toml jlm-batigest config path

Le chemin est affiché même si le fichier n'existe pas, et même s'il est invalide.";

/// Affiche le chemin du fichier de configuration (JLM_BATIGEST_CONFIG, sinon le dossier de configuration du système)
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {}

/// Prints the path without reading the file: a broken file must still be easy to find and fix.
pub fn run(env: &Env) -> Result<()> {
    let path = env.config_path()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", path.display())?;
    Ok(stdout.flush()?)
}
