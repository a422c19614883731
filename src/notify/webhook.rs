//! The webhook channel: the run's new alerts as one JSON POST, signed with HMAC-SHA256 when the
//! profile asks (`X-Jlm-Signature: sha256=HEX` over the exact body), retried with backoff when the
//! receiver fails (5xx, no answer in time, connection lost), never when it refuses (4xx).
//! Every attempt of one delivery carries the same `X-Jlm-Delivery` id, so that a receiver can
//! drop a repeat.

use std::time::Duration;

use reqwest::header::CONTENT_TYPE;

use super::{NotifyError, WebhookFailure};
use crate::config::WebhookSettings;
use crate::secret::Secret;

type Result<T, E = NotifyError> = std::result::Result<T, E>;

/// Attempts of one delivery, and the wait before the second (doubled each time after).
const ATTEMPTS: u32 = 4;
const FIRST_WAIT: Duration = Duration::from_millis(500);
/// How much of a refusal's body is read, and how much of it is kept for the message.
const BODY_READ: usize = 64 * 1024;
const BODY_EXCERPT: usize = 300;

/// The receiver, reached through reqwest: HTTP/1.1, no redirect followed, no proxy (the alerts
/// go straight to the URL the profile names), TLS by rustls over our own root store.
pub struct Webhook {
    client: reqwest::Client,
    url: reqwest::Url,
    key: Option<Secret>,
    timeout: Duration,
}

/// Why one attempt failed, and whether another may succeed.
enum Attempt {
    Retry(NotifyError),
    Stop(NotifyError),
}

impl Webhook {
    /// Checks the URL, the CA file and the signing key before anything is sent (exit 2).
    pub fn new(settings: &WebhookSettings, key: Option<&Secret>, timeout: Duration) -> Result<Self> {
        let url =
            reqwest::Url::parse(&settings.url).map_err(|_| NotifyError::WebhookUrl { url: settings.url.clone() })?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err(NotifyError::WebhookScheme { url: settings.url.clone() }),
        };
        if settings.signer && key.is_none() {
            return Err(NotifyError::NoWebhookKey);
        }
        let mut client = reqwest::Client::builder()
            .http1_only()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("jlm-batigest/", env!("CARGO_PKG_VERSION")));
        if https {
            client = client.tls_backend_preconfigured(tls_config(settings)?);
        }
        let client = client.build().map_err(|e| NotifyError::WebhookClient { source: e.without_url() })?;
        let key = if settings.signer { key.cloned() } else { None };
        Ok(Self { client, url, key, timeout })
    }

    /// Posts `body`, retrying what may pass on a second try.
    pub async fn send(&self, body: &[u8], delivery: &str) -> Result<()> {
        let signature = self.key.as_ref().map(|key| signature(key, body));
        let mut wait = FIRST_WAIT;
        let mut attempt = 1;
        loop {
            tracing::info!(adresse = %self.target(), tentative = attempt, octets = body.len(), "envoi au webhook");
            let outcome =
                match tokio::time::timeout(self.timeout, self.post(body, delivery, signature.as_deref())).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(Attempt::Retry(self.late())),
                };
            match outcome {
                Ok(()) => return Ok(()),
                Err(Attempt::Stop(error)) => return Err(error),
                Err(Attempt::Retry(error)) if attempt >= ATTEMPTS => {
                    return Err(NotifyError::GaveUp { attempts: attempt, last: Box::new(error) });
                }
                Err(Attempt::Retry(error)) => {
                    tracing::info!(attente = ?wait, "{error} : nouvel essai");
                }
            }
            tokio::time::sleep(wait).await;
            wait *= 2;
            attempt += 1;
        }
    }

    /// The URL without its query, for messages (a query may hold a key).
    fn target(&self) -> String {
        let host = self.url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
        let port = self.url.port_or_known_default().unwrap_or_default();
        format!("{}://{host}:{port}{}", self.url.scheme(), self.url.path())
    }

    fn late(&self) -> NotifyError {
        self.failure(WebhookFailure::Late, None, None)
    }

    fn failure(&self, failure: WebhookFailure, excerpt: Option<String>, source: Option<reqwest::Error>) -> NotifyError {
        NotifyError::Webhook {
            failure,
            target: self.target(),
            excerpt,
            source: source.map(reqwest::Error::without_url),
        }
    }

    async fn post(&self, body: &[u8], delivery: &str, signature: Option<&str>) -> std::result::Result<(), Attempt> {
        let mut request = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .header("X-Jlm-Delivery", delivery)
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("X-Jlm-Signature", format!("sha256={signature}"));
        }
        let mut response = request.send().await.map_err(|e| self.failed(e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let mut bytes = Vec::new();
        while bytes.len() < BODY_READ {
            match response.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) | Err(_) => break,
            }
        }
        let excerpt = String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_EXCERPT)]).replace(['\r', '\n'], " ");
        let excerpt = Some(excerpt.trim()).filter(|excerpt| !excerpt.is_empty()).map(str::to_owned);
        if status.is_server_error() {
            return Err(Attempt::Retry(self.failure(WebhookFailure::Down(status.as_u16()), excerpt, None)));
        }
        // A 4xx (or a redirect) is the receiver saying no: sending again would say no again.
        Err(Attempt::Stop(self.failure(WebhookFailure::Refused(status.as_u16()), excerpt, None)))
    }

    /// An attempt that got no answer: a TLS refusal stops (the next try would be refused
    /// alike), anything else (connection refused or lost, no answer in time) is tried again.
    fn failed(&self, error: reqwest::Error) -> Attempt {
        if is_tls(&error) {
            return Attempt::Stop(self.failure(WebhookFailure::Tls, None, Some(error)));
        }
        if error.is_timeout() {
            return Attempt::Retry(self.late());
        }
        Attempt::Retry(self.failure(WebhookFailure::Unreachable, None, Some(error)))
    }
}

/// Whether rustls refused the handshake somewhere down the error's causes. An `io::Error` hides
/// the error it carries from `source` (and reqwest's connector wraps one `io::Error` in another),
/// hence the look inside each.
fn is_tls(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        let mut inner: Option<&(dyn std::error::Error + 'static)> = Some(cause);
        while let Some(error) = inner {
            if error.is::<rustls::Error>() {
                return true;
            }
            inner = error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).map(|e| e as _);
        }
        source = cause.source();
    }
    false
}

/// The system's certificate authorities, plus the profile's own.
fn tls_config(settings: &WebhookSettings) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = &settings.ca_file {
        roots.add_parsable_certificates(super::ca_certificates("webhook", path, "du destinataire")?);
    }
    Ok(rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|source| NotifyError::TlsUnavailable { source })?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// HMAC-SHA256 of the body under the key, as lowercase hex.
pub fn signature(key: &Secret, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key.expose().as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    crate::secret::hex(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231_hmac_sha256() {
        // RFC 4231, test case 2.
        let key = Secret::new("Jefe".to_owned());
        assert_eq!(
            signature(&key, b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
