//! SQL Server Browser responder (SSRP, [MC-SQLR]) for the sandbox's one instance.
//!
//! Batigest installs as the named instance `HOST\SAGEBAT`: clients first ask the SQL Server
//! Browser (UDP 1434) which TCP port that instance listens on. This responder answers those
//! questions so that the product's named-instance path can be exercised against the sandbox.
//!
//! Only what clients use is implemented: `CLNT_UCAST_INST` (one instance by name) and
//! `CLNT_BCAST_EX` / `CLNT_UCAST_EX` (every instance). A request for an unknown instance gets
//! no answer at all, as the real service does: clients then time out, which is the behaviour
//! the product must cope with. Every other datagram (including DAC requests) is ignored.

use std::io;

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::protocol::SERVER_PRODUCT_VERSION;

/// `CLNT_BCAST_EX`: broadcast request for every instance.
const CLNT_BCAST_EX: u8 = 0x02;
/// `CLNT_UCAST_EX`: unicast request for every instance of one host.
const CLNT_UCAST_EX: u8 = 0x03;
/// `CLNT_UCAST_INST`: unicast request for one named instance.
const CLNT_UCAST_INST: u8 = 0x04;
/// `SVR_RESP`: the server's answer.
const SVR_RESP: u8 = 0x05;

/// Largest request worth reading: an instance name is at most 32 bytes (MBCS) plus the opcode.
/// A larger buffer only guards against truncation surprises from odd clients.
const RECV_BUF_LEN: usize = 1024;

/// The `SVR_RESP` datagram describing the instance: opcode, data length (u16 little-endian),
/// then the semicolon-separated record, without a trailing NUL.
#[must_use]
pub fn response(instance: &str, tcp_port: u16, server_name: &str) -> Vec<u8> {
    let data = format!(
        "ServerName;{server_name};InstanceName;{instance};IsClustered;No;Version;{SERVER_PRODUCT_VERSION};tcp;{tcp_port};;"
    );
    // RESP_SIZE is a u16: names are short in practice, but never emit a length that lies.
    let len = data.len().min(usize::from(u16::MAX));
    let mut out = Vec::with_capacity(3 + len);
    out.push(SVR_RESP);
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&data.as_bytes()[..len]);
    out
}

/// Whether a request datagram deserves the instance record.
fn wants_answer(request: &[u8], instance: &str) -> bool {
    match request.split_first() {
        Some((&(CLNT_BCAST_EX | CLNT_UCAST_EX), _)) => true,
        Some((&CLNT_UCAST_INST, name)) => {
            // The name may or may not be NUL-terminated depending on the client.
            let name = name.split(|&b| b == 0).next().unwrap_or_default();
            name.eq_ignore_ascii_case(instance.as_bytes())
        }
        _ => false,
    }
}

/// Answers SSRP requests on `socket` for one instance until `shutdown` becomes `true` (or its
/// sender is dropped).
///
/// Transient receive errors are skipped: on Windows a previous reply to a closed client port
/// surfaces as `ConnectionReset` on the next receive, which must not stop the responder.
/// Send failures are ignored for the same reason: a reply is best effort, as UDP itself.
pub async fn serve(
    socket: UdpSocket,
    instance: String,
    tcp_port: u16,
    server_name: String,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let reply = response(&instance, tcp_port, &server_name);
    let mut buf = vec![0u8; RECV_BUF_LEN];
    loop {
        if *shutdown.borrow_and_update() {
            return Ok(());
        }
        tokio::select! {
            changed = shutdown.changed() => {
                // A dropped sender can never say "stop" again: treat it as a stop rather than
                // spin on an always-ready `changed()`.
                if changed.is_err() {
                    return Ok(());
                }
            }
            received = socket.recv_from(&mut buf) => match received {
                Ok((len, peer)) => {
                    if wants_answer(&buf[..len], &instance) {
                        let _ = socket.send_to(&reply, peer).await;
                    }
                }
                Err(e) if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::Interrupted
                        | io::ErrorKind::WouldBlock
                ) => {}
                Err(e) => return Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const EXPECTED: &[u8] = b"ServerName;HOST;InstanceName;SAGEBAT;IsClustered;No;Version;15.0.2000.5;tcp;14330;;";

    #[test]
    fn response_layout() {
        let r = response("SAGEBAT", 14330, "HOST");
        assert_eq!(r[0], 0x05);
        assert_eq!(usize::from(u16::from_le_bytes([r[1], r[2]])), EXPECTED.len());
        assert_eq!(&r[3..], EXPECTED);
    }

    #[test]
    fn request_matching() {
        assert!(wants_answer(b"\x04SAGEBAT", "SAGEBAT"));
        assert!(wants_answer(b"\x04sagebat\0", "SAGEBAT"));
        assert!(wants_answer(b"\x02", "SAGEBAT"));
        assert!(wants_answer(b"\x03", "SAGEBAT"));
        assert!(!wants_answer(b"\x04OTHER", "SAGEBAT"));
        assert!(!wants_answer(b"\x04SAGEBATX", "SAGEBAT"));
        assert!(!wants_answer(b"\x0f\x01SAGEBAT", "SAGEBAT"));
        assert!(!wants_answer(b"", "SAGEBAT"));
    }

    async fn ask(client: &UdpSocket, server: std::net::SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
        client.send_to(request, server).await.unwrap();
        let mut buf = [0u8; 2048];
        match tokio::time::timeout(Duration::from_millis(300), client.recv_from(&mut buf)).await {
            Ok(Ok((n, _))) => Some(buf[..n].to_vec()),
            Ok(Err(e)) => panic!("recv failed: {e}"),
            Err(_) => None,
        }
    }

    #[tokio::test]
    async fn udp_round_trip() {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(socket, "SAGEBAT".into(), 14330, "HOST".into(), stopped));

        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let expected = response("SAGEBAT", 14330, "HOST");
        assert_eq!(ask(&client, server, b"\x04SAGEBAT\0").await.as_deref(), Some(&expected[..]));
        assert_eq!(ask(&client, server, b"\x04Sagebat").await.as_deref(), Some(&expected[..]));
        assert_eq!(ask(&client, server, b"\x03").await.as_deref(), Some(&expected[..]));
        assert_eq!(ask(&client, server, b"\x04NOPE\0").await, None);
        assert_eq!(ask(&client, server, b"garbage").await, None);
        // Still alive after ignored requests.
        assert_eq!(ask(&client, server, b"\x02").await.as_deref(), Some(&expected[..]));

        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(2), task).await.unwrap().unwrap().unwrap();
    }

    #[tokio::test]
    async fn dropped_sender_stops() {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(socket, "SAGEBAT".into(), 1, "HOST".into(), stopped));
        drop(stop);
        tokio::time::timeout(Duration::from_secs(2), task).await.unwrap().unwrap().unwrap();
    }
}
