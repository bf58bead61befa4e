//! docker's local manifest-list store: `$DOCKER_CONFIG/manifests` (default `~/.docker/manifests`).
//!
//! Layout (docker's, unchanged): one directory per list, named by the list's normalised
//! reference with `:`→`-` and `/`→`_`; one compact-JSON file per entry, named the same way
//! from the entry's reference. docker reads *every* file in a list directory as an entry, so
//! everything of ours lives in `manifests/.manifest-tui/` where docker never looks:
//! - `meta/<list dir>.json`: what docker's format has no place for (target format, index
//!   annotations), bound to the list directory's inode so a list that docker removed and
//!   re-created does not inherit stale metadata;
//! - `tmp/`: temp files, renamed into place so a store file is never half-written;
//! - `locks/<list dir>.lock`: an advisory `flock` held for each read-modify-write of a list,
//!   so two processes editing one list cannot lose an update.

use crate::digest::Digest;
use crate::media::{self, Descriptor, Kind, RawManifest};
use crate::platform::Platform;
use crate::reference::Reference;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

const OWN_DIR: &str = ".manifest-tui";

/// A store error, always naming the file or list it is about.
#[derive(Debug)]
pub enum StoreError {
    /// No list with this name in the store.
    NoSuchList(String),
    /// The list's directory holds a list this tool recorded under another name, one that
    /// docker's directory naming cannot tell apart from the given one.
    RecordedAs { given: String, recorded: String },
    /// The list has no entry matching the selector.
    NoSuchEntry { list: String, entry: String },
    /// A file could not be read, parsed or checked.
    Corrupt { path: PathBuf, reason: String },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NoSuchList(l) => write!(
                f,
                "No such manifest list: {l}. Local lists are listed by `manifest-tui ls`; create one with `manifest-tui create {l} IMAGE...`"
            ),
            StoreError::RecordedAs { given, recorded } => write!(
                f,
                "No such manifest list: {given}. Its store directory holds {recorded} (docker's directory names write `:` and `-` alike, and `/` and `_`): use that name, or rename the list in the editor (r)"
            ),
            StoreError::NoSuchEntry { list, entry } => write!(
                f,
                "manifest for image {entry} does not exist in {list}. See its entries with `manifest-tui inspect --format table {list}`"
            ),
            StoreError::Corrupt { path, reason } => write!(
                f,
                "store file {} is unreadable: {reason}. Remove it (or the list with `manifest-tui rm`) and create the entry again",
                path.display()
            ),
            StoreError::Io { path, source } => {
                write!(f, "cannot access {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for StoreError {}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A temp file in `.manifest-tui/tmp/` older than this was left by a writer that died (a
/// store write takes milliseconds); the next write removes it.
pub const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(3600);

/// One entry of a local list, as docker stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    /// The image reference the entry was created from (`Ref` in the file).
    pub reference: Reference,
    /// mediaType, digest, size, platform, annotations.
    pub descriptor: Descriptor,
    /// The exact manifest bytes fetched from the registry.
    pub raw: RawManifest,
    /// The entry's file name in the list directory.
    pub file_name: String,
}

impl StoredEntry {
    pub fn new(reference: Reference, raw: RawManifest, platform: Platform) -> StoredEntry {
        let mut descriptor = raw.descriptor();
        descriptor.platform = Some(platform);
        let file_name = reference.store_name();
        StoredEntry {
            reference,
            descriptor,
            raw,
            file_name,
        }
    }

    pub fn platform(&self) -> Platform {
        self.descriptor.platform.clone().unwrap_or_default()
    }

    pub fn digest(&self) -> &Digest {
        &self.descriptor.digest
    }

    pub fn kind(&self) -> Kind {
        self.raw.kind()
    }
}

/// What docker's store format has no room for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMeta {
    /// Chosen output format; `None` = docker's rule (the first entry's family).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Index-level annotations (OCI index only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The list's full reference. docker's directory names are lossy (`-` stands for both
    /// `:` and `-`, `_` for both `/` and `_`), so the true name is kept here for lists this
    /// tool wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// Where the list's name came from, decided when the list is read; never written.
    #[serde(skip)]
    pub name: ListName,
    /// Inode of the list directory these settings belong to.
    #[serde(default)]
    pub dir_inode: u64,
}

/// Where a list's name came from. Only [`ListName::Exact`] names are recorded in the
/// metadata; a name read from docker's directory name never is, since it may be a guess.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ListName {
    /// Recorded by this tool (or the name of a list this tool is writing).
    #[default]
    Exact,
    /// docker made the list and the caller named it; that name is used, as docker does.
    Given,
    /// docker made the list and its directory name has exactly one reading.
    Decoded,
    /// docker made the list and its directory name has several readings (the draft's `list`
    /// is the first): the target must be chosen before a push.
    Ambiguous(Vec<Reference>),
}

