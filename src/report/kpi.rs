//! The KPIs of `analytics` (DESIGN §5.1).
//!
//! The product aggregates in SQL, per month, into [`Sums`]: every KPI is a ratio of sums that add up
//! across months, so buckets and the whole period are built from the monthly sums, and
//! [`Sums::kpis`] holds the formulas once. The row-based [`kpis`] and [`evolution`] follow the
//! definitions literally over rows in memory: they are the tests' oracle for those formulas.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::numbers::{percent, ratio, round_days};
#[cfg(test)]
use super::numbers::{round_money, round_rate};
use crate::model::Ouvrage;
#[cfg(test)]
use crate::model::{Devis, MargeBase};

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
    #[cfg(test)]
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

#[cfg(test)]
/// The KPIs of one bucket of the evolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketKpis {
    pub bucket: Bucket,
    pub kpis: Kpis,
}

/// Invoicing in progress at a report date, as SQL aggregates it: open invoices (unpaid or partly
/// paid) issued on or before that date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnCours {
    pub nombre: u64,
    pub montant_ht: Decimal,
    pub reste_du: Decimal,
    pub nombre_en_retard: u64,
    pub reste_du_en_retard: Decimal,
    /// Σ days past due over the late invoices.
    pub jours_retard: u64,
}

impl EnCours {
    /// Mean days past due over the late invoices, to one decimal; `None` when none is late.
    pub fn retard_moyen(&self) -> Option<Decimal> {
        ratio(Decimal::from(self.jours_retard), Decimal::from(self.nombre_en_retard)).map(round_days)
    }
}

