//! Reading the sync trace: the integration rows joined to their JLM ERP offer, and the log.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

use super::Result;
use super::{Columns, Store, limit_rows, query};

/// One synced devis and its offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationRow {
    pub numero_devis: String,
    pub batigest_ref: Option<String>,
    pub offer_id: Option<String>,
    pub offre_reference: Option<String>,
    pub offre_client: Option<String>,
    pub offre_statut: Option<String>,
    pub montant_batigest: Option<Decimal>,
    pub montant_final: Option<Decimal>,
    pub taux_marge: Option<Decimal>,
    pub statut_batigest: Option<String>,
    pub sync_status: String,
    /// UTC.
    pub last_sync_at: Option<NaiveDateTime>,
    pub error_message: Option<String>,
}

/// The JLM ERP offers devis are linked to, with their `menuiserie_type`: through the sync's
/// integration rows, and through the offers' own `batigest_ref`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MenuiserieLinks {
    /// (devis number, type) of each integration row linked to an offer.
    pub integrations: Vec<(String, String)>,
    /// (`batigest_ref`, type) of each offer that names a devis.
    pub offers: Vec<(String, String)>,
}

/// One attempt of the sync log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: String,
    /// UTC.
    pub synced_at: Option<NaiveDateTime>,
    pub os_user: Option<String>,
    pub reference: Option<String>,
    pub numero_devis: Option<String>,
    pub offer_id: Option<String>,
    pub outcome: String,
    pub old_values: Option<String>,
    pub new_values: Option<String>,
    pub error_message: Option<String>,
}

impl Store {
    /// The integration rows, last synced first, with their offer when the store has `offers`.
    pub async fn integrations(&self, sync_status: Option<&str>, limit: Option<u64>) -> Result<Vec<IntegrationRow>> {
        let offers = if self.has_offers().await? {
            "CAST(o.reference AS TEXT), CAST(o.client AS TEXT), CAST(o.status AS TEXT), CAST(o.montant_final AS TEXT) \
             FROM batigest_integrations i LEFT JOIN offers o ON o.id = i.offer_id"
        } else {
            "NULL, NULL, NULL, NULL FROM batigest_integrations i"
        };
        let sql = format!(
            "SELECT CAST(i.numero_devis AS TEXT), CAST(i.batigest_ref AS TEXT), CAST(i.offer_id AS TEXT), \
             CAST(i.montant_batigest AS TEXT), CAST(i.taux_marge AS TEXT), CAST(i.statut_batigest AS TEXT), \
             CAST(i.sync_status AS TEXT), CAST(i.last_sync_at AS TEXT), i.error_message, {offers} \
             WHERE ($1 IS NULL OR CAST(i.sync_status AS TEXT) = $1) \
             ORDER BY (i.last_sync_at IS NULL), i.last_sync_at DESC, i.created_at DESC, i.id LIMIT $2"
        );
        let rows = query(&sql)
            .bind(sync_status.map(str::to_owned))
            .bind(limit_rows(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error("lecture de batigest_integrations impossible", e))?;
        rows.iter()
            .map(|row| {
                let c = Columns { row, location: &self.location };
                Ok(IntegrationRow {
                    numero_devis: c.text(0)?.unwrap_or_default(),
                    batigest_ref: c.text(1)?,
                    offer_id: c.text(2)?,
                    montant_batigest: c.decimal(3)?,
                    taux_marge: c.decimal(4)?,
                    statut_batigest: c.text(5)?,
                    sync_status: c.text(6)?.unwrap_or_default(),
                    last_sync_at: c.timestamp(7)?,
                    error_message: c.text(8)?,
                    offre_reference: c.text(9)?,
                    offre_client: c.text(10)?,
                    offre_statut: c.text(11)?,
                    montant_final: c.decimal(12)?,
                })
            })
            .collect()
    }

    /// The offers devis are linked to and their `menuiserie_type` (the caller checks that the store
    /// has `offers`).
    pub async fn menuiserie_links(&self) -> Result<MenuiserieLinks> {
        let read = |sql: &'static str| async move {
            let rows = query(sql)
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.error("lecture des offres de JLM ERP impossible", e))?;
            rows.iter()
                .filter_map(|row| {
                    let c = Columns { row, location: &self.location };
                    match (c.text(0), c.text(1)) {
                        (Ok(Some(numero)), Ok(Some(kind))) => Some(Ok((numero, kind))),
                        (Err(e), _) | (_, Err(e)) => Some(Err(e)),
                        _ => None,
                    }
                })
                .collect::<Result<Vec<_>>>()
        };
        Ok(MenuiserieLinks {
            integrations: read(
                "SELECT CAST(i.numero_devis AS TEXT), CAST(o.menuiserie_type AS TEXT) \
                 FROM batigest_integrations i JOIN offers o ON o.id = i.offer_id",
            )
            .await?,
            offers: read(
                "SELECT CAST(batigest_ref AS TEXT), CAST(menuiserie_type AS TEXT) FROM offers \
                 WHERE batigest_ref IS NOT NULL",
            )
            .await?,
        })
    }

    /// The sync log, newest first.
    pub async fn sync_log(&self, limit: Option<u64>) -> Result<Vec<LogEntry>> {
        let sql = "SELECT CAST(id AS TEXT), CAST(synced_at AS TEXT), os_user, reference, numero_devis, \
                   CAST(offer_id AS TEXT), CAST(outcome AS TEXT), CAST(old_values AS TEXT), \
                   CAST(new_values AS TEXT), error_message FROM batigest_sync_log ORDER BY seq DESC LIMIT $1";
        let rows = query(sql)
            .bind(limit_rows(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error("lecture de batigest_sync_log impossible", e))?;
        rows.iter()
            .map(|row| {
                let c = Columns { row, location: &self.location };
                Ok(LogEntry {
                    id: c.text(0)?.unwrap_or_default(),
                    synced_at: c.timestamp(1)?,
                    os_user: c.text(2)?,
                    reference: c.text(3)?,
                    numero_devis: c.text(4)?,
                    offer_id: c.text(5)?,
                    outcome: c.text(6)?.unwrap_or_default(),
                    old_values: c.text(7)?,
                    new_values: c.text(8)?,
                    error_message: c.text(9)?,
                })
            })
            .collect()
    }
}
