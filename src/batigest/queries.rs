//! The read queries: SQL built from the schema mapping, user values as parameters only, rows
//! decoded into the domain types and handed over one at a time (results stream, memory stays flat).

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use tiberius::Row;

use super::connection::{Cause, Connection, Failure};
use super::read::{
    amount, data_failure, datetime, flag, get, optional_text, required, required_amount, required_date,
    required_datetime, stored_text, text,
};
use super::schema::{Mapping, Unmapped, read_as_sql};
use super::sql::{Param, Sql, end_of, midnight, next_row, open, stream};
use super::statuses::ReadError;
use crate::model::{Classe, Devis, Engage, EtatDevis, Facture, Ouvrage, Statut, StatutReglement};

/// Filters of `devis`; dates are inclusive and apply to the creation date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevisFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub statuts: Vec<Statut>,
    pub client: Option<String>,
    pub limit: Option<u64>,
}

/// How the rows of one table (alias `row`) reach a lookup table (alias `alias`): a code or label
/// held by the row itself, or a join — by code when both sides map their code field, by id
/// otherwise. Only the fields the row lacks are taken from the lookup table.
struct LinkSpec {
    table: &'static str,
    row: &'static str,
    code: &'static str,
    key: &'static str,
    own_label: Option<&'static str>,
    target: &'static str,
    alias: &'static str,
    target_code: &'static str,
    target_label: &'static str,
    join: &'static str,
}

/// What a link resolved to: SQL expressions for the code and label (`None`: out of reach) and
/// the join clause, empty when the row holds all it needs.
struct Link {
    code: Option<String>,
    label: Option<String>,
    join: String,
}

fn link(mapping: &Mapping, spec: &LinkSpec) -> Link {
    let LinkSpec { table, row, alias, target, .. } = *spec;
    let own = |field: &str| mapping.column(table, field).ok().map(|c| format!("{row}.{c}"));
    let theirs = |field: &str| mapping.column(target, field).ok().map(|c| format!("{alias}.{c}"));
    let own_code = own(spec.code);
    let own_label = spec.own_label.and_then(own);
    let (target_code, target_label) = (theirs(spec.target_code), theirs(spec.target_label));
    let on = match (&own_code, &target_code) {
        (Some(code), Some(target_code)) => Some(format!("{target_code} = {code}")),
        _ => own(spec.key).zip(theirs("id")).map(|(key, id)| format!("{id} = {key}")),
    };
    let wanted = (own_code.is_none() && target_code.is_some()) || (own_label.is_none() && target_label.is_some());
    match (on, mapping.table(target)) {
        (Some(on), Ok(name)) if wanted => Link {
            // Joined by code, the row's `cli00021` is the client `CLI00021` the server matched
            // (its collation): the looked-up table's code is the one shown and grouped on.
            code: match (own_code, target_code) {
                (Some(own), Some(theirs)) => Some(format!("COALESCE({theirs}, {own})")),
                (own, theirs) => own.or(theirs),
            },
            label: own_label.or(target_label),
            join: format!(" {} {name} {alias} ON {on}", spec.join),
        },
        _ => Link { code: own_code, label: own_label, join: String::new() },
    }
}

/// The client of a devis or an invoice.
fn client_link(table: &'static str, row: &'static str, join: &'static str) -> LinkSpec {
    LinkSpec {
        table,
        row,
        code: "code_client",
        key: "client_id",
        own_label: Some("nom_client"),
        target: "clients",
        alias: "c",
        target_code: "code_client",
        target_label: "nom",
        join,
    }
}

/// `expr`, or a `NULL` of `null_type` when out of reach.
fn or_null(expr: Option<&String>, null_type: &str) -> String {
    expr.cloned().unwrap_or_else(|| format!("CAST(NULL AS {null_type})"))
}

/// `expr IN (…)` of the stored values of `codes`, compared as they are read (see
/// [`super::schema::read_as`]): the value a status is read as is the value the filter compares,
/// whatever the column's type (text or integer) and the dossier's collation, so that a stored
/// code is either matched here or refused by the check (`statuses::check`), never counted by one
/// and dropped by the other. `1 = 0` when no code has a stored value.
pub(super) fn status_in(
    sql: &mut Sql,
    mapping: &Mapping,
    (table, field): (&str, &str),
    expr: &str,
    codes: &[&str],
) -> String {
    let stored: Vec<String> = codes
        .iter()
        .flat_map(|code| match mapping.values(table, field) {
            Some(map) => map.stored(code),
            None => vec![super::schema::read_as(code)],
        })
        .collect();
    if stored.is_empty() {
        return "1 = 0".to_owned();
    }
    let placeholders: Vec<String> = stored.into_iter().map(|text| sql.param(Param::Text(text))).collect();
    format!("{} IN ({})", read_as_sql(expr), placeholders.join(", "))
}

/// The condition that a devis `alias` has one of the statuses `codes`. With the acceptance rule
/// (the built-in `batigest` mapping), a devis whose validation date is set is ACCEPTE whatever
/// its stored code, and only the others are read through the value map.
pub(super) fn devis_status_in(
    sql: &mut Sql,
    mapping: &Mapping,
    alias: &str,
    codes: &[&str],
) -> Result<String, Unmapped> {
    let statut = format!("{alias}.{}", mapping.column("devis", "statut")?);
    let stored = status_in(sql, mapping, ("devis", "statut"), &statut, codes);
    Ok(match mapping.acceptance_date() {
        None => stored,
        Some(date) if codes.contains(&Statut::Accepte.code()) => format!("({alias}.{date} IS NOT NULL OR {stored})"),
        Some(date) => format!("({alias}.{date} IS NULL AND {stored})"),
    })
}

