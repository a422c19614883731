//! Tables for people: French formatting, numbers right-aligned, a rule before the totals row,
//! fitted to the terminal's width (text wrapped, columns that cannot fit left out and named
//! below the table); plain, at their natural width, when stdout is not a terminal. Rows are kept
//! until `finish` because column widths depend on every row.
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

/// Columns left out first on a narrow terminal, in this order (by key): details a reader can do
/// without at a glance — who handled it, a second date, a second amount, a second reference.
const LEFT_OUT_FIRST: &[&str] =
    &["responsable", "date_validation", "reference_affaire", "montant_ttc", "date_creation", "date_echeance"];

/// How a block's columns fit a terminal: which are shown, and the width below which each shown
/// column must not shrink.
struct Fit {
    shown: Vec<usize>,
    /// One per shown column; `None` leaves the column to comfy-table.
    least: Vec<Option<usize>>,
}

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

    /// Fits the block to a terminal `terminal_width` columns wide.
    ///
    /// The first column (what identifies a row: a devis number, a family) and every number,
    /// date and header word never break. Text columns give way to a narrow terminal: they are
    /// left to comfy-table while each can keep at least [`TEXT_MIN_WIDTH`] characters, and kept
    /// at that minimum below (a lower bound would pin them to it even when there is room). When
    /// even that does not fit, columns are left out until it does: those of [`LEFT_OUT_FIRST`],
    /// then text and dates from the right, then numbers from the right; the first column always
    /// stays. Widths are
    /// counted in chars: French text, digits, NBSP, `€` and `%` take one terminal column each.
    fn fit(&self, terminal_width: u16) -> Fit {
        let count = self.columns.len();
        let widest: Vec<usize> = (0..count)
            .map(|index| {
                self.texts_of(index)
                    .flat_map(str::lines)
                    .map(|line| line.chars().count())
                    .chain(self.columns[index].header.split_whitespace().map(|word| word.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let breakable = |index: usize| index > 0 && self.columns[index].kind == Kind::Text;
        let least = |index: usize| if breakable(index) { widest[index].min(TEXT_MIN_WIDTH) } else { widest[index] };
        // Each column takes its padding (2) and the rule on its left (1); the last rule closes.
        let needed = |shown: &[usize]| shown.iter().map(|&index| least(index) + 3).sum::<usize>() + 1;
        let mut shown: Vec<usize> = (0..count).collect();
        let listed = |index: usize| LEFT_OUT_FIRST.contains(&self.columns[index].key);
        let mut dropping = LEFT_OUT_FIRST
            .iter()
            .filter_map(|key| (1..count).find(|&index| self.columns[index].key == *key))
            .chain((1..count).rev().filter(|&index| !listed(index) && !self.columns[index].kind.is_numeric()))
            .chain((1..count).rev().filter(|&index| !listed(index) && self.columns[index].kind.is_numeric()));
        while needed(&shown) > usize::from(terminal_width) {
            let Some(index) = dropping.next() else { break };
            shown.retain(|&kept| kept != index);
        }
        let text_columns = shown.iter().filter(|&&index| breakable(index)).count();
        let fixed: usize = shown.iter().filter(|&&index| !breakable(index)).map(|&index| widest[index] + 3).sum();
        let room_for_text = usize::from(terminal_width).saturating_sub(fixed + 1);
        let cramped = room_for_text < text_columns * (TEXT_MIN_WIDTH + 3);
        let least = shown
            .iter()
            .map(|&index| match (breakable(index), cramped) {
                (false, _) => Some(widest[index]),
                (true, true) => Some(least(index)),
                (true, false) => None,
            })
            .collect();
        Fit { shown, least }
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
        let fit = match self.width {
            Some(width) => block.fit(width),
            None => Fit { shown: (0..block.columns.len()).collect(), least: vec![None; block.columns.len()] },
        };
        let pick = |texts: &[String]| -> Vec<comfy_table::Cell> {
            fit.shown.iter().map(|&index| comfy_table::Cell::new(&texts[index])).collect()
        };
        let mut table = Table::new();
        table.load_style(UTF8_FULL).force_no_tty();
        if self.color {
            table.enforce_styling();
        }
        table.set_header(fit.shown.iter().map(|&index| block.columns[index].header));
        for (texts, style) in &block.rows {
            let red = self.color && style.highlight;
            table.add_row(Row::from(pick(texts).into_iter().map(|cell| if red { cell.fg(Color::Red) } else { cell })));
        }
        if let Some(texts) = &block.totals {
            table.add_row(Row::from(
                pick(texts).into_iter().map(|cell| if self.color { cell.add_attribute(Attribute::Bold) } else { cell }),
            ));
        }
        for (position, &index) in fit.shown.iter().enumerate() {
            let column = table.column_mut(position).expect("a column per header");
            if block.columns[index].kind.is_numeric() {
                column.set_cell_alignment(CellAlignment::Right);
            }
            if let Some(least) = fit.least[position] {
                let padded = u16::try_from(least + 2).unwrap_or(u16::MAX);
                column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(padded)));
            }
        }
        match self.width {
            Some(width) => {
                table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
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
        if fit.shown.len() < block.columns.len() {
            let hidden: Vec<&str> = (0..block.columns.len())
                .filter(|index| !fit.shown.contains(index))
                .map(|index| block.columns[index].header)
                .collect();
            let note =
                format!("Colonnes masquées faute de place : {} (--format csv les donne toutes)", hidden.join(", "));
            text.push_str(&wrap(&note, self.width.map_or(usize::MAX, usize::from)));
        }
        text
    }
}

/// `text` in lines of at most `width` chars, broken at spaces (a longer word stays whole).
fn wrap(text: &str, width: usize) -> String {
    let mut lines = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push_str(&line);
            lines.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push_str(&line);
    lines.push('\n');
    lines
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
