//! Result typing: SQLite has no types for expressions, but SQL Server clients expect the exact
//! type SQL Server would announce (tiberius refuses a FLOAT where it expects a DECIMAL). This walk
//! over the T-SQL AST resolves column references through FROM clauses, derived tables and CTEs
//! against the declared schema, and applies SQL Server's typing rules to expressions.
//!
//! The same walk knows the operand types, so it also rewrites the two operators whose meaning
//! depends on them: `/` (integer division only between integers; SQLite stores whole decimals as
//! integers) and `+` between strings (concatenation).

use std::collections::HashMap;

use sqlparser::ast::{
    BinaryOperator, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident,
    JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor, Value,
};

use super::catalog::{Catalog, parse_decl_type};
use super::translate::{function_call, number_literal, resolve_table, single_name};
use crate::sandbox::types::SqlType;

/// One output column of a query, as far as it could be typed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutCol {
    /// The column name SQL Server gives it: the alias or column name, empty for expressions.
    pub name: String,
    pub ty: Option<SqlType>,
    pub nullable: bool,
}

struct Source {
    /// Upper-cased alias (or table name) the columns are qualified by.
    alias: String,
    cols: Vec<OutCol>,
}

struct Scope<'s> {
    sources: Vec<Source>,
    parent: Option<&'s Scope<'s>>,
}

impl Scope<'_> {
    fn lookup(&self, qualifier: Option<&str>, column: &str) -> Option<&OutCol> {
        let found = self
            .sources
            .iter()
            .filter(|s| qualifier.is_none_or(|q| s.alias.eq_ignore_ascii_case(q)))
            .find_map(|s| s.cols.iter().find(|c| c.name.eq_ignore_ascii_case(column)));
        found.or_else(|| self.parent.and_then(|p| p.lookup(qualifier, column)))
    }
}

pub(crate) struct Infer<'a> {
    pub catalog: &'a Catalog,
    pub database: &'a str,
    /// Parameter types by upper-cased name (`@P1`).
    pub params: &'a HashMap<String, SqlType>,
    ctes: Vec<(String, Vec<OutCol>)>,
}

const TEXT_4000: SqlType = SqlType::NVarChar { max_chars: Some(4000) };
const SYSNAME: SqlType = SqlType::NVarChar { max_chars: Some(128) };

/// The SQL Server type a CAST/CONVERT target stands for.
pub(crate) fn type_of_data_type(dt: &DataType) -> Option<SqlType> {
    parse_decl_type(&dt.to_string())
}

/// The type of a numeric literal: INT, BIGINT, DECIMAL(p,s) from its digits, FLOAT with an exponent.
pub(crate) fn literal_number_type(text: &str) -> SqlType {
    if text.contains(['e', 'E']) {
        return SqlType::Float;
    }
    match text.split_once('.') {
        None => {
            if text.parse::<i32>().is_ok() {
                SqlType::Int
            } else {
                SqlType::BigInt
            }
        }
        Some((int_part, frac)) => {
            let int_digits = int_part.trim_start_matches('0').len();
            let scale = frac.len().min(38) as u8;
            let precision = (int_digits + frac.len()).clamp(1, 38) as u8;
            SqlType::Decimal { precision: precision.max(scale), scale }
        }
    }
}

fn as_decimal(t: SqlType) -> Option<(u32, u32)> {
    match t {
        SqlType::Decimal { precision, scale } => Some((u32::from(precision), u32::from(scale))),
        SqlType::Int => Some((10, 0)),
        SqlType::BigInt => Some((19, 0)),
        SqlType::Bit => Some((1, 0)),
        _ => None,
    }
}

fn is_integer(t: Option<SqlType>) -> bool {
    matches!(t, Some(SqlType::Int | SqlType::BigInt | SqlType::Bit))
}

fn is_text(t: Option<SqlType>) -> bool {
    matches!(t, Some(SqlType::NVarChar { .. }))
}

