//! SQL passwords: the operating system's keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) and the order in which a password is looked for (DESIGN §2).
//!
//! One keyring entry per profile: service `jlm-batigest`, account = the profile name. The account
//! does not include the user or the server so that `--server`/`--user` overrides and edits of the
//! profile never orphan the stored password: a profile that targets another login needs its own
//! profile, which is how IT already thinks about « production » versus « test ».
//!
//! Keyring calls block the calling thread (the Secret Service client runs its own small executor):
//! async code calls them through `tokio::task::spawn_blocking`, or before starting its runtime.

use std::fmt;
use std::io::{BufRead, IsTerminal};

use crate::config::{Env, PASSWORD_VAR, Settings};
pub use crate::secret::Secret;

/// The keyring service under which every entry of this tool is stored.
pub const SERVICE: &str = "jlm-batigest";

/// Where a password was found, as `-v` logs and `config show` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    Keyring,
    Env,
    Stdin,
    Prompt,
    /// No password: the logged-on Windows session (`--auth integrated`).
    WindowsSession,
}

impl fmt::Display for PasswordSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PasswordSource::Keyring => "trousseau",
            PasswordSource::Env => PASSWORD_VAR,
            PasswordSource::Stdin => "--password-stdin",
            PasswordSource::Prompt => "saisie au terminal",
            PasswordSource::WindowsSession => "session Windows",
        })
    }
}

#[derive(Debug)]
pub struct Password {
    pub secret: Secret,
    pub source: PasswordSource,
}

/// Why the keyring could not answer. The texts never carry a secret: they are built here from the
/// kind of failure and, for platform failures, the platform's own description (the keyring's own
/// error is not kept: `BadEncoding` carries the stored secret's bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// No keyring service can be reached (a headless Linux without Secret Service, a locked or
    /// missing collection, an unsupported system).
    #[error("aucun trousseau du système n'est accessible ({0})")]
    Unavailable(String),
    /// The keyring answered, but with something this tool cannot use.
    #[error("le trousseau du système a échoué : {0}")]
    Failed(String),
}

impl KeyringError {
    pub fn hint(&self) -> Option<String> {
        match self {
            KeyringError::Unavailable(_) => Some(format!(
                "sans trousseau (Linux sans Secret Service, session sans D-Bus), donnez le mot de passe par la variable {PASSWORD_VAR}"
            )),
            KeyringError::Failed(_) => None,
        }
    }
}

/// Why no password could be had. Each is a usage error (`crate::error` classifies them).
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error(transparent)]
    Keyring(#[from] KeyringError),

    /// Nothing stored, nothing in the environment, and no way to ask.
    #[error(
        "aucun mot de passe SQL pour le profil « {profile} »{}",
        keyring.as_ref().map(|error| format!(" ; {error}")).unwrap_or_default()
    )]
    Missing { profile: String, keyring: Option<KeyringError> },

    #[error("lecture de l'entrée standard impossible : {source}")]
    Stdin {
        #[source]
        source: std::io::Error,
    },

    #[error("lecture du mot de passe au terminal impossible : {source}")]
    Terminal {
        #[source]
        source: std::io::Error,
    },

    #[error("aucun terminal pour saisir le mot de passe")]
    NoTerminal,

    #[error("les deux saisies diffèrent : rien n'a été enregistré")]
    Mismatch,

    #[error("mot de passe vide")]
    Empty,
}

impl CredentialsError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            CredentialsError::Keyring(error) => error.hint(),
            CredentialsError::Missing { .. } => Some(format!(
                "enregistrez-le avec « jlm-batigest login », ou définissez {PASSWORD_VAR}, ou passez --password-stdin"
            )),
            CredentialsError::NoTerminal => {
                Some("passez le mot de passe sur une ligne de l'entrée standard avec --password-stdin".to_owned())
            }
            CredentialsError::Stdin { .. }
            | CredentialsError::Terminal { .. }
            | CredentialsError::Mismatch
            | CredentialsError::Empty => None,
        }
    }
}

type Result<T, E = CredentialsError> = std::result::Result<T, E>;

/// Reads the password of a profile. The OS keyring in the product; a fixed answer in unit tests.
pub trait PasswordStore {
    /// `None` when the profile has no stored password.
    fn load(&self, profile: &str) -> Result<Option<Secret>, KeyringError>;
}

/// The operating system's keyring.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keyring;

/// keyring v3 silently falls back on an in-memory store where it has no native one: refuse instead,
/// so a password said to be saved is saved.
const NATIVE_STORE: bool = cfg!(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
));

