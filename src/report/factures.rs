//! Open invoices at a report date: reste dû, days late, ageing buckets and totals (DESIGN §5.3).
//!
//! Credit notes (avoirs, negative amounts) are money owed to the customer, not a late payment: they
//! are never late, kept out of the invoices' sums, late totals and ageing buckets, counted apart
//! ("avoirs non imputés") and netted only in a balance ([`Totals::solde`]).
//! Amounts are sums of the stored two-decimal values, hence exact to the cent.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::numbers::{percent, ratio, round_days};
use crate::model::{Facture, StatutReglement};

/// Ageing bucket of a reste dû, by days late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeingBucket {
    /// Not yet due, or due on the report date (0 days late).
    NonEchu,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

impl AgeingBucket {
    pub const ALL: [AgeingBucket; 5] = [
        AgeingBucket::NonEchu,
        AgeingBucket::Days1To30,
        AgeingBucket::Days31To60,
        AgeingBucket::Days61To90,
        AgeingBucket::Over90,
    ];

    pub fn of(jours_retard: u32) -> Self {
        match jours_retard {
            0 => AgeingBucket::NonEchu,
            1..=30 => AgeingBucket::Days1To30,
            31..=60 => AgeingBucket::Days31To60,
            61..=90 => AgeingBucket::Days61To90,
            _ => AgeingBucket::Over90,
        }
    }

    /// The stable name used in CSV headers and JSON keys.
    pub fn label(self) -> &'static str {
        match self {
            AgeingBucket::NonEchu => "non_echu",
            AgeingBucket::Days1To30 => "1-30",
            AgeingBucket::Days31To60 => "31-60",
            AgeingBucket::Days61To90 => "61-90",
            AgeingBucket::Over90 => "90+",
        }
    }

    /// The French words a reader sees.
    pub fn libelle(self) -> &'static str {
        match self {
            AgeingBucket::NonEchu => "non échu",
            AgeingBucket::Days1To30 => "1 à 30 jours",
            AgeingBucket::Days31To60 => "31 à 60 jours",
            AgeingBucket::Days61To90 => "61 à 90 jours",
            AgeingBucket::Over90 => "plus de 90 jours",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// An open invoice (NON_REGLE or PARTIELLEMENT_REGLE) seen at a report date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFacture<'a> {
    pub facture: &'a Facture,
    /// `MONTANT_TTC − ISNULL(MONTANT_REGLE, 0)`.
    pub reste_du: Decimal,
    /// `max(0, report date − DATE_ECHEANCE)` in days; 0 for a credit note, never late.
    pub jours_retard: u32,
}

impl<'a> OpenFacture<'a> {
    /// `None` for a settled invoice (REGLE).
    pub fn new(facture: &'a Facture, au: NaiveDate) -> Option<Self> {
        if !facture.statut_reglement.is_open() {
            return None;
        }
        let reste_du = facture.montant_ttc - facture.montant_regle.unwrap_or_default();
        let owed_to_customer = facture.is_avoir() || reste_du.is_sign_negative() && !reste_du.is_zero();
        let days = if owed_to_customer { 0 } else { (au - facture.date_echeance).num_days().max(0) };
        Some(OpenFacture { facture, reste_du, jours_retard: u32::try_from(days).unwrap_or(u32::MAX) })
    }

    pub fn is_late(&self) -> bool {
        self.jours_retard > 0
    }

    pub fn bucket(&self) -> AgeingBucket {
        AgeingBucket::of(self.jours_retard)
    }

    pub fn is_avoir(&self) -> bool {
        self.facture.is_avoir()
    }

    /// An invoice paid beyond its TTC: its negative reste dû is owed to the customer.
    pub fn is_overpaid(&self) -> bool {
        !self.is_avoir() && self.reste_du.is_sign_negative() && !self.reste_du.is_zero()
    }

    /// Money owed to the customer — a credit note, or an overpaid invoice — rather than by them:
    /// never late, never reminded nor alerted, kept apart from the invoices' sums.
    pub fn owed_to_customer(&self) -> bool {
        self.is_avoir() || self.is_overpaid()
    }

