//! Exit codes: the contract scripts rely on (DESIGN §2). Documented in `--help` and the man page.

/// Everything went well.
pub const OK: u8 = 0;
/// An unexpected error (a bug, an I/O failure nobody could foresee).
pub const UNEXPECTED: u8 = 1;
/// Usage error or invalid input: a bad flag, date, status, file.
pub const USAGE: u8 = 2;
/// Batigest unreachable, TLS or login failure.
pub const CONNECTION: u8 = 3;
/// A reference or an offer that does not exist.
pub const NOT_FOUND: u8 = 4;
/// The JLM store could not be opened or written.
pub const STORE: u8 = 5;
/// `--fail-on-alert` and alerts were found.
pub const ALERT: u8 = 6;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// The table printed at the end of `--help`.
pub const HELP: &str = "\
Codes de sortie :
  0    succès
  1    erreur inattendue
  2    usage ou saisie invalide
  3    Batigest injoignable, échec TLS ou d'authentification
  4    introuvable (référence, offre)
  5    erreur du magasin JLM
  6    alertes trouvées avec --fail-on-alert
  130  interrompu (Ctrl-C)";
