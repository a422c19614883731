//! T-SQL → SQLite: an AST rewrite of a parsed query, printed back with sqlparser's Display.
//! SQLite accepts `[brackets]` and `@name` parameters natively, so only what differs is rewritten.

use std::collections::HashMap;
use std::ops::ControlFlow;

use chrono::NaiveDateTime;
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    CaseWhen, DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, LimitClause,
    ObjectName, ObjectNamePart, OffsetRows, Query, SetExpr, Statement, TableFactor, TopQuantity, Value, VisitMut,
    VisitorMut,
};

use super::ast::{function_call, number_literal, resolve_table, single_name, type_of_data_type};
use super::checksum;
use super::collate;
use super::errors;
use super::functions::is_date_part;
use crate::protocol::SERVER_PRODUCT_VERSION;
use crate::types::{Collation, ServerError, SqlType};

/// What the translation needs to know of the session.
pub(crate) struct Env<'a> {
    pub database: &'a str,
    pub version: &'a str,
    pub server_name: &'a str,
    pub spid: i64,
    pub rowcount: i64,
    /// Local and UTC time of the statement (SQL Server evaluates GETDATE once per statement).
    pub now: NaiveDateTime,
    pub utc_now: NaiveDateTime,
    /// Declared parameters, by upper-cased name.
    pub params: &'a HashMap<String, SqlType>,
    pub collation: Collation,
}

fn string_literal(s: impl Into<String>) -> Expr {
    Expr::value(Value::SingleQuotedString(s.into()))
}

fn null() -> Expr {
    Expr::value(Value::Null)
}

