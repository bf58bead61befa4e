//! OCI image layouts as places (`oci:DIR[:REF]`, `oci-archive:FILE[:REF]`): copies both ways
//! between real registries and layouts, with skopeo reading what we wrote and writing what
//! we read, and the errors for layouts that are wrong.

mod common;

use common::cli::{mt, ok, tool, Run};
use common::faultproxy::FaultProxy;
use common::TestRegistry;
use manifest_tui::digest::Digest;
use mt_testkit::samples;
use std::path::{Path, PathBuf};

/// A DOCKER_CONFIG with no credentials.
fn empty_config(dir: &Path) -> PathBuf {
    let d = dir.join("cfg");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("config.json"), r#"{"auths":{}}"#).unwrap();
    d
}

fn last_digest(out: &str) -> Digest {
    Digest::parse(out.lines().last().unwrap_or("").trim())
        .unwrap_or_else(|e| panic!("no digest at the end of {out:?}: {e}"))
}

/// skopeo with `args`, which must succeed: its stdout.
fn skopeo(args: &[&str]) -> Vec<u8> {
    let out = tool("skopeo")
        .args(args)
        .output()
        .expect("skopeo must be installed (scripts/install-test-deps.sh)");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The blob files of a layout directory.
fn blob_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("blobs/sha256"))
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

fn fails(r: Run, what: &str) -> String {
    assert!(r.code != 0, "{what} should fail: {}\n{}", r.out, r.err);
    r.err
}

#[test]
fn a_registry_list_copied_to_a_layout_is_what_skopeo_reads_and_copies_on() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let dir = src.dir.path().join("out-layout");
    let place = format!("oci:{}", dir.display());
    let mut all_blobs = std::collections::BTreeSet::new();
    for (tag, oci) in [("v1", false), ("v1-oci", true)] {
        let list = samples::list("v1", oci);
        let r = ok(
            mt(
                &cfg,
                &[
                    "copy",
                    &src.reference(&format!("samples/app:{tag}")),
                    &format!("{place}:{tag}"),
                ],
            ),
            "copy to a layout",
        );
        assert_eq!(last_digest(&r.out), list.digest, "{}", r.out);
        let from = format!("oci:{}:{tag}", dir.display());
        let to = dst.reference(&format!("from-layout/app:{tag}"));
        if oci {
            // skopeo reads the list's exact bytes from the layout and copies it on to a
            // registry with every digest kept...
            let raw = skopeo(&["inspect", "--raw", &from]);
            assert_eq!(raw, list.manifest, "skopeo reads other bytes for {tag}");
            skopeo(&[
                "copy",
                "--all",
                "--preserve-digests",
                "--dest-tls-verify=false",
                &from,
                &format!("docker://{to}"),
            ]);
        } else {
            // ...but skopeo (1.9) takes only OCI media types from a layout ("no descriptor
            // found"), and would convert a Docker list rather than keep its digest. The
            // list is kept as it is; copied on from the layout, it keeps its digest.
            let r = ok(mt(&cfg, &["copy", &from, &to]), "copy on from the layout");
            assert_eq!(last_digest(&r.out), list.digest, "{}", r.out);
        }
        let there =
            common::skopeo_inspect_raw(&dst.reference(&format!("from-layout/app:{tag}")), &[]);
        assert_eq!(Digest::sha256(&there), list.digest);
        for c in &list.children {
            let child = common::skopeo_inspect_raw(
                &format!("{}/from-layout/app@{}", dst.host, c.digest),
                &[],
            );
            assert_eq!(child, c.manifest, "child {}", c.platform.display());
            all_blobs.insert(c.digest.hex().to_string());
            for (d, _) in &c.blobs {
                all_blobs.insert(d.hex().to_string());
            }
        }
        all_blobs.insert(list.digest.hex().to_string());
    }
    // Two lists in one layout share their blobs: each is there once, nothing else is.
    assert_eq!(blob_files(&dir), all_blobs.into_iter().collect::<Vec<_>>());
    assert!(
        !files_under(&dir).iter().any(|f| f.contains(".tmp-")),
        "a temporary file was left: {:?}",
        files_under(&dir)
    );
    // Its tags are the ref names, in the order they were written.
    let r = ok(mt(&cfg, &["tags", &place]), "tags of a layout");
    assert_eq!(
        r.out.lines().collect::<Vec<_>>(),
        ["v1", "v1-oci"],
        "{}",
        r.out
    );
}

