//! Conversions between SQLite storage values and the typed values SQL Server clients expect:
//! exact decimal rounding, date/time text parsing and the canonical stored date/time forms.

use chrono::{Datelike as _, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _};
use rusqlite::types::ValueRef;

use super::decimal::Exact;
use super::errors;
use super::numeric::{float_to_unscaled, parse_decimal};
use crate::types::{ServerError, SqlType, Value};

/// How SQLite stores a decimal: an integer at scale 0 when it fits, else the shortest double
/// nearest to it (exact enough to round back losslessly; DECIMAL columns hold numbers).
pub(crate) fn decimal_to_sqlite(unscaled: i128, scale: u8) -> rusqlite::types::Value {
    if scale == 0
        && let Ok(integer) = i64::try_from(unscaled)
    {
        return rusqlite::types::Value::Integer(integer);
    }
    rusqlite::types::Value::Real(decimal_text(unscaled, scale).parse().unwrap_or(unscaled as f64))
}

/// Text of a decimal value, e.g. `12345` at scale 2 → `123.45`.
pub(crate) fn decimal_text(unscaled: i128, scale: u8) -> String {
    if scale == 0 {
        return unscaled.to_string();
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = usize::from(scale);
    let padded =
        if digits.len() <= scale { format!("{}{digits}", "0".repeat(scale + 1 - digits.len())) } else { digits };
    let (int_part, frac_part) = padded.split_at(padded.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    format!("{sign}{int_part}.{frac_part}")
}

fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => Some(u32::from(a - b'0') * 10 + u32::from(c - b'0')),
        _ => None,
    }
}

/// A date or date-time as text: `YYYY-MM-DD`, optionally followed by ` ` or `T` and
/// `HH:MM[:SS[.fffffff]]` (a trailing `Z` is tolerated). The flag tells whether a time was present.
pub(crate) fn parse_datetime(text: &str) -> Option<(NaiveDateTime, bool)> {
    let b = text.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = std::str::from_utf8(&b[..4]).ok()?.parse::<i32>().ok()?;
    let date = NaiveDate::from_ymd_opt(year, two_digits(&b[5..7])?, two_digits(&b[8..10])?)?;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some((date.and_time(NaiveTime::MIN), false));
    }
    if !(rest[0] == b' ' || rest[0] == b'T') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let hour = two_digits(&rest[1..3])?;
    let minute = two_digits(&rest[4..6])?;
    let mut rest = &rest[6..];
    let mut second = 0;
    let mut nanos = 0u32;
    if rest.first() == Some(&b':') {
        second = two_digits(rest.get(1..3)?)?;
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let frac: &[u8] = &rest[1..];
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            for (i, d) in frac[..n].iter().enumerate() {
                if i < 9 {
                    nanos = nanos * 10 + u32::from(d - b'0');
                }
            }
            for _ in n..9 {
                nanos *= 10;
            }
            rest = &frac[n..];
        }
    }
    if !(rest.is_empty() || rest == b"Z") {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some((date.and_time(time), true))
}

/// The canonical stored form of a date-time: seconds only when the fraction is zero, else seven
/// fraction digits — so that parameters compare equal (as text) to stored DATETIME2 values.
pub(crate) fn canonical_datetime(dt: &NaiveDateTime) -> String {
    let nanos = dt.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        format!("{}.{:07}", dt.format("%Y-%m-%d %H:%M:%S"), nanos / 100)
    }
}

pub(crate) fn date_text(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Rounds the fraction of `dt` to `scale` digits, as SQL Server does when narrowing DATETIME2.
fn round_to_scale(dt: NaiveDateTime, scale: u8) -> NaiveDateTime {
    if scale >= 9 {
        return dt;
    }
    let unit = 10u32.pow(9 - u32::from(scale));
    let nanos = dt.nanosecond() % 1_000_000_000;
    let rounded = (nanos + unit / 2) / unit * unit;
    let base = dt.with_nanosecond(0).unwrap_or(dt);
    base + chrono::Duration::nanoseconds(i64::from(rounded))
}

/// A computed decimal (a BLOB of decimal text, see `decimal`), at its own scale.
fn computed(b: &[u8]) -> Option<Exact> {
    std::str::from_utf8(b).ok().and_then(Exact::parse)
}

/// `text` blank-padded to `len` characters, as SQL Server returns CHAR/NCHAR values; error 8152
/// when it does not fit.
fn padded(text: String, len: u16) -> Result<Value, ServerError> {
    let count = text.chars().count();
    let len = usize::from(len);
    if count > len {
        if text.trim_end_matches(' ').chars().count() <= len {
            return Ok(Value::Text(text.chars().take(len).collect()));
        }
        return Err(ServerError::statement(8152, "String or binary data would be truncated."));
    }
    let mut text = text;
    text.extend(std::iter::repeat_n(' ', len - count));
    Ok(Value::Text(text))
}

/// A value as text, whatever SQLite stored.
fn as_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Null => None,
    }
}

