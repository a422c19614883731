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

use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::batigest::connection::{Auth, Encryption};
use crate::batigest::schema::BUILTIN;
use crate::error::{Error, Result};
use crate::jlm::address::Address;
use crate::model::MargeBase;
use crate::report::alertes::{self, DEFAULT_ECART_MARGE_POINTS};
use crate::report::coefficients::DEFAULT_TOLERANCE;
use crate::report::kpi::Granularity;
use crate::report::relances::{Professionnels, Regles};
use crate::secret::Secret;

pub const SERVER_VAR: &str = "BATIGEST_SQL_SERVER";
pub const PORT_VAR: &str = "BATIGEST_SQL_PORT";
pub const DATABASE_VAR: &str = "BATIGEST_DATABASE";
pub const USER_VAR: &str = "BATIGEST_SQL_USER";
pub const PASSWORD_VAR: &str = "BATIGEST_SQL_PASSWORD";
pub const JLM_DATABASE_VAR: &str = "JLM_DATABASE_URL";
pub const CONFIG_VAR: &str = "JLM_BATIGEST_CONFIG";
pub const API_TOKEN_VAR: &str = "JLM_BATIGEST_API_TOKEN";
pub const SMTP_PASSWORD_VAR: &str = "JLM_BATIGEST_SMTP_PASSWORD";
pub const WEBHOOK_SECRET_VAR: &str = "JLM_BATIGEST_WEBHOOK_SECRET";

pub const DEFAULT_PROFILE: &str = "default";

/// A profile name is part of the keyring accounts of its secrets (`PROFIL`, `PROFIL/smtp`,
/// `PROFIL/api`, `PROFIL/webhook`): a `/` in it would share another profile's account — a profile
/// `default/smtp` had `default`'s SMTP password as its SQL password. Letters, digits, `-`, `_`, `.`.
pub fn check_profile_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("nom de profil vide".to_owned());
    }
    match name.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        None => Ok(()),
        Some('/') => {
            Err("« / » est réservé : le trousseau range les secrets d'un profil sous PROFIL/smtp, PROFIL/api, \
             PROFIL/webhook ; lettres, chiffres, « - », « _ » et « . » seulement"
                .to_owned())
        }
        Some(c) => Err(format!(
            "caractère « {} » refusé ; lettres, chiffres, « - », « _ » et « . » seulement",
            c.escape_debug()
        )),
    }
}
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
    /// `JLM_BATIGEST_API_TOKEN`: the token of `serve`, where no keyring is.
    pub api_token: Option<Secret>,
    /// `JLM_BATIGEST_SMTP_PASSWORD`: the SMTP password of the alerts, where no keyring is.
    pub smtp_password: Option<Secret>,
    /// `JLM_BATIGEST_WEBHOOK_SECRET`: the key signing the webhook's requests, where no keyring is.
    pub webhook_secret: Option<Secret>,
    /// The shell the tool was started from, for the commands it suggests.
    pub shell: Shell,
}

/// The syntax of the commands the tool suggests (`demo`'s variables).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "PowerShell is the shell's name")]
pub enum Shell {
    #[default]
    Posix,
    PowerShell,
    Cmd,
}

impl Shell {
    /// On Windows, PowerShell (5.1 and 7) puts the user's own module folder
    /// (`…\Documents\WindowsPowerShell\Modules`, `…\Documents\PowerShell\Modules`) in the
    /// `PSModulePath` its commands inherit; the system-wide value cmd.exe sees has none.
    fn detect(windows: bool, ps_module_path: Option<&str>) -> Self {
        if !windows {
            return Shell::Posix;
        }
        let user_modules = ps_module_path.unwrap_or_default().split(';').any(|dir| {
            let dir = dir.to_ascii_lowercase().replace('/', "\\");
            dir.contains("\\documents\\windowspowershell\\modules") || dir.contains("\\documents\\powershell\\modules")
        });
        if user_modules { Shell::PowerShell } else { Shell::Cmd }
    }

