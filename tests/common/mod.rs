//! Shared integration-test harness: a real Distribution registry in one of four flavours.
//!
//! ```ignore
//! mod common;
//! use common::*;
//! let r = TestRegistry::plain();          // or tls(), basic(), token(), token_with(policy)
//! let seeded = r.seed();                  // push mt_testkit::samples
//! let url = format!("{}/v2/", r.url);     // http://127.0.0.1:PORT or https://…
//! ```
//! Starting never skips: if the registry can't start, the test panics with its log.
#![allow(dead_code)]

pub mod bigblob;
pub mod cli;
pub mod faultproxy;
pub mod issuer;
pub mod pty;
pub mod referrers_api;
pub mod tlsnet;

#[allow(unused_imports)]
pub use pty::hermetic;

#[allow(unused_imports)]
pub use issuer::{
    Access, IssuerRequest, TokenIssuer, TokenPolicy, UserPolicy, ALICE, ALICE_PASSWORD, ISSUER,
    READER, READER_PASSWORD, SERVICE,
};
#[allow(unused_imports)]
pub use mt_testkit::localreg::{LocalConfig, LocalRegistry, TlsFiles, TokenAuth};
#[allow(unused_imports)]
pub use mt_testkit::samples::{self, Seeded};

use faultproxy::FaultProxy;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use manifest_tui::digest::Digest;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Which kind of registry a [`TestRegistry`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Plain,
    Tls,
    Basic,
    Token,
}

/// Auth mode for [`TestRegistry::new`].
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Basic,
    Token(TokenPolicy),
    /// Token auth with the realm pointing at a [`FaultProxy`] in front of the issuer, so a
    /// test can make the token server fail (the proxy is [`TestRegistry::issuer_proxy`]).
    TokenBehindProxy(TokenPolicy),
}

