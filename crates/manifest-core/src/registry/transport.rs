//! Sending a call: authorization, one re-authentication on 401, retries with backoff,
//! redirects followed by hand, bodies read within a limit, and errors made from responses.

use super::auth::{Scope, Secret};
use super::client::{Client, Registry};
use super::{error, http, ErrorKind, RegistryError};
use crate::digest::Digest;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::OwnedSemaphorePermit;

/// A request body: replayable bytes, or a one-shot stream.
pub(super) enum ReqBody {
    Empty,
    Bytes(Vec<u8>),
    Stream(Option<reqwest::Body>),
}

impl ReqBody {
    fn replayable(&self) -> bool {
        !matches!(self, ReqBody::Stream(_))
    }
    fn take(&mut self) -> Option<reqwest::Body> {
        match self {
            ReqBody::Empty => None,
            ReqBody::Bytes(b) => Some(reqwest::Body::from(b.clone())),
            ReqBody::Stream(s) => s.take(),
        }
    }
}

/// How a request gets its slot in the registry's semaphore.
pub(super) enum Permit {
    Acquire,
    /// Already held by the caller (`None`: covered by a permit held elsewhere).
    Held(Option<OwnedSemaphorePermit>),
}

/// One request to a registry.
pub(super) struct Call {
    pub(super) method: Method,
    /// `/v2/...` (joined to the registry base) or an absolute URL (upload locations).
    pub(super) path: String,
    scopes: Vec<Scope>,
    pub(super) headers: HeaderMap,
    pub(super) body: ReqBody,
    pub(super) idempotent: bool,
    pub(super) permit: Permit,
}

impl Call {
    pub(super) fn new(method: Method, path: String, scopes: Vec<Scope>) -> Call {
        let idempotent = matches!(method, Method::GET | Method::HEAD | Method::DELETE);
        Call {
            method,
            path,
            scopes,
            headers: HeaderMap::new(),
            body: ReqBody::Empty,
            idempotent,
            permit: Permit::Acquire,
        }
    }
    /// An absolute URL (an upload location) rather than a `/v2/` path.
    pub(super) fn is_absolute(&self) -> bool {
        self.path.starts_with("http://") || self.path.starts_with("https://")
    }
    pub(super) fn header(mut self, name: HeaderName, value: &str) -> Call {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }
}

/// A response with the permit that bounds it and the request line for messages.
pub(super) struct Resp {
    pub(super) resp: reqwest::Response,
    pub(super) request: String,
    pub(super) _permit: Option<OwnedSemaphorePermit>,
}

const MAX_ATTEMPTS: u32 = 4;
const RETRY_BUDGET: Duration = Duration::from_secs(30);

/// When to try a failed request again; one policy for registry requests, token requests,
/// bodies cut short and the scheme ping: at most [`MAX_ATTEMPTS`] attempts, each after the
/// server's `Retry-After` or a jittered backoff, all within [`RETRY_BUDGET`].
pub(super) struct Retry {
    start: Instant,
    attempt: u32,
}

impl Retry {
    pub(super) fn new() -> Retry {
        Retry {
            start: Instant::now(),
            attempt: 1,
        }
    }

    /// The attempt under way, from 1.
    pub(super) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Time since the first attempt began.
    pub(super) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// How long to wait before the next attempt (`hint`: the server's `Retry-After`), or
    /// `None` when the attempts or the time budget are spent.
    pub(super) fn delay(&self, hint: Option<Duration>) -> Option<Duration> {
        let d = hint.unwrap_or_else(|| http::backoff(self.attempt));
        (self.attempt < MAX_ATTEMPTS && self.start.elapsed() + d <= RETRY_BUDGET).then_some(d)
    }

    /// Wait `d`, then count the next attempt.
    pub(super) async fn wait(&mut self, d: Duration) {
        tokio::time::sleep(d).await;
        self.attempt += 1;
    }
}

pub(super) const MAX_ERROR_BODY: usize = 64 * 1024;
pub(super) const CONTENT_DIGEST: &str = "docker-content-digest";