/// The columns `decode_devis` reads, the tables they come from (`d` devis, `c` clients), and
/// the expression of the client code for filters.
struct DevisColumns {
    /// `d.[Code], …`: what `decode_devis` reads.
    select: String,
    /// `FROM [Devis] d LEFT JOIN …`
    from: String,
    client_code: Option<String>,
}

impl DevisColumns {
    /// `select FROM …`, as most queries use them.
    fn text(&self) -> String {
        format!("{} {}", self.select, self.from)
    }
}

fn devis_columns(mapping: &Mapping) -> Result<DevisColumns, Unmapped> {
    let table = mapping.table("devis")?;
    let d = |c| mapping.column("devis", c);
    let shown = |c| mapping.select("d", "devis", c);
    let client = link(mapping, &client_link("devis", "d", "LEFT JOIN"));
    let select = format!(
        "d.{}, {}, {}, {}, d.{}, {}, {}, d.{}, {}, d.{}, {}",
        d("numero_devis")?,
        shown("reference_affaire"),
        or_null(client.code.as_ref(), "NVARCHAR(50)"),
        or_null(client.label.as_ref(), "NVARCHAR(200)"),
        d("montant_ht")?,
        shown("montant_ttc"),
        shown("taux_marge"),
        d("date_creation")?,
        shown("date_validation"),
        d("statut")?,
        shown("responsable"),
    );
    Ok(DevisColumns { select, from: format!("FROM {table} d{}", client.join), client_code: client.code })
}

fn devis_sql(mapping: &Mapping, filter: &DevisFilter) -> Result<Sql, Unmapped> {
    let d = |c| mapping.column("devis", c);
    let columns = devis_columns(mapping)?;
    let client_code = columns.client_code.clone();
    let columns = columns.text();
    let mut sql = Sql::new(String::new());
    let mut conditions = Vec::new();
    if let Some(from) = filter.from {
        conditions.push(format!("d.{} >= {}", d("date_creation")?, sql.param(Param::DateTime(midnight(from)))));
    }
    if let Some(to) = filter.to {
        conditions.push(format!("d.{} < {}", d("date_creation")?, sql.param(Param::DateTime(end_of(to)))));
    }
    if !filter.statuts.is_empty() {
        let codes: Vec<&str> = filter.statuts.iter().map(|s| s.code()).collect();
        conditions.push(devis_status_in(&mut sql, mapping, "d", &codes)?);
    }
    if let Some(client) = &filter.client {
        let code = client_code.ok_or(Unmapped::Column { table: "devis", column: "code_client" })?;
        conditions.push(format!("{code} = {}", sql.param(Param::Text(client.clone()))));
    }
    let top =
        filter.limit.map(|limit| format!("TOP ({}) ", sql.param(Param::BigInt(limit as i64)))).unwrap_or_default();
    let filter_clause =
        if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    sql.text = format!(
        "SELECT {top}{columns}{filter_clause} ORDER BY d.{} DESC, d.{} DESC",
        d("date_creation")?,
        d("numero_devis")?,
    );
    Ok(sql)
}

/// Streams the devis matching `filter`, newest first. A status the mapping cannot translate is
/// handed over as stored ([`EtatDevis::NonTraduit`]): callers that filter on statuses check
/// them first ([`super::statuses::check`]).
pub async fn devis<E: From<Failure> + From<Unmapped>>(
    client: &mut Connection,
    mapping: &Mapping,
    filter: &DevisFilter,
    timeout: Duration,
    mut each: impl FnMut(Devis) -> Result<(), E>,
) -> Result<(), E> {
    let sql = devis_sql(mapping, filter)?;
    stream(client, &sql, Some(mapping), timeout, |row| each(decode_devis(&row, mapping, Reading::AsStored)?)).await
}

fn ouvrages_sql(mapping: &Mapping, famille: Option<&str>) -> Result<Sql, Unmapped> {
    let table = mapping.table("ouvrages")?;
    let o = |c| mapping.column("ouvrages", c);
    let class = |target, alias, code, key, target_code| LinkSpec {
        table: "ouvrages",
        row: "o",
        code,
        key,
        own_label: None,
        target,
        alias,
        target_code,
        target_label: "libelle",
        join: "LEFT JOIN",
    };
    let f = link(mapping, &class("familles", "f", "code_famille", "famille_id", "code_famille"));
    let s = link(mapping, &class("sous_familles", "s", "code_sous_famille", "sous_famille_id", "code_sous_famille"));
    let mut sql = Sql::new(String::new());
    let famille_clause = match famille {
        Some(code) => {
            let famille = f.code.as_ref().ok_or(Unmapped::Column { table: "ouvrages", column: "code_famille" })?;
            format!(" AND {famille} = {}", sql.param(Param::Text(code.to_owned())))
        }
        None => String::new(),
    };
    let order: String = f.code.iter().chain(&s.code).flat_map(|expr| [expr.as_str(), ", "]).collect();
    sql.text = format!(
        "SELECT o.{}, o.{}, {}, o.{}, o.{}, o.{}, o.{}, {}, {}, {}, {}, o.{} \
         FROM {} o{}{} WHERE o.{} = 1{famille_clause} ORDER BY {order}o.{}",
        o("code_ouvrage")?,
        o("libelle")?,
        mapping.select("o", "ouvrages", "unite"),
        o("prix_achat_ht")?,
        o("prix_vente_ht")?,
        o("taux_frais_generaux")?,
        o("taux_benefice")?,
        or_null(f.code.as_ref(), "NVARCHAR(50)"),
        or_null(f.label.as_ref(), "NVARCHAR(200)"),
        or_null(s.code.as_ref(), "NVARCHAR(50)"),
        or_null(s.label.as_ref(), "NVARCHAR(200)"),
        o("actif")?,
        table,
        f.join,
        s.join,
        o("actif")?,
        o("code_ouvrage")?,
    );
    Ok(sql)
}

