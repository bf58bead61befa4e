//! A sync's plan over the browser (`S`): while it is worked out, a spinner; then one row per
//! image (new, changed with the platforms that changed, up to date, failed; the names
//! without the registries the title names) and what Enter and Esc do. Nothing is written
//! before Enter.

use super::{centered, pane_block};
use crate::ops::{ImageState, PlannedImage, SyncPlan};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::View;
use crate::tui::state::browser::SyncConfirm;
use crate::tui::text::{count, ellipsize, human_size, in_registry, inert};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// Draw the plan window over `area`.
pub(crate) fn draw(frame: &mut Frame, area: Rect, s: &SyncConfirm, view: &View) {
    let t = view.theme;
    let title = Line::from(vec![
        Span::styled(" Sync ", t.title),
        Span::styled(
            format!("{} → {} ", inert(&s.source_label()), inert(s.dest())),
            t.muted,
        ),
    ]);
    let w = area.width.saturating_sub(4).min(160);
    let inner_w = w.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    match s {
        SyncConfirm::Planning { .. } => {
            lines.push(Line::from(format!(
                "{} asking both sides what they hold…",
                view.spinner()
            )));
            lines.push(Line::styled(
                format!(
                    "{}: cancel",
                    view.keymap
                        .keys_label(Context::SyncPlan, Action::Cancel)
                        .unwrap_or_default()
                ),
                t.muted,
            ));
        }
        SyncConfirm::Ask { job, selected } => {
            let plan = &job.plan;
            lines.push(Line::from(summary(plan)));
            lines.push(Line::from(""));
            let rows = plan_rows(plan, inner_w, view);
            // The rows that fit (the window leaves 2 lines of border, 4 of text), following
            // the selection.
            let room = (area.height.saturating_sub(6) as usize).max(1);
            let off = selected.scroll_for(room, rows.len());
            for (i, (text, style)) in rows.iter().enumerate().skip(off).take(room) {
                let style = if i == selected.get() {
                    style.patch(t.selected)
                } else {
                    *style
                };
                lines.push(Line::styled(text.clone(), style));
            }
            if rows.len() > room {
                lines.push(Line::styled(
                    format!("… {} in all", count(plan.images.len(), "image")),
                    t.muted,
                ));
            }
            let k = |a: Action| {
                view.keymap
                    .keys_label(Context::SyncPlan, a)
                    .unwrap_or_default()
            };
            let run = if plan.to_copy() == 0 {
                "close (nothing to copy)".to_string()
            } else {
                format!("copy {}", count(plan.to_copy(), "image"))
            };
            lines.push(Line::styled(
                format!(
                    "{}: {run}   {}: cancel",
                    k(Action::Submit),
                    k(Action::Cancel)
                ),
                t.muted,
            ));
        }
    }
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, w, h);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, view, true)),
        r,
    );
}

/// `3 images: 1 new, 1 changed, 1 up to date, 0 failed`.
fn summary(plan: &SyncPlan) -> String {
    format!(
        "{}: {} new, {} changed, {} up to date, {} failed",
        count(plan.images.len(), "image"),
        plan.count("new"),
        plan.count("changed"),
        plan.count("up to date"),
        plan.count("failed") + plan.problems.len()
    )
}

/// One line per problem, then per image, each with its style.
fn plan_rows(plan: &SyncPlan, width: usize, view: &View) -> Vec<(String, Style)> {
    let t = view.theme;
    let mut rows: Vec<(String, Style)> = plan
        .problems
        .iter()
        .map(|p| {
            let text = format!("{:<11} {}: {}", "failed", inert(&p.what), inert(&p.reason));
            (ellipsize(&text, width).into_owned(), t.error)
        })
        .collect();
    for i in &plan.images {
        let style = match i.state {
            ImageState::New | ImageState::Changed => Style::new(),
            ImageState::UpToDate => t.muted,
            ImageState::Failed(_) => t.error,
        };
        let text = format!(
            "{:<11} {} → {}{}",
            i.state.label(),
            inert(&in_registry(&i.source)),
            inert(&in_registry(&i.target)),
            detail(i)
        );
        rows.push((ellipsize(&text, width).into_owned(), style));
    }
    rows
}

/// What to say after an image's names: the platforms that changed, the bytes to move, why
/// it fails.
fn detail(i: &PlannedImage) -> String {
    let mut parts = Vec::new();
    if let (ImageState::Changed, Some(c)) = (&i.state, &i.comparison) {
        let changed: Vec<String> = c
            .rows
            .iter()
            .filter(|r| r.status.differs(false))
            .map(|r| r.platform.display())
            .collect();
        if changed.is_empty() {
            parts.push("no platform changed".to_string());
        } else {
            parts.push(format!(
                "{} of {} platforms changed: {}",
                changed.len(),
                c.rows.len(),
                changed.join(", ")
            ));
        }
    }
    if let (ImageState::New | ImageState::Changed, Some(b)) = (&i.state, i.bytes) {
        parts.push(format!(
            "{} to move",
            human_size(i64::try_from(b).unwrap_or(i64::MAX))
        ));
    }
    if let ImageState::Failed(why) = &i.state {
        parts.push(inert(why).into_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("  ({})", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::state::browser::{BrowserState, Overlay, SyncConfirm};
    use crate::tui::test_fixtures::{browser, catalog_state, sync_plan_job};

    fn with(s: SyncConfirm) -> BrowserState {
        let mut b = catalog_state();
        b.catalog.extend(["samples/app".to_string()]);
        b.overlay = Some(Overlay::Sync(s));
        b
    }

    /// The plan as a table: the counts, one row per image (a changed list names the
    /// platforms that changed, a new one the bytes to move, a failure why), what Enter and
    /// Esc do.
    #[test]
    fn the_sync_plan_is_a_table_of_images() {
        let job = sync_plan_job();
        let s = with(SyncConfirm::Ask {
            job,
            selected: Default::default(),
        });
        let t = browser(130, 16, &s);
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn while_the_plan_is_worked_out_esc_cancels() {
        let job = sync_plan_job();
        let s = with(SyncConfirm::Planning {
            source: job.source,
            dest: job.dest,
        });
        let screen = browser(100, 10, &s).backend().to_string();
        assert!(
            screen.contains("asking both sides what they hold"),
            "{screen}"
        );
        assert!(screen.contains("Esc: cancel"), "{screen}");
    }
}
