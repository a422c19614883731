//! The automatic sync's state in the store (DESIGN §4.1): the figures last seen per bucket of
//! devis, and the lock that keeps a second watcher off a store another one already keeps current.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::address::Address;
use super::{Columns, Result, Store, StoreError, Ty, now_text, query};

/// What the store remembers of one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub devis: i64,
    pub checksum: Option<i64>,
    /// The settings the bucket was synced with (see `app::watch`).
    pub empreinte: String,
}

/// How a watcher keeps the others off: a lock file next to a SQLite store, an advisory lock held
/// by a connection of its own on PostgreSQL. Both are let go by the system when the process ends,
/// however it ends (`kill -9` included).
pub(super) enum Guard {
    File(PathBuf),
    Postgres(Box<AnyConnectOptions>),
    /// An in-memory store: nobody else can reach it.
    Alone,
}

impl Guard {
    pub(super) fn new(address: &Address, options: &AnyConnectOptions) -> Self {
        match address {
            Address::Sqlite(file) if file.path.as_os_str() == ":memory:" => Guard::Alone,
            Address::Sqlite(file) => {
                let mut name = file.path.clone().into_os_string();
                name.push("-veille");
                Guard::File(PathBuf::from(name))
            }
            Address::Postgres(_) => Guard::Postgres(Box::new(options.clone())),
        }
    }
}

/// The watcher's lock, held as long as this lives.
pub enum Held {
    File(#[allow(dead_code)] std::fs::File),
    Postgres(#[allow(dead_code)] sqlx::AnyConnection),
    Alone,
}

impl Store {
    /// Takes the watcher's lock if nobody holds it; `None` when another watcher does.
    pub async fn watch_lock(&self) -> Result<Option<Held>> {
        match &self.watch {
            Guard::Alone => Ok(Some(Held::Alone)),
            Guard::File(path) => {
                let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path);
                let file = file.map_err(|source| StoreError::WatchLock { path: path.clone(), source })?;
                match file.try_lock() {
                    Ok(()) => Ok(Some(Held::File(file))),
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(source)) => {
                        Err(StoreError::WatchLock { path: path.clone(), source })
                    }
                }
            }
            Guard::Postgres(options) => {
                // Not a key of `Store::write`'s transaction locks (`veille` is one): this session
                // would wait for itself.
                let fail = |e| self.error("verrou de la synchronisation automatique impossible", e);
                let mut connection = options.connect().await.map_err(fail)?;
                let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtext('jlm-batigest:veilleur'))")
                    .fetch_one(&mut connection)
                    .await
                    .map_err(fail)?;
                if taken {
                    Ok(Some(Held::Postgres(connection)))
                } else {
                    let _ = connection.close().await;
                    Ok(None)
                }
            }
        }
    }

    /// The devis waiting for review that an offer of JLM ERP now names — by `batigest_ref`, or by
    /// `reference` equal to the devis' number or affaire reference — and that no other devis
    /// holds: the ERP moved, not Batigest, so no month's figures did. Only with `offers`.
    pub async fn linkable(&self) -> Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT DISTINCT CAST(i.numero_devis AS TEXT) FROM batigest_integrations i JOIN offers o \
             ON o.batigest_ref = i.numero_devis OR o.reference = i.numero_devis OR o.reference = i.batigest_ref \
             WHERE CAST(i.sync_status AS TEXT) = 'manual_review' AND i.numero_devis IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM batigest_integrations j WHERE j.offer_id = o.id \
             AND j.numero_devis <> i.numero_devis) ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error("lecture des devis à vérifier impossible", e))
    }

    /// The figures last seen, by bucket.
    pub async fn buckets_seen(&self) -> Result<BTreeMap<String, Seen>> {
        let rows = sqlx::query(
            "SELECT CAST(bucket AS TEXT), CAST(devis AS BIGINT), CAST(checksum AS BIGINT), CAST(empreinte AS TEXT) \
             FROM batigest_sync_buckets",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error("lecture de l'état de la synchronisation automatique impossible", e))?;
        let mut seen = BTreeMap::new();
        for row in &rows {
            let columns = Columns { row, location: &self.location };
            let bucket = columns.text(0)?.unwrap_or_default();
            let devis = columns.integer(1)?.unwrap_or_default();
            let empreinte = columns.text(3)?.unwrap_or_default();
            seen.insert(bucket, Seen { devis, checksum: columns.integer(2)?, empreinte });
        }
        Ok(seen)
    }

    /// Remembers a bucket's figures once each of its devis is synced.
    pub async fn save_bucket(&self, bucket: &str, seen: &Seen) -> Result<()> {
        let fail = |e| self.error("enregistrement de l'état de la synchronisation automatique impossible", e);
        let mut tx = self.write("veille").await?;
        query(&format!(
            "INSERT INTO batigest_sync_buckets (bucket, devis, checksum, empreinte, seen_at) VALUES ($1, $2, $3, $4, {}) \
             ON CONFLICT (bucket) DO UPDATE SET devis = excluded.devis, checksum = excluded.checksum, \
             empreinte = excluded.empreinte, seen_at = excluded.seen_at",
            self.param(5, Ty::Timestamp)
        ))
        .bind(bucket.to_owned())
        .bind(seen.devis)
        .bind(seen.checksum)
        .bind(seen.empreinte.clone())
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }

    /// Forgets the buckets that no longer hold a committed devis.
    pub async fn forget_bucket(&self, bucket: &str) -> Result<()> {
        let fail = |e| self.error("enregistrement de l'état de la synchronisation automatique impossible", e);
        let mut tx = self.write("veille").await?;
        query("DELETE FROM batigest_sync_buckets WHERE bucket = $1")
            .bind(bucket.to_owned())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }
}
