//! `inspect --format json`, `--format table` and `--config` against the real registry, with
//! skopeo as the independent reader of the configs.

mod common;

use common::cli::{mt, ok};

use common::{assert_error_exit, TestRegistry};
use manifest_tui::image::ConfigFile;
use mt_testkit::samples::details::{self, webapp};
use mt_testkit::samples::SampleImage;

/// Config plus layers, from the sample's own blobs.
fn compressed_size(img: &SampleImage) -> u64 {
    img.blobs.iter().map(|(_, b)| b.len() as u64).sum()
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// A registry with every sample, an empty config directory, the webapp release and its
/// reference on that registry.
fn seeded_webapp() -> (TestRegistry, tempfile::TempDir, details::WebApp, String) {
    let reg = TestRegistry::plain();
    reg.seed();
    let w = webapp();
    let list = format!("{}/{}", reg.host, w.reference());
    (reg, tempfile::tempdir().unwrap(), w, list)
}

#[test]
fn json_view_has_one_shape_for_a_list_and_an_image() {
    let (reg, cfg, w, list) = seeded_webapp();
    let r = ok(
        mt(cfg.path(), &["inspect", "--format", "json", &list]),
        "json of the list",
    );
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["list"], true);
    assert_eq!(v["digest"], w.digest.as_str());
    assert_eq!(v["size"], w.index.len());
    let plats = v["platforms"].as_array().unwrap();
    assert_eq!(plats.len(), details::PLATFORMS.len());
    for ((p, img), name) in plats.iter().zip(&w.images).zip(details::PLATFORMS) {
        let config = ConfigFile::parse(&img.blobs[0].1).unwrap();
        assert_eq!(p["platform"], name);
        assert_eq!(p["digest"], img.digest.as_str());
        assert_eq!(p["manifestSize"], img.manifest.len());
        assert_eq!(p["size"], compressed_size(img), "{name}");
        assert_eq!(p["layers"], 3);
        assert_eq!(p["created"], config.created.clone().unwrap());
        assert_eq!(p["error"], serde_json::Value::Null);
        let c = &p["config"];
        assert_eq!(c["digest"], img.blobs[0].0.as_str());
        assert_eq!(
            c["entrypoint"],
            serde_json::json!(["/usr/local/bin/webapp"])
        );
        assert_eq!(
            c["exposedPorts"],
            serde_json::json!(["8080/tcp", "9090/tcp"])
        );
        assert_eq!(c["user"], "10001:10001");
        assert_eq!(
            c["labels"]["org.opencontainers.image.version"],
            details::VERSION
        );
        assert_eq!(c["historySteps"], config.history.len());
        assert_eq!(c["emptySteps"], config.history.len() - 3);
    }
    // The arm64 image alone, by digest: the same shape, one platform, the same values.
    let one = format!("{}/{}@{}", reg.host, details::REPO, w.images[1].digest);
    let r = ok(
        mt(cfg.path(), &["inspect", "--format", "json", &one]),
        "json of an image",
    );
    let i: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(keys(&i), keys(&v));
    assert_eq!(i["list"], false);
    let ip = i["platforms"].as_array().unwrap();
    assert_eq!(ip.len(), 1);
    assert_eq!(keys(&ip[0]), keys(&plats[1]));
    for k in ["platform", "digest", "size", "layers", "created", "config"] {
        assert_eq!(ip[0][k], plats[1][k], "{k}");
    }
}

