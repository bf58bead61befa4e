//! The registry browser: registries → repositories → tags → a tag's content.

use super::list::{natural_cmp, Cursor, FilterList, ItemText};
use super::referrers::{referrer_kind, referrer_rows, ReferrerRow, Visit};
use super::Load;
use crate::ops::{CopyJob, CopyOptions, Source};
use crate::reference::{normalize_registry, registry_host, Reference};
use crate::registry::Repo;
use crate::tui::field::{complete_last_word, TextField};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, EditorItem, Side, Transfer};
use crate::tui::worker::{Command, Content, EntryDetails, RegistrySource, Reply, Slot};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// Catalog and tag pages are asked for this many at a time (the registry client's size).
pub use crate::registry::PAGE_SIZE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Registries,
    Catalog,
    Tags,
    Content,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryChoice {
    pub host: String,
    pub source: RegistrySource,
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
    pub fn next(self) -> TagSort {
        match self {
            TagSort::Registry => TagSort::Natural,
            TagSort::Natural => TagSort::NaturalDesc,
            TagSort::NaturalDesc => TagSort::Registry,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TagSort::Registry => "as listed",
            TagSort::Natural => "version ↑",
            TagSort::NaturalDesc => "version ↓",
        }
    }
}

/// What a typed-name prompt is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Registry,
    Repository,
    /// Where to copy the source to (Tab completes from the registries and repositories seen).
    CopyTo,
    /// New tags for the source, space-separated.
    Retag,
}

#[derive(Clone, Debug)]
pub struct Prompt {
    pub kind: PromptKind,
    pub field: TextField,
    /// Why the last submission was refused.
    pub error: Option<String>,
    /// What a copy or a retag works on.
    pub source: Option<Reference>,
    /// Tab cycling: the word typed before cycling, and the position in its candidates.
    pub cycle: Option<(String, usize)>,
}

/// The platforms of the list being copied, each checked or not.
#[derive(Clone, Debug)]
pub struct Checklist {
    pub src: Reference,
    pub dst: Reference,
    /// Every image entry's platform (attestations follow the image they describe); empty
    /// for a single image.
    pub platforms: Vec<(crate::platform::Platform, bool)>,
    /// Copy what refers to it and its entries too: the row after the platforms.
    pub referrers: bool,
    /// The kinds of what the browser saw referring to the source (`signature`, …).
    pub known_referrers: Vec<String>,
    /// Over the platforms, then the referrers row.
    pub selected: Cursor,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

/// A delete on its way: the registry is asked what it removes, then the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeleteConfirm {
    /// Finding the digest and every tag pointing at it.
    Planning(Reference),
    Ask(Box<crate::ops::DeletePlan>),
    /// Deleting.
    Deleting(Box<crate::ops::DeletePlan>),
}

#[derive(Debug)]
pub struct BrowserState {
    pub level: Level,
    pub registries: FilterList<RegistryChoice>,
    pub registries_load: Load,
    pub registry: Option<String>,
    pub catalog: FilterList<String>,
    pub catalog_load: Load,
    /// Set when the registry offers no catalog (why): the user types a repository instead,
    /// or picks one of the recently opened ones `catalog` then holds.
    pub catalog_unavailable: Option<String>,
    pub repo: Option<String>,
    pub tags: FilterList<String>,
    pub tags_load: Load,
    pub tag_sort: TagSort,
    /// The reference whose content is shown.
    pub shown: Option<Reference>,
    pub content: Option<Content>,
    pub content_load: Load,
    /// Cursor in the content table (entries of a list, rows of an image).
    pub content_sel: Cursor,
    /// What is inside each entry of the list shown, one result per entry, once fetched.
    pub details: Option<Vec<EntryDetails>>,
    pub details_load: Load,
    /// The statements of the attestations of the platform shown (opened from its list).
    pub statements: Option<Vec<crate::ops::StatementLayer>>,
    pub statements_load: Load,
    /// The list and attestation entries the statements are asked for.
    pub statements_of: Option<(Reference, Vec<crate::media::Descriptor>)>,
    /// The panel of what refers to the manifest shown, while open: its row.
    pub referrers_panel: Option<Cursor>,
    /// What was shown before each referrer opened from the panel, latest last: Back at the
    /// content returns to it.
    pub trail: Vec<Visit>,
    /// The filter field while it has focus.
    pub filter_field: Option<TextField>,
    pub prompt: Option<Prompt>,
    pub checklist: Option<Checklist>,
    pub delete: Option<DeleteConfirm>,
    /// Registries (`host/`) and repositories (`host/path`) seen: what the copy prompt
    /// completes from.
    pub seen: std::collections::BTreeSet<String>,
    /// For the completion key of the copy prompt.
    pub keymap: crate::tui::keymap::Keymap,
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
            shown: None,
            content: None,
            content_load: Load::Idle,
            content_sel: Cursor::default(),
            details: None,
            details_load: Load::Idle,
            statements: None,
            statements_load: Load::Idle,
            statements_of: None,
            referrers_panel: None,
            trail: Vec::new(),
            filter_field: None,
            prompt: None,
            checklist: None,
            delete: None,
            seen: Default::default(),
            keymap: Default::default(),
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

