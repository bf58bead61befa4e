//! Start and stop a real CNCF Distribution registry (`docker-registry`, 2.8.x) on 127.0.0.1.
//!
//! Used by the integration tests, the demo mode and the benchmark. The registry runs as a child
//! process with its own generated config file and (unless told otherwise) its own temporary
//! storage directory. It binds port 0 (`http.addr: 127.0.0.1:0`) and the port it got is read
//! back from its log line `listening on 127.0.0.1:PORT`: no port is picked in advance, so none
//! can be taken by someone else before the registry binds it. A restart binds afresh and may
//! get another port: read [`LocalRegistry::port`] (or `host`, `base_url`) again after it. Everything it prints goes to a log file in its temp
//! directory; [`LocalRegistry::log`] returns it, and every start failure carries it.
//!
//! The binary is `$MANIFEST_TUI_REGISTRY_BIN` when set, else `docker-registry` on `PATH`
//! (Debian/Ubuntu: `apt-get install docker-registry`; see `scripts/install-test-deps.sh`).

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Environment variable naming the registry binary to run.
pub const REGISTRY_BIN_ENV: &str = "MANIFEST_TUI_REGISTRY_BIN";
/// The binary looked up on `PATH` when [`REGISTRY_BIN_ENV`] is not set.
pub const DEFAULT_REGISTRY_BIN: &str = "docker-registry";
/// How long [`LocalRegistry::start`] waits for the registry to bind and `GET /v2/` to answer: a
/// hang guard only (it is ready in well under a second, even on a busy machine).
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);

const INSTALL_HINT: &str = "install the CNCF Distribution registry with `apt-get install docker-registry` \
(or run scripts/install-test-deps.sh as root), or point MANIFEST_TUI_REGISTRY_BIN at a registry binary";

/// Certificate and key (PEM files) the registry serves TLS with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// `auth: token` settings (see distribution-token-auth.md §1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenAuth {
    /// URL of the token endpoint, advertised in the Bearer challenge as-is.
    pub realm: String,
    /// The `service` in the challenge; a token's `aud` must equal it.
    pub service: String,
    /// A token's `iss` must equal it.
    pub issuer: String,
    /// PEM file with the certificate(s) whose keys sign tokens.
    pub root_cert_bundle: PathBuf,
}

/// What kind of registry to start. `Default` is plain HTTP, no auth, own storage, delete on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalConfig {
    pub tls: Option<TlsFiles>,
    /// With `tls`: CA certificates (PEM files) of the client certificates the registry
    /// requires (`http.tls.clientcas`): a client without one signed by them is refused in
    /// the handshake. Empty: no client certificate asked.
    pub client_cas: Vec<PathBuf>,
    /// An htpasswd file (bcrypt entries) for `auth: htpasswd`.
    pub htpasswd: Option<PathBuf>,
    pub token: Option<TokenAuth>,
    /// Storage root; `None` = a directory inside the registry's own temp dir.
    pub storage: Option<PathBuf>,
    pub delete_enabled: bool,
}

impl Default for LocalConfig {
    fn default() -> Self {
        LocalConfig {
            tls: None,
            client_cas: Vec::new(),
            htpasswd: None,
            token: None,
            storage: None,
            delete_enabled: true,
        }
    }
}

/// Why a local registry could not be started (the message includes the registry's log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalRegError(pub String);

impl fmt::Display for LocalRegError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for LocalRegError {}

fn err(msg: impl Into<String>) -> LocalRegError {
    LocalRegError(msg.into())
}

/// A running registry child process. Killed (and its temp dir removed) on drop.
pub struct LocalRegistry {
    cfg: LocalConfig,
    bin: PathBuf,
    dir: tempfile::TempDir,
    storage: PathBuf,
    config_path: PathBuf,
    log_path: PathBuf,
    port: u16,
    secret: String,
    child: Option<Child>,
}

impl fmt::Debug for LocalRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRegistry")
            .field("base_url", &self.base_url())
            .field("storage", &self.storage)
            .field("running", &self.child.is_some())
            .finish()
    }
}

