//! Inspect a remote image or list (children fetched concurrently), or a local list.

use super::{fetch_manifest, OpError, ProgressFn};
use crate::image::ConfigFile;
use crate::media::{Descriptor, Parsed, RawManifest};
use crate::platform::Platform;
use crate::reference::Reference;
use crate::registry::{Client, Repo};
use crate::store::{Draft, Store};
use futures_util::future::join_all;

/// What to fetch besides the manifest itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct InspectOptions {
    /// For a list: fetch every child manifest (docker's `-v`).
    pub children: bool,
    /// Fetch image configs (a single image's platform, each child's config when `children`).
    pub configs: bool,
}

/// One entry of an inspected list (or the image itself for a single manifest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InspectEntry {
    /// `repo@digest` of the entry.
    pub reference: Reference,
    /// The descriptor as the list has it (platform, annotations), or built for an image.
    pub descriptor: Descriptor,
    /// The child manifest, when fetched.
    pub manifest: Option<RawManifest>,
    /// The image's config file, when fetched.
    pub config: Option<ConfigFile>,
}

impl InspectEntry {
    pub fn platform(&self) -> Platform {
        self.descriptor.platform.clone().unwrap_or_default()
    }
}

/// The result of an inspection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub reference: Reference,
    /// The manifest as fetched (exact bytes).
    pub manifest: RawManifest,
    /// For a list: its entries. For an image: one entry describing the image itself.
    pub entries: Vec<InspectEntry>,
    /// Index-level annotations of a list.
    pub annotations: std::collections::BTreeMap<String, String>,
}

impl Inspection {
    pub fn is_list(&self) -> bool {
        self.manifest.kind().is_list()
    }
}

/// Inspect a remote reference. A list's children (and configs) are fetched concurrently,
/// so the number of round trips does not grow with the number of entries.
pub async fn inspect(
    client: &Client,
    reference: &Reference,
    opts: InspectOptions,
    progress: ProgressFn,
) -> Result<Inspection, OpError> {
    let reference = reference.clone().with_default_tag();
    let manifest = fetch_manifest(client, &reference, &reference.to_string(), &progress).await?;
    let parsed = manifest
        .parse()
        .map_err(|e| OpError::Invalid(format!("{reference}: {e}")))?;
    let repo = Repo::of(&reference);
    match parsed {
        Parsed::Image(img) => {
            let config = if opts.configs {
                Some(fetch_config(client, &repo, &img.config, &reference).await?)
            } else {
                None
            };
            let mut descriptor = manifest.descriptor();
            descriptor.platform = config.as_ref().map(ConfigFile::platform);
            Ok(Inspection {
                entries: vec![InspectEntry {
                    reference: reference.at_digest(&manifest.digest),
                    descriptor,
                    manifest: Some(manifest.clone()),
                    config,
                }],
                reference,
                manifest,
                annotations: Default::default(),
            })
        }
        Parsed::Index(idx) => {
            let futs = idx.manifests.iter().map(|d| {
                // Like docker: the child keeps the list's tag beside its digest.
                let mut child_ref = reference.at_digest(&d.digest);
                child_ref.tag = reference.tag.clone();
                let progress = progress.clone();
                let repo = repo.clone();
                async move {
                    let mut entry = InspectEntry {
                        reference: child_ref.clone(),
                        descriptor: d.clone(),
                        manifest: None,
                        config: None,
                    };
                    if !opts.children {
                        return Ok(entry);
                    }
                    let what = format!("entry {child_ref}");
                    let m = fetch_manifest(client, &child_ref, &what, &progress).await?;
                    // A child's platform comes from the list; its config is fetched only
                    // when the list has none (saves a round trip per inspect).
                    if opts.configs && d.platform.is_none() {
                        if let Ok(Parsed::Image(img)) = m.parse() {
                            entry.config =
                                Some(fetch_config(client, &repo, &img.config, &child_ref).await?);
                        }
                    }
                    entry.manifest = Some(m);
                    Ok::<_, OpError>(entry)
                }
            });
            let entries = join_all(futs).await.into_iter().collect::<Result<_, _>>()?;
            Ok(Inspection {
                reference,
                manifest,
                entries,
                annotations: idx.annotations,
            })
        }
    }
}

/// Fetch and parse an image config blob.
pub(crate) async fn fetch_config(
    client: &Client,
    repo: &Repo,
    config: &Descriptor,
    of: &Reference,
) -> Result<ConfigFile, OpError> {
    let bytes = super::details::config_bytes(client, repo, config, of).await?;
    super::details::parse_config(&bytes, of)
}

/// Inspect a local list (`inspect LIST REF` / the draft editor). With `entry`, only that
/// entry (matched by reference) is returned.
pub fn inspect_local(
    store: &Store,
    list: &Reference,
    entry: Option<&Reference>,
) -> Result<(Draft, Vec<usize>), OpError> {
    let list = list.clone().with_default_tag();
    let draft = store.load(&list)?;
    let idx: Vec<usize> = match entry {
        None => (0..draft.entries.len()).collect(),
        Some(r) => {
            let r = r.clone().with_default_tag();
            let name = r.store_name();
            let found: Vec<usize> = draft
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.file_name == name || e.reference == r)
                .map(|(i, _)| i)
                .collect();
            if found.is_empty() {
                return Err(OpError::Store(crate::store::StoreError::NoSuchEntry {
                    list: list.to_string(),
                    entry: r.to_string(),
                }));
            }
            found
        }
    };
    Ok((draft, idx))
}
