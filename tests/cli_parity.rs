//! The CLI against a real registry, with docker and skopeo as independent peers.

mod common;

use common::{args, assert_error_exit, children, skopeo_inspect_raw, TestRegistry};
use manifest_tui::digest::Digest;
use mt_testkit::samples;
use std::path::Path;
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_manifest-tui");

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run_in(prog: &str, config: &Path, args: &[&str]) -> Run {
    let o: Output = common::cli::tool(prog)
        .args(args)
        .env("DOCKER_CONFIG", config)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
    Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn mt(config: &Path, args: &[&str]) -> Run {
    run_in(BIN, config, args)
}

fn ok(r: Run, what: &str) -> Run {
    assert_eq!(
        r.code, 0,
        "{what} failed:\nstdout: {}\nstderr: {}",
        r.out, r.err
    );
    r
}

fn docker(config: &Path, args: &[&str]) -> Run {
    let mut full = vec!["manifest"];
    full.extend_from_slice(args);
    run_in("docker", config, &full)
}

fn skopeo_raw(host: &str, reference: &str) -> Vec<u8> {
    skopeo_inspect_raw(&format!("{host}/{reference}"), &[])
}

#[test]
fn pushed_list_digest_equals_docker_and_peers_read_it() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let kids = children(&host, "v1", false);
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();

    let our_list = format!("{host}/parity/ours:v1");
    let r = ok(
        mt(ours.path(), &args(&["create", &our_list], &kids)),
        "our create",
    );
    assert_eq!(r.out, format!("Created manifest list {our_list}\n"));
    let pushed = ok(mt(ours.path(), &["push", &our_list]), "our push");
    let lines: Vec<&str> = pushed.out.lines().collect();
    assert_eq!(
        lines.len(),
        7,
        "six entries then the digest: {}",
        pushed.out
    );
    assert!(lines[0].starts_with(&format!("Pushed ref {host}/parity/ours@sha256:")));
    let our_digest = Digest::parse(lines[6]).expect("last line is the list digest");

    let docker_list = format!("{host}/parity/docker:v1");
    let r = docker(
        theirs.path(),
        &args(&["create", "--insecure", &docker_list], &kids),
    );
    assert_eq!(r.code, 0, "docker create: {}", r.err);
    let r = docker(theirs.path(), &["push", "--insecure", &docker_list]);
    assert_eq!(r.code, 0, "docker push: {}", r.err);
    let docker_digest = r.out.lines().last().unwrap_or_default().trim().to_string();
    assert_eq!(
        our_digest.as_str(),
        docker_digest,
        "same children, same list bytes"
    );

    // skopeo reads what we pushed, byte for byte.
    let raw = skopeo_raw(&host, "parity/ours:v1");
    assert_eq!(Digest::sha256(&raw), our_digest);
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["manifests"].as_array().unwrap().len(), 6);
}

