//! The schema mapping: every Batigest table and column name the tool uses, in one place.
//!
//! Queries name logical fields (`devis.numero_devis`); the mapping turns them into validated,
//! bracket-quoted identifiers (`[DEVIS].[NUMERO_DEVIS]`). Two mappings are built in: the layout
//! of the original integration (DESIGN §3, the default) and `batigest`, what is publicly known of
//! real Batigest databases. A TOML file starts from either and renames, unmaps or adds value maps.
//!
//! A logical field may be *unmapped* (the database has no such column, or nobody knows it yet):
//! a query that needs it fails with [`Unmapped`], which names the key to set; a query that only
//! displays it selects a typed `NULL` instead. Status fields may hold other values than the
//! logical codes (an integer `Etat`): a value map translates them both ways.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::model::{Statut, StatutReglement};

/// What a logical field holds: decides the type of its `NULL` stand-in and which column types
/// `schema inspect` proposes for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// An identifier or code another table refers to: integer or text.
    Key,
    Text,
    Amount,
    Rate,
    DateTime,
    Date,
    Flag,
    /// A status code, translated by the field's value map when it has one.
    Status,
}

impl FieldType {
    /// The SQL Server type of the `NULL` selected when the field is unmapped.
    fn null_type(self) -> &'static str {
        match self {
            FieldType::Key => "NVARCHAR(50)",
            FieldType::Text | FieldType::Status => "NVARCHAR(200)",
            FieldType::Amount => "DECIMAL(18,4)",
            FieldType::Rate => "DECIMAL(9,4)",
            FieldType::DateTime => "DATETIME2",
            FieldType::Date => "DATE",
            FieldType::Flag => "BIT",
        }
    }

    /// What a column holding the field must be, in French.
    pub fn expected(self) -> &'static str {
        match self {
            FieldType::Key | FieldType::Status => "un texte ou un entier",
            FieldType::Text => "un texte (CHAR, VARCHAR, NVARCHAR…)",
            FieldType::Amount | FieldType::Rate => "un nombre (DECIMAL, NUMERIC, MONEY, INT…)",
            FieldType::DateTime | FieldType::Date => "une date (DATE, DATETIME, DATETIME2…)",
            FieldType::Flag => "un BIT ou un entier",
        }
    }

    /// Whether a column of `INFORMATION_SCHEMA.COLUMNS.DATA_TYPE` `data_type` can hold the field.
    pub fn accepts(self, data_type: &str) -> bool {
        const TEXT: &[&str] = &["char", "varchar", "nchar", "nvarchar", "text", "ntext"];
        const INTEGER: &[&str] = &["int", "bigint", "smallint", "tinyint"];
        const NUMBER: &[&str] = &["decimal", "numeric", "money", "smallmoney", "float", "real"];
        const DATE: &[&str] = &["date", "datetime", "datetime2", "smalldatetime", "datetimeoffset"];
        let data_type = data_type.to_ascii_lowercase();
        let is = |types: &[&str]| types.contains(&data_type.as_str());
        match self {
            FieldType::Key | FieldType::Status => is(TEXT) || is(INTEGER),
            FieldType::Text => is(TEXT),
            FieldType::Amount | FieldType::Rate => is(NUMBER) || is(INTEGER),
            FieldType::DateTime | FieldType::Date => is(DATE),
            FieldType::Flag => data_type == "bit" || is(INTEGER),
        }
    }
}

/// One logical field: its name, what it holds, its name in the default layout (`None`: not in
/// that layout), and the column names (lower case, without `_`) `schema inspect` recognises.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: FieldType,
    default: Option<&'static str>,
    pub words: &'static [&'static str],
}

/// One logical table, its default name, its recognised names and its fields.
#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    default: &'static str,
    pub words: &'static [&'static str],
    pub fields: &'static [FieldSpec],
}

impl FieldSpec {
    /// Its name in the default layout, if it has one there.
    pub fn default_name(&self) -> Option<&'static str> {
        self.default
    }
}

impl TableSpec {
    /// Its name in the default layout.
    pub fn default_name(&self) -> &'static str {
        self.default
    }
}

