//! The client and what it keeps per registry: options, connection pools, semaphores,
//! counters and the trace sink.

use super::auth::Credential;
use super::cache::ManifestCache;
use super::http::RateLimit;
use super::token::{AuthMode, TokenSlot};
use super::transport::describe;
use super::{http, tls, ErrorKind, RegistryError};
use crate::digest::Digest;
use crate::reference::Reference;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

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
    /// Where manifests read are kept by digest ([`super::default_manifest_cache_dir`] for
    /// the app); `None` (the default) reads every manifest from the registry.
    pub manifest_cache: Option<PathBuf>,
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
            manifest_cache: None,
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

    /// The reference of `tag` in this repository: the one way to name a repository's tag
    /// (never glue `domain/path:tag`, which for a layout, whose path is empty, names another
    /// place). Fails when `tag` is not a valid tag (a ref name, for a layout).
    pub fn tagged(&self, tag: &str) -> Result<Reference, crate::reference::ReferenceError> {
        self.reference().with_tag(tag)
    }

    /// The repository itself as a reference, neither tag nor digest (a layout: `oci:PATH`).
    pub fn reference(&self) -> Reference {
        Reference {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: None,
            digest: None,
        }
    }
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            // An OCI layout ([`crate::place`]): the place is the whole name.
            return f.write_str(&self.domain);
        }
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

/// Progress of a blob copy: called with the bytes added since the last call (each chunk's
/// length as it streams across, or the whole size at once when the blob is mounted or
/// already there), so the calls of concurrent copies add up to their total.
pub type ByteProgress = Arc<dyn Fn(u64) + Send + Sync>;

/// Receives one line per request for `-v` / debug logs. Lines never contain header values.
pub type TraceFn = Arc<dyn Fn(&str) + Send + Sync>;

/// The client: cheap to clone (shares pools, token caches and counters).
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) opts: ClientOptions,
    pub(super) certs_dirs: Vec<PathBuf>,
    pub(super) config_dir: Option<PathBuf>,
    registries: Mutex<HashMap<String, Arc<Registry>>>,
    pools: Mutex<HashMap<(String, bool), reqwest::Client>>,
    /// Per host: its TLS server asked for a client certificate ([`tls::client_config`]).
    client_cert_asked: Mutex<HashMap<String, Arc<std::sync::atomic::AtomicBool>>>,
    pub(super) tokens: Mutex<HashMap<String, Arc<tokio::sync::Mutex<TokenSlot>>>>,
    pub(super) requests: AtomicU64,
    pub(super) token_requests: AtomicU64,
    connections: Arc<AtomicU64>,
    trace: Mutex<Option<TraceFn>>,
    pub(super) cache: Option<ManifestCache>,
    /// Per host: a directory read after its certs.d ones ([`Client::use_cert_dir`]).
    cert_dirs: Mutex<HashMap<String, PathBuf>>,
    /// Blob transfers under way, by (registry, repository, digest): a second caller for
    /// the same blob waits for the first's result.
    pub(super) blobs_in_flight: Mutex<HashMap<(String, String, Digest), Arc<BlobOnce>>>,
    /// The OCI layouts opened so far, by their domain ([`crate::place`]).
    layouts: Mutex<HashMap<String, Arc<crate::layout::Layout>>>,
}

/// The result of one blob transfer, set once by whoever runs it.
pub(super) type BlobOnce = tokio::sync::OnceCell<Result<(), RegistryError>>;

/// What we know about one registry.
pub(super) struct Registry {
    pub(super) domain: String,
    /// Host used for the API (`registry-1.docker.io` for `docker.io`).
    pub(super) api_host: String,
    pub(super) insecure: bool,
    pub(super) client: reqwest::Client,
    pub(super) sem: Arc<Semaphore>,
    /// `https://host` or `http://host`, resolved by the first `GET /v2/`.
    pub(super) base: tokio::sync::OnceCell<String>,
    pub(super) auth: Mutex<AuthMode>,
    pub(super) creds: tokio::sync::OnceCell<Option<Credential>>,
    /// The registry refused a monolithic blob upload: send blobs in chunks from now on.
    pub(super) chunked_only: std::sync::atomic::AtomicBool,
    /// The registry answered the referrers API's route with a plain 404 or a 405: it has no
    /// such API, so ask the tag scheme straight away from now on.
    pub(super) no_referrers_api: std::sync::atomic::AtomicBool,
    /// The pull quota its latest answer that stated one gave.
    pub(super) rate_limit: Mutex<Option<RateLimit>>,
}

