//! OCI image layouts on disk (image-spec 1.1 `image-layout.md`): `oci-layout`, `index.json`,
//! `blobs/<alg>/<hex>`. The registry client serves a layout reference ([`crate::place`]) from
//! here, so every operation reads and writes layouts as it does registries.
//!
//! Writes are atomic and verified: a blob is hashed while it streams into a temporary file
//! in the layout and renamed into place only when its digest and size match; `index.json`
//! is replaced atomically, last, under an advisory lock on the layout directory (and a
//! lock in this process), so an interrupted copy leaves a valid layout that a second run
//! completes, and two writers never lose each other's tags. A child manifest is a blob
//! only; a manifest put under a ref name is also listed in `index.json` with
//! `org.opencontainers.image.ref.name`, replacing what had that name (as containers/image
//! does). An archive (`oci-archive:`) is unpacked into a private directory on first use and
//! packed back, atomically, after every write of a name.

use crate::digest::Digest;
use crate::media::{Descriptor, RawManifest, MAX_MANIFEST_BYTES};
use crate::place::{Location, REF_NAME};
use crate::registry::{ErrorKind, RegistryError};
use sha2::Digest as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The `oci-layout` file's content.
const LAYOUT_FILE: &str = "{\"imageLayoutVersion\":\"1.0.0\"}";
const INDEX: &str = "index.json";
/// How much of a blob is read at a time.
const CHUNK: usize = 256 * 1024;

/// One layout, opened by the client for the life of the client.
pub struct Layout {
    /// As the user wrote it (`oci:./dir`), for messages.
    shown: String,
    loc: Location,
    /// The directory the files are in: the layout itself, or an archive's unpacked copy.
    root: PathBuf,
    /// An archive's unpacked copy (removed when the layout is dropped).
    _unpacked: Option<tempfile::TempDir>,
    /// Serialises this process's writers of `index.json` (the flock serialises processes).
    index_lock: std::sync::Mutex<()>,
}

/// A local error about `what` (a file of the layout); `missing` when it is a "not found".
fn local(what: impl Into<String>, message: impl Into<String>, missing: bool) -> RegistryError {
    RegistryError::new(
        what,
        ErrorKind::Local {
            message: message.into(),
            missing,
        },
    )
}

impl Layout {
    /// Open the layout `domain` names (see [`Location::of`]). A directory that does not
    /// exist yet is fine (it is made on the first write); an archive is unpacked now.
    pub fn open(domain: &str) -> Result<Option<Layout>, RegistryError> {
        let Some(loc) = Location::of(domain) else {
            return Ok(None);
        };
        let (root, unpacked) = if loc.archive {
            let dir = tempfile::Builder::new()
                .prefix("manifest-tui-oci-archive-")
                .tempdir()
                .map_err(|e| {
                    local(
                        domain,
                        format!("making a directory to unpack into: {e}"),
                        false,
                    )
                })?;
            if loc.path.exists() {
                unpack(&loc.path, dir.path()).map_err(|e| local(domain, e, false))?;
            }
            (dir.path().to_path_buf(), Some(dir))
        } else {
            (loc.path.clone(), None)
        };
        Ok(Some(Layout {
            shown: domain.to_string(),
            loc,
            root,
            _unpacked: unpacked,
            index_lock: std::sync::Mutex::new(()),
        }))
    }

    fn file(&self, rel: &str) -> String {
        if self.loc.archive {
            format!("{} ({rel})", self.shown)
        } else {
            format!("{}/{rel}", self.loc.path.display())
        }
    }

    /// Is this directory a layout? An error naming the problem when it is not.
    fn check(&self) -> Result<(), RegistryError> {
        let dir = &self.root;
        if !self.loc.archive && !dir.is_dir() {
            let why = if dir.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            return Err(local(
                self.shown.clone(),
                format!("{} {why}", dir.display()),
                true,
            ));
        }
        let made = dir.join("oci-layout").is_file();
        if self.loc.archive && !made && !self.loc.path.exists() {
            return Err(local(
                self.shown.clone(),
                format!("{} does not exist", self.loc.path.display()),
                true,
            ));
        }
        if !made {
            return Err(local(
                self.file("oci-layout"),
                "not an OCI image layout: there is no oci-layout file",
                false,
            ));
        }
        Ok(())
    }