/// Converts one SQLite value to a value of the column type `ty`.
pub(crate) fn to_value(v: ValueRef<'_>, ty: SqlType) -> Result<Value, ServerError> {
    match (ty, v) {
        (_, ValueRef::Null) => Ok(Value::Null),
        (SqlType::Bit, ValueRef::Integer(i)) => Ok(Value::Int(i64::from(i != 0))),
        (SqlType::Bit, ValueRef::Real(f)) => Ok(Value::Int(i64::from(f != 0.0))),
        (SqlType::Bit, ValueRef::Text(t)) => match std::str::from_utf8(t).map(str::trim) {
            Ok("1" | "true" | "TRUE" | "True") => Ok(Value::Int(1)),
            Ok("0" | "false" | "FALSE" | "False") => Ok(Value::Int(0)),
            _ => Err(errors::conversion_to(t, "bit")),
        },
        (SqlType::Int, ValueRef::Integer(i)) => {
            if i32::try_from(i).is_ok() {
                Ok(Value::Int(i))
            } else {
                Err(errors::overflow("int"))
            }
        }
        (SqlType::BigInt, ValueRef::Integer(i)) => Ok(Value::Int(i)),
        // A REAL in an integer column comes from AVG or division: SQL Server truncates.
        (SqlType::Int | SqlType::BigInt, ValueRef::Real(f)) => {
            let limit = if ty == SqlType::Int { f64::from(i32::MAX) + 1.0 } else { i64::MAX as f64 };
            if f.is_finite() && f.trunc().abs() < limit {
                Ok(Value::Int(f.trunc() as i64))
            } else {
                Err(errors::overflow("int"))
            }
        }
        (SqlType::Int | SqlType::BigInt | SqlType::Bit, ValueRef::Blob(b)) => {
            let whole = computed(b).and_then(|e| e.rescale(0, true)).ok_or_else(|| errors::converting("int"))?;
            let whole = i64::try_from(whole.unscaled).map_err(|_| errors::overflow("int"))?;
            match ty {
                SqlType::Int if i32::try_from(whole).is_err() => Err(errors::overflow("int")),
                SqlType::Bit => Ok(Value::Int(i64::from(whole != 0))),
                _ => Ok(Value::Int(whole)),
            }
        }
        (SqlType::Int | SqlType::BigInt, ValueRef::Text(t)) => {
            let parsed = std::str::from_utf8(t).ok().and_then(|s| s.trim().parse::<i64>().ok());
            match parsed {
                Some(i) if ty == SqlType::BigInt || i32::try_from(i).is_ok() => Ok(Value::Int(i)),
                Some(_) => Err(errors::overflow("int")),
                None => Err(errors::conversion_to(t, if ty == SqlType::Int { "int" } else { "bigint" })),
            }
        }
        (SqlType::Float, ValueRef::Integer(i)) => Ok(Value::Float(i as f64)),
        (SqlType::Float, ValueRef::Real(f)) => Ok(Value::Float(f)),
        (SqlType::Float, ValueRef::Text(t) | ValueRef::Blob(t)) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .map(Value::Float)
            .ok_or_else(|| errors::converting("float")),
        (SqlType::Decimal { .. } | SqlType::Money | SqlType::SmallMoney, v) => {
            let (precision, scale, name) = match ty {
                SqlType::Decimal { precision, scale } => (precision, scale, "numeric"),
                SqlType::SmallMoney => (10, 4, "smallmoney"),
                _ => (19, 4, "money"),
            };
            let unscaled = match v {
                ValueRef::Integer(i) => i128::from(i).checked_mul(10i128.pow(u32::from(scale))),
                ValueRef::Real(f) => float_to_unscaled(f, scale),
                ValueRef::Blob(b) => {
                    computed(b).ok_or_else(|| errors::converting(name))?.rescale(scale, false).map(|e| e.unscaled)
                }
                ValueRef::Text(t) => {
                    let s = std::str::from_utf8(t).map_err(|_| errors::converting(name))?;
                    Some(parse_decimal(s, scale).ok_or_else(|| errors::converting(name))?)
                }
                ValueRef::Null => return Ok(Value::Null),
            };
            let limit: i128 = match ty {
                // MONEY is an i64 of ten-thousandths, SMALLMONEY an i32.
                SqlType::Money => i128::from(i64::MAX),
                SqlType::SmallMoney => i128::from(i32::MAX),
                _ => 10i128.pow(u32::from(precision.min(38))) - 1,
            };
            match unscaled {
                Some(u) if u.abs() <= limit => Ok(Value::Decimal { unscaled: u, scale }),
                _ => Err(errors::overflow(name)),
            }
        }
        (SqlType::NVarChar { .. } | SqlType::VarChar { .. }, v) => Ok(as_text(v).map_or(Value::Null, Value::Text)),
        (SqlType::NChar { len } | SqlType::Char { len }, v) => as_text(v).map_or(Ok(Value::Null), |t| padded(t, len)),
        (SqlType::Date, ValueRef::Text(t)) => std::str::from_utf8(t)
            .ok()
            .and_then(parse_datetime)
            .map(|(dt, _)| Value::Date(dt.date()))
            .ok_or_else(errors::date_conversion),
        (SqlType::DateTime2 { scale }, ValueRef::Text(t)) => std::str::from_utf8(t)
            .ok()
            .and_then(parse_datetime)
            .map(|(dt, _)| Value::DateTime(round_to_scale(dt, scale)))
            .ok_or_else(errors::date_conversion),
        (SqlType::DateTime | SqlType::SmallDateTime, ValueRef::Text(t)) => std::str::from_utf8(t)
            .ok()
            .and_then(parse_datetime)
            .map(|(dt, _)| Value::DateTime(dt))
            .ok_or_else(errors::date_conversion),
        (SqlType::Date | SqlType::DateTime2 { .. } | SqlType::DateTime | SqlType::SmallDateTime, _) => {
            Err(errors::date_conversion())
        }
    }
}

