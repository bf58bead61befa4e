//! One platform's diff, drawn inside the Compare pane: the layers side by side (aligned by
//! digest, then by position), the config fields that changed, the totals. Scrolls as one text.

use super::pane_block;
use crate::ops::{human_size, DiffRow, LayerInfo, LayerMatch, PlatformDiff};
use crate::text::{ellipsize, ellipsize_start, inert, platform_label};
use crate::tui::pane::View;
use crate::tui::state::list::last_screenful;
use crate::tui::state::platform_diff::PlatformDiffState;
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

fn layer_style(t: &Theme, m: LayerMatch) -> Style {
    match m {
        LayerMatch::Shared | LayerMatch::SameContent => t.muted,
        LayerMatch::Replaced | LayerMatch::Moved => t.changed,
        LayerMatch::OnlyA => t.only_a,
        LayerMatch::OnlyB => t.only_b,
    }
}

/// `index  size  digest` of one side, or dashes.
fn side_cells(l: &Option<LayerInfo>) -> String {
    match l {
        Some(l) => format!(
            "{:>2} {:>9} {:<19}",
            l.index,
            human_size(l.size),
            l.digest.short()
        ),
        None => format!("{:>2} {:>9} {:<19}", "-", "-", "-"),
    }
}

/// Every line of the view, before scrolling.
pub(crate) fn lines<'a>(s: &PlatformDiffState, width: u16, view: &View) -> Vec<Line<'a>> {
    let t = view.theme;
    let r: &DiffRow = &s.row;
    let w = width as usize;
    let mut out = vec![
        Line::from(vec![
            Span::styled("A: ", t.title),
            Span::raw(ellipsize_start(&inert(&s.a_label), w.saturating_sub(3)).into_owned()),
        ]),
        Line::from(vec![
            Span::styled("B: ", t.title),
            Span::raw(ellipsize_start(&inert(&s.b_label), w.saturating_sub(3)).into_owned()),
        ]),
    ];
    let why = r.why();
    let mut head = vec![Span::styled(
        r.status.label().to_string(),
        super::compare::row_style(t, r.status),
    )];
    if !why.is_empty() {
        head.push(Span::raw(format!(": {}", inert(&why))));
    }
    if r.attestations != crate::ops::AttestationStatus::None {
        head.push(Span::styled(
            format!(" · attestations {}", r.attestations.label()),
            t.muted,
        ));
    }
    out.push(Line::from(head));
    let Some(d) = &r.detail else {
        return out;
    };
    layer_lines(&mut out, d, w, view);
    config_lines(&mut out, r, d, w, view);
    total_lines(&mut out, d, view);
    out
}

/// The layer table: each layer of A beside its match in B, the kind of change, the step
/// that made it.
fn layer_lines(out: &mut Vec<Line<'_>>, d: &PlatformDiff, w: usize, view: &View) {
    let t = view.theme;
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        format!(
            "{:>2} {:>9} {:<19}  {:>2} {:>9} {:<19}  {:<12}  made by",
            "A", "size", "digest", "B", "size", "digest", "layer"
        ),
        t.header,
    )));
    for l in &d.layers {
        let step =
            l.b.as_ref()
                .or(l.a.as_ref())
                .and_then(|x| x.step.clone())
                .unwrap_or_default();
        let text = format!(
            "{}  {}  {:<12}  ",
            side_cells(&l.a),
            side_cells(&l.b),
            l.kind.label()
        );
        let room = w.saturating_sub(text.chars().count());
        out.push(Line::from(vec![
            Span::styled(text, layer_style(t, l.kind)),
            Span::raw(ellipsize(&inert(&step), room).into_owned()),
        ]));
    }
}

/// The config fields that changed, A's values then B's.
fn config_lines(out: &mut Vec<Line<'_>>, r: &DiffRow, d: &PlatformDiff, w: usize, view: &View) {
    let t = view.theme;
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("Config", t.header)));
    if r.a.is_none() || r.b.is_none() {
        out.push(Line::from(Span::styled(
            "  one side only: nothing to compare",
            t.muted,
        )));
    } else if d.config.is_empty() {
        out.push(Line::from(Span::styled("  no field changed", t.muted)));
    }
    for c in &d.config {
        out.push(Line::from(format!("  {}", c.field.label())));
        for x in &c.a {
            let v = format!("    - {}", inert(x));
            out.push(Line::from(Span::styled(
                ellipsize(&v, w).into_owned(),
                t.only_a,
            )));
        }
        for x in &c.b {
            let v = format!("    + {}", inert(x));
            out.push(Line::from(Span::styled(
                ellipsize(&v, w).into_owned(),
                t.only_b,
            )));
        }
    }
}

