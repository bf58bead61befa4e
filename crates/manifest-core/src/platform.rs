//! The platform model: os, architecture, variant, os.version, os.features, features;
//! validation against every real Go os/arch pair, known variants, aliases and suggestions.
//!
//! Valid pairs are every pair `go tool dist list` prints (Go 1.22–1.25) plus the historical
//! ports images were built for (darwin/386, darwin/arm, windows/arm, openbsd/mips64): docker
//! itself accepts only 28 of them, we accept every real one (windows/arm64, linux/loong64, …).
//! `unknown/unknown` (attestation entries) is always accepted.
//!
//! Matching ([`Platform::key`]) fills in the default variant the way containerd's
//! `platforms.Normalize` treats them as equal: arm "" ≡ v7, arm64 "" ≡ v8 ≡ v8.0, amd64 "" ≡ v1,
//! and arm64 `vN.0` ≡ `vN`.

use serde::{Deserialize, Serialize};

/// A platform as it appears in an index/list entry. Field names and order follow what
/// docker marshals: architecture, os, os.version, os.features, variant, features.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// Which platform field a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Os,
    Architecture,
    Variant,
    OsVersion,
    OsFeatures,
}

impl Field {
    /// The field's name as docker/OCI spell it (`os`, `architecture`, `variant`, …).
    pub fn label(self) -> &'static str {
        match self {
            Field::Os => "os",
            Field::Architecture => "architecture",
            Field::Variant => "variant",
            Field::OsVersion => "os.version",
            Field::OsFeatures => "os.features",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A validation problem with a reason and the closest valid values.
///
/// `reason` is a complete sentence naming the field and value; `suggestions` are the closest
/// valid values, best first (at most 3). Display inserts "did you mean …?" before a trailing
/// parenthesised list of valid values, e.g.
/// `architecture "amd46" is not a known architecture; did you mean amd64? (valid for linux: …)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformIssue {
    pub field: Field,
    pub value: String,
    pub reason: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for PlatformIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.suggestions.is_empty() {
            return f.write_str(&self.reason);
        }
        let hint = format!("did you mean {}?", join_or(&self.suggestions));
        if self.reason.contains(&hint) {
            return f.write_str(&self.reason);
        }
        match self.reason.rfind(" (") {
            Some(i) if self.reason.ends_with(')') => {
                write!(f, "{}; {hint}{}", &self.reason[..i], &self.reason[i..])
            }
            _ => write!(f, "{}; {hint}", self.reason),
        }
    }
}

impl std::error::Error for PlatformIssue {}

impl PlatformIssue {
    fn new(field: Field, value: &str, reason: String, suggestions: Vec<String>) -> Self {
        PlatformIssue {
            field,
            value: value.to_string(),
            reason,
            suggestions,
        }
    }
}

// ----- tables ----------------------------------------------------------------------------

/// Every GOOS with the GOARCH values it supports (current `go tool dist list` plus historical
/// ports). Sorted by os.
const OS_ARCHES: &[(&str, &[&str])] = &[
    ("aix", &["ppc64"]),
    ("android", &["386", "amd64", "arm", "arm64"]),
    ("darwin", &["386", "amd64", "arm", "arm64"]),
    ("dragonfly", &["amd64"]),
    ("freebsd", &["386", "amd64", "arm", "arm64", "riscv64"]),
    ("illumos", &["amd64"]),
    ("ios", &["amd64", "arm64"]),
    ("js", &["wasm"]),
    (
        "linux",
        &[
            "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle",
            "ppc64", "ppc64le", "riscv64", "s390x",
        ],
    ),
    ("netbsd", &["386", "amd64", "arm", "arm64"]),
    (
        "openbsd",
        &["386", "amd64", "arm", "arm64", "mips64", "ppc64", "riscv64"],
    ),
    ("plan9", &["386", "amd64", "arm"]),
    ("solaris", &["amd64"]),
    ("wasip1", &["wasm"]),
    ("windows", &["386", "amd64", "arm", "arm64"]),
];

/// Every GOARCH appearing in [`OS_ARCHES`], sorted.
const ARCHES: &[&str] = &[
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64",
    "ppc64le", "riscv64", "s390x", "wasm",
];

const ARM_VARIANTS: &[&str] = &["v5", "v6", "v7", "v8"];
const ARM64_VARIANTS: &[&str] = &[
    "v8", "v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9",
    "v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5",
];
const AMD64_VARIANTS: &[&str] = &["v1", "v2", "v3", "v4"];
const RISCV64_VARIANTS: &[&str] = &["rva20u64", "rva22u64", "rva23u64"];
const PPC64LE_VARIANTS: &[&str] = &["power8", "power9", "power10"];

/// Known variants of an architecture (empty: the architecture has no variants).
pub(crate) fn variants_for(arch: &str) -> &'static [&'static str] {
    match arch {
        "arm" => ARM_VARIANTS,
        "arm64" => ARM64_VARIANTS,
        "amd64" => AMD64_VARIANTS,
        "riscv64" => RISCV64_VARIANTS,
        "ppc64le" => PPC64LE_VARIANTS,
        _ => &[],
    }
}

