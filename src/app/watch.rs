//! The automatic sync (DESIGN §4.1): passes that sync exactly what changed in Batigest since the
//! last one, until a stop — the same loop under `sync-offer --all --watch` and `serve
//! --sync-interval`.
//!
//! Change detection never writes to Batigest: per month of creation, the server sums up the
//! committed devis (a count and `CHECKSUM_AGG(BINARY_CHECKSUM(…))` of the synced columns,
//! [`queries::buckets`]); the store keeps the figures each month was last synced at; only the
//! months whose figures moved are read again, and each of their devis goes through the same
//! sync as `sync-offer` — one transaction each, nothing written for a devis that did not change.
//! A month's figures are kept only once each of its devis is synced: a pass cut short (Batigest
//! lost, `kill -9`) leaves them as they were, and the next pass reads the month again.

use std::cell::Cell;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use sha2::Digest;

use super::Context;
use super::sync::{Step, Syncer};
use crate::batigest::connection::Connection;
use crate::batigest::queries::{self, Bucket};
use crate::batigest::statuses;
use crate::config::WebhookSettings;
use crate::error::{Error, Kind, Result};
use crate::jlm::Store;
use crate::jlm::sync::{Counts, Outcome, Report};
use crate::jlm::watch::{Held, Seen};
use crate::model::Devis;
use crate::notify::sync::{DevisChanges, PassBody};
use crate::notify::webhook::Webhook;
use crate::stop::{Listener, Stop};

/// The devis a pass keeps for its webhook; the count says how many more there were.
const CHANGES_KEPT: usize = 1000;
/// The longest pause after failed passes, unless the interval is longer.
const LONGEST_PAUSE: Duration = Duration::from_mins(15);

/// A finished pass.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// UTC.
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    /// The months read again (0: a quiet pass, which wrote nothing).
    pub moved: usize,
    pub counts: Counts,
    /// The devis that changed (synced, or held for review), the first [`CHANGES_KEPT`] of them.
    pub changed: Vec<Report>,
    /// How many devis changed in all.
    pub changed_count: usize,
    /// A stop came midway: the devis in progress was finished, the rest waits for the next run.
    pub stopped: bool,
}

impl Pass {
    pub fn quiet(&self) -> bool {
        self.changed_count == 0 && self.counts.errors == 0
    }
}