/// A running registry (plus its issuer for the token flavour) and its files.
/// Field order matters for drop: the registry dies first, then files are removed.
pub struct TestRegistry {
    pub reg: LocalRegistry,
    /// `127.0.0.1:PORT`
    pub host: String,
    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT` (no trailing slash).
    pub url: String,
    /// Harness files: certs, htpasswd, docker configs.
    pub dir: TempDir,
    pub flavour: Flavour,
    /// The CA certificate (PEM) that signed the registry's TLS cert (TLS flavours only).
    pub ca_pem: Option<PathBuf>,
    /// The token issuer (token flavour only).
    pub issuer: Option<TokenIssuer>,
    /// The proxy in front of the issuer ([`Auth::TokenBehindProxy`] only).
    pub issuer_proxy: Option<FaultProxy>,
}

/// `Basic base64(user:password)`.
pub fn basic_header(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// `Bearer <token>`.
pub fn bearer_header(token: &str) -> String {
    format!("Bearer {token}")
}

/// Install the ring crypto provider for rustls (idempotent).
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl TestRegistry {
    /// Plain HTTP, no auth.
    pub fn plain() -> TestRegistry {
        Self::new(false, Auth::None)
    }
    /// HTTPS with a cert (for `localhost` and `127.0.0.1`) signed by a fresh test CA.
    pub fn tls() -> TestRegistry {
        Self::new(true, Auth::None)
    }
    /// Plain HTTP with htpasswd (bcrypt) auth for alice and reader.
    pub fn basic() -> TestRegistry {
        Self::new(false, Auth::Basic)
    }
    /// Plain HTTP with token auth and the default [`TokenPolicy`].
    pub fn token() -> TestRegistry {
        Self::new(false, Auth::Token(TokenPolicy::default()))
    }
    pub fn token_with(policy: TokenPolicy) -> TestRegistry {
        Self::new(false, Auth::Token(policy))
    }
    /// HTTPS + htpasswd.
    pub fn tls_basic() -> TestRegistry {
        Self::new(true, Auth::Basic)
    }

    /// Plain HTTP, no auth, deletes disabled (`storage.delete.enabled: false`, Distribution's
    /// own default): DELETE is answered 405 UNSUPPORTED.
    pub fn plain_without_delete() -> TestRegistry {
        Self::with_config(
            false,
            Auth::None,
            LocalConfig {
                delete_enabled: false,
                ..LocalConfig::default()
            },
        )
    }

    /// Any combination. Panics (with the registry log) if it cannot start.
    pub fn new(tls: bool, auth: Auth) -> TestRegistry {
        Self::with_config(tls, auth, LocalConfig::default())
    }

    /// Any combination, over `cfg` (TLS and auth files are filled in here).
    pub fn with_config(tls: bool, auth: Auth, mut cfg: LocalConfig) -> TestRegistry {
        install_crypto();
        let dir = tempfile::Builder::new()
            .prefix("manifest-tui-harness-")
            .tempdir()
            .expect("harness: create temp dir");
        let mut ca_pem = None;
        if tls {
            let (ca, files) = make_tls(dir.path());
            ca_pem = Some(ca);
            cfg.tls = Some(files);
        }
        let mut issuer = None;
        let mut issuer_proxy = None;
        let proxied = matches!(auth, Auth::TokenBehindProxy(_));
        let flavour = match auth {
            Auth::None => {
                if tls {
                    Flavour::Tls
                } else {
                    Flavour::Plain
                }
            }
            Auth::Basic => {
                let path = dir.path().join("htpasswd");
                let mut s = String::new();
                for (u, p) in [(ALICE, ALICE_PASSWORD), (READER, READER_PASSWORD)] {
                    let h = bcrypt::hash(p, 5).expect("harness: bcrypt");
                    s.push_str(&format!("{u}:{h}\n"));
                }
                std::fs::write(&path, s).expect("harness: write htpasswd");
                cfg.htpasswd = Some(path);
                Flavour::Basic
            }
            Auth::Token(policy) | Auth::TokenBehindProxy(policy) => {
                let iss = TokenIssuer::start(policy);
                let bundle = dir.path().join("token-bundle.pem");
                std::fs::write(&bundle, iss.cert_pem()).expect("harness: write token bundle");
                let realm = if proxied {
                    let p = FaultProxy::start(&iss.host());
                    let realm = format!("http://{}/token", p.host);
                    issuer_proxy = Some(p);
                    realm
                } else {
                    iss.realm()
                };
                cfg.token = Some(TokenAuth {
                    realm,
                    service: SERVICE.into(),
                    issuer: ISSUER.into(),
                    root_cert_bundle: bundle,
                });
                issuer = Some(iss);
                Flavour::Token
            }
        };
        let reg = match LocalRegistry::start(cfg) {
            Ok(r) => r,
            Err(e) => panic!("test registry ({flavour:?}) did not start:\n{e}"),
        };
        TestRegistry {
            host: reg.host(),
            url: reg.base_url(),
            reg,
            dir,
            flavour,
            ca_pem,
            issuer,
            issuer_proxy,
        }
    }

    pub fn port(&self) -> u16 {
        self.reg.port()
    }

    /// `HOST/repo:tag` style reference for this registry: `127.0.0.1:PORT/<rest>`.
    pub fn reference(&self, rest: &str) -> String {
        format!("{}/{rest}", self.host)
    }

    /// An Authorization header value with full rights, or None (plain/tls): Basic alice for
    /// htpasswd; for token, a freshly minted Bearer token with pull/push/delete on every sample
    /// repository and `repos`, plus catalog.
    pub fn admin_authorization(&self) -> Option<String> {
        self.admin_authorization_for(&[])
    }

    pub fn admin_authorization_for(&self, extra_repos: &[&str]) -> Option<String> {
        match self.flavour {
            Flavour::Plain | Flavour::Tls => None,
            Flavour::Basic => Some(basic_header(ALICE, ALICE_PASSWORD)),
            Flavour::Token => {
                let mut access: Vec<Access> = samples::repositories()
                    .iter()
                    .map(|r| Access::repo(r, &["pull", "push", "delete"]))
                    .collect();
                for r in extra_repos {
                    access.push(Access::repo(r, &["pull", "push", "delete"]));
                }
                access.push(Access::catalog());
                Some(bearer_header(&self.issuer().mint(ALICE, &access, 300)))
            }
        }
    }

    /// Push all samples (see `mt_testkit::samples`). Panics with the registry log on failure.
    pub fn seed(&self) -> Seeded {
        let auth = self.admin_authorization();
        match samples::seed_blocking(&self.url, auth.as_deref()) {
            Ok(s) => s,
            Err(e) => panic!(
                "seeding {} failed: {e}\n--- registry log ---\n{}",
                self.url,
                self.reg.log()
            ),
        }
    }

    /// Push the diff pairs (see `mt_testkit::samples::pairs`): lists whose differences are
    /// known by construction. Panics with the registry log on failure.
    pub fn seed_pairs(&self) -> Seeded {
        let auth = self.admin_authorization_for(&[samples::pairs::REPO]);
        let pushed = samples::pairs::seed_blocking(&self.url, auth.as_deref());
        match pushed {
            Ok(s) => s,
            Err(e) => panic!(
                "seeding the pairs into {} failed: {e}\n--- registry log ---\n{}",
                self.url,
                self.reg.log()
            ),
        }
    }

    /// Async variant of [`seed`](Self::seed) for `#[tokio::test]`s.
    pub async fn seed_async(&self) -> Seeded {
        let auth = self.admin_authorization();
        match samples::seed(&self.url, auth.as_deref()).await {
            Ok(s) => s,
            Err(e) => panic!(
                "seeding {} failed: {e}\n--- registry log ---\n{}",
                self.url,
                self.reg.log()
            ),
        }
    }