#[test]
fn docker_reads_and_pushes_our_list_and_we_push_dockers() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let kids = children(&host, "v1", false);
    let cfg = tempfile::tempdir().unwrap();

    // Ours → docker.
    let list = format!("{host}/interop/a:v1");
    ok(
        mt(cfg.path(), &args(&["create", &list], &kids[..3])),
        "create",
    );
    ok(
        mt(
            cfg.path(),
            &["annotate", "--os-features", "f1", &list, &kids[0]],
        ),
        "annotate",
    );
    let r = docker(cfg.path(), &["inspect", "-v", &list, &kids[0]]);
    assert_eq!(r.code, 0, "docker inspect of our store: {}", r.err);
    assert!(
        r.out.contains("\"f1\""),
        "docker sees our annotation: {}",
        r.out
    );
    let r = docker(cfg.path(), &["push", "--insecure", &list]);
    assert_eq!(r.code, 0, "docker push of our list: {}", r.err);
    let docker_digest = r.out.lines().last().unwrap().trim().to_string();
    let raw = skopeo_raw(&host, "interop/a:v1");
    assert_eq!(Digest::sha256(&raw).as_str(), docker_digest);

    // Docker → ours.
    let list2 = format!("{host}/interop/b:v1");
    let r = docker(
        cfg.path(),
        &args(&["create", "--insecure", &list2], &kids[3..]),
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let r = docker(
        cfg.path(),
        &["annotate", &list2, &kids[3], "--variant", "v9"],
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let table = ok(
        mt(cfg.path(), &["inspect", "--format", "table", &list2]),
        "inspect local",
    );
    assert_eq!(table.out.lines().count(), 1 + 1 + 3, "{}", table.out);
    // docker accepted a variant that ppc64le does not have; we refuse before any traffic…
    let refused = mt(cfg.path(), &["push", &list2]);
    assert_error_exit(refused.code, "push of an invalid variant");
    assert!(
        refused.err.contains("power9"),
        "suggests the valid variants: {}",
        refused.err
    );
    // …and pushing works once it is fixed with our annotate, in docker's store.
    ok(
        mt(
            cfg.path(),
            &["annotate", "--variant", "power9", &list2, &kids[3]],
        ),
        "fix variant",
    );
    let pushed = ok(mt(cfg.path(), &["push", &list2]), "push docker's list");
    let digest = pushed.out.lines().last().unwrap().to_string();
    let raw = skopeo_raw(&host, "interop/b:v1");
    assert_eq!(Digest::sha256(&raw).as_str(), digest);
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let variants: Vec<_> = v["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["platform"]["variant"].as_str())
        .collect();
    assert!(variants.contains(&"power9"), "{v}");
}

#[test]
fn inspect_shapes_match_docker() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    let list = format!("{host}/samples/app:v1");
    let image = format!("{host}/samples/app-linux-amd64:v1");

    for target in [&image, &list] {
        let ours = ok(mt(cfg.path(), &["inspect", target]), "inspect");
        let theirs = docker(cfg.path(), &["inspect", "--insecure", target]);
        assert_eq!(theirs.code, 0, "{}", theirs.err);
        assert_eq!(ours.out, theirs.out, "plain inspect of {target}");
        let ours = ok(mt(cfg.path(), &["inspect", "-v", target]), "inspect -v");
        let theirs = docker(cfg.path(), &["inspect", "--insecure", "-v", target]);
        let a: serde_json::Value = serde_json::from_str(&ours.out).unwrap();
        let b: serde_json::Value = serde_json::from_str(&theirs.out).unwrap();
        assert_eq!(a, b, "verbose inspect of {target}");
    }

    let table = ok(
        mt(cfg.path(), &["inspect", "--format", "table", &list]),
        "table",
    );
    let sample = samples::list("v1", false);
    assert!(table.out.contains(sample.digest.as_str()), "{}", table.out);
    for p in samples::PLATFORMS {
        let plat = p.split('/').take(2).collect::<Vec<_>>().join("/");
        assert!(table.out.contains(&plat), "{p} in {}", table.out);
    }
}

/// `inspect LIST ENTRY` of a local list: without `-v` the entry's manifest (its bytes,
/// tab-indented), with `-v` the store entry; byte for byte what docker prints, for lists
/// docker wrote and lists we wrote, Docker and OCI children alike.
#[test]
fn inspect_of_a_local_entry_matches_docker_in_both_shapes() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    for oci in [false, true] {
        let kids = children(&host, "v1", oci);
        let kids = &kids[..2];
        let ours = format!("{host}/entry/ours:v1-oci-{oci}");
        ok(
            mt(cfg.path(), &args(&["create", &ours], kids)),
            "our create",
        );
        let theirs = format!("{host}/entry/docker:v1-oci-{oci}");
        let r = docker(cfg.path(), &args(&["create", "--insecure", &theirs], kids));
        assert_eq!(r.code, 0, "docker create: {}", r.err);
        for list in [&ours, &theirs] {
            for kid in kids {
                let plain = ok(mt(cfg.path(), &["inspect", list, kid]), "inspect LIST REF");
                let d = docker(cfg.path(), &["inspect", list, kid]);
                assert_eq!(d.code, 0, "docker inspect {list} {kid}: {}", d.err);
                assert_eq!(plain.out, d.out, "inspect {list} {kid}");
                // It is the entry's manifest itself, as the registry serves it.
                let (repo, tag) = kid[host.len() + 1..].split_once(':').unwrap();
                let raw = skopeo_raw(&host, &format!("{repo}:{tag}"));
                let served: serde_json::Value = serde_json::from_slice(&raw).unwrap();
                let shown: serde_json::Value = serde_json::from_str(&plain.out).unwrap();
                assert_eq!(shown, served, "inspect {list} {kid} shows the manifest");
                assert!(plain.out.starts_with("{\n\t\""), "{}", plain.out);

                let verbose = ok(
                    mt(cfg.path(), &["inspect", "-v", list, kid]),
                    "inspect -v LIST REF",
                );
                let d = docker(cfg.path(), &["inspect", "-v", list, kid]);
                assert_eq!(d.code, 0, "docker inspect -v {list} {kid}: {}", d.err);
                assert_eq!(verbose.out, d.out, "inspect -v {list} {kid}");
                assert!(verbose.out.contains("\"Raw\": "), "{}", verbose.out);
            }
        }
    }
}

