//! Settings: command-line flags, environment variables, a profile of the TOML config file and
//! defaults, resolved once per run with the precedence flag > env > profile > default (DESIGN §2).
//! Every value keeps its source so `config show` and `-v` logs can say where it came from.
//!
//! - [`env`]: the environment, captured once by the dispatcher (tests build one by hand);
//! - [`flags`]: the command-line options that are settings, declared once for clap and for the
//!   resolution;
//! - [`file`]: the TOML file's schema, read and checked, with [`values`] the validators of its
//!   values and [`wording`] serde's refusals told in French at their line;
//! - [`settings`]: the resolution of the layers into one [`Settings`].
//!
//! The only I/O here is reading the config file; the password is not a setting at all (see
//! `credentials`).

mod env;
mod error;
mod file;
mod flags;
mod settings;
mod values;
mod wording;

use std::fmt;

pub use env::{API_TOKEN_VAR, Env, PASSWORD_VAR, SMTP_PASSWORD_VAR, Shell, WEBHOOK_SECRET_VAR};
pub use error::ConfigError;
pub use file::ConfigFile;
pub use flags::Flags;
pub use settings::{AlertesSettings, EmailSettings, Securite, Settings, WebhookSettings};

pub const DEFAULT_PROFILE: &str = "default";

/// A profile name is part of the keyring accounts of its secrets (`PROFIL`, `PROFIL/smtp`,
/// `PROFIL/api`, `PROFIL/webhook`): a `/` in it would share another profile's account — a profile
/// `default/smtp` had `default`'s SMTP password as its SQL password. Letters, digits, `-`, `_`, `.`.
pub fn check_profile_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("nom de profil vide".to_owned());
    }
    match name.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        None => Ok(()),
        Some('/') => {
            Err("« / » est réservé : le trousseau range les secrets d'un profil sous PROFIL/smtp, PROFIL/api, \
             PROFIL/webhook ; lettres, chiffres, « - », « _ » et « . » seulement"
                .to_owned())
        }
        Some(c) => Err(format!(
            "caractère « {} » refusé ; lettres, chiffres, « - », « _ » et « . » seulement",
            c.escape_debug()
        )),
    }
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line option, by its name (`--server`).
    Flag(&'static str),
    /// An environment variable, by its name.
    Env(&'static str),
    /// A profile of the config file, by its name.
    Profile(String),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) => write!(f, "option {name}"),
            Source::Env(name) => write!(f, "variable {name}"),
            Source::Profile(name) => write!(f, "profil {name}"),
            Source::Default => f.write_str("défaut"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

#[cfg(test)]
mod tests;
