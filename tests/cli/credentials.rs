//! `login` / `logout` through the real Secret Service, and a clear failure without one.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::common::{PASSWORD, Sandbox, command, output_with_stdin, session_bus};

/// A session bus address where nothing listens: a machine without a keyring service.
const NO_BUS: &str = "unix:path=/nonexistent/jlm-batigest-test-bus";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A profile of its own in a config file of its own, so parallel tests and earlier runs never
/// share a keyring entry. Its entry is removed when dropped, even after a failed assertion.
struct Profile {
    home: tempfile::TempDir,
    config: PathBuf,
    name: String,
    bus: String,
}

impl Profile {
    fn new(bus: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("test-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let home = tempfile::tempdir().expect("temp dir");
        let config = home.path().join("config.toml");
        std::fs::write(&config, format!("[profiles.{name}]\nserver = \"127.0.0.1\"\nuser = \"sa\"\n"))
            .expect("write the config file");
        Self { home, config, name, bus: bus.to_owned() }
    }

    fn run(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        run(self.home.path(), &self.config, &self.bus, &[&["--profile", &self.name], args].concat(), stdin, env)
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = self.run(&["logout"], "", &[]);
    }
}

fn run(home: &Path, config: &Path, bus: &str, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    output_with_stdin(
        command(home)
            .args(args)
            .env("JLM_BATIGEST_CONFIG", config)
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .envs(env.iter().copied()),
        stdin,
    )
}

fn password_line(stdout: &str) -> &str {
    stdout.lines().find(|line| line.starts_with("Mot de passe")).unwrap_or_else(|| panic!("{stdout}"))
}

#[test]
fn login_show_logout_through_the_secret_service() {
    let Some(bus) = session_bus() else { return };
    let profile = Profile::new(&bus);
    let secret = format!("Pw-{}-é!", profile.name);

    let before = profile.run(&["config", "show"], "", &[]);
    assert_eq!(before.status.code(), Some(0), "{}", text(&before.stderr));
    assert!(password_line(&text(&before.stdout)).contains("non défini"), "{}", text(&before.stdout));

    // No server here: --no-check stores without trying the password.
    let login = profile.run(&["login", "--password-stdin", "--no-check"], &format!("{secret}\n"), &[]);
    assert!(login.status.success(), "{}", text(&login.stderr));
    let expected = format!("Mot de passe enregistré dans le trousseau pour le profil {}.\n", profile.name);
    assert_eq!(text(&login.stderr), expected);

    // The keyring comes before BATIGEST_SQL_PASSWORD (DESIGN §2).
    let show = profile.run(&["config", "show"], "", &[("BATIGEST_SQL_PASSWORD", "from-env")]);
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    assert!(show.status.success(), "{}", text(&show.stderr));
    let stdout = text(&show.stdout);
    let line = password_line(&stdout);
    assert!(line.contains("********") && line.ends_with("trousseau"), "{line}");
    assert!(!stdout.contains(&secret) && !text(&show.stderr).contains(&secret), "{stdout}");

    let logout = profile.run(&["logout"], "", &[]);
    assert!(logout.status.success(), "{}", text(&logout.stderr));
    assert!(text(&logout.stderr).contains("retiré du trousseau"), "{}", text(&logout.stderr));

    let show = profile.run(&["config", "show"], "", &[("BATIGEST_SQL_PASSWORD", "from-env")]);
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    let line = password_line(&text(&show.stdout)).to_owned();
    assert!(line.contains("********") && line.ends_with("BATIGEST_SQL_PASSWORD"), "masked, from the variable: {line}");
    assert!(!line.contains("from-env"), "{line}");
    let show = profile.run(&["config", "show"], "", &[]);
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    assert!(password_line(&text(&show.stdout)).contains("non défini"), "{}", text(&show.stdout));

    let again = profile.run(&["logout"], "", &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("rien à retirer"), "{}", text(&again.stderr));
}

#[test]
fn login_stores_only_a_password_the_server_accepts() {
    let Some(bus) = session_bus() else { return };
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "1"]);
    let profile = Profile::new(&bus);
    let port = sandbox.addr.port().to_string();
    let server = ["--port", port.as_str(), "--encrypt", "off"];

    let refused = profile.run(&[&server[..], &["login", "--password-stdin"]].concat(), "Pas-le-bon\n", &[]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("mot de passe non enregistré") && stderr.contains("--no-check"), "{stderr}");
    let show = profile.run(&["config", "show"], "", &[]);
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    assert!(password_line(&text(&show.stdout)).contains("non défini"), "{}", text(&show.stdout));

    let accepted = profile.run(&[&server[..], &["login", "--password-stdin"]].concat(), &format!("{PASSWORD}\n"), &[]);
    assert!(accepted.status.success(), "{}", text(&accepted.stderr));
    let show = profile.run(&["config", "show"], "", &[]);
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    assert!(password_line(&text(&show.stdout)).ends_with("trousseau"), "{}", text(&show.stdout));
}

