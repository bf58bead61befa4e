//! Proves each harness flavour against the real registry with raw HTTP requests.

mod common;

use common::issuer::{base32, libtrust_kid, parse_form, parse_scope, rfc3339};
use common::*;
use manifest_tui::digest::Digest;
use manifest_tui::media;
use reqwest::StatusCode;
use std::path::Path;

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn get_token(
    client: &reqwest::Client,
    realm: &str,
    scopes: &[&str],
    cred: Option<(&str, &str)>,
) -> (StatusCode, serde_json::Value) {
    let mut url = format!("{realm}?service={SERVICE}");
    for s in scopes {
        url.push_str(&format!("&scope={}", s.replace('/', "%2F")));
    }
    let mut req = client.get(&url);
    if let Some((u, p)) = cred {
        req = req.header("Authorization", basic_header(u, p));
    }
    let r = req.send().await.expect("token request");
    let status = r.status();
    let body: serde_json::Value =
        serde_json::from_slice(&r.bytes().await.expect("token body")).unwrap_or_default();
    (status, body)
}

fn jwt_claims(jwt: &str) -> serde_json::Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).expect("jwt has claims");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("claims are base64url");
    serde_json::from_slice(&bytes).expect("claims are JSON")
}

#[tokio::test]
async fn plain_serves_v2_and_seeded_lists() {
    let r = TestRegistry::plain();
    let c = r.http_client();
    let resp = c.get(format!("{}/v2/", r.url)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "docker-distribution-api-version"),
        "registry/2.0"
    );

    let seeded = r.seed_async().await;
    for (rel, oci) in [("v1", false), ("v1", true), ("v2", false), ("v2", true)] {
        let l = samples::list(rel, oci);
        assert_eq!(seeded.digest_of(&l.reference()), Some(&l.digest));
        let resp = c
            .get(format!("{}/v2/{}/manifests/{}", r.url, l.repo, l.tag))
            .header("Accept", media::MANIFEST_ACCEPT)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", r.log());
        assert_eq!(header(&resp, "docker-content-digest"), l.digest.as_str());
        assert_eq!(header(&resp, "content-type"), l.media_type);
        let body = resp.bytes().await.unwrap();
        assert_eq!(Digest::sha256(&body), l.digest);
    }
    // Single-platform tags exist too, and v2 == v1 for unchanged platforms.
    for p in samples::PLATFORMS {
        let repo = samples::image_repo(p, false);
        let a = seeded.digest_of(&format!("{repo}:v1")).unwrap();
        let b = seeded.digest_of(&format!("{repo}:v2")).unwrap();
        assert_eq!(a == b, !samples::CHANGED_IN_V2.contains(&p), "{p}");
    }
    // Seeding again uploads no blob.
    let again = r.seed_async().await;
    assert_eq!(again.blobs_uploaded, 0);
}

#[tokio::test]
async fn sample_layer_is_a_real_gzip_tar() {
    let r = TestRegistry::plain();
    r.seed_async().await;
    let img = &samples::images("v1", false)[1];
    let (layer, _) = &img.blobs[1];
    let resp = r
        .http_client()
        .get(format!("{}/v2/{}/blobs/{layer}", r.url, img.repo))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    let f = r.dir.path().join("layer.tgz");
    std::fs::write(&f, &bytes).unwrap();
    let out = common::cli::tool("tar")
        .arg("-xzOf")
        .arg(&f)
        .arg("hello.txt")
        .output()
        .expect("run tar");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello from linux/arm64/v8 (v1)\n"
    );
    // The stored blob is where blob_path says.
    assert_eq!(std::fs::read(r.blob_path(layer)).unwrap(), bytes.to_vec());
}

#[tokio::test]
async fn tls_needs_the_generated_ca() {
    let r = TestRegistry::tls();
    assert!(r.url.starts_with("https://"));
    let ok = r.http_client().get(format!("{}/v2/", r.url)).send().await;
    assert_eq!(ok.expect("TLS with CA").status(), 200);
    // Also by name.
    let by_name = r
        .http_client()
        .get(format!("https://localhost:{}/v2/", r.port()))
        .send()
        .await;
    assert_eq!(by_name.expect("TLS via localhost").status(), 200);

    install_crypto();
    let untrusting = reqwest::Client::builder().no_proxy().build().unwrap();
    let err = untrusting
        .get(format!("{}/v2/", r.url))
        .send()
        .await
        .expect_err("an untrusted self-signed CA must be refused");
    assert!(err.is_connect() || err.is_request(), "{err:?}");

    let certs = r.certs_dir();
    let ca = certs.join(&r.host).join("ca.crt");
    assert_eq!(
        std::fs::read(ca).unwrap(),
        std::fs::read(r.ca_pem.as_ref().unwrap()).unwrap()
    );
    r.seed_async().await;
}

