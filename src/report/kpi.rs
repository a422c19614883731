//! The KPIs of `analytics` (DESIGN §5.1).
//!
//! Which rows count, and how, is the SQL of `batigest/analytics.rs` (DESIGN §5.1 rule by rule, the
//! server aggregating per month into [`Sums`]). Every KPI is a ratio of sums that add up across
//! months, so buckets and the whole period are built from the monthly sums, and [`Sums::kpis`]
//! holds the ratios once. `tests/cli/kpi_generated.rs` checks the two together against an
//! independent computation over the rows of a generated dossier.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::numbers::{percent, ratio};
use crate::model::Ouvrage;

/// The KPIs of a period and of its buckets, with the ouvrages the report also shows.
pub struct Report {
    pub period: Period,
    pub granularity: Option<Granularity>,
    pub total: Kpis,
    pub buckets: Vec<(Bucket, Kpis)>,
    pub ouvrages: Vec<Ouvrage>,
}

impl Report {
    /// Builds the buckets and the period from monthly sums keyed by (year, month). Buckets start
    /// and end on month boundaries (or on the queried range's ends, which the monthly sums already
    /// respect), so whole months add up exactly.
    pub fn from_months(
        months: &BTreeMap<(i32, u32), Sums>,
        period: Period,
        granularity: Option<Granularity>,
        ouvrages: Vec<Ouvrage>,
    ) -> Self {
        let sum_over = |period: Period| {
            let first = (period.from().year(), period.from().month());
            let last = (period.to().year(), period.to().month());
            let mut sums = Sums::default();
            for (_, month_sums) in months.range(first..=last) {
                sums += *month_sums;
            }
            sums
        };
        let buckets = granularity
            .map(|granularity| {
                period.buckets(granularity).into_iter().map(|bucket| {
                    let kpis = sum_over(bucket.period).kpis();
                    (bucket, kpis)
                })
            })
            .into_iter()
            .flatten()
            .collect();
        Self { period, granularity, total: sum_over(period).kpis(), buckets, ouvrages }
    }
}

/// An inclusive range of dates, `from ≤ to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

