//! The REST face (`serve`): the original integration's API (`/api/batigest/…`) for JLM ERP's
//! screens, over the same use cases as the commands. Each route turns its request into a use case
//! call (`app`) and the typed result into its body (`bodies`); the routes are listed once
//! (`routes::routes`), for the router and for `openapi.json`, which is generated from the bodies'
//! types. `http` serves them: TLS, the token, limits, the access log, a graceful shutdown.

mod answer;
mod autosync;
mod bodies;
mod connections;
mod http;
mod openapi;
mod pool;
mod routes;

use crate::app;
use crate::error::Result;
use crate::jlm::Store;

pub use connections::Limits;

/// The state every route is handed.
type App = std::sync::Arc<State>;
pub use http::{Options, serve, tls_config};

/// What the routes share: the resolved context, Batigest connections kept open between requests,
/// and the store, opened on first use (a store down at start-up does not stop the Batigest routes;
/// it is tried again next time).
pub struct State {
    batigest: app::Context,
    pool: pool::Pool,
    store: tokio::sync::OnceCell<Store>,
    /// One sync at a time, as two CLI runs are serialised by the store's lock.
    sync: tokio::sync::Mutex<()>,
    /// The automatic sync's last pass (`--sync-interval`), for `GET /sync-status`.
    status: std::sync::Mutex<bodies::SyncStatus>,
}

impl State {
    pub fn new(batigest: app::Context) -> Result<Self> {
        let pool = pool::new(&batigest.target, &batigest.password.secret)?;
        Ok(Self {
            batigest,
            pool,
            store: tokio::sync::OnceCell::new(),
            sync: tokio::sync::Mutex::new(()),
            status: std::sync::Mutex::default(),
        })
    }

    fn set_status(&self, change: impl FnOnce(&mut bodies::SyncStatus)) {
        // A poisoned lock still holds a whole status: each change is made in one go.
        change(&mut self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    }

    fn status(&self) -> bodies::SyncStatus {
        self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    async fn store(&self) -> Result<&Store> {
        self.store.get_or_try_init(|| self.batigest.store()).await
    }

    async fn connect(&self) -> Result<pool::Lent> {
        pool::lend(&self.pool, &self.batigest.target).await
    }
}
