//! The environment of every program a test starts (the CLI, the TUI in a pty, skopeo, docker,
//! curl, tmux…): nothing of the user's or the CI machine's. The child's environment is
//! cleared and gets back only [`INHERITED`] (no `HTTP_PROXY`/`https_proxy`/`ALL_PROXY`/
//! `NO_PROXY` in either case, no `DOCKER_*`, `REGISTRY_AUTH_FILE`, `SSL_CERT_*`, `RUST_LOG`,
//! `XDG_*`), then a private `HOME` and XDG directories ([`home_vars`]); `DOCKER_CONFIG` is
//! always given by the test.
//!
//! Std only: `pty.rs` (also built into the examples) includes this file by path.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::Path;

/// The only variables a child keeps from the test process: where programs are, the locale,
/// where temp files go, the registry binary the harness is told to use, and coverage output.
pub const INHERITED: &[&str] = &[
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "MANIFEST_TUI_REGISTRY_BIN",
    "LLVM_PROFILE_FILE",
];

/// The variables a test's environment must never carry into a child (documentation for
/// readers and the harness's own test: they are dropped with everything else not in
/// [`INHERITED`]).
pub const NEVER: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "DOCKER_CONFIG",
    "REGISTRY_AUTH_FILE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// `(name, value)` of each [`INHERITED`] variable the test process has.
pub fn inherited() -> Vec<(&'static str, OsString)> {
    INHERITED
        .iter()
        .filter_map(|k| std::env::var_os(k).map(|v| (*k, v)))
        .collect()
}

/// A private home: `HOME` = `home`, the XDG config, cache, state and data directories and the
/// runtime directory below it (`config`, `cache`, `state`, `data`, `run`), tmux's socket
/// directory in `run`. Nothing is created here (see `cli::Sandbox` for a home that exists).
pub fn home_vars(home: &Path) -> Vec<(&'static str, OsString)> {
    vec![
        ("HOME", home.into()),
        ("XDG_CONFIG_HOME", home.join("config").into()),
        ("XDG_CACHE_HOME", home.join("cache").into()),
        ("XDG_STATE_HOME", home.join("state").into()),
        ("XDG_DATA_HOME", home.join("data").into()),
        ("XDG_RUNTIME_DIR", home.join("run").into()),
        ("TMUX_TMPDIR", home.join("run").into()),
    ]
}
