//! Stop requests: Ctrl-C and SIGTERM on Unix; Ctrl-C, Ctrl-Break, closing the console window,
//! logging off and shutting down on Windows.
//!
//! The handlers are installed by [`install`] as the program starts, before it prints, opens or
//! writes anything: a stop never meets the system's default handler, which would end the process
//! on the spot (a temporary file left behind, no line in the trace). The first request goes to
//! the work waiting on [`requested`], which unwinds and ends with [`exit_code`]; when nothing
//! waits (a password prompt, a command with nothing to clean up), or at a second request, the
//! process ends at once with that code.
//!
//! On Windows, closing the console, logging off and shutting down leave a few seconds before the
//! system ends the process: tokio's handler keeps the system waiting (it does not return) while
//! the work in progress unwinds.

use std::sync::OnceLock;

use tokio::sync::watch;

/// What asked the program to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C (SIGINT on Unix).
    CtrlC,
    /// SIGTERM: `kill`, systemd, a scheduler's timeout.
    #[cfg_attr(windows, allow(dead_code))]
    Terminate,
    /// Ctrl-Break (Windows).
    #[cfg_attr(not(windows), allow(dead_code))]
    CtrlBreak,
    /// The console window closed, the user logged off, or the system shuts down (Windows).
    #[cfg_attr(not(windows), allow(dead_code))]
    Close,
    /// The Windows service manager stops the service (`Stop-Service`, `sc stop`, shutdown).
    #[cfg_attr(not(windows), allow(dead_code))]
    Service,
}

impl Stop {
    /// As messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Stop::CtrlC => "Ctrl-C",
            Stop::Terminate => "SIGTERM",
            Stop::CtrlBreak => "Ctrl-Break",
            Stop::Close => "fermeture de la console",
            Stop::Service => "arrêt du service",
        }
    }
}

/// The first stop request, for whoever waits on it; set once the handlers are in place.
static STOP: OnceLock<watch::Sender<Option<Stop>>> = OnceLock::new();

/// Installs the handlers, on a thread of their own that lives as long as the process; returns
/// once they are in place. Without handlers (none can be installed), stops end the process as
/// the system does by default.
pub fn install() {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("arrêts".to_owned()).spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            let _ = ready_tx.send(());
            return;
        };
        runtime.block_on(async move {
            let Ok(mut handlers) = Handlers::new() else {
                let _ = ready_tx.send(());
                return;
            };
            let tx = STOP.get_or_init(|| watch::channel(None).0);
            let _ = ready_tx.send(());
            let first = handlers.next().await;
            // Nobody waits for it (a prompt, a command that needs no cleanup): stop as the system
            // would have.
            if tx.receiver_count() == 0 {
                std::process::exit(i32::from(exit_code(first)));
            }
            tx.send_replace(Some(first));
            // A second request does not wait for the cleanup of the first.
            let second = handlers.next().await;
            std::process::exit(i32::from(exit_code(second)));
        });
    });
    if spawned.is_ok() {
        let _ = ready_rx.recv();
    }
}

/// A stop asked by something other than a signal (the Windows service manager).
#[cfg_attr(not(windows), allow(dead_code))]
pub fn request(stop: Stop) {
    STOP.get_or_init(|| watch::channel(None).0).send_if_modified(|first| {
        if first.is_some() {
            return false;
        }
        *first = Some(stop);
        true
    });
}

/// The exit code of a run ended by `stop`: 143 for SIGTERM (128 + 15, as a shell reports a
/// process it killed), 130 for the others (128 + SIGINT, Ctrl-C's usual code).
fn exit_code(stop: Stop) -> u8 {
    match stop {
        Stop::Terminate | Stop::Service => crate::exit_codes::TERMINATED,
        Stop::CtrlC | Stop::CtrlBreak | Stop::Close => crate::exit_codes::INTERRUPTED,
    }
}

/// Resolves with the first stop request. Without handlers, never.
pub async fn requested() -> Stop {
    listen().requested().await
}

/// Starts listening now, for work that must be counted as waiting before it first awaits (a
/// server listens before it says where it listens: a script may stop it as soon as it reads that).
pub fn listen() -> Listener {
    Listener(STOP.get().map(watch::Sender::subscribe))
}

#[derive(Clone)]
pub struct Listener(Option<watch::Receiver<Option<Stop>>>);

impl Listener {
    /// Resolves with the first stop request. Without handlers, never.
    pub async fn requested(mut self) -> Stop {
        self.wait().await
    }

    /// Resolves with the first stop request, and at once once there was one; the listener stays
    /// counted as waiting (work that stops between two steps, the automatic sync).
    pub async fn wait(&mut self) -> Stop {
        let Some(receiver) = &mut self.0 else { return std::future::pending().await };
        // The guard is let go before any other await: the future stays `Send`.
        let stop = receiver.wait_for(Option::is_some).await.map(|stop| stop.unwrap_or(Stop::CtrlC));
        match stop {
            Ok(stop) => stop,
            Err(_) => std::future::pending().await,
        }
    }

    /// The stop asked so far, if any.
    pub fn asked(&self) -> Option<Stop> {
        self.0.as_ref().and_then(|receiver| *receiver.borrow())
    }
}

#[cfg(unix)]
struct Handlers {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Handlers {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
    }

    async fn next(&mut self) -> Stop {
        tokio::select! {
            _ = self.interrupt.recv() => Stop::CtrlC,
            _ = self.terminate.recv() => Stop::Terminate,
        }
    }
}

#[cfg(windows)]
struct Handlers {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
    close: tokio::signal::windows::CtrlClose,
    logoff: tokio::signal::windows::CtrlLogoff,
    shutdown: tokio::signal::windows::CtrlShutdown,
}

#[cfg(windows)]
impl Handlers {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::windows;
        Ok(Self {
            ctrl_c: windows::ctrl_c()?,
            ctrl_break: windows::ctrl_break()?,
            close: windows::ctrl_close()?,
            logoff: windows::ctrl_logoff()?,
            shutdown: windows::ctrl_shutdown()?,
        })
    }

    async fn next(&mut self) -> Stop {
        tokio::select! {
            _ = self.ctrl_c.recv() => Stop::CtrlC,
            _ = self.ctrl_break.recv() => Stop::CtrlBreak,
            _ = self.close.recv() => Stop::Close,
            _ = self.logoff.recv() => Stop::Close,
            _ = self.shutdown.recv() => Stop::Close,
        }
    }
}
