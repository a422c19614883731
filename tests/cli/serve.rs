//! `serve`: the real binary on 127.0.0.1:0 against the sandbox and a SQLite or PostgreSQL store,
//! called over real HTTP/1.1 (and TLS), compared with the commands' own output.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use serde_json::Value;

use crate::common::{Sandbox, ok, stderr};

pub const TOKEN: &str = "jeton-de-test-serve-0123456789";

/// A running `serve`, killed when dropped; its stderr (address line, access log) kept.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: std::sync::mpsc::Receiver<String>,
}

impl Server {
    pub fn start(sandbox: &Sandbox, extra: &[&str]) -> Self {
        let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
        let mut command = sandbox.client();
        command.env("JLM_BATIGEST_API_TOKEN", TOKEN).args(["serve", "--listen", "127.0.0.1:0"]);
        if !extra.contains(&"--jlm-db") {
            command.args(["--jlm-db", &store]);
        }
        command.args(extra);
        Self::spawn(&mut command)
    }

    /// Starts `command` (a `serve` of the test's own making) and reads its address from its first line.
    pub fn spawn(command: &mut Command) -> Self {
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("start serve");
        let (tx, log) = std::sync::mpsc::channel::<String>();
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        // The address line; with -v, the settings' lines come first and go to the log.
        let mut before = Vec::new();
        let addr = loop {
            let line = lines.next().unwrap_or_else(|| panic!("serve ended: {}", before.join("\n"))).expect("UTF-8");
            if let Some(addr) = line.strip_prefix("API Batigest servie sur ").and_then(|url| url.split_once("://")) {
                break addr.1.parse().unwrap_or_else(|_| panic!("{line}"));
            }
            assert!(line.contains(" INFO ") || line.contains(" WARN "), "{line}");
            before.push(line);
        };
        for line in before {
            let _ = tx.send(line);
        }
        std::thread::spawn(move || {
            for line in lines.map_while(std::result::Result::ok) {
                let _ = tx.send(line);
            }
        });
        Server { child, addr, log }
    }

    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
        let stream = TcpStream::connect(self.addr).expect("connect");
        exchange(stream, method, path, token, body)
    }

    /// The process, to signal it and wait for its end.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, Some(TOKEN), None)
    }

    fn post(&self, path: &str, body: &str) -> (u16, Value) {
        self.call("POST", path, Some(TOKEN), Some(body))
    }

    /// Readiness: waits (a minute at most) for a stderr line containing `marker`, and returns it.
    pub fn wait_for(&self, marker: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(marker) => return line,
                Ok(line) => seen.push(line),
                Err(error) => panic!("serve never said « {marker} » ({error}): {}", seen.join("\n")),
            }
        }
    }

    pub fn log(&self) -> String {
        self.log.try_iter().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request (`Connection: close`), its status and JSON body.
pub fn exchange(
    mut stream: impl Read + Write,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, Value) {
    let body = body.unwrap_or_default();
    let auth = token.map(|token| format!("Authorization: Bearer {token}\r\n")).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let (head, payload) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP answer: {text}"));
    let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).expect("a status");
    let json = serde_json::from_str(payload).unwrap_or(Value::Null);
    (status, json)
}

fn run_json(sandbox: &Sandbox, args: &[&str]) -> Value {
    serde_json::from_str(&ok(&sandbox.run(args))).expect("JSON")
}

