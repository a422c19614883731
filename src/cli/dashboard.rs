//! `jlm-batigest dashboard`: one screen — connection, KPIs of the month and the year, late
//! invoices, families below target — and with `--html FILE` a self-contained report with charts.

use crate::cli::context::Context;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::context::{Batigest, Render, block_on, cannot_write, local_time};
use super::values;
use crate::batigest::analytics;
use crate::batigest::{connection, queries, statuses};
use crate::error::{Error, Result};
use crate::output::html::{self, Dashboard, FamilyPoint, KpiLine, LateInvoice, MonthPoint, SyncLine};
use crate::output::{self, Cell, Column, Destination, Kind, Style, format};
use crate::report::coefficients::{self, Grouping, NON_CLASSE};
use crate::report::factures::{OpenFacture, Totals};
use crate::report::kpi::{Granularity, Kpis, Period, Report};
use crate::report::tresorerie::{Forecast, Horizon, Step};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest dashboard
      le point du jour à l'écran
  jlm-batigest dashboard --html tableau-de-bord.html
      un fichier HTML autonome avec graphiques (rien n'est chargé d'Internet), imprimable en A4
  jlm-batigest dashboard --au 31/12/2025 --format json";

/// Tableau de bord : connexion, indicateurs du mois et de l'année, retards, familles sous cible
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Écrit aussi un rapport HTML autonome avec graphiques dans FICHIER
    #[arg(long, value_name = "FICHIER")]
    html: Option<PathBuf>,

    /// Date du rapport (défaut : aujourd'hui)
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    au: Option<NaiveDate>,
}

/// Late invoices listed on the dashboard, the oldest first.
const LATE_SHOWN: usize = 10;

const MONTHS: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

const KPI_COLUMNS: [Column; 8] = [
    Column { key: "periode", header: "Période", kind: Kind::Text },
    Column { key: "nombre_devis", header: "Devis émis", kind: Kind::Integer },
    Column { key: "ca_prevu", header: "CA prévu", kind: Kind::Money },
    Column { key: "ca_facture", header: "CA facturé", kind: Kind::Money },
    Column { key: "ca_realise", header: "CA réalisé", kind: Kind::Money },
    Column { key: "taux_conversion", header: "Conversion", kind: Kind::Percent { scale: 2 } },
    Column { key: "marge_prevue_moyenne", header: "Marge prévue", kind: Kind::Percent { scale: 2 } },
    Column { key: "marge_reelle_moyenne", header: "Marge réelle", kind: Kind::Percent { scale: 2 } },
];

const PAIRS: [Column; 2] = [
    Column { key: "element", header: "Élément", kind: Kind::Text },
    Column { key: "valeur", header: "Valeur", kind: Kind::Text },
];

const LATE: [Column; 5] = [
    Column { key: "numero_facture", header: "Facture", kind: Kind::Text },
    Column { key: "client", header: "Client", kind: Kind::Text },
    Column { key: "date_echeance", header: "Échéance", kind: Kind::Date },
    Column { key: "jours_retard", header: "Retard (j)", kind: Kind::Integer },
    Column { key: "reste_du", header: "Reste dû", kind: Kind::Money },
];

const SYNCS: [Column; 5] = [
    Column { key: "numero_devis", header: "Devis", kind: Kind::Text },
    Column { key: "offre", header: "Offre JLM", kind: Kind::Text },
    Column { key: "montant_batigest", header: "Montant HT", kind: Kind::Money },
    Column { key: "sync_status", header: "État", kind: Kind::Text },
    Column { key: "last_sync_at", header: "Le", kind: Kind::DateTime },
];

const FAMILIES: [Column; 4] = [
    Column { key: "famille", header: "Famille", kind: Kind::Text },
    Column { key: "libelle", header: "Libellé", kind: Kind::Text },
    Column { key: "coefficient_moyen", header: "Coefficient moyen", kind: Kind::Decimal { scale: 4 } },
    Column { key: "cible", header: "Cible", kind: Kind::Decimal { scale: 4 } },
];

fn kpi_line(label: String, kpis: &Kpis) -> KpiLine {
    KpiLine {
        label,
        nombre_devis: kpis.nombre_devis,
        ca_prevu: kpis.ca_prevu,
        ca_facture: kpis.ca_facture,
        ca_realise: kpis.ca_realise,
        taux_conversion: kpis.taux_conversion,
        marge_prevue: kpis.marge_prevue_moyenne,
        marge_reelle: kpis.marge_reelle_moyenne,
    }
}

