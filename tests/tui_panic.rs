//! A panic anywhere in the TUI (the worker task, an operation it spawned, the drawing) hands
//! the terminal back exactly once and draws nothing after it: the alternate screen is left, the
//! cursor shown, a short report printed, the exit code 101.

mod common;

use common::pty::{isolated_env, Tui};
use std::path::Path;
use std::time::Duration;

const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";
const ENTER_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049h";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

fn positions(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// The hang guard for a process to exit or its last output to arrive (not a speed claim).
const GUARD: Duration = Duration::from_secs(120);

/// Start the TUI with `MANIFEST_TUI_TEST_PANIC=place` and `RUST_BACKTRACE=backtrace`; after
/// the first frame, create the trigger file (`MANIFEST_TUI_TEST_PANIC_TRIGGER`, which fires
/// the worker and operation panics) and type `keys` (a key fires the draw panic); check that the panic ends it with status 101, the
/// terminal handed back once and nothing drawn after that. Returns what it wrote after
/// handing the terminal back (the report).
fn panic_at(place: &str, backtrace: &str, keys: &str) -> String {
    let home = tempfile::tempdir().expect("tempdir");
    let trigger = home.path().join("panic-now");
    let mut env = isolated_env(home.path(), &home.path().join("docker"));
    env.push(("MANIFEST_TUI_TEST_PANIC", place.into()));
    env.push(("MANIFEST_TUI_TEST_PANIC_TRIGGER", trigger.clone().into()));
    env.push(("RUST_BACKTRACE", backtrace.into()));
    env.push(("RUST_LIB_BACKTRACE", backtrace.into()));
    let mut tui = Tui::spawn(
        Path::new(env!("CARGO_BIN_EXE_manifest-tui")),
        &[],
        env,
        30,
        120,
    );
    tui.wait_for("the first frame", |s| s.contains("1 Browser"));
    assert!(tui.alternate_screen(), "the TUI holds the alternate screen");
    std::fs::write(&trigger, "").expect("create the trigger file");
    tui.keys(keys);
    let code = tui.wait_exit_code(GUARD);
    assert_eq!(code, Some(101), "{place}: the exit code of a panic");
    // Everything it wrote, up to the end of the output.
    assert!(
        tui.wait_output_end(GUARD),
        "{place}: the output never ended"
    );
    let screen = tui.contents();
    let out = tui.output();
    let leaves = positions(&out, LEAVE_ALTERNATE_SCREEN);
    assert_eq!(
        leaves.len(),
        1,
        "{place}: the terminal is handed back exactly once; output:\n{}",
        String::from_utf8_lossy(&out)
    );
    let after = &out[leaves[0]..];
    let report = String::from_utf8_lossy(after).into_owned();
    for (what, seq) in [
        ("hides the cursor", HIDE_CURSOR),
        ("takes the alternate screen", ENTER_ALTERNATE_SCREEN),
    ] {
        assert!(
            positions(after, seq).is_empty(),
            "{place}: nothing draws after the terminal is handed back, but it {what}:\n{report:?}"
        );
    }
    assert!(!tui.alternate_screen(), "{place}: main screen:\n{screen}");
    assert!(!tui.cursor_hidden(), "{place}: the cursor is shown again");
    report
}

/// The short report: what failed, where, the version, how to see the backtrace and report it.
fn assert_short_report(report: &str, message: &str, file: &str) {
    let version = format!("manifest-tui {}", env!("CARGO_PKG_VERSION"));
    for want in [
        message,
        file,
        &version,
        "RUST_BACKTRACE=1",
        "Please report it",
    ] {
        assert!(report.contains(want), "{want:?} in the report:\n{report}");
    }
    assert!(
        !report.contains("Backtrace") && report.lines().count() <= 8,
        "no backtrace unless asked for:\n{report}"
    );
}

#[test]
fn a_worker_panic_restores_the_terminal_once_and_reports_briefly() {
    let report = panic_at("worker", "0", "");
    assert_short_report(&report, "test panic in the worker", "src/tui/worker.rs:");
}

#[test]
fn a_panic_in_an_operation_restores_the_terminal_once() {
    let report = panic_at("operation", "0", "");
    assert_short_report(&report, "test panic in an operation", "src/tui/worker.rs:");
}

#[test]
fn a_panic_while_drawing_restores_the_terminal_once() {
    // `?` opens the help overlay: the first frame after a key, which panics.
    let report = panic_at("draw", "0", "?");
    assert_short_report(&report, "test panic while drawing", "src/tui/mod.rs:");
}

#[test]
fn rust_backtrace_1_adds_the_backtrace_to_the_report() {
    let report = panic_at("worker", "1", "");
    assert!(
        report.contains("test panic in the worker") && report.contains("Backtrace:"),
        "{report}"
    );
    assert!(
        report.contains("worker_loop"),
        "the frames name the function that panicked:\n{report}"
    );
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
    assert_eq!(tui.wait_exit_code(GUARD), Some(0));
    assert!(tui.wait_output_end(GUARD), "Ctrl-C: the output never ended");
    assert!(!tui.alternate_screen() && !tui.cursor_hidden(), "Ctrl-C");

    let mut tui = spawn_plain(home.path());
    tui.wait_for("the first frame", |s| s.contains("1 Browser"));
    let pid = tui.child.process_id().expect("pid");
    // SAFETY: sending SIGTERM to our own child process.
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    assert!(tui.wait_exit_code(GUARD).is_some(), "SIGTERM ends it");
    assert!(
        tui.wait_output_end(GUARD),
        "SIGTERM: the output never ended"
    );
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
    assert!(sh.wait_exit(GUARD).is_some(), "the shell exits");
}

/// Kills a tmux server (and the pane it keeps open) however the test ends.
struct TmuxServer<'a> {
    home: &'a common::cli::Sandbox,
    socket: String,
}

