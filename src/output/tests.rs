use std::cell::Cell as Shared;
use std::io::{self, Write};
use std::rc::Rc;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;

const COLUMNS: [Column; 9] = [
    Column { key: "numero_devis", header: "N° devis", kind: Kind::Text },
    Column { key: "client", header: "Client", kind: Kind::Text },
    Column { key: "montant_ht", header: "Montant HT", kind: Kind::Money },
    Column { key: "coefficient", header: "Coef.", kind: Kind::Decimal { scale: 4 } },
    Column { key: "taux_marge", header: "Marge", kind: Kind::Percent { scale: 2 } },
    Column { key: "jours_retard", header: "Retard", kind: Kind::Integer },
    Column { key: "date_devis", header: "Date", kind: Kind::Date },
    Column { key: "modifie_le", header: "Modifié le", kind: Kind::DateTime },
    Column { key: "signe", header: "Signé", kind: Kind::Bool },
];

const BUCKETS: [Column; 2] = [
    Column { key: "tranche", header: "Tranche", kind: Kind::Text },
    Column { key: "montant_ttc", header: "Montant TTC", kind: Kind::Money },
];

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn rows() -> Vec<(Vec<Cell>, Style)> {
    let date = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
    vec![
        (
            vec![
                "D24-001".into(),
                "Société Générale du Bâtiment".into(),
                dec("12345.675").into(),
                dec("1.5").into(),
                dec("42.857").into(),
                12.into(),
                date.into(),
                date.and_hms_milli_opt(10, 15, 30, 500).unwrap().into(),
                true.into(),
            ],
            Style::default(),
        ),
        (
            vec![
                "D24-002".into(),
                "Dupont, \"Fils\"\net Cie".into(),
                dec("-1234.5").into(),
                Cell::Empty,
                Cell::from(None::<Decimal>),
                (-3).into(),
                Cell::Empty,
                Cell::Empty,
                false.into(),
            ],
            Style { highlight: true },
        ),
    ]
}

fn totals() -> Vec<Cell> {
    vec![
        "Total".into(),
        Cell::Empty,
        dec("11111.175").into(),
        Cell::Empty,
        Cell::Empty,
        9.into(),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]
}

fn buckets() -> Vec<Vec<Cell>> {
    vec![vec!["0 à 30 jours".into(), dec("100").into()], vec!["plus de 90 jours".into(), dec("50.5").into()]]
}

fn options(format: Format) -> Options {
    Options { format, excel: false, color: false, terminal_width: None }
}

/// Runs the whole call sequence, totals and a section included, and returns the bytes.
fn render(options: Options) -> String {
    let mut out = Vec::new();
    let mut sink = sink(options, "devis", &mut out);
    sink.begin(&COLUMNS).unwrap();
    for (cells, style) in rows() {
        sink.row(&cells, style).unwrap();
    }
    sink.totals(&totals()).unwrap();
    sink.section("anciennete", "Ancienneté des créances", &BUCKETS, buckets()).unwrap();
    sink.finish().unwrap();
    String::from_utf8(out).unwrap()
}

/// Table expectations show the no-break space U+00A0 as `·` so that columns line up here too.
fn nbsp(text: &str) -> String {
    text.replace('·', "\u{a0}")
}

