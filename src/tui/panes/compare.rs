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
    pub(crate) state: CompareState,
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
        self.state.result.busy()
    }
    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(frame, area, &self.state, view)
    }
}

/// The style of a row of this status.
pub(crate) fn row_style(theme: &Theme, status: DiffStatus) -> Style {
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

pub(crate) fn draw(frame: &mut Frame, area: Rect, s: &CompareState, view: &View) {
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
    let Some(c) = s.result.value() else {
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
    let (a_d, b_d) = match s.result.value() {
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
    match load_line(s.result.load(), "both sides", None, Context::Compare, view) {
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
    match load_line(s.result.load(), "both sides", None, Context::Compare, view) {
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
            if let Some(c) = s.result.value() {
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

#[cfg(test)]
mod tests {
    use crate::ops::DiffStatus;
    use crate::tui::keymap::Keymap;
    use crate::tui::pane::View;
    use crate::tui::panes::compare;
    use crate::tui::state::compare::CompareState;
    use crate::tui::state::platform_diff::PlatformDiffState;
    use crate::tui::state::Remote;
    use crate::tui::test_fixtures::{self as fixtures, compare_pane, remote, row, text};
    use crate::tui::theme::Theme;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn compare_buffer(theme: Theme) -> ratatui::buffer::Buffer {
        let mut s = CompareState {
            result: Remote::arrived(fixtures::comparison_all_kinds()),
            ..Default::default()
        };
        s.selected.set(4); // keep the selection off the rows we check
        let keymap = Keymap::default();
        let view = View {
            theme: &theme,
            keymap: &keymap,
            spinner: 0,
        };
        let mut term = Terminal::new(TestBackend::new(100, 12)).expect("terminal");
        term.draw(|f| compare::draw(f, f.area(), &s, &view))
            .expect("draw");
        term.backend().buffer().clone()
    }

    fn row_of(buf: &ratatui::buffer::Buffer, needle: &str) -> u16 {
        (0..buf.area.height)
            .find(|&y| {
                let line: String = (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect();
                line.contains(needle)
            })
            .unwrap_or_else(|| panic!("no row with {needle}"))
    }

    #[test]
    fn changed_rows_are_highlighted_and_same_rows_muted() {
        let theme = Theme::colored();
        let buf = compare_buffer(theme);
        let changed = row_of(&buf, "linux/arm64/v8");
        let same = row_of(&buf, "linux/amd64 ");
        let only_a = row_of(&buf, "linux/ppc64le");
        let only_b = row_of(&buf, "linux/riscv64");
        let x = 3; // inside the platform column
        assert_eq!(buf[(x, changed)].fg, theme.changed.fg.expect("a colour"));
        assert!(buf[(x, changed)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD));
        assert_eq!(buf[(x, same)].fg, theme.muted.fg.expect("a colour"));
        assert_eq!(buf[(x, only_a)].fg, theme.only_a.fg.expect("a colour"));
        assert_eq!(buf[(x, only_b)].fg, theme.only_b.fg.expect("a colour"));
        assert_ne!(buf[(x, changed)].fg, buf[(x, same)].fg);
        assert_eq!(
            compare::row_style(&theme, DiffStatus::Changed),
            theme.changed
        );
    }

    #[test]
    fn no_color_keeps_the_distinction_with_modifiers_only() {
        let theme = Theme::monochrome();
        let buf = compare_buffer(theme);
        let changed = row_of(&buf, "linux/arm64/v8");
        let same = row_of(&buf, "linux/amd64 ");
        assert_eq!(buf[(3, changed)].fg, ratatui::style::Color::Reset);
        assert!(buf[(3, changed)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD));
        assert!(buf[(3, same)]
            .modifier
            .contains(ratatui::style::Modifier::DIM));
    }

    #[test]
    fn compare_empty() {
        let t = compare_pane(100, 10, &CompareState::default());
        let screen = text(&t);
        assert!(
            screen.contains("Nothing to compare yet.")
                && screen
                    .contains("press a on a tag or list for side A and b on another for side B"),
            "{screen}"
        );
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn compare_loading() {
        let s = CompareState {
            a: Some(remote("samples/app:v1")),
            b: Some(remote("samples/app:v2")),
            result: Remote::asked(),
            ..Default::default()
        };
        let t = compare_pane(100, 10, &s);
        let screen = text(&t);
        assert!(screen.contains("loading both sides…"), "{screen}");
        assert!(row(&screen, "A: ").contains("samples/app:v1"), "{screen}");
        assert!(row(&screen, "B: ").contains("samples/app:v2"), "{screen}");
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn compare_each_kind_of_row() {
        let s = CompareState {
            a: Some(remote("samples/app:v1")),
            b: Some(remote("samples/app:v2")),
            result: Remote::arrived(fixtures::comparison_all_kinds()),
            ..Default::default()
        };
        let t = compare_pane(100, 12, &s);
        let screen = text(&t);
        assert_compare_rows(&screen);
        assert!(
        screen.contains(
            "1 identical · 1 format only · 1 config only · 1 layers changed · 1 changed · 1 only in A"
        ),
        "{screen}"
    );
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn compare_each_kind_of_row_wide() {
        let mut s = CompareState {
            a: Some(remote("samples/app:v1")),
            b: Some(remote("samples/app:v2")),
            ..Default::default()
        };
        let c = fixtures::comparison_all_kinds();
        s.result = Remote::arrived(c.clone());
        let t = compare_pane(190, 12, &s);
        let screen = text(&t);
        assert_compare_rows(&screen);
        // Wide: both digests on each row ("—" for a side without the platform).
        for r in c.rows.iter().take(6) {
            let label = r.platform.display();
            let line = row(&screen, &format!(" {label} "));
            for side in [&r.a, &r.b] {
                match side {
                    Some(d) => assert!(line.contains(&d.digest.short()), "{label}: {line}"),
                    None => assert!(line.contains('—'), "{label}: {line}"),
                }
            }
        }
        assert!(
            screen.contains("1 changed · 1 only in A · 1 only in B"),
            "the whole summary: {screen}"
        );
        insta::assert_snapshot!(t.backend());
    }

    /// The rows of [`fixtures::comparison_all_kinds`] in the comparison table: per platform its
    /// marker, its status and why.
    fn assert_compare_rows(screen: &str) {
        for (platform, marker, status, why) in [
            ("linux/amd64", "=", "identical", ""),
            ("linux/arm/v7", "≈", "format only", "docker → oci"),
            (
                "linux/arm64/v8",
                "≠",
                "layers changed",
                "2 of 4 layers, +4.0 KiB -2.0 KiB",
            ),
            ("linux/ppc64le", "A", "only in A", "3 layers"),
            ("linux/riscv64", "B", "only in B", "3 layers"),
            (
                "linux/s390x",
                "≠",
                "changed",
                "fetching the image config: blob…",
            ),
        ] {
            let line = row(screen, &format!(" {platform} "));
            let cells: Vec<&str> = line
                .trim_matches(|c: char| c == '"' || c == '│')
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            assert_eq!(
                cells.first().copied(),
                Some(format!("{marker} {platform}").as_str()),
                "{line}"
            );
            assert!(
                line.contains(&format!(" {status} ")) && line.contains(why),
                "{platform}: {status}, {why:?}: {line}"
            );
        }
    }

    /// The case in the TUI: an image recompressed and relabelled is a config change in
    /// the compare pane, and its platform view shows every layer as the same content and counts
    /// no changed layer.
    #[test]
    fn compare_a_recompressed_and_relabelled_image_is_a_config_change() {
        let text = |t: &Terminal<TestBackend>| -> Vec<String> {
            let b = t.backend().buffer();
            (0..b.area.height)
                .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
                .collect()
        };
        let mut s = CompareState {
            a: Some(remote("samples/pairs:v1")),
            b: Some(remote("samples/pairs:repacked")),
            ..Default::default()
        };
        let c = fixtures::comparison_recompressed_relabelled();
        s.result = Remote::arrived(c.clone());
        let screen = text(&compare_pane(100, 8, &s));
        let row = screen
            .iter()
            .find(|l| l.contains("linux/amd64"))
            .expect("the row");
        assert!(
            row.contains("c linux/amd64") && row.contains("config only") && row.contains("labels"),
            "{row}"
        );
        assert!(
            !screen.iter().any(|l| l.contains("layers changed · ")),
            "{screen:#?}"
        );
        s.platform = Some(PlatformDiffState::new(&c, &c.rows[0]));
        let t = compare_pane(120, 20, &s);
        let screen = text(&t);
        assert!(screen[3].contains("config only: labels"), "{screen:#?}");
        let same = screen
            .iter()
            .filter(|l| l.contains(" same content "))
            .count();
        assert_eq!(same, 3, "{screen:#?}");
        assert!(
            screen
                .iter()
                .any(|l| l.contains("layers: A 3, B 3; 0 of 3 changed, 3 shared (3 recompressed)")),
            "{screen:#?}"
        );
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn compare_error() {
        let s = CompareState {
            a: Some(remote("samples/app:v1")),
            b: Some(remote("samples/app:nope")),
            result: Remote::failed(
                "comparing samples/app:v1 with samples/app:nope failed: manifest unknown",
            ),
            ..Default::default()
        };
        let t = compare_pane(100, 10, &s);
        let screen = text(&t);
        assert!(
        screen.contains(
            "error: comparing samples/app:v1 with samples/app:nope failed: manifest unknown  (r retries)"
        ),
        "{screen}"
    );
        insta::assert_snapshot!(t.backend());
    }
}
