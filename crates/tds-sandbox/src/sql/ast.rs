//! Reading and building the pieces of sqlparser's T-SQL syntax tree that both the translation
//! (`translate`) and the typing walk (`infer`) handle: object names, calls, literals, type names.

use sqlparser::ast::{
    DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, ObjectName,
    ObjectNamePart, Value,
};

use super::catalog::{IS_COLUMNS, IS_TABLES, parse_decl_type};
use super::errors;
use crate::types::{ServerError, SqlType};

/// The name of a single-part object name (`COUNT`, `[DEVIS]`), `None` for qualified names.
pub(crate) fn single_name(name: &ObjectName) -> Option<&str> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(&id.value),
        _ => None,
    }
}

/// The SQLite table a T-SQL table name designates: `dbo.T`, `[DB].[dbo].[T]` and `DB..T` are `T`;
/// `INFORMATION_SCHEMA.TABLES` / `.COLUMNS` are the session's temp tables. Other schemas or
/// databases do not exist here (error 208, as SQL Server reports an unknown object).
pub(crate) fn resolve_table(name: &ObjectName, database: &str) -> Result<String, ServerError> {
    let parts: Option<Vec<&str>> = name.0.iter().map(|p| p.as_ident().map(|i| i.value.as_str())).collect();
    let invalid = || errors::invalid_object(&name.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("."));
    let parts = parts.ok_or_else(invalid)?;
    let (db, schema, table) = match parts.as_slice() {
        [t] => (None, None, *t),
        [s, t] => (None, Some(*s), *t),
        [d, s, t] => (Some(*d), Some(*s), *t),
        _ => return Err(invalid()),
    };
    if db.is_some_and(|d| !d.eq_ignore_ascii_case(database)) {
        return Err(invalid());
    }
    match schema {
        None | Some("") => Ok(table.to_string()),
        Some(s) if s.eq_ignore_ascii_case("dbo") => Ok(table.to_string()),
        Some(s) if s.eq_ignore_ascii_case("INFORMATION_SCHEMA") => match table.to_ascii_uppercase().as_str() {
            "TABLES" => Ok(IS_TABLES.to_string()),
            "COLUMNS" => Ok(IS_COLUMNS.to_string()),
            _ => Err(invalid()),
        },
        Some(_) => Err(invalid()),
    }
}

pub(crate) fn function_call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a))).collect(),
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

pub(crate) fn number_literal(n: i64) -> Expr {
    Expr::value(Value::Number(n.to_string(), false))
}

/// The SQL Server type a CAST/CONVERT target stands for.
pub(crate) fn type_of_data_type(dt: &DataType) -> Option<SqlType> {
    parse_decl_type(&dt.to_string())
}
