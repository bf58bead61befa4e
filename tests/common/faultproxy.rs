//! A scriptable fault-injecting HTTP/1.1 proxy for integration tests.
//!
//! It listens on a port of 127.0.0.1 it binds itself (port 0, the listener kept for its
//! life) and forwards every request to an upstream registry
//! (one upstream connection per request, `Connection: close` both ways), unless a [`Rule`]
//! matching the request's method and a path substring says otherwise: answer a status
//! (optionally with `Retry-After`), reset the connection, truncate the body, delay, or serve
//! an arbitrary answer. Every request is recorded (method, path, whether it carried an
//! `Authorization` header, what the proxy did) so tests can count retries.
//!
//! ```ignore
//! let reg = TestRegistry::plain();
//! let p = FaultProxy::start(&reg.host);
//! p.rule("GET", "/manifests/", Action::Status(503), Some(2)); // two 503s, then forward
//! let host = p.host.clone(); // use instead of reg.host
//! ```
#![allow(dead_code)]

use mt_testkit::http1::{chunk_size, Framing, Head};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long a [`Gate`] waits before giving up: a hang guard only.
pub const GATE_GUARD: Duration = Duration::from_secs(600);

/// A gate a proxy rule waits at until the test opens it: the test sees the state it wants
/// (a first page shown, a request in flight) and only then lets the rest through, instead of
/// hoping a delay is long enough. Clones share the gate.
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<(bool, usize)>, Condvar)>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Wait until the gate is open (called by the proxy's threads); counts as an arrival.
    /// Panics after [`GATE_GUARD`].
    pub fn wait(&self) {
        let (m, cv) = &*self.0;
        let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
        g.1 += 1;
        cv.notify_all();
        let (g, t) = cv
            .wait_timeout_while(g, GATE_GUARD, |g| !g.0)
            .unwrap_or_else(|e| e.into_inner());
        drop(g);
        assert!(
            !t.timed_out(),
            "a proxy gate stayed shut for {GATE_GUARD:?}"
        );
    }

    /// Open it: every waiter goes on, and later ones do not stop.
    pub fn open(&self) {
        let (m, cv) = &*self.0;
        m.lock().unwrap_or_else(|e| e.into_inner()).0 = true;
        cv.notify_all();
    }

    /// How many waits have begun.
    pub fn arrivals(&self) -> usize {
        self.0 .0.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// Block until `n` waits have begun (the test's side); panics after [`GATE_GUARD`].
    pub fn wait_for_arrivals(&self, n: usize) {
        let (m, cv) = &*self.0;
        let g = m.lock().unwrap_or_else(|e| e.into_inner());
        let (_g, t) = cv
            .wait_timeout_while(g, GATE_GUARD, |g| g.1 < n)
            .unwrap_or_else(|e| e.into_inner());
        assert!(
            !t.timed_out(),
            "{n} requests never reached the gate in {GATE_GUARD:?}"
        );
    }
}

/// A raw response generator: gets the request, returns the full HTTP response bytes.
pub type Responder = Arc<dyn Fn(&Request) -> Vec<u8> + Send + Sync>;

/// Answers some requests itself (`Some(raw response)`) and lets the rest through (`None`).
pub type Interceptor = Arc<dyn Fn(&Request) -> Option<Vec<u8>> + Send + Sync>;

/// Turns the upstream's raw answer (head and body) into the one the client gets.
pub type Rewriter = Arc<dyn Fn(&Request, Vec<u8>) -> Vec<u8> + Send + Sync>;

/// What the proxy does with a matching request.
#[derive(Clone)]
pub enum Action {
    /// Forward untouched.
    Forward,
    /// Answer this status with an empty body (a Distribution-style envelope for 4xx/5xx).
    Status(u16),
    /// Answer 429 with `Retry-After: <secs>`.
    TooMany { retry_after: u64 },
    /// Close the connection (with an RST) right after reading the request: no answer.
    Reset,
    /// Forward, then send the upstream headers (full Content-Length) and only half the body.
    Truncate,
    /// Wait, then forward.
    Delay(Duration),
    /// Forward, send the upstream headers at once, then the body one byte per interval.
    Drip(Duration),
    /// Forward, send the upstream headers at once, then the body `chunk` bytes per
    /// interval: a slow link, for watching progress mid-transfer.
    Trickle { chunk: usize, every: Duration },
    /// Forward, send the upstream headers and the first `after` bytes of the body at once,
    /// then wait at `gate` before the rest: a transfer that is certainly under way while the
    /// test looks at its progress.
    Hold { after: usize, gate: Gate },
    /// Serve this answer. `content_length: false` sends no Content-Length (close-delimited).
    Serve {
        status: u16,
        headers: Vec<(String, String)>,
        body: Arc<Vec<u8>>,
        content_length: bool,
    },
    /// Build the raw answer from the request.
    Respond(Responder),
    /// Answer from the function when it returns an answer, forward otherwise: a registry
    /// that refuses some forms of a request and serves the rest.
    Intercept(Interceptor),
    /// Forward, then send the upstream answer as rewritten by the function (headers
    /// stripped or added, status changed): a registry or proxy that answers differently.
    Rewrite(Rewriter),
}

impl Action {
    fn label(&self) -> String {
        match self {
            Action::Forward => "forward".into(),
            Action::Status(s) => format!("status {s}"),
            Action::TooMany { retry_after } => format!("429 retry-after {retry_after}"),
            Action::Reset => "reset".into(),
            Action::Truncate => "truncate".into(),
            Action::Delay(d) => format!("delay {d:?}"),
            Action::Drip(d) => format!("drip {d:?}"),
            Action::Trickle { chunk, every } => format!("trickle {chunk} B per {every:?}"),
            Action::Hold { after, .. } => format!("hold after {after} B"),
            Action::Serve { status, .. } => format!("serve {status}"),
            Action::Respond(_) => "respond".into(),
            Action::Intercept(_) => "intercept".into(),
            Action::Rewrite(_) => "rewrite".into(),
        }
    }

    /// For a slowed answer: bytes per write and the pause before each.
    fn pace(&self) -> Option<(usize, Duration)> {
        match self {
            Action::Drip(every) => Some((1, *every)),
            Action::Trickle { chunk, every } => Some(((*chunk).max(1), *every)),
            _ => None,
        }
    }

    /// Serve a body with a content type and a Content-Length.
    pub fn serve(status: u16, content_type: &str, body: Vec<u8>) -> Action {
        Action::Serve {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Arc::new(body),
            content_length: true,
        }
    }
}

/// One scripted behaviour.
#[derive(Clone)]
pub struct Rule {
    /// `None`: any method.
    pub method: Option<String>,
    /// Substring of the request target (path and query).
    pub path: String,
    pub action: Action,
    /// How many more requests it applies to (`None`: forever).
    pub remaining: Option<usize>,
}

/// A request as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Request target: path and query.
    pub target: String,
    /// Header lines (name, value), as received.
    pub headers: Vec<(String, String)>,
    pub body_len: usize,
    /// The body, decoded.
    pub body: Arc<Vec<u8>>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What was recorded for one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    /// The request carried an `Authorization` header (its value is never kept).
    pub authorization: bool,
    /// What the proxy did (`forward`, `status 503`, …).
    pub action: String,
    /// Bytes that arrived before the request head was complete and could not be parsed
    /// (e.g. a TLS ClientHello); 0 for a parsed request.
    pub unparsed: usize,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
}