#[test]
fn routes_answer_with_the_original_keys_and_the_commands_figures() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);

    // Authentication: /healthz is open, every /api route needs the token.
    assert_eq!(server.call("GET", "/healthz", None, None).0, 200);
    assert_eq!(server.call("GET", "/api/batigest/connection-test", None, None).0, 401);
    assert_eq!(server.call("GET", "/api/batigest/connection-test", Some("mauvais-jeton"), None).0, 401);
    let (status, test) = server.get("/api/batigest/connection-test");
    assert_eq!((status, &test["connected"]), (200, &Value::Bool(true)), "{test}");

    // devis-clients: what the page reads (devis[].NUMERO_DEVIS, CLIENT_NOM…), typed, as `devis` has it.
    let (status, devis) = server.get("/api/batigest/devis-clients?startDate=2024-01-01&endDate=2024-12-31");
    assert_eq!(status, 200, "{devis}");
    let command = run_json(&sandbox, &["devis", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "json"]);
    let listed = devis["devis"].as_array().expect("devis");
    assert_eq!(devis["count"].as_u64(), Some(listed.len() as u64));
    assert_eq!(listed.len(), command["devis"].as_array().expect("devis").len());
    let first = listed.iter().find(|d| d["NUMERO_DEVIS"] == "DEVIS-2024-001").expect("DEVIS-2024-001");
    assert_eq!(first["CLIENT_NOM"], "Hélène Lefèvre");
    assert_eq!(first["MONTANT_HT"].to_string(), "12345678.91", "an exact number, not a string");
    assert_eq!(first["DATE_CREATION"], "2024-01-31T10:15:30.123456700");

    // facturations-en-cours: the same invoices and amounts as `factures --format json`.
    let (status, en_cours) = server.get("/api/batigest/facturations-en-cours?au=2024-04-30");
    assert_eq!(status, 200, "{en_cours}");
    let factures = run_json(&sandbox, &["factures", "--au", "2024-04-30", "--format", "json"]);
    let from_route: Vec<(String, String)> = en_cours["analyse"]["factures"]
        .as_array()
        .expect("factures")
        .iter()
        .map(|f| (f["NUMERO_FACTURE"].as_str().expect("numero").to_owned(), f["reste_du"].to_string()))
        .collect();
    let from_command: Vec<(String, String)> = factures["factures"]
        .as_array()
        .expect("factures")
        .iter()
        .map(|f| (f["numero_facture"].as_str().expect("numero").to_owned(), f["reste_du"].to_string()))
        .collect();
    assert_eq!(from_route, from_command);
    assert!(en_cours["analyse"]["factures"][0]["DATE_ECHEANCE"].is_string());

    // Errors: JSON, French, with the status of their kind.
    let (status, error) = server.get("/api/batigest/devis-clients?startDate=hier");
    assert_eq!(status, 400);
    assert!(error["error"]["message"].as_str().expect("message").contains("startDate « hier »"), "{error}");
    assert_eq!(server.post("/api/batigest/sync-offer", "{pas du json").0, 400);
    assert_eq!(server.post("/api/batigest/sync-offer", "{}").0, 400);
    let big = format!("{{\"batigestRef\": \"{}\"}}", "x".repeat(70 * 1024));
    assert_eq!(server.post("/api/batigest/sync-offer", &big).0, 413);
    let (status, missing) = server.post("/api/batigest/sync-offer", r#"{"batigestRef": "DEVIS-1999-404"}"#);
    assert_eq!(status, 404, "{missing}");

    // sync-offer with the original body, then the trace as `integrations` shows it.
    let (status, synced) = server.post("/api/batigest/sync-offer", r#"{"batigestRef": "DEVIS-2024-001"}"#);
    assert_eq!(status, 200, "{synced}");
    assert_eq!((&synced["synchronized"], &synced["outcome"]), (&Value::Bool(true), &Value::from("synced")));
    let (_, again) = server.post("/api/batigest/sync-offer", r#"{"batigestRef": "DEVIS-2024-001"}"#);
    assert_eq!(again["outcome"], "unchanged");
    let (status, integrations) = server.get("/api/batigest/integrations");
    assert_eq!(status, 200);
    assert_eq!(integrations["integrations"][0]["integration"]["numeroDevis"], "DEVIS-2024-001", "{integrations}");

    // generate-analytics saves a run that analytics-history then lists.
    let body = r#"{"startDate": "2024-01-01", "endDate": "2024-12-31", "periode": "annuel"}"#;
    let (status, generated) = server.post("/api/batigest/generate-analytics", body);
    assert_eq!(status, 200, "{generated}");
    let command = run_json(
        &sandbox,
        &["analytics", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "json", "--no-save"],
    );
    assert_eq!(
        generated["analytics"]["chiffreAffairesPrevu"].to_string(),
        command["indicateurs"][0]["ca_prevu"].to_string(),
        "{generated}"
    );
    let (_, history) = server.get("/api/batigest/analytics-history?periode=annuel");
    assert_eq!(history["count"], 1, "{history}");
    assert_eq!(history["analytics"][0]["id"], generated["saved"]["id"]);

    // The keys the original page reads, with their types.
    let (_, dashboard) = server.get("/api/batigest/dashboard");
    assert!(dashboard["dashboard"]["analyse"]["caRealise"].is_number(), "{dashboard}");
    assert!(dashboard["dashboard"]["analyse"]["devisSoumis"].is_number());
    let (_, coefficients) = server.get("/api/batigest/coefficients-marges");
    let famille = &coefficients["coefficientsParFamille"][0];
    assert!(famille["famille"].is_string() && famille["coefficientMoyen"].is_number(), "{coefficients}");
    assert!(history["analytics"][0]["chiffreAffairesRealise"].is_number());
    assert!(en_cours["analyse"]["nombreFactures"].is_number() && en_cours["analyse"]["montantTotal"].is_number());

    // OpenAPI lists every route; unknown routes are 404 in JSON.
    let (_, openapi) = server.get("/api/batigest/openapi.json");
    assert_eq!(openapi["paths"].as_object().expect("paths").len(), 13, "{openapi}");
    assert_eq!(server.get("/api/batigest/inconnue").0, 404);

    // The access log: method, path, status — never the token.
    let log = server.log();
    assert!(log.contains("GET /api/batigest/dashboard 200"), "{log}");
    assert!(!log.contains(TOKEN), "the token leaked:\n{log}");
}

#[test]
fn batigest_down_is_503_and_the_store_routes_still_answer() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &["--port", "9"]);
    let (status, error) = server.get("/api/batigest/devis-clients");
    assert_eq!(status, 503, "{error}");
    assert_eq!(error["error"]["code"], "batigest_injoignable");
    let (status, test) = server.get("/api/batigest/connection-test");
    assert_eq!((status, &test["connected"]), (200, &Value::Bool(false)));
    assert_eq!(server.get("/api/batigest/integrations").0, 200);
}