/// Output format of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Docker,
    Oci,
}

impl Format {
    pub fn kind(self) -> Kind {
        match self {
            Format::Docker => Kind::DockerList,
            Format::Oci => Kind::OciIndex,
        }
    }
}

/// A local list: its target reference, entries in store (file-name) order, and metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub list: Reference,
    pub entries: Vec<StoredEntry>,
    pub meta: ListMeta,
}

impl Draft {
    /// The media type the list will be pushed as: the explicit format, else docker's rule
    /// (OCI index when the first entry is an OCI manifest, else a Docker list).
    pub fn kind(&self) -> Kind {
        match self.meta.format {
            Some(f) => f.kind(),
            None => match self.entries.first().map(|e| e.kind()) {
                Some(Kind::OciManifest) => Kind::OciIndex,
                _ => Kind::DockerList,
            },
        }
    }
}

impl Draft {
    /// The readings of an ambiguous docker-made list's name, else `None`.
    pub fn ambiguous(&self) -> Option<&[Reference]> {
        match &self.meta.name {
            ListName::Ambiguous(r) => Some(r),
            _ => None,
        }
    }

    /// The list's name as every view shows it: the exact name, or every reading of an
    /// ambiguous one (`A or B`).
    pub fn shown_name(&self) -> String {
        match self.ambiguous() {
            Some(readings) => readings
                .iter()
                .map(Reference::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            None => self.list.to_string(),
        }
    }

    /// Why the list cannot be pushed under its name: its name is ambiguous (the readings
    /// themselves are in [`Draft::shown_name`]).
    pub fn ambiguity_problem(&self) -> Option<String> {
        self.ambiguous()?;
        Some(
            "docker made this list and its name is ambiguous: docker writes `:` and `-` both as \
             `-`, and `/` and `_` both as `_`. Choose the exact target by renaming it in the \
             TUI's draft editor, or push it by its exact name: `manifest-tui push NAME`"
                .to_string(),
        )
    }
}

/// A line of `ls`: a list's name and a summary, or the error that kept it from loading.
#[derive(Debug)]
pub struct ListSummary {
    pub dir_name: String,
    pub draft: Result<Draft, StoreError>,
}

#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

/// The JSON of one entry file. Field order matches docker's.
#[derive(Serialize, Deserialize)]
struct EntryFile {
    #[serde(rename = "Ref")]
    reference: String,
    #[serde(
        rename = "Descriptor",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    descriptor: Option<Descriptor>,
    #[serde(rename = "Raw", default, skip_serializing_if = "Option::is_none")]
    raw: Option<String>,
    #[serde(
        rename = "SchemaV2Manifest",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    schema_v2: Option<Box<serde_json::value::RawValue>>,
    #[serde(
        rename = "OCIManifest",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    oci: Option<Box<serde_json::value::RawValue>>,
    // Legacy shape: top-level Digest and Platform.
    #[serde(rename = "Digest", default, skip_serializing_if = "Option::is_none")]
    legacy_digest: Option<Digest>,
    #[serde(rename = "Platform", default, skip_serializing_if = "Option::is_none")]
    legacy_platform: Option<Platform>,
}

impl Store {
    /// The store under `docker_config` (else `$DOCKER_CONFIG`, else `~/.docker`).
    pub fn open(docker_config: Option<&Path>) -> Store {
        let base = crate::docker_config_dir(docker_config);
        Store {
            root: base.join("manifests"),
        }
    }

