//! KPI history (`batigest_analytics`, JLM ERP's table): what `analytics` saves and
//! `analytics history` lists.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

use super::{Columns, Store, Ty, limit_rows, money_text, now_text, query};
use super::{Result, StoreError};
use crate::report::numbers::round_money;

/// One saved KPI run. Rates are in points (42.86 means 42,86 %); `None` where the KPI has no
/// value (a division by zero, DESIGN §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analytics {
    /// `mensuel`, `trimestriel`, `annuel`, or whatever the caller names the run.
    pub periode: String,
    pub ca_realise: Option<Decimal>,
    pub ca_prevu: Option<Decimal>,
    pub taux_conversion: Option<Decimal>,
    pub marge_reelle_moyenne: Option<Decimal>,
    pub marge_prevue_moyenne: Option<Decimal>,
    pub nombre_devis: Option<i64>,
    pub nombre_factures: Option<i64>,
    /// The full report, a JSON document.
    pub data_json: Option<String>,
}

/// A saved run, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAnalytics {
    /// Text: a UUID (JLM ERP's `batigest_analytics.id`).
    pub id: String,
    /// UTC.
    pub generated_at: Option<NaiveDateTime>,
    pub analytics: Analytics,
}

/// What an earlier `serve` named a run without buckets.
const LEGACY_GLOBAL: &str = "personnalise";

const COLUMNS: &str = "CAST(id AS TEXT), CAST(generated_at AS TEXT), periode, CAST(ca_realise AS TEXT), \
                       CAST(ca_prevu AS TEXT), CAST(taux_conversion AS TEXT), CAST(marge_reelle_moyenne AS TEXT), \
                       CAST(marge_prevue_moyenne AS TEXT), CAST(nombre_devis AS BIGINT), \
                       CAST(nombre_factures AS BIGINT), CAST(data_json AS TEXT)";

impl Store {
    /// Saves a run (amounts and rates rounded to the cent, as the columns hold them); returns its
    /// id. A figure too large for JLM ERP's column is refused, naming it, and nothing is saved.
    pub async fn save_analytics(&self, analytics: &Analytics) -> Result<String> {
        check_fits(analytics)?;
        let fail = |e: sqlx::Error| self.error("enregistrement des indicateurs impossible", e);
        let mut tx = self.write("analytics").await?;
        let money = |value: Option<Decimal>| value.map(money_text);
        let id: String = sqlx::query_scalar(&format!(
            "INSERT INTO batigest_analytics (id, periode, ca_realise, ca_prevu, taux_conversion, marge_reelle_moyenne, \
             marge_prevue_moyenne, nombre_devis, nombre_factures, data_json, generated_at) \
             VALUES ({}, $1, {}, {}, {}, {}, {}, $7, $8, {}, {}) RETURNING CAST(id AS TEXT)",
            self.new_id(),
            self.param(2, Ty::Numeric),
            self.param(3, Ty::Numeric),
            self.param(4, Ty::Numeric),
            self.param(5, Ty::Numeric),
            self.param(6, Ty::Numeric),
            self.param(9, Ty::Json),
            self.param(10, Ty::Timestamp),
        ))
        .bind(analytics.periode.clone())
        .bind(money(analytics.ca_realise))
        .bind(money(analytics.ca_prevu))
        .bind(money(analytics.taux_conversion))
        .bind(money(analytics.marge_reelle_moyenne))
        .bind(money(analytics.marge_prevue_moyenne))
        .bind(analytics.nombre_devis)
        .bind(analytics.nombre_factures)
        .bind(analytics.data_json.clone())
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await
        .map_err(&fail)?;
        tx.commit().await.map_err(&fail)?;
        Ok(id)
    }

