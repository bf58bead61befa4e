//! Faults against a real registry, through a fault-injecting proxy (tests/common/faultproxy.rs):
//! interrupted pushes, 5xx/429 retries, resets, truncated bodies, slow registries, oversized
//! and malformed manifests, nested indexes and Link loops. Every test runs under a hard
//! timeout: nothing may hang.

mod common;

use common::faultproxy::{Action, FaultProxy, Gate};
use common::*;
use manifest_tui::digest::Digest;
use manifest_tui::media;
use manifest_tui::ops::{self, CreateOptions, InspectOptions, PushOptions};
use manifest_tui::reference::Reference;
use manifest_tui::registry::{Client, ClientOptions, ErrorKind, Repo};
use manifest_tui::store::Store;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The bound every test runs under: a hang guard, not a speed claim (each test's own
/// waiting, read timeouts and backoff included, is well under it on a loaded machine).
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

fn client_env(read_timeout: Duration) -> Env {
    let cfg = tempfile::tempdir().expect("tempdir");
    std::fs::write(cfg.path().join("config.json"), "{\"auths\":{}}").expect("config.json");
    let client = Client::new(ClientOptions {
        docker_config: Some(cfg.path().to_path_buf()),
        certs_dirs: Some(Vec::new()),
        read_timeout,
        ..Default::default()
    })
    .expect("client");
    Env { _cfg: cfg, client }
}

fn rf(s: &str) -> Reference {
    Reference::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// A list of the six v1 samples, created through `host`, in a fresh store.
async fn draft_list(c: &Client, host: &str, name: &str) -> (tempfile::TempDir, Store, Reference) {
    let dir = tempfile::tempdir().expect("store dir");
    let store = Store::at(dir.path().join("manifests"));
    let list = rf(&format!("{host}/{name}"));
    let src = rf(&format!("{host}/{}:v1", samples::LIST_REPO));
    ops::create(
        c,
        &store,
        &list,
        &[src],
        CreateOptions::default(),
        ops::no_progress(),
    )
    .await
    .expect("create the list");
    (dir, store, list)
}

fn undisturbed_digest(store: &Store, list: &Reference) -> Digest {
    let draft = store.load(list).expect("load");
    Digest::sha256(&ops::list_bytes_for(&draft).1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_interrupted_at_a_child_manifest_then_resumed() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let env = client_env(Duration::from_secs(10));
        let c = &env.client;
        let (dir, store, list) = draft_list(c, &p.host, "team/app:v1").await;
        let before = snapshot(dir.path());
        assert!(!before.is_empty());

        // Every child-manifest PUT has its connection reset.
        p.rule("PUT", "/manifests/sha256:", Action::Reset, None);
        let e = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect_err("push must fail");
        let s = e.to_string();
        assert!(s.contains("pushing the manifest of entry"), "{s}");
        assert!(s.contains("samples/app@sha256:"), "names the entry: {s}");
        assert!(s.contains("linux/") || s.contains("windows/"), "{s}");
        assert!(
            s.contains(&format!(
                "PUT http://{}/v2/team/app/manifests/sha256:",
                p.host
            )),
            "names the request: {s}"
        );
        assert!(
            s.contains("local list is unchanged") && s.contains("push again"),
            "{s}"
        );
        assert!(!s.contains('\n'), "one paragraph: {s}");
        // Idempotent PUTs were retried before giving up, and the retries are bounded: at
        // most four attempts for each of the six child manifests.
        let puts = p.count("PUT", "/manifests/sha256:");
        assert!(puts >= 2 * 6, "expected retries, saw {puts} PUTs");
        assert!(puts <= 4 * 6, "bounded retries, saw {puts} PUTs");
        // Nothing local changed, byte for byte; the tag does not exist remotely.
        assert_eq!(snapshot(dir.path()), before, "the local list changed");
        assert!(c.head_manifest(&list).await.expect("head").is_none());

        // The registry recovers: push again completes with the undisturbed digest.
        p.clear();
        let report = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("second push");
        assert_eq!(report.digest, undisturbed_digest(&store, &list));
        assert_eq!(snapshot(dir.path()), before);
        let remote = c.get_manifest(&list).await.expect("pushed list");
        assert_eq!(remote.digest, report.digest);
        // The same list pushed undisturbed to another tag: the same digest.
        let other = PushOptions {
            target: Some(rf(&format!("{}/team/other:v1", p.host))),
            ..Default::default()
        };
        let r2 = ops::push(c, &store, &list, other, ops::no_progress())
            .await
            .expect("undisturbed push");
        assert_eq!(r2.digest, report.digest);
        eprintln!(
            "interrupted push: gave up after {puts} PUT attempts; resumed to {}",
            report.digest
        );
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_killed_at_the_first_blob_mount_then_restarted() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let env = client_env(Duration::from_secs(10));
        let c = &env.client;
        let (dir, store, list) = draft_list(c, &p.host, "team/app:v1").await;
        let before = snapshot(dir.path());

        // The first mount request kills the registry; the proxy then drops the connection,
        // and sends what follows to a port that refuses connections (the registry's old port
        // could be another registry's by now).
        let shared = Arc::new(Mutex::new(reg));
        let s2 = shared.clone();
        let down = Arc::new(ClosedPort::new());
        let (d2, point) = (down.clone(), p.upstream_setter());
        p.rule(
            "POST",
            "mount=",
            Action::Respond(Arc::new(move |_| {
                if let Ok(mut r) = s2.lock() {
                    r.stop();
                }
                point(&d2.host());
                Vec::new()
            })),
            Some(1),
        );
        let e = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect_err("push must fail");
        let s = e.to_string();
        assert!(
            s.contains("pushing entry") && s.contains("failed while copying blobs"),
            "{s}"
        );
        assert!(s.contains("samples/app@sha256:"), "{s}");
        assert!(s.contains("local list is unchanged"), "{s}");
        assert_eq!(snapshot(dir.path()), before, "the local list changed");

        // Restarted on its storage (on a port of its own again): the proxy follows it.
        {
            let mut r = shared.lock().expect("registry");
            r.restart();
            p.set_upstream(&r.host);
        }
        let report = ops::push(c, &store, &list, PushOptions::default(), ops::no_progress())
            .await
            .expect("push after restart");
        assert_eq!(report.digest, undisturbed_digest(&store, &list));
        assert_eq!(
            c.get_manifest(&list).await.expect("list").digest,
            report.digest
        );
        assert_eq!(snapshot(dir.path()), before);
    })
    .await
}

/// The token server is retried like the registry: 5xx and 429 with backoff, a permanent
/// failure given up in bounded time with the token request named; a refusal is not retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_server_errors_are_retried_then_bounded() {
    bounded(async {
        let reg = TestRegistry::new(false, Auth::TokenBehindProxy(TokenPolicy::default()));
        reg.seed_async().await;
        let p = reg.issuer_proxy.as_ref().expect("issuer proxy");
        let client = |cfg: std::path::PathBuf| {
            Client::new(ClientOptions {
                docker_config: Some(cfg),
                certs_dirs: Some(Vec::new()),
                ..Default::default()
            })
            .expect("client")
        };
        let r = rf(&format!("{}/{}:v1", reg.host, samples::LIST_REPO));

        // Two 503s, then the token: the command succeeds.
        p.rule("GET", "/token", Action::Status(503), Some(2));
        let c = client(reg.docker_config());
        let m = c.get_manifest(&r).await.expect("token request retried");
        assert_eq!(m.media_type, media::DOCKER_LIST);
        assert_eq!(p.count("GET", "/token"), 3, "two failures and a success");

        // 429 with Retry-After: 1 is waited for.
        p.clear();
        p.reset_seen();
        p.rule("GET", "/token", Action::TooMany { retry_after: 1 }, Some(1));
        let t = Instant::now();
        client(reg.docker_config())
            .get_manifest(&r)
            .await
            .expect("429 from the token server retried");
        assert!(
            t.elapsed() >= Duration::from_millis(900),
            "Retry-After ignored"
        );
        assert_eq!(p.count("GET", "/token"), 2);

        // Always 503: bounded, and the error names the token request and the status. Eight
        // requests for the same scope at once: the ones queued behind the failed fetch fail
        // with it instead of each retrying the token server again.
        p.clear();
        p.reset_seen();
        p.rule("GET", "/token", Action::Status(503), None);
        let c = client(reg.docker_config());
        let results = futures_util::future::join_all((0..8).map(|_| c.get_manifest(&r))).await;
        for res in results {
            let e = res.expect_err("permanent token failure");
            let s = e.to_string();
            assert!(s.contains("/token") && s.contains("503"), "{s}");
        }
        assert_eq!(p.count("GET", "/token"), 4, "four attempts in all");

        // A refusal (wrong password) is an answer, not a fault: asked once, not retried.
        p.clear();
        p.reset_seen();
        let e = client(reg.docker_config_for(ALICE, "not-the-password"))
            .get_manifest(&r)
            .await
            .expect_err("wrong password");
        assert!(e.to_string().contains("docker login"), "{e}");
        assert_eq!(p.count("GET", "/token"), 1, "{e}");
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_429_are_retried_then_bounded() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let env = client_env(Duration::from_secs(10));
        let c = &env.client;
        let r = rf(&format!("{}/{}:v1", p.host, samples::LIST_REPO));
        let path = "/v2/samples/app/manifests/v1";
        c.ping(&p.host).await.expect("ping");

        for status in [500u16, 502, 503] {
            p.clear();
            p.reset_seen();
            p.rule("GET", path, Action::Status(status), Some(2));
            let m = c
                .get_manifest(&r)
                .await
                .unwrap_or_else(|e| panic!("{status} not retried: {e}"));
            assert_eq!(m.media_type, media::DOCKER_LIST);
            assert_eq!(
                p.count("GET", path),
                3,
                "{status}: two failures and a success"
            );
        }
        // HEAD too.
        p.clear();
        p.reset_seen();
        p.rule("HEAD", path, Action::Status(503), Some(1));
        assert!(c.head_manifest(&r).await.expect("head").is_some());
        assert_eq!(p.count("HEAD", path), 2);

        // 429 with Retry-After: 1 waits about a second, then succeeds.
        p.clear();
        p.reset_seen();
        p.rule("GET", path, Action::TooMany { retry_after: 1 }, Some(1));
        let t = Instant::now();
        c.get_manifest(&r).await.expect("429 retried");
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(900),
            "Retry-After ignored: {waited:?}"
        );
        assert_eq!(p.count("GET", path), 2);

        // Retry-After as an HTTP-date (whole seconds, so 3 s ahead is 2–3 s of waiting). A
        // lower bound only, from the protocol: the clock starts before the date is taken, so
        // however late the answer arrives, the retry cannot come before the date.
        p.clear();
        p.reset_seen();
        let t = Instant::now();
        let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3));
        p.rule(
            "GET",
            path,
            Action::Serve {
                status: 429,
                headers: vec![("Retry-After".into(), at.clone())],
                body: Arc::new(b"slow down".to_vec()),
                content_length: true,
            },
            Some(1),
        );
        c.get_manifest(&r).await.expect("429 with a date retried");
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(1900),
            "Retry-After: {at} ignored: {waited:?}"
        );
        assert_eq!(p.count("GET", path), 2);

        // A registry that always fails: bounded, with a clear message naming the request.
        for action in [Action::Status(503), Action::TooMany { retry_after: 1 }] {
            p.clear();
            p.reset_seen();
            p.rule("GET", path, action, None);
            let e = c.get_manifest(&r).await.expect_err("permanent failure");
            let s = e.to_string();
            assert!(
                s.contains(&format!("GET http://{}{path} failed", p.host)),
                "{s}"
            );
            assert!(s.contains("503") || s.contains("rate limited"), "{s}");
            let n = p.count("GET", path);
            assert!((2..=4).contains(&n), "attempts: {n}");
            eprintln!(
                "permanent {}: gave up after {n} attempts: {s}",
                e.status().unwrap_or(0)
            );
        }

        // A non-idempotent request (opening an upload) is not retried.
        p.clear();
        p.reset_seen();
        p.rule("POST", "/blobs/uploads/", Action::Status(503), Some(1));
        let blob = b"fault test blob".to_vec();
        let d = Digest::sha256(&blob);
        let repo = Repo::of(&rf(&format!("{}/team/blob:x", p.host)));
        let e = c
            .upload_blob(&repo, &d, blob.clone())
            .await
            .expect_err("503 on POST");
        assert!(e.to_string().contains("POST http://"), "{e}");
        assert_eq!(p.count("POST", "/blobs/uploads/"), 1);
        c.upload_blob(&repo, &d, blob)
            .await
            .expect("upload after the fault");
    })
    .await
}

