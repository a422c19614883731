//! The JLM store (DESIGN §4): an embedded SQLite file by default, or JLM ERP's own PostgreSQL
//! database. One SQL layer for both (sqlx's `Any` driver); the few differences between the two
//! (PostgreSQL wants typed parameters for NUMERIC, TIMESTAMP and JSONB columns) go through
//! [`Store::param`].
//!
//! Money stays exact: NUMERIC in PostgreSQL, decimal text in SQLite, and always read back as
//! text (`CAST(… AS TEXT)`) into a `Decimal`. Times are UTC, `YYYY-MM-DD HH:MM:SS`.

pub mod address;
pub mod alertes;
pub mod analytics;
mod error;
pub mod integrations;
mod schema;
pub mod sync;
pub mod watch;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use rust_decimal::Decimal;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, ConnectOptions, Row};

use address::{Address, Mode, SqliteFile};
use error::Masked;
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What a parameter is bound into: PostgreSQL needs a cast from the text we bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Numeric,
    Timestamp,
    Json,
    /// JLM ERP's `batigest_sync_status` enum.
    SyncStatus,
    /// JLM ERP's `offer_status` enum.
    OfferStatus,
}

pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where the store is, for messages: a path, or the URL with its password masked.
    pub location: String,
    /// Parts of the URL that must never be printed (its password).
    secrets: Vec<String>,
    /// How a watcher keeps others off this store (`sync-offer --watch`).
    watch: watch::Guard,
}

impl Store {
    /// The embedded store, a file in the platform's data dir (`None` when there is no home
    /// directory); its folder is created on first use.
    pub fn embedded(default: Option<&Path>) -> Result<Address> {
        let path = default.ok_or(StoreError::NoDataDir)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: path.to_owned(),
                dir: dir.to_owned(),
                source,
            })?;
        }
        Ok(Address::embedded(path))
    }

    /// Opens the store at `address`; creates the SQLite file and the tables when missing. A store
    /// that cannot be opened or set up is exit 5.
    pub async fn open(address: &Address, timeout: Duration) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let location = address.to_string();
        let (options, backend, secrets) = match address {
            Address::Sqlite(file) => (sqlite_options(file, &location)?, Backend::Sqlite, Vec::new()),
            Address::Postgres(url) => {
                let secrets = url_secrets(url);
                let options = AnyConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
                    location: location.clone(),
                    cause: hide(&e.to_string(), &secrets),
                })?;
                (options, Backend::Postgres, secrets)
            }
        };
        let options = options.disable_statement_logging();
        let watch = watch::Guard::new(address, &options);
        // One connection: the tool does one thing at a time, and SQLite writers would only wait
        // for each other.
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(timeout)
            .connect_with(options)
            .await
            .map_err(|e| store_error(&location, &secrets, "ouverture impossible", e))?;
        let store = Self { pool, backend, location, secrets, watch };
        schema::migrate(&store).await?;
        Ok(store)
    }

    /// Placeholder `$n` for a value bound as text, cast where PostgreSQL needs a type.
    fn param(&self, n: usize, ty: Ty) -> String {
        match (self.backend, ty) {
            (Backend::Sqlite, _) => format!("${n}"),
            (Backend::Postgres, Ty::Numeric) => format!("CAST(${n} AS NUMERIC)"),
            (Backend::Postgres, Ty::Timestamp) => format!("CAST(${n} AS TIMESTAMP)"),
            (Backend::Postgres, Ty::Json) => format!("CAST(${n} AS JSONB)"),
            (Backend::Postgres, Ty::SyncStatus) => format!("CAST(${n} AS batigest_sync_status)"),
            (Backend::Postgres, Ty::OfferStatus) => format!("CAST(${n} AS offer_status)"),
        }
    }

    /// SQL giving a new text UUID, for the `id` of a row the tool inserts.
    fn new_id(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => schema::SQLITE_NEW_ID,
            Backend::Postgres => "CAST(gen_random_uuid() AS VARCHAR)",
        }
    }

    /// Starts a write transaction. SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// two processes queue up instead of failing on a lock upgrade; PostgreSQL serializes on
    /// `lock` (an advisory lock held until the end of the transaction).
    async fn write(&self, lock: &str) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => {
                // A run stopped by Ctrl-C or SIGTERM drops its work, and with it the transaction in
                // flight; the connection may then stay inside a transaction nobody owns (sqlx drops
                // the future between SQLite's `BEGIN` and the transaction's creation, or its worker
                // has not yet run the queued rollback), and refuses a new `BEGIN` as nested. Such a
                // connection is closed — SQLite rolls back what it had open — and a fresh one taken:
                // the trace of why the run stopped must not be lost to it.
                match self.pool.begin_with("BEGIN IMMEDIATE").await {
                    Err(sqlx::Error::InvalidSavePointStatement) => {
                        let stuck = self.pool.acquire().await.map_err(|e| self.error("verrouillage impossible", e))?;
                        let _ = stuck.close().await;
                        self.pool.begin_with("BEGIN IMMEDIATE").await
                    }
                    begun => begun,
                }
                .map_err(|e| self.error("verrouillage impossible", e))
            }
            Backend::Postgres => {
                let mut tx = self.pool.begin().await.map_err(|e| self.error("transaction impossible", e))?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!("jlm-batigest:{lock}"))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.error("verrouillage impossible", e))?;
                Ok(tx)
            }
        }
    }

    /// Whether JLM ERP's `offers` table is there to link devis to.
    pub async fn has_offers(&self) -> Result<bool> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'offers'",
            Backend::Postgres => {
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_catalog.pg_tables \
                                  WHERE tablename = 'offers' AND schemaname = ANY (current_schemas(false))"
            }
        };
        let count: i64 =
            sqlx::query_scalar(sql).fetch_one(&self.pool).await.map_err(|e| self.error("lecture impossible", e))?;
        Ok(count > 0)
    }

    /// A store failure, exit 5, never showing the URL's password.
    fn error(&self, what: &str, error: sqlx::Error) -> StoreError {
        store_error(&self.location, &self.secrets, what, error)
    }
}

