//! `inspect --format json`: a stable JSON view of what is inside each platform (documented in
//! docs/inspect-json.md), the same shape for a single image and a list. Pure: built from an
//! inspection and the details fetched for it.

use crate::image::ImageDetails;
use crate::ops::{InspectEntry, Inspection, OpError};
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

/// The JSON view, indented with two spaces (callers make it terminal-inert).
pub fn json_view(ins: &Inspection, details: &Fetched) -> String {
    let platforms = ins
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
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
    };
    serde_json::to_string_pretty(&view).unwrap_or_default()
}
