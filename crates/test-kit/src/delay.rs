//! A TCP delay proxy that makes a local registry behave like one across a real network.
//!
//! Every chunk of bytes, in each direction, is delivered `delay` after the proxy read it
//! (a per-direction queue, so data sent at `t` arrives at `t + delay` and the stream keeps its
//! order without being serialised any longer than that). A new connection costs one extra
//! round trip, as a TCP handshake does: the first byte a client sends reaches the upstream no
//! earlier than `accept + 3 × delay` (SYN/SYN-ACK, then the data's own one-way trip).
//!
//! The proxy counts connections and, by following HTTP/1.1 framing on the client → server
//! side (`Content-Length` and `chunked` bodies), requests. Only loopback upstreams are
//! accepted.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// A connection idle (no byte either way) this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// How long connecting to the upstream may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this many request lines are kept between two [`DelayProxy::reset`]s.
pub const MAX_LOGGED_REQUESTS: usize = 10_000;

/// Counters since the last [`DelayProxy::reset`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    /// TCP connections accepted.
    pub connections: u64,
    /// HTTP requests seen (request lines on the client → server side).
    pub requests: u64,
    /// Bytes client → server.
    pub bytes_up: u64,
    /// Bytes server → client.
    pub bytes_down: u64,
}

#[derive(Default)]
struct Stats {
    connections: AtomicU64,
    requests: AtomicU64,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    /// `(time read, connection number, request line or "connect")` in the order the proxy
    /// saw them.
    log: Mutex<Vec<(Instant, u64, String)>>,
    /// When the counters were last reset.
    since: Mutex<Option<Instant>>,
}

impl Stats {
    fn record(&self, conn_no: u64, what: String) {
        if let Ok(mut l) = self.log.lock() {
            if l.len() < MAX_LOGGED_REQUESTS {
                l.push((Instant::now(), conn_no, what));
            }
        }
    }
}

/// A running delay proxy. The accept loop stops when it is dropped (open connections finish
/// on their own or by [`IDLE_TIMEOUT`]).
pub struct DelayProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    delay_us: Arc<AtomicU64>,
    stats: Arc<Stats>,
    accept: JoinHandle<()>,
}

impl std::fmt::Debug for DelayProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DelayProxy")
            .field("addr", &self.addr)
            .field("upstream", &self.upstream)
            .field("delay", &self.delay())
            .finish()
    }
}

