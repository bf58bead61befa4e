//! A panic anywhere in the TUI (here: in the worker task) hands the terminal back: the
//! alternate screen is left, the cursor shown, the report printed, the exit code non-zero.

mod common;

use common::pty::{isolated_env, Tui};
use std::path::Path;
use std::time::Duration;

#[test]
fn a_worker_panic_restores_the_terminal_and_reports() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut env = isolated_env(home.path(), &home.path().join("docker"));
    env.push(("MANIFEST_TUI_TEST_PANIC", "worker".into()));
    env.push(("RUST_BACKTRACE", "0".into()));
    env.push(("RUST_LIB_BACKTRACE", "0".into()));
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &[],
        env,
        30,
        120,
    );
    tui.wait_for("the first frame", |s| s.contains("1 Browser"));
    assert!(tui.alternate_screen(), "the TUI holds the alternate screen");
    let code = tui.wait_exit_code(Duration::from_secs(15));
    assert!(matches!(code, Some(c) if c != 0), "exit code {code:?}");
    // The reader thread may still be draining the last bytes.
    let screen = tui.wait_for("the panic report", |s| {
        s.contains("test panic in the worker")
    });
    assert!(
        !tui.alternate_screen(),
        "the alternate screen was left:\n{screen}"
    );
    assert!(!tui.cursor_hidden(), "the cursor is shown again");
}

fn spawn_plain(home: &Path) -> Tui {
    Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &[],
        isolated_env(home, &home.join("docker")),
        30,
        120,
    )
}

#[test]
fn ctrl_c_and_sigterm_restore_the_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut tui = spawn_plain(home.path());
    tui.wait_for("the first frame", |s| s.contains("1 Browser"));
    tui.keys("\x03");
    assert_eq!(tui.wait_exit_code(Duration::from_secs(10)), Some(0));
    std::thread::sleep(Duration::from_millis(200));
    assert!(!tui.alternate_screen() && !tui.cursor_hidden(), "Ctrl-C");

    let mut tui = spawn_plain(home.path());
    tui.wait_for("the first frame", |s| s.contains("1 Browser"));
    let pid = tui.child.process_id().expect("pid");
    // SAFETY: sending SIGTERM to our own child process.
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    assert!(
        tui.wait_exit_code(Duration::from_secs(10)).is_some(),
        "SIGTERM ends it"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(!tui.alternate_screen() && !tui.cursor_hidden(), "SIGTERM");
}

/// Ctrl-Z under a job-control shell: the terminal is handed back (alternate screen left,
/// cursor shown), the process is stopped, and `fg` brings the TUI back, redrawn and working.
/// The shell matters: a process without one (an orphaned process group) never stops, as the
/// kernel drops SIGTSTP for it.
#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_resumes() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut env = isolated_env(home.path(), &home.path().join("docker"));
    env.push(("PS1", "shell$ ".into()));
    let mut sh = Tui::spawn(
        Path::new("/bin/bash"),
        &["--norc", "--noprofile", "-i"],
        env,
        30,
        120,
    );
    sh.wait_for("the shell prompt", |s| s.contains("shell$"));
    sh.keys(&format!("{}\r", env!("CARGO_BIN_EXE_manifest-tui")));
    sh.wait_for("the first frame", |s| s.contains("1 Browser"));
    assert!(sh.alternate_screen(), "the TUI holds the alternate screen");

    sh.keys("\x1a");
    let screen = sh.wait_for("the shell's job report", |s| s.contains("Stopped"));
    assert!(!sh.alternate_screen(), "suspended: main screen\n{screen}");
    assert!(!sh.cursor_hidden(), "suspended: cursor shown");

    sh.keys("fg\r");
    sh.wait_for("the TUI again", |s| s.contains("1 Browser"));
    assert!(sh.alternate_screen(), "resumed: alternate screen again");
    // It still answers keys: the help overlay opens.
    sh.keys("?");
    sh.wait_for("the help overlay after resuming", |s| {
        s.contains("show all keys")
    });
    sh.keys("\x1bq");
    sh.wait_for("the shell prompt after quitting", |s| {
        s.matches("shell$").count() >= 2
    });
    assert!(
        !sh.alternate_screen() && !sh.cursor_hidden(),
        "after quitting"
    );
    sh.keys("exit\r");
    assert!(
        sh.wait_exit(Duration::from_secs(10)).is_some(),
        "the shell exits"
    );
}
