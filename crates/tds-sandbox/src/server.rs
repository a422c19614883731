//! The TDS server: accepts connections, negotiates TLS, logs clients in and runs their requests.
//!
//! Each connection has three parts: a reader task that turns packets into messages (and raises the
//! attention flag as soon as a cancel arrives), the connection task that answers them, and a
//! dedicated thread that owns the SQLite session and encodes results into TDS packets, so SQLite
//! never blocks the async workers and a large result streams through a bounded channel.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::protocol::login7::{self, Login7};
use super::protocol::packet::{
    self, DEFAULT_PACKET_SIZE, MAX_PACKET_SIZE, MIN_PACKET_SIZE, Message, MessageWriter, PacketType,
};
use super::protocol::prelogin::{self, Encryption};
use super::protocol::request::{self, Procedure};
use super::protocol::{SERVER_PRODUCT_VERSION, ntlm, token};
use super::sql::{Database, ResultSink, ServerInfo, Session};
use super::tls::{Identity, PreloginWrapper};
use super::types::{Column, Param, ServerError, Value};
use super::{DataSource, SandboxError, SandboxOptions, TlsMode, browser, generate};

const SERVER_NAME: &str = "SANDBOX";

/// Results are shipped to the socket in chunks of about this many bytes.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks in flight between the session thread and the socket: this bounds a connection's memory.
const CHUNKS_IN_FLIGHT: usize = 4;

/// A running sandbox. Dropping it without [`Sandbox::shutdown`] leaves the server running until
/// the runtime ends.
pub struct Sandbox {
    local_addr: SocketAddr,
    browser_addr: Option<SocketAddr>,
    generated: Option<generate::Summary>,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Sandbox {
    /// Prepares the data, binds the listener (and the browser responder) and starts serving.
    pub async fn start(options: SandboxOptions) -> Result<Self, SandboxError> {
        let data = options.data.clone();
        let (database, generated) = tokio::task::spawn_blocking(move || open_data(&data))
            .await
            .map_err(|e| SandboxError::Data(e.to_string()))??;
        let identity = match &options.cert {
            Some((cert, key)) => Identity::from_files(cert, key)?,
            None => Identity::self_signed()?,
        };
        if let Some(path) = &options.cert_out {
            std::fs::write(path, &identity.cert_pem).map_err(|e| SandboxError::Io(path.display().to_string(), e))?;
        }
        let listener =
            TcpListener::bind(options.listen).await.map_err(|e| SandboxError::Io(options.listen.to_string(), e))?;
        let local_addr = listener.local_addr().map_err(|e| SandboxError::Io(options.listen.to_string(), e))?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();

        let mut browser_addr = None;
        if let Some(port) = options.browser_port {
            let addr = SocketAddr::new(options.listen.ip(), port);
            let socket = UdpSocket::bind(addr).await.map_err(|e| SandboxError::Io(format!("UDP {addr}"), e))?;
            browser_addr = Some(socket.local_addr().map_err(|e| SandboxError::Io(format!("UDP {addr}"), e))?);
            let instance = options.instance.clone();
            let rx = shutdown_rx.clone();
            tasks.spawn(async move {
                if let Err(error) =
                    browser::serve(socket, instance, local_addr.port(), SERVER_NAME.to_owned(), rx).await
                {
                    tracing::warn!(%error, "SQL Server Browser responder stopped");
                }
            });
        }

        let shared = Arc::new(Shared {
            database,
            acceptor: TlsAcceptor::from(identity.config),
            strict: TlsAcceptor::from(identity.strict),
            options,
        });
        tasks.spawn(accept_loop(listener, shared, shutdown_rx));
        Ok(Self { local_addr, browser_addr, generated, shutdown, tasks })
    }

    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    #[must_use]
    pub fn browser_addr(&self) -> Option<SocketAddr> {
        self.browser_addr
    }

    /// What was generated at start, when the data was generated.
    #[must_use]
    pub fn generated(&self) -> Option<&generate::Summary> {
        self.generated.as_ref()
    }

    /// Stops accepting, closes every connection and waits for the tasks to end.
    pub async fn shutdown(mut self) {
        // Receivers may already be gone; there is nothing left to stop then.
        let _ = self.shutdown.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

fn open_data(data: &DataSource) -> Result<(Database, Option<generate::Summary>), SandboxError> {
    let sqlite =
        |path: &std::path::Path, e: &dyn std::fmt::Display| SandboxError::Data(format!("{} : {e}", path.display()));
    match data {
        DataSource::File(path) => Ok((Database::open_file(path).map_err(|e| sqlite(path, &e))?, None)),
        DataSource::Generate { devis, seed, layout, into: None } => {
            let mut summary = None;
            let database = Database::in_memory(|conn| {
                summary = Some(generate::generate(conn, *devis, *seed, *layout)?);
                Ok(())
            })
            .map_err(|e| SandboxError::Data(e.to_string()))?;
            Ok((database, summary))
        }
        DataSource::Generate { devis, seed, layout, into: Some(path) } => {
            let conn = rusqlite::Connection::open(path).map_err(|e| sqlite(path, &e))?;
            let summary = generate::generate(&conn, *devis, *seed, *layout).map_err(|e| sqlite(path, &e))?;
            drop(conn);
            Ok((Database::open_file(path).map_err(|e| sqlite(path, &e))?, Some(summary)))
        }
    }
}

struct Shared {
    database: Database,
    acceptor: TlsAcceptor,
    strict: TlsAcceptor,
    options: SandboxOptions,
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        let mut bytes_sent = 0;
                        if let Err(error) = serve_connection(stream, &shared, &mut bytes_sent).await {
                            tracing::debug!(%peer, %error, "connection ended");
                        }
                        // What the client received after its login: `-v` shows it, and the export
                        // benchmark (scripts/bench-export.sh) reads it.
                        tracing::info!(%peer, bytes_sent, "connection closed");
                    });
                }
                Err(error) => tracing::warn!(%error, "accept failed"),
            },
            // Reap finished connections so the set does not grow with every client.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

