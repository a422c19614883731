//! The server side of NTLMv2 (MS-NLMP) inside TDS's SSPI exchange: read NEGOTIATE, answer with a
//! CHALLENGE, verify the client's AUTHENTICATE as a domain controller would.
//!
//! NTOWFv2 = HMAC-MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPERCASE(user) || domain)) and
//! NTProofStr = HMAC-MD5(NTOWFv2, server challenge || blob) (MS-NLMP 3.3.2), with the RustCrypto
//! `md4`, `md-5` and `hmac` crates. The password and the hashes never leave this module.

use hmac::Mac;
use md4::{Digest, Md4};

type HmacMd5 = hmac::Hmac<md5::Md5>;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const NEGOTIATE: u32 = 1;
const CHALLENGE: u32 = 2;
const AUTHENTICATE: u32 = 3;

const UNICODE: u32 = 0x0000_0001;
const REQUEST_TARGET: u32 = 0x0000_0004;
const NTLM: u32 = 0x0000_0200;
const ALWAYS_SIGN: u32 = 0x0000_8000;
const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
const EXTENDED_SESSION_SECURITY: u32 = 0x0008_0000;
const TARGET_INFO: u32 = 0x0080_0000;
const VERSION: u32 = 0x0200_0000;
const KEY_128: u32 = 0x2000_0000;
const KEY_56: u32 = 0x8000_0000;

/// Why an NTLM exchange failed; none of them says anything about the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NtlmError {
    #[error("NTLM message malformed: {0}")]
    Malformed(&'static str),
    #[error("NTLMv1 or LM response refused: only NTLMv2 is accepted")]
    NotV2,
    #[error("unknown user or wrong password")]
    Refused,
}

/// One login's server state: the challenge sent, to check the response against.
pub struct Exchange {
    challenge: [u8; 8],
}

/// The account the sandbox accepts, `DOMAIN\user` as a Windows administrator writes it.
#[derive(Clone)]
pub struct Account {
    pub domain: String,
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\\{} (mot de passe masqué)", self.domain, self.user)
    }
}

impl Account {
    /// `DOMAIN\user`; `None` without a backslash.
    pub fn parse(qualified: &str, password: String) -> Option<Self> {
        let (domain, user) = qualified.split_once('\\')?;
        (!domain.is_empty() && !user.is_empty()).then(|| Self {
            domain: domain.to_owned(),
            user: user.to_owned(),
            password,
        })
    }

    pub fn qualified(&self) -> String {
        format!("{}\\{}", self.domain, self.user)
    }
}

