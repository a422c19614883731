//! `alertes`: the fixture's alerts, each told once — through a real SMTP server (Python's aiosmtpd:
//! STARTTLS or TLS, AUTH, certificates from a test CA) and a local HTTP receiver whose answers are
//! scripted request by request and which checks the HMAC signature itself.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{PgDatabase, Sandbox, d, output_with_stdin, session_bus, stderr, stdout, tool_available};

const SMTP_USER: &str = "compta";
const SMTP_PASSWORD: &str = "smtp-S3cret-alertes";
const WEBHOOK_KEY: &str = "cle-webhook-0123456789abcdef";

/// On top of the fixture (FA-2024-000001: 4 444 444,40 € TTC, 1 000,50 paid, due 16/03/2024): a
/// credit note due long ago and an invoice of the other client due on 31/03/2024.
const EXTRA: &str = "
INSERT INTO FACTURES VALUES
  (3, 'AV-2024-000002', NULL, 2, -200.00, -240.00, '2024-02-01', '2024-02-01', 'NON_REGLE', NULL),
  (4, 'FA-2024-000004', NULL, 2, 100.00, 120.00, '2024-03-01', '2024-03-31', 'NON_REGLE', NULL);
";

/// At 15/04/2024: FA-2024-000001 is 30 days late (mise en demeure), FA-2024-000004 15 days
/// (seconde relance); the credit note is never an alert.
const AU: &str = "2024-04-15";
const KEYS: [&str; 4] = [
    "facture_en_retard:FA-2024-000001",
    "facture_en_retard:FA-2024-000004",
    "seuil_relance:FA-2024-000001:3",
    "seuil_relance:FA-2024-000004:2",
];

fn python_smtp_available() -> bool {
    tool_available(
        "python3 with aiosmtpd",
        "aiosmtpd (pip install aiosmtpd)",
        Command::new("python3").args(["-c", "import aiosmtpd"]),
    )
}

/// A test CA and a certificate for `localhost` signed by it, as PEM files in `dir`; returns the
/// CA's path.
pub fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Autorité de test");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let key = rcgen::KeyPair::generate().expect("key");
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .signed_by(&key, &ca)
        .expect("certificate");
    let paths = (dir.join("ca.pem"), dir.join("smtp.pem"), dir.join("smtp-key.pem"));
    std::fs::write(&paths.0, ca.pem()).expect("write");
    std::fs::write(&paths.1, leaf.pem()).expect("write");
    std::fs::write(&paths.2, key.serialize_pem()).expect("write");
    paths
}

/// aiosmtpd on a free loopback port, killed when dropped.
struct Smtp {
    child: Child,
    port: u16,
    inbox: PathBuf,
}

