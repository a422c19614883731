//! The schema mapping: every Batigest table and column name the tool uses, in one place.
//!
//! Queries name logical fields (`devis.numero_devis`); the mapping turns them into validated,
//! bracket-quoted identifiers (`[DEVIS].[NUMERO_DEVIS]`). The built-in default is the layout of the
//! original integration (DESIGN §3); a TOML file can rename any table or column.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

/// The default layout: logical table, then its logical columns. Logical names are the default
/// physical names in lower case.
const DEFAULT_LAYOUT: &[(&str, &[&str])] = &[
    ("clients", &["ID", "CODE_CLIENT", "NOM", "VILLE"]),
    ("familles", &["ID", "CODE_FAMILLE", "LIBELLE"]),
    ("sous_familles", &["ID", "FAMILLE_ID", "CODE_SOUS_FAMILLE", "LIBELLE"]),
    (
        "ouvrages",
        &[
            "ID",
            "CODE_OUVRAGE",
            "LIBELLE",
            "UNITE",
            "PRIX_ACHAT_HT",
            "PRIX_VENTE_HT",
            "TAUX_FRAIS_GENERAUX",
            "TAUX_BENEFICE",
            "FAMILLE_ID",
            "SOUS_FAMILLE_ID",
            "ACTIF",
        ],
    ),
    (
        "devis",
        &[
            "ID",
            "NUMERO_DEVIS",
            "REFERENCE_AFFAIRE",
            "CLIENT_ID",
            "MONTANT_HT",
            "MONTANT_TTC",
            "TAUX_MARGE",
            "DATE_CREATION",
            "DATE_VALIDATION",
            "STATUT",
            "RESPONSABLE",
        ],
    ),
    (
        "factures",
        &[
            "ID",
            "NUMERO_FACTURE",
            "NUMERO_DEVIS",
            "CLIENT_ID",
            "MONTANT_HT",
            "MONTANT_TTC",
            "DATE_FACTURE",
            "DATE_ECHEANCE",
            "STATUT_REGLEMENT",
            "MONTANT_REGLE",
        ],
    ),
];

/// A SQL Server identifier that passed validation; displays bracket-quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident(String);

impl Ident {
    /// Accepts `[A-Za-z_][A-Za-z0-9_]*` only: nothing that could close a bracket or start a statement.
    pub fn new(name: &str) -> Result<Self, String> {
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= 128;
        if valid { Ok(Self(name.to_owned())) } else { Err(name.to_owned()) }
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TableMap {
    name: Ident,
    columns: BTreeMap<String, Ident>,
}

/// The active mapping, resolved once: names for every logical table and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    tables: BTreeMap<String, TableMap>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("{file} : {detail}")]
    File { file: String, detail: String },
}

/// The TOML shape of a mapping file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    tables: BTreeMap<String, TableOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableOverride {
    name: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

impl Default for Mapping {
    fn default() -> Self {
        let tables = DEFAULT_LAYOUT
            .iter()
            .map(|(table, columns)| {
                let columns =
                    columns.iter().map(|column| (column.to_lowercase(), Ident((*column).to_owned()))).collect();
                ((*table).to_owned(), TableMap { name: Ident(table.to_uppercase()), columns })
            })
            .collect();
        Self { tables }
    }
}

impl Mapping {
    /// The default layout with the overrides of a TOML file:
    ///
    /// ```toml
    /// [tables.devis]
    /// name = "Devis"
    /// columns = { numero_devis = "Code", montant_ht = "TotalHT" }
    /// ```
    pub fn from_file(path: &Path) -> Result<Self, MappingError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| MappingError::File { file: file.clone(), detail: format!("lecture impossible ({e})") })?;
        Self::from_toml(&text).map_err(|detail| MappingError::File { file, detail })
    }

    fn from_toml(text: &str) -> Result<Self, String> {
        let parsed: MappingFile = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        let mut mapping = Self::default();
        for (table, overrides) in parsed.tables {
            let known = mapping.tables.keys().cloned().collect::<Vec<_>>().join(", ");
            let entry = mapping
                .tables
                .get_mut(table.as_str())
                .ok_or_else(|| format!("table logique inconnue « {table} » (connues : {known})"))?;
            if let Some(name) = overrides.name {
                entry.name = Ident::new(&name).map_err(|bad| {
                    format!("nom de table invalide pour {table} : « {bad} » (lettres, chiffres et _)")
                })?;
            }
            for (column, name) in overrides.columns {
                let known = entry.columns.keys().cloned().collect::<Vec<_>>().join(", ");
                let slot = entry
                    .columns
                    .get_mut(column.as_str())
                    .ok_or_else(|| format!("colonne logique inconnue « {table}.{column} » (connues : {known})"))?;
                *slot = Ident::new(&name).map_err(|bad| {
                    format!("nom de colonne invalide pour {table}.{column} : « {bad} » (lettres, chiffres et _)")
                })?;
            }
        }
        Ok(mapping)
    }

    /// The physical name of a logical table. Logical names are fixed in the code: an unknown one
    /// is a bug, not a user error.
    pub fn table(&self, table: &str) -> &Ident {
        &self.tables.get(table).unwrap_or_else(|| panic!("unknown logical table {table}")).name
    }

    /// The physical name of a logical column.
    pub fn column(&self, table: &str, column: &str) -> &Ident {
        self.tables
            .get(table)
            .and_then(|t| t.columns.get(column))
            .unwrap_or_else(|| panic!("unknown logical column {table}.{column}"))
    }

    /// Every (table, column) pair the mapping names, for `--check-schema`.
    pub fn names(&self) -> impl Iterator<Item = (&Ident, &Ident)> {
        self.tables.values().flat_map(|table| table.columns.values().map(move |column| (&table.name, column)))
    }

    /// The physical tables, in logical order.
    pub fn tables(&self) -> impl Iterator<Item = &Ident> {
        self.tables.values().map(|table| &table.name)
    }
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

