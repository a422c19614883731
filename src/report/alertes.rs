//! Automatic alerts (`alertes`): what is worth telling someone, once (README « Alertes »).
//!
//! Rules:
//! - **facture en retard**: an open invoice past its due date (DESIGN §5.3, `jours_retard ≥ 1`);
//! - **seuil de relance**: a late invoice whose days late reach a reminder threshold of the profile
//!   (`[relances] seuils`) other than the first day of lateness (which is the alert above): the
//!   current level only, so an invoice that went from level 1 to 3 between two runs is told at 3;
//! - **coefficient sous la cible**: a famille whose mean coefficient is below its target
//!   (DESIGN §5.2, `[coefficients.cibles]`);
//! - **dérive de marge**: the real margin of the last closed month (or quarter, `[alertes]
//!   periode_marge`) more than `ecart_marge_points` points below the planned margin (DESIGN §5.1:
//!   `ecart_marge = réelle − prévue < −points`); no alert where either margin has no value.
//!
//! Credit notes are never alerts: they are never late (`OpenFacture`), and a famille or a margin
//! has none to speak of.
//!
//! Each alert has a key saying what it is about (`facture_en_retard:FA-0012`,
//! `seuil_relance:FA-0012:3`, `coefficient_sous_cible:MENUISERIE_EXT`, `derive_marge:2024-10`): an
//! alert whose key was already told is not told again. Invoices and periods are events, told once
//! for good; a famille under target is a state, told again if it recovers then falls back
//! ([`Genre::recurs`]).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::coefficients::CoefficientReport;
use super::factures::OpenFacture;
use super::kpi::{Bucket, Granularity, Kpis};
use super::numbers::{round_coefficient, round_money, round_rate};
use super::relances::{self, niveau};

/// Points of margin drift that make an alert, by default.
pub const DEFAULT_ECART_MARGE_POINTS: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

/// The settings of the alerts (profile `[alertes]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regles {
    /// How many points below the planned margin the real one may fall before an alert.
    pub ecart_marge_points: Decimal,
    /// The closed period whose margins are compared: a month or a quarter.
    pub periode_marge: Granularity,
}

impl Default for Regles {
    fn default() -> Self {
        Self { ecart_marge_points: DEFAULT_ECART_MARGE_POINTS, periode_marge: Granularity::Month }
    }
}

/// The four kinds of alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Genre {
    FactureEnRetard,
    SeuilRelance,
    CoefficientSousCible,
    DeriveMarge,
}

impl Genre {
    pub const ALL: [Genre; 4] =
        [Genre::FactureEnRetard, Genre::SeuilRelance, Genre::CoefficientSousCible, Genre::DeriveMarge];

    /// The name kept in the store and sent to the webhook.
    pub fn code(self) -> &'static str {
        match self {
            Genre::FactureEnRetard => "facture_en_retard",
            Genre::SeuilRelance => "seuil_relance",
            Genre::CoefficientSousCible => "coefficient_sous_cible",
            Genre::DeriveMarge => "derive_marge",
        }
    }

    /// Whether the alert is a state that can end and come back (told again then), rather than an
    /// event told once for good.
    pub fn recurs(self) -> bool {
        self == Genre::CoefficientSousCible
    }
}

/// The invoice an invoice alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactureEnAlerte {
    pub numero: String,
    pub numero_devis: Option<String>,
    pub code_client: String,
    pub nom_client: String,
    pub date_echeance: NaiveDate,
    pub jours_retard: u32,
    /// To the cent.
    pub reste_du: Decimal,
}