#[test]
fn table_is_french_with_totals_and_sections_and_no_escape_without_colour() {
    let text = render(options(Format::Table));
    assert!(!text.contains('\x1b'));
    assert_eq!(
        text,
        nbsp("\
┌──────────┬──────────────────────────────┬─────────────┬────────┬─────────┬────────┬────────────┬──────────────────┬───────┐
│ N° devis ┆ Client                       ┆  Montant HT ┆  Coef. ┆   Marge ┆ Retard ┆ Date       ┆ Modifié le       ┆ Signé │
╞══════════╪══════════════════════════════╪═════════════╪════════╪═════════╪════════╪════════════╪══════════════════╪═══════╡
│ D24-001  ┆ Société Générale du Bâtiment ┆ 12·345,68·€ ┆ 1,5000 ┆ 42,86·% ┆     12 ┆ 31/01/2024 ┆ 31/01/2024 10:15 ┆ oui   │
│ D24-002  ┆ Dupont, \"Fils\"               ┆ -1·234,50·€ ┆        ┆         ┆     -3 ┆            ┆                  ┆ non   │
│          ┆ et Cie                       ┆             ┆        ┆         ┆        ┆            ┆                  ┆       │
├╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌┤
│ Total    ┆                              ┆ 11·111,18·€ ┆        ┆         ┆      9 ┆            ┆                  ┆       │
└──────────┴──────────────────────────────┴─────────────┴────────┴─────────┴────────┴────────────┴──────────────────┴───────┘

Ancienneté des créances
┌──────────────────┬─────────────┐
│ Tranche          ┆ Montant TTC │
╞══════════════════╪═════════════╡
│ 0 à 30 jours     ┆    100,00·€ │
│ plus de 90 jours ┆     50,50·€ │
└──────────────────┴─────────────┘
")
    );
}

#[test]
fn table_colours_highlighted_rows_red_and_totals_bold() {
    let text = render(Options { color: true, ..options(Format::Table) });
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines[3].contains('\x1b'), "a plain row stays plain");
    assert_eq!(
        lines[4],
        nbsp(
            "│\x1b[38;5;9m D24-002  \x1b[39m┆\x1b[38;5;9m Dupont, \"Fils\"               \x1b[39m┆\
             \x1b[38;5;9m -1·234,50·€ \x1b[39m┆\x1b[38;5;9m        \x1b[39m┆\x1b[38;5;9m         \x1b[39m┆\
             \x1b[38;5;9m     -3 \x1b[39m┆\x1b[38;5;9m            \x1b[39m┆\x1b[38;5;9m                  \x1b[39m┆\
             \x1b[38;5;9m non   \x1b[39m│"
        )
    );
    assert_eq!(
        lines[7],
        nbsp(
            "│\x1b[1m Total    \x1b[0m┆\x1b[1m                              \x1b[0m┆\x1b[1m 11·111,18·€ \x1b[0m┆\
             \x1b[1m        \x1b[0m┆\x1b[1m         \x1b[0m┆\x1b[1m      9 \x1b[0m┆\x1b[1m            \x1b[0m┆\
             \x1b[1m                  \x1b[0m┆\x1b[1m       \x1b[0m│"
        )
    );
    assert_eq!(lines[10], "\x1b[1mAncienneté des créances\x1b[0m");
    // Colour changes nothing else.
    let plain = render(options(Format::Table));
    assert_eq!(text.lines().count(), plain.lines().count());
    assert_eq!(lines[0], plain.lines().next().unwrap());
}

#[test]
fn table_fits_the_terminal_wrapping_text_never_numbers_and_leaving_out_what_cannot_fit() {
    let text = render(Options { terminal_width: Some(110), ..options(Format::Table) });
    let main = text.split("\n\n").next().unwrap();
    assert!(main.lines().all(|line| line.chars().count() <= 110), "{text}");
    assert_eq!(
        main,
        nbsp(
            "\
┌──────────┬───────────────┬─────────────┬────────┬─────────┬────────┬────────────┬──────────────────┬───────┐
│ N° devis ┆ Client        ┆  Montant HT ┆  Coef. ┆   Marge ┆ Retard ┆ Date       ┆ Modifié le       ┆ Signé │
╞══════════╪═══════════════╪═════════════╪════════╪═════════╪════════╪════════════╪══════════════════╪═══════╡
│ D24-001  ┆ Société       ┆ 12·345,68·€ ┆ 1,5000 ┆ 42,86·% ┆     12 ┆ 31/01/2024 ┆ 31/01/2024 10:15 ┆ oui   │
│          ┆ Générale du   ┆             ┆        ┆         ┆        ┆            ┆                  ┆       │
│          ┆ Bâtiment      ┆             ┆        ┆         ┆        ┆            ┆                  ┆       │
│ D24-002  ┆ Dupont,       ┆ -1·234,50·€ ┆        ┆         ┆     -3 ┆            ┆                  ┆ non   │
│          ┆ \"Fils\"        ┆             ┆        ┆         ┆        ┆            ┆                  ┆       │
│          ┆ et Cie        ┆             ┆        ┆         ┆        ┆            ┆                  ┆       │
├╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌┼╌╌╌╌╌╌╌┤
│ Total    ┆               ┆ 11·111,18·€ ┆        ┆         ┆      9 ┆            ┆                  ┆       │
└──────────┴───────────────┴─────────────┴────────┴─────────┴────────┴────────────┴──────────────────┴───────┘"
        )
    );

    // Narrower than every number and date need: text and dates are left out from the right,
    // then text further left, and the table says so; the first column always stays whole.
    let text = render(Options { terminal_width: Some(60), ..options(Format::Table) });
    assert!(text.lines().all(|line| line.chars().count() <= 60), "{text}");
    assert!(text.contains("│ D24-001  ┆ 12\u{a0}345,68\u{a0}€ ┆ 1,5000 ┆ 42,86\u{a0}% ┆     12 │"), "{text}");
    assert!(
        text.contains(
            "Colonnes masquées faute de place : Client, Date, Modifié le,\nSigné (--format csv les donne toutes)\n"
        ),
        "{text}"
    );
}