#[tokio::test]
async fn basic_auth_flavour() {
    let r = TestRegistry::basic();
    let c = r.http_client();
    let url = format!("{}/v2/", r.url);
    let anon = c.get(&url).send().await.unwrap();
    assert_eq!(anon.status(), 401);
    assert!(
        header(&anon, "www-authenticate").starts_with("Basic "),
        "{anon:?}"
    );
    for (u, p, want) in [
        (ALICE, ALICE_PASSWORD, 200),
        (READER, READER_PASSWORD, 200),
        (ALICE, "wrong-password", 401),
    ] {
        let resp = c
            .get(&url)
            .header("Authorization", basic_header(u, p))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), want, "{u}");
    }
    r.seed_async().await;
    let cfg = r.docker_config();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cfg.join("config.json")).unwrap()).unwrap();
    assert!(v["auths"][&r.host]["auth"].is_string());
}

#[tokio::test]
async fn token_auth_flavour() {
    let r = TestRegistry::token();
    r.seed_async().await;
    let c = r.http_client();
    let realm = r.realm();

    // No auth: a Bearer challenge naming our realm and service.
    let anon = c.get(format!("{}/v2/", r.url)).send().await.unwrap();
    assert_eq!(anon.status(), 401);
    let ch = header(&anon, "www-authenticate");
    assert!(ch.starts_with("Bearer "), "{ch}");
    assert!(ch.contains(&format!("realm=\"{realm}\"")), "{ch}");
    assert!(ch.contains(&format!("service=\"{SERVICE}\"")), "{ch}");

    // A pull token for samples/app works for GET manifest.
    r.issuer().reset_stats();
    let (st, body) = get_token(
        &c,
        &realm,
        &["repository:samples/app:pull"],
        Some((ALICE, ALICE_PASSWORD)),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let tok = body["token"].as_str().unwrap();
    assert_eq!(body["access_token"], body["token"]);
    assert!(body["expires_in"].as_i64().unwrap() >= 60);
    let claims = jwt_claims(tok);
    assert_eq!(claims["aud"], SERVICE);
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["access"][0]["actions"], serde_json::json!(["pull"]));
    let l = samples::list("v1", false);
    let resp = c
        .get(format!("{}/v2/samples/app/manifests/v1", r.url))
        .header("Accept", media::MANIFEST_ACCEPT)
        .header("Authorization", bearer_header(tok))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", r.log());
    assert_eq!(header(&resp, "docker-content-digest"), l.digest.as_str());
    assert_eq!(r.issuer_requests(), 1);
    assert_eq!(
        r.issuer_scopes(),
        vec!["repository:samples/app:pull".to_string()]
    );
    let rec = &r.issuer().log()[0];
    assert_eq!(rec.basic_user.as_deref(), Some(ALICE));
    assert_eq!(rec.status, 200);

    // reader asking for push gets pull only; the registry refuses an upload.
    let (st, body) = get_token(
        &c,
        &realm,
        &["repository:samples/app:pull,push"],
        Some((READER, READER_PASSWORD)),
    )
    .await;
    assert_eq!(st, 200);
    let tok = body["token"].as_str().unwrap();
    assert_eq!(
        jwt_claims(tok)["access"][0]["actions"],
        serde_json::json!(["pull"])
    );
    let up = c
        .post(format!("{}/v2/samples/app/blobs/uploads/", r.url))
        .header("Authorization", bearer_header(tok))
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 401);
    assert!(header(&up, "www-authenticate").contains("error=\"insufficient_scope\""));

    // Wrong password → 401 with the documented body.
    let (st, body) = get_token(&c, &realm, &[], Some((ALICE, "nope"))).await;
    assert_eq!(st, 401);
    assert_eq!(body["details"], "invalid credentials");

    // Anonymous gets an empty grant under the default policy.
    let (st, body) = get_token(&c, &realm, &["repository:samples/app:pull"], None).await;
    assert_eq!(st, 200);
    assert_eq!(
        jwt_claims(body["token"].as_str().unwrap())["access"],
        serde_json::json!([])
    );

    // alice gets the catalog.
    let (st, body) = get_token(
        &c,
        &realm,
        &["registry:catalog:*"],
        Some((ALICE, ALICE_PASSWORD)),
    )
    .await;
    assert_eq!(st, 200);
    let cat = c
        .get(format!("{}/v2/_catalog", r.url))
        .header(
            "Authorization",
            bearer_header(body["token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(cat.status(), 200);
    let cat: serde_json::Value = serde_json::from_slice(&cat.bytes().await.unwrap()).unwrap();
    let repos = cat["repositories"].as_array().unwrap();
    assert!(repos.iter().any(|x| x == "samples/app"), "{cat}");
    // reader does not.
    let (_, body) = get_token(
        &c,
        &realm,
        &["registry:catalog:*"],
        Some((READER, READER_PASSWORD)),
    )
    .await;
    assert_eq!(
        jwt_claims(body["token"].as_str().unwrap())["access"],
        serde_json::json!([])
    );

    // Password grant with offline access, then the refresh grant (POST form).
    let form = format!(
        "grant_type=password&username={ALICE}&password={ALICE_PASSWORD}&service={SERVICE}&client_id=test&access_type=offline"
    );
    let resp = c
        .post(&realm)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(body["scope"], "");
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let form = format!(
        "grant_type=refresh_token&refresh_token={refresh}&service={SERVICE}&client_id=test&scope=repository%3Asamples%2Fapp%3Apull%2Cpush+repository%3Asamples%2Fapp-linux-amd64%3Apull"
    );
    let resp = c
        .post(&realm)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(body["refresh_token"], refresh.as_str());
    assert_eq!(
        body["scope"],
        "repository:samples/app:pull,push repository:samples/app-linux-amd64:pull"
    );
    let tok = body["access_token"].as_str().unwrap();
    assert_eq!(jwt_claims(tok)["sub"], ALICE);
    let up = c
        .post(format!("{}/v2/samples/app/blobs/uploads/", r.url))
        .header("Authorization", bearer_header(tok))
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 202, "{}", r.log());
    // A refresh token is bound to its service.
    let resp = c
        .post(&realm)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&refresh_token={refresh}&service=other&client_id=test"
        ))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    // An unknown refresh token is refused.
    let resp = c
        .post(&realm)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&refresh_token=bogus&service={SERVICE}&client_id=test"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn token_anonymous_pull_policy_and_failure_injection() {
    let r = TestRegistry::token_with(TokenPolicy::anonymous_pull());
    r.seed_async().await;
    let c = r.http_client();
    let (st, body) = get_token(&c, &r.realm(), &["repository:samples/app:pull,push"], None).await;
    assert_eq!(st, 200);
    assert_eq!(
        jwt_claims(body["token"].as_str().unwrap())["access"][0]["actions"],
        serde_json::json!(["pull"])
    );
    r.issuer().fail_next(1, 503);
    let (st, _) = get_token(&c, &r.realm(), &[], None).await;
    assert_eq!(st, 503);
    let (st, _) = get_token(&c, &r.realm(), &[], None).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn expired_token_is_refused() {
    let r = TestRegistry::token();
    let tok = r
        .issuer()
        .mint(ALICE, &[Access::repo("samples/app", &["pull"])], -120);
    let resp = r
        .http_client()
        .get(format!("{}/v2/", r.url))
        .header("Authorization", bearer_header(&tok))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(header(&resp, "www-authenticate").contains("invalid_token"));
}

