//! The KPI aggregates, computed by the server: a few rows per month, whatever the size of the
//! database (DESIGN §5.1). Every figure is a sum that adds up across months (`report::kpi::Sums`).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::connection::{Connection, Failure};
use super::queries::{devis_status_in, status_in, statut_codes};
use super::read::{amount as read_amount, get, optional_text};
use super::schema::{Mapping, Unmapped};
use super::sql::{Param, Sql, end_of, midnight, stream};
use super::statuses::ReadError;
use crate::model::{MargeBase, Statut, StatutReglement};
use crate::report::factures::{OpenFacture, Totals};
use crate::report::kpi::{Granularity, Period, Report, Sums};

/// A calendar month: (year, month 1–12).
pub type Month = (i32, u32);

/// What the server groups the KPI sums by: the calendar month of the row's date, or the devis the
/// row belongs to (its number; an invoice of no devis in a group of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupBy {
    Month,
    Devis,
}

impl GroupBy {
    /// The two key columns of the SELECT and the GROUP BY / ORDER BY expression.
    fn key(self, date: &str, numero: &str) -> (String, String) {
        match self {
            GroupBy::Month => {
                (format!("YEAR({date}) AS annee, MONTH({date}) AS mois"), format!("YEAR({date}), MONTH({date})"))
            }
            GroupBy::Devis => (format!("{numero} AS numero, 0 AS mois"), numero.to_owned()),
        }
    }
}

fn devis_sql(
    mapping: &Mapping,
    (from, to): (NaiveDate, NaiveDate),
    marge_base: MargeBase,
    group: GroupBy,
) -> Result<Sql, Unmapped> {
    let d = |c| mapping.column("devis", c);
    let f = |c| mapping.column("factures", c);
    let mut sql = Sql::new(String::new());
    let start = sql.param(Param::DateTime(midnight(from)));
    let end = sql.param(Param::DateTime(end_of(to)));
    // The definitions of DESIGN §5, from the one place that holds them.
    let issued = devis_status_in(&mut sql, mapping, "d", &statut_codes(Statut::is_issued))?;
    let committed = devis_status_in(&mut sql, mapping, "d", &statut_codes(Statut::is_committed))?;
    let (ht, rate) = (format!("d.{}", d("montant_ht")?), format!("d.{}", d("taux_marge")?));
    // 100.0, not 100: an INT rate divided by an INT would truncate on SQL Server (35 / 100 = 0).
    let (cost, undefined) = match marge_base {
        MargeBase::Cout => (format!("{ht} / NULLIF(1 + {rate} / 100.0, 0)"), format!("1 + {rate} / 100.0 = 0")),
        MargeBase::Vente => (format!("{ht} * (1 - {rate} / 100.0)"), "1 = 0".to_owned()),
    };
    let created = format!("d.{}", d("date_creation")?);
    let (key, grouped) = group.key(&created, &format!("d.{}", d("numero_devis")?));
    sql.text = format!(
        "SELECT {key}, \
         SUM(CASE WHEN {issued} THEN 1 ELSE 0 END) AS emis, \
         SUM(CASE WHEN {issued} THEN {ht} ELSE 0 END) AS emis_ht, \
         SUM(CASE WHEN {issued} AND i.total IS NOT NULL THEN 1 ELSE 0 END) AS convertis, \
         SUM(CASE WHEN {issued} AND i.total IS NOT NULL THEN {ht} ELSE 0 END) AS convertis_ht, \
         SUM(CASE WHEN {committed} THEN {ht} ELSE 0 END) AS ca_prevu, \
         SUM(CASE WHEN {committed} THEN {rate} * {ht} ELSE 0 END) AS marge_ponderee, \
         SUM(CASE WHEN {committed} AND i.total IS NOT NULL THEN i.total ELSE 0 END) AS facture_ht, \
         SUM(CASE WHEN {committed} AND i.total IS NOT NULL AND NOT ({undefined}) THEN {cost} ELSE 0 END) AS cout_prevu, \
         SUM(CASE WHEN {committed} AND i.total IS NOT NULL AND {undefined} THEN 1 ELSE 0 END) AS couts_indefinis \
         FROM {devis} d LEFT JOIN (SELECT f.{numero} AS numero, SUM(f.{montant}) AS total FROM {factures} f \
         WHERE f.{numero} IS NOT NULL GROUP BY f.{numero}) i ON i.numero = d.{numero_devis} \
         WHERE {created} >= {start} AND {created} < {end} \
         GROUP BY {grouped} ORDER BY {grouped}",
        devis = mapping.table("devis")?,
        factures = mapping.table("factures")?,
        numero = f("numero_devis")?,
        montant = f("montant_ht")?,
        numero_devis = d("numero_devis")?,
    );
    Ok(sql)
}

