//! Settings: command-line flags, environment variables, a profile of the TOML config file and
//! defaults, resolved once with the precedence flag > env > profile > default (DESIGN §2). Every
//! value keeps its source so `config show` and `-v` logs can say where it came from.
//!
//! The only I/O here is reading the config file: the environment is captured once by the
//! dispatcher into [`Env`] (tests build one by hand), and the password is not a setting at all
//! (see `credentials`).

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::batigest::connection::{Auth, Encryption};
use crate::batigest::schema::BUILTIN;
use crate::error::{Error, Result};
use crate::model::MargeBase;
use crate::report::coefficients::DEFAULT_TOLERANCE;
use crate::report::relances::{Professionnels, Regles};
use crate::secret::Secret;

pub const SERVER_VAR: &str = "BATIGEST_SQL_SERVER";
pub const PORT_VAR: &str = "BATIGEST_SQL_PORT";
pub const DATABASE_VAR: &str = "BATIGEST_DATABASE";
pub const USER_VAR: &str = "BATIGEST_SQL_USER";
pub const PASSWORD_VAR: &str = "BATIGEST_SQL_PASSWORD";
pub const JLM_DATABASE_VAR: &str = "JLM_DATABASE_URL";
pub const CONFIG_VAR: &str = "JLM_BATIGEST_CONFIG";

pub const DEFAULT_PROFILE: &str = "default";
const DEFAULT_SERVER: &str = "localhost";
const DEFAULT_PORT: u16 = 1433;
const DEFAULT_DATABASE: &str = "BATIGEST_CONNECT";
const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// The environment variables this tool reads, captured once. An empty variable counts as unset,
/// as shells make `VAR= command` the usual way to switch one off.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub server: Option<String>,
    pub port: Option<String>,
    pub database: Option<String>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub jlm_database_url: Option<String>,
    /// `JLM_BATIGEST_CONFIG`.
    pub config: Option<PathBuf>,
    /// The platform's config file, used when `JLM_BATIGEST_CONFIG` is unset; `None` when the
    /// platform gives no home directory.
    pub default_config: Option<PathBuf>,
    /// The embedded JLM store in the platform's data dir, used when no `--jlm-db` is given.
    pub default_store: Option<PathBuf>,
    /// Who runs the tool (`USER`, `LOGNAME`, or `USERNAME` on Windows, else the OS account
    /// name), for the sync trace.
    pub os_user: Option<String>,
}

impl Env {
    /// Reads the process environment. A variable that is not valid Unicode is refused rather than
    /// silently mangled (a mangled password would only fail later, far from its cause).
    pub fn capture() -> Result<Self> {
        let var = |name: &str| match std::env::var(name) {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(Error::usage(format!("la variable {name} contient des caractères invalides (pas de l'UTF-8)")))
            }
        };
        Ok(Self {
            server: var(SERVER_VAR)?,
            port: var(PORT_VAR)?,
            database: var(DATABASE_VAR)?,
            user: var(USER_VAR)?,
            password: var(PASSWORD_VAR)?.map(Secret::new),
            jlm_database_url: var(JLM_DATABASE_VAR)?,
            config: std::env::var_os(CONFIG_VAR).filter(|path| !path.is_empty()).map(PathBuf::from),
            default_config: directories::ProjectDirs::from("fr", "JLM", "jlm-batigest")
                .map(|dirs| dirs.config_dir().join("config.toml")),
            default_store: directories::ProjectDirs::from("fr", "JLM", "jlm-batigest")
                .map(|dirs| dirs.data_dir().join("jlm.sqlite")),
            os_user: match var("USER")?.or(var("LOGNAME")?).or(var("USERNAME")?) {
                Some(user) => Some(user),
                None => os_account(),
            },
        })
    }

    /// The config file: `JLM_BATIGEST_CONFIG`, else the platform's config dir.
    pub fn config_path(&self) -> Result<PathBuf> {
        self.config.clone().or_else(|| self.default_config.clone()).ok_or_else(|| {
            Error::usage("dossier de configuration introuvable (aucun dossier personnel)")
                .with_hint(format!("indiquez le fichier de configuration par la variable {CONFIG_VAR}"))
        })
    }
}

