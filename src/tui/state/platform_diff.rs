//! One platform's diff, opened from a row of the comparison: the row (with its layers, config
//! changes and totals) and how far the view is scrolled.

use crate::ops::{Comparison, DiffRow};
use crate::tui::keymap::Action;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformDiffState {
    pub(crate) a_label: String,
    pub(crate) b_label: String,
    pub(crate) row: DiffRow,
    /// The first line shown.
    pub(crate) scroll: usize,
}

impl PlatformDiffState {
    pub(crate) fn new(c: &Comparison, row: &DiffRow) -> Self {
        PlatformDiffState {
            a_label: c.a_label.clone(),
            b_label: c.b_label.clone(),
            row: row.clone(),
            scroll: 0,
        }
    }

    /// After a new comparison arrived: the same platform's row, or `None` when it is gone.
    pub(crate) fn refreshed(&self, c: &Comparison) -> Option<Self> {
        let key = self.row.platform.key();
        let row = c.rows.iter().find(|r| r.platform.key() == key)?;
        Some(PlatformDiffState {
            scroll: self.scroll,
            ..PlatformDiffState::new(c, row)
        })
    }

    /// Scroll keys; `false` for any other action.
    pub(crate) fn scroll(&mut self, action: Action) -> bool {
        match super::list::scroll_text(self.scroll, action) {
            Some(first) => {
                self.scroll = first;
                true
            }
            None => false,
        }
    }
}