#[test]
fn a_store_down_is_502_and_the_batigest_routes_still_answer() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &["--jlm-db", "postgres://postgres@127.0.0.1:9/absent", "--timeout", "2"]);
    assert_eq!(server.get("/api/batigest/integrations").0, 502);
    assert_eq!(server.get("/api/batigest/devis-clients").0, 200);
}

#[test]
fn a_non_loopback_address_needs_tls_and_no_token_means_no_server() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let output = sandbox
        .client()
        .env("JLM_BATIGEST_API_TOKEN", TOKEN)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("HTTPS"), "{}", stderr(&output));
    let output = sandbox.client().env_remove("JLM_BATIGEST_API_TOKEN").args(["serve"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("jeton"), "{}", stderr(&output));
}

#[test]
fn https_with_a_self_signed_certificate() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let (cert, key) = (sandbox.path("api.pem"), sandbox.path("api-key.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write");
    let server =
        Server::start(&sandbox, &["--cert", cert.to_str().expect("utf-8"), "--key", key.to_str().expect("utf-8")]);
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).expect("root");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let connection = rustls::ClientConnection::new(Arc::new(config), name).expect("TLS");
    let tcp = TcpStream::connect(server.addr).expect("connect");
    let (status, answer) =
        exchange(rustls::StreamOwned::new(connection, tcp), "GET", "/api/batigest/connection-test", Some(TOKEN), None);
    assert_eq!((status, &answer["connected"]), (200, &Value::Bool(true)), "{answer}");
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off", "--latency-ms", "400"]);
    // -v: the server says when the request's query has gone to Batigest; SIGTERM comes then.
    let mut server = Server::start(&sandbox, &["-v"]);
    let addr = server.addr;
    let in_flight = std::thread::spawn(move || {
        let stream = TcpStream::connect(addr).expect("connect");
        exchange(stream, "POST", "/api/batigest/sync-offer", Some(TOKEN), Some(r#"{"batigestRef": "DEVIS-2024-001"}"#))
    });
    server.wait_for("requête : ");
    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let (status, synced) = in_flight.join().expect("request");
    assert_eq!(status, 200, "{synced}");
    assert_eq!(synced["outcome"], "synced");
    let exit = server.child.wait().expect("wait");
    assert!(exit.success(), "{exit:?}");
    // Nothing half-written: the integration is there, whole.
    let integrations = run_json(
        &sandbox,
        &["integrations", "--jlm-db", &format!("sqlite:{}", sandbox.path("jlm.sqlite").display()), "--format", "json"],
    );
    assert_eq!(integrations["integrations"][0]["numero_devis"], "DEVIS-2024-001", "{integrations}");
}

/// A raw request with extra header lines; the status line and headers of the answer, lowercased.
fn raw(server: &Server, request: &str) -> String {
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.split("\r\n\r\n").next().unwrap_or_default().to_lowercase()
}

#[test]
fn only_the_profiles_origins_get_cors_headers() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let config = sandbox.path("config.toml");
    std::fs::write(&config, "[profiles.default.serve]\norigines = [\"https://erp.jlm.fr\"]\n").expect("write");
    let server = {
        let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
        let mut command = sandbox.client();
        command.env("JLM_BATIGEST_API_TOKEN", TOKEN).env("JLM_BATIGEST_CONFIG", &config).args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--jlm-db",
            &store,
        ]);
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("start serve");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let first = lines.next().expect("a first line").expect("UTF-8");
        let addr = first.rsplit("://").next().expect("an address").parse().unwrap_or_else(|_| panic!("{first}"));
        let (_tx, log) = std::sync::mpsc::channel();
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, addr, log }
    };
    let preflight = |origin: &str| {
        raw(
            &server,
            &format!(
                "OPTIONS /api/batigest/devis-clients HTTP/1.1\r\nHost: t\r\nConnection: close\r\nOrigin: {origin}\r\n\
                 Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n\r\n"
            ),
        )
    };
    let allowed = preflight("https://erp.jlm.fr");
    assert!(allowed.starts_with("http/1.1 204"), "{allowed}");
    assert!(allowed.contains("access-control-allow-origin: https://erp.jlm.fr"), "{allowed}");
    assert!(allowed.contains("access-control-allow-headers: authorization, content-type"), "{allowed}");
    let other = preflight("https://ailleurs.example");
    assert!(other.starts_with("http/1.1 403"), "{other}");
    assert!(!other.contains("access-control-allow-origin"), "{other}");

    let get = |origin: &str| {
        raw(
            &server,
            &format!(
                "GET /api/batigest/integrations HTTP/1.1\r\nHost: t\r\nConnection: close\r\nOrigin: {origin}\r\n\
                 Authorization: Bearer {TOKEN}\r\n\r\n"
            ),
        )
    };
    let answered = get("https://erp.jlm.fr");
    assert!(
        answered.starts_with("http/1.1 200") && answered.contains("access-control-allow-origin: https://erp.jlm.fr")
    );
    assert!(!get("https://ailleurs.example").contains("access-control-allow-origin"));
    // The token is still required from an allowed origin.
    let anonymous = raw(
        &server,
        "GET /api/batigest/integrations HTTP/1.1\r\nHost: t\r\nConnection: close\r\nOrigin: https://erp.jlm.fr\r\n\r\n",
    );
    assert!(anonymous.starts_with("http/1.1 401"), "{anonymous}");

    // An origin is what a browser sends: no path, no trailing slash.
    std::fs::write(&config, "[profiles.default.serve]\norigines = [\"https://erp.jlm.fr/\"]\n").expect("write");
    let refused = sandbox.client().env("JLM_BATIGEST_CONFIG", &config).args(["config", "show"]).output().expect("run");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("« origines » doit être une liste d'origines web sans chemin"),
        "{}",
        stderr(&refused)
    );
}

