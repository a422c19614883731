//! Running one query: its text and parameters (user values are always parameters, never in the
//! text), the timeout on every wait for the server, rows handed over one at a time, and a refusal
//! told in the mapping's words.

use std::time::Duration;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use futures_util::{FutureExt, TryStreamExt};
use tiberius::{Query, Row};

use super::connection::{Cause, Connection, Failure, query_failure};
use super::schema::Mapping;

/// A query and its parameters, numbered `@P1`… in the order they were pushed.
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) params: Vec<Param>,
}

pub(super) enum Param {
    Text(String),
    DateTime(NaiveDateTime),
    BigInt(i64),
}

impl Sql {
    pub(super) fn new(text: String) -> Self {
        Self { text, params: Vec::new() }
    }

    /// Adds a parameter and returns its placeholder.
    pub(super) fn param(&mut self, value: Param) -> String {
        self.params.push(value);
        format!("@P{}", self.params.len())
    }

    /// `@P1 (texte), @P2 (date)`: what a log may say of the parameters — never their values, which
    /// are the user's.
    fn parameter_names(&self) -> String {
        let names: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, param)| {
                let kind = match param {
                    Param::Text(_) => "texte",
                    Param::DateTime(_) => "date et heure",
                    Param::BigInt(_) => "entier",
                };
                format!("@P{} ({kind})", i + 1)
            })
            .collect();
        if names.is_empty() { "aucun".to_owned() } else { names.join(", ") }
    }

    fn query(&self) -> Query<'_> {
        let mut query = Query::new(self.text.as_str());
        for param in &self.params {
            match param {
                Param::Text(text) => query.bind(text.as_str()),
                Param::DateTime(value) => query.bind(*value),
                Param::BigInt(value) => query.bind(*value),
            }
        }
        query
    }
}

pub(super) fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(chrono::NaiveTime::MIN)
}

/// The exclusive upper bound of a day, for `column < bound`: the next midnight, or, for 31 December
/// 9999 (SQL Server's last day: the next midnight does not fit a DATETIME2), its last 100 ns tick.
pub(super) fn end_of(date: NaiveDate) -> NaiveDateTime {
    match date.succ_opt().filter(|next| next.year() <= 9999) {
        Some(next) => midnight(next),
        None => date.and_hms_nano_opt(23, 59, 59, 999_999_900).unwrap_or_else(|| midnight(date)),
    }
}

/// Runs `sql` and hands each row to `each`. The timeout applies to every wait for the server,
/// so a server that stops answering mid-result is noticed.
/// `mapping` names, in a refusal, the mapping key of the column or table the server did not find.
pub(super) async fn stream<E: From<Failure>>(
    client: &mut Connection,
    sql: &Sql,
    mapping: Option<&Mapping>,
    timeout: Duration,
    mut each: impl FnMut(Row) -> Result<(), E>,
) -> Result<(), E> {
    let started = std::time::Instant::now();
    let mut rows = open(client, sql, mapping, timeout).await?;
    let mut count = 0_u64;
    while let Some(row) = next_row(&mut rows, timeout).await? {
        each(row)?;
        count += 1;
    }
    tracing::info!(lignes = count, elapsed = ?started.elapsed(), "lecture terminée");
    Ok(())
}

pub(super) type Rows<'a> = futures_util::stream::BoxStream<'a, tiberius::Result<Row>>;

fn expired(timeout: Duration) -> Failure {
    Failure::new(
        Cause::Timeout,
        format!("délai dépassé : Batigest n'a pas répondu en {} s", timeout.as_secs()),
        "allongez le délai avec --timeout SECONDES",
    )
}

/// Sends `sql` and waits for the first answer.
pub(super) async fn open<'a>(
    client: &'a mut Connection,
    sql: &Sql,
    mapping: Option<&Mapping>,
    timeout: Duration,
) -> Result<Rows<'a>, Failure> {
    let started = std::time::Instant::now();
    tracing::info!(parameters = %sql.parameter_names(), "requête : {}", sql.text);
    let results = tokio::time::timeout(timeout, sql.query().query(client))
        .await
        .map_err(|_| expired(timeout))?
        .map_err(|e| in_mapping(query_failure(&e), mapping))?;
    tracing::info!(elapsed = ?started.elapsed(), "premières lignes reçues");
    Ok(results.into_row_stream())
}

/// A refusal quoting a column or table the database lacks, told as the mapping key that names it:
/// the mapping is what the user corrects.
fn in_mapping(failure: Failure, mapping: Option<&Mapping>) -> Failure {
    let (Cause::Refused { number: number @ (207 | 208), name: Some(name) }, Some(mapping)) = (&failure.cause, mapping)
    else {
        return failure;
    };
    let keys = mapping.keys_named(name);
    let what = if *number == 207 { "la colonne" } else { "la table" };
    let message = if keys.is_empty() {
        format!("{what} « {name} » n'existe pas dans la base Batigest (erreur {number})")
    } else {
        format!(
            "{what} « {name} » de la correspondance du schéma ({}) n'existe pas dans la base Batigest (erreur {number})",
            keys.join(", ")
        )
    };
    Failure {
        message,
        hint: Some(
            "corrigez ce nom dans le fichier de correspondance (--schema FICHIER) ; « jlm-batigest schema inspect \
             --write FICHIER » propose les noms de votre base"
                .to_owned(),
        ),
        ..failure
    }
}

/// The next row, `None` at the end.
pub(super) async fn next_row(rows: &mut Rows<'_>, timeout: Duration) -> Result<Option<Row>, Failure> {
    // Most rows are already in the packet at hand: only a real wait for the server needs a
    // timer, and arming one per row would cost more than decoding the row.
    let next = match rows.try_next().now_or_never() {
        Some(next) => next,
        None => tokio::time::timeout(timeout, rows.try_next()).await.map_err(|_| expired(timeout))?,
    };
    next.map_err(|e| query_failure(&e))
}
