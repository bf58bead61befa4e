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
pub fn draw(
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
