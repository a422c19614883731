//! Result typing: SQLite has no types for expressions, but SQL Server clients expect the exact
//! type SQL Server would announce (tiberius refuses a FLOAT where it expects a DECIMAL). This walk
//! over the T-SQL AST resolves column references through FROM clauses, derived tables and CTEs
//! against the declared schema, and applies SQL Server's typing rules to expressions.
//!
//! The same walk knows the operand types, so it also rewrites what SQLite would do otherwise than
//! SQL Server, as SQL Server's typing rules say:
//! - text compares under the database collation (`COLLATE`, see `collate`): in `=`, `<`, `IN`,
//!   `BETWEEN`, `CASE`, joins, `GROUP BY`, `ORDER BY`, `DISTINCT`, `MIN`/`MAX`, and `LIKE`;
//! - operands of different types meet at the one of higher precedence: a date against a
//!   date-time is compared as a date-time, text against a number is converted to the number
//!   (error 245 when it is not one), text against a date to the date (241);
//! - DECIMAL and MONEY arithmetic, sums, averages and comparisons are exact (see `decimal`);
//! - `/` is integer division only between integers, `+` between strings is concatenation.

use std::collections::HashMap;

use sqlparser::ast::{
    BinaryOperator, Distinct, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident,
    JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, OrderBy, OrderByKind, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor, UnaryOperator, Value,
};

use super::ast::{function_call, number_literal, resolve_table, single_name, type_of_data_type};
use super::catalog::Catalog;
use super::checksum;
use super::collate;
use crate::types::{Collation, SqlType};

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
    /// The SQLite collation of the database's text.
    collation: &'static str,
    ctes: Vec<(String, Vec<OutCol>)>,
}

const TEXT_4000: SqlType = SqlType::NVarChar { max_chars: Some(4000) };
const SYSNAME: SqlType = SqlType::NVarChar { max_chars: Some(128) };

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
        SqlType::Money => Some((19, 4)),
        SqlType::SmallMoney => Some((10, 4)),
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
    t.is_some_and(SqlType::is_text)
}

