//! Reading the small files users name — the configuration, a schema mapping, a CA certificate, a
//! letter template: regular files only (a FIFO would wait for a writer, `/dev/zero` never ends),
//! and at most [`LIMIT`] bytes, with the reason of a refusal in French.

use std::io::{self, Read};
use std::path::Path;

/// The largest file read: far more than any configuration, mapping, certificate or template.
pub const LIMIT: u64 = 4 << 20;

/// The bytes of `path`, a regular file (symbolic links followed) of at most [`LIMIT`] bytes.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    // Looked at before opening: opening a FIFO would block until someone writes to it.
    let metadata = std::fs::metadata(path)?;
    if metadata.is_dir() {
        return Err(io::ErrorKind::IsADirectory.into());
    }
    if !metadata.is_file() {
        return Err(io::Error::other("ce n'est pas un fichier ordinaire (tube, périphérique…)"));
    }
    if metadata.len() > LIMIT {
        return Err(io::Error::other(format!("fichier trop gros ({} octets, {LIMIT} au plus)", metadata.len())));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(LIMIT).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of `path`, as [`read`], in UTF-8.
pub fn read_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "le fichier n'est pas en UTF-8"))
}

/// The certificates of a PEM file read as [`read`]: every block must be a readable certificate,
/// and there must be one at least. The refusal is in French (a server certificate, a CA a channel
/// trusts).
pub fn pem_certificates(path: &Path) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let bytes = read(path).map_err(|e| reason(&e))?;
    let certificates: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&bytes).collect::<Result<_, _>>().map_err(|_| "PEM illisible".to_owned())?;
    if certificates.is_empty() {
        return Err("aucun certificat PEM dedans".to_owned());
    }
    Ok(certificates)
}

/// A refusal as users read it: `fichier introuvable`, `lecture interdite`…
pub fn reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "fichier introuvable".to_owned(),
        io::ErrorKind::PermissionDenied => "lecture interdite".to_owned(),
        io::ErrorKind::IsADirectory => "c'est un dossier".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.toml");
        std::fs::write(&file, "a = 1").unwrap();
        assert_eq!(read_text(&file).unwrap(), "a = 1");
        assert_eq!(reason(&read(dir.path()).unwrap_err()), "c'est un dossier");
        assert!(reason(&read(Path::new("/dev/zero")).unwrap_err()).contains("pas un fichier ordinaire"));
        assert_eq!(reason(&read(&dir.path().join("absent")).unwrap_err()), "fichier introuvable");
        assert_eq!(pem_certificates(&file).unwrap_err(), "aucun certificat PEM dedans");
        std::fs::write(&file, "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n").unwrap();
        assert_eq!(pem_certificates(&file).unwrap_err(), "PEM illisible");
    }
}
