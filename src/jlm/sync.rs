//! The JLM side of `sync-offer` (DESIGN §4): one devis, one transaction — the JLM ERP offer, the
//! integration row and the log row land together or not at all.
//!
//! Idempotence: the new state is compared with the stored one field by field; when nothing
//! differs nothing is updated (not even `last_sync_at`, which is the time of the last change),
//! and only an `unchanged` row is added to the log, which keeps every attempt.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::{Columns, Store, Ty, money_text, now_text, query, timestamp_text};
use crate::error::{Error, Kind, Result};
use crate::model::Devis;
use crate::report::numbers::round_money;

/// What happened to one devis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Linked to its offer (or recorded, when the store has no `offers` table), something changed.
    Synced,
    /// Nothing differed: nothing was written but the log row.
    Unchanged,
    /// No offer (or several) matches: recorded for someone to link by hand.
    ManualReview,
    Error,
}

impl Outcome {
    /// The value of `batigest_sync_log.outcome`, also printed in CSV and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Synced => "synced",
            Outcome::Unchanged => "unchanged",
            Outcome::ManualReview => "manual_review",
            Outcome::Error => "error",
        }
    }
}

/// One value that changed, old → new, as text (`None` is NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `offre.final_amount`, `integration.sync_status`…
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A JLM ERP offer, as far as the sync is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: i64,
    pub reference: Option<String>,
    final_amount: Option<Decimal>,
    batigest_ref: Option<String>,
}

/// The result of one devis' sync.
#[derive(Debug, Clone)]
pub struct Report {
    pub numero: String,
    pub offer: Option<Offer>,
    pub outcome: Outcome,
    /// Manual review: why; unchanged: whether the devis still waits for review.
    pub note: Option<String>,
    pub changes: Vec<Change>,
}

/// One sync to do.
pub struct Request<'a> {
    /// What the user asked for (`--ref`), or the devis number in a batch.
    pub reference: &'a str,
    pub devis: &'a Devis,
    /// `--offer ID`.
    pub offer: Option<i64>,
    /// Whether the store has JLM ERP's `offers` table.
    pub has_offers: bool,
    pub os_user: Option<&'a str>,
    pub dry_run: bool,
}

/// What the integration row holds for one devis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Integration {
    offer_id: Option<i64>,
    batigest_ref: Option<String>,
    montant_batigest: Option<Decimal>,
    taux_marge: Option<Decimal>,
    statut_batigest: Option<String>,
    sync_status: Option<String>,
    error_message: Option<String>,
}

/// NUMERIC(12,2) and NUMERIC(5,2), JLM ERP's columns: what does not fit is refused here, the same
/// way in both stores.
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_410_065_408, 2, 0, false, 0); // 10^10
const MAX_RATE: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

fn text(value: Option<Decimal>) -> Option<String> {
    value.map(money_text)
}

