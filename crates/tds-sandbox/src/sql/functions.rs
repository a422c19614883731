//! SQLite functions that give T-SQL's built-ins their SQL Server semantics: date arithmetic with
//! boundary counting, conversions that fail like SQL Server's, division by zero as an error, and
//! the statistical aggregates (`STDEV`, `VAR`…).

use chrono::{Datelike as _, Months, NaiveDate, NaiveDateTime, TimeDelta, Timelike as _};
use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value as SqlValue, ValueRef};

use super::convert::{canonical_datetime, date_text, parse_datetime};
use super::decimal;
use super::errors::{self, fn_error};
use super::numeric::{float_to_unscaled, parse_decimal};
use crate::types::ServerError;

type FnResult<T> = rusqlite::Result<T>;

/// Registers every sandbox function on a session's connection.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("sb_datediff", 3, det, datediff)?;
    conn.create_scalar_function("sb_dateadd", 3, det, dateadd)?;
    conn.create_scalar_function("sb_datepart", 2, det, datepart)?;
    conn.create_scalar_function("sb_div", 3, det, divide)?;
    conn.create_scalar_function("sb_right", 2, det, right)?;
    conn.create_scalar_function("sb_to_int", 1, det, to_int)?;
    conn.create_scalar_function("sb_to_float", 1, det, to_float)?;
    conn.create_scalar_function("sb_to_decimal", 2, det, to_decimal)?;
    conn.create_scalar_function("sb_to_bit", 1, det, to_bit)?;
    conn.create_scalar_function("sb_to_date", 1, det, to_date)?;
    conn.create_scalar_function("sb_to_datetime", 1, det, to_datetime)?;
    conn.create_scalar_function("sb_to_text", 3, det, |ctx| Ok(to_text(ctx)))?;
    conn.create_scalar_function("FLOOR", 1, det, |ctx| rounding(ctx, f64::floor))?;
    conn.create_scalar_function("CEILING", 1, det, |ctx| rounding(ctx, f64::ceil))?;
    conn.create_scalar_function("SIGN", 1, det, |ctx| rounding(ctx, f64::signum))?;
    conn.create_scalar_function("SQRT", 1, det, |ctx| Ok(number(ctx, 0)?.map(f64::sqrt)))?;
    conn.create_scalar_function("POWER", 2, det, |ctx| {
        Ok(number(ctx, 0)?.zip(number(ctx, 1)?).map(|(a, b)| a.powf(b)))
    })?;
    for (name, sample, root) in
        [("STDEV", true, true), ("STDEVP", false, true), ("VAR", true, false), ("VARP", false, false)]
    {
        conn.create_aggregate_function(name, 1, det, Variance { sample, root })?;
    }
    Ok(())
}

fn text_arg(ctx: &Context<'_>, i: usize) -> Option<String> {
    match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        // A computed decimal (see `decimal`): its text.
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

fn number(ctx: &Context<'_>, i: usize) -> FnResult<Option<f64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n as f64),
        ValueRef::Real(f) => Some(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(
            std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| fn_error(errors::converting("float")))?,
        ),
    })
}

/// FLOOR/CEILING/SIGN keep integers as integers (SQL Server keeps the argument's type).
fn rounding(ctx: &Context<'_>, f: fn(f64) -> f64) -> FnResult<SqlValue> {
    Ok(match ctx.get_raw(0) {
        ValueRef::Integer(n) => SqlValue::Integer(f(n as f64) as i64),
        _ => number(ctx, 0)?.map_or(SqlValue::Null, |x| SqlValue::Real(f(x))),
    })
}

/// A date/time argument: stored text, parsed; `None` for NULL.
fn datetime_arg(ctx: &Context<'_>, i: usize) -> FnResult<Option<(NaiveDateTime, bool)>> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(parse_datetime)
            .map(Some)
            .ok_or_else(|| fn_error(errors::date_conversion())),
        _ => Err(fn_error(errors::date_conversion())),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Year,
    Quarter,
    Month,
    DayOfYear,
    Day,
    Week,
    Weekday,
    Hour,
    Minute,
    Second,
    Millisecond,
    IsoWeek,
}

