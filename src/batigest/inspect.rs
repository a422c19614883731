//! `schema inspect`: what the connected database holds (`INFORMATION_SCHEMA.COLUMNS`), which of
//! its tables and columns could stand for each logical field, and a commented mapping file.
//!
//! The heuristic is meant to be explained in one sentence: a column is a candidate for a field
//! when its type can hold the field and its name (lower case, without `_`) is the field's name,
//! its default name, or a word Batigest uses for it (`TotalHT` for `montant_ht`) — an exact
//! match, proposed — or merely contains such a word — a weaker candidate, listed only. A table is
//! a candidate when its name matches the same way; among candidates, the table where most fields
//! match exactly wins.

use std::fmt::Write as _;
use std::time::Duration;

use super::connection::{Connection, Failure};
use super::read::readable;
use super::schema::{FieldSpec, Ident, LAYOUT, Mapping, TableSpec, logical_values};
use super::sql::{Sql, stream};
use super::statuses::{self, Census, ReadError};

/// One column of the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbColumn {
    pub table: String,
    pub column: String,
    pub data_type: String,
}

/// The columns of every table and view of the connected database, in table then column order.
pub async fn columns(client: &mut Connection, timeout: Duration) -> Result<Vec<DbColumn>, Failure> {
    let sql = Sql::new(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS ORDER BY TABLE_NAME, ORDINAL_POSITION"
            .to_owned(),
    );
    let mut columns = Vec::new();
    stream(client, &sql, None, timeout, |row| {
        let text = |index| row.get::<&str, _>(index).unwrap_or_default().to_owned();
        columns.push(DbColumn { table: text(0), column: text(1), data_type: text(2) });
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(columns)
}

/// The status fields whose column holds values that neither are logical codes nor have a
/// translation in the field's value map (quotes the acceptance rule reads need none):
/// `factures.statut_reglement (Facture.Etat) : 0, 1, 2`. Without this check, filtering on such a
/// column would quietly match nothing.
pub async fn untranslated(
    client: &mut Connection,
    mapping: &Mapping,
    timeout: Duration,
) -> Result<Vec<String>, Failure> {
    match statuses::check(client, mapping, &[statuses::DEVIS, statuses::FACTURES], timeout).await {
        Err(ReadError::Untranslated(found)) => Ok(found
            .0
            .iter()
            .map(|field| {
                let codes: Vec<&str> = field.codes.iter().map(|code| code.stored.as_str()).collect();
                format!("{}.{} ({}) : {}", field.table, field.name, field.column, codes.join(", "))
            })
            .collect()),
        Err(ReadError::Failure(failure)) => Err(failure),
        Ok(()) | Err(ReadError::Unmapped(_)) => Ok(Vec::new()),
    }
}

/// How a logical table or field stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The active mapping names it and the database has it.
    Resolved,
    /// Not resolved, but a table or column matches its name exactly.
    Proposed,
    /// Nothing to propose: to be completed by hand (or left unmapped).
    Open,
}

impl State {
    pub fn label(self) -> &'static str {
        match self {
            State::Resolved => "relié",
            State::Proposed => "proposé",
            State::Open => "à compléter",
        }
    }
}

/// What the inspection says of one logical field.
#[derive(Debug, Clone)]
pub struct FieldReport {
    pub spec: &'static FieldSpec,
    pub state: State,
    /// The column written in the mapping file: resolved or proposed.
    pub column: Option<String>,
    /// Other candidate columns, best first, with their types.
    pub candidates: Vec<String>,
    /// What the active mapping named, when the database lacks it.
    pub missing: Option<String>,
    /// The type of `column` in the database (`money`), and whether the tool reads the field from
    /// it exactly (`Err`: why not).
    pub data_type: Option<(String, Result<(), String>)>,
}

/// What the inspection says of one logical table and its fields.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub spec: &'static TableSpec,
    pub state: State,
    pub table: Option<String>,
    pub candidates: Vec<String>,
    pub missing: Option<String>,
    pub fields: Vec<FieldReport>,
}

