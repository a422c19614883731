//! tiberius, as the product uses it (rustls, SQL login), against the sandbox.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use tiberius::{AuthMethod, Client, Config, EncryptionLevel, Row};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use crate::common::{DATABASE, PASSWORD, Sandbox, USER, d};

type Connection = Client<Compat<TcpStream>>;

/// A client configuration that trusts the sandbox's self-signed certificate.
fn config(addr: SocketAddr, encryption: EncryptionLevel) -> Config {
    let mut config = verifying_config(addr, encryption);
    config.trust_cert();
    config
}

/// A client configuration that verifies the server certificate (the product's default).
fn verifying_config(addr: SocketAddr, encryption: EncryptionLevel) -> Config {
    let mut config = Config::new();
    config.host("127.0.0.1");
    config.port(addr.port());
    config.authentication(AuthMethod::sql_server(USER, PASSWORD));
    config.database(DATABASE);
    config.encryption(encryption);
    config
}

async fn connect(config: Config) -> tiberius::Result<Connection> {
    let tcp = TcpStream::connect(config.get_addr()).await?;
    tcp.set_nodelay(true)?;
    // Boxed: the login future is large (clippy::large_futures).
    Box::pin(Client::connect(config, tcp.compat_write())).await
}

fn datetime(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").expect("datetime literal")
}

async fn rows(client: &mut Connection, sql: &str, params: &[&dyn tiberius::ToSql]) -> Vec<Row> {
    client.query(sql, params).await.expect("query").into_first_result().await.expect("rows")
}

/// Every type the sandbox serves comes back exact, through a parameterised query.
async fn exact_values(client: &mut Connection) {
    let devis = rows(
        client,
        "SELECT d.ID, d.NUMERO_DEVIS, d.REFERENCE_AFFAIRE, c.NOM, c.VILLE, d.MONTANT_HT, d.TAUX_MARGE, \
         d.DATE_CREATION, d.DATE_VALIDATION, d.RESPONSABLE \
         FROM DEVIS d JOIN CLIENTS c ON c.ID = d.CLIENT_ID WHERE d.NUMERO_DEVIS = @P1",
        &[&"DEVIS-2024-001"],
    )
    .await;
    assert_eq!(devis.len(), 1);
    let row = &devis[0];
    assert_eq!(row.get::<i32, _>("ID"), Some(1));
    assert_eq!(row.get::<&str, _>("NUMERO_DEVIS"), Some("DEVIS-2024-001"));
    assert_eq!(row.get::<&str, _>("NOM"), Some("Hélène Lefèvre"));
    assert_eq!(row.get::<&str, _>("VILLE"), Some("Saint-Étienne"));
    assert_eq!(row.get::<Decimal, _>("MONTANT_HT"), Some(d("12345678.91")));
    assert_eq!(row.get::<Decimal, _>("TAUX_MARGE"), Some(d("42.8571")));
    assert_eq!(row.get::<NaiveDateTime, _>("DATE_CREATION"), Some(datetime("2024-01-31 10:15:30.1234567")));
    assert_eq!(row.get::<NaiveDateTime, _>("DATE_VALIDATION"), None);
    assert_eq!(row.get::<&str, _>("RESPONSABLE"), Some("Éloïse Müller"));

    let ouvrages = rows(
        client,
        "SELECT ACTIF, PRIX_ACHAT_HT, CAST(PRIX_VENTE_HT AS FLOAT) AS PV, CAST(ID AS BIGINT) AS GRAND, FAMILLE_ID \
         FROM OUVRAGES WHERE ID = @P1",
        &[&2_i32],
    )
    .await;
    let row = &ouvrages[0];
    assert_eq!(row.get::<bool, _>("ACTIF"), Some(false));
    assert_eq!(row.get::<Decimal, _>("PRIX_ACHAT_HT"), Some(d("0.0000")));
    assert_eq!(row.get::<f64, _>("PV"), Some(55.0));
    assert_eq!(row.get::<i64, _>("GRAND"), Some(2));
    assert_eq!(row.get::<i32, _>("FAMILLE_ID"), None);

    let factures = rows(
        client,
        "SELECT NUMERO_FACTURE, DATE_ECHEANCE, MONTANT_REGLE FROM FACTURES WHERE DATE_FACTURE >= @P1 \
         AND MONTANT_HT < @P2 ORDER BY NUMERO_FACTURE",
        &[&NaiveDate::from_ymd_opt(2024, 2, 16).expect("date"), &d("0.00")],
    )
    .await;
    assert_eq!(factures.len(), 1);
    assert_eq!(factures[0].get::<&str, _>("NUMERO_FACTURE"), Some("AV-2024-000001"));
    assert_eq!(factures[0].get::<NaiveDate, _>("DATE_ECHEANCE"), NaiveDate::from_ymd_opt(2024, 2, 20));
    assert_eq!(factures[0].get::<Decimal, _>("MONTANT_REGLE"), Some(d("-180.30")));

    // A DATETIME2(7) parameter matches the stored 7-digit fraction exactly.
    let by_date = rows(
        client,
        "SELECT NUMERO_DEVIS FROM DEVIS WHERE DATE_CREATION = @P1",
        &[&datetime("2024-01-31 10:15:30.1234567")],
    )
    .await;
    assert_eq!(by_date.len(), 1);
}

