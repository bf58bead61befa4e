//! manifest-tui: the CLI and the terminal UI on top of [`manifest_core`].
//!
//! - [`cli`] and [`tui`]: the two front ends.
//! - [`localreg`] and [`samples`]: start a local Distribution registry and seed sample
//!   images (the `demo` command; the tests and the benchmark use them too).

pub use manifest_core::{
    attest, digest, image, media, ops, platform, reference, registry, sanitize, store,
};

pub mod cli;
pub mod localreg;
pub mod samples;
pub mod tui;
