//! `sync-offer --all --watch`: the automatic sync on the command line. Stdout gets one line per
//! change as it is made (text lines for a person, CSV or NDJSON for a program); stderr one line
//! per pass that changed something or failed. A quiet pass writes nothing at all.

use std::io::Write;
use std::time::Duration;

use super::{COLUMNS, error_row, write_report_led};
use crate::app::sync::Step;
use crate::app::watch::{self, Event, Hook, Pass};
use crate::cli::context::{Context, block_on_interruptible, local_time, resolve};
use crate::error::{Error, Result};
use crate::jlm::sync::{Outcome, Report};
use crate::output::format::{self, duration_fr};
use crate::output::{self, Cell, Column, Format, Kind as ColumnKind, RecordSink, Style};

/// The line's time, before the columns of a batch.
const MOMENT: Column = Column { key: "moment", header: "Moment", kind: ColumnKind::Text };

pub fn run(interval: Duration, ctx: &Context) -> Result<()> {
    let render = &ctx.render;
    if render.options.format == Format::Json {
        return Err(Error::usage("--watch écrit un flux sans fin : --format json (un seul document) ne convient pas")
            .with_hint("utilisez --format ndjson (une ligne JSON par changement) ou --format csv"));
    }
    if let Some(path) = render.path.as_deref().filter(|path| path.as_os_str() != "-") {
        return Err(Error::usage(format!(
            "--watch écrit sur la sortie standard, au fil des changements : -o {} ne s'applique pas",
            path.display()
        ))
        .with_hint("redirigez la sortie : jlm-batigest sync-offer --all --watch --format ndjson >> veille.ndjson"));
    }
    let app = resolve(ctx)?;
    // Checked before the first pass: a bad URL or a missing key is said at once (exit 2).
    let hook = app.settings.sync_webhook.value.as_ref().map(|settings| Hook::prepare(&app, settings)).transpose()?;
    // Listening from now on: a stop while the store opens is seen by the loop's first look.
    let mut stop = crate::stop::listen();
    let quiet = ctx.cli.quiet;
    block_on_interruptible(async {
        let store = app.store().await?;
        say(
            quiet,
            &format!(
                "Veille : une passe tout de suite, puis une par intervalle de {} ; Ctrl-C pour arrêter.",
                duration_fr(interval)
            ),
        );
        let stdout = std::io::stdout();
        let mut view = View::new(render.options, stdout.lock(), quiet)?;
        let stopped =
            watch::run(&app, &store, interval, hook.as_ref(), &mut stop, async |event| view.event(event)).await?;
        let passes = view.passes;
        view.finish()?;
        say(
            quiet,
            &format!(
                "Veille arrêtée ({}) après {} ; les devis synchronisés le restent.",
                stopped.name(),
                format::count(i64::try_from(passes).unwrap_or(i64::MAX), "passe")
            ),
        );
        Ok(())
    })
}

/// How the changes are written.
struct View<'w> {
    lines: Lines<'w>,
    quiet: bool,
    passes: u64,
    /// Said once while another watcher holds the store.
    waiting: bool,
}

enum Lines<'w> {
    /// One readable line per change.
    Text(std::io::StdoutLock<'w>),
    /// CSV or NDJSON rows, flushed at the end of each pass.
    Sink(Box<dyn RecordSink + 'w>),
}

impl<'w> View<'w> {
    fn new(options: output::Options, stdout: std::io::StdoutLock<'w>, quiet: bool) -> Result<Self> {
        let lines = if options.format == Format::Table {
            Lines::Text(stdout)
        } else {
            let mut sink = output::sink(options, "synchronisations", stdout);
            sink.begin(&std::iter::once(MOMENT).chain(COLUMNS).collect::<Vec<_>>())?;
            Lines::Sink(sink)
        };
        Ok(Self { lines, quiet, passes: 0, waiting: false })
    }

    #[allow(clippy::needless_pass_by_value, reason = "the loop hands each event over")]
    fn event(&mut self, event: Event<'_>) -> Result<()> {
        let now = local_time(chrono::Utc::now().naive_utc()).format("%d/%m/%Y %H:%M:%S").to_string();
        match event {
            Event::Step(Step::Done(report)) => self.report(&now, report)?,
            Event::Step(Step::Failed { numero, error }) => self.error(&now, numero, &error.message)?,
            Event::Passed(pass) => {
                self.passes += 1;
                self.waiting = false;
                self.flush()?;
                if !pass.quiet() {
                    say(self.quiet, &format!("{now} : {}", summary(pass)));
                }
            }
            Event::Failed { error, pause } => {
                self.passes += 1;
                self.flush()?;
                say(
                    self.quiet,
                    &format!(
                        "{now} : passe en échec : {} ; nouvelle tentative dans {}",
                        error.message,
                        duration_fr(pause)
                    ),
                );
            }
            Event::Waiting if !self.waiting => {
                self.waiting = true;
                say(
                    self.quiet,
                    &format!("{now} : un autre veilleur synchronise déjà ce magasin ; celui-ci attend son tour"),
                );
            }
            Event::Waiting | Event::Step(Step::Again) => {}
        }
        Ok(())
    }

    fn report(&mut self, now: &str, report: &Report) -> Result<()> {
        match &mut self.lines {
            Lines::Sink(sink) => write_report_led(sink.as_mut(), report, &[Cell::from(now)]),
            Lines::Text(out) => {
                for line in std::iter::once(report).chain(&report.unlinked) {
                    let note = line.note.as_deref().map(|note| format!(" ({note})")).unwrap_or_default();
                    if line.changes.is_empty() {
                        writeln!(out, "{now}  {}  {}{note}", line.numero, line.outcome.code())?;
                    }
                    for change in &line.changes {
                        let value = |value: &Option<String>| value.clone().unwrap_or_else(|| "(vide)".to_owned());
                        writeln!(
                            out,
                            "{now}  {}  {}  {} : {} → {}{}",
                            line.numero,
                            line.outcome.code(),
                            change.field,
                            value(&change.old),
                            value(&change.new),
                            if line.outcome == Outcome::ManualReview { &note } else { "" }
                        )?;
                    }
                }
                Ok(())
            }
        }
    }

    fn error(&mut self, now: &str, numero: Option<&str>, message: &str) -> Result<()> {
        match &mut self.lines {
            Lines::Sink(sink) => {
                let row = [&[Cell::from(now)][..], &error_row(numero, message)].concat();
                Ok(sink.row(&row, Style { highlight: true })?)
            }
            Lines::Text(out) => Ok(writeln!(out, "{now}  {}  error  {message}", numero.unwrap_or("(lot)"))?),
        }
    }

    fn flush(&mut self) -> Result<()> {
        match &mut self.lines {
            Lines::Sink(sink) => Ok(sink.flush()?),
            Lines::Text(out) => Ok(out.flush()?),
        }
    }

    fn finish(self) -> Result<()> {
        match self.lines {
            Lines::Sink(sink) => Ok(sink.finish()?),
            Lines::Text(mut out) => Ok(out.flush()?),
        }
    }
}

fn summary(pass: &Pass) -> String {
    let counts = pass.counts;
    format!(
        "{}, {} à vérifier, {} ({})",
        format::count(counts.synced, "synchronisé"),
        counts.manual_review,
        format::count(counts.errors, "erreur"),
        format::count(i64::try_from(pass.moved).unwrap_or(i64::MAX), "mois relu"),
    )
}

/// A line for the person at the terminal, on stderr.
fn say(quiet: bool, line: &str) {
    if !quiet {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}