const fn field(
    name: &'static str,
    ty: FieldType,
    default: Option<&'static str>,
    words: &'static [&'static str],
) -> FieldSpec {
    FieldSpec { name, ty, default, words }
}

use FieldType::{Amount, Date, DateTime, Flag, Key, Rate, Status, Text};

/// The logical layout. Joins go by code when both sides map their code field (`devis.code_client`
/// and `clients.code_client`), by id otherwise (`devis.client_id` and `clients.id`).
pub const LAYOUT: &[TableSpec] = &[
    TableSpec {
        name: "clients",
        default: "CLIENTS",
        words: &["client", "clients", "tiers"],
        fields: &[
            field("id", Key, Some("ID"), &["id"]),
            field("code_client", Key, Some("CODE_CLIENT"), &["code", "codeclient"]),
            field("nom", Text, Some("NOM"), &["nom", "raisonsociale", "nomclient"]),
            field("ville", Text, Some("VILLE"), &["ville"]),
        ],
    },
    TableSpec {
        name: "familles",
        default: "FAMILLES",
        words: &["famille", "familles", "famillearticle", "familleouvrage"],
        fields: &[
            field("id", Key, Some("ID"), &["id"]),
            field("code_famille", Key, Some("CODE_FAMILLE"), &["code", "codefamille"]),
            field("libelle", Text, Some("LIBELLE"), &["libelle", "libellestd", "designation"]),
        ],
    },
    TableSpec {
        name: "sous_familles",
        default: "SOUS_FAMILLES",
        words: &["sousfamille", "sousfamilles", "sousfamillearticle"],
        fields: &[
            field("id", Key, Some("ID"), &["id"]),
            field("famille_id", Key, Some("FAMILLE_ID"), &[]),
            field("code_sous_famille", Key, Some("CODE_SOUS_FAMILLE"), &["code", "codesousfamille"]),
            field("libelle", Text, Some("LIBELLE"), &["libelle", "libellestd", "designation"]),
        ],
    },
    TableSpec {
        name: "ouvrages",
        default: "OUVRAGES",
        words: &["ouvrage", "ouvrages", "elementdef", "element", "article"],
        fields: &[
            field("id", Key, Some("ID"), &["id"]),
            field("code_ouvrage", Key, Some("CODE_OUVRAGE"), &["code", "codeouvrage", "codeelement"]),
            field("libelle", Text, Some("LIBELLE"), &["libelle", "libellestd", "designation"]),
            field("unite", Text, Some("UNITE"), &["unite", "u"]),
            field("prix_achat_ht", Amount, Some("PRIX_ACHAT_HT"), &["pa", "prixachat", "prixachatht", "pau"]),
            field("prix_vente_ht", Amount, Some("PRIX_VENTE_HT"), &["pv", "prixvente", "prixventeht", "pvht"]),
            field("taux_frais_generaux", Rate, Some("TAUX_FRAIS_GENERAUX"), &["fraisgeneraux", "tauxfg", "fg"]),
            field("taux_benefice", Rate, Some("TAUX_BENEFICE"), &["benefice", "tauxbenefice", "tauxbenef"]),
            field("famille_id", Key, Some("FAMILLE_ID"), &[]),
            field("sous_famille_id", Key, Some("SOUS_FAMILLE_ID"), &[]),
            field("code_famille", Key, None, &["famille", "codefamille"]),
            field("code_sous_famille", Key, None, &["sousfamille", "codesousfamille"]),
            field("actif", Flag, Some("ACTIF"), &["actif", "active"]),
        ],
    },
    TableSpec {
        name: "devis",
        default: "DEVIS",
        words: &["devis", "devisentete", "entetedevis"],
        fields: &[
            field("id", Key, Some("ID"), &["id"]),
            field("numero_devis", Key, Some("NUMERO_DEVIS"), &["code", "numero", "numdevis", "codedevis"]),
            field("reference_affaire", Text, Some("REFERENCE_AFFAIRE"), &["affaire", "refaffaire", "codeaffaire"]),
            field("client_id", Key, Some("CLIENT_ID"), &[]),
            field("code_client", Key, None, &["codeclient", "client"]),
            field("nom_client", Text, None, &["nom", "nomclient"]),
            field("montant_ht", Amount, Some("MONTANT_HT"), &["totalht", "montantht", "mtht", "ht"]),
            field("montant_ttc", Amount, Some("MONTANT_TTC"), &["totalttc", "montantttc", "mtttc", "ttc"]),
            field("taux_marge", Rate, Some("TAUX_MARGE"), &["tauxmarge", "marge"]),
            field("date_creation", DateTime, Some("DATE_CREATION"), &["date", "datecreation", "datedevis"]),
            field("date_validation", DateTime, Some("DATE_VALIDATION"), &["dateconcretis", "datevalidation"]),
            field("statut", Status, Some("STATUT"), &["etat", "statut"]),
            field("responsable", Text, Some("RESPONSABLE"), &["responsable", "commercial", "redacteur"]),
        ],
    },
    TableSpec {
        name: "factures",
        default: "FACTURES",
        words: &["facture", "factures", "facturedef", "factureentete", "entetefacture"],
        fields: &[
            field("id", Key, Some("ID"), &["id"]),
            field("numero_facture", Key, Some("NUMERO_FACTURE"), &["code", "numero", "numfacture", "codefacture"]),
            field("numero_devis", Key, Some("NUMERO_DEVIS"), &["codedevis", "devis", "numdevis"]),
            field("client_id", Key, Some("CLIENT_ID"), &[]),
            field("code_client", Key, None, &["codeclient", "client"]),
            field("nom_client", Text, None, &["nom", "nomclient"]),
            field("montant_ht", Amount, Some("MONTANT_HT"), &["totalht", "montantht", "mtht", "ht"]),
            field("montant_ttc", Amount, Some("MONTANT_TTC"), &["totalttc", "montantttc", "mtttc", "ttc"]),
            field("date_facture", Date, Some("DATE_FACTURE"), &["date", "datefacture"]),
            field("date_echeance", Date, Some("DATE_ECHEANCE"), &["echeance", "dateecheance"]),
            field("statut_reglement", Status, Some("STATUT_REGLEMENT"), &["etat", "etatreglement", "statut"]),
            field(
                "montant_regle",
                Amount,
                Some("MONTANT_REGLE"),
                &["regle", "montantregle", "totalregle", "reglement"],
            ),
        ],
    },
];

