//! The Batigest connections of `serve`: a few kept open and lent to one request at a time
//! (deadpool), each checked by a `SELECT 1` before it is lent again, so that a connection the
//! server dropped is replaced rather than handed out. A connection that cannot be made is the
//! request's error at once (503 with its reason), never a wait for a pool timeout.

use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult};

use crate::batigest::connection::{self, Connection, Failure, Target};
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// Connections kept open at most: screens ask a few things at once, not dozens.
const SIZE: usize = 8;

pub struct Manager {
    target: Target,
    password: Secret,
}

impl managed::Manager for Manager {
    type Type = Connection;
    type Error = Failure;

    async fn create(&self) -> std::result::Result<Connection, Failure> {
        connection::connect(&self.target, self.password.expose()).await
    }

    async fn recycle(&self, client: &mut Connection, _: &Metrics) -> RecycleResult<Failure> {
        // Whatever a request left unread is drained first (tiberius does it before each query).
        match client.simple_query("SELECT 1").await {
            Ok(stream) => stream.into_results().await.map(drop).map_err(|_| RecycleError::message("connexion perdue")),
            Err(_) => Err(RecycleError::message("connexion perdue")),
        }
    }
}

pub type Pool = managed::Pool<Manager>;
pub type Lent = Object<Manager>;

pub fn new(target: &Target, password: &Secret) -> Result<Pool> {
    let wait = target.timeout;
    managed::Pool::builder(Manager { target: target.clone(), password: password.clone() })
        .max_size(SIZE)
        .wait_timeout(Some(wait))
        .create_timeout(Some(wait + Duration::from_secs(1)))
        .recycle_timeout(Some(wait))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| {
            Error::new(Kind::Unexpected, "réserve de connexions Batigest impossible").with_detail(e.to_string())
        })
}

/// A connection from the pool, or why there is none, within the target's timeout in all: a kept
/// connection whose check hangs (a frozen server) is not followed by a whole new connection
/// attempt, which made the answer wait twice the timeout it then named.
pub async fn lend(pool: &Pool, target: &Target) -> Result<Lent> {
    let Ok(lent) = tokio::time::timeout(target.timeout, pool.get()).await else {
        return Err(Error::from(connection::timed_out(target, "la connexion")));
    };
    lent.map_err(|error| match error {
        PoolError::Backend(failure) => Error::from(failure),
        PoolError::Timeout(_) => Error::new(Kind::Connection, "Batigest ne répond pas à temps")
            .with_hint("toutes les connexions sont occupées ou le serveur est lent : réessayez dans un instant"),
        _ => Error::new(Kind::Unexpected, "réserve de connexions Batigest fermée"),
    })
}
