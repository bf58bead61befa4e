//! manifest-tui: the CLI and the terminal UI on top of [`manifest_core`].
//!
//! - [`cli`] and [`tui`]: the two front ends; [`text`]: the text helpers both use.
//!
//! The local registry and sample images of `demo` live in the unpublished `mt-testkit`
//! crate, with the tests' and the benchmark's other support; without the `demo` feature
//! none of it is built in.

pub use manifest_core::{
    attest, digest, files, image, media, ops, place, platform, reference, registry, sanitize,
    store, sync,
};

pub mod cli;
pub mod text;
pub mod tui;
