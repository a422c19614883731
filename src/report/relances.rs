//! Payment reminders (`relances`): per customer, the late invoices by reminder level, with the
//! late-payment penalties and, between professionals, the recovery indemnity.
//!
//! Rules (README « Relances ») :
//! - only late invoices are chased (DESIGN §5.3); a credit note never is;
//! - level of an invoice = the highest threshold its days late reach (defaults 1, 15, 30 days:
//!   relance, seconde relance, mise en demeure); a customer's level is that of their latest-due
//!   reminder, i.e. the highest of their invoices;
//! - penalties = reste dû × annual rate × days late / 365, per invoice, rounded to the cent; the days
//!   run from the day after the due date to the report date (= the days late). No built-in rate:
//!   without one, no penalty is computed;
//! - recovery indemnity (Code de commerce L441-10): 40 € per late invoice, only for a customer
//!   marked professional; never assumed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::factures::OpenFacture;
use super::numbers::round_money;

/// The fixed recovery indemnity per late invoice between professionals (L441-10, D441-5).
pub const INDEMNITE: Decimal = Decimal::from_parts(4000, 0, 0, false, 2);

/// Thresholds in days late of levels 1, 2 and 3, ascending.
pub const DEFAULT_SEUILS: [u32; 3] = [1, 15, 30];

/// The settings of the reminders (profile `[relances]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regles {
    pub seuils: [u32; 3],
    /// Annual rate in percent (12.15 means 12,15 % a year); `None`: not configured.
    pub taux_penalites: Option<Decimal>,
    pub professionnels: Professionnels,
}

impl Default for Regles {
    fn default() -> Self {
        Self { seuils: DEFAULT_SEUILS, taux_penalites: None, professionnels: Professionnels::Liste(Vec::new()) }
    }
}

/// Which customers are professionals (the indemnity applies to them only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Professionnels {
    /// Every customer (`professionnels = "tous"`).
    Tous,
    /// These client codes.
    Liste(Vec<String>),
}

impl Professionnels {
    pub fn includes(&self, client_code: &str) -> bool {
        match self {
            Professionnels::Tous => true,
            Professionnels::Liste(codes) => codes.iter().any(|code| code == client_code),
        }
    }
}

/// Reminder level 1, 2 or 3.
pub fn niveau(regles: &Regles, jours_retard: u32) -> Option<u8> {
    (1..=3u8).rev().find(|level| jours_retard >= regles.seuils[usize::from(*level - 1)])
}

/// The French name of a level.
pub fn libelle(niveau: u8) -> &'static str {
    match niveau {
        1 => "relance",
        2 => "seconde relance",
        _ => "mise en demeure",
    }
}

/// One late invoice to chase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relance {
    pub numero_facture: String,
    pub numero_devis: Option<String>,
    pub date_facture: NaiveDate,
    pub date_echeance: NaiveDate,
    pub jours_retard: u32,
    pub reste_du: Decimal,
    pub niveau: u8,
    /// `None` without a configured rate.
    pub penalites: Option<Decimal>,
    /// 40 € for a professional customer, 0 otherwise.
    pub indemnite: Decimal,
}

/// A customer's reminders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub code: String,
    pub nom: String,
    pub professionnel: bool,
    pub factures: Vec<Relance>,
}

impl Client {
    pub fn niveau(&self) -> u8 {
        self.factures.iter().map(|f| f.niveau).max().unwrap_or(1)
    }

    pub fn reste_du(&self) -> Decimal {
        self.factures.iter().map(|f| f.reste_du).sum()
    }

    /// `None` without a configured rate.
    pub fn penalites(&self) -> Option<Decimal> {
        self.factures.iter().map(|f| f.penalites).sum()
    }

    pub fn indemnites(&self) -> Decimal {
        self.factures.iter().map(|f| f.indemnite).sum()
    }

    /// What the letter claims: reste dû, penalties (when a rate is set) and indemnities.
    pub fn total(&self) -> Decimal {
        self.reste_du() + self.penalites().unwrap_or_default() + self.indemnites()
    }
}

/// The invoice to chase, if `open` is late enough and not a credit note.
pub fn relance(regles: &Regles, open: &OpenFacture<'_>) -> Option<Relance> {
    if open.owed_to_customer() || !open.is_late() {
        return None;
    }
    let niveau = niveau(regles, open.jours_retard)?;
    let f = open.facture;
    let penalites = regles.taux_penalites.map(|taux| {
        round_money(open.reste_du * taux / Decimal::ONE_HUNDRED * Decimal::from(open.jours_retard) / Decimal::from(365))
    });
    let indemnite = if regles.professionnels.includes(&f.client_code) { INDEMNITE } else { Decimal::ZERO };
    Some(Relance {
        numero_facture: f.numero.clone(),
        numero_devis: f.numero_devis.clone(),
        date_facture: f.date_facture,
        date_echeance: f.date_echeance,
        jours_retard: open.jours_retard,
        reste_du: open.reste_du,
        niveau,
        penalites,
        indemnite,
    })
}

