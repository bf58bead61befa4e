//! End to end, keyboard only: the binary in a pseudo-terminal (screen parsed by vt100) against
//! a real seeded registry builds a list from the six sample images, sets one entry's variant
//! and os.features in the annotation form, and pushes it; skopeo then reads the pushed list.
//! A second run makes the push fail midway (a fault proxy refuses the list's tag after the
//! children are up) and checks that the error is on screen, the local list intact, and that
//! retrying completes the push.

mod common;

use common::faultproxy::{Action, FaultProxy};
use common::pty::{isolated_env, Tui};
use manifest_tui::reference::Reference;
use manifest_tui::store::Store;
use mt_testkit::samples;
use std::path::Path;

const ROWS: u16 = 40;
const COLS: u16 = 200;

fn six_refs(host: &str) -> Vec<String> {
    samples::PLATFORMS
        .iter()
        .map(|p| format!("{host}/{}:v1", samples::image_repo(p, false)))
        .collect()
}

/// Start the TUI on the registry and wait for its catalog.
fn start(host: &str, docker_config: &Path, home: &Path) -> Tui {
    let tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &["--registry", host],
        isolated_env(home, docker_config),
        ROWS,
        COLS,
    );
    tui.wait_for("the catalog", |s| s.contains("samples/app-linux-amd64"));
    tui
}

/// Start the TUI on the registry and build `target` from `refs` with the keyboard.
fn build_list(host: &str, docker_config: &Path, home: &Path, target: &str, refs: &[String]) -> Tui {
    let mut tui = start(host, docker_config, home);
    tui.build_list(target, refs);
    tui
}

#[test]
fn build_annotate_and_push_a_list_with_the_keyboard_only() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    let target = format!("{}/e2e/app:v1", reg.host);
    let mut tui = build_list(
        &reg.host,
        &docker_config,
        home.path(),
        &target,
        &six_refs(&reg.host),
    );

    // The first entry (store order) is linux/amd64: annotate it.
    let screen = tui.contents();
    assert!(screen.contains("linux/amd64"), "{screen}");
    tui.keys("\r");
    tui.wait_for("the form", |s| s.contains("Annotate linux/amd64"));
    // Ctrl-N twice: variant. A wrong value first: the form marks it with suggestions.
    tui.keys("\x0e\x0e");
    tui.keys("v9");
    tui.wait_for("the validation error", |s| {
        s.contains("not a known variant of amd64") && s.contains("did you mean")
    });
    tui.keys("\x7f\x7f"); // backspace twice
                          // Tab cycles the known variants: v1, then v2.
    tui.keys("\t\t");
    tui.wait_for("the completion", |s| s.contains("variant     : v2"));
    // Ctrl-N twice: os.features, pasted.
    tui.keys("\x0e\x0e");
    tui.paste("sse4");
    tui.wait_for("the unsaved mark", |s| {
        s.contains("[unsaved]") && s.contains("sse4")
    });
    tui.keys("\r");
    tui.wait_for("the saved entry", |s| {
        s.contains("linux/amd64/v2 +sse4") && !s.contains("Annotate linux")
    });

    // The store has it (the form saved through ops::annotate).
    let store = Store::open(Some(&docker_config));
    let list = Reference::parse(&target).expect("target");
    let d = store.load(&list).expect("the local list");
    let p = d.entries[0].platform();
    assert_eq!(
        (p.variant.as_str(), p.os_features.clone()),
        ("v2", vec!["sse4".to_string()])
    );

    // Push and wait for the digest.
    tui.keys("p");
    let screen = tui.wait_for("the pushed list", |s| {
        s.contains("✓ pushed") && s.contains("digest sha256:")
    });
    let digest_line = screen
        .lines()
        .find(|l| l.contains("digest sha256:"))
        .expect("digest line");
    assert!(digest_line.contains("(y copies)"), "{digest_line}");
    tui.keys("q");

    // An independent peer reads what was pushed.
    let raw = common::skopeo_inspect_raw(&target, &[]);
    let v: serde_json::Value = serde_json::from_slice(&raw).expect("list JSON");
    assert_eq!(
        v["mediaType"],
        "application/vnd.docker.distribution.manifest.list.v2+json"
    );
    let ms = v["manifests"].as_array().expect("manifests");
    assert_eq!(ms.len(), 6);
    let mut annotated = 0;
    for m in ms {
        let p = &m["platform"];
        if p["os"] == "linux" && p["architecture"] == "amd64" {
            annotated += 1;
            assert_eq!(p["variant"], "v2", "{p}");
            assert_eq!(p["os.features"], serde_json::json!(["sse4"]), "{p}");
        } else {
            assert!(p.get("os.features").is_none(), "{p}");
        }
    }
    assert_eq!(annotated, 1);
    let digest = digest_line
        .split("digest ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("digest on screen");
    let listed = manifest_tui::digest::Digest::sha256(&raw);
    assert_eq!(digest, listed.as_str());
}