    /// Saved runs, newest first, of one `periode` or all. An earlier `serve` saved a run without
    /// buckets as « personnalise »: it is a `global` run, listed and read as one.
    pub async fn list_analytics(&self, periode: Option<&str>, limit: Option<u64>) -> Result<Vec<SavedAnalytics>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM batigest_analytics WHERE ($1 IS NULL OR periode = $1 OR ($1 = 'global' AND periode = '{LEGACY_GLOBAL}')) \
             ORDER BY (generated_at IS NULL), generated_at DESC, id LIMIT $2"
        );
        let rows = query(&sql)
            .bind(periode.map(str::to_owned))
            .bind(limit_rows(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error("lecture de batigest_analytics impossible", e))?;
        rows.iter().map(|row| self.saved(row)).collect()
    }

    /// One saved run.
    pub async fn get_analytics(&self, id: &str) -> Result<Option<SavedAnalytics>> {
        let row = query(&format!("SELECT {COLUMNS} FROM batigest_analytics WHERE id = $1"))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error("lecture de batigest_analytics impossible", e))?;
        row.as_ref().map(|row| self.saved(row)).transpose()
    }

    fn saved(&self, row: &sqlx::any::AnyRow) -> Result<SavedAnalytics> {
        let c = Columns { row, location: &self.location };
        Ok(SavedAnalytics {
            id: c.text(0)?.unwrap_or_default(),
            generated_at: c.timestamp(1)?,
            analytics: Analytics {
                periode: c
                    .text(2)?
                    .map(|periode| if periode == LEGACY_GLOBAL { "global".to_owned() } else { periode })
                    .unwrap_or_default(),
                ca_realise: c.decimal(3)?,
                ca_prevu: c.decimal(4)?,
                taux_conversion: c.decimal(5)?,
                marge_reelle_moyenne: c.decimal(6)?,
                marge_prevue_moyenne: c.decimal(7)?,
                nombre_devis: c.integer(8)?,
                nombre_factures: c.integer(9)?,
                data_json: c.text(10)?,
            },
        })
    }
}