fn is_money(t: SqlType) -> bool {
    matches!(t, SqlType::Money | SqlType::SmallMoney)
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
    // MONEY with MONEY or an integer stays MONEY; with a DECIMAL it is a DECIMAL(19,4).
    if (is_money(a) || is_integer(Some(a))) && (is_money(b) || is_integer(Some(b))) {
        return Some(if a == SqlType::Money || b == SqlType::Money { SqlType::Money } else { SqlType::SmallMoney });
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
    pub fn new(
        catalog: &'a Catalog,
        database: &'a str,
        params: &'a HashMap<String, SqlType>,
        collation: Collation,
    ) -> Self {
        Infer { catalog, database, params, collation: collate::sqlite_name(collation), ctes: Vec::new() }
    }

    /// Types the output columns of a top-level query (and rewrites it, see module doc).
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
        let cols = self.set_expr(&mut q.body, parent, q.order_by.as_mut());
        // A query's CTEs are visible inside it only.
        self.ctes.truncate(saved);
        cols
    }

    /// `order_by` is the enclosing query's: a SELECT orders by its own sources and output
    /// columns, a UNION by its output columns only.
    fn set_expr(
        &mut self,
        body: &mut SetExpr,
        parent: Option<&Scope<'_>>,
        order_by: Option<&mut OrderBy>,
    ) -> Vec<OutCol> {
        match body {
            SetExpr::Select(s) => self.select(s, parent, order_by),
            SetExpr::Query(q) => {
                let cols = self.query(q, parent);
                self.order_by(order_by, &cols, &Scope { sources: Vec::new(), parent });
                cols
            }
            SetExpr::SetOperation { left, right, .. } => {
                let mut cols = self.set_expr(left, parent, None);
                let others = self.set_expr(right, parent, None);
                for (c, o) in cols.iter_mut().zip(others) {
                    if c.ty.is_none() {
                        c.ty = o.ty;
                    }
                }
                self.order_by(order_by, &cols, &Scope { sources: Vec::new(), parent });
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

    fn select(&mut self, s: &mut Select, parent: Option<&Scope<'_>>, order_by: Option<&mut OrderBy>) -> Vec<OutCol> {
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
                let ty = self.expr(e, &scope);
                self.key(e, ty, false);
            }
        }
        if let Some(e) = &mut s.having {
            self.expr(e, &scope);
        }
        let mut out = Vec::new();
        let distinct = matches!(s.distinct, Some(Distinct::Distinct));
        for item in &mut s.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let name = match e {
                        Expr::Identifier(id) if !id.value.starts_with('@') => id.value.clone(),
                        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()).unwrap_or_default(),
                        _ => String::new(),
                    };
                    let (ty, nullable) = self.expr_nullable(e, &scope);
                    if distinct {
                        self.key(e, ty, false);
                    }
                    out.push(OutCol { name, ty, nullable });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let (ty, nullable) = self.expr_nullable(expr, &scope);
                    if distinct {
                        self.key(expr, ty, false);
                    }
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
        self.order_by(order_by, &out, &scope);
        out
    }

    /// `ORDER BY`: an output column's name or position, else an expression of the sources.
    fn order_by(&mut self, order_by: Option<&mut OrderBy>, out: &[OutCol], scope: &Scope<'_>) {
        let Some(order_by) = order_by else { return };
        let OrderByKind::Expressions(items) = &mut order_by.kind else { return };
        for item in items {
            let ty = match &item.expr {
                Expr::Identifier(id) if out.iter().any(|c| c.name.eq_ignore_ascii_case(&id.value)) => {
                    out.iter().find(|c| c.name.eq_ignore_ascii_case(&id.value)).and_then(|c| c.ty)
                }
                Expr::Value(v) => match &v.value {
                    // A position: only a collation can be attached to it, not a function.
                    Value::Number(n, _) => {
                        let ty = n.parse::<usize>().ok().and_then(|i| out.get(i.wrapping_sub(1))).and_then(|c| c.ty);
                        if is_text(ty) {
                            self.key(&mut item.expr, ty, true);
                        }
                        continue;
                    }
                    _ => None,
                },
                _ => self.expr(&mut item.expr, scope),
            };
            self.key(&mut item.expr, ty, true);
        }
    }

    /// An expression that groups, orders or deduplicates rows: text under the collation, and, to
    /// order, a computed decimal by its value rather than its text.
    fn key(&self, e: &mut Expr, ty: Option<SqlType>, ordering: bool) {
        if is_text(ty) && !matches!(e, Expr::Collate { .. }) {
            self.collate(e);
        } else if ordering && ty.is_some_and(SqlType::is_exact_fraction) && !is_stored(e) {
            *e = function_call("sb_num", vec![take(e)]);
        }
    }

    /// Puts `e` under the database collation.
    fn collate(&self, e: &mut Expr) {
        let inner = take(e);
        let inner = if is_simple(&inner) { inner } else { Expr::Nested(Box::new(inner)) };
        *e = Expr::Collate { expr: Box::new(inner), collation: object_name(self.collation) };
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
            Expr::Value(v) => literal_type(&v.value),
            Expr::Nested(inner) => self.expr(inner, scope),
            Expr::Collate { expr, .. } => self.expr(expr, scope),
            Expr::UnaryOp { expr, op } => {
                let ty = self.expr(expr, scope);
                if *op == UnaryOperator::Minus
                    && let Some(t @ (SqlType::Decimal { .. } | SqlType::Money | SqlType::SmallMoney)) = ty
                {
                    let scale = t.scale().unwrap_or(0);
                    let operand = take(expr);
                    *e = exact_op("-", number_literal(0), 0, operand, scale, t);
                }
                ty
            }
            Expr::BinaryOp { left, op, right } => {
                let (lt, rt) = (self.expr(left, scope), self.expr(right, scope));
                match op {
                    BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq => {
                        let op = op.clone();
                        let (l, r) = (take(left), take(right));
                        *e = self.compare(l, lt, &op, r, rt);
                        None
                    }
                    BinaryOperator::Plus if is_text(lt) || is_text(rt) => {
                        *op = BinaryOperator::StringConcat;
                        Some(TEXT_4000)
                    }
                    BinaryOperator::Plus
                    | BinaryOperator::Minus
                    | BinaryOperator::Multiply
                    | BinaryOperator::Divide
                    | BinaryOperator::Modulo => {
                        // An integer constant next to a DECIMAL has its own precision (`3` is a
                        // NUMERIC(1,0): SQL Server's `2.0 / 3` is 0.666666, not 0.666666666666).
                        let (lt, rt) = (constant_precision(left, lt, rt), constant_precision(right, rt, lt));
                        let ty = arithmetic_type(op, lt, rt);
                        let symbol = match op {
                            BinaryOperator::Plus => "+",
                            BinaryOperator::Minus => "-",
                            BinaryOperator::Multiply => "*",
                            BinaryOperator::Divide => "/",
                            _ => "%",
                        };
                        match (ty, lt, rt) {
                            // DECIMAL and MONEY results are computed exactly (MONEY % … stays SQLite's).
                            (Some(result), Some(lhs_ty), Some(rhs_ty))
                                if result.is_exact_fraction() && symbol != "%" =>
                            {
                                let (lhs, rhs) = (take(left), take(right));
                                let (lhs_scale, rhs_scale) = (lhs_ty.scale().unwrap_or(0), rhs_ty.scale().unwrap_or(0));
                                *e = exact_op(symbol, lhs, lhs_scale, rhs, rhs_scale, result);
                            }
                            _ if symbol == "/" => {
                                let int_division = is_integer(lt) && is_integer(rt);
                                let (lhs, rhs) = (take(left), take(right));
                                *e = function_call("sb_div", vec![lhs, rhs, number_literal(i64::from(int_division))]);
                            }
                            _ => {}
                        }
                        ty
                    }
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
                let operand_type = operand.as_mut().map(|o| self.expr(o, scope));
                let mut ty = None;
                let mut text_operand = is_text(operand_type.flatten());
                for c in conditions.iter_mut() {
                    let when = self.expr(&mut c.condition, scope);
                    text_operand |= operand.is_some() && is_text(when);
                    let t = self.expr(&mut c.result, scope);
                    ty = ty.or(t);
                }
                if let Some(e) = else_result {
                    let t = self.expr(e, scope);
                    ty = ty.or(t);
                }
                // `CASE x WHEN 'a'` compares x with each value under the collation.
                if text_operand && let Some(o) = operand.as_mut() {
                    self.collate(o);
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
                let ty = self.expr(expr, scope);
                let inner = self.query(subquery, Some(scope)).first().and_then(|c| c.ty);
                self.align_list(expr, ty, &mut [], inner);
                None
            }
            Expr::InList { expr, list, .. } => {
                let ty = self.expr(expr, scope);
                let types: Vec<Option<SqlType>> = list.iter_mut().map(|item| self.expr(item, scope)).collect();
                let widest = types.iter().copied().flatten().max_by_key(|t| t.precedence());
                let mut items: Vec<(&mut Expr, Option<SqlType>)> = list.iter_mut().zip(types).collect();
                self.align_list(expr, ty, &mut items, widest);
                None
            }
            Expr::Between { expr, low, high, negated } => {
                let (ty, lo, hi) = (self.expr(expr, scope), self.expr(low, scope), self.expr(high, scope));
                let exact = [ty, lo, hi].iter().any(|t| t.is_some_and(SqlType::is_exact_fraction))
                    && [ty, lo, hi].iter().all(|t| t.is_some_and(SqlType::is_number));
                if exact {
                    // x BETWEEN a AND b is x >= a AND x <= b, each compared exactly.
                    let (x, a, b) = (take(expr), take(low), take(high));
                    let above = self.compare(x.clone(), ty, &BinaryOperator::GtEq, a, lo);
                    let below = self.compare(x, ty, &BinaryOperator::LtEq, b, hi);
                    let both =
                        Expr::BinaryOp { left: Box::new(above), op: BinaryOperator::And, right: Box::new(below) };
                    let both = Expr::Nested(Box::new(both));
                    *e = if *negated { Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(both) } } else { both };
                } else {
                    let widest = [lo, hi].into_iter().flatten().max_by_key(|t| t.precedence());
                    let mut items = vec![(&mut **low, lo), (&mut **high, hi)];
                    self.align_list(expr, ty, &mut items, widest);
                }
                None
            }
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                self.expr(inner, scope);
                None
            }
            Expr::Like { expr, pattern, negated, escape_char, any: false } => {
                self.expr(expr, scope);
                self.expr(pattern, scope);
                let escape = match escape_char.take() {
                    Some(Value::SingleQuotedString(c) | Value::NationalStringLiteral(c)) => {
                        Expr::value(Value::SingleQuotedString(c))
                    }
                    _ => Expr::value(Value::Null),
                };
                let ignore_case = i64::from(self.collation == collate::CASE_INSENSITIVE);
                let call =
                    function_call("sb_like", vec![take(expr), take(pattern), escape, number_literal(ignore_case)]);
                *e = if *negated { Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(call) } } else { call };
                None
            }
            Expr::Function(f) => {
                let name = single_name(&f.name).map(str::to_ascii_uppercase).unwrap_or_default();
                let distinct = matches!(
                    &f.args,
                    FunctionArguments::List(list) if list.duplicate_treatment == Some(sqlparser::ast::DuplicateTreatment::Distinct)
                );
                let windowed = f.over.is_some();
                let plain = matches!(
                    &f.args,
                    FunctionArguments::List(list) if !list.args.is_empty()
                        && list.args.iter().all(|a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(_))))
                );
                let mut args = function_args(&mut f.args);
                let types: Vec<Option<SqlType>> = args.iter_mut().map(|a| self.expr(a, scope)).collect();
                let arg = |i: usize| types.get(i).copied().flatten();
                let ty = function_type(&name, &types, arg);
                // BINARY_CHECKSUM reads each argument as its type says (a DECIMAL stored as a
                // double, as text or computed is one value): the types travel with the call.
                if name == "BINARY_CHECKSUM" && plain {
                    let kinds: Vec<String> = types.iter().map(|t| checksum::kind_code(*t)).collect();
                    let mut call = vec![Expr::value(Value::SingleQuotedString(kinds.join(",")))];
                    call.extend(args.into_iter().map(take));
                    *e = function_call(checksum::FUNCTION, call);
                    return ty;
                }
                // Text keys of aggregates compare under the collation.
                if matches!(name.as_str(), "MIN" | "MAX" | "COUNT" | "COUNT_BIG" | "NULLIF")
                    && is_text(arg(0))
                    && (name != "COUNT" && name != "COUNT_BIG" || distinct)
                    && let Some(first) = args.first_mut()
                {
                    self.collate(first);
                }
                // Exact sums, averages, minima and maxima of DECIMAL and MONEY.
                if let Some(t) = arg(0).filter(|t| t.is_exact_fraction())
                    && !distinct
                    && !windowed
                {
                    let scale = number_literal(i64::from(t.scale().unwrap_or(0)));
                    let replacement = match (name.as_str(), args.len()) {
                        ("SUM", 1) => Some(function_call("sb_sum", vec![take(args[0]), scale])),
                        ("MIN", 1) => Some(function_call("sb_min", vec![take(args[0]), scale])),
                        ("MAX", 1) => Some(function_call("sb_max", vec![take(args[0]), scale])),
                        ("AVG", 1) => {
                            let result_scale = number_literal(i64::from(ty.and_then(SqlType::scale).unwrap_or(6)));
                            Some(function_call("sb_avg", vec![take(args[0]), scale, result_scale]))
                        }
                        ("NULLIF", 2) => {
                            let other = number_literal(i64::from(arg(1).and_then(SqlType::scale).unwrap_or(0)));
                            Some(function_call("sb_nullif", vec![take(args[0]), scale, take(args[1]), other]))
                        }
                        _ => None,
                    };
                    if let Some(replacement) = replacement {
                        *e = replacement;
                    }
                }
                ty
            }
            _ => None,
        }
    }

    /// `left op right` rewritten as SQL Server compares: text under the collation, operands of
    /// different types converted to the one of higher precedence, exact numbers exactly.
    fn compare(
        &self,
        mut left: Expr,
        lt: Option<SqlType>,
        op: &BinaryOperator,
        mut right: Expr,
        rt: Option<SqlType>,
    ) -> Expr {
        let explicit = matches!(left, Expr::Collate { .. }) || matches!(right, Expr::Collate { .. });
        let (mut lt, mut rt) = (lt, rt);
        match (lt, rt) {
            (Some(a), Some(b)) if a.is_date() || b.is_date() => {
                let same = a == b || matches!((a, b), (SqlType::DateTime2 { .. }, SqlType::DateTime2 { .. }));
                if !same && (a.is_date() || a.is_text()) && (b.is_date() || b.is_text()) {
                    let target = if a.precedence() >= b.precedence() { a } else { b };
                    left = to_date(left, target);
                    right = to_date(right, target);
                }
            }
            (Some(a), Some(b)) if a.is_text() && b.is_number() => {
                left = to_number(left, b);
                lt = Some(b);
            }
            (Some(a), Some(b)) if a.is_number() && b.is_text() => {
                right = to_number(right, a);
                rt = Some(a);
            }
            _ if !explicit && (is_text(lt) || is_text(rt)) => self.collate(&mut left),
            _ => {}
        }
        let exact = lt.is_some_and(SqlType::is_number)
            && rt.is_some_and(SqlType::is_number)
            && (lt.is_some_and(SqlType::is_exact_fraction) || rt.is_some_and(SqlType::is_exact_fraction))
            && lt != Some(SqlType::Float)
            && rt != Some(SqlType::Float);
        if exact {
            let scale = |t: Option<SqlType>| number_literal(i64::from(t.and_then(SqlType::scale).unwrap_or(0)));
            let call = function_call("sb_cmp", vec![left, scale(lt), right, scale(rt)]);
            return Expr::BinaryOp { left: Box::new(call), op: op.clone(), right: Box::new(number_literal(0)) };
        }
        Expr::BinaryOp { left: Box::new(left), op: op.clone(), right: Box::new(right) }
    }

    /// `x IN (…)` / `x BETWEEN a AND b`: each value meets `x` as in `=`: text under the collation,
    /// the operand of lower precedence converted to the other's type.
    fn align_list(
        &self,
        x: &mut Expr,
        ty: Option<SqlType>,
        items: &mut [(&mut Expr, Option<SqlType>)],
        widest: Option<SqlType>,
    ) {
        let (Some(a), Some(b)) = (ty, widest) else {
            if is_text(ty) && !matches!(x, Expr::Collate { .. }) {
                self.collate(x);
            }
            return;
        };
        if a.is_text() && b.is_text() {
            if !matches!(x, Expr::Collate { .. }) {
                self.collate(x);
            }
        } else if a.is_text() && b.is_number() {
            *x = to_number(take(x), b);
        } else if a.is_number() {
            for (item, t) in items.iter_mut() {
                if is_text(*t) {
                    **item = to_number(take(item), a);
                }
            }
        } else if a.is_date() || b.is_date() {
            let target = if a.precedence() >= b.precedence() { a } else { b };
            let differs = std::iter::once(a).chain(items.iter().filter_map(|(_, t)| *t)).any(|t| t != target);
            if differs && (a.is_date() || a.is_text()) {
                *x = to_date(take(x), target);
                for (item, _) in items.iter_mut() {
                    **item = to_date(take(item), target);
                }
            }
        }
    }
}

