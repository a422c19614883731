//! The server side of NTLMv2 (MS-NLMP) inside TDS's SSPI exchange: read NEGOTIATE, answer with a
//! CHALLENGE, verify the client's AUTHENTICATE as a Windows server and its domain controller would.
//!
//! NTOWFv2 = HMAC-MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPERCASE(user) || domain)) and
//! NTProofStr = HMAC-MD5(NTOWFv2, server challenge || blob) (MS-NLMP 3.3.2); when the client says it
//! sent a MIC, the MIC is checked too (3.2.5.1.2): HMAC-MD5 under the exported session key over the
//! three messages. RustCrypto's `md4`, `md-5`, `hmac` and `rc4` crates do the cryptography. The
//! password, the hashes and the keys never leave this module.

use hmac::Mac;
use md4::{Digest, Md4};

type HmacMd5 = hmac::Hmac<md5::Md5>;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const NEGOTIATE: u32 = 1;
const CHALLENGE: u32 = 2;
const AUTHENTICATE: u32 = 3;

// NegotiateFlags (MS-NLMP 2.2.2.5).
const UNICODE: u32 = 0x0000_0001;
const OEM: u32 = 0x0000_0002;
const REQUEST_TARGET: u32 = 0x0000_0004;
const SIGN: u32 = 0x0000_0010;
const SEAL: u32 = 0x0000_0020;
const NTLM: u32 = 0x0000_0200;
const ALWAYS_SIGN: u32 = 0x0000_8000;
const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
const EXTENDED_SESSION_SECURITY: u32 = 0x0008_0000;
const TARGET_INFO: u32 = 0x0080_0000;
const VERSION: u32 = 0x0200_0000;
const KEY_128: u32 = 0x2000_0000;
const KEY_EXCH: u32 = 0x4000_0000;
const KEY_56: u32 = 0x8000_0000;

/// The capabilities a Windows server grants when the client asks for them, and only then
/// (MS-NLMP 2.2.2.5: « If the client sends NTLMSSP_NEGOTIATE_SEAL …, the server MUST return
/// NTLMSSP_NEGOTIATE_SEAL »; likewise SIGN, 56, 128, KEY_EXCH). Windows' NTLM clients refuse a
/// CHALLENGE that drops one they asked for: the winauth crate (tiberius-ng's `--auth windows` on
/// Windows) wants SEAL, KEY_EXCH, 128, ALWAYS_SIGN and extended session security; Samba's client
/// (Wine's NTLM) calls a missing SIGN or SEAL a downgrade. LM_KEY is never granted: NTLMv2 only.
const GRANTED_ON_REQUEST: u32 = SIGN | SEAL | ALWAYS_SIGN | EXTENDED_SESSION_SECURITY | KEY_128 | KEY_EXCH | KEY_56;

/// AUTHENTICATE: where the MIC sits (after the 8-byte Version), and the blob's MsvAvFlags bit
/// saying it was sent (MS-NLMP 2.2.2.1).
const MIC_AT: usize = 72;
const MIC_LEN: usize = 16;
const AV_FLAGS_MIC: u32 = 0x0000_0002;
/// In the NTLMv2 response: NTProofStr (16), then the blob's fixed part (28) before its AV pairs.
const RESPONSE_AV_PAIRS_AT: usize = 16 + 28;

/// Why an NTLM exchange failed; none of them says anything about the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NtlmError {
    #[error("NTLM message malformed: {0}")]
    Malformed(&'static str),
    #[error("NTLMv1 or LM response refused: only NTLMv2 is accepted")]
    NotV2,
    #[error("no Windows account {0} in this domain")]
    UnknownAccount(String),
    #[error("wrong password for {0}")]
    WrongPassword(String),
    #[error("message integrity code (MIC) of {0} does not match the exchange")]
    BadMic(String),
    #[error("this server has no Windows account (sandbox started without --windows-user)")]
    NoAccount,
}

