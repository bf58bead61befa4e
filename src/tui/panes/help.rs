//! The `?` help overlay, generated from the keymap table.

use super::centered;
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::pane::View;
use crate::tui::state::list::last_screenful;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

/// The help text for these contexts (plus `Always` and `Global`), one line per binding.
pub(crate) fn help_lines<'a>(keymap: &Keymap, contexts: &[Context], view: &View) -> Vec<Line<'a>> {
    let t = view.theme;
    let mut order: Vec<Context> = contexts.to_vec();
    for c in [Context::Field, Context::Global, Context::Always] {
        if !order.contains(&c) {
            order.push(c);
        }
    }
    let mut lines = Vec::new();
    for c in order {
        let rows: Vec<_> = keymap.in_context(c).collect();
        if rows.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(c.heading().to_string(), t.header)));
        for b in rows {
            let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22}", keys.join(" ")), t.key),
                Span::raw(b.description.to_string()),
                Span::styled(format!("  [{} {}]", c.name(), b.action.name()), t.muted),
            ]));
        }
    }
    lines
}

/// Draw the overlay; `scroll` is the first line shown.
pub(crate) fn draw(
    frame: &mut Frame,
    area: Rect,
    contexts: &[Context],
    scroll: usize,
    view: &View,
) {
    let lines = help_lines(view.keymap, contexts, view);
    let w = area.width.saturating_sub(4).min(96);
    let h = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let r = centered(area, w, h);
    frame.render_widget(Clear, r);
    let max_scroll = last_screenful(lines.len(), h.saturating_sub(2) as usize);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(view.theme.border_focus)
        .title(Span::styled(
            format!(
                " keys ({} closes, {}{} scroll) ",
                view.key(Context::Help, Action::Close),
                view.key(Context::List, Action::Up),
                view.key(Context::List, Action::Down)
            ),
            view.theme.title,
        ))
        .title_bottom(Span::styled(
            " rebind in ~/.config/manifest-tui/keys.conf: CONTEXT ACTION KEY[,KEY] ",
            view.theme.muted,
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll) as u16, 0)),
        r,
    );
}

#[cfg(test)]
mod tests {
    use crate::tui::keymap::Context;
    use crate::tui::keymap::Keymap;
    use crate::tui::panes::help;
    use crate::tui::test_fixtures::{render, row, text};

    #[test]
    fn help_overlay_from_the_keymap() {
        let t = render(100, 40, |f, v| {
            help::draw(
                f,
                f.area(),
                &[Context::Tags, Context::Browser, Context::List],
                0,
                v,
            )
        });
        // Generated from the table: each binding of the first context shown with its keys.
        let screen = text(&t);
        let km = Keymap::default();
        for b in km.in_context(Context::Tags) {
            let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
            // A long row is cut at the overlay's edge: find it by the start of its text.
            let start: String = b.description.chars().take(30).collect();
            let line = row(&screen, &format!("  {:<22}{start}", keys.join(" ")));
            let name = format!("[tags {}]", b.action.name());
            assert!(
                line.contains(&name) || !line.contains(']'),
                "{name} ends the row unless it is cut: {line}"
            );
        }
        insta::assert_snapshot!(t.backend());
    }
}