#[test]
fn a_layout_skopeo_wrote_is_inspected_diffed_and_copied_to_a_registry_exactly() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let dir = src.dir.path().join("skopeo-layout");
    let list = samples::list("v1", true);
    skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        &format!("docker://{}", src.reference("samples/app:v1-oci")),
        &format!("oci:{}:release-1", dir.display()),
    ]);
    let place = format!("oci:{}:release-1", dir.display());
    // inspect reads the list and, for the table, every platform's config from the files.
    let r = ok(
        mt(&cfg, &["inspect", "--format", "table", &place]),
        "inspect",
    );
    for p in samples::PLATFORMS {
        let label = p.split(' ').next().unwrap();
        assert!(r.out.contains(label), "{label} missing:\n{}", r.out);
    }
    let r = ok(mt(&cfg, &["inspect", &place]), "inspect");
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("inspect prints JSON");
    assert_eq!(
        v["manifests"].as_array().map(Vec::len),
        Some(list.children.len())
    );
    // A diff against the next release on the registry names the platforms that changed.
    let r = mt(
        &cfg,
        &[
            "diff",
            "--format",
            "json",
            &place,
            &src.reference("samples/app:v2-oci"),
        ],
    );
    assert_eq!(r.code, 1, "different: {}\n{}", r.out, r.err);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("diff prints JSON");
    let changed: Vec<String> = v["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] != "same")
        .map(|p| p["platform"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(changed, samples::CHANGED_IN_V2, "{}", r.out);
    // Copied to a registry, the digest is the same, and skopeo finds every blob there.
    let r = ok(
        mt(
            &cfg,
            &["copy", &place, &dst.reference("pushed/app:release-1")],
        ),
        "copy from a layout",
    );
    assert_eq!(last_digest(&r.out), list.digest, "{}", r.out);
    let raw = common::skopeo_inspect_raw(&dst.reference("pushed/app:release-1"), &[]);
    assert_eq!(raw, list.manifest);
    let out_dir = src.dir.path().join("back-out");
    skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        &format!("docker://{}", dst.reference("pushed/app:release-1")),
        &format!("dir:{}", out_dir.display()),
    ]);
}

#[test]
fn a_second_copy_into_a_layout_sends_nothing_it_already_holds() {
    let reg = TestRegistry::plain();
    reg.seed();
    let proxy = FaultProxy::start(&reg.host);
    let cfg = empty_config(reg.dir.path());
    let dir = reg.dir.path().join("again");
    let place = format!("oci:{}:v1", dir.display());
    let src = format!("{}/samples/app:v1", proxy.host);
    ok(mt(&cfg, &["copy", &src, &place]), "first copy");
    let blobs = proxy.count("GET", "/blobs/");
    assert!(blobs > 0, "the first copy read no blob");
    // The index losing its name (an interrupted copy ends before index.json is written)
    // leaves every blob in place: the second run reads none of them again.
    std::fs::write(
        dir.join("index.json"),
        r#"{"schemaVersion":2,"manifests":[]}"#,
    )
    .unwrap();
    let r = ok(mt(&cfg, &["copy", &src, &place]), "second copy");
    assert_eq!(last_digest(&r.out), samples::list("v1", false).digest);
    assert_eq!(
        proxy.count("GET", "/blobs/"),
        blobs,
        "a blob the layout holds was read again"
    );
    // And with the name in place, a third copy finds it there and writes nothing.
    let before = std::fs::read(dir.join("index.json")).unwrap();
    let r = ok(mt(&cfg, &["copy", &src, &place]), "third copy");
    assert!(r.out.contains("nothing to copy"), "{}", r.out);
    assert_eq!(std::fs::read(dir.join("index.json")).unwrap(), before);
}

