//! The pane interface. Every pane (browser, compare, draft editor, push progress)
//! implements [`Pane`]; the app owns them as `Box<dyn Pane>` and:
//! - offers each key press to the active pane's focused text field first
//!   ([`Pane::field_focused`] / [`Pane::field_key`]), then resolves it through the keymap in
//!   the pane's [`Pane::contexts`] and calls [`Pane::action`], then tries global bindings;
//! - routes each non-stale worker reply to the pane that [`Pane::owns`] its slot;
//! - broadcasts [`AppEvent`]s that panes emit through [`Ctx`] to every pane
//!   ([`Pane::app_event`]) — panes never call each other;
//! - draws the active pane into the body area with [`Pane::draw`].
//!
//! Panes never touch the network, the disk or the terminal: they ask through [`Ctx`], which
//! is plain data (so transitions are unit-testable without a runtime).

use super::keymap::{Action, Context, Keymap};
use super::theme::Theme;
use super::worker::{Command, RequestId, Requests, Slot, ToWorker, WorkerEvent};
use crate::media::Descriptor;
use crate::ops::Source;
use crate::reference::Reference;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

/// The panes, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaneId {
    Browser,
    Compare,
    Editor,
    Push,
}

/// A side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    A,
    B,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeLevel {
    /// Shown in the status bar until the next key.
    Info,
    /// A dismissable box over the screen; the state under it is untouched.
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub(crate) level: NoticeLevel,
    pub(crate) text: String,
}

/// Something sent to the draft editor from the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorItem {
    /// `repo@digest` or `repo:tag` of the image or list.
    pub(crate) reference: Reference,
    /// The descriptor as the list has it (platform, annotations), when sent from a list.
    pub(crate) descriptor: Option<Descriptor>,
}

/// Messages between panes (and from panes to the app).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppEvent {
    Notice(Notice),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Set one side of the comparison.
    SetCompareSide(Side, Source),
    /// Hand an image or list to the draft editor.
    SendToEditor(Box<EditorItem>),
    /// Make a pane the active one.
    Show(PaneId),
    /// References the user came across (a repository's tags, the catalog): the editor
    /// completes from them. Never consumed, so every pane may listen.
    Seen(Vec<String>),
    /// Push a list or copy an image or a list: the push view runs it and shows its progress.
    /// Every push and copy starts here, so one cannot silently cancel another.
    StartTransfer(Box<Transfer>),
    /// A repository's tags changed (a copy, retag or delete landed): whoever shows them
    /// reads them again. Never consumed.
    TagsChanged(crate::registry::Repo),
}

/// The work the push view runs, one at a time, and what its retry runs again unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// Push a local list; `purge` deletes it afterwards.
    Push {
        list: Reference,
        purge: bool,
    },
    Copy(crate::ops::CopyJob),
    /// Mirror what a plan the user saw lists, as planned (one row per image).
    Sync(SyncJob),
}

/// A sync to run: what was planned, where to, and the plan itself (shown first, run as
/// shown).
#[derive(Clone, Debug)]
pub struct SyncJob {
    pub(crate) source: crate::ops::SyncSource,
    /// `REG[/NAMESPACE]` as typed.
    pub(crate) dest: String,
    pub(crate) plan: std::sync::Arc<crate::ops::SyncPlan>,
}

/// The same sync: the same source and destination, the very plan shown.
impl PartialEq for SyncJob {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.dest == other.dest
            && std::sync::Arc::ptr_eq(&self.plan, &other.plan)
    }
}
impl Eq for SyncJob {}

impl Transfer {
    /// The worker's command for it.
    pub(crate) fn command(&self) -> Command {
        match self {
            Transfer::Push { list, purge } => Command::Push {
                list: list.clone(),
                purge: *purge,
            },
            Transfer::Copy(job) => Command::Copy(job.clone()),
            Transfer::Sync(job) => Command::Sync {
                plan: job.plan.clone(),
            },
        }
    }

    /// "push" or "copy", for the messages about it.
    pub(crate) fn verb(&self) -> &'static str {
        match self {
            Transfer::Push { .. } => "push",
            Transfer::Copy(_) => "copy",
            Transfer::Sync(_) => "sync",
        }
    }

    /// Where it writes, for the messages: the list pushed, the copy's target as typed,
    /// the sync's destination.
    pub(crate) fn target(&self) -> String {
        match self {
            Transfer::Sync(job) => job.dest.clone(),
            _ => self.written().map(ToString::to_string).unwrap_or_default(),
        }
    }

    /// The one reference it writes: a push's list, a copy's target (a sync writes many).
    pub(crate) fn written(&self) -> Option<&Reference> {
        match self {
            Transfer::Push { list, .. } => Some(list),
            Transfer::Copy(job) => Some(&job.dst),
            Transfer::Sync(_) => None,
        }
    }
}

