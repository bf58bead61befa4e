//! Why two images of one platform differ: the pure part of a comparison. Given each side's
//! details (manifest and config file), say whether they are identical, the same image in
//! another manifest format, a change of the config alone, or a change of layers; align the
//! layers by digest and by position; name the config fields that changed; add up the bytes.

use crate::digest::Digest;
use crate::image::{ConfigFile, ImageDetails};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What kind of difference one platform shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffStatus {
    /// The same manifest digest.
    Same,
    /// Different manifests of the same image: same config, same layers (or the same
    /// uncompressed layers, by the config's `diff_ids`), e.g. Docker schema 2 against OCI.
    FormatOnly,
    /// The layers are shared, the config differs.
    ConfigOnly,
    /// At least one layer differs.
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
    /// Different blobs of the same uncompressed content (same `diff_id`).
    SameContent,
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
            LayerMatch::Replaced => "rebuilt",
            LayerMatch::OnlyA => "only in A",
            LayerMatch::OnlyB => "only in B",
        }
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
    /// The uncompressed digest from the config's `rootfs.diff_ids`, when listed.
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

/// The sums of a per-platform comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub layers_a: usize,
    pub layers_b: usize,
    /// Layers of B with a match in A (same digest or same content).
    pub shared: usize,
    /// Layers of B with no match in A: the "n" of "n of m layers changed" (m = `layers_b`).
    pub changed: usize,
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

/// The per-platform view: layers side by side, changed config fields, totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlatformDiff {
    pub layers: Vec<LayerRow>,
    pub config: Vec<ConfigChange>,
    pub totals: Totals,
}

/// The kind of difference between two images of one platform (both read).
pub fn classify(a: &ImageDetails, b: &ImageDetails) -> DiffStatus {
    if a.digest() == b.digest() {
        return DiffStatus::Same;
    }
    let same_config = a.image.config.digest == b.image.config.digest;
    let digests = |d: &ImageDetails| d.layers().iter().map(|l| l.digest.clone()).collect();
    let la: Vec<Digest> = digests(a);
    let lb: Vec<Digest> = digests(b);
    // The config lists the uncompressed layers: with the same config, layers of the same
    // count are the same content even when compressed differently.
    let covered = |d: &ImageDetails| d.config.rootfs.diff_ids.len() == d.layers().len();
    let same_layers = la == lb || (same_config && covered(a) && covered(b) && la.len() == lb.len());
    match (same_config, same_layers) {
        (true, true) => DiffStatus::FormatOnly,
        (false, true) => DiffStatus::ConfigOnly,
        _ => DiffStatus::LayersChanged,
    }
}

fn layer_infos(d: &ImageDetails) -> Vec<LayerInfo> {
    let steps = d.layer_steps();
    d.layers()
        .iter()
        .enumerate()
        .map(|(i, l)| LayerInfo {
            index: i,
            digest: l.digest.clone(),
            size: l.size,
            media_type: l.media_type.clone(),
            diff_id: d.config.rootfs.diff_ids.get(i).cloned(),
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

/// Align two layer stacks: the longest run of matching layers in order (by digest, or by
/// uncompressed content) anchors the rows; between anchors, the unmatched layers of each side
/// pair up by position (a rebuilt layer), and what is left over stands alone.
pub fn align_layers(a: &[LayerInfo], b: &[LayerInfo]) -> Vec<LayerRow> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: matches in a[i..] and b[j..].
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
    let mut rows = Vec::new();
    let (mut ra, mut rb): (Vec<&LayerInfo>, Vec<&LayerInfo>) = (Vec::new(), Vec::new());
    let flush = |rows: &mut Vec<LayerRow>, ra: &mut Vec<&LayerInfo>, rb: &mut Vec<&LayerInfo>| {
        let k = ra.len().max(rb.len());
        for t in 0..k {
            let (x, y) = (ra.get(t).copied().cloned(), rb.get(t).copied().cloned());
            let kind = match (&x, &y) {
                (Some(_), Some(_)) => LayerMatch::Replaced,
                (Some(_), None) => LayerMatch::OnlyA,
                _ => LayerMatch::OnlyB,
            };
            rows.push(LayerRow { kind, a: x, b: y });
        }
        ra.clear();
        rb.clear();
    };
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m {
            if let Some(kind) = layer_match(&a[i], &b[j]) {
                if lcs[i][j] == lcs[i + 1][j + 1] + 1 {
                    flush(&mut rows, &mut ra, &mut rb);
                    rows.push(LayerRow {
                        kind,
                        a: Some(a[i].clone()),
                        b: Some(b[j].clone()),
                    });
                    i += 1;
                    j += 1;
                    continue;
                }
            }
        }
        if j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            ra.push(&a[i]);
            i += 1;
        } else {
            rb.push(&b[j]);
            j += 1;
        }
    }
    flush(&mut rows, &mut ra, &mut rb);
    rows
}