#[test]
fn an_archive_round_trips_through_skopeo() {
    let src = TestRegistry::plain();
    src.seed();
    let cfg = empty_config(src.dir.path());
    let file = src.dir.path().join("release.tar");
    let list = samples::list("v1", true);
    for tag in ["v1", "v1-again"] {
        let r = ok(
            mt(
                &cfg,
                &[
                    "copy",
                    &src.reference("samples/app:v1-oci"),
                    &format!("oci-archive:{}:{tag}", file.display()),
                ],
            ),
            "copy to an archive",
        );
        assert_eq!(last_digest(&r.out), list.digest);
    }
    // Both names are in the one archive, and skopeo reads each.
    for tag in ["v1", "v1-again"] {
        let raw = skopeo(&[
            "inspect",
            "--raw",
            &format!("oci-archive:{}:{tag}", file.display()),
        ]);
        assert_eq!(raw, list.manifest);
    }
    // One skopeo wrote reads back here.
    let theirs = src.dir.path().join("theirs.tar");
    skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        &format!("docker://{}", src.reference("samples/app:v1-oci")),
        &format!("oci-archive:{}:x", theirs.display()),
    ]);
    let r = ok(
        mt(
            &cfg,
            &["inspect", &format!("oci-archive:{}:x", theirs.display())],
        ),
        "inspect an archive",
    );
    assert!(
        r.out.contains("linux/s390x") || r.out.contains("s390x"),
        "{}",
        r.out
    );
    // A truncated archive is refused with its name.
    let bytes = std::fs::read(&theirs).unwrap();
    let cut = src.dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = fails(
        mt(
            &cfg,
            &["inspect", &format!("oci-archive:{}:x", cut.display())],
        ),
        "a truncated archive",
    );
    assert!(
        err.contains("cut.tar") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn a_wrong_layout_is_refused_naming_the_file_and_nothing_is_written() {
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = empty_config(reg.dir.path());
    let dir = reg.dir.path().join("l");
    ok(
        mt(
            &cfg,
            &[
                "copy",
                &reg.reference("samples/app:v1"),
                &format!("oci:{}:v1", dir.display()),
            ],
        ),
        "copy",
    );
    // A ref name that is not there: the error lists those that are.
    let err = fails(
        mt(&cfg, &["inspect", &format!("oci:{}:v9", dir.display())]),
        "a missing ref",
    );
    assert!(err.contains("v9") && err.contains(":v1"), "{err}");
    // A directory that is not a layout.
    let plain = reg.dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("notes.txt"), "hello").unwrap();
    let err = fails(
        mt(&cfg, &["inspect", &format!("oci:{}:v1", plain.display())]),
        "not a layout",
    );
    assert!(err.contains("oci-layout"), "{err}");
    // Nor is one written into: the copy is refused and the directory is as it was.
    let err = fails(
        mt(
            &cfg,
            &[
                "copy",
                &reg.reference("samples/app:v1"),
                &format!("oci:{}:v1", plain.display()),
            ],
        ),
        "copy into a directory of something else",
    );
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(files_under(&plain), ["notes.txt"]);
    // A blob whose bytes do not match its digest is named.
    let list = samples::list("v1", false);
    let child = &list.children[0].digest;
    let blob = dir.join("blobs/sha256").join(child.hex());
    std::fs::write(&blob, b"{}").unwrap();
    let dst = reg.dir.path().join("l2");
    let err = fails(
        mt(
            &cfg,
            &[
                "copy",
                &format!("oci:{}:v1", dir.display()),
                &format!("oci:{}:v1", dst.display()),
            ],
        ),
        "a corrupt blob",
    );
    assert!(err.contains(child.hex()), "{err}");
    assert!(!dst.exists(), "the copy wrote {:?}", files_under(&dst));
    // A blob the layout lacks is named too, before anything is written.
    std::fs::write(&blob, &list.children[0].manifest).unwrap();
    let (layer, _) = list.children[1].blobs.last().unwrap();
    std::fs::remove_file(dir.join("blobs/sha256").join(layer.hex())).unwrap();
    let err = fails(
        mt(
            &cfg,
            &[
                "copy",
                &format!("oci:{}:v1", dir.display()),
                &reg.reference("again/app:v1"),
            ],
        ),
        "a missing blob",
    );
    assert!(
        err.contains(layer.hex()) && err.contains("missing"),
        "{err}"
    );
    let r = mt(&cfg, &["inspect", &reg.reference("again/app:v1")]);
    assert_ne!(r.code, 0, "the list was pushed: {}", r.out);
    // index.json that is not JSON.
    std::fs::write(dir.join("index.json"), "{nope").unwrap();
    let err = fails(
        mt(&cfg, &["inspect", &format!("oci:{}:v1", dir.display())]),
        "bad index.json",
    );
    assert!(
        err.contains("index.json") && err.contains("not JSON"),
        "{err}"
    );
}

