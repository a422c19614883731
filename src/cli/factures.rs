//! `jlm-batigest factures`: open invoices, days late, ageing buckets and totals.

use chrono::NaiveDate;

use super::context::{Context, Render, block_on, resolve};
use super::values;
use crate::app::factures;
use crate::error::{Error, Kind, Result};
use crate::model::StatutReglement;
use crate::output::{self, Cell, Column, Kind as Col, RecordSink, Style, format};
use crate::report::factures::{AVOIR, OpenFacture, Selection, Summary, Totals};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest factures
      factures ouvertes à ce jour, retards, ancienneté, totaux par statut et par client
  jlm-batigest factures --en-retard --client CLI00042
  jlm-batigest factures --au 31/12/2025 --format csv --excel -o relances.csv
  jlm-batigest factures --en-retard --fail-on-alert --quiet > /dev/null || echo \"relances à faire\"

Ouverte = NON_REGLE ou PARTIELLEMENT_REGLE ; reste dû = TTC − montant réglé ; jours de retard
comptés depuis l'échéance jusqu'à la date du rapport (--au, défaut aujourd'hui). Un avoir (montant
négatif) n'est jamais en retard : il est compté à part (« avoirs non imputés ») et ne s'impute que
dans le solde du client. Une facture réglée au-delà de son TTC (reste dû négatif, « trop_percu »)
est de l'argent dû au client, comme un avoir : jamais en retard, comptée avec les avoirs.";

/// Factures en attente de règlement : reste dû, retards, ancienneté, totaux
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Seulement ce client (code, ex. CLI00042)
    #[arg(long, value_name = "CODE")]
    client: Option<String>,

    /// Date du rapport (défaut : aujourd'hui), AAAA-MM-JJ ou JJ/MM/AAAA
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    au: Option<NaiveDate>,

    /// Seulement les factures en retard (les totaux portent alors sur elles seules)
    #[arg(long)]
    en_retard: bool,

    /// Code de sortie 6 si une facture est en retard
    #[arg(long)]
    fail_on_alert: bool,
}

const COLUMNS: [Column; 13] = [
    Column { key: "numero_facture", header: "Facture", kind: Col::Text },
    Column { key: "numero_devis", header: "Devis", kind: Col::Text },
    Column { key: "code_client", header: "Client", kind: Col::Text },
    Column { key: "nom_client", header: "Nom du client", kind: Col::Text },
    Column { key: "date_facture", header: "Date", kind: Col::Date },
    Column { key: "date_echeance", header: "Échéance", kind: Col::Date },
    Column { key: "statut_reglement", header: "Statut", kind: Col::Text },
    Column { key: "montant_ht", header: "Montant HT", kind: Col::Money },
    Column { key: "montant_ttc", header: "Montant TTC", kind: Col::Money },
    Column { key: "montant_regle", header: "Réglé", kind: Col::Money },
    Column { key: "reste_du", header: "Reste dû", kind: Col::Money },
    Column { key: "jours_retard", header: "Retard (j)", kind: Col::Integer },
    Column { key: "anciennete", header: "Ancienneté", kind: Col::Text },
];

const AGEING: [Column; 4] = [
    Column { key: "tranche", header: "Tranche", kind: Col::Text },
    Column { key: "libelle", header: "", kind: Col::Text },
    Column { key: "reste_du", header: "Reste dû", kind: Col::Money },
    Column { key: "part", header: "Part", kind: Col::Percent { scale: 1 } },
];

const BY_STATUS: [Column; 7] = [
    Column { key: "statut_reglement", header: "Statut", kind: Col::Text },
    Column { key: "libelle", header: "", kind: Col::Text },
    Column { key: "nombre", header: "Factures", kind: Col::Integer },
    Column { key: "montant_ht", header: "Montant HT", kind: Col::Money },
    Column { key: "reste_du", header: "Reste dû", kind: Col::Money },
    Column { key: "nombre_en_retard", header: "En retard", kind: Col::Integer },
    Column { key: "reste_du_en_retard", header: "Reste dû en retard", kind: Col::Money },
];

const BY_CLIENT: [Column; 9] = [
    Column { key: "code_client", header: "Client", kind: Col::Text },
    Column { key: "nom_client", header: "Nom du client", kind: Col::Text },
    Column { key: "nombre", header: "Factures", kind: Col::Integer },
    Column { key: "montant_ht", header: "Montant HT", kind: Col::Money },
    Column { key: "reste_du", header: "Reste dû", kind: Col::Money },
    Column { key: "nombre_en_retard", header: "En retard", kind: Col::Integer },
    Column { key: "reste_du_en_retard", header: "Reste dû en retard", kind: Col::Money },
    Column { key: "avoirs", header: "Avoirs", kind: Col::Money },
    Column { key: "solde", header: "Solde", kind: Col::Money },
];

