//! `jlm-batigest sync-offer`: pulls Batigest devis into JLM ERP (DESIGN §4), one transaction per
//! devis, with a log row for every attempt.

use std::io::Write;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};

use super::Cli;
use super::context::{Context, Render, block_on_interruptible, interruption, resolve};
use super::stop;
use super::values;

mod watch;
use crate::app::{self, sync};
use crate::batigest::connection::Connection;
use crate::error::{Error, Kind, Result};
use crate::jlm::Store;
use crate::jlm::sync::{Counts, Outcome, Relink, Report};
use crate::output::Format;
use crate::output::{self, Cell, Column, Kind as ColumnKind, RecordSink, Style, format};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest sync-offer --ref DEVIS-2024-001
      le devis DEVIS-2024-001 (numéro ou référence d'affaire) vers son offre JLM ERP
  jlm-batigest sync-offer --ref DEVIS-2024-001 --offer 7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11 --dry-run
      montre ce qui changerait sur cette offre, sans rien écrire
  jlm-batigest sync-offer --ref DEVIS-2024-002 --offer 7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11 --relink
      lie l'offre à DEVIS-2024-002 alors qu'elle portait un autre devis (celui-ci passe « manual_review »)
  jlm-batigest sync-offer --all
      tous les devis validés ou acceptés depuis le dernier lot réussi
  jlm-batigest sync-offer --all --since 01/01/2024 --format csv -o synchro.csv
  jlm-batigest sync-offer --all --watch --interval 60s
      reste en veille : chaque minute, ce qui a changé dans Batigest passe dans JLM ERP
  jlm-batigest sync-offer --all --watch --format ndjson >> veille.ndjson
      une ligne JSON par changement, pour un programme
  jlm-batigest --jlm-db postgres://jlm@erp/jlm sync-offer --ref AFF-2024-0153

Le devis est lié à l'offre JLM ERP donnée par --offer (son identifiant), sinon à celle qui lui est
déjà liée, sinon à celle dont batigest_ref ou reference est son numéro (ou sa référence d'affaire) :
montant_final reçoit son montant HT et batigest_ref son numéro ; rien d'autre de l'offre ne change.
Sans offre correspondante, le devis est enregistré « manual_review » pour être lié à la main.
Une offre porte un seul devis : la lier à un autre devis est refusé, sauf avec --relink.
Chaque devis est une transaction ; chaque tentative est tracée (jlm-batigest integrations --journal).
Une seconde synchronisation identique ne change rien et le dit (« déjà à jour »).

Veille (--watch) : une première passe, puis une par intervalle, jusqu'à Ctrl-C, SIGTERM ou l'arrêt du
service (code 0, le devis en cours terminé). Par mois de création, Batigest donne le nombre de devis
validés ou acceptés et une somme de contrôle de leurs colonnes synchronisées ; seuls les mois qui ont
bougé sont relus. Une passe calme n'écrit rien (ni ligne, ni journal). Une passe en échec (Batigest
ou le magasin injoignable) est retentée à l'intervalle suivant, avec une pause qui grandit (15 min au
plus). Un seul veilleur par magasin : un second attend son tour. Avec [profiles.NOM.sync.webhook],
chaque passe qui a changé quelque chose est envoyée au webhook.";

/// Synchronise des devis Batigest vers JLM ERP : offre, suivi d'intégration, journal
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES, group = clap::ArgGroup::new("devis").required(true).args(["reference", "all"]))]
#[allow(clippy::struct_excessive_bools, reason = "command-line switches")]
pub struct Args {
    /// Numéro du devis ou référence d'affaire (ex. DEVIS-2024-001)
    #[arg(long = "ref", value_name = "RÉF", conflicts_with = "all")]
    reference: Option<String>,

    /// Offre JLM ERP à lier (son identifiant, un UUID), au lieu de la chercher par référence
    #[arg(long, value_name = "ID", requires = "reference", conflicts_with = "all", value_parser = values::id)]
    offer: Option<String>,

    /// Déplace le lien quand l'offre porte déjà un autre devis (ou que le devis est lié à une autre offre) :
    /// l'ancien devis passe « manual_review », l'ancienne offre perd son batigest_ref
    #[arg(long, requires = "reference", conflicts_with = "all")]
    relink: bool,

