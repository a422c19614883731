use std::path::{Path, PathBuf};
use std::time::Duration;

use super::env::{JLM_DATABASE_VAR, PORT_VAR, SERVER_VAR, USER_VAR};
use super::*;
use crate::batigest::connection::Encryption;
use crate::error::{Error, Result};

fn file(text: &str) -> Result<ConfigFile> {
    Ok(ConfigFile::parse(PathBuf::from("/etc/jlm/config.toml"), text)?)
}

fn resolve(args: &Flags, env: &Env, text: &str) -> Result<Settings> {
    Ok(Settings::resolve(args, env, &file(text).expect("valid file"))?)
}

const PRODUCTION: &str = r#"
[profiles.default]
server = "batigest.local"
port = 1500
database = "BTG_DOS_JLM"
user = "lecteur"
encrypt = "login-only"
trust_cert = true
ca_file = "ca.pem"
timeout = 120
jlm_db = "postgres://jlm@erp/jlm"
schema = "mapping.toml"

[profiles.production]
server = 'SRV-BATI\SAGEBAT'
"#;

#[test]
fn defaults_without_anything() {
    let settings = resolve(&Flags::default(), &Env::default(), "").expect("defaults");
    assert_eq!(settings.profile, "default");
    assert_eq!(settings.server, Sourced::new("localhost".to_owned(), Source::Default));
    assert_eq!(settings.port.value, 1433);
    assert_eq!(settings.database.value, "BATIGEST_CONNECT");
    assert_eq!(settings.encrypt.value, Encryption::Required);
    assert_eq!(settings.timeout.value, Duration::from_secs(30));
    assert!(!settings.trust_cert.value && settings.instance.value.is_none() && settings.ca_file.value.is_none());
    let error = Error::from(settings.user().expect_err("no user"));
    assert_eq!(error.message, "aucun utilisateur SQL : --user, BATIGEST_SQL_USER ou le profil « default »");
}

#[test]
fn profile_values_with_their_source() {
    let settings = resolve(&Flags::default(), &Env::default(), PRODUCTION).expect("profile");
    let profile = Source::Profile("default".to_owned());
    assert_eq!(settings.server, Sourced::new("batigest.local".to_owned(), profile.clone()));
    assert_eq!(settings.port, Sourced::new(1500, profile.clone()));
    assert_eq!(settings.encrypt.value, Encryption::LoginOnly);
    assert_eq!(settings.trust_cert, Sourced::new(true, profile.clone()));
    assert_eq!(settings.timeout.value, Duration::from_mins(2));
    assert_eq!(settings.ca_file.value.as_deref(), Some(Path::new("/etc/jlm/ca.pem")));
    assert_eq!(settings.schema.value.as_deref(), Some(Path::new("/etc/jlm/mapping.toml")));
    assert_eq!(settings.user().expect("user"), "lecteur");
    let builtin = PRODUCTION.replace("\"mapping.toml\"", "\"batigest\"");
    let settings = resolve(&Flags::default(), &Env::default(), &builtin).expect("profile");
    assert_eq!(settings.schema.value.as_deref(), Some(Path::new("batigest")), "a built-in name, not a path");
}

#[test]
fn flag_beats_env_beats_profile() {
    let env = Env {
        server: Some("env-host".to_owned()),
        port: Some("1600".to_owned()),
        user: Some("env-user".to_owned()),
        ..Env::default()
    };
    let args = Flags { server: Some("flag-host".to_owned()), ..Flags::default() };
    let settings = resolve(&args, &env, PRODUCTION).expect("layers");
    assert_eq!(settings.server, Sourced::new("flag-host".to_owned(), Source::Flag("--server")));
    assert_eq!(settings.port, Sourced::new(1600, Source::Env(PORT_VAR)));
    assert_eq!(settings.user, Sourced::new(Some("env-user".to_owned()), Source::Env(USER_VAR)));
    assert_eq!(settings.database.source, Source::Profile("default".to_owned()));
}