/// Every known os (GOOS) value, sorted.
pub(crate) fn known_oses() -> Vec<&'static str> {
    OS_ARCHES.iter().map(|(o, _)| *o).collect()
}

/// Every known architecture (GOARCH) value, sorted.
pub fn known_arches() -> &'static [&'static str] {
    ARCHES
}

/// The architectures `os` runs on (`None` for an unknown os).
pub(crate) fn arches_for(os: &str) -> Option<&'static [&'static str]> {
    OS_ARCHES.iter().find(|(o, _)| *o == os).map(|(_, a)| *a)
}

/// True when `os/arch` is a real Go port (or `unknown/unknown`).
pub fn is_valid_pair(os: &str, arch: &str) -> bool {
    (os == "unknown" && arch == "unknown") || arches_for(os).is_some_and(|a| a.contains(&arch))
}

/// OS aliases → canonical GOOS.
const OS_ALIASES: &[(&str, &str)] = &[
    ("macos", "darwin"),
    ("macosx", "darwin"),
    ("mac", "darwin"),
    ("osx", "darwin"),
    ("win", "windows"),
    ("win32", "windows"),
    ("win64", "windows"),
];

/// Architecture aliases → canonical GOARCH and the variant they imply.
const ARCH_ALIASES: &[(&str, &str, &str)] = &[
    ("aarch64", "arm64", ""),
    ("arm64v8", "arm64", "v8"),
    ("x86_64", "amd64", ""),
    ("x86-64", "amd64", ""),
    ("x64", "amd64", ""),
    ("x86", "386", ""),
    ("i386", "386", ""),
    ("i486", "386", ""),
    ("i586", "386", ""),
    ("i686", "386", ""),
    ("armhf", "arm", "v7"),
    ("armel", "arm", "v6"),
    ("armv7", "arm", "v7"),
    ("armv7l", "arm", "v7"),
    ("armv7hl", "arm", "v7"),
    ("arm32v7", "arm", "v7"),
    ("armv6", "arm", "v6"),
    ("armv6l", "arm", "v6"),
    ("arm32v6", "arm", "v6"),
    ("armv5", "arm", "v5"),
    ("armv5l", "arm", "v5"),
    ("armv5tel", "arm", "v5"),
    ("arm32v5", "arm", "v5"),
    ("ppc64el", "ppc64le", ""),
    ("powerpc64le", "ppc64le", ""),
    ("powerpc64", "ppc64", ""),
    ("loongarch64", "loong64", ""),
    ("mips64el", "mips64le", ""),
    ("mipsel", "mipsle", ""),
];

/// The canonical architecture for `value` with the variant its alias implies (`armhf` →
/// `("arm", "v7")`) and a hint when it was rewritten. Unknown values are returned unchanged.
pub(crate) fn normalize_arch(value: &str) -> (String, String, Option<String>) {
    let lower = value.trim().to_ascii_lowercase();
    if let Some((_, arch, variant)) = ARCH_ALIASES.iter().find(|(a, _, _)| *a == lower) {
        let target = if variant.is_empty() {
            arch.to_string()
        } else {
            format!("{arch}/{variant}")
        };
        return (
            arch.to_string(),
            variant.to_string(),
            Some(format!("{value:?} is {target}")),
        );
    }
    let hint = (lower != value).then(|| format!("{value:?} is {lower}"));
    (lower, String::new(), hint)
}

/// Normalise one field value (alias → canonical). Returns the canonical value and, when an
/// alias was rewritten, a hint such as `"aarch64" is arm64`.
///
/// For an architecture alias that implies a variant (`armhf`) only the architecture is
/// returned (the hint names the variant); use [`normalize_arch`] to get both.
pub(crate) fn normalize(field: Field, value: &str) -> (String, Option<String>) {
    match field {
        Field::Os => {
            let lower = value.trim().to_ascii_lowercase();
            if let Some((_, os)) = OS_ALIASES.iter().find(|(a, _)| *a == lower) {
                return (os.to_string(), Some(format!("{value:?} is {os}")));
            }
            let hint = (lower != value).then(|| format!("{value:?} is {lower}"));
            (lower, hint)
        }
        Field::Architecture => {
            let (arch, _, hint) = normalize_arch(value);
            (arch, hint)
        }
        Field::Variant => {
            let v = normalize_variant(value);
            let hint = (v != value).then(|| format!("{value:?} is {v}"));
            (v, hint)
        }
        Field::OsVersion | Field::OsFeatures => (value.to_string(), None),
    }
}

/// `7` → `v7`, `V8.2` → `v8.2`, `armv7l` → `v7`; anything else lower-cased.
fn normalize_variant(value: &str) -> String {
    let lower = value.trim().to_ascii_lowercase();
    let numeric = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_digit())
            && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    };
    if numeric(&lower) {
        return format!("v{lower}");
    }
    for prefix in ["armv", "arm"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim_end_matches(['l', 'h']);
            if numeric(rest) {
                return format!("v{rest}");
            }
        }
    }
    lower
}

/// The default variant an empty variant stands for, for matching.
fn default_variant(arch: &str) -> &'static str {
    match arch {
        "arm" => "v7",
        "arm64" => "v8",
        "amd64" => "v1",
        _ => "",
    }
}

