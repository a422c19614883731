//! Payment reminder letters (`relances --lettres DIR`): one self-contained, printable HTML page per
//! customer, from a template with `{{name}}` placeholders — the built-in one, or a profile's.
//! Values are HTML-escaped; the invoice table is built here. Nothing is loaded from outside.

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::NaiveDate;

use super::format;
use super::html::esc;
use crate::report::relances::{Client, libelle};

/// The built-in letter.
pub const MODELE: &str = include_str!("lettre.html");

/// Writes `client`'s letter at `au` from `template`.
pub fn write(
    out: &mut dyn Write,
    template: &str,
    client: &Client,
    au: NaiveDate,
    taux: Option<rust_decimal::Decimal>,
) -> io::Result<()> {
    let niveau = client.niveau();
    let objet = match niveau {
        1 => "Relance : facture(s) restée(s) impayée(s)",
        2 => "Seconde relance : facture(s) restée(s) impayée(s)",
        _ => "Mise en demeure de payer",
    };
    let introduction = match niveau {
        1 => {
            "Sauf erreur ou omission de notre part, les factures ci-dessous restent impayées à ce jour. Nous vous \
              remercions de bien vouloir procéder à leur règlement dans les meilleurs délais."
        }
        2 => {
            "Malgré notre précédente relance, les factures ci-dessous restent impayées. Nous vous prions de procéder \
              à leur règlement sous huit jours."
        }
        _ => {
            "Malgré nos relances, les factures ci-dessous restent impayées. Par la présente, nous vous mettons en \
              demeure de régler les sommes dues sous huit jours, faute de quoi nous engagerons une procédure de \
              recouvrement."
        }
    };
    let mut mentions = Vec::new();
    match taux {
        Some(taux) => mentions.push(format!(
            "Pénalités de retard au taux annuel de {} %, calculées du lendemain de l'échéance au {} sur le reste dû.",
            format::decimal_fr(taux, 2),
            format::date_fr(au)
        )),
        None => mentions.push("Pénalités de retard : non calculées (aucun taux configuré).".to_owned()),
    }
    if client.professionnel {
        mentions.push(
            "Indemnité forfaitaire pour frais de recouvrement de 40 € par facture (article L441-10 du Code de \
             commerce)."
                .to_owned(),
        );
    }
    let penalites = client.penalites().map_or_else(|| "—".to_owned(), format::money);
    let values: [(&str, String); 12] = [
        ("date", esc(&format::date_fr(au))),
        ("client_code", esc(&client.code)),
        ("client_nom", esc(&client.nom)),
        ("niveau", format!("{niveau} ({})", libelle(niveau))),
        ("objet", esc(objet)),
        ("introduction", esc(introduction)),
        ("factures", table(client, taux.is_some())),
        ("reste_du", esc(&format::money(client.reste_du()))),
        ("penalites", esc(&penalites)),
        ("indemnites", esc(&format::money(client.indemnites()))),
        ("total", esc(&format::money(client.total()))),
        (
            "mentions",
            mentions.iter().fold(String::new(), |mut out, m| {
                let _ = write!(out, "<p>{}</p>", esc(m));
                out
            }),
        ),
    ];
    out.write_all(fill(template, &values).as_bytes())
}

/// `template` with every `{{name}}` of `values` replaced; unknown placeholders stay as written.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 4096);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}").map(|end| (after[..end].trim(), end)) {
            Some((name, end)) if values.iter().any(|(key, _)| *key == name) => {
                let value = values.iter().find(|(key, _)| *key == name).map(|(_, v)| v.as_str()).unwrap_or_default();
                out.push_str(value);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn table(client: &Client, with_penalties: bool) -> String {
    let mut html = String::from(
        "<table><thead><tr><th>Facture</th><th>Date</th><th>Échéance</th><th>Retard</th><th>Reste dû</th>",
    );
    if with_penalties {
        html.push_str("<th>Pénalités</th>");
    }
    if client.professionnel {
        html.push_str("<th>Indemnité</th>");
    }
    html.push_str("</tr></thead><tbody>");
    for f in &client.factures {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{} j</td><td class=\"n\">{}</td>",
            esc(&f.numero_facture),
            format::date_fr(f.date_facture),
            format::date_fr(f.date_echeance),
            f.jours_retard,
            esc(&format::money(f.reste_du)),
        );
        if with_penalties {
            let _ = write!(html, "<td class=\"n\">{}</td>", esc(&f.penalites.map(format::money).unwrap_or_default()));
        }
        if client.professionnel {
            let _ = write!(html, "<td class=\"n\">{}</td>", esc(&format::money(f.indemnite)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let values = [("client_nom", "L&#39;Épi".to_owned()), ("total", "12,00 €".to_owned())];
        assert_eq!(fill("A {{client_nom}}, {{ total }} {{autre}} {{", &values), "A L&#39;Épi, 12,00 € {{autre}} {{");
    }
}
