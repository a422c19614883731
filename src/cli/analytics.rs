//! `jlm-batigest analytics`: the KPIs of a period and their evolution per month, quarter or year.

use std::io::Write;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::context::{Context, Render, block_on, local_time, resolve};
use super::values;
use crate::app::analytics::{self, Document, Indicateurs, Periode as Saved, Request, RequestError};
use crate::app::open_store;
use crate::error::{Error, Result};
use crate::jlm::analytics::SavedAnalytics;
use crate::output::{self, Cell, Column, Kind, RecordSink, Style, format};
use crate::report::kpi::Granularity;

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest analytics
      indicateurs de l'année en cours jusqu'à aujourd'hui
  jlm-batigest analytics --from 2024-01-01 --to 2024-12-31 --periode mensuel
      une ligne par mois, puis le total de l'année
  jlm-batigest analytics --from 01/01/2025 --to 31/12/2025 --periode mensuel --format csv --excel -o marges-2025.csv
      l'export mensuel des marges pour Excel
  jlm-batigest analytics --from 2025-01-01 --to 2025-12-31 --par menuiserie --jlm-db postgres://erp@serveur/jlm
      les indicateurs par type de menuiserie des offres de JLM ERP (fenêtre, porte…)

Définitions : devis rattachés à leur date de création, factures à leur date ; devis émis = tout
statut sauf BROUILLON ; engagés = VALIDE ou ACCEPTE. Un taux sur rien (division par zéro) est
laissé vide, jamais 0. La facturation en cours est calculée à la date de fin (--to).";

/// Indicateurs : conversion, chiffre d'affaires prévu, facturé, réalisé, marges prévues et réelles
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,

    /// Début de la période (incluse ; défaut : 1er janvier de l'année en cours)
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    from: Option<NaiveDate>,

    /// Fin de la période (incluse ; défaut : aujourd'hui)
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    to: Option<NaiveDate>,

    /// Évolution par mois, trimestre ou année (sinon : la période entière)
    #[arg(long, value_enum, value_name = "PÉRIODE")]
    periode: Option<Periode>,

    /// Par type de menuiserie des offres de JLM ERP auxquelles les devis sont rattachés (une ligne
    /// par type, puis les devis sans offre) ; demande la base de JLM ERP, n'est pas enregistré
    #[arg(long, value_enum, value_name = "REGROUPEMENT", conflicts_with_all = ["periode", "no_save"])]
    par: Option<Par>,

    /// N'enregistre pas ce calcul dans l'historique (table batigest_analytics du magasin JLM)
    #[arg(long)]
    no_save: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Par {
    /// Le `menuiserie_type` des offres de JLM ERP
    Menuiserie,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    History(HistoryArgs),
}

const HISTORY_EXAMPLES: &str = "\
Exemples :
  jlm-batigest analytics history
      les calculs enregistrés, du plus récent au plus ancien
  jlm-batigest analytics history --periode mensuel --limit 12
  jlm-batigest analytics history --id 7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11 --format json
      le calcul n° 42 en entier, tel qu'il a été enregistré";

/// Calculs d'indicateurs enregistrés (historique)
#[derive(Debug, clap::Args)]
#[command(after_help = HISTORY_EXAMPLES)]
struct HistoryArgs {
    /// Seulement les calculs de ce découpage
    #[arg(long, value_enum, value_name = "PÉRIODE", conflicts_with = "id")]
    periode: Option<SavedPeriode>,

    /// Nombre maximal de calculs
    #[arg(long, value_name = "N", value_parser = values::positive, conflicts_with = "id")]
    limit: Option<u64>,

    /// Montre un calcul enregistré en entier
    #[arg(long, value_name = "ID", value_parser = values::id)]
    id: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Periode {
    Mensuel,
    Trimestriel,
    Annuel,
}

/// The `periode` column of a saved run: its bucket size, or `global` for a whole period.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SavedPeriode {
    Mensuel,
    Trimestriel,
    Annuel,
    Global,
}