/// The harness never picks a port for the registry: it binds port 0 and the harness reads
/// the port back from its log. A restart binds afresh, so a port taken meanwhile (here by the
/// test itself) cannot stop it; the storage is kept and the harness's addresses follow.
#[test]
fn stop_and_restart_keep_storage_and_need_no_port_to_stay_free() {
    let mut r = TestRegistry::plain();
    r.seed();
    let port = r.port();
    assert_eq!(
        mt_testkit::localreg::bound_port(&r.log()),
        Some(port),
        "the port used is the one the registry said it bound:\n{}",
        r.log()
    );
    r.stop();
    assert!(!r.reg.is_running());
    // Someone takes the old port (std sets SO_REUSEADDR; if another process got it first,
    // it is just as taken).
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port));
    r.restart();
    assert!(r.reg.is_running());
    if squatter.is_ok() {
        assert_ne!(r.port(), port, "the old port is ours now");
    }
    assert_eq!(r.host, format!("127.0.0.1:{}", r.port()), "host follows");
    assert_eq!(r.url, format!("http://{}", r.host), "url follows");
    assert!(
        r.log()
            .contains(&format!("listening on 127.0.0.1:{}", r.port())),
        "{}",
        r.log()
    );
    let l = samples::list("v2", true);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = r
            .http_client()
            .head(format!("{}/v2/samples/app/manifests/v2-oci", r.url))
            .header("Accept", media::MANIFEST_ACCEPT)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "docker-content-digest"), l.digest.as_str());
    });
    assert!(r.log().contains("starting registry"));
}

