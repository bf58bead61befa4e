//! Where a manifest lives besides a registry: an OCI image layout, as a directory
//! (`oci:PATH[:REF]`) or a tar file of one (`oci-archive:FILE[:REF]`). skopeo's spellings, so
//! users' commands carry over. Pure: naming only; [`crate::layout`] reads and writes them.
//!
//! A layout is carried in a [`Reference`] whose `domain` is the place as typed (`oci:./dir`)
//! and whose `path` is empty: every operation that takes a reference takes a layout, and the
//! registry client serves it from the files instead of over HTTP. Such a domain can never be
//! a registry's (a host has no `:` before a `/`, and none of these prefixes).

use crate::digest::Digest;
use crate::reference::{Reference, ReferenceError, ReferenceErrorKind};
use std::path::PathBuf;

/// An OCI image layout directory.
pub const OCI_PREFIX: &str = "oci:";
/// A tar file holding an OCI image layout.
pub const ARCHIVE_PREFIX: &str = "oci-archive:";
/// The annotation naming a manifest in a layout's `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// A layout, as a [`Reference`]'s domain names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The directory, or the tar file with `archive`.
    pub path: PathBuf,
    pub archive: bool,
}

impl Location {
    /// The layout `domain` names, when it names one.
    pub fn of(domain: &str) -> Option<Location> {
        if let Some(p) = domain.strip_prefix(ARCHIVE_PREFIX) {
            return Some(Location {
                path: PathBuf::from(p),
                archive: true,
            });
        }
        domain.strip_prefix(OCI_PREFIX).map(|p| Location {
            path: PathBuf::from(p),
            archive: false,
        })
    }
}

/// True when `s` is written as a layout (`oci:…`, `oci-archive:…`).
pub fn is_layout(s: &str) -> bool {
    s.starts_with(OCI_PREFIX) || s.starts_with(ARCHIVE_PREFIX)
}

/// Parse `oci:PATH[:REF]` or `oci-archive:FILE[:REF]` as skopeo does: the path ends at the
/// first `:` after the prefix; REF is a digest (`sha256:…`, also written `@sha256:…`) or a
/// ref name as the OCI image spec defines it (`org.opencontainers.image.ref.name`:
/// components of letters and digits joined by `-._:@+` or `--`, separated by `/`).
/// `None` when `s` is not written as a layout.
pub fn parse(s: &str) -> Option<Result<Reference, ReferenceError>> {
    let prefix = [ARCHIVE_PREFIX, OCI_PREFIX]
        .into_iter()
        .find(|p| s.starts_with(p))?;
    let rest = &s[prefix.len()..];
    let err = |why: String| ReferenceError {
        input: s.to_string(),
        kind: ReferenceErrorKind::Layout(why),
    };
    // The path ends at the first `:`, unless that colon is a digest's, `PATH@sha256:…`
    // (how a layout reference by digest is printed, so it parses back).
    let colon = rest.find(':');
    let at_digest = ["@sha256:", "@sha512:"]
        .iter()
        .filter_map(|m| rest.find(m))
        .find(|&i| colon == Some(i + 7));
    let (path, name) = match (at_digest, colon) {
        (Some(i), _) => (&rest[..i], Some(&rest[i..])),
        (None, Some(c)) => (&rest[..c], Some(&rest[c + 1..])),
        (None, None) => (rest, None),
    };
    if path.is_empty() {
        let what = if prefix == OCI_PREFIX {
            "a directory: oci:PATH[:REF]"
        } else {
            "a tar file: oci-archive:FILE[:REF]"
        };
        return Some(Err(err(format!("{prefix} needs {what}"))));
    }
    let mut r = Reference {
        domain: format!("{prefix}{path}"),
        path: String::new(),
        tag: None,
        digest: None,
    };
    match name {
        None => {}
        Some("") => return Some(Err(err(format!("nothing after the second `:`; name a ref (e.g. {prefix}{path}:latest) or leave the `:` out")))),
        Some(n) => {
            let n = n.strip_prefix('@').unwrap_or(n);
            if n.starts_with("sha256:") || n.starts_with("sha512:") {
                match Digest::parse(n) {
                    Ok(d) => r.digest = Some(d),
                    Err(e) => return Some(Err(err(e.to_string()))),
                }
            } else if is_ref_name(n) {
                r.tag = Some(n.to_string());
            } else {
                return Some(Err(err(format!(
                    "{n:?} is not a ref name (letters and digits, joined by - . _ : @ + or --, in parts separated by /)"
                ))));
            }
        }
    }
    Some(Ok(r))
}

