//! The JLM store on JLM ERP's real tables (DESIGN §4): text UUID ids, French columns, PostgreSQL
//! enums, NOT NULL columns the tool never writes, rows the ERP wrote itself — left exactly as they
//! are; safe relinking; and a store written by release 0.1 (integer ids) migrated without loss.

use std::path::Path;
use std::process::Output;

use crate::common::{PgDatabase, Sandbox, command, csv, output_text as text, stderr as err, stdout};
use crate::sync_offer::{OFFER_AFFAIRE, OFFER_DEVIS, assert_uuid};

/// `jlm-batigest --jlm-db STORE ARGS` against `sandbox`, in the sandbox's HOME.
fn run(sandbox: &Sandbox, store: &str, args: &[&str]) -> Output {
    sandbox.client().env("USER", "comptable").args(["--jlm-db", store]).args(args).output().expect("run")
}

fn ok(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(0), "{}", text(output));
    stdout(output)
}

/// Every definition of the ERP's three tables: columns with their types, defaults and nullability,
/// constraints, indexes, and the values of their enums.
fn definitions(db: &PgDatabase) -> String {
    let tables = "('offers', 'batigest_integrations', 'batigest_analytics')";
    [
        format!(
            "SELECT table_name, ordinal_position, column_name, data_type, udt_name, is_nullable, column_default, \
             character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name IN {tables} ORDER BY table_name, ordinal_position"
        ),
        format!(
            "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid::regclass::text IN {tables} ORDER BY 1, 2"
        ),
        format!("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename IN {tables} ORDER BY 1, 2"),
        "SELECT t.typname, e.enumsortorder, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid \
         ORDER BY 1, 2"
            .to_owned(),
    ]
    .iter()
    .map(|sql| db.psql(sql))
    .collect::<Vec<_>>()
    .join("\n")
}

/// The offers as rows of every column but the two the sync may write.
fn offers_but_synced_columns(db: &PgDatabase) -> String {
    db.psql(
        "SELECT id, reference, ao_id, client, location, menuiserie_type, montant_estime, intitule_operation, \
         departement, status, dpgf_data, be_hours_estimated, montant_propose, taux_marge, is_priority, created_at, \
         updated_at FROM offers ORDER BY id",
    )
}

/// A database with JLM ERP's tables (DESIGN §4) and its rows: three offers, one integration row.
pub fn erp_database() -> Option<PgDatabase> {
    let db = PgDatabase::create()?;
    db.psql(include_str!("fixtures/erp-postgres.sql"));
    db.psql(include_str!("fixtures/erp-rows.sql"));
    Some(db)
}

/// Devis beyond the fixture's: DEVIS-2024-004 will take DEVIS-2024-001's offer.
const MORE_DEVIS: &str = "
INSERT INTO DEVIS VALUES
  (4, 'DEVIS-2024-004', NULL, 1, 1500.10, 1800.12, 25, '2024-04-02 09:00:00', '2024-04-03 10:00:00', 'VALIDE', NULL),
  (5, 'DEVIS-2024-005', NULL, 2, 25000000000.00, 30000000000.00, 20, '2024-05-02 09:00:00', NULL, 'ACCEPTE', NULL);
";

