//! A dossier typed as a 2000s French ERP on SQL Server would type it, from the public facts of
//! DESIGN §3: `datetime` dates (with times), `money` and `numeric(18,4)` amounts, blank-padded
//! `char` codes, `int` rates, mixed-case client codes, integer quote states beside character
//! payment states. Every figure the commands give is checked against plain arithmetic on the rows
//! below, done here — not with the product's functions.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Output;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use crate::common::{Sandbox, csv, d, ok, output_text, stderr};

pub const DATABASE: &str = "BTG_DOS_JLM";

/// A quote of the `Devis` table.
pub struct Quote {
    pub code: &'static str,
    pub created: &'static str,
    pub concretise: Option<&'static str>,
    /// 0 BROUILLON, 4 ENVOYE, 7 VALIDE, 9 REFUSE; concretised quotes (3) are ACCEPTE.
    pub etat: i64,
    pub client: &'static str,
    pub ht: &'static str,
    pub ttc: &'static str,
    pub rate: i64,
}

/// An invoice of the `Facture` table.
pub struct Invoice {
    pub code: &'static str,
    pub devis: Option<&'static str>,
    pub client: &'static str,
    pub date: &'static str,
    pub due: &'static str,
    pub ht: &'static str,
    pub ttc: &'static str,
    /// `NR` not paid, `PR` partly paid, `R` paid, stored in a CHAR(2), in any case.
    pub etat: &'static str,
    pub paid: Option<&'static str>,
}

/// Client `CLI00021` appears as `cli00021` and `Cli00021` in other tables; the first half of 2025
/// ends with invoices on 30 June at midnight and at 17:45.
pub const QUOTES: &[Quote] = &[
    q("00000001", "2025-01-10 09:30:00", Some("2025-01-20 11:00:00"), 3, "cli00021", "12345.67", "14814.8040", 25),
    q("00000002", "2025-02-03 14:00:00", None, 7, "CLI00021", "8000.5", "9600.6", 35),
    q("00000003", "2025-03-31 18:45:00", None, 4, "CLI00022", "1500", "1800", 20),
    q("00000004", "2025-06-30 16:30:00", None, 7, "CLI00022", "2222.22", "2666.664", 30),
    q("00000005", "2025-07-01 08:00:00", Some("2025-07-02 09:00:00"), 3, "CLI00021", "999.99", "1199.988", 25),
    q("00000006", "2025-02-14 10:00:00", None, 0, "CLI00022", "300", "360", 10),
    q("00000007", "2025-05-05 15:10:00", None, 9, "cli00022", "4000", "4800", 15),
];

pub const INVOICES: &[Invoice] = &[
    i(
        "FA-2025-0001",
        Some("00000001"),
        "Cli00021",
        "2025-01-31 10:00:00",
        "2025-03-02",
        "6000",
        "7200",
        "R",
        Some("7200"),
    ),
    i(
        "FA-2025-0002",
        Some("00000001"),
        "CLI00021",
        "2025-06-30 17:45:00",
        "2025-07-30",
        "6345.67",
        "7614.804",
        "NR",
        None,
    ),
    i(
        "FA-2025-0003",
        Some("00000002"),
        "cli00021",
        "2025-03-15 00:00:00",
        "2025-04-14",
        "4000.25",
        "4800.3",
        "pr",
        Some("1000.1"),
    ),
    i(
        "FA-2025-0004",
        Some("00000004"),
        "CLI00022",
        "2025-06-30 00:00:00",
        "2025-06-30",
        "1111.11",
        "1333.332",
        "NR",
        None,
    ),
    i(
        "AV-2025-0001",
        Some("00000001"),
        "CLI00021",
        "2025-04-10 11:00:00",
        "2025-04-10",
        "-100",
        "-120",
        "R",
        Some("-120"),
    ),
    i(
        "FA-2025-0005",
        Some("00000005"),
        "CLI00021",
        "2025-07-05 09:00:00",
        "2025-08-04",
        "999.99",
        "1199.988",
        "NR",
        None,
    ),
];

#[allow(clippy::too_many_arguments)]
const fn q(
    code: &'static str,
    created: &'static str,
    concretise: Option<&'static str>,
    etat: i64,
    client: &'static str,
    ht: &'static str,
    ttc: &'static str,
    rate: i64,
) -> Quote {
    Quote { code, created, concretise, etat, client, ht, ttc, rate }
}