    /// `index.json` as JSON, and its `manifests` as descriptors.
    fn index(&self) -> Result<(serde_json::Value, Vec<Descriptor>), RegistryError> {
        self.check()?;
        let what = self.file(INDEX);
        let bytes = std::fs::read(self.root.join(INDEX)).map_err(|e| {
            local(
                what.clone(),
                e.to_string(),
                e.kind() == std::io::ErrorKind::NotFound,
            )
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| local(what.clone(), format!("not JSON: {e}"), false))?;
        let manifests = match value.get("manifests") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(m) => serde_json::from_value(m.clone()).map_err(|e| {
                local(
                    what.clone(),
                    format!("its manifests are not descriptors: {e}"),
                    false,
                )
            })?,
        };
        Ok((value, manifests))
    }

    /// The ref names `index.json` lists, in its order.
    pub fn tags(&self) -> Result<Vec<String>, RegistryError> {
        let (_, manifests) = self.index()?;
        let mut names: Vec<String> = Vec::new();
        for d in manifests {
            if let Some(n) = d.annotations.get(REF_NAME) {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        Ok(names)
    }

    /// The descriptor a tag or digest names: by ref name, by digest (listed, or a blob of
    /// the layout), or with neither the only manifest listed. `None`: no such name.
    fn resolve(
        &self,
        tag: Option<&str>,
        digest: Option<&Digest>,
    ) -> Result<Option<Descriptor>, RegistryError> {
        let (_, manifests) = self.index()?;
        if let Some(d) = digest {
            if let Some(found) = manifests.iter().find(|m| &m.digest == d) {
                return Ok(Some(found.clone()));
            }
            return Ok(self.blob_size(d).map(|size| Descriptor {
                media_type: String::new(),
                digest: d.clone(),
                size: size as i64,
                urls: Vec::new(),
                annotations: Default::default(),
                platform: None,
                artifact_type: None,
            }));
        }
        match tag {
            Some(t) => Ok(manifests
                .into_iter()
                .find(|m| m.annotations.get(REF_NAME).map(String::as_str) == Some(t))),
            None if manifests.len() == 1 => Ok(manifests.into_iter().next()),
            None => Err(local(
                self.shown.clone(),
                format!(
                    "holds {} manifests; name one: {}",
                    manifests.len(),
                    self.names_hint(&manifests)
                ),
                false,
            )),
        }
    }

    /// "its ref names are a, b" for an error.
    fn names_hint(&self, manifests: &[Descriptor]) -> String {
        let names: Vec<String> = manifests
            .iter()
            .filter_map(|m| m.annotations.get(REF_NAME))
            .map(|n| format!("{}:{n}", self.shown))
            .collect();
        if names.is_empty() {
            "it has no ref names; give a digest (oci:PATH@sha256:…)".to_string()
        } else {
            names.join(", ")
        }
    }

    /// The manifest a tag or digest names, read and verified.
    pub fn get_manifest(
        &self,
        tag: Option<&str>,
        digest: Option<&Digest>,
    ) -> Result<RawManifest, RegistryError> {
        let Some(d) = self.resolve(tag, digest)? else {
            let (_, manifests) = self.index()?;
            let what = match (tag, digest) {
                (_, Some(d)) => format!("no manifest {d}"),
                (Some(t), None) => format!(
                    "no ref name {t:?}; {}",
                    if manifests.is_empty() {
                        "it lists no manifests".to_string()
                    } else {
                        format!("it has {}", self.names_hint(&manifests))
                    }
                ),
                (None, None) => "no manifest".to_string(),
            };
            return Err(local(self.file(INDEX), what, true));
        };
        let bytes = self.read_blob(&d.digest, MAX_MANIFEST_BYTES)?;
        RawManifest::new(bytes, &d.media_type)
            .map_err(|e| local(self.blob_file(&d.digest), e.to_string(), false))
    }

    /// `(media type, digest, size)` of what a tag or digest names, or `None`.
    pub fn head_manifest(
        &self,
        tag: Option<&str>,
        digest: Option<&Digest>,
    ) -> Result<Option<(String, Digest, u64)>, RegistryError> {
        match self.resolve(tag, digest) {
            Ok(Some(d)) if !d.media_type.is_empty() => {
                Ok(Some((d.media_type, d.digest, d.size.max(0) as u64)))
            }
            Ok(Some(d)) => {
                let m = self.get_manifest(None, Some(&d.digest))?;
                Ok(Some((m.media_type, m.digest, d.size.max(0) as u64)))
            }
            Ok(None) => Ok(None),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn blob_rel(d: &Digest) -> String {
        format!("blobs/{}/{}", d.algorithm(), d.hex())
    }

    fn blob_file(&self, d: &Digest) -> String {
        self.file(&Self::blob_rel(d))
    }

    fn blob_path(&self, d: &Digest) -> PathBuf {
        self.root.join(Self::blob_rel(d))
    }

    /// The size of a blob the layout holds.
    pub fn blob_size(&self, d: &Digest) -> Option<u64> {
        std::fs::metadata(self.blob_path(d))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    }

    /// A blob of at most `max` bytes, verified against its digest.
    pub fn read_blob(&self, d: &Digest, max: usize) -> Result<Vec<u8>, RegistryError> {
        let what = self.blob_file(d);
        let missing = |e: std::io::Error| {
            let gone = e.kind() == std::io::ErrorKind::NotFound;
            let why = if gone {
                "missing: the layout lists it but does not hold it".to_string()
            } else {
                e.to_string()
            };
            local(what.clone(), why, gone)
        };
        let len = std::fs::metadata(self.blob_path(d)).map_err(missing)?.len();
        if len > max as u64 {
            return Err(RegistryError::new(what, ErrorKind::TooLarge { limit: max }));
        }
        let bytes = std::fs::read(self.blob_path(d)).map_err(missing)?;
        if !d.verify(&bytes) {
            return Err(RegistryError::new(
                what,
                ErrorKind::DigestMismatch {
                    expected: d.to_string(),
                    actual: Digest::sha256(&bytes).to_string(),
                },
            ));
        }
        Ok(bytes)
    }

    /// A blob as a stream of chunks, and its size.
    pub async fn blob_chunks(
        &self,
        d: &Digest,
    ) -> Result<
        (
            impl futures_util::Stream<Item = Result<bytes::Bytes, RegistryError>>
                + Send
                + Unpin
                + 'static,
            u64,
        ),
        RegistryError,
    > {
        use tokio::io::AsyncReadExt;
        let (file, len) = self.open_blob(d).await?;
        let what = self.blob_file(d);
        let chunks = futures_util::stream::unfold(Some(file), move |file| {
            let what = what.clone();
            async move {
                let mut file = file?;
                let mut buf = vec![0u8; CHUNK];
                match file.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok(bytes::Bytes::from(buf)), Some(file)))
                    }
                    Err(e) => Some((Err(local(what, e.to_string(), false)), None)),
                }
            }
        });
        Ok((Box::pin(chunks), len))
    }

