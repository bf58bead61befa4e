//! The draft editor pane: local lists on the left, the selected list's entries and its
//! problems on the right; the annotation form replaces the entries while open.

use super::{centered, empty_message, load_line, mark_selected, pane_block};
use crate::store::Draft;
use crate::text::{ellipsize, ellipsize_start, inert, platform_label};
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::pane::{AppEvent, Ctx, Pane, PaneId, View};
use crate::tui::state::editor::{
    format_label, problems, EditorState, Focus, Form, Mode, Problem, RowIssue, RowKind,
};
use crate::tui::worker::{Slot, WorkerEvent};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

#[derive(Debug, Default)]
pub struct EditorPane {
    pub(crate) state: EditorState,
}

impl EditorPane {
    pub(crate) fn new() -> Self {
        EditorPane {
            state: EditorState::new(),
        }
    }
}

impl Pane for EditorPane {
    fn id(&self) -> PaneId {
        PaneId::Editor
    }
    fn title(&self) -> String {
        match &self.state.mode {
            Mode::Form(f) if f.modified() => "Editor*".to_string(),
            _ => "Editor".to_string(),
        }
    }
    fn contexts(&self) -> Vec<Context> {
        self.state.contexts()
    }
    fn field_focused(&self) -> bool {
        self.state.field_focused()
    }
    fn field_key(&mut self, key: &KeyEvent, ctx: &mut Ctx) {
        self.state.field_key(key, ctx)
    }
    fn paste(&mut self, text: &str, _ctx: &mut Ctx) {
        self.state.paste(text)
    }
    fn action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        self.state.action(action, ctx)
    }
    fn owns(&self, slot: Slot) -> bool {
        matches!(slot, Slot::Drafts | Slot::Draft)
    }
    fn worker_event(&mut self, ev: WorkerEvent, ctx: &mut Ctx) {
        self.state.reply(ev.slot, ev.reply, ctx)
    }
    fn app_event(&mut self, ev: &AppEvent, ctx: &mut Ctx) -> bool {
        match ev {
            AppEvent::SendToEditor(item) => {
                self.state.receive(item, ctx);
                true
            }
            // Not consumed: only remembered for completing references.
            AppEvent::SetCompareSide(_, crate::ops::Source::Remote(r)) => {
                if r.tag.is_some() {
                    self.state.seen.insert(r.to_string());
                }
                false
            }
            AppEvent::Seen(refs) => {
                self.state.seen.extend(refs.iter().cloned());
                false
            }
            _ => false,
        }
    }
    fn on_show(&mut self, ctx: &mut Ctx) {
        self.state.refresh(ctx)
    }
    fn busy(&self) -> bool {
        self.state.busy()
    }
    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(frame, area, &self.state, view)
    }
}

/// A reference without its registry when it is the list's own (the interesting part is the
/// repository and tag).
pub(crate) fn short_ref(r: &crate::reference::Reference, domain: &str) -> String {
    let s = r.to_string();
    if r.domain == domain {
        s.strip_prefix(&format!("{domain}/"))
            .map(str::to_string)
            .unwrap_or(s)
    } else {
        s
    }
}

