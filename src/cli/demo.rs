//! `demo`: a real local registry seeded with sample images, and the TUI on it.

#[cfg(feature = "demo")]
use crate::registry::ClientOptions;
#[cfg(feature = "demo")]
use std::io::Write as _;
use std::process::ExitCode;

/// `demo` in a build without the `demo` feature: says so and how to get it.
#[cfg(not(feature = "demo"))]
pub(super) fn demo(_keep_store: bool, _no_tui: bool) -> ExitCode {
    super::print_error(
        "this manifest-tui was built without the `demo` feature (the local registry and \
         sample images); build it with the default features, or `--features demo`",
    );
    ExitCode::FAILURE
}

/// `demo`: a real local registry, seeded with the sample images, and the TUI on it.
#[cfg(feature = "demo")]
pub(super) fn demo(keep_store: bool, no_tui: bool) -> ExitCode {
    use mt_testkit::localreg::{LocalConfig, LocalRegistry};
    use std::io::IsTerminal as _;
    if !no_tui && !std::io::stdout().is_terminal() {
        super::print_error(
            "the demo's TUI needs a terminal, and stdout is not one; `manifest-tui demo --no-tui` \
             starts the seeded registry alone and prints its address, for the commands to use",
        );
        return ExitCode::FAILURE;
    }
    eprintln!("Starting a local registry (docker-registry) on 127.0.0.1 ...");
    let mut reg = match LocalRegistry::start(LocalConfig::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let host = reg.host();
    let seeded = mt_testkit::samples::seed_blocking(&reg.base_url(), None)
        .and_then(|_| mt_testkit::samples::pairs::seed_blocking(&reg.base_url(), None));
    if let Err(e) = seeded {
        eprintln!("Error: seeding the demo registry at {host} failed: {e}");
        return ExitCode::FAILURE;
    }
    if let Err(e) = mt_testkit::samples::attest::seed_attested_blocking(&reg.base_url()) {
        eprintln!(
            "Error: seeding the attested release into the demo registry at {host} failed: {e}"
        );
        return ExitCode::FAILURE;
    }
    let tmp_config = if keep_store {
        None
    } else {
        match tempfile::tempdir() {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("Error: cannot create a temporary DOCKER_CONFIG: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    eprintln!(
        "Demo registry at {host}: samples/app:v1 and :v2 (Docker lists), :v1-oci and :v2-oci (OCI indexes), samples/webapp:v1 (images with configs and history), samples/attested:v1 (attestations, a tag-scheme signature); samples/pairs:v1 against :v1-oci, :label, :rebuilt, :newbase, :platforms for diff."
    );
    if no_tui {
        println!("{host}");
        let _ = std::io::stdout().flush();
        // Wait for Ctrl-C / SIGTERM, then stop the registry (Drop).
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        if let Ok(rt) = rt {
            rt.block_on(async {
                let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
                }
            });
        }
        reg.stop();
        return ExitCode::SUCCESS;
    }
    let opts = crate::tui::TuiOptions {
        registry: Some(host),
        reference: None,
        client: ClientOptions::default(),
        docker_config: tmp_config.as_ref().map(|d| d.path().to_path_buf()),
        keymap_file: None,
    };
    let res = crate::tui::run(opts);
    reg.stop();
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            super::print_error(&format!("{e:#}"));
            ExitCode::FAILURE
        }
    }
}