/// The variant as used in [`Platform::key`]: aliases resolved, defaults filled in,
/// arm64 `vN.0` → `vN`.
fn key_variant(arch: &str, variant: &str) -> String {
    let v = normalize_variant(variant);
    if v.is_empty() {
        return default_variant(arch).to_string();
    }
    if arch == "arm64" {
        if let Some(major) = v.strip_suffix(".0") {
            return major.to_string();
        }
    }
    v
}

// ----- suggestions ------------------------------------------------------------------------

/// Optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// The closest candidates to `value`, best first, at most 3.
pub(crate) fn suggest(value: &str, candidates: &[&str]) -> Vec<String> {
    let v = value.trim().to_ascii_lowercase();
    if v.is_empty() || v.chars().count() > 64 {
        return Vec::new();
    }
    let limit = match v.chars().count() {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .filter_map(|c| {
            let d = edit_distance(&v, c);
            let prefix = v.len() >= 2 && (c.starts_with(v.as_str()) || v.starts_with(c));
            (d <= limit || prefix).then_some((if prefix { d.min(limit) } else { d }, *c))
        })
        .collect();
    // Best first: smallest distance, then longest common prefix, then natural order.
    let common = |c: &str| c.bytes().zip(v.bytes()).take_while(|(x, y)| x == y).count();
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| common(b.1).cmp(&common(a.1)))
            .then_with(|| natural_cmp(a.1, b.1))
    });
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Compare strings with digit runs compared as numbers (`power8` < `power10`).
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let na = std::str::from_utf8(&a[si..i])
                .unwrap_or("")
                .trim_start_matches('0');
            let nb = std::str::from_utf8(&b[sj..j])
                .unwrap_or("")
                .trim_start_matches('0');
            let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn list(values: &[&str]) -> String {
    values.join(", ")
}

fn has_bad_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

// ----- the model ------------------------------------------------------------------------

impl Platform {
    /// A platform from os, architecture and variant as given (no normalisation).
    pub fn new(os: &str, architecture: &str, variant: &str) -> Platform {
        Platform {
            architecture: architecture.to_string(),
            os: os.to_string(),
            variant: variant.to_string(),
            ..Platform::default()
        }
    }

    /// `linux/arm64/v8`, `windows/amd64` (os.version appended in parentheses when set).
    /// Empty os or architecture show as `?`.
    pub fn display(&self) -> String {
        let or_q = |s: &str| {
            if s.is_empty() {
                "?".to_string()
            } else {
                s.to_string()
            }
        };
        let mut out = format!("{}/{}", or_q(&self.os), or_q(&self.architecture));
        if !self.variant.is_empty() {
            out.push('/');
            out.push_str(&self.variant);
        }
        if !self.os_version.is_empty() {
            out.push_str(&format!(" ({})", self.os_version));
        }
        out
    }

    /// Parse `os/arch[/variant]`, normalising aliases (`linux/aarch64` → linux/arm64,
    /// `linux/armhf` → linux/arm/v7), then validating. The first problem is returned.
    pub fn parse(s: &str) -> Result<Platform, PlatformIssue> {
        Self::parse_with_hints(s).map(|(p, _)| p)
    }