    pub fn at(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn list_dir(&self, list: &Reference) -> PathBuf {
        self.root.join(list.store_name())
    }

    pub fn exists(&self, list: &Reference) -> bool {
        self.list_dir(list).is_dir()
    }

    /// Every list in the store, sorted by directory name. A list that fails to load is
    /// reported with its error; the others still load.
    pub fn lists(&self) -> Result<Vec<ListSummary>, StoreError> {
        let rd = match fs::read_dir(&self.root) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&self.root)(e)),
        };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        Ok(names
            .into_iter()
            .map(|dir_name| {
                let draft = self.load_dir(&dir_name, None);
                ListSummary { dir_name, draft }
            })
            .collect())
    }

    /// Load a list. Errors name the list or the bad file.
    pub fn load(&self, list: &Reference) -> Result<Draft, StoreError> {
        let name = list.store_name();
        if !self.root.join(&name).is_dir() {
            return Err(StoreError::NoSuchList(list.to_string()));
        }
        self.load_dir(&name, Some(list))
    }

    fn load_dir(&self, dir_name: &str, list: Option<&Reference>) -> Result<Draft, StoreError> {
        let dir = self.root.join(dir_name);
        let mut files: Vec<String> = fs::read_dir(&dir)
            .map_err(io_err(&dir))?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        files.sort();
        let mut entries = Vec::with_capacity(files.len());
        for f in files {
            entries.push(read_entry(&dir.join(&f), &f)?);
        }
        let mut meta = self.read_meta(dir_name, &dir);
        let (list, name) = match (list, recorded_name(&meta, dir_name)) {
            (Some(l), Some(r)) if *l != r => {
                return Err(StoreError::RecordedAs {
                    given: l.to_string(),
                    recorded: r.to_string(),
                })
            }
            (_, Some(r)) => (r, ListName::Exact),
            (Some(l), None) => (l.clone(), ListName::Given),
            (None, None) => {
                let mut readings = list_readings(dir_name);
                if readings.is_empty() {
                    return Err(StoreError::Corrupt {
                        path: dir.clone(),
                        reason:
                            "the directory name is not a reference this store could have written"
                                .into(),
                    });
                }
                let first = readings[0].clone();
                if readings.len() == 1 {
                    (first, ListName::Decoded)
                } else {
                    readings.truncate(MAX_READINGS);
                    (first, ListName::Ambiguous(readings))
                }
            }
        };
        meta.name = name;
        Ok(Draft {
            list,
            entries,
            meta,
        })
    }

    fn own(&self, sub: &str) -> PathBuf {
        self.root.join(OWN_DIR).join(sub)
    }

    fn read_meta(&self, dir_name: &str, dir: &Path) -> ListMeta {
        let path = self.own("meta").join(format!("{dir_name}.json"));
        let Ok(bytes) = fs::read(&path) else {
            return ListMeta::default();
        };
        let Ok(meta) = serde_json::from_slice::<ListMeta>(&bytes) else {
            return ListMeta::default();
        };
        if meta.dir_inode != inode(dir) {
            // The list directory was removed and re-created by someone else (docker).
            return ListMeta::default();
        }
        meta
    }

    /// Run `f` on the list under its lock and write back what it returns. The closure gets
    /// the current draft (or `None` when the list does not exist yet).
    pub fn update<T, E: From<StoreError>>(
        &self,
        list: &Reference,
        f: impl FnOnce(Option<Draft>) -> Result<(Draft, T), E>,
    ) -> Result<T, E> {
        let _lock = self.lock(list)?;
        let current = if self.exists(list) {
            Some(self.load(list)?)
        } else {
            None
        };
        let before: BTreeMap<String, Vec<u8>> = current
            .as_ref()
            .map(|d| {
                d.entries
                    .iter()
                    .map(|e| (e.file_name.clone(), encode_entry(e)))
                    .collect()
            })
            .unwrap_or_default();
        let before_meta = current.as_ref().map(|d| d.meta.clone());
        let (draft, out) = f(current)?;
        self.write_draft(&draft, &before, before_meta.as_ref())?;
        Ok(out)
    }

    /// Write the draft: changed entry files atomically, removed ones deleted, metadata saved.
    fn write_draft(
        &self,
        draft: &Draft,
        before: &BTreeMap<String, Vec<u8>>,
        before_meta: Option<&ListMeta>,
    ) -> Result<(), StoreError> {
        let dir = self.list_dir(&draft.list);
        create_dir(&self.root)?;
        create_dir(&dir)?;
        let mut keep = std::collections::BTreeSet::new();
        for e in &draft.entries {
            let bytes = encode_entry(e);
            keep.insert(e.file_name.clone());
            if before.get(&e.file_name) != Some(&bytes) {
                self.write_atomic(&dir.join(&e.file_name), &bytes)?;
            }
        }
        for old in before.keys() {
            if !keep.contains(old) {
                let p = dir.join(old);
                match fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_err(&p)(e)),
                }
            }
        }
        let mut meta = draft.meta.clone();
        meta.dir_inode = inode(&dir);
        if meta.name == ListName::Exact {
            meta.list = Some(draft.list.to_string());
        }
        let dir_name = draft.list.store_name();
        let meta_path = self.own("meta").join(format!("{dir_name}.json"));
        if before_meta != Some(&meta) {
            create_dir(&self.own("meta"))?;
            let bytes = serde_json::to_vec(&meta).unwrap_or_default();
            self.write_atomic(&meta_path, &bytes)?;
        }
        Ok(())
    }

    /// Write `bytes` to `path` atomically ([`crate::files::write_atomic_via`]), the temporary
    /// file in our own `tmp` directory: docker reads every file of a list's directory.
    /// Temp files left by writers that died are swept by the next write.
    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        let tmp_dir = self.own("tmp");
        create_dir(&tmp_dir)?;
        crate::files::sweep_stale_temps(&tmp_dir, STALE_TEMP);
        crate::files::write_atomic_via(path, bytes, &tmp_dir).map_err(io_err(path))?;
        set_mode(path, 0o644);
        Ok(())
    }

    /// Remove a list (its directory and our metadata).
    pub fn remove(&self, list: &Reference) -> Result<(), StoreError> {
        let _lock = self.lock(list)?;
        let dir = self.list_dir(list);
        if !dir.is_dir() {
            return Err(StoreError::NoSuchList(list.to_string()));
        }
        let name = list.store_name();
        if let Some(r) = recorded_name(&self.read_meta(&name, &dir), &name) {
            if r != *list {
                return Err(StoreError::RecordedAs {
                    given: list.to_string(),
                    recorded: r.to_string(),
                });
            }
        }
        fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        let _ = fs::remove_file(self.own("meta").join(format!("{}.json", list.store_name())));
        Ok(())
    }

    fn lock(&self, list: &Reference) -> Result<crate::files::FileLock, StoreError> {
        let dir = self.own("locks");
        create_dir(&dir)?;
        let path = dir.join(format!("{}.lock", list.store_name()));
        crate::files::FileLock::exclusive(&path, true).map_err(io_err(&path))
    }
}

