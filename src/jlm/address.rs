//! Where the JLM store is: an SQLite file, named by a path, or JLM ERP's PostgreSQL, named by a
//! URL. A path stays a path from the command line to SQLite: a drive letter (`C:\…`), a UNC
//! share (`\\serveur\partage\…`), spaces and accents are never read back out of a URL string,
//! where `C:` would be a host name.

use std::fmt;
use std::path::{Path, PathBuf};

/// How a store is named on the command line, in `JLM_DATABASE_URL` or in a profile:
/// `sqlite:CHEMIN[?mode=ro]`, `sqlite://CHEMIN` (URL form, `%XX` decoded), `postgres://…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Sqlite(SqliteFile),
    /// A `postgres://` or `postgresql://` URL, as given (it may hold a password: print it with
    /// [`mask_url_password`]).
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteFile {
    pub path: PathBuf,
    pub mode: Mode,
}

/// How the SQLite file is opened (`?mode=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Created on first use (the default, `rwc`).
    Create,
    /// Must exist (`rw`).
    ReadWrite,
    /// Read only (`ro`).
    ReadOnly,
}

/// Which path rules apply: Windows drive letters and shares, or Unix paths only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Windows,
    Unix,
}

impl Platform {
    pub const CURRENT: Self = if cfg!(windows) { Self::Windows } else { Self::Unix };
}

/// Why a store address is refused (a usage error): each names the value given.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressError {
    #[error("adresse du magasin JLM « {0} » sans chemin de fichier")]
    NoPath(String),
    #[error("adresse du magasin JLM « {address} » : option « {option} » inconnue")]
    Option { address: String, option: String },
    #[error("adresse du magasin JLM « {0} » : le chemin n'est pas de l'UTF-8 valide")]
    NotUtf8(String),
    #[error("adresse du magasin JLM « {0} » non reconnue")]
    Unknown(String),
}

impl AddressError {
    pub fn hint(&self) -> &'static str {
        match self {
            Self::NoPath(_) | Self::NotUtf8(_) => {
                "indiquez le fichier SQLite, par exemple --jlm-db sqlite:/chemin/jlm.sqlite ou sqlite:C:\\JLM\\jlm.sqlite"
            }
            Self::Option { .. } => "seule l'option mode est comprise : sqlite:CHEMIN?mode=ro (ou rw, rwc)",
            Self::Unknown(_) => "attendu sqlite:CHEMIN (fichier SQLite) ou postgres://UTILISATEUR@HÔTE/BASE (JLM ERP)",
        }
    }
}

impl Address {
    /// The store named by `text`, read with the rules of the platform the tool runs on.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        Self::parse_on(text, Platform::CURRENT)
    }

    /// The embedded store: the file `path`, created on first use.
    pub fn embedded(path: &Path) -> Self {
        Self::Sqlite(SqliteFile { path: path.to_path_buf(), mode: Mode::Create })
    }

    pub fn parse_on(text: &str, platform: Platform) -> Result<Self, AddressError> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        let Some(rest) = text.strip_prefix("sqlite:") else {
            return Err(AddressError::Unknown(mask_url_password(text)));
        };
        // `?` ends the path unless a separator follows it (`\\?\C:\…` is a path).
        let (rest, mode) = match rest.rsplit_once('?') {
            Some((path, options)) if !options.contains(['\\', '/']) => (path, mode(text, options)?),
            _ => (rest, Mode::Create),
        };
        let path = match rest.strip_prefix("//") {
            // The URL form: `%XX` escapes stand for bytes, and `sqlite:///C:/x` names `C:/x`.
            Some(url_path) => {
                let decoded = percent_encoding::percent_decode_str(url_path)
                    .decode_utf8()
                    .map_err(|_| AddressError::NotUtf8(text.to_owned()))?;
                match decoded.strip_prefix('/') {
                    Some(drive) if platform == Platform::Windows && starts_with_drive(drive) => drive.to_owned(),
                    _ => decoded.into_owned(),
                }
            }
            None => rest.to_owned(),
        };
        if path.is_empty() {
            return Err(AddressError::NoPath(text.to_owned()));
        }
        Ok(Self::Sqlite(SqliteFile { path: PathBuf::from(path), mode }))
    }

    /// A relative SQLite path written in a profile is relative to the config file's folder, as
    /// `ca_file` is. Given as `sqlite:` text again, for the settings.
    pub fn relative_to(text: String, base: &Path) -> String {
        match Self::parse(&text) {
            Ok(Self::Sqlite(file)) if file.path.is_relative() && file.path != Path::new(":memory:") => {
                let options = match file.mode {
                    Mode::Create => "",
                    Mode::ReadWrite => "?mode=rw",
                    Mode::ReadOnly => "?mode=ro",
                };
                format!("sqlite:{}{options}", base.join(&file.path).display())
            }
            _ => text,
        }
    }

    /// A file on a network share (`\\serveur\partage\…`): SQLite's locking is not safe there with
    /// several writers.
    pub fn on_network_share(&self, platform: Platform) -> bool {
        let Self::Sqlite(file) = self else { return false };
        let Some(path) = file.path.to_str() else { return false };
        platform == Platform::Windows && unc_share(path)
    }
}

