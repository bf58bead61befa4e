//! What to fix (or know) before pushing a list.

use crate::ops;
use crate::store::Draft;
use crate::tui::keymap::{Action, Context, Keymap};

/// Something to fix (or know) before pushing a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The entry it is about (index in store order), if one.
    pub(crate) entry: Option<usize>,
    pub(crate) text: String,
    /// True when the push would be refused; false for a notice (e.g. blobs will be copied).
    pub(crate) blocking: bool,
}

/// Everything to know before pushing `d` ([`ops::push_problems`]), with the editor's keys
/// (from `keys`) to fix them. A docker-made list whose name has several readings is a problem
/// here too: the editor must be told the target (renamed), where the CLI is given it on the
/// command line.
pub(crate) fn problems(d: &Draft, keys: &Keymap) -> Vec<Problem> {
    let key = |a: Action| keys.key(Context::Editor, a);
    let ambiguity = d.ambiguity_problem().map(|text| Problem {
        entry: None,
        text: format!("{text} (rename: {})", key(Action::Rename)),
        blocking: true,
    });
    let rest = ops::push_problems(d).into_iter().map(|p| {
        let hint = match p.issue {
            ops::PushIssue::NoEntries => format!(": press {} to add images", key(Action::AddEntry)),
            ops::PushIssue::EntryAnnotationsNeedOci => {
                format!(" (press {} for an OCI index)", key(Action::CycleFormat))
            }
            ops::PushIssue::ListAnnotationsNeedOci => {
                format!(" (press {})", key(Action::CycleFormat))
            }
            _ => String::new(),
        };
        Problem {
            entry: p.entry,
            blocking: p.blocking(),
            text: format!("{}{hint}", p.issue),
        }
    });
    ambiguity.into_iter().chain(rest).collect()
}
