//! What the README promises about the network, each checked with the real binary against the
//! real registry by a test that fails when the promise is broken:
//! - requests fan out: `inspect -v` of an N-entry list has all N entry GETs in flight at once
//!   (a proxy holds each until N are waiting, so a client sending one at a time fails);
//! - blobs are streamed, never held whole: copying a 256 MiB blob between two registries
//!   keeps the process's peak RSS (its own `ru_maxrss`, from `wait4`) under 64 MiB;
//! - `SSL_CERT_FILE` and `SSL_CERT_DIR` make a private CA trusted, and without them the
//!   registry is refused;
//! - a `certs.d` client certificate pair passes a registry that requires one (a real mTLS
//!   handshake, the demand checked with curl), and without the pair the error says so;
//! - a sync file's `cert-dir` does the same for its registry;
//! - a bearer token the registry refuses as expired is fetched again and the command
//!   succeeds; one that is refused again is an error, not a loop.
//!
//! Certificate trust is tested under a name that is not loopback (`tlsnet::NAME`, reached
//! through a CONNECT proxy on 127.0.0.1), because a loopback registry is insecure-allowed and
//! any certificate would pass.

mod common;

use common::cli::{fails_output as fails, ok_output as ok};
use common::faultproxy::{gather, FaultProxy};
use common::tlsnet::{ConnectProxy, TestCa, NAME};
use common::{
    bigblob, skopeo_inspect_raw, Access, Auth, LocalConfig, TestRegistry, TlsFiles, ALICE,
};
use manifest_tui::digest::Digest;
use manifest_tui::media;
use mt_testkit::samples;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_manifest-tui");

/// How long a gathering proxy waits for the rest of the requests: a hang guard only.
const PATIENCE: Duration = Duration::from_secs(30);

