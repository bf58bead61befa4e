//! The registry client against real Distribution registries (plain, TLS, basic, token).

mod common;

use common::*;
use manifest_tui::digest::Digest;
use manifest_tui::media::{self, Parsed};
use manifest_tui::reference::Reference;
use manifest_tui::registry::{
    ByteProgress, Client, ClientOptions, ErrorCode, ErrorKind, RegistryError, Repo,
};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

fn reference(host: &str, path: &str, tag: &str) -> Reference {
    Reference {
        domain: host.to_string(),
        path: path.to_string(),
        tag: Some(tag.to_string()),
        digest: None,
    }
}

fn repo(host: &str, path: &str) -> Repo {
    Repo {
        domain: host.to_string(),
        path: path.to_string(),
    }
}

fn client_with(config: Option<PathBuf>) -> Client {
    // No config given: an empty one, never the user's.
    let config = config.unwrap_or_else(common::empty_docker_config);
    Client::new(common::client_options(&config)).expect("client")
}

/// A docker config dir with no credentials at all.
fn empty_config() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("config.json"), "{\"auths\":{}}").expect("write");
    let p = d.path().to_path_buf();
    (d, p)
}

fn api_code(e: &RegistryError) -> Option<ErrorCode> {
    e.code().cloned()
}

/// Fetch the list, then its N children and their configs concurrently.
async fn inspect_list(c: &Client, host: &str, tag: &str) -> usize {
    let list = c
        .get_manifest(&reference(host, samples::LIST_REPO, tag))
        .await
        .expect("list");
    let Parsed::Index(idx) = list.parse().expect("parse list") else {
        panic!("not a list")
    };
    let futs = idx.manifests.iter().map(|d| {
        let c = c.clone();
        let r = reference(host, samples::LIST_REPO, tag).at_digest(&d.digest);
        async move {
            let m = c.get_manifest(&r).await.expect("child");
            let Parsed::Image(im) = m.parse().expect("parse child") else {
                panic!("child is a list")
            };
            c.get_blob(&Repo::of(&r), &im.config.digest, 1 << 20)
                .await
                .expect("config")
        }
    });
    futures_util::future::join_all(futs).await.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_registry_fetch_list_and_count_requests() {
    let r = TestRegistry::plain();
    let seeded = r.seed_async().await;
    let c = client_with(Some(r.docker_config()));
    let n = inspect_list(&c, &r.host, "v1").await;
    assert_eq!(n, 6);
    let s = c.stats();
    // The list, sent over https and http at once (no separate ping) + 6 children + 6
    // configs, on pooled connections (at most one per request in flight, plus the probe).
    assert_eq!(s.requests, 2 + 6 + 6, "{s:?}");
    assert_eq!(s.token_requests, 0);
    assert!(s.connections >= 2 && s.connections <= 2 + 8, "{s:?}");

    // The manifest bytes and digest are exactly what was pushed.
    let m = c
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect("list");
    assert_eq!(Some(&m.digest), seeded.digest_of("samples/app:v1"));
    assert_eq!(m.media_type, media::DOCKER_LIST);
    let oci = c
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1-oci"))
        .await
        .expect("index");
    assert_eq!(oci.media_type, media::OCI_INDEX);

    // HEAD gives the same digest.
    let (mt, d, size) = c
        .head_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect("head")
        .expect("exists");
    assert_eq!(
        (mt.as_str(), &d, size),
        (media::DOCKER_LIST, &m.digest, m.bytes.len() as u64)
    );
    assert!(c
        .head_manifest(&reference(&r.host, samples::LIST_REPO, "nope"))
        .await
        .expect("head")
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_registry_inspect_uses_one_token_and_constant_round_trips() {
    let r = TestRegistry::token();
    r.seed_async().await;
    r.issuer().reset_stats();
    let c = client_with(Some(r.docker_config()));
    assert_eq!(inspect_list(&c, &r.host, "v1").await, 6);
    let s = c.stats();
    assert_eq!(s.token_requests, 1, "{s:?} {:?}", r.issuer().log());
    // https probe + http ping + token + list + 6 children + 6 configs.
    assert_eq!(s.requests, 2 + 1 + 1 + 6 + 6, "{s:?}");
    assert!(s.connections <= 2 + 1 + 8, "{s:?}");
    assert_eq!(
        r.issuer_scopes(),
        vec!["repository:samples/app:pull".to_string()]
    );
    let log = r.issuer().log();
    assert_eq!(log[0].basic_user.as_deref(), Some(ALICE));
    assert_eq!(log[0].account.as_deref(), Some(ALICE));
    assert_eq!(log[0].service.as_deref(), Some(SERVICE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_and_catalog_page_through_link_headers() {
    let r = TestRegistry::plain();
    r.seed_async().await;
    let c = client_with(None);
    // Distribution 2.8 does not paginate tags/list (it ignores `n`): one page, no Link.
    let app = repo(&r.host, samples::LIST_REPO);
    let mut all = c.list_tags(&app, 2).await.expect("list_tags");
    all.sort();
    assert_eq!(all, vec!["v1", "v1-oci", "v2", "v2-oci"]);

    // The catalog does paginate: n=2 over 13 repositories.
    let mut repos = Vec::new();
    let mut last: Option<String> = None;
    let mut pages = 0;
    loop {
        let (page, next) = c
            .catalog_page(&r.host, 2, last.as_deref())
            .await
            .expect("catalog");
        pages += 1;
        repos.extend(page);
        match next {
            Some(n) => last = Some(n),
            None => break,
        }
        assert!(pages < 50, "Link loop");
    }
    let mut want = samples::repositories();
    want.sort();
    repos.sort();
    assert_eq!(repos, want);
    assert!(pages > 2);
}

/// Tag paging over a registry that does paginate (a tiny server standing in for 3.x), and
/// the Link loop guard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_pages_follow_link_and_stop_on_loops() {
    let all: Vec<String> = (0..7).map(|i| format!("t{i}")).collect();
    let all2 = all.clone();
    let (host, seen) = tiny_server("127.0.0.1:0", move |head| {
        let line = head.lines().next().unwrap_or("").to_string();
        if line.starts_with("GET /v2/ ") {
            return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".to_vec();
        }
        let q = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let param = |k: &str| {
            q.split(['?', '&'])
                .find_map(|p| p.strip_prefix(&format!("{k}=")).map(str::to_string))
        };
        let n: usize = param("n").and_then(|n| n.parse().ok()).unwrap_or(100);
        let last = param("last");
        let looping = q.starts_with("/v2/loop/");
        let start = match &last {
            Some(l) => all2.iter().position(|t| t == l).map(|p| p + 1).unwrap_or(0),
            None => 0,
        };
        let page: Vec<&String> = all2.iter().skip(start).take(n).collect();
        let mut link = String::new();
        if looping {
            // Always points at the same page: the client must stop.
            link = "Link: </v2/loop/tags/list?n=2&last=t1>; rel=\"next\"\r\n".into();
        } else if start + n < all2.len() {
            if let Some(l) = page.last() {
                link = format!("Link: </v2/app/tags/list?last={l}&n={n}>; rel=\"next\"\r\n");
            }
        }
        let body = serde_json::json!({"name": "app", "tags": page}).to_string();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{link}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    });
    let c = client_with(None);
    let app = repo(&host, "app");
    let (first, next) = c.tags_page(&app, 2, None).await.expect("page 1");
    assert_eq!(first, vec!["t0", "t1"]);
    assert_eq!(next.as_deref(), Some("/v2/app/tags/list?last=t1&n=2"));
    let (second, next) = c.tags_page(&app, 2, next.as_deref()).await.expect("page 2");
    assert_eq!(second, vec!["t2", "t3"]);
    assert_eq!(next.as_deref(), Some("/v2/app/tags/list?last=t3&n=2"));
    let got = c.list_tags(&app, 2).await.expect("all pages");
    assert_eq!(got, all);
    // The looping registry: the page after `t1` links to `last=t1` again → no next token.
    let (_, next) = c
        .tags_page(
            &repo(&host, "loop"),
            2,
            Some("/v2/loop/tags/list?n=2&last=t1"),
        )
        .await
        .expect("loop page");
    assert_eq!(next, None);
    let got = c
        .list_tags(&repo(&host, "loop"), 2)
        .await
        .expect("loop list");
    assert_eq!(got, vec!["t0", "t1", "t2", "t3"]);
    let heads = seen.lock().map(|v| v.len()).unwrap_or(0);
    assert!(heads < 20, "{heads}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_catalog_asks_for_the_catalog_scope() {
    let r = TestRegistry::token();
    r.seed_async().await;
    r.issuer().reset_stats();
    let c = client_with(Some(r.docker_config()));
    let (page, next) = c.catalog_page(&r.host, 2, None).await.expect("catalog");
    assert_eq!(page.len(), 2);
    assert!(next.is_some());
    assert_eq!(r.issuer_scopes(), vec!["registry:catalog:*".to_string()]);
    // reader has no catalog access: clear error.
    let reader = client_with(Some(r.docker_config_for(READER, READER_PASSWORD)));
    let e = reader
        .catalog_page(&r.host, 2, None)
        .await
        .expect_err("reader");
    assert_eq!(api_code(&e), Some(ErrorCode::Denied), "{e}");
    assert!(e.to_string().contains("registry:catalog:*"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_registry_verified_with_certs_d_ca() {
    let r = TestRegistry::tls();
    r.seed_async().await;
    // Verification on (loopback not treated as insecure), CA from certs.d.
    let strict = Client::new(ClientOptions {
        certs_dirs: Some(vec![r.certs_dir()]),
        loopback_insecure: false,
        ..common::client_options(&common::empty_docker_config())
    })
    .expect("client");
    let m = strict
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect("verified TLS");
    assert_eq!(m.media_type, media::DOCKER_LIST);

    // Without the CA: the error says what to do.
    let no_ca = Client::new(ClientOptions {
        certs_dirs: Some(Vec::new()),
        loopback_insecure: false,
        ..common::client_options(&common::empty_docker_config())
    })
    .expect("client");
    let e = no_ca
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect_err("untrusted cert");
    let s = e.to_string();
    assert!(s.contains("certs.d") && s.contains("--insecure"), "{s}");

    // Loopback is insecure-allowed by default: unverified TLS works.
    let c = client_with(None);
    c.get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect("insecure TLS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_registry_not_allowed_insecure_says_so() {
    let r = TestRegistry::plain();
    let strict = Client::new(ClientOptions {
        certs_dirs: Some(Vec::new()),
        loopback_insecure: false,
        ..common::client_options(&common::empty_docker_config())
    })
    .expect("client");
    let e = strict
        .get_manifest(&reference(&r.host, "samples/app", "v1"))
        .await
        .expect_err("plain http refused");
    let s = e.to_string();
    assert!(
        s.contains("speaks plain HTTP") && s.contains("--insecure"),
        "{s}"
    );
    // Naming it insecure fixes it.
    let ok = Client::new(ClientOptions {
        insecure: vec![r.host.clone()],
        certs_dirs: Some(Vec::new()),
        loopback_insecure: false,
        ..common::client_options(&common::empty_docker_config())
    })
    .expect("client");
    ok.ping(&r.host).await.expect("insecure allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_via_docker_config() {
    let r = TestRegistry::basic();
    r.seed_async().await;
    let c = client_with(Some(r.docker_config()));
    c.get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect("alice");

    let (_d, empty) = empty_config();
    let anon = client_with(Some(empty));
    let e = anon
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect_err("anonymous");
    assert_eq!(api_code(&e), Some(ErrorCode::Unauthorized), "{e}");
    assert!(
        e.to_string().contains(&format!("docker login {}", r.host)),
        "{e}"
    );

    let wrong = client_with(Some(r.docker_config_for(ALICE, "wrong-password")));
    let e = wrong
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect_err("wrong password");
    let s = format!("{e} {e:?}");
    assert!(s.contains("docker login"), "{s}");
    assert!(
        !s.contains("wrong-password") && !s.contains("alice-password"),
        "{s}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_auth_alice_push_and_cached_tokens() {
    let r = TestRegistry::token();
    r.seed_async().await;
    r.issuer().reset_stats();
    let c = client_with(Some(r.docker_config()));
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let l2 = lines.clone();
    c.set_trace(Some(Arc::new(move |s: &str| {
        if let Ok(mut v) = l2.lock() {
            v.push(s.to_string());
        }
    })));
    let src = reference(&r.host, "samples/app-linux-amd64", "v1");
    let m = c.get_manifest(&src).await.expect("get");
    let target = repo(&r.host, "scratch/alice");
    let Parsed::Image(im) = m.parse().expect("parse") else {
        panic!("list")
    };
    for b in std::iter::once(&im.config).chain(im.layers.iter()) {
        c.ensure_blob(&target, &Repo::of(&src), &b.digest, b.size as u64, None)
            .await
            .expect("blob");
    }
    let d = c
        .put_manifest(&target, "copied", &m.media_type, &m.bytes)
        .await
        .expect("put");
    assert_eq!(d, m.digest);
    let again = c
        .get_manifest(&reference(&r.host, "scratch/alice", "copied"))
        .await
        .expect("get pushed");
    assert_eq!(again.bytes, m.bytes);
    let scopes = r.issuer_scopes();
    assert!(
        scopes.contains(&"repository:scratch/alice:pull,push".to_string()),
        "{scopes:?}"
    );
    // The mount asked for the source's pull scope too.
    assert!(
        scopes.contains(&"repository:samples/app-linux-amd64:pull".to_string()),
        "{scopes:?}"
    );
    // Scope sets are cached: pull(src), pull(target), push(target), push(target)+pull(src).
    assert!(c.stats().token_requests <= 4, "{:?} {scopes:?}", c.stats());
    let lines = lines.lock().map(|v| v.clone()).unwrap_or_default();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            !l.contains(ALICE_PASSWORD) && !l.contains("eyJ") && !l.contains("Basic "),
            "{l}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mount_requests_source_pull_scope() {
    let r = TestRegistry::token();
    r.seed_async().await;
    r.issuer().reset_stats();
    let c = client_with(Some(r.docker_config()));
    let img = &samples::images("v1", false)[0];
    let (cfg_digest, _) = &img.blobs[0];
    let mounted = c
        .mount_blob(
            &repo(&r.host, "scratch/mounted"),
            &repo(&r.host, &img.repo),
            cfg_digest,
        )
        .await
        .expect("mount");
    assert!(mounted);
    let log = r.issuer().log();
    let last = log.last().expect("token request");
    let mut got = last.scopes.clone();
    got.sort();
    assert_eq!(
        got,
        vec![
            format!("repository:{}:pull", img.repo),
            "repository:scratch/mounted:pull,push".to_string()
        ]
    );
    assert!(c
        .blob_exists(&repo(&r.host, "scratch/mounted"), cfg_digest)
        .await
        .expect("head")
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_pull_denied_or_allowed_per_policy() {
    let (_d, empty) = empty_config();
    // Default policy: anonymous gets nothing.
    let r = TestRegistry::token();
    r.seed_async().await;
    let c = client_with(Some(empty.clone()));
    let e = c
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect_err("anonymous denied");
    assert_eq!(api_code(&e), Some(ErrorCode::Unauthorized), "{e}");
    assert!(e.to_string().contains("docker login"), "{e}");
    // Anonymous pull allowed.
    let r2 = TestRegistry::token_with(TokenPolicy::anonymous_pull());
    r2.seed_async().await;
    let c = client_with(Some(empty));
    c.get_manifest(&reference(&r2.host, samples::LIST_REPO, "v1"))
        .await
        .expect("anonymous pull");
    let log = r2.issuer().log();
    assert!(log
        .iter()
        .all(|q| q.basic_user.is_none() && q.account.is_none()));
    // …but not push.
    let e = c
        .put_manifest(
            &repo(&r2.host, "scratch/anon"),
            "x",
            media::DOCKER_LIST,
            b"{}",
        )
        .await
        .expect_err("anonymous push");
    assert!(e.to_string().contains("docker login"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_scope_gives_a_clear_error() {
    let r = TestRegistry::token();
    r.seed_async().await;
    let c = client_with(Some(r.docker_config_for(READER, READER_PASSWORD)));
    let m = c
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect("reader can pull");
    let e = c
        .put_manifest(
            &repo(&r.host, samples::LIST_REPO),
            "stolen",
            &m.media_type,
            &m.bytes,
        )
        .await
        .expect_err("reader cannot push");
    assert_eq!(api_code(&e), Some(ErrorCode::Denied), "{e}");
    let s = e.to_string();
    assert!(s.contains("repository:samples/app:pull,push"), "{s}");
    assert!(s.contains("push access to samples/app"), "{s}");
    assert!(s.contains(READER) && !s.contains(READER_PASSWORD), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_token_uses_the_refresh_grant() {
    let r = TestRegistry::token();
    r.seed_async().await;
    // Get a refresh token as `docker login` does.
    let url = format!(
        "{}?service={SERVICE}&client_id=docker&offline_token=true&account={ALICE}",
        r.realm()
    );
    let body = r
        .http_client()
        .get(url)
        .header("Authorization", basic_header(ALICE, ALICE_PASSWORD))
        .send()
        .await
        .expect("login")
        .bytes()
        .await
        .expect("body");
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    use base64::Engine as _;
    let cfg = serde_json::json!({"auths": {r.host.clone(): {
        "auth": base64::engine::general_purpose::STANDARD.encode(format!("{ALICE}:")),
        "identitytoken": refresh,
    }}});
    std::fs::write(dir.path().join("config.json"), cfg.to_string()).expect("write");
    r.issuer().reset_stats();
    let c = client_with(Some(dir.path().to_path_buf()));
    c.get_manifest(&reference(&r.host, samples::LIST_REPO, "v1"))
        .await
        .expect("refresh grant");
    let log = r.issuer().log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].grant_type.as_deref(), Some("refresh_token"));
    assert_eq!(log[0].client_id.as_deref(), Some("manifest-tui"));
    assert_eq!(
        log[0].scopes,
        vec!["repository:samples/app:pull".to_string()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_blob_and_manifest_are_refused() {
    let r = TestRegistry::plain();
    r.seed_async().await;
    let c = client_with(None);
    let img = &samples::images("v1", false)[0];
    let (cfg_digest, cfg) = &img.blobs[0];
    // Flip one byte of the config blob in the registry's storage (same length).
    let path = r.blob_path(cfg_digest);
    let mut bytes = std::fs::read(&path).expect("blob data");
    assert_eq!(&bytes, cfg);
    bytes[0] ^= 0x20;
    std::fs::write(&path, &bytes).expect("tamper");
    let e = c
        .get_blob(&repo(&r.host, &img.repo), cfg_digest, 1 << 20)
        .await
        .expect_err("tampered config");
    match &e.kind {
        ErrorKind::DigestMismatch { expected, actual } => {
            assert_eq!(expected, cfg_digest.as_str());
            assert_eq!(actual, Digest::sha256(&bytes).as_str());
        }
        k => panic!("wrong kind {k:?}"),
    }
    assert!(e.to_string().contains(cfg_digest.as_str()), "{e}");

    // A manifest: whitespace changed, still valid JSON, different digest.
    let path = r.blob_path(&img.digest);
    let mut m = std::fs::read(&path).expect("manifest data");
    let pos = m.iter().position(|b| *b == b' ').expect("a space");
    m[pos] = b'\t';
    std::fs::write(&path, &m).expect("tamper");
    for rf in [
        reference(&r.host, &img.repo, "v1"),
        reference(&r.host, &img.repo, "v1").at_digest(&img.digest),
    ] {
        let e = c.get_manifest(&rf).await.expect_err("tampered manifest");
        match &e.kind {
            ErrorKind::DigestMismatch { expected, actual } => {
                assert_eq!(expected, img.digest.as_str());
                assert_eq!(actual, Digest::sha256(&m).as_str());
            }
            k => panic!("wrong kind {k:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mount_202_cancels_and_ensure_blob_copies() {
    let r = TestRegistry::plain();
    r.seed_async().await;
    let c = client_with(None);
    let img = &samples::images("v1", false)[0];
    let (layer, layer_bytes) = &img.blobs[1];
    let target = repo(&r.host, "scratch/target");
    // The source repository lacks the blob: the registry answers 202 (upload opened).
    let mounted = c
        .mount_blob(&target, &repo(&r.host, "scratch/empty"), layer)
        .await
        .expect("mount");
    assert!(!mounted);
    assert!(c.blob_exists(&target, layer).await.expect("head").is_none());
    // The opened upload was cancelled: no upload sessions left in storage.
    let uploads = r
        .storage_dir()
        .join("docker/registry/v2/repositories/scratch/target/_uploads");
    // (Distribution 2.8 leaves an empty `hashstates` dir behind; `startedat`/`data` go.)
    let out = common::cli::tool("find")
        .arg(&uploads)
        .output()
        .expect("find");
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        !listing.contains("/startedat") && !listing.contains("/data"),
        "dangling upload:\n{listing}"
    );

    // Cross-registry: stream-copy with progress.
    let other = TestRegistry::plain();
    let seen = Arc::new(AtomicU64::new(0));
    let s2 = seen.clone();
    let progress: ByteProgress = Arc::new(move |n| {
        s2.fetch_add(n, Ordering::SeqCst);
    });
    let dst = repo(&other.host, "copied/app");
    c.ensure_blob(
        &dst,
        &repo(&r.host, &img.repo),
        layer,
        layer_bytes.len() as u64,
        Some(progress),
    )
    .await
    .expect("copy");
    assert_eq!(seen.load(Ordering::SeqCst), layer_bytes.len() as u64);
    assert_eq!(
        c.get_blob(&dst, layer, 1 << 24).await.expect("copied"),
        *layer_bytes
    );
    // Same registry, from a repository without the blob, falls back to a copy too.
    let t2 = repo(&r.host, "scratch/target2");
    c.upload_blob(&repo(&r.host, "scratch/only"), layer, layer_bytes.clone())
        .await
        .expect("upload");
    c.ensure_blob(
        &t2,
        &repo(&r.host, "scratch/only"),
        layer,
        layer_bytes.len() as u64,
        None,
    )
    .await
    .expect("mount or copy");
    assert!(c.blob_exists(&t2, layer).await.expect("head").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_envelopes_map_to_codes_with_hints() {
    let r = TestRegistry::plain();
    r.seed_async().await;
    let c = client_with(None);
    // MANIFEST_UNKNOWN
    let e = c
        .get_manifest(&reference(&r.host, samples::LIST_REPO, "v9"))
        .await
        .expect_err("unknown tag");
    assert_eq!(api_code(&e), Some(ErrorCode::ManifestUnknown), "{e}");
    assert!(e.to_string().contains("manifest-tui inspect"), "{e}");
    // NAME_UNKNOWN
    let e = c
        .tags_page(&repo(&r.host, "no/such/repo"), 10, None)
        .await
        .expect_err("unknown repo");
    assert_eq!(api_code(&e), Some(ErrorCode::NameUnknown), "{e}");
    // BLOB_UNKNOWN
    let missing = Digest::sha256(b"never pushed");
    let e = c
        .get_blob(&repo(&r.host, samples::LIST_REPO), &missing, 100)
        .await
        .expect_err("unknown blob");
    assert_eq!(api_code(&e), Some(ErrorCode::BlobUnknown), "{e}");
    // MANIFEST_BLOB_UNKNOWN: a manifest whose config is not in the repository.
    let body = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","size":12,"digest":"{}"}},"layers":[]}}"#,
        media::DOCKER_MANIFEST,
        media::DOCKER_CONFIG,
        missing
    );
    let e = c
        .put_manifest(
            &repo(&r.host, "scratch/x"),
            "t",
            media::DOCKER_MANIFEST,
            body.as_bytes(),
        )
        .await
        .expect_err("missing blob");
    assert_eq!(api_code(&e), Some(ErrorCode::ManifestBlobUnknown), "{e}");
    assert!(e.to_string().contains("push the referenced images"), "{e}");
    // MANIFEST_INVALID: not a manifest at all.
    let e = c
        .put_manifest(
            &repo(&r.host, "scratch/x"),
            "t",
            media::DOCKER_MANIFEST,
            b"{not json",
        )
        .await
        .expect_err("invalid");
    assert_eq!(api_code(&e), Some(ErrorCode::ManifestInvalid), "{e}");
    // TAG_INVALID or similar: a digest reference whose bytes differ is refused client-side.
    let e = c
        .put_manifest(
            &repo(&r.host, "scratch/x"),
            missing.as_str(),
            media::DOCKER_MANIFEST,
            b"{}",
        )
        .await
        .expect_err("digest mismatch");
    assert!(matches!(e.kind, ErrorKind::DigestMismatch { .. }), "{e:?}");
    // DELETE works (202) and then the manifest is unknown.
    let app = samples::images("v2", false)[1].clone();
    let rf = reference(&r.host, &app.repo, "v2");
    c.delete_manifest(&Repo::of(&rf), &app.digest)
        .await
        .expect("delete");
    let e = c.get_manifest(&rf).await.expect_err("deleted");
    assert_eq!(api_code(&e), Some(ErrorCode::ManifestUnknown), "{e}");
}

/// The registry goes down and comes back (restarted on its storage, behind a proxy that
/// keeps one address): the request that failed meanwhile is retried and succeeds. No timing:
/// the first attempt waits at the proxy while the registry restarts, then gets its
/// connection closed unanswered; the retry finds the registry up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_outage_is_retried() {
    use common::faultproxy::{Action, FaultProxy, Gate};
    let mut r = TestRegistry::plain();
    r.seed_async().await;
    let p = Arc::new(FaultProxy::start(&r.host));
    let c = client_with(None);
    let rf = reference(&p.host, samples::LIST_REPO, "v1");
    let path = format!("/v2/{}/manifests/v1", samples::LIST_REPO);
    c.get_manifest(&rf).await.expect("before");
    r.stop();
    let gate = Gate::new();
    let held = gate.clone();
    p.rule(
        "GET",
        &path,
        Action::Respond(Arc::new(move |_| {
            held.wait();
            Vec::new()
        })),
        Some(1),
    );
    p.reset_seen();
    let before = c.stats().requests;
    let (p2, g2) = (p.clone(), gate.clone());
    let t = std::thread::spawn(move || {
        g2.wait_for_arrivals(1);
        r.restart();
        p2.set_upstream(&r.host);
        g2.open();
        r
    });
    let m = c.get_manifest(&rf).await;
    let r = t.join().expect("restart thread");
    let m = m.unwrap_or_else(|e| panic!("not retried: {e}\n{}", r.log()));
    assert_eq!(m.media_type, media::DOCKER_LIST);
    let actions: Vec<String> = p.seen().into_iter().map(|s| s.action).collect();
    assert_eq!(
        actions,
        ["respond", "forward"],
        "one failed attempt, one retry"
    );
    assert_eq!(c.stats().requests, before + 2, "{:?}", c.stats());

    // A registry that stays down (a port nobody listens on): a clear transport error after
    // a bounded number of attempts.
    let down = ClosedPort::new();
    let rf = reference(&down.host(), samples::LIST_REPO, "v1");
    let before = c.stats().requests;
    let e = c.get_manifest(&rf).await.expect_err("down");
    let tries = c.stats().requests - before;
    assert!(matches!(e.kind, ErrorKind::Transport { .. }), "{e:?}");
    assert!(e.to_string().contains("is the registry running"), "{e}");
    eprintln!("a registry that stays down: {tries} requests, then: {e}");
    // The first request over both schemes, then at most four pings over both.
    assert!(
        (4..=2 + 2 * 4).contains(&tries),
        "retried, and bounded: {tries} requests"
    );
}

/// A tiny HTTP/1.1 server: answers each request with `respond(request_head)`; records heads.
fn tiny_server(
    addr: &str,
    respond: impl Fn(&str) -> Vec<u8> + Send + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind(addr).expect("bind tiny server");
    let local = l.local_addr().expect("addr").to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            loop {
                let mut head = Vec::new();
                let mut buf = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(1) => head.push(buf[0]),
                        _ => break,
                    }
                    if head.len() > 16384 {
                        break;
                    }
                }
                if !head.ends_with(b"\r\n\r\n") {
                    // TLS probe or closed connection.
                    if !head.is_empty() && !head.starts_with(b"GET") {
                        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    }
                    break;
                }
                let text = String::from_utf8_lossy(&head).to_string();
                if let Ok(mut v) = s2.lock() {
                    v.push(text.clone());
                }
                if s.write_all(&respond(&text)).is_err() {
                    break;
                }
            }
        }
    });
    (local, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_to_another_host_drops_authorization() {
    let blob = b"blob bytes behind a redirect".to_vec();
    let digest = Digest::sha256(&blob);
    let b2 = blob.clone();
    let (storage, storage_seen) = tiny_server("127.0.0.2:0", move |_| {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            b2.len()
        )
        .into_bytes();
        r.extend_from_slice(&b2);
        r
    });
    let target = format!("http://{storage}/data/{digest}");
    let (reg, reg_seen) = tiny_server("127.0.0.1:0", move |head| {
        let authed = head
            .to_ascii_lowercase()
            .contains("\nauthorization: basic ");
        // Like a real registry: every /v2/ endpoint wants credentials.
        if head.starts_with("GET /v2/") && !authed {
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"tiny\"\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: 0\r\n\r\n".to_vec()
        } else if head.starts_with("GET /v2/r/blobs/") {
            format!("HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n").into_bytes()
        } else {
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".to_vec()
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    use base64::Engine as _;
    let cfg = serde_json::json!({"auths": {reg.clone(): {
        "auth": base64::engine::general_purpose::STANDARD.encode("alice:secret-pw")
    }}});
    std::fs::write(dir.path().join("config.json"), cfg.to_string()).expect("write");
    let c = client_with(Some(dir.path().to_path_buf()));
    let got = c
        .get_blob(&repo(&reg, "r"), &digest, 1024)
        .await
        .expect("blob via redirect");
    assert_eq!(got, blob);
    let reg_heads = reg_seen.lock().map(|v| v.clone()).unwrap_or_default();
    // The first blob request goes out bare (it discovers the scheme and the challenge);
    // the one that is answered with the redirect carries the registry's credentials.
    let blob_req = reg_heads
        .iter()
        .rfind(|h| h.starts_with("GET /v2/r/blobs/"))
        .expect("blob request reached the registry");
    assert!(
        blob_req
            .to_ascii_lowercase()
            .contains("authorization: basic"),
        "{blob_req}"
    );
    let st = storage_seen.lock().map(|v| v.clone()).unwrap_or_default();
    assert_eq!(st.len(), 1, "{st:?}");
    assert!(
        !st[0].to_ascii_lowercase().contains("authorization"),
        "{}",
        st[0]
    );
}