/// One request after another reuse one Batigest connection (the sandbox logs each connection it
/// closes); once the server is gone, the kept connection is found dead and the route says 503.
#[test]
fn batigest_connections_are_kept_open_between_requests() {
    let mut sandbox = Sandbox::with_fixture(&["--tls", "off", "-v"]);
    let server = Server::start(&sandbox, &[]);
    for _ in 0..5 {
        assert_eq!(server.get("/api/batigest/devis-clients?limit=1").0, 200);
    }
    assert_eq!(server.get("/api/batigest/connection-test").0, 200);
    let log = sandbox.stop_and_read_log();
    let (status, error) = server.get("/api/batigest/devis-clients?limit=1");
    assert_eq!(status, 503, "a dead connection is never lent: {error}");
    assert_eq!(error["error"]["code"], "batigest_injoignable");
    // Nothing was closed while serve ran: six requests, one connection.
    assert_eq!(log.matches("connection closed").count(), 0, "{log}");
}

/// The real-types dossier (`real_types`) through the API: open invoices at 30 June 2025, computed
/// here from its rows — DATETIME invoice dates of that day included, MONEY to the cent, the
/// mixed-case client codes joined and shown as Client holds them.
#[test]
fn a_real_types_dossier_gives_the_same_figures_through_the_api() {
    use crate::common::d;
    use crate::real_types::{DATABASE, INVOICES, QUOTES, serve};
    use rust_decimal::Decimal;

    let (sandbox, mapping) = serve("", &[]);
    let server = Server::start(&sandbox, &["--database", DATABASE, "--schema", &mapping]);
    let (status, en_cours) = server.get("/api/batigest/facturations-en-cours?au=2025-06-30");
    assert_eq!(status, 200, "{en_cours}");
    let open: Vec<_> =
        INVOICES.iter().filter(|f| !f.etat.trim().eq_ignore_ascii_case("R") && f.date < "2025-07-01").collect();
    let listed = en_cours["analyse"]["factures"].as_array().expect("factures");
    assert_eq!(listed.len(), open.len(), "{en_cours}");
    let ht: Decimal = open.iter().map(|f| d(f.ht)).sum();
    assert_eq!(en_cours["analyse"]["montantTotal"].to_string().parse::<Decimal>().ok(), Some(ht));
    for invoice in open {
        let row = listed.iter().find(|f| f["NUMERO_FACTURE"] == invoice.code).expect("listed");
        let reste = d(invoice.ttc) - invoice.paid.map_or(Decimal::ZERO, d);
        assert_eq!(row["reste_du"].to_string().parse::<Decimal>().ok(), Some(reste), "{row}");
        assert_eq!(row["CLIENT_CODE"], invoice.client.to_uppercase(), "{row}");
    }
    // The devis of cli00021, asked in lower case: those of CLI00021 in any case, amounts exact.
    let (status, devis) = server.get("/api/batigest/devis-clients?clientCode=cli00021");
    assert_eq!(status, 200, "{devis}");
    let expected: Vec<_> = QUOTES.iter().filter(|q| q.client.eq_ignore_ascii_case("CLI00021")).collect();
    assert_eq!(devis["count"], expected.len(), "{devis}");
    for quote in expected {
        let row =
            devis["devis"].as_array().expect("devis").iter().find(|r| r["NUMERO_DEVIS"] == quote.code).expect("listed");
        assert_eq!(row["MONTANT_HT"].to_string().parse::<Decimal>().ok(), Some(d(quote.ht)), "{row}");
        assert_eq!(row["TAUX_MARGE"].to_string().parse::<Decimal>().ok(), Some(Decimal::from(quote.rate)), "{row}");
    }
}