/// The type an integer constant takes next to a DECIMAL: NUMERIC(digits, 0), as SQL Server
/// converts a constant with the minimum precision it needs; otherwise `ty` unchanged.
fn constant_precision(e: &Expr, ty: Option<SqlType>, other: Option<SqlType>) -> Option<SqlType> {
    match (e, ty, other) {
        (Expr::Value(v), Some(SqlType::Int | SqlType::BigInt), Some(SqlType::Decimal { .. })) => match &v.value {
            Value::Number(n, _) => {
                let digits = n.trim_start_matches(['-', '+']).trim_start_matches('0').len();
                Some(SqlType::Decimal { precision: digits.clamp(1, 38) as u8, scale: 0 })
            }
            _ => ty,
        },
        _ => ty,
    }
}

/// A placeholder-swapped expression, to rebuild `e` around it.
fn take(e: &mut Expr) -> Expr {
    std::mem::replace(e, Expr::value(Value::Null))
}

fn object_name(name: &str) -> ObjectName {
    ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))])
}

/// An expression that needs no parentheses before a postfix `COLLATE`.
fn is_simple(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) | Expr::Nested(_) | Expr::Function(_)
    )
}

/// A stored or given value (a column, a parameter, a literal), not a computed one.
fn is_stored(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_))
}

