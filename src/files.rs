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
    }
}
