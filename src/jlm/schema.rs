//! The store's tables, created by numbered migrations embedded in the binary, one set per
//! backend. Applied versions are recorded in `batigest_schema_migrations` — our own table rather
//! than sqlx's `_sqlx_migrations`, which JLM ERP's database may already use for itself.
//!
//! JLM ERP's own tables (`offers`, and `batigest_integrations` / `batigest_analytics` where the ERP
//! created them) are never altered: migrations only create what is missing, and rebuild only the
//! tables an earlier release of this tool created itself with integer ids. After migrating,
//! [`check_columns`] makes sure every column the tool reads or writes is there.

use sqlx::Row;

use super::{Backend, Store, now_text};
use super::{Result, StoreError};

const SQLITE_TABLES: &str = include_str!("migrations/sqlite/tables.sql");
const POSTGRES_TABLES: &str = include_str!("migrations/postgres/tables.sql");
const SQLITE_TEXT_IDS: &str = include_str!("migrations/sqlite/text_ids.sql");
const SQLITE_ALERTES: &str = include_str!("migrations/sqlite/alertes.sql");
const POSTGRES_ALERTES: &str = include_str!("migrations/postgres/alertes.sql");
const SQLITE_VEILLE: &str = include_str!("migrations/sqlite/veille.sql");
const POSTGRES_VEILLE: &str = include_str!("migrations/postgres/veille.sql");

/// A new text UUID (version 4) in SQLite's SQL, which has no UUID function.
pub const SQLITE_NEW_ID: &str = "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || \
     substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || \
     substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/// 1: the tables. 2: text ids in a store that release 0.1 created with integer ids. 3: the alerts
/// told (`alertes`). 4: the automatic sync's figures (`sync-offer --watch`).
const VERSIONS: [i64; 4] = [1, 2, 3, 4];

