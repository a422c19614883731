//! Exact decimal arithmetic, as SQL Server computes DECIMAL, NUMERIC and MONEY: SQLite only has
//! doubles, so `+ - * /`, `SUM`, `AVG`, `MIN`, `MAX` and the comparisons of these types go through
//! the functions below, which compute on unscaled `i128` integers.
//!
//! A computed value travels between them as a BLOB holding its decimal text (`123.4500`): its
//! scale is exact, the functions tell it from a stored number or a text, and SQLite's own
//! functions, which read a BLOB as its text, still see the right number. A stored DECIMAL column
//! holds doubles; the declared scale, passed along by the translation, rounds them back to the
//! exact value they stand for (`numeric::float_to_unscaled`).

use std::cmp::Ordering;

use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value as SqlValue, ValueRef};

use super::errors::{self, fn_error};
use super::numeric::{float_to_unscaled, parse_decimal};

type FnResult<T> = rusqlite::Result<T>;

/// An exact decimal: `unscaled × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exact {
    pub unscaled: i128,
    pub scale: u8,
}

/// Largest scale handled (SQL Server's DECIMAL(38, 38)).
const MAX_SCALE: u8 = 38;

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Exact {
    /// The same value at `scale`: exact when growing, rounded half away from zero when shrinking
    /// (SQL Server's rounding of a narrowed decimal), truncated when `truncate`.
    pub fn rescale(self, scale: u8, truncate: bool) -> Option<Exact> {
        let unscaled = match scale.cmp(&self.scale) {
            Ordering::Equal => self.unscaled,
            Ordering::Greater => self.unscaled.checked_mul(pow10(u32::from(scale - self.scale))?)?,
            Ordering::Less => {
                let Some(divisor) = pow10(u32::from(self.scale - scale)) else {
                    return Some(Exact { unscaled: 0, scale });
                };
                let (q, r) = (self.unscaled / divisor, self.unscaled % divisor);
                if !truncate && r.unsigned_abs() * 2 >= divisor.unsigned_abs() { q + self.unscaled.signum() } else { q }
            }
        };
        Some(Exact { unscaled, scale })
    }

    /// Decimal text (`-0.0500`), what a computed value travels as: written straight into its
    /// bytes, for it is made once per row and per operation.
    pub fn text(self) -> Vec<u8> {
        let mut digits = [0u8; 40];
        let mut n = self.unscaled.unsigned_abs();
        let mut len = 0;
        // At least one digit before the point: 0.05 at scale 2 is the digits 0, 0, 5.
        while n > 0 || len <= usize::from(self.scale) {
            digits[len] = b'0' + (n % 10) as u8;
            n /= 10;
            len += 1;
        }
        let mut out = Vec::with_capacity(len + 2);
        if self.unscaled < 0 {
            out.push(b'-');
        }
        for (i, d) in digits[..len].iter().rev().enumerate() {
            if i == len - usize::from(self.scale) && self.scale > 0 {
                out.push(b'.');
            }
            out.push(*d);
        }
        out
    }

    /// Decimal text with its natural scale: `12.50` → scale 2. Plain `-123.45` text (what
    /// [`Exact::text`] writes) is read in one pass; anything else goes through `parse_decimal`.
    pub fn parse(text: &str) -> Option<Exact> {
        let bytes = text.as_bytes();
        let (negative, digits) = match bytes.first() {
            Some(b'-') => (true, &bytes[1..]),
            _ => (false, bytes),
        };
        let mut unscaled: i128 = 0;
        let mut scale: Option<u8> = None;
        let mut plain = !digits.is_empty();
        for &b in digits {
            match b {
                b'0'..=b'9' => {
                    let Some(next) = unscaled.checked_mul(10).and_then(|u| u.checked_add(i128::from(b - b'0'))) else {
                        plain = false;
                        break;
                    };
                    unscaled = next;
                    if let Some(s) = scale.as_mut() {
                        *s += 1;
                    }
                }
                b'.' if scale.is_none() => scale = Some(0),
                _ => {
                    plain = false;
                    break;
                }
            }
        }
        if plain && scale.unwrap_or(0) <= MAX_SCALE {
            return Some(Exact { unscaled: if negative { -unscaled } else { unscaled }, scale: scale.unwrap_or(0) });
        }
        let text = text.trim();
        let scale = text.split_once('.').map_or(0, |(_, frac)| frac.len());
        if text.contains(['e', 'E']) || scale > usize::from(MAX_SCALE) {
            return None;
        }
        let scale = scale as u8;
        parse_decimal(text, scale).map(|unscaled| Exact { unscaled, scale })
    }
}