fn normalize(name: &str) -> String {
    name.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

/// 2 for an exact match of the name, the default name or a known word; 1 when the name contains
/// a known word of four letters or more; 0 otherwise.
fn name_score(name: &str, logical: &str, default: Option<&str>, words: &[&str]) -> u8 {
    let name = normalize(name);
    let exact = name == normalize(logical) || default.is_some_and(|d| normalize(d) == name) || words.contains(&&*name);
    if exact {
        2
    } else {
        u8::from(words.iter().chain([&logical]).any(|word| word.len() >= 4 && name.contains(&normalize(word))))
    }
}

/// The candidate columns of `table` for `field`, best first: (score, column, type).
fn field_candidates<'c>(columns: &'c [DbColumn], table: &str, field: &FieldSpec) -> Vec<(u8, &'c DbColumn)> {
    let mut found: Vec<(u8, &DbColumn)> = columns
        .iter()
        .filter(|c| c.table.eq_ignore_ascii_case(table) && field.ty.accepts(&c.data_type))
        .map(|c| (name_score(&c.column, field.name, field.default_name(), field.words), c))
        .filter(|(score, _)| *score > 0)
        .collect();
    found.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    found
}

/// The distinct table names of the database, in order.
fn table_names(columns: &[DbColumn]) -> Vec<&str> {
    let mut names: Vec<&str> = columns.iter().map(|c| c.table.as_str()).collect();
    names.dedup();
    names
}

fn present(columns: &[DbColumn], table: &str, column: Option<&str>) -> Option<String> {
    columns
        .iter()
        .find(|c| c.table.eq_ignore_ascii_case(table) && column.is_none_or(|name| c.column.eq_ignore_ascii_case(name)))
        .map(|c| if column.is_some() { c.column.clone() } else { c.table.clone() })
}

/// What the database lacks compared with the mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaGaps {
    pub missing_tables: Vec<String>,
    pub missing_columns: Vec<(String, String)>,
}

impl SchemaGaps {
    pub fn is_empty(&self) -> bool {
        self.missing_tables.is_empty() && self.missing_columns.is_empty()
    }
}

/// Compares the mapping with the columns of the database ([`columns`]), ignoring case as SQL
/// Server's default collations do.
pub fn gaps(mapping: &Mapping, columns: &[DbColumn]) -> SchemaGaps {
    let has_table = |table: &str| present(columns, table, None).is_some();
    let mut gaps = SchemaGaps::default();
    for table in mapping.tables() {
        if !has_table(table.name()) && !gaps.missing_tables.iter().any(|t| t == table.name()) {
            gaps.missing_tables.push(table.name().to_owned());
        }
    }
    for (table, column) in mapping.names() {
        let pair = (table.name().to_owned(), column.name().to_owned());
        if has_table(table.name())
            && present(columns, table.name(), Some(column.name())).is_none()
            && !gaps.missing_columns.contains(&pair)
        {
            gaps.missing_columns.push(pair);
        }
    }
    gaps
}

/// One mapped column, its type in the database and whether the tool reads its field exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedColumn {
    /// `devis.montant_ht`
    pub field: String,
    /// `Devis.TotalHT`
    pub column: String,
    /// `money`
    pub data_type: String,
    /// `Err`: why the tool cannot read it exactly.
    pub readable: Result<(), String>,
}

/// The type of every column the mapping names and the database has (`--check-schema`).
pub fn mapped_columns(mapping: &Mapping, columns: &[DbColumn]) -> Vec<MappedColumn> {
    let mut found = Vec::new();
    for spec in LAYOUT {
        let Some(table) = mapping.table_name(spec.name) else { continue };
        for field in spec.fields {
            let Some(column) = mapping.column_name(spec.name, field.name) else { continue };
            let Some(db) = columns
                .iter()
                .find(|c| c.table.eq_ignore_ascii_case(table.name()) && c.column.eq_ignore_ascii_case(column.name()))
            else {
                continue;
            };
            found.push(MappedColumn {
                field: format!("{}.{}", spec.name, field.name),
                column: format!("{}.{}", db.table, db.column),
                data_type: db.data_type.to_ascii_lowercase(),
                readable: readable(field.ty, &db.data_type),
            });
        }
    }
    found
}

