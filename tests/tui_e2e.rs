//! End to end: the binary in a pseudo-terminal (screen parsed by vt100) against a real seeded
//! registry. Catalog → samples/app → v1 shows the six platforms and their digests; marking v1
//! and v2 shows arm64 and s390x as changed.

mod common;

use common::pty::{isolated_env, line_with, Tui};
use common::skopeo_inspect_raw;
use manifest_tui::digest::Digest;
use mt_testkit::samples;
use std::path::Path;
use std::time::Duration;

const ROWS: u16 = 40;
const COLS: u16 = 200;

#[test]
fn browse_to_the_list_then_compare_two_releases() {
    let reg = common::TestRegistry::plain();
    let seeded = reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = reg.docker_config();
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &["--registry", &reg.host],
        isolated_env(home.path(), &docker_config),
        ROWS,
        COLS,
    );

    // The catalog, filtered as we type.
    tui.wait_for("the catalog", |s| s.contains("samples/app-linux-amd64"));
    tui.keys("/samples/app\r");
    tui.wait_for("the filter", |s| s.contains("filter: samples/app"));
    tui.keys("\r");
    tui.wait_for("the tags", |s| {
        s.contains("samples/app ─") && s.contains("v2-oci") && s.contains("4 tags")
    });

    // v1: the six platforms with their digests.
    tui.keys("\r");
    let screen = tui.wait_for("the list", |s| s.contains("list: 6 entries"));
    let list = samples::list("v1", false);
    assert_eq!(seeded.digest_of("samples/app:v1"), Some(&list.digest));
    assert!(
        screen.contains(list.digest.as_str()),
        "the list's digest is shown:\n{screen}"
    );
    for child in &list.children {
        let label = child.platform.display();
        let line = line_with(&screen, &format!("{label} "));
        assert!(line.contains(child.digest.as_str()), "{label}: {line}");
    }

    // Compare v1 (A) with v2 (B).
    tui.keys("\x1b");
    tui.wait_for("back at the tags", |s| s.contains("4 tags"));
    tui.keys("a");
    tui.wait_for("side A marked", |s| s.contains("now mark the other side"));
    // Filter the tags down to v2 (the cursor lands on the first match), then mark B.
    tui.keys("/v2\r");
    tui.wait_for("the tag filter", |s| s.contains("2 of 4 tags"));
    tui.keys("b");
    let screen = tui.wait_for("the comparison", |s| s.contains("2 layers changed"));
    assert!(
        screen.contains("4 identical · 2 layers changed · 0 only in A · 0 only in B"),
        "{screen}"
    );
    let v2 = samples::list("v2", false);
    for (a, b) in list.children.iter().zip(&v2.children) {
        let label = a.platform.display();
        let line = line_with(&screen, &format!(" {label} "));
        let changed = samples::CHANGED_IN_V2
            .contains(&samples::platform_slug(&label).replace('-', "/").as_str())
            || samples::CHANGED_IN_V2
                .iter()
                .any(|p| samples::platform(p) == a.platform);
        if changed {
            assert!(
                line.contains("layers changed") && line.contains("1 of 1 layers"),
                "{label} should be changed: {line}"
            );
            assert!(
                line.contains(&a.digest.short()) && line.contains(&b.digest.short()),
                "{line}"
            );
        } else {
            assert!(
                line.contains("identical"),
                "{label} should be identical: {line}"
            );
        }
    }
    let arm64 = line_with(&screen, "linux/arm64/v8");
    let s390x = line_with(&screen, "linux/s390x");
    assert!(arm64.contains("changed") && s390x.contains("changed"));

    // Enter on arm64 (the third row, after arm/v7): why it changed, layer by layer; Esc back.
    tui.keys("jj\r");
    let screen = tui.wait_for("the platform's diff", |s| s.contains("a host with A pulls"));
    let v2_arm64 = &v2.children[1];
    let layer = |img: &samples::SampleImage| img.blobs[1].0.short();
    let row = line_with(&screen, "rebuilt");
    assert!(
        row.contains(&layer(&list.children[1])) && row.contains(&layer(v2_arm64)),
        "the layer rebuilt, both digests side by side: {row}\n{screen}"
    );
    assert!(row.contains("manifest-tui samples: hello.txt"), "{row}");
    assert!(
        screen.contains("labels"),
        "the changed label is named:\n{screen}"
    );
    assert!(
        screen.contains(&format!("+ {}=v2", samples::RELEASE_LABEL)),
        "{screen}"
    );
    tui.keys("\x1b");
    tui.wait_for("back at the table", |s| {
        s.contains("4 identical · 2 layers")
    });

    // q quits cleanly, restoring the terminal.
    tui.keys("q");
    assert_eq!(
        tui.wait_exit(Duration::from_secs(120)),
        Some(true),
        "the TUI quits with success"
    );
}

