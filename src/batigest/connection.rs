//! Connecting to Batigest's SQL Server with tiberius over rustls, and turning every failure into
//! one French sentence with a hint.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use tiberius::{AuthMethod, Client, Config, EncryptionLevel, SqlBrowser};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// How much of the traffic is encrypted (`--encrypt`, profile key `encrypt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// Everything encrypted, certificate verified.
    Required,
    /// Only the login packet (and its password) is encrypted.
    LoginOnly,
    Off,
    /// TDS 8.0: TLS from the first byte, ALPN `tds/8.0`, certificate verified.
    Strict,
}

impl Encryption {
    /// Every mode with the name users write.
    pub const NAMES: [(&'static str, Encryption); 4] = [
        ("required", Encryption::Required),
        ("login-only", Encryption::LoginOnly),
        ("off", Encryption::Off),
        ("strict", Encryption::Strict),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES.iter().find(|(_, mode)| *mode == self).map_or("", |(name, _)| name)
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(known, _)| *known == name).map(|(_, mode)| *mode)
    }
}

/// How the tool logs in to SQL Server (`--auth`, profile key `auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// A SQL Server login and its password.
    Sql,
    /// A Windows account (`DOMAINE\utilisateur`) and its password, through NTLM: tiberius-ng's
    /// `sspi-rs` on Linux and macOS, the winauth crate's NTLMv2 on Windows.
    Windows,
    /// The logged-on Windows user, through Windows' SSPI (NTLM package): on Windows only.
    Integrated,
}

impl Auth {
    /// Every mode with the name users write.
    pub const NAMES: [(&'static str, Auth); 3] =
        [("sql", Auth::Sql), ("windows", Auth::Windows), ("integrated", Auth::Integrated)];

    pub fn as_str(self) -> &'static str {
        Self::NAMES.iter().find(|(_, auth)| *auth == self).map_or("", |(name, _)| name)
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(known, _)| *known == name).map(|(_, auth)| *auth)
    }
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

    /// A server on this machine, where nothing crosses a network: `localhost`, 127.0.0.0/8, `::1`.
    pub fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self.host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// Why a connection or a query failed: it decides the exit code, and whether a batch may go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// No server at that address, a name that resolves nowhere, or a connection lost midway.
    Unreachable,
    /// No answer within `--timeout`.
    Timeout,
    /// The TLS negotiation or the certificate check failed.
    Tls,
    /// The server refused the login or the database.
    Login,
    /// One of our own settings is unusable, found before anything was sent (the `--ca-file`).
    Setting,
    /// The server refused a statement: its error number, and the name its message quotes (the
    /// column of a 207, the table of a 208), whatever the server's language.
    Refused { number: u32, name: Option<String> },
    /// A value the server sent that cannot be read as the mapping says (type, empty, unknown code).
    Data,
}

/// A failed connection or query: what happened and what to do about it, in French, with the
/// driver's or the server's own words kept apart as a detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub cause: Cause,
    pub message: String,
    pub hint: Option<String>,
    /// The driver's or server's own text, shown after « Détail : ».
    pub detail: Option<String>,
}

impl Failure {
    pub(super) fn new(cause: Cause, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { cause, message: message.into(), hint: Some(hint.into()), detail: None }
    }

    #[must_use]
    pub(super) fn with_detail(mut self, detail: impl std::fmt::Display) -> Self {
        self.detail = Some(detail.to_string());
        self
    }
}

pub type Connection = Client<Compat<TcpStream>>;

