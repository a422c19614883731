//! What can be wrong with the settings, in the words users read. Every one is a usage error
//! (exit 2, `crate::error` classifies them); each keeps the error it comes from, if any, and says
//! what to do next in its [`hint`](ConfigError::hint).

use std::path::PathBuf;

use super::Source;
use super::env::{CONFIG_VAR, PASSWORD_VAR, PORT_VAR, USER_VAR};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("la variable {name} contient des caractères invalides (pas de l'UTF-8)")]
    NotUnicode { name: String },

    #[error("dossier de configuration introuvable (aucun dossier personnel)")]
    NoConfigDir,

    /// `JLM_BATIGEST_CONFIG` names a file that is not there.
    #[error("{CONFIG_VAR} désigne {} : ce fichier n'existe pas", path.display())]
    NamedFileMissing { path: PathBuf },

    #[error("lecture de {} impossible : {}", path.display(), crate::files::reason(source))]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Never the value: only where the key is.
    #[error("{at} : clé « password » refusée : le mot de passe ne s'écrit jamais dans le fichier de configuration")]
    Password { at: String },

    #[error("{at} : TOML invalide : {message}")]
    Syntax { at: String, message: String },

    /// serde's refusal of the file, told in French at its line (see `wording`).
    #[error("{message}")]
    Refused {
        message: String,
        hint: Option<String>,
        detail: Option<String>,
        #[source]
        source: Box<toml::de::Error>,
    },

    #[error("{at} : profil « {name} » : {why}")]
    ProfileName { at: String, name: String, why: String },

    #[error("{message}")]
    UnknownProfile { name: String, path: PathBuf, message: String },

    #[error("port 0 invalide ({origin})")]
    ZeroPort { origin: Source },

    #[error("délai de 0 seconde invalide ({origin})")]
    ZeroTimeout { origin: Source },

    #[error("aucun utilisateur SQL : --user, {USER_VAR} ou le profil « {profile} »")]
    NoUser { profile: String },

    #[error("serveur « {server} » invalide ({origin}) : attendu HÔTE ou HÔTE\\INSTANCE")]
    BadServer { server: String, origin: Source },

    /// `HOST\INSTANCE` and an explicit instance of the same source disagree.
    #[error("deux instances différentes : « {instance} » ({origin}) et « {explicit} » ({explicit_origin})")]
    TwoInstances { instance: String, origin: Source, explicit: String, explicit_origin: Source },

    #[error("{PORT_VAR} vaut « {raw} » : ce n'est pas un port TCP (1 à 65535)")]
    PortVariable { raw: String },
}

impl ConfigError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            ConfigError::NoConfigDir => {
                Some(format!("indiquez le fichier de configuration par la variable {CONFIG_VAR}"))
            }
            ConfigError::NamedFileMissing { .. } => Some(format!(
                "corrigez le chemin ou créez le fichier ; sans la variable {CONFIG_VAR}, le fichier du dossier de \
                 configuration du système est lu (jlm-batigest config path)"
            )),
            ConfigError::Password { .. } => Some(format!(
                "enregistrez-le dans le trousseau avec « jlm-batigest login », ou utilisez la variable {PASSWORD_VAR} ; \
                 retirez la ligne du fichier"
            )),
            ConfigError::Refused { hint, .. } => hint.clone(),
            ConfigError::ProfileName { .. } => Some("renommez la table [profiles.NOM]".to_owned()),
            ConfigError::UnknownProfile { name, path, .. } => Some(format!(
                "ajoutez une table [profiles.{name}] à {}, ou choisissez un autre --profile",
                path.display()
            )),
            ConfigError::NotUnicode { .. }
            | ConfigError::Unreadable { .. }
            | ConfigError::Syntax { .. }
            | ConfigError::ZeroPort { .. }
            | ConfigError::ZeroTimeout { .. }
            | ConfigError::NoUser { .. }
            | ConfigError::BadServer { .. }
            | ConfigError::TwoInstances { .. }
            | ConfigError::PortVariable { .. } => None,
        }
    }

    /// The parser's own words, when they help.
    pub fn detail(&self) -> Option<String> {
        match self {
            ConfigError::Refused { detail, .. } => detail.clone(),
            _ => None,
        }
    }
}