impl Store {
    /// Syncs one devis in one transaction (none at all with `dry_run`) and says what changed.
    /// `--offer ID` naming no offer is exit 4 and nothing is written.
    pub async fn sync_devis(&self, request: &Request<'_>) -> Result<Report> {
        let devis = request.devis;
        let montant = round_money(devis.montant_ht);
        // Unknown when the schema mapping leaves the margin unmapped: stored as NULL.
        let taux = devis.taux_marge.map(round_money);
        if montant.abs() >= MAX_AMOUNT {
            return Err(Error::new(
                Kind::Store,
                format!(
                    "{} : montant HT {montant} trop grand pour JLM ERP (12 chiffres dont 2 décimales)",
                    devis.numero
                ),
            ));
        }
        if let Some(taux) = taux.filter(|taux| taux.abs() >= MAX_RATE) {
            return Err(Error::new(
                Kind::Store,
                format!(
                    "{} : taux de marge {taux} trop grand pour JLM ERP (5 chiffres dont 2 décimales)",
                    devis.numero
                ),
            ));
        }
        let fail = |e: &sqlx::Error| self.error(&format!("synchronisation de {} impossible", devis.numero), e);
        let mut tx = if request.dry_run {
            self.pool.begin().await.map_err(|e| fail(&e))?
        } else {
            self.write(&devis.numero).await?
        };

        let (offer, note) = if request.has_offers {
            self.find_offer(&mut tx, request).await?
        } else if let Some(id) = request.offer {
            return Err(Error::new(
                Kind::NotFound,
                format!("offre {id} introuvable : le magasin JLM n'a pas de table offers"),
            )
            .with_hint("--offer lie un devis à une offre de JLM ERP : indiquez sa base avec --jlm-db postgres://…"));
        } else {
            (None, None)
        };
        // With an offers table, a devis no offer matches waits for someone to link it.
        let review = request.has_offers && offer.is_none();
        let sync_status = if review { "manual_review" } else { "synced" };
        let wanted = Integration {
            offer_id: offer.as_ref().map(|o| o.id),
            batigest_ref: Some(devis.reference_affaire.clone().unwrap_or_else(|| devis.numero.clone())),
            montant_batigest: Some(montant),
            taux_marge: taux,
            statut_batigest: Some(devis.statut.code().to_owned()),
            sync_status: Some(sync_status.to_owned()),
            error_message: note.clone(),
        };
        let current = self.integration(&mut tx, &devis.numero).await?;
        let mut changes = Vec::new();
        if let Some(offer) = &offer {
            if offer.final_amount != Some(montant) {
                changes.push(Change {
                    field: "offre.final_amount",
                    old: text(offer.final_amount),
                    new: text(Some(montant)),
                });
            }
            if offer.batigest_ref.as_deref() != Some(devis.numero.as_str()) {
                changes.push(Change {
                    field: "offre.batigest_ref",
                    old: offer.batigest_ref.clone(),
                    new: Some(devis.numero.clone()),
                });
            }
        }
        let offer_changed = !changes.is_empty();
        changes.extend(integration_changes(&current.unwrap_or_default(), &wanted));

        let outcome = match (changes.is_empty(), review) {
            (true, _) => Outcome::Unchanged,
            (false, true) => Outcome::ManualReview,
            (false, false) => Outcome::Synced,
        };
        let report = Report { numero: devis.numero.clone(), offer, outcome, note, changes };
        if request.dry_run {
            // Nothing was written; the transaction only gave a consistent read.
            tx.rollback().await.map_err(|e| fail(&e))?;
            return Ok(report);
        }
        let at = now_text();
        if let Some(offer) = report.offer.as_ref().filter(|_| offer_changed) {
            query(format!(
                "UPDATE offers SET final_amount = {}, batigest_ref = $2 WHERE id = $3",
                self.param(1, Ty::Numeric)
            ))
            .bind(money_text(montant))
            .bind(devis.numero.clone())
            .bind(offer.id)
            .execute(&mut *tx)
            .await
            .map_err(|e| fail(&e))?;
        }
        if report.outcome != Outcome::Unchanged {
            query(format!(
                "INSERT INTO batigest_integrations (offer_id, batigest_ref, numero_devis, montant_batigest, taux_marge, \
                 statut_batigest, last_sync_at, sync_status, error_message, created_at, updated_at) \
                 VALUES ($1, $2, $3, {}, {}, $6, {}, $8, $9, {}, {}) \
                 ON CONFLICT (numero_devis) DO UPDATE SET offer_id = excluded.offer_id, \
                 batigest_ref = excluded.batigest_ref, montant_batigest = excluded.montant_batigest, \
                 taux_marge = excluded.taux_marge, statut_batigest = excluded.statut_batigest, \
                 last_sync_at = excluded.last_sync_at, sync_status = excluded.sync_status, \
                 error_message = excluded.error_message, updated_at = excluded.updated_at",
                self.param(4, Ty::Numeric),
                self.param(5, Ty::Numeric),
                self.param(7, Ty::Timestamp),
                self.param(10, Ty::Timestamp),
                self.param(11, Ty::Timestamp),
            ))
            .bind(wanted.offer_id)
            .bind(wanted.batigest_ref.clone())
            .bind(devis.numero.clone())
            .bind(money_text(montant))
            .bind(taux.map(money_text))
            .bind(wanted.statut_batigest.clone())
            .bind(at.clone())
            .bind(sync_status)
            .bind(wanted.error_message.clone())
            .bind(at.clone())
            .bind(at.clone())
            .execute(&mut *tx)
            .await
            .map_err(|e| fail(&e))?;
        }
        let (old, new) = values_json(&report.changes);
        self.insert_log(
            &mut tx,
            &LogRow {
                at: &at,
                os_user: request.os_user,
                reference: Some(request.reference),
                numero: Some(&devis.numero),
                offer_id: report.offer.as_ref().map(|o| o.id),
                outcome: report.outcome,
                old,
                new,
                error: None,
            },
        )
        .await
        .map_err(|e| fail(&e))?;
        tx.commit().await.map_err(|e| fail(&e))?;
        Ok(report)
    }

    /// Records a failed attempt in the log, in its own transaction: the sync itself left nothing.
    pub async fn log_failure(
        &self,
        reference: Option<&str>,
        numero: Option<&str>,
        os_user: Option<&str>,
        error: &str,
    ) -> Result<()> {
        let fail = |e: &sqlx::Error| self.error("écriture du journal impossible", e);
        let mut tx = self.write(numero.unwrap_or("journal")).await?;
        let at = now_text();
        let row = LogRow {
            at: &at,
            os_user,
            reference,
            numero,
            offer_id: None,
            outcome: Outcome::Error,
            old: None,
            new: None,
            error: Some(error),
        };
        self.insert_log(&mut tx, &row).await.map_err(|e| fail(&e))?;
        tx.commit().await.map_err(|e| fail(&e))
    }

