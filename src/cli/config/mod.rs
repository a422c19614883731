//! `jlm-batigest config`: the effective settings and where the config file lives.

mod path;
mod show;

use crate::cli::context::Context;
use clap::Subcommand;

use crate::error::Result;

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest config show
      chaque réglage effectif et sa source (option, variable, profil, défaut)
  jlm-batigest --profile production config show
  jlm-batigest config path
      le chemin du fichier de configuration, même s'il n'existe pas encore";

/// Montre la configuration effective, ou le chemin du fichier de configuration
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES, subcommand_required = true, arg_required_else_help = true, subcommand_value_name = "COMMANDE")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Show(show::Args),
    Path(path::Args),
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let (_cli, env) = (ctx.cli, &ctx.env);
    match &args.command {
        Command::Show(_) => show::run(ctx),
        Command::Path(_) => path::run(env),
    }
}
