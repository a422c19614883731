//! How JLM ERP's screens reach `serve` (README « Brancher les écrans de JLM ERP sur serve »): the
//! README's Express snippet, run as it is by Node inside a stand-in of the ERP's server (its
//! `express.json()` and its session check), in front of a real `serve` — and in front of a
//! listener that shows what reaches the API.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::common::{Sandbox, missing};
use crate::serve::{Server, TOKEN};

/// The ERP's stand-in: what JLM ERP's server does before its routes, the README's block, then a
/// listening line for the test.
const HARNESS: &str = r#"import express from "express";

const app = express();
app.use(express.json());
const isAuthenticated = (req, res, next) =>
  (req.headers.cookie ?? "").includes("connect.sid=session-ouverte")
    ? next()
    : res.status(401).json({ message: "Unauthorized" });

// README
"#;

const LISTEN: &str = r#"
const listening = app.listen(0, "127.0.0.1", () => console.log(`listening ${listening.address().port}`));
"#;

/// The README's Express block, whole.
fn readme_snippet() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README");
    readme
        .split("```js\n")
        .skip(1)
        .filter_map(|block| block.split_once("\n```").map(|(code, _)| code))
        .find(|code| code.contains("createProxyMiddleware"))
        .expect("the README's forwarding block")
        .to_owned()
}

/// Node, and the npm packages `scripts/test.sh` installs (`tests/node/package.json`): their
/// `node_modules` folder. Missing, the test fails saying what to run (the README's wiring is not
/// known to work until it has run), or is skipped and counted under the opt-out (`missing`).
fn node_modules() -> Option<PathBuf> {
    let node = Command::new("node").arg("--version").output();
    if !node.as_ref().is_ok_and(|output| output.status.success()) {
        missing("Node.js (node) is not installed", "install Node.js (Debian: nodejs, npm)");
        return None;
    }
    let Some(dir) = std::env::var_os("JLM_BATIGEST_TEST_NODE_MODULES").map(PathBuf::from) else {
        missing(
            "JLM_BATIGEST_TEST_NODE_MODULES is not set",
            "run the tests with scripts/test.sh, which installs express and http-proxy-middleware \
             (tests/node/package.json)",
        );
        return None;
    };
    for package in ["express", "http-proxy-middleware"] {
        if !dir.join(package).join("package.json").is_file() {
            missing(&format!("{package} in {}", dir.display()), "run scripts/test.sh");
            return None;
        }
    }
    Some(dir)
}

struct Erp {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Erp {
    /// `None` only when Node or its packages are missing under the opt-out.
    fn start(api: &str) -> Option<Self> {
        let modules = node_modules()?;
        let dir = tempfile::tempdir().expect("temp dir");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&modules, dir.path().join("node_modules")).expect("node_modules link");
        let script = dir.path().join("erp.mjs");
        std::fs::write(&script, format!("{HARNESS}{}\n{LISTEN}", readme_snippet())).expect("write the script");
        let mut child = Command::new("node")
            .arg(&script)
            .env("JLM_BATIGEST_URL", api)
            .env("JLM_BATIGEST_API_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("run node");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
        let port = line.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("the ERP did not start: {line:?}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], port.parse().expect("a port")));
        Some(Erp { child, addr, _dir: dir })
    }

    /// One request as the ERP's page sends it (its session cookie, no token); the status, the
    /// answer's head (lower case) and its JSON body.
    fn call(&self, method: &str, path: &str, session: bool, body: Option<&str>) -> (u16, String, Value) {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        let cookie = if session { "Cookie: connect.sid=session-ouverte\r\n" } else { "" };
        let body = body.unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: erp.jlm.fr\r\nConnection: close\r\n{cookie}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        let (head, payload) = answer.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{answer}"));
        let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).expect("a status");
        // Express may answer in chunks: the JSON is the chunked body's one chunk.
        let json = serde_json::from_str(payload)
            .or_else(|_| serde_json::from_str(payload.lines().nth(1).unwrap_or_default()))
            .unwrap_or(Value::Null);
        (status, head.to_lowercase(), json)
    }
}

impl Drop for Erp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_readmes_express_forwarding_reaches_serve_behind_the_erps_session() {
    let sandbox = Sandbox::with_fixture(&["--tls", "off"]);
    let server = Server::start(&sandbox, &[]);
    let Some(erp) = Erp::start(&format!("http://{}", server.addr)) else { return };

    // No session: the ERP answers, serve is never asked.
    let (status, _, refused) = erp.call("GET", "/api/batigest/connection-test", false, None);
    assert_eq!(status, 401, "{refused}");
    assert!(!server.log().contains("connection-test"), "serve was reached without a session");

    let (status, head, test) = erp.call("GET", "/api/batigest/connection-test", true, None);
    assert_eq!((status, &test["connected"]), (200, &Value::Bool(true)), "{test}");
    assert_eq!(test["mode"], "sandbox");
    assert!(!head.contains(&TOKEN.to_lowercase()), "the token never reaches the browser: {head}");

    let (status, _, devis) = erp.call("GET", "/api/batigest/devis-clients?limit=1", true, None);
    assert_eq!((status, &devis["count"]), (200, &Value::from(1)), "{devis}");

    // A JSON body after express.json() read it: rewritten for serve.
    let body = r#"{"batigestRef":"DEVIS-2024-001","dryRun":true}"#;
    let (status, _, synced) = erp.call("POST", "/api/batigest/sync-offer", true, Some(body));
    assert_eq!(status, 200, "{synced}");
    assert_eq!((&synced["numeroDevis"], &synced["dryRun"]), (&Value::from("DEVIS-2024-001"), &Value::Bool(true)));
    // serve's refusals pass through as they are.
    let (status, _, refused) = erp.call("POST", "/api/batigest/sync-offer", true, Some(r#"{"dryrun":true}"#));
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "requete_invalide");

    let log = server.log();
    assert!(log.contains("GET /api/batigest/connection-test 200"), "{log}");
    assert!(log.contains("POST /api/batigest/sync-offer 200"), "{log}");
}

#[test]
fn the_readmes_express_forwarding_adds_the_token_and_leaves_the_session_cookie_in_the_erp() {
    // A listener in serve's place shows what the API receives.
    let api = TcpListener::bind("127.0.0.1:0").expect("bind");
    let Some(erp) = Erp::start(&format!("http://{}", api.local_addr().expect("address"))) else { return };
    let received = std::thread::spawn(move || {
        let (stream, _) = api.accept().expect("accept");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let length = head
            .lines()
            .find_map(|line| line.to_lowercase().strip_prefix("content-length:").map(|n| n.trim().parse().unwrap_or(0)))
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("body");
        let mut stream = stream;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .expect("answer");
        (head, String::from_utf8(body).expect("UTF-8"))
    });
    let (status, _, _) =
        erp.call("POST", "/api/batigest/generate-analytics?x=1", true, Some(r#"{"periode":"annuel"}"#));
    assert_eq!(status, 200);
    let (head, body) = received.join().expect("the API's side");
    let lower = head.to_lowercase();
    assert!(head.starts_with("POST /api/batigest/generate-analytics?x=1 HTTP/1.1\r\n"), "{head}");
    assert!(lower.contains(&format!("authorization: bearer {}\r\n", TOKEN.to_lowercase())), "{head}");
    assert!(!lower.contains("cookie:"), "the ERP's session stays in the ERP: {head}");
    assert_eq!(body, r#"{"periode":"annuel"}"#);
}