#[cfg(test)]
/// `cout_prevu` of a devis; `None` when the rate makes it undefined (a −100 % margin on cost).
pub fn cout_prevu(devis: &Devis, marge_base: MargeBase) -> Option<Decimal> {
    let rate = devis.taux_marge.unwrap_or_default() / Decimal::ONE_HUNDRED;
    match marge_base {
        MargeBase::Cout => ratio(devis.montant_ht, Decimal::ONE + rate),
        MargeBase::Vente => Some(devis.montant_ht * (Decimal::ONE - rate)),
    }
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

/// The definitions over rows in memory: the tests' oracle for [`Sums::kpis`].
#[cfg(test)]
mod oracle {
    use std::collections::HashMap;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::{BucketKpis, Granularity, Kpis, Period, Sums, cout_prevu};
    use crate::model::{Devis, Facture, MargeBase, Statut, StatutReglement};
    use crate::report::factures::{self, Selection, Totals};

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
        let mut sums = Sums::default();
        for devis in devis.iter().filter(|devis| period.contains(devis.date_creation.date())) {
            let invoiced = invoiced.of(devis);
            if devis.statut.statut().is_some_and(Statut::is_issued) {
                sums.nombre_devis += 1;
                sums.issued_ht += devis.montant_ht;
                if invoiced.is_some() {
                    sums.converted_count += 1;
                    sums.converted_ht += devis.montant_ht;
                }
            }
            if devis.statut.statut().is_some_and(Statut::is_committed) {
                sums.ca_prevu += devis.montant_ht;
                sums.weighted_marge += devis.taux_marge.unwrap_or_default() * devis.montant_ht;
                if let Some(invoiced) = invoiced {
                    sums.invoiced_ht += invoiced;
                    match cout_prevu(devis, marge_base) {
                        Some(cost) => sums.planned_cost += cost,
                        None => sums.undefined_costs += 1,
                    }
                }
            }
        }
        for facture in factures.iter().filter(|facture| period.contains(facture.date_facture)) {
            sums.nombre_factures += 1;
            sums.ca_facture += facture.montant_ht;
            if facture.statut_reglement == StatutReglement::Regle {
                sums.ca_realise += facture.montant_ht;
            }
        }
        sums.kpis()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::oracle::{evolution, facturation_en_cours, kpis};
    use super::*;
    use crate::model::{EtatDevis, Statut};
    use crate::model::{Facture, StatutReglement};

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn period(from: &str, to: &str) -> Period {
        Period::new(date(from), date(to)).unwrap()
    }

    fn devis(numero: &str, created: &str, statut: Statut, ht: &str, taux_marge: &str) -> Devis {
        Devis {
            numero: numero.to_owned(),
            reference_affaire: None,
            client_code: Some("C1".to_owned()),
            client_nom: Some("Client C1".to_owned()),
            montant_ht: d(ht),
            montant_ttc: Some(d(ht) * d("1.2")),
            taux_marge: Some(d(taux_marge)),
            date_creation: NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S").unwrap(),
            date_validation: None,
            statut: EtatDevis::Lu(statut),
            responsable: None,
        }
    }

    /// TTC = HT × 1.2, due 30 days after the invoice date, nothing paid recorded (NULL).
    fn facture(numero: &str, devis: Option<&str>, dated: &str, ht: &str, statut_reglement: StatutReglement) -> Facture {
        Facture {
            numero: numero.to_owned(),
            numero_devis: devis.map(str::to_owned),
            client_code: "C1".to_owned(),
            client_nom: "Client C1".to_owned(),
            montant_ht: d(ht),
            montant_ttc: d(ht) * d("1.2"),
            date_facture: date(dated),
            date_echeance: date(dated) + chrono::Days::new(30),
            statut_reglement,
            montant_regle: None,
        }
    }

    /// P = 15/01/2024 – 31/03/2024 (starts mid-month).
    fn devis_rows() -> Vec<Devis> {
        use Statut::{Accepte, Brouillon, Envoye, Refuse, Valide};
        vec![
            // First instant of P. Cost 10000 / 1.25 = 8000 (on cost) or 10000 × 0.75 = 7500 (on price).
            devis("D1", "2024-01-15 00:00:00", Accepte, "10000.00", "25"),
            // Last minute before P.
            devis("D2", "2024-01-14 23:59:59", Valide, "99999.00", "50"),
            // Cost 4000 / 1.6 = 2500 or 4000 × 0.4 = 1600.
            devis("D3", "2024-02-01 00:00:00", Valide, "4000.00", "60"),
            devis("D4", "2024-02-15 10:30:00", Envoye, "2000.00", "30"),
            // Last instant of P.
            devis("D5", "2024-03-31 23:59:59", Refuse, "1000.00", "20"),
            devis("D6", "2024-03-10 09:00:00", Brouillon, "5000.00", "10"),
            devis("D7", "2024-03-20 14:00:00", Accepte, "3000.00", "20"),
        ]
    }

    fn facture_rows() -> Vec<Facture> {
        use StatutReglement::{NonRegle, PartiellementRegle, Regle};
        vec![
            // D1 is invoiced 3000 + 5000 + 2500 − 500 = 10000 in all, one invoice after P.
            facture("FD1a", Some("D1"), "2024-01-20", "3000.00", Regle),
            facture("FD1b", Some("D1"), "2024-02-29", "5000.00", NonRegle),
            facture("FD1c", Some("D1"), "2024-04-10", "2500.00", Regle),
            facture("AV1", Some("D1"), "2024-03-31", "-500.00", Regle),
            // Devis outside P, invoice inside.
            facture("FD2", Some("D2"), "2024-01-20", "1000.00", Regle),
            facture("FD3", Some("D3"), "2024-02-10", "3000.00", PartiellementRegle),
            facture("FD4", Some("D4"), "2024-03-01", "2000.00", NonRegle),
            // Without devis: inside P, after P, the day before P.
            facture("FX", None, "2024-03-15", "700.00", Regle),
            facture("FY", None, "2024-04-01", "100.00", NonRegle),
            facture("FZ", None, "2024-01-14", "50.00", Regle),
        ]
    }

    #[test]
    fn kpis_of_a_period_follow_the_definitions() {
        let kpis = kpis(&devis_rows(), &facture_rows(), period("2024-01-15", "2024-03-31"), MargeBase::Cout);

        // Issued in P: D1, D3, D4, D5, D7 (D2 before P, D6 a draft).
        assert_eq!(kpis.nombre_devis, 5);
        // FD1a, FD1b, AV1, FD2, FD3, FD4, FX.
        assert_eq!(kpis.nombre_factures, 7);
        // Committed in P: D1 + D3 + D7, each once.
        assert_eq!(kpis.ca_prevu, d("17000.00"));
        // 3000 + 5000 − 500 + 1000 + 3000 + 2000 + 700
        assert_eq!(kpis.ca_facture, d("14200.00"));
        // Settled, dated in P: 3000 − 500 + 1000 + 700
        assert_eq!(kpis.ca_realise, d("4200.00"));
        // Invoiced issued devis D1 + D3 + D4 = 16000 over 10000 + 4000 + 2000 + 1000 + 3000 = 20000.
        assert_eq!(kpis.taux_conversion, Some(d("80")));
        // 3 of 5.
        assert_eq!(kpis.taux_conversion_nombre, Some(d("60")));
        // (25 × 10000 + 60 × 4000 + 20 × 3000) / 17000 = 550000 / 17000 = 32.3529411…
        assert_eq!(kpis.marge_prevue_moyenne, Some(d("550000") / d("17000")));
        // Committed with an invoice: D1 and D3. Invoiced 10000 + 3000 = 13000, cost 8000 + 2500 = 10500:
        // 100 × 2500 / 10500 = 23.8095238…
        assert_eq!(kpis.marge_reelle_moyenne, Some(d("250000") / d("10500")));
        assert_eq!(
            kpis.rounded(),
            Kpis {
                nombre_devis: 5,
                nombre_factures: 7,
                ca_prevu: d("17000.00"),
                ca_facture: d("14200.00"),
                ca_realise: d("4200.00"),
                taux_conversion: Some(d("80.00")),
                taux_conversion_nombre: Some(d("60.00")),
                marge_prevue_moyenne: Some(d("32.35")),
                marge_reelle_moyenne: Some(d("23.81")),
                // 23.8095238 − 32.3529412 = −8.5434174
                ecart_marge: Some(d("-8.54")),
            }
        );
    }

    #[test]
    fn margin_on_sale_price() {
        let kpis = kpis(&devis_rows(), &facture_rows(), period("2024-01-15", "2024-03-31"), MargeBase::Vente);
        // Cost 7500 + 1600 = 9100: 100 × (13000 − 9100) / 9100 = 42.8571428…; 42.8571429 − 32.3529412 = 10.5042017.
        assert_eq!(kpis.marge_reelle_moyenne, Some(d("390000") / d("9100")));
        assert_eq!(kpis.rounded().marge_reelle_moyenne, Some(d("42.86")));
        assert_eq!(kpis.rounded().ecart_marge, Some(d("10.50")));
        // Planned margin does not depend on the base.
        assert_eq!(kpis.rounded().marge_prevue_moyenne, Some(d("32.35")));
    }

    #[test]
    fn planned_cost_by_base() {
        let devis = devis("D", "2024-01-01 00:00:00", Statut::Valide, "1200.00", "20");
        // 1200 / 1.2 = 1000; 1200 × 0.8 = 960.
        assert_eq!(cout_prevu(&devis, MargeBase::Cout), Some(d("1000")));
        assert_eq!(cout_prevu(&devis, MargeBase::Vente), Some(d("960")));
        let absurd = Devis { taux_marge: Some(d("-100")), ..devis };
        assert_eq!(cout_prevu(&absurd, MargeBase::Cout), None);
        // An undefined cost leaves the real margin undefined instead of failing.
        let facture = facture("F", Some("D"), "2024-01-02", "100.00", StatutReglement::Regle);
        let kpis = kpis(&[absurd], &[facture], period("2024-01-01", "2024-01-31"), MargeBase::Cout);
        assert_eq!(kpis.marge_reelle_moyenne, None);
        assert_eq!(kpis.ecart_marge, None);
        assert_eq!(kpis.marge_prevue_moyenne, Some(d("-100")));
    }

    #[test]
    fn empty_period_has_zeros_and_no_ratios() {
        let kpis = kpis(&devis_rows(), &facture_rows(), period("2025-01-01", "2025-01-31"), MargeBase::Cout);
        assert_eq!(kpis, Kpis::default());
        assert_eq!(kpis.taux_conversion, None);
        assert_eq!(kpis.marge_reelle_moyenne, None);
    }

    #[test]
    fn monthly_evolution_clips_the_first_month() {
        let evolution = evolution(
            &devis_rows(),
            &facture_rows(),
            period("2024-01-15", "2024-03-31"),
            Granularity::Month,
            MargeBase::Cout,
        );
        let buckets: Vec<(&str, NaiveDate, NaiveDate)> = evolution
            .iter()
            .map(|row| (row.bucket.label.as_str(), row.bucket.period.from(), row.bucket.period.to()))
            .collect();
        assert_eq!(
            buckets,
            [
                ("2024-01", date("2024-01-15"), date("2024-01-31")),
                ("2024-02", date("2024-02-01"), date("2024-02-29")),
                ("2024-03", date("2024-03-01"), date("2024-03-31")),
            ]
        );
        let rows: Vec<Kpis> = evolution.iter().map(|row| row.kpis.rounded()).collect();
        assert_eq!(
            rows,
            [
                // D1; FD1a + FD2. Real margin: all of D1's invoices (10000) over cost 8000 → 25.
                Kpis {
                    nombre_devis: 1,
                    nombre_factures: 2,
                    ca_prevu: d("10000.00"),
                    ca_facture: d("4000.00"),
                    ca_realise: d("4000.00"),
                    taux_conversion: Some(d("100")),
                    taux_conversion_nombre: Some(d("100")),
                    marge_prevue_moyenne: Some(d("25")),
                    marge_reelle_moyenne: Some(d("25")),
                    ecart_marge: Some(d("0")),
                },
                // D3 (committed) and D4 (issued), both invoiced; FD1b + FD3, none settled.
                // Real margin 100 × (3000 − 2500) / 2500 = 20; 20 − 60 = −40.
                Kpis {
                    nombre_devis: 2,
                    nombre_factures: 2,
                    ca_prevu: d("4000.00"),
                    ca_facture: d("8000.00"),
                    ca_realise: d("0"),
                    taux_conversion: Some(d("100")),
                    taux_conversion_nombre: Some(d("100")),
                    marge_prevue_moyenne: Some(d("60")),
                    marge_reelle_moyenne: Some(d("20")),
                    ecart_marge: Some(d("-40")),
                },
                // D5 (refused) and D7 (accepted), neither invoiced; D6 a draft. AV1 + FD4 + FX:
                // −500 + 2000 + 700 invoiced, −500 + 700 settled. No committed devis invoiced: no real margin.
                Kpis {
                    nombre_devis: 2,
                    nombre_factures: 3,
                    ca_prevu: d("3000.00"),
                    ca_facture: d("2200.00"),
                    ca_realise: d("200.00"),
                    taux_conversion: Some(d("0")),
                    taux_conversion_nombre: Some(d("0")),
                    marge_prevue_moyenne: Some(d("20")),
                    marge_reelle_moyenne: None,
                    ecart_marge: None,
                },
            ]
        );
        // The buckets add up to the period's counts and sums.
        let total = kpis(&devis_rows(), &facture_rows(), period("2024-01-15", "2024-03-31"), MargeBase::Cout);
        assert_eq!(evolution.iter().map(|row| row.kpis.nombre_factures).sum::<u64>(), total.nombre_factures);
        assert_eq!(evolution.iter().map(|row| row.kpis.ca_facture).sum::<Decimal>(), total.ca_facture);
    }

    #[test]
    fn quarterly_evolution_across_a_quarter_boundary() {
        let evolution = evolution(
            &devis_rows(),
            &facture_rows(),
            period("2024-03-15", "2024-04-10"),
            Granularity::Quarter,
            MargeBase::Cout,
        );
        let labels: Vec<(&str, NaiveDate, NaiveDate)> = evolution
            .iter()
            .map(|row| (row.bucket.label.as_str(), row.bucket.period.from(), row.bucket.period.to()))
            .collect();
        assert_eq!(
            labels,
            [("2024-T1", date("2024-03-15"), date("2024-03-31")), ("2024-T2", date("2024-04-01"), date("2024-04-10"))]
        );
        // T1 part: D5 and D7 issued; AV1 and FX (FD4 of 01/03 is before the period).
        let t1 = evolution[0].kpis;
        assert_eq!((t1.nombre_devis, t1.nombre_factures, t1.ca_facture), (2, 2, d("200.00")));
        // T2 part: FD1c (2500, settled, on its last day) and FY (100, open, on its first day).
        let t2 = evolution[1].kpis;
        assert_eq!(
            (t2.nombre_devis, t2.nombre_factures, t2.ca_facture, t2.ca_realise),
            (0, 2, d("2600.00"), d("2500.00"))
        );
        assert_eq!((t2.taux_conversion, t2.marge_prevue_moyenne), (None, None));
    }

    #[test]
    fn yearly_evolution_keeps_empty_buckets() {
        let evolution = evolution(
            &devis_rows(),
            &facture_rows(),
            period("2023-12-01", "2024-01-20"),
            Granularity::Year,
            MargeBase::Cout,
        );
        assert_eq!(evolution.len(), 2);
        assert_eq!(evolution[0].bucket.label, "2023");
        assert_eq!(evolution[0].bucket.period, period("2023-12-01", "2023-12-31"));
        assert_eq!(evolution[0].kpis, Kpis::default());
        assert_eq!(evolution[1].bucket.to_string(), "2024");
        // D2 (14/01) and D1 (15/01); FZ, FD1a, FD2.
        let kpis = evolution[1].kpis;
        assert_eq!((kpis.nombre_devis, kpis.nombre_factures, kpis.ca_prevu), (2, 3, d("109999.00")));
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

    #[test]
    fn facturation_en_cours_at_a_date() {
        // On 30/04/2024 the open invoices are FD1b (due 30/03: 31 days late, TTC 6000), FD3 (due 11/03:
        // 50 days, TTC 3600, partly paid but NULL recorded), FD4 (due 31/03: 30 days, TTC 2400) and FY
        // (due 01/05: not due, TTC 120).
        let factures = facture_rows();
        let en_cours = facturation_en_cours(&factures, date("2024-04-30"));
        assert_eq!(en_cours.nombre, 4);
        // 5000 + 3000 + 2000 + 100
        assert_eq!(en_cours.montant_ht, d("10100.00"));
        // 6000 + 3600 + 2400 + 120
        assert_eq!(en_cours.reste_du, d("12120.00"));
        // (31 + 50 + 30) / 3 = 37
        assert_eq!(en_cours.retard_moyen(), Some(d("37.0")));
    }
}