/// The image spec's grammar for `org.opencontainers.image.ref.name`:
/// `component ("/" component)*`, `component := alphanum (separator alphanum)*`,
/// `separator := [-._:@+] | "--"`.
pub fn is_ref_name(s: &str) -> bool {
    !s.is_empty() && s.split('/').all(is_ref_component)
}

fn is_ref_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_alphanumeric();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator: one of -._:@+ or "--", then letters or digits again.
        let sep = if b[i] == b'-' && b.get(i + 1) == Some(&b'-') {
            2
        } else if b"-._:@+".contains(&b[i]) {
            1
        } else {
            return false;
        };
        i += sep;
        if !b.get(i).copied().is_some_and(alnum) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_parse_as_skopeo_splits_them() {
        let r = parse("oci:./out/dir:v1.2-rc").unwrap().unwrap();
        assert_eq!(r.domain, "oci:./out/dir");
        assert_eq!(r.tag.as_deref(), Some("v1.2-rc"));
        assert_eq!(r.to_string(), "oci:./out/dir:v1.2-rc");
        // Everything after the path's colon is the ref name, colons and slashes included.
        let r = parse("oci:/tmp/l:example.com/app:1.0").unwrap().unwrap();
        assert_eq!(r.tag.as_deref(), Some("example.com/app:1.0"));
        let d = format!("sha256:{}", "a".repeat(64));
        for s in [
            format!("oci:l:{d}"),
            format!("oci:l:@{d}"),
            format!("oci:l@{d}"),
        ] {
            let r = parse(&s).unwrap().unwrap();
            assert_eq!(r.digest.as_ref().map(Digest::as_str), Some(d.as_str()));
            assert_eq!(r.domain, "oci:l");
            // As printed, it parses back to itself.
            assert_eq!(r.to_string(), format!("oci:l@{d}"));
            assert_eq!(parse(&r.to_string()).unwrap().unwrap(), r);
        }
        // A ref name may hold `@sha256:` after the path's colon: it stays a name.
        let named = format!("x@{d}");
        let r = parse(&format!("oci:l:{named}")).unwrap().unwrap();
        assert_eq!(
            (r.domain.as_str(), r.tag.as_deref()),
            ("oci:l", Some(named.as_str()))
        );
        let r = parse("oci-archive:x.tar").unwrap().unwrap();
        assert_eq!(
            Location::of(&r.domain),
            Some(Location {
                path: "x.tar".into(),
                archive: true
            })
        );
        assert!(r.tag.is_none() && r.digest.is_none());
        assert!(parse("docker.io/library/oci:1").is_none());
        assert!(parse("ocifoo:1").is_none());
    }

    #[test]
    fn bad_layout_references_say_what_is_wrong() {
        for (s, says) in [
            ("oci:", "needs a directory"),
            ("oci-archive::v1", "needs a tar file"),
            ("oci:d:", "nothing after"),
            ("oci:d:-v1", "not a ref name"),
            ("oci:d:a b", "not a ref name"),
            ("oci:d:sha256:abc", "64 lower-case hex"),
        ] {
            let e = parse(s).unwrap().unwrap_err().to_string();
            assert!(e.contains(says), "{s}: {e}");
        }
    }

    #[test]
    fn ref_names_follow_the_image_spec() {
        for ok in [
            "latest",
            "v1.0",
            "a--b",
            "1.0+build",
            "example.com/app:1.0",
            "A_b",
        ] {
            assert!(is_ref_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a/", "/a", "a---b", "a..b", "a b", "a/../b"] {
            assert!(!is_ref_name(bad), "{bad}");
        }
    }
}
