//! Per-platform comparison of two lists (or images, or a list and a local draft): each
//! platform is classified (identical, format only, config only, layers changed, only on one
//! side) from the images' details, fetched for both sides at once. A row's verdict is the
//! one `classify::platform_diff` reads off its layer rows whenever the details were read.

mod classify;

pub use classify::{
    platform_diff, ConfigChange, ConfigField, DiffStatus, LayerInfo, LayerMatch, LayerRow,
    PlatformDiff, Totals,
};

use super::details::image_details;
use super::inspect::{inspect, InspectOptions, Inspection};
use super::{no_progress, OpError};
use crate::digest::Digest;
use crate::image::ImageDetails;
use crate::media::{self, RawManifest};
use crate::platform::Platform;
use crate::reference::Reference;
use crate::registry::Client;
use crate::store::Store;
use futures_util::future::join_all;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Remote(Reference),
    Local(Reference),
}

impl Source {
    pub fn label(&self) -> String {
        match self {
            Source::Remote(r) => r.familiar(),
            Source::Local(r) => format!("{} (local)", r.familiar()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffSide {
    pub digest: Digest,
    pub size: i64,
    pub media_type: String,
}

/// Whether the attestations (BuildKit provenance, SBOM) of a platform, or of a whole list,
/// changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationStatus {
    /// Neither side has any.
    #[default]
    None,
    Same,
    Changed,
    OnlyA,
    OnlyB,
}

impl AttestationStatus {
    fn of<T: PartialEq>(a: &[T], b: &[T]) -> AttestationStatus {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => AttestationStatus::None,
            (false, true) => AttestationStatus::OnlyA,
            (true, false) => AttestationStatus::OnlyB,
            _ if a == b => AttestationStatus::Same,
            _ => AttestationStatus::Changed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttestationStatus::None => "none",
            AttestationStatus::Same => "unchanged",
            AttestationStatus::Changed => "changed",
            AttestationStatus::OnlyA => "only in A",
            AttestationStatus::OnlyB => "only in B",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    pub platform: Platform,
    pub a: Option<DiffSide>,
    pub b: Option<DiffSide>,
    pub status: DiffStatus,
    /// The layers side by side, the changed config fields and the totals: present when the
    /// details of every side the platform has were read.
    pub detail: Option<PlatformDiff>,
    /// Why the details are missing (a fetch failed, an entry is not an image).
    pub problem: Option<String>,
    pub attestations: AttestationStatus,
}

impl DiffRow {
    /// A platform's row from what was read of each side (its entry, and its details or why
    /// they could not be read). With every side's details the verdict is the one
    /// [`platform_diff`] counts from the layer rows; without them, the manifests' digests
    /// say whether it is identical, else it is `Changed` with the problem.
    pub fn compare(
        platform: Platform,
        a: Option<(DiffSide, Result<&ImageDetails, String>)>,
        b: Option<(DiffSide, Result<&ImageDetails, String>)>,
        attestations: AttestationStatus,
    ) -> DiffRow {
        let problem = [&a, &b]
            .into_iter()
            .flatten()
            .find_map(|(_, r)| r.as_ref().err().cloned());
        let detail = problem.is_none().then(|| {
            platform_diff(
                a.as_ref().and_then(|(_, r)| r.as_ref().ok().copied()),
                b.as_ref().and_then(|(_, r)| r.as_ref().ok().copied()),
            )
        });
        let (a, b) = (a.map(|x| x.0), b.map(|x| x.0));
        let status = match (&detail, &a, &b) {
            (Some(d), _, _) => d.status,
            (None, Some(x), Some(y)) if x.digest == y.digest => DiffStatus::Same,
            (None, Some(_), Some(_)) => DiffStatus::Changed,
            (None, Some(_), None) => DiffStatus::OnlyA,
            (None, _, _) => DiffStatus::OnlyB,
        };
        DiffRow {
            platform,
            a,
            b,
            status,
            detail,
            problem,
            attestations,
        }
    }

    /// The config fields that changed (empty without details).
    pub fn fields(&self) -> Vec<ConfigField> {
        self.detail
            .as_ref()
            .map(|d| d.config.iter().map(|c| c.field).collect())
            .unwrap_or_default()
    }

    /// One line saying why the platform differs: the changed fields, or "n of m layers".
    pub fn why(&self) -> String {
        let Some(d) = &self.detail else {
            return self.problem.clone().unwrap_or_default();
        };
        let fields = || {
            self.fields()
                .iter()
                .map(|f| f.label())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let t = &d.totals;
        match self.status {
            DiffStatus::ConfigOnly => fields(),
            DiffStatus::LayersChanged => format!(
                "{} of {} layers, +{} -{}",
                t.changed,
                t.rows(),
                human_size(t.bytes_added),
                human_size(t.bytes_removed)
            ),
            DiffStatus::FormatOnly => {
                // What differs between the manifests of the same image.
                let kind = |s: &Option<DiffSide>| {
                    s.as_ref()
                        .and_then(|x| media::Kind::from_media_type(&x.media_type))
                };
                let mut parts = Vec::new();
                let (ka, kb) = (kind(&self.a), kind(&self.b));
                if ka != kb {
                    let label = |k: Option<media::Kind>| k.map_or("?", media::Kind::label);
                    parts.push(format!("{} → {}", label(ka), label(kb)));
                }
                if t.same_content > 0 {
                    parts.push(format!(
                        "{} of {} layers recompressed",
                        t.same_content,
                        t.rows()
                    ));
                }
                let types = d.layers.iter().any(|r| match (&r.a, &r.b) {
                    (Some(x), Some(y)) => x.media_type != y.media_type,
                    _ => false,
                });
                if types && ka == kb {
                    parts.push("layer media types".to_string());
                }
                if parts.is_empty() {
                    parts.push("other manifest bytes".to_string());
                }
                parts.join(", ")
            }
            DiffStatus::OnlyA => format!("{} layers", t.layers_a),
            DiffStatus::OnlyB => format!("{} layers", t.layers_b),
            _ => String::new(),
        }
    }
}

/// `1.2 MiB`, `532 B`: sizes for people (exact bytes are in the JSON). Negative sizes
/// (malformed descriptors) are shown as `?`.
pub fn human_size(n: i64) -> String {
    if n < 0 {
        return "?".to_string();
    }
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub a_label: String,
    pub b_label: String,
    /// The list's own digest (None for a local draft).
    pub a_digest: Option<Digest>,
    pub b_digest: Option<Digest>,
    pub rows: Vec<DiffRow>,
    /// The lists' attestation manifests, as a whole.
    pub attestations: AttestationStatus,
}

impl Comparison {
    pub fn count(&self, s: DiffStatus) -> usize {
        self.rows.iter().filter(|r| r.status == s).count()
    }
    pub fn identical(&self) -> bool {
        self.rows.iter().all(|r| r.status == DiffStatus::Same)
    }
    /// Whether any platform differs; `strict` counts a change of manifest format.
    pub fn differs(&self, strict: bool) -> bool {
        self.rows.iter().any(|r| r.status.differs(strict))
    }
    /// The kinds a summary counts, with their counts: identical and only in A / B always,
    /// the others when they occur.
    pub fn counts(&self) -> Vec<(DiffStatus, usize)> {
        DiffStatus::ALL
            .iter()
            .map(|&s| (s, self.count(s)))
            .filter(|&(s, n)| {
                matches!(s, DiffStatus::Same | DiffStatus::OnlyA | DiffStatus::OnlyB) || n > 0
            })
            .collect()
    }

    /// The summary line: each kind counted, then the attestations.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .counts()
            .iter()
            .map(|(s, n)| format!("{n} {}", s.label()))
            .collect();
        if self.attestations != AttestationStatus::None {
            parts.push(format!("attestations {}", self.attestations.label()));
        }
        parts.join(", ")
    }
    /// The row of a platform as a user types it (`linux/arm64` names `linux/arm64/v8`;
    /// without an os.version it names the one row of that platform whatever its os.version).
    pub fn row(&self, platform: &Platform) -> Option<&DiffRow> {
        if let Some(r) = self.rows.iter().find(|r| r.platform.matches(platform)) {
            return Some(r);
        }
        let mut m = self.rows.iter().filter(|r| platform.selects(&r.platform));
        match (m.next(), m.next()) {
            (Some(r), None) => Some(r),
            _ => None,
        }
    }
}

/// One entry of a side, with what is already known of it.
struct Entry {
    platform: Platform,
    side: DiffSide,
    /// `repo@digest`, where its config lives.
    at: Reference,
    /// The exact manifest bytes when already in hand (a draft's entry, a single image).
    raw: Option<RawManifest>,
    /// A single image's details, read to learn its platform.
    details: Option<ImageDetails>,
}

struct Loaded {
    digest: Option<Digest>,
    entries: Vec<Entry>,
    /// Attestation manifests: (the image digest they describe, their own digest), sorted.
    attestations: Vec<(Option<String>, Digest)>,
}

/// Read one side: a local draft from the store, a remote one by [`remote_side`].
async fn load_side(client: &Client, store: &Store, s: &Source) -> Result<Loaded, OpError> {
    match s {
        Source::Local(r) => local_side(store, r),
        Source::Remote(r) => remote_side(client, r).await,
    }
}

/// A local draft's side: its entries with their exact bytes, no digest, no attestations.
fn local_side(store: &Store, r: &Reference) -> Result<Loaded, OpError> {
    let d = store.load(&r.clone().with_default_tag())?;
    Ok(Loaded {
        digest: None,
        entries: d
            .entries
            .iter()
            .map(|e| Entry {
                platform: e.platform(),
                side: DiffSide {
                    digest: e.digest().clone(),
                    size: e.raw.size(),
                    media_type: e.raw.media_type.clone(),
                },
                at: e.reference.at_digest(e.digest()),
                raw: Some(e.raw.clone()),
                details: None,
            })
            .collect(),
        attestations: Vec::new(),
    })
}

/// A remote side: the manifest inspected (without children or configs), then a single
/// image by [`image_side`], a list by [`list_side`].
async fn remote_side(client: &Client, r: &Reference) -> Result<Loaded, OpError> {
    let opts = InspectOptions {
        children: false,
        configs: false,
    };
    let ins = inspect(client, r, opts, no_progress()).await?;
    if !ins.is_list() {
        return image_side(client, &ins).await;
    }
    Ok(list_side(&ins))
}

/// A single image: its platform is in its config, read with the rest of it.
async fn image_side(client: &Client, ins: &Inspection) -> Result<Loaded, OpError> {
    let at = ins.reference.at_digest(&ins.manifest.digest);
    let details = image_details(client, &at, Some(ins.manifest.clone())).await?;
    let platform = details.config.platform();
    Ok(Loaded {
        digest: Some(ins.manifest.digest.clone()),
        entries: vec![Entry {
            platform,
            side: DiffSide {
                digest: ins.manifest.digest.clone(),
                size: ins.manifest.size(),
                media_type: ins.manifest.media_type.clone(),
            },
            at,
            raw: Some(ins.manifest.clone()),
            details: Some(details),
        }],
        attestations: Vec::new(),
    })
}

/// A list: its image entries by their descriptors (nothing more is read here), and its
/// attestation manifests by the image each describes, sorted.
fn list_side(ins: &Inspection) -> Loaded {
    let (att, images): (Vec<_>, Vec<_>) = ins
        .entries
        .iter()
        .partition(|e| media::is_attestation(&e.descriptor));
    let mut attestations: Vec<(Option<String>, Digest)> = att
        .iter()
        .map(|e| {
            (
                e.descriptor
                    .annotations
                    .get(crate::attest::REFERENCE_DIGEST)
                    .cloned(),
                e.descriptor.digest.clone(),
            )
        })
        .collect();
    attestations.sort();
    Loaded {
        digest: Some(ins.manifest.digest.clone()),
        entries: images
            .iter()
            .map(|e| Entry {
                platform: e.platform(),
                side: DiffSide {
                    digest: e.descriptor.digest.clone(),
                    size: e.descriptor.size,
                    media_type: e.descriptor.media_type.clone(),
                },
                at: ins.reference.at_digest(&e.descriptor.digest),
                raw: None,
                details: None,
            })
            .collect(),
        attestations,
    }
}

/// An entry with what was read of it, as a row takes it.
fn side(
    e: Option<Entry>,
    d: &Option<Result<ImageDetails, String>>,
) -> Option<(DiffSide, Result<&ImageDetails, String>)> {
    e.zip(d.as_ref())
        .map(|(e, d)| (e.side, d.as_ref().map_err(Clone::clone)))
}

/// Each side's entries paired by platform (keyed by [`Platform::key`]).
type Pairs = BTreeMap<String, (Platform, Option<Entry>, Option<Entry>)>;

/// Pair the entries of both sides by platform.
fn pair_by_platform(a: Vec<Entry>, b: Vec<Entry>) -> Pairs {
    let mut pairs: Pairs = BTreeMap::new();
    for e in a {
        let p = e.platform.clone();
        pairs.entry(p.key()).or_insert_with(|| (p, None, None)).1 = Some(e);
    }
    for e in b {
        let p = e.platform.clone();
        pairs.entry(p.key()).or_insert_with(|| (p, None, None)).2 = Some(e);
    }
    pairs
}

/// Read the details of every entry not read yet, all at once and once per repository and
/// digest; keyed by `repo@digest`, a failure as its message.
async fn read_details(
    client: &Client,
    pairs: &Pairs,
) -> BTreeMap<String, Result<ImageDetails, String>> {
    let mut wanted: BTreeMap<String, (Reference, Option<RawManifest>)> = BTreeMap::new();
    for e in pairs.values().flat_map(|(_, x, y)| [x, y]).flatten() {
        if e.details.is_none() {
            wanted
                .entry(e.at.to_string())
                .or_insert_with(|| (e.at.clone(), e.raw.clone()));
        }
    }
    let keys: Vec<String> = wanted.keys().cloned().collect();
    let fetched = join_all(
        wanted
            .into_values()
            .map(|(at, raw)| async move { image_details(client, &at, raw).await }),
    )
    .await;
    keys.into_iter()
        .zip(fetched.into_iter().map(|r| r.map_err(|e| e.to_string())))
        .collect()
}

/// The rows, sorted by platform: each pair compared with its details (already in hand, or
/// `fetched`) and the attestations each side lists for its image.
fn rows(
    pairs: Pairs,
    fetched: &BTreeMap<String, Result<ImageDetails, String>>,
    att_a: &[(Option<String>, Digest)],
    att_b: &[(Option<String>, Digest)],
) -> Vec<DiffRow> {
    let details_of = |e: &Entry| -> Result<ImageDetails, String> {
        match &e.details {
            Some(d) => Ok(d.clone()),
            None => fetched
                .get(&e.at.to_string())
                .cloned()
                .unwrap_or_else(|| Err(format!("{} was not read", e.at))),
        }
    };
    let att_of = |l: &[(Option<String>, Digest)], e: &Option<Entry>| -> Vec<Digest> {
        match e {
            Some(e) => l
                .iter()
                .filter(|(s, _)| s.as_deref() == Some(e.side.digest.as_str()))
                .map(|(_, d)| d.clone())
                .collect(),
            None => Vec::new(),
        }
    };
    let mut rows: Vec<DiffRow> = pairs
        .into_values()
        .map(|(platform, ea, eb)| {
            let attestations = AttestationStatus::of(&att_of(att_a, &ea), &att_of(att_b, &eb));
            let da = ea.as_ref().map(&details_of);
            let db = eb.as_ref().map(&details_of);
            DiffRow::compare(platform, side(ea, &da), side(eb, &db), attestations)
        })
        .collect();
    rows.sort_by_key(|r| r.platform.display());
    rows
}

/// The lists' attestations as a whole: the sets of their attestation manifests' digests.
fn list_attestations(
    a: &[(Option<String>, Digest)],
    b: &[(Option<String>, Digest)],
) -> AttestationStatus {
    let digests = |l: &[(Option<String>, Digest)]| -> BTreeSet<Digest> {
        l.iter().map(|(_, d)| d.clone()).collect()
    };
    let (sa, sb): (Vec<Digest>, Vec<Digest>) = (
        digests(a).into_iter().collect(),
        digests(b).into_iter().collect(),
    );
    AttestationStatus::of(&sa, &sb)
}

/// Compare two sources per platform. Both sides are read at once, then every image's details
/// (manifest and config) at once; an image both sides share is read once.
pub async fn diff(
    client: &Client,
    store: &Store,
    a: &Source,
    b: &Source,
) -> Result<Comparison, OpError> {
    let (ra, rb) = tokio::join!(load_side(client, store, a), load_side(client, store, b));
    let (la, lb) = (ra?, rb?);
    let pairs = pair_by_platform(la.entries, lb.entries);
    let fetched = read_details(client, &pairs).await;
    let rows = rows(pairs, &fetched, &la.attestations, &lb.attestations);
    Ok(Comparison {
        a_label: a.label(),
        b_label: b.label(),
        a_digest: la.digest,
        b_digest: lb.digest,
        rows,
        attestations: list_attestations(&la.attestations, &lb.attestations),
    })
}
