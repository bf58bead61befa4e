//! `diff` says why two lists differ, per platform, against the real registry: the seeded
//! pairs (`samples::pairs`) have differences known by construction, and each must come out
//! as built, in the table, in the JSON and in the per-platform view; the exit code follows
//! `--strict`. Images built here (real gzip at two levels: other blobs, the same
//! uncompressed content) check that the verdict follows the content and that the verdict,
//! the layer rows and the totals agree.

mod common;

use common::cli::{mt, Run};

use common::TestRegistry;
use manifest_tui::ops::{ConfigField, DiffStatus};
use mt_testkit::samples::pairs;
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

// ---------------------------------------------------------------------------------------
// Verdicts that follow the content: images built here
// ---------------------------------------------------------------------------------------

/// gzip (RFC 1952) of `data` with real deflate at `level` (1 fastest .. 9 best).
fn gzip(data: &[u8], level: u8) -> Vec<u8> {
    let xfl = match level {
        9 => 2,
        1 => 4,
        _ => 0,
    };
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, level));
    out.extend(mt_testkit::samples::crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// One layer: its tar (the uncompressed content) and the step that made it.
#[derive(Clone)]
struct Layer {
    tar: Vec<u8>,
    step: String,
}

fn layer(platform: &str, name: &str) -> Layer {
    // Text that compresses, differently at each level.
    let text: String = (0..600)
        .map(|i| format!("{name} for {platform}: line {i}, value {}\n", i * i % 97))
        .collect();
    Layer {
        tar: mt_testkit::samples::tar_one_file(&format!("{name}.txt"), text.as_bytes()),
        step: format!("COPY {name} /{name}"),
    }
}

/// An image of these layers, each gzipped at `level`, with a config that lists their
/// diff ids and steps and carries `version`.
fn built(
    platform: &str,
    layers: &[&Layer],
    level: u8,
    version: &str,
    oci: bool,
) -> mt_testkit::samples::SampleImage {
    let plat = mt_testkit::samples::platform(platform);
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| manifest_tui::digest::Digest::sha256(&l.tar).to_string())
        .collect();
    let history: Vec<Value> = layers
        .iter()
        .map(|l| serde_json::json!({"created": "2026-03-01T00:00:00Z", "created_by": l.step}))
        .collect();
    let mut cfg = serde_json::json!({
        "architecture": plat.architecture, "os": plat.os,
        "created": "2026-03-01T00:00:00Z",
        "config": {"Cmd": ["/bin/true"], "Labels": {"version": version}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    if !plat.variant.is_empty() {
        cfg["variant"] = serde_json::json!(plat.variant);
    }
    let config = serde_json::to_vec(&cfg).unwrap();
    let blobs = layers.iter().map(|l| gzip(&l.tar, level)).collect();
    let mut img = mt_testkit::samples::image_of(config, blobs, oci);
    img.repo = BUILT_REPO.to_string();
    img.platform = plat;
    img
}

const BUILT_REPO: &str = "verdicts/app";

/// What one platform of the built lists must show.
struct Case {
    platform: &'static str,
    status: &'static str,
    kinds: &'static [&'static str],
    fields: &'static [&'static str],
    /// Words of the one-line why.
    why: &'static str,
}

const CASES: [Case; 6] = [
    Case {
        platform: "linux/amd64",
        status: "format-only",
        kinds: &["same-content"; 3],
        fields: &[],
        why: "3 of 3 layers recompressed",
    },
    Case {
        platform: "linux/arm64/v8",
        status: "config-only",
        kinds: &["same-content"; 3],
        fields: &["labels"],
        why: "labels",
    },
    Case {
        platform: "linux/arm/v7",
        status: "layers-changed",
        kinds: &["shared", "shared", "moved"],
        fields: &["history"],
        why: "1 of 3 layers, +0 B -0 B",
    },
    Case {
        platform: "linux/ppc64le",
        status: "layers-changed",
        kinds: &["shared", "shared", "shared", "only-b"],
        fields: &["history"],
        why: "1 of 4 layers, +",
    },
    Case {
        platform: "linux/s390x",
        status: "layers-changed",
        kinds: &["shared", "shared", "only-a"],
        fields: &["history"],
        why: "1 of 3 layers, +0 B -",
    },
    Case {
        platform: "linux/riscv64",
        status: "format-only",
        kinds: &["shared"; 3],
        fields: &[],
        why: "docker → oci",
    },
];

/// A list of these images (pushed by digest) under `tag`.
fn built_list(
    tag: &str,
    children: Vec<mt_testkit::samples::SampleImage>,
) -> mt_testkit::samples::SampleList {
    let mt = manifest_tui::media::DOCKER_LIST;
    let manifest = mt_testkit::samples::list_body(mt, &children);
    mt_testkit::samples::SampleList {
        repo: BUILT_REPO.to_string(),
        tag: tag.to_string(),
        media_type: mt,
        digest: manifest_tui::digest::Digest::sha256(&manifest),
        manifest,
        children,
    }
}

/// Base (`a`) and the cases (`b`), one platform each, as [`CASES`] says.
fn built_lists() -> (
    mt_testkit::samples::SampleList,
    mt_testkit::samples::SampleList,
) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for c in &CASES {
        let p = c.platform;
        let [l0, l1, l2, l3] = ["base", "deps", "app", "extra"].map(|n| layer(p, n));
        a.push(built(p, &[&l0, &l1, &l2], 1, "1", false));
        b.push(match p {
            "linux/amd64" => built(p, &[&l0, &l1, &l2], 9, "1", false),
            "linux/arm64/v8" => built(p, &[&l0, &l1, &l2], 9, "2", true),
            "linux/arm/v7" => built(p, &[&l0, &l2, &l1], 1, "1", false),
            "linux/ppc64le" => built(p, &[&l0, &l1, &l2, &l3], 1, "1", false),
            "linux/s390x" => built(p, &[&l0, &l1], 1, "1", false),
            _ => built(p, &[&l0, &l1, &l2], 1, "1", true),
        });
    }
    (built_list("base", a), built_list("cases", b))
}