/// Streams the active ouvrages, optionally of one family, with their family and sub-family.
pub async fn ouvrages<E: From<Failure> + From<Unmapped>>(
    client: &mut Connection,
    mapping: &Mapping,
    famille: Option<&str>,
    timeout: Duration,
    mut each: impl FnMut(Ouvrage) -> Result<(), E>,
) -> Result<(), E> {
    let sql = ouvrages_sql(mapping, famille)?;
    stream(client, &sql, Some(mapping), timeout, |row| each(decode_ouvrage(&row)?)).await
}

/// Open invoices: the payment statuses `factures` and `analytics` look for.
const OPEN: [StatutReglement; 2] = [StatutReglement::NonRegle, StatutReglement::PartiellementRegle];

/// The condition on invoices `f` open on `au`: unpaid or partly paid, and issued by then
/// (invoices issued after the report date did not exist on that date) — before the next midnight,
/// so that a DATETIME invoice date of that day counts, whatever its time.
pub(super) fn open_on(sql: &mut Sql, mapping: &Mapping, au: NaiveDate) -> Result<String, Unmapped> {
    let f = |c| mapping.column("factures", c);
    let statut = format!("f.{}", f("statut_reglement")?);
    let open = status_in(sql, mapping, ("factures", "statut_reglement"), &statut, &OPEN.map(StatutReglement::code));
    let end = sql.param(Param::DateTime(end_of(au)));
    Ok(format!("{open} AND f.{} < {end}", f("date_facture")?))
}

/// The stored codes of the devis statuses `keep` selects: the definitions of DESIGN §5
/// ([`Statut::is_issued`], [`Statut::is_committed`]).
pub(super) fn statut_codes(keep: fn(Statut) -> bool) -> Vec<&'static str> {
    Statut::ALL.into_iter().filter(|s| keep(*s)).map(Statut::code).collect()
}

fn factures_ouvertes_sql(mapping: &Mapping, client: Option<&str>, au: NaiveDate) -> Result<Sql, Unmapped> {
    let table = mapping.table("factures")?;
    let f = |c| mapping.column("factures", c);
    let customer = link(mapping, &client_link("factures", "f", "JOIN"));
    let code = customer.code.ok_or(Unmapped::Column { table: "factures", column: "code_client" })?;
    let name = customer.label.ok_or(Unmapped::Column { table: "factures", column: "nom_client" })?;
    let mut sql = Sql::new(String::new());
    let open = open_on(&mut sql, mapping, au)?;
    let client_clause =
        client.map(|client| format!(" AND {code} = {}", sql.param(Param::Text(client.to_owned())))).unwrap_or_default();
    sql.text = format!(
        "SELECT f.{}, {}, {code}, {name}, f.{}, f.{}, f.{}, f.{}, f.{}, f.{} \
         FROM {} f{} WHERE {open}{client_clause} ORDER BY f.{}, f.{}",
        f("numero_facture")?,
        mapping.select("f", "factures", "numero_devis"),
        f("montant_ht")?,
        f("montant_ttc")?,
        f("date_facture")?,
        f("date_echeance")?,
        f("statut_reglement")?,
        f("montant_regle")?,
        table,
        customer.join,
        f("date_echeance")?,
        f("numero_facture")?,
    );
    Ok(sql)
}

/// Streams the open invoices (unpaid or partly paid) issued on or before `au`, oldest due first.
pub async fn factures_ouvertes<E: From<Failure> + From<Unmapped>>(
    client: &mut Connection,
    mapping: &Mapping,
    client_code: Option<&str>,
    au: NaiveDate,
    timeout: Duration,
    mut each: impl FnMut(Facture) -> Result<(), E>,
) -> Result<(), E> {
    let sql = factures_ouvertes_sql(mapping, client_code, au)?;
    let mut due_before_date = (0_u64, None);
    stream(client, &sql, Some(mapping), timeout, |row| {
        let facture = decode_facture(&row, mapping)?;
        if facture.date_echeance < facture.date_facture {
            due_before_date.0 += 1;
            due_before_date.1.get_or_insert_with(|| facture.clone());
        }
        each(facture)
    })
    .await?;
    if let (count, Some(first)) = due_before_date {
        warn_due_before_date(count, &first);
    }
    Ok(())
}