impl Smtp {
    fn start(dir: &Path, implicit_tls: bool) -> Self {
        let (_, cert, key) = certificates(dir);
        let inbox = dir.join(if implicit_tls { "inbox-tls" } else { "inbox" });
        std::fs::create_dir_all(&inbox).expect("inbox");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/fixtures/smtp_server.py");
        let mut command = Command::new("python3");
        command
            .arg(script)
            .args(["--dir", inbox.to_str().expect("utf-8")])
            .args(["--cert", cert.to_str().expect("utf-8"), "--key", key.to_str().expect("utf-8")])
            .args(["--user", SMTP_USER, "--password", "-"])
            .env("SMTP_TEST_PASSWORD", SMTP_PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if implicit_tls {
            command.arg("--implicit-tls");
        }
        let mut child = command.spawn().expect("start the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read its port");
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("PORT n");
        Self { child, port, inbox }
    }

    /// The messages received, as Python's MIME parser read them, in order.
    fn messages(&self) -> Vec<Value> {
        (1..=1000)
            .map(|n| self.inbox.join(format!("{n}.eml")))
            .take_while(|eml| eml.exists())
            .map(|eml| {
                let json = std::fs::read_to_string(eml.with_extension("json")).expect("envelope");
                serde_json::from_str(&json).expect("JSON")
            })
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// An HTTP/1.1 receiver answering each request with the next scripted status (200 once the
/// script is over; 0: no answer).
pub struct Receiver {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    statuses: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub fn start(statuses: &[u16]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let statuses = Arc::new(Mutex::new(statuses.iter().copied().collect::<VecDeque<_>>()));
        let (log, script) = (received.clone(), statuses.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let mut reader = BufReader::new(stream);
                let mut headers = Vec::new();
                let mut line = String::new();
                let _ = reader.read_line(&mut line); // request line
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((key, value)) = line.trim_end().split_once(':') {
                        headers.push((key.trim().to_owned(), value.trim().to_owned()));
                    }
                }
                let length = headers
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, value)| value.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                log.lock().expect("log").push(Received { headers, body });
                let status = script.lock().expect("script").pop_front().unwrap_or(200);
                if status == 0 {
                    // No answer at all: the sender's timeout has to give up on its own.
                    let stream = reader.into_inner();
                    std::thread::spawn(move || {
                        std::thread::sleep(std::time::Duration::from_secs(20));
                        drop(stream);
                    });
                    continue;
                }
                let answer = if status == 200 { "recu" } else { "signature attendue" };
                let _ = write!(
                    reader.get_mut(),
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Self { addr, received, statuses }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }

    fn answer(&self, statuses: &[u16]) {
        self.statuses.lock().expect("script").extend(statuses.iter().copied());
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/batigest?source=test", self.addr.port())
    }
}

fn email_section(port: u16, ca: &Path, securite: &str) -> String {
    format!(
        "[profiles.default.alertes.email]\nserveur = \"localhost\"\nport = {port}\nsecurite = \"{securite}\"\n\
         utilisateur = \"{SMTP_USER}\"\nde = \"Alertes Batigest <alertes@jlm.fr>\"\na = [\"compta@jlm.fr\", \
         \"Direction <direction@jlm.fr>\"]\nca_file = \"{}\"\n",
        ca.display()
    )
}

fn webhook_section(url: &str) -> String {
    format!("[profiles.default.alertes.webhook]\nurl = \"{url}\"\nsigner = true\n")
}

/// `alertes ARGS` against the sandbox with `config` as the profile file and the channel secrets
/// in the environment.
fn alertes(sandbox: &Sandbox, config: &str, store: &str, args: &[&str]) -> Output {
    let path = sandbox.path("config.toml");
    std::fs::write(&path, config).expect("write the config");
    sandbox
        .client()
        .env("JLM_BATIGEST_CONFIG", &path)
        .env("JLM_BATIGEST_SMTP_PASSWORD", SMTP_PASSWORD)
        .env("JLM_BATIGEST_WEBHOOK_SECRET", WEBHOOK_KEY)
        .args(["--jlm-db", store, "alertes"])
        .args(args)
        .output()
        .expect("run jlm-batigest")
}

fn json_rows(output: &Output) -> Vec<Value> {
    let document: Value = serde_json::from_str(&stdout(output)).expect("JSON on stdout");
    document["alertes"].as_array().expect("alertes").clone()
}

fn keys(rows: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = rows.iter().map(|row| row["cle"].as_str().expect("cle").to_owned()).collect();
    keys.sort();
    keys
}

/// The HMAC-SHA256 of `body` under the webhook key, computed by Python's own `hmac` module: the
/// receiver's check does not lean on the crates the sender uses.
fn signature(body: &[u8]) -> String {
    let script = "import hashlib, hmac, sys; \
                  print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())";
    let mut child = Command::new("python3")
        .args(["-c", script, WEBHOOK_KEY])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().expect("stdin").write_all(body).expect("write the body");
    let output = child.wait_with_output().expect("python3");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("hex").trim().to_owned()
}

fn number(value: &Value) -> Decimal {
    assert!(value.is_number(), "a number: {value}");
    value.to_string().parse().expect("decimal")
}

#[test]
fn each_alert_is_told_once_by_email_and_by_a_signed_webhook() {
    if !python_smtp_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let smtp = Smtp::start(sandbox.dir.path(), false);
    // The receiver fails once: the same delivery is posted again.
    let receiver = Receiver::start(&[500]);
    let ca = sandbox.path("ca.pem");
    let config = format!("{}{}", email_section(smtp.port, &ca, "starttls"), webhook_section(&receiver.url()));
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());

    let first = alertes(&sandbox, &config, &store, &["--au", AU, "--notify", "--format", "json", "-vvv"]);
    assert_eq!(first.status.code(), Some(6), "new alerts: exit 6\n{}", stderr(&first));
    let rows = json_rows(&first);
    assert_eq!(keys(&rows), KEYS);
    assert!(rows.iter().all(|row| row["etat"] == "nouvelle"), "{rows:?}");
    let log = stderr(&first);
    for secret in [SMTP_PASSWORD, WEBHOOK_KEY] {
        assert!(!log.contains(secret), "a secret in the -vvv log");
    }
    assert!(log.contains("E-mail : 4 alerte(s) envoyée(s)"), "{log}");
    assert!(log.contains("Webhook : 4 alerte(s) envoyée(s)"), "{log}");
    assert!(!stdout(&first).contains("AV-2024-000002"), "a credit note is never an alert");

    // The webhook: the 500 retried, both attempts the same delivery, each signed over its body.
    let posts = receiver.received();
    assert_eq!(posts.len(), 2, "one failure, one retry");
    assert_eq!(posts[0].header("X-Jlm-Delivery"), posts[1].header("X-Jlm-Delivery"));
    for post in &posts {
        assert_eq!(post.header("X-Jlm-Signature"), Some(format!("sha256={}", signature(&post.body)).as_str()));
        assert!(post.header("Content-Type").is_some_and(|t| t.starts_with("application/json")));
    }
    let body = posts[1].json();
    assert_eq!(body["nombre"], 4);
    assert_eq!(body["au"], AU);
    let alert =
        |key: &str| body["alertes"].as_array().expect("alertes").iter().find(|a| a["cle"] == key).cloned().expect(key);
    let formal = alert("seuil_relance:FA-2024-000001:3");
    assert_eq!(number(&formal["reste_du"]), d("4444444.40") - d("1000.50"));
    assert_eq!(formal["jours_retard"], 30);
    assert_eq!(formal["niveau"], 3);
    assert_eq!(formal["date_echeance"], "2024-03-16");
    assert!(formal["id"].as_str().is_some_and(|id| id.len() == 36), "a text UUID: {}", formal["id"]);
    assert_eq!(alert("facture_en_retard:FA-2024-000004")["jours_retard"], 15);

    // The e-mail: one message over STARTTLS, authenticated, both parts listing every alert.
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message["tls"], true);
    assert_eq!(message["auth"], true);
    assert_eq!(message["to"], serde_json::json!(["compta@jlm.fr", "direction@jlm.fr"]));
    assert_eq!(message["content_type"], "multipart/alternative");
    let subject = message["subject"].as_str().expect("subject");
    assert!(subject.contains("4 nouvelles alertes au 15/04/2024"), "{subject}");
    let (text, html) = (message["text"].as_str().expect("text"), message["html"].as_str().expect("html"));
    for numero in ["FA-2024-000001", "FA-2024-000004"] {
        assert!(text.contains(numero) && html.contains(numero), "{numero} in both parts");
    }
    assert!(text.contains("seuil de mise en demeure atteint (30 jours)"), "{text}");
    assert!(html.contains("Boulangerie L&#39;Épi d&#39;Or"), "HTML escaped: {html}");

    // The second run finds the same alerts, already told: nothing is sent, exit 0.
    let second = alertes(&sandbox, &config, &store, &["--au", AU, "--notify", "--format", "json"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(json_rows(&second).iter().all(|row| row["etat"] == "déjà signalée"));
    assert!(json_rows(&second).iter().all(|row| row["email_envoye_le"].is_string()));
    assert!(
        stderr(&second).contains("Aucune nouvelle alerte au 15/04/2024 (4 déjà signalée(s))"),
        "{}",
        stderr(&second)
    );
    assert_eq!(receiver.received().len(), 2);
    assert_eq!(smtp.messages().len(), 1);
}

#[test]
fn a_refused_or_unreachable_channel_keeps_its_alerts_for_the_next_run() {
    if !python_smtp_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let receiver = Receiver::start(&[400]);
    // Nothing listens on this port yet.
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let ca = sandbox.path("ca.pem");
    certificates(sandbox.dir.path());
    let config = format!("{}{}", email_section(closed, &ca, "starttls"), webhook_section(&receiver.url()));
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());

    let first = alertes(&sandbox, &config, &store, &["--au", AU, "--notify"]);
    let log = stderr(&first);
    assert_eq!(first.status.code(), Some(3), "an unreachable server outranks a refusal\n{log}");
    assert!(log.contains("refuse l'envoi (HTTP 400)"), "{log}");
    assert!(log.contains("Détail : signature attendue"), "the receiver's words: {log}");
    assert!(log.contains(&format!("serveur SMTP localhost:{closed} injoignable")), "{log}");
    assert_eq!(receiver.received().len(), 1, "a 4xx is not retried");

    // The next run: the server is up, the receiver accepts; the alerts of the first run are
    // delivered — they are not new any more.
    let smtp = Smtp::start(sandbox.dir.path(), false);
    let config = format!("{}{}", email_section(smtp.port, &ca, "starttls"), webhook_section(&receiver.url()));
    receiver.answer(&[200]);
    let second = alertes(&sandbox, &config, &store, &["--au", AU, "--notify"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let posts = receiver.received();
    assert_eq!(posts.len(), 2);
    assert_eq!(keys(posts[1].json()["alertes"].as_array().expect("alertes")), KEYS);
    assert_eq!(smtp.messages().len(), 1);

    let third = alertes(&sandbox, &config, &store, &["--au", AU, "--notify"]);
    assert_eq!(third.status.code(), Some(0));
    assert_eq!((receiver.received().len(), smtp.messages().len()), (2, 1), "nothing is sent twice");
}

#[test]
fn a_receiver_that_never_answers_is_tried_four_times_then_left_for_the_next_run() {
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let receiver = Receiver::start(&[0, 0, 0, 0]);
    let config = webhook_section(&receiver.url());
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let first = alertes(&sandbox, &config, &store, &["--au", AU, "--notify", "--timeout", "1"]);
    let log = stderr(&first);
    assert_eq!(first.status.code(), Some(3), "{log}");
    assert!(log.contains("ne répond pas à temps (4 tentatives)"), "{log}");
    let posts = receiver.received();
    assert_eq!(posts.len(), 4);
    assert!(posts.iter().all(|post| post.header("X-Jlm-Delivery") == posts[0].header("X-Jlm-Delivery")));
    let second = alertes(&sandbox, &config, &store, &["--au", AU, "--notify", "--timeout", "1"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(keys(receiver.received()[4].json()["alertes"].as_array().expect("alertes")), KEYS);
}

/// An HTTPS receiver: Python's `ssl` with a certificate of the test authority for `localhost`.
/// Each POST leaves its body (`N.json`) and its signature header (`N.sig`) in `dir`.
struct HttpsReceiver {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl HttpsReceiver {
    fn start(dir: &Path) -> Self {
        let (_, cert, key) = certificates(dir);
        let posts = dir.join("posts");
        std::fs::create_dir_all(&posts).expect("posts");
        let script = "import http.server, itertools, os, ssl, sys\n\
                      d, cert, key = sys.argv[1:4]\n\
                      n = itertools.count(1)\n\
                      class H(http.server.BaseHTTPRequestHandler):\n    \
                          def do_POST(self):\n        \
                              body = self.rfile.read(int(self.headers['Content-Length']))\n        \
                              i = next(n)\n        \
                              open(os.path.join(d, '%d.sig' % i), 'w').write(self.headers.get('X-Jlm-Signature', ''))\n        \
                              open(os.path.join(d, '%d.json' % i), 'wb').write(body)\n        \
                              self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()\n    \
                          def log_message(self, *args): pass\n\
                      s = http.server.HTTPServer(('127.0.0.1', 0), H)\n\
                      c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(cert, key)\n\
                      s.socket = c.wrap_socket(s.socket, server_side=True)\n\
                      print('PORT', s.server_address[1], flush=True)\n\
                      s.serve_forever()\n";
        let mut child = Command::new("python3")
            .args(["-c", script])
            .args([&posts, &cert, &key])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the HTTPS receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read its port");
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("PORT n");
        Self { child, port, dir: posts }
    }

    /// The bodies received, each with its signature header.
    fn received(&self) -> Vec<(Vec<u8>, String)> {
        (1..=1000)
            .map(|n| (self.dir.join(format!("{n}.json")), self.dir.join(format!("{n}.sig"))))
            .take_while(|(body, sig)| body.exists() && sig.exists())
            .map(|(body, sig)| (std::fs::read(body).expect("body"), std::fs::read_to_string(sig).expect("sig")))
            .collect()
    }
}

impl Drop for HttpsReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_https_receiver_is_trusted_through_ca_file_and_an_unknown_certificate_is_not_retried() {
    if !tool_available("python3", "Python 3 (Debian: python3)", Command::new("python3").arg("--version")) {
        return;
    }
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let receiver = HttpsReceiver::start(sandbox.dir.path());
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let url = format!("https://localhost:{}/hooks/batigest?source=test", receiver.port);

    // The receiver's authority unknown: refused at the handshake, once, the alerts kept.
    let refused = alertes(&sandbox, &webhook_section(&url), &store, &["--au", AU, "--notify"]);
    let log = stderr(&refused);
    assert_eq!(refused.status.code(), Some(3), "{log}");
    assert!(log.contains(&format!("échec TLS avec le webhook https://localhost:{}/hooks/batigest", receiver.port)));
    assert!(log.contains("[alertes.webhook] ca_file") && !log.contains("tentatives"), "not retried: {log}");
    assert!(receiver.received().is_empty());

    // Its authority given: the alerts of the first run delivered, signed over the body.
    let config = format!("{}ca_file = \"{}\"\n", webhook_section(&url), sandbox.path("ca.pem").display());
    let delivered = alertes(&sandbox, &config, &store, &["--au", AU, "--notify"]);
    assert_eq!(delivered.status.code(), Some(0), "{}", stderr(&delivered));
    let posts = receiver.received();
    assert_eq!(posts.len(), 1);
    let (body, sig) = &posts[0];
    assert_eq!(sig, &format!("sha256={}", signature(body)));
    let body: Value = serde_json::from_slice(body).expect("JSON");
    assert_eq!(keys(body["alertes"].as_array().expect("alertes")), KEYS);
}

#[test]
fn without_channels_an_alert_is_recorded_only_once_it_is_written() {
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let store = format!("sqlite:{}", sandbox.path("jlm.sqlite").display());
    let missing = sandbox.path("absent/alertes.csv");
    let failed = alertes(&sandbox, "", &store, &["--au", AU, "-o", missing.to_str().expect("utf-8")]);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    let first = alertes(&sandbox, "", &store, &["--au", AU, "--format", "json"]);
    assert_eq!(first.status.code(), Some(6), "nothing was told by the failed run: {}", stderr(&first));
    let rows = json_rows(&first);
    assert_eq!(keys(&rows), KEYS);
    assert!(rows.iter().all(|row| row["etat"] == "nouvelle" && row["detectee_le"].is_string()), "{rows:?}");
    let second = alertes(&sandbox, "", &store, &["--au", AU, "--format", "json"]);
    assert_eq!(second.status.code(), Some(0));
}

#[test]
fn a_server_that_drops_mid_result_leaves_nothing_recorded() {
    let sandbox = Sandbox::start(&["--tls", "off", "--generate", "300", "--drop-after-rows", "3"]);
    let store = sandbox.path("jlm.sqlite");
    let output = alertes(&sandbox, "", &format!("sqlite:{}", store.display()), &["--au", "2024-12-01"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("la connexion à Batigest a été perdue pendant la lecture"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "half a list printed");
    assert!(!store.exists(), "the store was opened although no alert was complete");
}

/// The margin of January 2024 from the fixture's rows, by DESIGN §5.1, computed here: the one
/// committed devis (12 345 678,91 € HT at 42,8571 % on cost) and its invoices of any date.
fn january_margins() -> (Decimal, Decimal) {
    let (ht, taux) = (d("12345678.91"), d("42.8571"));
    let cost = ht / (Decimal::ONE + taux / Decimal::ONE_HUNDRED);
    let invoiced = d("3703703.67") + d("-150.25");
    let reelle = Decimal::ONE_HUNDRED * (invoiced - cost) / cost;
    (taux, reelle)
}

fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Margin drift and coefficients below target, kept in JLM ERP's PostgreSQL: a famille that
/// recovers and falls back is told again; a period is told once.
#[test]
fn margin_drift_and_familles_below_target_in_the_erp_database() {
    let Some(database) = PgDatabase::create() else { return };
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let store = database.url();
    let cible = |value: &str| format!("[profiles.default.coefficients.cibles]\nMENUISERIE_EXT = {value}\n");
    let run = |config: &str, args: &[&str]| alertes(&sandbox, config, &store, &[&["--format", "json"], args].concat());

    // A dry run tells what it finds and records nothing.
    let dry = run(&cible("1.80"), &["--au", "2024-02-10", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(6), "{}", stderr(&dry));
    assert!(stderr(&dry).contains("rien n'a été enregistré ni envoyé"));
    assert_eq!(database.psql("SELECT COUNT(*) FROM batigest_alertes").trim(), "0");

    let first = run(&cible("1.80"), &["--au", "2024-02-10"]);
    assert_eq!(first.status.code(), Some(6), "{}", stderr(&first));
    let rows = json_rows(&first);
    assert_eq!(keys(&rows), ["coefficient_sous_cible:MENUISERIE_EXT", "derive_marge:2024-01"]);
    let drift = rows.iter().find(|row| row["type"] == "derive_marge").expect("drift");
    let (prevue, reelle) = january_margins();
    let message = drift["message"].as_str().expect("message").replace(['\u{202f}', '\u{a0}'], " ");
    let fr = |value: Decimal| round2(value).to_string().replace('.', ",");
    assert!(message.contains(&format!("{} % pour {} % prévus", fr(reelle), fr(prevue))), "{message}");
    assert!(message.contains(&format!("écart {} points", fr(reelle - prevue))), "{message}");
    // What the store keeps for the webhook: typed figures.
    let data: Value = serde_json::from_str(
        database.psql("SELECT data_json::text FROM batigest_alertes WHERE cle = 'derive_marge:2024-01'").trim(),
    )
    .expect("JSON");
    assert_eq!(number(&data["marge_reelle"]), round2(reelle));
    assert_eq!(number(&data["marge_prevue"]), round2(prevue));
    assert_eq!(data["du"], "2024-01-01");
    let coefficient = database
        .psql("SELECT data_json->>'coefficient_moyen' FROM batigest_alertes WHERE genre = 'coefficient_sous_cible'");
    assert_eq!(coefficient.trim(), round4(d("689.99") / d("412.3456")).to_string());

    // The famille recovers (a lower target): its alert is over and forgotten.
    let recovered = run(&cible("1.50"), &["--au", "2024-02-10"]);
    assert_eq!(recovered.status.code(), Some(0), "{}", stderr(&recovered));
    assert_eq!(keys(&json_rows(&recovered)), ["derive_marge:2024-01"]);
    // It falls back: told again. The period's drift was told once for good.
    let again = run(&cible("1.80"), &["--au", "2024-02-10"]);
    assert_eq!(again.status.code(), Some(6), "{}", stderr(&again));
    let rows = json_rows(&again);
    let state = |key: &str| rows.iter().find(|row| row["cle"] == key).map(|row| row["etat"].clone()).expect(key);
    assert_eq!(state("coefficient_sous_cible:MENUISERIE_EXT"), "nouvelle");
    assert_eq!(state("derive_marge:2024-01"), "déjà signalée");

    // Sent through the webhook from PostgreSQL: the claim, the sent times, nothing sent twice.
    let receiver = Receiver::start(&[]);
    let with_webhook = format!("{}{}", cible("1.80"), webhook_section(&receiver.url()));
    let sent = run(&with_webhook, &["--au", "2024-02-10", "--notify"]);
    assert_eq!(sent.status.code(), Some(0), "{}", stderr(&sent));
    assert_eq!(keys(receiver.received()[0].json()["alertes"].as_array().expect("alertes")), keys(&rows));
    assert!(json_rows(&sent).iter().all(|row| row["webhook_envoye_le"].is_string()));
    assert_eq!(database.psql("SELECT COUNT(*) FROM batigest_alertes WHERE reserve_par IS NOT NULL").trim(), "0");
    let again = run(&with_webhook, &["--au", "2024-02-10", "--notify"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(receiver.received().len(), 1);

    // A quarter: no committed devis in Q4 2023, nothing to compare, no alert.
    let quarter = "[profiles.default.alertes]\nperiode_marge = \"trimestriel\"\necart_marge_points = 5\n";
    let q = run(quarter, &["--au", "2024-02-10"]);
    assert_eq!(q.status.code(), Some(0), "{}", stderr(&q));
    assert_eq!(keys(&json_rows(&q)), Vec::<String>::new(), "{}", stderr(&q));
    // Q1 2024 holds January's drift.
    let q = run(quarter, &["--au", "2024-04-02"]);
    // New alerts: exit 6 (« 3 nouvelle(s) alerte(s) »).
    assert_eq!(q.status.code(), Some(6), "{}", stderr(&q));
    assert!(keys(&json_rows(&q)).contains(&"derive_marge:2024-T1".to_owned()), "{}", stdout(&q));
}

fn round4(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

#[test]
fn channels_are_checked_before_batigest_is_asked_anything() {
    // No sandbox at all: each refusal comes before any connection.
    let home = tempfile::tempdir().expect("temp dir");
    let run = |config: &str, env: &[(&str, &str)]| {
        let path = home.path().join("config.toml");
        std::fs::write(&path, config).expect("write");
        crate::common::command(home.path())
            .env("JLM_BATIGEST_CONFIG", &path)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/jlm-batigest-test-bus")
            .envs(env.iter().copied())
            .args(["--server", "127.0.0.1", "--port", "1", "--user", "sa", "alertes", "--notify"])
            .output()
            .expect("run")
    };
    let expect = |output: Output, code: i32, text: &str| {
        assert_eq!(output.status.code(), Some(code), "{}", stderr(&output));
        assert!(stderr(&output).contains(text), "{text:?} in {}", stderr(&output));
        assert!(stdout(&output).is_empty());
    };
    expect(run("", &[]), 2, "aucun canal d'alerte dans le profil « default »");
    expect(
        run("[profiles.default.alertes.email]\nserveur = \"smtp.jlm.fr\"\nde = \"alertes@jlm.fr\"\n", &[]),
        2,
        "il manque la clé « a » dans [profiles.default.alertes.email]",
    );
    expect(
        run("[profiles.default.alertes.email]\nserveur = \"smtp.jlm.fr\"\nde = \"alertes\"\na = [\"x@jlm.fr\"]\n", &[]),
        2,
        "« de » doit être une adresse e-mail",
    );
    expect(
        run("[profiles.default.alertes.webhook]\nurl = \"ftp://erp.jlm.fr/hook\"\n", &[]),
        2,
        "« url » doit être une adresse https://",
    );
    // Issue 27, item 14: 168 KB of client names and amounts went in clear to another machine,
    // without a word. Clear HTTP stays on this machine, as serve's and the SMTP channel's.
    expect(
        run("[profiles.default.alertes.webhook]\nurl = \"http://erp.jlm.fr:8080/hooks/batigest\"\n", &[]),
        2,
        "http:// seulement vers cette machine (127.0.0.1, ::1, localhost) : les alertes portent les noms des clients \
         et leurs montants, qui ne passent pas en clair sur le réseau",
    );
    expect(
        run("[profiles.default.alertes.webhook]\nurl = \"https://compta@erp.jlm.fr/hook\"\n", &[]),
        2,
        "sans identifiant ni mot de passe",
    );
    let email = "[profiles.default.alertes.email]\nserveur = \"smtp.jlm.fr\"\nutilisateur = \"compta\"\n\
                 de = \"alertes@jlm.fr\"\na = [\"x@jlm.fr\"]\n";
    expect(run(email, &[]), 2, "aucun mot de passe SMTP pour compta");
    expect(
        run("[profiles.default.alertes.webhook]\nurl = \"https://erp.jlm.fr/hook\"\nsigner = true\n", &[]),
        2,
        "signer = true, mais aucune clé de signature",
    );
    expect(
        run("[profiles.default.alertes.email]\nserveur = \"smtp.jlm.fr\"\nmot_de_passe = \"x\"\n", &[]),
        2,
        "mot_de_passe",
    );
}

/// `jlm-batigest --profile PROFILE ARGS` against the sandbox with `config` as the profile file, the
/// keyring on `bus`, `stdin` as its input.
fn in_profile(sandbox: &Sandbox, config: &Path, bus: &str, profile: &str, args: &[&str], stdin: &str) -> Output {
    output_with_stdin(
        sandbox
            .client()
            .env("JLM_BATIGEST_CONFIG", config)
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .args(["--profile", profile, "--jlm-db", &format!("sqlite:{}", sandbox.path("jlm.sqlite").display())])
            .args(args),
        stdin,
    )
}

/// `jlm-batigest --profile PROFILE logout` (no connection options: logout takes none).
fn logout(sandbox: &Sandbox, config: &Path, bus: &str, profile: &str) -> Output {
    crate::common::command(sandbox.dir.path())
        .env("JLM_BATIGEST_CONFIG", config)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .args(["--profile", profile, "logout"])
        .output()
        .expect("logout")
}

/// The SMTP password from the keyring (`alertes login-smtp`), over TLS from the first byte; and
/// `logout` takes it away with the profile's other secrets.
#[test]
fn the_smtp_password_lives_in_the_keyring() {
    let Some(bus) = session_bus() else { return };
    if !python_smtp_available() {
        return;
    }
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let smtp = Smtp::start(sandbox.dir.path(), true);
    let profile = format!("alertes-{}", std::process::id());
    let config = sandbox.path("config.toml");
    let email = email_section(smtp.port, &sandbox.path("ca.pem"), "tls")
        .replace("profiles.default", &format!("profiles.{profile}"));
    std::fs::write(&config, email).expect("write");
    let run = |args: &[&str], stdin: &str| in_profile(&sandbox, &config, &bus, &profile, args, stdin);
    let stored = run(&["alertes", "login-smtp", "--password-stdin"], &format!("{SMTP_PASSWORD}\n"));
    assert_eq!(stored.status.code(), Some(0), "{}", stderr(&stored));
    assert!(!stderr(&stored).contains(SMTP_PASSWORD));
    let sent = run(&["alertes", "--au", AU, "--notify", "-vvv"], "");
    assert_eq!(sent.status.code(), Some(6), "{}", stderr(&sent));
    assert!(!stderr(&sent).contains(SMTP_PASSWORD), "the password in the -vvv log");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!((messages[0]["tls"].clone(), messages[0]["auth"].clone()), (Value::Bool(true), Value::Bool(true)));

    let logout = logout(&sandbox, &config, &bus, &profile);
    assert_eq!(logout.status.code(), Some(0), "{}", stderr(&logout));
    assert!(stderr(&logout).contains("mot de passe SMTP des alertes"), "{}", stderr(&logout));
    let without = run(&["alertes", "--au", AU, "--notify"], "");
    assert_eq!(without.status.code(), Some(2), "{}", stderr(&without));
    assert!(stderr(&without).contains("aucun mot de passe SMTP"));
}

/// `alertes login-webhook`: the key read on stdin goes to the keyring, never to a stream; the
/// webhook is then signed with it (the signature checked by Python's `hmac`); `logout` takes it
/// away, and a signed webhook without a key is refused before anything is sent.
#[test]
fn the_webhook_key_lives_in_the_keyring() {
    let Some(bus) = session_bus() else { return };
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off"]);
    let receiver = Receiver::start(&[]);
    let profile = format!("webhook-{}", std::process::id());
    let config = sandbox.path("config.toml");
    std::fs::write(
        &config,
        webhook_section(&receiver.url()).replace("profiles.default", &format!("profiles.{profile}")),
    )
    .expect("write");
    let run = |args: &[&str], stdin: &str| in_profile(&sandbox, &config, &bus, &profile, args, stdin);
    let stored = run(&["alertes", "login-webhook", "--password-stdin"], &format!("{WEBHOOK_KEY}\n"));
    assert_eq!(stored.status.code(), Some(0), "{}", stderr(&stored));
    assert!(stdout(&stored).is_empty(), "{}", stdout(&stored));
    assert_eq!(
        stderr(&stored),
        format!("Clé de signature du webhook enregistré(e) dans le trousseau ({profile}/webhook).\n")
    );
    assert!(!stderr(&stored).contains(WEBHOOK_KEY), "{}", stderr(&stored));

    let sent = run(&["alertes", "--au", AU, "--notify", "-vvv"], "");
    assert_eq!(sent.status.code(), Some(6), "{}", stderr(&sent));
    assert!(!stderr(&sent).contains(WEBHOOK_KEY) && !stdout(&sent).contains(WEBHOOK_KEY), "the key in the -vvv log");
    let posts = receiver.received();
    assert_eq!(posts.len(), 1, "{}", stderr(&sent));
    assert_eq!(posts[0].header("X-Jlm-Signature"), Some(format!("sha256={}", signature(&posts[0].body)).as_str()));

    let logout = logout(&sandbox, &config, &bus, &profile);
    assert_eq!(logout.status.code(), Some(0), "{}", stderr(&logout));
    let without = run(&["alertes", "--au", AU, "--notify"], "");
    assert_eq!(without.status.code(), Some(2), "{}", stderr(&without));
    assert_eq!(receiver.received().len(), 1, "nothing sent without the key");
}

/// Ctrl-C while `alertes` waits for Batigest: exit 130 and the error line naming it, once the
/// command has said (-v) that its query is sent.
#[cfg(unix)]
#[test]
fn ctrl_c_ends_alertes_with_130() {
    let sandbox = Sandbox::with_fixture_plus(EXTRA, &["--tls", "off", "--latency-ms", "1000"]);
    let mut child = sandbox
        .client()
        .args(["--jlm-db", &format!("sqlite:{}", sandbox.path("jlm.sqlite").display())])
        .args(["-v", "alertes", "--au", AU])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let log = crate::common::stderr_after(&mut child, "requête : ");
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill").success());
    let output = child.wait_with_output().expect("exit");
    let log = log.join().expect("stderr");
    assert_eq!(output.status.code(), Some(130), "{log}");
    assert!(log.contains("Erreur : interrompu (Ctrl-C)"), "{log}");
    assert!(output.stdout.is_empty(), "no half table: {}", String::from_utf8_lossy(&output.stdout));
}
