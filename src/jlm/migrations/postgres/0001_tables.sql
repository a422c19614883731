-- The tables of JLM ERP's Batigest integration, and the sync trace. Times are UTC.
-- Never dropped: only created when missing (JLM ERP may have created the first two already).
CREATE TABLE IF NOT EXISTS batigest_integrations (
    id SERIAL PRIMARY KEY,
    offer_id INTEGER NULL,
    batigest_ref VARCHAR(50) NULL,
    numero_devis VARCHAR(50) NOT NULL,
    montant_batigest NUMERIC(12, 2) NULL,
    taux_marge NUMERIC(5, 2) NULL,
    statut_batigest VARCHAR(20) NULL,
    last_sync_at TIMESTAMP NULL,
    sync_status VARCHAR(20) NOT NULL DEFAULT 'pending'
        CHECK (sync_status IN ('pending', 'synced', 'error', 'manual_review')),
    error_message TEXT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX IF NOT EXISTS batigest_integrations_numero_devis_key
    ON batigest_integrations (numero_devis);

CREATE TABLE IF NOT EXISTS batigest_analytics (
    id SERIAL PRIMARY KEY,
    periode VARCHAR(20) NOT NULL,
    ca_realise NUMERIC(14, 2) NULL,
    ca_prevu NUMERIC(14, 2) NULL,
    taux_conversion NUMERIC(7, 2) NULL,
    marge_reelle_moyenne NUMERIC(7, 2) NULL,
    marge_prevue_moyenne NUMERIC(7, 2) NULL,
    nombre_devis INTEGER NULL,
    nombre_factures INTEGER NULL,
    data_json JSONB NULL,
    generated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE IF NOT EXISTS batigest_sync_log (
    id BIGSERIAL PRIMARY KEY,
    synced_at TIMESTAMP NOT NULL,
    os_user VARCHAR(100) NULL,
    reference TEXT NULL,
    numero_devis VARCHAR(50) NULL,
    offer_id INTEGER NULL,
    outcome VARCHAR(20) NOT NULL CHECK (outcome IN ('synced', 'unchanged', 'manual_review', 'error')),
    old_values JSONB NULL,
    new_values JSONB NULL,
    error_message TEXT NULL
);
CREATE INDEX IF NOT EXISTS batigest_sync_log_synced_at ON batigest_sync_log (synced_at);

CREATE TABLE IF NOT EXISTS batigest_sync_batches (
    id SERIAL PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    batigest_started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    since TIMESTAMP NULL,
    synced INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    manual_review INTEGER NOT NULL,
    errors INTEGER NOT NULL
);
