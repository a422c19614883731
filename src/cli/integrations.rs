//! `jlm-batigest integrations`: the sync trace — one line per synced devis with its JLM ERP
//! offer, or (`--journal`) every sync attempt.

use super::context::{Context, Render, block_on, local_time};
use super::values;
use crate::app::{self, integrations};
use crate::error::Result;
use crate::jlm::integrations::{IntegrationRow, LogEntry};
use crate::output::{self, Cell, Column, Kind, Style};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest integrations
      chaque devis synchronisé, le plus récent d'abord, avec son offre JLM ERP
  jlm-batigest integrations --statut manual_review
      les devis qu'il reste à lier à une offre
  jlm-batigest integrations --journal --limit 50
      les 50 dernières tentatives : qui, quand, quoi, avant → après
  jlm-batigest integrations --format csv --excel -o integrations.csv";

/// Trace des synchronisations : chaque devis synchronisé et son offre JLM ERP
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Seulement cet état de synchronisation
    #[arg(long, value_enum, value_name = "ÉTAT", conflicts_with = "journal")]
    statut: Option<SyncStatus>,

    /// Le journal : une ligne par tentative (utilisateur, résultat, valeurs avant et après, erreur)
    #[arg(long)]
    journal: bool,

    /// Nombre maximal de lignes
    #[arg(long, value_name = "N", value_parser = values::positive)]
    limit: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum SyncStatus {
    /// lié à son offre (ou enregistré, sans table offers)
    Synced,
    /// aucune offre ne correspond : à lier à la main
    ManualReview,
    /// en erreur
    Error,
    /// en attente
    Pending,
}

impl SyncStatus {
    fn code(self) -> &'static str {
        match self {
            SyncStatus::Synced => "synced",
            SyncStatus::ManualReview => "manual_review",
            SyncStatus::Error => "error",
            SyncStatus::Pending => "pending",
        }
    }
}

const INTEGRATION_COLUMNS: [Column; 13] = [
    Column { key: "numero_devis", header: "N° devis", kind: Kind::Text },
    Column { key: "batigest_ref", header: "Réf. Batigest", kind: Kind::Text },
    Column { key: "offre_id", header: "Offre", kind: Kind::Text },
    Column { key: "offre_reference", header: "Réf. offre", kind: Kind::Text },
    Column { key: "offre_client", header: "Client", kind: Kind::Text },
    Column { key: "offre_statut", header: "État offre", kind: Kind::Text },
    Column { key: "montant_batigest", header: "Montant Batigest", kind: Kind::Money },
    Column { key: "montant_final", header: "Montant offre", kind: Kind::Money },
    Column { key: "taux_marge", header: "Marge", kind: Kind::Percent { scale: 2 } },
    Column { key: "statut_batigest", header: "Statut devis", kind: Kind::Text },
    Column { key: "sync_status", header: "Synchro", kind: Kind::Text },
    Column { key: "derniere_synchro", header: "Dernière synchro", kind: Kind::DateTime },
    Column { key: "erreur", header: "Message", kind: Kind::Text },
];

fn integration_cells(row: IntegrationRow) -> [Cell; 13] {
    [
        row.numero_devis.into(),
        row.batigest_ref.into(),
        row.offer_id.into(),
        row.offre_reference.into(),
        row.offre_client.into(),
        row.offre_statut.into(),
        row.montant_batigest.into(),
        row.montant_final.into(),
        row.taux_marge.into(),
        row.statut_batigest.into(),
        row.sync_status.into(),
        row.last_sync_at.map(local_time).into(),
        row.error_message.into(),
    ]
}

const LOG_COLUMNS: [Column; 10] = [
    Column { key: "id", header: "Id", kind: Kind::Text },
    Column { key: "date", header: "Date", kind: Kind::DateTime },
    Column { key: "utilisateur", header: "Utilisateur", kind: Kind::Text },
    Column { key: "reference", header: "Référence", kind: Kind::Text },
    Column { key: "numero_devis", header: "N° devis", kind: Kind::Text },
    Column { key: "offre_id", header: "Offre", kind: Kind::Text },
    Column { key: "resultat", header: "Résultat", kind: Kind::Text },
    Column { key: "avant", header: "Avant", kind: Kind::Text },
    Column { key: "apres", header: "Après", kind: Kind::Text },
    Column { key: "erreur", header: "Erreur", kind: Kind::Text },
];

fn log_cells(entry: LogEntry) -> [Cell; 10] {
    [
        entry.id.into(),
        entry.synced_at.map(local_time).into(),
        entry.os_user.into(),
        entry.reference.into(),
        entry.numero_devis.into(),
        entry.offer_id.into(),
        entry.outcome.into(),
        entry.old_values.into(),
        entry.new_values.into(),
        entry.error_message.into(),
    ]
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let env = &ctx.env;
    let settings = ctx.settings()?;
    let render = &ctx.render;
    block_on(async {
        let store = app::open_store(settings, env, ctx.cli.quiet).await?;
        let mut destination = render.destination()?;
        let mut sink =
            output::sink(render.options, if args.journal { "journal" } else { "integrations" }, &mut destination);
        if args.journal {
            sink.begin(&LOG_COLUMNS)?;
            for entry in integrations::journal(&store, args.limit).await? {
                let style = Style { highlight: entry.outcome == "error" };
                sink.row(&log_cells(entry), style)?;
            }
        } else {
            sink.begin(&INTEGRATION_COLUMNS)?;
            for row in integrations::list(&store, args.statut.map(SyncStatus::code), args.limit).await? {
                let style = Style { highlight: row.sync_status != "synced" };
                sink.row(&integration_cells(row), style)?;
            }
        }
        sink.finish()?;
        Render::commit(destination)
    })
}