impl LocalRegistry {
    /// Start a registry on a port of 127.0.0.1 the system picks and wait (up to
    /// [`READY_TIMEOUT`]) until `GET /v2/` answers with any HTTP status.
    pub fn start(cfg: LocalConfig) -> Result<LocalRegistry, LocalRegError> {
        let bin = find_binary()?;
        let dir = tempfile::Builder::new()
            .prefix("manifest-tui-registry-")
            .tempdir()
            .map_err(|e| {
                err(format!(
                    "cannot create a temp dir for the local registry: {e}"
                ))
            })?;
        let storage = match &cfg.storage {
            Some(p) => p.clone(),
            None => dir.path().join("storage"),
        };
        fs::create_dir_all(&storage).map_err(|e| {
            err(format!(
                "cannot create the registry storage dir {}: {e}",
                storage.display()
            ))
        })?;
        let config_path = dir.path().join("config.yml");
        let log_path = dir.path().join("registry.log");
        let mut reg = LocalRegistry {
            cfg,
            bin,
            storage,
            config_path,
            log_path,
            port: 0,
            secret: random_hex(16),
            child: None,
            dir,
        };
        match reg.launch()? {
            Ok(()) => Ok(reg),
            Err(why) => Err(reg.failure(&why)),
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        let scheme = if self.cfg.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.host())
    }

    /// Root of the filesystem storage (`docker/registry/v2/...` lives below it).
    pub fn storage_dir(&self) -> &Path {
        &self.storage
    }

    /// The registry's own temp dir (config, log, default storage).
    pub fn work_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> &LocalConfig {
        &self.cfg
    }