/// One alert, with the figures that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alerte {
    Retard(FactureEnAlerte),
    Seuil {
        facture: FactureEnAlerte,
        /// 1, 2 or 3.
        niveau: u8,
        /// The threshold reached, in days late.
        seuil: u32,
    },
    Coefficient {
        famille: String,
        libelle: String,
        /// Four decimals.
        moyenne: Decimal,
        cible: Decimal,
    },
    Marge {
        /// `2024-10`, `2024-T3`.
        periode: String,
        du: NaiveDate,
        au: NaiveDate,
        /// Percentages, two decimals.
        prevue: Decimal,
        reelle: Decimal,
        /// Points, two decimals (rounded from the exact difference).
        ecart: Decimal,
        /// The profile's `ecart_marge_points`.
        seuil: Decimal,
    },
}

impl Alerte {
    pub fn genre(&self) -> Genre {
        match self {
            Alerte::Retard(_) => Genre::FactureEnRetard,
            Alerte::Seuil { .. } => Genre::SeuilRelance,
            Alerte::Coefficient { .. } => Genre::CoefficientSousCible,
            Alerte::Marge { .. } => Genre::DeriveMarge,
        }
    }

    /// What the alert is about: an invoice number, a famille code, a period.
    pub fn objet(&self) -> &str {
        match self {
            Alerte::Retard(facture) | Alerte::Seuil { facture, .. } => &facture.numero,
            Alerte::Coefficient { famille, .. } => famille,
            Alerte::Marge { periode, .. } => periode,
        }
    }

    /// The identity of the alert: the same key is never told twice.
    pub fn cle(&self) -> String {
        match self {
            Alerte::Seuil { facture, niveau, .. } => format!("{}:{}:{niveau}", self.genre().code(), facture.numero),
            _ => format!("{}:{}", self.genre().code(), self.objet()),
        }
    }

    pub fn facture(&self) -> Option<&FactureEnAlerte> {
        match self {
            Alerte::Retard(facture) | Alerte::Seuil { facture, .. } => Some(facture),
            _ => None,
        }
    }
}

/// The alerts of one open invoice at the report date: none for a credit note or an invoice not
/// yet due; « en retard » once late; « seuil de relance » for its current level when that level's
/// threshold is beyond the first day of lateness.
pub fn facture(open: &OpenFacture<'_>, regles: &relances::Regles) -> Vec<Alerte> {
    if open.owed_to_customer() || !open.is_late() {
        return Vec::new();
    }
    let f = open.facture;
    let en_alerte = FactureEnAlerte {
        numero: f.numero.clone(),
        numero_devis: f.numero_devis.clone(),
        code_client: f.client_code.clone(),
        nom_client: f.client_nom.clone(),
        date_echeance: f.date_echeance,
        jours_retard: open.jours_retard,
        reste_du: round_money(open.reste_du),
    };
    let mut alertes = vec![Alerte::Retard(en_alerte.clone())];
    if let Some(level) = niveau(regles, open.jours_retard) {
        let seuil = regles.seuils[usize::from(level - 1)];
        if seuil > 1 {
            alertes.push(Alerte::Seuil { facture: en_alerte, niveau: level, seuil });
        }
    }
    alertes
}

/// The familles below their target, by famille code.
pub fn coefficients(report: &CoefficientReport<'_>) -> Vec<Alerte> {
    report
        .familles_sous_cible
        .iter()
        .map(|famille| Alerte::Coefficient {
            famille: famille.famille.code.clone(),
            libelle: famille.famille.libelle.clone(),
            moyenne: round_coefficient(famille.moyenne),
            cible: famille.cible,
        })
        .collect()
}