#[test]
fn built_layers_gzip_at_two_levels_are_other_blobs_of_the_same_content() {
    let l = layer("linux/amd64", "base");
    let (fast, best) = (gzip(&l.tar, 1), gzip(&l.tar, 9));
    assert_ne!(fast, best);
    assert!(
        best.len() < l.tar.len() / 2,
        "{} of {}",
        best.len(),
        l.tar.len()
    );
    for gz in [&fast, &best] {
        let body = &gz[10..gz.len() - 8];
        assert_eq!(
            miniz_oxide::inflate::decompress_to_vec(body).unwrap(),
            l.tar
        );
        let crc = u32::from_le_bytes(gz[gz.len() - 8..gz.len() - 4].try_into().unwrap());
        assert_eq!(crc, mt_testkit::samples::crc32(&l.tar));
    }
}

#[test]
fn verdicts_rows_and_totals_follow_the_content_of_images_built_here() {
    let reg = TestRegistry::plain();
    let (la, lb) = built_lists();
    let url = reg.url.clone();
    let (pa, pb) = (la.clone(), lb.clone());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let s = mt_testkit::samples::Seeder::new(&url, None)?;
            let (mut have, mut out) = (Default::default(), Default::default());
            s.push_list(&pa, &mut have, &mut out).await?;
            s.push_list(&pb, &mut have, &mut out).await
        })
        .unwrap_or_else(|e| panic!("push the built lists: {e}\n{}", reg.log()));
    let cfg = tempfile::tempdir().unwrap();
    let at = |t: &str| format!("{}/{BUILT_REPO}:{t}", reg.host);
    let (a, b) = (at("base"), at("cases"));

    let r = mt(cfg.path(), &["diff", "--format", "json", &a, &b]);
    let v = json(&r, "diff of the built lists");
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(v["differs"], true);
    let rows = v["platforms"].as_array().expect("platforms");
    assert_eq!(rows.len(), CASES.len(), "{v:#}");
    let table = mt(cfg.path(), &["diff", &a, &b]);
    assert!(
        table.out.contains(
            "0 identical, 2 format only, 1 config only, 3 layers changed, 0 only in A, 0 only in B"
        ),
        "{}",
        table.out
    );
    for (i, c) in CASES.iter().enumerate() {
        let what = c.platform;
        let row = rows
            .iter()
            .find(|x| x["platform"] == c.platform)
            .unwrap_or_else(|| panic!("no row {what}:\n{v:#}"));
        assert_eq!(row["status"], c.status, "{what}:\n{row:#}");
        assert_eq!(row["config_fields"], serde_json::json!(c.fields), "{what}");
        assert_eq!(row["a"]["digest"], la.children[i].digest.as_str(), "{what}");
        assert_eq!(row["b"]["digest"], lb.children[i].digest.as_str(), "{what}");
        let line = table
            .out
            .lines()
            .find(|l| l.starts_with(&format!("{what} ")))
            .unwrap_or_else(|| panic!("no table line for {what}:\n{}", table.out));
        let label = c.status.replace('-', " ");
        assert!(
            line.contains(&label) && line.contains(c.why),
            "{what}: {line}"
        );

        // The platform's own view: the rows, and the verdict and totals read off them.
        let args = ["diff", &a, &b, "--platform", what, "--format", "json"];
        let r = mt(cfg.path(), &args);
        let p = json(&r, what);
        let same_image = c.status == "format-only";
        assert_eq!(r.code, if same_image { 0 } else { 1 }, "{what}: {}", r.err);
        assert_eq!(p["status"], row["status"], "{what}");
        assert_eq!(p["totals"], row["totals"], "{what}");
        let layers = p["layers"].as_array().expect("layers");
        let kinds: Vec<&str> = layers.iter().map(|l| l["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, c.kinds, "{what}:\n{p:#}");
        let t = &p["totals"];
        let matched = kinds
            .iter()
            .filter(|k| matches!(**k, "shared" | "same-content"))
            .count();
        let n = |k: &str| t[k].as_u64().unwrap() as usize;
        assert_eq!(n("shared"), matched, "{what}: {t:#}");
        assert_eq!(n("changed"), kinds.len() - matched, "{what}: {t:#}");
        assert_eq!(
            c.status == "layers-changed",
            n("changed") > 0,
            "{what}: {t:#}"
        );
        let on = |side: &str| layers.iter().filter(|l| !l[side].is_null()).count();
        assert_eq!((n("layers_a"), n("layers_b")), (on("a"), on("b")), "{what}");
        // Bytes added: B's blobs that A lacks, by the digests in the rows.
        let digests = |side: &str| -> Vec<(String, i64)> {
            layers
                .iter()
                .filter_map(|l| {
                    let x = &l[side];
                    x["digest"]
                        .as_str()
                        .map(|d| (d.to_string(), x["size"].as_i64().unwrap()))
                })
                .collect()
        };
        let (da, db) = (digests("a"), digests("b"));
        let added: i64 = db
            .iter()
            .filter(|(d, _)| !da.iter().any(|(x, _)| x == d))
            .map(|(_, s)| s)
            .sum();
        assert_eq!(t["bytes_added"].as_i64(), Some(added), "{what}: {t:#}");
        // The rows name the blobs pushed, side by side.
        let pushed = |img: &mt_testkit::samples::SampleImage| -> Vec<String> {
            img.blobs[1..].iter().map(|(d, _)| d.to_string()).collect()
        };
        let mut got_b: Vec<String> = db.iter().map(|(d, _)| d.clone()).collect();
        let mut got_a: Vec<String> = da.iter().map(|(d, _)| d.clone()).collect();
        assert_eq!(got_b, pushed(&lb.children[i]), "{what}: B in B's order");
        got_a.sort();
        got_b = pushed(&la.children[i]);
        got_b.sort();
        assert_eq!(got_a, got_b, "{what}: every layer of A");
        // Same content: other blobs with the same diff id.
        for l in layers.iter().filter(|l| l["kind"] == "same-content") {
            assert_ne!(l["a"]["digest"], l["b"]["digest"], "{what}");
            assert_eq!(l["a"]["diff_id"], l["b"]["diff_id"], "{what}");
        }
    }

    // The text view of the case says the same as the JSON.
    let r = mt(cfg.path(), &["diff", &a, &b, "--platform", "linux/arm64"]);
    for want in [
        "platform linux/arm64/v8: config only (labels)",
        "same content",
        "layers: A 3, B 3; 0 of 3 changed, 3 shared (3 recompressed)",
        "- version=1",
        "+ version=2",
    ] {
        assert!(r.out.contains(want), "{want:?} missing:\n{}", r.out);
    }
    let r = mt(cfg.path(), &["diff", &a, &b, "--platform", "linux/s390x"]);
    assert!(
        r.out
            .contains("layers: A 3, B 2; 1 of 3 changed (1 removed), 2 shared"),
        "{}",
        r.out
    );
}