fn create_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    set_mode(dir, 0o755);
    Ok(())
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
}

fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).map(|m| m.ino()).unwrap_or(0)
}

/// At most this many readings of a docker directory name are kept (to show, and to offer
/// when the target is chosen); one more than one is enough to know it is ambiguous.
const MAX_READINGS: usize = 8;

/// The list name this tool recorded for a directory, if it is one that maps to it.
fn recorded_name(meta: &ListMeta, dir_name: &str) -> Option<Reference> {
    meta.list
        .as_deref()
        .and_then(|l| Reference::parse(l).ok())
        .filter(|r| r.store_name() == dir_name)
}

impl Reference {
    /// The file or directory name docker's manifest store uses for this reference
    /// (`makeFilesafeName` in docker CLI 28 `cli/manifest/store/store.go`): the full normalised
    /// string with every `:` replaced by `-` and every `/` by `_`; nothing else is changed
    /// (`@` stays). `127.0.0.1:5101/mylist:v1` → `127.0.0.1-5101_mylist-v1`. Its reverse is
    /// [`list_readings`].
    pub fn store_name(&self) -> String {
        self.to_string().replace(':', "-").replace('/', "_")
    }
}

/// Every list reference docker could have written as this directory name, most likely first
/// (at most [`MAX_READINGS`] + 1). docker's mapping is lossy: `:` and `-` both become `-`,
/// `/` and `_` both become `_`. So `127.0.0.1-5000_rc_app-v1-rc` reads as
/// `127.0.0.1:5000/rc/app:v1-rc`, `…/rc/app-v1:rc`, `…/rc_app:v1-rc` and `…/rc_app-v1:rc`.
///
/// Each reading is checked by parsing it back to the same directory name. The domain is the
/// part before the first `_` (a host has no `_`); a trailing `-DIGITS` there is read as the
/// port (a host name ending in a dash and digits is not offered). A list always has a tag or a
/// digest: the tag starts at one of the dashes after the domain (the last one first), and
/// each `_` before it is read as `/` first, then as `_`.
pub fn list_readings(dir_name: &str) -> Vec<Reference> {
    list_readings_tried(dir_name).0
}