fn factures_sql(mapping: &Mapping, (from, to): (NaiveDate, NaiveDate), group: GroupBy) -> Result<Sql, Unmapped> {
    let f = |c| mapping.column("factures", c);
    let mut sql = Sql::new(String::new());
    // Half-open, as for devis: a DATETIME invoice date on the last day counts whatever its time.
    let start = sql.param(Param::DateTime(midnight(from)));
    let end = sql.param(Param::DateTime(end_of(to)));
    let statut = format!("f.{}", f("statut_reglement")?);
    let paid =
        status_in(&mut sql, mapping, ("factures", "statut_reglement"), &statut, &[StatutReglement::Regle.code()]);
    let dated = format!("f.{}", f("date_facture")?);
    let (key, grouped) = match group {
        GroupBy::Month => group.key(&dated, ""),
        GroupBy::Devis => group.key(&dated, &format!("f.{}", f("numero_devis")?)),
    };
    sql.text = format!(
        "SELECT {key}, COUNT(*) AS nombre, SUM(f.{ht}) AS ca_facture, \
         SUM(CASE WHEN {paid} THEN f.{ht} ELSE 0 END) AS ca_realise \
         FROM {table} f WHERE {dated} >= {start} AND {dated} < {end} \
         GROUP BY {grouped} ORDER BY {grouped}",
        ht = f("montant_ht")?,
        table = mapping.table("factures")?,
    );
    Ok(sql)
}

fn count(row: &tiberius::Row, index: usize) -> Result<u64, Failure> {
    Ok(get::<i32>(row, index)?.map_or(0, |n| u64::try_from(n).unwrap_or_default()))
}

fn amount(row: &tiberius::Row, index: usize) -> Result<Decimal, Failure> {
    Ok(read_amount(row, index)?.unwrap_or_default())
}

fn month(row: &tiberius::Row) -> Result<Month, Failure> {
    let year = get::<i32>(row, 0)?.unwrap_or_default();
    let month = get::<i32>(row, 1)?.and_then(|m| u32::try_from(m).ok()).unwrap_or_default();
    Ok((year, month))
}

/// The KPI sums of every month of `[from, to]` that has devis or invoices.
/// The KPIs of `period` and of its buckets, with the ouvrages the report also shows: the server
/// sums each month, the buckets and the period are built from those sums (`analytics` and
/// `dashboard` both read this).
pub async fn report(
    client: &mut Connection,
    mapping: &Mapping,
    marge_base: MargeBase,
    (period, granularity): (Period, Option<Granularity>),
    timeout: Duration,
) -> Result<Report, ReadError> {
    let months = monthly_sums(client, mapping, (period.from(), period.to()), marge_base, timeout).await?;
    let mut ouvrages = Vec::new();
    super::queries::ouvrages(client, mapping, None, timeout, |ouvrage| {
        ouvrages.push(ouvrage);
        Ok::<_, ReadError>(())
    })
    .await?;
    Ok(Report::from_months(&months, period, granularity, ouvrages))
}

pub async fn monthly_sums(
    client: &mut Connection,
    mapping: &Mapping,
    (from, to): (NaiveDate, NaiveDate),
    marge_base: MargeBase,
    timeout: Duration,
) -> Result<BTreeMap<Month, Sums>, ReadError> {
    let query = (client, mapping, timeout);
    sums(query, (from, to), marge_base, GroupBy::Month, month).await
}

/// The KPI sums of `[from, to]` per group of devis, grouped as the rows stream in: `group_of`
/// names the group of a devis number (as SQL Server compares it: trailing blanks off, case
/// folded), or of `None` for the invoices of no devis. The server sums per devis; only the groups
/// are kept, whatever the number of devis. The devis' figures follow its creation date, the
/// invoices' their own date, as for months.
pub async fn sums_by_devis<G: Ord>(
    client: &mut Connection,
    mapping: &Mapping,
    (from, to): (NaiveDate, NaiveDate),
    marge_base: MargeBase,
    timeout: Duration,
    group_of: impl Fn(Option<&str>) -> G,
) -> Result<BTreeMap<G, Sums>, ReadError> {
    let group = |row: &tiberius::Row| Ok(group_of(optional_text(row, 0)?.map(|numero| devis_key(&numero)).as_deref()));
    sums((client, mapping, timeout), (from, to), marge_base, GroupBy::Devis, group).await
}

/// A devis number as the server's case-insensitive collation compares it (trailing blanks are
/// already off): `dev-1` on an invoice is the devis `DEV-1`.
pub fn devis_key(numero: &str) -> String {
    numero.trim_end_matches(' ').to_uppercase()
}

