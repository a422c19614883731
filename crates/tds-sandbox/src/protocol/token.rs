//! Encoders for the tokens of a server response (all little-endian).
//!
//! Each function appends one token to `out`; the caller frames the result with
//! [`super::packet::MessageWriter`]. Encoders that can fail leave `out` untouched on error.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::wire::{
    MAX_DAY_NUMBER, cp1252_encode, decimal_len, put_b_varchar, put_us_varchar, put_utf16, time_len, type_code,
};
use super::{ProtocolError, SERVER_VERSION_BUILD, SERVER_VERSION_MAJOR, SERVER_VERSION_MINOR};
use crate::types::{Column, ServerError, SqlType, Value};

pub const DONE_FINAL: u16 = 0x00;
pub const DONE_MORE: u16 = 0x01;
pub const DONE_ERROR: u16 = 0x02;
pub const DONE_COUNT: u16 = 0x10;
pub const DONE_ATTN: u16 = 0x20;

const RETURNSTATUS: u8 = 0x79;
const COLMETADATA: u8 = 0x81;
const ERROR: u8 = 0xAA;
const INFO: u8 = 0xAB;
const LOGINACK: u8 = 0xAD;
const FEATUREEXTACK: u8 = 0xAE;
const ROW: u8 = 0xD1;
const ENVCHANGE: u8 = 0xE3;
const DONE: u8 = 0xFD;
const DONEPROC: u8 = 0xFE;
const DONEINPROC: u8 = 0xFF;

const PROG_NAME: &str = "Microsoft SQL Server";
/// Longest message text sent: SQL Server's own messages stay under 2048 characters, and this
/// keeps every INFO/ERROR token well inside its u16 length.
const MAX_MESSAGE_UNITS: usize = 4000;
const NULL_PLP: u64 = u64::MAX;

/// Appends `token`, a u16 length placeholder, the body, then patches the length.
fn with_u16_length(out: &mut Vec<u8>, token: u8, body: impl FnOnce(&mut Vec<u8>)) {
    out.push(token);
    let at = out.len();
    out.extend([0, 0]);
    body(out);
    // Bodies are built from truncated strings, so they always fit in u16.
    let len = (out.len() - at - 2) as u16;
    out[at..at + 2].copy_from_slice(&len.to_le_bytes());
}

fn env_strings(out: &mut Vec<u8>, ty: u8, new: &str, old: &str) {
    with_u16_length(out, ENVCHANGE, |b| {
        b.push(ty);
        put_b_varchar(b, new);
        put_b_varchar(b, old);
    });
}

pub fn env_database(out: &mut Vec<u8>, new: &str, old: &str) {
    env_strings(out, 1, new, old);
}

pub fn env_language(out: &mut Vec<u8>, new: &str, old: &str) {
    env_strings(out, 2, new, old);
}

/// Packet sizes travel as decimal strings.
pub fn env_packet_size(out: &mut Vec<u8>, new: u32, old: u32) {
    env_strings(out, 4, &new.to_string(), &old.to_string());
}

/// SQL collation change: new value as a 5-byte `B_VARBYTE`, old value empty.
pub fn env_collation(out: &mut Vec<u8>, collation: [u8; 5]) {
    with_u16_length(out, ENVCHANGE, |b| {
        b.extend([7, 5]);
        b.extend(collation);
        b.push(0);
    });
}

fn message(out: &mut Vec<u8>, token: u8, msg: &ServerError, server_name: &str, line: i32) {
    with_u16_length(out, token, |b| {
        b.extend(msg.number.to_le_bytes());
        b.push(msg.state);
        b.push(msg.class);
        put_us_varchar(b, &msg.message, MAX_MESSAGE_UNITS);
        put_b_varchar(b, server_name);
        put_b_varchar(b, ""); // procedure name
        b.extend(line.to_le_bytes());
    });
}

/// INFO: an informational message (class <= 10), e.g. 5701 "Changed database context".
pub fn info(out: &mut Vec<u8>, msg: &ServerError, server_name: &str, line: i32) {
    message(out, INFO, msg, server_name, line);
}

/// ERROR: the client raises it as an error of the running request.
pub fn error(out: &mut Vec<u8>, msg: &ServerError, server_name: &str, line: i32) {
    message(out, ERROR, msg, server_name, line);
}

/// LOGINACK for TDS 7.4, claiming the version in [`super::SERVER_VERSION_MAJOR`] and friends.
pub fn login_ack(out: &mut Vec<u8>) {
    with_u16_length(out, LOGINACK, |b| {
        b.push(1); // interface: T-SQL
        b.extend([0x74, 0x00, 0x00, 0x04]);
        put_b_varchar(b, PROG_NAME);
        let [build_hi, build_lo] = SERVER_VERSION_BUILD.to_be_bytes();
        b.extend([SERVER_VERSION_MAJOR, SERVER_VERSION_MINOR, build_hi, build_lo]);
    });
}

/// FEATUREEXTACK acknowledging no feature: enough for clients that sent a `FeatureExt` block.
pub fn feature_ext_ack(out: &mut Vec<u8>) {
    out.extend([FEATUREEXTACK, 0xFF]);
}

fn done_token(out: &mut Vec<u8>, token: u8, status: u16, cur_cmd: u16, row_count: u64) {
    out.push(token);
    out.extend(status.to_le_bytes());
    out.extend(cur_cmd.to_le_bytes());
    out.extend(row_count.to_le_bytes());
}

