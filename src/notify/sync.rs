//! The automatic sync's webhook body (`[sync.webhook]`): one POST per pass that changed
//! something, each change with its typed values, so that JLM ERP can refresh at once.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;

use super::NotifyError;
use crate::jlm::sync::{Change, Report};

/// What the receiver gets for one pass.
#[derive(Debug, Serialize)]
pub struct PassBody<'a> {
    pub source: &'static str,
    pub version: &'static str,
    #[serde(rename = "type")]
    pub genre: &'static str,
    pub profil: &'a str,
    /// The delivery's id, the same on every attempt (`X-Jlm-Delivery`).
    pub envoi: &'a str,
    #[serde(serialize_with = "super::iso_time")]
    pub debut: NaiveDateTime,
    #[serde(serialize_with = "super::iso_time")]
    pub fin: NaiveDateTime,
    pub synchronises: i64,
    pub a_verifier: i64,
    pub erreurs: i64,
    /// How many devis changed; `devis` lists the first of them.
    pub nombre: usize,
    pub devis: Vec<DevisChanges<'a>>,
}

impl PassBody<'_> {
    pub const TYPE: &'static str = "synchronisation";

    /// The exact bytes sent (and signed).
    pub fn to_json(&self) -> Result<String, NotifyError> {
        serde_json::to_string(self).map_err(|source| NotifyError::WebhookBody { source })
    }
}

/// One devis that changed, with its offer and each value, old → new.
#[derive(Debug, Serialize)]
pub struct DevisChanges<'a> {
    pub numero_devis: &'a str,
    pub offre_id: Option<&'a str>,
    pub resultat: &'static str,
    pub message: Option<&'a str>,
    pub changements: Vec<ChangeBody>,
}

impl<'a> DevisChanges<'a> {
    pub fn of(report: &'a Report) -> Self {
        Self {
            numero_devis: &report.numero,
            offre_id: report.offer.as_ref().map(|offer| offer.id.as_str()),
            resultat: report.outcome.code(),
            message: report.note.as_deref(),
            changements: report.changes.iter().map(ChangeBody::of).collect(),
        }
    }
}

/// One value that changed: amounts and rates as JSON numbers (exact, as the store keeps them),
/// the rest as text, `null` for none.
#[derive(Debug, Serialize)]
pub struct ChangeBody {
    pub champ: &'static str,
    pub avant: Value,
    pub apres: Value,
}

impl ChangeBody {
    fn of(change: &Change) -> Self {
        let typed = |value: &Option<String>| match value {
            None => Value::Null,
            Some(text) if change.is_number() => {
                text.parse::<serde_json::Number>().map_or_else(|_| Value::String(text.clone()), Value::Number)
            }
            Some(text) => Value::String(text.clone()),
        };
        Self { champ: change.field, avant: typed(&change.old), apres: typed(&change.new) }
    }
}
