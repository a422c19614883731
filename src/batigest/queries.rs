//! The read queries: SQL built from the schema mapping, user values as parameters only, rows
//! decoded into the domain types and handed over one at a time (results stream, memory stays flat).

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use futures_util::{FutureExt, TryStreamExt};
use rust_decimal::Decimal;
use tiberius::{ColumnData, FromSqlOwned, Query, Row};

use super::connection::{Connection, Failure, query_failure};
use super::schema::Mapping;
use crate::model::{Classe, Devis, Facture, Ouvrage, Statut, StatutReglement};

/// Filters of `devis`; dates are inclusive and apply to the creation date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevisFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub statuts: Vec<Statut>,
    pub client: Option<String>,
    pub limit: Option<u64>,
}

/// A query and its parameters, numbered `@P1`… in the order they were pushed.
pub(super) struct Sql {
    pub(super) text: String,
    params: Vec<Param>,
}

pub(super) enum Param {
    Text(String),
    DateTime(NaiveDateTime),
    Date(NaiveDate),
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

    fn query(&self) -> Query<'_> {
        let mut query = Query::new(self.text.as_str());
        for param in &self.params {
            match param {
                Param::Text(text) => query.bind(text.as_str()),
                Param::DateTime(value) => query.bind(*value),
                Param::Date(value) => query.bind(*value),
                Param::BigInt(value) => query.bind(*value),
            }
        }
        query
    }
}

pub(super) fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(chrono::NaiveTime::MIN)
}

/// The columns `decode_devis` reads and the tables they come from (`d` devis, `c` clients).
fn devis_columns(mapping: &Mapping) -> String {
    let d = |c| mapping.column("devis", c);
    let c = |c| mapping.column("clients", c);
    format!(
        "d.{}, d.{}, c.{}, c.{}, d.{}, d.{}, d.{}, d.{}, d.{}, d.{}, d.{} FROM {} d JOIN {} c ON c.{} = d.{}",
        d("numero_devis"),
        d("reference_affaire"),
        c("code_client"),
        c("nom"),
        d("montant_ht"),
        d("montant_ttc"),
        d("taux_marge"),
        d("date_creation"),
        d("date_validation"),
        d("statut"),
        d("responsable"),
        mapping.table("devis"),
        mapping.table("clients"),
        c("id"),
        d("client_id"),
    )
}

fn devis_sql(mapping: &Mapping, filter: &DevisFilter) -> Sql {
    let d = |c| mapping.column("devis", c);
    let c = |c| mapping.column("clients", c);
    let mut sql = Sql::new(String::new());
    let mut conditions = Vec::new();
    if let Some(from) = filter.from {
        conditions.push(format!("d.{} >= {}", d("date_creation"), sql.param(Param::DateTime(midnight(from)))));
    }
    if let Some(to) = filter.to.and_then(|to| to.succ_opt()) {
        conditions.push(format!("d.{} < {}", d("date_creation"), sql.param(Param::DateTime(midnight(to)))));
    }
    if !filter.statuts.is_empty() {
        let placeholders: Vec<String> =
            filter.statuts.iter().map(|s| sql.param(Param::Text(s.code().to_owned()))).collect();
        conditions.push(format!("d.{} IN ({})", d("statut"), placeholders.join(", ")));
    }
    if let Some(client) = &filter.client {
        conditions.push(format!("c.{} = {}", c("code_client"), sql.param(Param::Text(client.clone()))));
    }
    let top =
        filter.limit.map(|limit| format!("TOP ({}) ", sql.param(Param::BigInt(limit as i64)))).unwrap_or_default();
    let filter_clause =
        if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    sql.text = format!(
        "SELECT {top}{}{filter_clause} ORDER BY d.{} DESC, d.{} DESC",
        devis_columns(mapping),
        d("date_creation"),
        d("numero_devis"),
    );
    sql
}

/// Streams the devis matching `filter`, newest first.
pub async fn devis<E: From<Failure>>(
    client: &mut Connection,
    mapping: &Mapping,
    filter: &DevisFilter,
    timeout: Duration,
    mut each: impl FnMut(Devis) -> Result<(), E>,
) -> Result<(), E> {
    let sql = devis_sql(mapping, filter);
    let mut decoder = DevisDecoder::default();
    stream(client, &sql, timeout, |row| each(decoder.decode(row)?)).await
}

