//! Issue 29: the automatic sync (`sync-offer --all --watch`, `serve --sync-interval`) against the
//! sandbox serving a SQLite dossier that the test edits while the watcher runs, on JLM ERP's real
//! tables (PostgreSQL, DESIGN §4) and on the embedded SQLite store.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Sandbox, output_text as text, stderr as err};
use crate::erp_store::erp_database;
use crate::sync_offer::OFFER_DEVIS;

/// Long enough for a pass on a loaded CI machine, short enough for the test to see several.
const INTERVAL: &str = "300ms";
const PATIENCE: Duration = Duration::from_mins(1);

/// The map of the statuses, as a profile writes it.
const STATUTS: &str = "[profiles.default.sync.statuts]\nVALIDE = \"valide\"\nACCEPTE = \"signe\"\n";

/// A running watcher: its stdout (one line per change) and stderr (passes, with -v) as they come.
pub struct Watcher {
    child: Child,
    out: Receiver<String>,
    said: Receiver<String>,
    /// Every line seen so far, for the failure messages.
    seen: Vec<String>,
}

impl Watcher {
    pub fn spawn(command: &mut Command) -> Self {
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start the watcher");
        let out = lines(child.stdout.take().expect("stdout"));
        let said = lines(child.stderr.take().expect("stderr"));
        Self { child, out, said, seen: Vec::new() }
    }

