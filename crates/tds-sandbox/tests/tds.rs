//! The sandbox through its public API, as a client sees it: started in-process on a free port,
//! queried over TCP by tiberius (TLS, SQL login), the SQL Server client the product uses.

use std::net::{Ipv4Addr, SocketAddr};

use rust_decimal::Decimal;
use tds_sandbox::generate::Layout;
use tds_sandbox::{
    DEFAULT_DATABASE, DEFAULT_PASSWORD, DEFAULT_USER, DataSource, Sandbox, SandboxOptions, VERSION_MARK,
};
use tiberius::{AuthMethod, Client, Config, EncryptionLevel, Row};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

type Connection = Client<Compat<TcpStream>>;

const DEVIS: u64 = 50;

async fn start() -> Sandbox {
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let data = DataSource::Generate { devis: DEVIS, seed: 42, layout: Layout::Default, into: None };
    Sandbox::start(SandboxOptions::new(listen, data)).await.expect("sandbox starts")
}

/// Full TLS with the sandbox's self-signed certificate, as `--trust-cert` does.
fn config(sandbox: &Sandbox, user: &str, password: &str, database: &str) -> Config {
    let mut config = Config::new();
    config.host("127.0.0.1");
    config.port(sandbox.local_addr().port());
    config.authentication(AuthMethod::sql_server(user, password));
    config.database(database);
    config.encryption(EncryptionLevel::Required);
    config.trust_cert();
    config
}

async fn connect(config: Config) -> tiberius::Result<Connection> {
    let tcp = TcpStream::connect(config.get_addr()).await?;
    tcp.set_nodelay(true)?;
    // Boxed: the login future is large (clippy::large_futures).
    Box::pin(Client::connect(config, tcp.compat_write())).await
}

async fn login(sandbox: &Sandbox) -> Connection {
    connect(config(sandbox, DEFAULT_USER, DEFAULT_PASSWORD, DEFAULT_DATABASE)).await.expect("login")
}

async fn query(client: &mut Connection, sql: &str) -> tiberius::Result<Vec<Row>> {
    client.query(sql, &[]).await?.into_first_result().await
}

/// The SQL Server error number a refusal carries.
fn server_code(error: &tiberius::error::Error) -> u32 {
    match error {
        tiberius::error::Error::Server(token) => token.code(),
        other => panic!("not a server error: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_generated_data_over_tds() {
    let sandbox = start().await;
    assert_eq!(sandbox.generated().map(|s| s.devis), Some(DEVIS));
    let mut client = login(&sandbox).await;

    let rows = query(&mut client, "SELECT COUNT(*) AS n FROM dbo.DEVIS WITH (NOLOCK)").await.expect("count");
    assert_eq!(rows[0].get::<i32, _>("n"), Some(i32::try_from(DEVIS).unwrap()));

    let rows = query(&mut client, "SELECT @@VERSION AS v, DB_NAME() AS db").await.expect("version");
    let version = rows[0].get::<&str, _>("v").expect("a version");
    assert!(version.contains(VERSION_MARK), "{version}");
    assert_eq!(rows[0].get::<&str, _>("db"), Some(DEFAULT_DATABASE));

    let rows = query(&mut client, "SELECT TOP 3 NUMERO_DEVIS FROM DEVIS ORDER BY NUMERO_DEVIS").await.expect("top");
    assert_eq!(rows.len(), 3);
    drop(client);
    sandbox.shutdown().await;
}

/// DECIMAL arithmetic comes back as SQL Server computes it, not as SQLite's doubles would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decimal_arithmetic_is_exact() {
    let sandbox = start().await;
    let mut client = login(&sandbox).await;
    let rows = query(&mut client, "SELECT 0.1 + 0.2 AS somme, 2.0 / 3 AS quotient").await.expect("arithmetic");
    assert_eq!(rows[0].get::<Decimal, _>("somme"), Some("0.3".parse().unwrap()));
    assert_eq!(rows[0].get::<Decimal, _>("quotient"), Some("0.666666".parse().unwrap()));
    drop(client);
    sandbox.shutdown().await;
}

/// Refusals carry SQL Server's own error numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_sql_server_numbers() {
    let sandbox = start().await;

    let wrong_password = connect(config(&sandbox, DEFAULT_USER, "pas le bon", DEFAULT_DATABASE)).await;
    assert_eq!(server_code(&wrong_password.expect_err("refused")), 18456);
    let wrong_database = connect(config(&sandbox, DEFAULT_USER, DEFAULT_PASSWORD, "AUTRE_BASE")).await;
    assert_eq!(server_code(&wrong_database.expect_err("refused")), 4060);

    let mut client = login(&sandbox).await;
    let unknown = query(&mut client, "SELECT * FROM PAS_DE_TABLE").await;
    assert_eq!(server_code(&unknown.expect_err("unknown table")), 208);
    let write = query(&mut client, "DELETE FROM DEVIS").await;
    assert_eq!(server_code(&write.expect_err("read-only")), 229);
    // The session survives its errors.
    let rows = query(&mut client, "SELECT 1 AS un").await.expect("still usable");
    assert_eq!(rows[0].get::<i32, _>("un"), Some(1));
    drop(client);
    sandbox.shutdown().await;
}

