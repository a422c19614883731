//! `-o FILE`, `--html FILE`, `--write FILE`, `--dir DIR`: where results are written.
//!
//! - a regular file, or a path that does not exist yet, is written under a temporary name beside
//!   it and renamed over it only when everything succeeded: a failed run leaves the previous file
//!   as it was and no temporary file behind. The replaced file keeps its mode and owner;
//! - a symbolic link is followed: its target is what gets replaced, the link stays;
//! - anything else (a device such as `/dev/null`, a FIFO, a socket) is opened and written as it
//!   comes, never replaced: it is not ours to replace;
//! - `-` and the process's own standard output (`/dev/stdout`) are standard output.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Symbolic links followed before giving up, as the kernel does (`ELOOP`).
const MAX_LINKS: usize = 40;

/// A file written under a temporary name beside its target (`.NAME.XXXXXX.tmp`, same directory
/// so the rename stays on one file system) and renamed over the target by
/// [`commit`](Self::commit). Dropped without a commit — an error, a closed pipe, Ctrl-C
/// unwinding — it removes the temporary file and leaves any previous target untouched.
#[derive(Debug)]
pub struct AtomicFile {
    temp: NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// `target` must not be a symbolic link (resolve it first): the rename would replace the
    /// link itself. `existing` is the metadata of the file being replaced, if there is one: its
    /// mode and owner are given to the new file before anything is written.
    fn create(target: &Path, existing: Option<&Metadata>) -> io::Result<Self> {
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} : ce n'est pas un nom de fichier", target.display()),
            )
        })?;
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            // A new file gets what `>` would give it (0666 less the umask), not tempfile's 0600.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(dir)?;
        if let Some(existing) = existing {
            keep_owner_and_mode(temp.as_file(), existing, target)?;
        }
        Ok(Self { temp, target: target.to_path_buf() })
    }

    /// Makes the content durable, then puts it in place of the target in one step.
    pub fn commit(self) -> io::Result<()> {
        self.temp.as_file().sync_all()?;
        // Dropped on failure, which removes the temporary file.
        let target = self.target;
        self.temp.persist(&target).map_err(|error| held_open(error.error, &target))?;
        Ok(())
    }
}

/// The replaced file's owner and mode, on the file that replaces it. The owner first: changing
/// it clears set-id bits, which the mode then restores. A file whose owner cannot be kept (it
/// belongs to someone else) is not replaced: the run stops before writing anything.
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, existing: &Metadata, target: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let created = file.metadata()?;
    if (created.uid(), created.gid()) != (existing.uid(), existing.gid()) {
        std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid())).map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "{} appartient à l'utilisateur {} (groupe {}) et ce propriétaire ne peut pas être gardé : {error}",
                    target.display(),
                    existing.uid(),
                    existing.gid()
                ),
            )
        })?;
    }
    file.set_permissions(existing.permissions())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, existing: &Metadata, _target: &Path) -> io::Result<()> {
    file.set_permissions(existing.permissions())
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.temp.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// Where data goes: stdout, a file replaced whole ([`AtomicFile`]), or a device, FIFO or socket
/// written in place.
#[derive(Debug)]
pub enum Destination {
    Stdout(io::Stdout),
    File(AtomicFile),
    /// Not a regular file: written as the data comes, never replaced.
    InPlace(File),
}

impl Destination {
    /// Stdout for `None` or `-`; otherwise see the module documentation. Nothing at `path` is
    /// changed before [`commit`](Self::commit).
    pub fn open(path: Option<&Path>) -> io::Result<Self> {
        let Some(path) = path.filter(|path| path.as_os_str() != "-") else {
            return Ok(Destination::Stdout(io::stdout()));
        };
        Self::open_path(path).map_err(|error| held_open(error, path))
    }

    fn open_path(path: &Path) -> io::Result<Self> {
        // `NUL`, `CON`…: Windows devices, which the file system cannot describe (`fs::metadata`
        // fails on them) and which are not ours to replace.
        if cfg!(windows) && is_windows_device(path) {
            return Ok(Destination::InPlace(OpenOptions::new().write(true).open(path)?));
        }
        match fs::metadata(path) {
            Ok(metadata) if is_stdout(&metadata) => Ok(Destination::Stdout(io::stdout())),
            Ok(metadata) if metadata.is_dir() => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{} est un dossier, pas un fichier", path.display()),
            )),
            Ok(metadata) if metadata.is_file() => {
                // Follows every link, so the rename replaces the file the link points to.
                let target = fs::canonicalize(path)?;
                // Replacing a file one may not write would get around its permissions: refuse
                // as `>` would. Opening without truncation changes nothing.
                drop(OpenOptions::new().write(true).open(&target)?);
                Ok(Destination::File(AtomicFile::create(&target, Some(&metadata))?))
            }
            Ok(_) => Ok(Destination::InPlace(OpenOptions::new().write(true).open(path)?)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                Ok(Destination::File(AtomicFile::create(&dangling_target(path)?, None)?))
            }
            Err(error) => Err(error),
        }
    }

    /// Call once all output succeeded: flushes stdout or the device, or puts the file in place.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut stdout) => stdout.flush(),
            Destination::File(file) => file.commit(),
            Destination::InPlace(mut file) => file.flush(),
        }
    }

    /// Ends the output of a run that failed after writing: a stream keeps what it was given, a
    /// file being replaced stays as it was (the temporary file goes).
    pub fn abandon(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut stdout) => stdout.flush(),
            Destination::File(file) => {
                drop(file);
                Ok(())
            }
            Destination::InPlace(mut file) => file.flush(),
        }
    }
}