/// SQL Server's result type of `a op b` for numbers (precision/scale rules of decimal arithmetic).
pub(crate) fn arithmetic_type(op: &BinaryOperator, a: Option<SqlType>, b: Option<SqlType>) -> Option<SqlType> {
    let (a, b) = (a?, b?);
    if a == SqlType::Float || b == SqlType::Float {
        return Some(SqlType::Float);
    }
    if is_integer(Some(a)) && is_integer(Some(b)) {
        return Some(if a == SqlType::BigInt || b == SqlType::BigInt { SqlType::BigInt } else { SqlType::Int });
    }
    let ((p1, s1), (p2, s2)) = (as_decimal(a)?, as_decimal(b)?);
    let (p, s) = match op {
        BinaryOperator::Plus | BinaryOperator::Minus => {
            let s = s1.max(s2);
            (s + (p1 - s1).max(p2 - s2) + 1, s)
        }
        BinaryOperator::Multiply => (p1 + p2 + 1, s1 + s2),
        BinaryOperator::Divide => {
            let s = 6.max(s1 + p2 + 1);
            (p1 - s1 + s2 + s, s)
        }
        BinaryOperator::Modulo => ((p1 - s1).min(p2 - s2) + s1.max(s2), s1.max(s2)),
        _ => return None,
    };
    Some(cap_decimal(p, s))
}

/// Caps precision at 38, giving up scale but keeping at least min(scale, 6) (SQL Server's rule).
fn cap_decimal(p: u32, s: u32) -> SqlType {
    if p <= 38 {
        return SqlType::Decimal { precision: p.max(1) as u8, scale: s as u8 };
    }
    let integral = p - s;
    let scale = s.min(6).max(38u32.saturating_sub(integral));
    SqlType::Decimal { precision: 38, scale: scale as u8 }
}

