//! Sale/purchase coefficients of the active ouvrages (DESIGN §5.2: `coefficients`,
//! `GET /coefficients-marges`).

use super::Context;
use crate::batigest::connection::Connection;
use crate::batigest::queries;
use crate::error::Result;
use crate::model::Ouvrage;
use crate::report::coefficients::{self, CoefficientReport, Grouping, Settings};

/// The active ouvrages read, and the profile's rules they are judged by.
pub struct Coefficients {
    pub ouvrages: Vec<Ouvrage>,
    pub settings: Settings,
}

impl Coefficients {
    /// Coefficients, groups, anomalies and families below target.
    pub fn report(&self) -> CoefficientReport<'_> {
        coefficients::analyse(&self.ouvrages, &self.settings)
    }
}

/// The active ouvrages (of one famille, or all), grouped as asked. A catalogue holds hundreds of
/// ouvrages, not millions: the statistics need them all.
pub async fn load(
    ctx: &Context,
    client: &mut Connection,
    famille: Option<&str>,
    grouping: Grouping,
) -> Result<Coefficients> {
    let mut ouvrages = Vec::new();
    queries::ouvrages(client, &ctx.mapping, famille, ctx.target.timeout, |ouvrage| {
        ouvrages.push(ouvrage);
        Ok::<_, crate::error::Error>(())
    })
    .await?;
    Ok(Coefficients { ouvrages, settings: ctx.coefficient_settings(grouping) })
}