#[test]
fn login_refuses_an_empty_password_and_a_missing_terminal() {
    let Some(bus) = session_bus() else { return };
    let profile = Profile::new(&bus);
    let empty = profile.run(&["login", "--password-stdin"], "\n", &[]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(text(&empty.stderr).contains("mot de passe vide"), "{}", text(&empty.stderr));

    // No terminal and no --password-stdin: fail at once rather than wait.
    let no_tty = profile.run(&["login"], "ignored\n", &[]);
    assert_eq!(no_tty.status.code(), Some(2));
    assert!(text(&no_tty.stderr).contains("--password-stdin"), "{}", text(&no_tty.stderr));
    let show = profile.run(&["config", "show"], "", &[]);
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    assert!(password_line(&text(&show.stdout)).contains("non défini"), "{}", text(&show.stdout));
}

#[test]
fn login_for_an_unknown_profile_stores_nothing() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, "").expect("write the config file");
    let output =
        run(home.path(), &config, NO_BUS, &["--profile", "prodution", "login", "--password-stdin"], "x\n", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("profil « prodution » inconnu"), "{}", text(&output.stderr));
}

#[test]
fn without_a_keyring_service_login_fails_clearly_and_never_echoes() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, "").expect("write the config file");
    let secret = "Ne-Jamais-Afficher-42";
    let output = run(
        home.path(),
        &config,
        NO_BUS,
        &["-vv", "login", "--password-stdin", "--no-check"],
        &format!("{secret}\n"),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Erreur : aucun trousseau du système n'est accessible"), "{stderr}");
    assert!(stderr.contains("Aide :") && stderr.contains("BATIGEST_SQL_PASSWORD"), "{stderr}");
    assert!(!stderr.contains(secret) && !text(&output.stdout).contains(secret), "{stderr}");

    let output = run(home.path(), &config, NO_BUS, &["logout"], "", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("aucun trousseau"), "{}", text(&output.stderr));

    // The environment variable is the way around it: config show says so, without the value.
    let output = run(home.path(), &config, NO_BUS, &["config", "show"], "", &[("BATIGEST_SQL_PASSWORD", secret)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let line = password_line(&stdout);
    assert!(line.contains("********") && line.ends_with("BATIGEST_SQL_PASSWORD"), "{line}");
    assert!(!stdout.contains(secret), "{stdout}");
}

#[test]
fn help_is_french_with_examples() {
    let home = tempfile::tempdir().expect("temp dir");
    for name in ["login", "logout"] {
        let output = command(home.path()).args([name, "--help"]).output().expect("run jlm-batigest");
        assert!(output.status.success());
        let help = text(&output.stdout);
        assert!(help.contains("Exemples :") && help.contains("trousseau"), "{help}");
    }
}

/// Issue 27, item 12: a profile named `P/smtp` had the keyring account of P's SMTP password — its
/// SQL password was P's SMTP password, and `logout --profile P/smtp` removed it. A `/` in a
/// profile name is refused, on the command line and in the file, before the keyring is touched.
#[test]
fn a_profile_name_cannot_reach_another_profiles_secrets() {
    let Some(bus) = session_bus() else { return };
    let profile = Profile::new(&bus);
    let smtp = profile.run(&["alertes", "login-smtp", "--password-stdin"], "Smtp-secret-1\n", &[]);
    assert!(smtp.status.success(), "{}", text(&smtp.stderr));

    let intruder = format!("{}/smtp", profile.name);
    let logout = run(profile.home.path(), &profile.config, &bus, &["--profile", &intruder, "logout"], "", &[]);
    assert_eq!(logout.status.code(), Some(2), "{}", text(&logout.stderr));
    assert!(logout.stdout.is_empty());
    assert!(
        text(&logout.stderr).contains(&format!(
            "Erreur : valeur « {intruder} » invalide pour --profile <NOM> : « / » est réservé : le trousseau range les \
             secrets d'un profil sous PROFIL/smtp"
        )),
        "{}",
        text(&logout.stderr)
    );

    // In the file too: the table is named, with its line.
    let config = format!("[profiles.default]\nuser = \"sa\"\n\n[profiles.\"{intruder}\"]\nuser = \"sa\"\n");
    std::fs::write(&profile.config, config).expect("write");
    let show = run(profile.home.path(), &profile.config, &bus, &["config", "show"], "", &[]);
    assert_eq!(show.status.code(), Some(2), "{}", text(&show.stderr));
    assert!(
        text(&show.stderr).contains(&format!("config.toml, ligne 4 : profil « {intruder} » : « / » est réservé")),
        "{}",
        text(&show.stderr)
    );

    // The SMTP password is still there: the profile's own logout removes it.
    std::fs::write(&profile.config, format!("[profiles.{}]\nuser = \"sa\"\n", profile.name)).expect("write");
    let logout = profile.run(&["logout"], "", &[]);
    assert!(logout.status.success(), "{}", text(&logout.stderr));
    assert!(
        text(&logout.stderr).contains("Retiré(s) aussi : mot de passe SMTP des alertes."),
        "{}",
        text(&logout.stderr)
    );
}