/// SSPI (0xED): the server's next authentication token, here an NTLM CHALLENGE.
pub fn sspi(out: &mut Vec<u8>, data: &[u8]) {
    out.push(0xED);
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

pub fn done(out: &mut Vec<u8>, status: u16, cur_cmd: u16, row_count: u64) {
    done_token(out, DONE, status, cur_cmd, row_count);
}

pub fn done_proc(out: &mut Vec<u8>, status: u16, cur_cmd: u16, row_count: u64) {
    done_token(out, DONEPROC, status, cur_cmd, row_count);
}

/// DONEINPROC: statements inside an RPC. python-tds needs `DONE_MORE` set on these.
pub fn done_in_proc(out: &mut Vec<u8>, status: u16, cur_cmd: u16, row_count: u64) {
    done_token(out, DONEINPROC, status, cur_cmd, row_count);
}

pub fn return_status(out: &mut Vec<u8>, status: i32) {
    out.push(RETURNSTATUS);
    out.extend(status.to_le_bytes());
}

/// Runs `encode`, undoing whatever it appended if it fails, so `out` never holds half a token.
fn atomically(
    out: &mut Vec<u8>,
    encode: impl FnOnce(&mut Vec<u8>) -> Result<(), ProtocolError>,
) -> Result<(), ProtocolError> {
    let start = out.len();
    let result = encode(out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// COLMETADATA describing `columns`; text columns carry the database's `collation` (TDS bytes),
/// which tells clients the code page of CHAR and VARCHAR data.
pub fn col_metadata(out: &mut Vec<u8>, columns: &[Column], collation: [u8; 5]) -> Result<(), ProtocolError> {
    // 0xFFFF means "no metadata", so it cannot be a column count.
    let count = u16::try_from(columns.len())
        .ok()
        .filter(|&n| n != u16::MAX)
        .ok_or_else(|| ProtocolError::Encode(format!("{} columns in one result", columns.len())))?;
    atomically(out, |out| {
        out.push(COLMETADATA);
        out.extend(count.to_le_bytes());
        for column in columns {
            out.extend(0u32.to_le_bytes()); // UserType
            out.extend(u16::from(column.nullable).to_le_bytes()); // Flags: fNullable only
            put_type_info(out, column.ty, collation).map_err(|detail| column_error(column, &detail))?;
            if column.name.encode_utf16().count() > usize::from(u8::MAX) {
                return Err(column_error(column, "name longer than 255 characters"));
            }
            put_b_varchar(out, &column.name);
        }
        Ok(())
    })
}

/// ROW: one value per column, each matching its column's type (see [`Value`]).
pub fn row(out: &mut Vec<u8>, columns: &[Column], values: &[Value]) -> Result<(), ProtocolError> {
    if columns.len() != values.len() {
        return Err(ProtocolError::Encode(format!("row of {} values for {} columns", values.len(), columns.len())));
    }
    atomically(out, |out| {
        out.push(ROW);
        for (column, value) in columns.iter().zip(values) {
            put_value(out, column.ty, value).map_err(|detail| column_error(column, &detail))?;
        }
        Ok(())
    })
}

fn column_error(column: &Column, detail: &str) -> ProtocolError {
    ProtocolError::Encode(format!("column {:?} ({}): {detail}", column.name, type_name(column.ty)))
}

/// The T-SQL spelling of a type, for error messages.
fn type_name(ty: SqlType) -> String {
    match ty {
        SqlType::Bit => "BIT".into(),
        SqlType::Int => "INT".into(),
        SqlType::BigInt => "BIGINT".into(),
        SqlType::Float => "FLOAT".into(),
        SqlType::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
        SqlType::NVarChar { max_chars: Some(n) } => format!("NVARCHAR({n})"),
        SqlType::NVarChar { max_chars: None } => "NVARCHAR(MAX)".into(),
        SqlType::NChar { len } => format!("NCHAR({len})"),
        SqlType::Char { len } => format!("CHAR({len})"),
        SqlType::VarChar { max_chars: Some(n) } => format!("VARCHAR({n})"),
        SqlType::VarChar { max_chars: None } => "VARCHAR(MAX)".into(),
        SqlType::Money => "MONEY".into(),
        SqlType::SmallMoney => "SMALLMONEY".into(),
        SqlType::SmallDateTime => "SMALLDATETIME".into(),
        SqlType::DateTime => "DATETIME".into(),
        SqlType::Date => "DATE".into(),
        SqlType::DateTime2 { scale } => format!("DATETIME2({scale})"),
    }
}

/// Rejects types SQL Server cannot declare, before their parameters feed any arithmetic.
fn check_type(ty: SqlType) -> Result<(), String> {
    match ty {
        SqlType::Decimal { precision, scale } if !(1..=38).contains(&precision) || scale > precision => {
            Err("invalid precision or scale".into())
        }
        SqlType::NVarChar { max_chars: Some(n) } | SqlType::NChar { len: n } if !(1..=4000).contains(&n) => {
            Err("length outside 1..=4000".into())
        }
        SqlType::VarChar { max_chars: Some(n) } | SqlType::Char { len: n } if !(1..=8000).contains(&n) => {
            Err("length outside 1..=8000".into())
        }
        SqlType::DateTime2 { scale } if scale > 7 => Err("scale above 7".into()),
        _ => Ok(()),
    }
}

/// `TYPE_INFO` of a column; only the nullable ("N") variants are used, so NULL is always encodable.
pub(super) fn put_type_info(out: &mut Vec<u8>, ty: SqlType, collation: [u8; 5]) -> Result<(), String> {
    check_type(ty)?;
    match ty {
        SqlType::Bit => out.extend([type_code::BITN, 1]),
        SqlType::Int => out.extend([type_code::INTN, 4]),
        SqlType::BigInt => out.extend([type_code::INTN, 8]),
        SqlType::Float => out.extend([type_code::FLTN, 8]),
        SqlType::Decimal { precision, scale } => {
            out.extend([type_code::DECIMALN, decimal_len(precision), precision, scale]);
        }
        SqlType::NVarChar { max_chars } => {
            let max_bytes = max_chars.map_or(u16::MAX, |n| n * 2);
            out.push(type_code::NVARCHAR);
            out.extend(max_bytes.to_le_bytes());
            out.extend(collation);
        }
        SqlType::NChar { len } => {
            out.push(type_code::NCHAR);
            out.extend((len * 2).to_le_bytes());
            out.extend(collation);
        }
        SqlType::Char { len } => {
            out.push(type_code::BIGCHAR);
            out.extend(len.to_le_bytes());
            out.extend(collation);
        }
        SqlType::VarChar { max_chars } => {
            out.push(type_code::BIGVARCHAR);
            out.extend(max_chars.unwrap_or(u16::MAX).to_le_bytes());
            out.extend(collation);
        }
        SqlType::Money => out.extend([type_code::MONEYN, 8]),
        SqlType::SmallMoney => out.extend([type_code::MONEYN, 4]),
        SqlType::SmallDateTime => out.extend([type_code::DATETIMN, 4]),
        SqlType::DateTime => out.extend([type_code::DATETIMN, 8]),
        SqlType::Date => out.push(type_code::DATEN),
        SqlType::DateTime2 { scale } => out.extend([type_code::DATETIME2N, scale]),
    }
    Ok(())
}

/// One value in the layout [`put_type_info`] announced for `ty`.
pub(super) fn put_value(out: &mut Vec<u8>, ty: SqlType, value: &Value) -> Result<(), String> {
    check_type(ty)?;
    match (ty, value) {
        (
            SqlType::NVarChar { max_chars: Some(_) }
            | SqlType::VarChar { max_chars: Some(_) }
            | SqlType::NChar { .. }
            | SqlType::Char { .. },
            Value::Null,
        ) => out.extend(u16::MAX.to_le_bytes()),
        (SqlType::NVarChar { max_chars: None } | SqlType::VarChar { max_chars: None }, Value::Null) => {
            out.extend(NULL_PLP.to_le_bytes());
        }
        (_, Value::Null) => out.push(0),
        (SqlType::Bit, Value::Bit(b)) => out.extend([1, u8::from(*b)]),
        (SqlType::Bit, Value::Int(i @ (0 | 1))) => out.extend([1, *i as u8]),
        (SqlType::Int, Value::Int(i)) => {
            let i = i32::try_from(*i).map_err(|_| format!("{i} out of INT range"))?;
            out.push(4);
            out.extend(i.to_le_bytes());
        }
        (SqlType::BigInt, Value::Int(i)) => {
            out.push(8);
            out.extend(i.to_le_bytes());
        }
        (SqlType::Float, Value::Float(f)) => {
            out.push(8);
            out.extend(f.to_le_bytes());
        }
        (SqlType::Float, Value::Int(i)) => {
            out.push(8);
            out.extend((*i as f64).to_le_bytes());
        }
        // A float never reaches a DECIMAL column here: the engine converts it exactly
        // (`convert::to_value`), and a second, rougher rounding would disagree with it.
        (SqlType::Decimal { precision, scale }, Value::Decimal { .. } | Value::Int(_)) => {
            let unscaled = match *value {
                Value::Decimal { unscaled, scale: from } => rescale(unscaled, from, scale),
                Value::Int(i) => rescale(i128::from(i), 0, scale),
                _ => None,
            };
            let unscaled = unscaled
                .filter(|u| u.unsigned_abs() < 10u128.pow(u32::from(precision)))
                .ok_or_else(|| format!("{value:?} does not fit"))?;
            let len = decimal_len(precision);
            out.extend([len, u8::from(unscaled >= 0)]);
            out.extend(&unscaled.unsigned_abs().to_le_bytes()[..usize::from(len) - 1]);
        }
        (SqlType::NVarChar { max_chars: Some(max) }, Value::Text(s)) => {
            // Encoded in place after a length placeholder: no buffer per value.
            let start = out.len();
            // UTF-16 never takes more than two bytes per byte of UTF-8.
            out.reserve(2 + 2 * s.len());
            out.extend([0, 0]);
            let mut units = 0_usize;
            for unit in s.encode_utf16() {
                out.extend(unit.to_le_bytes());
                units += 1;
            }
            if units > usize::from(max) {
                out.truncate(start);
                return Err(format!("text of {units} characters is too long"));
            }
            out[start..start + 2].copy_from_slice(&(units as u16 * 2).to_le_bytes());
        }
        (SqlType::NVarChar { max_chars: None }, Value::Text(s)) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            let bytes = u32::try_from(units.len() * 2).map_err(|_| "text longer than 4 GiB".to_string())?;
            out.extend(u64::from(bytes).to_le_bytes());
            if bytes > 0 {
                out.extend(bytes.to_le_bytes());
                put_utf16(out, &units);
            }
            out.extend(0u32.to_le_bytes()); // PLP terminator
        }
        (SqlType::NChar { len }, Value::Text(s)) => {
            let mut units: Vec<u16> = s.encode_utf16().collect();
            if units.len() > usize::from(len) {
                return Err(format!("text of {} characters is too long", units.len()));
            }
            units.resize(usize::from(len), u16::from(b' '));
            out.extend((len * 2).to_le_bytes());
            put_utf16(out, &units);
        }
        (SqlType::Char { len }, Value::Text(s)) => {
            let mut bytes: Vec<u8> = s.chars().map(cp1252_encode).collect();
            if bytes.len() > usize::from(len) {
                return Err(format!("text of {} characters is too long", bytes.len()));
            }
            bytes.resize(usize::from(len), b' ');
            out.extend(len.to_le_bytes());
            out.extend(bytes);
        }
        (SqlType::VarChar { max_chars: Some(max) }, Value::Text(s)) => {
            let bytes: Vec<u8> = s.chars().map(cp1252_encode).collect();
            if bytes.len() > usize::from(max) {
                return Err(format!("text of {} characters is too long", bytes.len()));
            }
            out.extend((bytes.len() as u16).to_le_bytes());
            out.extend(bytes);
        }
        (SqlType::VarChar { max_chars: None }, Value::Text(s)) => {
            let bytes: Vec<u8> = s.chars().map(cp1252_encode).collect();
            let len = u32::try_from(bytes.len()).map_err(|_| "text longer than 4 GiB".to_string())?;
            out.extend(u64::from(len).to_le_bytes());
            if len > 0 {
                out.extend(len.to_le_bytes());
                out.extend(bytes);
            }
            out.extend(0u32.to_le_bytes()); // PLP terminator
        }
        (SqlType::Money | SqlType::SmallMoney, Value::Decimal { .. } | Value::Int(_)) => {
            let unscaled = match *value {
                Value::Decimal { unscaled, scale: from } => rescale(unscaled, from, 4),
                Value::Int(i) => rescale(i128::from(i), 0, 4),
                _ => None,
            };
            put_money(out, ty, unscaled.ok_or_else(|| format!("{value:?} does not fit"))?)?;
        }
        (SqlType::DateTime | SqlType::SmallDateTime, Value::DateTime(dt)) => put_datetime(out, ty, *dt)?,
        (SqlType::DateTime | SqlType::SmallDateTime, Value::Date(d)) => {
            put_datetime(out, ty, d.and_time(NaiveTime::MIN))?;
        }
        (SqlType::Date, Value::Date(d)) => put_date(out, 3, *d)?,
        (SqlType::Date, Value::DateTime(dt)) => put_date(out, 3, dt.date())?,
        (SqlType::DateTime2 { scale }, Value::DateTime(dt)) => put_datetime2(out, scale, *dt)?,
        (SqlType::DateTime2 { scale }, Value::Date(d)) => put_datetime2(out, scale, d.and_time(NaiveTime::MIN))?,
        _ => return Err(format!("cannot hold {}", value_kind(value))),
    }
    Ok(())
}

/// What kind of value was offered, without its content (a text may be long or private).
fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Bit(_) => "a bit",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Decimal { .. } => "a decimal",
        Value::Text(_) => "a text",
        Value::Date(_) => "a date",
        Value::DateTime(_) => "a date-time",
    }
}