fn row(open: &OpenFacture<'_>) -> [Cell; 13] {
    let f = open.facture;
    [
        f.numero.as_str().into(),
        f.numero_devis.as_deref().into(),
        f.client_code.as_str().into(),
        f.client_nom.as_str().into(),
        f.date_facture.into(),
        f.date_echeance.into(),
        f.statut_reglement.code().into(),
        f.montant_ht.into(),
        f.montant_ttc.into(),
        f.montant_regle.into(),
        open.reste_du.into(),
        i64::from(open.jours_retard).into(),
        open.anciennete().into(),
    ]
}

fn summary_cells(groupe: &str, nom: &str, totals: &Totals) -> Vec<Cell> {
    vec![
        groupe.into(),
        nom.into(),
        (totals.nombre as i64).into(),
        totals.montant_ht.into(),
        totals.reste_du.into(),
        (totals.nombre_en_retard as i64).into(),
        totals.reste_du_en_retard.into(),
    ]
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let au = args.au.unwrap_or_else(|| chrono::Local::now().date_naive());
    let selection = if args.en_retard { Selection::Late } else { Selection::Open };
    let app = resolve(ctx)?;
    let render = &ctx.render;
    let totals = block_on(async {
        let mut client = app.connect().await?;
        let mut destination = render.destination()?;
        let mut sink = output::sink(render.options, "factures", &mut destination);
        sink.begin(&COLUMNS)?;
        let mut progress = render.progress("factures");
        let request = factures::Request { client: args.client.as_deref(), au, selection };
        let summary = factures::open(&app, &mut client, request, |open| {
            progress.inc();
            Ok(sink.row(&row(open), Style { highlight: open.is_late() })?)
        })
        .await?;
        progress.finish();
        write_summary(&mut *sink, &summary, au)?;
        sink.finish()?;
        Render::commit(destination)?;
        Ok::<_, Error>(summary.totals)
    })?;
    if args.fail_on_alert && totals.nombre_en_retard > 0 {
        return Err(Error::new(
            Kind::Alert,
            format!(
                "alerte : {} facture(s) en retard au {}, {} restant dus",
                totals.nombre_en_retard,
                format::date_fr(au),
                format::money(totals.reste_du_en_retard)
            ),
        ));
    }
    Ok(())
}

fn write_summary(sink: &mut dyn RecordSink, summary: &Summary, au: NaiveDate) -> std::io::Result<()> {
    let all = &summary.totals;
    let mut totals = vec![Cell::Empty; COLUMNS.len()];
    let avoirs = all.nombre_avoirs - all.nombre_trop_percus;
    totals[0] = match (avoirs, all.nombre_trop_percus) {
        (0, 0) => format!("Total : {} factures", all.nombre),
        (avoirs, 0) => format!("Total : {} factures (hors {avoirs} avoirs)", all.nombre),
        (avoirs, trop) => format!("Total : {} factures (hors {avoirs} avoirs et {trop} trop-perçus)", all.nombre),
    }
    .into();
    totals[7] = all.montant_ht.into();
    totals[10] = all.reste_du.into();
    sink.totals(&totals)?;

    let mut ageing: Vec<Vec<Cell>> = all
        .ageing
        .iter()
        .map(|(bucket, amount)| {
            vec![bucket.label().into(), bucket.libelle().into(), amount.into(), all.part(amount).into()]
        })
        .collect();
    // Credit notes and overpayments are owed to customers: on their own line, outside the buckets
    // and their shares.
    let libelle =
        if all.nombre_trop_percus > 0 { "avoirs non imputés et trop-perçus" } else { "avoirs non imputés" };
    ageing.push(vec![AVOIR.into(), libelle.into(), all.avoirs.into(), Cell::Empty]);
    sink.section("anciennete", &format!("Ancienneté du reste dû au {}", format::date_fr(au)), &AGEING, ageing)?;

    let mut by_status = vec![summary_cells("TOUTES", "toutes les factures sélectionnées", all)];
    by_status.extend(summary.par_statut.iter().map(|status| {
        let libelle = match status.statut {
            StatutReglement::PartiellementRegle => "partiellement réglées",
            _ => "non réglées",
        };
        summary_cells(status.statut.code(), libelle, &status.totals)
    }));
    let retard = all.retard_moyen().map_or_else(
        || "aucune facture en retard".to_owned(),
        |days| format!("retard moyen {} jours", format::decimal_fr(days, 1)),
    );
    sink.section("par_statut", &format!("Totaux par statut ({retard})"), &BY_STATUS, by_status)?;

    let clients = summary
        .par_client
        .iter()
        .map(|c| {
            let mut cells = summary_cells(&c.client_code, &c.client_nom, &c.totals);
            cells.extend([c.totals.avoirs.into(), c.totals.solde().into()]);
            cells
        })
        .collect();
    sink.section("par_client", "Totaux par client", &BY_CLIENT, clients)
}
