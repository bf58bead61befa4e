//! `copy`, `tag` and `delete` against real registries, skopeo and curl as the verifiers.

mod common;

use common::cli::{mt, ok};

use common::faultproxy::{Action, FaultProxy};
use common::{assert_error_exit, skopeo_inspect_raw, TestRegistry, ALICE, ALICE_PASSWORD};
use manifest_tui::digest::Digest;
use manifest_tui::media;
use mt_testkit::samples;
use std::path::{Path, PathBuf};

/// A DOCKER_CONFIG with no credentials.
fn empty_config(dir: &Path) -> PathBuf {
    let d = dir.join("cfg");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("config.json"), r#"{"auths":{}}"#).unwrap();
    d
}

/// The HTTP status curl gets for a HEAD of `url` (with `-u user:password` when given).
fn head_status(url: &str, user: Option<&str>) -> u16 {
    let mut c = common::cli::tool("curl");
    c.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-I"]);
    c.args(["-H", &format!("Accept: {}", media::MANIFEST_ACCEPT)]);
    if let Some(u) = user {
        c.args(["-u", u]);
    }
    let o = c.arg(url).output().expect("curl must be installed");
    String::from_utf8_lossy(&o.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// The last line of a command's stdout: the digest.
fn last_digest(out: &str) -> Digest {
    Digest::parse(out.lines().last().unwrap_or("").trim())
        .unwrap_or_else(|e| panic!("no digest at the end of {out:?}: {e}"))
}

/// Every blob (config and layers) of the sample children of a list.
fn blobs_of(list: &samples::SampleList) -> Vec<(Digest, usize)> {
    list.children
        .iter()
        .flat_map(|c| c.blobs.iter().map(|(d, b)| (d.clone(), b.len())))
        .collect()
}

#[test]
fn exact_copy_across_registries_keeps_the_digest_and_every_child() {
    let src = TestRegistry::plain();
    src.seed();
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    for (tag, oci) in [("v1", false), ("v1-oci", true)] {
        let list = samples::list("v1", oci);
        let r = ok(
            mt(
                &cfg,
                &[
                    "copy",
                    &src.reference(&format!("samples/app:{tag}")),
                    &dst.reference(&format!("promoted/app:{tag}")),
                ],
            ),
            "copy",
        );
        assert_eq!(last_digest(&r.out), list.digest, "{}", r.out);
        assert!(!r.out.contains("digest changed"), "{}", r.out);
        let raw = skopeo_inspect_raw(&dst.reference(&format!("promoted/app:{tag}")), &[]);
        assert_eq!(
            Digest::sha256(&raw),
            list.digest,
            "skopeo reads other bytes"
        );
        assert_eq!(raw, list.manifest, "the list was re-serialised");
        for c in &list.children {
            let child = skopeo_inspect_raw(&format!("{}/promoted/app@{}", dst.host, c.digest), &[]);
            assert_eq!(child, c.manifest, "child {} differs", c.platform.display());
        }
        for (d, _) in blobs_of(&list) {
            let url = format!("{}/v2/promoted/app/blobs/{d}", dst.url);
            assert_eq!(
                head_status(&url, None),
                200,
                "blob {d} missing in the target"
            );
        }
    }
}

/// The requests the proxy forwarded, `METHOD target`, without the `/v2/` pings (and
/// connections closed before a request).
fn requests(proxy: &FaultProxy) -> Vec<String> {
    proxy
        .seen()
        .iter()
        .filter(|s| !s.method.is_empty() && s.target != "/v2/")
        .map(|s| format!("{} {}", s.method, s.target))
        .collect()
}

#[test]
fn copy_on_one_registry_mounts_blobs_and_a_recopy_costs_two_requests() {
    let reg = TestRegistry::plain();
    reg.seed();
    let proxy = FaultProxy::start(&reg.host);
    let cfg = empty_config(reg.dir.path());
    let list = samples::list("v1", false);
    let src = format!("{}/samples/app:v1", proxy.host);
    let dst = format!("{}/team/app:v1", proxy.host);
    let r = ok(mt(&cfg, &["copy", &src, &dst]), "copy");
    assert_eq!(last_digest(&r.out), list.digest);
    let blobs = blobs_of(&list).len();
    assert_eq!(proxy.count("POST", "mount="), blobs, "one mount per blob");
    assert_eq!(proxy.count("GET", "/blobs/"), 0, "a blob was downloaded");
    assert_eq!(proxy.count("PUT", "/blobs/"), 0, "a blob was uploaded");
    assert_eq!(
        Digest::sha256(&skopeo_inspect_raw(
            &format!("{}/team/app:v1", reg.host),
            &[]
        )),
        list.digest
    );

    // The same copy again: the target already holds these bytes.
    proxy.reset_seen();
    let r = ok(mt(&cfg, &["copy", &src, &dst]), "re-copy");
    assert!(r.out.contains("nothing to copy"), "{}", r.out);
    let seen = requests(&proxy);
    assert_eq!(
        seen.len(),
        2,
        "re-copy sent more than the source GET and target HEAD: {seen:?}"
    );

    // By digest: the target's HEAD alone.
    proxy.reset_seen();
    let by_digest = format!("{}/samples/app@{}", proxy.host, list.digest);
    let r = ok(mt(&cfg, &["copy", &by_digest, &dst]), "re-copy by digest");
    assert!(r.out.contains("nothing to copy"), "{}", r.out);
    let seen = requests(&proxy);
    assert_eq!(seen, vec!["HEAD /v2/team/app/manifests/v1".to_string()]);
}

/// Push an OCI index over the v1 OCI samples with an attestation manifest for each of
/// `attested` (platforms), under `samples/app:<tag>`; returns the index bytes.
fn index_with_attestations(reg: &TestRegistry, tag: &str, attested: &[&str]) -> Vec<u8> {
    let list = samples::list("v1", true);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let seeder = samples::Seeder::new(&reg.url, None).unwrap();
    let mut manifests: Vec<serde_json::Value> =
        list.children.iter().map(|c| c.descriptor_json()).collect();
    let config = b"{}".to_vec();
    let config_digest = Digest::sha256(&config);
    for c in list
        .children
        .iter()
        .filter(|c| attested.contains(&c.platform.display().as_str()))
    {
        let statement = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v0.1","subject":[{{"digest":{{"sha256":"{}"}}}}]}}"#,
            c.digest.hex()
        )
        .into_bytes();
        let sd = Digest::sha256(&statement);
        rt.block_on(async {
            seeder
                .upload_blob(samples::LIST_REPO, &config_digest, &config)
                .await?;
            seeder
                .upload_blob(samples::LIST_REPO, &sd, &statement)
                .await
        })
        .unwrap();
        let m = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": media::OCI_MANIFEST,
            "config": {"mediaType": media::OCI_CONFIG, "digest": config_digest.as_str(), "size": config.len()},
            "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": sd.as_str(), "size": statement.len()}],
        }))
        .unwrap();
        let md = common::put_manifest(
            &reg.url,
            samples::LIST_REPO,
            &Digest::sha256(&m).to_string(),
            media::OCI_MANIFEST,
            &m,
        );
        manifests.push(serde_json::json!({
            "mediaType": media::OCI_MANIFEST,
            "digest": md.as_str(),
            "size": m.len(),
            "annotations": {
                "vnd.docker.reference.digest": c.digest.as_str(),
                "vnd.docker.reference.type": "attestation-manifest"
            },
            "platform": {"architecture": "unknown", "os": "unknown"}
        }));
    }
    let index = serde_json::to_vec_pretty(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_INDEX,
        "manifests": manifests,
    }))
    .unwrap();
    common::put_manifest(&reg.url, samples::LIST_REPO, tag, media::OCI_INDEX, &index);
    index
}

