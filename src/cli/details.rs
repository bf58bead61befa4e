//! `inspect --format json`: a stable JSON view of what is inside each platform and what is
//! attached to it (documented in docs/inspect-json.md), the same shape for a single image and
//! a list. Pure: built from an inspection and what was fetched for it.

use super::attached::Attached;
use crate::attest::{self, Summary};
use crate::image::ImageDetails;
use crate::ops::{self, InspectEntry, Inspection, OpError};
use crate::registry::{Referrers, ReferrersVia};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the shape below; raised only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct View<'a> {
    schema_version: u32,
    reference: String,
    media_type: &'a str,
    digest: &'a str,
    /// The manifest's own size in bytes.
    size: usize,
    list: bool,
    annotations: &'a BTreeMap<String, String>,
    platforms: Vec<PlatformView<'a>>,
    /// What refers to the manifest inspected (OCI 1.1 referrers).
    referrers: ReferrersView,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferrersView {
    /// `api` (the registry's referrers API), `tagScheme` (the `sha256-<hex>` tag) or null
    /// when not fetched.
    via: Option<&'static str>,
    manifests: Vec<serde_json::Value>,
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttestationView<'a> {
    digest: &'a str,
    media_type: &'a str,
    statements: Vec<StatementView>,
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatementView {
    predicate_type: Option<String>,
    /// `provenance`, `SBOM` or `attestation`.
    kind: Option<&'static str>,
    summary: Option<serde_json::Value>,
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlatformView<'a> {
    platform: String,
    os: String,
    architecture: String,
    variant: String,
    os_version: String,
    digest: &'a str,
    media_type: &'a str,
    manifest_size: i64,
    annotations: &'a BTreeMap<String, String>,
    /// Compressed size of the image: config plus layers.
    size: Option<i64>,
    layers: Option<usize>,
    created: Option<&'a str>,
    config: Option<ConfigView<'a>>,
    /// Why the details could not be fetched (then size, layers, created and config are null).
    error: Option<String>,
    /// BuildKit attestation manifests describing this platform (entries of the list).
    attestations: Vec<AttestationView<'a>>,
    referrers: ReferrersView,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigView<'a> {
    digest: &'a str,
    size: i64,
    author: Option<&'a str>,
    user: &'a str,
    entrypoint: &'a [String],
    cmd: &'a [String],
    env: &'a [String],
    working_dir: &'a str,
    exposed_ports: &'a [String],
    volumes: &'a [String],
    labels: &'a BTreeMap<String, String>,
    stop_signal: &'a str,
    history_steps: usize,
    empty_steps: usize,
}

/// Details as the views take them: per entry of the inspection, the details or why not;
/// `None` when nothing was fetched (a local list).
pub type Fetched = Option<Vec<Result<ImageDetails, OpError>>>;

/// The platform of an entry: the list's descriptor, else the image's config.
pub fn entry_platform(e: &InspectEntry, d: Option<&ImageDetails>) -> crate::platform::Platform {
    match (&e.descriptor.platform, d) {
        (Some(p), _) => p.clone(),
        (None, Some(d)) => d.config.platform(),
        (None, None) => Default::default(),
    }
}

fn referrers_view(r: Option<&Result<Referrers, String>>) -> ReferrersView {
    match r {
        Some(Ok(r)) => ReferrersView {
            via: Some(match r.via {
                ReferrersVia::Api => "api",
                ReferrersVia::TagScheme => "tagScheme",
            }),
            manifests: r
                .descriptors
                .iter()
                .map(|d| serde_json::to_value(d).unwrap_or_default())
                .collect(),
            error: None,
        },
        Some(Err(e)) => ReferrersView {
            via: None,
            manifests: Vec::new(),
            error: Some(e.clone()),
        },
        None => ReferrersView {
            via: None,
            manifests: Vec::new(),
            error: None,
        },
    }
}

fn summary_json(s: &Summary) -> serde_json::Value {
    match s {
        Summary::Provenance(p) => serde_json::json!({
            "builder": p.builder, "buildType": p.build_type, "source": p.source,
            "commit": p.commit, "args": p.args,
        }),
        Summary::Sbom(b) => serde_json::json!({
            "format": b.format, "packages": b.packages, "tools": b.tools, "top": b.top,
        }),
        Summary::Other { keys } => serde_json::json!({ "keys": keys }),
    }
}

fn attestation_view<'a>(
    e: &'a InspectEntry,
    got: Option<&Result<Vec<ops::StatementLayer>, String>>,
) -> AttestationView<'a> {
    let (statements, error) = match got {
        Some(Ok(layers)) => (
            layers
                .iter()
                .map(|l| match &l.statement {
                    Ok(st) => StatementView {
                        predicate_type: Some(st.predicate_type.clone()),
                        kind: Some(st.kind().label()),
                        summary: Some(summary_json(&st.summary)),
                        error: None,
                    },
                    Err(err) => StatementView {
                        predicate_type: l.predicate_type.clone(),
                        kind: l
                            .predicate_type
                            .as_deref()
                            .map(|t| attest::PredicateKind::of(t).label()),
                        summary: None,
                        error: Some(err.clone()),
                    },
                })
                .collect(),
            None,
        ),
        Some(Err(err)) => (Vec::new(), Some(err.clone())),
        None => (Vec::new(), None),
    };
    AttestationView {
        digest: e.descriptor.digest.as_str(),
        media_type: &e.descriptor.media_type,
        statements,
        error,
    }
}

