//! The per-platform comparison of two sources.

use super::list::Cursor;
use super::platform_diff::PlatformDiffState;
use super::Remote;
use crate::ops::{Comparison, DiffStatus, Source};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, PaneId, Side};
use crate::tui::worker::{Command, Reply, Slot};

#[derive(Debug, Default)]
pub struct CompareState {
    pub(crate) a: Option<Source>,
    pub(crate) b: Option<Source>,
    /// The comparison asked of the worker: a new ask drops the old one, so rows of two
    /// other sides are never shown under these sides' labels.
    pub(crate) result: Remote<Comparison>,
    pub(crate) selected: Cursor,
    /// One platform's diff, when opened from a row (Esc goes back to the table).
    pub(crate) platform: Option<PlatformDiffState>,
}

impl CompareState {
    pub(crate) fn contexts(&self) -> Vec<Context> {
        if self.platform.is_some() {
            vec![Context::PlatformDiff, Context::List]
        } else {
            vec![Context::Compare, Context::List]
        }
    }

    /// Set one side; with both set, (re)compare and show the comparison.
    pub(crate) fn set_side(&mut self, side: Side, source: Source, ctx: &mut Ctx) {
        let label = source.label();
        match side {
            Side::A => self.a = Some(source),
            Side::B => self.b = Some(source),
        }
        if self.a.is_some() && self.b.is_some() {
            self.start(ctx);
            ctx.emit(AppEvent::Show(PaneId::Compare));
        } else {
            let other = if side == Side::A { "b" } else { "a" };
            ctx.info(format!(
                "compare: {side:?} = {}; now mark the other side with {other}",
                crate::text::inert(&label)
            ));
        }
    }

    /// Ask the worker for the comparison.
    pub(crate) fn start(&mut self, ctx: &mut Ctx) {
        if let (Some(a), Some(b)) = (self.a.clone(), self.b.clone()) {
            self.result = Remote::asked();
            ctx.request(Slot::Compare, Command::Compare { a, b });
        }
    }

    pub(crate) fn reply(&mut self, reply: Reply) {
        match reply {
            Reply::Compared(c) => {
                // An open platform view follows the new comparison (or closes when the
                // platform is gone).
                self.platform = self.platform.as_ref().and_then(|p| p.refreshed(&c));
                self.result = Remote::arrived(*c);
                self.selected.reset();
            }
            Reply::Failed(m) => self.result = Remote::failed(m),
            _ => {}
        }
    }

    /// Each kind of difference the summary counts, with its count.
    pub(crate) fn summary(&self) -> Option<Vec<(DiffStatus, usize)>> {
        Some(self.result.value()?.counts())
    }

    /// The selected row's platform view.
    fn open_platform(&mut self) -> bool {
        let Some(c) = self.result.value() else {
            return false;
        };
        let Some(row) = c.rows.get(self.selected.get()) else {
            return false;
        };
        self.platform = Some(PlatformDiffState::new(c, row));
        true
    }

