//! The resolution: the flags, the environment and a profile of the file, most important first,
//! then the defaults, into the one [`Settings`] of a run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;
use rust_decimal::Decimal;

use super::env::{DATABASE_VAR, JLM_DATABASE_VAR, PORT_VAR, SERVER_VAR, USER_VAR};
use super::{ConfigError, ConfigFile, DEFAULT_PROFILE, Env, Flags, Source, Sourced};
use crate::batigest::connection::{Auth, Encryption};
use crate::model::MargeBase;
use crate::report::alertes;
use crate::report::coefficients::DEFAULT_TOLERANCE;
use crate::report::relances::Regles;

const DEFAULT_SERVER: &str = "localhost";
const DEFAULT_PORT: u16 = 1433;
const DEFAULT_DATABASE: &str = "BATIGEST_CONNECT";
const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// Every layered setting, declared once: its name, its type, and what it is when no layer gives
/// it (`optional`: `None`; else its default). This makes [`Settings`] (each value with its
/// source), [`Layer`] (what one source says) and the resolution of the layers.
macro_rules! layered {
    ($($(#[doc = $doc:literal])* $name:ident: $ty:ty => $default:tt,)*) => {
        /// The effective settings of one run.
        #[derive(Debug, Clone)]
        pub struct Settings {
            /// The profile used: `--profile`, else `default`. Also the keyring account.
            pub profile: String,
            pub config_path: PathBuf,
            pub config_exists: bool,
            $($(#[doc = $doc])* pub $name: layered!(@value $ty, $default),)*
        }

        /// What one source says; `None` leaves the decision to the next source.
        #[derive(Debug, Clone, Default)]
        pub(super) struct Layer {
            $(pub(super) $name: Option<Sourced<$ty>>,)*
        }

        impl Layers<'_> {
            /// Each setting from the first layer that gives it, else its default.
            fn settle(&self, profile: String, file: &ConfigFile) -> Settings {
                Settings {
                    profile,
                    config_path: file.path.clone(),
                    config_exists: file.exists,
                    $($name: layered!(@settle self, $name, $default),)*
                }
            }
        }
    };
    (@value $ty:ty, optional) => { Sourced<Option<$ty>> };
    (@value $ty:ty, ($default:expr)) => { Sourced<$ty> };
    (@settle $layers:ident, $name:ident, optional) => { $layers.optional(|l| &l.$name) };
    (@settle $layers:ident, $name:ident, ($default:expr)) => { $layers.or(|l| &l.$name, $default) };
}

layered! {
    server: String => (DEFAULT_SERVER.to_owned()),
    instance: String => optional,
    port: u16 => (DEFAULT_PORT),
    database: String => (DEFAULT_DATABASE.to_owned()),
    user: String => optional,
    encrypt: Encryption => (Encryption::Required),
    auth: Auth => (Auth::Sql),
    trust_cert: bool => (false),
    ca_file: PathBuf => optional,
    timeout: Duration => (Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
    /// The JLM store's URL; `None` is the embedded SQLite store.
    jlm_db: String => optional,
    /// A schema mapping file; `None` is the built-in layout.
    schema: PathBuf => optional,
    /// What `TAUX_MARGE` is a rate on.
    marge_base: MargeBase => (MargeBase::Cout),
    /// How far an ouvrage's coefficient may stray from its theoretical one.
    tolerance: Decimal => (DEFAULT_TOLERANCE),
    /// Target coefficient per family code.
    cibles: BTreeMap<String, Decimal> => (BTreeMap::new()),
    /// Payment reminders: thresholds, penalty rate, professional customers.
    relances: Regles => (Regles::default()),
    /// A letter template replacing the built-in one (`[relances] modele`).
    modele_lettre: PathBuf => optional,
    /// Automatic alerts: their rules and channels (`[alertes]`).
    alertes: AlertesSettings => (AlertesSettings::default()),
    /// The web origins whose pages may call `serve` from a browser (`[serve] origines`, CORS).
    origines: Vec<String> => (Vec::new()),
    /// Batigest status → JLM ERP offer status, moved forward only (`[sync] statuts`); empty: the
    /// offers' statuses are not touched.
    statuts: BTreeMap<String, String> => (BTreeMap::new()),
    /// Where the automatic sync posts each pass that changed something (`[sync.webhook]`).
    sync_webhook: WebhookSettings => optional,
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
    pub fn load(args: &Flags, env: &Env) -> Result<Self, ConfigError> {
        let file = ConfigFile::read(env.config_path()?)?;
        // A file named on purpose that is not there is a mistake, not a wish for the defaults.
        if let Some(path) = &env.config
            && !file.exists
        {
            return Err(ConfigError::NamedFileMissing { path: path.clone() });
        }
        Self::resolve(args, env, &file)
    }

    pub fn resolve(args: &Flags, env: &Env, file: &ConfigFile) -> Result<Self, ConfigError> {
        let profile = args.profile.clone().unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let from_profile = match file.profiles.get(&profile) {
            Some(layer) => layer,
            None if profile == DEFAULT_PROFILE => &Layer::default(),
            None => return Err(file.unknown_profile(&profile)),
        };
        let layers = Layers([&flag_layer(args)?, &env_layer(env)?, from_profile]);
        let settings = layers.settle(profile, file);
        if settings.port.value == 0 {
            return Err(ConfigError::ZeroPort { origin: settings.port.source });
        }
        if settings.timeout.value.is_zero() {
            return Err(ConfigError::ZeroTimeout { origin: settings.timeout.source });
        }
        Ok(settings)
    }

    /// The SQL user, required by anything that logs in.
    pub fn user(&self) -> Result<&str, ConfigError> {
        self.user.value.as_deref().ok_or_else(|| ConfigError::NoUser { profile: self.profile.clone() })
    }
}

impl Layer {
    /// Takes `HOST\INSTANCE` apart. The instance it names and an explicit instance of the same
    /// source must agree: silently preferring one would connect somewhere unexpected.
    pub(super) fn set_server(&mut self, server: &str, source: &Source) -> Result<(), ConfigError> {
        let (host, instance) = match server.split_once('\\') {
            Some((host, instance)) => (host, Some(instance)),
            None => (server, None),
        };
        if host.is_empty() || instance.is_some_and(str::is_empty) {
            return Err(ConfigError::BadServer { server: server.to_owned(), origin: source.clone() });
        }
        self.server = Some(Sourced::new(host.to_owned(), source.clone()));
        if let Some(instance) = instance {
            if let Some(explicit) = &self.instance
                && !explicit.value.eq_ignore_ascii_case(instance)
            {
                return Err(ConfigError::TwoInstances {
                    instance: instance.to_owned(),
                    origin: source.clone(),
                    explicit: explicit.value.clone(),
                    explicit_origin: explicit.source.clone(),
                });
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

pub(super) fn sourced<T>(value: T, source: &Source) -> Sourced<T> {
    Sourced::new(value, source.clone())
}

fn flag<T>(name: &'static str, value: Option<T>) -> Option<Sourced<T>> {
    value.map(|value| Sourced::new(value, Source::Flag(name)))
}

fn flag_layer(args: &Flags) -> Result<Layer, ConfigError> {
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

fn env_layer(env: &Env) -> Result<Layer, ConfigError> {
    let var = |name, value: &Option<String>| value.clone().map(|v| Sourced::new(v, Source::Env(name)));
    let port = match &env.port {
        Some(raw) => Some(Sourced::new(
            raw.trim()
                .parse::<u16>()
                .ok()
                .filter(|port| *port != 0)
                .ok_or_else(|| ConfigError::PortVariable { raw: raw.clone() })?,
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