#[test]
fn server_with_instance_is_split() {
    let args = Flags { profile: Some("production".to_owned()), ..Flags::default() };
    let settings = resolve(&args, &Env::default(), PRODUCTION).expect("production");
    assert_eq!(settings.server.value, "SRV-BATI");
    assert_eq!(settings.instance, Sourced::new(Some("SAGEBAT".to_owned()), Source::Profile("production".into())));

    let env = Env { server: Some(r"HOST\SAGEBAT".to_owned()), ..Env::default() };
    let settings = resolve(&Flags::default(), &env, "").expect("env");
    assert_eq!(settings.instance, Sourced::new(Some("SAGEBAT".to_owned()), Source::Env(SERVER_VAR)));

    let args = Flags { server: Some(r"HOST\A".to_owned()), instance: Some("B".to_owned()), ..Flags::default() };
    let error = resolve(&args, &Env::default(), "").expect_err("two instances");
    assert!(error.message.contains("« A »") && error.message.contains("« B »"), "{}", error.message);
    let args = Flags { server: Some(r"HOST\".to_owned()), ..Flags::default() };
    assert!(resolve(&args, &Env::default(), "").is_err());
}

#[test]
fn bad_port_variable_names_it() {
    for raw in ["abc", "0", "70000"] {
        let env = Env { port: Some(raw.to_owned()), ..Env::default() };
        let error = resolve(&Flags::default(), &env, "").expect_err("bad port");
        assert!(error.message.contains(PORT_VAR) && error.message.contains(&format!("« {raw} »")), "{}", error.message);
    }
}

#[test]
fn unknown_profile_lists_the_known_ones() {
    let args = Flags { profile: Some("recette".to_owned()), ..Flags::default() };
    let error = resolve(&args, &Env::default(), PRODUCTION).expect_err("unknown profile");
    assert!(
        error.message.contains("« recette »") && error.message.contains("default, production"),
        "{}",
        error.message
    );
    let missing = ConfigFile::read(PathBuf::from("/nonexistent/config.toml")).expect("missing is empty");
    assert!(!missing.exists);
    let error = Error::from(Settings::resolve(&args, &Env::default(), &missing).expect_err("unknown profile"));
    assert!(error.message.contains("n'existe pas"), "{}", error.message);
}

#[test]
fn password_is_refused_anywhere_without_its_value() {
    for text in [
        "[profiles.default]\nserver = \"x\"\npassword = \"hunter2\"\n",
        "password = \"hunter2\"\n",
        "[profiles.default]\nserver = \"x\"\n\n\npassword = hunter2\n",
        "[profiles]\ndefault = { password = \"hunter2\" }\n",
    ] {
        let error = file(text).expect_err("password refused");
        assert!(error.message.contains("« password » refusée"), "{}", error.message);
        assert!(!error.message.contains("hunter2") && !error.hint.as_deref().unwrap_or("").contains("hunter2"));
    }
    let error = file("[profiles.default]\nserver = \"x\"\npassword = \"hunter2\"\n").expect_err("refused");
    assert!(error.message.contains("ligne 3"), "{}", error.message);
}

#[test]
fn unknown_keys_and_bad_values_name_the_file_and_line() {
    let error = file("[profiles.default]\nserver = \"x\"\nsevrer = \"y\"\n").expect_err("typo");
    assert_eq!(error.message, "/etc/jlm/config.toml, ligne 3 : clé inconnue « sevrer » dans le profil « default »");
    let error = file("server = \"x\"\n").expect_err("outside a profile");
    assert!(error.message.contains("ligne 1") && error.message.contains("« server »"), "{}", error.message);
    let error = file("[profiles.default]\nport = \"1433\"\n").expect_err("string port");
    assert!(error.message.contains("ligne 2") && error.message.contains("entier"), "{}", error.message);
    let error = file("[profiles.default]\nencrypt = \"maybe\"\n").expect_err("bad mode");
    assert!(error.message.contains("login-only"), "{}", error.message);
    let error = file("[profiles.default]\nserver = \"x\"\nport = = 3\n").expect_err("syntax");
    assert!(error.message.starts_with("/etc/jlm/config.toml, ligne 3 : TOML invalide"), "{}", error.message);
}

#[test]
fn suggested_commands_follow_the_shell() {
    let system = r"C:\Program Files\WindowsPowerShell\Modules;C:\WINDOWS\system32\WindowsPowerShell\v1.0\Modules";
    let user = format!(r"C:\Users\Hélène\OneDrive\Documents\WindowsPowerShell\Modules;{system}");
    assert_eq!(Shell::detect(true, Some(system)), Shell::Cmd);
    assert_eq!(Shell::detect(true, None), Shell::Cmd);
    assert_eq!(Shell::detect(true, Some(&user)), Shell::PowerShell);
    assert_eq!(Shell::detect(true, Some(r"C:\Users\a\Documents\PowerShell\Modules")), Shell::PowerShell);
    assert_eq!(Shell::detect(false, Some(&user)), Shell::Posix);
    let vars =
        [("JLM_BATIGEST_CONFIG", r"C:\Mes documents\l'essai\config.toml"), ("BATIGEST_SQL_PASSWORD", "Sandbox!2024")];
    assert_eq!(
        Shell::Posix.set_vars(&vars),
        r"export JLM_BATIGEST_CONFIG='C:\Mes documents\l'\''essai\config.toml' BATIGEST_SQL_PASSWORD='Sandbox!2024'"
    );
    assert_eq!(
        Shell::PowerShell.set_vars(&vars),
        r"$env:JLM_BATIGEST_CONFIG = 'C:\Mes documents\l''essai\config.toml'; $env:BATIGEST_SQL_PASSWORD = 'Sandbox!2024'"
    );
    assert_eq!(
        Shell::Cmd.set_vars(&vars),
        r#"set "JLM_BATIGEST_CONFIG=C:\Mes documents\l'essai\config.toml" & set "BATIGEST_SQL_PASSWORD=Sandbox!2024""#
    );
}

#[test]
fn store_url_flag_beats_the_environment() {
    let env = Env { jlm_database_url: Some("postgres://erp/jlm".to_owned()), ..Env::default() };
    let settings = resolve(&Flags::default(), &env, "").expect("env");
    assert_eq!(settings.jlm_db, Sourced::new(Some("postgres://erp/jlm".to_owned()), Source::Env(JLM_DATABASE_VAR)));
    let args = Flags { jlm_db: Some("sqlite:jlm.sqlite".to_owned()), ..Flags::default() };
    let settings = resolve(&args, &env, "").expect("flag");
    assert_eq!(settings.jlm_db, Sourced::new(Some("sqlite:jlm.sqlite".to_owned()), Source::Flag("--jlm-db")));
}
