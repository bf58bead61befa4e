//! Where manifest-tui keeps its own files (the XDG base directories) and how every file is
//! written (atomically). The one home of both rules: the store, the manifest cache, the key
//! table's file and the TUI's history files use them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The directory below which manifest-tui keeps its files.
const APP: &str = "manifest-tui";

/// One of the XDG base directories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Xdg {
    /// `$XDG_CONFIG_HOME`, else `~/.config`: settings the user writes (the key table).
    Config,
    /// `$XDG_STATE_HOME`, else `~/.local/state`: what the app remembers (recent registries).
    State,
    /// `$XDG_CACHE_HOME`, else `~/.cache`: what can be fetched again (manifests).
    Cache,
}

impl Xdg {
    fn var(self) -> &'static str {
        match self {
            Xdg::Config => "XDG_CONFIG_HOME",
            Xdg::State => "XDG_STATE_HOME",
            Xdg::Cache => "XDG_CACHE_HOME",
        }
    }

    /// The fallback below `$HOME`.
    fn under_home(self) -> &'static str {
        match self {
            Xdg::Config => ".config",
            Xdg::State => ".local/state",
            Xdg::Cache => ".cache",
        }
    }
}

/// manifest-tui's directory of `kind`: `$XDG_…_HOME/manifest-tui`, else
/// `~/<fallback>/manifest-tui`; `None` when neither variable is set (an empty one counts as
/// unset).
pub fn app_dir(kind: Xdg) -> Option<PathBuf> {
    app_dir_in(kind, |v| std::env::var_os(v))
}

/// [`app_dir`] with the environment read through `env`.
fn app_dir_in(kind: Xdg, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let set = |v: &str| env(v).filter(|x| !x.is_empty());
    let base = match set(kind.var()) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(set("HOME")?).join(kind.under_home()),
    };
    Some(base.join(APP))
}

/// Write `bytes` to `path` so that a reader sees the old file or the new one, never part of
/// one, and two writers never share a temporary file: a temporary file with a unique name
/// beside `path`, flushed to disk, then renamed over it. The parent directory is created.
/// The file is `0644` (less the umask's bits, as `std::fs::write` leaves it).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    write_atomic_via(path, bytes, dir)
}

/// How every temporary file of [`write_atomic`] begins.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Remove the temporary files in `dir` last written more than `older_than` ago: a writer
/// killed between creating one and renaming it (`kill -9`, a full disk) leaves it behind,
/// and a live write lasts milliseconds. Best effort: what cannot be read or removed stays.
/// Returns how many were removed.
pub fn sweep_stale_temps(dir: &Path, older_than: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for f in entries.flatten() {
        if !f.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let stale = f
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > older_than);
        if stale && std::fs::remove_file(f.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// [`write_atomic`] with the temporary file in `tmp_dir` (which must exist, on the same
/// file system as `path`): for a directory whose every file is read, such as a list's
/// directory in docker's store.
pub fn write_atomic_via(path: &Path, bytes: &[u8], tmp_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(std::fs::Permissions::from_mode(0o644))
        .tempfile_in(tmp_dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

/// An advisory exclusive `flock`, held until dropped: on a file (made when `create`), or on a
/// directory (opened read-only). Every read-modify-write that other processes may race on
/// takes one: a list in docker's store, an OCI layout's `index.json`.
pub struct FileLock(std::fs::File);

impl FileLock {
    /// Block until the lock on `path` is ours.
    pub fn exclusive(path: &Path, create: bool) -> std::io::Result<FileLock> {
        use std::os::unix::io::AsRawFd;
        let file = if create {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)?
        } else {
            std::fs::File::open(path)?
        };
        // SAFETY: flock on a file descriptor we own; blocking until the lock is ours.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(FileLock(file))
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        use std::os::unix::io::AsRawFd;
        // SAFETY: unlocking the descriptor we locked.
        unsafe {
            libc::flock(self.0.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a/b/registries");
        write_atomic(&file, b"one\n").expect("write");
        write_atomic(&file, b"two\n").expect("rewrite");
        assert_eq!(std::fs::read(&file).expect("read"), b"two\n");
        let names: Vec<_> = std::fs::read_dir(file.parent().expect("dir"))
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["registries"]);
    }

    #[test]
    fn two_writers_of_one_file_never_share_a_temporary_file() {
        // The old history writer used `<file>.tmp`: two TUIs renamed each other's file away
        // and one of them failed. Each writer now has its own temporary file.
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("registries");
        std::thread::scope(|s| {
            for i in 0..8u8 {
                let file = &file;
                s.spawn(move || {
                    for _ in 0..50 {
                        write_atomic(file, &[b'a' + i; 64]).expect("every write succeeds");
                    }
                });
            }
        });
        let bytes = std::fs::read(&file).expect("read");
        assert_eq!(bytes.len(), 64);
        assert!(
            bytes.iter().all(|&b| b == bytes[0]),
            "one writer's whole file"
        );
    }

    #[test]
    fn app_dirs_follow_xdg_then_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |v: &str| {
                vars.iter()
                    .find(|(k, _)| *k == v)
                    .map(|(_, x)| std::ffi::OsString::from(x))
            }
        };
        let vars = &[
            ("HOME", "/home/u"),
            ("XDG_STATE_HOME", "/x/state"),
            ("XDG_CONFIG_HOME", ""),
        ];
        let got = [Xdg::State, Xdg::Config, Xdg::Cache].map(|k| app_dir_in(k, env(vars)));
        assert_eq!(
            got,
            [
                Some(PathBuf::from("/x/state/manifest-tui")),
                Some(PathBuf::from("/home/u/.config/manifest-tui")),
                Some(PathBuf::from("/home/u/.cache/manifest-tui")),
            ]
        );
        assert_eq!(app_dir_in(Xdg::State, env(&[("HOME", "")])), None);
        assert_eq!(
            app_dir_in(Xdg::Cache, env(&[("XDG_CACHE_HOME", "/c")])),
            Some(PathBuf::from("/c/manifest-tui"))
        );
    }
}