    /// The ageing a reader sees: the bucket's name, `avoir` for a credit note, `trop_percu` for an
    /// overpaid invoice.
    pub fn anciennete(&self) -> &'static str {
        if self.is_avoir() {
            AVOIR
        } else if self.is_overpaid() {
            TROP_PERCU
        } else {
            self.bucket().label()
        }
    }
}

/// The ageing name of a credit note, apart from the buckets.
pub const AVOIR: &str = "avoir";
/// The ageing name of an overpaid invoice, with the credit notes.
pub const TROP_PERCU: &str = "trop_percu";

/// Which open invoices a report covers. Every total of the report is over the selected invoices only:
/// with `Late`, "total reste dû" means the total of the late ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    /// Every open invoice.
    #[default]
    Open,
    /// Open invoices at least one day past due (`--en-retard`).
    Late,
}

impl Selection {
    pub fn includes(self, facture: &OpenFacture<'_>) -> bool {
        match self {
            Selection::Open => true,
            Selection::Late => facture.is_late(),
        }
    }
}

/// Reste dû per ageing bucket; the buckets add up to the total reste dû.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ageing {
    amounts: [Decimal; 5],
}

impl Ageing {
    pub fn amount(&self, bucket: AgeingBucket) -> Decimal {
        self.amounts[bucket.index()]
    }

    /// Buckets in order, `non_echu` first.
    pub fn iter(&self) -> impl Iterator<Item = (AgeingBucket, Decimal)> + '_ {
        AgeingBucket::ALL.into_iter().map(|bucket| (bucket, self.amount(bucket)))
    }

    #[cfg(test)]
    pub fn total(&self) -> Decimal {
        self.amounts.iter().sum()
    }

    fn add(&mut self, bucket: AgeingBucket, amount: Decimal) {
        self.amounts[bucket.index()] += amount;
    }
}

/// Totals over a set of open invoices, built with `add` (so that rows can stream past). The
/// invoice sums leave credit notes out: they are counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Invoices, credit notes excluded.
    pub nombre: u64,
    pub montant_ht: Decimal,
    pub reste_du: Decimal,
    /// What is owed to customers: open credit notes ("avoirs non imputés") and overpaid invoices
    /// ("trop-perçus"): their count, and Σ reste dû (negative). Σ HT of the credit notes alone.
    pub nombre_avoirs: u64,
    pub avoirs_ht: Decimal,
    pub avoirs: Decimal,
    /// Among them, the overpaid invoices.
    pub nombre_trop_percus: u64,
    /// Late invoices: `jours_retard > 0`.
    pub nombre_en_retard: u64,
    pub reste_du_en_retard: Decimal,
    pub ageing: Ageing,
    jours_retard_total: u64,
}

impl Totals {
    pub fn add(&mut self, facture: &OpenFacture<'_>) {
        if facture.owed_to_customer() {
            self.nombre_avoirs += 1;
            if facture.is_overpaid() {
                self.nombre_trop_percus += 1;
            } else {
                self.avoirs_ht += facture.facture.montant_ht;
            }
            self.avoirs += facture.reste_du;
            return;
        }
        self.nombre += 1;
        self.montant_ht += facture.facture.montant_ht;
        self.reste_du += facture.reste_du;
        self.ageing.add(facture.bucket(), facture.reste_du);
        if facture.is_late() {
            self.nombre_en_retard += 1;
            self.reste_du_en_retard += facture.reste_du;
            self.jours_retard_total += u64::from(facture.jours_retard);
        }
    }

    /// The balance: what is due on the invoices less the open credit notes.
    pub fn solde(&self) -> Decimal {
        self.reste_du + self.avoirs
    }

    /// `amount`'s share of the reste dû, in percent; `None` when nothing is due.
    pub fn part(&self, amount: Decimal) -> Option<Decimal> {
        percent(amount, self.reste_du)
    }

