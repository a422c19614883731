//! Payment reminder letters (`relances --lettres DIR`): one self-contained, printable HTML page per
//! customer, from a minijinja template ([`super::template`]) — the built-in one, or a profile's,
//! read at run time. Its `{{name}}` placeholders are the ones such templates always had; the
//! engine escapes every value, and builds the invoice table and the mentions from its own
//! fragments. Nothing is loaded from outside.

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::NaiveDate;
use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use super::{format, template};
use crate::report::relances::{Client, libelle};

/// The built-in letter.
pub const MODELE: &str = include_str!("lettre.html");

/// The fields a letter template can show (README « relances »).
pub const CHAMPS: [&str; 12] = [
    "date",
    "client_code",
    "client_nom",
    "niveau",
    "objet",
    "introduction",
    "factures",
    "reste_du",
    "penalites",
    "indemnites",
    "total",
    "mentions",
];

/// The invoice table (`{{factures}}`) and the mentions (`{{mentions}}`), inserted as markup.
const FACTURES: &str = "<table><thead><tr><th>Facture</th><th>Date</th><th>Échéance</th><th>Retard</th>\
<th>Reste dû</th>{% if penalites %}<th>Pénalités</th>{% endif %}{% if professionnel %}<th>Indemnité</th>{% endif %}\
</tr></thead><tbody>{% for f in factures %}<tr><td>{{ f.numero }}</td><td>{{ f.date }}</td><td>{{ f.echeance }}</td>\
<td class=\"n\">{{ f.jours }} j</td><td class=\"n\">{{ f.reste_du }}</td>\
{% if penalites %}<td class=\"n\">{{ f.penalites }}</td>{% endif %}\
{% if professionnel %}<td class=\"n\">{{ f.indemnite }}</td>{% endif %}</tr>{% endfor %}</tbody></table>";
const MENTIONS: &str = "{% for m in mentions %}<p>{{ m }}</p>{% endfor %}";

/// A letter template, checked once before the first letter is written.
pub struct Modele {
    env: Environment<'static>,
    /// Names the template uses that are none of [`CHAMPS`]: printed as written, `{{name}}`, as
    /// they always were, so that a misspelt field shows in the letter rather than vanishing.
    inconnus: Vec<String>,
}

#[derive(Serialize)]
struct Ligne {
    numero: String,
    date: String,
    echeance: String,
    jours: i64,
    reste_du: String,
    penalites: String,
    indemnite: String,
}

impl Modele {
    /// Compiles `source`: a syntax error is reported here, with its line.
    pub fn new(source: String) -> Result<Self, minijinja::Error> {
        let mut env = template::environment(false);
        env.add_template_owned("lettre.html", source)?;
        env.add_template("factures", FACTURES)?;
        env.add_template("mentions", MENTIONS)?;
        let mut inconnus: Vec<String> = env
            .get_template("lettre.html")?
            .undeclared_variables(false)
            .into_iter()
            .filter(|name| !CHAMPS.contains(&name.as_str()))
            .collect();
        inconnus.sort();
        Ok(Self { env, inconnus })
    }

    /// The built-in letter.
    pub fn integre() -> Self {
        Self::new(MODELE.to_owned()).expect("the built-in letter compiles")
    }

    /// Writes `client`'s letter at `au`.
    pub fn write(
        &self,
        out: &mut dyn Write,
        client: &Client,
        au: NaiveDate,
        taux: Option<rust_decimal::Decimal>,
    ) -> io::Result<()> {
        let page = self.render(client, au, taux).map_err(|e| io::Error::other(template::reason(&e)))?;
        out.write_all(page.as_bytes())
    }

    fn render(
        &self,
        client: &Client,
        au: NaiveDate,
        taux: Option<rust_decimal::Decimal>,
    ) -> Result<String, minijinja::Error> {
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
        let lignes: Vec<Ligne> = client
            .factures
            .iter()
            .map(|f| Ligne {
                numero: f.numero_facture.clone(),
                date: format::date_fr(f.date_facture),
                echeance: format::date_fr(f.date_echeance),
                jours: f.jours_retard.into(),
                reste_du: format::money(f.reste_du),
                penalites: f.penalites.map(format::money).unwrap_or_default(),
                indemnite: format::money(f.indemnite),
            })
            .collect();
        let factures = self.env.get_template("factures")?.render(minijinja::context! {
            factures => Serde(&lignes),
            penalites => taux.is_some(),
            professionnel => client.professionnel,
        })?;
        let mentions = self.env.get_template("mentions")?.render(minijinja::context! { mentions => mentions })?;
        self.fill([
            ("date", Value::from(format::date_fr(au))),
            ("client_code", Value::from(client.code.as_str())),
            ("client_nom", Value::from(client.nom.as_str())),
            ("niveau", Value::from(format!("{niveau} ({})", libelle(niveau)))),
            ("objet", Value::from(objet)),
            ("introduction", Value::from(introduction)),
            ("factures", Value::from_safe_string(factures)),
            ("reste_du", Value::from(format::money(client.reste_du()))),
            ("penalites", Value::from(penalites)),
            ("indemnites", Value::from(format::money(client.indemnites()))),
            ("total", Value::from(format::money(client.total()))),
            ("mentions", Value::from_safe_string(mentions)),
        ])
    }

    /// The template with `values`; a name it uses that is none of them is printed as written.
    fn fill<'a>(&self, values: impl IntoIterator<Item = (&'a str, Value)>) -> Result<String, minijinja::Error> {
        let mut context: BTreeMap<String, Value> = self
            .inconnus
            .iter()
            .map(|name| (name.clone(), Value::from_safe_string(format!("{{{{{name}}}}}"))))
            .collect();
        context.extend(values.into_iter().map(|(name, value)| (name.to_owned(), value)));
        self.env.get_template("lettre.html")?.render(Value::from(context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(template: &str, values: &[(&str, &str)]) -> String {
        let modele = Modele::new(template.to_owned()).unwrap();
        modele.fill(values.iter().map(|&(name, value)| (name, Value::from(value)))).unwrap()
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let values = [("client_nom", "L'Épi"), ("total", "12,00 €")];
        assert_eq!(fill("A {{client_nom}}, {{ total }} {{autre}}\n", &values), "A L&#39;Épi, 12,00 € {{autre}}\n");
    }

    #[test]
    fn a_broken_template_is_refused_with_its_line() {
        let error = Modele::new("<p>\n{{ client_nom </p>".to_owned()).err().expect("refused");
        assert!(template::reason(&error).contains("ligne 2"), "{}", template::reason(&error));
        assert!(Modele::new(MODELE.to_owned()).is_ok_and(|modele| modele.inconnus.is_empty()));
    }
}
