//! The surface no other test reached (issue 30, item 4), each through the real binary: `--version`,
//! `completions SHELL` on stdout, `--color always`, `--no-progress`, `serve --set-token`,
//! `--token-stdin`, `--insecure-http`, `--max-requests` (429) and its Ctrl-C, `demo --keep`, and the
//! sandbox's own `--cert`/`--key`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{PASSWORD, Sandbox, USER, command, ok, output_with_stdin, session_bus, stderr, stdout};
use crate::serve::{Server, TOKEN};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `text` without its ANSI SGR sequences (`ESC [ … m`).
fn without_colors(text: &str) -> String {
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[test]
fn version_is_one_line_on_stdout() {
    let home = tempfile::tempdir().expect("home");
    for flag in ["--version", "-V"] {
        let output = command(home.path()).arg(flag).output().expect("run");
        assert_eq!(output.status.code(), Some(0), "{flag}: {}", stderr(&output));
        assert_eq!(stdout(&output), format!("jlm-batigest {}\n", env!("CARGO_PKG_VERSION")), "{flag}");
        assert_eq!(stderr(&output), "", "{flag}");
    }
}

/// `completions SHELL` without `--dir` writes the script on stdout, the very file committed in
/// completions/ (docs.rs keeps those fresh), and nothing on stderr.
#[test]
fn completions_go_to_stdout() {
    let home = tempfile::tempdir().expect("home");
    for (shell, file) in [
        ("bash", "jlm-batigest.bash"),
        ("zsh", "_jlm-batigest"),
        ("fish", "jlm-batigest.fish"),
        ("elvish", "jlm-batigest.elv"),
    ] {
        let output = command(home.path()).args(["completions", shell]).output().expect("run");
        assert_eq!(output.status.code(), Some(0), "{shell}: {}", stderr(&output));
        let committed = std::fs::read(repository().join("completions").join(file)).expect("committed script");
        assert!(output.stdout == committed, "{shell}: stdout is not completions/{file}");
        assert_eq!(stderr(&output), "", "{shell}");
        let entries: Vec<_> = std::fs::read_dir(home.path()).expect("home").collect();
        assert!(entries.is_empty(), "{shell}: nothing written in HOME: {entries:?}");
    }
}

/// `--color always` colours a table even on a pipe, `never` and the default (a pipe) do not; the
/// text is the same once the colours are taken away.
#[test]
fn color_always_colours_a_piped_table() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let coloured = ok(&sandbox.run(&["--color", "always", "factures", "--au", "2024-04-15"]));
    let never = ok(&sandbox.run(&["--color", "never", "factures", "--au", "2024-04-15"]));
    let default = ok(&sandbox.run(&["factures", "--au", "2024-04-15"]));
    assert!(coloured.contains("\u{1b}["), "no colour with --color always:\n{coloured}");
    assert!(!never.contains('\u{1b}'), "{never}");
    assert_eq!(default, never, "auto on a pipe is never");
    assert_eq!(without_colors(&coloured), never);
    assert!(never.contains("FA-2024-000001"), "{never}");
}

/// What a terminal 100 columns wide shows; it says what it is (TERM): without TERM the spinner's
/// library draws nothing.
fn on_terminal(sandbox: &Sandbox, args: &str) -> String {
    crate::terminal::on_terminal_with(sandbox, 100, args, &[("TERM", "xterm")])
}

/// On a terminal, a slow export shows its spinner (« N devis lus (…/s) ») on stderr;
/// `--no-progress` hides it and changes nothing else.
#[test]
fn no_progress_hides_the_spinner_on_a_terminal() {
    if !crate::common::tool_available(
        "script",
        "util-linux's script (Debian: bsdutils)",
        Command::new("script").arg("--version"),
    ) {
        return;
    }
    // Each answer waits 600 ms: the spinner ticks (every 120 ms) while the rows are awaited.
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "600", "--latency-ms", "600"]);
    let target = sandbox.path("devis.csv");
    let args = format!("devis --format csv -o {}", target.display());
    let shown = on_terminal(&sandbox, &args);
    assert!(shown.contains("devis lus ("), "the spinner on the terminal: {shown:?}");
    let rows = std::fs::read_to_string(&target).expect("export").lines().count();
    let hidden = on_terminal(&sandbox, &format!("--no-progress {args}"));
    assert!(!hidden.contains("lus ("), "--no-progress: {hidden:?}");
    assert_eq!(std::fs::read_to_string(&target).expect("export").lines().count(), rows);
    assert_eq!(rows, 601, "the header and 600 devis");
}