/// docker makes a list named `127.0.0.1:99999/x`; every command of ours, and the TUI before it
/// touches the terminal, refuses a port outside 1-65535, says which, and stores nothing.
#[test]
fn ports_outside_1_to_65535_are_refused_in_every_command() {
    let cfg = tempfile::tempdir().unwrap();
    let good = "127.0.0.1:5000/samples/app:v1";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["create", "127.0.0.1:99999/x", good], "99999"),
        (vec!["create", "127.0.0.1:5000/x:v1", "host:0/img:v1"], "0"),
        (vec!["inspect", "127.0.0.1:65536/x:v1"], "65536"),
        (vec!["inspect", "127.0.0.1:70000/x:v1", good], "70000"),
        (vec!["annotate", "127.0.0.1:99999/x", good], "99999"),
        (vec!["push", "[::1]:0/x:v1"], "0"),
        (vec!["rm", "127.0.0.1:99999/x"], "99999"),
        (vec!["diff", good, "127.0.0.1:99999/x:v1"], "99999"),
        (vec!["127.0.0.1:99999/samples/app"], "99999"),
        (vec!["--registry", "127.0.0.1:99999"], "99999"),
    ];
    for (a, port) in cases {
        let r = mt(cfg.path(), &a);
        // diff's verdict is its exit code, so its errors are 2 ("trouble"); the others' are 1.
        let want = if a[0] == "diff" { 2 } else { 1 };
        assert_eq!(r.code, want, "{a:?}: {}\n{}", r.out, r.err);
        assert!(
            r.err.contains(&format!("has port {port}, outside 1-65535")),
            "{a:?}: {}",
            r.err
        );
        assert!(!r.err.contains("panicked"), "{a:?}: {}", r.err);
    }
    let stored = std::fs::read_dir(cfg.path().join("manifests"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "nothing was stored");
}

#[test]
fn diff_reports_changed_platforms_with_exit_codes() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    let v1 = format!("{host}/samples/app:v1");
    let v2 = format!("{host}/samples/app:v2");
    let same = mt(cfg.path(), &["diff", &v1, &v1]);
    assert_eq!(same.code, 0, "{} {}", same.out, same.err);
    assert!(
        same.out.contains("6 identical, 0 only in A, 0 only in B"),
        "{}",
        same.out
    );
    let d = mt(cfg.path(), &["diff", &v1, &v2]);
    assert_eq!(d.code, 1, "{} {}", d.out, d.err);
    assert!(
        d.out
            .contains("4 identical, 2 layers changed, 0 only in A, 0 only in B"),
        "{}",
        d.out
    );
    for line in d.out.lines() {
        if line.starts_with("linux/arm64") || line.starts_with("linux/s390x") {
            assert!(line.contains("layers changed"), "{line}");
        }
    }
}