#[test]
fn table_without_rows_keeps_its_header_and_shows_control_characters_harmlessly() {
    let columns = [Column { key: "note", header: "Note", kind: Kind::Text }];
    let mut out = Vec::new();
    let table = sink(options(Format::Table), "notes", &mut out);
    table.finish_after(&columns, &[]);
    assert_eq!(String::from_utf8(out).unwrap(), "┌──────┐\n│ Note │\n╞══════╡\n└──────┘\n");

    let mut out = Vec::new();
    let table = sink(options(Format::Table), "notes", &mut out);
    table.finish_after(&columns, &[vec!["a\tb\x1b[31m\r\nc".into()]]);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "┌──────────┐\n│ Note     │\n╞══════════╡\n│ a b\u{fffd}[31m │\n│ c        │\n└──────────┘\n"
    );
}

/// Test shorthand: the whole sequence for rows without totals or sections.
trait FinishAfter {
    fn finish_after(self, columns: &[Column], rows: &[Vec<Cell>]);
}

impl FinishAfter for Box<dyn RecordSink + '_> {
    fn finish_after(mut self, columns: &[Column], rows: &[Vec<Cell>]) {
        self.begin(columns).unwrap();
        for cells in rows {
            self.row(cells, Style::default()).unwrap();
        }
        self.finish().unwrap();
    }
}

#[test]
fn csv_is_rfc_4180_with_crlf_and_keeps_only_the_records() {
    assert_eq!(
        render(options(Format::Csv)),
        "numero_devis,client,montant_ht,coefficient,taux_marge,jours_retard,date_devis,modifie_le,signe\r\n\
         D24-001,Société Générale du Bâtiment,12345.68,1.5000,42.86,12,2024-01-31,2024-01-31T10:15:30,true\r\n\
         D24-002,\"Dupont, \"\"Fils\"\"\net Cie\",-1234.50,,,-3,,,false\r\n"
    );
}

#[test]
fn excel_csv_has_a_bom_semicolons_and_french_values() {
    let text = render(Options { excel: true, ..options(Format::Csv) });
    assert!(text.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]));
    assert_eq!(
        text,
        "\u{feff}numero_devis;client;montant_ht;coefficient;taux_marge;jours_retard;date_devis;modifie_le;signe\r\n\
         D24-001;Société Générale du Bâtiment;12345,68;1,5000;42,86;12;31/01/2024;31/01/2024 10:15;VRAI\r\n\
         D24-002;\"Dupont, \"\"Fils\"\"\net Cie\";-1234,50;;;-3;;;FAUX\r\n"
    );
}

