//! Connecting to Batigest's SQL Server with tiberius over rustls, and turning every failure into
//! one French sentence with a hint.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::config::Auth;
use tiberius::{AuthMethod, Client, Config, EncryptionLevel, SqlBrowser};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// How much of the traffic is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    Required,
    LoginOnly,
    Off,
    /// TDS 8.0: TLS from the first byte, ALPN `tds/8.0`.
    Strict,
}

/// How the server's certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Against the system's trusted roots.
    System,
    /// Against this CA certificate (PEM).
    Ca(PathBuf),
    /// Not at all (`--trust-cert`, an explicit opt-in).
    Anything,
}

/// Everything needed to open a connection. The password is only borrowed for the login.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: String,
    /// With an instance, the SQL Server Browser port; `None` means the protocol default
    /// (1433, or 1434 for the browser).
    pub port: Option<u16>,
    pub instance: Option<String>,
    pub database: String,
    pub user: String,
    pub auth: Auth,
    pub encryption: Encryption,
    pub trust: Trust,
    pub timeout: Duration,
}

impl Target {
    /// `host:port` or `host\instance`, as a user would write it.
    pub fn describe(&self) -> String {
        match (&self.instance, self.port) {
            (Some(instance), _) => format!("{}\\{instance}", self.host),
            (None, Some(port)) => format!("{}:{port}", self.host),
            (None, None) => format!("{}:1433", self.host),
        }
    }
}

/// A failed connection or query: what happened, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { message: message.into(), hint: Some(hint.into()) }
    }
}

pub type Connection = Client<Compat<TcpStream>>;

/// Opens and logs in, within the target's timeout.
pub async fn connect(target: &Target, password: &str) -> Result<Connection, Failure> {
    let config = config(target, password);
    let attempt = async {
        let tcp = if target.instance.is_some() {
            TcpStream::connect_named(&config).await.map_err(|e| explain(target, &e))?
        } else {
            let addr = config.get_addr();
            let tcp = TcpStream::connect(&addr).await.map_err(|e| explain_io(target, &e))?;
            tcp.set_nodelay(true).map_err(|e| explain_io(target, &e))?;
            tcp
        };
        // Boxed: the login future is large.
        Box::pin(Client::connect(config, tcp.compat_write())).await.map_err(|e| explain(target, &e))
    };
    tokio::time::timeout(target.timeout, attempt).await.map_err(|_| timed_out(target, "la connexion"))?
}

fn config(target: &Target, password: &str) -> Config {
    let mut config = Config::new();
    config.host(&target.host);
    if let Some(port) = target.port {
        config.port(port);
    }
    if let Some(instance) = &target.instance {
        config.instance_name(instance);
    }
    config.database(&target.database);
    config.authentication(auth_method(target, password));
    config.application_name("jlm-batigest");
    config.encryption(match target.encryption {
        Encryption::Required => EncryptionLevel::Required,
        Encryption::LoginOnly => EncryptionLevel::Off,
        Encryption::Off => EncryptionLevel::NotSupported,
        Encryption::Strict => EncryptionLevel::Strict,
    });
    match &target.trust {
        Trust::System => {}
        Trust::Ca(path) => config.trust_cert_ca(path.display()),
        Trust::Anything => config.trust_cert(),
    }
    // Our own timeout covers every step (tiberius-ng has no per-response timeout of its own).
    // The largest packets SQL Server allows: fewer headers to read and buffers to split on exports.
    config.packet_size(32767);
    config
}

/// SQL logins everywhere; Windows logins where tiberius-ng can do them (Windows, through SSPI).
#[cfg(windows)]
fn auth_method(target: &Target, password: &str) -> AuthMethod {
    match target.auth {
        Auth::Sql => AuthMethod::sql_server(&target.user, password),
        Auth::Windows => AuthMethod::windows(&target.user, password),
        Auth::Integrated => AuthMethod::Integrated,
    }
}

/// SQL logins only: `check_auth` (exit 2) stops Windows logins before any connection on this platform.
#[cfg(not(windows))]
fn auth_method(target: &Target, password: &str) -> AuthMethod {
    AuthMethod::sql_server(&target.user, password)
}

fn timed_out(target: &Target, what: &str) -> Failure {
    Failure::new(
        format!("délai dépassé : {what} vers {} n'a pas abouti en {} s", target.describe(), target.timeout.as_secs()),
        "vérifiez que le serveur répond, ou allongez le délai avec --timeout SECONDES",
    )
}

