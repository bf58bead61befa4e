//! `mt-bench`: docker manifest vs manifest-tui over a simulated network.
//!
//! Starts a local Distribution registry, seeds it, puts a TCP delay proxy in front of it and
//! runs both tools alternately on the same work. See BENCHMARKS.md; run via `scripts/bench.sh`.

use clap::Parser;
use mt_bench::details::{render_details, run_details, DetailsOptions};
use mt_bench::run::{self, BenchOptions};
use mt_bench::{copy, layout, sync};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "mt-bench",
    about = "Benchmark manifest-tui against `docker manifest` through a delay proxy in front of a local registry",
    after_help = "Example:\n  scripts/bench.sh --runs 5 --delay-ms 25\n  target/release/mt-bench --json > bench.json"
)]
struct Args {
    /// One-way delay the proxy adds to every chunk (a round trip costs twice this)
    #[arg(long, default_value_t = 25)]
    delay_ms: u64,
    /// Timed runs per tool and operation (the median is reported)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=50))]
    runs: u64,
    /// Untimed warm-up runs per tool and operation
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=10))]
    warmup: u64,
    /// Runs with no delay, to turn times into round trips (0 = skip)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(0..=20))]
    baseline_runs: u64,
    /// The docker CLI (default: `docker` on PATH; skipped when absent)
    #[arg(long)]
    docker: Option<PathBuf>,
    /// Do not run docker
    #[arg(long)]
    no_docker: bool,
    /// The manifest-tui binary (default: next to mt-bench)
    #[arg(long)]
    manifest_tui: Option<PathBuf>,
    /// Limit for any one command, in seconds
    #[arg(long, default_value_t = 120)]
    timeout_s: u64,
    /// Print the report as JSON (with every run and the request log)
    #[arg(long)]
    json: bool,
    /// After the table, list the connections and requests of each tool's last run
    #[arg(long)]
    show_requests: bool,
    /// Print every command's time and counters to stderr as it runs
    #[arg(short, long)]
    verbose: bool,
    /// Instead: the details benchmark (every platform's manifest and config of a 24-entry
    /// list) against `skopeo inspect --raw` + `skopeo inspect --config` per platform
    #[arg(long)]
    details: bool,
    /// Run the copy benchmark instead: a 6-platform list copied between two registries, each
    /// behind a delay proxy, by `manifest-tui copy` and `skopeo copy --all`
    #[arg(long)]
    copy: bool,
    /// Layer size per platform for --copy, in MiB (256 for the memory figure)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
    copy_mib: u64,
    /// Do not run skopeo in --copy or --sync
    #[arg(long)]
    no_skopeo: bool,
    /// Run the sync benchmark instead: one skopeo sync YAML (12 tags of 6-platform lists in
    /// 4 repositories) mirrored between two registries, each behind a delay proxy, by
    /// `manifest-tui sync` and `skopeo sync --all --preserve-digests`, then again unchanged
    #[arg(long)]
    sync: bool,
    /// Layer size of each image for --sync, in KiB
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65536))]
    sync_kib: u64,
    /// Run the OCI layout benchmark instead: a 6-platform OCI index copied from a registry
    /// behind a delay proxy into `oci:DIR:TAG`, and from a layout to a registry, by
    /// `manifest-tui copy` and `skopeo copy --all --preserve-digests` (needs skopeo)
    #[arg(long)]
    layout: bool,
    /// Layer size per platform for --layout, in MiB
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
    layout_mib: u64,
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn docker_usable(p: &PathBuf) -> bool {
    std::process::Command::new(p)
        .args(["manifest", "--help"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn print_json(r: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(r) {
        Ok(j) => {
            println!("{j}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mt-bench: cannot serialise the report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let a = Args::parse();
    let docker = if a.no_docker {
        None
    } else {
        a.docker
            .clone()
            .or_else(|| find_on_path("docker"))
            .filter(docker_usable)
    };
    if docker.is_none() && !a.no_docker {
        eprintln!("mt-bench: the docker CLI is absent (or has no `manifest` command): measuring manifest-tui alone");
    }
    if let Some(p) = &a.manifest_tui {
        if !p.is_file() {
            eprintln!(
                "mt-bench: --manifest-tui {} is not a file; build it with `cargo build --release --bins`",
                p.display()
            );
            return ExitCode::FAILURE;
        }
    }
    let ours = a.manifest_tui.clone().or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("manifest-tui")))
            .filter(|p| p.is_file())
    });
    if ours.is_none() {
        eprintln!("mt-bench: manifest-tui was not found next to mt-bench (build it with `cargo build --release --bins`, or pass --manifest-tui PATH)");
    }
    if a.details {
        let opts = DetailsOptions {
            delay: Duration::from_millis(a.delay_ms),
            runs: a.runs as usize,
            manifest_tui: ours.clone(),
            skopeo: find_on_path("skopeo"),
        };
        return match run_details(&opts) {
            Ok(r) if a.json => print_json(&r),
            Ok(r) => {
                print!("{}", render_details(&r));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mt-bench: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if a.copy {
        let Some(ours) = ours else {
            return ExitCode::FAILURE;
        };
        let skopeo = if a.no_skopeo {
            None
        } else {
            find_on_path("skopeo")
        };
        if skopeo.is_none() && !a.no_skopeo {
            eprintln!("mt-bench: skopeo is absent: measuring manifest-tui alone");
        }
        let opts = copy::CopyBenchOptions {
            delay: Duration::from_millis(a.delay_ms),
            mib: a.copy_mib as usize,
            runs: a.runs as usize,
            manifest_tui: ours,
            skopeo,
            show_requests: a.show_requests,
        };
        return match copy::run(&opts) {
            Ok(m) if a.json => print_json(&m),
            Ok(m) => {
                print!("{}", copy::render(&opts, &m));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mt-bench: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if a.sync {
        let Some(ours) = ours else {
            return ExitCode::FAILURE;
        };
        let skopeo = if a.no_skopeo {
            None
        } else {
            find_on_path("skopeo")
        };
        if skopeo.is_none() && !a.no_skopeo {
            eprintln!("mt-bench: skopeo is absent: measuring manifest-tui alone");
        }
        let opts = sync::SyncBenchOptions {
            delay: Duration::from_millis(a.delay_ms),
            kib: a.sync_kib as usize,
            runs: a.runs as usize,
            manifest_tui: ours,
            skopeo,
            show_requests: a.show_requests,
        };
        return match sync::run(&opts) {
            Ok(m) if a.json => print_json(&m),
            Ok(m) => {
                print!("{}", sync::render(&opts, &m));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mt-bench: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if a.layout {
        let Some(ours) = ours else {
            return ExitCode::FAILURE;
        };
        let Some(skopeo) = find_on_path("skopeo") else {
            eprintln!("mt-bench: --layout needs skopeo (it writes the shared layout and reads every result back)");
            return ExitCode::FAILURE;
        };
        let opts = layout::LayoutBenchOptions {
            delay: Duration::from_millis(a.delay_ms),
            mib: a.layout_mib as usize,
            runs: a.runs as usize,
            manifest_tui: ours,
            skopeo,
            show_requests: a.show_requests,
        };
        return match layout::run(&opts) {
            Ok(m) if a.json => print_json(&m),
            Ok(m) => {
                print!("{}", layout::render(&opts, &m));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mt-bench: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let opts = BenchOptions {
        delay: Duration::from_millis(a.delay_ms),
        runs: a.runs as usize,
        warmup: a.warmup as usize,
        baseline_runs: a.baseline_runs as usize,
        docker,
        manifest_tui: ours,
        command_timeout: Duration::from_secs(a.timeout_s.max(1)),
        verbose: a.verbose,
    };
    match run::run(&opts) {
        Ok(report) => {
            if a.json {
                return print_json(&report);
            } else {
                print!("{}", run::render_table(&report));
                if a.show_requests {
                    print!("{}", run::render_request_logs(&report));
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mt-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