#[test]
fn table_gains_size_layers_and_created_and_a_failed_platform_says_why() {
    let (reg, cfg, w, list) = seeded_webapp();
    let r = ok(
        mt(cfg.path(), &["inspect", "--format", "table", &list]),
        "table",
    );
    let lines: Vec<&str> = r.out.lines().collect();
    assert!(lines[1].starts_with("PLATFORM"), "{}", r.out);
    for h in ["SIZE", "LAYERS", "CREATED"] {
        assert!(lines[1].contains(h), "{h} in {}", lines[1]);
    }
    for (img, row) in w.images.iter().zip(&lines[2..]) {
        let created = ConfigFile::parse(&img.blobs[0].1).unwrap().created.unwrap();
        let size = manifest_tui::tui::text::human_size(compressed_size(img) as i64);
        assert!(row.contains(img.digest.as_str()), "{row}");
        assert!(row.contains(&size), "{size} in {row}");
        assert!(row.contains(&created), "{created} in {row}");
    }

    // Tamper with the arm/v7 config: that row has no details, says why under the table, the
    // others still show, and the command fails.
    let bad = &w.images[2];
    std::fs::write(reg.blob_path(&bad.blobs[0].0), b"{\"tampered\":true}").unwrap();
    let r = mt(cfg.path(), &["inspect", "--format", "table", &list]);
    assert_error_exit(r.code, "a table with a failed platform");
    let row = r
        .out
        .lines()
        .find(|l| l.starts_with("linux/arm/v7"))
        .unwrap();
    assert!(row.contains(" - "), "{row}");
    let why = r
        .out
        .lines()
        .find(|l| l.starts_with("details of linux/arm/v7"))
        .unwrap();
    assert!(why.contains("digest"), "names the digest problem: {why}");
    assert!(r.out.contains(
        &ConfigFile::parse(&w.images[0].blobs[0].1)
            .unwrap()
            .created
            .unwrap()
    ));
    let r = mt(cfg.path(), &["inspect", "--format", "json", &list]);
    assert_error_exit(r.code, "json with a failed platform");
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert!(v["platforms"][2]["error"]
        .as_str()
        .unwrap()
        .contains("digest"));
    assert_eq!(v["platforms"][2]["size"], serde_json::Value::Null);
    assert_eq!(v["platforms"][0]["error"], serde_json::Value::Null);
}

#[test]
fn config_prints_the_chosen_platforms_config_as_skopeo_reads_it() {
    let (reg, cfg, w, list) = seeded_webapp();
    let r = ok(
        mt(
            cfg.path(),
            &["inspect", "--config", "--platform", "linux/arm64", &list],
        ),
        "--config of arm64",
    );
    let bytes = &w.images[1].blobs[0].1;
    let want = manifest_tui::media::reindent(bytes, "\t") + "\n";
    assert_eq!(r.out, want);
    let theirs = common::cli::tool("skopeo")
        .args(["inspect", "--tls-verify=false", "--config", "--raw"])
        .args([
            "--override-os",
            "linux",
            "--override-arch",
            "arm64",
            "--override-variant",
            "v8",
        ])
        .arg(format!("docker://{list}"))
        .output()
        .expect("skopeo");
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    assert_eq!(
        theirs.stdout, *bytes,
        "skopeo reads the bytes we reindented"
    );
    let a: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&theirs.stdout).unwrap();
    assert_eq!(a, b);

    // A single image needs no --platform.
    let one = format!("{}/{}@{}", reg.host, details::REPO, w.images[2].digest);
    let r = ok(
        mt(cfg.path(), &["inspect", "--config", &one]),
        "--config of an image",
    );
    assert_eq!(
        r.out,
        manifest_tui::media::reindent(&w.images[2].blobs[0].1, "\t") + "\n"
    );

    // A list without --platform, or with one it does not have: the error names the platforms.
    for extra in [&[][..], &["--platform", "linux/s390x"][..]] {
        let mut a = vec!["inspect", "--config"];
        a.extend_from_slice(extra);
        a.push(&list);
        let r = mt(cfg.path(), &a);
        assert_error_exit(r.code, format!("--config {extra:?}"));
        assert!(r.out.is_empty(), "{}", r.out);
        for p in details::PLATFORMS {
            assert!(r.err.contains(p), "{p} named in: {}", r.err);
        }
        assert!(r.err.contains("--platform"), "{}", r.err);
    }
    let r = mt(
        cfg.path(),
        &["inspect", "--config", "--platform", "linux", &list],
    );
    assert_error_exit(r.code, "a malformed --platform");
    assert!(r.err.contains("OS/ARCH"), "{}", r.err);
}