/// `serve` started by `sh` with at most `descriptors` open files, as `ulimit -n` leaves a service.
fn start_with_descriptors(sandbox: &Sandbox, descriptors: u32, extra: &[&str]) -> Server {
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let mut child = std::process::Command::new("sh")
        .args(["-c", &format!("ulimit -n {descriptors} && exec \"$0\" \"$@\""), crate::common::BIN])
        .args(["--server", "127.0.0.1", "--port", &sandbox.addr.port().to_string(), "--user", "sa"])
        .args(["--encrypt", "off", "--jlm-db", &store, "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_clear()
        .env("HOME", sandbox.dir.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("BATIGEST_SQL_PASSWORD", crate::common::PASSWORD)
        .env("JLM_BATIGEST_API_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve through sh");
    let (tx, log) = std::sync::mpsc::channel();
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a first line").expect("UTF-8");
    let addr = first.rsplit("://").next().expect("an address").parse().unwrap_or_else(|_| panic!("{first}"));
    std::thread::spawn(move || {
        for line in lines.map_while(std::result::Result::ok) {
            let _ = tx.send(line);
        }
    });
    Server { child, addr, log }
}

/// What the server answers on `stream`, or `""` when it closes without a word. A guard against a
/// hang, not a measure: the test fails if nothing happens within a minute.
fn answer_or_close(stream: &mut TcpStream) -> String {
    stream.set_read_timeout(Some(std::time::Duration::from_mins(1))).expect("read timeout");
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => String::from_utf8_lossy(&answer).into_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => String::new(),
        Err(error) => panic!("the server neither answered nor closed: {error}"),
    }
}

/// Issue 27, item 1: with 64 descriptors, 100 clients that send half a request head used to hold
/// them all — `/healthz` waited, and the accept loop wrote « Too many open files » millions of
/// times. The oldest idle connection now makes room, and a burst of refusals is one line.
#[cfg(unix)]
#[test]
fn a_full_descriptor_table_still_answers_healthz_and_says_so_once() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = start_with_descriptors(&sandbox, 64, &[]);
    let half_heads: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut stream = TcpStream::connect(server.addr).expect("connect");
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n").expect("half a head");
            stream
        })
        .collect();
    let mut health = TcpStream::connect(server.addr).expect("connect");
    health.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").expect("send");
    let answer = answer_or_close(&mut health);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer:?}");
    drop(half_heads);
    let log = server.log();
    let refusals: Vec<&str> = log.lines().filter(|line| line.starts_with("Connexions refusées")).collect();
    assert!(!refusals.is_empty(), "the descriptor table was full: {log}");
    assert!(refusals.len() <= 3, "one line per burst, not one per retry:\n{log}");
    assert!(refusals[0].contains("Too many open files"), "{log}");
}