#[test]
fn filtered_copy_holds_the_chosen_platforms_and_their_attestations_and_says_the_digest_changed() {
    let src = TestRegistry::plain();
    src.seed();
    let index = index_with_attestations(
        &src,
        "attested",
        &["linux/amd64", "linux/s390x", "linux/arm64/v8"],
    );
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let r = ok(
        mt(
            &cfg,
            &[
                "copy",
                "--platform",
                "linux/amd64",
                "--platform",
                "linux/arm64",
                &src.reference("samples/app:attested"),
                &dst.reference("slim/app:v1"),
            ],
        ),
        "filtered copy",
    );
    assert!(r.out.contains("The digest changed"), "{}", r.out);
    assert!(
        r.out.contains(&Digest::sha256(&index).to_string()),
        "the source digest is not named: {}",
        r.out
    );
    let raw = skopeo_inspect_raw(&dst.reference("slim/app:v1"), &[]);
    assert_eq!(last_digest(&r.out), Digest::sha256(&raw));
    assert_ne!(Digest::sha256(&raw), Digest::sha256(&index));
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["mediaType"], media::OCI_INDEX, "the format changed");
    let entries = v["manifests"].as_array().unwrap();
    let plats: Vec<String> = entries
        .iter()
        .map(|e| {
            let p = &e["platform"];
            let mut s = format!(
                "{}/{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            );
            if let Some(var) = p["variant"].as_str() {
                s = format!("{s}/{var}");
            }
            s
        })
        .collect();
    assert_eq!(
        plats,
        [
            "linux/amd64",
            "linux/arm64/v8",
            "unknown/unknown",
            "unknown/unknown"
        ]
    );
    // The attestations are those of the chosen images, and every entry is in the target.
    let images: Vec<&str> = entries[..2]
        .iter()
        .map(|e| e["digest"].as_str().unwrap())
        .collect();
    for a in &entries[2..] {
        let of = a["annotations"]["vnd.docker.reference.digest"]
            .as_str()
            .unwrap();
        assert!(
            images.contains(&of),
            "attestation of {of} is not for a chosen image"
        );
    }
    for e in entries {
        let d = e["digest"].as_str().unwrap();
        let child = skopeo_inspect_raw(&format!("{}/slim/app@{d}", dst.host), &[]);
        assert_eq!(Digest::sha256(&child).as_str(), d);
    }

    // A platform the list does not have: refused before anything is sent, with what it has.
    let r = mt(
        &cfg,
        &[
            "copy",
            "--platform",
            "linux/riscv64",
            &src.reference("samples/app:attested"),
            &dst.reference("none/app:v1"),
        ],
    );
    assert_error_exit(r.code, "copy of a missing platform");
    assert!(
        r.err.contains("no linux/riscv64 entry") && r.err.contains("linux/s390x"),
        "{}",
        r.err
    );
    assert_eq!(
        head_status(&format!("{}/v2/none/app/manifests/v1", dst.url), None),
        404
    );
}

