//! Bounds-checked reading of client bytes and the string encodings every token shares.

use super::ProtocolError;

/// A cursor over client bytes: every read checks the bounds and names what was being read,
/// so a truncated message becomes an error instead of a panic.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    context: &'static str,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8], context: &'static str) -> Self {
        Self { buf, pos: 0, context }
    }

    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(super) fn peek_u8(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    pub(super) fn error(&self, detail: impl Into<String>) -> ProtocolError {
        ProtocolError::malformed(self.context, detail)
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], ProtocolError> {
        if n > self.remaining() {
            return Err(self.error(format!(
                "truncated: {n} bytes needed at offset {}, {} left",
                self.pos,
                self.remaining()
            )));
        }
        let bytes = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], ProtocolError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(super) fn u8(&mut self) -> Result<u8, ProtocolError> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u16_le(&mut self) -> Result<u16, ProtocolError> {
        self.array().map(u16::from_le_bytes)
    }

    pub(super) fn u16_be(&mut self) -> Result<u16, ProtocolError> {
        self.array().map(u16::from_be_bytes)
    }

    pub(super) fn u32_le(&mut self) -> Result<u32, ProtocolError> {
        self.array().map(u32::from_le_bytes)
    }

    pub(super) fn i32_le(&mut self) -> Result<i32, ProtocolError> {
        self.array().map(i32::from_le_bytes)
    }

    pub(super) fn u64_le(&mut self) -> Result<u64, ProtocolError> {
        self.array().map(u64::from_le_bytes)
    }

    /// `n` UTF-16LE code units.
    pub(super) fn utf16(&mut self, units: usize) -> Result<String, ProtocolError> {
        let bytes = self.take(units * 2)?;
        decode_utf16le(bytes, self.context)
    }

    /// `B_VARCHAR`: a one-byte unit count, then UTF-16LE.
    pub(super) fn b_varchar(&mut self) -> Result<String, ProtocolError> {
        let units = self.u8()?;
        self.utf16(usize::from(units))
    }
}

/// Strict UTF-16LE: an unpaired surrogate is the client's bug, and guessing would silently
/// change the SQL or the parameter it sent.
pub(super) fn decode_utf16le(bytes: &[u8], context: &'static str) -> Result<String, ProtocolError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ProtocolError::malformed(context, format!("UTF-16 text has an odd byte length ({})", bytes.len())));
    }
    let units = bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| ProtocolError::malformed(context, format!("invalid UTF-16 text: {e}")))
}

/// The UTF-16 code units of `s`, cut to at most `max` units without splitting a surrogate pair.
/// Server-chosen strings (names, messages) are truncated rather than failing a whole response.
pub(super) fn utf16_truncated(s: &str, max: usize) -> Vec<u16> {
    let mut units: Vec<u16> = s.encode_utf16().collect();
    if units.len() > max {
        units.truncate(max);
        if units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
        }
    }
    units
}

pub(super) fn put_utf16(out: &mut Vec<u8>, units: &[u16]) {
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
}

/// `B_VARCHAR`: one-byte unit count, then UTF-16LE (truncated to 255 units).
pub(super) fn put_b_varchar(out: &mut Vec<u8>, s: &str) {
    let units = utf16_truncated(s, usize::from(u8::MAX));
    out.push(units.len() as u8);
    put_utf16(out, &units);
}

/// `US_VARCHAR`: two-byte unit count, then UTF-16LE (truncated to `max` units, at most 65535).
pub(super) fn put_us_varchar(out: &mut Vec<u8>, s: &str, max: usize) {
    let units = utf16_truncated(s, max.min(usize::from(u16::MAX)));
    out.extend((units.len() as u16).to_le_bytes());
    put_utf16(out, &units);
}

/// Windows-1252, the code page of the French collations: Latin-1 except 0x80..=0x9F.
/// The five undefined bytes map to the C1 controls, as Windows itself does.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’',
    '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