fn unit(name: &str) -> Option<Unit> {
    Some(match name.to_ascii_lowercase().as_str() {
        "year" | "yy" | "yyyy" => Unit::Year,
        "quarter" | "qq" | "q" => Unit::Quarter,
        "month" | "mm" | "m" => Unit::Month,
        "dayofyear" | "dy" | "y" => Unit::DayOfYear,
        "day" | "dd" | "d" => Unit::Day,
        "week" | "wk" | "ww" => Unit::Week,
        "weekday" | "dw" | "w" => Unit::Weekday,
        "hour" | "hh" => Unit::Hour,
        "minute" | "mi" | "n" => Unit::Minute,
        "second" | "ss" | "s" => Unit::Second,
        "millisecond" | "ms" => Unit::Millisecond,
        "iso_week" | "isowk" | "isoww" => Unit::IsoWeek,
        _ => return None,
    })
}

/// Validates a date part name at translation time, so that a bad one is reported as SQL Server does.
pub(crate) fn is_date_part(name: &str) -> bool {
    unit(name).is_some()
}

fn unit_arg(ctx: &Context<'_>, function: &str) -> FnResult<Unit> {
    let name = text_arg(ctx, 0).unwrap_or_default();
    unit(&name).ok_or_else(|| {
        fn_error(ServerError::statement(155, format!("'{name}' is not a recognized {function} option.")))
    })
}

/// Weeks counted on Sunday boundaries (SQL Server's DATEFIRST 7): 0001-01-01 is a Monday.
fn sunday_weeks(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()).div_euclid(7)
}

/// DATEDIFF counts the unit boundaries crossed between the two values, not elapsed whole units.
fn datediff(ctx: &Context<'_>) -> FnResult<Option<i64>> {
    let unit = unit_arg(ctx, "datediff")?;
    let (Some((a, _)), Some((b, _))) = (datetime_arg(ctx, 1)?, datetime_arg(ctx, 2)?) else { return Ok(None) };
    let months = |d: NaiveDateTime| i64::from(d.year()) * 12 + i64::from(d.month0());
    let seconds = |d: NaiveDateTime| d.and_utc().timestamp();
    Ok(Some(match unit {
        Unit::Year => i64::from(b.year() - a.year()),
        Unit::Quarter => months(b).div_euclid(3) - months(a).div_euclid(3),
        Unit::Month => months(b) - months(a),
        Unit::Day | Unit::DayOfYear | Unit::Weekday => (b.date() - a.date()).num_days(),
        Unit::Week => sunday_weeks(b.date()) - sunday_weeks(a.date()),
        Unit::IsoWeek => (b.date() - a.date()).num_days().div_euclid(7),
        Unit::Hour => seconds(b).div_euclid(3600) - seconds(a).div_euclid(3600),
        Unit::Minute => seconds(b).div_euclid(60) - seconds(a).div_euclid(60),
        Unit::Second => seconds(b) - seconds(a),
        Unit::Millisecond => b.and_utc().timestamp_millis() - a.and_utc().timestamp_millis(),
    }))
}

/// DATEADD keeps its argument's type: a date stays a `YYYY-MM-DD` text, a date-time keeps its
/// time; months are added with end-of-month clamping (2024-01-31 + 1 month = 2024-02-29).
fn dateadd(ctx: &Context<'_>) -> FnResult<Option<String>> {
    let unit = unit_arg(ctx, "dateadd")?;
    let Some(n) = number(ctx, 1)? else { return Ok(None) };
    let Some((d, has_time)) = datetime_arg(ctx, 2)? else { return Ok(None) };
    let n = n.trunc() as i64;
    let add_months = |d: NaiveDateTime, m: i64| {
        let months = Months::new(u32::try_from(m.unsigned_abs()).ok()?);
        if m >= 0 { d.checked_add_months(months) } else { d.checked_sub_months(months) }
    };
    let delta = |t: TimeDelta| d.checked_add_signed(t);
    let result = match unit {
        Unit::Year => add_months(d, n.saturating_mul(12)),
        Unit::Quarter => add_months(d, n.saturating_mul(3)),
        Unit::Month => add_months(d, n),
        Unit::Day | Unit::DayOfYear | Unit::Weekday => TimeDelta::try_days(n).and_then(delta),
        Unit::Week | Unit::IsoWeek => TimeDelta::try_weeks(n).and_then(delta),
        Unit::Hour => TimeDelta::try_hours(n).and_then(delta),
        Unit::Minute => TimeDelta::try_minutes(n).and_then(delta),
        Unit::Second => TimeDelta::try_seconds(n).and_then(delta),
        Unit::Millisecond => TimeDelta::try_milliseconds(n).and_then(delta),
    };
    let result = result.filter(|r| (1..=9999).contains(&r.year())).ok_or_else(|| {
        fn_error(ServerError::statement(517, "Adding a value to a 'date' column caused an overflow."))
    })?;
    let date_only = !has_time && result.time() == chrono::NaiveTime::MIN;
    Ok(Some(if date_only { date_text(result.date()) } else { canonical_datetime(&result) }))
}