/// The logical codes a status field's value map may name.
pub fn logical_values(table: &str, field: &str) -> Vec<&'static str> {
    match (table, field) {
        ("devis", "statut") => Statut::ALL.iter().map(|s| s.code()).collect(),
        ("factures", "statut_reglement") => StatutReglement::ALL.iter().map(|s| s.code()).collect(),
        _ => Vec::new(),
    }
}

/// The built-in mapping names that `schema = "…"` and `--schema` accept besides a file path.
pub const BUILTIN: &[&str] = &["batigest"];

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

/// How a status field's stored values read as logical codes: `0 → BROUILLON`, …
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueMap(Vec<(String, &'static str)>);

/// A stored value to compare with, typed as the map's key was written: `0` stays an integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raw {
    Integer(i64),
    Text(String),
}

impl ValueMap {
    /// The logical code of a stored value, if the map names it.
    pub fn logical(&self, raw: &str) -> Option<&'static str> {
        let raw = raw.trim();
        self.0.iter().find(|(stored, _)| stored == raw).map(|(_, logical)| *logical)
    }

    /// The stored values of a logical code, as parameters should carry them.
    pub fn raw(&self, logical: &str) -> Vec<Raw> {
        self.0
            .iter()
            .filter(|(_, code)| *code == logical)
            .map(|(stored, _)| match stored.parse::<i64>() {
                Ok(n) if n.to_string() == *stored => Raw::Integer(n),
                _ => Raw::Text(stored.clone()),
            })
            .collect()
    }

    pub fn pairs(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.0.iter().map(|(stored, logical)| (stored.as_str(), *logical))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TableMap {
    name: Option<Ident>,
    columns: BTreeMap<&'static str, Option<Ident>>,
    values: BTreeMap<&'static str, ValueMap>,
    /// Devis only: a quote whose validation date is set is ACCEPTE whatever its stored status
    /// (Batigest's `DateConcretis`, DESIGN §3).
    validated_means_accepted: bool,
}

/// The active mapping, resolved once: names for every logical table and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    tables: BTreeMap<&'static str, TableMap>,
}

/// A logical table or field that a command needs but the mapping leaves unmapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unmapped {
    #[error(
        "la table logique {0} n'est reliée à aucune table : renseignez [tables.{0}] name = \"…\" dans le fichier de \
         correspondance"
    )]
    Table(&'static str),
    #[error(
        "le champ {table}.{column} n'est pas relié à une colonne : renseignez [tables.{table}.columns] {column} = \"…\" \
         dans le fichier de correspondance"
    )]
    Column { table: &'static str, column: &'static str },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MappingError {
    /// The file cannot be read at all.
    #[error("{file} : lecture impossible ({reason})")]
    Unreadable { file: String, reason: String },
    /// The file is read but what it says is refused.
    #[error("{file} : {detail}")]
    File { file: String, detail: String },
}