/// Opens and logs in, within the target's timeout.
pub async fn connect(target: &Target, password: &str) -> Result<Connection, Failure> {
    if let Trust::Ca(path) = &target.trust {
        check_ca_file(path)?;
    }
    let config = config(target, password)?;
    tracing::info!(server = %target.describe(), chiffrement = target.encryption.as_str(), "connexion à Batigest");
    let started = Instant::now();
    let attempt = async {
        let tcp = if target.instance.is_some() {
            TcpStream::connect_named(&config).await.map_err(|e| explain(target, &e))?
        } else {
            let addr = config.get_addr();
            let tcp = TcpStream::connect(&addr).await.map_err(|e| explain_io(target, &e))?;
            tcp.set_nodelay(true).map_err(|e| explain_io(target, &e))?;
            tcp
        };
        tracing::info!(elapsed = ?started.elapsed(), "TCP ouvert ; négociation TDS et authentification");
        // Boxed: the login future is large.
        Box::pin(Client::connect(config, tcp.compat_write())).await.map_err(|e| explain_login(target, &e))
    };
    let client =
        tokio::time::timeout(target.timeout, attempt).await.map_err(|_| timed_out(target, "la connexion"))??;
    tracing::info!(elapsed = ?started.elapsed(), "connecté");
    Ok(client)
}

/// The CA file is ours to check before any connection: one the driver cannot use is a usage
/// error naming the file, not a network failure.
fn check_ca_file(path: &std::path::Path) -> Result<(), Failure> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let refused = |why: String| {
        Failure::new(
            Cause::Setting,
            format!("fichier d'autorité --ca-file « {} » inutilisable : {why}", path.display()),
            "donnez le certificat de l'autorité qui a signé celui du serveur, au format PEM (.pem ou .crt) ou DER (.der)",
        )
    };
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let der = match extension.as_deref() {
        Some("pem" | "crt") => false,
        Some("der") => true,
        _ => return Err(refused("son nom doit finir par .pem, .crt ou .der".to_owned())),
    };
    let bytes = crate::files::read(path).map_err(|e| refused(crate::files::reason(&e)))?;
    let certificates: Vec<CertificateDer<'_>> = if der {
        vec![CertificateDer::from(bytes)]
    } else {
        CertificateDer::pem_slice_iter(&bytes)
            .collect::<Result<_, _>>()
            .map_err(|_| refused("aucun certificat PEM lisible dedans".to_owned()))?
    };
    if certificates.is_empty() {
        return Err(refused("aucun certificat PEM lisible dedans".to_owned()));
    }
    // Each one must be an X.509 certificate an authority can be made of: PEM armour around
    // anything else, or any bytes named .der, made the TLS handshake fail later, blaming the
    // server's certificate (exit 3).
    let mut roots = rustls::RootCertStore::empty();
    for (index, certificate) in certificates.into_iter().enumerate() {
        roots.add(certificate).map_err(|error| {
            let which = if index == 0 { String::new() } else { format!(", le n° {}", index + 1) };
            // rustls words it for a server's certificate (« invalid peer certificate »): its cause alone.
            let cause = match &error {
                rustls::Error::InvalidCertificate(cause) => format!("{cause:?}"),
                other => other.to_string(),
            };
            refused(format!("ce n'est pas un certificat X.509 lisible ({cause}{which})"))
        })?;
    }
    Ok(())
}

fn config(target: &Target, password: &str) -> Result<Config, Failure> {
    let mut config = Config::new();
    config.host(&target.host);
    if let Some(port) = target.port {
        config.port(port);
    }
    if let Some(instance) = &target.instance {
        config.instance_name(instance);
    }
    config.database(&target.database);
    config.authentication(auth_method(target, password)?);
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
    Ok(config)
}

/// SQL and Windows (NTLM) logins everywhere; the logged-on Windows session on Windows only.
// On Windows every mode is available: the `Result` is for the other platforms.
#[cfg_attr(windows, allow(clippy::unnecessary_wraps))]
fn auth_method(target: &Target, password: &str) -> Result<AuthMethod, Failure> {
    match target.auth {
        Auth::Sql => Ok(AuthMethod::sql_server(&target.user, password)),
        Auth::Windows => Ok(AuthMethod::windows(&target.user, password)),
        #[cfg(windows)]
        Auth::Integrated => Ok(AuthMethod::Integrated),
        // The command line stops it first (exit 2); this keeps a library caller from logging in
        // with nothing.
        #[cfg(not(windows))]
        Auth::Integrated => Err(Failure::new(
            Cause::Setting,
            "--auth integrated : la session Windows ouverte ne sert à se connecter que sous Windows",
            "utilisez --auth windows --user 'DOMAINE\\utilisateur' (NTLM, avec son mot de passe) ou un compte SQL",
        )),
    }
}