/// JLM ERP's NUMERIC(15,2) for amounts and NUMERIC(5,2) for rates.
fn check_fits(analytics: &Analytics) -> Result<()> {
    let amount_limit = Decimal::from(10_000_000_000_000_i64);
    let rate_limit = Decimal::from(1000);
    let figures = [
        ("ca_realise", analytics.ca_realise, amount_limit, "NUMERIC(15,2)"),
        ("ca_prevu", analytics.ca_prevu, amount_limit, "NUMERIC(15,2)"),
        ("taux_conversion", analytics.taux_conversion, rate_limit, "NUMERIC(5,2)"),
        ("marge_reelle_moyenne", analytics.marge_reelle_moyenne, rate_limit, "NUMERIC(5,2)"),
        ("marge_prevue_moyenne", analytics.marge_prevue_moyenne, rate_limit, "NUMERIC(5,2)"),
    ];
    for (name, value, limit, column) in figures {
        if let Some(value) = value.map(round_money).filter(|value| value.abs() >= limit) {
            return Err(StoreError::IndicatorTooLarge {
                name: name.to_string(),
                value: value.to_string(),
                column: column.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::time::Duration;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    async fn round_trip(store: &Store) {
        let run = Analytics {
            periode: "mensuel".to_owned(),
            ca_realise: Some(dec("12345678.91")),
            ca_prevu: Some(dec("99999999.99")),
            taux_conversion: Some(dec("42.86")),
            marge_reelle_moyenne: None,
            marge_prevue_moyenne: Some(dec("-3.5")),
            nombre_devis: Some(3),
            nombre_factures: Some(0),
            data_json: Some(r#"{"buckets":[{"periode":"2024-01","ca_realise":"0.01"}]}"#.to_owned()),
        };
        let id = store.save_analytics(&run).await.expect("save");
        let other = Analytics { periode: "annuel".to_owned(), data_json: None, ..run.clone() };
        let other_id = store.save_analytics(&other).await.expect("save");
        assert_eq!(id.len(), 36, "a text UUID: {id}");
        let saved = store.get_analytics(&id).await.expect("get").expect("saved");
        assert_eq!(saved.analytics.ca_realise, Some(dec("12345678.91")));
        assert_eq!(saved.analytics.marge_prevue_moyenne, Some(dec("-3.50")));
        assert_eq!(saved.analytics.marge_reelle_moyenne, None);
        assert_eq!(saved.analytics.nombre_devis, Some(3));
        let json: serde_json::Value =
            serde_json::from_str(saved.analytics.data_json.as_deref().expect("json")).expect("json");
        assert_eq!(json["buckets"][0]["ca_realise"], "0.01");
        assert!(saved.generated_at.is_some());
        let all = store.list_analytics(None, None).await.expect("list");
        assert_eq!(all.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), vec![other_id.clone(), id]);
        let monthly = store.list_analytics(Some("mensuel"), Some(10)).await.expect("list");
        assert_eq!(monthly.len(), 1);
        assert_eq!(monthly[0].analytics.periode, "mensuel");
        assert!(store.get_analytics("7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11").await.expect("get").is_none());
        let too_large = Analytics { marge_reelle_moyenne: Some(dec("1000")), ..other };
        let refused = store.save_analytics(&too_large).await.expect_err("NUMERIC(5,2)");
        let refused = crate::error::Error::from(refused);
        assert!(refused.message.contains("marge_reelle_moyenne = 1000"), "{}", refused.message);
        assert_eq!(store.list_analytics(None, None).await.expect("list").len(), 2, "nothing saved");
    }

    /// A missing service: the test fails naming it, or under `JLM_BATIGEST_TEST_ALLOW_SKIP=1`
    /// (never in CI) it is written to the skip log that `scripts/test.sh` counts.
    fn skip_or_fail(what: &str) {
        use std::io::Write;
        let allowed = std::env::var("JLM_BATIGEST_TEST_ALLOW_SKIP").is_ok_and(|value| value == "1")
            && std::env::var_os("CI").is_none();
        assert!(
            allowed,
            "missing: {what}; install and start PostgreSQL with trust authentication for postgres on 127.0.0.1 \
             (Debian: postgresql). `scripts/test.sh` installs and starts everything the tests need; \
             JLM_BATIGEST_TEST_ALLOW_SKIP=1 skips such tests instead, counted (never in CI)"
        );
        let test = std::thread::current()
            .name()
            .filter(|name| *name != "main")
            .unwrap_or("analytics_round_trip_in_postgres")
            .to_owned();
        let line = format!("{test} — {what}\n");
        let log = std::env::var_os("JLM_BATIGEST_TEST_SKIP_LOG").map_or_else(
            || {
                let exe = std::env::current_exe().expect("the test binary");
                exe.parent()
                    .and_then(std::path::Path::parent)
                    .expect("target/<profile>")
                    .join("jlm-batigest-tests-sautes.txt")
            },
            std::path::PathBuf::from,
        );
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("the skip log");
        file.write_all(line.as_bytes()).expect("write the skip log");
        if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
            let _ = write!(tty, "SAUTÉ : {line}");
        }
        eprint!("SKIPPED: {line}");
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
    }

    #[test]
    fn analytics_round_trip_in_sqlite() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("jlm.sqlite");
        runtime().block_on(async {
            let store = Store::open(&Store::embedded(Some(&path)).expect("address"), Duration::from_secs(5))
                .await
                .expect("open");
            round_trip(&store).await;
        });
    }

    /// Against a throwaway database of the local PostgreSQL server (127.0.0.1, port 5432 or
    /// `JLM_BATIGEST_TEST_PG_PORT`). Without one the test fails naming it, unless the opt-out
    /// `JLM_BATIGEST_TEST_ALLOW_SKIP=1` is set outside CI: then it is skipped and counted, as the
    /// integration tests' skips are (tests/cli/common.rs `missing`).
    #[test]
    fn analytics_round_trip_in_postgres() {
        let port = std::env::var("JLM_BATIGEST_TEST_PG_PORT").unwrap_or_else(|_| "5432".to_owned());
        let admin = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let name = format!("jlm_unit_{}", std::process::id());
        runtime().block_on(async {
            sqlx::any::install_default_drivers();
            let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await else {
                skip_or_fail(&format!("PostgreSQL at 127.0.0.1:{port}"));
                return;
            };
            let create = format!("CREATE DATABASE {name}");
            sqlx::raw_sql(&create).execute(&mut conn).await.expect("create the database");
            let url = format!("postgres://postgres@127.0.0.1:{port}/{name}");
            let address = crate::jlm::address::Address::parse(&url).expect("address");
            let store = Store::open(&address, Duration::from_secs(5)).await.expect("open");
            round_trip(&store).await;
            store.pool.close().await;
            let drop = format!("DROP DATABASE {name}");
            sqlx::raw_sql(&drop).execute(&mut conn).await.expect("drop the database");
        });
    }
}
