//! The KPIs of `analytics` (DESIGN §5.1): the reference implementation over rows in memory.
//!
//! At scale the product computes these figures in SQL; this version serves small inputs, tests, and
//! cross-checks, so it follows the definitions as literally as possible rather than quickly.

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::factures::{self, Selection, Totals};
use super::numbers::{percent, ratio, round_money, round_rate};
use crate::model::{Devis, Facture, MargeBase, StatutReglement};

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

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, InvalidPeriod> {
        if from > to {
            return Err(InvalidPeriod { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// The calendar buckets covering the period, in order, the first and last clipped to it (a period
    /// starting on 15 March has a first month of 15–31 March).
    pub fn buckets(&self, granularity: Granularity) -> Vec<Bucket> {
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

impl Kpis {
    /// Display values: amounts to the cent, rates to two decimals.
    #[must_use]
    pub fn rounded(&self) -> Self {
        Kpis {
            nombre_devis: self.nombre_devis,
            nombre_factures: self.nombre_factures,
            ca_prevu: round_money(self.ca_prevu),
            ca_facture: round_money(self.ca_facture),
            ca_realise: round_money(self.ca_realise),
            taux_conversion: self.taux_conversion.map(round_rate),
            taux_conversion_nombre: self.taux_conversion_nombre.map(round_rate),
            marge_prevue_moyenne: self.marge_prevue_moyenne.map(round_rate),
            marge_reelle_moyenne: self.marge_reelle_moyenne.map(round_rate),
            ecart_marge: self.ecart_marge.map(round_rate),
        }
    }
}

/// The KPIs of one bucket of the evolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketKpis {
    pub bucket: Bucket,
    pub kpis: Kpis,
}

/// The KPIs of `period`.
///
/// `devis` may hold devis outside the period (they are ignored). `factures` must hold every invoice
/// dated in the period and every invoice of the devis created in it, whatever its date; other invoices
/// are harmless. Invoices match devis on `NUMERO_DEVIS`, exactly.
pub fn kpis(devis: &[Devis], factures: &[Facture], period: Period, marge_base: MargeBase) -> Kpis {
    compute(devis, factures, &InvoicedByDevis::new(factures), period, marge_base)
}

/// The same KPIs for every calendar bucket of `period`, empty buckets included.
pub fn evolution(
    devis: &[Devis],
    factures: &[Facture],
    period: Period,
    granularity: Granularity,
    marge_base: MargeBase,
) -> Vec<BucketKpis> {
    let invoiced = InvoicedByDevis::new(factures);
    period
        .buckets(granularity)
        .into_iter()
        .map(|bucket| {
            let kpis = compute(devis, factures, &invoiced, bucket.period, marge_base);
            BucketKpis { bucket, kpis }
        })
        .collect()
}

/// Facturation en cours at date `au`: count, Σ HT, Σ reste dû of the open invoices, and
/// `Totals::retard_moyen`.
pub fn facturation_en_cours<'a>(factures: impl IntoIterator<Item = &'a Facture>, au: NaiveDate) -> Totals {
    factures::totals(factures, au, Selection::Open)
}

/// `cout_prevu` of a devis; `None` when the rate makes it undefined (a −100 % margin on cost).
pub fn cout_prevu(devis: &Devis, marge_base: MargeBase) -> Option<Decimal> {
    let rate = devis.taux_marge / Decimal::ONE_HUNDRED;
    match marge_base {
        MargeBase::Cout => ratio(devis.montant_ht, Decimal::ONE + rate),
        MargeBase::Vente => Some(devis.montant_ht * (Decimal::ONE - rate)),
    }
}

/// Σ HT of all invoices per devis number; a devis is present when it has at least one invoice.
struct InvoicedByDevis<'a>(HashMap<&'a str, Decimal>);

impl<'a> InvoicedByDevis<'a> {
    fn new(factures: &'a [Facture]) -> Self {
        let mut invoiced = HashMap::new();
        for facture in factures {
            if let Some(numero) = &facture.numero_devis {
                *invoiced.entry(numero.as_str()).or_default() += facture.montant_ht;
            }
        }
        InvoicedByDevis(invoiced)
    }

    fn of(&self, devis: &Devis) -> Option<Decimal> {
        self.0.get(devis.numero.as_str()).copied()
    }
}

fn compute(
    devis: &[Devis],
    factures: &[Facture],
    invoiced: &InvoicedByDevis<'_>,
    period: Period,
    marge_base: MargeBase,
) -> Kpis {
    let mut kpis = Kpis::default();

    let mut issued_ht = Decimal::ZERO;
    let mut converted_ht = Decimal::ZERO;
    let mut converted_count = 0_u64;
    let mut weighted_marge = Decimal::ZERO;
    let mut invoiced_ht = Decimal::ZERO;
    let mut planned_cost = Some(Decimal::ZERO);
    for devis in devis.iter().filter(|devis| period.contains(devis.date_creation.date())) {
        let invoiced = invoiced.of(devis);
        if devis.statut.is_issued() {
            kpis.nombre_devis += 1;
            issued_ht += devis.montant_ht;
            if invoiced.is_some() {
                converted_count += 1;
                converted_ht += devis.montant_ht;
            }
        }
        if devis.statut.is_committed() {
            kpis.ca_prevu += devis.montant_ht;
            weighted_marge += devis.taux_marge * devis.montant_ht;
            if let Some(invoiced) = invoiced {
                invoiced_ht += invoiced;
                planned_cost = planned_cost.zip(cout_prevu(devis, marge_base)).map(|(sum, cost)| sum + cost);
            }
        }
    }

    for facture in factures.iter().filter(|facture| period.contains(facture.date_facture)) {
        kpis.nombre_factures += 1;
        kpis.ca_facture += facture.montant_ht;
        if facture.statut_reglement == StatutReglement::Regle {
            kpis.ca_realise += facture.montant_ht;
        }
    }

    kpis.taux_conversion = percent(converted_ht, issued_ht);
    kpis.taux_conversion_nombre = percent(Decimal::from(converted_count), Decimal::from(kpis.nombre_devis));
    kpis.marge_prevue_moyenne = ratio(weighted_marge, kpis.ca_prevu);
    kpis.marge_reelle_moyenne = planned_cost.and_then(|cost| percent(invoiced_ht - cost, cost));
    kpis.ecart_marge = kpis.marge_reelle_moyenne.zip(kpis.marge_prevue_moyenne).map(|(reelle, prevue)| reelle - prevue);
    kpis
}
