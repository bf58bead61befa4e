//! Running the manifest-tui binary from a test: its exit code and what it printed.

use std::path::Path;
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_manifest-tui");

/// What one run printed.
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

/// Run manifest-tui with `DOCKER_CONFIG=config`, no colour, and stdin closed (not a terminal).
pub fn mt(config: &Path, args: &[&str]) -> Run {
    let o = Command::new(BIN)
        .args(args)
        .env("DOCKER_CONFIG", config)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The run, after checking it exited 0 (else both streams are shown).
#[track_caller]
pub fn ok(r: Run, what: &str) -> Run {
    assert_eq!(
        r.code, 0,
        "{what} failed:\nstdout: {}\nstderr: {}",
        r.out, r.err
    );
    r
}