/// The totals: the layers line, the sizes, and what a host with A pulls to run B.
fn total_lines(out: &mut Vec<Line<'_>>, d: &PlatformDiff, view: &View) {
    let t = view.theme;
    let tt = &d.totals;
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("Totals", t.header)));
    out.push(Line::from(format!("  layers: {}", tt.layers_line())));
    out.push(Line::from(format!(
        "  size: A {}, B {}; added {}, removed {}",
        human_size(tt.size_a),
        human_size(tt.size_b),
        human_size(tt.bytes_added),
        human_size(tt.bytes_removed)
    )));
    out.push(Line::from(format!(
        "  a host with A pulls {} to run B",
        human_size(tt.pull_for_b)
    )));
}

pub(crate) fn draw(frame: &mut Frame, area: Rect, s: &PlatformDiffState, view: &View) {
    let t = view.theme;
    let title = format!(" {} ", inert(&platform_label(&s.row.platform)));
    let block = pane_block(Line::from(Span::styled(title, t.title)), view, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let lines = lines(s, inner.width, view);
    // Never scroll past the last screenful.
    let max = last_screenful(lines.len(), inner.height as usize);
    let scroll = s.scroll.min(max) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}

#[cfg(test)]
mod tests {

    use crate::tui::state::compare::CompareState;
    use crate::tui::state::platform_diff::PlatformDiffState;
    use crate::tui::test_fixtures::{self as fixtures, compare_pane, remote, row, text};

    /// The comparison with one platform's view opened on the row of `platform`.
    fn platform_view(platform: &str) -> CompareState {
        let mut s = CompareState {
            a: Some(remote("samples/pairs:v1")),
            b: Some(remote("samples/pairs:mixed")),
            ..Default::default()
        };
        let c = fixtures::comparison_all_kinds();
        let row = c
            .rows
            .iter()
            .find(|r| r.platform.display().starts_with(platform))
            .expect("a fixture row");
        s.platform = Some(PlatformDiffState::new(&c, row));
        s.result = crate::tui::state::Remote::arrived(c);
        s
    }

    #[test]
    fn platform_diff_a_new_base_layer() {
        let t = compare_pane(120, 24, &platform_view("linux/arm64/v8"));
        let screen = text(&t);
        assert!(
            screen.contains("layers changed: 2 of 4 layers, +4.0 KiB -2.0 KiB"),
            "{screen}"
        );
        assert!(
            row(&screen, "ADD base-2.0.tar /  ").contains("rebuilt"),
            "{screen}"
        );
        assert!(
            row(&screen, "RUN update-ca-certificates  ").contains("only in B"),
            "{screen}"
        );
        assert!(
            row(&screen, "COPY deps /deps").contains("shared"),
            "{screen}"
        );
        assert!(row(&screen, "COPY app /app").contains("shared"), "{screen}");
        assert!(
            screen.contains("- ADD base-1.0.tar /") && screen.contains("+ ADD base-2.0.tar /"),
            "{screen}"
        );
        assert!(
            screen.contains("layers: A 3, B 4; 2 of 4 changed (1 rebuilt, 1 added), 2 shared")
                && screen.contains("a host with A pulls 5.0 KiB to run B"),
            "{screen}"
        );
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn platform_diff_a_label_only_change() {
        let t = compare_pane(100, 20, &platform_view("windows/amd64"));
        let screen = text(&t);
        assert!(screen.contains("config only: labels"), "{screen}");
        let layers: Vec<&str> = screen
            .lines()
            .filter(|l| l.contains("KiB sha256:"))
            .collect();
        let (layer_rows, shared) = (
            layers.len(),
            layers.iter().filter(|l| l.contains(" shared ")).count(),
        );
        assert_eq!((layer_rows, shared), (3, 3), "every layer shared: {screen}");
        assert!(
            screen.contains("- org.opencontainers.image.version=1.0.0")
                && screen.contains("+ org.opencontainers.image.version=1.0.1"),
            "{screen}"
        );
        assert!(
            screen.contains("layers: A 3, B 3; 0 of 3 changed, 3 shared"),
            "{screen}"
        );
        insta::assert_snapshot!(t.backend());
    }

    #[test]
    fn platform_diff_only_in_b_and_unread() {
        let t = compare_pane(100, 16, &platform_view("linux/riscv64"));
        let screen = text(&t);
        assert!(screen.contains("only in B: 3 layers"), "{screen}");
        assert_eq!(
            screen.lines().filter(|l| l.contains(" only in B ")).count(),
            3,
            "{screen}"
        );
        assert!(
            screen.contains("one side only: nothing to compare")
                && screen.contains("layers: A 0, B 3; 3 of 3 changed (3 added), 0 shared"),
            "{screen}"
        );
        insta::assert_snapshot!(t.backend());
        let t = compare_pane(100, 8, &platform_view("linux/s390x"));
        let screen = text(&t);
        assert!(
            screen.contains("changed: fetching the image config: blob unknown"),
            "unread: says why: {screen}"
        );
        insta::assert_snapshot!(t.backend());
    }
}