    /// Open a blob for streaming: the file and its size.
    async fn open_blob(&self, d: &Digest) -> Result<(tokio::fs::File, u64), RegistryError> {
        let what = self.blob_file(d);
        let f = tokio::fs::File::open(self.blob_path(d))
            .await
            .map_err(|e| {
                let gone = e.kind() == std::io::ErrorKind::NotFound;
                local(
                    what.clone(),
                    if gone {
                        "missing".to_string()
                    } else {
                        e.to_string()
                    },
                    gone,
                )
            })?;
        let len = f
            .metadata()
            .await
            .map_err(|e| local(what.clone(), e.to_string(), false))?
            .len();
        Ok((f, len))
    }

    /// Make the directory a layout if it is not one yet: it must be new or empty, so a
    /// directory of something else is never written into.
    fn make(&self) -> Result<(), RegistryError> {
        let dir = &self.root;
        if dir.join("oci-layout").is_file() {
            return Ok(());
        }
        let shown = self.shown.clone();
        if dir.exists() {
            let entries =
                std::fs::read_dir(dir).map_err(|e| local(shown.clone(), e.to_string(), false))?;
            if entries.flatten().next().is_some() {
                return Err(local(
                    shown,
                    format!(
                        "{} is not empty and not an OCI image layout (no oci-layout file); write to a new or empty directory",
                        self.loc.path.display()
                    ),
                    false,
                ));
            }
        }
        let io = |e: std::io::Error| local(shown.clone(), e.to_string(), false);
        std::fs::create_dir_all(dir.join("blobs/sha256")).map_err(io)?;
        crate::files::write_atomic(&dir.join(INDEX), b"{\"schemaVersion\":2,\"manifests\":[]}")
            .map_err(io)?;
        crate::files::write_atomic(&dir.join("oci-layout"), LAYOUT_FILE.as_bytes()).map_err(io)?;
        Ok(())
    }