fn function_args(args: &mut FunctionArguments) -> Vec<&mut Expr> {
    match args {
        FunctionArguments::List(list) => list
            .args
            .iter_mut()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The type of a `@@` global as SQL Server declares it.
pub(crate) fn global_type(name: &str) -> Option<SqlType> {
    match name.to_ascii_uppercase().as_str() {
        "@@VERSION" => Some(SqlType::NVarChar { max_chars: Some(300) }),
        "@@SERVERNAME" | "@@LANGUAGE" | "@@SERVICENAME" => Some(SYSNAME),
        "@@SPID" | "@@ROWCOUNT" | "@@TRANCOUNT" | "@@ERROR" | "@@DATEFIRST" | "@@MAX_PRECISION" | "@@TEXTSIZE" => {
            Some(SqlType::Int)
        }
        _ => None,
    }
}

impl<'a> Infer<'a> {
    pub fn new(catalog: &'a Catalog, database: &'a str, params: &'a HashMap<String, SqlType>) -> Self {
        Infer { catalog, database, params, ctes: Vec::new() }
    }

    /// Types the output columns of a top-level query (and rewrites its operators, see module doc).
    pub fn query_columns(&mut self, q: &mut Query) -> Vec<OutCol> {
        self.query(q, None)
    }

    fn query(&mut self, q: &mut Query, parent: Option<&Scope<'_>>) -> Vec<OutCol> {
        let saved = self.ctes.len();
        if let Some(with) = &mut q.with {
            for cte in &mut with.cte_tables {
                let mut cols = self.query(&mut cte.query, parent);
                for (c, alias) in cols.iter_mut().zip(&cte.alias.columns) {
                    c.name.clone_from(&alias.name.value);
                }
                self.ctes.push((cte.alias.name.value.to_ascii_uppercase(), cols));
            }
        }
        let cols = self.set_expr(&mut q.body, parent);
        // A query's CTEs are visible inside it only.
        self.ctes.truncate(saved);
        cols
    }

    fn set_expr(&mut self, body: &mut SetExpr, parent: Option<&Scope<'_>>) -> Vec<OutCol> {
        match body {
            SetExpr::Select(s) => self.select(s, parent),
            SetExpr::Query(q) => self.query(q, parent),
            SetExpr::SetOperation { left, right, .. } => {
                let mut cols = self.set_expr(left, parent);
                let others = self.set_expr(right, parent);
                for (c, o) in cols.iter_mut().zip(others) {
                    if c.ty.is_none() {
                        c.ty = o.ty;
                    }
                }
                cols
            }
            _ => Vec::new(),
        }
    }

    fn table_factor(&mut self, factor: &mut TableFactor, scope: &Scope<'_>, sources: &mut Vec<Source>) {
        match factor {
            TableFactor::Table { name, alias, .. } => {
                let key = single_name(name).map(str::to_ascii_uppercase);
                let cte =
                    key.as_ref().and_then(|k| self.ctes.iter().rev().find(|(n, _)| n == k)).map(|(_, c)| c.clone());
                let cols = cte.or_else(|| {
                    let table = resolve_table(name, self.database).ok()?;
                    let table = self.catalog.table(&table)?;
                    Some(
                        table
                            .columns
                            .iter()
                            .map(|c| OutCol { name: c.name.clone(), ty: c.ty, nullable: !c.not_null })
                            .collect(),
                    )
                });
                let alias = alias.as_ref().map_or_else(|| last_part(name), |a| a.name.value.clone());
                sources.push(Source { alias, cols: cols.unwrap_or_default() });
            }
            TableFactor::Derived { subquery, alias, .. } => {
                let mut cols = self.query(subquery, scope.parent);
                if let Some(alias) = alias {
                    for (c, a) in cols.iter_mut().zip(&alias.columns) {
                        c.name.clone_from(&a.name.value);
                    }
                }
                sources.push(Source { alias: alias.as_ref().map(|a| a.name.value.clone()).unwrap_or_default(), cols });
            }
            TableFactor::NestedJoin { table_with_joins, .. } => {
                self.table_factor(&mut table_with_joins.relation, scope, sources);
                for join in &mut table_with_joins.joins {
                    self.table_factor(&mut join.relation, scope, sources);
                }
            }
            _ => {}
        }
    }

    fn select(&mut self, s: &mut Select, parent: Option<&Scope<'_>>) -> Vec<OutCol> {
        // Sources first (they only see the enclosing scope), then the clauses that see them.
        let outer = Scope { sources: Vec::new(), parent };
        let mut sources = Vec::new();
        for twj in &mut s.from {
            self.table_factor(&mut twj.relation, &outer, &mut sources);
            for join in &mut twj.joins {
                self.table_factor(&mut join.relation, &outer, &mut sources);
            }
        }
        let scope = Scope { sources, parent };
        for twj in &mut s.from {
            for join in &mut twj.joins {
                if let JoinOperator::Join(JoinConstraint::On(e))
                | JoinOperator::Inner(JoinConstraint::On(e))
                | JoinOperator::Left(JoinConstraint::On(e))
                | JoinOperator::LeftOuter(JoinConstraint::On(e))
                | JoinOperator::Right(JoinConstraint::On(e))
                | JoinOperator::RightOuter(JoinConstraint::On(e))
                | JoinOperator::FullOuter(JoinConstraint::On(e)) = &mut join.join_operator
                {
                    self.expr(e, &scope);
                }
            }
        }
        if let Some(e) = &mut s.selection {
            self.expr(e, &scope);
        }
        if let GroupByExpr::Expressions(exprs, _) = &mut s.group_by {
            for e in exprs {
                self.expr(e, &scope);
            }
        }
        if let Some(e) = &mut s.having {
            self.expr(e, &scope);
        }
        let mut out = Vec::new();
        for item in &mut s.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let name = match e {
                        Expr::Identifier(id) if !id.value.starts_with('@') => id.value.clone(),
                        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()).unwrap_or_default(),
                        _ => String::new(),
                    };
                    let (ty, nullable) = self.expr_nullable(e, &scope);
                    out.push(OutCol { name, ty, nullable });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let (ty, nullable) = self.expr_nullable(expr, &scope);
                    out.push(OutCol { name: alias.value.clone(), ty, nullable });
                }
                SelectItem::Wildcard(_) => {
                    for source in &scope.sources {
                        out.extend(source.cols.iter().cloned());
                    }
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                    let alias = last_part(name);
                    if let Some(source) = scope.sources.iter().find(|s| s.alias.eq_ignore_ascii_case(&alias)) {
                        out.extend(source.cols.iter().cloned());
                    }
                }
                SelectItem::QualifiedWildcard(..) => {}
            }
        }
        out
    }

    fn expr_nullable(&mut self, e: &mut Expr, scope: &Scope<'_>) -> (Option<SqlType>, bool) {
        match e {
            Expr::Identifier(id) if !id.value.starts_with('@') => {
                scope.lookup(None, &id.value).map_or((None, true), |c| (c.ty, c.nullable))
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let q = &parts[parts.len() - 2].value;
                scope.lookup(Some(q), &parts[parts.len() - 1].value).map_or((None, true), |c| (c.ty, c.nullable))
            }
            Expr::Function(f)
                if matches!(
                    single_name(&f.name).map(str::to_ascii_uppercase).as_deref(),
                    Some("COUNT" | "COUNT_BIG")
                ) =>
            {
                (self.expr(e, scope), false)
            }
            _ => (self.expr(e, scope), true),
        }
    }

    /// The SQL Server type of an expression, `None` when it cannot be told.
    fn expr(&mut self, e: &mut Expr, scope: &Scope<'_>) -> Option<SqlType> {
        match e {
            Expr::Identifier(id) => {
                if id.value.starts_with("@@") {
                    global_type(&id.value)
                } else if id.value.starts_with('@') {
                    self.params.get(&id.value.to_ascii_uppercase()).copied()
                } else {
                    scope.lookup(None, &id.value).and_then(|c| c.ty)
                }
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let q = &parts[parts.len() - 2].value;
                scope.lookup(Some(q), &parts[parts.len() - 1].value).and_then(|c| c.ty)
            }
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => Some(literal_number_type(n)),
                Value::SingleQuotedString(s) | Value::NationalStringLiteral(s) => {
                    Some(SqlType::NVarChar { max_chars: Some(s.chars().count().clamp(1, 4000) as u16) })
                }
                Value::Boolean(_) => Some(SqlType::Bit),
                _ => None,
            },
            Expr::Nested(inner) => self.expr(inner, scope),
            Expr::UnaryOp { expr, .. } => self.expr(expr, scope),
            Expr::BinaryOp { left, op, right } => {
                let (lt, rt) = (self.expr(left, scope), self.expr(right, scope));
                match op {
                    BinaryOperator::Plus if is_text(lt) || is_text(rt) => {
                        *op = BinaryOperator::StringConcat;
                        Some(TEXT_4000)
                    }
                    BinaryOperator::Divide => {
                        let int_division = is_integer(lt) && is_integer(rt);
                        let ty = arithmetic_type(op, lt, rt);
                        let (l, r) = (
                            std::mem::replace(&mut **left, Expr::value(Value::Null)),
                            std::mem::replace(&mut **right, Expr::value(Value::Null)),
                        );
                        *e = function_call("sb_div", vec![l, r, number_literal(i64::from(int_division))]);
                        ty
                    }
                    BinaryOperator::Plus
                    | BinaryOperator::Minus
                    | BinaryOperator::Multiply
                    | BinaryOperator::Modulo => arithmetic_type(op, lt, rt),
                    _ => None,
                }
            }
            Expr::Cast { expr, data_type, .. } => {
                self.expr(expr, scope);
                type_of_data_type(data_type)
            }
            Expr::Convert { expr, data_type, styles, .. } => {
                self.expr(expr, scope);
                for s in styles {
                    self.expr(s, scope);
                }
                data_type.as_ref().and_then(type_of_data_type)
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                if let Some(o) = operand {
                    self.expr(o, scope);
                }
                let mut ty = None;
                for c in conditions {
                    self.expr(&mut c.condition, scope);
                    let t = self.expr(&mut c.result, scope);
                    ty = ty.or(t);
                }
                if let Some(e) = else_result {
                    let t = self.expr(e, scope);
                    ty = ty.or(t);
                }
                ty
            }
            // sqlparser has dedicated nodes for FLOOR and CEIL (not CEILING).
            Expr::Floor { expr, .. } | Expr::Ceil { expr, .. } => match self.expr(expr, scope)? {
                SqlType::Decimal { precision, .. } => Some(SqlType::Decimal { precision, scale: 0 }),
                other => Some(other),
            },
            Expr::Subquery(q) => self.query(q, Some(scope)).first().and_then(|c| c.ty),
            Expr::Exists { subquery, .. } => {
                self.query(subquery, Some(scope));
                None
            }
            Expr::InSubquery { expr, subquery, .. } => {
                self.expr(expr, scope);
                self.query(subquery, Some(scope));
                None
            }
            Expr::InList { expr, list, .. } => {
                self.expr(expr, scope);
                for e in list {
                    self.expr(e, scope);
                }
                None
            }
            Expr::Between { expr, low, high, .. } => {
                self.expr(expr, scope);
                self.expr(low, scope);
                self.expr(high, scope);
                None
            }
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                self.expr(inner, scope);
                None
            }
            Expr::Like { expr, pattern, .. } => {
                self.expr(expr, scope);
                self.expr(pattern, scope);
                None
            }
            Expr::Function(f) => {
                let name = single_name(&f.name).map(str::to_ascii_uppercase).unwrap_or_default();
                let types: Vec<Option<SqlType>> =
                    function_args(&mut f.args).into_iter().map(|a| self.expr(a, scope)).collect();
                let arg = |i: usize| types.get(i).copied().flatten();
                function_type(&name, &types, arg)
            }
            _ => None,
        }
    }
}