/// The TOML shape of a mapping file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    base: Option<String>,
    #[serde(default)]
    tables: BTreeMap<String, TableOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableOverride {
    name: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    validated_means_accepted: Option<bool>,
}

impl Default for Mapping {
    /// The layout of the original integration (DESIGN §3).
    fn default() -> Self {
        let tables = LAYOUT
            .iter()
            .map(|spec| {
                let columns = spec
                    .fields
                    .iter()
                    .map(|field| (field.name, field.default.map(|name| Ident(name.to_owned()))))
                    .collect();
                let map = TableMap {
                    name: Some(Ident(spec.default.to_owned())),
                    columns,
                    values: BTreeMap::new(),
                    validated_means_accepted: false,
                };
                (spec.name, map)
            })
            .collect();
        Self { tables }
    }
}

/// What is publicly known of real Batigest databases (`BTG_DOS_<dossier>`); everything else is
/// left unmapped. The client's name comes from `Client`, joined by `Client.Code = Devis.CodeClient`. Each company defines its own list of quote states: the only evidence is that a
/// quote with `DateConcretis` set was accepted, so no `Etat` code is given a meaning here (the
/// empty value map): the customer's profile names them, `schema inspect --write` proposes them.
const BATIGEST: &str = r#"
[tables.devis]
name = "Devis"
validated_means_accepted = true
values.statut = {}
[tables.devis.columns]
id = ""
numero_devis = "Code"
reference_affaire = ""
client_id = ""
code_client = "CodeClient"
nom_client = ""
montant_ht = "TotalHT"
montant_ttc = ""
taux_marge = ""
date_creation = "Date"
date_validation = "DateConcretis"
statut = "Etat"
responsable = ""

[tables.ouvrages]
name = "ElementDef"
[tables.ouvrages.columns]
id = ""
code_ouvrage = "Code"
libelle = "LibelleStd"
unite = ""
prix_achat_ht = "PA"
prix_vente_ht = ""
taux_frais_generaux = ""
taux_benefice = ""
famille_id = ""
sous_famille_id = ""
code_famille = "Famille"
code_sous_famille = ""
actif = ""

[tables.familles]
name = "FamilleArticle"
columns = { id = "", code_famille = "Code", libelle = "Libelle" }

[tables.clients]
name = "Client"
columns = { id = "", code_client = "Code", nom = "Nom", ville = "" }

[tables.sous_familles]
name = ""
[tables.factures]
name = ""
"#;

