//! Dataset generator: a deterministic, realistic joinery company's Batigest data (DESIGN §3, §5).
//!
//! The data is what a French joinery firm (windows, doors, shutters, fittings) would hold in its
//! ERP over three years, shaped so that every business rule of DESIGN §5 has something to bite on:
//! drafts and refused quotes, quotes invoiced in several steps (deposit, progress invoices, final
//! invoice) with drifting totals, credit notes, invoices without a quote, late payments, and
//! catalogue anomalies (zero purchase price, inactive or unclassified ouvrages).
//!
//! # Fixed dates
//! Nothing depends on the clock: quotes are created from [`FIRST_DATE`] to [`REFERENCE_DATE`]
//! (2023-01-01 ..= 2025-12-31) and the data is a snapshot taken at the end of [`REFERENCE_DATE`]:
//! no validation, invoice or payment is later than it (due dates may be). Ageing is therefore
//! realistic when reports are run with `--au 2025-12-31`.
//!
//! # Numbering
//! - `NUMERO_DEVIS` = `DEVIS-YYYY-NNN`: year of creation, then the quote's rank in that year in
//!   creation order, zero-padded to at least 3 digits (`DEVIS-2024-001`, …, `DEVIS-2024-999`,
//!   `DEVIS-2024-1000`). The first quote of each year is thus always `DEVIS-YYYY-001`, whatever N,
//!   as in the product's examples.
//! - `REFERENCE_AFFAIRE` = `AFF-YYYY-NNNN` (at least 4 digits), numbered per year in order of the
//!   affaire's first quote. Most quotes have one; some have none; a few quotes (variants, revised
//!   quotes) share their affaire with the previous quote of the same client, on purpose.
//! - `NUMERO_FACTURE` = `FA-YYYY-NNNNNN` for invoices and `AV-YYYY-NNNNNN` for credit notes (at
//!   least 6 digits), each an unbroken sequence per year of `DATE_FACTURE` in chronological order,
//!   as French law requires of invoice numbers. `FACTURES.ID` follows the same chronology.
//!
//! # Storage
//! DATE as `YYYY-MM-DD`, DATETIME2 as `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS.fffffff`
//! (exactly 7 digits, only when the fraction is not zero), BIT as 0/1, decimals as doubles that
//! print exactly at their declared scale: every amount is computed in integer cents (or
//! ten-thousandths for catalogue prices) and stored as `units / 100.0` (or `/ 10_000.0`).

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;

mod catalogue;
mod clients;
mod devis;
#[cfg(test)]
mod tests;

