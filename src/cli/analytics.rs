//! `jlm-batigest analytics`: the KPIs of a period and their evolution per month, quarter or year.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::Cli;
use super::context::{Batigest, Render, runtime};
use super::values;
use crate::batigest::analytics::{self, Month};
use crate::batigest::queries;
use crate::error::{Error, Result};
use crate::model::Ouvrage;
use crate::output::{self, Cell, Column, Kind, RecordSink, Style};
use crate::report::coefficients::{self, Grouping, NON_CLASSE, Settings};
use crate::report::kpi::{Bucket, EnCours, Granularity, Kpis, Period, Sums};

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
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Début de la période (incluse ; défaut : 1er janvier de l'année en cours)
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    from: Option<NaiveDate>,

    /// Fin de la période (incluse ; défaut : aujourd'hui)
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    to: Option<NaiveDate>,

    /// Évolution par mois, trimestre ou année (sinon : la période entière)
    #[arg(long, value_enum, value_name = "PÉRIODE")]
    periode: Option<Periode>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Periode {
    Mensuel,
    Trimestriel,
    Annuel,
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

const EN_COURS: [Column; 2] = [
    Column { key: "indicateur", header: "Indicateur", kind: Kind::Text },
    Column { key: "valeur", header: "Valeur", kind: Kind::Text },
];

const FAMILLES: [Column; 6] = [
    Column { key: "famille", header: "Famille", kind: Kind::Text },
    Column { key: "libelle", header: "Libellé", kind: Kind::Text },
    Column { key: "nombre", header: "Ouvrages", kind: Kind::Integer },
    Column { key: "coefficient_moyen", header: "Coefficient moyen", kind: Kind::Decimal { scale: 4 } },
    Column { key: "cible", header: "Cible", kind: Kind::Decimal { scale: 4 } },
    Column { key: "sous_cible", header: "Sous la cible", kind: Kind::Bool },
];

/// The KPIs of a period and of its buckets, with what the report also shows.
pub struct Report {
    pub period: Period,
    pub granularity: Option<Granularity>,
    pub total: Kpis,
    pub buckets: Vec<(Bucket, Kpis)>,
    pub en_cours: EnCours,
    pub ouvrages: Vec<Ouvrage>,
}

/// Sums the months of `period`. Buckets start and end on month boundaries (or on the queried
/// range's ends, which the monthly sums already respect), so whole months add up exactly.
fn sum_over(months: &BTreeMap<Month, Sums>, period: Period) -> Sums {
    let first = (period.from().year(), period.from().month());
    let last = (period.to().year(), period.to().month());
    let mut sums = Sums::default();
    for (_, month_sums) in months.range(first..=last) {
        sums += *month_sums;
    }
    sums
}

/// Fetches the aggregates and computes the report: a handful of rows cross the network.
pub async fn compute(batigest: &Batigest, period: Period, granularity: Option<Granularity>) -> Result<Report> {
    let mut client = batigest.connect().await?;
    let timeout = batigest.target.timeout;
    let mapping = &batigest.mapping;
    let months = analytics::monthly_sums(
        &mut client,
        mapping,
        (period.from(), period.to()),
        batigest.settings.marge_base.value,
        timeout,
    )
    .await?;
    let en_cours = analytics::en_cours(&mut client, mapping, period.to(), timeout).await?;
    let mut ouvrages = Vec::new();
    queries::ouvrages(&mut client, mapping, None, timeout, |ouvrage| {
        ouvrages.push(ouvrage);
        Ok::<_, Error>(())
    })
    .await?;
    let buckets = granularity
        .map(|granularity| {
            period.buckets(granularity).into_iter().map(|bucket| {
                let kpis = sum_over(&months, bucket.period).kpis();
                (bucket, kpis)
            })
        })
        .into_iter()
        .flatten()
        .collect();
    Ok(Report { period, granularity, total: sum_over(&months, period).kpis(), buckets, en_cours, ouvrages })
}

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
pub fn write(sink: &mut dyn RecordSink, report: &Report, settings: &Settings) -> std::io::Result<()> {
    sink.begin(&COLUMNS)?;
    let whole = format!("{} → {}", report.period.from().format("%d/%m/%Y"), report.period.to().format("%d/%m/%Y"));
    if report.granularity.is_some() {
        for (bucket, kpis) in &report.buckets {
            sink.row(&kpi_cells(bucket.label.clone(), bucket.period, kpis), Style::default())?;
        }
        sink.totals(&kpi_cells(format!("Total {whole}"), report.period, &report.total))?;
    } else {
        sink.row(&kpi_cells(whole, report.period, &report.total), Style::default())?;
    }

    let en_cours = &report.en_cours;
    let money = crate::output::format::money;
    let rows = vec![
        vec!["Factures ouvertes".into(), en_cours.nombre.to_string().into()],
        vec!["Montant HT".into(), money(en_cours.montant_ht).into()],
        vec!["Reste dû".into(), money(en_cours.reste_du).into()],
        vec!["Factures en retard".into(), en_cours.nombre_en_retard.to_string().into()],
        vec!["Reste dû en retard".into(), money(en_cours.reste_du_en_retard).into()],
        vec![
            "Retard moyen".into(),
            en_cours
                .retard_moyen()
                .map_or_else(|| "—".to_owned(), |days| format!("{} jours", crate::output::format::decimal_fr(days, 1)))
                .into(),
        ],
    ];
    let title = format!("Facturation en cours au {}", report.period.to().format("%d/%m/%Y"));
    sink.section("facturation_en_cours", &title, &EN_COURS, rows)?;

    let analysis = coefficients::analyse(&report.ouvrages, settings);
    let rows = analysis
        .groups
        .iter()
        .map(|group| {
            let famille = group.key.famille();
            let target = famille.and_then(|f| {
                settings.cibles.iter().find(|(code, _)| code.eq_ignore_ascii_case(&f.code)).map(|(_, c)| *c)
            });
            let below = famille.is_some_and(|f| analysis.familles_sous_cible.iter().any(|s| s.famille == f));
            vec![
                group.key.code().unwrap_or(NON_CLASSE).into(),
                group.key.libelle().into(),
                (group.stats.nombre as i64).into(),
                group.stats.moyenne.into(),
                target.into(),
                target.map(|_| below).into(),
            ]
        })
        .collect();
    sink.section("coefficients", "Coefficients par famille", &FAMILLES, rows)
}

pub fn run(args: &Args, cli: &Cli) -> Result<()> {
    let today = chrono::Local::now().date_naive();
    let to = args.to.unwrap_or(today);
    let from = args.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    let period = Period::new(from, to).map_err(|e| Error::usage(e.to_string()).with_hint("inversez --from et --to"))?;
    let granularity = args.periode.map(|periode| match periode {
        Periode::Mensuel => Granularity::Month,
        Periode::Trimestriel => Granularity::Quarter,
        Periode::Annuel => Granularity::Year,
    });
    let batigest = Batigest::resolve(cli)?;
    let render = Render::resolve(cli)?;
    let settings = Settings {
        grouping: Grouping::Famille,
        tolerance: batigest.settings.tolerance.value,
        cibles: batigest.settings.cibles.value.clone(),
    };
    let report = runtime()?.block_on(compute(&batigest, period, granularity))?;
    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "indicateurs", &mut destination);
    write(&mut *sink, &report, &settings).map_err(|e| Error::output(&e))?;
    sink.finish().map_err(|e| Error::output(&e))?;
    Render::commit(destination)
}
