-- The store's tables, created only where missing: the same names and columns as JLM ERP's own
-- (text UUID ids), so that moving to the ERP's database brings no surprise. Amounts are decimal
-- text (exact), times UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'.
CREATE TABLE IF NOT EXISTS batigest_integrations (
    id TEXT PRIMARY KEY NOT NULL,
    offer_id TEXT NULL,
    batigest_ref TEXT NULL,
    numero_devis TEXT NULL,
    montant_batigest TEXT NULL,
    taux_marge TEXT NULL,
    statut_batigest TEXT NULL,
    last_sync_at TEXT NULL,
    sync_status TEXT NULL DEFAULT 'pending'
        CHECK (sync_status IN ('pending', 'synced', 'error', 'manual_review')),
    error_message TEXT NULL,
    created_at TEXT NULL,
    updated_at TEXT NULL
);
CREATE INDEX IF NOT EXISTS batigest_integrations_numero_devis ON batigest_integrations (numero_devis);

CREATE TABLE IF NOT EXISTS batigest_analytics (
    id TEXT PRIMARY KEY NOT NULL,
    periode TEXT NULL,
    ca_realise TEXT NULL,
    ca_prevu TEXT NULL,
    taux_conversion TEXT NULL,
    marge_reelle_moyenne TEXT NULL,
    marge_prevue_moyenne TEXT NULL,
    nombre_devis INTEGER NULL,
    nombre_factures INTEGER NULL,
    data_json TEXT NULL,
    generated_at TEXT NULL
);

-- Ours: one row per sync attempt. `seq` orders the attempts; `id` is the text UUID users see.
CREATE TABLE IF NOT EXISTS batigest_sync_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    synced_at TEXT NOT NULL,
    os_user TEXT NULL,
    reference TEXT NULL,
    numero_devis TEXT NULL,
    offer_id TEXT NULL,
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
