//! Registries other than Distribution, each reproduced by a proxy in front of the real
//! registry (tests/common/faultproxy.rs) that behaves as the named registry does: missing
//! `Docker-Content-Digest` (ECR), strict `Accept` (ACR, Gitea), brief inconsistency after a
//! push (Nexus), refused monolithic uploads (Artifactory), mounts not honoured (ECR, Harbor),
//! mixed-media refusals (Artifact Registry) and blob redirects to another host (Docker Hub's
//! CDN). skopeo reads what was pushed, from the real registry.

mod common;

use common::faultproxy::{self, Action, FaultProxy, Request};
use common::*;
use manifest_tui::digest::Digest;
use manifest_tui::media;
use manifest_tui::ops::{self, CreateOptions, InspectOptions, PushOptions};
use manifest_tui::reference::Reference;
use manifest_tui::registry::{Client, ClientOptions, ErrorKind, Repo};
use manifest_tui::store::Store;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The bound every test runs under.
const HARD_LIMIT: Duration = Duration::from_secs(120);

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    match tokio::time::timeout(HARD_LIMIT, f).await {
        Ok(v) => v,
        Err(_) => panic!("the test hung for {HARD_LIMIT:?}"),
    }
}

struct Env {
    _cfg: tempfile::TempDir,
    client: Client,
}

fn client_env() -> Env {
    let cfg = tempfile::tempdir().expect("tempdir");
    std::fs::write(cfg.path().join("config.json"), "{\"auths\":{}}").expect("config.json");
    client_in(cfg)
}

fn client_in(cfg: tempfile::TempDir) -> Env {
    let client = Client::new(ClientOptions {
        docker_config: Some(cfg.path().to_path_buf()),
        certs_dirs: Some(Vec::new()),
        read_timeout: Duration::from_secs(20),
        ..Default::default()
    })
    .expect("client");
    Env { _cfg: cfg, client }
}