/// A [`FaultProxy`](common::faultproxy::FaultProxy) keeps one address across a registry
/// restart: it holds its own listener and is pointed at the registry's new port.
#[test]
fn a_proxy_keeps_one_address_across_a_restart() {
    let mut r = TestRegistry::plain();
    r.seed();
    let p = common::faultproxy::FaultProxy::start(&r.host);
    let cfg = tempfile::tempdir().expect("config dir");
    let image = format!("{}/{}:v1", p.host, samples::LIST_REPO);
    let before = common::cli::ok(
        common::cli::mt(cfg.path(), &["inspect", "--insecure", &image]),
        "inspect before",
    );
    r.stop();
    r.restart();
    p.set_upstream(&r.host);
    let after = common::cli::ok(
        common::cli::mt(cfg.path(), &["inspect", "--insecure", &image]),
        "inspect after the restart",
    );
    assert_eq!(before.out, after.out);
}

/// Every program a test starts goes through the harness (`tests/common/cli.rs`, or
/// `tests/common/pty.rs` for a terminal), which gives it a private HOME and strips the proxy
/// variables: no test file builds a process of its own.
#[test]
fn no_test_starts_a_program_outside_the_harness() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let needles = [
        concat!("Command", "::new("),
        concat!("CommandBuilder", "::new("),
    ];
    let mut offenders = Vec::new();
    for e in std::fs::read_dir(&dir).expect("tests/").flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).expect("read a test file");
            for (i, line) in text.lines().enumerate() {
                if needles.iter().any(|n| line.contains(n)) {
                    offenders.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "start programs with common::cli::{{command, mt, tool}} (or common::pty::Tui), which keep the \
         user's HOME, ~/.docker and proxy variables out:\n{}",
        offenders.join("\n")
    );
}