#[test]
fn excel_csv_neutralises_formulas_in_text_only() {
    let columns = [
        Column { key: "texte", header: "Texte", kind: Kind::Text },
        Column { key: "montant", header: "Montant", kind: Kind::Money },
    ];
    let texts = ["=SOMME(A1:A9)", "+33 1 23 45 67 89", "-remise", "@cmd", "\tx", "\rx", "a=b", "réf; 2"];
    let rows: Vec<Vec<Cell>> = texts.iter().map(|text| vec![(*text).into(), dec("-5").into()]).collect();

    let mut out = Vec::new();
    sink(Options { excel: true, ..options(Format::Csv) }, "lignes", &mut out).finish_after(&columns, &rows);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "\u{feff}texte;montant\r\n\
         '=SOMME(A1:A9);-5,00\r\n\
         '+33 1 23 45 67 89;-5,00\r\n\
         '-remise;-5,00\r\n\
         '@cmd;-5,00\r\n\
         '\tx;-5,00\r\n\
         \"'\rx\";-5,00\r\n\
         a=b;-5,00\r\n\
         \"réf; 2\";-5,00\r\n"
    );

    let mut out = Vec::new();
    sink(options(Format::Csv), "lignes", &mut out).finish_after(&columns, &rows[..1]);
    assert_eq!(String::from_utf8(out).unwrap(), "texte,montant\r\n=SOMME(A1:A9),-5.00\r\n", "plain CSV is data");
}

#[test]
fn json_is_one_pretty_document_with_exact_decimals_and_sections() {
    let text = render(options(Format::Json));
    assert_eq!(
        text,
        r#"{
  "devis": [
    {
      "numero_devis": "D24-001",
      "client": "Société Générale du Bâtiment",
      "montant_ht": 12345.68,
      "coefficient": 1.5000,
      "taux_marge": 42.86,
      "jours_retard": 12,
      "date_devis": "2024-01-31",
      "modifie_le": "2024-01-31T10:15:30",
      "signe": true
    },
    {
      "numero_devis": "D24-002",
      "client": "Dupont, \"Fils\"\net Cie",
      "montant_ht": -1234.50,
      "coefficient": null,
      "taux_marge": null,
      "jours_retard": -3,
      "date_devis": null,
      "modifie_le": null,
      "signe": false
    }
  ],
  "anciennete": [
    {
      "tranche": "0 à 30 jours",
      "montant_ttc": 100.00
    },
    {
      "tranche": "plus de 90 jours",
      "montant_ttc": 50.50
    }
  ]
}
"#
    );
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["devis"][1]["client"], "Dupont, \"Fils\"\net Cie");
}

#[test]
fn json_numbers_keep_every_digit() {
    let columns = [
        Column { key: "montant", header: "Montant", kind: Kind::Money },
        Column { key: "taux", header: "Taux", kind: Kind::Decimal { scale: 2 } },
        Column { key: "brut", header: "Brut", kind: Kind::Integer },
    ];
    let rows = vec![
        vec![dec("12345678.905").into(), dec("0.1").into(), dec("7.125").into()],
        vec![dec("98765432109876543.21").into(), 3.into(), 9_007_199_254_740_993_i64.into()],
    ];
    let mut out = Vec::new();
    sink(options(Format::Ndjson), "valeurs", &mut out).finish_after(&columns, &rows);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"montant\":12345678.91,\"taux\":0.10,\"brut\":7.125}\n\
         {\"montant\":98765432109876543.21,\"taux\":3.00,\"brut\":9007199254740993}\n"
    );
}

#[test]
fn json_without_records_or_sections_is_still_a_document() {
    let mut out = Vec::new();
    sink(options(Format::Json), "factures", &mut out).finish_after(&COLUMNS, &[]);
    assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"factures\": []\n}\n");

    let mut out = Vec::new();
    let mut only_sections = sink(options(Format::Json), "factures", &mut out);
    only_sections.begin(&COLUMNS).unwrap();
    only_sections.section("anciennete", "Ancienneté", &BUCKETS, Vec::new()).unwrap();
    only_sections.section("resume", "Résumé", &BUCKETS, buckets()[..1].to_vec()).unwrap();
    only_sections.finish().unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\n  \"factures\": [],\n  \"anciennete\": [],\n  \"resume\": [\n    {\n      \"tranche\": \"0 à 30 jours\",\n      \"montant_ttc\": 100.00\n    }\n  ]\n}\n"
    );
}