    /// Everything the registry printed so far (all runs, separated by marker lines).
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let mut buf = Vec::new();
            let _ = f.read_to_end(&mut buf);
            s = String::from_utf8_lossy(&buf).into_owned();
        }
        s
    }

    /// True while the child process is alive.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Kill the registry now (SIGKILL) and reap it. Storage is kept.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start the registry again with the same storage and configuration. It binds afresh, so
    /// it may get another port: read [`port`](Self::port), [`host`](Self::host) or
    /// [`base_url`](Self::base_url) again afterwards (a client that needs one address across
    /// a restart talks to it through a proxy of its own).
    pub fn restart(&mut self) -> Result<(), LocalRegError> {
        self.stop();
        match self.launch()? {
            Ok(()) => Ok(()),
            Err(why) => Err(self.failure(&why)),
        }
    }

    fn failure(&self, why: &str) -> LocalRegError {
        err(format!(
            "local registry ({}) failed to start: {why}\n--- registry log ---\n{}\n--- end of registry log ---\nIf the binary is missing or broken: {INSTALL_HINT}",
            self.bin.display(),
            self.log().trim_end()
        ))
    }

    /// Run the registry and wait until it is ready: `Ok(Ok(()))`, with [`port`](Self::port)
    /// set to the port it bound; `Ok(Err(why))` when it exited or never became ready.
    fn launch(&mut self) -> Result<Result<(), String>, LocalRegError> {
        let yaml = render_config(&self.cfg, &self.storage, 0, &self.secret);
        fs::write(&self.config_path, yaml).map_err(|e| {
            err(format!(
                "cannot write the registry config {}: {e}",
                self.config_path.display()
            ))
        })?;
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(|e| err(format!("cannot open {}: {e}", self.log_path.display())))?;
        let _ = writeln!(
            log,
            "=== manifest-tui: starting registry on 127.0.0.1, port chosen by the system ==="
        );
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        let log2 = log
            .try_clone()
            .map_err(|e| err(format!("cannot open {}: {e}", self.log_path.display())))?;
        let mut cmd = Command::new(&self.bin);
        cmd.arg("serve")
            .arg(&self.config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2))
            .current_dir(self.dir.path());
        // The registry lets REGISTRY_* variables override its config: keep ours authoritative.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("REGISTRY_") {
                cmd.env_remove(k);
            }
        }
        let child = cmd.spawn().map_err(|e| {
            err(format!(
                "cannot run {}: {e}. {INSTALL_HINT}",
                self.bin.display()
            ))
        })?;
        self.child = Some(child);
        self.port = 0;

        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    self.child = None;
                    return Ok(Err(format!("the registry exited with {status}")));
                }
            }
            if self.port == 0 {
                if let Some(p) = bound_port(&self.log_since(log_start)) {
                    self.port = p;
                }
            }
            if self.port != 0 && probe(self.port) {
                return Ok(Ok(()));
            }
            if Instant::now() >= deadline {
                self.stop();
                return Ok(Err(if self.port == 0 {
                    format!(
                        "it did not say which port it bound (a `listening on 127.0.0.1:PORT` log line) within {} s",
                        READY_TIMEOUT.as_secs()
                    )
                } else {
                    format!(
                        "GET /v2/ on 127.0.0.1:{} did not answer within {} s",
                        self.port,
                        READY_TIMEOUT.as_secs()
                    )
                }));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_since(&self, offset: u64) -> String {
        let all = self.log();
        let off = (offset as usize).min(all.len());
        all.get(off..).unwrap_or("").to_string()
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Render the registry's YAML config. Strings are written as JSON strings, which YAML reads
/// as double-quoted scalars.
pub fn render_config(cfg: &LocalConfig, storage: &Path, port: u16, secret: &str) -> String {
    let q = |s: &str| serde_json::Value::String(s.to_string()).to_string();
    let qp = |p: &Path| q(&p.to_string_lossy());
    let mut y = String::new();
    y.push_str("version: 0.1\n");
    y.push_str("log:\n  level: info\n  accesslog:\n    disabled: false\n");
    y.push_str("storage:\n");
    y.push_str(&format!(
        "  filesystem:\n    rootdirectory: {}\n",
        qp(storage)
    ));
    y.push_str(&format!(
        "  delete:\n    enabled: {}\n",
        if cfg.delete_enabled { "true" } else { "false" }
    ));
    y.push_str("  maintenance:\n    uploadpurging:\n      enabled: false\n");
    y.push_str("  redirect:\n    disable: true\n");
    y.push_str("http:\n");
    y.push_str(&format!("  addr: {}\n", q(&format!("127.0.0.1:{port}"))));
    y.push_str(&format!("  secret: {}\n", q(secret)));
    y.push_str("  headers:\n    X-Content-Type-Options: [nosniff]\n");
    if let Some(tls) = &cfg.tls {
        y.push_str(&format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            qp(&tls.cert),
            qp(&tls.key)
        ));
        if !cfg.client_cas.is_empty() {
            y.push_str("    clientcas:\n");
            for ca in &cfg.client_cas {
                y.push_str(&format!("      - {}\n", qp(ca)));
            }
        }
    }
    if let Some(t) = &cfg.token {
        y.push_str("auth:\n  token:\n");
        y.push_str(&format!("    realm: {}\n", q(&t.realm)));
        y.push_str(&format!("    service: {}\n", q(&t.service)));
        y.push_str(&format!("    issuer: {}\n", q(&t.issuer)));
        y.push_str(&format!(
            "    rootcertbundle: {}\n",
            qp(&t.root_cert_bundle)
        ));
    } else if let Some(h) = &cfg.htpasswd {
        y.push_str("auth:\n  htpasswd:\n");
        y.push_str(&format!("    realm: {}\n", q("manifest-tui-test")));
        y.push_str(&format!("    path: {}\n", qp(h)));
    }
    // Foreign (non-distributable) layers name their URLs, as Docker Hub and MCR accept for
    // Windows base layers; Distribution refuses every URL unless a pattern allows them.
    y.push_str(&format!(
        "validation:\n  manifests:\n    urls:\n      allow:\n        - {}\n",
        q("^https?://")
    ));
    y
}

/// The registry binary: `$MANIFEST_TUI_REGISTRY_BIN`, else `docker-registry` on `PATH`.
pub fn find_binary() -> Result<PathBuf, LocalRegError> {
    if let Some(v) = std::env::var_os(REGISTRY_BIN_ENV) {
        let p = PathBuf::from(&v);
        if p.is_file() {
            return Ok(p);
        }
        return Err(err(format!(
            "{REGISTRY_BIN_ENV}={} is not a file. Fix the variable or unset it to use `{DEFAULT_REGISTRY_BIN}` from PATH",
            p.display()
        )));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for d in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]) {
        let cand = d.join(DEFAULT_REGISTRY_BIN);
        if cand.is_file() {
            return Ok(cand);
        }
    }
    Err(err(format!(
        "`{DEFAULT_REGISTRY_BIN}` was not found on PATH: {INSTALL_HINT}"
    )))
}

