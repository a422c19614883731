//! Options accepted by every command, before or after its name (DESIGN §2).

use std::path::PathBuf;

use clap::builder::PossibleValue;

use super::values;
use crate::batigest::connection::{Auth, Encryption};
use crate::config::Flags;
use crate::output::Format;

/// Connection and store overrides. `None` means "not given on the command line": the settings
/// layer then looks at the environment, the profile, and the defaults, in that order.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Connexion à Batigest")]
pub struct ConnectionArgs {
    /// Profil du fichier de configuration (défaut : « default »)
    #[arg(long, global = true, value_name = "NOM", value_parser = values::profile)]
    pub profile: Option<String>,

    /// Serveur SQL Server de Batigest (HÔTE, ou HÔTE\INSTANCE)
    #[arg(long, global = true, value_name = "HÔTE")]
    pub server: Option<String>,

    /// Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)
    #[arg(long, global = true, value_name = "PORT", value_parser = values::port)]
    pub port: Option<u16>,

    /// Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)
    #[arg(long, global = true, value_name = "NOM")]
    pub instance: Option<String>,

    /// Base de données Batigest (défaut BATIGEST_CONNECT)
    #[arg(long, global = true, value_name = "NOM")]
    pub database: Option<String>,

    /// Utilisateur SQL
    #[arg(long, global = true, value_name = "NOM")]
    pub user: Option<String>,

    /// Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\utilisateur) ou intégrée (session Windows)
    #[arg(long, global = true, value_enum, value_name = "MODE")]
    pub auth: Option<Auth>,

    /// Chiffrement de la connexion (défaut required)
    #[arg(long, global = true, value_enum, value_name = "MODE")]
    pub encrypt: Option<Encryption>,

    /// Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché
    #[arg(long, global = true, conflicts_with = "ca_file")]
    pub trust_cert: bool,

    /// Autorité de certification (PEM) qui signe le certificat du serveur
    #[arg(long, global = true, value_name = "FICHIER")]
    pub ca_file: Option<PathBuf>,

    /// Délai maximal de connexion et de chaque requête, en secondes
    #[arg(long, global = true, value_name = "SECONDES", value_parser = values::number)]
    pub timeout: Option<u64>,

    /// Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML
    #[arg(long, global = true, value_name = "FICHIER|batigest")]
    pub schema: Option<PathBuf>,

    /// Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données
    #[arg(long, global = true, value_name = "URL", help_heading = "Magasin JLM")]
    pub jlm_db: Option<String>,

    /// Lit le mot de passe SQL sur l'entrée standard (une ligne)
    #[arg(long, global = true)]
    pub password_stdin: bool,
}

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

impl ConnectionArgs {
    /// The options as plain settings, for the layers below the command line.
    pub fn flags(&self) -> Flags {
        Flags {
            profile: self.profile.clone(),
            server: self.server.clone(),
            port: self.port,
            instance: self.instance.clone(),
            database: self.database.clone(),
            user: self.user.clone(),
            auth: self.auth,
            encrypt: self.encrypt,
            trust_cert: self.trust_cert,
            ca_file: self.ca_file.clone(),
            timeout: self.timeout,
            schema: self.schema.clone(),
            jlm_db: self.jlm_db.clone(),
            password_stdin: self.password_stdin,
        }
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
