//! The HTTP side of `serve`: accept loop (HTTP/1.1, optional TLS), bearer token, limits, access
//! log, JSON errors, graceful shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use super::State;
use super::answer::{error_response, refusal};
use super::connections::{Limits, Registry, Watched};
use crate::diagnostics;
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;
use crate::stop;

/// One connection until it ends, or until shutdown: then the request in flight completes and the
/// connection closes. (A macro: hyper's connection type is spelt differently with and without TLS.)
macro_rules! drive {
    ($connection:expr, $stop:expr) => {{
        let connection = $connection;
        tokio::pin!(connection);
        tokio::select! {
            _ = connection.as_mut() => {}
            _ = $stop.changed() => {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
    }};
}

/// A request that takes longer is answered 504: a screen must not hang.
const REQUEST_TIMEOUT: Duration = Duration::from_mins(2);
/// How long in-flight requests get to finish after SIGTERM or Ctrl-C.
const DRAIN: Duration = Duration::from_secs(30);
/// Accept errors closer than this are one burst, said in one line.
const BURST_GAP: Duration = Duration::from_secs(1);
/// The pause after a failed accept doubles from the first to the last (as Go's and hyper's
/// servers do): a full descriptor table is not retried in a busy loop.
const ACCEPT_PAUSES: (Duration, Duration) = (Duration::from_millis(5), Duration::from_secs(1));

pub struct Options {
    pub listen: SocketAddr,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub token: Secret,
    pub max_requests: usize,
    pub limits: Limits,
    pub quiet: bool,
    /// The web origins allowed to call from a browser (CORS); none by default.
    pub origins: Vec<String>,
    /// The automatic sync (`--sync-interval`): its interval, and its webhook.
    pub sync: Option<(Duration, Option<crate::app::watch::Hook>)>,
}

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish.
pub async fn serve(state: Arc<State>, options: Options) -> Result<()> {
    // Listening before the address is said: a script may stop the server as soon as it reads it.
    let stop = stop::listen();
    let listener = TcpListener::bind(options.listen).await.map_err(|e| {
        Error::usage(format!("écoute sur {} impossible : {e}", options.listen))
            .with_hint("choisissez une autre adresse avec --listen (port 0 : un port libre)")
    })?;
    let local = listener.local_addr().map_err(|e| Error::new(Kind::Unexpected, e.to_string()))?;
    let scheme = if options.tls.is_some() { "https" } else { "http" };
    // Always said, even with --quiet: scripts and tests read the address from it.
    diagnostics::line(&format!("API Batigest servie sur {scheme}://{local}"));
    // Run beside the accept loop, in this task (`serve` is the runtime's main future): the sync
    // streams devis through async callbacks, which a spawned task could not hold across threads.
    let (sync, sync_state, quiet) = (options.sync, state.clone(), options.quiet);
    let mut syncing = sync.is_some();
    let autosync = async move {
        if let Some((interval, hook)) = sync {
            super::autosync::run(sync_state, (interval, quiet), hook, stop::listen()).await;
        }
    };
    tokio::pin!(autosync);
    let app = router(state);
    let tls = options.tls.map(tokio_rustls::TlsAcceptor::from);
    let gate = Arc::new(Gate {
        token: options.token,
        slots: Semaphore::new(options.max_requests),
        quiet: options.quiet,
        origins: options.origins,
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let registry = Arc::new(Registry::default());
    let limits = options.limits;
    let stop = stop.requested();
    tokio::pin!(stop);
    let mut refusals = Refusals::default();
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut stop => break,
            () = &mut autosync, if syncing => {
                syncing = false;
                continue;
            }
            accepted = listener.accept() => match accepted {
                Ok(accepted) => {
                    refusals.pause = Duration::ZERO;
                    accepted
                }
                Err(error) => {
                    let pause = refusals.failed(&error, &registry);
                    tokio::select! {
                        _ = &mut stop => break,
                        () = tokio::time::sleep(pause) => continue,
                    }
                }
            },
        };
        // Finished connections are reaped as new ones come, so the set does not grow with every
        // client that came and went (only the ones still open are waited for at shutdown).
        while connections.try_join_next().is_some() {}
        let (app, gate, tls, mut stop_rx) = (app.clone(), gate.clone(), tls.clone(), stop_rx.clone());
        let entry = registry.open();
        connections.spawn(async move {
            let watch = entry.watch.clone();
            let answering = watch.clone();
            let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                let (app, gate) = (app.clone(), gate.clone());
                // No clock while the request is answered, until hyper has taken its whole body.
                let answering = answering.request();
                async move {
                    let response = gate.handle(app, request.map(Body::new), peer).await;
                    Ok::<_, Infallible>(response.map(move |body| {
                        Body::new(http_body_util::BodyExt::map_frame(body, move |frame| {
                            let _ = &answering;
                            frame
                        }))
                    }))
                }
            });
            let tcp = Watched::new(tcp, watch.clone());
            let connection = async {
                let http = hyper::server::conn::http1::Builder::new();
                if let Some(acceptor) = tls {
                    let Ok(stream) = acceptor.accept(tcp).await else { return };
                    drive!(http.serve_connection(TokioIo::new(stream), service), stop_rx);
                } else {
                    drive!(http.serve_connection(TokioIo::new(tcp), service), stop_rx);
                }
            };
            // A client too slow to send its request, silent too long, or closed to make room.
            tokio::select! {
                () = connection => {}
                () = watch.expired(limits) => {}
            }
            drop(entry);
        });
    }
    let _ = stop_tx.send(true);
    if !options.quiet {
        diagnostics::line("Arrêt demandé : les requêtes en cours se terminent…");
    }
    let drained = tokio::time::timeout(DRAIN, async {
        // The automatic sync finishes the devis it is on.
        tokio::join!(async { while connections.join_next().await.is_some() {} }, async {
            if syncing {
                autosync.await;
            }
        });
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
    Ok(())
}

/// The routes, a JSON 404 for any other path, and a JSON 405 naming the methods a path takes.
fn router(state: Arc<State>) -> axum::Router {
    let fallback = super::routes::routes()
        .into_iter()
        .fold(axum::Router::new(), |router, route| router.route(route.path, route.handler))
        .fallback(|| async {
            error_response(
                &Error::new(Kind::NotFound, "route inconnue").with_hint("GET /api/batigest/openapi.json les liste"),
            )
        });
    // The route exists, not with this method: JSON too, with the methods it takes in `Allow`.
    fallback
        .method_not_allowed_fallback(|method: axum::http::Method, uri: axum::http::Uri| async move {
            let message = format!("méthode {method} refusée sur {}", uri.path());
            let hint =
                "l'en-tête Allow donne les méthodes acceptées ; GET /api/batigest/openapi.json décrit chaque route";
            refusal(StatusCode::METHOD_NOT_ALLOWED, "methode_refusee", &message, Some(hint))
        })
        .with_state(state)
}

/// Failed accepts: each pauses the loop a little longer, a burst of them is said once, and each
/// closes the connection that has waited longest for a request, so that a full descriptor table
/// (« Too many open files ») makes room for the next client.
#[derive(Default)]
struct Refusals {
    last: Option<Instant>,
    pause: Duration,
}

impl Refusals {
    /// The pause before accepting again.
    fn failed(&mut self, error: &std::io::Error, registry: &Registry) -> Duration {
        use std::io::ErrorKind;
        // A client that gave up before being accepted: nothing is short, go on at once.
        if matches!(error.kind(), ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted) {
            return Duration::ZERO;
        }
        let now = Instant::now();
        if self.last.is_none_or(|last| now - last > BURST_GAP) {
            diagnostics::line(&format!(
                "Connexions refusées : {error} ; nouvel essai après une pause, la connexion inactive la plus ancienne \
                 est fermée pour faire de la place"
            ));
        }
        self.last = Some(now);
        registry.close_oldest_idle();
        self.pause = (self.pause * 2).clamp(ACCEPT_PAUSES.0, ACCEPT_PAUSES.1);
        self.pause
    }
}

/// What every request goes through: CORS, the concurrency cap, the token, the timeout, the access log.
struct Gate {
    token: Secret,
    slots: Semaphore,
    quiet: bool,
    origins: Vec<String>,
}

impl Gate {
    async fn handle(&self, app: axum::Router, request: Request, peer: SocketAddr) -> Response {
        let started = Instant::now();
        let method = request.method().clone();
        // The path only: a query string may carry client codes, never worth a log line.
        let path = request.uri().path().to_owned();
        let response = self.answer(app, request).await;
        if !self.quiet {
            let (status, elapsed) = (response.status().as_u16(), started.elapsed().as_millis());
            diagnostics::line(&format!("{peer} {method} {path} {status} {elapsed} ms"));
        }
        response
    }

    /// Answers a browser's preflight itself; otherwise the request, with the CORS headers when its
    /// origin is one of the profile's. An origin not listed gets no CORS header: the browser then
    /// keeps the answer from its page.
    async fn answer(&self, app: axum::Router, request: Request) -> Response {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .filter(|origin| self.origins.iter().any(|allowed| origin.as_bytes() == allowed.as_bytes()))
            .cloned();
        if request.method() == axum::http::Method::OPTIONS
            && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            let Some(origin) = origin else {
                return refusal(
                    StatusCode::FORBIDDEN,
                    "origine_refusee",
                    "origine non autorisée : ajoutez-la à [profiles.NOM.serve] origines",
                    None,
                );
            };
            let mut response = StatusCode::NO_CONTENT.into_response();
            let headers = response.headers_mut();
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            headers
                .insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            headers.insert(header::VARY, HeaderValue::from_static("origin"));
            return response;
        }
        let mut response = self.checked(app, request).await;
        if let Some(origin) = origin {
            response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.headers_mut().insert(header::VARY, HeaderValue::from_static("origin"));
        }
        response
    }

    async fn checked(&self, app: axum::Router, request: Request) -> Response {
        use tower::ServiceExt;
        let public = request.uri().path() == "/healthz";
        if !public && !self.authorized(request.headers().get(header::AUTHORIZATION)) {
            let mut response =
                refusal(StatusCode::UNAUTHORIZED, "non_autorise", "jeton d'accès absent ou invalide", None);
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
        let Ok(_slot) = self.slots.try_acquire() else {
            return refusal(
                StatusCode::TOO_MANY_REQUESTS,
                "trop_de_requetes",
                "trop de requêtes en même temps : réessayez dans un instant",
                None,
            );
        };
        match tokio::time::timeout(REQUEST_TIMEOUT, app.oneshot(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(_) => refusal(StatusCode::GATEWAY_TIMEOUT, "delai_depasse", "la requête a pris trop de temps", None),
        }
    }

    /// `Bearer <token>`, the scheme in any case (RFC 9110 §11.1), the token compared in constant time.
    fn authorized(&self, header: Option<&HeaderValue>) -> bool {
        let Some((scheme, given)) = header.and_then(|value| value.to_str().ok()).and_then(|v| v.split_once(' ')) else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer")
            && constant_time_eq(given.trim().as_bytes(), self.token.expose().as_bytes())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for (i, byte) in b.iter().enumerate() {
        diff |= a.get(i).copied().unwrap_or(0) ^ byte;
    }
    diff == 0
}

/// The server certificate and key, PEM.
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject;
    let refused = |what: &Path, why: String| {
        Error::usage(format!("{} inutilisable : {why}", what.display()))
            .with_hint("--cert attend le certificat PEM du serveur, --key sa clé privée PEM")
    };
    let chain = crate::files::pem_certificates(cert).map_err(|why| refused(cert, why))?;
    let key_bytes = crate::files::read(key).map_err(|e| refused(key, crate::files::reason(&e)))?;
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|_| refused(key, "aucune clé PEM lisible".to_owned()))?;
    let mut config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::new(Kind::Unexpected, format!("TLS : {e}")))?
            .with_no_client_auth()
            .with_single_cert(chain, key_der)
            .map_err(|e| refused(key, format!("ne correspond pas au certificat ({e})")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abd", b"abc"));
        assert!(!constant_time_eq(b"ab", b"abc"));
        assert!(!constant_time_eq(b"abcd", b"abc"));
        assert!(!constant_time_eq(b"", b"abc"));
    }
}