/// An invoice due before its own date is counted late from that due date, which is most likely a
/// typing error in Batigest (2 191 days late for a due date six years early): said once a run.
fn warn_due_before_date(count: u64, first: &Facture) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let others = match count {
        0 | 1 => String::new(),
        2 => " et 1 autre".to_owned(),
        n => format!(" et {} autres", n - 1),
    };
    crate::diagnostics::warning(&format!(
        "la facture {} a une échéance ({}) antérieure à sa date ({}){others} ; les jours de retard comptent depuis \
         l'échéance : vérifiez-la dans Batigest",
        first.numero,
        first.date_echeance.format("%d/%m/%Y"),
        first.date_facture.format("%d/%m/%Y"),
    ));
}

/// At most this many devis are read for one reference: enough to list an ambiguity.
const REFERENCE_MATCHES: i64 = 10;

/// Devis numbers are compared by the server, as it compares text (its collation: `00000042` is
/// not `42`; in a `_CI_` dossier `devis-2024-001` is `DEVIS-2024-001`); the last column says
/// whether the number matched, rather than an affaire reference.
fn devis_by_reference_sql(mapping: &Mapping, reference: &str) -> Result<Sql, Unmapped> {
    let d = |c| mapping.column("devis", c);
    let columns = devis_columns(mapping)?;
    let mut sql = Sql::new(String::new());
    let top = sql.param(Param::BigInt(REFERENCE_MATCHES));
    let by_number = format!("d.{} = {}", d("numero_devis")?, sql.param(Param::Text(reference.to_owned())));
    let mut matches = vec![by_number.clone()];
    if let Ok(affaire) = d("reference_affaire") {
        matches.push(format!("d.{affaire} = {}", sql.param(Param::Text(reference.to_owned()))));
    }
    sql.text = format!(
        "SELECT TOP ({top}) {}, CASE WHEN {by_number} THEN 1 ELSE 0 END AS par_numero {} WHERE {} ORDER BY d.{}",
        columns.select,
        columns.from,
        matches.join(" OR "),
        d("numero_devis")?
    );
    Ok(sql)
}

/// A devis a reference names, and whether it names it by its number (the server's comparison).
#[derive(Debug)]
pub struct Found {
    pub devis: Devis,
    pub by_number: bool,
}

