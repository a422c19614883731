//! Syncing Batigest devis into JLM ERP (DESIGN §4): one devis by reference (`sync-offer --ref`,
//! `POST /sync-offer`), or every committed devis since the last batch (`sync-offer --all`); the
//! automatic sync (`super::watch`) hands its devis to the same [`Syncer`]. Each devis is one
//! transaction of the store (`jlm::sync`); every attempt, failed ones included, is traced (but for
//! the devis the automatic sync finds unchanged).

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};

use super::Context;
use crate::batigest::connection::Connection;
use crate::batigest::queries;
use crate::error::{Error, Kind, Result};
use crate::jlm::Store;
use crate::jlm::sync::{Batch, Counts, Outcome, Relink, Report, Request};
use crate::model::Devis;
use crate::output::format;

/// One devis to sync by reference.
#[derive(Debug, Clone, Copy)]
pub struct One<'a> {
    /// A devis number or an affaire reference.
    pub reference: &'a str,
    /// The JLM ERP offer to link (its id), rather than the one found by reference.
    pub offer: Option<&'a str>,
    pub relink: Relink,
    pub dry_run: bool,
}

/// Finds the devis `one.reference` names in Batigest and syncs it; a failure is traced in the
/// sync log (a devis whose sync failed is marked `error`; a refusal — unknown or ambiguous
/// reference, unknown offer, an offer that carries another devis — leaves its state as it was).
pub async fn one(ctx: &Context, store: &Store, client: &mut Connection, one: One<'_>) -> Result<Report> {
    let reference = one.reference.trim();
    if reference.is_empty() {
        return Err(Error::usage("--ref attend un numéro de devis ou une référence d'affaire"));
    }
    let found = queries::devis_by_reference(client, &ctx.mapping, reference, ctx.target.timeout).await?;
    let devis = pick(reference, found)?;
    let request = Request {
        reference,
        devis: &devis,
        offer: one.offer,
        relink: one.relink,
        has_offers: store.has_offers().await?,
        os_user: ctx.os_user(),
        dry_run: one.dry_run,
        statuts: &ctx.settings.statuts.value,
        trace_unchanged: true,
    };
    match store.sync_devis(&request).await.map_err(Error::from) {
        Ok(report) => Ok(report),
        Err(error) => {
            trace_failure(ctx, store, Some(one.reference), Some(&devis.numero), &error, one.dry_run).await;
            Err(error)
        }
    }
}

/// What a batch did with one devis, as it goes.
pub enum Step<'a> {
    /// Synced, unchanged, or held for review.
    Done(&'a Report),
    /// Not synced: `numero` is `None` when Batigest was lost midway (the batch ends there).
    Failed { numero: Option<&'a str>, error: &'a Error },
    /// Another devis under a number already held for review by this batch: nothing more to do.
    Again,
}

/// A finished batch.
pub struct Finished {
    /// Where it started from: `--since`, the last batch without errors, or the beginning.
    pub since: Option<NaiveDateTime>,
    pub counts: Counts,
    /// Batigest lost midway: what was synced before stays, the batch is recorded with one error more.
    pub lost: Option<Error>,
}