/// `serve` for `profile`, its token taken from the keyring (no JLM_BATIGEST_API_TOKEN).
fn serve_from_keyring(sandbox: &Sandbox, bus: &str, profile: &str) -> Server {
    let mut command = sandbox.client();
    command
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("JLM_BATIGEST_CONFIG", sandbox.path("config.toml"))
        .args(["--profile", profile, "--jlm-db", &format!("sqlite:{}", sandbox.path("jlm.sqlite").display())])
        .args(["serve", "--listen", "127.0.0.1:0"]);
    Server::spawn(&mut command)
}

/// A profile file naming `profile` (the keyring's entries are the profile's).
fn write_profile(sandbox: &Sandbox, profile: &str) {
    std::fs::write(sandbox.path("config.toml"), format!("[profiles.{profile}]\nserver = \"127.0.0.1\"\n"))
        .expect("write the profile");
}

fn logout(sandbox: &Sandbox, bus: &str, profile: &str) {
    let output = command(sandbox.dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("JLM_BATIGEST_CONFIG", sandbox.path("config.toml"))
        .args(["--profile", profile, "logout"])
        .output()
        .expect("logout");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// `serve --set-token` makes a token, keeps it in the keyring, shows it once on stdout (and only
/// there) and stops; `serve` then accepts that token and no other.
#[test]
fn set_token_shows_a_new_token_once_and_serve_accepts_it() {
    let Some(bus) = session_bus() else { return };
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let profile = format!("settoken-{}", std::process::id());
    write_profile(&sandbox, &profile);
    let set = command(sandbox.dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .env("JLM_BATIGEST_CONFIG", sandbox.path("config.toml"))
        .args(["--profile", &profile, "serve", "--set-token"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(set.status.code(), Some(0), "{}", stderr(&set));
    let token = stdout(&set).trim_end_matches('\n').to_owned();
    assert_eq!(token.len(), 64, "32 random bytes in hex: {token:?}");
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token:?}");
    assert!(stderr(&set).starts_with("Jeton d'accès enregistré dans le trousseau ("), "{}", stderr(&set));
    assert!(!stderr(&set).contains(&token), "the token only on stdout: {}", stderr(&set));

    let server = serve_from_keyring(&sandbox, &bus, &profile);
    let (status, answer) = server.call("GET", "/api/batigest/connection-test", Some(&token), None);
    assert_eq!((status, &answer["connected"]), (200, &serde_json::Value::Bool(true)), "{answer}");
    let (status, answer) = server.call("GET", "/api/batigest/connection-test", Some(TOKEN), None);
    assert_eq!(status, 401, "another token: {answer}");
    assert!(!server.log().contains(&token), "the token in the access log");
    drop(server);

    // A second --set-token replaces the first.
    let again = command(sandbox.dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .env("JLM_BATIGEST_CONFIG", sandbox.path("config.toml"))
        .args(["--profile", &profile, "serve", "--set-token"])
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_ne!(stdout(&again).trim(), token, "a new token each time");
    logout(&sandbox, &bus, &profile);
}

/// `serve --token-stdin` keeps the token given on stdin (16 characters at least), echoes it
/// nowhere, and `serve` accepts it.
#[test]
fn token_stdin_keeps_the_given_token() {
    let Some(bus) = session_bus() else { return };
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let profile = format!("tokenstdin-{}", std::process::id());
    write_profile(&sandbox, &profile);
    let store = |token: &str| {
        output_with_stdin(
            command(sandbox.dir.path())
                .env("DBUS_SESSION_BUS_ADDRESS", &bus)
                .env("JLM_BATIGEST_CONFIG", sandbox.path("config.toml"))
                .args(["--profile", &profile, "serve", "--token-stdin"]),
            &format!("{token}\n"),
        )
    };
    let short = store("trop-court-15ch");
    assert_eq!(short.status.code(), Some(2), "{}", stderr(&short));
    assert!(stderr(&short).contains("jeton trop court : 16 caractères au moins"), "{}", stderr(&short));
    assert_eq!(stdout(&short), "");

    let given = "jeton-choisi-par-l-erp-0123456789";
    let stored = store(given);
    assert_eq!(stored.status.code(), Some(0), "{}", stderr(&stored));
    assert_eq!(stdout(&stored), "", "the token is not shown back");
    assert!(stderr(&stored).starts_with("Jeton d'accès enregistré dans le trousseau ("), "{}", stderr(&stored));
    assert!(!stderr(&stored).contains(given), "{}", stderr(&stored));

    let server = serve_from_keyring(&sandbox, &bus, &profile);
    let (status, answer) = server.call("GET", "/api/batigest/connection-test", Some(given), None);
    assert_eq!(status, 200, "{answer}");
    let (status, _) =
        server.call("GET", "/api/batigest/connection-test", Some("jeton-choisi-par-l-erp-012345678"), None);
    assert_eq!(status, 401, "one character less is another token");
    drop(server);
    logout(&sandbox, &bus, &profile);
}

/// Off the loopback, plain HTTP is refused unless `--insecure-http` says it is wanted; then the
/// API answers over plain HTTP.
#[test]
fn insecure_http_is_needed_to_listen_in_clear_off_the_loopback() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let refused = sandbox
        .client()
        .env("JLM_BATIGEST_API_TOKEN", TOKEN)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--insecure-http"), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--cert FICHIER.pem et --key CLÉ.pem"), "{}", stderr(&refused));
    assert_eq!(stdout(&refused), "");

    let mut open = sandbox.client();
    open.env("JLM_BATIGEST_API_TOKEN", TOKEN)
        .args(["--jlm-db", &format!("sqlite:{}", sandbox.path("jlm.sqlite").display())])
        .args(["serve", "--listen", "0.0.0.0:0", "--insecure-http"]);
    let server = Server::spawn(&mut open);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    let stream = std::net::TcpStream::connect(addr).expect("connect");
    let (status, answer) = crate::serve::exchange(stream, "GET", "/api/batigest/connection-test", Some(TOKEN), None);
    assert_eq!((status, &answer["connected"]), (200, &serde_json::Value::Bool(true)), "{answer}");
}

/// `--max-requests 1`: while one request is answered, the next is 429; once it is done, the
/// slot is free again. Then Ctrl-C stops the server with code 0 (README « serve »), after it
/// said so.
#[test]
fn max_requests_answers_429_beyond_the_limit_and_ctrl_c_stops_cleanly() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off", "--latency-ms", "500"]);
    let mut server = Server::start(&sandbox, &["-v", "--max-requests", "1"]);
    let addr = server.addr;
    let first = std::thread::spawn(move || {
        let stream = std::net::TcpStream::connect(addr).expect("connect");
        crate::serve::exchange(stream, "GET", "/api/batigest/devis-clients?limit=1", Some(TOKEN), None)
    });
    server.wait_for("requête : ");
    // The refusal is chunked JSON: read whole, raw.
    let mut refused = std::net::TcpStream::connect(server.addr).expect("connect");
    write!(
        refused,
        "GET /api/batigest/devis-clients?limit=1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    refused.read_to_string(&mut answer).expect("the answer");
    assert!(answer.starts_with("HTTP/1.1 429 Too Many Requests\r\n"), "{answer}");
    assert!(
        answer.contains(r#"{"success":false,"error":{"code":"trop_de_requetes","message":"trop de requêtes en même temps : réessayez dans un instant"}}"#),
        "{answer}"
    );
    let (status, answer) = first.join().expect("the first request");
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = server.get("/api/batigest/devis-clients?limit=1");
    assert_eq!(status, 200, "the slot is free again: {answer}");

    let pid = server.child().id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().expect("kill").success());
    let exit = server.child().wait().expect("wait");
    assert_eq!(exit.code(), Some(0), "Ctrl-C stops serve cleanly");
    assert!(server.log().contains("Arrêt demandé : les requêtes en cours se terminent…"), "{}", server.log());
}

/// `demo --keep`: the tour, then the sandbox stays up for commands by hand (the line to paste is
/// shown), until Ctrl-C; then nothing is left in the temporary folder.
#[test]
fn demo_keep_leaves_the_sandbox_up_until_ctrl_c() {
    let home = tempfile::tempdir().expect("home");
    let temp = tempfile::tempdir().expect("temp");
    let mut child = command(home.path())
        .env("TMPDIR", temp.path())
        .env("SHELL", "/bin/bash")
        .args(["demo", "--keep", "--devis", "50"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut errors = child.stderr.take().expect("stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut errors, &mut text).ok();
        text
    });
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut shown = Vec::new();
    let kept = loop {
        let line = lines.next().unwrap_or_else(|| panic!("the demo ended: {}", shown.join("\n"))).expect("UTF-8");
        shown.push(line.clone());
        if let Some(rest) = line.strip_prefix("Le bac à sable reste disponible sur ") {
            break rest.strip_suffix(" ; Ctrl-C pour l'arrêter.").expect("the whole line").to_owned();
        }
    };
    let shown = shown.join("\n");
    // The line to paste in another terminal: the profile file and the sandbox's password.
    let config = shown.lines().find_map(|line| line.split("JLM_BATIGEST_CONFIG=").nth(1)).map_or_else(
        || panic!("no JLM_BATIGEST_CONFIG line: {shown}"),
        |rest| rest.split_whitespace().next().expect("a path").trim_matches('\'').trim_matches('"').to_owned(),
    );
    let by_hand = command(home.path())
        .env("JLM_BATIGEST_CONFIG", &config)
        .env("BATIGEST_SQL_PASSWORD", PASSWORD)
        .args(["--profile", "demo", "test-connection"])
        .output()
        .expect("run");
    assert_eq!(by_hand.status.code(), Some(0), "{}", stderr(&by_hand));
    assert!(stdout(&by_hand).contains(&format!("Connexion à Batigest réussie ({kept})")), "{}", stdout(&by_hand));

    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill").success());
    let exit = child.wait().expect("wait");
    let errors = errors.join().expect("stderr");
    assert_eq!(exit.code(), Some(0), "Ctrl-C ends the kept demo: {errors}");
    let left: Vec<_> = std::fs::read_dir(temp.path()).expect("temp").collect();
    assert!(left.is_empty(), "the demo left temporary files: {left:?}");
    let left: Vec<_> = std::fs::read_dir(home.path()).expect("home").collect();
    assert!(left.is_empty(), "the demo wrote into HOME: {left:?}");
}

/// The sandbox serves the certificate it is given (`--cert`, `--key`), not one of its own: a
/// client trusting only that certificate's CA connects, one trusting nothing is refused.
#[test]
fn the_sandbox_serves_the_certificate_it_is_given() {
    let dir = tempfile::tempdir().expect("dir");
    // A test CA and a certificate for localhost signed by it (the alerts' SMTP tests make them).
    let (ca_pem, cert_pem, key_pem) = crate::alertes::certificates(dir.path());
    let sandbox = Sandbox::with_fixture(&[
        "--tls",
        "required",
        "--cert",
        cert_pem.to_str().expect("utf-8"),
        "--key",
        key_pem.to_str().expect("utf-8"),
    ]);
    let connect = |extra: &[&str]| {
        command(sandbox.dir.path())
            .env("BATIGEST_SQL_PASSWORD", PASSWORD)
            .args(["test-connection", "--server", "localhost", "--port", &sandbox.addr.port().to_string()])
            .args(["--user", USER, "--encrypt", "required"])
            .args(extra)
            .output()
            .expect("run")
    };
    let trusted = connect(&["--ca-file", ca_pem.to_str().expect("utf-8")]);
    assert_eq!(trusted.status.code(), Some(0), "{}", stderr(&trusted));
    let port = sandbox.addr.port();
    assert!(
        stdout(&trusted).contains(&format!("Connexion à Batigest réussie (localhost:{port})")),
        "{}",
        stdout(&trusted)
    );
    let untrusted = connect(&[]);
    assert_eq!(untrusted.status.code(), Some(3), "{}", stderr(&untrusted));
    assert!(stderr(&untrusted).contains("échec TLS"), "{}", stderr(&untrusted));
}
