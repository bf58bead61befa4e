//! The comparison pane: one row per platform, A and B side by side.

use super::{empty_message, load_line, pane_block};
use crate::digest::Digest;
use crate::ops::{AttestationStatus, Comparison, DiffRow, DiffStatus};
use crate::text::{ellipsize, ellipsize_start, fit_label_and_digest, inert, platform_label};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, Pane, PaneId, View};
use crate::tui::state::compare::CompareState;
use crate::tui::theme::Theme;
use crate::tui::worker::{Slot, WorkerEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

#[derive(Debug, Default)]
pub struct ComparePane {
    pub state: CompareState,
}

impl Pane for ComparePane {
    fn id(&self) -> PaneId {
        PaneId::Compare
    }
    fn title(&self) -> String {
        "Compare".to_string()
    }
    fn contexts(&self) -> Vec<Context> {
        self.state.contexts()
    }
    fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        self.state.action(action, ctx)
    }
    fn owns(&self, slot: Slot) -> bool {
        slot == Slot::Compare
    }
    fn worker_event(&mut self, ev: WorkerEvent, _ctx: &mut Ctx) {
        self.state.reply(ev.reply)
    }
    fn app_event(&mut self, ev: &AppEvent, ctx: &mut Ctx) -> bool {
        match ev {
            AppEvent::SetCompareSide(side, src) => {
                self.state.set_side(*side, src.clone(), ctx);
                true
            }
            _ => false,
        }
    }
    fn busy(&self) -> bool {
        self.state.load.busy()
    }
    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(frame, area, &self.state, view)
    }
}

/// The style of a row of this status.
pub fn row_style(theme: &Theme, status: DiffStatus) -> Style {
    match status {
        DiffStatus::Same | DiffStatus::FormatOnly => theme.muted,
        DiffStatus::ConfigOnly | DiffStatus::LayersChanged | DiffStatus::Changed => theme.changed,
        DiffStatus::OnlyA => theme.only_a,
        DiffStatus::OnlyB => theme.only_b,
    }
}