/// Draw the editor into `area`.
pub(crate) fn draw(frame: &mut Frame, area: Rect, s: &EditorState, view: &View) {
    let t = view.theme;
    let mut title = vec![Span::styled(" Draft editor ", t.title)];
    if s.busy() {
        title.push(Span::styled(format!("{} ", view.spinner()), t.spinner));
    }
    let block = pane_block(Line::from(title), view, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 10 {
        return;
    }
    let bottom_h = match &s.mode {
        Mode::Prompt(p) => 1 + p.error.is_some() as u16,
        _ => 1,
    };
    let [body, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_h)]).areas(inner);
    // The lists column is as wide as its longest name needs (plus 12 for the problem mark,
    // count, format, gaps and borders), at most 2/5 of the pane; the entries get the rest.
    let longest = s
        .rows
        .iter()
        .map(|r| match &r.draft {
            Ok(d) => d.shown_name().chars().count(),
            Err(_) => r.dir_name.chars().count(),
        })
        .max()
        .unwrap_or(0);
    let left_w = (longest.saturating_add(12).min(48) as u16)
        .max(24)
        .min(body.width * 2 / 5)
        .max(20.min(body.width));
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
    draw_lists(frame, left, s, view);
    match &s.mode {
        Mode::Form(f) => draw_form(frame, right, f, view),
        _ => draw_entries(frame, right, s, view),
    }
    draw_bottom(frame, bottom, s, view);
    if let Mode::Confirm(c) = &s.mode {
        let q = inert(&c.question()).into_owned();
        let w = (q.chars().count() as u16 + 4).min(area.width);
        let r = centered(area, w.max(30), 4);
        frame.render_widget(Clear, r);
        let b = pane_block(Line::from(Span::styled(" Confirm ", t.title)), view, true);
        let text = vec![
            Line::from(q),
            Line::from(Span::styled(
                format!(
                    "{}: yes   {}: no",
                    view.key(Context::Field, Action::Submit),
                    view.key(Context::Field, Action::Cancel)
                ),
                t.muted,
            )),
        ];
        frame.render_widget(Paragraph::new(text).block(b).wrap(Wrap { trim: true }), r);
    }
}

fn draw_bottom(frame: &mut Frame, area: Rect, s: &EditorState, view: &View) {
    let t = view.theme;
    match &s.mode {
        Mode::Prompt(p) => {
            let [f, e] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
            p.field.draw(frame, f, t, true);
            if let Some(err) = &p.error {
                frame.render_widget(
                    Paragraph::new(Span::styled(inert(err).into_owned(), t.error)),
                    e,
                );
            }
        }
        _ => {
            let line =
                if let Some(l) = load_line(&s.load, "local lists", None, Context::Editor, view) {
                    l
                } else if let Some(op) = &s.in_flight {
                    let what = match op {
                        crate::tui::worker::StoreOp::AddEntries { refs, .. } => {
                            format!("fetching {} reference(s) from the registry…", refs.len())
                        }
                        crate::tui::worker::StoreOp::Refresh { entry, .. } => {
                            format!("fetching {entry} again…")
                        }
                        _ => "saving…".to_string(),
                    };
                    Line::from(vec![
                        Span::styled(view.spinner().to_string(), t.spinner),
                        Span::raw(format!(" {}", inert(&what))),
                    ])
                } else if let Some(e) = &s.last_error {
                    Line::from(vec![
                        Span::styled("error: ", t.error),
                        Span::raw(inert(e).into_owned()),
                    ])
                } else {
                    let k = |a: Action| view.key(Context::Editor, a);
                    Line::from(Span::styled(
                        format!(
                            "{} new list · {} add · {} annotate · {} push · {} delete",
                            k(Action::NewList),
                            k(Action::AddEntry),
                            k(Action::Open),
                            k(Action::Push),
                            k(Action::Delete)
                        ),
                        t.muted,
                    ))
                };
            frame.render_widget(Paragraph::new(line), area);
        }
    }
}

fn draw_lists(frame: &mut Frame, area: Rect, s: &EditorState, view: &View) {
    let t = view.theme;
    let focused = s.focus == Focus::Lists && matches!(s.mode, Mode::Normal | Mode::Confirm(_));
    let block = pane_block(
        Line::from(Span::styled(
            format!(" Local lists ({}) ", s.rows.len()),
            t.title,
        )),
        view,
        focused,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if s.rows.is_empty() {
        if s.load == crate::tui::state::Load::Done {
            empty_message(
                frame,
                inner,
                vec![
                    Line::from("No local lists."),
                    Line::from(format!(
                        "{}: new Docker list",
                        view.key(Context::Editor, Action::NewList)
                    )),
                    Line::from(format!(
                        "{}: new OCI index",
                        view.key(Context::Editor, Action::NewOciList)
                    )),
                ],
                t.muted,
            );
        }
        return;
    }
    let h = inner.height as usize;
    let off = s.selected.scroll_for(h, s.rows.len());
    let name_w = (inner.width as usize).saturating_sub(8).max(4);
    let rows: Vec<Row> = s
        .rows
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, r)| {
            let row = list_row(r, name_w, view);
            if i == s.selected.get() {
                row.style(if focused { t.selected } else { t.header })
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Min(4),
            Constraint::Length(2),
            Constraint::Length(3),
        ],
    );
    frame.render_widget(table, inner);
}

