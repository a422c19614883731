//! `jlm-batigest`: connects Sage Batigest (SQL Server) to JLM ERP.

mod api;
mod app;
mod batigest;
mod cli;
mod config;
mod credentials;
mod diagnostics;
mod error;
mod exit_codes;
mod files;
mod jlm;
mod model;
mod notify;
mod output;
mod report;
mod secret;
mod stop;
mod values;

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
            error.eprint();
            ExitCode::from(error.kind.exit_code())
        }
    }
}
