//! The stored status codes of a dossier: which the schema mapping cannot translate (a command
//! that computes on statuses stops before any figure), and what each code holds, for whoever
//! names them (`schema inspect --write`).
//!
//! Batigest lets each company define its own quote states (DESIGN §3): a code nobody translated
//! would silently fall out of every status filter and sum, so it is an error, never a zero.

use std::fmt;
use std::fmt::Write as _;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::connection::{Connection, Failure};
use super::read::{datetime, get, stored_text};
use super::schema::{Ident, Mapping, Unmapped, logical_values, read_as_sql};
use super::sql::{Sql, stream};

/// The status fields: a quote's state and an invoice's payment state.
pub const DEVIS: (&str, &str) = ("devis", "statut");
pub const FACTURES: (&str, &str) = ("factures", "statut_reglement");

/// A read that could not be made: the mapping lacks a field it needs, the data holds status
/// codes it cannot translate, or the server failed.
#[derive(Debug)]
pub enum ReadError {
    Unmapped(Unmapped),
    Untranslated(Untranslated),
    Failure(Failure),
}

impl From<Unmapped> for ReadError {
    fn from(unmapped: Unmapped) -> Self {
        Self::Unmapped(unmapped)
    }
}

impl From<Failure> for ReadError {
    fn from(failure: Failure) -> Self {
        Self::Failure(failure)
    }
}

/// A stored code no translation covers, with how many rows hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub stored: String,
    pub count: u64,
}

/// The untranslated codes of one status field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub table: &'static str,
    /// The logical field: `statut`.
    pub name: &'static str,
    /// `Devis.Etat`, as the database names it.
    pub column: String,
    pub codes: Vec<Code>,
}

/// Stored codes the mapping cannot translate: the reason a command computed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslated(pub Vec<Field>);

impl Untranslated {
    /// The sentence listing every untranslated code with its row count.
    pub fn message(&self) -> String {
        let mut text = "des statuts stockés dans Batigest n'ont pas de traduction dans la correspondance du schéma ; \
                        aucun chiffre n'a été calculé :"
            .to_owned();
        for field in &self.0 {
            let codes: Vec<String> =
                field.codes.iter().map(|code| format!("« {} » ({} lignes)", code.stored, code.count)).collect();
            let _ = write!(text, "\n  {}.{} ({}) : {}", field.table, field.name, field.column, codes.join(", "));
        }
        text
    }

    /// The TOML lines to add to the mapping file, one per code, each to complete with a status.
    pub fn toml(&self) -> String {
        let mut text = String::new();
        for field in &self.0 {
            let _ = writeln!(text, "[tables.{}.values.{}]", field.table, field.name);
            let choices = logical_values(field.table, field.name).join(", ");
            for code in &field.codes {
                let _ = writeln!(text, "{} = \"\"  # {} lignes : {choices}", quoted(&code.stored), code.count);
            }
        }
        text.trim_end().to_owned()
    }
}

impl fmt::Display for Untranslated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Stops with [`ReadError::Untranslated`] when a row's status among `fields` has no translation.
/// A quote the acceptance rule reads (its `DateConcretis` is set) needs none. Unmapped fields are
/// left to the query that needs them, which names the key to set.
pub async fn check(
    client: &mut Connection,
    mapping: &Mapping,
    fields: &[(&'static str, &'static str)],
    timeout: Duration,
) -> Result<(), ReadError> {
    let mut found = Vec::new();
    for &(table, field) in fields {
        let (Ok(name), Ok(column)) = (mapping.table(table), mapping.column(table, field)) else { continue };
        let accepted = if (table, field) == DEVIS { mapping.acceptance_date() } else { None };
        let only_unread = accepted.map(|date| format!(" WHERE t.{date} IS NULL")).unwrap_or_default();
        // Grouped as the filters compare (`read_as_sql`): the values checked are those filtered on.
        let read = read_as_sql(&format!("t.{column}"));
        let sql = Sql::new(format!("SELECT {read}, COUNT(*) AS n FROM {name} t{only_unread} GROUP BY {read}"));
        let mut codes = Vec::new();
        stream(client, &sql, Some(mapping), timeout, |row| {
            let stored = stored_text(&row, 0)?;
            if mapping.logical(table, field, &stored).is_none() {
                codes.push(Code { stored, count: count(&row, 1)? });
            }
            Ok::<_, Failure>(())
        })
        .await?;
        if !codes.is_empty() {
            codes.sort_by(|a, b| numeric_order(&a.stored, &b.stored));
            found.push(Field { table, name: field, column: format!("{}.{}", name.name(), column.name()), codes });
        }
    }
    if found.is_empty() { Ok(()) } else { Err(ReadError::Untranslated(Untranslated(found))) }
}