fn explain_io(target: &Target, error: &std::io::Error) -> Failure {
    use std::io::ErrorKind;
    let place = target.describe();
    match error.kind() {
        ErrorKind::ConnectionRefused => Failure::new(
            format!("connexion refusée par {place} : aucun SQL Server n'écoute à cette adresse"),
            "vérifiez --server et --port, que le service SQL Server est démarré et que le pare-feu laisse passer le port",
        ),
        ErrorKind::NotFound | ErrorKind::InvalidInput => Failure::new(
            format!("serveur introuvable : « {} » ne correspond à aucune adresse", target.host),
            "vérifiez le nom du serveur (--server ou BATIGEST_SQL_SERVER)",
        ),
        ErrorKind::TimedOut => timed_out(target, "la connexion"),
        _ if error.to_string().contains("failed to lookup address") => Failure::new(
            format!("serveur introuvable : « {} » ne correspond à aucune adresse", target.host),
            "vérifiez le nom du serveur (--server ou BATIGEST_SQL_SERVER)",
        ),
        _ => Failure::new(
            format!("connexion impossible à {place} : {error}"),
            "vérifiez l'adresse du serveur et le réseau",
        ),
    }
}

/// Turns a tiberius error into a sentence a user can act on. Never includes the password: tiberius
/// errors carry server messages and I/O causes only.
fn explain(target: &Target, error: &tiberius::error::Error) -> Failure {
    use tiberius::error::Error;
    match error {
        // tiberius-ng reports rustls failures as I/O errors carrying rustls' message.
        Error::Io { message, .. } if is_tls_failure(message) => tls_failure(target, message),
        // A server closing the TLS handshake: strict TLS where it expects PRELOGIN, or no TLS at all
        // (tiberius-ng starts the handshake anyway when encryption is required).
        Error::Io { kind, message }
            if target.encryption == Encryption::Strict
                && (message.contains("tls handshake eof") || *kind == std::io::ErrorKind::ConnectionReset) =>
        {
            Failure::new(
                format!(
                    "le serveur {} n'accepte pas le chiffrement strict (TDS 8.0) : il a coupé la connexion dès la poignée de main TLS",
                    target.describe()
                ),
                "seul SQL Server 2022 (ou plus récent) parle TDS 8.0 : utilisez --encrypt required",
            )
        }
        Error::Io { message, .. } if message.contains("tls handshake eof") && target.encryption != Encryption::Off => {
            encryption_refused(target)
        }
        // The server cut the connection at PRELOGIN: what SQL Server does when it requires strict TLS.
        Error::Io { message, .. }
            if message.contains("bytes remaining on stream") && target.encryption != Encryption::Strict =>
        {
            Failure::new(
                format!(
                    "le serveur {} a coupé la connexion avant toute réponse TDS : il exige sans doute le chiffrement strict (TDS 8.0)",
                    target.describe()
                ),
                "essayez --encrypt strict (avec --ca-file si le certificat n'est pas signé par une autorité reconnue)",
            )
        }
        Error::Io { kind, message } => explain_io(target, &std::io::Error::new(*kind, message.clone())),
        Error::Server(token) => explain_server(target, token.code(), token.message()),
        Error::Tls(cause) => tls_failure(target, cause),
        Error::Protocol(cause) if cause.contains("encryption") => encryption_refused(target),
        Error::Conversion(cause) if cause.contains("SQL browser") => Failure::new(
            format!(
                "instance « {} » introuvable : le service SQL Server Browser de {} n'a pas répondu",
                target.instance.as_deref().unwrap_or_default(),
                target.host
            ),
            "vérifiez le nom de l'instance (ex. SAGEBAT) et que le service SQL Server Browser (UDP 1434) est \
             démarré, ou donnez le port TCP de l'instance avec --port sans --instance",
        ),
        Error::Routing { host, port } => Failure::new(
            format!("le serveur redirige vers {host}:{port}, ce que jlm-batigest ne suit pas"),
            "connectez-vous directement à ce serveur avec --server et --port",
        ),
        other => Failure::new(
            format!("échange avec {} interrompu : {other}", target.describe()),
            "relancez avec -vv pour le détail",
        ),
    }
}

fn is_tls_failure(message: &str) -> bool {
    ["invalid peer certificate", "certificate", "received fatal alert", "peer is incompatible", "CA certificate"]
        .iter()
        .any(|needle| message.contains(needle))
}

fn tls_failure(target: &Target, cause: &str) -> Failure {
    Failure::new(
        format!("échec TLS avec {} : {}", target.describe(), tls_cause(cause)),
        "donnez l'autorité qui a signé le certificat du serveur avec --ca-file FICHIER.pem, \
         ou, en connaissance de cause, --trust-cert",
    )
}

fn encryption_refused(target: &Target) -> Failure {
    Failure::new(
        format!("le serveur {} n'accepte pas le chiffrement demandé", target.describe()),
        "essayez --encrypt login-only (mot de passe chiffré seulement) si le serveur ne chiffre pas tout",
    )
}

