//! The draft editor: every local list of the store, one list's entries, and the annotation
//! form. Store changes go to the worker one at a time (a queue), so a quick second change
//! never cancels or races the first; every reply carries the whole store listing.

use super::Load;
use crate::ops::{self, AnnotateOptions, EntrySelector};
use crate::platform::{self, Field, Platform, PlatformIssue};
use crate::reference::Reference;
use crate::store::{Draft, Format, StoredEntry};
use crate::tui::field::TextField;
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::pane::{AppEvent, Ctx, EditorItem, PaneId};
use crate::tui::worker::{Command, DraftRow, Reply, Slot, StoreOp};
use ratatui::crossterm::event::KeyEvent;
use std::collections::{BTreeMap, VecDeque};

/// Which column has the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Lists,
    Entries,
}

/// What a one-line prompt is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// A new list of this format.
    New(Format),
    /// A new target for the selected list.
    Rename,
    /// References to add to the selected list.
    Add,
}

#[derive(Clone, Debug)]
pub struct Prompt {
    pub kind: PromptKind,
    pub field: TextField,
    /// Why the last submission was refused.
    pub error: Option<String>,
    /// Tab cycling: the word typed before cycling, and the position in its candidates.
    pub cycle: Option<(String, usize)>,
}

/// A question answered with Enter (yes) or Esc (no).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    DeleteList(Reference),
    RemoveEntry { list: Reference, entry: Reference },
}

impl Confirm {
    pub fn question(&self) -> String {
        match self {
            Confirm::DeleteList(l) => {
                format!("Delete the local list {l}? (the registry is not touched)")
            }
            Confirm::RemoveEntry { list, entry } => format!("Remove {entry} from {list}?"),
        }
    }
}

/// What a form row edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Platform(Field),
    /// A `KEY=VALUE` annotation row.
    Annotation,
}

#[derive(Clone, Debug)]
pub struct FormRow {
    pub kind: RowKind,
    pub field: TextField,
    /// The saved value (Esc goes back to it; a difference marks the row as unsaved).
    pub original: String,
}

impl FormRow {
    fn new(kind: RowKind, value: &str) -> FormRow {
        FormRow {
            kind,
            field: TextField::new(row_label(kind), value, row_placeholder(kind)),
            original: value.to_string(),
        }
    }

    pub fn value(&self) -> &str {
        self.field.value()
    }

    pub fn modified(&self) -> bool {
        self.field.value() != self.original
    }

    fn set(&mut self, value: &str) {
        self.field = TextField::new(row_label(self.kind), value, row_placeholder(self.kind));
    }
}

fn row_label(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Platform(Field::Os) => "os          ",
        RowKind::Platform(Field::Architecture) => "architecture",
        RowKind::Platform(Field::Variant) => "variant     ",
        RowKind::Platform(Field::OsVersion) => "os.version  ",
        RowKind::Platform(Field::OsFeatures) => "os.features ",
        RowKind::Annotation => "annotation  ",
    }
}

fn row_placeholder(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Platform(Field::Os) => "linux, windows…",
        RowKind::Platform(Field::Architecture) => "amd64, arm64…",
        RowKind::Platform(Field::Variant) => "v7, v8… (empty for none)",
        RowKind::Platform(Field::OsVersion) => "e.g. 10.0.17763.1234",
        RowKind::Platform(Field::OsFeatures) => "comma-separated, e.g. win32k",
        RowKind::Annotation => "KEY=VALUE",
    }
}

/// A problem of one form row, shown under the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowIssue {
    pub row: usize,
    pub reason: String,
    pub suggestions: Vec<String>,
}

/// The annotation form of one entry.
#[derive(Clone, Debug)]
pub struct Form {
    pub list: Reference,
    pub entry: Reference,
    /// `os/arch[/variant]` as saved, for the title.
    pub label: String,
    /// The list is pushed as an OCI index (annotations allowed).
    pub oci: bool,
    pub rows: Vec<FormRow>,
    pub focus: usize,
    /// Tab cycling: the text typed before cycling and the position in its completions.
    pub cycle: Option<(String, usize)>,
    /// Why the last save was refused (locally or by the store).
    pub error: Option<String>,
    /// Sent to the worker, waiting for the answer.
    pub saving: bool,
    /// Esc was pressed once with unsaved changes: a second Esc discards them.
    pub discard_armed: bool,
}