/// Gathers everything the dashboard shows, and the store's failure if it could not be read (the
/// rest is still shown; the run then ends with that failure).
async fn gather(batigest: &Batigest, au: NaiveDate) -> Result<(Dashboard, Option<Error>)> {
    let mut client = batigest.connect().await?;
    batigest.check_statuses(&mut client, &[statuses::DEVIS, statuses::FACTURES]).await?;
    let status = connection::server_status(&mut client, &batigest.target).await?;
    let year = Period::new(NaiveDate::from_ymd_opt(au.year(), 1, 1).unwrap_or(au), au)
        .map_err(|e| Error::usage(e.to_string()))?;
    let Report { total, buckets, ouvrages, .. } = analytics::report(
        &mut client,
        &batigest.mapping,
        batigest.settings.marge_base.value,
        (year, Some(Granularity::Month)),
        batigest.target.timeout,
    )
    .await?;

    let mut totals = Totals::default();
    let mut forecast = Forecast::new(au, Horizon { count: 13, step: Step::Week }, Step::Week);
    // Most days late first; only the first LATE_SHOWN are kept, so memory stays flat.
    let most_late = |a: &LateInvoice, b: &LateInvoice| b.jours.cmp(&a.jours).then_with(|| a.numero.cmp(&b.numero));
    let mut late = Vec::with_capacity(2 * LATE_SHOWN);
    let timeout = batigest.target.timeout;
    queries::factures_ouvertes(&mut client, &batigest.mapping, None, au, timeout, |facture| {
        if let Some(open) = OpenFacture::new(&facture, au) {
            totals.add(&open);
            forecast.add(&open);
            if open.is_late() {
                late.push(LateInvoice {
                    numero: facture.numero.clone(),
                    client: format!("{} {}", facture.client_code, facture.client_nom),
                    echeance: facture.date_echeance,
                    jours: open.jours_retard,
                    reste_du: open.reste_du,
                });
                if late.len() == 2 * LATE_SHOWN {
                    late.sort_by(most_late);
                    late.truncate(LATE_SHOWN);
                }
            }
        }
        Ok::<_, Error>(())
    })
    .await?;
    late.sort_by(most_late);
    late.truncate(LATE_SHOWN);

    let settings = batigest.coefficient_settings(Grouping::Famille);
    let analysis = coefficients::analyse(&ouvrages, &settings);
    let families = analysis
        .groups
        .iter()
        .map(|group| FamilyPoint {
            code: group.key.code().unwrap_or(NON_CLASSE).to_owned(),
            libelle: group.key.libelle().to_owned(),
            moyenne: group.stats.moyenne,
            cible: group.cible,
            sous_cible: group.sous_cible,
        })
        .collect();

    // The dashboard still shows everything else when the store cannot be read; the failure is
    // reported on stderr and decides the exit code, never written into the data.
    let (syncs, store_failure) = match latest_syncs(batigest).await {
        Ok(syncs) => (Some(syncs), None),
        Err(error) => (None, Some(error)),
    };
    let this_month = buckets.last().map(|(_, kpis)| *kpis).unwrap_or_default();
    let dashboard = Dashboard {
        au: format::date_fr(au),
        connection: vec![
            ("Serveur".to_owned(), batigest.target.describe()),
            ("Version".to_owned(), status.version),
            ("Base".to_owned(), status.database),
            (
                "Aller-retour".to_owned(),
                format!("{} ms", format::decimal_fr(Decimal::from(status.round_trip.as_millis()), 0)),
            ),
        ],
        kpis: vec![
            kpi_line(format!("{} {}", MONTHS[au.month0() as usize], au.year()), &this_month),
            kpi_line(format!("Année {} au {}", au.year(), format::date_fr(au)), &total),
        ],
        months: buckets
            .iter()
            .map(|(bucket, kpis)| MonthPoint {
                label: MONTHS[bucket.period.from().month0() as usize].to_owned(),
                ca_prevu: kpis.ca_prevu,
                ca_facture: kpis.ca_facture,
                ca_realise: kpis.ca_realise,
                marge_prevue: kpis.marge_prevue_moyenne,
                marge_reelle: kpis.marge_reelle_moyenne,
            })
            .collect(),
        ageing: totals.ageing.iter().map(|(bucket, amount)| (bucket.libelle().to_owned(), amount)).collect(),
        forecast: forecast
            .lines()
            .into_iter()
            .filter_map(|line| {
                // The weeks only: the late lines, beyond the horizon and credit notes have no end date.
                let (du, _) = line.du.zip(line.au)?;
                Some((format!("S{:02} ({})", du.iso_week().week(), format::date_fr(du)), line.montant))
            })
            .collect(),
        late,
        late_count: totals.nombre_en_retard,
        late_total: totals.reste_du_en_retard,
        avoirs_count: totals.nombre_avoirs,
        avoirs_total: totals.avoirs,
        families,
        syncs,
    };
    Ok((dashboard, store_failure))
}

