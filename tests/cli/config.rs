//! `config show` and `config path`: precedence with sources, file errors, environment errors.

use std::path::Path;
use std::process::Output;

use crate::common::command;

fn run(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(home).args(args).envs(env.iter().copied()).output().expect("run jlm-batigest")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The value and the source of one line of the `config show` table (columns are separated by at
/// least two spaces).
fn row(stdout: &str, label: &str) -> (String, String) {
    let line = stdout
        .lines()
        .find(|line| line.split("  ").next() == Some(label))
        .unwrap_or_else(|| panic!("no line {label:?} in:\n{stdout}"));
    let cells: Vec<&str> = line.split("  ").map(str::trim).filter(|cell| !cell.is_empty()).collect();
    assert_eq!(cells.len(), 3, "{line:?}");
    (cells[1].to_owned(), cells[2].to_owned())
}

fn write_config(dir: &Path, body: &str) -> String {
    let path = dir.join("config.toml");
    std::fs::write(&path, body).expect("write the config file");
    path.to_str().expect("utf-8 path").to_owned()
}

const PROFILES: &str = r#"
[profiles.default]
server = "batigest.local"
port = 1500
database = "BTG_DOS_JLM"
user = "lecteur"
timeout = 90

[profiles.production]
server = 'SRV-BATI\SAGEBAT'
user = "compta"
encrypt = "login-only"
"#;

#[test]
fn precedence_flag_env_profile_default_with_sources() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = write_config(home.path(), PROFILES);
    let output = run(
        home.path(),
        &["config", "show", "--database", "FLAG_DB"],
        &[
            ("JLM_BATIGEST_CONFIG", &config),
            ("BATIGEST_SQL_PORT", "1600"),
            ("BATIGEST_DATABASE", "ENV_DB"),
            ("JLM_DATABASE_URL", "postgres://jlm:s3cret@erp/jlm"),
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(&format!("Fichier de configuration : {config} (présent)")), "{stdout}");
    assert!(stdout.contains("Profil : default (défaut)"), "{stdout}");
    assert_eq!(row(&stdout, "Base Batigest"), ("FLAG_DB".into(), "option --database".into()));
    assert_eq!(row(&stdout, "Port"), ("1600".into(), "variable BATIGEST_SQL_PORT".into()));
    assert_eq!(row(&stdout, "Serveur"), ("batigest.local".into(), "profil default".into()));
    assert_eq!(row(&stdout, "Utilisateur"), ("lecteur".into(), "profil default".into()));
    assert_eq!(row(&stdout, "Délai"), ("90 s".into(), "profil default".into()));
    assert_eq!(row(&stdout, "Chiffrement"), ("required".into(), "défaut".into()));
    assert_eq!(row(&stdout, "Instance"), ("aucune".into(), "défaut".into()));
    assert_eq!(
        row(&stdout, "Base JLM"),
        ("postgres://jlm:********@erp/jlm".into(), "variable JLM_DATABASE_URL".into())
    );
    assert!(!stdout.contains("s3cret"), "{stdout}");
}

#[test]
fn named_profile_and_server_with_instance() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = write_config(home.path(), PROFILES);
    let output = run(home.path(), &["--profile", "production", "config", "show"], &[("JLM_BATIGEST_CONFIG", &config)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Profil : production (option --profile)"), "{stdout}");
    assert_eq!(row(&stdout, "Serveur"), ("SRV-BATI".into(), "profil production".into()));
    assert_eq!(row(&stdout, "Instance"), ("SAGEBAT".into(), "profil production".into()));
    assert_eq!(row(&stdout, "Chiffrement"), ("login-only".into(), "profil production".into()));
    assert_eq!(row(&stdout, "Port"), ("1433".into(), "défaut".into()));

    // The environment's HOST\INSTANCE beats the profile, both halves.
    let output = run(
        home.path(),
        &["--profile", "production", "config", "show"],
        &[("JLM_BATIGEST_CONFIG", &config), ("BATIGEST_SQL_SERVER", r"AUTRE\TEST")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(row(&stdout, "Serveur"), ("AUTRE".into(), "variable BATIGEST_SQL_SERVER".into()));
    assert_eq!(row(&stdout, "Instance"), ("TEST".into(), "variable BATIGEST_SQL_SERVER".into()));
}

#[test]
fn defaults_without_a_file() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(home.path(), &["config", "show"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("(absent : valeurs par défaut)"), "{stdout}");
    assert_eq!(row(&stdout, "Serveur"), ("localhost".into(), "défaut".into()));
    assert_eq!(row(&stdout, "Base Batigest"), ("BATIGEST_CONNECT".into(), "défaut".into()));
    assert_eq!(row(&stdout, "Utilisateur"), ("non défini".into(), "défaut".into()));
    assert_eq!(row(&stdout, "Délai"), ("30 s".into(), "défaut".into()));
}

#[test]
fn config_path_with_and_without_the_variable() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(home.path(), &["config", "path"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let path = text(&output.stdout);
    #[cfg(target_os = "linux")]
    assert_eq!(path.trim_end(), home.path().join(".config/jlm-batigest/config.toml").to_str().expect("utf-8"));
    assert!(path.trim_end().ends_with("config.toml"), "{path}");

    // Printed even when the file is broken: that is when one needs to find it.
    let config = write_config(home.path(), "password = \"x\"\n[[[");
    let output = run(home.path(), &["config", "path"], &[("JLM_BATIGEST_CONFIG", &config)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{config}\n"));
}

#[test]
fn a_password_in_the_file_is_refused_without_echo() {
    let home = tempfile::tempdir().expect("temp dir");
    for body in [
        "[profiles.default]\nserver = \"x\"\npassword = \"Tr3s-Secret!\"\n",
        "[profiles.default]\nserver = \"x\"\npassword = Tr3s-Secret!\n",
    ] {
        let config = write_config(home.path(), body);
        let output = run(home.path(), &["config", "show"], &[("JLM_BATIGEST_CONFIG", &config)]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert!(stderr.contains(&format!("Erreur : {config}, ligne 3 : clé « password » refusée")), "{stderr}");
        assert!(stderr.contains("jlm-batigest login") && stderr.contains("BATIGEST_SQL_PASSWORD"), "{stderr}");
        assert!(!stderr.contains("Tr3s") && !text(&output.stdout).contains("Tr3s"), "{stderr}");
    }
}

#[test]
fn unknown_key_names_the_key_and_the_file() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = write_config(home.path(), "[profiles.default]\nserver = \"x\"\nsevrer = \"y\"\n");
    let output = run(home.path(), &["config", "show"], &[("JLM_BATIGEST_CONFIG", &config)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("{config}, ligne 3 : clé inconnue « sevrer » dans le profil « default »")),
        "{stderr}"
    );
    assert!(stderr.contains("Aide : clés possibles : server"), "{stderr}");
}

#[test]
fn invalid_toml_names_the_line() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = write_config(home.path(), "[profiles.default]\nserver = \"x\"\n\nport = = 1433\n");
    let output = run(home.path(), &["config", "show"], &[("JLM_BATIGEST_CONFIG", &config)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("Erreur : {config}, ligne 4 : TOML invalide")), "{stderr}");
}

#[test]
fn unknown_profile_lists_the_known_ones() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = write_config(home.path(), PROFILES);
    let output = run(home.path(), &["config", "show", "--profile", "recette"], &[("JLM_BATIGEST_CONFIG", &config)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("profil « recette » inconnu") && stderr.contains("default, production"), "{stderr}");
}

#[test]
fn bad_port_variable_names_the_variable_and_value() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(home.path(), &["config", "show"], &[("BATIGEST_SQL_PORT", "14x33")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("BATIGEST_SQL_PORT vaut « 14x33 »"), "{stderr}");
}

#[test]
fn help_is_french_with_examples() {
    let home = tempfile::tempdir().expect("temp dir");
    for command in [["config", "show"], ["config", "path"]] {
        let output = run(home.path(), &[command[0], command[1], "--help"], &[]);
        assert!(output.status.success());
        assert!(text(&output.stdout).contains("Exemples :"), "{}", text(&output.stdout));
    }
    let output = run(home.path(), &["config"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stdout).contains("show"), "{}", text(&output.stdout));
}

/// Issue 28, item 4: `-vv` tells an error with the errors it comes from, one « Cause » line each;
/// without it the same error says nothing more.
#[cfg(unix)]
#[test]
fn very_verbose_tells_the_cause_of_an_error() {
    let home = tempfile::tempdir().expect("temp dir");
    let folder = home.path().join("config.toml");
    std::fs::create_dir(&folder).expect("a folder where the file should be");
    let config = folder.to_str().expect("utf-8 path");
    let env = [("JLM_BATIGEST_CONFIG", config)];
    let plain = run(home.path(), &["config", "show"], &env);
    let verbose = run(home.path(), &["config", "show", "-vv"], &env);
    assert_eq!((plain.status.code(), verbose.status.code()), (Some(2), Some(2)));
    let (plain, verbose) = (text(&plain.stderr), text(&verbose.stderr));
    let message = format!("Erreur : lecture de {config} impossible : c'est un dossier");
    assert!(plain.starts_with(&message) && !plain.contains("Cause"), "{plain}");
    assert!(verbose.contains(&message), "{verbose}");
    // The system's own words, that the French reason was made from.
    let causes: Vec<&str> = verbose.lines().filter(|line| line.starts_with("Cause : ")).collect();
    assert_eq!(causes.len(), 1, "{verbose}");
    assert!(causes[0].to_lowercase().contains("directory"), "{verbose}");
}

/// `[sync.statuts]` keys are read as `--statut` reads a status (any case) and shown under their
/// code; one status given twice (`accepte` and `ACCEPTE`) is refused, not settled by key order.
#[test]
fn sync_statuts_read_statuses_as_the_options_do_and_refuse_one_given_twice() {
    let home = tempfile::tempdir().expect("home");
    let config =
        write_config(home.path(), "[profiles.default.sync.statuts]\naccepte = \"signe\"\nVALIDE = \"valide\"\n");
    let output = run(home.path(), &["config", "show"], &[("JLM_BATIGEST_CONFIG", &config)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let (value, source) = row(&text(&output.stdout), "Statuts vers JLM ERP");
    assert_eq!((value.as_str(), source.as_str()), ("ACCEPTE → signe, VALIDE → valide", "profil default"));

    let config =
        write_config(home.path(), "[profiles.default.sync.statuts]\naccepte = \"signe\"\nACCEPTE = \"valide\"\n");
    let output = run(home.path(), &["config", "show"], &[("JLM_BATIGEST_CONFIG", &config)]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    let said = text(&output.stderr);
    assert!(said.contains("ligne 1 : valeur de « profiles.default.sync.statuts » refusée"), "{said}");
    assert!(said.contains("doit donner chaque statut de devis une fois : ACCEPTE y est deux fois"), "{said}");
}
