//! The terminal UI: shell, event loop, worker, panes.

use std::path::PathBuf;

/// How the TUI is started (filled in by the CLI when no subcommand is given).
#[derive(Clone, Debug, Default)]
pub struct TuiOptions {
    /// Open the browser at this registry (`host[:port]`).
    pub registry: Option<String>,
    /// Open straight at this reference (a repository, tag or list).
    pub reference: Option<String>,
    /// Registry client configuration.
    pub client: crate::registry::ClientOptions,
    /// `$DOCKER_CONFIG` override (config.json `auths`, the manifest store).
    pub docker_config: Option<PathBuf>,
    /// Key binding overrides (default `~/.config/manifest-tui/keys.conf`).
    pub keymap_file: Option<PathBuf>,
}

/// Run the TUI until the user quits.
pub fn run(opts: TuiOptions) -> color_eyre::Result<()> {
    let _ = opts;
    todo!()
}
