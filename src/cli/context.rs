//! What commands that read Batigest share: settings resolved once, the connection target, the
//! password, the schema mapping, and an async runtime.

use std::io::Write;

use super::Cli;
use crate::batigest::connection::{Encryption, Target, Trust};
use crate::batigest::schema::Mapping;
use crate::config::{Encrypt, Env, Settings, Source};
use crate::credentials::{self, Keyring, Password};
use crate::error::{Error, Kind, Result};

pub struct Batigest {
    pub settings: Settings,
    pub target: Target,
    pub password: Password,
    pub mapping: Mapping,
}

impl Batigest {
    /// Resolves everything before any connection: a bad setting or mapping fails here, with
    /// exit 2, and nothing has touched the network yet.
    pub fn resolve(cli: &Cli) -> Result<Self> {
        let env = Env::capture()?;
        let settings = Settings::load(&cli.connection, &env)?;
        let mapping = match &settings.schema.value {
            Some(path) => Mapping::from_file(path).map_err(|e| {
                Error::usage(format!("correspondance du schéma refusée : {e}"))
                    .with_hint("chaque nom doit être un identifiant SQL simple : lettres, chiffres et _")
            })?,
            None => Mapping::default(),
        };
        let target = target(&settings)?;
        // The keyring may block: it is read here, before the async runtime starts.
        let password = credentials::resolve_password(&settings, &env, cli.connection.password_stdin, &Keyring)?;
        tracing::info!(server = %target.describe(), database = %target.database, user = %target.user,
            password = %password.source, "connection settings resolved");
        if target.trust == Trust::Anything && !cli.quiet {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "Attention : --trust-cert accepte le certificat du serveur sans le vérifier ; la connexion peut être \
                 interceptée. Préférez --ca-file."
            );
        }
        Ok(Self { settings, target, password, mapping })
    }
}

fn target(settings: &Settings) -> Result<Target> {
    let instance = settings.instance.value.clone();
    // With an instance, an explicit port is the SQL Server Browser's; the default is left to the
    // protocol (1434 for the browser).
    let port = match (&instance, &settings.port.source) {
        (Some(_), Source::Default) => None,
        _ => Some(settings.port.value),
    };
    let trust = match (settings.trust_cert.value, &settings.ca_file.value) {
        (true, _) => Trust::Anything,
        (false, Some(path)) => Trust::Ca(path.clone()),
        (false, None) => Trust::System,
    };
    Ok(Target {
        host: settings.server.value.clone(),
        port,
        instance,
        database: settings.database.value.clone(),
        user: settings.user()?.to_owned(),
        encryption: match settings.encrypt.value {
            Encrypt::Required => Encryption::Required,
            Encrypt::LoginOnly => Encryption::LoginOnly,
            Encrypt::Off => Encryption::Off,
        },
        trust,
        timeout: settings.timeout.value,
    })
}

/// A runtime for the async client. Current-thread: the tool does one thing at a time.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(Kind::Unexpected, format!("démarrage du moteur asynchrone impossible : {e}")))
}
