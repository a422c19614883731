//! The command-line options that are settings, declared once: clap reads them (flattened into
//! every command) and the resolution takes them as its first layer.

use std::path::PathBuf;

use crate::batigest::connection::{Auth, Encryption};
use crate::values;

/// Connection and store overrides. `None` means "not given on the command line": the settings
/// layer then looks at the environment, the profile, and the defaults, in that order.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Connexion à Batigest")]
pub struct Flags {
    /// Profil du fichier de configuration (défaut : « default »)
    #[arg(long, global = true, value_name = "NOM", value_parser = profile)]
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

/// `--profile`'s parser (see [`super::check_profile_name`]).
fn profile(text: &str) -> Result<String, String> {
    super::check_profile_name(text).map(|()| text.to_owned())
}