    /// The line that sets `vars` for the commands typed after it, each value quoted.
    pub fn set_vars(self, vars: &[(&str, &str)]) -> String {
        let assignments: Vec<String> = match self {
            Shell::Posix => {
                vec![format!(
                    "export {}",
                    vars.iter()
                        .map(|(name, value)| format!("{name}='{}'", value.replace('\'', "'\\''")))
                        .collect::<Vec<_>>()
                        .join(" ")
                )]
            }
            Shell::PowerShell => {
                vars.iter().map(|(name, value)| format!("$env:{name} = '{}'", value.replace('\'', "''"))).collect()
            }
            Shell::Cmd => vars.iter().map(|(name, value)| format!("set \"{name}={value}\"")).collect(),
        };
        assignments.join(if self == Shell::Cmd { " & " } else { "; " })
    }
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
            api_token: var(API_TOKEN_VAR)?.map(Secret::new),
            smtp_password: var(SMTP_PASSWORD_VAR)?.map(Secret::new),
            webhook_secret: var(WEBHOOK_SECRET_VAR)?.map(Secret::new),
            shell: Shell::detect(cfg!(windows), std::env::var("PSModulePath").ok().as_deref()),
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
    /// Automatic alerts: their rules and channels (`[alertes]`).
    pub alertes: Sourced<AlertesSettings>,
    /// The web origins whose pages may call `serve` from a browser (`[serve] origines`, CORS).
    pub origines: Sourced<Vec<String>>,
}

/// The alerts' rules and the channels that deliver them (profile `[alertes]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertesSettings {
    pub regles: alertes::Regles,
    pub email: Option<EmailSettings>,
    pub webhook: Option<WebhookSettings>,
}

/// `[alertes.email]`: one message per run to `a`, over SMTP with TLS from the start or STARTTLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    pub serveur: String,
    pub port: u16,
    pub securite: Securite,
    /// Without a user, no authentication (a relay that trusts the network).
    pub utilisateur: Option<String>,
    pub de: Mailbox,
    pub a: Vec<Mailbox>,
    /// A CA certificate (PEM) trusted besides the system's, for a server with its own CA.
    pub ca_file: Option<PathBuf>,
}

/// How the SMTP connection is secured: never in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Securite {
    /// Plain connection upgraded by STARTTLS (port 587), refused if the server does not offer it.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// `[alertes.webhook]`: a JSON POST per run to `url`, signed when `signer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    pub url: String,
    pub signer: bool,
    pub ca_file: Option<PathBuf>,
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
            alertes: layers.or(|l| &l.alertes, AlertesSettings::default()),
            origines: layers.or(|l| &l.origines, Vec::new()),
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
    alertes: Option<Sourced<AlertesSettings>>,
    origines: Option<Sourced<Vec<String>>>,
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

        let document: FileDoc = toml::from_str(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            file_error(Location { path: &path, line: line_of(text, span.start) }, text, span.start, error.message())
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut profiles = BTreeMap::new();
        for (name, profile) in document.profiles {
            if let Err(why) = check_profile_name(&name) {
                let line = text.find(&name).map_or(1, |offset| line_of(text, offset));
                return Err(Error::usage(format!("{} : profil « {name} » : {why}", Location { path: &path, line }))
                    .with_hint("renommez la table [profiles.NOM]"));
            }
            let layer = profile.into_layer(&name, &base)?;
            profiles.insert(name, layer);
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

/// The config file as written. Each setting is one field; serde refuses unknown keys
/// (`deny_unknown_fields`) and each value type checks itself as it is read, with a French message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    profiles: BTreeMap<String, ProfileDoc>,
}

/// `[profiles.NOM]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileDoc {
    server: Option<Text>,
    port: Option<Port>,
    instance: Option<Text>,
    database: Option<Text>,
    user: Option<Text>,
    auth: Option<Auth>,
    encrypt: Option<Encryption>,
    trust_cert: Option<Yes>,
    ca_file: Option<Text>,
    timeout: Option<Seconds>,
    jlm_db: Option<Text>,
    schema: Option<Text>,
    marge_base: Option<MargeBase>,
    coefficients: Option<CoefficientsDoc>,
    relances: Option<RelancesDoc>,
    alertes: Option<AlertesDoc>,
    serve: Option<ServeDoc>,
}

/// `[profiles.NOM.serve]`: the origins (`https://erp.jlm.fr`) allowed to call the API from a browser.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeDoc {
    origines: Option<Origines>,
}

/// `[profiles.NOM.coefficients]`: the tolerance and the family targets.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoefficientsDoc {
    tolerance: Option<Tolerance>,
    cibles: Option<BTreeMap<String, Coefficient>>,
}

