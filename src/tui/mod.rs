//! The terminal UI: shell, event loop, worker, panes.
//!
//! - [`app`]: routes keys, worker replies and app events; draws the frame. No I/O.
//! - [`pane`]: the [`pane::Pane`] trait every pane implements, and [`pane::Ctx`].
//! - [`state`]: pane state and transitions (pure, unit-tested).
//! - [`panes`]: drawing, one file per pane.
//! - [`worker`]: the task that owns the registry client and the store.
//! - [`keymap`], [`theme`], [`field`], [`text`]: bindings, colours, text fields, helpers.

pub mod app;
pub mod crash;
pub mod field;
pub mod keymap;
pub mod pane;
pub mod panes;
pub mod state;
pub mod text;
pub mod theme;
pub mod worker;

#[cfg(test)]
pub(crate) mod test_fixtures;

use crate::reference::Reference;
use app::{App, Control};
use color_eyre::eyre::{eyre, WrapErr};
use futures_util::StreamExt;
use pane::{Notice, NoticeLevel};
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::DefaultTerminal;
use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};
use worker::{Worker, WorkerOptions};

/// How the TUI is started (filled in by the CLI when no subcommand is given).
#[derive(Clone, Debug, Default)]
pub struct TuiOptions {
    /// Open the browser at this registry (`host[:port]`).
    pub(crate) registry: Option<String>,
    /// Open straight at this reference (a repository, tag or list).
    pub(crate) reference: Option<String>,
    /// Registry client configuration.
    pub(crate) client: crate::registry::ClientOptions,
    /// `$DOCKER_CONFIG` override (config.json `auths`, the manifest store).
    pub(crate) docker_config: Option<PathBuf>,
    /// Key binding overrides (default `~/.config/manifest-tui/keys.conf`).
    pub(crate) keymap_file: Option<PathBuf>,
}

/// At most this many frames per second.
const FRAME: Duration = Duration::from_millis(16);
/// The spinner's pace (only ticks while something loads).
const TICK: Duration = Duration::from_millis(100);