fn ouvrages_sql(mapping: &Mapping, famille: Option<&str>) -> Sql {
    let o = |c| mapping.column("ouvrages", c);
    let f = |c| mapping.column("familles", c);
    let s = |c| mapping.column("sous_familles", c);
    let mut sql = Sql::new(String::new());
    let famille_clause = famille
        .map(|code| format!(" AND f.{} = {}", f("code_famille"), sql.param(Param::Text(code.to_owned()))))
        .unwrap_or_default();
    sql.text = format!(
        "SELECT o.{}, o.{}, o.{}, o.{}, o.{}, o.{}, o.{}, f.{}, f.{}, s.{}, s.{}, o.{} \
         FROM {} o LEFT JOIN {} f ON f.{} = o.{} LEFT JOIN {} s ON s.{} = o.{} \
         WHERE o.{} = 1{famille_clause} ORDER BY f.{}, s.{}, o.{}",
        o("code_ouvrage"),
        o("libelle"),
        o("unite"),
        o("prix_achat_ht"),
        o("prix_vente_ht"),
        o("taux_frais_generaux"),
        o("taux_benefice"),
        f("code_famille"),
        f("libelle"),
        s("code_sous_famille"),
        s("libelle"),
        o("actif"),
        mapping.table("ouvrages"),
        mapping.table("familles"),
        f("id"),
        o("famille_id"),
        mapping.table("sous_familles"),
        s("id"),
        o("sous_famille_id"),
        o("actif"),
        f("code_famille"),
        s("code_sous_famille"),
        o("code_ouvrage"),
    );
    sql
}

/// Streams the active ouvrages, optionally of one family, with their family and sub-family.
pub async fn ouvrages<E: From<Failure>>(
    client: &mut Connection,
    mapping: &Mapping,
    famille: Option<&str>,
    timeout: Duration,
    mut each: impl FnMut(Ouvrage) -> Result<(), E>,
) -> Result<(), E> {
    let sql = ouvrages_sql(mapping, famille);
    stream(client, &sql, timeout, |row| each(decode_ouvrage(&row)?)).await
}

fn factures_ouvertes_sql(mapping: &Mapping, client: Option<&str>, au: NaiveDate) -> Sql {
    let f = |c| mapping.column("factures", c);
    let c = |c| mapping.column("clients", c);
    let mut sql = Sql::new(String::new());
    let non_regle = sql.param(Param::Text(StatutReglement::NonRegle.code().to_owned()));
    let partiel = sql.param(Param::Text(StatutReglement::PartiellementRegle.code().to_owned()));
    // Invoices issued after the report date did not exist on that date.
    let au = sql.param(Param::Date(au));
    let client_clause = client
        .map(|code| format!(" AND c.{} = {}", c("code_client"), sql.param(Param::Text(code.to_owned()))))
        .unwrap_or_default();
    sql.text = format!(
        "SELECT f.{}, f.{}, c.{}, c.{}, f.{}, f.{}, f.{}, f.{}, f.{}, f.{} \
         FROM {} f JOIN {} c ON c.{} = f.{} \
         WHERE f.{} IN ({non_regle}, {partiel}) AND f.{} <= {au}{client_clause} ORDER BY f.{}, f.{}",
        f("numero_facture"),
        f("numero_devis"),
        c("code_client"),
        c("nom"),
        f("montant_ht"),
        f("montant_ttc"),
        f("date_facture"),
        f("date_echeance"),
        f("statut_reglement"),
        f("montant_regle"),
        mapping.table("factures"),
        mapping.table("clients"),
        c("id"),
        f("client_id"),
        f("statut_reglement"),
        f("date_facture"),
        f("date_echeance"),
        f("numero_facture"),
    );
    sql
}

/// Streams the open invoices (unpaid or partly paid) issued on or before `au`, oldest due first.
pub async fn factures_ouvertes<E: From<Failure>>(
    client: &mut Connection,
    mapping: &Mapping,
    client_code: Option<&str>,
    au: NaiveDate,
    timeout: Duration,
    mut each: impl FnMut(Facture) -> Result<(), E>,
) -> Result<(), E> {
    let sql = factures_ouvertes_sql(mapping, client_code, au);
    stream(client, &sql, timeout, |row| each(decode_facture(&row)?)).await
}

/// At most this many devis are read for one reference: enough to list an ambiguity.
const REFERENCE_MATCHES: i64 = 10;

fn devis_by_reference_sql(mapping: &Mapping, reference: &str) -> Sql {
    let d = |c| mapping.column("devis", c);
    let mut sql = Sql::new(String::new());
    let top = sql.param(Param::BigInt(REFERENCE_MATCHES));
    let numero = sql.param(Param::Text(reference.to_owned()));
    let affaire = sql.param(Param::Text(reference.to_owned()));
    sql.text = format!(
        "SELECT TOP ({top}) {} WHERE d.{} = {numero} OR d.{} = {affaire} ORDER BY d.{}",
        devis_columns(mapping),
        d("numero_devis"),
        d("reference_affaire"),
        d("numero_devis"),
    );
    sql
}

