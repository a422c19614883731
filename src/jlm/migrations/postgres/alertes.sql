-- Ours (migration 3): the alerts told so far, one row per alert key. An alert is sent on a channel
-- once its column for that channel is set; a run that is sending holds the rows it claimed until
-- `reserve_jusqua`, so that two runs at once never send the same alert twice. Times are UTC.
CREATE TABLE IF NOT EXISTS batigest_alertes (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid(),
    cle VARCHAR NOT NULL UNIQUE,
    genre VARCHAR(40) NOT NULL,
    message TEXT NOT NULL,
    data_json JSONB NOT NULL,
    detectee_at TIMESTAMP NOT NULL,
    email_envoye_at TIMESTAMP,
    webhook_envoye_at TIMESTAMP,
    reserve_par VARCHAR,
    reserve_jusqua TIMESTAMP
);