impl Keyring {
    fn entry(profile: &str) -> Result<keyring::Entry, KeyringError> {
        if !NATIVE_STORE {
            return Err(KeyringError::Unavailable("système sans trousseau pris en charge".to_owned()));
        }
        keyring::Entry::new(SERVICE, profile).map_err(decode)
    }

    pub fn store(profile: &str, secret: &Secret) -> Result<(), KeyringError> {
        Self::entry(profile)?.set_password(secret.expose()).map_err(decode)
    }

    /// Removes the profile's password; `false` when there was none.
    pub fn delete(profile: &str) -> Result<bool, KeyringError> {
        match Self::entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(decode(error)),
        }
    }
}

impl PasswordStore for Keyring {
    fn load(&self, profile: &str) -> Result<Option<Secret>, KeyringError> {
        match Self::entry(profile)?.get_password() {
            Ok(password) => Ok(Some(Secret::new(password))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(decode(error)),
        }
    }
}

/// Maps a keyring error to ours without ever formatting `BadEncoding`, whose payload is the
/// stored secret's bytes.
fn decode(error: keyring::Error) -> KeyringError {
    match error {
        keyring::Error::PlatformFailure(cause) | keyring::Error::NoStorageAccess(cause) => {
            KeyringError::Unavailable(cause.to_string())
        }
        keyring::Error::BadEncoding(_) => {
            KeyringError::Failed("le mot de passe enregistré n'est pas en UTF-8".to_owned())
        }
        keyring::Error::Ambiguous(found) => {
            KeyringError::Failed(format!("{} entrées correspondent au profil ; supprimez-les avec logout", found.len()))
        }
        keyring::Error::NoEntry => KeyringError::Failed("entrée absente".to_owned()),
        other => KeyringError::Failed(other.to_string()),
    }
}

/// The outcome of the two steps of the order that never wait for the user.
#[derive(Debug)]
pub enum Stored {
    Found(Password),
    /// Neither the keyring nor the environment has a password; `keyring` tells why the keyring
    /// could not be asked, when it could not.
    Missing {
        keyring: Option<KeyringError>,
    },
}

/// The keyring entry of the profile, then `BATIGEST_SQL_PASSWORD`.
pub fn stored_password(profile: &str, env: &Env, store: &dyn PasswordStore) -> Stored {
    let keyring = match store.load(profile) {
        Ok(Some(secret)) => return Stored::Found(Password { secret, source: PasswordSource::Keyring }),
        Ok(None) => None,
        Err(error) => {
            // On a headless server the environment variable is the expected way: no warning then.
            match &error {
                KeyringError::Unavailable(_) => tracing::debug!("{error}"),
                KeyringError::Failed(_) => tracing::warn!("{error}"),
            }
            Some(error)
        }
    };
    match &env.password {
        Some(secret) => Stored::Found(Password { secret: secret.clone(), source: PasswordSource::Env }),
        None => Stored::Missing { keyring },
    }
}

/// The SQL password in the order of DESIGN §2: keyring entry of the profile,
/// `BATIGEST_SQL_PASSWORD`, one line of stdin with `--password-stdin`, a prompt without echo
/// when stdin is a terminal. Otherwise it fails at once: a script must never hang.
pub fn resolve_password(
    settings: &Settings,
    env: &Env,
    password_stdin: bool,
    store: &dyn PasswordStore,
) -> Result<Password> {
    let keyring = match stored_password(&settings.profile, env, store) {
        Stored::Found(password) => return Ok(password),
        Stored::Missing { keyring } => keyring,
    };
    let password = if password_stdin {
        Password { secret: read_stdin_line()?, source: PasswordSource::Stdin }
    } else if std::io::stdin().is_terminal() {
        let prompt = format!("Mot de passe SQL (profil {}) : ", settings.profile);
        Password { secret: prompt_password(&prompt)?, source: PasswordSource::Prompt }
    } else {
        return Err(CredentialsError::Missing { profile: settings.profile.clone(), keyring });
    };
    tracing::info!("mot de passe SQL : {}", password.source);
    Ok(password)
}

/// One line of standard input, without its line ending; an empty password is refused.
pub fn read_stdin_line() -> Result<Secret> {
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    let secret = Secret::new(line);
    read.map_err(|source| CredentialsError::Stdin { source })?;
    let trimmed = secret.expose().trim_end_matches(['\n', '\r']);
    non_empty(Secret::new(trimmed.to_owned()))
}

/// A secret to store, as `login` and `alertes login-*` read it: one line of standard input with
/// `--password-stdin`, else typed twice on the terminal without echo; never guessed without either.
/// `prompt` is the first question (« Mot de passe SQL du profil default : »).
pub fn read_new_secret(prompt: &str, from_stdin: bool) -> Result<Secret> {
    if from_stdin {
        return read_stdin_line();
    }
    if !std::io::stdin().is_terminal() {
        return Err(CredentialsError::NoTerminal);
    }
    let secret = prompt_password(prompt)?;
    if secret != prompt_password("Confirmez : ")? {
        return Err(CredentialsError::Mismatch);
    }
    Ok(secret)
}

/// The secrets kept beside a profile's SQL password, each in its own keyring entry whose account
/// is `PROFIL/suffixe`: `logout` removes them with the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    ApiToken,
    SmtpPassword,
    WebhookKey,
}