/// Syncs every committed devis created or validated since `since` (default: since the last
/// batch without errors), oldest first, one transaction each; `total` is told how many there are
/// before the first, `each` what became of each as it goes. Devis sharing their number with
/// another are held for review once per batch, never synced one after the other. The batch is
/// recorded (not with `dry_run`), and the next one starts where it started.
pub async fn all(
    ctx: &Context,
    store: &Store,
    client: &mut Connection,
    (since, dry_run): (Option<NaiveDate>, bool),
    total: impl FnOnce(u64),
    mut each: impl AsyncFnMut(Step<'_>) -> Result<()>,
) -> Result<Finished> {
    let (timeout, mapping) = (ctx.target.timeout, &ctx.mapping);
    let since = match since {
        Some(date) => Some(date.and_time(chrono::NaiveTime::MIN)),
        None => store.last_successful_batch().await?,
    };
    let started_at = chrono::Utc::now().naive_utc();
    let batigest_started_at = queries::server_now(client, timeout).await?;
    let count = queries::count_committed_since(client, mapping, since, timeout).await?;
    let mut batch = Syncer::new(ctx, store, client, (dry_run, true)).await?;
    tracing::info!(
        ?since,
        total = count,
        has_offers = batch.has_offers,
        partages = batch.shared.len(),
        "lot de synchronisation"
    );
    total(count);
    let streamed =
        queries::committed_since(client, mapping, since, timeout, async |devis| batch.devis(devis, &mut each).await)
            .await;
    let mut counts = batch.counts;
    let lost = match streamed {
        Err(error) if error.kind == Kind::Connection => {
            counts.add(Outcome::Error);
            trace_failure(ctx, store, None, None, &error, dry_run).await;
            each(Step::Failed { numero: None, error: &error }).await?;
            Some(error)
        }
        other => {
            other?;
            None
        }
    };
    if !dry_run {
        store.record_batch(&Batch { started_at, batigest_started_at, since, counts }).await?;
    }
    Ok(Finished { since, counts, lost })
}

/// Syncs devis one after the other as a read hands them over, for a batch or a pass of the
/// automatic sync: devis sharing their number with another are held for review once, never
/// synced one after the other; every outcome is counted and told to the face.
pub(super) struct Syncer<'a> {
    ctx: &'a Context,
    store: &'a Store,
    pub has_offers: bool,
    /// The devis numbers Batigest gives to several devis.
    pub shared: std::collections::BTreeMap<String, Vec<Devis>>,
    held: BTreeSet<String>,
    pub counts: Counts,
    dry_run: bool,
    trace_unchanged: bool,
}

impl<'a> Syncer<'a> {
    pub async fn new(
        ctx: &'a Context,
        store: &'a Store,
        client: &mut Connection,
        (dry_run, trace_unchanged): (bool, bool),
    ) -> Result<Self> {
        let has_offers = store.has_offers().await?;
        let shared = queries::devis_sharing_a_number(client, &ctx.mapping, ctx.target.timeout).await?;
        let (held, counts) = (BTreeSet::new(), Counts::default());
        Ok(Self { ctx, store, has_offers, shared, held, counts, dry_run, trace_unchanged })
    }