/// No answer within the target's timeout; `what` names the step (« la connexion », « la requête… »).
pub fn timed_out(target: &Target, what: &str) -> Failure {
    Failure::new(
        Cause::Timeout,
        format!("délai dépassé : {what} vers {} n'a pas abouti en {} s", target.describe(), target.timeout.as_secs()),
        "vérifiez que le serveur répond, ou allongez le délai avec --timeout SECONDES",
    )
}

fn not_found(target: &Target) -> Failure {
    Failure::new(
        Cause::Unreachable,
        format!("serveur introuvable : « {} » ne correspond à aucune adresse", target.host),
        "vérifiez le nom du serveur (--server ou BATIGEST_SQL_SERVER)",
    )
}

fn explain_io(target: &Target, error: &std::io::Error) -> Failure {
    use std::io::ErrorKind;
    let place = target.describe();
    match error.kind() {
        ErrorKind::ConnectionRefused => Failure::new(
            Cause::Unreachable,
            format!("connexion refusée par {place} : aucun SQL Server n'écoute à cette adresse"),
            "vérifiez --server et --port, que le service SQL Server est démarré et que le pare-feu laisse passer le port",
        ),
        ErrorKind::NotFound | ErrorKind::InvalidInput => not_found(target),
        ErrorKind::TimedOut => timed_out(target, "la connexion"),
        // The resolver's failure has no kind of its own in std: `Uncategorized`, shown as `Other`.
        _ if target.host.parse::<std::net::IpAddr>().is_err() && error.raw_os_error().is_none() => {
            not_found(target).with_detail(error)
        }
        _ => Failure::new(
            Cause::Unreachable,
            format!("connexion impossible à {place}"),
            "vérifiez l'adresse du serveur et le réseau",
        )
        .with_detail(error),
    }
}

/// An error met once the TCP connection is open: TLS, then the login. A Windows login that fails
/// inside its NTLM exchange (a client refusing the server's CHALLENGE, an SSPI error) says so,
/// instead of passing for a network failure.
fn explain_login(target: &Target, error: &tiberius::error::Error) -> Failure {
    use tiberius::error::Error;
    if target.auth == Auth::Sql {
        return explain(target, error);
    }
    match error {
        Error::Io { message, .. } if let Some(status) = sspi_status(message) => {
            sspi_failure(target, status).with_detail(message)
        }
        #[cfg(unix)]
        Error::SspiRs(cause) => ntlm_failure(target).with_detail(cause),
        Error::Protocol(cause) if cause.contains("NTLM") || cause.contains("SSPI") => {
            ntlm_failure(target).with_detail(cause)
        }
        // The winauth crate (Windows) reports a CHALLENGE it refuses as invalid input or data.
        Error::Io { kind: kind @ (std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData), message }
            if tls_stage(target, *kind, message).is_none() =>
        {
            ntlm_failure(target).with_detail(message)
        }
        _ => explain(target, error),
    }
}

/// The SSPI status (an HRESULT of the 0x8009xxxx family) of an error Windows' SSPI returned,
/// which std shows as `… (os error -2146893055)`.
fn sspi_status(message: &str) -> Option<u32> {
    let code: i32 = message.rsplit_once("(os error ")?.1.strip_suffix(')')?.parse().ok()?;
    let status = code as u32;
    (status & 0xFFFF_0000 == 0x8009_0000).then_some(status)
}

