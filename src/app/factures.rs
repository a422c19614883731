//! Open invoices at a date (DESIGN §5.3: `factures`, `GET /facturations-en-cours`, the dashboard).

use chrono::NaiveDate;

use super::Context;
use crate::batigest::connection::Connection;
use crate::batigest::{queries, statuses};
use crate::error::Result;
use crate::report::factures::{OpenFacture, Selection, Summary, SummaryBuilder};

/// Which open invoices.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// One client's (its code), or all.
    pub client: Option<&'a str>,
    /// The report date: an invoice dated later did not exist yet.
    pub au: NaiveDate,
    pub selection: Selection,
}

/// Hands each selected open invoice to `each` as it is read, and sums them by the rules of
/// `factures` (credit notes and overpayments apart, by status, by client).
pub async fn open(
    ctx: &Context,
    client: &mut Connection,
    request: Request<'_>,
    mut each: impl FnMut(&OpenFacture<'_>) -> Result<()>,
) -> Result<Summary> {
    ctx.check_statuses(client, &[statuses::FACTURES]).await?;
    let mut summary = SummaryBuilder::default();
    let au = request.au;
    queries::factures_ouvertes(client, &ctx.mapping, request.client, au, ctx.target.timeout, |facture| {
        let Some(open) = OpenFacture::new(&facture, au).filter(|open| request.selection.includes(open)) else {
            return Ok(());
        };
        summary.add(&open);
        each(&open)
    })
    .await?;
    Ok(summary.finish())
}