    /// A directory with `config.json` for `DOCKER_CONFIG`: `{"auths":{}}` for plain/tls, an
    /// `auths` entry for this host with alice's credentials for basic/token.
    pub fn docker_config(&self) -> PathBuf {
        match self.flavour {
            Flavour::Plain | Flavour::Tls => self.write_docker_config("docker-config", None),
            Flavour::Basic | Flavour::Token => self.docker_config_for(ALICE, ALICE_PASSWORD),
        }
    }

    /// A `DOCKER_CONFIG` dir whose `auths` entry for this host holds `user:password`.
    pub fn docker_config_for(&self, user: &str, password: &str) -> PathBuf {
        self.write_docker_config(&format!("docker-config-{user}"), Some((user, password)))
    }

    fn write_docker_config(&self, name: &str, cred: Option<(&str, &str)>) -> PathBuf {
        let d = self.dir.path().join(name);
        std::fs::create_dir_all(&d).expect("harness: create docker config dir");
        let mut auths = serde_json::Map::new();
        if let Some((u, p)) = cred {
            auths.insert(
                self.host.clone(),
                serde_json::json!({"auth": STANDARD.encode(format!("{u}:{p}"))}),
            );
        }
        let cfg = serde_json::json!({"auths": auths});
        std::fs::write(
            d.join("config.json"),
            serde_json::to_vec_pretty(&cfg).unwrap_or_default(),
        )
        .expect("harness: write config.json");
        d
    }

    /// A certs.d-style directory: `<dir>/127.0.0.1:PORT/ca.crt` and `<dir>/localhost:PORT/ca.crt`
    /// (TLS flavours; for the others the directory exists and is empty).
    pub fn certs_dir(&self) -> PathBuf {
        let d = self.dir.path().join("certs.d");
        std::fs::create_dir_all(&d).expect("harness: create certs.d");
        if let Some(ca) = &self.ca_pem {
            for host in [self.host.clone(), format!("localhost:{}", self.port())] {
                let hd = d.join(host);
                std::fs::create_dir_all(&hd).expect("harness: create certs.d host dir");
                std::fs::copy(ca, hd.join("ca.crt")).expect("harness: copy ca.crt");
            }
        }
        d
    }

    /// The token issuer. Panics unless this is the token flavour.
    pub fn issuer(&self) -> &TokenIssuer {
        self.issuer
            .as_ref()
            .expect("issuer(): this TestRegistry is not the token flavour")
    }

    /// Requests the issuer received (0 when there is no issuer).
    pub fn issuer_requests(&self) -> usize {
        self.issuer.as_ref().map(|i| i.requests()).unwrap_or(0)
    }

    /// Every resource scope asked of the issuer, in order.
    pub fn issuer_scopes(&self) -> Vec<String> {
        self.issuer.as_ref().map(|i| i.scopes()).unwrap_or_default()
    }

    /// The token realm (token flavour).
    pub fn realm(&self) -> String {
        self.issuer().realm()
    }