/// The devis whose number or affaire reference is `reference` (a few at most), by number.
pub async fn devis_by_reference(
    client: &mut Connection,
    mapping: &Mapping,
    reference: &str,
    timeout: Duration,
) -> Result<Vec<Found>, ReadError> {
    let sql = devis_by_reference_sql(mapping, reference)?;
    let mut found = Vec::new();
    stream(client, &sql, Some(mapping), timeout, |row| {
        let devis = decode_devis(&row, mapping, Reading::AsStored)?;
        let by_number = required(&row, 11, get::<i32>(&row, 11)?)? == 1;
        found.push(Found { devis, by_number });
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(found)
}

/// Every devis whose number another devis also carries (Batigest does not forbid it): the sync
/// keeps one trace per number and cannot tell which of them it should follow.
fn devis_sharing_a_number_sql(mapping: &Mapping) -> Result<Sql, Unmapped> {
    let numero = mapping.column("devis", "numero_devis")?;
    let columns = devis_columns(mapping)?;
    Ok(Sql::new(format!(
        "SELECT {} WHERE d.{numero} IN (SELECT {numero} FROM {} GROUP BY {numero} HAVING COUNT(*) > 1) \
         ORDER BY d.{numero}",
        columns.text(),
        mapping.table("devis")?
    )))
}

/// The devis that share their number with another, by number.
pub async fn devis_sharing_a_number(
    client: &mut Connection,
    mapping: &Mapping,
    timeout: Duration,
) -> Result<std::collections::BTreeMap<String, Vec<Devis>>, ReadError> {
    let sql = devis_sharing_a_number_sql(mapping)?;
    let mut found = std::collections::BTreeMap::<String, Vec<Devis>>::new();
    stream(client, &sql, Some(mapping), timeout, |row| {
        let devis = decode_devis(&row, mapping, Reading::AsStored)?;
        found.entry(devis.numero.clone()).or_default().push(devis);
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(found)
}

/// Which committed devis a read takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Created or validated since then (all of them for `None`).
    Since(Option<NaiveDateTime>),
    /// Created in one month (`None`: the devis without a creation date).
    Month(Option<NaiveDate>),
}

/// `WHERE` of the committed devis (VALIDE, ACCEPTE) in `scope`; `Since` looks at the creation
/// date only when the validation date is unmapped.
fn committed_clause(mapping: &Mapping, sql: &mut Sql, scope: Scope) -> Result<String, Unmapped> {
    let d = |c| mapping.column("devis", c);
    let committed = statut_codes(Statut::is_committed);
    let mut clause = format!(" WHERE {}", devis_status_in(sql, mapping, "d", &committed)?);
    match scope {
        Scope::Since(None) => {}
        Scope::Since(Some(since)) => {
            let mut dates = vec![format!("d.{} >= {}", d("date_creation")?, sql.param(Param::DateTime(since)))];
            if let Ok(validated) = d("date_validation") {
                dates.push(format!("d.{validated} >= {}", sql.param(Param::DateTime(since))));
            }
            clause = format!("{clause} AND ({})", dates.join(" OR "));
        }
        Scope::Month(None) => clause = format!("{clause} AND d.{} IS NULL", d("date_creation")?),
        Scope::Month(Some(first)) => {
            let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
            let created = d("date_creation")?;
            clause = format!(
                "{clause} AND d.{created} >= {} AND d.{created} < {}",
                sql.param(Param::DateTime(midnight(first))),
                sql.param(Param::DateTime(midnight(next)))
            );
        }
    }
    Ok(clause)
}

fn count_committed_since_sql(mapping: &Mapping, since: Option<NaiveDateTime>) -> Result<Sql, Unmapped> {
    let mut sql = Sql::new(String::new());
    let clause = committed_clause(mapping, &mut sql, Scope::Since(since))?;
    sql.text = format!("SELECT COUNT(*) AS n FROM {} d{clause}", mapping.table("devis")?);
    Ok(sql)
}

fn committed_sql(mapping: &Mapping, scope: Scope) -> Result<Sql, Unmapped> {
    let d = |c| mapping.column("devis", c);
    let mut sql = Sql::new(String::new());
    let clause = committed_clause(mapping, &mut sql, scope)?;
    let columns = devis_columns(mapping)?.text();
    sql.text = format!("SELECT {columns}{clause} ORDER BY d.{}, d.{}", d("date_creation")?, d("numero_devis")?);
    Ok(sql)
}

/// How many committed devis were created or validated since `since` (all of them for `None`).
pub async fn count_committed_since(
    client: &mut Connection,
    mapping: &Mapping,
    since: Option<NaiveDateTime>,
    timeout: Duration,
) -> Result<u64, ReadError> {
    let sql = count_committed_since_sql(mapping, since)?;
    super::statuses::check(client, mapping, &[super::statuses::DEVIS], timeout).await?;
    let mut count = 0;
    stream(client, &sql, Some(mapping), timeout, |row| {
        count = required(&row, 0, get::<i32>(&row, 0)?)?;
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// A committed devis whose row cannot be read (a value of the wrong type, an empty required
/// column): the batch reports it and goes on with the next.
#[derive(Debug)]
pub struct Unreadable {
    pub numero: String,
    pub failure: Failure,
}

/// Hands the committed devis created or validated since `since`, oldest first, one at a time to
/// an async consumer: each is dealt with (written elsewhere) before the next row is read, so a
/// connection lost midway leaves the devis before it done. A row that cannot be read is handed
/// over as [`Unreadable`]; only a failure of the query or the connection ends the stream.
pub async fn committed_since<E: From<Failure> + From<Unmapped>>(
    client: &mut Connection,
    mapping: &Mapping,
    since: Option<NaiveDateTime>,
    timeout: Duration,
    each: impl AsyncFnMut(Result<Devis, Unreadable>) -> Result<(), E>,
) -> Result<(), E> {
    committed(client, mapping, Scope::Since(since), timeout, each).await
}

/// Hands the committed devis of one [`Bucket`] over as [`committed_since`] does.
pub async fn committed_in<E: From<Failure> + From<Unmapped>>(
    client: &mut Connection,
    mapping: &Mapping,
    bucket: &Bucket,
    timeout: Duration,
    each: impl AsyncFnMut(Result<Devis, Unreadable>) -> Result<(), E>,
) -> Result<(), E> {
    committed(client, mapping, Scope::Month(bucket.month), timeout, each).await
}

async fn committed<E: From<Failure> + From<Unmapped>>(
    client: &mut Connection,
    mapping: &Mapping,
    scope: Scope,
    timeout: Duration,
    mut each: impl AsyncFnMut(Result<Devis, Unreadable>) -> Result<(), E>,
) -> Result<(), E> {
    let sql = committed_sql(mapping, scope)?;
    let mut rows = open(client, &sql, Some(mapping), timeout).await?;
    while let Some(row) = next_row(&mut rows, timeout).await? {
        let devis = decode_devis(&row, mapping, Reading::Strict).map_err(|failure| Unreadable {
            numero: optional_text(&row, 0).ok().flatten().unwrap_or_else(|| "?".to_owned()),
            failure,
        });
        each(devis).await?;
    }
    Ok(())
}

/// The committed devis of one month of creation, as the server sums them up: how many, and a
/// checksum of every column the sync carries (`CHECKSUM_AGG(BINARY_CHECKSUM(…))`). Two passes
/// that find the same figures found the same devis; a change in any of them moves the figures
/// (but for a checksum collision, one chance in 2³² per changed month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bucket {
    /// The first day of the month; `None` for the devis without a creation date.
    pub month: Option<NaiveDate>,
    pub devis: i64,
    /// `None` when the server has nothing to sum (no devis).
    pub checksum: Option<i32>,
}

impl Bucket {
    /// The bucket's name in the store: `2024-03`, or `sans-date`.
    pub fn key(&self) -> String {
        self.month.map_or_else(|| "sans-date".to_owned(), |month| month.format("%Y-%m").to_string())
    }
}

/// Per month of creation: the count and checksum of the committed devis. The checksum covers
/// what the sync carries into JLM ERP (number, affaire reference, HT, margin, status) and the
/// validation date (which, in some dossiers, is what makes a devis accepted).
fn buckets_sql(mapping: &Mapping) -> Result<Sql, Unmapped> {
    let d = |c| mapping.column("devis", c);
    let shown = |c| mapping.select("d", "devis", c);
    let mut sql = Sql::new(String::new());
    let clause = committed_clause(mapping, &mut sql, Scope::Since(None))?;
    let created = d("date_creation")?;
    let carried = [
        format!("d.{}", d("numero_devis")?),
        shown("reference_affaire"),
        format!("d.{}", d("montant_ht")?),
        shown("taux_marge"),
        format!("d.{}", d("statut")?),
        shown("date_validation"),
    ];
    sql.text = format!(
        "SELECT YEAR(d.{created}) AS annee, MONTH(d.{created}) AS mois, COUNT(*) AS n, \
         CHECKSUM_AGG(BINARY_CHECKSUM({})) AS somme FROM {} d{clause} GROUP BY YEAR(d.{created}), MONTH(d.{created})",
        carried.join(", "),
        mapping.table("devis")?
    );
    Ok(sql)
}

/// The figures of every month holding committed devis, by month.
pub async fn buckets(client: &mut Connection, mapping: &Mapping, timeout: Duration) -> Result<Vec<Bucket>, ReadError> {
    let sql = buckets_sql(mapping)?;
    let mut found = Vec::new();
    stream(client, &sql, Some(mapping), timeout, |row| {
        let year = get::<i32>(&row, 0)?;
        let month = get::<i32>(&row, 1)?;
        let month = match (year, month) {
            (Some(year), Some(month)) => Some(
                u32::try_from(month)
                    .ok()
                    .and_then(|month| NaiveDate::from_ymd_opt(year, month, 1))
                    .ok_or_else(|| data_failure(format!("mois de création illisible : {year}-{month}"), None))?,
            ),
            _ => None,
        };
        let devis = i64::from(required(&row, 2, get::<i32>(&row, 2)?)?);
        found.push(Bucket { month, devis, checksum: get::<i32>(&row, 3)? });
        Ok::<_, Failure>(())
    })
    .await?;
    found.sort();
    Ok(found)
}

/// The committed devis created by `au`, with the HT of their invoices dated by then (credit notes
/// included), by number: what remains to invoice (`tresorerie`).
fn engages_sql(mapping: &Mapping, au: NaiveDate) -> Result<Sql, Unmapped> {
    let d = |c| mapping.column("devis", c);
    let f = |c| mapping.column("factures", c);
    let mut sql = Sql::new(String::new());
    let clause = committed_clause(mapping, &mut sql, Scope::Since(None))?;
    let end = sql.param(Param::DateTime(end_of(au)));
    sql.text = format!(
        "SELECT d.{numero_devis}, d.{ht}, {ttc}, ISNULL(i.total, 0) AS facture_ht FROM {devis} d \
         LEFT JOIN (SELECT f.{numero} AS numero, SUM(f.{montant}) AS total FROM {factures} f \
         WHERE f.{numero} IS NOT NULL AND f.{date_facture} < {end} GROUP BY f.{numero}) i \
         ON i.numero = d.{numero_devis}{clause} AND d.{created} < {end} ORDER BY d.{numero_devis}",
        numero_devis = d("numero_devis")?,
        ht = d("montant_ht")?,
        ttc = mapping.select("d", "devis", "montant_ttc"),
        devis = mapping.table("devis")?,
        numero = f("numero_devis")?,
        montant = f("montant_ht")?,
        factures = mapping.table("factures")?,
        date_facture = f("date_facture")?,
        created = d("date_creation")?,
    );
    Ok(sql)
}

/// Streams the committed devis created by `au` with the HT invoiced on each by then.
pub async fn engages<E: From<Failure> + From<Unmapped>>(
    client: &mut Connection,
    mapping: &Mapping,
    au: NaiveDate,
    timeout: Duration,
    mut each: impl FnMut(Engage) -> Result<(), E>,
) -> Result<(), E> {
    let sql = engages_sql(mapping, au)?;
    stream(client, &sql, Some(mapping), timeout, |row| {
        each(Engage {
            numero: text(&row, 0)?,
            montant_ht: required_amount(&row, 1)?,
            montant_ttc: amount(&row, 2)?,
            facture_ht: amount(&row, 3)?.unwrap_or_default(),
        })
    })
    .await
}

/// The server's clock (`SYSDATETIME()`): the dates of devis are in its time.
pub async fn server_now(client: &mut Connection, timeout: Duration) -> Result<NaiveDateTime, Failure> {
    let sql = Sql::new("SELECT SYSDATETIME() AS maintenant".to_owned());
    let mut now = None;
    stream(client, &sql, None, timeout, |row| {
        now = datetime(&row, 0)?;
        Ok::<_, Failure>(())
    })
    .await?;
    now.ok_or_else(|| data_failure("SYSDATETIME() n'a rien renvoyé".to_owned(), None))
}

/// A status column read through the field's value map (or as the logical code without one).
fn status<T: std::str::FromStr>(
    row: &Row,
    index: usize,
    mapping: &Mapping,
    (table, field): (&str, &str),
) -> Result<T, Failure> {
    let stored = stored_text(row, index)?;
    let values = mapping.values(table, field);
    mapping.logical(table, field, &stored).and_then(|code| code.parse().ok()).ok_or_else(|| Failure {
        cause: Cause::Data,
        detail: None,
        message: format!(
            "valeur inconnue « {stored} » dans la colonne « {} » ({table}.{field})",
            row.columns().get(index).map_or("?", tiberius::Column::name)
        ),
        hint: Some(if values.is_some() {
            format!("ajoutez-la à [tables.{table}.values.{field}] du fichier de correspondance")
        } else {
            format!(
                "les valeurs attendues sont {} ; sinon, traduisez-les dans [tables.{table}.values.{field}] du fichier \
                 de correspondance",
                super::schema::logical_values(table, field).join(", ")
            )
        }),
    })
}

/// How a devis status the mapping cannot translate is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// An error: the caller computes on statuses.
    Strict,
    /// Kept as stored: the caller only shows it.
    AsStored,
}

/// A row that cannot be read, named by its number when that can be read: which devis or invoice
/// to look at in Batigest.
fn naming(row: &Row, what: &str, failure: Failure) -> Failure {
    match text(row, 0) {
        Ok(numero) => Failure {
            message: format!("{what} {numero} : {}", failure.message),
            hint: failure.hint.clone().or_else(|| {
                Some(format!(
                    "complétez ce{} {what} dans Batigest, ou reliez le champ à une autre colonne dans le fichier de \
                     correspondance",
                    if what == "facture" { "tte" } else { "" }
                ))
            }),
            ..failure
        },
        _ => failure,
    }
}

fn decode_devis(row: &Row, mapping: &Mapping, reading: Reading) -> Result<Devis, Failure> {
    decode_devis_fields(row, mapping, reading).map_err(|failure| naming(row, "devis", failure))
}

fn decode_devis_fields(row: &Row, mapping: &Mapping, reading: Reading) -> Result<Devis, Failure> {
    let date_validation = datetime(row, 8)?;
    let statut = if mapping.acceptance_date().is_some() && date_validation.is_some() {
        EtatDevis::Lu(Statut::Accepte)
    } else {
        match (status(row, 9, mapping, ("devis", "statut")), reading) {
            (Ok(statut), _) => EtatDevis::Lu(statut),
            (Err(_), Reading::AsStored) => EtatDevis::NonTraduit(stored_text(row, 9)?),
            (Err(failure), Reading::Strict) => return Err(failure),
        }
    };
    Ok(Devis {
        numero: text(row, 0)?,
        reference_affaire: optional_text(row, 1)?,
        client_code: optional_text(row, 2)?,
        client_nom: optional_text(row, 3)?,
        montant_ht: required_amount(row, 4)?,
        montant_ttc: amount(row, 5)?,
        taux_marge: amount(row, 6)?,
        date_creation: required_datetime(row, 7)?,
        date_validation,
        statut,
        responsable: optional_text(row, 10)?,
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
        unite: optional_text(row, 2)?,
        prix_achat_ht: required_amount(row, 3)?,
        prix_vente_ht: required_amount(row, 4)?,
        taux_frais_generaux: required_amount(row, 5)?,
        taux_benefice: required_amount(row, 6)?,
        famille: classe(7)?,
        sous_famille: classe(9)?,
        actif: flag(row, 11)?,
    })
}

fn decode_facture(row: &Row, mapping: &Mapping) -> Result<Facture, Failure> {
    decode_facture_fields(row, mapping).map_err(|failure| naming(row, "facture", failure))
}

fn decode_facture_fields(row: &Row, mapping: &Mapping) -> Result<Facture, Failure> {
    Ok(Facture {
        numero: text(row, 0)?,
        numero_devis: optional_text(row, 1)?,
        client_code: text(row, 2)?,
        client_nom: text(row, 3)?,
        montant_ht: required_amount(row, 4)?,
        montant_ttc: required_amount(row, 5)?,
        date_facture: required_date(row, 6)?,
        date_echeance: required_date(row, 7)?,
        statut_reglement: status(row, 8, mapping, ("factures", "statut_reglement"))?,
        montant_regle: amount(row, 9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_ends_where_sql_server_can_still_hold_it() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
        assert_eq!(end_of(day("2024-02-28")), midnight(day("2024-02-29")));
        assert_eq!(end_of(day("2024-12-31")), midnight(day("2025-01-01")));
        let last = end_of(day("9999-12-31"));
        assert_eq!(last, day("9999-12-31").and_hms_nano_opt(23, 59, 59, 999_999_900).expect("time"));
    }

    #[test]
    fn user_values_become_parameters() {
        let filter = DevisFilter {
            from: NaiveDate::from_ymd_opt(2024, 1, 1),
            to: NaiveDate::from_ymd_opt(2024, 1, 31),
            statuts: vec![Statut::Accepte, Statut::Valide],
            client: Some("X' OR 1=1 --".to_owned()),
            limit: Some(10),
        };
        let sql = devis_sql(&Mapping::default(), &filter).expect("mapped");
        assert!(!sql.text.contains("OR 1=1"), "{}", sql.text);
        assert!(sql.text.starts_with("SELECT TOP (@P6) d.[NUMERO_DEVIS]"), "{}", sql.text);
        assert!(sql.text.contains("d.[DATE_CREATION] >= @P1 AND d.[DATE_CREATION] < @P2"), "{}", sql.text);
        assert!(
            sql.text
                .contains("UPPER(RTRIM(CAST(d.[STATUT] AS NVARCHAR(4000)))) IN (@P3, @P4) AND c.[CODE_CLIENT] = @P5"),
            "{}",
            sql.text
        );
        assert!(sql.text.contains("LEFT JOIN [CLIENTS] c ON c.[ID] = d.[CLIENT_ID]"), "{}", sql.text);
        assert_eq!(sql.params.len(), 6);
        assert!(matches!(&sql.params[1], Param::DateTime(end) if end.to_string() == "2024-02-01 00:00:00"));
    }

    #[test]
    fn the_batigest_mapping_joins_clients_by_code_and_filters_integer_states() {
        let batigest = Mapping::builtin("batigest").expect("built in");
        let filter = DevisFilter {
            statuts: vec![Statut::Accepte, Statut::Valide],
            client: Some("00000042".to_owned()),
            ..DevisFilter::default()
        };
        let sql = devis_sql(&batigest, &filter).expect("mapped");
        // The client's name from Client, by code; the code as Client holds it.
        assert!(
            sql.text.starts_with(
                "SELECT d.[Code], CAST(NULL AS NVARCHAR(200)), COALESCE(c.[Code], d.[CodeClient]), c.[Nom], d.[TotalHT]"
            ),
            "{}",
            sql.text
        );
        assert!(
            sql.text.contains("FROM [Devis] d LEFT JOIN [Client] c ON c.[Code] = d.[CodeClient] WHERE"),
            "{}",
            sql.text
        );
        // No Etat code means anything built in: only DateConcretis says ACCEPTE.
        assert!(
            sql.text.contains(
                "WHERE (d.[DateConcretis] IS NOT NULL OR 1 = 0) AND COALESCE(c.[Code], d.[CodeClient]) = @P1"
            ),
            "{}",
            sql.text
        );
        assert!(matches!(sql.params[..], [Param::Text(ref code)] if code == "00000042"));
        let named = Mapping::from_toml_for_tests(
            "base = \"batigest\"\n[tables.devis.values.statut]\n0 = \"BROUILLON\"\n4 = \"ENVOYE\"\n7 = \"VALIDE\"\n",
        );
        let sql = devis_sql(&named, &filter).expect("mapped");
        // An integer Etat is compared as the text it is read as: `7`, whatever the column's type.
        let etat = "UPPER(RTRIM(CAST(d.[Etat] AS NVARCHAR(4000))))";
        assert!(
            sql.text.contains(&format!("WHERE (d.[DateConcretis] IS NOT NULL OR {etat} IN (@P1)) AND")),
            "{}",
            sql.text
        );
        assert!(matches!(&sql.params[..], [Param::Text(seven), _] if seven == "7"));
        let sent = DevisFilter { statuts: vec![Statut::Envoye], ..DevisFilter::default() };
        let sql = devis_sql(&named, &sent).expect("mapped");
        assert!(sql.text.contains(&format!("WHERE (d.[DateConcretis] IS NULL AND {etat} IN (@P1))")), "{}", sql.text);
        assert!(matches!(&sql.params[..], [Param::Text(four)] if four == "4"));
        let sql = ouvrages_sql(&batigest, Some("PORTES"));
        assert_eq!(sql.err(), Some(Unmapped::Column { table: "ouvrages", column: "prix_vente_ht" }));
        assert_eq!(factures_ouvertes_sql(&batigest, None, NaiveDate::MIN).err(), Some(Unmapped::Table("factures")));
        // A dossier whose quotes carry the name themselves needs no join.
        let own_name =
            Mapping::from_toml_for_tests("base = \"batigest\"\n[tables.devis.columns]\nnom_client = \"Nom\"\n");
        let sql = devis_sql(&own_name, &DevisFilter::default()).expect("mapped");
        assert!(sql.text.contains("d.[CodeClient], d.[Nom]") && !sql.text.contains("JOIN"), "{}", sql.text);
        let sql = devis_by_reference_sql(&batigest, "00000042").expect("mapped");
        assert!(
            sql.text.contains("CASE WHEN d.[Code] = @P2 THEN 1 ELSE 0 END AS par_numero FROM [Devis] d"),
            "{}",
            sql.text
        );
        assert!(sql.text.contains("WHERE d.[Code] = @P2 ORDER BY"), "{}", sql.text);
        assert!(matches!(&sql.params[1], Param::Text(number) if number == "00000042"));
    }

    #[test]
    fn no_filter_no_where() {
        let sql = devis_sql(&Mapping::default(), &DevisFilter::default()).expect("mapped");
        assert!(!sql.text.contains("WHERE") && sql.params.is_empty(), "{}", sql.text);
        let sql =
            factures_ouvertes_sql(&Mapping::default(), None, NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"))
                .expect("mapped");
        assert!(
            sql.text.contains(
                "UPPER(RTRIM(CAST(f.[STATUT_REGLEMENT] AS NVARCHAR(4000)))) IN (@P1, @P2) AND f.[DATE_FACTURE] < @P3 ORDER BY"
            ),
            "{}",
            sql.text
        );
        assert!(matches!(&sql.params[2], Param::DateTime(end) if end.to_string() == "2026-01-01 00:00:00"));
    }
}