    fn add_registry(&mut self, host: &str, source: RegistrySource) {
        self.seen.insert(format!("{host}/"));
        if !self.registries.items().iter().any(|c| c.host == host) {
            self.registries.extend([RegistryChoice {
                host: host.to_string(),
                source,
            }]);
        }
        self.registries.select_text(host);
    }

    /// The keymap contexts for the current level and focus.
    pub fn contexts(&self) -> Vec<Context> {
        if self.checklist.is_some() {
            return vec![Context::Checklist, Context::List];
        }
        if matches!(self.delete, Some(DeleteConfirm::Ask(_))) {
            return vec![Context::Confirm];
        }
        if self.referrers_panel.is_some() {
            return vec![Context::Referrers, Context::List];
        }
        let level = match self.level {
            Level::Registries => Context::Registries,
            Level::Catalog => Context::Catalog,
            Level::Tags => Context::Tags,
            Level::Content => Context::Content,
        };
        vec![level, Context::Browser, Context::List]
    }

    pub fn field_focused(&self) -> bool {
        self.filter_field.is_some() || self.prompt.is_some()
    }

    pub fn busy(&self) -> bool {
        let level = match self.level {
            Level::Registries => self.registries_load.busy(),
            Level::Catalog => self.catalog_load.busy(),
            Level::Tags => self.tags_load.busy(),
            Level::Content => {
                self.content_load.busy()
                    || self.details_load.busy()
                    || self.statements_load.busy()
                    || (self.referrers_panel.is_some() && self.referrers_pending())
            }
        };
        level
            || matches!(
                self.delete,
                Some(DeleteConfirm::Planning(_) | DeleteConfirm::Deleting(_))
            )
    }

    /// Open a registry's catalog.
    pub fn open_registry(&mut self, host: &str, ctx: &mut Ctx) {
        let host = normalize_registry(host);
        if self.registry.as_deref() != Some(host.as_str()) || self.catalog_load != Load::Done {
            self.registry = Some(host.clone());
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
            // Opening a new registry forgets the repository shown.
            self.repo = None;
            self.tags.clear();
            self.tags_load = Load::Idle;
            ctx.cancel(Slot::Tags);
        }
        ctx.tell(Command::RememberRegistry(host));
        self.level = Level::Catalog;
    }

