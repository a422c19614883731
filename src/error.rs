//! The one error type commands return: a French message, an optional hint, and an exit code.

use std::fmt;

use crate::exit_codes;
use crate::sandbox::SandboxError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unexpected,
    Usage,
    Connection,
    NotFound,
    Store,
    Alert,
    Interrupted,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Unexpected => exit_codes::UNEXPECTED,
            Kind::Usage => exit_codes::USAGE,
            Kind::Connection => exit_codes::CONNECTION,
            Kind::NotFound => exit_codes::NOT_FOUND,
            Kind::Store => exit_codes::STORE,
            Kind::Alert => exit_codes::ALERT,
            Kind::Interrupted => exit_codes::INTERRUPTED,
        }
    }
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    /// Set when the error comes from writing to a closed pipe: the run ends quietly with 0.
    pub broken_pipe: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), hint: None, broken_pipe: false }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An output failure: a closed pipe is not an error for a command-line tool.
    pub fn output(error: &std::io::Error) -> Self {
        let mut this = Self::new(Kind::Unexpected, format!("écriture de la sortie impossible : {error}"));
        this.broken_pipe = error.kind() == std::io::ErrorKind::BrokenPipe;
        this
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<SandboxError> for Error {
    fn from(error: SandboxError) -> Self {
        let kind = match &error {
            SandboxError::Io(..) | SandboxError::Tls(_) | SandboxError::Data(_) => Kind::Usage,
        };
        let hint = match &error {
            SandboxError::Io(what, e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                Some(format!("{what} est déjà pris : choisissez un autre port avec --listen (port 0 : un port libre)"))
            }
            _ => None,
        };
        let mut this = Error::new(kind, format!("bac à sable : {error}"));
        this.hint = hint;
        this
    }
}
