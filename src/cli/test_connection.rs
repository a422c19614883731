//! `jlm-batigest test-connection`: can we reach Batigest, log in and query it?

use crate::cli::context::Context;
use std::io::Write;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::json;

use super::context::{Render, block_on, resolve};
use crate::app;
use crate::batigest::connection::{self, Failure, ServerStatus};
use crate::batigest::inspect::{self, MappedColumn, SchemaGaps};
use crate::error::{Error, Result};
use crate::output::Format;
use crate::output::{self, Cell, Column, Kind as ColumnKind, Options, Style, format};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest test-connection
  jlm-batigest test-connection --server SRV-BATIGEST\\SAGEBAT --database BTG_DOS_JLM --user jlm
  jlm-batigest test-connection --check-schema
      vérifie aussi que chaque table et colonne utilisée existe
  jlm-batigest test-connection --format json
      {\"connected\": true, \"server_version\": …, \"database\": …, \"latency_ms\": …, \"message\": …}

Code de sortie 0 si la connexion réussit, 3 sinon ; avec --check-schema, 2 s'il manque une table ou une colonne,
si une colonne a un type que l'outil ne lit pas exactement (un montant FLOAT), ou si une colonne de statut
contient des valeurs que la correspondance ne traduit pas. --check-schema donne le type de chaque colonne reliée.";

/// Vérifie la connexion à Batigest : serveur, base, temps d'aller-retour
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Vérifie aussi que chaque table et colonne de la correspondance existe, et que les statuts se lisent
    #[arg(long)]
    check_schema: bool,
}

const CSV_COLUMNS: [Column; 5] = [
    Column { key: "connected", header: "Connecté", kind: ColumnKind::Bool },
    Column { key: "server", header: "Serveur", kind: ColumnKind::Text },
    Column { key: "server_version", header: "Version", kind: ColumnKind::Text },
    Column { key: "database", header: "Base", kind: ColumnKind::Text },
    Column { key: "latency_ms", header: "Aller-retour (ms)", kind: ColumnKind::Decimal { scale: 1 } },
];

/// The outcome, printed in every format.
struct Report {
    target: String,
    status: Option<ServerStatus>,
    gaps: Option<SchemaGaps>,
    /// Logical fields the mapping leaves unmapped: not an error, but commands needing them stop.
    unmapped: Vec<String>,
    /// Status columns holding values the mapping cannot read.
    untranslated: Vec<String>,
    /// Every mapped column the database has, with its type and whether the tool reads it exactly.
    columns: Vec<MappedColumn>,
    failure: Option<Failure>,
}

impl Report {
    fn connected(&self) -> bool {
        self.status.is_some()
    }

    /// The mapped columns whose type the tool cannot read exactly: `devis.montant_ht (Devis.TotalHT, float)`.
    fn unreadable(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter_map(|c| {
                c.readable.as_ref().err().map(|why| format!("{} ({}, {} : {why})", c.field, c.column, c.data_type))
            })
            .collect()
    }

    fn message(&self) -> String {
        match (&self.failure, &self.gaps) {
            (Some(failure), _) => failure.message.clone(),
            (None, Some(gaps)) if !gaps.is_empty() => format!(
                "connecté à {}, mais le schéma est incomplet : {} table(s) et {} colonne(s) manquantes",
                self.target,
                gaps.missing_tables.len(),
                gaps.missing_columns.len()
            ),
            (None, _) if !self.unreadable().is_empty() => format!(
                "connecté à {}, mais des colonnes ont un type que l'outil ne lit pas exactement : {}",
                self.target,
                self.unreadable().join(" ; ")
            ),
            (None, _) if !self.untranslated.is_empty() => format!(
                "connecté à {}, mais des valeurs de statut ne sont pas traduites : {}",
                self.target,
                self.untranslated.join(" ; ")
            ),
            _ => format!("connecté à {}", self.target),
        }
    }
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let batigest = resolve(ctx)?;
    let render = &ctx.render;
    block_on(check(args, &batigest, render))
}

async fn check(args: &Args, batigest: &app::Context, render: &Render) -> Result<()> {
    let target = &batigest.target;
    let password = batigest.password.secret.expose();
    let mut report = Report {
        target: target.describe(),
        status: None,
        gaps: None,
        unmapped: Vec::new(),
        untranslated: Vec::new(),
        columns: Vec::new(),
        failure: None,
    };
    match connection::connect(target, password).await {
        Err(failure) => report.failure = Some(failure),
        Ok(mut client) => match connection::server_status(&mut client, target).await {
            Err(failure) => report.failure = Some(failure),
            Ok(status) => {
                report.status = Some(status);
                if args.check_schema
                    && let Err(failure) = check_schema(&mut client, batigest, &mut report).await
                {
                    report.failure = Some(failure);
                }
            }
        },
    }
    let mut destination = render.destination()?;
    print(&report, render.options, &mut destination)?;
    Render::commit(destination)?;
    if let Some(failure) = report.failure {
        // The report already said it for machine formats; stderr still gets the sentence.
        return Err(failure.into());
    }
    if report.gaps.as_ref().is_some_and(|gaps| !gaps.is_empty()) {
        return Err(Error::usage(report.message())
            .with_hint("complétez le fichier de correspondance du schéma (schema = \"…\" dans le profil)"));
    }
    if !report.unreadable().is_empty() {
        return Err(Error::usage(report.message()).with_hint(
            "reliez ces champs à des colonnes DECIMAL, NUMERIC, MONEY ou INT (montants), DATE ou DATETIME (dates), \
             CHAR ou VARCHAR (textes), ou laissez-les non reliés",
        ));
    }
    if !report.untranslated.is_empty() {
        return Err(Error::usage(report.message()).with_hint(
            "traduisez chaque valeur stockée en statut dans [tables.TABLE.values.CHAMP] du fichier de correspondance",
        ));
    }
    Ok(())
}