    /// Open a repository's tags (on the current registry).
    pub fn open_repo(&mut self, path: &str, ctx: &mut Ctx) {
        let Some(domain) = self.registry.clone() else {
            return;
        };
        self.seen.insert(format!("{domain}/{path}"));
        if self.repo.as_deref() != Some(path) || matches!(self.tags_load, Load::Failed(_)) {
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
        self.level = Level::Tags;
    }

    /// The reference of a tag of the current repository.
    pub fn tag_reference(&self, tag: &str) -> Option<Reference> {
        let (reg, repo) = (self.registry.as_ref()?, self.repo.as_ref()?);
        Reference::parse(&format!("{reg}/{repo}:{tag}")).ok()
    }

    /// Tags of `repo` were added or removed: read them again when they are the ones shown.
    pub fn tags_changed(&mut self, repo: &Repo, ctx: &mut Ctx) {
        if self.registry.as_deref() == Some(repo.domain.as_str())
            && self.repo.as_deref() == Some(repo.path.as_str())
        {
            let level = self.level;
            self.tags_load = Load::Failed(String::new()); // force
            self.open_repo(&repo.path.clone(), ctx);
            self.level = level;
        }
    }

    /// Show a tag's or digest's content. From outside the content (a tag, a typed name) it
    /// starts a new trail: Back leads to the tags again.
    pub fn open_reference(&mut self, r: Reference, ctx: &mut Ctx) {
        if self.level != Level::Content {
            self.trail.clear();
        }
        self.referrers_panel = None;
        if self.shown.as_ref() != Some(&r) || !matches!(self.content_load, Load::Done) {
            self.shown = Some(r.clone());
            self.content = None;
            self.content_sel.reset();
            self.content_load = Load::Loading;
            self.details = None;
            self.details_load = Load::Idle;
            ctx.cancel(Slot::Details);
            self.statements = None;
            self.statements_load = Load::Idle;
            self.statements_of = None;
            ctx.cancel(Slot::Statements);
            ctx.request(Slot::Content, Command::Inspect { reference: r });
        }
        self.level = Level::Content;
        // Back at a list whose details were cancelled on the way out: ask again.
        self.fetch_details(ctx);
    }

    /// Once a list is on screen, ask for what is inside all of its entries in one request
    /// (the worker fetches them concurrently); keys are never blocked meanwhile.
    pub fn fetch_details(&mut self, ctx: &mut Ctx) {
        let Some(c) = &self.content else { return };
        if c.image.is_some() || self.details_load != Load::Idle || c.inspection.entries.is_empty() {
            return;
        }
        let entries = c
            .inspection
            .entries
            .iter()
            .map(|e| e.descriptor.clone())
            .collect();
        self.details_load = Load::Loading;
        ctx.request(
            Slot::Details,
            Command::Details {
                list: c.inspection.reference.clone(),
                entries,
            },
        );
    }

    /// The rows of the list shown: each entry that is not a BuildKit attestation, with the
    /// attestation entries describing it (they are not rows of their own); attestations whose
    /// image is not in the list stay rows.
    pub fn list_rows(&self) -> Vec<(usize, Vec<usize>)> {
        let Some(c) = &self.content else {
            return Vec::new();
        };
        let descriptors: Vec<_> = c
            .inspection
            .entries
            .iter()
            .map(|e| e.descriptor.clone())
            .collect();
        let g = crate::attest::group(&descriptors);
        let mut rows = g.images;
        rows.extend(g.orphans.into_iter().map(|i| (i, Vec::new())));
        rows.sort_by_key(|(i, _)| *i);
        rows
    }

    /// The entry of the list row selected.
    fn selected_entry(&self) -> Option<&crate::ops::InspectEntry> {
        let i = self.list_rows().get(self.content_sel.get())?.0;
        self.content.as_ref()?.inspection.entries.get(i)
    }

    /// The rows of the image shown, when its config file is there.
    pub fn image_rows(&self) -> Option<Vec<super::image::ImageRow>> {
        let inside = self.content.as_ref()?.inside.as_ref()?;
        Some(super::image::image_rows(
            inside,
            self.statements.as_deref(),
            &self.statements_load,
        ))
    }

    fn reload(&mut self, ctx: &mut Ctx) {
        match self.level {
            Level::Registries => {
                self.registries_load = Load::Loading;
                ctx.request(Slot::Registries, Command::Registries);
            }
            Level::Catalog => {
                if let Some(h) = self.registry.clone() {
                    self.catalog_load = Load::Failed(String::new()); // force
                    self.open_registry(&h, ctx);
                }
            }
            Level::Tags => {
                if let Some(r) = self.repo.clone() {
                    self.tags_load = Load::Failed(String::new());
                    self.open_repo(&r, ctx);
                }
            }
            Level::Content => {
                if let Some(r) = self.shown.clone() {
                    self.content_load = Load::Idle;
                    self.open_reference(r, ctx);
                }
            }
        }
    }

    fn current_filter(&self) -> &str {
        match self.level {
            Level::Registries => self.registries.filter(),
            Level::Catalog => self.catalog.filter(),
            Level::Tags => self.tags.filter(),
            Level::Content => "",
        }
    }

    fn set_filter(&mut self, f: &str) {
        match self.level {
            Level::Registries => self.registries.set_filter(f),
            Level::Catalog => self.catalog.set_filter(f),
            Level::Tags => self.tags.set_filter(f),
            Level::Content => {}
        }
    }

    /// Number of rows in the content table.
    pub fn content_rows(&self) -> usize {
        if let Some(rows) = self.image_rows() {
            return rows.len();
        }
        match &self.content {
            Some(c) => match &c.image {
                Some(img) => img.manifest.layers.len(),
                None => self.list_rows().len(),
            },
            None => 0,
        }
    }

    fn move_by(&mut self, delta: isize) {
        match self.level {
            Level::Registries => self.registries.move_by(delta),
            Level::Catalog => self.catalog.move_by(delta),
            Level::Tags => self.tags.move_by(delta),
            Level::Content => {
                let n = self.content_rows();
                self.content_sel.move_by(delta, n);
            }
        }
    }

    /// Handle a bound action; false when not handled here.
    pub fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        if self.checklist.is_some() {
            return self.checklist_action(action, ctx);
        }
        if self.referrers_panel.is_some() {
            return self.referrers_action(action, ctx);
        }
        if let Some(DeleteConfirm::Ask(plan)) = &self.delete {
            match action {
                Action::Submit => {
                    let plan = plan.clone();
                    ctx.request(
                        Slot::Delete,
                        Command::Delete {
                            plan: (*plan).clone(),
                        },
                    );
                    self.delete = Some(DeleteConfirm::Deleting(plan));
                }
                Action::Cancel => self.delete = None,
                _ => return false,
            }
            return true;
        }
        if let Some(p) = &mut self.prompt {
            match action {
                Action::Submit => {
                    let value = p.field.value().trim().to_string();
                    let kind = p.kind;
                    self.submit_prompt(kind, &value, ctx);
                }
                Action::Cancel => self.prompt = None,
                _ => return false,
            }
            return true;
        }
        if self.filter_field.is_some() {
            match action {
                Action::Submit => self.filter_field = None,
                Action::Cancel => {
                    self.filter_field = None;
                    self.set_filter("");
                }
                _ => return false,
            }
            return true;
        }
        if let Some(delta) = Cursor::step(action) {
            self.move_by(delta);
            return true;
        }
        match action {
            Action::Filter if self.level != Level::Content => {
                self.filter_field = Some(TextField::new(
                    "filter",
                    self.current_filter(),
                    "type to filter",
                ));
            }
            Action::Refresh => self.reload(ctx),
            Action::Back => self.back(ctx),
            Action::Open => self.open(ctx),
            Action::OpenByName => match self.level {
                Level::Registries => self.prompt(PromptKind::Registry),
                Level::Catalog => self.prompt(PromptKind::Repository),
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
                let r = match self.level {
                    Level::Tags => self
                        .tags
                        .selected_item()
                        .and_then(|t| self.tag_reference(t)),
                    Level::Content => self.shown.clone(),
                    _ => None,
                };
                match r {
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
                self.prompt(kind);
                if let Some(p) = &mut self.prompt {
                    p.source = Some(src);
                }
            }
            Action::Referrers if self.level == Level::Content => {
                self.referrers_panel = Some(Cursor::default());
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
                self.delete = Some(DeleteConfirm::Planning(r));
            }
            _ => return false,
        }
        true
    }

    /// The referrers of the manifest shown, once they are there.
    pub fn referrers_shown(&self) -> Vec<ReferrerRow> {
        match self.content.as_ref().and_then(|c| c.referrers.as_ref()) {
            Some(Ok(r)) => referrer_rows(r),
            _ => Vec::new(),
        }
    }

    /// True while the manifest shown, or what refers to it, is still on its way.
    pub fn referrers_pending(&self) -> bool {
        self.content_load.busy() || self.content.as_ref().is_some_and(|c| c.referrers.is_none())
    }

    /// Keys of the referrers panel.
    fn referrers_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        let rows = self.referrers_shown();
        let Some(sel) = &mut self.referrers_panel else {
            return false;
        };
        if sel.apply(action, rows.len()) {
            return true;
        }
        let row = rows.get(sel.get());
        match action {
            Action::Close => self.referrers_panel = None,
            Action::Open => {
                if let Some(d) = row.map(|r| r.digest.clone()) {
                    self.open_referrer(&d, ctx);
                }
            }
            Action::CopyDigest => match row {
                Some(r) => ctx.emit(AppEvent::Copy(r.digest.to_string())),
                None => return false,
            },
            Action::Refresh => {
                let sel = sel.clone();
                self.reload(ctx);
                self.referrers_panel = Some(sel);
            }
            _ => return false,
        }
        true
    }

