//! manifest-tui: build, annotate, push and compare multi-arch manifest lists.
//!
//! Layers, bottom to top (each only uses the ones below it):
//! - [`digest`], [`reference`], [`platform`], [`media`]: the data model, no I/O.
//! - [`registry`]: the Distribution protocol client (auth, TLS, retries, pooling).
//! - [`store`]: docker's local manifest-list store (`$DOCKER_CONFIG/manifests`).
//! - [`ops`]: inspect / create / annotate / push / remove / diff, shared by CLI and TUI;
//!   they report progress through a callback, never by printing.
//! - [`cli`] and [`tui`]: the two front ends.
//! - [`localreg`] and [`samples`]: start a local Distribution registry and seed sample
//!   images (used by the demo, the benchmark and the tests).

pub mod bench;
pub mod cli;
pub mod digest;
pub mod localreg;
pub mod media;
pub mod ops;
pub mod platform;
pub mod reference;
pub mod registry;
pub mod samples;
pub mod sanitize;
pub mod store;
pub mod tui;