#[test]
fn cross_registry_copy_with_basic_auth_at_the_source_and_token_auth_at_the_target() {
    let src = TestRegistry::basic();
    src.seed();
    let dst = TestRegistry::token();
    let d = src.dir.path().join("both");
    std::fs::create_dir_all(&d).unwrap();
    let auth = base64_pair();
    std::fs::write(
        d.join("config.json"),
        serde_json::json!({"auths": {src.host.clone(): {"auth": auth}, dst.host.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let list = samples::list("v1", false);
    let r = ok(
        mt(
            &d,
            &[
                "copy",
                &src.reference("samples/app:v1"),
                &dst.reference("samples/app:v1"),
            ],
        ),
        "copy with auth",
    );
    assert_eq!(last_digest(&r.out), list.digest);
    let creds = format!("--creds={ALICE}:{ALICE_PASSWORD}");
    let raw = skopeo_inspect_raw(&dst.reference("samples/app:v1"), &[&creds]);
    assert_eq!(Digest::sha256(&raw), list.digest);
    // Bytes crossed registries: progress went to stderr, never to stdout.
    assert!(
        r.err.contains("Copying"),
        "no progress on stderr: {}",
        r.err
    );
    assert!(!r.out.contains("Copying"), "{}", r.out);
}

fn base64_pair() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{ALICE}:{ALICE_PASSWORD}"))
}

#[test]
fn interrupted_copy_run_again_sends_only_what_is_missing() {
    let src = TestRegistry::plain();
    src.seed();
    let proxy = FaultProxy::start(&src.host);
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let list = samples::list("v1", false);
    let blobs = blobs_of(&list);
    // The layer of the first child is cut off halfway, every time, during the first run.
    let cut = list.children[0].blobs[1].0.clone();
    proxy.rule("GET", &format!("/blobs/{cut}"), Action::Truncate, None);
    let from = format!("{}/samples/app:v1", proxy.host);
    let to = dst.reference("copied/app:v1");
    let r = mt(&cfg, &["copy", &from, &to]);
    assert_error_exit(r.code, "interrupted copy");
    assert!(r.err.contains("run the copy again"), "{}", r.err);
    assert_eq!(
        head_status(&format!("{}/v2/copied/app/manifests/v1", dst.url), None),
        404,
        "the tag exists before everything is in place"
    );
    let missing: Vec<&(Digest, usize)> = blobs
        .iter()
        .filter(|(d, _)| head_status(&format!("{}/v2/copied/app/blobs/{d}", dst.url), None) != 200)
        .collect();
    assert!(
        missing.iter().any(|(d, _)| *d == cut),
        "the cut blob arrived whole"
    );
    assert!(
        missing.len() < blobs.len(),
        "nothing was copied in the first run"
    );

    proxy.clear();
    proxy.reset_seen();
    let r = ok(mt(&cfg, &["copy", &from, &to]), "copy run again");
    assert_eq!(last_digest(&r.out), list.digest);
    let fetched: Vec<String> = proxy
        .seen()
        .iter()
        .filter(|s| s.method == "GET" && s.target.contains("/blobs/"))
        .map(|s| s.target.clone())
        .collect();
    assert_eq!(
        fetched.len(),
        missing.len(),
        "second run fetched {fetched:?}, missing were {missing:?}"
    );
    for (d, _) in &missing {
        assert!(
            fetched.iter().any(|f| f.ends_with(d.as_str())),
            "{d} not fetched"
        );
    }
    assert_eq!(Digest::sha256(&skopeo_inspect_raw(&to, &[])), list.digest);
}

#[test]
fn retag_puts_the_same_bytes_under_each_new_tag_without_blob_traffic() {
    let reg = TestRegistry::plain();
    reg.seed();
    let proxy = FaultProxy::start(&reg.host);
    let cfg = empty_config(reg.dir.path());
    let list = samples::list("v2", true);
    let r = ok(
        mt(
            &cfg,
            &[
                "tag",
                &format!("{}/samples/app:v2-oci", proxy.host),
                "stable",
                "2.0-rc.1",
            ],
        ),
        "tag",
    );
    assert!(
        r.out
            .contains(&format!("samples/app:stable with digest: {}", list.digest)),
        "{}",
        r.out
    );
    for t in ["stable", "2.0-rc.1"] {
        let raw = skopeo_inspect_raw(&reg.reference(&format!("samples/app:{t}")), &[]);
        assert_eq!(raw, list.manifest, "{t} holds other bytes");
    }
    assert_eq!(proxy.count("", "/blobs/"), 0, "a retag touched blobs");
    assert_eq!(proxy.count("PUT", "/manifests/"), 2);

    let r = mt(
        &cfg,
        &["tag", &reg.reference("samples/app:v2-oci"), "no:colons"],
    );
    assert_error_exit(r.code, "tag with a bad name");
}

#[test]
fn delete_by_tag_and_by_digest_lists_the_tags_that_go_and_asks() {
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = empty_config(reg.dir.path());
    let list = samples::list("v1", false);
    ok(
        mt(
            &cfg,
            &["tag", &reg.reference("samples/app:v1"), "also-v1", "keep"],
        ),
        "tag",
    );
    let manifest =
        |t: &str| head_status(&format!("{}/v2/samples/app/manifests/{t}", reg.url), None);

    // Not a terminal and no --yes: refused, with the tags that would go and the way out.
    let r = mt(&cfg, &["delete", &reg.reference("samples/app:also-v1")]);
    assert_error_exit(r.code, "delete without --yes");
    assert!(r.err.contains("--yes"), "{}", r.err);
    assert!(
        r.err.contains("samples/app:v1") && r.err.contains("samples/app:keep"),
        "other tags not listed: {}",
        r.err
    );
    assert_eq!(manifest("also-v1"), 200, "deleted without confirmation");

    // By tag, with --yes: the manifest and every tag pointing at it go, and it says so.
    let r = ok(
        mt(
            &cfg,
            &["delete", "--yes", &reg.reference("samples/app:also-v1")],
        ),
        "delete by tag",
    );
    assert!(
        r.err.contains("every other tag pointing at it"),
        "{}",
        r.err
    );
    assert!(
        r.out
            .contains(&format!("Deleted {}/samples/app@{}", reg.host, list.digest)),
        "{}",
        r.out
    );
    for t in ["v1", "also-v1", "keep"] {
        assert_eq!(manifest(t), 404, "{t} survived");
    }
    assert_eq!(manifest("v2"), 200, "an unrelated tag went");

    // By digest: every tag pointing at it is listed.
    let v2 = samples::list("v2", false);
    ok(
        mt(
            &cfg,
            &["tag", &reg.reference("samples/app:v2"), "latest-two"],
        ),
        "tag",
    );
    let r = ok(
        mt(
            &cfg,
            &[
                "delete",
                "-y",
                &format!("{}/samples/app@{}", reg.host, v2.digest),
            ],
        ),
        "delete by digest",
    );
    assert!(
        r.err.contains("samples/app:v2") && r.err.contains("samples/app:latest-two"),
        "{}",
        r.err
    );
    assert_eq!(manifest(v2.digest.as_str()), 404);
    assert_eq!(manifest("latest-two"), 404);
}

#[test]
fn delete_on_a_registry_without_deletes_is_refused_clearly() {
    let reg = TestRegistry::plain_without_delete();
    reg.seed();
    let cfg = empty_config(reg.dir.path());
    let r = mt(&cfg, &["delete", "--yes", &reg.reference("samples/app:v1")]);
    assert_error_exit(r.code, "delete on a registry without deletes");
    assert!(
        r.err.contains("this registry does not allow deletes"),
        "{}",
        r.err
    );
    assert!(r.err.contains("nothing was deleted"), "{}", r.err);
    assert_eq!(
        head_status(&format!("{}/v2/samples/app/manifests/v1", reg.url), None),
        200
    );
}

/// A signature-like artifact whose subject is `(media type, bytes)`: the OCI empty config and
/// one payload layer naming `tag`. Returns (manifest bytes, its blobs).
fn artifact(
    artifact_type: &str,
    subject_type: &str,
    subject: &[u8],
    tag: &str,
) -> (Vec<u8>, Vec<(Digest, Vec<u8>)>) {
    let empty = b"{}".to_vec();
    let payload = format!("{{\"signed\":\"{tag}\"}}").into_bytes();
    let (de, dp) = (Digest::sha256(&empty), Digest::sha256(&payload));
    let body = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": empty.len(), "digest": de.as_str()},
        "layers": [{"mediaType": "application/octet-stream", "size": payload.len(), "digest": dp.as_str()}],
        "subject": {"mediaType": subject_type, "size": subject.len(), "digest": Digest::sha256(subject).as_str()},
    });
    (
        serde_json::to_vec(&body).unwrap(),
        vec![(de, empty), (dp, payload)],
    )
}

/// The tag-scheme index for one referrer (its descriptor with its artifact type).
fn tag_index(artifact_type: &str, manifest: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_INDEX,
        "manifests": [{"mediaType": media::OCI_MANIFEST, "size": manifest.len(),
            "digest": Digest::sha256(manifest).as_str(), "artifactType": artifact_type}],
    }))
    .unwrap()
}