/// One login's server state: the messages exchanged so far and what was negotiated, to check the
/// AUTHENTICATE against.
pub struct Exchange {
    challenge: [u8; 8],
    /// The NEGOTIATE's flags, then the CHALLENGE's.
    client_flags: u32,
    flags: u32,
    negotiate: Vec<u8>,
    challenge_message: Vec<u8>,
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
    #[must_use]
    pub fn parse(qualified: &str, password: String) -> Option<Self> {
        let (domain, user) = qualified.split_once('\\')?;
        (!domain.is_empty() && !user.is_empty()).then(|| Self {
            domain: domain.to_owned(),
            user: user.to_owned(),
            password,
        })
    }
}

/// The CHALLENGE's flags for a client's NEGOTIATE flags, as a Windows server sets them (MS-NLMP
/// 3.2.5.1.1): the client's character set, REQUEST_TARGET echoed, a domain as target name, NTLM
/// with target info for NTLMv2, the server's version, and each capability the client asked for
/// that the server has.
fn challenge_flags(client: u32) -> u32 {
    let charset = if client & UNICODE != 0 { UNICODE } else { OEM };
    charset
        | (client & REQUEST_TARGET)
        | TARGET_TYPE_DOMAIN
        | NTLM
        | TARGET_INFO
        | VERSION
        | (client & GRANTED_ON_REQUEST)
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
        let client_flags = u32_at(negotiate, 12);
        let flags = challenge_flags(client_flags);
        let unicode = flags & UNICODE != 0;
        let domain = account.domain.to_uppercase();
        // Sent even unasked, as Windows does: the winauth client never asks for it and cannot read
        // a CHALLENGE without it.
        let target_name = encode(&domain, unicode);
        // The target information is always UTF-16 (MS-NLMP 2.2.2.1).
        let mut info = Vec::new();
        av_pair(&mut info, 2, &utf16(&domain)); // MsvAvNbDomainName
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
        let exchange =
            Self { challenge, client_flags, flags, negotiate: negotiate.to_vec(), challenge_message: out.clone() };
        Ok((exchange, out))
    }

    /// What the client asked for and what the CHALLENGE granted, for the log.
    #[must_use]
    pub fn flags(&self) -> (u32, u32) {
        (self.client_flags, self.flags)
    }

    /// Verifies AUTHENTICATE; on success, the `DOMAIN\user` the client logged in as.
    pub fn finish(&self, authenticate: &[u8], account: &Account) -> Result<String, NtlmError> {
        if authenticate.len() < 64 || &authenticate[..8] != SIGNATURE || u32_at(authenticate, 8) != AUTHENTICATE {
            return Err(NtlmError::Malformed("AUTHENTICATE expected"));
        }
        let unicode = self.flags & UNICODE != 0;
        let nt_response = field(authenticate, 20)?;
        let domain = decode(field(authenticate, 28)?, unicode)?;
        let user = decode(field(authenticate, 36)?, unicode)?;
        if nt_response.len() <= 24 {
            return Err(NtlmError::NotV2);
        }
        let qualified = format!("{domain}\\{user}");
        // Windows compares account names without regard to case.
        if !user.eq_ignore_ascii_case(&account.user) || !domain.eq_ignore_ascii_case(&account.domain) {
            return Err(NtlmError::UnknownAccount(qualified));
        }
        let (proof, blob) = nt_response.split_at(16);
        let nt_hash = Md4::digest(utf16(&account.password));
        let mut owf = hmac_md5(&nt_hash);
        owf.update(&utf16(&user.to_uppercase()));
        owf.update(&utf16(&domain));
        let ntowf_v2 = owf.finalize().into_bytes();
        let mut mac = hmac_md5(&ntowf_v2);
        mac.update(&self.challenge);
        mac.update(blob);
        // Constant-time comparison.
        mac.verify_slice(proof).map_err(|_| NtlmError::WrongPassword(qualified.clone()))?;

        if mic_sent(nt_response) {
            self.check_mic(authenticate, &ntowf_v2, proof).map_err(|()| NtlmError::BadMic(qualified.clone()))?;
        }
        Ok(qualified)
    }

    /// MIC = HMAC-MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE with a zero MIC),
    /// where SessionBaseKey = HMAC-MD5(NTOWFv2, NTProofStr) is the key exchange key, and the
    /// exported key is the client's random key it encrypts under it (RC4) when KEY_EXCH was agreed.
    fn check_mic(&self, authenticate: &[u8], ntowf_v2: &[u8], proof: &[u8]) -> Result<(), ()> {
        let mic = authenticate.get(MIC_AT..MIC_AT + MIC_LEN).ok_or(())?;
        let mut base = hmac_md5(ntowf_v2);
        base.update(proof);
        let mut session_key: [u8; 16] = base.finalize().into_bytes().into();
        let agreed = self.flags & u32_at(authenticate, 60);
        let encrypted_key = field(authenticate, 52).map_err(|_| ())?;
        if agreed & KEY_EXCH != 0 && encrypted_key.len() == 16 {
            use rc4::{KeyInit, StreamCipher};
            let mut exported: [u8; 16] = encrypted_key.try_into().map_err(|_| ())?;
            rc4::Rc4::<rc4::consts::U16>::new(&session_key.into()).apply_keystream(&mut exported);
            session_key = exported;
        }
        let mut zeroed = authenticate.to_vec();
        zeroed[MIC_AT..MIC_AT + MIC_LEN].fill(0);
        let mut expected = hmac_md5(&session_key);
        expected.update(&self.negotiate);
        expected.update(&self.challenge_message);
        expected.update(&zeroed);
        expected.verify_slice(mic).map_err(|_| ())
    }
}

