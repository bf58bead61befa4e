//! The benchmark driver: scenarios, timing, medians, targets, the table and the JSON report.
//!
//! Every scenario runs each tool once as a warm-up, then `runs` times alternating docker and
//! manifest-tui, through the delay proxy; then `baseline_runs` times with the proxy's delay
//! set to 0, so that the latency a command pays can be expressed in round trips:
//! `(median with delay − median without) / RTT`.

use crate::seed;
use mt_testkit::delay::{Counters, DelayProxy};
use mt_testkit::localreg::{LocalConfig, LocalRegistry};
use mt_testkit::samples;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Settings of one benchmark run.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// One-way delay the proxy adds.
    pub delay: Duration,
    /// Timed runs per tool and operation.
    pub runs: usize,
    /// Untimed warm-up runs per tool and operation.
    pub warmup: usize,
    /// Runs per tool and operation with the delay at 0 (for the round-trip estimate); 0 = skip.
    pub baseline_runs: usize,
    /// The docker CLI; `None` = measure manifest-tui alone.
    pub docker: Option<PathBuf>,
    /// The manifest-tui binary; `None` = measure docker alone.
    pub manifest_tui: Option<PathBuf>,
    /// Limit for one command.
    pub command_timeout: Duration,
    /// Print each command's progress to stderr.
    pub verbose: bool,
}

/// The operations measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    Inspect6,
    Inspect24,
    Create6,
    Push6,
    Repush6,
    /// One list alone (`inspect` without `-v`): what `diff` pays for its two lists, fetched
    /// at once.
    List24,
    /// `diff` of two 24-platform lists whose every image differs, with details.
    Diff24,
}

impl Op {
    pub const ALL: [Op; 7] = [
        Op::Inspect6,
        Op::Inspect24,
        Op::Create6,
        Op::Push6,
        Op::Repush6,
        Op::List24,
        Op::Diff24,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Op::Inspect6 => "inspect -v, N=6",
            Op::Inspect24 => "inspect -v, N=24",
            Op::Create6 => "create, N=6",
            Op::Push6 => "push, N=6 (cross-repo)",
            Op::Repush6 => "re-push unchanged, N=6",
            Op::List24 => "inspect the list, N=24",
            Op::Diff24 => "diff with details, N=24",
        }
    }

    /// The target this operation must meet, in words.
    pub fn target(self) -> &'static str {
        match self {
            Op::Inspect6 | Op::Create6 => ">= 6x docker",
            Op::Inspect24 => ">= 20x docker",
            Op::Push6 => ">= 10x docker",
            Op::Repush6 => "<= 3 round trips",
            Op::List24 => "(the lists' cost)",
            Op::Diff24 => "<= 3 RTs after lists",
        }
    }
}

/// One tool's numbers for one operation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ToolResult {
    /// Wall-clock milliseconds of each timed run (with the delay).
    pub runs_ms: Vec<f64>,
    pub median_ms: Option<f64>,
    /// Milliseconds of each run with the delay at 0.
    pub baseline_ms: Vec<f64>,
    pub baseline_median_ms: Option<f64>,
    /// `(median − baseline median) / RTT`: the round trips of latency the command paid.
    pub round_trips: Option<f64>,
    /// Proxy counters of the last timed run.
    pub requests: Option<u64>,
    pub connections: Option<u64>,
    /// The request lines of the last timed run (`#conn METHOD target`).
    pub request_log: Vec<String>,
    /// What went wrong, if the tool could not do the operation.
    pub error: Option<String>,
    /// For push: the list digest the tool printed last.
    pub pushed_digest: Option<String>,
}

/// One row of the report.
#[derive(Clone, Debug, Serialize)]
pub struct OpResult {
    pub op: Op,
    pub label: &'static str,
    pub target: &'static str,
    pub docker: Option<ToolResult>,
    pub manifest_tui: Option<ToolResult>,
    /// docker median / manifest-tui median.
    pub ratio: Option<f64>,
    /// Whether the target is met; `None` when it cannot be judged (a tool missing or failed).
    pub met: Option<bool>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub date_utc: String,
    pub cpus: usize,
    pub delay_ms: f64,
    pub rtt_ms: f64,
    pub runs: usize,
    pub warmup: usize,
    pub baseline_runs: usize,
    pub docker_version: Option<String>,
    pub manifest_tui: Option<String>,
    pub registry: String,
    pub notes: Vec<String>,
    pub results: Vec<OpResult>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Docker,
    Ours,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Docker => "docker",
            Tool::Ours => "manifest-tui",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Warmup,
    Timed,
    Baseline,
}