/// A registry that refuses its catalog (as Docker Hub and GHCR do): the browser says why and
/// asks for a repository; a repository opened there is offered on the next start.
#[test]
fn without_a_catalog_type_a_repository_and_find_it_among_the_recent_next_time() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    let p = common::faultproxy::FaultProxy::start(&reg.host);
    p.rule(
        "GET",
        "/v2/_catalog",
        common::faultproxy::Action::Respond(std::sync::Arc::new(|_| {
            common::faultproxy::error_response(401, "UNAUTHORIZED", "authentication required")
        })),
        None,
    );
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = reg.docker_config();
    let start = || {
        Tui::spawn(
            Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
            &["--registry", &p.host],
            isolated_env(home.path(), &docker_config),
            ROWS,
            COLS,
        )
    };
    let mut tui = start();
    let screen = tui.wait_for("the refusal", |s| {
        s.contains("does not list its repositories") && s.contains("repository:")
    });
    assert!(screen.contains(&p.host), "{screen}");
    tui.keys("samples/app\r");
    tui.wait_for("the tags", |s| s.contains("v2-oci") && s.contains("4 tags"));
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));
    let recent = home.path().join("state/manifest-tui/recent.json");
    let kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&recent).expect("recent.json written"))
            .expect("recent.json is JSON");
    assert_eq!(kept[&p.host], serde_json::json!(["samples/app"]), "{kept}");

    // Next time: the repository is offered, Enter opens it.
    let mut tui = start();
    let screen = tui.wait_for("the recent repositories", |s| {
        s.contains("Recently opened here") && s.contains("samples/app")
    });
    assert!(
        !screen.contains("repository: "),
        "no prompt forced:\n{screen}"
    );
    tui.keys("\r");
    tui.wait_for("the tags again", |s| s.contains("4 tags"));
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));
    assert!(p.count("GET", "/v2/_catalog") >= 2);
}

/// What is inside each platform: the list's rows fill in with size, layers and created after
/// the list shows; Enter on a platform shows its config, history and layers.
#[test]
fn a_lists_platform_details_fill_in_and_a_platform_opens_to_its_image() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = reg.docker_config();
    let w = samples::details::webapp();
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &[&format!("{}/{}", reg.host, w.reference())],
        isolated_env(home.path(), &docker_config),
        ROWS,
        COLS,
    );
    let created = |i: usize| {
        manifest_tui::image::ConfigFile::parse(&w.images[i].blobs[0].1)
            .unwrap()
            .created
            .unwrap()
    };
    let screen = tui.wait_for("the details", |s| {
        s.contains("list: 3 entries") && s.contains(&created(2))
    });
    for (i, img) in w.images.iter().enumerate() {
        let line = line_with(&screen, img.digest.as_str());
        let size: u64 = img.blobs.iter().map(|(_, b)| b.len() as u64).sum();
        let size = manifest_tui::tui::text::human_size(size as i64);
        assert!(line.contains(&size), "{size} in {line}");
        assert!(line.contains(&created(i)), "{line}");
        assert!(line.contains(" 3 "), "three layers: {line}");
    }

    // Open linux/arm64/v8.
    tui.keys("j\r");
    // Up to the layer the last row asserted below names: a frame may be read in parts.
    let screen = tui.wait_for("the image", |s| {
        s.contains("History") && s.contains("entrypoint") && s.contains("COPY webapp")
    });
    assert!(line_with(&screen, "entrypoint").contains("/usr/local/bin/webapp"));
    assert!(line_with(&screen, "user").contains("10001:10001"));
    assert!(line_with(&screen, "created").contains(&created(1)));
    assert!(
        line_with(&screen, "ARG VERSION").contains("empty"),
        "{screen}"
    );
    let copy = line_with(&screen, "COPY webapp");
    assert!(copy.contains("layer 2"), "{copy}");
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));
}