    /// Open a referrer of the manifest shown (a manifest of the same repository) as the
    /// content; what was shown goes on the trail for Back.
    fn open_referrer(&mut self, digest: &crate::digest::Digest, ctx: &mut Ctx) {
        let Some(r) = self.shown.as_ref().map(|s| s.at_digest(digest)) else {
            return;
        };
        let visit = Visit {
            shown: self.shown.clone(),
            content: self.content.take(),
            content_load: self.content_load.clone(),
            content_sel: self.content_sel.clone(),
            details: self.details.take(),
            details_load: self.details_load.clone(),
            statements: self.statements.take(),
            statements_load: self.statements_load.clone(),
            statements_of: self.statements_of.take(),
            panel: self.referrers_panel.take().unwrap_or_default(),
        };
        self.open_reference(r, ctx);
        self.trail.push(visit);
    }

    /// Back from a referrer: what was shown before, as it was, the panel open on its row.
    /// What had not arrived yet is asked for again.
    fn restore(&mut self, v: Visit, ctx: &mut Ctx) {
        ctx.cancel(Slot::Statements);
        self.shown = v.shown;
        self.content = v.content;
        self.content_load = v.content_load;
        self.content_sel = v.content_sel;
        self.details = v.details;
        self.details_load = if v.details_load.busy() {
            Load::Idle
        } else {
            v.details_load
        };
        self.statements = v.statements;
        self.statements_load = v.statements_load;
        self.statements_of = v.statements_of;
        if self.statements_load.busy() {
            if let Some((list, atts)) = self.statements_of.clone() {
                self.request_statements(list, atts, ctx);
            }
        }
        self.referrers_panel = Some(v.panel);
        self.level = Level::Content;
        self.fetch_details(ctx);
    }

