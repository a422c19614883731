//! `jlm-batigest schema`: map a customer's Batigest database without touching the code.

mod inspect;

use crate::cli::context::Context;
use clap::Subcommand;

use crate::error::Result;

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest --schema batigest schema inspect
      ce que la correspondance intégrée « batigest » relie dans la base, et ce que la base propose pour le reste
  jlm-batigest --schema batigest schema inspect --write correspondance.toml
      écrit un fichier de correspondance commenté, à compléter puis à indiquer avec --schema correspondance.toml";

/// Relie les tables et colonnes de votre base Batigest aux champs de l'outil
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES, subcommand_required = true, arg_required_else_help = true, subcommand_value_name = "COMMANDE")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Inspect(inspect::Args),
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    match &args.command {
        Command::Inspect(args) => inspect::run(args, ctx),
    }
}
