//! Pairs of lists whose differences are known by construction, for `diff` and the Compare
//! pane: the same image in two manifest formats, a label-only change, one rebuilt layer, a new
//! base layer, a platform added and one dropped. Deterministic like the other samples.
//!
//! Every list lives in [`REPO`] (children by digest). The base list `v1` has three platforms
//! ([`PLATFORMS`]); each image has three layers (base, deps, app) made by three history
//! steps, with an `ENV` step between the base and the deps. Each [`Pair`] compares `v1` (A)
//! with another tag (B) and says what each platform's row must show.

use super::{gzip_stored, list_body, tar_one_file, SampleImage, SampleList, Seeded, Seeder};
use manifest_core::digest::Digest;
use manifest_core::media;
use manifest_core::ops::{AttestationStatus, ConfigField, DiffStatus};
use serde_json::json;

/// The repository of every pair's lists.
pub const REPO: &str = "samples/pairs";
/// The base list's platforms.
pub const PLATFORMS: [&str; 3] = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"];
/// The platform the `platforms` tag adds (and the one it drops: the last of [`PLATFORMS`]).
pub const ADDED_PLATFORM: &str = "linux/riscv64";
/// The label the `label` tag changes.
pub const VERSION_LABEL: &str = "org.opencontainers.image.version";

/// One layer: the file it adds, the file's text, the step that made it.
struct Layer {
    file: &'static str,
    text: String,
    step: String,
}

/// How a variant differs from the base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Base,
    /// Another version label, nothing else.
    Label,
    /// The app layer rebuilt (other content), the rest as the base.
    Rebuilt,
    /// The base layer replaced by a new base of two layers; deps and app as they were.
    NewBase,
}

fn layers(p: &str, v: Variant) -> Vec<Layer> {
    let l = |file: &'static str, text: String, step: &str| Layer {
        file,
        text,
        step: step.to_string(),
    };
    let app = match v {
        Variant::Rebuilt => format!("app for {p}, build 2\n"),
        _ => format!("app for {p}, build 1\n"),
    };
    let mut out = match v {
        Variant::NewBase => vec![
            l(
                "base.txt",
                format!("base os 2.0 for {p}\n"),
                "ADD base-2.0.tar /",
            ),
            l(
                "ca.txt",
                format!("certificates of base 2.0 for {p}\n"),
                "RUN update-ca-certificates",
            ),
        ],
        _ => vec![l(
            "base.txt",
            format!("base os 1.0 for {p}\n"),
            "ADD base-1.0.tar /",
        )],
    };
    out.push(l("deps.txt", format!("deps for {p}\n"), "COPY deps /deps"));
    out.push(l("app.txt", app, "COPY app /app"));
    out
}