/// Windows' SSPI refused to take part in the login (`--auth integrated`, or NTLM on Windows).
fn sspi_failure(target: &Target, status: u32) -> Failure {
    let why = match status {
        0x8009_0301 => "aucune identité Windows utilisable pour cette session (SEC_E_INVALID_HANDLE)",
        0x8009_030C => "identité refusée (SEC_E_LOGON_DENIED)",
        0x8009_030E => "aucune identité Windows dans cette session (SEC_E_NO_CREDENTIALS)",
        0x8009_0311 => "aucun contrôleur de domaine joignable (SEC_E_NO_AUTHENTICATING_AUTHORITY)",
        0x8009_0303 => "serveur inconnu du domaine (SEC_E_TARGET_UNKNOWN)",
        _ => "refus du fournisseur de sécurité",
    };
    let what = match target.auth {
        Auth::Integrated => "connexion intégrée (session Windows)".to_owned(),
        Auth::Sql | Auth::Windows => format!("connexion Windows de « {} »", target.user),
    };
    Failure::new(
        Cause::Login,
        format!("{what} à {} impossible : {why} (SSPI {status:#010x})", target.describe()),
        "ouvrez la session Windows sur un compte du domaine du serveur, ou connectez-vous avec un compte nommé : \
         --auth windows --user 'DOMAINE\\utilisateur' (mot de passe : jlm-batigest login)",
    )
}

fn ntlm_failure(target: &Target) -> Failure {
    Failure::new(
        Cause::Login,
        format!(
            "connexion Windows de « {} » à {} impossible : l'échange NTLM n'a pas abouti",
            target.user,
            target.describe()
        ),
        "vérifiez le compte (--user 'DOMAINE\\utilisateur') ; le détail ci-dessous vient du client NTLM ou du \
         serveur : montrez-le à l'administrateur si le compte est bon",
    )
}

/// Turns a tiberius error met while connecting into a sentence a user can act on. Never includes
/// the password: tiberius errors carry server messages and I/O causes only.
fn explain(target: &Target, error: &tiberius::error::Error) -> Failure {
    use tiberius::error::Error;
    match error {
        Error::Server(token) => explain_server(target, token.code(), token.state(), token.message()),
        Error::Io { kind, message } => match tls_stage(target, *kind, message) {
            Some(failure) => failure.with_detail(message),
            None => explain_io(target, &std::io::Error::new(*kind, message.clone())),
        },
        Error::Tls(cause) => tls_failure(target, cause).with_detail(cause),
        Error::Protocol(_) if target.encryption != Encryption::Off => encryption_refused(target).with_detail(error),
        Error::Conversion(_) if target.instance.is_some() => Failure::new(
            Cause::Unreachable,
            format!(
                "instance « {} » introuvable : le service SQL Server Browser de {} n'a pas répondu",
                target.instance.as_deref().unwrap_or_default(),
                target.host
            ),
            "vérifiez le nom de l'instance (ex. SAGEBAT) et que le service SQL Server Browser (UDP 1434) est \
             démarré, ou donnez le port TCP de l'instance avec --port sans --instance",
        )
        .with_detail(error),
        Error::Routing { host, port } => Failure::new(
            Cause::Unreachable,
            format!("le serveur redirige vers {host}:{port}, ce que jlm-batigest ne suit pas"),
            "connectez-vous directement à ce serveur avec --server et --port",
        ),
        other => Failure::new(
            Cause::Unreachable,
            format!("échange avec {} interrompu pendant la connexion", target.describe()),
            "relancez avec -v pour suivre les étapes de la connexion",
        )
        .with_detail(other),
    }
}

