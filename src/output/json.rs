//! JSON (one pretty document) and NDJSON (one compact object per line), both streamed.
//!
//! The JSON is written here rather than through `serde_json::Value`, for two reasons: decimals
//! are JSON numbers with their exact text (`12345678.91`, `0.10`: money at 2 decimals, other
//! decimals at their column's scale), which an `f64` would not keep; and the main records are
//! written as they arrive, so memory stays flat however many there are. serde_json still escapes
//! every string. Dates are ISO strings (`"2024-01-31"`, `"2024-01-31T10:15:30"`), NULL is `null`.
//!
//! The document is `{"<main key>": [records…], "<section key>": [records…], …}`, indented by two
//! spaces like `serde_json::to_string_pretty`, ending with a newline.

use std::io::{self, BufWriter, Write};

use super::{Cell, Column, Kind, RecordSink, Style, format};

fn write_string(out: &mut impl Write, text: &str) -> io::Result<()> {
    serde_json::to_writer(out, text).map_err(io::Error::from)
}

fn write_value(out: &mut impl Write, kind: Kind, cell: &Cell) -> io::Result<()> {
    match cell {
        Cell::Empty => out.write_all(b"null"),
        Cell::Text(text) => write_string(out, text),
        Cell::Date(date) => write!(out, "\"{}\"", format::date_iso(*date)),
        Cell::DateTime(date_time) => write!(out, "\"{}\"", format::date_time_iso(*date_time)),
        Cell::Bool(value) => write!(out, "{value}"),
        Cell::Integer(value) if kind.scale().is_none() => write!(out, "{value}"),
        Cell::Integer(_) | Cell::Decimal(_) => {
            let value = cell.as_decimal().expect("a number");
            out.write_all(format::plain(value, kind.scale().unwrap_or(value.scale())).as_bytes())
        }
    }
}

/// One record as a pretty object, its braces at `indent` spaces and its members two deeper.
fn write_pretty_object(out: &mut impl Write, columns: &[Column], cells: &[Cell], indent: &str) -> io::Result<()> {
    assert_eq!(cells.len(), columns.len(), "one cell per column");
    if columns.is_empty() {
        return write!(out, "{indent}{{}}");
    }
    write!(out, "{indent}{{")?;
    for (index, (column, cell)) in columns.iter().zip(cells).enumerate() {
        out.write_all(if index > 0 { b",\n" } else { b"\n" })?;
        write!(out, "{indent}  ")?;
        write_string(out, column.key)?;
        out.write_all(b": ")?;
        write_value(out, column.kind, cell)?;
    }
    write!(out, "\n{indent}}}")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Nothing written yet.
    Start,
    /// Inside the main array, after this many records.
    Main(usize),
    /// The main array is closed; sections may follow.
    Sections,
}

pub(super) struct JsonSink<W: Write> {
    out: BufWriter<W>,
    main_key: &'static str,
    columns: Vec<Column>,
    stage: Stage,
}

impl<W: Write> JsonSink<W> {
    pub(super) fn new(out: W, main_key: &'static str) -> Self {
        Self { out: BufWriter::new(out), main_key, columns: Vec::new(), stage: Stage::Start }
    }

    fn close_main(&mut self) -> io::Result<()> {
        match self.stage {
            Stage::Start => panic!("begin() comes first"),
            Stage::Main(0) => self.out.write_all(b"]")?,
            Stage::Main(_) => self.out.write_all(b"\n  ]")?,
            Stage::Sections => {}
        }
        self.stage = Stage::Sections;
        Ok(())
    }
}

impl<W: Write> RecordSink for JsonSink<W> {
    fn begin(&mut self, columns: &[Column]) -> io::Result<()> {
        assert!(self.stage == Stage::Start, "begin() is called once");
        self.columns = columns.to_vec();
        self.out.write_all(b"{\n  ")?;
        write_string(&mut self.out, self.main_key)?;
        self.out.write_all(b": [")?;
        self.stage = Stage::Main(0);
        Ok(())
    }

    fn row(&mut self, cells: &[Cell], _style: Style) -> io::Result<()> {
        let Stage::Main(count) = self.stage else { panic!("rows come between begin() and the sections") };
        self.out.write_all(if count > 0 { b",\n" } else { b"\n" })?;
        write_pretty_object(&mut self.out, &self.columns, cells, "    ")?;
        self.stage = Stage::Main(count + 1);
        Ok(())
    }

    fn section(&mut self, key: &str, _title: &str, columns: &[Column], rows: Vec<Vec<Cell>>) -> io::Result<()> {
        self.close_main()?;
        self.out.write_all(b",\n  ")?;
        write_string(&mut self.out, key)?;
        self.out.write_all(b": [")?;
        for (index, cells) in rows.iter().enumerate() {
            self.out.write_all(if index > 0 { b",\n" } else { b"\n" })?;
            write_pretty_object(&mut self.out, columns, cells, "    ")?;
        }
        self.out.write_all(if rows.is_empty() { b"]" } else { b"\n  ]" })
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.close_main()?;
        self.out.write_all(b"\n}\n")?;
        self.out.flush()
    }
}

pub(super) struct NdjsonSink<W: Write> {
    out: BufWriter<W>,
    columns: Vec<Column>,
}

impl<W: Write> NdjsonSink<W> {
    pub(super) fn new(out: W) -> Self {
        Self { out: BufWriter::new(out), columns: Vec::new() }
    }
}

impl<W: Write> RecordSink for NdjsonSink<W> {
    fn begin(&mut self, columns: &[Column]) -> io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell], _style: Style) -> io::Result<()> {
        assert_eq!(cells.len(), self.columns.len(), "one cell per column");
        self.out.write_all(b"{")?;
        for (index, (column, cell)) in self.columns.iter().zip(cells).enumerate() {
            if index > 0 {
                self.out.write_all(b",")?;
            }
            write_string(&mut self.out, column.key)?;
            self.out.write_all(b":")?;
            write_value(&mut self.out, column.kind, cell)?;
        }
        self.out.write_all(b"}\n")
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}
