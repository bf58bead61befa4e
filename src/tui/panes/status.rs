//! The top tab bar and the bottom status bar (key hints generated from the keymap).

use crate::registry::RateLimit;
use crate::text::inert;
use crate::tui::keymap::Context;
use crate::tui::pane::{Notice, NoticeLevel, View};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// `manifest-tui  1 Browser  2 Compare` with the active tab highlighted; a spinner at the
/// right while something loads.
pub(crate) fn draw_tabs(
    frame: &mut Frame,
    area: Rect,
    titles: &[String],
    active: usize,
    busy: bool,
    view: &View,
) {
    let t = view.theme;
    let mut spans = vec![Span::styled(" manifest-tui ", t.title), Span::raw(" ")];
    for (i, title) in titles.iter().enumerate() {
        let st = if i == active { t.tab_active } else { t.tab };
        spans.push(Span::styled(format!(" {} {} ", i + 1, title), st));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if busy && area.width > 2 {
        let r = Rect {
            x: area.x + area.width - 2,
            width: 1,
            ..area
        };
        frame.render_widget(Span::styled(view.spinner(), t.spinner), r);
    }
}

/// Key hints for `contexts` (or an info message), cut to the width; `right` (the pull
/// quota) is kept at the right edge when it fits.
pub(crate) fn draw_status(
    frame: &mut Frame,
    area: Rect,
    contexts: &[Context],
    info: Option<&str>,
    right: Option<&str>,
    view: &View,
) {
    let t = view.theme;
    let mut area = area;
    if let Some(r) = right {
        let r = format!(" {} ", inert(r));
        let w = r.chars().count() as u16;
        // The hints keep at least half of a narrow bar.
        if w <= area.width / 2 {
            let at = Rect {
                x: area.x + area.width - w,
                width: w,
                ..area
            };
            frame.render_widget(Paragraph::new(Span::styled(r, t.muted)), at);
            area.width -= w;
        }
    }
    if let Some(msg) = info {
        frame.render_widget(Paragraph::new(Span::raw(inert(msg).into_owned())), area);
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (k, label) in view.keymap.hints(contexts) {
        let w = k.chars().count() + label.chars().count() + 3;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {k}"), t.key));
        spans.push(Span::raw(format!(" {label} ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `docker.io pulls left 87/100` for every registry that stated a quota (`87` alone when it
/// gave no limit), or `None` when none did.
pub(crate) fn quota_label(quotas: &[(String, RateLimit)]) -> Option<String> {
    let parts: Vec<String> = quotas
        .iter()
        .map(|(host, q)| match q.limit {
            Some(l) => format!("{host} pulls left {}/{l}", q.remaining),
            None => format!("{host} pulls left {}", q.remaining),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("  "))
}

/// A dismissable error box over the screen.
pub(crate) fn draw_notice(frame: &mut Frame, area: Rect, n: &Notice, view: &View) {
    let t = view.theme;
    let w = area.width.saturating_sub(4).min(80);
    let text = inert(&n.text).into_owned();
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let lines = text.chars().count().div_ceil(inner_w) as u16 + 1;
    let h = (lines + 3).min(area.height);
    let r = super::centered(area, w, h);
    frame.render_widget(Clear, r);
    let title = match n.level {
        NoticeLevel::Error => " error ",
        NoticeLevel::Info => " note ",
    };
    let dismiss = view
        .keymap
        .keys_label(Context::Notice, crate::tui::keymap::Action::Dismiss)
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(t.error)
                .title(Span::styled(title, t.error))
                .title_bottom(Span::styled(format!(" {dismiss} dismiss "), t.muted)),
        ),
        r,
    );
}