/// A period whose start comes after its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "période invalide : la date de début ({}) est postérieure à la date de fin ({})",
    from.format("%d/%m/%Y"),
    to.format("%d/%m/%Y")
)]
pub struct InvalidPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A period cut into more buckets than one run computes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "la période du {} au {} compte {count} : {MAX_BUCKETS} périodes au plus par calcul",
    period.from.format("%d/%m/%Y"),
    period.to.format("%d/%m/%Y")
)]
pub struct TooManyBuckets {
    pub period: Period,
    pub count: String,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, InvalidPeriod> {
        if from > to {
            return Err(InvalidPeriod { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn from(self) -> NaiveDate {
        self.from
    }

    pub fn to(self) -> NaiveDate {
        self.to
    }

    #[cfg(test)]
    pub fn contains(self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// How many calendar buckets of `granularity` cover the period (see [`Period::buckets`]),
    /// counted without making them.
    pub fn bucket_count(self, granularity: Granularity) -> u32 {
        let month = |date: NaiveDate| date.year() * 12 + date.month0() as i32;
        let months = month(granularity.start_of(self.to)) - month(granularity.start_of(self.from));
        let size = match granularity {
            Granularity::Month => 1,
            Granularity::Quarter => 3,
            Granularity::Year => 12,
        };
        (months / size + 1) as u32
    }

    /// Refuses a period cut into more than [`MAX_BUCKETS`] buckets, saying how many it would be.
    pub fn check_buckets(self, granularity: Granularity) -> Result<(), TooManyBuckets> {
        let count = self.bucket_count(granularity);
        if count > MAX_BUCKETS {
            return Err(TooManyBuckets { period: self, count: granularity.count_fr(count) });
        }
        Ok(())
    }

    /// The calendar buckets covering the period, in order, the first and last clipped to it (a period
    /// starting on 15 March has a first month of 15–31 March).
    pub fn buckets(self, granularity: Granularity) -> Vec<Bucket> {
        let mut buckets = Vec::new();
        let mut start = granularity.start_of(self.from);
        while start <= self.to {
            let next = granularity.next(start);
            let end = next.and_then(|next| next.pred_opt()).unwrap_or(NaiveDate::MAX);
            buckets.push(Bucket {
                label: granularity.label(start),
                period: Period { from: start.max(self.from), to: end.min(self.to) },
            });
            match next {
                Some(next) => start = next,
                None => break,
            }
        }
        buckets
    }
}

/// The most buckets one run computes and saves (50 years by month): each is a row of the answer
/// and of the saved run's `data_json`, and 0001-01-01 to 9999-12-31 by month made 39 MB of both.
pub const MAX_BUCKETS: u32 = 600;

/// Calendar bucket size of the evolution (`--periode mensuel|trimestriel|annuel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    #[default]
    Month,
    Quarter,
    Year,
}

impl Granularity {
    /// First day of the bucket holding `date`.
    fn start_of(self, date: NaiveDate) -> NaiveDate {
        let month = match self {
            Granularity::Month => date.month(),
            Granularity::Quarter => date.month0() / 3 * 3 + 1,
            Granularity::Year => 1,
        };
        NaiveDate::from_ymd_opt(date.year(), month, 1).expect("the first of a month exists")
    }

    /// First day of the following bucket; `None` past the calendar's end.
    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        let months = match self {
            Granularity::Month => 1,
            Granularity::Quarter => 3,
            Granularity::Year => 12,
        };
        start.checked_add_months(chrono::Months::new(months))
    }

    /// The last bucket wholly over before `au` (the month, quarter or year before the one holding
    /// `au`): a bucket is closed once its last day has passed. `None` before year 1, which no
    /// database date (SQL Server's `date`) reaches.
    pub fn last_closed(self, au: NaiveDate) -> Option<Bucket> {
        let current = self.start_of(au);
        let months = match self {
            Granularity::Month => 1,
            Granularity::Quarter => 3,
            Granularity::Year => 12,
        };
        let start = current.checked_sub_months(chrono::Months::new(months)).filter(|start| start.year() >= 1)?;
        let end = current.pred_opt()?;
        Some(Bucket { label: self.label(start), period: Period { from: start, to: end } })
    }

    /// The French name of `count` buckets: « 3 mois », « 1 trimestre », « 2 années ».
    pub fn count_fr(self, count: u32) -> String {
        let plural = if count > 1 { "s" } else { "" };
        match self {
            Granularity::Month => format!("{count} mois"),
            Granularity::Quarter => format!("{count} trimestre{plural}"),
            Granularity::Year => format!("{count} année{plural}"),
        }
    }

    /// `2024-01`, `2024-T1`, `2024`.
    fn label(self, start: NaiveDate) -> String {
        match self {
            Granularity::Month => format!("{:04}-{:02}", start.year(), start.month()),
            Granularity::Quarter => format!("{:04}-T{}", start.year(), start.month0() / 3 + 1),
            Granularity::Year => format!("{:04}", start.year()),
        }
    }
}

/// A calendar bucket of a period, already clipped to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub label: String,
    pub period: Period,
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// The KPIs of one period. Rates are percentages (or points for `ecart_marge`) at full precision;
/// `None` where a denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Kpis {
    pub nombre_devis: u64,
    pub nombre_factures: u64,
    pub ca_prevu: Decimal,
    pub ca_facture: Decimal,
    pub ca_realise: Decimal,
    pub taux_conversion: Option<Decimal>,
    pub taux_conversion_nombre: Option<Decimal>,
    pub marge_prevue_moyenne: Option<Decimal>,
    pub marge_reelle_moyenne: Option<Decimal>,
    /// `marge_reelle_moyenne − marge_prevue_moyenne` at full precision, so its rounded value may differ
    /// by 0.01 from the difference of the two rounded rates.
    pub ecart_marge: Option<Decimal>,
}

/// The additive parts of the KPIs: sums that add up across days, months and years, so that SQL
/// can aggregate per month and the buckets and totals are built from those monthly sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sums {
    /// Issued devis (status other than BROUILLON).
    pub nombre_devis: u64,
    pub issued_ht: Decimal,
    /// Issued devis with at least one invoice, any date.
    pub converted_count: u64,
    pub converted_ht: Decimal,
    /// Committed devis (VALIDE, ACCEPTE): Σ HT and Σ TAUX_MARGE × HT.
    pub ca_prevu: Decimal,
    pub weighted_marge: Decimal,
    /// Committed devis with at least one invoice: Σ of all their invoices' HT, Σ of their cout_prevu.
    pub invoiced_ht: Decimal,
    pub planned_cost: Decimal,
    /// Committed invoiced devis whose cout_prevu is undefined (a −100 % margin on cost).
    pub undefined_costs: u64,
    /// Invoices dated in the period.
    pub nombre_factures: u64,
    pub ca_facture: Decimal,
    pub ca_realise: Decimal,
}

impl std::ops::AddAssign for Sums {
    fn add_assign(&mut self, other: Self) {
        self.nombre_devis += other.nombre_devis;
        self.issued_ht += other.issued_ht;
        self.converted_count += other.converted_count;
        self.converted_ht += other.converted_ht;
        self.ca_prevu += other.ca_prevu;
        self.weighted_marge += other.weighted_marge;
        self.invoiced_ht += other.invoiced_ht;
        self.planned_cost += other.planned_cost;
        self.undefined_costs += other.undefined_costs;
        self.nombre_factures += other.nombre_factures;
        self.ca_facture += other.ca_facture;
        self.ca_realise += other.ca_realise;
    }
}

impl Sums {
    /// The KPIs these sums define (DESIGN §5.1); a ratio over nothing is `None`.
    pub fn kpis(&self) -> Kpis {
        let planned_cost = (self.undefined_costs == 0).then_some(self.planned_cost);
        let taux_conversion = percent(self.converted_ht, self.issued_ht);
        let marge_prevue_moyenne = ratio(self.weighted_marge, self.ca_prevu);
        let marge_reelle_moyenne = planned_cost.and_then(|cost| percent(self.invoiced_ht - cost, cost));
        Kpis {
            nombre_devis: self.nombre_devis,
            nombre_factures: self.nombre_factures,
            ca_prevu: self.ca_prevu,
            ca_facture: self.ca_facture,
            ca_realise: self.ca_realise,
            taux_conversion,
            taux_conversion_nombre: percent(Decimal::from(self.converted_count), Decimal::from(self.nombre_devis)),
            marge_prevue_moyenne,
            marge_reelle_moyenne,
            ecart_marge: marge_reelle_moyenne.zip(marge_prevue_moyenne).map(|(reelle, prevue)| reelle - prevue),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_counted_without_being_made_and_bounded() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        for (from, to) in [(date(2024, 1, 15), date(2024, 1, 20)), (date(2023, 11, 30), date(2026, 2, 1))] {
            let period = Period::new(from, to).expect("period");
            for granularity in [Granularity::Month, Granularity::Quarter, Granularity::Year] {
                assert_eq!(period.bucket_count(granularity) as usize, period.buckets(granularity).len());
            }
        }
        let all = Period::new(date(1, 1, 1), date(9999, 12, 31)).expect("period");
        assert_eq!(all.bucket_count(Granularity::Month), 119_988);
        assert_eq!(
            all.check_buckets(Granularity::Month).map_err(|e| e.to_string()),
            Err("la période du 01/01/0001 au 31/12/9999 compte 119988 mois : 600 périodes au plus par calcul"
                .to_owned())
        );
        let fifty_years = Period::new(date(1980, 1, 1), date(2029, 12, 31)).expect("period");
        assert_eq!(fifty_years.check_buckets(Granularity::Month), Ok(()));
        assert_eq!(all.check_buckets(Granularity::Year).map_err(|e| e.count), Err("9999 années".to_owned()));
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_last_closed_bucket_ends_the_day_before_the_current_one_starts() {
        let month = Granularity::Month.last_closed(date("2024-11-30")).unwrap();
        assert_eq!((month.label.as_str(), month.period), ("2024-10", period("2024-10-01", "2024-10-31")));
        let month = Granularity::Month.last_closed(date("2024-03-01")).unwrap();
        assert_eq!((month.label.as_str(), month.period), ("2024-02", period("2024-02-01", "2024-02-29")));
        let quarter = Granularity::Quarter.last_closed(date("2025-01-15")).unwrap();
        assert_eq!((quarter.label.as_str(), quarter.period), ("2024-T4", period("2024-10-01", "2024-12-31")));
        assert!(Granularity::Month.last_closed(NaiveDate::MIN).is_none());
        assert!(Granularity::Month.last_closed(date("0001-01-15")).is_none(), "no year 0 in a database");
    }

    fn period(from: &str, to: &str) -> Period {
        Period::new(date(from), date(to)).unwrap()
    }

    #[test]
    fn ratios_over_nothing_have_no_value() {
        let kpis = Sums::default().kpis();
        assert_eq!((kpis.nombre_devis, kpis.ca_prevu), (0, Decimal::ZERO));
        assert_eq!((kpis.taux_conversion, kpis.marge_prevue_moyenne, kpis.marge_reelle_moyenne), (None, None, None));
        // A planned cost that cannot be defined (a −100 % margin on cost) leaves the real margin undefined.
        let undefined = Sums { invoiced_ht: d("10"), planned_cost: d("5"), undefined_costs: 1, ..Sums::default() };
        assert_eq!(undefined.kpis().marge_reelle_moyenne, None);
    }

    #[test]
    fn buckets_are_built_from_monthly_sums_with_empty_ones_kept() {
        let sums =
            |ca_prevu: &str| Sums { nombre_devis: 1, issued_ht: d(ca_prevu), ca_prevu: d(ca_prevu), ..Sums::default() };
        let months = BTreeMap::from([((2024, 3), sums("100")), ((2024, 4), sums("50")), ((2025, 1), sums("7"))]);
        let report =
            Report::from_months(&months, period("2023-06-15", "2025-12-31"), Some(Granularity::Year), Vec::new());
        let rows: Vec<(&str, u64, Decimal)> = report
            .buckets
            .iter()
            .map(|(bucket, kpis)| (bucket.label.as_str(), kpis.nombre_devis, kpis.ca_prevu))
            .collect();
        assert_eq!(rows, [("2023", 0, d("0")), ("2024", 2, d("150")), ("2025", 1, d("7"))]);
        assert_eq!((report.total.nombre_devis, report.total.ca_prevu), (3, d("157")));
        assert_eq!(report.buckets[0].1.marge_prevue_moyenne, None);
        // A period ending mid-year stops its last bucket there.
        let clipped =
            Report::from_months(&months, period("2024-04-01", "2024-12-31"), Some(Granularity::Quarter), Vec::new());
        assert_eq!(clipped.buckets[0].1.ca_prevu, d("50"));
    }

    #[test]
    fn buckets_at_month_edges() {
        let buckets = period("2024-01-31", "2024-03-01").buckets(Granularity::Month);
        let ranges: Vec<(&str, Period)> = buckets.iter().map(|bucket| (bucket.label.as_str(), bucket.period)).collect();
        assert_eq!(
            ranges,
            [
                ("2024-01", period("2024-01-31", "2024-01-31")),
                ("2024-02", period("2024-02-01", "2024-02-29")),
                ("2024-03", period("2024-03-01", "2024-03-01")),
            ]
        );
        let quarters = period("2023-11-30", "2024-12-31").buckets(Granularity::Quarter);
        let labels: Vec<&str> = quarters.iter().map(|bucket| bucket.label.as_str()).collect();
        assert_eq!(labels, ["2023-T4", "2024-T1", "2024-T2", "2024-T3", "2024-T4"]);
        assert_eq!(quarters[2].period, period("2024-04-01", "2024-06-30"));
        assert_eq!(
            period("2024-06-30", "2024-06-30").buckets(Granularity::Year)[0].period,
            period("2024-06-30", "2024-06-30")
        );
    }

    #[test]
    fn period_must_not_end_before_it_starts() {
        let error = Period::new(date("2024-02-01"), date("2024-01-31")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "période invalide : la date de début (01/02/2024) est postérieure à la date de fin (31/01/2024)"
        );
        assert!(period("2024-01-31", "2024-01-31").contains(date("2024-01-31")));
    }
}
