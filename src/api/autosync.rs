//! The automatic sync inside `serve` (`--sync-interval`): the loop of `app::watch`, run beside
//! the routes, its last pass kept for `GET /sync-status`. A stop lets the devis in progress
//! finish; `serve` waits for it before it ends.

use std::sync::Arc;
use std::time::Duration;

use super::State;
use super::bodies::{SyncFailure, SyncPass, SyncStatus};
use crate::app::watch::{self, Event, Hook};
use crate::output::format;
use crate::stop::Listener;

/// Runs the loop until `stop`. A store that cannot be opened yet is a failed pass like another.
/// Each pass that changed something is said in `serve`'s log (but with `quiet`).
pub async fn run(state: Arc<State>, (interval, quiet): (Duration, bool), hook: Option<Hook>, mut stop: Listener) {
    state.set_status(|status| {
        status.active = true;
        status.interval_seconds = Some(interval.as_secs_f64());
    });
    let mut failures = 0;
    let store = loop {
        match state.store().await {
            Ok(store) => break store,
            Err(error) => {
                failures += 1;
                let pause = watch::pause_after(interval, failures);
                tracing::warn!("synchronisation automatique : {}", error.message);
                state.set_status(|status| failed(status, &error, pause));
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    _ = stop.wait() => return,
                }
            }
        }
    };
    let ended = watch::run(&state.batigest, store, interval, hook.as_ref(), &mut stop, async |event| {
        state.set_status(|status| match event {
            Event::Passed(pass) => {
                if !quiet && !pass.quiet() {
                    crate::diagnostics::line(&format!(
                        "Synchronisation automatique : {}, {} à vérifier, {}",
                        format::count(pass.counts.synced, "devis synchronisé"),
                        pass.counts.manual_review,
                        format::count(pass.counts.errors, "erreur"),
                    ));
                }
                status.passes += 1;
                status.consecutive_failures = 0;
                status.waiting = false;
                status.last_pass = Some(SyncPass {
                    started_at: pass.started_at,
                    finished_at: pass.finished_at,
                    months_read: pass.moved,
                    changed: pass.changed_count,
                    synced: pass.counts.synced,
                    manual_review: pass.counts.manual_review,
                    errors: pass.counts.errors,
                });
            }
            Event::Failed { error, pause } => {
                tracing::warn!(
                    "synchronisation automatique en échec : {} ; nouvelle tentative dans {}",
                    error.message,
                    format::duration_fr(pause)
                );
                failed(status, error, pause);
            }
            Event::Waiting => status.waiting = true,
            Event::Step(_) => {}
        });
        Ok(())
    })
    .await;
    if let Err(error) = ended {
        tracing::warn!("synchronisation automatique arrêtée : {}", error.message);
    }
}

fn failed(status: &mut SyncStatus, error: &crate::error::Error, pause: Duration) {
    status.passes += 1;
    status.consecutive_failures = status.consecutive_failures.saturating_add(1);
    status.last_error = Some(SyncFailure {
        at: chrono::Utc::now().naive_utc(),
        message: error.message.clone(),
        hint: error.hint.clone(),
        next_attempt_in_seconds: pause.as_secs_f64(),
    });
}