/// An I/O error during the TLS stage, told apart from a network failure. tiberius-ng hands rustls'
/// failures over as `Io` errors carrying rustls' text (it has no typed TLS variant), so this is the
/// one place that reads a driver's words: a certificate rejected, or a handshake the server cut.
fn tls_stage(target: &Target, kind: std::io::ErrorKind, message: &str) -> Option<Failure> {
    let certificate = ["invalid peer certificate", "certificate", "received fatal alert", "peer is incompatible"]
        .iter()
        .any(|needle| message.contains(needle));
    let handshake_cut = message.contains("tls handshake eof");
    if certificate {
        Some(tls_failure(target, message))
    } else if target.encryption == Encryption::Strict && (handshake_cut || kind == std::io::ErrorKind::ConnectionReset)
    {
        Some(Failure::new(
            Cause::Tls,
            format!(
                "le serveur {} n'accepte pas le chiffrement strict (TDS 8.0) : il a coupé la connexion dès la poignée de main TLS",
                target.describe()
            ),
            "seul SQL Server 2022 (ou plus récent) parle TDS 8.0 : utilisez --encrypt required",
        ))
    } else if handshake_cut && target.encryption != Encryption::Off {
        Some(encryption_refused(target))
    } else if target.encryption != Encryption::Strict
        && target.instance.is_none()
        && matches!(
            kind,
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::Other
        )
    {
        // The TCP connection was open: the server cut it at PRELOGIN, what SQL Server does when it
        // requires strict TLS (the codec says « bytes remaining on stream », kind `Other`).
        Some(Failure::new(
            Cause::Tls,
            format!(
                "le serveur {} a coupé la connexion avant toute réponse TDS : il exige sans doute le chiffrement strict (TDS 8.0)",
                target.describe()
            ),
            "essayez --encrypt strict (avec --ca-file si le certificat n'est pas signé par une autorité reconnue)",
        ))
    } else {
        None
    }
}

fn tls_failure(target: &Target, cause: &str) -> Failure {
    Failure::new(
        Cause::Tls,
        format!("échec TLS avec {} : {}", target.describe(), tls_cause(cause)),
        "donnez l'autorité qui a signé le certificat du serveur avec --ca-file FICHIER.pem, \
         ou, en connaissance de cause, --trust-cert",
    )
}

fn encryption_refused(target: &Target) -> Failure {
    Failure::new(
        Cause::Tls,
        format!("le serveur {} n'accepte pas le chiffrement demandé", target.describe()),
        "essayez --encrypt login-only (mot de passe chiffré seulement) si le serveur ne chiffre pas tout",
    )
}

fn tls_cause(cause: &str) -> &'static str {
    if cause.contains("NotValidForName") {
        "le certificat du serveur ne porte pas ce nom d'hôte"
    } else if cause.contains("Expired") {
        "le certificat du serveur a expiré"
    } else if cause.contains("UnknownIssuer") || cause.contains("BadSignature") || cause.contains("invalid peer") {
        "le certificat du serveur n'est signé par aucune autorité de confiance"
    } else {
        "la négociation a échoué"
    }
}

fn explain_server(target: &Target, code: u32, state: u8, message: &str) -> Failure {
    let failure = match code {
        // SQL Server's answer to any failed NTLM or Kerberos handshake, whatever the cause.
        18452 => Failure::new(
            Cause::Login,
            format!(
                "connexion Windows refusée : compte Windows « {} » inconnu, mot de passe incorrect, ou domaine que \
                 le serveur ne reconnaît pas (erreur 18452, état {state})",
                target.user
            ),
            "vérifiez le domaine et le compte (--user 'DOMAINE\\utilisateur'), puis enregistrez le bon mot de passe \
             avec « jlm-batigest login » ; SQL Server ne dit pas lequel des trois est en cause",
        ),
        // The Windows account was recognised: it has no login on this server, or no access.
        18456 if target.auth != Auth::Sql => Failure::new(
            Cause::Login,
            format!(
                "connexion refusée : le compte Windows « {} » est reconnu mais n'a pas accès à ce serveur (erreur \
                 18456, état {state})",
                target.user
            ),
            "demandez à l'administrateur SQL Server une connexion pour ce compte Windows \
             (CREATE LOGIN [DOMAINE\\utilisateur] FROM WINDOWS) et l'accès à la base",
        ),
        18456 => Failure::new(
            Cause::Login,
            format!(
                "connexion refusée : utilisateur « {} » ou mot de passe incorrect (erreur 18456, état {state})",
                target.user
            ),
            "enregistrez le bon mot de passe avec « jlm-batigest login », ou vérifiez --user",
        ),
        4060 => Failure::new(
            Cause::Login,
            format!(
                "la base « {} » n'existe pas ou n'est pas accessible à « {} » (erreur 4060)",
                target.database, target.user
            ),
            "vérifiez le nom de la base avec --database (les bases Batigest s'appellent souvent BTG_DOS_…)",
        ),
        17142 | 18451 | 18461 => Failure::new(
            Cause::Login,
            format!("le serveur {} refuse les connexions pour le moment (erreur {code})", target.describe()),
            "le service SQL Server est en pause ou en maintenance : réessayez plus tard ou contactez l'administrateur",
        ),
        _ => Failure::new(
            Cause::Login,
            format!("SQL Server a refusé la connexion (erreur {code}, état {state})"),
            "le détail ci-dessous est le message du serveur ; montrez-le à l'administrateur SQL Server",
        ),
    };
    failure.with_detail(message)
}

