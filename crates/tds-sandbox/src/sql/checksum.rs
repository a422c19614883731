//! `BINARY_CHECKSUM(expr, …)` and `CHECKSUM_AGG(expr)`, both INT, as SQL Server's are used: to
//! tell whether rows changed since an earlier look at the same server.
//!
//! The figures are **not** SQL Server's: SQL Server hashes its own storage bytes (UTF-16 text,
//! its decimal layout…), which SQLite does not hold. What is kept is what a client can rely on:
//! - deterministic: the same values give the same checksum in every run, process and platform
//!   (no random seed, no pointer, no locale);
//! - the checksum moves when an argument changes; text is compared byte for byte (case counts,
//!   `'Devis'` ≠ `'DEVIS'`, whatever the collation), except trailing spaces, which do not count
//!   (SQL Server compares text so, and CHAR(n) values are blank-padded); NULL is neither `''`
//!   nor `0`;
//! - a value hashes as the value of its SQL Server type, whatever SQLite's storage class: a
//!   DECIMAL(18,2) `1234.50` stored as a double, as text, as the integer `1500` for `1500.00`, or
//!   computed exactly (`decimal`) gives one checksum, as does a DATETIME2 written with or without
//!   its zero fraction. The typing (`infer`) passes each argument's type family along.
//!
//! The hash is the shape SQL Server's is observed to have: for each byte of each argument's
//! canonical bytes, `h = h.rotate_left(4) ^ byte` on 32 bits, each argument opened by a byte
//! naming its family (NULL is the single byte `0xFF`). Like SQL Server's, it is linear: a change
//! is missed when it cancels out (bytes 8 apart changed alike, or two rows' changes that undo
//! each other in `CHECKSUM_AGG`), which is why SQL Server documents it as detecting "most, but
//! not all" changes. `CHECKSUM_AGG` is the XOR of its non-NULL arguments (SQL Server's), NULL for
//! a group without any.

use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::ValueRef;

use super::convert::{canonical_datetime, date_text, parse_datetime};
use super::decimal::{self, Exact};
use super::errors::{self, fn_error};
use crate::types::{ServerError, SqlType};

type FnResult<T> = rusqlite::Result<T>;

/// The SQLite function a typed `BINARY_CHECKSUM` call becomes: `sb_binary_checksum(kinds, a, b, …)`.
pub(crate) const FUNCTION: &str = "sb_binary_checksum";

/// The family byte an argument's canonical bytes start with.
const NULL: u8 = 0xFF;
const TEXT: u8 = b'S';
const EXACT: u8 = b'N';
const INTEGER: u8 = b'I';
const FLOAT: u8 = b'F';
const DATE: u8 = b'D';
const BYTES: u8 = b'B';

/// How an argument is read, from its SQL Server type: written by the translation in the first
/// argument of [`FUNCTION`], one code per argument, comma-separated (`t,n2,n4,t,dt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `t`: character data.
    Text,
    /// `n<scale>`: DECIMAL/NUMERIC/MONEY at that scale.
    Exact(u8),
    /// `i`: INT, BIGINT, BIT.
    Integer,
    /// `f`: FLOAT.
    Float,
    /// `d`: DATE.
    Date,
    /// `dt`: DATETIME2, DATETIME, SMALLDATETIME.
    DateTime,
    /// empty: not typed; read by SQLite's storage class.
    Unknown,
}

impl Kind {
    fn parse(code: &str) -> Kind {
        match code {
            "t" => Kind::Text,
            "i" => Kind::Integer,
            "f" => Kind::Float,
            "d" => Kind::Date,
            "dt" => Kind::DateTime,
            _ => code.strip_prefix('n').and_then(|s| s.parse().ok()).map_or(Kind::Unknown, Kind::Exact),
        }
    }
}

/// The code of an argument of type `ty` in the kinds list of [`FUNCTION`].
pub(crate) fn kind_code(ty: Option<SqlType>) -> String {
    match ty {
        Some(t) if t.is_text() => "t".to_owned(),
        Some(t) if t.is_exact_fraction() => format!("n{}", t.scale().unwrap_or(0)),
        Some(SqlType::Bit | SqlType::Int | SqlType::BigInt) => "i".to_owned(),
        Some(SqlType::Float) => "f".to_owned(),
        Some(SqlType::Date) => "d".to_owned(),
        Some(SqlType::DateTime2 { .. } | SqlType::DateTime | SqlType::SmallDateTime) => "dt".to_owned(),
        _ => String::new(),
    }
}

/// The 32-bit rotate-and-XOR fold of `bytes` into `h`.
fn fold(h: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(h, |h, &b| h.rotate_left(4) ^ u32::from(b))
}