pub const PLATFORM_FIELDS: [Field; 5] = [
    Field::Os,
    Field::Architecture,
    Field::Variant,
    Field::OsVersion,
    Field::OsFeatures,
];

impl Form {
    pub fn new(list: &Draft, e: &StoredEntry) -> Form {
        let p = e.platform();
        let mut rows: Vec<FormRow> = PLATFORM_FIELDS
            .iter()
            .map(|&f| {
                let v = match f {
                    Field::Os => p.os.clone(),
                    Field::Architecture => p.architecture.clone(),
                    Field::Variant => p.variant.clone(),
                    Field::OsVersion => p.os_version.clone(),
                    Field::OsFeatures => p.os_features.join(","),
                };
                FormRow::new(RowKind::Platform(f), &v)
            })
            .collect();
        for (k, v) in &e.descriptor.annotations {
            rows.push(FormRow::new(RowKind::Annotation, &format!("{k}={v}")));
        }
        rows.push(FormRow::new(RowKind::Annotation, ""));
        Form {
            list: list.list.clone(),
            entry: e.reference.clone(),
            label: crate::tui::text::platform_label(&p),
            oci: list.kind().is_oci(),
            rows,
            focus: 0,
            cycle: None,
            error: None,
            saving: false,
            discard_armed: false,
        }
    }

    pub fn modified(&self) -> bool {
        self.rows.iter().any(|r| r.modified())
    }

    fn value(&self, f: Field) -> &str {
        self.rows
            .iter()
            .find(|r| r.kind == RowKind::Platform(f))
            .map(|r| r.value().trim())
            .unwrap_or("")
    }

    /// The platform as typed (not normalised).
    pub fn platform(&self) -> Platform {
        Platform {
            os: self.value(Field::Os).to_string(),
            architecture: self.value(Field::Architecture).to_string(),
            variant: self.value(Field::Variant).to_string(),
            os_version: self.value(Field::OsVersion).to_string(),
            os_features: split_features(self.value(Field::OsFeatures)),
            features: Vec::new(),
        }
    }

    fn row_of(&self, f: Field) -> usize {
        self.rows
            .iter()
            .position(|r| r.kind == RowKind::Platform(f))
            .unwrap_or(0)
    }

    /// Problems with what is typed now: the platform model's issues per field, and malformed
    /// annotation rows. Runs on every keystroke (cheap: a few table lookups).
    pub fn issues(&self) -> Vec<RowIssue> {
        let mut out: Vec<RowIssue> = self
            .platform()
            .validate()
            .into_iter()
            .map(|i: PlatformIssue| RowIssue {
                row: self.row_of(i.field),
                reason: i.reason,
                suggestions: i.suggestions,
            })
            .collect();
        let mut keys: BTreeMap<String, usize> = BTreeMap::new();
        for (i, r) in self.rows.iter().enumerate() {
            if r.kind != RowKind::Annotation || r.value().trim().is_empty() {
                continue;
            }
            match r.value().split_once('=') {
                Some((k, _)) if !k.trim().is_empty() => {
                    let k = k.trim().to_string();
                    if let Some(first) = keys.insert(k.clone(), i) {
                        out.push(RowIssue {
                            row: i,
                            reason: format!(
                                "annotation {k:?} is given twice (rows {} and {}); keep one",
                                first + 1,
                                i + 1
                            ),
                            suggestions: Vec::new(),
                        });
                    }
                    if !self.oci {
                        out.push(RowIssue {
                            row: i,
                            reason: "annotations need an OCI index, but this list is a Docker \
                                     manifest list; press f in the list to change its format"
                                .to_string(),
                            suggestions: Vec::new(),
                        });
                    }
                }
                _ => out.push(RowIssue {
                    row: i,
                    reason: "write an annotation as KEY=VALUE (an empty row is ignored)"
                        .to_string(),
                    suggestions: Vec::new(),
                }),
            }
        }
        out.sort_by_key(|i| i.row);
        out
    }

    /// Known values for the focused row that match what is typed (or the text typed before
    /// Tab cycling began).
    pub fn completions(&self) -> Vec<String> {
        let Some(r) = self.rows.get(self.focus) else {
            return Vec::new();
        };
        let RowKind::Platform(f) = r.kind else {
            return Vec::new();
        };
        let typed = match &self.cycle {
            Some((base, _)) => base.as_str(),
            None => r.value(),
        };
        platform::completions(
            f,
            self.value(Field::Os),
            self.value(Field::Architecture),
            typed,
        )
    }