pub(super) fn cp1252_decode(byte: u8) -> char {
    match byte {
        0x80..=0x9F => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// The Windows-1252 byte of `c`; `?` for a character the code page lacks, as SQL Server stores
/// such a character in a CHAR/VARCHAR column.
pub(super) fn cp1252_encode(c: char) -> u8 {
    match u32::from(c) {
        n @ (0..=0x7F | 0xA0..=0xFF) => n as u8,
        _ => CP1252_HIGH.iter().position(|&h| h == c).map_or(b'?', |i| 0x80 + i as u8),
    }
}

/// TDS data type codes (MS-TDS 2.2.5.4), shared by COLMETADATA encoding and RPC decoding.
pub(super) mod type_code {
    pub const TEXT: u8 = 0x23;
    pub const GUID: u8 = 0x24;
    pub const INTN: u8 = 0x26;
    pub const DATEN: u8 = 0x28;
    pub const TIMEN: u8 = 0x29;
    pub const DATETIME2N: u8 = 0x2A;
    pub const DATETIMEOFFSETN: u8 = 0x2B;
    pub const INT1: u8 = 0x30;
    pub const BIT: u8 = 0x32;
    pub const INT2: u8 = 0x34;
    pub const INT4: u8 = 0x38;
    pub const DATETIM4: u8 = 0x3A;
    pub const FLT4: u8 = 0x3B;
    pub const MONEY: u8 = 0x3C;
    pub const DATETIME: u8 = 0x3D;
    pub const FLT8: u8 = 0x3E;
    pub const NTEXT: u8 = 0x63;
    pub const BITN: u8 = 0x68;
    pub const DECIMALN: u8 = 0x6A;
    pub const NUMERICN: u8 = 0x6C;
    pub const FLTN: u8 = 0x6D;
    pub const MONEYN: u8 = 0x6E;
    pub const DATETIMN: u8 = 0x6F;
    pub const MONEY4: u8 = 0x7A;
    pub const INT8: u8 = 0x7F;
    pub const BIGVARBINARY: u8 = 0xA5;
    pub const BIGVARCHAR: u8 = 0xA7;
    pub const BIGBINARY: u8 = 0xAD;
    pub const BIGCHAR: u8 = 0xAF;
    pub const NVARCHAR: u8 = 0xE7;
    pub const NCHAR: u8 = 0xEF;
}

/// Day number (since 0001-01-01) of 9999-12-31, the last date SQL Server can hold.
pub(super) const MAX_DAY_NUMBER: i32 = 3_652_058;

/// Byte length of a DECIMALN/NUMERICN value (sign byte included) for a given precision.
pub(super) fn decimal_len(precision: u8) -> u8 {
    match precision {
        0..=9 => 5,
        10..=19 => 9,
        20..=28 => 13,
        _ => 17,
    }
}

/// Byte length of the time part of TIMEN/DATETIME2N/DATETIMEOFFSETN for a given scale.
pub(super) fn time_len(scale: u8) -> usize {
    match scale {
        0..=2 => 3,
        3 | 4 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_reads_little_and_big_endian_and_reports_truncation() {
        let mut r = Reader::new(&[0x01, 0x02, 0x01, 0x02, 0xFF], "test");
        assert_eq!(r.u16_le().unwrap(), 0x0201);
        assert_eq!(r.u16_be().unwrap(), 0x0102);
        assert_eq!(r.peek_u8(), Some(0xFF));
        let err = r.u32_le().unwrap_err().to_string();
        assert!(err.contains("malformed test") && err.contains("4 bytes needed at offset 4"), "{err}");
    }

    #[test]
    fn cp1252_round_trips_and_replaces_what_it_lacks() {
        for byte in 0..=255u8 {
            assert_eq!(cp1252_encode(cp1252_decode(byte)), byte);
        }
        assert_eq!(cp1252_encode('é'), 0xE9);
        assert_eq!(cp1252_encode('€'), 0x80);
        assert_eq!(cp1252_encode('œ'), 0x9C);
        assert_eq!(cp1252_encode('→'), b'?');
    }

    #[test]
    fn utf16_is_strict() {
        assert_eq!(decode_utf16le(&[0xE9, 0x00], "t").unwrap(), "é");
        assert!(decode_utf16le(&[0x41], "t").is_err());
        assert!(decode_utf16le(&[0x00, 0xD8], "t").is_err(), "lone high surrogate");
    }

    #[test]
    fn truncation_keeps_surrogate_pairs_whole() {
        assert_eq!(utf16_truncated("ab😀", 3), vec![0x61, 0x62]);
        assert_eq!(utf16_truncated("ab😀", 4).len(), 4);
        let mut out = Vec::new();
        put_b_varchar(&mut out, "é");
        assert_eq!(out, [1, 0xE9, 0x00]);
        out.clear();
        put_us_varchar(&mut out, "ab", 1);
        assert_eq!(out, [1, 0, 0x61, 0]);
    }
}
