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
    pub(crate) fn busy(&self) -> bool {
        matches!(self, Load::Loading | Load::Partial)
    }
}

/// A value asked of the worker and where its request stands, held together so they cannot
/// disagree: asking forgets the old value, an answer sets both, a cancelled request is idle
/// again (asked again when next needed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote<T> {
    value: Option<T>,
    load: Load,
}

impl<T> Default for Remote<T> {
    fn default() -> Self {
        Remote {
            value: None,
            load: Load::Idle,
        }
    }
}

impl<T> Remote<T> {
    /// Asked, nothing here yet.
    pub(crate) fn asked() -> Self {
        Remote {
            value: None,
            load: Load::Loading,
        }
    }

    /// Arrived.
    pub(crate) fn arrived(value: T) -> Self {
        Remote {
            value: Some(value),
            load: Load::Done,
        }
    }

    /// Failed: the message says what failed and what to try.
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Remote {
            value: None,
            load: Load::Failed(message.into()),
        }
    }

    pub(crate) fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }

    pub(crate) fn value_mut(&mut self) -> Option<&mut T> {
        self.value.as_mut()
    }

    pub(crate) fn load(&self) -> &Load {
        &self.load
    }

    pub(crate) fn busy(&self) -> bool {
        self.load.busy()
    }

    pub(crate) fn is_done(&self) -> bool {
        self.load == Load::Done
    }

    pub(crate) fn is_idle(&self) -> bool {
        self.load == Load::Idle
    }

    /// The request was cancelled before its answer: idle, so it is asked again when needed.
    pub(crate) fn cancelled(&mut self) {
        if self.busy() {
            self.load = Load::Idle;
        }
    }
}