/// `[profiles.NOM.relances]`: three ascending day counts, an annual rate in percent, the
/// professional customers (codes, or `"tous"`), an HTML letter template.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelancesDoc {
    seuils: Option<Seuils>,
    taux_penalites: Option<Taux>,
    professionnels: Option<Pros>,
    modele: Option<Text>,
}

/// `[profiles.NOM.alertes]`: the margin drift that makes an alert, and the channels.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertesDoc {
    ecart_marge_points: Option<Points>,
    periode_marge: Option<PeriodeMarge>,
    email: Option<EmailDoc>,
    webhook: Option<WebhookDoc>,
}

/// `[profiles.NOM.alertes.email]`. The password is in the keyring (`alertes login-smtp`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailDoc {
    serveur: Text,
    port: Option<Port>,
    securite: Option<Securite>,
    utilisateur: Option<Text>,
    de: Adresse,
    a: Adresses,
    ca_file: Option<Text>,
}

/// `[profiles.NOM.alertes.webhook]`. The signing key is in the keyring (`alertes login-webhook`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookDoc {
    url: WebhookUrl,
    signer: Option<Yes>,
    ca_file: Option<Text>,
}

impl AlertesDoc {
    fn settings(self, base: &Path) -> AlertesSettings {
        let path = |Text(value): Text| base.join(value);
        AlertesSettings {
            regles: alertes::Regles {
                ecart_marge_points: self.ecart_marge_points.map_or(DEFAULT_ECART_MARGE_POINTS, |Points(p)| p),
                periode_marge: self.periode_marge.map_or(Granularity::Month, |PeriodeMarge(g)| g),
            },
            email: self.email.map(|doc| {
                let securite = doc.securite.unwrap_or(Securite::Starttls);
                EmailSettings {
                    serveur: doc.serveur.0,
                    port: doc.port.map_or(
                        match securite {
                            Securite::Starttls => 587,
                            Securite::Tls => 465,
                        },
                        |Port(port)| port,
                    ),
                    securite,
                    utilisateur: doc.utilisateur.map(|Text(user)| user),
                    de: doc.de.0,
                    a: doc.a.0,
                    ca_file: doc.ca_file.map(path),
                }
            }),
            webhook: self.webhook.map(|doc| WebhookSettings {
                url: doc.url.0,
                signer: doc.signer.is_some_and(|Yes(signer)| signer),
                ca_file: doc.ca_file.map(path),
            }),
        }
    }
}

impl ProfileDoc {
    fn into_layer(self, name: &str, base: &Path) -> Result<Layer> {
        let source = Source::Profile(name.to_owned());
        // Relative paths in the file are relative to the file, not to wherever the command runs.
        let path = |Text(value): Text| base.join(value);
        let (tolerance, cibles) = match self.coefficients {
            Some(CoefficientsDoc { tolerance, cibles }) => (
                tolerance.map(|Tolerance(t)| t),
                cibles.map(|cibles| cibles.into_iter().map(|(famille, Coefficient(c))| (famille, c)).collect()),
            ),
            None => (None, None),
        };
        let (relances, modele) = match self.relances {
            Some(doc) => {
                let defaults = Regles::default();
                let regles = Regles {
                    seuils: doc.seuils.map_or(defaults.seuils, |Seuils(seuils)| seuils),
                    taux_penalites: doc.taux_penalites.map(|Taux(taux)| taux),
                    professionnels: doc.professionnels.map_or(defaults.professionnels, |Pros(pros)| pros),
                };
                (Some(regles), doc.modele.map(path))
            }
            None => (None, None),
        };
        let mut layer = Layer {
            instance: self.instance.map(|Text(v)| sourced(v, &source)),
            port: self.port.map(|Port(v)| sourced(v, &source)),
            database: self.database.map(|Text(v)| sourced(v, &source)),
            user: self.user.map(|Text(v)| sourced(v, &source)),
            encrypt: self.encrypt.map(|v| sourced(v, &source)),
            auth: self.auth.map(|v| sourced(v, &source)),
            trust_cert: self.trust_cert.map(|Yes(v)| sourced(v, &source)),
            ca_file: self.ca_file.map(|v| sourced(path(v), &source)),
            timeout: self.timeout.map(|Seconds(v)| sourced(Duration::from_secs(v), &source)),
            jlm_db: self.jlm_db.map(|Text(v)| sourced(Address::relative_to(v, base), &source)),
            // A built-in mapping's name is not a path relative to the config file.
            schema: self.schema.map(|Text(v)| {
                let schema = if BUILTIN.contains(&v.as_str()) { PathBuf::from(v) } else { base.join(v) };
                sourced(schema, &source)
            }),
            marge_base: self.marge_base.map(|v| sourced(v, &source)),
            tolerance: tolerance.map(|v| sourced(v, &source)),
            cibles: cibles.map(|v| sourced(v, &source)),
            relances: relances.map(|v| sourced(v, &source)),
            modele_lettre: modele.map(|v| sourced(v, &source)),
            alertes: self.alertes.map(|doc| sourced(doc.settings(base), &source)),
            origines: self.serve.and_then(|doc| doc.origines).map(|Origines(o)| sourced(o, &source)),
            server: None,
        };
        // Applied last so that `instance` is known whatever the order of the keys.
        if let Some(Text(server)) = self.server {
            layer.set_server(&server, &source)?;
        }
        Ok(layer)
    }
}