/// Items of `a` not in `b`, in `a`'s order.
fn missing(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The config fields that differ, with the items only each side has.
pub fn config_changes(a: &ConfigFile, b: &ConfigFile) -> Vec<ConfigChange> {
    let mut out = Vec::new();
    let mut push = |field: ConfigField, x: Vec<String>, y: Vec<String>| {
        out.push(ConfigChange { field, a: x, b: y });
    };
    let (ra, rb) = (&a.config, &b.config);
    let set = |x: &[String], y: &[String]| (missing(x, y), missing(y, x));
    let scalar = |x: &str, y: &str| (vec![x.to_string()], vec![y.to_string()]);
    if ra.env != rb.env {
        let (x, y) = set(&ra.env, &rb.env);
        // Only the order changed: show both whole.
        let (x, y) = if x.is_empty() && y.is_empty() {
            (vec![json_list(&ra.env)], vec![json_list(&rb.env)])
        } else {
            (x, y)
        };
        push(ConfigField::Env, x, y);
    }
    if ra.entrypoint != rb.entrypoint {
        let (x, y) = scalar(&json_list(&ra.entrypoint), &json_list(&rb.entrypoint));
        push(ConfigField::Entrypoint, x, y);
    }
    if ra.cmd != rb.cmd {
        let (x, y) = scalar(&json_list(&ra.cmd), &json_list(&rb.cmd));
        push(ConfigField::Cmd, x, y);
    }
    if ra.labels != rb.labels {
        let kv = |m: &BTreeMap<String, String>| -> Vec<String> {
            m.iter().map(|(k, v)| format!("{k}={v}")).collect()
        };
        let (x, y) = set(&kv(&ra.labels), &kv(&rb.labels));
        push(ConfigField::Labels, x, y);
    }
    if ra.user != rb.user {
        let (x, y) = scalar(&ra.user, &rb.user);
        push(ConfigField::User, x, y);
    }
    if ra.working_dir != rb.working_dir {
        let (x, y) = scalar(&ra.working_dir, &rb.working_dir);
        push(ConfigField::WorkingDir, x, y);
    }
    if ra.exposed_ports != rb.exposed_ports {
        let (x, y) = set(&ra.exposed_ports, &rb.exposed_ports);
        push(ConfigField::ExposedPorts, x, y);
    }
    if ra.volumes != rb.volumes {
        let (x, y) = set(&ra.volumes, &rb.volumes);
        push(ConfigField::Volumes, x, y);
    }
    if a.created != b.created {
        let (x, y) = scalar(
            a.created.as_deref().unwrap_or(""),
            b.created.as_deref().unwrap_or(""),
        );
        push(ConfigField::Created, x, y);
    }
    if a.os_version != b.os_version {
        let (x, y) = scalar(&a.os_version, &b.os_version);
        push(ConfigField::OsVersion, x, y);
    }
    if ra.stop_signal != rb.stop_signal {
        let (x, y) = scalar(&ra.stop_signal, &rb.stop_signal);
        push(ConfigField::StopSignal, x, y);
    }
    if a.author != b.author {
        let (x, y) = scalar(
            a.author.as_deref().unwrap_or(""),
            b.author.as_deref().unwrap_or(""),
        );
        push(ConfigField::Author, x, y);
    }
    if a.history != b.history {
        let steps = |c: &ConfigFile| -> Vec<String> {
            c.history.iter().map(|h| h.created_by.clone()).collect()
        };
        let (x, y) = set(&steps(a), &steps(b));
        push(ConfigField::History, x, y);
    }
    out
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

/// The per-platform view of one platform: either side may be missing (a platform only one
/// list has shows its layers alone).
pub fn platform_diff(a: Option<&ImageDetails>, b: Option<&ImageDetails>) -> PlatformDiff {
    let la = a.map(layer_infos).unwrap_or_default();
    let lb = b.map(layer_infos).unwrap_or_default();
    let layers = align_layers(&la, &lb);
    let mut config = match (a, b) {
        (Some(x), Some(y)) => config_changes(&x.config, &y.config),
        _ => Vec::new(),
    };
    if let (Some(x), Some(y)) = (a, b) {
        if config.is_empty() && differs_beyond_rootfs(x, y) {
            config.push(ConfigChange {
                field: ConfigField::Other,
                a: Vec::new(),
                b: Vec::new(),
            });
        }
    }
    let blobs = |v: &[LayerInfo]| -> BTreeMap<Digest, i64> {
        v.iter().map(|l| (l.digest.clone(), l.size)).collect()
    };
    let (ba, bb) = (blobs(&la), blobs(&lb));
    let only = |x: &BTreeMap<Digest, i64>, y: &BTreeMap<Digest, i64>| -> i64 {
        x.iter()
            .filter(|(d, _)| !y.contains_key(*d))
            .map(|(_, s)| s)
            .sum()
    };
    let bytes_added = only(&bb, &ba);
    let bytes_removed = only(&ba, &bb);
    let config_pull = match (a, b) {
        (Some(x), Some(y)) if x.image.config.digest == y.image.config.digest => 0,
        (_, Some(y)) => y.image.config.size,
        _ => 0,
    };
    let matched: BTreeSet<usize> = layers
        .iter()
        .filter(|r| matches!(r.kind, LayerMatch::Shared | LayerMatch::SameContent))
        .filter_map(|r| r.b.as_ref().map(|l| l.index))
        .collect();
    let totals = Totals {
        layers_a: la.len(),
        layers_b: lb.len(),
        shared: matched.len(),
        changed: lb.len() - matched.len(),
        size_a: a.map_or(0, ImageDetails::size),
        size_b: b.map_or(0, ImageDetails::size),
        bytes_added,
        bytes_removed,
        pull_for_b: bytes_added + config_pull,
    };
    PlatformDiff {
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

    /// An image of `layers` (name, size, diff id name) with this config.
    fn image(oci: bool, layers: &[(&str, i64, &str)], config: serde_json::Value) -> ImageDetails {
        let mut config = config;
        config["rootfs"] = json!({"type": "layers",
            "diff_ids": layers.iter().map(|l| Digest::sha256(l.2.as_bytes()).to_string()).collect::<Vec<_>>()});
        let config_bytes = serde_json::to_vec(&config).unwrap();
        let (mt, cmt) = if oci {
            (
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.config.v1+json",
            )
        } else {
            (
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.container.image.v1+json",
            )
        };
        let body = json!({"schemaVersion": 2, "mediaType": mt,
            "config": {"mediaType": cmt, "size": config_bytes.len(),
                "digest": Digest::sha256(&config_bytes).to_string()},
            "layers": layers.iter().map(|l| json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
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
}