/// The margin drift of a closed period, if its real margin is more than `seuil` points below
/// the planned one.
pub fn marge(bucket: &Bucket, kpis: &Kpis, seuil: Decimal) -> Option<Alerte> {
    let ecart = kpis.ecart_marge?;
    if ecart >= -seuil {
        return None;
    }
    Some(Alerte::Marge {
        periode: bucket.label.clone(),
        du: bucket.period.from(),
        au: bucket.period.to(),
        prevue: round_rate(kpis.marge_prevue_moyenne?),
        reelle: round_rate(kpis.marge_reelle_moyenne?),
        ecart: round_rate(ecart),
        seuil,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::factures::fixtures::ouverte;
    use crate::report::kpi::Period;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn keys(alertes: &[Alerte]) -> Vec<String> {
        alertes.iter().map(Alerte::cle).collect()
    }

    #[test]
    fn an_invoice_is_late_from_the_day_after_its_due_date() {
        let regles = relances::Regles::default();
        let f = ouverte("A", "100.00", None, "2026-11-30");
        assert!(facture(&OpenFacture::new(&f, day("2026-11-30")).unwrap(), &regles).is_empty());
        let late = facture(&OpenFacture::new(&f, day("2026-12-01")).unwrap(), &regles);
        assert_eq!(keys(&late), [format!("facture_en_retard:{}", f.numero)]);
        let Alerte::Retard(en_alerte) = &late[0] else { panic!("{late:?}") };
        assert_eq!((en_alerte.jours_retard, en_alerte.reste_du), (1, d("100.00")));
    }

    #[test]
    fn thresholds_beyond_the_first_day_are_their_own_alerts_at_the_current_level() {
        let regles = relances::Regles::default();
        let f = ouverte("A", "100.00", Some("40.00"), "2026-11-01");
        let open = OpenFacture::new(&f, day("2026-11-16")).unwrap();
        let alertes = facture(&open, &regles);
        assert_eq!(
            keys(&alertes),
            [format!("facture_en_retard:{}", f.numero), format!("seuil_relance:{}:2", f.numero)]
        );
        let Alerte::Seuil { niveau, seuil, facture: en_alerte } = &alertes[1] else { panic!() };
        assert_eq!((*niveau, *seuil, en_alerte.reste_du), (2, 15, d("60.00")));
        // Level 3 at 30 days: the level-2 alert is not repeated.
        let later = facture(&OpenFacture::new(&f, day("2026-12-01")).unwrap(), &regles);
        assert_eq!(later[1].cle(), format!("seuil_relance:{}:3", f.numero));
        // A first threshold beyond the first day makes its own alert too.
        let regles = relances::Regles { seuils: [8, 20, 40], ..relances::Regles::default() };
        let alertes = facture(&OpenFacture::new(&f, day("2026-11-09")).unwrap(), &regles);
        assert_eq!(alertes[1].cle(), format!("seuil_relance:{}:1", f.numero));
    }

    #[test]
    fn a_credit_note_is_never_an_alert() {
        let avoir = ouverte("A", "-250.00", None, "2020-01-01");
        let open = OpenFacture::new(&avoir, day("2026-12-01")).unwrap();
        assert!(facture(&open, &relances::Regles::default()).is_empty());
    }

    #[test]
    fn margin_drift_is_strictly_more_than_the_threshold_below_plan() {
        let bucket =
            Bucket { label: "2024-10".to_owned(), period: Period::new(day("2024-10-01"), day("2024-10-31")).unwrap() };
        let kpis = |prevue: &str, reelle: &str| Kpis {
            marge_prevue_moyenne: Some(d(prevue)),
            marge_reelle_moyenne: Some(d(reelle)),
            ecart_marge: Some(d(reelle) - d(prevue)),
            ..Kpis::default()
        };
        assert_eq!(marge(&bucket, &kpis("25", "20"), d("5")), None, "exactly 5 points is not more than 5");
        let alerte = marge(&bucket, &kpis("25.504", "20.5"), d("5")).expect("5,004 points below");
        assert_eq!(alerte.cle(), "derive_marge:2024-10");
        let Alerte::Marge { prevue, reelle, ecart, .. } = alerte else { panic!() };
        assert_eq!((prevue, reelle, ecart), (d("25.50"), d("20.50"), d("-5.00")));
        assert_eq!(marge(&bucket, &kpis("25", "40"), d("5")), None, "a margin above plan is no drift");
        let unknown = Kpis { marge_prevue_moyenne: Some(d("25")), ..Kpis::default() };
        assert_eq!(marge(&bucket, &unknown, d("5")), None, "no real margin, no alert");
    }
}
