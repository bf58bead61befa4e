//! Push a local list: all blobs concurrently, then all child manifests concurrently, then
//! the list. The local list is never modified by a push; `--purge` removes it only after
//! the list itself was accepted.

use super::{duplicate_platforms, reg_err, EntryStage, OpError, Progress, ProgressFn};
use crate::digest::Digest;
use crate::media::{is_foreign_layer, render_list, Kind, ListEntry, Parsed, RawManifest};
use crate::platform::PlatformIssue;
use crate::reference::Reference;
use crate::registry::{ByteProgress, Client, ErrorCode, RegistryError, Repo};
use crate::store::{Draft, Store, StoredEntry};
use futures_util::future::{join_all, try_join_all};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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

/// Something to fix (or know) before pushing a list: what the CLI refuses a push for and
/// what the TUI's editor lists under a list. Front ends add their own way to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushProblem {
    /// The entry it is about (index in store order), if one.
    pub entry: Option<usize>,
    pub issue: PushIssue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushIssue {
    NoEntries,
    /// The entry's platform is missing a field or names an unknown value.
    Platform(PlatformIssue),
    /// An entry has annotations, which a Docker manifest list cannot carry.
    EntryAnnotationsNeedOci,
    /// The entry is itself a list.
    NestedList,
    /// The list has annotations of its own, which a Docker manifest list cannot carry.
    ListAnnotationsNeedOci,
    /// Two entries have the same platform (`entry` is the second).
    DuplicatePlatform {
        platform: String,
        first: String,
        second: String,
    },
    /// A notice: the entry's image lives on another registry, so its blobs are copied.
    OtherRegistry {
        from: String,
        to: String,
    },
}

impl PushProblem {
    /// False for a notice; true when the push is refused.
    pub fn blocking(&self) -> bool {
        !matches!(self.issue, PushIssue::OtherRegistry { .. })
    }
}

impl std::fmt::Display for PushIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PushIssue::NoEntries => f.write_str("no entries yet"),
            PushIssue::Platform(issue) => write!(f, "{issue}"),
            PushIssue::EntryAnnotationsNeedOci => {
                f.write_str("has annotations, but a Docker manifest list cannot carry them")
            }
            PushIssue::NestedList => f.write_str("is itself a list; lists cannot be nested"),
            PushIssue::ListAnnotationsNeedOci => f.write_str("list annotations need an OCI index"),
            PushIssue::DuplicatePlatform {
                platform,
                first,
                second,
            } => write!(f, "duplicate platform {platform}: {first} and {second}"),
            PushIssue::OtherRegistry { from, to } => {
                write!(f, "lives on {from}: its blobs will be copied to {to}")
            }
        }
    }
}

/// Everything to know before pushing `d`: missing or invalid platforms, duplicates,
/// annotations on a Docker list, nested lists, entries that live in another registry.
pub fn push_problems(d: &Draft) -> Vec<PushProblem> {
    let mut out = Vec::new();
    let mut push = |entry, issue| out.push(PushProblem { entry, issue });
    let kind = d.kind();
    if d.entries.is_empty() {
        push(None, PushIssue::NoEntries);
    }
    for (i, e) in d.entries.iter().enumerate() {
        for issue in e.platform().validate() {
            push(Some(i), PushIssue::Platform(issue));
        }
        if !kind.is_oci() && !e.descriptor.annotations.is_empty() {
            push(Some(i), PushIssue::EntryAnnotationsNeedOci);
        }
        if e.kind().is_list() {
            push(Some(i), PushIssue::NestedList);
        }
        if e.reference.domain != d.list.domain {
            push(
                Some(i),
                PushIssue::OtherRegistry {
                    from: e.reference.domain.clone(),
                    to: d.list.domain.clone(),
                },
            );
        }
    }
    if !kind.is_oci() && !d.meta.annotations.is_empty() {
        push(None, PushIssue::ListAnnotationsNeedOci);
    }
    let plats: Vec<_> = d
        .entries
        .iter()
        .map(|e| (e.platform(), e.reference.to_string()))
        .collect();
    for (platform, first, second) in duplicate_platforms(plats.iter().map(|(p, r)| (p, r.clone())))
    {
        let idx = d
            .entries
            .iter()
            .position(|e| e.reference.to_string() == second);
        push(
            idx,
            PushIssue::DuplicatePlatform {
                platform,
                first,
                second,
            },
        );
    }
    out
}