/// The SQL type SQLite's own storage class suggests, for columns nothing else could type.
pub(crate) fn type_of_storage(v: ValueRef<'_>) -> SqlType {
    match v {
        ValueRef::Integer(i) if i32::try_from(i).is_ok() => SqlType::Int,
        ValueRef::Integer(_) => SqlType::BigInt,
        ValueRef::Real(_) => SqlType::Float,
        // A computed decimal keeps its own scale.
        ValueRef::Blob(b) => computed(b).map_or(SqlType::NVarChar { max_chars: Some(4000) }, |e| SqlType::Decimal {
            precision: 38,
            scale: e.scale,
        }),
        _ => SqlType::NVarChar { max_chars: Some(4000) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_pads_and_signs() {
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(12345, 2), "123.45");
    }

    #[test]
    fn datetime_parsing_and_canonical_form() {
        let (dt, has_time) = parse_datetime("2024-03-05 10:20:30.1234567").unwrap();
        assert!(has_time);
        assert_eq!(canonical_datetime(&dt), "2024-03-05 10:20:30.1234567");
        let (dt, _) = parse_datetime("2024-03-05T10:20:30.123456").unwrap();
        assert_eq!(canonical_datetime(&dt), "2024-03-05 10:20:30.1234560");
        let (dt, has_time) = parse_datetime("2024-03-05").unwrap();
        assert!(!has_time);
        assert_eq!(canonical_datetime(&dt), "2024-03-05 00:00:00");
        assert!(parse_datetime("2024-02-30").is_none());
        assert!(parse_datetime("05/03/2024").is_none());
        assert!(parse_datetime("2024-03-05 10:20:3x").is_none());
        assert_eq!(
            to_value(ValueRef::Text(b"2024-03-05 10:20:30.9996"), SqlType::DateTime2 { scale: 3 }).unwrap(),
            Value::DateTime(parse_datetime("2024-03-05 10:20:31").unwrap().0)
        );
    }
}
