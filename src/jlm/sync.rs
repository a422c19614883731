//! The JLM side of `sync-offer` (DESIGN §4): one devis, one transaction — the JLM ERP offer, the
//! integration row and the log row land together or not at all.
//!
//! Idempotence: the new state is compared with the stored one field by field; when nothing
//! differs nothing is updated (not even `last_sync_at`, which is the time of the last change),
//! and only an `unchanged` row is added to the log, which keeps every attempt.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::{Columns, Store, Ty, money_text, now_text, query, timestamp_text};
use super::{Result, StoreError};
use crate::model::{Devis, offer_status_moves};
use crate::report::numbers::round_money;

/// What happened to one devis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Linked to its offer (or recorded, when the store has no `offers` table), something changed.
    Synced,
    /// Nothing differed: nothing was written but the log row.
    Unchanged,
    /// No offer (or several) matches, or its offer went to another devis: recorded for someone
    /// to link by hand.
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
    /// `offre.montant_final`, `integration.sync_status`…
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Change {
    /// Whether the values are numbers (amounts, rates), written as decimal text.
    pub fn is_number(&self) -> bool {
        matches!(self.field, "offre.montant_final" | "integration.montant_batigest" | "integration.taux_marge")
    }
}

/// A JLM ERP offer, as far as the sync is concerned. Its id is text (a UUID in JLM ERP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: String,
    pub reference: Option<String>,
    montant_final: Option<Decimal>,
    batigest_ref: Option<String>,
    status: Option<String>,
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
    /// With `--relink`: the devis that held the offer, now waiting for review.
    pub unlinked: Vec<Report>,
}

/// What to do when the offer found for a devis already carries another devis, or the devis
/// is already linked to another offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relink {
    /// Refuse (exit 2), naming the other devis or offer: `sync-offer --ref`.
    Refuse,
    /// Record the devis for review, change nothing else: `sync-offer --all`.
    Review,
    /// Move the link: `sync-offer --ref … --relink`.
    Move,
}

/// One sync to do.
pub struct Request<'a> {
    /// What the user asked for (`--ref`), or the devis number in a batch.
    pub reference: &'a str,
    pub devis: &'a Devis,
    /// `--offer ID`.
    pub offer: Option<&'a str>,
    pub relink: Relink,
    /// Whether the store has JLM ERP's `offers` table.
    pub has_offers: bool,
    pub os_user: Option<&'a str>,
    pub dry_run: bool,
    /// Batigest status → JLM ERP offer status (`[sync] statuts`), moved forward only; empty: the
    /// offer's status is left alone.
    pub statuts: &'a BTreeMap<String, String>,
    /// Whether a devis found unchanged gets its log row: every attempt is traced, but the
    /// automatic sync, which looks again at devis that did not change, writes nothing for them.
    pub trace_unchanged: bool,
}

/// What the integration row holds for one devis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Integration {
    offer_id: Option<String>,
    batigest_ref: Option<String>,
    montant_batigest: Option<Decimal>,
    taux_marge: Option<Decimal>,
    statut_batigest: Option<String>,
    sync_status: Option<String>,
    error_message: Option<String>,
}

/// An integration row as read, with its id (JLM ERP may hold several rows for one devis: the
/// most recently updated one is the devis' state).
struct Stored {
    id: String,
    integration: Integration,
}

/// JLM ERP's NUMERIC(12,2) (`montant_batigest`, `offers.montant_final`) and NUMERIC(5,2)
/// (`taux_marge`): what does not fit is refused here, the same way in both stores.
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_410_065_408, 2, 0, false, 0); // 10^10
const MAX_RATE: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

