//! `jlm-batigest analytics`: the KPIs of a period and their evolution per month, quarter or year.

use std::io::Write;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::context::{Batigest, Context, Render, block_on, local_time, open_store};
use super::values;
use crate::batigest::analytics::{self};
use crate::batigest::statuses;
use crate::config::{self};
use crate::error::{Error, Kind as ErrorKind, Result};
use crate::jlm::analytics::{Analytics, SavedAnalytics};
use crate::output::{self, Cell, Column, Format, Kind, Options, RecordSink, Style, format};
use crate::report::coefficients::{self, Grouping, NON_CLASSE, Settings};
use crate::report::factures::Totals;
use crate::report::kpi::{Granularity, Kpis, Period, Report};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest analytics
      indicateurs de l'année en cours jusqu'à aujourd'hui
  jlm-batigest analytics --from 2024-01-01 --to 2024-12-31 --periode mensuel
      une ligne par mois, puis le total de l'année
  jlm-batigest analytics --from 01/01/2025 --to 31/12/2025 --periode mensuel --format csv --excel -o marges-2025.csv
      l'export mensuel des marges pour Excel

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

    /// N'enregistre pas ce calcul dans l'historique (table batigest_analytics du magasin JLM)
    #[arg(long)]
    no_save: bool,
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

impl From<Option<Periode>> for SavedPeriode {
    /// A run without buckets is saved as `global`.
    fn from(periode: Option<Periode>) -> Self {
        match periode {
            Some(Periode::Mensuel) => SavedPeriode::Mensuel,
            Some(Periode::Trimestriel) => SavedPeriode::Trimestriel,
            Some(Periode::Annuel) => SavedPeriode::Annuel,
            None => SavedPeriode::Global,
        }
    }
}