/// The push refusal: every blocking [`push_problems`] (duplicates only without
/// `allow_duplicates`), in one message with the CLI's ways to fix them.
pub(crate) fn validate_for_push(draft: &Draft, allow_duplicates: bool) -> Result<(), OpError> {
    let list = &draft.list;
    let mut problems = Vec::new();
    for p in push_problems(draft) {
        let hint = match &p.issue {
            PushIssue::NoEntries => {
                return Err(OpError::Invalid(format!(
                    "{list} has no entries; add some with `manifest-tui create --amend {list} IMAGE...`"
                )));
            }
            PushIssue::OtherRegistry { .. } => continue,
            PushIssue::DuplicatePlatform { .. } if allow_duplicates => continue,
            PushIssue::DuplicatePlatform { .. } => " (pass --allow-duplicates to push anyway)",
            PushIssue::EntryAnnotationsNeedOci => " (make the list an OCI index with --format oci)",
            PushIssue::ListAnnotationsNeedOci => " (--format oci)",
            PushIssue::Platform(_) | PushIssue::NestedList => "",
        };
        let about = match (&p.issue, p.entry) {
            (PushIssue::DuplicatePlatform { .. }, _) => String::new(),
            (_, Some(i)) => format!("{}: ", draft.entries[i].reference),
            (_, None) => format!("{list}: "),
        };
        problems.push(format!("{about}{}{hint}", p.issue));
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
    let entries = pushed_entries(&draft, &target);

    // Same bytes already under the tag: nothing to do (one round trip).
    let unchanged = matches!(
        client.head_manifest(&target).await,
        Ok(Some((_, d, _))) if d == list_digest
    );
    if unchanged {
        for (i, e) in entries.iter().enumerate() {
            progress(Progress::Entry {
                index: i,
                stage: EntryStage::Pushed {
                    digest: e.digest.clone(),
                },
            });
        }
    } else {
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
        // Only entries from another repository are sent: first every blob, then every
        // child manifest, then the list.
        let to_send: Vec<_> = draft
            .entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !entries[*i].in_place)
            .collect();
        push_blobs(client, &target_repo, &to_send, &progress).await?;
        push_child_manifests(client, &target_repo, &to_send, &progress).await?;
        push_list(client, &draft, &target, kind, &bytes, &list_digest).await?;
    }
    progress(Progress::ListPushed {
        digest: list_digest.clone(),
    });
    let purged = purge(store, &list, opts.purge)?;
    Ok(PushReport {
        target,
        digest: list_digest,
        entries,
        unchanged,
        purged,
    })
}

/// Each entry as it will exist in the target repository, and whether it is already there.
fn pushed_entries(draft: &Draft, target: &Reference) -> Vec<PushedEntry> {
    let target_repo = Repo::of(target);
    draft
        .entries
        .iter()
        .map(|e| PushedEntry {
            reference: target.at_digest(e.digest()),
            source: e.reference.clone(),
            digest: e.digest().clone(),
            in_place: Repo::of(&e.reference) == target_repo,
        })
        .collect()
}