/// Syncs shown on the dashboard, the most recent first.
const SYNCS_SHOWN: u64 = 5;

async fn latest_syncs(batigest: &Batigest) -> Result<Vec<SyncLine>> {
    let store = batigest.store().await?;
    let rows = store.integrations(None, Some(SYNCS_SHOWN)).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let offre = match (row.offer_id, row.offre_reference) {
                (Some(id), Some(reference)) => Some(format!("{id} ({reference})")),
                (Some(id), None) => Some(id),
                (None, _) => None,
            };
            SyncLine {
                numero_devis: row.numero_devis,
                offre,
                montant: row.montant_batigest,
                sync_status: row.sync_status,
                last_sync_at: row.last_sync_at.map(local_time),
            }
        })
        .collect())
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let au = args.au.unwrap_or_else(|| chrono::Local::now().date_naive());
    let batigest = Batigest::resolve(ctx)?;
    let render = &ctx.render;
    let (dashboard, store_failure) = block_on(gather(&batigest, au))?;

    if let Some(path) = &args.html {
        let mut file = Destination::open(Some(path)).map_err(|e| cannot_write(path, &e))?;
        html::write(&mut file, &dashboard)?;
        Render::commit(file)?;
    }

    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "indicateurs", &mut destination);
    sink.begin(&KPI_COLUMNS)?;
    for line in &dashboard.kpis {
        let cells: Vec<Cell> = vec![
            line.label.as_str().into(),
            (line.nombre_devis as i64).into(),
            line.ca_prevu.into(),
            line.ca_facture.into(),
            line.ca_realise.into(),
            line.taux_conversion.into(),
            line.marge_prevue.into(),
            line.marge_reelle.into(),
        ];
        sink.row(&cells, Style::default())?;
    }
    let pairs = |rows: &[(String, String)]| -> Vec<Vec<Cell>> {
        rows.iter().map(|(label, value)| vec![label.as_str().into(), value.as_str().into()]).collect()
    };
    sink.section("connexion", "Connexion", &PAIRS, pairs(&dashboard.connection))?;
    let late_rows = dashboard
        .late
        .iter()
        .map(|f| {
            vec![
                f.numero.as_str().into(),
                f.client.as_str().into(),
                f.echeance.into(),
                i64::from(f.jours).into(),
                f.reste_du.into(),
            ]
        })
        .collect();
    let title = format!(
        "Factures en retard au {} : {} pour {} (les {LATE_SHOWN} plus anciennes)",
        dashboard.au,
        dashboard.late_count,
        format::money(dashboard.late_total)
    );
    sink.section("factures_en_retard", &title, &LATE, late_rows)?;
    let below = dashboard
        .families
        .iter()
        .filter(|f| f.sous_cible)
        .map(|f| vec![f.code.as_str().into(), f.libelle.as_str().into(), f.moyenne.into(), f.cible.into()])
        .collect();
    sink.section("familles_sous_cible", "Familles sous leur cible", &FAMILIES, below)?;
    let syncs = dashboard
        .syncs
        .iter()
        .flatten()
        .map(|sync| {
            vec![
                sync.numero_devis.as_str().into(),
                sync.offre.as_deref().into(),
                sync.montant.into(),
                sync.sync_status.as_str().into(),
                sync.last_sync_at.into(),
            ]
        })
        .collect();
    sink.section("synchronisations", "Dernières synchronisations", &SYNCS, syncs)?;
    sink.finish()?;
    Render::commit(destination)?;
    match store_failure {
        Some(failure) => Err(Error { message: format!("synchronisations non lues : {}", failure.message), ..failure }),
        None => Ok(()),
    }
}
