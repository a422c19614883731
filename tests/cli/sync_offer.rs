//! `sync-offer` and `integrations` against the sandbox and both JLM stores: the default SQLite
//! file in the test's data dir, and a PostgreSQL database of its own holding JLM ERP's `offers`.

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

use crate::common::{PASSWORD, PgDatabase, Sandbox, command, csv, output_text as text, stderr as err, stdout};

/// The ids of the offers of `fixtures/erp-rows.sql`.
pub const OFFER_DEVIS: &str = "7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11";
pub const OFFER_AFFAIRE: &str = "0b6e2d4c-3f1a-4e8b-9c7d-5a2f1e0d9c88";
/// The integration row JLM ERP wrote itself.
const ERP_DEVIS: &str = "DEVIS-2023-099";

/// A JLM store for one test.
enum Store {
    /// No `--jlm-db`: the SQLite file in the data dir under the test's HOME.
    Default { home: tempfile::TempDir },
    /// `--jlm-db sqlite:PATH`.
    Sqlite { home: tempfile::TempDir },
    /// `--jlm-db postgres://…`, JLM ERP's database.
    Postgres { home: tempfile::TempDir, db: PgDatabase },
}

impl Store {
    fn default_file() -> Self {
        Store::Default { home: tempfile::tempdir().expect("temp dir") }
    }

    fn sqlite_url() -> Self {
        Store::Sqlite { home: tempfile::tempdir().expect("temp dir") }
    }

    fn postgres() -> Option<Self> {
        Some(Store::Postgres { home: tempfile::tempdir().expect("temp dir"), db: PgDatabase::create()? })
    }

    fn home(&self) -> &Path {
        match self {
            Store::Default { home } | Store::Sqlite { home } | Store::Postgres { home, .. } => home.path(),
        }
    }

    /// The SQLite file, for the two SQLite stores.
    fn sqlite_path(&self) -> PathBuf {
        match self {
            Store::Default { home } => home.path().join(".local/share/jlm-batigest/jlm.sqlite"),
            Store::Sqlite { home } => home.path().join("jlm-store.sqlite"),
            Store::Postgres { .. } => unreachable!("PostgreSQL store"),
        }
    }

    fn args(&self) -> Vec<String> {
        match self {
            Store::Default { .. } => Vec::new(),
            Store::Sqlite { .. } => vec!["--jlm-db".to_owned(), format!("sqlite:{}", self.sqlite_path().display())],
            Store::Postgres { db, .. } => vec!["--jlm-db".to_owned(), db.url()],
        }
    }

    fn sqlite(&self) -> rusqlite::Connection {
        let path = self.sqlite_path();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("data dir");
        rusqlite::Connection::open(path).expect("open the store")
    }

    /// JLM ERP's tables as the ERP creates them (on PostgreSQL: its enums, text UUID ids, NOT NULL
    /// columns the tool never writes, an integration row of its own), with three offers: one named
    /// like DEVIS-2024-001, one like the affaire AFF-2024-0153, and an unrelated one.
    fn create_offers(&self) {
        let rows = include_str!("fixtures/erp-rows.sql");
        if let Store::Postgres { db, .. } = self {
            db.psql(include_str!("fixtures/erp-postgres.sql"));
            db.psql(rows);
        } else {
            // The store's own tables first (the ERP row goes into one), then the ERP's offers.
            let output = command(self.home()).args(self.args()).arg("integrations").output().expect("run");
            assert_eq!(output.status.code(), Some(0), "{}", text(&output));
            let sql = format!("{}{rows}", include_str!("fixtures/erp-sqlite.sql"));
            self.sqlite().execute_batch(&sql).expect("create offers");
        }
    }

    /// Rows of `sql` as text, NULL as an empty string.
    fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        if let Store::Postgres { db, .. } = self {
            db.psql(sql).lines().map(|line| line.split('|').map(str::to_owned).collect()).collect()
        } else {
            let conn = self.sqlite();
            let mut statement = conn.prepare(sql).expect("prepare");
            let width = statement.column_count();
            statement
                .query_map([], |row| {
                    (0..width)
                        .map(|i| {
                            Ok(match row.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => String::new(),
                                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                                rusqlite::types::ValueRef::Real(v) => v.to_string(),
                                rusqlite::types::ValueRef::Text(v) => String::from_utf8_lossy(v).into_owned(),
                                rusqlite::types::ValueRef::Blob(_) => "<blob>".to_owned(),
                            })
                        })
                        .collect()
                })
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
        }
    }

    fn count(&self, table: &str) -> usize {
        self.rows(&format!("SELECT COUNT(*) FROM {table}"))[0][0].parse().expect("count")
    }
}