/// The binary with nothing of the caller's environment but `PATH`: HOME, DOCKER_CONFIG and
/// the XDG dirs inside `home` (docker's config in `config`), no colour, stdin closed, no
/// proxy and no TLS variables unless `env` sets them.
fn command(home: &Path, config: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Command {
    let mut c = common::cli::bare(BIN);
    c.args(args)
        .env("HOME", home)
        .env("DOCKER_CONFIG", config)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn run(home: &Path, config: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Output {
    command(home, config, args, env)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

/// A home directory with an empty docker config in it: `(home, DOCKER_CONFIG)`.
fn empty_home() -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join(".docker");
    std::fs::create_dir_all(&config).expect("docker config dir");
    std::fs::write(config.join("config.json"), "{\"auths\":{}}").expect("config.json");
    (home, config)
}

/// "Requests go out concurrently": every entry GET of `inspect -v` reaches the registry
/// before any is answered. The proxy in front of the registry holds each entry GET until
/// all N are waiting; a client that waits for one answer before sending the next request
/// never gets there, and after the hang guard the proxy lets everything through and the
/// count of requests in flight at once says how far it got (1).
#[test]
fn inspect_v_has_every_entry_request_in_flight_at_once() {
    let reg = TestRegistry::plain();
    reg.seed();
    let list = format!("{}:v1", samples::LIST_REPO);
    let raw = skopeo_inspect_raw(&reg.reference(&list), &[]);
    let index: serde_json::Value = serde_json::from_slice(&raw).expect("the list's JSON");
    let n = index["manifests"].as_array().expect("manifests").len();
    assert!(n >= 6, "the sample list has its six platforms: {index}");

    let proxy = FaultProxy::start(&reg.host);
    let (gate, gauge) = gather(&reg.host, n, PATIENCE);
    proxy.rule("GET", "/manifests/sha256:", gate, None);
    let (home, config) = empty_home();
    let out = ok(
        run(
            home.path(),
            &config,
            &["inspect", "-v", &format!("{}/{list}", proxy.host)],
            &[],
        ),
        "inspect -v",
    );
    let shown: serde_json::Value = serde_json::from_str(&out).expect("inspect -v prints JSON");
    assert_eq!(
        shown.as_array().map(Vec::len),
        Some(n),
        "one verbose object per entry:\n{out}"
    );
    eprintln!(
        "{n} entries: {} entry GETs arrived, at most {} in flight at once",
        gauge.arrived(),
        gauge.max()
    );
    assert_eq!(gauge.arrived(), n, "each entry fetched once");
    assert!(
        !gauge.timed_out() && gauge.max() >= n,
        "all {n} entry GETs must be in flight at once; at most {} were (the proxy waited {PATIENCE:?} for the rest)",
        gauge.max()
    );
    assert_eq!(gauge.current(), 0, "every request was answered");
}

/// The blob of [`copy_of_a_256_mib_blob_keeps_peak_rss_under_64_mib`].
const BIG_BLOB: u64 = 256 << 20;
/// The ceiling of the copying process's peak resident set.
const RSS_CEILING: u64 = 64 << 20;

/// Run the binary to its end and read its own peak RSS: `wait4` on its pid gives the
/// `rusage` of that child alone (not of the registries or other tests' children). Output goes
/// to files, so a full pipe cannot stall it. Returns (exit code, stdout, stderr, peak bytes).
fn run_measured(mut cmd: Command) -> (Option<i32>, String, String, u64) {
    let logs = tempfile::tempdir().expect("log dir");
    let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let child = cmd
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own unreaped child; the pointers are to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    // Reaped above: the handle has nothing left to wait for.
    drop(child);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    // ru_maxrss is in KiB on Linux.
    let peak = usage.ru_maxrss as u64 * 1024;
    (code, read(&out_path), read(&err_path), peak)
}

/// "Blobs are streamed across (never held whole in memory)": `copy` of an image whose layer
/// is 256 MiB, between two registries (so it cannot be mounted), peaks under 64 MiB of RSS.
/// The test makes the blob as it uploads it (nothing holds it whole here either), and skopeo
/// and a HEAD on the target check what landed.
#[test]
fn copy_of_a_256_mib_blob_keeps_peak_rss_under_64_mib() {
    let src = TestRegistry::plain();
    let dst = TestRegistry::plain();
    let repo = "big/blob";
    let layer = bigblob::push_generated_blob(&src.host, repo, BIG_BLOB, 0x5eed_b10b);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer.as_str()]},
    }))
    .expect("config JSON");
    let config_digest = bigblob::push_blob(&src.host, repo, &config);
    let manifest = serde_json::to_vec_pretty(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "config": {"mediaType": media::OCI_CONFIG, "size": config.len(), "digest": config_digest.as_str()},
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar",
            "size": BIG_BLOB,
            "digest": layer.as_str(),
        }],
    }))
    .expect("manifest JSON");
    let digest = common::put_manifest(&src.url, repo, "v1", media::OCI_MANIFEST, &manifest);

    let (home, config_dir) = empty_home();
    let (from, to) = (src.reference("big/blob:v1"), dst.reference("big/copied:v1"));
    let (code, out, err, peak) = run_measured(command(
        home.path(),
        &config_dir,
        &["copy", &from, &to],
        &[],
    ));
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    eprintln!(
        "copy of a {:.0} MiB blob: peak RSS {:.1} MiB",
        mib(BIG_BLOB),
        mib(peak)
    );
    let tail: String = err.lines().rev().take(5).collect::<Vec<_>>().join("\n");
    assert_eq!(
        code,
        Some(0),
        "copy failed\nstdout: {out}\nstderr (last lines): {tail}"
    );
    assert!(
        peak < RSS_CEILING,
        "copying a {:.0} MiB blob peaked at {:.1} MiB of RSS, over {:.0} MiB: it is held, not streamed",
        mib(BIG_BLOB),
        mib(peak),
        mib(RSS_CEILING)
    );

    // What landed, read by skopeo: the same manifest bytes, so the same digest.
    let landed = skopeo_inspect_raw(&to, &[]);
    assert_eq!(
        Digest::sha256(&landed),
        digest,
        "the target's manifest digest"
    );
    assert_eq!(landed, manifest, "the manifest's exact bytes");
    // And the layer itself, whole (the registry checked its digest when the upload closed).
    let head = bigblob::request(
        &dst.host,
        "HEAD",
        &format!("/v2/big/copied/blobs/{layer}"),
        &[],
        0,
        |_| {},
    );
    assert_eq!(head.status, 200, "the target has the layer");
    assert_eq!(
        head.header("content-length"),
        Some(BIG_BLOB.to_string().as_str())
    );
    assert_eq!(head.header("docker-content-digest"), Some(layer.as_str()));
}

/// A TLS registry whose certificate names only [`NAME`], holding the samples, and a CONNECT
/// proxy that reaches it under that name.
struct NamedTls {
    reg: TestRegistry,
    proxy: ConnectProxy,
    /// Its certificates and the registry's own files.
    dir: tempfile::TempDir,
    /// The CA that signed the registry's certificate (PEM file).
    ca: PathBuf,
}