/// Compares the mapping with the `(table, column)` pairs found in `INFORMATION_SCHEMA.COLUMNS`.
/// SQL Server's default collations ignore case, so the comparison does too.
pub fn gaps(mapping: &Mapping, present: &[(String, String)]) -> SchemaGaps {
    let has_table = |table: &str| present.iter().any(|(t, _)| t.eq_ignore_ascii_case(table));
    let has_column = |table: &str, column: &str| {
        present.iter().any(|(t, c)| t.eq_ignore_ascii_case(table) && c.eq_ignore_ascii_case(column))
    };
    let mut gaps = SchemaGaps::default();
    for table in mapping.tables() {
        if !has_table(table.name()) {
            gaps.missing_tables.push(table.name().to_owned());
        }
    }
    for (table, column) in mapping.names() {
        if has_table(table.name()) && !has_column(table.name(), column.name()) {
            gaps.missing_columns.push((table.name().to_owned(), column.name().to_owned()));
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_validated_and_bracketed() {
        assert_eq!(Ident::new("NUMERO_DEVIS").map(|i| i.to_string()), Ok("[NUMERO_DEVIS]".to_owned()));
        for bad in ["Devis; DROP TABLE x", "a]b", "", "1abc", "Dévis", "a b"] {
            assert!(Ident::new(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn the_default_layout_is_design_3() {
        let mapping = Mapping::default();
        let tables: Vec<_> = mapping.tables().map(Ident::name).collect();
        assert_eq!(tables, ["CLIENTS", "DEVIS", "FACTURES", "FAMILLES", "OUVRAGES", "SOUS_FAMILLES"]);
        assert_eq!(mapping.names().count(), 4 + 11 + 10 + 3 + 11 + 4);
    }

    #[test]
    fn a_file_renames_tables_and_columns() {
        let mapping = Mapping::from_toml(
            "[tables.devis]\nname = \"Devis\"\ncolumns = { numero_devis = \"Code\", montant_ht = \"TotalHT\" }\n",
        )
        .expect("valid mapping");
        let devis: Vec<_> = mapping.names().filter(|(t, _)| t.name() == "Devis").map(|(_, c)| c.name()).collect();
        assert!(devis.contains(&"Code") && devis.contains(&"TotalHT") && devis.contains(&"STATUT"));
    }

    #[test]
    fn a_file_with_an_injection_is_refused() {
        let error = Mapping::from_toml("[tables.devis]\nname = \"Devis; DROP TABLE x\"\n").expect_err("refused");
        assert!(error.contains("« Devis; DROP TABLE x »"), "{error}");
        let error = Mapping::from_toml("[tables.devis.columns]\nnumero = \"Code\"\n").expect_err("refused");
        assert!(error.contains("devis.numero"), "{error}");
        assert!(Mapping::from_toml("[tables.devise]\n").expect_err("refused").contains("devise"));
    }

    #[test]
    fn gaps_list_missing_tables_and_columns() {
        let present: Vec<(String, String)> = Mapping::default()
            .names()
            .filter(|(t, c)| t.name() != "FACTURES" && c.name() != "RESPONSABLE")
            .map(|(t, c)| (t.name().to_lowercase(), c.name().to_owned()))
            .collect();
        let gaps = gaps(&Mapping::default(), &present);
        assert_eq!(gaps.missing_tables, ["FACTURES"]);
        assert_eq!(gaps.missing_columns, [("DEVIS".to_owned(), "RESPONSABLE".to_owned())]);
    }
}