/// Applies the missing migrations in one transaction, under the store's write lock so that two
/// first runs at the same time do not both create the tables.
pub async fn migrate(store: &Store) -> Result<()> {
    // Most runs find everything in place and need no lock (nor a writable store) for that.
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM batigest_schema_migrations")
        .fetch_all(&store.pool)
        .await
        .unwrap_or_default();
    if VERSIONS.iter().all(|version| applied.contains(version)) {
        return check_columns(store).await;
    }
    let fail = |e: sqlx::Error| store.error("création des tables impossible", e);
    let mut tx = store.write("schema").await?;
    let table = match store.backend {
        Backend::Sqlite => {
            "CREATE TABLE IF NOT EXISTS batigest_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        }
        Backend::Postgres => {
            "CREATE TABLE IF NOT EXISTS batigest_schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
        }
    };
    sqlx::query(table).execute(&mut *tx).await.map_err(&fail)?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM batigest_schema_migrations")
        .fetch_all(&mut *tx)
        .await
        .map_err(&fail)?;
    // Collected first: a filter closure held across the awaits below would make the future not `Send`.
    let missing: Vec<i64> = VERSIONS.iter().copied().filter(|version| !applied.contains(version)).collect();
    for version in missing {
        match (version, store.backend) {
            (1, Backend::Sqlite) => script(&mut tx, SQLITE_TABLES).await,
            (1, Backend::Postgres) => script(&mut tx, POSTGRES_TABLES).await,
            (2, Backend::Sqlite) => sqlite_text_ids(&mut tx).await,
            (2, Backend::Postgres) => postgres_text_ids(&mut tx).await,
            (3, Backend::Sqlite) => script(&mut tx, SQLITE_ALERTES).await,
            (3, Backend::Postgres) => script(&mut tx, POSTGRES_ALERTES).await,
            (_, Backend::Sqlite) => script(&mut tx, SQLITE_VEILLE).await,
            (_, Backend::Postgres) => script(&mut tx, POSTGRES_VEILLE).await,
        }
        .map_err(&fail)?;
        super::query(&format!(
            "INSERT INTO batigest_schema_migrations (version, applied_at) VALUES ($1, {})",
            store.param(2, super::Ty::Timestamp)
        ))
        .bind(version)
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(&fail)?;
    }
    tx.commit().await.map_err(&fail)?;
    check_columns(store).await
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Runs a script of several statements, through the executor: sqlx 0.8's `RawSql::execute` is an
/// `async fn` generic over its executor, and its future is not `Send` for a transaction's connection
/// (which `serve` needs).
async fn script(tx: &mut Tx, sql: &str) -> std::result::Result<(), sqlx::Error> {
    use sqlx::Executor;
    (&mut **tx).execute(sqlx::raw_sql(sql)).await.map(drop)
}

/// Release 0.1 created the three tables with integer ids: they are rebuilt with text ids, every
/// row kept (and still linked: offers by their id as text, journal lines by their order).
async fn sqlite_text_ids(tx: &mut Tx) -> std::result::Result<(), sqlx::Error> {
    let old: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('batigest_sync_log') WHERE name = 'offer_id' AND type = 'INTEGER'",
    )
    .fetch_one(&mut **tx)
    .await?;
    if old == 0 {
        return Ok(());
    }
    for statement in [
        "ALTER TABLE batigest_integrations RENAME TO batigest_integrations_v1",
        "DROP INDEX IF EXISTS batigest_integrations_numero_devis_key",
        "ALTER TABLE batigest_analytics RENAME TO batigest_analytics_v1",
        "ALTER TABLE batigest_sync_log RENAME TO batigest_sync_log_v1",
        "DROP INDEX IF EXISTS batigest_sync_log_synced_at",
    ] {
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    script(tx, SQLITE_TABLES).await?;
    let copy = SQLITE_TEXT_IDS.replace("{new_id}", SQLITE_NEW_ID);
    script(tx, &copy).await?;
    Ok(())
}

/// On PostgreSQL, release 0.1 created `batigest_integrations` and `batigest_analytics` only
/// where JLM ERP had not (integer ids then: those are rebuilt with the ERP's definition), added a
/// unique index of its own to the ERP's `batigest_integrations` (dropped: the ERP has none), and
/// gave its journal integer ids (a text id is added, the old one kept as the order).
async fn postgres_text_ids(tx: &mut Tx) -> std::result::Result<(), sqlx::Error> {
    // A nested function rather than an async closure: sqlx 0.8's executors keep the latter from being `Send`.
    async fn integer_id(tx: &mut Tx, table: &str) -> std::result::Result<bool, sqlx::Error> {
        let count: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name = $1 AND column_name = 'id' AND data_type = 'integer'",
        )
        .bind(table.to_owned())
        .fetch_one(&mut **tx)
        .await?;
        Ok(count > 0)
    }
    sqlx::query("DROP INDEX IF EXISTS batigest_integrations_numero_devis_key").execute(&mut **tx).await?;
    let integrations = integer_id(tx, "batigest_integrations").await?;
    let analytics = integer_id(tx, "batigest_analytics").await?;
    for (old, table) in [(integrations, "batigest_integrations"), (analytics, "batigest_analytics")] {
        if old {
            let rename =
                format!("ALTER TABLE {table} RENAME TO {table}_v1; ALTER INDEX {table}_pkey RENAME TO {table}_v1_pkey");
            script(tx, &rename).await?;
        }
    }
    script(tx, POSTGRES_TABLES).await?;
    if integrations {
        script(
            tx,
            "INSERT INTO batigest_integrations (id, offer_id, batigest_ref, numero_devis, montant_batigest, taux_marge, \
             statut_batigest, last_sync_at, sync_status, error_message, created_at, updated_at) \
             SELECT gen_random_uuid(), CAST(offer_id AS VARCHAR), batigest_ref, numero_devis, montant_batigest, \
             taux_marge, statut_batigest, last_sync_at, CAST(sync_status AS batigest_sync_status), error_message, \
             created_at, updated_at FROM batigest_integrations_v1 ORDER BY id; DROP TABLE batigest_integrations_v1",
        )
        .await?;
    }
    if analytics {
        script(
            tx,
            "INSERT INTO batigest_analytics (id, periode, ca_realise, ca_prevu, taux_conversion, marge_reelle_moyenne, \
             marge_prevue_moyenne, nombre_devis, nombre_factures, data_json, generated_at) \
             SELECT gen_random_uuid(), periode, ca_realise, ca_prevu, taux_conversion, marge_reelle_moyenne, \
             marge_prevue_moyenne, nombre_devis, nombre_factures, data_json, generated_at \
             FROM batigest_analytics_v1 ORDER BY id; DROP TABLE batigest_analytics_v1",
        )
        .await?;
    }
    let log_has_seq: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name = 'batigest_sync_log' AND column_name = 'seq'",
    )
    .fetch_one(&mut **tx)
    .await?;
    if log_has_seq == 0 {
        script(
            tx,
            "ALTER TABLE batigest_sync_log RENAME COLUMN id TO seq; \
             ALTER TABLE batigest_sync_log ADD COLUMN id VARCHAR NOT NULL DEFAULT gen_random_uuid(); \
             ALTER TABLE batigest_sync_log ADD CONSTRAINT batigest_sync_log_id_key UNIQUE (id); \
             ALTER TABLE batigest_sync_log ALTER COLUMN offer_id TYPE VARCHAR USING CAST(offer_id AS VARCHAR)",
        )
        .await?;
    }
    Ok(())
}