/// A source registry with the attested release, an SBOM referring to its first image and a
/// signature of the index's signature (a referrer two steps away), each listed by the tag
/// scheme; an empty target registry; a DOCKER_CONFIG without credentials.
struct Referred {
    src: TestRegistry,
    dst: TestRegistry,
    cfg: PathBuf,
    a: samples::attest::Attested,
    sbom: Vec<u8>,
    countersig: Vec<u8>,
}

fn referred() -> Referred {
    let src = TestRegistry::plain();
    let (a, sbom, countersig) = seed_referrers(&src);
    let cfg = empty_config(src.dir.path());
    Referred {
        src,
        dst: TestRegistry::plain(),
        cfg,
        a,
        sbom,
        countersig,
    }
}

/// Seed what [`referred`] describes on `reg`: returns the release, the SBOM and the second
/// signature.
fn seed_referrers(reg: &TestRegistry) -> (samples::attest::Attested, Vec<u8>, Vec<u8>) {
    use manifest_tui::attest::referrers_tag;
    use samples::attest::{seed_attested_blocking, ATTESTED_REPO, SIGNATURE_TYPE};
    let a = seed_attested_blocking(&reg.url).expect("seed the attested release");
    let first = &a.images[0];
    let (sbom, sbom_blobs) = artifact(
        "application/spdx+json",
        first.media_type,
        &first.manifest,
        "sbom",
    );
    let (countersig, countersig_blobs) = artifact(
        SIGNATURE_TYPE,
        media::OCI_MANIFEST,
        &a.signature.manifest,
        "countersignature",
    );
    let tags = [
        referrers_tag(&first.digest),
        referrers_tag(&a.signature.digest),
    ];
    let blobs: Vec<(Digest, Vec<u8>)> = sbom_blobs.into_iter().chain(countersig_blobs).collect();
    push_all(
        &reg.url,
        ATTESTED_REPO,
        &blobs,
        &[
            ("", media::OCI_MANIFEST, sbom.clone()),
            (
                &tags[0],
                media::OCI_INDEX,
                tag_index("application/spdx+json", &sbom),
            ),
            ("", media::OCI_MANIFEST, countersig.clone()),
            (
                &tags[1],
                media::OCI_INDEX,
                tag_index(SIGNATURE_TYPE, &countersig),
            ),
        ],
    );
    (a, sbom, countersig)
}

