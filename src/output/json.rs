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

use std::io::{self, Write};

use super::{Cell, Column, Kind, RecordSink, Style, format};

fn write_string(out: &mut impl Write, text: &str) -> io::Result<()> {
    serde_json::to_writer(out, text).map_err(io::Error::from)
}

/// The keys of `columns` as JSON strings, escaped once for every record.
fn json_keys(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|column| serde_json::to_string(column.key).expect("a string serialises")).collect()
}

/// Writes one value. `scratch` holds the text of dates and numbers, so that a value costs no
/// allocation.
fn write_value(out: &mut impl Write, scratch: &mut String, kind: Kind, cell: &Cell) -> io::Result<()> {
    scratch.clear();
    match cell {
        Cell::Empty => return out.write_all(b"null"),
        Cell::Text(text) => return write_string(out, text),
        Cell::Bool(value) => return out.write_all(if *value { b"true" } else { b"false" }),
        Cell::Integer(value) if kind.scale().is_none() => return write!(out, "{value}"),
        Cell::Date(date) => {
            scratch.push('"');
            format::push_date_iso(scratch, *date);
            scratch.push('"');
        }
        Cell::DateTime(date_time) => {
            scratch.push('"');
            format::push_date_time_iso(scratch, *date_time);
            scratch.push('"');
        }
        Cell::Integer(_) | Cell::Decimal(_) => {
            let value = cell.as_decimal().expect("a number");
            format::push_plain(scratch, value, kind.scale().unwrap_or(value.scale()), '.');
        }
    }
    out.write_all(scratch.as_bytes())
}

/// One record as a pretty object, its braces at `indent` spaces and its members two deeper.
fn write_pretty_object(
    out: &mut impl Write,
    scratch: &mut String,
    (columns, keys): (&[Column], &[String]),
    cells: &[Cell],
    indent: &str,
) -> io::Result<()> {
    assert_eq!(cells.len(), columns.len(), "one cell per column");
    if columns.is_empty() {
        return write!(out, "{indent}{{}}");
    }
    write!(out, "{indent}{{")?;
    for (index, ((column, key), cell)) in columns.iter().zip(keys).zip(cells).enumerate() {
        out.write_all(if index > 0 { b",\n" } else { b"\n" })?;
        write!(out, "{indent}  {key}: ")?;
        write_value(out, scratch, column.kind, cell)?;
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
    out: super::Buffer<W>,
    main_key: &'static str,
    columns: Vec<Column>,
    keys: Vec<String>,
    scratch: String,
    stage: Stage,
}

impl<W: Write> JsonSink<W> {
    pub(super) fn new(out: W, main_key: &'static str) -> Self {
        Self {
            out: super::Buffer::new(out),
            main_key,
            columns: Vec::new(),
            keys: Vec::new(),
            scratch: String::new(),
            stage: Stage::Start,
        }
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
        self.keys = json_keys(columns);
        self.out.write_all(b"{\n  ")?;
        write_string(&mut self.out, self.main_key)?;
        self.out.write_all(b": [")?;
        self.stage = Stage::Main(0);
        Ok(())
    }

    fn row(&mut self, cells: &[Cell], _style: Style) -> io::Result<()> {
        let Stage::Main(count) = self.stage else { panic!("rows come between begin() and the sections") };
        self.out.write_all(if count > 0 { b",\n" } else { b"\n" })?;
        write_pretty_object(&mut self.out, &mut self.scratch, (&self.columns, &self.keys), cells, "    ")?;
        self.stage = Stage::Main(count + 1);
        Ok(())
    }

    fn section(&mut self, key: &str, _title: &str, columns: &[Column], rows: Vec<Vec<Cell>>) -> io::Result<()> {
        self.close_main()?;
        self.out.write_all(b",\n  ")?;
        write_string(&mut self.out, key)?;
        self.out.write_all(b": [")?;
        let keys = json_keys(columns);
        for (index, cells) in rows.iter().enumerate() {
            self.out.write_all(if index > 0 { b",\n" } else { b"\n" })?;
            write_pretty_object(&mut self.out, &mut self.scratch, (columns, &keys), cells, "    ")?;
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
    out: super::Buffer<W>,
    columns: Vec<Column>,
    keys: Vec<String>,
    scratch: String,
}

impl<W: Write> NdjsonSink<W> {
    pub(super) fn new(out: W) -> Self {
        Self { out: super::Buffer::new(out), columns: Vec::new(), keys: Vec::new(), scratch: String::new() }
    }
}

impl<W: Write> RecordSink for NdjsonSink<W> {
    fn begin(&mut self, columns: &[Column]) -> io::Result<()> {
        self.columns = columns.to_vec();
        self.keys = json_keys(columns);
        Ok(())
    }

    fn row(&mut self, cells: &[Cell], _style: Style) -> io::Result<()> {
        assert_eq!(cells.len(), self.columns.len(), "one cell per column");
        self.out.write_all(b"{")?;
        for (index, ((column, key), cell)) in self.columns.iter().zip(&self.keys).zip(cells).enumerate() {
            if index > 0 {
                self.out.write_all(b",")?;
            }
            self.out.write_all(key.as_bytes())?;
            self.out.write_all(b":")?;
            write_value(&mut self.out, &mut self.scratch, column.kind, cell)?;
        }
        self.out.write_all(b"}\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}