/// Copy from the browser to a second real registry: `c` on a tag, the destination typed,
/// every platform left checked: the push view ends with the source's digest and skopeo reads
/// exactly the source's bytes there. Then a copy with one platform unchecked: a new list of
/// five, its new digest shown, the same as skopeo's.
#[test]
fn copy_a_list_to_another_registry_from_the_browser() {
    let src = common::TestRegistry::plain();
    let seeded = src.seed();
    let dst = common::TestRegistry::plain();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = src.docker_config();
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &["--registry", &src.host],
        isolated_env(home.path(), &docker_config),
        ROWS,
        COLS,
    );
    let list = samples::list("v1", false);
    assert_eq!(seeded.digest_of("samples/app:v1"), Some(&list.digest));
    tui.wait_for("the catalog", |s| s.contains("samples/app-linux-amd64"));
    tui.keys("/samples/app\r");
    tui.wait_for("the filter", |s| s.contains("filter: samples/app"));
    tui.keys("\r");
    tui.wait_for("the tags", |s| s.contains("v2-oci") && s.contains("4 tags"));

    // The exact copy: v1 (the first tag), every platform.
    tui.keys("c");
    tui.wait_for("the copy prompt and the list", |s| {
        s.contains("copy to:") && s.contains("list: 6 entries")
    });
    tui.keys(&format!("{}/promoted/app:v1-rc\r", dst.host));
    tui.wait_for("the checklist", |s| {
        s.contains("Copy: platforms") && s.contains("[x] linux/s390x")
    });
    tui.keys("\r");
    let screen = tui.wait_for("the copy done", |s| s.contains("✓ copied to"));
    assert!(screen.contains(list.digest.as_str()), "{screen}");
    let raw = skopeo_inspect_raw(&dst.reference("promoted/app:v1-rc"), &[]);
    assert_eq!(raw, list.manifest, "skopeo reads the source's exact bytes");
    assert_eq!(Digest::sha256(&raw), list.digest);

    // A filtered copy: the first platform unchecked.
    tui.keys("1");
    tui.wait_for("back in the browser", |s| s.contains("list: 6 entries"));
    tui.keys("c");
    tui.wait_for("the copy prompt", |s| s.contains("copy to:"));
    tui.keys(&format!("{}/promoted/app:five\r", dst.host));
    tui.wait_for("the checklist", |s| s.contains("Copy: platforms"));
    tui.keys(" ");
    tui.wait_for("one unchecked", |s| s.contains("[ ] linux/amd64"));
    tui.keys("\r");
    let screen = tui.wait_for("the filtered copy done", |s| {
        s.contains("✓ copied to") && s.contains("promoted/app:five")
    });
    let raw = skopeo_inspect_raw(&dst.reference("promoted/app:five"), &[]);
    let digest = Digest::sha256(&raw);
    assert_ne!(digest, list.digest);
    assert!(
        screen.contains(digest.as_str()),
        "the new digest is shown:\n{screen}"
    );
    let v: serde_json::Value = serde_json::from_slice(&raw).expect("a list");
    let platforms: Vec<String> = v["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .map(|m| format!("{}/{}", m["platform"]["os"], m["platform"]["architecture"]))
        .collect();
    assert_eq!(platforms.len(), 5, "{platforms:?}");
    assert!(
        !platforms.iter().any(|p| p == "\"linux\"/\"amd64\""),
        "{platforms:?}"
    );
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));
}

/// A registry seeded with the attested release, and the TUI started on
/// `samples/attested:v1` (the registry and the home directory live as long as they are kept).
fn attested_release() -> (
    common::TestRegistry,
    samples::attest::Attested,
    tempfile::TempDir,
    Tui,
) {
    let reg = common::TestRegistry::plain();
    let a = samples::attest::seed_attested_blocking(&reg.url).expect("seed the attested release");
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = reg.docker_config();
    let tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &[&format!(
            "{}/{}:v1",
            reg.host,
            samples::attest::ATTESTED_REPO
        )],
        isolated_env(home.path(), &docker_config),
        ROWS,
        COLS,
    );
    (reg, a, home, tui)
}

