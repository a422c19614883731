//! What can go wrong telling the alerts, in the words users read; `crate::error` classifies each
//! into its exit code (2 for what the profile must fix, 3 for a server out of reach or busy: the
//! alerts stay to send). Each keeps the library's error it comes from.

use std::path::PathBuf;

use lettre::transport::smtp;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// `[alertes.CHANNEL] ca_file` cannot be read as PEM certificates.
    #[error("[alertes.{channel}] ca_file « {} » inutilisable : {why}", path.display())]
    CaFile { channel: &'static str, path: PathBuf, why: String, whose: &'static str },

    /// A certificate of `[alertes.email] ca_file` the SMTP library refuses.
    #[error("[alertes.email] ca_file « {} » inutilisable", path.display())]
    CaCertificate {
        path: PathBuf,
        #[source]
        source: smtp::Error,
    },

    #[error("[alertes.email] TLS vers {server} impossible à préparer")]
    Tls {
        server: String,
        #[source]
        source: smtp::Error,
    },

    #[error("aucun mot de passe SMTP pour {user}")]
    NoSmtpPassword { user: String },

    #[error("e-mail d'alerte impossible à composer")]
    Compose {
        #[source]
        source: lettre::error::Error,
    },

    /// The SMTP server refused or could not be reached; `failure` says how.
    #[error("{}", failure.message(server, code))]
    Smtp {
        failure: SmtpFailure,
        server: String,
        /// The server's reply code, when it gave one.
        code: String,
        #[source]
        source: smtp::Error,
    },

    #[error("corps du webhook impossible : {source}")]
    WebhookBody {
        #[source]
        source: serde_json::Error,
    },
}

/// How an SMTP sending failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpFailure {
    /// A permanent refusal (5xx): the profile's to fix.
    Refused,
    /// The server does not offer what the profile asks (STARTTLS, TLS on this port).
    Unsupported,
    /// A certificate not trusted, a handshake that failed.
    Tls,
    /// A temporary refusal (4xx).
    Busy,
    Timeout,
    Unreachable,
}

impl SmtpFailure {
    fn message(self, server: &str, code: &str) -> String {
        match self {
            SmtpFailure::Refused => format!("le serveur SMTP {server} refuse l'envoi ({code})"),
            SmtpFailure::Unsupported => format!("le serveur SMTP {server} n'offre pas ce que le profil demande"),
            SmtpFailure::Tls => format!("échec TLS avec le serveur SMTP {server}"),
            SmtpFailure::Busy => format!("le serveur SMTP {server} refuse pour l'instant ({code})"),
            SmtpFailure::Timeout => format!("le serveur SMTP {server} ne répond pas à temps"),
            SmtpFailure::Unreachable => format!("serveur SMTP {server} injoignable"),
        }
    }
}

impl NotifyError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            NotifyError::CaFile { whose, .. } => {
                return Some(format!("donnez le certificat de l'autorité {whose}, au format PEM"));
            }
            NotifyError::NoSmtpPassword { .. } => {
                return Some(format!(
                    "enregistrez-le avec « jlm-batigest alertes login-smtp », ou définissez {}",
                    crate::config::SMTP_PASSWORD_VAR
                ));
            }
            NotifyError::Smtp { failure: SmtpFailure::Refused, code, .. }
                if code == "535" || code == "534" || code == "530" =>
            {
                "vérifiez [alertes.email] utilisateur et le mot de passe (jlm-batigest alertes login-smtp)"
            }
            NotifyError::Smtp { failure, .. } => match failure {
                SmtpFailure::Refused => {
                    "vérifiez les adresses [alertes.email] de et a, et que le serveur accepte de relayer pour elles"
                }
                SmtpFailure::Unsupported => {
                    "vérifiez [alertes.email] securite (starttls sur le port 587, tls sur le port 465) et le port"
                }
                SmtpFailure::Tls => {
                    "le certificat du serveur doit être reconnu : donnez son autorité par [alertes.email] ca_file"
                }
                SmtpFailure::Busy => "les alertes restent à envoyer : le prochain lancement réessaiera",
                SmtpFailure::Timeout => "les alertes restent à envoyer : vérifiez le serveur et le port, puis relancez",
                SmtpFailure::Unreachable => {
                    "les alertes restent à envoyer : vérifiez [alertes.email] serveur et port, puis relancez"
                }
            },
            NotifyError::CaCertificate { .. }
            | NotifyError::Tls { .. }
            | NotifyError::Compose { .. }
            | NotifyError::WebhookBody { .. } => return None,
        };
        Some(hint.to_owned())
    }

    /// The library's own words, shown after « Détail : ».
    pub fn detail(&self) -> Option<String> {
        match self {
            NotifyError::CaCertificate { source, .. }
            | NotifyError::Tls { source, .. }
            | NotifyError::Smtp { source, .. } => Some(source.to_string()),
            NotifyError::Compose { source } => Some(source.to_string()),
            NotifyError::CaFile { .. } | NotifyError::NoSmtpPassword { .. } | NotifyError::WebhookBody { .. } => None,
        }
    }
}