/// The name of the account the process runs as, for an environment without `USER` (services,
/// `env -i`, some cron daemons): what `id -un` says. Windows always sets `USERNAME`.
fn os_account() -> Option<String> {
    if !cfg!(unix) {
        return None;
    }
    let output = std::process::Command::new("id").arg("-un").stderr(std::process::Stdio::null()).output().ok()?;
    let name = String::from_utf8(output.stdout).ok()?;
    let name = name.trim();
    (output.status.success() && !name.is_empty()).then(|| name.to_owned())
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line option, by its name (`--server`).
    Flag(&'static str),
    /// An environment variable, by its name.
    Env(&'static str),
    /// A profile of the config file, by its name.
    Profile(String),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) => write!(f, "option {name}"),
            Source::Env(name) => write!(f, "variable {name}"),
            Source::Profile(name) => write!(f, "profil {name}"),
            Source::Default => f.write_str("défaut"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

/// The connection and store options given on the command line, as plain values (the command
/// line's parser fills it; nothing here knows about it). `None` means "not given": the settings
/// then come from the environment, the profile, or the defaults, in that order.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub profile: Option<String>,
    pub server: Option<String>,
    pub port: Option<u16>,
    pub instance: Option<String>,
    pub database: Option<String>,
    pub user: Option<String>,
    pub auth: Option<Auth>,
    pub encrypt: Option<Encryption>,
    pub trust_cert: bool,
    pub ca_file: Option<PathBuf>,
    pub timeout: Option<u64>,
    pub schema: Option<PathBuf>,
    pub jlm_db: Option<String>,
    pub password_stdin: bool,
}

/// The effective settings of one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The profile used: `--profile`, else `default`. Also the keyring account.
    pub profile: String,
    pub config_path: PathBuf,
    pub config_exists: bool,
    pub server: Sourced<String>,
    pub instance: Sourced<Option<String>>,
    pub port: Sourced<u16>,
    pub database: Sourced<String>,
    pub user: Sourced<Option<String>>,
    pub encrypt: Sourced<Encryption>,
    pub auth: Sourced<Auth>,
    pub trust_cert: Sourced<bool>,
    pub ca_file: Sourced<Option<PathBuf>>,
    pub timeout: Sourced<Duration>,
    /// The JLM store's URL; `None` is the embedded SQLite store.
    pub jlm_db: Sourced<Option<String>>,
    /// A schema mapping file; `None` is the built-in layout.
    pub schema: Sourced<Option<PathBuf>>,
    /// What `TAUX_MARGE` is a rate on.
    pub marge_base: Sourced<MargeBase>,
    /// How far an ouvrage's coefficient may stray from its theoretical one.
    pub tolerance: Sourced<Decimal>,
    /// Target coefficient per family code.
    pub cibles: Sourced<BTreeMap<String, Decimal>>,
    /// Payment reminders: thresholds, penalty rate, professional customers.
    pub relances: Sourced<Regles>,
    /// A letter template replacing the built-in one (`[relances] modele`).
    pub modele_lettre: Sourced<Option<PathBuf>>,
}

impl Settings {
    /// Reads the config file named by `env` and resolves every setting.
    pub fn load(args: &Flags, env: &Env) -> Result<Self> {
        let file = ConfigFile::read(env.config_path()?)?;
        // A file named on purpose that is not there is a mistake, not a wish for the defaults.
        if let Some(path) = &env.config
            && !file.exists
        {
            return Err(Error::usage(format!("{CONFIG_VAR} désigne {} : ce fichier n'existe pas", path.display()))
                .with_hint(format!(
                    "corrigez le chemin ou créez le fichier ; sans la variable {CONFIG_VAR}, le fichier du dossier de \
                     configuration du système est lu (jlm-batigest config path)"
                )));
        }
        Self::resolve(args, env, &file)
    }

    pub fn resolve(args: &Flags, env: &Env, file: &ConfigFile) -> Result<Self> {
        let profile = args.profile.clone().unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let from_profile = match file.profiles.get(&profile) {
            Some(layer) => layer,
            None if profile == DEFAULT_PROFILE => &Layer::default(),
            None => return Err(file.unknown_profile(&profile)),
        };
        let layers = Layers([&flag_layer(args)?, &env_layer(env)?, from_profile]);
        let settings = Self {
            config_path: file.path.clone(),
            config_exists: file.exists,
            server: layers.or(|l| &l.server, DEFAULT_SERVER.to_owned()),
            instance: layers.optional(|l| &l.instance),
            port: layers.or(|l| &l.port, DEFAULT_PORT),
            database: layers.or(|l| &l.database, DEFAULT_DATABASE.to_owned()),
            user: layers.optional(|l| &l.user),
            encrypt: layers.or(|l| &l.encrypt, Encryption::Required),
            auth: layers.or(|l| &l.auth, Auth::Sql),
            trust_cert: layers.or(|l| &l.trust_cert, false),
            ca_file: layers.optional(|l| &l.ca_file),
            timeout: layers.or(|l| &l.timeout, Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
            jlm_db: layers.optional(|l| &l.jlm_db),
            schema: layers.optional(|l| &l.schema),
            marge_base: layers.or(|l| &l.marge_base, MargeBase::Cout),
            tolerance: layers.or(|l| &l.tolerance, DEFAULT_TOLERANCE),
            cibles: layers.or(|l| &l.cibles, BTreeMap::new()),
            relances: layers.or(|l| &l.relances, Regles::default()),
            modele_lettre: layers.optional(|l| &l.modele_lettre),
            profile,
        };
        if settings.port.value == 0 {
            return Err(Error::usage(format!("port 0 invalide ({})", settings.port.source)));
        }
        if settings.timeout.value.is_zero() {
            return Err(Error::usage(format!("délai de 0 seconde invalide ({})", settings.timeout.source)));
        }
        Ok(settings)
    }

    /// The SQL user, required by anything that logs in.
    pub fn user(&self) -> Result<&str> {
        self.user.value.as_deref().ok_or_else(|| {
            Error::usage(format!("aucun utilisateur SQL : --user, {USER_VAR} ou le profil « {} »", self.profile))
        })
    }
}

/// What one source says; `None` leaves the decision to the next source.
#[derive(Debug, Clone, Default)]
struct Layer {
    server: Option<Sourced<String>>,
    instance: Option<Sourced<String>>,
    port: Option<Sourced<u16>>,
    database: Option<Sourced<String>>,
    user: Option<Sourced<String>>,
    encrypt: Option<Sourced<Encryption>>,
    auth: Option<Sourced<Auth>>,
    trust_cert: Option<Sourced<bool>>,
    ca_file: Option<Sourced<PathBuf>>,
    timeout: Option<Sourced<Duration>>,
    jlm_db: Option<Sourced<String>>,
    schema: Option<Sourced<PathBuf>>,
    marge_base: Option<Sourced<MargeBase>>,
    tolerance: Option<Sourced<Decimal>>,
    cibles: Option<Sourced<BTreeMap<String, Decimal>>>,
    relances: Option<Sourced<Regles>>,
    modele_lettre: Option<Sourced<PathBuf>>,
}

impl Layer {
    /// Takes `HOST\INSTANCE` apart. The instance it names and an explicit instance of the same
    /// source must agree: silently preferring one would connect somewhere unexpected.
    fn set_server(&mut self, server: &str, source: &Source) -> Result<()> {
        let (host, instance) = match server.split_once('\\') {
            Some((host, instance)) => (host, Some(instance)),
            None => (server, None),
        };
        if host.is_empty() || instance.is_some_and(str::is_empty) {
            return Err(Error::usage(format!(
                "serveur « {server} » invalide ({source}) : attendu HÔTE ou HÔTE\\INSTANCE"
            )));
        }
        self.server = Some(Sourced::new(host.to_owned(), source.clone()));
        if let Some(instance) = instance {
            if let Some(explicit) = &self.instance
                && !explicit.value.eq_ignore_ascii_case(instance)
            {
                return Err(Error::usage(format!(
                    "deux instances différentes : « {instance} » ({source}) et « {} » ({})",
                    explicit.value, explicit.source
                )));
            }
            self.instance = Some(Sourced::new(instance.to_owned(), source.clone()));
        }
        Ok(())
    }
}

/// The three layers, most important first.
struct Layers<'a>([&'a Layer; 3]);