impl Mapping {
    /// A built-in mapping by name (`batigest`).
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "batigest" => Some(Self::default().apply(BATIGEST).expect("the built-in batigest mapping is valid")),
            _ => None,
        }
    }

    /// A mapping file: the default layout, or the built-in one named by `base`, with the
    /// file's changes:
    ///
    /// ```toml
    /// base = "batigest"
    /// [tables.factures]
    /// name = "Facture"
    /// columns = { numero_facture = "Code", montant_regle = "" }
    /// values.statut_reglement = { 0 = "NON_REGLE", 1 = "PARTIELLEMENT_REGLE", 2 = "REGLE" }
    /// ```
    pub fn from_file(path: &Path) -> Result<Self, MappingError> {
        let file = path.display().to_string();
        let text = crate::files::read_text(path)
            .map_err(|e| MappingError::Unreadable { file: file.clone(), reason: crate::files::reason(&e) })?;
        Self::from_toml(&text).map_err(|detail| MappingError::File { file, detail })
    }

    /// A mapping from TOML text, for other modules' tests.
    #[cfg(test)]
    pub fn from_toml_for_tests(text: &str) -> Self {
        Self::from_toml(text).expect("valid mapping")
    }

    fn from_toml(text: &str) -> Result<Self, String> {
        let base: MappingFile = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        let start = match base.base.as_deref() {
            None | Some("defaut" | "") => Self::default(),
            Some(name) => Self::builtin(name)
                .ok_or_else(|| format!("base « {name} » inconnue (possibles : defaut, {})", BUILTIN.join(", ")))?,
        };
        start.apply(text)
    }

    /// This mapping with the changes of a mapping file's text.
    fn apply(mut self, text: &str) -> Result<Self, String> {
        let parsed: MappingFile = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        for (table, changes) in parsed.tables {
            let known = self.tables.keys().copied().collect::<Vec<_>>().join(", ");
            let (&logical, entry) = self
                .tables
                .iter_mut()
                .find(|(name, _)| **name == table)
                .ok_or_else(|| format!("table logique inconnue « {table} » (connues : {known})"))?;
            if let Some(rule) = changes.validated_means_accepted {
                if logical != "devis" {
                    return Err(format!(
                        "validated_means_accepted ne s'applique qu'à [tables.devis], pas à [tables.{table}]"
                    ));
                }
                entry.validated_means_accepted = rule;
            }
            if let Some(name) = changes.name {
                entry.name = identifier(&name).map_err(|bad| {
                    format!("nom de table invalide pour {table} : « {bad} » (lettres, chiffres et _)")
                })?;
                // A table that is not there has none of the columns the base gave it.
                if entry.name.is_none() {
                    entry.columns.values_mut().for_each(|column| *column = None);
                    entry.values.clear();
                }
            }
            for (column, name) in changes.columns {
                let slot = column_slot(entry, logical, &column)?;
                *slot = identifier(&name).map_err(|bad| {
                    format!("nom de colonne invalide pour {table}.{column} : « {bad} » (lettres, chiffres et _)")
                })?;
            }
            for (column, pairs) in changes.values {
                column_slot(entry, logical, &column)?;
                let allowed = logical_values(logical, &column);
                let (&field, _) = entry.columns.iter().find(|(name, _)| **name == column).expect("checked above");
                if allowed.is_empty() {
                    return Err(format!("{table}.{column} n'accepte pas de table de valeurs (seulement les statuts)"));
                }
                let mut map = Vec::new();
                for (stored, code) in pairs {
                    let code =
                        allowed.iter().find(|allowed| allowed.eq_ignore_ascii_case(code.trim())).ok_or_else(|| {
                            format!(
                                "valeur « {code} » inconnue pour {table}.{column} (possibles : {})",
                                allowed.join(", ")
                            )
                        })?;
                    map.push((stored.trim().to_owned(), *code));
                }
                entry.values.insert(field, ValueMap(map));
            }
        }
        Ok(self)
    }

    /// The physical name of a logical table. Logical names are fixed in the code: an unknown one
    /// is a bug, not a user error.
    pub fn table(&self, table: &str) -> Result<&Ident, Unmapped> {
        let (name, map) = self.entry(table);
        map.name.as_ref().ok_or(Unmapped::Table(name))
    }

    /// The physical name of a logical column; unmapped if its table is.
    pub fn column(&self, table: &str, column: &str) -> Result<&Ident, Unmapped> {
        self.table(table)?;
        let (table, map) = self.entry(table);
        let (column, name) = map
            .columns
            .iter()
            .find(|(name, _)| **name == column)
            .unwrap_or_else(|| panic!("unknown logical column {table}.{column}"));
        name.as_ref().ok_or(Unmapped::Column { table, column })
    }

    /// `alias.[Column]`, or a `NULL` of the field's type when unmapped: for fields that are
    /// only displayed.
    pub fn select(&self, alias: &str, table: &str, column: &str) -> String {
        match self.column(table, column) {
            Ok(name) => format!("{alias}.{name}"),
            Err(_) => format!("CAST(NULL AS {})", field_spec(table, column).ty.null_type()),
        }
    }

    /// The validation-date column when it decides that a quote is accepted (the built-in
    /// `batigest` rule, `validated_means_accepted`); `None` when the rule is off or the column unmapped.
    pub fn acceptance_date(&self) -> Option<&Ident> {
        let (_, devis) = self.entry("devis");
        if devis.validated_means_accepted { self.column("devis", "date_validation").ok() } else { None }
    }

    /// The value map of a status field, if any: without one, stored values are the logical codes.
    pub fn values(&self, table: &str, column: &str) -> Option<&ValueMap> {
        self.entry(table).1.values.get(column)
    }

    /// The logical code a value stored in a status field stands for: through the field's value
    /// map, or, without one, the code itself in any case. `None` for a value the tool cannot read.
    pub fn logical(&self, table: &str, field: &str, stored: &str) -> Option<&'static str> {
        match self.values(table, field) {
            Some(map) => map.logical(stored),
            // Without allocating: row decoding asks this for every row.
            None => match (table, field) {
                ("devis", "statut") => stored.parse().ok().map(Statut::code),
                ("factures", "statut_reglement") => stored.parse().ok().map(StatutReglement::code),
                _ => None,
            },
        }
    }

    /// The name a logical table is given, even when its columns do not matter (`schema inspect`).
    pub fn table_name(&self, table: &str) -> Option<&Ident> {
        self.entry(table).1.name.as_ref()
    }

    /// The name a logical column is given, whether or not its table is mapped.
    pub fn column_name(&self, table: &str, column: &str) -> Option<&Ident> {
        self.entry(table).1.columns.get(column).and_then(Option::as_ref)
    }

    fn entry(&self, table: &str) -> (&'static str, &TableMap) {
        self.tables
            .iter()
            .find(|(name, _)| **name == table)
            .map_or_else(|| panic!("unknown logical table {table}"), |(name, map)| (*name, map))
    }

    /// Every mapped (table, column) pair, for `--check-schema`.
    pub fn names(&self) -> impl Iterator<Item = (&Ident, &Ident)> {
        self.tables.values().filter_map(|table| table.name.as_ref().map(|name| (name, table))).flat_map(
            |(name, table)| table.columns.values().filter_map(move |column| column.as_ref().map(|c| (name, c))),
        )
    }

    /// Every mapped field: its logical table and column, and the physical table and column.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &'static str, &Ident, &Ident)> {
        self.tables.iter().filter_map(|(table, map)| map.name.as_ref().map(|name| (*table, name, map))).flat_map(
            |(table, name, map)| {
                map.columns.iter().filter_map(move |(column, ident)| ident.as_ref().map(|c| (table, *column, name, c)))
            },
        )
    }

    /// The logical keys (`devis.montant_ht`, or `devis` for a table) a physical name is given to,
    /// compared as SQL Server does (case-insensitively): what a server's refusal quoting that name
    /// points to in the mapping.
    pub fn keys_named(&self, name: &str) -> Vec<String> {
        let same = |ident: &Ident| ident.0.eq_ignore_ascii_case(name);
        let mut keys = Vec::new();
        for (table, map) in &self.tables {
            if map.name.as_ref().is_some_and(same) {
                keys.push((*table).to_owned());
            }
            for (column, ident) in &map.columns {
                if ident.as_ref().is_some_and(same) {
                    keys.push(format!("{table}.{column}"));
                }
            }
        }
        keys
    }

    /// The mapped physical tables, in logical order.
    pub fn tables(&self) -> impl Iterator<Item = &Ident> {
        self.tables.values().filter_map(|table| table.name.as_ref())
    }

    /// The unmapped logical fields (`devis.taux_marge`), whole tables as `factures.*`.
    pub fn unmapped(&self) -> Vec<String> {
        self.tables
            .iter()
            .flat_map(|(table, map)| match map.name {
                None => vec![format!("{table}.*")],
                Some(_) => map
                    .columns
                    .iter()
                    .filter(|(_, name)| name.is_none())
                    .map(|(column, _)| format!("{table}.{column}"))
                    .collect(),
            })
            .collect()
    }
}

