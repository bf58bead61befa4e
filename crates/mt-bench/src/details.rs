//! The details benchmark: what is inside every platform of the 24-entry list (each
//! platform's manifest and config), through the delay proxy, next to what a user scripts
//! with skopeo today (`skopeo inspect --raw` of the list, then `skopeo inspect --config` per
//! platform), in the same run.
//!
//! Two figures for manifest-tui:
//! - in process (the core's `list_details` on a warm client, after the list has arrived):
//!   the round trips it costs once the list is there, the number the TUI pays when it fills
//!   in a list's SIZE / LAYERS / CREATED columns;
//! - the CLI, a fresh process from nothing (`inspect --format json`), as a script would call it.
//!
//! `MT_BENCH_LOG=1` prints the proxy's request log of each in-process run to stderr.

use crate::run::{date_utc, median};
use crate::seed;
use manifest_core::media::Parsed;
use manifest_core::ops;
use manifest_core::reference::Reference;
use manifest_core::registry::{Client, ClientOptions};
use mt_testkit::delay::DelayProxy;
use mt_testkit::localreg::{LocalConfig, LocalRegistry};
use serde::Serialize;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Settings of a details run.
#[derive(Clone, Debug)]
pub struct DetailsOptions {
    pub delay: Duration,
    pub runs: usize,
    pub manifest_tui: Option<PathBuf>,
    pub skopeo: Option<PathBuf>,
}

/// One way of getting every platform's details, measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Way {
    pub label: String,
    pub runs_ms: Vec<f64>,
    pub median_ms: Option<f64>,
    /// Requests the proxy saw in the last run.
    pub requests: Option<u64>,
    /// Median time / RTT (for the in-process figure: after the list arrived).
    pub round_trips: Option<f64>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DetailsReport {
    pub date_utc: String,
    pub delay_ms: f64,
    pub rtt_ms: f64,
    pub platforms: usize,
    pub runs: usize,
    pub ways: Vec<Way>,
    /// skopeo CLI median / manifest-tui CLI median.
    pub ratio: Option<f64>,
}