/// A value type of the file: read from any TOML value, and refused in French with what was
/// expected (« doit être … »), which [`file_error`] places at its key and line.
macro_rules! setting {
    ($name:ident($inner:ty), $expected:literal, |$value:ident| $check:expr) => {
        struct $name($inner);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let $value = toml::Value::deserialize(deserializer)?;
                let checked: Option<$inner> = $check;
                checked.map($name).ok_or_else(|| serde::de::Error::custom(concat!("doit être ", $expected)))
            }
        }
    };
}

setting!(Text(String), "une chaîne non vide", |value| value.as_str().filter(|t| !t.is_empty()).map(str::to_owned));
setting!(Port(u16), "un entier de 1 à 65535", |value| integer(&value).and_then(|n| u16::try_from(n).ok()));
setting!(Seconds(u64), "un nombre entier de secondes (1 ou plus)", |value| integer(&value));
setting!(Yes(bool), "true ou false", |value| value.as_bool());
setting!(Tolerance(Decimal), "un nombre positif (ex. 0.05)", |value| {
    decimal(&value).filter(|t| !t.is_sign_negative())
});
setting!(Coefficient(Decimal), "un coefficient positif (ex. 1.45)", |value| {
    decimal(&value).filter(|c| c.is_sign_positive() && !c.is_zero())
});
setting!(Taux(Decimal), "un taux annuel en pourcentage, de 0 à 100 (ex. 12.15)", |value| {
    decimal(&value).filter(|t| t.is_sign_positive() && *t <= Decimal::ONE_HUNDRED)
});
setting!(Seuils([u32; 3]), "trois nombres de jours croissants, au moins 1 (ex. [1, 15, 30])", |value| {
    each(&value, |item| integer(item).and_then(|n| u32::try_from(n).ok()))
        .and_then(|days| <[u32; 3]>::try_from(days).ok())
        .filter(|[a, b, c]| a < b && b < c)
});
setting!(Pros(Professionnels), "une liste de codes clients (ex. [\"CLI00042\"]) ou \"tous\"", |value| {
    if value.as_str() == Some("tous") {
        Some(Professionnels::Tous)
    } else {
        each(&value, |item| item.as_str().filter(|code| !code.is_empty()).map(str::to_owned)).map(Professionnels::Liste)
    }
});

setting!(Points(Decimal), "un nombre de points positif (ex. 5)", |value| {
    decimal(&value).filter(|p| !p.is_sign_negative())
});
setting!(PeriodeMarge(Granularity), "« mensuel » ou « trimestriel »", |value| match value.as_str() {
    Some("mensuel") => Some(Granularity::Month),
    Some("trimestriel") => Some(Granularity::Quarter),
    _ => None,
});
setting!(Adresse(Mailbox), "une adresse e-mail (ex. \"Alertes <alertes@jlm.fr>\")", |value| mailbox(&value));
setting!(Adresses(Vec<Mailbox>), "une liste d'adresses e-mail (ex. [\"compta@jlm.fr\"])", |value| {
    each(&value, mailbox).filter(|addresses| !addresses.is_empty())
});
setting!(
    WebhookUrl(String),
    "une adresse https:// sans identifiant ni mot de passe (ex. \"https://erp.jlm.fr/hooks/batigest\") ; \
     http:// seulement vers cette machine (127.0.0.1, ::1, localhost) : les alertes portent les noms des \
     clients et leurs montants, qui ne passent pas en clair sur le réseau",
    |value| {
        value
            .as_str()
            .filter(|text| {
                url::Url::parse(text).is_ok_and(|url| {
                    // Credentials in the URL would travel in the Host header and the logs: the
                    // signature is how a receiver trusts the sender. Clear HTTP stays on the
                    // machine, as `serve` and the SMTP channel require.
                    let loopback = match url.host() {
                        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                        None => false,
                    };
                    (url.scheme() == "https" || url.scheme() == "http" && loopback)
                        && url.host_str().is_some()
                        && url.username().is_empty()
                        && url.password().is_none()
                })
            })
            .map(str::to_owned)
    }
);

