//! A single-line text field on `ratatui_textarea::TextArea`.

use super::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use ratatui_textarea::TextArea;

#[derive(Clone, Debug)]
pub struct TextField {
    pub(crate) label: &'static str,
    area: TextArea<'static>,
}

impl TextField {
    pub(crate) fn new(label: &'static str, initial: &str, placeholder: &str) -> TextField {
        let mut area = TextArea::new(vec![single_line(initial)]);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        area.set_cursor_line_style(Style::new());
        area.set_placeholder_text(placeholder.to_string());
        area.set_placeholder_style(Style::new().add_modifier(Modifier::DIM));
        TextField { label, area }
    }

    /// The field's text.
    pub(crate) fn value(&self) -> &str {
        self.area.lines().first().map(String::as_str).unwrap_or("")
    }

    /// Feed a key press; returns true when the text changed. Enter and Esc are the caller's
    /// (they are bound in the `field` keymap context); a newline is never inserted.
    pub(crate) fn key(&mut self, key: &KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        match key.code {
            KeyCode::Enter | KeyCode::Esc | KeyCode::Tab | KeyCode::BackTab => false,
            KeyCode::Char('m') | KeyCode::Char('j')
                if key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                false
            }
            _ => self.area.input(*key),
        }
    }

    /// Insert pasted text (newlines and control characters dropped).
    pub(crate) fn paste(&mut self, text: &str) -> bool {
        let clean = single_line(text);
        !clean.is_empty() && self.area.insert_str(clean)
    }

    /// Draw as `label: value█` on one line.
    pub(crate) fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let label = format!("{}: ", self.label);
        let lw = (label.chars().count() as u16).min(area.width / 2);
        frame.render_widget(
            Line::from(Span::styled(label, theme.title)),
            Rect { width: lw, ..area },
        );
        let rest = Rect {
            x: area.x + lw,
            width: area.width - lw,
            height: 1,
            ..area
        };
        let mut ta = self.area.clone();
        ta.set_style(theme.input);
        if focused {
            ta.set_cursor_style(Style::new().add_modifier(Modifier::REVERSED));
        } else {
            ta.set_cursor_style(theme.input);
        }
        frame.render_widget(&ta, rest);
    }
}

fn single_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Tab-completion cycling, the one rule every completing field follows: the candidate after
/// `pos` among `n` (before it when going backwards), wrapping round; the first press
/// (`pos` is `None`) takes the first candidate, or the last backwards. `n` is not 0.
pub(crate) fn cycle_position(pos: Option<usize>, n: usize, forward: bool) -> usize {
    match pos {
        Some(i) if forward => (i + 1) % n,
        Some(i) => (i + n - 1) % n,
        None if forward => 0,
        None => n - 1,
    }
}

/// Tab completion of a field's last space-separated word from `seen` (sorted): each press
/// puts the next (or, backwards, the previous) candidate starting with the word as typed
/// before the first press; `cycle` keeps that word and the position. Errs when nothing
/// starts with it.
pub(crate) fn complete_last_word(
    field: &mut TextField,
    cycle: &mut Option<(String, usize)>,
    seen: &std::collections::BTreeSet<String>,
    forward: bool,
) -> Result<(), String> {
    let text = field.value().to_string();
    let (head, word) = match text.rfind(' ') {
        Some(i) => (text[..=i].to_string(), text[i + 1..].to_string()),
        None => (String::new(), text.clone()),
    };
    let base = match cycle {
        Some((b, _)) => b.clone(),
        None => word,
    };
    let cands: Vec<&String> = seen
        .range(base.clone()..)
        .take_while(|s| s.starts_with(&base))
        .collect();
    if cands.is_empty() {
        return Err(format!("nothing seen starts with {base:?}"));
    }
    let pos = cycle_position(cycle.as_ref().map(|(_, i)| *i), cands.len(), forward);
    *field = TextField::new(field.label, &format!("{head}{}", cands[pos]), "");
    *cycle = Some((base, pos));
    Ok(())
}