/// A file another program holds open: Windows refuses to open it for writing or to replace it
/// (Excel locks every file it shows). The file is left as it was.
#[derive(Debug, thiserror::Error)]
#[error("{} : fichier ouvert dans un autre programme (Excel ?)", path.display())]
pub struct HeldOpen {
    pub path: PathBuf,
}

/// `error`, or a [`HeldOpen`] when it is Windows' sharing or lock violation (os errors 32, 33).
fn held_open(error: io::Error, path: &Path) -> io::Error {
    const SHARING_VIOLATION: i32 = 32;
    const LOCK_VIOLATION: i32 = 33;
    if cfg!(windows) && matches!(error.raw_os_error(), Some(SHARING_VIOLATION | LOCK_VIOLATION)) {
        io::Error::new(error.kind(), HeldOpen { path: path.to_path_buf() })
    } else {
        error
    }
}

/// Whether `path` names one of the devices every Windows folder has: `NUL`, `CON`, `PRN`,
/// `AUX`, `COM1`…`COM9`, `LPT1`…`LPT9` (any case), also as `\\.\NUL` or `C:\dossier\NUL`.
fn is_windows_device(path: &Path) -> bool {
    let Some(name) = path.to_str().and_then(|path| path.rsplit(['\\', '/', ':']).next()) else { return false };
    let name = name.to_ascii_uppercase();
    match name.as_str() {
        "NUL" | "CON" | "PRN" | "AUX" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let (stem, digit) = name.split_at(name.len().saturating_sub(1));
            matches!(stem, "COM" | "LPT") && matches!(digit.as_bytes(), [b'1'..=b'9'])
        }
    }
}

/// Where a path that does not exist would be created: itself, or the end of the chain of
/// symbolic links it starts (a link to a file not created yet).
fn dangling_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} : trop de liens symboliques à suivre", path.display())))
}

/// Whether `metadata` is that of this process's standard output (`-o /dev/stdout`, or the file
/// stdout is redirected to): writing it through stdout keeps the shell's redirection
/// (`>>` appends) instead of replacing the file under it.
#[cfg(unix)]
fn is_stdout(metadata: &Metadata) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(stdout) = io::stdout().as_fd().try_clone_to_owned() else { return false };
    File::from(stdout).metadata().is_ok_and(|stdout| (stdout.dev(), stdout.ino()) == (metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn is_stdout(_metadata: &Metadata) -> bool {
    false
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(stdout) => stdout.write(buf),
            Destination::File(file) => file.write(buf),
            Destination::InPlace(file) => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Destination::Stdout(stdout) => stdout.write_all(buf),
            Destination::File(file) => file.write_all(buf),
            Destination::InPlace(file) => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(stdout) => stdout.flush(),
            Destination::File(file) => file.flush(),
            Destination::InPlace(file) => file.flush(),
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

    fn write(path: &Path, text: &str) -> io::Result<()> {
        let mut destination = Destination::open(Some(path))?;
        destination.write_all(text.as_bytes())?;
        destination.commit()
    }

    #[test]
    fn commit_replaces_the_target_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("devis.csv");
        fs::write(&target, "ancien").unwrap();

        let mut file = Destination::open(Some(&target)).unwrap();
        file.write_all(b"nouveau").unwrap();
        let names = entries(dir.path());
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(
            names[0].starts_with(".devis.csv.") && Path::new(&names[0]).extension() == Some("tmp".as_ref()),
            "{names:?}"
        );
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
            let mut file = Destination::open(Some(target)).unwrap();
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

        write(&target, "complet").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "complet");
    }

    #[test]
    fn a_directory_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let error = Destination::open(Some(dir.path())).unwrap_err();
        assert!(error.to_string().contains("est un dossier"), "{error}");
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn windows_devices_are_known_by_name() {
        for device in ["NUL", "nul", r"\\.\NUL", r"C:\exports\NUL", "CON", "COM1", "lpt9", "CONOUT$"] {
            assert!(is_windows_device(Path::new(device)), "{device}");
        }
        for file in ["NUL.csv", "nul-export.csv", "COM0", "COM10", "LPT", r"C:\NUL\devis.csv", "CONSOLE", ""] {
            assert!(!is_windows_device(Path::new(file)), "{file}");
        }
    }

    #[test]
    fn a_dash_is_standard_output() {
        assert!(matches!(Destination::open(Some(Path::new("-"))).unwrap(), Destination::Stdout(_)));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_followed_and_its_target_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("exports")).unwrap();
        let target = dir.path().join("exports/devis.csv");
        fs::write(&target, "ancien").unwrap();
        let link = dir.path().join("dernier.csv");
        std::os::unix::fs::symlink("exports/devis.csv", &link).unwrap();

        write(&link, "nouveau").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(fs::read_to_string(&target).unwrap(), "nouveau");
        assert_eq!(entries(&dir.path().join("exports")), vec!["devis.csv".to_owned()]);

        // A link to a file not created yet creates that file.
        let dangling = dir.path().join("prochain.csv");
        std::os::unix::fs::symlink("exports/prochain.csv", &dangling).unwrap();
        write(&dangling, "premier").unwrap();
        assert!(fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(dir.path().join("exports/prochain.csv")).unwrap(), "premier");
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("paie.csv");
        fs::write(&target, "ancien").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        write(&target, "nouveau").unwrap();
        assert_eq!(fs::metadata(&target).unwrap().permissions().mode() & 0o7777, 0o640);
        assert_eq!(fs::read_to_string(&target).unwrap(), "nouveau");
    }
}