#[derive(Debug, thiserror::Error)]
enum ConnectionError {
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("protocol: {0}")]
    Protocol(#[from] super::protocol::ProtocolError),
    #[error("unexpected message type {0:#04x}")]
    Unexpected(u8),
    #[error("client closed the connection")]
    Closed,
}

/// What the PRELOGIN answer commits both sides to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsUse {
    None,
    LoginOnly,
    Full,
}

/// The server's answer to the client's encryption option, and what follows from it.
fn negotiate(mode: TlsMode, client: Encryption) -> (Encryption, TlsUse) {
    match (mode, client) {
        // Strict: TLS is already up; the PRELOGIN answer says the link is encrypted.
        (TlsMode::Strict, _) => (Encryption::Required, TlsUse::None),
        (TlsMode::Off, _) | (TlsMode::Auto | TlsMode::LoginOnly, Encryption::NotSupported) => {
            (Encryption::NotSupported, TlsUse::None)
        }
        (TlsMode::Auto | TlsMode::LoginOnly, Encryption::Off) | (TlsMode::LoginOnly, _) => {
            (Encryption::Off, TlsUse::LoginOnly)
        }
        (TlsMode::Required, Encryption::NotSupported | Encryption::Off) => (Encryption::Required, TlsUse::Full),
        (TlsMode::Auto | TlsMode::Required, _) => (Encryption::On, TlsUse::Full),
    }
}