/// What a program started by the harness sees, when the test process itself has every
/// variable it must not pass on (proxies in both cases, DOCKER_CONFIG, REGISTRY_AUTH_FILE,
/// SSL_CERT_*, a HOME and XDG dirs of "the CI user"): this test runs the next one in a child
/// of this test binary with all of them set.
#[test]
fn a_harness_command_sees_only_its_own_home() {
    let exe = std::env::current_exe().expect("this test binary");
    let mut c = common::cli::tool(exe);
    for k in common::hermetic::NEVER {
        c.env(k, "http://127.0.0.1:9/leaked");
    }
    for k in [
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
    ] {
        c.env(k, "/leaked/user/home");
    }
    c.args([
        "--exact",
        "harness_command_environment_probe",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    let r = c.run();
    assert_eq!(r.code, 0, "the probe failed:\n{}\n{}", r.out, r.err);
    assert!(r.out.contains("1 passed"), "the probe ran:\n{}", r.out);
}

/// Run by the test above in an environment full of the user's variables.
#[test]
#[ignore = "run by a_harness_command_sees_only_its_own_home"]
fn harness_command_environment_probe() {
    let cfg = tempfile::tempdir().expect("config dir");
    let mut c = common::cli::tool("env");
    c.env("DOCKER_CONFIG", cfg.path());
    let home = c.sandbox().home();
    let auth = c.sandbox().auth_file();
    let r = c.run();
    assert_eq!(r.code, 0, "{}", r.err);
    let vars: std::collections::BTreeMap<&str, &str> =
        r.out.lines().filter_map(|l| l.split_once('=')).collect();
    assert!(
        !r.out.contains("leaked"),
        "a variable of the test leaked:\n{}",
        r.out
    );
    assert_eq!(vars.get("HOME").copied(), home.to_str());
    assert_eq!(vars.get("DOCKER_CONFIG").copied(), cfg.path().to_str());
    assert_eq!(vars.get("REGISTRY_AUTH_FILE").copied(), auth.to_str());
    for k in [
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
    ] {
        let v = vars.get(k).unwrap_or_else(|| panic!("{k} is set"));
        assert!(Path::new(v).starts_with(&home), "{k}={v} is under HOME");
    }
    let allowed: Vec<&str> = common::hermetic::INHERITED
        .iter()
        .copied()
        .chain(
            common::hermetic::home_vars(&home)
                .into_iter()
                .map(|(k, _)| k),
        )
        .chain(["DOCKER_CONFIG", "REGISTRY_AUTH_FILE"])
        .collect();
    for k in vars.keys() {
        assert!(allowed.contains(k), "{k} reached the child:\n{}", r.out);
    }
    // The pty harness too: the TUI's environment, read back from /proc.
    let tui_home = tempfile::tempdir().expect("tui home");
    let tui = common::pty::Tui::spawn(
        Path::new("/bin/sh"),
        &["-c", "env; echo END-OF-ENV; exec sleep 600"],
        common::pty::isolated_env(tui_home.path(), cfg.path()),
        24,
        200,
    );
    tui.wait_for("the environment", |s| s.contains("END-OF-ENV"));
    let out = String::from_utf8_lossy(&tui.output()).into_owned();
    assert!(out.contains("DOCKER_CONFIG="), "{out}");
    assert!(
        !out.contains("leaked"),
        "a variable leaked into the pty:\n{out}"
    );
}

#[test]
fn registry_binary_is_found() {
    let b = mt_testkit::localreg::find_binary();
    assert!(
        b.is_ok(),
        "docker-registry must be installed for the tests: {b:?}"
    );
}

#[test]
fn start_failure_reports_the_registry_log_and_the_fix() {
    let cfg = LocalConfig {
        tls: Some(TlsFiles {
            cert: "/nonexistent/server.crt".into(),
            key: "/nonexistent/server.key".into(),
        }),
        ..Default::default()
    };
    let e = LocalRegistry::start(cfg).expect_err("a registry with missing TLS files must fail");
    let msg = e.to_string();
    eprintln!("{msg}");
    assert!(msg.contains("--- registry log ---"), "{msg}");
    assert!(msg.contains("/nonexistent/server.crt"), "{msg}");
    assert!(msg.contains("apt-get install docker-registry"), "{msg}");
}

#[test]
fn skopeo_sees_the_same_bytes() {
    let r = TestRegistry::plain();
    r.seed();
    let l = samples::list("v1", false);
    let raw = skopeo_inspect_raw(&format!("{}/samples/app:v1", r.host), &[]);
    assert_eq!(Digest::sha256(&raw), l.digest);
}

#[test]
fn skopeo_through_the_token_issuer() {
    let r = TestRegistry::token();
    r.seed();
    let l = samples::list("v1", true);
    let raw = skopeo_inspect_raw(
        &format!("{}/samples/app:v1-oci", r.host),
        &[&format!("--creds={READER}:{READER_PASSWORD}")],
    );
    assert_eq!(Digest::sha256(&raw), l.digest);
    let log = r.issuer().log();
    assert!(log.iter().any(|q| q.method == "GET"
        && q.basic_user.as_deref() == Some(READER)
        && q.scopes
            .contains(&"repository:samples/app:pull".to_string())));
}

#[test]
fn issuer_helpers() {
    assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    assert_eq!(base32(b"f"), "MY");
    let kid = libtrust_kid(b"any spki");
    assert_eq!(kid.len(), 59);
    assert_eq!(kid.split(':').count(), 12);
    let a = parse_scope("repository:127.0.0.1:5000/foo:pull,push").unwrap();
    assert_eq!(a.name, "127.0.0.1:5000/foo");
    assert_eq!(a.actions, vec!["pull", "push"]);
    let c = parse_scope("repository(plugin):x/y:pull").unwrap();
    assert_eq!((c.typ.as_str(), c.name.as_str()), ("repository", "x/y"));
    assert!(parse_scope("nonsense").is_none());
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_795_789_195), "2026-11-27T14:19:55Z");
    assert_eq!(
        parse_form("a=b+c&s=repository%3Ax%3Apull"),
        vec![
            ("a".into(), "b c".into()),
            ("s".into(), "repository:x:pull".into())
        ]
    );
}
