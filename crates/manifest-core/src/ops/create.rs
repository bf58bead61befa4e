//! Create (or amend) a local list from images, fetching every child fresh and concurrently.

use super::inspect::fetch_config;
use super::{duplicate_platforms, fetch_manifest, OpError, ProgressFn};
use crate::media::{self, Parsed};
use crate::platform::Platform;
use crate::reference::Reference;
use crate::registry::{Client, Repo};
use crate::store::{Draft, Format, ListMeta, Store, StoredEntry};
use futures_util::future::join_all;

#[derive(Clone, Debug, Default)]
pub struct CreateOptions {
    /// Add to / refresh an existing list instead of refusing.
    pub amend: bool,
    /// Output format; `None` keeps docker's rule (the first entry's family).
    pub format: Option<Format>,
    /// Keep attestation entries (`unknown/unknown`) when expanding an index.
    pub include_attestations: bool,
    /// Allow two entries with the same platform.
    pub allow_duplicates: bool,
}

#[derive(Clone, Debug)]
pub struct CreateReport {
    pub list: Reference,
    /// Entries added or refreshed, in the order given.
    pub added: Vec<StoredEntry>,
    /// Index children left out (attestations), as `repo@digest`.
    pub skipped: Vec<String>,
    pub draft: Draft,
}

/// Fetch one reference and turn it into store entries: an image gives one entry with the
/// platform from its config; an index/list gives one entry per platform child.
pub(crate) async fn resolve_entries(
    client: &Client,
    reference: &Reference,
    include_attestations: bool,
    progress: &ProgressFn,
) -> Result<(Vec<StoredEntry>, Vec<String>), OpError> {
    let reference = reference.clone().with_default_tag();
    let raw = fetch_manifest(client, &reference, &reference.to_string(), progress).await?;
    let repo = Repo::of(&reference);
    match raw
        .parse()
        .map_err(|e| OpError::Invalid(format!("{reference}: {e}")))?
    {
        Parsed::Image(img) => {
            let config = fetch_config(client, &repo, &img.config, &reference).await?;
            Ok((
                vec![StoredEntry::new(reference, raw, config.platform())],
                Vec::new(),
            ))
        }
        Parsed::Index(idx) => {
            let mut skipped = Vec::new();
            let wanted: Vec<_> = idx
                .manifests
                .iter()
                .filter(|d| {
                    let keep = include_attestations || !media::is_attestation(d);
                    if !keep {
                        skipped.push(reference.at_digest(&d.digest).to_string());
                    }
                    keep
                })
                .collect();
            let reference = &reference;
            let futs = wanted.iter().map(|d| {
                let child_ref = reference.at_digest(&d.digest);
                let repo = repo.clone();
                async move {
                    let what = format!("entry {child_ref} of {reference}");
                    let child = fetch_manifest(client, &child_ref, &what, progress).await?;
                    if child.kind().is_list() {
                        return Err(OpError::Invalid(format!(
                            "{child_ref} (inside {reference}) is itself a list; nested indexes are not expanded. Name the inner list directly instead"
                        )));
                    }
                    let platform = match (&d.platform, child.parse()) {
                        (Some(p), _) if !p.os.is_empty() => p.clone(),
                        (_, Ok(Parsed::Image(img))) => {
                            fetch_config(client, &repo, &img.config, &child_ref)
                                .await?
                                .platform()
                        }
                        _ => Platform::default(),
                    };
                    let mut e = StoredEntry::new(child_ref, child, platform);
                    e.descriptor.annotations = d.annotations.clone();
                    Ok(e)
                }
            });
            let entries = join_all(futs)
                .await
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?;
            Ok((entries, skipped))
        }
    }
}

/// Refuse what `create` cannot start: a list named by digest, no images, or a list that
/// exists locally without `amend`.
fn check_request(
    store: &Store,
    list: &Reference,
    refs: &[Reference],
    amend: bool,
) -> Result<(), OpError> {
    if list.digest.is_some() {
        return Err(OpError::Invalid(format!(
            "{list}: a list is pushed under a tag, not a digest; name it like {}:TAG",
            list.name()
        )));
    }
    if refs.is_empty() {
        return Err(OpError::Invalid(
            "create needs at least one image: manifest-tui create LIST IMAGE [IMAGE...]".into(),
        ));
    }
    if store.exists(list) && !amend {
        return Err(OpError::Invalid(format!(
            "refusing to amend an existing manifest list with no --amend flag: {list} already exists locally. Add --amend to add or refresh entries, or `manifest-tui rm {list}` first"
        )));
    }
    Ok(())
}

