//! manifest-tui: the CLI and the terminal UI on top of [`manifest_core`].
//!
//! - [`cli`] and [`tui`]: the two front ends; [`text`]: the text helpers both use.
//! - [`localreg`] and [`samples`]: start a local Distribution registry and seed sample
//!   images (the `demo` command; the tests and the benchmark use them too).

pub use manifest_core::{
    attest, digest, files, image, media, ops, platform, reference, registry, sanitize, store,
};

pub mod cli;
pub mod localreg;
pub mod samples;
pub mod text;
pub mod tui;