/// Issue 27, item 1: a connection that never sends a request, one that sends half a head, and a
/// kept-alive one that goes quiet are closed by `--header-timeout` and `--idle-timeout` (they
/// were still open after 155 s).
#[test]
fn silent_slow_and_idle_connections_are_closed_by_their_timeouts() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &["--header-timeout", "1", "--idle-timeout", "2"]);
    let mut silent = TcpStream::connect(server.addr).expect("connect");
    let mut half = TcpStream::connect(server.addr).expect("connect");
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost:").expect("half a head");
    let mut kept = TcpStream::connect(server.addr).expect("connect");
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").expect("a whole request");
    let mut head = [0; 15];
    kept.read_exact(&mut head).expect("an answer");
    assert_eq!(&head, b"HTTP/1.1 200 OK");
    assert_eq!(answer_or_close(&mut silent), "", "closed without a word");
    assert_eq!(answer_or_close(&mut half), "");
    assert!(answer_or_close(&mut kept).ends_with(r#"{"status":"ok"}"#), "the answer, then the close");
    // The options are checked like the others.
    let output = sandbox
        .client()
        .env("JLM_BATIGEST_API_TOKEN", TOKEN)
        .args(["serve", "--header-timeout", "0"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--header-timeout"), "{}", stderr(&output));
}

/// Issue 27, item 2: `dryrun` (for `dryRun`) was ignored and the devis synced for real; of two
/// `dryRun` the last won. Both are 400 naming the field, and nothing is written.
#[test]
fn a_body_field_misspelt_or_repeated_is_refused_by_name_and_nothing_is_synced() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);
    let (status, error) = server.post("/api/batigest/sync-offer", r#"{"batigestRef":"DEVIS-2024-001","dryrun":true}"#);
    assert_eq!(status, 400, "{error}");
    assert_eq!(
        error["error"]["message"], "champ inconnu « dryrun » : cette route accepte offerId, batigestRef, dryRun",
        "{error}"
    );
    assert_eq!(error["error"]["hint"], "vouliez-vous dire dryRun ? (la casse compte)");
    let (status, error) =
        server.post("/api/batigest/sync-offer", r#"{"batigestRef":"DEVIS-2024-001","dryRun":true,"dryRun":false}"#);
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["message"], "champ dryRun donné deux fois : une seule valeur est attendue");
    let (status, error) = server.post("/api/batigest/generate-analytics", r#"{"debut":"2024-01-01"}"#);
    assert_eq!(status, 400, "{error}");
    assert!(error["error"]["message"].as_str().expect("message").contains("« debut »"), "{error}");
    let (_, integrations) = server.get("/api/batigest/integrations");
    assert_eq!(integrations["count"], 0, "nothing synced: {integrations}");
    // The right spelling still works, and a dry run writes nothing.
    let (status, dry) = server.post("/api/batigest/sync-offer", r#"{"batigestRef":"DEVIS-2024-001","dryRun":true}"#);
    assert_eq!((status, &dry["dryRun"]), (200, &Value::Bool(true)), "{dry}");
    assert_eq!(server.get("/api/batigest/integrations").1["count"], 0);
}

/// Issue 27, item 3: 0001-01-01 to 9999-12-31 by month answered 39 MB and saved a 39 MB row per
/// call. 600 periods at most, by the API and by the command; nothing is saved.
#[test]
fn a_run_is_bounded_to_600_periods_and_the_refusal_names_the_count() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);
    let body = r#"{"startDate":"0001-01-01","endDate":"9999-12-31","periode":"mensuel"}"#;
    let (status, error) = server.post("/api/batigest/generate-analytics", body);
    assert_eq!(status, 400, "{error}");
    assert_eq!(
        error["error"]["message"],
        "champ periode : la période du 01/01/0001 au 31/12/9999 compte 119988 mois : 600 périodes au plus par calcul"
    );
    assert_eq!(server.get("/api/batigest/analytics-history").1["count"], 0, "nothing saved");
    // Fifty years by month fit.
    let body = r#"{"startDate":"1980-01-01","endDate":"2029-12-31","periode":"mensuel"}"#;
    let (status, generated) = server.post("/api/batigest/generate-analytics", body);
    assert_eq!(status, 200, "{generated}");
    assert_eq!(generated["analytics"]["evolutionMarges"].as_array().map(Vec::len), Some(600));

    let output = sandbox.run(&["analytics", "--from", "0001-01-01", "--to", "9999-12-31", "--periode", "annuel"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains(
            "Erreur : --periode : la période du 01/01/0001 au 31/12/9999 compte 9999 années : 600 périodes au plus"
        ),
        "{}",
        stderr(&output)
    );
}

/// Issue 27, item 4. README « serve » : « erreurs en JSON, en français : {"success": false,
/// "error": {"code", "message", "hint", "detail"}} » — 405 had an empty body. The bearer scheme
/// is case-insensitive (RFC 9110); a parameter is checked as the command checks it, once.
#[test]
fn every_refusal_is_json_and_parameters_are_checked_as_the_commands_check_them() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);
    let answer = raw(
        &server,
        &format!(
            "GET /api/batigest/sync-offer HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        ),
    );
    assert!(answer.starts_with("http/1.1 405"), "{answer}");
    assert!(answer.contains("\r\nallow: post"), "{answer}");
    assert!(answer.contains("content-type: application/json"), "{answer}");
    let stream = TcpStream::connect(server.addr).expect("connect");
    let (status, error) = exchange(stream, "GET", "/api/batigest/sync-offer", Some(TOKEN), None);
    assert_eq!(status, 405);
    assert_eq!(error["success"], false);
    assert_eq!(error["error"]["code"], "methode_refusee", "{error}");
    assert_eq!(error["error"]["message"], "méthode GET refusée sur /api/batigest/sync-offer");

    for scheme in ["bearer", "BEARER", "Bearer"] {
        let answer = raw(
            &server,
            &format!(
                "GET /api/batigest/integrations HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: {scheme} {TOKEN}\r\n\r\n"
            ),
        );
        assert!(answer.starts_with("http/1.1 200"), "{scheme}: {answer}");
    }
    let answer = raw(
        &server,
        &format!(
            "GET /api/batigest/integrations HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Basic {TOKEN}\r\n\r\n"
        ),
    );
    assert!(answer.starts_with("http/1.1 401"), "{answer}");

    let (status, error) = server.get("/api/batigest/analytics-history?periode=xx");
    assert_eq!(status, 400, "{error}");
    assert_eq!(
        error["error"]["message"],
        "paramètre periode « xx » invalide : mensuel, trimestriel, annuel ou global attendu"
    );
    let command = sandbox.run(&["analytics", "history", "--periode", "xx"]);
    assert_eq!(command.status.code(), Some(2), "the command refuses it too");
    let (status, error) = server.get("/api/batigest/analytics-history?limit=1&limit=2");
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["message"], "paramètre limit donné deux fois : une seule valeur est attendue");
    let (status, error) = server.get("/api/batigest/devis-clients?statu=VALIDE");
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["hint"], "GET /api/batigest/openapi.json décrit chaque route");

    let body = r#"{"startDate": "2024-01-01", "endDate": "2024-12-31"}"#;
    let (status, generated) = server.post("/api/batigest/generate-analytics", body);
    assert_eq!(status, 200, "{generated}");
    assert!(generated["analytics"]["facturationEnCours"]["nombreFactures"].is_number(), "{generated}");
    assert!(generated["analytics"].get("factuationEnCours").is_none());
    assert_eq!(generated["saved"]["periode"], "global", "as `analytics` saves a run without buckets");
    let (status, history) = server.get("/api/batigest/analytics-history?periode=global");
    assert_eq!((status, &history["count"]), (200, &Value::from(1)), "{history}");
}