/// Text without its trailing spaces.
fn trimmed(t: &[u8]) -> &[u8] {
    let end = t.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
    &t[..end]
}

/// `e` without the trailing zeros of its fraction: the value, whatever scale it was written at.
fn normalised(mut e: Exact) -> Exact {
    while e.scale > 0 && e.unscaled % 10 == 0 {
        e = Exact { unscaled: e.unscaled / 10, scale: e.scale - 1 };
    }
    e
}

/// A number's family and canonical text: an integer as `I` and its digits, another value as `N`
/// and its shortest decimal text.
fn number(e: Exact) -> (u8, Vec<u8>) {
    let e = normalised(e);
    (if e.scale == 0 { INTEGER } else { EXACT }, e.text())
}

fn float_bytes(f: f64) -> Vec<u8> {
    // `-0.0 + 0.0` is `0.0`: the two zeros are one value, as SQL Server compares them.
    format!("{}", f + 0.0).into_bytes()
}

/// An untyped value, by its storage class; numbers by their value (`1500`, `1500.0` and the
/// computed `1500.00` are one number).
fn by_storage(v: ValueRef<'_>) -> (u8, Vec<u8>) {
    match v {
        ValueRef::Null => (NULL, Vec::new()),
        ValueRef::Integer(n) => (INTEGER, n.to_string().into_bytes()),
        ValueRef::Real(f) => {
            let text = float_bytes(f);
            match std::str::from_utf8(&text).ok().and_then(Exact::parse) {
                Some(e) => number(e),
                None => (FLOAT, text),
            }
        }
        ValueRef::Blob(b) => match std::str::from_utf8(b).ok().and_then(Exact::parse) {
            Some(e) => number(e),
            None => (BYTES, b.to_vec()),
        },
        ValueRef::Text(t) => (TEXT, trimmed(t).to_vec()),
    }
}

/// An argument's family byte and canonical bytes, read as its SQL Server type says.
fn canonical(v: ValueRef<'_>, kind: Kind) -> (u8, Vec<u8>) {
    let as_text = |v: ValueRef<'_>| match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(std::str::from_utf8(t).ok()?.trim().to_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(format!("{f}")),
        ValueRef::Null => None,
    };
    let typed = match (kind, v) {
        (_, ValueRef::Null) => Some((NULL, Vec::new())),
        (Kind::Text, ValueRef::Text(t) | ValueRef::Blob(t)) => Some((TEXT, trimmed(t).to_vec())),
        (Kind::Text, other) => as_text(other).map(|t| (TEXT, t.into_bytes())),
        // The declared scale tells what a stored double stands for (`decimal::exact`).
        (Kind::Exact(scale), v) => {
            decimal::exact(v, scale).ok().flatten().and_then(|e| e.rescale(scale, false)).map(|e| (EXACT, e.text()))
        }
        (Kind::Integer, ValueRef::Integer(n)) => Some((INTEGER, n.to_string().into_bytes())),
        (Kind::Integer, v) => as_text(v)
            .and_then(|t| Exact::parse(&t))
            .map(normalised)
            .filter(|e| e.scale == 0)
            .map(|e| (INTEGER, e.text())),
        (Kind::Float, ValueRef::Integer(n)) => Some((FLOAT, float_bytes(n as f64))),
        (Kind::Float, ValueRef::Real(f)) => Some((FLOAT, float_bytes(f))),
        (Kind::Float, v) => as_text(v).and_then(|t| t.parse::<f64>().ok()).map(|f| (FLOAT, float_bytes(f))),
        (Kind::Date | Kind::DateTime, v) => as_text(v).and_then(|t| parse_datetime(&t)).map(|(dt, _)| {
            let text = if kind == Kind::Date { date_text(dt.date()) } else { canonical_datetime(&dt) };
            (DATE, text.into_bytes())
        }),
        (Kind::Unknown, _) => None,
    };
    // What its type cannot read (text that is no number in a DECIMAL expression…) still counts.
    typed.unwrap_or_else(|| by_storage(v))
}

/// The checksum of a list of (value, kind) arguments.
fn checksum<'a>(args: impl IntoIterator<Item = (ValueRef<'a>, Kind)>) -> i32 {
    let h = args.into_iter().fold(0_u32, |h, (v, kind)| {
        let (family, bytes) = canonical(v, kind);
        fold(fold(h, &[family]), &bytes)
    });
    // The same 32 bits, as SQL Server's INT.
    h as i32
}

/// `sb_binary_checksum(kinds, a, b, …)`: the kinds list, then the arguments.
fn binary_checksum(ctx: &Context<'_>) -> i64 {
    let kinds = match ctx.get_raw(0) {
        ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
        _ => "",
    };
    let mut codes = kinds.split(',');
    let args = (1..ctx.len()).map(|i| (ctx.get_raw(i), Kind::parse(codes.next().unwrap_or(""))));
    i64::from(checksum(args))
}

