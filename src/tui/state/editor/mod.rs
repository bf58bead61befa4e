//! The draft editor: every local list of the store, one list's entries, and the annotation
//! form. Store changes go to the worker one at a time (a queue), so a quick second change
//! never cancels or races the first; every reply carries the whole store listing.

mod form;
mod problems;
mod prompt;

pub use form::{Form, FormRow, RowIssue, RowKind};
pub(crate) use problems::problems;
pub use problems::Problem;
pub use prompt::{Prompt, PromptKind};

use super::list::Cursor;
use super::Load;
use crate::ops::{EntrySelector, Source};
use crate::reference::Reference;
use crate::store::{Draft, Format, StoredEntry};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, EditorItem, PaneId, Side, Transfer};
use crate::tui::worker::{Command, DraftRow, Reply, Slot, StoreOp};
use ratatui::crossterm::event::KeyEvent;
use std::collections::VecDeque;

/// Which column has the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Lists,
    Entries,
}

/// A question answered with Enter (yes) or Esc (no).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// The list's store directory (by any reading of its name), and its name as shown.
    DeleteList {
        list: Reference,
        shown: String,
    },
    RemoveEntry {
        list: Reference,
        entry: Reference,
    },
}

impl Confirm {
    pub(crate) fn question(&self) -> String {
        match self {
            Confirm::DeleteList { shown, .. } => {
                format!("Delete the local list {shown}? (the registry is not touched)")
            }
            Confirm::RemoveEntry { list, entry } => format!("Remove {entry} from {list}?"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Mode {
    Normal,
    Prompt(Box<Prompt>),
    Confirm(Confirm),
    Form(Box<Form>),
}

/// How a list's format is shown.
pub(crate) fn format_label(d: &Draft) -> &'static str {
    match (d.meta.format, d.kind().is_oci()) {
        (Some(Format::Oci), _) => "oci",
        (Some(Format::Docker), _) => "docker",
        (None, true) => "oci (auto)",
        (None, false) => "docker (auto)",
    }
}

#[derive(Debug)]
pub struct EditorState {
    pub(crate) rows: Vec<DraftRow>,
    pub(crate) load: Load,
    /// Cursor in `rows`.
    pub(crate) selected: Cursor,
    pub(crate) focus: Focus,
    /// Cursor in the selected list's entries.
    pub(crate) entry_sel: Cursor,
    pub(crate) mode: Mode,
    /// The store change the worker is running.
    pub(crate) in_flight: Option<StoreOp>,
    /// Store changes waiting for it.
    pub(crate) queue: VecDeque<StoreOp>,
    /// The last store change failed with this (shown until the next change).
    pub(crate) last_error: Option<String>,
    /// References seen (entries, items sent from the browser, the catalog and tags the
    /// browser listed), sorted for prefix completion.
    pub(crate) seen: std::collections::BTreeSet<String>,
    /// Items sent from the browser before any list existed: added once one is created.
    pub(crate) pending_add: Vec<Reference>,
}

impl Default for EditorState {
    fn default() -> Self {
        Self::new()
    }
}

impl EditorState {
    pub(crate) fn new() -> Self {
        EditorState {
            rows: Vec::new(),
            load: Load::Idle,
            selected: Cursor::default(),
            focus: Focus::Lists,
            entry_sel: Cursor::default(),
            mode: Mode::Normal,
            in_flight: None,
            queue: VecDeque::new(),
            last_error: None,
            seen: Default::default(),
            pending_add: Vec::new(),
        }
    }

    pub(crate) fn contexts(&self) -> Vec<Context> {
        match self.mode {
            Mode::Form(_) => vec![Context::Form],
            _ => vec![Context::Editor, Context::List],
        }
    }

    pub(crate) fn field_focused(&self) -> bool {
        !matches!(self.mode, Mode::Normal)
    }

    pub(crate) fn busy(&self) -> bool {
        self.load.busy() || self.in_flight.is_some()
    }

    /// The selected list, when it loaded.
    pub(crate) fn draft(&self) -> Option<&Draft> {
        self.rows.get(self.selected.get())?.draft.as_ref().ok()
    }

    pub(crate) fn entry(&self) -> Option<&StoredEntry> {
        self.draft()?.entries.get(self.entry_sel.get())
    }

    /// Read the store again (unless a change is running: its reply brings the lists).
    pub(crate) fn refresh(&mut self, ctx: &mut Ctx) {
        if self.in_flight.is_none() {
            if self.rows.is_empty() {
                self.load = Load::Loading;
            }
            ctx.request(Slot::Drafts, Command::ListDrafts);
        }
    }

    /// Queue a store change; it runs when the one in flight is done.
    pub(crate) fn submit(&mut self, op: StoreOp, ctx: &mut Ctx) {
        self.queue.push_back(op);
        self.run_next(ctx);
    }

    fn run_next(&mut self, ctx: &mut Ctx) {
        if self.in_flight.is_some() {
            return;
        }
        if let Some(op) = self.queue.pop_front() {
            // A listing in flight would be older than this change's reply.
            ctx.cancel(Slot::Drafts);
            self.in_flight = Some(op.clone());
            ctx.request(Slot::Draft, Command::Store(op));
        }
    }

    fn select_list(&mut self, list: &Reference) {
        if let Some(i) = self
            .rows
            .iter()
            .position(|r| r.draft.as_ref().is_ok_and(|d| d.list == *list))
        {
            if i != self.selected.get() {
                self.entry_sel.set(0);
            }
            self.selected.set(i);
        }
    }

    fn remember(&mut self, r: &Reference) {
        self.seen.insert(r.to_string());
    }

    /// A reply for the editor's slots.
    pub(crate) fn reply(&mut self, slot: Slot, reply: Reply, ctx: &mut Ctx) {
        if slot == Slot::Draft {
            let op = self.in_flight.take();
            match reply {
                Reply::Drafts { rows, focus, note } => {
                    self.last_error = None;
                    self.set_rows(rows, focus.as_ref());
                    if let Some(n) = note {
                        ctx.info(n);
                    }
                    if matches!(op, Some(StoreOp::Annotate { .. })) {
                        if let Mode::Form(f) = &self.mode {
                            if f.saving {
                                self.mode = Mode::Normal;
                                self.focus = Focus::Entries;
                            }
                        }
                    }
                }
                Reply::Failed(m) => {
                    let in_form = matches!(op, Some(StoreOp::Annotate { .. }))
                        && matches!(&self.mode, Mode::Form(f) if f.saving);
                    if in_form {
                        if let Mode::Form(f) = &mut self.mode {
                            f.saving = false;
                            f.error = Some(m);
                        }
                    } else {
                        // Later changes were made against a state that did not happen.
                        self.queue.clear();
                        self.last_error = Some(m.clone());
                        ctx.error(m);
                    }
                }
                _ => {}
            }
            self.run_next(ctx);
            return;
        }
        match reply {
            Reply::Drafts { rows, focus, .. } => self.set_rows(rows, focus.as_ref()),
            Reply::Failed(m) => self.load = Load::Failed(m),
            _ => {}
        }
    }

    /// New store contents; the cursor stays on its list (or goes to `focus`).
    pub(crate) fn set_rows(&mut self, rows: Vec<DraftRow>, focus: Option<&Reference>) {
        let keep = self.draft().map(|d| d.list.clone());
        self.rows = rows;
        self.load = Load::Done;
        let refs: Vec<Reference> = self
            .rows
            .iter()
            .filter_map(|r| r.draft.as_ref().ok())
            .flat_map(|d| d.entries.iter().map(|e| e.reference.clone()))
            .filter(|r| r.tag.is_some())
            .collect();
        for r in refs {
            self.remember(&r);
        }
        if let Some(l) = focus.or(keep.as_ref()) {
            let l = l.clone();
            self.select_list(&l);
        }
        self.selected.clamp(self.rows.len());
        let n = self.draft().map_or(0, |d| d.entries.len());
        self.entry_sel.clamp(n);
        if self.draft().is_none() {
            self.focus = Focus::Lists;
        }
    }

    /// A bound action; false when not handled here.
    pub(crate) fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Prompt(p) => return self.prompt_action(p, action, ctx),
            Mode::Confirm(c) => return self.confirm_action(c, action, ctx),
            Mode::Form(f) => return self.form_action(f, action, ctx),
            Mode::Normal => {}
        }
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.move_cursor(action),
            Action::Open => match self.focus {
                Focus::Lists if self.draft().is_some() => self.focus = Focus::Entries,
                Focus::Lists => return false,
                Focus::Entries => self.open_form(),
            },
            Action::Back if self.focus == Focus::Entries => self.focus = Focus::Lists,
            Action::NewList => self.prompt(PromptKind::New(Format::Docker), ctx),
            Action::NewOciList => self.prompt(PromptKind::New(Format::Oci), ctx),
            Action::AddEntry => {
                if self.draft().is_some() {
                    self.prompt(PromptKind::Add, ctx)
                } else {
                    ctx.info(format!(
                        "create a list first: {} (Docker list) or {} (OCI index)",
                        ctx.key(Context::Editor, Action::NewList),
                        ctx.key(Context::Editor, Action::NewOciList)
                    ));
                }
            }
            Action::Rename if self.draft().is_some() => self.prompt(PromptKind::Rename, ctx),
            Action::MarkA => return self.mark(Side::A, ctx),
            Action::MarkB => return self.mark(Side::B, ctx),
            Action::Delete => return self.ask_delete(),
            Action::RefreshEntry => match (self.draft(), self.entry()) {
                (Some(d), Some(e)) if self.focus == Focus::Entries => {
                    let op = StoreOp::Refresh {
                        list: d.list.clone(),
                        entry: e.reference.clone(),
                    };
                    self.submit(op, ctx);
                }
                _ => return false,
            },
            Action::CycleFormat => return self.cycle_format(ctx),
            Action::Push | Action::PushPurge => self.push(action == Action::PushPurge, ctx),
            Action::Refresh => self.refresh(ctx),
            _ => return false,
        }
        true
    }