fn text(value: Option<Decimal>) -> Option<String> {
    value.map(money_text)
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

const SYNC_LOCK: &str = "sync";

const OFFER_COLUMNS: &str = "CAST(id AS TEXT), CAST(reference AS TEXT), CAST(montant_final AS TEXT), CAST(batigest_ref AS TEXT), \
     CAST(status AS TEXT)";

impl Store {
    /// Syncs one devis in one transaction (none at all with `dry_run`) and says what changed.
    /// `--offer ID` naming no offer is exit 4 and nothing is written; an offer that carries
    /// another devis is exit 2 unless the link is moved (`Relink::Move`).
    pub async fn sync_devis(&self, request: &Request<'_>) -> Result<Report> {
        let devis = request.devis;
        let montant = round_money(devis.montant_ht);
        // Unknown when the schema mapping leaves the margin unmapped: stored as NULL.
        let taux = devis.taux_marge.map(round_money);
        check_fits(devis, montant, taux)?;
        let fail = |e: sqlx::Error| self.error(&format!("synchronisation de {} impossible", devis.numero), e);
        let mut tx = if request.dry_run {
            self.pool.begin().await.map_err(&fail)?
        } else {
            // One lock for every sync, not one per devis: two devis must not take one offer at once.
            self.write(SYNC_LOCK).await?
        };
        let current = self.integration(&mut tx, &devis.numero).await?;
        let linked = current.as_ref().and_then(|stored| stored.integration.offer_id.clone());

        let (mut offer, mut note) = if request.has_offers {
            self.find_offer(&mut tx, request, linked.as_deref()).await?
        } else if let Some(id) = request.offer {
            return Err(StoreError::NoOffersTable { id: id.to_owned() });
        } else {
            (None, None)
        };

        // An offer carries at most one devis.
        let mut holders = Vec::new();
        let mut previous = None;
        if let Some(found) = &offer {
            holders = self.holders(&mut tx, found, devis).await?;
            previous = match linked.as_deref().filter(|linked| *linked != found.id) {
                Some(linked) => self.offer_by_id(&mut tx, linked).await?,
                None => None,
            };
            if !holders.is_empty() || previous.is_some() {
                let conflict = conflict(found, &holders, previous.as_ref(), devis);
                match request.relink {
                    Relink::Move => {}
                    Relink::Refuse => {
                        return Err(StoreError::OfferTaken {
                            conflict,
                            numero: devis.numero.clone(),
                            offer: found.id.clone(),
                        });
                    }
                    Relink::Review => {
                        offer = None;
                        note = Some(conflict);
                        holders.clear();
                        previous = None;
                    }
                }
            }
        }
        // With an offers table, a devis no offer matches waits for someone to link it.
        let review = request.has_offers && offer.is_none();
        let sync_status = if review { "manual_review" } else { "synced" };
        let wanted = Integration {
            offer_id: offer.as_ref().map(|o| o.id.clone()),
            batigest_ref: Some(devis.reference_affaire.clone().unwrap_or_else(|| devis.numero.clone())),
            montant_batigest: Some(montant),
            taux_marge: taux,
            statut_batigest: Some(devis.statut.code().to_owned()),
            sync_status: Some(sync_status.to_owned()),
            error_message: note.clone(),
        };
        let mut changes = Vec::new();
        if let Some(previous) = &previous {
            changes.push(Change {
                field: "offre_precedente.batigest_ref",
                old: previous.batigest_ref.clone().map(|old| format!("{old} (offre {})", previous.id)),
                new: None,
            });
        }
        if let Some(offer) = &offer {
            if offer.montant_final != Some(montant) {
                changes.push(Change {
                    field: "offre.montant_final",
                    old: text(offer.montant_final),
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
        // The status the map gives the devis' own, when it moves the offer forward.
        let status = offer.as_ref().and_then(|offer| {
            let target = request.statuts.get(devis.statut.code())?;
            offer_status_moves(offer.status.as_deref(), target).then(|| target.clone())
        });
        if let (Some(offer), Some(status)) = (&offer, &status) {
            changes.push(Change { field: "offre.status", old: offer.status.clone(), new: Some(status.clone()) });
        }
        let offer_changed =
            changes.iter().any(|change| matches!(change.field, "offre.montant_final" | "offre.batigest_ref"));
        let before = current.as_ref().map(|stored| stored.integration.clone()).unwrap_or_default();
        changes.extend(integration_changes(&before, &wanted));

        let outcome = match (changes.is_empty(), review) {
            (true, _) => Outcome::Unchanged,
            (false, true) => Outcome::ManualReview,
            (false, false) => Outcome::Synced,
        };
        let unlinked = offer
            .as_ref()
            .map(|found| holders.iter().map(|holder| unlinked_report(holder, found, &devis.numero)).collect::<Vec<_>>())
            .unwrap_or_default();
        let report = Report { numero: devis.numero.clone(), offer, outcome, note, changes, unlinked };
        if request.dry_run || (report.outcome == Outcome::Unchanged && !request.trace_unchanged) {
            // Nothing was written; the transaction only gave a consistent read.
            tx.rollback().await.map_err(&fail)?;
            return Ok(report);
        }
        let at = now_text();
        if let Some(previous) = &previous {
            query("UPDATE offers SET batigest_ref = NULL WHERE id = $1")
                .bind(previous.id.clone())
                .execute(&mut *tx)
                .await
                .map_err(&fail)?;
        }
        if let Some(offer) = report.offer.as_ref().filter(|_| offer_changed) {
            query(&format!(
                "UPDATE offers SET montant_final = {}, batigest_ref = $2 WHERE id = $3",
                self.param(1, Ty::Numeric)
            ))
            .bind(money_text(montant))
            .bind(devis.numero.clone())
            .bind(offer.id.clone())
            .execute(&mut *tx)
            .await
            .map_err(&fail)?;
        }
        if let (Some(offer), Some(status)) = (report.offer.as_ref(), &status) {
            query(&format!("UPDATE offers SET status = {} WHERE id = $2", self.param(1, Ty::OfferStatus)))
                .bind(status.clone())
                .bind(offer.id.clone())
                .execute(&mut *tx)
                .await
                .map_err(&fail)?;
        }
        // `unlinked` was built from `holders`, one report per holder, in order.
        for (holder, unlinked) in holders.iter().zip(&report.unlinked) {
            if let Some(stored) = &holder.stored {
                let after = holder.unlinked(unlinked.note.as_deref().unwrap_or_default());
                self.save_integration(&mut tx, Some(&stored.id), &holder.numero, &after, &at).await.map_err(&fail)?;
            }
            let (old, new) = values_json(&unlinked.changes);
            let row = LogRow {
                at: &at,
                os_user: request.os_user,
                reference: Some(request.reference),
                numero: Some(&holder.numero),
                offer_id: None,
                outcome: Outcome::ManualReview,
                old,
                new,
                error: unlinked.note.as_deref(),
            };
            self.insert_log(&mut tx, &row).await.map_err(&fail)?;
        }
        if report.outcome != Outcome::Unchanged {
            let id = current.as_ref().map(|stored| stored.id.as_str());
            self.save_integration(&mut tx, id, &devis.numero, &wanted, &at).await.map_err(&fail)?;
        }
        let (old, new) = values_json(&report.changes);
        self.insert_log(
            &mut tx,
            &LogRow {
                at: &at,
                os_user: request.os_user,
                reference: Some(request.reference),
                numero: Some(&devis.numero),
                offer_id: report.offer.as_ref().map(|o| o.id.as_str()),
                outcome: report.outcome,
                old,
                new,
                error: None,
            },
        )
        .await
        .map_err(&fail)?;
        tx.commit().await.map_err(&fail)?;
        Ok(report)
    }

    /// Records a failed attempt in one transaction: the log row and, when `mark` names the devis,
    /// its integration row set to `error` with the message (so `integrations --statut error`
    /// shows it). The sync itself left nothing.
    pub async fn log_failure(
        &self,
        reference: Option<&str>,
        numero: Option<&str>,
        mark: Option<&str>,
        os_user: Option<&str>,
        error: &str,
    ) -> Result<()> {
        let fail = |e: sqlx::Error| self.error("écriture du journal impossible", e);
        let mut tx = self.write(SYNC_LOCK).await?;
        let at = now_text();
        if let Some(numero) = mark {
            let current = self.integration(&mut tx, numero).await?;
            let (id, before) = match &current {
                Some(stored) => (Some(stored.id.as_str()), stored.integration.clone()),
                None => (None, Integration::default()),
            };
            let after =
                Integration { sync_status: Some("error".to_owned()), error_message: Some(error.to_owned()), ..before };
            self.save_integration(&mut tx, id, numero, &after, &at).await.map_err(&fail)?;
        }
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
        self.insert_log(&mut tx, &row).await.map_err(&fail)?;
        tx.commit().await.map_err(&fail)
    }

    /// The offer `--offer` names (exit 4 when there is none), else the one already linked to the
    /// devis, else one whose `batigest_ref` or `reference` names the devis, else its affaire.
    async fn find_offer(
        &self,
        tx: &mut Tx,
        request: &Request<'_>,
        linked: Option<&str>,
    ) -> Result<(Option<Offer>, Option<String>)> {
        let devis = request.devis;
        if let Some(id) = request.offer {
            let Some(offer) = self.offer_by_id(tx, id).await? else {
                return Err(StoreError::NoOffer { id: id.to_owned() });
            };
            return Ok((Some(offer), None));
        }
        let rows = query(&format!(
            "SELECT {OFFER_COLUMNS}, CASE WHEN id = $3 THEN 0 WHEN batigest_ref = $1 THEN 1 WHEN reference = $1 THEN 2 \
             ELSE 3 END AS rang FROM offers WHERE id = $3 OR batigest_ref = $1 OR reference = $1 OR reference = $2 \
             ORDER BY rang, id LIMIT 5"
        ))
        .bind(devis.numero.clone())
        .bind(devis.reference_affaire.clone())
        .bind(linked.map(str::to_owned))
        .fetch_all(&mut **tx)
        .await
        .map_err(|e| self.error("lecture de la table offers impossible", e))?;
        let mut ranked = Vec::with_capacity(rows.len());
        for row in &rows {
            let rank = Columns { row, location: &self.location }.integer(5)?;
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
                let ids: Vec<String> = best.iter().map(|offer| offer.id.clone()).collect();
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

    async fn offer_by_id(&self, tx: &mut Tx, id: &str) -> Result<Option<Offer>> {
        let row = query(&format!("SELECT {OFFER_COLUMNS} FROM offers WHERE id = $1"))
            .bind(id.to_owned())
            .fetch_optional(&mut **tx)
            .await
            .map_err(|e| self.error("lecture de la table offers impossible", e))?;
        row.as_ref().map(|row| self.offer(row)).transpose()
    }

    fn offer(&self, row: &sqlx::any::AnyRow) -> Result<Offer> {
        let columns = Columns { row, location: &self.location };
        Ok(Offer {
            id: columns.text(0)?.unwrap_or_default(),
            reference: columns.text(1)?,
            montant_final: columns.decimal(2)?,
            batigest_ref: columns.text(3)?,
            status: columns.text(4)?,
        })
    }

    /// The other devis `offer` carries: those whose integration row points to it, and the one its
    /// `batigest_ref` names when that is not this devis.
    async fn holders(&self, tx: &mut Tx, offer: &Offer, devis: &Devis) -> Result<Vec<Holder>> {
        let rows = query(
            "SELECT DISTINCT numero_devis FROM batigest_integrations WHERE offer_id = $1 AND numero_devis <> $2 \
             ORDER BY numero_devis",
        )
        .bind(offer.id.clone())
        .bind(devis.numero.clone())
        .fetch_all(&mut **tx)
        .await
        .map_err(|e| self.error("lecture de batigest_integrations impossible", e))?;
        let mut numeros = Vec::with_capacity(rows.len() + 1);
        for row in &rows {
            numeros.extend(Columns { row, location: &self.location }.text(0)?);
        }
        if let Some(named) = &offer.batigest_ref
            && *named != devis.numero
            && Some(named) != devis.reference_affaire.as_ref()
            && !numeros.contains(named)
        {
            numeros.push(named.clone());
        }
        let mut holders = Vec::with_capacity(numeros.len());
        for numero in numeros {
            let stored = self.integration(tx, &numero).await?;
            holders.push(Holder { numero, stored });
        }
        Ok(holders)
    }

    /// The current integration row of a devis: the most recently updated one.
    async fn integration(&self, tx: &mut Tx, numero: &str) -> Result<Option<Stored>> {
        let row = sqlx::query(
            "SELECT CAST(id AS TEXT), CAST(offer_id AS TEXT), CAST(batigest_ref AS TEXT), \
             CAST(montant_batigest AS TEXT), CAST(taux_marge AS TEXT), CAST(statut_batigest AS TEXT), \
             CAST(sync_status AS TEXT), error_message FROM batigest_integrations WHERE numero_devis = $1 \
             ORDER BY (updated_at IS NULL), updated_at DESC, id LIMIT 1",
        )
        .bind(numero.to_owned())
        .fetch_optional(&mut **tx)
        .await
        .map_err(|e| self.error("lecture de batigest_integrations impossible", e))?;
        let Some(row) = row else { return Ok(None) };
        let columns = Columns { row: &row, location: &self.location };
        Ok(Some(Stored {
            id: columns.text(0)?.unwrap_or_default(),
            integration: Integration {
                offer_id: columns.text(1)?,
                batigest_ref: columns.text(2)?,
                montant_batigest: columns.decimal(3)?,
                taux_marge: columns.decimal(4)?,
                statut_batigest: columns.text(5)?,
                sync_status: columns.text(6)?,
                error_message: columns.text(7)?,
            },
        }))
    }

    /// Writes a devis' integration row: updates the row `id`, or inserts one with a new id.
    async fn save_integration(
        &self,
        tx: &mut Tx,
        id: Option<&str>,
        numero: &str,
        integration: &Integration,
        at: &str,
    ) -> std::result::Result<(), sqlx::Error> {
        let sql = match id.filter(|id| !id.is_empty()) {
            Some(_) => format!(
                "UPDATE batigest_integrations SET offer_id = $1, batigest_ref = $2, montant_batigest = {}, \
                 taux_marge = {}, statut_batigest = $5, last_sync_at = {}, sync_status = {}, error_message = $8, \
                 updated_at = {} WHERE id = $10 AND numero_devis = $11",
                self.param(3, Ty::Numeric),
                self.param(4, Ty::Numeric),
                self.param(6, Ty::Timestamp),
                self.param(7, Ty::SyncStatus),
                self.param(9, Ty::Timestamp),
            ),
            None => format!(
                "INSERT INTO batigest_integrations (offer_id, batigest_ref, montant_batigest, taux_marge, \
                 statut_batigest, last_sync_at, sync_status, error_message, updated_at, created_at, numero_devis, id) \
                 VALUES ($1, $2, {}, {}, $5, {}, {}, $8, {}, {}, $11, {})",
                self.param(3, Ty::Numeric),
                self.param(4, Ty::Numeric),
                self.param(6, Ty::Timestamp),
                self.param(7, Ty::SyncStatus),
                self.param(9, Ty::Timestamp),
                self.param(10, Ty::Timestamp),
                self.new_id(),
            ),
        };
        let statement = query(&sql)
            .bind(integration.offer_id.clone())
            .bind(integration.batigest_ref.clone())
            .bind(text(integration.montant_batigest))
            .bind(text(integration.taux_marge))
            .bind(integration.statut_batigest.clone())
            .bind(at.to_owned())
            .bind(integration.sync_status.clone().unwrap_or_else(|| "pending".to_owned()))
            .bind(integration.error_message.clone())
            .bind(at.to_owned());
        let statement = match id.filter(|id| !id.is_empty()) {
            Some(id) => statement.bind(id.to_owned()),
            None => statement.bind(at.to_owned()),
        };
        statement.bind(numero.to_owned()).execute(&mut **tx).await.map(drop)
    }

    async fn insert_log(&self, tx: &mut Tx, row: &LogRow<'_>) -> std::result::Result<(), sqlx::Error> {
        query(&format!(
            "INSERT INTO batigest_sync_log (id, synced_at, os_user, reference, numero_devis, offer_id, outcome, \
             old_values, new_values, error_message) VALUES ({}, {}, $2, $3, $4, $5, $6, {}, {}, $9)",
            self.new_id(),
            self.param(1, Ty::Timestamp),
            self.param(7, Ty::Json),
            self.param(8, Ty::Json),
        ))
        .bind(row.at.to_owned())
        .bind(row.os_user.map(str::to_owned))
        .bind(row.reference.map(str::to_owned))
        .bind(row.numero.map(str::to_owned))
        .bind(row.offer_id.map(str::to_owned))
        .bind(row.outcome.code())
        .bind(row.old.clone())
        .bind(row.new.clone())
        .bind(row.error.map(str::to_owned))
        .execute(&mut **tx)
        .await
        .map(drop)
    }

    /// The Batigest time at which the last batch without errors started, if any.
    pub async fn last_successful_batch(&self) -> Result<Option<NaiveDateTime>> {
        let row = sqlx::query(
            "SELECT CAST(batigest_started_at AS TEXT) FROM batigest_sync_batches WHERE errors = 0 ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error("lecture des lots précédents impossible", e))?;
        match row {
            Some(row) => Columns { row: &row, location: &self.location }.timestamp(0),
            None => Ok(None),
        }
    }

    /// Records a finished batch; one without errors is where the next one starts from.
    pub async fn record_batch(&self, batch: &Batch) -> Result<()> {
        let fail = |e: sqlx::Error| self.error("enregistrement du lot impossible", e);
        let mut tx = self.write("lot").await?;
        query(&format!(
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
        .map_err(&fail)?;
        tx.commit().await.map_err(&fail)
    }
}

/// A devis that holds the offer another devis is being linked to; `stored` is `None` for a devis
/// named only by the offer's `batigest_ref`, which has no integration row of its own.
struct Holder {
    numero: String,
    stored: Option<Stored>,
}

impl Holder {
    /// Its integration row once `--relink` took its offer: unlinked, waiting for review.
    fn unlinked(&self, note: &str) -> Integration {
        Integration {
            offer_id: None,
            sync_status: Some("manual_review".to_owned()),
            error_message: Some(note.to_owned()),
            ..self.before()
        }
    }

    fn before(&self) -> Integration {
        self.stored.as_ref().map(|stored| stored.integration.clone()).unwrap_or_default()
    }
}

/// What `--relink` does to a devis that held the offer, as a report.
fn unlinked_report(holder: &Holder, offer: &Offer, numero: &str) -> Report {
    let note = format!("offre {} reliée au devis {numero} (--relink)", offer.id);
    let changes = integration_changes(&holder.before(), &holder.unlinked(&note));
    Report {
        numero: holder.numero.clone(),
        offer: None,
        outcome: Outcome::ManualReview,
        note: Some(note),
        changes,
        unlinked: Vec::new(),
    }
}

/// Why the offer cannot simply be linked: the devis it carries, or the offer this devis has.
fn conflict(offer: &Offer, holders: &[Holder], previous: Option<&Offer>, devis: &Devis) -> String {
    let mut reasons = Vec::new();
    if !holders.is_empty() {
        let numeros: Vec<&str> = holders.iter().map(|h| h.numero.as_str()).collect();
        reasons.push(format!("l'offre JLM ERP {} est déjà liée au devis {}", offer.id, numeros.join(", ")));
    }
    if let Some(previous) = previous {
        reasons.push(format!("le devis {} est déjà lié à l'offre JLM ERP {}", devis.numero, previous.id));
    }
    reasons.join(" et ")
}

/// Values that JLM ERP's columns cannot hold are refused before anything is written.
fn check_fits(devis: &Devis, montant: Decimal, taux: Option<Decimal>) -> Result<()> {
    if montant.abs() >= MAX_AMOUNT {
        return Err(StoreError::AmountTooLarge { numero: devis.numero.clone(), montant });
    }
    if let Some(taux) = taux.filter(|taux| taux.abs() >= MAX_RATE) {
        return Err(StoreError::RateTooLarge { numero: devis.numero.clone(), taux });
    }
    Ok(())
}

struct LogRow<'a> {
    at: &'a str,
    os_user: Option<&'a str>,
    reference: Option<&'a str>,
    numero: Option<&'a str>,
    offer_id: Option<&'a str>,
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
    compare("integration.offer_id", current.offer_id.clone(), wanted.offer_id.clone());
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

impl Store {
    /// Holds a devis number for review without syncing it: Batigest has several devis under it
    /// (`reason` names them), and which one the trace and the offer follow is not the tool's to
    /// choose — syncing each in turn rewrote the row back and forth on every batch. The row keeps
    /// its values; only its state and message change, in one transaction with its log row.
    pub async fn hold_for_review(
        &self,
        numero: &str,
        reason: &str,
        os_user: Option<&str>,
        (dry_run, trace_unchanged): (bool, bool),
    ) -> Result<Report> {
        let fail = |e: sqlx::Error| self.error(&format!("synchronisation de {numero} impossible"), e);
        let mut tx = if dry_run { self.pool.begin().await.map_err(&fail)? } else { self.write(SYNC_LOCK).await? };
        let current = self.integration(&mut tx, numero).await?;
        let before = current.as_ref().map(|stored| stored.integration.clone()).unwrap_or_default();
        let wanted = Integration {
            sync_status: Some("manual_review".to_owned()),
            error_message: Some(reason.to_owned()),
            ..before.clone()
        };
        let changes = integration_changes(&before, &wanted);
        let outcome = if changes.is_empty() { Outcome::Unchanged } else { Outcome::ManualReview };
        let report = Report {
            numero: numero.to_owned(),
            offer: None,
            outcome,
            note: Some(reason.to_owned()),
            changes,
            unlinked: Vec::new(),
        };
        if dry_run || (outcome == Outcome::Unchanged && !trace_unchanged) {
            tx.rollback().await.map_err(&fail)?;
            return Ok(report);
        }
        let at = now_text();
        if outcome != Outcome::Unchanged {
            let id = current.as_ref().map(|stored| stored.id.as_str());
            self.save_integration(&mut tx, id, numero, &wanted, &at).await.map_err(&fail)?;
        }
        let (old, new) = values_json(&report.changes);
        let row = LogRow {
            at: &at,
            os_user,
            reference: Some(numero),
            numero: Some(numero),
            offer_id: None,
            outcome,
            old,
            new,
            error: Some(reason),
        };
        self.insert_log(&mut tx, &row).await.map_err(&fail)?;
        tx.commit().await.map_err(&fail)?;
        Ok(report)
    }
}
