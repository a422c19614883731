//! PRELOGIN: the first exchange, which settles encryption before anything else.
//!
//! The option table uses big-endian offsets and lengths, relative to the payload start.

use super::wire::Reader;
use super::{ProtocolError, SERVER_VERSION_BUILD, SERVER_VERSION_MAJOR, SERVER_VERSION_MINOR};

const VERSION: u8 = 0x00;
const ENCRYPTION: u8 = 0x01;
const INSTOPT: u8 = 0x02;
const THREADID: u8 = 0x03;
const MARS: u8 = 0x04;
const TERMINATOR: u8 = 0xFF;
/// Newer clients may OR this "client certificate" bit into their ENCRYPTION byte; the sandbox
/// has no client-certificate authentication, so only the base value matters.
const ENCRYPT_CLIENT_CERT: u8 = 0x80;

/// PRELOGIN encryption setting. Note that `Off` means "encrypt the login packet only".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    Off,
    On,
    NotSupported,
    Required,
}

impl Encryption {
    fn from_byte(byte: u8) -> Result<Self, ProtocolError> {
        match byte & !ENCRYPT_CLIENT_CERT {
            0 => Ok(Self::Off),
            1 => Ok(Self::On),
            2 => Ok(Self::NotSupported),
            3 => Ok(Self::Required),
            other => Err(ProtocolError::malformed("PRELOGIN", format!("unknown ENCRYPTION value {other}"))),
        }
    }

    #[must_use]
    pub fn to_byte(self) -> u8 {
        match self {
            Self::Off => 0,
            Self::On => 1,
            Self::NotSupported => 2,
            Self::Required => 3,
        }
    }
}

/// What the client announced; absent options are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreLogin {
    /// Client library version: major, minor, build (BE u16), sub-build (BE u16).
    pub version: Option<[u8; 6]>,
    pub encryption: Option<Encryption>,
    /// Instance name the client asked for (empty for the default instance).
    pub instance: Option<String>,
    pub thread_id: Option<u32>,
    pub mars: Option<bool>,
}

pub fn parse_prelogin(payload: &[u8]) -> Result<PreLogin, ProtocolError> {
    let mut table = Reader::new(payload, "PRELOGIN");
    let mut out = PreLogin::default();
    loop {
        let token = table.u8()?;
        if token == TERMINATOR {
            return Ok(out);
        }
        let offset = usize::from(table.u16_be()?);
        let len = usize::from(table.u16_be()?);
        let data = payload.get(offset..offset + len).ok_or_else(|| {
            ProtocolError::malformed(
                "PRELOGIN",
                format!("option 0x{token:02X} data {offset}+{len} beyond payload of {} bytes", payload.len()),
            )
        })?;
        let mut data = Reader::new(data, "PRELOGIN option");
        match token {
            VERSION => out.version = Some(data.array()?),
            ENCRYPTION => out.encryption = Some(Encryption::from_byte(data.u8()?)?),
            INSTOPT => {
                let bytes = data.take(len)?;
                let name = bytes.split(|&b| b == 0).next().unwrap_or_default();
                // Instance names are ASCII in practice; Latin-1 never fails.
                out.instance = Some(name.iter().map(|&b| char::from(b)).collect());
            }
            // Debugging aid only; clients may send it empty.
            THREADID if len >= 4 => out.thread_id = Some(u32::from_le_bytes(data.array()?)),
            MARS => out.mars = Some(data.u8()? != 0),
            // TRACEID, FEDAUTHREQUIRED, NONCEOPT and future options do not concern a sandbox.
            _ => {}
        }
    }
}

