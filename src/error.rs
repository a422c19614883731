//! The one error type commands return — a French message, an optional hint, the driver's own
//! words as a detail, the layer's error it comes from — and the one place where each layer's
//! errors are classified: their exit code (DESIGN §2), the HTTP status and code of the REST face,
//! and their hint when the layer does not give one.

use std::fmt;

use tds_sandbox::SandboxError;

use crate::batigest::connection::{Cause, Failure};
use crate::batigest::schema::Unmapped;
use crate::batigest::statuses::ReadError;
use crate::config::ConfigError;
use crate::credentials::{CredentialsError, KeyringError};
use crate::exit_codes;
use crate::jlm::StoreError;
use crate::notify::{NotifyError, SmtpFailure, WebhookFailure};
use crate::output::OutputError;
use crate::secret::RandomUnavailable;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unexpected,
    Usage,
    Connection,
    NotFound,
    Store,
    Alert,
    Interrupted,
    /// Stopped by SIGTERM.
    Terminated,
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
            Kind::Terminated => exit_codes::TERMINATED,
        }
    }

    /// The HTTP status of the REST face's answer.
    pub fn http_status(self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Kind::Usage => StatusCode::BAD_REQUEST,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Connection | Kind::Interrupted | Kind::Terminated => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Store => StatusCode::BAD_GATEWAY,
            Kind::Alert | Kind::Unexpected => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `code` of the REST face's error body.
    pub fn api_code(self) -> &'static str {
        match self {
            Kind::Usage => "requete_invalide",
            Kind::NotFound => "introuvable",
            Kind::Connection => "batigest_injoignable",
            Kind::Store => "magasin_jlm",
            Kind::Interrupted | Kind::Terminated => "interrompu",
            Kind::Alert | Kind::Unexpected => "erreur_interne",
        }
    }
}

/// A layer's error as this module keeps it: its causes are shown with `-vv`.
type LayerError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    /// The driver's or the server's own words, shown after « Détail : ».
    pub detail: Option<String>,
    /// Set when the error comes from writing to a closed pipe: the run ends quietly with 0.
    pub broken_pipe: bool,
    /// The layer's error this one was made from; its `source()` chain is the cause chain.
    cause: Option<LayerError>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), hint: None, detail: None, broken_pipe: false, cause: None }
    }

    /// A layer's error, classified as `kind`: its words are the message, and it is kept for the
    /// causes it carries.
    fn from_layer(kind: Kind, error: impl std::error::Error + Send + Sync + 'static) -> Self {
        let mut this = Self::new(kind, error.to_string());
        this.cause = Some(Box::new(error));
        this
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error, told with other words (its kind, hint, detail and causes kept).
    #[must_use]
    pub fn reworded(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    #[must_use]
    pub fn with_detail(mut self, detail: impl fmt::Display) -> Self {
        self.detail = Some(without_line_numbers(&detail.to_string()));
        self
    }

    /// Prints the error as the program ends with one: « Erreur », « Aide », « Détail » on stderr,
    /// and with `-vv` one « Cause » line per error in its source chain (the layer's error itself
    /// is the message).
    pub fn eprint(&self) {
        use std::fmt::Write as _;
        let mut text = format!("Erreur : {}", self.message);
        if let Some(hint) = &self.hint {
            let _ = write!(text, "\nAide : {hint}");
        }
        if let Some(detail) = &self.detail {
            let _ = write!(text, "\nDétail : {detail}");
        }
        if crate::diagnostics::causes() {
            for cause in self.causes() {
                // A parser's cause may draw the faulty line under its first one: the first says it.
                let cause = cause.to_string();
                let cause = cause.lines().next().unwrap_or_default().trim_end();
                // Words already said by the message or the detail are not said twice.
                if !self.message.contains(cause) && self.detail.as_deref() != Some(cause) {
                    let _ = write!(text, "\nCause : {cause}");
                }
            }
        }
        crate::diagnostics::line(&text);
    }

    /// The errors this one comes from, nearest first.
    pub fn causes(&self) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
        std::iter::successors(std::error::Error::source(self), |cause| cause.source())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    /// The cause of the layer's error (the layer's error itself says what the message says).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref()?.source()
    }
}

/// A missing keyring is a property of the environment the command was run in, not a bug: exit 2,
/// with the way around it. Any other keyring failure is unexpected: exit 1.
impl From<KeyringError> for Error {
    fn from(error: KeyringError) -> Self {
        let kind = match &error {
            KeyringError::Unavailable(_) => Kind::Usage,
            KeyringError::Failed(_) => Kind::Unexpected,
        };
        let hint = error.hint();
        let mut this = Error::from_layer(kind, error);
        this.hint = hint;
        this
    }
}

