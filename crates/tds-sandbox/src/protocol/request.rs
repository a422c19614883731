//! Decoding of client requests: SQL batches and RPC calls (`sp_executesql` and friends).

use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use super::ProtocolError;
use super::wire::{MAX_DAY_NUMBER, Reader, cp1252_decode, decimal_len, decode_utf16le, time_len, type_code};
use crate::types::{Param, SqlType, Value};

/// Well-known procedure ids sent in place of a name (MS-TDS 2.2.6.6).
pub const SP_EXECUTESQL: u16 = 10;

const BATCH_CONTEXT: &str = "SQL batch";
const RPC_CONTEXT: &str = "RPC request";
const PLP_NULL: u64 = u64::MAX;
const PLP_UNKNOWN_LEN: u64 = u64::MAX - 1;
const ONE_DAY_SECONDS: u64 = 86_400;
/// DATETIME counts 1/300 s ticks since midnight.
const DATETIME_TICKS_PER_DAY: u32 = 86_400 * 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Procedure {
    /// A well-known procedure such as [`SP_EXECUTESQL`].
    Id(u16),
    Name(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RpcRequest {
    pub procedure: Procedure,
    pub params: Vec<Param>,
}

/// The request body after `ALL_HEADERS`. Old clients may omit `ALL_HEADERS`, so the headers are only
/// skipped when their lengths chain exactly up to the announced total: plain batch text would need
/// its first characters to read as a length shorter than the batch and then as that exact chain.
fn strip_all_headers(payload: &[u8]) -> &[u8] {
    let u32_at = |pos: usize| payload.get(pos..pos + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let Some(total) = u32_at(0) else {
        return payload;
    };
    if !(4..=payload.len()).contains(&total) {
        return payload;
    }
    let mut pos = 4;
    while pos < total {
        // Each header: u32 length (itself included), u16 type, data.
        match u32_at(pos) {
            Some(len) if len >= 6 && len <= total - pos => pos += len,
            _ => return payload,
        }
    }
    &payload[total..]
}

/// The text of a `SQL_BATCH` message.
pub fn decode_sql_batch(payload: &[u8]) -> Result<String, ProtocolError> {
    decode_utf16le(strip_all_headers(payload), BATCH_CONTEXT)
}

/// An RPC message. Only the first call is decoded: the sandbox's clients never batch RPCs,
/// so anything after a batch separator is ignored.
pub fn parse_rpc(payload: &[u8]) -> Result<RpcRequest, ProtocolError> {
    let mut r = Reader::new(strip_all_headers(payload), RPC_CONTEXT);
    let name_len = r.u16_le()?;
    let procedure =
        if name_len == 0xFFFF { Procedure::Id(r.u16_le()?) } else { Procedure::Name(r.utf16(usize::from(name_len))?) };
    r.u16_le()?; // OptionFlags (recompile, no metadata): no meaning for the sandbox
    let mut params = Vec::new();
    // 0xFF separates RPCs since TDS 7.2, 0x80 before.
    while r.peek_u8().is_some_and(|b| b != 0xFF && b != 0x80) {
        params.push(read_param(&mut r)?);
    }
    Ok(RpcRequest { procedure, params })
}

fn read_param(r: &mut Reader<'_>) -> Result<Param, ProtocolError> {
    let name = r.b_varchar()?;
    // Status flags (by-reference, default value): output parameters carry an input value too,
    // which is all the sandbox reads.
    r.u8()?;
    let info = read_type_info(r)?;
    let value = read_value(r, info).map_err(|e| match e {
        ProtocolError::Malformed { context, detail } => {
            ProtocolError::Malformed { context, detail: format!("parameter {name:?}: {detail}") }
        }
        other => other,
    })?;
    Ok(Param { name, ty: info.sql_type(), value })
}

/// A parameter's declared type. `fixed` types (INT4, FLT8…) carry no length byte before values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TypeInfo {
    Int {
        size: u8,
        fixed: bool,
    },
    Bit {
        fixed: bool,
    },
    Float {
        size: u8,
        fixed: bool,
    },
    Money {
        size: u8,
        fixed: bool,
    },
    DateTime {
        size: u8,
        fixed: bool,
    },
    Decimal {
        precision: u8,
        scale: u8,
    },
    /// `max_bytes == 0xFFFF` means MAX, whose values are PLP-encoded.
    Text {
        max_bytes: u16,
        unicode: bool,
    },
    Date,
    Time {
        scale: u8,
    },
    DateTime2 {
        scale: u8,
    },
    DateTimeOffset {
        scale: u8,
    },
    Guid,
}

impl TypeInfo {
    fn sql_type(self) -> SqlType {
        match self {
            Self::Int { size: 8, .. } => SqlType::BigInt,
            Self::Int { .. } => SqlType::Int,
            Self::Bit { .. } => SqlType::Bit,
            Self::Float { .. } => SqlType::Float,
            Self::Money { size: 4, .. } => SqlType::SmallMoney,
            Self::Money { .. } => SqlType::Money,
            Self::DateTime { size: 4, .. } => SqlType::SmallDateTime,
            Self::DateTime { .. } => SqlType::DateTime,
            Self::Decimal { precision, scale } => SqlType::Decimal { precision, scale },
            Self::Text { max_bytes: u16::MAX, unicode: true } => SqlType::NVarChar { max_chars: None },
            Self::Text { max_bytes: u16::MAX, unicode: false } => SqlType::VarChar { max_chars: None },
            Self::Text { max_bytes, unicode: true } => SqlType::NVarChar { max_chars: Some((max_bytes / 2).max(1)) },
            Self::Text { max_bytes, unicode: false } => SqlType::VarChar { max_chars: Some(max_bytes.clamp(1, 8000)) },
            Self::Date => SqlType::Date,
            // The sandbox has no TIME type: times travel as text, "HH:MM:SS.fffffff" at most.
            Self::Time { .. } => SqlType::NVarChar { max_chars: Some(16) },
            Self::DateTime2 { scale } | Self::DateTimeOffset { scale } => SqlType::DateTime2 { scale },
            Self::Guid => SqlType::NVarChar { max_chars: Some(36) },
        }
    }
}

fn read_type_info(r: &mut Reader<'_>) -> Result<TypeInfo, ProtocolError> {
    use type_code as t;
    let code = r.u8()?;
    let sized = |r: &mut Reader<'_>, allowed: &[u8]| -> Result<u8, ProtocolError> {
        let size = r.u8()?;
        if allowed.contains(&size) {
            Ok(size)
        } else {
            Err(r.error(format!("type 0x{code:02X} declared with length {size}")))
        }
    };
    let scaled = |r: &mut Reader<'_>| -> Result<u8, ProtocolError> {
        let scale = r.u8()?;
        if scale <= 7 { Ok(scale) } else { Err(r.error(format!("type 0x{code:02X} with scale {scale}"))) }
    };
    Ok(match code {
        t::INT1 => TypeInfo::Int { size: 1, fixed: true },
        t::INT2 => TypeInfo::Int { size: 2, fixed: true },
        t::INT4 => TypeInfo::Int { size: 4, fixed: true },
        t::INT8 => TypeInfo::Int { size: 8, fixed: true },
        t::INTN => TypeInfo::Int { size: sized(r, &[1, 2, 4, 8])?, fixed: false },
        t::BIT => TypeInfo::Bit { fixed: true },
        t::BITN => {
            sized(r, &[1])?;
            TypeInfo::Bit { fixed: false }
        }
        t::FLT4 => TypeInfo::Float { size: 4, fixed: true },
        t::FLT8 => TypeInfo::Float { size: 8, fixed: true },
        t::FLTN => TypeInfo::Float { size: sized(r, &[4, 8])?, fixed: false },
        t::MONEY4 => TypeInfo::Money { size: 4, fixed: true },
        t::MONEY => TypeInfo::Money { size: 8, fixed: true },
        t::MONEYN => TypeInfo::Money { size: sized(r, &[4, 8])?, fixed: false },
        t::DATETIM4 => TypeInfo::DateTime { size: 4, fixed: true },
        t::DATETIME => TypeInfo::DateTime { size: 8, fixed: true },
        t::DATETIMN => TypeInfo::DateTime { size: sized(r, &[4, 8])?, fixed: false },
        t::DECIMALN | t::NUMERICN => {
            sized(r, &[5, 9, 13, 17])?;
            let (precision, scale) = (r.u8()?, r.u8()?);
            if !(1..=38).contains(&precision) || scale > precision {
                return Err(r.error(format!("DECIMAL({precision},{scale}) is not a valid type")));
            }
            TypeInfo::Decimal { precision, scale }
        }
        t::NVARCHAR | t::NCHAR | t::BIGVARCHAR | t::BIGCHAR => {
            let max_bytes = r.u16_le()?;
            r.take(5)?; // collation: the sandbox assumes Latin1_General (code page 1252)
            TypeInfo::Text { max_bytes, unicode: matches!(code, t::NVARCHAR | t::NCHAR) }
        }
        t::DATEN => TypeInfo::Date,
        t::TIMEN => TypeInfo::Time { scale: scaled(r)? },
        t::DATETIME2N => TypeInfo::DateTime2 { scale: scaled(r)? },
        t::DATETIMEOFFSETN => TypeInfo::DateTimeOffset { scale: scaled(r)? },
        t::GUID => {
            sized(r, &[16])?;
            TypeInfo::Guid
        }
        t::TEXT | t::NTEXT => {
            return Err(ProtocolError::Unsupported(format!(
                "parameter type 0x{code:02X} (TEXT/NTEXT): use VARCHAR(MAX)/NVARCHAR(MAX)"
            )));
        }
        t::BIGVARBINARY | t::BIGBINARY => {
            return Err(ProtocolError::Unsupported(format!("parameter type 0x{code:02X} (binary data)")));
        }
        other => return Err(ProtocolError::Unsupported(format!("parameter type 0x{other:02X}"))),
    })
}