/// Resolve every reference at once ([`resolve_entries`]): their entries and skipped
/// children, in the order given; the first failure (in that order) fails them all.
async fn resolve_all(
    client: &Client,
    refs: &[Reference],
    include_attestations: bool,
    progress: &ProgressFn,
) -> Result<(Vec<StoredEntry>, Vec<String>), OpError> {
    let futs = refs
        .iter()
        .map(|r| resolve_entries(client, r, include_attestations, progress));
    let mut added = Vec::new();
    let mut skipped = Vec::new();
    for res in join_all(futs).await {
        let (e, s) = res?;
        added.extend(e);
        skipped.extend(s);
    }
    Ok((added, skipped))
}

/// The draft to add to: the stored one when amending, a new one when there is none; a list
/// that appeared since [`check_request`] without `amend` is refused.
fn starting_draft(list: &Reference, current: Option<Draft>, amend: bool) -> Result<Draft, OpError> {
    match current {
        Some(d) if amend => Ok(d),
        Some(_) => Err(OpError::Invalid(format!(
            "{list} appeared while it was being created; run again with --amend"
        ))),
        None => Ok(Draft {
            list: list.clone(),
            entries: Vec::new(),
            meta: ListMeta::default(),
        }),
    }
}

/// Put `added` into the draft: a new entry is appended, one with the same file name
/// replaces the old, keeping what the user set; then the entries are sorted by file name.
fn merge_entries(draft: &mut Draft, added: Vec<StoredEntry>) {
    for mut e in added {
        if let Some(old) = draft
            .entries
            .iter_mut()
            .find(|o| o.file_name == e.file_name)
        {
            // Refresh, keeping what the user set: annotations always, and the platform
            // too while the manifest is unchanged.
            e.descriptor.annotations = old.descriptor.annotations.clone();
            if old.descriptor.digest == e.descriptor.digest {
                e.descriptor.platform = old.descriptor.platform.clone();
            }
            *old = e;
        } else {
            draft.entries.push(e);
        }
    }
    draft.entries.sort_by(|a, b| a.file_name.cmp(&b.file_name));
}

/// Refuse a draft where two entries of a known platform share it.
fn check_duplicates(draft: &Draft) -> Result<(), OpError> {
    let plats: Vec<(Platform, String)> = draft
        .entries
        .iter()
        .map(|e| (e.platform(), e.reference.to_string()))
        .filter(|(p, _)| !p.is_unknown())
        .collect();
    if let Some((plat, a, b)) =
        duplicate_platforms(plats.iter().map(|(p, r)| (p, r.clone()))).first()
    {
        return Err(OpError::Invalid(format!(
            "duplicate platform {plat}: both {a} and {b} are {plat}. Leave one out, give one a different variant with `annotate`, or pass --allow-duplicates"
        )));
    }
    Ok(())
}

/// `create [--amend] LIST REF...`: every reference is fetched fresh (never reused from the
/// store), all concurrently; nothing is written unless every fetch succeeds.
pub async fn create(
    client: &Client,
    store: &Store,
    list: &Reference,
    refs: &[Reference],
    opts: CreateOptions,
    progress: ProgressFn,
) -> Result<CreateReport, OpError> {
    let list = list.clone().with_default_tag();
    check_request(store, &list, refs, opts.amend)?;
    let (added, skipped) = resolve_all(client, refs, opts.include_attestations, &progress).await?;
    let added_for_report = added.clone();
    let draft = store.update(&list, |current| {
        let mut draft = starting_draft(&list, current, opts.amend)?;
        if let Some(f) = opts.format {
            draft.meta.format = Some(f);
        }
        merge_entries(&mut draft, added);
        if !opts.allow_duplicates {
            check_duplicates(&draft)?;
        }
        Ok::<_, OpError>((draft.clone(), draft))
    })?;
    Ok(CreateReport {
        list,
        added: added_for_report,
        skipped,
        draft,
    })
}