/// The devis whose number or affaire reference is `reference` (a few at most), by number.
pub async fn devis_by_reference(
    client: &mut Connection,
    mapping: &Mapping,
    reference: &str,
    timeout: Duration,
) -> Result<Vec<Devis>, Failure> {
    let sql = devis_by_reference_sql(mapping, reference);
    let mut found = Vec::new();
    let mut decoder = DevisDecoder::default();
    stream(client, &sql, timeout, |row| {
        found.push(decoder.decode(row)?);
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(found)
}

/// `WHERE` of the committed devis (VALIDE, ACCEPTE) created or validated since `since`.
fn committed_since_clause(mapping: &Mapping, sql: &mut Sql, since: Option<NaiveDateTime>) -> String {
    let d = |c| mapping.column("devis", c);
    let valide = sql.param(Param::Text(Statut::Valide.code().to_owned()));
    let accepte = sql.param(Param::Text(Statut::Accepte.code().to_owned()));
    let mut clause = format!(" WHERE d.{} IN ({valide}, {accepte})", d("statut"));
    if let Some(since) = since {
        let created = sql.param(Param::DateTime(since));
        let validated = sql.param(Param::DateTime(since));
        clause = format!(
            "{clause} AND (d.{} >= {created} OR d.{} >= {validated})",
            d("date_creation"),
            d("date_validation")
        );
    }
    clause
}

fn count_committed_since_sql(mapping: &Mapping, since: Option<NaiveDateTime>) -> Sql {
    let mut sql = Sql::new(String::new());
    let clause = committed_since_clause(mapping, &mut sql, since);
    sql.text = format!("SELECT COUNT(*) AS n FROM {} d{clause}", mapping.table("devis"));
    sql
}

fn committed_since_sql(mapping: &Mapping, since: Option<NaiveDateTime>) -> Sql {
    let d = |c| mapping.column("devis", c);
    let mut sql = Sql::new(String::new());
    let clause = committed_since_clause(mapping, &mut sql, since);
    sql.text =
        format!("SELECT {}{clause} ORDER BY d.{}, d.{}", devis_columns(mapping), d("date_creation"), d("numero_devis"));
    sql
}

/// How many committed devis were created or validated since `since` (all of them for `None`).
pub async fn count_committed_since(
    client: &mut Connection,
    mapping: &Mapping,
    since: Option<NaiveDateTime>,
    timeout: Duration,
) -> Result<u64, Failure> {
    let sql = count_committed_since_sql(mapping, since);
    let mut count = 0;
    stream(client, &sql, timeout, |row| {
        count = required::<i32>(&row, 0)?;
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Hands the committed devis created or validated since `since`, oldest first, one at a time to
/// an async consumer: each is dealt with (written elsewhere) before the next row is read, so a
/// connection lost midway leaves the devis before it done.
pub async fn committed_since<E: From<Failure>>(
    client: &mut Connection,
    mapping: &Mapping,
    since: Option<NaiveDateTime>,
    timeout: Duration,
    mut each: impl AsyncFnMut(Devis) -> Result<(), E>,
) -> Result<(), E> {
    let sql = committed_since_sql(mapping, since);
    let mut rows = open(client, &sql, timeout).await?;
    let mut decoder = DevisDecoder::default();
    while let Some(row) = next_row(&mut rows, timeout).await? {
        each(decoder.decode(row)?).await?;
    }
    Ok(())
}

/// The server's clock (`SYSDATETIME()`): the dates of devis are in its time.
pub async fn server_now(client: &mut Connection, timeout: Duration) -> Result<NaiveDateTime, Failure> {
    let sql = Sql::new("SELECT SYSDATETIME() AS maintenant".to_owned());
    let mut now = None;
    stream(client, &sql, timeout, |row| {
        now = get::<NaiveDateTime>(&row, 0)?;
        Ok::<_, Failure>(())
    })
    .await?;
    now.ok_or_else(|| Failure { message: "SYSDATETIME() n'a rien renvoyé".to_owned(), hint: None })
}

/// Runs `sql` and hands each row to `each`. The timeout applies to every wait for the server,
/// so a server that stops answering mid-result is noticed.
pub(super) async fn stream<E: From<Failure>>(
    client: &mut Connection,
    sql: &Sql,
    timeout: Duration,
    mut each: impl FnMut(Row) -> Result<(), E>,
) -> Result<(), E> {
    let mut rows = open(client, sql, timeout).await?;
    while let Some(row) = next_row(&mut rows, timeout).await? {
        each(row)?;
    }
    Ok(())
}

type Rows<'a> = futures_util::stream::BoxStream<'a, tiberius::Result<Row>>;

fn expired(timeout: Duration) -> Failure {
    Failure {
        message: format!("délai dépassé : Batigest n'a pas répondu en {} s", timeout.as_secs()),
        hint: Some("allongez le délai avec --timeout SECONDES".to_owned()),
    }
}

/// Sends `sql` and waits for the first answer.
async fn open<'a>(client: &'a mut Connection, sql: &Sql, timeout: Duration) -> Result<Rows<'a>, Failure> {
    let results = tokio::time::timeout(timeout, sql.query().query(client))
        .await
        .map_err(|_| expired(timeout))?
        .map_err(|e| query_failure(&e))?;
    Ok(results.into_row_stream())
}

/// The next row, `None` at the end.
async fn next_row(rows: &mut Rows<'_>, timeout: Duration) -> Result<Option<Row>, Failure> {
    // Most rows are already in the packet at hand: only a real wait for the server needs a
    // timer, and arming one per row would cost more than decoding the row.
    let next = match rows.try_next().now_or_never() {
        Some(next) => next,
        None => tokio::time::timeout(timeout, rows.try_next()).await.map_err(|_| expired(timeout))?,
    };
    next.map_err(|e| query_failure(&e))
}

/// Column `index` of `row`, with a message naming the column when the type or value is wrong.
pub(super) fn get<'a, T: tiberius::FromSql<'a>>(row: &'a Row, index: usize) -> Result<Option<T>, Failure> {
    row.try_get::<T, _>(index).map_err(|e| Failure {
        message: format!(
            "colonne « {} » illisible : {e}",
            row.columns().get(index).map_or("?", tiberius::Column::name)
        ),
        hint: Some("vérifiez la correspondance du schéma (test-connection --check-schema)".to_owned()),
    })
}

fn required<'a, T: tiberius::FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, Failure> {
    get(row, index)?.ok_or_else(|| Failure {
        message: format!(
            "colonne « {} » vide alors qu'elle est obligatoire",
            row.columns().get(index).map_or("?", tiberius::Column::name)
        ),
        hint: None,
    })
}

fn text(row: &Row, index: usize) -> Result<String, Failure> {
    required::<&str>(row, index).map(str::to_owned)
}

fn optional_text(row: &Row, index: usize) -> Result<Option<String>, Failure> {
    Ok(get::<&str>(row, index)?.map(str::to_owned))
}

fn unknown_value(row: &Row, index: usize, value: &str) -> Failure {
    unknown_value_named(row.columns().get(index).map_or("?", tiberius::Column::name), value)
}

fn unknown_value_named(column: &str, value: &str) -> Failure {
    Failure {
        message: format!("valeur inconnue « {value} » dans la colonne « {column} »"),
        hint: Some(
            "les statuts attendus sont ceux de Batigest (BROUILLON, VALIDE, ENVOYE, ACCEPTE, REFUSE…)".to_owned(),
        ),
    }
}

/// A row's values taken in column order and by value: text moves out of the row rather than
/// being copied, which matters on exports of millions of rows.
struct Taken<'n> {
    values: std::vec::IntoIter<ColumnData<'static>>,
    names: &'n [String],
    index: usize,
}

impl<'n> Taken<'n> {
    fn new(row: Row, names: &'n [String]) -> Self {
        Self { values: row.into_iter(), names, index: 0 }
    }

    fn name(&self, index: usize) -> &str {
        self.names.get(index).map_or("?", String::as_str)
    }

    /// The next column, `None` for NULL; same messages as [`get`].
    fn get<T: FromSqlOwned>(&mut self) -> Result<Option<T>, Failure> {
        let index = self.index;
        self.index += 1;
        let value = self.values.next().ok_or_else(|| Failure {
            message: format!("colonne n° {} absente du résultat", index + 1),
            hint: Some("vérifiez la correspondance du schéma (test-connection --check-schema)".to_owned()),
        })?;
        T::from_sql_owned(value).map_err(|e| Failure {
            message: format!("colonne « {} » illisible : {e}", self.name(index)),
            hint: Some("vérifiez la correspondance du schéma (test-connection --check-schema)".to_owned()),
        })
    }

    /// The next column, which must not be NULL; same message as [`required`].
    fn required<T: FromSqlOwned>(&mut self) -> Result<T, Failure> {
        let index = self.index;
        self.get()?.ok_or_else(|| Failure {
            message: format!("colonne « {} » vide alors qu'elle est obligatoire", self.name(index)),
            hint: None,
        })
    }
}

/// Decodes the rows of [`devis_columns`]; the result's column names are read once, to name a
/// column in messages after its row was consumed.
#[derive(Default)]
struct DevisDecoder {
    names: Vec<String>,
}

impl DevisDecoder {
    fn decode(&mut self, row: Row) -> Result<Devis, Failure> {
        if self.names.is_empty() {
            self.names = row.columns().iter().map(|column| column.name().to_owned()).collect();
        }
        decode_devis(Taken::new(row, &self.names))
    }
}

fn decode_devis(mut row: Taken<'_>) -> Result<Devis, Failure> {
    Ok(Devis {
        numero: row.required()?,
        reference_affaire: row.get()?,
        client_code: row.required()?,
        client_nom: row.required()?,
        montant_ht: row.required()?,
        montant_ttc: row.required()?,
        taux_marge: row.required()?,
        date_creation: row.required()?,
        date_validation: row.get()?,
        statut: {
            let statut: String = row.required()?;
            statut.parse().map_err(|_| unknown_value_named(row.name(9), &statut))?
        },
        responsable: row.get()?,
    })
}

fn decode_ouvrage(row: &Row) -> Result<Ouvrage, Failure> {
    let classe = |code: usize| -> Result<Option<Classe>, Failure> {
        Ok(match (optional_text(row, code)?, optional_text(row, code + 1)?) {
            (Some(code), Some(libelle)) => Some(Classe { code, libelle }),
            (Some(code), None) => Some(Classe { libelle: code.clone(), code }),
            (None, _) => None,
        })
    };
    Ok(Ouvrage {
        code: text(row, 0)?,
        libelle: text(row, 1)?,
        unite: text(row, 2)?,
        prix_achat_ht: required::<Decimal>(row, 3)?,
        prix_vente_ht: required::<Decimal>(row, 4)?,
        taux_frais_generaux: required::<Decimal>(row, 5)?,
        taux_benefice: required::<Decimal>(row, 6)?,
        famille: classe(7)?,
        sous_famille: classe(9)?,
        actif: required::<bool>(row, 11)?,
    })
}

fn decode_facture(row: &Row) -> Result<Facture, Failure> {
    let statut = text(row, 8)?;
    Ok(Facture {
        numero: text(row, 0)?,
        numero_devis: optional_text(row, 1)?,
        client_code: text(row, 2)?,
        client_nom: text(row, 3)?,
        montant_ht: required::<Decimal>(row, 4)?,
        montant_ttc: required::<Decimal>(row, 5)?,
        date_facture: required::<NaiveDate>(row, 6)?,
        date_echeance: required::<NaiveDate>(row, 7)?,
        statut_reglement: statut.parse().map_err(|_| unknown_value(row, 8, &statut))?,
        montant_regle: get::<Decimal>(row, 9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_values_become_parameters() {
        let filter = DevisFilter {
            from: NaiveDate::from_ymd_opt(2024, 1, 1),
            to: NaiveDate::from_ymd_opt(2024, 1, 31),
            statuts: vec![Statut::Accepte, Statut::Valide],
            client: Some("X' OR 1=1 --".to_owned()),
            limit: Some(10),
        };
        let sql = devis_sql(&Mapping::default(), &filter);
        assert!(!sql.text.contains("OR 1=1"), "{}", sql.text);
        assert!(sql.text.starts_with("SELECT TOP (@P6) d.[NUMERO_DEVIS]"), "{}", sql.text);
        assert!(sql.text.contains("d.[DATE_CREATION] >= @P1 AND d.[DATE_CREATION] < @P2"), "{}", sql.text);
        assert!(sql.text.contains("d.[STATUT] IN (@P3, @P4) AND c.[CODE_CLIENT] = @P5"), "{}", sql.text);
        assert_eq!(sql.params.len(), 6);
        assert!(matches!(&sql.params[1], Param::DateTime(end) if end.to_string() == "2024-02-01 00:00:00"));
    }

    #[test]
    fn no_filter_no_where() {
        let sql = devis_sql(&Mapping::default(), &DevisFilter::default());
        assert!(!sql.text.contains("WHERE") && sql.params.is_empty(), "{}", sql.text);
        let sql =
            factures_ouvertes_sql(&Mapping::default(), None, NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"));
        assert!(sql.text.contains("IN (@P1, @P2) AND f.[DATE_FACTURE] <= @P3 ORDER BY"), "{}", sql.text);
    }
}