fn rf(s: &str) -> Reference {
    Reference::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A list named `name` on `host`, made of the samples' `v1` list read from `src_host`, in a
/// fresh store; `format` forces the list's format.
async fn draft(
    c: &Client,
    src_host: &str,
    host: &str,
    name: &str,
    oci_children: bool,
    format: Option<manifest_tui::store::Format>,
) -> (tempfile::TempDir, Store, Reference) {
    let dir = tempfile::tempdir().expect("store dir");
    let store = Store::at(dir.path().join("manifests"));
    let list = rf(&format!("{host}/{name}"));
    let src = rf(&format!(
        "{src_host}/{}:{}",
        samples::LIST_REPO,
        samples::list_tag("v1", oci_children)
    ));
    ops::create(
        c,
        &store,
        &list,
        &[src],
        CreateOptions {
            format,
            ..Default::default()
        },
        ops::no_progress(),
    )
    .await
    .expect("create the list");
    (dir, store, list)
}

fn list_digest(store: &Store, list: &Reference) -> Digest {
    let d = store.load(list).expect("load");
    Digest::sha256(&ops::list_bytes_for(&d).1)
}

/// skopeo reads `image` from the real registry: the digest of the bytes it got.
fn skopeo_digest(image: &str) -> Digest {
    Digest::sha256(&skopeo_inspect_raw(image, &[]))
}

/// The answers of GET and HEAD on manifests and blobs lose `Docker-Content-Digest`, as
/// behind ECR or a proxy that strips it.
fn strip_digest_header(p: &FaultProxy) {
    for m in ["GET", "HEAD"] {
        p.rule(
            m,
            "/v2/",
            Action::Rewrite(Arc::new(|_: &Request, raw: Vec<u8>| {
                faultproxy::strip_header(&raw, "docker-content-digest")
            })),
            None,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_content_digest_is_computed_and_never_skips_verification() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        strip_digest_header(&p);
        let env = client_env();
        let c = &env.client;
        let (_dir, store, list) = draft(c, &p.host, &p.host, "ecr/app:v1", false, None).await;
        let want = list_digest(&store, &list);

        // The proxy really strips it.
        let raw = reg
            .http_client()
            .get(format!(
                "http://{}/v2/{}/manifests/v1",
                p.host,
                samples::LIST_REPO
            ))
            .header("Accept", media::MANIFEST_ACCEPT)
            .send()
            .await
            .expect("GET through the proxy");
        assert!(raw.headers().get("docker-content-digest").is_none());

        // A fetch by tag gets the digest from the bytes.
        let src = rf(&format!("{}/{}:v1", p.host, samples::LIST_REPO));
        let m = c.get_manifest(&src).await.expect("get by tag");
        assert_eq!(m.digest, Digest::sha256(&m.bytes));
        let head = c.head_manifest(&src).await.expect("head").expect("exists");
        assert_eq!(
            head.1, m.digest,
            "HEAD without the header: digest from the bytes"
        );

        let r1 = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push through the stripping proxy");
        assert_eq!(r1.digest, want);
        assert!(!r1.unchanged);
        assert_eq!(skopeo_digest(&format!("{}/ecr/app:v1", reg.host)), want);

        // Pushed again: proven unchanged from the bytes, not assumed from a bare HEAD.
        p.reset_seen();
        let r2 = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("second push");
        assert!(r2.unchanged, "the same bytes are under the tag");
        assert!(
            p.count("GET", "/ecr/app/manifests/v1") >= 1,
            "proved by a GET"
        );

        // The tag moved to other bytes behind our back: a HEAD that cannot say which bytes
        // must not pass for "already pushed".
        let other = c
            .get_manifest(&rf(&format!(
                "{}/{}:v1",
                p.host,
                samples::image_repo(samples::PLATFORMS[0], false)
            )))
            .await
            .expect("a child");
        let behind = Repo {
            domain: reg.host.clone(),
            path: "ecr/app".into(),
        };
        c.put_manifest(&behind, "v1", &other.media_type, &other.bytes)
            .await
            .expect("move the tag behind the proxy's back");
        let r3 = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("third push");
        assert!(
            !r3.unchanged,
            "the tag held other bytes: the list must be pushed again"
        );
        assert_eq!(skopeo_digest(&format!("{}/ecr/app:v1", reg.host)), want);

        // Verification is never skipped for want of a header: tampered bytes by digest fail.
        let child = rf(&format!("{}/ecr/app@{}", p.host, other.digest));
        let mut bad = other.bytes.clone();
        bad.push(b' ');
        p.clear();
        p.rule(
            "GET",
            &format!("/ecr/app/manifests/{}", other.digest),
            Action::serve(200, &other.media_type, bad),
            None,
        );
        let e = c.get_manifest(&child).await.expect_err("tampered bytes");
        assert!(matches!(e.kind, ErrorKind::DigestMismatch { .. }), "{e}");
    })
    .await
}

/// ACR and Gitea: a manifest GET or HEAD whose `Accept` lacks one of the four manifest
/// types is answered 404, with their message.
fn strict_accept(p: &FaultProxy) -> Arc<AtomicUsize> {
    let refused = Arc::new(AtomicUsize::new(0));
    for m in ["GET", "HEAD"] {
        let refused = refused.clone();
        p.rule(
            m,
            "/manifests/",
            Action::Intercept(Arc::new(move |req: &Request| {
                let accept = req.header("accept").unwrap_or("");
                let all = [
                    media::OCI_INDEX,
                    media::DOCKER_LIST,
                    media::OCI_MANIFEST,
                    media::DOCKER_MANIFEST,
                ]
                .iter()
                .all(|t| accept.contains(t));
                if all {
                    return None;
                }
                refused.fetch_add(1, Ordering::SeqCst);
                Some(faultproxy::error_response(
                    404,
                    "MANIFEST_UNKNOWN",
                    "OCI manifest found, but accept header does not support OCI manifests",
                ))
            })),
            None,
        );
    }
    refused
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_manifest_request_accepts_all_four_types() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let refused = strict_accept(&p);
        let env = client_env();
        let c = &env.client;

        // The proxy refuses a client that names only the Docker types.
        let r = reg
            .http_client()
            .get(format!(
                "http://{}/v2/{}/manifests/v1-oci",
                p.host,
                samples::LIST_REPO
            ))
            .header(
                "Accept",
                format!("{}, {}", media::DOCKER_LIST, media::DOCKER_MANIFEST),
            )
            .send()
            .await
            .expect("GET through the proxy");
        assert_eq!(r.status().as_u16(), 404);
        assert_eq!(refused.swap(0, Ordering::SeqCst), 1);

        let (_dir, store, list) = draft(c, &p.host, &p.host, "acr/app:v1", true, None).await;
        let want = list_digest(&store, &list);
        let listed = ops::inspect(
            c,
            &rf(&format!("{}/{}:v1-oci", p.host, samples::LIST_REPO)),
            InspectOptions {
                children: true,
                configs: true,
            },
            ops::no_progress(),
        )
        .await
        .expect("inspect -v through the strict proxy");
        drop(listed);
        let r1 = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push");
        let r2 = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push again");
        assert!(r2.unchanged && r1.digest == want);
        assert_eq!(refused.load(Ordering::SeqCst), 0, "a request lacked a type");
        assert!(p.count("HEAD", "/acr/app/manifests/v1") >= 2);
        assert_eq!(skopeo_digest(&format!("{}/acr/app:v1", reg.host)), want);
    })
    .await
}