impl SavedPeriode {
    fn periode(self) -> Saved {
        match self {
            SavedPeriode::Mensuel => Saved::Mensuel,
            SavedPeriode::Trimestriel => Saved::Trimestriel,
            SavedPeriode::Annuel => Saved::Annuel,
            SavedPeriode::Global => Saved::Global,
        }
    }
}

const RATE: Kind = Kind::Percent { scale: 2 };

const COLUMNS: [Column; 13] = [
    Column { key: "periode", header: "Période", kind: Kind::Text },
    Column { key: "du", header: "Du", kind: Kind::Date },
    Column { key: "au", header: "Au", kind: Kind::Date },
    Column { key: "nombre_devis", header: "Devis émis", kind: Kind::Integer },
    Column { key: "nombre_factures", header: "Factures", kind: Kind::Integer },
    Column { key: "ca_prevu", header: "CA prévu", kind: Kind::Money },
    Column { key: "ca_facture", header: "CA facturé", kind: Kind::Money },
    Column { key: "ca_realise", header: "CA réalisé", kind: Kind::Money },
    Column { key: "taux_conversion", header: "Conversion", kind: RATE },
    Column { key: "taux_conversion_nombre", header: "Conversion (nb)", kind: RATE },
    Column { key: "marge_prevue_moyenne", header: "Marge prévue", kind: RATE },
    Column { key: "marge_reelle_moyenne", header: "Marge réelle", kind: RATE },
    Column { key: "ecart_marge", header: "Écart (pts)", kind: Kind::Decimal { scale: 2 } },
];

/// The columns of `--par menuiserie`: the type instead of the period.
const PAR_MENUISERIE: [Column; 13] = {
    let mut columns = COLUMNS;
    columns[0] = Column { key: "menuiserie", header: "Menuiserie", kind: Kind::Text };
    columns
};

const EN_COURS: [Column; 6] = [
    Column { key: "nombre", header: "Factures ouvertes", kind: Kind::Integer },
    Column { key: "montant_ht", header: "Montant HT", kind: Kind::Money },
    Column { key: "reste_du", header: "Reste dû", kind: Kind::Money },
    Column { key: "nombre_en_retard", header: "En retard", kind: Kind::Integer },
    Column { key: "reste_du_en_retard", header: "Reste dû en retard", kind: Kind::Money },
    Column { key: "retard_moyen", header: "Retard moyen (j)", kind: Kind::Decimal { scale: 1 } },
];

const FAMILLES: [Column; 6] = [
    Column { key: "famille", header: "Famille", kind: Kind::Text },
    Column { key: "libelle", header: "Libellé", kind: Kind::Text },
    Column { key: "nombre", header: "Ouvrages", kind: Kind::Integer },
    Column { key: "coefficient_moyen", header: "Coefficient moyen", kind: Kind::Decimal { scale: 4 } },
    Column { key: "cible", header: "Cible", kind: Kind::Decimal { scale: 4 } },
    Column { key: "sous_cible", header: "Sous la cible", kind: Kind::Bool },
];

fn kpi_cells(row: &Indicateurs) -> Vec<Cell> {
    vec![
        row.periode.as_str().into(),
        row.du.into(),
        row.au.into(),
        (row.nombre_devis as i64).into(),
        (row.nombre_factures as i64).into(),
        row.ca_prevu.into(),
        row.ca_facture.into(),
        row.ca_realise.into(),
        row.taux_conversion.into(),
        row.taux_conversion_nombre.into(),
        row.marge_prevue_moyenne.into(),
        row.marge_reelle_moyenne.into(),
        row.ecart_marge.into(),
    ]
}