#[tokio::test]
async fn every_type_is_exact_in_each_tls_mode() {
    let sandbox = Sandbox::with_fixture(&[]);
    for level in [EncryptionLevel::NotSupported, EncryptionLevel::Off, EncryptionLevel::Required] {
        let mut client = connect(config(sandbox.addr, level)).await.unwrap_or_else(|e| panic!("{level:?}: {e}"));
        exact_values(&mut client).await;
    }
}

#[tokio::test]
async fn server_modes_are_enforced() {
    let required = Sandbox::with_fixture(&["--tls", "required"]);
    let mut client = connect(config(required.addr, EncryptionLevel::Off)).await.expect("full TLS forced");
    exact_values(&mut client).await;

    let off = Sandbox::with_fixture(&["--tls", "off"]);
    let error = connect(config(off.addr, EncryptionLevel::Required)).await.expect_err("no TLS to offer");
    // tiberius (0.13.0) refused after PRELOGIN; tiberius-ng starts the TLS handshake the server then ends.
    assert!(error.to_string().contains("encryption") || error.to_string().contains("tls handshake eof"), "{error}");
    connect(config(off.addr, EncryptionLevel::NotSupported)).await.expect("plain login");

    let login_only = Sandbox::with_fixture(&["--tls", "login-only"]);
    connect(config(login_only.addr, EncryptionLevel::Off)).await.expect("login-only");
}

#[tokio::test]
async fn certificate_is_verified_against_the_exported_ca() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pem = dir.path().join("sandbox.pem");
    let sandbox = Sandbox::with_fixture(&["--tls", "required", "--cert-out", pem.to_str().expect("path")]);
    let mut verified = verifying_config(sandbox.addr, EncryptionLevel::Required);
    verified.trust_cert_ca(pem.to_str().expect("path"));
    let mut client = connect(verified).await.expect("certificate verified with the exported PEM");
    exact_values(&mut client).await;

    // Another sandbox's certificate is not this one's CA.
    let other_pem = dir.path().join("other.pem");
    let _other = Sandbox::with_fixture(&["--cert-out", other_pem.to_str().expect("path")]);
    let mut wrong = verifying_config(sandbox.addr, EncryptionLevel::Required);
    wrong.trust_cert_ca(other_pem.to_str().expect("path"));
    assert!(connect(wrong).await.is_err(), "a wrong CA must fail the handshake");
    // And without any CA the self-signed certificate is refused.
    assert!(connect(verifying_config(sandbox.addr, EncryptionLevel::Required)).await.is_err());
}

fn server_error(error: &tiberius::error::Error) -> (u32, String) {
    match error {
        tiberius::error::Error::Server(token) => (token.code(), token.message().to_owned()),
        other => panic!("expected a server error, got {other}"),
    }
}

#[tokio::test]
async fn wrong_password_is_error_18456() {
    let sandbox = Sandbox::with_fixture(&[]);
    let mut bad = config(sandbox.addr, EncryptionLevel::Off);
    bad.authentication(AuthMethod::sql_server(USER, "not the password"));
    let error = connect(bad).await.expect_err("login must fail");
    assert_eq!(server_error(&error), (18456, "Login failed for user 'sa'.".to_owned()));
}

