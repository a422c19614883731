//! `jlm-batigest coefficients`: sale/purchase coefficients of active ouvrages, by family.

use super::context::{Context, Render, block_on, resolve};
use crate::app::coefficients;
use crate::error::{Error, Kind, Result};
use crate::model::Classe;
use crate::output::{self, Cell, Column, Kind as Col, RecordSink, Style, format};
use crate::report::coefficients::{CoefficientReport, GroupKey, Grouping, NON_CLASSE, OuvrageCoefficient, Settings};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest coefficients
      coefficient moyen, écart type, min, max par famille
  jlm-batigest coefficients --par sous-famille --famille MENUISERIE_EXT
  jlm-batigest coefficients --par ouvrage --format csv --excel -o coefficients.csv
  jlm-batigest coefficients --fail-on-alert
      code 6 si une famille est sous sa cible ou un ouvrage hors tolérance

Coefficient = prix de vente HT / prix d'achat HT ; coefficient théorique = (1 + frais généraux) ×
(1 + bénéfice). Les ouvrages au prix d'achat nul sont listés à part (anomalies). Cibles et
tolérance : section [profiles.NOM.coefficients] du fichier de configuration.";

/// Coefficients de marge des ouvrages actifs, par famille, sous-famille ou ouvrage
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Seulement cette famille (code, ex. MENUISERIE_EXT)
    #[arg(long, value_name = "CODE")]
    famille: Option<String>,

    /// Regroupement
    #[arg(long, value_enum, value_name = "NIVEAU", default_value = "famille")]
    par: Par,

    /// Code de sortie 6 si une famille est sous sa cible ou un ouvrage hors tolérance
    #[arg(long)]
    fail_on_alert: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Par {
    /// une ligne par famille
    Famille,
    /// une ligne par sous-famille
    SousFamille,
    /// une ligne par ouvrage
    Ouvrage,
}

const COEFFICIENT: Col = Col::Decimal { scale: 4 };

const GROUP_STATS: [Column; 9] = [
    Column { key: "nombre", header: "Ouvrages", kind: Col::Integer },
    Column { key: "coefficient_moyen", header: "Moyen", kind: COEFFICIENT },
    Column { key: "ecart_type", header: "Écart type", kind: COEFFICIENT },
    Column { key: "coefficient_min", header: "Min", kind: COEFFICIENT },
    Column { key: "coefficient_max", header: "Max", kind: COEFFICIENT },
    Column { key: "coefficient_theorique_moyen", header: "Théorique", kind: COEFFICIENT },
    Column { key: "hors_tolerance", header: "Hors tolérance", kind: Col::Integer },
    Column { key: "cible", header: "Cible", kind: COEFFICIENT },
    Column { key: "sous_cible", header: "Sous la cible", kind: Col::Bool },
];

const FAMILLE: [Column; 2] = [
    Column { key: "famille", header: "Famille", kind: Col::Text },
    Column { key: "libelle", header: "Libellé", kind: Col::Text },
];

const SOUS_FAMILLE: [Column; 3] = [
    Column { key: "famille", header: "Famille", kind: Col::Text },
    Column { key: "sous_famille", header: "Sous-famille", kind: Col::Text },
    Column { key: "libelle", header: "Libellé", kind: Col::Text },
];

const OUVRAGE: [Column; 10] = [
    Column { key: "code_ouvrage", header: "Ouvrage", kind: Col::Text },
    Column { key: "libelle", header: "Libellé", kind: Col::Text },
    Column { key: "famille", header: "Famille", kind: Col::Text },
    Column { key: "sous_famille", header: "Sous-famille", kind: Col::Text },
    Column { key: "prix_achat_ht", header: "Achat HT", kind: Col::Money },
    Column { key: "prix_vente_ht", header: "Vente HT", kind: Col::Money },
    Column { key: "coefficient", header: "Coefficient", kind: COEFFICIENT },
    Column { key: "coefficient_theorique", header: "Théorique", kind: COEFFICIENT },
    Column { key: "ecart", header: "Écart", kind: Col::Decimal { scale: 4 } },
    Column { key: "hors_tolerance", header: "Hors tolérance", kind: Col::Bool },
];

const ANOMALIES: [Column; 4] = [
    Column { key: "code_ouvrage", header: "Ouvrage", kind: Col::Text },
    Column { key: "libelle", header: "Libellé", kind: Col::Text },
    Column { key: "famille", header: "Famille", kind: Col::Text },
    Column { key: "prix_vente_ht", header: "Vente HT", kind: Col::Money },
];

const SOUS_CIBLE: [Column; 8] = [
    Column { key: "famille", header: "Famille", kind: Col::Text },
    Column { key: "cible", header: "Cible", kind: COEFFICIENT },
    Column { key: "coefficient_moyen", header: "Moyen", kind: COEFFICIENT },
    Column { key: "code_ouvrage", header: "Ouvrage", kind: Col::Text },
    Column { key: "libelle", header: "Libellé", kind: Col::Text },
    Column { key: "prix_achat_ht", header: "Achat HT", kind: Col::Money },
    Column { key: "coefficient", header: "Coefficient", kind: COEFFICIENT },
    Column { key: "prix_vente_requis", header: "Vente HT requise", kind: Col::Money },
];

fn code(classe: Option<&Classe>) -> Cell {
    classe.map_or(Cell::Empty, |c| c.code.as_str().into())
}