/// Nexus: the list PUT answered `MANIFEST_BLOB_UNKNOWN` for a while after the children were
/// pushed.
fn nexus_lag(p: &FaultProxy, tag_path: &str, times: Option<usize>) {
    p.rule(
        "PUT",
        tag_path,
        Action::Respond(Arc::new(|_| {
            faultproxy::error_response(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry")
        })),
        times,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_put_is_retried_while_the_registry_catches_up() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let env = client_env();
        let c = &env.client;
        let (_dir, store, list) = draft(c, &p.host, &p.host, "nexus/app:v1", false, None).await;
        let want = list_digest(&store, &list);

        // Two refusals, then the registry has caught up.
        nexus_lag(&p, "/nexus/app/manifests/v1", Some(2));
        let start = Instant::now();
        let r = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push once the registry caught up");
        let took = start.elapsed();
        assert_eq!(r.digest, want);
        assert_eq!(p.count("PUT", "/nexus/app/manifests/v1"), 3);
        assert_eq!(skopeo_digest(&format!("{}/nexus/app:v1", reg.host)), want);

        // It never catches up: bounded, and the error says it was retried.
        p.clear();
        p.reset_seen();
        nexus_lag(&p, "/nexus/app/manifests/v2", None);
        let other = PushOptions {
            target: Some(rf(&format!("{}/nexus/app:v2", p.host))),
            ..Default::default()
        };
        let start2 = Instant::now();
        let e = ops::push(c, &store, &list, other, ops::no_progress())
            .await
            .expect_err("never consistent");
        let took2 = start2.elapsed();
        let s = e.to_string();
        let tries = p.count("PUT", "/nexus/app/manifests/v2");
        assert!(tries >= 3, "retried: {tries} PUTs");
        assert!(s.contains("MANIFEST_BLOB_UNKNOWN"), "{s}");
        assert!(s.contains(&format!("{tries} attempts")), "says how often: {s}");
        assert!(took2 < Duration::from_secs(30), "bounded: {took2:?}");
        eprintln!(
            "eventual consistency: caught up after 2 refusals in {took:?}; gave up after {tries} PUTs in {took2:?}"
        );
    })
    .await
}