/// Resets, truncated bodies and answers slower than the read timeout: one of them is retried
/// transparently; a registry that always does it fails after a bounded number of attempts
/// with an error naming the request. Slow answers wait at a gate (never answered in time,
/// whatever the machine's speed) rather than for a delay that is hoped to be long enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resets_truncation_and_slow_answers_fail_fast_and_name_the_request() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        // The client that must succeed after one fault has the usual timeout; the one that
        // must give up has a short one (only its failures are asserted).
        let patient = client_env(Duration::from_secs(10));
        let impatient = client_env(Duration::from_secs(3));
        let r = rf(&format!("{}/{}:v1", p.host, samples::LIST_REPO));
        let path = "/v2/samples/app/manifests/v1";
        let request = format!("GET http://{}{path}", p.host);
        let c = &patient.client;
        c.ping(&p.host).await.expect("ping");
        let stall = |gate: &Gate| {
            let g = gate.clone();
            Action::Respond(Arc::new(move |_| {
                g.wait();
                Vec::new()
            }))
        };

        // One reset: retried transparently.
        p.rule("GET", path, Action::Reset, Some(1));
        c.get_manifest(&r).await.expect("a single reset is retried");
        assert_eq!(p.count("GET", path), 2);

        // One truncated body: retried transparently too (it is an idempotent GET).
        p.clear();
        p.reset_seen();
        p.rule("GET", path, Action::Truncate, Some(1));
        c.get_manifest(&r)
            .await
            .expect("a single truncated body is retried");
        assert_eq!(p.count("GET", path), 2);

        // One answer that never comes in time (held until the client gave up): retried.
        p.clear();
        p.reset_seen();
        let held = Gate::new();
        p.rule("GET", path, stall(&held), Some(1));
        c.get_manifest(&r)
            .await
            .expect("a single slow answer is retried");
        held.open();
        assert_eq!(p.count("GET", path), 2);

        let c = &impatient.client;
        let never = Gate::new();
        for (label, action) in [
            ("drip", Action::Drip(Duration::from_millis(300))),
            ("reset", Action::Reset),
            ("truncated", Action::Truncate),
            ("slow", stall(&never)),
        ] {
            p.clear();
            p.reset_seen();
            p.rule("GET", path, action, None);
            let e = c.get_manifest(&r).await.expect_err(label);
            let s = e.to_string();
            assert!(
                matches!(e.kind, ErrorKind::Transport { .. }),
                "{label}: {e:?}"
            );
            assert!(s.contains(&format!("{request} failed")), "{label}: {s}");
            if label == "slow" || label == "drip" {
                assert!(
                    s.contains("timed out") || s.contains("did not answer in time"),
                    "{s}"
                );
            } else {
                assert!(s.contains("connection broke"), "{label}: {s}");
            }
            let n = p.count("GET", path);
            assert!((1..=4).contains(&n), "{label}: bounded attempts: {n}");
            eprintln!("{label}: {n} attempts: {s}");
        }
        never.open();
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_manifests_are_refused() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let env = client_env(Duration::from_secs(10));
        let c = &env.client;
        let store_dir = tempfile::tempdir().expect("store");
        let store = Store::at(store_dir.path());
        let list = rf(&format!("{}/team/app:v1", p.host));

        // > 4 MiB, with and without Content-Length.
        let mut big = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"x":""#.to_vec();
        big.extend(std::iter::repeat_n(b'a', 5 * 1024 * 1024));
        big.extend_from_slice(b"\"}}");
        let big = Arc::new(big);
        for with_len in [true, false] {
            p.clear();
            p.rule(
                "GET",
                "/manifests/huge",
                Action::Serve {
                    status: 200,
                    headers: vec![("Content-Type".into(), media::OCI_INDEX.into())],
                    body: big.clone(),
                    content_length: with_len,
                },
                None,
            );
            let r = rf(&format!("{}/samples/app:huge", p.host));
            let e = c.get_manifest(&r).await.expect_err("too large");
            assert!(matches!(e.kind, ErrorKind::TooLarge { .. }), "{e:?}");
            assert!(e.to_string().contains("larger than the 4194304 byte limit"), "{e}");
            let e = ops::inspect(c, &r, InspectOptions::default(), ops::no_progress())
                .await
                .expect_err("inspect");
            assert!(e.to_string().contains("samples/app:huge"), "{e}");
            let e = ops::create(c, &store, &list, &[r], CreateOptions::default(), ops::no_progress())
                .await
                .expect_err("create");
            assert!(e.to_string().contains("larger than"), "{e}");
        }

        // Malformed: truncated JSON, wrong types, not JSON at all, unknown media type.
        let bad: Vec<(&str, &str)> = vec![
            (media::OCI_INDEX, r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":["#),
            (media::OCI_INDEX, r#"{"schemaVersion":2,"manifests":5}"#),
            (media::DOCKER_MANIFEST, r#"{"schemaVersion":2,"config":null,"layers":"x"}"#),
            (media::DOCKER_LIST, "\u{1b}]52;c;aGVsbG8=\u{7}<html>not json</html>"),
            ("text/html", "<html>hello</html>"),
            (media::OCI_INDEX, ""),
        ];
        for (i, (ct, body)) in bad.iter().enumerate() {
            p.clear();
            p.rule("GET", "/manifests/bad", Action::serve(200, ct, body.as_bytes().to_vec()), None);
            let r = rf(&format!("{}/samples/app:bad", p.host));
            let e = ops::inspect(c, &r, InspectOptions::default(), ops::no_progress())
                .await
                .expect_err("malformed inspect");
            let s = e.to_string();
            assert!(s.contains("samples/app:bad"), "case {i}: {s}");
            let e = ops::create(c, &store, &list, &[r], CreateOptions::default(), ops::no_progress())
                .await
                .expect_err("malformed create");
            assert!(e.to_string().contains("samples/app:bad"), "case {i}: {e}");
            assert!(!store.exists(&list), "nothing written");
            eprintln!("malformed {i}: {s}");
        }
    })
    .await
}

