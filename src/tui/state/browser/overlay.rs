//! What opens over the browser, one at a time: the filter field, a typed-name prompt, the
//! copy checklist, a delete. While one is open it has every key (see
//! [`super::BrowserState::focus`], the one place the order is written).

use super::super::list::Cursor;
use super::super::referrers::referrer_kind;
use super::{BrowserState, Level};
use crate::ops::{CopyJob, CopyOptions, SyncSource};
use crate::reference::{registry_host, Reference};
use crate::registry::Repo;
use crate::tui::field::{complete_last_word, TextField};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, SyncJob, Transfer};
use crate::tui::worker::{Command, RegistrySource, Reply, Slot};
use ratatui::crossterm::event::KeyEvent;

/// The modal over the browser.
#[derive(Clone, Debug)]
pub enum Overlay {
    /// The filter field while it has focus.
    Filter(TextField),
    Prompt(Prompt),
    Checklist(Checklist),
    Delete(DeleteConfirm),
    Sync(SyncConfirm),
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
    /// Where to mirror the sync source to (`REG[/NAMESPACE]`; Tab completes as for a copy).
    SyncTo,
}

#[derive(Clone, Debug)]
pub struct Prompt {
    pub(crate) kind: PromptKind,
    pub(crate) field: TextField,
    /// Why the last submission was refused.
    pub(crate) error: Option<String>,
    /// What a copy or a retag works on.
    pub(crate) source: Option<Reference>,
    /// Tab cycling: the word typed before cycling, and the position in its candidates.
    pub(crate) cycle: Option<(String, usize)>,
    /// What a sync mirrors (boxed: a sync file is large).
    pub(crate) sync: Option<Box<SyncSource>>,
}

/// The platforms of the list being copied, each checked or not.
#[derive(Clone, Debug)]
pub struct Checklist {
    pub(crate) src: Reference,
    pub(crate) dst: Reference,
    /// Every image entry's platform (attestations follow the image they describe); empty
    /// for a single image.
    pub(crate) platforms: Vec<(crate::platform::Platform, bool)>,
    /// Copy what refers to it and its entries too: the row after the platforms.
    pub(crate) referrers: bool,
    /// The kinds of what the browser saw referring to the source (`signature`, …).
    pub(crate) known_referrers: Vec<String>,
    /// Over the platforms, then the referrers row.
    pub(crate) selected: Cursor,
    /// Why the last Enter was refused.
    pub(crate) error: Option<String>,
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

impl Overlay {
    /// The keymap contexts while it is open; `None` for a field, which has every key
    /// (the app puts the field's context first) over the level's.
    pub(crate) fn contexts(&self) -> Option<Vec<Context>> {
        match self {
            Overlay::Checklist(_) => Some(vec![Context::Checklist, Context::List]),
            Overlay::Delete(_) => Some(vec![Context::Confirm]),
            Overlay::Sync(SyncConfirm::Planning { .. }) => Some(vec![Context::SyncPlan]),
            Overlay::Sync(SyncConfirm::Ask { .. }) => Some(vec![Context::SyncPlan, Context::List]),
            Overlay::Filter(_) | Overlay::Prompt(_) => None,
        }
    }
}

impl BrowserState {
    pub(crate) fn prompt(&self) -> Option<&Prompt> {
        match &self.overlay {
            Some(Overlay::Prompt(p)) => Some(p),
            _ => None,
        }
    }

    fn prompt_mut(&mut self) -> Option<&mut Prompt> {
        match &mut self.overlay {
            Some(Overlay::Prompt(p)) => Some(p),
            _ => None,
        }
    }

    pub(crate) fn checklist(&self) -> Option<&Checklist> {
        match &self.overlay {
            Some(Overlay::Checklist(c)) => Some(c),
            _ => None,
        }
    }

    pub(crate) fn delete(&self) -> Option<&DeleteConfirm> {
        match &self.overlay {
            Some(Overlay::Delete(d)) => Some(d),
            _ => None,
        }
    }

    pub(crate) fn filter_field(&self) -> Option<&TextField> {
        match &self.overlay {
            Some(Overlay::Filter(f)) => Some(f),
            _ => None,
        }
    }