/// `CHECKSUM_AGG(x)`: the XOR of the non-NULL INT values; NULL when there are none.
struct ChecksumAgg;

impl Aggregate<Option<i32>, Option<i64>> for ChecksumAgg {
    fn init(&self, _: &mut Context<'_>) -> FnResult<Option<i32>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<i32>) -> FnResult<()> {
        let x = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(()),
            ValueRef::Integer(n) => i32::try_from(n).map_err(|_| fn_error(errors::overflow("int")))?,
            other => {
                let name = match other {
                    ValueRef::Real(_) => "float",
                    ValueRef::Blob(_) => "numeric",
                    _ => "nvarchar",
                };
                return Err(fn_error(ServerError::statement(
                    8117,
                    format!("Operand data type {name} is invalid for checksum_agg operator."),
                )));
            }
        };
        *acc = Some(acc.unwrap_or(0) ^ x);
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<i32>>) -> FnResult<Option<i64>> {
        Ok(acc.flatten().map(i64::from))
    }
}

/// Registers `sb_binary_checksum` and `CHECKSUM_AGG` on a session's connection.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function(FUNCTION, -1, det, |ctx| Ok(binary_checksum(ctx)))?;
    conn.create_aggregate_function("CHECKSUM_AGG", 1, det, ChecksumAgg)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(args: &[(ValueRef<'_>, Kind)]) -> i32 {
        checksum(args.iter().copied())
    }

    #[test]
    fn the_fold_is_rotate_four_and_xor() {
        assert_eq!(fold(0, b"A"), 0x41);
        assert_eq!(fold(0, b"AB"), 0x410 ^ 0x42);
        // Eight bytes turn the state a full 32 bits.
        assert_eq!(fold(0x1234_5678, &[0; 8]), 0x1234_5678);
        assert_eq!(sum(&[(ValueRef::Null, Kind::Text)]), 0xFF);
    }

    #[test]
    fn a_decimal_hashes_as_its_value_at_its_scale() {
        let n2 = Kind::Exact(2);
        let stored = sum(&[(ValueRef::Real(1234.5), n2)]);
        assert_eq!(stored, sum(&[(ValueRef::Text(b"1234.50"), n2)]));
        assert_eq!(stored, sum(&[(ValueRef::Text(b"1234.5"), n2)]));
        assert_eq!(stored, sum(&[(ValueRef::Blob(b"1234.50"), n2)]));
        assert_eq!(sum(&[(ValueRef::Integer(1500), n2)]), sum(&[(ValueRef::Real(1500.0), n2)]));
        assert_eq!(sum(&[(ValueRef::Integer(1500), n2)]), sum(&[(ValueRef::Blob(b"1500.00"), n2)]));
        assert_ne!(stored, sum(&[(ValueRef::Real(1234.51), n2)]));
        // Untyped numbers compare by value too.
        let unknown = Kind::Unknown;
        assert_eq!(sum(&[(ValueRef::Integer(1500), unknown)]), sum(&[(ValueRef::Real(1500.0), unknown)]));
        assert_eq!(sum(&[(ValueRef::Blob(b"1234.50"), unknown)]), sum(&[(ValueRef::Real(1234.5), unknown)]));
    }

    #[test]
    fn kinds_round_trip() {
        for ty in [
            SqlType::NVarChar { max_chars: Some(50) },
            SqlType::Decimal { precision: 18, scale: 2 },
            SqlType::Money,
            SqlType::Int,
            SqlType::Float,
            SqlType::Date,
            SqlType::DateTime2 { scale: 7 },
        ] {
            let code = kind_code(Some(ty));
            assert_ne!(Kind::parse(&code), Kind::Unknown, "{ty:?}");
        }
        assert_eq!(Kind::parse(&kind_code(Some(SqlType::Money))), Kind::Exact(4));
        assert_eq!(Kind::parse(&kind_code(None)), Kind::Unknown);
    }

    #[test]
    fn dates_hash_as_their_value() {
        let dt = Kind::DateTime;
        assert_eq!(
            sum(&[(ValueRef::Text(b"2024-01-31 10:00:00"), dt)]),
            sum(&[(ValueRef::Text(b"2024-01-31 10:00:00.0000000"), dt)])
        );
        assert_ne!(
            sum(&[(ValueRef::Text(b"2024-01-31 10:00:00"), dt)]),
            sum(&[(ValueRef::Text(b"2024-01-31 10:00:01"), dt)])
        );
    }
}
