//! LOGIN7: who the client is, which database it wants, and its (obfuscated) password.

use std::fmt;

use super::ProtocolError;
use super::wire::{Reader, decode_utf16le};

const CONTEXT: &str = "LOGIN7";
/// Fixed part plus offset table up to `AtchDBFile`: the TDS 7.0 layout, the oldest still spoken.
/// Later fields (`ChangePassword`, `cbSSPILong`) are not needed by the sandbox.
const MIN_LEN: usize = 86;
/// Offset of the first (offset, length) pair, just after the 36-byte fixed part.
const TABLE_START: usize = 36;
/// `OptionFlags3` bit announcing a `FeatureExt` block (`FreeTDS` sets it).
const F_EXTENSION: u8 = 0x10;
/// OptionFlags2 fIntSecurity: integrated (Windows) security.
const F_INT_SECURITY: u8 = 0x80;

/// The parts of LOGIN7 the sandbox acts on. `Debug` never prints the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Login7 {
    /// As sent, little-endian: TDS 7.4 reads `0x7400_0004`.
    pub tds_version: u32,
    /// Requested packet size; 0 means "the server's default".
    pub packet_size: u32,
    pub host_name: String,
    pub user_name: String,
    pub password: String,
    pub app_name: String,
    pub server_name: String,
    /// Client interface library (`CltIntName`), e.g. "Tiberius", "DB-Library".
    pub library_name: String,
    pub language: String,
    pub database: String,
    /// The client sent a `FeatureExt` block and expects a FEATUREEXTACK.
    pub feature_ext: bool,
    /// fIntSecurity (OptionFlags2 0x80): a Windows login, with its first SSPI token in `sspi`.
    pub integrated: bool,
    pub sspi: Vec<u8>,
}

impl fmt::Debug for Login7 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login7")
            .field("tds_version", &format_args!("0x{:08X}", self.tds_version))
            .field("packet_size", &self.packet_size)
            .field("host_name", &self.host_name)
            .field("user_name", &self.user_name)
            .field("password", &"***")
            .field("app_name", &self.app_name)
            .field("server_name", &self.server_name)
            .field("library_name", &self.library_name)
            .field("language", &self.language)
            .field("database", &self.database)
            .field("feature_ext", &self.feature_ext)
            .field("integrated", &self.integrated)
            .field("sspi", &format_args!("{} bytes", self.sspi.len()))
            .finish()
    }
}

pub fn parse_login7(body: &[u8]) -> Result<Login7, ProtocolError> {
    if body.len() < MIN_LEN {
        return Err(ProtocolError::malformed(CONTEXT, format!("{} bytes, at least {MIN_LEN} expected", body.len())));
    }
    let mut r = Reader::new(body, CONTEXT);
    let declared = r.u32_le()? as usize;
    if declared > body.len() {
        return Err(ProtocolError::malformed(
            CONTEXT,
            format!("declares {declared} bytes but the message holds {}", body.len()),
        ));
    }
    let tds_version = r.u32_le()?;
    let packet_size = r.u32_le()?;
    // OptionFlags3 sits after ClientProgVer, ClientPID, ConnectionID, OptionFlags1/2, TypeFlags.
    let option_flags3 = body[27];
    let integrated = body[25] & F_INT_SECURITY != 0;
    // ibSSPI and cbSSPI follow the nine string slots and the 6-byte ClientID; cbSSPI counts bytes.
    let sspi = {
        let at = TABLE_START + 9 * 4 + 6;
        let offset = usize::from(u16::from_le_bytes([body[at], body[at + 1]]));
        let len = usize::from(u16::from_le_bytes([body[at + 2], body[at + 3]]));
        body.get(offset..offset + len)
            .ok_or_else(|| ProtocolError::malformed(CONTEXT, "SSPI data beyond the message"))?
            .to_vec()
    };
    let text = |slot: usize, field: &'static str| decode_utf16le(field_bytes(body, slot, field)?, CONTEXT);
    let password_bytes: Vec<u8> = field_bytes(body, 2, "Password")?.iter().map(|&b| deobfuscate(b)).collect();
    Ok(Login7 {
        tds_version,
        packet_size,
        host_name: text(0, "HostName")?,
        user_name: text(1, "UserName")?,
        // The decoder's error would quote the offending code unit: keep the password out of it.
        password: decode_utf16le(&password_bytes, CONTEXT)
            .map_err(|_| ProtocolError::malformed(CONTEXT, "the password is not valid UTF-16"))?,
        app_name: text(3, "AppName")?,
        server_name: text(4, "ServerName")?,
        // Slot 5 (Extension) points at FeatureExt data, which the sandbox acknowledges unread.
        library_name: text(6, "CltIntName")?,
        language: text(7, "Language")?,
        database: text(8, "Database")?,
        feature_ext: option_flags3 & F_EXTENSION != 0,
        integrated,
        sspi,
    })
}