/// The DDL of DESIGN §3, declared types verbatim.
macro_rules! tables_sql {
    () => {
        "CREATE TABLE CLIENTS (ID INT PRIMARY KEY, CODE_CLIENT NVARCHAR(20) NOT NULL UNIQUE,
  NOM NVARCHAR(100) NOT NULL, VILLE NVARCHAR(60) NULL);
CREATE TABLE FAMILLES (ID INT PRIMARY KEY, CODE_FAMILLE NVARCHAR(20) NOT NULL UNIQUE,
  LIBELLE NVARCHAR(100) NOT NULL);
CREATE TABLE SOUS_FAMILLES (ID INT PRIMARY KEY, FAMILLE_ID INT NOT NULL,
  CODE_SOUS_FAMILLE NVARCHAR(20) NOT NULL, LIBELLE NVARCHAR(100) NOT NULL);
CREATE TABLE OUVRAGES (ID INT PRIMARY KEY, CODE_OUVRAGE NVARCHAR(30) NOT NULL UNIQUE,
  LIBELLE NVARCHAR(200) NOT NULL, UNITE NVARCHAR(10) NOT NULL,
  PRIX_ACHAT_HT DECIMAL(18,4) NOT NULL, PRIX_VENTE_HT DECIMAL(18,4) NOT NULL,
  TAUX_FRAIS_GENERAUX DECIMAL(9,4) NOT NULL, TAUX_BENEFICE DECIMAL(9,4) NOT NULL,
  FAMILLE_ID INT NULL, SOUS_FAMILLE_ID INT NULL, ACTIF BIT NOT NULL);
CREATE TABLE DEVIS (ID INT PRIMARY KEY, NUMERO_DEVIS NVARCHAR(50) NOT NULL UNIQUE,
  REFERENCE_AFFAIRE NVARCHAR(50) NULL, CLIENT_ID INT NOT NULL,
  MONTANT_HT DECIMAL(18,2) NOT NULL, MONTANT_TTC DECIMAL(18,2) NOT NULL, TAUX_MARGE DECIMAL(9,4) NOT NULL,
  DATE_CREATION DATETIME2 NOT NULL, DATE_VALIDATION DATETIME2 NULL,
  STATUT NVARCHAR(20) NOT NULL,
  RESPONSABLE NVARCHAR(100) NULL);
CREATE TABLE FACTURES (ID INT PRIMARY KEY, NUMERO_FACTURE NVARCHAR(50) NOT NULL UNIQUE,
  NUMERO_DEVIS NVARCHAR(50) NULL,
  CLIENT_ID INT NOT NULL, MONTANT_HT DECIMAL(18,2) NOT NULL, MONTANT_TTC DECIMAL(18,2) NOT NULL,
  DATE_FACTURE DATE NOT NULL, DATE_ECHEANCE DATE NOT NULL,
  STATUT_REGLEMENT NVARCHAR(30) NOT NULL,
  MONTANT_REGLE DECIMAL(18,2) NULL);
"
    };
}

/// Secondary indexes for the product's usual filters and joins.
macro_rules! indexes_sql {
    () => {
        "CREATE INDEX IX_DEVIS_DATE_CREATION ON DEVIS(DATE_CREATION);
CREATE INDEX IX_DEVIS_CLIENT_ID ON DEVIS(CLIENT_ID);
CREATE INDEX IX_FACTURES_NUMERO_DEVIS ON FACTURES(NUMERO_DEVIS);
CREATE INDEX IX_FACTURES_DATE_FACTURE ON FACTURES(DATE_FACTURE);
CREATE INDEX IX_FACTURES_CLIENT_ID ON FACTURES(CLIENT_ID);
"
    };
}

/// The whole schema: tables of DESIGN §3, then indexes.
#[cfg(test)]
pub const SCHEMA_SQL: &str = concat!(tables_sql!(), indexes_sql!());
/// Tables only, the DDL of DESIGN §3: [`generate`] creates the indexes after the load, which is
/// much faster; a hand-written fixture fills these same tables.
pub const TABLES_SQL: &str = tables_sql!();
const INDEXES_SQL: &str = indexes_sql!();

/// The real Batigest layout (PascalCase tables linked by codes, 8-character zero-padded devis
/// codes, integer states), filled from the default tables, which it then replaces: the business
/// data are the same row for row.
///
/// Quote states follow the public evidence (DESIGN §3), not a guess the tool could share: an
/// accepted quote is the one with `DateConcretis` set — mostly `Etat` 3, one in five 4 — and the
/// dossier names its other states with its own codes: 0 BROUILLON, 4 ENVOYE, 7 VALIDE, 9 REFUSE;
/// only accepted quotes carry `DateConcretis`. The invoice tables carry names that the built-in `batigest`
/// mapping does not know, as at a real customer's. Names are renamed away first because SQLite
/// ignores case (`DEVIS` and `Devis` are one table to it).
const BATIGEST_LAYOUT_SQL: &str = "
ALTER TABLE CLIENTS RENAME TO gen_clients;
ALTER TABLE FAMILLES RENAME TO gen_familles;
ALTER TABLE SOUS_FAMILLES RENAME TO gen_sous_familles;
ALTER TABLE OUVRAGES RENAME TO gen_ouvrages;
ALTER TABLE DEVIS RENAME TO gen_devis;
ALTER TABLE FACTURES RENAME TO gen_factures;

