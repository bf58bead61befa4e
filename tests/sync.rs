//! `sync` against real registries: skopeo sync itself (`--dry-run`, on the same file) is the
//! reference for which images are selected and where they land, `skopeo inspect --raw` and
//! `skopeo copy` read what was synced, and the fault proxy counts what a re-run sends.

mod common;

use common::cli::{mt, ok, tool, Run};
use common::faultproxy::FaultProxy;
use common::{skopeo_inspect_raw, TestRegistry, ALICE, ALICE_PASSWORD};
use manifest_tui::digest::Digest;
use mt_testkit::samples;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A DOCKER_CONFIG with no credentials.
fn empty_config(dir: &Path) -> PathBuf {
    let d = dir.join("cfg");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("config.json"), r#"{"auths":{}}"#).unwrap();
    d
}

fn write_yaml(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// (source, destination) pairs as skopeo 1.9.3's `sync --dry-run` logs them ("Would have
/// copied image ref" lines, `from="docker://…" to="docker://…"`), and its exit status.
fn skopeo_selection(
    src_kind: &str,
    source: &str,
    dest: &str,
    extra: &[&str],
) -> (BTreeSet<(String, String)>, Run) {
    let out = tool("skopeo")
        .args(["sync", "--dry-run", "--src", src_kind, "--dest", "docker"])
        .args(["--src-tls-verify=false", "--dest-tls-verify=false"])
        .args(extra)
        .args([source, dest])
        .output()
        .expect("skopeo must be installed (scripts/install-test-deps.sh)");
    let run = Run::from(out);
    let field = |line: &str, key: &str| -> Option<String> {
        let at = line.find(&format!("{key}=\"docker://"))? + key.len() + 11;
        let rest = &line[at..];
        Some(rest[..rest.find('"')?].to_string())
    };
    let pairs = run
        .err
        .lines()
        .filter(|l| l.contains("Would have copied image ref"))
        .filter_map(|l| Some((field(l, "from")?, field(l, "to")?)))
        .collect();
    (pairs, run)
}

/// Our plan's (source, destination) pairs, from `sync --dry-run --format json`, with the
/// run itself.
fn our_plan(cfg: &Path, args: &[&str]) -> (serde_json::Value, Run) {
    let mut a = vec!["sync", "--dry-run", "--format", "json"];
    a.extend_from_slice(args);
    let r = mt(cfg, &a);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap_or_else(|e| {
        panic!(
            "sync --format json printed no JSON ({e}): {}\n{}",
            r.out, r.err
        )
    });
    (v, r)
}

fn pairs(plan: &serde_json::Value) -> BTreeSet<(String, String)> {
    plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["source"].as_str().unwrap().to_string(),
                i["target"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn states(plan: &serde_json::Value) -> Vec<(String, String)> {
    plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["target"].as_str().unwrap().to_string(),
                i["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The digest skopeo reads at `image`.
fn digest_at(image: &str) -> Digest {
    Digest::sha256(&skopeo_inspect_raw(image, &[]))
}

/// Requests that write: PUT, POST, PATCH (and DELETE).
fn writes(p: &FaultProxy) -> usize {
    ["PUT", "POST", "PATCH", "DELETE"]
        .iter()
        .map(|m| p.count(m, ""))
        .sum()
}

#[test]
fn the_selection_is_skopeo_syncs_for_every_key() {
    let src = TestRegistry::plain();
    let seeded = src.seed();
    let h = &src.host;
    let v1 = samples::list("v1", false).digest;
    let yaml = write_yaml(
        src.dir.path(),
        "sync.yaml",
        &format!(
            "{h}:
  images:
    samples/app: [v1, \"v2-oci\", \"{v1}\"]
    samples/app-linux-amd64: []
    samples/app-linux-s390x:
  images-by-tag-regex:
    samples/app-oci-linux-arm64-v8: \"1\"
    samples/app-oci-linux-ppc64le: \"^v2$\"
  tls-verify: false
"
        ),
    );
    let dest = "127.0.0.1:9/mirror";
    let (theirs, sk) = skopeo_selection("yaml", yaml.to_str().unwrap(), dest, &[]);
    assert_eq!(sk.code, 0, "skopeo sync --dry-run: {}", sk.err);
    let cfg = empty_config(src.dir.path());
    // DEST must answer (nothing could start otherwise): ours asks the source registry here.
    let dest_here = format!("{h}/mirror");
    let (plan, r) = our_plan(&cfg, &[yaml.to_str().unwrap(), &dest_here]);
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    let ours: BTreeSet<(String, String)> = pairs(&plan)
        .into_iter()
        .map(|(s, t)| (s, t.replacen(&dest_here, dest, 1)))
        .collect();
    assert_eq!(ours, theirs, "the images selected and where they land");
    // And what that is: named tags and a digest, every tag, a regex unanchored (`1` finds
    // v1 only there), an anchored one.
    let mut want: Vec<&str> = vec![
        "samples/app:v1",
        "samples/app:v2-oci",
        "samples/app-linux-amd64:v1",
        "samples/app-linux-amd64:v2",
        "samples/app-linux-s390x:v1",
        "samples/app-linux-s390x:v2",
        "samples/app-oci-linux-arm64-v8:v1",
        "samples/app-oci-linux-ppc64le:v2",
    ];
    let by_digest = format!("samples/app@{v1}");
    want.push(&by_digest);
    let got: BTreeSet<String> = ours
        .iter()
        .map(|(s, _)| s.replacen(&format!("{h}/"), "", 1))
        .collect();
    assert_eq!(
        got,
        want.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>()
    );
    assert!(
        states(&plan).iter().all(|(_, s)| s == "new"),
        "{:?}",
        states(&plan)
    );
    let _ = seeded;
}

#[test]
fn images_by_semver_selects_masterminds_versions_and_semver_latest_keeps_the_highest() {
    let src = TestRegistry::plain();
    src.seed();
    let h = &src.host;
    let cfg = empty_config(src.dir.path());
    let dest = format!("{h}/mirror");
    let selected = |text: &str| -> BTreeSet<String> {
        let yaml = write_yaml(src.dir.path(), "semver.yaml", text);
        let (plan, r) = our_plan(&cfg, &[yaml.to_str().unwrap(), &dest]);
        assert_eq!(r.code, 0, "{}", r.err);
        pairs(&plan)
            .into_iter()
            .map(|(s, _)| s.replacen(&format!("{h}/samples/"), "", 1))
            .collect()
    };
    // The samples' tags read as versions: v1 = 1.0.0, v2 = 2.0.0; v1-oci and v2-oci are
    // prereleases, which a constraint without one never matches (Masterminds' rule; its own
    // test table is the unit tests' oracle: skopeo 1.9.3 predates images-by-semver).
    let text = format!(
        "{h}:\n  images-by-semver:\n    samples/app: \">= 1.5\"\n    samples/app-linux-amd64: \"*\"\n"
    );
    let want: BTreeSet<String> = ["app:v2", "app-linux-amd64:v1", "app-linux-amd64:v2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(selected(&text), want);
    let latest = format!("{text}  semver-latest: 1\n");
    let want: BTreeSet<String> = ["app:v2", "app-linux-amd64:v2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(selected(&latest), want);
}

#[test]
fn a_repository_and_an_image_as_source_select_as_skopeo_does() {
    let src = TestRegistry::plain();
    src.seed();
    let cfg = empty_config(src.dir.path());
    let dest_here = format!("{}/mirror", src.host);
    let dest = "127.0.0.1:9/mirror";
    for source in [
        src.reference("samples/app"),
        src.reference("samples/app:v2"),
    ] {
        let (theirs, sk) = skopeo_selection("docker", &source, dest, &[]);
        assert_eq!(sk.code, 0, "skopeo: {}", sk.err);
        let (plan, r) = our_plan(&cfg, &[&source, &dest_here]);
        assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
        let ours: BTreeSet<(String, String)> = pairs(&plan)
            .into_iter()
            .map(|(s, t)| (s, t.replacen(&dest_here, dest, 1)))
            .collect();
        assert_eq!(ours, theirs, "{source}");
    }
}

#[test]
fn the_files_credentials_are_used_for_its_registry() {
    let src = TestRegistry::basic();
    src.seed();
    let dst = TestRegistry::plain();
    let cfg = empty_config(dst.dir.path());
    let yaml = write_yaml(
        dst.dir.path(),
        "creds.yaml",
        &format!(
            "{}:\n  images:\n    samples/app: []\n  credentials:\n    username: {ALICE}\n    password: {ALICE_PASSWORD}\n  tls-verify: false\n",
            src.host
        ),
    );
    // skopeo lists the tags with the file's credentials too (the docker config has none).
    let dest = format!("{}/mirror", dst.host);
    let (theirs, sk) = skopeo_selection("yaml", yaml.to_str().unwrap(), &dest, &[]);
    assert_eq!(sk.code, 0, "{}", sk.err);
    assert_eq!(theirs.len(), 4, "{theirs:?}");
    let r = ok(mt(&cfg, &["sync", yaml.to_str().unwrap(), &dest]), "sync");
    for (from, to) in &theirs {
        let want = Digest::sha256(&skopeo_inspect_raw(
            from,
            &[&format!("--creds={ALICE}:{ALICE_PASSWORD}")],
        ));
        assert_eq!(digest_at(to), want, "{to}: {}", r.out);
    }
    // Without them: the listing is refused, the summary says so, exit 1.
    let no_creds = write_yaml(
        dst.dir.path(),
        "nocreds.yaml",
        &format!("{}:\n  images:\n    samples/app: []\n", src.host),
    );
    let r = mt(&cfg, &["sync", no_creds.to_str().unwrap(), &dest]);
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    assert!(
        r.out.contains("Failed: ") && r.out.contains("samples/app"),
        "{}",
        r.out
    );
}

#[test]
fn a_sync_copies_exactly_and_a_rerun_sends_one_head_a_side_and_no_write() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let (sp, dp) = (FaultProxy::start(&src.host), FaultProxy::start(&dst.host));
    let cfg = empty_config(src.dir.path());
    let v1 = samples::list("v1", false);
    let yaml = write_yaml(
        src.dir.path(),
        "sync.yaml",
        &format!(
            "{}:\n  images:\n    samples/app: [v1, v2-oci, \"{}\"]\n    samples/app-linux-amd64: []\n",
            sp.host, samples::list("v2", false).digest
        ),
    );
    let dest = format!("{}/mirror", dp.host);
    // A dry run writes nothing.
    let (plan, r) = our_plan(&cfg, &[yaml.to_str().unwrap(), &dest]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(plan["plan"].as_array().unwrap().len(), 5);
    assert_eq!(writes(&dp), 0, "--dry-run wrote to the destination");
    assert_eq!(writes(&sp), 0);
    // The run: every image there with the source's digest, read by skopeo.
    let r = ok(mt(&cfg, &["sync", yaml.to_str().unwrap(), &dest]), "sync");
    assert!(
        r.out
            .contains("Synced 5 images (0 already up to date, 0 failed"),
        "{}",
        r.out
    );
    assert_eq!(digest_at(&dst.reference("mirror/app:v1")), v1.digest);
    assert_eq!(
        digest_at(&dst.reference("mirror/app:v2-oci")),
        samples::list("v2", true).digest
    );
    let v2 = samples::list("v2", false).digest;
    assert_eq!(
        digest_at(&dst.reference(&format!("mirror/app@{v2}"))),
        v2,
        "by digest, untagged"
    );
    for tag in ["v1", "v2"] {
        assert_eq!(
            digest_at(&dst.reference(&format!("mirror/app-linux-amd64:{tag}"))),
            digest_at(&src.reference(&format!("samples/app-linux-amd64:{tag}")))
        );
    }
    // Every blob is there: skopeo copies the whole list out of the destination.
    let out_dir = src.dir.path().join("out");
    let o = tool("skopeo")
        .args(["copy", "--all", "--src-tls-verify=false"])
        .arg(format!("docker://{}", dst.reference("mirror/app:v1")))
        .arg(format!("dir:{}", out_dir.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The re-run: one HEAD of each image on each side (plus the tags listing), no write.
    sp.reset_seen();
    dp.reset_seen();
    let r = ok(
        mt(&cfg, &["sync", yaml.to_str().unwrap(), &dest]),
        "re-sync",
    );
    assert!(
        r.out
            .contains("Synced 0 images (5 already up to date, 0 failed"),
        "{}",
        r.out
    );
    assert_eq!(writes(&dp), 0, "the re-run wrote: {:?}", dp.seen());
    assert_eq!(writes(&sp), 0);
    assert_eq!(dp.count("HEAD", "/manifests/"), 5, "{:?}", dp.seen());
    assert_eq!(sp.count("HEAD", "/manifests/"), 5, "{:?}", sp.seen());
    assert_eq!(
        dp.count("GET", "/manifests/") + sp.count("GET", "/manifests/"),
        0
    );
    assert_eq!(sp.count("GET", "/tags/list"), 1, "the empty list's tags");
    // And nothing else (HTTP requests; the scheme race's TLS hello is not one): the mirror's
    // /v2/ (DEST must answer before anything starts) and 5 HEADs; the source's listing and 5
    // HEADs.
    let http = |p: &FaultProxy| p.seen().iter().filter(|s| !s.method.is_empty()).count();
    assert_eq!(http(&dp), 6, "{:?}", dp.seen());
    assert_eq!(http(&sp), 6, "{:?}", sp.seen());
    assert_eq!(dp.count("GET", "/blobs/") + sp.count("GET", "/blobs/"), 0);
}

#[test]
fn a_changed_tag_shows_which_platforms_changed_and_moves_only_what_the_destination_lacks() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let dp = FaultProxy::start(&dst.host);
    let cfg = empty_config(src.dir.path());
    let dest = format!("{}/mirror", dp.host);
    let app = |tag: &str| src.reference(&format!("samples/app:{tag}"));
    // mirror/app:v1 holds v2 (both releases' blobs are in the repository), then is synced
    // from v1.
    ok(mt(&cfg, &["sync", &app("v1"), &dest]), "first sync");
    ok(
        mt(&cfg, &["copy", &app("v2"), &dst.reference("mirror/app:v1")]),
        "copy v2 over v1",
    );
    let (plan, r) = our_plan(&cfg, &[&app("v1"), &dest]);
    assert_eq!(r.code, 0, "{}", r.err);
    let image = &plan["plan"][0];
    assert_eq!(image["state"], "changed", "{image}");
    assert_eq!(
        image["targetDigest"],
        samples::list("v2", false).digest.to_string()
    );
    let changed: BTreeSet<String> = image["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] != "identical")
        .map(|p| p["platform"].as_str().unwrap().to_string())
        .collect();
    let want: BTreeSet<String> = samples::CHANGED_IN_V2
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(changed, want, "the diff engine's verdicts: {image}");
    assert!(image["bytes"].as_u64().unwrap() > 0, "{image}");
    // The text plan says the same.
    let r = mt(&cfg, &["sync", "--dry-run", &app("v1"), &dest]);
    assert!(r.out.starts_with("changed "), "{}", r.out);
    assert!(
        r.out.contains("linux/s390x") && r.out.contains("layers changed"),
        "{}",
        r.out
    );
    dp.reset_seen();
    ok(mt(&cfg, &["sync", &app("v1"), &dest]), "re-sync");
    assert_eq!(
        digest_at(&dst.reference("mirror/app:v1")),
        samples::list("v1", false).digest
    );
    assert_eq!(
        dp.count("POST", "/blobs/uploads"),
        0,
        "a blob the destination had was sent: {:?}",
        dp.seen()
    );
    assert_eq!(dp.count("PATCH", ""), 0);
}

#[test]
fn a_missing_repository_or_tag_fails_alone_and_names_its_reason() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let yaml = write_yaml(
        src.dir.path(),
        "sync.yaml",
        &format!(
            "{}:\n  images:\n    samples/app: [v1, nosuchtag]\n    no/such/repo: []\n    samples/app-linux-amd64: [v2]\n",
            src.host
        ),
    );
    let dest = format!("{}/mirror", dst.host);
    let r = mt(&cfg, &["sync", yaml.to_str().unwrap(), &dest]);
    assert_eq!(r.code, 1, "some images failed: {}\n{}", r.out, r.err);
    assert_eq!(
        digest_at(&dst.reference("mirror/app:v1")),
        samples::list("v1", false).digest
    );
    assert_eq!(
        digest_at(&dst.reference("mirror/app-linux-amd64:v2")),
        digest_at(&src.reference("samples/app-linux-amd64:v2"))
    );
    let failures: Vec<&str> = r
        .out
        .lines()
        .filter(|l| l.starts_with("Failed: "))
        .collect();
    assert_eq!(failures.len(), 2, "{}", r.out);
    assert!(
        failures
            .iter()
            .any(|l| l.contains("samples/app:nosuchtag") && l.contains("not found")),
        "{}",
        r.out
    );
    assert!(
        failures
            .iter()
            .any(|l| l.contains("no/such/repo") && l.contains("listing its tags")),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("Synced 2 images (0 already up to date, 2 failed"),
        "{}",
        r.out
    );
    // Again, as JSON: the two copied are up to date, the two failures are named with why.
    let r = mt(
        &cfg,
        &["sync", "--format", "json", yaml.to_str().unwrap(), &dest],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    let outcomes: Vec<(String, String)> = v["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["source"].as_str().unwrap().to_string(),
                i["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let app = src.reference("samples/app");
    let want = [
        (format!("{app}:v1"), "up to date"),
        (format!("{app}:nosuchtag"), "failed"),
        (src.reference("samples/app-linux-amd64:v2"), "up to date"),
    ]
    .map(|(s, o)| (s, o.to_string()));
    assert_eq!(outcomes, want);
    assert_eq!(v["images"][1]["error"], "not found in the source");
    assert!(
        v["problems"][0]["what"]
            .as_str()
            .unwrap()
            .contains("no/such/repo"),
        "{v}"
    );
}

#[test]
fn a_bad_file_or_an_unreachable_destination_starts_nothing_and_exits_2() {
    let src = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let dest = format!("{}/mirror", src.host);
    let bad = write_yaml(
        src.dir.path(),
        "bad.yaml",
        &format!(
            "{}:\n  images:\n    samples/app: [v1]\n  tls-verfy: false\n",
            src.host
        ),
    );
    let r = mt(&cfg, &["sync", bad.to_str().unwrap(), &dest]);
    assert_eq!(r.code, 2, "{}", r.err);
    let path = bad.display().to_string();
    assert!(
        r.err.contains(&path) && r.err.contains("line 4") && r.err.contains("tls-verfy"),
        "{}",
        r.err
    );
    let broken = write_yaml(src.dir.path(), "broken.yaml", "a:\n  images: [\n");
    let r = mt(&cfg, &["sync", broken.to_str().unwrap(), &dest]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err.contains("broken.yaml") && r.err.contains("line"),
        "{}",
        r.err
    );
    let bad_regex = write_yaml(
        src.dir.path(),
        "regex.yaml",
        &format!(
            "{}:\n  images-by-tag-regex:\n    samples/app: \"v(1\"\n",
            src.host
        ),
    );
    let r = mt(&cfg, &["sync", bad_regex.to_str().unwrap(), &dest]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err.contains("line 3") && r.err.contains("images-by-tag-regex"),
        "{}",
        r.err
    );
    // A file that is not there.
    let missing = src.dir.path().join("missing.yaml");
    let r = mt(&cfg, &["sync", missing.to_str().unwrap(), &dest]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("does not exist"), "{}", r.err);
    // A destination that does not answer.
    let closed = common::ClosedPort::new();
    let good = write_yaml(
        src.dir.path(),
        "good.yaml",
        &format!("{}:\n  images:\n    samples/app: [v1]\n", src.host),
    );
    let r = mt(
        &cfg,
        &[
            "sync",
            good.to_str().unwrap(),
            &format!("{}/mirror", closed.host()),
        ],
    );
    assert_eq!(r.code, 2, "{}\n{}", r.out, r.err);
    assert!(r.err.contains("reaching the destination"), "{}", r.err);
}

#[test]
fn platform_makes_filtered_lists_and_a_rerun_writes_nothing() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let dp = FaultProxy::start(&dst.host);
    let cfg = empty_config(src.dir.path());
    let dest = format!("{}/slim", dp.host);
    let source = src.reference("samples/app");
    let args = [
        "sync",
        "--platform",
        "linux/amd64",
        "--platform",
        "linux/arm64",
        &source,
        &dest,
    ];
    let r = ok(mt(&cfg, &args), "sync --platform");
    assert!(r.out.contains("Synced 4 images"), "{}", r.out);
    for tag in ["v1", "v2", "v1-oci", "v2-oci"] {
        let raw = skopeo_inspect_raw(&dst.reference(&format!("slim/app:{tag}")), &[]);
        let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        let platforms: Vec<String> = v["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                format!(
                    "{}/{}",
                    m["platform"]["os"].as_str().unwrap(),
                    m["platform"]["architecture"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(platforms, ["linux/amd64", "linux/arm64"], "{tag}");
        let full = samples::list(tag.trim_end_matches("-oci"), tag.ends_with("-oci"));
        assert_eq!(
            v["mediaType"], full.media_type,
            "{tag}: the list keeps its format"
        );
    }
    dp.reset_seen();
    let r = ok(mt(&cfg, &args), "re-sync --platform");
    assert!(
        r.out.contains("Synced 0 images (4 already up to date"),
        "{}",
        r.out
    );
    assert_eq!(writes(&dp), 0, "{:?}", dp.seen());
}

#[test]
fn scoped_keeps_the_whole_name_and_a_source_port_is_refused_as_by_skopeo() {
    let src = TestRegistry::plain();
    src.seed();
    let cfg = empty_config(src.dir.path());
    let source = src.reference("samples/app:v1");
    // skopeo puts the whole source name (its host:port too) under DEST, which is not a valid
    // reference: it refuses, and so does sync, naming where the image would have landed.
    let (_, sk) = skopeo_selection("docker", &source, "127.0.0.1:9/mirror", &["--scoped"]);
    assert!(
        sk.err.contains("invalid reference format"),
        "skopeo: {}",
        sk.err
    );
    let dest = format!("{}/mirror", src.host);
    let r = mt(&cfg, &["sync", "--scoped", &source, &dest]);
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    assert!(
        r.out.contains(&format!("would land at {dest}/{source}")),
        "{}",
        r.out
    );
}

#[test]
fn referrers_come_along_and_a_rerun_writes_nothing() {
    use manifest_tui::attest::referrers_tag;
    let src = TestRegistry::plain();
    let a = samples::attest::seed_attested_blocking(&src.url).expect("seed the attested release");
    let dst = TestRegistry::plain();
    let dp = FaultProxy::start(&dst.host);
    let cfg = empty_config(src.dir.path());
    let source = src.reference(&format!("{}:v1", samples::attest::ATTESTED_REPO));
    let dest = format!("{}/mirror", dp.host);
    let r = ok(
        mt(&cfg, &["sync", "--referrers", &source, &dest]),
        "sync --referrers",
    );
    assert!(r.out.contains("Synced 1 images"), "{}", r.out);
    assert_eq!(
        digest_at(&dst.reference("mirror/attested:v1")),
        a.index.digest
    );
    // The index's signature, listed under its sha256-<hex> tag (Distribution 2.8 has no
    // referrers API), as the source lists it.
    let tag = referrers_tag(&a.index.digest);
    assert_eq!(
        skopeo_inspect_raw(&dst.reference(&format!("mirror/attested:{tag}")), &[]),
        skopeo_inspect_raw(
            &src.reference(&format!("{}:{tag}", samples::attest::ATTESTED_REPO)),
            &[]
        ),
    );
    dp.reset_seen();
    let r = ok(
        mt(&cfg, &["sync", "--referrers", &source, &dest]),
        "re-sync --referrers",
    );
    assert!(r.out.contains("1 already up to date"), "{}", r.out);
    assert_eq!(writes(&dp), 0, "{:?}", dp.seen());
}

/// The run copies at most `IMAGES_AT_ONCE` images at a time: with every image's manifest PUT
/// held at a gate, exactly that many images have sent blob requests, and no other starts
/// until one ends.
#[test]
fn at_most_images_at_once_are_copied_at_a_time() {
    use common::faultproxy::{Action, Gate};
    use manifest_tui::ops::IMAGES_AT_ONCE;
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let dp = FaultProxy::start(&dst.host);
    let gate = Gate::new();
    let g = gate.clone();
    dp.rule(
        "PUT",
        "/manifests/",
        Action::Intercept(std::sync::Arc::new(move |_| {
            g.wait();
            None
        })),
        None,
    );
    let cfg = empty_config(src.dir.path());
    let mut text = format!("{}:\n  images:\n", src.host);
    for p in samples::PLATFORMS {
        text.push_str(&format!("    {}: [v1]\n", samples::image_repo(p, false)));
    }
    let yaml = write_yaml(src.dir.path(), "six.yaml", &text);
    let dest = format!("{}/mirror", dp.host);
    let run = std::thread::spawn(move || mt(&cfg, &["sync", yaml.to_str().unwrap(), &dest]));
    gate.wait_for_arrivals(IMAGES_AT_ONCE);
    let started: BTreeSet<String> = dp
        .seen()
        .iter()
        .filter_map(|s| {
            s.target
                .split_once("/blobs/")
                .map(|(repo, _)| repo.to_string())
        })
        .collect();
    assert_eq!(
        started.len(),
        IMAGES_AT_ONCE,
        "images under way: {started:?}"
    );
    assert_eq!(gate.arrivals(), IMAGES_AT_ONCE);
    gate.open();
    let r = ok(run.join().expect("the sync thread"), "sync");
    assert!(
        r.out
            .contains("Synced 6 images (0 already up to date, 0 failed"),
        "{}",
        r.out
    );
}

#[test]
fn a_sync_within_one_registry_mounts_every_image_whole() {
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = empty_config(reg.dir.path());
    let r = mt(
        &cfg,
        &[
            "sync",
            &reg.reference("samples/app"),
            &reg.reference("mirror"),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    for (tag, oci) in [
        ("v1", false),
        ("v1-oci", true),
        ("v2", false),
        ("v2-oci", true),
    ] {
        let raw = skopeo_inspect_raw(&reg.reference(&format!("mirror/app:{tag}")), &[]);
        assert_eq!(
            Digest::sha256(&raw),
            samples::list(&tag[..2], oci).digest,
            "{tag}"
        );
    }
}