fn oci_index(children: &[(&str, &Digest, usize)]) -> Vec<u8> {
    let manifests: Vec<serde_json::Value> = children
        .iter()
        .map(|(mt, d, size)| {
            serde_json::json!({"mediaType": mt, "digest": d.to_string(), "size": size,
                "platform": {"os": "linux", "architecture": "amd64"}})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": manifests
    }))
    .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_indexes_are_refused_by_create_and_not_recursed_by_inspect() {
    bounded(async {
        let reg = TestRegistry::plain();
        reg.seed_async().await;
        let p = FaultProxy::start(&reg.host);
        let env = client_env(Duration::from_secs(10));
        let c = &env.client;
        let repo = Repo::of(&rf(&format!("{}/{}:x", p.host, samples::LIST_REPO)));
        // A chain of 40 indexes, each holding the previous one; the innermost holds the
        // v1 OCI index.
        let inner = samples::list("v1", true);
        let (mut mt, mut d, mut size) =
            (media::OCI_INDEX, inner.digest.clone(), inner.manifest.len());
        for depth in 1..=40 {
            let bytes = oci_index(&[(mt, &d, size)]);
            let tag = format!("nested{depth}");
            let got = c
                .put_manifest(&repo, &tag, media::OCI_INDEX, &bytes)
                .await
                .unwrap_or_else(|e| panic!("registry refused nesting depth {depth}: {e}"));
            mt = media::OCI_INDEX;
            d = got;
            size = bytes.len();
        }
        for tag in ["nested1", "nested40"] {
            let r = rf(&format!("{}/{}:{tag}", p.host, samples::LIST_REPO));
            p.reset_seen();
            let ins = ops::inspect(
                c,
                &r,
                InspectOptions {
                    children: true,
                    configs: true,
                },
                ops::no_progress(),
            )
            .await
            .expect("inspect -v a nested index");
            assert_eq!(ins.entries.len(), 1);
            assert!(ins.entries[0]
                .manifest
                .as_ref()
                .is_some_and(|m| m.kind().is_list()));
            // One level only: the index and its single child.
            let gets = p.count("GET", "/manifests/");
            assert!(gets <= 3, "inspect recursed: {gets} manifest GETs");

            let store_dir = tempfile::tempdir().expect("store");
            let store = Store::at(store_dir.path());
            let list = rf(&format!("{}/team/app:v1", p.host));
            let e = ops::create(
                c,
                &store,
                &list,
                &[r],
                CreateOptions::default(),
                ops::no_progress(),
            )
            .await
            .expect_err("create from a nested index");
            let s = e.to_string();
            assert!(
                s.contains("is itself a list") && s.contains("nested indexes"),
                "{s}"
            );
            assert!(!store.exists(&list));
        }
    })
    .await
}

