//! TDS packets: the 8-byte header, reassembly of client messages, and splitting of server messages.

use tokio::io::{AsyncRead, AsyncReadExt};

use super::ProtocolError;

pub const HEADER_LEN: usize = 8;
/// Status bit marking the last packet of a message.
pub const STATUS_EOM: u8 = 0x01;
pub const DEFAULT_PACKET_SIZE: usize = 4096;
/// Bounds of the packet size a client may negotiate in LOGIN7.
pub const MIN_PACKET_SIZE: usize = 512;
pub const MAX_PACKET_SIZE: usize = 32767;
/// Largest packet accepted on read: one byte over the negotiable maximum, so that a client
/// rounding its buffer to 32 KiB is not cut off, while still refusing nonsense lengths.
const MAX_READ_PACKET_LEN: usize = 32768;
/// Cap on a reassembled client message: the sandbox never needs more, and an endless chain of
/// non-final packets must not exhaust memory.
pub const MAX_MESSAGE_LEN: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum PacketType {
    SqlBatch = 0x01,
    Rpc = 0x03,
    TabularResult = 0x04,
    Attention = 0x06,
    BulkLoad = 0x07,
    TransactionManager = 0x0E,
    Login7 = 0x10,
    Sspi = 0x11,
    PreLogin = 0x12,
}

impl PacketType {
    #[must_use]
    pub fn from_u8(byte: u8) -> Option<Self> {
        Some(match byte {
            0x01 => Self::SqlBatch,
            0x03 => Self::Rpc,
            0x04 => Self::TabularResult,
            0x06 => Self::Attention,
            0x07 => Self::BulkLoad,
            0x0E => Self::TransactionManager,
            0x10 => Self::Login7,
            0x11 => Self::Sspi,
            0x12 => Self::PreLogin,
            _ => return None,
        })
    }
}

impl From<PacketType> for u8 {
    fn from(ty: PacketType) -> Self {
        ty as u8
    }
}

/// The 8-byte packet header. Length and SPID are big-endian, unlike almost everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketHeader {
    pub ty: u8,
    pub status: u8,
    /// Whole packet length, header included.
    pub length: u16,
    pub spid: u16,
    pub packet_id: u8,
    pub window: u8,
}

impl PacketHeader {
    pub fn parse(bytes: [u8; HEADER_LEN]) -> Result<Self, ProtocolError> {
        let header = Self {
            ty: bytes[0],
            status: bytes[1],
            length: u16::from_be_bytes([bytes[2], bytes[3]]),
            spid: u16::from_be_bytes([bytes[4], bytes[5]]),
            packet_id: bytes[6],
            window: bytes[7],
        };
        let length = usize::from(header.length);
        if !(HEADER_LEN..=MAX_READ_PACKET_LEN).contains(&length) {
            return Err(ProtocolError::malformed(
                "packet header",
                format!("length {length} outside {HEADER_LEN}..={MAX_READ_PACKET_LEN}"),
            ));
        }
        Ok(header)
    }

    #[must_use]
    pub fn to_bytes(self) -> [u8; HEADER_LEN] {
        let [len_hi, len_lo] = self.length.to_be_bytes();
        let [spid_hi, spid_lo] = self.spid.to_be_bytes();
        [self.ty, self.status, len_hi, len_lo, spid_hi, spid_lo, self.packet_id, self.window]
    }

    #[must_use]
    pub fn is_eom(self) -> bool {
        self.status & STATUS_EOM != 0
    }
}

/// One packet as read from the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub header: PacketHeader,
    pub body: Vec<u8>,
}

/// A whole client message: the bodies of its packets up to and including the EOM one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub ty: u8,
    pub payload: Vec<u8>,
}

impl Message {
    #[must_use]
    pub fn packet_type(&self) -> Option<PacketType> {
        PacketType::from_u8(self.ty)
    }
}