impl DelayProxy {
    /// Listen on `127.0.0.1:<free port>` and forward to `upstream` (which must be a loopback
    /// address) with `delay` one way. Must be called inside a tokio runtime.
    pub async fn start(upstream: SocketAddr, delay: Duration) -> io::Result<DelayProxy> {
        if !upstream.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("delay proxy: upstream {upstream} is not a loopback address; only 127.0.0.0/8 and ::1 are allowed"),
            ));
        }
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("delay proxy: cannot listen on 127.0.0.1: {e}"),
            )
        })?;
        let addr = listener.local_addr()?;
        let delay_us = Arc::new(AtomicU64::new(micros(delay)));
        let stats = Arc::new(Stats::default());
        let accept = tokio::spawn(accept_loop(
            listener,
            upstream,
            Arc::clone(&delay_us),
            Arc::clone(&stats),
        ));
        Ok(DelayProxy {
            addr,
            upstream,
            delay_us,
            stats,
            accept,
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT` of the proxy, for image references.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.addr.port())
    }

    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    /// The one-way delay new chunks get (connections already open pick the change up for
    /// their next chunk; a connection's handshake uses the delay at accept time).
    pub fn set_delay(&self, delay: Duration) {
        self.delay_us.store(micros(delay), Ordering::Relaxed);
    }

    pub fn delay(&self) -> Duration {
        Duration::from_micros(self.delay_us.load(Ordering::Relaxed))
    }

    /// The counters since the last reset.
    pub fn counters(&self) -> Counters {
        Counters {
            connections: self.stats.connections.load(Ordering::Relaxed),
            requests: self.stats.requests.load(Ordering::Relaxed),
            bytes_up: self.stats.bytes_up.load(Ordering::Relaxed),
            bytes_down: self.stats.bytes_down.load(Ordering::Relaxed),
        }
    }

    /// Connections and request lines seen since the last reset, as
    /// `+<ms since reset> #<connection> <METHOD> <target>` (or `… #<connection> connect`),
    /// timed when the client sent them.
    pub fn request_log(&self) -> Vec<String> {
        let since = self.stats.since.lock().ok().and_then(|s| *s);
        match self.stats.log.lock() {
            Ok(l) => l
                .iter()
                .map(|(t, c, r)| {
                    let ms = since.map_or(0.0, |s| {
                        t.saturating_duration_since(s).as_secs_f64() * 1000.0
                    });
                    format!("+{ms:.0}ms #{c} {r}")
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Zero the counters and the request log.
    pub fn reset(&self) {
        self.stats.connections.store(0, Ordering::Relaxed);
        self.stats.requests.store(0, Ordering::Relaxed);
        self.stats.bytes_up.store(0, Ordering::Relaxed);
        self.stats.bytes_down.store(0, Ordering::Relaxed);
        if let Ok(mut l) = self.stats.log.lock() {
            l.clear();
        }
        if let Ok(mut s) = self.stats.since.lock() {
            *s = Some(Instant::now());
        }
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    delay_us: Arc<AtomicU64>,
    stats: Arc<Stats>,
) {
    let mut conn_no = 0u64;
    loop {
        let Ok((client, _)) = listener.accept().await else {
            // Out of descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let accepted = Instant::now();
        conn_no += 1;
        stats.connections.fetch_add(1, Ordering::Relaxed);
        stats.record(conn_no, "connect".into());
        let _ = client.set_nodelay(true);
        tokio::spawn(handle(
            client,
            upstream,
            accepted,
            conn_no,
            Arc::clone(&delay_us),
            Arc::clone(&stats),
        ));
    }
}

/// One queued chunk: deliver `data` (or, for `None`, the end of the stream) at `at`.
type Chunk = (Instant, Option<Vec<u8>>);

/// A connection accepted at `accepted` with one-way delay `d`: when the proxy connects to the
/// upstream (after the SYN / SYN-ACK round trip, `2 d`) and the earliest a byte of the client
/// reaches the upstream (that, plus its own one-way trip: `3 d`).
fn handshake(accepted: Instant, d: Duration) -> (Instant, Instant) {
    (accepted + 2 * d, accepted + 3 * d)
}

/// When a chunk read at `read_at` is delivered: one delay `d` later, and never before
/// `earliest` (the client → server side of a connection still in its handshake).
fn deliver_at(read_at: Instant, d: Duration, earliest: Option<Instant>) -> Instant {
    let at = read_at + d;
    earliest.map_or(at, |e| at.max(e))
}

async fn handle(
    client: TcpStream,
    upstream: SocketAddr,
    accepted: Instant,
    conn_no: u64,
    delay_us: Arc<AtomicU64>,
    stats: Arc<Stats>,
) {
    let d = Duration::from_micros(delay_us.load(Ordering::Relaxed));
    let (client_r, client_w) = client.into_split();
    // Read the client right away (timestamps must be when the client sent), but deliver
    // nothing before the handshake's round trip plus the data's own one-way delay.
    let (up_tx, up_rx) = mpsc::unbounded_channel::<Chunk>();
    let (connect_at, earliest_up) = handshake(accepted, d);
    let reader_up = tokio::spawn(read_side(
        client_r,
        up_tx,
        Arc::clone(&delay_us),
        Some(earliest_up),
        Some((conn_no, Arc::clone(&stats))),
        Arc::clone(&stats),
        true,
    ));
    tokio::time::sleep_until(connect_at).await;
    let server = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(upstream)).await {
        Ok(Ok(s)) => s,
        _ => {
            reader_up.abort();
            return; // dropping client_w closes the client's connection
        }
    };
    let _ = server.set_nodelay(true);
    let (server_r, server_w) = server.into_split();
    let (down_tx, down_rx) = mpsc::unbounded_channel::<Chunk>();
    let reader_down = tokio::spawn(read_side(
        server_r,
        down_tx,
        Arc::clone(&delay_us),
        None,
        None,
        Arc::clone(&stats),
        false,
    ));
    let writer_up = tokio::spawn(write_side(server_w, up_rx));
    let writer_down = tokio::spawn(write_side(client_w, down_rx));
    let _ = tokio::join!(reader_up, reader_down, writer_up, writer_down);
}

/// Read chunks and queue them with their delivery time.
async fn read_side(
    mut r: tokio::net::tcp::OwnedReadHalf,
    tx: mpsc::UnboundedSender<Chunk>,
    delay_us: Arc<AtomicU64>,
    earliest: Option<Instant>,
    count_requests: Option<(u64, Arc<Stats>)>,
    stats: Arc<Stats>,
    up: bool,
) {
    let mut parser = RequestCounter::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match tokio::time::timeout(IDLE_TIMEOUT, r.read(&mut buf)).await {
            Ok(Ok(n)) => n,
            Ok(Err(_)) | Err(_) => 0,
        };
        let d = Duration::from_micros(delay_us.load(Ordering::Relaxed));
        let at = deliver_at(Instant::now(), d, earliest);
        if n == 0 {
            let _ = tx.send((at, None));
            return;
        }
        let data = buf[..n].to_vec();
        if up {
            stats.bytes_up.fetch_add(n as u64, Ordering::Relaxed);
        } else {
            stats.bytes_down.fetch_add(n as u64, Ordering::Relaxed);
        }
        if let Some((conn_no, st)) = &count_requests {
            for line in parser.feed(&data) {
                st.requests.fetch_add(1, Ordering::Relaxed);
                st.record(*conn_no, line);
            }
        }
        if tx.send((at, Some(data))).is_err() {
            return; // the writer is gone (its peer closed)
        }
    }
}

/// Deliver queued chunks at their time; half-close at the end of the stream.
async fn write_side(
    mut w: tokio::net::tcp::OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Chunk>,
) {
    while let Some((at, data)) = rx.recv().await {
        tokio::time::sleep_until(at).await;
        match data {
            Some(b) => {
                if w.write_all(&b).await.is_err() {
                    return;
                }
            }
            None => {
                let _ = w.shutdown().await;
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// HTTP/1.1 request framing (client → server only)
// ---------------------------------------------------------------------------------------

/// Longest request head (request line + headers) followed; beyond it counting stops for the
/// connection.
const MAX_HEAD: usize = 64 * 1024;

#[derive(Debug, Default)]
enum State {
    #[default]
    Head,
    Body(u64),
    ChunkSize,
    ChunkData(u64),
    Trailer,
    /// Lost track of the framing (or an upgrade): stop counting on this connection.
    Opaque,
}

/// Follows HTTP/1.1 request framing over a byte stream and reports each request line.
#[derive(Debug, Default)]
pub struct RequestCounter {
    state: State,
    buf: Vec<u8>,
}

impl RequestCounter {
    /// Feed the next bytes; returns the request lines (`METHOD target`) whose heads completed.
    pub fn feed(&mut self, mut data: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        // Bounded: every iteration consumes input or changes state without input.
        let mut guard = 0usize;
        while guard < 1_000_000 {
            guard += 1;
            match self.state {
                State::Opaque => return out,
                State::Head => {
                    if data.is_empty() {
                        return out;
                    }
                    // Skip stray CRLFs between requests (RFC 9112 §2.2).
                    if self.buf.is_empty() {
                        let skip = data
                            .iter()
                            .take_while(|b| **b == b'\r' || **b == b'\n')
                            .count();
                        data = &data[skip..];
                        if data.is_empty() {
                            return out;
                        }
                    }
                    let before = self.buf.len();
                    self.buf.extend_from_slice(data);
                    let start = before.saturating_sub(3);
                    match find(&self.buf[start..], b"\r\n\r\n") {
                        Some(i) => {
                            let end = start + i + 4;
                            let consumed = end - before;
                            data = &data[consumed..];
                            let head = std::mem::take(&mut self.buf);
                            let (line, next) = parse_head(&head[..end]);
                            out.push(line);
                            self.state = next;
                        }
                        None => {
                            if self.buf.len() > MAX_HEAD {
                                self.buf.clear();
                                self.state = State::Opaque;
                            }
                            return out;
                        }
                    }
                }
                State::Body(n) => {
                    let take = (n.min(data.len() as u64)) as usize;
                    data = &data[take..];
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Body(left)
                    };
                    if data.is_empty() {
                        return out;
                    }
                }
                State::ChunkSize => {
                    if data.is_empty() {
                        return out;
                    }
                    let Some(i) = data.iter().position(|b| *b == b'\n') else {
                        self.buf.extend_from_slice(data);
                        if self.buf.len() > 1024 {
                            self.state = State::Opaque;
                        }
                        return out;
                    };
                    self.buf.extend_from_slice(&data[..=i]);
                    data = &data[i + 1..];
                    let line = String::from_utf8_lossy(&self.buf).into_owned();
                    self.buf.clear();
                    self.state = match crate::http1::chunk_size(&line) {
                        Some(0) => State::Trailer,
                        Some(n) => State::ChunkData(n.saturating_add(2)), // data + CRLF
                        None => State::Opaque,
                    };
                }
                State::ChunkData(n) => {
                    let take = (n.min(data.len() as u64)) as usize;
                    data = &data[take..];
                    let left = n - take as u64;
                    if left == 0 {
                        self.state = State::ChunkSize;
                    } else {
                        self.state = State::ChunkData(left);
                        return out;
                    }
                }
                State::Trailer => {
                    // Lines until an empty one.
                    if data.is_empty() {
                        return out;
                    }
                    let Some(i) = data.iter().position(|b| *b == b'\n') else {
                        self.buf.extend_from_slice(data);
                        if self.buf.len() > MAX_HEAD {
                            self.state = State::Opaque;
                        }
                        return out;
                    };
                    self.buf.extend_from_slice(&data[..=i]);
                    data = &data[i + 1..];
                    let empty = self.buf.iter().all(|b| *b == b'\r' || *b == b'\n');
                    self.buf.clear();
                    if empty {
                        self.state = State::Head;
                    }
                }
            }
        }
        self.state = State::Opaque;
        out
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The request line (`METHOD target`) and the state after the head.
fn parse_head(head: &[u8]) -> (String, State) {
    use crate::http1::{Framing, Head};
    let h = Head::parse(head);
    let line = format!("{} {}", h.method(), h.target());
    let next = match h.framing() {
        Framing::Opaque => State::Opaque,
        Framing::Chunked => State::ChunkSize,
        Framing::None => State::Head,
        Framing::Length(n) => State::Body(n),
    };
    (line, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_with_bodies_split_anywhere() {
        let stream = b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n\
PUT /v2/a/manifests/v1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello\
POST /v2/a/blobs/uploads/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX-T: 1\r\n\r\n\
HEAD /v2/a/blobs/sha256:00 HTTP/1.1\r\ncontent-length: 0\r\n\r\n";
        for split in [1usize, 2, 3, 7, 64, stream.len()] {
            let mut c = RequestCounter::default();
            let mut got = Vec::new();
            for part in stream.chunks(split) {
                got.extend(c.feed(part));
            }
            assert_eq!(
                got,
                vec![
                    "GET /v2/",
                    "PUT /v2/a/manifests/v1",
                    "POST /v2/a/blobs/uploads/",
                    "HEAD /v2/a/blobs/sha256:00"
                ],
                "split {split}"
            );
        }
    }

    #[test]
    fn body_looking_like_a_request_is_not_counted() {
        let body = b"GET /nope HTTP/1.1\r\n\r\n";
        let mut s =
            format!("PUT /x HTTP/1.1\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        s.extend_from_slice(body);
        let mut c = RequestCounter::default();
        assert_eq!(c.feed(&s), vec!["PUT /x"]);
    }

    #[test]
    fn refuses_non_loopback_upstream() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let r = rt.block_on(DelayProxy::start(
            "192.0.2.1:80".parse().expect("addr"),
            Duration::from_millis(1),
        ));
        assert!(r.is_err());
    }

    /// An echo-ish upstream: answers each `ping\n` line with `pong\n`.
    async fn pong_server() -> SocketAddr {
        let l = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let addr = l.local_addr().expect("addr");
        tokio::spawn(async move {
            for _ in 0..16 {
                let Ok((mut s, _)) = l.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut buf = [0u8; 5];
                    for _ in 0..16 {
                        if s.read_exact(&mut buf).await.is_err() {
                            return;
                        }
                        if s.write_all(b"pong\n").await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        addr
    }

    /// The schedule, exactly: a new connection costs a round trip before the first byte
    /// goes up, and every chunk is delayed once per direction, no more (what keeps an
    /// exchange at one round trip). Pure arithmetic on instants, so no machine is too slow
    /// for it.
    #[test]
    fn schedules_a_handshake_round_trip_and_one_delay_per_direction() {
        let d = Duration::from_millis(20);
        let t = Instant::now();
        let (connect_at, earliest_up) = handshake(t, d);
        assert_eq!(connect_at, t + 2 * d, "SYN, SYN-ACK");
        assert_eq!(earliest_up, t + 3 * d, "then the data's own trip");
        // The first request, sent at accept: up at 3 d; the answer, read at once, down at 4 d.
        let up = deliver_at(t, d, Some(earliest_up));
        assert_eq!(up, t + 3 * d);
        let down = deliver_at(up, d, None);
        assert_eq!(down - t, 4 * d, "first exchange: handshake RTT + one RTT");
        // Later, the handshake long done: one delay each way.
        let later = t + 10 * d;
        let up = deliver_at(later, d, Some(earliest_up));
        assert_eq!(up, later + d);
        assert_eq!(
            deliver_at(up, d, None) - later,
            2 * d,
            "second exchange: one RTT"
        );
        // Bytes sent during the handshake wait for it, then go at once.
        assert_eq!(deliver_at(t + d, d, Some(earliest_up)), t + 3 * d);
    }

    /// Over real sockets: the delays are really applied (lower bounds only; how much more a
    /// busy machine adds is not this test's business, the schedule above is exact).
    #[test]
    fn adds_a_handshake_round_trip_and_one_round_trip_per_exchange() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let up = pong_server().await;
            let d = Duration::from_millis(20);
            let p = DelayProxy::start(up, d).await.expect("proxy");
            let t0 = std::time::Instant::now();
            let mut s = TcpStream::connect(p.addr()).await.expect("connect");
            let mut buf = [0u8; 5];
            s.write_all(b"ping\n").await.expect("w");
            s.read_exact(&mut buf).await.expect("r");
            let first = t0.elapsed();
            // handshake RTT + one exchange RTT = 4 d
            assert!(first >= 4 * d, "first exchange took {first:?}");
            let t1 = std::time::Instant::now();
            s.write_all(b"ping\n").await.expect("w");
            s.read_exact(&mut buf).await.expect("r");
            let second = t1.elapsed();
            assert!(second >= 2 * d, "second exchange took {second:?}");
            assert_eq!(p.counters().connections, 1);
            assert_eq!(p.counters().bytes_up, 10);
            assert_eq!(p.counters().bytes_down, 10);
            p.reset();
            assert_eq!(p.counters(), Counters::default());
        });
    }
}
