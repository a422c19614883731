//! The output layer (DESIGN §2 "Output"): every command describes its results as typed columns
//! and streams rows of cells into a [`RecordSink`]; the sink chosen by [`sink`] writes them as a
//! French table, CSV (RFC 4180 or French Excel), one JSON document, or NDJSON.
//!
//! A command's call sequence is always:
//!
//! ```text
//! begin(columns) → row(cells, style)* → totals(cells)? → section(key, title, columns, rows)* → finish()
//! ```
//!
//! | call      | table                          | csv / excel        | json                               | ndjson             |
//! |-----------|--------------------------------|--------------------|------------------------------------|--------------------|
//! | `row`     | buffered (column widths)       | written at once    | written at once, under `main_key`  | one line, at once  |
//! | `totals`  | last row, after a rule, bold   | ignored            | ignored                            | ignored            |
//! | `section` | titled table after a blank line| ignored            | another key of the same document   | ignored            |
//!
//! Sections therefore only hold what a reader of a table or of the JSON document wants besides
//! the records (ageing buckets, totals by client, a key/value summary as two columns); CSV and
//! NDJSON stay one homogeneous record list that a spreadsheet or `jq` can take as it is.
//!
//! Errors of the writer, `BrokenPipe` included, are returned untouched: the caller decides that a
//! closed pipe ends quietly.

mod csv;
mod error;
pub mod exact;
mod file;
pub mod format;
pub mod html;
pub mod json;
pub mod lettre;
mod table;
pub mod template;

use std::io::{self, Write};

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

/// How results are written (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A table for people, French number formats.
    #[default]
    Table,
    /// CSV (RFC 4180), or French Excel's with `--excel`.
    Csv,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Ndjson,
}
pub use error::OutputError;
pub use file::{Destination, HeldOpen};

/// How a column's values are shown. Numeric kinds are right-aligned in tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Euros, rounded half-up to the cent when written: `12 345,67 €` in a table, `12345.67` in
    /// CSV and JSON, `12345,67` for Excel.
    Money,
    /// A decimal rounded half-up and padded to `scale` decimals (rates 2, coefficients 4).
    Decimal {
        scale: u32,
    },
    /// A percentage **in points** (`42.857` means 42,857 %), rounded to `scale` decimals:
    /// `42,86 %` in a table, the plain number `42.86` elsewhere.
    Percent {
        scale: u32,
    },
    /// Written as is, without grouping (counts, days late, years, identifiers).
    Integer,
    Date,
    DateTime,
    Bool,
}

impl Kind {
    /// Decimals a number of this kind is written with; `None` keeps the value's own.
    fn scale(self) -> Option<u32> {
        match self {
            Kind::Money => Some(2),
            Kind::Decimal { scale } | Kind::Percent { scale } => Some(scale),
            _ => None,
        }
    }

    fn is_numeric(self) -> bool {
        matches!(self, Kind::Money | Kind::Decimal { .. } | Kind::Percent { .. } | Kind::Integer)
    }
}

/// One column of a record stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Stable snake_case name: CSV header and JSON key (`numero_devis`, `montant_ht`).
    pub key: &'static str,
    /// French table header (`N° devis`, `Montant HT`).
    pub header: &'static str,
    pub kind: Kind,
}

/// One value. Its [`Kind`] comes from the column: a `Decimal` in a `Money` column is written as
/// money; an `Integer` in a decimal column is padded like the decimals around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// NULL, or no value (a ratio over nothing): empty in CSV and tables, `null` in JSON.
    Empty,
    Text(String),
    Decimal(Decimal),
    Integer(i64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Bool(bool),
}

impl Cell {
    /// The number this cell holds as a decimal, for a column whose kind has a scale.
    fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Cell::Decimal(value) => Some(*value),
            Cell::Integer(value) => Some(Decimal::from(*value)),
            _ => None,
        }
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(value.to_owned())
    }
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}

impl From<Decimal> for Cell {
    fn from(value: Decimal) -> Self {
        Cell::Decimal(value)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Integer(value)
    }
}

impl From<i32> for Cell {
    fn from(value: i32) -> Self {
        Cell::Integer(value.into())
    }
}

impl From<u32> for Cell {
    fn from(value: u32) -> Self {
        Cell::Integer(value.into())
    }
}

impl From<NaiveDate> for Cell {
    fn from(value: NaiveDate) -> Self {
        Cell::Date(value)
    }
}