fn last_part(name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(Ident { value, .. })) => value.clone(),
        _ => String::new(),
    }
}

/// SQL Server's return types of the built-ins the sandbox knows.
fn function_type(name: &str, types: &[Option<SqlType>], arg: impl Fn(usize) -> Option<SqlType>) -> Option<SqlType> {
    match name {
        "COUNT" | "YEAR" | "MONTH" | "DAY" | "DATEPART" | "DATEDIFF" | "LEN" | "CHARINDEX" | "DATALENGTH" => {
            Some(SqlType::Int)
        }
        "COUNT_BIG" | "DATEDIFF_BIG" | "ROW_NUMBER" | "RANK" | "DENSE_RANK" | "NTILE" => Some(SqlType::BigInt),
        "SUM" => match arg(0)? {
            SqlType::Decimal { scale, .. } => Some(SqlType::Decimal { precision: 38, scale }),
            SqlType::Int | SqlType::Bit => Some(SqlType::Int),
            other => Some(other),
        },
        "AVG" => match arg(0)? {
            SqlType::Decimal { scale, .. } => Some(SqlType::Decimal { precision: 38, scale: scale.max(6) }),
            SqlType::Bit => Some(SqlType::Int),
            other => Some(other),
        },
        "MIN" | "MAX" | "ABS" | "ROUND" | "UPPER" | "LOWER" | "LTRIM" | "RTRIM" | "TRIM" | "LEFT" | "RIGHT"
        | "SUBSTRING" | "REPLACE" | "NULLIF" => arg(0),
        "ISNULL" | "COALESCE" => types.iter().copied().flatten().next(),
        "IIF" => arg(1).or_else(|| arg(2)),
        "FLOOR" | "CEILING" | "SIGN" => match arg(0)? {
            SqlType::Decimal { precision, .. } => Some(SqlType::Decimal { precision, scale: 0 }),
            other => Some(other),
        },
        "STDEV" | "STDEVP" | "VAR" | "VARP" | "SQRT" | "POWER" | "EXP" | "LOG" | "LOG10" | "PI" | "RAND" => {
            Some(SqlType::Float)
        }
        "DATEADD" => match arg(2) {
            Some(t @ (SqlType::Date | SqlType::DateTime2 { .. })) => Some(t),
            _ => Some(SqlType::DateTime2 { scale: 3 }),
        },
        "GETDATE" | "CURRENT_TIMESTAMP" | "GETUTCDATE" => Some(SqlType::DateTime2 { scale: 3 }),
        "SYSDATETIME" | "SYSUTCDATETIME" => Some(SqlType::DateTime2 { scale: 7 }),
        "EOMONTH" | "DATEFROMPARTS" => Some(SqlType::Date),
        "CONCAT" => Some(TEXT_4000),
        "DB_NAME" | "SCHEMA_NAME" | "USER_NAME" | "SUSER_SNAME" | "SUSER_NAME" | "SYSTEM_USER" | "CURRENT_USER"
        | "SERVERPROPERTY" | "HOST_NAME" | "APP_NAME" | "OBJECT_NAME" => Some(SYSNAME),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unnecessary_wraps, reason = "compared with inferred types, which are optional")]
    fn dec(precision: u8, scale: u8) -> Option<SqlType> {
        Some(SqlType::Decimal { precision, scale })
    }

    #[test]
    fn decimal_arithmetic_follows_sql_server() {
        assert_eq!(arithmetic_type(&BinaryOperator::Plus, dec(18, 2), dec(9, 4)), dec(21, 4));
        assert_eq!(arithmetic_type(&BinaryOperator::Multiply, dec(9, 4), dec(18, 2)), dec(28, 6));
        assert_eq!(arithmetic_type(&BinaryOperator::Divide, dec(38, 6), dec(38, 2)), dec(38, 6));
        assert_eq!(arithmetic_type(&BinaryOperator::Divide, dec(18, 4), dec(18, 4)), dec(38, 20));
        assert_eq!(arithmetic_type(&BinaryOperator::Minus, Some(SqlType::Int), dec(18, 2)), dec(19, 2));
        assert_eq!(arithmetic_type(&BinaryOperator::Multiply, Some(SqlType::Float), dec(18, 2)), Some(SqlType::Float));
        assert_eq!(
            arithmetic_type(&BinaryOperator::Plus, Some(SqlType::Int), Some(SqlType::BigInt)),
            Some(SqlType::BigInt)
        );
        assert_eq!(Some(literal_number_type("1.50")), dec(3, 2));
        assert_eq!(Some(literal_number_type("0.05")), dec(2, 2));
        assert_eq!(literal_number_type("100"), SqlType::Int);
        assert_eq!(literal_number_type("3000000000"), SqlType::BigInt);
    }
}