/// The server's PRELOGIN answer (sent as a message of type 0x04).
#[must_use]
pub fn encode_prelogin_response(encryption: Encryption) -> Vec<u8> {
    let [build_hi, build_lo] = SERVER_VERSION_BUILD.to_be_bytes();
    let options: [(u8, &[u8]); 5] = [
        (VERSION, &[SERVER_VERSION_MAJOR, SERVER_VERSION_MINOR, build_hi, build_lo, 0, 0]),
        (ENCRYPTION, &[encryption.to_byte()]),
        (INSTOPT, &[0]),
        (THREADID, &[]),
        (MARS, &[0]),
    ];
    let table_len = options.len() * 5 + 1;
    let mut table = Vec::with_capacity(table_len);
    let mut data = Vec::new();
    for (token, bytes) in options {
        table.push(token);
        table.extend(((table_len + data.len()) as u16).to_be_bytes());
        table.extend((bytes.len() as u16).to_be_bytes());
        data.extend_from_slice(bytes);
    }
    table.push(TERMINATOR);
    table.extend(data);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_sample() {
        // MS-TDS 4.1 sample payload (after the packet header).
        let payload = [
            0x00, 0x00, 0x1A, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x21, 0x00, 0x01, 0x03, 0x00, 0x22,
            0x00, 0x04, 0x04, 0x00, 0x26, 0x00, 0x01, 0xFF, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0xB8, 0x0D,
            0x00, 0x00, 0x01,
        ];
        let p = parse_prelogin(&payload).unwrap();
        assert_eq!(p.version, Some([9, 0, 0, 0, 0, 0]));
        assert_eq!(p.encryption, Some(Encryption::On));
        assert_eq!(p.instance.as_deref(), Some(""));
        assert_eq!(p.thread_id, Some(0x0DB8));
        assert_eq!(p.mars, Some(true));
    }

    #[test]
    fn skips_unknown_options_and_reads_instance_names() {
        let payload = [
            0x01, 0x00, 0x10, 0x00, 0x01, // ENCRYPTION
            0x02, 0x00, 0x11, 0x00, 0x04, // INSTOPT
            0x06, 0x00, 0x15, 0x00, 0x01, // FEDAUTHREQUIRED
            0xFF, 0x82, b'S', b'Q', b'L', 0x00, 0x01,
        ];
        let p = parse_prelogin(&payload).unwrap();
        assert_eq!(p.encryption, Some(Encryption::NotSupported), "client-cert bit ignored");
        assert_eq!(p.instance.as_deref(), Some("SQL"));
        assert_eq!((p.version, p.mars), (None, None));
    }

    #[test]
    fn rejects_bad_tables() {
        assert!(parse_prelogin(&[]).is_err(), "no terminator");
        assert!(parse_prelogin(&[0x00, 0x00, 0x06, 0x00]).is_err(), "truncated entry");
        assert!(parse_prelogin(&[0x00, 0x00, 0x06, 0x00, 0x06, 0xFF]).is_err(), "data out of bounds");
        assert!(parse_prelogin(&[0x01, 0x00, 0x06, 0x00, 0x01, 0xFF, 0x07]).is_err(), "bad value");
        assert!(parse_prelogin(&[0x00, 0x00, 0x06, 0x00, 0x01, 0xFF, 0x09]).is_err(), "short VERSION");
    }

    #[test]
    fn response_layout() {
        let r = encode_prelogin_response(Encryption::NotSupported);
        #[rustfmt::skip]
        let expected = [
            0x00, 0x00, 0x1A, 0x00, 0x06,
            0x01, 0x00, 0x20, 0x00, 0x01,
            0x02, 0x00, 0x21, 0x00, 0x01,
            0x03, 0x00, 0x22, 0x00, 0x00,
            0x04, 0x00, 0x22, 0x00, 0x01,
            0xFF,
            0x0F, 0x00, 0x07, 0xD0, 0x00, 0x00,
            0x02,
            0x00,
            0x00,
        ];
        assert_eq!(r, expected);
        let back = parse_prelogin(&r).unwrap();
        assert_eq!(back.encryption, Some(Encryption::NotSupported));
        assert_eq!(back.thread_id, None);
        assert_eq!(back.mars, Some(false));
        assert_eq!(Encryption::Required.to_byte(), 3);
        assert_eq!(Encryption::Off.to_byte(), 0);
    }
}