impl Client {
    /// Send an idempotent GET (built afresh by `send` for every attempt), expect 200 and read
    /// at most `limit` bytes of its body. A body cut short (reset, truncated, timed out) is
    /// retried like a failed request. Returns the headers, the request line and the bytes.
    pub(super) async fn fetch_body<F, Fut>(
        &self,
        send: F,
        limit: usize,
    ) -> Result<(HeaderMap, String, Vec<u8>), RegistryError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Resp, RegistryError>>,
    {
        let mut retry = Retry::new();
        loop {
            let resp = expect(send().await?, &[200]).await?;
            let headers = resp.resp.headers().clone();
            let request = resp.request.clone();
            // A registry that drips the body never trips the per-read timeout: bound the
            // whole body (these are small documents) by twice the read timeout.
            let deadline = self.inner.opts.read_timeout.saturating_mul(2);
            let read = match tokio::time::timeout(deadline, read_limited(resp, limit)).await {
                Ok(r) => r,
                Err(_) => Err(RegistryError::new(
                    request.clone(),
                    ErrorKind::Transport {
                        message: format!("timed out: the body did not arrive within {deadline:?}"),
                        hint: Some(
                            "the registry did not answer in time; check the network and retry"
                                .to_string(),
                        ),
                    },
                )),
            };
            match read {
                Ok(bytes) => return Ok((headers, request, bytes)),
                Err(e) if matches!(e.kind, ErrorKind::Transport { .. }) => {
                    let Some(d) = retry.delay(None) else {
                        return Err(e);
                    };
                    self.trace(&format!(
                        "{request}: body cut short; retry {} in {d:?}",
                        retry.attempt()
                    ));
                    retry.wait(d).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Send a call: auth, one re-auth on 401, retries for idempotent requests, redirects.
    pub(super) async fn execute(
        &self,
        domain: &str,
        mut call: Call,
    ) -> Result<Resp, RegistryError> {
        let reg = self.registry(domain)?;
        if let Some(resp) = self.probe_with_first_request(&reg, &mut call).await {
            return Ok(resp);
        }
        let base = self.base(&reg).await?;
        let url = if call.is_absolute() {
            call.path.clone()
        } else {
            format!("{base}{}", call.path)
        };
        let request = format!("{} {}", call.method, url);
        let permit = match std::mem::replace(&mut call.permit, Permit::Held(None)) {
            Permit::Acquire => Some(reg.sem.clone().acquire_owned().await.map_err(|_| {
                RegistryError::new(request.clone(), ErrorKind::Other("client shut down".into()))
            })?),
            Permit::Held(p) => p,
        };
        let mut retry = Retry::new();
        let mut stale: Option<Secret> = None;
        let mut reauthed = false;
        loop {
            let authz = self
                .authorization(&reg, &call.scopes, stale.as_ref(), &url)
                .await?;
            let result = self
                .send_following(&reg, &mut call, &url, authz.clone())
                .await;
            if let Ok(resp) = &result {
                self.note_rate_limit(&reg, resp.headers());
            }
            // Only idempotent requests are sent again.
            let delay = |hint| call.idempotent.then(|| retry.delay(hint)).flatten();
            match result {
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED => {
                    self.learn_auth(&reg, resp.headers());
                    if !reauthed && call.body.replayable() {
                        reauthed = true;
                        stale = authz.or(Some(Secret::default()));
                        continue;
                    }
                    return Err(self.unauthorized(&reg, resp, &request, &call.scopes).await);
                }
                Ok(resp)
                    if resp.status().is_server_error()
                        || resp.status() == StatusCode::TOO_MANY_REQUESTS =>
                {
                    let ra =
                        http::retry_after(header_str(resp.headers(), "retry-after").as_deref());
                    match delay(ra) {
                        Some(d) if call.body.replayable() => {
                            self.trace(&format!(
                                "{} {request}; retry {} in {d:?}",
                                resp.status().as_u16(),
                                retry.attempt()
                            ));
                            drop(resp);
                            retry.wait(d).await;
                        }
                        _ => {
                            return Ok(Resp {
                                resp,
                                request,
                                _permit: permit,
                            })
                        }
                    }
                }
                Ok(resp) => {
                    return Ok(Resp {
                        resp,
                        request,
                        _permit: permit,
                    })
                }
                Err(e) => {
                    let retryable = !e.is_builder() && !e.is_body() && !e.is_decode();
                    match delay(None) {
                        Some(d) if retryable && call.body.replayable() => {
                            self.trace(&format!(
                                "{request}: {}; retry {} in {d:?}",
                                describe(&e),
                                retry.attempt()
                            ));
                            retry.wait(d).await;
                        }
                        _ => return Err(transport(request, &e)),
                    }
                }
            }
        }
    }

    /// Send once, following redirects ourselves; `Authorization` is dropped as soon as the
    /// target's origin differs from the current one.
    async fn send_following(
        &self,
        reg: &Arc<Registry>,
        call: &mut Call,
        url: &str,
        mut authz: Option<Secret>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        // Bytes are cloned per send; a stream is taken once (never replayed).
        let stream_slot = !call.body.replayable();
        let mut drop_body = false;
        let mut method = call.method.clone();
        let mut current = url.to_string();
        let reg_origin = origin_of(url);
        let mut hops = 0;
        loop {
            let client = if origin_of(&current) == reg_origin {
                reg.client.clone()
            } else {
                let host = origin_of(&current).2;
                let insecure = self.is_insecure_allowed(&host);
                match self.pool(&host, insecure) {
                    Ok(c) => c,
                    Err(_) => reg.client.clone(),
                }
            };
            let mut rb = client
                .request(method.clone(), &current)
                .headers(call.headers.clone());
            if let Some(a) = &authz {
                if let Ok(mut v) = HeaderValue::from_str(a.expose()) {
                    v.set_sensitive(true);
                    rb = rb.header(reqwest::header::AUTHORIZATION, v);
                }
            }
            let b = if drop_body { None } else { call.body.take() };
            if let Some(b) = b {
                rb = rb.body(b);
            }
            self.inner.requests.fetch_add(1, Ordering::Relaxed);
            let scheme = match &authz {
                Some(a) if a.expose().starts_with("Bearer") => "bearer",
                Some(_) => "basic",
                None => "none",
            };
            self.trace(&format!("{method} {current} (auth: {scheme})"));
            let resp = rb.send().await?;
            self.trace(&format!("{} {method} {}", resp.status().as_u16(), current));
            let status = resp.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) || hops >= 10 {
                return Ok(resp);
            }
            let Some(loc) = header_str(resp.headers(), "location") else {
                return Ok(resp);
            };
            let Ok(next) = Url::parse(&current).and_then(|u| u.join(&loc)) else {
                return Ok(resp);
            };
            if status == 303 || ((status == 301 || status == 302) && method != Method::HEAD) {
                if method != Method::GET && method != Method::HEAD {
                    if status == 303 {
                        method = Method::GET;
                        drop_body = true;
                    } else {
                        return Ok(resp);
                    }
                }
            } else if stream_slot {
                return Ok(resp); // 307/308 would need the consumed body again
            }
            let next = next.to_string();
            if origin_of(&next) != origin_of(&current) {
                authz = None;
            }
            current = next;
            hops += 1;
        }
    }
}

/// `(scheme, host, host:port)` of a URL, for same-origin checks.
fn origin_of(url: &str) -> (String, String, String) {
    match Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("").to_string();
            let port = u.port_or_known_default().unwrap_or(0);
            let hp = match u.port() {
                Some(p) if host.contains(':') => format!("[{host}]:{p}"),
                Some(p) => format!("{host}:{p}"),
                None => host.clone(),
            };
            (u.scheme().to_string(), format!("{host}:{port}"), hp)
        }
        Err(_) => (String::new(), url.to_string(), url.to_string()),
    }
}

pub(super) fn header_str(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

/// Percent-encode for a query value / form field.
pub(super) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(super) fn check_digest(
    request: &str,
    want: &Digest,
    bytes: &[u8],
) -> Result<(), RegistryError> {
    if want.verify(bytes) {
        return Ok(());
    }
    let actual = if want.algorithm() == "sha512" {
        use sha2::Digest as _;
        let h = sha2::Sha512::digest(bytes);
        format!(
            "sha512:{}",
            h.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )
    } else {
        Digest::sha256(bytes).to_string()
    };
    Err(RegistryError::new(
        request,
        ErrorKind::DigestMismatch {
            expected: want.to_string(),
            actual,
        },
    ))
}

/// Pass the response through when its status is one of `ok`, else turn it into an error.
pub(super) async fn expect(resp: Resp, ok: &[u16]) -> Result<Resp, RegistryError> {
    if ok.contains(&resp.resp.status().as_u16()) {
        Ok(resp)
    } else {
        Err(fail(resp).await)
    }
}

pub(super) async fn fail(resp: Resp) -> RegistryError {
    let status = resp.resp.status().as_u16();
    let request = resp.request.clone();
    let body = read_response_limited(resp.resp, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    RegistryError::new(request, error::api_error(status, &body))
}

pub(super) async fn read_limited(resp: Resp, limit: usize) -> Result<Vec<u8>, RegistryError> {
    let request = resp.request.clone();
    match read_response_limited(resp.resp, limit).await {
        Ok(b) => Ok(b),
        Err(None) => Err(RegistryError::new(request, ErrorKind::TooLarge { limit })),
        Err(Some(e)) => Err(transport(request, &e)),
    }
}

/// Read a body, refusing more than `limit` bytes (by Content-Length and while streaming).
/// `Err(None)`: too large.
pub(super) async fn read_response_limited(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, Option<reqwest::Error>> {
    if resp.content_length().is_some_and(|l| l > limit as u64) {
        return Err(None);
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(Some)? {
        if out.len() + chunk.len() > limit {
            return Err(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The name of the TLS alert the server sent (`BadCertificate`, …), when that is why the
/// request failed.
pub(super) fn received_alert(e: &reqwest::Error) -> Option<String> {
    const SENT: &str = "received fatal alert: ";
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(rustls::Error::AlertReceived(a)) = s.downcast_ref::<rustls::Error>() {
            return Some(format!("{a:?}"));
        }
        // The TLS stream hands rustls' error to hyper as the text of an io::Error.
        let text = s.to_string();
        if let Some((_, rest)) = text.split_once(SENT) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !name.is_empty() {
                return Some(name);
            }
        }
        src = s.source();
    }
    None
}

/// Alerts a server sends about the client's certificate (a missing one included): once the
/// client has accepted the server's certificate, it is the only certificate left to judge.
pub(super) fn is_client_certificate_alert(name: &str) -> bool {
    use rustls::AlertDescription as A;
    [
        A::BadCertificate,
        A::UnsupportedCertificate,
        A::CertificateRevoked,
        A::CertificateExpired,
        A::CertificateUnknown,
        A::UnknownCA,
        A::CertificateRequired,
        A::AccessDenied,
    ]
    .iter()
    .any(|a| format!("{a:?}") == name)
}

pub(super) fn is_tls_error(e: &reqwest::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
            if let Some(inner) = io.get_ref() {
                if inner.downcast_ref::<rustls::Error>().is_some() {
                    return true;
                }
            }
        }
        src = s.source();
    }
    let d = describe(e).to_ascii_lowercase();
    d.contains("tls") || d.contains("certificate") || d.contains("corrupt message")
}

/// The error's cause chain, without the URL (no credentials are ever in URLs, but keep it short).
pub(super) fn describe(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !parts
            .iter()
            .any(|p| p.contains(&t) || t.contains(p.as_str()))
        {
            parts.push(t);
        } else if let Some(last) = parts.last_mut() {
            if t.len() > last.len() && t.contains(last.as_str()) {
                *last = t;
            }
        }
        src = s.source();
    }
    if parts.is_empty() {
        let s = e.to_string();
        return s;
    }
    if e.is_timeout() {
        parts.insert(0, "timed out".into());
    }
    parts.join(": ")
}

pub(super) fn transport(request: impl Into<String>, e: &reqwest::Error) -> RegistryError {
    let request = request.into();
    let message = describe(e);
    let hint = if e.is_timeout() {
        Some("the registry did not answer in time; check the network and retry".to_string())
    } else if is_tls_error(e) {
        Some(
            "the TLS connection failed; if the registry uses a private CA put it in /etc/docker/certs.d/HOST/ca.crt, or pass --insecure to skip verification"
                .to_string(),
        )
    } else if !e.is_connect() {
        Some(
            "the connection broke while the registry was answering (retried); try again, and check for a proxy or load balancer between you and the registry"
                .to_string(),
        )
    } else {
        None
    };
    RegistryError::new(request, ErrorKind::Transport { message, hint })
}