    /// A reqwest client that trusts this registry's CA (if any), with no proxy.
    pub fn http_client(&self) -> reqwest::Client {
        install_crypto();
        let mut b = reqwest::Client::builder().no_proxy();
        if let Some(ca) = &self.ca_pem {
            let pem = std::fs::read(ca).expect("harness: read CA");
            let cert = reqwest::Certificate::from_pem(&pem).expect("harness: parse CA");
            b = b.tls_certs_only([cert]);
        }
        b.build().expect("harness: build reqwest client")
    }

    /// Where the filesystem driver keeps a blob's bytes (for tamper tests).
    pub fn blob_path(&self, d: &Digest) -> PathBuf {
        let hex = d.hex();
        self.reg
            .storage_dir()
            .join("docker/registry/v2/blobs")
            .join(d.algorithm())
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    pub fn storage_dir(&self) -> &Path {
        self.reg.storage_dir()
    }

    /// The registry's log so far.
    pub fn log(&self) -> String {
        self.reg.log()
    }

    /// Kill the registry now (storage kept).
    pub fn stop(&mut self) {
        self.reg.stop();
    }

    /// Start it again on the same storage. It binds a port afresh (maybe another one):
    /// [`host`](Self::host), [`url`](Self::url) and [`port`](Self::port) are updated, and a
    /// test that needs one address across the restart puts a [`FaultProxy`] in front and
    /// points it here again ([`FaultProxy::set_upstream`]). Panics with the log on failure.
    pub fn restart(&mut self) {
        if let Err(e) = self.reg.restart() {
            panic!("test registry did not restart:\n{e}");
        }
        self.host = self.reg.host();
        self.url = self.reg.base_url();
    }
}

/// A port of 127.0.0.1 that refuses every connection and that nobody else can take while
/// this lives: a socket bound to it that never listens (the kernel answers a SYN with a
/// reset). For "the registry is not running" without a port that might be reused.
pub struct ClosedPort {
    fd: std::os::fd::OwnedFd,
    port: u16,
}

impl ClosedPort {
    pub fn new() -> ClosedPort {
        use std::os::fd::{AsRawFd, FromRawFd};
        // SAFETY: plain socket calls on a descriptor this function owns, with correctly
        // sized address structs.
        unsafe {
            let raw = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            assert!(
                raw >= 0,
                "harness: socket(): {}",
                std::io::Error::last_os_error()
            );
            let fd = std::os::fd::OwnedFd::from_raw_fd(raw);
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            addr.sin_port = 0;
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let rc = libc::bind(
                fd.as_raw_fd(),
                &addr as *const libc::sockaddr_in as *const libc::sockaddr,
                len,
            );
            assert_eq!(
                rc,
                0,
                "harness: bind(): {}",
                std::io::Error::last_os_error()
            );
            let mut got: libc::sockaddr_in = std::mem::zeroed();
            let mut got_len = len;
            let rc = libc::getsockname(
                fd.as_raw_fd(),
                &mut got as *mut libc::sockaddr_in as *mut libc::sockaddr,
                &mut got_len,
            );
            assert_eq!(
                rc,
                0,
                "harness: getsockname(): {}",
                std::io::Error::last_os_error()
            );
            ClosedPort {
                fd,
                port: u16::from_be(got.sin_port),
            }
        }
    }

    pub fn port(&self) -> u16 {
        let _ = &self.fd;
        self.port
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Default for ClosedPort {
    fn default() -> Self {
        ClosedPort::new()
    }
}

/// An empty docker config directory (`config.json` is `{"auths":{}}`) for in-process clients
/// and stores that need no credentials: under this test binary's `CARGO_TARGET_TMPDIR`,
/// never written by a test, so sharing it is the same as each test having its own.
pub fn empty_docker_config() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-docker-config");
        std::fs::create_dir_all(&d).expect("harness: create the empty docker config");
        // Written to a temp name and renamed: test binaries running at once never read half.
        let tmp = d.join(format!(".config.json.{}", std::process::id()));
        std::fs::write(&tmp, "{\"auths\":{}}").expect("harness: write config.json");
        std::fs::rename(&tmp, d.join("config.json")).expect("harness: rename config.json");
        d
    })
    .clone()
}