CREATE TABLE Client (Code NVARCHAR(20) NOT NULL PRIMARY KEY, Nom NVARCHAR(100) NOT NULL, Ville NVARCHAR(60) NULL);
INSERT INTO Client SELECT CODE_CLIENT, NOM, VILLE FROM gen_clients ORDER BY ID;

CREATE TABLE FamilleArticle (Code NVARCHAR(20) NOT NULL PRIMARY KEY, Libelle NVARCHAR(100) NOT NULL);
INSERT INTO FamilleArticle SELECT CODE_FAMILLE, LIBELLE FROM gen_familles ORDER BY ID;

CREATE TABLE SousFamilleArticle (Code NVARCHAR(20) NOT NULL PRIMARY KEY, Famille NVARCHAR(20) NOT NULL,
  Libelle NVARCHAR(100) NOT NULL);
INSERT INTO SousFamilleArticle SELECT s.CODE_SOUS_FAMILLE, f.CODE_FAMILLE, s.LIBELLE
  FROM gen_sous_familles s JOIN gen_familles f ON f.ID = s.FAMILLE_ID ORDER BY s.ID;

CREATE TABLE ElementDef (Code NVARCHAR(30) NOT NULL PRIMARY KEY, LibelleStd NVARCHAR(200) NOT NULL,
  Unite NVARCHAR(10) NOT NULL, Famille NVARCHAR(20) NULL, SousFamille NVARCHAR(20) NULL,
  PA DECIMAL(18,4) NOT NULL, PV DECIMAL(18,4) NOT NULL, TauxFraisGeneraux DECIMAL(9,4) NOT NULL,
  TauxBenefice DECIMAL(9,4) NOT NULL, Actif BIT NOT NULL);
INSERT INTO ElementDef SELECT o.CODE_OUVRAGE, o.LIBELLE, o.UNITE, f.CODE_FAMILLE, s.CODE_SOUS_FAMILLE,
  o.PRIX_ACHAT_HT, o.PRIX_VENTE_HT, o.TAUX_FRAIS_GENERAUX, o.TAUX_BENEFICE, o.ACTIF
  FROM gen_ouvrages o LEFT JOIN gen_familles f ON f.ID = o.FAMILLE_ID
  LEFT JOIN gen_sous_familles s ON s.ID = o.SOUS_FAMILLE_ID ORDER BY o.ID;

CREATE TABLE Devis (Code NVARCHAR(8) NOT NULL PRIMARY KEY, Nom NVARCHAR(100) NOT NULL, Date DATETIME2 NOT NULL,
  DateConcretis DATETIME2 NULL, Etat INT NOT NULL, CodeClient NVARCHAR(20) NOT NULL,
  TotalHT DECIMAL(18,2) NOT NULL, TotalTTC DECIMAL(18,2) NOT NULL, Sujet NVARCHAR(100) NULL,
  TempsMO DECIMAL(9,2) NULL, Affaire NVARCHAR(50) NULL, TauxMarge DECIMAL(9,4) NOT NULL,
  Responsable NVARCHAR(100) NULL);
INSERT INTO Devis SELECT printf('%08d', d.ID), c.NOM, d.DATE_CREATION,
  CASE d.STATUT WHEN 'ACCEPTE' THEN d.DATE_VALIDATION END,
  CASE d.STATUT WHEN 'BROUILLON' THEN 0 WHEN 'ENVOYE' THEN 4 WHEN 'VALIDE' THEN 7 WHEN 'REFUSE' THEN 9
    ELSE CASE WHEN d.ID % 5 = 0 THEN 4 ELSE 3 END END,
  c.CODE_CLIENT, d.MONTANT_HT, d.MONTANT_TTC,
  CASE WHEN d.REFERENCE_AFFAIRE IS NULL THEN 'Menuiseries' ELSE 'Chantier ' || d.REFERENCE_AFFAIRE END,
  ROUND(d.MONTANT_HT / 250.0), d.REFERENCE_AFFAIRE, d.TAUX_MARGE, d.RESPONSABLE
  FROM gen_devis d JOIN gen_clients c ON c.ID = d.CLIENT_ID ORDER BY d.ID;

