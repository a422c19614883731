//! `jlm-batigest devis`: the quotes, newest first, with filters.

use std::io::Write as _;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::context::{Context, Render, block_on, resolve};
use super::values;
use crate::app::devis::{self, Filter};
use crate::error::{Error, Result};
use crate::model::{Devis, EtatDevis, Statut};
use crate::output::{self, Cell, Column, Kind, Style};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest devis --limit 20
      les 20 devis les plus récents
  jlm-batigest devis --from 01/01/2024 --to 31/03/2024 --statut ACCEPTE --statut VALIDE
  jlm-batigest devis --client CLI00042 --format json
  jlm-batigest devis --from 2024-01-01 --format csv --excel -o devis-2024.csv
      pour Excel (séparateur « ; », virgule décimale)";

/// Liste les devis de Batigest, du plus récent au plus ancien
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Créés à partir de cette date (incluse), AAAA-MM-JJ ou JJ/MM/AAAA
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    from: Option<NaiveDate>,

    /// Créés jusqu'à cette date (incluse)
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    to: Option<NaiveDate>,

    /// Statut (répétable) : BROUILLON, VALIDE, ENVOYE, ACCEPTE, REFUSE
    #[arg(long, value_name = "STATUT", value_parser = values::StatutParser, hide_possible_values = true)]
    statut: Vec<Statut>,

    /// Code client (ex. CLI00042)
    #[arg(long, value_name = "CODE")]
    client: Option<String>,

    /// Nombre maximal de devis
    #[arg(long, value_name = "N", value_parser = values::positive)]
    limit: Option<u64>,
}

const COLUMNS: [Column; 11] = [
    Column { key: "numero_devis", header: "N° devis", kind: Kind::Text },
    Column { key: "reference_affaire", header: "Affaire", kind: Kind::Text },
    Column { key: "code_client", header: "Client", kind: Kind::Text },
    Column { key: "nom_client", header: "Nom du client", kind: Kind::Text },
    Column { key: "montant_ht", header: "Montant HT", kind: Kind::Money },
    Column { key: "montant_ttc", header: "Montant TTC", kind: Kind::Money },
    Column { key: "taux_marge", header: "Marge", kind: Kind::Percent { scale: 2 } },
    Column { key: "date_creation", header: "Créé le", kind: Kind::DateTime },
    Column { key: "date_validation", header: "Validé le", kind: Kind::DateTime },
    Column { key: "statut", header: "Statut", kind: Kind::Text },
    Column { key: "responsable", header: "Responsable", kind: Kind::Text },
];

fn cells(devis: Devis) -> [Cell; 11] {
    [
        devis.numero.into(),
        devis.reference_affaire.into(),
        devis.client_code.into(),
        devis.client_nom.into(),
        devis.montant_ht.into(),
        devis.montant_ttc.into(),
        devis.taux_marge.into(),
        devis.date_creation.into(),
        devis.date_validation.into(),
        devis.statut.code().into(),
        devis.responsable.into(),
    ]
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let cli = ctx.cli;
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        return Err(Error::usage(format!("--from {from} est après --to {to}")).with_hint("inversez les deux dates"));
    }
    let filter = Filter {
        from: args.from,
        to: args.to,
        statuts: args.statut.clone(),
        client: args.client.clone(),
        limit: args.limit,
    };
    let app = resolve(ctx)?;
    let render = &ctx.render;
    let quiet = cli.quiet;
    block_on(async {
        let mut client = app.connect().await?;
        let mut destination = render.destination()?;
        let mut sink = output::sink(render.options, "devis", &mut destination);
        sink.begin(&COLUMNS)?;
        let mut progress = render.progress("devis");
        // A TTC total is only shown when every TTC is known (an unmapped column has none).
        let (mut total_ht, mut total_ttc) = (Decimal::ZERO, Some(Decimal::ZERO));
        let mut warned = false;
        devis::list(&app, &mut client, &filter, |devis| {
            progress.inc();
            if let (EtatDevis::NonTraduit(stored), false) = (&devis.statut, warned || quiet) {
                warned = true;
                let _ = writeln!(
                    std::io::stderr(),
                    "Attention : statut « {stored} » sans traduction dans la correspondance du schéma, affiché tel \
                     qu'il est stocké (comme tout autre code non traduit) ; « jlm-batigest schema inspect --write \
                     FICHIER » aide à nommer les codes"
                );
            }
            total_ht += devis.montant_ht;
            total_ttc = total_ttc.zip(devis.montant_ttc).map(|(sum, ttc)| sum + ttc);
            Ok(sink.row(&cells(devis), Style::default())?)
        })
        .await?;
        progress.finish();
        let label = format!("Total : {} devis", progress.count());
        let mut totals = vec![Cell::Empty; COLUMNS.len()];
        totals[0] = label.into();
        totals[4] = total_ht.into();
        totals[5] = total_ttc.into();
        sink.totals(&totals)?;
        sink.finish()?;
        Render::commit(destination)
    })
}