impl Layers<'_> {
    fn find<T: Clone>(&self, field: impl Fn(&Layer) -> &Option<Sourced<T>>) -> Option<Sourced<T>> {
        self.0.iter().find_map(|layer| field(layer).clone())
    }

    fn or<T: Clone>(&self, field: impl Fn(&Layer) -> &Option<Sourced<T>>, default: T) -> Sourced<T> {
        self.find(field).unwrap_or(Sourced::new(default, Source::Default))
    }

    fn optional<T: Clone>(&self, field: impl Fn(&Layer) -> &Option<Sourced<T>>) -> Sourced<Option<T>> {
        match self.find(field) {
            Some(Sourced { value, source }) => Sourced::new(Some(value), source),
            None => Sourced::new(None, Source::Default),
        }
    }
}

fn sourced<T>(value: T, source: &Source) -> Sourced<T> {
    Sourced::new(value, source.clone())
}

fn flag<T>(name: &'static str, value: Option<T>) -> Option<Sourced<T>> {
    value.map(|value| Sourced::new(value, Source::Flag(name)))
}

fn flag_layer(args: &Flags) -> Result<Layer> {
    let mut layer = Layer {
        instance: flag("--instance", args.instance.clone()),
        port: flag("--port", args.port),
        database: flag("--database", args.database.clone()),
        user: flag("--user", args.user.clone()),
        encrypt: flag("--encrypt", args.encrypt),
        auth: flag("--auth", args.auth),
        // An absent flag says nothing: the profile may still ask for trust_cert.
        trust_cert: flag("--trust-cert", args.trust_cert.then_some(true)),
        ca_file: flag("--ca-file", args.ca_file.clone()),
        timeout: flag("--timeout", args.timeout.map(Duration::from_secs)),
        schema: flag("--schema", args.schema.clone()),
        jlm_db: flag("--jlm-db", args.jlm_db.clone()),
        ..Layer::default()
    };
    if let Some(server) = &args.server {
        layer.set_server(server, &Source::Flag("--server"))?;
    }
    Ok(layer)
}

