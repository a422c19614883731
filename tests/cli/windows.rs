//! The Windows binary (`x86_64-pc-windows-gnu`) under Wine, against the Linux sandbox: the store
//! in `%APPDATA%` and at `C:\…` paths, the Excel export, the Credential Manager, `serve`, Ctrl-C,
//! a file held open as Excel holds it, `-o NUL`, `demo`.
//!
//! `scripts/windows.sh build` and `scripts/windows.sh prefix` (both run by `scripts/test.sh`) make
//! the `.exe`, the test helpers and a Wine prefix under the cargo target dir; each test runs in a
//! copy of that prefix (hard links, plus its own registry and user profile), so tests do not
//! share a `%APPDATA%`, a store or a credential.
//!
//! Wine is not Windows: its console is the Linux terminal's, its NTLM is Samba's, and its file
//! locking is its own. What passes here is the binary's own logic on Windows' APIs as Wine
//! implements them.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use crate::common::{BIN, DATABASE, PASSWORD, Sandbox, USER, stderr, stdout};

const WINE: &str = "/usr/lib/wine/wine64";
const WINESERVER: &str = "/usr/lib/wine/wineserver";

/// What `scripts/windows.sh` leaves under the cargo target dir.
fn built() -> PathBuf {
    // BIN is TARGET/debug/jlm-batigest.
    Path::new(BIN).parent().and_then(Path::parent).expect("target dir").join("windows-test")
}

fn exe() -> PathBuf {
    Path::new(BIN)
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("x86_64-pc-windows-gnu/wintest/jlm-batigest.exe")
}

/// A Wine prefix of the test's own, removed (and its wineserver ended) when dropped.
struct Wine {
    prefix: tempfile::TempDir,
}

impl Wine {
    /// `None` only under the opt-out `JLM_BATIGEST_TEST_ALLOW_SKIP=1` (the test is skipped and
    /// counted); otherwise a missing Wine or Windows build fails the test, naming what to run.
    fn new() -> Option<Self> {
        let missing: Vec<String> = [exe(), built().join("prefix/system.reg"), built().join("holdfile.exe")]
            .into_iter()
            .filter(|path| !path.exists())
            .map(|path| path.display().to_string())
            .collect();
        if !missing.is_empty() || !Path::new(WINE).exists() {
            crate::common::missing(
                &format!("Wine ({WINE}) or the Windows build ({})", missing.join(", ")),
                "the Windows suite needs Wine (Debian: wine64) and the Windows build: run \
                 `scripts/windows.sh build && scripts/windows.sh prefix`",
            );
            return None;
        }
        // Under one folder that scripts/test.sh sweeps: a test killed by its time limit leaves its
        // wineserver running.
        let parent = std::env::temp_dir().join("jlm-batigest-wine");
        std::fs::create_dir_all(&parent).expect("temp dir");
        let prefix = tempfile::Builder::new().prefix("prefixe-").tempdir_in(&parent).expect("temp dir");
        let template = built().join("prefix");
        let copy = prefix.path().join("p");
        // Hard links for the 700 MB of C:\windows, which Wine only reads; real copies of the rest
        // (the registry, the profiles), which Wine rewrites in place.
        std::fs::create_dir_all(copy.join("drive_c")).expect("prefix folder");
        let cp = |flags: &str, from: &Path, to: &Path| {
            let copied = Command::new("cp").arg(flags).arg(from).arg(to).status().expect("cp");
            assert!(copied.success(), "cp {flags} {}", from.display());
        };
        for entry in std::fs::read_dir(&template).expect("the Wine prefix") {
            let entry = entry.expect("entry");
            if entry.file_name() != "drive_c" {
                cp("-a", &entry.path(), &copy.join(entry.file_name()));
            }
        }
        for entry in std::fs::read_dir(template.join("drive_c")).expect("drive_c") {
            let entry = entry.expect("entry");
            let flags = if entry.file_name() == "windows" { "-al" } else { "-a" };
            cp(flags, &entry.path(), &copy.join("drive_c").join(entry.file_name()));
        }
        std::fs::create_dir_all(copy.join("drive_c/work")).expect("a working folder on C:");
        // One wineserver for the whole test, so that Wine's service manager stays up between
        // commands; and Wine's own processes started now, their output to nowhere: started by a
        // command of the test, they would keep its output pipes open as long as they live.
        let null = || Stdio::null();
        let persistent = Command::new(WINESERVER)
            .arg("-p")
            .env("WINEPREFIX", &copy)
            .stdin(null())
            .stdout(null())
            .stderr(null())
            .status()
            .expect("wineserver -p");
        assert!(persistent.success());
        let booted = Command::new(WINE)
            .arg("wineboot")
            .env("WINEPREFIX", &copy)
            .env("WINEDEBUG", "-all")
            .stdin(null())
            .stdout(null())
            .stderr(null())
            .status()
            .expect("wineboot");
        assert!(booted.success());
        Some(Self { prefix })
    }

