//! `jlm-batigest tresorerie`: the cash-in forecast — the reste dû of the open invoices by due date,
//! week by week (or month by month), what is already late, credit notes apart, and what committed
//! devis still have to invoice.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::context::{Context, Render, block_on, resolve};
use super::values;
use crate::app::tresorerie::{self, Request};
use crate::error::Result;
use crate::output::{self, Cell, Column, Kind as Col, Style, format};
use crate::report::tresorerie::{Horizon, Step};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest tresorerie
      encaissements attendus sur 13 semaines, semaine par semaine, à partir d'aujourd'hui
  jlm-batigest tresorerie --par mois --horizon 6m
  jlm-batigest tresorerie --au 01/12/2025 --detail --format csv --excel -o tresorerie.csv
      chaque facture et chaque devis derrière chaque ligne, pour Excel

Chaque facture ouverte (NON_REGLE, PARTIELLEMENT_REGLE) est attendue à son échéance pour son reste dû
(TTC − réglé) ; échue avant la date du rapport, elle est « en retard » (par ancienneté) ; après
l'horizon, « au-delà ». Les avoirs ne sont jamais placés dans le temps : ils ont leur ligne. Les lignes
s'additionnent au reste dû de toutes les factures ouvertes. À part : ce qui reste à facturer sur les
devis engagés (HT du devis − HT déjà facturé, TTC au ratio du devis), sans date.";

