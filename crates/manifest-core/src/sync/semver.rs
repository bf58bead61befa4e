//! `images-by-semver`: Masterminds semver v3's constraints (what skopeo sync uses), on top of
//! the `semver` crate's versions. No maintained Rust crate reads Masterminds' syntax (`||`,
//! space- or comma-separated comparators, `~`, `~>`, `^`, `x`/`X`/`*` wildcards, hyphen
//! ranges, a leading `v`, versions missing their minor or patch): the `semver` crate's
//! `VersionReq` is Cargo's (a bare `1.2` means `^1.2`, no `||`, no hyphen ranges). So the
//! grammar and every comparator's rule here are Masterminds' own (constraints.go, v3.5), its
//! regular expressions carried over unchanged (Go's RE2 and the `regex` crate agree on them),
//! and the ordering is the `semver` crate's precedence (SemVer 2.0's, build metadata ignored).

use regex::Regex;
use semver::{BuildMetadata, Prerelease, Version};
use std::cmp::Ordering;
use std::sync::OnceLock;

/// Masterminds' `semVerRegex`: a version as `NewVersion` reads it (a `v` prefix, missing
/// minor and patch allowed; no leading zeros).
const VERSION: &str = r"^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$";
/// Masterminds' `cvRegex`: a version in a constraint, wildcards allowed.
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

struct Patterns {
    version: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: String| Regex::new(&s).expect("Masterminds' patterns compile");
        Patterns {
            version: re(VERSION.to_string()),
            constraint: re(format!(r"^\s*({OPS})\s*({CV})\s*$")),
            range: re(format!(r"\s*({CV})\s+-\s+({CV})\s*")),
            find: re(format!(r"({OPS})\s*({CV})")),
            valid: re(format!(
                r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
            )),
        }
    })
}