/// A text UUID, as JLM ERP's ids are.
pub fn assert_uuid(id: &str) {
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "not a UUID: {id:?}");
    assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "not a UUID: {id:?}");
}

/// `jlm-batigest ARGS` against `sandbox` and `store`, run by the OS user `comptable`.
fn run(sandbox: &Sandbox, store: &Store, args: &[&str]) -> Output {
    spawn(sandbox, store, args).wait_with_output().expect("run jlm-batigest")
}

fn spawn(sandbox: &Sandbox, store: &Store, args: &[&str]) -> Child {
    let port = sandbox.addr.port().to_string();
    command(store.home())
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .env("USER", "comptable")
        .args(["--server", "127.0.0.1", "--port", &port, "--user", "sa", "--encrypt", "off"])
        .args(store.args())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jlm-batigest")
}

/// Runs one scenario on the default SQLite file and on PostgreSQL.
macro_rules! on_both_stores {
    ($scenario:ident) => {
        mod $scenario {
            #[test]
            fn default_sqlite_file() {
                super::$scenario(&super::Store::default_file());
            }

            #[test]
            fn postgres() {
                if let Some(store) = super::Store::postgres() {
                    super::$scenario(&store);
                }
            }
        }
    };
}

on_both_stores!(first_sync_links_the_offer_then_nothing_changes);
fn first_sync_links_the_offer_then_nothing_changes(store: &Store) {
    let sandbox = Sandbox::with_fixture(&[]);
    store.create_offers();
    let output = run(&sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-001", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let csv = stdout(&output);
    assert!(
        csv.contains(&format!("DEVIS-2024-001,{OFFER_DEVIS},synced,offre.montant_final,10000.50,12345678.91,")),
        "{csv}"
    );
    assert!(csv.contains(&format!("DEVIS-2024-001,{OFFER_DEVIS},synced,offre.batigest_ref,,DEVIS-2024-001,")), "{csv}");

    let offer =
        store.rows(&format!("SELECT CAST(montant_final AS TEXT), batigest_ref FROM offers WHERE id = '{OFFER_DEVIS}'"));
    assert_eq!(offer, [["12345678.91", "DEVIS-2024-001"]]);
    let integration = store.rows(
        "SELECT offer_id, batigest_ref, CAST(montant_batigest AS TEXT), CAST(taux_marge AS TEXT), statut_batigest, \
         CAST(sync_status AS TEXT), CAST(updated_at AS TEXT), id FROM batigest_integrations WHERE numero_devis = 'DEVIS-2024-001'",
    );
    assert_eq!(integration.len(), 1);
    assert_eq!(integration[0][..6], [OFFER_DEVIS, "AFF-2024-0153", "12345678.91", "42.86", "ACCEPTE", "synced"]);
    assert_uuid(&integration[0][7]);
    let log = store.rows(
        "SELECT os_user, reference, numero_devis, offer_id, outcome, CAST(old_values AS TEXT), CAST(new_values AS TEXT) \
         FROM batigest_sync_log",
    );
    assert_eq!(log.len(), 1);
    assert_eq!(log[0][..5], ["comptable", "DEVIS-2024-001", "DEVIS-2024-001", OFFER_DEVIS, "synced"]);
    let old: serde_json::Value = serde_json::from_str(&log[0][5]).expect("old values");
    let new: serde_json::Value = serde_json::from_str(&log[0][6]).expect("new values");
    assert_eq!(old["offre.montant_final"], "10000.50");
    assert_eq!(new["offre.montant_final"], "12345678.91");
    assert_eq!(new["integration.sync_status"], "synced");

    let again = run(&sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-001"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(err(&again).contains("déjà à jour"), "{}", text(&again));
    let after = store.rows(
        "SELECT offer_id, batigest_ref, CAST(montant_batigest AS TEXT), CAST(taux_marge AS TEXT), statut_batigest, \
         CAST(sync_status AS TEXT), CAST(updated_at AS TEXT), id FROM batigest_integrations WHERE numero_devis = 'DEVIS-2024-001'",
    );
    assert_eq!(after, integration, "an identical sync changes nothing");
    let offer = format!("SELECT CAST(montant_final AS TEXT) FROM offers WHERE id = '{OFFER_DEVIS}'");
    assert_eq!(store.rows(&offer), [["12345678.91"]]);
    let outcomes = store.rows("SELECT outcome FROM batigest_sync_log ORDER BY seq");
    assert_eq!(outcomes, [["synced"], ["unchanged"]], "every attempt is traced");
}

on_both_stores!(a_devis_without_offer_waits_for_manual_review);
fn a_devis_without_offer_waits_for_manual_review(store: &Store) {
    let sandbox = Sandbox::with_fixture(&[]);
    store.create_offers();
    let output = run(&sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-002"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(err(&output).contains("vérification manuelle"), "{}", text(&output));
    let rows = store.rows(
        "SELECT offer_id, CAST(sync_status AS TEXT), error_message FROM batigest_integrations \
         WHERE numero_devis = 'DEVIS-2024-002'",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][..2], ["", "manual_review"]);
    assert!(rows[0][2].contains("DEVIS-2024-002"), "{rows:?}");
    assert_eq!(store.rows("SELECT outcome FROM batigest_sync_log"), [["manual_review"]]);

    // --offer links it by hand; an offer that does not exist is exit 4 and changes nothing.
    let unknown = "9d2f0c1e-0000-4000-8000-000000000999";
    let output = run(&sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-002", "--offer", unknown]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(err(&output).contains(unknown), "{}", text(&output));
    let output = run(&sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-002", "--offer", OFFER_AFFAIRE]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        store.rows(
            "SELECT offer_id, CAST(sync_status AS TEXT) FROM batigest_integrations WHERE numero_devis = 'DEVIS-2024-002'"
        ),
        [[OFFER_AFFAIRE, "synced"]]
    );
    assert_eq!(
        store.rows(&format!(
            "SELECT CAST(montant_final AS TEXT), batigest_ref FROM offers WHERE id = '{OFFER_AFFAIRE}'"
        )),
        [["0.01", "DEVIS-2024-002"]]
    );
    let outcomes = store.rows("SELECT outcome FROM batigest_sync_log ORDER BY seq");
    assert_eq!(outcomes, [["manual_review"], ["error"], ["synced"]]);
}

on_both_stores!(dry_run_writes_nothing);
fn dry_run_writes_nothing(store: &Store) {
    let sandbox = Sandbox::with_fixture(&[]);
    store.create_offers();
    let output = run(&sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-001", "--dry-run", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stdout(&output).contains("offre.montant_final,10000.50,12345678.91"), "{}", text(&output));
    assert!(err(&output).contains("rien n'a été écrit"), "{}", text(&output));
    // (SQLite's NUMERIC affinity keeps 10000.50 as the number 10000.5.)
    let offer =
        store.rows(&format!("SELECT CAST(montant_final AS TEXT), batigest_ref FROM offers WHERE id = '{OFFER_DEVIS}'"));
    assert_eq!(offer[0][0].parse::<f64>().ok(), Some(10000.5), "{offer:?}");
    assert_eq!(offer[0][1], "", "{offer:?}");
    assert_eq!(store.count("batigest_integrations"), 1, "only JLM ERP's own row");
    assert_eq!(store.count("batigest_sync_log"), 0);

    let output = run(&sandbox, store, &["sync-offer", "--all", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(store.count("batigest_integrations"), 1);
    assert_eq!(store.count("batigest_sync_log"), 0);
    assert_eq!(store.count("batigest_sync_batches"), 0);
}

#[test]
fn unknown_and_ambiguous_references_are_exit_4() {
    let sandbox = Sandbox::with_fixture(&[]);
    let store = Store::sqlite_url();
    let reference = "X'; DROP TABLE DEVIS; --";
    let output = run(&sandbox, &store, &["sync-offer", "--ref", reference]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(
        err(&output).contains(&format!("Aucun devis trouvé dans Batigest avec la référence {reference}")),
        "{}",
        text(&output)
    );

    let output = run(&sandbox, &store, &["sync-offer", "--ref", "AFF-2024-0153"]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    let message = err(&output);
    assert!(message.contains("DEVIS-2024-001") && message.contains("DEVIS-2024-003"), "{message}");
    assert!(message.contains("numéro exact"), "{message}");
    assert_eq!(store.count("batigest_sync_log"), 0);

    // The devis table is still there: the quote above was only a value.
    let output = run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-003"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(store.rows("SELECT CAST(montant_batigest AS TEXT) FROM batigest_integrations"), [["99999999.99"]]);
}

/// Three more committed devis; DEVIS-2024-006's margin does not fit JLM ERP's NUMERIC(5,2).
const MORE_DEVIS: &str = "
INSERT INTO DEVIS VALUES
  (4, 'DEVIS-2024-004', 'AFF-2024-0200', 1, 1500.10, 1800.12, 25, '2024-04-02 09:00:00', '2024-04-03 10:00:00',
   'VALIDE', NULL),
  (5, 'DEVIS-2024-005', NULL, 2, 2500.55, 3000.66, 30.125, '2024-05-02 09:00:00', NULL, 'ACCEPTE', NULL),
  (6, 'DEVIS-2024-006', NULL, 2, 100, 120, 1500, '2024-06-02 09:00:00', NULL, 'ACCEPTE', NULL);
";

on_both_stores!(a_batch_goes_on_after_an_error_and_sums_up);
fn a_batch_goes_on_after_an_error_and_sums_up(store: &Store) {
    let sandbox = Sandbox::with_fixture_plus(MORE_DEVIS, &[]);
    store.create_offers();
    let output = run(&sandbox, store, &["sync-offer", "--all"]);
    assert_eq!(output.status.code(), Some(1), "one devis failed: {}", text(&output));
    // A batch's table shows the devis to look at, one line each, not every change of every devis.
    let table = stdout(&output);
    for numero in ["DEVIS-2024-004", "DEVIS-2024-005", "DEVIS-2024-006"] {
        let lines = table.lines().filter(|line| line.starts_with(&format!("│ {numero} "))).count();
        assert_eq!(lines, 1, "{numero}: {table}");
    }
    assert!(!table.contains("DEVIS-2024-001"), "a synced devis needs no look: {table}");
    let message = err(&output);
    assert!(
        message.contains("Synchronisation (tous les devis) : 1 synchronisé, 0 inchangé, 2 à vérifier, 1 erreur."),
        "{message}"
    );
    let rows =
        store.rows("SELECT numero_devis, CAST(sync_status AS TEXT) FROM batigest_integrations ORDER BY numero_devis");
    assert_eq!(
        rows,
        [
            [ERP_DEVIS, "pending"],
            ["DEVIS-2024-001", "synced"],
            ["DEVIS-2024-004", "manual_review"],
            ["DEVIS-2024-005", "manual_review"],
            ["DEVIS-2024-006", "error"],
        ]
    );
    let errors = store.rows("SELECT numero_devis, error_message FROM batigest_sync_log WHERE outcome = 'error'");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0][0], "DEVIS-2024-006");
    assert!(errors[0][1].contains("taux de marge"), "{errors:?}");
    // The failed devis is where users look for it, with its message.
    let output = run(&sandbox, store, &["integrations", "--statut", "error", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = csv(&stdout(&output), ',');
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[1][0], "DEVIS-2024-006");
    assert!(records[1].iter().any(|field| field.contains("NUMERIC(5,2)")), "{records:?}");
    assert_eq!(
        store.rows(
            "SELECT CAST(montant_batigest AS TEXT), CAST(taux_marge AS TEXT) FROM batigest_integrations \
                    WHERE numero_devis = 'DEVIS-2024-005'"
        ),
        [["2500.55", "30.13"]]
    );

    // A batch with an error is not a starting point: the next one looks at everything again.
    let output = run(&sandbox, store, &["sync-offer", "--all", "--since", "01/05/2024"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(err(&output).contains("0 synchronisé, 1 inchangé, 0 à vérifier, 1 erreur"), "{}", text(&output));
}

#[test]
fn the_next_batch_starts_where_the_last_successful_one_did() {
    let sandbox = Sandbox::with_fixture_plus("UPDATE DEVIS SET STATUT = 'VALIDE' WHERE ID = 2;", &[]);
    let store = Store::default_file();
    let output = run(&sandbox, &store, &["sync-offer", "--all"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(err(&output).contains("2 synchronisés, 0 inchangé, 0 à vérifier, 0 erreur"), "{}", text(&output));
    // Without an offers table, a devis is recorded and linked to nothing.
    assert_eq!(store.rows("SELECT COUNT(*) FROM batigest_integrations WHERE sync_status = 'synced'"), [["2"]]);
    let ids = store.rows("SELECT id FROM batigest_integrations UNION ALL SELECT id FROM batigest_sync_log");
    assert_eq!(ids.len(), 4);
    for id in &ids {
        assert_uuid(&id[0]);
    }
    let output = run(&sandbox, &store, &["sync-offer", "--all"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // Since the previous batch: « Synchronisation (depuis le JJ/MM/AAAA HH:MM…) : 0 synchronisé, … ».
    let summary = err(&output);
    assert!(
        summary.lines().any(|line| line.starts_with("Synchronisation (depuis le ")
            && line.ends_with(") : 0 synchronisé, 0 inchangé, 0 à vérifier, 0 erreur.")),
        "{}",
        text(&output)
    );
    assert_eq!(store.count("batigest_sync_batches"), 2);
}

/// A hundred more committed devis: enough rows for the sandbox to send whole packets before it
/// drops the connection.
const HUNDRED_DEVIS: &str = "
WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 109)
INSERT INTO DEVIS SELECT i, 'DEVIS-2024-' || printf('%04d', i), NULL, 1, 100 + i, 120 + i, 20,
  '2024-07-01 08:00:00', NULL, 'VALIDE', NULL FROM n;
";

on_both_stores!(batigest_lost_midway_keeps_what_was_committed);
fn batigest_lost_midway_keeps_what_was_committed(store: &Store) {
    let sandbox = Sandbox::with_fixture_plus(HUNDRED_DEVIS, &["--drop-after-rows", "80"]);
    let output = run(&sandbox, store, &["sync-offer", "--all"]);
    assert_eq!(output.status.code(), Some(3), "Batigest lost: {}", text(&output));
    let synced = store.count("batigest_integrations");
    // The sandbox sends the 80 rows, then cuts the connection in the middle of the result.
    assert_eq!(synced, 80, "the devis read before the drop stay synced");
    // Each of them whole: its integration row and its log row.
    assert_eq!(store.rows("SELECT COUNT(*) FROM batigest_sync_log WHERE outcome = 'synced'"), [[synced.to_string()]]);
    let errors = store.rows("SELECT numero_devis, error_message FROM batigest_sync_log WHERE outcome = 'error'");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0][0], "", "the error is the batch's, not a devis'");
    assert_eq!(store.rows("SELECT errors FROM batigest_sync_batches"), [["1"]]);
    assert!(
        err(&output).contains(&format!("{synced} synchronisés, 0 inchangé, 0 à vérifier, 1 erreur")),
        "{}",
        text(&output)
    );
}

on_both_stores!(two_batches_at_once_neither_duplicate_nor_lose_rows);
fn two_batches_at_once_neither_duplicate_nor_lose_rows(store: &Store) {
    let sandbox = Sandbox::with_fixture_plus(MORE_DEVIS.replace("1500, '2024-06-02", "15, '2024-06-02").as_str(), &[]);
    store.create_offers();
    // The store exists before the race, as it does after any first run.
    let output = run(&sandbox, store, &["integrations"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // The same starting date for both, or the second might rightly start after the first's batch.
    let batch = ["sync-offer", "--all", "--since", "2024-01-01"];
    let first = spawn(&sandbox, store, &batch);
    let second = spawn(&sandbox, store, &batch);
    for child in [first, second] {
        let output = child.wait_with_output().expect("wait");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    assert_eq!(store.count("batigest_integrations"), 5, "one row per devis, and JLM ERP's own");
    assert_eq!(store.count("batigest_sync_log"), 8, "one row per attempt");
    let outcomes = store.rows("SELECT outcome, COUNT(*) FROM batigest_sync_log GROUP BY outcome ORDER BY outcome");
    assert_eq!(outcomes, [["manual_review", "3"], ["synced", "1"], ["unchanged", "4"]]);
}

on_both_stores!(integrations_in_csv_are_exact_to_the_cent);
fn integrations_in_csv_are_exact_to_the_cent(store: &Store) {
    let sandbox = Sandbox::with_fixture(&[]);
    store.create_offers();
    for reference in ["DEVIS-2024-001", "DEVIS-2024-003"] {
        let output = run(&sandbox, store, &["sync-offer", "--ref", reference]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let output = run(&sandbox, store, &["integrations", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = csv(&stdout(&output), ',');
    let header = &records[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let by_numero = |numero: &str| {
        records.iter().find(|r| r[column("numero_devis")] == numero).unwrap_or_else(|| panic!("{numero}")).clone()
    };
    let first = by_numero("DEVIS-2024-001");
    assert_eq!(first[column("montant_batigest")], "12345678.91");
    assert_eq!(first[column("montant_final")], "12345678.91");
    assert_eq!(first[column("offre_id")], OFFER_DEVIS);
    assert_eq!(first[column("offre_client")], "Hélène Lefèvre");
    assert_eq!(first[column("taux_marge")], "42.86");
    let third = by_numero("DEVIS-2024-003");
    // Linked through its affaire reference, the only offer that names it.
    assert_eq!(third[column("offre_id")], OFFER_AFFAIRE);
    assert_eq!(third[column("offre_client")], "Boulangerie L'Épi d'Or");
    assert_eq!(third[column("montant_batigest")], "99999999.99");
    assert_eq!(third[column("montant_final")], "99999999.99");
    assert_eq!(third[column("statut_batigest")], "REFUSE");
    // JLM ERP's own row, never synced by the tool, comes last with its offer.
    assert_eq!(records.len(), 4);
    let erp = &records[3];
    assert_eq!(erp[column("numero_devis")], ERP_DEVIS);
    assert_eq!(erp[column("offre_client")], "Mairie de Vienne");
    assert_eq!(erp[column("offre_statut")], "signe");
    assert_eq!(erp[column("sync_status")], "pending");
    // Newest first.
    assert_eq!(records[1][column("numero_devis")], "DEVIS-2024-003");

    let output = run(&sandbox, store, &["integrations", "--journal", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let journal: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let entries = journal["journal"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["numero_devis"], "DEVIS-2024-003");
    assert_eq!(entries[0]["utilisateur"], "comptable");
    assert_uuid(entries[0]["id"].as_str().expect("a text id"));
    assert_eq!(entries[0]["offre_id"], OFFER_AFFAIRE);

    // --limit keeps the newest rows, of the trace and of the journal.
    let output = run(&sandbox, store, &["integrations", "--limit", "1", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let limited = csv(&stdout(&output), ',');
    assert_eq!(limited.len(), 2, "{limited:?}");
    assert_eq!(limited[1][column("numero_devis")], "DEVIS-2024-003");
    let output = run(&sandbox, store, &["integrations", "--journal", "--limit", "1", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let journal: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let entries = journal["journal"].as_array().expect("entries");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["numero_devis"], "DEVIS-2024-003");
}

#[test]
fn a_store_that_cannot_be_written_is_exit_5() {
    let sandbox = Sandbox::with_fixture(&[]);
    let store = Store::default_file();
    // A path under a regular file cannot be created, even by root.
    let blocker = store.home().join("not-a-dir");
    std::fs::write(&blocker, "").expect("file");
    let url = format!("sqlite:{}/jlm.sqlite", blocker.display());
    let output = run(&sandbox, &store, &["--jlm-db", &url, "sync-offer", "--ref", "DEVIS-2024-001"]);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output));
    assert!(err(&output).contains("magasin JLM"), "{}", text(&output));

    // A store opened read-only refuses the sync: nothing half done, exit 5.
    let output = run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-001"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let read_only = format!("sqlite:{}?mode=ro", store.sqlite_path().display());
    let output = run(&sandbox, &store, &["--jlm-db", &read_only, "sync-offer", "--ref", "DEVIS-2024-003"]);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output));
    assert_eq!(store.count("batigest_integrations"), 1);
    // Reading still works on it.
    let output = run(&sandbox, &store, &["--jlm-db", &read_only, "integrations", "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(csv(&stdout(&output), ',').len(), 2, "the header and the one synced devis");

    // An unreachable PostgreSQL: exit 5, and the password never shows.
    let output = run(
        &sandbox,
        &store,
        &["--jlm-db", "postgres://jlm:TopSecret42@127.0.0.1:1/jlm", "--timeout", "5", "integrations"],
    );
    assert_eq!(output.status.code(), Some(5), "{}", text(&output));
    assert!(!text(&output).contains("TopSecret42"), "{}", text(&output));
    assert!(err(&output).contains("postgres://jlm:********@127.0.0.1:1/jlm"), "{}", text(&output));

    let output = run(&sandbox, &store, &["--jlm-db", "mysql://jlm@erp/jlm", "integrations"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
}

/// Readiness: the batch has written its first devis to the store's trace, so it is surely inside
/// the batch (the poll reads the store; a minute without a row fails the test).
#[cfg(unix)]
fn wait_for_first_devis(store: &Store) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    while store.count("batigest_sync_log") == 0 {
        assert!(std::time::Instant::now() < deadline, "the batch never synced a devis");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_with_130_and_a_trace() {
    let store = Store::default_file();
    // Each answer of Batigest takes 700 ms: the batch is still running when it is interrupted.
    let sandbox = Sandbox::with_fixture_plus(HUNDRED_DEVIS, &["--latency-ms", "700"]);
    // The store exists, as it does after any first run.
    assert_eq!(run(&sandbox, &store, &["integrations"]).status.code(), Some(0));
    let child = spawn(&sandbox, &store, &["sync-offer", "--all"]);
    wait_for_first_devis(&store);
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("exit");
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    let errors = store.rows("SELECT error_message FROM batigest_sync_log WHERE outcome = 'error'");
    assert_eq!(errors.len(), 1, "{errors:?}\n{}", text(&output));
    assert!(errors[0][0].starts_with("interrompu (Ctrl-C) : synchronisation arrêtée"), "{errors:?}");
}

/// SIGTERM (a scheduler's time limit, `systemctl stop`, `kill`) is handled as Ctrl-C is: the devis
/// in flight rolls back, the trace says why, the previous export stays whole, no temporary file is
/// left, and the exit code is the shell's for SIGTERM, 143.
#[cfg(unix)]
#[test]
fn sigterm_ends_with_143_a_trace_and_the_previous_export() {
    let store = Store::default_file();
    let sandbox = Sandbox::with_fixture_plus(HUNDRED_DEVIS, &["--latency-ms", "300"]);
    let export = store.home().join("synchro.csv");
    std::fs::write(&export, "export du mois dernier\n").expect("previous export");
    assert_eq!(run(&sandbox, &store, &["integrations"]).status.code(), Some(0));
    let child = spawn(&sandbox, &store, &["sync-offer", "--all", "-o", export.to_str().expect("utf-8")]);
    wait_for_first_devis(&store);
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("exit");
    assert_eq!(output.status.code(), Some(143), "{}", text(&output));
    assert!(
        crate::common::stderr(&output).contains("Erreur : interrompu (SIGTERM) : synchronisation arrêtée"),
        "{}",
        crate::common::stderr(&output)
    );
    let errors = store.rows("SELECT error_message FROM batigest_sync_log WHERE outcome = 'error'");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0][0].starts_with("interrompu (SIGTERM)"), "{errors:?}");
    assert_eq!(std::fs::read_to_string(&export).expect("export"), "export du mois dernier\n");
    let names: Vec<String> = std::fs::read_dir(store.home())
        .expect("home")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("synchro"))
        .collect();
    assert_eq!(names, ["synchro.csv"]);
}

/// README « Formats de sortie » : « un échec laisse le fichier précédent intact, sans export
/// tronqué ni fichier temporaire ». A batch that Batigest cuts midway (exit 3) is such a failure:
/// the previous export stays, and the message says where the trace of what was synced is.
#[test]
fn a_batch_cut_by_batigest_leaves_the_previous_export() {
    let sandbox = Sandbox::with_fixture_plus(HUNDRED_DEVIS, &["--drop-after-rows", "80"]);
    let store = Store::default_file();
    let export = store.home().join("synchro.csv");
    std::fs::write(&export, "export de la veille\n").expect("previous export");
    let output =
        run(&sandbox, &store, &["sync-offer", "--all", "--format", "csv", "-o", export.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(output.stdout.is_empty(), "the report goes to the file: {}", stdout(&output));
    let said = crate::common::stderr(&output);
    assert!(said.contains("80 synchronisés, 0 inchangé, 0 à vérifier, 1 erreur"), "{said}");
    assert!(
        said.contains(&format!(
            "Aide : les devis synchronisés avant la coupure le restent, chacun tracé dans le magasin JLM \
             (« jlm-batigest integrations --journal ») ; {} n'a pas été remplacé",
            export.display()
        )),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&export).expect("export"), "export de la veille\n");
    let names: Vec<String> = std::fs::read_dir(store.home())
        .expect("home")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("synchro"))
        .collect();
    assert_eq!(names, ["synchro.csv"], "no temporary file left");
    // The trace is where the message says.
    assert_eq!(store.rows("SELECT COUNT(*) FROM batigest_sync_log WHERE outcome = 'synced'"), [["80"]]);

    // A batch that goes to its end replaces the export.
    let sandbox = Sandbox::with_fixture(&[]);
    let output = run(
        &sandbox,
        &store,
        &["sync-offer", "--all", "--since", "2024-01-01", "--format", "csv", "-o", export.to_str().expect("utf-8")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(std::fs::read_to_string(&export).expect("export").starts_with("numero_devis,"));
}

/// A batch in a table with nothing to look at says so in a sentence, not with an empty table box.
#[test]
fn a_batch_with_nothing_to_review_says_it_in_a_sentence() {
    let sandbox = Sandbox::with_fixture(&[]);
    let store = Store::default_file();
    let output = run(&sandbox, &store, &["sync-offer", "--all"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(stdout(&output), "", "no table");
    let said = crate::common::stderr(&output);
    assert!(said.contains("Aucun devis à vérifier ni en erreur.\n"), "{said}");
    assert!(
        said.contains("Synchronisation (tous les devis) : 1 synchronisé, 0 inchangé, 0 à vérifier, 0 erreur."),
        "{said}"
    );
}

/// The fixture with a second devis under DEVIS-2024-001 (Batigest does not forbid it).
const SAME_NUMBER: &str = "
ALTER TABLE DEVIS RENAME TO DEVIS_UNIQUE;
CREATE TABLE DEVIS (ID INT PRIMARY KEY, NUMERO_DEVIS NVARCHAR(50) NOT NULL,
  REFERENCE_AFFAIRE NVARCHAR(50) NULL, CLIENT_ID INT NOT NULL,
  MONTANT_HT DECIMAL(18,2) NOT NULL, MONTANT_TTC DECIMAL(18,2) NOT NULL, TAUX_MARGE DECIMAL(9,4) NOT NULL,
  DATE_CREATION DATETIME2 NOT NULL, DATE_VALIDATION DATETIME2 NULL,
  STATUT NVARCHAR(20) NOT NULL, RESPONSABLE NVARCHAR(100) NULL);
INSERT INTO DEVIS SELECT * FROM DEVIS_UNIQUE;
DROP TABLE DEVIS_UNIQUE;
INSERT INTO DEVIS VALUES (7, 'DEVIS-2024-001', NULL, 2, 111.11, 133.33, 20, '2024-05-01 09:00:00', NULL, 'VALIDE', NULL);
";

/// Issue 27, item 9: two devis under one number. `--ref` picked one silently; `--all` rewrote the
/// one integration row with each in turn on every batch and logged « synced » each time. Now
/// `--ref` is exit 4 naming both, and a batch holds the number for review, once, with the reason.
#[test]
fn two_devis_under_one_number_are_refused_by_name_and_held_for_review() {
    let sandbox = Sandbox::with_fixture_plus(SAME_NUMBER, &[]);
    let store = Store::default_file();
    let output = run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-001"]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    let said = crate::common::stderr(&output).replace(['\u{202f}', '\u{a0}'], " ");
    assert!(
        said.contains(
            "Erreur : le numéro DEVIS-2024-001 désigne 2 devis dans Batigest : DEVIS-2024-001 (Hélène Lefèvre, ACCEPTE, \
             12 345 678,91 €, créé le 31/01/2024) ; DEVIS-2024-001 (Boulangerie L'Épi d'Or, VALIDE, 111,11 €, créé le \
             01/05/2024)"
        ),
        "{said}"
    );
    assert!(said.contains("Aide : un numéro de devis doit désigner un seul devis"), "{said}");
    assert_eq!(stdout(&output), "");
    assert_eq!(store.count("batigest_integrations"), 0, "nothing synced");

    for batch in 1..=2 {
        let output = run(&sandbox, &store, &["sync-offer", "--all", "--since", "2024-01-01", "--format", "csv"]);
        assert_eq!(output.status.code(), Some(0), "batch {batch}: {}", text(&output));
        let lines: Vec<String> =
            stdout(&output).lines().filter(|line| line.starts_with("DEVIS-2024-001,")).map(str::to_owned).collect();
        let expected = if batch == 1 { ",manual_review," } else { ",unchanged," };
        assert!(!lines.is_empty() && lines.iter().all(|line| line.contains(expected)), "batch {batch}: {lines:?}");
    }
    let rows = store.rows(
        "SELECT CAST(sync_status AS TEXT), COALESCE(CAST(montant_batigest AS TEXT), ''), error_message \
         FROM batigest_integrations WHERE numero_devis = 'DEVIS-2024-001'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "manual_review");
    assert_eq!(rows[0][1], "", "neither amount written: which devis is meant is not known");
    assert!(rows[0][2].contains("désigne 2 devis dans Batigest"), "{rows:?}");
    let outcomes = store.rows(
        "SELECT outcome FROM batigest_sync_log WHERE numero_devis = 'DEVIS-2024-001' ORDER BY synced_at, outcome",
    );
    assert_eq!(outcomes, [["manual_review"], ["unchanged"]], "one line per batch, never « synced »");
}