CREATE TABLE Facture (Code NVARCHAR(20) NOT NULL PRIMARY KEY, CodeDevis NVARCHAR(8) NULL,
  CodeClient NVARCHAR(20) NOT NULL, Nom NVARCHAR(100) NOT NULL, Date DATE NOT NULL, Echeance DATE NOT NULL,
  TotalHT DECIMAL(18,2) NOT NULL, TotalTTC DECIMAL(18,2) NOT NULL, Etat INT NOT NULL, MontantRegle DECIMAL(18,2) NULL);
INSERT INTO Facture SELECT f.NUMERO_FACTURE, CASE WHEN d.ID IS NULL THEN NULL ELSE printf('%08d', d.ID) END,
  c.CODE_CLIENT, c.NOM, f.DATE_FACTURE, f.DATE_ECHEANCE, f.MONTANT_HT, f.MONTANT_TTC,
  CASE f.STATUT_REGLEMENT WHEN 'NON_REGLE' THEN 0 WHEN 'PARTIELLEMENT_REGLE' THEN 1 ELSE 2 END, f.MONTANT_REGLE
  FROM gen_factures f JOIN gen_clients c ON c.ID = f.CLIENT_ID LEFT JOIN gen_devis d ON d.NUMERO_DEVIS = f.NUMERO_DEVIS
  ORDER BY f.ID;

DROP TABLE gen_factures;
DROP TABLE gen_devis;
DROP TABLE gen_ouvrages;
DROP TABLE gen_sous_familles;
DROP TABLE gen_familles;
DROP TABLE gen_clients;

CREATE INDEX IX_Devis_Date ON Devis(Date);
CREATE INDEX IX_Facture_CodeDevis ON Facture(CodeDevis);
CREATE INDEX IX_Facture_Date ON Facture(Date);
";

/// How the generated tables are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// The layout of the original integration (DESIGN §3).
    #[default]
    Default,
    /// The layout of real Batigest databases (see [`BATIGEST_LAYOUT_SQL`]).
    Batigest,
}

/// First day of the generated history (first possible `DATE_CREATION`).
pub const FIRST_DATE: &str = "2023-01-01";
/// The snapshot date: last possible creation, validation, invoice and payment date.
pub const REFERENCE_DATE: &str = "2025-12-31";

/// Days in 2023, 2024 (leap) and 2025: quotes are created on days `0..DEVIS_DAYS`.
const DEVIS_DAYS: usize = 365 + 366 + 365;
/// Day index of [`REFERENCE_DATE`].
const REF_DAY: u32 = DEVIS_DAYS as u32 - 1;
/// The day table also covers due dates (at most 45 days or end of month after an invoice).
const TABLE_DAYS: usize = DEVIS_DAYS + 62;
const FIRST_YEAR: u16 = 2023;
/// 100 ns ticks per second: DATETIME2(7) resolution.
const TICKS_PER_SEC: u64 = 10_000_000;

/// Row counts of a generated dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub clients: u64,
    pub familles: u64,
    pub sous_familles: u64,
    pub ouvrages: u64,
    pub devis: u64,
    pub factures: u64,
}

/// Creates the schema in `layout` and fills it: `devis` quotes, deterministic for `seed`; both
/// layouts hold the same business data for the same seed.
///
/// The tables must not exist yet. Everything is written in one transaction; while it runs the
/// connection's journal is off and its cache enlarged (restored afterwards): a failed load can
/// leave a file half-written, which is fine for a generated sandbox database.
pub fn generate(conn: &Connection, devis: u64, seed: u64, layout: Layout) -> rusqlite::Result<Summary> {
    let saved = LoadPragmas::apply(conn)?;
    let result = load(conn, devis, seed, layout);
    // Restore even after a failure; the load's error matters more than a restore error.
    let restored = saved.restore(conn);
    let summary = result?;
    restored?;
    Ok(summary)
}