/// A tag read as a version the way Masterminds' `NewVersion` reads it (`v1.2` is 1.2.0);
/// `None` for a tag that is not one (it is then never selected).
pub fn parse_version(tag: &str) -> Option<Version> {
    let m = patterns().version.captures(tag)?;
    let num = |i: usize| -> Option<u64> {
        match m.get(i) {
            Some(x) => x.as_str().parse().ok(),
            None => Some(0),
        }
    };
    Some(Version {
        major: num(1)?,
        minor: num(2)?,
        patch: num(3)?,
        pre: match m.get(4) {
            Some(p) => Prerelease::new(p.as_str()).ok()?,
            None => Prerelease::EMPTY,
        },
        build: match m.get(5) {
            Some(b) => BuildMetadata::new(b.as_str()).ok()?,
            None => BuildMetadata::EMPTY,
        },
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Clone, Debug)]
struct Comparator {
    op: Op,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// A parsed `images-by-semver` constraint.
#[derive(Clone, Debug)]
pub struct Constraint {
    text: String,
    /// Alternatives (`||`), each a conjunction, with whether it names a prerelease.
    ors: Vec<(Vec<Comparator>, bool)>,
}

impl PartialEq for Constraint {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// Masterminds' `rewriteRange`: `1.2 - 1.4.5` becomes `>= 1.2, <= 1.4.5`.
fn rewrite_range(s: &str) -> String {
    let mut out = s.to_string();
    for m in patterns().range.captures_iter(s) {
        let (all, a, b) = (&m[0], &m[1], &m[11]);
        out = out.replacen(all, &format!(">= {a}, <= {b} "), 1);
    }
    out
}

fn parse_comparator(s: &str) -> Result<Comparator, String> {
    let m = patterns()
        .constraint
        .captures(s)
        .ok_or_else(|| format!("improper constraint: {s:?}"))?;
    let op = match &m[1] {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
    let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let ver = if is_x(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
        minor_dirty = true;
        dirty = true;
        format!("{major}.0.0{pre}")
    } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
        patch_dirty = true;
        dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        g(2).to_string()
    };
    let con = parse_version(&ver).ok_or_else(|| format!("improper constraint: {s:?}"))?;
    Ok(Comparator {
        op,
        con,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

impl Constraint {
    /// Masterminds' `NewConstraint`.
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let rewritten = rewrite_range(text);
        let mut ors = Vec::new();
        for alt in rewritten.split("||") {
            if !patterns().valid.is_match(alt) {
                return Err(format!("improper constraint: {alt:?}"));
            }
            let found: Vec<&str> = patterns().find.find_iter(alt).map(|m| m.as_str()).collect();
            let parts = if found.is_empty() { vec![alt] } else { found };
            let cs = parts
                .into_iter()
                .map(parse_comparator)
                .collect::<Result<Vec<_>, _>>()?;
            let has_pre = cs.iter().any(|c| !c.con.pre.is_empty());
            ors.push((cs, has_pre));
        }
        Ok(Constraint {
            text: text.to_string(),
            ors,
        })
    }

    /// As written in the file.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Masterminds' `Check`: one alternative whose every comparator holds. A prerelease
    /// version is only considered by an alternative that names a prerelease itself.
    pub fn matches(&self, v: &Version) -> bool {
        self.ors
            .iter()
            .any(|(cs, pre)| cs.iter().all(|c| c.check(v, *pre)))
    }

    /// Does `tag`, read as a version, satisfy the constraint?
    pub fn matches_tag(&self, tag: &str) -> bool {
        parse_version(tag).is_some_and(|v| self.matches(&v))
    }
}

fn cmp(a: &Version, b: &Version) -> Ordering {
    a.cmp_precedence(b)
}

impl Comparator {
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        return (!v.pre.is_empty() || !c.pre.is_empty()) && v.pre != c.pre;
                    }
                }
                cmp(v, c) != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return cmp(v, c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                cmp(v, c) == Ordering::Greater
            }
            Op::Less => cmp(v, c) == Ordering::Less,
            Op::GreaterEqual => cmp(v, c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return cmp(v, c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Op::Tilde => self.tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    cmp(v, c) == Ordering::Equal
                }
            }
            Op::Caret => self.caret(v),
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if cmp(v, c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if cmp(v, c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: &str, v: &str) -> bool {
        Constraint::parse(c).unwrap().matches_tag(v)
    }

    #[test]
    fn versions_are_read_as_masterminds_reads_tags() {
        assert_eq!(parse_version("v1.2").unwrap(), Version::new(1, 2, 0));
        assert_eq!(parse_version("3").unwrap(), Version::new(3, 0, 0));
        assert!(parse_version("1.2.3-rc.1+build.5").is_some());
        for bad in ["latest", "01.2.3", "1.2.3.4", "1.2.3-", "sha256-abc", ""] {
            assert!(parse_version(bad).is_none(), "{bad}");
        }
    }

    /// Every case of Masterminds' own TestConstraintsCheck (constraints_test.go, v3.5).
    #[test]
    fn constraints_check_as_masterminds_does() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "1.2.3", true),
            ("~0.0.0", "1.2.3", true),
            ("0.x.x", "1.2.3", false),
            ("0.0.x", "1.2.3", false),
            ("0.0.0", "1.2.3", false),
            ("*", "1.2.3", true),
            ("^0.0.0", "1.2.3", false),
            ("= 2.0", "1.2.3", false),
            ("= 2.0", "2.0.0", true),
            ("4.1", "4.1.0", true),
            ("4.1.x", "4.1.3", true),
            ("1.x", "1.4", true),
            ("!=4.1", "4.1.0", false),
            ("!=4.1-alpha", "4.1.0-alpha", false),
            ("!=4.1-alpha", "4.1.1-alpha", false),
            ("!=4.1-alpha", "4.1.0", true),
            ("!=4.1", "5.1.0", true),
            ("!=4.x", "5.1.0", true),
            ("!=4.x", "4.1.0", false),
            ("!=4.1.x", "4.2.0", true),
            ("!=4.2.x", "4.2.3", false),
            (">1.1", "4.1.0", true),
            (">1.1", "1.1.0", false),
            ("<1.1", "0.1.0", true),
            ("<1.1", "1.1.0", false),
            ("<1.1", "1.1.1", false),
            ("<1.x", "1.1.1", false),
            ("<1.x", "0.1.1", true),
            ("<1.x", "2.0.0", false),
            ("<1.1.x", "1.2.1", false),
            ("<1.1.x", "1.1.500", false),
            ("<1.1.x", "1.0.500", true),
            ("<1.2.x", "1.1.1", true),
            (">=1.1", "4.1.0", true),
            (">=1.1", "4.1.0-beta", false),
            (">=1.1", "1.1.0", true),
            (">=1.1", "0.0.9", false),
            ("<=1.1", "0.1.0", true),
            ("<=1.1", "0.1.0-alpha", false),
            ("<=1.1-a", "0.1.0-alpha", true),
            ("<=1.1", "1.1.0", true),
            ("<=1.x", "1.1.0", true),
            ("<=2.x", "3.0.0", false),
            ("<=1.1", "1.1.1", true),
            ("<=1.1.x", "1.2.500", false),
            ("<=4.5", "3.4.0", true),
            ("<=4.5", "3.7.0", true),
            ("<=4.5", "4.6.3", false),
            (">1.1, <2", "1.1.1", false),
            (">1.1, <2", "1.2.1", true),
            (">1.1, <3", "4.3.2", false),
            (">=1.1, <2, !=1.2.3", "1.2.3", false),
            (">1.1 <2", "1.1.1", false),
            (">1.1 <2", "1.2.1", true),
            (">1.1    <3", "4.3.2", false),
            (">=1.1    <2    !=1.2.3", "1.2.3", false),
            (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
            (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
            (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
            (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
            (">=1.1 <2 !=1.2.3", "1.2.3", false),
            (">=1.1 <2 !=1.2.3 || > 3", "4.1.2", true),
            (">=1.1 <2 !=1.2.3 || > 3", "3.1.2", false),
            (">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", true),
            (">=1.1 <2 !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1 <2 !=1.2.3 || > 3", "1.2.3", false),
            ("> 1.1, <     2", "1.1.1", false),
            (">   1.1, <2", "1.2.1", true),
            (">1.1, <  3", "4.3.2", false),
            (">= 1.1, <     2, !=1.2.3", "1.2.3", false),
            ("> 1.1 < 2", "1.1.1", false),
            (">1.1 < 2", "1.2.1", true),
            ("> 1.1    <3", "4.3.2", false),
            (">=1.1    < 2    != 1.2.3", "1.2.3", false),
            (">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
            (">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", false),
            (">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", true),
            (">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
            (">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
            (">= 1.1 <2 != 1.2.3", "1.2.3", false),
            (">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", true),
            (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", false),
            (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", true),
            (">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", false),
            (">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", true),
            (">= 1.0.0  <= 2.0.0-beta", "1.0.1", true),
            (">= 1.0.0  <= 2.0.0-beta", "3.0.0", false),
            (">= 1.0.0  <= 2.0.0-beta || > 3", "1.0.1-beta", true),
            (">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", false),
            (
                ">= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3",
                "1.0.1-beta",
                true,
            ),
            (
                ">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3",
                "1.0.1-beta",
                false,
            ),
            (">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", true),
            ("1.1 - 2", "1.1.1", true),
            ("1.5.0 - 4.5", "3.7.0", true),
            ("1.1-3", "4.3.2", false),
            ("^1.1", "1.1.1", true),
            ("^1.1", "4.3.2", false),
            ("^1.x", "1.1.1", true),
            ("^2.x", "1.1.1", false),
            ("^1.x", "2.1.1", false),
            ("^1.x", "1.1.1-beta1", false),
            ("^1.1.2-alpha", "1.2.1-beta1", true),
            ("^1.2.x-alpha", "1.1.1-beta1", false),
            ("^0.0.1", "0.0.1", true),
            ("^0.0.1", "0.3.1", false),
            ("~*", "2.1.1", true),
            ("~1", "2.1.1", false),
            ("~1", "1.3.5", true),
            ("~1", "1.4", true),
            ("~1.x", "2.1.1", false),
            ("~1.x", "1.3.5", true),
            ("~1.x", "1.4", true),
            ("~1.1", "1.1.1", true),
            ("~1.1", "1.1.1-alpha", false),
            ("~1.1-alpha", "1.1.1-beta", true),
            ("~1.1.1-beta", "1.1.1-alpha", false),
            ("~1.1.1-beta", "1.1.1", true),
            ("~1.2.3", "1.2.5", true),
            ("~1.2.3", "1.2.2", false),
            ("~1.2.3", "1.3.2", false),
            ("~1.1", "1.2.3", false),
            ("~1.3", "2.4.5", false),
            ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true),
            ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(check(c, v), *want, "{c} against {v}");
        }
    }

    #[test]
    fn a_bad_constraint_is_refused() {
        for bad in ["latest", ">>1", "1.2 ||", ">=1.0 <"] {
            assert!(Constraint::parse(bad).is_err(), "{bad}");
        }
    }
}
