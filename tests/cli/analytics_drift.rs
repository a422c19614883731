//! Issue 28: the same analytics request through the command line and through `serve` stores the
//! same row — one `periode` label, one `data_json` document — and `analytics history --id` shows
//! both runs alike.

use std::net::TcpStream;

use serde_json::Value;

use crate::common::{Sandbox, ok};
use crate::serve::{Server, TOKEN, exchange};

/// The saved runs, oldest first: every column but the id and the time.
fn rows(sandbox: &Sandbox) -> Vec<(String, Vec<Option<String>>, Value)> {
    let store = rusqlite::Connection::open(sandbox.path("jlm.sqlite")).expect("store");
    let mut statement = store
        .prepare(
            "SELECT id, periode, CAST(ca_realise AS TEXT), CAST(ca_prevu AS TEXT), CAST(taux_conversion AS TEXT), \
             CAST(marge_reelle_moyenne AS TEXT), CAST(marge_prevue_moyenne AS TEXT), CAST(nombre_devis AS TEXT), \
             CAST(nombre_factures AS TEXT), data_json FROM batigest_analytics ORDER BY generated_at",
        )
        .expect("query");
    statement
        .query_map([], |row| {
            let figures = (1..9).map(|i| row.get::<_, Option<String>>(i)).collect::<Result<Vec<_>, _>>()?;
            let document: String = row.get(9)?;
            Ok((row.get(0)?, figures, serde_json::from_str(&document).expect("data_json is JSON")))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn the_command_and_serve_store_the_same_row_for_the_same_request() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let server = Server::start(&sandbox, &[]);
    let requests: [(&[&str], &str); 2] = [
        (&[], r#"{"startDate": "2024-01-01", "endDate": "2024-12-31"}"#),
        (
            &["--periode", "trimestriel"],
            r#"{"startDate": "2024-01-01", "endDate": "2024-12-31", "periode": "trimestriel"}"#,
        ),
    ];
    for (periode, body) in requests {
        let args =
            [&["analytics", "--from", "2024-01-01", "--to", "2024-12-31", "--jlm-db", &store][..], periode].concat();
        ok(&sandbox.run(&args));
        let (status, answer) = exchange(
            TcpStream::connect(server.addr).expect("connect"),
            "POST",
            "/api/batigest/generate-analytics",
            Some(TOKEN),
            Some(body),
        );
        assert_eq!(status, 200, "{answer}");
    }
    let rows = rows(&sandbox);
    assert_eq!(rows.len(), 4);
    for pair in rows.chunks(2) {
        let ((command_id, command, command_json), (serve_id, serve, serve_json)) = (&pair[0], &pair[1]);
        assert_eq!(command, serve, "the same columns");
        assert_eq!(command_json, serve_json, "the same data_json");
        assert!(command_json["indicateurs"].as_array().is_some_and(|rows| !rows.is_empty()), "{command_json}");
        let shown = |id: &str| -> Value {
            let text = ok(&sandbox.run(&["analytics", "history", "--id", id, "--jlm-db", &store, "--format", "json"]));
            serde_json::from_str(&text).expect("json")
        };
        let (by_command, by_serve) = (shown(command_id), shown(serve_id));
        for section in ["indicateurs", "facturation_en_cours", "coefficients"] {
            assert_eq!(by_command[section], by_serve[section], "{section}");
        }
    }
    assert_eq!(rows[0].1[0].as_deref(), Some("global"), "a run without buckets, through either face");
    assert_eq!(rows[2].1[0].as_deref(), Some("trimestriel"));
}

/// A run an earlier `serve` saved (« personnalise », the API's own document) is listed as `global`
/// and shown with the figures it kept.
#[test]
fn a_run_an_earlier_serve_saved_reads_as_a_global_run() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    ok(&sandbox.run(&["analytics", "history", "--jlm-db", &store]));
    let document = r#"{"chiffreAffairesPrevu":200.5,"chiffreAffairesRealise":100,"chiffreAffairesFacture":150,
        "tauxConversionDevis":null,"tauxConversionNombre":null,"margeReelleMoyenne":null,"margePrevueMoyenne":30,
        "ecartMarge":null,"nombreDevis":2,"nombreFactures":1,"du":"2024-01-01","au":"2024-12-31",
        "facturationEnCours":{"montantTotal":80,"nombreFactures":3,"retardMoyen":null},"evolutionMarges":[]}"#;
    rusqlite::Connection::open(sandbox.path("jlm.sqlite"))
        .expect("store")
        .execute(
            "INSERT INTO batigest_analytics (id, periode, ca_realise, ca_prevu, nombre_devis, nombre_factures, \
             data_json, generated_at) VALUES ('7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11', 'personnalise', '100.00', \
             '200.50', 2, 1, ?1, '2025-01-02 10:00:00')",
            [document],
        )
        .expect("insert");
    let json = |args: &[&str]| -> Value {
        serde_json::from_str(&ok(&sandbox.run(&[args, &["--jlm-db", &store, "--format", "json"]].concat())))
            .expect("json")
    };
    let listed = json(&["analytics", "history", "--periode", "global"]);
    assert_eq!(listed["historique"].as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed["historique"][0]["periode"], "global");
    let shown = json(&["analytics", "history", "--id", "7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11"]);
    assert_eq!(shown["indicateurs"][0]["ca_prevu"].to_string(), "200.50", "{shown}");
    assert_eq!(shown["indicateurs"][0]["du"], "2024-01-01");
    assert_eq!(shown["facturation_en_cours"][0]["nombre"], 3);
}