/// What the scenarios need to know.
struct Ctx<'a> {
    opts: &'a BenchOptions,
    proxy: &'a DelayProxy,
    work: &'a Path,
    rt: &'a tokio::runtime::Runtime,
    seq: std::cell::Cell<u64>,
}

/// Results being collected: per (op, tool).
#[derive(Default)]
struct Acc {
    docker: [ToolResult; 7],
    ours: [ToolResult; 7],
}

impl Acc {
    fn get(&mut self, tool: Tool, op: Op) -> &mut ToolResult {
        let i = Op::ALL.iter().position(|o| *o == op).unwrap_or(0);
        match tool {
            Tool::Docker => &mut self.docker[i],
            Tool::Ours => &mut self.ours[i],
        }
    }
}

/// Start a registry, seed it, put the proxy in front and run every scenario.
pub fn run(opts: &BenchOptions) -> Result<Report, String> {
    if opts.docker.is_none() && opts.manifest_tui.is_none() {
        return Err(
            "nothing to measure: neither the docker CLI nor manifest-tui is available".into(),
        );
    }
    let rt = runtime()?;
    let reg = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    let base = reg.base_url();
    eprintln!("mt-bench: registry at {base}; seeding...");
    rt.block_on(samples::seed(&base, None))?;
    rt.block_on(seed::seed(&base))?;
    let upstream: std::net::SocketAddr = format!("127.0.0.1:{}", reg.port())
        .parse()
        .map_err(|e| format!("bad registry address: {e}"))?;
    let proxy = rt
        .block_on(DelayProxy::start(upstream, opts.delay))
        .map_err(|e| e.to_string())?;
    eprintln!(
        "mt-bench: delay proxy at {} ({} ms one way)",
        proxy.host(),
        opts.delay.as_millis()
    );
    let work = tempfile::Builder::new()
        .prefix("mt-bench-")
        .tempdir()
        .map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let ctx = Ctx {
        opts,
        proxy: &proxy,
        work: work.path(),
        rt: &rt,
        seq: std::cell::Cell::new(0),
    };
    let mut notes = Vec::new();
    let docker_version = opts.docker.as_ref().map(|d| version_of(d, &["--version"]));
    let ours_version = opts
        .manifest_tui
        .as_ref()
        .map(|m| format!("{} ({})", version_of(m, &["--version"]), m.display()));
    if opts.docker.is_none() {
        notes.push("the docker CLI was not found: manifest-tui's numbers alone, no ratios".into());
    }
    if opts.manifest_tui.is_none() {
        notes.push("the manifest-tui binary was not found: docker's numbers alone".into());
    }

    let mut acc = Acc::default();
    scenario(&ctx, &mut acc, Scenario::Inspect { n: 6 });
    scenario(&ctx, &mut acc, Scenario::Inspect { n: 24 });
    scenario(&ctx, &mut acc, Scenario::Create);
    scenario(&ctx, &mut acc, Scenario::Push);
    scenario(&ctx, &mut acc, Scenario::Diff);
    proxy.set_delay(opts.delay);

    let rtt_ms = opts.delay.as_secs_f64() * 2000.0;
    let mut results = Vec::new();
    for op in Op::ALL {
        let mut d = opts
            .docker
            .as_ref()
            .map(|_| acc.get(Tool::Docker, op).clone());
        let mut m = opts
            .manifest_tui
            .as_ref()
            .map(|_| acc.get(Tool::Ours, op).clone());
        for t in [&mut d, &mut m].into_iter().flatten() {
            finish(t, rtt_ms);
        }
        let ratio = match (&d, &m) {
            (Some(d), Some(m)) => match (d.median_ms, m.median_ms) {
                (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                _ => None,
            },
            _ => None,
        };
        let met = match op {
            Op::Inspect6 | Op::Create6 => ratio.map(|r| r >= 6.0),
            Op::Inspect24 => ratio.map(|r| r >= 20.0),
            Op::Push6 => ratio.map(|r| r >= 10.0),
            Op::Repush6 => m
                .as_ref()
                .and_then(|m| m.round_trips)
                .map(|rt| rt.round() <= 3.0),
            Op::List24 => None,
            // The round trips after the two lists: the diff's less one list's (both lists
            // are fetched at once).
            Op::Diff24 => {
                let mut lists = acc.get(Tool::Ours, Op::List24).clone();
                finish(&mut lists, rtt_ms);
                match (m.as_ref().and_then(|m| m.round_trips), lists.round_trips) {
                    (Some(d), Some(l)) => Some((d - l).round() <= 3.0),
                    _ => None,
                }
            }
        };
        results.push(OpResult {
            op,
            label: op.label(),
            target: op.target(),
            docker: d,
            manifest_tui: m,
            ratio,
            met,
        });
    }
    if let Some(r) = results.iter().find(|r| r.op == Op::Push6) {
        if let (Some(Some(a)), Some(Some(b))) = (
            r.docker.as_ref().map(|t| t.pushed_digest.clone()),
            r.manifest_tui.as_ref().map(|t| t.pushed_digest.clone()),
        ) {
            if a == b {
                notes.push(format!("both tools pushed the same list digest {a}"));
            } else {
                notes.push(format!(
                    "the tools pushed different list digests: docker {a}, manifest-tui {b}"
                ));
            }
        }
    }
    Ok(Report {
        date_utc: date_utc(),
        cpus: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        delay_ms: opts.delay.as_secs_f64() * 1000.0,
        rtt_ms,
        runs: opts.runs,
        warmup: opts.warmup,
        baseline_runs: opts.baseline_runs,
        docker_version,
        manifest_tui: ours_version,
        registry: format!("Distribution ({})", reg.base_url()),
        notes,
        results,
    })
}

/// The benchmark's async runtime (two workers, like the machine), with rustls' provider set.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn finish(t: &mut ToolResult, rtt_ms: f64) {
    t.median_ms = median(&t.runs_ms);
    t.baseline_median_ms = median(&t.baseline_ms);
    t.round_trips = match (t.median_ms, t.baseline_median_ms) {
        (Some(m), Some(b)) if rtt_ms > 0.0 => Some(((m - b) / rtt_ms).max(0.0)),
        (Some(m), None) if rtt_ms > 0.0 => Some(m / rtt_ms),
        _ => None,
    };
}