    /// Write a blob from `chunks`, hashed as it streams into a temporary file and renamed
    /// into place only when it matches `d` (and `size`, when known). `progress` gets the
    /// bytes of each chunk. A blob already there is not written again.
    pub async fn write_blob<S>(
        &self,
        d: &Digest,
        size: Option<u64>,
        mut chunks: S,
        progress: Option<&(dyn Fn(u64) + Send + Sync)>,
    ) -> Result<(), RegistryError>
    where
        S: futures_util::Stream<Item = Result<bytes::Bytes, RegistryError>> + Unpin,
    {
        use futures_util::StreamExt;
        use tokio::io::AsyncWriteExt;
        self.make()?;
        if self.blob_size(d).is_some() {
            return Ok(());
        }
        let what = self.blob_file(d);
        let io = |e: std::io::Error| local(what.clone(), e.to_string(), false);
        let tmp = tempfile::Builder::new()
            .prefix(crate::files::TEMP_PREFIX)
            .tempfile_in(&self.root)
            .map_err(io)?;
        let mut file = tokio::fs::File::from_std(tmp.reopen().map_err(io)?);
        let mut hash = Hasher::of(d);
        let mut len: u64 = 0;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            hash.update(&chunk);
            file.write_all(&chunk).await.map_err(io)?;
            len += chunk.len() as u64;
            if let Some(p) = progress {
                p(chunk.len() as u64);
            }
        }
        file.sync_all().await.map_err(io)?;
        drop(file);
        let got = hash.finish();
        if &got != d {
            return Err(RegistryError::new(
                what,
                ErrorKind::DigestMismatch {
                    expected: d.to_string(),
                    actual: got.to_string(),
                },
            ));
        }
        if let Some(want) = size.filter(|&s| s != len) {
            return Err(local(
                what,
                format!("{len} bytes arrived, {want} were expected"),
                false,
            ));
        }
        let path = self.blob_path(d);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Put a manifest's exact bytes: as a blob, and under `tag` in `index.json` when given
    /// (an archive is packed again). Returns its digest.
    pub fn put_manifest(
        &self,
        tag: Option<&str>,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        self.make()?;
        let d = Digest::sha256(bytes);
        let path = self.blob_path(&d);
        let io = |e: std::io::Error| local(self.blob_file(&d), e.to_string(), false);
        if self.blob_size(&d) != Some(bytes.len() as u64) {
            std::fs::create_dir_all(path.parent().unwrap_or(&self.root)).map_err(io)?;
            crate::files::write_atomic_via(&path, bytes, &self.root).map_err(io)?;
        }
        if let Some(tag) = tag {
            self.name(tag, media_type, &d, bytes.len() as u64)?;
            if self.loc.archive {
                pack(&self.root, &self.loc.path)
                    .map_err(|e| local(self.shown.clone(), e, false))?;
            }
        }
        Ok(d)
    }