/// Serves one client; `bytes_sent` counts the result bytes written after the login.
async fn serve_connection(tcp: TcpStream, shared: &Shared, bytes_sent: &mut u64) -> Result<(), ConnectionError> {
    tcp.set_nodelay(true)?;
    let options = &shared.options;
    // TDS 8.0 strict: the client's first bytes are a TLS ClientHello, not a TDS packet.
    let mut transport = if options.tls == TlsMode::Strict {
        let stream = shared.strict.accept(tcp).await?;
        let (_, session) = stream.get_ref();
        tracing::info!(
            version = ?session.protocol_version(),
            alpn = %String::from_utf8_lossy(session.alpn_protocol().unwrap_or(b"(aucun)")),
            "strict TLS (TDS 8.0) established"
        );
        Transport::Strict(Box::new(stream))
    } else {
        // A TLS handshake record (0x16) where PRELOGIN (0x12) belongs: a client in strict mode. Its
        // ClientHello would be read as a TDS header announcing more bytes than it sends, and both
        // sides would wait; close at once so the client fails fast.
        let mut first = [0u8; 1];
        if tcp.peek(&mut first).await? == 1 && first[0] == 0x16 {
            tracing::info!("TLS ClientHello instead of PRELOGIN: the client wants TDS 8.0 strict, use --tls strict");
            return Err(ConnectionError::Unexpected(first[0]));
        }
        Transport::Plain(tcp)
    };
    let hello = expect(packet::read_message(&mut transport).await?, PacketType::PreLogin)?;
    let client = prelogin::parse_prelogin(&hello.payload)?;
    // A PRELOGIN without the option means the client cannot encrypt.
    let asked = client.encryption.unwrap_or(Encryption::NotSupported);
    let (answer, tls_use) = negotiate(options.tls, asked);
    tokio::time::sleep(options.latency).await;
    let reply = prelogin::encode_prelogin_response(answer);
    transport.write_all(&packet::frame(PacketType::TabularResult, &reply, DEFAULT_PACKET_SIZE)).await?;

    let mut transport = match (tls_use, transport) {
        // Strict or already wrapped: nothing more to set up.
        (TlsUse::None, transport) | (_, transport @ (Transport::Strict(_) | Transport::Tls(_))) => transport,
        (TlsUse::LoginOnly | TlsUse::Full, Transport::Plain(tcp)) => {
            let mut stream = shared.acceptor.accept(PreloginWrapper::new(tcp)).await?;
            stream.get_mut().0.handshake_complete();
            Transport::Tls(Box::new(stream))
        }
    };
    let login_message = expect(packet::read_message(&mut transport).await?, PacketType::Login7)?;
    let login = login7::parse_login7(&login_message.payload)?;
    if tls_use == TlsUse::LoginOnly {
        // Login-only encryption: drop TLS without close_notify, as SQL Server does.
        transport = match transport {
            Transport::Tls(stream) => Transport::Plain(stream.into_inner().0.into_inner()),
            other => other,
        };
    }
    let packet_size = negotiated_packet_size(login.packet_size);
    let mut login = login;
    let credentials_ok = if login.integrated {
        match windows_login(&mut transport, shared, &login.sspi, packet_size).await? {
            Ok(user) => {
                tracing::info!(user = %user, "Windows login (NTLMv2) verified");
                login.user_name = user;
                true
            }
            Err(error) => {
                // What SQL Server's error log says when AcceptSecurityContext fails (17806, state 14),
                // with the cause a domain controller knows; the client only gets 18452.
                tracing::info!(%error, "Windows login (NTLM) refused: SSPI handshake failed with error code 0x8009030c, state 14");
                false
            }
        }
    } else {
        login.user_name == options.user && login.password == options.password
    };
    tokio::time::sleep(options.latency).await;
    let session = match check_login(shared, &login, credentials_ok) {
        Ok(session) => session,
        Err(errors) => {
            let mut body = Vec::new();
            for error in &errors {
                token::error(&mut body, error, SERVER_NAME, 1);
            }
            token::done(&mut body, token::DONE_ERROR, 0, 0);
            transport.write_all(&packet::frame(PacketType::TabularResult, &body, packet_size)).await?;
            transport.flush().await?;
            return Ok(());
        }
    };
    let reply = login_reply(options, &login, packet_size);
    transport.write_all(&packet::frame(PacketType::TabularResult, &reply, packet_size)).await?;
    transport.flush().await?;
    run_requests(transport, session, packet_size, shared, bytes_sent).await
}

fn expect(message: Option<Message>, ty: PacketType) -> Result<Message, ConnectionError> {
    let message = message.ok_or(ConnectionError::Closed)?;
    if message.ty == ty as u8 { Ok(message) } else { Err(ConnectionError::Unexpected(message.ty)) }
}

fn negotiated_packet_size(requested: u32) -> usize {
    if requested == 0 { DEFAULT_PACKET_SIZE } else { (requested as usize).clamp(MIN_PACKET_SIZE, MAX_PACKET_SIZE) }
}