/// Run the TUI until the user quits. The terminal is restored on every way out: quit,
/// Ctrl-C, SIGTERM/SIGHUP/SIGINT, an error, and a panic in any thread or task (the panic
/// hook stops the drawing, restores the terminal once, prints a short report and exits with
/// status 101; see [`crash`]).
pub(crate) fn run(opts: TuiOptions) -> color_eyre::Result<()> {
    install_hooks()?;
    // Validate the start reference before touching the terminal.
    let start = opts.reference.as_ref().map(|r| match &opts.registry {
        Some(reg) if !crate::reference::names_registry(r) => format!("{reg}/{r}"),
        _ => r.clone(),
    });
    let start_ref = match &start {
        Some(r) => Some(Reference::parse(r).wrap_err_with(|| format!("cannot open {r:?}"))?),
        None => None,
    };
    if let (Some(reg), None) = (&opts.registry, &start_ref) {
        crate::reference::registry_host(reg).map_err(|m| eyre!("--registry: {m}"))?;
    }
    let (keymap, key_errors) = keymap::Keymap::load(opts.keymap_file.as_deref());
    if let (Some(f), Some(e)) = (&opts.keymap_file, key_errors.first()) {
        if e.line == 0 {
            return Err(eyre!("{e}")).wrap_err_with(|| format!("--keymap {}", f.display()));
        }
    }
    if !std::io::stdout().is_terminal() {
        return Err(eyre!(
            "{}",
            not_a_terminal(start.as_deref(), opts.registry.as_deref())
        ));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    let mut terminal = init_terminal()?;
    let result = rt.block_on(async {
        // The browser reads manifests HEAD first from its cache: a re-inspect is no pull.
        let client = crate::registry::ClientOptions {
            manifest_cache: opts
                .client
                .manifest_cache
                .clone()
                .or_else(crate::registry::default_manifest_cache_dir),
            ..opts.client.clone()
        };
        let worker = Worker::spawn(WorkerOptions {
            client,
            docker_config: opts.docker_config.clone(),
            history_file: worker::default_history_file(),
            recent_file: worker::default_recent_file(),
        });
        let mut app = App::new(keymap, theme::Theme::from_env());
        if let Some(e) = key_errors.first() {
            app.notice = Some(Notice {
                level: NoticeLevel::Error,
                text: format!(
                    "{e}{}; the other bindings apply",
                    if key_errors.len() > 1 {
                        format!(" (and {} more problems)", key_errors.len() - 1)
                    } else {
                        String::new()
                    }
                ),
            });
        }
        start_browser(&mut app, opts.registry.as_deref(), start_ref.as_ref());
        event_loop(&mut terminal, &mut app, worker).await
    });
    restore_terminal();
    // Do not wait for in-flight requests.
    rt.shutdown_background();
    result
}

/// Why the TUI does not start outside a terminal, and the command to run instead.
fn not_a_terminal(reference: Option<&str>, registry: Option<&str>) -> String {
    let instead = match (reference, registry) {
        (Some(r), _) => format!("`manifest-tui inspect {r}`"),
        (None, Some(reg)) => format!("`manifest-tui catalog {reg}`"),
        (None, None) => "one of manifest-tui's commands, e.g. `manifest-tui inspect REF`".into(),
    };
    format!(
        "the TUI needs a terminal, and stdout is not one; to read the same from a script or a \
         pipe, run {instead} (`manifest-tui --help` lists every command)"
    )
}

/// Point the browser at the start registry / reference.
pub(crate) fn start_browser(app: &mut App, registry: Option<&str>, reference: Option<&Reference>) {
    if let Some(i) = app
        .panes
        .iter()
        .position(|p| p.id() == pane::PaneId::Browser)
    {
        // Replace the default browser by one started at the requested place.
        let mut b = panes::browser::BrowserPane::default();
        b.state.start(registry, reference, &mut app.ctx);
        app.panes[i] = Box::new(b);
    }
}

/// The panic hook. No colour-eyre report hook: an error is printed by the CLI as one
/// paragraph (the chain, "what: why"), the same as the commands' errors, with no colour codes.
fn install_hooks() -> color_eyre::Result<()> {
    // A panic anywhere (the UI, the worker, an operation, the drawing) ends the process.
    crash::install_panic_hook(hand_back_terminal);
    Ok(())
}

/// Take the terminal: raw mode, alternate screen, bracketed paste. Not `ratatui::try_init`:
/// it wraps the panic hook in one more restore of its own on every call, which would hand the
/// terminal back again after the hook did (and once more for every Ctrl-Z).
fn init_terminal() -> color_eyre::Result<DefaultTerminal> {
    crash::with_terminal(|held| {
        enable_raw_mode().wrap_err("cannot set up the terminal (is stdout a terminal?)")?;
        held.store(true, std::sync::atomic::Ordering::SeqCst);
        execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste
        )
        .wrap_err("cannot set up the terminal (is stdout a terminal?)")?;
        ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
            .wrap_err("cannot set up the terminal (is stdout a terminal?)")
    })
}

/// Hand the terminal back to the shell, if the TUI holds it.
fn restore_terminal() {
    crash::with_terminal(|held| {
        if held.swap(false, std::sync::atomic::Ordering::SeqCst) {
            hand_back_terminal();
        }
    });
}

/// Leave the alternate screen and raw mode, and show the cursor (a frame hides it, and on a
/// panic no drop of the terminal shows it again).
fn hand_back_terminal() {
    let mut out = std::io::stdout();
    let _ = execute!(out, DisableBracketedPaste, ratatui::crossterm::cursor::Show);
    // Raw mode first: it has more side effects than the alternate screen.
    let _ = disable_raw_mode();
    let _ = execute!(out, LeaveAlternateScreen);
}