    fn root(&self) -> PathBuf {
        self.prefix.path().join("p")
    }

    /// The Linux path of `C:\<relative>`.
    fn c(&self, relative: &str) -> PathBuf {
        self.root().join("drive_c").join(relative.replace('\\', "/"))
    }

    /// `jlm-batigest.exe` under Wine, its environment cleared, working in `C:\work` (so `\x`
    /// means `C:\x`).
    fn command(&self) -> Command {
        let mut command = Command::new(WINE);
        command
            .arg(exe())
            .env_clear()
            .env("WINEPREFIX", self.root())
            .env("WINEDEBUG", "-all")
            // Wine reads its arguments in the Unix locale: UTF-8, for accents.
            .env("LANG", "C.UTF-8")
            .env("HOME", self.prefix.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(self.c("work"))
            .stdin(Stdio::null());
        command
    }

    /// `command` against `sandbox`, its password in the environment, plain TDS.
    fn batigest(&self, sandbox: &Sandbox) -> Command {
        let mut command = self.command();
        command
            .env("BATIGEST_SQL_SERVER", "127.0.0.1")
            .env("BATIGEST_SQL_PORT", sandbox.addr.port().to_string())
            .env("BATIGEST_SQL_USER", USER)
            .env("BATIGEST_SQL_PASSWORD", PASSWORD)
            .args(["--encrypt", "off"]);
        command
    }

    fn run(&self, sandbox: &Sandbox, args: &[&str]) -> Output {
        self.batigest(sandbox).args(args).output().expect("run jlm-batigest.exe under Wine")
    }

    /// The embedded store: `%APPDATA%\JLM\jlm-batigest\data\jlm.sqlite` of the prefix's one user.
    fn default_store(&self) -> PathBuf {
        let users = self.c("users");
        let user = std::fs::read_dir(&users)
            .expect("users")
            .map(|entry| entry.expect("entry").path())
            .find(|path| path.join("AppData/Roaming").is_dir())
            .expect("a Wine user profile");
        user.join("AppData/Roaming/JLM/jlm-batigest/data/jlm.sqlite")
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = Command::new(WINESERVER).arg("-k").env("WINEPREFIX", self.root()).status();
    }
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

/// Asserts exit 0 and returns stdout; on failure shows both streams.
fn success(output: &Output) -> String {
    assert_eq!(code(output), Some(0), "stdout: {}\nstderr: {}", stdout(output), stderr(output));
    stdout(output)
}

/// The `batigest_integrations` rows of a SQLite store: numéro, montant, statut.
fn integrations(store: &Path) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("{}: {e}", store.display()));
    let mut statement = conn
        .prepare(
            "SELECT numero_devis, CAST(montant_batigest AS TEXT), sync_status FROM batigest_integrations \
             ORDER BY numero_devis",
        )
        .expect("prepare");
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The main job with the default settings: the store in `%APPDATA%`, then the commands that read it.
#[test]
fn the_default_store_serves_sync_integrations_dashboard_and_analytics() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    let synced = wine.run(&sandbox, &["sync-offer", "--ref", "DEVIS-2024-001"]);
    let table = success(&synced);
    assert!(table.contains("integration.montant_batigest") && table.contains("12345678.91"), "{table}");
    assert!(
        stderr(&synced)
            .contains("DEVIS-2024-001 synchronisé dans le magasin JLM (pas de table offers) : 5 valeurs modifiées"),
        "{}",
        stderr(&synced)
    );
    let store = wine.default_store();
    assert_eq!(integrations(&store), [("DEVIS-2024-001".to_owned(), "12345678.91".to_owned(), "synced".to_owned())]);

