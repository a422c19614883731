//! The served schema as SQL Server would describe it: tables, their columns and declared types,
//! read once from `sqlite_master` / `pragma_table_info`, and the `INFORMATION_SCHEMA` views built
//! from it.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::types::SqlType;

/// The SQLite temp tables that stand for `INFORMATION_SCHEMA.TABLES` / `.COLUMNS`.
pub(crate) const IS_TABLES: &str = "sb_information_schema_tables";
pub(crate) const IS_COLUMNS: &str = "sb_information_schema_columns";

#[derive(Debug, Clone)]
pub(crate) struct CatalogColumn {
    pub name: String,
    /// The declared type as written (`NVARCHAR(100)`), upper-cased.
    pub decl: String,
    pub ty: Option<SqlType>,
    pub not_null: bool,
    pub default: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct CatalogTable {
    pub name: String,
    pub is_view: bool,
    pub columns: Vec<CatalogColumn>,
}

/// Tables and views of the served database, keyed by upper-cased name (SQL Server's default
/// collation is case-insensitive).
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub tables: Vec<CatalogTable>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    pub fn load(conn: &Connection) -> rusqlite::Result<Catalog> {
        let mut catalog = Catalog::default();
        let mut list = conn.prepare(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%' ORDER BY name",
        )?;
        let names: Vec<(String, String)> =
            list.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let mut info = conn
            .prepare("SELECT name, type, \"notnull\" OR pk > 0, dflt_value FROM pragma_table_info(?1) ORDER BY cid")?;
        for (name, kind) in names {
            let columns = info
                .query_map([&name], |r| {
                    let decl: String = r.get::<_, Option<String>>(1)?.unwrap_or_default().to_ascii_uppercase();
                    Ok(CatalogColumn {
                        name: r.get(0)?,
                        ty: parse_decl_type(&decl),
                        decl,
                        not_null: r.get::<_, i64>(2)? != 0,
                        default: r.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            catalog.add(CatalogTable { name, is_view: kind == "view", columns });
        }
        catalog.add_information_schema();
        Ok(catalog)
    }

    fn add(&mut self, table: CatalogTable) {
        self.by_name.insert(table.name.to_ascii_uppercase(), self.tables.len());
        self.tables.push(table);
    }

    pub fn table(&self, name: &str) -> Option<&CatalogTable> {
        self.by_name.get(&name.to_ascii_uppercase()).map(|&i| &self.tables[i])
    }

    /// The two temp tables, described so that inference types their columns like SQL Server's views.
    fn add_information_schema(&mut self) {
        let table = |name: &str, cols: &[(&str, &str)]| CatalogTable {
            name: name.to_string(),
            is_view: true,
            columns: cols
                .iter()
                .map(|(n, d)| CatalogColumn {
                    name: (*n).to_string(),
                    decl: (*d).to_string(),
                    ty: parse_decl_type(d),
                    not_null: false,
                    default: None,
                })
                .collect(),
        };
        self.add(table(IS_TABLES, IS_TABLES_COLUMNS));
        self.add(table(IS_COLUMNS, IS_COLUMNS_COLUMNS));
    }
}

const IS_TABLES_COLUMNS: &[(&str, &str)] = &[
    ("TABLE_CATALOG", "NVARCHAR(128)"),
    ("TABLE_SCHEMA", "NVARCHAR(128)"),
    ("TABLE_NAME", "NVARCHAR(128)"),
    ("TABLE_TYPE", "NVARCHAR(10)"),
];

const IS_COLUMNS_COLUMNS: &[(&str, &str)] = &[
    ("TABLE_CATALOG", "NVARCHAR(128)"),
    ("TABLE_SCHEMA", "NVARCHAR(128)"),
    ("TABLE_NAME", "NVARCHAR(128)"),
    ("COLUMN_NAME", "NVARCHAR(128)"),
    ("ORDINAL_POSITION", "INT"),
    ("COLUMN_DEFAULT", "NVARCHAR(4000)"),
    ("IS_NULLABLE", "NVARCHAR(3)"),
    ("DATA_TYPE", "NVARCHAR(128)"),
    ("CHARACTER_MAXIMUM_LENGTH", "INT"),
    ("CHARACTER_OCTET_LENGTH", "INT"),
    ("NUMERIC_PRECISION", "INT"),
    ("NUMERIC_SCALE", "INT"),
    ("DATETIME_PRECISION", "INT"),
];

/// Parses a declared column type (`NVARCHAR(50)`, `DECIMAL(18,2)`, `DATETIME2`, `INT`…) into the
/// SQL Server type it stands for. `None` for types the sandbox cannot serve (BLOB, no type).
pub(crate) fn parse_decl_type(decl: &str) -> Option<SqlType> {
    let decl = decl.trim().to_ascii_uppercase();
    let (base, args) = match decl.split_once('(') {
        Some((base, rest)) => (base.trim().to_string(), rest.trim_end_matches(')').trim().to_string()),
        None => (decl.clone(), String::new()),
    };
    let mut numbers = args.split(',').map(|a| a.trim().parse::<u32>().ok());
    let first = numbers.next().flatten();
    let second = numbers.next().flatten();
    // CHAR and NCHAR without a length hold one character, VARCHAR/NVARCHAR without one are MAX here.
    let fixed = |max: u32| first.unwrap_or(1).clamp(1, max) as u16;
    let varying = |max: u32| first.filter(|&n| (1..=max).contains(&n)).map(|n| n as u16);
    Some(match base.as_str() {
        "BIT" | "BOOLEAN" => SqlType::Bit,
        "INT" | "INTEGER" | "SMALLINT" | "TINYINT" => SqlType::Int,
        "BIGINT" => SqlType::BigInt,
        "FLOAT" | "REAL" | "DOUBLE" | "DOUBLE PRECISION" => SqlType::Float,
        "DECIMAL" | "NUMERIC" => {
            let precision = first.unwrap_or(18).clamp(1, 38) as u8;
            SqlType::Decimal { precision, scale: (second.unwrap_or(0) as u8).min(precision) }
        }
        "MONEY" => SqlType::Money,
        "SMALLMONEY" => SqlType::SmallMoney,
        "NVARCHAR" | "VARYING CHARACTER" | "NATIONAL CHARACTER VARYING" => {
            SqlType::NVarChar { max_chars: varying(4000) }
        }
        "NCHAR" | "NATIONAL CHARACTER" | "NATIONAL CHAR" => SqlType::NChar { len: fixed(4000) },
        "CHAR" | "CHARACTER" => SqlType::Char { len: fixed(8000) },
        "VARCHAR" => SqlType::VarChar { max_chars: varying(8000) },
        "TEXT" | "NTEXT" | "CLOB" => SqlType::NVarChar { max_chars: None },
        "SYSNAME" => SqlType::NVarChar { max_chars: Some(128) },
        "DATE" => SqlType::Date,
        "DATETIME2" => SqlType::DateTime2 { scale: first.unwrap_or(7).min(7) as u8 },
        "DATETIME" => SqlType::DateTime,
        "SMALLDATETIME" => SqlType::SmallDateTime,
        _ => return None,
    })
}

/// `DATA_TYPE` as SQL Server's INFORMATION_SCHEMA writes it: the base type name, lower-case.
fn data_type_name(decl: &str) -> String {
    let base = decl.split('(').next().unwrap_or("").trim().to_ascii_lowercase();
    match base.as_str() {
        "integer" => "int".to_string(),
        "" => "sql_variant".to_string(),
        _ => base,
    }
}

/// Creates and fills the session's temp tables behind `INFORMATION_SCHEMA.TABLES` / `.COLUMNS`.
pub(crate) fn create_information_schema(conn: &Connection, catalog: &Catalog, database: &str) -> rusqlite::Result<()> {
    let ddl = |name: &str, cols: &[(&str, &str)]| {
        let cols: Vec<String> = cols.iter().map(|(n, d)| format!("{n} {d}")).collect();
        format!("CREATE TEMP TABLE IF NOT EXISTS {name} ({});", cols.join(", "))
    };
    conn.execute_batch(&ddl(IS_TABLES, IS_TABLES_COLUMNS))?;
    conn.execute_batch(&ddl(IS_COLUMNS, IS_COLUMNS_COLUMNS))?;
    let mut tables = conn.prepare(&format!("INSERT INTO temp.{IS_TABLES} VALUES (?1, 'dbo', ?2, ?3)"))?;
    let mut columns = conn.prepare(&format!(
        "INSERT INTO temp.{IS_COLUMNS} VALUES (?1, 'dbo', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?;
    for table in catalog.tables.iter().filter(|t| t.name != IS_TABLES && t.name != IS_COLUMNS) {
        tables.execute(rusqlite::params![database, table.name, if table.is_view { "VIEW" } else { "BASE TABLE" }])?;
        for (i, c) in table.columns.iter().enumerate() {
            let (char_len, precision, scale, dt_precision): (Option<i64>, Option<i64>, Option<i64>, Option<i64>) =
                match c.ty {
                    Some(SqlType::NVarChar { max_chars } | SqlType::VarChar { max_chars }) => {
                        (Some(max_chars.map_or(-1, i64::from)), None, None, None)
                    }
                    Some(SqlType::NChar { len } | SqlType::Char { len }) => (Some(i64::from(len)), None, None, None),
                    Some(SqlType::Int) if c.decl.starts_with("SMALLINT") => (None, Some(5), Some(0), None),
                    Some(SqlType::Int) if c.decl.starts_with("TINYINT") => (None, Some(3), Some(0), None),
                    Some(SqlType::Int) => (None, Some(10), Some(0), None),
                    Some(SqlType::BigInt) => (None, Some(19), Some(0), None),
                    Some(SqlType::Float) => (None, Some(53), None, None),
                    Some(SqlType::Decimal { precision, scale }) => {
                        (None, Some(i64::from(precision)), Some(i64::from(scale)), None)
                    }
                    Some(SqlType::Money) => (None, Some(19), Some(4), None),
                    Some(SqlType::SmallMoney) => (None, Some(10), Some(4), None),
                    Some(SqlType::Date | SqlType::SmallDateTime) => (None, None, None, Some(0)),
                    Some(SqlType::DateTime) => (None, None, None, Some(3)),
                    Some(SqlType::DateTime2 { scale }) => (None, None, None, Some(i64::from(scale))),
                    Some(SqlType::Bit) | None => (None, None, None, None),
                };
            // NCHAR/NVARCHAR count two bytes per character; MAX is -1 in both columns.
            let octets = char_len.map(|n| {
                if n < 0 {
                    -1
                } else if c.decl.starts_with('N') {
                    2 * n
                } else {
                    n
                }
            });
            let data_type = match c.ty {
                Some(SqlType::NVarChar { .. }) if c.decl.starts_with("TEXT") => "nvarchar".to_string(),
                _ => data_type_name(&c.decl),
            };
            columns.execute(rusqlite::params![
                database,
                table.name,
                c.name,
                i as i64 + 1,
                c.default.as_ref().map(|d| format!("({d})")),
                if c.not_null { "NO" } else { "YES" },
                data_type,
                char_len,
                octets,
                precision,
                scale,
                dt_precision,
            ])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types() {
        assert_eq!(parse_decl_type("NVARCHAR(50)"), Some(SqlType::NVarChar { max_chars: Some(50) }));
        assert_eq!(parse_decl_type("nvarchar(max)"), Some(SqlType::NVarChar { max_chars: None }));
        assert_eq!(parse_decl_type("TEXT"), Some(SqlType::NVarChar { max_chars: None }));
        assert_eq!(parse_decl_type("DECIMAL(18, 2)"), Some(SqlType::Decimal { precision: 18, scale: 2 }));
        assert_eq!(parse_decl_type("DATETIME2"), Some(SqlType::DateTime2 { scale: 7 }));
        assert_eq!(parse_decl_type("DATETIME2(3)"), Some(SqlType::DateTime2 { scale: 3 }));
        assert_eq!(parse_decl_type("INTEGER"), Some(SqlType::Int));
        assert_eq!(parse_decl_type("BIGINT"), Some(SqlType::BigInt));
        assert_eq!(parse_decl_type("REAL"), Some(SqlType::Float));
        assert_eq!(parse_decl_type("BIT"), Some(SqlType::Bit));
        assert_eq!(parse_decl_type("DATE"), Some(SqlType::Date));
        assert_eq!(parse_decl_type("CHAR(8)"), Some(SqlType::Char { len: 8 }));
        assert_eq!(parse_decl_type("NCHAR"), Some(SqlType::NChar { len: 1 }));
        assert_eq!(parse_decl_type("VARCHAR(8000)"), Some(SqlType::VarChar { max_chars: Some(8000) }));
        assert_eq!(parse_decl_type("VARCHAR(MAX)"), Some(SqlType::VarChar { max_chars: None }));
        assert_eq!(parse_decl_type("MONEY"), Some(SqlType::Money));
        assert_eq!(parse_decl_type("DATETIME"), Some(SqlType::DateTime));
        assert_eq!(parse_decl_type("SMALLDATETIME"), Some(SqlType::SmallDateTime));
        assert_eq!(parse_decl_type(""), None);
        assert_eq!(parse_decl_type("BLOB"), None);
    }
}