fn datepart(ctx: &Context<'_>) -> FnResult<Option<i64>> {
    let unit = unit_arg(ctx, "datepart")?;
    let Some((d, _)) = datetime_arg(ctx, 1)? else { return Ok(None) };
    Ok(Some(i64::from(match unit {
        Unit::Year => d.year() as u32,
        Unit::Quarter => d.month0() / 3 + 1,
        Unit::Month => d.month(),
        Unit::DayOfYear => d.ordinal(),
        Unit::Day => d.day(),
        // Week 1 holds January 1st; weeks start on Sunday (us_english).
        Unit::Week => {
            let jan1 = d.with_ordinal(1).map_or(0, |j| j.weekday().num_days_from_sunday());
            (d.ordinal0() + jan1) / 7 + 1
        }
        Unit::Weekday => d.weekday().num_days_from_sunday() + 1,
        Unit::Hour => d.hour(),
        Unit::Minute => d.minute(),
        Unit::Second => d.second(),
        Unit::Millisecond => d.nanosecond() / 1_000_000,
        Unit::IsoWeek => d.iso_week().week(),
    })))
}

/// `a / b` with SQL Server's semantics: an error on zero, integer division only when both operands
/// are integers in SQL Server's typing (`int_division` = 1, decided at translation), since SQLite
/// stores whole decimals as integers and would otherwise truncate `1500.00 / 7`.
fn divide(ctx: &Context<'_>) -> FnResult<SqlValue> {
    let int_division = ctx.get::<i64>(2)? != 0;
    let (dividend, divisor) = (ctx.get_raw(0), ctx.get_raw(1));
    if matches!(dividend, ValueRef::Null) || matches!(divisor, ValueRef::Null) {
        return Ok(SqlValue::Null);
    }
    if int_division && let (ValueRef::Integer(n), ValueRef::Integer(d)) = (dividend, divisor) {
        if d == 0 {
            return Err(fn_error(errors::divide_by_zero()));
        }
        return Ok(n.checked_div(d).map_or(SqlValue::Null, SqlValue::Integer));
    }
    let (Some(n), Some(d)) = (number(ctx, 0)?, number(ctx, 1)?) else { return Ok(SqlValue::Null) };
    if d == 0.0 {
        return Err(fn_error(errors::divide_by_zero()));
    }
    let quotient = n / d;
    Ok(SqlValue::Real(if int_division { quotient.trunc() } else { quotient }))
}

fn right(ctx: &Context<'_>) -> FnResult<Option<String>> {
    let (Some(s), Some(n)) = (text_arg(ctx, 0), number(ctx, 1)?) else { return Ok(None) };
    if n < 0.0 {
        return Err(fn_error(ServerError::statement(536, "Invalid length parameter passed to the right function.")));
    }
    let count = s.chars().count();
    let keep = (n as usize).min(count);
    Ok(Some(s.chars().skip(count - keep).collect()))
}

fn to_int(ctx: &Context<'_>) -> FnResult<Option<i64>> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n)),
        ValueRef::Real(f) => Ok(Some(f.trunc() as i64)),
        ValueRef::Text(t) => {
            let s = std::str::from_utf8(t).unwrap_or("").trim();
            s.parse::<i64>().map(Some).map_err(|_| fn_error(errors::conversion_to(t, "int")))
        }
        // A computed decimal converts as a number: truncated.
        ValueRef::Blob(_) => Ok(decimal::exact(ctx.get_raw(0), 0)?
            .and_then(|e| e.rescale(0, true))
            .and_then(|e| i64::try_from(e.unscaled).ok())),
    }
}

fn to_float(ctx: &Context<'_>) -> FnResult<Option<f64>> {
    number(ctx, 0)
}