/// A BuildKit-style release: attestations are listed under the platform they describe (not
/// as platforms), with their statements summarised; the tag-scheme referrers of the index
/// are there too.
#[test]
fn attestations_under_their_platform_and_referrers_by_tag_scheme() {
    use mt_testkit::samples::attest::{
        seed_attested_blocking, ATTESTED_REPO, COMMIT, SIGNATURE_TYPE,
    };
    let reg = TestRegistry::plain();
    let a = seed_attested_blocking(&reg.url).expect("seed the attested release");
    let cfg = tempfile::tempdir().unwrap();
    let list = format!("{}/{ATTESTED_REPO}:v1", reg.host);

    let r = ok(
        mt(cfg.path(), &["inspect", "--format", "table", &list]),
        "table",
    );
    assert!(!r.out.contains("unknown/unknown"), "{}", r.out);
    let lines: Vec<&str> = r.out.lines().collect();
    let rows = &lines[2..];
    assert_eq!(
        rows.len(),
        12,
        "six platforms, each with its attestation: {}",
        r.out
    );
    for (pair, (img, att)) in rows.chunks(2).zip(a.images.iter().zip(&a.attestations)) {
        assert!(pair[0].starts_with(&img.platform.display()), "{}", pair[0]);
        assert!(pair[0].contains(img.digest.as_str()), "{}", pair[0]);
        assert!(pair[1].starts_with("└ attestation"), "{}", pair[1]);
        assert!(pair[1].contains(att.digest.as_str()), "{}", pair[1]);
        assert!(pair[1].contains("provenance, SBOM"), "{}", pair[1]);
    }

    let r = ok(
        mt(cfg.path(), &["inspect", "--format", "json", &list]),
        "json",
    );
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let plats = v["platforms"].as_array().unwrap();
    assert_eq!(plats.len(), 6);
    for (p, att) in plats.iter().zip(&a.attestations) {
        let atts = p["attestations"].as_array().unwrap();
        assert_eq!(atts.len(), 1, "{p}");
        assert_eq!(atts[0]["digest"], att.digest.as_str());
        let st = atts[0]["statements"].as_array().unwrap();
        let prov = st
            .iter()
            .find(|s| s["kind"] == "provenance")
            .expect("provenance");
        assert_eq!(prov["summary"]["commit"], COMMIT, "{prov}");
        let sbom = st.iter().find(|s| s["kind"] == "SBOM").expect("SBOM");
        assert!(sbom["summary"]["packages"].as_u64().unwrap() > 0, "{sbom}");
        assert_eq!(p["referrers"]["via"], "tagScheme");
    }
    assert_eq!(v["referrers"]["via"], "tagScheme");
    let refs = v["referrers"]["manifests"].as_array().unwrap();
    assert_eq!(refs.len(), 1, "{}", v["referrers"]);
    assert_eq!(refs[0]["artifactType"], SIGNATURE_TYPE);
    assert_eq!(refs[0]["digest"], a.signature.digest.as_str());
}

/// What skopeo reads of one entry: the compressed size as the product defines it (config plus
/// layers, from the raw manifest skopeo prints), the layer count, and `created` from the
/// config skopeo parses (null when the config has none).
struct SkopeoReading {
    size: i64,
    layers: usize,
    created: Option<String>,
}

fn skopeo_reading(at: &str, with_config: bool) -> SkopeoReading {
    let m: serde_json::Value =
        serde_json::from_slice(&common::skopeo_inspect_raw(at, &[])).expect("a manifest");
    let layers = m["layers"].as_array().expect("layers");
    let size = m["config"]["size"].as_i64().unwrap()
        + layers
            .iter()
            .map(|l| l["size"].as_i64().unwrap())
            .sum::<i64>();
    let created = with_config.then(|| {
        let out = common::cli::tool("skopeo")
            .args(["inspect", "--tls-verify=false", "--config"])
            .arg(format!("docker://{at}"))
            .output()
            .expect("skopeo");
        assert!(
            out.status.success(),
            "skopeo inspect --config {at}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a config");
        c["created"].as_str().map(str::to_string)
    });
    SkopeoReading {
        size,
        layers: layers.len(),
        created: created.flatten(),
    }
}

/// An RFC 3339 time without its fraction of a second (`…:12.5Z` → `…:12Z`).
fn to_the_second(t: &str) -> String {
    match t.split_once('.') {
        Some((head, rest)) => {
            format!(
                "{head}{}",
                rest.trim_start_matches(|c: char| c.is_ascii_digit())
            )
        }
        None => t.to_string(),
    }
}

