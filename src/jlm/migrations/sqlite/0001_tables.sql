-- The tables of JLM ERP's Batigest integration, and the sync trace. Amounts are decimal text
-- (exact), times UTC text 'YYYY-MM-DD HH:MM:SS'. Never dropped: only created when missing.
CREATE TABLE IF NOT EXISTS batigest_integrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id INTEGER NULL,
    batigest_ref TEXT NULL,
    numero_devis TEXT NOT NULL,
    montant_batigest TEXT NULL,
    taux_marge TEXT NULL,
    statut_batigest TEXT NULL,
    last_sync_at TEXT NULL,
    sync_status TEXT NOT NULL DEFAULT 'pending'
        CHECK (sync_status IN ('pending', 'synced', 'error', 'manual_review')),
    error_message TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS batigest_integrations_numero_devis_key
    ON batigest_integrations (numero_devis);

CREATE TABLE IF NOT EXISTS batigest_analytics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    periode TEXT NOT NULL,
    ca_realise TEXT NULL,
    ca_prevu TEXT NULL,
    taux_conversion TEXT NULL,
    marge_reelle_moyenne TEXT NULL,
    marge_prevue_moyenne TEXT NULL,
    nombre_devis INTEGER NULL,
    nombre_factures INTEGER NULL,
    data_json TEXT NULL,
    generated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS batigest_sync_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    synced_at TEXT NOT NULL,
    os_user TEXT NULL,
    reference TEXT NULL,
    numero_devis TEXT NULL,
    offer_id INTEGER NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('synced', 'unchanged', 'manual_review', 'error')),
    old_values TEXT NULL,
    new_values TEXT NULL,
    error_message TEXT NULL
);
CREATE INDEX IF NOT EXISTS batigest_sync_log_synced_at ON batigest_sync_log (synced_at);

CREATE TABLE IF NOT EXISTS batigest_sync_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    batigest_started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    since TEXT NULL,
    synced INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    manual_review INTEGER NOT NULL,
    errors INTEGER NOT NULL
);