/// What refers to the attested release, one by one: `R` lists the signature found by the tag
/// scheme (Distribution 2.8 has no referrers API); Enter opens it as the content, where the
/// image view shows its artifact type and payload layer; Esc returns to the list with the
/// panel open, Esc closes it, Esc again is at the tags.
#[test]
fn the_referrers_panel_opens_the_signature_and_back_returns() {
    let (_reg, a, _home, mut tui) = attested_release();
    tui.wait_for("the referrers", |s| s.contains("referred to by 1"));
    tui.keys("R");
    let screen = tui.wait_for("the panel", |s| s.contains("What refers to"));
    assert!(
        screen.contains(&format!(
            "What refers to {}: 1, by the tag scheme",
            a.index.digest.short()
        )),
        "{screen}"
    );
    let row = line_with(&screen, "signature ");
    assert!(
        row.contains(samples::attest::SIGNATURE_TYPE)
            && row.contains(a.signature.digest.as_str())
            && row.contains("2026-11-30T10:05:00Z"),
        "{row}"
    );

    tui.keys("\r");
    let screen = tui.wait_for("the signature as the content", |s| {
        s.contains("signature.payload") && s.contains("artifact")
    });
    assert!(
        screen.contains(&format!(
            "{}@{}",
            samples::attest::ATTESTED_REPO,
            a.signature.digest
        )),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("signature: {}", samples::attest::SIGNATURE_TYPE)),
        "{screen}"
    );
    assert!(line_with(&screen, "Layers").contains("1 layer"), "{screen}");
    assert!(
        screen.contains("application/vnd.example.signature.payload.v1+json"),
        "the payload layer by its whole type:\n{screen}"
    );
    assert!(
        screen.contains(&format!("subject      {}", a.index.digest)),
        "{screen}"
    );
    // Its own referrers were asked for: none (the panel says so and how it asked).
    tui.keys("R");
    let screen = tui.wait_for("the signature's referrers", |s| {
        s.contains("nothing refers to it")
    });
    assert!(
        screen.contains(&format!(
            "nothing under the tag {}",
            manifest_tui::attest::referrers_tag(&a.signature.digest)
        )),
        "{screen}"
    );
    tui.keys("\x1b");
    tui.wait_for("the panel closed", |s| !s.contains("nothing refers to it"));

    // Back: the list again, with the panel open on the signature.
    tui.keys("\x1b");
    let screen = tui.wait_for("back at the list", |s| {
        s.contains("[provenance, SBOM]") && s.contains("What refers to")
    });
    assert!(screen.contains(a.index.digest.as_str()), "{screen}");
    tui.keys("\x1b");
    tui.wait_for("the panel closed", |s| !s.contains("What refers to"));
    tui.keys("\x1b");
    tui.wait_for("the tags", |s| s.contains("2 tags"));
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));
}

/// The attested release: each platform's row carries its attestations' marker, and the
/// header names the signature that refers to the index (Distribution 2.8: by the tag scheme).
/// Copied from there to another registry, the signature comes along.
#[test]
fn an_attested_list_shows_its_markers_and_what_refers_to_it() {
    let (_reg, a, _home, mut tui) = attested_release();
    let screen = tui.wait_for("the referrers", |s| s.contains("referred to by 1"));
    assert!(
        screen.contains(&format!(
            "referred to by 1: {} (tag scheme)",
            samples::attest::SIGNATURE_TYPE
        )),
        "{screen}"
    );
    assert!(screen.contains(a.index.digest.as_str()), "{screen}");
    let screen = tui.wait_for("the markers", |s| s.contains("[provenance, SBOM]"));
    assert_eq!(
        screen.matches("[provenance, SBOM]").count(),
        6,
        "one marker per platform, no attestation rows:\n{screen}"
    );

    // Copied to another registry: the signature seen checks the referrers row, and it
    // comes along, listed there by the tag scheme (skopeo reads the source's bytes).
    let dst = common::TestRegistry::plain();
    tui.keys("c");
    tui.wait_for("the copy prompt", |s| s.contains("copy to:"));
    tui.keys(&format!("{}/promoted/attested:v1\r", dst.host));
    tui.wait_for("the checklist", |s| {
        s.contains("[x] what refers to it and its entries (1 signature seen on it)")
    });
    tui.keys("\r");
    let screen = tui.wait_for("the copy done", |s| s.contains("✓ copied to"));
    assert!(
        screen.contains(&format!("signature of {}", a.index.digest.short())),
        "{screen}"
    );
    let tag = manifest_tui::attest::referrers_tag(&a.index.digest);
    let raw = skopeo_inspect_raw(&dst.reference(&format!("promoted/attested:{tag}")), &[]);
    assert_eq!(
        raw, a.referrers.manifest,
        "the referrers index on the target"
    );
    let raw = skopeo_inspect_raw(
        &dst.reference(&format!("promoted/attested@{}", a.signature.digest)),
        &[],
    );
    assert_eq!(raw, a.signature.manifest, "the signature on the target");
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));
}