/// What `test-connection` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerStatus {
    pub version: String,
    pub database: String,
    pub server_time: NaiveDateTime,
    pub round_trip: Duration,
    /// The built-in sandbox (`jlm-batigest sandbox`), which says so in its `@@VERSION`.
    pub sandbox: bool,
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
        .ok_or_else(|| {
            Failure::new(Cause::Data, "le serveur n'a renvoyé aucune ligne à la requête de test", "relancez avec -v")
        })?;
    let round_trip = started.elapsed();
    let full_version = row.get::<&str, _>(0).unwrap_or_default();
    let sandbox = full_version.contains(tds_sandbox::VERSION_MARK);
    let version = full_version.lines().next().unwrap_or_default().trim().to_owned();
    let database = row.get::<&str, _>(1).unwrap_or_default().to_owned();
    let server_time = row
        .try_get::<NaiveDateTime, _>(2)
        .map_err(|e| query_failure(&e))?
        .ok_or_else(|| Failure::new(Cause::Data, "le serveur n'a pas donné son heure", "relancez avec -v"))?;
    Ok(ServerStatus { version, database, server_time, round_trip, sandbox })
}

/// A failed query on an open connection: a refusal by the server (with its number), a value that
/// cannot be read, or the connection lost.
pub fn query_failure(error: &tiberius::error::Error) -> Failure {
    use tiberius::error::Error;
    match error {
        Error::Server(token) => {
            let number = token.code();
            Failure::new(
                Cause::Refused { number, name: quoted(token.message()) },
                format!("SQL Server a refusé la requête (erreur {number})"),
                "vérifiez le schéma avec « jlm-batigest test-connection --check-schema »",
            )
            .with_detail(token.message())
        }
        Error::Conversion(_) | Error::Utf8 | Error::Utf16 | Error::ParseInt(_) => Failure::new(
            Cause::Data,
            "une valeur lue dans Batigest n'a pas le type attendu",
            "vérifiez les types des colonnes avec « jlm-batigest schema inspect »",
        )
        .with_detail(error),
        other => Failure::new(
            Cause::Unreachable,
            "la connexion à Batigest a été perdue pendant la lecture",
            "vérifiez que le serveur est toujours joignable, puis relancez : ce qui est écrit le reste",
        )
        .with_detail(other),
    }
}