    /// One devis as read (or a row that could not be read).
    pub async fn devis(
        &mut self,
        devis: Result<Devis, queries::Unreadable>,
        each: &mut impl AsyncFnMut(Step<'_>) -> Result<()>,
    ) -> Result<()> {
        let (ctx, store, dry_run, os_user) = (self.ctx, self.store, self.dry_run, self.ctx.os_user());
        let devis: Devis = match devis {
            Ok(devis) => devis,
            Err(unreadable) => {
                self.counts.add(Outcome::Error);
                let error = Error::from(unreadable.failure);
                let numero = unreadable.numero.as_str();
                trace_failure(ctx, store, Some(numero), Some(numero), &error, dry_run).await;
                return each(Step::Failed { numero: Some(numero), error: &error }).await;
            }
        };
        if let Some(same) = self.shared.get(&devis.numero) {
            // Once per number and batch: the others under it are the same question.
            if !self.held.insert(devis.numero.clone()) {
                return each(Step::Again).await;
            }
            let reason = same_number(&devis.numero, &same.iter().collect::<Vec<_>>());
            let held = store.hold_for_review(&devis.numero, &reason, os_user, (dry_run, self.trace_unchanged)).await;
            return match held.map_err(Error::from) {
                Ok(report) => {
                    let outcome =
                        if report.outcome == Outcome::Unchanged { Outcome::Unchanged } else { Outcome::ManualReview };
                    self.counts.add(outcome);
                    each(Step::Done(&report)).await
                }
                Err(error) => {
                    self.counts.add(Outcome::Error);
                    each(Step::Failed { numero: Some(&devis.numero), error: &error }).await
                }
            };
        }
        let request = Request {
            reference: &devis.numero,
            devis: &devis,
            offer: None,
            relink: Relink::Review,
            has_offers: self.has_offers,
            os_user,
            dry_run,
            statuts: &ctx.settings.statuts.value,
            trace_unchanged: self.trace_unchanged,
        };
        match store.sync_devis(&request).await.map_err(Error::from) {
            Ok(report) => {
                self.counts.add(report.outcome);
                each(Step::Done(&report)).await
            }
            Err(error) => {
                self.counts.add(Outcome::Error);
                trace_failure(ctx, store, Some(&devis.numero), Some(&devis.numero), &error, dry_run).await;
                each(Step::Failed { numero: Some(&devis.numero), error: &error }).await
            }
        }
    }
}

/// Logs a failed attempt (nothing with `dry_run`); a store that cannot even take that is said in
/// the log. A devis whose sync failed is also marked `error` in the trace; a refusal (unknown
/// offer, an offer that carries another devis) leaves its state as it was.
pub async fn trace_failure(
    ctx: &Context,
    store: &Store,
    reference: Option<&str>,
    numero: Option<&str>,
    error: &Error,
    dry_run: bool,
) {
    if dry_run {
        return;
    }
    let refusal = matches!(error.kind, Kind::Usage | Kind::NotFound);
    let mark = numero.filter(|_| !refusal);
    if let Err(log_error) = store.log_failure(reference, numero, mark, ctx.os_user(), &error.message).await {
        tracing::warn!("l'erreur n'a pas pu être tracée : {}", log_error);
    }
}

/// The one devis `reference` names: its number wins over an affaire reference (as the server
/// compares them: a `_CI_` dossier finds `DEVIS-2024-001` for `devis-2024-001`); two devis under
/// one affaire reference need the exact number; two devis under one number cannot be told apart.
fn pick(reference: &str, found: Vec<queries::Found>) -> Result<Devis> {
    let mut found = found;
    let by_number: Vec<&Devis> = found.iter().filter(|found| found.by_number).map(|found| &found.devis).collect();
    if by_number.len() > 1 {
        return Err(Error::new(Kind::NotFound, same_number(reference, &by_number)).with_hint(
            "un numéro de devis doit désigner un seul devis : corrigez la numérotation dans Batigest ; rien n'a été \
             synchronisé",
        ));
    }
    if let Some(index) = found.iter().position(|found| found.by_number) {
        return Ok(found.swap_remove(index).devis);
    }
    let mut found: Vec<Devis> = found.into_iter().map(|found| found.devis).collect();
    match found.len() {
        0 => Err(Error::new(Kind::NotFound, format!("Aucun devis trouvé dans Batigest avec la référence {reference}"))
            .with_hint("vérifiez le numéro du devis (jlm-batigest devis --limit 20) ou la référence d'affaire")),
        1 => Ok(found.swap_remove(0)),
        _ => {
            let list: Vec<String> = found.iter().map(describe).collect();
            Err(Error::new(
                Kind::NotFound,
                format!("la référence {reference} désigne plusieurs devis dans Batigest : {}", list.join(" ; ")),
            )
            .with_hint(format!("indiquez le numéro exact du devis, par exemple --ref {}", found[0].numero)))
        }
    }
}

/// A devis as a person tells it from another: number, client, status, amount, date.
fn describe(devis: &Devis) -> String {
    format!(
        "{} ({}, {}, {}, créé le {})",
        devis.numero,
        devis.client_nom.as_deref().unwrap_or("client inconnu"),
        devis.statut,
        format::money(devis.montant_ht),
        format::date_fr(devis.date_creation.date())
    )
}

/// Why devis sharing `numero` are held for review, naming each.
pub fn same_number(numero: &str, devis: &[&Devis]) -> String {
    let list: Vec<String> = devis.iter().map(|devis| describe(devis)).collect();
    format!("le numéro {numero} désigne {} devis dans Batigest : {}", devis.len(), list.join(" ; "))
}