fn count(row: &tiberius::Row, index: usize) -> Result<u64, Failure> {
    Ok(get::<i32>(row, index)?.map_or(0, |n| u64::try_from(n).unwrap_or_default()))
}

/// Integers by value (`7` before `10`), then text.
pub fn numeric_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.cmp(b),
    }
}

/// What one stored code of a status column holds: how many rows, created when, and how many of
/// them carry a validation date (a quote's `DateConcretis`: accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    pub stored: String,
    pub count: u64,
    pub first: Option<NaiveDateTime>,
    pub last: Option<NaiveDateTime>,
    pub validated: Option<u64>,
}

/// The columns a census reads: the status, and optionally a date and a validation date.
pub struct CensusColumns<'a> {
    pub table: &'a Ident,
    pub status: &'a Ident,
    pub date: Option<&'a Ident>,
    pub validated: Option<&'a Ident>,
}

/// Every distinct stored code of a status column with its count, date range and validated rows.
pub async fn census(
    client: &mut Connection,
    columns: &CensusColumns<'_>,
    timeout: Duration,
) -> Result<Vec<Census>, Failure> {
    let CensusColumns { table, status, date, validated } = *columns;
    let range = date.map_or_else(
        || "CAST(NULL AS DATETIME2), CAST(NULL AS DATETIME2)".to_owned(),
        |date| format!("MIN(CAST(t.{date} AS DATETIME2)), MAX(CAST(t.{date} AS DATETIME2))"),
    );
    let validated_sum = validated.map_or_else(
        || "CAST(NULL AS INT)".to_owned(),
        |column| format!("SUM(CASE WHEN t.{column} IS NOT NULL THEN 1 ELSE 0 END)"),
    );
    let sql = Sql::new(format!(
        "SELECT t.{status}, COUNT(*) AS n, {range}, {validated_sum} FROM {table} t WHERE t.{status} IS NOT NULL \
         GROUP BY t.{status}"
    ));
    let mut found = Vec::new();
    stream(client, &sql, None, timeout, |row| {
        found.push(Census {
            stored: stored_text(&row, 0)?,
            count: count(&row, 1)?,
            first: datetime(&row, 2)?,
            last: datetime(&row, 3)?,
            validated: get::<i32>(&row, 4)?.map(|n| u64::try_from(n).unwrap_or_default()),
        });
        Ok::<_, Failure>(())
    })
    .await?;
    found.sort_by(|a, b| numeric_order(&a.stored, &b.stored));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_lists_codes_and_the_lines_to_add() {
        let untranslated = Untranslated(vec![Field {
            table: "devis",
            name: "statut",
            column: "Devis.Etat".to_owned(),
            codes: vec![Code { stored: "3".to_owned(), count: 41 }, Code { stored: "7".to_owned(), count: 12 }],
        }]);
        assert!(untranslated.message().ends_with("devis.statut (Devis.Etat) : « 3 » (41 lignes), « 7 » (12 lignes)"));
        let toml = untranslated.toml();
        assert!(toml.starts_with("[tables.devis.values.statut]\n\"3\" = \"\"  # 41 lignes : BROUILLON"), "{toml}");
        assert!(toml.contains("\n\"7\" = \"\"  # 12 lignes"), "{toml}");
        assert_eq!(numeric_order("7", "10"), std::cmp::Ordering::Less);
    }
}
