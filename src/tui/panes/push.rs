//! The push progress pane: one row per entry with its stage and gauge, an overall gauge, and
//! the list's digest when done.

use super::{empty_message, pane_block};
use crate::ops::{CopyReport, EntryStage, PushReport};
use crate::text::{ellipsize, human_size, inert};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, Pane, PaneId, View};
use crate::tui::state::push::{PushRow, PushState, PushStatus};
use crate::tui::worker::{Slot, WorkerEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Wrap};
use ratatui::Frame;

#[derive(Debug, Default)]
pub struct PushPane {
    pub(crate) state: PushState,
}

impl Pane for PushPane {
    fn id(&self) -> PaneId {
        PaneId::Push
    }
    fn title(&self) -> String {
        "Push".to_string()
    }
    fn contexts(&self) -> Vec<Context> {
        self.state.contexts()
    }
    fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        self.state.action(action, ctx)
    }
    fn owns(&self, slot: Slot) -> bool {
        slot == Slot::Push
    }
    fn worker_event(&mut self, ev: WorkerEvent, ctx: &mut Ctx) {
        self.state.reply(ev.reply, ctx)
    }
    fn app_event(&mut self, ev: &AppEvent, ctx: &mut Ctx) -> bool {
        match ev {
            AppEvent::StartTransfer(job) => {
                if self.state.start((**job).clone(), ctx) {
                    ctx.emit(AppEvent::Show(PaneId::Push));
                }
                true
            }
            _ => false,
        }
    }
    fn busy(&self) -> bool {
        self.state.busy()
    }
    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(frame, area, &self.state, view)
    }
}

/// The text of a row's stage and the style to draw it in.
pub(crate) fn stage_text(r: &PushRow, view: &View) -> (String, Style) {
    let t = view.theme;
    match &r.stage {
        EntryStage::Waiting => ("waiting".into(), t.muted),
        // A sync's image whose copy has begun, nothing counted yet.
        EntryStage::Blobs { total: 0, .. } => ("starting…".into(), Style::new()),
        EntryStage::Blobs { done, total } => {
            (format!("mounting blobs {done}/{total}"), Style::new())
        }
        EntryStage::Copying { done, total } => (
            format!(
                "copying {} / {}",
                human_size(*done as i64),
                human_size(*total as i64)
            ),
            Style::new(),
        ),
        EntryStage::Pushed { digest } => (format!("pushed {}", digest.short()), t.ok),
        EntryStage::InPlace => ("already in the repository".into(), t.ok),
        EntryStage::Failed { reason } => (format!("failed: {}", inert(reason)), t.error),
    }
}