/// `copy --referrers` between two registries without the referrers API: the index's
/// signature, an SBOM of one image and a signature of the signature come along with their
/// blobs, and each subject's `sha256-<hex>` tag on the target lists them (the source's exact
/// index bytes); skopeo and curl read them there. Run again, nothing is sent. A filtered
/// copy takes the image's referrers and says why the index's are left.
#[test]
fn copy_with_referrers_brings_signatures_and_sboms_by_the_tag_scheme() {
    use manifest_tui::attest::referrers_tag;
    let Referred {
        src,
        dst,
        cfg,
        a,
        sbom,
        countersig,
    } = referred();
    let proxy = FaultProxy::start(&dst.host);
    let sproxy = FaultProxy::start(&src.host);
    let from = format!("{}/samples/attested:v1", sproxy.host);
    let to = format!("{}/promoted/attested:v1", proxy.host);

    // Without --referrers: the release only, no referrers tag.
    let plain = format!("{}/plain/attested:v1", proxy.host);
    let r = ok(mt(&cfg, &["copy", &from, &plain]), "copy");
    assert!(!r.out.contains("signature of"), "{}", r.out);
    let tag = referrers_tag(&a.index.digest);
    assert_eq!(
        head_status(
            &format!("{}/v2/plain/attested/manifests/{tag}", dst.url),
            None
        ),
        404,
        "a referrers tag without --referrers"
    );

    sproxy.reset_seen();
    proxy.reset_seen();
    let r = ok(
        mt(&cfg, &["copy", "--referrers", &from, &to]),
        "copy --referrers",
    );
    assert_eq!(last_digest(&r.out), a.index.digest, "{}", r.out);
    // Distribution 2.8 has no referrers API: each side is asked once, then the tag scheme.
    for (side, p) in [("source", &sproxy), ("target", &proxy)] {
        assert_eq!(
            p.count("GET", "/referrers/"),
            1,
            "{side}: {:#?}",
            requests(p)
        );
    }
    // On the source: the list's referrers tag, every entry's (12), then those of the
    // signature and the SBOM found there, then the countersignature's: 16 tag reads.
    assert_eq!(
        sproxy.count("GET", "/manifests/sha256-"),
        16,
        "{:#?}",
        requests(&sproxy)
    );
    let short = |d: &Digest| d.short();
    for line in [
        format!("(signature of {})", short(&a.index.digest)),
        format!("(SBOM of {})", short(&a.images[0].digest)),
        format!("(signature of {})", short(&a.signature.digest)),
        format!("Listed the referrers of {}", short(&a.index.digest)),
    ] {
        assert!(r.out.contains(&line), "no {line:?} in:\n{}", r.out);
    }
    // The tag-scheme indexes: the source's bytes, read back by skopeo.
    let on_dst =
        |tag: &str| skopeo_inspect_raw(&dst.reference(&format!("promoted/attested:{tag}")), &[]);
    assert_eq!(
        on_dst(&tag),
        a.referrers.manifest,
        "the index's referrers tag"
    );
    assert_eq!(
        on_dst(&referrers_tag(&a.images[0].digest)),
        tag_index("application/spdx+json", &sbom)
    );
    assert_eq!(
        on_dst(&referrers_tag(&a.signature.digest)),
        tag_index(samples::attest::SIGNATURE_TYPE, &countersig)
    );
    // The referrers themselves, exact, with their blobs.
    for m in [&a.signature.manifest, &sbom, &countersig] {
        let d = Digest::sha256(m);
        let raw = skopeo_inspect_raw(&dst.reference(&format!("promoted/attested@{d}")), &[]);
        assert_eq!(raw, *m, "{d} differs on the target");
    }
    for (d, _) in &a.signature.blobs {
        let url = format!("{}/v2/promoted/attested/blobs/{d}", dst.url);
        assert_eq!(head_status(&url, None), 200, "blob {d} of the signature");
    }
    // Nothing is tagged before the referrers are in place: the tag's PUT is the last.
    let puts: Vec<String> = requests(&proxy)
        .into_iter()
        .filter(|s| s.starts_with("PUT /v2/promoted/attested/manifests/"))
        .collect();
    assert_eq!(
        puts.last().map(String::as_str),
        Some("PUT /v2/promoted/attested/manifests/v1"),
        "{puts:#?}"
    );

    // Again: everything is there; only reads go out.
    proxy.reset_seen();
    let r = ok(mt(&cfg, &["copy", "--referrers", &from, &to]), "re-copy");
    assert!(
        r.out
            .contains("and everything referring to it: nothing to copy"),
        "{}",
        r.out
    );
    let writes: Vec<String> = requests(&proxy)
        .into_iter()
        .filter(|s| !s.starts_with("GET") && !s.starts_with("HEAD"))
        .collect();
    assert!(writes.is_empty(), "the re-copy wrote: {writes:?}");

    // Filtered: the first image's SBOM comes, the index's signature cannot.
    let one = format!("{}/one/attested:v1", proxy.host);
    let p = a.images[0].platform.display();
    let r = ok(
        mt(
            &cfg,
            &["copy", "--referrers", "--platform", &p, &from, &one],
        ),
        "filtered copy --referrers",
    );
    assert!(
        r.out
            .contains(&format!("(SBOM of {})", short(&a.images[0].digest))),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("Not copied: 1 referrer of the source sha256:")
            && r.out.contains(a.index.digest.as_str()),
        "{}",
        r.out
    );
    assert_eq!(
        Digest::sha256(&skopeo_inspect_raw(
            &dst.reference(&format!(
                "one/attested:{}",
                referrers_tag(&a.images[0].digest)
            )),
            &[]
        )),
        Digest::sha256(&tag_index("application/spdx+json", &sbom))
    );
}