fn marker(status: DiffStatus) -> &'static str {
    match status {
        DiffStatus::Same => "=",
        DiffStatus::FormatOnly => "≈",
        DiffStatus::ConfigOnly => "c",
        DiffStatus::LayersChanged | DiffStatus::Changed => "≠",
        DiffStatus::OnlyA => "A",
        DiffStatus::OnlyB => "B",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, s: &CompareState, view: &View) {
    if let Some(p) = &s.platform {
        return super::platform_diff::draw(frame, area, p, view);
    }
    let t = view.theme;
    let block = pane_block(
        Line::from(Span::styled(" compare per platform ", t.title)),
        view,
        true,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width == 0 {
        return;
    }
    let [sides, body, bottom] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(inner);
    draw_sides(frame, sides, s, view);
    let Some(c) = &s.result else {
        empty_message(frame, body, nothing_yet(s, view), t.muted);
        return;
    };
    draw_rows(frame, body, s, c, view);
    frame.render_widget(Paragraph::new(status_line(s, view)), bottom);
}

/// `A: label  digest` and `B: …`, the digest visibly shortened when it does not fit.
fn draw_sides(frame: &mut Frame, sides: Rect, s: &CompareState, view: &View) {
    let t = view.theme;
    let side_line = |name: &str, label: Option<String>, digest: Option<&Digest>| {
        let mut spans = vec![Span::styled(format!("{name}: "), t.title)];
        let room = (sides.width as usize).saturating_sub(name.chars().count() + 2);
        match (label, digest) {
            (Some(l), Some(d)) => {
                // Both fit, or the digest is visibly shortened (never silently cut).
                let (l, d) = fit_label_and_digest(&inert(&l), d, room);
                spans.push(Span::raw(l));
                spans.push(Span::styled(format!("  {d}"), t.muted));
            }
            (Some(l), None) => {
                spans.push(Span::raw(ellipsize_start(&inert(&l), room).into_owned()))
            }
            (None, _) => spans.push(Span::styled("(not set)", t.muted)),
        }
        Line::from(spans)
    };
    let (a_d, b_d) = match &s.result {
        Some(c) => (c.a_digest.as_ref(), c.b_digest.as_ref()),
        None => (None, None),
    };
    frame.render_widget(
        Paragraph::new(vec![
            side_line("A", s.a.as_ref().map(|x| x.label()), a_d),
            side_line("B", s.b.as_ref().map(|x| x.label()), b_d),
        ]),
        sides,
    );
}

/// Before a comparison: loading, or how to pick the two sides.
fn nothing_yet<'a>(s: &CompareState, view: &View) -> Vec<Line<'a>> {
    match load_line(&s.load, "both sides", None, Context::Compare, view) {
        Some(l) => vec![l],
        None => {
            let ka = view
                .keymap
                .keys_label(Context::Tags, Action::MarkA)
                .unwrap_or_default();
            let kb = view
                .keymap
                .keys_label(Context::Tags, Action::MarkB)
                .unwrap_or_default();
            vec![
                Line::from("Nothing to compare yet."),
                Line::from(format!(
                    "In the browser, press {ka} on a tag or list for side A and {kb} on another for side B."
                )),
            ]
        }
    }
}

/// One row per platform: its kind, why it differs, and both digests (whole when there is
/// room, shortened when not, left out when even that does not fit).
fn draw_rows(frame: &mut Frame, body: Rect, s: &CompareState, c: &Comparison, view: &View) {
    let t = view.theme;
    let pw = c
        .rows
        .iter()
        .map(|r| platform_label(&r.platform).chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 34) as u16
        + 1;
    let why_w: u16 = 32;
    let fixed = 2 + pw + 15 + why_w + 2;
    let full = body.width >= fixed + 73 * 2;
    let digests = body.width >= fixed + 21 * 2;
    let dw: u16 = if full { 72 } else { 20 };
    let dig = |r: &DiffRow, b: bool| -> String {
        let side = if b { &r.b } else { &r.a };
        match side {
            Some(x) if full => x.digest.to_string(),
            Some(x) => x.digest.short(),
            None => "—".to_string(),
        }
    };
    let h = body.height.saturating_sub(1) as usize;
    let off = s.selected.scroll_for(h, c.rows.len());
    let rows = c.rows.iter().enumerate().skip(off).take(h).map(|(i, r)| {
        let mut style = row_style(t, r.status);
        if i == s.selected.get() {
            style = style.patch(t.selected);
        }
        let mut cells = vec![
            Cell::from(marker(r.status)),
            Cell::from(inert(&platform_label(&r.platform)).into_owned()),
            Cell::from(r.status.label()),
            Cell::from(ellipsize(&inert(&r.why()), why_w as usize).into_owned()),
        ];
        if digests {
            cells.push(Cell::from(dig(r, false)));
            cells.push(Cell::from(dig(r, true)));
        }
        Row::new(cells).style(style)
    });
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(pw),
        Constraint::Length(14),
        Constraint::Length(why_w),
    ];
    let mut header = vec!["", "Platform", "Status", "Why"];
    if digests {
        widths.extend([Constraint::Length(dw), Constraint::Length(dw)]);
        header.extend(["A digest", "B digest"]);
    }
    let table = Table::new(rows, widths).header(Row::new(header).style(t.header));
    frame.render_widget(table, body);
}

/// Loading, or the count of each kind, then the attestations.
fn status_line<'a>(s: &CompareState, view: &View) -> Line<'a> {
    let t = view.theme;
    match load_line(&s.load, "both sides", None, Context::Compare, view) {
        Some(l) => l,
        None => {
            let mut spans = Vec::new();
            for (st, n) in s.summary().unwrap_or_default() {
                if !spans.is_empty() {
                    spans.push(Span::raw(" · "));
                }
                spans.push(Span::styled(
                    format!("{n} {}", st.label()),
                    row_style(t, st),
                ));
            }
            if let Some(c) = &s.result {
                if c.attestations != AttestationStatus::None {
                    spans.push(Span::raw(" · "));
                    spans.push(Span::styled(
                        format!("attestations {}", c.attestations.label()),
                        t.muted,
                    ));
                }
            }
            Line::from(spans)
        }
    }
}
