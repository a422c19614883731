//! The domain rows read from Batigest: what queries produce, business rules compute on, and
//! renderers print. Plain data, exact decimals, no I/O.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

/// Status of a quote (`DEVIS.STATUT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Statut {
    Brouillon,
    Valide,
    Envoye,
    Accepte,
    Refuse,
}

/// JLM ERP's `offer_status` enum, in its own order (DESIGN §4.1): a status carried over from
/// Batigest only ever moves an offer forward along it, never out of the last two.
pub const OFFER_STATUSES: [&str; 11] = [
    "brouillon",
    "etude_technique",
    "en_attente_fournisseurs",
    "en_cours_chiffrage",
    "en_attente_validation",
    "fin_etudes_validee",
    "valide",
    "signe",
    "transforme_en_projet",
    "termine",
    "archive",
];

/// Whether an offer at `current` (`None`: no status yet) may be moved to `target`: forward along
/// [`OFFER_STATUSES`] only, never out of `termine` or `archive`, never from a status the tool
/// does not know.
pub fn offer_status_moves(current: Option<&str>, target: &str) -> bool {
    let rank = |status: &str| OFFER_STATUSES.iter().position(|known| *known == status);
    let Some(target) = rank(target) else { return false };
    match current {
        None => true,
        Some("termine" | "archive") => false,
        Some(current) => rank(current).is_some_and(|current| current < target),
    }
}

impl Statut {
    pub const ALL: [Statut; 5] = [Statut::Brouillon, Statut::Valide, Statut::Envoye, Statut::Accepte, Statut::Refuse];

    /// The code stored in Batigest.
    pub fn code(self) -> &'static str {
        match self {
            Statut::Brouillon => "BROUILLON",
            Statut::Valide => "VALIDE",
            Statut::Envoye => "ENVOYE",
            Statut::Accepte => "ACCEPTE",
            Statut::Refuse => "REFUSE",
        }
    }

    /// "Issued" devis: every status but draft (DESIGN §5).
    pub fn is_issued(self) -> bool {
        self != Statut::Brouillon
    }

    /// "Committed" devis: validated or accepted (DESIGN §5).
    pub fn is_committed(self) -> bool {
        matches!(self, Statut::Valide | Statut::Accepte)
    }
}

impl fmt::Display for Statut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Statut {
    type Err = String;

    /// Accepts the code in any case (`--statut accepte`). Stored values are read by
    /// `batigest::schema::read_as`, the rule the SQL filters follow too.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Statut::ALL
            .into_iter()
            .find(|statut| statut.code().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| text.to_owned())
    }
}

/// Payment status of an invoice (`FACTURES.STATUT_REGLEMENT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatutReglement {
    NonRegle,
    PartiellementRegle,
    Regle,
}

impl StatutReglement {
    pub const ALL: [StatutReglement; 3] =
        [StatutReglement::NonRegle, StatutReglement::PartiellementRegle, StatutReglement::Regle];

    pub fn code(self) -> &'static str {
        match self {
            StatutReglement::NonRegle => "NON_REGLE",
            StatutReglement::PartiellementRegle => "PARTIELLEMENT_REGLE",
            StatutReglement::Regle => "REGLE",
        }
    }

    /// Open invoices still wait for money (DESIGN §5.3).
    pub fn is_open(self) -> bool {
        self != StatutReglement::Regle
    }
}

impl fmt::Display for StatutReglement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for StatutReglement {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        StatutReglement::ALL
            .into_iter()
            .find(|statut| statut.code().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| text.to_owned())
    }
}

/// A quote, joined to its client. The optional fields are empty when Batigest holds NULL or
/// when the schema mapping leaves them unmapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Devis {
    /// As the database holds it: `DEVIS-2024-001`, or `00000042` with its leading zeros.
    pub numero: String,
    pub reference_affaire: Option<String>,
    pub client_code: Option<String>,
    pub client_nom: Option<String>,
    pub montant_ht: Decimal,
    pub montant_ttc: Option<Decimal>,
    /// Margin rate in percent (on cost by default, see `MargeBase`).
    pub taux_marge: Option<Decimal>,
    pub date_creation: NaiveDateTime,
    pub date_validation: Option<NaiveDateTime>,
    pub statut: EtatDevis,
    pub responsable: Option<String>,
}

