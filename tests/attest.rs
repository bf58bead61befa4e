//! Attestations and referrers against the real registry: the attested sample release
//! (BuildKit-style attestation manifests, a signature by the referrers tag scheme), read back
//! through the client and the ops, with skopeo confirming what the registry holds.

mod common;

use common::faultproxy::{raw_header, raw_status, Action};
use common::referrers_api::ReferrersApi;
use common::*;
use manifest_tui::attest::{self, PredicateKind, Summary};
use manifest_tui::digest::Digest;
use manifest_tui::media::{Parsed, OCI_MANIFEST};
use manifest_tui::ops;
use manifest_tui::reference::Reference;
use manifest_tui::registry::{Client, ClientOptions, ReferrersVia, Repo};
use mt_testkit::samples::attest::{
    attested, seed_attested, ATTESTED_REPO, COMMIT, SIGNATURE_TYPE, SOURCE,
};
use mt_testkit::samples::Seeder;

fn client() -> Client {
    Client::new(common::client_options(&common::empty_docker_config())).expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attestations_and_tag_scheme_referrers_read_back() {
    install_crypto();
    let reg = TestRegistry::plain();
    let seeder = Seeder::new(&reg.url, None).expect("seeder");
    let a = seed_attested(&seeder)
        .await
        .expect("seed the attested release");
    // skopeo reads the index we seeded, byte for byte.
    let raw = skopeo_inspect_raw(&reg.reference(&format!("{ATTESTED_REPO}:v1")), &[]);
    assert_eq!(raw, a.index.manifest);

    let c = client();
    let list: Reference = format!("{}/{ATTESTED_REPO}:v1", reg.host)
        .parse()
        .expect("ref");
    let m = c.get_manifest(&list).await.expect("index");
    let Ok(Parsed::Index(idx)) = m.parse() else {
        panic!("not an index")
    };
    let g = attest::group(&idx.manifests);
    assert_eq!(g.images.len(), 6, "six platforms, attestations folded in");
    assert!(g.orphans.is_empty());
    for (img, atts) in &g.images {
        assert_eq!(atts.len(), 1, "one attestation manifest per platform");
        let subject = attest::attestation_subject(&idx.manifests[atts[0]]).expect("subject");
        assert_eq!(subject, idx.manifests[*img].digest);
    }

    // The statements of the first platform's attestation: an SBOM and a provenance.
    let first = &idx.manifests[g.images[0].1[0]];
    let layers = ops::statements(&c, &list, first).await.expect("statements");
    let kinds: Vec<PredicateKind> = layers
        .iter()
        .map(|l| l.statement.as_ref().expect("parsed").kind())
        .collect();
    assert_eq!(kinds, [PredicateKind::Sbom, PredicateKind::Provenance]);
    let Summary::Sbom(sbom) = &layers[0].statement.as_ref().unwrap().summary else {
        panic!()
    };
    assert_eq!(
        (sbom.packages, sbom.top.as_slice()),
        (3, &["manifest-tui-sample-app 1.0.0".to_string()][..])
    );
    let Summary::Provenance(p) = &layers[1].statement.as_ref().unwrap().summary else {
        panic!()
    };
    assert_eq!((p.source.as_str(), p.commit.as_str()), (SOURCE, COMMIT));
    assert_eq!(p.args["TARGETPLATFORM"], "linux/amd64");

    // Distribution 2.8 has no referrers API: the tag scheme answers, with the signature.
    let repo = Repo::of(&list);
    let r = c
        .referrers(&repo, &a.index.digest)
        .await
        .expect("referrers");
    assert_eq!(r.via, ReferrersVia::TagScheme);
    assert_eq!(r.descriptors.len(), 1);
    assert_eq!(r.descriptors[0].digest, a.signature.digest);
    assert_eq!(
        r.descriptors[0].artifact_type.as_deref(),
        Some(SIGNATURE_TYPE)
    );
    // A platform with nothing referring to it: none, still by the tag scheme.
    let r = c
        .referrers(&repo, &a.images[0].digest)
        .await
        .expect("referrers");
    assert_eq!((r.via, r.descriptors.len()), (ReferrersVia::TagScheme, 0));
    // The tag-scheme tag is in the tag list, and recognisable as such.
    let tags = c.list_tags(&repo, 1000).await.expect("tags");
    assert_eq!(
        tags.iter().filter(|t| attest::is_referrers_tag(t)).count(),
        1
    );
    assert!(tags.contains(&"v1".to_string()));
}

/// The attested release is the same on every run: its index (which names every image's
/// and attestation's manifest digest), the signature and the tag-scheme index are pinned to
/// digests computed once with `sha256sum` over their bytes, outside this code.
#[test]
fn attested_sample_is_deterministic() {
    let a = attested();
    let pinned = [
        (
            "index",
            &a.index,
            "sha256:ef6386dbb60b81abf4a0c0f678291211b9e5b8ca96c0309c0bf02d67cb61737c",
        ),
        (
            "signature",
            &a.signature,
            "sha256:6dbaf75908eee507ccfdb18c5ff1c46395dc1e9cf7937b4b493d06d6cb3fb273",
        ),
        (
            "referrers index",
            &a.referrers,
            "sha256:f78416cd65c7ffd0d84e7eca1646027424212b1ae8a1d021b93eeb0751317352",
        ),
    ];
    for (what, piece, want) in pinned {
        assert_eq!(piece.digest.as_str(), want, "{what}");
        assert_eq!(Digest::sha256(&piece.manifest), piece.digest, "{what}");
    }
    let index: serde_json::Value = serde_json::from_slice(&a.index.manifest).expect("JSON");
    let listed: Vec<&str> = index["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .map(|m| m["digest"].as_str().expect("digest"))
        .collect();
    let ours: Vec<String> = a
        .images
        .iter()
        .map(|i| i.digest.to_string())
        .chain(a.attestations.iter().map(|p| p.digest.to_string()))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    let mut ours_sorted: Vec<&str> = ours.iter().map(String::as_str).collect();
    ours_sorted.sort_unstable();
    assert_eq!(sorted, ours_sorted, "the pinned index names every piece");
}

/// The artifact type of the extra referrers pushed by the referrers-API test.
const SBOM_TYPE: &str = "application/vnd.example.sbom.v1+json";

/// Another referrer of the attested index: the signature's blobs, typed [`SBOM_TYPE`] and
/// numbered by an annotation so that each is a manifest of its own.
fn extra_referrer(a: &mt_testkit::samples::attest::Attested, n: usize) -> (Vec<u8>, Digest) {
    let mut v: serde_json::Value = serde_json::from_slice(&a.signature.manifest).expect("json");
    v["artifactType"] = serde_json::json!(SBOM_TYPE);
    v["annotations"] = serde_json::json!({"org.example.n": n.to_string()});
    let bytes = serde_json::to_vec(&v).expect("bytes");
    let d = Digest::sha256(&bytes);
    (bytes, d)
}

/// curl's whole answer (`-i`: status line, headers, body) to a request.
fn curl(args: &[&str]) -> Vec<u8> {
    let out = common::cli::tool("curl")
        .args(["-s", "-i", "-H", "Expect:"])
        .args(args)
        .output()
        .expect("curl must be installed");
    assert!(out.status.success(), "curl {args:?}: {out:?}");
    out.stdout
}

/// The JSON body of a raw answer.
fn body_json(raw: &[u8]) -> serde_json::Value {
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    serde_json::from_slice(&raw[at..])
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(raw)))
}