    /// Mean days late over the late invoices, to one decimal (half away from zero); `None` when none is late.
    pub fn retard_moyen(&self) -> Option<Decimal> {
        ratio(Decimal::from(self.jours_retard_total), Decimal::from(self.nombre_en_retard)).map(round_days)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusTotals {
    pub statut: StatutReglement,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTotals {
    pub client_code: String,
    /// The name on the client's first selected invoice.
    pub client_nom: String,
    pub totals: Totals,
}

/// The totals of a `factures` report: overall, by status, by client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub totals: Totals,
    /// Both open statuses, NON_REGLE then PARTIELLEMENT_REGLE, even when empty.
    pub par_statut: Vec<StatusTotals>,
    /// By reste dû, largest first; ties by client code.
    pub par_client: Vec<ClientTotals>,
}

/// Builds a [`Summary`] one invoice at a time, so the invoices themselves can stream past.
#[derive(Debug, Clone, Default)]
pub struct SummaryBuilder {
    totals: Totals,
    non_regle: Totals,
    partiellement_regle: Totals,
    par_client: BTreeMap<String, ClientTotals>,
}

impl SummaryBuilder {
    pub fn add(&mut self, facture: &OpenFacture<'_>) {
        self.totals.add(facture);
        match facture.facture.statut_reglement {
            StatutReglement::NonRegle => self.non_regle.add(facture),
            StatutReglement::PartiellementRegle => self.partiellement_regle.add(facture),
            StatutReglement::Regle => {}
        }
        let invoice = facture.facture;
        if let Some(client) = self.par_client.get_mut(&invoice.client_code) {
            client.totals.add(facture);
        } else {
            let mut totals = Totals::default();
            totals.add(facture);
            let client = ClientTotals {
                client_code: invoice.client_code.clone(),
                client_nom: invoice.client_nom.clone(),
                totals,
            };
            self.par_client.insert(invoice.client_code.clone(), client);
        }
    }

    pub fn finish(self) -> Summary {
        // The map yields clients by code; the stable sort keeps that order among equal amounts.
        let mut par_client: Vec<ClientTotals> = self.par_client.into_values().collect();
        par_client.sort_by_key(|client| Reverse(client.totals.reste_du));
        Summary {
            totals: self.totals,
            par_statut: vec![
                StatusTotals { statut: StatutReglement::NonRegle, totals: self.non_regle },
                StatusTotals { statut: StatutReglement::PartiellementRegle, totals: self.partiellement_regle },
            ],
            par_client,
        }
    }
}

#[cfg(test)]
/// Totals alone, for callers that need no detail (KPIs, dashboard).
pub fn totals<'a>(factures: impl IntoIterator<Item = &'a Facture>, au: NaiveDate, selection: Selection) -> Totals {
    let mut totals = Totals::default();
    for facture in select(factures, au, selection) {
        totals.add(&facture);
    }
    totals
}

#[cfg(test)]
/// The open invoices of `selection` at `au`, in input order.
pub fn select<'a>(
    factures: impl IntoIterator<Item = &'a Facture>,
    au: NaiveDate,
    selection: Selection,
) -> impl Iterator<Item = OpenFacture<'a>> {
    factures
        .into_iter()
        .filter_map(move |facture| OpenFacture::new(facture, au))
        .filter(move |facture| selection.includes(facture))
}

/// Invoices for the unit tests of the rules built on open invoices (`tresorerie`, `relances`).
#[cfg(test)]
pub mod fixtures {
    use chrono::NaiveDate;

    use crate::model::{Facture, StatutReglement};

