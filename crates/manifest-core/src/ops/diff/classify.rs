//! Why two images of one platform differ: the pure part of a comparison. Given each side's
//! details (manifest and config file), align the layers (by blob digest, or by uncompressed
//! content: the config's `rootfs.diff_ids`), name the config fields that changed, add up the
//! rows, and only then say what kind of difference it is. The verdict and the totals are read
//! off the layer rows ([`platform_diff`] is the one computation), so they cannot disagree: the
//! layers changed exactly when a row is not a match, and the totals count those rows.

use crate::digest::Digest;
use crate::image::{ConfigFile, ImageDetails};
use serde::Serialize;
use std::collections::BTreeMap;

/// What kind of difference one platform shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffStatus {
    /// The same manifest digest.
    Same,
    /// Different manifests of the same image: the same config, the same layers in the same
    /// order (the same blobs, or other blobs of the same uncompressed content by the configs'
    /// `diff_ids`), e.g. Docker schema 2 against OCI, or the layers recompressed.
    FormatOnly,
    /// The same layers (as for [`FormatOnly`](DiffStatus::FormatOnly)), another config.
    ConfigOnly,
    /// A layer row is not a match: a layer rebuilt, added, removed or moved.
    LayersChanged,
    /// The manifests differ and the details could not be read to say why.
    Changed,
    OnlyA,
    OnlyB,
}

impl DiffStatus {
    /// Every kind, in the order the summary counts them.
    pub const ALL: [DiffStatus; 7] = [
        DiffStatus::Same,
        DiffStatus::FormatOnly,
        DiffStatus::ConfigOnly,
        DiffStatus::LayersChanged,
        DiffStatus::Changed,
        DiffStatus::OnlyA,
        DiffStatus::OnlyB,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DiffStatus::Same => "identical",
            DiffStatus::FormatOnly => "format only",
            DiffStatus::ConfigOnly => "config only",
            DiffStatus::LayersChanged => "layers changed",
            DiffStatus::Changed => "changed",
            DiffStatus::OnlyA => "only in A",
            DiffStatus::OnlyB => "only in B",
        }
    }

    /// Whether the image a host would run differs. `strict` counts a change of manifest
    /// format as a difference too.
    pub fn differs(self, strict: bool) -> bool {
        match self {
            DiffStatus::Same => false,
            DiffStatus::FormatOnly => strict,
            _ => true,
        }
    }
}

/// A config field a comparison names when it changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigField {
    Env,
    Entrypoint,
    Cmd,
    Labels,
    User,
    WorkingDir,
    ExposedPorts,
    Volumes,
    Created,
    OsVersion,
    StopSignal,
    Author,
    History,
    /// The config's bytes differ but none of the fields above does (other fields, or only
    /// the encoding).
    Other,
}

impl ConfigField {
    pub fn label(self) -> &'static str {
        match self {
            ConfigField::Env => "env",
            ConfigField::Entrypoint => "entrypoint",
            ConfigField::Cmd => "cmd",
            ConfigField::Labels => "labels",
            ConfigField::User => "user",
            ConfigField::WorkingDir => "working dir",
            ConfigField::ExposedPorts => "exposed ports",
            ConfigField::Volumes => "volumes",
            ConfigField::Created => "created",
            ConfigField::OsVersion => "os.version",
            ConfigField::StopSignal => "stop signal",
            ConfigField::Author => "author",
            ConfigField::History => "history",
            ConfigField::Other => "other fields",
        }
    }
}

/// One changed config field: the values (or, for lists, sets and maps, the items) only A has
/// and those only B has. A scalar shows as one item (empty when unset).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigChange {
    pub field: ConfigField,
    pub a: Vec<String>,
    pub b: Vec<String>,
}

/// How two layers line up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerMatch {
    /// The same blob (same digest) on both sides.
    Shared,
    /// Different blobs of the same uncompressed content (same `diff_id`): recompressed.
    SameContent,
    /// The same layer (blob or content) at another place in the stack: the row stands at
    /// B's place, its A side says where A has it.
    Moved,
    /// At the same place between shared layers, different content: a rebuilt layer.
    Replaced,
    OnlyA,
    OnlyB,
}

impl LayerMatch {
    pub fn label(self) -> &'static str {
        match self {
            LayerMatch::Shared => "shared",
            LayerMatch::SameContent => "same content",
            LayerMatch::Moved => "moved",
            LayerMatch::Replaced => "rebuilt",
            LayerMatch::OnlyA => "only in A",
            LayerMatch::OnlyB => "only in B",
        }
    }

    /// Whether both sides hold the same layer at this place of the stack (the same blob, or
    /// the same uncompressed content).
    pub fn is_match(self) -> bool {
        matches!(self, LayerMatch::Shared | LayerMatch::SameContent)
    }
}

/// One layer of one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// Its position in the manifest's layers (0 = the bottom).
    pub index: usize,
    pub digest: Digest,
    pub size: i64,
    pub media_type: String,
    /// The uncompressed digest from the config's `rootfs.diff_ids`, when the config lists
    /// one per layer (with another count, which is whose cannot be said: none is taken).
    pub diff_id: Option<Digest>,
    /// The history step that made it (`created_by`), when the history says.
    pub step: Option<String>,
}