    /// The next stdout line matching `wanted` (lines before it are kept in `seen`).
    fn change(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(format!("out: {line}"));
                    let value: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("NDJSON: {line}"));
                    if wanted(&value) {
                        return value;
                    }
                }
                Err(error) => panic!("no such change ({error}); seen:\n{}\n{}", self.seen.join("\n"), self.rest()),
            }
        }
    }

    /// Waits for `count` more stderr lines containing `marker`.
    pub fn passes(&mut self, marker: &str, count: usize) {
        let deadline = Instant::now() + PATIENCE;
        let mut found = 0;
        while found < count {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.said.recv_timeout(left) {
                Ok(line) => {
                    found += usize::from(line.contains(marker));
                    self.seen.push(format!("err: {line}"));
                }
                Err(error) => panic!("never said « {marker} » ({error}); seen:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Stdout lines written since the last look.
    pub fn new_changes(&mut self) -> Vec<String> {
        self.out.try_iter().collect()
    }

    pub fn rest(&self) -> String {
        self.said.try_iter().collect::<Vec<_>>().join("\n")
    }

    pub fn signal(&mut self, signal: &str) -> std::process::ExitStatus {
        let status = Command::new("kill").args([signal, &self.child.id().to_string()]).status().expect("kill");
        assert!(status.success());
        self.child.wait().expect("wait")
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(pipe: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// `sync-offer --all --watch` on `store` with `config`, NDJSON on stdout, each pass said on stderr.
fn watcher(sandbox: &Sandbox, store: &str, config: &str) -> Watcher {
    let path = sandbox.path("veille.toml");
    std::fs::write(&path, config).expect("config");
    Watcher::spawn(
        sandbox
            .client()
            .env("JLM_BATIGEST_CONFIG", &path)
            .env("USER", "comptable")
            .args(["-v", "--jlm-db", store, "sync-offer", "--all", "--watch", "--interval", INTERVAL])
            .args(["--format", "ndjson"]),
    )
}

fn is(numero: &str, champ: &str, apres: &str) -> impl Fn(&Value) -> bool {
    move |v: &Value| v["numero_devis"] == numero && v["champ"] == champ && v["apres"] == apres
}

#[test]
fn the_watch_keeps_jlm_erp_current_forward_only_and_survives_kill_9() {
    let Some(db) = erp_database() else { return };
    // DEVIS-2024-001 starts VALIDE (the fixture has it ACCEPTE); 002 is a draft, 003 refused.
    let sandbox = Sandbox::with_fixture_plus("UPDATE DEVIS SET STATUT = 'VALIDE' WHERE ID = 1;", &[]);
    let store = db.url();
    let offer =
        |column: &str| db.psql(&format!("SELECT {column} FROM offers WHERE id = '{OFFER_DEVIS}'")).trim().to_owned();
    let journal = || db.psql("SELECT COUNT(*) FROM batigest_sync_log").trim().parse::<u64>().expect("count");

    let mut watch = watcher(&sandbox, &store, STATUTS);
    // The first pass: the offer takes the devis' amount and moves en_cours_chiffrage → valide.
    watch.change(is("DEVIS-2024-001", "offre.montant_final", "12345678.91"));
    watch.change(is("DEVIS-2024-001", "offre.status", "valide"));
    watch.passes("passe de synchronisation", 1);
    assert_eq!(offer("status"), "valide");
    assert_eq!(offer("montant_final"), "12345678.91");

    // Quiet passes write nothing: no journal row, no output line.
    watch.passes("passe calme", 1);
    let _first_pass = watch.new_changes();
    let written = journal();
    watch.passes("passe calme", 3);
    assert_eq!(journal(), written, "a quiet pass wrote to the journal");
    assert_eq!(watch.new_changes(), Vec::<String>::new());

    // Batigest changes: an amount, a status (→ signe), and a new accepted devis with no offer.
    sandbox.edit(
        "UPDATE DEVIS SET MONTANT_HT = 13000.5, STATUT = 'ACCEPTE' WHERE ID = 1;
         INSERT INTO DEVIS VALUES (9, 'DEVIS-2024-009', NULL, 1, 4200.00, 5040.00, 30, '2024-06-03 09:00:00',
           '2024-06-04 10:00:00', 'ACCEPTE', NULL);",
    );
    let amount = watch.change(is("DEVIS-2024-001", "offre.montant_final", "13000.50"));
    assert_eq!(amount["avant"], "12345678.91");
    let moved = watch.change(is("DEVIS-2024-001", "offre.status", "signe"));
    assert_eq!(moved["avant"], "valide");
    watch.change(|v| v["numero_devis"] == "DEVIS-2024-009" && v["resultat"] == "manual_review");
    watch.passes("passe de synchronisation", 1);
    assert_eq!((offer("status"), offer("montant_final")), ("signe".to_owned(), "13000.50".to_owned()));

    // The ERP moves alone: an offer for DEVIS-2024-009 appears; the next pass links it.
    db.psql(
        "INSERT INTO offers (id, reference, client, location, menuiserie_type, montant_estime, status, departement, \
         is_priority) VALUES ('11111111-2222-4333-8444-555566667777', 'DEVIS-2024-009', 'SCI Les Tilleuls', 'Lyon', \
         'fenetre', 4000.00, 'valide', '69', false)",
    );
    watch.change(is("DEVIS-2024-009", "offre.montant_final", "4200.00"));
    watch.change(is("DEVIS-2024-009", "offre.status", "signe"));
    watch.passes("passe de synchronisation", 1);

    // Back to VALIDE in Batigest: the integration follows, the offer does not go back.
    sandbox.edit("UPDATE DEVIS SET STATUT = 'VALIDE' WHERE ID = 1;");
    watch.change(is("DEVIS-2024-001", "integration.statut_batigest", "VALIDE"));
    watch.passes("passe de synchronisation", 1);
    assert_eq!(offer("status"), "signe");

    // kill -9, a change while nobody watches, a restart: the change arrives, nothing is doubled.
    let killed = watch.signal("-KILL");
    assert_eq!(killed.code(), None, "killed by a signal");
    sandbox.edit("UPDATE DEVIS SET MONTANT_HT = 14000 WHERE ID = 1;");
    let mut watch = watcher(&sandbox, &store, STATUTS);
    watch.change(is("DEVIS-2024-001", "offre.montant_final", "14000.00"));
    watch.passes("passe calme", 2);
    let duplicates = db.psql(
        "SELECT numero_devis FROM batigest_integrations GROUP BY numero_devis HAVING COUNT(*) > 1 \
         UNION ALL SELECT reference FROM offers GROUP BY reference HAVING COUNT(*) > 1",
    );
    assert_eq!(duplicates.trim(), "", "a devis or an offer twice");
    assert_eq!(offer("montant_final"), "14000.00");

    // A second watcher on the same store waits for its turn.
    let mut second = watcher(&sandbox, &store, STATUTS);
    second.passes("un autre veilleur synchronise déjà ce magasin", 1);
    assert_eq!(second.new_changes(), Vec::<String>::new());

    // SIGTERM: exit 0, said; then the second one takes over.
    let ended = watch.signal("-TERM");
    assert_eq!(ended.code(), Some(0), "{}", watch.rest());
    sandbox.edit("UPDATE DEVIS SET MONTANT_HT = 15000 WHERE ID = 1;");
    second.change(is("DEVIS-2024-001", "offre.montant_final", "15000.00"));
    assert_eq!(second.signal("-TERM").code(), Some(0));
    second.passes("Veille arrêtée (SIGTERM)", 1);
}

/// On the embedded SQLite store: the lock file next to it, text lines for a person, the webhook.
#[test]
fn the_watch_on_the_embedded_store_posts_each_changed_pass_to_the_webhook() {
    let receiver = crate::alertes::Receiver::start(&[]);
    let sandbox = Sandbox::with_fixture(&[]);
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let config = format!("[profiles.default.sync.webhook]\nurl = \"{}\"\nsigner = true\n", receiver.url());
    let path = sandbox.path("veille.toml");
    std::fs::write(&path, &config).expect("config");
    let mut watch = Watcher::spawn(
        sandbox
            .client()
            .env("JLM_BATIGEST_CONFIG", &path)
            .env("JLM_BATIGEST_WEBHOOK_SECRET", "cle-de-signature-du-test")
            .args(["-v", "--jlm-db", &store, "sync-offer", "--all", "--watch", "--interval", INTERVAL]),
    );
    watch.passes("passe de synchronisation", 1);
    watch.passes("passe calme", 2);
    assert!(sandbox.path("jlm.sqlite-veille").is_file(), "the watcher's lock file");
    // Text lines: the devis, what happened, the value old → new.
    let first: Vec<String> = watch.new_changes();
    assert!(
        first
            .iter()
            .any(|line| line.contains("DEVIS-2024-001  synced  integration.montant_batigest : (vide) → 12345678.91")),
        "{first:?}"
    );
    sandbox.edit("UPDATE DEVIS SET MONTANT_HT = 100.1 WHERE ID = 1;");
    watch.passes("passe de synchronisation", 1);
    watch.passes("passe calme", 1);
    assert_eq!(watch.signal("-TERM").code(), Some(0));

    // One POST per pass that changed something (two), none for the quiet ones; signed, typed.
    let posts = receiver.received();
    assert_eq!(posts.len(), 2, "{posts:?}");
    let body = posts[1].json();
    assert_eq!(body["type"], "synchronisation");
    assert_eq!(body["nombre"], 1);
    assert_eq!(body["envoi"], posts[1].header("X-Jlm-Delivery").expect("delivery id"));
    assert!(posts[1].header("X-Jlm-Signature").is_some_and(|s| s.starts_with("sha256=")));
    let devis = &body["devis"][0];
    assert_eq!(devis["numero_devis"], "DEVIS-2024-001");
    let amount = devis["changements"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["champ"] == "integration.montant_batigest")
        .expect("the amount")
        .clone();
    // Exact decimals, as JSON numbers.
    assert_eq!(serde_json::to_string(&amount["avant"]).expect("json"), "12345678.91");
    assert_eq!(serde_json::to_string(&amount["apres"]).expect("json"), "100.10");
}

/// `serve --sync-interval`: the same loop beside the routes; `GET /sync-status` tells its last pass.
#[test]
fn serve_keeps_the_store_current_and_tells_its_last_pass() {
    let sandbox = Sandbox::with_fixture(&[]);
    let server = crate::serve::Server::start(&sandbox, &["-v", "--sync-interval", INTERVAL]);
    // Said in serve's log, as the access log is.
    server.wait_for("Synchronisation automatique : 1 devis synchronisé, 0 à vérifier, 0 erreur");
    server.wait_for("passe calme");
    let (status, body) = server.get("/api/batigest/sync-status");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], true);
    assert_eq!(body["intervalSeconds"], 0.3);
    assert!(body["passes"].as_u64().is_some_and(|n| n >= 2), "{body}");
    assert!(body["lastError"].is_null(), "{body}");
    let (status, integrations) = server.get("/api/batigest/integrations");
    assert_eq!(status, 200, "{integrations}");
    assert!(integrations.to_string().contains("DEVIS-2024-001"), "{integrations}");

    // Without the option: inactive.
    let plain = crate::serve::Server::start(
        &sandbox,
        &["--jlm-db", &format!("sqlite:{}", sandbox.path("autre.sqlite").display())],
    );
    let (_, body) = plain.get("/api/batigest/sync-status");
    assert_eq!(body["active"], false, "{body}");
}

/// What makes no sense is refused before anything runs, in French, naming the value (exit 2).
#[test]
fn watch_options_that_make_no_sense_are_refused() {
    let sandbox = Sandbox::with_fixture(&[]);
    for (args, said) in [
        (&["sync-offer", "--ref", "DEVIS-2024-001", "--watch"][..], "--watch"),
        (&["sync-offer", "--all", "--interval", "5s"][..], "--watch"),
        (&["sync-offer", "--all", "--watch", "--interval", "0s"][..], "0s"),
        (&["sync-offer", "--all", "--watch", "--interval=-5s"][..], "négative"),
        (&["sync-offer", "--all", "--watch", "--interval", "3 jours"][..], "ms, s, m ou h"),
        (&["sync-offer", "--all", "--watch", "--dry-run"][..], "--dry-run"),
        (&["sync-offer", "--all", "--watch", "--since", "2024-01-01"][..], "--since"),
        (&["--format", "json", "sync-offer", "--all", "--watch"][..], "--format ndjson"),
        (&["-o", "veille.csv", "sync-offer", "--all", "--watch"][..], "-o veille.csv"),
        (&["serve", "--sync-interval", "25h"][..], "24h"),
    ] {
        let output = sandbox.run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        assert!(err(&output).contains(said), "{args:?}: {}", err(&output));
    }
    assert!(!sandbox.path("veille.csv").exists());
}

/// A stop while Batigest does not answer (frozen with SIGSTOP) ends the watch at once with 0: no
/// devis is in progress, nothing waits for the server's ten-minute timeout.
#[test]
fn a_stop_while_batigest_is_frozen_ends_the_watch_with_0() {
    let sandbox = Sandbox::with_fixture(&[]);
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let mut watch = Watcher::spawn(sandbox.client().args([
        "-v",
        "--timeout",
        "600",
        "--jlm-db",
        &store,
        "sync-offer",
        "--all",
        "--watch",
        "--interval",
        INTERVAL,
    ]));
    watch.passes("passe calme", 1);
    let pid = sandbox.pid().to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().expect("kill").success());
    // The next pass is waiting for the server's answer.
    std::thread::sleep(Duration::from_secs(1));
    let ended = watch.signal("-TERM");
    assert!(Command::new("kill").args(["-CONT", &pid]).status().expect("kill").success());
    assert_eq!(ended.code(), Some(0), "{}", watch.rest());
    watch.passes("Veille arrêtée (SIGTERM)", 1);
}

/// The real Batigest layout (DESIGN §3): codes of eight digits, integer `Etat` codes named by the
/// dossier's own list, a quote accepted by its `DateConcretis` whatever its code, fields the
/// built-in mapping does not know. The watch syncs what an independent reading of the file calls
/// committed, and sees a quote become accepted by its date alone.
#[test]
fn the_watch_reads_the_real_layout_as_its_mapping_says() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dossier = dir.path().join("btg.sqlite");
    let file = dossier.to_str().expect("UTF-8 path");
    let real = Sandbox::start(&["--generate", "300", "--seed", "11", "--layout", "batigest", "--db", file]);
    let (mapping, _) = crate::real_layout::completed_mapping(&real, &crate::real_layout::ETATS, &[]);
    let raw = |sql: &str| -> i64 {
        rusqlite::Connection::open(&dossier).and_then(|c| c.query_row(sql, [], |row| row.get(0))).expect("read")
    };
    let store = real.path("jlm.sqlite");
    let synced = || {
        rusqlite::Connection::open(&store)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM batigest_integrations", [], |row| row.get::<_, i64>(0)))
            .expect("the store")
    };
    let mut watch = Watcher::spawn(real.client().args([
        "-v",
        "--database",
        "BTG_DOS_DEMO",
        "--schema",
        &mapping,
        "--jlm-db",
        &format!("sqlite:{}", store.display()),
        "sync-offer",
        "--all",
        "--watch",
        "--interval",
        INTERVAL,
        "--format",
        "ndjson",
    ]));
    watch.passes("passe calme", 1);
    // Committed, read straight from the file: accepted by DateConcretis, or validated (code 7).
    let committed = raw("SELECT COUNT(*) FROM Devis WHERE DateConcretis IS NOT NULL OR Etat = 7");
    assert!(committed > 0);
    assert_eq!(synced(), committed);

    // A quote sent (code 4) gets its DateConcretis: accepted, so committed, at the next pass.
    let code: String = rusqlite::Connection::open(&dossier)
        .and_then(|c| {
            c.query_row("SELECT Code FROM Devis WHERE DateConcretis IS NULL AND Etat = 4 LIMIT 1", [], |r| r.get(0))
        })
        .expect("a sent quote");
    rusqlite::Connection::open(&dossier)
        .and_then(|c| c.execute("UPDATE Devis SET DateConcretis = Date WHERE Code = ?1", [&code]))
        .expect("accept it");
    watch.change(move |v| {
        v["numero_devis"] == code.as_str() && v["champ"] == "integration.statut_batigest" && v["apres"] == "ACCEPTE"
    });
    watch.passes("passe de synchronisation", 1);
    assert_eq!(synced(), committed + 1);
    assert_eq!(watch.signal("-TERM").code(), Some(0));
}
