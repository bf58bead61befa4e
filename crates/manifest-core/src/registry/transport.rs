//! The client: its options and per-registry state, and every request it sends.

use crate::digest::Digest;
use crate::media::{RawManifest, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES};
use crate::reference::Reference;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::auth::{self, Credential, Scope, Secret};
use super::error::{self, ErrorCode, ErrorKind, RegistryError};
use super::{http, tls};

/// How the client is configured. `Default` is what the CLI uses with no flags.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Registries (`host[:port]`) allowed to use plain HTTP or unverified TLS.
    /// Loopback registries are always treated as insecure-allowed, as docker does.
    pub insecure: Vec<String>,
    /// `--insecure` given: every registry in this invocation is insecure-allowed.
    pub insecure_all: bool,
    /// `$DOCKER_CONFIG` (holds config.json); `None` = env `DOCKER_CONFIG` or `~/.docker`.
    pub docker_config: Option<PathBuf>,
    /// Extra certs.d roots to search (default `/etc/docker/certs.d`, `~/.config/docker/certs.d`).
    pub certs_dirs: Option<Vec<PathBuf>>,
    /// Requests in flight per registry (default [`DEFAULT_MAX_IN_FLIGHT`]).
    pub max_in_flight: usize,
    /// User-Agent header.
    pub user_agent: String,
    /// Treat loopback registries as insecure-allowed (default true, like docker). Tests turn
    /// it off to exercise certificate verification against a local TLS registry.
    pub loopback_insecure: bool,
    /// How long a response may stay silent (headers or between body chunks) before the
    /// request fails as timed out (default 60 s). Tests shorten it.
    pub read_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure: Vec::new(),
            insecure_all: false,
            docker_config: None,
            certs_dirs: None,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            user_agent: concat!("manifest-tui/", env!("CARGO_PKG_VERSION")).to_string(),
            loopback_insecure: true,
            read_timeout: Duration::from_secs(60),
        }
    }
}

/// A repository on a registry: `domain` is as in [`Reference::domain`], `path` the repo path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Repo {
    pub domain: String,
    pub path: String,
}

impl Repo {
    pub fn of(r: &Reference) -> Repo {
        Repo {
            domain: r.domain.clone(),
            path: r.path.clone(),
        }
    }
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.domain, self.path)
    }
}

/// Counters of what the client sent, for tests and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests sent (token requests included).
    pub requests: u64,
    /// Token requests sent to an auth realm.
    pub token_requests: u64,
    /// New TCP connections opened (registry and token realm).
    pub connections: u64,
}

/// Progress of a blob copy, in bytes.
pub type ByteProgress = Arc<dyn Fn(u64) + Send + Sync>;

/// Receives one line per request for `-v` / debug logs. Lines never contain header values.
pub type TraceFn = Arc<dyn Fn(&str) + Send + Sync>;

/// The client: cheap to clone (shares pools, token caches and counters).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    opts: ClientOptions,
    certs_dirs: Vec<PathBuf>,
    config_dir: Option<PathBuf>,
    registries: Mutex<HashMap<String, Arc<Registry>>>,
    pools: Mutex<HashMap<(String, bool), reqwest::Client>>,
    tokens: Mutex<HashMap<String, Arc<tokio::sync::Mutex<TokenSlot>>>>,
    requests: AtomicU64,
    token_requests: AtomicU64,
    connections: Arc<AtomicU64>,
    trace: Mutex<Option<TraceFn>>,
}