/// "The TUI reads manifests through the cache", counted at the wire by a proxy in front of
/// the registry. The first open of a list GETs it and its platforms' manifests. Opening it
/// again later in the same run (after another tag: the browser keeps only what it shows),
/// and opening it in a second TUI process on the same `XDG_CACHE_HOME`, sends no manifest
/// GET at all: one HEAD for the tag, the list and its platforms from the cache, the
/// referrers tag's absence from its HEAD's 404.
#[test]
fn a_second_open_of_a_list_sends_no_manifest_get() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    let p = common::faultproxy::FaultProxy::start(&reg.host);
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = reg.docker_config();
    let (v1, v2) = (samples::list("v1", false), samples::list("v2", false));
    let start = || {
        Tui::spawn(
            Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
            &[&format!("{}/{}:v1", p.host, samples::LIST_REPO)],
            isolated_env(home.path(), &docker_config),
            ROWS,
            COLS,
        )
    };
    // The list shown with its details read (the summary adds the size "in all").
    let shown = |l: &samples::SampleList| {
        let d = l.digest.to_string();
        move |s: &str| s.contains(&d) && s.contains("list: 6 entries, ") && s.contains(" in all")
    };
    let manifest_gets = || p.count("GET", "/manifests/");
    let mut tui = start();
    tui.wait_for("v1 and its details", shown(&v1));
    let first = manifest_gets();
    assert!(
        first >= 7,
        "the first open GETs the list and its six platforms: {:#?}",
        p.seen()
    );
    // What was read is in the cache, byte for byte as the registry holds it (skopeo).
    let cached = home
        .path()
        .join("cache/manifest-tui/manifests/sha256")
        .join(v1.digest.hex());
    assert_eq!(
        std::fs::read(&cached).expect("the list is in the cache"),
        skopeo_inspect_raw(&reg.reference(&format!("{}:v1", samples::LIST_REPO)), &[])
    );

    // Away to v2 (the tag filter puts the cursor on the first match), then v1 again.
    tui.keys("\x1b");
    tui.wait_for("the tags", |s| {
        s.contains("4 tags") && !s.contains("list: 6")
    });
    tui.keys("/v2\r");
    tui.wait_for("the tag filter", |s| s.contains("2 of 4 tags"));
    tui.keys("\r");
    tui.wait_for("v2 and its details", shown(&v2));
    tui.keys("\x1b");
    tui.wait_for("the tags", |s| {
        s.contains("2 of 4 tags") && !s.contains("list: 6")
    });
    tui.keys("\x1b"); // clears the filter
    tui.wait_for("every tag", |s| {
        s.contains("4 tags") && !s.contains("filter:")
    });
    tui.keys("/v1\r");
    tui.wait_for("the tag filter", |s| s.contains("filter: v1"));
    p.reset_seen();
    tui.keys("\r");
    tui.wait_for("v1 again", shown(&v1));
    assert_eq!(manifest_gets(), 0, "{:#?}", p.seen());
    assert_eq!(
        p.count("HEAD", &format!("/{}/manifests/v1", samples::LIST_REPO)),
        1,
        "one HEAD for the tag: {:#?}",
        p.seen()
    );
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), Some(true));

    // A second process on the same cache directory.
    p.reset_seen();
    let mut tui = start();
    tui.wait_for("v1 in a new process", shown(&v1));
    assert_eq!(manifest_gets(), 0, "{:#?}", p.seen());
    assert_eq!(
        p.count("HEAD", &format!("/{}/manifests/v1", samples::LIST_REPO)),
        1,
        "{:#?}",
        p.seen()
    );
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), Some(true));
    eprintln!(
        "first open: {first} manifest GETs; open again and open in a new process: 0 (1 HEAD each)"
    );
}