/// The JSON view, indented with two spaces (callers make it terminal-inert). Attestation
/// entries are listed under the platform they describe, not as platforms.
pub fn json_view(ins: &Inspection, details: &Fetched, attached: &Attached) -> String {
    let descriptors: Vec<_> = ins.entries.iter().map(|e| e.descriptor.clone()).collect();
    let grouped = attest::group(&descriptors);
    let mut shown: Vec<(usize, Vec<usize>)> = grouped.images;
    shown.extend(grouped.orphans.into_iter().map(|i| (i, Vec::new())));
    shown.sort_by_key(|(i, _)| *i);
    let platforms = shown
        .into_iter()
        .map(|(i, atts)| {
            let e = &ins.entries[i];
            let got = details.as_ref().and_then(|v| v.get(i));
            let d = got.and_then(|r| r.as_ref().ok());
            let p = entry_platform(e, d);
            PlatformView {
                platform: p.display(),
                os: p.os.clone(),
                architecture: p.architecture.clone(),
                variant: p.variant.clone(),
                os_version: p.os_version.clone(),
                digest: e.descriptor.digest.as_str(),
                media_type: &e.descriptor.media_type,
                manifest_size: e.descriptor.size,
                annotations: &e.descriptor.annotations,
                size: d.map(ImageDetails::size),
                layers: d.map(|d| d.layers().len()),
                created: d.and_then(|d| d.config.created.as_deref()),
                config: d.map(|d| {
                    let c = &d.config.config;
                    ConfigView {
                        digest: d.image.config.digest.as_str(),
                        size: d.image.config.size,
                        author: d.config.author.as_deref(),
                        user: &c.user,
                        entrypoint: &c.entrypoint,
                        cmd: &c.cmd,
                        env: &c.env,
                        working_dir: &c.working_dir,
                        exposed_ports: &c.exposed_ports,
                        volumes: &c.volumes,
                        labels: &c.labels,
                        stop_signal: &c.stop_signal,
                        history_steps: d.config.history.len(),
                        empty_steps: d.config.history.iter().filter(|h| h.empty_layer).count(),
                    }
                }),
                error: got.and_then(|r| r.as_ref().err()).map(|e| e.to_string()),
                attestations: atts
                    .iter()
                    .map(|&j| attestation_view(&ins.entries[j], attached.statements.get(&j)))
                    .collect(),
                referrers: referrers_view(attached.referrers.get(&e.descriptor.digest)),
            }
        })
        .collect();
    let view = View {
        schema_version: SCHEMA_VERSION,
        reference: ins.reference.to_string(),
        media_type: &ins.manifest.media_type,
        digest: ins.manifest.digest.as_str(),
        size: ins.manifest.bytes.len(),
        list: ins.is_list(),
        annotations: &ins.annotations,
        platforms,
        referrers: referrers_view(attached.referrers.get(&ins.manifest.digest)),
    };
    serde_json::to_string_pretty(&view).unwrap_or_default()
}
