//! `diff` says why two lists differ, per platform, against the real registry: the seeded
//! pairs (`samples::pairs`) have differences known by construction, and each must come out
//! as built, in the table, in the JSON and in the per-platform view; the exit code follows
//! `--strict`.

mod common;

use common::cli::{mt, Run};

use common::TestRegistry;
use manifest_tui::ops::{ConfigField, DiffStatus};
use manifest_tui::samples::pairs;
use serde_json::Value;

fn json(r: &Run, what: &str) -> Value {
    serde_json::from_str(&r.out)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{}\nstderr: {}", r.out, r.err))
}

#[test]
fn each_pair_is_classified_as_it_was_built() {
    let reg = TestRegistry::plain();
    reg.seed_pairs();
    let cfg = tempfile::tempdir().unwrap();
    for pair in pairs::pairs() {
        let (a, b) = (pair.a_ref(&reg.host), pair.b_ref(&reg.host));
        let r = mt(cfg.path(), &["diff", "--format", "json", &a, &b]);
        let v = json(&r, pair.name);
        let rows = v["platforms"].as_array().expect("platforms");
        assert_eq!(rows.len(), pair.expect.len(), "{}: {}", pair.name, r.out);
        for want in &pair.expect {
            let row = rows
                .iter()
                .find(|x| x["platform"] == want.platform)
                .unwrap_or_else(|| panic!("{}: no row {}:\n{}", pair.name, want.platform, r.out));
            let what = format!("{} / {}", pair.name, want.platform);
            assert_eq!(
                row["status"],
                serde_json::json!(want.status),
                "{what}:\n{row:#}"
            );
            assert_eq!(
                row["config_fields"],
                serde_json::json!(want.fields),
                "{what}:\n{row:#}"
            );
            if let Some((changed, of)) = want.layers {
                assert_eq!(row["totals"]["changed"], changed, "{what}:\n{row:#}");
                assert_eq!(row["totals"]["layers_b"], of, "{what}:\n{row:#}");
            }
            assert!(row["problem"].is_null(), "{what}:\n{row:#}");
            assert_eq!(
                row["attestations"],
                serde_json::json!(want.attestations),
                "{what}:\n{row:#}"
            );
        }
        // The lists' attestations as a whole say the same as each platform's.
        let att = pair.expect[0].attestations;
        assert_eq!(v["attestations"], serde_json::json!(att), "{}", pair.name);
        // Format-only is the same image: exit 0, unless --strict (attestations alone do not
        // make a difference: the images a host runs are the same).
        let format_only = pair
            .expect
            .iter()
            .all(|e| matches!(e.status, DiffStatus::Same | DiffStatus::FormatOnly));
        assert_eq!(r.code, if format_only { 0 } else { 1 }, "{}", pair.name);
        assert_eq!(v["differs"], !format_only, "{}", pair.name);
        let strict = mt(cfg.path(), &["diff", "--strict", &a, &b]);
        let identical = pair.expect.iter().all(|e| e.status == DiffStatus::Same);
        assert_eq!(
            strict.code,
            if identical { 0 } else { 1 },
            "{} --strict: {}",
            pair.name,
            strict.out
        );
    }
}

#[test]
fn the_table_says_why_and_counts_each_kind() {
    let reg = TestRegistry::plain();
    reg.seed_pairs();
    let cfg = tempfile::tempdir().unwrap();
    let at = |t: &str| format!("{}/{}:{t}", reg.host, pairs::REPO);
    let r = mt(cfg.path(), &["diff", &at("v1"), &at("v1-oci")]);
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    assert!(
        r.out
            .contains("0 identical, 3 format only, 0 only in A, 0 only in B"),
        "{}",
        r.out
    );
    assert!(r.out.contains("docker → oci"), "{}", r.out);
    let r = mt(cfg.path(), &["diff", &at("v1"), &at("label")]);
    assert_eq!(r.code, 1);
    for p in pairs::PLATFORMS {
        let line = r
            .out
            .lines()
            .find(|l| l.starts_with(&format!("{p} ")))
            .unwrap_or_else(|| panic!("no line for {p}:\n{}", r.out));
        assert!(
            line.contains("config only") && line.contains("labels"),
            "{line}"
        );
    }
    let r = mt(cfg.path(), &["diff", &at("v1"), &at("platforms")]);
    assert!(
        r.out.contains("2 identical, 1 only in A, 1 only in B"),
        "{}",
        r.out
    );
    let r = mt(cfg.path(), &["diff", &at("v1"), &at("rebuilt")]);
    assert!(r.out.contains("1 of 3 layers"), "{}", r.out);
}

