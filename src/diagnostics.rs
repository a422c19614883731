//! Where the program's own words go — errors, warnings, `-v` logs, `serve`'s access log: standard
//! error, or the log file of a Windows service, which has no standard error.

use std::fs::File;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

static LOG: OnceLock<Mutex<File>> = OnceLock::new();
/// `--quiet`: warnings are not said.
static QUIET: AtomicBool = AtomicBool::new(false);
/// `-vv`: an error is told with its causes.
static CAUSES: AtomicBool = AtomicBool::new(false);

/// From now on, diagnostics go to `file` (appended) instead of standard error.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn log_to(file: File) {
    let _ = LOG.set(Mutex::new(file));
}

/// Standard error, or the log file.
pub fn writer() -> Diagnostics {
    Diagnostics
}

pub struct Diagnostics;

impl Write for Diagnostics {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match LOG.get() {
            Some(file) => file.lock().unwrap_or_else(std::sync::PoisonError::into_inner).write(buf),
            None => io::stderr().write(buf),
        }
    }

    /// One call writes the whole buffer under one lock: lines from several threads do not mix.
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match LOG.get() {
            Some(file) => file.lock().unwrap_or_else(std::sync::PoisonError::into_inner).write_all(buf),
            None => io::stderr().lock().write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match LOG.get() {
            Some(file) => file.lock().unwrap_or_else(std::sync::PoisonError::into_inner).flush(),
            None => io::stderr().flush(),
        }
    }
}

/// Writes `text` and a line end as one piece.
pub fn line(text: &str) {
    // Nothing sensible is left to do when stderr itself is closed.
    let _ = writer().write_all(format!("{text}\n").as_bytes());
}

/// Set once from `-vv`, before any work.
pub fn set_causes(causes: bool) {
    CAUSES.store(causes, Ordering::Relaxed);
}

/// Whether an error is told with its cause chain.
pub fn causes() -> bool {
    CAUSES.load(Ordering::Relaxed)
}

/// Set once from `--quiet`, before any work.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// « Attention : `text` », for the person running the command; nothing with `--quiet`.
pub fn warning(text: &str) {
    if !QUIET.load(Ordering::Relaxed) {
        line(&format!("Attention : {text}"));
    }
}