/// A running proxy. Stops accepting on drop.
pub struct FaultProxy {
    /// `127.0.0.1:PORT`
    pub host: String,
    /// Where requests go (`host:port`); changed by [`FaultProxy::set_upstream`].
    upstream: Arc<Mutex<String>>,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Start a proxy forwarding to `upstream` (`host:port`, plain HTTP).
    pub fn start(upstream: &str) -> FaultProxy {
        Self::start_on("127.0.0.1", upstream)
    }

    /// Start a proxy listening on another loopback address (`127.0.0.2`: another host, as
    /// far as origins go).
    pub fn start_on(ip: &str, upstream: &str) -> FaultProxy {
        let l = TcpListener::bind(format!("{ip}:0")).expect("faultproxy: bind");
        let host = l.local_addr().expect("faultproxy: addr").to_string();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let upstream = Arc::new(Mutex::new(upstream.to_string()));
        let (st, sp, up) = (state.clone(), stop.clone(), upstream.clone());
        std::thread::spawn(move || {
            for conn in l.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                let up = up.lock().unwrap_or_else(|e| e.into_inner()).clone();
                std::thread::spawn(move || handle(conn, &up, &st));
            }
        });
        FaultProxy {
            host,
            upstream,
            state,
            stop,
        }
    }

    /// Forward the connections accepted from now on to `upstream` (`host:port`): a registry
    /// restarted on another port, behind the same proxy address.
    pub fn set_upstream(&self, upstream: &str) {
        *self.upstream.lock().unwrap_or_else(|e| e.into_inner()) = upstream.to_string();
    }

    /// [`set_upstream`](Self::set_upstream) for a rule's closure, which cannot hold the proxy.
    pub fn upstream_setter(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let up = self.upstream.clone();
        move |u: &str| *up.lock().unwrap_or_else(|e| e.into_inner()) = u.to_string()
    }

    /// Where requests go now.
    pub fn upstream(&self) -> String {
        self.upstream
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Add a rule (rules are tried in the order added; the first match wins).
    /// `method` "" or "*" matches any method.
    pub fn rule(&self, method: &str, path_contains: &str, action: Action, times: Option<usize>) {
        let method = (!method.is_empty() && method != "*").then(|| method.to_string());
        self.lock().rules.push(Rule {
            method,
            path: path_contains.to_string(),
            action,
            remaining: times,
        });
    }

    /// Remove every rule: forward everything from now on.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Forget recorded requests.
    pub fn reset_seen(&self) {
        self.lock().seen.clear();
    }

    /// Requests whose method matches (""/"*": any) and whose target contains `path`.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.lock()
            .seen
            .iter()
            .filter(|s| {
                (method.is_empty() || method == "*" || s.method == method)
                    && s.target.contains(path)
            })
            .count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.host);
    }
}

