//! The sync overlay: the destination prompt's Enter asks the worker for the plan, the plan
//! is shown, Enter runs it as a transfer, Esc drops it.

use super::super::super::list::Cursor;
use super::super::BrowserState;
use super::Overlay;
use crate::ops::SyncSource;
use crate::tui::keymap::Action;
use crate::tui::pane::{AppEvent, Ctx, SyncJob, Transfer};
use crate::tui::worker::{Command, Slot};

/// A sync on its way: its plan is asked of the worker, then shown until Enter runs it (as a
/// transfer, in the push view) or Esc drops it. Nothing is written before Enter.
#[derive(Clone, Debug)]
pub enum SyncConfirm {
    Planning { source: SyncSource, dest: String },
    Ask { job: SyncJob, selected: Cursor },
}

impl SyncConfirm {
    /// The destination as typed.
    pub(crate) fn dest(&self) -> &str {
        match self {
            SyncConfirm::Planning { dest, .. } => dest,
            SyncConfirm::Ask { job, .. } => &job.dest,
        }
    }

    /// What is mirrored, for the window's title.
    pub(crate) fn source_label(&self) -> String {
        let source = match self {
            SyncConfirm::Planning { source, .. } => source,
            SyncConfirm::Ask { job, .. } => &job.source,
        };
        match source {
            SyncSource::Repository(r) | SyncSource::Image(r) => r.to_string(),
            SyncSource::File(_) => "a sync file".to_string(),
        }
    }
}

impl BrowserState {
    pub(crate) fn sync_confirm(&self) -> Option<&SyncConfirm> {
        match &self.overlay {
            Some(Overlay::Sync(s)) => Some(s),
            _ => None,
        }
    }

    /// Keys of a sync's plan: while it is worked out, Esc stops it; shown, Enter runs it
    /// and Esc drops it.
    pub(super) fn sync_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        let Some(Overlay::Sync(s)) = &mut self.overlay else {
            return false;
        };
        if let (SyncConfirm::Ask { job, selected }, Some(delta)) = (&mut *s, Cursor::step(action)) {
            let n = job.plan.problems.len() + job.plan.images.len();
            selected.move_by(delta, n);
            return true;
        }
        match (&*s, action) {
            (SyncConfirm::Planning { .. }, Action::Cancel) => {
                ctx.cancel(Slot::SyncPlan);
                self.overlay = None;
            }
            (SyncConfirm::Ask { .. }, Action::Cancel) => {
                self.overlay = None;
                ctx.info("sync cancelled: nothing was written");
            }
            (SyncConfirm::Ask { job, .. }, Action::Submit) => {
                let job = job.clone();
                self.overlay = None;
                if job.plan.to_copy() == 0 {
                    ctx.info(format!(
                        "nothing to sync: {} already holds every image that could be copied",
                        job.dest
                    ));
                } else {
                    ctx.emit(AppEvent::StartTransfer(Box::new(Transfer::Sync(job))));
                }
            }
            // Enter while the plan is worked out: it is not there yet.
            (SyncConfirm::Planning { .. }, Action::Submit) => {}
            _ => return false,
        }
        true
    }

    /// The sync prompt's Enter: the destination checked, then its plan asked of the worker.
    pub(super) fn submit_sync(&mut self, value: &str, ctx: &mut Ctx) {
        let Some(source) = self.prompt().and_then(|p| p.sync.as_deref().cloned()) else {
            self.overlay = None;
            return;
        };
        let dest = match crate::sync::check_dest(value) {
            Ok(d) => d,
            Err(m) => return self.refuse(m),
        };
        self.seen.insert(format!("{}/", dest.domain));
        let dest = value.trim_end_matches('/').to_string();
        ctx.request(
            Slot::SyncPlan,
            Command::SyncPlan {
                source: source.clone(),
                dest: dest.clone(),
            },
        );
        self.overlay = Some(Overlay::Sync(SyncConfirm::Planning { source, dest }));
    }
}