/// The SSPI leg of a Windows login: NEGOTIATE came in LOGIN7; send the CHALLENGE in an SSPI token,
/// read the AUTHENTICATE (packet type 0x11) and verify it. The outer error is a broken connection,
/// the inner one a refused login.
async fn windows_login(
    transport: &mut Transport,
    shared: &Shared,
    negotiate: &[u8],
    packet_size: usize,
) -> Result<Result<String, ntlm::NtlmError>, ConnectionError> {
    let Some(account) = &shared.options.windows else {
        return Ok(Err(ntlm::NtlmError::NoAccount));
    };
    let mut challenge = [0u8; 8];
    rustls::crypto::aws_lc_rs::default_provider()
        .secure_random
        .fill(&mut challenge)
        .map_err(|_| std::io::Error::other("no random bytes for the NTLM challenge"))?;
    // FILETIME: 100 ns intervals since 1601-01-01.
    let since_1970 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let timestamp = (since_1970.as_nanos() / 100) as u64 + 116_444_736_000_000_000;
    let (exchange, message) = match ntlm::Exchange::start(negotiate, account, challenge, timestamp) {
        Ok(started) => started,
        Err(error) => return Ok(Err(error)),
    };
    let (asked, granted) = exchange.flags();
    tracing::debug!(negotiate = format!("{asked:#010x}"), challenge = format!("{granted:#010x}"), "NTLM flags");
    let mut body = Vec::new();
    token::sspi(&mut body, &message);
    transport.write_all(&packet::frame(PacketType::TabularResult, &body, packet_size)).await?;
    transport.flush().await?;
    let answer = packet::read_message(transport).await?.ok_or(ConnectionError::Closed)?;
    if answer.ty != PacketType::Sspi as u8 && answer.ty != PacketType::Login7 as u8 {
        return Err(ConnectionError::Unexpected(answer.ty));
    }
    Ok(exchange.finish(&answer.payload, account))
}

fn check_login(shared: &Shared, login: &Login7, credentials_ok: bool) -> Result<Session, Vec<ServerError>> {
    let options = &shared.options;
    let failed = || ServerError {
        number: 18456,
        state: 1,
        class: 14,
        message: format!("Login failed for user '{}'.", login.user_name),
    };
    if options.refuse_logins {
        return Err(vec![ServerError {
            number: 17142,
            state: 1,
            class: 14,
            message: "SQL Server service has been paused. No new connections will be allowed.".to_owned(),
        }]);
    }
    if !credentials_ok && login.integrated {
        // SQL Server's answer to any failed SSPI handshake: the cause stays in its error log.
        return Err(vec![ServerError {
            number: 18452,
            state: 1,
            class: 14,
            message: "Login failed. The login is from an untrusted domain and cannot be used with Integrated \
                      authentication."
                .to_owned(),
        }]);
    }
    if !credentials_ok {
        return Err(vec![failed()]);
    }
    if !login.database.is_empty() && !login.database.eq_ignore_ascii_case(&options.database) {
        let cannot_open = ServerError {
            number: 4060,
            state: 1,
            class: 11,
            message: format!("Cannot open database \"{}\" requested by the login. The login failed.", login.database),
        };
        return Err(vec![cannot_open, failed()]);
    }
    let info = ServerInfo {
        version: format!(
            "Microsoft SQL Server 2019 (RTM) - {SERVER_PRODUCT_VERSION} (X64)\n\tJLM Batigest sandbox (SQLite)\n"
        ),
        database: options.database.clone(),
        server_name: SERVER_NAME.to_owned(),
        collation: options.collation,
    };
    shared.database.session(info).map_err(|e| {
        tracing::warn!(error = %e, "cannot open a SQLite session");
        vec![ServerError {
            number: 4060,
            state: 1,
            class: 11,
            message: format!("Cannot open database \"{}\" requested by the login. The login failed.", options.database),
        }]
    })
}

fn login_reply(options: &SandboxOptions, login: &Login7, packet_size: usize) -> Vec<u8> {
    let mut body = Vec::new();
    token::env_database(&mut body, &options.database, "master");
    token::info(
        &mut body,
        &ServerError {
            number: 5701,
            state: 2,
            class: 0,
            message: format!("Changed database context to '{}'.", options.database),
        },
        SERVER_NAME,
        1,
    );
    token::env_collation(&mut body, options.collation.wire());
    token::env_language(&mut body, "us_english", "");
    token::info(
        &mut body,
        &ServerError {
            number: 5703,
            state: 1,
            class: 0,
            message: "Changed language setting to us_english.".to_owned(),
        },
        SERVER_NAME,
        1,
    );
    token::login_ack(&mut body);
    if login.feature_ext {
        token::feature_ext_ack(&mut body);
    }
    token::env_packet_size(&mut body, packet_size as u32, DEFAULT_PACKET_SIZE as u32);
    token::done(&mut body, token::DONE_FINAL, 0, 0);
    body
}

/// Bytes on their way from the session thread to the socket.
enum Output {
    Bytes(Vec<u8>),
    /// The response is complete; `acknowledged_attention` when it ended with DONE_ATTN.
    End {
        acknowledged_attention: bool,
    },
    /// `--drop-after-rows` reached: close the connection now.
    Drop,
}