/// Bytes of the string in the `slot`-th (offset, length) pair; lengths count UTF-16 units
/// and offsets are relative to the LOGIN7 body.
fn field_bytes<'a>(body: &'a [u8], slot: usize, field: &'static str) -> Result<&'a [u8], ProtocolError> {
    let mut r = Reader::new(body, CONTEXT);
    r.take(TABLE_START + slot * 4)?;
    let offset = usize::from(r.u16_le()?);
    let units = usize::from(r.u16_le()?);
    if units == 0 {
        return Ok(&[]);
    }
    body.get(offset..offset + units * 2).ok_or_else(|| {
        ProtocolError::malformed(
            CONTEXT,
            format!("{field} at offset {offset} ({units} characters) lies beyond the {} bytes sent", body.len()),
        )
    })
}

/// Undoes the password obfuscation: XOR with 0xA5, then swap the nibbles.
fn deobfuscate(byte: u8) -> u8 {
    (byte ^ 0xA5).rotate_left(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obfuscate(byte: u8) -> u8 {
        byte.rotate_left(4) ^ 0xA5
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// A TDS 7.4 LOGIN7 body as tiberius or `FreeTDS` would build it.
    fn build(fields: [&str; 9], option_flags3: u8) -> Vec<u8> {
        let mut fixed = Vec::new();
        fixed.extend(0u32.to_le_bytes()); // Length, patched below
        fixed.extend([0x04, 0x00, 0x00, 0x74]);
        fixed.extend(8192u32.to_le_bytes());
        fixed.extend([0; 12]); // ClientProgVer, ClientPID, ConnectionID
        fixed.extend([0xE0, 0x03, 0x00, option_flags3]);
        fixed.extend([0; 8]); // ClientTimeZone, ClientLCID
        let mut data = Vec::new();
        let data_start = 94;
        let mut table = Vec::new();
        for (slot, value) in fields.iter().enumerate() {
            let mut bytes = utf16(value);
            if slot == 2 {
                bytes = bytes.into_iter().map(obfuscate).collect();
            }
            table.extend(((data_start + data.len()) as u16).to_le_bytes());
            table.extend((value.encode_utf16().count() as u16).to_le_bytes());
            data.extend(bytes);
        }
        table.extend([1, 2, 3, 4, 5, 6]); // ClientID
        for _ in 0..3 {
            table.extend(((data_start + data.len()) as u16).to_le_bytes());
            table.extend([0, 0]);
        }
        table.extend([0; 4]); // cbSSPILong
        let mut body = [fixed, table, data].concat();
        let len = body.len() as u32;
        body[..4].copy_from_slice(&len.to_le_bytes());
        body
    }

    #[test]
    fn parses_the_spec_sample() {
        // MS-TDS 4.2 sample (TDS 7.2), packet header removed.
        let body = [
            0x88, 0x00, 0x00, 0x00, 0x02, 0x00, 0x09, 0x72, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x04, 0x00, 0x00,
            0x5E, 0x00, 0x08, 0x00, 0x6E, 0x00, 0x02, 0x00, 0x72, 0x00, 0x00, 0x00, 0x72, 0x00, 0x07, 0x00, 0x80, 0x00,
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x04, 0x00, 0x88, 0x00, 0x00, 0x00, 0x88, 0x00, 0x00, 0x00,
            0x00, 0x50, 0x8B, 0xE2, 0xB7, 0x8F, 0x88, 0x00, 0x00, 0x00, 0x88, 0x00, 0x00, 0x00, 0x88, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x73, 0x00, 0x6B, 0x00, 0x6F, 0x00, 0x73, 0x00, 0x74, 0x00, 0x6F, 0x00, 0x76, 0x00,
            0x31, 0x00, 0x73, 0x00, 0x61, 0x00, 0x4F, 0x00, 0x53, 0x00, 0x51, 0x00, 0x4C, 0x00, 0x2D, 0x00, 0x33, 0x00,
            0x32, 0x00, 0x4F, 0x00, 0x44, 0x00, 0x42, 0x00, 0x43, 0x00,
        ];
        let l = parse_login7(&body).unwrap();
        assert_eq!(l.tds_version, 0x7209_0002);
        assert_eq!(l.packet_size, 4096);
        assert_eq!((l.host_name.as_str(), l.user_name.as_str()), ("skostov1", "sa"));
        assert_eq!((l.password.as_str(), l.app_name.as_str()), ("", "OSQL-32"));
        assert_eq!(l.library_name, "ODBC");
        assert_eq!((l.database.as_str(), l.language.as_str()), ("", ""));
        assert!(!l.feature_ext);
    }

    #[test]
    fn parses_a_tds74_login_with_password_and_feature_ext() {
        let body = build(
            ["poste-12", "batigest", "Sécret!42", "jlm", "localhost", "", "Tiberius", "us_english", "BATIGEST_CONNECT"],
            F_EXTENSION,
        );
        let l = parse_login7(&body).unwrap();
        assert_eq!(l.tds_version, 0x7400_0004);
        assert_eq!(l.packet_size, 8192);
        assert_eq!(l.user_name, "batigest");
        assert_eq!(l.password, "Sécret!42");
        assert_eq!((l.app_name.as_str(), l.server_name.as_str()), ("jlm", "localhost"));
        assert_eq!((l.library_name.as_str(), l.language.as_str()), ("Tiberius", "us_english"));
        assert_eq!(l.database, "BATIGEST_CONNECT");
        assert!(l.feature_ext);
        let debug = format!("{l:?}");
        assert!(debug.contains("password: \"***\"") && !debug.contains("cret"), "{debug}");
        assert!(debug.contains("0x74000004"));
    }

    #[test]
    fn password_obfuscation_matches_the_spec() {
        // Swap then XOR: 'a' 0x61 -> 0x16 -> 0xB3.
        assert_eq!(obfuscate(0x61), 0xB3);
        assert_eq!(deobfuscate(0xB3), 0x61);
        assert!((0..=255).all(|b| deobfuscate(obfuscate(b)) == b));
    }

    #[test]
    fn rejects_truncated_or_out_of_bounds_logins() {
        let body = build(["h", "u", "p", "a", "s", "", "l", "", "d"], 0);
        assert!(parse_login7(&body[..80]).is_err());
        assert!(parse_login7(&body[..body.len() - 1]).is_err(), "declared length too long");
        let mut lying = body.clone();
        lying[68..70].copy_from_slice(&0xFFF0u16.to_le_bytes()); // Database offset
        let err = parse_login7(&lying).unwrap_err().to_string();
        assert!(err.contains("Database"), "{err}");
        let mut odd_password = body.clone();
        odd_password[44..46].copy_from_slice(&0xFFFFu16.to_le_bytes());
        assert!(parse_login7(&odd_password).is_err());
        let mut surrogate = build(["h", "u", "\u{1F600}", "a", "s", "", "l", "", "d"], 0);
        let password_at = usize::from(u16::from_le_bytes([surrogate[44], surrogate[45]]));
        surrogate[password_at + 2..password_at + 4].copy_from_slice(&[obfuscate(0x41), obfuscate(0x00)]);
        let err = parse_login7(&surrogate).unwrap_err().to_string();
        assert_eq!(err, "malformed LOGIN7: the password is not valid UTF-16");
    }
}
