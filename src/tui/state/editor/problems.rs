//! What to fix (or know) before pushing a list.

use crate::ops;
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

/// Everything to know before pushing `d` ([`ops::push_problems`]), with the editor's keys
/// to fix them. A docker-made list whose name has several readings is a problem here too: the
/// editor must be told the target (`r`), where the CLI is given it on the command line.
pub fn problems(d: &Draft) -> Vec<Problem> {
    let ambiguity = d.ambiguity_problem().map(|text| Problem {
        entry: None,
        text,
        blocking: true,
    });
    let rest = ops::push_problems(d).into_iter().map(|p| {
        let hint = match p.issue {
            ops::PushIssue::NoEntries => ": press a to add images",
            ops::PushIssue::EntryAnnotationsNeedOci => " (press f for an OCI index)",
            ops::PushIssue::ListAnnotationsNeedOci => " (press f)",
            _ => "",
        };
        Problem {
            entry: p.entry,
            blocking: p.blocking(),
            text: format!("{}{hint}", p.issue),
        }
    });
    ambiguity.into_iter().chain(rest).collect()
}