/// One row of the side-by-side layer table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerRow {
    pub kind: LayerMatch,
    pub a: Option<LayerInfo>,
    pub b: Option<LayerInfo>,
}

/// The sums of a per-platform comparison, counted from its layer rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub layers_a: usize,
    pub layers_b: usize,
    /// Rows where both sides hold the same layer at the same place (same blob or same
    /// content).
    pub shared: usize,
    /// Of those, the rows of different blobs with the same content (recompressed).
    pub same_content: usize,
    /// Rows that are not a match (rebuilt + added + removed + moved): the "n" of "n of m
    /// layers" (m = every row, `shared + changed`). 0 exactly when the layers are the same.
    pub changed: usize,
    /// Rows of a layer rebuilt at the same place.
    pub rebuilt: usize,
    /// Rows of a layer only B has.
    pub added: usize,
    /// Rows of a layer only A has.
    pub removed: usize,
    /// Rows of a layer both have, at other places.
    pub moved: usize,
    /// Compressed size of each image (config plus layers).
    pub size_a: i64,
    pub size_b: i64,
    /// Bytes of B's layers whose blobs A lacks (each blob counted once).
    pub bytes_added: i64,
    /// Bytes of A's layers whose blobs B lacks.
    pub bytes_removed: i64,
    /// What a host that has A must download to run B: the layer blobs A lacks plus B's
    /// config when it differs.
    pub pull_for_b: i64,
}

impl Totals {
    /// Every row of the layer table.
    pub fn rows(&self) -> usize {
        self.shared + self.changed
    }

    /// The layer counts in words: `A 3, B 4; 2 of 4 changed (1 rebuilt, 1 added), 2 shared`.
    pub fn layers_line(&self) -> String {
        let mut kinds = Vec::new();
        for (n, what) in [
            (self.rebuilt, "rebuilt"),
            (self.added, "added"),
            (self.removed, "removed"),
            (self.moved, "moved"),
        ] {
            if n > 0 {
                kinds.push(format!("{n} {what}"));
            }
        }
        let kinds = if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        };
        let recompressed = if self.same_content > 0 {
            format!(" ({} recompressed)", self.same_content)
        } else {
            String::new()
        };
        format!(
            "A {}, B {}; {} of {} changed{kinds}, {} shared{recompressed}",
            self.layers_a,
            self.layers_b,
            self.changed,
            self.rows(),
            self.shared
        )
    }
}

/// The per-platform view: the verdict, the layers side by side, the changed config fields,
/// the totals; the verdict and the totals are counted from the layer rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlatformDiff {
    pub status: DiffStatus,
    pub layers: Vec<LayerRow>,
    pub config: Vec<ConfigChange>,
    pub totals: Totals,
}

fn layer_infos(d: &ImageDetails) -> Vec<LayerInfo> {
    let steps = d.layer_steps();
    let diff_ids = &d.config.rootfs.diff_ids;
    let covered = diff_ids.len() == d.layers().len();
    d.layers()
        .iter()
        .enumerate()
        .map(|(i, l)| LayerInfo {
            index: i,
            digest: l.digest.clone(),
            size: l.size,
            media_type: l.media_type.clone(),
            diff_id: if covered {
                diff_ids.get(i).cloned()
            } else {
                None
            },
            step: steps
                .get(i)
                .copied()
                .flatten()
                .map(|h| h.created_by.clone()),
        })
        .collect()
}

/// How two layers match, if they do.
fn layer_match(x: &LayerInfo, y: &LayerInfo) -> Option<LayerMatch> {
    if x.digest == y.digest {
        Some(LayerMatch::Shared)
    } else if x.diff_id.is_some() && x.diff_id == y.diff_id {
        Some(LayerMatch::SameContent)
    } else {
        None
    }
}

/// The longest-common-subsequence table of two stacks: `lcs[i][j]` counts the matches
/// (by [`layer_match`]) in `a[i..]` and `b[j..]`.
fn lcs_table(a: &[LayerInfo], b: &[LayerInfo]) -> Vec<Vec<usize>> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if layer_match(&a[i], &b[j]).is_some() {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    lcs
}

/// The anchors of an alignment, in order: `(i, j, kind)` for each pair of the longest run of
/// matching layers, walked off [`lcs_table`] (a match is taken when it is on the longest
/// run; otherwise A's layer is skipped when that keeps at least as many matches as skipping
/// B's, else B's).
fn anchors(a: &[LayerInfo], b: &[LayerInfo]) -> Vec<(usize, usize, LayerMatch)> {
    let (n, m) = (a.len(), b.len());
    let lcs = lcs_table(a, b);
    let mut anchors: Vec<(usize, usize, LayerMatch)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if let Some(kind) = layer_match(&a[i], &b[j]) {
            if lcs[i][j] == lcs[i + 1][j + 1] + 1 {
                anchors.push((i, j, kind));
                i += 1;
                j += 1;
                continue;
            }
        }
        if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    anchors
}

