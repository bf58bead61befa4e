//! The one-line prompt: a new list's target, a new target for a list, or references to add,
//! with Tab completion from the references seen (or from each reading of an ambiguous name).

use super::{EditorState, Focus, Mode};
use crate::reference::Reference;
use crate::store::{Draft, Format};
use crate::tui::field::{complete_last_word, TextField};
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::pane::Ctx;
use crate::tui::worker::StoreOp;
use ratatui::crossterm::event::KeyEvent;
use std::collections::BTreeSet;

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
    pub(crate) kind: PromptKind,
    pub(crate) field: TextField,
    /// Why the last submission was refused.
    pub(crate) error: Option<String>,
    /// Tab cycling: the word typed before cycling, and the position in its candidates.
    pub(crate) cycle: Option<(String, usize)>,
}

impl Prompt {
    /// A key while the prompt has focus. `seen` completes references to add; `selected` is the
    /// selected list (Tab offers each reading of an ambiguous one's name).
    pub(super) fn key(
        &mut self,
        keymap: &Keymap,
        key: &KeyEvent,
        seen: &BTreeSet<String>,
        selected: Option<&Draft>,
    ) {
        let complete = keymap.lookup(Context::Form, key);
        if let Some(a @ (Action::Complete | Action::CompletePrev)) = complete {
            let forward = a == Action::Complete;
            if self.kind == PromptKind::Add {
                cycle_reference(self, seen, forward);
                return;
            }
            // The target of an ambiguous list: Tab offers each reading of its name.
            let readings = match selected {
                Some(d) if self.kind == PromptKind::Rename => d.ambiguous(),
                _ => None,
            };
            if let Some(r) = readings {
                let set = r.iter().map(Reference::to_string).collect();
                cycle_reference(self, &set, forward);
                return;
            }
        }
        if self.field.key(key) {
            self.error = None;
            self.cycle = None;
        }
    }

    pub(super) fn paste(&mut self, text: &str) {
        if self.field.paste(text) {
            self.error = None;
            self.cycle = None;
        }
    }
}

impl EditorState {
    pub(super) fn prompt(&mut self, kind: PromptKind, ctx: &Ctx) {
        let (label, initial, ph) = match kind {
            PromptKind::New(Format::Docker) => (
                "new Docker list",
                String::new(),
                "target, e.g. 127.0.0.1:5000/myapp:v1".to_string(),
            ),
            PromptKind::New(Format::Oci) => (
                "new OCI index",
                String::new(),
                "target, e.g. 127.0.0.1:5000/myapp:v1".to_string(),
            ),
            // A docker-made list with an ambiguous name starts empty: its first reading is
            // only a guess, and Tab offers each reading.
            PromptKind::Rename => match self.draft() {
                Some(d) if d.ambiguous().is_some() => (
                    "target",
                    String::new(),
                    format!(
                        "the exact registry/repository:tag ({} offers each reading)",
                        ctx.key(Context::Form, Action::Complete)
                    ),
                ),
                d => (
                    "target",
                    d.map(|d| d.list.to_string()).unwrap_or_default(),
                    "registry/repository:tag".to_string(),
                ),
            },
            PromptKind::Add => (
                "add",
                String::new(),
                format!(
                    "image or list references, space-separated ({} completes)",
                    ctx.key(Context::Form, Action::Complete)
                ),
            ),
        };
        self.mode = Mode::Prompt(Box::new(Prompt {
            kind,
            field: TextField::new(label, &initial, &ph),
            error: None,
            cycle: None,
        }));
    }
    pub(super) fn prompt_action(
        &mut self,
        mut p: Box<Prompt>,
        action: Action,
        ctx: &mut Ctx,
    ) -> bool {
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
            let cancel = ctx.key(Context::Field, Action::Cancel);
            return refuse(self, p, format!("type a reference, or {cancel} to cancel"));
        }
        let result = match p.kind {
            PromptKind::New(_) | PromptKind::Rename => self.submit_list_name(p.kind, &value, ctx),
            PromptKind::Add => {
                let r = self.submit_add(&value, ctx);
                if r.is_err() {
                    p.cycle = None;
                }
                r
            }
        };
        match result {
            Ok(()) => true,
            Err(msg) => refuse(self, p, msg),
        }
    }

    /// A new list's name, or a list's new name: refused (with why) when it names a digest
    /// or a list already stored; a new list takes the images waiting to be added.
    fn submit_list_name(
        &mut self,
        kind: PromptKind,
        value: &str,
        ctx: &mut Ctx,
    ) -> Result<(), String> {
        let r = match Reference::parse(value) {
            Ok(r) if r.digest.is_some() => {
                return Err("a list is pushed under a tag, not a digest: REPOSITORY:TAG".into())
            }
            Ok(r) => r.with_default_tag(),
            Err(e) => return Err(e.to_string()),
        };
        if let PromptKind::New(format) = kind {
            let exists = self.rows.iter().find_map(|row| {
                row.draft
                    .as_ref()
                    .ok()
                    .filter(|d| d.list.store_name() == r.store_name())
            });
            if let Some(d) = exists {
                return Err(format!(
                    "{r} is stored as {}: pick it in the list",
                    d.shown_name()
                ));
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
        Ok(())
    }

    /// Images to add to the draft, space-separated: refused at the first that does not
    /// parse.
    fn submit_add(&mut self, value: &str, ctx: &mut Ctx) -> Result<(), String> {
        let Some(list) = self.draft().map(|d| d.list.clone()) else {
            return Ok(());
        };
        let refs = value
            .split_whitespace()
            .map(|w| Reference::parse(w).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        for r in &refs {
            self.remember(r);
        }
        self.focus = Focus::Entries;
        self.submit(StoreOp::AddEntries { list, refs }, ctx);
        Ok(())
    }
}

/// Tab in the add prompt: complete the last word from the references seen.
fn cycle_reference(p: &mut Prompt, seen: &BTreeSet<String>, forward: bool) {
    if let Err(e) = complete_last_word(&mut p.field, &mut p.cycle, seen, forward) {
        p.error = Some(e);
    }
}
