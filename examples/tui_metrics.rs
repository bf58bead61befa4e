//! Startup time, idle CPU and resident memory of the real binary in a pseudo-terminal, with a
//! store of 50 local lists (the TUI's targets: first frame ≤ 50 ms, ~0% CPU idle,
//! < 30 MB resident). No registry is needed: the editor pane reads the store.
//!
//! ```sh
//! cargo build --release && cargo run --release --example tui_metrics
//! ```

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use manifest_tui::media::{RawManifest, DOCKER_MANIFEST};
use manifest_tui::platform::Platform;
use manifest_tui::reference::Reference;
use manifest_tui::store::{Draft, ListMeta, Store, StoreError, StoredEntry};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn store_with_lists(dir: &std::path::Path, n: usize) {
    let store = Store::open(Some(dir));
    for i in 0..n {
        let list = Reference::parse(&format!("127.0.0.1:5000/team/app-{i:02}:v1"))
            .expect("ref")
            .with_default_tag();
        let entries = (0..6)
            .map(|j| {
                let body = format!(
                    "{{\"schemaVersion\":2,\"mediaType\":\"{DOCKER_MANIFEST}\",\"config\":{{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":{i},\"digest\":\"sha256:{:064x}\"}},\"layers\":[]}}",
                    i * 10 + j
                );
                let raw = RawManifest::new(body.into_bytes(), DOCKER_MANIFEST).expect("manifest");
                let r = Reference::parse(&format!("127.0.0.1:5000/team/img-{j}:v{i}")).expect("ref");
                StoredEntry::new(r, raw, Platform::new("linux", ["amd64", "arm64", "arm", "ppc64le", "s390x", "386"][j], ""))
            })
            .collect();
        store
            .update(&list, |_| {
                Ok::<_, StoreError>((
                    Draft {
                        list: list.clone(),
                        entries,
                        meta: ListMeta::default(),
                    },
                    (),
                ))
            })
            .expect("write list");
    }
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let bin: PathBuf = std::env::var_os("MANIFEST_TUI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/manifest-tui"))
        .canonicalize()
        .expect("the release binary: run `cargo build --release` first");
    let home = tempfile::tempdir().expect("tempdir");
    let docker = home.path().join("docker");
    store_with_lists(&docker, 50);
    let runs = 5;
    let mut firsts = Vec::new();
    let mut editor = Vec::new();
    let mut idle_cpu = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut tui = pty::Tui::spawn(&bin, &[], pty::isolated_env(home.path(), &docker), 40, 160);
        tui.timeout = Duration::from_secs(10);
        // Look at the emulated screen every millisecond (the default 50 ms would blur this).
        tui.poll = Duration::from_millis(1);
        tui.wait_for("the first frame", |s| s.contains("manifest-tui"));
        firsts.push(start.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        tui.keys("3");
        tui.wait_for("the 50 lists", |s| s.contains("Local lists (50)"));
        editor.push(t.elapsed().as_secs_f64() * 1000.0);
        let pid = tui.child.process_id().expect("pid");
        std::thread::sleep(Duration::from_millis(500));
        let (c0, t0) = (cpu_ticks(pid).unwrap_or(0), Instant::now());
        std::thread::sleep(Duration::from_secs(3));
        let c1 = cpu_ticks(pid).unwrap_or(0);
        let ticks_per_s = 100.0; // USER_HZ on Linux
        idle_cpu.push((c1 - c0) as f64 / ticks_per_s / t0.elapsed().as_secs_f64() * 100.0);
        rss.push(rss_kib(pid).unwrap_or(0) as f64 / 1024.0);
        tui.keys("q");
        let _ = tui.wait_exit(Duration::from_secs(5));
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    println!("manifest-tui TUI, store of 50 lists, {runs} runs, medians:");
    println!(
        "  first frame after exec:        {:6.1} ms (target ≤ 50 ms)",
        med(&mut firsts)
    );
    println!(
        "  editor showing the 50 lists:   {:6.1} ms after the key",
        med(&mut editor)
    );
    println!(
        "  CPU while idle (3 s):          {:6.2} %  (target ~0%)",
        med(&mut idle_cpu)
    );
    println!(
        "  resident memory, idle:         {:6.1} MiB (target < 30 MB)",
        med(&mut rss)
    );
}
