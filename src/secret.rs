//! A secret value (a password, a token) that never shows in a log, an error or a debug print.

use std::fmt;

use zeroize::Zeroize;

/// A password. Printing it, by `{}` or `{:?}`, shows `***`; its memory is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The password itself, for the one place that needs it: the login packet and the keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The system's random generator failed (exit 1: nothing the user can do about it).
#[derive(Debug, thiserror::Error)]
#[error("générateur aléatoire indisponible")]
pub struct RandomUnavailable;

/// `N` random bytes from the TLS library's generator, as lowercase hex: tokens, delivery ids.
pub fn random_hex<const N: usize>() -> Result<String, RandomUnavailable> {
    let mut bytes = [0_u8; N];
    rustls::crypto::aws_lc_rs::default_provider().secure_random.fill(&mut bytes).map_err(|_| RandomUnavailable)?;
    Ok(hex(&bytes))
}

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut hex, b| {
        use std::fmt::Write;
        let _ = write!(hex, "{b:02x}");
        hex
    })
}