/// The product's per-month figures of committed devis (`batigest::queries::buckets`), with its
/// status parameters, as tiberius sends them (`sp_executesql`).
const BUCKETS: &str = "SELECT YEAR(d.[DATE_CREATION]) AS annee, MONTH(d.[DATE_CREATION]) AS mois, COUNT(*) AS n, \
     CHECKSUM_AGG(BINARY_CHECKSUM(d.[NUMERO_DEVIS], d.[REFERENCE_AFFAIRE], d.[MONTANT_HT], d.[TAUX_MARGE], \
     d.[STATUT], d.[DATE_VALIDATION])) AS somme FROM [DEVIS] d \
     WHERE UPPER(RTRIM(CAST(d.[STATUT] AS NVARCHAR(4000)))) IN (@P1, @P2) \
     GROUP BY YEAR(d.[DATE_CREATION]), MONTH(d.[DATE_CREATION])";

/// (year, month) → (devis, checksum), every figure read as the i32 an INT column is.
async fn buckets(client: &mut Connection) -> std::collections::BTreeMap<(i32, i32), (i32, Option<i32>)> {
    let rows = client
        .query(BUCKETS, &[&"VALIDE", &"ACCEPTE"])
        .await
        .expect("buckets")
        .into_first_result()
        .await
        .expect("buckets");
    rows.iter()
        .map(|row| {
            let int = |name: &str| row.try_get::<i32, _>(name).expect("an INT column");
            ((int("annee").unwrap(), int("mois").unwrap()), (int("n").unwrap(), int("somme")))
        })
        .collect()
}

/// `CHECKSUM_AGG(BINARY_CHECKSUM(…))` per month comes back as INT, and when one devis' HT
/// changes in the served file, only its month's checksum moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checksums_per_month_move_with_one_devis() {
    let path = std::env::temp_dir().join(format!("jlm_sandbox_checksum_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let data = DataSource::Generate { devis: DEVIS, seed: 42, layout: Layout::Default, into: Some(path.clone()) };
    let sandbox = Sandbox::start(SandboxOptions::new(listen, data)).await.expect("sandbox starts");
    let mut client = login(&sandbox).await;

    let before = buckets(&mut client).await;
    assert!(before.len() > 3, "{before:?}");
    assert!(before.values().all(|(n, somme)| *n > 0 && somme.is_some()));
    assert_eq!(buckets(&mut client).await, before, "the same figures twice");

    // One committed devis' HT changes, behind the server's back (the sandbox is read-only).
    let writer = rusqlite::Connection::open(&path).expect("the served file");
    let (id, created): (i64, String) = writer
        .query_row(
            "SELECT ID, DATE_CREATION FROM DEVIS WHERE STATUT IN ('VALIDE', 'ACCEPTE') ORDER BY ID LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a committed devis");
    writer.execute("UPDATE DEVIS SET MONTANT_HT = MONTANT_HT + 0.01 WHERE ID = ?1", [id]).expect("update");
    drop(writer);
    let month = (created[..4].parse::<i32>().unwrap(), created[5..7].parse::<i32>().unwrap());

    let after = buckets(&mut client).await;
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
    for (key, (n, somme)) in &after {
        assert_eq!(*n, before[key].0, "{key:?}");
        if *key == month {
            assert_ne!(*somme, before[key].1, "the month of devis {id}");
        } else {
            assert_eq!(*somme, before[key].1, "{key:?}");
        }
    }
    drop(client);
    sandbox.shutdown().await;
    let _ = std::fs::remove_file(&path);
}