/// `copy --referrers` where one side has the referrers API (a proxy adding it in front of
/// the real registry). To it: each referrer is put with its subject, the registry indexes
/// it (it answers `OCI-Subject`), and no `sha256-<hex>` tag is written. From it to a
/// registry without the API: the API's answers become the target's tag-scheme indexes,
/// the artifact types kept; skopeo reads them there.
#[test]
fn copy_with_referrers_to_and_from_a_registry_with_the_referrers_api() {
    use common::referrers_api::ReferrersApi;
    use manifest_tui::attest::referrers_tag;
    let Referred {
        src,
        dst,
        cfg,
        a,
        sbom,
        countersig,
    } = referred();
    let api = ReferrersApi::start(&dst.host);
    let via_api = format!("{}/promoted/attested:v1", api.host);
    let r = ok(
        mt(
            &cfg,
            &[
                "copy",
                "--referrers",
                &src.reference("samples/attested:v1"),
                &via_api,
            ],
        ),
        "copy --referrers to the API",
    );
    assert_eq!(last_digest(&r.out), a.index.digest, "{}", r.out);
    assert!(!r.out.contains("Listed the referrers"), "{}", r.out);
    let sig = a.signature.digest.clone();
    let (sbom_d, counter_d) = (Digest::sha256(&sbom), Digest::sha256(&countersig));
    for (subject, referrer) in [
        (&a.index.digest, &sig),
        (&a.images[0].digest, &sbom_d),
        (&sig, &counter_d),
    ] {
        let listed: Vec<String> = api
            .recorded("promoted/attested", subject)
            .iter()
            .map(|d| d["digest"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            listed,
            vec![referrer.to_string()],
            "what refers to {subject}"
        );
        let url = format!(
            "{}/v2/promoted/attested/manifests/{}",
            dst.url,
            referrers_tag(subject)
        );
        assert_eq!(
            head_status(&url, None),
            404,
            "a referrers tag on an API registry"
        );
    }

    // From the API registry to one without: the tag scheme, from the API's descriptors.
    let mirror = TestRegistry::plain();
    let r = ok(
        mt(
            &cfg,
            &[
                "copy",
                "--referrers",
                &via_api,
                &mirror.reference("mirror/attested:v1"),
            ],
        ),
        "copy --referrers from the API",
    );
    assert!(
        r.out.contains(&format!(
            "Listed the referrers of {}",
            a.index.digest.short()
        )),
        "{}",
        r.out
    );
    for (subject, referrer, artifact_type) in [
        (&a.index.digest, &sig, samples::attest::SIGNATURE_TYPE),
        (&a.images[0].digest, &sbom_d, "application/spdx+json"),
        (&sig, &counter_d, samples::attest::SIGNATURE_TYPE),
    ] {
        let raw = skopeo_inspect_raw(
            &mirror.reference(&format!("mirror/attested:{}", referrers_tag(subject))),
            &[],
        );
        let v: serde_json::Value = serde_json::from_slice(&raw).expect("an index");
        assert_eq!(v["mediaType"], media::OCI_INDEX);
        let m = v["manifests"].as_array().expect("manifests");
        assert_eq!(m.len(), 1, "{v}");
        assert_eq!(m[0]["digest"], referrer.as_str());
        assert_eq!(m[0]["artifactType"], artifact_type);
    }
}

/// A referrer that cannot be put (the target answers 500 for it, every time): the copy
/// fails naming it, the release is in place by digest but not tagged, and the run again
/// finishes with only what was missing.
#[test]
fn a_referrer_that_fails_leaves_the_tag_unset_and_a_second_run_finishes() {
    let Referred {
        src, dst, cfg, a, ..
    } = referred();
    let proxy = FaultProxy::start(&dst.host);
    let from = src.reference("samples/attested:v1");
    let to = format!("{}/promoted/attested:v1", proxy.host);
    let sig = a.signature.digest.clone();
    proxy.rule(
        "PUT",
        &format!("/manifests/{sig}"),
        Action::Status(500),
        None,
    );
    let r = mt(&cfg, &["copy", "--referrers", &from, &to]);
    assert_error_exit(r.code, "copy with a failing referrer");
    assert!(
        r.err.contains("copying what refers to")
            && r.err.contains(sig.as_str())
            && r.err.contains("not tagged yet")
            && r.err.contains("run the copy again"),
        "{}",
        r.err
    );
    let tag = |t: &str| format!("{}/v2/promoted/attested/manifests/{t}", dst.url);
    assert_eq!(
        head_status(&tag("v1"), None),
        404,
        "tagged before its referrers"
    );
    assert_eq!(
        head_status(&tag(a.index.digest.as_str()), None),
        200,
        "the release itself is in place by digest"
    );

    proxy.clear();
    proxy.reset_seen();
    let r = ok(mt(&cfg, &["copy", "--referrers", &from, &to]), "run again");
    assert_eq!(last_digest(&r.out), a.index.digest, "{}", r.out);
    // Blobs the first run delivered (the signature's, every image's) are not sent again.
    let blob_puts: Vec<String> = requests(&proxy)
        .into_iter()
        .filter(|s| s.starts_with("PUT") && s.contains("/blobs/"))
        .collect();
    let delivered: Vec<&Digest> = a
        .signature
        .blobs
        .iter()
        .chain(a.images.iter().flat_map(|i| i.blobs.iter()))
        .map(|(d, _)| d)
        .collect();
    let manifest_puts: Vec<String> = requests(&proxy)
        .into_iter()
        .filter(|s| s.starts_with("PUT") && s.contains("/manifests/"))
        .collect();
    // The second run sends no blob again (the signature's arrived the first time); the
    // manifests are put again by digest (small, and the same bytes), the signature with them.
    assert!(
        manifest_puts.iter().any(|p| p.ends_with(sig.as_str())),
        "{manifest_puts:#?}"
    );
    assert!(
        !blob_puts
            .iter()
            .any(|p| delivered.iter().any(|d| p.ends_with(d.as_str()))),
        "blobs sent again: {blob_puts:#?}"
    );
    assert_eq!(
        Digest::sha256(&skopeo_inspect_raw(
            &dst.reference("promoted/attested:v1"),
            &[]
        )),
        a.index.digest
    );
}

/// Push `blobs`, then each `(reference, media type, bytes)` manifest, in order, to `repo` of
/// the registry at `url` (a reference of "" is the manifest's own digest).
fn push_all(
    url: &str,
    repo: &str,
    blobs: &[(Digest, Vec<u8>)],
    manifests: &[(&str, &str, Vec<u8>)],
) {
    let s = samples::Seeder::new(url, None).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            for (d, b) in blobs {
                s.upload_blob(repo, d, b).await.unwrap();
            }
            for (reference, media_type, m) in manifests {
                let d = Digest::sha256(m);
                let reference = if reference.is_empty() {
                    d.as_str()
                } else {
                    reference
                };
                s.put_manifest(repo, reference, media_type, m, &d)
                    .await
                    .unwrap_or_else(|e| panic!("pushing {repo}:{reference}: {e}"));
            }
        });
}