fn env_layer(env: &Env) -> Result<Layer> {
    let var = |name, value: &Option<String>| value.clone().map(|v| Sourced::new(v, Source::Env(name)));
    let port = match &env.port {
        Some(raw) => Some(Sourced::new(
            raw.trim().parse::<u16>().ok().filter(|port| *port != 0).ok_or_else(|| {
                Error::usage(format!("{PORT_VAR} vaut « {raw} » : ce n'est pas un port TCP (1 à 65535)"))
            })?,
            Source::Env(PORT_VAR),
        )),
        None => None,
    };
    let mut layer = Layer {
        port,
        database: var(DATABASE_VAR, &env.database),
        user: var(USER_VAR, &env.user),
        jlm_db: var(JLM_DATABASE_VAR, &env.jlm_database_url),
        ..Layer::default()
    };
    if let Some(server) = &env.server {
        layer.set_server(server, &Source::Env(SERVER_VAR))?;
    }
    Ok(layer)
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

/// The config file, read and checked; its profiles are ready to take part in the resolution.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub exists: bool,
    profiles: BTreeMap<String, Layer>,
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty configuration.
    pub fn read(path: PathBuf) -> Result<Self> {
        match crate::files::read_text(&path) {
            Ok(text) => Self::parse(path, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self { path, exists: false, profiles: BTreeMap::new() })
            }
            Err(error) => Err(Error::usage(format!(
                "lecture de {} impossible : {}",
                path.display(),
                crate::files::reason(&error)
            ))),
        }
    }

    fn parse(path: PathBuf, text: &str) -> Result<Self> {
        let at = |span: std::ops::Range<usize>| Location { path: &path, line: line_of(text, span.start) };
        // A password is refused before anything else, even in a file TOML would reject, and its
        // value is never quoted back.
        let (recovered, errors) = DeTable::parse_recoverable(text);
        if let Some(span) = find_password(recovered.get_ref()) {
            return Err(Error::usage(format!(
                "{} : clé « password » refusée : le mot de passe ne s'écrit jamais dans le fichier de configuration",
                at(span)
            ))
            .with_hint(format!(
                "enregistrez-le dans le trousseau avec « jlm-batigest login », ou utilisez la variable {PASSWORD_VAR} ; \
                 retirez la ligne du fichier"
            )));
        }
        if let Some(error) = errors.first() {
            let line = error.span().map_or(1, |span| line_of(text, span.start));
            return Err(Error::usage(format!(
                "{} : TOML invalide : {}",
                Location { path: &path, line },
                error.message().trim_end()
            )));
        }

        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut profiles = BTreeMap::new();
        for (key, value) in recovered.get_ref() {
            if key.get_ref() != "profiles" {
                return Err(unknown_key(at(key.span()), key.get_ref(), "en tête du fichier").with_hint(
                    "les réglages se placent dans une table [profiles.NOM], par exemple [profiles.default]",
                ));
            }
            let DeValue::Table(tables) = value.get_ref() else {
                return Err(wrong_type(at(value.span()), "profiles", "une table de profils [profiles.NOM]"));
            };
            for (name, profile) in tables {
                let DeValue::Table(entries) = profile.get_ref() else {
                    return Err(wrong_type(at(profile.span()), name.get_ref(), "une table [profiles.NOM]"));
                };
                let layer = parse_profile(name.get_ref(), entries, &base, &at)?;
                profiles.insert(name.get_ref().to_string(), layer);
            }
        }
        Ok(Self { path, exists: true, profiles })
    }

    /// The profile names the file defines, in order.
    fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    fn unknown_profile(&self, name: &str) -> Error {
        let path = self.path.display();
        let message = if !self.exists {
            format!("profil « {name} » inconnu : le fichier de configuration {path} n'existe pas")
        } else if self.profiles.is_empty() {
            format!("profil « {name} » inconnu : {path} ne définit aucun profil")
        } else {
            let known: Vec<&str> = self.profile_names().collect();
            format!("profil « {name} » inconnu dans {path} (profils définis : {})", known.join(", "))
        };
        Error::usage(message)
            .with_hint(format!("ajoutez une table [profiles.{name}] à {path}, ou choisissez un autre --profile"))
    }
}

/// A place in the config file, as messages show it: `FILE, ligne N`.
#[derive(Debug, Clone, Copy)]
struct Location<'a> {
    path: &'a Path,
    line: usize,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, ligne {}", self.path.display(), self.line)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).split('\n').count()
}

fn find_password(table: &DeTable<'_>) -> Option<std::ops::Range<usize>> {
    table.iter().find_map(|(key, value)| {
        if key.get_ref().eq_ignore_ascii_case("password") {
            return Some(key.span());
        }
        find_password_in(value)
    })
}

