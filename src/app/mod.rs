//! The use cases (DESIGN §7), each written once for every face: the command line, the REST API
//! (`api`), the notifications and the automatic sync. A use case takes the resolved [`Context`]
//! (and a Batigest connection or the store where it needs one) with a typed request, and returns
//! typed results; it parses no argument, answers no HTTP request and renders nothing.

pub mod alertes;
pub mod analytics;
pub mod coefficients;
pub mod dashboard;
pub mod devis;
pub mod factures;
pub mod integrations;
pub mod relances;
pub mod sync;
pub mod tresorerie;
pub mod watch;

use crate::batigest::connection::{self, Connection, ServerStatus, Target};
use crate::batigest::schema::Mapping;
use crate::batigest::statuses;
use crate::config::{Env, Settings};
use crate::credentials::Password;
use crate::error::{Error, Result};
use crate::jlm::Store;
use crate::jlm::address::{Address, Platform};
use crate::report::coefficients::{Grouping, Settings as CoefficientSettings};

/// Everything a use case needs, resolved once per run by the face before any connection: the
/// settings, the environment they were read from, the Batigest target with its password, and the
/// schema mapping.
pub struct Context {
    pub settings: Settings,
    /// The environment the settings were read from, captured once: it also gives the embedded
    /// JLM store's place and the OS user the sync log records.
    pub env: Env,
    pub target: Target,
    pub password: Password,
    pub mapping: Mapping,
    /// `-q`: warnings are not said.
    pub quiet: bool,
}

impl Context {
    /// Connects and logs in; a failure is exit 3 with its French sentence and hint.
    pub async fn connect(&self) -> Result<Connection> {
        connection::connect(&self.target, self.password.secret.expose()).await.map_err(Error::from)
    }

    /// Stops (exit 2, before any figure) when the data holds a status code of `fields` that the
    /// mapping cannot translate: a result that depends on statuses would be silently wrong.
    pub async fn check_statuses(&self, client: &mut Connection, fields: &[(&'static str, &'static str)]) -> Result<()> {
        statuses::check(client, &self.mapping, fields, self.target.timeout).await.map_err(Error::from)
    }

    /// The coefficient rules of the profile (tolerance, targets), grouped as asked.
    pub fn coefficient_settings(&self, grouping: Grouping) -> CoefficientSettings {
        CoefficientSettings {
            grouping,
            tolerance: self.settings.tolerance.value,
            cibles: self.settings.cibles.value.clone(),
        }
    }

    /// Opens (and creates, on first use) the JLM store; a failure is exit 5.
    pub async fn store(&self) -> Result<Store> {
        open_store(&self.settings, &self.env, self.quiet).await
    }

    /// The OS user the sync log records.
    pub fn os_user(&self) -> Option<&str> {
        self.env.os_user.as_deref()
    }
}

/// Opens the JLM store the settings name (`--jlm-db`, `JLM_DATABASE_URL`, profile), or the embedded
/// one of `env`; a bad address is exit 2, a store that cannot be opened exit 5.
pub async fn open_store(settings: &Settings, env: &Env, quiet: bool) -> Result<Store> {
    let address = match settings.jlm_db.value.as_deref() {
        Some(text) => Address::parse(text)
            .map_err(|e| Error::usage(format!("{e} ({})", settings.jlm_db.source)).with_hint(e.hint()))?,
        None => Store::embedded(env.default_store.as_deref())?,
    };
    if address.on_network_share(Platform::CURRENT) && !quiet {
        crate::diagnostics::line(&format!(
            "Attention : le magasin JLM {address} est sur un partage réseau ; SQLite n'y est pas sûr quand \
             plusieurs postes écrivent en même temps. Pour un magasin partagé, utilisez la base PostgreSQL de JLM ERP \
             (--jlm-db postgres://…)."
        ));
    }
    Ok(Store::open(&address, settings.timeout.value).await?)
}

/// The connection test (`test-connection`, `GET /connection-test`, the dashboard): the server's
/// version, database, clock and round trip.
pub async fn server_status(ctx: &Context, client: &mut Connection) -> Result<ServerStatus> {
    Ok(connection::server_status(client, &ctx.target).await?)
}