/// At most this many candidate readings of one directory name are tried (parsed): the bound
/// on the work for names no docker would write, where every reading fails.
pub const READINGS_TRIED_AT_MOST: usize = 4096;

/// [`list_readings`], and how many candidate readings were tried to find them (at most
/// [`READINGS_TRIED_AT_MOST`]).
pub fn list_readings_tried(dir_name: &str) -> (Vec<Reference>, usize) {
    // A file name is at most 255 bytes; longer input cannot come from disk.
    if dir_name.len() > 255 {
        return (Vec::new(), 0);
    }
    let (name_part, digest_part) = match dir_name.split_once('@') {
        Some((n, d)) => (n, Some(d.replacen('-', ":", 1))),
        None => (dir_name, None),
    };
    let Some((domain, path)) = name_part.split_once('_') else {
        return (Vec::new(), 0);
    };
    let mut domains = Vec::new();
    if let Some(inner) = domain.strip_prefix('[') {
        // `[::1]:5000` is written `[--1]-5000`: an IPv6 address has no dashes of its own.
        domains.push(format!("[{}", inner.replace('-', ":")));
    } else {
        if let Some((host, port)) = domain.rsplit_once('-') {
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
                domains.push(format!("{host}:{port}"));
            }
        }
        domains.push(domain.to_string());
    }
    let dashes: Vec<usize> = path.match_indices('-').map(|(i, _)| i).collect();
    let mut tags: Vec<Option<usize>> = dashes.iter().rev().map(|&t| Some(t)).collect();
    if digest_part.is_some() {
        tags.insert(0, None);
    }
    // Bounds the work on names no docker would write (every reading fails to parse).
    let mut budget = READINGS_TRIED_AT_MOST;
    let tried = |budget: usize| READINGS_TRIED_AT_MOST - budget;
    for d in &domains {
        let mut out: Vec<Reference> = Vec::new();
        for &t in &tags {
            let end = t.unwrap_or(path.len());
            let unders: Vec<usize> = path[..end].match_indices('_').map(|(i, _)| i).collect();
            let combos = 1u64.checked_shl(unders.len() as u32).unwrap_or(u64::MAX);
            for mask in 0..combos {
                if budget == 0 || out.len() > MAX_READINGS {
                    return (out, tried(budget));
                }
                budget -= 1;
                let mut p = path.as_bytes().to_vec();
                for (bit, &u) in unders.iter().enumerate() {
                    if bit >= 64 || mask & (1 << bit) == 0 {
                        p[u] = b'/';
                    }
                }
                if let Some(t) = t {
                    p[t] = b':';
                }
                let mut s = format!("{d}/{}", String::from_utf8_lossy(&p));
                if let Some(dg) = &digest_part {
                    s.push('@');
                    s.push_str(dg);
                }
                if let Ok(r) = Reference::parse(&s) {
                    if (r.tag.is_some() || r.digest.is_some())
                        && r.store_name() == dir_name
                        && !out.contains(&r)
                    {
                        out.push(r);
                    }
                }
            }
        }
        if !out.is_empty() {
            return (out, tried(budget));
        }
    }
    (Vec::new(), tried(budget))
}

