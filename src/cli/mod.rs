//! The command line: clap types, French help and usage errors, dispatch.

mod alertes;
mod analytics;
mod coefficients;
mod config;
mod context;
mod dashboard;
mod demo;
mod devis;
mod docs;
mod factures;
pub mod global;
mod integrations;
mod login;
mod logout;
mod relances;
mod sandbox;
mod schema;
mod serve;
mod sync_offer;
mod test_connection;
mod tresorerie;
mod unused;
mod values;

use std::io::Write;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::Env;
use crate::error::Result;
use crate::exit_codes;
use crate::stop;
use context::{Context, Render};

const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
Utilisation : {usage}

{all-args}{after-help}";

/// Relie Sage Batigest (SQL Server) à JLM ERP : devis, coefficients, factures, indicateurs.
#[derive(Debug, Parser)]
#[command(
    name = "jlm-batigest",
    version,
    help_template = HELP_TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Commandes",
    subcommand_value_name = "COMMANDE",
    next_help_heading = "Options globales",
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub connection: crate::config::Flags,

    #[command(flatten)]
    pub output: global::OutputArgs,

    /// Détaille le déroulement sur la sortie d'erreur : -v les étapes, requêtes et durées, -vv le
    /// débogage des pilotes, -vvv leur trace (jamais de mot de passe)
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    /// N'affiche que les données et les erreurs
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Affiche l'aide
    #[arg(short = 'h', long, action = ArgAction::Help, global = true)]
    help: Option<bool>,

    /// Affiche la version
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
}

/// In the order a newcomer meets them in `--help`.
#[derive(Debug, Subcommand)]
pub enum Command {
    TestConnection(test_connection::Args),
    Devis(devis::Args),
    Coefficients(coefficients::Args),
    Factures(factures::Args),
    Tresorerie(tresorerie::Args),
    Relances(relances::Args),
    Alertes(alertes::Args),
    Analytics(analytics::Args),
    Dashboard(dashboard::Args),
    SyncOffer(sync_offer::Args),
    Integrations(integrations::Args),
    Schema(schema::Args),
    Login(login::Args),
    Logout(logout::Args),
    Config(config::Args),
    // Boxed: the sandbox has many options, the other commands almost none.
    Sandbox(Box<sandbox::Args>),
    Serve(serve::Args),
    Demo(demo::Args),
    Completions(docs::CompletionsArgs),
    Man(docs::ManArgs),
}

/// Parses the command line. Help and version are printed here; a usage error is explained in
/// French on stderr. `Err` carries the exit code to end with.
pub fn parse() -> std::result::Result<Cli, u8> {
    let matches = command().try_get_matches().map_err(|error| report_clap_error(&error))?;
    if let Err((message, hint)) = unused::check(&matches) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "Erreur : {message}\nAide : {hint}");
        return Err(exit_codes::USAGE);
    }
    Cli::from_arg_matches(&matches).map_err(|error| report_clap_error(&error))
}

/// The whole command tree as users see it: French headings everywhere, exit codes at the end.
pub fn command() -> clap::Command {
    unused::hide(localize(Cli::command().help_template(HELP_TEMPLATE).after_help(exit_codes::help())))
}

/// French headings for every subcommand, as the root has them. A value that looks like a
/// negative number (`--limit -1`) is taken as the option's value, for its parser to refuse in
/// words, rather than as an unknown option `-1`.
fn localize(command: clap::Command) -> clap::Command {
    command.mut_args(negative_numbers_are_values).mut_subcommands(|sub| {
        localize(
            sub.help_template(HELP_TEMPLATE)
                .next_help_heading("Options")
                .disable_help_flag(true)
                .subcommand_help_heading("Commandes"),
        )
    })
}

fn negative_numbers_are_values(arg: clap::Arg) -> clap::Arg {
    if arg.get_action().takes_values() && !arg.is_positional() { arg.allow_negative_numbers(true) } else { arg }
}

fn report_clap_error(error: &clap::Error) -> u8 {
    let mut stderr = std::io::stderr().lock();
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe while printing help is not worth an error.
            let _ = write!(stdout, "{}", error.render());
            if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                return exit_codes::USAGE;
            }
            exit_codes::OK
        }
        _ => {
            let _ = writeln!(stderr, "Erreur : {}", french_message(error));
            let help = "jlm-batigest --help (ou jlm-batigest COMMANDE --help) décrit chaque option";
            match suggestion(error) {
                Some(suggested) => writeln!(stderr, "Aide : vouliez-vous dire {suggested} ? {help}"),
                None => writeln!(stderr, "Aide : {help}"),
            }
            .ok();
            exit_codes::USAGE
        }
    }
}

/// clap's « did you mean »: the closest command, option or value to what was typed.
fn suggestion(error: &clap::Error) -> Option<String> {
    [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg, ContextKind::SuggestedValue].into_iter().find_map(
        |kind| match error.get(kind) {
            Some(ContextValue::String(one)) => Some(format!("« {one} »")),
            Some(ContextValue::Strings(many)) if !many.is_empty() => {
                Some(many.iter().map(|one| format!("« {one} »")).collect::<Vec<_>>().join(" ou "))
            }
            _ => None,
        },
    )
}