/// Issue 27, item 5: a frozen Batigest (SIGSTOP) was answered 503 after twice the timeout, by a
/// message naming it once. The connection's check and a new connection now share the timeout.
#[cfg(unix)]
#[test]
fn a_frozen_batigest_is_503_within_the_timeout_the_message_names() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &["--timeout", "4"]);
    // A connection is kept open, then the server freezes.
    assert_eq!(server.get("/api/batigest/devis-clients?limit=1").0, 200);
    let pid = sandbox.pid().to_string();
    assert!(std::process::Command::new("kill").args(["-STOP", &pid]).status().expect("kill").success());
    let started = std::time::Instant::now();
    let (status, error) = server.get("/api/batigest/devis-clients?limit=1");
    let waited = started.elapsed();
    assert!(std::process::Command::new("kill").args(["-CONT", &pid]).status().expect("kill").success());
    assert_eq!(status, 503, "{error}");
    let message = error["error"]["message"].as_str().expect("message");
    // Whichever step meets the freeze first — checking the kept connection, or the query on it —
    // says the same limit.
    assert!(
        (message.starts_with("délai dépassé : la connexion vers 127.0.0.1:")
            && message.ends_with("n'a pas abouti en 4 s"))
            || message == "délai dépassé : Batigest n'a pas répondu en 4 s",
        "{message}"
    );
    // The figure of the bug: 2 × the timeout.
    assert!(waited >= std::time::Duration::from_secs(4) && waited < std::time::Duration::from_secs(8), "{waited:?}");
}

/// Issue 27, item 20: JLM ERP's page listed the credit notes among `analyse.factures` (241 rows
/// for `nombreFactures` 234) and showed each « N j de retard » in red. They are apart, as in
/// `factures` (DESIGN §5.3).
#[test]
fn facturations_en_cours_keeps_credit_notes_in_their_own_list() {
    let extra = "
INSERT INTO FACTURES VALUES
  (3, 'AV-2024-000002', NULL, 2, -200.00, -240.00, '2024-02-01', '2024-02-01', 'NON_REGLE', NULL),
  (4, 'FA-2024-000004', NULL, 2, 100.00, 120.00, '2024-03-01', '2024-05-31', 'NON_REGLE', NULL);
";
    let sandbox = Sandbox::with_fixture_plus(extra, &["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);
    let (status, answer) = server.get("/api/batigest/facturations-en-cours?au=2024-04-15");
    assert_eq!(status, 200, "{answer}");
    let analyse = &answer["analyse"];
    let numeros = |key: &str| -> Vec<String> {
        analyse[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|f| f["NUMERO_FACTURE"].as_str().expect("numero").to_owned())
            .collect()
    };
    assert_eq!(numeros("factures"), ["FA-2024-000001", "FA-2024-000004"]);
    assert_eq!(analyse["nombreFactures"], 2, "as many as listed: {analyse}");
    assert_eq!(numeros("avoirsNonImputes"), ["AV-2024-000002"]);
    assert_eq!(analyse["avoirsNonImputes"][0]["jours_retard"], 0, "never late");
    assert_eq!(analyse["nombreAvoirs"], 1);
    assert_eq!(analyse["facturesParStatut"]["NON_REGLE"], 1, "the credit note is not among the invoices: {analyse}");
}

/// Issue 27, item 21: the page shows `mode` beside the status (the original answered it).
#[test]
fn connection_test_says_it_reached_the_sandbox() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);
    let (status, test) = server.get("/api/batigest/connection-test");
    assert_eq!((status, &test["connected"]), (200, &Value::Bool(true)), "{test}");
    assert_eq!(test["mode"], "sandbox", "{test}");
}

