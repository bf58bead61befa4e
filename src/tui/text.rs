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

/// A reference without its registry (`team/app:v1`), where the registry is named nearby (a
/// sync's rows under its title); a layout's reference is its whole name.
pub(crate) fn in_registry(r: &crate::reference::Reference) -> String {
    let whole = r.to_string();
    match whole.strip_prefix(&format!("{}/", r.domain)) {
        Some(rest) if !r.is_layout() => rest.to_string(),
        _ => whole,
    }
}

/// `1 image`, `4 images`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
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