    let listed = success(&wine.run(&sandbox, &["integrations", "--format", "csv"]));
    let rows = crate::common::csv(&listed, ',');
    assert_eq!(rows.len(), 2, "{listed}");
    assert_eq!(rows[1][0], "DEVIS-2024-001", "{listed}");

    let dashboard = success(&wine.run(&sandbox, &["dashboard", "--au", "2024-03-31"]));
    assert!(dashboard.contains("DEVIS-2024-001"), "the latest syncs: {dashboard}");

    let analytics =
        wine.run(&sandbox, &["analytics", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&success(&analytics)).expect("JSON");
    // Committed devis of 2024: DEVIS-2024-001 (ACCEPTE) only.
    assert_eq!(json["indicateurs"][0]["ca_prevu"], serde_json::json!(12_345_678.91), "{json}");
    assert!(stderr(&analytics).contains("Calcul enregistré dans l'historique"), "{}", stderr(&analytics));
    let history = success(&wine.run(&sandbox, &["analytics", "history", "--format", "csv"]));
    assert_eq!(crate::common::csv(&history, ',').len(), 2, "one saved run: {history}");
}

/// Paths are paths: a drive letter, spaces and accents reach SQLite as written, by flag, by
/// variable and in the URL form; nothing lands in a relative `C\…` folder; a share is warned about.
#[test]
fn store_paths_with_drive_letters_spaces_and_accents() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    std::fs::create_dir_all(wine.c("temp")).expect("C:\\temp");
    std::fs::create_dir_all(wine.c("Users/Hélène/Mes documents")).expect("the accented folder");
    // The trap of the URL reading: `sqlite://C:\temp\…` read back as host `C` and path `\temp\…`.
    std::fs::create_dir_all(wine.c("work/C/temp")).expect("a relative C\\temp");

    success(&wine.run(&sandbox, &["--jlm-db", r"sqlite:C:\temp\jlm.sqlite", "sync-offer", "--ref", "DEVIS-2024-001"]));
    assert_eq!(integrations(&wine.c("temp/jlm.sqlite"))[0].0, "DEVIS-2024-001");

    let accented = r"sqlite:C:\Users\Hélène\Mes documents\jlm.sqlite";
    let output = wine
        .batigest(&sandbox)
        .env("JLM_DATABASE_URL", accented)
        .args(["sync-offer", "--ref", "DEVIS-2024-003"])
        .output()
        .expect("run");
    success(&output);
    assert_eq!(integrations(&wine.c("Users/Hélène/Mes documents/jlm.sqlite"))[0].0, "DEVIS-2024-003");

    success(&wine.run(&sandbox, &["--jlm-db", "sqlite:///C:/temp/url%20form.sqlite", "integrations"]));
    assert!(wine.c("temp/url form.sqlite").is_file());
    // Root-relative: `\temp\…` is on the current drive, C:.
    success(&wine.run(&sandbox, &["--jlm-db", r"sqlite:\temp\racine.sqlite", "integrations"]));
    assert!(wine.c("temp/racine.sqlite").is_file());

    assert_eq!(files_in(&wine.c("work/C/temp")), Vec::<String>::new(), "nothing created in a relative C\\temp");
    assert!(!wine.default_store().exists(), "no store in %APPDATA% either");

    let share = wine.run(&sandbox, &["--jlm-db", r"sqlite:\\serveur\partage\jlm.sqlite", "integrations"]);
    assert_eq!(code(&share), Some(5), "{}", stderr(&share));
    assert!(
        stderr(&share).starts_with(
            r"Attention : le magasin JLM \\serveur\partage\jlm.sqlite est sur un partage réseau ; SQLite n'y est pas sûr"
        ),
        "{}",
        stderr(&share)
    );
    assert!(stderr(&share).contains("utilisez la base PostgreSQL de JLM ERP"), "{}", stderr(&share));
    let quiet = wine.run(&sandbox, &["-q", "--jlm-db", r"sqlite:\\serveur\partage\jlm.sqlite", "integrations"]);
    assert_eq!(code(&quiet), Some(5));
    assert!(!stderr(&quiet).contains("Attention"), "{}", stderr(&quiet));

    for refused in ["sqlite:", r"sqlite:C:\temp\jlm.sqlite?cache=shared", "mysql://erp/jlm"] {
        let output = wine.run(&sandbox, &["--jlm-db", refused, "integrations"]);
        assert_eq!(code(&output), Some(2), "{refused}: {}", stderr(&output));
        assert!(stderr(&output).contains("adresse du magasin JLM « "), "{refused}: {}", stderr(&output));
    }
}

