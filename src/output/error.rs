//! What can go wrong writing results, in the words users read; `crate::error` classifies each
//! into its exit code. Each keeps the system's error it comes from.

use std::io;
use std::path::{Path, PathBuf};

use super::HeldOpen;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing the results (standard output, or `-o`'s file) failed; a closed pipe ends the run
    /// quietly.
    #[error("écriture de la sortie impossible : {source}")]
    Write {
        #[source]
        source: io::Error,
    },

    /// A file the tool cannot create or replace (`-o`, `--html`, `--write`, `--dir`).
    #[error("impossible d'écrire {} : {source}", path.display())]
    CannotWrite {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// Windows will not let a file be replaced while another program holds it.
    #[error("impossible d'écrire {0}")]
    HeldOpen(Box<HeldOpen>),
}

impl OutputError {
    /// The error of writing the results.
    pub fn written(source: io::Error) -> Self {
        held_open(source).unwrap_or_else(|source| OutputError::Write { source })
    }

    /// The error of a file the tool cannot write.
    pub fn cannot_write(path: &Path, source: io::Error) -> Self {
        held_open(source).unwrap_or_else(|source| OutputError::CannotWrite { path: path.to_owned(), source })
    }

    /// Whether the reader went away (`| head`): not an error for a command-line tool.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, OutputError::Write { source } if source.kind() == io::ErrorKind::BrokenPipe)
    }

    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            OutputError::Write { .. } => None,
            OutputError::CannotWrite { .. } => {
                Some("vérifiez que le dossier existe et que vous pouvez y écrire".to_owned())
            }
            OutputError::HeldOpen(_) => Some(
                "fermez-le dans Excel (ou dans le programme qui l'a ouvert), puis relancez : il n'a pas été modifié"
                    .to_owned(),
            ),
        }
    }
}

/// The file another program holds, when that is what `error` says; else `error` itself.
fn held_open(error: io::Error) -> Result<OutputError, io::Error> {
    match error.get_ref() {
        Some(inner) if inner.is::<HeldOpen>() => {}
        _ => return Err(error),
    }
    let kind = error.kind();
    match error.into_inner().map(<dyn std::error::Error + Send + Sync>::downcast::<HeldOpen>) {
        Some(Ok(held)) => Ok(OutputError::HeldOpen(held)),
        Some(Err(inner)) => Err(io::Error::new(kind, inner)),
        None => Err(io::Error::from(kind)),
    }
}