enum Job {
    Batch(String),
    Rpc {
        sql: String,
        params: Vec<Param>,
    },
    /// A request the engine cannot run: answered with this error.
    Fail(ServerError),
}

struct Request {
    job: Job,
    out: mpsc::Sender<Output>,
}

async fn run_requests(
    transport: Transport,
    session: Session,
    packet_size: usize,
    shared: &Shared,
    bytes_sent: &mut u64,
) -> Result<(), ConnectionError> {
    let (mut reader, mut writer) = tokio::io::split(transport);
    let attention = Arc::new(AtomicBool::new(false));
    let (messages_tx, mut messages) = mpsc::unbounded_channel();
    let reader_attention = Arc::clone(&attention);
    let reader_task = tokio::spawn(async move {
        while let Ok(Some(message)) = packet::read_message(&mut reader).await {
            if message.ty == PacketType::Attention as u8 {
                reader_attention.store(true, Ordering::SeqCst);
            }
            if messages_tx.send(message).is_err() {
                break;
            }
        }
    });

    let (jobs, job_rx) = std_mpsc::channel::<Request>();
    let spid = session.spid();
    let context = WorkerContext {
        packet_size,
        spid,
        attention: Arc::clone(&attention),
        drop_after_rows: shared.options.drop_after_rows,
        collation: shared.options.collation.wire(),
    };
    std::thread::Builder::new()
        .name(format!("sandbox-session-{spid}"))
        .spawn(move || session_thread(session, &job_rx, &context))?;

    let mut acknowledged_attention = false;
    let result = async {
        while let Some(message) = messages.recv().await {
            let job = match message.packet_type() {
                Some(PacketType::Attention) => {
                    attention.store(false, Ordering::SeqCst);
                    if !std::mem::take(&mut acknowledged_attention) {
                        let mut body = Vec::new();
                        token::done(&mut body, token::DONE_ATTN, 0, 0);
                        writer.write_all(&packet::frame(PacketType::TabularResult, &body, packet_size)).await?;
                        writer.flush().await?;
                    }
                    continue;
                }
                Some(PacketType::SqlBatch) => match request::decode_sql_batch(&message.payload) {
                    Ok(sql) => Job::Batch(sql),
                    Err(error) => Job::Fail(ServerError::statement(102, format!("Incorrect syntax: {error}"))),
                },
                Some(PacketType::Rpc) => rpc_job(&message.payload),
                _ => Job::Fail(ServerError::statement(
                    40000,
                    format!("The sandbox does not handle TDS messages of type {:#04x}.", message.ty),
                )),
            };
            let (out, mut output) = mpsc::channel(CHUNKS_IN_FLIGHT);
            if jobs.send(Request { job, out }).is_err() {
                return Err(ConnectionError::Closed);
            }
            tokio::time::sleep(shared.options.latency).await;
            while let Some(chunk) = output.recv().await {
                match chunk {
                    Output::Bytes(bytes) => {
                        writer.write_all(&bytes).await?;
                        *bytes_sent += bytes.len() as u64;
                    }
                    Output::End { acknowledged_attention: acked } => {
                        acknowledged_attention = acked;
                        break;
                    }
                    Output::Drop => {
                        writer.flush().await?;
                        writer.shutdown().await?;
                        return Ok(());
                    }
                }
            }
            writer.flush().await?;
        }
        Ok(())
    }
    .await;
    reader_task.abort();
    result
}

fn rpc_job(payload: &[u8]) -> Job {
    let call = match request::parse_rpc(payload) {
        Ok(call) => call,
        Err(error) => return Job::Fail(ServerError::statement(102, format!("Incorrect RPC request: {error}"))),
    };
    match call.procedure {
        Procedure::Id(request::SP_EXECUTESQL) => {}
        Procedure::Name(name) if name.eq_ignore_ascii_case("sp_executesql") => {}
        Procedure::Name(name) => {
            return Job::Fail(ServerError::statement(2812, format!("Could not find stored procedure '{name}'.")));
        }
        Procedure::Id(id) => {
            return Job::Fail(ServerError::statement(
                2812,
                format!("Could not find stored procedure with id {id} (the sandbox knows sp_executesql)."),
            ));
        }
    }
    let mut params = call.params.into_iter();
    let Some(Param { value: Value::Text(sql), .. }) = params.next() else {
        return Job::Fail(ServerError::statement(
            214,
            "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.",
        ));
    };
    // The second parameter declares the others (`@P1 int, …`); their TYPE_INFO already says it.
    let params = params.skip(1).collect();
    Job::Rpc { sql, params }
}