/// Prévision d'encaissements : reste dû des factures ouvertes par échéance, retards, avoirs, reste à facturer
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Date du rapport (défaut : aujourd'hui), AAAA-MM-JJ ou JJ/MM/AAAA
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    au: Option<NaiveDate>,

    /// Jusqu'où regarder : N semaines (13s) ou N mois (6m), la semaine ou le mois du rapport compris
    /// (défaut : 13s par semaine, 6m par mois)
    #[arg(long, value_name = "DURÉE", value_parser = horizon)]
    horizon: Option<Horizon>,

    /// Découpage des encaissements attendus
    #[arg(long, value_enum, value_name = "PAS", default_value = "semaine")]
    par: Par,

    /// Liste aussi chaque facture et chaque devis derrière chaque ligne
    #[arg(long)]
    detail: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Par {
    /// semaines (du lundi au dimanche ; la première commence à la date du rapport)
    Semaine,
    /// mois civils (le premier commence à la date du rapport)
    Mois,
}

/// `13s`, `6m`: 1 to 104 weeks or 1 to 24 months.
fn horizon(text: &str) -> std::result::Result<Horizon, String> {
    let text = text.trim();
    let expected = || "durée attendue en semaines (ex. 13s, de 1s à 104s) ou en mois (ex. 6m, de 1m à 24m)".to_owned();
    let (count, step, max) = match text.char_indices().last() {
        Some((at, 's' | 'S')) => (&text[..at], Step::Week, 104),
        Some((at, 'm' | 'M')) => (&text[..at], Step::Month, 24),
        _ => return Err(expected()),
    };
    match count.parse::<u32>() {
        Ok(count) if (1..=max).contains(&count) => Ok(Horizon { count, step }),
        _ => Err(expected()),
    }
}

const LINES: [Column; 7] = [
    Column { key: "ligne", header: "Ligne", kind: Col::Text },
    Column { key: "libelle", header: "", kind: Col::Text },
    Column { key: "du", header: "Du", kind: Col::Date },
    Column { key: "au", header: "Au", kind: Col::Date },
    Column { key: "nombre_factures", header: "Factures", kind: Col::Integer },
    Column { key: "encaissement_ttc", header: "Encaissement TTC", kind: Col::Money },
    Column { key: "cumul_ttc", header: "Cumul", kind: Col::Money },
];

const A_FACTURER: [Column; 4] = [
    Column { key: "ligne", header: "Ligne", kind: Col::Text },
    Column { key: "nombre_devis", header: "Devis", kind: Col::Integer },
    Column { key: "reste_ht", header: "Reste à facturer HT", kind: Col::Money },
    Column { key: "reste_ttc", header: "Reste à facturer TTC", kind: Col::Money },
];

const FACTURES: [Column; 7] = [
    Column { key: "ligne", header: "Ligne", kind: Col::Text },
    Column { key: "numero_facture", header: "Facture", kind: Col::Text },
    Column { key: "code_client", header: "Client", kind: Col::Text },
    Column { key: "nom_client", header: "Nom du client", kind: Col::Text },
    Column { key: "date_echeance", header: "Échéance", kind: Col::Date },
    Column { key: "jours_retard", header: "Retard (j)", kind: Col::Integer },
    Column { key: "reste_du", header: "Reste dû", kind: Col::Money },
];

const DEVIS: [Column; 6] = [
    Column { key: "numero_devis", header: "Devis", kind: Col::Text },
    Column { key: "montant_ht", header: "Montant HT", kind: Col::Money },
    Column { key: "montant_ttc", header: "Montant TTC", kind: Col::Money },
    Column { key: "facture_ht", header: "Déjà facturé HT", kind: Col::Money },
    Column { key: "reste_ht", header: "Reste HT", kind: Col::Money },
    Column { key: "reste_ttc", header: "Reste TTC", kind: Col::Money },
];

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let au = args.au.unwrap_or_else(|| chrono::Local::now().date_naive());
    let step = match args.par {
        Par::Semaine => Step::Week,
        Par::Mois => Step::Month,
    };
    let horizon = args.horizon.unwrap_or(match step {
        Step::Week => Horizon { count: 13, step },
        Step::Month => Horizon { count: 6, step },
    });
    let app = resolve(ctx)?;
    let render = &ctx.render;
    block_on(async {
        let mut client = app.connect().await?;
        let mut progress = render.progress("factures");
        let request = Request { au, horizon, step, detail: args.detail };
        let result = tresorerie::forecast(&app, &mut client, request, || progress.inc()).await?;
        progress.finish();

        let mut destination = render.destination()?;
        let mut sink = output::sink(render.options, "tresorerie", &mut destination);
        sink.begin(&LINES)?;
        let mut cumul = Decimal::ZERO;
        for line in result.forecast.lines() {
            cumul += line.montant;
            let cells = [
                line.key.as_str().into(),
                line.libelle.as_str().into(),
                line.du.into(),
                line.au.into(),
                (line.nombre as i64).into(),
                line.montant.into(),
                cumul.into(),
            ];
            sink.row(&cells, Style { highlight: line.key.starts_with("en_retard") && line.nombre > 0 })?;
        }
        let (nombre, total) = result.forecast.total();
        let mut totals = vec![Cell::Empty; LINES.len()];
        totals[0] = format!("Total au {}", format::date_fr(au)).into();
        totals[4] = (nombre as i64).into();
        totals[5] = total.into();
        sink.totals(&totals)?;
        let engages = result.a_facturer;
        let reste = vec![vec![
            "devis_engages".into(),
            engages.nombre.into(),
            engages.reste_ht.into(),
            engages.reste_ttc.into(),
        ]];
        let title = "Reste à facturer sur les devis engagés (sans date : hors total)";
        sink.section("a_facturer", title, &A_FACTURER, reste)?;
        if args.detail {
            let factures = result
                .factures
                .iter()
                .map(|f| {
                    vec![
                        f.ligne.as_str().into(),
                        f.numero.as_str().into(),
                        f.client_code.as_str().into(),
                        f.client_nom.as_str().into(),
                        f.date_echeance.into(),
                        i64::from(f.jours_retard).into(),
                        f.reste_du.into(),
                    ]
                })
                .collect();
            sink.section("factures", "Factures derrière chaque ligne", &FACTURES, factures)?;
            let devis = result
                .devis
                .iter()
                .map(|d| {
                    vec![
                        d.numero.as_str().into(),
                        d.montant_ht.into(),
                        d.montant_ttc.into(),
                        d.facture_ht.into(),
                        d.reste_ht.into(),
                        d.reste_ttc.into(),
                    ]
                })
                .collect();
            sink.section("devis", "Devis engagés restant à facturer", &DEVIS, devis)?;
        }
        sink.finish()?;
        Render::commit(destination)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons_in_weeks_or_months() {
        assert_eq!(horizon("13s"), Ok(Horizon { count: 13, step: Step::Week }));
        assert_eq!(horizon(" 6M "), Ok(Horizon { count: 6, step: Step::Month }));
        for bad in ["", "s", "0s", "105s", "25m", "13", "-1s", "13j", "1.5m", "é"] {
            assert!(horizon(bad).is_err_and(|e| e.contains("13s")), "{bad}");
        }
    }
}
