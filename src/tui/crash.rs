//! Who writes to the terminal, and what a panic does to it.
//!
//! Everything that writes to the terminal while the TUI runs (a frame, the clipboard, taking the
//! terminal and handing it back) does so through [`with_terminal`], one writer at a time. A panic
//! in any thread or task takes the terminal for good: it waits for a frame being written to
//! finish, hands the terminal back to the shell once (if the TUI holds it), prints a short report
//! and exits with status 101. Nothing draws after that: a later writer waits on the lock until the
//! process is gone.

use std::cell::Cell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// Held while writing to the terminal; a panic takes it and never gives it back.
static TERMINAL: Mutex<()> = Mutex::new(());
/// True while the TUI holds the terminal (raw mode, alternate screen, cursor hidden).
static HELD: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// True on the thread inside [`with_terminal`]: a panic there already holds the lock.
    static WRITING: Cell<bool> = const { Cell::new(false) };
}

/// Run `f`, which writes to the terminal, as the only writer. `f` gets the flag saying whether
/// the TUI holds the terminal, to set when it takes or hands back the terminal.
pub(crate) fn with_terminal<R>(f: impl FnOnce(&AtomicBool) -> R) -> R {
    let _guard = TERMINAL.lock().unwrap_or_else(PoisonError::into_inner);
    WRITING.with(|w| w.set(true));
    let r = f(&HELD);
    WRITING.with(|w| w.set(false));
    r
}

/// Install the panic hook: `restore` hands the terminal back (called at most once, and only
/// while the TUI holds it).
pub(crate) fn install_panic_hook(restore: fn()) {
    std::panic::set_hook(Box::new(move |info| {
        // Stop every other writer first; a panic while writing already holds the lock.
        if !WRITING.with(Cell::get) {
            let guard = TERMINAL.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::forget(guard);
        }
        if HELD.swap(false, Ordering::SeqCst) {
            restore();
        }
        let backtrace = match std::env::var("RUST_BACKTRACE").as_deref() {
            Ok("" | "0") | Err(_) => None,
            Ok("full") => Some(format!("{:#}", std::backtrace::Backtrace::force_capture())),
            Ok(_) => Some(std::backtrace::Backtrace::force_capture().to_string()),
        };
        let _ = std::io::stderr().write_all(report(info, backtrace.as_deref()).as_bytes());
        std::process::exit(101);
    }));
}

/// True when `MANIFEST_TUI_TEST_PANIC` names `place`: the end-to-end tests make the TUI panic
/// there (`worker`, `operation`, `draw`). Each fires on an explicit trigger, never on a timer:
/// `draw` on the first frame after a key, `worker` and `operation` once
/// [`test_panic_trigger`] returns. Only in a build with the `panic-hooks` feature (the test
/// suite's); the app as shipped has no such hook.
#[cfg(feature = "panic-hooks")]
pub(crate) fn test_panic(place: &str) -> bool {
    std::env::var_os("MANIFEST_TUI_TEST_PANIC").is_some_and(|v| v == place)
}

/// Names the file whose appearance fires the `worker` and `operation` test panics.
#[cfg(feature = "panic-hooks")]
pub(crate) const TEST_PANIC_TRIGGER_ENV: &str = "MANIFEST_TUI_TEST_PANIC_TRIGGER";

/// Wait until the file named by [`TEST_PANIC_TRIGGER_ENV`] exists (the test creates it once it
/// has seen the first frame); at once when the variable is not set.
#[cfg(feature = "panic-hooks")]
pub async fn test_panic_trigger() {
    let Some(path) = std::env::var_os(TEST_PANIC_TRIGGER_ENV) else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    while !path.exists() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The report: what failed and where, the version, how to see the backtrace and where to send
/// it. The backtrace itself only when asked for (`RUST_BACKTRACE=1`).
fn report(info: &PanicHookInfo<'_>, backtrace: Option<&str>) -> String {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let thread = std::thread::current();
    let place = match info.location() {
        Some(l) => format!("{}:{}:{}", l.file(), l.line(), l.column()),
        None => "an unknown place".to_string(),
    };
    let mut out = format!(
        "\nmanifest-tui {} stopped on an internal error (a bug, not something you did):\n  \
         {what}\n  at {place} (thread {})\n",
        env!("CARGO_PKG_VERSION"),
        thread.name().unwrap_or("unnamed"),
    );
    match backtrace {
        Some(bt) => {
            let _ = write!(out, "\nBacktrace:\n{bt}\n");
        }
        None => out.push_str(
            "To see where it came from, run it again with RUST_BACKTRACE=1 (the backtrace).\n",
        ),
    }
    out.push_str(
        "Please report it to the manifest-tui issue tracker, with this text, the backtrace, \
         the version (manifest-tui --version) and the steps that led here.\n",
    );
    out
}