/// Every mapped name exists, and the status columns hold values the mapping can read.
async fn check_schema(
    client: &mut connection::Connection,
    batigest: &app::Context,
    report: &mut Report,
) -> Result<(), Failure> {
    let (mapping, timeout) = (&batigest.mapping, batigest.target.timeout);
    let columns = inspect::columns(client, timeout).await?;
    let gaps = inspect::gaps(mapping, &columns);
    report.columns = inspect::mapped_columns(mapping, &columns);
    // Sampling a column that is not there, or that cannot be read, would only fail.
    if gaps.is_empty() && report.unreadable().is_empty() {
        report.untranslated = inspect::untranslated(client, mapping, timeout).await?;
    }
    report.gaps = Some(gaps);
    report.unmapped = mapping.unmapped();
    Ok(())
}

fn print(report: &Report, options: Options, out: &mut dyn Write) -> std::io::Result<()> {
    let format = options.format;
    let status = report.status.as_ref();
    // Exact milliseconds from microseconds; shown to a tenth.
    let latency_ms = status.map(|s| Decimal::from(s.round_trip.as_micros()) / Decimal::ONE_THOUSAND);
    match format {
        Format::Json | Format::Ndjson => {
            let document = json!({
                "connected": report.connected(),
                "server": report.target,
                "server_version": status.map(|s| &s.version),
                "database": status.map(|s| &s.database),
                "server_time": status.map(|s| s.server_time.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
                "latency_ms": latency_ms.and_then(|ms| ms.round_dp(1).to_f64()),
                "missing_tables": report.gaps.as_ref().map(|g| &g.missing_tables),
                "missing_columns": report.gaps.as_ref().map(|g| g.missing_columns.iter()
                    .map(|(t, c)| format!("{t}.{c}")).collect::<Vec<_>>()),
                "unmapped_fields": report.gaps.as_ref().map(|_| &report.unmapped),
                "untranslated_values": report.gaps.as_ref().map(|_| &report.untranslated),
                "columns": report.gaps.as_ref().map(|_| report.columns.iter().map(|c| json!({
                    "field": c.field,
                    "column": c.column,
                    "data_type": c.data_type,
                    "readable": c.readable.is_ok(),
                    "why_not": c.readable.as_ref().err(),
                })).collect::<Vec<_>>()),
                "message": report.message(),
            });
            if format == Format::Json {
                serde_json::to_writer_pretty(&mut *out, &document)?;
            } else {
                serde_json::to_writer(&mut *out, &document)?;
            }
            writeln!(out)
        }
        Format::Csv => {
            // The same CSV writer as every other command, in either dialect.
            let mut sink = output::sink(options, "connexion", &mut *out);
            sink.begin(&CSV_COLUMNS)?;
            let cells = [
                Cell::from(report.connected()),
                report.target.as_str().into(),
                status.map(|s| s.version.as_str()).into(),
                status.map(|s| s.database.as_str()).into(),
                latency_ms.into(),
            ];
            sink.row(&cells, Style::default())?;
            sink.finish()
        }
        Format::Table => {
            let Some(status) = status else { return Ok(()) };
            writeln!(out, "Connexion à Batigest réussie ({})", report.target)?;
            writeln!(out, "  Serveur       : {}", status.version)?;
            writeln!(out, "  Base          : {}", status.database)?;
            writeln!(out, "  Heure serveur : {}", status.server_time.format("%d/%m/%Y %H:%M:%S"))?;
            writeln!(out, "  Aller-retour  : {} ms", format::decimal_fr(latency_ms.unwrap_or_default(), 1))?;
            if let Some(gaps) = &report.gaps {
                let unreadable = report.unreadable();
                if gaps.is_empty() && report.untranslated.is_empty() && unreadable.is_empty() {
                    writeln!(out, "  Schéma        : complet")?;
                } else if gaps.is_empty() && !unreadable.is_empty() {
                    writeln!(out, "  Schéma        : types illisibles")?;
                    for column in &unreadable {
                        writeln!(out, "    {column}")?;
                    }
                } else if gaps.is_empty() {
                    writeln!(out, "  Schéma        : valeurs de statut non traduites")?;
                    for untranslated in &report.untranslated {
                        writeln!(out, "    {untranslated}")?;
                    }
                } else {
                    writeln!(out, "  Schéma        : incomplet")?;
                    for table in &gaps.missing_tables {
                        writeln!(out, "    table manquante   : {table}")?;
                    }
                    for (table, column) in &gaps.missing_columns {
                        writeln!(out, "    colonne manquante : {table}.{column}")?;
                    }
                }
                if !report.unmapped.is_empty() {
                    writeln!(out, "  Non reliés    : {}", report.unmapped.join(", "))?;
                    writeln!(out, "    (les commandes qui en ont besoin s'arrêtent en les nommant)")?;
                }
                if !report.columns.is_empty() {
                    writeln!(out, "  Colonnes      : type dans la base, lu exactement ou non")?;
                    let width = report.columns.iter().map(|c| c.field.chars().count()).max().unwrap_or(0);
                    let column_width = report.columns.iter().map(|c| c.column.chars().count()).max().unwrap_or(0);
                    for c in &report.columns {
                        let readable = match &c.readable {
                            Ok(()) => "oui".to_owned(),
                            Err(why) => format!("non : {why}"),
                        };
                        writeln!(
                            out,
                            "    {:width$}  {:column_width$}  {:13}  {readable}",
                            c.field, c.column, c.data_type
                        )?;
                    }
                }
            }
            Ok(())
        }
    }
}