/// The product version number inside an `@@VERSION` text (`15.0.2000.5`).
pub(crate) fn product_version(version: &str) -> String {
    version
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .find(|w| {
            w.split('.').count() == 4 && w.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .unwrap_or(SERVER_PRODUCT_VERSION)
        .to_string()
}

fn datetime_literal(dt: &NaiveDateTime) -> Expr {
    use chrono::Timelike as _;
    string_literal(format!("{}.{:07}", dt.format("%Y-%m-%d %H:%M:%S"), dt.nanosecond() % 1_000_000_000 / 100))
}

struct Translator<'a, 'e> {
    env: &'a Env<'e>,
}

impl Translator<'_, '_> {
    fn global(&self, name: &str) -> Result<Expr, ServerError> {
        Ok(match name.to_ascii_uppercase().as_str() {
            "@@VERSION" => string_literal(self.env.version),
            "@@SERVERNAME" | "@@SERVICENAME" => string_literal(self.env.server_name),
            "@@LANGUAGE" => string_literal("us_english"),
            "@@SPID" => number_literal(self.env.spid),
            "@@ROWCOUNT" => number_literal(self.env.rowcount),
            "@@TRANCOUNT" | "@@ERROR" => number_literal(0),
            "@@DATEFIRST" => number_literal(7),
            "@@MAX_PRECISION" => number_literal(38),
            "@@TEXTSIZE" => number_literal(2_147_483_647),
            _ => return Err(errors::must_declare(name)),
        })
    }

    /// Rewrites a call to a T-SQL built-in (its arguments are already translated).
    fn function(&self, f: &mut Function) -> Result<Option<Expr>, ServerError> {
        let Some(name) = single_name(&f.name).map(str::to_ascii_uppercase) else { return Ok(None) };
        let rename = |f: &mut Function, to: &str| f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(to))]);
        let mut args: Vec<Expr> = match &mut f.args {
            FunctionArguments::List(list) if list.duplicate_treatment != Some(DuplicateTreatment::Distinct) => list
                .args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let given = args.len();
        let wildcard = match &f.args {
            FunctionArguments::List(list) => list.args.iter().any(|a| {
                matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Wildcard | FunctionArgExpr::QualifiedWildcard(_)))
            }),
            _ => false,
        };
        let arity = |n: usize| -> Result<(), ServerError> {
            if given == n {
                Ok(())
            } else {
                Err(ServerError::statement(
                    174,
                    format!("The {} function requires {n} argument(s).", name.to_lowercase()),
                ))
            }
        };
        let env = self.env;
        Ok(Some(match name.as_str() {
            "ISNULL" => {
                arity(2)?;
                rename(f, "IFNULL");
                return Ok(None);
            }
            "COUNT_BIG" => {
                rename(f, "COUNT");
                return Ok(None);
            }
            "GETDATE" | "SYSDATETIME" | "CURRENT_TIMESTAMP" => datetime_literal(&env.now),
            "GETUTCDATE" | "SYSUTCDATETIME" => datetime_literal(&env.utc_now),
            "DATEDIFF" | "DATEADD" | "DATEPART" => {
                arity(if name == "DATEPART" { 2 } else { 3 })?;
                let unit = match &args[0] {
                    Expr::Identifier(id) => id.value.clone(),
                    Expr::Value(v) => match &v.value {
                        Value::SingleQuotedString(s) => s.clone(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                if !is_date_part(&unit) {
                    return Err(ServerError::statement(
                        155,
                        format!("'{unit}' is not a recognized {} option.", name.to_lowercase()),
                    ));
                }
                args[0] = string_literal(unit.to_ascii_lowercase());
                function_call(&format!("sb_{}", name.to_ascii_lowercase()), args)
            }
            "YEAR" | "MONTH" | "DAY" => {
                arity(1)?;
                args.insert(0, string_literal(name.to_ascii_lowercase()));
                function_call("sb_datepart", args)
            }
            // The typing (`infer`) has rewritten the calls it reached, with their arguments' types;
            // one it could not reach reads its arguments by their SQLite storage class.
            "BINARY_CHECKSUM" => {
                if wildcard {
                    return Err(errors::unsupported("BINARY_CHECKSUM(*)"));
                }
                if given == 0 {
                    return Err(errors::syntax_near(")"));
                }
                args.insert(0, string_literal(vec![""; given].join(",")));
                function_call(checksum::FUNCTION, args)
            }
            "LEN" => {
                arity(1)?;
                function_call("length", vec![function_call("rtrim", args)])
            }
            "LEFT" => {
                arity(2)?;
                args.insert(1, number_literal(1));
                function_call("substr", args)
            }
            "RIGHT" => {
                arity(2)?;
                function_call("sb_right", args)
            }
            "CHARINDEX" => {
                arity(2)?;
                args.swap(0, 1);
                function_call("instr", args)
            }
            "IIF" => {
                arity(3)?;
                let mut it = args.into_iter();
                let (c, a, b) =
                    (it.next().unwrap_or_else(null), it.next().unwrap_or_else(null), it.next().unwrap_or_else(null));
                Expr::Case {
                    case_token: AttachedToken::empty(),
                    end_token: AttachedToken::empty(),
                    operand: None,
                    conditions: vec![CaseWhen { condition: c, result: a }],
                    else_result: Some(Box::new(b)),
                }
            }
            "DB_NAME" => string_literal(env.database),
            "DATABASEPROPERTYEX" => {
                arity(2)?;
                let property = match &args[1] {
                    Expr::Value(v) => match &v.value {
                        Value::SingleQuotedString(s) => s.to_ascii_lowercase(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                if property == "collation" { string_literal(env.collation.name()) } else { null() }
            }
            "SCHEMA_NAME" | "USER_NAME" | "CURRENT_USER" => string_literal("dbo"),
            "SUSER_SNAME" | "SUSER_NAME" | "SYSTEM_USER" => string_literal("sa"),
            "SERVERPROPERTY" => {
                arity(1)?;
                let property = match &args[0] {
                    Expr::Value(v) => match &v.value {
                        Value::SingleQuotedString(s) => s.to_ascii_lowercase(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                match property.as_str() {
                    "productversion" => string_literal(product_version(env.version)),
                    "productlevel" => string_literal("RTM"),
                    "edition" => string_literal("Developer Edition (64-bit)"),
                    "engineedition" => number_literal(3),
                    "servername" | "machinename" => string_literal(env.server_name),
                    "collation" => string_literal(env.collation.name()),
                    _ => null(),
                }
            }
            _ => return Ok(None),
        }))
    }

    /// CAST / CONVERT to a SQL Server type: a conversion function with SQL Server's failures.
    fn conversion(expr: Expr, ty: Option<SqlType>, style: Option<Expr>, target: &str) -> Result<Expr, ServerError> {
        Ok(match ty {
            Some(SqlType::Int | SqlType::BigInt) => function_call("sb_to_int", vec![expr]),
            Some(SqlType::Float) => function_call("sb_to_float", vec![expr]),
            Some(t @ (SqlType::Decimal { .. } | SqlType::Money | SqlType::SmallMoney)) => {
                function_call("sb_to_decimal", vec![expr, number_literal(i64::from(t.scale().unwrap_or(0)))])
            }
            Some(SqlType::Bit) => function_call("sb_to_bit", vec![expr]),
            Some(SqlType::Date) => function_call("sb_to_date", vec![expr]),
            Some(SqlType::DateTime2 { .. } | SqlType::DateTime | SqlType::SmallDateTime) => {
                function_call("sb_to_datetime", vec![expr])
            }
            Some(SqlType::NVarChar { max_chars } | SqlType::VarChar { max_chars }) => {
                let length = max_chars.map_or_else(null, |n| number_literal(i64::from(n)));
                function_call("sb_to_text", vec![expr, length, style.unwrap_or_else(null)])
            }
            // CHAR(n)/NCHAR(n): cut to n here, blank-padded when the value is sent.
            Some(SqlType::NChar { len } | SqlType::Char { len }) => {
                function_call("sb_to_text", vec![expr, number_literal(i64::from(len)), style.unwrap_or_else(null)])
            }
            None => return Err(errors::unsupported(&format!("conversion to {target}"))),
        })
    }
}

impl VisitorMut for Translator<'_, '_> {
    type Break = ServerError;

    fn pre_visit_relation(&mut self, relation: &mut ObjectName) -> ControlFlow<ServerError> {
        match resolve_table(relation, self.env.database) {
            Ok(table) => {
                let quote_style = relation.0.last().and_then(|p| p.as_ident()).and_then(|i| i.quote_style);
                let ident = Ident { value: table, quote_style, span: sqlparser::tokenizer::Span::empty() };
                *relation = ObjectName(vec![ObjectNamePart::Identifier(ident)]);
                ControlFlow::Continue(())
            }
            Err(e) => ControlFlow::Break(e),
        }
    }

    fn post_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<ServerError> {
        // Locking hints (NOLOCK…) mean nothing to a read-only SQLite snapshot.
        if let TableFactor::Table { with_hints, .. } = factor {
            with_hints.clear();
        }
        ControlFlow::Continue(())
    }

    fn post_visit_value(&mut self, value: &mut Value) -> ControlFlow<ServerError> {
        if let Value::NationalStringLiteral(s) = value {
            *value = Value::SingleQuotedString(std::mem::take(s));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<ServerError> {
        let replacement = match expr {
            Expr::Identifier(id) if id.value.starts_with("@@") => self.global(&id.value).map(Some),
            Expr::Identifier(id) if id.value.starts_with('@') => {
                // Parameter names are case-insensitive in T-SQL, case-sensitive in SQLite.
                let upper = id.value.to_ascii_uppercase();
                if self.env.params.contains_key(&upper) {
                    id.value = upper;
                    id.quote_style = None;
                    Ok(None)
                } else {
                    Err(errors::must_declare(&id.value))
                }
            }
            Expr::Function(f) => self.function(f),
            Expr::Collate { collation, .. } => {
                let name = collation.to_string();
                match collate::named(name.trim_matches(|c| c == '[' || c == ']')) {
                    Some(sqlite) => {
                        *collation = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(sqlite))]);
                        Ok(None)
                    }
                    None => Err(ServerError::statement(448, format!("Invalid collation '{name}'."))),
                }
            }
            Expr::Cast { expr: inner, data_type, .. } => {
                let target = data_type.to_string();
                Self::conversion(std::mem::replace(&mut **inner, null()), type_of_data_type(data_type), None, &target)
                    .map(Some)
            }
            Expr::Convert { expr: inner, data_type: Some(data_type), styles, .. } => {
                let target = data_type.to_string();
                let style = styles.first().cloned();
                Self::conversion(std::mem::replace(&mut **inner, null()), type_of_data_type(data_type), style, &target)
                    .map(Some)
            }
            _ => Ok(None),
        };
        match replacement {
            Ok(Some(e)) => {
                *expr = e;
                ControlFlow::Continue(())
            }
            Ok(None) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<ServerError> {
        match limit_clauses(query) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }
}

/// `TOP n` and `OFFSET … FETCH NEXT …` become SQLite's `LIMIT … OFFSET …`.
fn limit_clauses(query: &mut Query) -> Result<(), ServerError> {
    let mut limit = None;
    if let SetExpr::Select(select) = query.body.as_mut()
        && let Some(top) = select.top.take()
    {
        if top.percent || top.with_ties {
            return Err(errors::unsupported("TOP … PERCENT / WITH TIES"));
        }
        limit = match top.quantity {
            Some(TopQuantity::Expr(e)) => Some(e),
            Some(TopQuantity::Constant(n)) => Some(Expr::value(Value::Number(n.to_string(), false))),
            None => None,
        };
    }
    if let Some(fetch) = query.fetch.take() {
        if fetch.percent || fetch.with_ties {
            return Err(errors::unsupported("FETCH … PERCENT / WITH TIES"));
        }
        limit = Some(fetch.quantity.unwrap_or_else(|| number_literal(1)));
    }
    match &mut query.limit_clause {
        Some(LimitClause::LimitOffset { limit: existing, offset, .. }) => {
            if limit.is_some() {
                *existing = limit;
            }
            if let Some(offset) = offset {
                offset.rows = OffsetRows::None;
                // SQLite only knows OFFSET after a LIMIT; -1 is "no limit".
                if existing.is_none() {
                    *existing = Some(number_literal(-1));
                }
            }
        }
        Some(LimitClause::OffsetCommaLimit { .. }) => {}
        None => {
            if limit.is_some() {
                query.limit_clause = Some(LimitClause::LimitOffset { limit, offset: None, limit_by: Vec::new() });
            }
        }
    }
    Ok(())
}

/// Rewrites a parsed T-SQL query statement in place into SQLite's dialect.
pub(crate) fn translate(statement: &mut Statement, env: &Env<'_>) -> Result<(), ServerError> {
    match statement.visit(&mut Translator { env }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::catalog::IS_TABLES;
    use sqlparser::dialect::MsSqlDialect;
    use sqlparser::parser::Parser;

    fn tr(sql: &str) -> String {
        let params: HashMap<String, SqlType> = [("@P1".to_string(), SqlType::Int)].into_iter().collect();
        let now = chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap().and_hms_opt(7, 8, 9).unwrap();
        let env = Env {
            database: "BATIGEST_CONNECT",
            version: "Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)",
            server_name: "SANDBOX",
            spid: 51,
            rowcount: 0,
            now,
            utc_now: now,
            params: &params,
            collation: Collation::FrenchCiAs,
        };
        let mut st = Parser::parse_sql(&MsSqlDialect {}, sql).unwrap().remove(0);
        match translate(&mut st, &env) {
            Ok(()) => st.to_string(),
            Err(e) => format!("ERR {} {}", e.number, e.message),
        }
    }

    #[test]
    fn rewrites() {
        assert_eq!(tr("SELECT TOP 5 * FROM dbo.DEVIS WITH (NOLOCK)"), "SELECT * FROM DEVIS LIMIT 5");
        assert_eq!(tr("SELECT TOP (@p1) ID FROM [BATIGEST_CONNECT].[dbo].[DEVIS]"), "SELECT ID FROM [DEVIS] LIMIT @P1");
        assert_eq!(
            tr("SELECT ID FROM DEVIS ORDER BY ID OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY"),
            "SELECT ID FROM DEVIS ORDER BY ID LIMIT 5 OFFSET 10"
        );
        assert_eq!(
            tr("SELECT ID FROM DEVIS ORDER BY ID OFFSET 10 ROWS"),
            "SELECT ID FROM DEVIS ORDER BY ID LIMIT -1 OFFSET 10"
        );
        assert_eq!(tr("SELECT N'x', ISNULL(a, 0) FROM T"), "SELECT 'x', IFNULL(a, 0) FROM T");
        assert_eq!(tr("SELECT GETDATE()"), "SELECT '2024-05-06 07:08:09.0000000'");
        assert_eq!(tr("SELECT DATEDIFF(dd, a, b)"), "SELECT sb_datediff('dd', a, b)");
        assert_eq!(
            tr("SELECT YEAR(a), LEN(b), LEFT(c, 2)"),
            "SELECT sb_datepart('year', a), length(rtrim(b)), substr(c, 1, 2)"
        );
        assert_eq!(tr("SELECT IIF(a > 1, 'x', 'y')"), "SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END");
        // What the typing did not rewrite reads its arguments untyped.
        assert_eq!(tr("SELECT BINARY_CHECKSUM(a, N'b')"), "SELECT sb_binary_checksum(',', a, 'b')");
        assert_eq!(
            tr("SELECT BINARY_CHECKSUM(*) FROM T"),
            "ERR 50000 The sandbox does not support BINARY_CHECKSUM(*)."
        );
        assert_eq!(
            tr("SELECT CAST(a AS DECIMAL(18,2)), CONVERT(NVARCHAR(10), d, 103)"),
            "SELECT sb_to_decimal(a, 2), sb_to_text(d, 10, 103)"
        );
        assert_eq!(
            tr("SELECT SERVERPROPERTY('ProductVersion'), DB_NAME()"),
            "SELECT '15.0.2000.5', 'BATIGEST_CONNECT'"
        );
        assert_eq!(tr("SELECT * FROM INFORMATION_SCHEMA.TABLES"), format!("SELECT * FROM {IS_TABLES}"));
        assert_eq!(tr("SELECT @P2"), "ERR 137 Must declare the scalar variable \"@P2\".");
        assert_eq!(tr("SELECT DATEDIFF(fortnight, a, b)"), "ERR 155 'fortnight' is not a recognized datediff option.");
        assert_eq!(tr("SELECT * FROM OTHER.dbo.T"), "ERR 208 Invalid object name 'OTHER.dbo.T'.");
        assert_eq!(
            tr("SELECT * FROM (SELECT TOP 1 ID FROM DEVIS ORDER BY ID DESC) d"),
            "SELECT * FROM (SELECT ID FROM DEVIS ORDER BY ID DESC LIMIT 1) AS d"
        );
    }
}