impl Exchange {
    /// Checks the client's NEGOTIATE and builds the CHALLENGE answering it. `timestamp` is a
    /// Windows FILETIME (100 ns since 1601), `challenge` 8 random bytes.
    pub fn start(
        negotiate: &[u8],
        account: &Account,
        challenge: [u8; 8],
        timestamp: u64,
    ) -> Result<(Self, Vec<u8>), NtlmError> {
        if negotiate.len() < 16 || &negotiate[..8] != SIGNATURE || u32_at(negotiate, 8) != NEGOTIATE {
            return Err(NtlmError::Malformed("NEGOTIATE expected"));
        }
        let flags = UNICODE
            | REQUEST_TARGET
            | NTLM
            | ALWAYS_SIGN
            | TARGET_TYPE_DOMAIN
            | EXTENDED_SESSION_SECURITY
            | TARGET_INFO
            | VERSION
            | KEY_128
            | KEY_56;
        let target_name = utf16(&account.domain.to_uppercase());
        let mut info = Vec::new();
        av_pair(&mut info, 2, &utf16(&account.domain.to_uppercase())); // MsvAvNbDomainName
        av_pair(&mut info, 1, &utf16("SANDBOX")); // MsvAvNbComputerName
        av_pair(&mut info, 4, &utf16(&format!("{}.local", account.domain.to_lowercase()))); // MsvAvDnsDomainName
        av_pair(&mut info, 3, &utf16(&format!("sandbox.{}.local", account.domain.to_lowercase()))); // MsvAvDnsComputerName
        av_pair(&mut info, 7, &timestamp.to_le_bytes()); // MsvAvTimestamp
        av_pair(&mut info, 0, &[]); // MsvAvEOL

        let header_len = 56u32;
        let mut out = Vec::with_capacity(56 + target_name.len() + info.len());
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&CHALLENGE.to_le_bytes());
        fields(&mut out, target_name.len(), header_len);
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&challenge);
        out.extend_from_slice(&[0; 8]);
        fields(&mut out, info.len(), header_len + target_name.len() as u32);
        // Version: 10.0 build 20348 (Windows Server 2022), NTLMSSP revision 15.
        out.extend_from_slice(&[10, 0, 0x7C, 0x4F, 0, 0, 0, 15]);
        out.extend_from_slice(&target_name);
        out.extend_from_slice(&info);
        Ok((Self { challenge }, out))
    }

    /// Verifies AUTHENTICATE; on success, the `DOMAIN\user` the client logged in as.
    pub fn finish(&self, authenticate: &[u8], account: &Account) -> Result<String, NtlmError> {
        if authenticate.len() < 64 || &authenticate[..8] != SIGNATURE || u32_at(authenticate, 8) != AUTHENTICATE {
            return Err(NtlmError::Malformed("AUTHENTICATE expected"));
        }
        let nt_response = field(authenticate, 20)?;
        let domain = text(field(authenticate, 28)?)?;
        let user = text(field(authenticate, 36)?)?;
        if nt_response.len() <= 24 {
            return Err(NtlmError::NotV2);
        }
        // Windows compares account names without regard to case.
        if !user.eq_ignore_ascii_case(&account.user) || !domain.eq_ignore_ascii_case(&account.domain) {
            return Err(NtlmError::Refused);
        }
        let (proof, blob) = nt_response.split_at(16);
        let nt_hash = Md4::digest(utf16(&account.password));
        let mut owf = HmacMd5::new_from_slice(&nt_hash).map_err(|_| NtlmError::Refused)?;
        owf.update(&utf16(&user.to_uppercase()));
        owf.update(&utf16(&domain));
        let ntowf_v2 = owf.finalize().into_bytes();
        let mut mac = HmacMd5::new_from_slice(&ntowf_v2).map_err(|_| NtlmError::Refused)?;
        mac.update(&self.challenge);
        mac.update(blob);
        // Constant-time comparison.
        mac.verify_slice(proof).map_err(|_| NtlmError::Refused)?;
        Ok(format!("{domain}\\{user}"))
    }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The payload a (len, maxlen, offset) triple at `at` points to.
fn field(message: &[u8], at: usize) -> Result<&[u8], NtlmError> {
    let len = usize::from(u16::from_le_bytes([message[at], message[at + 1]]));
    let offset = u32_at(message, at + 4) as usize;
    message.get(offset..offset + len).ok_or(NtlmError::Malformed("field beyond the message"))
}

fn text(bytes: &[u8]) -> Result<String, NtlmError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(NtlmError::Malformed("odd UTF-16 length"));
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).collect();
    String::from_utf16(&units).map_err(|_| NtlmError::Malformed("invalid UTF-16"))
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn fields(out: &mut Vec<u8>, len: usize, offset: u32) {
    let len = len as u16;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
}

fn av_pair(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MS-NLMP 4.2.4.1.1: NTOWFv2("Password", "User", "Domain") = 0c868a403bfd7a93a3001ef22ef02e3f.
    #[test]
    fn ntowf_v2_matches_the_specification_example() {
        let nt_hash = Md4::digest(utf16("Password"));
        let mut owf = HmacMd5::new_from_slice(&nt_hash).expect("key");
        owf.update(&utf16(&"User".to_uppercase()));
        owf.update(&utf16("Domain"));
        let expected = [0x0c, 0x86, 0x8a, 0x40, 0x3b, 0xfd, 0x7a, 0x93, 0xa3, 0x00, 0x1e, 0xf2, 0x2e, 0xf0, 0x2e, 0x3f];
        assert_eq!(owf.finalize().into_bytes().as_slice(), expected);
    }

    #[test]
    fn accounts_need_a_domain() {
        assert!(Account::parse("JLM\\compta", "x".to_owned()).is_some());
        assert!(Account::parse("compta", "x".to_owned()).is_none());
        assert!(
            !format!("{:?}", Account::parse("JLM\\compta", "secret".to_owned()).expect("account")).contains("secret")
        );
    }
}
