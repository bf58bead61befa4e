//! Listing 10,000 tags through the delay proxy (25 ms one way by default): the time to the
//! first page (what the TUI shows first) and to every tag, through the registry client
//! (the TUI's worker and `manifest-tui tags` make the same requests), next to
//! `manifest-tui tags` and `skopeo list-tags` run as processes in the same run.
//!
//! `cargo run --release --example list_bench [TAGS] [DELAY_MS]`

use manifest_tui::registry::{Client, ClientOptions, Pager, Repo, PAGE_SIZE};
use mt_testkit::delay::DelayProxy;
use mt_testkit::localreg::{LocalConfig, LocalRegistry};
use mt_testkit::samples::Seeder;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let delay_ms: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(25);
    let reg = match LocalRegistry::start(LocalConfig::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the registry: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let tags: Vec<String> = (0..count).map(|i| format!("v1.{i}")).collect();
    let seeded = rt.block_on(async {
        Seeder::new(&reg.base_url(), None)?
            .tag_many("bench/many", &tags)
            .await
    });
    if let Err(e) = seeded {
        eprintln!("seeding failed: {e}");
        return ExitCode::FAILURE;
    }
    let upstream = format!("127.0.0.1:{}", reg.port()).parse().expect("addr");
    let proxy = rt
        .block_on(DelayProxy::start(upstream, Duration::from_millis(delay_ms)))
        .expect("delay proxy");
    let host = proxy.host();
    let repo = Repo {
        domain: host.clone(),
        path: "bench/many".into(),
    };
    // target/release/examples/list_bench → target/release/manifest-tui
    let bin = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("manifest-tui")))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "manifest-tui".into());
    println!("{count} tags, {delay_ms} ms one way");
    for run in 1..=3 {
        // A fresh client each run: the scheme probe and connection are part of the cost.
        let client = Client::new(ClientOptions {
            insecure_all: true,
            ..ClientOptions::default()
        })
        .expect("client");
        let (first, all, n) = rt.block_on(async {
            let t = Instant::now();
            let mut pager = Pager::default();
            let mut first = None;
            let mut n = 0;
            loop {
                let (page, next) = client
                    .tags_page(&repo, PAGE_SIZE, pager.next())
                    .await
                    .expect("tags page");
                first.get_or_insert(t.elapsed());
                n += page.len();
                if page.is_empty() || !pager.advance(next) {
                    break;
                }
            }
            (first.unwrap_or_default(), t.elapsed(), n)
        });
        let mt = timed(&bin, &["tags", "--insecure", &format!("{host}/bench/many")]);
        let sk = timed(
            "skopeo",
            &[
                "list-tags",
                "--tls-verify=false",
                &format!("docker://{host}/bench/many"),
            ],
        );
        println!(
            "run {run}: client first page {:.0} ms, all {n} tags {:.0} ms | manifest-tui tags {} | skopeo list-tags {}",
            ms(first),
            ms(all),
            mt,
            sk
        );
    }
    ExitCode::SUCCESS
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn timed(prog: &str, args: &[&str]) -> String {
    let t = Instant::now();
    match Command::new(prog).args(args).output() {
        Ok(o) if o.status.success() => format!("{:.0} ms", ms(t.elapsed())),
        Ok(o) => format!("failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
        Err(e) => format!("not run: {e}"),
    }
}