    /// List `digest` under `tag` in `index.json` (read, changed and replaced under the
    /// locks), taking the name from whatever had it.
    fn name(
        &self,
        tag: &str,
        media_type: &str,
        d: &Digest,
        size: u64,
    ) -> Result<(), RegistryError> {
        let _in_process = self.index_lock.lock().unwrap_or_else(|e| e.into_inner());
        let _across = crate::files::FileLock::exclusive(&self.root, false)
            .map_err(|e| local(self.shown.clone(), e.to_string(), false))?;
        let (mut value, _) = self.index()?;
        let what = self.file(INDEX);
        let obj = value
            .as_object_mut()
            .ok_or_else(|| local(what.clone(), "not a JSON object", false))?;
        obj.entry("schemaVersion").or_insert(serde_json::json!(2));
        let list = obj
            .entry("manifests")
            .or_insert_with(|| serde_json::json!([]));
        if list.is_null() {
            *list = serde_json::json!([]);
        }
        let list = list
            .as_array_mut()
            .ok_or_else(|| local(what.clone(), "its manifests are not a list", false))?;
        let named = |m: &serde_json::Value| {
            m.pointer("/annotations")
                .and_then(|a| a.get(REF_NAME))
                .and_then(|n| n.as_str())
                == Some(tag)
        };
        list.retain(|m| !named(m));
        let desc = serde_json::json!({
            "mediaType": media_type,
            "digest": d.as_str(),
            "size": size,
            "annotations": { REF_NAME: tag },
        });
        list.push(desc);
        let bytes =
            serde_json::to_vec(&value).map_err(|e| local(what.clone(), e.to_string(), false))?;
        crate::files::write_atomic_via(&self.root.join(INDEX), &bytes, &self.root)
            .map_err(|e| local(what, e.to_string(), false))
    }
}

/// sha256 or sha512, as the digest being checked uses.
enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn of(d: &Digest) -> Hasher {
        match d.algorithm() {
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(b),
            Hasher::Sha512(h) => h.update(b),
        }
    }

    fn finish(self) -> Digest {
        let (alg, out) = match self {
            Hasher::Sha256(h) => ("sha256", h.finalize().to_vec()),
            Hasher::Sha512(h) => ("sha512", h.finalize().to_vec()),
        };
        let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
        Digest::parse(&format!("{alg}:{hex}")).expect("a digest we computed")
    }
}

/// Unpack the tar `file` into `dir`, refusing anything but plain files and directories
/// inside it.
fn unpack(file: &Path, dir: &Path) -> Result<(), String> {
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut ar = tar::Archive::new(std::io::BufReader::new(f));
    let entries = ar
        .entries()
        .map_err(|e| format!("{}: not a tar file: {e}", file.display()))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| format!("{}: truncated or not a tar file: {e}", file.display()))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir()) {
            continue;
        }
        let unpacked = entry
            .unpack_in(dir)
            .map_err(|e| format!("{}: truncated or not a tar file: {e}", file.display()))?;
        if !unpacked {
            return Err(format!(
                "{}: an entry points outside the archive; refused",
                file.display()
            ));
        }
    }
    if !dir.join("oci-layout").is_file() {
        return Err(format!(
            "{} is not an OCI image layout archive: it holds no oci-layout file",
            file.display()
        ));
    }
    Ok(())
}

/// Pack `dir` into the tar `file`: a temporary file beside it, renamed over it.
fn pack(dir: &Path, file: &Path) -> Result<(), String> {
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| format!("writing {}: {e}", file.display());
    let mut tmp = tempfile::Builder::new()
        .prefix(crate::files::TEMP_PREFIX)
        .tempfile_in(parent)
        .map_err(fail)?;
    {
        let mut b = tar::Builder::new(std::io::BufWriter::new(tmp.as_file_mut()));
        b.mode(tar::HeaderMode::Deterministic);
        b.follow_symlinks(false);
        for name in ["oci-layout", INDEX] {
            b.append_path_with_name(dir.join(name), name)
                .map_err(fail)?;
        }
        b.append_dir_all("blobs", dir.join("blobs")).map_err(fail)?;
        b.into_inner().map_err(fail)?.flush().map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(file).map_err(|e| fail(e.error))?;
    Ok(())
}
