//! `jlm-batigest`: connects Sage Batigest (SQL Server) to JLM ERP.

mod batigest;
mod cli;
mod config;
mod credentials;
mod error;
mod exit_codes;
mod files;
mod jlm;
mod model;
mod output;
mod report;
mod sandbox;
mod secret;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    match cli::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.broken_pipe => ExitCode::SUCCESS,
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            // Nothing sensible is left to do if stderr itself is closed.
            let _ = writeln!(stderr, "Erreur : {error}");
            if let Some(hint) = &error.hint {
                let _ = writeln!(stderr, "Aide : {hint}");
            }
            if let Some(detail) = &error.detail {
                let _ = writeln!(stderr, "Détail : {detail}");
            }
            ExitCode::from(error.kind.exit_code())
        }
    }
}
