//! Make registry-supplied strings inert before they reach a terminal.
//!
//! Repository names, tags, annotation values and error messages come from a registry we do
//! not control. Printed raw, an ESC could start a CSI/OSC sequence (move the cursor, set the
//! clipboard with OSC 52, plant an OSC 8 link), a BEL could ring, a NUL could truncate.
//! Every C0/C1 control character (and DEL) is replaced by a visible `\u{…}` escape;
//! ordinary text, including non-ASCII letters, is untouched.

use std::borrow::Cow;

fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every character `risky` picks written with `escape` (given its code point),
/// borrowed when there is nothing to replace.
fn escape_chars<'a>(
    s: &'a str,
    risky: impl Fn(char) -> bool,
    escape: impl Fn(u32) -> String,
) -> Cow<'a, str> {
    if !s.chars().any(&risky) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if risky(c) {
            out.push_str(&escape(c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Rust-style `\u{1b}`, for text.
fn rust_escape(c: u32) -> String {
    format!("\\u{{{c:x}}}")
}

/// The string with every control character shown as an escape (`\u{1b}`), borrowed when
/// there is nothing to replace.
pub fn inert(s: &str) -> Cow<'_, str> {
    escape_chars(s, is_dangerous, rust_escape)
}

/// Like [`inert`] but keeps newlines and tabs (for multi-line messages).
pub fn inert_multiline(s: &str) -> Cow<'_, str> {
    escape_chars(
        s,
        |c| is_dangerous(c) && c != '\n' && c != '\t',
        rust_escape,
    )
}

/// JSON text for a terminal: characters a terminal may act on even inside a JSON string
/// (C1 controls such as U+009B, a one-byte CSI; bidi overrides; line/paragraph separators)
/// are written as `\uXXXX` escapes. Outside strings JSON is plain ASCII, so the document
/// keeps its meaning; only what is printed changes, never what is hashed or pushed.
pub fn json_inert(json: &str) -> Cow<'_, str> {
    escape_chars(
        json,
        |c| c != '\n' && c != '\t' && (is_dangerous(c) || matches!(c, '\u{2028}' | '\u{2029}')),
        |c| format!("\\u{c:04x}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_neutralised() {
        let evil = "tag\x1b]52;c;ZXZpbA==\x07\x1b[2J\0end\u{9b}x";
        let out = inert(evil);
        assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
        assert!(out.contains("\\u{1b}]52;c;ZXZpbA==\\u{7}"));
        assert!(out.ends_with("end\\u{9b}x"));
    }

    #[test]
    fn json_stays_json_and_inert() {
        let doc = serde_json::json!({"a": "x\u{9b}y\u{202e}z\u{2028}"}).to_string();
        let out = json_inert(&doc);
        assert!(
            !out.chars().any(|c| c.is_control() || is_dangerous(c)),
            "{out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(&doc).unwrap()
        );
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(inert("linux/arm64 — ünïcode"), Cow::Borrowed(_)));
        assert_eq!(inert_multiline("a\nb"), "a\nb");
    }
}
