//! A test token issuer for Distribution's `auth: token` (see
//! shared/reference/distribution-token-auth.md): a small HTTP/1.1 server on its own thread
//! serving `GET /token` and `POST /token`, signing ES256 JWTs with a key whose self-signed
//! certificate is the registry's `rootcertbundle`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rcgen::PublicKeyData as _;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The `service` of the test registry (the token's `aud`).
pub const SERVICE: &str = "test-registry";
/// The `iss` of every token.
pub const ISSUER: &str = "test-issuer";

pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "alice-password";
pub const READER: &str = "reader";
pub const READER_PASSWORD: &str = "reader-password";

/// One resource scope: `type:name:actions`. Serialises as a JWT `access` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub typ: String,
    pub name: String,
    pub actions: Vec<String>,
}

impl Access {
    pub fn new(typ: &str, name: &str, actions: &[&str]) -> Access {
        Access {
            typ: typ.into(),
            name: name.into(),
            actions: actions.iter().map(|s| s.to_string()).collect(),
        }
    }
    pub fn repo(name: &str, actions: &[&str]) -> Access {
        Access::new("repository", name, actions)
    }
    pub fn catalog() -> Access {
        Access::new("registry", "catalog", &["*"])
    }
    /// `repository:samples/app:pull,push`.
    pub fn scope_string(&self) -> String {
        format!("{}:{}:{}", self.typ, self.name, self.actions.join(","))
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"type": self.typ, "name": self.name, "actions": self.actions})
    }
}

/// Parse one resource scope (`type[(class)]:name:actions`; the name may hold a `:`).
pub fn parse_scope(s: &str) -> Option<Access> {
    let (typ, rest) = s.split_once(':')?;
    let (name, actions) = rest.rsplit_once(':')?;
    let typ = typ.split('(').next().unwrap_or(typ);
    if typ.is_empty() || name.is_empty() {
        return None;
    }
    Some(Access {
        typ: typ.into(),
        name: name.into(),
        actions: actions
            .split(',')
            .filter(|a| !a.is_empty())
            .map(String::from)
            .collect(),
    })
}

/// What one user may do.
#[derive(Clone, Debug)]
pub struct UserPolicy {
    pub name: String,
    pub password: String,
    /// (repository-name prefix, allowed actions). `""` matches every repository; `"*"` as an
    /// action allows every action.
    pub repos: Vec<(String, Vec<String>)>,
    /// May list the catalog (`registry:catalog:*`).
    pub catalog: bool,
}

impl UserPolicy {
    pub fn new(name: &str, password: &str, repos: &[(&str, &[&str])], catalog: bool) -> Self {
        UserPolicy {
            name: name.into(),
            password: password.into(),
            repos: repos
                .iter()
                .map(|(p, a)| (p.to_string(), a.iter().map(|s| s.to_string()).collect()))
                .collect(),
            catalog,
        }
    }
}

/// The issuer's policy.
#[derive(Clone, Debug)]
pub struct TokenPolicy {
    pub users: Vec<UserPolicy>,
    /// What an anonymous caller (no Authorization header) gets: (prefix, actions).
    pub anonymous: Vec<(String, Vec<String>)>,
    /// Issue refresh tokens for `offline_token=true` (GET) / `access_type=offline` (POST).
    pub refresh_tokens: bool,
    /// `expires_in` and `exp - iat` of every token (seconds; ≥ 60).
    pub expires_in: u64,
}

impl Default for TokenPolicy {
    /// alice: pull, push, delete everywhere + catalog; reader: pull everywhere; anonymous:
    /// nothing; refresh tokens on; 300 s tokens.
    fn default() -> Self {
        TokenPolicy {
            users: vec![
                UserPolicy::new(
                    ALICE,
                    ALICE_PASSWORD,
                    &[("", &["pull", "push", "delete"])],
                    true,
                ),
                UserPolicy::new(READER, READER_PASSWORD, &[("", &["pull"])], false),
            ],
            anonymous: Vec::new(),
            refresh_tokens: true,
            expires_in: 300,
        }
    }
}

impl TokenPolicy {
    /// The default policy plus anonymous pull of every repository.
    pub fn anonymous_pull() -> Self {
        TokenPolicy {
            anonymous: vec![(String::new(), vec!["pull".into()])],
            ..Default::default()
        }
    }