/// Compares the database with the active mapping and proposes what it does not resolve.
pub fn inspect(mapping: &Mapping, columns: &[DbColumn]) -> Vec<TableReport> {
    let tables = table_names(columns);
    LAYOUT
        .iter()
        .map(|spec| {
            let active = mapping.table_name(spec.name).map(Ident::name);
            let resolved = active.and_then(|name| present(columns, name, None));
            let exact_fields = |table: &str| {
                spec.fields
                    .iter()
                    .filter(|field| field_candidates(columns, table, field).first().is_some_and(|c| c.0 == 2))
                    .count()
            };
            // Fields are only counted in tables whose name is a candidate: a Batigest dossier has
            // hundreds of tables.
            let mut candidates: Vec<(u8, usize, &str)> = tables
                .iter()
                .filter_map(|table| {
                    let score = name_score(table, spec.name, Some(spec.default_name()), spec.words);
                    (score > 0).then(|| (score, exact_fields(table), *table))
                })
                .collect();
            candidates.sort_by_key(|(score, fields, _)| std::cmp::Reverse((*score, *fields)));
            let (state, table) = match (&resolved, candidates.first()) {
                (Some(table), _) => (State::Resolved, Some(table.clone())),
                (None, Some((2, _, table))) if Ident::new(table).is_ok() => {
                    (State::Proposed, Some((*table).to_owned()))
                }
                _ => (State::Open, None),
            };
            let fields = spec
                .fields
                .iter()
                .map(|field| match &table {
                    Some(table) => inspect_field(mapping, columns, (spec.name, table), field),
                    None => FieldReport {
                        spec: field,
                        state: State::Open,
                        column: None,
                        candidates: Vec::new(),
                        missing: None,
                        data_type: None,
                    },
                })
                .collect();
            TableReport {
                spec,
                state,
                candidates: candidates
                    .iter()
                    .map(|(_, _, name)| (*name).to_owned())
                    .filter(|name| Some(name) != table.as_ref())
                    .collect(),
                missing: active.filter(|_| resolved.is_none()).map(str::to_owned),
                table,
                fields,
            }
        })
        .collect()
}

fn inspect_field(
    mapping: &Mapping,
    columns: &[DbColumn],
    (logical, table): (&str, &str),
    field: &'static FieldSpec,
) -> FieldReport {
    let active = mapping.column_name(logical, field.name).map(Ident::name);
    let resolved = active.and_then(|name| present(columns, table, Some(name)));
    let found = field_candidates(columns, table, field);
    let (state, column) = match (&resolved, found.first()) {
        (Some(column), _) => (State::Resolved, Some(column.clone())),
        (None, Some((2, c))) if Ident::new(&c.column).is_ok() => (State::Proposed, Some(c.column.clone())),
        _ => (State::Open, None),
    };
    let data_type = column.as_deref().and_then(|name| {
        columns
            .iter()
            .find(|c| c.table.eq_ignore_ascii_case(table) && c.column.eq_ignore_ascii_case(name))
            .map(|c| (c.data_type.to_ascii_lowercase(), readable(field.ty, &c.data_type)))
    });
    FieldReport {
        spec: field,
        state,
        data_type,
        candidates: found
            .iter()
            .filter(|(_, c)| Some(&c.column) != column.as_ref())
            .map(|(_, c)| format!("{} ({})", c.column, c.data_type))
            .collect(),
        missing: active.filter(|_| resolved.is_none()).map(str::to_owned),
        column,
    }
}

/// A TOML string: identifiers and type names need no escapes, but a comment or value must never
/// break a line.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn comment(state: State, candidates: &[String], missing: Option<&String>) -> String {
    let mut text = match state {
        State::Resolved => "relié par la correspondance active".to_owned(),
        State::Proposed => "proposé d'après le nom et le type : à vérifier".to_owned(),
        State::Open if candidates.is_empty() => "à compléter, ou laisser vide si la base ne l'a pas".to_owned(),
        State::Open => "à compléter".to_owned(),
    };
    if let Some(missing) = missing {
        let _ = write!(text, " (la correspondance active indiquait {missing}, absent de la base)");
    }
    if !candidates.is_empty() {
        let _ = write!(text, " ; autres candidats : {}", candidates.join(", "));
    }
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// What a status column holds, per stored code: `((table, field), validation column, census)`.
pub type StatusValues<'a> = [((&'a str, &'a str), Option<String>, Vec<Census>)];