#[test]
fn one_platform_layers_side_by_side_config_fields_and_totals() {
    let reg = TestRegistry::plain();
    reg.seed_pairs();
    let cfg = tempfile::tempdir().unwrap();
    let at = |t: &str| format!("{}/{}:{t}", reg.host, pairs::REPO);
    // `linux/arm64` names the list's linux/arm64/v8.
    let args = [
        "diff",
        &at("v1"),
        &at("newbase"),
        "--platform",
        "linux/arm64",
    ];
    let r = mt(cfg.path(), &args);
    assert_eq!(r.code, 1, "{}\n{}", r.out, r.err);
    for want in [
        "platform linux/arm64/v8: layers changed (2 of 4 layers",
        "ADD base-2.0.tar /",
        "RUN update-ca-certificates",
        "COPY deps /deps",
        "history:",
        "+ ADD base-2.0.tar /",
        "- ADD base-1.0.tar /",
        "a host with A pulls",
    ] {
        assert!(r.out.contains(want), "{want:?} missing:\n{}", r.out);
    }
    let mut with_json = args.to_vec();
    with_json.extend(["--format", "json"]);
    let r = mt(cfg.path(), &with_json);
    let v = json(&r, "--platform --format json");
    let kinds: Vec<&str> = v["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["replaced", "only-b", "shared", "shared"], "{v:#}");
    // deps: position 1 in A, 2 in B (aligned by digest).
    assert_eq!(v["layers"][2]["a"]["index"], 1);
    assert_eq!(v["layers"][2]["b"]["index"], 2);
    assert_eq!(v["layers"][2]["b"]["step"], "COPY deps /deps");
    assert_eq!(
        v["config"][0]["field"],
        serde_json::json!(ConfigField::History)
    );
    let t = &v["totals"];
    let sizes = |side: &str| -> i64 {
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["kind"] != "shared")
            .filter_map(|l| l[side]["size"].as_i64())
            .sum()
    };
    assert_eq!(t["bytes_added"].as_i64(), Some(sizes("b")), "{t:#}");
    assert_eq!(t["bytes_removed"].as_i64(), Some(sizes("a")), "{t:#}");
    assert!(
        t["pull_for_b"].as_i64() > t["bytes_added"].as_i64(),
        "{t:#}"
    );

    // A platform neither side has: a clear error naming those there are.
    let r = mt(
        cfg.path(),
        &[
            "diff",
            &at("v1"),
            &at("newbase"),
            "--platform",
            "linux/s390x",
        ],
    );
    assert_eq!(r.code, 2, "trouble, not \"different\"");
    assert!(
        r.err.contains("linux/s390x") && r.err.contains("linux/arm/v7"),
        "{}",
        r.err
    );
    // A mistyped one is refused before any request.
    let r = mt(
        cfg.path(),
        &["diff", &at("v1"), &at("newbase"), "--platform", "linux"],
    );
    assert_eq!(r.code, 2, "trouble, not \"different\"");
    assert!(r.err.contains("--platform"), "{}", r.err);
}

#[test]
fn a_local_draft_against_the_tag_it_will_push_to() {
    let reg = TestRegistry::plain();
    reg.seed_pairs();
    let cfg = tempfile::tempdir().unwrap();
    let at = |t: &str| format!("{}/{}:{t}", reg.host, pairs::REPO);
    // A draft of the rebuilt list, to be pushed over v1: what will change?
    let r = mt(cfg.path(), &["create", &at("v1"), &at("rebuilt")]);
    assert_eq!(r.code, 0, "create: {}\n{}", r.out, r.err);
    let r = mt(
        cfg.path(),
        &[
            "diff",
            "--local-b",
            &at("v1"),
            &at("v1"),
            "--format",
            "json",
        ],
    );
    let v = json(&r, "draft against its target");
    assert_eq!(v["b"]["label"], format!("{} (local)", at("v1")));
    for row in v["platforms"].as_array().unwrap() {
        assert_eq!(row["status"], "layers-changed", "{row:#}");
        assert_eq!(row["totals"]["changed"], 1, "{row:#}");
    }
    assert_eq!(r.code, 1);
}
