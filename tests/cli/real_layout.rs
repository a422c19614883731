//! The real Batigest layout: the sandbox serves the same generated business data in both layouts,
//! and every figure read through the `batigest` mapping (built in, or written by `schema inspect`
//! and completed here) must equal the default layout's.

use std::process::Output;

use crate::common::{Sandbox, command, csv, ok, stderr};

/// Same seed, same size: the same business data in both layouts.
const DEVIS: &str = "300";
const REAL_DATABASE: &str = "BTG_DOS_DEMO";

fn default_layout() -> Sandbox {
    Sandbox::start(&["--generate", DEVIS, "--seed", "11", "--tls", "off"])
}

fn real_layout() -> Sandbox {
    Sandbox::start(&["--generate", DEVIS, "--seed", "11", "--layout", "batigest", "--tls", "off"])
}

/// `jlm-batigest --database BTG_DOS_DEMO --schema SCHEMA ARGS` against the real-layout sandbox.
fn run_real(sandbox: &Sandbox, schema: &str, args: &[&str]) -> Output {
    sandbox.run(&[&["--database", REAL_DATABASE, "--schema", schema], args].concat())
}

/// The records of a CSV output, restricted to the named columns (header included).
fn columns(text: &str, names: &[&str]) -> Vec<Vec<String>> {
    let records = csv(text, ',');
    let indexes: Vec<usize> = names
        .iter()
        .map(|name| records[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}")))
        .collect();
    records.iter().map(|record| indexes.iter().map(|&i| record[i].clone()).collect()).collect()
}

/// The dossier's own quote states, as its customer names them: the generator's list, which no
/// built-in rule shares (accepted quotes are read by their DateConcretis, whatever their code).
pub const ETATS: [(&str, &str); 4] = [("0", "BROUILLON"), ("4", "ENVOYE"), ("7", "VALIDE"), ("9", "REFUSE")];
pub const REGLEMENTS: [(&str, &str); 3] = [("0", "NON_REGLE"), ("1", "PARTIELLEMENT_REGLE"), ("2", "REGLE")];

/// A mapping written by `schema inspect --write` on the real layout, its value maps completed the
/// way IT would: every commented code line of a status field whose code `names` holds becomes a
/// translation (the others stay commented). Returns the file's path and its text as written.
pub fn completed_mapping(real: &Sandbox, devis: &[(&str, &str)], factures: &[(&str, &str)]) -> (String, String) {
    let file = real.path("correspondance.toml");
    let path = file.to_str().expect("UTF-8 path").to_owned();
    ok(&run_real(real, "batigest", &["schema", "inspect", "--write", &path, "--force"]));
    let written = std::fs::read_to_string(&file).expect("the written mapping");
    let mut section = String::new();
    let mut completed = String::new();
    for line in written.lines() {
        let header = line.trim_start_matches("# ");
        if header.starts_with("[tables.") {
            header.clone_into(&mut section);
        }
        let names = match section.as_str() {
            "[tables.devis.values.statut]" => devis,
            "[tables.factures.values.statut_reglement]" => factures,
            _ => &[],
        };
        let code = line.strip_prefix("# \"").and_then(|rest| rest.split('"').next());
        let line = match (code.and_then(|code| names.iter().find(|(c, _)| *c == code)), line) {
            (Some((code, name)), _) => format!("\"{code}\" = \"{name}\""),
            (None, "# [tables.factures.values.statut_reglement]") if !factures.is_empty() => header.to_owned(),
            (None, line) => line.to_owned(),
        };
        completed.push_str(&line);
        completed.push('\n');
    }
    std::fs::write(&file, completed).expect("complete the mapping");
    (path, written)
}

#[test]
fn the_builtin_batigest_mapping_reads_accepted_quotes_by_date_concretis_and_shows_other_codes_as_stored() {
    let (default, real) = (default_layout(), real_layout());
    let known = ["code_client", "nom_client", "montant_ht", "date_creation", "statut"];
    let expected = columns(&ok(&default.run(&["devis", "--format", "csv"])), &known);
    let listing = run_real(&real, "batigest", &["devis", "--format", "csv"]);
    let actual = columns(&ok(&listing), &known);
    assert_eq!(actual.len(), expected.len());
    for (real_row, default_row) in actual.iter().zip(&expected).skip(1) {
        assert_eq!(real_row[..4], default_row[..4]);
        // Accepted = DateConcretis set, and nothing else is given a meaning: the other codes are
        // shown as the dossier stores them.
        match default_row[4].as_str() {
            "ACCEPTE" => assert_eq!(real_row[4], "ACCEPTE"),
            _ => assert!(["0", "4", "7", "9"].contains(&real_row[4].as_str()), "{real_row:?}"),
        }
    }
    assert_eq!(stderr(&listing).matches("Attention").count(), 1, "one warning: {}", stderr(&listing));
    // The numbers are the codes the database holds: eight digits, leading zeros kept; what the
    // built-in mapping does not know is shown empty.
    let text = ok(&listing);
    let unknown = columns(&text, &["reference_affaire", "montant_ttc", "taux_marge", "responsable"]);
    assert!(unknown[1..].iter().flatten().all(String::is_empty), "{unknown:?}");
    let numbers = columns(&text, &["numero_devis"]);
    assert!(numbers[1..].iter().all(|n| n[0].len() == 8 && n[0].bytes().all(|b| b.is_ascii_digit())));

    // Named by the dossier's own list, every status and filter reads as in the default layout.
    let (path, _) = completed_mapping(&real, &ETATS, &REGLEMENTS);
    for filter in [
        &[][..],
        &["--from", "2024-01-01", "--to", "2024-06-30", "--statut", "ACCEPTE", "--statut", "VALIDE"],
        &["--statut", "BROUILLON", "--limit", "7"],
        &["--statut", "ENVOYE"],
    ] {
        let args = [&["devis", "--format", "csv"], filter].concat();
        let expected = columns(&ok(&default.run(&args)), &known);
        assert_eq!(columns(&ok(&run_real(&real, &path, &args)), &known), expected, "devis {filter:?}");
        assert!(expected.len() > 1, "the filter {filter:?} keeps some devis");
    }
    let client = expected[1][0].clone();
    let args = ["devis", "--client", &client, "--format", "csv"];
    assert_eq!(columns(&ok(&run_real(&real, &path, &args)), &known), columns(&ok(&default.run(&args)), &known));

    // A devis number is the text the database holds: 00000001 is found, 1 is not.
    let found = run_real(&real, "batigest", &["sync-offer", "--ref", "00000001", "--dry-run"]);
    assert!(ok(&found).contains("00000001"));
    let missing = run_real(&real, "batigest", &["sync-offer", "--ref", "1", "--dry-run"]);
    assert_eq!(missing.status.code(), Some(4), "{}", stderr(&missing));
}

/// One quote of the real layout, read straight from the SQLite file the sandbox serves.
struct RawDevis {
    created: String,
    concretise: bool,
    etat: i64,
    total_ht: rust_decimal::Decimal,
}

fn raw_devis(db: &std::path::Path) -> Vec<RawDevis> {
    let conn = rusqlite::Connection::open(db).expect("open the dossier");
    let mut statement = conn
        .prepare("SELECT Date, DateConcretis IS NOT NULL, Etat, CAST(TotalHT AS TEXT) FROM Devis")
        .expect("prepare");
    statement
        .query_map([], |row| {
            Ok(RawDevis {
                created: row.get(0)?,
                concretise: row.get(1)?,
                etat: row.get(2)?,
                total_ht: row.get::<_, String>(3)?.parse().expect("decimal"),
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn figures_on_customised_codes_match_an_independent_reading_of_the_dossier() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("btg.sqlite");
    let db_arg = db.to_str().expect("UTF-8 path");
    let real =
        Sandbox::start(&["--generate", DEVIS, "--seed", "11", "--layout", "batigest", "--db", db_arg, "--tls", "off"]);
    let (path, written) = completed_mapping(&real, &ETATS, &REGLEMENTS);
    let quotes = raw_devis(&db);

    // What `schema inspect --write` proposed: every code with its count and its concretised rows.
    let count = |keep: &dyn Fn(&RawDevis) -> bool| quotes.iter().filter(|q| keep(q)).count();
    for code in [0, 3, 4, 7, 9] {
        let (rows, validated) = (count(&|q| q.etat == code), count(&|q| q.etat == code && q.concretise));
        assert!(rows > 0, "the generated dossier uses code {code}");
        let line = format!("# \"{code}\" = \"\"  # {rows} lignes du ");
        assert!(written.contains(&line), "{line} in\n{written}");
        assert!(written.contains(&format!(", dont {validated} avec DateConcretis")), "{written}");
    }
    assert!(count(&|q| q.etat == 4 && q.concretise) > 0, "some accepted quotes carry code 4");

    // The definitions of DESIGN §5 read the way, computed here from the raw rows: accepted
    // = DateConcretis set; committed = accepted or code 7 (VALIDE); issued = all but code 0
    // (BROUILLON) unless accepted.
    let in_2024 = |q: &RawDevis| q.created.as_str() >= "2024-01-01" && q.created.as_str() < "2025-01-01";
    let committed = |q: &RawDevis| q.concretise || q.etat == 7;
    let issued = |q: &RawDevis| q.concretise || q.etat != 0;
    let ca_prevu: rust_decimal::Decimal =
        quotes.iter().filter(|q| in_2024(q) && committed(q)).map(|q| q.total_ht).sum();
    let nombre_devis = quotes.iter().filter(|q| in_2024(q) && issued(q)).count();
    // The former built-in guess (2 ACCEPTE, 4 VALIDE) would have given another figure.
    let guessed: rust_decimal::Decimal =
        quotes.iter().filter(|q| in_2024(q) && [2, 4].contains(&q.etat)).map(|q| q.total_ht).sum();
    assert_ne!(ca_prevu, guessed, "the dossier tells the two readings apart");

    let args = ["analytics", "--from", "2024-01-01", "--to", "2024-12-31", "--no-save", "--format", "json"];
    let document: serde_json::Value = serde_json::from_str(&ok(&run_real(&real, &path, &args))).expect("JSON");
    let total = &document["indicateurs"][0];
    assert_eq!(total["ca_prevu"].to_string(), format!("{ca_prevu:.2}"));
    assert_eq!(total["nombre_devis"], nombre_devis);

    // Accepted-by-DateConcretis quotes are committed, and listed as ACCEPTE whatever their code.
    let accepted =
        columns(&ok(&run_real(&real, &path, &["devis", "--statut", "ACCEPTE", "--format", "csv"])), &["statut"]);
    assert_eq!(accepted.len() - 1, count(&|q| q.concretise));
    let sent = columns(&ok(&run_real(&real, &path, &["devis", "--statut", "ENVOYE", "--format", "csv"])), &["statut"]);
    assert_eq!(sent.len() - 1, count(&|q| q.etat == 4 && !q.concretise));
    let sync = ok(&run_real(&real, &path, &["sync-offer", "--all", "--dry-run", "--format", "csv"]));
    let synced: std::collections::BTreeSet<String> =
        columns(&sync, &["numero_devis"])[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(synced.len(), count(&committed), "sync-offer --all takes every committed devis, once");
}

#[test]
fn an_untranslated_code_stops_every_command_that_depends_on_it_before_any_figure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("btg.sqlite");
    let db_arg = db.to_str().expect("UTF-8 path");
    let real =
        Sandbox::start(&["--generate", DEVIS, "--seed", "11", "--layout", "batigest", "--db", db_arg, "--tls", "off"]);
    // Code 9 (REFUSE) and the paid invoices' code 2 left unnamed.
    let (path, _) = completed_mapping(&real, &ETATS[..3], &REGLEMENTS[..2]);
    let quotes = raw_devis(&db);
    let refused = quotes.iter().filter(|q| q.etat == 9 && !q.concretise).count();
    let conn = rusqlite::Connection::open(&db).expect("open the dossier");
    let paid: i64 = conn.query_row("SELECT COUNT(*) FROM Facture WHERE Etat = 2", [], |r| r.get(0)).expect("count");

    let devis_codes = format!("devis.statut (Devis.Etat) : « 9 » ({refused} lignes)");
    let factures_codes = format!("factures.statut_reglement (Facture.Etat) : « 2 » ({paid} lignes)");
    for (args, codes) in [
        (&["devis", "--statut", "REFUSE"][..], vec![&devis_codes]),
        (&["analytics", "--no-save"][..], vec![&devis_codes, &factures_codes]),
        (&["analytics", "--no-save", "--format", "json"][..], vec![&devis_codes, &factures_codes]),
        (&["dashboard"][..], vec![&devis_codes, &factures_codes]),
        (&["sync-offer", "--all", "--dry-run"][..], vec![&devis_codes]),
        (&["factures"][..], vec![&factures_codes]),
        (&["factures", "--en-retard", "--fail-on-alert"][..], vec![&factures_codes]),
        (&["alertes", "--dry-run"][..], vec![&devis_codes, &factures_codes]),
    ] {
        let output = run_real(&real, &path, args);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(output.stdout.is_empty(), "{args:?} printed before stopping");
        for codes in codes {
            assert!(message.contains(codes.as_str()), "{args:?}: {codes} in {message}");
        }
        assert!(message.contains("aucun chiffre n'a été calculé"), "{message}");
        let line = if message.contains("Devis.Etat") { "\"9\" = \"\"" } else { "\"2\" = \"\"" };
        assert!(message.contains(line), "{args:?}: the TOML line to add in {message}");
    }
    // Only showing the status: shown as stored, one warning.
    let listing = run_real(&real, &path, &["devis", "--format", "csv"]);
    let statuses = columns(&ok(&listing), &["statut"]);
    assert_eq!(statuses.iter().filter(|s| s[0] == "9").count(), refused);
    assert_eq!(stderr(&listing).matches("Attention").count(), 1, "{}", stderr(&listing));
}

#[test]
fn unmapped_fields_stop_the_commands_that_need_them_with_the_key_to_set() {
    let real = real_layout();
    let named = real.path("etats.toml");
    let states: Vec<String> = ETATS.iter().map(|(code, name)| format!("\"{code}\" = \"{name}\"")).collect();
    let states = states.join("\n");
    std::fs::write(&named, format!("base = \"batigest\"\n[tables.devis.values.statut]\n{states}\n")).expect("write");
    let named = named.to_str().expect("UTF-8 path");
    for (args, field, key) in [
        (&["analytics", "--no-save"][..], "le champ devis.taux_marge", "[tables.devis.columns] taux_marge = \"…\""),
        (&["factures"][..], "la table logique factures", "[tables.factures] name = \"…\""),
        (&["coefficients"][..], "le champ ouvrages.prix_vente_ht", "[tables.ouvrages.columns] prix_vente_ht"),
    ] {
        let output = run_real(&real, named, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(field) && stderr(&output).contains(key), "{}", stderr(&output));
        assert!(output.stdout.is_empty(), "{args:?} printed before failing");
    }
    // The default mapping against the real layout: nothing matches, check-schema says what.
    let output = real.run(&["--database", REAL_DATABASE, "test-connection", "--check-schema"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("colonne manquante : DEVIS.NUMERO_DEVIS"));
}

#[test]
fn a_mapping_with_an_invalid_identifier_is_refused_before_any_query() {
    let home = tempfile::tempdir().expect("temp dir");
    let mapping = home.path().join("mapping.toml");
    std::fs::write(&mapping, "base = \"batigest\"\n[tables.devis]\nname = \"Devis; DROP TABLE x\"\n").expect("write");
    // Nothing listens on port 1: had the tool tried to connect, it would end with exit 3.
    let output = command(home.path())
        .args(["--server", "127.0.0.1", "--port", "1", "--user", "sa", "--schema"])
        .arg(&mapping)
        .args(["devis"])
        .env("BATIGEST_SQL_PASSWORD", "x")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("« Devis; DROP TABLE x »"), "{}", stderr(&output));
}

#[test]
fn inspect_write_then_complete_makes_every_command_match_the_default_layout() {
    let (default, real) = (default_layout(), real_layout());
    let file = real.path("correspondance.toml");
    let path = file.to_str().expect("UTF-8 path");
    let inspected = run_real(&real, "batigest", &["schema", "inspect", "--write", path, "--format", "csv"]);
    let report = columns(&ok(&inspected), &["table", "champ", "etat", "nom"]);
    let row = |table: &str, field: &str| {
        report.iter().find(|r| r[0] == table && r[1] == field).unwrap_or_else(|| panic!("no {table}.{field}")).clone()
    };
    assert_eq!(row("devis", "numero_devis")[2..], ["relié", "Code"]);
    assert_eq!(row("factures", "")[2..], ["proposé", "Facture"]);
    assert_eq!(row("factures", "montant_regle")[2..], ["proposé", "MontantRegle"]);
    assert_eq!(row("devis", "client_id")[2..], ["à compléter", ""]);
    let again = run_real(&real, "batigest", &["schema", "inspect", "--write", path]);
    assert_eq!(again.status.code(), Some(2), "an existing file is kept without --force");

    // Every name the file gives exists, but the dossier's states are codes nobody named yet: the
    // check says so, rather than letting filters on them quietly match nothing. Code 3 is only
    // held by concretised (accepted) quotes: it needs no name.
    let check = run_real(&real, path, &["test-connection", "--check-schema"]);
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(stderr(&check).contains("devis.statut (Devis.Etat) : 0, 4, 7, 9"), "{}", stderr(&check));
    assert!(stderr(&check).contains("factures.statut_reglement (Facture.Etat) : 0, 1, 2"), "{}", stderr(&check));
    assert!(stderr(&check).contains("[tables.TABLE.values.CHAMP]"), "{}", stderr(&check));

    // IT completes the value maps the file left commented, with the codes it listed.
    let written = std::fs::read_to_string(&file).expect("the written mapping");
    assert!(written.contains("# [tables.factures.values.statut_reglement]\n# \"0\" = \"\"  # "), "{written}");
    assert!(written.contains("[tables.devis.values.statut]\n# \"0\" = \"\"  # "), "{written}");
    let (path, _) = completed_mapping(&real, &ETATS, &REGLEMENTS);
    let path = path.as_str();

    let same = |args: &[&str], skip: &[&str]| {
        let expected = ok(&default.run(args));
        let header = &csv(&expected, ',')[0];
        let kept: Vec<&str> = header.iter().map(String::as_str).filter(|h| !skip.contains(h)).collect();
        let actual = ok(&run_real(&real, path, args));
        assert_eq!(columns(&actual, &kept), columns(&expected, &kept), "{args:?}");
        assert!(csv(&actual, ',').len() > 2, "{args:?} has rows");
    };
    same(&["factures", "--au", "2025-12-31", "--format", "csv"], &["numero_devis"]);
    // Only accepted quotes carry a DateConcretis in a real dossier; the default layout dates VALIDE ones too.
    same(&["devis", "--format", "csv"], &["numero_devis", "date_validation"]);
    same(&["coefficients", "--par", "sous-famille", "--format", "csv"], &[]);
    same(
        &[
            "analytics",
            "--from",
            "2023-01-01",
            "--to",
            "2025-12-31",
            "--periode",
            "trimestriel",
            "--no-save",
            "--format",
            "csv",
        ],
        &[],
    );
    // The alerts of the real dossier are those of the default layout (exit 6: all new).
    let args = ["alertes", "--au", "2025-12-31", "--dry-run", "--format", "csv"];
    let (expected, actual) = (default.run(&args), run_real(&real, path, &args));
    assert_eq!((expected.status.code(), actual.status.code()), (Some(6), Some(6)), "{}", stderr(&actual));
    let kept = ["etat", "type", "objet", "code_client", "message", "cle"];
    let expected = columns(&String::from_utf8_lossy(&expected.stdout), &kept);
    assert!(expected.len() > 2, "alerts to compare");
    assert_eq!(columns(&String::from_utf8_lossy(&actual.stdout), &kept), expected);

    let check = ok(&run_real(&real, path, &["test-connection", "--check-schema"]));
    assert!(check.contains("Schéma        : complet") && check.contains("Non reliés    : clients.id"), "{check}");
}
