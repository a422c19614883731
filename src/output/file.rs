//! `-o FILE`: exports appear whole or not at all.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file written under a temporary name beside its target (`.NAME.tmp-<pid>`, same directory so
/// the rename stays on one file system) and renamed over the target by [`commit`](Self::commit).
/// Dropped without a commit — an error, a closed pipe, Ctrl-C unwinding — it removes the
/// temporary file and leaves any previous target untouched.
#[derive(Debug)]
pub struct AtomicFile {
    /// `None` once closed by `commit`.
    file: Option<File>,
    temp: PathBuf,
    target: PathBuf,
}

impl AtomicFile {
    pub fn create(target: &Path) -> io::Result<Self> {
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} : ce n'est pas un nom de fichier", target.display()),
            )
        })?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".tmp-{}", std::process::id()));
        let temp = target.with_file_name(temp_name);
        let file = OpenOptions::new().write(true).create(true).truncate(true).open(&temp)?;
        Ok(Self { file: Some(file), temp, target: target.to_path_buf() })
    }

    /// Makes the content durable, then puts it in place of the target in one step.
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file.take().expect("open until commit");
        file.sync_all()?;
        // Windows refuses to rename a file that is still open.
        drop(file);
        fs::rename(&self.temp, &self.target)?;
        // Renamed: nothing is left for Drop to remove.
        self.temp = PathBuf::new();
        Ok(())
    }

    fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("open until commit")
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file().flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.temp.as_os_str().is_empty() {
            return;
        }
        drop(self.file.take());
        // Best effort: the run is already failing with a better error than this one.
        let _ = fs::remove_file(&self.temp);
    }
}

/// Where data goes: stdout, or with `-o FILE` an [`AtomicFile`].
#[derive(Debug)]
pub enum Destination {
    Stdout(io::Stdout),
    File(AtomicFile),
}

impl Destination {
    /// Stdout for `None`; creates the temporary file beside `path` otherwise.
    pub fn open(path: Option<&Path>) -> io::Result<Self> {
        Ok(match path {
            None => Destination::Stdout(io::stdout()),
            Some(path) => Destination::File(AtomicFile::create(path)?),
        })
    }

    /// Call once all output succeeded: flushes stdout, or puts the file in place.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut stdout) => stdout.flush(),
            Destination::File(file) => file.commit(),
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(stdout) => stdout.write(buf),
            Destination::File(file) => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Destination::Stdout(stdout) => stdout.write_all(buf),
            Destination::File(file) => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(stdout) => stdout.flush(),
            Destination::File(file) => file.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    #[test]
    fn commit_replaces_the_target_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("devis.csv");
        fs::write(&target, "ancien").unwrap();

        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"nouveau").unwrap();
        let temp = format!(".devis.csv.tmp-{}", std::process::id());
        assert_eq!(entries(dir.path()), vec![temp, "devis.csv".to_owned()]);
        assert_eq!(fs::read_to_string(&target).unwrap(), "ancien", "untouched until commit");

        file.commit().unwrap();
        assert_eq!(entries(dir.path()), vec!["devis.csv".to_owned()]);
        assert_eq!(fs::read_to_string(&target).unwrap(), "nouveau");
    }

    #[test]
    fn drop_without_commit_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("factures.json");
        let existing = dir.path().join("devis.csv");
        fs::write(&existing, "ancien").unwrap();

        for target in [&fresh, &existing] {
            let mut file = AtomicFile::create(target).unwrap();
            file.write_all(b"{\"tronque").unwrap();
            drop(file);
        }
        assert_eq!(entries(dir.path()), vec!["devis.csv".to_owned()]);
        assert_eq!(fs::read_to_string(&existing).unwrap(), "ancien");
    }

    #[test]
    fn a_failed_run_through_a_destination_keeps_the_previous_export() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export.csv");
        fs::write(&target, "ancien").unwrap();
        let result: io::Result<()> = (|| {
            let mut destination = Destination::open(Some(&target))?;
            destination.write_all(b"moitie")?;
            Err(io::Error::other("la requête a échoué"))
        })();
        assert!(result.is_err());
        assert_eq!(entries(dir.path()), vec!["export.csv".to_owned()]);
        assert_eq!(fs::read_to_string(&target).unwrap(), "ancien");

        let mut destination = Destination::open(Some(&target)).unwrap();
        destination.write_all(b"complet").unwrap();
        destination.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "complet");
    }

    #[test]
    fn a_directory_is_not_a_file_name() {
        let error = AtomicFile::create(Path::new("/tmp/..")).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }
}