    /// Like [`Platform::parse`], also returning the alias hints (`"aarch64" is arm64`).
    pub fn parse_with_hints(s: &str) -> Result<(Platform, Vec<String>), PlatformIssue> {
        let t = s.trim();
        let parts: Vec<&str> = t.split('/').collect();
        if t.is_empty() || parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty())
        {
            let mut suggestions = Vec::new();
            if parts.len() == 1 && !t.is_empty() {
                let (arch, variant, _) = normalize_arch(t);
                if ARCHES.contains(&arch.as_str()) {
                    let mut guess = format!("linux/{arch}");
                    if !variant.is_empty() {
                        guess = format!("{guess}/{variant}");
                    }
                    suggestions.push(guess);
                }
            }
            return Err(PlatformIssue::new(
                Field::Os,
                s,
                format!(
                    "platform {s:?} is not OS/ARCH[/VARIANT] (for example linux/amd64 or \
                     linux/arm/v7)"
                ),
                suggestions,
            ));
        }
        let mut hints = Vec::new();
        let (os, h) = normalize(Field::Os, parts[0]);
        hints.extend(h);
        let (arch, implied, h) = normalize_arch(parts[1]);
        hints.extend(h);
        let mut variant = implied.clone();
        if let Some(v) = parts.get(2) {
            let (nv, h) = normalize(Field::Variant, v);
            hints.extend(h);
            if !implied.is_empty() && nv != implied {
                return Err(PlatformIssue::new(
                    Field::Variant,
                    v,
                    format!(
                        "variant {v:?} contradicts architecture {:?}, which means {arch}/{implied}",
                        parts[1]
                    ),
                    vec![implied],
                ));
            }
            variant = nv;
        }
        let p = Platform {
            os,
            architecture: arch,
            variant,
            ..Platform::default()
        };
        match p.validate().into_iter().next() {
            Some(issue) => Err(issue),
            None => Ok((p, hints)),
        }
    }

    /// The same platform with os, architecture and variant aliases resolved (`aarch64` →
    /// arm64, `armhf` → arm + v7 when no variant is set, `7` → v7). No defaults are added.
    pub fn normalized(&self) -> Platform {
        let (os, _) = normalize(Field::Os, &self.os);
        let (arch, implied, _) = normalize_arch(&self.architecture);
        let variant = if self.variant.is_empty() {
            implied
        } else {
            normalize_variant(&self.variant)
        };
        Platform {
            os,
            architecture: arch,
            variant,
            ..self.clone()
        }
    }

    /// A stable key for matching entries across lists: `os/arch[/variant][@os.version]`.
    ///
    /// Aliases are resolved and the default variant is made explicit, so that equivalent
    /// platforms get equal keys: arm "" ≡ v7, arm64 "" ≡ v8 ≡ v8.0, amd64 "" ≡ v1 (as containerd's
    /// `platforms.Normalize` treats them). `linux/arm64` → `linux/arm64/v8`.
    pub fn key(&self) -> String {
        let n = self.normalized();
        let mut out = format!("{}/{}", n.os, n.architecture);
        let v = key_variant(&n.architecture, &n.variant);
        if !v.is_empty() {
            out.push('/');
            out.push_str(&v);
        }
        if !self.os_version.is_empty() {
            out.push('@');
            out.push_str(&self.os_version);
        }
        out
    }

    /// True when both platforms have the same [`Platform::key`].
    pub fn matches(&self, other: &Platform) -> bool {
        self.key() == other.key()
    }

    /// Does this platform, as a user typed it, name an entry of platform `entry`? A typed
    /// `os/arch[/variant]` carries no os.version, so it names the entry whatever its
    /// os.version (`windows/amd64` is the windows entry; two such entries make the choice
    /// ambiguous, which the caller reports).
    pub fn selects(&self, entry: &Platform) -> bool {
        let mut have = entry.clone();
        if self.os_version.is_empty() {
            have.os_version.clear();
        }
        have.key() == self.key()
    }

    /// Full validation (missing os/arch, unknown values, invalid pair, unknown variant,
    /// malformed os.version / os.features). Empty when valid; `unknown/unknown` is valid.
    pub fn validate(&self) -> Vec<PlatformIssue> {
        let mut issues = Vec::new();
        if self.is_unknown() {
            return issues;
        }
        let os_ok = self.check_os(&mut issues);
        let arch_ok = self.check_arch(os_ok, &mut issues);
        if arch_ok {
            self.check_variant(&mut issues);
        }
        if has_bad_chars(&self.os_version) {
            issues.push(PlatformIssue::new(
                Field::OsVersion,
                &self.os_version,
                format!(
                    "os.version {:?} contains spaces or control characters; use a plain version \
                     such as 10.0.17763.1234",
                    self.os_version
                ),
                Vec::new(),
            ));
        }
        for f in &self.os_features {
            if f.is_empty() || has_bad_chars(f) || f.contains(',') {
                issues.push(PlatformIssue::new(
                    Field::OsFeatures,
                    f,
                    format!(
                        "os.features entry {f:?} must be a non-empty word without spaces or \
                         commas (give several features as separate entries, e.g. win32k)"
                    ),
                    Vec::new(),
                ));
            }
        }
        issues
    }

    fn check_os(&self, issues: &mut Vec<PlatformIssue>) -> bool {
        let os = self.os.as_str();
        if os.is_empty() {
            issues.push(PlatformIssue::new(
                Field::Os,
                os,
                "os is missing; set it (for example linux or windows)".to_string(),
                Vec::new(),
            ));
            return false;
        }
        if arches_for(os).is_some() {
            return true;
        }
        let (canon, _) = normalize(Field::Os, os);
        if arches_for(&canon).is_some() {
            issues.push(PlatformIssue::new(
                Field::Os,
                os,
                format!("os {os:?} is not a Go os name; use {canon}"),
                vec![canon],
            ));
        } else {
            issues.push(PlatformIssue::new(
                Field::Os,
                os,
                format!(
                    "os {os:?} is not a known os (valid: {})",
                    list(&known_oses())
                ),
                suggest(os, &known_oses()),
            ));
        }
        false
    }

    fn check_arch(&self, os_ok: bool, issues: &mut Vec<PlatformIssue>) -> bool {
        let arch = self.architecture.as_str();
        if arch.is_empty() {
            issues.push(PlatformIssue::new(
                Field::Architecture,
                arch,
                "architecture is missing; set it (for example amd64 or arm64)".to_string(),
                Vec::new(),
            ));
            return false;
        }
        let valid: &[&str] = if os_ok {
            arches_for(&self.os).unwrap_or(ARCHES)
        } else {
            ARCHES
        };
        let context = if os_ok {
            format!("valid for {}: {}", self.os, list(valid))
        } else {
            format!("valid: {}", list(ARCHES))
        };
        if !ARCHES.contains(&arch) {
            let (canon, implied, _) = normalize_arch(arch);
            if ARCHES.contains(&canon.as_str()) {
                let target = if implied.is_empty() {
                    canon.clone()
                } else {
                    format!("{canon} with variant {implied}")
                };
                issues.push(PlatformIssue::new(
                    Field::Architecture,
                    arch,
                    format!("architecture {arch:?} is not a Go architecture name; use {target}"),
                    vec![canon],
                ));
            } else {
                issues.push(PlatformIssue::new(
                    Field::Architecture,
                    arch,
                    format!("architecture {arch:?} is not a known architecture ({context})"),
                    suggest(arch, valid),
                ));
            }
            return false;
        }
        if os_ok && !valid.contains(&arch) {
            issues.push(PlatformIssue::new(
                Field::Architecture,
                arch,
                format!(
                    "{} does not run on {arch}; valid architectures for {}: {}",
                    self.os,
                    self.os,
                    list(valid)
                ),
                suggest(arch, valid),
            ));
            return false;
        }
        true
    }

    fn check_variant(&self, issues: &mut Vec<PlatformIssue>) {
        let (arch, v) = (self.architecture.as_str(), self.variant.as_str());
        if v.is_empty() {
            return;
        }
        let known = variants_for(arch);
        if known.is_empty() {
            issues.push(PlatformIssue::new(
                Field::Variant,
                v,
                format!(
                    "variant {v:?} given, but architecture {arch} has no variants; leave the \
                     variant empty"
                ),
                Vec::new(),
            ));
            return;
        }
        if known.contains(&v) {
            return;
        }
        let canon = normalize_variant(v);
        if known.contains(&canon.as_str()) {
            issues.push(PlatformIssue::new(
                Field::Variant,
                v,
                format!("variant {v:?} is not written the standard way; use {canon}"),
                vec![canon],
            ));
        } else {
            issues.push(PlatformIssue::new(
                Field::Variant,
                v,
                format!(
                    "variant {v:?} is not a known variant of {arch} (valid: {})",
                    list(known)
                ),
                suggest(&canon, known),
            ));
        }
    }

    /// True for attestation / unknown entries (`unknown/unknown`).
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// Common Windows build numbers for os.version completion.
const WINDOWS_VERSIONS: &[&str] = &[
    "10.0.14393",
    "10.0.17763",
    "10.0.19041",
    "10.0.20348",
    "10.0.22621",
    "10.0.26100",
];

