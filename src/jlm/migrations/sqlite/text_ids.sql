-- A store written before ids became text (integer ids): the three tables are rebuilt with the
-- layout of tables.sql and every row copied, each given a new UUID. Run in the migration's
-- transaction, between the renames below and tables.sql, then the copy.
INSERT INTO batigest_integrations (id, offer_id, batigest_ref, numero_devis, montant_batigest, taux_marge,
    statut_batigest, last_sync_at, sync_status, error_message, created_at, updated_at)
SELECT {new_id}, CAST(offer_id AS TEXT), batigest_ref, numero_devis, montant_batigest, taux_marge,
    statut_batigest, last_sync_at, sync_status, error_message, created_at, updated_at
FROM batigest_integrations_v1 ORDER BY id;

INSERT INTO batigest_analytics (id, periode, ca_realise, ca_prevu, taux_conversion, marge_reelle_moyenne,
    marge_prevue_moyenne, nombre_devis, nombre_factures, data_json, generated_at)
SELECT {new_id}, periode, ca_realise, ca_prevu, taux_conversion, marge_reelle_moyenne,
    marge_prevue_moyenne, nombre_devis, nombre_factures, data_json, generated_at
FROM batigest_analytics_v1 ORDER BY id;

INSERT INTO batigest_sync_log (seq, id, synced_at, os_user, reference, numero_devis, offer_id, outcome,
    old_values, new_values, error_message)
SELECT id, {new_id}, synced_at, os_user, reference, numero_devis, CAST(offer_id AS TEXT), outcome,
    old_values, new_values, error_message
FROM batigest_sync_log_v1 ORDER BY id;

DROP TABLE batigest_integrations_v1;
DROP TABLE batigest_analytics_v1;
DROP TABLE batigest_sync_log_v1;
