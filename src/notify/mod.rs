//! Telling people about alerts: each alert's French sentence and typed figures (kept in the store
//! as they were found), and the two channels that deliver a run's new alerts — an e-mail
//! ([`email`]) and a signed JSON POST ([`webhook`]).

pub mod email;
mod error;
pub mod sync;
pub mod webhook;

use std::fmt::Write;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

pub use error::{NotifyError, SmtpFailure, WebhookFailure};

use crate::jlm::alertes::Told;
use crate::output::exact as json;
use crate::output::format::{date_fr, decimal_fr, money, percent};
use crate::report::alertes::{Alerte, FactureEnAlerte, Genre};
use crate::report::relances::libelle;

/// The French sentence of an alert, as the table, the e-mail and the webhook show it.
pub fn message(alerte: &Alerte) -> String {
    match alerte {
        Alerte::Retard(f) => format!(
            "Facture {} de {} ({}) échue le {} : {} jour{} de retard, reste dû {}",
            f.numero,
            f.nom_client,
            f.code_client,
            date_fr(f.date_echeance),
            f.jours_retard,
            if f.jours_retard > 1 { "s" } else { "" },
            money(f.reste_du)
        ),
        Alerte::Seuil { facture: f, niveau, seuil } => format!(
            "Facture {} de {} ({}) : {} jours de retard, seuil de {} atteint ({} jours), reste dû {}",
            f.numero,
            f.nom_client,
            f.code_client,
            f.jours_retard,
            libelle(*niveau),
            seuil,
            money(f.reste_du)
        ),
        Alerte::Coefficient { famille, libelle, moyenne, cible } => format!(
            "Famille {famille} ({libelle}) : coefficient moyen {} sous la cible {}",
            decimal_fr(*moyenne, 4),
            decimal_fr(*cible, 4)
        ),
        Alerte::Marge { periode, prevue, reelle, ecart, seuil, .. } => format!(
            "Marge réelle de {periode} : {} pour {} prévus, écart {} points (alerte au-delà de {} points)",
            percent(*reelle, 2),
            percent(*prevue, 2),
            decimal_fr(*ecart, 2),
            decimal_fr(*seuil, 2)
        ),
    }
}

/// The figures of an invoice alert.
#[derive(Debug, Serialize)]
pub struct FactureData<'a> {
    pub numero_facture: &'a str,
    pub numero_devis: Option<&'a str>,
    pub code_client: &'a str,
    pub nom_client: &'a str,
    pub date_echeance: NaiveDate,
    pub jours_retard: u32,
    #[serde(serialize_with = "json::exact")]
    pub reste_du: Decimal,
}

/// The figures of an alert, typed (numbers as numbers, ISO dates): kept in the store with the
/// alert (`batigest_alertes.data_json`) and sent as they were found to the webhook.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Data<'a> {
    Retard(FactureData<'a>),
    Seuil {
        #[serde(flatten)]
        facture: FactureData<'a>,
        niveau: u8,
        relance: &'static str,
        seuil_jours: u32,
    },
    Coefficient {
        famille: &'a str,
        libelle: &'a str,
        #[serde(serialize_with = "json::exact")]
        coefficient_moyen: Decimal,
        #[serde(serialize_with = "json::exact")]
        cible: Decimal,
    },
    Marge {
        periode: &'a str,
        du: NaiveDate,
        au: NaiveDate,
        #[serde(serialize_with = "json::exact")]
        marge_prevue: Decimal,
        #[serde(serialize_with = "json::exact")]
        marge_reelle: Decimal,
        #[serde(serialize_with = "json::exact")]
        ecart_points: Decimal,
        #[serde(serialize_with = "json::exact")]
        seuil_points: Decimal,
    },
}

impl Data<'_> {
    /// The JSON text kept in the store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain data serialises")
    }
}

/// The figures of `alerte`.
pub fn data(alerte: &Alerte) -> Data<'_> {
    fn facture(f: &FactureEnAlerte) -> FactureData<'_> {
        FactureData {
            numero_facture: &f.numero,
            numero_devis: f.numero_devis.as_deref(),
            code_client: &f.code_client,
            nom_client: &f.nom_client,
            date_echeance: f.date_echeance,
            jours_retard: f.jours_retard,
            reste_du: f.reste_du,
        }
    }
    match alerte {
        Alerte::Retard(f) => Data::Retard(facture(f)),
        Alerte::Seuil { facture: f, niveau, seuil } => {
            Data::Seuil { facture: facture(f), niveau: *niveau, relance: libelle(*niveau), seuil_jours: *seuil }
        }
        Alerte::Coefficient { famille, libelle, moyenne, cible } => {
            Data::Coefficient { famille, libelle, coefficient_moyen: *moyenne, cible: *cible }
        }
        Alerte::Marge { periode, du, au, prevue, reelle, ecart, seuil } => Data::Marge {
            periode,
            du: *du,
            au: *au,
            marge_prevue: *prevue,
            marge_reelle: *reelle,
            ecart_points: *ecart,
            seuil_points: *seuil,
        },
    }
}

/// `2024-01-31T10:15:30Z`.
fn iso_time<S: serde::Serializer>(time: &NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&time.format("%Y-%m-%dT%H:%M:%SZ"))
}

/// The CA certificates a channel trusts besides the system's (`[alertes.CHANNEL] ca_file`).
fn ca_certificates(
    channel: &'static str,
    path: &std::path::Path,
    whose: &'static str,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, NotifyError> {
    crate::files::pem_certificates(path).map_err(|why| NotifyError::CaFile {
        channel,
        path: path.to_owned(),
        why,
        whose,
    })
}