/// Brings `unscaled` from scale `from` to scale `to`, rounding half away from zero.
fn rescale(unscaled: i128, from: u8, to: u8) -> Option<i128> {
    if unscaled == 0 || from == to {
        return Some(unscaled);
    }
    if from < to {
        return 10i128.checked_pow(u32::from(to - from))?.checked_mul(unscaled);
    }
    // 10^39 and beyond overflow i128, and any i128 divided by them rounds to 0.
    let Some(divisor) = 10i128.checked_pow(u32::from(from - to)) else {
        return Some(0);
    };
    let (quotient, remainder) = (unscaled / divisor, unscaled.unsigned_abs() % divisor.unsigned_abs());
    let half_or_more = remainder >= divisor.unsigned_abs() - remainder;
    Some(if half_or_more { quotient + unscaled.signum() } else { quotient })
}

/// MONEY: the value in ten-thousandths as an i64, high 32 bits first; SMALLMONEY: an i32.
fn put_money(out: &mut Vec<u8>, ty: SqlType, unscaled: i128) -> Result<(), String> {
    if ty == SqlType::SmallMoney {
        let small =
            i32::try_from(unscaled).map_err(|_| format!("{unscaled} ten-thousandths out of SMALLMONEY range"))?;
        out.push(4);
        out.extend(small.to_le_bytes());
    } else {
        let money = i64::try_from(unscaled).map_err(|_| format!("{unscaled} ten-thousandths out of MONEY range"))?;
        out.push(8);
        out.extend(((money >> 32) as i32).to_le_bytes());
        out.extend((money as u32).to_le_bytes());
    }
    Ok(())
}