fn tls_cause(cause: &str) -> String {
    if cause.contains("UnknownIssuer") || cause.contains("BadSignature") || cause.contains("invalid peer certificate") {
        "le certificat du serveur n'est signé par aucune autorité de confiance".to_owned()
    } else if cause.contains("NotValidForName") {
        "le certificat du serveur ne porte pas ce nom d'hôte".to_owned()
    } else if cause.contains("Expired") {
        "le certificat du serveur a expiré".to_owned()
    } else if cause.contains("unsupported file-extension") {
        "le fichier d'autorité (--ca-file) doit finir par .pem, .crt ou .der".to_owned()
    } else if cause.contains("No such file") || cause.contains("os error 2") || cause.contains("Could not read") {
        "fichier d'autorité (--ca-file) introuvable".to_owned()
    } else {
        cause.to_owned()
    }
}

fn explain_server(target: &Target, code: u32, message: &str) -> Failure {
    match code {
        18456 => Failure::new(
            format!("connexion refusée : utilisateur « {} » ou mot de passe incorrect (erreur 18456)", target.user),
            "enregistrez le bon mot de passe avec « jlm-batigest login », ou vérifiez --user",
        ),
        4060 => Failure::new(
            format!(
                "la base « {} » n'existe pas ou n'est pas accessible à « {} » (erreur 4060)",
                target.database, target.user
            ),
            "vérifiez le nom de la base avec --database (les bases Batigest s'appellent souvent BTG_DOS_…)",
        ),
        17142 | 18451 | 18461 => Failure::new(
            format!("le serveur {} refuse les connexions pour le moment (erreur {code})", target.describe()),
            "le service SQL Server est en pause ou en maintenance : réessayez plus tard ou contactez l'administrateur",
        ),
        _ => Failure::new(
            format!("SQL Server a refusé la connexion (erreur {code}) : {message}"),
            "relancez avec -vv pour le détail",
        ),
    }
}

/// What `test-connection` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerStatus {
    pub version: String,
    pub database: String,
    pub server_time: NaiveDateTime,
    pub round_trip: Duration,
}

/// Runs the connection test query and times its round trip.
pub async fn server_status(client: &mut Connection, target: &Target) -> Result<ServerStatus, Failure> {
    let started = Instant::now();
    let query = async {
        let row = client.simple_query("SELECT @@VERSION, DB_NAME(), SYSDATETIME()").await?.into_row().await?;
        Ok::<_, tiberius::error::Error>(row)
    };
    let row = tokio::time::timeout(target.timeout, query)
        .await
        .map_err(|_| timed_out(target, "la requête de test"))?
        .map_err(|e| query_failure(&e))?
        .ok_or_else(|| Failure::new("le serveur n'a renvoyé aucune ligne à la requête de test", "relancez avec -vv"))?;
    let round_trip = started.elapsed();
    let version = row.get::<&str, _>(0).unwrap_or_default().lines().next().unwrap_or_default().trim().to_owned();
    let database = row.get::<&str, _>(1).unwrap_or_default().to_owned();
    let server_time = row
        .try_get::<NaiveDateTime, _>(2)
        .map_err(|e| query_failure(&e))?
        .ok_or_else(|| Failure::new("le serveur n'a pas donné son heure", "relancez avec -vv"))?;
    Ok(ServerStatus { version, database, server_time, round_trip })
}

/// A failed query on an open connection.
pub fn query_failure(error: &tiberius::error::Error) -> Failure {
    match error {
        tiberius::error::Error::Server(token) => Failure::new(
            format!("SQL Server a refusé la requête (erreur {}) : {}", token.code(), token.message()),
            "vérifiez le schéma avec « jlm-batigest test-connection --check-schema »",
        ),
        other => Failure::new(format!("la requête a échoué : {other}"), "relancez avec -vv pour le détail"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            host: "batigest.local".to_owned(),
            port: None,
            instance: Some("SAGEBAT".to_owned()),
            database: "BTG_DOS_JLM".to_owned(),
            user: "jlm".to_owned(),
            auth: Auth::Sql,
            encryption: Encryption::Required,
            trust: Trust::System,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn targets_are_described_as_users_write_them() {
        assert_eq!(target().describe(), "batigest.local\\SAGEBAT");
        let plain = Target { instance: None, port: Some(14330), ..target() };
        assert_eq!(plain.describe(), "batigest.local:14330");
    }

    #[test]
    fn login_failures_point_to_login() {
        let failure = explain_server(&target(), 18456, "Login failed for user 'jlm'.");
        assert!(failure.message.contains("« jlm »"));
        assert!(failure.hint.is_some_and(|hint| hint.contains("jlm-batigest login")));
        assert!(explain_server(&target(), 4060, "").message.contains("BTG_DOS_JLM"));
    }
}
