//! Property tests with a tiny deterministic generator (no dependencies): reference round
//! trips, byte-stable list rendering that parses back, JSON re-indenting that keeps the
//! value, and terminal-inert sanitising.
//!
//! Every property runs a fixed number of cases from fixed seeds, so a failure reproduces
//! exactly; the failing case's seed and input are in the panic message.

use manifest_tui::digest::Digest;
use manifest_tui::media::reindent;
use manifest_tui::media::{self, Kind, ListEntry, Parsed};
use manifest_tui::platform::Platform;
use manifest_tui::reference::{Reference, ReferenceError, ReferenceErrorKind};
use manifest_tui::sanitize::{inert, inert_multiline};
use std::collections::BTreeMap;

const CASES: u64 = 2_000;

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Avoid the all-zero state and decorrelate nearby seeds.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn string_from(&mut self, alphabet: &str, lo: usize, hi: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let n = self.range(lo, hi);
        (0..n).map(|_| *self.pick(&chars)).collect()
    }
    /// Any char, weighted towards the troublesome ones: ASCII, C0/C1 controls, DEL, JSON and
    /// HTML specials, bidi overrides, line separators, astral-plane characters.
    fn any_char(&mut self) -> char {
        match self.below(10) {
            0 => char::from_u32(self.below(0x20) as u32).unwrap_or('?'),
            1 => char::from_u32(0x80 + self.below(0x20) as u32).unwrap_or('?'),
            2 => *self.pick(&[
                '\u{7f}', '"', '\\', '<', '>', '&', '\u{2028}', '\u{2029}', '\u{202e}', '\u{2066}',
                '\u{200f}', '\u{feff}', '/', ':', '@',
            ]),
            3 => *self.pick(&['é', 'ß', '中', '🦀', '\u{1f600}', 'ñ', 'Ω']),
            4 => loop {
                if let Some(c) = char::from_u32(self.below(0x11_0000) as u32) {
                    break c;
                }
            },
            _ => char::from_u32(0x20 + self.below(0x5f) as u32).unwrap_or('?'),
        }
    }
    fn any_string(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        (0..n).map(|_| self.any_char()).collect()
    }
}