fn read_value(r: &mut Reader<'_>, info: TypeInfo) -> Result<Value, ProtocolError> {
    if let TypeInfo::Text { max_bytes, unicode } = info {
        let bytes = if max_bytes == u16::MAX {
            read_plp(r)?
        } else {
            match r.u16_le()? {
                u16::MAX => None,
                len => Some(r.take(usize::from(len))?.to_vec()),
            }
        };
        return Ok(match bytes {
            None => Value::Null,
            Some(bytes) if unicode => Value::Text(decode_utf16le(&bytes, RPC_CONTEXT)?),
            Some(bytes) => Value::Text(bytes.iter().map(|&b| cp1252_decode(b)).collect()),
        });
    }
    let fixed_size = match info {
        TypeInfo::Int { size, fixed: true }
        | TypeInfo::Float { size, fixed: true }
        | TypeInfo::Money { size, fixed: true }
        | TypeInfo::DateTime { size, fixed: true } => Some(size),
        TypeInfo::Bit { fixed: true } => Some(1),
        _ => None,
    };
    let len = match fixed_size {
        Some(size) => size,
        None => match r.u8()? {
            0 => return Ok(Value::Null),
            len => len,
        },
    };
    let bytes = r.take(usize::from(len))?;
    let wrong_len = || r.error(format!("{len}-byte value for {info:?}"));
    // The (type, length) pairs matched below are the only valid ones; the last arm rejects the rest.
    let mut v = Reader::new(bytes, RPC_CONTEXT);
    Ok(match (info, len) {
        (TypeInfo::Int { .. }, 1) => Value::Int(i64::from(v.u8()?)), // TINYINT is unsigned
        (TypeInfo::Int { .. }, 2) => Value::Int(i64::from(i16::from_le_bytes(v.array()?))),
        (TypeInfo::Int { .. }, 4) => Value::Int(i64::from(v.i32_le()?)),
        (TypeInfo::Int { .. }, 8) => Value::Int(i64::from_le_bytes(v.array()?)),
        (TypeInfo::Bit { .. }, 1) => Value::Bit(v.u8()? != 0),
        (TypeInfo::Float { .. }, 4) => Value::Float(f64::from(f32::from_le_bytes(v.array()?))),
        (TypeInfo::Float { .. }, 8) => Value::Float(f64::from_le_bytes(v.array()?)),
        (TypeInfo::Money { .. }, 4) => Value::Decimal { unscaled: i128::from(v.i32_le()?), scale: 4 },
        // MONEY is the high 32 bits first, then the low 32 bits.
        (TypeInfo::Money { .. }, 8) => {
            let high = i64::from(v.i32_le()?);
            let low = i64::from(v.u32_le()?);
            Value::Decimal { unscaled: i128::from((high << 32) | low), scale: 4 }
        }
        (TypeInfo::DateTime { .. }, 4 | 8) => {
            Value::DateTime(decode_datetime(&mut v)?.ok_or_else(|| r.error("DATETIME value out of range"))?)
        }
        (TypeInfo::Decimal { precision, scale }, _) if len <= decimal_len(precision) => {
            let (sign, magnitude) = (bytes[0], &bytes[1..]);
            let mut le = [0u8; 16];
            le[..magnitude.len()].copy_from_slice(magnitude);
            let magnitude = i128::try_from(u128::from_le_bytes(le)).map_err(|_| r.error("DECIMAL value overflows"))?;
            Value::Decimal { unscaled: if sign == 0 { -magnitude } else { magnitude }, scale }
        }
        (TypeInfo::Date, _) => Value::Date(decode_date(bytes).ok_or_else(wrong_len)?),
        (TypeInfo::Time { scale }, _) => {
            let time = decode_time(bytes, scale).ok_or_else(wrong_len)?;
            Value::Text(format_time(time, scale))
        }
        (TypeInfo::DateTime2 { scale }, _) => {
            let split = time_len(scale);
            if bytes.len() != split + 3 {
                return Err(wrong_len());
            }
            let time = decode_time(&bytes[..split], scale).ok_or_else(wrong_len)?;
            let date = decode_date(&bytes[split..]).ok_or_else(wrong_len)?;
            Value::DateTime(date.and_time(time))
        }
        // Date and time are stored in UTC; the trailing i16 offset only says how to display them.
        (TypeInfo::DateTimeOffset { scale }, _) => {
            let split = time_len(scale);
            if bytes.len() != split + 5 {
                return Err(wrong_len());
            }
            let time = decode_time(&bytes[..split], scale).ok_or_else(wrong_len)?;
            let date = decode_date(&bytes[split..split + 3]).ok_or_else(wrong_len)?;
            Value::DateTime(date.and_time(time))
        }
        (TypeInfo::Guid, 16) => Value::Text(format_guid(v.array()?)),
        _ => return Err(wrong_len()),
    })
}