/// The first name a server message quotes: `'X'` in « Invalid column name 'X'. » as in « Nom de
/// colonne non valide : 'X'. », whatever the server's language.
fn quoted(message: &str) -> Option<String> {
    let (_, rest) = message.split_once('\'')?;
    let (name, _) = rest.split_once('\'')?;
    Some(name.to_owned())
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
        let failure = explain_server(&target(), 18456, 8, "Login failed for user 'jlm'.");
        assert!(failure.message.contains("« jlm »") && failure.message.contains("état 8"), "{failure:?}");
        assert_eq!(failure.cause, Cause::Login);
        assert!(failure.hint.is_some_and(|hint| hint.contains("jlm-batigest login")));
        assert!(explain_server(&target(), 4060, 1, "").message.contains("BTG_DOS_JLM"));
    }

    fn windows() -> Target {
        Target { instance: None, port: Some(1433), user: "JLM\\compta".to_owned(), auth: Auth::Windows, ..target() }
    }

    /// winauth (Windows) refusing the server's CHALLENGE gave « serveur introuvable » (issue 25).
    #[test]
    fn a_refused_ntlm_exchange_is_a_windows_login_failure_not_a_missing_server() {
        use tiberius::error::Error;
        let refused =
            Error::Io { kind: std::io::ErrorKind::InvalidInput, message: "expected requested flags".to_owned() };
        let failure = explain_login(&windows(), &refused);
        assert_eq!(failure.cause, Cause::Login, "{failure:?}");
        assert!(failure.message.contains("NTLM") && failure.message.contains("« JLM\\compta »"), "{failure:?}");
        assert_eq!(failure.detail.as_deref(), Some("expected requested flags"));
        let sql = Target { auth: Auth::Sql, ..windows() };
        assert_eq!(explain_login(&sql, &refused).cause, Cause::Unreachable, "SQL logins read it as before");
        #[cfg(unix)]
        assert_eq!(explain_login(&windows(), &Error::SspiRs("InvalidToken".to_owned())).cause, Cause::Login);
    }

    /// Windows' SSPI refusing an integrated login (no domain identity: Wine, a local account) gave
    /// « connexion impossible … vérifiez l'adresse du serveur » (issue 25).
    #[test]
    fn an_sspi_refusal_is_a_login_failure_with_its_status() {
        use tiberius::error::Error;
        let integrated = Target { auth: Auth::Integrated, user: String::new(), ..windows() };
        for message in [
            "OS Error -2146893055 (FormatMessageW() returned error 317) (os error -2146893055)",
            "Le handle spécifié n'est pas valide. (os error -2146893055)",
        ] {
            let refused = Error::Io { kind: std::io::ErrorKind::Other, message: message.to_owned() };
            let failure = explain_login(&integrated, &refused);
            assert_eq!(failure.cause, Cause::Login, "{failure:?}");
            assert!(
                failure.message.starts_with(
                    "connexion intégrée (session Windows) à batigest.local:1433 impossible : aucune identité Windows \
                     utilisable"
                ),
                "{failure:?}"
            );
            assert!(failure.message.ends_with("(SSPI 0x80090301)"), "{failure:?}");
        }
        let other = Error::Io { kind: std::io::ErrorKind::Other, message: "reset (os error 104)".to_owned() };
        assert_ne!(explain_login(&integrated, &other).cause, Cause::Login, "not an SSPI status");
    }

    #[test]
    fn failed_windows_logins_name_the_account() {
        let failure = explain_server(&windows(), 18452, 1, "Login failed. The login is from an untrusted domain …");
        assert_eq!(failure.cause, Cause::Login);
        assert!(
            failure.message.contains("« JLM\\compta »") && failure.message.contains("18452, état 1"),
            "{failure:?}"
        );
        let no_access = explain_server(&windows(), 18456, 1, "Login failed for user 'JLM\\compta'.");
        assert!(no_access.message.contains("n'a pas accès"), "{no_access:?}");
        assert!(no_access.hint.is_some_and(|hint| hint.contains("CREATE LOGIN")));
    }

    #[test]
    fn refusals_keep_the_quoted_name_in_any_language() {
        assert_eq!(quoted("Invalid column name 'MontantHT'.").as_deref(), Some("MontantHT"));
        assert_eq!(quoted("Nom de colonne non valide : 'MontantHT'.").as_deref(), Some("MontantHT"));
        assert_eq!(quoted("Divide by zero error encountered."), None);
    }
}
