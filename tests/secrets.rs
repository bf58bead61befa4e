//! Secrets: a known password and every token never appear in any output of any command
//! (stdout, stderr, with `RUST_BACKTRACE=1`), nor in the client library's per-request trace
//! (the most verbose output it has; the binary prints no trace) or its errors' Debug;
//! `Authorization` is never sent over plain HTTP to a registry that is not insecure-allowed;
//! tokens are asked with the least scope.
//! (The cross-host redirect case lives in tests/registry_client.rs.)

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::faultproxy::FaultProxy;
use common::*;
use manifest_tui::reference::Reference;
use manifest_tui::registry::{Client, ClientOptions, Repo};
use std::path::Path;
use std::sync::{Arc, Mutex};

const WRONG_PASSWORD: &str = "wr0ng-Secret-Password!";

/// Strings that must never be printed.
fn forbidden() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for (u, p) in [
        (ALICE, ALICE_PASSWORD),
        (READER, READER_PASSWORD),
        (ALICE, WRONG_PASSWORD),
    ] {
        v.push((format!("password of {u}"), p.to_string()));
        v.push((
            format!("base64 {u}:password"),
            STANDARD.encode(format!("{u}:{p}")),
        ));
    }
    // Every JWT starts with base64url('{"') = eyJ; digests are hex and cannot contain it.
    v.push(("a JWT (token)".into(), "eyJ".into()));
    v.push(("an Authorization header".into(), "Authorization:".into()));
    v
}

fn assert_clean(what: &str, text: &str) {
    for (label, s) in forbidden() {
        assert!(
            !text.contains(&s),
            "{what}: the output contains {label}:\n{text}"
        );
    }
}

struct Run {
    code: Option<i32>,
    out: String,
}

fn cli(config: &Path, home: &Path, args: &[&str]) -> Run {
    let o = common::cli::command(config)
        .args(args)
        .env("HOME", home)
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("run the CLI");
    let out = format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    Run {
        code: o.status.code(),
        out,
    }
}

/// Run every command, passing and failing, against `r`; return how many were run.
fn every_command_is_clean(r: &TestRegistry) -> usize {
    r.seed();
    let home = tempfile::tempdir().expect("home");
    let good = r.docker_config();
    let wrong_dir = config_for(r, ALICE, WRONG_PASSWORD);
    let wrong = wrong_dir.path().to_path_buf();
    let reader = r.docker_config_for(READER, READER_PASSWORD);
    let src = r.reference(&format!("{}:v1", samples::LIST_REPO));
    let src2 = r.reference(&format!("{}:v2", samples::LIST_REPO));
    let list = r.reference("team/app:v1");
    let missing = r.reference("samples/app:does-not-exist");
    // (what, config, args, the exit code it must end with)
    let cases: Vec<(&str, &Path, Vec<&str>, i32)> = vec![
        ("inspect", &good, vec!["inspect", &src], 0),
        ("inspect -v", &good, vec!["inspect", "-v", &src], 0),
        (
            "inspect table",
            &good,
            vec!["inspect", "--format", "table", &src],
            0,
        ),
        ("create", &good, vec!["create", &list, &src], 0),
        (
            "annotate",
            &good,
            vec![
                "annotate",
                "--arch",
                "arm64",
                "--variant",
                "v8",
                &list,
                "linux/arm64/v8",
            ],
            0,
        ),
        ("ls", &good, vec!["ls"], 0),
        ("inspect local", &good, vec!["inspect", &list], 0),
        ("push", &good, vec!["push", &list], 0),
        ("diff", &good, vec!["diff", &src, &list], 0),
        ("diff v1 v2", &good, vec!["diff", &src, &src2], 1),
        ("inspect missing", &good, vec!["inspect", &missing], 1),
        ("inspect, wrong password", &wrong, vec!["inspect", &src], 1),
        (
            "create, wrong password",
            &wrong,
            vec!["create", "--amend", &list, &src],
            1,
        ),
        ("push, wrong password", &wrong, vec!["push", &list], 1),
        // alice pushed these very bytes already: nothing is written, so pull is enough (a
        // refused write is token_auth_secrets_never_printed's case).
        ("push as reader", &reader, vec!["push", &list], 0),
        ("rm", &good, vec!["rm", &list], 0),
        ("rm missing", &good, vec!["rm", &list], 1),
    ];
    for (what, cfg, args, want) in &cases {
        // The other configs get alice's local lists, so their pushes reach the registry.
        if *cfg != good.as_path() {
            copy_dir(&good.join("manifests"), &cfg.join("manifests"));
        }
        let run = cli(cfg, home.path(), args);
        eprintln!("{:?} {what}: exit {:?}", r.flavour, run.code);
        assert_eq!(
            run.code,
            Some(*want),
            "{what}: unexpected exit {:?}\n{}",
            run.code,
            run.out
        );
        assert_clean(&format!("{:?} {what}", r.flavour), &run.out);
        if *what == "inspect, wrong password" {
            assert!(
                run.out.contains("alice") && run.out.contains("docker login"),
                "the error names the account and the fix:\n{}",
                run.out
            );
        }
    }
    cases.len()
}