#[test]
fn a_push_failing_midway_shows_the_error_keeps_the_draft_and_retries() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    // The TUI talks to the registry through a fault proxy that refuses the list's own tag:
    // the six children go up, then the last step of the push fails.
    let proxy = FaultProxy::start(&reg.host);
    let list_put = "/v2/e2e/down/manifests/v1";
    proxy.rule("PUT", list_put, Action::Status(500), None);
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    let target = format!("{}/e2e/down:v1", proxy.host);
    let refs = six_refs(&proxy.host);
    let mut tui = build_list(&proxy.host, &docker_config, home.path(), &target, &refs);

    tui.keys("p");
    let screen = tui.wait_for("the failure", |s| s.contains("✗ push failed"));
    assert!(screen.contains("r retries"), "{screen}");
    assert!(
        screen.contains("500"),
        "the registry's answer is shown:\n{screen}"
    );
    assert!(
        proxy.count("PUT", "/v2/e2e/down/manifests/sha256:") >= 6,
        "the children were pushed before the list failed"
    );

    // The draft is untouched.
    let store = Store::open(Some(&docker_config));
    let list = Reference::parse(&target).expect("target");
    let d = store.load(&list).expect("the local list is still there");
    assert_eq!(d.entries.len(), 6);

    // The registry recovers; r pushes again and completes.
    proxy.clear();
    tui.keys("r");
    let screen = tui.wait_for("the retried push", |s| s.contains("digest sha256:"));
    let digest = screen
        .lines()
        .find_map(|l| l.split("digest ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .expect("digest on screen")
        .to_string();
    tui.keys("q");

    // skopeo, straight at the registry, finds the list under that digest.
    let raw = common::skopeo_inspect_raw(&format!("{}/e2e/down:v1", reg.host), &[]);
    assert_eq!(manifest_tui::digest::Digest::sha256(&raw).as_str(), digest);
}

/// Digest shown after `digest ` on the push pane.
fn digest_on(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| l.split("digest ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .expect("digest on screen")
        .to_string()
}

#[test]
fn a_list_with_a_dashed_tag_is_shown_and_pushed_under_exactly_that_tag() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    // docker's directory name for it, `…_rc_app-v1-rc`, reads as `rc/app-v1:rc` too.
    let target = format!("{}/rc/app:v1-rc", reg.host);
    let refs = six_refs(&reg.host);
    let mut tui = build_list(&reg.host, &docker_config, home.path(), &target, &refs[..2]);
    let screen = tui.contents();
    assert!(screen.contains(&format!(" {target} ")), "{screen}");
    assert!(!screen.contains("app-v1"), "{screen}");
    tui.keys("p");
    let screen = tui.wait_for("the pushed list", |s| s.contains("digest sha256:"));
    assert!(
        screen.contains(&target),
        "the push pane names the target:\n{screen}"
    );
    let digest = digest_on(&screen);
    tui.keys("q");
    let raw = common::skopeo_inspect_raw(&target, &[]);
    assert_eq!(manifest_tui::digest::Digest::sha256(&raw).as_str(), digest);
}

#[test]
fn a_docker_made_list_with_a_dashed_tag_is_ambiguous_until_its_target_is_chosen() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    let target = format!("{}/rc/dk:v1-rc", reg.host);
    let other = format!("{}/rc/dk-v1:rc", reg.host);
    let refs = six_refs(&reg.host);
    // The real docker CLI writes the list (no engine needed for `manifest create`).
    let o = common::cli::tool("docker")
        .args([
            "manifest",
            "create",
            "--insecure",
            &target,
            &refs[0],
            &refs[1],
        ])
        .env("DOCKER_CONFIG", &docker_config)
        .output()
        .expect("run docker");
    assert!(o.status.success(), "docker manifest create: {o:?}");

    // `ls` shows every reading and says how to settle it.
    let o = common::cli::command(&docker_config)
        .arg("ls")
        .output()
        .expect("run ls");
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "ls: {out}{err}");
    // `-` is `:` or `-`, and `_` is `/` or `_`: four readings, the likeliest first.
    let rc_ = format!("{}/rc_dk", reg.host);
    let readings = format!("{other} or {rc_}-v1:rc or {target} or {rc_}:v1-rc");
    assert!(out.contains(&readings), "{out}");
    assert!(
        err.contains("name is ambiguous") && err.contains("manifest-tui push NAME"),
        "{err}"
    );

    let mut tui = start(&reg.host, &docker_config, home.path());
    tui.keys("3");
    let screen = tui.wait_for("the editor", |s| s.contains("Local lists (1)"));
    assert!(
        screen.contains(&format!(" {other} or {rc_}-v1:rc or")),
        "{screen}"
    );
    // p refuses, naming the way out; nothing reaches the registry.
    tui.keys("p");
    tui.wait_for("the refusal", |s| {
        s.contains("cannot push") && s.contains("name is ambiguous")
    });
    tui.keys("\r");
    tui.wait_for("the dismissed notice", |s| !s.contains("cannot push"));
    // r, Tab to the second reading (sorted: `dk-v1:rc`, then `dk:v1-rc`), Enter.
    tui.keys("r");
    tui.wait_for("the target prompt", |s| {
        s.contains("Tab offers each reading")
    });
    tui.keys("\t\t\r");
    tui.wait_for("the chosen target", |s| {
        s.contains(&format!(" {target} ")) && !s.contains(" or ")
    });
    tui.keys("p");
    let screen = tui.wait_for("the pushed list", |s| s.contains("digest sha256:"));
    let digest = digest_on(&screen);
    tui.keys("q");
    let raw = common::skopeo_inspect_raw(&target, &[]);
    assert_eq!(manifest_tui::digest::Digest::sha256(&raw).as_str(), digest);

    // docker still reads its list, under the name now recorded.
    let o = common::cli::tool("docker")
        .args(["manifest", "inspect", &target])
        .env("DOCKER_CONFIG", &docker_config)
        .output()
        .expect("run docker");
    assert!(o.status.success(), "docker manifest inspect: {o:?}");
}
