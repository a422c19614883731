//! The JLM store (DESIGN §4): an embedded SQLite file by default, or JLM ERP's own PostgreSQL
//! database. One SQL layer for both (sqlx's `Any` driver); the few differences between the two
//! (PostgreSQL wants typed parameters for NUMERIC, TIMESTAMP and JSONB columns) go through
//! [`Store::param`].
//!
//! Money stays exact: NUMERIC in PostgreSQL, decimal text in SQLite, and always read back as
//! text (`CAST(… AS TEXT)`) into a `Decimal`. Times are UTC, `YYYY-MM-DD HH:MM:SS`.

pub mod alertes;
pub mod analytics;
pub mod integrations;
mod schema;
pub mod sync;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use rust_decimal::Decimal;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions, Row};

use crate::config::{mask_url_password, sqlite_path};
use crate::error::{Error, Kind, Result};

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
}

pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where the store is, for messages: a path, or the URL with its password masked.
    pub location: String,
    /// Parts of the URL that must never be printed (its password).
    secrets: Vec<String>,
}

impl Store {
    /// Opens the store named by `url` (`sqlite:PATH`, `postgres://…`), or the embedded SQLite file
    /// `default` when there is no URL; creates the file and the tables when missing. A store that
    /// cannot be opened or set up is exit 5; a URL of an unknown kind is a usage error.
    pub async fn open(url: Option<&str>, default: Option<&Path>, timeout: Duration) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let (options, backend, location, secrets) = match url {
            None => {
                let path = default.ok_or_else(|| {
                    Error::new(Kind::Store, "magasin JLM : aucun dossier de données (pas de dossier personnel)")
                        .with_hint("indiquez le magasin avec --jlm-db sqlite:CHEMIN ou JLM_DATABASE_URL")
                })?;
                let location = path.display().to_string();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        Error::new(
                            Kind::Store,
                            format!("magasin JLM {location} : création du dossier {} impossible : {e}", dir.display()),
                        )
                    })?;
                }
                let sqlite = SqliteConnectOptions::new().filename(path).create_if_missing(true);
                (sqlite_to_any(&sqlite, &location)?, Backend::Sqlite, location, Vec::new())
            }
            Some(url) if url.starts_with("sqlite:") => {
                let location = url.to_owned();
                if sqlite_path(url).is_empty() {
                    return Err(Error::usage(format!("adresse du magasin JLM « {url} » sans chemin de fichier"))
                        .with_hint("indiquez le fichier SQLite, par exemple --jlm-db sqlite:/chemin/jlm.sqlite"));
                }
                let mut sqlite = SqliteConnectOptions::from_str(url)
                    .map_err(|e| Error::usage(format!("adresse du magasin JLM « {location} » invalide : {e}")))?;
                // Created on first use, unless the URL says how to open it (`?mode=ro`).
                if !url.contains("mode=") {
                    sqlite = sqlite.create_if_missing(true);
                }
                (sqlite_to_any(&sqlite, &location)?, Backend::Sqlite, location, Vec::new())
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let location = mask_url_password(url);
                let secrets = url_secrets(url);
                let options = AnyConnectOptions::from_str(url).map_err(|e| {
                    Error::usage(format!(
                        "adresse du magasin JLM « {location} » invalide : {}",
                        hide(&e.to_string(), &secrets)
                    ))
                })?;
                (options, Backend::Postgres, location, secrets)
            }
            Some(url) => {
                return Err(Error::usage(format!(
                    "adresse du magasin JLM « {} » non reconnue",
                    mask_url_password(url)
                ))
                .with_hint("attendu sqlite:CHEMIN (fichier SQLite) ou postgres://UTILISATEUR@HÔTE/BASE (JLM ERP)"));
            }
        };
        let options = options.disable_statement_logging();
        // One connection: the tool does one thing at a time, and SQLite writers would only wait
        // for each other.
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(timeout)
            .connect_with(options)
            .await
            .map_err(|e| store_error(&location, &secrets, "ouverture impossible", &e))?;
        let store = Self { pool, backend, location, secrets };
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
                self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(|e| self.error("verrouillage impossible", &e))
            }
            Backend::Postgres => {
                let mut tx = self.pool.begin().await.map_err(|e| self.error("transaction impossible", &e))?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!("jlm-batigest:{lock}"))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.error("verrouillage impossible", &e))?;
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
            sqlx::query_scalar(sql).fetch_one(&self.pool).await.map_err(|e| self.error("lecture impossible", &e))?;
        Ok(count > 0)
    }

    /// A store failure, exit 5, never showing the URL's password.
    fn error(&self, what: &str, error: &sqlx::Error) -> Error {
        store_error(&self.location, &self.secrets, what, error)
    }
}

fn sqlite_to_any(options: &SqliteConnectOptions, location: &str) -> Result<AnyConnectOptions> {
    AnyConnectOptions::from_url(&options.to_url_lossy())
        .map_err(|e| Error::usage(format!("adresse du magasin JLM « {location} » invalide : {e}")))
}

fn store_error(location: &str, secrets: &[String], what: &str, error: &sqlx::Error) -> Error {
    let cause = hide(&error.to_string(), secrets);
    let hint = match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => {
            Some("vérifiez que le serveur PostgreSQL est démarré et joignable, et l'adresse --jlm-db")
        }
        sqlx::Error::Database(db) if db.code().is_some_and(|code| read_only(&code)) => {
            Some("le magasin est en lecture seule : il doit être modifiable pour garder la trace des synchronisations")
        }
        _ => None,
    };
    let error = Error::new(Kind::Store, format!("magasin JLM {location} : {what}")).with_detail(cause);
    match hint {
        Some(hint) => error.with_hint(hint),
        None => error,
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
    fn bad(&self, index: usize, what: &str) -> Error {
        let name = self.row.try_column(index).map_or("?", sqlx::Column::name).to_owned();
        Error::new(Kind::Store, format!("magasin JLM {} : colonne « {name} » illisible : {what}", self.location))
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