/// CAST to DECIMAL(p, s) or MONEY: rounds exactly (half away from zero) through the decimal text.
fn to_decimal(ctx: &Context<'_>) -> FnResult<SqlValue> {
    let scale = u8::try_from(ctx.get::<i64>(1)?).unwrap_or(0).min(38);
    let unscaled = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(SqlValue::Null),
        ValueRef::Integer(n) => return Ok(SqlValue::Integer(n)),
        ValueRef::Real(f) => float_to_unscaled(f, scale),
        ValueRef::Text(t) => parse_decimal(std::str::from_utf8(t).unwrap_or(""), scale),
        ValueRef::Blob(_) => {
            decimal::exact(ctx.get_raw(0), scale)?.and_then(|e| e.rescale(scale, false)).map(|e| e.unscaled)
        }
    };
    let unscaled = unscaled.ok_or_else(|| fn_error(errors::converting("numeric")))?;
    // Exact, as a computed decimal: a double could not hold DECIMAL(38, …).
    Ok(decimal::value(decimal::Exact { unscaled, scale }))
}

fn to_bit(ctx: &Context<'_>) -> FnResult<Option<i64>> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(i64::from(n != 0))),
        ValueRef::Real(f) => Ok(Some(i64::from(f != 0.0))),
        ValueRef::Text(t) => match std::str::from_utf8(t).unwrap_or("").trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(Some(1)),
            "0" | "false" => Ok(Some(0)),
            _ => Err(fn_error(errors::conversion_to(t, "bit"))),
        },
        ValueRef::Blob(_) => Err(fn_error(errors::converting("bit"))),
    }
}

fn to_date(ctx: &Context<'_>) -> FnResult<Option<String>> {
    Ok(datetime_arg(ctx, 0)?.map(|(d, _)| date_text(d.date())))
}

fn to_datetime(ctx: &Context<'_>) -> FnResult<Option<String>> {
    Ok(datetime_arg(ctx, 0)?.map(|(d, _)| canonical_datetime(&d)))
}

/// CAST/CONVERT to (N)VARCHAR(n) [, style]: dates follow the style (103 = dd/mm/yyyy…), the text
/// is cut to `n` characters as SQL Server silently does.
fn to_text(ctx: &Context<'_>) -> Option<String> {
    let mut s = text_arg(ctx, 0)?;
    let style = match ctx.get_raw(2) {
        ValueRef::Integer(n) => Some(n),
        _ => None,
    };
    if let (Some(style), ValueRef::Text(_)) = (style, ctx.get_raw(0))
        && let Some((d, has_time)) = parse_datetime(&s)
    {
        let time = if has_time { d.format(" %H:%M:%S").to_string() } else { String::new() };
        let formatted = match style {
            101 => Some(d.format("%m/%d/%Y").to_string()),
            103 => Some(d.format("%d/%m/%Y").to_string()),
            104 => Some(d.format("%d.%m.%Y").to_string()),
            105 => Some(d.format("%d-%m-%Y").to_string()),
            112 => Some(d.format("%Y%m%d").to_string()),
            23 => Some(date_text(d.date())),
            120 => Some(format!("{}{time}", date_text(d.date()))),
            121 => Some(canonical_datetime(&d)),
            126 => Some(d.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
            _ => None,
        };
        if let Some(f) = formatted {
            s = f;
        }
    }
    if let ValueRef::Integer(n) = ctx.get_raw(1)
        && let Ok(n) = usize::try_from(n)
        && s.chars().count() > n
    {
        s = s.chars().take(n).collect();
    }
    Some(s)
}

/// Sample or population variance / standard deviation, by Welford's algorithm (stable).
struct Variance {
    sample: bool,
    root: bool,
}

#[derive(Default)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Aggregate<Moments, Option<f64>> for Variance {
    fn init(&self, _: &mut Context<'_>) -> FnResult<Moments> {
        Ok(Moments::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Moments) -> FnResult<()> {
        if let Some(x) = number(ctx, 0)? {
            acc.n += 1;
            let delta = x - acc.mean;
            acc.mean += delta / acc.n as f64;
            acc.m2 += delta * (x - acc.mean);
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Moments>) -> FnResult<Option<f64>> {
        let Some(acc) = acc else { return Ok(None) };
        let divisor = if self.sample { acc.n.saturating_sub(1) } else { acc.n };
        if divisor == 0 {
            return Ok(None);
        }
        let variance = acc.m2 / divisor as f64;
        Ok(Some(if self.root { variance.sqrt() } else { variance }))
    }
}
