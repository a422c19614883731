//! The open connections of `serve` and their clocks. A client must send a whole request head
//! within the header timeout of connecting (or of its first byte, on a kept-alive connection),
//! and a kept-alive connection may stay silent for the idle timeout; past that it is closed. When
//! the process runs out of descriptors, the connection that has waited longest for a request is
//! closed to make room: half-sent heads cannot hold every descriptor while `/healthz` waits.
//!
//! A request being answered has no clock here: the gate's request timeout bounds it.

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long a client may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// To send a request head: from connecting, or from the first byte of a later request.
    pub header: Duration,
    /// Between a response and the first byte of the next request.
    pub idle: Duration,
}

/// Every open connection, by the order it came in.
#[derive(Default)]
pub struct Registry {
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Watch>>>,
}

impl Registry {
    /// A new connection, watched until the returned entry is dropped.
    pub fn open(self: &Arc<Self>) -> Entry {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let watch = Arc::new(Watch {
            state: Mutex::new(State {
                phase: Phase::Waiting { since: Instant::now(), kept: false, started: None },
                closing: false,
            }),
            changed: Notify::new(),
        });
        lock(&self.open).insert(id, watch.clone());
        Entry { registry: self.clone(), id, watch }
    }

    /// Closes the connection that has waited longest for a request (none is being answered);
    /// `false` when every open connection is busy answering one.
    pub fn close_oldest_idle(&self) -> bool {
        let open = lock(&self.open);
        let oldest = open
            .values()
            .filter_map(|watch| {
                let state = watch.state();
                match state.phase {
                    Phase::Waiting { since, .. } if !state.closing => Some((since, watch)),
                    _ => None,
                }
            })
            .min_by_key(|(since, _)| *since);
        match oldest {
            Some((_, watch)) => {
                watch.state().closing = true;
                watch.changed.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A connection's place in the registry; leaving it (the connection ended) removes it.
pub struct Entry {
    registry: Arc<Registry>,
    id: u64,
    pub watch: Arc<Watch>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        lock(&self.registry.open).remove(&self.id);
    }
}

/// What a connection is doing, and whether it has been told to close.
pub struct Watch {
    state: Mutex<State>,
    /// A request ended, or the connection must close.
    changed: Notify,
}

struct State {
    phase: Phase,
    closing: bool,
}

enum Phase {
    /// Waiting for a request head since `since`: on a new connection (`kept` false) or after a
    /// response; `started` when its first byte came.
    Waiting { since: Instant, kept: bool, started: Option<Instant> },
    /// A request is being answered.
    Busy,
}

impl Watch {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Bytes came in.
    fn received(&self) {
        if let Phase::Waiting { started: started @ None, .. } = &mut self.state().phase {
            *started = Some(Instant::now());
        }
    }

    /// A request head was read whole: no clock until its response is sent.
    pub fn request(self: &Arc<Self>) -> Answering {
        self.state().phase = Phase::Busy;
        Answering(self.clone())
    }

    /// When the connection must close if nothing changes; `None` while a request is answered.
    fn deadline(&self, limits: Limits) -> Option<Instant> {
        let state = self.state();
        if state.closing {
            return Some(Instant::now());
        }
        match state.phase {
            Phase::Busy => None,
            Phase::Waiting { since, kept: false, .. } => Some(since + limits.header),
            Phase::Waiting { started: Some(started), .. } => Some(started + limits.header),
            Phase::Waiting { since, started: None, .. } => Some(since + limits.idle),
        }
    }

    /// Resolves when the connection has to close: too slow, or closed to make room.
    pub async fn expired(&self, limits: Limits) {
        loop {
            let changed = self.changed.notified();
            match self.deadline(limits) {
                Some(deadline) if deadline <= Instant::now() => return,
                Some(deadline) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {}
                        () = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// Held while a request is answered (until hyper has taken its whole response body).
pub struct Answering(Arc<Watch>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.state().phase = Phase::Waiting { since: Instant::now(), kept: true, started: None };
        self.0.changed.notify_one();
    }
}

/// A stream that tells its watch when bytes come in.
pub struct Watched<T> {
    inner: T,
    watch: Arc<Watch>,
}

impl<T> Watched<T> {
    pub fn new(inner: T, watch: Arc<Watch>) -> Self {
        Self { inner, watch }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.received();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { header: Duration::from_secs(10), idle: Duration::from_mins(1) };

    #[tokio::test(start_paused = true)]
    async fn a_new_connection_has_the_header_timeout_then_each_answer_starts_the_idle_one() {
        let registry = Arc::new(Registry::default());
        let entry = registry.open();
        let start = Instant::now();
        assert_eq!(entry.watch.deadline(LIMITS), Some(start + LIMITS.header));
        // A first byte does not extend a new connection's time.
        tokio::time::advance(Duration::from_secs(3)).await;
        entry.watch.received();
        assert_eq!(entry.watch.deadline(LIMITS), Some(start + LIMITS.header));
        let answering = entry.watch.request();
        assert_eq!(entry.watch.deadline(LIMITS), None);
        tokio::time::advance(Duration::from_secs(100)).await;
        drop(answering);
        let answered = Instant::now();
        assert_eq!(entry.watch.deadline(LIMITS), Some(answered + LIMITS.idle));
        // The next request's first byte starts its header clock.
        tokio::time::advance(Duration::from_secs(5)).await;
        entry.watch.received();
        assert_eq!(entry.watch.deadline(LIMITS), Some(answered + Duration::from_secs(5) + LIMITS.header));
    }

    #[tokio::test(start_paused = true)]
    async fn the_connection_waiting_longest_is_closed_to_make_room_never_a_busy_one() {
        let registry = Arc::new(Registry::default());
        let busy = registry.open();
        let _answering = busy.watch.request();
        tokio::time::advance(Duration::from_secs(1)).await;
        let older = registry.open();
        tokio::time::advance(Duration::from_secs(1)).await;
        let newer = registry.open();
        assert!(registry.close_oldest_idle());
        older.watch.expired(LIMITS).await;
        assert!(newer.watch.deadline(LIMITS) > Some(Instant::now()));
        assert!(registry.close_oldest_idle(), "the newer one next");
        assert!(!registry.close_oldest_idle(), "the busy one stays");
        drop((older, newer));
        assert_eq!(lock(&registry.open).len(), 1);
    }
}