/// The Excel export written to `C:\…` by the Windows binary is the Linux binary's, byte for byte.
#[test]
fn the_excel_export_to_a_drive_letter_is_the_linux_one() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    std::fs::create_dir_all(wine.c("Exports Compta")).expect("folder");
    let args = ["devis", "--excel", "--from", "2024-01-01", "--to", "2024-12-31"];
    success(&wine.run(&sandbox, &[&args[..], &["-o", r"C:\Exports Compta\devis été.csv"]].concat()));
    let windows = std::fs::read(wine.c("Exports Compta/devis été.csv")).expect("the Windows export");
    let linux = sandbox.run(&args);
    assert_eq!(linux.status.code(), Some(0), "{}", stderr(&linux));
    assert!(windows.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM for Excel");
    assert_eq!(windows, linux.stdout, "same bytes from Windows and Linux");
    assert!(String::from_utf8_lossy(&windows).contains("Hélène Lefèvre"));
}

/// `login` keeps the password in the Windows Credential Manager (never in clear in the
/// registry that holds it under Wine), a later command reads it, `logout` removes it.
#[test]
fn the_credential_manager_keeps_the_password() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    let without_password = |args: &[&str]| {
        let mut command = wine.command();
        command
            .env("BATIGEST_SQL_SERVER", "127.0.0.1")
            .env("BATIGEST_SQL_PORT", sandbox.addr.port().to_string())
            .env("BATIGEST_SQL_USER", USER)
            .args(args);
        command
    };
    let mut login = without_password(&["--encrypt", "off", "login", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("login");
    login.stdin.take().expect("stdin").write_all(format!("{PASSWORD}\r\n").as_bytes()).expect("password");
    let login = login.wait_with_output().expect("login");
    success(&login);
    let registry = std::fs::read(wine.root().join("user.reg")).expect("user.reg");
    let hex = PASSWORD.encode_utf16().flat_map(u16::to_le_bytes).fold(String::new(), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    assert!(!String::from_utf8_lossy(&registry).contains(PASSWORD), "no password in clear");
    assert!(!String::from_utf8_lossy(&registry).replace([',', '\\', '\n', ' '], "").contains(&hex), "nor in UTF-16");

    let connected = without_password(&["-v", "--encrypt", "off", "test-connection"]).output().expect("test-connection");
    assert!(success(&connected).starts_with("Connexion à Batigest réussie"), "{}", stdout(&connected));
    assert!(stderr(&connected).contains("password=trousseau"), "{}", stderr(&connected));
    assert!(stdout(&connected).contains(DATABASE));

    success(&without_password(&["logout"]).output().expect("logout"));
    let refused = without_password(&["--encrypt", "off", "test-connection"]).output().expect("test-connection");
    assert_eq!(code(&refused), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("mot de passe"), "{}", stderr(&refused));
}

/// `serve` from the Windows binary: its token, the routes over the sandbox, and Ctrl-C as the
/// graceful stop.
#[test]
fn serve_answers_with_its_token_and_stops_on_ctrl_c() {
    const TOKEN: &str = "jeton-windows-0123456789abcdef";
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    let mut child = wine
        .batigest(&sandbox)
        .env("JLM_BATIGEST_API_TOKEN", TOKEN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a first line").expect("UTF-8");
    let addr: std::net::SocketAddr = first
        .strip_prefix("API Batigest servie sur http://")
        .unwrap_or_else(|| panic!("{first}"))
        .parse()
        .expect("address");
    let (status, body) = crate::serve::exchange(
        std::net::TcpStream::connect(addr).expect("connect"),
        "GET",
        "/api/batigest/devis-clients?limit=5",
        Some(TOKEN),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let mut numbers: Vec<&str> =
        body["devis"].as_array().expect("devis").iter().filter_map(|d| d["NUMERO_DEVIS"].as_str()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, ["DEVIS-2024-001", "DEVIS-2024-002", "DEVIS-2024-003"], "{body}");
    let (status, body) = crate::serve::exchange(
        std::net::TcpStream::connect(addr).expect("connect"),
        "GET",
        "/api/batigest/devis-clients",
        None,
        None,
    );
    assert_eq!(status, 401, "{body}");
    interrupt(&child);
    let status = child.wait().expect("exit");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert!(rest.iter().any(|line| line.starts_with("Arrêt demandé")), "{rest:?}");
}

/// The automatic sync under Windows, on the default store in `%APPDATA%`: a change in Batigest
/// reaches the store; a second watcher waits behind the first (the lock file, `LockFileEx`); Ctrl-C
/// ends the first with 0 and the second takes over.
#[test]
fn the_watch_keeps_the_default_store_current_and_stops_on_ctrl_c() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    let watch = |wine: &Wine| {
        let mut command = wine.batigest(&sandbox);
        command.args(["-v", "sync-offer", "--all", "--watch", "--interval", "500ms"]);
        crate::watch::Watcher::spawn(&mut command)
    };
    let mut first = watch(&wine);
    first.passes("passe de synchronisation", 1);
    first.passes("passe calme", 1);
    let store = wine.default_store();
    assert_eq!(integrations(&store), [("DEVIS-2024-001".to_owned(), "12345678.91".to_owned(), "synced".to_owned())]);
    let lock = store.with_file_name("jlm.sqlite-veille");
    assert!(lock.is_file(), "{}", lock.display());

    let mut second = watch(&wine);
    second.passes("un autre veilleur synchronise déjà ce magasin", 1);
    sandbox.edit("UPDATE DEVIS SET MONTANT_HT = 2500.4 WHERE ID = 1;");
    first.passes("passe de synchronisation", 1);
    assert_eq!(integrations(&store)[0].1, "2500.40");
    let lines = first.new_changes();
    assert!(
        lines.iter().any(|line| line.contains("integration.montant_batigest : 12345678.91 → 2500.40")),
        "{lines:?}"
    );

    let ended = first.signal("-INT");
    assert_eq!(ended.code(), Some(0), "{}", first.rest());
    first.passes("Veille arrêtée (Ctrl-C)", 1);
    sandbox.edit("UPDATE DEVIS SET MONTANT_HT = 2600 WHERE ID = 1;");
    second.passes("passe de synchronisation", 1);
    assert_eq!(integrations(&store)[0].1, "2600.00");
}

/// Ctrl-C (SIGINT, which Wine turns into the console's CTRL_C_EVENT) in the middle of a batch:
/// exit 130, the journal line, the previous export whole and no temporary file.
#[test]
fn ctrl_c_during_a_batch_leaves_the_trace_and_the_previous_export() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "300", "--latency-ms", "150"]);
    let Some(wine) = Wine::new() else { return };
    std::fs::create_dir_all(wine.c("exports")).expect("folder");
    std::fs::write(wine.c("exports/synchro.csv"), "export du mois dernier\r\n").expect("previous export");
    let mut child = wine
        .batigest(&sandbox)
        .args(["-v", "sync-offer", "--all", "-o", r"C:\exports\synchro.csv"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sync-offer");
    let log = wait_for_line(&mut child, "requête : SELECT d.[NUMERO_DEVIS]");
    interrupt(&child);
    let status = child.wait().expect("exit");
    let log = log.join().expect("log");
    assert_eq!(status.code(), Some(130), "{log}");
    assert!(
        log.contains("Erreur : interrompu (Ctrl-C) : synchronisation arrêtée ; les devis déjà écrits le restent"),
        "{log}"
    );
    assert_eq!(std::fs::read_to_string(wine.c("exports/synchro.csv")).expect("export"), "export du mois dernier\r\n");
    assert_eq!(files_in(&wine.c("exports")), ["synchro.csv"]);
    let conn = rusqlite::Connection::open(wine.default_store()).expect("store");
    let errors: Vec<String> = conn
        .prepare("SELECT error_message FROM batigest_sync_log WHERE outcome = 'error'")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .expect("journal");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("interrompu (Ctrl-C)"), "{errors:?}");
}

/// A file held as Excel holds it (others may read, not write nor replace): exit 2 telling to
/// close it in Excel; the file and its folder are left as they were.
#[test]
fn a_file_open_in_excel_is_left_alone_with_a_message_that_says_so() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    std::fs::create_dir_all(wine.c("exports")).expect("folder");
    std::fs::write(wine.c("exports/devis.csv"), "ouvert dans Excel\r\n").expect("file");
    let mut holder = Command::new(WINE);
    holder
        .arg(built().join("holdfile.exe"))
        .arg(r"C:\exports\devis.csv")
        .env("WINEPREFIX", wine.root())
        .env("WINEDEBUG", "-all")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut holder = holder.spawn().expect("holdfile.exe");
    let mut said = String::new();
    BufReader::new(holder.stdout.as_mut().expect("stdout")).read_line(&mut said).expect("holder's line");
    assert_eq!(said.trim(), "held");

    let output = wine.run(&sandbox, &["devis", "--excel", "-o", r"C:\exports\devis.csv"]);
    assert_eq!(code(&output), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            r"Erreur : impossible d'écrire C:\exports\devis.csv : fichier ouvert dans un autre programme (Excel ?)"
        ),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("Aide : fermez-le dans Excel"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(wine.c("exports/devis.csv")).expect("file"), "ouvert dans Excel\r\n");
    assert_eq!(files_in(&wine.c("exports")), ["devis.csv"]);

    drop(holder.stdin.take());
    assert!(holder.wait().expect("holder").success());
    success(&wine.run(&sandbox, &["devis", "--excel", "-o", r"C:\exports\devis.csv"]));
    assert!(std::fs::read_to_string(wine.c("exports/devis.csv")).expect("file").contains("DEVIS-2024-001"));
}

