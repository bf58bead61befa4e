//! Listing tags and repositories through a registry that pages as Quay does (opaque
//! `next_page` tokens in a `Link`, 50 a page whatever `n` asks), with the real registry
//! behind the proxy: the registry client, the `tags` and `catalog` commands, skopeo as the
//! peer, and the TUI filling in a long tag list page by page.

mod common;

use common::faultproxy::{quay_paging, Action, FaultProxy, Gate, LinkStyle};
use common::pty::{isolated_env, Tui};
use common::{assert_error_exit, TestRegistry};
use manifest_tui::reference::Reference;
use manifest_tui::registry::{Client, ClientOptions, Repo, PAGE_SIZE};
use std::path::Path;
use std::sync::Arc;

const BIN: &str = env!("CARGO_BIN_EXE_manifest-tui");
const REPO: &str = "many/app";
/// Three pages of 50, the last one short.
const TAGS: usize = 120;

/// A registry whose `many/app` has [`TAGS`] tags (`t-000`, `t-001`, …); the tags in the
/// registry's own order (Distribution lists them in one page, unsorted).
fn registry_with_many_tags() -> (TestRegistry, Vec<String>) {
    let reg = TestRegistry::plain();
    let made: Vec<String> = (0..TAGS).map(|i| format!("t-{i:03}")).collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listed = rt.block_on(async {
        mt_testkit::samples::Seeder::new(&reg.url, None)
            .expect("seeder")
            .tag_many(REPO, &made)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let direct = Repo {
            domain: reg.host.clone(),
            path: REPO.into(),
        };
        let (tags, next) = client()
            .tags_page(&direct, PAGE_SIZE, None)
            .await
            .expect("the registry's own listing");
        assert_eq!(next, None, "Distribution lists every tag in one page");
        tags
    });
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, made);
    (reg, listed)
}

fn client() -> Client {
    Client::new(ClientOptions {
        insecure_all: true,
        ..common::client_options(&common::empty_docker_config())
    })
    .expect("client")
}

fn quay(reg: &TestRegistry, per_page: usize, style: LinkStyle) -> FaultProxy {
    let p = FaultProxy::start(&reg.host);
    for path in ["/tags/list", "/_catalog"] {
        p.rule("GET", path, quay_paging(&reg.host, per_page, style), None);
    }
    p
}

struct Run {
    code: Option<i32>,
    out: String,
    err: String,
}