/// Answers tags/list and _catalog with a Link cycle: last=a → b → a → …
fn link_cycle() -> Action {
    Action::Respond(Arc::new(|req| {
        let catalog = req.target.contains("/_catalog");
        let last = req
            .target
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("last="))
            .unwrap_or("");
        let (items, next) = match last {
            "" => (vec!["a"], "a"),
            "a" => (vec!["b"], "b"),
            _ => (vec!["a"], "a"),
        };
        let (path, body) = if catalog {
            ("/v2/_catalog", serde_json::json!({"repositories": items}))
        } else {
            (
                "/v2/x/tags/list",
                serde_json::json!({"name": "x", "tags": items}),
            )
        };
        let body = body.to_string();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLink: <{path}?n=1&last={next}>; rel=\"next\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_header_cycles_are_bounded() {
    bounded(async {
        let reg = TestRegistry::plain();
        let p = FaultProxy::start(&reg.host);
        let env = client_env(Duration::from_secs(10));
        let c = &env.client;
        p.rule("GET", "/tags/list", link_cycle(), None);
        p.rule("GET", "/_catalog", link_cycle(), None);
        let repo = Repo::of(&rf(&format!("{}/x:y", p.host)));
        let tags = c
            .list_tags(&repo, 1)
            .await
            .expect("a cycle ends the listing");
        assert!(tags.len() <= 4, "{tags:?}");
        let pages = p.count("GET", "/tags/list");
        assert!(pages <= 4, "{pages} pages fetched for a 2-page cycle");
        // The catalog: page by page as the TUI does, the client's next token stops repeating.
        let (_, next) = c.catalog_page(&p.host, 1, None).await.expect("catalog");
        assert_eq!(next.as_deref(), Some("/v2/_catalog?n=1&last=a"));
        let (_, next) = c
            .catalog_page(&p.host, 1, next.as_deref())
            .await
            .expect("catalog a");
        assert_eq!(next.as_deref(), Some("/v2/_catalog?n=1&last=b"));
        let pages = c.list_catalog(&p.host, 1).await.expect("a cycle ends it");
        assert!(pages.len() <= 4, "{pages:?}");
    })
    .await
}
