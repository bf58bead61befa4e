//! The one theme. Colours are the 16 named ANSI colours (the terminal's palette decides the
//! exact shade, so they suit dark and light backgrounds); no white or black foregrounds.
//! With `NO_COLOR` set (to anything non-empty) only modifiers are used: bold, dim, reversed,
//! underlined, so every distinction survives without colour.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub(crate) color: bool,
    /// Pane and overlay borders.
    pub(crate) border: Style,
    /// The border of the focused block.
    pub(crate) border_focus: Style,
    pub(crate) title: Style,
    /// The highlighted row.
    pub(crate) selected: Style,
    /// Secondary text: column headers' explanations, "same" rows.
    pub(crate) muted: Style,
    pub(crate) header: Style,
    /// A comparison row whose digests differ.
    pub(crate) changed: Style,
    pub(crate) only_a: Style,
    pub(crate) only_b: Style,
    pub(crate) error: Style,
    pub(crate) ok: Style,
    pub(crate) spinner: Style,
    /// Key names in the status bar and help.
    pub(crate) key: Style,
    /// The active tab.
    pub(crate) tab_active: Style,
    pub(crate) tab: Style,
    /// A filter/match or input field.
    pub(crate) input: Style,
}

impl Theme {
    /// The theme for this process: colour unless `NO_COLOR` is set and non-empty.
    pub(crate) fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Theme::monochrome()
        } else {
            Theme::colored()
        }
    }

    pub fn colored() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            color: true,
            border: Style::new().fg(Color::DarkGray),
            border_focus: Style::new().fg(Color::Cyan),
            title: Style::new().fg(Color::Cyan).add_modifier(bold),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            muted: Style::new().fg(Color::DarkGray),
            header: Style::new().add_modifier(bold | Modifier::UNDERLINED),
            changed: Style::new().fg(Color::Magenta).add_modifier(bold),
            only_a: Style::new().fg(Color::Red),
            only_b: Style::new().fg(Color::Green),
            error: Style::new().fg(Color::Red).add_modifier(bold),
            ok: Style::new().fg(Color::Green),
            spinner: Style::new().fg(Color::Cyan),
            key: Style::new().fg(Color::Blue).add_modifier(bold),
            tab_active: Style::new()
                .fg(Color::Cyan)
                .add_modifier(bold | Modifier::REVERSED),
            tab: Style::new(),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    pub(crate) fn monochrome() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            color: false,
            border: Style::new(),
            border_focus: Style::new().add_modifier(bold),
            title: Style::new().add_modifier(bold),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            muted: Style::new().add_modifier(Modifier::DIM),
            header: Style::new().add_modifier(bold | Modifier::UNDERLINED),
            changed: Style::new().add_modifier(bold),
            only_a: Style::new().add_modifier(Modifier::ITALIC),
            only_b: Style::new().add_modifier(Modifier::ITALIC),
            error: Style::new().add_modifier(bold),
            ok: Style::new(),
            spinner: Style::new(),
            key: Style::new().add_modifier(bold),
            tab_active: Style::new().add_modifier(bold | Modifier::REVERSED),
            tab: Style::new(),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::colored()
    }
}

/// Spinner frames (ASCII-safe braille would be prettier but fails on some fonts).
pub(crate) const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];