fn ouvrage_cells(line: &OuvrageCoefficient<'_>, tolerance: rust_decimal::Decimal) -> Vec<Cell> {
    let o = line.ouvrage;
    vec![
        o.code.as_str().into(),
        o.libelle.as_str().into(),
        o.famille.as_ref().map_or(NON_CLASSE, |f| f.code.as_str()).into(),
        code(o.sous_famille.as_ref()),
        o.prix_achat_ht.into(),
        o.prix_vente_ht.into(),
        line.coefficient.into(),
        line.coefficient_theorique.into(),
        line.ecart.into(),
        line.is_beyond(tolerance).into(),
    ]
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let app = resolve(ctx)?;
    let render = &ctx.render;
    let grouping = match args.par {
        Par::Famille => Grouping::Famille,
        Par::SousFamille => Grouping::SousFamille,
        Par::Ouvrage => Grouping::Ouvrage,
    };
    let coefficients = block_on(async {
        let mut client = app.connect().await?;
        coefficients::load(&app, &mut client, args.famille.as_deref(), grouping).await
    })?;
    if coefficients.ouvrages.is_empty()
        && let Some(famille) = &args.famille
    {
        return Err(Error::new(Kind::NotFound, format!("aucun ouvrage actif dans la famille « {famille} »"))
            .with_hint("vérifiez le code de la famille : « jlm-batigest coefficients » les liste toutes"));
    }
    let (report, settings) = (coefficients.report(), &coefficients.settings);
    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "coefficients", &mut destination);
    write(&mut *sink, &report, settings)?;
    sink.finish()?;
    Render::commit(destination)?;

    let alerts = report.alerts();
    if args.fail_on_alert && alerts.any() {
        return Err(Error::new(
            Kind::Alert,
            format!(
                "alertes : {} famille(s) sous leur cible, {} ouvrage(s) hors tolérance (± {})",
                alerts.familles_sous_cible,
                alerts.ouvrages_hors_tolerance,
                format::decimal_fr(settings.tolerance, 2)
            ),
        ));
    }
    Ok(())
}

fn write(sink: &mut dyn RecordSink, report: &CoefficientReport<'_>, settings: &Settings) -> std::io::Result<()> {
    let tolerance = settings.tolerance;
    if settings.grouping == Grouping::Ouvrage {
        sink.begin(&OUVRAGE)?;
        for line in report.ouvrages_in_order() {
            sink.row(&ouvrage_cells(line, tolerance), Style { highlight: line.is_beyond(tolerance) })?;
        }
    } else {
        let key_columns: &[Column] = if settings.grouping == Grouping::Famille { &FAMILLE } else { &SOUS_FAMILLE };
        let columns: Vec<Column> = key_columns.iter().chain(GROUP_STATS.iter()).copied().collect();
        sink.begin(&columns)?;
        for group in &report.groups {
            let mut cells: Vec<Cell> = match group.key {
                GroupKey::SousFamille { famille, .. } => {
                    vec![
                        famille.map_or(NON_CLASSE, |f| f.code.as_str()).into(),
                        code_or_none(&group.key),
                        group.key.libelle().into(),
                    ]
                }
                _ => vec![code_or_none(&group.key), group.key.libelle().into()],
            };
            let stats = &group.stats;
            cells.extend([
                Cell::from(stats.nombre as i64),
                stats.moyenne.into(),
                stats.ecart_type.into(),
                stats.min.into(),
                stats.max.into(),
                stats.moyenne_theorique.into(),
                Cell::from(group.hors_tolerance.len() as i64),
                group.cible.into(),
                group.cible.map(|_| group.sous_cible).into(),
            ]);
            sink.row(&cells, Style { highlight: group.sous_cible })?;
        }
        let beyond: Vec<Vec<Cell>> = report
            .ouvrages
            .iter()
            .filter(|line| line.is_beyond(tolerance))
            .map(|line| ouvrage_cells(line, tolerance))
            .collect();
        sink.section(
            "hors_tolerance",
            &format!("Ouvrages hors tolérance (écart au théorique > {})", format::decimal_fr(tolerance, 2)),
            &OUVRAGE,
            beyond,
        )?;
    }
    let anomalies = report
        .anomalies
        .iter()
        .map(|line| {
            let o = line.ouvrage;
            vec![
                o.code.as_str().into(),
                o.libelle.as_str().into(),
                o.famille.as_ref().map_or(NON_CLASSE, |f| f.code.as_str()).into(),
                o.prix_vente_ht.into(),
            ]
        })
        .collect();
    sink.section("anomalies", "Anomalies : prix d'achat nul (coefficient incalculable)", &ANOMALIES, anomalies)?;
    let below = report
        .familles_sous_cible
        .iter()
        .flat_map(|famille| {
            famille.ouvrages.iter().map(move |required| {
                vec![
                    famille.famille.code.as_str().into(),
                    famille.cible.into(),
                    famille.moyenne.into(),
                    required.ouvrage.code.as_str().into(),
                    required.ouvrage.libelle.as_str().into(),
                    required.ouvrage.prix_achat_ht.into(),
                    required.coefficient.into(),
                    required.prix_vente_requis.into(),
                ]
            })
        })
        .collect();
    sink.section("familles_sous_cible", "Familles sous leur cible : prix de vente requis", &SOUS_CIBLE, below)
}

fn code_or_none(key: &GroupKey<'_>) -> Cell {
    key.code().unwrap_or(NON_CLASSE).into()
}