/// One stored list's row: its name (marked when something blocks its push), its entry
/// count and its format; a directory that does not read as a list is shown by its name.
fn list_row<'a>(r: &crate::tui::worker::DraftRow, name_w: usize, view: &View) -> Row<'a> {
    let t = view.theme;
    match &r.draft {
        Ok(d) => {
            let n_prob = problems(d, view.keymap)
                .iter()
                .filter(|p| p.blocking)
                .count();
            let name = d.shown_name();
            let mut name_cell = Line::from(Span::raw(
                ellipsize(&inert(&name), name_w.saturating_sub(1)).into_owned(),
            ));
            if n_prob > 0 {
                name_cell.spans.push(Span::styled("!", t.error));
            }
            Row::new(vec![
                Cell::from(name_cell),
                Cell::from(format!("{:>2}", d.entries.len())),
                Cell::from(Span::styled(
                    if d.kind().is_oci() { "oci" } else { "dkr" },
                    t.muted,
                )),
            ])
        }
        Err(_) => Row::new(vec![
            Cell::from(Span::styled(
                ellipsize(&inert(&r.dir_name), name_w).into_owned(),
                t.error,
            )),
            Cell::from(Span::styled(" ?", t.error)),
            Cell::from(""),
        ]),
    }
}

fn draw_entries(frame: &mut Frame, area: Rect, s: &EditorState, view: &View) {
    let t = view.theme;
    let focused = s.focus == Focus::Entries && matches!(s.mode, Mode::Normal | Mode::Confirm(_));
    let Some(row) = s.rows.get(s.selected.get()) else {
        let block = pane_block(Line::from(Span::styled(" Entries ", t.title)), view, false);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        empty_message(
            frame,
            inner,
            vec![Line::from(format!(
                "Create a list, then add images: by reference ({}) or from the browser ({} on a tag).",
                view.key(Context::Editor, Action::AddEntry),
                view.key(Context::Tags, Action::SendToEditor)
            ))],
            t.muted,
        );
        return;
    };
    let d = match &row.draft {
        Ok(d) => d,
        Err(e) => {
            let block = pane_block(
                Line::from(Span::styled(format!(" {} ", inert(&row.dir_name)), t.title)),
                view,
                focused,
            );
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled("This list cannot be read:", t.error)),
                    Line::from(inert(e).into_owned()),
                ])
                .wrap(Wrap { trim: true })
                .block(block),
                area,
            );
            return;
        }
    };
    let title = Line::from(vec![
        Span::styled(format!(" {} ", inert(&d.shown_name())), t.title),
        Span::styled(
            format!("{} · {} entries ", format_label(d), d.entries.len()),
            t.muted,
        ),
    ]);
    let block = pane_block(title, view, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let probs = problems(d, view.keymap);
    // The problems, wrapped (each says what to do about it; none is cut off), under the
    // table in at most half the pane.
    let prob_par = (!probs.is_empty()).then(|| problems_paragraph(&probs, view));
    let prob_h = prob_par.as_ref().map_or(0, |p| {
        (p.line_count(inner.width).min(u16::MAX as usize) as u16).min(inner.height / 2)
    });
    let [table_area, prob_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(prob_h)]).areas(inner);
    if d.entries.is_empty() {
        empty_message(
            frame,
            table_area,
            vec![Line::from(format!(
                "No entries: {} adds images or lists by reference, or press {} in the browser.",
                view.key(Context::Editor, Action::AddEntry),
                view.key(Context::Tags, Action::SendToEditor)
            ))],
            t.muted,
        );
    } else {
        draw_entry_table(frame, table_area, s, d, &probs, focused, view);
    }
    if let Some(par) = prob_par.filter(|_| prob_h > 0) {
        frame.render_widget(par, prob_area);
    }
}

