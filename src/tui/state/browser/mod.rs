//! The registry browser: registries → repositories → tags → a tag's content.
//!
//! What is shown of a manifest is one value ([`ContentView`], `content.rs`); what opens over
//! the browser is one [`Overlay`] at a time (`overlay.rs`); [`BrowserState::focus`] is the one
//! place their order is written.

mod content;
mod levels;
mod overlay;

pub use content::ContentView;
pub use levels::{Level, RegistryChoice, TagSort};
pub use overlay::{Checklist, DeleteConfirm, Overlay, Prompt, PromptKind, SyncConfirm};

use super::list::{Cursor, FilterList};
use super::Load;
use crate::ops::Source;
use crate::reference::{normalize_registry, Reference};
use crate::registry::Repo;
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, EditorItem, Side};
use crate::tui::worker::{Command, Content, RegistrySource, Reply, Slot};

/// Catalog and tag pages are asked for this many at a time (the registry client's size).
pub use crate::registry::PAGE_SIZE;

/// Who has the keys, in order: an overlay, else the referrers panel, else the level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Overlay,
    Referrers,
    Level,
}

#[derive(Debug)]
pub struct BrowserState {
    pub(crate) level: Level,
    pub(crate) registries: FilterList<RegistryChoice>,
    pub(crate) registries_load: Load,
    pub(crate) registry: Option<String>,
    pub(crate) catalog: FilterList<String>,
    pub(crate) catalog_load: Load,
    /// Set when the registry offers no catalog (why): the user types a repository instead,
    /// or picks one of the recently opened ones `catalog` then holds.
    pub(crate) catalog_unavailable: Option<String>,
    pub(crate) repo: Option<String>,
    pub tags: FilterList<String>,
    pub(crate) tags_load: Load,
    pub(crate) tag_sort: TagSort,
    /// The manifest shown at the content level.
    pub(crate) view: Option<ContentView>,
    /// The views shown before each referrer opened from the panel, latest last: Back at
    /// the content pops one.
    pub(crate) trail: Vec<ContentView>,
    pub(crate) overlay: Option<Overlay>,
    /// Registries (`host/`) and repositories (`host/path`) seen: what the copy prompt
    /// completes from.
    pub(crate) seen: std::collections::BTreeSet<String>,
}

impl Default for BrowserState {
    fn default() -> Self {
        Self::new()
    }
}

impl BrowserState {
    pub fn new() -> Self {
        BrowserState {
            level: Level::Registries,
            registries: FilterList::new(),
            registries_load: Load::Idle,
            registry: None,
            catalog: FilterList::new(),
            catalog_load: Load::Idle,
            catalog_unavailable: None,
            repo: None,
            tags: FilterList::new(),
            tags_load: Load::Idle,
            tag_sort: TagSort::default(),
            view: None,
            trail: Vec::new(),
            overlay: None,
            seen: Default::default(),
        }
    }

    /// Start where the command line says: a registry's catalog, a repository's tags, or a
    /// tag's content; otherwise the registry picker.
    pub fn start(&mut self, registry: Option<&str>, reference: Option<&Reference>, ctx: &mut Ctx) {
        ctx.request(Slot::Registries, Command::Registries);
        self.registries_load = Load::Loading;
        if let Some(r) = reference {
            self.add_registry(&r.domain, RegistrySource::Startup);
            self.registry = Some(r.domain.clone());
            self.open_repo(&r.path, ctx);
            if r.tag.is_some() || r.digest.is_some() {
                self.open_reference(r.clone(), ctx);
            }
        } else if let Some(host) = registry {
            let host = normalize_registry(host);
            self.add_registry(&host, RegistrySource::Startup);
            self.open_registry(&host, ctx);
        }
    }

    /// The reference shown at the content level.
    pub(crate) fn shown(&self) -> Option<&Reference> {
        self.view.as_ref().map(|v| &v.shown)
    }

    /// The content shown, once it is there.
    pub(crate) fn content(&self) -> Option<&Content> {
        self.view.as_ref()?.content()
    }

    /// The referrers panel's row, while it is open.
    pub(crate) fn referrers_panel(&self) -> Option<&Cursor> {
        self.view.as_ref()?.panel.as_ref()
    }

    /// Who has the keys: the one place their order is decided.
    pub(crate) fn focus(&self) -> Focus {
        if self.overlay.is_some() {
            Focus::Overlay
        } else if self.level == Level::Content && self.referrers_panel().is_some() {
            Focus::Referrers
        } else {
            Focus::Level
        }
    }

