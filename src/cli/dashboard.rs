//! `jlm-batigest dashboard`: one screen — connection, KPIs of the month and the year, late
//! invoices, families below target — and with `--html FILE` a self-contained report with charts.

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::context::{Context, Render, block_on, cannot_write, local_time, resolve};
use super::values;
use crate::app::dashboard::{self, LATE_SHOWN};
use crate::error::{Error, Result};
use crate::jlm::integrations::IntegrationRow;
use crate::output::html::{self, Dashboard, FamilyPoint, KpiLine, LateInvoice, MonthPoint, SyncLine};
use crate::output::{self, Cell, Column, Destination, Kind, Style, format};
use crate::report::kpi::Kpis;

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

/// What the dashboard shows, in the words and figures of the screen and the HTML report; the
/// store's failure if it could not be read (the rest is still shown; the run then ends with it).
fn screen(gathered: dashboard::Dashboard) -> (Dashboard, Option<Error>) {
    let dashboard::Dashboard { au, server, status, year, families, totals, forecast, late, syncs } = gathered;
    let (syncs, store_failure) = match syncs {
        Ok(rows) => (Some(rows.into_iter().map(sync_line).collect()), None),
        Err(error) => (None, Some(error)),
    };
    let this_month = year.buckets.last().map(|(_, kpis)| *kpis).unwrap_or_default();
    let dashboard = Dashboard {
        au: format::date_fr(au),
        connection: vec![
            ("Serveur".to_owned(), server),
            ("Version".to_owned(), status.version),
            ("Base".to_owned(), status.database),
            (
                "Aller-retour".to_owned(),
                format!("{} ms", format::decimal_fr(Decimal::from(status.round_trip.as_millis()), 0)),
            ),
        ],
        kpis: vec![
            kpi_line(format!("{} {}", MONTHS[au.month0() as usize], au.year()), &this_month),
            kpi_line(format!("Année {} au {}", au.year(), format::date_fr(au)), &year.total),
        ],
        months: year
            .buckets
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
        late: late
            .into_iter()
            .map(|f| LateInvoice {
                numero: f.numero,
                client: format!("{} {}", f.client_code, f.client_nom),
                echeance: f.echeance,
                jours: f.jours,
                reste_du: f.reste_du,
            })
            .collect(),
        late_count: totals.nombre_en_retard,
        late_total: totals.reste_du_en_retard,
        avoirs_count: totals.nombre_avoirs,
        avoirs_total: totals.avoirs,
        families: families
            .into_iter()
            .map(|famille| FamilyPoint {
                code: famille.famille,
                libelle: famille.libelle,
                moyenne: famille.coefficient_moyen.unwrap_or_default(),
                cible: famille.cible,
                sous_cible: famille.sous_cible == Some(true),
            })
            .collect(),
        syncs,
    };
    (dashboard, store_failure)
}

fn sync_line(row: IntegrationRow) -> SyncLine {
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
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let au = args.au.unwrap_or_else(|| chrono::Local::now().date_naive());
    let app = resolve(ctx)?;
    let render = &ctx.render;
    let gathered = block_on(async {
        let mut client = app.connect().await?;
        dashboard::gather(&app, &mut client, au).await
    })?;
    let (dashboard, store_failure) = screen(gathered);

    if let Some(path) = &args.html {
        let mut file = Destination::open(Some(path)).map_err(|e| cannot_write(path, e))?;
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
        Some(failure) => {
            let message = format!("synchronisations non lues : {}", failure.message);
            Err(failure.reworded(message))
        }
        None => Ok(()),
    }
}