    /// The annotate options that turn the saved entry into what the form shows.
    pub fn options(&self) -> AnnotateOptions {
        let mut annotations: Vec<(String, String)> = Vec::new();
        let mut now: BTreeMap<String, String> = BTreeMap::new();
        let mut before: Vec<String> = Vec::new();
        for r in &self.rows {
            if r.kind != RowKind::Annotation {
                continue;
            }
            if let Some((k, _)) = r.original.split_once('=') {
                before.push(k.trim().to_string());
            }
            if let Some((k, v)) = r.value().split_once('=') {
                if !k.trim().is_empty() {
                    now.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        for k in before {
            if !now.contains_key(&k) {
                annotations.push((k, String::new()));
            }
        }
        annotations.extend(now);
        AnnotateOptions {
            os: Some(self.value(Field::Os).to_string()),
            arch: Some(self.value(Field::Architecture).to_string()),
            variant: Some(self.value(Field::Variant).to_string()),
            os_version: Some(self.value(Field::OsVersion).to_string()),
            os_features: vec![self.value(Field::OsFeatures).to_string()],
            replace_os_features: true,
            annotations,
            validate: true,
        }
    }

    fn focused_mut(&mut self) -> Option<&mut FormRow> {
        self.rows.get_mut(self.focus)
    }

    /// Keep exactly one empty annotation row at the end.
    fn tidy_rows(&mut self) {
        let empty_tail = self
            .rows
            .last()
            .is_some_and(|r| r.kind == RowKind::Annotation && r.value().is_empty());
        if !empty_tail {
            self.rows.push(FormRow::new(RowKind::Annotation, ""));
        }
    }

    fn move_focus(&mut self, delta: isize) {
        self.cycle = None;
        self.discard_armed = false;
        let n = self.rows.len() as isize;
        self.focus = (self.focus as isize + delta).clamp(0, n - 1) as usize;
    }

    /// Tab / Shift-Tab: put the next (previous) known value in the field.
    fn cycle_completion(&mut self, forward: bool) {
        let base = match &self.cycle {
            Some((b, _)) => b.clone(),
            None => self
                .rows
                .get(self.focus)
                .map(|r| r.value().to_string())
                .unwrap_or_default(),
        };
        if self.cycle.is_none() {
            self.cycle = Some((base.clone(), usize::MAX));
        }
        let cands = self.completions();
        if cands.is_empty() {
            self.cycle = None;
            return;
        }
        let n = cands.len();
        let pos = match self.cycle {
            Some((_, p)) if p != usize::MAX => {
                if forward {
                    (p + 1) % n
                } else {
                    (p + n - 1) % n
                }
            }
            _ => {
                if forward {
                    0
                } else {
                    n - 1
                }
            }
        };
        self.cycle = Some((base, pos));
        let v = cands[pos].clone();
        if let Some(r) = self.focused_mut() {
            r.set(&v);
        }
    }
}

fn split_features(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Clone, Debug)]
pub enum Mode {
    Normal,
    Prompt(Box<Prompt>),
    Confirm(Confirm),
    Form(Box<Form>),
}

/// Something to fix (or know) before pushing a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The entry it is about (index in store order), if one.
    pub entry: Option<usize>,
    pub text: String,
    /// True when the push would be refused; false for a notice (e.g. blobs will be copied).
    pub blocking: bool,
}

/// Everything to know before pushing `d` ([`ops::push_problems`]), with the editor's keys
/// to fix them.
pub fn problems(d: &Draft) -> Vec<Problem> {
    ops::push_problems(d)
        .into_iter()
        .map(|p| {
            let hint = match p.issue {
                ops::PushIssue::NoEntries => ": press a to add images",
                ops::PushIssue::EntryAnnotationsNeedOci => " (press f for an OCI index)",
                ops::PushIssue::ListAnnotationsNeedOci => " (press f)",
                _ => "",
            };
            Problem {
                entry: p.entry,
                blocking: p.blocking(),
                text: format!("{}{hint}", p.issue),
            }
        })
        .collect()
}

/// How a list's format is shown.
pub fn format_label(d: &Draft) -> &'static str {
    match (d.meta.format, d.kind().is_oci()) {
        (Some(Format::Oci), _) => "oci",
        (Some(Format::Docker), _) => "docker",
        (None, true) => "oci (auto)",
        (None, false) => "docker (auto)",
    }
}