/// PLP: u64 total length (or NULL / unknown), then u32-length chunks up to a zero chunk.
fn read_plp(r: &mut Reader<'_>) -> Result<Option<Vec<u8>>, ProtocolError> {
    let total = r.u64_le()?;
    if total == PLP_NULL {
        return Ok(None);
    }
    let mut out = Vec::new();
    loop {
        let chunk = r.u32_le()? as usize;
        if chunk == 0 {
            break;
        }
        out.extend_from_slice(r.take(chunk)?);
    }
    if total != PLP_UNKNOWN_LEN && out.len() as u64 != total {
        return Err(r.error(format!("PLP value announces {total} bytes but has {}", out.len())));
    }
    Ok(Some(out))
}

/// Three-byte day count since 0001-01-01.
fn decode_date(bytes: &[u8]) -> Option<NaiveDate> {
    let [a, b, c] = *bytes else { return None };
    let days = i32::from_le_bytes([a, b, c, 0]);
    (days <= MAX_DAY_NUMBER).then(|| NaiveDate::from_num_days_from_ce_opt(days + 1))?
}

/// Units of 10^-scale seconds since midnight, in `time_len(scale)` bytes.
fn decode_time(bytes: &[u8], scale: u8) -> Option<NaiveTime> {
    if bytes.len() != time_len(scale) {
        return None;
    }
    let mut le = [0u8; 8];
    le[..bytes.len()].copy_from_slice(bytes);
    let units = u64::from_le_bytes(le);
    let per_second = 10u64.pow(u32::from(scale));
    let seconds = units / per_second;
    if seconds >= ONE_DAY_SECONDS {
        return None;
    }
    let nanos = (units % per_second) * 10u64.pow(9 - u32::from(scale));
    NaiveTime::from_num_seconds_from_midnight_opt(seconds as u32, nanos as u32)
}