    fn allowed(grants: &[(String, Vec<String>)], catalog: bool, want: &Access) -> Vec<String> {
        match want.typ.as_str() {
            "repository" => {
                let mut allowed: Vec<String> = Vec::new();
                for (prefix, acts) in grants {
                    if want.name.starts_with(prefix.as_str()) {
                        allowed.extend(acts.iter().cloned());
                    }
                }
                let all = allowed.iter().any(|a| a == "*");
                want.actions
                    .iter()
                    .filter(|a| all || allowed.contains(a))
                    .cloned()
                    .collect()
            }
            "registry" if want.name == "catalog" && catalog => want
                .actions
                .iter()
                .filter(|a| a.as_str() == "*")
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// One request the issuer received (passwords and tokens are never recorded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssuerRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// POST only: `password` or `refresh_token`.
    pub grant_type: Option<String>,
    /// GET `account` parameter / POST `username`.
    pub account: Option<String>,
    /// The user of a Basic Authorization header, if any.
    pub basic_user: Option<String>,
    pub service: Option<String>,
    /// Every resource scope asked for, one per entry.
    pub scopes: Vec<String>,
    pub client_id: Option<String>,
    /// `offline_token=true` (GET) or `access_type=offline` (POST).
    pub offline: bool,
    /// The status the issuer answered with.
    pub status: u16,
}

#[derive(Default)]
struct State {
    log: Vec<IssuerRequest>,
    refresh: HashMap<String, (String, String)>,
    fail_next: VecDeque<u16>,
    /// Tokens still to issue already expired ([`TokenIssuer::expire_next`]).
    expired_next: usize,
}

struct Shared {
    policy: Mutex<TokenPolicy>,
    key: EcdsaKeyPair,
    kid: String,
    rng: SystemRandom,
    state: Mutex<State>,
}

/// A running issuer. Stops its thread on drop.
pub struct TokenIssuer {
    shared: Arc<Shared>,
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    cert_pem: String,
}

impl TokenIssuer {
    /// Generate a P-256 key and its self-signed cert, bind 127.0.0.1:0 and serve.
    pub fn start(policy: TokenPolicy) -> TokenIssuer {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("issuer: generate a P-256 key");
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .expect("issuer: load the P-256 key");
        let kp = rcgen::KeyPair::try_from(pkcs8.as_ref()).expect("issuer: rcgen key from PKCS#8");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("cert params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "manifest-tui test token issuer");
        let cert = params
            .self_signed(&kp)
            .expect("issuer: self-sign the token cert");
        let kid = libtrust_kid(&kp.subject_public_key_info());

        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("issuer: bind 127.0.0.1:0");
        let port = listener.local_addr().expect("issuer: local addr").port();
        let shared = Arc::new(Shared {
            policy: Mutex::new(policy),
            key,
            kid,
            rng,
            state: Mutex::new(State::default()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (sh, st) = (shared.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("token-issuer".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if st.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let sh = sh.clone();
                    std::thread::spawn(move || handle_conn(&sh, conn));
                }
            })
            .expect("issuer: spawn thread");
        TokenIssuer {
            shared,
            port,
            stop,
            thread: Some(thread),
            cert_pem: cert.pem(),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/token` (the registry's realm).
    /// `127.0.0.1:PORT`
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// PEM of the signing certificate (the registry's rootcertbundle).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The libtrust key id put in every token's `kid`.
    pub fn kid(&self) -> &str {
        &self.shared.kid
    }

    /// Number of HTTP requests received on the token endpoint so far.
    pub fn requests(&self) -> usize {
        self.lock().log.len()
    }

    /// Every request received so far, in order.
    pub fn log(&self) -> Vec<IssuerRequest> {
        self.lock().log.clone()
    }

    /// Every resource scope asked for so far, in order (one string per resource).
    pub fn scopes(&self) -> Vec<String> {
        self.lock()
            .log
            .iter()
            .flat_map(|r| r.scopes.clone())
            .collect()
    }

    /// Forget the request log (refresh tokens are kept).
    pub fn reset_stats(&self) {
        self.lock().log.clear();
    }

    /// Forget all refresh tokens (as an issuer restart with an in-memory store would).
    pub fn forget_refresh_tokens(&self) {
        self.lock().refresh.clear();
    }

    /// Answer the next `n` token requests with `status` (e.g. 500, 503) instead of a token.
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut s = self.lock();
        for _ in 0..n {
            s.fail_next.push_back(status);
        }
    }

    /// Issue the next `n` tokens already expired: their `exp` an hour ago, well past the
    /// 60 s of leeway Distribution allows, while the answer's `expires_in` still promises the
    /// policy's lifetime. To the client each looks fresh; the registry refuses it, as it
    /// would a token that expired while the client held it (a clock that jumped, a laptop
    /// that slept), with no test waiting for a clock.
    pub fn expire_next(&self, n: usize) {
        self.lock().expired_next = n;
    }

    pub fn set_policy(&self, policy: TokenPolicy) {
        *self.shared.policy.lock().unwrap_or_else(|e| e.into_inner()) = policy;
    }

    /// Sign a token for `sub` with exactly `access`, valid from now for `ttl_secs`
    /// (negative = already expired that long ago).
    pub fn mint(&self, sub: &str, access: &[Access], ttl_secs: i64) -> String {
        mint(&self.shared, sub, access, ttl_secs)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for TokenIssuer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_millis(200),
        );
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// libtrust fingerprint: base32(sha256(SPKI DER)[..30]) in 12 groups of 4 joined by ':'.
pub fn libtrust_kid(spki_der: &[u8]) -> String {
    let d = manifest_tui::digest::Digest::sha256(spki_der);
    let hex = d.hex();
    let bytes: Vec<u8> = (0..30)
        .map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).unwrap_or(0))
        .collect();
    let b32 = base32(&bytes);
    b32.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// RFC 4648 base32, upper case, no padding.
pub fn base32(data: &[u8]) -> String {
    const ALPHA: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buf: u64 = 0;
    let mut bits = 0;
    for &b in data {
        buf = (buf << 8) | b as u64;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHA[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHA[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn rand_hex(rng: &SystemRandom, n: usize) -> String {
    let mut b = vec![0u8; n];
    let _ = rng.fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn mint(sh: &Shared, sub: &str, access: &[Access], ttl: i64) -> String {
    let t = now();
    let header = serde_json::json!({"alg": "ES256", "kid": sh.kid, "typ": "JWT"});
    let claims = serde_json::json!({
        "iss": ISSUER,
        "sub": sub,
        "aud": SERVICE,
        "exp": t + ttl,
        "nbf": t - 5,
        "iat": t,
        "jti": rand_hex(&sh.rng, 16),
        "access": access.iter().map(Access::to_json).collect::<Vec<_>>(),
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = sh
        .key
        .sign(&sh.rng, signing_input.as_bytes())
        .expect("issuer: ES256 signing");
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
}

/// RFC 3339 UTC time of a Unix timestamp.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // civil_from_days (H. Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

// ------------------------------------------------------------------------------------------
// HTTP
// ------------------------------------------------------------------------------------------

struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

fn read_request(conn: &mut TcpStream) -> Option<Request> {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = conn.read(&mut tmp).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let mut headers = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut tmp).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    body.truncate(len);
    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
    Some(Request {
        method,
        path: path.to_string(),
        query: parse_form(q),
        headers,
        body,
    })
}

/// Parse `a=b&c=d` with percent-decoding and `+` as space.
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (pct_decode(k), pct_decode(v))
        })
        .collect()
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hexval = |c: u8| (c as char).to_digit(16).map(|v| v as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hexval(b[i + 1]), hexval(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn respond(conn: &mut TcpStream, status: u16, body: &serde_json::Value) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let body = body.to_string();
    let resp = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = conn.write_all(resp.as_bytes());
    let _ = conn.flush();
}

fn handle_conn(sh: &Shared, mut conn: TcpStream) {
    let Some(req) = read_request(&mut conn) else {
        return;
    };
    let (status, body, record) = answer(sh, &req);
    if let Some(mut rec) = record {
        rec.status = status;
        sh.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .log
            .push(rec);
    }
    respond(&mut conn, status, &body);
}

fn first<'a>(params: &'a [(String, String)], k: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(pk, _)| pk == k)
        .map(|(_, v)| v.as_str())
}

fn basic_credentials(req: &Request) -> Option<(String, String)> {
    let h = req.headers.get("authorization")?;
    let (scheme, val) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let dec = STANDARD.decode(val.trim()).ok()?;
    let s = String::from_utf8(dec).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

type Answer = (u16, serde_json::Value, Option<IssuerRequest>);

fn answer(sh: &Shared, req: &Request) -> Answer {
    if req.path != "/token" {
        return (404, serde_json::json!({"details": "not found"}), None);
    }
    let params: Vec<(String, String)> = match req.method.as_str() {
        "GET" => req.query.clone(),
        "POST" => parse_form(&String::from_utf8_lossy(&req.body)),
        _ => {
            return (
                405,
                serde_json::json!({"details": "method not allowed"}),
                None,
            )
        }
    };
    let rec = IssuerRequest {
        method: req.method.clone(),
        grant_type: if req.method == "POST" {
            first(&params, "grant_type").map(String::from)
        } else {
            None
        },
        account: first(
            &params,
            if req.method == "POST" {
                "username"
            } else {
                "account"
            },
        )
        .map(String::from),
        basic_user: basic_credentials(req).map(|(u, _)| u),
        service: first(&params, "service").map(String::from),
        scopes: params
            .iter()
            .filter(|(k, _)| k == "scope")
            .flat_map(|(_, v)| v.split(' ').filter(|s| !s.is_empty()).map(String::from))
            .collect::<Vec<_>>(),
        client_id: first(&params, "client_id").map(String::from),
        offline: first(&params, "offline_token") == Some("true")
            || first(&params, "access_type") == Some("offline"),
        status: 0,
    };
    if let Some(st) = sh
        .state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .fail_next
        .pop_front()
    {
        return (
            st,
            serde_json::json!({"details": "injected failure"}),
            Some(rec),
        );
    }
    let service = rec.service.clone().unwrap_or_else(|| SERVICE.to_string());
    if service != SERVICE {
        return (
            400,
            serde_json::json!({"details": format!("unknown service {service:?}")}),
            Some(rec),
        );
    }
    let policy = sh.policy.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let check_user = |u: &str, p: &str| -> Option<UserPolicy> {
        policy
            .users
            .iter()
            .find(|x| x.name == u && x.password == p)
            .cloned()
    };
    let invalid = || serde_json::json!({"details": "invalid credentials"});

    // Who is asking?
    let mut refresh_to_return: Option<String> = None;
    let subject: Option<UserPolicy> = if req.method == "GET" {
        match basic_credentials(req) {
            Some((u, p)) => match check_user(&u, &p) {
                Some(up) => Some(up),
                None => return (401, invalid(), Some(rec)),
            },
            None => None,
        }
    } else {
        match rec.grant_type.as_deref() {
            Some("password") => {
                let u = first(&params, "username").unwrap_or("");
                let p = first(&params, "password").unwrap_or("");
                match check_user(u, p) {
                    Some(up) => Some(up),
                    None => return (401, invalid(), Some(rec)),
                }
            }
            Some("refresh_token") => {
                let rt = first(&params, "refresh_token").unwrap_or("");
                let bound = sh
                    .state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .refresh
                    .get(rt)
                    .cloned();
                match bound {
                    Some((sub, svc)) if svc == service => {
                        match policy.users.iter().find(|x| x.name == sub) {
                            Some(up) => {
                                refresh_to_return = Some(rt.to_string());
                                Some(up.clone())
                            }
                            None => {
                                return (
                                    401,
                                    serde_json::json!({"details": "invalid refresh token"}),
                                    Some(rec),
                                )
                            }
                        }
                    }
                    _ => {
                        return (
                            401,
                            serde_json::json!({"details": "invalid refresh token"}),
                            Some(rec),
                        )
                    }
                }
            }
            other => {
                return (
                    400,
                    serde_json::json!({"details": format!("unsupported grant_type {other:?}")}),
                    Some(rec),
                )
            }
        }
    };

    // Grant the intersection of what was asked and what is allowed.
    let mut granted: Vec<Access> = Vec::new();
    for s in &rec.scopes {
        let Some(want) = parse_scope(s) else { continue };
        let acts = match &subject {
            Some(u) => TokenPolicy::allowed(&u.repos, u.catalog, &want),
            None => TokenPolicy::allowed(&policy.anonymous, false, &want),
        };
        if acts.is_empty() {
            continue;
        }
        match granted
            .iter_mut()
            .find(|g| g.typ == want.typ && g.name == want.name)
        {
            Some(g) => {
                for a in acts {
                    if !g.actions.contains(&a) {
                        g.actions.push(a);
                    }
                }
            }
            None => granted.push(Access {
                typ: want.typ.clone(),
                name: want.name.clone(),
                actions: acts,
            }),
        }
    }
    let sub = subject.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    let ttl = policy.expires_in.max(60) as i64;
    let expired = {
        let mut s = sh.state.lock().unwrap_or_else(|e| e.into_inner());
        let take = s.expired_next > 0;
        s.expired_next = s.expired_next.saturating_sub(1);
        take
    };
    let token = mint(sh, &sub, &granted, if expired { -3600 } else { ttl });
    let issued_at = rfc3339(now());

    if subject.is_some() && refresh_to_return.is_none() && rec.offline && policy.refresh_tokens {
        let rt = rand_hex(&sh.rng, 24);
        sh.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .refresh
            .insert(rt.clone(), (sub.clone(), service.clone()));
        refresh_to_return = Some(rt);
    }
    let mut body = serde_json::Map::new();
    if req.method == "GET" {
        body.insert("token".into(), token.clone().into());
    }
    body.insert("access_token".into(), token.into());
    if req.method == "POST" {
        let scope: Vec<String> = granted.iter().map(Access::scope_string).collect();
        body.insert("scope".into(), scope.join(" ").into());
    }
    body.insert("expires_in".into(), ttl.into());
    body.insert("issued_at".into(), issued_at.into());
    if let Some(rt) = refresh_to_return {
        body.insert("refresh_token".into(), rt.into());
    }
    (200, serde_json::Value::Object(body), Some(rec))
}