/// The attested release pushed through `api` (as the registry's admin), and the repository
/// as seen through the API: the seeder stays for further pushes.
async fn seed_behind(
    reg: &TestRegistry,
    api: &ReferrersApi,
) -> (Seeder, mt_testkit::samples::attest::Attested, Repo) {
    let admin = reg.admin_authorization_for(&[ATTESTED_REPO]);
    let seeder = Seeder::new(&format!("http://{}", api.host), admin.as_deref()).expect("seeder");
    let a = seed_attested(&seeder).await.expect("seed through the API");
    let repo = Repo {
        domain: api.host.clone(),
        path: ATTESTED_REPO.to_string(),
    };
    (seeder, a, repo)
}

/// With the referrers API (the real registry behind a proxy that adds it), the client reads
/// referrers from the API: the signature pushed with the attested release, nothing for a
/// subject nothing refers to, every page when the registry pages; curl sees the HTTP shape
/// the spec asks for (`OCI-Subject` on the push, the index, the filter header, 200 for an
/// unknown subject).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrers_api_is_read_page_by_page() {
    install_crypto();
    let reg = TestRegistry::plain();
    let api = ReferrersApi::start(&reg.host);
    let (seeder, a, repo) = seed_behind(&reg, &api).await;
    let c = client();
    let r = c
        .referrers(&repo, &a.index.digest)
        .await
        .expect("referrers");
    assert_eq!(r.via, ReferrersVia::Api);
    assert_eq!(r.descriptors.len(), 1, "{:?}", r.descriptors);
    assert_eq!(r.descriptors[0].digest, a.signature.digest);
    assert_eq!(r.descriptors[0].size, a.signature.manifest.len() as i64);
    assert_eq!(
        r.descriptors[0].artifact_type.as_deref(),
        Some(SIGNATURE_TYPE)
    );
    // The API says what the tag scheme's index (read from the registry itself) says.
    let Ok(Parsed::Index(tag_scheme)) =
        manifest_tui::media::RawManifest::new(a.referrers.manifest.clone(), "")
            .expect("raw")
            .parse()
    else {
        panic!("the tag scheme's index")
    };
    assert_eq!(r.descriptors, tag_scheme.manifests);
    // Nothing refers to a platform image, nor to a digest the registry never saw: an empty
    // answer from the API, not the tag scheme.
    for subject in [a.images[0].digest.clone(), Digest::sha256(b"never pushed")] {
        let r = c.referrers(&repo, &subject).await.expect("referrers");
        assert_eq!((r.via, r.descriptors.len()), (ReferrersVia::Api, 0));
    }

    // Five more referrers of the index, one pushed by curl: the answer names the subject.
    let mut pushed = vec![a.signature.digest.clone()];
    for n in 1..=4 {
        let (bytes, d) = extra_referrer(&a, n);
        seeder
            .put_manifest(ATTESTED_REPO, d.as_str(), OCI_MANIFEST, &bytes, &d)
            .await
            .expect("push a referrer");
        pushed.push(d);
    }
    let (bytes, d) = extra_referrer(&a, 5);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("referrer.json");
    std::fs::write(&file, &bytes).unwrap();
    let url = |rest: &str| format!("http://{}/v2/{ATTESTED_REPO}/{rest}", api.host);
    let put = curl(&[
        "-X",
        "PUT",
        "-H",
        &format!("Content-Type: {OCI_MANIFEST}"),
        "--data-binary",
        &format!("@{}", file.display()),
        &url(&format!("manifests/{d}")),
    ]);
    assert_eq!(raw_status(&put), 201, "{}", String::from_utf8_lossy(&put));
    assert_eq!(
        raw_header(&put, "OCI-Subject").as_deref(),
        Some(a.index.digest.as_str())
    );
    pushed.push(d);
    // A push without a subject gets no OCI-Subject.
    let index_file = dir.path().join("index.json");
    std::fs::write(&index_file, &a.index.manifest).unwrap();
    let plain = curl(&[
        "-X",
        "PUT",
        "-H",
        &format!("Content-Type: {}", a.index.media_type),
        "--data-binary",
        &format!("@{}", index_file.display()),
        &url("manifests/again"),
    ]);
    assert_eq!(
        raw_status(&plain),
        201,
        "{}",
        String::from_utf8_lossy(&plain)
    );
    assert_eq!(raw_header(&plain, "OCI-Subject"), None);

    // Two a page: the client reads all three pages, in push order.
    api.set_page_size(Some(2));
    api.proxy.reset_seen();
    let r = c
        .referrers(&repo, &a.index.digest)
        .await
        .expect("referrers");
    assert_eq!(r.via, ReferrersVia::Api);
    let got: Vec<Digest> = r.descriptors.iter().map(|d| d.digest.clone()).collect();
    assert_eq!(got, pushed);
    assert_eq!(api.proxy.count("GET", "/referrers/"), 3);
    let types: Vec<Option<&str>> = r
        .descriptors
        .iter()
        .map(|d| d.artifact_type.as_deref())
        .collect();
    assert_eq!(types[0], Some(SIGNATURE_TYPE));
    assert!(
        types[1..].iter().all(|t| *t == Some(SBOM_TYPE)),
        "{types:?}"
    );
    assert_eq!(
        r.descriptors[5]
            .annotations
            .get("org.example.n")
            .map(String::as_str),
        Some("5")
    );

    // curl, the independent reader of the HTTP shape: the first page, with a next link.
    let subject = a.index.digest.to_string();
    let first = curl(&[&url(&format!("referrers/{subject}"))]);
    assert_eq!(raw_status(&first), 200);
    assert_eq!(
        raw_header(&first, "Content-Type").as_deref(),
        Some("application/vnd.oci.image.index.v1+json")
    );
    assert_eq!(raw_header(&first, "OCI-Filters-Applied"), None);
    let link = raw_header(&first, "Link").expect("a next link");
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    let v = body_json(&first);
    assert_eq!(v["schemaVersion"], 2);
    assert_eq!(v["mediaType"], "application/vnd.oci.image.index.v1+json");
    assert_eq!(v["manifests"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["manifests"][0]["digest"], a.signature.digest.as_str());
    assert_eq!(v["manifests"][0]["mediaType"], OCI_MANIFEST);
    // Filtered by artifact type, everything on one page.
    api.set_page_size(None);
    let filtered = curl(&[&url(&format!(
        "referrers/{subject}?artifactType={}",
        SBOM_TYPE.replace('/', "%2F").replace('+', "%2B")
    ))]);
    assert_eq!(raw_status(&filtered), 200);
    assert_eq!(
        raw_header(&filtered, "OCI-Filters-Applied").as_deref(),
        Some("artifactType")
    );
    assert_eq!(raw_header(&filtered, "Link"), None);
    let v = body_json(&filtered);
    let digests: Vec<&str> = v["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .filter_map(|d| d["digest"].as_str())
        .collect();
    let sboms: Vec<&str> = pushed[1..].iter().map(Digest::as_str).collect();
    assert_eq!(digests, sboms);
    // An unknown subject: 200 and an empty list; a reference that is no digest: 400.
    let unknown = curl(&[&url(&format!("referrers/{}", Digest::sha256(b"none")))]);
    assert_eq!(raw_status(&unknown), 200);
    assert_eq!(body_json(&unknown)["manifests"], serde_json::json!([]));
    assert_eq!(raw_status(&curl(&[&url("referrers/v1")])), 400);

    // A referrer deleted (through the client) leaves the list.
    c.delete_manifest(&repo, &pushed[2])
        .await
        .expect("delete a referrer");
    pushed.remove(2);
    let r = c
        .referrers(&repo, &a.index.digest)
        .await
        .expect("referrers");
    let got: Vec<Digest> = r.descriptors.iter().map(|d| d.digest.clone()).collect();
    assert_eq!(got, pushed);
}

/// The referrers API in front of a token-auth registry answers only callers the registry
/// lets read the repository: without credentials the client gets the registry's 401 (not an
/// empty list), with a reader's it gets the signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrers_api_asks_the_registry_who_may_read() {
    install_crypto();
    let reg = TestRegistry::token();
    let api = ReferrersApi::start(&reg.host);
    let (_, a, repo) = seed_behind(&reg, &api).await;
    // docker configs naming the proxy's address: none, and the reader's.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = |name: &str, auths: serde_json::Value| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("config.json"),
            serde_json::json!({"auths": auths}).to_string(),
        )
        .unwrap();
        Client::new(ClientOptions {
            docker_config: Some(d),
            certs_dirs: Some(Vec::new()),
            ..Default::default()
        })
        .expect("client")
    };
    let anonymous = config("anonymous", serde_json::json!({}));
    let e = anonymous
        .referrers(&repo, &a.index.digest)
        .await
        .expect_err("no credentials, no referrers");
    assert_eq!(e.status(), Some(401), "{e}");
    let basic = basic_header(READER, READER_PASSWORD);
    let reader = config(
        "reader",
        serde_json::json!({ &api.host: {"auth": basic.trim_start_matches("Basic ")} }),
    );
    let r = reader
        .referrers(&repo, &a.index.digest)
        .await
        .expect("referrers");
    assert_eq!(r.via, ReferrersVia::Api);
    let got: Vec<&Digest> = r.descriptors.iter().map(|d| &d.digest).collect();
    assert_eq!(got, [&a.signature.digest]);
}

/// A fault placed before the API: the client retries a 503 from the referrers API and then
/// reads it (two requests), rather than falling back to the tag scheme.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrers_api_503_is_retried() {
    install_crypto();
    let reg = TestRegistry::plain();
    let api = ReferrersApi::start_with(&reg.host, |p| {
        p.rule("GET", "/referrers/", Action::Status(503), Some(1))
    });
    let (_, a, repo) = seed_behind(&reg, &api).await;
    let r = client()
        .referrers(&repo, &a.index.digest)
        .await
        .expect("referrers");
    assert_eq!(r.via, ReferrersVia::Api);
    assert_eq!(r.descriptors.len(), 1);
    assert_eq!(api.proxy.count("GET", "/referrers/"), 2);
}
