//! The text helpers the CLI and the TUI share: registry-supplied strings made
//! terminal-inert, sizes, times, shortening with an ellipsis, platform and attestation labels.
//! Plain strings, no terminal: the TUI adds its own in [`crate::tui::text`].

use std::borrow::Cow;

/// Registry-supplied text made terminal-inert: one rule for the CLI and the TUI.
pub use crate::sanitize::inert;

/// `1.2 MiB`, `532 B` (one rule for the CLI, the TUI and the comparison's summaries).
pub use crate::ops::human_size;

/// An RFC 3339 time to the second (`2024-01-02T03:04:05Z`).
pub use crate::image::time_label;

/// What an attestation manifest holds, from its layers' predicate-type annotations:
/// `provenance, SBOM`.
pub fn attestation_kinds(layers: &[crate::media::Descriptor]) -> String {
    let mut kinds: Vec<crate::attest::PredicateKind> = layers
        .iter()
        .filter_map(crate::attest::layer_predicate)
        .map(crate::attest::PredicateKind::of)
        .collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        return "attestation".to_string();
    }
    kinds
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Shorten to at most `max` characters, ending with `…` when cut.
pub fn ellipsize(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    Cow::Owned(out)
}

/// Shorten to at most `max` characters by cutting the start, beginning with `…` when cut:
/// for references, whose end (repository and tag) tells entries apart.
pub fn ellipsize_start(s: &str, max: usize) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::from("…");
    out.extend(s.chars().skip(n - (max - 1)));
    Cow::Owned(out)
}

/// A label and a digest shown as `label  digest` in `width` characters: the digest is cut
/// first, with `…`, down to the short form plus `…` (`sha256:0123456789ab…`), then the label
/// loses its start (the end of a reference tells lists apart).
pub fn fit_label_and_digest(
    label: &str,
    digest: &crate::digest::Digest,
    width: usize,
) -> (String, String) {
    let short = digest.short();
    let digest = digest.as_str();
    let (l, d) = (label.chars().count(), digest.chars().count());
    if l + 2 + d <= width {
        return (label.to_string(), digest.to_string());
    }
    let min_digest = (short.chars().count() + 1).min(d);
    let digest_room = width.saturating_sub(l + 2).max(min_digest);
    let digest = ellipsize(digest, digest_room).into_owned();
    let label_room = width.saturating_sub(digest.chars().count() + 2);
    (ellipsize_start(label, label_room).into_owned(), digest)
}

/// A platform as `os/arch[/variant]` with the os.version in parentheses, for display.
pub fn platform_label(p: &crate::platform::Platform) -> String {
    if p.os.is_empty() && p.architecture.is_empty() {
        return "(no platform)".to_string();
    }
    p.display()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsize_cuts_the_end_or_the_start() {
        assert_eq!(ellipsize("samples/app", 20), "samples/app");
        assert_eq!(ellipsize("samples/app-linux-amd64:v1", 8), "samples…");
        assert_eq!(ellipsize_start("samples/app", 11), "samples/app");
        assert_eq!(
            ellipsize_start("samples/app-linux-amd64:v1", 9),
            "…amd64:v1"
        );
        assert_eq!(ellipsize_start("ñandú/ü:v1", 4), "…:v1");
        assert_eq!(ellipsize_start("abc", 1), "…");
        assert_eq!(ellipsize_start("abc", 0), "");
    }

    #[test]
    fn a_label_and_digest_fit_with_an_ellipsis() {
        let d = format!("sha256:{}", "a".repeat(64));
        let digest = crate::digest::Digest::parse(&d).expect("digest");
        let fit = |l: &str, w: usize| fit_label_and_digest(l, &digest, w);
        assert_eq!(fit("x:v1", 200), ("x:v1".to_string(), d.clone()));
        let (l, short) = fit("127.0.0.1:5000/samples/app:v1", 95);
        assert_eq!(l, "127.0.0.1:5000/samples/app:v1");
        assert_eq!(short.chars().count(), 95 - 2 - l.len());
        assert!(short.ends_with('…') && d.starts_with(short.trim_end_matches('…')));
        // Too narrow for more than the short form: the label gives way.
        let (l, short) = fit("127.0.0.1:5000/samples/app:v1", 30);
        assert_eq!(short, format!("sha256:{}…", "a".repeat(12)));
        assert_eq!(l, "…/app:v1");
        assert_eq!(l.chars().count() + 2 + short.chars().count(), 30);
    }
}