/// A Windows-style image with a foreign layer (fetched by clients from its `urls`, never
/// held by registries): the copy sends its config and ordinary layer, not the foreign one,
/// and the target accepts the manifest, byte for byte (skopeo reads it).
#[test]
fn foreign_layers_are_left_to_their_urls() {
    let src = TestRegistry::plain();
    let proxy = FaultProxy::start(&src.host);
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let config = br#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.6054","rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec();
    let layer = samples::gzip_stored(&samples::tar_one_file("app.txt", b"app"));
    let (dc, dl) = (Digest::sha256(&config), Digest::sha256(&layer));
    let foreign = Digest::sha256(b"a windows base layer nobody hosts here");
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::DOCKER_MANIFEST,
        "config": {"mediaType": media::DOCKER_CONFIG, "size": config.len(), "digest": dc.as_str()},
        "layers": [
            {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
             "size": 1_234_567, "digest": foreign.as_str(),
             "urls": ["https://127.0.0.1:9/windows/servercore/base.tar.gz"]},
            {"mediaType": media::DOCKER_LAYER, "size": layer.len(), "digest": dl.as_str()},
        ],
    }))
    .unwrap();
    let md = Digest::sha256(&manifest);
    // The registry takes a manifest naming a foreign layer it does not hold.
    push_all(
        &src.url,
        "win/app",
        &[(dc, config), (dl.clone(), layer)],
        &[("ltsc2019", media::DOCKER_MANIFEST, manifest.clone())],
    );
    let r = ok(
        mt(
            &cfg,
            &[
                "copy",
                &format!("{}/win/app:ltsc2019", proxy.host),
                &dst.reference("mirror/win-app:ltsc2019"),
            ],
        ),
        "copy of an image with a foreign layer",
    );
    assert_eq!(last_digest(&r.out), md, "{}", r.out);
    assert_eq!(
        skopeo_inspect_raw(&dst.reference("mirror/win-app:ltsc2019"), &[]),
        manifest
    );
    assert_eq!(
        proxy.count("*", foreign.as_str()),
        0,
        "the foreign layer was asked for"
    );
    let blob = |d: &Digest| format!("{}/v2/mirror/win-app/blobs/{d}", dst.url);
    assert_eq!(head_status(&blob(&dl), None), 200);
    assert_eq!(head_status(&blob(&foreign), None), 404);
}