#[allow(clippy::too_many_arguments)]
const fn i(
    code: &'static str,
    devis: Option<&'static str>,
    client: &'static str,
    date: &'static str,
    due: &'static str,
    ht: &'static str,
    ttc: &'static str,
    etat: &'static str,
    paid: Option<&'static str>,
) -> Invoice {
    Invoice { code, devis, client, date, due, ht, ttc, etat, paid }
}

fn quoted(value: Option<&str>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |v| format!("'{v}'"))
}

/// The dossier as SQL Server declares it (the sandbox reads the declared types).
pub fn dossier() -> String {
    let mut sql = String::from(
        "CREATE TABLE Client (Code CHAR(8) NOT NULL PRIMARY KEY, Nom VARCHAR(60) NOT NULL, Ville VARCHAR(40) NULL);
INSERT INTO Client VALUES ('CLI00021', 'Menuiserie Durand', 'Lyon'), ('CLI00022', 'Hélène Lefèvre', 'Saint-Étienne');
CREATE TABLE FamilleArticle (Code CHAR(10) NOT NULL PRIMARY KEY, Libelle VARCHAR(60) NOT NULL);
INSERT INTO FamilleArticle VALUES ('FENETRES', 'Fenêtres'), ('PORTES', 'Portes');
CREATE TABLE ElementDef (Code CHAR(12) NOT NULL PRIMARY KEY, LibelleStd VARCHAR(80) NOT NULL, Famille CHAR(10) NULL,
  Unite CHAR(2) NOT NULL, PA MONEY NOT NULL, PV MONEY NOT NULL, TauxFG INT NOT NULL, TauxBenef INT NOT NULL,
  Actif BIT NOT NULL);
INSERT INTO ElementDef VALUES
  ('FEN-PVC', 'Fenêtre PVC', 'fenetres', 'U', 412.3456, 689.99, 25, 12, 1),
  ('FEN-ALU', 'Fenêtre alu', 'FENETRES', 'U', 500, 720.5, 25, 12, 1),
  ('PORTE-BOIS', 'Porte bois', 'PORTES  ', 'U', 800, 1200, 30, 10, 1),
  ('VIEUX', 'Ancien modèle', 'PORTES', 'U', 100, 150, 30, 10, 0);
CREATE TABLE Devis (Code CHAR(8) NOT NULL PRIMARY KEY, Nom VARCHAR(60) NULL, Date DATETIME NOT NULL,
  DateConcretis DATETIME NULL, Etat INT NOT NULL, CodeClient CHAR(8) NOT NULL, TotalHT MONEY NOT NULL,
  TotalTTC NUMERIC(18,4) NOT NULL, TauxMarge INT NOT NULL);
CREATE TABLE Facture (Code CHAR(12) NOT NULL PRIMARY KEY, CodeDevis CHAR(8) NULL, CodeClient CHAR(8) NOT NULL,
  Date DATETIME NOT NULL, Echeance DATETIME NOT NULL, TotalHT MONEY NOT NULL, TotalTTC MONEY NOT NULL,
  Etat CHAR(2) NOT NULL, MontantRegle MONEY NULL);
",
    );
    for quote in QUOTES {
        let _ = writeln!(
            sql,
            "INSERT INTO Devis VALUES ('{}', 'Chantier', '{}', {}, {}, '{}', {}, {}, {});",
            quote.code,
            quote.created,
            quoted(quote.concretise),
            quote.etat,
            quote.client,
            quote.ht,
            quote.ttc,
            quote.rate
        );
    }
    for invoice in INVOICES {
        let _ = writeln!(
            sql,
            "INSERT INTO Facture VALUES ('{}', {}, '{}', '{}', '{} 00:00:00', {}, {}, '{}', {});",
            invoice.code,
            quoted(invoice.devis),
            invoice.client,
            invoice.date,
            invoice.due,
            invoice.ht,
            invoice.ttc,
            invoice.etat,
            invoice.paid.unwrap_or("NULL")
        );
    }
    sql
}