fn hmac_md5(key: &[u8]) -> HmacMd5 {
    // HMAC takes keys of any length.
    HmacMd5::new_from_slice(key).expect("HMAC-MD5 key")
}

/// Whether the NTLMv2 response's AV pairs say a MIC was sent (MsvAvFlags bit 0x2).
fn mic_sent(nt_response: &[u8]) -> bool {
    let mut at = RESPONSE_AV_PAIRS_AT;
    while let Some(header) = nt_response.get(at..at + 4) {
        let id = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let Some(value) = nt_response.get(at + 4..at + 4 + len) else { return false };
        match id {
            0 => return false,
            6 if len == 4 => return u32_at(value, 0) & AV_FLAGS_MIC != 0,
            _ => at += 4 + len,
        }
    }
    false
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

/// A name in the agreed character set: UTF-16LE, or the OEM code page (ASCII for the names a
/// domain has).
fn decode(bytes: &[u8], unicode: bool) -> Result<String, NtlmError> {
    if !unicode {
        return String::from_utf8(bytes.to_vec()).map_err(|_| NtlmError::Malformed("name not in the OEM code page"));
    }
    if !bytes.len().is_multiple_of(2) {
        return Err(NtlmError::Malformed("odd UTF-16 length"));
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).collect();
    String::from_utf16(&units).map_err(|_| NtlmError::Malformed("invalid UTF-16"))
}

fn encode(text: &str, unicode: bool) -> Vec<u8> {
    if unicode { utf16(text) } else { text.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }).collect() }
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
    use winauth::NextBytes;

    const PASSWORD: &str = "Compta!Windows-2026";

    fn account() -> Account {
        Account::parse("JLM\\compta", PASSWORD.to_owned()).expect("account")
    }

    /// MS-NLMP 4.2.4.1.1: NTOWFv2("Password", "User", "Domain") = 0c868a403bfd7a93a3001ef22ef02e3f.
    #[test]
    fn ntowf_v2_matches_the_specification_example() {
        let nt_hash = Md4::digest(utf16("Password"));
        let mut owf = hmac_md5(&nt_hash);
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

    /// MS-NLMP 2.2.2.5: what the client asks for among SIGN, SEAL, 56, 128 and KEY_EXCH comes back;
    /// what it does not ask for does not.
    #[test]
    fn the_challenge_grants_what_the_client_asks_for_and_nothing_more() {
        // Samba's client wanting signing and sealing (ntlm_auth, as Wine drives it): 0x62088235.
        let samba = 0x6208_8235;
        assert_eq!(challenge_flags(samba), 0x6289_8235 | TARGET_TYPE_DOMAIN);
        let bare = UNICODE | REQUEST_TARGET | NTLM | EXTENDED_SESSION_SECURITY;
        let flags = challenge_flags(bare);
        assert_eq!(flags & (SIGN | SEAL | KEY_EXCH | KEY_128 | KEY_56 | ALWAYS_SIGN), 0, "{flags:#010x}");
        assert_ne!(flags & TARGET_INFO, 0, "NTLMv2 needs the target information");
        // An OEM-only client gets OEM; REQUEST_TARGET only comes back when asked.
        assert_eq!(challenge_flags(OEM | NTLM) & (UNICODE | OEM | REQUEST_TARGET), OEM);
    }

    fn start(negotiate: &[u8]) -> (Exchange, Vec<u8>) {
        Exchange::start(negotiate, &account(), [1, 2, 3, 4, 5, 6, 7, 8], 0x01DC_5F00_0000_0000).expect("CHALLENGE")
    }

    /// The NTLMv2 client tiberius-ng runs on Windows for `--auth windows` (the winauth crate) refuses
    /// a CHALLENGE without SEAL, KEY_EXCH, 128, ALWAYS_SIGN and extended session security, then
    /// sends a MIC under a key exchanged with RC4: all of it is checked here.
    #[test]
    fn windows_ntlm_client_logs_in_and_its_mic_is_verified() {
        let login = |password: &str| {
            let mut client = winauth::NtlmV2ClientBuilder::new().target_spn("MSSQLSvc/127.0.0.1:1433").build(
                Some("JLM"),
                "compta",
                password.to_owned(),
            );
            let negotiate = client.next_bytes(None).expect("NEGOTIATE").expect("a token");
            let (exchange, challenge) = start(&negotiate);
            let authenticate = client.next_bytes(Some(&challenge)).expect("the client accepts the CHALLENGE");
            (exchange, authenticate.expect("AUTHENTICATE"))
        };
        let (exchange, authenticate) = login(PASSWORD);
        assert_ne!(exchange.flags & KEY_EXCH, 0);
        assert!(mic_sent(field(&authenticate, 20).expect("NT response")), "winauth sends a MIC");
        assert_eq!(exchange.finish(&authenticate, &account()), Ok("JLM\\compta".to_owned()));

        let mut tampered = authenticate.clone();
        tampered[MIC_AT] ^= 1;
        assert_eq!(exchange.finish(&tampered, &account()), Err(NtlmError::BadMic("JLM\\compta".to_owned())));

        let (exchange, authenticate) = login("pas le bon");
        assert_eq!(exchange.finish(&authenticate, &account()), Err(NtlmError::WrongPassword("JLM\\compta".to_owned())));
    }

    /// Without the flags a Windows server grants, the Windows client gives up before answering:
    /// what the Windows binary met against the sandbox before (issue 25).
    #[test]
    fn windows_ntlm_client_refuses_a_challenge_without_seal_and_key_exchange() {
        let mut client = winauth::NtlmV2ClientBuilder::new().build(Some("JLM"), "compta", PASSWORD.to_owned());
        let negotiate = client.next_bytes(None).expect("NEGOTIATE").expect("a token");
        let (_, mut challenge) = start(&negotiate);
        let flags = u32_at(&challenge, 20) & !(SEAL | KEY_EXCH);
        challenge[20..24].copy_from_slice(&flags.to_le_bytes());
        let refused = client.next_bytes(Some(&challenge)).expect_err("refused");
        assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    }

    #[test]
    fn unknown_accounts_and_domains_are_refused_by_name_only() {
        for (domain, user) in [(Some("JLM"), "direction"), (Some("AUTRE"), "compta"), (None, "compta")] {
            let mut client = winauth::NtlmV2ClientBuilder::new().build(domain, user, PASSWORD.to_owned());
            let (exchange, challenge) = start(&client.next_bytes(None).expect("NEGOTIATE").expect("a token"));
            let authenticate = client.next_bytes(Some(&challenge)).expect("AUTHENTICATE").expect("a token");
            let refused = exchange.finish(&authenticate, &account()).expect_err("refused");
            assert!(matches!(refused, NtlmError::UnknownAccount(_)), "{refused:?}");
            assert!(!refused.to_string().contains(PASSWORD));
        }
    }
}
