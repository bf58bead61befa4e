//! The TUI's text helpers: the shared ones ([`crate::text`]) and what only a terminal
//! needs (the clipboard's OSC 52 sequence).

pub use crate::text::*;

/// The Base64-encoded OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub(crate) fn osc52(text: &str) -> String {
    use base64::Engine;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn inert_neutralises_escape_sequences() {
        let s = crate::tui::text::inert("tag\x1b]52;c;AAAA\x07\u{9b}31m\u{202e}x");
        assert!(
            !s.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{s:?}"
        );
    }
}
