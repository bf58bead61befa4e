//! The browser's levels above the content: the registries, a registry's catalog, a
//! repository's tags; what is read when, and the filters and sort over them.

use super::super::list::{natural_cmp, ItemText};
use super::super::Load;
use super::{BrowserState, PAGE_SIZE};
use crate::place::is_layout;
use crate::reference::normalize_registry;
use crate::reference::Reference;
use crate::registry::Repo;
use crate::tui::pane::Ctx;
use crate::tui::worker::{Command, RegistrySource, Reply, Slot};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Registries,
    Catalog,
    Tags,
    Content,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryChoice {
    pub(crate) host: String,
    pub(crate) source: RegistrySource,
}

impl ItemText for RegistryChoice {
    fn text(&self) -> &str {
        &self.host
    }
}

/// The order tags are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TagSort {
    /// As the registry sends them.
    #[default]
    Registry,
    /// Numbers compared as numbers, newest-looking last (`v2` before `v10`).
    Natural,
    /// Natural, reversed: `v10` first.
    NaturalDesc,
}

impl TagSort {
    pub(crate) fn next(self) -> TagSort {
        match self {
            TagSort::Registry => TagSort::Natural,
            TagSort::Natural => TagSort::NaturalDesc,
            TagSort::NaturalDesc => TagSort::Registry,
        }
    }
    pub(crate) fn label(self) -> &'static str {
        match self {
            TagSort::Registry => "as listed",
            TagSort::Natural => "version ↑",
            TagSort::NaturalDesc => "version ↓",
        }
    }
}

impl BrowserState {
    pub(super) fn add_registry(&mut self, host: &str, source: RegistrySource) {
        if !is_layout(host) {
            self.seen.insert(format!("{host}/"));
        }
        if !self.registries.items().iter().any(|c| c.host == host) {
            self.registries.extend([RegistryChoice {
                host: host.to_string(),
                source,
            }]);
        }
        self.registries.select_text(host);
    }

    /// Open a registry's catalog (read again unless it is the one already read). A layout
    /// holds one repository, with no name of its own: its tags are opened at once.
    pub(crate) fn open_registry(&mut self, host: &str, ctx: &mut Ctx) {
        if is_layout(host) {
            return self.open_layout(host, ctx);
        }
        let host = normalize_registry(host);
        if self.registry.as_deref() != Some(host.as_str()) || self.catalog_load != Load::Done {
            self.fetch_catalog(host.clone(), ctx);
        }
        ctx.tell(Command::RememberRegistry(host));
        self.level = Level::Catalog;
    }

    /// Open a layout (`oci:DIR`, `oci-archive:FILE`) as a registry of one repository: its
    /// tags (ref names). Not remembered in the history (a relative path means nothing
    /// elsewhere).
    pub(super) fn open_layout(&mut self, place: &str, ctx: &mut Ctx) {
        if self.registry.as_deref() != Some(place) {
            ctx.cancel(Slot::Catalog);
            self.catalog.clear();
            self.catalog_unavailable = None;
            self.catalog_load = Load::Idle;
            self.registry = Some(place.to_string());
            self.repo = None;
        }
        self.open_repo("", ctx);
    }

    /// True when the registry shown is a layout.
    pub(crate) fn in_layout(&self) -> bool {
        self.registry.as_deref().is_some_and(is_layout)
    }

    /// Ask for a registry's catalog; a new registry forgets the repository shown.
    pub(super) fn fetch_catalog(&mut self, host: String, ctx: &mut Ctx) {
        self.catalog.clear();
        self.catalog_unavailable = None;
        self.catalog_load = Load::Loading;
        ctx.request(
            Slot::Catalog,
            Command::Catalog {
                registry: host.clone(),
                page_size: PAGE_SIZE,
            },
        );
        self.registry = Some(host);
        self.repo = None;
        self.tags.clear();
        self.tags_load = Load::Idle;
        ctx.cancel(Slot::Tags);
    }

    /// Open a repository's tags on the current registry (read again unless they are the
    /// ones shown and did not fail).
    pub(crate) fn open_repo(&mut self, path: &str, ctx: &mut Ctx) {
        let Some(domain) = self.registry.clone() else {
            return;
        };
        self.seen.insert(super::repo_name(&domain, path));
        if self.repo.as_deref() != Some(path) || matches!(self.tags_load, Load::Failed(_)) {
            self.fetch_tags(domain, path, ctx);
        }
        self.level = Level::Tags;
    }

    pub(super) fn fetch_tags(&mut self, domain: String, path: &str, ctx: &mut Ctx) {
        self.repo = Some(path.to_string());
        self.tags.clear();
        self.tags_load = Load::Loading;
        ctx.request(
            Slot::Tags,
            Command::Tags {
                repo: Repo {
                    domain,
                    path: path.to_string(),
                },
                page_size: PAGE_SIZE,
            },
        );
    }

    /// The reference of a tag of the current repository.
    pub(crate) fn tag_reference(&self, tag: &str) -> Option<Reference> {
        self.current_repo()?.tagged(tag).ok()
    }

    /// The repository whose tags are shown (a layout's has an empty path).
    pub(crate) fn current_repo(&self) -> Option<Repo> {
        Some(Repo {
            domain: self.registry.clone()?,
            path: self.repo.clone()?,
        })
    }

    /// Tags of `repo` were added or removed: read them again when they are the ones shown.
    pub(crate) fn tags_changed(&mut self, repo: &Repo, ctx: &mut Ctx) {
        if self.registry.as_deref() == Some(repo.domain.as_str())
            && self.repo.as_deref() == Some(repo.path.as_str())
        {
            self.fetch_tags(repo.domain.clone(), &repo.path, ctx);
        }
    }

    pub(super) fn apply_sort(&mut self) {
        match self.tag_sort {
            TagSort::Registry => self.tags.sort_by(|a, b| a.cmp(b)),
            TagSort::Natural => self.tags.sort_by(|a, b| natural_cmp(a, b)),
            TagSort::NaturalDesc => self.tags.sort_by(|a, b| natural_cmp(b, a)),
        }
    }

    pub(super) fn current_filter(&self) -> &str {
        match self.level {
            Level::Registries => self.registries.filter(),
            Level::Catalog => self.catalog.filter(),
            Level::Tags => self.tags.filter(),
            Level::Content => "",
        }
    }

    pub(super) fn set_filter(&mut self, f: &str) {
        match self.level {
            Level::Registries => self.registries.set_filter(f),
            Level::Catalog => self.catalog.set_filter(f),
            Level::Tags => self.tags.set_filter(f),
            Level::Content => {}
        }
    }

    /// The references a page of the catalog (`host/repo`) or of tags (`host/repo:tag`)
    /// names, for completion elsewhere.
    pub(crate) fn references_in(&self, reply: &Reply) -> Vec<String> {
        let Some(host) = &self.registry else {
            return Vec::new();
        };
        match (reply, self.current_repo()) {
            (Reply::CatalogPage { repos, .. }, _) => {
                repos.iter().map(|r| super::repo_name(host, r)).collect()
            }
            (Reply::TagsPage { tags, .. }, Some(repo)) => tags
                .iter()
                .filter_map(|t| repo.tagged(t).ok())
                .map(|r| r.to_string())
                .collect(),
            _ => Vec::new(),
        }
    }
}