/// Client options that read nothing of the user's or the machine's: docker's config from
/// `docker_config` (never `$DOCKER_CONFIG` or `~/.docker`), no certs.d roots (never
/// `/etc/docker/certs.d` or `~/.config/docker/certs.d`). Loopback registries need no proxy
/// exception: the client never sends them through one.
pub fn client_options(docker_config: &Path) -> manifest_tui::registry::ClientOptions {
    manifest_tui::registry::ClientOptions {
        docker_config: Some(docker_config.to_path_buf()),
        certs_dirs: Some(Vec::new()),
        ..Default::default()
    }
}

/// Write a fresh CA and a server cert for `localhost` + `127.0.0.1` signed by it.
/// Returns (CA PEM path, server cert/key files).
fn make_tls(dir: &Path) -> (PathBuf, TlsFiles) {
    let ca = tlsnet::TestCa::new("manifest-tui test CA");
    let ca_path = dir.join("ca.pem");
    let cert = dir.join("server.crt");
    let key = dir.join("server.key");
    ca.write(&ca_path);
    ca.server(&["localhost", "127.0.0.1"]).write(&cert, &key);
    (ca_path, TlsFiles { cert, key })
}

/// PUT a manifest (any bytes) straight to the registry at `base` (the samples' raw-HTTP
/// [`samples::Seeder`]); panics unless it is stored under the digest of `body`.
pub fn put_manifest(base: &str, repo: &str, tag: &str, media_type: &str, body: &[u8]) -> Digest {
    let digest = Digest::sha256(body);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        samples::Seeder::new(base, None)?
            .put_manifest(repo, tag, media_type, body, &digest)
            .await
    })
    .unwrap_or_else(|e| panic!("{e}"));
    digest
}

/// `skopeo inspect --raw` of `image` (`host/repo:tag` or `host/repo@digest`, TLS not
/// verified), with `extra` arguments such as `--creds=…`: the exact bytes the registry
/// serves, read by an independent client. Panics with skopeo's stderr (and the hint to
/// install it) when it fails.
pub fn skopeo_inspect_raw(image: &str, extra: &[&str]) -> Vec<u8> {
    let out = cli::tool("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .args(extra)
        .arg(format!("docker://{image}"))
        .output()
        .expect("skopeo must be installed (scripts/install-test-deps.sh)");
    assert!(
        out.status.success(),
        "skopeo inspect {image}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The six sample images of `release` on `host`: `HOST/samples/app-<platform>:<release>`
/// (`app-oci-…` for the OCI ones), in [`samples::PLATFORMS`] order.
pub fn children(host: &str, release: &str, oci: bool) -> Vec<String> {
    samples::PLATFORMS
        .iter()
        .map(|p| format!("{host}/{}:{release}", samples::image_repo(p, oci)))
        .collect()
}

/// A command line: `head`, then every string of `tail`.
pub fn args<'a>(head: &[&'a str], tail: &'a [String]) -> Vec<&'a str> {
    let mut v = head.to_vec();
    v.extend(tail.iter().map(String::as_str));
    v
}

/// Assert that a verdict command (`diff`) could not reach a verdict: exit code exactly 2
/// (diff(1)'s "trouble"), neither 1 ("different") nor a panic (101). `what` names the command.
#[track_caller]
pub fn assert_trouble_exit(code: impl Into<Option<i32>>, what: impl std::fmt::Display) {
    let code = code.into();
    assert_eq!(
        code,
        Some(2),
        "{what}: expected trouble (exit code 2), got {code:?}"
    );
}

/// Assert that a command failed the way every error of docker's commands (and of the other
/// commands that are not verdicts) does, with exit code exactly 1. A panic exits 101 and a signal leaves no code at all; neither is an error
/// report, so neither may pass a test that expects one. `what` names the command.
#[track_caller]
pub fn assert_error_exit(code: impl Into<Option<i32>>, what: impl std::fmt::Display) {
    let code = code.into();
    assert_eq!(
        code,
        Some(1),
        "{what}: expected an error (exit code 1), got {}",
        match code {
            Some(101) => "101 (a panic)".to_string(),
            Some(c) => format!("exit code {c}"),
            None => "no exit code (killed by a signal)".to_string(),
        }
    );
}