/// The moved layers: each layer of B outside the anchors takes the first layer of A outside
/// them (and not taken yet) that matches it. Returns, per layer of B, the layer of A it
/// took, and, per layer of A, whether it was taken.
fn moved(
    a: &[LayerInfo],
    b: &[LayerInfo],
    anchors: &[(usize, usize, LayerMatch)],
) -> (Vec<Option<usize>>, Vec<bool>) {
    let (n, m) = (a.len(), b.len());
    let (mut in_a, mut in_b) = (vec![false; n], vec![false; m]);
    for &(i, j, _) in anchors {
        in_a[i] = true;
        in_b[j] = true;
    }
    let mut moved_to: Vec<Option<usize>> = vec![None; m];
    let mut moved_a = vec![false; n];
    for (j, mj) in moved_to.iter_mut().enumerate() {
        if in_b[j] {
            continue;
        }
        if let Some(i) =
            (0..n).find(|&i| !in_a[i] && !moved_a[i] && layer_match(&a[i], &b[j]).is_some())
        {
            moved_a[i] = true;
            *mj = Some(i);
        }
    }
    (moved_to, moved_a)
}

/// Align two layer stacks: the longest run of matching layers in order (by digest, or by
/// uncompressed content) anchors the rows; a layer outside that run that the other side also
/// has (outside it too) is a moved layer, shown at B's place; between anchors, the other
/// unmatched layers of each side pair up by position (a rebuilt layer), and what is left over
/// stands alone. Every layer of each side is in exactly one row.
pub fn align_layers(a: &[LayerInfo], b: &[LayerInfo]) -> Vec<LayerRow> {
    let (n, m) = (a.len(), b.len());
    let anchors = anchors(a, b);
    let (moved_to, moved_a) = moved(a, b, &anchors);
    let mut rows = Vec::new();
    // The gap before each anchor, then the one after the last.
    let (mut pa, mut pb) = (0, 0);
    let ends = anchors
        .iter()
        .map(|&(i, j, k)| (i, j, Some(k)))
        .chain(std::iter::once((n, m, None)));
    for (ea, eb, kind) in ends {
        let mut ra = (pa..ea).filter(|&i| !moved_a[i]);
        for jb in pb..eb {
            let (x, kind) = match moved_to[jb] {
                Some(i) => (Some(i), LayerMatch::Moved),
                None => match ra.next() {
                    Some(i) => (Some(i), LayerMatch::Replaced),
                    None => (None, LayerMatch::OnlyB),
                },
            };
            rows.push(LayerRow {
                kind,
                a: x.map(|i| a[i].clone()),
                b: Some(b[jb].clone()),
            });
        }
        for i in ra {
            rows.push(LayerRow {
                kind: LayerMatch::OnlyA,
                a: Some(a[i].clone()),
                b: None,
            });
        }
        if let Some(kind) = kind {
            rows.push(LayerRow {
                kind,
                a: Some(a[ea].clone()),
                b: Some(b[eb].clone()),
            });
        }
        (pa, pb) = (ea + 1, eb + 1);
    }
    rows
}

/// The totals of these rows, with the images' sizes and what B's config costs to pull.
fn totals(rows: &[LayerRow], a: Option<&ImageDetails>, b: Option<&ImageDetails>) -> Totals {
    let count = |k: LayerMatch| rows.iter().filter(|r| r.kind == k).count();
    let shared = rows.iter().filter(|r| r.kind.is_match()).count();
    let blobs = |side: fn(&LayerRow) -> Option<&LayerInfo>| -> BTreeMap<Digest, i64> {
        rows.iter()
            .filter_map(side)
            .map(|l| (l.digest.clone(), l.size))
            .collect()
    };
    let (ba, bb) = (blobs(|r| r.a.as_ref()), blobs(|r| r.b.as_ref()));
    let only = |x: &BTreeMap<Digest, i64>, y: &BTreeMap<Digest, i64>| -> i64 {
        x.iter()
            .filter(|(d, _)| !y.contains_key(*d))
            .map(|(_, s)| s)
            .sum()
    };
    let bytes_added = only(&bb, &ba);
    let config_pull = match (a, b) {
        (Some(x), Some(y)) if x.image.config.digest == y.image.config.digest => 0,
        (_, Some(y)) => y.image.config.size,
        _ => 0,
    };
    Totals {
        layers_a: rows.iter().filter(|r| r.a.is_some()).count(),
        layers_b: rows.iter().filter(|r| r.b.is_some()).count(),
        shared,
        same_content: count(LayerMatch::SameContent),
        changed: rows.len() - shared,
        rebuilt: count(LayerMatch::Replaced),
        added: count(LayerMatch::OnlyB),
        removed: count(LayerMatch::OnlyA),
        moved: count(LayerMatch::Moved),
        size_a: a.map_or(0, ImageDetails::size),
        size_b: b.map_or(0, ImageDetails::size),
        bytes_added,
        bytes_removed: only(&ba, &bb),
        pull_for_b: bytes_added + config_pull,
    }
}