async fn sums<K: Ord>(
    (client, mapping, timeout): (&mut Connection, &Mapping, Duration),
    range: (NaiveDate, NaiveDate),
    marge_base: MargeBase,
    group: GroupBy,
    key: impl Fn(&tiberius::Row) -> Result<K, Failure>,
) -> Result<BTreeMap<K, Sums>, ReadError> {
    let mut groups: BTreeMap<K, Sums> = BTreeMap::new();
    stream(client, &devis_sql(mapping, range, marge_base, group)?, Some(mapping), timeout, |row| {
        // `+=`: under a case-insensitive collation two spellings of one number are one group
        // already, but a key read twice must add up, never overwrite.
        *groups.entry(key(&row)?).or_default() += Sums {
            nombre_devis: count(&row, 2)?,
            issued_ht: amount(&row, 3)?,
            converted_count: count(&row, 4)?,
            converted_ht: amount(&row, 5)?,
            ca_prevu: amount(&row, 6)?,
            weighted_marge: amount(&row, 7)?,
            invoiced_ht: amount(&row, 8)?,
            planned_cost: amount(&row, 9)?,
            undefined_costs: count(&row, 10)?,
            ..Sums::default()
        };
        Ok::<_, Failure>(())
    })
    .await?;
    stream(client, &factures_sql(mapping, range, group)?, Some(mapping), timeout, |row| {
        *groups.entry(key(&row)?).or_default() += Sums {
            nombre_factures: count(&row, 2)?,
            ca_facture: amount(&row, 3)?,
            ca_realise: amount(&row, 4)?,
            ..Sums::default()
        };
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(groups)
}

/// Invoicing in progress at `au`: the open invoices `factures` lists, summed by the same rule
/// (`report::factures::Totals`: credit notes apart, days late from the due date). Only the open
/// invoices cross the network — a few hundred at most in a joinery's books.
pub async fn en_cours(
    client: &mut Connection,
    mapping: &Mapping,
    au: NaiveDate,
    timeout: Duration,
) -> Result<Totals, ReadError> {
    let mut totals = Totals::default();
    super::queries::factures_ouvertes(client, mapping, None, au, timeout, |facture| {
        if let Some(open) = OpenFacture::new(&facture, au) {
            totals.add(&open);
        }
        Ok::<_, ReadError>(())
    })
    .await?;
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_dates_are_parameters() {
        let from = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let to = NaiveDate::from_ymd_opt(2024, 12, 31).expect("date");
        let sql = devis_sql(&Mapping::default(), (from, to), MargeBase::Cout, GroupBy::Month).expect("mapped");
        assert!(!sql.text.contains("ACCEPTE") && !sql.text.contains("2024"), "{}", sql.text);
        // Statuses compared as they are read: text, trailing blanks off, upper case.
        assert!(
            sql.text.contains("UPPER(RTRIM(CAST(d.[STATUT] AS NVARCHAR(4000)))) IN (@P3, @P4, @P5, @P6)"),
            "{}",
            sql.text
        );
        assert!(sql.text.contains("UPPER(RTRIM(CAST(d.[STATUT] AS NVARCHAR(4000)))) IN (@P7, @P8)"), "{}", sql.text);
        assert!(sql.text.contains("NULLIF(1 + d.[TAUX_MARGE] / 100.0, 0)"), "{}", sql.text);
        let vente = devis_sql(&Mapping::default(), (from, to), MargeBase::Vente, GroupBy::Month).expect("mapped");
        assert!(vente.text.contains("d.[MONTANT_HT] * (1 - d.[TAUX_MARGE] / 100.0)"), "{}", vente.text);
        let batigest = Mapping::builtin("batigest").expect("built in");
        assert_eq!(
            devis_sql(&batigest, (from, to), MargeBase::Cout, GroupBy::Month).err(),
            Some(Unmapped::Column { table: "devis", column: "taux_marge" })
        );
        assert_eq!(factures_sql(&batigest, (from, to), GroupBy::Month).err(), Some(Unmapped::Table("factures")));
        // Invoices of the last day count whatever their time: [from midnight, next midnight).
        let factures = factures_sql(&Mapping::default(), (from, to), GroupBy::Month).expect("mapped");
        assert!(factures.text.contains("f.[DATE_FACTURE] >= @P1 AND f.[DATE_FACTURE] < @P2"), "{}", factures.text);
        assert!(matches!(&factures.params[1], Param::DateTime(end) if end.to_string() == "2025-01-01 00:00:00"));
    }

    #[test]
    fn sums_per_devis_are_grouped_by_number_invoices_of_no_devis_included() {
        let range =
            (NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"), NaiveDate::from_ymd_opt(2024, 6, 30).expect("date"));
        let devis = devis_sql(&Mapping::default(), range, MargeBase::Cout, GroupBy::Devis).expect("mapped");
        assert!(devis.text.starts_with("SELECT d.[NUMERO_DEVIS] AS numero, 0 AS mois, "), "{}", devis.text);
        assert!(devis.text.ends_with("GROUP BY d.[NUMERO_DEVIS] ORDER BY d.[NUMERO_DEVIS]"), "{}", devis.text);
        let factures = factures_sql(&Mapping::default(), range, GroupBy::Devis).expect("mapped");
        assert!(factures.text.starts_with("SELECT f.[NUMERO_DEVIS] AS numero, 0 AS mois, "), "{}", factures.text);
        // No `IS NOT NULL`: the invoices of no devis are a group of their own.
        assert!(factures.text.ends_with("GROUP BY f.[NUMERO_DEVIS] ORDER BY f.[NUMERO_DEVIS]"), "{}", factures.text);
        assert!(!factures.text.contains("IS NOT NULL"), "{}", factures.text);
        assert_eq!(devis_key("dev-2024-001  "), "DEV-2024-001");
    }
}