#[test]
fn basic_auth_secrets_never_printed() {
    let r = TestRegistry::basic();
    let n = every_command_is_clean(&r);
    eprintln!("basic: {n} commands clean");
}

#[test]
fn token_auth_secrets_never_printed() {
    let r = TestRegistry::token();
    let n = every_command_is_clean(&r);
    // The reader's push was denied with a clear message, and still leaked nothing.
    let home = tempfile::tempdir().expect("home");
    let good = r.docker_config();
    let list = r.reference("team/denied:v1");
    let src = r.reference(&format!("{}:v1", samples::LIST_REPO));
    assert_eq!(
        cli(&good, home.path(), &["create", &list, &src]).code,
        Some(0)
    );
    let reader = r.docker_config_for(READER, READER_PASSWORD);
    copy_dir(&good.join("manifests"), &reader.join("manifests"));
    let run = cli(&reader, home.path(), &["push", &list]);
    assert_clean("token push as reader", &run.out);
    common::assert_error_exit(run.code, format!("the reader may not push:\n{}", run.out));
    assert!(
        run.out.contains("push access to team/denied") && run.out.contains("user reader"),
        "the refusal says what is missing and for whom:\n{}",
        run.out
    );
    assert!(!run.out.contains(".."), "{}", run.out);
    eprintln!("token: {n} commands clean; reader push: {}", run.out);
    assert!(r.issuer_requests() > 0, "the token flow was exercised");
}

/// The client's most verbose output (the per-request trace) and its errors' Debug, through
/// a successful and a refused token flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_and_error_debug_hold_no_secret() {
    let r = TestRegistry::token();
    r.seed_async().await;
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    for (cfg, expect_ok) in [
        (r.docker_config(), true),
        (config_for(&r, ALICE, WRONG_PASSWORD).keep(), false),
    ] {
        let c = Client::new(ClientOptions {
            docker_config: Some(cfg),
            certs_dirs: Some(Vec::new()),
            ..Default::default()
        })
        .expect("client");
        let l2 = lines.clone();
        c.set_trace(Some(Arc::new(move |s: &str| {
            if let Ok(mut v) = l2.lock() {
                v.push(s.to_string());
            }
        })));
        let rf =
            Reference::parse(&r.reference(&format!("{}:v1", samples::LIST_REPO))).expect("ref");
        let res = c.get_manifest(&rf).await;
        assert_eq!(res.is_ok(), expect_ok);
        if let Err(e) = res {
            assert_clean("error Display", &e.to_string());
            assert_clean("error Debug", &format!("{e:?}"));
        }
        let target = Repo::of(&Reference::parse(&r.reference("team/x:v1")).expect("ref"));
        if let Err(e) = c
            .put_manifest(&target, "v1", "application/json", b"{}")
            .await
        {
            assert_clean("error Debug", &format!("{e:?} {e}"));
        }
    }
    let all = lines.lock().map(|v| v.join("\n")).unwrap_or_default();
    assert!(all.lines().count() > 5, "trace was empty:\n{all}");
    assert_clean("trace", &all);
}

