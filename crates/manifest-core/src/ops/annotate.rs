//! Annotate an entry of a local list, or drop it. Store-only: no network.

use super::OpError;
use crate::platform::{self, Field, Platform};
use crate::reference::Reference;
use crate::store::{Draft, Store, StoreError, StoredEntry};

/// How an entry is named on the command line: by reference, by digest (or a unique digest
/// prefix of at least 7 hex characters), or by platform (`linux/arm64/v8`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntrySelector {
    Reference(Reference),
    Digest(String),
    Platform(Platform),
}

impl EntrySelector {
    /// Interpret a command-line argument.
    pub fn parse(s: &str) -> Result<EntrySelector, OpError> {
        let hexish = |h: &str| h.len() >= 7 && h.bytes().all(|b| b.is_ascii_hexdigit());
        if let Some(h) = s.strip_prefix("sha256:") {
            if hexish(h) {
                return Ok(EntrySelector::Digest(s.to_string()));
            }
        }
        if s.contains('/') && !s.contains('.') && !s.contains(':') {
            if let Ok(p) = Platform::parse(s) {
                if !p.os.is_empty() && platform_looks_real(&p) {
                    return Ok(EntrySelector::Platform(p));
                }
            }
        }
        Ok(EntrySelector::Reference(
            Reference::parse(s)?.with_default_tag(),
        ))
    }

    fn matches(&self, e: &StoredEntry) -> bool {
        match self {
            EntrySelector::Reference(r) => {
                e.file_name == r.store_name()
                    || e.reference == *r
                    || r.digest.as_ref() == Some(e.digest())
                        && r.domain == e.reference.domain
                        && r.path == e.reference.path
            }
            EntrySelector::Digest(d) => e.digest().as_str().starts_with(d.as_str()),
            EntrySelector::Platform(p) => p.selects(&e.platform()),
        }
    }

    fn describe(&self) -> String {
        match self {
            EntrySelector::Reference(r) => r.to_string(),
            EntrySelector::Digest(d) => d.clone(),
            EntrySelector::Platform(p) => p.display(),
        }
    }
}

fn platform_looks_real(p: &Platform) -> bool {
    p.validate().is_empty()
}

/// Find exactly one entry; several matches is an error listing them.
pub(crate) fn find_one(
    list: &Reference,
    entries: &[StoredEntry],
    sel: &EntrySelector,
) -> Result<usize, OpError> {
    let found: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| sel.matches(e))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(OpError::Store(StoreError::NoSuchEntry {
            list: list.to_string(),
            entry: sel.describe(),
        })),
        many => Err(OpError::Invalid(format!(
            "{} matches {} entries of {list}: {}. Name one by its full reference or digest",
            sel.describe(),
            many.len(),
            many.iter()
                .map(|&i| entries[i].reference.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The fields `annotate` can set. `None` leaves a field as it is; `Some("")` clears it.
#[derive(Clone, Debug, Default)]
pub struct AnnotateOptions {
    pub os: Option<String>,
    pub arch: Option<String>,
    pub variant: Option<String>,
    pub os_version: Option<String>,
    /// Appended to the existing features, as docker does (duplicates dropped).
    pub os_features: Vec<String>,
    /// Replace os.features instead of appending.
    pub replace_os_features: bool,
    /// KEY=VALUE annotations to set; an empty value removes the key.
    pub annotations: Vec<(String, String)>,
    /// Validate with the platform model (on by default in the CLI).
    pub validate: bool,
}

/// Apply `opts` to a platform and annotations (pure; used by the CLI and the TUI form).
pub fn apply(
    platform: &Platform,
    annotations: &std::collections::BTreeMap<String, String>,
    opts: &AnnotateOptions,
) -> Result<(Platform, std::collections::BTreeMap<String, String>), OpError> {
    let mut p = platform.clone();
    let norm = |field: Field, v: &str| platform::normalize(field, v).0;
    if let Some(v) = &opts.os {
        p.os = norm(Field::Os, v);
    }
    if let Some(v) = &opts.arch {
        // `armhf` is arm + v7: an alias may imply a variant.
        let (arch, implied_variant, _hint) = platform::normalize_arch(v);
        p.architecture = arch;
        if !implied_variant.is_empty() && opts.variant.is_none() {
            p.variant = implied_variant;
        }
    }
    if let Some(v) = &opts.variant {
        p.variant = norm(Field::Variant, v);
    }
    if let Some(v) = &opts.os_version {
        p.os_version = v.clone();
    }
    if opts.replace_os_features {
        p.os_features.clear();
    }
    for f in &opts.os_features {
        for f in f.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if !p.os_features.iter().any(|x| x == f) {
                p.os_features.push(f.to_string());
            }
        }
    }
    if opts.validate {
        let issues = p.validate();
        if !issues.is_empty() {
            let msgs: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
            return Err(OpError::Invalid(format!(
                "manifest entry has an unsupported platform {}: {}",
                p.display(),
                msgs.join("; ")
            )));
        }
    }
    let mut ann = annotations.clone();
    for (k, v) in &opts.annotations {
        if k.is_empty() {
            return Err(OpError::Invalid(
                "an annotation needs a key: --annotation KEY=VALUE".into(),
            ));
        }
        if v.is_empty() {
            ann.remove(k);
        } else {
            ann.insert(k.clone(), v.clone());
        }
    }
    Ok((p, ann))
}

/// Run `f` on the draft and the index of the entry `entry` names, under the list's lock;
/// what `f` leaves in the draft is written back atomically.
fn with_entry<T>(
    store: &Store,
    list: &Reference,
    entry: &EntrySelector,
    f: impl FnOnce(&mut Draft, usize) -> Result<T, OpError>,
) -> Result<T, OpError> {
    let list = list.clone().with_default_tag();
    if !store.exists(&list) {
        return Err(OpError::Store(StoreError::NoSuchList(list.to_string())));
    }
    store.update(&list, |cur| {
        let mut draft = cur.ok_or_else(|| StoreError::NoSuchList(list.to_string()))?;
        let i = find_one(&list, &draft.entries, entry)?;
        let out = f(&mut draft, i)?;
        Ok((draft, out))
    })
}

/// `annotate LIST ENTRY [flags]`: update one entry's platform/annotations under the store
/// lock and write it atomically. Returns the updated entry.
pub fn annotate(
    store: &Store,
    list: &Reference,
    entry: &EntrySelector,
    opts: &AnnotateOptions,
) -> Result<StoredEntry, OpError> {
    with_entry(store, list, entry, |draft, i| {
        let list_is_oci = draft.kind().is_oci();
        let name = draft.list.clone();
        let e = &mut draft.entries[i];
        let (p, ann) = apply(&e.platform(), &e.descriptor.annotations, opts)?;
        if !ann.is_empty() && !list_is_oci {
            return Err(OpError::Invalid(format!(
                "annotations need an OCI index, but {name} will be pushed as a Docker manifest list, which has no place for them. Make it an OCI index with `manifest-tui create --amend --format oci {name} ...`"
            )));
        }
        e.descriptor.platform = Some(p);
        e.descriptor.annotations = ann;
        Ok(e.clone())
    })
}

/// `remove LIST REF|DIGEST|PLATFORM`: drop one entry (docker cannot).
pub fn remove_entry(
    store: &Store,
    list: &Reference,
    entry: &EntrySelector,
) -> Result<StoredEntry, OpError> {
    with_entry(store, list, entry, |draft, i| Ok(draft.entries.remove(i)))
}
