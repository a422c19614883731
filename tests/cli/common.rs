//! Test harness: a sandbox process per test, a small fixture with known values, tool detection.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_jlm-batigest");
pub const USER: &str = "sa";
pub const PASSWORD: &str = "Sandbox!2024";
pub const DATABASE: &str = "BATIGEST_CONNECT";

/// A `jlm-batigest` command with a clean environment and its own HOME.
pub fn command(home: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().env("HOME", home).env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command
}

/// A sandbox process on a free loopback port, killed when dropped.
pub struct Sandbox {
    child: Child,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// Starts `jlm-batigest sandbox --listen 127.0.0.1:0 ARGS` and waits for its `listening on` line.
    pub fn start(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, args)
    }

    /// A sandbox serving the fixture below.
    pub fn with_fixture(args: &[&str]) -> Self {
        Self::with_fixture_plus("", args)
    }

    /// A sandbox serving the fixture below with `extra` SQL run on it first (more rows, other values).
    pub fn with_fixture_plus(extra: &str, args: &[&str]) -> Self {
        Self::with_fixture_env(extra, args, &[])
    }

    /// As `with_fixture_plus`, with variables in the sandbox's environment (secrets stay off its command line).
    pub fn with_fixture_env(extra: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("fixture.sqlite");
        write_fixture(&db);
        rusqlite::Connection::open(&db).and_then(|conn| conn.execute_batch(extra)).expect("extra fixture rows");
        let mut all = vec!["--db", db.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        Self::start_env(dir, &all, env)
    }

    /// A sandbox serving a SQLite file made of `sql` (a dossier of its own, not the fixture).
    pub fn with_sql(sql: &str, args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("dossier.sqlite");
        rusqlite::Connection::open(&db).and_then(|conn| conn.execute_batch(sql)).expect("the dossier");
        let mut all = vec!["--db", db.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        Self::start_env(dir, &all, &[])
    }

    fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Self {
        Self::start_env(dir, args, &[])
    }

    fn start_env(dir: tempfile::TempDir, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = command(dir.path())
            .envs(env.iter().copied())
            .args(["sandbox", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the sandbox");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the sandbox's first line");
        let Some(addr) = line.trim().strip_prefix("listening on ") else {
            let mut stderr = String::new();
            child.stderr.take().expect("stderr").read_to_string(&mut stderr).ok();
            panic!("the sandbox did not start: stdout {line:?}, stderr {stderr:?}");
        };
        let addr = addr.parse().expect("socket address");
        // Keep reading stdout so the sandbox never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Self { child, addr, dir }
    }

    /// Stops the sandbox and returns what it logged on stderr.
    pub fn stop_and_read_log(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut log = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            stderr.read_to_string(&mut log).ok();
        }
        log
    }

    /// The sandbox's process id (to freeze it with SIGSTOP, say).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Edits the dossier a fixture sandbox serves, as Batigest would while a program reads it: its
    /// SQLite file, written by a connection of its own.
    pub fn edit(&self, sql: &str) {
        rusqlite::Connection::open(self.path("fixture.sqlite"))
            .and_then(|conn| conn.execute_batch(sql))
            .expect("edit the dossier");
    }

    /// `jlm-batigest ARGS` against this sandbox: its address, user and password in the
    /// environment, plain TDS, and a HOME of its own.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.client().args(args).output().expect("run jlm-batigest")
    }

    /// The command `run` uses, for tests that need to set more.
    pub fn client(&self) -> Command {
        let mut command = command(self.dir.path());
        command
            .env("BATIGEST_SQL_SERVER", "127.0.0.1")
            .env("BATIGEST_SQL_PORT", self.addr.port().to_string())
            .env("BATIGEST_SQL_USER", USER)
            .env("BATIGEST_SQL_PASSWORD", PASSWORD)
            .args(["--encrypt", "off"]);
        command
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The session's D-Bus address (where `scripts/test.sh` started gnome-keyring). Without one the
/// test fails (see `missing`), or is skipped and counted under `JLM_BATIGEST_TEST_ALLOW_SKIP=1`.
pub fn session_bus() -> Option<String> {
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").ok().filter(|bus| !bus.is_empty());
    if bus.is_none() {
        missing(
            "a D-Bus session with a Secret Service (DBUS_SESSION_BUS_ADDRESS is empty)",
            "run the tests inside `dbus-run-session` with gnome-keyring unlocked (Debian: dbus, gnome-keyring)",
        );
    }
    bus
}

/// The opt-out: set to 1, a test whose tool or service is missing is skipped and counted instead of
/// failing. Never honoured in CI (`CI` set), where nothing may be skipped.
pub const ALLOW_SKIP: &str = "JLM_BATIGEST_TEST_ALLOW_SKIP";
/// Where a skipped test writes its line (`scripts/test.sh` sets it, counts the lines at the end);
/// without it, `jlm-batigest-tests-sautes.txt` next to the test binary's folder (`target/debug/`).
pub const SKIP_LOG: &str = "JLM_BATIGEST_TEST_SKIP_LOG";

/// What a test needs is missing: it fails naming `what` and how to get it, unless the opt-out
/// `JLM_BATIGEST_TEST_ALLOW_SKIP=1` is set outside CI, in which case the skip is written to the
/// skip log (counted by `scripts/test.sh`) and to the terminal, past the test harness's capture.
/// Returns only when the test is to be skipped.
pub fn missing(what: &str, install: &str) {
    use std::io::Write;
    let allowed = std::env::var(ALLOW_SKIP).is_ok_and(|value| value == "1") && std::env::var_os("CI").is_none();
    assert!(
        allowed,
        "missing: {what}; {install}. `scripts/test.sh` installs and starts everything the tests need; \
         {ALLOW_SKIP}=1 skips such tests instead, counted (never in CI)"
    );
    let test = std::thread::current().name().filter(|name| *name != "main").map(str::to_owned);
    let test = test.or_else(|| std::env::args().nth(1).filter(|arg| !arg.starts_with('-'))).unwrap_or_default();
    let line = format!("{test} — {what}\n");
    let log = std::env::var_os(SKIP_LOG).map_or_else(
        || {
            let exe = std::env::current_exe().expect("the test binary");
            exe.parent().and_then(Path::parent).expect("target/<profile>").join("jlm-batigest-tests-sautes.txt")
        },
        PathBuf::from,
    );
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .expect("the skip log (JLM_BATIGEST_TEST_SKIP_LOG)");
    file.write_all(line.as_bytes()).expect("write the skip log");
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        let _ = write!(tty, "SAUTÉ : {line}");
    }
    eprint!("SKIPPED: {line}");
}

/// Runs `command` with `stdin` as its standard input, its output captured. The binary may end
/// before reading its input (a refused profile, no terminal): a closed pipe is fine.
pub fn output_with_stdin(command: &mut Command, stdin: &str) -> Output {
    use std::io::Write;
    let mut child =
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run jlm-batigest");
    let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
    child.wait_with_output().expect("wait for jlm-batigest")
}

/// Whether an external client is installed (`probe` succeeds). When it is not, the test fails
/// naming it and `install` (the Debian package or the pip one), or is skipped under the opt-out
/// (see `missing`).
pub fn tool_available(name: &str, install: &str, probe: &mut Command) -> bool {
    let found = probe.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if !found {
        missing(&format!("{name} is not installed"), &format!("install {install}"));
    }
    found
}

/// A PostgreSQL database of its own for one test, on the local server (trust authentication),
/// dropped with it. When no server answers the test fails, or, under the opt-out, gets `None`
/// and is skipped (see `missing`). `JLM_BATIGEST_TEST_PG_PORT` names another port than 5432.
pub struct PgDatabase {
    pub name: String,
}

const PG_HOST: &str = "127.0.0.1";
const PG_USER: &str = "postgres";

/// The port of the tests' PostgreSQL: 5432, or `JLM_BATIGEST_TEST_PG_PORT` (a closed port shows
/// what a machine without PostgreSQL does).
pub fn pg_port() -> String {
    std::env::var("JLM_BATIGEST_TEST_PG_PORT").unwrap_or_else(|_| "5432".to_owned())
}

impl PgDatabase {
    pub fn create() -> Option<Self> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name =
            format!("jlm_test_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let created = Command::new("createdb")
            .args(["-h", PG_HOST, "-p", &pg_port(), "-U", PG_USER, &name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !created {
            missing(
                &format!("PostgreSQL at {PG_HOST}:{} (createdb failed)", pg_port()),
                "install and start PostgreSQL with trust authentication for postgres on 127.0.0.1 \
                 (Debian: postgresql, then pg_ctlcluster … start)",
            );
            return None;
        }
        Some(Self { name })
    }

    pub fn url(&self) -> String {
        format!("postgres://{PG_USER}@{PG_HOST}:{}/{}", pg_port(), self.name)
    }

    /// Runs SQL through `psql`; rows come back as lines of `|`-separated values.
    pub fn psql(&self, sql: &str) -> String {
        let output = Command::new("psql")
            .args([
                "-h",
                PG_HOST,
                "-p",
                &pg_port(),
                "-U",
                PG_USER,
                "-d",
                &self.name,
                "-v",
                "ON_ERROR_STOP=1",
                "-AtqF",
                "|",
                "-c",
                sql,
            ])
            .output()
            .expect("run psql");
        assert!(output.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("utf-8")
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = Command::new("dropdb")
            .args(["-h", PG_HOST, "-p", &pg_port(), "-U", PG_USER, "--force", "--if-exists", &self.name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Splits an RFC 4180 CSV text into records of fields: quoted fields may hold the separator,
/// quotes and line ends; empty lines are skipped.
pub fn csv(text: &str, separator: char) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) if c == separator => record.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|record| record.len() > 1 || record.first().is_some_and(|field| !field.is_empty()));
    records
}

/// Stdout of a run that must succeed (exit 0), else the test fails showing stderr.
pub fn ok(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Stdout then stderr: for assertion messages, and for checks that no stream holds a secret.
/// What a message says is asserted on its own stream (`stdout`, `stderr`).
pub fn output_text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A decimal literal.
pub fn d(text: &str) -> rust_decimal::Decimal {
    text.parse().expect("decimal literal")
}

/// The fixture: a few rows whose every value is known, covering each type the sandbox serves.
pub fn write_fixture(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("create the fixture");
    conn.execute_batch(tds_sandbox::generate::TABLES_SQL).expect("create the tables");
    conn.execute_batch(FIXTURE).expect("fill the fixture");
}

/// The rows of the fixture, in the sandbox's own tables (`tds_sandbox::generate::TABLES_SQL`).
const FIXTURE: &str = "
INSERT INTO CLIENTS VALUES (1, 'CLI001', 'Hélène Lefèvre', 'Saint-Étienne'),
  (2, 'CLI002', 'Boulangerie L''Épi d''Or', NULL);
INSERT INTO FAMILLES VALUES (1, 'MENUISERIE_EXT', 'Menuiserie extérieure');
INSERT INTO SOUS_FAMILLES VALUES (1, 1, 'FEN_PVC', 'Fenêtres PVC');
INSERT INTO OUVRAGES VALUES
  (1, 'FEN-PVC-120x135', 'Fenêtre PVC 2 vantaux 120×135', 'U', 412.3456, 689.99, 25.5, 12.75, 1, 1, 1),
  (2, 'POSE-H', 'Pose — heure de main d''œuvre', 'H', 0, 55, 30, 10, NULL, NULL, 0);
INSERT INTO DEVIS VALUES
  (1, 'DEVIS-2024-001', 'AFF-2024-0153', 1, 12345678.91, 14814814.69, 42.8571,
   '2024-01-31 10:15:30.1234567', NULL, 'ACCEPTE', 'Éloïse Müller'),
  (2, 'DEVIS-2024-002', NULL, 2, 0.01, 0.01, 0, '2024-02-29 00:00:00', '2024-03-01 08:00:00.5000000',
   'BROUILLON', NULL),
  (3, 'DEVIS-2024-003', 'AFF-2024-0153', 2, 99999999.99, 119999999.99, 18.5, '2024-03-01 08:00:00',
   '2024-03-02 09:30:00', 'REFUSE', 'Jean-François N''Diaye');
INSERT INTO FACTURES VALUES
  (1, 'FA-2024-000001', 'DEVIS-2024-001', 1, 3703703.67, 4444444.40, '2024-02-15', '2024-03-16',
   'PARTIELLEMENT_REGLE', 1000.5),
  (2, 'AV-2024-000001', 'DEVIS-2024-001', 1, -150.25, -180.30, '2024-02-20', '2024-02-20', 'REGLE', -180.3);
";

/// Readiness instead of a fixed delay: reads `child`'s piped stderr until a line contains
/// `marker` (the process says it is at work), then keeps reading in a thread so that it never
/// blocks on a full pipe. The handle gives the whole of stderr once the process has ended. A
/// process that ends before saying it fails the test with what it did say.
pub fn stderr_after(child: &mut Child, marker: &str) -> std::thread::JoinHandle<String> {
    let mut stderr = BufReader::new(child.stderr.take().expect("a piped stderr"));
    let mut said = String::new();
    loop {
        let mut line = String::new();
        let read = stderr.read_line(&mut line).expect("read stderr");
        said.push_str(&line);
        assert!(read > 0, "the process ended without saying « {marker} »: {said}");
        if line.contains(marker) {
            break;
        }
    }
    std::thread::spawn(move || {
        stderr.read_to_string(&mut said).ok();
        said
    })
}
