-- Ours (migration 4): the automatic sync's last figures per bucket of devis (a month of creation):
-- how many committed devis, the server's checksum of their synced columns, and the fingerprint of
-- the settings they were synced with. A bucket whose figures moved is read again. Times are UTC.
CREATE TABLE IF NOT EXISTS batigest_sync_buckets (
    bucket VARCHAR PRIMARY KEY,
    devis BIGINT NOT NULL,
    checksum BIGINT,
    empreinte VARCHAR NOT NULL,
    seen_at TIMESTAMP NOT NULL
);