/// sqlx's `Any` driver only takes URLs, and reads a SQLite URL back by stripping `sqlite:` and
/// percent-decoding the rest: every byte of the path but letters and digits is escaped, so the
/// path SQLite receives is exactly the one given (`C:\\…` stays a drive, not a host).
fn sqlite_options(file: &SqliteFile, location: &str) -> Result<AnyConnectOptions> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let invalid = |cause: &dyn std::fmt::Display| StoreError::BadSqlite {
        location: location.to_owned(),
        cause: cause.to_string(),
    };
    let path = file.path.to_str().ok_or_else(|| invalid(&"le chemin n'est pas de l'UTF-8 valide"))?;
    if file.path == Path::new(":memory:") {
        return AnyConnectOptions::from_str("sqlite::memory:").map_err(|e| invalid(&e));
    }
    if let Some(dir) = file.path.parent().filter(|dir| !dir.as_os_str().is_empty() && !dir.is_dir()) {
        return Err(StoreError::MissingFolder { location: location.to_owned(), dir: dir.to_owned() });
    }
    // SQLite reads a name starting with `file:` as a URI (sqlx opens with SQLITE_OPEN_URI).
    let path =
        if path.starts_with("file:") { format!(".{}{path}", std::path::MAIN_SEPARATOR) } else { path.to_owned() };
    let mode = match file.mode {
        Mode::Create => "rwc",
        Mode::ReadWrite => "rw",
        Mode::ReadOnly => "ro",
    };
    let url = url::Url::parse(&format!("sqlite:{}?mode={mode}", utf8_percent_encode(&path, NON_ALPHANUMERIC)))
        .map_err(|e| invalid(&e))?;
    AnyConnectOptions::from_url(&url).map_err(|e| invalid(&e))
}

fn store_error(location: &str, secrets: &[String], what: &str, error: sqlx::Error) -> StoreError {
    let hint = match &error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => {
            Some("vérifiez que le serveur PostgreSQL est démarré et joignable, et l'adresse --jlm-db")
        }
        sqlx::Error::Database(db) if db.code().is_some_and(|code| read_only(&code)) => {
            Some("le magasin est en lecture seule : il doit être modifiable pour garder la trace des synchronisations")
        }
        _ => None,
    };
    let text = hide(&error.to_string(), secrets);
    StoreError::Driver {
        location: location.to_owned(),
        what: what.to_owned(),
        hint,
        source: Box::new(Masked { text, error }),
    }
}

/// A write refused because the store is read-only: PostgreSQL's SQLSTATE 25006, or SQLite's
/// SQLITE_READONLY (8) under any of its extended codes (8 + 256·n).
fn read_only(code: &str) -> bool {
    code == "25006" || (code.len() <= 4 && code.parse::<u32>().is_ok_and(|code| code & 0xff == 8))
}