/// Run `f` for `CASES` seeds; `name` identifies the property in failures.
fn for_all(name: &str, f: impl Fn(&mut Rng) -> Result<(), String>) {
    for seed in 0..CASES {
        let mut rng = Rng::new(seed + 1);
        if let Err(msg) = f(&mut rng) {
            panic!("property {name} failed for seed {}: {msg}", seed + 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

const ALNUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
const TAG_FIRST: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
const TAG_REST: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";

/// One path component: `[a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)*`.
fn path_component(rng: &mut Rng, allow_dot: bool) -> String {
    let mut s = rng.string_from(ALNUM, 1, 6);
    for _ in 0..rng.below(3) {
        let sep = match rng.below(4) {
            0 if allow_dot => ".".to_string(),
            0 | 1 => "_".to_string(),
            2 => "__".to_string(),
            _ => "-".repeat(rng.range(1, 3)),
        };
        s.push_str(&sep);
        s.push_str(&rng.string_from(ALNUM, 1, 6));
    }
    s
}

/// A random valid reference string (not normalised) and whether it has an explicit domain.
fn valid_reference(rng: &mut Rng) -> String {
    let domain = *rng.pick(&[
        "",
        "",
        "docker.io/",
        "index.docker.io/",
        "localhost/",
        "localhost:5000/",
        "127.0.0.1:5000/",
        "[::1]:5000/",
        "registry.example.com/",
        "a-b.example:443/",
        "host.internal:1/",
    ]);
    let n = rng.range(1, 4);
    let mut parts = Vec::new();
    for i in 0..n {
        // Without an explicit domain, a first component with a '.' would be taken as one.
        let hub = domain.is_empty() || domain.contains("docker.io");
        let allow_dot = !(hub && i == 0 && n > 1);
        let mut c = path_component(rng, allow_dot);
        if hub && i == 0 && n > 1 && c == "localhost" {
            c.push('x');
        }
        parts.push(c);
    }
    let mut s = format!("{domain}{}", parts.join("/"));
    if rng.chance(60) {
        s.push(':');
        s.push_str(&rng.string_from(TAG_FIRST, 1, 1));
        s.push_str(&rng.string_from(TAG_REST, 0, 20));
    }
    if rng.chance(30) {
        let seed = rng.next().to_le_bytes();
        s.push('@');
        s.push_str(Digest::sha256(&seed).as_str());
    }
    s
}

fn hub_namespace_looks_like_a_domain(r: &Reference) -> bool {
    let first = r.path.split('/').next().unwrap_or("");
    r.domain == "docker.io"
        && r.path.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost")
}

fn check_round_trips(input: &str, r: &Reference) -> Result<(), String> {
    let full = r.to_string();
    match Reference::parse(&full) {
        Ok(back) if back == *r => {}
        Ok(back) => return Err(format!("{input:?}: display {full:?} re-parses as {back:?}")),
        Err(e) => return Err(format!("{input:?}: display {full:?} does not parse: {e}")),
    }
    let fam = r.familiar();
    match Reference::parse(&fam) {
        Ok(back) if back == *r => {}
        // Docker's own ambiguity: `docker.io/a.b/c` is shown as `a.b/c`, which reads as
        // registry `a.b` (or is refused: `a_b.c/d`). Docker Hub namespaces cannot hold a '.',
        // so no real image has it.
        _ if hub_namespace_looks_like_a_domain(r) => {}
        Ok(back) => return Err(format!("{input:?}: familiar {fam:?} re-parses as {back:?}")),
        Err(e) => return Err(format!("{input:?}: familiar {fam:?} does not parse: {e}")),
    }
    if !full.starts_with(&r.domain) || full.len() < fam.len() {
        return Err(format!("{input:?}: display {full:?} vs familiar {fam:?}"));
    }
    Ok(())
}

#[test]
fn valid_references_parse_and_round_trip() {
    for_all("reference round trip", |rng| {
        let s = valid_reference(rng);
        let r = Reference::parse(&s).map_err(|e| format!("{s:?} should be valid: {e}"))?;
        check_round_trips(&s, &r)?;
        // Parsing the display form is idempotent: it is the normal form.
        let again = Reference::parse(&r.to_string()).map_err(|e| e.to_string())?;
        if again.to_string() != r.to_string() {
            return Err(format!("{s:?}: display form is not stable"));
        }
        Ok(())
    });
}

#[test]
fn mutated_references_never_panic_and_round_trip_when_accepted() {
    for_all("mutated reference", |rng| {
        let mut chars: Vec<char> = valid_reference(rng).chars().collect();
        for _ in 0..rng.range(1, 4) {
            let at = rng.below(chars.len() + 1);
            match rng.below(3) {
                0 => chars.insert(at, rng.any_char()),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = *rng.pick(&[':', '/', '@', '.', 'A', '-']),
                _ => {}
            }
        }
        let s: String = chars.into_iter().collect();
        match Reference::parse(&s) {
            Ok(r) => check_round_trips(&s, &r),
            Err(e) => check_error_message(&s, &e),
        }
    });
}

/// A refusal names the input, quoted with its control characters escaped (shortened when
/// long), and holds no character a terminal would act on.
fn check_error_message(input: &str, e: &ReferenceError) -> Result<(), String> {
    let m = e.to_string();
    if let Some(c) = m.chars().find(|&c| dangerous(c)) {
        return Err(format!("{input:?}: message holds raw {c:?}: {m:?}"));
    }
    if m.len() > 1_000 {
        return Err(format!("{input:?}: message of {} bytes: {m:?}", m.len()));
    }
    let quoted = match input.char_indices().nth(120) {
        Some((i, _)) => format!("{:?}…", &input[..i]),
        None => format!("{input:?}"),
    };
    let names_input = match e.kind {
        // An empty input has nothing to show; a bare identifier is hex only.
        ReferenceErrorKind::Empty => true,
        ReferenceErrorKind::NameIsIdentifier => m.contains(input),
        _ => m.contains(&quoted),
    };
    if !names_input {
        return Err(format!("{input:?}: message does not show {quoted}: {m:?}"));
    }
    if e.input != input {
        return Err(format!("{input:?}: error records {:?}", e.input));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

fn random_platform(rng: &mut Rng) -> Platform {
    let mut p = Platform {
        architecture: rng
            .pick(&["amd64", "arm64", "arm", "s390x", "riscv64", ""])
            .to_string(),
        os: rng.pick(&["linux", "windows", "freebsd", ""]).to_string(),
        ..Default::default()
    };
    if rng.chance(30) {
        p.architecture = rng.any_string(8);
    }
    if rng.chance(40) {
        p.variant = rng.pick(&["v5", "v6", "v7", "v8"]).to_string();
    }
    if rng.chance(20) {
        p.os_version = rng.any_string(12);
    }
    if rng.chance(20) {
        p.os_features = (0..rng.range(1, 3)).map(|_| rng.any_string(6)).collect();
    }
    if rng.chance(20) {
        p.features = (0..rng.range(1, 3)).map(|_| rng.any_string(6)).collect();
    }
    p
}

fn random_annotations(rng: &mut Rng) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for _ in 0..rng.below(4) {
        m.insert(rng.any_string(10), rng.any_string(24));
    }
    m
}

#[test]
fn render_list_is_byte_stable_and_parses_back() {
    for_all("render_list", |rng| {
        let kind = if rng.chance(50) {
            Kind::OciIndex
        } else {
            Kind::DockerList
        };
        let entries: Vec<ListEntry> = (0..rng.range(0, 5))
            .map(|_| ListEntry {
                media_type: if kind.is_oci() {
                    media::OCI_MANIFEST.to_string()
                } else {
                    media::DOCKER_MANIFEST.to_string()
                },
                size: (rng.next() >> rng.below(64)) as i64 & i64::MAX,
                digest: Digest::sha256(&rng.next().to_le_bytes()),
                platform: random_platform(rng),
                annotations: if kind.is_oci() {
                    random_annotations(rng)
                } else {
                    BTreeMap::new()
                },
            })
            .collect();
        let index_annotations = if kind.is_oci() {
            random_annotations(rng)
        } else {
            BTreeMap::new()
        };
        let a = media::render_list(kind, &entries, &index_annotations);
        let b = media::render_list(kind, &entries.clone(), &index_annotations.clone());
        if a != b {
            return Err("two renderings of the same list differ".into());
        }
        let text = std::str::from_utf8(&a).map_err(|e| format!("not UTF-8: {e}"))?;
        if text.ends_with('\n') || text.contains('\t') {
            return Err(format!("layout differs from MarshalIndent:\n{text}"));
        }
        // Go's HTML-safe escaping: no raw <, >, & or control characters anywhere.
        if text.chars().any(|c| {
            matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') || (c < ' ' && c != '\n')
        }) {
            return Err(format!("unescaped special character in:\n{text}"));
        }
        let parsed = media::parse_manifest(&a, kind).map_err(|e| format!("{e}\n{text}"))?;
        let Parsed::Index(idx) = parsed else {
            return Err("a list parsed as an image manifest".into());
        };
        if idx.media_type.as_deref() != Some(kind.media_type()) {
            return Err(format!("mediaType {:?}", idx.media_type));
        }
        if idx.annotations != index_annotations {
            return Err(format!(
                "index annotations {:?} came back as {:?}",
                index_annotations, idx.annotations
            ));
        }
        if idx.manifests.len() != entries.len() {
            return Err(format!(
                "{} entries came back as {}",
                entries.len(),
                idx.manifests.len()
            ));
        }
        for (e, d) in entries.iter().zip(&idx.manifests) {
            let back = ListEntry {
                media_type: d.media_type.clone(),
                size: d.size,
                digest: d.digest.clone(),
                platform: d.platform.clone().unwrap_or_default(),
                annotations: d.annotations.clone(),
            };
            if back != *e || d.platform.is_none() {
                return Err(format!("entry {e:?} came back as {d:?}\n{text}"));
            }
        }
        // The digest the registry will compute is the digest of exactly these bytes.
        let raw =
            media::RawManifest::new(a.clone(), kind.media_type()).map_err(|e| e.to_string())?;
        if raw.digest != Digest::sha256(&a) || raw.kind() != kind {
            return Err("RawManifest disagrees with the rendered bytes".into());
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// JSON re-indenting
// ---------------------------------------------------------------------------------------------

fn random_json(rng: &mut Rng, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    let leaf = depth >= 4 || rng.chance(40);
    match if leaf { rng.below(5) } else { 5 + rng.below(2) } {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => Value::from(rng.next() as i64 >> rng.below(63)),
        3 => serde_json::Number::from_f64((rng.next() as i64 >> 20) as f64 / 1024.0)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        4 => Value::String(rng.any_string(12)),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(4) {
                m.insert(rng.any_string(6), random_json(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// Serialise with random insignificant whitespace between tokens.
fn spaced(rng: &mut Rng, v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    let ws = |rng: &mut Rng, out: &mut String| {
        for _ in 0..rng.below(3) {
            out.push(*rng.pick(&[' ', '\n', '\t', '\r']));
        }
    };
    ws(rng, out);
    match v {
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                spaced(rng, x, out);
            }
            ws(rng, out);
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ws(rng, out);
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                ws(rng, out);
                out.push(':');
                spaced(rng, x, out);
            }
            ws(rng, out);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
    ws(rng, out);
}

#[test]
fn reindent_keeps_the_json_value() {
    for_all("reindent", |rng| {
        let v = random_json(rng, 0);
        let mut src = String::new();
        spaced(rng, &v, &mut src);
        let indent = *rng.pick(&["   ", "\t", "  "]);
        let out = reindent(src.as_bytes(), indent);
        // Compare values read by the same parser (serde_json's float parsing is not exact,
        // so the generated `v` itself may differ in the last bit from what its text reads as).
        let input: serde_json::Value =
            serde_json::from_str(&src).map_err(|e| format!("generator bug ({e}): {src}"))?;
        let back: serde_json::Value = serde_json::from_str(&out)
            .map_err(|e| format!("output is not JSON ({e}):\n{out}\nfrom:\n{src}"))?;
        if back != input {
            return Err(format!("value changed:\n{out}\nfrom:\n{src}"));
        }
        // Idempotent on its own output.
        if reindent(out.as_bytes(), indent) != out {
            return Err(format!("not idempotent:\n{out}"));
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Terminal-inert text
// ---------------------------------------------------------------------------------------------

fn dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn inert_output_never_holds_a_control_character() {
    for_all("inert", |rng| {
        let mut s = rng.any_string(40);
        // Real attack shapes, spliced in.
        if rng.chance(30) {
            let attack = *rng.pick(&[
                "\x1b[2J",
                "\x1b]52;c;ZXZpbA==\x07",
                "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
                "\u{9b}31m",
                "\0",
                "\x07",
            ]);
            s.push_str(attack);
        }
        let out = inert(&s);
        if let Some(c) = out.chars().find(|&c| dangerous(c)) {
            return Err(format!("{s:?} -> {out:?} still holds {c:?}"));
        }
        let multi = inert_multiline(&s);
        if let Some(c) = multi
            .chars()
            .find(|&c| dangerous(c) && c != '\n' && c != '\t')
        {
            return Err(format!("{s:?} -> {multi:?} still holds {c:?}"));
        }
        // Harmless text is left alone.
        if !s.chars().any(dangerous) && out != s {
            return Err(format!("{s:?} was changed to {out:?}"));
        }
        Ok(())
    });
}