fn image(p: &str, v: Variant, oci: bool) -> SampleImage {
    let plat = super::platform(p);
    let layers = layers(p, v);
    let mut blobs_layers = Vec::new();
    let mut diff_ids = Vec::new();
    let mut history = Vec::new();
    let base_layers = if v == Variant::NewBase { 2 } else { 1 };
    for (i, l) in layers.iter().enumerate() {
        let tar = tar_one_file(l.file, l.text.as_bytes());
        diff_ids.push(Digest::sha256(&tar).to_string());
        blobs_layers.push(gzip_stored(&tar));
        history.push(json!({"created": "2026-01-01T00:00:00Z", "created_by": l.step}));
        if i + 1 == base_layers {
            history.push(json!({"created": "2026-01-01T00:00:00Z",
                "created_by": "ENV PATH=/usr/local/bin:/usr/bin", "empty_layer": true}));
        }
    }
    let version = if v == Variant::Label {
        "1.0.1"
    } else {
        "1.0.0"
    };
    let mut cfg = json!({
        "architecture": plat.architecture,
        "os": plat.os,
        "created": "2026-01-01T00:00:00Z",
        "config": {
            "Env": ["PATH=/usr/local/bin:/usr/bin"],
            "Entrypoint": ["/app/app.txt"],
            "WorkingDir": "/app",
            "Labels": {VERSION_LABEL: version, "org.opencontainers.image.title": "manifest-tui pairs"},
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    if !plat.variant.is_empty() {
        cfg["variant"] = json!(plat.variant);
    }
    let config = serde_json::to_vec(&cfg).unwrap_or_default();
    let mut img = super::image_of(config, blobs_layers, oci);
    img.repo = REPO.to_string();
    img.platform = plat;
    img
}

fn list(tag: &str, platforms: &[&str], v: Variant, oci: bool) -> SampleList {
    let children: Vec<SampleImage> = platforms.iter().map(|p| image(p, v, oci)).collect();
    let mt = if oci {
        media::OCI_INDEX
    } else {
        media::DOCKER_LIST
    };
    let manifest = list_body(mt, &children);
    SampleList {
        repo: REPO.to_string(),
        tag: tag.to_string(),
        media_type: mt,
        digest: Digest::sha256(&manifest),
        manifest,
        children,
    }
}

/// The base images as an OCI index with one attestation manifest per image, as BuildKit
/// writes them (platform `unknown/unknown`, the image's digest in an annotation). The images
/// of another variant stand in for the attestation manifests (pushed as another list's
/// children before this one): a comparison looks at their digests only.
fn attested(tag: &str, attestations: Variant) -> SampleList {
    let children: Vec<SampleImage> = PLATFORMS
        .iter()
        .map(|p| image(p, Variant::Base, true))
        .collect();
    let mut manifests: Vec<serde_json::Value> =
        children.iter().map(SampleImage::descriptor_json).collect();
    for (p, img) in PLATFORMS.iter().zip(&children) {
        let att = image(p, attestations, false);
        manifests.push(json!({
            "mediaType": att.media_type,
            "size": att.manifest.len(),
            "digest": att.digest.as_str(),
            "platform": {"architecture": "unknown", "os": "unknown"},
            "annotations": {
                "vnd.docker.reference.digest": img.digest.as_str(),
                "vnd.docker.reference.type": "attestation-manifest",
            },
        }));
    }
    let body = json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": manifests});
    let manifest = serde_json::to_vec_pretty(&body).unwrap_or_default();
    SampleList {
        repo: REPO.to_string(),
        tag: tag.to_string(),
        media_type: media::OCI_INDEX,
        digest: Digest::sha256(&manifest),
        manifest,
        children,
    }
}

/// Every list of the pairs: `v1` (the base, a Docker list) and one tag per other side, in
/// push order (the attested lists refer to children of the `label` and `rebuilt` lists).
pub fn lists() -> Vec<SampleList> {
    let mut moved: Vec<&str> = PLATFORMS[..PLATFORMS.len() - 1].to_vec();
    moved.push(ADDED_PLATFORM);
    vec![
        list("v1", &PLATFORMS, Variant::Base, false),
        list("v1-oci", &PLATFORMS, Variant::Base, true),
        list("label", &PLATFORMS, Variant::Label, false),
        list("rebuilt", &PLATFORMS, Variant::Rebuilt, false),
        list("newbase", &PLATFORMS, Variant::NewBase, false),
        list("platforms", &moved, Variant::Base, false),
        attested("attested", Variant::Label),
        attested("attested-2", Variant::Rebuilt),
    ]
}

/// What one platform's row of a pair must show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub platform: &'static str,
    pub status: DiffStatus,
    /// The changed config fields (for config-only and layer changes).
    pub fields: Vec<ConfigField>,
    /// `(changed, of)` layers of B.
    pub layers: Option<(usize, usize)>,
    pub attestations: AttestationStatus,
}

/// Two tags of [`REPO`] and what their comparison must say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub name: &'static str,
    pub a: &'static str,
    pub b: &'static str,
    pub expect: Vec<Expected>,
}

impl Pair {
    pub fn a_ref(&self, host: &str) -> String {
        format!("{host}/{REPO}:{}", self.a)
    }
    pub fn b_ref(&self, host: &str) -> String {
        format!("{host}/{REPO}:{}", self.b)
    }
}

/// The pairs, each against `v1`.
pub fn pairs() -> Vec<Pair> {
    let each = |status: DiffStatus, fields: Vec<ConfigField>, layers: Option<(usize, usize)>| {
        PLATFORMS
            .iter()
            .map(|&platform| Expected {
                platform,
                status,
                fields: fields.clone(),
                layers,
                attestations: AttestationStatus::None,
            })
            .collect::<Vec<_>>()
    };
    let attest = |attestations| {
        let mut v = each(DiffStatus::Same, vec![], Some((0, 3)));
        for e in &mut v {
            e.attestations = attestations;
        }
        v
    };
    // A layer change rewrites the config's diff_ids and history, nothing else of it.
    let layer_fields = vec![ConfigField::History];
    let mut moved = each(DiffStatus::Same, vec![], Some((0, 3)));
    moved[PLATFORMS.len() - 1].status = DiffStatus::OnlyA;
    moved[PLATFORMS.len() - 1].layers = None;
    moved.push(Expected {
        platform: ADDED_PLATFORM,
        status: DiffStatus::OnlyB,
        fields: vec![],
        layers: None,
        attestations: AttestationStatus::None,
    });
    vec![
        Pair {
            name: "same image, Docker list against OCI index",
            a: "v1",
            b: "v1-oci",
            expect: each(DiffStatus::FormatOnly, vec![], Some((0, 3))),
        },
        Pair {
            name: "a label changed",
            a: "v1",
            b: "label",
            expect: each(
                DiffStatus::ConfigOnly,
                vec![ConfigField::Labels],
                Some((0, 3)),
            ),
        },
        Pair {
            name: "one layer rebuilt",
            a: "v1",
            b: "rebuilt",
            expect: each(DiffStatus::LayersChanged, vec![], Some((1, 3))),
        },
        Pair {
            name: "a new base layer",
            a: "v1",
            b: "newbase",
            expect: each(DiffStatus::LayersChanged, layer_fields, Some((2, 4))),
        },
        Pair {
            name: "a platform added, one dropped",
            a: "v1",
            b: "platforms",
            expect: moved,
        },
        Pair {
            name: "the same images, other attestations",
            a: "attested",
            b: "attested-2",
            expect: attest(AttestationStatus::Changed),
        },
        Pair {
            name: "the same images, attestations added",
            a: "v1-oci",
            b: "attested",
            expect: attest(AttestationStatus::OnlyB),
        },
    ]
}

/// Push every list of the pairs (children by digest, then the list by tag).
pub async fn seed(base_url: &str, authorization: Option<&str>) -> Result<Seeded, String> {
    let s = Seeder::new(base_url, authorization)?;
    let mut out = Seeded::default();
    let mut have: std::collections::HashSet<(String, Digest)> = Default::default();
    for l in lists() {
        s.push_list(&l, &mut have, &mut out).await?;
    }
    Ok(out)
}

/// [`seed`] from synchronous code (the demo, the test harness).
pub fn seed_blocking(base_url: &str, authorization: Option<&str>) -> Result<Seeded, String> {
    let base = base_url.to_string();
    let auth = authorization.map(str::to_string);
    super::on_own_runtime(move || async move { seed(&base, auth.as_deref()).await })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variants_differ_only_where_they_should() {
        let by_tag = |t: &str| lists().into_iter().find(|l| l.tag == t).unwrap();
        let (v1, oci) = (by_tag("v1"), by_tag("v1-oci"));
        for (a, b) in v1.children.iter().zip(&oci.children) {
            assert_ne!(a.digest, b.digest);
            // Same config bytes and layer blobs in both formats.
            assert_eq!(a.blobs, b.blobs);
        }
        let label = by_tag("label");
        for (a, b) in v1.children.iter().zip(&label.children) {
            assert_ne!(a.blobs[0], b.blobs[0]);
            assert_eq!(a.blobs[1..], b.blobs[1..]);
        }
        let rebuilt = by_tag("rebuilt");
        for (a, b) in v1.children.iter().zip(&rebuilt.children) {
            assert_eq!(a.blobs[1..3], b.blobs[1..3]);
            assert_ne!(a.blobs[3], b.blobs[3]);
        }
        let newbase = by_tag("newbase");
        for (a, b) in v1.children.iter().zip(&newbase.children) {
            assert_eq!(b.blobs.len(), 5);
            assert_eq!(a.blobs[2..], b.blobs[3..]);
        }
        let platforms = by_tag("platforms");
        assert_eq!(platforms.children[..2], v1.children[..2]);
        assert_eq!(platforms.children[2].platform.architecture, "riscv64");
    }
}