#[test]
fn docker_error_cases_have_clearer_messages() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    let list = format!("{host}/errs/list:v1");
    let kid = format!("{host}/samples/app-linux-amd64:v1");

    // Missing child: names it, and nothing is left behind.
    let missing = format!("{host}/samples/app-nope:v1");
    let r = mt(cfg.path(), &["create", &list, &kid, &missing]);
    assert_error_exit(r.code, &r.err);
    assert!(r.err.contains("samples/app-nope"), "{}", r.err);
    assert!(!r.err.contains('\u{1b}'));
    let ls = ok(mt(cfg.path(), &["ls"]), "ls");
    assert!(!ls.out.contains("errs/list"), "no partial list: {}", ls.out);

    // Existing list without --amend.
    ok(mt(cfg.path(), &["create", &list, &kid]), "create");
    let r = mt(cfg.path(), &["create", &list, &kid]);
    assert_error_exit(r.code, &r.err);
    assert!(r.err.contains("--amend"), "{}", r.err);

    // Bad os/arch: the closest valid value is suggested.
    let r = mt(cfg.path(), &["annotate", "--arch", "amd46", &list, &kid]);
    assert_error_exit(r.code, &r.err);
    assert!(r.err.contains("amd64"), "{}", r.err);

    // Entry not in the list.
    let other = format!("{host}/samples/app-linux-s390x:v1");
    let r = mt(cfg.path(), &["annotate", "--variant", "v1", &list, &other]);
    assert_error_exit(r.code, &r.err);
    assert!(r.err.contains("does not exist in"), "{}", r.err);

    // Unknown list.
    let nolist = format!("{host}/errs/none:v1");
    for cmd in ["push", "rm"] {
        let r = mt(cfg.path(), &[cmd, &nolist]);
        assert_error_exit(r.code, cmd);
        assert!(r.err.contains("No such manifest list"), "{cmd}: {}", r.err);
    }

    // A child that is itself a list is expanded, not refused.
    let expanded = format!("{host}/errs/expanded:v1");
    ok(
        mt(
            cfg.path(),
            &["create", &expanded, &format!("{host}/samples/app:v1-oci")],
        ),
        "create from an index",
    );
    let t = ok(
        mt(cfg.path(), &["inspect", "--format", "table", &expanded]),
        "table",
    );
    assert_eq!(t.out.lines().count(), 2 + 6, "{}", t.out);

    // Duplicate platforms are refused with both refs named.
    let dup = format!("{host}/errs/dup:v1");
    let oci_amd64 = format!("{host}/samples/app-oci-linux-amd64:v1");
    let r = mt(cfg.path(), &["create", &dup, &kid, &oci_amd64]);
    assert_error_exit(r.code, &r.err);
    assert!(
        r.err.contains("duplicate platform") && r.err.contains("app-oci-linux-amd64"),
        "{}",
        r.err
    );
}

#[test]
fn failed_push_keeps_the_list_and_a_retry_completes() {
    let mut reg = TestRegistry::plain();
    reg.seed();
    // One address across the registry's restart (which binds a port afresh): a proxy's.
    let proxy = common::faultproxy::FaultProxy::start(&reg.host);
    let host = proxy.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    let list = format!("{host}/retry/list:v1");
    let kids = children(&host, "v1", false);
    ok(mt(cfg.path(), &args(&["create", &list], &kids)), "create");
    let before = ok(mt(cfg.path(), &["inspect", "-v", &list]), "inspect local").out;

    reg.stop();
    // Down: connections to it are refused (not sent to whoever has its old port now).
    let down = common::ClosedPort::new();
    proxy.set_upstream(&down.host());
    let r = mt(cfg.path(), &["push", "--purge", &list]);
    assert_error_exit(r.code, "push to a stopped registry");
    assert!(r.err.contains(&host), "names the registry: {}", r.err);
    let after = ok(
        mt(cfg.path(), &["inspect", "-v", &list]),
        "list still there",
    )
    .out;
    assert_eq!(before, after, "the draft is unchanged");

    reg.restart();
    proxy.set_upstream(&reg.host);
    let r = ok(mt(cfg.path(), &["push", "--purge", &list]), "push again");
    let digest = r.out.lines().last().unwrap().to_string();
    assert_eq!(
        Digest::sha256(&skopeo_raw(&host, "retry/list:v1")).as_str(),
        digest
    );
    let ls = ok(mt(cfg.path(), &["ls"]), "ls");
    assert!(
        !ls.out.contains("retry/list"),
        "purged after success: {}",
        ls.out
    );
}

#[test]
fn cross_registry_children_are_copied() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let cfg = tempfile::tempdir().unwrap();
    let kids = children(&src.host, "v1", true);
    let list = format!("{}/copied/app:v1", dst.host);
    ok(
        mt(cfg.path(), &args(&["create", &list], &kids[..2])),
        "create across registries",
    );
    let r = ok(mt(cfg.path(), &["push", &list]), "push copies blobs");
    let digest = r.out.lines().last().unwrap().to_string();
    let raw = skopeo_raw(&dst.host, "copied/app:v1");
    assert_eq!(Digest::sha256(&raw).as_str(), digest);
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(
        v["mediaType"],
        manifest_tui::media::OCI_INDEX,
        "OCI children give an OCI index"
    );
    // Each child, config and layer is really on the destination.
    for m in v["manifests"].as_array().unwrap() {
        let d = m["digest"].as_str().unwrap();
        skopeo_raw(&dst.host, &format!("copied/app@{d}"));
    }
}

