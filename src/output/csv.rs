//! CSV, streamed row by row, in two dialects.
//!
//! - RFC 4180: `,` separator, CRLF line ends (the RFC's, and what Excel and LibreOffice expect),
//!   `.` decimals at the column's scale, ISO dates `2024-01-31`, date-times `2024-01-31T10:15:30`,
//!   `true`/`false`.
//! - French Excel (`--excel`), what a double-click opens right: UTF-8 BOM (else Excel reads
//!   ANSI and breaks accents), `;` separator (the list separator of French Windows), decimal
//!   comma without grouping (`1234,56` is a number to Excel), dates `31/01/2024`, date-times
//!   `31/01/2024 10:15`, booleans `VRAI`/`FAUX` (French Excel's own boolean literals: it reads
//!   them as logical values that filters and `NB.SI` understand), CRLF.
//!   Text cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so that Excel
//!   never evaluates data as a formula (CSV injection, OWASP's advice); the apostrophe stays
//!   visible in the cell. Only text cells are touched: numbers and dates are never prefixed.
//!
//! Excel still applies its own guesses to text that looks like a number or a date (`00123`
//! loses its zeros); only Excel's import wizard avoids that, and no CSV value can.
//!
//! Both dialects have a header row of the column keys, quote a field only when it holds the
//! separator, `"`, CR or LF, and leave NULL empty. The quoting is the `csv` crate's
//! (`QuoteStyle::Necessary`); the values' formats and the formula guard are ours.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Cell, Column, Kind, RecordSink, Style, format};

pub(super) struct CsvSink<W: Write> {
    out: csv::Writer<Unflushed<super::Buffer<W>>>,
    excel: bool,
    kinds: Vec<Kind>,
    /// Reused for every field, so a row costs no allocation beyond its formatted values.
    field: String,
}

/// The sink's [`Buffer`](super::Buffer) under the csv writer. The writer hands each whole row
/// over at once (its `flush`, made to stop here): whether anything reached the output, and so
/// whether a failed run leaves anything, stays the buffer's decision.
/// Its flag lets one flush through: the sink's own [`RecordSink::flush`].
struct Unflushed<W: Write>(W, std::cell::Cell<bool>);

impl<W: Write> Write for Unflushed<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.1.take() { self.0.flush() } else { Ok(()) }
    }
}

/// The writer's own error, as the `io::Error` it carries (a closed pipe stays one).
fn io_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> CsvSink<W> {
    pub(super) fn new(out: W, excel: bool) -> Self {
        let mut out = super::Buffer::new(out);
        if excel {
            // Held in the buffer like the rest: a run failing before its first rows writes nothing.
            let _ = out.write_all("\u{feff}".as_bytes());
        }
        let out = csv::WriterBuilder::new()
            .delimiter(if excel { b';' } else { b',' })
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .flexible(true)
            .from_writer(Unflushed(out, std::cell::Cell::new(false)));
        Self { out, excel, kinds: Vec::new(), field: String::new() }
    }

    /// Ends the record and hands it to the buffer.
    fn end_record(&mut self) -> io::Result<()> {
        self.out.write_record(None::<&[u8]>).map_err(io_error)?;
        self.out.flush()
    }
    /// Formats a cell that is not text into `field`: numbers, dates and booleans, which never
    /// hold a separator, a quote or a line end and so are never quoted.
    fn format(&mut self, kind: Kind, cell: &Cell) {
        self.field.clear();
        match cell {
            Cell::Empty | Cell::Text(_) => {}
            Cell::Date(date) => {
                if self.excel {
                    format::push_date_fr(&mut self.field, *date);
                } else {
                    format::push_date_iso(&mut self.field, *date);
                }
            }
            Cell::DateTime(date_time) => {
                if self.excel {
                    format::push_date_time_fr(&mut self.field, *date_time);
                } else {
                    format::push_date_time_iso(&mut self.field, *date_time);
                }
            }
            Cell::Bool(value) => self.field.push_str(match (self.excel, value) {
                (false, true) => "true",
                (false, false) => "false",
                (true, true) => "VRAI",
                (true, false) => "FAUX",
            }),
            Cell::Integer(value) if kind.scale().is_none() => {
                // Through fmt::Write into the reused buffer: no allocation.
                let _ = write!(self.field, "{value}");
            }
            Cell::Integer(_) | Cell::Decimal(_) => {
                let value = cell.as_decimal().expect("a number");
                let scale = kind.scale().unwrap_or(value.scale());
                format::push_plain(&mut self.field, value, scale, if self.excel { ',' } else { '.' });
            }
        }
    }

    /// Writes one text cell, with the Excel formula guard.
    fn write_text(&mut self, text: &str) -> io::Result<()> {
        if self.excel && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            self.field.clear();
            self.field.push('\'');
            self.field.push_str(text);
            return self.out.write_field(&self.field).map_err(io_error);
        }
        self.out.write_field(text).map_err(io_error)
    }
}

impl<W: Write> RecordSink for CsvSink<W> {
    fn begin(&mut self, columns: &[Column]) -> io::Result<()> {
        self.kinds = columns.iter().map(|column| column.kind).collect();
        self.out.write_record(columns.iter().map(|column| column.key)).map_err(io_error)?;
        self.out.flush()
    }

    fn row(&mut self, cells: &[Cell], _style: Style) -> io::Result<()> {
        assert_eq!(cells.len(), self.kinds.len(), "one cell per column");
        for (index, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Empty => self.out.write_field("").map_err(io_error)?,
                Cell::Text(text) => self.write_text(text)?,
                _ => {
                    self.format(self.kinds[index], cell);
                    self.out.write_field(&self.field).map_err(io_error)?;
                }
            }
        }
        self.end_record()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.get_ref().1.set(true);
        self.out.flush()
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let mut out = self.out.into_inner().map_err(|e| io::Error::new(e.error().kind(), e.error().to_string()))?;
        out.0.flush()
    }
}