/// Known values for completion in the editor (os list, arch list, variants for an arch).
///
/// `os` narrows architectures (and os.version / os.features suggestions), `arch` picks the
/// variants. Values starting with `prefix` come first, then values containing it, each group in
/// natural order; matching ignores case.
pub fn completions(field: Field, os: &str, arch: &str, prefix: &str) -> Vec<String> {
    let (os_n, _) = normalize(Field::Os, os);
    let (arch_n, _, _) = normalize_arch(arch);
    let candidates: Vec<&str> = match field {
        Field::Os => known_oses(),
        Field::Architecture => arches_for(&os_n).unwrap_or(ARCHES).to_vec(),
        Field::Variant => variants_for(&arch_n).to_vec(),
        Field::OsVersion if os_n == "windows" => WINDOWS_VERSIONS.to_vec(),
        Field::OsFeatures if os_n == "windows" => vec!["win32k"],
        Field::OsVersion | Field::OsFeatures => Vec::new(),
    };
    let p = prefix.trim().to_ascii_lowercase();
    let mut starts: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.starts_with(p.as_str()))
        .collect();
    let mut contains: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| !c.starts_with(p.as_str()) && c.contains(p.as_str()))
        .collect();
    starts.sort_by(|a, b| natural_cmp(a, b));
    contains.sort_by(|a, b| natural_cmp(a, b));
    starts
        .into_iter()
        .chain(contains)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(os: &str, arch: &str, variant: &str) -> Platform {
        Platform::new(os, arch, variant)
    }

    fn one_issue(pl: &Platform) -> PlatformIssue {
        let issues = pl.validate();
        assert_eq!(issues.len(), 1, "{pl:?}: {issues:?}");
        issues.into_iter().next().unwrap()
    }

    #[test]
    fn every_real_pair_is_valid() {
        let pairs = [
            "aix/ppc64",
            "android/386",
            "android/amd64",
            "android/arm",
            "android/arm64",
            "darwin/386",
            "darwin/amd64",
            "darwin/arm",
            "darwin/arm64",
            "dragonfly/amd64",
            "freebsd/386",
            "freebsd/amd64",
            "freebsd/arm",
            "freebsd/arm64",
            "freebsd/riscv64",
            "illumos/amd64",
            "ios/amd64",
            "ios/arm64",
            "js/wasm",
            "linux/386",
            "linux/amd64",
            "linux/arm",
            "linux/arm64",
            "linux/loong64",
            "linux/mips",
            "linux/mips64",
            "linux/mips64le",
            "linux/mipsle",
            "linux/ppc64",
            "linux/ppc64le",
            "linux/riscv64",
            "linux/s390x",
            "netbsd/386",
            "netbsd/amd64",
            "netbsd/arm",
            "netbsd/arm64",
            "openbsd/386",
            "openbsd/amd64",
            "openbsd/arm",
            "openbsd/arm64",
            "openbsd/mips64",
            "openbsd/ppc64",
            "openbsd/riscv64",
            "plan9/386",
            "plan9/amd64",
            "plan9/arm",
            "solaris/amd64",
            "wasip1/wasm",
            "windows/386",
            "windows/amd64",
            "windows/arm",
            "windows/arm64",
        ];
        for pair in pairs {
            let (os, arch) = pair.split_once('/').unwrap();
            assert!(is_valid_pair(os, arch), "{pair}");
            assert!(p(os, arch, "").validate().is_empty(), "{pair}");
            assert_eq!(Platform::parse(pair).unwrap().display(), pair);
        }
        let total: usize = OS_ARCHES.iter().map(|(_, a)| a.len()).sum();
        assert_eq!(total, pairs.len(), "table and test list agree");
        // Every arch in the table is in ARCHES and vice versa; both sorted.
        let mut all: Vec<&str> = OS_ARCHES
            .iter()
            .flat_map(|(_, a)| a.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all, ARCHES);
        assert!(known_oses().windows(2).all(|w| w[0] < w[1]));
        assert!(p("unknown", "unknown", "").validate().is_empty());
    }

    #[test]
    fn invalid_pairs() {
        let i = one_issue(&p("windows", "s390x", ""));
        assert_eq!(i.field, Field::Architecture);
        assert_eq!(
            i.to_string(),
            "windows does not run on s390x; valid architectures for windows: 386, amd64, arm, arm64"
        );
        let i = one_issue(&p("darwin", "ppc64le", ""));
        assert!(
            i.reason.starts_with("darwin does not run on ppc64le"),
            "{i}"
        );
        assert!(!is_valid_pair("linux", "wasm"));
        assert!(!is_valid_pair("js", "amd64"));
    }

    #[test]
    fn unknown_values_get_suggestions() {
        let i = one_issue(&p("linux", "amd46", ""));
        assert_eq!(i.suggestions, vec!["amd64"]);
        let s = i.to_string();
        assert!(
            s.starts_with(
                "architecture \"amd46\" is not a known architecture; did you mean amd64? \
                 (valid for linux: 386, amd64, arm, "
            ),
            "{s}"
        );
        let i = one_issue(&p("linnux", "amd64", ""));
        assert_eq!(i.field, Field::Os);
        assert_eq!(i.suggestions, vec!["linux"]);
        assert!(i.to_string().contains("did you mean linux?"), "{i}");
        let i = one_issue(&p("windoes", "amd64", ""));
        assert_eq!(i.suggestions[0], "windows");
        let i = one_issue(&p("linux", "ppc64e", ""));
        assert!(i.suggestions.contains(&"ppc64le".to_string()), "{i}");
        assert!(i.suggestions.len() <= 3);
        let i = one_issue(&p("linux", "riscv", ""));
        assert_eq!(i.suggestions, vec!["riscv64"]);
        let i = one_issue(&p("linux", "zzzzzzzz", ""));
        assert!(i.suggestions.is_empty());
        assert!(!i.to_string().contains("did you mean"));
        // An unknown os: architectures are checked against every architecture.
        let issues = p("plan10", "amd64", "").validate();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].suggestions, vec!["plan9"]);
    }

    #[test]
    fn missing_fields() {
        let issues = Platform::default().validate();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].field, Field::Os);
        assert!(issues[0].reason.contains("os is missing"));
        assert_eq!(issues[1].field, Field::Architecture);
        assert!(issues[1].reason.contains("architecture is missing"));
    }

    #[test]
    fn aliases_in_validate() {
        let i = one_issue(&p("linux", "aarch64", ""));
        assert_eq!(i.suggestions, vec!["arm64"]);
        assert!(i.reason.contains("use arm64"), "{i}");
        let i = one_issue(&p("linux", "armhf", ""));
        assert!(i.reason.contains("use arm with variant v7"), "{i}");
        let i = one_issue(&p("macos", "arm64", ""));
        assert_eq!(i.suggestions, vec!["darwin"]);
        let i = one_issue(&p("Linux", "amd64", ""));
        assert_eq!(i.suggestions, vec!["linux"]);
    }

    #[test]
    fn variants() {
        for (arch, v) in [
            ("arm", "v5"),
            ("arm", "v6"),
            ("arm", "v7"),
            ("arm", "v8"),
            ("arm64", "v8"),
            ("arm64", "v8.0"),
            ("arm64", "v8.9"),
            ("arm64", "v9"),
            ("arm64", "v9.5"),
            ("amd64", "v1"),
            ("amd64", "v4"),
            ("riscv64", "rva20u64"),
            ("riscv64", "rva23u64"),
            ("ppc64le", "power10"),
        ] {
            assert!(p("linux", arch, v).validate().is_empty(), "{arch}/{v}");
        }
        let i = one_issue(&p("linux", "arm", "v9"));
        assert_eq!(i.field, Field::Variant);
        assert!(
            i.reason
                .contains("not a known variant of arm (valid: v5, v6, v7, v8)"),
            "{i}"
        );
        assert!(!i.suggestions.is_empty());
        let i = one_issue(&p("linux", "arm64", "v9.6"));
        assert!(i.suggestions.iter().all(|v| v.starts_with("v9.")), "{i}");
        let i = one_issue(&p("linux", "arm", "7"));
        assert_eq!(i.suggestions, vec!["v7"]);
        assert!(i.reason.contains("use v7"));
        let i = one_issue(&p("linux", "s390x", "v1"));
        assert!(i.reason.contains("has no variants"), "{i}");
        let i = one_issue(&p("linux", "amd64", "v5"));
        assert!(i.reason.contains("valid: v1, v2, v3, v4"), "{i}");
        // Variant not checked when the architecture is unknown (one issue, not two).
        assert_eq!(p("linux", "foo", "v7").validate().len(), 1);
    }

    #[test]
    fn os_version_and_features() {
        let mut pl = p("windows", "amd64", "");
        pl.os_version = "10.0.17763.1234".into();
        pl.os_features = vec!["win32k".into()];
        assert!(pl.validate().is_empty());
        pl.os_version = "10.0 17763".into();
        let i = one_issue(&pl);
        assert_eq!(i.field, Field::OsVersion);
        pl.os_version = "10\u{7}".into();
        assert_eq!(one_issue(&pl).field, Field::OsVersion);
        pl.os_version.clear();
        for bad in ["", "a b", "a,b", "x\ty"] {
            pl.os_features = vec!["ok".into(), bad.into()];
            let i = one_issue(&pl);
            assert_eq!(i.field, Field::OsFeatures, "{bad:?}");
            assert_eq!(i.value, bad);
        }
    }

    #[test]
    fn parse_and_aliases() {
        let (pl, hints) = Platform::parse_with_hints("linux/aarch64").unwrap();
        assert_eq!(pl, p("linux", "arm64", ""));
        assert_eq!(hints, vec!["\"aarch64\" is arm64"]);
        let cases = [
            ("linux/x86_64", "linux/amd64"),
            ("linux/x86-64", "linux/amd64"),
            ("linux/x86", "linux/386"),
            ("linux/i386", "linux/386"),
            ("linux/i686", "linux/386"),
            ("linux/armhf", "linux/arm/v7"),
            ("linux/armel", "linux/arm/v6"),
            ("linux/armv7", "linux/arm/v7"),
            ("linux/armv7l", "linux/arm/v7"),
            ("linux/armv6", "linux/arm/v6"),
            ("linux/armv6l", "linux/arm/v6"),
            ("linux/armv5", "linux/arm/v5"),
            ("linux/armv5l", "linux/arm/v5"),
            ("linux/ppc64el", "linux/ppc64le"),
            ("linux/arm64/v8", "linux/arm64/v8"),
            ("linux/arm64/8", "linux/arm64/v8"),
            ("linux/arm/7", "linux/arm/v7"),
            ("linux/armhf/v7", "linux/arm/v7"),
            ("macos/arm64", "darwin/arm64"),
            ("osx/amd64", "darwin/amd64"),
            ("win/amd64", "windows/amd64"),
            ("windows/arm64", "windows/arm64"),
            ("LINUX/AMD64", "linux/amd64"),
            (" linux/amd64 ", "linux/amd64"),
        ];
        for (input, want) in cases {
            assert_eq!(Platform::parse(input).unwrap().display(), want, "{input}");
        }
        for bad in ["", "linux", "linux/", "/amd64", "linux/amd64/v1/x", "a/b/c"] {
            assert!(Platform::parse(bad).is_err(), "{bad:?}");
        }
        let e = Platform::parse("arm64").unwrap_err();
        assert_eq!(e.suggestions, vec!["linux/arm64"]);
        assert!(e.to_string().contains("OS/ARCH[/VARIANT]"), "{e}");
        let e = Platform::parse("linux/armhf/v6").unwrap_err();
        assert_eq!(e.field, Field::Variant);
        let e = Platform::parse("windows/s390x").unwrap_err();
        assert!(e.to_string().starts_with("windows does not run on s390x"));
        let e = Platform::parse("linux/amd46").unwrap_err();
        assert_eq!(e.suggestions, vec!["amd64"]);
    }

    #[test]
    fn normalize_fn() {
        assert_eq!(
            normalize(Field::Architecture, "aarch64"),
            (
                "arm64".to_string(),
                Some("\"aarch64\" is arm64".to_string())
            )
        );
        assert_eq!(
            normalize(Field::Architecture, "armhf"),
            ("arm".to_string(), Some("\"armhf\" is arm/v7".to_string()))
        );
        assert_eq!(
            normalize(Field::Architecture, "amd64"),
            ("amd64".to_string(), None)
        );
        assert_eq!(normalize(Field::Os, "macos").0, "darwin");
        assert_eq!(normalize(Field::Os, "linux"), ("linux".to_string(), None));
        assert_eq!(normalize(Field::Variant, "8").0, "v8");
        assert_eq!(normalize(Field::Variant, "armv7l").0, "v7");
        assert_eq!(normalize(Field::Variant, "V8.2").0, "v8.2");
        assert_eq!(
            normalize(Field::Variant, "rva22u64"),
            ("rva22u64".to_string(), None)
        );
        assert_eq!(
            normalize(Field::OsVersion, "10.0"),
            ("10.0".to_string(), None)
        );
        assert_eq!(
            normalize_arch("armel"),
            (
                "arm".into(),
                "v6".into(),
                Some("\"armel\" is arm/v6".into())
            )
        );
    }

    #[test]
    fn display_and_key() {
        assert_eq!(p("linux", "arm64", "v8").display(), "linux/arm64/v8");
        let mut w = p("windows", "amd64", "");
        w.os_version = "10.0.17763.1234".into();
        assert_eq!(w.display(), "windows/amd64 (10.0.17763.1234)");
        assert_eq!(w.to_string(), w.display());
        assert_eq!(Platform::default().display(), "?/?");

        assert_eq!(w.key(), "windows/amd64/v1@10.0.17763.1234");
        assert_eq!(p("linux", "arm64", "").key(), "linux/arm64/v8");
        assert_eq!(p("linux", "arm64", "v8.0").key(), "linux/arm64/v8");
        assert_eq!(p("linux", "arm64", "v9.0").key(), "linux/arm64/v9");
        assert_eq!(p("linux", "arm64", "v8.2").key(), "linux/arm64/v8.2");
        assert_eq!(p("linux", "arm", "").key(), "linux/arm/v7");
        assert_eq!(p("linux", "arm", "v6").key(), "linux/arm/v6");
        assert_eq!(p("linux", "s390x", "").key(), "linux/s390x");
        assert_eq!(p("linux", "aarch64", "").key(), "linux/arm64/v8");
        assert_eq!(p("linux", "armhf", "").key(), "linux/arm/v7");
        assert!(p("linux", "arm64", "").matches(&p("linux", "arm64", "v8")));
        assert!(p("linux", "amd64", "").matches(&p("linux", "amd64", "v1")));
        assert!(!p("linux", "arm", "v6").matches(&p("linux", "arm", "")));
        assert!(!p("linux", "amd64", "v2").matches(&p("linux", "amd64", "")));
        assert!(!w.matches(&p("windows", "amd64", "")));
        assert_eq!(p("unknown", "unknown", "").key(), "unknown/unknown");
    }

    #[test]
    fn completion_lists() {
        assert_eq!(
            completions(Field::Os, "", "", "w"),
            vec!["wasip1", "windows", "darwin"]
        );
        let all = completions(Field::Os, "", "", "");
        assert_eq!(all.len(), OS_ARCHES.len());
        assert_eq!(
            completions(Field::Architecture, "windows", "", ""),
            vec!["386", "amd64", "arm", "arm64"]
        );
        // Prefix matches first, then "contains" matches.
        assert_eq!(
            completions(Field::Architecture, "linux", "", "mips64"),
            vec!["mips64", "mips64le"]
        );
        assert_eq!(
            completions(Field::Architecture, "linux", "", "64"),
            vec!["amd64", "arm64", "loong64", "mips64", "mips64le", "ppc64", "ppc64le", "riscv64"]
        );
        assert_eq!(
            completions(Field::Architecture, "nope", "", "wa"),
            vec!["wasm"]
        );
        assert_eq!(
            completions(Field::Variant, "linux", "arm", ""),
            vec!["v5", "v6", "v7", "v8"]
        );
        assert_eq!(
            completions(Field::Variant, "linux", "armhf", "v7"),
            vec!["v7"]
        );
        assert_eq!(
            completions(Field::Variant, "linux", "ppc64le", "power"),
            vec!["power8", "power9", "power10"]
        );
        let v9 = completions(Field::Variant, "linux", "arm64", "v9");
        assert_eq!(v9.first().map(String::as_str), Some("v9"));
        assert_eq!(v9.len(), 7);
        assert!(completions(Field::Variant, "linux", "s390x", "").is_empty());
        assert!(completions(Field::OsVersion, "windows", "amd64", "10.0.1")
            .contains(&"10.0.17763".to_string()));
        assert_eq!(
            completions(Field::OsFeatures, "windows", "", ""),
            vec!["win32k"]
        );
        assert!(completions(Field::OsFeatures, "linux", "", "").is_empty());
        assert_eq!(completions(Field::Os, "", "", "LIN"), vec!["linux"]);
    }

    #[test]
    fn distance_and_ordering() {
        assert_eq!(edit_distance("amd46", "amd64"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(natural_cmp("power8", "power10"), std::cmp::Ordering::Less);
        assert_eq!(natural_cmp("v8.9", "v9"), std::cmp::Ordering::Less);
        assert_eq!(suggest("", ARCHES), Vec::<String>::new());
        assert!(suggest(&"x".repeat(10_000), ARCHES).is_empty());
    }

    #[test]
    fn serde_shape() {
        let mut pl = p("windows", "amd64", "");
        pl.os_version = "10.0.17763.1234".into();
        pl.os_features = vec!["win32k".into()];
        let json = serde_json::to_string(&pl).unwrap();
        assert_eq!(
            json,
            r#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1234","os.features":["win32k"]}"#
        );
        let back: Platform =
            serde_json::from_str(r#"{"architecture":"arm","os":"linux","variant":"v7"}"#).unwrap();
        assert_eq!(back, p("linux", "arm", "v7"));
    }

    #[test]
    fn odd_input_is_safe() {
        for s in [
            "é/é",
            "linux/é",
            "🐳/🐳/🐳",
            "\0/\0",
            "linux/arm/\u{7}",
            "//",
            "/",
        ] {
            let _ = Platform::parse(s).map_err(|e| e.to_string());
        }
        let pl = p("é", "ü", "ö");
        for i in pl.validate() {
            let _ = i.to_string();
        }
        let _ = pl.key();
        let _ = completions(Field::Variant, "é", "ü", "ö");
    }
}