impl fmt::Display for Address {
    /// The path as given, or the URL with its password masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(file) => write!(f, "{}", file.path.display()),
            Self::Postgres(url) => f.write_str(&mask_url_password(url)),
        }
    }
}

fn mode(address: &str, options: &str) -> Result<Mode, AddressError> {
    let refused = || AddressError::Option { address: address.to_owned(), option: options.to_owned() };
    match options.split_once('=') {
        Some(("mode", "rwc")) => Ok(Mode::Create),
        Some(("mode", "rw")) => Ok(Mode::ReadWrite),
        Some(("mode", "ro")) => Ok(Mode::ReadOnly),
        _ => Err(refused()),
    }
}

/// `C:` followed by nothing, `\` or `/`.
fn starts_with_drive(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes.get(2), None | Some(b'\\' | b'/'))
}

/// `\\serveur\partage\…` (either slash), or its long form `\\?\UNC\serveur\…`; not the local
/// device forms `\\?\C:\…` and `\\.\…`.
fn unc_share(path: &str) -> bool {
    let separators = |c: char| c == '\\' || c == '/';
    let Some(rest) = path.strip_prefix(['\\', '/']).and_then(|p| p.strip_prefix(['\\', '/'])) else { return false };
    match rest.split_once(separators) {
        Some(("?", long)) => long.get(..4).is_some_and(|unc| unc.eq_ignore_ascii_case("UNC\\")),
        Some((server, _)) => !server.is_empty() && server != ".",
        None => false,
    }
}

