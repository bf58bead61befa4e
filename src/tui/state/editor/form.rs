//! The annotation form of one entry: a row per platform field and per annotation, checked
//! on every keystroke, with Tab completion from the known platform values.

use super::{EditorState, Focus, Mode};
use crate::ops::{self, AnnotateOptions, EntrySelector};
use crate::platform::{self, Field, Platform, PlatformIssue};
use crate::reference::Reference;
use crate::store::{Draft, StoredEntry};
use crate::tui::field::{cycle_position, TextField};
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::pane::Ctx;
use crate::tui::worker::StoreOp;
use ratatui::crossterm::event::KeyEvent;
use std::collections::BTreeMap;

/// What a form row edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Platform(Field),
    /// A `KEY=VALUE` annotation row.
    Annotation,
}

#[derive(Clone, Debug)]
pub struct FormRow {
    pub(crate) kind: RowKind,
    pub(crate) field: TextField,
    /// The saved value (Esc goes back to it; a difference marks the row as unsaved).
    pub(crate) original: String,
}

impl FormRow {
    fn new(kind: RowKind, value: &str) -> FormRow {
        FormRow {
            kind,
            field: TextField::new(row_label(kind), value, row_placeholder(kind)),
            original: value.to_string(),
        }
    }

    pub(crate) fn value(&self) -> &str {
        self.field.value()
    }

    pub(crate) fn modified(&self) -> bool {
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
    pub(crate) row: usize,
    pub(crate) reason: String,
    pub(crate) suggestions: Vec<String>,
}

/// The annotation form of one entry.
#[derive(Clone, Debug)]
pub struct Form {
    pub(crate) list: Reference,
    pub(crate) entry: Reference,
    /// `os/arch[/variant]` as saved, for the title.
    pub(crate) label: String,
    /// The list is pushed as an OCI index (annotations allowed).
    pub(crate) oci: bool,
    pub(crate) rows: Vec<FormRow>,
    pub(crate) focus: usize,
    /// Tab cycling: the text typed before cycling and the position in its completions.
    pub(crate) cycle: Option<(String, usize)>,
    /// Why the last save was refused (locally or by the store).
    pub(crate) error: Option<String>,
    /// Sent to the worker, waiting for the answer.
    pub(crate) saving: bool,
    /// Esc was pressed once with unsaved changes: a second Esc discards them.
    pub(crate) discard_armed: bool,
}

pub(crate) const PLATFORM_FIELDS: [Field; 5] = [
    Field::Os,
    Field::Architecture,
    Field::Variant,
    Field::OsVersion,
    Field::OsFeatures,
];

impl Form {
    pub(crate) fn new(list: &Draft, e: &StoredEntry) -> Form {
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
            label: crate::text::platform_label(&p),
            oci: list.kind().is_oci(),
            rows,
            focus: 0,
            cycle: None,
            error: None,
            saving: false,
            discard_armed: false,
        }
    }

    pub(crate) fn modified(&self) -> bool {
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
    pub(crate) fn platform(&self) -> Platform {
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
    /// What is wrong with the form's rows; `keymap` names the key that fixes one.
    pub(crate) fn issues(&self, keymap: &Keymap) -> Vec<RowIssue> {
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
                            reason: format!(
                                "annotations need an OCI index, but this list is a Docker \
                                 manifest list; press {} in the list to change its format",
                                keymap.key(Context::Editor, Action::CycleFormat)
                            ),
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
    pub(crate) fn completions(&self) -> Vec<String> {
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
    pub(crate) fn options(&self) -> AnnotateOptions {
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

    /// Tab / Shift-Tab: put the next (previous) known value in the field
    /// ([`cycle_position`]).
    fn cycle_completion(&mut self, forward: bool) {
        // From the text typed before cycling began, or what is typed now.
        let cands = self.completions();
        if cands.is_empty() {
            self.cycle = None;
            return;
        }
        let (base, pos) = match self.cycle.take() {
            Some((b, p)) => (b, Some(p)),
            None => (
                self.rows
                    .get(self.focus)
                    .map(|r| r.value().to_string())
                    .unwrap_or_default(),
                None,
            ),
        };
        let pos = cycle_position(pos, cands.len(), forward);
        self.cycle = Some((base, pos));
        let v = cands[pos].clone();
        if let Some(r) = self.focused_mut() {
            r.set(&v);
        }
    }

    /// A key while a row has focus: move between rows, complete, or edit the row.
    pub(super) fn key(&mut self, keymap: &Keymap, key: &KeyEvent) {
        if self.saving {
            return;
        }
        match keymap.lookup(Context::Form, key) {
            Some(Action::NextField) => self.move_focus(1),
            Some(Action::PrevField) => self.move_focus(-1),
            Some(Action::Complete) => self.cycle_completion(true),
            Some(Action::CompletePrev) => self.cycle_completion(false),
            _ => {
                let focus = self.focus;
                if let Some(r) = self.rows.get_mut(focus) {
                    if r.field.key(key) {
                        self.cycle = None;
                        self.error = None;
                        self.discard_armed = false;
                        self.tidy_rows();
                    }
                }
            }
        }
    }

    /// Pasted text goes into the focused row.
    pub(super) fn paste(&mut self, text: &str) {
        if self.saving {
            return;
        }
        let focus = self.focus;
        if let Some(r) = self.rows.get_mut(focus) {
            if r.field.paste(text) {
                self.cycle = None;
                self.error = None;
                self.tidy_rows();
            }
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

impl EditorState {
    pub(super) fn open_form(&mut self) {
        if let (Some(d), Some(e)) = (self.draft(), self.entry()) {
            self.mode = Mode::Form(Box::new(Form::new(d, e)));
        }
    }
    pub(super) fn form_action(&mut self, mut f: Box<Form>, action: Action, ctx: &mut Ctx) -> bool {
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
                let issues = f.issues(&ctx.keymap);
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
}