#[test]
fn sync_into_a_layout_names_each_image_repo_colon_tag_and_syncs_back_out() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let proxy = FaultProxy::start(&src.host);
    let cfg = empty_config(src.dir.path());
    let dir = src.dir.path().join("mirror");
    let yaml = src.dir.path().join("sync.yaml");
    std::fs::write(
        &yaml,
        format!(
            "{}:\n  tls-verify: false\n  images:\n    samples/app: [v1-oci, v2-oci]\n    samples/app-oci-linux-amd64: [v1]\n",
            proxy.host
        ),
    )
    .unwrap();
    let dest = format!("oci:{}", dir.display());
    let r = ok(
        mt(&cfg, &["sync", yaml.to_str().unwrap(), &dest]),
        "sync into a layout",
    );
    // skopeo reads each image under REPO:TAG, exactly.
    for (name, digest) in [
        ("app:v1-oci", samples::list("v1", true).digest),
        ("app:v2-oci", samples::list("v2", true).digest),
    ] {
        let raw = skopeo(&["inspect", "--raw", &format!("oci:{}:{name}", dir.display())]);
        assert_eq!(Digest::sha256(&raw), digest, "{name}: {}", r.out);
    }
    let r = ok(mt(&cfg, &["tags", &dest]), "tags");
    assert_eq!(
        r.out.lines().collect::<std::collections::BTreeSet<_>>(),
        ["app-oci-linux-amd64:v1", "app:v1-oci", "app:v2-oci"]
            .into_iter()
            .collect(),
        "{}",
        r.out
    );
    // Again: every image is up to date, and no blob is read from the source.
    let blobs = proxy.count("GET", "/blobs/");
    let manifests = proxy.count("GET", "/manifests/");
    let r = ok(
        mt(&cfg, &["sync", yaml.to_str().unwrap(), &dest]),
        "sync again",
    );
    assert_eq!(proxy.count("GET", "/blobs/"), blobs, "{}", r.out);
    assert_eq!(
        proxy.count("GET", "/manifests/"),
        manifests,
        "a re-run GETs no manifest from the source:\n{}",
        r.out
    );
    // A layout's REPO:TAG names sync on to a registry as REPO:TAG.
    let r = ok(
        mt(&cfg, &["sync", &dest, &dst.reference("restored")]),
        "sync out of the layout",
    );
    let raw = common::skopeo_inspect_raw(&dst.reference("restored/app:v2-oci"), &[]);
    assert_eq!(
        Digest::sha256(&raw),
        samples::list("v2", true).digest,
        "{}",
        r.out
    );
    // A layout given with a ref as DEST is refused before anything is read.
    let r = mt(
        &cfg,
        &["sync", yaml.to_str().unwrap(), &format!("{dest}:x")],
    );
    assert_eq!(r.code, 2, "{}\n{}", r.out, r.err);
    assert!(r.err.contains("without :REF"), "{}", r.err);
}

#[test]
fn create_takes_children_from_a_layout_and_push_sends_them_on() {
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = empty_config(reg.dir.path());
    let dir = reg.dir.path().join("children");
    let list = samples::list("v1", true);
    ok(
        mt(
            &cfg,
            &[
                "copy",
                &reg.reference("samples/app:v1-oci"),
                &format!("oci:{}:v1", dir.display()),
            ],
        ),
        "copy to a layout",
    );
    let made = reg.reference("made/app:v1");
    ok(
        mt(
            &cfg,
            &["create", &made, &format!("oci:{}:v1", dir.display())],
        ),
        "create from a layout",
    );
    ok(mt(&cfg, &["push", &made]), "push");
    // skopeo finds every child on the registry, byte for byte, with its blobs.
    for c in &list.children {
        let child = common::skopeo_inspect_raw(&format!("{}/made/app@{}", reg.host, c.digest), &[]);
        assert_eq!(child, c.manifest, "child {}", c.platform.display());
    }
    skopeo(&[
        "copy",
        "--all",
        "--src-tls-verify=false",
        &format!("docker://{made}"),
        &format!("dir:{}", reg.dir.path().join("pulled").display()),
    ]);
}

#[test]
fn a_filtered_copy_into_a_layout_is_read_by_skopeo_and_its_config_by_inspect() {
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = empty_config(reg.dir.path());
    let dir = reg.dir.path().join("slim");
    let place = format!("oci:{}:slim", dir.display());
    let r = ok(
        mt(
            &cfg,
            &[
                "copy",
                "--platform",
                "linux/arm64",
                "--platform",
                "linux/amd64",
                &reg.reference("samples/app:v1-oci"),
                &place,
            ],
        ),
        "copy --platform to a layout",
    );
    assert!(r.out.contains("digest changed"), "{}", r.out);
    let raw = skopeo(&["inspect", "--raw", &place]);
    assert_eq!(Digest::sha256(&raw), last_digest(&r.out), "{}", r.out);
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["manifests"].as_array().map(Vec::len), Some(2));
    let r = ok(
        mt(
            &cfg,
            &["inspect", "--config", "--platform", "linux/arm64", &place],
        ),
        "inspect --config of a layout",
    );
    let config: serde_json::Value = serde_json::from_str(&r.out).expect("a config");
    assert_eq!(config["architecture"], "arm64", "{}", r.out);
}