/// Writes a run: one row per bucket (or one for the period), the period's totals (`total`, a
/// table's last row), then invoicing in progress at `au` (the period's end) and coefficients by
/// family.
pub fn write(
    sink: &mut dyn RecordSink,
    document: &Document,
    total: Option<&Indicateurs>,
    au: NaiveDate,
) -> std::io::Result<()> {
    sink.begin(&COLUMNS)?;
    for row in &document.indicateurs {
        sink.row(&kpi_cells(row), Style::default())?;
    }
    if let Some(total) = total {
        sink.totals(&kpi_cells(total))?;
    }
    let rows = document
        .facturation_en_cours
        .iter()
        .map(|en_cours| {
            vec![
                (en_cours.nombre as i64).into(),
                en_cours.montant_ht.into(),
                en_cours.reste_du.into(),
                (en_cours.nombre_en_retard as i64).into(),
                en_cours.reste_du_en_retard.into(),
                en_cours.retard_moyen.into(),
            ]
        })
        .collect();
    let title = format!("Facturation en cours au {}", format::date_fr(au));
    sink.section("facturation_en_cours", &title, &EN_COURS, rows)?;
    let rows = document
        .coefficients
        .iter()
        .map(|famille| {
            vec![
                famille.famille.as_str().into(),
                famille.libelle.as_str().into(),
                (famille.nombre as i64).into(),
                famille.coefficient_moyen.into(),
                famille.cible.into(),
                famille.sous_cible.into(),
            ]
        })
        .collect();
    sink.section("coefficients", "Coefficients par famille", &FAMILLES, rows)
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let cli = ctx.cli;
    if let Some(Sub::History(history_args)) = &args.command {
        return history(history_args, ctx);
    }
    let granularity = args.periode.map(|periode| match periode {
        Periode::Mensuel => Granularity::Month,
        Periode::Trimestriel => Granularity::Quarter,
        Periode::Annuel => Granularity::Year,
    });
    let today = chrono::Local::now().date_naive();
    let request = Request::new(args.from, args.to, granularity, today).map_err(|e| match e {
        RequestError::Period(e) => Error::usage(e.to_string()).with_hint("inversez --from et --to"),
        RequestError::Buckets(e) => Error::usage(format!("--periode : {e}")).with_hint(
            "raccourcissez la période (--from, --to) ou découpez-la plus large (--periode trimestriel ou annuel)",
        ),
    })?;
    let app = resolve(ctx)?;
    let render = &ctx.render;
    if let Some(Par::Menuiserie) = args.par {
        return par_menuiserie(&app, ctx, request);
    }
    let run = block_on(async {
        let mut client = app.connect().await?;
        analytics::run(&app, &mut client, request).await
    })?;
    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "indicateurs", &mut destination);
    write(&mut *sink, &run.document(), run.total().as_ref(), request.period.to())?;
    sink.finish()?;
    Render::commit(destination)?;
    if args.no_save {
        return Ok(());
    }
    let saved = block_on(async { analytics::save(&app.store().await?, &run).await })?;
    if !cli.quiet {
        let _ = writeln!(std::io::stderr(), "Calcul enregistré dans l'historique (id {}).", saved.id);
    }
    Ok(())
}

/// `--par menuiserie`: one row per type, then the devis of no offer, then the whole period.
fn par_menuiserie(app: &crate::app::Context, ctx: &Context, request: Request) -> Result<()> {
    let par = block_on(async {
        let store = app.store().await?;
        let mut client = app.connect().await?;
        analytics::par_menuiserie(app, &mut client, &store, request.period).await
    })?;
    if !par.ambiguous.is_empty() && !ctx.cli.quiet {
        let _ = writeln!(
            std::io::stderr(),
            "attention : {} devis rattaché(s) à des offres de types différents ({}) : comptés avec les devis \
             non rattachés ; liez chacun à une offre avec « sync-offer --ref NUMÉRO --offer ID »",
            par.ambiguous.len(),
            par.ambiguous.join(", ")
        );
    }
    let (rows, total) = par.rows();
    let mut destination = ctx.render.destination()?;
    let mut sink = output::sink(ctx.render.options, "indicateurs", &mut destination);
    sink.begin(&PAR_MENUISERIE)?;
    for row in &rows {
        sink.row(&kpi_cells(row), Style::default())?;
    }
    sink.totals(&kpi_cells(&total))?;
    sink.finish()?;
    Render::commit(destination)
}