    /// Mark a side of the comparison: a draft as it stands in the store, an entry as the
    /// image it is.
    fn mark(&mut self, side: Side, ctx: &mut Ctx) -> bool {
        let source = match (self.focus, self.draft(), self.entry()) {
            (Focus::Entries, Some(_), Some(e)) => Source::Remote(e.reference.at_digest(e.digest())),
            (_, Some(d), _) => Source::Local(d.list.clone()),
            _ => return false,
        };
        ctx.emit(AppEvent::SetCompareSide(side, source));
        true
    }

    /// Ask before removing the entry selected, or (from the lists) deleting the draft.
    fn ask_delete(&mut self) -> bool {
        self.mode = match (self.focus, self.draft(), self.entry()) {
            (Focus::Entries, Some(d), Some(e)) => Mode::Confirm(Confirm::RemoveEntry {
                list: d.list.clone(),
                entry: e.reference.clone(),
            }),
            (_, Some(d), _) => Mode::Confirm(Confirm::DeleteList {
                list: d.list.clone(),
                shown: d.shown_name(),
            }),
            _ => return false,
        };
        true
    }

    /// The draft's format, in turn: from its entries, Docker, OCI.
    fn cycle_format(&mut self, ctx: &mut Ctx) -> bool {
        let Some(d) = self.draft() else { return false };
        let next = match d.meta.format {
            None => Some(Format::Docker),
            Some(Format::Docker) => Some(Format::Oci),
            Some(Format::Oci) => None,
        };
        let op = StoreOp::SetFormat {
            list: d.list.clone(),
            format: next,
        };
        self.submit(op, ctx);
        true
    }