#[derive(Debug)]
pub struct EditorState {
    pub rows: Vec<DraftRow>,
    pub load: Load,
    /// Cursor in `rows`.
    pub selected: usize,
    pub focus: Focus,
    /// Cursor in the selected list's entries.
    pub entry_sel: usize,
    pub mode: Mode,
    /// The store change the worker is running.
    pub in_flight: Option<StoreOp>,
    /// Store changes waiting for it.
    pub queue: VecDeque<StoreOp>,
    /// The last store change failed with this (shown until the next change).
    pub last_error: Option<String>,
    /// References seen (entries, items sent from the browser, the catalog and tags the
    /// browser listed), sorted for prefix completion.
    pub seen: std::collections::BTreeSet<String>,
    /// Items sent from the browser before any list existed: added once one is created.
    pub pending_add: Vec<Reference>,
    /// Key bindings (the form looks up its own keys while a field has focus).
    pub keymap: Keymap,
    /// Scroll offsets remembered between draws.
    pub lists_offset: std::cell::Cell<usize>,
    pub entries_offset: std::cell::Cell<usize>,
}

impl Default for EditorState {
    fn default() -> Self {
        Self::new(Keymap::default())
    }
}

impl EditorState {
    pub fn new(keymap: Keymap) -> Self {
        EditorState {
            rows: Vec::new(),
            load: Load::Idle,
            selected: 0,
            focus: Focus::Lists,
            entry_sel: 0,
            mode: Mode::Normal,
            in_flight: None,
            queue: VecDeque::new(),
            last_error: None,
            seen: Default::default(),
            pending_add: Vec::new(),
            keymap,
            lists_offset: Default::default(),
            entries_offset: Default::default(),
        }
    }

    pub fn contexts(&self) -> Vec<Context> {
        match self.mode {
            Mode::Form(_) => vec![Context::Form],
            _ => vec![Context::Editor, Context::List],
        }
    }

    pub fn field_focused(&self) -> bool {
        !matches!(self.mode, Mode::Normal)
    }

    pub fn busy(&self) -> bool {
        self.load.busy() || self.in_flight.is_some()
    }

    /// The selected list, when it loaded.
    pub fn draft(&self) -> Option<&Draft> {
        self.rows.get(self.selected)?.draft.as_ref().ok()
    }

    pub fn entry(&self) -> Option<&StoredEntry> {
        self.draft()?.entries.get(self.entry_sel)
    }

    /// Read the store again (unless a change is running: its reply brings the lists).
    pub fn refresh(&mut self, ctx: &mut Ctx) {
        if self.in_flight.is_none() {
            if self.rows.is_empty() {
                self.load = Load::Loading;
            }
            ctx.request(Slot::Drafts, Command::ListDrafts);
        }
    }