impl From<RandomUnavailable> for Error {
    fn from(error: RandomUnavailable) -> Self {
        Error::from_layer(Kind::Unexpected, error)
    }
}

impl From<CredentialsError> for Error {
    fn from(error: CredentialsError) -> Self {
        if let CredentialsError::Keyring(keyring) = error {
            return keyring.into();
        }
        let hint = error.hint();
        let mut this = Error::from_layer(Kind::Usage, error);
        this.hint = hint;
        this
    }
}

/// The store's own failures are exit 5; a bad address or request is the user's (2), an offer that
/// is not there is 4.
impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        let kind = match &error {
            StoreError::BadUrl { .. } | StoreError::BadSqlite { .. } | StoreError::OfferTaken { .. } => Kind::Usage,
            StoreError::NoOffersTable { .. } | StoreError::NoOffer { .. } => Kind::NotFound,
            StoreError::NoDataDir
            | StoreError::DataDir { .. }
            | StoreError::MissingFolder { .. }
            | StoreError::Driver { .. }
            | StoreError::Unreadable { .. }
            | StoreError::MissingColumn { .. }
            | StoreError::AmountTooLarge { .. }
            | StoreError::RateTooLarge { .. }
            | StoreError::IndicatorTooLarge { .. }
            | StoreError::WatchLock { .. } => Kind::Store,
        };
        let (hint, detail) = (error.hint(), error.detail());
        let mut this = Error::from_layer(kind, error);
        this.hint = hint;
        this.detail = detail.as_deref().map(without_line_numbers);
        this
    }
}

/// What the profile must fix is exit 2; a mail server out of reach, busy or whose certificate
/// fails is exit 3 (the alerts stay to send).
impl From<NotifyError> for Error {
    fn from(error: NotifyError) -> Self {
        let (hint, detail) = (error.hint(), error.detail());
        let mut this = Error::from_layer(notify_kind(&error), error);
        this.hint = hint;
        this.detail = detail.as_deref().map(without_line_numbers);
        this
    }
}

/// What the profile must fix is 2; a server out of reach, busy or failing is 3 (the alerts stay
/// to send); a body or a client that cannot be made is a bug (1).
fn notify_kind(error: &NotifyError) -> Kind {
    match error {
        NotifyError::CaFile { .. }
        | NotifyError::CaCertificate { .. }
        | NotifyError::Tls { .. }
        | NotifyError::NoSmtpPassword { .. }
        | NotifyError::Smtp { failure: SmtpFailure::Refused | SmtpFailure::Unsupported, .. }
        | NotifyError::WebhookUrl { .. }
        | NotifyError::WebhookScheme { .. }
        | NotifyError::NoWebhookKey
        | NotifyError::Webhook { failure: WebhookFailure::Refused(_), .. } => Kind::Usage,
        NotifyError::Smtp { .. } | NotifyError::Webhook { .. } => Kind::Connection,
        NotifyError::GaveUp { last, .. } => notify_kind(last),
        NotifyError::Compose { .. }
        | NotifyError::WebhookBody { .. }
        | NotifyError::WebhookClient { .. }
        | NotifyError::TlsUnavailable { .. } => Kind::Unexpected,
    }
}

/// Every refusal of the settings is a usage error (exit 2, HTTP 400).
impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        let (hint, detail) = (error.hint(), error.detail());
        let mut this = Error::from_layer(Kind::Usage, error);
        this.hint = hint;
        this.detail = detail.as_deref().map(without_line_numbers);
        this
    }
}

/// Commands' I/O errors are those of their output (files they read say which file themselves).
impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        OutputError::written(error).into()
    }
}

/// Output that cannot be written is unexpected (1), but a closed pipe ends the run quietly with
/// 0; a file the user named that cannot be written is theirs to fix (2).
impl From<OutputError> for Error {
    fn from(error: OutputError) -> Self {
        let kind = match &error {
            OutputError::Write { .. } => Kind::Unexpected,
            OutputError::CannotWrite { .. } | OutputError::HeldOpen(_) => Kind::Usage,
        };
        let (hint, broken_pipe) = (error.hint(), error.is_broken_pipe());
        let mut this = Error::from_layer(kind, error);
        this.hint = hint;
        this.broken_pipe = broken_pipe;
        this
    }
}

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

/// A driver's text without the positions that mean nothing to a user (PostgreSQL's
/// « … at line 948 » points into its own source, not into ours).
fn without_line_numbers(text: &str) -> String {
    let trimmed = match text.rfind(" at line ") {
        Some(at) if text[at + 9..].chars().all(|c| c.is_ascii_digit()) && text.len() > at + 9 => &text[..at],
        _ => text,
    };
    trimmed.trim().to_owned()
}