/// A quote's status as read: a status, or — in a listing that only shows it — the stored value
/// the schema mapping does not translate. Every read that computes on statuses refuses the latter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EtatDevis {
    Lu(Statut),
    NonTraduit(String),
}

impl EtatDevis {
    /// The status code, or the stored value as the database holds it.
    pub fn code(&self) -> &str {
        match self {
            EtatDevis::Lu(statut) => statut.code(),
            EtatDevis::NonTraduit(stored) => stored,
        }
    }
}

impl fmt::Display for EtatDevis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A family or sub-family: code and label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Classe {
    pub code: String,
    pub libelle: String,
}

/// A composite work item with its prices and rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ouvrage {
    pub code: String,
    pub libelle: String,
    pub unite: Option<String>,
    pub prix_achat_ht: Decimal,
    pub prix_vente_ht: Decimal,
    /// Overheads rate in percent.
    pub taux_frais_generaux: Decimal,
    /// Profit rate in percent.
    pub taux_benefice: Decimal,
    pub famille: Option<Classe>,
    pub sous_famille: Option<Classe>,
    pub actif: bool,
}

/// An invoice (or a credit note, with negative amounts), joined to its client.
// The field names are Batigest's column names (DATE_FACTURE…), kept for recognisability.
#[allow(clippy::struct_field_names)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facture {
    pub numero: String,
    pub numero_devis: Option<String>,
    pub client_code: String,
    pub client_nom: String,
    pub montant_ht: Decimal,
    pub montant_ttc: Decimal,
    pub date_facture: NaiveDate,
    pub date_echeance: NaiveDate,
    pub statut_reglement: StatutReglement,
    /// Amount paid so far, TTC; `None` when Batigest holds NULL.
    pub montant_regle: Option<Decimal>,
}

impl Facture {
    /// A credit note (avoir): money owed to the customer, never a late payment (DESIGN §5.3).
    pub fn is_avoir(&self) -> bool {
        self.montant_ttc.is_sign_negative() && !self.montant_ttc.is_zero()
    }
}

/// A committed devis and the HT invoiced on it by a report date (credit notes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engage {
    pub numero: String,
    pub montant_ht: Decimal,
    /// `None` when Batigest holds NULL or the mapping leaves it unmapped.
    pub montant_ttc: Option<Decimal>,
    pub facture_ht: Decimal,
}

/// What `TAUX_MARGE` is a rate on (profile setting `marge_base`, DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MargeBase {
    /// `cout_prevu = MONTANT_HT / (1 + TAUX_MARGE/100)`
    #[default]
    Cout,
    /// `cout_prevu = MONTANT_HT × (1 − TAUX_MARGE/100)`
    Vente,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_in_any_case_and_classify() {
        assert_eq!("accepte".parse::<Statut>(), Ok(Statut::Accepte));
        assert_eq!("ACCEPTÉ".parse::<Statut>(), Err("ACCEPTÉ".to_owned()));
        assert!(Statut::Valide.is_committed() && !Statut::Envoye.is_committed());
        assert!(Statut::Refuse.is_issued() && !Statut::Brouillon.is_issued());
        assert_eq!("partiellement_regle".parse::<StatutReglement>(), Ok(StatutReglement::PartiellementRegle));
        assert!(!StatutReglement::Regle.is_open());
    }

    #[test]
    fn an_offer_status_only_moves_forward_and_never_out_of_the_last_two() {
        assert!(offer_status_moves(Some("en_cours_chiffrage"), "signe"));
        assert!(offer_status_moves(None, "valide"), "no status yet");
        assert!(!offer_status_moves(Some("signe"), "signe"), "not a move");
        assert!(!offer_status_moves(Some("transforme_en_projet"), "signe"), "backwards");
        assert!(!offer_status_moves(Some("termine"), "archive"));
        assert!(!offer_status_moves(Some("archive"), "termine"));
        assert!(!offer_status_moves(Some("perdu"), "signe"), "a status the tool does not know is left alone");
        assert!(!offer_status_moves(Some("brouillon"), "gagne"));
    }
}