/// The columns the tool reads or writes, per table; `offers` only where JLM ERP has it.
const NEEDED: [(&str, &[&str]); 6] = [
    (
        "batigest_integrations",
        &[
            "id",
            "offer_id",
            "batigest_ref",
            "numero_devis",
            "montant_batigest",
            "taux_marge",
            "statut_batigest",
            "last_sync_at",
            "sync_status",
            "error_message",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "batigest_analytics",
        &[
            "id",
            "periode",
            "ca_realise",
            "ca_prevu",
            "taux_conversion",
            "marge_reelle_moyenne",
            "marge_prevue_moyenne",
            "nombre_devis",
            "nombre_factures",
            "data_json",
            "generated_at",
        ],
    ),
    (
        "batigest_sync_log",
        &[
            "seq",
            "id",
            "synced_at",
            "os_user",
            "reference",
            "numero_devis",
            "offer_id",
            "outcome",
            "old_values",
            "new_values",
            "error_message",
        ],
    ),
    (
        "batigest_alertes",
        &[
            "id",
            "cle",
            "genre",
            "message",
            "data_json",
            "detectee_at",
            "email_envoye_at",
            "webhook_envoye_at",
            "reserve_par",
            "reserve_jusqua",
        ],
    ),
    ("batigest_sync_buckets", &["bucket", "devis", "checksum", "empreinte", "seen_at"]),
    ("offers", &["id", "reference", "client", "status", "montant_final", "batigest_ref"]),
];

/// Stops with exit 5, naming the table and the column, when a table lacks a column the tool
/// needs (a JLM ERP of another version, a table created by hand).
async fn check_columns(store: &Store) -> Result<()> {
    let sql = match store.backend {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name IN ('batigest_integrations', 'batigest_analytics', \
             'batigest_sync_log', 'batigest_alertes', 'batigest_sync_buckets', 'offers')"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name IN ('batigest_integrations', \
             'batigest_analytics', 'batigest_sync_log', 'batigest_alertes', 'batigest_sync_buckets', 'offers')"
        }
    };
    let rows = sqlx::query(sql)
        .fetch_all(&store.pool)
        .await
        .map_err(|e| store.error("lecture de la définition des tables impossible", e))?;
    let present: Vec<(String, String)> =
        rows.iter().filter_map(|row| Some((row.try_get(0).ok()?, row.try_get(1).ok()?))).collect();
    for (table, columns) in NEEDED {
        if !present.iter().any(|(t, _)| t == table) {
            // Only `offers` may be absent (a store without JLM ERP); the others were just created.
            continue;
        }
        if let Some(column) = columns.iter().find(|column| !present.iter().any(|(t, c)| t == table && c == *column)) {
            return Err(StoreError::MissingColumn {
                location: store.location.clone(),
                table: table.to_string(),
                column: column.to_string(),
            });
        }
    }
    Ok(())
}