/// Which refusals of the server come from the schema mapping or the data it reads, rather than
/// from the connection: a column (207) or table (208) the mapping names that the database lacks,
/// a clash of types (206, 402), and conversions the data makes fail (241, 245, 8114, 8115).
const MAPPING_REFUSALS: [u32; 8] = [206, 207, 208, 241, 245, 402, 8114, 8115];
/// Refusals of access once logged in: the account may not read this table.
const ACCESS_REFUSALS: [u32; 3] = [229, 230, 262];

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        let kind = match &failure.cause {
            Cause::Unreachable | Cause::Timeout | Cause::Tls | Cause::Login => Kind::Connection,
            Cause::Setting | Cause::Data => Kind::Usage,
            Cause::Refused { number, .. } if MAPPING_REFUSALS.contains(number) => Kind::Usage,
            Cause::Refused { number, .. } if ACCESS_REFUSALS.contains(number) => Kind::Connection,
            // Anything else is a statement of ours the server could not run: a bug to report.
            Cause::Refused { .. } => Kind::Unexpected,
        };
        let mut error = Error::new(kind, failure.message);
        error.hint = failure.hint;
        error.detail = failure.detail.as_deref().map(without_line_numbers);
        error
    }
}

impl From<Unmapped> for Error {
    fn from(unmapped: Unmapped) -> Self {
        Error::usage(unmapped.to_string()).with_hint(
            "« jlm-batigest schema inspect --write FICHIER » propose les colonnes de votre base ; indiquez ensuite le \
             fichier avec --schema FICHIER (ou schema = \"FICHIER\" dans le profil)",
        )
    }
}

impl From<ReadError> for Error {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::Unmapped(unmapped) => unmapped.into(),
            ReadError::Untranslated(untranslated) => Error::usage(untranslated.message()).with_hint(format!(
                "nommez ces codes dans le fichier de correspondance (--schema FICHIER, ou schema = \"FICHIER\" dans \
                 le profil), en complétant ces lignes ; « jlm-batigest schema inspect --write FICHIER » montre ce que \
                 chaque code contient :\n{}",
                untranslated.toml()
            )),
            ReadError::Failure(failure) => failure.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_positions_are_dropped() {
        assert_eq!(without_line_numbers("relation \"x\" does not exist at line 948"), "relation \"x\" does not exist");
        assert_eq!(without_line_numbers("a line 3 only"), "a line 3 only");
        assert_eq!(without_line_numbers("at line "), "at line");
    }

    #[test]
    fn each_layer_keeps_its_exit_code_and_its_cause() {
        let store = |error: StoreError| Error::from(error).kind;
        assert_eq!(store(StoreError::NoOffer { id: "x".to_owned() }), Kind::NotFound);
        assert_eq!(store(StoreError::BadUrl { location: "l".to_owned(), cause: "c".to_owned() }), Kind::Usage);
        assert_eq!(store(StoreError::NoDataDir), Kind::Store);
        assert_eq!(Kind::Store.http_status(), axum::http::StatusCode::BAD_GATEWAY);
        assert_eq!(Kind::Store.exit_code(), exit_codes::STORE);

        let source = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "accès refusé par le test");
        let error = Error::from(ConfigError::Unreadable { path: "/etc/jlm/config.toml".into(), source });
        assert_eq!(error.kind, Kind::Usage);
        assert!(error.message.starts_with("lecture de /etc/jlm/config.toml impossible"), "{}", error.message);
        let causes: Vec<String> = error.causes().map(ToString::to_string).collect();
        assert_eq!(causes, ["accès refusé par le test"]);

        let missing = Error::from(CredentialsError::Missing { profile: "p".to_owned(), keyring: None });
        assert_eq!((missing.kind, missing.causes().count()), (Kind::Usage, 0));
        assert!(missing.hint.as_deref().is_some_and(|hint| hint.contains("jlm-batigest login")));
    }

    #[test]
    fn mapping_refusals_are_usage_errors_and_lost_connections_are_not() {
        let failure = |cause| Failure { cause, message: "m".to_owned(), hint: None, detail: None };
        assert_eq!(Error::from(failure(Cause::Refused { number: 207, name: None })).kind, Kind::Usage);
        assert_eq!(Error::from(failure(Cause::Refused { number: 102, name: None })).kind, Kind::Unexpected);
        assert_eq!(Error::from(failure(Cause::Refused { number: 229, name: None })).kind, Kind::Connection);
        assert_eq!(Error::from(failure(Cause::Unreachable)).kind, Kind::Connection);
        assert_eq!(Error::from(failure(Cause::Setting)).kind, Kind::Usage);
    }
}