/// The screen's text with the wrapping undone: each row's border and padding dropped and
/// the rows joined by one space (a wrapped message reads as one line again).
fn unwrapped(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || "│╭╮╰╯─".contains(c)))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Mistakes are shown, with file and line, when the TUI starts; the other lines still
/// apply", in a real terminal: for a file given with `--keymap` and for the default
/// `$XDG_CONFIG_HOME/manifest-tui/keys.conf`. The good line (quit on Ctrl-Q instead of q)
/// applies: q no longer quits (the help it is followed by opens, so q was read), Ctrl-Q does.
#[test]
fn keymap_mistakes_are_shown_at_start_up_and_the_other_lines_apply() {
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    let text = "# my keys\nglobal quit ctrl-q\nglobal qiut x\nnowhere quit x\n";
    let given = home.path().join("my-keys.conf");
    std::fs::write(&given, text).expect("keymap file");
    let default = home.path().join("config/manifest-tui/keys.conf");
    std::fs::create_dir_all(default.parent().unwrap()).expect("config dir");

    for (what, file, args) in [
        (
            "--keymap FILE",
            &given,
            vec!["--keymap", given.to_str().unwrap()],
        ),
        ("keys.conf", &default, vec![]),
    ] {
        std::fs::write(file, text).expect("keymap file");
        let mut tui = Tui::spawn(
            Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
            &args,
            isolated_env(home.path(), &docker_config),
            ROWS,
            COLS,
        );
        let want = format!(
            "{}:3: unknown action \"qiut\"; `manifest-tui keys` lists every action name \
             (and 1 more problems); the other bindings apply",
            file.display()
        );
        // The first mistake with file and line, and the count of the others (waited for as
        // a whole: a frame may be read in parts).
        tui.wait_for(&format!("{what}: the notice {want:?}"), |s| {
            unwrapped(s).contains(&want)
        });
        // Dismiss the notice: the status bar names Ctrl-Q for quit. Then q (no longer
        // quit) and ? (help): the help opens, so q was read, and did not quit.
        tui.keys("\x1b");
        // (The status bar is the frame's last row: once it shows the hints, the whole
        // frame without the notice has been read.)
        let screen = tui.wait_for("the notice dismissed", |s| {
            !s.contains("qiut") && s.lines().last().is_some_and(|l| l.contains("quit"))
        });
        let bar = screen.lines().last().unwrap_or_default();
        assert!(
            bar.contains("Ctrl-q quit") && !bar.contains(" q quit"),
            "{what}: {bar}"
        );
        tui.keys("q?");
        tui.wait_for("the help", |s| s.contains("keys (Esc closes"));
        assert!(
            matches!(tui.child.try_wait(), Ok(None)),
            "{what}: q quit the TUI"
        );
        tui.keys("\x1b\x11");
        assert_eq!(
            tui.wait_exit(Duration::from_secs(10)),
            Some(true),
            "{what}: Ctrl-Q quits"
        );
        std::fs::remove_file(file).expect("remove the keymap file");
    }
}

/// The list rows drawn in reverse video (the tab bar's active tab is reversed too).
fn selected_rows(tui: &Tui) -> Vec<String> {
    tui.reversed_rows()
        .into_iter()
        .filter(|r| r.contains("sha256:"))
        .collect()
}

