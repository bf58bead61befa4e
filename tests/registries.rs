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
use std::time::Duration;

/// The bound every test runs under.
const HARD_LIMIT: Duration = Duration::from_secs(300);

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
        let r = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push once the registry caught up");
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
        let e = ops::push(c, &store, &list, other, ops::no_progress())
            .await
            .expect_err("never consistent");
        let s = e.to_string();
        let tries = p.count("PUT", "/nexus/app/manifests/v2");
        assert!(tries >= 3, "retried: {tries} PUTs");
        assert!(s.contains("MANIFEST_BLOB_UNKNOWN"), "{s}");
        assert!(
            s.contains(&format!("{tries} attempts")),
            "says how often: {s}"
        );
        assert!(tries <= 4, "bounded: {tries} PUTs");
        eprintln!("eventual consistency: caught up after 2 refusals; gave up after {tries} PUTs");
    })
    .await
}

/// Deterministic bytes that do not compress: a blob of `len` bytes.
fn big_blob(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Each PATCH as the proxy saw it: `(Content-Range, body length)`.
type Patches = Arc<std::sync::Mutex<Vec<(String, usize)>>>;

/// JFrog Artifactory with Artifact Registry's upload URLs: a PUT with a body or a POST
/// `?digest=` is refused, PATCHes need `Content-Range`, the session asks for chunks of at
/// least `min` bytes, and every upload `Location` is relative, outside `/v2/` and the same
/// for the whole session (`/upload-sessions/<id>`, mapped to the upstream's latest
/// location for it on the way in).
fn artifactory(p: &FaultProxy, upstream: &str, min: usize) -> Patches {
    artifactory_losing(p, upstream, min, Arc::new(AtomicUsize::new(0)))
}

/// [`artifactory`], where the answers of the next `lose` PATCHes are lost on the way back
/// (the registry got the bytes; the client's connection closes without an answer).
fn artifactory_losing(
    p: &FaultProxy,
    upstream: &str,
    min: usize,
    lose: Arc<AtomicUsize>,
) -> Patches {
    let patches: Patches = Default::default();
    let seen = patches.clone();
    let upstream = upstream.to_string();
    // Session id → the upstream's latest location for it (path and query): the client's
    // URL for a session stays the same, as on registries whose upload URLs carry no state.
    let sessions: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>> =
        Default::default();
    let f: faultproxy::Interceptor = Arc::new(move |req: &Request| {
        let target = match req.target.strip_prefix("/upload-sessions/") {
            Some(rest) => {
                let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
                let up = sessions.lock().ok()?.get(id).cloned()?;
                match (query.is_empty(), up.contains('?')) {
                    (true, _) => up,
                    (false, true) => format!("{up}&{query}"),
                    (false, false) => format!("{up}?{query}"),
                }
            }
            None => req.target.clone(),
        };
        if !target.contains("/blobs/uploads/") {
            return None;
        }
        let refuse = |m: &str| Some(faultproxy::error_response(400, "BLOB_UPLOAD_INVALID", m));
        match req.method.as_str() {
            "POST" if target.contains("digest=") => {
                return refuse("monolithic upload is not supported")
            }
            "PUT" if req.body_len > 0 => {
                return refuse("monolithic upload is not supported; send PATCH chunks")
            }
            "PATCH" => {
                let Some(range) = req.header("content-range") else {
                    return refuse("Content-Range is required");
                };
                if let Ok(mut v) = seen.lock() {
                    v.push((range.to_string(), req.body_len));
                }
            }
            _ => {}
        }
        let raw = faultproxy::forward(&upstream, &req.method, &target, &req.headers, &req.body)
            .unwrap_or_default();
        let raw = match faultproxy::raw_header(&raw, "location") {
            Some(loc) if loc.contains("/blobs/uploads/") => {
                let path = &loc[loc.find("/v2/").unwrap_or(0)..];
                let id = path
                    .split("/blobs/uploads/")
                    .nth(1)
                    .and_then(|r| r.split('?').next())
                    .unwrap_or("")
                    .to_string();
                sessions.lock().ok()?.insert(id.clone(), path.to_string());
                let raw = faultproxy::strip_header(&raw, "location");
                faultproxy::add_header(&raw, "Location", &format!("/upload-sessions/{id}"))
            }
            _ => raw,
        };
        if req.method == "PATCH"
            && lose
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            return Some(Vec::new());
        }
        Some(if req.method == "POST" {
            faultproxy::add_header(&raw, "OCI-Chunk-Min-Length", &min.to_string())
        } else {
            raw
        })
    });
    p.rule("*", "/blobs/uploads/", Action::Intercept(f.clone()), None);
    p.rule("*", "/upload-sessions/", Action::Intercept(f), None);
    patches
}