impl NamedTls {
    /// `client_ca`: require client certificates signed by it.
    fn start(client_ca: Option<&TestCa>) -> NamedTls {
        let dir = tempfile::tempdir().expect("certs dir");
        let d = dir.path();
        let ca = TestCa::new("manifest-tui private CA");
        ca.write(&d.join("ca.pem"));
        let tls = TlsFiles {
            cert: d.join("server.crt"),
            key: d.join("server.key"),
        };
        ca.server(&[NAME]).write(&tls.cert, &tls.key);
        let storage = d.join("storage");
        // Seeded over plain HTTP first: the registry that requires client certificates
        // then serves the same storage.
        {
            let plain = TestRegistry::with_config(
                false,
                Auth::None,
                LocalConfig {
                    storage: Some(storage.clone()),
                    ..LocalConfig::default()
                },
            );
            plain.seed();
        }
        let mut client_cas = Vec::new();
        if let Some(c) = client_ca {
            let p = d.join("client-ca.pem");
            c.write(&p);
            client_cas.push(p);
        }
        let reg = TestRegistry::with_config(
            false,
            Auth::None,
            LocalConfig {
                tls: Some(tls),
                client_cas,
                storage: Some(storage),
                ..LocalConfig::default()
            },
        );
        NamedTls {
            reg,
            proxy: ConnectProxy::start(NAME),
            ca: d.join("ca.pem"),
            dir,
        }
    }

    /// `NAME:PORT`, the registry as the binary names it.
    fn domain(&self) -> String {
        format!("{NAME}:{}", self.reg.port())
    }

    /// `NAME:PORT/<rest>`.
    fn reference(&self, rest: &str) -> String {
        format!("{}/{rest}", self.domain())
    }

    /// Run the binary with the proxy variables and `extra`.
    fn run(&self, home: &Path, config: &Path, args: &[&str], extra: &[(&str, &OsStr)]) -> Output {
        let proxy_env = self.proxy.env();
        let mut env: Vec<(&str, &OsStr)> = proxy_env
            .iter()
            .map(|(k, v)| (*k, OsStr::new(v.as_str())))
            .collect();
        env.extend_from_slice(extra);
        run(home, config, args, &env)
    }