/// The customer's mapping of this dossier: the built-in one, its states named, the rest mapped.
pub const MAPPING: &str = r#"base = "batigest"
[tables.devis]
values.statut = { 0 = "BROUILLON", 4 = "ENVOYE", 7 = "VALIDE", 9 = "REFUSE" }
[tables.devis.columns]
taux_marge = "TauxMarge"
montant_ttc = "TotalTTC"
[tables.ouvrages.columns]
prix_vente_ht = "PV"
taux_frais_generaux = "TauxFG"
taux_benefice = "TauxBenef"
unite = "Unite"
actif = "Actif"
[tables.factures]
name = "Facture"
values.statut_reglement = { NR = "NON_REGLE", PR = "PARTIELLEMENT_REGLE", R = "REGLE" }
[tables.factures.columns]
id = ""
numero_facture = "Code"
numero_devis = "CodeDevis"
client_id = ""
code_client = "CodeClient"
nom_client = ""
montant_ht = "TotalHT"
montant_ttc = "TotalTTC"
date_facture = "Date"
date_echeance = "Echeance"
statut_reglement = "Etat"
montant_regle = "MontantRegle"
"#;

/// The sandbox serving the dossier (plus `extra` SQL), and the path of the mapping file.
pub fn serve(extra: &str, args: &[&str]) -> (Sandbox, String) {
    let sandbox = Sandbox::with_sql(
        &format!("{}{extra}", dossier()),
        &[&["--database", DATABASE, "--tls", "off"], args].concat(),
    );
    let mapping = sandbox.path("correspondance.toml");
    std::fs::write(&mapping, MAPPING).expect("write the mapping");
    let mapping = mapping.to_str().expect("UTF-8 path").to_owned();
    (sandbox, mapping)
}

pub fn run(sandbox: &Sandbox, mapping: &str, args: &[&str]) -> Output {
    sandbox.run(&[&["--database", DATABASE, "--schema", mapping], args].concat())
}

fn json(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", output_text(output));
    serde_json::from_str(&ok(output)).expect("JSON")
}

fn number(value: &Value) -> Option<Decimal> {
    match value {
        Value::Null => None,
        other => Some(other.to_string().trim_matches('"').parse().expect("a decimal")),
    }
}

fn r2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("a date-time")
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

/// The records of a CSV output, by header name.
fn records(text: &str) -> Vec<BTreeMap<String, String>> {
    let rows = csv(text, ',');
    rows[1..].iter().map(|row| rows[0].iter().cloned().zip(row.iter().cloned()).collect()).collect()
}

/// Accepted = concretised; committed = accepted or VALIDE (7); issued = all but BROUILLON (0).
fn committed(quote: &Quote) -> bool {
    quote.concretise.is_some() || quote.etat == 7
}

fn issued(quote: &Quote) -> bool {
    quote.concretise.is_some() || quote.etat != 0
}

fn in_first_half(text: &str) -> bool {
    let when = at(text);
    when >= at("2025-01-01 00:00:00") && when < at("2025-07-01 00:00:00")
}