/// Read one request head; `Err(n)`: the connection ended (or sent garbage) after `n` bytes.
fn read_head(r: &mut BufReader<TcpStream>) -> Result<Head, usize> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return Err(head.len() + line.len()),
            Ok(_) => {}
        }
        let done = line == b"\r\n" || line == b"\n";
        head.extend_from_slice(&line);
        if done {
            break;
        }
        if head.len() > 64 * 1024 || !head.is_ascii() {
            return Err(head.len());
        }
    }
    Ok(Head::parse(&head))
}

/// Read a request body as its head frames it ([`Head::framing`]), decoded.
fn read_body(r: &mut BufReader<TcpStream>, head: &Head) -> Option<Vec<u8>> {
    match head.framing() {
        Framing::Chunked => {
            let mut body = Vec::new();
            loop {
                let mut line = String::new();
                r.read_line(&mut line).ok()?;
                let size = chunk_size(&line)? as usize;
                if size == 0 {
                    // trailers until the empty line
                    loop {
                        let mut t = String::new();
                        if r.read_line(&mut t).ok()? <= 2 {
                            break;
                        }
                    }
                    return Some(body);
                }
                let mut chunk = vec![0u8; size];
                r.read_exact(&mut chunk).ok()?;
                body.extend_from_slice(&chunk);
                let mut crlf = [0u8; 2];
                r.read_exact(&mut crlf).ok()?;
            }
        }
        Framing::Length(n) => {
            let mut body = vec![0u8; n as usize];
            r.read_exact(&mut body).ok()?;
            Some(body)
        }
        Framing::None | Framing::Opaque => Some(Vec::new()),
    }
}