const HISTORY: [Column; 10] = [
    Column { key: "id", header: "Id", kind: Kind::Text },
    Column { key: "generated_at", header: "Calculé le", kind: Kind::DateTime },
    Column { key: "periode", header: "Découpage", kind: Kind::Text },
    Column { key: "nombre_devis", header: "Devis émis", kind: Kind::Integer },
    Column { key: "nombre_factures", header: "Factures", kind: Kind::Integer },
    Column { key: "ca_prevu", header: "CA prévu", kind: Kind::Money },
    Column { key: "ca_realise", header: "CA réalisé", kind: Kind::Money },
    Column { key: "taux_conversion", header: "Conversion", kind: RATE },
    Column { key: "marge_prevue_moyenne", header: "Marge prévue", kind: RATE },
    Column { key: "marge_reelle_moyenne", header: "Marge réelle", kind: RATE },
];

fn history_cells(saved: &SavedAnalytics) -> Vec<Cell> {
    let a = &saved.analytics;
    vec![
        saved.id.as_str().into(),
        saved.generated_at.map(local_time).into(),
        a.periode.as_str().into(),
        a.nombre_devis.into(),
        a.nombre_factures.into(),
        a.ca_prevu.into(),
        a.ca_realise.into(),
        a.taux_conversion.into(),
        a.marge_prevue_moyenne.into(),
        a.marge_reelle_moyenne.into(),
    ]
}

/// A cell from a value of a saved JSON document, typed by its column. A value of the wrong type
/// (a display string a former version saved where a number belongs) is left empty: never text in
/// a number's place.
fn json_cell(value: &serde_json::Value, kind: Kind) -> Cell {
    use serde_json::Value;
    let number = |number: &serde_json::Number| number.to_string().parse::<Decimal>().map_or(Cell::Empty, Cell::from);
    match (value, kind) {
        (Value::Number(n), Kind::Integer) => n.as_i64().map_or_else(|| number(n), Cell::from),
        (Value::Number(n), Kind::Money | Kind::Decimal { .. } | Kind::Percent { .. }) => number(n),
        (Value::String(text), Kind::Date) => {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_or(Cell::Empty, Cell::from)
        }
        (Value::String(text), Kind::DateTime) => {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map_or(Cell::Empty, Cell::from)
        }
        (Value::String(text), Kind::Text) => text.as_str().into(),
        (Value::Bool(value), Kind::Bool) => Cell::Bool(*value),
        _ => Cell::Empty,
    }
}

fn history(args: &HistoryArgs, ctx: &Context) -> Result<()> {
    let env = &ctx.env;
    let settings = ctx.settings()?;
    let render = &ctx.render;
    block_on(async {
        let store = open_store(settings, env, ctx.cli.quiet).await?;
        let mut destination = render.destination()?;
        if let Some(id) = &args.id {
            let (saved, document) = analytics::get(&store, id).await?;
            let mut sink = output::sink(render.options, "indicateurs", &mut destination);
            sink.begin(&COLUMNS)?;
            let cells = |row: &serde_json::Value, columns: &[Column]| -> Vec<Cell> {
                columns.iter().map(|column| json_cell(&row[column.key], column.kind)).collect()
            };
            let records = |key: &str| document[key].as_array().cloned().unwrap_or_default();
            for row in records("indicateurs") {
                sink.row(&cells(&row, &COLUMNS), Style::default())?;
            }
            for (key, title, columns) in [
                ("facturation_en_cours", "Facturation en cours", &EN_COURS[..]),
                ("coefficients", "Coefficients par famille", &FAMILLES[..]),
            ] {
                let rows = records(key).iter().map(|row| cells(row, columns)).collect();
                sink.section(key, title, columns, rows)?;
            }
            sink.section("calcul", &format!("Calcul {id}"), &HISTORY, vec![history_cells(&saved)])?;
            sink.finish()?;
        } else {
            let mut sink = output::sink(render.options, "historique", &mut destination);
            sink.begin(&HISTORY)?;
            for saved in analytics::history(&store, args.periode.map(SavedPeriode::periode), args.limit).await? {
                sink.row(&history_cells(&saved), Style::default())?;
            }
            sink.finish()?;
        }
        Render::commit(destination)
    })
}