/// A text progress bar of `width` cells.
pub(crate) fn bar(ratio: f64, width: usize) -> String {
    let filled = ((ratio.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

pub(crate) fn draw(frame: &mut Frame, area: Rect, s: &PushState, view: &View) {
    let t = view.theme;
    let block = pane_block(title(s, view), view, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    if s.status == PushStatus::Idle {
        empty_message(
            frame,
            inner,
            vec![Line::from(format!(
                "No push yet: in the draft editor, {} pushes the selected list.",
                view.key(Context::Editor, Action::Push)
            ))],
            t.muted,
        );
        return;
    }
    let status_h = match &s.status {
        PushStatus::Failed(_) => 5,
        // The referrers' lines under the digest (a note may wrap).
        PushStatus::Copied(r) => {
            (5 + r.tag_scheme.len() + 2 * r.referrer_notes.len()).min(12) as u16
        }
        _ => 2,
    };
    let [status_area, gauge_area, _, rows_area] = Layout::vertical([
        Constraint::Length(status_h),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(status_lines(s, view)).wrap(Wrap { trim: true }),
        status_area,
    );
    draw_gauge(frame, gauge_area, s, view);
    draw_rows(frame, rows_area, s, view);
}

/// ` Push TARGET (deletes the local list on success) `.
fn title<'a>(s: &PushState, view: &View) -> Line<'a> {
    let t = view.theme;
    let verb = if s.syncing().is_some() {
        " Sync "
    } else if s.copying().is_some() {
        " Copy "
    } else {
        " Push "
    };
    let mut title = vec![Span::styled(verb, t.title)];
    if let Some(j) = s.syncing() {
        let from = match &j.source {
            crate::ops::SyncSource::Repository(r) | crate::ops::SyncSource::Image(r) => {
                r.to_string()
            }
            crate::ops::SyncSource::File(_) => "a sync file".to_string(),
        };
        title.push(Span::styled(
            format!("{} → {} ", inert(&from), inert(&j.dest)),
            t.muted,
        ));
    }
    if let Some(j) = s.copying() {
        title.push(Span::styled(
            format!("{} → ", inert(&j.src.to_string())),
            t.muted,
        ));
    }
    if let Some(l) = &s.list {
        title.push(Span::styled(format!("{} ", inert(&l.to_string())), t.muted));
    }
    if s.purge() {
        title.push(Span::styled(
            "(deletes the local list on success) ",
            t.muted,
        ));
    }
    Line::from(title)
}

/// Where the push stands, and what to press next.
fn status_lines<'a>(s: &PushState, view: &View) -> Vec<Line<'a>> {
    let t = view.theme;
    let k = |a: Action| view.key(Context::Push, a);
    let (done, total) = s.done_count();
    match &s.status {
        PushStatus::Idle => Vec::new(),
        PushStatus::Starting => vec![Line::from(vec![
            Span::styled(view.spinner().to_string(), t.spinner),
            Span::raw(" starting…"),
        ])],
        PushStatus::Running => vec![Line::from(vec![
            Span::styled(view.spinner().to_string(), t.spinner),
            Span::raw(if s.syncing().is_some() {
                format!(" syncing: {done}/{total} images done")
            } else {
                format!(
                    " {}: {done}/{total} entries done",
                    if s.copying().is_some() {
                        "copying"
                    } else {
                        "pushing"
                    }
                )
            }),
            Span::styled(format!("  ({} cancels)", k(Action::CancelPush)), t.muted),
        ])],
        PushStatus::Done(r) => pushed_lines(r, view),
        PushStatus::Copied(r) => copied_lines(r, view),
        PushStatus::Synced(sum) => {
            let dest = s.syncing().map(|j| j.dest.clone()).unwrap_or_default();
            let mark = if sum.failed > 0 {
                Span::styled("✗ synced with failures to ", t.error)
            } else {
                Span::styled("✓ synced to ", t.ok)
            };
            vec![Line::from(vec![
                mark,
                Span::raw(inert(&dest).into_owned()),
                Span::styled(
                    format!(
                        ": {} copied, {} up to date, {} failed",
                        sum.copied, sum.up_to_date, sum.failed
                    ),
                    t.muted,
                ),
            ])]
        }
        PushStatus::Failed(m) => vec![failed_line(s, m, view)],
        PushStatus::Cancelled => vec![cancelled_line(s, view)],
    }
}

/// A push, copy or sync that failed: which, how to run it again, why.
fn failed_line<'a>(s: &PushState, m: &str, view: &View) -> Line<'a> {
    let t = view.theme;
    let k = |a: Action| view.key(Context::Push, a);
    let (what, again) = if s.syncing().is_some() {
        (
            "✗ sync failed",
            format!(" ({} syncs again): ", k(Action::Retry)),
        )
    } else if s.copying().is_some() {
        (
            "✗ copy failed",
            format!(
                " ({} copies again; what arrived is kept): ",
                k(Action::Retry)
            ),
        )
    } else {
        (
            "✗ push failed",
            format!(" ({} retries; the local list is kept): ", k(Action::Retry)),
        )
    };
    Line::from(vec![
        Span::styled(what, t.error),
        Span::styled(again, t.muted),
        Span::raw(inert(m).into_owned()),
    ])
}

/// A push, copy or sync that was cancelled: what stays, how to run it again.
fn cancelled_line<'a>(s: &PushState, view: &View) -> Line<'a> {
    let t = view.theme;
    let k = |a: Action| view.key(Context::Push, a);
    Line::from(vec![
        Span::styled("cancelled", t.error),
        Span::styled(
            if s.syncing().is_some() {
                format!("  (images copied stay; {} syncs again)", k(Action::Retry))
            } else if s.copying().is_some() {
                format!(
                    "  (nothing is tagged yet; {} copies again)",
                    k(Action::Retry)
                )
            } else {
                format!(
                    "  (the local list is unchanged; {} pushes again)",
                    k(Action::Retry)
                )
            },
            t.muted,
        ),
    ])
}

/// A push that landed: where, whether the local list went, the digest.
fn pushed_lines<'a>(r: &PushReport, view: &View) -> Vec<Line<'a>> {
    let t = view.theme;
    vec![
        Line::from(vec![
            Span::styled("✓ pushed ", t.ok),
            Span::raw(inert(&r.target.to_string()).into_owned()),
            Span::styled(
                if r.purged {
                    "  (local list deleted)"
                } else {
                    "  (local list kept)"
                },
                t.muted,
            ),
        ]),
        digest_line(&r.digest, view),
    ]
}

/// A copy that landed: where, the digest, why the digest changed, where its referrers
/// were listed and which were not copied.
fn copied_lines<'a>(r: &CopyReport, view: &View) -> Vec<Line<'a>> {
    let t = view.theme;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                if r.unchanged {
                    "✓ already there "
                } else {
                    "✓ copied to "
                },
                t.ok,
            ),
            Span::raw(inert(&r.target.to_string()).into_owned()),
        ]),
        digest_line(&r.digest, view),
    ];
    if let Some(why) = &r.changed {
        lines.push(Line::styled(inert(why).into_owned(), t.muted));
    }
    for s in &r.tag_scheme {
        lines.push(Line::styled(
            format!(
                "referrers of {} listed under the tag {} (no referrers API there)",
                s.short(),
                crate::attest::referrers_tag(s)
            ),
            t.muted,
        ));
    }
    for n in &r.referrer_notes {
        lines.push(Line::styled(format!("not copied: {}", inert(n)), t.muted));
    }
    lines
}

/// The digest that landed, and the key that copies it.
fn digest_line<'a>(d: &crate::digest::Digest, view: &View) -> Line<'a> {
    let t = view.theme;
    Line::from(vec![
        Span::styled("digest ", t.muted),
        Span::raw(d.to_string()),
        Span::styled(
            format!("  ({} copies)", view.key(Context::Push, Action::CopyDigest)),
            t.muted,
        ),
    ])
}

/// The whole push's gauge: entries done of all.
fn draw_gauge(frame: &mut Frame, gauge_area: Rect, s: &PushState, view: &View) {
    let t = view.theme;
    let (done, total) = s.done_count();
    let ratio = s.ratio();
    frame.render_widget(
        Gauge::default()
            .ratio(ratio)
            .label(format!(
                "{done}/{total} {} · {:.0}%",
                if s.syncing().is_some() {
                    "images"
                } else {
                    "entries"
                },
                ratio * 100.0
            ))
            .gauge_style(if matches!(s.status, PushStatus::Failed(_)) {
                t.error
            } else {
                t.ok
            }),
        gauge_area,
    );
}

/// One line per entry: its platform, its stage and a bar.
fn draw_rows(frame: &mut Frame, rows_area: Rect, s: &PushState, view: &View) {
    let t = view.theme;
    let plat_w = s
        .rows
        .iter()
        .map(|r| r.platform.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 32) as u16;
    // Every row, or a window that follows the selection with a last line telling what is
    // out of sight (and whether a hidden entry failed).
    let n = s.rows.len();
    let h = rows_area.height as usize;
    let shown = if n > h { h.saturating_sub(1) } else { n };
    let off = s.selected.scroll_for(shown, n);
    if shown < n {
        let hidden = |r: &(usize, &PushRow)| r.0 < off || r.0 >= off + shown;
        let failed = s
            .rows
            .iter()
            .enumerate()
            .filter(hidden)
            .filter(|(_, r)| matches!(r.stage, EntryStage::Failed { .. }))
            .count();
        let line = Rect {
            y: rows_area.y + shown as u16,
            height: 1,
            ..rows_area
        };
        frame.render_widget(
            Paragraph::new(more_rows_line(off, n - off - shown, failed, view)),
            line,
        );
    }
    for (i, r) in s.rows.iter().enumerate().skip(off).take(shown) {
        let line = Rect {
            y: rows_area.y + (i - off) as u16,
            height: 1,
            ..rows_area
        };
        if i == s.selected.get() {
            frame.buffer_mut().set_style(line, t.selected);
        }
        let [plat, stage, gauge] = Layout::horizontal([
            Constraint::Length(plat_w + 1),
            Constraint::Min(10),
            Constraint::Length(if line.width > 60 { 16 } else { 0 }),
        ])
        .areas(line);
        let (text, st) = stage_text(r, view);
        frame.render_widget(
            Paragraph::new(Span::raw(
                ellipsize(&inert(&r.platform), plat_w as usize).into_owned(),
            )),
            plat,
        );
        frame.render_widget(Paragraph::new(Span::styled(text, st)), stage);
        if gauge.width > 0 && !matches!(r.stage, EntryStage::Failed { .. }) {
            frame.render_widget(
                Paragraph::new(Span::styled(bar(r.ratio(), gauge.width as usize), t.ok)),
                gauge,
            );
        }
    }
}

/// `↑ 2 more above · ↓ 3 more below (1 failed) · ↑/↓ scroll`.
fn more_rows_line(above: usize, below: usize, failed: usize, view: &View) -> Line<'static> {
    let t = view.theme;
    let key = |a: Action| {
        view.keymap
            .keys_label(Context::List, a)
            .and_then(|k| k.split('/').next().map(str::to_string))
            .unwrap_or_default()
    };
    let mut parts = Vec::new();
    if above > 0 {
        parts.push(format!("{above} more above"));
    }
    if below > 0 {
        parts.push(format!("{below} more below"));
    }
    let mut spans = vec![Span::styled(format!("… {}", parts.join(" · ")), t.muted)];
    if failed > 0 {
        spans.push(Span::styled(format!(" ({failed} failed)"), t.error));
    }
    spans.push(Span::styled(
        format!(" · {}/{} scroll", key(Action::Up), key(Action::Down)),
        t.muted,
    ));
    Line::from(spans)
}

#[cfg(test)]
mod tests;