    /// Queue a store change; it runs when the one in flight is done.
    pub fn submit(&mut self, op: StoreOp, ctx: &mut Ctx) {
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
            if i != self.selected {
                self.entry_sel = 0;
            }
            self.selected = i;
        }
    }

    fn remember(&mut self, r: &Reference) {
        self.seen.insert(r.to_string());
    }

    /// A reply for the editor's slots.
    pub fn reply(&mut self, slot: Slot, reply: Reply, ctx: &mut Ctx) {
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
    pub fn set_rows(&mut self, rows: Vec<DraftRow>, focus: Option<&Reference>) {
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
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        let n = self.draft().map_or(0, |d| d.entries.len());
        self.entry_sel = self.entry_sel.min(n.saturating_sub(1));
        if self.draft().is_none() {
            self.focus = Focus::Lists;
        }
    }

    fn prompt(&mut self, kind: PromptKind) {
        let (label, initial, ph) = match kind {
            PromptKind::New(Format::Docker) => (
                "new Docker list",
                String::new(),
                "target, e.g. 127.0.0.1:5000/myapp:v1",
            ),
            PromptKind::New(Format::Oci) => (
                "new OCI index",
                String::new(),
                "target, e.g. 127.0.0.1:5000/myapp:v1",
            ),
            PromptKind::Rename => (
                "target",
                self.draft().map(|d| d.list.to_string()).unwrap_or_default(),
                "registry/repository:tag",
            ),
            PromptKind::Add => (
                "add",
                String::new(),
                "image or list references, space-separated (Tab completes)",
            ),
        };
        self.mode = Mode::Prompt(Box::new(Prompt {
            kind,
            field: TextField::new(label, &initial, ph),
            error: None,
            cycle: None,
        }));
    }

    /// A bound action; false when not handled here.
    pub fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Prompt(p) => return self.prompt_action(p, action, ctx),
            Mode::Confirm(c) => {
                match action {
                    Action::Submit => match c {
                        Confirm::DeleteList(list) => self.submit(StoreOp::Delete { list }, ctx),
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
                return true;
            }
            Mode::Form(f) => return self.form_action(f, action, ctx),
            Mode::Normal => {}
        }
        let n_lists = self.rows.len();
        let n_entries = self.draft().map_or(0, |d| d.entries.len());
        let mv = |sel: &mut usize, n: usize, d: isize| {
            if n > 0 {
                *sel = (*sel as isize + d).clamp(0, n as isize - 1) as usize;
            }
        };
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let d: isize = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -10,
                    Action::PageDown => 10,
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                match self.focus {
                    Focus::Lists => {
                        let before = self.selected;
                        mv(&mut self.selected, n_lists, d);
                        if before != self.selected {
                            self.entry_sel = 0;
                            self.entries_offset.set(0);
                        }
                    }
                    Focus::Entries => mv(&mut self.entry_sel, n_entries, d),
                }
            }
            Action::Open => match self.focus {
                Focus::Lists if self.draft().is_some() => self.focus = Focus::Entries,
                Focus::Lists => return false,
                Focus::Entries => self.open_form(),
            },
            Action::Back if self.focus == Focus::Entries => self.focus = Focus::Lists,
            Action::NewList => self.prompt(PromptKind::New(Format::Docker)),
            Action::NewOciList => self.prompt(PromptKind::New(Format::Oci)),
            Action::AddEntry => {
                if self.draft().is_some() {
                    self.prompt(PromptKind::Add)
                } else {
                    ctx.info("create a list first: n (Docker list) or N (OCI index)");
                }
            }
            Action::Rename if self.draft().is_some() => self.prompt(PromptKind::Rename),
            Action::Delete => match (self.focus, self.draft(), self.entry()) {
                (Focus::Entries, Some(d), Some(e)) => {
                    self.mode = Mode::Confirm(Confirm::RemoveEntry {
                        list: d.list.clone(),
                        entry: e.reference.clone(),
                    })
                }
                (_, Some(d), _) => self.mode = Mode::Confirm(Confirm::DeleteList(d.list.clone())),
                _ => return false,
            },
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
            Action::CycleFormat => {
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
            }
            Action::Push | Action::PushPurge => self.push(action == Action::PushPurge, ctx),
            Action::Refresh => self.refresh(ctx),
            _ => return false,
        }
        true
    }

    fn push(&mut self, purge: bool, ctx: &mut Ctx) {
        let Some(d) = self.draft() else {
            ctx.info("nothing to push: create a list first (n)");
            return;
        };
        if self.in_flight.is_some() || !self.queue.is_empty() {
            ctx.info("wait until the store change in progress is done, then push");
            return;
        }
        let blocking: Vec<String> = problems(d)
            .into_iter()
            .filter(|p| p.blocking)
            .map(|p| match p.entry {
                Some(i) => format!("entry {}: {}", i + 1, p.text),
                None => p.text,
            })
            .collect();
        if !blocking.is_empty() {
            ctx.error(format!(
                "cannot push {}: {}. Fix them in the editor (Enter on an entry annotates it, d removes it)",
                d.list,
                blocking.join("; ")
            ));
            return;
        }
        let list = d.list.clone();
        ctx.request(Slot::Push, Command::Push { list, purge });
        ctx.emit(AppEvent::Show(PaneId::Push));
    }

    fn open_form(&mut self) {
        if let (Some(d), Some(e)) = (self.draft(), self.entry()) {
            self.mode = Mode::Form(Box::new(Form::new(d, e)));
        }
    }

    fn prompt_action(&mut self, mut p: Box<Prompt>, action: Action, ctx: &mut Ctx) -> bool {
        match action {
            Action::Cancel => return true,
            Action::Submit => {}
            _ => {
                self.mode = Mode::Prompt(p);
                return false;
            }
        }
        let value = p.field.value().trim().to_string();
        let refuse = |s: &mut Self, mut p: Box<Prompt>, msg: String| {
            p.error = Some(msg);
            s.mode = Mode::Prompt(p);
            true
        };
        if value.is_empty() {
            return refuse(self, p, "type a reference, or Esc to cancel".into());
        }
        match p.kind {
            PromptKind::New(_) | PromptKind::Rename => {
                let r = match Reference::parse(&value) {
                    Ok(r) if r.digest.is_some() => {
                        return refuse(
                            self,
                            p,
                            "a list is pushed under a tag, not a digest: REPOSITORY:TAG".into(),
                        )
                    }
                    Ok(r) => r.with_default_tag(),
                    Err(e) => return refuse(self, p, e.to_string()),
                };
                if let PromptKind::New(format) = p.kind {
                    let exists = self
                        .rows
                        .iter()
                        .any(|row| row.draft.as_ref().is_ok_and(|d| d.list == r));
                    if exists {
                        return refuse(self, p, format!("{r} already exists: pick it in the list"));
                    }
                    self.submit(
                        StoreOp::New {
                            list: r.clone(),
                            format,
                        },
                        ctx,
                    );
                    let pending = std::mem::take(&mut self.pending_add);
                    if !pending.is_empty() {
                        self.submit(
                            StoreOp::AddEntries {
                                list: r,
                                refs: pending,
                            },
                            ctx,
                        );
                    }
                } else if let Some(d) = self.draft() {
                    let from = d.list.clone();
                    self.submit(StoreOp::Rename { from, to: r }, ctx);
                }
            }
            PromptKind::Add => {
                let Some(list) = self.draft().map(|d| d.list.clone()) else {
                    return true;
                };
                let mut refs = Vec::new();
                for word in value.split_whitespace() {
                    match Reference::parse(word) {
                        Ok(r) => refs.push(r),
                        Err(e) => {
                            p.cycle = None;
                            return refuse(self, p, e.to_string());
                        }
                    }
                }
                for r in &refs {
                    self.remember(r);
                }
                self.focus = Focus::Entries;
                self.submit(StoreOp::AddEntries { list, refs }, ctx);
            }
        }
        true
    }

    fn form_action(&mut self, mut f: Box<Form>, action: Action, ctx: &mut Ctx) -> bool {
        match action {
            Action::Cancel => {
                f.cycle = None;
                let focus = f.focus;
                let row_modified = f.rows.get(focus).is_some_and(|r| r.modified());
                if row_modified {
                    // Esc undoes the field's edit first.
                    if let Some(r) = f.rows.get_mut(focus) {
                        let o = r.original.clone();
                        r.set(&o);
                    }
                    f.discard_armed = false;
                    self.mode = Mode::Form(f);
                } else if f.modified() && !f.discard_armed {
                    f.discard_armed = true;
                    self.mode = Mode::Form(f);
                } else {
                    self.focus = Focus::Entries;
                }
                true
            }
            Action::Submit => {
                f.discard_armed = false;
                f.cycle = None;
                if f.saving {
                    self.mode = Mode::Form(f);
                    return true;
                }
                let issues = f.issues();
                if let Some(first) = issues.first() {
                    f.error = Some(format!("not saved: {}", first.reason));
                    f.focus = first.row;
                    self.mode = Mode::Form(f);
                    return true;
                }
                if !f.modified() {
                    self.focus = Focus::Entries;
                    return true;
                }
                let opts = f.options();
                // The same pure check the store runs, so a refusal is shown in the form.
                if let Some(e) = self.entry().filter(|e| e.reference == f.entry) {
                    if let Err(err) =
                        ops::apply_annotation(&e.platform(), &e.descriptor.annotations, &opts)
                    {
                        f.error = Some(format!("not saved: {err}"));
                        self.mode = Mode::Form(f);
                        return true;
                    }
                }
                f.error = None;
                f.saving = true;
                let op = StoreOp::Annotate {
                    list: f.list.clone(),
                    entry: EntrySelector::Reference(f.entry.clone()),
                    opts,
                };
                self.mode = Mode::Form(f);
                self.submit(op, ctx);
                true
            }
            _ => {
                self.mode = Mode::Form(f);
                false
            }
        }
    }

    /// A key for the focused prompt, confirmation or form field.
    pub fn field_key(&mut self, key: &KeyEvent) {
        match &mut self.mode {
            Mode::Prompt(p) => {
                if p.kind == PromptKind::Add {
                    if let Some(a) = self.keymap.lookup(Context::Form, key) {
                        if matches!(a, Action::Complete | Action::CompletePrev) {
                            cycle_reference(p, &self.seen, a == Action::Complete);
                            return;
                        }
                    }
                }
                if p.field.key(key) {
                    p.error = None;
                    p.cycle = None;
                }
            }
            Mode::Form(f) => {
                if f.saving {
                    return;
                }
                match self.keymap.lookup(Context::Form, key) {
                    Some(Action::NextField) => f.move_focus(1),
                    Some(Action::PrevField) => f.move_focus(-1),
                    Some(Action::Complete) => f.cycle_completion(true),
                    Some(Action::CompletePrev) => f.cycle_completion(false),
                    _ => {
                        let focus = f.focus;
                        if let Some(r) = f.rows.get_mut(focus) {
                            if r.field.key(key) {
                                f.cycle = None;
                                f.error = None;
                                f.discard_armed = false;
                                f.tidy_rows();
                            }
                        }
                    }
                }
            }
            Mode::Confirm(_) | Mode::Normal => {}
        }
    }

    pub fn paste(&mut self, text: &str) {
        match &mut self.mode {
            Mode::Prompt(p) => {
                let changed = p.field.paste(text);
                if changed {
                    p.error = None;
                    p.cycle = None;
                }
            }
            Mode::Form(f) if !f.saving => {
                let focus = f.focus;
                if let Some(r) = f.rows.get_mut(focus) {
                    if r.field.paste(text) {
                        f.cycle = None;
                        f.error = None;
                        f.tidy_rows();
                    }
                }
            }
            _ => {}
        }
    }

    /// An image or list sent from the browser: added to the selected list, or kept until a
    /// list is created.
    pub fn receive(&mut self, item: &EditorItem, ctx: &mut Ctx) {
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
                self.prompt(PromptKind::New(Format::Docker));
                ctx.info(format!(
                    "no local list yet: type a target for the new list; {} will be added to it",
                    item.reference
                ));
            }
        }
        ctx.emit(AppEvent::Show(PaneId::Editor));
    }
}