/// A store URL fit to print: a PostgreSQL URL may carry a password, in its user part or as a
/// `password=` parameter; both are masked.
pub fn mask_url_password(url: &str) -> String {
    const MASK: &str = "********";
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:{MASK}@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}={MASK}"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", pairs.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(text: &str, platform: Platform) -> (String, Mode) {
        match Address::parse_on(text, platform).expect(text) {
            Address::Sqlite(file) => (file.path.to_str().expect("utf-8").to_owned(), file.mode),
            Address::Postgres(url) => panic!("{text} read as PostgreSQL {url}"),
        }
    }

    #[test]
    fn windows_paths_reach_sqlite_as_written() {
        for (text, path) in [
            (r"sqlite:C:\temp\jlm.sqlite", r"C:\temp\jlm.sqlite"),
            (r"sqlite:C:\Users\Hélène\Mes documents\jlm.sqlite", r"C:\Users\Hélène\Mes documents\jlm.sqlite"),
            (r"sqlite:\\serveur\partage\jlm.sqlite", r"\\serveur\partage\jlm.sqlite"),
            (r"sqlite:\temp\x", r"\temp\x"),
            ("sqlite:C:/temp/jlm.sqlite", "C:/temp/jlm.sqlite"),
            ("sqlite:///C:/temp/jlm.sqlite", "C:/temp/jlm.sqlite"),
            ("sqlite:///C:/Mes%20documents/H%C3%A9l%C3%A8ne.sqlite", "C:/Mes documents/Hélène.sqlite"),
            ("sqlite://jlm.sqlite", "jlm.sqlite"),
            ("sqlite:jlm.sqlite", "jlm.sqlite"),
        ] {
            assert_eq!(sqlite(text, Platform::Windows), (path.to_owned(), Mode::Create), "{text}");
        }
    }

    #[test]
    fn unix_paths_and_the_url_form() {
        for (text, path) in [
            ("sqlite:/var/lib/jlm/jlm.sqlite", "/var/lib/jlm/jlm.sqlite"),
            ("sqlite:///var/lib/jlm/jlm.sqlite", "/var/lib/jlm/jlm.sqlite"),
            ("sqlite:///tmp/a%20b.sqlite", "/tmp/a b.sqlite"),
            // Written as a path, a `%` is a `%`.
            ("sqlite:/tmp/100%20.sqlite", "/tmp/100%20.sqlite"),
            // On Unix `/C:/x` is a path like any other.
            ("sqlite:///C:/x", "/C:/x"),
        ] {
            assert_eq!(sqlite(text, Platform::Unix), (path.to_owned(), Mode::Create), "{text}");
        }
    }

    #[test]
    fn modes() {
        assert_eq!(sqlite("sqlite:/a.sqlite?mode=ro", Platform::Unix).1, Mode::ReadOnly);
        assert_eq!(sqlite(r"sqlite:C:\a.sqlite?mode=rw", Platform::Windows).1, Mode::ReadWrite);
        assert_eq!(sqlite("sqlite:/a.sqlite?mode=rwc", Platform::Unix).1, Mode::Create);
        assert_eq!(
            Address::parse_on("sqlite:/a.sqlite?cache=shared", Platform::Unix),
            Err(AddressError::Option {
                address: "sqlite:/a.sqlite?cache=shared".into(),
                option: "cache=shared".into()
            })
        );
    }

    #[test]
    fn refusals_name_the_value() {
        for text in ["sqlite:", "sqlite://", "sqlite:?mode=rwc"] {
            let error = Address::parse_on(text, Platform::Windows).expect_err(text);
            assert_eq!(error, AddressError::NoPath(text.to_owned()));
        }
        let error = Address::parse_on("mysql://jlm:s3cret@erp/jlm", Platform::Unix).unwrap_err();
        assert_eq!(error.to_string(), "adresse du magasin JLM « mysql://jlm:********@erp/jlm » non reconnue");
        assert!(matches!(Address::parse_on("sqlite:///%FF", Platform::Unix), Err(AddressError::NotUtf8(_))));
    }

    #[test]
    fn network_shares_are_told_apart_from_local_device_paths() {
        let share =
            |text: &str| Address::parse_on(text, Platform::Windows).unwrap().on_network_share(Platform::Windows);
        assert!(share(r"sqlite:\\serveur\partage\jlm.sqlite"));
        assert!(share("sqlite:////serveur/partage/jlm.sqlite"));
        assert!(share(r"sqlite:\\?\UNC\serveur\partage\jlm.sqlite"));
        assert!(!share(r"sqlite:\\?\C:\jlm.sqlite"));
        assert!(!share(r"sqlite:\\.\C:\jlm.sqlite"));
        assert!(!share(r"sqlite:C:\jlm.sqlite"));
        let unix = Address::parse_on("sqlite:////serveur/partage/jlm.sqlite", Platform::Unix).unwrap();
        assert!(!unix.on_network_share(Platform::Unix));
    }

    #[test]
    fn relative_paths_in_a_profile_follow_the_file() {
        let base = Path::new("/etc/jlm");
        assert_eq!(
            Address::relative_to("sqlite:magasin/jlm.sqlite".into(), base),
            "sqlite:/etc/jlm/magasin/jlm.sqlite"
        );
        assert_eq!(Address::relative_to("sqlite:m.sqlite?mode=ro".into(), base), "sqlite:/etc/jlm/m.sqlite?mode=ro");
        assert_eq!(Address::relative_to("sqlite:/abs.sqlite".into(), base), "sqlite:/abs.sqlite");
        assert_eq!(Address::relative_to("postgres://erp/jlm".into(), base), "postgres://erp/jlm");
    }

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(mask_url_password("postgres://jlm:s3cret@erp:5432/jlm"), "postgres://jlm:********@erp:5432/jlm");
        assert_eq!(
            mask_url_password("postgres://erp/jlm?user=jlm&password=s3cret&sslmode=require"),
            "postgres://erp/jlm?user=jlm&password=********&sslmode=require"
        );
        assert_eq!(mask_url_password("postgres://jlm@erp/jlm"), "postgres://jlm@erp/jlm");
        assert_eq!(mask_url_password("sqlite:jlm.db"), "sqlite:jlm.db");
    }
}