/// What a pane may ask of the app. Plain data: the app drains it after each call.
#[derive(Debug, Default)]
pub struct Ctx {
    pub(crate) requests: Requests,
    /// Messages for the worker, in order.
    pub(crate) outbox: Vec<ToWorker>,
    /// App events, in order.
    pub(crate) events: Vec<AppEvent>,
    /// The key table in use: messages name the keys from it ([`Ctx::key`]).
    pub(crate) keymap: std::sync::Arc<Keymap>,
}

impl Ctx {
    /// Start a request in `slot`, cancelling the one it supersedes.
    pub(crate) fn request(&mut self, slot: Slot, command: Command) -> RequestId {
        let (id, old) = self.requests.begin(slot);
        if let Some(old) = old {
            self.outbox.push(ToWorker::Cancel(old));
        }
        self.outbox.push(ToWorker::Run { id, slot, command });
        id
    }

    /// Cancel the slot's request, if one is in flight.
    pub(crate) fn cancel(&mut self, slot: Slot) {
        if let Some(old) = self.requests.cancel(slot) {
            self.outbox.push(ToWorker::Cancel(old));
        }
    }

    /// Fire-and-forget command (no reply is listened to).
    pub(crate) fn tell(&mut self, command: Command) {
        let (id, _) = self.requests.begin_untracked();
        self.outbox.push(ToWorker::Run {
            id,
            slot: Slot::Registries,
            command,
        });
    }

    /// The key to name in a message about `action` ([`Keymap::key`]).
    pub(crate) fn key(&self, context: Context, action: Action) -> String {
        self.keymap.key(context, action)
    }

    pub(crate) fn emit(&mut self, ev: AppEvent) {
        self.events.push(ev);
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.emit(AppEvent::Notice(Notice {
            level: NoticeLevel::Info,
            text: text.into(),
        }));
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.emit(AppEvent::Notice(Notice {
            level: NoticeLevel::Error,
            text: text.into(),
        }));
    }
}

/// What drawing needs besides the pane's own state.
pub struct View<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    /// Spinner frame counter (advances on ticks while something is loading).
    pub spinner: usize,
}

impl View<'_> {
    /// The key to name in a hint about `action` ([`Keymap::key`]).
    pub(crate) fn key(&self, context: Context, action: Action) -> String {
        self.keymap.key(context, action)
    }

    pub(crate) fn spinner(&self) -> &'static str {
        super::theme::SPINNER[self.spinner % super::theme::SPINNER.len()]
    }
}

pub trait Pane {
    fn id(&self) -> PaneId;
    /// The tab title.
    fn title(&self) -> String;
    /// Keymap contexts active now, most specific first (`Global` is added by the app).
    fn contexts(&self) -> Vec<Context>;
    /// True while a text field has focus: it then gets keys before any binding.
    fn field_focused(&self) -> bool {
        false
    }
    /// A key for the focused field (the app has already handled the `Field` context's
    /// Submit/Cancel by calling [`Pane::action`]).
    fn field_key(&mut self, _key: &KeyEvent, _ctx: &mut Ctx) {}
    /// Pasted text (bracketed paste), for the focused field.
    fn paste(&mut self, _text: &str, _ctx: &mut Ctx) {}
    /// A bound action; return false when the pane does not handle it.
    fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool;
    /// Does this pane listen to `slot`?
    fn owns(&self, slot: Slot) -> bool;
    /// A current (non-stale) reply for one of the pane's slots.
    fn worker_event(&mut self, ev: WorkerEvent, ctx: &mut Ctx);
    /// An event from another pane; return true when consumed (stops the broadcast).
    fn app_event(&mut self, _ev: &AppEvent, _ctx: &mut Ctx) -> bool {
        false
    }
    /// The pane became the active one.
    fn on_show(&mut self, _ctx: &mut Ctx) {}
    /// True while something animates (a spinner): the app ticks only then.
    fn busy(&self) -> bool {
        false
    }
    fn draw(&self, frame: &mut Frame, area: Rect, view: &View);
}