setting!(Origines(Vec<String>), "une liste d'origines web sans chemin (ex. [\"https://erp.jlm.fr\"])", |value| {
    each(&value, |item| {
        // An origin is exactly what browsers send: scheme, host, port if not the default.
        item.as_str()
            .filter(|text| {
                url::Url::parse(text).is_ok_and(|url| {
                    matches!(url.scheme(), "http" | "https") && url.origin().ascii_serialization() == *text
                })
            })
            .map(str::to_owned)
    })
});

impl<'de> Deserialize<'de> for Securite {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer)?.as_str() {
            Some("starttls") => Ok(Securite::Starttls),
            Some("tls") => Ok(Securite::Tls),
            _ => Err(serde::de::Error::custom("doit être « starttls » ou « tls »")),
        }
    }
}

impl<'de> Deserialize<'de> for Auth {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        value
            .as_str()
            .and_then(Auth::parse)
            .ok_or_else(|| serde::de::Error::custom("doit être « sql », « windows » ou « integrated »"))
    }
}

impl<'de> Deserialize<'de> for Encryption {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        value
            .as_str()
            .and_then(Encryption::parse)
            .ok_or_else(|| serde::de::Error::custom("doit être « required », « login-only », « off » ou « strict »"))
    }
}

impl<'de> Deserialize<'de> for MargeBase {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer)?.as_str() {
            Some("cout" | "coût") => Ok(MargeBase::Cout),
            Some("vente") => Ok(MargeBase::Vente),
            _ => Err(serde::de::Error::custom("doit être « cout » ou « vente »")),
        }
    }
}

/// Each item of a TOML array read by `item`; `None` for anything but an array, or when one item
/// is refused.
fn each<T>(value: &toml::Value, item: impl Fn(&toml::Value) -> Option<T>) -> Option<Vec<T>> {
    value.as_array()?.iter().map(item).collect()
}

/// An e-mail address, with or without a name (`Alertes <alertes@jlm.fr>`).
fn mailbox(value: &toml::Value) -> Option<Mailbox> {
    value.as_str()?.parse().ok()
}

/// A positive integer.
fn integer(value: &toml::Value) -> Option<u64> {
    value.as_integer().and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0)
}

/// A decimal written as a TOML number (`1.45`, `2`) or string (`"1.45"`), read exactly: a float
/// is read back from its shortest decimal form, which is what was written.
fn decimal(value: &toml::Value) -> Option<Decimal> {
    let text = match value {
        toml::Value::Float(float) if float.is_finite() => float.to_string(),
        toml::Value::Integer(integer) => integer.to_string(),
        toml::Value::String(text) => text.replace('_', ""),
        _ => return None,
    };
    text.parse().ok()
}

/// A refusal of the file, said at its line with the key it is about. serde words an unknown key
/// as « unknown field `x`, expected one of `a`, `b` » (serde's own, stable wording): it is told
/// in French with the keys the place allows.
fn file_error(at: Location<'_>, text: &str, offset: usize, message: &str) -> Error {
    let place = section_at(text, offset);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let mut names = rest.split('`').step_by(2);
        let key = names.next().unwrap_or_default();
        let allowed: Vec<&str> = names.filter(|name| !name.is_empty()).collect();
        let error = Error::usage(format!("{at} : clé inconnue « {key} » {}", place.describe()));
        return if place == Section::Top {
            error.with_hint("les réglages se placent dans une table [profiles.NOM], par exemple [profiles.default]")
        } else {
            error.with_hint(format!("clés possibles : {}", allowed.join(", ")))
        };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        // The error points at the table that lacks the key: its header names it.
        let header =
            text.get(offset..).and_then(|rest| rest.lines().next()).map(str::trim).filter(|line| line.starts_with('['));
        let place = header.map_or_else(|| place.describe(), |header| format!("dans {header}"));
        return Error::usage(format!("{at} : il manque la clé « {key} » {place}"));
    }
    let key = key_at(text, offset);
    match message.strip_prefix("doit être ") {
        Some(expected) => Error::usage(format!("{at} : « {key} » doit être {expected}")),
        None if place == Section::Top && key == "profiles" => {
            Error::usage(format!("{at} : « profiles » doit être une table de profils [profiles.NOM]"))
        }
        // A table expected where something else is written (`coefficients = 3`): serde names our
        // own types there, which mean nothing to a user.
        None if message.contains("expected struct") || message.contains("expected a map") => {
            Error::usage(format!("{at} : « {key} » doit être une table ([…{key}] ou {key} = {{ … }})"))
        }
        None => Error::usage(format!("{at} : valeur de « {key} » refusée")).with_detail(message.trim_end()),
    }
}