/// Start a registry, seed the 24-entry list, put the proxy in front, measure each way.
pub fn run_details(opts: &DetailsOptions) -> Result<DetailsReport, String> {
    let rt = crate::run::runtime()?;
    let reg = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    rt.block_on(seed::seed(&reg.base_url()))?;
    let upstream = format!("127.0.0.1:{}", reg.port())
        .parse()
        .map_err(|e| format!("bad registry address: {e}"))?;
    let proxy = rt
        .block_on(DelayProxy::start(upstream, opts.delay))
        .map_err(|e| e.to_string())?;
    let host = proxy.host();
    let list = format!("{host}/{}:{}", seed::LIST24_REPO, seed::TAG);
    let rtt_ms = opts.delay.as_secs_f64() * 2000.0;
    let mut ways = Vec::new();

    // In process, after the list has arrived.
    let mut inproc = Way {
        label: "manifest-tui core: list_details after the list (warm client)".into(),
        ..Default::default()
    };
    let r: Reference = list.parse().map_err(|e| format!("{e}"))?;
    for _ in 0..opts.runs {
        let res = rt.block_on(async {
            let c = Client::new(ClientOptions::default()).map_err(|e| e.to_string())?;
            let m = c.get_manifest(&r).await.map_err(|e| e.to_string())?;
            let Ok(Parsed::Index(idx)) = m.parse() else {
                return Err("the 24-entry list is not a list".to_string());
            };
            proxy.reset();
            let t0 = Instant::now();
            let details = ops::list_details(&c, &r, &idx.manifests).await;
            let t = t0.elapsed();
            let ok = details.iter().filter(|d| d.is_ok()).count();
            if ok != idx.manifests.len() {
                return Err(format!(
                    "{ok} of {} platforms' details arrived",
                    idx.manifests.len()
                ));
            }
            Ok(t)
        });
        match res {
            Ok(t) => {
                if std::env::var_os("MT_BENCH_LOG").is_some() {
                    for l in proxy.request_log() {
                        eprintln!("{l}");
                    }
                }
                inproc.runs_ms.push(t.as_secs_f64() * 1000.0);
                inproc.requests = Some(proxy.counters().requests);
            }
            Err(e) => {
                inproc.error = Some(e);
                break;
            }
        }
    }
    ways.push(inproc);

    // The CLI, a fresh process.
    if let Some(bin) = &opts.manifest_tui {
        let mut w = Way {
            label: "manifest-tui inspect --format json (fresh process)".into(),
            ..Default::default()
        };
        let cfg = tempfile::tempdir().map_err(|e| e.to_string())?;
        for _ in 0..opts.runs {
            proxy.reset();
            let t0 = Instant::now();
            let out = Command::new(bin)
                .args(["inspect", "--insecure", "--format", "json", &list])
                .env("DOCKER_CONFIG", cfg.path())
                .output();
            let t = t0.elapsed();
            match out {
                Ok(o) if o.status.success() => {
                    w.runs_ms.push(t.as_secs_f64() * 1000.0);
                    w.requests = Some(proxy.counters().requests);
                }
                Ok(o) => {
                    w.error = Some(String::from_utf8_lossy(&o.stderr).trim().to_string());
                    break;
                }
                Err(e) => {
                    w.error = Some(format!("cannot run {}: {e}", bin.display()));
                    break;
                }
            }
        }
        ways.push(w);
    }

    // skopeo, as a user scripts it: the list, then one `--config` per platform.
    if let Some(sk) = &opts.skopeo {
        let mut w = Way {
            label: "skopeo inspect --raw + --config per platform".into(),
            ..Default::default()
        };
        let run = |args: &[&str]| -> Result<Vec<u8>, String> {
            let o = Command::new(sk)
                .args(args)
                .output()
                .map_err(|e| format!("cannot run skopeo: {e}"))?;
            if o.status.success() {
                Ok(o.stdout)
            } else {
                Err(String::from_utf8_lossy(&o.stderr).trim().to_string())
            }
        };
        'runs: for _ in 0..opts.runs {
            proxy.reset();
            let t0 = Instant::now();
            let raw = match run(&[
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{list}"),
            ]) {
                Ok(b) => b,
                Err(e) => {
                    w.error = Some(e);
                    break;
                }
            };
            let digests: Vec<String> = serde_json::from_slice::<serde_json::Value>(&raw)
                .ok()
                .and_then(|v| {
                    v["manifests"].as_array().map(|a| {
                        a.iter()
                            .filter_map(|m| m["digest"].as_str().map(String::from))
                            .collect()
                    })
                })
                .unwrap_or_default();
            for d in &digests {
                let at = format!("docker://{host}/{}@{d}", seed::LIST24_REPO);
                if let Err(e) = run(&["inspect", "--config", "--tls-verify=false", &at]) {
                    w.error = Some(e);
                    break 'runs;
                }
            }
            w.runs_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
            w.requests = Some(proxy.counters().requests);
        }
        ways.push(w);
    }

    for w in &mut ways {
        w.median_ms = median(&w.runs_ms);
        w.round_trips = w.median_ms.filter(|_| rtt_ms > 0.0).map(|m| m / rtt_ms);
    }
    let ratio = match (
        ways.get(1).and_then(|w| w.median_ms),
        ways.get(2).and_then(|w| w.median_ms),
    ) {
        (Some(ours), Some(sk)) if ours > 0.0 => Some(sk / ours),
        _ => None,
    };
    Ok(DetailsReport {
        date_utc: date_utc(),
        delay_ms: opts.delay.as_secs_f64() * 1000.0,
        rtt_ms,
        platforms: seed::N_IMAGES,
        runs: opts.runs,
        ways,
        ratio,
    })
}

pub fn render_details(r: &DetailsReport) -> String {
    let mut s = format!(
        "Details of a {}-platform list (manifest + config per platform), {} ms one way (RTT {} ms), median of {} runs, {}\n\n",
        r.platforms, r.delay_ms, r.rtt_ms, r.runs, r.date_utc
    );
    s.push_str(&format!(
        "{:<62} {:>10} {:>9} {:>12}\n",
        "way", "median", "requests", "round trips"
    ));
    for w in &r.ways {
        match &w.error {
            Some(e) => s.push_str(&format!("{:<62} failed: {e}\n", w.label)),
            None => s.push_str(&format!(
                "{:<62} {:>8.0}ms {:>9} {:>12}\n",
                w.label,
                w.median_ms.unwrap_or(0.0),
                w.requests.map_or("-".into(), |n| n.to_string()),
                w.round_trips.map_or("-".into(), |n| format!("{n:.1}")),
            )),
        }
    }
    if let Some(x) = r.ratio {
        s.push_str(&format!(
            "\nmanifest-tui CLI is {x:.1}x faster than the skopeo script\n"
        ));
    }
    s
}