/// The median of `v` (mean of the middle two for an even count).
pub fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    })
}

#[derive(Clone, Copy, Debug)]
enum Scenario {
    Inspect {
        n: usize,
    },
    Create,
    /// push to a fresh target, then push the same list again
    Push,
    /// one 24-entry list alone, then `diff` of two (manifest-tui only: docker has no diff)
    Diff,
}

fn scenario(ctx: &Ctx<'_>, acc: &mut Acc, sc: Scenario) {
    let docker = match sc {
        Scenario::Diff => None,
        _ => ctx.opts.docker.as_ref(),
    };
    let tools: Vec<Tool> = [
        docker.map(|_| Tool::Docker),
        ctx.opts.manifest_tui.as_ref().map(|_| Tool::Ours),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut failed: Vec<Tool> = Vec::new();
    let plan = std::iter::repeat_n(Phase::Warmup, ctx.opts.warmup)
        .chain(std::iter::repeat_n(Phase::Timed, ctx.opts.runs))
        .chain(std::iter::repeat_n(Phase::Baseline, ctx.opts.baseline_runs));
    for phase in plan {
        ctx.proxy.set_delay(if phase == Phase::Baseline {
            Duration::ZERO
        } else {
            ctx.opts.delay
        });
        for &tool in &tools {
            if failed.contains(&tool) {
                continue;
            }
            if let Err((op, e)) = one(ctx, acc, sc, tool, phase) {
                eprintln!("mt-bench: {} failed {}: {e}", tool.name(), op.label());
                acc.get(tool, op).error = Some(e.clone());
                if let Op::Push6 = op {
                    acc.get(tool, Op::Repush6).error =
                        Some("not measured: the first push failed".into());
                }
                failed.push(tool);
            }
        }
    }
}

/// Arguments and the tool's binary.
fn program(ctx: &Ctx<'_>, tool: Tool) -> PathBuf {
    match tool {
        Tool::Docker => ctx.opts.docker.clone().unwrap_or_default(),
        Tool::Ours => ctx.opts.manifest_tui.clone().unwrap_or_default(),
    }
}

fn args(tool: Tool, rest: &[String]) -> Vec<String> {
    let mut a = Vec::new();
    if tool == Tool::Docker {
        a.push("manifest".to_string());
    }
    a.extend(rest.iter().cloned());
    a
}

fn one(
    ctx: &Ctx<'_>,
    acc: &mut Acc,
    sc: Scenario,
    tool: Tool,
    phase: Phase,
) -> Result<(), (Op, String)> {
    let n = ctx.seq.get() + 1;
    ctx.seq.set(n);
    let host = ctx.proxy.host();
    let cfg = ctx.work.join(format!("cfg-{}-{n}", tool.name()));
    let primary = match sc {
        Scenario::Inspect { n: 6 } => Op::Inspect6,
        Scenario::Inspect { .. } => Op::Inspect24,
        Scenario::Create => Op::Create6,
        Scenario::Push => Op::Push6,
        Scenario::Diff => Op::Diff24,
    };
    std::fs::create_dir_all(&cfg)
        .map_err(|e| (primary, format!("cannot create {}: {e}", cfg.display())))?;
    let six: Vec<String> = samples::PLATFORMS
        .iter()
        .map(|p| format!("{host}/{}:v1", samples::image_repo(p, false)))
        .collect();
    match sc {
        Scenario::Inspect { n: size } => {
            let op = if size == 6 {
                Op::Inspect6
            } else {
                Op::Inspect24
            };
            let target = if size == 6 {
                format!("{host}/{}:v1", samples::LIST_REPO)
            } else {
                format!("{host}/{}:{}", seed::LIST24_REPO, seed::TAG)
            };
            let a = args(
                tool,
                &["inspect".into(), "--insecure".into(), "-v".into(), target],
            );
            let out = timed(ctx, acc, tool, op, phase, &a, &cfg)?;
            let entries = serde_json::from_str::<serde_json::Value>(&out)
                .ok()
                .and_then(|v| v.as_array().map(|a| a.len()));
            if entries != Some(size) {
                return Err((
                    op,
                    format!(
                        "expected a JSON array of {size} entries on stdout, got {}",
                        entries.map_or("something else".to_string(), |n| format!("{n} entries"))
                    ),
                ));
            }
        }
        Scenario::Create => {
            let list = format!("{host}/bench/created-{}-{n}:v1", tool.name());
            let mut rest = vec!["create".to_string(), "--insecure".into(), list];
            rest.extend(six.iter().cloned());
            timed(ctx, acc, tool, Op::Create6, phase, &args(tool, &rest), &cfg)?;
        }
        Scenario::Push => {
            let list = format!("{host}/bench/pushed-{}-{n}:v1", tool.name());
            let mut rest = vec!["create".to_string(), "--insecure".into(), list.clone()];
            rest.extend(six.iter().cloned());
            run_cmd(ctx, tool, &args(tool, &rest), &cfg)
                .map_err(|e| (Op::Push6, format!("creating the list to push failed: {e}")))?;
            let push = args(tool, &["push".into(), "--insecure".into(), list]);
            let out = timed(ctx, acc, tool, Op::Push6, phase, &push, &cfg)?;
            let digest = out.lines().last().unwrap_or("").trim().to_string();
            if !digest.starts_with("sha256:") {
                return Err((
                    Op::Push6,
                    format!("push did not print the list digest last (got {digest:?})"),
                ));
            }
            acc.get(tool, Op::Push6).pushed_digest = Some(digest);
            timed(ctx, acc, tool, Op::Repush6, phase, &push, &cfg)?;
        }
        Scenario::Diff => {
            let at = |t: &str| format!("{host}/{}:{t}", seed::LIST24_REPO);
            let a = args(
                tool,
                &["inspect".into(), "--insecure".into(), at(seed::TAG)],
            );
            timed(ctx, acc, tool, Op::List24, phase, &a, &cfg)?;
            let a = args(
                tool,
                &[
                    "diff".into(),
                    "--insecure".into(),
                    "--format".into(),
                    "json".into(),
                    at(seed::TAG),
                    at(seed::TAG2),
                ],
            );
            // Every platform differs: exit 1 is the expected answer.
            let out = timed_exits(ctx, acc, tool, Op::Diff24, phase, &a, &cfg, &[0, 1])?;
            let v: serde_json::Value = serde_json::from_str(&out)
                .map_err(|e| (Op::Diff24, format!("diff printed no JSON: {e}")))?;
            let changed = v["counts"]["layers-changed"].as_u64();
            if changed != Some(seed::N_IMAGES as u64) {
                return Err((
                    Op::Diff24,
                    format!(
                        "expected {} layers-changed platforms, got {changed:?}",
                        seed::N_IMAGES
                    ),
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&cfg);
    Ok(())
}

/// Run a command through the proxy, timing it and recording the proxy's counters.
fn timed(
    ctx: &Ctx<'_>,
    acc: &mut Acc,
    tool: Tool,
    op: Op,
    phase: Phase,
    args: &[String],
    cfg: &Path,
) -> Result<String, (Op, String)> {
    timed_exits(ctx, acc, tool, op, phase, args, cfg, &[0])
}

/// [`timed`] with the exit codes that count as an answer (`diff`'s 1: the two differ).
#[allow(clippy::too_many_arguments)]
fn timed_exits(
    ctx: &Ctx<'_>,
    acc: &mut Acc,
    tool: Tool,
    op: Op,
    phase: Phase,
    args: &[String],
    cfg: &Path,
    ok: &[i32],
) -> Result<String, (Op, String)> {
    ctx.proxy.reset();
    let (elapsed, out) = run_cmd_exits(ctx, tool, args, cfg, ok).map_err(|e| (op, e))?;
    let ms = elapsed.as_secs_f64() * 1000.0;
    let c: Counters = ctx.proxy.counters();
    if ctx.opts.verbose {
        eprintln!(
            "  {:<13} {:<24} {:?}: {ms:8.1} ms, {} requests, {} connections",
            tool.name(),
            op.label(),
            phase,
            c.requests,
            c.connections
        );
    }
    let r = acc.get(tool, op);
    match phase {
        Phase::Warmup => {}
        Phase::Timed => {
            r.runs_ms.push(ms);
            r.requests = Some(c.requests);
            r.connections = Some(c.connections);
            r.request_log = ctx.proxy.request_log();
        }
        Phase::Baseline => r.baseline_ms.push(ms),
    }
    Ok(out)
}

/// Run `program args` with `DOCKER_CONFIG=cfg`; the wall time and stdout, or why it failed.
fn run_cmd(
    ctx: &Ctx<'_>,
    tool: Tool,
    args: &[String],
    cfg: &Path,
) -> Result<(Duration, String), String> {
    run_cmd_exits(ctx, tool, args, cfg, &[0])
}

/// [`run_cmd`], with the exit codes that count as success.
fn run_cmd_exits(
    ctx: &Ctx<'_>,
    tool: Tool,
    args: &[String],
    cfg: &Path,
    ok: &[i32],
) -> Result<(Duration, String), String> {
    let prog = program(ctx, tool);
    let mut cmd = tokio::process::Command::new(&prog);
    cmd.args(args)
        .env("DOCKER_CONFIG", cfg)
        .env("DOCKER_CLI_HINTS", "false")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for k in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(k);
    }
    let shown = format!("{} {}", prog.display(), args.join(" "));
    let limit = ctx.opts.command_timeout;
    let res = ctx.rt.block_on(async {
        let t0 = Instant::now();
        let out = tokio::time::timeout(limit, cmd.output()).await;
        (t0.elapsed(), out)
    });
    match res {
        (_, Err(_)) => Err(format!(
            "`{shown}` did not finish within {} s",
            limit.as_secs()
        )),
        (_, Ok(Err(e))) => Err(format!("cannot run `{shown}`: {e}")),
        (t, Ok(Ok(o))) => {
            if o.status.code().is_some_and(|c| ok.contains(&c)) {
                Ok((t, String::from_utf8_lossy(&o.stdout).into_owned()))
            } else {
                let err = String::from_utf8_lossy(&o.stderr);
                let tail: String = err.trim().chars().take(600).collect();
                Err(format!("`{shown}` exited with {}: {tail}", o.status))
            }
        }
    }
}

fn version_of(prog: &Path, args: &[&str]) -> String {
    match std::process::Command::new(prog).args(args).output() {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => "unknown version".into(),
    }
}

/// `YYYY-MM-DD HH:MM UTC` now.
pub fn date_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn fmt_ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.0}"))
}

fn fmt_count(v: Option<u64>) -> String {
    v.map_or("-".into(), |v| v.to_string())
}

fn fmt_rt(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

/// The report as a plain-text table with notes.
pub fn render_table(r: &Report) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "manifest-tui vs docker manifest — {} ms one-way delay (RTT {} ms), median of {} runs after {} warm-up, {} CPUs, {}\n",
        r.delay_ms, r.rtt_ms, r.runs, r.warmup, r.cpus, r.date_utc
    ));
    s.push_str(&format!(
        "docker: {}\nmanifest-tui: {}\n\n",
        r.docker_version.as_deref().unwrap_or("absent"),
        r.manifest_tui.as_deref().unwrap_or("absent")
    ));
    let head = format!(
        "{:<24} | {:>9} {:>4} {:>4} {:>5} | {:>9} {:>4} {:>4} {:>5} | {:>7} | {:<16} | {}\n",
        "operation",
        "docker ms",
        "req",
        "conn",
        "RTs",
        "mt ms",
        "req",
        "conn",
        "RTs",
        "ratio",
        "target",
        "met"
    );
    s.push_str(&head);
    s.push_str(&format!("{}\n", "-".repeat(head.len().saturating_sub(1))));
    for row in &r.results {
        let cols = |t: &Option<ToolResult>| match t {
            None => ("absent".to_string(), "-".into(), "-".into(), "-".into()),
            Some(t) if t.error.is_some() => {
                ("FAILED".to_string(), "-".into(), "-".into(), "-".into())
            }
            Some(t) => (
                fmt_ms(t.median_ms),
                fmt_count(t.requests),
                fmt_count(t.connections),
                fmt_rt(t.round_trips),
            ),
        };
        let (dm, dr, dc, drt) = cols(&row.docker);
        let (mm, mr, mc, mrt) = cols(&row.manifest_tui);
        let ratio = row.ratio.map_or("-".into(), |x| format!("{x:.1}x"));
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "n/a",
        };
        s.push_str(&format!(
            "{:<24} | {dm:>9} {dr:>4} {dc:>4} {drt:>5} | {mm:>9} {mr:>4} {mc:>4} {mrt:>5} | {ratio:>7} | {:<16} | {met}\n",
            row.label, row.target
        ));
    }
    s.push_str("\nreq/conn: HTTP requests and TCP connections of one run, counted by the proxy.\n");
    s.push_str(
        "RTs: round trips of latency paid = (median with delay - median with no delay) / RTT.\n",
    );
    for row in &r.results {
        for (name, t) in [("docker", &row.docker), ("manifest-tui", &row.manifest_tui)] {
            if let Some(e) = t.as_ref().and_then(|t| t.error.as_ref()) {
                s.push_str(&format!("note: {name} {}: {e}\n", row.label));
            }
        }
    }
    for n in &r.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s
}

/// The connections and requests of each tool's last timed run, per operation.
pub fn render_request_logs(r: &Report) -> String {
    let mut s = String::new();
    for row in &r.results {
        for (name, t) in [("docker", &row.docker), ("manifest-tui", &row.manifest_tui)] {
            let Some(t) = t else { continue };
            if t.request_log.is_empty() {
                continue;
            }
            s.push_str(&format!(
                "\n{name} — {} (time the client sent it, connection, request):\n",
                row.label
            ));
            for l in &t.request_log {
                s.push_str(&format!("  {l}\n"));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn round_trips_from_baseline() {
        let mut t = ToolResult {
            runs_ms: vec![560.0, 540.0, 550.0],
            baseline_ms: vec![50.0, 60.0, 40.0],
            ..Default::default()
        };
        finish(&mut t, 50.0);
        assert_eq!(t.median_ms, Some(550.0));
        assert_eq!(t.round_trips, Some(10.0));
    }
}
