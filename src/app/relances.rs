//! Payment reminders (`relances`): per customer, the late invoices by reminder level, with
//! penalties and recovery indemnities.

use chrono::NaiveDate;

use super::Context;
use crate::batigest::connection::Connection;
use crate::batigest::{queries, statuses};
use crate::error::Result;
use crate::report::factures::OpenFacture;
use crate::report::relances::{Client, Plan};

/// The customers to remind at `au` (one, or all), most urgent first, by the profile's rules.
pub async fn plan(
    ctx: &Context,
    client: &mut Connection,
    client_code: Option<&str>,
    au: NaiveDate,
) -> Result<Vec<Client>> {
    // No figure is computed on a status the mapping cannot read.
    ctx.check_statuses(client, &[statuses::FACTURES]).await?;
    let regles = &ctx.settings.relances.value;
    let mut plan = Plan::default();
    queries::factures_ouvertes(client, &ctx.mapping, client_code, au, ctx.target.timeout, |facture| {
        if let Some(open) = OpenFacture::new(&facture, au) {
            plan.add(regles, &open);
        }
        Ok::<_, crate::error::Error>(())
    })
    .await?;
    Ok(plan.clients())
}