/// The SQL Server type of a literal.
fn literal_type(v: &Value) -> Option<SqlType> {
    match v {
        Value::Number(n, _) => Some(literal_number_type(n)),
        Value::SingleQuotedString(s) | Value::NationalStringLiteral(s) => {
            Some(SqlType::NVarChar { max_chars: Some(s.chars().count().clamp(1, 4000) as u16) })
        }
        Value::Boolean(_) => Some(SqlType::Bit),
        _ => None,
    }
}

/// `a op b` on DECIMAL or MONEY values, computed exactly at the result type `t`.
fn exact_op(op: &str, a: Expr, a_scale: u8, b: Expr, b_scale: u8, t: SqlType) -> Expr {
    let (precision, scale) = as_decimal(t).unwrap_or((38, 0));
    function_call(
        "sb_dec",
        vec![
            Expr::value(Value::SingleQuotedString(op.to_owned())),
            a,
            number_literal(i64::from(a_scale)),
            b,
            number_literal(i64::from(b_scale)),
            number_literal(i64::from(scale)),
            number_literal(i64::from(precision)),
        ],
    )
}

/// Text converted to a number type, with SQL Server's errors (245 for an integer, 8114 otherwise).
fn to_number(e: Expr, target: SqlType) -> Expr {
    match target {
        SqlType::Bit | SqlType::Int | SqlType::BigInt => function_call("sb_to_int", vec![e]),
        SqlType::Float => function_call("sb_to_float", vec![e]),
        other => function_call("sb_to_decimal", vec![e, number_literal(i64::from(other.scale().unwrap_or(0)))]),
    }
}

/// A date, date-time or text in the canonical text of `target`, so that two of them compare as
/// the values they stand for (error 241 for text that is no date).
fn to_date(e: Expr, target: SqlType) -> Expr {
    if target == SqlType::Date {
        function_call("sb_to_date", vec![e])
    } else {
        function_call("sb_to_datetime", vec![e])
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
        "COUNT" | "YEAR" | "MONTH" | "DAY" | "DATEPART" | "DATEDIFF" | "LEN" | "CHARINDEX" | "DATALENGTH"
        | "BINARY_CHECKSUM" | "CHECKSUM_AGG" => Some(SqlType::Int),
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