/// "Set `NO_COLOR` (to anything non-empty) for no colour at all: every distinction is then
/// kept with bold, dim, reversed…", read from the environment of the real binary in a pty:
/// the same screens (a list with its details, the help) drawn with `NO_COLOR=1` write no
/// SGR colour sequence at all (checked in the raw output bytes and cell by cell), and keep
/// the distinctions with bold, dim, underlined and reversed text (the monochrome theme: the
/// coloured one has no dim); without it, or with it empty, they are coloured.
#[test]
fn no_color_from_the_environment_draws_without_colour() {
    use common::pty::colour_sgrs;
    let reg = common::TestRegistry::plain();
    reg.seed();
    let docker_config = reg.docker_config();
    let draw = |no_color: Option<&str>| {
        let home = tempfile::tempdir().expect("tempdir");
        let mut env = isolated_env(home.path(), &docker_config);
        if let Some(v) = no_color {
            env.push(("NO_COLOR", v.into()));
        }
        let mut tui = Tui::spawn(
            Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
            &[&format!("{}/{}:v1", reg.host, samples::LIST_REPO)],
            env,
            ROWS,
            COLS,
        );
        tui.wait_for("the list and its details", |s| s.contains(" in all"));
        let list = (tui.cell_styles(), selected_rows(&tui));
        tui.keys("?");
        // Its bottom border too: the whole overlay has been read.
        tui.wait_for("the help", |s| {
            s.contains("keys (Esc closes") && s.contains("rebind in ")
        });
        let help = tui.cell_styles();
        tui.keys("\x1bq");
        assert_eq!(tui.wait_exit(Duration::from_secs(10)), Some(true));
        (tui.output(), list, help)
    };

    let (raw, (list, selected), help) = draw(Some("1"));
    let sgrs = colour_sgrs(&raw);
    assert!(
        sgrs.is_empty(),
        "NO_COLOR=1: no colour sequence is written, found {} such as {:?}",
        sgrs.len(),
        &sgrs[..sgrs.len().min(5)]
    );
    assert_eq!((list.coloured, help.coloured), (0, 0), "no coloured cell");
    // The distinctions colour made are kept: column headers bold and underlined, the
    // help's key names bold and its action names dim (grey without NO_COLOR).
    assert!(
        list.bold > 0 && list.underlined > 0 && help.bold > 0 && help.dim > 0,
        "{list:?} {help:?}"
    );
    assert_eq!(selected.len(), 1, "one selected row: {selected:#?}");
    assert!(
        selected[0].contains("linux/amd64"),
        "the first platform, in reverse video: {selected:?}"
    );

    for no_color in [None, Some("")] {
        let (raw, (list, _), help) = draw(no_color);
        assert!(
            !colour_sgrs(&raw).is_empty(),
            "NO_COLOR={no_color:?}: colours are written"
        );
        assert!(
            list.coloured > 0 && help.coloured > 0 && help.dim == 0,
            "NO_COLOR={no_color:?}: {list:?} {help:?}"
        );
    }
}

/// `y` copies through the terminal (OSC 52): read from the bytes the binary really wrote to
/// the pty and base64-decoded, it is exactly the digest of the selected platform, the one
/// the registry's list names (skopeo). `j` moves the selection: the row drawn in reverse
/// video goes from the first platform to the second.
#[test]
fn y_copies_the_selected_digest_through_osc52_and_j_moves_the_selection() {
    use common::pty::osc52_texts;
    let reg = common::TestRegistry::plain();
    reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = reg.docker_config();
    let raw = skopeo_inspect_raw(&reg.reference(&format!("{}:v1", samples::LIST_REPO)), &[]);
    let index: serde_json::Value = serde_json::from_slice(&raw).expect("the list's JSON");
    let digest = |i: usize| index["manifests"][i]["digest"].as_str().expect("digest");
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &[&format!("{}/{}:v1", reg.host, samples::LIST_REPO)],
        isolated_env(home.path(), &docker_config),
        ROWS,
        COLS,
    );
    tui.wait_for("the list", |s| s.contains("list: 6 entries"));
    let selected = selected_rows(&tui);
    assert_eq!(selected.len(), 1, "{selected:#?}");
    assert!(selected[0].contains(digest(0)), "{selected:?}");
    assert!(osc52_texts(&tui.output()).is_empty(), "nothing copied yet");

    tui.keys("j");
    let second = digest(1).to_string();
    tui.wait_for("the selection on the second platform", |_| {
        selected_rows(&tui).iter().any(|r| r.contains(&second))
    });
    let selected = selected_rows(&tui);
    assert_eq!(selected.len(), 1, "{selected:#?}");
    assert!(!selected[0].contains(digest(0)), "{selected:?}");

    tui.keys("y");
    let out = tui.wait_for_output("the OSC 52 write", |o| !osc52_texts(o).is_empty());
    let copied = osc52_texts(&out);
    assert_eq!(copied.len(), 1, "one clipboard write");
    assert_eq!(
        String::from_utf8(copied[0].clone()).expect("UTF-8"),
        second,
        "the selected platform's digest, whole"
    );
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), Some(true));
}

