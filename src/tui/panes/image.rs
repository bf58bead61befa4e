//! One platform's image in the browser: its config, history and layers as rows (see
//! [`crate::tui::state::image`]), each cut to the width with `…` when too long, and the
//! selected row's whole text wrapped under them, so nothing is cut without a way to read it.

use crate::image::ImageDetails;
use crate::text::{ellipsize, human_size, inert};
use crate::tui::pane::View;
use crate::tui::state::image::ImageRow;
use crate::tui::state::list::Cursor;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Lines under the rows for the selected row's whole text.
const FULL_TEXT_LINES: u16 = 2;

fn row_line<'a>(row: &ImageRow, width: usize, view: &View) -> Line<'a> {
    let t = view.theme;
    let cut = |s: &str, used: usize| ellipsize(&inert(s), width.saturating_sub(used)).into_owned();
    match row {
        ImageRow::Section { title, summary } => {
            let head = format!("{title}  ");
            let used = head.chars().count();
            Line::from(vec![
                Span::styled(head, t.title),
                Span::styled(cut(summary, used), t.muted),
            ])
        }
        ImageRow::Field { label, value } => {
            let head = format!("  {label:<12} ");
            let used = head.chars().count();
            Line::from(vec![
                Span::styled(head, t.muted),
                Span::raw(cut(value, used)),
            ])
        }
        ImageRow::Step {
            n,
            created_by,
            layer,
            ..
        } => {
            let made = match layer {
                Some((l, size)) => format!("layer {l:<2} {:>10}", human_size(*size)),
                None => format!("{:<8} {:>10}", "empty", "-"),
            };
            let head = format!("  {n:>3}  ");
            let used = head.chars().count() + made.chars().count() + 2;
            let style = if layer.is_some() { t.title } else { t.muted };
            Line::from(vec![
                Span::styled(head, t.muted),
                Span::styled(made, style),
                Span::raw("  "),
                Span::raw(cut(created_by, used)),
            ])
        }
        ImageRow::Layer {
            n,
            digest,
            size,
            media_type,
            step,
        } => {
            let d = if width >= 150 {
                digest.to_string()
            } else {
                digest.short()
            };
            let mt = crate::tui::state::image::layer_type(media_type);
            let head = format!(
                "  {n:>3}  {d}  {:>10}  {:<8} ",
                human_size(*size),
                inert(mt)
            );
            let used = head.chars().count();
            Line::from(vec![
                Span::raw(head),
                Span::styled(cut(step.as_deref().unwrap_or(""), used), t.muted),
            ])
        }
    }
}

/// Draw the rows into `area`; returns the status line's summary.
pub(crate) fn draw(
    frame: &mut Frame,
    area: Rect,
    rows: &[ImageRow],
    d: &ImageDetails,
    sel: &Cursor,
    view: &View,
) -> String {
    let full_h = if area.height > FULL_TEXT_LINES + 3 {
        FULL_TEXT_LINES
    } else {
        0
    };
    let [list_area, full_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(full_h)]).areas(area);
    let h = list_area.height as usize;
    let off = sel.scroll_for(h, rows.len());
    let width = list_area.width as usize;
    for (i, row) in rows.iter().enumerate().skip(off).take(h) {
        let r = Rect {
            y: list_area.y + (i - off) as u16,
            height: 1,
            ..list_area
        };
        let line = row_line(row, width, view);
        let selected = i == sel.get();
        let p = Paragraph::new(line);
        let p = if selected {
            p.style(view.theme.selected)
        } else {
            p
        };
        frame.render_widget(p, r);
    }
    if full_h > 0 {
        if let Some(row) = rows.get(sel.get()) {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    inert(&row.full_text()).into_owned(),
                    view.theme.muted,
                ))
                .wrap(Wrap { trim: false }),
                full_area,
            );
        }
    }
    let n = d.layers().len();
    let history = if d.image.artifact_type.is_some() && d.config.history.is_empty() {
        String::new()
    } else {
        format!(", {} history steps", d.config.history.len())
    };
    format!(
        "{}: {n} layer{}, {}{history}, row {} of {}",
        if d.image.artifact_type.is_some() {
            "artifact"
        } else {
            "image"
        },
        if n == 1 { "" } else { "s" },
        human_size(d.size()),
        sel.get() + 1,
        rows.len()
    )
}

#[cfg(test)]
mod tests {

    use crate::tui::state::Load;
    use crate::tui::test_fixtures::{self as fixtures, browser, row, text};

    #[test]
    fn content_image() {
        let s = fixtures::browser_with_content(
            "v1",
            Some(fixtures::sample_image("linux/arm64/v8", "v1")),
            Load::Done,
        );
        let t = browser(100, 10, &s);
        let screen = text(&t);
        let img = mt_testkit::samples::images("v1", false)
            .into_iter()
            .find(|i| i.platform.display() == "linux/arm64/v8")
            .expect("the arm64 sample");
        assert!(
            row(&screen, "config ").contains(&img.blobs[0].0.short()),
            "{screen}"
        );
        let layer = row(&screen, &img.blobs[1].0.short());
        assert!(layer.contains("2.0 KiB"), "{layer}");
        assert!(screen.contains("image: 1 layer, 2.0 KiB"), "{screen}");
        insta::assert_snapshot!(t.backend());
    }