    /// Keys while one platform's view is open.
    fn platform_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        let Some(p) = &mut self.platform else {
            return false;
        };
        if p.scroll(action) {
            return true;
        }
        match action {
            Action::Back => self.platform = None,
            Action::CopyDigest => match p.row.b.as_ref().or(p.row.a.as_ref()) {
                Some(s) => ctx.emit(AppEvent::Copy(s.digest.to_string())),
                None => return false,
            },
            _ => return false,
        }
        true
    }

    pub(crate) fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        if self.platform.is_some() {
            return self.platform_action(action, ctx);
        }
        let n = self.result.value().map_or(0, |c| c.rows.len());
        if self.selected.apply(action, n) {
            return true;
        }
        match action {
            Action::Swap => {
                std::mem::swap(&mut self.a, &mut self.b);
                self.start(ctx);
            }
            Action::Refresh => self.start(ctx),
            Action::Open => return self.open_platform(),
            Action::Back => ctx.emit(AppEvent::Show(PaneId::Browser)),
            Action::CopyDigest => {
                let row = self
                    .result
                    .value()
                    .and_then(|c| c.rows.get(self.selected.get()));
                match row.and_then(|r| r.b.as_ref().or(r.a.as_ref())) {
                    Some(s) => ctx.emit(AppEvent::Copy(s.digest.to_string())),
                    None => return false,
                }
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::Source;
    use crate::reference::Reference;
    use crate::tui::app::App;
    use crate::tui::keymap::Action;
    use crate::tui::keymap::Context;
    use crate::tui::keymap::Keymap;
    use crate::tui::pane::AppEvent;
    use crate::tui::pane::Ctx;
    use crate::tui::pane::PaneId;
    use crate::tui::pane::Side;

    use crate::tui::state::compare::CompareState;
    use crate::tui::test_fixtures::{self as fixtures, press, HOST};
    use crate::tui::theme::Theme;
    use crate::tui::worker::Reply;
    use ratatui::crossterm::event::KeyCode;

    #[test]
    fn compare_swap_and_reply() {
        let mut s = CompareState::default();
        let mut ctx = Ctx::default();
        let r = |t: &str| {
            Source::Remote(Reference::parse(&format!("{HOST}/samples/app:{t}")).expect("ref"))
        };
        s.set_side(Side::A, r("v1"), &mut ctx);
        assert!(ctx.events.iter().any(|e| matches!(e, AppEvent::Notice(_))));
        s.set_side(Side::B, r("v2"), &mut ctx);
        assert!(ctx.events.contains(&AppEvent::Show(PaneId::Compare)));
        s.reply(Reply::Compared(Box::new(fixtures::comparison_all_kinds())));
        assert!(s.summary().is_some());
        s.action(Action::Swap, &mut ctx);
        assert_eq!(s.a, Some(r("v2")));
        // The swapped sides' comparison is asked for; the old one's rows go, so they are
        // never shown under the new labels.
        assert!(s.result.busy());
        assert!(s.summary().is_none(), "the old comparison is still shown");
        assert!(!s.action(Action::CopyDigest, &mut ctx));
        s.reply(Reply::Compared(Box::new(fixtures::comparison_all_kinds())));
        let counts: Vec<usize> = s.summary().unwrap().iter().map(|(_, n)| *n).collect();
        assert_eq!(counts, [1, 1, 1, 1, 1, 1, 1], "one row of each kind");
        s.action(Action::Down, &mut ctx);
        s.action(Action::CopyDigest, &mut ctx);
        let oci = fixtures::pair_details("v1-oci", 2).0.digest.to_string();
        assert!(ctx
            .events
            .iter()
            .any(|e| matches!(e, AppEvent::Copy(d) if *d == oci)));
    }

    #[test]
    fn enter_opens_the_platform_diff_and_esc_goes_back() {
        let mut app = App::new(Keymap::default(), Theme::colored());
        app.show(PaneId::Compare);
        let mut ctx = Ctx::default();
        let mut s = CompareState::default();
        s.reply(Reply::Compared(Box::new(fixtures::comparison_all_kinds())));
        // Row 2 is linux/arm64/v8: a new base layer.
        s.action(Action::Down, &mut ctx);
        s.action(Action::Down, &mut ctx);
        assert!(s.action(Action::Open, &mut ctx));
        let p = s.platform.as_ref().expect("the platform view is open");
        assert_eq!(p.row.platform.display(), "linux/arm64/v8");
        assert_eq!(s.contexts()[0], Context::PlatformDiff);
        // Scrolling moves the view, not the table's cursor.
        s.action(Action::Down, &mut ctx);
        assert_eq!(s.platform.as_ref().unwrap().scroll, 1);
        assert_eq!(s.selected.get(), 2);
        // A new comparison keeps the view on the same platform.
        s.reply(Reply::Compared(Box::new(fixtures::comparison_all_kinds())));
        assert_eq!(
            s.platform.as_ref().map(|p| p.row.platform.display()),
            Some("linux/arm64/v8".to_string())
        );
        assert!(s.action(Action::Back, &mut ctx));
        assert!(s.platform.is_none());
        assert_eq!(s.contexts()[0], Context::Compare);
        // Through the app and the key table: enter opens, esc closes, a second esc leaves.
        app.panes[1] = Box::new(crate::tui::panes::compare::ComparePane { state: s });
        app.key(press(KeyCode::Enter));
        assert_eq!(app.contexts()[0], Context::PlatformDiff);
        app.key(press(KeyCode::Esc));
        assert_eq!(app.contexts()[0], Context::Compare);
        assert_eq!(app.active_id(), PaneId::Compare);
    }
}
