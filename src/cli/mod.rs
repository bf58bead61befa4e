//! The headless CLI: docker manifest's commands, flag for flag, plus what docker lacks.
//! A thin layer: parse, call an operation, render its result. One file per command group:
//! [`args`] (clap's definitions), `inspect`, `lists` (create, annotate, rm, ls, remove),
//! `push`, `copy` (copy, tag, delete), `sync`, `diff`, `listing` (tags, catalog), `demo`, and `render` (docker's JSON shapes and our tables).
//! [`exit`] decides every exit status; `mistyped` catches a mistyped command before clap
//! takes it for the TUI's REF.

use crate::ops::OpError;
use crate::reference::Reference;
use crate::registry::{Client, ClientOptions};
use crate::store::Store;
use clap::FromArgMatches as _;
use std::io::Write as _;
use std::process::ExitCode;

pub mod args;
mod attached;
mod copy;
mod demo;
mod details;
mod diff;
pub mod exit;
mod inspect;
mod listing;
mod lists;
mod mistyped;
mod push;
mod render;
mod sync;

pub use args::{Cli, Command, InspectFormat, ListFormat};

/// clap's command for `manifest-tui`, with the exit statuses in its help (the parser, the
/// completions and the man page all use this one).
pub fn command() -> clap::Command {
    exit::document(<Cli as clap::CommandFactory>::command())
}

/// Print a command's error: one paragraph on stderr, control characters made inert.
fn print_error(message: &str) {
    eprintln!("Error: {}", crate::sanitize::inert_multiline(message));
}

/// The process entry point.
pub fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cmd = command();
    if let Some(e) = mistyped::check(&cmd, &argv) {
        e.exit();
    }
    // Usage errors exit here, with status 2 (clap's).
    let matches = cmd.get_matches_from(argv);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command()).exit());
    let Some(command) = cli.command else {
        let opts = crate::tui::TuiOptions {
            registry: cli.registry,
            reference: cli.reference,
            client: ClientOptions {
                insecure_all: cli.insecure,
                ..ClientOptions::default()
            },
            docker_config: None,
            keymap_file: cli.keymap,
        };
        return match crate::tui::run(opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                // The chain as one paragraph ("what: why"), not colour-eyre's numbered report.
                print_error(&format!("{e:#}"));
                ExitCode::FAILURE
            }
        };
    };
    let rule = exit::Rule::of(matches.subcommand_name().unwrap_or_default());
    match command {
        Command::Demo(args) => return demo::demo(args.keep_store, args.no_tui),
        Command::Completions { shell } => {
            let mut cmd = self::command();
            clap_complete::generate(shell, &mut cmd, "manifest-tui", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            return match man_page(&mut out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    print_error(&format!("writing the man page: {e}"));
                    ExitCode::FAILURE
                }
            };
        }
        Command::Keys => {
            let (keymap, errors) = crate::tui::keymap::Keymap::load(None);
            for e in errors {
                eprintln!("warning: {e}");
            }
            print!("{}", keymap.markdown());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            print_error(&format!("cannot start the async runtime: {e}"));
            return rule.failure_code();
        }
    };
    let mut stdout = std::io::stdout().lock();
    match rt.block_on(run(command, &mut stdout)) {
        Ok(code) => code,
        Err(e) => {
            let _ = stdout.flush();
            print_error(&e.to_string());
            rule.failure_code()
        }
    }
}

/// The man page: clap_mangen's sections, then EXIT STATUS and EXAMPLES (the top-level
/// examples, kept as lines), then the version.
fn man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap_mangen::roff::{roman, Roff};
    let man = clap_mangen::Man::new(command());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    let mut roff = Roff::default();
    exit::man_section(&mut roff);
    let plain = <Cli as clap::CommandFactory>::command();
    if let Some(examples) = plain.get_after_help() {
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", []);
        for line in examples.to_string().lines().filter(|l| *l != "Examples:") {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
    }
    roff.to_writer(out)?;
    man.render_version_section(out)
}

fn parse_ref(s: &str) -> Result<Reference, OpError> {
    Ok(Reference::parse(s)?)
}

fn client(insecure: bool) -> Result<Client, OpError> {
    client_with(insecure, crate::registry::DEFAULT_MAX_IN_FLIGHT)
}

/// A client with `in_flight` requests at once per registry.
fn client_with(insecure: bool, in_flight: usize) -> Result<Client, OpError> {
    Client::new(ClientOptions {
        insecure_all: insecure,
        max_in_flight: in_flight,
        ..ClientOptions::default()
    })
    .map_err(|e| OpError::Registry {
        context: "setting up the registry client".into(),
        source: e,
    })
}

/// Write command output; a closed stdout is not an error of the command.
fn write_out(out: &mut dyn std::io::Write, s: &str) {
    let _ = out.write_all(s.as_bytes());
}

/// Run one command, writing its output to `out`. Returns the exit code on success.
pub async fn run(command: Command, out: &mut dyn std::io::Write) -> Result<ExitCode, OpError> {
    let store = Store::open(None);
    match command {
        Command::Inspect(args) => inspect::inspect(&store, args, out).await,
        Command::Create(args) => lists::create(&store, args, out).await,
        Command::Annotate(args) => lists::annotate(&store, args),
        Command::Push(args) => push::push(&store, args, out).await,
        Command::Rm(args) => lists::rm(&store, args),
        Command::Ls => lists::ls(&store, out),
        Command::Remove(args) => lists::remove(&store, args, out),
        Command::Diff(args) => diff::diff(&store, args, out).await,
        Command::Copy(args) => copy::copy(args, out).await,
        Command::Tag(args) => copy::tag(args, out).await,
        Command::Delete(args) => copy::delete(args, out).await,
        Command::Sync(args) => sync::sync(args, out).await,
        Command::Tags(args) => listing::tags(args, out).await,
        Command::Catalog(args) => listing::catalog(args, out).await,
        Command::Demo(_) | Command::Completions { .. } | Command::Man | Command::Keys => Err(
            OpError::Invalid("this command runs outside the async runtime".into()),
        ),
    }
}