/// What we know about one registry.
struct Registry {
    domain: String,
    /// Host used for the API (`registry-1.docker.io` for `docker.io`).
    api_host: String,
    insecure: bool,
    client: reqwest::Client,
    sem: Arc<Semaphore>,
    /// `https://host` or `http://host`, resolved by the first `GET /v2/`.
    base: tokio::sync::OnceCell<String>,
    auth: Mutex<AuthMode>,
    creds: tokio::sync::OnceCell<Option<Credential>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum AuthMode {
    None,
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

#[derive(Clone)]
struct CachedToken {
    token: Secret,
    expires: Instant,
}

/// One scope's token, or the failure to get it. Requests for the same scope queue on the
/// slot; remembering a failure for [`TOKEN_FAILURE_MEMORY`] makes the ones queued behind a
/// failed fetch fail at once instead of each retrying the token server again.
#[derive(Default)]
struct TokenSlot {
    cached: Option<CachedToken>,
    failed: Option<(Instant, RegistryError)>,
}

const TOKEN_FAILURE_MEMORY: Duration = Duration::from_secs(5);

/// A request body: replayable bytes, or a one-shot stream.
enum ReqBody {
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
enum Permit {
    Acquire,
    /// Already held by the caller (`None`: covered by a permit held elsewhere).
    Held(Option<OwnedSemaphorePermit>),
}

/// One request to a registry.
struct Call {
    method: Method,
    /// `/v2/...` (joined to the registry base) or an absolute URL (upload locations).
    path: String,
    scopes: Vec<Scope>,
    headers: HeaderMap,
    body: ReqBody,
    idempotent: bool,
    permit: Permit,
}

impl Call {
    fn new(method: Method, path: String, scopes: Vec<Scope>) -> Call {
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
    fn header(mut self, name: HeaderName, value: &str) -> Call {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }
}

/// A response with the permit that bounds it and the request line for messages.
struct Resp {
    resp: reqwest::Response,
    request: String,
    _permit: Option<OwnedSemaphorePermit>,
}

const MAX_ATTEMPTS: u32 = 4;
/// The most pages [`Client::list_tags`] fetches (a registry whose `Link`s never end).
pub const MAX_PAGES: usize = 10_000;

/// Requests in flight per registry. 32 lets a 24-entry list's children go out in one wave
/// (each wave over fresh HTTP/1.1 connections costs a round trip more); measured in
/// BENCHMARKS.md: 8 in flight took 3 waves and 6.4 round trips for `inspect -v` at N=24.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 32;

/// Follows `Link` continuation tokens safely: stops when a token repeats (a Link loop such
/// as a→b→a) or after [`MAX_PAGES`] pages. Shared by every paging loop.
#[derive(Debug, Default)]
pub struct Pager {
    last: Option<String>,
    seen: std::collections::HashSet<String>,
    pages: usize,
}

impl Pager {
    /// The token to ask the next page with (`None` for the first page).
    pub fn last(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// Record the token a page returned; false when paging must stop.
    pub fn advance(&mut self, next: Option<String>) -> bool {
        self.pages += 1;
        match next {
            Some(nx) if self.pages < MAX_PAGES && self.seen.insert(nx.clone()) => {
                self.last = Some(nx);
                true
            }
            _ => false,
        }
    }
}
const RETRY_BUDGET: Duration = Duration::from_secs(30);
const MAX_ERROR_BODY: usize = 64 * 1024;
const CONTENT_DIGEST: &str = "docker-content-digest";

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, RegistryError> {
        tls::provider();
        let certs_dirs = opts
            .certs_dirs
            .clone()
            .unwrap_or_else(tls::default_certs_dirs);
        let config_dir = auth::docker_config_dir(opts.docker_config.as_deref());
        let mut opts = opts;
        if opts.max_in_flight == 0 {
            opts.max_in_flight = DEFAULT_MAX_IN_FLIGHT;
        }
        Ok(Client {
            inner: Arc::new(Inner {
                opts,
                certs_dirs,
                config_dir,
                registries: Mutex::new(HashMap::new()),
                pools: Mutex::new(HashMap::new()),
                tokens: Mutex::new(HashMap::new()),
                requests: AtomicU64::new(0),
                token_requests: AtomicU64::new(0),
                connections: Arc::new(AtomicU64::new(0)),
                trace: Mutex::new(None),
            }),
        })
    }

    /// Install (or remove) a per-request trace sink (for `-v`). Lines never hold secrets.
    pub fn set_trace(&self, f: Option<TraceFn>) {
        if let Ok(mut t) = self.inner.trace.lock() {
            *t = f;
        }
    }

    /// Is `domain` allowed to use plain HTTP / unverified TLS?
    pub fn is_insecure_allowed(&self, domain: &str) -> bool {
        let o = &self.inner.opts;
        o.insecure_all
            || o.insecure.iter().any(|d| d == domain)
            || (o.loopback_insecure && tls::is_loopback(domain))
    }

    /// Check that a registry answers (`GET /v2/`), resolving its scheme and auth.
    pub async fn ping(&self, domain: &str) -> Result<(), RegistryError> {
        let reg = self.registry(domain)?;
        self.base(&reg).await.map(|_| ())
    }

    /// GET a manifest by tag or digest with all four Accept types; verifies the bytes against
    /// the digest in the reference and against `Docker-Content-Digest`; refuses > 4 MiB.
    pub async fn get_manifest(&self, r: &Reference) -> Result<RawManifest, RegistryError> {
        let path = format!("/v2/{}/manifests/{}", r.path, r.manifest_reference());
        let (headers, request, bytes) = self
            .fetch_body(
                || {
                    let call = Call::new(Method::GET, path.clone(), vec![Scope::pull(&r.path)])
                        .header(reqwest::header::ACCEPT, MANIFEST_ACCEPT);
                    self.execute(&r.domain, call)
                },
                MAX_MANIFEST_BYTES,
            )
            .await?;
        let ct = header_str(&headers, "content-type").unwrap_or_default();
        let header_digest = header_str(&headers, CONTENT_DIGEST);
        if let Some(want) = &r.digest {
            check_digest(&request, want, &bytes)?;
        }
        if let Some(h) = header_digest.as_deref().and_then(|h| Digest::parse(h).ok()) {
            check_digest(&request, &h, &bytes)?;
        }
        RawManifest::new(bytes, &ct)
            .map_err(|e| RegistryError::new(request, ErrorKind::Other(e.to_string())))
    }

    /// HEAD a manifest: `(media type, digest, size)`, or `None` when it does not exist.
    pub async fn head_manifest(
        &self,
        r: &Reference,
    ) -> Result<Option<(String, Digest, u64)>, RegistryError> {
        let path = format!("/v2/{}/manifests/{}", r.path, r.manifest_reference());
        let call = Call::new(Method::HEAD, path, vec![Scope::pull(&r.path)])
            .header(reqwest::header::ACCEPT, MANIFEST_ACCEPT);
        let resp = self.execute(&r.domain, call).await?;
        if resp.resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = expect(resp, &[200]).await?;
        let h = resp.resp.headers();
        let ct = header_str(h, "content-type").unwrap_or_default();
        let ct = ct.split(';').next().unwrap_or("").trim().to_string();
        let digest = header_str(h, CONTENT_DIGEST).and_then(|d| Digest::parse(&d).ok());
        let size = header_str(h, "content-length").and_then(|s| s.parse::<u64>().ok());
        match (digest, size) {
            (Some(d), Some(s)) if !ct.is_empty() => {
                if let Some(want) = &r.digest {
                    if &d != want {
                        return Err(RegistryError::new(
                            resp.request.clone(),
                            ErrorKind::DigestMismatch {
                                expected: want.to_string(),
                                actual: d.to_string(),
                            },
                        ));
                    }
                }
                Ok(Some((ct, d, s)))
            }
            _ => {
                // The registry did not say enough: fetch and hash the bytes ourselves.
                drop(resp);
                let m = self.get_manifest(r).await?;
                Ok(Some((
                    m.media_type.clone(),
                    m.digest.clone(),
                    m.bytes.len() as u64,
                )))
            }
        }
    }

    /// PUT exact bytes under `reference` (a tag or a digest string); returns the digest the
    /// registry reports, checked against the bytes' own digest.
    pub async fn put_manifest(
        &self,
        repo: &Repo,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        let own = Digest::sha256(bytes);
        let path = format!("/v2/{}/manifests/{}", repo.path, reference);
        if let Ok(d) = Digest::parse(reference) {
            check_digest(&format!("PUT {path}"), &d, bytes)?;
        }
        let mut call = Call::new(Method::PUT, path, vec![Scope::push(&repo.path)])
            .header(reqwest::header::CONTENT_TYPE, media_type);
        call.body = ReqBody::Bytes(bytes.to_vec());
        call.idempotent = true;
        let resp = self.execute(&repo.domain, call).await?;
        let resp = expect(resp, &[201, 200]).await?;
        if let Some(h) = header_str(resp.resp.headers(), CONTENT_DIGEST) {
            if h != own.as_str() {
                return Err(RegistryError::new(
                    resp.request.clone(),
                    ErrorKind::DigestMismatch {
                        expected: own.to_string(),
                        actual: h,
                    },
                ));
            }
        }
        Ok(own)
    }

    pub async fn delete_manifest(&self, repo: &Repo, digest: &Digest) -> Result<(), RegistryError> {
        let path = format!("/v2/{}/manifests/{}", repo.path, digest);
        let call = Call::new(Method::DELETE, path, vec![Scope::delete(&repo.path)]);
        let resp = self.execute(&repo.domain, call).await?;
        expect(resp, &[202, 200, 204]).await.map(|_| ())
    }

    /// HEAD a blob: its size when present.
    pub async fn blob_exists(
        &self,
        repo: &Repo,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        let path = format!("/v2/{}/blobs/{}", repo.path, digest);
        let call = Call::new(Method::HEAD, path, vec![Scope::pull(&repo.path)]);
        let resp = self.execute(&repo.domain, call).await?;
        if resp.resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = expect(resp, &[200]).await?;
        Ok(Some(
            header_str(resp.resp.headers(), "content-length")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        ))
    }

    /// GET a small blob (an image config), digest-verified, refusing more than `max` bytes.
    pub async fn get_blob(
        &self,
        repo: &Repo,
        digest: &Digest,
        max: usize,
    ) -> Result<Vec<u8>, RegistryError> {
        let path = format!("/v2/{}/blobs/{}", repo.path, digest);
        let (_, request, bytes) = self
            .fetch_body(
                || {
                    let call = Call::new(Method::GET, path.clone(), vec![Scope::pull(&repo.path)]);
                    self.execute(&repo.domain, call)
                },
                max,
            )
            .await?;
        check_digest(&request, digest, &bytes)?;
        Ok(bytes)
    }

    /// Cross-repository mount on one registry. `Ok(true)`: mounted (201).
    /// `Ok(false)`: the registry opened an upload instead (202); that session is cancelled.
    pub async fn mount_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
    ) -> Result<bool, RegistryError> {
        if target.domain != from.domain {
            return Err(RegistryError::new(
                format!("POST {}/v2/{}/blobs/uploads/", target.domain, target.path),
                ErrorKind::Other(format!(
                    "cannot mount a blob across registries ({} → {}); copy it instead",
                    from.domain, target.domain
                )),
            ));
        }
        let path = format!(
            "/v2/{}/blobs/uploads/?mount={}&from={}",
            target.path,
            digest,
            encode(&from.path)
        );
        let call = Call::new(
            Method::POST,
            path,
            vec![Scope::push(&target.path), Scope::pull(&from.path)],
        );
        let resp = self.execute(&target.domain, call).await?;
        match resp.resp.status().as_u16() {
            201 => Ok(true),
            202 => {
                let location = header_str(resp.resp.headers(), "location");
                drop(resp);
                if let Some(loc) = location {
                    self.cancel_upload(&target.domain, &target.path, &loc).await;
                }
                Ok(false)
            }
            _ => Err(fail(resp).await),
        }
    }

    /// Make sure `digest` exists in `target`. On one registry, mount it from `from` straight
    /// away (a 201 also answers "already there", so no HEAD is spent first); when the mount is
    /// refused, or across registries, HEAD the target and stream-copy what is missing,
    /// reporting bytes copied.
    pub async fn ensure_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
    ) -> Result<(), RegistryError> {
        let done = |progress: &Option<ByteProgress>| {
            if let Some(p) = progress {
                p(size);
            }
        };
        if target.domain == from.domain
            && target.path != from.path
            && self.mount_blob(target, from, digest).await?
        {
            done(&progress);
            return Ok(());
        }
        if self.blob_exists(target, digest).await?.is_some() {
            done(&progress);
            return Ok(());
        }
        self.copy_blob(target, from, digest, size, progress).await
    }

    /// Monolithic upload of bytes (POST then PUT ?digest=).
    pub async fn upload_blob(
        &self,
        repo: &Repo,
        digest: &Digest,
        bytes: Vec<u8>,
    ) -> Result<(), RegistryError> {
        check_digest(&format!("upload to {repo}"), digest, &bytes)?;
        let location = self.start_upload(repo).await?;
        let url = with_digest(&location, digest);
        let len = bytes.len();
        let mut call = Call::new(Method::PUT, url, vec![Scope::push(&repo.path)])
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header(reqwest::header::CONTENT_LENGTH, &len.to_string());
        call.body = ReqBody::Bytes(bytes);
        let resp = match self.execute(&repo.domain, call).await {
            Ok(r) => r,
            Err(e) => {
                self.cancel_upload(&repo.domain, &repo.path, &location)
                    .await;
                return Err(e);
            }
        };
        match expect(resp, &[201, 204]).await {
            Ok(_) => Ok(()),
            Err(e) => {
                self.cancel_upload(&repo.domain, &repo.path, &location)
                    .await;
                Err(e)
            }
        }
    }

    /// One page of tags (`n` per page, `last` = continuation token from the previous page's
    /// Link header). Returns the tags and the next `last` token, if any.
    pub async fn tags_page(
        &self,
        repo: &Repo,
        n: usize,
        last: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), RegistryError> {
        #[derive(serde::Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let path = page_path(&format!("/v2/{}/tags/list", repo.path), n, last);
        let call = Call::new(Method::GET, path, vec![Scope::pull(&repo.path)]);
        let (body, next, request): (Tags, _, _) = self.page(&repo.domain, call, last).await?;
        let _ = request;
        Ok((body.tags.unwrap_or_default(), next))
    }

    /// One page of the catalog (same paging as `tags_page`).
    pub async fn catalog_page(
        &self,
        domain: &str,
        n: usize,
        last: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), RegistryError> {
        #[derive(serde::Deserialize)]
        struct Catalog {
            #[serde(default)]
            repositories: Option<Vec<String>>,
        }
        let path = page_path("/v2/_catalog", n, last);
        let call = Call::new(Method::GET, path, vec![Scope::catalog()]);
        let (body, next, _): (Catalog, _, _) = self.page(domain, call, last).await?;
        Ok((body.repositories.unwrap_or_default(), next))
    }

    /// Every tag of a repository, page by page (`n` per page), with a loop guard: a `Link`
    /// that leads back to any page already fetched ends the listing, and so does reaching
    /// [`MAX_PAGES`] pages.
    pub async fn list_tags(&self, repo: &Repo, n: usize) -> Result<Vec<String>, RegistryError> {
        let mut all = Vec::new();
        let mut pager = Pager::default();
        loop {
            let (tags, next) = self.tags_page(repo, n, pager.last()).await?;
            all.extend(tags);
            if !pager.advance(next) {
                break;
            }
        }
        Ok(all)
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.inner.requests.load(Ordering::Relaxed),
            token_requests: self.inner.token_requests.load(Ordering::Relaxed),
            connections: self.inner.connections.load(Ordering::Relaxed),
        }
    }

    // ----- internals -------------------------------------------------------------------

    /// Send an idempotent GET (built afresh by `send` for every attempt), expect 200 and read
    /// at most `limit` bytes of its body. A body cut short (reset, truncated, timed out) is
    /// retried like a failed request. Returns the headers, the request line and the bytes.
    async fn fetch_body<F, Fut>(
        &self,
        send: F,
        limit: usize,
    ) -> Result<(HeaderMap, String, Vec<u8>), RegistryError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Resp, RegistryError>>,
    {
        let start = Instant::now();
        let mut attempt = 1u32;
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
                    let d = http::backoff(attempt);
                    if attempt >= MAX_ATTEMPTS || start.elapsed() + d > RETRY_BUDGET {
                        return Err(e);
                    }
                    self.trace(&format!(
                        "{request}: body cut short; retry {attempt} in {d:?}"
                    ));
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn trace(&self, line: &str) {
        let f = self.inner.trace.lock().ok().and_then(|t| t.clone());
        if let Some(f) = f {
            f(line);
        }
    }

    fn registry(&self, domain: &str) -> Result<Arc<Registry>, RegistryError> {
        if let Some(r) = self
            .inner
            .registries
            .lock()
            .ok()
            .and_then(|m| m.get(domain).cloned())
        {
            return Ok(r);
        }
        let insecure = self.is_insecure_allowed(domain);
        let client = self.pool(domain, insecure)?;
        let api_host = if domain == "docker.io" || domain == "index.docker.io" {
            "registry-1.docker.io".to_string()
        } else {
            domain.to_string()
        };
        let reg = Arc::new(Registry {
            domain: domain.to_string(),
            api_host,
            insecure,
            client,
            sem: Arc::new(Semaphore::new(self.inner.opts.max_in_flight)),
            base: tokio::sync::OnceCell::new(),
            auth: Mutex::new(AuthMode::None),
            creds: tokio::sync::OnceCell::new(),
        });
        let mut map = self.inner.registries.lock().map_err(|_| {
            RegistryError::new(domain, ErrorKind::Other("internal lock poisoned".into()))
        })?;
        Ok(map.entry(domain.to_string()).or_insert(reg).clone())
    }

    /// The pooled client for (host, security mode), built on first use.
    fn pool(&self, host: &str, insecure: bool) -> Result<reqwest::Client, RegistryError> {
        let key = (host.to_string(), insecure);
        if let Some(c) = self
            .inner
            .pools
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(c);
        }
        let setup_err =
            |m: String| RegistryError::new(format!("TLS setup for {host}"), ErrorKind::Other(m));
        let certs = tls::load_certs_d(&self.inner.certs_dirs, host).map_err(setup_err)?;
        let cfg = tls::client_config(&certs, insecure).map_err(setup_err)?;
        let mut b = reqwest::Client::builder()
            .tls_backend_preconfigured(cfg)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(self.inner.opts.read_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(self.inner.opts.user_agent.clone())
            .connector_layer(http::CountConnections(self.inner.connections.clone()));
        if tls::is_loopback(host) {
            b = b.no_proxy();
        }
        let c = b
            .build()
            .map_err(|e| setup_err(format!("cannot build the HTTP client: {}", describe(&e))))?;
        if let Ok(mut m) = self.inner.pools.lock() {
            return Ok(m.entry(key).or_insert(c).clone());
        }
        Ok(c)
    }

    /// The registry's base URL, resolving scheme and auth with `GET /v2/` the first time.
    async fn base(&self, reg: &Arc<Registry>) -> Result<String, RegistryError> {
        reg.base
            .get_or_try_init(|| self.resolve_base(reg))
            .await
            .cloned()
    }

    async fn resolve_base(&self, reg: &Arc<Registry>) -> Result<String, RegistryError> {
        let start = Instant::now();
        let mut attempt = 1;
        loop {
            match self.try_resolve_base(reg).await {
                Ok(b) => return Ok(b),
                Err((e, retryable)) => {
                    let delay = http::backoff(attempt);
                    if !retryable
                        || attempt >= MAX_ATTEMPTS
                        || start.elapsed() + delay > RETRY_BUDGET
                    {
                        return Err(e);
                    }
                    self.trace(&format!("retrying {} in {delay:?}: {e}", e.request));
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn try_resolve_base(&self, reg: &Arc<Registry>) -> Result<String, (RegistryError, bool)> {
        let https = format!("https://{}", reg.api_host);
        let http_base = format!("http://{}", reg.api_host);
        if reg.insecure {
            // Both schemes at once: a plain-HTTP registry costs no failed TLS round trip
            // first.
            let race =
                race_schemes(self.ping_once(reg, &https), self.ping_once(reg, &http_base)).await;
            let (https_err, e) = match race {
                SchemeRace::Https(()) => return Ok(https),
                SchemeRace::Http(()) => return Ok(http_base),
                SchemeRace::Neither { https, http } => (https, http),
            };
            let request = format!("GET {http_base}/v2/");
            let retryable = e.is_connect() || e.is_timeout();
            let msg = format!(
                "{} (https failed too: {})",
                describe(&e),
                describe(&https_err)
            );
            return Err((
                RegistryError::new(
                    request,
                    ErrorKind::Transport {
                        message: msg,
                        hint: Some(format!(
                            "is the registry running at {}? Start it or check the host and port",
                            reg.domain
                        )),
                    },
                ),
                retryable,
            ));
        }
        let https_err = match self.ping_once(reg, &https).await {
            Ok(()) => return Ok(https),
            Err(e) => e,
        };
        let tls_problem = is_tls_error(&https_err);
        let request = format!("GET {https}/v2/");
        if tls_problem {
            // Does it speak plain HTTP? Then say so (docker says "no such manifest").
            if let Ok(resp) = reg.client.get(format!("{http_base}/v2/")).send().await {
                self.inner.requests.fetch_add(1, Ordering::Relaxed);
                if resp
                    .headers()
                    .contains_key("docker-distribution-api-version")
                    || matches!(resp.status().as_u16(), 200 | 401)
                {
                    return Err((
                        RegistryError::new(
                            request,
                            ErrorKind::Transport {
                                message: format!(
                                    "the registry {} speaks plain HTTP, not HTTPS, and it is not allowed to be insecure",
                                    reg.domain
                                ),
                                hint: Some(format!(
                                    "pass --insecure (or list {} as an insecure registry) to use plain HTTP with it",
                                    reg.domain
                                )),
                            },
                        ),
                        false,
                    ));
                }
            }
            return Err((
                RegistryError::new(
                    request,
                    ErrorKind::Transport {
                        message: format!("TLS handshake failed: {}", describe(&https_err)),
                        hint: Some(format!(
                            "if the registry uses a private CA put its certificate in /etc/docker/certs.d/{d}/ca.crt or ~/.config/docker/certs.d/{d}/ca.crt; to skip verification pass --insecure",
                            d = reg.domain
                        )),
                    },
                ),
                false,
            ));
        }
        let retryable = https_err.is_connect() || https_err.is_timeout();
        Err((transport(request, &https_err), retryable))
    }

    /// One `GET base/v2/`; learns the auth scheme from the answer.
    async fn ping_once(&self, reg: &Arc<Registry>, base: &str) -> Result<(), reqwest::Error> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        self.trace(&format!("GET {base}/v2/ (ping)"));
        let resp = reg.client.get(format!("{base}/v2/")).send().await?;
        self.trace(&format!("{} GET {base}/v2/", resp.status().as_u16()));
        if resp.status() == StatusCode::UNAUTHORIZED {
            self.learn_auth(reg, resp.headers());
        }
        // Read the (small) body so the connection goes back to the pool for the next request.
        let _ = resp.bytes().await;
        Ok(())
    }

    fn learn_auth(&self, reg: &Registry, headers: &HeaderMap) {
        let values: Vec<&str> = headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ch = auth::parse_challenges(values);
        let mode = if let Some(b) = ch
            .iter()
            .find(|c| c.scheme == "bearer" && c.param("realm").is_some())
        {
            AuthMode::Bearer {
                realm: b.param("realm").unwrap_or_default().to_string(),
                service: b.param("service").map(str::to_string),
            }
        } else if ch.iter().any(|c| c.scheme == "basic") {
            AuthMode::Basic
        } else {
            return;
        };
        if let Ok(mut a) = reg.auth.lock() {
            *a = mode;
        }
    }

    /// Credentials for the registry, looked up once (helpers on a blocking thread).
    async fn creds(&self, reg: &Arc<Registry>) -> Result<Option<Credential>, RegistryError> {
        let dir = self.inner.config_dir.clone();
        let domain = reg.domain.clone();
        reg.creds
            .get_or_try_init(|| async move {
                let Some(dir) = dir else { return Ok(None) };
                let d2 = domain.clone();
                tokio::task::spawn_blocking(move || auth::lookup_credentials(&dir, &d2))
                    .await
                    .map_err(|e| format!("credential lookup failed: {e}"))
                    .and_then(|r| r)
                    .map_err(|m| {
                        RegistryError::new(
                            format!("credentials for {domain}"),
                            ErrorKind::Auth { message: m },
                        )
                    })
            })
            .await
            .cloned()
    }

    /// The Authorization value for a request (None: send none). `stale`: the token that just
    /// got a 401, to be replaced.
    async fn authorization(
        &self,
        reg: &Arc<Registry>,
        scopes: &[Scope],
        stale: Option<&Secret>,
        url: &str,
    ) -> Result<Option<Secret>, RegistryError> {
        if url.starts_with("http://") && !reg.insecure {
            return Ok(None);
        }
        let mode = reg.auth.lock().map(|a| a.clone()).unwrap_or(AuthMode::None);
        match mode {
            AuthMode::None => Ok(None),
            AuthMode::Basic => Ok(self.creds(reg).await?.and_then(|c| c.basic_header())),
            AuthMode::Bearer { realm, service } => {
                let t = self
                    .token(reg, &realm, service.as_deref(), scopes, stale)
                    .await?;
                Ok(Some(Secret::new(format!("Bearer {}", t.expose()))))
            }
        }
    }

    async fn token(
        &self,
        reg: &Arc<Registry>,
        realm: &str,
        service: Option<&str>,
        scopes: &[Scope],
        stale: Option<&Secret>,
    ) -> Result<Secret, RegistryError> {
        let scopes = auth::normalize_scopes(scopes.iter().cloned());
        let key = format!(
            "{}|{}|{}",
            reg.domain,
            realm,
            scopes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let cell = {
            let mut m = self.inner.tokens.lock().map_err(|_| {
                RegistryError::new(realm, ErrorKind::Other("internal lock poisoned".into()))
            })?;
            m.entry(key).or_default().clone()
        };
        let mut slot = cell.lock().await;
        if let Some((at, e)) = &slot.failed {
            if at.elapsed() < TOKEN_FAILURE_MEMORY {
                return Err(e.clone());
            }
        }
        if let Some(t) = slot.cached.as_ref() {
            let is_stale =
                stale.is_some_and(|s| s.expose().strip_prefix("Bearer ") == Some(t.token.expose()));
            if !is_stale && t.expires > Instant::now() {
                return Ok(t.token.clone());
            }
        }
        // The token server is a request like any other: a 5xx, a 429 or a dropped connection
        // is retried with the same backoff and budget as registry requests.
        let start = Instant::now();
        let mut attempt = 1u32;
        let (token, expires_in) = loop {
            match self.fetch_token(reg, realm, service, &scopes).await {
                Ok(t) => break t,
                Err(TokenFailure {
                    error,
                    retry: Some(hint),
                }) => {
                    let d = hint.unwrap_or_else(|| http::backoff(attempt));
                    if attempt >= MAX_ATTEMPTS || start.elapsed() + d > RETRY_BUDGET {
                        slot.failed = Some((Instant::now(), error.clone()));
                        return Err(error);
                    }
                    self.trace(&format!("{error}; retry {attempt} in {d:?}"));
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                Err(TokenFailure { error, retry: None }) => {
                    slot.failed = Some((Instant::now(), error.clone()));
                    return Err(error);
                }
            }
        };
        slot.failed = None;
        let margin = if expires_in > 40 { 20 } else { expires_in / 3 };
        slot.cached = Some(CachedToken {
            token: token.clone(),
            expires: Instant::now() + Duration::from_secs(expires_in - margin),
        });
        Ok(token)
    }

    async fn fetch_token(
        &self,
        reg: &Arc<Registry>,
        realm: &str,
        service: Option<&str>,
        scopes: &[Scope],
    ) -> Result<(Secret, u64), TokenFailure> {
        let bad_realm =
            |m: String| RegistryError::new(format!("GET {realm}"), ErrorKind::Auth { message: m });
        let realm_url = Url::parse(realm).map_err(|e| {
            bad_realm(format!(
                "the registry's token realm {realm:?} is not a URL: {e}"
            ))
        })?;
        let realm_host = match (realm_url.host_str(), realm_url.port()) {
            (Some(h), Some(p)) if h.contains(':') => format!("[{h}]:{p}"),
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => {
                return Err(bad_realm(format!("the token realm {realm} has no host")).into())
            }
        };
        let realm_insecure = self.is_insecure_allowed(&realm_host);
        let creds = self.creds(reg).await?;
        if realm_url.scheme() != "https" && creds.is_some() && !realm_insecure && !reg.insecure {
            return Err(bad_realm(format!(
                "the token realm {realm} is plain HTTP; refusing to send your credentials over it (pass --insecure to allow it)"
            ))
            .into());
        }
        let client = self.pool(&realm_host, realm_insecure)?;
        let scope_strs: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let who = creds
            .as_ref()
            .map(|c| format!("user {}", c.username()))
            .unwrap_or_else(|| "anonymous".to_string());

        if let Some(Credential::IdentityToken { token, .. }) = &creds {
            let mut form = vec![
                ("grant_type", "refresh_token".to_string()),
                ("refresh_token", token.expose().to_string()),
                ("client_id", "manifest-tui".to_string()),
            ];
            if let Some(s) = service {
                form.push(("service", s.to_string()));
            }
            if !scope_strs.is_empty() {
                form.push(("scope", scope_strs.join(" ")));
            }
            let body = form
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            self.inner.requests.fetch_add(1, Ordering::Relaxed);
            self.inner.token_requests.fetch_add(1, Ordering::Relaxed);
            self.trace(&format!(
                "POST {realm} (token, refresh grant, scopes {})",
                scope_strs.join(" ")
            ));
            let resp = client
                .post(realm_url.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body)
                .send()
                .await
                .map_err(|e| TokenFailure::transport(format!("POST {realm}"), &e))?;
            let status = resp.status().as_u16();
            if status != 404 && status != 405 {
                return self
                    .token_answer(resp, &format!("POST {realm}"), &who, reg)
                    .await;
            }
        }

        let mut url = realm_url;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = service {
                q.append_pair("service", s);
            }
            for s in &scope_strs {
                q.append_pair("scope", s);
            }
            if let Some(c) = &creds {
                if !c.username().is_empty() {
                    q.append_pair("account", c.username());
                }
            }
        }
        let request = format!("GET {url}");
        let mut rb = client.get(url.clone());
        if let Some(h) = creds.as_ref().and_then(|c| c.basic_header()) {
            let mut v = HeaderValue::from_str(h.expose()).map_err(|_| {
                bad_realm("the stored credentials cannot be sent in a header".into())
            })?;
            v.set_sensitive(true);
            rb = rb.header(reqwest::header::AUTHORIZATION, v);
        }
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        self.inner.token_requests.fetch_add(1, Ordering::Relaxed);
        self.trace(&format!("{request} (token, {who})"));
        let resp = rb
            .send()
            .await
            .map_err(|e| TokenFailure::transport(request.clone(), &e))?;
        self.token_answer(resp, &request, &who, reg).await
    }

    async fn token_answer(
        &self,
        resp: reqwest::Response,
        request: &str,
        who: &str,
        reg: &Registry,
    ) -> Result<(Secret, u64), TokenFailure> {
        let status = resp.status().as_u16();
        // Worth another try: the token server is overloaded or restarting.
        let retry = (status >= 500 || status == 429)
            .then(|| http::retry_after(header_str(resp.headers(), "retry-after").as_deref()));
        let body = read_response_limited(resp, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        self.trace(&format!("{status} {request}"));
        if status == 200 {
            let t = auth::parse_token_response(&body).ok_or_else(|| {
                TokenFailure::from(RegistryError::new(
                    request,
                    ErrorKind::Auth {
                        message: "the token server answered without a token".into(),
                    },
                ))
            })?;
            return Ok((t.token, t.expires_in));
        }
        let detail = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("details")
                    .or_else(|| v.get("error_description"))
                    .or_else(|| v.get("error"))
                    .and_then(|d| d.as_str().map(str::to_string))
            })
            .unwrap_or_default();
        let message = if status == 401 || status == 403 {
            format!(
                "the token server refused {who} ({status}{}); check the credentials with `docker login {}`",
                if detail.is_empty() { String::new() } else { format!(": {detail}") },
                reg.domain
            )
        } else {
            format!(
                "the token server answered {status}{}; retry later or check the registry's auth setup",
                if detail.is_empty() { String::new() } else { format!(": {detail}") }
            )
        };
        Err(TokenFailure {
            error: RegistryError::new(request, ErrorKind::Auth { message }),
            retry,
        })
    }

    /// Send a call: auth, one re-auth on 401, retries for idempotent requests, redirects.
    async fn execute(&self, domain: &str, mut call: Call) -> Result<Resp, RegistryError> {
        let reg = self.registry(domain)?;
        if let Some(resp) = self.probe_with_first_request(&reg, &mut call).await {
            return Ok(resp);
        }
        let base = self.base(&reg).await?;
        let url = if call.path.starts_with("http://") || call.path.starts_with("https://") {
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
        let start = Instant::now();
        let mut attempt = 1u32;
        let mut stale: Option<Secret> = None;
        let mut reauthed = false;
        loop {
            let authz = self
                .authorization(&reg, &call.scopes, stale.as_ref(), &url)
                .await?;
            let result = self
                .send_following(&reg, &mut call, &url, authz.clone())
                .await;
            let idempotent = call.idempotent;
            let retry_delay = |attempt: u32, hdr: Option<Duration>| -> Option<Duration> {
                let d = hdr.unwrap_or_else(|| http::backoff(attempt));
                (idempotent && attempt < MAX_ATTEMPTS && start.elapsed() + d <= RETRY_BUDGET)
                    .then_some(d)
            };
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
                    match retry_delay(attempt, ra) {
                        Some(d) if call.body.replayable() => {
                            self.trace(&format!(
                                "{} {request}; retry {attempt} in {d:?}",
                                resp.status().as_u16()
                            ));
                            drop(resp);
                            tokio::time::sleep(d).await;
                            attempt += 1;
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
                    match retry_delay(attempt, None) {
                        Some(d) if retryable && call.body.replayable() => {
                            self.trace(&format!(
                                "{request}: {}; retry {attempt} in {d:?}",
                                describe(&e)
                            ));
                            tokio::time::sleep(d).await;
                            attempt += 1;
                        }
                        _ => return Err(transport(request, &e)),
                    }
                }
            }
        }
    }

    /// The first request to an insecure-allowed registry whose scheme is not known yet: send
    /// it over HTTPS and plain HTTP at once instead of pinging `/v2/` first, which saves a
    /// round trip. The scheme that answers becomes the registry's (HTTPS wins a tie). A
    /// plain answer is returned as the call's response; a 401 teaches the auth scheme and
    /// lets the normal path retry with credentials; anything else falls back to it too.
    async fn probe_with_first_request(&self, reg: &Arc<Registry>, call: &mut Call) -> Option<Resp> {
        if !reg.insecure
            || reg.base.initialized()
            || !matches!(call.method, Method::GET | Method::HEAD)
            || !matches!(call.body, ReqBody::Empty)
            || call.path.starts_with("http://")
            || call.path.starts_with("https://")
        {
            return None;
        }
        let permit = match std::mem::replace(&mut call.permit, Permit::Acquire) {
            Permit::Held(p) => p,
            Permit::Acquire => Some(reg.sem.clone().acquire_owned().await.ok()?),
        };
        // Whatever happens below, the normal path reuses this permit.
        let outcome = self.probe_send(reg, call).await;
        match outcome {
            Some(resp) => Some(Resp {
                resp: resp.0,
                request: resp.1,
                _permit: permit,
            }),
            None => {
                call.permit = Permit::Held(permit);
                None
            }
        }
    }

    /// The two sends of [`Client::probe_with_first_request`]; `None` sends the call down the
    /// normal path.
    async fn probe_send(
        &self,
        reg: &Arc<Registry>,
        call: &Call,
    ) -> Option<(reqwest::Response, String)> {
        let send = |scheme: &str| {
            let url = format!("{scheme}://{}{}", reg.api_host, call.path);
            self.inner.requests.fetch_add(1, Ordering::Relaxed);
            self.trace(&format!("{} {url} (probing the scheme)", call.method));
            reg.client
                .request(call.method.clone(), url)
                .headers(call.headers.clone())
                .send()
        };
        let (scheme, resp) = match race_schemes(send("https"), send("http")).await {
            SchemeRace::Https(r) => ("https", r),
            SchemeRace::Http(r) => ("http", r),
            // Both failed: the normal path pings and explains what is wrong.
            SchemeRace::Neither { .. } => return None,
        };
        let base = format!("{scheme}://{}", reg.api_host);
        let _ = reg.base.set(base.clone());
        let status = resp.status();
        let request = format!("{} {base}{}", call.method, call.path);
        self.trace(&format!("{} {request}", status.as_u16()));
        if status == StatusCode::UNAUTHORIZED {
            self.learn_auth(reg, resp.headers());
        }
        if status == StatusCode::UNAUTHORIZED
            || status.is_redirection()
            || status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
        {
            // Keep the connection for the retry the normal path makes.
            let _ = resp.bytes().await;
            return None;
        }
        Some((resp, request))
    }

    /// Build the error for a 401 that survived a fresh token: say what was asked, what the
    /// token server granted and what to do.
    async fn unauthorized(
        &self,
        reg: &Arc<Registry>,
        resp: reqwest::Response,
        request: &str,
        scopes: &[Scope],
    ) -> RegistryError {
        let values: Vec<String> = resp
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let ch = auth::parse_challenges(values.iter().map(String::as_str));
        let err = ch.iter().find_map(|c| c.param("error").map(str::to_string));
        let body = read_response_limited(resp, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        let creds = self.creds(reg).await.ok().flatten();
        let needed = scopes
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let envelope_msg = error::parse_envelope(&body)
            .and_then(|e| e.first().map(|e| e.message.clone()))
            .unwrap_or_else(|| "authentication required".into());
        match (&creds, err.as_deref()) {
            (Some(c), Some("insufficient_scope")) => RegistryError::new(
                request,
                ErrorKind::Api {
                    status: 401,
                    code: ErrorCode::Denied,
                    message: format!(
                        "{envelope_msg}: the token server did not grant {needed} to user {}",
                        c.username()
                    ),
                },
            ),
            (Some(c), _) => RegistryError::new(
                request,
                ErrorKind::Auth {
                    message: format!(
                        "the registry refused the credentials of user {} ({envelope_msg}); log in again with `docker login {}`",
                        c.username(),
                        reg.domain
                    ),
                },
            ),
            (None, _) => RegistryError::new(
                request,
                ErrorKind::Api {
                    status: 401,
                    code: ErrorCode::Unauthorized,
                    message: format!("{envelope_msg} (no credentials for {} in the docker config; needed {needed})", reg.domain),
                },
            ),
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

    /// GET a listing page, returning the JSON body and the next `last` token.
    async fn page<T: serde::de::DeserializeOwned>(
        &self,
        domain: &str,
        call: Call,
        last: Option<&str>,
    ) -> Result<(T, Option<String>, String), RegistryError> {
        let resp = self.execute(domain, call).await?;
        let resp = expect(resp, &[200]).await?;
        let links: Vec<String> = resp
            .resp
            .headers()
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let mut next = http::parse_next_link(&links.iter().map(String::as_str).collect::<Vec<_>>());
        if next
            .as_deref()
            .is_some_and(|n| Some(n) == last || n.is_empty())
        {
            next = None;
        }
        let request = resp.request.clone();
        let body = read_limited(resp, 16 * 1024 * 1024).await?;
        let parsed: T = serde_json::from_slice(&body).map_err(|e| {
            RegistryError::new(
                request.clone(),
                ErrorKind::Other(format!("malformed listing: {e}")),
            )
        })?;
        Ok((parsed, next, request))
    }

    /// POST an upload session; returns its absolute location.
    async fn start_upload(&self, repo: &Repo) -> Result<String, RegistryError> {
        let call = Call::new(
            Method::POST,
            format!("/v2/{}/blobs/uploads/", repo.path),
            vec![Scope::push(&repo.path)],
        );
        let resp = self.execute(&repo.domain, call).await?;
        let resp = expect(resp, &[202]).await?;
        let loc = header_str(resp.resp.headers(), "location").ok_or_else(|| {
            RegistryError::new(
                resp.request.clone(),
                ErrorKind::Other("the registry opened an upload without a Location".into()),
            )
        })?;
        let base = resp.resp.url().clone();
        base.join(&loc).map(|u| u.to_string()).map_err(|e| {
            RegistryError::new(
                resp.request.clone(),
                ErrorKind::Other(format!("bad upload Location {loc:?}: {e}")),
            )
        })
    }

    /// DELETE an upload session (best effort: a failure only leaves a session that expires).
    async fn cancel_upload(&self, domain: &str, repo_path: &str, location: &str) {
        let url = match self.registry(domain) {
            Ok(reg) => match self.base(&reg).await {
                Ok(b) => Url::parse(&format!("{b}/"))
                    .and_then(|u| u.join(location))
                    .map(|u| u.to_string())
                    .unwrap_or_else(|_| location.to_string()),
                Err(_) => return,
            },
            Err(_) => return,
        };
        let mut call = Call::new(Method::DELETE, url, vec![Scope::push(repo_path)]);
        call.idempotent = false;
        if let Ok(r) = self.execute(domain, call).await {
            self.trace(&format!("{} cancel upload", r.resp.status().as_u16()));
        }
    }

    /// Stream a blob from `from` to `target` (any registries): POST, GET, PUT with the GET's
    /// body as it arrives, reporting bytes.
    async fn copy_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
    ) -> Result<(), RegistryError> {
        let location = self.start_upload(target).await?;
        let result = self
            .copy_into(target, from, digest, size, progress, &location)
            .await;
        if result.is_err() {
            self.cancel_upload(&target.domain, &target.path, &location)
                .await;
        }
        result
    }

    async fn copy_into(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
        location: &str,
    ) -> Result<(), RegistryError> {
        use futures_util::StreamExt;
        // Take both slots up front (in a fixed order) so copies cannot deadlock each other.
        let src = self.registry(&from.domain)?;
        let dst = self.registry(&target.domain)?;
        let closed = |_| {
            RegistryError::new(
                format!("copy {digest}"),
                ErrorKind::Other("client shut down".into()),
            )
        };
        let (p_src, p_dst) = if src.domain == dst.domain {
            let n = self.inner.opts.max_in_flight.min(2) as u32;
            let mut p = src
                .sem
                .clone()
                .acquire_many_owned(n)
                .await
                .map_err(closed)?;
            let second = if n == 2 { p.split(1) } else { None };
            (Some(p), second)
        } else if src.domain < dst.domain {
            let a = src.sem.clone().acquire_owned().await.map_err(closed)?;
            let b = dst.sem.clone().acquire_owned().await.map_err(closed)?;
            (Some(a), Some(b))
        } else {
            let b = dst.sem.clone().acquire_owned().await.map_err(closed)?;
            let a = src.sem.clone().acquire_owned().await.map_err(closed)?;
            (Some(a), Some(b))
        };
        let mut get = Call::new(
            Method::GET,
            format!("/v2/{}/blobs/{}", from.path, digest),
            vec![Scope::pull(&from.path)],
        );
        get.permit = Permit::Held(p_src);
        let src_resp = expect(self.execute(&from.domain, get).await?, &[200]).await?;
        let len = header_str(src_resp.resp.headers(), "content-length")
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(size);
        let Resp {
            resp,
            _permit: src_permit,
            ..
        } = src_resp;
        let mut copied = 0u64;
        let stream = resp.bytes_stream().map(move |chunk| {
            let _hold = &src_permit;
            if let (Ok(c), Some(p)) = (&chunk, &progress) {
                copied += c.len() as u64;
                p(copied);
            }
            chunk
        });
        let mut put = Call::new(
            Method::PUT,
            with_digest(location, digest),
            vec![Scope::push(&target.path)],
        )
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream");
        if len > 0 {
            put = put.header(reqwest::header::CONTENT_LENGTH, &len.to_string());
        }
        put.body = ReqBody::Stream(Some(reqwest::Body::wrap_stream(stream)));
        put.idempotent = false;
        put.permit = Permit::Held(p_dst);
        expect(self.execute(&target.domain, put).await?, &[201, 204]).await?;
        Ok(())
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

fn header_str(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

/// Append `digest=` to an upload location.
fn with_digest(location: &str, digest: &Digest) -> String {
    let sep = if location.contains('?') { '&' } else { '?' };
    format!("{location}{sep}digest={}", encode(digest.as_str()))
}

fn page_path(base: &str, n: usize, last: Option<&str>) -> String {
    let mut p = format!("{base}?n={n}");
    if let Some(l) = last {
        p.push_str("&last=");
        p.push_str(&encode(l));
    }
    p
}

/// Percent-encode for a query value / form field.
fn encode(s: &str) -> String {
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

fn check_digest(request: &str, want: &Digest, bytes: &[u8]) -> Result<(), RegistryError> {
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
async fn expect(resp: Resp, ok: &[u16]) -> Result<Resp, RegistryError> {
    if ok.contains(&resp.resp.status().as_u16()) {
        Ok(resp)
    } else {
        Err(fail(resp).await)
    }
}

async fn fail(resp: Resp) -> RegistryError {
    let status = resp.resp.status().as_u16();
    let request = resp.request.clone();
    let body = read_response_limited(resp.resp, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    RegistryError::new(request, error::api_error(status, &body))
}

async fn read_limited(resp: Resp, limit: usize) -> Result<Vec<u8>, RegistryError> {
    let request = resp.request.clone();
    match read_response_limited(resp.resp, limit).await {
        Ok(b) => Ok(b),
        Err(None) => Err(RegistryError::new(request, ErrorKind::TooLarge { limit })),
        Err(Some(e)) => Err(transport(request, &e)),
    }
}

/// Read a body, refusing more than `limit` bytes (by Content-Length and while streaming).
/// `Err(None)`: too large.
async fn read_response_limited(
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

fn is_tls_error(e: &reqwest::Error) -> bool {
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
fn describe(e: &reqwest::Error) -> String {
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

/// How long HTTPS may still take once plain HTTP has answered: a port that swallows a
/// ClientHello must not stall the first request to an insecure registry.
const TLS_GRACE: Duration = Duration::from_millis(1500);

/// Which scheme answered when both were tried at once ([`race_schemes`]).
enum SchemeRace<T, E> {
    Https(T),
    Http(T),
    Neither { https: E, http: E },
}

/// Try the same thing over HTTPS and plain HTTP at once. HTTPS wins when both succeed:
/// once plain HTTP has succeeded, HTTPS gets [`TLS_GRACE`] more, then plain HTTP wins.
/// Shared by the `/v2/` ping and the first request's scheme probe.
async fn race_schemes<T, E>(
    tls: impl std::future::Future<Output = Result<T, E>>,
    plain: impl std::future::Future<Output = Result<T, E>>,
) -> SchemeRace<T, E> {
    tokio::pin!(tls, plain);
    let (tls, plain) = tokio::select! {
        r = &mut tls => match r {
            Ok(v) => return SchemeRace::Https(v),
            Err(e) => (e, (&mut plain).await),
        },
        r = &mut plain => match r {
            Ok(v) => {
                return match tokio::time::timeout(TLS_GRACE, &mut tls).await {
                    Ok(Ok(t)) => SchemeRace::Https(t),
                    _ => SchemeRace::Http(v),
                }
            }
            Err(e) => match (&mut tls).await {
                Ok(t) => return SchemeRace::Https(t),
                Err(te) => (te, Err(e)),
            },
        },
    };
    match plain {
        Ok(v) => SchemeRace::Http(v),
        Err(http) => SchemeRace::Neither { https: tls, http },
    }
}

/// A failed token request, and whether it is worth retrying (`Some`, with the server's
/// `Retry-After` when it sent one).
struct TokenFailure {
    error: RegistryError,
    retry: Option<Option<Duration>>,
}

impl From<RegistryError> for TokenFailure {
    fn from(error: RegistryError) -> Self {
        TokenFailure { error, retry: None }
    }
}

impl TokenFailure {
    /// The request never got an answer: retry unless the request itself was malformed.
    fn transport(request: String, e: &reqwest::Error) -> Self {
        TokenFailure {
            error: transport(request, e),
            retry: (!e.is_builder()).then_some(None),
        }
    }
}

fn transport(request: impl Into<String>, e: &reqwest::Error) -> RegistryError {
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

#[cfg(test)]
mod pager_tests {
    use super::Pager;

    #[test]
    fn stops_on_a_link_loop_and_at_the_end() {
        let mut p = Pager::default();
        assert_eq!(p.last(), None);
        assert!(p.advance(Some("a".into())));
        assert!(p.advance(Some("b".into())));
        assert!(!p.advance(Some("a".into())), "a→b→a is a loop");
        let mut p = Pager::default();
        assert!(!p.advance(None));
    }
}
