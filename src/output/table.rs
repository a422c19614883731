//! Tables for people: French formatting, numbers right-aligned, a rule before the totals row,
//! cells wrapped to the terminal's width. Rows are kept until `finish` because column widths
//! depend on every row.
//!
//! Empty cells are blank. Without colour no escape sequence is ever written; with colour,
//! highlighted rows are red, the totals row and section titles bold. Control characters in
//! text (which would let data drive the terminal) are shown as `�`; tabs become spaces, CR is
//! dropped so that Windows line ends in Batigest notes wrap cleanly.

use std::borrow::Cow;
use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL;
use comfy_table::{Attribute, CellAlignment, Color, ColumnConstraint, ContentArrangement, Row, Table, Width};

use super::{Cell, Column, Kind, RecordSink, Style, format};

/// The text of a cell in a table.
fn display(kind: Kind, cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(text) => printable(text),
        Cell::Date(date) => format::date_fr(*date).into(),
        Cell::DateTime(date_time) => format::date_time_fr(*date_time).into(),
        Cell::Bool(value) => format::yes_no(*value).into(),
        Cell::Integer(value) if kind.scale().is_none() => value.to_string().into(),
        Cell::Integer(_) | Cell::Decimal(_) => {
            let value = cell.as_decimal().expect("a number");
            match kind {
                Kind::Money => format::money(value),
                Kind::Percent { scale } => format::percent(value, scale),
                Kind::Decimal { scale } => format::decimal_fr(value, scale),
                _ => format::decimal_fr(value, value.scale()),
            }
            .into()
        }
    }
}

fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(text);
    }
    text.chars()
        .filter(|&c| c != '\r')
        .map(|c| match c {
            '\t' => ' ',
            '\n' => '\n',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Text columns are not squeezed below this many characters on a narrow terminal.
const TEXT_MIN_WIDTH: usize = 10;

struct Block {
    title: Option<String>,
    columns: Vec<Column>,
    rows: Vec<(Vec<String>, Style)>,
    totals: Option<Vec<String>>,
}

impl Block {
    fn new(title: Option<String>, columns: &[Column]) -> Self {
        Self { title, columns: columns.to_vec(), rows: Vec::new(), totals: None }
    }

    /// Every text shown in column `index`, below its header.
    fn texts_of(&self, index: usize) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|(texts, _)| texts).chain(&self.totals).map(move |texts| texts[index].as_str())
    }

    /// The width below which each column must not shrink on a terminal this wide, if any.
    ///
    /// Numbers, dates and header words never break: only text columns give way to a narrow
    /// terminal. They are left to comfy-table while each can keep at least [`TEXT_MIN_WIDTH`]
    /// characters (a lower bound would pin them to it even when there is room); on a terminal
    /// narrower than that, they keep that minimum and the table overflows rather than
    /// stacking letters. Widths are counted in chars: French text, digits, NBSP, `€` and `%`
    /// take one terminal column each.
    fn least_widths(&self, terminal_width: u16) -> Vec<Option<usize>> {
        let widest: Vec<usize> = (0..self.columns.len())
            .map(|index| {
                self.texts_of(index)
                    .flat_map(str::lines)
                    .map(|line| line.chars().count())
                    .chain(self.columns[index].header.split_whitespace().map(|word| word.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let is_text = |index: usize| self.columns[index].kind == Kind::Text;
        let borders = self.columns.len() + 1;
        let fixed: usize =
            (0..self.columns.len()).filter(|&index| !is_text(index)).map(|index| widest[index] + 2).sum();
        let text_columns = (0..self.columns.len()).filter(|&index| is_text(index)).count();
        let room_for_text = usize::from(terminal_width).saturating_sub(borders + fixed);
        let cramped = room_for_text < text_columns * (TEXT_MIN_WIDTH + 2);
        widest
            .iter()
            .enumerate()
            .map(|(index, &widest)| match (is_text(index), cramped) {
                (false, _) => Some(widest),
                (true, true) => Some(widest.min(TEXT_MIN_WIDTH)),
                (true, false) => None,
            })
            .collect()
    }

    fn texts(&self, cells: &[Cell]) -> Vec<String> {
        assert_eq!(cells.len(), self.columns.len(), "one cell per column");
        self.columns.iter().zip(cells).map(|(column, cell)| display(column.kind, cell).into_owned()).collect()
    }
}

pub(super) struct TableSink<W: Write> {
    out: W,
    color: bool,
    width: Option<u16>,
    blocks: Vec<Block>,
}

impl<W: Write> TableSink<W> {
    pub(super) fn new(out: W, color: bool, width: Option<u16>) -> Self {
        Self { out, color, width, blocks: Vec::new() }
    }

    fn main(&mut self) -> &mut Block {
        self.blocks.first_mut().expect("begin() comes first")
    }

    fn render(&self, block: &Block) -> String {
        let mut table = Table::new();
        table.load_style(UTF8_FULL).force_no_tty();
        if self.color {
            table.enforce_styling();
        }
        table.set_header(block.columns.iter().map(|column| column.header));
        for (texts, style) in &block.rows {
            let red = self.color && style.highlight;
            table.add_row(Row::from(texts.iter().map(|text| {
                let cell = comfy_table::Cell::new(text);
                if red { cell.fg(Color::Red) } else { cell }
            })));
        }
        if let Some(texts) = &block.totals {
            table.add_row(Row::from(texts.iter().map(|text| {
                let cell = comfy_table::Cell::new(text);
                if self.color { cell.add_attribute(Attribute::Bold) } else { cell }
            })));
        }
        for (index, column) in block.columns.iter().enumerate() {
            if column.kind.is_numeric() {
                table.column_mut(index).expect("a column per header").set_cell_alignment(CellAlignment::Right);
            }
        }
        match self.width {
            Some(width) => {
                table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
                for (index, least) in block.least_widths(width).into_iter().enumerate() {
                    if let Some(least) = least {
                        let padded = u16::try_from(least + 2).unwrap_or(u16::MAX);
                        table
                            .column_mut(index)
                            .expect("a column per header")
                            .set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(padded)));
                    }
                }
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }

        // The style rules every row off; only the rule above the totals is wanted, and it is
        // the last one. Rules are the only lines that start with the style's left tee.
        let lines: Vec<String> = table.lines().collect();
        let last_rule =
            if block.totals.is_some() { lines.iter().rposition(|line| line.starts_with('├')) } else { None };
        let mut text = String::new();
        for (index, line) in lines.iter().enumerate() {
            if line.starts_with('├') && Some(index) != last_rule {
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

impl<W: Write> RecordSink for TableSink<W> {
    fn begin(&mut self, columns: &[Column]) -> io::Result<()> {
        assert!(self.blocks.is_empty(), "begin() is called once");
        self.blocks.push(Block::new(None, columns));
        Ok(())
    }

    fn row(&mut self, cells: &[Cell], style: Style) -> io::Result<()> {
        let texts = self.main().texts(cells);
        self.main().rows.push((texts, style));
        Ok(())
    }

    fn totals(&mut self, cells: &[Cell]) -> io::Result<()> {
        let texts = self.main().texts(cells);
        self.main().totals = Some(texts);
        Ok(())
    }

    fn section(&mut self, _key: &str, title: &str, columns: &[Column], rows: Vec<Vec<Cell>>) -> io::Result<()> {
        let mut block = Block::new(Some(title.to_owned()), columns);
        block.rows = rows.iter().map(|cells| (block.texts(cells), Style::default())).collect();
        self.blocks.push(block);
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        let mut text = String::new();
        for (index, block) in self.blocks.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            if let Some(title) = &block.title {
                let title = printable(title);
                if self.color {
                    text.push_str("\x1b[1m");
                    text.push_str(&title);
                    text.push_str("\x1b[0m");
                } else {
                    text.push_str(&title);
                }
                text.push('\n');
            }
            // An empty section is one line, not a table frame with nothing in it.
            if block.title.is_some() && block.rows.is_empty() {
                text.push_str("  (aucun)\n");
                continue;
            }
            text.push_str(&self.render(block));
        }
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}
