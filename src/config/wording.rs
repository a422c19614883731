//! serde's refusals of the file, told in French at their line with the key they are about.

use std::fmt;
use std::path::Path;

use super::ConfigError;

/// A place in the config file, as messages show it: `FILE, ligne N`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Location<'a> {
    pub(super) path: &'a Path,
    pub(super) line: usize,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, ligne {}", self.path.display(), self.line)
    }
}

/// A refusal of the file, said at its line with the key it is about. serde words an unknown key
/// as « unknown field `x`, expected one of `a`, `b` » (serde's own, stable wording): it is told
/// in French with the keys the place allows.
pub(super) fn file_error(at: Location<'_>, text: &str, offset: usize, source: toml::de::Error) -> ConfigError {
    let (message, hint, detail) = reword(at, text, offset, source.message());
    ConfigError::Refused { message, hint, detail, source: Box::new(source) }
}

/// The message, the hint and the detail of serde's `message`.
fn reword(at: Location<'_>, text: &str, offset: usize, message: &str) -> (String, Option<String>, Option<String>) {
    let place = section_at(text, offset);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let mut names = rest.split('`').step_by(2);
        let key = names.next().unwrap_or_default();
        let allowed: Vec<&str> = names.filter(|name| !name.is_empty()).collect();
        let error = format!("{at} : clé inconnue « {key} » {}", place.describe());
        let hint = if place == Section::Top {
            "les réglages se placent dans une table [profiles.NOM], par exemple [profiles.default]".to_owned()
        } else {
            format!("clés possibles : {}", allowed.join(", "))
        };
        return (error, Some(hint), None);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        // The error points at the table that lacks the key: its header names it.
        let header =
            text.get(offset..).and_then(|rest| rest.lines().next()).map(str::trim).filter(|line| line.starts_with('['));
        let place = header.map_or_else(|| place.describe(), |header| format!("dans {header}"));
        return (format!("{at} : il manque la clé « {key} » {place}"), None, None);
    }
    let key = key_at(text, offset);
    let message_only = match message.strip_prefix("doit être ") {
        Some(expected) => format!("{at} : « {key} » doit être {expected}"),
        None if place == Section::Top && key == "profiles" => {
            format!("{at} : « profiles » doit être une table de profils [profiles.NOM]")
        }
        // A table expected where something else is written (`coefficients = 3`): serde names our
        // own types there, which mean nothing to a user.
        None if message.contains("expected struct") || message.contains("expected a map") => {
            format!("{at} : « {key} » doit être une table ([…{key}] ou {key} = {{ … }})")
        }
        None => {
            return (format!("{at} : valeur de « {key} » refusée"), None, Some(message.trim_end().to_owned()));
        }
    };
    (message_only, None, None)
}

/// Where in the file an offset lies: at the top, in a profile, or in one of its sub-tables.
#[derive(Debug, PartialEq, Eq)]
enum Section {
    Top,
    Profile(String),
    Table(String),
}

impl Section {
    fn describe(&self) -> String {
        match self {
            Section::Top => "en tête du fichier".to_owned(),
            Section::Profile(name) => format!("dans le profil « {name} »"),
            Section::Table(table) => format!("dans [{table}]"),
        }
    }
}

/// The last `[header]` before `offset`.
fn section_at(text: &str, offset: usize) -> Section {
    let before = text.get(..offset).unwrap_or(text);
    let Some(header) = before.lines().rev().map(str::trim).find(|line| line.starts_with('[')) else {
        return Section::Top;
    };
    let header = header.trim_start_matches('[').split(']').next().unwrap_or_default();
    let parts: Vec<&str> = header.split('.').map(|part| part.trim().trim_matches(['"', '\''])).collect();
    match parts.as_slice() {
        ["profiles", name] => Section::Profile((*name).to_owned()),
        ["profiles", _, table, ..] => Section::Table((*table).to_owned()),
        _ => Section::Top,
    }
}

/// The key whose value starts at or around `offset`: the last `key =` before it on its line.
fn key_at(text: &str, offset: usize) -> String {
    let line_start = text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |at| at + 1);
    let line = text.get(line_start..).and_then(|rest| rest.lines().next()).unwrap_or_default();
    let upto = offset.saturating_sub(line_start).min(line.len());
    let head = line.get(..upto).filter(|head| head.contains('=')).unwrap_or(line);
    let before_equals = head.rsplit_once('=').map_or(head, |(key, _)| key);
    // A table's header (`[profiles.x.sync.statuts]`) names the table: its last closing bracket is no part of it.
    let key = before_equals.rsplit(['{', ',', '[']).next().unwrap_or_default().trim().trim_end_matches(']');
    key.trim().trim_matches(['"', '\'']).to_owned()
}
