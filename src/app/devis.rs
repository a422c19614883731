//! The quotes, newest first, with filters (`devis`, `GET /devis-clients`).

use super::Context;
use crate::batigest::connection::Connection;
use crate::batigest::{queries, statuses};
use crate::error::Result;
use crate::model::Devis;

pub use crate::batigest::queries::DevisFilter as Filter;

/// Hands each devis of `filter` to `each`, as the server sends them (memory stays flat). A status
/// filter is refused first when the data holds a status the mapping cannot read.
pub async fn list(
    ctx: &Context,
    client: &mut Connection,
    filter: &Filter,
    each: impl FnMut(Devis) -> Result<()>,
) -> Result<()> {
    if !filter.statuts.is_empty() {
        ctx.check_statuses(client, &[statuses::DEVIS]).await?;
    }
    queries::devis(client, &ctx.mapping, filter, ctx.target.timeout, each).await
}