/// SMALLDATETIME (u16 days, u16 minutes) or DATETIME (i32 days, u32 1/300 s ticks), both
/// counted from 1900-01-01; DATETIME ticks are rounded to the millisecond as SQL Server does
/// when converting to DATETIME2(3).
fn decode_datetime(v: &mut Reader<'_>) -> Result<Option<NaiveDateTime>, ProtocolError> {
    let (days, millis) = if v.remaining() == 4 {
        let days = v.u16_le()?;
        let minutes = v.u16_le()?;
        if minutes >= 24 * 60 {
            return Ok(None);
        }
        (i64::from(days), u32::from(minutes) * 60_000)
    } else {
        let days = v.i32_le()?;
        let ticks = v.u32_le()?;
        if ticks >= DATETIME_TICKS_PER_DAY {
            return Ok(None);
        }
        (i64::from(days), (ticks * 20 + 3) / 6)
    };
    let base = NaiveDate::from_ymd_opt(1900, 1, 1);
    let date = base.zip(TimeDelta::try_days(days)).and_then(|(base, delta)| base.checked_add_signed(delta));
    let time = NaiveTime::from_num_seconds_from_midnight_opt(millis / 1000, (millis % 1000) * 1_000_000);
    Ok(date.zip(time).map(|(date, time)| date.and_time(time)))
}

/// `HH:MM:SS` plus `scale` fractional digits, as SQL Server prints a TIME(scale).
fn format_time(time: NaiveTime, scale: u8) -> String {
    let base = time.format("%H:%M:%S").to_string();
    if scale == 0 {
        return base;
    }
    let fraction = time.nanosecond() / 10u32.pow(9 - u32::from(scale));
    format!("{base}.{fraction:0width$}", width = usize::from(scale))
}