#[test]
fn every_store_command_works_on_the_erp_tables_and_leaves_them_as_they_are() {
    let Some(db) = erp_database() else { return };
    let sandbox = Sandbox::with_fixture_plus(MORE_DEVIS, &[]);
    let store = db.url();
    let before = definitions(&db);
    let untouched = offers_but_synced_columns(&db);

    // By reference (the offer named DEVIS-2024-001), then the same again: nothing changes.
    let first = ok(&run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-001", "--format", "csv"]));
    assert!(first.contains(&format!("DEVIS-2024-001,{OFFER_DEVIS},synced,offre.montant_final,10000.50,12345678.91")));
    let again = run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-001"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(err(&again).contains("DEVIS-2024-001 : déjà à jour, rien n'a changé."), "{}", text(&again));
    // Already linked: the next sync finds the offer through the link, even once it is renamed.
    db.psql(&format!("UPDATE offers SET reference = 'RENOMMEE' WHERE id = '{OFFER_DEVIS}'"));
    let renamed = run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-001"]);
    assert_eq!(renamed.status.code(), Some(0), "{}", text(&renamed));
    assert!(err(&renamed).contains("DEVIS-2024-001 : déjà à jour, rien n'a changé."), "{}", text(&renamed));
    db.psql(&format!("UPDATE offers SET reference = 'DEVIS-2024-001' WHERE id = '{OFFER_DEVIS}'"));
    // By affaire reference.
    ok(&run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-003"]));
    assert_eq!(
        db.psql(&format!("SELECT montant_final, batigest_ref FROM offers WHERE id = '{OFFER_AFFAIRE}'")),
        "99999999.99|DEVIS-2024-003\n"
    );
    // An unknown --offer: exit 4 and nothing written.
    let log_rows = db.psql("SELECT COUNT(*) FROM batigest_sync_log");
    let unknown = "9d2f0c1e-0000-4000-8000-000000000999";
    let output = run(&sandbox, &store, &["sync-offer", "--ref", "DEVIS-2024-002", "--offer", unknown]);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(err(&output).contains(unknown), "{}", text(&output));
    assert_eq!(db.psql("SELECT COUNT(*) FROM batigest_integrations WHERE numero_devis = 'DEVIS-2024-002'"), "0\n");

    // The batch: DEVIS-2024-004 has no offer (review); DEVIS-2024-005 is too large for NUMERIC(12,2).
    let output = run(&sandbox, &store, &["sync-offer", "--all", "--since", "2024-01-01"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(err(&output).contains("1 inchangé, 1 à vérifier, 1 erreur"), "{}", text(&output));
    let status = db.psql(
        "SELECT numero_devis, sync_status, offer_id FROM batigest_integrations ORDER BY numero_devis, created_at",
    );
    assert_eq!(
        status,
        format!(
            "DEVIS-2023-099|pending|c3d9e8f7-a6b5-4c4d-8e2f-1a0b9c8d7e6f\nDEVIS-2024-001|synced|{OFFER_DEVIS}\n\
             DEVIS-2024-003|synced|{OFFER_AFFAIRE}\nDEVIS-2024-004|manual_review|\nDEVIS-2024-005|error|\n"
        )
    );
    let error = db.psql("SELECT error_message FROM batigest_integrations WHERE numero_devis = 'DEVIS-2024-005'");
    assert!(error.contains("25000000000.00") && error.contains("NUMERIC(12,2)"), "{error}");
    assert_ne!(db.psql("SELECT COUNT(*) FROM batigest_sync_log"), log_rows);

    // The listings, with text ids.
    let listed = ok(&run(&sandbox, &store, &["integrations", "--format", "json"]));
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("json");
    let rows = listed["integrations"].as_array().expect("rows");
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().any(|row| row["offre_id"] == OFFER_DEVIS && row["offre_statut"] == "en_cours_chiffrage"));
    let journal = ok(&run(&sandbox, &store, &["integrations", "--journal", "--format", "json"]));
    let journal: serde_json::Value = serde_json::from_str(&journal).expect("json");
    for entry in journal["journal"].as_array().expect("entries") {
        assert_uuid(entry["id"].as_str().expect("text id"));
    }
    let errors = ok(&run(&sandbox, &store, &["integrations", "--statut", "error", "--format", "csv"]));
    assert_eq!(csv(&errors, ',').len(), 2, "{errors}");

    // KPIs saved into the ERP's batigest_analytics, and read back by their UUID.
    let period = ["--from", "2024-01-01", "--to", "2024-12-31", "--periode", "trimestriel"];
    ok(&run(&sandbox, &store, &[&["analytics", "--format", "json"], &period[..]].concat()));
    let history = ok(&run(&sandbox, &store, &["analytics", "history", "--format", "json"]));
    let history: serde_json::Value = serde_json::from_str(&history).expect("json");
    let id = history["historique"][0]["id"].as_str().expect("text id").to_owned();
    assert_uuid(&id);
    assert_eq!(db.psql("SELECT periode, jsonb_typeof(data_json) FROM batigest_analytics"), "trimestriel|object\n");
    ok(&run(&sandbox, &store, &["analytics", "history", "--id", &id, "--format", "json"]));
    ok(&run(&sandbox, &store, &["dashboard", "--format", "json"]));

    assert_eq!(definitions(&db), before, "the ERP's tables are exactly as they were");
    assert_eq!(offers_but_synced_columns(&db), untouched, "no other column of an offer changed");
    assert_eq!(
        db.psql(
            "SELECT CAST(COUNT(*) AS TEXT) FROM pg_tables WHERE tablename LIKE 'batigest%' AND schemaname = 'public'"
        ),
        "7\n",
        "only the tool's own tables were added: sync_log, sync_batches, schema_migrations, alertes, sync_buckets"
    );
}

/// Relinking on both stores: an offer carries one devis; `--relink` moves the link explicitly.
fn relink(sandbox: &Sandbox, store: &str, rows: &dyn Fn(&str) -> String) {
    ok(&run(sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-001"]));
    // DEVIS-2024-004 onto DEVIS-2024-001's offer: refused, naming the devis that holds it.
    let output = run(sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-004", "--offer", OFFER_DEVIS]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(err(&output).contains("déjà liée au devis DEVIS-2024-001"), "{}", text(&output));
    assert!(err(&output).contains("--relink"), "{}", text(&output));
    assert_eq!(rows("SELECT COUNT(*) FROM batigest_integrations WHERE numero_devis = 'DEVIS-2024-004'"), "0");

    // --relink moves it: DEVIS-2024-001 waits for review, both changes are in the journal.
    let output = run(
        sandbox,
        store,
        &["sync-offer", "--ref", "DEVIS-2024-004", "--offer", OFFER_DEVIS, "--relink", "--format", "csv"],
    );
    let printed = ok(&output);
    assert!(printed.contains("DEVIS-2024-001,,manual_review,integration.offer_id"), "{printed}");
    assert_eq!(
        rows(
            "SELECT numero_devis || ':' || COALESCE(offer_id, '-') || ':' || CAST(sync_status AS TEXT) \
              FROM batigest_integrations WHERE numero_devis LIKE 'DEVIS-2024-%' ORDER BY numero_devis"
        ),
        format!("DEVIS-2024-001:-:manual_review\nDEVIS-2024-004:{OFFER_DEVIS}:synced")
    );
    assert_eq!(rows(&format!("SELECT batigest_ref FROM offers WHERE id = '{OFFER_DEVIS}'")), "DEVIS-2024-004");
    let journal = rows(
        "SELECT numero_devis || ':' || outcome FROM batigest_sync_log WHERE numero_devis LIKE 'DEVIS-2024-%' ORDER BY seq",
    );
    assert_eq!(
        journal, "DEVIS-2024-001:synced\nDEVIS-2024-004:error\nDEVIS-2024-001:manual_review\nDEVIS-2024-004:synced",
        "the refusal is traced, and the move is two lines of one transaction"
    );

    // Moving DEVIS-2024-004 on to another offer clears the offer it leaves.
    let output = run(sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-004", "--offer", OFFER_AFFAIRE]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(err(&output).contains(&format!("déjà lié à l'offre JLM ERP {OFFER_DEVIS}")), "{}", text(&output));
    ok(&run(sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-004", "--offer", OFFER_AFFAIRE, "--relink"]));
    assert_eq!(rows(&format!("SELECT COALESCE(batigest_ref, '-') FROM offers WHERE id = '{OFFER_DEVIS}'")), "-");
    assert_eq!(rows(&format!("SELECT batigest_ref FROM offers WHERE id = '{OFFER_AFFAIRE}'")), "DEVIS-2024-004");
    // The plain sync that follows keeps it there.
    let output = run(sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-004"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(err(&output).contains("DEVIS-2024-004 : déjà à jour, rien n'a changé."), "{}", text(&output));
}

#[test]
fn relinking_is_explicit_on_postgresql() {
    let Some(db) = erp_database() else { return };
    let sandbox = Sandbox::with_fixture_plus(MORE_DEVIS, &[]);
    relink(&sandbox, &db.url(), &|sql| db.psql(sql).trim_end().to_owned());
}

#[test]
fn relinking_is_explicit_on_sqlite() {
    let sandbox = Sandbox::with_fixture_plus(MORE_DEVIS, &[]);
    let path = sandbox.path("jlm.sqlite");
    let store = format!("sqlite:{}", path.display());
    ok(&run(&sandbox, &store, &["integrations"]));
    let sql = format!("{}{}", include_str!("fixtures/erp-sqlite.sql"), include_str!("fixtures/erp-rows.sql"));
    rusqlite::Connection::open(&path).and_then(|conn| conn.execute_batch(&sql)).expect("ERP offers");
    relink(&sandbox, &store, &|sql| sqlite_rows(&path, sql));
}

fn sqlite_rows(path: &Path, sql: &str) -> String {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut statement = conn.prepare(sql).expect("prepare");
    let rows: Vec<String> = statement
        .query_map([], |row| row.get::<_, rusqlite::types::Value>(0))
        .expect("query")
        .map(|value| match value.expect("row") {
            rusqlite::types::Value::Null => String::new(),
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Real(n) => n.to_string(),
            rusqlite::types::Value::Text(text) => text,
            rusqlite::types::Value::Blob(_) => "<blob>".to_owned(),
        })
        .collect();
    rows.join("\n")
}

#[test]
fn a_missing_erp_column_is_exit_5_naming_it() {
    let Some(db) = erp_database() else { return };
    db.psql("ALTER TABLE offers DROP COLUMN montant_final");
    let before = definitions(&db);
    let sandbox = Sandbox::with_fixture(&[]);
    let output = run(&sandbox, &db.url(), &["sync-offer", "--ref", "DEVIS-2024-001"]);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output));
    assert!(err(&output).contains("la table offers n'a pas de colonne montant_final"), "{}", text(&output));
    assert_eq!(definitions(&db), before, "nothing added to the ERP's tables");
}

#[test]
fn an_empty_sqlite_path_is_a_usage_error() {
    let sandbox = Sandbox::with_fixture(&[]);
    for url in ["sqlite:", "sqlite://", "sqlite:?mode=rwc"] {
        let output = run(&sandbox, url, &["integrations"]);
        assert_eq!(output.status.code(), Some(2), "{url}: {}", text(&output));
        assert!(err(&output).contains("sans chemin de fichier"), "{}", text(&output));
    }
}

#[test]
fn a_relative_sqlite_path_in_a_profile_is_relative_to_the_file() {
    let home = tempfile::tempdir().expect("home");
    let dir = home.path().join("conf");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = dir.join("jlm.toml");
    std::fs::write(&config, "[profiles.default]\njlm_db = \"sqlite:magasin/jlm.sqlite\"\n").expect("config");
    std::fs::create_dir_all(dir.join("magasin")).expect("dir");
    let output = command(home.path())
        .current_dir(home.path())
        .env("JLM_BATIGEST_CONFIG", &config)
        .args(["integrations"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(dir.join("magasin/jlm.sqlite").is_file(), "the store sits beside the configuration file");
    assert!(!home.path().join("magasin").exists());
}

/// Rows written by release 0.1 (integer ids): two integrations (one linked to offer 1), two
/// analytics runs, three journal lines, a batch.
const V1_ROWS: &str = "
INSERT INTO batigest_integrations (id, offer_id, batigest_ref, numero_devis, montant_batigest, taux_marge,
  statut_batigest, last_sync_at, sync_status, error_message, created_at, updated_at) VALUES
  (1, 1, 'AFF-2024-0153', 'DEVIS-2024-001', '12345678.91', '42.86', 'ACCEPTE', '2024-06-01 10:00:00', 'synced',
   NULL, '2024-06-01 10:00:00', '2024-06-01 10:00:00'),
  (2, NULL, 'DEVIS-2024-002', 'DEVIS-2024-002', '0.01', '0.00', 'BROUILLON', '2024-06-02 10:00:00',
   'manual_review', 'aucune offre JLM ERP ne correspond à DEVIS-2024-002', '2024-06-02 10:00:00',
   '2024-06-02 10:00:00');
INSERT INTO batigest_analytics (id, periode, ca_realise, ca_prevu, taux_conversion, marge_reelle_moyenne,
  marge_prevue_moyenne, nombre_devis, nombre_factures, data_json, generated_at) VALUES
  (1, 'mensuel', '100.00', '200.00', '50.00', NULL, '30.00', 2, 1, '{\"indicateurs\":[]}', '2024-06-01 09:00:00'),
  (2, 'annuel', '300.00', '400.00', '75.00', '12.50', '20.00', 4, 3, NULL, '2024-06-03 09:00:00');
INSERT INTO batigest_sync_log (id, synced_at, os_user, reference, numero_devis, offer_id, outcome, old_values,
  new_values, error_message) VALUES
  (1, '2024-06-01 10:00:00', 'comptable', 'DEVIS-2024-001', 'DEVIS-2024-001', 1, 'synced',
   '{\"offre.final_amount\":null}', '{\"offre.final_amount\":\"12345678.91\"}', NULL),
  (2, '2024-06-01 10:00:00', 'comptable', 'DEVIS-2024-001', 'DEVIS-2024-001', 1, 'unchanged', NULL, NULL, NULL),
  (3, '2024-06-02 10:00:00', 'comptable', 'DEVIS-2024-002', 'DEVIS-2024-002', NULL, 'manual_review', NULL, NULL,
   NULL);
INSERT INTO batigest_sync_batches (id, started_at, batigest_started_at, finished_at, since, synced, unchanged,
  manual_review, errors) VALUES (1, '2024-06-02 10:00:00', '2024-06-02 10:00:00', '2024-06-02 10:00:01', NULL, 1, 0,
  1, 0);
";

fn check_migrated(sandbox: &Sandbox, store: &str) {
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&ok(&run(sandbox, store, &[args, &["--format", "json"]].concat()))).expect("json")
    };
    let integrations = json(&["integrations"]);
    let rows = integrations["integrations"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{integrations}");
    assert_eq!(rows[1]["numero_devis"], "DEVIS-2024-001");
    assert_eq!(rows[1]["offre_id"], "1", "still linked to its offer, by its id as text");
    assert_eq!(rows[1]["offre_reference"], "DEVIS-2024-001");
    assert_eq!(rows[1]["montant_batigest"].to_string(), "12345678.91");
    assert_eq!(rows[0]["sync_status"], "manual_review");

    let journal = json(&["integrations", "--journal"]);
    let entries = journal["journal"].as_array().expect("entries");
    let order: Vec<&str> = entries.iter().map(|entry| entry["resultat"].as_str().expect("outcome")).collect();
    assert_eq!(order, ["manual_review", "unchanged", "synced"], "the journal keeps its order");
    for entry in entries {
        assert_uuid(entry["id"].as_str().expect("text id"));
    }
    assert_eq!(entries[2]["offre_id"], "1");

    let history = json(&["analytics", "history"]);
    let runs = history["historique"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["periode"], "annuel");
    assert_eq!(runs[1]["ca_prevu"].to_string(), "200.00");
    let id = runs[1]["id"].as_str().expect("text id").to_owned();
    assert_uuid(&id);
    json(&["analytics", "history", "--id", &id]);

    // And the store goes on: the next batch starts after the migrated one, syncs still work.
    let output = run(sandbox, store, &["sync-offer", "--ref", "DEVIS-2024-003"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(json(&["integrations"])["integrations"].as_array().expect("rows").len(), 3);
}

#[test]
fn a_release_0_1_sqlite_store_is_migrated_in_place_with_nothing_lost() {
    let sandbox = Sandbox::with_fixture(&[]);
    let path = sandbox.path("v1.sqlite");
    let old = format!(
        "{}\nCREATE TABLE batigest_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);\n\
         INSERT INTO batigest_schema_migrations VALUES (1, '2024-06-01 09:00:00');\n\
         CREATE TABLE offers (id INTEGER PRIMARY KEY, reference TEXT NOT NULL, client TEXT, status TEXT,
           montant_final NUMERIC, batigest_ref TEXT);\n\
         INSERT INTO offers VALUES (1, 'DEVIS-2024-001', 'Hélène Lefèvre', 'en_cours', 12345678.91, 'DEVIS-2024-001');\n\
         {V1_ROWS}",
        include_str!("fixtures/store-v1-sqlite.sql")
    );
    rusqlite::Connection::open(&path).and_then(|conn| conn.execute_batch(&old)).expect("a 0.1 store");
    check_migrated(&sandbox, &format!("sqlite:{}", path.display()));
}

#[test]
fn a_release_0_1_postgres_store_is_migrated_in_place_with_nothing_lost() {
    let Some(db) = PgDatabase::create() else { return };
    db.psql(include_str!("fixtures/store-v1-postgres.sql"));
    db.psql(
        "CREATE TABLE batigest_schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMP NOT NULL); \
         INSERT INTO batigest_schema_migrations VALUES (1, '2024-06-01 09:00:00'); \
         CREATE TABLE offers (id VARCHAR PRIMARY KEY, reference VARCHAR NOT NULL, client VARCHAR, status VARCHAR, \
           montant_final NUMERIC(12,2), batigest_ref VARCHAR); \
         INSERT INTO offers VALUES ('1', 'DEVIS-2024-001', 'Hélène Lefèvre', 'en_cours', 12345678.91, 'DEVIS-2024-001');",
    );
    db.psql(V1_ROWS);
    // The rows above carry their ids, as release 0.1 wrote them; its sequences had moved on with them.
    db.psql(
        "SELECT setval('batigest_sync_log_id_seq', 3); SELECT setval('batigest_integrations_id_seq', 2); \
         SELECT setval('batigest_analytics_id_seq', 2); SELECT setval('batigest_sync_batches_id_seq', 1);",
    );
    let sandbox = Sandbox::with_fixture(&[]);
    check_migrated(&sandbox, &db.url());
    let sync_status = "SELECT udt_name FROM information_schema.columns WHERE table_name = 'batigest_integrations' \
                       AND column_name = 'sync_status'";
    assert_eq!(db.psql(sync_status), "batigest_sync_status\n", "rebuilt as JLM ERP defines it");
}

/// Issue 29, item 3: `[sync] statuts` carries a devis' status to its offer, forward along the ERP's
/// enum only; without the map the offer's status is left alone; a map naming a status outside either
/// list is refused before anything is read.
#[test]
fn statuses_move_an_offer_forward_only_and_only_with_a_map() {
    let Some(db) = erp_database() else { return };
    let sandbox = Sandbox::with_fixture(&[]);
    let store = db.url();
    let status = || db.psql(&format!("SELECT status FROM offers WHERE id = '{OFFER_DEVIS}'")).trim().to_owned();
    let with_config = |config: &str, args: &[&str]| {
        let path = sandbox.path("statuts.toml");
        std::fs::write(&path, config).expect("config");
        sandbox
            .client()
            .env("JLM_BATIGEST_CONFIG", &path)
            .env("USER", "comptable")
            .args(["--jlm-db", &store])
            .args(args)
            .output()
            .expect("run")
    };
    let map = "[profiles.default.sync.statuts]\nACCEPTE = \"signe\"\nVALIDE = \"valide\"\n";
    assert_eq!(status(), "en_cours_chiffrage");

    // No map: the amount is synced, the status is not touched (DEVIS-2024-001 is ACCEPTE).
    let output = with_config("", &["sync-offer", "--ref", "DEVIS-2024-001", "--format", "csv"]);
    let csv_out = ok(&output);
    assert!(!csv_out.contains("offre.status"), "{csv_out}");
    assert_eq!(status(), "en_cours_chiffrage");

    // With the map: moved to `signe`, in the answer and in the trace like an amount.
    let output = with_config(map, &["sync-offer", "--ref", "DEVIS-2024-001", "--format", "csv"]);
    let csv_out = ok(&output);
    assert!(
        csv_out.contains(&format!("DEVIS-2024-001,{OFFER_DEVIS},synced,offre.status,en_cours_chiffrage,signe,")),
        "{csv_out}"
    );
    assert_eq!(status(), "signe");
    let trace = db.psql(
        "SELECT CAST(old_values AS TEXT) || ' ' || CAST(new_values AS TEXT) FROM batigest_sync_log \
         WHERE numero_devis = 'DEVIS-2024-001' ORDER BY seq DESC LIMIT 1",
    );
    assert!(
        trace.contains("\"offre.status\": \"en_cours_chiffrage\"") && trace.contains("\"offre.status\": \"signe\""),
        "{trace}"
    );

    // Never backwards: the ERP moved the offer on; the devis still says ACCEPTE (→ signe).
    db.psql(&format!("UPDATE offers SET status = 'transforme_en_projet' WHERE id = '{OFFER_DEVIS}'"));
    let output = with_config(map, &["sync-offer", "--ref", "DEVIS-2024-001", "--format", "csv"]);
    assert!(!ok(&output).contains("offre.status"));
    assert_eq!(status(), "transforme_en_projet");
    // Never out of termine or archive, even towards a later status.
    db.psql(&format!("UPDATE offers SET status = 'termine' WHERE id = '{OFFER_DEVIS}'"));
    let output = with_config(
        "[profiles.default.sync.statuts]\nACCEPTE = \"archive\"\n",
        &["sync-offer", "--ref", "DEVIS-2024-001"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(status(), "termine");

    // A status outside either list: exit 2 naming it and what is allowed, nothing written.
    for (config, named) in [
        ("[profiles.default.sync.statuts]\nACCEPTE = \"signé\"\n", "ACCEPTE = « signé » n'en est pas un"),
        ("[profiles.default.sync.statuts]\nGAGNE = \"signe\"\n", "« GAGNE » n'en est pas un"),
    ] {
        let output = with_config(config, &["sync-offer", "--ref", "DEVIS-2024-001"]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        let said = crate::common::stderr(&output);
        assert!(said.contains(named), "{said}");
        assert!(said.contains("brouillon, etude_technique") || said.contains("BROUILLON, VALIDE"), "{said}");
    }
    assert_eq!(status(), "termine");
}
