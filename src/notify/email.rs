//! The e-mail channel: one message per run (plain text and HTML) over SMTP, always encrypted —
//! STARTTLS required, or TLS from the first byte — with the password from the keyring.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Lot, NotifyError, SmtpFailure};
use crate::config::{EmailSettings, Securite};
use crate::secret::Secret;

/// The SMTP server, ready to send: addresses parsed, TLS set up, credentials known.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    server: String,
}

impl Mailer {
    /// Checks everything that can be checked before connecting: the CA file, the password when a
    /// user is set (the addresses were checked with the profile). A problem here is the configuration's (exit 2).
    pub fn new(settings: &EmailSettings, password: Option<&Secret>, timeout: Duration) -> Result<Self, NotifyError> {
        let mut tls = TlsParameters::builder(settings.serveur.clone());
        if let Some(path) = &settings.ca_file {
            for der in super::ca_certificates("email", path, "du serveur SMTP")? {
                let certificate = Certificate::from_der(der.to_vec())
                    .map_err(|source| NotifyError::CaCertificate { path: path.clone(), source })?;
                tls = tls.add_root_certificate(certificate);
            }
        }
        let tls = tls.build_rustls().map_err(|source| NotifyError::Tls { server: settings.serveur.clone(), source })?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.serveur.clone())
            .port(settings.port)
            .timeout(Some(timeout))
            .tls(match settings.securite {
                Securite::Starttls => Tls::Required(tls),
                Securite::Tls => Tls::Wrapper(tls),
            });
        if let Some(user) = &settings.utilisateur {
            let password = password.ok_or_else(|| NotifyError::NoSmtpPassword { user: user.clone() })?;
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        let server = format!("{}:{}", settings.serveur, settings.port);
        Ok(Self { transport: builder.build(), from: settings.de.clone(), to: settings.a.clone(), server })
    }

    /// Sends the lot as one message.
    pub async fn send(&self, lot: &Lot<'_>) -> Result<(), NotifyError> {
        let mut message = Message::builder().from(self.from.clone()).subject(lot.subject());
        for to in &self.to {
            message = message.to(to.clone());
        }
        let message = message
            .multipart(MultiPart::alternative_plain_html(lot.text(), lot.html()))
            .map_err(|source| NotifyError::Compose { source })?;
        tracing::info!(serveur = %self.server, destinataires = self.to.len(), alertes = lot.alertes.len(), "envoi de l'e-mail");
        self.transport.send(message).await.map(drop).map_err(|e| self.failure(e))
    }

    /// A refusal by the server (5xx, or what it does not offer) is the configuration's: exit 2. A
    /// server out of reach, busy (4xx) or whose certificate fails is exit 3: the alerts stay to send.
    fn failure(&self, error: lettre::transport::smtp::Error) -> NotifyError {
        let code = error.status().map(|code| code.to_string()).unwrap_or_default();
        let failure = if error.is_permanent() {
            SmtpFailure::Refused
        } else if error.is_client() {
            SmtpFailure::Unsupported
        } else if error.is_tls() || tls_refused(&error) {
            SmtpFailure::Tls
        } else if error.is_transient() {
            SmtpFailure::Busy
        } else if error.is_timeout() {
            SmtpFailure::Timeout
        } else {
            SmtpFailure::Unreachable
        };
        NotifyError::Smtp { failure, server: self.server.clone(), code, source: error }
    }
}

/// Whether a TLS refusal (a certificate not trusted, a handshake failure) lies under the error:
/// the SMTP library reports those as connection errors.
fn tls_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if error.is::<rustls::Error>() {
            return true;
        }
        if let Some(io) = error.downcast_ref::<std::io::Error>()
            && io.get_ref().is_some_and(<dyn std::error::Error + Send + Sync>::is::<rustls::Error>)
        {
            return true;
        }
        source = error.source();
    }
    false
}