fn compare(a: Exact, b: Exact) -> Option<Ordering> {
    let scale = a.scale.max(b.scale);
    Some(a.rescale(scale, false)?.unscaled.cmp(&b.rescale(scale, false)?.unscaled))
}

/// A value as an exact decimal; `scale` is the declared scale a stored double stands for.
/// `None` for NULL.
pub(crate) fn exact(v: ValueRef<'_>, scale: u8) -> FnResult<Option<Exact>> {
    let converting = || fn_error(errors::converting("numeric"));
    Ok(Some(match v {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(n) => Exact { unscaled: i128::from(n), scale: 0 },
        ValueRef::Real(f) => Exact { unscaled: float_to_unscaled(f, scale).ok_or_else(overflow)?, scale },
        ValueRef::Blob(b) => std::str::from_utf8(b).ok().and_then(Exact::parse).ok_or_else(converting)?,
        ValueRef::Text(t) => {
            let text = std::str::from_utf8(t).map_err(|_| converting())?;
            Exact { unscaled: parse_decimal(text, scale).ok_or_else(converting)?, scale }
        }
    }))
}

fn overflow() -> rusqlite::Error {
    fn_error(errors::overflow("numeric"))
}

/// The BLOB a computed decimal travels as.
pub(crate) fn value(e: Exact) -> SqlValue {
    SqlValue::Blob(e.text())
}

fn scale_arg(ctx: &Context<'_>, i: usize) -> FnResult<u8> {
    Ok(u8::try_from(ctx.get::<i64>(i)?).unwrap_or(0).min(MAX_SCALE))
}

/// `sb_dec(op, a, a_scale, b, b_scale, scale, precision)`: `a op b` exactly, at the result type
/// the translation worked out (SQL Server's precision and scale rules). Sums and differences are
/// exact; a product is rounded to the result scale; a quotient is truncated to it, as SQL Server
/// does. Error 8115 when the result does not fit the precision, 8134 on a division by zero.
fn arithmetic(ctx: &Context<'_>) -> FnResult<SqlValue> {
    let op = ctx.get::<String>(0)?;
    let (Some(a), Some(b)) = (exact(ctx.get_raw(1), scale_arg(ctx, 2)?)?, exact(ctx.get_raw(3), scale_arg(ctx, 4)?)?)
    else {
        return Ok(SqlValue::Null);
    };
    let (scale, precision) = (scale_arg(ctx, 5)?, scale_arg(ctx, 6)?.max(1));
    let result = match op.as_str() {
        "+" | "-" => {
            let common = a.scale.max(b.scale);
            let (a, b) =
                (a.rescale(common, false).ok_or_else(overflow)?, b.rescale(common, false).ok_or_else(overflow)?);
            let unscaled =
                if op == "+" { a.unscaled.checked_add(b.unscaled) } else { a.unscaled.checked_sub(b.unscaled) };
            Exact { unscaled: unscaled.ok_or_else(overflow)?, scale: common }.rescale(scale, false)
        }
        "*" => {
            let unscaled = a.unscaled.checked_mul(b.unscaled).ok_or_else(overflow)?;
            let product_scale = a.scale.checked_add(b.scale).filter(|s| *s <= MAX_SCALE * 2).ok_or_else(overflow)?;
            if product_scale > MAX_SCALE {
                let drop = pow10(u32::from(product_scale - MAX_SCALE)).ok_or_else(overflow)?;
                Exact { unscaled: unscaled / drop, scale: MAX_SCALE }.rescale(scale, false)
            } else {
                Exact { unscaled, scale: product_scale }.rescale(scale, false)
            }
        }
        "/" => {
            if b.unscaled == 0 {
                return Err(fn_error(errors::divide_by_zero()));
            }
            // a / b at `scale`: a × 10^(scale + b.scale − a.scale) / b, truncated.
            let shift = i32::from(scale) + i32::from(b.scale) - i32::from(a.scale);
            let (numerator, denominator) = if shift >= 0 {
                (a.unscaled.checked_mul(pow10(shift as u32).ok_or_else(overflow)?), Some(b.unscaled))
            } else {
                (Some(a.unscaled), b.unscaled.checked_mul(pow10((-shift) as u32).ok_or_else(overflow)?))
            };
            let (numerator, denominator) = (numerator.ok_or_else(overflow)?, denominator.ok_or_else(overflow)?);
            Some(Exact { unscaled: numerator / denominator, scale })
        }
        other => return Err(fn_error(errors::unsupported(&format!("the decimal operator {other}")))),
    };
    let result = result.ok_or_else(overflow)?;
    let limit = pow10(u32::from(precision.min(38))).ok_or_else(overflow)?;
    if result.unscaled.abs() >= limit {
        return Err(overflow());
    }
    Ok(value(result))
}

