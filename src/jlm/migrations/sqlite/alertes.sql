-- Ours (migration 3): the alerts told so far, one row per alert key. An alert is sent on a channel
-- once its column for that channel is set; a run that is sending holds the rows it claimed until
-- `reserve_jusqua`, so that two runs at once never send the same alert twice.
CREATE TABLE IF NOT EXISTS batigest_alertes (
    id TEXT PRIMARY KEY NOT NULL,
    cle TEXT NOT NULL UNIQUE,
    genre TEXT NOT NULL,
    message TEXT NOT NULL,
    data_json TEXT NOT NULL,
    detectee_at TEXT NOT NULL,
    email_envoye_at TEXT NULL,
    webhook_envoye_at TEXT NULL,
    reserve_par TEXT NULL,
    reserve_jusqua TEXT NULL
);
