-- Ours (migration 4): the automatic sync's last figures per bucket of devis (a month of creation):
-- how many committed devis, the server's checksum of their synced columns, and the fingerprint of
-- the settings they were synced with. A bucket whose figures moved is read again.
CREATE TABLE IF NOT EXISTS batigest_sync_buckets (
    bucket TEXT PRIMARY KEY NOT NULL,
    devis INTEGER NOT NULL,
    checksum INTEGER NULL,
    empreinte TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