fn find_password_in(value: &Spanned<DeValue<'_>>) -> Option<std::ops::Range<usize>> {
    match value.get_ref() {
        DeValue::Table(table) => find_password(table),
        DeValue::Array(items) => items.iter().find_map(find_password_in),
        _ => None,
    }
}

fn positive_integer(value: &DeValue<'_>) -> Option<u64> {
    match value {
        DeValue::Integer(integer) => u64::from_str_radix(integer.as_str(), integer.radix()).ok().filter(|n| *n > 0),
        _ => None,
    }
}

fn unknown_key(at: Location<'_>, key: &str, place: &str) -> Error {
    Error::usage(format!("{at} : clé inconnue « {key} » {place}"))
}

fn wrong_type(at: Location<'_>, key: &str, expected: &str) -> Error {
    Error::usage(format!("{at} : « {key} » doit être {expected}"))
}

const PROFILE_KEYS: &str = "server, port, instance, database, user, auth, encrypt, trust_cert, ca_file, timeout, jlm_db, \
     schema, marge_base, coefficients, relances";

/// A decimal written as a TOML number (`1.45`, `2`) or string (`"1.45"`), read exactly.
fn decimal(value: &DeValue<'_>) -> Option<Decimal> {
    let text = match value {
        DeValue::Float(float) => float.as_str(),
        DeValue::Integer(integer) if integer.radix() == 10 => integer.as_str(),
        DeValue::String(text) => text.as_ref(),
        _ => return None,
    };
    text.replace('_', "").parse().ok()
}

/// `[profiles.NAME.coefficients]`: `tolerance` and the `cibles` table of family targets.
fn parse_coefficients<'a>(
    layer: &mut Layer,
    value: &Spanned<DeValue<'_>>,
    source: &Source,
    at: &impl Fn(std::ops::Range<usize>) -> Location<'a>,
) -> Result<()> {
    let DeValue::Table(table) = value.get_ref() else {
        return Err(wrong_type(at(value.span()), "coefficients", "une table ([profiles.NOM.coefficients])"));
    };
    for (key, value) in table {
        match key.get_ref().as_ref() {
            "tolerance" => {
                let tolerance = decimal(value.get_ref()).filter(|t| !t.is_sign_negative());
                let tolerance = tolerance
                    .ok_or_else(|| wrong_type(at(value.span()), "tolerance", "un nombre positif (ex. 0.05)"))?;
                layer.tolerance = Some(sourced(tolerance, source));
            }
            "cibles" => {
                let DeValue::Table(targets) = value.get_ref() else {
                    return Err(wrong_type(at(value.span()), "cibles", "une table CODE_FAMILLE = coefficient"));
                };
                let mut cibles = BTreeMap::new();
                for (famille, target) in targets {
                    let cible = decimal(target.get_ref()).filter(|c| c.is_sign_positive() && !c.is_zero());
                    let cible = cible.ok_or_else(|| {
                        wrong_type(at(target.span()), famille.get_ref(), "un coefficient positif (ex. 1.45)")
                    })?;
                    cibles.insert(famille.get_ref().to_string(), cible);
                }
                layer.cibles = Some(sourced(cibles, source));
            }
            other => {
                return Err(unknown_key(at(key.span()), other, "dans [coefficients]")
                    .with_hint("clés possibles : tolerance, cibles"));
            }
        }
    }
    Ok(())
}

