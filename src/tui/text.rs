//! The TUI's text helpers: the shared ones ([`crate::text`]) and what only a terminal
//! needs (the clipboard's OSC 52 sequence).

pub use crate::text::*;

/// The Base64-encoded OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}