/// Reads one packet; `Ok(None)` if the peer closed the connection cleanly before its first byte.
/// Exposed on its own because the TLS handshake travels in PRELOGIN packets one flight at a time.
pub async fn read_packet<R: AsyncRead + Unpin>(r: &mut R) -> Result<Option<Packet>, ProtocolError> {
    let mut head = [0u8; HEADER_LEN];
    let mut filled = 0;
    while filled < HEADER_LEN {
        let n = r.read(&mut head[filled..]).await?;
        if n == 0 {
            if filled == 0 {
                return Ok(None);
            }
            return Err(ProtocolError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        filled += n;
    }
    let header = PacketHeader::parse(head)?;
    let mut body = vec![0; usize::from(header.length) - HEADER_LEN];
    r.read_exact(&mut body).await?;
    Ok(Some(Packet { header, body }))
}

/// Reads packets until one carries EOM and returns their concatenated bodies.
/// `Ok(None)` on a clean EOF between messages; EOF inside a message is an I/O error.
pub async fn read_message<R: AsyncRead + Unpin>(r: &mut R) -> Result<Option<Message>, ProtocolError> {
    let Some(first) = read_packet(r).await? else {
        return Ok(None);
    };
    let ty = first.header.ty;
    let mut eom = first.header.is_eom();
    let mut payload = first.body;
    while !eom {
        let Some(next) = read_packet(r).await? else {
            return Err(ProtocolError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        };
        if next.header.ty != ty {
            return Err(ProtocolError::malformed(
                "packet sequence",
                format!("packet of type 0x{:02X} inside a message of type 0x{ty:02X}", next.header.ty),
            ));
        }
        if payload.len() + next.body.len() > MAX_MESSAGE_LEN {
            return Err(ProtocolError::malformed(
                "packet sequence",
                format!("message longer than {MAX_MESSAGE_LEN} bytes"),
            ));
        }
        payload.extend_from_slice(&next.body);
        eom = next.header.is_eom();
    }
    Ok(Some(Message { ty, payload }))
}

/// Splits one server message into packets as it is produced, so a large result set can be shipped
/// while later rows are still being encoded.
#[derive(Debug)]
pub struct MessageWriter {
    ty: u8,
    body_max: usize,
    spid: u16,
    next_id: u8,
    pending: Vec<u8>,
}

impl MessageWriter {
    /// `packet_size` is the negotiated size, header included; out-of-range values are clamped
    /// to what a client can accept.
    #[must_use]
    pub fn new(ty: PacketType, packet_size: usize) -> Self {
        let packet_size = packet_size.clamp(MIN_PACKET_SIZE, MAX_PACKET_SIZE);
        Self { ty: ty.into(), body_max: packet_size - HEADER_LEN, spid: 0, next_id: 1, pending: Vec::new() }
    }

    /// Session id stamped in every header (clients only display it; the default is 0).
    #[must_use]
    pub fn with_spid(mut self, spid: u16) -> Self {
        self.spid = spid;
        self
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// Bytes written and not yet taken: what a caller watches to ship in chunks.
    #[must_use]
    pub fn buffered_len(&self) -> usize {
        self.pending.len()
    }

    /// Bytes of every complete packet so far. At least one byte is always held back: only
    /// `finish` knows which packet is last, and an empty EOM packet after a full one is
    /// something clients need not expect.
    pub fn take_full_packets(&mut self) -> Vec<u8> {
        let full = self.pending.len().saturating_sub(1) / self.body_max;
        let ready = full * self.body_max;
        let mut out = Vec::with_capacity(ready + full * HEADER_LEN);
        for chunk in self.pending[..ready].chunks(self.body_max) {
            push_packet(&mut out, self.ty, 0, self.spid, self.next_id, chunk);
            self.next_id = self.next_id.wrapping_add(1);
        }
        self.pending.drain(..ready);
        out
    }

    /// Everything written so far as packets none of which is flagged EOM: what a server that
    /// dies mid-result has put on the wire. The message stays unfinished for the client.
    #[must_use]
    pub fn abandon(mut self) -> Vec<u8> {
        let mut out = self.take_full_packets();
        if !self.pending.is_empty() {
            push_packet(&mut out, self.ty, 0, self.spid, self.next_id, &self.pending);
        }
        out
    }

    /// The remaining bytes as the final packet(s), the last one flagged EOM.
    #[must_use]
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = self.take_full_packets();
        push_packet(&mut out, self.ty, STATUS_EOM, self.spid, self.next_id, &self.pending);
        out
    }
}

fn push_packet(out: &mut Vec<u8>, ty: u8, status: u8, spid: u16, packet_id: u8, body: &[u8]) {
    let header = PacketHeader {
        ty,
        status,
        // The writer's body_max keeps every packet within MAX_PACKET_SIZE.
        length: (HEADER_LEN + body.len()) as u16,
        spid,
        packet_id,
        window: 0,
    };
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(body);
}

/// A whole small message framed at once.
#[must_use]
pub fn frame(ty: PacketType, payload: &[u8], packet_size: usize) -> Vec<u8> {
    let mut writer = MessageWriter::new(ty, packet_size);
    writer.write(payload);
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    /// Splits a stream of packets back into (header, body) pairs.
    fn split(mut bytes: &[u8]) -> Vec<(PacketHeader, Vec<u8>)> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let header = PacketHeader::parse(bytes[..8].try_into().unwrap()).unwrap();
            let len = usize::from(header.length);
            out.push((header, bytes[8..len].to_vec()));
            bytes = &bytes[len..];
        }
        out
    }

    #[test]
    fn abandon_sends_everything_without_eom() {
        let mut w = MessageWriter::new(PacketType::TabularResult, 512);
        w.write(&[7; 600]);
        let bytes = w.abandon();
        assert_eq!(bytes.len(), 600 + 2 * HEADER_LEN);
        assert_eq!((bytes[1], bytes[512 + 1]), (0, 0), "no packet is the last one");
    }

    #[test]
    fn header_layout_is_big_endian() {
        let bytes = [0x12, 0x01, 0x00, 0x2F, 0x00, 0x35, 0x01, 0x00];
        let h = PacketHeader::parse(bytes).unwrap();
        assert_eq!((h.ty, h.length, h.spid, h.packet_id), (0x12, 0x2F, 0x35, 1));
        assert!(h.is_eom());
        assert_eq!(h.to_bytes(), bytes);
        assert_eq!(PacketType::from_u8(h.ty), Some(PacketType::PreLogin));
        assert_eq!(PacketType::from_u8(0x02), None);
        assert!(PacketHeader::parse([1, 1, 0, 7, 0, 0, 1, 0]).is_err());
        assert!(PacketHeader::parse([1, 1, 0x80, 0x01, 0, 0, 1, 0]).is_err());
    }

    #[test]
    fn reads_a_message_split_over_packets() {
        let mut wire = vec![0x01, 0x00, 0x00, 0x0A, 0, 0, 1, 0, b'a', 0];
        wire.extend([0x01, 0x01, 0x00, 0x0A, 0, 0, 2, 0, b'b', 0]);
        wire.extend([0x06, 0x01, 0x00, 0x08, 0, 0, 1, 0]);
        let mut r = wire.as_slice();
        let m = block_on(read_message(&mut r)).unwrap().unwrap();
        assert_eq!(m, Message { ty: 0x01, payload: vec![b'a', 0, b'b', 0] });
        assert_eq!(m.packet_type(), Some(PacketType::SqlBatch));
        let attention = block_on(read_message(&mut r)).unwrap().unwrap();
        assert_eq!((attention.ty, attention.payload.len()), (0x06, 0));
        assert!(block_on(read_message(&mut r)).unwrap().is_none(), "clean EOF");
    }

    #[test]
    fn eof_or_type_change_inside_a_message_is_an_error() {
        let mut r: &[u8] = &[0x01, 0x00, 0x00, 0x0A, 0, 0, 1, 0, b'a', 0];
        assert!(matches!(block_on(read_message(&mut r)), Err(ProtocolError::Io(_))));
        let mut r: &[u8] = &[0x01, 0x01, 0x00, 0x0A, 0, 0, 1];
        assert!(matches!(block_on(read_message(&mut r)), Err(ProtocolError::Io(_))));
        let mut r: &[u8] = &[0x01, 0x01, 0x00, 0x0A, 0, 0, 1, 0, b'a'];
        assert!(matches!(block_on(read_message(&mut r)), Err(ProtocolError::Io(_))));
        let mut wire = vec![0x01, 0x00, 0x00, 0x08, 0, 0, 1, 0];
        wire.extend([0x03, 0x01, 0x00, 0x08, 0, 0, 2, 0]);
        let err = block_on(read_message(&mut wire.as_slice())).unwrap_err();
        assert!(matches!(err, ProtocolError::Malformed { .. }), "{err}");
    }

    #[test]
    fn empty_message_is_one_eom_header() {
        assert_eq!(frame(PacketType::TabularResult, &[], 4096), [0x04, 0x01, 0x00, 0x08, 0, 0, 1, 0]);
    }

    #[test]
    fn writer_streams_full_packets_and_ends_with_eom() {
        // 512-byte packets carry 504 body bytes.
        let mut w = MessageWriter::new(PacketType::TabularResult, 512).with_spid(0x0033);
        w.write(&[7; 504]);
        assert!(w.take_full_packets().is_empty(), "a possibly-last packet is held back");
        w.write(&[8; 600]);
        let first = w.take_full_packets();
        let packets = split(&first);
        assert_eq!(packets.len(), 2);
        assert!(packets.iter().all(|(h, b)| h.status == 0 && h.length == 512 && b.len() == 504));
        assert_eq!((packets[0].0.packet_id, packets[1].0.packet_id), (1, 2));
        assert_eq!(packets[0].0.spid, 0x33);
        let rest = split(&w.finish());
        assert_eq!(rest.len(), 1);
        assert_eq!((rest[0].0.status, rest[0].0.packet_id, rest[0].1.len()), (STATUS_EOM, 3, 96));
        let all: Vec<u8> = packets.into_iter().chain(rest).flat_map(|(_, b)| b).collect();
        assert_eq!(all.len(), 1104);
        assert!(all[..504].iter().all(|&b| b == 7) && all[504..].iter().all(|&b| b == 8));
    }

    #[test]
    fn writer_clamps_size_and_wraps_packet_ids() {
        let bytes = frame(PacketType::TabularResult, &vec![1; 504 * 300], 100);
        let packets = split(&bytes);
        assert_eq!(packets.len(), 300);
        assert_eq!(packets[254].0.packet_id, 255);
        assert_eq!(packets[255].0.packet_id, 0);
        assert!(packets[..299].iter().all(|(h, _)| h.status == 0));
        assert!(packets[299].0.is_eom());
        assert_eq!(split(&frame(PacketType::TabularResult, &vec![0; 40000], 65535)).len(), 2);
    }

    #[test]
    fn written_packets_read_back() {
        let payload: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let bytes = frame(PacketType::SqlBatch, &payload, 4096);
        let m = block_on(read_message(&mut bytes.as_slice())).unwrap().unwrap();
        assert_eq!(m.payload, payload);
    }
}