/// One row per entry: a mark (`!` blocks the push, `@` has annotations), the platform, the
/// reference and the digest.
fn draw_entry_table(
    frame: &mut Frame,
    table_area: Rect,
    s: &EditorState,
    d: &Draft,
    probs: &[Problem],
    focused: bool,
    view: &View,
) {
    let t = view.theme;
    let h = table_area.height.saturating_sub(1) as usize;
    let off = s.entry_sel.scroll_for(h, d.entries.len());
    let plat_w = d
        .entries
        .iter()
        .map(|e| platform_label(&e.platform()).chars().count() + 1)
        .max()
        .unwrap_or(12)
        .clamp(12, 34) as u16;
    // What the reference column gets (mark, platform, digest and three gaps take the
    // rest); a long reference keeps its end, where repositories differ.
    let ref_w = table_area.width.saturating_sub(1 + plat_w + 19 + 3).max(10) as usize;
    let rows: Vec<Row> = d
        .entries
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, e)| {
            let bad = probs.iter().any(|p| p.entry == Some(i) && p.blocking);
            let mark = if bad {
                Span::styled("!", t.error)
            } else if !e.descriptor.annotations.is_empty() {
                Span::styled("@", t.muted)
            } else {
                Span::raw(" ")
            };
            let p = e.platform();
            let mut plat = platform_label(&p);
            if !p.os_features.is_empty() {
                plat.push_str(&format!(" +{}", p.os_features.join(",")));
            }
            mark_selected(
                Row::new(vec![
                    Cell::from(mark),
                    Cell::from(inert(&plat).into_owned()),
                    Cell::from(
                        ellipsize_start(&inert(&short_ref(&e.reference, &d.list.domain)), ref_w)
                            .into_owned(),
                    ),
                    Cell::from(Span::styled(e.digest().short(), t.muted)),
                ]),
                i == s.entry_sel.get() && focused,
                view,
            )
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(plat_w),
            Constraint::Min(10),
            Constraint::Length(19),
        ],
    )
    .header(Row::new(vec!["", "platform", "reference", "digest"]).style(t.header));
    frame.render_widget(table, table_area);
}

fn problems_paragraph<'a>(probs: &[Problem], view: &View) -> Paragraph<'a> {
    let t = view.theme;
    let mut lines = vec![Line::from(Span::styled(
        format!("Before push ({}):", probs.len()),
        t.header,
    ))];
    for p in probs {
        let who = match p.entry {
            Some(i) => format!("#{} ", i + 1),
            None => String::new(),
        };
        let (mark, style) = if p.blocking {
            ("✗ ", t.error)
        } else {
            ("i ", t.muted)
        };
        lines.push(Line::from(vec![
            Span::styled(mark, style),
            Span::raw(format!("{who}{}", inert(&p.text))),
        ]));
    }
    Paragraph::new(lines).wrap(Wrap { trim: false })
}

fn draw_form(frame: &mut Frame, area: Rect, f: &Form, view: &View) {
    let keymap = view.keymap;
    let t = view.theme;
    let block = pane_block(form_title(f, view), view, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let issues = f.issues(keymap);
    let n = f.rows.len() as u16;
    let [rows_area, info_area] =
        Layout::vertical([Constraint::Length(n.min(inner.height)), Constraint::Min(0)])
            .areas(inner);
    for (i, r) in f.rows.iter().enumerate().take(rows_area.height as usize) {
        let y = rows_area.y + i as u16;
        let line = Rect {
            y,
            height: 1,
            ..rows_area
        };
        let bad = issues.iter().any(|x| x.row == i);
        let mark = match (bad, r.modified()) {
            (true, _) => Span::styled("✗", t.error),
            (false, true) => Span::styled("*", t.changed),
            _ => Span::raw(" "),
        };
        let [m, field] =
            Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(line);
        frame.render_widget(Paragraph::new(Line::from(mark)), m);
        r.field.draw(frame, field, t, i == f.focus);
    }
    if info_area.height > 0 {
        let info = Rect {
            y: info_area.y + 1.min(info_area.height - 1),
            height: info_area.height - 1.min(info_area.height - 1),
            ..info_area
        };
        let lines = form_info(f, &issues, view, keymap);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), info);
    }
}