/// Credentials configured for a registry that speaks plain HTTP but is not insecure-allowed:
/// the request fails with the plain-HTTP message and no request carries Authorization.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_authorization_over_plain_http_unless_insecure_allowed() {
    let r = TestRegistry::basic();
    let p = FaultProxy::start(&r.host);
    let cfg = tempfile::tempdir().expect("config");
    let auths = serde_json::json!({"auths": {
        p.host.clone(): {"auth": STANDARD.encode(format!("{ALICE}:{ALICE_PASSWORD}"))}
    }});
    std::fs::write(cfg.path().join("config.json"), auths.to_string()).expect("config.json");
    let rf = Reference::parse(&format!("{}/{}:v1", p.host, samples::LIST_REPO)).expect("ref");
    let strict = Client::new(ClientOptions {
        docker_config: Some(cfg.path().to_path_buf()),
        certs_dirs: Some(Vec::new()),
        loopback_insecure: false,
        ..Default::default()
    })
    .expect("client");
    let e = strict.get_manifest(&rf).await.expect_err("refused");
    let s = e.to_string();
    assert!(
        s.contains("speaks plain HTTP") && s.contains("--insecure"),
        "{s}"
    );
    assert_clean("plain-http error", &s);
    let push = strict
        .put_manifest(&Repo::of(&rf), "x", "application/json", b"{}")
        .await
        .expect_err("refused");
    assert!(push.to_string().contains("plain HTTP"), "{push}");
    let seen = p.seen();
    assert!(!seen.is_empty(), "the client never reached the proxy");
    assert!(
        seen.iter().all(|s| !s.authorization),
        "Authorization sent over plain HTTP: {seen:?}"
    );
    assert!(
        seen.iter()
            .all(|s| s.method.is_empty() || s.target == "/v2/"),
        "only the probe may be sent: {seen:?}"
    );

    // Sanity: the proxy does see Authorization once the registry is allowed to be insecure.
    let allowed = Client::new(ClientOptions {
        docker_config: Some(cfg.path().to_path_buf()),
        certs_dirs: Some(Vec::new()),
        insecure: vec![p.host.clone()],
        loopback_insecure: false,
        ..Default::default()
    })
    .expect("client");
    r.seed_async().await;
    allowed.get_manifest(&rf).await.expect("allowed insecure");
    assert!(p.seen().iter().any(|s| s.authorization));
}

/// A `DOCKER_CONFIG` dir of our own holding `user:password` for the registry (the harness
/// names its dirs by user, so alice's good and wrong configs would share one).
fn config_for(r: &TestRegistry, user: &str, password: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("config dir");
    let cfg = serde_json::json!({"auths": {
        r.host.clone(): {"auth": STANDARD.encode(format!("{user}:{password}"))}
    }});
    std::fs::write(d.path().join("config.json"), cfg.to_string()).expect("config.json");
    d
}

/// Copy a directory tree (the local store) over another.
fn copy_dir(from: &Path, to: &Path) {
    let Ok(rd) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).expect("mkdir");
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

fn scopes_of(r: &TestRegistry) -> Vec<String> {
    let v = r.issuer_scopes();
    r.issuer().reset_stats();
    v
}

/// Tokens are requested with the least scope: inspect asks only pull on the repository;
/// push asks pull,push on the target and pull on the source repository, nothing more.
#[test]
fn tokens_are_requested_with_the_least_scope() {
    let r = TestRegistry::token();
    r.seed();
    let home = tempfile::tempdir().expect("home");
    let cfg = r.docker_config();
    let src = r.reference(&format!("{}:v1", samples::LIST_REPO));
    let single = r.reference(&format!("{}:v1", samples::image_repo("linux/amd64", false)));
    let list = r.reference("team/app:v1");
    r.issuer().reset_stats();

    // Exactly pull on the inspected repository: not a neighbour such as samples/app-other
    // (a name-prefix check would accept it), not push.
    let list_pull = format!("repository:{}:pull", samples::LIST_REPO);
    let image_pull = format!(
        "repository:{}:pull",
        samples::image_repo("linux/amd64", false)
    );
    for (args, want) in [
        (vec!["inspect", src.as_str()], &list_pull),
        (vec!["inspect", "-v", src.as_str()], &list_pull),
        (vec!["inspect", single.as_str()], &image_pull),
    ] {
        assert_eq!(cli(&cfg, home.path(), &args).code, Some(0), "{args:?}");
        let scopes = scopes_of(&r);
        assert!(!scopes.is_empty(), "{args:?}: no token asked");
        for s in &scopes {
            assert_eq!(s, want, "{args:?} asked {s}: {scopes:?}");
        }
    }

    assert_eq!(
        cli(&cfg, home.path(), &["create", &list, &src]).code,
        Some(0)
    );
    let scopes = scopes_of(&r);
    assert!(
        !scopes.is_empty() && scopes.iter().all(|s| s == "repository:samples/app:pull"),
        "create: {scopes:?}"
    );

    let run = cli(&cfg, home.path(), &["push", &list]);
    assert_eq!(run.code, Some(0), "{}", run.out);
    let scopes = scopes_of(&r);
    let allowed = [
        "repository:team/app:pull",
        "repository:team/app:pull,push",
        "repository:samples/app:pull",
    ];
    for s in &scopes {
        assert!(allowed.contains(&s.as_str()), "push asked {s}: {scopes:?}");
    }
    assert!(
        scopes.iter().any(|s| s == "repository:team/app:pull,push"),
        "{scopes:?}"
    );
    assert!(
        scopes.iter().any(|s| s == "repository:samples/app:pull"),
        "the mount's source pull: {scopes:?}"
    );
    eprintln!("push scopes: {scopes:?}");
}
