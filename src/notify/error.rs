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

    #[error("[alertes.webhook] url « {url} » invalide")]
    WebhookUrl { url: String },

    #[error("[alertes.webhook] url « {url} » : ni http ni https")]
    WebhookScheme { url: String },

    #[error("[alertes.webhook] signer = true, mais aucune clé de signature")]
    NoWebhookKey,

    /// reqwest's error is kept without its URL: a query may hold a key.
    #[error("client du webhook indisponible")]
    WebhookClient {
        #[source]
        source: reqwest::Error,
    },

    #[error("TLS indisponible")]
    TlsUnavailable {
        #[source]
        source: rustls::Error,
    },

    /// The receiver did not answer, or answered with a failure; `failure` says how. `target` is
    /// the URL without its query; `excerpt` the start of what it answered.
    #[error("{}", failure.message(target))]
    Webhook {
        failure: WebhookFailure,
        target: String,
        excerpt: Option<String>,
        #[source]
        source: Option<reqwest::Error>,
    },

    /// Every attempt failed; the last one says why.
    #[error("{last} ({attempts} tentatives)")]
    GaveUp {
        attempts: u32,
        #[source]
        last: Box<NotifyError>,
    },
}

/// How a webhook delivery failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFailure {
    /// No answer in time.
    Late,
    /// A 5xx.
    Down(u16),
    /// The handshake was refused.
    Tls,
    /// Connection refused or lost.
    Unreachable,
    /// A 4xx or a redirect: the receiver says no.
    Refused(u16),
}

impl WebhookFailure {
    fn message(self, target: &str) -> String {
        match self {
            WebhookFailure::Late => format!("le webhook {target} ne répond pas à temps"),
            WebhookFailure::Down(status) => format!("le webhook {target} est en panne (HTTP {status})"),
            WebhookFailure::Tls => format!("échec TLS avec le webhook {target}"),
            WebhookFailure::Unreachable => format!("webhook {target} injoignable"),
            WebhookFailure::Refused(status) => format!("le webhook {target} refuse l'envoi (HTTP {status})"),
        }
    }
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
            NotifyError::WebhookUrl { .. } => "une adresse complète, par exemple https://erp.jlm.fr/hooks/batigest",
            NotifyError::NoWebhookKey => {
                return Some(format!(
                    "enregistrez-la avec « jlm-batigest alertes login-webhook », ou définissez {}",
                    crate::config::WEBHOOK_SECRET_VAR
                ));
            }
            NotifyError::Webhook { failure, .. } => match failure {
                WebhookFailure::Late | WebhookFailure::Down(_) => {
                    "les alertes restent à envoyer : le prochain lancement réessaiera"
                }
                WebhookFailure::Tls => {
                    "le certificat du destinataire doit être reconnu : donnez son autorité par [alertes.webhook] ca_file"
                }
                WebhookFailure::Unreachable => {
                    "les alertes restent à envoyer : vérifiez [alertes.webhook] url, puis relancez"
                }
                WebhookFailure::Refused(401 | 403) => {
                    "le destinataire refuse l'envoi : vérifiez la clé de signature (alertes login-webhook) et ce qu'il attend"
                }
                WebhookFailure::Refused(300..=399) => {
                    "le destinataire redirige : mettez son adresse finale dans [alertes.webhook] url"
                }
                WebhookFailure::Refused(_) => {
                    "le destinataire refuse le contenu : les alertes restent à envoyer, corrigez puis relancez"
                }
            },
            NotifyError::GaveUp { last, .. } => return last.hint(),
            NotifyError::CaCertificate { .. }
            | NotifyError::Tls { .. }
            | NotifyError::Compose { .. }
            | NotifyError::WebhookBody { .. }
            | NotifyError::WebhookScheme { .. }
            | NotifyError::WebhookClient { .. }
            | NotifyError::TlsUnavailable { .. } => return None,
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
            NotifyError::TlsUnavailable { source } => Some(source.to_string()),
            NotifyError::WebhookClient { source } => Some(causes(source)),
            NotifyError::Webhook { failure: WebhookFailure::Tls | WebhookFailure::Unreachable, source, .. } => {
                source.as_ref().map(causes)
            }
            NotifyError::Webhook { excerpt, .. } => excerpt.clone(),
            NotifyError::GaveUp { last, .. } => last.detail(),
            NotifyError::CaFile { .. }
            | NotifyError::NoSmtpPassword { .. }
            | NotifyError::WebhookBody { .. }
            | NotifyError::WebhookUrl { .. }
            | NotifyError::WebhookScheme { .. }
            | NotifyError::NoWebhookKey => None,
        }
    }
}

/// What went wrong under reqwest's own words, without the URL (its query may hold a key).
fn causes(error: &reqwest::Error) -> String {
    let mut words = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        words.push(cause.to_string());
        source = cause.source();
    }
    if words.is_empty() { error.to_string() } else { words.join(" : ") }
}