fn french_message(error: &clap::Error) -> String {
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        Some(ContextValue::Strings(values)) => values.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    match error.kind() {
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("valeur « {value} » invalide pour {arg}")
            } else {
                format!("valeur « {value} » invalide pour {arg} (valeurs possibles : {valid})")
            }
        }
        ErrorKind::ValueValidation => {
            let cause = std::error::Error::source(error).map(ToString::to_string).unwrap_or_default();
            format!("valeur « {value} » invalide pour {arg} : {cause}")
        }
        ErrorKind::UnknownArgument => format!("option inconnue : {arg}"),
        ErrorKind::InvalidSubcommand => format!("commande inconnue : {}", context(ContextKind::InvalidSubcommand)),
        ErrorKind::MissingRequiredArgument => format!("option obligatoire manquante : {arg}"),
        ErrorKind::ArgumentConflict if arg.is_empty() => {
            format!("cette sous-commande ne se combine pas avec {}", context(ContextKind::PriorArg))
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(ContextKind::PriorArg);
            if prior == arg {
                format!("{arg} est donné deux fois : cette option ne prend qu'une valeur")
            } else {
                format!("{arg} ne peut pas être utilisé avec {prior}")
            }
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("nombre de valeurs incorrect pour {arg}")
        }
        ErrorKind::NoEquals => format!("{arg} attend une valeur"),
        _ => {
            // Fall back on clap's own wording rather than saying nothing useful.
            let rendered = error.render().to_string();
            rendered.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned()
        }
    }
}

/// Runs the parsed command.
/// The environment is captured once and every output option checked first, so that a usage
/// error is said before anything is asked (a password) or opened.
pub fn run(cli: &Cli) -> Result<()> {
    stop::install();
    crate::diagnostics::set_quiet(cli.quiet);
    init_logging(cli.verbose, cli.quiet);
    crate::diagnostics::set_causes(cli.verbose >= 2 && !cli.quiet);
    let env = Env::capture()?;
    let render = Render::resolve(cli, &env)?;
    let ctx = &Context::new(cli, env, render);
    match &cli.command {
        Command::Config(args) => config::run(args, ctx),
        Command::Login(args) => login::run(args, ctx),
        Command::Logout(_) => logout::run(ctx.flags, cli.quiet),
        Command::Sandbox(args) => sandbox::run(args, &cli.connection, cli.quiet),
        Command::Schema(args) => schema::run(args, ctx),
        Command::Devis(args) => devis::run(args, ctx),
        Command::Coefficients(args) => coefficients::run(args, ctx),
        Command::Factures(args) => factures::run(args, ctx),
        Command::Tresorerie(args) => tresorerie::run(args, ctx),
        Command::Relances(args) => relances::run(args, ctx),
        Command::Alertes(args) => alertes::run(args, ctx),
        Command::SyncOffer(args) => sync_offer::run(args, ctx),
        Command::Integrations(args) => integrations::run(args, ctx),
        Command::Analytics(args) => analytics::run(args, ctx),
        Command::Demo(args) => demo::run(args, cli.quiet, ctx.env.shell),
        Command::Serve(args) => serve::run(args, ctx),
        Command::Dashboard(args) => dashboard::run(args, ctx),
        Command::Completions(args) => docs::completions(args, command()),
        Command::Man(args) => docs::man(args, &command()),
        Command::TestConnection(args) => test_connection::run(args, ctx),
    }
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => tracing::Level::ERROR,
        (false, 0) => tracing::Level::WARN,
        (false, 1) => tracing::Level::INFO,
        (false, 2) => tracing::Level::DEBUG,
        (false, _) => tracing::Level::TRACE,
    };
    // Libraries (the SQL Server and PostgreSQL drivers, rustls, the SMTP client) speak English:
    // they say nothing up to -v, which tells in French what the tool does (their words reach the
    // user only after « Détail : »); -vv adds their warnings and debug, -vvv their trace. TDS
    // carries the password obfuscated inside LOGIN7, never in a log line (tested at -vvv). sspi-rs
    // (NTLM from Linux and macOS) is the exception: its trace shows the AUTHENTICATE message, whose
    // NTLMv2 response lets the password be guessed offline, so it is never shown; its errors still
    // reach « Détail : » through the driver.
    let libraries = match verbose {
        0 | 1 => tracing::level_filters::LevelFilter::OFF,
        2 => tracing::level_filters::LevelFilter::DEBUG,
        _ => tracing::level_filters::LevelFilter::TRACE,
    };
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target(env!("CARGO_CRATE_NAME"), level)
        // The sandbox (crates/tds-sandbox) is the tool's own server: its log is the tool's.
        .with_target("tds_sandbox", level)
        .with_target("sspi", tracing::level_filters::LevelFilter::OFF)
        .with_default(libraries.min(tracing::level_filters::LevelFilter::from_level(level)));
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(crate::diagnostics::writer)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .finish()
        .with(filter)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_tree_is_consistent() {
        command().debug_assert();
    }
}
