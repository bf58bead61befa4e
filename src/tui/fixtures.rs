//! Fixture builders for tests and the benchmark: pane state built directly, no network.
#![doc(hidden)]

use super::state::browser::{BrowserState, Level};
use super::state::Load;
use super::worker::Content;
use crate::media::{Parsed, RawManifest};
use crate::ops::{Comparison, DiffRow, DiffSide, DiffStatus, InspectEntry, Inspection};
use crate::reference::Reference;
use crate::samples;

pub const HOST: &str = "127.0.0.1:5000";

/// The sample list `samples/app:<release>` (Docker list, or OCI index) as inspected.
pub fn sample_list(release: &str, oci: bool) -> Content {
    let l = samples::list(release, oci);
    let reference =
        Reference::parse(&format!("{HOST}/{}", l.reference())).expect("sample reference");
    let manifest = RawManifest::new(l.manifest.clone(), l.media_type).expect("sample list parses");
    let entries = match manifest.parse() {
        Ok(Parsed::Index(idx)) => idx
            .manifests
            .into_iter()
            .map(|d| InspectEntry {
                reference: reference.at_digest(&d.digest),
                descriptor: d,
                manifest: None,
                config: None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Content::new(Inspection {
        reference,
        manifest,
        entries,
        annotations: Default::default(),
    })
}

/// One sample image (`samples/app-<slug>:<release>`) with its config.
pub fn sample_image(platform: &str, release: &str) -> Content {
    let img = samples::images(release, false)
        .into_iter()
        .find(|i| i.platform == samples::platform(platform))
        .expect("a sample platform");
    let reference =
        Reference::parse(&format!("{HOST}/{}", img.reference())).expect("sample reference");
    let manifest =
        RawManifest::new(img.manifest.clone(), img.media_type).expect("sample image parses");
    let config = img
        .blobs
        .first()
        .and_then(|(_, b)| serde_json::from_slice(b).ok());
    let mut descriptor = manifest.descriptor();
    descriptor.platform = Some(img.platform.clone());
    Content::new(Inspection {
        reference: reference.clone(),
        entries: vec![InspectEntry {
            reference: reference.at_digest(&manifest.digest),
            descriptor,
            manifest: Some(manifest.clone()),
            config,
        }],
        manifest,
        annotations: Default::default(),
    })
}

/// A browser showing a tag's content (breadcrumb and tags filled in).
pub fn browser_with_content(tag: &str, content: Option<Content>, load: Load) -> BrowserState {
    let mut s = BrowserState::new();
    s.registry = Some(HOST.to_string());
    s.catalog.extend(["samples/app".to_string()]);
    s.catalog_load = Load::Done;
    s.repo = Some("samples/app".to_string());
    s.tags.extend([
        "v1".to_string(),
        "v1-oci".to_string(),
        "v2".to_string(),
        "v2-oci".to_string(),
    ]);
    s.tags_load = Load::Done;
    s.shown = Reference::parse(&format!("{HOST}/samples/app:{tag}")).ok();
    s.content = content;
    s.content_load = load;
    s.level = Level::Content;
    s
}

/// `n` repositories named like real catalogs.
pub fn repo_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("team-{}/service-{i:05}", i % 17))
        .collect()
}

fn side(hexbyte: char, size: i64) -> DiffSide {
    DiffSide {
        digest: crate::digest::Digest::parse(&format!("sha256:{}", hexbyte.to_string().repeat(64)))
            .expect("fixture digest"),
        size,
        media_type: crate::media::DOCKER_MANIFEST.to_string(),
    }
}

/// A comparison with one row of each kind, plus two same rows.
pub fn comparison_all_kinds() -> Comparison {
    let p = samples::platform;
    Comparison {
        a_label: format!("{HOST}/samples/app:v1"),
        b_label: format!("{HOST}/samples/app:v2"),
        a_digest: crate::digest::Digest::parse(&format!("sha256:{}", "a".repeat(64))).ok(),
        b_digest: crate::digest::Digest::parse(&format!("sha256:{}", "b".repeat(64))).ok(),
        rows: vec![
            DiffRow {
                platform: p("linux/amd64"),
                a: Some(side('1', 100)),
                b: Some(side('1', 100)),
                status: DiffStatus::Same,
            },
            DiffRow {
                platform: p("linux/arm64/v8"),
                a: Some(side('2', 100)),
                b: Some(side('3', 100)),
                status: DiffStatus::Changed,
            },
            DiffRow {
                platform: p("linux/ppc64le"),
                a: Some(side('4', 100)),
                b: None,
                status: DiffStatus::OnlyA,
            },
            DiffRow {
                platform: p("linux/riscv64"),
                a: None,
                b: Some(side('5', 100)),
                status: DiffStatus::OnlyB,
            },
            DiffRow {
                platform: p("windows/amd64"),
                a: Some(side('6', 100)),
                b: Some(side('6', 100)),
                status: DiffStatus::Same,
            },
        ],
    }
}