/// ` Annotate PLATFORM [unsaved] REFERENCE ⠋ saving `.
fn form_title<'a>(f: &Form, view: &View) -> Line<'a> {
    let t = view.theme;
    let mut title = vec![Span::styled(
        format!(" Annotate {} ", inert(&f.label)),
        t.title,
    )];
    if f.modified() {
        title.push(Span::styled("[unsaved] ", t.changed));
    }
    title.push(Span::styled(
        format!("{} ", inert(&short_ref(&f.entry, &f.list.domain))),
        t.muted,
    ));
    if f.saving {
        title.push(Span::styled(
            format!("{} saving ", view.spinner()),
            t.spinner,
        ));
    }
    Line::from(title)
}

/// What goes under the form's rows.
fn form_info<'a>(f: &Form, issues: &[RowIssue], view: &View, keymap: &Keymap) -> Vec<Line<'a>> {
    let t = view.theme;
    // Under the rows: the focused field's problem, then completions, then other problems.
    let mut lines: Vec<Line> = Vec::new();
    if let Some(e) = &f.error {
        lines.push(Line::from(Span::styled(inert(e).into_owned(), t.error)));
    }
    if f.discard_armed {
        lines.push(Line::from(Span::styled(
            format!(
                "unsaved changes: {} saves them, {} again discards them",
                view.key(Context::Field, Action::Submit),
                view.key(Context::Field, Action::Cancel)
            ),
            t.changed,
        )));
    }
    for i in issues.iter().filter(|x| x.row == f.focus) {
        lines.push(Line::from(vec![
            Span::styled("✗ ", t.error),
            Span::raw(inert(&i.reason).into_owned()),
        ]));
        if !i.suggestions.is_empty() {
            lines.push(Line::from(vec![
                Span::styled("  did you mean: ", t.muted),
                Span::styled(inert(&i.suggestions.join(", ")).into_owned(), t.ok),
            ]));
        }
    }
    let focused_row = f.rows.get(f.focus);
    if focused_row.is_some_and(|r| matches!(r.kind, RowKind::Platform(_))) {
        let comps = f.completions();
        if !comps.is_empty() {
            let cur = f.cycle.as_ref().map(|(_, p)| *p);
            let tab = keymap
                .keys_label(Context::Form, Action::Complete)
                .unwrap_or_default();
            let mut spans = vec![Span::styled(format!("known ({tab} cycles): "), t.muted)];
            for (k, c) in comps.iter().take(12).enumerate() {
                let st = if Some(k) == cur { t.selected } else { t.key };
                spans.push(Span::styled(inert(c).into_owned(), st));
                spans.push(Span::raw(" "));
            }
            if comps.len() > 12 {
                spans.push(Span::styled(format!("+{}", comps.len() - 12), t.muted));
            }
            lines.push(Line::from(spans));
        }
    }
    let others = issues.iter().filter(|x| x.row != f.focus).count();
    if others > 0 {
        lines.push(Line::from(Span::styled(
            format!("{others} problem(s) in other fields (marked ✗)"),
            t.error,
        )));
    }
    let label = |c: Context, a: Action| keymap.keys_label(c, a).unwrap_or_default();
    lines.push(Line::from(Span::styled(
        format!(
            "{} save · {} undo field / close · {}/{} move · paste works",
            label(Context::Field, Action::Submit),
            label(Context::Field, Action::Cancel),
            label(Context::Form, Action::PrevField),
            label(Context::Form, Action::NextField),
        ),
        t.muted,
    )));
    lines
}

#[cfg(test)]
mod tests;
