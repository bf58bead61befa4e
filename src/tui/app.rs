//! The app: owns the panes, routes keys, worker replies and app events, and draws the frame.
//! No I/O happens here: worker messages collect in [`App::take_outbox`], clipboard writes in
//! [`App::take_clipboard`]; the event loop in `mod.rs` does the sending and writing.

use super::keymap::{Action, Context, Keymap};
use super::pane::{AppEvent, Ctx, Notice, NoticeLevel, Pane, PaneId, View};
use super::panes::{self, browser::BrowserPane, compare::ComparePane};
use super::panes::{editor::EditorPane, push::PushPane};
use super::state::browser::BrowserState;
use super::theme::Theme;
use super::worker::{Reply, ToWorker, WorkerEvent};
use crate::registry::RateLimit;
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::layout::{Constraint, Layout};
use ratatui::Frame;

/// What the event loop should do after an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Quit,
    Suspend,
}

pub struct App {
    pub(crate) panes: Vec<Box<dyn Pane>>,
    pub(crate) active: usize,
    pub(crate) ctx: Ctx,
    pub(crate) keymap: Keymap,
    pub(crate) theme: Theme,
    /// A dismissable error over the screen.
    pub(crate) notice: Option<Notice>,
    /// An informational message in the status bar, cleared by the next key.
    pub(crate) info: Option<String>,
    /// The help overlay's scroll position, when shown.
    pub(crate) help: Option<usize>,
    /// The pull quotas registries stated (shown at the right of the status bar).
    pub(crate) rate_limits: Vec<(String, RateLimit)>,
    /// Needs a redraw.
    pub(crate) dirty: bool,
    pub(crate) spinner: usize,
    clipboard: Vec<String>,
    control: Control,
}

impl App {
    /// The app with the browser and the comparison panes.
    pub(crate) fn new(keymap: Keymap, theme: Theme) -> App {
        App::with_panes(
            vec![
                Box::new(BrowserPane::new(BrowserState::new())),
                Box::new(ComparePane::default()),
                Box::new(EditorPane::new()),
                Box::new(PushPane::default()),
            ],
            keymap,
            theme,
        )
    }

    pub(crate) fn with_panes(panes: Vec<Box<dyn Pane>>, keymap: Keymap, theme: Theme) -> App {
        App {
            panes,
            active: 0,
            ctx: Ctx {
                keymap: std::sync::Arc::new(keymap.clone()),
                ..Ctx::default()
            },
            keymap,
            theme,
            notice: None,
            info: None,
            help: None,
            rate_limits: Vec::new(),
            dirty: true,
            spinner: 0,
            clipboard: Vec::new(),
            control: Control::Continue,
        }
    }

    pub(crate) fn active_pane(&self) -> &dyn Pane {
        self.panes[self.active].as_ref()
    }

    #[cfg(test)]
    pub(crate) fn active_id(&self) -> PaneId {
        self.active_pane().id()
    }

    /// Messages for the worker collected since the last call.
    pub(crate) fn take_outbox(&mut self) -> Vec<ToWorker> {
        std::mem::take(&mut self.ctx.outbox)
    }

    /// Texts to put on the clipboard (OSC 52) since the last call.
    pub(crate) fn take_clipboard(&mut self) -> Vec<String> {
        std::mem::take(&mut self.clipboard)
    }

    /// What the loop should do now (resets to Continue after Suspend).
    pub(crate) fn take_control(&mut self) -> Control {
        let c = self.control;
        if c == Control::Suspend {
            self.control = Control::Continue;
        }
        c
    }

    /// Something animates: the loop ticks only then.
    pub(crate) fn busy(&self) -> bool {
        self.panes.iter().any(|p| p.busy())
    }

    pub(crate) fn tick(&mut self) {
        if self.busy() {
            self.spinner = self.spinner.wrapping_add(1);
            self.dirty = true;
        }
    }

    /// The contexts a key is looked up in, most specific first (without `Always`).
    pub(crate) fn contexts(&self) -> Vec<Context> {
        if self.notice.is_some() {
            return vec![Context::Notice];
        }
        if self.help.is_some() {
            return vec![Context::Help, Context::List];
        }
        let p = self.active_pane();
        let mut c = Vec::new();
        if p.field_focused() {
            c.push(Context::Field);
        }
        c.extend(p.contexts());
        c.push(Context::Global);
        c
    }

    /// A terminal key event. Only presses count (releases and repeats of keyboards that
    /// report them are ignored here, once, at the source).
    pub(crate) fn key(&mut self, key: KeyEvent) {
        if key.kind != KeyEventKind::Press {
            return;
        }
        self.dirty = true;
        self.info = None;
        // Ctrl-C / Ctrl-Z work everywhere, even in a text field.
        match self.keymap.lookup(Context::Always, &key) {
            Some(Action::ForceQuit) => {
                self.control = Control::Quit;
                return;
            }
            Some(Action::Suspend) => {
                self.control = Control::Suspend;
                return;
            }
            _ => {}
        }
        if self.notice.is_some() {
            if self.keymap.lookup(Context::Notice, &key) == Some(Action::Dismiss) {
                self.notice = None;
            }
            return;
        }
        if let Some(scroll) = self.help {
            match self.keymap.lookup_in(&[Context::Help, Context::List], &key) {
                Some((_, Action::Close)) => self.help = None,
                Some((_, a)) => {
                    if let Some(first) = super::state::list::scroll_text(scroll, a) {
                        self.help = Some(first);
                    }
                }
                None => {}
            }
            return;
        }
        let pane = &mut self.panes[self.active];
        if pane.field_focused() {
            // The focused field gets every key: typing `q` never quits.
            match self.keymap.lookup(Context::Field, &key) {
                Some(a @ (Action::Submit | Action::Cancel)) => {
                    pane.action(a, &mut self.ctx);
                }
                _ => pane.field_key(&key, &mut self.ctx),
            }
            self.process_events();
            return;
        }
        let mut handled = false;
        for c in pane.contexts() {
            if let Some(a) = self.keymap.lookup(c, &key) {
                if pane.action(a, &mut self.ctx) {
                    handled = true;
                    break;
                }
            }
        }
        if !handled {
            if let Some(a) = self.keymap.lookup(Context::Global, &key) {
                self.global(a);
            }
        }
        self.process_events();
    }

