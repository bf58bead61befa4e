//! Pairs of lists whose differences are known by construction, for `diff` and the Compare
//! pane: the same image in two manifest formats, a label-only change, one rebuilt layer, a new
//! base layer, a platform added and one dropped. Deterministic like the other samples.
//!
//! Every list lives in [`REPO`] (children by digest). The base list `v1` has three platforms
//! ([`PLATFORMS`]); each image has three layers (base, deps, app) made by three history
//! steps, with an `ENV` step between the base and the deps. Each [`Pair`] compares `v1` (A)
//! with another tag (B) and says what each platform's row must show.

use super::{gzip_stored, list_body, tar_one_file, SampleImage, SampleList, Seeded, Seeder};
use crate::digest::Digest;
use crate::media;
use crate::ops::{ConfigField, DiffStatus};
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
    let config_digest = Digest::sha256(&config);
    let (mt, cfg_mt, layer_mt) = if oci {
        (media::OCI_MANIFEST, media::OCI_CONFIG, media::OCI_LAYER)
    } else {
        (
            media::DOCKER_MANIFEST,
            media::DOCKER_CONFIG,
            media::DOCKER_LAYER,
        )
    };
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": mt,
        "config": {"mediaType": cfg_mt, "size": config.len(), "digest": config_digest.as_str()},
        "layers": blobs_layers.iter().map(|b| json!({"mediaType": layer_mt, "size": b.len(),
            "digest": Digest::sha256(b).as_str()})).collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    let mut blobs = vec![(config_digest, config)];
    blobs.extend(blobs_layers.into_iter().map(|b| (Digest::sha256(&b), b)));
    SampleImage {
        repo: REPO.to_string(),
        tag: String::new(),
        platform: plat,
        media_type: mt,
        digest: Digest::sha256(&manifest),
        manifest,
        blobs,
    }
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

/// Every list of the pairs: `v1` (the base, a Docker list) and one tag per other side.
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
            })
            .collect::<Vec<_>>()
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
    ]
}

/// Push every list of the pairs (children by digest, then the list by tag).
pub async fn seed(base_url: &str, authorization: Option<&str>) -> Result<Seeded, String> {
    let s = Seeder::new(base_url, authorization)?;
    let mut out = Seeded::default();
    let mut have: std::collections::HashSet<(String, Digest)> = Default::default();
    for l in lists() {
        for c in &l.children {
            s.push_image(c, &mut have, &mut out).await?;
        }
        s.put_manifest(&l.repo, &l.tag, l.media_type, &l.manifest, &l.digest)
            .await?;
        out.manifests_put += 1;
        out.tags.push((l.reference(), l.digest.clone()));
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