struct WorkerContext {
    packet_size: usize,
    spid: u16,
    attention: Arc<AtomicBool>,
    drop_after_rows: Option<u64>,
    /// The database collation as COLMETADATA carries it.
    collation: [u8; 5],
}

impl WorkerContext {
    /// A writer for the next response of this connection.
    fn writer(&self) -> MessageWriter {
        MessageWriter::new(PacketType::TabularResult, self.packet_size).with_spid(self.spid)
    }
}

fn session_thread(mut session: Session, jobs: &std_mpsc::Receiver<Request>, context: &WorkerContext) {
    for Request { job, out } in jobs {
        let rpc = matches!(job, Job::Rpc { .. });
        let mut sink = TdsSink::new(context, &out, rpc);
        let outcome = match &job {
            Job::Batch(sql) => session.execute_batch(sql, &mut sink),
            Job::Rpc { sql, params } => session.execute_rpc(sql, params, &mut sink),
            Job::Fail(error) => sink.error(error),
        };
        let end = match outcome {
            Ok(()) | Err(Stop::Failed) => sink.finish(),
            Err(Stop::Attention) => sink.acknowledge_attention(),
            Err(Stop::DropConnection) => {
                // Best effort: the connection task may already be gone.
                let _ = out.blocking_send(Output::Drop);
                continue;
            }
            Err(Stop::Disconnected) => continue,
        };
        let acknowledged_attention = matches!(end, Ended::Attention);
        if sink.ship_all().is_ok() {
            let _ = out.blocking_send(Output::End { acknowledged_attention });
        }
    }
}

#[derive(Debug)]
enum Stop {
    Attention,
    /// A value could not be encoded: the error is already in the response.
    Failed,
    DropConnection,
    Disconnected,
}

enum Ended {
    Normal,
    Attention,
}

/// Encodes the engine's results as TDS tokens into packets and ships them in chunks.
struct TdsSink<'a> {
    context: &'a WorkerContext,
    out: &'a mpsc::Sender<Output>,
    rpc: bool,
    writer: MessageWriter,
    columns: Vec<Column>,
    token: Vec<u8>,
    rows_in_result: u64,
    failed: bool,
    final_done_sent: bool,
}

impl<'a> TdsSink<'a> {
    fn new(context: &'a WorkerContext, out: &'a mpsc::Sender<Output>, rpc: bool) -> Self {
        Self {
            context,
            out,
            rpc,
            writer: context.writer(),
            columns: Vec::new(),
            token: Vec::with_capacity(256),
            rows_in_result: 0,
            failed: false,
            final_done_sent: false,
        }
    }

    fn push_token(&mut self) -> Result<(), Stop> {
        self.writer.write(&self.token);
        self.token.clear();
        if self.writer.buffered_len() >= CHUNK_BYTES {
            let bytes = self.writer.take_full_packets();
            self.out.blocking_send(Output::Bytes(bytes)).map_err(|_| Stop::Disconnected)?;
        }
        Ok(())
    }

    /// Closes the response: the final DONE / DONEPROC the engine's statements did not send.
    fn finish(&mut self) -> Ended {
        if self.context.attention.load(Ordering::SeqCst) {
            return self.acknowledge_attention();
        }
        let status = if self.failed { token::DONE_ERROR } else { token::DONE_FINAL };
        if self.rpc {
            token::return_status(&mut self.token, if self.failed { -6 } else { 0 });
            token::done_proc(&mut self.token, status, 0, 0);
        } else if !self.final_done_sent {
            token::done(&mut self.token, status, 0, 0);
        }
        self.writer.write(&self.token);
        self.token.clear();
        Ended::Normal
    }

    fn acknowledge_attention(&mut self) -> Ended {
        token::done(&mut self.token, token::DONE_ATTN, 0, 0);
        self.writer.write(&self.token);
        self.token.clear();
        Ended::Attention
    }

    fn ship_all(&mut self) -> Result<(), Stop> {
        let writer = std::mem::replace(&mut self.writer, self.context.writer());
        self.out.blocking_send(Output::Bytes(writer.finish())).map_err(|_| Stop::Disconnected)
    }
}