/// The commented mapping file IT completes: every logical table and field, explicitly.
/// `values` holds, per status field, what each distinct code of its column holds.
pub fn mapping_file(reports: &[TableReport], mapping: &Mapping, database: &str, values: &StatusValues<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Correspondance du schéma Batigest de la base {database}, proposée par « jlm-batigest schema inspect ».\n\
         # Chaque champ logique est relié à une colonne de la base ; \"\" le laisse non relié : les commandes qui en\n\
         # ont besoin s'arrêtent en le nommant, celles qui ne font que l'afficher laissent la colonne vide.\n\
         # « proposé » : deviné d'après le nom et le type, à vérifier. « à compléter » : aucune colonne reconnue.\n\
         # Ensuite : jlm-batigest --schema CE_FICHIER test-connection --check-schema"
    );
    for report in reports {
        let _ = writeln!(out, "\n[tables.{}]", report.spec.name);
        let _ = writeln!(
            out,
            "name = {}  # {}",
            quoted(report.table.as_deref().unwrap_or_default()),
            comment(report.state, &report.candidates, report.missing.as_ref())
        );
        if report.spec.name == "devis" {
            write_acceptance(&mut out, mapping, report);
        }
        for ((table, field), validated, census) in values.iter().filter(|((table, _), _, _)| *table == report.spec.name)
        {
            write_values(&mut out, mapping, (table, field), validated.as_deref(), census);
        }
        let _ = writeln!(out, "[tables.{}.columns]", report.spec.name);
        for field in &report.fields {
            let typed = match &field.data_type {
                Some((data_type, Ok(()))) => format!(" [{data_type}, lu exactement]"),
                Some((data_type, Err(why))) => format!(" [{data_type} : illisible, {why}]"),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "{} = {}  # {}{typed}",
                field.spec.name,
                quoted(field.column.as_deref().unwrap_or_default()),
                comment(field.state, &field.candidates, field.missing.as_ref())
            );
        }
    }
    out
}

/// The acceptance rule: on when the active mapping has it or the validation date is Batigest's
/// `DateConcretis` (DESIGN §3).
fn write_acceptance(out: &mut String, mapping: &Mapping, devis: &TableReport) {
    let validation = devis.fields.iter().find(|f| f.spec.name == "date_validation").and_then(|f| f.column.as_deref());
    let concretis = validation.is_some_and(|column| column.eq_ignore_ascii_case("DateConcretis"));
    let rule = mapping.acceptance_date().is_some() || concretis;
    let _ = writeln!(
        out,
        "validated_means_accepted = {rule}  # true : un devis dont la date de validation ({}) est renseignée est ACCEPTE, \
         quel que soit son code",
        validation.unwrap_or("non reliée")
    );
}

/// `12 lignes du 03/01/2023 au 28/12/2025, dont 4 avec DateConcretis`
fn describe(census: &Census, validated: Option<&str>) -> String {
    let mut text = format!("{} lignes", census.count);
    if let (Some(first), Some(last)) = (census.first, census.last) {
        let _ = write!(text, " du {} au {}", first.format("%d/%m/%Y"), last.format("%d/%m/%Y"));
    }
    if let (Some(n), Some(column)) = (census.validated, validated) {
        let _ = write!(text, ", dont {n} avec {column}");
    }
    text
}

