//! The webhook channel: the run's new alerts as one JSON POST, signed with HMAC-SHA256 when the
//! profile asks (`X-Jlm-Signature: sha256=HEX` over the exact body), retried with backoff when the
//! receiver fails (5xx, no answer in time, connection lost), never when it refuses (4xx).
//! Every attempt of one delivery carries the same `X-Jlm-Delivery` id, so that a receiver can
//! drop a repeat.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HOST, USER_AGENT};
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::config::WebhookSettings;
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// Attempts of one delivery, and the wait before the second (doubled each time after).
const ATTEMPTS: u32 = 4;
const FIRST_WAIT: Duration = Duration::from_millis(500);
/// How much of a refusal's body is kept for the message.
const BODY_EXCERPT: usize = 300;

pub struct Webhook {
    uri: Uri,
    host: String,
    port: u16,
    tls: Option<TlsConnector>,
    key: Option<Secret>,
    timeout: Duration,
}

/// Why one attempt failed, and whether another may succeed.
enum Attempt {
    Retry(Error),
    Stop(Error),
}

impl Webhook {
    /// Checks the URL, the CA file and the signing key before anything is sent (exit 2).
    pub fn new(settings: &WebhookSettings, key: Option<&Secret>, timeout: Duration) -> Result<Self> {
        let uri: Uri = settings.url.parse().map_err(|_| {
            Error::usage(format!("[alertes.webhook] url « {} » invalide", settings.url))
                .with_hint("une adresse complète, par exemple https://erp.jlm.fr/hooks/batigest")
        })?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(Error::usage(format!("[alertes.webhook] url « {} » : ni http ni https", settings.url))),
        };
        let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tls = if https { Some(connector(settings)?) } else { None };
        if settings.signer && key.is_none() {
            return Err(Error::usage("[alertes.webhook] signer = true, mais aucune clé de signature").with_hint(
                format!(
                    "enregistrez-la avec « jlm-batigest alertes login-webhook », ou définissez {}",
                    crate::config::WEBHOOK_SECRET_VAR
                ),
            ));
        }
        let key = if settings.signer { key.cloned() } else { None };
        Ok(Self { uri, host, port, tls, key, timeout })
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
                    Err(_) => Err(Attempt::Retry(
                        Error::new(Kind::Connection, format!("le webhook {} ne répond pas à temps", self.target()))
                            .with_hint("les alertes restent à envoyer : le prochain lancement réessaiera"),
                    )),
                };
            match outcome {
                Ok(()) => return Ok(()),
                Err(Attempt::Stop(error)) => return Err(error),
                Err(Attempt::Retry(error)) if attempt >= ATTEMPTS => {
                    let message = format!("{} ({attempt} tentatives)", error.message);
                    return Err(error.reworded(message));
                }
                Err(Attempt::Retry(error)) => {
                    tracing::info!(attente = ?wait, "{} : nouvel essai", error.message);
                }
            }
            tokio::time::sleep(wait).await;
            wait *= 2;
            attempt += 1;
        }
    }

    /// The URL without its query, for messages (a query may hold a key).
    fn target(&self) -> String {
        format!("{}://{}:{}{}", self.uri.scheme_str().unwrap_or("http"), self.host, self.port, self.uri.path())
    }

    async fn post(&self, body: &[u8], delivery: &str, signature: Option<&str>) -> std::result::Result<(), Attempt> {
        let unreachable = |e: &dyn std::fmt::Display| {
            Attempt::Retry(
                Error::new(Kind::Connection, format!("webhook {} injoignable", self.target()))
                    .with_hint("les alertes restent à envoyer : vérifiez [alertes.webhook] url, puis relancez")
                    .with_detail(e.to_string()),
            )
        };
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await.map_err(|e| unreachable(&e))?;
        let _ = tcp.set_nodelay(true);
        let mut request = Request::post(self.uri.path_and_query().map_or("/", |p| p.as_str()))
            .header(HOST, self.uri.authority().map_or(self.host.as_str(), |a| a.as_str()))
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .header(USER_AGENT, concat!("jlm-batigest/", env!("CARGO_PKG_VERSION")))
            .header("X-Jlm-Delivery", delivery);
        if let Some(signature) = signature {
            request = request.header("X-Jlm-Signature", format!("sha256={signature}"));
        }
        let request = request.body(Full::new(Bytes::copy_from_slice(body))).map_err(|e| {
            Attempt::Stop(
                Error::new(Kind::Unexpected, "requête du webhook impossible à composer").with_detail(e.to_string()),
            )
        })?;
        let response = match &self.tls {
            Some(connector) => {
                let name = rustls::pki_types::ServerName::try_from(self.host.clone()).map_err(|_| {
                    Attempt::Stop(Error::usage(format!("[alertes.webhook] hôte « {} » invalide pour TLS", self.host)))
                })?;
                let stream = connector.connect(name, tcp).await.map_err(|e| {
                    Attempt::Stop(
                        Error::new(Kind::Connection, format!("échec TLS avec le webhook {}", self.target()))
                            .with_hint("le certificat du destinataire doit être reconnu : donnez son autorité par [alertes.webhook] ca_file")
                            .with_detail(e.to_string()),
                    )
                })?;
                exchange(TokioIo::new(stream), request).await
            }
            None => exchange(TokioIo::new(tcp), request).await,
        }
        .map_err(|e| unreachable(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let excerpt = match Limited::new(response.into_body(), 64 * 1024).collect().await {
            Ok(body) => {
                let bytes = body.to_bytes();
                let text = String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_EXCERPT)]).replace(['\r', '\n'], " ");
                text.trim().to_owned()
            }
            Err(_) => String::new(),
        };
        let detail = |error: Error| if excerpt.is_empty() { error } else { error.with_detail(excerpt.clone()) };
        if status.is_server_error() {
            return Err(Attempt::Retry(detail(
                Error::new(
                    Kind::Connection,
                    format!("le webhook {} est en panne (HTTP {})", self.target(), status.as_u16()),
                )
                .with_hint("les alertes restent à envoyer : le prochain lancement réessaiera"),
            )));
        }
        Err(Attempt::Stop(detail(refused(&self.target(), status))))
    }
}

/// A 4xx (or a redirect) is the receiver saying no: sending again would say no again.
fn refused(target: &str, status: StatusCode) -> Error {
    let hint = match status.as_u16() {
        401 | 403 => {
            "le destinataire refuse l'envoi : vérifiez la clé de signature (alertes login-webhook) et ce qu'il attend"
        }
        300..=399 => "le destinataire redirige : mettez son adresse finale dans [alertes.webhook] url",
        _ => "le destinataire refuse le contenu : les alertes restent à envoyer, corrigez puis relancez",
    };
    Error::usage(format!("le webhook {target} refuse l'envoi (HTTP {})", status.as_u16())).with_hint(hint)
}

async fn exchange<T>(
    io: TokioIo<T>,
    request: Request<Full<Bytes>>,
) -> hyper::Result<hyper::Response<hyper::body::Incoming>>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    let driver = tokio::spawn(connection);
    let response = sender.send_request(request).await;
    drop(sender);
    if response.is_err() {
        driver.abort();
    }
    response
}

/// The system's certificate authorities, plus the profile's own.
fn connector(settings: &WebhookSettings) -> Result<TlsConnector> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = &settings.ca_file {
        roots.add_parsable_certificates(super::ca_certificates("webhook", path, "du destinataire")?);
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(Kind::Unexpected, "TLS indisponible").with_detail(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
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