    /// `curl https://NAME:PORT/v2/` with the registry's CA and `extra`, connecting straight to
    /// 127.0.0.1 (no proxy): the HTTP status, or curl's failure.
    fn curl(&self, extra: &[&str]) -> Result<String, String> {
        let port = self.reg.port();
        let o = common::cli::tool("curl")
            .args([
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--noproxy",
                "*",
            ])
            .arg("--resolve")
            .arg(format!("{NAME}:{port}:127.0.0.1"))
            .arg("--cacert")
            .arg(&self.ca)
            .args(extra)
            .arg(format!("https://{NAME}:{port}/v2/"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .expect("curl must be installed (scripts/install-test-deps.sh)");
        if o.status.success() {
            Ok(String::from_utf8_lossy(&o.stdout).into_owned())
        } else {
            Err(format!(
                "curl exit {:?}: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr).trim()
            ))
        }
    }
}

/// "`SSL_CERT_FILE` or `SSL_CERT_DIR`, when set, replace [the system's CAs]": a registry
/// whose certificate a private CA signed is refused with the system's CAs, trusted when that
/// CA is the file of `SSL_CERT_FILE` or a file (any name, no hashed links) in the directory
/// of `SSL_CERT_DIR`, and refused again when the variable names another CA.
#[test]
fn ssl_cert_file_and_ssl_cert_dir_trust_a_private_ca() {
    let x = NamedTls::start(None);
    let (home, config) = empty_home();
    let list = x.reference(&format!("{}:v1", samples::LIST_REPO));
    let inspect = ["inspect", &list];

    // The system's CAs alone: refused, by the registry's certificate (the tunnel was opened,
    // the handshake failed).
    let err = fails(
        x.run(home.path(), &config, &inspect, &[]),
        "without SSL_CERT_*",
    );
    eprintln!("without SSL_CERT_FILE / SSL_CERT_DIR:\n{err}");
    assert!(
        x.proxy.tunnels_to(&x.domain()) >= 1,
        "the registry was reached through the proxy: {:?}",
        x.proxy.seen()
    );
    assert!(
        err.contains("TLS") && err.contains("certs.d"),
        "the error says the TLS handshake failed and where a CA goes:\n{err}"
    );

    let out = ok(
        x.run(
            home.path(),
            &config,
            &inspect,
            &[("SSL_CERT_FILE", x.ca.as_os_str())],
        ),
        "with SSL_CERT_FILE",
    );
    assert!(out.contains("\"manifests\""), "the list: {out}");

    let cert_dir = x.dir.path().join("ssl-certs");
    std::fs::create_dir_all(&cert_dir).expect("cert dir");
    std::fs::copy(&x.ca, cert_dir.join("private-ca.pem")).expect("copy the CA");
    let out = ok(
        x.run(
            home.path(),
            &config,
            &inspect,
            &[("SSL_CERT_DIR", cert_dir.as_os_str())],
        ),
        "with SSL_CERT_DIR",
    );
    assert!(out.contains("\"manifests\""), "the list: {out}");

    // The variables are read for what they hold: another CA does not do.
    let other = x.dir.path().join("other-ca.pem");
    TestCa::new("some other CA").write(&other);
    fails(
        x.run(
            home.path(),
            &config,
            &inspect,
            &[("SSL_CERT_FILE", other.as_os_str())],
        ),
        "SSL_CERT_FILE naming another CA",
    );
}

/// "the extra CAs and client certificates of docker's `certs.d`": against a registry that
/// requires a client certificate (Distribution's `http.tls.clientcas`; curl, another TLS
/// stack, shows it refuses a client without one and one signed by another CA), the pair in
/// `~/.config/docker/certs.d/HOST:PORT/` (`client.cert` + `client.key`, next to `ca.crt`)
/// is sent and the command works; without it the error says a client certificate is needed,
/// and with a pair the registry does not accept, which file it refused.
#[test]
fn certs_d_client_pair_passes_a_registry_that_requires_one() {
    let client_ca = TestCa::new("manifest-tui client CA");
    let x = NamedTls::start(Some(&client_ca));
    let d = x.dir.path();
    let pair = client_ca.client("manifest-tui test client");
    pair.write(&d.join("client.cert"), &d.join("client.key"));
    // A pair from another CA: a client certificate, but not one the registry accepts.
    let stranger = TestCa::new("stranger CA").client("stranger");
    stranger.write(&d.join("stranger.cert"), &d.join("stranger.key"));
    let cert_args = |stem: &str| {
        vec![
            "--cert".to_string(),
            d.join(format!("{stem}.cert")).display().to_string(),
            "--key".to_string(),
            d.join(format!("{stem}.key")).display().to_string(),
        ]
    };
    let with = |stem: &str| {
        x.curl(
            &cert_args(stem)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
    };

    // The registry really requires it: curl without a client certificate, or with one from
    // another CA, does not get an answer; with the pair it gets /v2/'s 200.
    let without = x.curl(&[]);
    assert!(
        without.is_err(),
        "the registry answered a client without a certificate: {without:?}"
    );
    let strange = with("stranger");
    assert!(
        strange.is_err(),
        "the registry answered a certificate from another CA: {strange:?}"
    );
    assert_eq!(with("client"), Ok("200".to_string()), "curl with the pair");
    eprintln!(
        "curl without a client certificate: {}",
        without.unwrap_err()
    );

    let (home, config) = empty_home();
    let host_dir = home.path().join(".config/docker/certs.d").join(x.domain());
    std::fs::create_dir_all(&host_dir).expect("certs.d host dir");
    std::fs::copy(&x.ca, host_dir.join("ca.crt")).expect("ca.crt");
    let list = x.reference(&format!("{}:v1", samples::LIST_REPO));
    let inspect = ["inspect", &list];

    // The CA alone: the server is trusted, but the registry refuses the client.
    let err = fails(
        x.run(home.path(), &config, &inspect, &[]),
        "certs.d without the pair",
    );
    eprintln!("certs.d with ca.crt only:\n{err}");
    assert!(
        err.contains("client certificate") && err.contains("client.cert"),
        "the error says the registry wants a client certificate, and where it goes:\n{err}"
    );

    // A pair the registry does not accept: refused, and the error names the file.
    let (cert, key) = (host_dir.join("client.cert"), host_dir.join("client.key"));
    stranger.write(&cert, &key);
    let err = fails(
        x.run(home.path(), &config, &inspect, &[]),
        "certs.d with a pair from another CA",
    );
    eprintln!("certs.d with a pair from another CA:\n{err}");
    assert!(
        err.contains("refused the client certificate") && err.contains(&cert.display().to_string()),
        "the error names the certificate the registry refused:\n{err}"
    );

    pair.write(&cert, &key);
    let out = ok(
        x.run(home.path(), &config, &inspect, &[]),
        "certs.d with the pair",
    );
    assert!(out.contains("\"manifests\""), "the list: {out}");
    assert!(
        x.proxy.tunnels_to(&x.domain()) >= 3,
        "every run reached the registry through the proxy: {:?}",
        x.proxy.seen()
    );
}

/// "`cert-dir`" of a sync file (skopeo's key): its directory's CA and client pair are used
/// for its registry, here one that requires a client certificate; without the key the same
/// sync cannot start (exit 2), since the registry is also the destination.
#[test]
fn a_sync_files_cert_dir_passes_a_registry_that_requires_a_client_certificate() {
    let client_ca = TestCa::new("manifest-tui client CA");
    let x = NamedTls::start(Some(&client_ca));
    let certs = x.dir.path().join("sync-certs");
    std::fs::create_dir_all(&certs).expect("cert dir");
    std::fs::copy(&x.ca, certs.join("ca.crt")).expect("ca.crt");
    client_ca
        .client("manifest-tui sync")
        .write(&certs.join("client.cert"), &certs.join("client.key"));
    let (home, config) = empty_home();
    let yaml = home.path().join("sync.yaml");
    let file = |cert_dir: &str| {
        format!(
            "{}:\n  images:\n    {}: [v1]\n{cert_dir}",
            x.domain(),
            samples::LIST_REPO
        )
    };
    std::fs::write(&yaml, file(&format!("  cert-dir: {}\n", certs.display()))).unwrap();
    let dest = x.reference("mirror");
    let args = ["sync", yaml.to_str().unwrap(), &dest];
    let out = ok(
        x.run(home.path(), &config, &args, &[]),
        "sync with cert-dir",
    );
    assert!(out.contains("Synced 1 images"), "{out}");
    std::fs::write(&yaml, file("")).unwrap();
    let o = x.run(home.path(), &config, &args, &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// "Bearer tokens are … cached per scope until expiry", and replaced when they expire. The
/// registry refuses an expired token (checked first with tokens minted directly: an hour
/// past `exp` is beyond Distribution's 60 s of leeway). The issuer then hands out a token
/// already expired while promising 300 s, as a token looks that expired while the client held
/// it: the command fetches a new one once and succeeds, and every other request reuses it.
/// A token refused again after a fresh one is an error after two token requests, not a loop.
#[test]
fn an_expired_token_is_replaced_once_and_the_command_succeeds() {
    let reg = TestRegistry::token();
    reg.seed();
    let issuer = reg.issuer();
    let list_path = format!("/v2/{}/manifests/v1", samples::LIST_REPO);

    // The registry's own judgement, without the product: expired → 401, fresh → 200.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let http = reg.http_client();
    let status_with = |ttl: i64| {
        let token = issuer.mint(ALICE, &[Access::repo(samples::LIST_REPO, &["pull"])], ttl);
        rt.block_on(async {
            http.get(format!("{}{list_path}", reg.url))
                .header("Authorization", common::bearer_header(&token))
                .header("Accept", media::MANIFEST_ACCEPT)
                .send()
                .await
                .expect("GET the list")
                .status()
                .as_u16()
        })
    };
    assert_eq!(status_with(300), 200, "a fresh token is accepted");
    assert_eq!(status_with(-3600), 401, "an expired token is refused");

    let (home, _) = empty_home();
    let config = reg.docker_config();
    let list = reg.reference(&format!("{}:v1", samples::LIST_REPO));
    let verbose = ["inspect", "-v", &list];

    // Every request of `inspect -v` (the list and its entries) has one scope: one token.
    issuer.reset_stats();
    let first = ok(run(home.path(), &config, &verbose, &[]), "inspect -v");
    assert_eq!(
        issuer.requests(),
        1,
        "one token for the list and all its entries: {:#?}",
        issuer.log()
    );

    // The token the client gets is expired: it gets another, once, and the output is the same.
    issuer.reset_stats();
    issuer.expire_next(1);
    let again = ok(
        run(home.path(), &config, &verbose, &[]),
        "inspect -v with the first token expired",
    );
    assert_eq!(again, first, "the same output");
    assert_eq!(
        issuer.requests(),
        2,
        "the expired token is replaced once, and the new one serves the rest: {:#?}",
        issuer.log()
    );

    // Every token expired: an error after the one retry.
    issuer.reset_stats();
    issuer.expire_next(usize::MAX);
    let err = fails(
        run(home.path(), &config, &["inspect", &list], &[]),
        "inspect with every token expired",
    );
    eprintln!("every token expired:\n{err}");
    assert_eq!(
        issuer.requests(),
        2,
        "a token refused after a fresh one is not asked for again and again: {:#?}",
        issuer.log()
    );
    assert!(
        err.contains(&reg.host) && err.contains("refused the tokens its token server issued"),
        "the error names the registry and says its tokens were refused:\n{err}"
    );
}