/// Hand the terminal back to the shell and stop (SIGTSTP); on `fg`, take it back.
fn suspend(terminal: &mut DefaultTerminal) -> color_eyre::Result<()> {
    restore_terminal();
    // SAFETY: raising a signal for our own process has no memory-safety requirements.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    *terminal = init_terminal()?;
    // A new terminal starts from empty buffers, so clearing the screen is all a full redraw
    // needs. Not `Terminal::clear`: it asks the terminal for the cursor position, which
    // times out on terminals that do not answer (and races the event reader on those that do).
    crash::with_terminal(|_| {
        execute!(
            std::io::stdout(),
            ratatui::crossterm::terminal::Clear(ratatui::crossterm::terminal::ClearType::All)
        )
    })
    .wrap_err("cannot clear the screen after resuming")?;
    Ok(())
}

fn write_clipboard(texts: Vec<String>) {
    crash::with_terminal(|_| {
        let mut out = std::io::stdout();
        for t in texts {
            let _ = out.write_all(text::osc52(&t).as_bytes());
        }
        let _ = out.flush();
    });
}

/// The loop: wait for the next input (terminal, worker, signals, a spinner tick only while
/// something loads), handle everything pending, then draw once if something changed, at most
/// every [`FRAME`]. Idle means no wakeups at all.
async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    mut worker: Worker,
) -> color_eyre::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("cannot listen for SIGTERM")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("cannot listen for SIGHUP")?;
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("cannot listen for SIGINT")?;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_draw = Instant::now() - FRAME;
    // Test hook for "a panic while drawing restores the terminal": the first frame drawn
    // after a key panics (so the test has seen a frame, however quickly replies arrive).
    // The panic tests' hook (the `panic-hooks` feature only): panic on the first frame
    // after a key.
    #[cfg(feature = "panic-hooks")]
    let panic_on_draw = crash::test_panic("draw");
    #[cfg(feature = "panic-hooks")]
    let mut keyed = false;

    loop {
        for msg in app.take_outbox() {
            if !worker.send(msg) {
                return Err(eyre!("the background worker stopped unexpectedly"));
            }
        }
        let clip = app.take_clipboard();
        if !clip.is_empty() {
            write_clipboard(clip);
        }
        match app.take_control() {
            Control::Quit => return Ok(()),
            Control::Suspend => {
                suspend(terminal)?;
                app.dirty = true;
                last_draw = Instant::now() - FRAME;
            }
            Control::Continue => {}
        }
        let draw_at = last_draw + FRAME;
        let busy = app.busy();
        tokio::select! {
            // Inputs first (biased), so everything pending is handled before a draw.
            biased;
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            _ = sigint.recv() => return Ok(()),
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => {
                    #[cfg(feature = "panic-hooks")]
                    {
                        keyed = true;
                    }
                    app.key(k)
                }
                Some(Ok(Event::Paste(s))) => app.paste(&s),
                Some(Ok(Event::Resize(..))) => app.dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(eyre!("reading the terminal failed: {e}")),
                None => return Ok(()),
            },
            ev = worker.events.recv() => match ev {
                Some(ev) => app.worker_event(ev),
                None => return Err(worker_died(&mut worker).await),
            },
            _ = tick.tick(), if busy => app.tick(),
            _ = tokio::time::sleep_until(draw_at), if app.dirty => {
                crash::with_terminal(|_| {
                    terminal.draw(|f| {
                        #[cfg(feature = "panic-hooks")]
                        if panic_on_draw && keyed {
                            panic!("test panic while drawing (MANIFEST_TUI_TEST_PANIC=draw)");
                        }
                        app.draw(f)
                    })
                })
                .wrap_err("drawing the screen failed")?;
                app.dirty = false;
                last_draw = Instant::now();
            }
        }
    }
}

async fn worker_died(worker: &mut Worker) -> color_eyre::Report {
    match (&mut worker.join).await {
        Err(e) if e.is_panic() => eyre!("the background worker panicked"),
        Err(e) => eyre!("the background worker stopped: {e}"),
        Ok(()) => eyre!("the background worker stopped unexpectedly"),
    }
}