#[tokio::test]
async fn unknown_database_is_error_4060() {
    let sandbox = Sandbox::with_fixture(&[]);
    let mut other = config(sandbox.addr, EncryptionLevel::Off);
    other.database("BTG_DOS_INCONNU");
    let (code, message) = server_error(&connect(other).await.expect_err("login must fail"));
    assert_eq!(code, 4060);
    assert!(message.contains("BTG_DOS_INCONNU"), "{message}");
}

#[tokio::test]
async fn refused_logins_are_reported() {
    let sandbox = Sandbox::with_fixture(&["--refuse-logins"]);
    let (code, _) = server_error(&connect(config(sandbox.addr, EncryptionLevel::Off)).await.expect_err("refused"));
    assert_eq!(code, 17142);
}

#[tokio::test]
async fn sql_errors_keep_the_connection_usable() {
    let sandbox = Sandbox::with_fixture(&[]);
    let mut client = connect(config(sandbox.addr, EncryptionLevel::Off)).await.expect("connect");
    let error = client.simple_query("SELECT * FROM DEVIZ").await.expect_err("unknown table");
    assert_eq!(server_error(&error), (208, "Invalid object name 'DEVIZ'.".to_owned()));
    let error = client.simple_query("SELECT NUMERO FROM DEVIS").await.expect_err("unknown column");
    assert_eq!(server_error(&error), (207, "Invalid column name 'NUMERO'.".to_owned()));
    let error = client.simple_query("SELEC 1").await.expect_err("bad syntax");
    assert_eq!(server_error(&error).0, 102);
    exact_values(&mut client).await;
}

#[tokio::test]
async fn connection_test_query_answers_like_sql_server() {
    let sandbox = Sandbox::with_fixture(&["--database", "BTG_DOS_DEMO"]);
    let mut demo = config(sandbox.addr, EncryptionLevel::Off);
    demo.database("BTG_DOS_DEMO");
    let mut client = connect(demo).await.expect("connect");
    let row = client
        .simple_query("SELECT @@VERSION, DB_NAME(), SYSDATETIME()")
        .await
        .expect("query")
        .into_row()
        .await
        .expect("row")
        .expect("one row");
    assert!(row.get::<&str, _>(0).expect("version").starts_with("Microsoft SQL Server"));
    assert_eq!(row.get::<&str, _>(1), Some("BTG_DOS_DEMO"));
    let now = row.get::<NaiveDateTime, _>(2).expect("now");
    let local = chrono::Local::now().naive_local();
    assert!((local - now).num_seconds().abs() < 60, "{now} vs {local}");
}

#[tokio::test]
async fn two_clients_work_at_once() {
    let sandbox = Sandbox::start(&["--generate", "2000", "--seed", "7"]);
    let count = async |addr| {
        let mut client = connect(config(addr, EncryptionLevel::Off)).await.expect("connect");
        let stream = client.simple_query("SELECT * FROM DEVIS").await.expect("query");
        stream.into_first_result().await.expect("rows").len()
    };
    let (first, second) = tokio::join!(count(sandbox.addr), count(sandbox.addr));
    assert_eq!((first, second), (2000, 2000));
}

#[tokio::test]
async fn a_dropped_connection_is_an_error_not_a_hang() {
    let sandbox = Sandbox::start(&["--generate", "500", "--drop-after-rows", "100"]);
    let mut client = connect(config(sandbox.addr, EncryptionLevel::Off)).await.expect("connect");
    let outcome = tokio::time::timeout(Duration::from_secs(20), async {
        client.simple_query("SELECT * FROM DEVIS").await?.into_first_result().await
    })
    .await
    .expect("the client must not hang");
    assert!(outcome.is_err(), "a result cut after 100 rows must be an error");
}

#[tokio::test]
async fn named_instance_resolves_through_the_browser() {
    let port = free_udp_port();
    let sandbox = Sandbox::with_fixture(&["--browser-port", &port.to_string()]);
    let mut named = config(sandbox.addr, EncryptionLevel::Off);
    named.port(port);
    named.instance_name("SAGEBAT");
    let tcp = <TcpStream as tiberius::SqlBrowser>::connect_named(&named).await.expect("instance resolved");
    assert_eq!(tcp.peer_addr().expect("peer").port(), sandbox.addr.port());
    let mut client = Box::pin(Client::connect(named, tcp.compat_write())).await.expect("login");
    exact_values(&mut client).await;
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("free UDP port").port()
}