impl TmuxServer<'_> {
    /// Run a tmux client of this server; its stdout.
    fn run(&self, args: &[&str]) -> String {
        let o = self
            .home
            .command("tmux")
            .args(["-f", "/dev/null", "-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Drop for TmuxServer<'_> {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// tmux, a real terminal emulator, sees the same: after a panic in each place its pane shows
/// the cursor and the main screen again (`#{cursor_flag}` 1, `#{alternate_on}` 0).
#[test]
fn after_a_panic_tmux_shows_the_cursor_and_the_main_screen() {
    let sandbox = common::cli::Sandbox::new();
    assert!(
        sandbox
            .command("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success()),
        "tmux is needed for this test: `bash scripts/install-test-deps.sh` installs it"
    );
    for (place, keys) in [("worker", ""), ("operation", ""), ("draw", "?")] {
        let home = tempfile::tempdir().expect("tempdir");
        let trigger = home.path().join("panic-now");
        let mut vars = isolated_env(home.path(), &home.path().join("docker"));
        vars.push(("MANIFEST_TUI_TEST_PANIC", place.into()));
        vars.push(("MANIFEST_TUI_TEST_PANIC_TRIGGER", trigger.clone().into()));
        vars.push(("RUST_BACKTRACE", "0".into()));
        let assignments: Vec<String> = vars
            .iter()
            .map(|(k, v)| format!("{k}='{}'", v.to_string_lossy()))
            .collect();
        // The pane stays open after the exit (until the server is killed) to be read.
        let command = format!(
            "env {} '{}'; echo EXIT=$?; exec sleep infinity",
            assignments.join(" "),
            env!("CARGO_BIN_EXE_manifest-tui")
        );
        let tmux = TmuxServer {
            home: &sandbox,
            socket: format!("mt-panic-{}-{place}", std::process::id()),
        };
        tmux.run(&["new-session", "-d", "-x", "120", "-y", "30", &command]);
        let wait = |what: &str, done: &dyn Fn(&str) -> bool| {
            let start = std::time::Instant::now();
            loop {
                let screen = tmux.run(&["capture-pane", "-p"]);
                if done(&screen) {
                    return screen;
                }
                assert!(
                    start.elapsed() < GUARD,
                    "{place}: waited {GUARD:?} for {what}; the pane shows:\n{screen}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        };
        // The first frame, then the trigger: the file for the worker and the operation, a
        // key for drawing.
        let first = wait("the first frame", &|s| {
            s.contains("1 Browser") || s.contains("EXIT=")
        });
        assert!(
            !first.contains("EXIT="),
            "{place}: it ended before its trigger:\n{first}"
        );
        std::fs::write(&trigger, "").expect("create the trigger file");
        if !keys.is_empty() {
            tmux.run(&["send-keys", keys]);
        }
        let screen = wait("the exit", &|s| s.contains("EXIT="));
        let flags = tmux.run(&["display", "-p", "#{cursor_flag} #{alternate_on}"]);
        drop(tmux);
        assert!(screen.contains("EXIT=101"), "{place}: exit 101\n{screen}");
        assert_eq!(
            flags.trim(),
            "1 0",
            "{place}: cursor shown, main screen (cursor_flag alternate_on)\n{screen}"
        );
    }
}
