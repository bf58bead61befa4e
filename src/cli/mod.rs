//! The headless CLI: docker manifest's commands, flag for flag, plus what docker lacks.
//! A thin layer: parse, call an operation, render its result. One file per command group:
//! [`args`] (clap's definitions), `inspect`, `lists` (create, annotate, rm, ls, remove),
//! `push`, `copy` (copy, tag, delete), `diff`, `listing` (tags, catalog), `demo`, and `render` (docker's JSON shapes and our tables).

use crate::ops::OpError;
use crate::reference::Reference;
use crate::registry::{Client, ClientOptions};
use crate::store::Store;
use clap::Parser;
use std::io::Write as _;
use std::process::ExitCode;

pub mod args;
mod copy;
mod demo;
mod details;
mod diff;
mod inspect;
mod listing;
mod lists;
mod push;
mod render;

pub use args::{Cli, Command, InspectFormat, ListFormat};

/// The process entry point.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
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
                eprintln!("Error: {e:?}");
                ExitCode::FAILURE
            }
        };
    };
    match command {
        Command::Demo(args) => return demo::demo(args.keep_store, args.no_tui),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "manifest-tui", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            return match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("Error: writing the man page: {e}");
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
            eprintln!("Error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    match rt.block_on(run(command, &mut stdout)) {
        Ok(code) => code,
        Err(e) => {
            let _ = stdout.flush();
            eprintln!(
                "Error: {}",
                crate::sanitize::inert_multiline(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
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
        Command::Tags(args) => listing::tags(args, out).await,
        Command::Catalog(args) => listing::catalog(args, out).await,
        Command::Demo(_) | Command::Completions { .. } | Command::Man | Command::Keys => Err(
            OpError::Invalid("this command runs outside the async runtime".into()),
        ),
    }
}
