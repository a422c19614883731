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
//! separator, `"`, CR or LF, and leave NULL empty.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Cell, Column, Kind, RecordSink, Style, format};

pub(super) struct CsvSink<W: Write> {
    out: super::Buffer<W>,
    excel: bool,
    kinds: Vec<Kind>,
    /// Reused for every field, so a row costs no allocation beyond its formatted values.
    field: String,
}

impl<W: Write> CsvSink<W> {
    pub(super) fn new(out: W, excel: bool) -> Self {
        Self { out: super::Buffer::new(out), excel, kinds: Vec::new(), field: String::new() }
    }

    fn separator(&self) -> u8 {
        if self.excel { b';' } else { b',' }
    }

    /// Writes the fields already formatted, quoted where needed, and the line end.
    fn write_record<'a>(&mut self, fields: impl Iterator<Item = &'a str>) -> io::Result<()> {
        let separator = self.separator();
        for (index, field) in fields.enumerate() {
            if index > 0 {
                self.out.write_all(&[separator])?;
            }
            write_field(&mut self.out, field, separator)?;
        }
        self.out.write_all(b"\r\n")
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

    /// Writes one text cell, with the Excel formula guard, quoted where needed.
    fn write_text(&mut self, text: &str) -> io::Result<()> {
        let separator = self.separator();
        if self.excel && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            self.field.clear();
            self.field.push('\'');
            self.field.push_str(text);
            return write_field(&mut self.out, &self.field, separator);
        }
        write_field(&mut self.out, text, separator)
    }
}

fn write_field(out: &mut impl Write, field: &str, separator: u8) -> io::Result<()> {
    let needs_quotes = field.bytes().any(|byte| matches!(byte, b'"' | b'\r' | b'\n') || byte == separator);
    if !needs_quotes {
        return out.write_all(field.as_bytes());
    }
    out.write_all(b"\"")?;
    for (index, part) in field.split('"').enumerate() {
        if index > 0 {
            out.write_all(b"\"\"")?;
        }
        out.write_all(part.as_bytes())?;
    }
    out.write_all(b"\"")
}

impl<W: Write> RecordSink for CsvSink<W> {
    fn begin(&mut self, columns: &[Column]) -> io::Result<()> {
        self.kinds = columns.iter().map(|column| column.kind).collect();
        if self.excel {
            self.out.write_all("\u{feff}".as_bytes())?;
        }
        self.write_record(columns.iter().map(|column| column.key))
    }

    fn row(&mut self, cells: &[Cell], _style: Style) -> io::Result<()> {
        assert_eq!(cells.len(), self.kinds.len(), "one cell per column");
        let separator = self.separator();
        for (index, cell) in cells.iter().enumerate() {
            if index > 0 {
                self.out.write_all(&[separator])?;
            }
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => self.write_text(text)?,
                _ => {
                    self.format(self.kinds[index], cell);
                    self.out.write_all(self.field.as_bytes())?;
                }
            }
        }
        self.out.write_all(b"\r\n")
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}
