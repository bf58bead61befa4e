//! The registry side of the worker: the registries to offer (config.json and the history
//! file), and the catalog and tag listings streamed page by page.

use super::{Out, RegistrySource, Reply, Shared};
use crate::reference::normalize_registry;
use crate::registry::{Client, Repo};
use std::path::{Path, PathBuf};

/// manifest-tui's state directory: `$XDG_STATE_HOME/manifest-tui` or
/// `~/.local/state/manifest-tui`.
fn state_dir() -> Option<PathBuf> {
    crate::files::app_dir(crate::files::Xdg::State)
}

/// The default history file: `registries` in the state directory.
pub(crate) fn default_history_file() -> Option<PathBuf> {
    state_dir().map(|d| d.join("registries"))
}

/// The default file of recently opened repositories: `recent.json` in the state directory.
pub(crate) fn default_recent_file() -> Option<PathBuf> {
    state_dir().map(|d| d.join("recent.json"))
}

/// Repositories kept per registry in the recent file.
pub(crate) const RECENT_PER_REGISTRY: usize = 20;

/// The recent file's content: registry → repositories, most recent first. A missing,
/// unreadable or malformed file reads as empty (it only ever offers shortcuts).
fn read_recent(file: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    std::fs::read(file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The repositories recently opened on `registry`, most recent first.
pub(crate) fn recent_repositories(file: &Path, registry: &str) -> Vec<String> {
    read_recent(file)
        .remove(&normalize_registry(registry))
        .unwrap_or_default()
}

/// Put `repo` first among `registry`'s recent repositories (at most
/// [`RECENT_PER_REGISTRY`]), written atomically (a temporary file, then a rename).
pub(crate) fn remember_repository(file: &Path, registry: &str, repo: &str) -> std::io::Result<()> {
    let mut all = read_recent(file);
    let list = all.entry(normalize_registry(registry)).or_default();
    list.retain(|r| r != repo);
    list.insert(0, repo.to_string());
    list.truncate(RECENT_PER_REGISTRY);
    crate::files::write_atomic(file, &serde_json::to_vec_pretty(&all)?)
}

/// The registries to offer, read off the async threads.
pub(super) async fn offered(shared: &Shared) -> Vec<(String, RegistrySource)> {
    let dc = shared.docker_config.clone();
    let hf = shared.history_file.clone();
    tokio::task::spawn_blocking(move || known_registries(&dc, hf.as_deref()))
        .await
        .unwrap_or_default()
}

/// The catalog page by page; a registry that refuses to list is told apart from a failure.
pub(super) async fn stream_catalog(
    client: &Client,
    registry: &str,
    page_size: usize,
    recent_file: Option<&Path>,
    out: &Out,
) {
    let mut pager = crate::registry::Pager::default();
    loop {
        match client.catalog_page(registry, page_size, pager.next()).await {
            Ok((repos, next)) => {
                let empty = repos.is_empty();
                let more = pager.advance(next) && !empty;
                out.page(Reply::CatalogPage { repos, done: !more }, more);
                if !more {
                    break;
                }
            }
            Err(e) if pager.next().is_none() && e.refuses_catalog() => {
                let recent = match recent_file.map(Path::to_path_buf) {
                    Some(f) => {
                        let r = registry.to_string();
                        tokio::task::spawn_blocking(move || recent_repositories(&f, &r))
                            .await
                            .unwrap_or_default()
                    }
                    None => Vec::new(),
                };
                out.end(Reply::CatalogUnavailable {
                    reason: format!("{registry} does not list its repositories ({e})."),
                    recent,
                });
                break;
            }
            Err(e) => {
                out.end(Reply::Failed(format!(
                    "listing the repositories of {registry} failed: {e}"
                )));
                break;
            }
        }
    }
}

/// The tags of `repo` page by page. Once its first page is listed, the repository is put
/// first among the registry's recent ones in `recent_file`.
pub(super) async fn stream_tags(
    client: &Client,
    repo: &Repo,
    page_size: usize,
    recent_file: Option<&Path>,
    out: &Out,
) {
    let mut pager = crate::registry::Pager::default();
    loop {
        match client.tags_page(repo, page_size, pager.next()).await {
            Ok((tags, next)) => {
                if pager.next().is_none() {
                    if let Some(f) = recent_file.map(Path::to_path_buf) {
                        let r = repo.clone();
                        // Never fatal: the recent list only offers shortcuts.
                        let _ = tokio::task::spawn_blocking(move || {
                            remember_repository(&f, &r.domain, &r.path)
                        })
                        .await;
                    }
                }
                let empty = tags.is_empty();
                let more = pager.advance(next) && !empty;
                out.page(Reply::TagsPage { tags, done: !more }, more);
                if !more {
                    break;
                }
            }
            Err(e) => {
                out.end(Reply::Failed(format!(
                    "listing the tags of {repo} failed: {e}"
                )));
                break;
            }
        }
    }
}

/// Registries from config.json's `auths` keys and the history file (history first), each once.
pub(crate) fn known_registries(
    docker_config: &std::path::Path,
    history: Option<&std::path::Path>,
) -> Vec<(String, RegistrySource)> {
    let mut out: Vec<(String, RegistrySource)> = Vec::new();
    let mut push = |h: String, src| {
        if !h.is_empty() && !out.iter().any(|(x, _)| *x == h) {
            out.push((h, src));
        }
    };
    if let Some(text) = history.and_then(|h| std::fs::read_to_string(h).ok()) {
        for line in text.lines() {
            push(normalize_registry(line), RegistrySource::History);
        }
    }
    for h in crate::registry::auth::configured_registries(docker_config) {
        push(h, RegistrySource::Config);
    }
    out
}

/// Put `host` first in the history file (at most 20 entries), written atomically (a
/// temporary file of its own: two TUIs may write at once).
pub(crate) fn remember(file: &std::path::Path, host: &str) -> std::io::Result<()> {
    let host = normalize_registry(host);
    let old = std::fs::read_to_string(file).unwrap_or_default();
    let mut lines = vec![host.clone()];
    lines.extend(
        old.lines()
            .map(normalize_registry)
            .filter(|l| !l.is_empty() && *l != host)
            .take(19),
    );
    crate::files::write_atomic(file, (lines.join("\n") + "\n").as_bytes())
}

#[cfg(test)]
mod tests {

    #[test]
    fn registries_come_from_config_and_history() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths":{"https://index.docker.io/v1/":{},"ghcr.io":{},"127.0.0.1:5000":{}}}"#,
        )
        .expect("write");
        let hist = dir.path().join("state/registries");
        super::remember(&hist, "127.0.0.1:5000").expect("remember");
        super::remember(&hist, "http://localhost:5001/").expect("remember");
        let list = super::known_registries(dir.path(), Some(&hist));
        let hosts: Vec<&str> = list.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(
            hosts,
            ["localhost:5001", "127.0.0.1:5000", "docker.io", "ghcr.io"]
        );
    }

    #[test]
    fn recent_repositories_are_kept_per_registry_bounded_and_never_fatal() {
        use super::{recent_repositories, remember_repository, RECENT_PER_REGISTRY};
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("state/manifest-tui/recent.json");
        assert!(recent_repositories(&file, "docker.io").is_empty());
        remember_repository(&file, "docker.io", "library/alpine").expect("remember");
        remember_repository(&file, "ghcr.io", "org/tool").expect("remember");
        remember_repository(&file, "https://index.docker.io/v1/", "team/app").expect("remember");
        remember_repository(&file, "docker.io", "library/alpine").expect("remember");
        assert_eq!(
            recent_repositories(&file, "docker.io"),
            ["library/alpine", "team/app"],
            "most recent first, each once, Docker Hub's names as one"
        );
        assert_eq!(recent_repositories(&file, "ghcr.io"), ["org/tool"]);
        for i in 0..(RECENT_PER_REGISTRY + 5) {
            remember_repository(&file, "docker.io", &format!("r/{i}")).expect("remember");
        }
        let kept = recent_repositories(&file, "docker.io");
        assert_eq!(kept.len(), RECENT_PER_REGISTRY);
        assert_eq!(kept[0], format!("r/{}", RECENT_PER_REGISTRY + 4));
        assert_eq!(recent_repositories(&file, "ghcr.io"), ["org/tool"]);
        // Written whole: no temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(file.parent().expect("dir"))
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["recent.json"]);
        // A damaged file reads as empty and is replaced by the next write.
        std::fs::write(&file, b"{not json").expect("damage");
        assert!(recent_repositories(&file, "docker.io").is_empty());
        remember_repository(&file, "docker.io", "library/busybox").expect("remember over it");
        assert_eq!(recent_repositories(&file, "docker.io"), ["library/busybox"]);
        // An unreadable location is an error for the write only, never a panic.
        let blocked = dir.path().join("a-file");
        std::fs::write(&blocked, b"x").expect("write");
        assert!(recent_repositories(&blocked.join("recent.json"), "docker.io").is_empty());
        assert!(remember_repository(&blocked.join("recent.json"), "docker.io", "x").is_err());
    }
}