    /// An open invoice of `client` for `ttc` (HT the same), partly paid when `regle` is given,
    /// issued 1 January 2026 and due on `echeance`.
    pub fn ouverte(client: &str, ttc: &str, regle: Option<&str>, echeance: &str) -> Facture {
        let d = |text: &str| text.parse().expect("decimal");
        Facture {
            numero: format!("FA-{client}-{echeance}-{ttc}"),
            numero_devis: None,
            client_code: client.to_owned(),
            client_nom: format!("Client {client}"),
            montant_ht: d(ttc),
            montant_ttc: d(ttc),
            date_facture: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            date_echeance: echeance.parse().expect("date"),
            statut_reglement: if regle.is_some() {
                StatutReglement::PartiellementRegle
            } else {
                StatutReglement::NonRegle
            },
            montant_regle: regle.map(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The selected invoices by due date, and their summary, as the `factures` command shows them.
    struct Report<'a> {
        factures: Vec<OpenFacture<'a>>,
        totals: Totals,
        par_statut: Vec<StatusTotals>,
        par_client: Vec<ClientTotals>,
    }

    fn report<'a>(factures: &'a [Facture], au: NaiveDate, selection: Selection) -> Report<'a> {
        let mut selected: Vec<OpenFacture<'a>> = select(factures, au, selection).collect();
        selected.sort_by(|a, b| {
            (a.facture.date_echeance, &a.facture.numero).cmp(&(b.facture.date_echeance, &b.facture.numero))
        });
        let mut builder = SummaryBuilder::default();
        for facture in &selected {
            builder.add(facture);
        }
        let Summary { totals, par_statut, par_client } = builder.finish();
        Report { factures: selected, totals, par_statut, par_client }
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// An invoice: number, client code, status, HT, TTC, amount paid, due date.
    fn facture(
        numero: &str,
        client: &str,
        statut_reglement: StatutReglement,
        amounts: [&str; 2],
        montant_regle: Option<&str>,
        echeance: &str,
    ) -> Facture {
        let [ht, ttc] = amounts;
        Facture {
            numero: numero.to_owned(),
            numero_devis: None,
            client_code: client.to_owned(),
            client_nom: format!("Client {client}"),
            montant_ht: d(ht),
            montant_ttc: d(ttc),
            date_facture: date("2023-10-01"),
            date_echeance: date(echeance),
            statut_reglement,
            montant_regle: montant_regle.map(d),
        }
    }

    const AU: &str = "2024-03-31";

    /// Seen on 31/03/2024 (2024 is a leap year: February has 29 days).
    fn factures() -> Vec<Facture> {
        use StatutReglement::{NonRegle, PartiellementRegle, Regle};
        vec![
            // 0 days: not yet due / due today.
            facture("FA1", "C1", NonRegle, ["1000.00", "1200.00"], None, "2024-04-15"),
            facture("FA2", "C1", PartiellementRegle, ["500.00", "600.00"], Some("200.00"), "2024-03-31"),
            // 1 day (30/03 → 31/03) and 30 days (01/03 → 31/03).
            facture("FA3", "C2", NonRegle, ["300.00", "360.00"], Some("0"), "2024-03-30"),
            facture("FA4", "C2", NonRegle, ["200.00", "240.00"], None, "2024-03-01"),
            // 31 days (29/02 → 31/03) and 60 days (31/01 → 29/02 is 29, → 31/03 is 31 more).
            facture("FA5", "C3", PartiellementRegle, ["833.33", "1000.00"], Some("999.99"), "2024-02-29"),
            facture("FA6", "C3", NonRegle, ["100.00", "120.00"], None, "2024-01-31"),
            // 61 days (30/01) and 90 days (01/01 → 31/01 is 30, + 29 + 31).
            facture("FA7", "C1", NonRegle, ["400.00", "480.00"], None, "2024-01-30"),
            facture("FA8", "C2", NonRegle, ["80.00", "96.00"], None, "2024-01-01"),
            // 91 days.
            facture("FA9", "C3", NonRegle, ["2000.00", "2400.00"], None, "2023-12-31"),
            // Credit note, 45 days (15/02 → 15/03 is 29, + 16).
            facture("AV1", "C1", NonRegle, ["-100.00", "-120.00"], None, "2024-02-15"),
            // Settled: never listed.
            facture("FR1", "C2", Regle, ["5000.00", "6000.00"], Some("6000.00"), "2023-01-01"),
        ]
    }

    fn numeros<'a>(report: &Report<'a>) -> Vec<&'a str> {
        report.factures.iter().map(|facture| facture.facture.numero.as_str()).collect()
    }

    #[test]
    fn reste_du_and_days_late_per_invoice() {
        let factures = factures();
        let report = report(&factures, date(AU), Selection::Open);
        let lines: Vec<(&str, Decimal, u32, &str)> = report
            .factures
            .iter()
            .map(|line| (line.facture.numero.as_str(), line.reste_du, line.jours_retard, line.anciennete()))
            .collect();
        assert_eq!(
            lines,
            [
                ("FA9", d("2400.00"), 91, "90+"),
                ("FA8", d("96.00"), 90, "61-90"),
                ("FA7", d("480.00"), 61, "61-90"),
                ("FA6", d("120.00"), 60, "31-60"),
                // A credit note is never late, whatever its due date.
                ("AV1", d("-120.00"), 0, "avoir"),
                // 1000.00 − 999.99
                ("FA5", d("0.01"), 31, "31-60"),
                ("FA4", d("240.00"), 30, "1-30"),
                ("FA3", d("360.00"), 1, "1-30"),
                // 600.00 − 200.00
                ("FA2", d("400.00"), 0, "non_echu"),
                ("FA1", d("1200.00"), 0, "non_echu"),
            ]
        );
        assert!(!report.factures.iter().any(|line| line.facture.numero == "FR1"));
    }

    #[test]
    fn totals_ageing_status_and_clients_over_open_invoices() {
        let factures = factures();
        let report = report(&factures, date(AU), Selection::Open);
        let totals = report.totals;

        // Invoices only; the credit note is counted apart.
        assert_eq!(totals.nombre, 9);
        // 1000 + 500 + 300 + 200 + 833.33 + 100 + 400 + 80 + 2000
        assert_eq!(totals.montant_ht, d("5413.33"));
        // 1200 + 400 + 360 + 240 + 0.01 + 120 + 480 + 96 + 2400
        assert_eq!(totals.reste_du, d("5296.01"));
        assert_eq!((totals.nombre_avoirs, totals.avoirs_ht, totals.avoirs), (1, d("-100.00"), d("-120.00")));
        assert_eq!(totals.solde(), d("5176.01"));
        // Everything but FA1, FA2 and the credit note: 5296.01 − 1200 − 400.
        assert_eq!(totals.nombre_en_retard, 7);
        assert_eq!(totals.reste_du_en_retard, d("3696.01"));
        // (91 + 90 + 61 + 60 + 31 + 30 + 1) / 7 = 364 / 7 = 52
        assert_eq!(totals.retard_moyen(), Some(d("52")));

        let ageing: Vec<(&str, Decimal)> =
            totals.ageing.iter().map(|(bucket, amount)| (bucket.label(), amount)).collect();
        assert_eq!(
            ageing,
            [
                ("non_echu", d("1600.00")), // 1200 + 400
                ("1-30", d("600.00")),      // 360 + 240
                ("31-60", d("120.01")),     // 120 + 0.01, the credit note apart
                ("61-90", d("576.00")),     // 480 + 96
                ("90+", d("2400.00")),
            ]
        );
        // 1600 + 600 + 120.01 + 576 + 2400 = 5296.01: the buckets add up to the total, to the cent.
        assert_eq!(totals.ageing.total(), totals.reste_du);

        let statuses: Vec<(StatutReglement, u64, Decimal, Decimal)> = report
            .par_statut
            .iter()
            .map(|status| (status.statut, status.totals.nombre, status.totals.montant_ht, status.totals.reste_du))
            .collect();
        assert_eq!(
            statuses,
            [
                // HT 1000 + 300 + 200 + 100 + 400 + 80 + 2000; reste 1200 + 360 + 240 + 120 + 480 + 96 + 2400
                (StatutReglement::NonRegle, 7, d("4080.00"), d("4896.00")),
                // HT 500 + 833.33; reste 400 + 0.01
                (StatutReglement::PartiellementRegle, 2, d("1333.33"), d("400.01")),
            ]
        );

        let clients: Vec<(&str, &str, Decimal, Decimal, Decimal, Decimal)> = report
            .par_client
            .iter()
            .map(|client| {
                (
                    client.client_code.as_str(),
                    client.client_nom.as_str(),
                    client.totals.reste_du,
                    client.totals.reste_du_en_retard,
                    client.totals.avoirs,
                    client.totals.solde(),
                )
            })
            .collect();
        assert_eq!(
            clients,
            [
                // 0.01 + 120 + 2400, all late
                ("C3", "Client C3", d("2520.01"), d("2520.01"), d("0"), d("2520.01")),
                // 1200 + 400 + 480; late 480; the credit note nets the balance only: 2080 − 120
                ("C1", "Client C1", d("2080.00"), d("480.00"), d("-120.00"), d("1960.00")),
                // 360 + 240 + 96, all late
                ("C2", "Client C2", d("696.00"), d("696.00"), d("0"), d("696.00")),
            ]
        );
        // C1: FA7 61 days; the credit note counts for nothing.
        assert_eq!(report.par_client[1].totals.retard_moyen(), Some(d("61")));
    }

    #[test]
    fn late_selection_totals_cover_the_late_invoices_only() {
        let factures = factures();
        let report = report(&factures, date(AU), Selection::Late);
        assert_eq!(numeros(&report), ["FA9", "FA8", "FA7", "FA6", "FA5", "FA4", "FA3"], "never a credit note");
        assert_eq!(report.totals.nombre, 7);
        assert_eq!(report.totals.nombre_avoirs, 0);
        // 5413.33 − 1000 − 500
        assert_eq!(report.totals.montant_ht, d("3913.33"));
        assert_eq!(report.totals.reste_du, d("3696.01"));
        assert_eq!(report.totals.reste_du_en_retard, report.totals.reste_du);
        assert_eq!(report.totals.ageing.amount(AgeingBucket::NonEchu), Decimal::ZERO);
        assert_eq!(report.totals.ageing.total(), d("3696.01"));
        assert_eq!(report.totals.retard_moyen(), Some(d("52")));
        // C1 keeps only FA7: 480, below C2's 696.
        let clients: Vec<(&str, Decimal)> =
            report.par_client.iter().map(|client| (client.client_code.as_str(), client.totals.reste_du)).collect();
        assert_eq!(clients, [("C3", d("2520.01")), ("C2", d("696.00")), ("C1", d("480.00"))]);
        assert_eq!(totals(&factures, date(AU), Selection::Late), report.totals);
    }

    #[test]
    fn a_late_credit_note_alone_raises_no_alert() {
        use StatutReglement::NonRegle;
        let factures = [facture("AV9", "A", NonRegle, ["-50.00", "-60.00"], None, "2023-01-01")];
        let late = totals(&factures, date(AU), Selection::Late);
        assert_eq!((late.nombre_en_retard, late.nombre_avoirs), (0, 0));
        let open = totals(&factures, date(AU), Selection::Open);
        assert_eq!((open.nombre, open.nombre_avoirs, open.solde()), (0, 1, d("-60.00")));
    }

    #[test]
    fn clients_with_equal_reste_du_sort_by_code() {
        use StatutReglement::NonRegle;
        let factures = [
            facture("F1", "B", NonRegle, ["100", "120"], None, "2024-04-30"),
            facture("F2", "A", NonRegle, ["100", "120"], None, "2024-04-30"),
            facture("F3", "C", NonRegle, ["200", "240"], None, "2024-04-30"),
        ];
        let report = report(&factures, date(AU), Selection::Open);
        let codes: Vec<&str> = report.par_client.iter().map(|client| client.client_code.as_str()).collect();
        assert_eq!(codes, ["C", "A", "B"]);
        // Nothing late: no mean delay, empty late selection, empty status totals kept.
        assert_eq!(report.totals.retard_moyen(), None);
        assert_eq!(report.par_statut[1].totals, Totals::default());
        let late = self::report(&factures, date(AU), Selection::Late);
        assert!(late.factures.is_empty() && late.par_client.is_empty());
        assert_eq!(late.totals, Totals::default());
    }

    #[test]
    fn mean_delay_rounds_half_away_from_zero() {
        use StatutReglement::NonRegle;
        // 1 + 1 + 1 + 2 = 5 days over 4 invoices = 1.25 → 1.3.
        let factures = [
            facture("F1", "A", NonRegle, ["1", "1"], None, "2024-03-30"),
            facture("F2", "A", NonRegle, ["1", "1"], None, "2024-03-30"),
            facture("F3", "A", NonRegle, ["1", "1"], None, "2024-03-30"),
            facture("F4", "A", NonRegle, ["1", "1"], None, "2024-03-29"),
        ];
        assert_eq!(totals(&factures, date(AU), Selection::Open).retard_moyen(), Some(d("1.3")));
    }

    #[test]
    fn bucket_edges() {
        let edges: Vec<(u32, &str)> =
            [0, 1, 30, 31, 60, 61, 90, 91].into_iter().map(|days| (days, AgeingBucket::of(days).label())).collect();
        assert_eq!(
            edges,
            [
                (0, "non_echu"),
                (1, "1-30"),
                (30, "1-30"),
                (31, "31-60"),
                (60, "31-60"),
                (61, "61-90"),
                (90, "61-90"),
                (91, "90+")
            ]
        );
    }
}