#[test]
fn the_first_half_of_2025_gives_the_independent_figures() {
    let (sandbox, mapping) = serve("", &[]);
    let document = json(&run(
        &sandbox,
        &mapping,
        &["analytics", "--from", "2025-01-01", "--to", "2025-06-30", "--no-save", "--format", "json"],
    ));
    let total = &document["indicateurs"][0];

    let quotes: Vec<&Quote> = QUOTES.iter().filter(|q| in_first_half(q.created)).collect();
    let invoices: Vec<&Invoice> = INVOICES.iter().filter(|f| in_first_half(f.date)).collect();
    // The invoices of 30 June (at midnight and at 17:45) are in the half.
    assert_eq!(invoices.len(), 5);
    assert_eq!(total["nombre_factures"], invoices.len());
    assert_eq!(total["nombre_devis"], quotes.iter().filter(|q| issued(q)).count());
    let sum = |items: Vec<&str>| items.into_iter().map(d).sum::<Decimal>();
    let ca_prevu = sum(quotes.iter().filter(|q| committed(q)).map(|q| q.ht).collect());
    assert_eq!(ca_prevu, d("22568.39"));
    assert_eq!(number(&total["ca_prevu"]), Some(ca_prevu));
    assert_eq!(number(&total["ca_facture"]), Some(sum(invoices.iter().map(|f| f.ht).collect())));
    let paid = |f: &&&Invoice| f.etat.trim().eq_ignore_ascii_case("R");
    assert_eq!(number(&total["ca_realise"]), Some(sum(invoices.iter().filter(paid).map(|f| f.ht).collect())));

    // Planned margin: Σ(rate × HT) / Σ HT over committed quotes; the INT rate is a percentage.
    let weighted: Decimal = quotes.iter().filter(|q| committed(q)).map(|q| Decimal::from(q.rate) * d(q.ht)).sum();
    assert_eq!(number(&total["marge_prevue_moyenne"]), Some(r2(weighted / ca_prevu)));
    // Real margin: planned cost = HT / (1 + rate/100), over committed quotes with an invoice (any date).
    let billed_on =
        |q: &Quote| -> Decimal { INVOICES.iter().filter(|f| f.devis == Some(q.code)).map(|f| d(f.ht)).sum() };
    let with_invoice: Vec<&&Quote> =
        quotes.iter().filter(|q| committed(q) && INVOICES.iter().any(|f| f.devis == Some(q.code))).collect();
    let billed: Decimal = with_invoice.iter().map(|q| billed_on(q)).sum();
    let cost: Decimal =
        with_invoice.iter().map(|q| d(q.ht) / (Decimal::ONE + Decimal::from(q.rate) / Decimal::ONE_HUNDRED)).sum();
    let reelle = Decimal::ONE_HUNDRED * (billed - cost) / cost;
    assert_eq!(number(&total["marge_reelle_moyenne"]), Some(r2(reelle)));
    // Had the INT rate been divided as an integer (25 / 100 = 0), the cost would be the HT amount.
    let truncated = Decimal::ONE_HUNDRED * (billed - ca_prevu) / ca_prevu;
    assert_ne!(r2(truncated), r2(reelle));
}

#[test]
fn open_invoices_at_the_end_of_june_include_that_day_and_join_mixed_case_clients() {
    let (sandbox, mapping) = serve("", &[]);
    let text = ok(&run(&sandbox, &mapping, &["factures", "--au", "2025-06-30", "--format", "csv"]));
    let rows = records(&text);
    let report = day("2025-06-30");
    let open: Vec<&Invoice> = INVOICES
        .iter()
        .filter(|f| !f.etat.trim().eq_ignore_ascii_case("R") && at(f.date) < at("2025-07-01 00:00:00"))
        .collect();
    assert_eq!(open.len(), 3, "FA-2025-0002 (17:45), FA-2025-0003, FA-2025-0004 (midnight)");
    let numbers: Vec<&str> = rows.iter().map(|r| r["numero_facture"].as_str()).collect();
    let mut expected: Vec<&str> = open.iter().map(|f| f.code).collect();
    expected.sort_unstable();
    let mut got = numbers.clone();
    got.sort_unstable();
    assert_eq!(got, expected);
    for invoice in &open {
        let row = rows.iter().find(|r| r["numero_facture"] == invoice.code).expect("listed");
        let reste = d(invoice.ttc) - invoice.paid.map_or(Decimal::ZERO, d);
        assert_eq!(d(&row["reste_du"]), r2(reste), "{}", invoice.code);
        let late = (report - day(invoice.due)).num_days().max(0);
        assert_eq!(row["jours_retard"], late.to_string(), "{}", invoice.code);
        // The client as Client holds it, whatever the case the invoice stored.
        assert_eq!(row["code_client"], invoice.client.to_uppercase(), "{}", invoice.code);
        assert!(!row["nom_client"].is_empty());
    }
    // Nothing else is listed: the rows are exactly these three.
    assert_eq!(rows.len(), open.len());
}