/// `sb_cmp(a, a_scale, b, b_scale)`: -1, 0 or 1, exactly; NULL when either is NULL.
fn compare_function(ctx: &Context<'_>) -> FnResult<Option<i64>> {
    let (Some(a), Some(b)) = (exact(ctx.get_raw(0), scale_arg(ctx, 1)?)?, exact(ctx.get_raw(2), scale_arg(ctx, 3)?)?)
    else {
        return Ok(None);
    };
    Ok(Some(match compare(a, b).ok_or_else(overflow)? {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

/// `sb_nullif(a, a_scale, b, b_scale)`: NULL when a = b exactly, else a.
fn nullif(ctx: &Context<'_>) -> FnResult<SqlValue> {
    let a_scale = scale_arg(ctx, 1)?;
    let Some(a) = exact(ctx.get_raw(0), a_scale)? else { return Ok(SqlValue::Null) };
    match exact(ctx.get_raw(2), scale_arg(ctx, 3)?)? {
        Some(b) if compare(a, b) == Some(Ordering::Equal) => Ok(SqlValue::Null),
        _ => Ok(value(a)),
    }
}

/// `sb_num(x)`: a double close to `x`, for ordering computed decimals (`ORDER BY SUM(…)`).
fn approximate(ctx: &Context<'_>) -> SqlValue {
    match ctx.get_raw(0) {
        ValueRef::Blob(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|t| t.trim().parse::<f64>().ok())
            .map_or(SqlValue::Null, SqlValue::Real),
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(n) => SqlValue::Integer(n),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

/// `SUM`, `AVG`, `MIN` and `MAX` of DECIMAL/MONEY values, exact.
#[derive(Clone, Copy)]
enum Fold {
    Sum,
    Avg,
    Min,
    Max,
}

/// Arguments are only readable in `step`: the scales are kept here for `finalize`.
#[derive(Default)]
struct Acc {
    value: Option<Exact>,
    count: i128,
    declared: u8,
    result_scale: u8,
}

impl Aggregate<Acc, SqlValue> for Fold {
    fn init(&self, _: &mut Context<'_>) -> FnResult<Acc> {
        Ok(Acc::default())
    }

    /// `(x, scale)`; `AVG` also takes its result scale.
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Acc) -> FnResult<()> {
        acc.declared = scale_arg(ctx, 1)?;
        if matches!(self, Fold::Avg) {
            acc.result_scale = scale_arg(ctx, 2)?;
        }
        let Some(x) = exact(ctx.get_raw(0), acc.declared)? else { return Ok(()) };
        acc.count += 1;
        acc.value = Some(match (acc.value, self) {
            (None, _) => x,
            (Some(sum), Fold::Sum | Fold::Avg) => {
                let scale = sum.scale.max(x.scale);
                let (a, b) =
                    (sum.rescale(scale, false).ok_or_else(overflow)?, x.rescale(scale, false).ok_or_else(overflow)?);
                Exact { unscaled: a.unscaled.checked_add(b.unscaled).ok_or_else(overflow)?, scale }
            }
            (Some(best), Fold::Min) => {
                if compare(x, best) == Some(Ordering::Less) {
                    x
                } else {
                    best
                }
            }
            (Some(best), Fold::Max) => {
                if compare(x, best) == Some(Ordering::Greater) {
                    x
                } else {
                    best
                }
            }
        });
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Acc>) -> FnResult<SqlValue> {
        let Some(Acc { value: Some(total), count, declared, result_scale }) = acc else { return Ok(SqlValue::Null) };
        let result = match self {
            Fold::Avg => {
                // The sum over the count at the result scale, truncated as a division is.
                let scale = result_scale;
                let numerator =
                    total.unscaled.checked_mul(pow10(u32::from(scale)).ok_or_else(overflow)?).ok_or_else(overflow)?;
                Exact { unscaled: numerator / count, scale: total.scale + scale }.rescale(scale, true)
            }
            _ => total.rescale(declared.max(total.scale), false),
        };
        Ok(value(result.ok_or_else(overflow)?))
    }
}

/// Registers the exact decimal functions on a session's connection.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("sb_dec", 7, det, arithmetic)?;
    conn.create_scalar_function("sb_cmp", 4, det, compare_function)?;
    conn.create_scalar_function("sb_nullif", 4, det, nullif)?;
    conn.create_scalar_function("sb_num", 1, det, |ctx| Ok(approximate(ctx)))?;
    conn.create_aggregate_function("sb_sum", 2, det, Fold::Sum)?;
    conn.create_aggregate_function("sb_avg", 3, det, Fold::Avg)?;
    conn.create_aggregate_function("sb_min", 2, det, Fold::Min)?;
    conn.create_aggregate_function("sb_max", 2, det, Fold::Max)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> String {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.query_row(sql, [], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
                ValueRef::Null => "NULL".to_owned(),
                other => format!("{other:?}"),
            })
        })
        .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn arithmetic_is_exact() {
        // 0.1 + 0.2 in doubles is 0.30000000000000004.
        assert_eq!(one("SELECT sb_dec('+', 0.1, 1, 0.2, 1, 1, 3)"), "0.3");
        // 99 999 999.99 × 18.5 needs 16 significant digits at scale 6.
        assert_eq!(one("SELECT sb_dec('*', 99999999.99, 2, 18.5, 4, 6, 28)"), "1849999999.815000");
        // SQL Server truncates a quotient: 2.0 / 3 = 0.666666 at scale 6.
        assert_eq!(one("SELECT sb_dec('/', 2.0, 1, 3, 0, 6, 13)"), "0.666666");
        assert_eq!(one("SELECT sb_dec('/', -2.0, 1, 3, 0, 6, 13)"), "-0.666666");
        assert_eq!(one("SELECT sb_dec('-', sb_dec('*', 3, 0, 0.1, 1, 1, 5), 1, 0.3, 1, 1, 5)"), "0.0");
        assert!(one("SELECT sb_dec('/', 1, 0, 0, 2, 6, 10)").contains("8134"));
        assert!(one("SELECT sb_dec('*', 99999, 0, 99999, 0, 0, 5)").contains("8115"));
        assert_eq!(one("SELECT sb_dec('+', NULL, 0, 1, 0, 0, 5)"), "NULL");
    }

    #[test]
    fn text_round_trips() {
        for (unscaled, scale, text) in
            [(0, 0, "0"), (5, 2, "0.05"), (-5, 2, "-0.05"), (12345, 2, "123.45"), (-7, 0, "-7"), (100, 1, "10.0")]
        {
            let e = Exact { unscaled, scale };
            assert_eq!(String::from_utf8(e.text()).unwrap(), text);
            assert_eq!(Exact::parse(text), Some(e));
        }
        assert_eq!(Exact::parse(" 1.5"), Some(Exact { unscaled: 15, scale: 1 }), "the slow path");
        assert_eq!(Exact::parse("1e3"), None);
        assert_eq!(Exact::parse("x"), None);
    }

    #[test]
    fn aggregates_are_exact() {
        let values = "(SELECT 0.1 AS x UNION ALL SELECT 0.2 UNION ALL SELECT 0.4 UNION ALL SELECT NULL)";
        assert_eq!(one(&format!("SELECT sb_sum(x, 2) FROM {values}")), "0.70");
        assert_eq!(one(&format!("SELECT sb_avg(x, 2, 6) FROM {values}")), "0.233333");
        assert_eq!(one(&format!("SELECT sb_min(x, 2) FROM {values}")), "0.10");
        assert_eq!(one(&format!("SELECT sb_max(x, 2) FROM {values}")), "0.40");
        assert_eq!(one("SELECT sb_sum(x, 2) FROM (SELECT NULL AS x)"), "NULL");
        assert_eq!(one("SELECT sb_cmp(sb_dec('+', 0.1, 1, 0.2, 1, 1, 3), 1, 0.3, 1)"), "Integer(0)");
        assert_eq!(one("SELECT sb_nullif(sb_dec('-', 1, 0, 1.00, 2, 2, 5), 2, 0, 0)"), "NULL");
    }
}
