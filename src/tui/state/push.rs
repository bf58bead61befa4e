//! The push progress view: one row per entry with its stage, an overall gauge, the result.
//! The push itself runs in the worker (`ops::push`); this state only follows its events.

use super::list::Cursor;
use crate::digest::Digest;
use crate::ops::CopyJob;
use crate::ops::{CopyReport, EntryStage, ImageState, Outcome, Progress, PushReport, SyncEvent};
use crate::reference::Reference;
use crate::store::Draft;
use crate::text::platform_label;
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, PaneId, SyncJob, Transfer};
use crate::tui::worker::{Reply, Slot};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushRow {
    pub(crate) platform: String,
    pub(crate) reference: String,
    pub(crate) stage: EntryStage,
    /// Blobs found or mounted so far, of all (kept while bytes are copied).
    pub(crate) blobs: Option<(usize, usize)>,
    /// Bytes copied so far, of all (only for blobs from another registry).
    pub(crate) bytes: Option<(u64, u64)>,
}

impl PushRow {
    /// Finished without error.
    pub(crate) fn done(&self) -> bool {
        matches!(self.stage, EntryStage::Pushed { .. } | EntryStage::InPlace)
    }

    /// Fraction done, for the row's gauge.
    pub(crate) fn ratio(&self) -> f64 {
        if self.done() {
            return 1.0;
        }
        match (self.bytes, self.blobs) {
            (Some((d, t)), _) if t > 0 => (d as f64 / t as f64).clamp(0.0, 1.0) * 0.9,
            (_, Some((d, t))) if t > 0 => (d as f64 / t as f64).clamp(0.0, 1.0) * 0.9,
            _ => 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum PushStatus {
    /// No push yet.
    #[default]
    Idle,
    /// Asked; waiting for the worker to load the list.
    Starting,
    Running,
    Done(Box<PushReport>),
    /// A copy finished.
    Copied(Box<CopyReport>),
    /// A sync ran: how its images ended.
    Synced(SyncSummary),
    Failed(String),
    Cancelled,
}

/// How a sync's images ended.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SyncSummary {
    pub(crate) copied: usize,
    pub(crate) up_to_date: usize,
    pub(crate) failed: usize,
}

#[derive(Clone, Debug, Default)]
pub struct PushState {
    /// Where the push or copy followed writes (the copy's resolved target, once known).
    pub(crate) list: Option<Reference>,
    pub(crate) rows: Vec<PushRow>,
    pub(crate) status: PushStatus,
    /// The list's digest, once it was written.
    pub(crate) list_digest: Option<Digest>,
    /// The selected row, and the first row shown when the rows do not all fit.
    pub(crate) selected: Cursor,
    /// The push or copy followed: what retry runs again.
    pub(crate) job: Option<Transfer>,
}

impl PushState {
    pub(crate) fn contexts(&self) -> Vec<Context> {
        vec![Context::Push, Context::List]
    }

    pub(crate) fn busy(&self) -> bool {
        matches!(self.status, PushStatus::Starting | PushStatus::Running)
    }

    /// The copy followed, when it is a copy.
    pub(crate) fn copying(&self) -> Option<&CopyJob> {
        match &self.job {
            Some(Transfer::Copy(job)) => Some(job),
            _ => None,
        }
    }

    /// The sync followed, when it is a sync.
    pub(crate) fn syncing(&self) -> Option<&SyncJob> {
        match &self.job {
            Some(Transfer::Sync(job)) => Some(job),
            _ => None,
        }
    }

    /// A push that deletes the local list once it succeeds.
    pub(crate) fn purge(&self) -> bool {
        matches!(self.job, Some(Transfer::Push { purge: true, .. }))
    }

    /// Entries finished, of all.
    pub(crate) fn done_count(&self) -> (usize, usize) {
        (
            self.rows.iter().filter(|r| r.done()).count(),
            self.rows.len(),
        )
    }

    /// The overall gauge: entries' progress, with the list itself as the last step.
    pub(crate) fn ratio(&self) -> f64 {
        if matches!(
            self.status,
            PushStatus::Done(_) | PushStatus::Copied(_) | PushStatus::Synced(_)
        ) {
            return 1.0;
        }
        if self.rows.is_empty() {
            return 0.0;
        }
        let sum: f64 = self.rows.iter().map(PushRow::ratio).sum();
        (sum / self.rows.len() as f64 * 0.95).clamp(0.0, 1.0)
    }

    /// A push began in the worker: one row per entry, all waiting.
    pub(crate) fn started(&mut self, draft: &Draft, purge: bool) {
        self.job = Some(Transfer::Push {
            list: draft.list.clone(),
            purge,
        });
        self.list = Some(draft.list.clone());
        self.rows = draft
            .entries
            .iter()
            .map(|e| PushRow {
                platform: platform_label(&e.platform()),
                reference: e.reference.to_string(),
                stage: EntryStage::Waiting,
                blobs: None,
                bytes: None,
            })
            .collect();
        self.status = PushStatus::Running;
        self.list_digest = None;
        self.selected.reset();
    }

    /// Run a push or a copy: the view follows it from now on, and retry runs it again. While
    /// another one runs, nothing starts (it would cancel the one running): false, and a
    /// notice says what is running.
    pub(crate) fn start(&mut self, job: Transfer, ctx: &mut Ctx) -> bool {
        if self.busy() {
            let running = match &self.job {
                Some(j) => format!("a {} to {}", j.verb(), j.target()),
                None => "a push".to_string(),
            };
            let cancel = ctx.key(Context::Push, Action::CancelPush);
            ctx.info(format!(
                "{running} is running: the {} to {} waits until it is done or cancelled \
                 ({cancel} in the push view)",
                job.verb(),
                job.target()
            ));
            return false;
        }
        self.list = job.written().cloned();
        self.rows.clear();
        self.list_digest = None;
        self.selected.reset();
        self.status = PushStatus::Starting;
        ctx.request(Slot::Push, job.command());
        if let Transfer::Sync(s) = &job {
            self.sync_rows(s);
        }
        self.job = Some(job);
        true
    }

    /// A sync's rows, from its plan: one per image, an image up to date already done, one
    /// that cannot be copied failed with why, the others waiting.
    fn sync_rows(&mut self, job: &SyncJob) {
        self.rows = job
            .plan
            .images
            .iter()
            .map(|i| PushRow {
                platform: crate::tui::text::in_registry(&i.target),
                reference: i.source.to_string(),
                stage: match &i.state {
                    ImageState::UpToDate => EntryStage::InPlace,
                    ImageState::Failed(why) => EntryStage::Failed {
                        reason: why.clone(),
                    },
                    ImageState::New | ImageState::Changed => EntryStage::Waiting,
                },
                blobs: None,
                bytes: None,
            })
            .collect();
        self.status = PushStatus::Running;
    }

    /// A step of a sync's run, on its image's row: started, its copy's blobs and bytes (of
    /// the entry moving now), its end.
    fn sync_progress(&mut self, e: SyncEvent) {
        let (image, stage) = match e {
            SyncEvent::Started { image } => (image, EntryStage::Blobs { done: 0, total: 0 }),
            SyncEvent::Copy {
                image,
                progress: Progress::Entry { stage, .. },
            } => match stage {
                EntryStage::Blobs { .. } | EntryStage::Copying { .. } => (image, stage),
                _ => return,
            },
            SyncEvent::Copy { .. } => return,
            SyncEvent::Done { image, result } => match result {
                Ok(digest) => (image, EntryStage::Pushed { digest }),
                Err(reason) => (image, EntryStage::Failed { reason }),
            },
        };
        let Some(row) = self.rows.get_mut(image) else {
            return;
        };
        if row.done() || matches!(row.stage, EntryStage::Failed { .. }) {
            return;
        }
        match &stage {
            EntryStage::Blobs { done, total } => row.blobs = Some((*done, *total)),
            EntryStage::Copying { done, total } => row.bytes = Some((*done, *total)),
            _ => {}
        }
        row.stage = stage;
    }

    /// A sync ended: every image's outcome; the repositories it wrote are read again.
    fn synced(&mut self, outcomes: &[Outcome], ctx: &mut Ctx) {
        let mut sum = SyncSummary::default();
        let mut written = Vec::new();
        for (row, o) in self.rows.iter_mut().zip(outcomes) {
            match o {
                Outcome::Copied(r) => {
                    sum.copied += 1;
                    if !row.done() {
                        row.stage = EntryStage::Pushed {
                            digest: r.digest.clone(),
                        };
                    }
                    let repo = crate::registry::Repo::of(&r.target);
                    if !written.contains(&repo) {
                        written.push(repo);
                    }
                }
                Outcome::UpToDate => sum.up_to_date += 1,
                Outcome::Failed(why) => {
                    sum.failed += 1;
                    row.stage = EntryStage::Failed {
                        reason: why.clone(),
                    };
                }
            }
        }
        let dest = self.syncing().map(|j| j.dest.clone()).unwrap_or_default();
        ctx.info(format!(
            "synced to {dest}: {} copied, {} up to date, {} failed",
            sum.copied, sum.up_to_date, sum.failed
        ));
        for repo in written {
            ctx.emit(AppEvent::TagsChanged(repo));
        }
        self.status = PushStatus::Synced(sum);
    }

    /// A copy was worked out: one row per entry it copies (one for a single image), then
    /// one per referrer.
    pub(crate) fn copy_started(&mut self, r: &CopyReport) {
        self.list = Some(r.target.clone());
        let row = |platform: String, reference: String| PushRow {
            platform,
            reference,
            stage: EntryStage::Waiting,
            blobs: None,
            bytes: None,
        };
        self.rows = r
            .rows()
            .into_iter()
            .map(|x| {
                let label = x.label.unwrap_or_else(|| "image".to_string());
                row(label, x.source.to_string())
            })
            .collect();
        self.status = PushStatus::Running;
        self.selected.reset();
    }

    pub(crate) fn progress(&mut self, p: Progress) {
        match p {
            Progress::Entry { index, stage } => {
                let Some(row) = self.rows.get_mut(index) else {
                    return;
                };
                match &stage {
                    EntryStage::Blobs { done, total } => {
                        row.blobs = Some((*done, *total));
                        // Bytes may still be flowing for other blobs: keep the copy stage.
                        if row.bytes.is_some_and(|(d, t)| d < t) {
                            return;
                        }
                    }
                    EntryStage::Copying { done, total } => row.bytes = Some((*done, *total)),
                    _ => {}
                }
                // A late blob event never overwrites a final stage.
                let settled = row.done() || matches!(row.stage, EntryStage::Failed { .. });
                let final_stage =
                    matches!(stage, EntryStage::Pushed { .. } | EntryStage::Failed { .. });
                if !settled || final_stage {
                    row.stage = stage;
                }
            }
            Progress::ListPushed { digest } => self.list_digest = Some(digest),
            Progress::Fetching { .. } | Progress::Fetched { .. } => {}
        }
    }

    pub(crate) fn reply(&mut self, reply: Reply, ctx: &mut Ctx) {
        match reply {
            Reply::PushStarted { draft, purge } => self.started(&draft, purge),
            Reply::Progress(p) => self.progress(p),
            Reply::Pushed(r) => {
                self.list_digest = Some(r.digest.clone());
                for (row, e) in self.rows.iter_mut().zip(&r.entries) {
                    if !row.done() {
                        row.stage = if e.in_place {
                            EntryStage::InPlace
                        } else {
                            EntryStage::Pushed {
                                digest: e.digest.clone(),
                            }
                        };
                    }
                }
                let note = match (r.unchanged, r.purged) {
                    (true, _) => {
                        format!("{} already pointed at these bytes: nothing sent", r.target)
                    }
                    (false, true) => format!("pushed {}; the local list was deleted", r.target),
                    (false, false) => format!("pushed {} ({})", r.target, r.digest),
                };
                ctx.info(note);
                self.status = PushStatus::Done(r);
            }
            Reply::CopyStarted(r) => self.copy_started(&r),
            Reply::SyncProgress(e) => self.sync_progress(e),
            Reply::Synced(outcomes) => self.synced(&outcomes, ctx),
            Reply::Copied(r) => {
                self.list_digest = Some(r.digest.clone());
                let mut digests: Vec<_> = if r.entries.is_empty() {
                    vec![&r.digest]
                } else {
                    r.entries.iter().map(|e| &e.digest).collect()
                };
                digests.extend(r.referrers.iter().map(|x| &x.descriptor.digest));
                for (row, d) in self.rows.iter_mut().zip(digests) {
                    if !row.done() {
                        row.stage = EntryStage::Pushed { digest: d.clone() };
                    }
                }
                let note = if r.unchanged {
                    format!("{} already held these bytes: nothing sent", r.target)
                } else if r.changed.is_some() {
                    format!("copied to {} ({}, a new digest)", r.target, r.digest)
                } else {
                    format!("copied to {} ({}, the source's digest)", r.target, r.digest)
                };
                ctx.info(note);
                ctx.emit(AppEvent::TagsChanged(crate::registry::Repo::of(&r.target)));
                self.status = PushStatus::Copied(r);
            }
            Reply::Failed(m) => {
                self.stop_rows();
                self.status = PushStatus::Failed(m);
            }
            _ => {}
        }
    }

    /// Run the last push or copy again, unchanged; false when there was none.
    pub(crate) fn retry(&mut self, ctx: &mut Ctx) -> bool {
        let Some(job) = self.job.clone() else {
            return false;
        };
        if !self.busy() {
            self.start(job, ctx);
        }
        true
    }

    pub(crate) fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        match action {
            Action::CancelPush if self.busy() => {
                ctx.cancel(Slot::Push);
                self.status = PushStatus::Cancelled;
                self.stop_rows();
                let again = ctx.key(Context::Push, Action::Retry);
                ctx.info(if self.syncing().is_some() {
                    format!(
                        "sync cancelled; the images copied stay, the others are not tagged \
                         ({again} syncs again)"
                    )
                } else if self.copying().is_some() {
                    format!("copy cancelled; nothing is tagged yet ({again} copies again)")
                } else {
                    format!("push cancelled; the local list is unchanged ({again} pushes again)")
                });
            }
            Action::Retry => {
                if !self.retry(ctx) {
                    let push = ctx.key(Context::Editor, Action::Push);
                    ctx.info(format!(
                        "nothing to retry: start a push from the draft editor ({push})"
                    ));
                }
            }
            Action::CopyDigest => match &self.list_digest {
                Some(d) => ctx.emit(AppEvent::Copy(d.to_string())),
                None => return false,
            },
            Action::Back => ctx.emit(AppEvent::Show(PaneId::Editor)),
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                self.selected.apply(action, self.rows.len());
            }
            _ => return false,
        }
        true
    }

