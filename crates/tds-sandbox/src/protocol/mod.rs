//! TDS codec: the bytes of MS-TDS 7.4 as a SQL Server would read and write them.
//!
//! Pure functions over byte slices (plus one async packet reader): no sockets, no TLS, no SQL.
//! The server loop decides what to send; this module only knows how it looks on the wire.

pub mod login7;
pub mod ntlm;
pub mod packet;
pub mod prelogin;
pub mod request;
pub mod token;
mod wire;

/// The SQL Server version the sandbox claims to be (SQL Server 2019 RTM, 15.0.2000), in both
/// PRELOGIN and LOGINACK. Clients only log it, but some gate features on the major version.
pub const SERVER_VERSION_MAJOR: u8 = 15;
pub const SERVER_VERSION_MINOR: u8 = 0;
pub const SERVER_VERSION_BUILD: u16 = 2000;
/// The same version as `@@VERSION`, `SERVERPROPERTY('ProductVersion')` and the SQL Server
/// Browser give it.
pub const SERVER_PRODUCT_VERSION: &str = "15.0.2000.5";

/// Why a message could not be read or a response could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The connection failed or closed in the middle of a packet.
    #[error("TDS connection I/O failed: {0}")]
    Io(#[from] std::io::Error),
    /// The client sent bytes that do not follow MS-TDS.
    #[error("malformed {context}: {detail}")]
    Malformed { context: &'static str, detail: String },
    /// Valid TDS the sandbox chooses not to understand (a data type it never serves, say).
    #[error("unsupported {0}")]
    Unsupported(String),
    /// A value the engine produced does not fit the column it is announced in.
    #[error("cannot encode {0}")]
    Encode(String),
}

impl ProtocolError {
    pub(crate) fn malformed(context: &'static str, detail: impl Into<String>) -> Self {
        Self::Malformed { context, detail: detail.into() }
    }
}
