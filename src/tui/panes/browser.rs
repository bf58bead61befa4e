//! The registry browser pane.

use super::{centered, empty_message, load_line, mark_selected, pane_block};
use crate::media::Kind;
use crate::ops::Inspection;
use crate::text::{human_size, inert, platform_label};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::{AppEvent, Ctx, Pane, PaneId, View};
use crate::tui::state::browser::{BrowserState, Checklist, ContentView, DeleteConfirm, Level};
use crate::tui::state::list::{FilterList, ItemText};
use crate::tui::state::Load;
use crate::tui::worker::{Content, ImageDetails, Slot, WorkerEvent};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table};
use ratatui::Frame;

/// The browser as a [`Pane`].
#[derive(Debug, Default)]
pub struct BrowserPane {
    pub(crate) state: BrowserState,
}

impl BrowserPane {
    pub(crate) fn new(state: BrowserState) -> Self {
        BrowserPane { state }
    }
}

impl Pane for BrowserPane {
    fn id(&self) -> PaneId {
        PaneId::Browser
    }
    fn title(&self) -> String {
        "Browser".to_string()
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
        matches!(
            slot,
            Slot::Registries
                | Slot::Catalog
                | Slot::Tags
                | Slot::Content
                | Slot::Details
                | Slot::Statements
                | Slot::Retag
                | Slot::Delete
                | Slot::SyncPlan
        )
    }
    fn worker_event(&mut self, ev: WorkerEvent, ctx: &mut Ctx) {
        if matches!(ev.slot, Slot::Retag | Slot::Delete | Slot::SyncPlan) {
            return self.state.change_reply(ev.slot, ev.reply, ctx);
        }
        let seen = self.state.references_in(&ev.reply);
        if !seen.is_empty() {
            ctx.emit(AppEvent::Seen(seen));
        }
        self.state.reply(ev.slot, ev.reply, ctx);
        if let Some(v) = &mut self.state.view {
            v.fetch_details(ctx);
        }
    }
    fn app_event(&mut self, ev: &AppEvent, ctx: &mut Ctx) -> bool {
        if let AppEvent::TagsChanged(repo) = ev {
            self.state.tags_changed(repo, ctx);
        }
        false
    }
    fn busy(&self) -> bool {
        self.state.busy()
    }
    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(frame, area, &self.state, view)
    }
}

/// `registry › repo › tag` for the block title.
fn breadcrumb(s: &BrowserState) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = &s.registry {
        if s.level != Level::Registries {
            parts.push(inert(r).into_owned());
        }
    }
    // A layout's one repository has no name: nothing to show for it.
    if let Some(r) = s.repo.as_ref().filter(|r| !r.is_empty()) {
        if matches!(s.level, Level::Tags | Level::Content) {
            parts.push(inert(r).into_owned());
        }
    }
    if s.level == Level::Content {
        if let Some(r) = s.shown() {
            match (&r.tag, &r.digest) {
                (_, Some(d)) => parts.push(d.short()),
                (Some(t), None) => parts.push(inert(t).into_owned()),
                _ => {}
            }
        }
    }
    if parts.is_empty() {
        "registries".to_string()
    } else {
        parts.join(" › ")
    }
}

/// Draw the browser into `area`.
pub fn draw(frame: &mut Frame, area: Rect, s: &BrowserState, view: &View) {
    let t = view.theme;
    let title = Line::from(vec![Span::styled(format!(" {} ", breadcrumb(s)), t.title)]);
    let block = pane_block(title, view, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }

    // Top: a prompt or a filter line when there is one. Bottom: the load state.
    let field_line = s.prompt().is_some()
        || s.filter_field().is_some()
        || (s.level != Level::Content && !current_filter(s).is_empty());
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(if field_line {
            1 + s.prompt().map_or(0, |p| p.error.is_some() as u16)
        } else {
            0
        }),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(inner);

    if let Some(p) = s.prompt() {
        let [f, e] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(top);
        p.field.draw(frame, f, t, true);
        if let Some(err) = &p.error {
            frame.render_widget(
                Paragraph::new(Span::styled(inert(err).into_owned(), t.error)),
                e,
            );
        }
    } else if let Some(f) = s.filter_field() {
        f.draw(frame, top, t, true);
    } else if field_line {
        frame.render_widget(
            Line::from(vec![
                Span::styled("filter: ", t.title),
                Span::raw(inert(current_filter(s)).into_owned()),
                Span::styled(
                    format!("  ({} clears)", view.key(Context::Browser, Action::Back)),
                    t.muted,
                ),
            ]),
            top,
        );
    }

    match s.level {
        Level::Registries => draw_registries(frame, body, bottom, s, view),
        Level::Catalog => draw_catalog(frame, body, bottom, s, view),
        Level::Tags => draw_tags(frame, body, bottom, s, view),
        Level::Content => draw_content(frame, body, bottom, s, view),
    }
    if let Some(c) = s.checklist() {
        draw_checklist(frame, area, c, view);
    }
    if let Some(d) = s.delete() {
        draw_delete(frame, area, d, view);
    }
    if let Some(p) = s.sync_confirm() {
        super::sync_plan::draw(frame, area, p, view);
    }
    if let Some(sel) = s.referrers_panel() {
        super::referrers::draw(frame, area, s, sel, view);
    }
}