impl ResultSink for TdsSink<'_> {
    type Stop = Stop;

    fn columns(&mut self, columns: &[Column]) -> Result<(), Stop> {
        columns.clone_into(&mut self.columns);
        self.rows_in_result = 0;
        if let Err(error) = token::col_metadata(&mut self.token, columns, self.context.collation) {
            self.error(&ServerError::statement(8114, format!("Error describing the result: {error}")))?;
            return Err(Stop::Failed);
        }
        self.push_token()
    }

    fn row(&mut self, values: &[Value]) -> Result<(), Stop> {
        if self.context.attention.load(Ordering::Relaxed) {
            return Err(Stop::Attention);
        }
        if let Err(error) = token::row(&mut self.token, &self.columns, values) {
            self.token.clear();
            self.error(&ServerError::statement(8114, format!("Error converting data: {error}")))?;
            return Err(Stop::Failed);
        }
        self.push_token()?;
        self.rows_in_result += 1;
        if self.context.drop_after_rows.is_some_and(|limit| self.rows_in_result >= limit) {
            // Every row so far reaches the client, whatever the packet size; the message never ends.
            let bytes = std::mem::replace(&mut self.writer, self.context.writer()).abandon();
            self.out.blocking_send(Output::Bytes(bytes)).map_err(|_| Stop::Disconnected)?;
            return Err(Stop::DropConnection);
        }
        Ok(())
    }

    fn done(&mut self, rowcount: Option<u64>, more: bool) -> Result<(), Stop> {
        let mut status = if rowcount.is_some() { token::DONE_COUNT } else { 0 };
        // python-tds needs DONE_MORE on every DONEINPROC of a procedure call (DESIGN §6).
        if more || self.rpc {
            status |= token::DONE_MORE;
        }
        let curcmd = if rowcount.is_some() { 0xC1 } else { 0 };
        if self.rpc {
            token::done_in_proc(&mut self.token, status, curcmd, rowcount.unwrap_or(0));
        } else {
            token::done(&mut self.token, status, curcmd, rowcount.unwrap_or(0));
            self.final_done_sent = !more;
        }
        self.push_token()
    }

    fn error(&mut self, error: &ServerError) -> Result<(), Stop> {
        self.failed = true;
        token::error(&mut self.token, error, SERVER_NAME, 1);
        self.push_token()
    }
}

/// The connection's byte stream: plain TCP, or TLS over TCP after a PRELOGIN-wrapped handshake.
enum Transport {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<PreloginWrapper<TcpStream>>>),
    /// TDS 8.0 strict: TLS straight on TCP.
    Strict(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl AsyncRead for Transport {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => std::pin::Pin::new(stream).poll_read(cx, buf),
            Self::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_read(cx, buf),
            Self::Strict(stream) => std::pin::Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(stream) => std::pin::Pin::new(stream).poll_write(cx, data),
            Self::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_write(cx, data),
            Self::Strict(stream) => std::pin::Pin::new(stream.as_mut()).poll_write(cx, data),
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => std::pin::Pin::new(stream).poll_flush(cx),
            Self::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_flush(cx),
            Self::Strict(stream) => std::pin::Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => std::pin::Pin::new(stream).poll_shutdown(cx),
            Self::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_shutdown(cx),
            Self::Strict(stream) => std::pin::Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_sql_server() {
        use Encryption::{NotSupported, Off, On, Required};
        assert_eq!(negotiate(TlsMode::Auto, Off), (Off, TlsUse::LoginOnly));
        assert_eq!(negotiate(TlsMode::Auto, On), (On, TlsUse::Full));
        assert_eq!(negotiate(TlsMode::Auto, NotSupported), (NotSupported, TlsUse::None));
        assert_eq!(negotiate(TlsMode::Off, On), (NotSupported, TlsUse::None));
        assert_eq!(negotiate(TlsMode::LoginOnly, On), (Off, TlsUse::LoginOnly));
        assert_eq!(negotiate(TlsMode::Required, Off), (Required, TlsUse::Full));
        assert_eq!(negotiate(TlsMode::Required, On), (On, TlsUse::Full));
    }

    #[test]
    fn packet_size_is_clamped() {
        assert_eq!(negotiated_packet_size(0), 4096);
        assert_eq!(negotiated_packet_size(8192), 8192);
        assert_eq!(negotiated_packet_size(100), 512);
        assert_eq!(negotiated_packet_size(100_000), 32767);
    }
}