/// DATETIME: days since 1900-01-01 (i32) and 1/300 s since midnight (u32); SMALLDATETIME: days
/// (u16) and minutes (u16). The time is rounded to the type's precision, into the next day if
/// need be, as SQL Server rounds when it stores one.
fn put_datetime(out: &mut Vec<u8>, ty: SqlType, dt: NaiveDateTime) -> Result<(), String> {
    let (date, ticks) = datetime_ticks(dt, ty);
    let days = (date - NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()).num_days();
    if ty == SqlType::SmallDateTime {
        let last = NaiveDate::from_ymd_opt(2079, 6, 6).unwrap_or_default();
        let days = u16::try_from(days)
            .ok()
            .filter(|_| date <= last)
            .ok_or_else(|| format!("{dt} outside SMALLDATETIME's 1900-01-01..=2079-06-06"))?;
        out.push(4);
        out.extend(days.to_le_bytes());
        out.extend((ticks as u16).to_le_bytes());
    } else {
        if date.year() < 1753 || date.year() > 9999 {
            return Err(format!("{dt} outside DATETIME's 1753-01-01..=9999-12-31"));
        }
        out.push(8);
        out.extend((days as i32).to_le_bytes());
        out.extend((ticks as u32).to_le_bytes());
    }
    Ok(())
}

/// The day and the ticks since its midnight of `dt` in DATETIME (1/300 s) or SMALLDATETIME
/// (minutes), rounded half up to the nearest tick, into the next day when it rounds up to midnight.
#[must_use]
pub fn datetime_ticks(dt: NaiveDateTime, ty: SqlType) -> (NaiveDate, i64) {
    const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;
    let per_day: i128 = if ty == SqlType::SmallDateTime { 1440 } else { 25_920_000 };
    let nanos =
        i128::from(dt.num_seconds_from_midnight()) * 1_000_000_000 + i128::from(dt.nanosecond().min(999_999_999));
    let ticks = (2 * nanos * per_day + NANOS_PER_DAY) / (2 * NANOS_PER_DAY);
    if ticks == per_day { (dt.date().succ_opt().unwrap_or(dt.date()), 0) } else { (dt.date(), ticks as i64) }
}