/// What the loop tells its face as it goes.
pub enum Event<'a> {
    /// One devis of a pass (only those that changed or failed: an unchanged devis is not told).
    Step(Step<'a>),
    /// A pass ended; a quiet one too.
    Passed(&'a Pass),
    /// A pass failed (Batigest or the store unreachable…): the next comes after `pause`.
    Failed { error: &'a Error, pause: Duration },
    /// Another watcher keeps this store current; this one waits for its turn.
    Waiting,
}

/// The webhook a pass that changed something is posted to (`[sync.webhook]`), checked before the
/// first pass (exit 2).
pub struct Hook {
    webhook: Webhook,
    profile: String,
}

impl Hook {
    pub fn prepare(ctx: &Context, settings: &WebhookSettings) -> Result<Self> {
        let webhook = super::alertes::signed_webhook(settings, &ctx.settings, &ctx.env)?;
        Ok(Self { webhook, profile: ctx.settings.profile.clone() })
    }

    /// Posts the pass; a receiver that fails after the retries is logged, the changes stay made.
    async fn post(&self, pass: &Pass) -> Result<()> {
        let envoi = crate::secret::random_hex::<16>()?;
        let body = PassBody {
            source: "jlm-batigest",
            version: env!("CARGO_PKG_VERSION"),
            genre: PassBody::TYPE,
            profil: &self.profile,
            envoi: &envoi,
            debut: pass.started_at,
            fin: pass.finished_at,
            synchronises: pass.counts.synced,
            a_verifier: pass.counts.manual_review,
            erreurs: pass.counts.errors,
            nombre: pass.changed_count,
            devis: pass.changed.iter().map(DevisChanges::of).collect(),
        };
        let json = body.to_json()?;
        Ok(self.webhook.send(json.as_bytes(), &envoi).await?)
    }
}

/// The loop: a first pass at once, then one per `interval` (a failed pass waits longer each time,
/// up to [`LONGEST_PAUSE`]), until `stop` — between two devis, or while it waits. Returns the stop.
pub async fn run(
    ctx: &Context,
    store: &Store,
    interval: Duration,
    hook: Option<&Hook>,
    stop: &mut Listener,
    mut each: impl AsyncFnMut(Event<'_>) -> Result<()>,
) -> Result<Stop> {
    let mut client: Option<Connection> = None;
    // A lock that cannot even be tried (a store folder that cannot be written) is said at once.
    let mut lock: Option<Held> = store.watch_lock().await?;
    let mut failures: u32 = 0;
    loop {
        if let Some(asked) = stop.asked() {
            return Ok(asked);
        }
        let began = Instant::now();
        // What the face could not write (a closed stdout) ends the loop; it is no failed pass.
        let mut refused: Option<Error> = None;
        // Whether a devis is being synced: a stop lets it finish; otherwise (a connection, a
        // query to a server that does not answer) the pass is dropped where it stands.
        let busy = Cell::new(false);
        let turn = {
            let turn = async {
                if lock.is_none() {
                    lock = store.watch_lock().await?;
                }
                if lock.is_none() {
                    return Ok(None);
                }
                let client = match &mut client {
                    Some(client) => client,
                    None => client.insert(ctx.connect().await?),
                };
                let mut tell = async |event: Event<'_>| match each(event).await {
                    Ok(()) => Ok(()),
                    Err(error) => {
                        refused = Some(error);
                        Err(Error::new(Kind::Unexpected, "la passe s'arrête : sa sortie est fermée".to_owned()))
                    }
                };
                pass(ctx, store, client, (stop, &busy), &mut tell).await.map(Some)
            };
            let mut turn = std::pin::pin!(turn);
            let mut waiter = stop.clone();
            tokio::select! {
                turn = &mut turn => turn,
                asked = waiter.wait() => {
                    if !busy.get() {
                        return Ok(asked);
                    }
                    // The pass sees the stop before its next devis and ends there.
                    turn.await
                }
            }
        };
        if let Some(error) = refused {
            return Err(error);
        }
        let pause = match turn {
            Ok(Some(pass)) => {
                failures = 0;
                if pass.quiet() {
                    tracing::info!(mois = pass.moved, "passe calme");
                } else {
                    tracing::info!(
                        mois = pass.moved,
                        synchronises = pass.counts.synced,
                        a_verifier = pass.counts.manual_review,
                        erreurs = pass.counts.errors,
                        "passe de synchronisation"
                    );
                }
                each(Event::Passed(&pass)).await?;
                if let Some(hook) = hook.filter(|_| pass.changed_count > 0)
                    && let Err(error) = hook.post(&pass).await
                {
                    tracing::warn!("webhook de synchronisation : {}", error.message);
                }
                if pass.stopped {
                    return Ok(stop.asked().unwrap_or(Stop::CtrlC));
                }
                interval
            }
            Ok(None) => {
                each(Event::Waiting).await?;
                interval
            }
            Err(error) => {
                // A new connection next time: this one may be what failed.
                client = None;
                failures = failures.saturating_add(1);
                let pause = pause_after(interval, failures);
                // The face says it (a line on stderr, the status of `serve`).
                tracing::info!(echecs = failures, pause = ?pause, "passe de synchronisation en échec : {}", error.message);
                each(Event::Failed { error: &error, pause }).await?;
                pause
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause.saturating_sub(began.elapsed())) => {}
            asked = stop.wait() => return Ok(asked),
        }
    }
}

/// The pause after `failures` failed passes in a row: the interval, doubled at each failure, at
/// most [`LONGEST_PAUSE`] (or the interval, when it is longer).
pub fn pause_after(interval: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(16);
    interval.saturating_mul(factor).min(LONGEST_PAUSE.max(interval))
}

/// One pass: compares the months' figures with those kept, and syncs the devis of those that
/// moved. The devis in progress when a stop comes is finished; the pass ends there.
async fn pass(
    ctx: &Context,
    store: &Store,
    client: &mut Connection,
    (stop, busy): (&Listener, &Cell<bool>),
    each: &mut impl AsyncFnMut(Event<'_>) -> Result<()>,
) -> Result<Pass> {
    let timeout = ctx.target.timeout;
    let started_at = chrono::Utc::now().naive_utc();
    let buckets = queries::buckets(client, &ctx.mapping, timeout).await?;
    let mut seen = store.buckets_seen().await?;
    let has_offers = store.has_offers().await?;
    let empreinte = fingerprint(ctx, has_offers);
    let moved: Vec<&Bucket> = buckets
        .iter()
        .filter(|bucket| seen.remove(&bucket.key()).as_ref() != Some(&figures(bucket, &empreinte)))
        .collect();
    // What is left of `seen`: months with no committed devis any more.
    let gone: Vec<String> = seen.into_keys().collect();
    let mut pass = Pass { started_at, moved: moved.len(), ..Pass::default() };
    // The ERP may move alone: an offer created for a devis waiting for review.
    let linkable = if has_offers { store.linkable().await? } else { Vec::new() };
    if !moved.is_empty() || !linkable.is_empty() {
        ctx.check_statuses(client, &[statuses::DEVIS]).await?;
        let mut syncer = Syncer::new(ctx, store, &mut *client, (false, false)).await?;
        let (failed, stopped) = (Cell::new(0), Cell::new(false));
        let (mut changed, mut changed_count) = (Vec::new(), 0);
        // One devis, finished before a stop is looked at again.
        let mut one = async |devis: Result<Devis, queries::Unreadable>| {
            if stop.asked().is_some() {
                stopped.set(true);
                return Err(Error::new(Kind::Interrupted, "arrêt demandé".to_owned()));
            }
            busy.set(true);
            let done = syncer
                .devis(devis, &mut async |step: Step<'_>| {
                    match &step {
                        Step::Done(report) if report.outcome == Outcome::Unchanged => return Ok(()),
                        Step::Done(report) => {
                            changed_count += 1;
                            if changed.len() < CHANGES_KEPT {
                                changed.push((*report).clone());
                            }
                        }
                        Step::Failed { .. } => failed.set(failed.get() + 1),
                        Step::Again => {}
                    }
                    each(Event::Step(step)).await
                })
                .await;
            busy.set(false);
            done
        };
        for bucket in moved {
            let before = failed.get();
            let read = queries::committed_in(client, &ctx.mapping, bucket, timeout, &mut one).await;
            if stopped.get() {
                break;
            }
            read?;
            if failed.get() == before {
                store.save_bucket(&bucket.key(), &figures(bucket, &empreinte)).await?;
            }
        }
        for numero in linkable.iter().take_while(|_| !stopped.get()) {
            let found = queries::devis_by_reference(client, &ctx.mapping, numero, timeout).await?;
            // By its number, and only one: the sync never guesses between two devis.
            let mut by_number = found.into_iter().filter(|found| found.by_number);
            if let (Some(found), None) = (by_number.next(), by_number.next()) {
                let outcome = one(Ok(found.devis)).await;
                if !stopped.get() {
                    outcome?;
                }
            }
        }
        pass.stopped = stopped.get();
        pass.counts = syncer.counts;
        (pass.changed, pass.changed_count) = (changed, changed_count);
    }
    for key in gone.iter().filter(|_| !pass.stopped) {
        store.forget_bucket(key).await?;
    }
    pass.finished_at = chrono::Utc::now().naive_utc();
    Ok(pass)
}

fn figures(bucket: &Bucket, empreinte: &str) -> Seen {
    Seen { devis: bucket.devis, checksum: bucket.checksum.map(i64::from), empreinte: empreinte.to_owned() }
}

/// What the devis were synced with besides their own values: the release, the schema mapping,
/// the status map, whether the store has offers. A month synced with other settings is read
/// again, as if its devis had changed (a new `[sync.statuts]` moves the offers it names).
fn fingerprint(ctx: &Context, has_offers: bool) -> String {
    let settings =
        format!("{}|{:?}|{:?}|{has_offers}", env!("CARGO_PKG_VERSION"), ctx.mapping, ctx.settings.statuts.value);
    let digest = sha2::Sha256::digest(settings.as_bytes());
    digest.iter().take(12).fold(String::new(), |mut hex, byte| {
        use std::fmt::Write;
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_passes_wait_longer_up_to_a_cap() {
        let minute = Duration::from_mins(1);
        let pauses: Vec<u64> = (1..=6).map(|n| pause_after(minute, n).as_secs()).collect();
        assert_eq!(pauses, [60, 120, 240, 480, 900, 900]);
        // An interval longer than the cap is kept, never shortened.
        assert_eq!(pause_after(Duration::from_hours(1), 3), Duration::from_hours(1));
        // However many failures: no overflow, the cap.
        assert_eq!(pause_after(Duration::from_millis(500), u32::MAX), LONGEST_PAUSE);
    }
}