/// The platforms to copy, over the browser: one checkbox per platform, then one for what
/// refers to it.
fn draw_checklist(frame: &mut Frame, area: Rect, c: &Checklist, view: &View) {
    let t = view.theme;
    let h = (c.platforms.len() as u16 + 6 + c.error.is_some() as u16).min(area.height);
    let r = centered(area, area.width.saturating_sub(4).min(90), h);
    frame.render_widget(Clear, r);
    let title = if c.platforms.is_empty() {
        " Copy: referrers "
    } else {
        " Copy: platforms "
    };
    let title = Line::from(Span::styled(title, t.title));
    let mut lines = vec![Line::from(vec![
        Span::styled("to ", t.muted),
        Span::raw(inert(&c.dst.to_string()).into_owned()),
    ])];
    for (i, (p, on)) in c.platforms.iter().enumerate() {
        let text = format!("{} {}", if *on { "[x]" } else { "[ ]" }, platform_label(p));
        let style = if i == c.selected.get() {
            t.selected
        } else {
            Style::new()
        };
        lines.push(Line::styled(text, style));
    }
    let known = if c.known_referrers.is_empty() {
        "signatures, SBOMs; none seen on it yet".to_string()
    } else {
        format!("{} seen on it", counted_kinds(&c.known_referrers))
    };
    lines.push(Line::styled(
        format!(
            "{} what refers to it and its entries ({known})",
            if c.referrers { "[x]" } else { "[ ]" }
        ),
        if c.selected.get() == c.platforms.len() {
            t.selected
        } else {
            Style::new()
        },
    ));
    if let Some(e) = &c.error {
        lines.push(Line::styled(inert(e).into_owned(), t.error));
    }
    let all = c.platforms.iter().all(|p| p.1);
    lines.push(Line::styled(
        if c.platforms.is_empty() {
            "an exact copy (same digest)"
        } else if all {
            "all checked: an exact copy (same digest)"
        } else {
            "some checked: a new list of those platforms (new digest)"
        },
        t.muted,
    ));
    let k = |a: Action| view.key(Context::Checklist, a);
    lines.push(Line::styled(
        format!(
            "{}: check   {}: copy   {}: cancel",
            k(Action::Toggle),
            k(Action::Submit),
            k(Action::Cancel)
        ),
        t.muted,
    ));
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, view, true)),
        r,
    );
}