/// The value map of a status field: the active one, then, commented, every code found in the
/// column that it does not translate, with what the code holds, for the customer to name.
fn write_values(
    out: &mut String,
    mapping: &Mapping,
    (table, field): (&str, &str),
    validated: Option<&str>,
    census: &[Census],
) {
    let codes = logical_values(table, field);
    let map = mapping.values(table, field);
    let unread: Vec<&Census> = census.iter().filter(|c| mapping.logical(table, field, &c.stored).is_none()).collect();
    if map.is_none() && unread.is_empty() {
        return;
    }
    let _ = writeln!(out, "# {table}.{field} : valeurs stockées → statuts ({}).", codes.join(", "));
    let rule = (table == "devis").then(|| mapping.acceptance_date()).flatten();
    if let Some(date) = rule {
        let _ = writeln!(
            out,
            "# Un devis dont {} est renseignée est ACCEPTE quel que soit son code ; les autres codes ne\n\
             # veulent rien dire sans vous : nommez-les d'après la liste « État du devis » de votre dossier.",
            date.name()
        );
    }
    if let Some(map) = map {
        let _ = writeln!(out, "[tables.{table}.values.{field}]");
        for (stored, logical) in map.pairs() {
            let _ = writeln!(out, "{} = {}", quoted(stored), quoted(logical));
        }
    } else {
        let _ = writeln!(out, "# Traduisez chaque code en décommentant et complétant :");
        let _ = writeln!(out, "# [tables.{table}.values.{field}]");
    }
    for code in unread {
        let all_accepted = rule.is_some() && code.validated == Some(code.count);
        let _ = writeln!(
            out,
            "# {} = \"\"  # {}{}",
            quoted(&code.stored),
            describe(code, validated),
            if all_accepted { " : toutes lues ACCEPTE" } else { "" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_list_missing_tables_and_columns() {
        let present: Vec<DbColumn> = Mapping::default()
            .names()
            .filter(|(t, c)| t.name() != "FACTURES" && c.name() != "RESPONSABLE")
            .map(|(t, c)| DbColumn {
                table: t.name().to_lowercase(),
                column: c.name().to_owned(),
                data_type: "nvarchar".to_owned(),
            })
            .collect();
        let gaps = gaps(&Mapping::default(), &present);
        assert_eq!(gaps.missing_tables, ["FACTURES"]);
        assert_eq!(gaps.missing_columns, [("DEVIS".to_owned(), "RESPONSABLE".to_owned())]);
    }

    fn db(table: &str, columns: &[(&str, &str)]) -> Vec<DbColumn> {
        columns
            .iter()
            .map(|(column, data_type)| DbColumn {
                table: table.to_owned(),
                column: (*column).to_owned(),
                data_type: (*data_type).to_owned(),
            })
            .collect()
    }

    #[test]
    fn names_score_by_exact_word_then_contained_word() {
        assert_eq!(name_score("TotalHT", "montant_ht", Some("MONTANT_HT"), &["totalht"]), 2);
        assert_eq!(name_score("MONTANT_HT", "montant_ht", Some("MONTANT_HT"), &[]), 2);
        assert_eq!(name_score("DateEcheanceReelle", "date_echeance", None, &["echeance"]), 1);
        assert_eq!(name_score("Sujet", "reference_affaire", None, &["affaire"]), 0);
    }

    #[test]
    fn resolves_proposes_and_leaves_open() {
        let mut columns = db(
            "Facture",
            &[("Code", "nvarchar"), ("Date", "date"), ("TotalHT", "decimal"), ("Etat", "int"), ("Regle2", "nvarchar")],
        );
        columns.extend(db("Devis", &[("Code", "nvarchar"), ("TotalHT", "decimal"), ("MargeBrute", "float")]));
        let mapping = Mapping::builtin("batigest").expect("built in");
        let reports = inspect(&mapping, &columns);
        let factures = reports.iter().find(|r| r.spec.name == "factures").expect("factures");
        assert_eq!((factures.state, factures.table.as_deref()), (State::Proposed, Some("Facture")));
        let field = |name: &str| factures.fields.iter().find(|f| f.spec.name == name).expect("field");
        assert_eq!(
            (field("numero_facture").state, field("numero_facture").column.as_deref()),
            (State::Proposed, Some("Code"))
        );
        assert_eq!(field("date_facture").column.as_deref(), Some("Date"));
        assert_eq!(field("statut_reglement").column.as_deref(), Some("Etat"));
        // A text column cannot hold an amount, whatever its name.
        assert_eq!((field("montant_regle").state, field("montant_regle").column.as_deref()), (State::Open, None));
        let devis = reports.iter().find(|r| r.spec.name == "devis").expect("devis");
        assert_eq!(devis.state, State::Resolved);
        let marge = devis.fields.iter().find(|f| f.spec.name == "taux_marge").expect("taux_marge");
        assert_eq!((marge.state, marge.column.as_deref()), (State::Open, None));
        assert_eq!(marge.candidates, ["MargeBrute (float)"]);
        let missing = devis.fields.iter().find(|f| f.spec.name == "date_creation").expect("date_creation");
        assert_eq!(missing.missing.as_deref(), Some("Date"));

        let code = |stored: &str, count, validated| Census {
            stored: stored.to_owned(),
            count,
            first: "2023-01-03T00:00:00".parse().ok(),
            last: "2025-12-28T00:00:00".parse().ok(),
            validated,
        };
        let found = [
            (
                ("devis", "statut"),
                Some("DateConcretis".to_owned()),
                vec![code("3", 40, Some(40)), code("7", 12, Some(0))],
            ),
            (("factures", "statut_reglement"), None, vec![code("0", 5, None), code("1", 2, None)]),
        ];
        let text = mapping_file(&reports, &mapping, "BTG", &found);
        assert!(text.contains("[tables.factures]\nname = \"Facture\"  # proposé"), "{text}");
        assert!(
            text.contains(
                "# [tables.factures.values.statut_reglement]\n# \"0\" = \"\"  # 5 lignes du 03/01/2023 au 28/12/2025\n\
                 # \"1\" = \"\"  # 2 lignes"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "[tables.devis.values.statut]\n# \"3\" = \"\"  # 40 lignes du 03/01/2023 au 28/12/2025, dont 40 avec \
                 DateConcretis : toutes lues ACCEPTE\n# \"7\" = \"\"  # 12 lignes du 03/01/2023 au 28/12/2025, dont 0 avec \
                 DateConcretis\n"
            ),
            "{text}"
        );
        let parsed = Mapping::from_toml_for_tests(&text);
        assert_eq!(parsed.column("factures", "date_facture").map(Ident::name), Ok("Date"));
        assert!(parsed.column("factures", "montant_regle").is_err());
    }
}