fn read_entry(path: &Path, file_name: &str) -> Result<StoredEntry, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = fs::read(path).map_err(io_err(path))?;
    if bytes.len() > 4 * media::MAX_MANIFEST_BYTES {
        return Err(corrupt("file is too large for a store entry".into()));
    }
    let file: EntryFile =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not a store entry: {e}")))?;
    let reference = Reference::parse(&file.reference)
        .map_err(|e| corrupt(format!("bad Ref {:?}: {e}", file.reference)))?;
    let (mut descriptor, legacy) = match (file.descriptor, file.legacy_digest) {
        (Some(d), _) => (d, false),
        (None, Some(digest)) => (
            Descriptor {
                media_type: String::new(),
                digest,
                size: 0,
                urls: Vec::new(),
                annotations: BTreeMap::new(),
                platform: file.legacy_platform.clone(),
                artifact_type: None,
            },
            true,
        ),
        (None, None) => return Err(corrupt("no Descriptor and no Digest".into())),
    };
    let parsed_json = file.schema_v2.as_ref().or(file.oci.as_ref());
    let raw_bytes = match file.raw.as_deref() {
        Some(b64) if !b64.is_empty() => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| corrupt(format!("Raw is not base64: {e}")))?,
        _ => {
            // Older docker stored only the parsed manifest; docker re-creates the bytes by
            // indenting it the way Go's MarshalIndent does, and so do we.
            let v = parsed_json.ok_or_else(|| corrupt("no Raw and no manifest".into()))?;
            go_indent(v.get()).map_err(corrupt)?
        }
    };
    if !descriptor.digest.verify(&raw_bytes) {
        return Err(corrupt(format!(
            "the stored manifest does not match its digest {}",
            descriptor.digest
        )));
    }
    let media_type = if !descriptor.media_type.is_empty() {
        descriptor.media_type.clone()
    } else if file.oci.is_some() {
        media::OCI_MANIFEST.to_string()
    } else {
        media::DOCKER_MANIFEST.to_string()
    };
    let raw = RawManifest::new(raw_bytes, &media_type).map_err(|e| corrupt(e.to_string()))?;
    if legacy || descriptor.media_type.is_empty() {
        descriptor.media_type = raw.media_type.clone();
        descriptor.size = raw.size();
    }
    Ok(StoredEntry {
        reference,
        descriptor,
        raw,
        file_name: file_name.to_string(),
    })
}

/// Encode an entry exactly as docker writes it: compact JSON, no trailing newline.
pub fn encode_entry(e: &StoredEntry) -> Vec<u8> {
    let compact: Option<Box<serde_json::value::RawValue>> =
        serde_json::from_slice::<serde_json::Value>(&e.raw.bytes)
            .ok()
            .and_then(|v| serde_json::value::to_raw_value(&v).ok());
    let oci = e.raw.kind().is_oci();
    let file = EntryFile {
        reference: e.reference.to_string(),
        descriptor: Some(e.descriptor.clone()),
        raw: Some(base64::engine::general_purpose::STANDARD.encode(&e.raw.bytes)),
        schema_v2: if oci { None } else { compact.clone() },
        oci: if oci { compact } else { None },
        legacy_digest: None,
        legacy_platform: None,
    };
    serde_json::to_vec(&file).unwrap_or_default()
}

/// Re-indent compact JSON the way Go's `json.MarshalIndent(v, "", "   ")` lays it out.
fn go_indent(compact: &str) -> Result<Vec<u8>, String> {
    let v: serde_json::Value =
        serde_json::from_str(compact).map_err(|e| format!("manifest is not JSON: {e}"))?;
    let mut out = String::new();
    write_go(&mut out, &v, 0);
    Ok(out.into_bytes())
}

fn write_go(out: &mut String, v: &serde_json::Value, depth: usize) {
    use serde_json::Value;
    let nl = |out: &mut String, d: usize| {
        out.push('\n');
        for _ in 0..d {
            out.push_str("   ");
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                media::go_quote_into(out, k);
                out.push_str(": ");
                write_go(out, v, depth + 1);
            }
            nl(out, depth);
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                write_go(out, v, depth + 1);
            }
            nl(out, depth);
            out.push(']');
        }
        Value::String(s) => media::go_quote_into(out, s),
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Reference {
        Reference::parse(s).expect("a reference")
    }

    #[test]
    fn store_names_and_their_readings() {
        let r = ok("127.0.0.1:5101/mylist:v1");
        assert_eq!(r.store_name(), "127.0.0.1-5101_mylist-v1");
        let r = ok("127.0.0.1:5101/coolapp-armv7:v1");
        assert_eq!(r.store_name(), "127.0.0.1-5101_coolapp-armv7-v1");
        let ff = format!("sha256:{}", "f".repeat(64));
        let r = ok(&format!("alpine@{ff}"));
        assert_eq!(
            r.store_name(),
            format!("docker.io_library_alpine@sha256-{}", "f".repeat(64))
        );
        assert_eq!(list_readings(&r.store_name()), vec![r]);
        assert_eq!(
            Reference::parse_tagged("busybox").unwrap().store_name(),
            "docker.io_library_busybox-latest"
        );
        let r = ok("[::1]:5000/a/b:t");
        assert_eq!(r.store_name(), "[--1]-5000_a_b-t");
        assert!(list_readings(&r.store_name()).contains(&r));
    }
}