/// `1 signature, 2 SBOMs`: how many of each kind, in the order first seen.
fn counted_kinds(kinds: &[String]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for k in kinds {
        match counts.iter_mut().find(|(n, _)| n == k) {
            Some((_, c)) => *c += 1,
            None => counts.push((k, 1)),
        }
    }
    counts
        .iter()
        .map(|(k, n)| {
            if *n == 1 {
                format!("1 {k}")
            } else {
                format!("{n} {k}s")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A delete: finding what goes, the question with every tag that disappears, deleting.
fn draw_delete(frame: &mut Frame, area: Rect, d: &DeleteConfirm, view: &View) {
    let t = view.theme;
    let mut lines = Vec::new();
    match d {
        DeleteConfirm::Planning(r) => lines.push(Line::from(format!(
            "{} finding every tag of {}…",
            view.spinner(),
            inert(&r.to_string())
        ))),
        DeleteConfirm::Deleting(p) => lines.push(Line::from(format!(
            "{} deleting {}…",
            view.spinner(),
            inert(&p.target.to_string())
        ))),
        DeleteConfirm::Ask(p) => {
            lines.push(Line::from("Delete from the registry:"));
            lines.push(Line::from(format!("  {}", inert(&p.target.to_string()))));
            let others = p.other_tags();
            if others.is_empty() {
                lines.push(Line::styled("no other tag points at it", t.muted));
            } else {
                lines.push(Line::styled(
                    format!("these tags disappear too ({}):", others.len()),
                    t.error,
                ));
                for o in others {
                    lines.push(Line::from(format!("  {}", inert(o))));
                }
            }
            let k = |a: Action| view.keymap.keys_label(Context::Confirm, a);
            lines.push(Line::styled(
                format!(
                    "{}: delete   {}: keep it",
                    k(Action::Submit).unwrap_or_default(),
                    k(Action::Cancel).unwrap_or_default()
                ),
                t.muted,
            ));
        }
    }
    let h = (lines.len() as u16 + 2).min(area.height);
    let w = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
    let r = centered(area, w.max(40).min(area.width.saturating_sub(2)), h);
    frame.render_widget(Clear, r);
    let title = Line::from(Span::styled(" Delete ", t.title));
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(title, view, true)),
        r,
    );
}

fn current_filter(s: &BrowserState) -> &str {
    match s.level {
        Level::Registries => s.registries.filter(),
        Level::Catalog => s.catalog.filter(),
        Level::Tags => s.tags.filter(),
        Level::Content => "",
    }
}

/// Draw a filterable list: only the rows in view are built, so 10,000 items cost nothing.
fn draw_list<T: ItemText>(
    frame: &mut Frame,
    area: Rect,
    list: &FilterList<T>,
    view: &View,
    right: impl Fn(&T) -> Option<String>,
) {
    let t = view.theme;
    let h = area.height as usize;
    let off = list.scroll_for(h);
    let rows: Vec<Line> = list
        .window(off, h)
        .map(|(pos, item)| {
            let mut spans = vec![Span::raw(format!(" {}", inert(item.text())))];
            if let Some(r) = right(item) {
                spans.push(Span::styled(format!("  {r}"), t.muted));
            }
            let line = Line::from(spans);
            if pos == list.selected() {
                line.style(t.selected)
            } else {
                line
            }
        })
        .collect();
    // Full-width selection bar.
    for (i, line) in rows.into_iter().enumerate() {
        let r = Rect {
            y: area.y + i as u16,
            height: 1,
            ..area
        };
        let st = line.style;
        frame.render_widget(Paragraph::new(line).style(st), r);
    }
}

fn count_label(list_len: usize, total: usize, filtered: bool, noun: &str) -> String {
    if filtered {
        format!("{list_len} of {total} {noun}")
    } else {
        format!("{total} {noun}")
    }
}

/// When a list failed before anything arrived, the error fills the body (wrapped).
fn failed_empty(frame: &mut Frame, body: Rect, load: &Load, total: usize, view: &View) -> bool {
    match load {
        Load::Failed(m) if total == 0 && !m.is_empty() => {
            empty_message(
                frame,
                body,
                vec![
                    Line::from(Span::styled(inert(m).into_owned(), view.theme.error)),
                    Line::from(Span::styled(
                        format!("{} retries", view.key(Context::Browser, Action::Refresh)),
                        view.theme.muted,
                    )),
                ],
                Style::new(),
            );
            true
        }
        _ => false,
    }
}

fn status_line(
    frame: &mut Frame,
    area: Rect,
    load: &Load,
    what: &str,
    count: usize,
    summary: String,
    view: &View,
) {
    let shown_in_body = matches!(load, Load::Failed(_)) && count == 0;
    let line = (!shown_in_body)
        .then(|| load_line(load, what, Some(count), Context::Browser, view))
        .flatten()
        .unwrap_or_else(|| Line::from(Span::styled(summary, view.theme.muted)));
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_registries(frame: &mut Frame, body: Rect, bottom: Rect, s: &BrowserState, view: &View) {
    let l = &s.registries;
    if failed_empty(frame, body, &s.registries_load, l.total(), view) {
    } else if l.total() == 0 && !s.registries_load.busy() {
        let keys = view
            .keymap
            .keys_label(Context::Registries, Action::OpenByName)
            .unwrap_or_default();
        empty_message(
            frame,
            body,
            vec![
                Line::from(
                    "No registries known yet (none in docker's config.json, none opened before).",
                ),
                Line::from(format!("Press {keys} to type one, e.g. 127.0.0.1:5000")),
            ],
            view.theme.muted,
        );
    } else {
        let w = l
            .items()
            .iter()
            .map(|c| c.host.chars().count())
            .max()
            .unwrap_or(0);
        draw_list(frame, body, l, view, |c| {
            let pad = w.saturating_sub(c.host.chars().count());
            Some(format!("{}{}", " ".repeat(pad), c.source.label()))
        });
    }
    let summary = count_label(l.len(), l.total(), !l.filter().is_empty(), "registries");
    status_line(
        frame,
        bottom,
        &s.registries_load,
        "registries",
        l.total(),
        summary,
        view,
    );
}

fn draw_catalog(frame: &mut Frame, body: Rect, bottom: Rect, s: &BrowserState, view: &View) {
    let l = &s.catalog;
    if failed_empty(frame, body, &s.catalog_load, l.total(), view) {
    } else if let Some(msg) = &s.catalog_unavailable {
        let keys = view
            .keymap
            .keys_label(Context::Catalog, Action::OpenByName)
            .unwrap_or_default();
        let why = Line::from(inert(msg).into_owned());
        if l.total() == 0 {
            let how = Line::from(format!("Type a repository name instead ({keys})."));
            empty_message(frame, body, vec![why, how], view.theme.muted);
        } else {
            // The repositories recently opened here stand in for the catalog.
            let how = format!("Recently opened here; {keys} types another repository.");
            let [head, list] =
                Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(body);
            frame.render_widget(
                Paragraph::new(vec![why, Line::from(how)]).style(view.theme.muted),
                head,
            );
            draw_list(frame, list, l, view, |_| None);
        }
    } else if l.total() == 0 && s.catalog_load == Load::Done {
        empty_message(
            frame,
            body,
            vec![Line::from("This registry has no repositories.")],
            view.theme.muted,
        );
    } else if l.is_empty() && l.total() > 0 {
        empty_message(
            frame,
            body,
            vec![Line::from("No repository matches the filter.")],
            view.theme.muted,
        );
    } else {
        draw_list(frame, body, l, view, |_| None);
    }
    let summary = count_label(l.len(), l.total(), !l.filter().is_empty(), "repositories");
    status_line(
        frame,
        bottom,
        &s.catalog_load,
        "repositories",
        l.total(),
        summary,
        view,
    );
}

fn draw_tags(frame: &mut Frame, body: Rect, bottom: Rect, s: &BrowserState, view: &View) {
    let l = &s.tags;
    if failed_empty(frame, body, &s.tags_load, l.total(), view) {
    } else if l.total() == 0 && s.tags_load == Load::Done {
        empty_message(
            frame,
            body,
            vec![Line::from("This repository has no tags.")],
            view.theme.muted,
        );
    } else if l.is_empty() && l.total() > 0 {
        empty_message(
            frame,
            body,
            vec![Line::from("No tag matches the filter.")],
            view.theme.muted,
        );
    } else {
        // Tags of the OCI referrers tag scheme hold indexes of referrers, not images.
        draw_list(frame, body, l, view, |t| {
            crate::attest::is_referrers_tag(t).then(|| "referrers (tag scheme)".to_string())
        });
    }
    let summary = format!(
        "{}, sorted {}",
        count_label(l.len(), l.total(), !l.filter().is_empty(), "tags"),
        s.tag_sort.label()
    );
    status_line(
        frame,
        bottom,
        &s.tags_load,
        "tags",
        l.total(),
        summary,
        view,
    );
}

fn media_label(mt: &str) -> String {
    match Kind::from_media_type(mt) {
        Some(k) => k.label().to_string(),
        None => inert(mt.rsplit('/').next().unwrap_or(mt)).into_owned(),
    }
}

fn annotations_label(a: &std::collections::BTreeMap<String, String>) -> String {
    a.iter()
        .map(|(k, v)| format!("{}={}", inert(k), inert(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn draw_content(frame: &mut Frame, body: Rect, bottom: Rect, s: &BrowserState, view: &View) {
    let t = view.theme;
    let Some(s) = &s.view else {
        return;
    };
    let Some(c) = s.content() else {
        if let Some(line) = load_line(
            s.content.load(),
            "the manifest",
            None,
            Context::Browser,
            view,
        ) {
            empty_message(frame, body, vec![line], Style::new());
        }
        return;
    };
    let [head_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
    frame.render_widget(
        Paragraph::new(content_head(s, c, body.width, view)),
        head_area,
    );
    let summary = match (&c.image, s.image_rows(), &c.inside) {
        (Some(_), Some(rows), Some(inside)) => {
            super::image::draw(frame, table_area, &rows, inside, &s.sel, view)
        }
        (Some(img), _, _) => draw_image(frame, table_area, s, img, view),
        (None, _, _) => draw_list_entries(frame, table_area, s, &c.inspection, view),
    };
    let status = load_line(
        s.content.load(),
        "the manifest",
        None,
        Context::Browser,
        view,
    )
    .or_else(|| match s.details.load() {
        Load::Failed(m) => Some(Line::from(Span::styled(
            format!("platform details failed: {}", inert(m)),
            t.error,
        ))),
        l => load_line(
            l,
            "what is inside each platform",
            None,
            Context::Browser,
            view,
        ),
    })
    .unwrap_or_else(|| {
        Line::from(Span::styled(
            crate::text::ellipsize(&summary, bottom.width as usize).into_owned(),
            t.muted,
        ))
    });
    frame.render_widget(Paragraph::new(status), bottom);
}

/// The reference shown, the manifest's kind and its digest (whole when there is room).
fn content_head<'a>(s: &ContentView, c: &Content, width: u16, view: &View) -> Line<'a> {
    let t = view.theme;
    let ins = &c.inspection;
    let shown = &s.shown;
    let kind = ins.manifest.kind();
    let mut spans = vec![
        Span::styled(inert(&shown.familiar()).into_owned(), t.title),
        Span::raw("  "),
        Span::styled(kind.label().to_string(), t.muted),
        Span::raw("  "),
        Span::raw(if width as usize >= shown.familiar().chars().count() + 90 {
            ins.manifest.digest.to_string()
        } else {
            ins.manifest.digest.short()
        }),
    ];
    if let Some(label) = c.referrers.as_ref().and_then(referrers_label) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(label, t.muted));
    }
    Line::from(spans)
}

/// `referred to by 1: application/vnd.example.signature.v1+json (tag scheme)`, or why the
/// referrers could not be read; nothing when there are none.
fn referrers_label(r: &Result<crate::registry::Referrers, String>) -> Option<String> {
    match r {
        Err(e) => Some(format!("referrers: {}", inert(e))),
        Ok(r) if r.descriptors.is_empty() => None,
        Ok(r) => {
            let mut kinds: Vec<String> = r
                .descriptors
                .iter()
                .map(|d| inert(d.artifact_type.as_deref().unwrap_or(&d.media_type)).into_owned())
                .collect();
            kinds.sort();
            kinds.dedup();
            Some(format!(
                "referred to by {}: {} ({})",
                r.descriptors.len(),
                kinds.join(", "),
                crate::tui::state::referrers::via_label(r.via)
            ))
        }
    }
}

/// Digests are shown whole in a table of 140 columns or more; the column width to match.
fn digest_column(table_width: u16) -> (bool, u16) {
    let full = table_width >= 140;
    (full, if full { 72 } else { 20 })
}

fn digest_text(d: &crate::digest::Digest, full: bool) -> String {
    if full {
        d.to_string()
    } else {
        d.short()
    }
}

/// A column of a content table: its header and width, and whether it is shown (a narrow
/// terminal drops some).
struct Column {
    title: &'static str,
    width: Constraint,
    shown: bool,
}

impl Column {
    fn new(title: &'static str, width: Constraint) -> Column {
        Column {
            title,
            width,
            shown: true,
        }
    }

    fn shown(self, shown: bool) -> Column {
        Column { shown, ..self }
    }
}

/// A table of the content shown (an image's layers, a list's entries): the header over the
/// `n` rows' window that keeps the selection in view, the selected row marked. `cells(i)`
/// gives row `i` one cell per column; a column not shown is left out of the header, the
/// widths and every row.
fn draw_table<'a>(
    frame: &mut Frame,
    area: Rect,
    s: &ContentView,
    n: usize,
    columns: &[Column],
    view: &View,
    mut cells: impl FnMut(usize) -> Vec<Cell<'a>>,
) {
    let h = area.height.saturating_sub(1) as usize;
    let off = s.sel.scroll_for(h, n);
    let shown = || columns.iter().filter(|c| c.shown);
    let rows: Vec<Row> = (off..n.min(off.saturating_add(h)))
        .map(|i| {
            let row = cells(i)
                .into_iter()
                .zip(columns)
                .filter_map(|(cell, c)| c.shown.then_some(cell));
            mark_selected(Row::new(row), i == s.sel.get(), view)
        })
        .collect();
    let table = Table::new(rows, shown().map(|c| c.width))
        .header(Row::new(shown().map(|c| c.title)).style(view.theme.header));
    frame.render_widget(table, area);
}

/// An image: platform, config summary, then its layers. Returns the status line's summary.
fn draw_image(
    frame: &mut Frame,
    table_area: Rect,
    s: &ContentView,
    img: &ImageDetails,
    view: &View,
) -> String {
    let t = view.theme;
    let (full_digest, dw) = digest_column(table_area.width);
    let digest = |d: &crate::digest::Digest| digest_text(d, full_digest);
    let mut facts = vec![Span::styled("platform ", t.muted)];
    let p = img
        .config
        .as_ref()
        .map(|c| c.platform())
        .unwrap_or_default();
    facts.push(Span::raw(inert(&platform_label(&p)).into_owned()));
    if let Some(cfg) = &img.config {
        if let Some(created) = &cfg.created {
            facts.push(Span::styled("  created ", t.muted));
            facts.push(Span::raw(inert(created).into_owned()));
        }
        if !cfg.os_features.is_empty() {
            facts.push(Span::styled("  os.features ", t.muted));
            facts.push(Span::raw(inert(&cfg.os_features.join(",")).into_owned()));
        }
    }
    facts.push(Span::styled("  config ", t.muted));
    facts.push(Span::raw(digest(&img.manifest.config.digest)));
    let [facts_area, layers_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(table_area);
    frame.render_widget(Paragraph::new(Line::from(facts)), facts_area);
    let layers = &img.manifest.layers;
    let columns = [
        Column::new("#", Constraint::Length(3)),
        Column::new("Layer digest", Constraint::Length(dw)),
        Column::new("Size", Constraint::Length(10)),
        Column::new("Media type", Constraint::Min(8)),
    ];
    draw_table(frame, layers_area, s, layers.len(), &columns, view, |i| {
        let l = &layers[i];
        vec![
            Cell::from(format!("{}", i + 1)),
            Cell::from(digest(&l.digest)),
            Cell::from(human_size(l.size)),
            Cell::from(media_label(&l.media_type)),
        ]
    });
    let total: i64 = img.manifest.layers.iter().map(|l| l.size.max(0)).sum();
    let n = img.manifest.layers.len();
    format!(
        "image: {n} layer{}, {}",
        if n == 1 { "" } else { "s" },
        human_size(total)
    )
}

/// What a platform's attestation entries hold (`provenance, SBOM`), from their manifests'
/// layers once the details are there.
fn attestation_marker(s: &ContentView, atts: &[usize]) -> String {
    let layers: Vec<crate::media::Descriptor> = atts
        .iter()
        .filter_map(|&j| s.details.value()?.get(j)?.as_ref().ok())
        .flat_map(|d| d.layers().iter().cloned())
        .collect();
    crate::text::attestation_kinds(&layers)
}

/// The cells a list row gets from its entry's details: size, layers, created, and why they
/// failed (shown in place of the annotations).
fn detail_cells(s: &ContentView, i: usize, view: &View) -> ([String; 3], Option<String>) {
    let dash = || ["-".to_string(), "-".to_string(), "-".to_string()];
    match s.details.value().and_then(|v| v.get(i)) {
        Some(Ok(d)) => (
            [
                human_size(d.size()),
                d.layers().len().to_string(),
                d.config
                    .created_label()
                    .map_or_else(|| "-".to_string(), |c| inert(&c).into_owned()),
            ],
            None,
        ),
        Some(Err(m)) => (dash(), Some(format!("details failed: {}", inert(m)))),
        None if s.details.busy() => {
            let w = view.spinner().to_string();
            ([w.clone(), w.clone(), w], None)
        }
        None => (dash(), None),
    }
}

/// A list: one row per entry, with what is inside each (size, layers, created) once the
/// details arrive. Returns the status line's summary.
fn draw_list_entries(
    frame: &mut Frame,
    table_area: Rect,
    s: &ContentView,
    ins: &Inspection,
    view: &View,
) -> String {
    let t = view.theme;
    let (full_digest, dw) = digest_column(table_area.width);
    let digest = |d: &crate::digest::Digest| digest_text(d, full_digest);
    let list_rows = s.list_rows();
    let pw = ins
        .entries
        .iter()
        .map(|e| platform_label(&e.platform()).chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 34) as u16
        + 1;
    // Narrow terminals drop the created time first, then the layer count.
    // (Each column after the first is one space of spacing more.)
    let fixed = pw + dw + 1 + 10 + 1 + 10 + 1;
    let show_layers = table_area.width >= fixed + 8 + 12;
    let show_created = table_area.width >= fixed + 8 + 22 + 12;
    let used = fixed + if show_layers { 8 } else { 0 } + if show_created { 22 } else { 0 };
    let rest = table_area.width.saturating_sub(used + 2) as usize;
    let columns = [
        Column::new("Platform", Constraint::Length(pw)),
        Column::new("Digest", Constraint::Length(dw)),
        Column::new("Type", Constraint::Length(10)),
        Column::new("Size", Constraint::Length(10)),
        Column::new("Layers", Constraint::Length(7)).shown(show_layers),
        Column::new("Created", Constraint::Length(21)).shown(show_created),
        Column::new("Annotations", Constraint::Min(10)),
    ];
    draw_table(
        frame,
        table_area,
        s,
        list_rows.len(),
        &columns,
        view,
        |row| {
            let (i, atts) = &list_rows[row];
            let (i, e) = (*i, &ins.entries[*i]);
            let ([size, layers, created], failed) = detail_cells(s, i, view);
            let annotations = match failed {
                // Cut to the column with …; the whole message is on the status line when
                // the row is selected.
                Some(m) => Cell::from(Span::styled(
                    crate::text::ellipsize(&m, rest).into_owned(),
                    t.error,
                )),
                None => {
                    let mut spans = Vec::new();
                    if !atts.is_empty() {
                        spans.push(Span::styled(
                            format!("[{}] ", attestation_marker(s, atts)),
                            t.title,
                        ));
                    }
                    spans.push(Span::raw(annotations_label(&e.descriptor.annotations)));
                    Cell::from(Line::from(spans))
                }
            };
            vec![
                Cell::from(inert(&platform_label(&e.platform())).into_owned()),
                Cell::from(digest(&e.descriptor.digest)),
                Cell::from(media_label(&e.descriptor.media_type)),
                Cell::from(size),
                Cell::from(layers),
                Cell::from(created),
                annotations,
            ]
        },
    );
    if let Some((i, _)) = list_rows.get(s.sel.get()) {
        if let (_, Some(m)) = detail_cells(s, *i, view) {
            return m;
        }
    }
    list_summary(s, ins, &list_rows)
}

/// The status line of a list: its entries, platforms and attestations, and what the images
/// take in all ("in all" is the images; the attestation manifests' share is said apart, once
/// every one of them is known).
fn list_summary(s: &ContentView, ins: &Inspection, list_rows: &[(usize, Vec<usize>)]) -> String {
    let (mut total, mut attestations, mut unknown) = (0i64, 0i64, false);
    for (i, e) in ins.entries.iter().enumerate() {
        let size = s
            .details
            .value()
            .and_then(|v| v.get(i)?.as_ref().ok())
            .map(|d| d.size());
        if crate::attest::attestation_subject(&e.descriptor).is_some() {
            attestations += size.unwrap_or(0);
            unknown |= size.is_none();
        } else {
            total += size.unwrap_or(0);
        }
    }
    let attested: usize = list_rows.iter().map(|(_, a)| a.len()).sum();
    let mut summary = format!("list: {} entries", ins.entries.len());
    if attested > 0 {
        summary.push_str(&format!(
            " ({} platforms, {attested} attestations)",
            list_rows.len()
        ));
    }
    if total > 0 {
        summary.push_str(&format!(", {} in all", human_size(total)));
        if attestations > 0 && !unknown {
            summary.push_str(&format!(" (+ {} attestations)", human_size(attestations)));
        }
    }
    summary
}

#[cfg(test)]
mod tests;