    /// Enter carries out the question; Esc drops it.
    fn confirm_action(&mut self, c: Confirm, action: Action, ctx: &mut Ctx) -> bool {
        match action {
            Action::Submit => match c {
                Confirm::DeleteList { list, .. } => self.submit(StoreOp::Delete { list }, ctx),
                Confirm::RemoveEntry { list, entry } => self.submit(
                    StoreOp::RemoveEntry {
                        list,
                        entry: EntrySelector::Reference(entry),
                    },
                    ctx,
                ),
            },
            Action::Cancel => {}
            _ => {
                self.mode = Mode::Confirm(c);
                return false;
            }
        }
        true
    }

    /// Up, Down, a page, the top or the bottom in the focused column; another list starts at
    /// its first entry.
    fn move_cursor(&mut self, action: Action) {
        match self.focus {
            Focus::Lists => {
                let before = self.selected.get();
                self.selected.apply(action, self.rows.len());
                if before != self.selected.get() {
                    self.entry_sel.reset();
                }
            }
            Focus::Entries => {
                let n = self.draft().map_or(0, |d| d.entries.len());
                self.entry_sel.apply(action, n);
            }
        }
    }

    fn push(&mut self, purge: bool, ctx: &mut Ctx) {
        let Some(d) = self.draft() else {
            let new = ctx.key(Context::Editor, Action::NewList);
            ctx.info(format!("nothing to push: create a list first ({new})"));
            return;
        };
        if self.in_flight.is_some() || !self.queue.is_empty() {
            ctx.info("wait until the store change in progress is done, then push");
            return;
        }
        let blocking: Vec<String> = problems(d, &ctx.keymap)
            .into_iter()
            .filter(|p| p.blocking)
            .map(|p| match p.entry {
                Some(i) => format!("entry {}: {}", i + 1, p.text),
                None => p.text,
            })
            .collect();
        if !blocking.is_empty() {
            ctx.error(format!(
                "cannot push {}: {}. Fix them in the editor ({} on an entry annotates it, {} \
                 removes it)",
                d.shown_name(),
                blocking.join("; "),
                ctx.key(Context::Editor, Action::Open),
                ctx.key(Context::Editor, Action::Delete)
            ));
            return;
        }
        let list = d.list.clone();
        ctx.emit(AppEvent::StartTransfer(Box::new(Transfer::Push {
            list,
            purge,
        })));
    }
    /// A key for the focused prompt, confirmation or form field.
    pub(crate) fn field_key(&mut self, key: &KeyEvent, ctx: &Ctx) {
        match &mut self.mode {
            Mode::Prompt(p) => {
                let selected = self
                    .rows
                    .get(self.selected.get())
                    .and_then(|r| r.draft.as_ref().ok());
                p.key(&ctx.keymap, key, &self.seen, selected)
            }
            Mode::Form(f) => f.key(&ctx.keymap, key),
            Mode::Confirm(_) | Mode::Normal => {}
        }
    }

    pub(crate) fn paste(&mut self, text: &str) {
        match &mut self.mode {
            Mode::Prompt(p) => p.paste(text),
            Mode::Form(f) => f.paste(text),
            _ => {}
        }
    }

    /// An image or list sent from the browser: added to the selected list, or kept until a
    /// list is created.
    pub(crate) fn receive(&mut self, item: &EditorItem, ctx: &mut Ctx) {
        self.remember(&item.reference);
        match self.draft().map(|d| d.list.clone()) {
            Some(list) => {
                ctx.info(format!("adding {} to {list}…", item.reference));
                self.focus = Focus::Entries;
                self.submit(
                    StoreOp::AddEntries {
                        list,
                        refs: vec![item.reference.clone()],
                    },
                    ctx,
                );
            }
            None => {
                self.pending_add.push(item.reference.clone());
                self.prompt(PromptKind::New(Format::Docker), ctx);
                ctx.info(format!(
                    "no local list yet: type a target for the new list; {} will be added to it",
                    item.reference
                ));
            }
        }
        ctx.emit(AppEvent::Show(PaneId::Editor));
    }
}

#[cfg(test)]
mod tests;