    /// The keymap contexts for the current level and focus.
    pub(crate) fn contexts(&self) -> Vec<Context> {
        let level = || {
            let level = match self.level {
                Level::Registries => Context::Registries,
                Level::Catalog => Context::Catalog,
                Level::Tags => Context::Tags,
                Level::Content => Context::Content,
            };
            vec![level, Context::Browser, Context::List]
        };
        match self.focus() {
            Focus::Overlay => self
                .overlay
                .as_ref()
                .and_then(Overlay::contexts)
                .unwrap_or_else(level),
            Focus::Referrers => vec![Context::Referrers, Context::List],
            Focus::Level => level(),
        }
    }

    pub fn field_focused(&self) -> bool {
        matches!(self.overlay, Some(Overlay::Filter(_) | Overlay::Prompt(_)))
    }

    pub(crate) fn busy(&self) -> bool {
        let level = match self.level {
            Level::Registries => self.registries_load.busy(),
            Level::Catalog => self.catalog_load.busy(),
            Level::Tags => self.tags_load.busy(),
            Level::Content => self.view.as_ref().is_some_and(ContentView::busy),
        };
        level
            || matches!(
                self.delete(),
                Some(DeleteConfirm::Planning(_) | DeleteConfirm::Deleting(_))
            )
    }

    /// Show a tag's or digest's content (asked again unless it is the one shown, arrived).
    /// From outside the content (a tag, a typed name) it starts a new trail: Back leads to
    /// the tags again.
    pub(crate) fn open_reference(&mut self, r: Reference, ctx: &mut Ctx) {
        if self.level != Level::Content {
            self.trail.clear();
        }
        match &mut self.view {
            Some(v) if v.shown == r && v.content.is_done() => v.panel = None,
            _ => self.view = Some(ContentView::ask(r, ctx)),
        }
        self.level = Level::Content;
        // Back at a list whose details were cancelled on the way out: ask again.
        if let Some(v) = &mut self.view {
            v.fetch_details(ctx);
        }
    }

    /// The manifest shown, asked again ([`ContentView::reload`]).
    fn reload_content(&mut self, ctx: &mut Ctx) {
        self.view = self.view.take().map(|v| v.reload(ctx));
    }

    fn reload(&mut self, ctx: &mut Ctx) {
        match self.level {
            Level::Registries => {
                self.registries_load = Load::Loading;
                ctx.request(Slot::Registries, Command::Registries);
            }
            Level::Catalog => {
                if let Some(h) = self.registry.clone() {
                    self.fetch_catalog(h, ctx);
                }
            }
            Level::Tags => {
                if let (Some(d), Some(r)) = (self.registry.clone(), self.repo.clone()) {
                    self.fetch_tags(d, &r, ctx);
                }
            }
            Level::Content => self.reload_content(ctx),
        }
    }

    fn move_by(&mut self, delta: isize) {
        match self.level {
            Level::Registries => self.registries.move_by(delta),
            Level::Catalog => self.catalog.move_by(delta),
            Level::Tags => self.tags.move_by(delta),
            Level::Content => {
                if let Some(v) = &mut self.view {
                    let n = v.rows();
                    v.sel.move_by(delta, n);
                }
            }
        }
    }