/// Requests in flight per registry. 32 lets a 24-entry list's children go out in one wave
/// (each wave over fresh HTTP/1.1 connections costs a round trip more); measured in
/// BENCHMARKS.md: 8 in flight took 3 waves and 6.4 round trips for `inspect -v` at N=24.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 32;

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, RegistryError> {
        tls::provider();
        let certs_dirs = opts
            .certs_dirs
            .clone()
            .unwrap_or_else(tls::default_certs_dirs);
        let config_dir = Some(crate::docker_config_dir(opts.docker_config.as_deref()));
        let mut opts = opts;
        if opts.max_in_flight == 0 {
            opts.max_in_flight = DEFAULT_MAX_IN_FLIGHT;
        }
        Ok(Client {
            inner: Arc::new(Inner {
                certs_dirs,
                config_dir,
                registries: Mutex::new(HashMap::new()),
                pools: Mutex::new(HashMap::new()),
                client_cert_asked: Mutex::default(),
                tokens: Mutex::new(HashMap::new()),
                requests: AtomicU64::new(0),
                token_requests: AtomicU64::new(0),
                connections: Arc::new(AtomicU64::new(0)),
                trace: Mutex::new(None),
                cache: opts.manifest_cache.as_deref().map(ManifestCache::new),
                cert_dirs: Mutex::default(),
                blobs_in_flight: Mutex::default(),
                layouts: Mutex::default(),
                opts,
            }),
        })
    }

    /// The OCI layout `domain` names, opened once per client (an archive is unpacked
    /// then); `None` for a registry. Every manifest and blob call serves a layout from its
    /// files instead of over HTTP.
    pub(super) fn layout(
        &self,
        domain: &str,
    ) -> Result<Option<Arc<crate::layout::Layout>>, RegistryError> {
        if crate::place::Location::of(domain).is_none() {
            return Ok(None);
        }
        let mut open = self.inner.layouts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = open.get(domain) {
            return Ok(Some(l.clone()));
        }
        let Some(l) = crate::layout::Layout::open(domain)? else {
            return Ok(None);
        };
        let l = Arc::new(l);
        open.insert(domain.to_string(), l.clone());
        Ok(Some(l))
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

    /// Counters so far.
    /// Also read `dir` (CAs `*.crt`, a client pair `*.cert` + `*.key`, as a certs.d host
    /// directory) for `domain`: a sync file's `cert-dir`. Before the first request to it.
    pub fn use_cert_dir(&self, domain: &str, dir: PathBuf) {
        if let Ok(mut m) = self.inner.cert_dirs.lock() {
            m.insert(domain.to_string(), dir);
        }
    }

    /// Use `cred` for `domain` instead of what docker's config holds for it (sync's source
    /// file names its own). Before the first request to the registry only: later, the
    /// credentials already looked up stay.
    pub fn use_credentials(&self, domain: &str, cred: Credential) -> Result<(), RegistryError> {
        let reg = self.registry(domain)?;
        reg.creds.set(Some(cred)).map_err(|_| {
            RegistryError::new(
                format!("credentials for {domain}"),
                ErrorKind::Other("already looked up: set them before the first request".into()),
            )
        })
    }

    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.inner.requests.load(Ordering::Relaxed),
            token_requests: self.inner.token_requests.load(Ordering::Relaxed),
            connections: self.inner.connections.load(Ordering::Relaxed),
        }
    }

    /// The pull quota `domain` stated in its latest answer that carried one (Docker Hub's
    /// `ratelimit-remaining`), if any request to it has seen one.
    pub fn rate_limit(&self, domain: &str) -> Option<RateLimit> {
        let regs = self.inner.registries.lock().ok()?;
        let reg = regs.get(domain)?;
        let q = *reg.rate_limit.lock().ok()?;
        q
    }

    /// Every registry's latest stated pull quota, by domain (sorted).
    pub fn rate_limits(&self) -> Vec<(String, RateLimit)> {
        let Ok(regs) = self.inner.registries.lock() else {
            return Vec::new();
        };
        let mut out: Vec<(String, RateLimit)> = regs
            .iter()
            .filter_map(|(d, r)| Some((d.clone(), (*r.rate_limit.lock().ok()?)?)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Keep the quota an answer from `reg` states, if it states one.
    pub(super) fn note_rate_limit(&self, reg: &Registry, headers: &reqwest::header::HeaderMap) {
        let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
        if let Some(q) = http::rate_limit(get("ratelimit-remaining"), get("ratelimit-limit")) {
            if let Ok(mut slot) = reg.rate_limit.lock() {
                *slot = Some(q);
            }
        }
    }

    pub(super) fn trace(&self, line: &str) {
        let f = self.inner.trace.lock().ok().and_then(|t| t.clone());
        if let Some(f) = f {
            f(line);
        }
    }

    pub(super) fn registry(&self, domain: &str) -> Result<Arc<Registry>, RegistryError> {
        if let Some(r) = self
            .inner
            .registries
            .lock()
            .ok()
            .and_then(|m| m.get(domain).cloned())
        {
            return Ok(r);
        }
        if crate::place::Location::of(domain).is_some() {
            // A layout's calls are served from its files; one that got this far is a call
            // with no layout form.
            return Err(RegistryError::new(
                domain,
                ErrorKind::Other(
                    "this is an OCI layout, not a registry: the operation needs a registry".into(),
                ),
            ));
        }
        let insecure = self.is_insecure_allowed(domain);
        let client = self.pool(domain, insecure)?;
        let api_host = if crate::reference::is_docker_hub(domain) {
            crate::reference::DOCKER_HUB_API_HOST.to_string()
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
            chunked_only: std::sync::atomic::AtomicBool::new(false),
            no_referrers_api: std::sync::atomic::AtomicBool::new(false),
            rate_limit: Mutex::new(None),
        });
        let mut map = self.inner.registries.lock().map_err(|_| {
            RegistryError::new(domain, ErrorKind::Other("internal lock poisoned".into()))
        })?;
        Ok(map.entry(domain.to_string()).or_insert(reg).clone())
    }

    fn client_cert_flag(&self, host: &str) -> Arc<std::sync::atomic::AtomicBool> {
        match self.inner.client_cert_asked.lock() {
            Ok(mut m) => m.entry(host.to_string()).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    /// What certs.d (and the host's own cert dir) holds for `host`.
    pub(super) fn certs(&self, host: &str) -> Result<tls::CertsD, String> {
        let own = self
            .inner
            .cert_dirs
            .lock()
            .ok()
            .and_then(|m| m.get(host).cloned());
        let roots = self.inner.certs_dirs.iter().map(|r| r.join(host));
        tls::load_cert_dirs(roots.chain(own))
    }

    /// Did `host`'s TLS server ask this client for a client certificate?
    pub(super) fn client_cert_asked(&self, host: &str) -> bool {
        self.client_cert_flag(host).load(Ordering::Relaxed)
    }

    /// The pooled client for (host, security mode), built on first use.
    pub(super) fn pool(
        &self,
        host: &str,
        insecure: bool,
    ) -> Result<reqwest::Client, RegistryError> {
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
        let certs = self.certs(host).map_err(setup_err)?;
        let cfg =
            tls::client_config(&certs, insecure, self.client_cert_flag(host)).map_err(setup_err)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tag of a repository, of a registry or of a layout (whose path is empty), reads
    /// back as the same place: no `oci:/x/` with a stray slash.
    #[test]
    fn a_repository_names_its_tags() {
        let reg = Repo::of(&Reference::parse("127.0.0.1:5000/team/app").unwrap());
        let r = reg.tagged("v1").unwrap();
        assert_eq!(r.to_string(), "127.0.0.1:5000/team/app:v1");
        assert_eq!(Reference::parse(&r.to_string()).unwrap(), r);
        assert!(reg.tagged("bad tag").is_err());
        let lay = Repo::of(&Reference::parse("oci:/tmp/lay1").unwrap());
        let r = lay.tagged("v1-oci").unwrap();
        assert_eq!((r.domain.as_str(), r.path.as_str()), ("oci:/tmp/lay1", ""));
        assert_eq!(r.to_string(), "oci:/tmp/lay1:v1-oci");
        assert_eq!(Reference::parse(&r.to_string()).unwrap(), r);
        // A ref name may hold what a tag may not.
        assert!(lay.tagged("example.com/app:1.0").is_ok());
        assert_eq!(lay.reference().to_string(), "oci:/tmp/lay1");
    }

    #[test]
    fn docker_hub_names_talk_to_registry_1() {
        let c = Client::new(ClientOptions {
            docker_config: Some(PathBuf::from("/nonexistent")),
            certs_dirs: Some(Vec::new()),
            ..Default::default()
        })
        .expect("client");
        for name in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
            let r = c.registry(name).expect("registry");
            assert_eq!(r.api_host, "registry-1.docker.io", "{name}");
            assert_eq!(r.domain, name);
        }
        let r = Reference::parse("busybox").expect("parse");
        assert_eq!(
            c.registry(&r.domain).expect("registry").api_host,
            "registry-1.docker.io"
        );
        for name in ["ghcr.io", "127.0.0.1:5000", "registry-2.docker.io"] {
            assert_eq!(c.registry(name).expect("registry").api_host, name);
        }
    }
}
