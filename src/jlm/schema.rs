//! The store's tables, created by numbered migrations embedded in the binary, one set per
//! backend. Applied versions are recorded in `batigest_schema_migrations` — our own table rather
//! than sqlx's `_sqlx_migrations`, which JLM ERP's database may already use for itself.

use super::{Backend, Store, now_text};
use crate::error::Result;

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: [Migration; 1] = [Migration {
    version: 1,
    sqlite: include_str!("migrations/sqlite/0001_tables.sql"),
    postgres: include_str!("migrations/postgres/0001_tables.sql"),
}];

/// Applies the missing migrations, each in its own transaction, under the store's write lock so
/// that two first runs at the same time do not both create the tables.
pub async fn migrate(store: &Store) -> Result<()> {
    // Most runs find everything in place and need no lock (nor a writable store) for that.
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM batigest_schema_migrations")
        .fetch_all(&store.pool)
        .await
        .unwrap_or_default();
    if MIGRATIONS.iter().all(|m| applied.contains(&m.version)) {
        return Ok(());
    }
    let fail = |e: &sqlx::Error| store.error("création des tables impossible", e);
    let mut tx = store.write("schema").await?;
    let table = match store.backend {
        Backend::Sqlite => {
            "CREATE TABLE IF NOT EXISTS batigest_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        }
        Backend::Postgres => {
            "CREATE TABLE IF NOT EXISTS batigest_schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
        }
    };
    sqlx::query(table).execute(&mut *tx).await.map_err(|e| fail(&e))?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM batigest_schema_migrations")
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| fail(&e))?;
    for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let sql = match store.backend {
            Backend::Sqlite => migration.sqlite,
            Backend::Postgres => migration.postgres,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| fail(&e))?;
        super::query(format!(
            "INSERT INTO batigest_schema_migrations (version, applied_at) VALUES ($1, {})",
            store.param(2, super::Ty::Timestamp)
        ))
        .bind(migration.version)
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(|e| fail(&e))?;
    }
    tx.commit().await.map_err(|e| fail(&e))
}