/// `-o NUL` is Windows' /dev/null: the data goes nowhere, the run succeeds, no file is made.
#[test]
fn output_to_nul_is_the_null_device() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    for device in ["NUL", "nul", r"\\.\NUL"] {
        let output = wine.run(&sandbox, &["devis", "--format", "csv", "-o", device]);
        assert_eq!(success(&output), "", "{device}: nothing on stdout");
    }
    assert_eq!(files_in(&wine.c("work")), Vec::<String>::new());
}

/// The guided tour end to end from the Windows binary; its variables line is written for cmd.exe,
/// or for PowerShell when run from one.
#[test]
fn demo_runs_end_to_end_and_speaks_the_shell() {
    let Some(wine) = Wine::new() else { return };
    let output = wine.command().args(["demo", "--devis", "200"]).output().expect("demo");
    let tour = success(&output);
    assert!(tour.contains("Connexion à Batigest réussie"), "{tour}");
    assert!(
        tour.contains("DEVIS-2025-001 synchronisé") || stderr(&output).contains("DEVIS-2025-001 synchronisé"),
        "{tour}"
    );
    let hint = tour.lines().nth(2).expect("the variables line");
    assert!(hint.starts_with(r#"  set "JLM_BATIGEST_CONFIG=C:\"#), "{hint}");
    assert!(hint.ends_with(r#"config.toml" & set "BATIGEST_SQL_PASSWORD=Sandbox!2024""#), "{hint}");

    let powershell = wine
        .command()
        .env(
            "PSModulePath",
            r"C:\users\compta\Documents\WindowsPowerShell\Modules;C:\Program Files\WindowsPowerShell\Modules",
        )
        .args(["demo", "--devis", "50"])
        .output()
        .expect("demo");
    let hint = success(&powershell).lines().nth(2).expect("the variables line").to_owned();
    assert!(hint.starts_with(r"  $env:JLM_BATIGEST_CONFIG = 'C:\"), "{hint}");
    assert!(hint.ends_with(r"config.toml'; $env:BATIGEST_SQL_PASSWORD = 'Sandbox!2024'"), "{hint}");
}

/// `serve` as a real Windows service: installed with its options, started and stopped by the
/// service manager (the stop is the graceful shutdown), its secrets read from the Credential
/// Manager of its account, what it says in its log, then uninstalled.
#[test]
fn serve_runs_as_a_windows_service() {
    const TOKEN: &str = "jeton-du-service-0123456789abcdef";
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let Some(wine) = Wine::new() else { return };
    std::fs::create_dir_all(wine.c("JLM")).expect("C:\\JLM");
    let port = sandbox.addr.port().to_string();
    let connection = ["--server", "127.0.0.1", "--port", &port, "--user", USER, "--encrypt", "off"];
    let with_stdin = |args: &[&str], input: &str| {
        let mut child = wine
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("stdin");
        child.wait_with_output().expect("run")
    };
    success(&with_stdin(&[&connection[..], &["login", "--password-stdin"]].concat(), &format!("{PASSWORD}\n")));
    success(&with_stdin(&["serve", "--token-stdin"], &format!("{TOKEN}\n")));

    let install = [
        &connection[..],
        &["serve", "--listen", "127.0.0.1:0", "--install-service", "--service-name", "JLMTest"],
        &["--service-log", r"C:\JLM\serve.log"],
    ]
    .concat();
    // Installed from a folder with spaces, as under C:\Program Files: the service's command line
    // must quote it.
    let folder = wine.c("Program Files/JLM Batigest");
    std::fs::create_dir_all(&folder).expect("Program Files");
    std::fs::hard_link(exe(), folder.join("jlm-batigest.exe"))
        .or_else(|_| std::fs::copy(exe(), folder.join("jlm-batigest.exe")).map(drop))
        .expect("the .exe in Program Files");
    let installed = Command::new(WINE)
        .arg(r"C:\Program Files\JLM Batigest\jlm-batigest.exe")
        .args(&install)
        .env("WINEPREFIX", wine.root())
        .env("WINEDEBUG", "-all")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .expect("install");
    success(&installed);
    assert!(
        stderr(&installed).contains("Service JLMTest installé (démarrage automatique, compte LocalSystem)"),
        "{}",
        stderr(&installed)
    );
    let sc = |args: &[&str]| {
        Command::new(WINE)
            .arg("sc")
            .args(args)
            .env("WINEPREFIX", wine.root())
            .env("WINEDEBUG", "-all")
            .output()
            .expect("sc")
    };
    let registry = Command::new(WINE)
        .args(["reg", "query", r"HKLM\System\CurrentControlSet\Services\JLMTest", "/v", "ImagePath"])
        .env("WINEPREFIX", wine.root())
        .env("WINEDEBUG", "-all")
        .output()
        .expect("reg query");
    let image = stdout(&registry);
    assert!(
        image.contains(&format!(
            r#""C:\Program Files\JLM Batigest\jlm-batigest.exe" --server 127.0.0.1 --port {port} --user sa --encrypt off serve --listen 127.0.0.1:0 --service-name JLMTest --service-log C:\JLM\serve.log --run-as-service"#
        )),
        "{image}"
    );
    assert_eq!(code(&sc(&["start", "JLMTest"])), Some(0));

    let log = wine.c("JLM/serve.log");
    let address = wait_for(&log, "API Batigest servie sur http://");
    let address: std::net::SocketAddr =
        address.trim().rsplit("://").next().expect("address").parse().expect("socket address");
    let (status, body) = crate::serve::exchange(
        std::net::TcpStream::connect(address).expect("connect"),
        "GET",
        "/api/batigest/connection-test",
        Some(TOKEN),
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["connected"], serde_json::Value::Bool(true), "{body}");

    assert_eq!(code(&sc(&["stop", "JLMTest"])), Some(0));
    wait_for(&log, "Service JLMTest arrêté (code 0).");
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("GET /api/batigest/connection-test 200"), "{text}");
    assert!(text.contains("Arrêt demandé : les requêtes en cours se terminent"), "{text}");
    assert!(!text.contains(TOKEN) && !text.contains(PASSWORD), "no secret in the log: {text}");

    let uninstalled =
        wine.command().args(["serve", "--uninstall-service", "--service-name", "JLMTest"]).output().expect("uninstall");
    success(&uninstalled);
    assert!(stderr(&uninstalled).contains("Service JLMTest arrêté et désinstallé."), "{}", stderr(&uninstalled));
    assert_ne!(code(&sc(&["query", "JLMTest"])), Some(0), "the service is gone");

    // Run by hand, the service's own option says how to start the service instead.
    let by_hand = wine.command().args(["serve", "--run-as-service"]).output().expect("run-as-service");
    assert_eq!(code(&by_hand), Some(2), "{}", stderr(&by_hand));
    assert!(stderr(&by_hand).contains("démarrez-le avec « Start-Service JLMBatigest »"), "{}", stderr(&by_hand));
}

/// `--auth windows` from the Windows binary: tiberius-ng's NTLMv2 client (winauth) against the
/// sandbox's NTLM, which answers as SQL Server does, in each encryption mode; a wrong password is
/// 18452 state 1, as SQL Server says it. `--auth integrated` goes through Wine's SSPI, which has no
/// domain identity to offer here: it must say so, not blame the network.
#[test]
fn windows_logins_from_the_windows_binary() {
    const ACCOUNT: &str = r"JLM\compta";
    const SECRET: &str = "Fenêtre!Compta-2026";
    let dir = tempfile::tempdir().expect("temp dir");
    let pem = dir.path().join("sandbox.pem");
    let sandbox = Sandbox::with_fixture_env(
        "",
        &["-v", "--windows-user", ACCOUNT, "--tls", "required", "--cert-out", pem.to_str().expect("utf-8")],
        &[("JLM_SANDBOX_WINDOWS_PASSWORD", SECRET)],
    );
    let Some(wine) = Wine::new() else { return };
    std::fs::copy(&pem, wine.c("work/sandbox.pem")).expect("the sandbox's certificate on C:");
    let port = sandbox.addr.port().to_string();
    let login = |password: &str, args: &[&str]| {
        wine.command()
            .env("BATIGEST_SQL_PASSWORD", password)
            .args(["--server", "127.0.0.1", "--port", &port, "--timeout", "20"])
            .args(args)
            .arg("test-connection")
            .output()
            .expect("test-connection")
    };
    for mode in [
        &["--encrypt", "required", "--ca-file", r"C:\work\sandbox.pem"][..],
        &["--encrypt", "login-only", "--ca-file", "sandbox.pem"],
    ] {
        let output = login(SECRET, &[mode, &["--auth", "windows", "--user", ACCOUNT]].concat());
        assert!(
            success(&output).starts_with("Connexion à Batigest réussie (127.0.0.1:"),
            "{mode:?}: {}",
            stderr(&output)
        );
    }
    let refused = login(
        "pas-le-bon",
        &["--encrypt", "required", "--ca-file", "sandbox.pem", "--auth", "windows", "--user", ACCOUNT],
    );
    assert_eq!(code(&refused), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains(r"Erreur : connexion Windows refusée : compte Windows « JLM\compta » inconnu, mot de passe incorrect, ou domaine que le serveur ne reconnaît pas (erreur 18452, état 1)"),
        "{}",
        stderr(&refused)
    );
    assert!(!stderr(&refused).contains("pas-le-bon"));
    let log = sandbox_log(sandbox);
    assert!(log.contains(r"wrong password for JLM\compta"), "{log}");
    assert!(!log.contains(SECRET) && !log.contains("pas-le-bon"), "no password in the sandbox's log");

    let plain = Sandbox::with_fixture(&["--tls", "off"]);
    let integrated = wine
        .command()
        .args(["--server", "127.0.0.1", "--port", &plain.addr.port().to_string(), "--encrypt", "off"])
        .args(["--auth", "integrated", "test-connection"])
        .output()
        .expect("test-connection");
    assert_eq!(code(&integrated), Some(3), "{}", stderr(&integrated));
    assert!(
        stderr(&integrated).starts_with(&format!(
            "Erreur : connexion intégrée (session Windows) à 127.0.0.1:{} impossible : ",
            plain.addr.port()
        )),
        "{}",
        stderr(&integrated)
    );
    assert!(stderr(&integrated).contains("(SSPI 0x8009"), "{}", stderr(&integrated));
    assert!(stderr(&integrated).contains("--auth windows --user 'DOMAINE\\utilisateur'"), "{}", stderr(&integrated));
}

fn sandbox_log(mut sandbox: Sandbox) -> String {
    sandbox.stop_and_read_log()
}

/// Waits (a minute at most) until `file` has a line containing `marker`; returns that line.
fn wait_for(file: &Path, marker: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if let Some(line) = text.lines().find(|line| line.contains(marker)) {
            return line.to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "{} never said « {marker} »: {text}", file.display());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Sends SIGINT to the Wine process: Wine raises CTRL_C_EVENT in the Windows program.
fn interrupt(child: &Child) {
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
}

/// Reads `child`'s stderr until a line contains `marker` (the readiness signal), then keeps
/// collecting it in the background; the thread returns everything read.
fn wait_for_line(child: &mut Child, marker: &str) -> std::thread::JoinHandle<String> {
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut seen = String::new();
    loop {
        let line = lines.next().unwrap_or_else(|| panic!("stderr ended before « {marker} »: {seen}")).expect("UTF-8");
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(marker) {
            break;
        }
    }
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    })
}
