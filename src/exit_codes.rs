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
/// Interrupted by Ctrl-C (or Ctrl-Break, or closing the console on Windows).
pub const INTERRUPTED: u8 = 130;
/// Stopped by SIGTERM (`kill`, systemd, a scheduler's time limit).
pub const TERMINATED: u8 = 143;

/// Every code with its meaning, as `--help` and the README list them.
pub const TABLE: [(u8, &str); 9] = [
    (OK, "succès, et l'arrêt demandé d'une veille (sync-offer --watch)"),
    (UNEXPECTED, "erreur inattendue"),
    (USAGE, "usage ou saisie invalide"),
    (CONNECTION, "Batigest injoignable, échec TLS ou d'authentification"),
    (NOT_FOUND, "introuvable (référence, offre)"),
    (STORE, "erreur du magasin JLM"),
    (ALERT, "alertes trouvées avec --fail-on-alert"),
    (INTERRUPTED, "interrompu (Ctrl-C, Ctrl-Break, fermeture de la console)"),
    (TERMINATED, "arrêté (SIGTERM)"),
];

/// The section printed at the end of `--help`.
pub fn help() -> String {
    let rows: Vec<String> = TABLE.iter().map(|(code, meaning)| format!("  {code:<4} {meaning}")).collect();
    format!("Codes de sortie :\n{}", rows.join("\n"))
}