    /// Tous les devis validés ou acceptés, créés ou validés depuis --since (défaut : le dernier lot réussi)
    #[arg(long)]
    all: bool,

    /// Avec --all : depuis cette date (incluse), AAAA-MM-JJ ou JJ/MM/AAAA
    #[arg(long, value_name = "DATE", value_parser = values::date, requires = "all", conflicts_with = "reference")]
    since: Option<NaiveDate>,

    /// Montre ce qui changerait sans rien écrire
    #[arg(long)]
    dry_run: bool,

    /// Avec --all : reste en veille et synchronise à chaque intervalle ce qui a changé dans Batigest,
    /// jusqu'à Ctrl-C, SIGTERM ou l'arrêt du service
    #[arg(long, requires = "all", conflicts_with_all = ["reference", "since", "dry_run"])]
    watch: bool,

    /// Avec --watch : le temps entre deux passes (ms, s, m ou h ; ex. 30s, 5m) [défaut : 60s]
    #[arg(long, value_name = "DURÉE", requires = "watch", value_parser = values::interval)]
    interval: Option<Duration>,
}

/// The pause between two passes of `--watch` without `--interval`.
pub const DEFAULT_INTERVAL: Duration = Duration::from_mins(1);

/// The devis to look at that a batch's table shows at most.
const ATTENTION_SHOWN: usize = 200;

const COLUMNS: [Column; 7] = [
    Column { key: "numero_devis", header: "N° devis", kind: ColumnKind::Text },
    Column { key: "offre_id", header: "Offre", kind: ColumnKind::Text },
    Column { key: "resultat", header: "Résultat", kind: ColumnKind::Text },
    Column { key: "champ", header: "Champ", kind: ColumnKind::Text },
    Column { key: "avant", header: "Avant", kind: ColumnKind::Text },
    Column { key: "apres", header: "Après", kind: ColumnKind::Text },
    Column { key: "message", header: "Message", kind: ColumnKind::Text },
];

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let cli = ctx.cli;
    // Said before the password is looked for.
    if args.reference.as_deref().is_some_and(|reference| reference.trim().is_empty()) {
        return Err(Error::usage("--ref attend un numéro de devis ou une référence d'affaire"));
    }
    if args.watch {
        return watch::run(args.interval.unwrap_or(DEFAULT_INTERVAL), ctx);
    }
    let app = resolve(ctx)?;
    let render = &ctx.render;
    let job = Job { args, cli, app: &app, render };
    block_on_interruptible(async {
        let store = app.store().await?;
        let mut client = app.connect().await?;
        let work = async {
            match &args.reference {
                Some(reference) => job.one(&store, &mut client, reference).await,
                None => job.all(&store, &mut client).await,
            }
        };
        tokio::select! {
            result = work => result,
            // The devis in flight rolled back with the dropped work; the trace says why it stopped.
            stop = stop::requested() => {
                let error = interruption(stop, "synchronisation arrêtée ; les devis déjà écrits le restent, le devis en cours n'a rien écrit");
                sync::trace_failure(&app, &store, args.reference.as_deref(), None, &error, args.dry_run).await;
                Err(error)
            }
        }
    })
}

struct Job<'a> {
    args: &'a Args,
    cli: &'a Cli,
    app: &'a app::Context,
    render: &'a Render,
}