fn reset(conn: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket fd and a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

fn handle(conn: TcpStream, upstream: &str, state: &Arc<Mutex<State>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut r = BufReader::new(read_half);
    let mut w = conn;
    let head = match read_head(&mut r) {
        Ok(h) => h,
        Err(n) => {
            if n > 0 {
                if let Ok(mut s) = state.lock() {
                    s.seen.push(Seen {
                        method: String::new(),
                        target: String::new(),
                        authorization: false,
                        action: "unparsed".into(),
                        unparsed: n,
                    });
                }
            }
            return;
        }
    };
    let method = head.method().to_string();
    let target = head.target().to_string();
    let Some(body) = read_body(&mut r, &head) else {
        return;
    };
    let headers = head.headers;
    let req = Request {
        method: method.clone(),
        target: target.clone(),
        headers: headers.clone(),
        body_len: body.len(),
        body: Arc::new(body.clone()),
    };
    let action = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let mut chosen = Action::Forward;
        for rule in s.rules.iter_mut() {
            let m = rule.method.as_deref().is_none_or(|m| m == method);
            if m && target.contains(&rule.path) && rule.remaining != Some(0) {
                if let Some(n) = rule.remaining.as_mut() {
                    *n -= 1;
                }
                chosen = rule.action.clone();
                break;
            }
        }
        s.seen.push(Seen {
            method: method.clone(),
            target: target.clone(),
            authorization: req.header("authorization").is_some(),
            action: chosen.label(),
            unparsed: 0,
        });
        chosen
    };
    let envelope = |status: u16, extra: &str| {
        let body = format!(
            r#"{{"errors":[{{"code":"UNKNOWN","message":"injected {status}","detail":null}}]}}"#
        );
        format!(
            "HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let out: Vec<u8> = match &action {
        Action::Status(s) => envelope(*s, ""),
        Action::TooMany { retry_after } => {
            envelope(429, &format!("Retry-After: {retry_after}\r\n"))
        }
        Action::Reset => {
            reset(&w);
            return;
        }
        Action::Serve {
            status,
            headers,
            body,
            content_length,
        } => {
            let mut h = format!("HTTP/1.1 {status} Scripted\r\n");
            for (k, v) in headers {
                h.push_str(&format!("{k}: {v}\r\n"));
            }
            if *content_length {
                h.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            h.push_str("Connection: close\r\n\r\n");
            let mut out = h.into_bytes();
            if method != "HEAD" {
                out.extend_from_slice(body);
            }
            out
        }
        Action::Respond(f) => f(&req),
        Action::Intercept(f) => match f(&req) {
            Some(out) => out,
            None => match forward(upstream, &method, &target, &headers, &body) {
                Some(o) => o,
                None => return,
            },
        },
        Action::Rewrite(f) => match forward(upstream, &method, &target, &headers, &body) {
            Some(o) => f(&req, o),
            None => return,
        },
        Action::Delay(d) => {
            std::thread::sleep(*d);
            match forward(upstream, &method, &target, &headers, &body) {
                Some(o) => o,
                None => return,
            }
        }
        Action::Drip(_) | Action::Trickle { .. } => {
            let Some((chunk, every)) = action.pace() else {
                return;
            };
            let Some(full) = forward(upstream, &method, &target, &headers, &body) else {
                reset(&w);
                return;
            };
            let split = header_end(&full);
            if w.write_all(&full[..split]).is_err() {
                return;
            }
            for piece in full[split..].chunks(chunk) {
                let _ = w.flush();
                std::thread::sleep(every);
                if w.write_all(piece).is_err() {
                    return;
                }
            }
            full[..0].to_vec()
        }
        Action::Hold { after, gate } => {
            let Some(full) = forward(upstream, &method, &target, &headers, &body) else {
                reset(&w);
                return;
            };
            let split = header_end(&full);
            let first = (split + after).min(full.len());
            if w.write_all(&full[..first]).and_then(|_| w.flush()).is_err() {
                return;
            }
            gate.wait();
            full[first..].to_vec()
        }
        Action::Forward | Action::Truncate => {
            let Some(full) = forward(upstream, &method, &target, &headers, &body) else {
                reset(&w);
                return;
            };
            if matches!(action, Action::Truncate) {
                let split = header_end(&full);
                let body_len = full.len() - split;
                let keep = split + body_len / 2;
                let _ = w.write_all(&full[..keep]);
                let _ = w.flush();
                reset(&w);
                return;
            }
            full
        }
    };
    let _ = w.write_all(&out);
    let _ = w.flush();
    let _ = w.shutdown(Shutdown::Both);
}

/// Send the request upstream with `Connection: close`; the whole answer, its `Connection`
/// header replaced by `Connection: close`. `None` when the upstream is unreachable.
pub fn forward(
    upstream: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).ok()?;
    let _ = up.set_read_timeout(Some(Duration::from_secs(60)));
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in headers {
        let lk = k.to_ascii_lowercase();
        if matches!(
            lk.as_str(),
            "connection" | "transfer-encoding" | "content-length" | "keep-alive"
        ) {
            continue;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || matches!(method, "PUT" | "POST" | "PATCH") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes()).ok()?;
    up.write_all(body).ok()?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).ok()?;
    if resp.is_empty() {
        return None;
    }
    // Replace the Connection header of the answer.
    let split = resp.windows(4).position(|x| x == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    let mut out = String::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&resp[split..]);
    Some(bytes)
}

/// A raw HTTP answer with a Content-Length.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} Scripted\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = h.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A raw Distribution-style error answer: `{"errors":[{"code":…,"message":…}]}`.
pub fn error_response(status: u16, code: &str, message: &str) -> Vec<u8> {
    let body = serde_json::json!({"errors": [{"code": code, "message": message, "detail": null}]});
    response(
        status,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
}

/// Split a raw answer into its head (status line and headers, without the blank line) and body.
fn split_raw(raw: &[u8]) -> (String, &[u8]) {
    let split = raw
        .windows(4)
        .position(|x| x == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = raw.get(split + 4..).unwrap_or(&[]);
    (head, body)
}

/// A raw answer without the header `name` (any case).
pub fn strip_header(raw: &[u8], name: &str) -> Vec<u8> {
    let (head, body) = split_raw(raw);
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let kept: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with(&prefix))
        .collect();
    let mut out = format!("{}\r\n\r\n", kept.join("\r\n")).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A raw answer with one more header.
pub fn add_header(raw: &[u8], name: &str, value: &str) -> Vec<u8> {
    let (head, body) = split_raw(raw);
    let mut out = format!("{head}\r\n{name}: {value}\r\n\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

/// The value of header `name` in a raw answer.
pub fn raw_header(raw: &[u8], name: &str) -> Option<String> {
    let (head, _) = split_raw(raw);
    head.split("\r\n").skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// The status code of a raw answer.
pub fn raw_status(raw: &[u8]) -> u16 {
    let (head, _) = split_raw(raw);
    head.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// How a [`quay_paging`] proxy writes its `Link` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStyle {
    /// `</v2/…?n=50&next_page=…>` as Quay sends it.
    Relative,
    /// `<http://HOST/v2/…?n=50&next_page=…>`, HOST from the request's `Host` header.
    Absolute,
}

/// Answers `tags/list` and `_catalog` as Quay does: the full list is read from the real
/// registry behind the proxy (following its own `last=` pages), then served `per_page`
/// names a page whatever `n` was asked, each page's `Link` pointing at the next with
/// `?n=<per_page>&next_page=<opaque token>`. A token is only valid as handed out (the
/// proxy looks it up byte for byte, percent-encoding included); a request carrying `last=`
/// or an unknown token gets 400, so a client that rebuilds the URL fails loudly.
/// Use with `p.rule("GET", "/tags/list", quay_paging(&reg.host, 50, LinkStyle::Relative), None)`.
pub fn quay_paging(upstream: &str, per_page: usize, style: LinkStyle) -> Action {
    let upstream = upstream.to_string();
    // token → (path of the listing, offset of the page it names)
    let tokens: Arc<Mutex<std::collections::HashMap<String, (String, usize)>>> = Arc::default();
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    Action::Respond(Arc::new(move |req| {
        let (path, query) = req
            .target
            .split_once('?')
            .unwrap_or((req.target.as_str(), ""));
        let param = |k: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
        };
        let error = |msg: &str| {
            let body = serde_json::json!({"errors": [{"code": "UNSUPPORTED", "message": msg}]})
                .to_string();
            format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        };
        if param("last").is_some() {
            return error("this registry pages with next_page tokens; `last` is not supported");
        }
        let offset = match param("next_page") {
            None => 0,
            Some(t) => match tokens.lock().unwrap_or_else(|e| e.into_inner()).get(t) {
                Some((p, o)) if p == path => *o,
                _ => return error(&format!("unknown next_page token {t:?}")),
            },
        };
        let catalog = path.ends_with("/_catalog");
        let key = if catalog { "repositories" } else { "tags" };
        // The whole list from the real registry, following its pages.
        let mut all: Vec<String> = Vec::new();
        let mut name = serde_json::Value::Null;
        let mut next = Some(format!("{path}?n=1000"));
        while let Some(target) = next.take() {
            let Some(resp) = forward(&upstream, "GET", &target, &req.headers, &[]) else {
                return Vec::new();
            };
            let split = header_end(&resp);
            let head = String::from_utf8_lossy(&resp[..split]).to_string();
            if !head.starts_with("HTTP/1.1 200") {
                return resp;
            }
            let v: serde_json::Value = serde_json::from_slice(&resp[split..]).unwrap_or_default();
            name = v["name"].clone();
            all.extend(
                v[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_string)),
            );
            next = head
                .split("\r\n")
                .find(|l| l.to_ascii_lowercase().starts_with("link:"))
                .and_then(|l| Some(l.split_once('<')?.1.split_once('>')?.0.to_string()));
        }
        let page: Vec<&String> = all.iter().skip(offset).take(per_page).collect();
        let mut link = String::new();
        if offset + per_page < all.len() {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // Opaque, with characters a client must pass through untouched.
            let token = format!("gAAAAB{n:04x}{:x}%2B%3D%3D", offset * 7919 + 17);
            tokens
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(token.clone(), (path.to_string(), offset + per_page));
            let origin = match style {
                LinkStyle::Relative => String::new(),
                LinkStyle::Absolute => format!("http://{}", req.header("host").unwrap_or("")),
            };
            link =
                format!("Link: <{origin}{path}?n={per_page}&next_page={token}>; rel=\"next\"\r\n");
        }
        let body = if catalog {
            serde_json::json!({ "repositories": page })
        } else {
            serde_json::json!({ "name": name, "tags": page })
        }
        .to_string();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{link}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }))
}

/// What a [`gather`] rule saw: requests in flight through it now and at most, and whether
/// its wait ran out.
#[derive(Default)]
pub struct InFlight {
    state: Mutex<InFlightState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct InFlightState {
    /// Matching requests that arrived so far.
    arrived: usize,
    /// Matching requests between arriving and their answer being ready.
    current: usize,
    max: usize,
    /// The wait for `n` ran out: every request is let through from then on.
    timed_out: bool,
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, InFlightState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Requests of the rule in flight right now.
    pub fn current(&self) -> usize {
        self.lock().current
    }
    /// The most requests of the rule that were in flight at once.
    pub fn max(&self) -> usize {
        self.lock().max
    }
    /// Requests of the rule that arrived so far.
    pub fn arrived(&self) -> usize {
        self.lock().arrived
    }
    /// The wait for `n` requests ran out before they all arrived.
    pub fn timed_out(&self) -> bool {
        self.lock().timed_out
    }
}

/// A gauge and a gate on the requests a rule matches: each is held until `n` of them have
/// arrived (so `n` are in flight at once), then forwarded; `current` and `max` count the
/// requests between their arrival and their answer. A client that sends them one at a time
/// never gets `n` in: after `patience` (a hang guard, not a measurement) the gate opens for
/// good, every request goes through, and [`InFlight::max`] says how many were ever waiting.
/// Use with `p.rule("GET", "/manifests/sha256:", action, None)`.
pub fn gather(upstream: &str, n: usize, patience: Duration) -> (Action, Arc<InFlight>) {
    let gauge = Arc::new(InFlight::default());
    let (g, upstream) = (gauge.clone(), upstream.to_string());
    let deadline = Mutex::new(None::<std::time::Instant>);
    let action = Action::Respond(Arc::new(move |req: &Request| {
        {
            let mut s = g.lock();
            s.arrived += 1;
            s.current += 1;
            s.max = s.max.max(s.current);
            g.changed.notify_all();
            // The guard starts with the first request, so a slow start costs nothing.
            let until = *deadline
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert_with(|| std::time::Instant::now() + patience);
            while s.arrived < n && !s.timed_out {
                let left = until.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    s.timed_out = true;
                    g.changed.notify_all();
                    break;
                }
                s = g
                    .changed
                    .wait_timeout(s, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        let out = forward(&upstream, &req.method, &req.target, &req.headers, &req.body)
            .unwrap_or_default();
        g.lock().current -= 1;
        out
    }));
    (action, gauge)
}

/// Where the body of the HTTP response `full` starts (its length when it has no body).
fn header_end(full: &[u8]) -> usize {
    full.windows(4)
        .position(|x| x == b"\r\n\r\n")
        .map_or(full.len(), |p| p + 4)
}