#[test]
fn ndjson_is_one_compact_object_per_record() {
    let text = render(options(Format::Ndjson));
    assert_eq!(
        text,
        "{\"numero_devis\":\"D24-001\",\"client\":\"Société Générale du Bâtiment\",\"montant_ht\":12345.68,\
         \"coefficient\":1.5000,\"taux_marge\":42.86,\"jours_retard\":12,\"date_devis\":\"2024-01-31\",\
         \"modifie_le\":\"2024-01-31T10:15:30\",\"signe\":true}\n\
         {\"numero_devis\":\"D24-002\",\"client\":\"Dupont, \\\"Fils\\\"\\net Cie\",\"montant_ht\":-1234.50,\
         \"coefficient\":null,\"taux_marge\":null,\"jours_retard\":-3,\"date_devis\":null,\"modifie_le\":null,\
         \"signe\":false}\n"
    );
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

/// Counts what reaches the underlying writer, readable while the sink holds the writer.
struct Counting(Rc<Shared<u64>>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.set(self.0.get() + buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn csv_and_ndjson_stream_rows_as_they_come() {
    const ROWS: u64 = 100_000;
    // Whatever the sink keeps back must stay under its write buffer (64 KiB for CSV, which
    // exports millions of rows; 8 KiB for NDJSON), row after row.
    const BUFFER: u64 = 64 * 1024;
    let columns = [
        Column { key: "n", header: "N", kind: Kind::Integer },
        Column { key: "montant", header: "Montant", kind: Kind::Money },
    ];
    for (format, header, row) in [
        (Format::Csv, "n,montant\r\n", "1234567,12.30\r\n"),
        (Format::Ndjson, "", "{\"n\":1234567,\"montant\":12.30}\n"),
    ] {
        let written = Rc::new(Shared::new(0));
        let mut sink = sink(options(format), "lignes", Counting(Rc::clone(&written)));
        sink.begin(&columns).unwrap();
        let cells = [Cell::Integer(1_234_567), Cell::Decimal(dec("12.3"))];
        for produced in 1..=ROWS {
            sink.row(&cells, Style::default()).unwrap();
            let expected = header.len() as u64 + produced * row.len() as u64;
            assert!(
                expected - written.get() <= BUFFER,
                "{format:?}: {} bytes held after row {produced}",
                expected - written.get()
            );
        }
        sink.finish().unwrap();
        assert_eq!(written.get(), header.len() as u64 + ROWS * row.len() as u64);
    }
}

/// `--watch` reads a stream that never ends: `flush` hands every row so far to the output.
#[test]
fn csv_and_ndjson_hand_their_rows_over_on_flush() {
    let columns = [Column { key: "n", header: "N", kind: Kind::Integer }];
    for (format, expected) in [(Format::Csv, "n\r\n1\r\n2\r\n".len()), (Format::Ndjson, "{\"n\":1}\n{\"n\":2}\n".len())]
    {
        let written = Rc::new(Shared::new(0));
        let mut sink = sink(options(format), "lignes", Counting(Rc::clone(&written)));
        sink.begin(&columns).unwrap();
        sink.row(&[Cell::Integer(1)], Style::default()).unwrap();
        sink.row(&[Cell::Integer(2)], Style::default()).unwrap();
        assert_eq!(written.get(), 0, "{format:?}: held until flushed");
        sink.flush().unwrap();
        assert_eq!(written.get(), expected as u64, "{format:?}");
        sink.finish().unwrap();
        assert_eq!(written.get(), expected as u64, "{format:?}: nothing more at the end");
    }
}

#[test]
fn json_streams_its_records_too() {
    let written = Rc::new(Shared::new(0));
    let mut sink = sink(options(Format::Json), "lignes", Counting(Rc::clone(&written)));
    sink.begin(&BUCKETS).unwrap();
    let cells = [Cell::from("tranche"), Cell::Decimal(dec("1"))];
    let mut before_finish = 0;
    for _ in 0..10_000 {
        sink.row(&cells, Style::default()).unwrap();
        before_finish = written.get();
    }
    assert!(before_finish > 400_000, "only {before_finish} bytes written before finish");
    sink.finish().unwrap();
}

/// A pipe whose reader has gone (`| head`).
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_closed_pipe_is_reported_as_such() {
    for format in [Format::Table, Format::Csv, Format::Json, Format::Ndjson] {
        let mut sink = sink(options(format), "devis", ClosedPipe);
        let mut result = sink.begin(&COLUMNS);
        for (cells, style) in rows().into_iter().cycle().take(1000) {
            result = result.and_then(|()| sink.row(&cells, style));
        }
        let result = result.and_then(|()| sink.finish());
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe, "{format:?}");
    }
}
