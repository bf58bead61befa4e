//! A BuildKit-style attested release: `samples/attested:v1`, an OCI index of the six OCI
//! sample images plus, for each, an attestation manifest (an SPDX SBOM and a SLSA v0.2
//! provenance statement, the way `docker buildx build --sbom --provenance` stores them), and
//! a signature-like artifact referring to the index through the OCI 1.1 referrers tag scheme
//! (`sha256-<hex>`), the way registries without the referrers API hold it.
//!
//! Deterministic like the other samples: no clock, no randomness.

use super::{images, SampleImage, Seeder};
use manifest_core::digest::Digest;
use manifest_core::media;
use serde_json::json;

/// The repository of the attested release.
pub const ATTESTED_REPO: &str = "samples/attested";
/// The artifact type of the sample signature.
pub const SIGNATURE_TYPE: &str = "application/vnd.example.signature.v1+json";
/// The layer media type of in-toto statements.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";
/// The source repository and commit the provenance statements name.
pub const SOURCE: &str = "https://github.com/example/app.git#refs/tags/v1";
pub const COMMIT: &str = "4f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e";

/// A manifest with the blobs it needs, ready to push by digest or tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub media_type: &'static str,
    pub manifest: Vec<u8>,
    pub digest: Digest,
    pub blobs: Vec<(Digest, Vec<u8>)>,
}

/// Everything of the attested release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attested {
    pub images: Vec<SampleImage>,
    /// One attestation manifest per image, same order.
    pub attestations: Vec<Piece>,
    /// The index (tag `v1`).
    pub index: Piece,
    /// The signature artifact (subject: the index).
    pub signature: Piece,
    /// The tag-scheme index listing the signature, tagged [`referrers_tag`] of the index.
    ///
    /// [`referrers_tag`]: manifest_core::attest::referrers_tag
    pub referrers: Piece,
}

fn piece(
    media_type: &'static str,
    body: &serde_json::Value,
    blobs: Vec<(Digest, Vec<u8>)>,
) -> Piece {
    let manifest = serde_json::to_vec_pretty(body).unwrap_or_default();
    Piece {
        media_type,
        digest: Digest::sha256(&manifest),
        manifest,
        blobs,
    }
}

fn descriptor(media_type: &str, bytes: &[u8], digest: &Digest) -> serde_json::Value {
    json!({"mediaType": media_type, "size": bytes.len(), "digest": digest.as_str()})
}