impl Job<'_> {
    async fn one(&self, store: &Store, client: &mut Connection, reference: &str) -> Result<()> {
        let one = sync::One {
            reference,
            offer: self.args.offer.as_deref(),
            relink: if self.args.relink { Relink::Move } else { Relink::Refuse },
            dry_run: self.args.dry_run,
        };
        let report = sync::one(self.app, store, client, one).await?;
        let mut destination = self.render.destination()?;
        let mut sink = output::sink(self.render.options, "synchronisations", &mut destination);
        sink.begin(&COLUMNS)?;
        write_report(sink.as_mut(), &report)?;
        sink.finish()?;
        Render::commit(destination)?;
        self.say(&verdict(&report));
        if self.args.dry_run {
            self.say("Simulation (--dry-run) : rien n'a été écrit.");
        }
        Ok(())
    }

    async fn all(&self, store: &Store, client: &mut Connection) -> Result<()> {
        let mut destination = self.render.destination()?;
        let mut sink = output::sink(self.render.options, "synchronisations", &mut destination);
        sink.begin(&COLUMNS)?;
        let bar = std::cell::OnceCell::new();
        let mut view = BatchView { in_table: self.render.options.format == Format::Table, shown: 0 };
        let finished = sync::all(
            self.app,
            store,
            client,
            (self.args.since, self.args.dry_run),
            |total| drop(bar.set(self.render.bar(total, "devis"))),
            async |step| {
                match step {
                    sync::Step::Done(report) => view.report(sink.as_mut(), report)?,
                    sync::Step::Failed { numero: Some(numero), error } => {
                        view.error(sink.as_mut(), numero, &error.message)?;
                    }
                    // Batigest lost midway: one line for the batch, whatever the table shows.
                    sync::Step::Failed { numero: None, error } => {
                        view.shown += 1;
                        sink.row(&error_row(None, &error.message), Style { highlight: true })?;
                        return Ok(());
                    }
                    sync::Step::Again => {}
                }
                if let Some(bar) = bar.get() {
                    bar.inc(1);
                }
                Ok(())
            },
        )
        .await?;
        if let Some(bar) = bar.get() {
            bar.finish_and_clear();
        }
        let counts = finished.counts;
        if view.in_table && view.shown == 0 {
            // Nothing to look at: a sentence, not an empty table.
            drop(sink);
        } else {
            sink.finish()?;
        }
        if finished.lost.is_some() {
            // A cut batch's report is partial: a previous `-o` export stays as it was.
            Render::abandon(destination)?;
        } else {
            Render::commit(destination)?;
        }
        if view.in_table && view.shown == 0 {
            self.say("Aucun devis à vérifier ni en erreur.");
        } else if view.in_table && counts.synced + counts.unchanged + counts.manual_review > 0 {
            self.say(&format!(
                "Le tableau ne montre que les devis à vérifier et en erreur ({ATTENTION_SHOWN} au plus) ; le détail \
                 de chaque devis : --format csv (ou json), et « jlm-batigest integrations »."
            ));
        }
        self.say(&summary(&counts, finished.since, self.args.dry_run));
        if let Some(error) = finished.lost {
            let kept = match self.render.path.as_deref().filter(|path| path.as_os_str() != "-") {
                Some(path) => format!(" ; {} n'a pas été remplacé", path.display()),
                None => String::new(),
            };
            let hint = format!(
                "les devis synchronisés avant la coupure le restent, chacun tracé dans le magasin JLM \
                 (« jlm-batigest integrations --journal »){kept} ; relancez le lot quand Batigest répond"
            );
            return Err(error.with_hint(hint));
        }
        if counts.errors > 0 {
            return Err(Error::new(Kind::Unexpected, format!("{} devis en erreur", counts.errors))
                .with_hint("le détail de chaque erreur est dans « jlm-batigest integrations --journal »"));
        }
        Ok(())
    }

    /// A line for the person at the terminal, on stderr.
    fn say(&self, line: &str) {
        if !self.cli.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }
}

/// The devis' lines, then those of the devis `--relink` took its offer from.
fn write_report(sink: &mut dyn RecordSink, report: &Report) -> Result<()> {
    write_report_led(sink, report, &[])
}

/// [`write_report`]'s lines, each led by `lead` (the time, in `--watch`).
fn write_report_led(sink: &mut dyn RecordSink, report: &Report, lead: &[Cell]) -> Result<()> {
    write_lines(sink, report, lead)?;
    report.unlinked.iter().try_for_each(|unlinked| write_lines(sink, unlinked, lead))
}

fn write_lines(sink: &mut dyn RecordSink, report: &Report, lead: &[Cell]) -> Result<()> {
    let offer: Cell = report.offer.as_ref().map(|offer| offer.id.clone()).into();
    let outcome: Cell = report.outcome.code().into();
    let message: Cell = report.note.clone().into();
    let style = Style { highlight: report.outcome == Outcome::ManualReview };
    if report.changes.is_empty() {
        let message = report.note.clone().unwrap_or_else(|| "déjà à jour".to_owned());
        let cells =
            [report.numero.as_str().into(), offer, outcome, Cell::Empty, Cell::Empty, Cell::Empty, message.into()];
        return Ok(sink.row(&[lead, &cells].concat(), style)?);
    }
    for change in &report.changes {
        let cells = [
            report.numero.as_str().into(),
            offer.clone(),
            outcome.clone(),
            change.field.into(),
            change.old.clone().into(),
            change.new.clone().into(),
            message.clone(),
        ];
        sink.row(&[lead, &cells].concat(), style)?;
    }
    Ok(())
}

