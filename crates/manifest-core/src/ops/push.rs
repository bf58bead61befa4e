//! Push a local list: all blobs concurrently, then all child manifests concurrently, then
//! the list. The local list is never modified by a push; `--purge` removes it only after
//! the list itself was accepted.

use super::{duplicate_platforms, reg_err, EntryStage, OpError, Progress, ProgressFn};
use crate::digest::Digest;
use crate::media::{render_list, Kind, ListEntry, Parsed};
use crate::reference::Reference;
use crate::registry::{ByteProgress, Client, ErrorCode, RegistryError, Repo};
use crate::store::{Draft, Store};
use futures_util::future::{join_all, try_join_all};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct PushOptions {
    /// Remove the local list after a successful push.
    pub purge: bool,
    /// Push under another name than the list's own.
    pub target: Option<Reference>,
    /// Allow two entries with the same platform.
    pub allow_duplicates: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushedEntry {
    /// The entry as it now exists in the target repository (`target@digest`).
    pub reference: Reference,
    /// Where it came from.
    pub source: Reference,
    pub digest: Digest,
    /// The entry was already in the target repository; nothing was sent for it.
    pub in_place: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushReport {
    pub target: Reference,
    pub digest: Digest,
    pub entries: Vec<PushedEntry>,
    /// The target tag already pointed at exactly these bytes: nothing was sent.
    pub unchanged: bool,
    pub purged: bool,
}

/// Everything that makes a list unpushable, found before any network traffic.
pub fn validate_for_push(draft: &Draft, allow_duplicates: bool) -> Result<(), OpError> {
    let list = &draft.list;
    if draft.entries.is_empty() {
        return Err(OpError::Invalid(format!(
            "{list} has no entries; add some with `manifest-tui create --amend {list} IMAGE...`"
        )));
    }
    let kind = draft.kind();
    let mut problems = Vec::new();
    for e in &draft.entries {
        let p = e.platform();
        for issue in p.validate() {
            problems.push(format!("{}: {issue}", e.reference));
        }
        if !kind.is_oci() && !e.descriptor.annotations.is_empty() {
            problems.push(format!(
                "{}: has annotations, but a Docker manifest list cannot carry them (make the list an OCI index with --format oci)",
                e.reference
            ));
        }
        if e.kind().is_list() {
            problems.push(format!("{}: is itself a list", e.reference));
        }
    }
    if !kind.is_oci() && !draft.meta.annotations.is_empty() {
        problems.push(format!(
            "{list}: index annotations need an OCI index (--format oci)"
        ));
    }
    if !allow_duplicates {
        let plats: Vec<_> = draft
            .entries
            .iter()
            .map(|e| (e.platform(), e.reference.to_string()))
            .collect();
        for (plat, a, b) in duplicate_platforms(plats.iter().map(|(p, r)| (p, r.clone()))) {
            problems.push(format!(
                "duplicate platform {plat}: {a} and {b} (pass --allow-duplicates to push anyway)"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OpError::Invalid(format!(
            "cannot push {list}: {}. Fix the entries with `manifest-tui annotate` or `manifest-tui remove`",
            problems.join("; ")
        )))
    }
}

/// The exact bytes the list will be pushed as (docker-identical for a Docker list).
pub fn list_bytes(draft: &Draft) -> (Kind, Vec<u8>) {
    let kind = draft.kind();
    let entries: Vec<ListEntry> = draft
        .entries
        .iter()
        .map(|e| ListEntry {
            media_type: e.raw.media_type.clone(),
            size: e.raw.size(),
            digest: e.raw.digest.clone(),
            platform: e.platform(),
            annotations: e.descriptor.annotations.clone(),
        })
        .collect();
    (kind, render_list(kind, &entries, &draft.meta.annotations))
}

/// Push the list `list` from the store.
pub async fn push(
    client: &Client,
    store: &Store,
    list: &Reference,
    opts: PushOptions,
    progress: ProgressFn,
) -> Result<PushReport, OpError> {
    let list = list.clone().with_default_tag();
    let draft = store.load(&list)?;
    validate_for_push(&draft, opts.allow_duplicates)?;
    let target = opts
        .target
        .clone()
        .unwrap_or_else(|| list.clone())
        .with_default_tag();
    if target.digest.is_some() {
        return Err(OpError::Invalid(format!(
            "{target}: push a list to a tag, not a digest"
        )));
    }
    let target_repo = Repo::of(&target);
    let (kind, bytes) = list_bytes(&draft);
    let list_digest = Digest::sha256(&bytes);

    let entries: Vec<PushedEntry> = draft
        .entries
        .iter()
        .map(|e| {
            let in_place = Repo::of(&e.reference) == target_repo;
            PushedEntry {
                reference: target.at_digest(e.digest()),
                source: e.reference.clone(),
                digest: e.digest().clone(),
                in_place,
            }
        })
        .collect();

    // Same bytes already under the tag: nothing to do (one round trip).
    if let Ok(Some((_, d, _))) = client.head_manifest(&target).await {
        if d == list_digest {
            for (i, e) in entries.iter().enumerate() {
                progress(Progress::Entry {
                    index: i,
                    stage: EntryStage::Pushed {
                        digest: e.digest.clone(),
                    },
                });
            }
            progress(Progress::ListPushed {
                digest: list_digest.clone(),
            });
            let purged = purge(store, &list, opts.purge)?;
            return Ok(PushReport {
                target,
                digest: list_digest,
                entries,
                unchanged: true,
                purged,
            });
        }
    }

    for (i, e) in entries.iter().enumerate() {
        progress(Progress::Entry {
            index: i,
            stage: if e.in_place {
                EntryStage::InPlace
            } else {
                EntryStage::Waiting
            },
        });
    }

    // 1. Blobs of every entry from another repository, all at once.
    let blob_jobs = draft.entries.iter().enumerate().filter(|(i, _)| !entries[*i].in_place).map(
        |(i, e)| {
            let progress = progress.clone();
            let target_repo = target_repo.clone();
            async move {
                let fail = |stage: &str, err: OpError| {
                    progress(Progress::Entry {
                        index: i,
                        stage: EntryStage::Failed {
                            reason: err.to_string(),
                        },
                    });
                    let reason = err.to_string();
                    OpError::Invalid(format!(
                        "pushing entry {} ({}) failed while {stage}: {}. The local list is unchanged; run push again to finish",
                        e.platform().display(),
                        e.reference,
                        reason.trim_end().trim_end_matches('.')
                    ))
                };
                let blobs = match e.raw.parse() {
                    Ok(Parsed::Image(m)) => {
                        let mut v = vec![m.config];
                        v.extend(m.layers);
                        v
                    }
                    Ok(Parsed::Index(_)) => Vec::new(),
                    Err(err) => return Err(fail("reading its manifest", OpError::Invalid(err.to_string()))),
                };
                let total = blobs.len();
                let done = Arc::new(AtomicUsize::new(0));
                progress(Progress::Entry {
                    index: i,
                    stage: EntryStage::Blobs { done: 0, total },
                });
                let from = Repo::of(&e.reference);
                let copy_total: u64 = blobs.iter().map(|b| b.size.max(0) as u64).sum();
                let copied = Arc::new(std::sync::atomic::AtomicU64::new(0));
                let jobs = blobs.iter().map(|b| {
                    let progress = progress.clone();
                    let done = done.clone();
                    let copied = copied.clone();
                    let bytes_cb: ByteProgress = {
                        let progress = progress.clone();
                        let copied = copied.clone();
                        Arc::new(move |n: u64| {
                            let now = copied.fetch_add(n, Ordering::Relaxed) + n;
                            progress(Progress::Entry {
                                index: i,
                                stage: EntryStage::Copying {
                                    done: now,
                                    total: copy_total,
                                },
                            });
                        })
                    };
                    let from = from.clone();
                    let target_repo = target_repo.clone();
                    async move {
                        client
                            .ensure_blob(&target_repo, &from, &b.digest, b.size.max(0) as u64, Some(bytes_cb))
                            .await
                            .map_err(reg_err(format!("blob {}", b.digest.short())))?;
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        progress(Progress::Entry {
                            index: i,
                            stage: EntryStage::Blobs { done: n, total },
                        });
                        Ok::<_, OpError>(())
                    }
                });
                try_join_all(jobs).await.map_err(|err| fail("copying blobs", err))?;
                let _ = copied;
                Ok(())
            }
        },
    );
    let blob_results = join_all(blob_jobs).await;
    if let Some(err) = blob_results.into_iter().find_map(Result::err) {
        return Err(err);
    }

    // 2. Every child manifest from another repository, all at once, as exact bytes.
    let manifest_jobs = draft.entries.iter().enumerate().filter(|(i, _)| !entries[*i].in_place).map(
        |(i, e)| {
            let progress = progress.clone();
            let target_repo = target_repo.clone();
            async move {
                let res = client
                    .put_manifest(&target_repo, e.digest().as_str(), &e.raw.media_type, &e.raw.bytes)
                    .await;
                match res {
                    Ok(d) => {
                        progress(Progress::Entry {
                            index: i,
                            stage: EntryStage::Pushed { digest: d },
                        });
                        Ok(())
                    }
                    Err(err) => {
                        progress(Progress::Entry {
                            index: i,
                            stage: EntryStage::Failed {
                                reason: err.to_string(),
                            },
                        });
                        Err(OpError::Registry {
                            context: format!(
                                "pushing the manifest of entry {} ({}) to {target_repo}; the local list is unchanged, run push again to finish",
                                e.platform().display(),
                                e.reference
                            ),
                            source: err,
                        })
                    }
                }
            }
        },
    );
    if let Some(err) = join_all(manifest_jobs)
        .await
        .into_iter()
        .find_map(Result::err)
    {
        return Err(err);
    }

    // 3. The list.
    let pushed = match client
        .put_manifest(
            &target_repo,
            &target.manifest_reference(),
            kind.media_type(),
            &bytes,
        )
        .await
    {
        Ok(d) => d,
        Err(err) => {
            if let Some(fix) = mixed_format_fix(&draft, kind, &err) {
                return Err(OpError::Invalid(format!(
                    "pushing the list {target} (all entries are in place; the local list is unchanged): {} {fix}",
                    err.to_string().trim_end()
                )));
            }
            return Err(reg_err(format!(
                "pushing the list {target} (all entries are in place; the local list is unchanged, run push again to finish)"
            ))(err));
        }
    };
    if pushed != list_digest {
        return Err(OpError::Invalid(format!(
            "the registry stored the list {target} as {pushed}, but its bytes hash to {list_digest}"
        )));
    }
    progress(Progress::ListPushed {
        digest: list_digest.clone(),
    });
    let purged = purge(store, &list, opts.purge)?;
    Ok(PushReport {
        target,
        digest: list_digest,
        entries,
        unchanged: false,
        purged,
    })
}

/// The way out when the registry refused a list whose format differs from one of its
/// entries' (an OCI index of Docker images, or a Docker list of OCI images: Artifact
/// Registry, older Quay refuse those): make the formats match.
fn mixed_format_fix(draft: &Draft, kind: Kind, err: &RegistryError) -> Option<String> {
    let refused = matches!(err.status(), Some(400 | 415 | 422))
        && err.code() != Some(&ErrorCode::ManifestBlobUnknown);
    let mixed = draft
        .entries
        .iter()
        .any(|e| e.kind().is_oci() != kind.is_oci());
    if !refused || !mixed {
        return None;
    }
    let (what, format) = if kind.is_oci() {
        ("an OCI index of Docker images", "docker")
    } else {
        ("a Docker list of OCI images", "oci")
    };
    // Amending with an entry it already has refreshes that entry and sets the format.
    let entry = draft.entries.first()?;
    Some(format!(
        "The registry may not take {what}: make the list's format match its entries with `manifest-tui create --amend --format {format} {} {}` (or `f` in the editor), then push again.",
        draft.list, entry.reference
    ))
}

fn purge(store: &Store, list: &Reference, purge: bool) -> Result<bool, OpError> {
    if purge {
        store.remove(list)?;
    }
    Ok(purge)
}
