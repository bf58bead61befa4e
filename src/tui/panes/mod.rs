//! Drawing: one file per pane plus the frame around them (tabs, status bar, overlays).
//! Drawing reads state and never changes it (apart from remembered scroll offsets).

pub mod browser;
pub mod compare;
pub mod editor;
pub mod help;
pub mod image;
pub mod platform_diff;
pub mod push;
pub mod referrers;
pub mod status;
pub mod sync_plan;

use super::keymap::{Action, Context};
use super::pane::View;
use super::state::Load;
use crate::text::inert;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Row, Wrap};
use ratatui::Frame;

/// Below this size the app shows a message instead of its panes.
pub(crate) const MIN_WIDTH: u16 = 40;
pub(crate) const MIN_HEIGHT: u16 = 8;

/// True when `area` is too small for the app; then draws a message (if anything fits).
pub(crate) fn too_small(frame: &mut Frame, area: Rect) -> bool {
    if area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT {
        return false;
    }
    frame.render_widget(Clear, area);
    if area.width > 0 && area.height > 0 {
        let msg = format!(
            "terminal too small: {}×{}, need {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
    }
    true
}

/// A bordered block with a title.
pub(crate) fn pane_block<'a>(title: Line<'a>, view: &View, focused: bool) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            view.theme.border_focus
        } else {
            view.theme.border
        })
        .title(title)
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The one-line state of a request: spinner while loading, the error when it failed, with
/// the key of `retry`'s Refresh (the pane's key that reads it again).
pub(crate) fn load_line<'a>(
    load: &Load,
    what: &str,
    count: Option<usize>,
    retry: Context,
    view: &View,
) -> Option<Line<'a>> {
    let t = view.theme;
    match load {
        Load::Idle | Load::Done => None,
        Load::Loading => Some(Line::from(vec![
            Span::styled(view.spinner().to_string(), t.spinner),
            Span::raw(format!(" loading {what}…")),
        ])),
        Load::Partial => Some(Line::from(vec![
            Span::styled(view.spinner().to_string(), t.spinner),
            Span::raw(format!(" loading {what}… {} so far", count.unwrap_or(0))),
        ])),
        Load::Failed(m) if m.is_empty() => None,
        Load::Failed(m) => Some(Line::from(vec![
            Span::styled("error: ", t.error),
            Span::raw(inert(m).into_owned()),
            Span::styled(
                format!("  ({} retries)", view.key(retry, Action::Refresh)),
                t.muted,
            ),
        ])),
    }
}

/// A paragraph message in the middle of an empty area.
pub(crate) fn empty_message(frame: &mut Frame, area: Rect, text: Vec<Line<'_>>, style: Style) {
    if area.height == 0 {
        return;
    }
    let h = (text.len() as u16).min(area.height);
    let y = area.y + (area.height - h) / 2;
    frame.render_widget(
        Paragraph::new(text)
            .style(style)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect {
            y,
            height: area.height - (y - area.y),
            ..area
        },
    );
}

/// A table row, drawn in the selection style when it has the cursor.
pub(crate) fn mark_selected<'a>(row: Row<'a>, selected: bool, view: &View) -> Row<'a> {
    if selected {
        row.style(view.theme.selected)
    } else {
        row
    }
}

#[cfg(test)]
mod tests;
