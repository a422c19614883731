//! The Batigest sandbox: a SQL Server stand-in that speaks TDS over TCP, backed by SQLite.
//!
//! It depends on nothing of the product: `jlm-batigest sandbox`, `demo` and the product's tests use
//! it through this public API (README.md: what it answers like SQL Server, and what it does not).

pub mod browser;
pub mod generate;
pub mod protocol;
mod server;
pub mod sql;
mod tls;
pub mod types;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use server::Sandbox;

/// Test credentials of the sandbox, documented as such: never a real password.
pub const DEFAULT_USER: &str = "sa";
pub const DEFAULT_PASSWORD: &str = "Sandbox!2024";
pub const DEFAULT_DATABASE: &str = "BATIGEST_CONNECT";
/// What the sandbox's `@@VERSION` says of it, after SQL Server's own words: how a client tells it
/// from a production server.
pub const VERSION_MARK: &str = "JLM Batigest sandbox";
/// The database of the sandbox in the real Batigest layout, named as Batigest names its files.
pub const BATIGEST_DATABASE: &str = "BTG_DOS_DEMO";
pub const DEFAULT_INSTANCE: &str = "SAGEBAT";

/// How the sandbox answers a client's encryption request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// As SQL Server without "force encryption": login-only for clients that ask nothing more,
    /// full TLS for clients that ask for it.
    #[default]
    Auto,
    /// No TLS at all: clients that require encryption fail.
    Off,
    /// Only the login packet is encrypted, whatever the client asks.
    LoginOnly,
    /// Full TLS for every client ("force encryption").
    Required,
    /// TDS 8.0 strict: TLS from the first byte (ALPN `tds/8.0`), PRELOGIN inside TLS.
    Strict,
}

/// What data the sandbox serves.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// An existing SQLite file in the layout of DESIGN §3.
    File(PathBuf),
    /// A generated dataset in one of the two layouts, in memory or written to a new file.
    Generate { devis: u64, seed: u64, layout: generate::Layout, into: Option<PathBuf> },
}

#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub listen: SocketAddr,
    pub data: DataSource,
    pub database: String,
    pub user: String,
    pub password: String,
    pub tls: TlsMode,
    /// PEM certificate chain and key; a self-signed certificate is generated when absent.
    pub cert: Option<(PathBuf, PathBuf)>,
    pub cert_out: Option<PathBuf>,
    /// UDP port of the SQL Server Browser responder, if any.
    pub browser_port: Option<u16>,
    pub instance: String,
    pub latency: Duration,
    pub drop_after_rows: Option<u64>,
    pub refuse_logins: bool,
    /// The Windows account accepted through NTLM (`--windows-user`), if any.
    pub windows: Option<protocol::ntlm::Account>,
    /// The database collation: how text compares, groups and sorts.
    pub collation: types::Collation,
}

impl SandboxOptions {
    /// Defaults of `jlm-batigest sandbox`, serving `data`.
    #[must_use]
    pub fn new(listen: SocketAddr, data: DataSource) -> Self {
        Self {
            listen,
            data,
            database: DEFAULT_DATABASE.to_owned(),
            user: DEFAULT_USER.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            tls: TlsMode::Auto,
            cert: None,
            cert_out: None,
            browser_port: None,
            instance: DEFAULT_INSTANCE.to_owned(),
            latency: Duration::ZERO,
            drop_after_rows: None,
            refuse_logins: false,
            windows: None,
            collation: types::Collation::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{0} : {1}")]
    Io(String, #[source] std::io::Error),
    #[error("TLS : {0}")]
    Tls(String),
    #[error("base SQLite : {0}")]
    Data(String),
}