/// Connection settings changed for the bulk load, with their previous values.
struct LoadPragmas {
    journal_mode: String,
    synchronous: i64,
    cache_size: i64,
    temp_store: i64,
}

impl LoadPragmas {
    fn apply(conn: &Connection) -> rusqlite::Result<Self> {
        let saved = Self {
            journal_mode: conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
            synchronous: conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
            cache_size: conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?,
            temp_store: conn.query_row("PRAGMA temp_store", [], |r| r.get(0))?,
        };
        // A rollback journal and fsyncs buy nothing for a database we would regenerate anyway;
        // a large page cache keeps the unique indexes' B-trees in memory during the load.
        conn.query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))?;
        conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;")?;
        Ok(saved)
    }

    fn restore(&self, conn: &Connection) -> rusqlite::Result<()> {
        // journal_mode is a keyword-valued pragma; the saved value comes from SQLite itself.
        conn.query_row(&format!("PRAGMA journal_mode = {}", self.journal_mode), [], |_| Ok(()))?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {}; PRAGMA cache_size = {}; PRAGMA temp_store = {};",
            self.synchronous, self.cache_size, self.temp_store
        ))
    }
}

fn load(conn: &Connection, n: u64, seed: u64, layout: Layout) -> rusqlite::Result<Summary> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(TABLES_SQL)?;
    let days = day_table();
    let (familles, sous_familles) = catalogue::insert_families(&tx)?;
    let ouvrages = catalogue::insert_ouvrages(&tx, seed)?;
    let clients = clients::make_clients(n, seed);
    clients::insert_clients(&tx, &clients)?;
    // No devis, no invoices either: every generated invoice belongs beside the quotes.
    let (devis, factures) =
        if n == 0 { (0, 0) } else { devis::insert_devis_and_factures(&tx, &days, &clients, n, seed)? };
    match layout {
        Layout::Default => tx.execute_batch(INDEXES_SQL)?,
        Layout::Batigest => tx.execute_batch(BATIGEST_LAYOUT_SQL)?,
    }
    tx.commit()?;
    Ok(Summary { clients: clients.len() as u64, familles, sous_familles, ouvrages, devis, factures })
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// `SplitMix64`: tiny, fast, statistically fine for test data, and identical on every platform.
/// Each part of the dataset draws from its own stream so that, say, the catalogue does not change
/// when N changes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Self(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the tiny bias is irrelevant here). `n > 0`.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `permille / 1000`.
    fn chance(&mut self, permille: u64) -> bool {
        self.below(1000) < permille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const STREAM_CATALOGUE: u64 = 1;
const STREAM_CLIENTS: u64 = 2;
const STREAM_CALENDAR: u64 = 3;
const STREAM_DEVIS: u64 = 4;
const STREAM_STANDALONE: u64 = 5;

// ---------------------------------------------------------------------------------------------
// Numbers and text

/// `num / den` rounded half away from zero (SQL Server's `ROUND`, and "half-up" on amounts).
fn div_round(num: i64, den: i64) -> i64 {
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den { q + num.signum() } else { q }
}

/// Amount with VAT: `ht × (1 + bp/10000)` rounded to the cent.
fn with_tva(ht: i64, tva_bp: i64) -> i64 {
    ht + div_round(ht * tva_bp, 10_000)
}

/// Cents as the double nearest to the 2-decimal value: prints back exactly as that value.
fn cents(c: i64) -> f64 {
    c as f64 / 100.0
}

/// Ten-thousandths (DECIMAL(…,4) prices) as the nearest double.
fn units4(u: i64) -> f64 {
    u as f64 / 10_000.0
}

/// Appends `n` zero-padded to at least `width` digits, without the formatting machinery.
fn push_padded(buf: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut v = n;
    loop {
        digits[len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in len..width {
        buf.push('0');
    }
    for &d in digits[..len].iter().rev() {
        buf.push(char::from(d));
    }
}

/// Appends a DATETIME2 in the canonical stored form: seconds, plus exactly 7 fraction digits
/// only when the fraction is not zero (what a DATETIME2(7) parameter compares equal to).
fn push_datetime(buf: &mut String, day: &Day, ticks: u64) {
    buf.push_str(&day.ymd);
    buf.push(' ');
    let secs = ticks / TICKS_PER_SEC;
    push_padded(buf, secs / 3600, 2);
    buf.push(':');
    push_padded(buf, secs / 60 % 60, 2);
    buf.push(':');
    push_padded(buf, secs % 60, 2);
    let frac = ticks % TICKS_PER_SEC;
    if frac != 0 {
        buf.push('.');
        push_padded(buf, frac, 7);
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar

/// One calendar day, precomputed so that the hot loops never format a date.
struct Day {
    ymd: String,
    year: u16,
    month: u8,
    dom: u8,
    /// 0 = Monday … 6 = Sunday.
    weekday: u8,
    /// Day index of the last day of this month (for "payable at end of month").
    end_of_month: u32,
}

fn day_table() -> Vec<Day> {
    let first = NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date");
    let mut days: Vec<Day> = (0..TABLE_DAYS)
        .map(|i| {
            let d = first + chrono::Days::new(i as u64);
            Day {
                ymd: d.format("%Y-%m-%d").to_string(),
                year: d.year() as u16,
                month: d.month() as u8,
                dom: d.day() as u8,
                weekday: d.weekday().num_days_from_monday() as u8,
                end_of_month: 0,
            }
        })
        .collect();
    // Walk backwards so each day learns its month's last day; the table's last month may be
    // cut short, which only matters for days never used as invoice dates.
    let mut eom = (TABLE_DAYS - 1) as u32;
    for i in (0..TABLE_DAYS).rev() {
        if i + 1 < TABLE_DAYS && days[i + 1].dom == 1 {
            eom = i as u32;
        }
        days[i].end_of_month = eom;
    }
    days
}

/// French public holidays of 2023–2025 (fixed ones, plus Easter Monday, Ascension, Whit Monday).
fn is_holiday(day: &Day) -> bool {
    const FIXED: [(u8, u8); 8] = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)];
    const MOVABLE: [(u16, u8, u8); 9] = [
        (2023, 4, 10),
        (2023, 5, 18),
        (2023, 5, 29),
        (2024, 4, 1),
        (2024, 5, 9),
        (2024, 5, 20),
        (2025, 4, 21),
        (2025, 5, 29),
        (2025, 6, 9),
    ];
    FIXED.contains(&(day.month, day.dom)) || MOVABLE.contains(&(day.year, day.month, day.dom))
}

/// How many quotes are created each day: office days, a quiet August and Christmas, a busy
/// spring, some growth year on year, and day-to-day noise. The allocation is exact (sums to N).
fn devis_per_day(n: u64, days: &[Day], seed: u64) -> Vec<u64> {
    let mut rng = Rng::new(seed, STREAM_CALENDAR);
    let weights: Vec<u64> = days[..DEVIS_DAYS]
        .iter()
        .map(|d| {
            let mut w: u64 = match d.weekday {
                0..=4 => 100,
                5 => 12,
                _ => 2,
            };
            if is_holiday(d) {
                w = 3;
            }
            let season = match (d.month, d.dom) {
                (8, _) => 40,
                (12, 20..) => 50,
                (3..=6, _) => 120,
                _ => 100,
            };
            let growth = [100, 108, 116][usize::from(d.year - FIRST_YEAR)];
            w * season * growth * (70 + rng.below(61))
        })
        .collect();
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let mut cumulative: u128 = 0;
    let mut allocated: u64 = 0;
    weights
        .iter()
        .map(|&w| {
            cumulative += u128::from(w);
            let upto = (u128::from(n) * cumulative / total) as u64;
            let k = upto - allocated;
            allocated = upto;
            k
        })
        .collect()
}