#[test]
fn oci_annotations_round_trip() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    let list = format!("{host}/ann/app:v1");
    let kids = children(&host, "v1", false);
    ok(
        mt(
            cfg.path(),
            &args(&["create", "--format", "oci", &list], &kids[..2]),
        ),
        "create oci",
    );
    ok(
        mt(
            cfg.path(),
            &[
                "annotate",
                "--annotation",
                "org.example.note=<hi>",
                &list,
                "linux/amd64",
            ],
        ),
        "annotate",
    );
    ok(mt(cfg.path(), &["push", &list]), "push");
    let raw = skopeo_raw(&host, "ann/app:v1");
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["mediaType"], manifest_tui::media::OCI_INDEX);
    let notes: Vec<_> = v["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["annotations"]["org.example.note"].as_str())
        .collect();
    assert_eq!(notes, ["<hi>"]);
}

#[test]
fn unchanged_repush_is_a_no_op() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    let list = format!("{host}/again/app:v1");
    ok(
        mt(
            cfg.path(),
            &args(&["create", &list], &children(&host, "v1", false)),
        ),
        "create",
    );
    let a = ok(mt(cfg.path(), &["push", &list]), "push");
    let b = ok(mt(cfg.path(), &["push", &list]), "push again");
    assert_eq!(a.out.lines().last(), b.out.lines().last(), "same digest");
    // And it is the digest of what the registry holds, hashed from skopeo's bytes.
    let raw = skopeo_inspect_raw(&list, &[]);
    assert_eq!(b.out.lines().last(), Some(Digest::sha256(&raw).as_str()));
}

#[test]
fn attestations_are_left_out_of_an_expanded_index_unless_asked_for() {
    let reg = TestRegistry::plain();
    reg.seed();
    let host = reg.host.clone();
    let cfg = tempfile::tempdir().unwrap();
    // An OCI index like buildx writes: six images plus an attestation manifest
    // (unknown/unknown, vnd.docker.reference.type) pointing at one of them.
    let list = samples::list("v1", true);
    let mut manifests: Vec<serde_json::Value> = list
        .children
        .iter()
        .map(samples::SampleImage::descriptor_json)
        .collect();
    // Its own manifest (a real attestation is one): the v2 arm64 image, which v1 lacks.
    let v2 = samples::list("v2", true);
    let att = v2
        .children
        .iter()
        .find(|c| !list.children.iter().any(|k| k.digest == c.digest))
        .expect("a v2 child that v1 does not have");
    let mut attestation = att.descriptor_json();
    attestation["platform"] = serde_json::json!({"architecture": "unknown", "os": "unknown"});
    attestation["annotations"] = serde_json::json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": att.digest.as_str(),
    });
    manifests.push(attestation);
    let index = serde_json::to_vec_pretty(&serde_json::json!({
        "schemaVersion": 2, "mediaType": manifest_tui::media::OCI_INDEX, "manifests": manifests,
    }))
    .unwrap();
    common::put_manifest(
        &reg.url,
        samples::LIST_REPO,
        "with-attestation",
        manifest_tui::media::OCI_INDEX,
        &index,
    );
    let src = format!("{host}/samples/app:with-attestation");

    let plain = format!("{host}/att/plain:v1");
    ok(
        mt(cfg.path(), &["create", &plain, &src]),
        "create from the index",
    );
    let t = ok(
        mt(cfg.path(), &["inspect", "--format", "table", &plain]),
        "table",
    );
    assert_eq!(t.out.lines().count(), 2 + 6, "six entries: {}", t.out);
    assert!(!t.out.contains("unknown"), "{}", t.out);
    assert!(!t.out.contains("attestation"), "{}", t.out);

    let all = format!("{host}/att/all:v1");
    ok(
        mt(
            cfg.path(),
            &["create", "--include-attestations", &all, &src],
        ),
        "create with attestations",
    );
    let t = ok(
        mt(cfg.path(), &["inspect", "--format", "table", &all]),
        "table",
    );
    assert_eq!(t.out.lines().count(), 2 + 7, "{}", t.out);
    // The table names an attestation entry as such (under the platform it describes).
    assert!(t.out.contains("└ attestation"), "{}", t.out);
}