impl Extra {
    pub const ALL: [Extra; 3] = [Extra::ApiToken, Extra::SmtpPassword, Extra::WebhookKey];

    pub fn account(self, profile: &str) -> String {
        let suffix = match self {
            Extra::ApiToken => "api",
            Extra::SmtpPassword => "smtp",
            Extra::WebhookKey => "webhook",
        };
        format!("{profile}/{suffix}")
    }

    /// What it is, in French.
    pub fn what(self) -> &'static str {
        match self {
            Extra::ApiToken => "jeton de l'API",
            Extra::SmtpPassword => "mot de passe SMTP des alertes",
            Extra::WebhookKey => "clé de signature du webhook",
        }
    }

    /// The environment's value when set (captured in [`Env`]), else the keyring's.
    pub fn load(self, profile: &str, from_env: Option<&Secret>) -> Result<Option<Secret>, KeyringError> {
        match from_env {
            Some(secret) => Ok(Some(secret.clone())),
            None => Keyring.load(&self.account(profile)),
        }
    }
}

/// Asks for a password on the terminal without echo.
pub fn prompt_password(prompt: &str) -> Result<Secret> {
    let secret =
        rpassword::prompt_password(prompt).map(Secret::new).map_err(|source| CredentialsError::Terminal { source })?;
    non_empty(secret)
}

fn non_empty(secret: Secret) -> Result<Secret> {
    if secret.expose().is_empty() {
        return Err(CredentialsError::Empty);
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, Kind};

    struct Fixed(Result<Option<Secret>, KeyringError>);

    impl PasswordStore for Fixed {
        fn load(&self, _profile: &str) -> Result<Option<Secret>, KeyringError> {
            self.0.clone()
        }
    }

    fn env_with_password(password: Option<&str>) -> Env {
        Env { password: password.map(|p| Secret::new(p.to_owned())), ..Env::default() }
    }

    #[test]
    fn secret_never_prints() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret} {secret:?}"), "*** ***");
        let password = Password { secret, source: PasswordSource::Env };
        assert!(!format!("{password:?}").contains("hunter2"));
    }

    #[test]
    fn keyring_comes_before_the_environment() {
        let store = Fixed(Ok(Some(Secret::new("from-keyring".to_owned()))));
        let Stored::Found(password) = stored_password("p", &env_with_password(Some("from-env")), &store) else {
            panic!("a password was stored");
        };
        assert_eq!((password.secret.expose(), password.source), ("from-keyring", PasswordSource::Keyring));
    }

    #[test]
    fn environment_when_the_keyring_has_nothing_or_is_unavailable() {
        for answer in [Ok(None), Err(KeyringError::Unavailable("pas de D-Bus".to_owned()))] {
            let Stored::Found(password) = stored_password("p", &env_with_password(Some("from-env")), &Fixed(answer))
            else {
                panic!("the environment has a password");
            };
            assert_eq!((password.secret.expose(), password.source), ("from-env", PasswordSource::Env));
        }
    }

    #[test]
    fn missing_keeps_the_keyring_problem() {
        let problem = KeyringError::Unavailable("pas de D-Bus".to_owned());
        let stored = stored_password("p", &env_with_password(None), &Fixed(Err(problem.clone())));
        assert!(matches!(stored, Stored::Missing { keyring: Some(ref e) } if *e == problem), "{stored:?}");
    }

    #[test]
    fn keyring_errors_map_to_exit_codes() {
        let unavailable = Error::from(KeyringError::Unavailable("x".to_owned()));
        assert_eq!(unavailable.kind, Kind::Usage);
        assert!(unavailable.hint.as_deref().is_some_and(|h| h.contains(PASSWORD_VAR)));
        assert_eq!(Error::from(KeyringError::Failed("x".to_owned())).kind, Kind::Unexpected);
        let bad = decode(keyring::Error::BadEncoding(b"hunter2\xff".to_vec()));
        assert!(!bad.to_string().contains("hunter2"), "{bad}");
    }
}