/// The usual 8-4-4-4-12 form; the first three groups are stored little-endian.
fn format_guid(b: [u8; 16]) -> String {
    let tail = b[10..].iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02X}");
        s
    });
    format!(
        "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{tail}",
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_le_bytes([b[4], b[5]]),
        u16::from_le_bytes([b[6], b[7]]),
        b[8],
        b[9],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::token::{put_type_info, put_value};
    use crate::types::Collation;

    const COLLATION: [u8; 5] = Collation::FrenchCiAs.wire();

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// `ALL_HEADERS` with the transaction descriptor header every client sends.
    fn all_headers() -> Vec<u8> {
        let mut h = 22u32.to_le_bytes().to_vec();
        h.extend(18u32.to_le_bytes());
        h.extend(2u16.to_le_bytes());
        h.extend([0; 8]); // transaction descriptor
        h.extend(1u32.to_le_bytes()); // outstanding request count
        h
    }

    fn rpc_header(proc_id: u16) -> Vec<u8> {
        let mut b = all_headers();
        b.extend([0xFF, 0xFF]);
        b.extend(proc_id.to_le_bytes());
        b.extend([0, 0]);
        b
    }

    /// One parameter: name, status, then `TYPE_INFO` and value bytes.
    fn param(name: &str, type_and_value: &[u8]) -> Vec<u8> {
        let mut b = vec![name.encode_utf16().count() as u8];
        b.extend(utf16(name));
        b.push(0);
        b.extend(type_and_value);
        b
    }

    fn nvarchar_4000(text: &str) -> Vec<u8> {
        let mut b = vec![0xE7, 0x40, 0x1F];
        b.extend(COLLATION);
        b.extend((text.len() as u16 * 2).to_le_bytes());
        b.extend(utf16(text));
        b
    }

    fn single(type_and_value: &[u8]) -> Result<Param, ProtocolError> {
        let mut body = rpc_header(SP_EXECUTESQL);
        body.extend(param("@P1", type_and_value));
        let mut request = parse_rpc(&body)?;
        assert_eq!(request.params.len(), 1);
        Ok(request.params.remove(0))
    }

    fn datetime(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nano: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_nano_opt(h, mi, s, nano).unwrap()
    }

    #[test]
    fn sql_batch_with_and_without_all_headers() {
        let mut payload = all_headers();
        payload.extend(utf16("SELECT 1"));
        assert_eq!(decode_sql_batch(&payload).unwrap(), "SELECT 1");
        assert_eq!(decode_sql_batch(&utf16("SELECT N'é'")).unwrap(), "SELECT N'é'");
        assert_eq!(decode_sql_batch(&utf16("Go")).unwrap(), "Go");
        assert_eq!(decode_sql_batch(&[]).unwrap(), "");
        let mut bad = all_headers();
        bad.extend([0x00, 0xDC]);
        assert!(decode_sql_batch(&bad).is_err(), "lone low surrogate");
        bad.push(0x41);
        assert!(decode_sql_batch(&bad).is_err(), "odd length");
    }

    #[test]
    fn all_headers_need_a_consistent_chain() {
        let mut payload = 10u32.to_le_bytes().to_vec();
        payload.extend(7u32.to_le_bytes()); // header overruns the declared total
        payload.extend([0, 0]);
        assert_eq!(strip_all_headers(&payload), payload.as_slice());
        let empty = 4u32.to_le_bytes();
        assert!(strip_all_headers(&empty).is_empty());
    }

    #[test]
    fn sp_executesql_as_python_tds_and_tiberius_send_it() {
        let mut body = rpc_header(SP_EXECUTESQL);
        body.extend(param("", &nvarchar_4000("SELECT @P1, @P2, @P3, @P4")));
        body.extend(param("", &nvarchar_4000("@P1 int,@P2 nvarchar(max),@P3 decimal(18,2),@P4 datetime2(6)")));
        body.extend(param("@P1", &[0x26, 4, 4, 0x2A, 0, 0, 0]));
        let mut p2 = vec![0xE7, 0xFF, 0xFF];
        p2.extend(COLLATION);
        p2.extend(14u64.to_le_bytes());
        for chunk in ["bon", "jour"] {
            p2.extend((chunk.len() as u32 * 2).to_le_bytes());
            p2.extend(utf16(chunk));
        }
        p2.extend(0u32.to_le_bytes());
        body.extend(param("@P2", &p2));
        body.extend(param("@P3", &[0x6A, 9, 18, 2, 9, 0, 0x39, 0x30, 0, 0, 0, 0, 0, 0]));
        // 12:34:56.123456 at scale 6 = 45_296_123_456 = 0x0A_8BDB_FE40 in 5 bytes; 2024-01-31.
        body.extend(param("@P4", &[0x2A, 6, 8, 0x40, 0xFE, 0xDB, 0x8B, 0x0A, 0x63, 0x46, 0x0B]));

        let request = parse_rpc(&body).unwrap();
        assert_eq!(request.procedure, Procedure::Id(SP_EXECUTESQL));
        let p = &request.params;
        assert_eq!(p.len(), 6);
        assert_eq!((p[0].name.as_str(), &p[0].value), ("", &Value::Text("SELECT @P1, @P2, @P3, @P4".into())));
        assert_eq!(p[0].ty, SqlType::NVarChar { max_chars: Some(4000) });
        assert_eq!(p[2], Param { name: "@P1".into(), ty: SqlType::Int, value: Value::Int(42) });
        assert_eq!(
            p[3],
            Param {
                name: "@P2".into(),
                ty: SqlType::NVarChar { max_chars: None },
                value: Value::Text("bonjour".into())
            }
        );
        assert_eq!(
            p[4],
            Param {
                name: "@P3".into(),
                ty: SqlType::Decimal { precision: 18, scale: 2 },
                value: Value::Decimal { unscaled: -12345, scale: 2 }
            }
        );
        assert_eq!(p[5].ty, SqlType::DateTime2 { scale: 6 });
        assert_eq!(p[5].value, Value::DateTime(datetime(2024, 1, 31, 12, 34, 56, 123_456_000)));
    }

    #[test]
    fn procedure_by_name_without_all_headers_stops_at_batch_separator() {
        let mut body = 4u16.to_le_bytes().to_vec();
        body.extend(utf16("proc"));
        body.extend([0, 0]);
        body.extend(param("@a", &[0x38, 7, 0, 0, 0]));
        body.push(0xFF);
        body.extend([0xFF, 0xFF, 0x0F, 0x00]); // a second RPC, ignored
        let request = parse_rpc(&body).unwrap();
        assert_eq!(request.procedure, Procedure::Name("proc".into()));
        assert_eq!(request.params, [Param { name: "@a".into(), ty: SqlType::Int, value: Value::Int(7) }]);
    }

    #[test]
    fn integer_bit_float_and_money_types() {
        let check = |bytes: &[u8], ty: SqlType, value: Value| {
            let p = single(bytes).unwrap();
            assert_eq!((p.ty, p.value), (ty, value), "{bytes:02X?}");
        };
        check(&[0x30, 0xFF], SqlType::Int, Value::Int(255));
        check(&[0x34, 0xFE, 0xFF], SqlType::Int, Value::Int(-2));
        check(&[0x38, 0xFE, 0xFF, 0xFF, 0xFF], SqlType::Int, Value::Int(-2));
        check(&[0x7F, 0, 0, 0, 0, 0, 1, 0, 0], SqlType::BigInt, Value::Int(1 << 40));
        check(&[0x26, 8, 8, 1, 0, 0, 0, 0, 0, 0, 0], SqlType::BigInt, Value::Int(1));
        check(&[0x26, 1, 1, 200], SqlType::Int, Value::Int(200));
        check(&[0x26, 2, 0], SqlType::Int, Value::Null);
        check(&[0x32, 1], SqlType::Bit, Value::Bit(true));
        check(&[0x68, 1, 1, 0], SqlType::Bit, Value::Bit(false));
        check(&[0x68, 1, 0], SqlType::Bit, Value::Null);
        check(&[0x3B, 0x00, 0x00, 0xC0, 0x3F], SqlType::Float, Value::Float(1.5));
        check(&[0x3E, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F], SqlType::Float, Value::Float(1.5));
        check(&[0x6D, 8, 8, 0, 0, 0, 0, 0, 0, 0xF8, 0xBF], SqlType::Float, Value::Float(-1.5));
        check(&[0x6D, 4, 0], SqlType::Float, Value::Null);
        let (money, small) = (SqlType::Money, SqlType::SmallMoney);
        // 12.3456 = 123_456 = 0x1_E240; MONEY puts the high 32 bits first.
        check(&[0x6E, 8, 8, 0, 0, 0, 0, 0x40, 0xE2, 0x01, 0], money, Value::Decimal { unscaled: 123_456, scale: 4 });
        check(&[0x6E, 8, 8, 1, 0, 0, 0, 0, 0, 0, 0], money, Value::Decimal { unscaled: 1 << 32, scale: 4 });
        check(&[0x6E, 4, 4, 0xC0, 0x1D, 0xFE, 0xFF], small, Value::Decimal { unscaled: -123_456, scale: 4 });
        check(
            &[0x3C, 0xFF, 0xFF, 0xFF, 0xFF, 0xC0, 0x1D, 0xFE, 0xFF],
            money,
            Value::Decimal { unscaled: -123_456, scale: 4 },
        );
        check(&[0x7A, 1, 0, 0, 0], small, Value::Decimal { unscaled: 1, scale: 4 });
        check(&[0x6E, 8, 0], money, Value::Null);
    }

    #[test]
    fn decimal_and_numeric() {
        let p = single(&[0x6C, 5, 5, 0, 5, 1, 0x39, 0x30, 0, 0]).unwrap();
        assert_eq!(p.ty, SqlType::Decimal { precision: 5, scale: 0 });
        assert_eq!(p.value, Value::Decimal { unscaled: 12345, scale: 0 });
        let mut max = vec![0x6A, 17, 38, 0, 17, 1];
        max.extend((10u128.pow(38) - 1).to_le_bytes());
        assert_eq!(single(&max).unwrap().value, Value::Decimal { unscaled: 10i128.pow(38) - 1, scale: 0 });
        assert_eq!(single(&[0x6A, 17, 38, 10, 0]).unwrap().value, Value::Null);
        assert!(single(&[0x6A, 9, 39, 0, 0]).is_err(), "precision 39");
        assert!(single(&[0x6A, 9, 5, 6, 0]).is_err(), "scale above precision");
        assert!(single(&[0x6A, 5, 5, 0, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0]).is_err(), "value longer than the type");
        let mut overflow = vec![0x6A, 17, 38, 0, 17, 1];
        overflow.extend([0xFF; 16]);
        assert!(single(&overflow).is_err());
    }

    #[test]
    fn character_types() {
        let mut varchar = vec![0xA7, 0x32, 0x00];
        varchar.extend(COLLATION);
        varchar.extend([4, 0, 0x80, b' ', 0xE9, 0x9C]);
        let p = single(&varchar).unwrap();
        assert_eq!((p.ty, p.value), (SqlType::VarChar { max_chars: Some(50) }, Value::Text("€ éœ".into())));

        let mut nchar = vec![0xEF, 0x04, 0x00];
        nchar.extend(COLLATION);
        nchar.extend([0xFF, 0xFF]);
        let p = single(&nchar).unwrap();
        assert_eq!((p.ty, p.value), (SqlType::NVarChar { max_chars: Some(2) }, Value::Null));

        let mut big = vec![0xAF, 0x40, 0x1F];
        big.extend(COLLATION);
        big.extend([1, 0, b'x']);
        assert_eq!(single(&big).unwrap().ty, SqlType::VarChar { max_chars: Some(8000) }, "CHAR(8000)");

        let plp = |tail: &[u8]| {
            let mut b = vec![0xA7, 0xFF, 0xFF];
            b.extend(COLLATION);
            b.extend(tail);
            single(&b)
        };
        assert_eq!(plp(&[0xFF; 8]).unwrap().value, Value::Null);
        let mut unknown = vec![0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        unknown.extend([2, 0, 0, 0, b'o', b'k', 0, 0, 0, 0]);
        assert_eq!(plp(&unknown).unwrap().value, Value::Text("ok".into()));
        let mut lying = 5u64.to_le_bytes().to_vec();
        lying.extend([2, 0, 0, 0, b'o', b'k', 0, 0, 0, 0]);
        assert!(plp(&lying).is_err());
        let mut unterminated = 2u64.to_le_bytes().to_vec();
        unterminated.extend([2, 0, 0, 0, b'o', b'k']);
        assert!(plp(&unterminated).is_err());

        let mut odd = vec![0xE7, 0x10, 0x00];
        odd.extend(COLLATION);
        odd.extend([1, 0, b'x']);
        assert!(single(&odd).is_err());
    }

    #[test]
    fn date_and_time_types() {
        let date = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        let p = single(&[0x28, 3, 0x63, 0x46, 0x0B]).unwrap();
        assert_eq!((p.ty, p.value), (SqlType::Date, Value::Date(date)));
        assert_eq!(single(&[0x28, 0]).unwrap().value, Value::Null);
        assert!(single(&[0x28, 3, 0xFF, 0xFF, 0xFF]).is_err(), "beyond 9999-12-31");

        // TIME(7) 12:34:56.1234568; TIME(0) 23:59:59.
        let p = single(&[0x29, 7, 5, 0x88, 0xEE, 0x97, 0x76, 0x69]).unwrap();
        assert_eq!(
            (p.ty, p.value),
            (SqlType::NVarChar { max_chars: Some(16) }, Value::Text("12:34:56.1234568".into()))
        );
        assert_eq!(single(&[0x29, 0, 3, 0x7F, 0x51, 0x01]).unwrap().value, Value::Text("23:59:59".into()));
        assert_eq!(single(&[0x29, 2, 3, 0x05, 0, 0]).unwrap().value, Value::Text("00:00:00.05".into()));
        assert!(single(&[0x29, 0, 3, 0x80, 0x51, 0x01]).is_err(), "86400 s is not a time of day");
        assert!(single(&[0x29, 8, 0]).is_err(), "scale 8");

        // DATETIME2(7) from tiberius, 12:34:56.1234568.
        let p = single(&[0x2A, 7, 8, 0x88, 0xEE, 0x97, 0x76, 0x69, 0x63, 0x46, 0x0B]).unwrap();
        assert_eq!(p.ty, SqlType::DateTime2 { scale: 7 });
        assert_eq!(p.value, Value::DateTime(datetime(2024, 1, 31, 12, 34, 56, 123_456_800)));
        assert!(single(&[0x2A, 7, 7, 0, 0, 0, 0, 0x63, 0x46, 0x0B]).is_err(), "length for scale 3");

        // DATETIMEOFFSET(0) 10:00:00 UTC shown at +02:00 (offset 120 minutes).
        let p = single(&[0x2B, 0, 8, 0xA0, 0x8C, 0x00, 0x63, 0x46, 0x0B, 0x78, 0x00]).unwrap();
        assert_eq!(p.ty, SqlType::DateTime2 { scale: 0 });
        assert_eq!(p.value, Value::DateTime(datetime(2024, 1, 31, 10, 0, 0, 0)));

        // SMALLDATETIME: 45_320 days after 1900-01-01 = 2024-01-31, 754 minutes = 12:34.
        let p = single(&[0x6F, 4, 4, 0x08, 0xB1, 0xF2, 0x02]).unwrap();
        assert_eq!(p.ty, SqlType::SmallDateTime);
        assert_eq!(p.value, Value::DateTime(datetime(2024, 1, 31, 12, 34, 0, 0)));
        // DATETIME: 2 ticks = 6.67 ms, rounded to 7 ms.
        let p = single(&[0x3D, 0x08, 0xB1, 0, 0, 2, 0, 0, 0]).unwrap();
        assert_eq!(p.value, Value::DateTime(datetime(2024, 1, 31, 0, 0, 0, 7_000_000)));
        let p = single(&[0x6F, 8, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x8B, 0x01]).unwrap();
        assert_eq!(p.value, Value::DateTime(datetime(1899, 12, 31, 23, 59, 59, 997_000_000)), "last tick of a day");
        assert!(single(&[0x6F, 8, 8, 0, 0, 0, 0, 0x00, 0x82, 0x8B, 0x01]).is_err(), "a full day of ticks");
        assert_eq!(single(&[0x6F, 8, 0]).unwrap().value, Value::Null);
    }

    #[test]
    fn guid_and_unsupported_types() {
        let p = single(&[
            0x24, 16, 16, 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE,
            0xFF,
        ])
        .unwrap();
        assert_eq!(p.value, Value::Text("00112233-4455-6677-8899-AABBCCDDEEFF".into()));
        assert_eq!(p.ty, SqlType::NVarChar { max_chars: Some(36) });
        for code in [0x23, 0x63, 0xA5, 0xF1] {
            let err = single(&[code, 0, 0, 0, 0]).unwrap_err();
            assert!(matches!(err, ProtocolError::Unsupported(_)), "{err}");
        }
    }

    #[test]
    fn truncated_requests_are_errors() {
        let mut body = rpc_header(SP_EXECUTESQL);
        body.extend(param("@P3", &[0x6A, 9, 18, 2, 9, 1, 0x39, 0x30, 0, 0, 0, 0, 0, 0]));
        for cut in 1..body.len() - all_headers().len() {
            if let Ok(request) = parse_rpc(&body[..body.len() - cut]) {
                assert!(request.params.is_empty(), "cut {cut}: {request:?}");
            }
        }
        let err = parse_rpc(&body[..body.len() - 1]).unwrap_err().to_string();
        assert!(err.contains("RPC request") && err.contains("truncated"), "{err}");
        assert!(parse_rpc(&[]).is_err());
        assert!(single(&[0x26, 3, 0]).is_err(), "INTN of length 3");
        assert!(single(&[0x26, 4, 2, 1, 0]).is_ok(), "a shorter value than declared is still an int");
        assert!(single(&[0x26, 4, 3, 1, 0, 0]).is_err());
    }

    #[test]
    fn values_encoded_for_rows_decode_back() {
        let date = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        let cases = [
            (SqlType::Bit, Value::Bit(true)),
            (SqlType::Int, Value::Int(-123_456)),
            (SqlType::BigInt, Value::Int(i64::MIN)),
            (SqlType::Float, Value::Float(0.1)),
            (SqlType::Decimal { precision: 38, scale: 6 }, Value::Decimal { unscaled: -(10i128.pow(37)), scale: 6 }),
            (SqlType::Decimal { precision: 9, scale: 2 }, Value::Decimal { unscaled: 999_999_999, scale: 2 }),
            (SqlType::NVarChar { max_chars: Some(20) }, Value::Text("Menuiserie 😀".into())),
            (SqlType::NVarChar { max_chars: None }, Value::Text("x".repeat(5000))),
            (SqlType::NVarChar { max_chars: None }, Value::Null),
            (SqlType::Date, Value::Date(date)),
            (SqlType::DateTime2 { scale: 7 }, Value::DateTime(datetime(2024, 2, 29, 23, 59, 59, 999_999_900))),
            (SqlType::DateTime2 { scale: 2 }, Value::DateTime(datetime(1, 1, 1, 0, 0, 0, 10_000_000))),
            (SqlType::DateTime2 { scale: 4 }, Value::Null),
        ];
        for (ty, value) in cases {
            let mut bytes = Vec::new();
            put_type_info(&mut bytes, ty, COLLATION).unwrap();
            put_value(&mut bytes, ty, &value).unwrap();
            let p = single(&bytes).unwrap();
            assert_eq!((p.ty, p.value), (ty, value));
        }
    }
}
