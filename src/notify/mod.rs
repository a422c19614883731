//! Telling people about alerts: each alert's French sentence and typed figures (kept in the store
//! as they were found), and the two channels that deliver a run's new alerts — an e-mail
//! ([`email`]) and a signed JSON POST ([`webhook`]).

pub mod email;
pub mod webhook;

use std::fmt::Write;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value, json};

use crate::jlm::alertes::Told;
use crate::output::format::{date_fr, decimal_fr, money, percent};
use crate::output::json::{date, number};
use crate::report::alertes::{Alerte, Genre};
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

/// The figures of an alert, typed (numbers as numbers, ISO dates), as the webhook sends them.
pub fn data(alerte: &Alerte) -> Value {
    let mut data = match alerte {
        Alerte::Retard(f) | Alerte::Seuil { facture: f, .. } => json!({
            "numero_facture": f.numero,
            "numero_devis": f.numero_devis,
            "code_client": f.code_client,
            "nom_client": f.nom_client,
            "date_echeance": date(f.date_echeance),
            "jours_retard": f.jours_retard,
            "reste_du": number(f.reste_du),
        }),
        Alerte::Coefficient { famille, libelle, moyenne, cible } => json!({
            "famille": famille,
            "libelle": libelle,
            "coefficient_moyen": number(*moyenne),
            "cible": number(*cible),
        }),
        Alerte::Marge { periode, du, au, prevue, reelle, ecart, seuil } => json!({
            "periode": periode,
            "du": date(*du),
            "au": date(*au),
            "marge_prevue": number(*prevue),
            "marge_reelle": number(*reelle),
            "ecart_points": number(*ecart),
            "seuil_points": number(*seuil),
        }),
    };
    if let (Alerte::Seuil { niveau, seuil, .. }, Value::Object(map)) = (alerte, &mut data) {
        map.insert("niveau".to_owned(), json!(niveau));
        map.insert("relance".to_owned(), json!(libelle(*niveau)));
        map.insert("seuil_jours".to_owned(), json!(seuil));
    }
    data
}

fn iso_time(time: NaiveDateTime) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The CA certificates a channel trusts besides the system's (`[alertes.CHANNEL] ca_file`).
fn ca_certificates(
    channel: &str,
    path: &std::path::Path,
    whose: &str,
) -> crate::error::Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    crate::files::pem_certificates(path).map_err(|why| {
        crate::error::Error::usage(format!("[alertes.{channel}] ca_file « {} » inutilisable : {why}", path.display()))
            .with_hint(format!("donnez le certificat de l'autorité {whose}, au format PEM"))
    })
}

/// What a run sends: its alerts not yet delivered on the channel, oldest first.
pub struct Lot<'a> {
    pub profil: &'a str,
    /// The report date of the run.
    pub au: NaiveDate,
    pub alertes: Vec<&'a Told>,
}

impl Lot<'_> {
    /// The webhook's body: who sends, when, and each alert with its typed figures.
    pub fn json(&self, envoi: &str, now: NaiveDateTime) -> Value {
        let alertes: Vec<Value> = self
            .alertes
            .iter()
            .map(|told| {
                let mut item = Map::new();
                item.insert("id".to_owned(), json!(told.id));
                item.insert("cle".to_owned(), json!(told.cle));
                item.insert("type".to_owned(), json!(told.genre));
                item.insert("message".to_owned(), json!(told.message));
                item.insert("detectee_le".to_owned(), json!(iso_time(told.detectee_at)));
                if let Ok(Value::Object(data)) = serde_json::from_str::<Value>(&told.data_json) {
                    for (key, value) in data {
                        item.entry(key).or_insert(value);
                    }
                }
                Value::Object(item)
            })
            .collect();
        json!({
            "source": "jlm-batigest",
            "version": env!("CARGO_PKG_VERSION"),
            "profil": self.profil,
            "envoi": envoi,
            "au": date(self.au),
            "envoye_le": iso_time(now),
            "nombre": alertes.len(),
            "alertes": alertes,
        })
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

    /// The same e-mail in HTML.
    pub fn html(&self) -> String {
        use crate::output::html::esc;
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family: sans-serif\">\n<p>jlm-batigest (profil {}) signale au {} :</p>\n",
            esc(&self.subject()),
            esc(self.profil),
            date_fr(self.au)
        );
        for (genre, alertes) in self.by_genre() {
            let _ = write!(html, "<h2>{} ({})</h2>\n<ul>\n", esc(title(genre, alertes.len())), alertes.len());
            for told in alertes {
                let _ = writeln!(html, "<li>{}</li>", esc(&told.message));
            }
            html.push_str("</ul>\n");
        }
        html.push_str("<p>Chaque alerte n'est envoyée qu'une fois.</p>\n</body></html>\n");
        html
    }

    fn by_genre(&self) -> Vec<(Genre, Vec<&Told>)> {
        Genre::ALL
            .into_iter()
            .map(|genre| (genre, self.alertes.iter().copied().filter(|told| told.genre == genre.code()).collect()))
            .filter(|(_, alertes): &(Genre, Vec<&Told>)| !alertes.is_empty())
            .collect()
    }
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
