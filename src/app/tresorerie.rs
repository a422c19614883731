//! The cash-in forecast (`tresorerie`): the reste dû of the open invoices by due date, what is
//! late, credit notes apart, and what the committed devis still have to invoice.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Context;
use crate::batigest::connection::Connection;
use crate::batigest::{queries, statuses};
use crate::error::Result;
use crate::report::factures::OpenFacture;
use crate::report::tresorerie::{Forecast, Horizon, Step, a_facturer};

/// What to forecast.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub au: NaiveDate,
    pub horizon: Horizon,
    pub step: Step,
    /// Keep every invoice and devis behind the lines.
    pub detail: bool,
}

/// An invoice behind a line of the forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactureLine {
    /// The forecast line it falls in.
    pub ligne: String,
    pub numero: String,
    pub client_code: String,
    pub client_nom: String,
    pub date_echeance: NaiveDate,
    pub jours_retard: u32,
    pub reste_du: Decimal,
}

/// A committed devis with something left to invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevisLine {
    pub numero: String,
    pub montant_ht: Decimal,
    pub montant_ttc: Option<Decimal>,
    pub facture_ht: Decimal,
    pub reste_ht: Decimal,
    pub reste_ttc: Option<Decimal>,
}

/// What remains to invoice on the committed devis, without a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AFacturer {
    pub nombre: i64,
    pub reste_ht: Decimal,
    /// Unknown as soon as one devis' TTC is.
    pub reste_ttc: Option<Decimal>,
}

pub struct Tresorerie {
    pub forecast: Forecast,
    pub a_facturer: AFacturer,
    /// With `detail` only.
    pub factures: Vec<FactureLine>,
    pub devis: Vec<DevisLine>,
}

/// The forecast at `request.au`; `read` is called for every open invoice read (a progress count).
pub async fn forecast(
    ctx: &Context,
    client: &mut Connection,
    request: Request,
    mut read: impl FnMut(),
) -> Result<Tresorerie> {
    // No figure is computed on a status the mapping cannot read.
    ctx.check_statuses(client, &[statuses::DEVIS, statuses::FACTURES]).await?;
    let (au, timeout) = (request.au, ctx.target.timeout);
    let mut forecast = Forecast::new(au, request.horizon, request.step);
    let mut factures = Vec::new();
    queries::factures_ouvertes(client, &ctx.mapping, None, au, timeout, |facture| {
        read();
        if let Some(open) = OpenFacture::new(&facture, au) {
            let slot = forecast.add(&open);
            if request.detail {
                factures.push(FactureLine {
                    ligne: forecast.key(slot),
                    numero: facture.numero.clone(),
                    client_code: facture.client_code.clone(),
                    client_nom: facture.client_nom.clone(),
                    date_echeance: facture.date_echeance,
                    jours_retard: open.jours_retard,
                    reste_du: open.reste_du,
                });
            }
        }
        Ok::<_, crate::error::Error>(())
    })
    .await?;
    let mut total = AFacturer { reste_ttc: Some(Decimal::ZERO), ..AFacturer::default() };
    let mut devis = Vec::new();
    queries::engages(client, &ctx.mapping, au, timeout, |engage| {
        if let Some((reste_ht, reste_ttc)) = a_facturer(&engage) {
            total.nombre += 1;
            total.reste_ht += reste_ht;
            total.reste_ttc = total.reste_ttc.zip(reste_ttc).map(|(sum, ttc)| sum + ttc);
            if request.detail {
                devis.push(DevisLine {
                    numero: engage.numero.clone(),
                    montant_ht: engage.montant_ht,
                    montant_ttc: engage.montant_ttc,
                    facture_ht: engage.facture_ht,
                    reste_ht,
                    reste_ttc,
                });
            }
        }
        Ok::<_, crate::error::Error>(())
    })
    .await?;
    Ok(Tresorerie { forecast, a_facturer: total, factures, devis })
}
