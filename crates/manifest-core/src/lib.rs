//! manifest-core: the model, registry client, store and operations behind manifest-tui.
//! It has no UI dependency: the CLI and the TUI (the `manifest-tui` package) sit on top.
//!
//! Layers, bottom to top (each only uses the ones below it):
//! - [`digest`], [`reference`], [`platform`], [`media`], [`image`], [`attest`],
//!   [`sanitize`]: the data model, no I/O.
//! - [`registry`]: the Distribution protocol client (auth, TLS, retries, pooling).
//! - [`store`]: docker's local manifest-list store (`$DOCKER_CONFIG/manifests`).
//! - [`files`]: the XDG directories and the one atomic file write every writer uses.
//! - [`ops`]: inspect / create / annotate / push / remove / diff / details, shared by the CLI
//!   and the TUI; they report progress through a callback, never by printing.

pub mod attest;
pub mod digest;
pub mod files;
pub mod image;
pub mod layout;
pub mod media;
pub mod ops;
pub mod place;
pub mod platform;
pub mod reference;
pub mod registry;
pub mod sanitize;
pub mod store;
pub mod sync;

/// docker's configuration directory (config.json, the manifest store): `explicit`, else
/// `$DOCKER_CONFIG`, else `~/.docker` (`./.docker` without a home, as docker does).
pub fn docker_config_dir(explicit: Option<&std::path::Path>) -> std::path::PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return std::path::PathBuf::from(d);
    }
    std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("."))
        .join(".docker")
}