/// `[profiles.NAME.relances]`: `seuils` (three ascending day counts), `taux_penalites` (annual %),
/// `professionnels` (client codes, or `"tous"`), `modele` (an HTML letter template).
fn parse_relances<'a>(
    layer: &mut Layer,
    value: &Spanned<DeValue<'_>>,
    source: &Source,
    base: &Path,
    at: &impl Fn(std::ops::Range<usize>) -> Location<'a>,
) -> Result<()> {
    let DeValue::Table(table) = value.get_ref() else {
        return Err(wrong_type(at(value.span()), "relances", "une table ([profiles.NOM.relances])"));
    };
    let mut regles = Regles::default();
    for (key, value) in table {
        let where_ = at(value.span());
        match key.get_ref().as_ref() {
            "seuils" => {
                let days: Option<Vec<u32>> = match value.get_ref() {
                    DeValue::Array(items) => items
                        .iter()
                        .map(|item| positive_integer(item.get_ref()).and_then(|n| u32::try_from(n).ok()))
                        .collect(),
                    _ => None,
                };
                let seuils = days
                    .and_then(|days| <[u32; 3]>::try_from(days).ok())
                    .filter(|[a, b, c]| a < b && b < c)
                    .ok_or_else(|| {
                    wrong_type(where_, "seuils", "trois nombres de jours croissants, au moins 1 (ex. [1, 15, 30])")
                })?;
                regles.seuils = seuils;
            }
            "taux_penalites" => {
                let taux = decimal(value.get_ref()).filter(|t| t.is_sign_positive() && *t <= Decimal::ONE_HUNDRED);
                let taux = taux.ok_or_else(|| {
                    wrong_type(where_, "taux_penalites", "un taux annuel en pourcentage, de 0 à 100 (ex. 12.15)")
                })?;
                regles.taux_penalites = Some(taux);
            }
            "professionnels" => {
                let expected = "une liste de codes clients (ex. [\"CLI00042\"]) ou \"tous\"";
                regles.professionnels = match value.get_ref() {
                    DeValue::String(text) if text.as_ref() == "tous" => Professionnels::Tous,
                    DeValue::Array(items) => Professionnels::Liste(
                        items
                            .iter()
                            .map(|item| match item.get_ref() {
                                DeValue::String(code) if !code.is_empty() => Ok(code.to_string()),
                                _ => Err(wrong_type(at(item.span()), "professionnels", expected)),
                            })
                            .collect::<Result<_>>()?,
                    ),
                    _ => return Err(wrong_type(where_, "professionnels", expected)),
                };
            }
            "modele" => match value.get_ref() {
                DeValue::String(path) if !path.is_empty() => {
                    layer.modele_lettre = Some(sourced(base.join(path.as_ref()), source));
                }
                _ => return Err(wrong_type(where_, "modele", "le chemin d'un fichier HTML")),
            },
            other => {
                return Err(unknown_key(at(key.span()), other, "dans [relances]")
                    .with_hint("clés possibles : seuils, taux_penalites, professionnels, modele"));
            }
        }
    }
    layer.relances = Some(sourced(regles, source));
    Ok(())
}

/// The file part of a `sqlite:` URL (`sqlite:PATH`, `sqlite://PATH`, with an optional `?options`).
pub fn sqlite_path(url: &str) -> &str {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split_once('?').map_or(rest, |(path, _)| path)
}

/// A `sqlite:` store named in the file by a relative path is relative to the file, as `ca_file` is.
fn relative_sqlite(url: String, base: &Path) -> String {
    let path = sqlite_path(&url);
    if !url.starts_with("sqlite:") || path.is_empty() || path == ":memory:" || Path::new(path).is_absolute() {
        return url;
    }
    let options = url.split_once('?').map(|(_, options)| format!("?{options}")).unwrap_or_default();
    format!("sqlite:{}{options}", base.join(path).display())
}