/// The cells of a table row (columns are two spaces or more apart; a size has one space).
fn cells(row: &str) -> Vec<&str> {
    row.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// A list of two images whose configs have created times as BuildKit and others write them
/// (nanoseconds, an offset), pushed as `samples/times:v1`.
fn push_times_list(reg: &TestRegistry) -> String {
    use mt_testkit::samples::{self, SampleList};
    let repo = "samples/times";
    let children: Vec<SampleImage> = [
        ("linux/amd64", "2026-11-02T09:30:12.123456789Z"),
        ("linux/arm64/v8", "2026-11-02T10:30:12.5+02:00"),
    ]
    .iter()
    .map(|(p, created)| {
        let plat = samples::platform(p);
        let tar = samples::tar_one_file("t.txt", format!("{p} at {created}\n").as_bytes());
        let cfg = serde_json::json!({"architecture": plat.architecture, "os": plat.os,
            "variant": plat.variant, "created": created,
            "rootfs": {"type": "layers", "diff_ids": [manifest_tui::digest::Digest::sha256(&tar).as_str()]}});
        let mut img = samples::image_of(
            serde_json::to_vec(&cfg).unwrap(),
            vec![samples::gzip_stored(&tar)],
            true,
        );
        img.repo = repo.to_string();
        img.platform = plat;
        img
    })
    .collect();
    let manifest = samples::list_body(manifest_tui::media::OCI_INDEX, &children);
    let list = SampleList {
        repo: repo.to_string(),
        tag: "v1".to_string(),
        media_type: manifest_tui::media::OCI_INDEX,
        digest: manifest_tui::digest::Digest::sha256(&manifest),
        manifest,
        children,
    };
    let url = reg.url.clone();
    let pushed = list.clone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let s = samples::Seeder::new(&url, None)?;
            let (mut have, mut out) = (Default::default(), Default::default());
            s.push_list(&pushed, &mut have, &mut out).await
        })
        .unwrap_or_else(|e| panic!("push {repo}: {e}\n{}", reg.log()));
    format!("{}/{}", reg.host, list.reference())
}

/// `inspect --format json` and `--format table` of multi-platform sample lists say, per
/// platform, the size, the layer count and the created time skopeo reads from the raw
/// manifests and the configs (and per attestation row of the table, its size and layers).
#[test]
fn sizes_layers_and_created_agree_with_skopeo_for_each_platform() {
    use mt_testkit::samples::attest::{seed_attested_blocking, ATTESTED_REPO};
    let reg = TestRegistry::plain();
    reg.seed();
    seed_attested_blocking(&reg.url).expect("seed the attested release");
    let cfg = tempfile::tempdir().unwrap();
    let lists = [
        (
            format!("{}/{}", reg.host, webapp().reference()),
            details::REPO,
        ),
        (
            format!(
                "{}/{}",
                reg.host,
                mt_testkit::samples::list("v1", false).reference()
            ),
            mt_testkit::samples::LIST_REPO,
        ),
        (format!("{}/{ATTESTED_REPO}:v1", reg.host), ATTESTED_REPO),
        (push_times_list(&reg), "samples/times"),
    ];
    let mut checked = (0, 0);
    for (list, repo) in &lists {
        let index: serde_json::Value =
            serde_json::from_slice(&common::skopeo_inspect_raw(list, &[])).unwrap();
        let entries = index["manifests"].as_array().unwrap();
        let r = ok(
            mt(cfg.path(), &["inspect", "--format", "json", list]),
            "json",
        );
        let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
        let plats = v["platforms"].as_array().unwrap();
        let t = ok(
            mt(cfg.path(), &["inspect", "--format", "table", list]),
            "table",
        );
        let header = t.out.lines().nth(1).unwrap();
        assert_eq!(
            cells(header),
            [
                "PLATFORM",
                "DIGEST",
                "TYPE",
                "SIZE",
                "LAYERS",
                "CREATED",
                "ANNOTATIONS"
            ],
            "{}",
            t.out
        );
        for e in entries {
            let digest = e["digest"].as_str().unwrap();
            let at = format!("{}/{repo}@{digest}", reg.host);
            let attestation = e["platform"]["os"] == "unknown";
            let theirs = skopeo_reading(&at, !attestation);
            let row = t
                .out
                .lines()
                .find(|l| l.contains(digest))
                .unwrap_or_else(|| panic!("no table row for {digest}:\n{}", t.out));
            let c = cells(row);
            let size = manifest_tui::tui::text::human_size(theirs.size);
            assert_eq!(c[3], size, "{at}: size in {row}");
            assert_eq!(c[4], theirs.layers.to_string(), "{at}: layers in {row}");
            if attestation {
                checked.1 += 1;
                continue;
            }
            let created = theirs.created.clone();
            // The table shows created to the second.
            let label = created.as_deref().map_or("-".to_string(), to_the_second);
            assert_eq!(c[5], label, "{at}: created in {row}");
            let p = plats
                .iter()
                .find(|p| p["digest"] == digest)
                .unwrap_or_else(|| panic!("no platform {digest} in the JSON"));
            assert_eq!(p["size"].as_i64(), Some(theirs.size), "{at}");
            assert_eq!(p["layers"].as_u64(), Some(theirs.layers as u64), "{at}");
            assert_eq!(p["created"].as_str(), created.as_deref(), "{at}");
            checked.0 += 1;
        }
    }
    // 3 + 6 + 6 + 2 platforms; 6 attestation rows.
    assert_eq!(checked, (17, 6));
}