    /// Ask for the statements of a platform's attestation entries, in one request.
    fn request_statements(
        &mut self,
        list: Reference,
        attestations: Vec<crate::media::Descriptor>,
        ctx: &mut Ctx,
    ) {
        self.statements_load = Load::Loading;
        self.statements_of = Some((list.clone(), attestations.clone()));
        ctx.request(Slot::Statements, Command::Statements { list, attestations });
    }

    /// What copy, retag and delete work on: the selected tag, or the manifest shown.
    pub fn subject(&self) -> Option<Reference> {
        match self.level {
            Level::Tags => self.tag_reference(self.tags.selected_item()?),
            Level::Content => self.shown.clone(),
            _ => None,
        }
    }

    /// Keys of the platform checklist.
    fn checklist_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        let Some(c) = &mut self.checklist else {
            return false;
        };
        if let Some(delta) = Cursor::step(action) {
            c.selected.move_by(delta, c.platforms.len() + 1);
            return true;
        }
        match action {
            Action::Toggle => {
                match c.platforms.get_mut(c.selected.get()) {
                    Some(p) => p.1 = !p.1,
                    None => c.referrers = !c.referrers,
                }
                c.error = None;
            }
            Action::Cancel => self.checklist = None,
            Action::Submit => {
                let chosen: Vec<_> = c
                    .platforms
                    .iter()
                    .filter(|p| p.1)
                    .map(|p| p.0.clone())
                    .collect();
                if chosen.is_empty() && !c.platforms.is_empty() {
                    c.error = Some(format!(
                        "check at least one platform ({}), or {} to cancel",
                        ctx.key(Context::Checklist, Action::Toggle),
                        ctx.key(Context::Checklist, Action::Cancel)
                    ));
                    return true;
                }
                // Every platform checked: the exact copy, same bytes, same digest.
                let platforms = if chosen.len() == c.platforms.len() {
                    Vec::new()
                } else {
                    chosen
                };
                let job = CopyJob {
                    src: c.src.clone(),
                    dst: c.dst.clone(),
                    options: CopyOptions {
                        platforms,
                        referrers: c.referrers,
                    },
                };
                self.checklist = None;
                ctx.emit(AppEvent::StartTransfer(Box::new(Transfer::Copy(job))));
            }
            _ => return false,
        }
        true
    }

    fn prompt(&mut self, kind: PromptKind) {
        let (label, ph) = match kind {
            PromptKind::Registry => ("registry", "host[:port], e.g. 127.0.0.1:5000".into()),
            PromptKind::Repository => ("repository", "path, e.g. library/alpine".into()),
            PromptKind::CopyTo => (
                "copy to",
                format!(
                    "registry/repository[:tag] ({} completes; the tag defaults to the source's)",
                    self.keymap.key(Context::Form, Action::Complete)
                ),
            ),
            PromptKind::Retag => ("new tags", "one or more tags, space-separated".into()),
        };
        self.prompt = Some(Prompt {
            kind,
            field: TextField::new(label, "", &ph),
            error: None,
            source: None,
            cycle: None,
        });
    }

    fn submit_prompt(&mut self, kind: PromptKind, value: &str, ctx: &mut Ctx) {
        let refuse = |s: &mut Self, msg: String| {
            if let Some(p) = &mut s.prompt {
                p.error = Some(msg);
            }
        };
        if value.is_empty() {
            let cancel = ctx.key(Context::Field, Action::Cancel);
            return refuse(self, format!("type a name, or {cancel} to cancel"));
        }
        match kind {
            PromptKind::CopyTo => self.submit_copy(value, ctx),
            PromptKind::Retag => {
                let Some(src) = self.prompt.as_ref().and_then(|p| p.source.clone()) else {
                    self.prompt = None;
                    return;
                };
                let tags: Vec<String> = value.split_whitespace().map(str::to_string).collect();
                if let Some(e) = tags.iter().find_map(|t| src.with_tag(t).err()) {
                    return refuse(self, e.to_string());
                }
                self.prompt = None;
                ctx.info(format!("tagging {src} as {}…", tags.join(", ")));
                ctx.request(Slot::Retag, Command::Retag { src, tags });
            }
            PromptKind::Registry => {
                let host = match registry_host(value) {
                    Ok(h) => h,
                    Err(m) => return refuse(self, m),
                };
                self.prompt = None;
                self.add_registry(&host, RegistrySource::Typed);
                self.open_registry(&host, ctx);
            }
            PromptKind::Repository => {
                let Some(reg) = self.registry.clone() else {
                    self.prompt = None;
                    return;
                };
                match Reference::parse(&format!("{reg}/{value}")) {
                    Ok(r) if r.domain == reg => {
                        self.prompt = None;
                        let (tag, digest) = (r.tag.clone(), r.digest.clone());
                        self.open_repo(&r.path, ctx);
                        if tag.is_some() || digest.is_some() {
                            self.open_reference(r, ctx);
                        }
                    }
                    Ok(_) => refuse(
                        self,
                        format!("{value:?} names another registry; type only the repository path"),
                    ),
                    Err(e) => refuse(self, e.to_string()),
                }
            }
        }
    }

    /// The copy prompt's Enter: the destination checked, then the checklist of the list's
    /// platforms (or, for a single image, the copy at once).
    fn submit_copy(&mut self, value: &str, ctx: &mut Ctx) {
        let Some(src) = self.prompt.as_ref().and_then(|p| p.source.clone()) else {
            self.prompt = None;
            return;
        };
        let refuse = |s: &mut Self, msg: String| {
            if let Some(p) = &mut s.prompt {
                p.error = Some(msg);
            }
        };
        let dst = match Reference::parse(value) {
            Ok(d) => d,
            Err(e) => return refuse(self, e.to_string()),
        };
        if let Err(e) = crate::ops::copy_target(&src, &dst) {
            return refuse(self, e.to_string());
        }
        let content = self
            .content
            .as_ref()
            .filter(|_| self.shown.as_ref() == Some(&src) && self.content_load == Load::Done);
        let Some(c) = content else {
            let why = match &self.content_load {
                Load::Failed(m) => format!("reading {src} failed: {m}"),
                _ => format!(
                    "still reading {src}: press {} again in a moment",
                    ctx.key(Context::Field, Action::Submit)
                ),
            };
            return refuse(self, why);
        };
        let list = c.inspection.is_list();
        let platforms: Vec<_> = c
            .inspection
            .entries
            .iter()
            .filter(|_| list)
            .filter(|e| !crate::media::is_attestation(&e.descriptor))
            .filter_map(|e| e.descriptor.platform.clone())
            .map(|p| (p, true))
            .collect();
        let known_referrers: Vec<String> = match &c.referrers {
            Some(Ok(r)) => r.descriptors.iter().map(referrer_kind).collect(),
            _ => Vec::new(),
        };
        self.prompt = None;
        self.remember_seen(&dst);
        // Something to choose: platforms of a list, or whether to bring what refers to it.
        if platforms.len() > 1 || !known_referrers.is_empty() {
            self.checklist = Some(Checklist {
                src,
                dst,
                platforms,
                referrers: !known_referrers.is_empty(),
                known_referrers,
                selected: Cursor::default(),
                error: None,
            });
        } else {
            let job = CopyJob {
                src,
                dst,
                options: CopyOptions::default(),
            };
            ctx.emit(AppEvent::StartTransfer(Box::new(Transfer::Copy(job))));
        }
    }

    /// Remember a reference's registry and repository for completion.
    fn remember_seen(&mut self, r: &Reference) {
        self.seen.insert(format!("{}/", r.domain));
        self.seen.insert(format!("{}/{}", r.domain, r.path));
    }

    /// A reply for a retag or a delete.
    pub fn change_reply(&mut self, slot: Slot, reply: Reply, ctx: &mut Ctx) {
        match (slot, reply) {
            (Slot::Retag, Reply::Retagged(r)) => {
                let tags: Vec<String> = r.tagged.iter().map(|t| t.to_string()).collect();
                ctx.info(format!(
                    "tagged {} as {}",
                    r.digest.short(),
                    tags.join(", ")
                ));
                ctx.emit(AppEvent::TagsChanged(Repo::of(&r.source)));
            }
            (Slot::Delete, Reply::DeletePlan(plan)) => {
                self.delete = Some(DeleteConfirm::Ask(plan));
            }
            (Slot::Delete, Reply::Deleted(plan)) => {
                self.delete = None;
                let gone = if plan.tags.is_empty() {
                    String::new()
                } else {
                    format!(" and its tags {}", plan.tags.join(", "))
                };
                ctx.info(format!("deleted {}{gone}", plan.target));
                if self.level == Level::Content
                    && self.shown.as_ref().is_some_and(|s| {
                        s.digest.as_ref() == Some(&plan.digest)
                            || s.tag.as_ref().is_some_and(|t| plan.tags.contains(t))
                    })
                {
                    self.level = Level::Tags;
                }
                ctx.emit(AppEvent::TagsChanged(Repo::of(&plan.target)));
            }
            (Slot::Retag | Slot::Delete, Reply::Failed(m)) => {
                self.delete = None;
                ctx.error(m);
            }
            _ => {}
        }
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
                    self.prompt(PromptKind::Repository);
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
                // Open a list's entry as an image.
                if let (Some(c), Some(shown)) = (&self.content, &self.shown) {
                    if c.image.is_none() {
                        if let Some(e) = self.selected_entry() {
                            let r = shown.at_digest(&e.descriptor.digest);
                            let list = c.inspection.reference.clone();
                            let atts: Vec<_> = self
                                .list_rows()
                                .get(self.content_sel.get())
                                .map(|(_, a)| {
                                    a.iter()
                                        .map(|&j| c.inspection.entries[j].descriptor.clone())
                                        .collect()
                                })
                                .unwrap_or_default();
                            self.open_reference(r, ctx);
                            // The platform's attestations: their statements, in one request.
                            if !atts.is_empty() {
                                self.request_statements(list, atts, ctx);
                            }
                        }
                    }
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
                if self.catalog_load == Load::Idle {
                    if let Some(h) = self.registry.clone() {
                        self.open_registry(&h, ctx);
                    }
                }
                self.level = Level::Catalog;
            }
            Level::Content => {
                ctx.cancel(Slot::Content);
                if self.content_load.busy() {
                    self.content_load = Load::Idle;
                }
                ctx.cancel(Slot::Details);
                if self.details_load.busy() {
                    self.details_load = Load::Idle;
                }
                // A referrer opened from the panel: back to what it refers to.
                if let Some(v) = self.trail.pop() {
                    return self.restore(v, ctx);
                }
                // From an entry opened inside a list, go back to the tags anyway: simple.
                self.level = Level::Tags;
            }
        }
    }

    fn apply_sort(&mut self) {
        match self.tag_sort {
            TagSort::Registry => self.tags.sort_by(|a, b| a.cmp(b)),
            TagSort::Natural => self.tags.sort_by(|a, b| natural_cmp(a, b)),
            TagSort::NaturalDesc => self.tags.sort_by(|a, b| natural_cmp(b, a)),
        }
    }

    /// What `e` sends to the draft editor.
    pub fn editor_item(&self) -> Option<EditorItem> {
        match self.level {
            Level::Tags => Some(EditorItem {
                reference: self.tag_reference(self.tags.selected_item()?)?,
                descriptor: None,
            }),
            Level::Content => {
                let c = self.content.as_ref()?;
                if c.image.is_some() {
                    Some(EditorItem {
                        reference: self.shown.clone()?,
                        descriptor: None,
                    })
                } else {
                    let e = self.selected_entry()?;
                    Some(EditorItem {
                        reference: e.reference.clone(),
                        descriptor: Some(e.descriptor.clone()),
                    })
                }
            }
            _ => None,
        }
    }

    /// What `y` copies: a tag's reference, or the selected digest.
    pub fn copy_text(&self) -> Option<String> {
        match self.level {
            Level::Tags => Some(self.tag_reference(self.tags.selected_item()?)?.to_string()),
            Level::Content => {
                let c = self.content.as_ref()?;
                if let Some(rows) = self.image_rows() {
                    return Some(match rows.get(self.content_sel.get()) {
                        Some(super::image::ImageRow::Layer { digest, .. }) => digest.to_string(),
                        _ => c.inspection.manifest.digest.to_string(),
                    });
                }
                match &c.image {
                    Some(img) => Some(
                        img.manifest
                            .layers
                            .get(self.content_sel.get())
                            .map(|l| l.digest.to_string())
                            .unwrap_or_else(|| c.inspection.manifest.digest.to_string()),
                    ),
                    None => Some(self.selected_entry()?.descriptor.digest.to_string()),
                }
            }
            _ => None,
        }
    }

    /// A key for the focused field. Up/Down still move the list while filtering.
    pub fn field_key(&mut self, key: &KeyEvent) {
        if let Some(p) = &mut self.prompt {
            let complete = self.keymap.lookup(Context::Form, key);
            if let (PromptKind::CopyTo, Some(a @ (Action::Complete | Action::CompletePrev))) =
                (p.kind, complete)
            {
                let forward = a == Action::Complete;
                if let Err(e) = complete_last_word(&mut p.field, &mut p.cycle, &self.seen, forward)
                {
                    p.error = Some(e);
                }
                return;
            }
            if p.field.key(key) {
                p.error = None;
                p.cycle = None;
            }
            return;
        }
        match key.code {
            KeyCode::Up => return self.move_by(-1),
            KeyCode::Down => return self.move_by(1),
            _ => {}
        }
        let changed = self.filter_field.as_mut().is_some_and(|f| f.key(key));
        if changed {
            let v = self
                .filter_field
                .as_ref()
                .map(|f| f.value().to_string())
                .unwrap_or_default();
            self.set_filter(&v);
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(p) = &mut self.prompt {
            p.field.paste(text);
        } else if let Some(f) = &mut self.filter_field {
            if f.paste(text) {
                let v = f.value().to_string();
                self.set_filter(&v);
            }
        }
    }

    /// The references a page of the catalog (`host/repo`) or of tags (`host/repo:tag`)
    /// names, for completion elsewhere.
    pub fn references_in(&self, reply: &Reply) -> Vec<String> {
        let Some(host) = &self.registry else {
            return Vec::new();
        };
        match (reply, &self.repo) {
            (Reply::CatalogPage { repos, .. }, _) => {
                repos.iter().map(|r| format!("{host}/{r}")).collect()
            }
            (Reply::TagsPage { tags, .. }, Some(repo)) => {
                tags.iter().map(|t| format!("{host}/{repo}:{t}")).collect()
            }
            _ => Vec::new(),
        }
    }

    /// A current reply for one of the browser's slots.
    pub fn reply(&mut self, slot: Slot, reply: Reply) {
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
                    self.seen.extend(repos.iter().map(|r| format!("{h}/{r}")));
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
                    self.seen.extend(recent.iter().map(|r| format!("{h}/{r}")));
                }
                self.catalog.extend(recent);
                if none && self.level == Level::Catalog && self.prompt.is_none() {
                    self.prompt(PromptKind::Repository);
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
            (Slot::Content, Reply::Inspected(c)) => {
                self.content = Some(*c);
                self.content_sel.set(0);
                self.content_load = Load::Done;
            }
            (Slot::Content, Reply::Failed(m)) => self.content_load = Load::Failed(m),
            (Slot::Content, Reply::Referrers(r)) => {
                if let Some(c) = &mut self.content {
                    c.referrers = Some(r);
                }
            }
            (Slot::Details, Reply::Details(d)) => {
                self.details = Some(d);
                self.details_load = Load::Done;
            }
            (Slot::Details, Reply::Failed(m)) => self.details_load = Load::Failed(m),
            (Slot::Statements, Reply::Statements(v)) => {
                self.statements = Some(v);
                self.statements_load = Load::Done;
            }
            (Slot::Statements, Reply::Failed(m)) => self.statements_load = Load::Failed(m),
            _ => {}
        }
    }
}