fn mt(args: &[&str]) -> Run {
    let config = tempfile::tempdir().expect("tempdir");
    std::fs::write(config.path().join("config.json"), r#"{"auths":{}}"#).expect("config");
    let o = common::cli::command(config.path())
        .args(args)
        .output()
        .expect("run manifest-tui");
    Run {
        code: o.status.code(),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn ok(r: Run, what: &str) -> Run {
    assert_eq!(
        r.code,
        Some(0),
        "{what}:\nstdout: {}\nstderr: {}",
        r.out,
        r.err
    );
    r
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

/// The proxy's listing requests: the first asks `n=1000`; every later one is a Link the
/// proxy handed out, token and all, never a `last=` the client made up.
fn assert_followed_links(p: &FaultProxy, path: &str, pages: usize) {
    let asked: Vec<String> = p
        .seen()
        .into_iter()
        .filter(|s| s.method == "GET" && s.target.contains(path))
        .map(|s| s.target)
        .collect();
    assert_eq!(asked.len(), pages, "{asked:#?}");
    assert!(asked[0].ends_with(&format!("?n={PAGE_SIZE}")), "{asked:#?}");
    for a in &asked[1..] {
        assert!(a.contains("?n=50&next_page=gAAAAB"), "{asked:#?}");
        assert!(
            a.ends_with("%2B%3D%3D") && !a.contains("last="),
            "{asked:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_follows_opaque_relative_and_absolute_links() {
    let (reg, tags) = tokio::task::spawn_blocking(registry_with_many_tags)
        .await
        .expect("seed");
    let c = client();
    for style in [LinkStyle::Relative, LinkStyle::Absolute] {
        let p = quay(&reg, 50, style);
        let repo = Repo::of(&Reference::parse(&format!("{}/{REPO}", p.host)).expect("ref"));
        let got = c.list_tags(&repo, PAGE_SIZE).await.expect("list_tags");
        assert_eq!(got, tags, "{style:?}");
        assert_followed_links(&p, "/tags/list", 3);
        // The page a Link names comes back with the link to the page after it.
        let (first, next) = c.tags_page(&repo, PAGE_SIZE, None).await.expect("page 1");
        assert_eq!(first, tags[..50]);
        let next = next.expect("a second page");
        let (second, _) = c
            .tags_page(&repo, PAGE_SIZE, Some(&next))
            .await
            .expect("page 2");
        assert_eq!(second, tags[50..100]);
    }
    // The catalog pages the same way (14 repositories, 5 a page).
    let p = quay(&reg, 5, LinkStyle::Relative);
    let direct = c.list_catalog(&reg.host, PAGE_SIZE).await.expect("direct");
    assert_eq!(direct, vec![REPO.to_string()]);
    let got = c.list_catalog(&p.host, PAGE_SIZE).await.expect("catalog");
    assert_eq!(got, direct);
}

#[test]
fn tags_and_catalog_commands_follow_every_page() {
    let (reg, tags) = registry_with_many_tags();
    reg.seed();
    for style in [LinkStyle::Relative, LinkStyle::Absolute] {
        let p = quay(&reg, 50, style);
        let repo = format!("{}/{REPO}", p.host);
        let r = ok(mt(&["tags", "--insecure", &repo]), "tags");
        assert_eq!(lines(&r.out), tags, "{style:?}");
        assert_followed_links(&p, "/tags/list", 3);

        let r = ok(
            mt(&["tags", "--insecure", "--format", "json", &repo]),
            "json",
        );
        let v: serde_json::Value = serde_json::from_str(&r.out).expect("json");
        assert_eq!(v, serde_json::json!({"name": REPO, "tags": tags}));

        // skopeo reads the same tags through the same proxy.
        let o = common::cli::tool("skopeo")
            .args(["list-tags", "--tls-verify=false"])
            .arg(format!("docker://{repo}"))
            .output()
            .expect("skopeo must be installed (scripts/install-test-deps.sh)");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("skopeo json");
        assert_eq!(
            v["Tags"],
            serde_json::json!(tags),
            "skopeo through {style:?}"
        );
    }

    // The catalog: 14 repositories, 4 a page.
    let mut want = mt_testkit::samples::repositories();
    want.push(REPO.into());
    want.sort();
    let p = quay(&reg, 4, LinkStyle::Relative);
    let r = ok(mt(&["catalog", "--insecure", &p.host]), "catalog");
    assert_eq!(lines(&r.out), want);
    assert_eq!(p.count("GET", "/_catalog"), 4);
    let r = ok(
        mt(&["catalog", "--insecure", "--format", "json", &p.host]),
        "catalog json",
    );
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("json");
    assert_eq!(v, serde_json::json!({ "repositories": want }));
}

#[test]
fn listing_errors_say_what_failed_and_exit_1() {
    let reg = TestRegistry::plain();
    reg.seed();
    // A repository that does not exist.
    let r = mt(&["tags", "--insecure", &format!("{}/no/such", reg.host)]);
    assert_error_exit(r.code, "tags of a missing repository");
    assert!(r.out.is_empty(), "{}", r.out);
    assert!(
        r.err
            .contains(&format!("listing the tags of {}/no/such", reg.host)),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("NAME_UNKNOWN") || r.err.contains("not found"),
        "{}",
        r.err
    );
    // An image rather than a repository.
    let r = mt(&[
        "tags",
        "--insecure",
        &format!("{}/samples/app:v1", reg.host),
    ]);
    assert_error_exit(r.code, "tags of a tag");
    assert!(
        r.err.contains("without :tag or @digest")
            && r.err
                .contains(&format!("manifest-tui tags {}/samples/app", reg.host)),
        "{}",
        r.err
    );
    // Not a registry host.
    let r = mt(&["catalog", "not a host"]);
    assert_error_exit(r.code, "catalog of a bad host");
    assert!(r.err.contains("is not a registry host"), "{}", r.err);
    // A registry that refuses its catalog: the error says what to do instead.
    let p = FaultProxy::start(&reg.host);
    p.rule("GET", "/_catalog", Action::Status(404), None);
    let r = mt(&["catalog", "--insecure", &p.host]);
    assert_error_exit(r.code, "a refused catalog");
    assert!(
        r.err.contains("offer no catalog")
            && r.err
                .contains(&format!("manifest-tui tags {}/REPO", p.host)),
        "{}",
        r.err
    );
    // A page that is not a listing.
    p.clear();
    p.rule(
        "GET",
        "/tags/list",
        Action::serve(200, "application/json", b"[1,2".to_vec()),
        None,
    );
    let r = mt(&["tags", "--insecure", &format!("{}/samples/app", p.host)]);
    assert_error_exit(r.code, "a malformed page");
    assert!(r.err.contains("malformed listing"), "{}", r.err);
}

/// The TUI at a repository whose later pages are slow: the first page's tags show at once
/// with a counter, the rest fill in when the pages arrive.
#[test]
fn the_tui_shows_the_first_page_then_fills_in() {
    let (reg, tags) = registry_with_many_tags();
    let p = FaultProxy::start(&reg.host);
    let Action::Respond(pages) = quay_paging(&reg.host, 50, LinkStyle::Relative) else {
        unreachable!("quay_paging responds")
    };
    // The later pages wait at a gate until the test has seen the first one.
    let gate = Gate::new();
    let held = gate.clone();
    p.rule(
        "GET",
        "/tags/list",
        Action::Respond(Arc::new(move |req| {
            if req.target.contains("next_page=") {
                held.wait();
            }
            pages(req)
        })),
        None,
    );
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = reg.docker_config();
    let tui = Tui::spawn(
        Path::new(BIN),
        &["--insecure", &format!("{}/{REPO}", p.host)],
        isolated_env(home.path(), &docker_config),
        30,
        120,
    );
    let screen = tui.wait_for("the first page with a counter", |s| {
        s.contains(&tags[0]) && s.contains("loading tags… 50 so far")
    });
    assert!(!screen.contains("120 tags"), "{screen}");
    gate.open();
    tui.wait_for("every page", |s| s.contains("120 tags"));
    assert_eq!(p.count("GET", "/tags/list"), 3);
}

/// The worker, with the real client, through Quay-style pages: every request's replies end
/// with exactly one marked `last` (the final page; an inspection's referrers after its
/// content; a failure), and the replies before it are not.
#[test]
fn the_worker_marks_the_last_reply_of_each_request() {
    use manifest_tui::tui::worker::{
        Command, Reply, RequestId, Slot, ToWorker, Worker, WorkerEvent, WorkerOptions,
    };
    let (reg, _) = registry_with_many_tags();
    let p = quay(&reg, 50, LinkStyle::Relative);
    let dir = tempfile::tempdir().expect("tmp");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // Every reply of request `id`, up to and including the one marked last (or a timeout:
    // a request left without a last reply).
    async fn replies(
        w: &mut Worker,
        id: RequestId,
        slot: Slot,
        command: Command,
    ) -> Vec<WorkerEvent> {
        assert!(w.send(ToWorker::Run { id, slot, command }));
        let mut got = Vec::new();
        loop {
            let ev = tokio::time::timeout(std::time::Duration::from_secs(120), w.events.recv())
                .await
                .expect("a last reply")
                .expect("the worker runs");
            assert_eq!(ev.id, id);
            if matches!(ev.reply, Reply::RateLimits(_)) {
                continue;
            }
            let last = ev.last;
            got.push(ev);
            if last {
                return got;
            }
        }
    }
    rt.block_on(async {
        let mut w = Worker::spawn(WorkerOptions {
            client: ClientOptions {
                insecure_all: true,
                ..common::client_options(&common::empty_docker_config())
            },
            docker_config: Some(dir.path().to_path_buf()),
            history_file: None,
            recent_file: None,
        });
        let repo = Repo {
            domain: p.host.clone(),
            path: REPO.into(),
        };
        let tags = replies(
            &mut w,
            RequestId(1),
            Slot::Tags,
            Command::Tags {
                repo,
                page_size: 50,
            },
        )
        .await;
        let shape: Vec<(usize, bool, bool)> = tags
            .iter()
            .map(|e| match &e.reply {
                Reply::TagsPage { tags, done } => (tags.len(), *done, e.last),
                other => panic!("not a page: {other:?}"),
            })
            .collect();
        assert_eq!(
            shape,
            [(50, false, false), (50, false, false), (20, true, true)]
        );

        reg.seed();
        let reference = Reference::parse(&format!("{}/samples/app:v1", reg.host)).expect("ref");
        let ins = replies(
            &mut w,
            RequestId(2),
            Slot::Content,
            Command::Inspect { reference },
        )
        .await;
        let kinds: Vec<(&str, bool)> = ins
            .iter()
            .map(|e| match &e.reply {
                Reply::Inspected(_) => ("inspected", e.last),
                Reply::Referrers(_) => ("referrers", e.last),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(kinds, [("inspected", false), ("referrers", true)]);
        // A failure is the request's last reply too.
        let missing = Reference::parse(&format!("{}/no/such:tag", reg.host)).expect("ref");
        let failed = replies(
            &mut w,
            RequestId(3),
            Slot::Content,
            Command::Inspect { reference: missing },
        )
        .await;
        assert!(matches!(&failed[..], [e] if matches!(e.reply, Reply::Failed(_)) && e.last));
        // A command without the network: one reply, the last.
        let r = replies(&mut w, RequestId(4), Slot::Drafts, Command::ListDrafts).await;
        assert!(
            matches!(&r[..], [e] if e.last && matches!(e.reply, Reply::Drafts { .. })),
            "{r:?}"
        );
    });
}