    /// Handle a bound action; false when not handled here.
    pub fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        match self.focus() {
            Focus::Overlay => self.overlay_action(action, ctx),
            Focus::Referrers => self.referrers_action(action, ctx),
            Focus::Level => self.level_action(action, ctx),
        }
    }

    /// Keys of the level shown, nothing open over it.
    fn level_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        if let Some(delta) = Cursor::step(action) {
            self.move_by(delta);
            return true;
        }
        match action {
            Action::Filter if self.level != Level::Content => self.open_filter(),
            Action::Refresh => self.reload(ctx),
            Action::Back => self.back(ctx),
            Action::Open => self.open(ctx),
            Action::OpenByName => match self.level {
                Level::Registries => self.open_prompt(PromptKind::Registry, None, ctx),
                Level::Catalog => self.open_prompt(PromptKind::Repository, None, ctx),
                _ => return false,
            },
            Action::Sort if self.level == Level::Tags => {
                self.tag_sort = self.tag_sort.next();
                self.apply_sort();
            }
            Action::MarkA | Action::MarkB => {
                let side = if action == Action::MarkA {
                    Side::A
                } else {
                    Side::B
                };
                match self.subject() {
                    Some(r) => ctx.emit(AppEvent::SetCompareSide(side, Source::Remote(r))),
                    None => return false,
                }
            }
            Action::SendToEditor => match self.editor_item() {
                Some(item) => ctx.emit(AppEvent::SendToEditor(Box::new(item))),
                None => return false,
            },
            Action::CopyDigest => match self.copy_text() {
                Some(t) => ctx.emit(AppEvent::Copy(t)),
                None => return false,
            },
            Action::CopyImage | Action::Retag => {
                let Some(src) = self.subject() else {
                    return false;
                };
                // The copy checklist needs the list's platforms: show the source while the
                // destination is typed.
                if action == Action::CopyImage && self.level == Level::Tags {
                    self.open_reference(src.clone(), ctx);
                }
                let kind = if action == Action::CopyImage {
                    PromptKind::CopyTo
                } else {
                    PromptKind::Retag
                };
                self.open_prompt(kind, Some(src), ctx);
            }
            Action::Referrers if self.level == Level::Content => match &mut self.view {
                Some(v) => v.panel = Some(Cursor::default()),
                None => return false,
            },
            Action::Sync => {
                let Some(source) = self.sync_source() else {
                    return false;
                };
                self.open_sync_prompt(source, ctx);
            }
            Action::Delete => {
                let Some(r) = self.subject() else {
                    return false;
                };
                ctx.request(
                    Slot::Delete,
                    Command::DeletePlan {
                        reference: r.clone(),
                    },
                );
                self.overlay = Some(Overlay::Delete(DeleteConfirm::Planning(r)));
            }
            _ => return false,
        }
        true
    }

    /// What copy, retag and delete work on: the selected tag, or the manifest shown.
    pub(crate) fn subject(&self) -> Option<Reference> {
        match self.level {
            Level::Tags => self.tag_reference(self.tags.selected_item()?),
            Level::Content => self.shown().cloned(),
            _ => None,
        }
    }

    /// What the sync key mirrors: the selected repository (every tag), or the tag (the
    /// manifest) copy would copy.
    pub(crate) fn sync_source(&self) -> Option<crate::ops::SyncSource> {
        use crate::ops::SyncSource;
        match self.level {
            Level::Catalog => {
                let repo = Repo {
                    domain: self.registry.clone()?,
                    path: self.catalog.selected_item()?.clone(),
                };
                Some(SyncSource::Repository(repo.reference()))
            }
            Level::Tags | Level::Content => self.subject().map(SyncSource::Image),
            Level::Registries => None,
        }
    }

    /// Remember a reference's registry and repository for completion.
    fn remember_seen(&mut self, r: &Reference) {
        if !r.is_layout() {
            self.seen.insert(format!("{}/", r.domain));
        }
        self.seen.insert(Repo::of(r).to_string());
    }

    fn open(&mut self, ctx: &mut Ctx) {
        match self.level {
            Level::Registries => {
                if let Some(c) = self.registries.selected_item() {
                    let host = c.host.clone();
                    self.open_registry(&host, ctx);
                }
            }
            Level::Catalog => {
                if let Some(r) = self.catalog.selected_item() {
                    let r = r.clone();
                    self.open_repo(&r, ctx);
                } else if self.catalog_unavailable.is_some() {
                    self.open_prompt(PromptKind::Repository, None, ctx);
                }
            }
            Level::Tags => {
                if let Some(r) = self
                    .tags
                    .selected_item()
                    .and_then(|t| self.tag_reference(t))
                {
                    self.open_reference(r, ctx);
                }
            }
            Level::Content => {
                // Open a list's entry as an image, with the statements of its attestations.
                let Some((r, list, atts)) = self.view.as_ref().and_then(|v| v.entry_to_open())
                else {
                    return;
                };
                self.open_reference(r, ctx);
                if let (false, Some(v)) = (atts.is_empty(), &mut self.view) {
                    v.request_statements(list, atts, ctx);
                }
            }
        }
    }

    fn back(&mut self, ctx: &mut Ctx) {
        if !self.current_filter().is_empty() {
            self.set_filter("");
            return;
        }
        match self.level {
            Level::Registries => {}
            Level::Catalog => {
                ctx.cancel(Slot::Catalog);
                if self.catalog_load.busy() {
                    self.catalog_load = Load::Failed("cancelled".to_string());
                }
                self.level = Level::Registries;
            }
            Level::Tags => {
                ctx.cancel(Slot::Tags);
                if self.tags_load.busy() {
                    self.tags_load = Load::Failed("cancelled".to_string());
                }
                // A layout's one repository is its catalog: back to the places.
                if self.in_layout() {
                    self.level = Level::Registries;
                    return;
                }
                if self.catalog_load == Load::Idle {
                    if let Some(h) = self.registry.clone() {
                        self.open_registry(&h, ctx);
                    }
                }
                self.level = Level::Catalog;
            }
            Level::Content => {
                ctx.cancel(Slot::Content);
                ctx.cancel(Slot::Details);
                if let Some(v) = &mut self.view {
                    v.content.cancelled();
                    v.details.cancelled();
                }
                // A referrer opened from the panel: back to what it refers to, as it was.
                if let Some(mut v) = self.trail.pop() {
                    v.resume(ctx);
                    self.view = Some(v);
                    return;
                }
                // From an entry opened inside a list, go back to the tags anyway: simple.
                self.level = Level::Tags;
            }
        }
    }

    /// What the send-to-editor key sends: a tag, the image shown, or a list's entry.
    pub(crate) fn editor_item(&self) -> Option<EditorItem> {
        match self.level {
            Level::Tags => Some(EditorItem {
                reference: self.tag_reference(self.tags.selected_item()?)?,
                descriptor: None,
            }),
            Level::Content => self.view.as_ref()?.editor_item(),
            _ => None,
        }
    }

    /// What the copy key copies: a tag's reference, or the selected digest.
    pub(crate) fn copy_text(&self) -> Option<String> {
        match self.level {
            Level::Tags => Some(self.tag_reference(self.tags.selected_item()?)?.to_string()),
            Level::Content => self.view.as_ref()?.selected_digest(),
            _ => None,
        }
    }

    /// A current reply for one of the browser's slots.
    pub fn reply(&mut self, slot: Slot, reply: Reply, ctx: &Ctx) {
        match (slot, reply) {
            (Slot::Registries, Reply::Registries(list)) => {
                for (h, src) in list {
                    self.seen.insert(format!("{h}/"));
                    if !self.registries.items().iter().any(|c| c.host == h) {
                        self.registries.extend([RegistryChoice {
                            host: h,
                            source: src,
                        }]);
                    }
                }
                self.registries_load = Load::Done;
            }
            (Slot::Registries, Reply::Failed(m)) => self.registries_load = Load::Failed(m),
            (Slot::Catalog, Reply::CatalogPage { repos, done }) => {
                if let Some(h) = &self.registry {
                    self.seen.extend(repos.iter().map(|r| repo_name(h, r)));
                }
                self.catalog.extend(repos);
                self.catalog_load = if done { Load::Done } else { Load::Partial };
            }
            (Slot::Catalog, Reply::CatalogUnavailable { reason, recent }) => {
                self.catalog_unavailable = Some(reason);
                self.catalog_load = Load::Done;
                // The recently opened repositories stand in for the catalog; with none,
                // the prompt opens at once.
                let none = recent.is_empty();
                if let Some(h) = &self.registry {
                    self.seen.extend(recent.iter().map(|r| repo_name(h, r)));
                }
                self.catalog.extend(recent);
                if none && self.level == Level::Catalog && self.overlay.is_none() {
                    self.open_prompt(PromptKind::Repository, None, ctx);
                }
            }
            (Slot::Catalog, Reply::Failed(m)) => self.catalog_load = Load::Failed(m),
            (Slot::Tags, Reply::TagsPage { tags, done }) => {
                self.tags.extend(tags);
                if self.tag_sort != TagSort::Registry {
                    self.apply_sort();
                }
                self.tags_load = if done { Load::Done } else { Load::Partial };
            }
            (Slot::Tags, Reply::Failed(m)) => self.tags_load = Load::Failed(m),
            (slot, reply) => {
                if let Some(v) = &mut self.view {
                    v.reply(slot, reply);
                }
            }
        }
    }
}

/// `host/path`, for completion (a layout's one repository: the place alone).
fn repo_name(host: &str, path: &str) -> String {
    Repo {
        domain: host.to_string(),
        path: path.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests;