/// The port of the registry's `listening on 127.0.0.1:PORT` log line (Distribution logs the
/// listener's address once it is bound; `, tls` follows for a TLS listener).
pub fn bound_port(log: &str) -> Option<u16> {
    const MARK: &str = "listening on 127.0.0.1:";
    log.lines().find_map(|l| {
        let rest = &l[l.find(MARK)? + MARK.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok().filter(|p| *p != 0)
    })
}

/// A port that was free on 127.0.0.1 a moment ago (bind :0, read it, release it). Racy by
/// nature (another process may take it before it is used): the harness never starts a
/// listener on it; at most a test names it as an address nobody is meant to answer on.
pub fn free_port() -> Result<u16, LocalRegError> {
    let l = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| err(format!("cannot bind 127.0.0.1:0 to find a free port: {e}")))?;
    let port = l
        .local_addr()
        .map_err(|e| err(format!("cannot read the bound port: {e}")))?
        .port();
    drop(l);
    Ok(port)
}

/// True when something on 127.0.0.1:port answers a minimal HTTP request with an HTTP status
/// line. A TLS server answers a plain request with `HTTP/1.0 400`, which counts too.
pub fn probe(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(1000)));
    let _ = s.set_write_timeout(Some(Duration::from_millis(1000)));
    let req = format!("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    let mut got = 0;
    while got < 5 {
        match s.read(&mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = s.shutdown(Shutdown::Both);
    got >= 5 && &buf[..5] == b"HTTP/"
}

/// Hex of `n` bytes from /dev/urandom (falling back to a time/pid hash).
fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    let ok = File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    if !ok {
        let seed = format!("{:?}-{}", std::time::SystemTime::now(), std::process::id());
        return manifest_core::digest::Digest::sha256(seed.as_bytes()).hex()[..n * 2].to_string();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_has_every_required_setting() {
        let cfg = LocalConfig {
            token: Some(TokenAuth {
                realm: "http://127.0.0.1:9/token".into(),
                service: "test-registry".into(),
                issuer: "test-issuer".into(),
                root_cert_bundle: "/x/bundle.pem".into(),
            }),
            ..Default::default()
        };
        let y = render_config(&cfg, Path::new("/s"), 5123, "abc");
        for want in [
            "version: 0.1",
            "rootdirectory: \"/s\"",
            "enabled: true",
            "uploadpurging:\n      enabled: false",
            "redirect:\n    disable: true",
            "addr: \"127.0.0.1:5123\"",
            "secret: \"abc\"",
            "realm: \"http://127.0.0.1:9/token\"",
            "rootcertbundle: \"/x/bundle.pem\"",
            "accesslog:\n    disabled: false",
            "validation:\n  manifests:\n    urls:\n      allow:\n        - \"^https?://\"",
        ] {
            assert!(y.contains(want), "missing {want:?} in\n{y}");
        }
        assert!(!y.contains("htpasswd"));
    }

    #[test]
    fn client_cas_are_listed_under_tls() {
        let cfg = LocalConfig {
            tls: Some(TlsFiles {
                cert: "/c/server.crt".into(),
                key: "/c/server.key".into(),
            }),
            client_cas: vec!["/c/clients.pem".into()],
            ..Default::default()
        };
        let y = render_config(&cfg, Path::new("/s"), 5123, "abc");
        let want = "  tls:\n    certificate: \"/c/server.crt\"\n    key: \"/c/server.key\"\n    clientcas:\n      - \"/c/clients.pem\"\n";
        assert!(y.contains(want), "missing {want:?} in\n{y}");
        assert!(
            !render_config(&LocalConfig::default(), Path::new("/s"), 1, "a").contains("clientcas")
        );
    }

    #[test]
    fn the_bound_port_is_read_from_the_log() {
        let plain = "time=\"2026-01-01T00:00:00Z\" level=info msg=\"redis not configured\"\n\
time=\"2026-01-01T00:00:00Z\" level=info msg=\"listening on 127.0.0.1:41371\" go.version=go1.19.8\n";
        assert_eq!(bound_port(plain), Some(41371));
        let tls = "level=info msg=\"listening on 127.0.0.1:5443, tls\" instance.id=x\n";
        assert_eq!(bound_port(tls), Some(5443));
        assert_eq!(
            bound_port("level=info msg=\"redis not configured\"\n"),
            None
        );
        assert_eq!(bound_port("msg=\"listening on 127.0.0.1:0\"\n"), None);
    }

    #[test]
    fn free_port_is_nonzero() {
        assert_ne!(free_port().unwrap(), 0);
    }

    #[test]
    fn random_hex_has_length() {
        assert_eq!(random_hex(16).len(), 32);
    }
}