/// The SPDX statement for one image: the image, its two base packages.
fn sbom(img: &SampleImage) -> Vec<u8> {
    let subject = format!(
        "pkg:docker/{ATTESTED_REPO}@v1?platform={}",
        img.platform.display().replace('/', "%2F")
    );
    let doc = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [{"name": subject, "digest": {"sha256": img.digest.hex()}}],
        "predicate": {
            "spdxVersion": "SPDX-2.3",
            "SPDXID": "SPDXRef-DOCUMENT",
            "name": "sbom",
            "creationInfo": {
                "created": "2026-11-30T10:00:00Z",
                "creators": ["Organization: Anchore, Inc", "Tool: syft-v1.14.0", "Tool: buildkit-v0.16.0"],
            },
            "packages": [
                {"SPDXID": "SPDXRef-app", "name": "manifest-tui-sample-app", "versionInfo": "1.0.0"},
                {"SPDXID": "SPDXRef-musl", "name": "musl", "versionInfo": "1.2.5-r0"},
                {"SPDXID": "SPDXRef-busybox", "name": "busybox", "versionInfo": "1.36.1-r29"},
            ],
            "relationships": [
                {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-app"},
            ],
        },
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// The SLSA v0.2 provenance statement BuildKit writes for one image.
fn provenance(img: &SampleImage) -> Vec<u8> {
    let doc = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": format!("pkg:docker/{ATTESTED_REPO}@v1"), "digest": {"sha256": img.digest.hex()}}],
        "predicate": {
            "builder": {"id": "https://github.com/example/app/actions/runs/4242"},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "invocation": {
                "configSource": {"uri": SOURCE, "digest": {"sha1": COMMIT}, "entryPoint": "Dockerfile"},
                "parameters": {
                    "frontend": "dockerfile.v0",
                    "args": {"build-arg:VERSION": "1.0.0", "build-arg:TARGETPLATFORM": img.platform.display()},
                },
            },
            "metadata": {"buildStartedOn": "2026-11-30T10:00:00Z", "completeness": {"parameters": true}},
        },
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

fn attestation_for(img: &SampleImage) -> Piece {
    let statements = [
        ("https://spdx.dev/Document", sbom(img)),
        ("https://slsa.dev/provenance/v0.2", provenance(img)),
    ];
    let diff_ids: Vec<String> = statements
        .iter()
        .map(|(_, b)| Digest::sha256(b).to_string())
        .collect();
    let config = serde_json::to_vec(&json!({
        "architecture": "unknown", "os": "unknown", "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap_or_default();
    let config_digest = Digest::sha256(&config);
    let mut blobs = vec![(config_digest.clone(), config.clone())];
    let layers: Vec<serde_json::Value> = statements
        .iter()
        .map(|(pt, b)| {
            let d = Digest::sha256(b);
            blobs.push((d.clone(), b.clone()));
            let mut l = descriptor(IN_TOTO, b, &d);
            l["annotations"] = json!({"in-toto.io/predicate-type": pt});
            l
        })
        .collect();
    piece(
        media::OCI_MANIFEST,
        &json!({
            "schemaVersion": 2,
            "mediaType": media::OCI_MANIFEST,
            "config": descriptor(media::OCI_CONFIG, &config, &config_digest),
            "layers": layers,
        }),
        blobs,
    )
}

/// The attested release (its bytes are the same on every call).
pub fn attested() -> Attested {
    let images: Vec<SampleImage> = images("v1", true)
        .into_iter()
        .map(|mut i| {
            i.repo = ATTESTED_REPO.to_string();
            i.tag = String::new();
            i
        })
        .collect();
    let attestations: Vec<Piece> = images.iter().map(attestation_for).collect();
    let mut manifests: Vec<serde_json::Value> =
        images.iter().map(SampleImage::descriptor_json).collect();
    for (img, a) in images.iter().zip(&attestations) {
        let mut d = descriptor(a.media_type, &a.manifest, &a.digest);
        d["platform"] = json!({"architecture": "unknown", "os": "unknown"});
        d["annotations"] = json!({
            "vnd.docker.reference.digest": img.digest.as_str(),
            "vnd.docker.reference.type": "attestation-manifest",
        });
        manifests.push(d);
    }
    let index = piece(
        media::OCI_INDEX,
        &json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": manifests}),
        Vec::new(),
    );
    // A signature-like artifact: the OCI empty config, one payload layer, the index as subject.
    let empty = b"{}".to_vec();
    let empty_digest = Digest::sha256(&empty);
    let payload = serde_json::to_vec(
        &json!({"critical": {"image": {"docker-manifest-digest": index.digest.as_str()}}}),
    )
    .unwrap_or_default();
    let payload_digest = Digest::sha256(&payload);
    let signature = piece(
        media::OCI_MANIFEST,
        &json!({
            "schemaVersion": 2,
            "mediaType": media::OCI_MANIFEST,
            "artifactType": SIGNATURE_TYPE,
            "config": descriptor("application/vnd.oci.empty.v1+json", &empty, &empty_digest),
            "layers": [descriptor("application/vnd.example.signature.payload.v1+json", &payload, &payload_digest)],
            "subject": descriptor(media::OCI_INDEX, &index.manifest, &index.digest),
            "annotations": {"org.opencontainers.image.created": "2026-11-30T10:05:00Z"},
        }),
        vec![(empty_digest, empty), (payload_digest, payload)],
    );
    let mut sig = descriptor(signature.media_type, &signature.manifest, &signature.digest);
    sig["artifactType"] = json!(SIGNATURE_TYPE);
    sig["annotations"] = json!({"org.opencontainers.image.created": "2026-11-30T10:05:00Z"});
    let referrers = piece(
        media::OCI_INDEX,
        &json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": [sig]}),
        Vec::new(),
    );
    Attested {
        images,
        attestations,
        index,
        signature,
        referrers,
    }
}

/// [`seed_attested`] for synchronous code, with a [`Seeder`] for `base_url` (no credentials),
/// on a thread and runtime of its own (callable from inside another runtime).
pub fn seed_attested_blocking(base_url: &str) -> Result<Attested, String> {
    let base = base_url.to_string();
    super::on_own_runtime(move || async move { seed_attested(&Seeder::new(&base, None)?).await })
}

/// Push the attested release to the registry a [`Seeder`] talks to: the images and the
/// attestations by digest, the index as `samples/attested:v1`, the signature by digest, the
/// tag-scheme index under `sha256-<hex of the index>`.
pub async fn seed_attested(s: &Seeder) -> Result<Attested, String> {
    let a = attested();
    let images = a.images.iter().map(|i| Piece {
        media_type: i.media_type,
        manifest: i.manifest.clone(),
        digest: i.digest.clone(),
        blobs: i.blobs.clone(),
    });
    for p in images
        .chain(a.attestations.iter().cloned())
        .chain([a.signature.clone()])
    {
        for (d, b) in &p.blobs {
            s.upload_blob(ATTESTED_REPO, d, b).await?;
        }
        s.put_manifest(
            ATTESTED_REPO,
            p.digest.as_str(),
            p.media_type,
            &p.manifest,
            &p.digest,
        )
        .await?;
    }
    s.put_manifest(
        ATTESTED_REPO,
        "v1",
        a.index.media_type,
        &a.index.manifest,
        &a.index.digest,
    )
    .await?;
    let tag = manifest_core::attest::referrers_tag(&a.index.digest);
    s.put_manifest(
        ATTESTED_REPO,
        &tag,
        a.referrers.media_type,
        &a.referrers.manifest,
        &a.referrers.digest,
    )
    .await?;
    Ok(a)
}