/// How a batch writes its devis. A table waits for all its rows to size its columns, so a batch
/// of thousands of devis would sit in memory: a table shows one line per devis to look at (review
/// or error), at most [`ATTENTION_SHOWN`]; CSV and JSON stream every change of every devis.
struct BatchView {
    in_table: bool,
    shown: usize,
}

impl BatchView {
    fn report(&mut self, sink: &mut dyn RecordSink, report: &Report) -> Result<()> {
        if !self.in_table {
            return write_report(sink, report);
        }
        for line in std::iter::once(report).chain(&report.unlinked) {
            if line.outcome == Outcome::ManualReview && self.take() {
                let offer: Cell = line.offer.as_ref().map(|offer| offer.id.clone()).into();
                let outcome: Cell = line.outcome.code().into();
                let cells = [
                    line.numero.as_str().into(),
                    offer,
                    outcome,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    line.note.clone().into(),
                ];
                sink.row(&cells, Style { highlight: true })?;
            }
        }
        Ok(())
    }

    fn error(&mut self, sink: &mut dyn RecordSink, numero: &str, message: &str) -> Result<()> {
        if self.in_table && !self.take() {
            return Ok(());
        }
        Ok(sink.row(&error_row(Some(numero), message), Style { highlight: true })?)
    }

    /// Whether one more line fits in the table.
    fn take(&mut self) -> bool {
        self.shown += 1;
        self.shown <= ATTENTION_SHOWN
    }
}

fn error_row(numero: Option<&str>, message: &str) -> [Cell; 7] {
    [numero.into(), Cell::Empty, Outcome::Error.code().into(), Cell::Empty, Cell::Empty, Cell::Empty, message.into()]
}

fn verdict(report: &Report) -> String {
    let offer = match &report.offer {
        Some(offer) => match &offer.reference {
            Some(reference) => format!("l'offre JLM ERP {} ({reference})", offer.id),
            None => format!("l'offre JLM ERP {}", offer.id),
        },
        None => "le magasin JLM (pas de table offers)".to_owned(),
    };
    let count = report.changes.len();
    let plural = if count > 1 { "s" } else { "" };
    match report.outcome {
        Outcome::Unchanged => match &report.note {
            Some(note) => format!("{} : déjà à jour, toujours à vérifier à la main ({note}).", report.numero),
            None => format!("{} : déjà à jour, rien n'a changé.", report.numero),
        },
        Outcome::Synced => {
            format!("{} synchronisé dans {offer} : {count} valeur{plural} modifiée{plural}.", report.numero)
        }
        Outcome::ManualReview => format!(
            "{} enregistré pour vérification manuelle : {}.",
            report.numero,
            report.note.as_deref().unwrap_or("aucune offre ne correspond")
        ),
        Outcome::Error => format!("{} : échec.", report.numero),
    }
}

fn summary(counts: &Counts, since: Option<NaiveDateTime>, dry_run: bool) -> String {
    let since =
        since.map_or_else(|| "tous les devis".to_owned(), |since| format!("depuis le {}", format::date_time_fr(since)));
    let line = format!(
        "Synchronisation ({since}) : {}, {}, {} à vérifier, {}.",
        format::count(counts.synced, "synchronisé"),
        format::count(counts.unchanged, "inchangé"),
        counts.manual_review,
        format::count(counts.errors, "erreur"),
    );
    if dry_run { format!("{line} Simulation (--dry-run) : rien n'a été écrit.") } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_every_outcome() {
        let counts = Counts { synced: 2, unchanged: 1, manual_review: 0, errors: 1 };
        assert_eq!(
            summary(&counts, None, false),
            "Synchronisation (tous les devis) : 2 synchronisés, 1 inchangé, 0 à vérifier, 1 erreur."
        );
    }
}
