//! What to fix (or know) before pushing a list.

use crate::ops;
use crate::platform::Platform;
use crate::store::Draft;

/// Something to fix (or know) before pushing a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The entry it is about (index in store order), if one.
    pub entry: Option<usize>,
    pub text: String,
    /// True when the push would be refused; false for a notice (e.g. blobs will be copied).
    pub blocking: bool,
}

/// Everything to know before pushing `d`: missing or invalid platforms, duplicates,
/// annotations on a Docker list, entries that live in another registry.
pub fn problems(d: &Draft) -> Vec<Problem> {
    let mut out = Vec::new();
    let kind = d.kind();
    if let Some(text) = d.ambiguity_problem() {
        out.push(Problem {
            entry: None,
            text,
            blocking: true,
        });
    }
    if d.entries.is_empty() {
        out.push(Problem {
            entry: None,
            text: "no entries yet: press a to add images".to_string(),
            blocking: true,
        });
    }
    for (i, e) in d.entries.iter().enumerate() {
        let p = e.platform();
        for issue in p.validate() {
            out.push(Problem {
                entry: Some(i),
                text: issue.to_string(),
                blocking: true,
            });
        }
        if !kind.is_oci() && !e.descriptor.annotations.is_empty() {
            out.push(Problem {
                entry: Some(i),
                text: "has annotations, but a Docker manifest list cannot carry them (press f \
                       for an OCI index)"
                    .to_string(),
                blocking: true,
            });
        }
        if e.kind().is_list() {
            out.push(Problem {
                entry: Some(i),
                text: "is itself a list; lists cannot be nested".to_string(),
                blocking: true,
            });
        }
        if e.reference.domain != d.list.domain {
            out.push(Problem {
                entry: Some(i),
                text: format!(
                    "lives on {}: its blobs will be copied to {}",
                    e.reference.domain, d.list.domain
                ),
                blocking: false,
            });
        }
    }
    if !kind.is_oci() && !d.meta.annotations.is_empty() {
        out.push(Problem {
            entry: None,
            text: "list annotations need an OCI index (press f)".to_string(),
            blocking: true,
        });
    }
    let plats: Vec<(Platform, String)> = d
        .entries
        .iter()
        .map(|e| (e.platform(), e.reference.to_string()))
        .collect();
    for (plat, a, b) in ops::duplicate_platforms(plats.iter().map(|(p, r)| (p, r.clone()))) {
        let idx = d.entries.iter().position(|e| e.reference.to_string() == b);
        out.push(Problem {
            entry: idx,
            text: format!("duplicate platform {plat}: {a} and {b}"),
            blocking: true,
        });
    }
    out
}