/// `(start, end)` of a `Content-Range: start-end`.
fn range_of(r: &str) -> (u64, u64) {
    let (a, b) = r.split_once('-').expect("start-end");
    (
        a.trim().parse().expect("start"),
        b.trim().parse().expect("end"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_refusing_monolithic_uploads_gets_chunks() {
    bounded(async {
        let src = TestRegistry::plain();
        src.seed_async().await;
        let dst = TestRegistry::plain();
        let p = FaultProxy::start(&dst.host);
        const MIN: usize = 12 * 1024 * 1024;
        let patches = artifactory(&p, &dst.host, MIN);
        let repo = |host: &str, path: &str| Repo {
            domain: host.to_string(),
            path: path.to_string(),
        };

        // A 30 MiB blob uploaded from memory.
        let big = big_blob(30 * 1024 * 1024, 7);
        let d = Digest::sha256(&big);
        let env = client_env();
        env.client
            .upload_blob(&repo(&p.host, "art/big"), &d, big.clone())
            .await
            .expect("upload through Artifactory");
        let got = dst
            .http_client()
            .get(format!("{}/v2/art/big/blobs/{d}", dst.url))
            .send()
            .await
            .expect("GET the blob")
            .bytes()
            .await
            .expect("blob body");
        assert_eq!(Digest::sha256(&got), d, "the registry holds the whole blob");
        let sizes: Vec<(String, usize)> = patches.lock().expect("patches").clone();
        assert_eq!(
            sizes.iter().map(|s| s.1).collect::<Vec<_>>(),
            vec![MIN, MIN, big.len() - 2 * MIN],
            "chunks of OCI-Chunk-Min-Length, then the rest: {sizes:?}"
        );
        assert_eq!(range_of(&sizes[1].0), (MIN as u64, 2 * MIN as u64 - 1));

        // The same blob copied from another registry by a fresh client (streamed PUT
        // refused, then chunks), and a list pushed across registries.
        src_upload(&src, &big, &d).await;
        let env2 = client_env();
        let c = &env2.client;
        patches.lock().expect("patches").clear();
        c.ensure_blob(
            &repo(&p.host, "art/copy"),
            &repo(&src.host, "src/big"),
            &d,
            big.len() as u64,
            None,
        )
        .await
        .expect("copy through Artifactory");
        let n = patches.lock().expect("patches").len();
        assert_eq!(n, 3, "three chunks for the copy");
        let (_dir, store, list) = draft(c, &src.host, &p.host, "art/app:v1", false, None).await;
        let want = list_digest(&store, &list);
        let r = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push across registries into Artifactory");
        assert_eq!(r.digest, want);
        assert_eq!(skopeo_digest(&format!("{}/art/app:v1", dst.host)), want);
        for (range, len) in patches.lock().expect("patches").iter() {
            let (a, b) = range_of(range);
            assert_eq!(
                b + 1 - a,
                *len as u64,
                "Content-Range {range} for {len} bytes"
            );
        }
        assert_eq!(p.count("POST", "digest="), 0);
    })
    .await
}

async fn src_upload(src: &TestRegistry, bytes: &[u8], d: &Digest) {
    let env = client_env();
    env.client
        .upload_blob(
            &Repo {
                domain: src.host.clone(),
                path: "src/big".into(),
            },
            d,
            bytes.to_vec(),
        )
        .await
        .expect("seed the big blob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mount_not_honoured_falls_back_to_copying_over_the_same_session() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        // ECR for blobs no manifest references, Harbor without pull on the source: the mount
        // POST opens an ordinary upload session (202) instead.
        let upstream = reg.host.clone();
        p.rule(
            "POST",
            "mount=",
            Action::Intercept(Arc::new(move |req: &Request| {
                let plain = req.target.split('?').next().unwrap_or("").to_string();
                faultproxy::forward(&upstream, "POST", &plain, &req.headers, &req.body)
            })),
            None,
        );
        let env = client_env();
        let c = &env.client;
        let (_dir, store, list) = draft(c, &p.host, &p.host, "ecr/mounted:v1", false, None).await;
        let want = list_digest(&store, &list);
        p.reset_seen();
        let r = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push with mounts refused");
        assert_eq!(r.digest, want);
        let mounts = p.count("POST", "mount=");
        assert!(mounts >= 6, "{mounts} mounts");
        assert_eq!(
            p.count("POST", "/blobs/uploads/"),
            mounts,
            "no second session: the copy goes over the one the mount opened"
        );
        assert_eq!(
            p.count("DELETE", "/blobs/uploads/"),
            0,
            "no session cancelled"
        );
        assert_eq!(
            p.count("PUT", "/blobs/uploads/"),
            mounts,
            "one PUT per blob"
        );
        assert_eq!(skopeo_digest(&format!("{}/ecr/mounted:v1", reg.host)), want);
    })
    .await
}

/// Artifact Registry: an OCI index whose children are Docker manifests is refused.
fn refuse_mixed_index(p: &FaultProxy) {
    p.rule(
        "PUT",
        "/manifests/",
        Action::Intercept(Arc::new(|req: &Request| {
            let v: serde_json::Value = serde_json::from_slice(&req.body).ok()?;
            let oci_index = req.header("content-type") == Some(media::OCI_INDEX);
            let docker_child = v["manifests"]
                .as_array()?
                .iter()
                .any(|m| m["mediaType"] == media::DOCKER_MANIFEST);
            (oci_index && docker_child).then(|| {
                faultproxy::error_response(
                    400,
                    "MANIFEST_INVALID",
                    "Manifest is invalid: OCI image index contains a Docker manifest",
                )
            })
        })),
        None,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_mixed_index_names_the_registry_reason_and_the_fix() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        refuse_mixed_index(&p);
        let env = client_env();
        let c = &env.client;
        let (_dir, store, list) = draft(
            c,
            &p.host,
            &p.host,
            "gar/app:v1",
            false,
            Some(manifest_tui::store::Format::Oci),
        )
        .await;
        let e = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect_err("the registry refuses the mixed index");
        let s = e.to_string();
        assert!(
            s.contains("OCI image index contains a Docker manifest"),
            "the registry's reason: {s}"
        );
        assert!(s.contains("--format docker"), "names the fix: {s}");
        assert!(
            s.contains("`f` in the editor"),
            "names the editor's key: {s}"
        );
        assert!(!s.contains('\n'), "one paragraph: {s}");
        // No list tag was left behind.
        let target = Repo {
            domain: reg.host.clone(),
            path: "gar/app".into(),
        };
        let head = c
            .head_manifest(&rf(&format!("{}:v1", target)))
            .await
            .expect("HEAD the tag");
        assert!(head.is_none(), "no list tag left behind");

        // The fix works: the same entries as a Docker list.
        let (_d2, store2, list2) = draft(
            c,
            &p.host,
            &p.host,
            "gar/app:v1",
            false,
            Some(manifest_tui::store::Format::Docker),
        )
        .await;
        let r = ops::push(
            c,
            &store2,
            &list2,
            PushOptions::default(),
            ops::no_progress(),
        )
        .await
        .expect("a Docker list is accepted");
        assert_eq!(skopeo_digest(&format!("{}/gar/app:v1", reg.host)), r.digest);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_redirects_to_another_host_carry_no_authorization() {
    bounded(async {
        let reg = TestRegistry::token();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        // The "CDN" on another loopback address serves blobs with its own credentials (as a
        // signed URL would), never needing the registry's.
        let cdn = FaultProxy::start_on("127.0.0.2", &reg.host);
        let upstream = reg.host.clone();
        let signed = reg.admin_authorization_for(&["hub/copy"]).expect("token");
        cdn.rule(
            "GET",
            "/blobs/",
            Action::Respond(Arc::new(move |req: &Request| {
                let mut h: Vec<(String, String)> = req
                    .headers
                    .iter()
                    .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
                    .cloned()
                    .collect();
                h.push(("Authorization".into(), signed.clone()));
                faultproxy::forward(&upstream, "GET", &req.target, &h, &[]).unwrap_or_default()
            })),
            None,
        );
        let cdn_host = cdn.host.clone();
        p.rule(
            "GET",
            "/blobs/sha256:",
            Action::Respond(Arc::new(move |req: &Request| {
                let to = format!("http://{cdn_host}{}", req.target);
                faultproxy::response(307, &[("Location", to.as_str())], b"")
            })),
            None,
        );
        // alice's credentials, filed under the proxy's host (the registry the client talks to).
        let cfg = tempfile::tempdir().expect("tempdir");
        let auth = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{ALICE}:{ALICE_PASSWORD}"),
        );
        let json = serde_json::json!({"auths": {p.host.clone(): {"auth": auth}}});
        std::fs::write(cfg.path().join("config.json"), json.to_string()).expect("config.json");
        let env = client_in(cfg);
        let c = &env.client;
        let src = rf(&format!("{}/{}:v1", p.host, samples::LIST_REPO));
        // Configs read through the redirect, digest-verified.
        ops::inspect(
            c,
            &src,
            InspectOptions {
                children: true,
                configs: true,
            },
            ops::no_progress(),
        )
        .await
        .expect("inspect with configs through the redirect");
        // A list pushed to another registry: every blob streamed from the CDN.
        let dst = TestRegistry::plain();
        let (_dir, store, list) = draft(c, &p.host, &dst.host, "hub/copy:v1", false, None).await;
        let r = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push from behind the redirect");
        assert_eq!(
            skopeo_digest(&format!("{}/hub/copy:v1", dst.host)),
            r.digest
        );
        let redirected = p.count("GET", "/blobs/sha256:");
        let served = cdn.count("GET", "/blobs/sha256:");
        assert!(
            redirected >= 7 && served == redirected,
            "{redirected} redirected, {served} served"
        );
        assert!(
            p.seen().iter().any(|s| s.authorization),
            "the registry saw the token"
        );
        let leaked: Vec<_> = cdn.seen().into_iter().filter(|s| s.authorization).collect();
        assert!(leaked.is_empty(), "the CDN saw Authorization: {leaked:?}");
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_chunked_upload_resumes_from_the_registry_offset() {
    bounded(async {
        let dst = TestRegistry::plain();
        let p = FaultProxy::start(&dst.host);
        const MIN: usize = 12 * 1024 * 1024;
        let lose = Arc::new(AtomicUsize::new(1));
        let patches = artifactory_losing(&p, &dst.host, MIN, lose.clone());
        let big = big_blob(30 * 1024 * 1024, 11);
        let d = Digest::sha256(&big);
        let env = client_env();
        env.client
            .upload_blob(
                &Repo {
                    domain: p.host.clone(),
                    path: "art/resumed".into(),
                },
                &d,
                big.clone(),
            )
            .await
            .expect("upload resumed after a lost PATCH answer");
        assert_eq!(lose.load(Ordering::SeqCst), 0, "an answer was lost");
        let got = dst
            .http_client()
            .get(format!("{}/v2/art/resumed/blobs/{d}", dst.url))
            .send()
            .await
            .expect("GET the blob")
            .bytes()
            .await
            .expect("blob body");
        assert_eq!(Digest::sha256(&got), d);
        let sent: usize = patches.lock().expect("patches").iter().map(|x| x.1).sum();
        assert_eq!(sent, big.len(), "no byte sent twice: {:?}", patches.lock());
        assert!(
            p.count("GET", "/upload-sessions/") >= 1,
            "asked the registry for its offset"
        );
    })
    .await
}

/// A Docker Hub-like front: the registry behind a proxy (`hub`) whose 401 challenges name a
/// token realm on another host (`auth`, on `127.0.0.2`, in front of the issuer), as Docker
/// Hub's `registry-1.docker.io` names `auth.docker.io`. Each records the Authorization
/// scheme of every request it got: `basic`, `bearer` or `none`.
struct HubLike {
    hub: FaultProxy,
    auth: FaultProxy,
    hub_schemes: Schemes,
    auth_schemes: Schemes,
}

type Schemes = Arc<std::sync::Mutex<Vec<String>>>;

/// Record the scheme of the request's Authorization header (`none` without one).
fn record_scheme(to: &Schemes, req: &Request) {
    let scheme = match req.header("authorization") {
        Some(v) => v.split(' ').next().unwrap_or("").to_ascii_lowercase(),
        None => "none".to_string(),
    };
    to.lock().expect("lock").push(scheme);
}

fn docker_hub_like(reg: &TestRegistry) -> HubLike {
    let auth = FaultProxy::start_on("127.0.0.2", &reg.issuer().host());
    let auth_schemes: Schemes = Arc::default();
    let seen = auth_schemes.clone();
    auth.rule(
        "",
        "/token",
        Action::Intercept(Arc::new(move |req: &Request| {
            record_scheme(&seen, req);
            None
        })),
        None,
    );
    let hub = FaultProxy::start(&reg.host);
    let hub_schemes: Schemes = Arc::default();
    let seen = hub_schemes.clone();
    let (from, to) = (reg.realm(), format!("http://{}/token", auth.host));
    hub.rule(
        "",
        "/v2/",
        Action::Rewrite(Arc::new(move |req: &Request, raw: Vec<u8>| {
            record_scheme(&seen, req);
            match faultproxy::raw_header(&raw, "www-authenticate") {
                Some(c) if faultproxy::raw_status(&raw) == 401 => faultproxy::add_header(
                    &faultproxy::strip_header(&raw, "www-authenticate"),
                    "WWW-Authenticate",
                    &c.replace(&from, &to),
                ),
                _ => raw,
            }
        })),
        None,
    );
    HubLike {
        hub,
        auth,
        hub_schemes,
        auth_schemes,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_realm_on_another_host_gets_the_token_requests_and_no_registry_token() {
    bounded(async {
        let reg = TestRegistry::token();
        reg.seed_async().await;
        let HubLike {
            hub,
            auth,
            hub_schemes,
            auth_schemes,
        } = docker_hub_like(&reg);
        // The challenge really names the other host.
        let raw = reg
            .http_client()
            .get(format!("http://{}/v2/", hub.host))
            .send()
            .await
            .expect("GET /v2/ through the front");
        let challenge = raw
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            challenge.contains(&format!("realm=\"http://{}/token\"", auth.host)),
            "{challenge}"
        );
        // alice's credentials, filed under the registry's host (as `docker login` files them).
        let cfg = tempfile::tempdir().expect("tempdir");
        let basic = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{ALICE}:{ALICE_PASSWORD}"),
        );
        let json = serde_json::json!({"auths": {hub.host.clone(): {"auth": basic}}});
        std::fs::write(cfg.path().join("config.json"), json.to_string()).expect("config.json");
        let env = client_in(cfg);
        let c = &env.client;
        reg.issuer().reset_stats();
        let (_dir, store, list) = draft(c, &hub.host, &hub.host, "hub/app:v1", false, None).await;
        let r = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push through the Hub-like front");
        // (skopeo's own token requests below go to the issuer directly.)
        let issued = reg.issuer().requests();
        let creds = format!("{ALICE}:{ALICE_PASSWORD}");
        assert_eq!(
            Digest::sha256(&skopeo_inspect_raw(
                &format!("{}/hub/app:v1", reg.host),
                &["--creds", &creds]
            )),
            r.digest
        );
        // Every token request went to the realm's host, with alice's basic credentials and
        // never the registry's bearer token; the registry got only bearer tokens.
        let schemes = auth_schemes.lock().expect("lock").clone();
        assert!(issued > 0, "no token was asked for");
        assert_eq!(
            schemes.len(),
            issued,
            "token requests bypassed the realm's host"
        );
        assert!(
            schemes.iter().all(|s| s == "basic"),
            "the realm saw: {schemes:?}"
        );
        assert_eq!(c.stats().token_requests as usize, issued);
        let front = hub_schemes.lock().expect("lock").clone();
        assert!(front.iter().any(|s| s == "bearer"), "{front:?}");
        assert!(
            front.iter().all(|s| s == "bearer" || s == "none"),
            "the registry saw: {front:?}"
        );
        assert!(
            !hub.seen().iter().any(|s| s.target.contains("/token")),
            "a token request went to the registry"
        );
    })
    .await
}

/// Manifest answers carry Docker Hub's quota headers, one pull less each time, from 100.
fn docker_hub_quota(p: &FaultProxy) -> Arc<AtomicUsize> {
    let pulls = Arc::new(AtomicUsize::new(0));
    for m in ["GET", "HEAD"] {
        let pulls = pulls.clone();
        p.rule(
            m,
            "/manifests/",
            Action::Rewrite(Arc::new(move |req: &Request, raw: Vec<u8>| {
                // Docker Hub counts a GET as a pull, never a HEAD.
                let used = if req.method == "GET" {
                    pulls.fetch_add(1, Ordering::SeqCst) + 1
                } else {
                    pulls.load(Ordering::SeqCst)
                };
                let raw = faultproxy::add_header(&raw, "ratelimit-limit", "100;w=21600");
                let left = format!("{};w=21600", 100usize.saturating_sub(used));
                faultproxy::add_header(&raw, "ratelimit-remaining", &left)
            })),
            None,
        );
    }
    pulls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latest_rate_limit_headers_are_kept_per_registry() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let pulls = docker_hub_quota(&p);
        let other = FaultProxy::start(&reg.host);
        let env = client_env();
        let c = &env.client;
        assert_eq!(c.rate_limit(&p.host), None);
        let src = rf(&format!("{}/{}:v1", p.host, samples::LIST_REPO));
        let opts = InspectOptions {
            children: true,
            configs: false,
        };
        ops::inspect(c, &src, opts, ops::no_progress())
            .await
            .expect("inspect");
        let used = pulls.load(Ordering::SeqCst);
        assert!(used >= 7, "{used} manifest GETs");
        let q = c.rate_limit(&p.host).expect("the quota was recorded");
        assert_eq!(q.limit, Some(100));
        // Children are fetched concurrently: the last answer to arrive is kept.
        assert!(
            (100 - used as u64..100).contains(&q.remaining),
            "{q:?} after {used} pulls"
        );
        assert_eq!(q.window_secs, Some(21600));
        // A registry that states no quota has none; the first keeps its own.
        let src = rf(&format!("{}/{}:v1", other.host, samples::LIST_REPO));
        ops::inspect(c, &src, opts, ops::no_progress())
            .await
            .expect("inspect the other");
        assert_eq!(c.rate_limit(&other.host), None);
        assert_eq!(
            c.rate_limits(),
            vec![(p.host.clone(), q)],
            "only the registry that stated a quota"
        );
    })
    .await
}

/// A client keeping manifests in `cache`.
fn cached_client(cache: &std::path::Path) -> Env {
    let cfg = tempfile::tempdir().expect("tempdir");
    std::fs::write(cfg.path().join("config.json"), "{\"auths\":{}}").expect("config.json");
    let client = Client::new(ClientOptions {
        docker_config: Some(cfg.path().to_path_buf()),
        certs_dirs: Some(Vec::new()),
        read_timeout: Duration::from_secs(20),
        manifest_cache: Some(cache.to_path_buf()),
        ..Default::default()
    })
    .expect("client");
    Env { _cfg: cfg, client }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_re_inspect_heads_first_and_gets_nothing_it_has_cached() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let pulls = docker_hub_quota(&p);
        let cache = tempfile::tempdir().expect("cache dir");
        let src = rf(&format!("{}/{}:v1", p.host, samples::LIST_REPO));
        let opts = InspectOptions {
            children: true,
            configs: false,
        };
        let inspect = |c: Client| {
            let src = src.clone();
            async move {
                ops::inspect(&c, &src, opts, ops::no_progress())
                    .await
                    .expect("inspect")
            }
        };
        let first = inspect(cached_client(cache.path()).client).await;
        let gets = p.count("GET", "/manifests/");
        assert!(gets >= 7, "the list and its six children: {gets} GETs");
        // Every manifest read is kept under its digest, byte for byte.
        let list_file = cache
            .path()
            .join("sha256")
            .join(first.manifest.digest.hex());
        assert_eq!(
            std::fs::read(&list_file).expect("the list is cached"),
            first.manifest.bytes
        );

        // A new client on the same cache (a later run): one HEAD for the tag, no GET, so no
        // pull counted against the quota; the same bytes come back.
        p.reset_seen();
        let env = cached_client(cache.path());
        let again = inspect(env.client.clone()).await;
        assert_eq!(p.count("GET", "/manifests/"), 0, "{:?}", p.seen());
        assert_eq!(p.count("HEAD", "/manifests/v1"), 1, "{:?}", p.seen());
        assert_eq!(
            p.count("HEAD", "/manifests/"),
            1,
            "children by digest: no request"
        );
        assert_eq!(again.manifest.bytes, first.manifest.bytes);
        assert_eq!(again.entries.len(), first.entries.len());
        assert_eq!(pulls.load(Ordering::SeqCst), gets, "a HEAD is no pull");
        assert_eq!(
            env.client.rate_limit(&p.host).map(|q| q.remaining),
            Some(100 - gets as u64),
            "the HEAD still reports the quota"
        );

        // A damaged cache entry is not served: the list is fetched again.
        std::fs::write(&list_file, b"{}").expect("damage the entry");
        p.reset_seen();
        let fixed = inspect(cached_client(cache.path()).client).await;
        assert_eq!(fixed.manifest.bytes, first.manifest.bytes);
        assert_eq!(p.count("GET", "/manifests/v1"), 1, "{:?}", p.seen());
        assert_eq!(
            std::fs::read(&list_file).expect("re-cached"),
            first.manifest.bytes
        );

        // A HEAD without Docker-Content-Digest proves nothing: the tag is fetched.
        p.clear();
        p.rule(
            "HEAD",
            "/manifests/",
            Action::Rewrite(Arc::new(|_: &Request, raw: Vec<u8>| {
                faultproxy::strip_header(&raw, "docker-content-digest")
            })),
            None,
        );
        p.reset_seen();
        let unproven = inspect(cached_client(cache.path()).client).await;
        assert_eq!(unproven.manifest.bytes, first.manifest.bytes);
        assert_eq!(p.count("HEAD", "/manifests/v1"), 1, "{:?}", p.seen());
        assert_eq!(p.count("GET", "/manifests/v1"), 1, "{:?}", p.seen());

        // Without a cache, every read is a GET (and no HEAD is spent).
        p.reset_seen();
        inspect(client_env().client).await;
        assert_eq!(p.count("HEAD", "/manifests/"), 0);
        assert!(p.count("GET", "/manifests/") >= 7);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_read_by_digest_sends_nothing() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let cache = tempfile::tempdir().expect("cache dir");
        let tag = rf(&format!("{}/{}:v1", p.host, samples::LIST_REPO));
        let env = cached_client(cache.path());
        let m = env.client.get_manifest(&tag).await.expect("read by tag");
        let by_digest = tag.at_digest(&m.digest);
        p.reset_seen();
        let again = cached_client(cache.path())
            .client
            .get_manifest(&by_digest)
            .await
            .expect("read by digest");
        assert_eq!(again.bytes, m.bytes);
        assert_eq!(again.media_type, m.media_type);
        assert!(p.seen().is_empty(), "{:?}", p.seen());
        // skopeo reads the same bytes from the registry.
        assert_eq!(
            skopeo_digest(&format!("{}/{}:v1", reg.host, samples::LIST_REPO)),
            again.digest
        );
    })
    .await
}

/// Harbor: a mount whose `from` repository is unknown (or not pullable) is answered 401 with
/// an `insufficient_scope` challenge, however fresh the token.
fn harbor_mounts(p: &FaultProxy, reg: &TestRegistry) {
    let challenge = format!(
        "Bearer realm=\"{}\",service=\"{}\",error=\"insufficient_scope\"",
        reg.realm(),
        common::issuer::SERVICE
    );
    p.rule(
        "POST",
        "mount=",
        Action::Respond(Arc::new(move |_: &Request| {
            let body = serde_json::json!({"errors": [{
                "code": "UNAUTHORIZED",
                "message": "unauthorized to access repository",
                "detail": null
            }]})
            .to_string();
            faultproxy::response(
                401,
                &[
                    ("Content-Type", "application/json"),
                    ("WWW-Authenticate", challenge.as_str()),
                ],
                body.as_bytes(),
            )
        })),
        None,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mount_refused_with_401_is_copied_with_the_same_credentials() {
    bounded(async {
        let reg = TestRegistry::token();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        harbor_mounts(&p, &reg);
        let cfg = tempfile::tempdir().expect("tempdir");
        let basic = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{ALICE}:{ALICE_PASSWORD}"),
        );
        let json = serde_json::json!({"auths": {p.host.clone(): {"auth": basic}}});
        std::fs::write(cfg.path().join("config.json"), json.to_string()).expect("config.json");
        let env = client_in(cfg);
        let c = &env.client;
        let (_dir, store, list) = draft(c, &p.host, &p.host, "harbor/copied:v1", false, None).await;
        let want = list_digest(&store, &list);
        p.reset_seen();
        let r = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push with every mount refused by a 401");
        assert_eq!(r.digest, want);
        let mounts = p.count("POST", "mount=");
        assert!(mounts >= 6, "{mounts} mounts tried");
        // Every blob was copied instead: an upload session and its PUT each.
        let uploads = p.count("POST", "/blobs/uploads/") - mounts;
        assert!(uploads >= 6, "{uploads} uploads");
        assert_eq!(p.count("PUT", "/blobs/uploads/"), uploads);
        let creds = format!("{ALICE}:{ALICE_PASSWORD}");
        assert_eq!(
            Digest::sha256(&skopeo_inspect_raw(
                &format!("{}/harbor/copied:v1", reg.host),
                &["--creds", &creds]
            )),
            want
        );
    })
    .await
}

/// ECR after chunks: monolithic PUTs are refused (so blobs go in PATCH chunks), and the
/// empty PUT closing a chunked upload is answered 500 while `fail` lasts: before reaching
/// the registry (`commit: false`) or after it stored the blob (`commit: true`).
fn ecr_final_put(p: &FaultProxy, upstream: &str, commit: bool, fail: Arc<AtomicUsize>) {
    let upstream = upstream.to_string();
    p.rule(
        "PUT",
        "/blobs/uploads/",
        Action::Intercept(Arc::new(move |req: &Request| {
            if req.body_len > 0 {
                return Some(faultproxy::error_response(
                    400,
                    "BLOB_UPLOAD_INVALID",
                    "monolithic upload is not supported",
                ));
            }
            if fail
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_err()
            {
                return None;
            }
            if commit {
                let raw = faultproxy::forward(&upstream, "PUT", &req.target, &req.headers, &[])
                    .unwrap_or_default();
                if faultproxy::raw_status(&raw) != 201 {
                    return Some(raw);
                }
            }
            Some(faultproxy::error_response(500, "UNKNOWN", "unknown error"))
        })),
        None,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_on_the_put_after_chunks_is_survived_or_explained() {
    bounded(async {
        let src = TestRegistry::plain();
        src.seed_async().await;
        let dst = TestRegistry::plain();
        let p = FaultProxy::start(&dst.host);
        let repo = |path: &str| Repo {
            domain: p.host.clone(),
            path: path.to_string(),
        };
        let blob = |seed| {
            let b = big_blob(64 * 1024, seed);
            (Digest::sha256(&b), b)
        };
        let held = |path: &str, d: &Digest| {
            let url = format!("{}/v2/{path}/blobs/{d}", dst.url);
            let http = dst.http_client();
            async move { http.head(url).send().await.expect("HEAD").status().as_u16() }
        };

        // A 500 before the registry stored anything: the empty PUT is sent again.
        let fail = Arc::new(AtomicUsize::new(1));
        ecr_final_put(&p, &dst.host, false, fail.clone());
        let env = client_env();
        let (d, b) = blob(1);
        env.client
            .upload_blob(&repo("ecr/a"), &d, b)
            .await
            .expect("a transient 500 on the closing PUT is retried");
        assert_eq!(fail.load(Ordering::SeqCst), 0);
        assert_eq!(held("ecr/a", &d).await, 200);

        // A 500 after the registry stored the blob: the PUT sent again finds no session,
        // the blob's HEAD shows it is there, the upload is done.
        p.clear();
        let fail = Arc::new(AtomicUsize::new(1));
        ecr_final_put(&p, &dst.host, true, fail.clone());
        p.reset_seen();
        let (d, b) = blob(2);
        env.client
            .upload_blob(&repo("ecr/b"), &d, b)
            .await
            .expect("a 500 after the blob was stored is no failure");
        assert_eq!(fail.load(Ordering::SeqCst), 0);
        assert!(
            p.count("HEAD", &format!("/blobs/{d}")) >= 1,
            "{:?}",
            p.seen()
        );
        assert_eq!(held("ecr/b", &d).await, 200);

        // A list pushed across registries while every closing PUT first fails once.
        p.clear();
        let fail = Arc::new(AtomicUsize::new(usize::MAX / 2));
        ecr_final_put(&p, &dst.host, true, fail);
        let (_dir, store, list) =
            draft(&env.client, &src.host, &p.host, "ecr/app:v1", false, None).await;
        let want = list_digest(&store, &list);
        let r = ops::push(
            &env.client,
            &store,
            &list,
            PushOptions::default(),
            ops::no_progress(),
        )
        .await
        .expect("push through ECR's 500s");
        assert_eq!(r.digest, want);
        assert_eq!(skopeo_digest(&format!("{}/ecr/app:v1", dst.host)), want);

        // A registry that never finishes the upload: a clear error, nothing tagged.
        p.clear();
        ecr_final_put(
            &p,
            &dst.host,
            false,
            Arc::new(AtomicUsize::new(usize::MAX / 2)),
        );
        let (d, b) = blob(3);
        let e = env
            .client
            .upload_blob(&repo("ecr/c"), &d, b)
            .await
            .expect_err("the upload cannot finish");
        let s = e.to_string();
        assert!(s.contains("500"), "{s}");
        assert!(s.contains("did not finish the upload"), "{s}");
        assert!(s.contains(d.as_str()) && s.contains("push again"), "{s}");
        assert_eq!(held("ecr/c", &d).await, 404);
    })
    .await
}