fn parse_profile<'a>(
    name: &str,
    entries: &DeTable<'_>,
    base: &Path,
    at: &impl Fn(std::ops::Range<usize>) -> Location<'a>,
) -> Result<Layer> {
    let source = Source::Profile(name.to_owned());
    // Relative paths in the file are relative to the file, not to wherever the command runs.
    let path_value = |value: String| base.join(value);
    let mut layer = Layer::default();
    let mut server = None;
    for (key, value) in entries {
        let where_ = at(value.span());
        let text = || match value.get_ref() {
            DeValue::String(text) if !text.is_empty() => Ok(text.to_string()),
            _ => Err(wrong_type(where_, key.get_ref(), "une chaîne non vide")),
        };
        match key.get_ref().as_ref() {
            "server" => server = Some(text()?),
            "port" => {
                let port = positive_integer(value.get_ref()).and_then(|port| u16::try_from(port).ok());
                let port = port.ok_or_else(|| wrong_type(where_, "port", "un entier de 1 à 65535"))?;
                layer.port = Some(sourced(port, &source));
            }
            "instance" => layer.instance = Some(sourced(text()?, &source)),
            "database" => layer.database = Some(sourced(text()?, &source)),
            "user" => layer.user = Some(sourced(text()?, &source)),
            "auth" => {
                let auth = text().ok().and_then(|auth| Auth::parse(&auth));
                let auth = auth.ok_or_else(|| wrong_type(where_, "auth", "« sql », « windows » ou « integrated »"))?;
                layer.auth = Some(sourced(auth, &source));
            }
            "encrypt" => {
                let mode = text().ok().and_then(|mode| Encryption::parse(&mode));
                let mode = mode.ok_or_else(|| {
                    wrong_type(where_, "encrypt", "« required », « login-only », « off » ou « strict »")
                })?;
                layer.encrypt = Some(sourced(mode, &source));
            }
            "trust_cert" => match value.get_ref() {
                DeValue::Boolean(trust) => layer.trust_cert = Some(sourced(*trust, &source)),
                _ => return Err(wrong_type(where_, "trust_cert", "true ou false")),
            },
            "ca_file" => layer.ca_file = Some(sourced(path_value(text()?), &source)),
            "timeout" => {
                let seconds = positive_integer(value.get_ref());
                let seconds =
                    seconds.ok_or_else(|| wrong_type(where_, "timeout", "un nombre entier de secondes (1 ou plus)"))?;
                layer.timeout = Some(sourced(Duration::from_secs(seconds), &source));
            }
            "jlm_db" => layer.jlm_db = Some(sourced(relative_sqlite(text()?, base), &source)),
            "schema" => {
                // A built-in mapping's name is not a path relative to the config file.
                let schema = text()?;
                let schema =
                    if BUILTIN.contains(&schema.as_str()) { PathBuf::from(schema) } else { path_value(schema) };
                layer.schema = Some(sourced(schema, &source));
            }
            "marge_base" => {
                let base = match text()?.as_str() {
                    "cout" | "coût" => MargeBase::Cout,
                    "vente" => MargeBase::Vente,
                    _ => return Err(wrong_type(where_, "marge_base", "« cout » ou « vente »")),
                };
                layer.marge_base = Some(sourced(base, &source));
            }
            "coefficients" => parse_coefficients(&mut layer, value, &source, at)?,
            "relances" => parse_relances(&mut layer, value, &source, base, at)?,
            other => {
                return Err(unknown_key(at(key.span()), other, &format!("dans le profil « {name} »"))
                    .with_hint(format!("clés possibles : {PROFILE_KEYS}")));
            }
        }
    }
    // Applied last so that `instance` is known whatever the order of the keys.
    if let Some(server) = server {
        layer.set_server(&server, &source)?;
    }
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Result<ConfigFile> {
        ConfigFile::parse(PathBuf::from("/etc/jlm/config.toml"), text)
    }

    fn resolve(args: &Flags, env: &Env, text: &str) -> Result<Settings> {
        Settings::resolve(args, env, &file(text).expect("valid file"))
    }

    const PRODUCTION: &str = r#"
[profiles.default]
server = "batigest.local"
port = 1500
database = "BTG_DOS_JLM"
user = "lecteur"
encrypt = "login-only"
trust_cert = true
ca_file = "ca.pem"
timeout = 120
jlm_db = "postgres://jlm@erp/jlm"
schema = "mapping.toml"

[profiles.production]
server = 'SRV-BATI\SAGEBAT'
"#;

    #[test]
    fn defaults_without_anything() {
        let settings = resolve(&Flags::default(), &Env::default(), "").expect("defaults");
        assert_eq!(settings.profile, "default");
        assert_eq!(settings.server, Sourced::new("localhost".to_owned(), Source::Default));
        assert_eq!(settings.port.value, 1433);
        assert_eq!(settings.database.value, "BATIGEST_CONNECT");
        assert_eq!(settings.encrypt.value, Encryption::Required);
        assert_eq!(settings.timeout.value, Duration::from_secs(30));
        assert!(!settings.trust_cert.value && settings.instance.value.is_none() && settings.ca_file.value.is_none());
        let error = settings.user().expect_err("no user");
        assert_eq!(error.message, "aucun utilisateur SQL : --user, BATIGEST_SQL_USER ou le profil « default »");
    }

    #[test]
    fn profile_values_with_their_source() {
        let settings = resolve(&Flags::default(), &Env::default(), PRODUCTION).expect("profile");
        let profile = Source::Profile("default".to_owned());
        assert_eq!(settings.server, Sourced::new("batigest.local".to_owned(), profile.clone()));
        assert_eq!(settings.port, Sourced::new(1500, profile.clone()));
        assert_eq!(settings.encrypt.value, Encryption::LoginOnly);
        assert_eq!(settings.trust_cert, Sourced::new(true, profile.clone()));
        assert_eq!(settings.timeout.value, Duration::from_mins(2));
        assert_eq!(settings.ca_file.value.as_deref(), Some(Path::new("/etc/jlm/ca.pem")));
        assert_eq!(settings.schema.value.as_deref(), Some(Path::new("/etc/jlm/mapping.toml")));
        assert_eq!(settings.user().expect("user"), "lecteur");
        let builtin = PRODUCTION.replace("\"mapping.toml\"", "\"batigest\"");
        let settings = resolve(&Flags::default(), &Env::default(), &builtin).expect("profile");
        assert_eq!(settings.schema.value.as_deref(), Some(Path::new("batigest")), "a built-in name, not a path");
    }

    #[test]
    fn flag_beats_env_beats_profile() {
        let env = Env {
            server: Some("env-host".to_owned()),
            port: Some("1600".to_owned()),
            user: Some("env-user".to_owned()),
            ..Env::default()
        };
        let args = Flags { server: Some("flag-host".to_owned()), ..Flags::default() };
        let settings = resolve(&args, &env, PRODUCTION).expect("layers");
        assert_eq!(settings.server, Sourced::new("flag-host".to_owned(), Source::Flag("--server")));
        assert_eq!(settings.port, Sourced::new(1600, Source::Env(PORT_VAR)));
        assert_eq!(settings.user, Sourced::new(Some("env-user".to_owned()), Source::Env(USER_VAR)));
        assert_eq!(settings.database.source, Source::Profile("default".to_owned()));
    }

    #[test]
    fn server_with_instance_is_split() {
        let args = Flags { profile: Some("production".to_owned()), ..Flags::default() };
        let settings = resolve(&args, &Env::default(), PRODUCTION).expect("production");
        assert_eq!(settings.server.value, "SRV-BATI");
        assert_eq!(settings.instance, Sourced::new(Some("SAGEBAT".to_owned()), Source::Profile("production".into())));

        let env = Env { server: Some(r"HOST\SAGEBAT".to_owned()), ..Env::default() };
        let settings = resolve(&Flags::default(), &env, "").expect("env");
        assert_eq!(settings.instance, Sourced::new(Some("SAGEBAT".to_owned()), Source::Env(SERVER_VAR)));

        let args = Flags { server: Some(r"HOST\A".to_owned()), instance: Some("B".to_owned()), ..Flags::default() };
        let error = resolve(&args, &Env::default(), "").expect_err("two instances");
        assert!(error.message.contains("« A »") && error.message.contains("« B »"), "{}", error.message);
        let args = Flags { server: Some(r"HOST\".to_owned()), ..Flags::default() };
        assert!(resolve(&args, &Env::default(), "").is_err());
    }

    #[test]
    fn bad_port_variable_names_it() {
        for raw in ["abc", "0", "70000"] {
            let env = Env { port: Some(raw.to_owned()), ..Env::default() };
            let error = resolve(&Flags::default(), &env, "").expect_err("bad port");
            assert!(
                error.message.contains(PORT_VAR) && error.message.contains(&format!("« {raw} »")),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn unknown_profile_lists_the_known_ones() {
        let args = Flags { profile: Some("recette".to_owned()), ..Flags::default() };
        let error = resolve(&args, &Env::default(), PRODUCTION).expect_err("unknown profile");
        assert!(
            error.message.contains("« recette »") && error.message.contains("default, production"),
            "{}",
            error.message
        );
        let missing = ConfigFile::read(PathBuf::from("/nonexistent/config.toml")).expect("missing is empty");
        assert!(!missing.exists);
        let error = Settings::resolve(&args, &Env::default(), &missing).expect_err("unknown profile");
        assert!(error.message.contains("n'existe pas"), "{}", error.message);
    }

    #[test]
    fn password_is_refused_anywhere_without_its_value() {
        for text in [
            "[profiles.default]\nserver = \"x\"\npassword = \"hunter2\"\n",
            "password = \"hunter2\"\n",
            "[profiles.default]\nserver = \"x\"\n\n\npassword = hunter2\n",
            "[profiles]\ndefault = { password = \"hunter2\" }\n",
        ] {
            let error = file(text).expect_err("password refused");
            assert!(error.message.contains("« password » refusée"), "{}", error.message);
            assert!(!error.message.contains("hunter2") && !error.hint.as_deref().unwrap_or("").contains("hunter2"));
        }
        let error = file("[profiles.default]\nserver = \"x\"\npassword = \"hunter2\"\n").expect_err("refused");
        assert!(error.message.contains("ligne 3"), "{}", error.message);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_file_and_line() {
        let error = file("[profiles.default]\nserver = \"x\"\nsevrer = \"y\"\n").expect_err("typo");
        assert_eq!(error.message, "/etc/jlm/config.toml, ligne 3 : clé inconnue « sevrer » dans le profil « default »");
        let error = file("server = \"x\"\n").expect_err("outside a profile");
        assert!(error.message.contains("ligne 1") && error.message.contains("« server »"), "{}", error.message);
        let error = file("[profiles.default]\nport = \"1433\"\n").expect_err("string port");
        assert!(error.message.contains("ligne 2") && error.message.contains("entier"), "{}", error.message);
        let error = file("[profiles.default]\nencrypt = \"maybe\"\n").expect_err("bad mode");
        assert!(error.message.contains("login-only"), "{}", error.message);
        let error = file("[profiles.default]\nserver = \"x\"\nport = = 3\n").expect_err("syntax");
        assert!(error.message.starts_with("/etc/jlm/config.toml, ligne 3 : TOML invalide"), "{}", error.message);
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

    #[test]
    fn store_url_flag_beats_the_environment() {
        let env = Env { jlm_database_url: Some("postgres://erp/jlm".to_owned()), ..Env::default() };
        let settings = resolve(&Flags::default(), &env, "").expect("env");
        assert_eq!(settings.jlm_db, Sourced::new(Some("postgres://erp/jlm".to_owned()), Source::Env(JLM_DATABASE_VAR)));
        let args = Flags { jlm_db: Some("sqlite:jlm.sqlite".to_owned()), ..Flags::default() };
        let settings = resolve(&args, &env, "").expect("flag");
        assert_eq!(settings.jlm_db, Sourced::new(Some("sqlite:jlm.sqlite".to_owned()), Source::Flag("--jlm-db")));
    }
}