/// Where in the file an offset lies: at the top, in a profile, or in one of its sub-tables.
#[derive(Debug, PartialEq, Eq)]
enum Section {
    Top,
    Profile(String),
    Table(String),
}

impl Section {
    fn describe(&self) -> String {
        match self {
            Section::Top => "en tête du fichier".to_owned(),
            Section::Profile(name) => format!("dans le profil « {name} »"),
            Section::Table(table) => format!("dans [{table}]"),
        }
    }
}

/// The last `[header]` before `offset`.
fn section_at(text: &str, offset: usize) -> Section {
    let before = text.get(..offset).unwrap_or(text);
    let Some(header) = before.lines().rev().map(str::trim).find(|line| line.starts_with('[')) else {
        return Section::Top;
    };
    let header = header.trim_start_matches('[').split(']').next().unwrap_or_default();
    let parts: Vec<&str> = header.split('.').map(|part| part.trim().trim_matches(['"', '\''])).collect();
    match parts.as_slice() {
        ["profiles", name] => Section::Profile((*name).to_owned()),
        ["profiles", _, table, ..] => Section::Table((*table).to_owned()),
        _ => Section::Top,
    }
}

/// The key whose value starts at or around `offset`: the last `key =` before it on its line.
fn key_at(text: &str, offset: usize) -> String {
    let line_start = text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |at| at + 1);
    let line = text.get(line_start..).and_then(|rest| rest.lines().next()).unwrap_or_default();
    let upto = offset.saturating_sub(line_start).min(line.len());
    let head = line.get(..upto).filter(|head| head.contains('=')).unwrap_or(line);
    let before_equals = head.rsplit_once('=').map_or(head, |(key, _)| key);
    before_equals.rsplit(['{', ',', '[']).next().unwrap_or_default().trim().trim_matches(['"', '\'']).to_owned()
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
    fn suggested_commands_follow_the_shell() {
        let system = r"C:\Program Files\WindowsPowerShell\Modules;C:\WINDOWS\system32\WindowsPowerShell\v1.0\Modules";
        let user = format!(r"C:\Users\Hélène\OneDrive\Documents\WindowsPowerShell\Modules;{system}");
        assert_eq!(Shell::detect(true, Some(system)), Shell::Cmd);
        assert_eq!(Shell::detect(true, None), Shell::Cmd);
        assert_eq!(Shell::detect(true, Some(&user)), Shell::PowerShell);
        assert_eq!(Shell::detect(true, Some(r"C:\Users\a\Documents\PowerShell\Modules")), Shell::PowerShell);
        assert_eq!(Shell::detect(false, Some(&user)), Shell::Posix);
        let vars = [
            ("JLM_BATIGEST_CONFIG", r"C:\Mes documents\l'essai\config.toml"),
            ("BATIGEST_SQL_PASSWORD", "Sandbox!2024"),
        ];
        assert_eq!(
            Shell::Posix.set_vars(&vars),
            r"export JLM_BATIGEST_CONFIG='C:\Mes documents\l'\''essai\config.toml' BATIGEST_SQL_PASSWORD='Sandbox!2024'"
        );
        assert_eq!(
            Shell::PowerShell.set_vars(&vars),
            r"$env:JLM_BATIGEST_CONFIG = 'C:\Mes documents\l''essai\config.toml'; $env:BATIGEST_SQL_PASSWORD = 'Sandbox!2024'"
        );
        assert_eq!(
            Shell::Cmd.set_vars(&vars),
            r#"set "JLM_BATIGEST_CONFIG=C:\Mes documents\l'essai\config.toml" & set "BATIGEST_SQL_PASSWORD=Sandbox!2024""#
        );
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
