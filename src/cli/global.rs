//! Options accepted by every command, before or after its name (DESIGN §2): the settings
//! options are [`crate::config::Flags`]; the output options are here.

use std::path::PathBuf;

use clap::builder::PossibleValue;

use crate::batigest::connection::{Auth, Encryption};
use crate::output::Format;

/// `--encrypt`'s values: the domain's own modes, with their French help.
impl clap::ValueEnum for Encryption {
    fn value_variants<'a>() -> &'a [Self] {
        &[Encryption::Required, Encryption::LoginOnly, Encryption::Off, Encryption::Strict]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Encryption::Required => "tout est chiffré, certificat vérifié",
            Encryption::LoginOnly => "seule la connexion (mot de passe) est chiffrée",
            Encryption::Off => "aucun chiffrement : le mot de passe circule en clair",
            Encryption::Strict => {
                "TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié"
            }
        };
        Some(PossibleValue::new(self.as_str()).help(help))
    }
}

/// `--auth`'s values.
impl clap::ValueEnum for Auth {
    fn value_variants<'a>() -> &'a [Self] {
        &[Auth::Sql, Auth::Windows, Auth::Integrated]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Auth::Sql => "compte SQL Server et son mot de passe",
            Auth::Windows => "compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système",
            Auth::Integrated => "l'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement",
        };
        Some(PossibleValue::new(self.as_str()).help(help))
    }
}

/// How results are written.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Sortie")]
pub struct OutputArgs {
    /// Format de sortie (défaut : table)
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)
    #[arg(short = 'o', long, global = true, value_name = "FICHIER")]
    pub output: Option<PathBuf>,

    /// CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA
    #[arg(long, global = true)]
    pub excel: bool,

    /// Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never
    #[arg(long, global = true, value_enum, value_name = "QUAND", default_value = "auto")]
    pub color: ColorArg,

    /// Pas de barre de progression
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorArg {
    /// si la sortie est un terminal et NO_COLOR n'est pas défini
    #[default]
    Auto,
    /// toujours
    Always,
    /// jamais
    Never,
}

/// `--format`'s values.
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Table, Format::Csv, Format::Json, Format::Ndjson]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Format::Table => PossibleValue::new("table").help("tableau lisible, nombres à la française"),
            Format::Csv => PossibleValue::new("csv").help("CSV (RFC 4180)"),
            Format::Json => PossibleValue::new("json").help("un document JSON"),
            Format::Ndjson => PossibleValue::new("ndjson").help("un objet JSON par ligne"),
        })
    }
}