    /// Bracketed paste: for the focused field only.
    pub(crate) fn paste(&mut self, text: &str) {
        self.dirty = true;
        let pane = &mut self.panes[self.active];
        if self.notice.is_none() && self.help.is_none() && pane.field_focused() {
            pane.paste(text, &mut self.ctx);
            self.process_events();
        }
    }

    fn global(&mut self, a: Action) {
        let n = self.panes.len();
        match a {
            Action::Quit => self.control = Control::Quit,
            Action::Help => self.help = Some(0),
            Action::NextPane => self.show_index((self.active + 1) % n),
            Action::PrevPane => self.show_index((self.active + n - 1) % n),
            Action::GotoBrowser => self.show(PaneId::Browser),
            Action::GotoCompare => self.show(PaneId::Compare),
            Action::GotoEditor => self.show(PaneId::Editor),
            Action::GotoPush => self.show(PaneId::Push),
            _ => {}
        }
    }

    fn show_index(&mut self, i: usize) {
        if i != self.active {
            self.active = i;
            self.panes[i].on_show(&mut self.ctx);
        }
        self.dirty = true;
    }

    /// Make the pane with this id active (no-op when there is none).
    pub(crate) fn show(&mut self, id: PaneId) {
        if let Some(i) = self.panes.iter().position(|p| p.id() == id) {
            self.show_index(i);
        }
    }

    /// A reply from the worker: stale ones (superseded or cancelled requests) are dropped.
    pub(crate) fn worker_event(&mut self, ev: WorkerEvent) {
        // Quotas answer no request: they are kept whichever request they came after.
        if let Reply::RateLimits(q) = ev.reply {
            self.dirty |= self.rate_limits != q;
            self.rate_limits = q;
            return;
        }
        if !self.ctx.requests.accept(&ev) {
            return;
        }
        self.dirty = true;
        if let Some(p) = self.panes.iter_mut().find(|p| p.owns(ev.slot)) {
            p.worker_event(ev, &mut self.ctx);
        }
        self.process_events();
    }

    /// Deliver app events until none are left.
    pub(crate) fn process_events(&mut self) {
        // Events can produce events; bound the rounds so a buggy pane cannot hang the UI.
        for _ in 0..16 {
            let events = std::mem::take(&mut self.ctx.events);
            if events.is_empty() {
                return;
            }
            for ev in events {
                self.dirty = true;
                match ev {
                    AppEvent::Notice(n) => match n.level {
                        NoticeLevel::Info => self.info = Some(n.text),
                        NoticeLevel::Error => self.notice = Some(n),
                    },
                    AppEvent::Copy(text) => {
                        self.info = Some(format!(
                            "copied {} (OSC 52: the terminal must allow clipboard writes)",
                            crate::text::inert(&text)
                        ));
                        self.clipboard.push(text);
                    }
                    AppEvent::Show(id) => self.show(id),
                    other => {
                        let consumed = self
                            .panes
                            .iter_mut()
                            .any(|p| p.app_event(&other, &mut self.ctx));
                        if !consumed {
                            if let AppEvent::SendToEditor(item) = &other {
                                self.info = Some(format!(
                                    "the draft editor is not available: {} not sent",
                                    item.reference
                                ));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Draw the whole frame.
    pub(crate) fn draw(&self, frame: &mut Frame) {
        let area = frame.area();
        if panes::too_small(frame, area) {
            return;
        }
        let view = View {
            theme: &self.theme,
            keymap: &self.keymap,
            spinner: self.spinner,
        };
        let [tabs, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let titles: Vec<String> = self.panes.iter().map(|p| p.title()).collect();
        panes::status::draw_tabs(frame, tabs, &titles, self.active, self.busy(), &view);
        self.active_pane().draw(frame, body, &view);
        let mut ctxs = self.contexts();
        if ctxs.first() == Some(&Context::Field) {
            ctxs.truncate(1);
        }
        let quota = panes::status::quota_label(&self.rate_limits);
        panes::status::draw_status(
            frame,
            status,
            &ctxs,
            self.info.as_deref(),
            quota.as_deref(),
            &view,
        );
        if let Some(scroll) = self.help {
            let mut pc = Vec::new();
            if self.active_pane().field_focused() {
                pc.push(Context::Field);
            }
            pc.extend(self.active_pane().contexts());
            panes::help::draw(frame, body, &pc, scroll, &view);
        }
        if let Some(n) = &self.notice {
            panes::status::draw_notice(frame, body, n, &view);
        }
    }
}

#[cfg(test)]
mod tests;