/// Step 1: the blobs of every entry to send, all entries at once.
async fn push_blobs(
    client: &Client,
    target_repo: &Repo,
    to_send: &[(usize, &StoredEntry)],
    progress: &ProgressFn,
) -> Result<(), OpError> {
    let jobs = to_send
        .iter()
        .map(|&(i, e)| entry_blobs(client, target_repo, i, e, progress));
    match join_all(jobs).await.into_iter().find_map(Result::err) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// Mount or copy every blob (config and layers) of entry `i` into `target_repo`,
/// reporting blobs done and bytes copied.
async fn entry_blobs(
    client: &Client,
    target_repo: &Repo,
    i: usize,
    e: &StoredEntry,
    progress: &ProgressFn,
) -> Result<(), OpError> {
    let fail = |stage: &str, err: OpError| {
        let reason = err.to_string();
        OpError::Invalid(format!(
            "pushing entry {} ({}) failed while {stage}: {}. The local list is unchanged; run push again to finish",
            e.platform().display(),
            e.reference,
            reason.trim_end().trim_end_matches('.')
        ))
    };
    send_blobs(
        client,
        target_repo,
        &Repo::of(&e.reference),
        i,
        &e.raw,
        progress,
    )
    .await
    .map_err(|(stage, err)| fail(stage, err))
}

/// Mount or copy every blob (config and layers) of the manifest `raw` from `from` into
/// `target_repo`, all at once, as entry `i`: reports blobs done and bytes copied, and
/// `Failed` on error. A blob already in the target costs one request and no bytes, so a
/// run after an interrupted one sends only what is missing. The error says which stage
/// failed ("reading its manifest", "copying blobs").
pub(crate) async fn send_blobs(
    client: &Client,
    target_repo: &Repo,
    from: &Repo,
    i: usize,
    raw: &RawManifest,
    progress: &ProgressFn,
) -> Result<(), (&'static str, OpError)> {
    let fail = |stage: &'static str, err: OpError| {
        progress(Progress::Entry {
            index: i,
            stage: EntryStage::Failed {
                reason: err.to_string(),
            },
        });
        (stage, err)
    };
    let blobs = match raw.parse() {
        Ok(Parsed::Image(m)) => {
            let mut v = vec![m.config];
            v.extend(m.layers.into_iter().filter(|l| !is_foreign_layer(l)));
            v
        }
        Ok(Parsed::Index(_)) => Vec::new(),
        Err(err) => {
            return Err(fail(
                "reading its manifest",
                OpError::Invalid(err.to_string()),
            ))
        }
    };
    let total = blobs.len();
    let done = AtomicUsize::new(0);
    progress(Progress::Entry {
        index: i,
        stage: EntryStage::Blobs { done: 0, total },
    });
    let copy_total: u64 = blobs.iter().map(|b| b.size.max(0) as u64).sum();
    let copied = Arc::new(AtomicU64::new(0));
    let bytes_cb: ByteProgress = {
        let progress = progress.clone();
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
    let jobs = blobs.iter().map(|b| {
        let bytes_cb = bytes_cb.clone();
        let done = &done;
        async move {
            client
                .ensure_blob(
                    target_repo,
                    from,
                    &b.digest,
                    b.size.max(0) as u64,
                    Some(bytes_cb),
                )
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
    try_join_all(jobs)
        .await
        .map_err(|err| fail("copying blobs", err))?;
    Ok(())
}

/// Step 2: every child manifest to send, all at once, as exact bytes.
async fn push_child_manifests(
    client: &Client,
    target_repo: &Repo,
    to_send: &[(usize, &StoredEntry)],
    progress: &ProgressFn,
) -> Result<(), OpError> {
    let jobs = to_send.iter().map(|&(i, e)| async move {
        put_entry(client, target_repo, i, &e.raw, progress)
            .await
            .map_err(|source| OpError::Registry {
                context: format!(
                    "pushing the manifest of entry {} ({}) to {target_repo}; the local list is unchanged, run push again to finish",
                    e.platform().display(),
                    e.reference
                ),
                source,
            })
    });
    match join_all(jobs).await.into_iter().find_map(Result::err) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// PUT the manifest `raw` of entry `i` into `repo` by its digest, as its exact bytes,
/// reporting `Pushed` or `Failed`.
pub(crate) async fn put_entry(
    client: &Client,
    repo: &Repo,
    i: usize,
    raw: &RawManifest,
    progress: &ProgressFn,
) -> Result<Digest, RegistryError> {
    let res = client
        .put_manifest(repo, raw.digest.as_str(), &raw.media_type, &raw.bytes)
        .await;
    progress(Progress::Entry {
        index: i,
        stage: match &res {
            Ok(d) => EntryStage::Pushed { digest: d.clone() },
            Err(err) => EntryStage::Failed {
                reason: err.to_string(),
            },
        },
    });
    res
}

/// Step 3: the list itself, checked against the digest of its bytes.
async fn push_list(
    client: &Client,
    draft: &Draft,
    target: &Reference,
    kind: Kind,
    bytes: &[u8],
    list_digest: &Digest,
) -> Result<(), OpError> {
    let pushed = match client
        .put_manifest(
            &Repo::of(target),
            &target.manifest_reference(),
            kind.media_type(),
            bytes,
        )
        .await
    {
        Ok(d) => d,
        Err(err) => {
            if let Some(fix) = mixed_format_fix(draft, kind, &err) {
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
    if &pushed != list_digest {
        return Err(OpError::Invalid(format!(
            "the registry stored the list {target} as {pushed}, but its bytes hash to {list_digest}"
        )));
    }
    Ok(())
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
