//! End to end: the binary in a pseudo-terminal (screen parsed by vt100) against a real seeded
//! registry. Catalog → samples/app → v1 shows the six platforms and their digests; marking v1
//! and v2 shows arm64 and s390x as changed.

mod common;

use common::pty::{isolated_env, line_with, Tui};
use common::skopeo_inspect_raw;
use manifest_tui::digest::Digest;
use manifest_tui::samples;
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
    let screen = tui.wait_for("the image", |s| {
        s.contains("History") && s.contains("entrypoint")
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
