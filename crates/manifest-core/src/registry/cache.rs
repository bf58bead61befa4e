//! A content-addressed cache of manifests read from registries:
//! `<dir>/sha256/<hex>` holds the exact bytes whose digest is `sha256:<hex>`. A manifest
//! is found by its digest only, so an entry never goes stale; every read hashes the bytes
//! again (a damaged or foreign file is removed and counts as a miss), and every write goes
//! through a temporary file and a rename, so a reader never sees half a manifest.

use crate::digest::Digest;
use std::path::{Path, PathBuf};

/// The default cache directory: `$XDG_CACHE_HOME/manifest-tui/manifests` or
/// `~/.cache/manifest-tui/manifests`; `None` without either variable.
pub fn default_manifest_cache_dir() -> Option<PathBuf> {
    crate::files::app_dir(crate::files::Xdg::Cache).map(|d| d.join("manifests"))
}

/// The cache under one directory. Failures to read or write are never errors: the
/// manifest is then fetched from the registry as without a cache.
#[derive(Clone, Debug)]
pub(super) struct ManifestCache {
    dir: PathBuf,
}

impl ManifestCache {
    pub(super) fn new(dir: &Path) -> ManifestCache {
        ManifestCache {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self, d: &Digest) -> Option<PathBuf> {
        let (algo, hex) = d.as_str().split_once(':')?;
        // Only what the digest parser accepts reaches here; keep path parts plain anyway.
        let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
        (plain(algo) && plain(hex)).then(|| self.dir.join(algo).join(hex))
    }

    /// The bytes cached for `d`, verified against it.
    pub(super) fn get(&self, d: &Digest) -> Option<Vec<u8>> {
        let path = self.path(d)?;
        let bytes = std::fs::read(&path).ok()?;
        if &Digest::sha256(&bytes) == d {
            return Some(bytes);
        }
        let _ = std::fs::remove_file(&path);
        None
    }

    /// Keep `bytes` under `d` (which must be their digest), atomically.
    pub(super) fn put(&self, d: &Digest, bytes: &[u8]) {
        if &Digest::sha256(bytes) != d {
            return;
        }
        let Some(path) = self.path(d) else { return };
        if path.exists() {
            return;
        }
        // Never an error: without the entry, the manifest is fetched again.
        let _ = crate::files::write_atomic(&path, bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_verified_on_read_and_written_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = ManifestCache::new(dir.path());
        let bytes = br#"{"schemaVersion":2}"#.to_vec();
        let d = Digest::sha256(&bytes);
        assert_eq!(c.get(&d), None);
        // Bytes that are not the digest's are never stored.
        c.put(&d, b"something else");
        assert_eq!(c.get(&d), None);
        c.put(&d, &bytes);
        assert_eq!(c.get(&d), Some(bytes.clone()));
        let file = dir.path().join("sha256").join(d.hex());
        assert!(file.is_file());
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(file.parent().expect("dir"))
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // A damaged entry is a miss, and is removed.
        std::fs::write(&file, b"{\"schemaVersion\":3}").expect("damage");
        assert_eq!(c.get(&d), None);
        assert!(!file.exists());
        c.put(&d, &bytes);
        assert_eq!(c.get(&d), Some(bytes));
    }
}