/// `""` leaves a table or column unmapped; anything else must be a valid identifier.
fn identifier(name: &str) -> Result<Option<Ident>, String> {
    if name.is_empty() { Ok(None) } else { Ident::new(name).map(Some) }
}

fn column_slot<'m>(entry: &'m mut TableMap, table: &str, column: &str) -> Result<&'m mut Option<Ident>, String> {
    let known = entry.columns.keys().copied().collect::<Vec<_>>().join(", ");
    entry
        .columns
        .iter_mut()
        .find(|(name, _)| **name == column)
        .map(|(_, slot)| slot)
        .ok_or_else(|| format!("colonne logique inconnue « {table}.{column} » (connues : {known})"))
}

/// The specification of a logical field.
pub fn field_spec(table: &str, column: &str) -> &'static FieldSpec {
    LAYOUT
        .iter()
        .find(|spec| spec.name == table)
        .and_then(|spec| spec.fields.iter().find(|field| field.name == column))
        .unwrap_or_else(|| panic!("unknown logical column {table}.{column}"))
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
        assert_eq!(
            mapping.unmapped(),
            [
                "devis.code_client",
                "devis.nom_client",
                "factures.code_client",
                "factures.nom_client",
                "ouvrages.code_famille",
                "ouvrages.code_sous_famille"
            ]
        );
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
        assert!(Mapping::from_toml("base = \"sage\"\n").expect_err("refused").contains("sage"));
    }

    #[test]
    fn empty_names_unmap_and_needing_them_names_the_key() {
        let mapping = Mapping::from_toml("[tables.devis.columns]\ntaux_marge = \"\"\n[tables.factures]\nname = \"\"\n")
            .expect("valid mapping");
        let error = mapping.column("devis", "taux_marge").expect_err("unmapped");
        assert_eq!(
            error.to_string(),
            "le champ devis.taux_marge n'est pas relié à une colonne : renseignez [tables.devis.columns] taux_marge \
             = \"…\" dans le fichier de correspondance"
        );
        assert_eq!(mapping.column("factures", "montant_ht"), Err(Unmapped::Table("factures")));
        assert_eq!(mapping.select("d", "devis", "taux_marge"), "CAST(NULL AS DECIMAL(9,4))");
        assert_eq!(mapping.select("d", "devis", "montant_ht"), "d.[MONTANT_HT]");
        assert!(mapping.names().all(|(t, c)| t.name() != "FACTURES" && c.name() != "TAUX_MARGE"));
    }

    #[test]
    fn value_maps_read_and_filter_with_typed_values() {
        let mapping = Mapping::from_toml(
            "base = \"batigest\"\n[tables.devis.values.statut]\n0 = \"BROUILLON\"\n3 = \"ENVOYE\"\n4 = \"VALIDE\"\n",
        )
        .expect("valid mapping");
        let etat = mapping.values("devis", "statut").expect("a value map");
        assert_eq!(etat.logical("3"), Some("ENVOYE"));
        assert_eq!(etat.logical("7"), None);
        assert_eq!(etat.raw("VALIDE"), [Raw::Integer(4)]);
        assert!(mapping.acceptance_date().is_some(), "the profile keeps the DateConcretis rule of its base");
        let mapping = Mapping::from_toml(
            "base = \"batigest\"\n[tables.devis.values.statut]\n01 = \"brouillon\"\nA = \"ACCEPTE\"\nB = \"accepte\"\n",
        )
        .expect("valid mapping");
        let etat = mapping.values("devis", "statut").expect("a value map");
        assert_eq!(etat.raw("BROUILLON"), [Raw::Text("01".to_owned())]);
        assert_eq!(etat.raw("ACCEPTE"), [Raw::Text("A".to_owned()), Raw::Text("B".to_owned())]);
        assert!(etat.raw("VALIDE").is_empty());
        let error = Mapping::from_toml("[tables.devis.values.statut]\n0 = \"SIGNE\"\n").expect_err("refused");
        assert!(error.contains("SIGNE") && error.contains("ACCEPTE"), "{error}");
        let error = Mapping::from_toml("[tables.devis.values.montant_ht]\n0 = \"X\"\n").expect_err("refused");
        assert!(error.contains("devis.montant_ht"), "{error}");
        let error = Mapping::from_toml("[tables.factures]\nvalidated_means_accepted = true\n").expect_err("refused");
        assert!(error.contains("tables.factures"), "{error}");
    }

    #[test]
    fn the_batigest_mapping_gives_no_etat_code_a_meaning() {
        let batigest = Mapping::builtin("batigest").expect("built in");
        for code in ["0", "1", "2", "3", "4", "ACCEPTE"] {
            assert_eq!(batigest.logical("devis", "statut", code), None, "{code} has no built-in meaning");
        }
        assert_eq!(batigest.acceptance_date().map(Ident::name), Some("DateConcretis"));
        let without_rule =
            Mapping::from_toml("base = \"batigest\"\n[tables.devis]\nvalidated_means_accepted = false\n")
                .expect("valid mapping");
        assert_eq!(without_rule.acceptance_date(), None);
        assert_eq!(Mapping::default().acceptance_date(), None, "the default layout has its own VALIDE dates");
        let design = Mapping::default();
        assert_eq!(design.logical("devis", "statut", " accepte "), Some("ACCEPTE"));
        assert_eq!(design.logical("factures", "statut_reglement", "Regle"), Some("REGLE"));
        assert_eq!(design.logical("devis", "statut", "SIGNE"), None);
    }

    #[test]
    fn the_batigest_profile_maps_what_is_known() {
        let mapping = Mapping::builtin("batigest").expect("built in");
        let tables: Vec<_> = mapping.tables().map(Ident::name).collect();
        assert_eq!(tables, ["Client", "Devis", "FamilleArticle", "ElementDef"]);
        assert_eq!(mapping.column("devis", "numero_devis").map(Ident::name), Ok("Code"));
        assert_eq!(mapping.column("devis", "code_client").map(Ident::name), Ok("CodeClient"));
        assert_eq!(mapping.column("ouvrages", "code_famille").map(Ident::name), Ok("Famille"));
        assert!(mapping.column("devis", "taux_marge").is_err() && mapping.column("devis", "client_id").is_err());
        assert_eq!(mapping.table("factures"), Err(Unmapped::Table("factures")));
        assert_eq!(mapping.column_name("factures", "montant_ht"), None, "an unmapped table keeps no column name");
        let extended = Mapping::from_toml("base = \"batigest\"\n[tables.devis.columns]\ntaux_marge = \"Marge\"\n")
            .expect("valid mapping");
        assert_eq!(extended.column("devis", "taux_marge").map(Ident::name), Ok("Marge"));
        assert_eq!(extended.column("devis", "numero_devis").map(Ident::name), Ok("Code"));
    }

    #[test]
    fn field_types_accept_compatible_columns() {
        assert!(FieldType::Status.accepts("int") && FieldType::Status.accepts("NVARCHAR"));
        assert!(FieldType::Amount.accepts("money") && !FieldType::Amount.accepts("nvarchar"));
        assert!(FieldType::DateTime.accepts("datetime") && !FieldType::Text.accepts("int"));
    }
}