    async fn find_offer(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        request: &Request<'_>,
    ) -> Result<(Option<Offer>, Option<String>)> {
        let devis = request.devis;
        let fail = |e: &sqlx::Error| self.error("lecture de la table offers impossible", e);
        let columns =
            "CAST(id AS BIGINT), CAST(reference AS TEXT), CAST(final_amount AS TEXT), CAST(batigest_ref AS TEXT)";
        if let Some(id) = request.offer {
            let row = query(format!("SELECT {columns} FROM offers WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(|e| fail(&e))?;
            let Some(row) = row else {
                return Err(Error::new(Kind::NotFound, format!("aucune offre JLM ERP n° {id}")).with_hint(
                    "vérifiez le numéro de l'offre dans JLM ERP, ou omettez --offer pour la chercher par référence",
                ));
            };
            return Ok((Some(self.offer(&row)?), None));
        }
        // Already linked to this devis first, then an offer named like the devis, then like its affaire.
        let rows = query(format!(
            "SELECT {columns}, CASE WHEN batigest_ref = $1 THEN 0 WHEN reference = $1 THEN 1 ELSE 2 END AS rang \
             FROM offers WHERE batigest_ref = $1 OR reference = $1 OR reference = $2 ORDER BY rang, id LIMIT 5"
        ))
        .bind(devis.numero.clone())
        .bind(devis.reference_affaire.clone())
        .fetch_all(&mut **tx)
        .await
        .map_err(|e| fail(&e))?;
        let mut ranked = Vec::with_capacity(rows.len());
        for row in &rows {
            let rank = Columns { row, location: &self.location }.integer(4)?;
            ranked.push((self.offer(row)?, rank));
        }
        let first = ranked.first().map(|(_, rank)| *rank);
        let mut best: Vec<Offer> =
            ranked.into_iter().filter(|(_, rank)| Some(*rank) == first).map(|(offer, _)| offer).collect();
        match best.len() {
            0 => {
                let mut names = vec![devis.numero.clone()];
                names.extend(devis.reference_affaire.clone());
                Ok((None, Some(format!("aucune offre JLM ERP ne correspond à {}", names.join(" ni à ")))))
            }
            1 => Ok((best.pop(), None)),
            _ => {
                let ids: Vec<String> = best.iter().map(|offer| offer.id.to_string()).collect();
                Ok((
                    None,
                    Some(format!(
                        "plusieurs offres JLM ERP correspondent ({}) : choisissez avec --offer",
                        ids.join(", ")
                    )),
                ))
            }
        }
    }

    fn offer(&self, row: &sqlx::any::AnyRow) -> Result<Offer> {
        let columns = Columns { row, location: &self.location };
        Ok(Offer {
            id: columns.integer(0)?.unwrap_or_default(),
            reference: columns.text(1)?,
            final_amount: columns.decimal(2)?,
            batigest_ref: columns.text(3)?,
        })
    }

    async fn integration(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        numero: &str,
    ) -> Result<Option<Integration>> {
        let row = sqlx::query(
            "SELECT CAST(offer_id AS BIGINT), CAST(batigest_ref AS TEXT), CAST(montant_batigest AS TEXT), \
             CAST(taux_marge AS TEXT), CAST(statut_batigest AS TEXT), CAST(sync_status AS TEXT), error_message \
             FROM batigest_integrations WHERE numero_devis = $1",
        )
        .bind(numero.to_owned())
        .fetch_optional(&mut **tx)
        .await
        .map_err(|e| self.error("lecture de batigest_integrations impossible", &e))?;
        let Some(row) = row else { return Ok(None) };
        let columns = Columns { row: &row, location: &self.location };
        Ok(Some(Integration {
            offer_id: columns.integer(0)?,
            batigest_ref: columns.text(1)?,
            montant_batigest: columns.decimal(2)?,
            taux_marge: columns.decimal(3)?,
            statut_batigest: columns.text(4)?,
            sync_status: columns.text(5)?,
            error_message: columns.text(6)?,
        }))
    }

    async fn insert_log(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        row: &LogRow<'_>,
    ) -> std::result::Result<(), sqlx::Error> {
        query(format!(
            "INSERT INTO batigest_sync_log (synced_at, os_user, reference, numero_devis, offer_id, outcome, \
             old_values, new_values, error_message) VALUES ({}, $2, $3, $4, $5, $6, {}, {}, $9)",
            self.param(1, Ty::Timestamp),
            self.param(7, Ty::Json),
            self.param(8, Ty::Json),
        ))
        .bind(row.at.to_owned())
        .bind(row.os_user.map(str::to_owned))
        .bind(row.reference.map(str::to_owned))
        .bind(row.numero.map(str::to_owned))
        .bind(row.offer_id)
        .bind(row.outcome.code())
        .bind(row.old.clone())
        .bind(row.new.clone())
        .bind(row.error.map(str::to_owned))
        .execute(&mut **tx)
        .await
        .map(|_| ())
    }

    /// The Batigest time at which the last batch without errors started, if any.
    pub async fn last_successful_batch(&self) -> Result<Option<NaiveDateTime>> {
        let row = sqlx::query(
            "SELECT CAST(batigest_started_at AS TEXT) FROM batigest_sync_batches WHERE errors = 0 ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error("lecture des lots précédents impossible", &e))?;
        match row {
            Some(row) => Columns { row: &row, location: &self.location }.timestamp(0),
            None => Ok(None),
        }
    }

    /// Records a finished batch; one without errors is where the next one starts from.
    pub async fn record_batch(&self, batch: &Batch) -> Result<()> {
        let fail = |e: &sqlx::Error| self.error("enregistrement du lot impossible", e);
        let mut tx = self.write("lot").await?;
        query(format!(
            "INSERT INTO batigest_sync_batches (started_at, batigest_started_at, finished_at, since, synced, unchanged, \
             manual_review, errors) VALUES ({}, {}, {}, {}, $5, $6, $7, $8)",
            self.param(1, Ty::Timestamp),
            self.param(2, Ty::Timestamp),
            self.param(3, Ty::Timestamp),
            self.param(4, Ty::Timestamp),
        ))
        .bind(timestamp_text(batch.started_at))
        .bind(timestamp_text(batch.batigest_started_at))
        .bind(now_text())
        .bind(batch.since.map(timestamp_text))
        .bind(batch.counts.synced)
        .bind(batch.counts.unchanged)
        .bind(batch.counts.manual_review)
        .bind(batch.counts.errors)
        .execute(&mut *tx)
        .await
        .map_err(|e| fail(&e))?;
        tx.commit().await.map_err(|e| fail(&e))
    }
}

struct LogRow<'a> {
    at: &'a str,
    os_user: Option<&'a str>,
    reference: Option<&'a str>,
    numero: Option<&'a str>,
    offer_id: Option<i64>,
    outcome: Outcome,
    old: Option<String>,
    new: Option<String>,
    error: Option<&'a str>,
}

/// The old and new values of the changes as two JSON objects keyed by field; none when nothing changed.
fn values_json(changes: &[Change]) -> (Option<String>, Option<String>) {
    if changes.is_empty() {
        return (None, None);
    }
    let object = |pick: fn(&Change) -> &Option<String>| {
        let map: Map<String, Value> = changes
            .iter()
            .map(|change| (change.field.to_owned(), pick(change).clone().map_or(Value::Null, Value::String)))
            .collect();
        Value::Object(map).to_string()
    };
    (Some(object(|c| &c.old)), Some(object(|c| &c.new)))
}

fn integration_changes(current: &Integration, wanted: &Integration) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut compare = |field, old: Option<String>, new: Option<String>| {
        if old != new {
            changes.push(Change { field, old, new });
        }
    };
    let id = |value: Option<i64>| value.map(|id| id.to_string());
    compare("integration.offer_id", id(current.offer_id), id(wanted.offer_id));
    compare("integration.batigest_ref", current.batigest_ref.clone(), wanted.batigest_ref.clone());
    // Decimals compare by value (`12.50` = `12.5`), whatever text the store gave back.
    if current.montant_batigest != wanted.montant_batigest {
        compare("integration.montant_batigest", text(current.montant_batigest), text(wanted.montant_batigest));
    }
    if current.taux_marge != wanted.taux_marge {
        compare("integration.taux_marge", text(current.taux_marge), text(wanted.taux_marge));
    }
    compare("integration.statut_batigest", current.statut_batigest.clone(), wanted.statut_batigest.clone());
    compare("integration.sync_status", current.sync_status.clone(), wanted.sync_status.clone());
    compare("integration.error_message", current.error_message.clone(), wanted.error_message.clone());
    changes
}

/// How a batch went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub synced: i64,
    pub unchanged: i64,
    pub manual_review: i64,
    pub errors: i64,
}

impl Counts {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Synced => self.synced += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::ManualReview => self.manual_review += 1,
            Outcome::Error => self.errors += 1,
        }
    }
}

/// A finished `sync-offer --all`.
pub struct Batch {
    /// Our clock (UTC).
    pub started_at: NaiveDateTime,
    /// Batigest's clock, which the devis dates follow: the next batch starts from here.
    pub batigest_started_at: NaiveDateTime,
    pub since: Option<NaiveDateTime>,
    pub counts: Counts,
}