/// What a run sends: its alerts not yet delivered on the channel, oldest first.
pub struct Lot<'a> {
    pub profil: &'a str,
    /// The report date of the run.
    pub au: NaiveDate,
    pub alertes: Vec<&'a Told>,
}

impl<'a> Lot<'a> {
    /// The webhook's body: who sends, when, and each alert with its typed figures.
    pub fn body(&self, envoi: &'a str, now: NaiveDateTime) -> WebhookBody<'_> {
        let alertes: Vec<WebhookAlerte<'_>> = self
            .alertes
            .iter()
            .map(|told| {
                // The figures kept with the alert, besides (never instead of) the alert's own keys.
                let mut data = match serde_json::from_str::<Value>(&told.data_json) {
                    Ok(Value::Object(data)) => data,
                    _ => Map::new(),
                };
                for own in WebhookAlerte::KEYS {
                    data.remove(own);
                }
                WebhookAlerte {
                    id: &told.id,
                    cle: &told.cle,
                    genre: &told.genre,
                    message: &told.message,
                    detectee_le: told.detectee_at,
                    data,
                }
            })
            .collect();
        WebhookBody {
            source: "jlm-batigest",
            version: env!("CARGO_PKG_VERSION"),
            profil: self.profil,
            envoi,
            au: self.au,
            envoye_le: now,
            nombre: alertes.len(),
            alertes,
        }
    }

    /// The e-mail's subject: how many alerts, of which kinds.
    pub fn subject(&self) -> String {
        let n = self.alertes.len();
        let kinds: Vec<String> = self
            .by_genre()
            .iter()
            .map(|(genre, alertes)| format!("{} {}", alertes.len(), title(*genre, alertes.len()).to_lowercase()))
            .collect();
        format!(
            "[Batigest] {n} nouvelle{s} alerte{s} au {} : {}",
            date_fr(self.au),
            kinds.join(", "),
            s = if n > 1 { "s" } else { "" }
        )
    }

    /// The e-mail in plain text: one section per kind, one line per alert.
    pub fn text(&self) -> String {
        let mut text = format!("Bonjour,\n\njlm-batigest (profil {}) signale au {} :\n", self.profil, date_fr(self.au));
        for (genre, alertes) in self.by_genre() {
            let _ = write!(text, "\n{} ({})\n", title(genre, alertes.len()), alertes.len());
            for told in alertes {
                let _ = writeln!(text, "- {}", told.message);
            }
        }
        text.push_str(
            "\nChaque alerte n'est envoyée qu'une fois. Détail : jlm-batigest factures, relances, coefficients, \
             analytics.\n",
        );
        text
    }

    /// The same e-mail in HTML (`alertes.html`, every value escaped by the template engine).
    pub fn html(&self) -> String {
        let groupes: Vec<minijinja::Value> = self
            .by_genre()
            .into_iter()
            .map(|(genre, alertes)| {
                minijinja::context! {
                    titre => title(genre, alertes.len()),
                    nombre => alertes.len(),
                    messages => alertes.iter().map(|told| told.message.clone()).collect::<Vec<_>>(),
                }
            })
            .collect();
        crate::output::template::render(
            include_str!("alertes.html"),
            minijinja::context! { sujet => self.subject(), profil => self.profil, au => date_fr(self.au), groupes },
        )
        .expect("the alert e-mail's template renders")
    }

    fn by_genre(&self) -> Vec<(Genre, Vec<&Told>)> {
        Genre::ALL
            .into_iter()
            .map(|genre| (genre, self.alertes.iter().copied().filter(|told| told.genre == genre.code()).collect()))
            .filter(|(_, alertes): &(Genre, Vec<&Told>)| !alertes.is_empty())
            .collect()
    }
}

/// What the webhook receives: who sends, when, and each alert with its figures.
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    pub source: &'static str,
    pub version: &'static str,
    pub profil: &'a str,
    /// The delivery's id, the same on every attempt (`X-Jlm-Delivery`).
    pub envoi: &'a str,
    pub au: NaiveDate,
    #[serde(serialize_with = "iso_time")]
    pub envoye_le: NaiveDateTime,
    pub nombre: usize,
    pub alertes: Vec<WebhookAlerte<'a>>,
}

impl WebhookBody<'_> {
    /// The exact bytes sent (and signed).
    pub fn to_json(&self) -> Result<String, NotifyError> {
        serde_json::to_string(self).map_err(|source| NotifyError::WebhookBody { source })
    }
}

/// One alert of a webhook body: the alert, then the figures kept with it ([`Data`]).
#[derive(Debug, Serialize)]
pub struct WebhookAlerte<'a> {
    pub id: &'a str,
    pub cle: &'a str,
    #[serde(rename = "type")]
    pub genre: &'a str,
    pub message: &'a str,
    #[serde(serialize_with = "iso_time")]
    pub detectee_le: NaiveDateTime,
    #[serde(flatten)]
    pub data: Map<String, Value>,
}

impl WebhookAlerte<'_> {
    const KEYS: [&'static str; 5] = ["id", "cle", "type", "message", "detectee_le"];
}

/// The heading of a kind of alert.
fn title(genre: Genre, count: usize) -> &'static str {
    match (genre, count > 1) {
        (Genre::FactureEnRetard, false) => "Facture en retard",
        (Genre::FactureEnRetard, true) => "Factures en retard",
        (Genre::SeuilRelance, false) => "Seuil de relance atteint",
        (Genre::SeuilRelance, true) => "Seuils de relance atteints",
        (Genre::CoefficientSousCible, false) => "Famille sous sa cible",
        (Genre::CoefficientSousCible, true) => "Familles sous leur cible",
        (Genre::DeriveMarge, false) => "Dérive de marge",
        (Genre::DeriveMarge, true) => "Dérives de marge",
    }
}