#[test]
fn quotes_read_exactly_with_trimmed_codes_and_the_same_rows_for_either_case() {
    let (sandbox, mapping) = serve("", &[]);
    let upper = ok(&run(&sandbox, &mapping, &["devis", "--client", "CLI00021", "--format", "csv"]));
    let lower = ok(&run(&sandbox, &mapping, &["devis", "--client", "cli00021", "--format", "csv"]));
    assert_eq!(upper, lower);
    let rows = records(&upper);
    let expected: Vec<&Quote> = QUOTES.iter().filter(|q| q.client.eq_ignore_ascii_case("CLI00021")).collect();
    assert_eq!(rows.len(), expected.len());
    for quote in expected {
        let row = rows.iter().find(|r| r["numero_devis"] == quote.code).expect("listed");
        // MONEY to the cent, NUMERIC(18,4) and an INT rate exactly.
        assert_eq!(d(&row["montant_ht"]), d(quote.ht), "{}", quote.code);
        assert_eq!(d(&row["montant_ttc"]), r2(d(quote.ttc)), "{}", quote.code);
        assert_eq!(d(&row["taux_marge"]), Decimal::from(quote.rate), "{}", quote.code);
        assert_eq!(row["code_client"], "CLI00021");
        assert_eq!(row["date_creation"], quote.created.replace(' ', "T"));
    }
    // One quote's amount to the cent in the human table too.
    let table = ok(&run(&sandbox, &mapping, &["devis", "--client", "cli00021", "--limit", "1"]));
    assert!(table.contains("999,99\u{a0}€"), "{table}");
}

#[test]
fn coefficients_from_money_prices_and_int_rates() {
    let (sandbox, mapping) = serve("", &[]);
    let rows = records(&ok(&run(&sandbox, &mapping, &["coefficients", "--par", "ouvrage", "--format", "csv"])));
    assert_eq!(rows.len(), 3, "the three active ouvrages: {rows:?}");
    let porte = rows.iter().find(|r| r.values().any(|v| v == "PORTE-BOIS")).expect("PORTE-BOIS");
    let values: Vec<Decimal> = porte.values().filter_map(|v| v.parse::<Decimal>().ok()).collect();
    // PV / PA = 1200 / 800 = 1.5; theoretical (1 + 30/100) × (1 + 10/100) = 1.43.
    assert!(values.contains(&d("1.5")) || values.contains(&d("1.5000")), "{porte:?}");
    assert!(values.iter().any(|v| v.normalize() == d("1.43")), "{porte:?}");
    // Family codes stored as `fenetres` and `FENETRES` are one family.
    let families = records(&ok(&run(&sandbox, &mapping, &["coefficients", "--format", "csv"])));
    let fenetres: Vec<&BTreeMap<String, String>> =
        families.iter().filter(|r| r.values().any(|v| v.eq_ignore_ascii_case("FENETRES"))).collect();
    assert_eq!(fenetres.len(), 1, "{families:?}");
    assert!(fenetres[0].values().any(|v| v == "2"), "two ouvrages: {:?}", fenetres[0]);
}

#[test]
fn sync_offer_records_the_exact_amount_the_int_rate_and_the_trimmed_number() {
    let (sandbox, mapping) = serve("", &[]);
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    ok(&run(&sandbox, &mapping, &["--jlm-db", &store, "sync-offer", "--ref", "00000002"]));
    let rows = records(&ok(&run(&sandbox, &mapping, &["--jlm-db", &store, "integrations", "--format", "csv"])));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["numero_devis"], "00000002");
    assert_eq!(d(&rows[0]["montant_batigest"]), d("8000.50"));
    assert_eq!(d(&rows[0]["taux_marge"]), d("35"));
    assert_eq!(rows[0]["statut_batigest"], "VALIDE");
}