/// Items of `a` not in `b`, in `a`'s order.
fn missing(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A scalar field's change: each side's value, whole (empty when unset); `None` when equal.
fn scalar_change(field: ConfigField, x: &str, y: &str) -> Option<ConfigChange> {
    (x != y).then(|| ConfigChange {
        field,
        a: vec![x.to_string()],
        b: vec![y.to_string()],
    })
}

/// A set's change (or a map's, as `key=value` items): the items only each side has; when
/// only the order changed, both whole. `None` when equal.
fn set_change(field: ConfigField, x: &[String], y: &[String]) -> Option<ConfigChange> {
    if x == y {
        return None;
    }
    let (ma, mb) = (missing(x, y), missing(y, x));
    let (ma, mb) = if ma.is_empty() && mb.is_empty() {
        (vec![json_list(x)], vec![json_list(y)])
    } else {
        (ma, mb)
    };
    Some(ConfigChange {
        field,
        a: ma,
        b: mb,
    })
}

/// The history's change: the steps only each side has (their other fields change with
/// them); `None` when the histories are equal.
fn history_change(a: &ConfigFile, b: &ConfigFile) -> Option<ConfigChange> {
    if a.history == b.history {
        return None;
    }
    let steps = |c: &ConfigFile| -> Vec<String> {
        c.history.iter().map(|h| h.created_by.clone()).collect()
    };
    let (x, y) = (steps(a), steps(b));
    Some(ConfigChange {
        field: ConfigField::History,
        a: missing(&x, &y),
        b: missing(&y, &x),
    })
}

/// The config fields that differ, with the items only each side has.
pub fn config_changes(a: &ConfigFile, b: &ConfigFile) -> Vec<ConfigChange> {
    let (ra, rb) = (&a.config, &b.config);
    let kv = |m: &BTreeMap<String, String>| -> Vec<String> {
        m.iter().map(|(k, v)| format!("{k}={v}")).collect()
    };
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    // Every field, in the order they are reported.
    [
        set_change(ConfigField::Env, &ra.env, &rb.env),
        scalar_change(
            ConfigField::Entrypoint,
            &json_list(&ra.entrypoint),
            &json_list(&rb.entrypoint),
        ),
        scalar_change(ConfigField::Cmd, &json_list(&ra.cmd), &json_list(&rb.cmd)),
        set_change(ConfigField::Labels, &kv(&ra.labels), &kv(&rb.labels)),
        scalar_change(ConfigField::User, &ra.user, &rb.user),
        scalar_change(ConfigField::WorkingDir, &ra.working_dir, &rb.working_dir),
        set_change(
            ConfigField::ExposedPorts,
            &ra.exposed_ports,
            &rb.exposed_ports,
        ),
        set_change(ConfigField::Volumes, &ra.volumes, &rb.volumes),
        scalar_change(ConfigField::Created, &opt(&a.created), &opt(&b.created)),
        scalar_change(ConfigField::OsVersion, &a.os_version, &b.os_version),
        scalar_change(ConfigField::StopSignal, &ra.stop_signal, &rb.stop_signal),
        scalar_change(ConfigField::Author, &opt(&a.author), &opt(&b.author)),
        history_change(a, b),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Whether two configs differ in more than their `rootfs` (which any layer change rewrites).
fn differs_beyond_rootfs(a: &ImageDetails, b: &ImageDetails) -> bool {
    if a.image.config.digest == b.image.config.digest {
        return false;
    }
    let without_rootfs = |d: &ImageDetails| {
        let mut v: serde_json::Value = serde_json::from_slice(&d.config_bytes).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("rootfs");
        }
        v
    };
    without_rootfs(a) != without_rootfs(b)
}

/// The comparison of one platform: the layer rows, the changed config fields, the totals
/// counted from the rows, and the verdict read off the rows. Either side may be missing (a
/// platform only one list has shows its layers alone).
pub fn platform_diff(a: Option<&ImageDetails>, b: Option<&ImageDetails>) -> PlatformDiff {
    let la = a.map(layer_infos).unwrap_or_default();
    let lb = b.map(layer_infos).unwrap_or_default();
    let layers = align_layers(&la, &lb);
    let totals = totals(&layers, a, b);
    let same_layers = totals.changed == 0;
    let mut config = match (a, b) {
        (Some(x), Some(y)) => config_changes(&x.config, &y.config),
        _ => Vec::new(),
    };
    if let (Some(x), Some(y)) = (a, b) {
        // Other config bytes that no named field explains: with the same layers the config
        // changed all the same (its rootfs, another field, the encoding); with other layers
        // the rootfs rewrite explains it unless more differs.
        let unexplained = x.image.config.digest != y.image.config.digest
            && (same_layers || differs_beyond_rootfs(x, y));
        if config.is_empty() && unexplained {
            config.push(ConfigChange {
                field: ConfigField::Other,
                a: Vec::new(),
                b: Vec::new(),
            });
        }
    }
    let status = match (a, b) {
        (Some(x), Some(y)) if x.digest() == y.digest() => DiffStatus::Same,
        (Some(_), Some(_)) if !same_layers => DiffStatus::LayersChanged,
        (Some(_), Some(_)) if !config.is_empty() => DiffStatus::ConfigOnly,
        (Some(_), Some(_)) => DiffStatus::FormatOnly,
        (Some(_), None) => DiffStatus::OnlyA,
        (None, Some(_)) => DiffStatus::OnlyB,
        (None, None) => DiffStatus::Same,
    };
    PlatformDiff {
        status,
        layers,
        config,
        totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{Parsed, RawManifest};
    use serde_json::json;

    /// An image of `layers` (blob name, size, diff id name) with this config, Docker or OCI
    /// (manifest, config and layer media types alike).
    fn image(oci: bool, layers: &[(&str, i64, &str)], config: serde_json::Value) -> ImageDetails {
        let ids: Vec<&str> = layers.iter().map(|l| l.2).collect();
        image_with_ids(oci, layers, &ids, config)
    }

    /// [`image`] whose config lists these diff ids (by name), whatever the layers.
    fn image_with_ids(
        oci: bool,
        layers: &[(&str, i64, &str)],
        diff_ids: &[&str],
        config: serde_json::Value,
    ) -> ImageDetails {
        let mut config = config;
        config["rootfs"] = json!({"type": "layers",
            "diff_ids": diff_ids.iter().map(|id| Digest::sha256(id.as_bytes()).to_string()).collect::<Vec<_>>()});
        let config_bytes = serde_json::to_vec(&config).unwrap();
        let (mt, cmt, lmt) = if oci {
            (
                crate::media::OCI_MANIFEST,
                crate::media::OCI_CONFIG,
                crate::media::OCI_LAYER,
            )
        } else {
            (
                crate::media::DOCKER_MANIFEST,
                crate::media::DOCKER_CONFIG,
                crate::media::DOCKER_LAYER,
            )
        };
        let body = json!({"schemaVersion": 2, "mediaType": mt,
            "config": {"mediaType": cmt, "size": config_bytes.len(),
                "digest": Digest::sha256(&config_bytes).to_string()},
            "layers": layers.iter().map(|l| json!({"mediaType": lmt,
                "size": l.1, "digest": Digest::sha256(l.0.as_bytes()).to_string()})).collect::<Vec<_>>()});
        let manifest = RawManifest::new(serde_json::to_vec(&body).unwrap(), mt).unwrap();
        let Parsed::Image(img) = manifest.parse().unwrap() else {
            unreachable!()
        };
        ImageDetails {
            manifest,
            image: *img,
            config: ConfigFile::parse(&config_bytes).unwrap(),
            config_bytes,
        }
    }

    /// The verdict of a comparison of two images.
    fn classify(a: &ImageDetails, b: &ImageDetails) -> DiffStatus {
        platform_diff(Some(a), Some(b)).status
    }

    fn kinds(d: &PlatformDiff) -> Vec<LayerMatch> {
        d.layers.iter().map(|r| r.kind).collect()
    }

    fn base_config() -> serde_json::Value {
        json!({"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
            "config": {"Env": ["PATH=/bin"], "Cmd": ["/app"], "Labels": {"v": "1"}},
            "history": [{"created_by": "ADD base /"}, {"created_by": "ENV PATH=/bin", "empty_layer": true},
                {"created_by": "COPY deps /"}, {"created_by": "COPY app /"}]})
    }

    const LAYERS: [(&str, i64, &str); 3] = [
        ("base", 1000, "base-u"),
        ("deps", 200, "deps-u"),
        ("app", 30, "app-u"),
    ];

    #[test]
    fn identical_and_format_only() {
        let a = image(false, &LAYERS, base_config());
        assert_eq!(classify(&a, &a.clone()), DiffStatus::Same);
        let b = image(true, &LAYERS, base_config());
        assert_eq!(classify(&a, &b), DiffStatus::FormatOnly);
        let d = platform_diff(Some(&a), Some(&b));
        assert!(d.config.is_empty());
        assert!(d.layers.iter().all(|r| r.kind == LayerMatch::Shared));
        assert_eq!((d.totals.bytes_added, d.totals.pull_for_b), (0, 0));
        // Recompressed layers (other digests) of the same uncompressed content, same config.
        let recompressed: Vec<(&str, i64, &str)> = vec![
            ("base-zstd", 900, "base-u"),
            ("deps-zstd", 150, "deps-u"),
            ("app-zstd", 20, "app-u"),
        ];
        let c = image(true, &recompressed, base_config());
        assert_eq!(classify(&a, &c), DiffStatus::FormatOnly);
        let d = platform_diff(Some(&a), Some(&c));
        assert!(d.layers.iter().all(|r| r.kind == LayerMatch::SameContent));
        assert_eq!(d.totals.changed, 0);
        assert!(!DiffStatus::FormatOnly.differs(false));
        assert!(DiffStatus::FormatOnly.differs(true));
    }

    #[test]
    fn label_only_change_names_the_field() {
        let a = image(false, &LAYERS, base_config());
        let mut cfg = base_config();
        cfg["config"]["Labels"] = json!({"v": "2", "new": "x"});
        let b = image(false, &LAYERS, cfg);
        assert_eq!(classify(&a, &b), DiffStatus::ConfigOnly);
        let d = platform_diff(Some(&a), Some(&b));
        assert_eq!(
            d.config,
            [ConfigChange {
                field: ConfigField::Labels,
                a: vec!["v=1".into()],
                b: vec!["new=x".into(), "v=2".into()],
            }]
        );
        assert_eq!(d.totals.bytes_added, 0);
        assert_eq!(d.totals.pull_for_b, b.image.config.size);
    }

    #[test]
    fn every_named_field_is_reported() {
        let a = image(false, &LAYERS, base_config());
        let cfg = json!({"architecture": "amd64", "os": "linux", "os.version": "10.0.2",
            "created": "2026-02-02T00:00:00Z",
            "config": {"Env": ["PATH=/bin", "X=1"], "Entrypoint": ["/init"], "Cmd": ["/app", "-v"],
                "Labels": {"v": "1"}, "User": "app", "WorkingDir": "/srv",
                "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/data": {}}},
            "history": [{"created_by": "ADD base /"}, {"created_by": "ENV PATH=/bin", "empty_layer": true},
                {"created_by": "COPY deps /"}, {"created_by": "COPY app /"}]});
        let b = image(false, &LAYERS, cfg);
        let fields: Vec<ConfigField> = config_changes(&a.config, &b.config)
            .iter()
            .map(|c| c.field)
            .collect();
        use ConfigField::*;
        assert_eq!(
            fields,
            [
                Env,
                Entrypoint,
                Cmd,
                User,
                WorkingDir,
                ExposedPorts,
                Volumes,
                Created,
                OsVersion
            ]
        );
        let env = &config_changes(&a.config, &b.config)[0];
        assert_eq!(
            (env.a.len(), env.b.as_slice()),
            (0, &["X=1".to_string()][..])
        );
    }

    #[test]
    fn one_rebuilt_layer_lines_up_by_position() {
        let a = image(false, &LAYERS, base_config());
        let mut layers = LAYERS;
        layers[2] = ("app2", 35, "app2-u");
        let b = image(false, &layers, base_config());
        assert_eq!(classify(&a, &b), DiffStatus::LayersChanged);
        let d = platform_diff(Some(&a), Some(&b));
        let kinds: Vec<LayerMatch> = d.layers.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [LayerMatch::Shared, LayerMatch::Shared, LayerMatch::Replaced]
        );
        assert_eq!(
            d.layers[2].a.as_ref().unwrap().step.as_deref(),
            Some("COPY app /")
        );
        let t = &d.totals;
        assert_eq!((t.changed, t.layers_b, t.shared), (1, 3, 2));
        assert_eq!((t.bytes_added, t.bytes_removed), (35, 30));
        // The config changed too (its diff_ids), so a host with A pulls the config as well.
        assert_eq!(t.pull_for_b, 35 + b.image.config.size);
    }

    #[test]
    fn a_new_base_shifts_the_layers_above_it() {
        let a = image(false, &LAYERS, base_config());
        let layers = [
            ("base2", 1100, "base2-u"),
            ("base2-extra", 50, "base2x-u"),
            ("deps", 200, "deps-u"),
            ("app", 30, "app-u"),
        ];
        let b = image(false, &layers, base_config());
        assert_eq!(classify(&a, &b), DiffStatus::LayersChanged);
        let d = platform_diff(Some(&a), Some(&b));
        let kinds: Vec<LayerMatch> = d.layers.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                LayerMatch::Replaced,
                LayerMatch::OnlyB,
                LayerMatch::Shared,
                LayerMatch::Shared
            ]
        );
        // deps sits at 1 in A and at 2 in B: aligned by digest, not by position.
        assert_eq!(d.layers[2].a.as_ref().unwrap().index, 1);
        assert_eq!(d.layers[2].b.as_ref().unwrap().index, 2);
        assert_eq!((d.totals.changed, d.totals.layers_b), (2, 4));
        assert_eq!((d.totals.bytes_added, d.totals.bytes_removed), (1150, 1000));
    }

    #[test]
    fn a_platform_on_one_side_only_lists_its_layers() {
        let a = image(false, &LAYERS, base_config());
        let d = platform_diff(Some(&a), None);
        assert!(d.layers.iter().all(|r| r.kind == LayerMatch::OnlyA));
        assert_eq!(d.totals.bytes_removed, 1230);
        let d = platform_diff(None, Some(&a));
        assert!(d.layers.iter().all(|r| r.kind == LayerMatch::OnlyB));
        assert_eq!(d.totals.pull_for_b, 1230 + a.image.config.size);
    }

    #[test]
    fn config_bytes_differing_in_no_named_field_say_other() {
        let a = image(false, &LAYERS, base_config());
        let mut cfg = base_config();
        cfg["unknown_field"] = json!(1);
        let b = image(false, &LAYERS, cfg);
        assert_eq!(classify(&a, &b), DiffStatus::ConfigOnly);
        let d = platform_diff(Some(&a), Some(&b));
        assert_eq!(d.config.len(), 1);
        assert_eq!(d.config[0].field, ConfigField::Other);
    }

    /// LAYERS recompressed: other blobs (and sizes) of the same uncompressed content.
    fn recompressed() -> Vec<(&'static str, i64, &'static str)> {
        vec![
            ("base-gz9", 900, "base-u"),
            ("deps-gz9", 150, "deps-u"),
            ("app-gz9", 20, "app-u"),
        ]
    }

    /// What must hold whatever the images: each side's layers are in the rows once each and
    /// in their order, and the verdict and the totals say what the rows say.
    fn check_consistent(a: Option<&ImageDetails>, b: Option<&ImageDetails>) -> PlatformDiff {
        let d = platform_diff(a, b);
        let side = |f: fn(&LayerRow) -> Option<&LayerInfo>| -> Vec<usize> {
            d.layers.iter().filter_map(f).map(|l| l.index).collect()
        };
        let count = |x: Option<&ImageDetails>| x.map_or(0, |x| x.layers().len());
        // B's layers in B's order; A's all there (a moved layer stands at B's place).
        assert_eq!(side(|r| r.b.as_ref()), (0..count(b)).collect::<Vec<_>>());
        let mut ia = side(|r| r.a.as_ref());
        ia.sort();
        assert_eq!(ia, (0..count(a)).collect::<Vec<_>>());
        let t = &d.totals;
        let unmatched = d.layers.iter().filter(|r| !r.kind.is_match()).count();
        assert_eq!(t.changed, unmatched);
        assert_eq!(t.changed, t.rebuilt + t.added + t.removed + t.moved);
        assert_eq!(t.rows(), d.layers.len());
        assert_eq!((t.layers_a, t.layers_b), (count(a), count(b)));
        if let (Some(x), Some(y)) = (a, b) {
            let layers_changed = d.status == DiffStatus::LayersChanged;
            assert_eq!(layers_changed, t.changed > 0, "{d:#?}");
            if x.digest() != y.digest() && !layers_changed {
                let config_differs = x.image.config.digest != y.image.config.digest;
                assert_eq!(d.status == DiffStatus::ConfigOnly, config_differs);
                assert_eq!(!d.config.is_empty(), config_differs);
            }
        }
        d
    }

    #[test]
    fn recompressed_only_is_the_same_image() {
        let a = image(false, &LAYERS, base_config());
        let b = image(false, &recompressed(), base_config());
        let d = check_consistent(Some(&a), Some(&b));
        assert_eq!(d.status, DiffStatus::FormatOnly);
        assert_eq!(kinds(&d), [LayerMatch::SameContent; 3]);
        assert!(d.config.is_empty());
        let t = &d.totals;
        assert_eq!((t.changed, t.shared, t.same_content), (0, 3, 3));
        // Other blobs all the same: a host with A downloads them (the config it has).
        assert_eq!((t.bytes_added, t.pull_for_b), (1070, 1070));
    }

    #[test]
    fn recompressed_and_relabelled_is_a_config_change() {
        let a = image(false, &LAYERS, base_config());
        let mut cfg = base_config();
        cfg["config"]["Labels"] = json!({"v": "2"});
        let b = image(true, &recompressed(), cfg);
        let d = check_consistent(Some(&a), Some(&b));
        assert_eq!(d.status, DiffStatus::ConfigOnly);
        assert_eq!(kinds(&d), [LayerMatch::SameContent; 3]);
        assert_eq!(d.totals.changed, 0);
        let fields: Vec<ConfigField> = d.config.iter().map(|c| c.field).collect();
        assert_eq!(fields, [ConfigField::Labels]);
    }

    #[test]
    fn reordered_layers_are_moved_not_only_on_one_side() {
        let a = image(false, &LAYERS, base_config());
        let b = image(false, &[LAYERS[0], LAYERS[2], LAYERS[1]], base_config());
        let d = check_consistent(Some(&a), Some(&b));
        assert_eq!(d.status, DiffStatus::LayersChanged);
        assert_eq!(
            kinds(&d),
            [LayerMatch::Shared, LayerMatch::Shared, LayerMatch::Moved]
        );
        let moved = &d.layers[2];
        let at = |l: &Option<LayerInfo>| l.as_ref().map(|l| (l.index, l.digest.clone()));
        assert_eq!(at(&moved.a).unwrap().0, 1);
        assert_eq!(at(&moved.b).unwrap().0, 2);
        assert_eq!(at(&moved.a).unwrap().1, at(&moved.b).unwrap().1);
        let t = &d.totals;
        assert_eq!((t.changed, t.moved, t.shared), (1, 1, 2));
        // Nothing new to download but the config (its diff_ids are in another order).
        assert_eq!((t.bytes_added, t.bytes_removed), (0, 0));
        assert_eq!(t.pull_for_b, b.image.config.size);
        // Recompressed and reordered: still moved, by content.
        let r = recompressed();
        let c = image(false, &[r[0], r[2], r[1]], base_config());
        let d = check_consistent(Some(&a), Some(&c));
        assert_eq!(
            kinds(&d),
            [
                LayerMatch::SameContent,
                LayerMatch::SameContent,
                LayerMatch::Moved
            ]
        );
    }

    #[test]
    fn a_layer_added_on_top_and_one_removed() {
        let a = image(false, &LAYERS, base_config());
        let mut more = LAYERS.to_vec();
        more.push(("extra", 7, "extra-u"));
        let b = image(false, &more, base_config());
        let d = check_consistent(Some(&a), Some(&b));
        assert_eq!(d.status, DiffStatus::LayersChanged);
        assert_eq!(kinds(&d)[3], LayerMatch::OnlyB);
        let t = &d.totals;
        assert_eq!((t.changed, t.added, t.rows()), (1, 1, 4));
        assert_eq!((t.bytes_added, t.bytes_removed), (7, 0));
        // The other way round: a layer removed is a change the totals count (it used to be
        // "0 of 3 layers of B changed").
        let d = check_consistent(Some(&b), Some(&a));
        assert_eq!(d.status, DiffStatus::LayersChanged);
        assert_eq!(
            kinds(&d),
            [
                LayerMatch::Shared,
                LayerMatch::Shared,
                LayerMatch::Shared,
                LayerMatch::OnlyA
            ]
        );
        let t = &d.totals;
        assert_eq!((t.changed, t.removed, t.shared), (1, 1, 3));
        assert_eq!((t.bytes_added, t.bytes_removed), (0, 7));
        assert_eq!(
            t.layers_line(),
            "A 4, B 3; 1 of 4 changed (1 removed), 3 shared"
        );
    }

    #[test]
    fn the_same_content_under_docker_and_oci_layer_types() {
        let a = image(false, &LAYERS, base_config());
        let b = image(true, &LAYERS, base_config());
        let d = check_consistent(Some(&a), Some(&b));
        assert_eq!(d.status, DiffStatus::FormatOnly);
        assert_eq!(kinds(&d), [LayerMatch::Shared; 3]);
        let types = |r: &LayerRow| {
            (
                r.a.as_ref().unwrap().media_type.clone(),
                r.b.as_ref().unwrap().media_type.clone(),
            )
        };
        assert_eq!(
            types(&d.layers[0]),
            (
                crate::media::DOCKER_LAYER.to_string(),
                crate::media::OCI_LAYER.to_string()
            )
        );
        assert_eq!(d.totals.pull_for_b, 0);
    }

    #[test]
    fn without_one_diff_id_per_layer_other_blobs_are_not_the_same_content() {
        let a = image(false, &LAYERS, base_config());
        // The config lists two diff ids for three layers: which is whose cannot be said.
        let b = image_with_ids(false, &recompressed(), &["base-u", "deps-u"], base_config());
        let d = check_consistent(Some(&a), Some(&b));
        assert_eq!(d.status, DiffStatus::LayersChanged);
        assert_eq!(kinds(&d), [LayerMatch::Replaced; 3]);
        assert!(d
            .layers
            .iter()
            .all(|r| r.b.as_ref().unwrap().diff_id.is_none()));
    }

    #[test]
    fn the_same_layers_with_config_bytes_that_name_no_field_say_other() {
        // Only the encoding of the config differs: another config, no field named.
        let a = image(false, &LAYERS, base_config());
        let mut b = a.clone();
        b.config_bytes = serde_json::to_vec_pretty(
            &serde_json::from_slice::<serde_json::Value>(&a.config_bytes).unwrap(),
        )
        .unwrap();
        b.image.config.digest = Digest::sha256(&b.config_bytes);
        b.manifest =
            RawManifest::new(b"{\"other\": 1}".to_vec(), crate::media::DOCKER_MANIFEST).unwrap();
        let d = check_consistent(Some(&a), Some(&b));
        assert_eq!(d.status, DiffStatus::ConfigOnly);
        assert_eq!(d.config[0].field, ConfigField::Other);
    }

    /// Every pair of stacks of up to three layers out of four (each possibly recompressed):
    /// the rows, the totals and the verdict agree.
    #[test]
    fn rows_totals_and_verdict_agree_for_every_small_pair_of_stacks() {
        let pool = [
            ("p", 10, "p-u"),
            ("q", 20, "q-u"),
            ("r", 30, "r-u"),
            ("s", 40, "s-u"),
        ];
        let re = [
            ("p9", 11, "p-u"),
            ("q9", 21, "q-u"),
            ("r9", 31, "r-u"),
            ("s9", 41, "s-u"),
        ];
        // Stacks as digits in base 9 (0 = end, 1-4 a layer, 5-8 it recompressed).
        let mut stacks: Vec<Vec<(&str, i64, &str)>> = Vec::new();
        for code in 0..9usize.pow(3) {
            let (mut c, mut v) = (code, Vec::new());
            while c % 9 != 0 {
                let k = c % 9 - 1;
                v.push(if k < 4 { pool[k] } else { re[k - 4] });
                c /= 9;
            }
            if c == 0 {
                stacks.push(v);
            }
        }
        assert!(stacks.len() > 500, "{}", stacks.len());
        let images: Vec<ImageDetails> = stacks
            .iter()
            .map(|s| image(false, s, base_config()))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for x in images.iter().step_by(11) {
            for y in &images {
                let d = check_consistent(Some(x), Some(y));
                seen.insert(
                    kinds(&d)
                        .into_iter()
                        .map(|k| k.label())
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            check_consistent(Some(x), None);
            check_consistent(None, Some(x));
        }
        // Every kind of row came up.
        let all = seen.iter().cloned().collect::<Vec<_>>().join(",");
        for k in [
            "shared",
            "same content",
            "moved",
            "rebuilt",
            "only in A",
            "only in B",
        ] {
            assert!(all.contains(k), "{k}");
        }
    }
}
