-- The store's tables, created only where missing. On JLM ERP's database the first two are the
-- ERP's own (its Drizzle schema, shared/schema.ts) and already exist: they are then left exactly as
-- they are. Where they are missing they are created with the ERP's definition, so that the ERP finds
-- its own tables. Times are UTC.
DO $$ BEGIN
    CREATE TYPE batigest_sync_status AS ENUM ('pending', 'synced', 'error', 'manual_review');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS batigest_integrations (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid(),
    offer_id VARCHAR,
    batigest_ref VARCHAR(100),
    numero_devis VARCHAR(50),
    montant_batigest NUMERIC(12, 2),
    taux_marge NUMERIC(5, 2),
    statut_batigest VARCHAR(50),
    last_sync_at TIMESTAMP,
    sync_status batigest_sync_status DEFAULT 'pending',
    error_message TEXT,
    created_at TIMESTAMP DEFAULT now(),
    updated_at TIMESTAMP DEFAULT now()
);

CREATE TABLE IF NOT EXISTS batigest_analytics (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid(),
    periode VARCHAR(20),
    ca_realise NUMERIC(15, 2),
    ca_prevu NUMERIC(15, 2),
    taux_conversion NUMERIC(5, 2),
    marge_reelle_moyenne NUMERIC(5, 2),
    marge_prevue_moyenne NUMERIC(5, 2),
    nombre_devis INTEGER,
    nombre_factures INTEGER,
    data_json JSONB,
    generated_at TIMESTAMP DEFAULT now()
);

-- Ours: one row per sync attempt. `seq` orders the attempts; `id` is the text UUID users see.
CREATE TABLE IF NOT EXISTS batigest_sync_log (
    seq BIGSERIAL PRIMARY KEY,
    id VARCHAR NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    synced_at TIMESTAMP NOT NULL,
    os_user VARCHAR(100) NULL,
    reference TEXT NULL,
    numero_devis VARCHAR(50) NULL,
    offer_id VARCHAR NULL,
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