    /// Keys while an overlay is open: handled in place; Cancel (and what ends it) closes it.
    pub(super) fn overlay_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        match &mut self.overlay {
            None => false,
            Some(Overlay::Checklist(_)) => self.checklist_action(action, ctx),
            Some(Overlay::Delete(_)) => self.delete_action(action, ctx),
            Some(Overlay::Sync(_)) => self.sync_action(action, ctx),
            Some(Overlay::Prompt(p)) => match action {
                Action::Submit => {
                    let (kind, value) = (p.kind, p.field.value().trim().to_string());
                    self.submit_prompt(kind, &value, ctx);
                    true
                }
                Action::Cancel => {
                    self.overlay = None;
                    true
                }
                _ => false,
            },
            Some(Overlay::Filter(_)) => match action {
                Action::Submit => {
                    self.overlay = None;
                    true
                }
                Action::Cancel => {
                    self.overlay = None;
                    self.set_filter("");
                    true
                }
                _ => false,
            },
        }
    }

    /// Keys of a delete: confirmed or kept while asked; while the plan is read, Cancel
    /// stops it; while deleting, Cancel only closes the window (the registry finishes and a
    /// notice says so).
    fn delete_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        let Some(Overlay::Delete(d)) = &self.overlay else {
            return false;
        };
        match (d, action) {
            (DeleteConfirm::Ask(plan), Action::Submit) => {
                let plan = plan.clone();
                ctx.request(
                    Slot::Delete,
                    Command::Delete {
                        plan: (*plan).clone(),
                    },
                );
                self.overlay = Some(Overlay::Delete(DeleteConfirm::Deleting(plan)));
            }
            (DeleteConfirm::Planning(_), Action::Cancel) => {
                ctx.cancel(Slot::Delete);
                self.overlay = None;
            }
            (_, Action::Cancel) => self.overlay = None,
            _ => return false,
        }
        true
    }

    /// Keys of the platform checklist.
    fn checklist_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        let Some(Overlay::Checklist(c)) = &mut self.overlay else {
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
            Action::Cancel => self.overlay = None,
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
                } else {
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
                    self.overlay = None;
                    ctx.emit(AppEvent::StartTransfer(Box::new(Transfer::Copy(job))));
                }
            }
            _ => return false,
        }
        true
    }

    /// Open a typed-name prompt (over whatever else was open).
    pub(super) fn open_prompt(&mut self, kind: PromptKind, source: Option<Reference>, ctx: &Ctx) {
        let (label, ph) = match kind {
            PromptKind::Registry => (
                "registry",
                "host[:port], e.g. 127.0.0.1:5000, or a layout: oci:DIR, oci-archive:FILE".into(),
            ),
            PromptKind::Repository => ("repository", "path, e.g. library/alpine".into()),
            PromptKind::CopyTo => (
                "copy to",
                format!(
                    "registry/repository[:tag] ({} completes; the tag defaults to the source's)",
                    ctx.key(Context::Form, Action::Complete)
                ),
            ),
            PromptKind::Retag => ("new tags", "one or more tags, space-separated".into()),
            PromptKind::SyncTo => (
                "sync to",
                format!(
                    "registry[/namespace], e.g. 127.0.0.1:5000/mirror ({} completes)",
                    ctx.key(Context::Form, Action::Complete)
                ),
            ),
        };
        self.overlay = Some(Overlay::Prompt(Prompt {
            kind,
            field: TextField::new(label, "", &ph),
            error: None,
            source,
            cycle: None,
            sync: None,
        }));
    }

    /// The sync prompt: where to mirror `source` to.
    pub(super) fn open_sync_prompt(&mut self, source: SyncSource, ctx: &Ctx) {
        self.open_prompt(PromptKind::SyncTo, None, ctx);
        if let Some(p) = self.prompt_mut() {
            p.sync = Some(Box::new(source));
        }
    }

    /// Refuse the prompt's value: it stays open with why.
    fn refuse(&mut self, msg: String) {
        if let Some(p) = self.prompt_mut() {
            p.error = Some(msg);
        }
    }

    fn submit_prompt(&mut self, kind: PromptKind, value: &str, ctx: &mut Ctx) {
        if value.is_empty() {
            let cancel = ctx.key(Context::Field, Action::Cancel);
            return self.refuse(format!("type a name, or {cancel} to cancel"));
        }
        let source = self.prompt().and_then(|p| p.source.clone());
        if kind == PromptKind::SyncTo {
            return self.submit_sync(value, ctx);
        }
        match (kind, source) {
            (PromptKind::CopyTo, Some(src)) => self.submit_copy(src, value, ctx),
            (PromptKind::Retag, Some(src)) => {
                let tags: Vec<String> = value.split_whitespace().map(str::to_string).collect();
                if let Some(e) = tags.iter().find_map(|t| src.with_tag(t).err()) {
                    return self.refuse(e.to_string());
                }
                self.overlay = None;
                ctx.info(format!("tagging {src} as {}…", tags.join(", ")));
                ctx.request(Slot::Retag, Command::Retag { src, tags });
            }
            (PromptKind::CopyTo | PromptKind::Retag, None) | (PromptKind::SyncTo, _) => {
                self.overlay = None
            }
            // A layout where a registry or a repository is typed: open it as a registry.
            (PromptKind::Registry | PromptKind::Repository, _)
                if crate::place::is_layout(value) =>
            {
                match Reference::parse(value) {
                    Ok(r) => {
                        self.overlay = None;
                        self.add_registry(&r.domain, RegistrySource::Typed);
                        self.open_layout(&r.domain, ctx);
                        if r.tag.is_some() || r.digest.is_some() {
                            self.open_reference(r, ctx);
                        }
                    }
                    Err(e) => self.refuse(e.to_string()),
                }
            }
            (PromptKind::Registry, _) => {
                let host = match registry_host(value) {
                    Ok(h) => h,
                    Err(m) => return self.refuse(m),
                };
                self.overlay = None;
                self.add_registry(&host, RegistrySource::Typed);
                self.open_registry(&host, ctx);
            }
            (PromptKind::Repository, _) => {
                let Some(reg) = self.registry.clone() else {
                    self.overlay = None;
                    return;
                };
                match Reference::parse(&format!("{reg}/{value}")) {
                    Ok(r) if r.domain == reg => {
                        self.overlay = None;
                        self.open_repo(&r.path, ctx);
                        if r.tag.is_some() || r.digest.is_some() {
                            self.open_reference(r, ctx);
                        }
                    }
                    Ok(_) => self.refuse(format!(
                        "{value:?} names another registry; type only the repository path"
                    )),
                    Err(e) => self.refuse(e.to_string()),
                }
            }
        }
    }

    /// The copy prompt's Enter: the destination checked, then the checklist of the list's
    /// platforms (or, for a single image, the copy at once).
    fn submit_copy(&mut self, src: Reference, value: &str, ctx: &mut Ctx) {
        let dst = match Reference::parse(value) {
            Ok(d) => d,
            Err(e) => return self.refuse(e.to_string()),
        };
        if let Err(e) = crate::ops::copy_target(&src, &dst) {
            return self.refuse(e.to_string());
        }
        let view = self.view.as_ref().filter(|v| v.shown == src);
        let Some(c) = view.and_then(|v| v.content.value().filter(|_| v.content.is_done())) else {
            let why = match view.map(|v| v.content.load()) {
                Some(super::Load::Failed(m)) => format!("reading {src} failed: {m}"),
                _ => format!(
                    "still reading {src}: press {} again in a moment",
                    ctx.key(Context::Field, Action::Submit)
                ),
            };
            return self.refuse(why);
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
        self.overlay = None;
        self.remember_seen(&dst);
        // Something to choose: platforms of a list, or whether to bring what refers to it.
        if platforms.len() > 1 || !known_referrers.is_empty() {
            self.overlay = Some(Overlay::Checklist(Checklist {
                src,
                dst,
                platforms,
                referrers: !known_referrers.is_empty(),
                known_referrers,
                selected: Cursor::default(),
                error: None,
            }));
        } else {
            let job = CopyJob {
                src,
                dst,
                options: CopyOptions::default(),
            };
            ctx.emit(AppEvent::StartTransfer(Box::new(Transfer::Copy(job))));
        }
    }

    /// A key for the focused field. Up/Down still move the list while filtering.
    pub fn field_key(&mut self, key: &KeyEvent, ctx: &Ctx) {
        use ratatui::crossterm::event::KeyCode;
        let complete = ctx.keymap.lookup(Context::Form, key);
        match &mut self.overlay {
            Some(Overlay::Prompt(p)) => {
                if let (
                    PromptKind::CopyTo | PromptKind::SyncTo,
                    Some(a @ (Action::Complete | Action::CompletePrev)),
                ) = (p.kind, complete)
                {
                    let forward = a == Action::Complete;
                    if let Err(e) =
                        complete_last_word(&mut p.field, &mut p.cycle, &self.seen, forward)
                    {
                        p.error = Some(e);
                    }
                } else if p.field.key(key) {
                    p.error = None;
                    p.cycle = None;
                }
            }
            Some(Overlay::Filter(f)) => match key.code {
                KeyCode::Up => self.move_by(-1),
                KeyCode::Down => self.move_by(1),
                _ => {
                    if f.key(key) {
                        let v = f.value().to_string();
                        self.set_filter(&v);
                    }
                }
            },
            _ => {}
        }
    }

    pub(crate) fn paste(&mut self, text: &str) {
        let filter = match &mut self.overlay {
            Some(Overlay::Prompt(p)) => {
                p.field.paste(text);
                None
            }
            Some(Overlay::Filter(f)) => f.paste(text).then(|| f.value().to_string()),
            _ => None,
        };
        if let Some(v) = filter {
            self.set_filter(&v);
        }
    }

    /// The filter field, opened on the level's filter.
    pub(super) fn open_filter(&mut self) {
        if self.level != Level::Content {
            self.overlay = Some(Overlay::Filter(TextField::new(
                "filter",
                self.current_filter(),
                "type to filter",
            )));
        }
    }

    /// A reply for a retag or a delete. A delete's plan arrives only into its own window
    /// (closed, it was cancelled); the delete's end closes the window if it is still open.
    pub(crate) fn change_reply(&mut self, slot: Slot, reply: Reply, ctx: &mut Ctx) {
        let deleting = matches!(self.overlay, Some(Overlay::Delete(_)));
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
                if matches!(self.delete(), Some(DeleteConfirm::Planning(_))) {
                    self.overlay = Some(Overlay::Delete(DeleteConfirm::Ask(plan)));
                }
            }
            (Slot::Delete, Reply::Deleted(plan)) => {
                if deleting {
                    self.overlay = None;
                }
                let gone = if plan.tags.is_empty() {
                    String::new()
                } else {
                    format!(" and its tags {}", plan.tags.join(", "))
                };
                ctx.info(format!("deleted {}{gone}", plan.target));
                if self.level == Level::Content
                    && self.shown().is_some_and(|s| {
                        s.digest.as_ref() == Some(&plan.digest)
                            || s.tag.as_ref().is_some_and(|t| plan.tags.contains(t))
                    })
                {
                    self.level = Level::Tags;
                }
                ctx.emit(AppEvent::TagsChanged(Repo::of(&plan.target)));
            }
            (Slot::SyncPlan, Reply::SyncPlanned(plan)) => {
                // Only into its own window: closed, it was cancelled.
                if let Some(Overlay::Sync(SyncConfirm::Planning { source, dest })) = &self.overlay {
                    let job = SyncJob {
                        source: source.clone(),
                        dest: dest.clone(),
                        plan,
                    };
                    self.overlay = Some(Overlay::Sync(SyncConfirm::Ask {
                        job,
                        selected: Cursor::default(),
                    }));
                }
            }
            (Slot::SyncPlan, Reply::Failed(m)) => {
                if matches!(self.sync_confirm(), Some(SyncConfirm::Planning { .. })) {
                    self.overlay = None;
                }
                ctx.error(m);
            }
            (Slot::Retag | Slot::Delete, Reply::Failed(m)) => {
                if slot == Slot::Delete && deleting {
                    self.overlay = None;
                }
                ctx.error(m);
            }
            _ => {}
        }
    }
}

mod sync;
pub use sync::SyncConfirm;

#[cfg(test)]
mod tests;