    /// Rows still moving did not finish: back to waiting, their partial progress dropped.
    fn stop_rows(&mut self) {
        for row in &mut self.rows {
            if !row.done() && !matches!(row.stage, EntryStage::Failed { .. }) {
                row.stage = EntryStage::Waiting;
                row.blobs = None;
                row.bytes = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {

    use crate::reference::Reference;
    use crate::tui::keymap::Action;
    use crate::tui::pane::AppEvent;
    use crate::tui::pane::Ctx;

    use crate::tui::state::push::PushStatus;
    use crate::tui::test_fixtures::{pushing, runs, six, slot_runs, HOST};
    use crate::tui::worker::Command;
    use crate::tui::worker::Reply;
    use crate::tui::worker::Slot;
    use crate::tui::worker::ToWorker;

    /// The push view follows a copy: its rows come from the plan, a failure keeps the job and
    /// r runs the same copy again; success reports the digest and reloads the target's tags.
    #[test]
    fn push_view_runs_a_copy_and_retries_it_unchanged() {
        use crate::ops::{CopiedEntry, CopyReport};
        use crate::ops::{CopyJob, CopyOptions};
        use crate::platform::Platform;
        use crate::tui::pane::Transfer;
        use crate::tui::state::push::{PushState, PushStatus};
        let src = Reference::parse(&format!("{HOST}/samples/app:v1")).unwrap();
        let dst = Reference::parse("127.0.0.1:6000/team/app:v1").unwrap();
        let job = CopyJob {
            src: src.clone(),
            dst: dst.clone(),
            options: CopyOptions {
                platforms: vec![Platform::parse("linux/arm64").unwrap()],
                referrers: false,
            },
        };
        let mut p = PushState::default();
        let mut ctx = Ctx::default();
        assert!(p.start(Transfer::Copy(job.clone()), &mut ctx));
        let copy_cmd = |ctx: &Ctx| {
            runs(&ctx.outbox)
                .into_iter()
                .filter_map(|(_, slot, c)| match c {
                    Command::Copy(job) if slot == Slot::Push => Some(job),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(copy_cmd(&ctx), vec![job.clone()]);
        assert!(p.busy());
        let d = crate::digest::Digest::sha256(b"arm64");
        let report = CopyReport {
            source: src.clone(),
            target: dst.clone(),
            source_digest: crate::digest::Digest::sha256(b"src"),
            digest: crate::digest::Digest::sha256(b"new"),
            entries: vec![CopiedEntry {
                platform: Platform::parse("linux/arm64").unwrap(),
                digest: d.clone(),
                media_type: crate::media::OCI_MANIFEST.into(),
                describes: None,
            }],
            changed: Some("a new index".into()),
            unchanged: false,
            referrers: Vec::new(),
            referrer_notes: Vec::new(),
            tag_scheme: Vec::new(),
        };
        p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].platform, "linux/arm64");
        p.reply(Reply::Failed("connection reset".into()), &mut ctx);
        assert!(matches!(p.status, PushStatus::Failed(_)));
        let mut ctx = Ctx::default();
        assert!(p.action(Action::Retry, &mut ctx));
        assert_eq!(copy_cmd(&ctx), vec![job], "r runs the same copy again");
        p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
        p.reply(Reply::Copied(Box::new(report.clone())), &mut ctx);
        assert!(matches!(p.status, PushStatus::Copied(_)));
        assert_eq!(p.list_digest.as_ref(), Some(&report.digest));
        assert!(p.rows[0].done());
        assert!(ctx
            .events
            .contains(&AppEvent::TagsChanged(crate::registry::Repo::of(&dst))));
    }

    /// The push view follows a sync: one row per image from the plan (up to date done,
    /// refused failed), each image's progress and end on its row, the outcome's counts,
    /// the repositories written read again; retry runs the same plan.
    #[test]
    fn push_view_runs_a_sync_one_row_per_image() {
        use crate::ops::{EntryStage, Outcome, SyncEvent};
        use crate::tui::pane::Transfer;
        use crate::tui::state::push::{PushState, SyncSummary};
        let job = crate::tui::test_fixtures::sync_plan_job();
        let mut p = PushState::default();
        let mut ctx = Ctx::default();
        assert!(p.start(Transfer::Sync(job.clone()), &mut ctx));
        assert!(matches!(
            &slot_runs(&ctx)[..],
            [(Slot::Push, Command::Sync { plan })] if std::sync::Arc::ptr_eq(plan, &job.plan)
        ));
        let labels: Vec<_> = p.rows.iter().map(|r| r.platform.as_str()).collect();
        assert_eq!(
            labels,
            [
                "mirror/app:v1",
                "mirror/app:v2",
                "mirror/app:v1-oci",
                "mirror/app:v2-oci"
            ]
        );
        assert_eq!(p.done_count(), (1, 4), "the image up to date is done");
        assert!(matches!(p.rows[3].stage, EntryStage::Failed { .. }));
        p.reply(
            Reply::SyncProgress(SyncEvent::Started { image: 0 }),
            &mut ctx,
        );
        p.reply(
            Reply::SyncProgress(SyncEvent::Copy {
                image: 0,
                progress: crate::ops::Progress::Entry {
                    index: 2,
                    stage: EntryStage::Copying { done: 5, total: 10 },
                },
            }),
            &mut ctx,
        );
        assert_eq!(p.rows[0].bytes, Some((5, 10)));
        let d = crate::digest::Digest::sha256(b"v1");
        p.reply(
            Reply::SyncProgress(SyncEvent::Done {
                image: 0,
                result: Ok(d.clone()),
            }),
            &mut ctx,
        );
        assert!(p.rows[0].done());
        p.reply(
            Reply::SyncProgress(SyncEvent::Done {
                image: 1,
                result: Err("connection reset".into()),
            }),
            &mut ctx,
        );
        let mut ctx = Ctx::default();
        p.reply(
            Reply::Synced(vec![
                Outcome::UpToDate,
                Outcome::Failed("connection reset".into()),
                Outcome::UpToDate,
                Outcome::Failed("denied".into()),
            ]),
            &mut ctx,
        );
        assert_eq!(
            p.status,
            PushStatus::Synced(SyncSummary {
                copied: 0,
                up_to_date: 2,
                failed: 2
            })
        );
        let mut ctx = Ctx::default();
        assert!(p.action(Action::Retry, &mut ctx));
        assert!(matches!(
            &slot_runs(&ctx)[..],
            [(Slot::Push, Command::Sync { plan })] if std::sync::Arc::ptr_eq(plan, &job.plan)
        ));
    }

    #[test]
    fn push_cancel_then_retry_repeats_the_same_push() {
        let mut p = pushing();
        let mut ctx = Ctx::default();
        // The push request the editor made, as the app would track it.
        ctx.request(
            Slot::Push,
            Command::Push {
                list: six().list,
                purge: false,
            },
        );
        assert!(p.action(Action::CancelPush, &mut ctx));
        assert_eq!(p.status, PushStatus::Cancelled);
        assert!(ctx.outbox.iter().any(|m| matches!(m, ToWorker::Cancel(_))));
        ctx.outbox.clear();
        assert!(p.action(Action::Retry, &mut ctx));
        let r = slot_runs(&ctx);
        assert!(matches!(
            &r[..],
            [(Slot::Push, Command::Push { purge: false, .. })]
        ));
        assert_eq!(p.status, PushStatus::Starting);
    }
}