/// Tab in the add prompt: complete the last word from the references seen.
fn cycle_reference(p: &mut Prompt, seen: &std::collections::BTreeSet<String>, forward: bool) {
    let text = p.field.value().to_string();
    let (head, word) = match text.rfind(' ') {
        Some(i) => (text[..=i].to_string(), text[i + 1..].to_string()),
        None => (String::new(), text.clone()),
    };
    let base = match &p.cycle {
        Some((b, _)) => b.clone(),
        None => word,
    };
    let cands: Vec<&String> = seen
        .range(base.clone()..)
        .take_while(|s| s.starts_with(&base))
        .collect();
    if cands.is_empty() {
        p.error = Some(format!("nothing seen starts with {base:?}"));
        return;
    }
    let n = cands.len();
    let pos = match p.cycle {
        Some((_, i)) if forward => (i + 1) % n,
        Some((_, i)) => (i + n - 1) % n,
        None if forward => 0,
        None => n - 1,
    };
    let label = p.field.label;
    let mut f = TextField::new(label, &format!("{head}{}", cands[pos]), "");
    std::mem::swap(&mut p.field, &mut f);
    p.cycle = Some((base, pos));
}

/// A six-entry list of the sample images (for tests and snapshots).
#[doc(hidden)]
pub fn sample_draft(host: &str, target: &str) -> Draft {
    let entries = crate::samples::images("v1", false)
        .into_iter()
        .filter_map(|img| {
            let raw = crate::media::RawManifest::new(img.manifest.clone(), img.media_type).ok()?;
            let r = Reference::parse(&format!("{host}/{}", img.reference())).ok()?;
            Some(StoredEntry::new(r, raw, img.platform.clone()))
        })
        .collect::<Vec<_>>();
    let mut entries = entries;
    entries.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Draft {
        list: Reference::parse(&format!("{host}/{target}"))
            .map(Reference::with_default_tag)
            .expect("a valid sample target"),
        entries,
        meta: Default::default(),
    }
}

/// Store rows for tests: each draft as a row.
#[doc(hidden)]
pub fn rows_of(drafts: Vec<Draft>) -> Vec<DraftRow> {
    drafts
        .into_iter()
        .map(|d| DraftRow {
            dir_name: d.list.store_name(),
            draft: Ok(d),
        })
        .collect()
}