/// Customers with something to chase, by code.
#[derive(Debug, Default)]
pub struct Plan {
    clients: BTreeMap<String, Client>,
}

impl Plan {
    /// Adds `open` to its customer's reminders when it is to be chased; returns it then.
    pub fn add(&mut self, regles: &Regles, open: &OpenFacture<'_>) -> Option<&Relance> {
        let relance = relance(regles, open)?;
        let f = open.facture;
        let client = self.clients.entry(f.client_code.clone()).or_insert_with(|| Client {
            code: f.client_code.clone(),
            nom: f.client_nom.clone(),
            professionnel: regles.professionnels.includes(&f.client_code),
            factures: Vec::new(),
        });
        client.factures.push(relance);
        client.factures.last()
    }

    /// Customers, the highest level first, then the largest amount, then by code.
    pub fn clients(self) -> Vec<Client> {
        let mut clients: Vec<Client> = self.clients.into_values().collect();
        clients.sort_by(|a, b| {
            b.niveau().cmp(&a.niveau()).then(b.reste_du().cmp(&a.reste_du())).then(a.code.cmp(&b.code))
        });
        clients
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::factures::fixtures::ouverte as facture;

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn levels_follow_the_thresholds() {
        let regles = Regles::default();
        assert_eq!(niveau(&regles, 0), None);
        assert_eq!(niveau(&regles, 1), Some(1));
        assert_eq!(niveau(&regles, 14), Some(1));
        assert_eq!(niveau(&regles, 15), Some(2));
        assert_eq!(niveau(&regles, 29), Some(2));
        assert_eq!(niveau(&regles, 30), Some(3));
        let custom = Regles { seuils: [8, 20, 45], ..Regles::default() };
        assert_eq!(niveau(&custom, 7), None, "not yet chased");
        assert_eq!(niveau(&custom, 44), Some(2));
    }

    #[test]
    fn penalties_and_indemnity_to_the_cent() {
        let au = day("2026-12-03");
        let regles = Regles {
            taux_penalites: Some(d("12.15")),
            professionnels: Professionnels::Liste(vec!["PRO".to_owned()]),
            ..Regles::default()
        };
        // 1 234,56 € left, 33 days late at 12,15 %: 1 234,56 × 0,1215 × 33 / 365 = 13,5615… → 13,56.
        let pro = facture("PRO", "2234.56", Some("1000.00"), "2026-10-31");
        let relance = relance(&regles, &OpenFacture::new(&pro, au).expect("open")).expect("late");
        assert_eq!((relance.jours_retard, relance.niveau), (33, 3));
        assert_eq!(relance.reste_du, d("1234.56"));
        assert_eq!(relance.penalites, Some(d("13.56")));
        assert_eq!(relance.indemnite, d("40.00"));
        // A private customer: no indemnity; no rate: no penalty.
        let private = facture("PART", "100.00", None, "2026-12-02");
        let open = OpenFacture::new(&private, au).expect("open");
        let without_rate = Regles::default();
        let relance = super::relance(&without_rate, &open).expect("late");
        assert_eq!((relance.niveau, relance.penalites, relance.indemnite), (1, None, Decimal::ZERO));
    }

    #[test]
    fn credit_notes_and_invoices_not_yet_late_are_never_chased() {
        let au = day("2026-12-03");
        let regles = Regles { professionnels: Professionnels::Tous, ..Regles::default() };
        let credit = facture("PRO", "-50.00", None, "2026-01-01");
        let due_today = facture("PRO", "50.00", None, "2026-12-03");
        let mut plan = Plan::default();
        assert!(plan.add(&regles, &OpenFacture::new(&credit, au).expect("open")).is_none());
        assert!(plan.add(&regles, &OpenFacture::new(&due_today, au).expect("open")).is_none());
        assert!(plan.clients().is_empty());
    }

    #[test]
    fn a_customer_sums_their_invoices() {
        let au = day("2026-12-03");
        let regles =
            Regles { taux_penalites: Some(d("10")), professionnels: Professionnels::Tous, ..Regles::default() };
        let mut plan = Plan::default();
        for f in [facture("A", "365.00", None, "2026-11-23"), facture("A", "730.00", None, "2026-11-03")] {
            plan.add(&regles, &OpenFacture::new(&f, au).expect("open"));
        }
        plan.add(&regles, &OpenFacture::new(&facture("B", "50.00", None, "2026-12-01"), au).expect("open"));
        let clients = plan.clients();
        assert_eq!(clients.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        let a = &clients[0];
        // 365 × 10 % × 10 / 365 = 1,00 ; 730 × 10 % × 30 / 365 = 6,00.
        assert_eq!(
            (a.niveau(), a.reste_du(), a.penalites(), a.indemnites()),
            (3, d("1095.00"), Some(d("7.00")), d("80.00"))
        );
        assert_eq!(a.total(), d("1182.00"));
    }
}
