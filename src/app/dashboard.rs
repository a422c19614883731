//! One screen (`dashboard`): the connection, the KPIs of the month and the year, what is owed and
//! late, the weeks ahead, the families against their targets, and the latest syncs.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::Context;
use super::analytics::{self, FamilleCoefficient};
use crate::batigest::connection::{Connection, ServerStatus};
use crate::batigest::{queries, statuses};
use crate::error::{Error, Result};
use crate::jlm::integrations::IntegrationRow;
use crate::report::factures::{OpenFacture, Totals};
use crate::report::kpi::{Granularity, Period, Report};
use crate::report::tresorerie::{Forecast, Horizon, Step};

/// Late invoices kept, the most days late first.
pub const LATE_SHOWN: usize = 10;
/// Syncs kept, the most recent first.
pub const SYNCS_SHOWN: u64 = 5;

/// A late invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateInvoice {
    pub numero: String,
    pub client_code: String,
    pub client_nom: String,
    pub echeance: NaiveDate,
    pub jours: u32,
    pub reste_du: Decimal,
}

pub struct Dashboard {
    pub au: NaiveDate,
    /// The server as the settings name it (`HÔTE\INSTANCE`, port).
    pub server: String,
    pub status: ServerStatus,
    /// The year to `au`, month by month.
    pub year: Report,
    pub families: Vec<FamilleCoefficient>,
    /// The open invoices at `au`.
    pub totals: Totals,
    /// 13 weeks ahead.
    pub forecast: Forecast,
    /// At most [`LATE_SHOWN`].
    pub late: Vec<LateInvoice>,
    /// The latest syncs, or why the store could not be read: the rest is still shown.
    pub syncs: Result<Vec<IntegrationRow>>,
}

/// The KPIs of the year to `au` (cut by `granularity`), statuses checked first: what the dashboard
/// shows, through the command and through `GET /dashboard`.
pub async fn year_to_date(
    ctx: &Context,
    client: &mut Connection,
    au: NaiveDate,
    granularity: Option<Granularity>,
) -> Result<Report> {
    ctx.check_statuses(client, &[statuses::DEVIS, statuses::FACTURES]).await?;
    let period = Period::new(NaiveDate::from_ymd_opt(au.year(), 1, 1).unwrap_or(au), au)
        .map_err(|e| Error::usage(e.to_string()))?;
    analytics::kpis(ctx, client, analytics::Request { period, granularity }).await
}

/// Gathers the dashboard at `au`.
pub async fn gather(ctx: &Context, client: &mut Connection, au: NaiveDate) -> Result<Dashboard> {
    let year = year_to_date(ctx, client, au, Some(Granularity::Month)).await?;
    let status = super::server_status(ctx, client).await?;

    let mut totals = Totals::default();
    let mut forecast = Forecast::new(au, Horizon { count: 13, step: Step::Week }, Step::Week);
    // Most days late first; only the first LATE_SHOWN are kept, so memory stays flat.
    let most_late = |a: &LateInvoice, b: &LateInvoice| b.jours.cmp(&a.jours).then_with(|| a.numero.cmp(&b.numero));
    let mut late = Vec::with_capacity(2 * LATE_SHOWN);
    queries::factures_ouvertes(client, &ctx.mapping, None, au, ctx.target.timeout, |facture| {
        if let Some(open) = OpenFacture::new(&facture, au) {
            totals.add(&open);
            forecast.add(&open);
            if open.is_late() {
                late.push(LateInvoice {
                    numero: facture.numero.clone(),
                    client_code: facture.client_code.clone(),
                    client_nom: facture.client_nom.clone(),
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
    let families =
        analytics::families(&year, &ctx.coefficient_settings(crate::report::coefficients::Grouping::Famille));

    // The dashboard still shows everything else when the store cannot be read; the failure
    // decides the exit code, never written into the data.
    let syncs = async { super::integrations::list(&ctx.store().await?, None, Some(SYNCS_SHOWN)).await }.await;
    Ok(Dashboard { au, server: ctx.target.describe(), status, year, families, totals, forecast, late, syncs })
}