/// Issue 27, item 22: a figure with no value (a rate over nothing) stays `null` — 0 would be a
/// false figure (DESIGN §5.1) — and the route's schema says so, for the page to show « — ».
#[test]
fn a_figure_with_no_value_is_null_and_the_schema_says_how_to_show_it() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);
    // No devis in 2030: conversion and margins have no value.
    let body = r#"{"startDate": "2030-01-01", "endDate": "2030-12-31"}"#;
    assert_eq!(server.post("/api/batigest/generate-analytics", body).0, 200);
    let (_, history) = server.get("/api/batigest/analytics-history");
    let run = &history["analytics"][0];
    assert_eq!(run["tauxConversion"], Value::Null, "{history}");
    assert_eq!(run["margeReelleMoyenne"], Value::Null);
    assert_eq!(run["chiffreAffairesPrevu"].as_f64(), Some(0.0), "a sum over nothing is 0: {run}");
    let (_, openapi) = server.get("/api/batigest/openapi.json");
    let schema = &openapi["paths"]["/api/batigest/analytics-history"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let rate = &schema["properties"]["analytics"]["items"]["properties"]["tauxConversion"];
    assert_eq!(rate["nullable"], true, "{openapi}");
    assert!(rate["description"].as_str().expect("description").contains("« — », jamais 0"), "{rate}");
    let parameters = &openapi["paths"]["/api/batigest/analytics-history"]["get"]["parameters"];
    assert_eq!(parameters.as_array().map(Vec::len), Some(2), "{parameters}");
}

#[test]
fn analytics_menuiserie_gives_the_commands_figures_on_the_erp_store() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    // On the embedded store (no `offers`): 400 with the command's sentence.
    let server = Server::start(&sandbox, &[]);
    let (status, refused) = server.get("/api/batigest/analytics-menuiserie?startDate=2024-01-01&endDate=2024-12-31");
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]["message"].as_str().is_some_and(|m| m.contains("pas de table « offers »")), "{refused}");
    drop(server);

    let Some(erp) = crate::common::PgDatabase::create() else { return };
    erp.psql(include_str!("fixtures/erp-postgres.sql"));
    erp.psql(include_str!("fixtures/erp-rows.sql"));
    let store = erp.url();
    // DEVIS-2024-001 is linked to its offer (a fenetre) by the sync.
    ok(&sandbox.client().args(["--jlm-db", &store, "sync-offer", "--ref", "DEVIS-2024-001"]).output().expect("sync"));
    let server = Server::start(&sandbox, &["--jlm-db", &store]);
    let (status, answer) = server.get("/api/batigest/analytics-menuiserie?startDate=2024-01-01&endDate=2024-12-31");
    assert_eq!(status, 200, "{answer}");
    let command = run_json(
        &sandbox,
        &[
            "--jlm-db",
            &store,
            "analytics",
            "--par",
            "menuiserie",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--format",
            "json",
        ],
    );
    let rows = command["indicateurs"].as_array().expect("indicateurs");
    let items = answer["menuiseries"].as_array().expect("menuiseries");
    assert_eq!(items.len(), rows.len(), "{answer}");
    assert_eq!(items[0]["menuiserie"], "fenetre");
    assert_eq!(items.last().map(|item| &item["menuiserie"]), Some(&Value::Null), "the devis of no offer: null");
    // Compared as decimals (0 and 0.00 are one figure); null stays None.
    let number = |value: &Value| value.to_string().parse::<rust_decimal::Decimal>().ok();
    for (item, row) in items.iter().zip(rows) {
        let figures = &item["indicateurs"];
        for (api, cli) in [
            ("nombreDevis", "nombre_devis"),
            ("nombreFactures", "nombre_factures"),
            ("chiffreAffairesPrevu", "ca_prevu"),
            ("chiffreAffairesFacture", "ca_facture"),
            ("margeReelleMoyenne", "marge_reelle_moyenne"),
        ] {
            assert_eq!(number(&figures[api]), number(&row[cli]), "{api} {item}");
        }
    }
    assert!(number(&items[0]["indicateurs"]["margeReelleMoyenne"]).is_some(), "a real margin is compared");
    assert_eq!((&answer["du"], &answer["au"]), (&Value::from("2024-01-01"), &Value::from("2024-12-31")));
    assert_eq!(answer["ambigus"], serde_json::json!([]));
}