impl From<NaiveDateTime> for Cell {
    fn from(value: NaiveDateTime) -> Self {
        Cell::DateTime(value)
    }
}

impl From<bool> for Cell {
    fn from(value: bool) -> Self {
        Cell::Bool(value)
    }
}

/// `None` is [`Cell::Empty`].
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// How a row stands out. Only tables with colour show it (in red); every other format ignores it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// A row that needs attention: a late invoice, a drifting margin.
    pub highlight: bool,
}

/// What the caller resolved from `--format`, `--excel`, `--color` and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    /// French Excel CSV; only meaningful with [`Format::Csv`], ignored otherwise.
    pub excel: bool,
    /// ANSI styles in tables (never in other formats). The caller resolves `--color auto`.
    pub color: bool,
    /// Tables wrap their cells to fit; `None` (not a terminal) never wraps.
    pub terminal_width: Option<u16>,
}

/// Receives a command's results; see the module documentation for the call sequence.
///
/// Every method may write; each passes on the writer's error as it came.
pub trait RecordSink {
    /// Declares the main records' columns. Called once, before anything else.
    fn begin(&mut self, columns: &[Column]) -> io::Result<()>;

    /// One main record, one cell per column.
    fn row(&mut self, cells: &[Cell], style: Style) -> io::Result<()>;

    /// A totals row for the main records. Only tables show it: the default ignores it.
    fn totals(&mut self, _cells: &[Cell]) -> io::Result<()> {
        Ok(())
    }

    /// An extra block after the main records: a titled table, or the JSON key `key`. CSV and
    /// NDJSON stay one homogeneous record list: the default ignores it.
    fn section(&mut self, _key: &str, _title: &str, _columns: &[Column], _rows: Vec<Vec<Cell>>) -> io::Result<()> {
        Ok(())
    }

    /// Hands the rows so far to the output, for a stream read as it comes (the automatic sync).
    /// Only the streaming formats (CSV, NDJSON) have anything to hand over.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Ends the document and flushes. Consumes the sink so that the writer it borrowed is free
    /// again (e.g. to put a `-o` file in place).
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// Output buffer of the streaming sinks: a large export is written in 64 KiB blocks, not the
/// default 8 KiB.
const BUFFER_BYTES: usize = 64 * 1024;

/// The buffer of a streaming sink. When the sink is dropped without `finish` (the run failed),
/// what it holds is thrown away if nothing has reached the output yet — a query refused before
/// its first rows leaves stdout empty, not holding a lone CSV header — and flushed otherwise, so
/// that a stream cut midway still ends on a whole row.
pub(super) struct Buffer<W: Write> {
    out: Option<io::BufWriter<W>>,
    /// Some bytes already went through to the output.
    started: bool,
}

impl<W: Write> Buffer<W> {
    pub(super) fn new(out: W) -> Self {
        Self { out: Some(io::BufWriter::with_capacity(BUFFER_BYTES, out)), started: false }
    }

    fn inner(&mut self, incoming: usize) -> &mut io::BufWriter<W> {
        // Only `drop` takes it.
        let out = self.out.as_mut().expect("the buffer is there until dropped");
        self.started |= out.buffer().len() + incoming > out.capacity();
        out
    }
}

impl<W: Write> Write for Buffer<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.inner(bytes.len()).write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner(bytes.len()).write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.started = true;
        self.inner(0).flush()
    }
}

impl<W: Write> Drop for Buffer<W> {
    fn drop(&mut self) {
        match self.out.take() {
            Some(mut out) if self.started => {
                // Nothing sensible to do with an error while failing already.
                let _ = out.flush();
            }
            // Drops the writer and the unflushed bytes without writing them.
            Some(out) => drop(out.into_parts()),
            None => {}
        }
    }
}

/// The sink for `options`, writing to `out`. `main_key` names the main records in the JSON
/// document (`devis`, `factures`). Output is buffered inside the sink: pass `out` unbuffered
/// (a locked stdout, an [`AtomicFile`], or `&mut` either).
pub fn sink<'w, W: Write + 'w>(options: Options, main_key: &'static str, out: W) -> Box<dyn RecordSink + 'w> {
    match options.format {
        Format::Table => Box::new(table::TableSink::new(out, options.color, options.terminal_width)),
        Format::Csv => Box::new(csv::CsvSink::new(out, options.excel)),
        Format::Json => Box::new(json::JsonSink::new(out, main_key)),
        Format::Ndjson => Box::new(json::NdjsonSink::new(out)),
    }
}

#[cfg(test)]
mod tests;