/// Two platforms sharing a layer (an arch-independent `COPY`): the copy across registries
/// fetches and uploads it once, not once per platform, and the target has it.
#[test]
fn a_layer_shared_by_two_platforms_crosses_once() {
    let src = TestRegistry::plain();
    let proxy = FaultProxy::start(&src.host);
    let dst = TestRegistry::plain();
    let cfg = empty_config(src.dir.path());
    let shared = samples::gzip_stored(&samples::tar_one_file("app.jar", &[7u8; 64 * 1024]));
    let ds = Digest::sha256(&shared);
    let mut blobs = vec![(ds.clone(), shared.clone())];
    let mut entries = Vec::new();
    let mut manifests = Vec::new();
    for arch in ["amd64", "arm64"] {
        let config = format!(
            r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
        )
        .into_bytes();
        let dc = Digest::sha256(&config);
        let m = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": media::DOCKER_MANIFEST,
            "config": {"mediaType": media::DOCKER_CONFIG, "size": config.len(), "digest": dc.as_str()},
            "layers": [{"mediaType": media::DOCKER_LAYER, "size": shared.len(), "digest": ds.as_str()}],
        }))
        .unwrap();
        entries.push(serde_json::json!({
            "mediaType": media::DOCKER_MANIFEST, "size": m.len(),
            "digest": Digest::sha256(&m).as_str(),
            "platform": {"architecture": arch, "os": "linux"},
        }));
        blobs.push((dc, config));
        manifests.push(m);
    }
    let list = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": media::DOCKER_LIST, "manifests": entries,
    }))
    .unwrap();
    let ld = Digest::sha256(&list);
    let mut pieces: Vec<(&str, &str, Vec<u8>)> = manifests
        .into_iter()
        .map(|m| ("", media::DOCKER_MANIFEST, m))
        .collect();
    pieces.push(("21", media::DOCKER_LIST, list));
    push_all(&src.url, "java/app", &blobs, &pieces);
    let r = ok(
        mt(
            &cfg,
            &[
                "copy",
                &format!("{}/java/app:21", proxy.host),
                &dst.reference("mirror/java-app:21"),
            ],
        ),
        "copy",
    );
    assert_eq!(last_digest(&r.out), ld, "{}", r.out);
    assert_eq!(
        proxy.count("GET", &format!("/blobs/{ds}")),
        1,
        "the shared layer was fetched per platform: {:#?}",
        requests(&proxy)
    );
    let url = format!("{}/v2/mirror/java-app/blobs/{ds}", dst.url);
    assert_eq!(head_status(&url, None), 200);
    assert_eq!(
        Digest::sha256(&skopeo_inspect_raw(
            &dst.reference("mirror/java-app:21"),
            &[]
        )),
        ld
    );
}