    /// An opened platform: the config fields, the history with the layers steps made (empty
    /// steps marked), then the layers; the selected row's whole text wrapped at the bottom.
    #[test]
    fn content_image_config_history_and_layers() {
        let mut s = fixtures::browser_on_webapp_image(1);
        let t = browser(100, 30, &s);
        let screen = text(&t);
        assert!(
            row(&screen, "entrypoint").contains("/usr/local/bin/webapp"),
            "{screen}"
        );
        assert!(row(&screen, "user ").contains("10001:10001"), "{screen}");
        assert!(
            screen.contains("History  12 steps, 3 made a layer, 9 empty"),
            "{screen}"
        );
        assert!(row(&screen, "ARG VERSION").contains("empty"), "{screen}");
        insta::assert_snapshot!("webapp_image_top", t.backend());
        // Down to the long WEBAPP_FEATURES value: cut with … in its row, whole underneath.
        let rows = s.view.as_ref().unwrap().image_rows().unwrap();
        let long = rows
            .iter()
            .position(|r| r.full_text().contains("WEBAPP_FEATURES"))
            .unwrap();
        fixtures::view(&mut s).sel.set(long);
        let t = browser(80, 16, &s);
        let screen = text(&t);
        let whole = rows[long].full_text();
        let whole = whole.trim();
        assert!(
            row(&screen, "WEBAPP_FEATURES").contains('…'),
            "cut in its row: {screen}"
        );
        let unwrapped: String = screen
            .lines()
            .skip_while(|l| !l.contains("│WEBAPP_FEATURES"))
            .take_while(|l| !l.contains("image: "))
            .map(|l| l.trim_matches(|c: char| c == '"' || c == '│' || c.is_whitespace()))
            .collect();
        assert_eq!(unwrapped, whole, "whole underneath:\n{screen}");
        insta::assert_snapshot!("webapp_image_long_value", t.backend());
        // The end: the layers, each with the step that made it.
        fixtures::view(&mut s).sel.set(rows.len() - 1);
        let t = browser(100, 16, &s);
        let screen = text(&t);
        let w = mt_testkit::samples::details::webapp();
        for (n, (d, _)) in w.images[1].blobs[1..].iter().enumerate() {
            assert!(
                row(&screen, &d.short()).contains("tar+gzip"),
                "layer {}: {screen}",
                n + 1
            );
        }
        assert!(
            row(&screen, "COPY webapp /usr/local/bin/webapp")
                .contains(&w.images[1].blobs[2].0.short()),
            "the layer and the step that made it: {screen}"
        );
        insta::assert_snapshot!("webapp_image_layers", t.backend());
    }

    /// A platform opened from an attested list: what its attestations say (predicate type and
    /// summary) between its config and its history.
    #[test]
    fn content_image_with_its_attestation_statements() {
        let s = fixtures::attested_image_browser();
        let t = browser(110, 30, &s);
        let screen = text(&t);
        assert!(screen.contains("Attestations  2 statements"), "{screen}");
        assert!(
            row(&screen, "SBOM ").contains("https://spdx.dev/Document")
                && row(&screen, "provenance ").contains("https://slsa.dev/provenance/v0.2"),
            "{screen}"
        );
        let (attestations, history) = (
            screen.find("Attestations").expect("attestations"),
            screen.find("History").expect("history"),
        );
        assert!(
            screen.find("Config").expect("config") < attestations && attestations < history,
            "between the config and the history: {screen}"
        );
        insta::assert_snapshot!("attested_image_statements", t.backend());
    }

    /// A signature opened from the panel, in the image view: its artifact type and kind, the
    /// manifest it refers to, its annotations, the empty config's type, and its payload layer by
    /// its whole media type (no platform of `?/?`).
    #[test]
    fn content_artifact_shows_its_type_and_subject() {
        let s = fixtures::signature_image_browser();
        let a = mt_testkit::samples::attest::attested();
        let screen = browser(120, 16, &s).backend().to_string();
        assert!(
            screen.contains("artifact     signature: application/vnd.example.signature.v1+json"),
            "{screen}"
        );
        assert!(
            screen.contains(&format!("subject      {}", a.index.digest)),
            "{screen}"
        );
        assert!(
            screen.contains("application/vnd.example.signature.payload.v1+json"),
            "{screen}"
        );
        assert!(
            screen.contains("application/vnd.oci.empty.v1+json"),
            "{screen}"
        );
        assert!(!screen.contains("?/?"), "{screen}");
        insta::assert_snapshot!("content_artifact", browser(120, 16, &s).backend());
    }
}