/// A layout made by `manifest-tui copy` opens from the command line as a registry of one
/// repository: its tags (ref names), and a tag's list named as the layout's own
/// (`oci:DIR:v1`, no stray `/`). Then `S` on a repository of a registry: the destination
/// prompt, the plan (every tag new), Enter, one row per image in the push view; skopeo
/// reads every tag at the destination with the source's digest.
#[test]
fn a_layout_browses_as_a_registry_and_s_syncs_a_repository() {
    let src = common::TestRegistry::plain();
    let seeded = src.seed();
    let dst = common::TestRegistry::plain();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = src.docker_config();
    let dir = home.path().join("lay1");
    let place = format!("oci:{}", dir.display());
    for tag in ["v1", "v2-oci"] {
        common::cli::ok(
            common::cli::mt(
                &docker_config,
                &[
                    "copy",
                    &src.reference(&format!("samples/app:{tag}")),
                    &format!("{place}:{tag}"),
                ],
            ),
            "copy to a layout",
        );
    }
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &[&place],
        isolated_env(home.path(), &docker_config),
        ROWS,
        COLS,
    );
    let screen = tui.wait_for("the layout's tags", |s| {
        s.contains("v2-oci") && s.contains("2 tags")
    });
    assert!(
        screen.contains(&format!(" {place} ─")),
        "the breadcrumb is the place alone:\n{screen}"
    );
    tui.keys("\r");
    let screen = tui.wait_for("v1's list", |s| s.contains("list: 6 entries"));
    let list = samples::list("v1", false);
    assert!(screen.contains(list.digest.as_str()), "{screen}");
    assert!(
        screen.contains(&format!("{place} › v1")) && !screen.contains(&format!("{place}/")),
        "{screen}"
    );
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));

    // S on samples/app in the source's catalog.
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &["--registry", &src.host],
        isolated_env(home.path(), &docker_config),
        ROWS,
        COLS,
    );
    tui.wait_for("the catalog", |s| s.contains("samples/app-linux-amd64"));
    tui.keys("/samples/app\r");
    tui.wait_for("the filter", |s| s.contains("filter: samples/app"));
    tui.keys("S");
    tui.wait_for("the sync prompt", |s| s.contains("sync to:"));
    tui.keys(&format!("{}/mirror\r", dst.host));
    let screen = tui.wait_for("the plan", |s| s.contains("4 images: 4 new"));
    assert!(screen.contains("copy 4 images"), "{screen}");
    assert!(
        line_with(&screen, "samples/app:v2-oci → mirror/app:v2-oci").contains("new "),
        "the names without their registries:\n{screen}"
    );
    tui.keys("\r");
    let screen = tui.wait_for("the sync done", |s| s.contains("✓ synced to"));
    assert!(
        screen.contains("4 copied, 0 up to date, 0 failed"),
        "{screen}"
    );
    assert!(screen.contains("4/4 images"), "{screen}");
    for tag in ["v1", "v2", "v1-oci", "v2-oci"] {
        assert!(
            screen.contains(&format!("mirror/app:{tag} ")),
            "a row for {tag}:\n{screen}"
        );
        let raw = skopeo_inspect_raw(&dst.reference(&format!("mirror/app:{tag}")), &[]);
        assert_eq!(
            Some(&Digest::sha256(&raw)),
            seeded.digest_of(&format!("samples/app:{tag}")),
            "{tag}: the source's exact bytes"
        );
    }
    tui.keys("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(120)), Some(true));
}