impl SavedPeriode {
    fn code(self) -> &'static str {
        match self {
            SavedPeriode::Mensuel => "mensuel",
            SavedPeriode::Trimestriel => "trimestriel",
            SavedPeriode::Annuel => "annuel",
            SavedPeriode::Global => "global",
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

fn kpi_cells(label: String, period: Period, kpis: &Kpis) -> Vec<Cell> {
    vec![
        label.into(),
        period.from().into(),
        period.to().into(),
        (kpis.nombre_devis as i64).into(),
        (kpis.nombre_factures as i64).into(),
        kpis.ca_prevu.into(),
        kpis.ca_facture.into(),
        kpis.ca_realise.into(),
        kpis.taux_conversion.into(),
        kpis.taux_conversion_nombre.into(),
        kpis.marge_prevue_moyenne.into(),
        kpis.marge_reelle_moyenne.into(),
        kpis.ecart_marge.into(),
    ]
}

/// Writes the report: one row per bucket (or one for the period), the period as totals, then
/// invoicing in progress and coefficients by family.
/// `en_cours` is invoicing in progress at the period's end.
pub fn write(
    sink: &mut dyn RecordSink,
    report: &Report,
    en_cours: &Totals,
    settings: &Settings,
) -> std::io::Result<()> {
    sink.begin(&COLUMNS)?;
    let whole = format!("{} → {}", format::date_fr(report.period.from()), format::date_fr(report.period.to()));
    if report.granularity.is_some() {
        for (bucket, kpis) in &report.buckets {
            sink.row(&kpi_cells(bucket.label.clone(), bucket.period, kpis), Style::default())?;
        }
        sink.totals(&kpi_cells(format!("Total {whole}"), report.period, &report.total))?;
    } else {
        sink.row(&kpi_cells(whole, report.period, &report.total), Style::default())?;
    }

    let rows = vec![vec![
        (en_cours.nombre as i64).into(),
        en_cours.montant_ht.into(),
        en_cours.reste_du.into(),
        (en_cours.nombre_en_retard as i64).into(),
        en_cours.reste_du_en_retard.into(),
        en_cours.retard_moyen().into(),
    ]];
    let title = format!("Facturation en cours au {}", format::date_fr(report.period.to()));
    sink.section("facturation_en_cours", &title, &EN_COURS, rows)?;

    let analysis = coefficients::analyse(&report.ouvrages, settings);
    let rows = analysis
        .groups
        .iter()
        .map(|group| {
            vec![
                group.key.code().unwrap_or(NON_CLASSE).into(),
                group.key.libelle().into(),
                (group.stats.nombre as i64).into(),
                group.stats.moyenne.into(),
                group.cible.into(),
                group.cible.map(|_| group.sous_cible).into(),
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
    let today = chrono::Local::now().date_naive();
    let to = args.to.unwrap_or(today);
    let from = args.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    let period = Period::new(from, to).map_err(|e| Error::usage(e.to_string()).with_hint("inversez --from et --to"))?;
    let granularity = args.periode.map(|periode| match periode {
        Periode::Mensuel => Granularity::Month,
        Periode::Trimestriel => Granularity::Quarter,
        Periode::Annuel => Granularity::Year,
    });
    if let Some(granularity) = granularity {
        period.check_buckets(granularity).map_err(|e| {
            Error::usage(format!("--periode : {e}")).with_hint(
                "raccourcissez la période (--from, --to) ou découpez-la plus large (--periode trimestriel ou annuel)",
            )
        })?;
    }
    let batigest = Batigest::resolve(ctx)?;
    let render = &ctx.render;
    let settings = batigest.coefficient_settings(Grouping::Famille);
    let (report, en_cours) = block_on(async {
        let mut client = batigest.connect().await?;
        batigest.check_statuses(&mut client, &[statuses::DEVIS, statuses::FACTURES]).await?;
        let report = analytics::report(
            &mut client,
            &batigest.mapping,
            batigest.settings.marge_base.value,
            (period, granularity),
            batigest.target.timeout,
        )
        .await?;
        let en_cours =
            analytics::en_cours(&mut client, &batigest.mapping, period.to(), batigest.target.timeout).await?;
        Ok((report, en_cours))
    })?;
    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "indicateurs", &mut destination);
    write(&mut *sink, &report, &en_cours, &settings)?;
    sink.finish()?;
    Render::commit(destination)?;
    if args.no_save {
        return Ok(());
    }
    // The whole result, as `--format json` would print it, goes to data_json.
    let mut document = Vec::new();
    let json = Options { format: Format::Json, excel: false, color: false, terminal_width: None };
    let mut json_sink = output::sink(json, "indicateurs", &mut document);
    write(&mut *json_sink, &report, &en_cours, &settings).and_then(|()| json_sink.finish())?;
    let total = &report.total;
    let saved = Analytics {
        periode: SavedPeriode::from(args.periode).code().to_owned(),
        ca_realise: Some(total.ca_realise),
        ca_prevu: Some(total.ca_prevu),
        taux_conversion: total.taux_conversion,
        marge_reelle_moyenne: total.marge_reelle_moyenne,
        marge_prevue_moyenne: total.marge_prevue_moyenne,
        nombre_devis: i64::try_from(total.nombre_devis).ok(),
        nombre_factures: i64::try_from(total.nombre_factures).ok(),
        data_json: Some(String::from_utf8_lossy(&document).into_owned()),
    };
    let id = block_on(async { batigest.store().await?.save_analytics(&saved).await })?;
    if !cli.quiet {
        let _ = writeln!(std::io::stderr(), "Calcul enregistré dans l'historique (id {id}).");
    }
    Ok(())
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
    let settings = config::Settings::load(&ctx.flags, env)?;
    let render = &ctx.render;
    block_on(async {
        let store = open_store(&settings, env, ctx.cli.quiet).await?;
        let mut destination = render.destination()?;
        if let Some(id) = &args.id {
            let saved = store.get_analytics(id).await?.ok_or_else(|| {
                Error::new(ErrorKind::NotFound, format!("aucun calcul « {id} » dans l'historique"))
                    .with_hint("« jlm-batigest analytics history » liste les calculs enregistrés")
            })?;
            let document: serde_json::Value = saved
                .analytics
                .data_json
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or(serde_json::Value::Null);
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
            for saved in store.list_analytics(args.periode.map(SavedPeriode::code), args.limit).await? {
                sink.row(&history_cells(&saved), Style::default())?;
            }
            sink.finish()?;
        }
        Render::commit(destination)
    })
}
