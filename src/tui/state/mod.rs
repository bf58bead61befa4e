//! Pane state and its transitions: pure data, no drawing, no I/O (requests go through
//! [`crate::tui::pane::Ctx`]).

pub mod browser;
pub mod compare;
pub mod editor;
pub mod image;
pub mod list;
pub mod platform_diff;
pub mod push;
pub mod referrers;

/// Where a request-backed piece of state stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Load {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Asked, nothing arrived yet.
    Loading,
    /// Some pages arrived, more are coming.
    Partial,
    Done,
    /// The message says what failed and what to try.
    Failed(String),
}

impl Load {
    pub fn busy(&self) -> bool {
        matches!(self, Load::Loading | Load::Partial)
    }
}