/// Writes `len_prefix` (the value's total length byte, 0 to skip) then the 3-byte day number.
fn put_date(out: &mut Vec<u8>, len_prefix: u8, date: NaiveDate) -> Result<(), String> {
    let days = date.num_days_from_ce() - 1;
    if !(0..=MAX_DAY_NUMBER).contains(&days) {
        return Err(format!("date {date} outside 0001-01-01..=9999-12-31"));
    }
    if len_prefix != 0 {
        out.push(len_prefix);
    }
    out.extend(&days.to_le_bytes()[..3]);
    Ok(())
}

fn put_datetime2(out: &mut Vec<u8>, scale: u8, dt: NaiveDateTime) -> Result<(), String> {
    let time_len = time_len(scale);
    out.push((time_len + 3) as u8);
    out.extend(&time_units(dt.time(), scale).to_le_bytes()[..time_len]);
    put_date(out, 0, dt.date())
}

/// Time since midnight in units of 10^-scale seconds, rounded half up but never past
/// 23:59:59.999…: rounding into the next day would need the date to change too.
fn time_units(time: NaiveTime, scale: u8) -> u64 {
    // chrono represents a leap second as nanosecond >= 1e9; keep it inside the second.
    let nanos =
        u64::from(time.num_seconds_from_midnight()) * 1_000_000_000 + u64::from(time.nanosecond().min(999_999_999));
    let unit = 10u64.pow(9 - u32::from(scale));
    let last = 86_400 * 10u64.pow(u32::from(scale)) - 1;
    ((nanos + unit / 2) / unit).min(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: SqlType) -> Column {
        Column { name: name.into(), ty, nullable: true }
    }

    fn value_bytes(ty: SqlType, value: Value) -> Result<Vec<u8>, ProtocolError> {
        let mut out = Vec::new();
        row(&mut out, &[col("c", ty)], &[value])?;
        assert_eq!(out[0], ROW);
        Ok(out[1..].to_vec())
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const DEC18_2: SqlType = SqlType::Decimal { precision: 18, scale: 2 };
    const COLLATION: [u8; 5] = crate::types::Collation::FrenchCiAs.wire();

    #[test]
    fn env_changes() {
        let mut out = Vec::new();
        env_database(&mut out, "DB", "master");
        #[rustfmt::skip]
        assert_eq!(out, [0xE3, 0x13, 0x00, 0x01,
            0x02, b'D', 0, b'B', 0,
            0x06, b'm', 0, b'a', 0, b's', 0, b't', 0, b'e', 0, b'r', 0]);
        out.clear();
        env_packet_size(&mut out, 8192, 4096);
        assert_eq!(&out[..4], [0xE3, 0x13, 0x00, 0x04]);
        assert_eq!(&out[4..14], [4, b'8', 0, b'1', 0, b'9', 0, b'2', 0, 4]);
        out.clear();
        env_collation(&mut out, COLLATION);
        // French_CI_AS: LCID 0x040C, IgnoreCase | IgnoreKana | IgnoreWidth, sort id 0.
        assert_eq!(out, [0xE3, 0x08, 0x00, 0x07, 0x05, 0x0C, 0x04, 0xD0, 0x00, 0x00, 0x00]);
        out.clear();
        env_language(&mut out, "us_english", "");
        assert_eq!((out[3], out[4], out[out.len() - 1]), (2, 10, 0));
    }

    #[test]
    fn info_and_error_layout() {
        let mut out = Vec::new();
        let msg = ServerError { number: 18456, state: 1, class: 14, message: "Nope".into() };
        error(&mut out, &msg, "SB", 1);
        #[rustfmt::skip]
        assert_eq!(out, [0xAA, 0x1A, 0x00,
            0x18, 0x48, 0x00, 0x00, 0x01, 0x0E,
            0x04, 0x00, b'N', 0, b'o', 0, b'p', 0, b'e', 0,
            0x02, b'S', 0, b'B', 0,
            0x00,
            0x01, 0x00, 0x00, 0x00]);
        out.clear();
        info(&mut out, &ServerError { class: 0, ..msg }, "SB", 1);
        assert_eq!((out[0], out[8]), (0xAB, 0));
        let long = ServerError::statement(50000, "x".repeat(70_000));
        out.clear();
        error(&mut out, &long, "SB", 1);
        assert_eq!(usize::from(u16::from_le_bytes([out[1], out[2]])), out.len() - 3);
    }

    #[test]
    fn login_ack_layout() {
        let mut out = Vec::new();
        login_ack(&mut out);
        assert_eq!(&out[..8], [0xAD, 0x32, 0x00, 0x01, 0x74, 0x00, 0x00, 0x04]);
        assert_eq!(out[8], 20);
        assert_eq!(&out[out.len() - 4..], [15, 0, 0x07, 0xD0]);
        assert_eq!(out.len(), 3 + 0x32);
        out.clear();
        feature_ext_ack(&mut out);
        assert_eq!(out, [0xAE, 0xFF]);
    }

    #[test]
    fn done_and_return_status() {
        let mut out = Vec::new();
        done(&mut out, DONE_COUNT | DONE_MORE, 0xC1, 3);
        assert_eq!(out, [0xFD, 0x11, 0x00, 0xC1, 0x00, 3, 0, 0, 0, 0, 0, 0, 0]);
        out.clear();
        done_proc(&mut out, DONE_FINAL, 0, 0);
        done_in_proc(&mut out, DONE_ERROR | DONE_ATTN, 0, 0);
        return_status(&mut out, -1);
        assert_eq!((out[0], out[13], out[14]), (0xFE, 0xFF, 0x22));
        assert_eq!(&out[26..], [0x79, 0xFF, 0xFF, 0xFF, 0xFF]);
    }

    #[test]
    fn col_metadata_layout() {
        let mut out = Vec::new();
        let columns = [
            Column { name: "n".into(), ty: SqlType::Int, nullable: false },
            col("d", DEC18_2),
            col("s", SqlType::NVarChar { max_chars: Some(50) }),
            col("m", SqlType::NVarChar { max_chars: None }),
            col("t", SqlType::DateTime2 { scale: 7 }),
            col("j", SqlType::Date),
            col("b", SqlType::Bit),
            col("f", SqlType::Float),
            col("g", SqlType::BigInt),
        ];
        col_metadata(&mut out, &columns, COLLATION).unwrap();
        #[rustfmt::skip]
        let expected = [
            vec![0x81, 0x09, 0x00],
            vec![0, 0, 0, 0, 0x00, 0x00, 0x26, 4, 1, b'n', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0x6A, 9, 18, 2, 1, b'd', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0xE7, 100, 0, 0x0C, 0x04, 0xD0, 0x00, 0x00, 1, b's', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0xE7, 0xFF, 0xFF, 0x0C, 0x04, 0xD0, 0x00, 0x00, 1, b'm', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0x2A, 7, 1, b't', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0x28, 1, b'j', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0x68, 1, 1, b'b', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0x6D, 8, 1, b'f', 0],
            vec![0, 0, 0, 0, 0x01, 0x00, 0x26, 8, 1, b'g', 0],
        ]
        .concat();
        assert_eq!(out, expected);
    }

    #[test]
    fn col_metadata_rejects_invalid_types_without_leaving_bytes() {
        let mut out = vec![0xAA];
        let bad = [col("ok", SqlType::Int), col("p", SqlType::Decimal { precision: 39, scale: 0 })];
        let err = col_metadata(&mut out, &bad, COLLATION).unwrap_err().to_string();
        assert!(err.contains("\"p\" (DECIMAL(39,0))"), "{err}");
        assert_eq!(out, [0xAA]);
        assert!(col_metadata(&mut out, &[col("s", SqlType::NVarChar { max_chars: Some(4001) })], COLLATION).is_err());
        assert!(col_metadata(&mut out, &[col("t", SqlType::DateTime2 { scale: 8 })], COLLATION).is_err());
        assert!(col_metadata(&mut out, &[col(&"x".repeat(256), SqlType::Int)], COLLATION).is_err());
    }

    #[test]
    fn decimal_values() {
        let v = |value| value_bytes(DEC18_2, value).unwrap();
        let expected = [0x09, 0x01, 0x39, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(v(Value::Decimal { unscaled: 12345, scale: 2 }), expected);
        assert_eq!(v(Value::Decimal { unscaled: 1_234_500, scale: 4 }), expected);
        assert_eq!(v(Value::Decimal { unscaled: 123_445, scale: 3 }), expected, "half away from zero");
        assert_eq!(v(Value::Decimal { unscaled: -123_445, scale: 3 })[..3], [0x09, 0x00, 0x39]);
        assert_eq!(v(Value::Decimal { unscaled: -123_444, scale: 3 })[..3], [0x09, 0x00, 0x38]);
        assert_eq!(v(Value::Int(7))[..4], [0x09, 0x01, 0xBC, 0x02]);
        assert_eq!(v(Value::Decimal { unscaled: 5, scale: 1 })[..3], [0x09, 0x01, 50]);
        assert_eq!(v(Value::Decimal { unscaled: 1, scale: 200 })[..3], [0x09, 0x01, 0]);
        assert_eq!(v(Value::Decimal { unscaled: 0, scale: 0 })[..3], [0x09, 0x01, 0]);
        assert_eq!(v(Value::Null), [0]);
        let d5 = value_bytes(SqlType::Decimal { precision: 5, scale: 0 }, Value::Int(-99_999)).unwrap();
        assert_eq!(d5, [0x05, 0x00, 0x9F, 0x86, 0x01, 0x00]);
        let big = value_bytes(SqlType::Decimal { precision: 38, scale: 0 }, Value::Int(i64::MAX)).unwrap();
        assert_eq!((big.len(), big[0]), (18, 17));
        assert!(value_bytes(DEC18_2, Value::Int(10_000_000_000_000_000)).is_err(), "needs 19 digits");
        assert!(value_bytes(DEC18_2, Value::Decimal { unscaled: 1, scale: 0 }).is_ok());
        assert!(value_bytes(SqlType::Decimal { precision: 38, scale: 38 }, Value::Int(2)).is_err());
        assert!(value_bytes(DEC18_2, Value::Float(123.45)).is_err(), "the engine converts floats exactly first");
        assert!(value_bytes(DEC18_2, Value::Text("1".into())).is_err());
    }

    #[test]
    fn integer_bit_and_float_values() {
        assert_eq!(value_bytes(SqlType::Int, Value::Int(-2)).unwrap(), [4, 0xFE, 0xFF, 0xFF, 0xFF]);
        let err = value_bytes(SqlType::Int, Value::Int(1 << 31)).unwrap_err().to_string();
        assert!(err.contains("\"c\" (INT)") && err.contains("out of INT range"), "{err}");
        assert_eq!(value_bytes(SqlType::BigInt, Value::Int(1 << 40)).unwrap(), [8, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(value_bytes(SqlType::Bit, Value::Bit(true)).unwrap(), [1, 1]);
        assert_eq!(value_bytes(SqlType::Bit, Value::Int(0)).unwrap(), [1, 0]);
        assert!(value_bytes(SqlType::Bit, Value::Int(2)).is_err());
        assert_eq!(value_bytes(SqlType::Float, Value::Int(1)).unwrap(), [8, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]);
        assert_eq!(value_bytes(SqlType::Float, Value::Float(-2.0)).unwrap()[8], 0xC0);
        assert_eq!(value_bytes(SqlType::Float, Value::Null).unwrap(), [0]);
        assert!(value_bytes(SqlType::Int, Value::Float(1.0)).is_err());
    }

    #[test]
    fn text_values() {
        let n10 = SqlType::NVarChar { max_chars: Some(10) };
        assert_eq!(value_bytes(n10, Value::Text("é".into())).unwrap(), [0x02, 0x00, 0xE9, 0x00]);
        assert_eq!(value_bytes(n10, Value::Text(String::new())).unwrap(), [0, 0]);
        assert_eq!(value_bytes(n10, Value::Null).unwrap(), [0xFF, 0xFF]);
        assert!(value_bytes(n10, Value::Text("x".repeat(11))).is_err());
        let err = value_bytes(n10, Value::Int(1)).unwrap_err().to_string();
        assert_eq!(err, "cannot encode column \"c\" (NVARCHAR(10)): cannot hold an integer");
        let max = SqlType::NVarChar { max_chars: None };
        #[rustfmt::skip]
        assert_eq!(value_bytes(max, Value::Text("é".into())).unwrap(),
            [2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0xE9, 0x00, 0, 0, 0, 0]);
        assert_eq!(value_bytes(max, Value::Text(String::new())).unwrap(), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(value_bytes(max, Value::Null).unwrap(), [0xFF; 8]);
    }

    #[test]
    fn money_values() {
        // 12.3456 = 123 456 ten-thousandths = 0x1_E240: high 32 bits, then low 32 bits.
        let money = value_bytes(SqlType::Money, Value::Decimal { unscaled: 12_3456, scale: 4 }).unwrap();
        assert_eq!(money, [8, 0, 0, 0, 0, 0x40, 0xE2, 0x01, 0x00]);
        // 2^32 ten-thousandths = 429 496.7296: the high word is 1.
        let big = value_bytes(SqlType::Money, Value::Decimal { unscaled: 1 << 32, scale: 4 }).unwrap();
        assert_eq!(big, [8, 1, 0, 0, 0, 0, 0, 0, 0]);
        let negative = value_bytes(SqlType::Money, Value::Decimal { unscaled: -1, scale: 4 }).unwrap();
        assert_eq!(negative, [8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        let cents = value_bytes(SqlType::SmallMoney, Value::Decimal { unscaled: 1999, scale: 2 }).unwrap();
        assert_eq!(cents, [4, 0xDC, 0x0C, 0x03, 0x00], "19.99 = 199 900 = 0x3_0CDC");
        assert!(value_bytes(SqlType::SmallMoney, Value::Int(214_749)).is_err());
        let mut out = Vec::new();
        put_type_info(&mut out, SqlType::Money, COLLATION).unwrap();
        put_type_info(&mut out, SqlType::SmallMoney, COLLATION).unwrap();
        assert_eq!(out, [0x6E, 8, 0x6E, 4]);
    }

    #[test]
    fn datetime_and_smalldatetime_values() {
        // 2024-01-31 is day 45 320 after 1900-01-01 = 0xB108. 12:34:56.789 = 45 296.789 s =
        // 13 589 036.7 ticks of 1/300 s, rounded to 13 589 037 = 0xCF5A2D.
        let dt = date(2024, 1, 31).and_hms_milli_opt(12, 34, 56, 789).unwrap();
        let bytes = value_bytes(SqlType::DateTime, Value::DateTime(dt)).unwrap();
        assert_eq!(bytes, [8, 0x08, 0xB1, 0, 0, 0x2D, 0x5A, 0xCF, 0x00]);
        // SMALLDATETIME rounds to the minute: 12:35 = 755 = 0x2F3.
        let small = value_bytes(SqlType::SmallDateTime, Value::DateTime(dt)).unwrap();
        assert_eq!(small, [4, 0x08, 0xB1, 0xF3, 0x02]);
        // 23:59:59.999 rounds to the next midnight, as SQL Server stores it.
        let late = date(2024, 1, 31).and_hms_milli_opt(23, 59, 59, 999).unwrap();
        assert_eq!(value_bytes(SqlType::DateTime, Value::DateTime(late)).unwrap(), [8, 0x09, 0xB1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(value_bytes(SqlType::DateTime, Value::Date(date(1900, 1, 1))).unwrap(), [8, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(value_bytes(SqlType::DateTime, Value::Date(date(1752, 12, 31))).is_err());
        assert!(value_bytes(SqlType::SmallDateTime, Value::Date(date(2079, 6, 7))).is_err());
        let mut out = Vec::new();
        put_type_info(&mut out, SqlType::DateTime, COLLATION).unwrap();
        put_type_info(&mut out, SqlType::SmallDateTime, COLLATION).unwrap();
        assert_eq!(out, [0x6F, 8, 0x6F, 4]);
    }

    #[test]
    fn fixed_length_and_single_byte_text() {
        // CHAR(6): Windows-1252 bytes, blank-padded.
        let char6 = value_bytes(SqlType::Char { len: 6 }, Value::Text("été".into())).unwrap();
        assert_eq!(char6, [6, 0, 0xE9, b't', 0xE9, b' ', b' ', b' ']);
        let nchar3 = value_bytes(SqlType::NChar { len: 3 }, Value::Text("é".into())).unwrap();
        assert_eq!(nchar3, [6, 0, 0xE9, 0, b' ', 0, b' ', 0]);
        let varchar = value_bytes(SqlType::VarChar { max_chars: Some(5) }, Value::Text("œ€→".into())).unwrap();
        assert_eq!(varchar, [3, 0, 0x9C, 0x80, b'?'], "what cp1252 lacks becomes ?");
        assert!(value_bytes(SqlType::Char { len: 2 }, Value::Text("abc".into())).is_err());
        assert_eq!(value_bytes(SqlType::Char { len: 2 }, Value::Null).unwrap(), [0xFF, 0xFF]);
        let mut out = Vec::new();
        put_type_info(&mut out, SqlType::Char { len: 8 }, COLLATION).unwrap();
        put_type_info(&mut out, SqlType::NChar { len: 8 }, COLLATION).unwrap();
        put_type_info(&mut out, SqlType::VarChar { max_chars: None }, COLLATION).unwrap();
        #[rustfmt::skip]
        assert_eq!(out, [
            0xAF, 8, 0, 0x0C, 0x04, 0xD0, 0, 0,
            0xEF, 16, 0, 0x0C, 0x04, 0xD0, 0, 0,
            0xA7, 0xFF, 0xFF, 0x0C, 0x04, 0xD0, 0, 0,
        ]);
    }

    #[test]
    fn date_values() {
        // 2024-01-31 is day 738_915 since 0001-01-01 = 0x0B_4663.
        assert_eq!(value_bytes(SqlType::Date, Value::Date(date(2024, 1, 31))).unwrap(), [3, 0x63, 0x46, 0x0B]);
        assert_eq!(value_bytes(SqlType::Date, Value::Date(date(1, 1, 1))).unwrap(), [3, 0, 0, 0]);
        let dt = date(2024, 1, 31).and_hms_opt(23, 0, 0).unwrap();
        assert_eq!(value_bytes(SqlType::Date, Value::DateTime(dt)).unwrap(), [3, 0x63, 0x46, 0x0B]);
        assert_eq!(value_bytes(SqlType::Date, Value::Null).unwrap(), [0]);
        assert!(value_bytes(SqlType::Date, Value::Date(date(0, 12, 31))).is_err());
        assert!(value_bytes(SqlType::Date, Value::Date(date(10_000, 1, 1))).is_err());
    }

    #[test]
    fn datetime2_values() {
        let dt2 = |scale| SqlType::DateTime2 { scale };
        // 12:34:56.1234568 = 452_961_234_568 units of 100 ns = 0x69_7697_EE88.
        let dt = date(2024, 1, 31).and_hms_nano_opt(12, 34, 56, 123_456_789).unwrap();
        assert_eq!(
            value_bytes(dt2(7), Value::DateTime(dt)).unwrap(),
            [8, 0x88, 0xEE, 0x97, 0x76, 0x69, 0x63, 0x46, 0x0B],
            "…6789 ns round up to …568"
        );
        // Scale 3: 45_296_123 ms = 0x02B3_29FB in 4 bytes.
        assert_eq!(value_bytes(dt2(3), Value::DateTime(dt)).unwrap(), [7, 0xFB, 0x29, 0xB3, 0x02, 0x63, 0x46, 0x0B]);
        // Scale 0: 45_296 s = 0x00_B0F0 in 3 bytes.
        assert_eq!(value_bytes(dt2(0), Value::DateTime(dt)).unwrap(), [6, 0xF0, 0xB0, 0x00, 0x63, 0x46, 0x0B]);
        let midnight = value_bytes(dt2(7), Value::Date(date(2024, 1, 31))).unwrap();
        assert_eq!(midnight, [8, 0, 0, 0, 0, 0, 0x63, 0x46, 0x0B]);
        assert_eq!(value_bytes(dt2(7), Value::Null).unwrap(), [0]);
        assert!(value_bytes(dt2(7), Value::Text("2024-01-31".into())).is_err());
    }

    #[test]
    fn datetime2_rounding_stays_within_the_day() {
        let last = date(2024, 1, 31).and_hms_nano_opt(23, 59, 59, 999_999_999).unwrap();
        // 863_999_999_999 = 0xC9_2A69_BFFF (last 100 ns unit of the day), same date.
        assert_eq!(
            value_bytes(SqlType::DateTime2 { scale: 7 }, Value::DateTime(last)).unwrap(),
            [8, 0xFF, 0xBF, 0x69, 0x2A, 0xC9, 0x63, 0x46, 0x0B]
        );
        // 86_399 s = 0x01_517F.
        assert_eq!(
            value_bytes(SqlType::DateTime2 { scale: 0 }, Value::DateTime(last)).unwrap(),
            [6, 0x7F, 0x51, 0x01, 0x63, 0x46, 0x0B]
        );
        let leap = date(2016, 12, 31).and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        let units = time_units(leap.time(), 7);
        assert_eq!(units, 863_999_999_999);
    }

    #[test]
    fn row_rejects_undeclarable_types() {
        assert!(value_bytes(SqlType::DateTime2 { scale: 10 }, Value::Date(date(2024, 1, 31))).is_err());
        assert!(value_bytes(SqlType::Decimal { precision: 39, scale: 0 }, Value::Int(1)).is_err());
        assert!(value_bytes(SqlType::NVarChar { max_chars: Some(0) }, Value::Text(String::new())).is_err());
    }

    #[test]
    fn row_checks_arity_and_leaves_no_partial_bytes() {
        let columns = [col("a", SqlType::Int), col("b", SqlType::Int)];
        let mut out = vec![0x42];
        assert!(row(&mut out, &columns, &[Value::Int(1)]).is_err());
        assert!(row(&mut out, &columns, &[Value::Int(1), Value::Text("x".into())]).is_err());
        assert_eq!(out, [0x42]);
        row(&mut out, &columns, &[Value::Int(1), Value::Null]).unwrap();
        assert_eq!(out, [0x42, 0xD1, 4, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn rescale_rounds_half_away_from_zero() {
        assert_eq!(rescale(15, 1, 0), Some(2));
        assert_eq!(rescale(-15, 1, 0), Some(-2));
        assert_eq!(rescale(14, 1, 0), Some(1));
        assert_eq!(rescale(i128::MAX, 0, 1), None);
        assert_eq!(rescale(i128::MIN, 38, 0), Some(-2));
        assert_eq!(rescale(3, 0, 40), None);
    }
}