#[test]
fn a_status_is_either_counted_or_refused_never_dropped() {
    // `pr` (lower case) and `R` padded by the CHAR(2) are read and filtered alike; ` R` (a leading
    // blank) is neither PR nor R: every command that depends on payment states stops and names it.
    let extra = "INSERT INTO Facture VALUES ('FA-2025-0006', NULL, 'CLI00022', '2025-05-20 10:00:00', \
                 '2025-06-19 00:00:00', 50, 60, ' R', NULL);";
    let (sandbox, mapping) = serve(extra, &[]);
    for args in [
        &["factures", "--au", "2025-06-30"][..],
        &["analytics", "--no-save", "--from", "2025-01-01", "--to", "2025-06-30"],
    ] {
        let output = run(&sandbox, &mapping, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("«  R » (1 lignes)"), "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty());
    }
    // Without it, the lower-case `pr` is an open invoice like the others (checked above), and
    // `test-connection --check-schema` finds every state translated.
    let (clean, mapping) = serve("", &[]);
    let check = ok(&run(&clean, &mapping, &["test-connection", "--check-schema"]));
    assert!(check.contains("Schéma        : complet"), "{check}");
}

#[test]
fn check_schema_gives_each_column_type_and_refuses_a_float_amount() {
    let (sandbox, mapping) = serve("", &[]);
    let document = json(&run(&sandbox, &mapping, &["test-connection", "--check-schema", "--format", "json"]));
    let columns = document["columns"].as_array().expect("columns");
    let column = |field: &str| columns.iter().find(|c| c["field"] == field).unwrap_or_else(|| panic!("{field}"));
    assert_eq!(
        (column("devis.montant_ht")["data_type"].as_str(), column("devis.montant_ht")["readable"].as_bool()),
        (Some("money"), Some(true))
    );
    assert_eq!(column("factures.date_facture")["data_type"], "datetime");
    assert_eq!(column("devis.taux_marge")["data_type"], "int");
    assert_eq!(column("clients.code_client")["data_type"], "char");

    // The same dossier with a FLOAT amount mapped: refused before any figure, naming the column.
    let float = "ALTER TABLE Devis ADD COLUMN Acompte FLOAT NULL; UPDATE Devis SET Acompte = 0.1;";
    let (sandbox, mapping) = serve(float, &[]);
    std::fs::write(&mapping, MAPPING.replacen("montant_ttc = \"TotalTTC\"", "montant_ttc = \"Acompte\"", 1))
        .expect("write");
    let output = run(&sandbox, &mapping, &["test-connection", "--check-schema"]);
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
    assert!(
        stderr(&output).contains("devis.montant_ttc (Devis.Acompte, float : virgule flottante"),
        "{}",
        stderr(&output)
    );
    let listing = run(&sandbox, &mapping, &["devis", "--format", "csv"]);
    assert_eq!(listing.status.code(), Some(2), "{}", stderr(&listing));
    assert!(stderr(&listing).contains("colonne « Acompte » illisible"), "{}", stderr(&listing));
    assert!(listing.stdout.is_empty());
    let inspect = records(&ok(&run(&sandbox, &mapping, &["schema", "inspect", "--format", "csv"])));
    let ttc = inspect.iter().find(|r| r["table"] == "devis" && r["champ"] == "montant_ttc").expect("montant_ttc");
    assert_eq!((ttc["type"].as_str(), ttc["lisible"].starts_with("non")), ("float", true));
    let ht = inspect.iter().find(|r| r["table"] == "devis" && r["champ"] == "montant_ht").expect("montant_ht");
    assert_eq!((ht["type"].as_str(), ht["lisible"].as_str()), ("money", "oui"));
}

/// The generated sandbox (`French_CI_AS` by default): a client code in lower case finds the same
/// devis and invoices as in upper case; under `French_CS_AS` it finds none.
#[test]
fn the_generated_sandbox_compares_client_codes_under_its_collation() {
    let sandbox = Sandbox::start(&["--generate", "300", "--tls", "off"]);
    // For each listing, the client with the most rows, asked in upper and in lower case.
    let mut code = String::new();
    for args in [&["devis"][..], &["factures", "--au", "2025-12-31"]] {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for row in records(&ok(&sandbox.run(&[args, &["--format", "csv"]].concat()))) {
            *counts.entry(row["code_client"].clone()).or_default() += 1;
        }
        let (most, rows) = counts.into_iter().max_by_key(|(_, n)| *n).expect("rows");
        assert!(rows > 1 && most.chars().any(|c| c.is_ascii_uppercase()), "{most}: {rows}");
        let upper = ok(&sandbox.run(&[args, &["--client", &most, "--format", "csv"]].concat()));
        let lower = ok(&sandbox.run(&[args, &["--client", &most.to_lowercase(), "--format", "csv"]].concat()));
        assert_eq!(records(&upper).len(), rows, "{args:?} {most}");
        assert_eq!(lower, upper, "{args:?} --client {}", most.to_lowercase());
        code = most;
    }
    let lower = code.to_lowercase();
    let sensitive = Sandbox::start(&["--generate", "300", "--tls", "off", "--collation", "French_CS_AS"]);
    let none = ok(&sensitive.run(&["devis", "--client", &lower, "--format", "csv"]));
    assert!(records(&none).is_empty(), "{none}");
    assert_eq!(
        ok(&sensitive.run(&["devis", "--client", &code, "--format", "csv"])),
        ok(&sandbox.run(&["devis", "--client", &code, "--format", "csv"]))
    );
}

/// The open invoices on 30 June 2025 and their days late, worked out here: reste dû = TTC − paid,
/// late = report date − due date when positive.
fn open_on_june_30() -> Vec<(&'static Invoice, Decimal, i64)> {
    let report = day("2025-06-30");
    INVOICES
        .iter()
        .filter(|f| !f.etat.trim().eq_ignore_ascii_case("R") && at(f.date) < at("2025-07-01 00:00:00"))
        .map(|f| (f, d(f.ttc) - f.paid.map_or(Decimal::ZERO, d), (report - day(f.due)).num_days()))
        .collect()
}

#[test]
fn tresorerie_relances_and_alertes_follow_the_same_invoices() {
    let (sandbox, mapping) = serve("", &[]);
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let open = open_on_june_30();

    // Cash-in forecast: each open invoice on the line of its due date, or of its age when late.
    let lines = records(&ok(&run(&sandbox, &mapping, &["tresorerie", "--au", "2025-06-30", "--format", "csv"])));
    for (invoice, reste, late) in &open {
        let line = if *late > 0 {
            let bucket = match late {
                1..=30 => "en_retard_1-30",
                31..=60 => "en_retard_31-60",
                61..=90 => "en_retard_61-90",
                _ => "en_retard_90+",
            };
            lines.iter().find(|l| l["ligne"] == bucket).expect("bucket")
        } else {
            let due = invoice.due;
            lines
                .iter()
                .find(|l| {
                    !l["du"].is_empty() && l["du"].as_str() <= due && (l["au"].is_empty() || due <= l["au"].as_str())
                })
                .expect("a week")
        };
        assert_eq!(
            (line["nombre_factures"].as_str(), d(&line["encaissement_ttc"])),
            ("1", r2(*reste)),
            "{}",
            invoice.code
        );
    }
    let listed: usize = lines.iter().map(|l| l["nombre_factures"].parse::<usize>().expect("count")).sum();
    assert_eq!(listed, open.len());

    // Reminders: only FA-2025-0003 is late (77 days: level 3 with the default thresholds 1, 15, 30).
    let late: Vec<_> = open.iter().filter(|(_, _, late)| *late > 0).collect();
    assert_eq!(late.len(), 1);
    let (invoice, reste, days) = late[0];
    let reminders = records(&ok(&run(&sandbox, &mapping, &["relances", "--au", "2025-06-30", "--format", "csv"])));
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0]["numero_facture"], invoice.code);
    assert_eq!(reminders[0]["code_client"], "CLI00021");
    assert_eq!(reminders[0]["niveau"], "3");
    assert_eq!(reminders[0]["jours_retard"], days.to_string());
    assert_eq!(d(&reminders[0]["reste_du"]), r2(*reste));

    // Alerts: the late invoice and its reminder level; nothing for invoices due today or later.
    let output =
        run(&sandbox, &mapping, &["--jlm-db", &store, "alertes", "--au", "2025-06-30", "--dry-run", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let keys: Vec<String> =
        records(&String::from_utf8_lossy(&output.stdout)).into_iter().map(|r| r["cle"].clone()).collect();
    assert!(keys.contains(&format!("facture_en_retard:{}", invoice.code)), "{keys:?}");
    assert!(keys.contains(&format!("seuil_relance:{}:3", invoice.code)), "{keys:?}");
    assert!(!keys.iter().any(|k| k.contains("FA-2025-0002") || k.contains("FA-2025-0004")), "{keys:?}");

    // The dashboard's late invoices: the same one, the same amount.
    let dashboard =
        json(&run(&sandbox, &mapping, &["--jlm-db", &store, "dashboard", "--au", "2025-06-30", "--format", "json"]));
    let late_rows = dashboard["factures_en_retard"].as_array().expect("factures_en_retard");
    assert_eq!(late_rows.len(), 1, "{dashboard}");
    assert_eq!(late_rows[0]["numero_facture"], invoice.code);
    assert_eq!(late_rows[0]["jours_retard"], *days);
    assert_eq!(number(&late_rows[0]["reste_du"]), Some(r2(*reste)));
}
