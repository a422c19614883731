//! TLS for TDS 7.x: the handshake travels inside PRELOGIN packets, then TLS runs raw over TCP.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::SandboxError;
use super::protocol::packet::{self, DEFAULT_PACKET_SIZE, HEADER_LEN, PacketHeader, PacketType};

/// The server's certificate chain and key, generated or loaded, plus its PEM for `--cert-out`.
pub struct Identity {
    pub config: Arc<ServerConfig>,
    /// TDS 8.0 strict: TLS 1.2 or 1.3 on the raw TCP stream, ALPN `tds/8.0`.
    pub strict: Arc<ServerConfig>,
    pub cert_pem: String,
}

impl Identity {
    /// A self-signed certificate for `localhost` and `127.0.0.1`, made fresh at each start.
    pub fn self_signed() -> Result<Self, SandboxError> {
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
        let certified = rcgen::generate_simple_self_signed(names)
            .map_err(|e| SandboxError::Tls(format!("génération du certificat : {e}")))?;
        let cert_pem = certified.cert.pem();
        let key = PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let (config, strict) = server_config(vec![certified.cert.der().clone()], key)?;
        Ok(Self { config, strict, cert_pem })
    }

    /// A certificate chain and private key read from PEM files.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, SandboxError> {
        let cert_pem = std::fs::read_to_string(cert).map_err(|e| SandboxError::Io(cert.display().to_string(), e))?;
        let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SandboxError::Tls(format!("{} : certificat PEM illisible ({e})", cert.display())))?;
        if chain.is_empty() {
            return Err(SandboxError::Tls(format!("{} : aucun certificat PEM", cert.display())));
        }
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| SandboxError::Tls(format!("{} : clé privée PEM illisible ({e})", key.display())))?;
        let (config, strict) = server_config(chain, key)?;
        Ok(Self { config, strict, cert_pem })
    }
}

/// The ALPN protocol of TDS 8.0 (MS-TDS 2.2.1: "tds/8.0").
pub const TDS8_ALPN: &[u8] = b"tds/8.0";

/// The PRELOGIN-wrapped configuration of TDS 7.x, and the strict one of TDS 8.0.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<(Arc<ServerConfig>, Arc<ServerConfig>), SandboxError> {
    // Strict: nothing but TLS on the stream, so TLS 1.3 is fine; TLS 1.2 for clients that stop there
    // (tiberius-ng with rustls offers only 1.2).
    let mut strict = ServerConfig::builder_with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .with_no_client_auth()
        .with_single_cert(chain.clone(), key.clone_key())
        .map_err(|e| SandboxError::Tls(format!("certificat refusé : {e}")))?;
    strict.alpn_protocols = vec![TDS8_ALPN.to_vec()];
    // TLS 1.2 only: with 1.3 the server reads ahead into LOGIN7 and sends session tickets, which
    // break login-only encryption, and FreeTDS/GnuTLS fails outright (measured, DESIGN §6).
    let config = ServerConfig::builder_with_protocol_versions(&[&rustls::version::TLS12])
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| SandboxError::Tls(format!("certificat refusé : {e}")))?;
    Ok((Arc::new(config), Arc::new(strict)))
}

/// Carries TLS handshake records inside PRELOGIN packets until the handshake is over, then
/// passes bytes through untouched.
pub struct PreloginWrapper<S> {
    inner: S,
    handshake_done: bool,
    header: [u8; HEADER_LEN],
    header_filled: usize,
    payload_left: usize,
    scratch: Vec<u8>,
    outgoing: Vec<u8>,
    pending: Vec<u8>,
    pending_pos: usize,
}

impl<S> PreloginWrapper<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            handshake_done: false,
            header: [0; HEADER_LEN],
            header_filled: 0,
            payload_left: 0,
            scratch: Vec::new(),
            outgoing: Vec::new(),
            pending: Vec::new(),
            pending_pos: 0,
        }
    }

    pub fn handshake_complete(&mut self) {
        self.handshake_done = true;
    }

    pub fn into_inner(self) -> S {
        self.inner
    }

    /// Turns the bytes written so far into PRELOGIN packets (TDS 7.x wraps every handshake
    /// record in them), ready to send.
    fn frame_outgoing(&mut self) {
        self.pending.extend_from_slice(&packet::frame(PacketType::PreLogin, &self.outgoing, DEFAULT_PACKET_SIZE));
        self.outgoing.clear();
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for PreloginWrapper<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.handshake_done {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        while this.payload_left == 0 {
            let mut header = ReadBuf::new(&mut this.header[this.header_filled..]);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut header))?;
            let read = header.filled().len();
            if read == 0 {
                return Poll::Ready(Ok(()));
            }
            this.header_filled += read;
            if this.header_filled == HEADER_LEN {
                this.header_filled = 0;
                let header = PacketHeader::parse(this.header)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                if header.ty != u8::from(PacketType::PreLogin) {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("paquet TDS {:#04x} reçu pendant la négociation TLS", header.ty),
                    )));
                }
                this.payload_left = usize::from(header.length) - HEADER_LEN;
            }
        }
        // Never hand TLS more than the current packet's payload: the next header must stay ours.
        let limit = this.payload_left.min(buf.remaining());
        this.scratch.resize(limit, 0);
        let mut limited = ReadBuf::new(&mut this.scratch);
        ready!(Pin::new(&mut this.inner).poll_read(cx, &mut limited))?;
        let read = limited.filled().len();
        buf.put_slice(&this.scratch[..read]);
        this.payload_left -= read;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for PreloginWrapper<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.handshake_done {
            return Pin::new(&mut this.inner).poll_write(cx, data);
        }
        this.outgoing.extend_from_slice(data);
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.outgoing.is_empty() {
            this.frame_outgoing();
        }
        while this.pending_pos < this.pending.len() {
            let written = ready!(Pin::new(&mut this.inner).poll_write(cx, &this.pending[this.pending_pos..]))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            this.pending_pos += written;
        }
        this.pending.clear();
        this.pending_pos = 0;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