/// The password of a PostgreSQL URL, as written and percent-decoded.
fn url_secrets(url: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(url) else { return Vec::new() };
    let query =
        parsed.query_pairs().filter(|(key, _)| key.eq_ignore_ascii_case("password")).map(|(_, v)| v.into_owned());
    let mut secrets: Vec<String> = parsed.password().map(str::to_owned).into_iter().chain(query).collect();
    let decoded: Vec<String> = secrets
        .iter()
        .filter_map(|secret| percent_encoding::percent_decode_str(secret).decode_utf8().ok().map(String::from))
        .collect();
    secrets.extend(decoded);
    secrets.retain(|secret| !secret.is_empty());
    secrets.sort();
    secrets.dedup();
    // The longest first, so that a secret containing another is hidden whole.
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets
}

fn hide(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |text, secret| text.replace(secret.as_str(), "********"))
}

/// The current UTC time as the store keeps it, to the microsecond (what PostgreSQL's TIMESTAMP
/// holds): rows written one after the other sort in the order they were written.
fn now_text() -> String {
    Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// The `LIMIT` of an optional limit: every row for `None`.
fn limit_rows(limit: Option<u64>) -> i64 {
    limit.map_or(i64::MAX, |limit| i64::try_from(limit).unwrap_or(i64::MAX))
}

fn timestamp_text(value: NaiveDateTime) -> String {
    value.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()
}

/// Money as the store keeps it: exactly two decimals.
fn money_text(value: Decimal) -> String {
    crate::output::format::plain(value, 2)
}

/// Reading columns that were selected as text (`CAST(… AS TEXT)`).
struct Columns<'r> {
    row: &'r AnyRow,
    location: &'r str,
}

impl Columns<'_> {
    fn bad(&self, index: usize, what: &str) -> StoreError {
        let name = self.row.try_column(index).map_or("?", sqlx::Column::name).to_owned();
        StoreError::Unreadable { location: self.location.to_owned(), column: name, what: what.to_owned() }
    }

    fn text(&self, index: usize) -> Result<Option<String>> {
        self.row.try_get::<Option<String>, _>(index).map_err(|e| self.bad(index, &e.to_string()))
    }

    fn integer(&self, index: usize) -> Result<Option<i64>> {
        self.row.try_get::<Option<i64>, _>(index).map_err(|e| self.bad(index, &e.to_string()))
    }

    fn decimal(&self, index: usize) -> Result<Option<Decimal>> {
        match self.text(index)? {
            None => Ok(None),
            Some(text) => {
                // SQLite may hand a number written by another program in exponent form.
                Decimal::from_str(text.trim())
                    .or_else(|_| Decimal::from_scientific(text.trim()))
                    .map(Some)
                    .map_err(|_| self.bad(index, &format!("« {text} » n'est pas un nombre décimal")))
            }
        }
    }

    fn timestamp(&self, index: usize) -> Result<Option<NaiveDateTime>> {
        match self.text(index)? {
            None => Ok(None),
            Some(text) => parse_timestamp(&text)
                .map(Some)
                .ok_or_else(|| self.bad(index, &format!("« {text} » n'est pas une date et heure"))),
        }
    }
}

/// `sql` built at run time from the few dialect pieces above, never from user values (those
/// are always bound).
fn query(sql: &str) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        let secrets = url_secrets("postgres://jlm:s%21cret@erp/jlm?password=other");
        assert!(secrets.contains(&"s%21cret".to_owned()) && secrets.contains(&"s!cret".to_owned()), "{secrets:?}");
        assert!(secrets.contains(&"other".to_owned()));
        assert_eq!(hide("password s!cret refused, other too", &secrets), "password ******** refused, ******** too");
    }

    #[test]
    fn timestamps_round_trip() {
        let time = parse_timestamp("2024-01-31 10:15:30").expect("parse");
        assert_eq!(timestamp_text(time), "2024-01-31 10:15:30");
        assert_eq!(
            parse_timestamp("2024-01-31 10:15:30.25").map(timestamp_text).as_deref(),
            Some("2024-01-31 10:15:30")
        );
        assert_eq!(now_text().len(), 26);
        assert!(parse_timestamp(&now_text()).is_some());
    }
}
