//! The copy benchmark: a 6-platform list with incompressible layers on one real registry,
//! copied to another, each registry behind its own delay proxy, by `manifest-tui copy` and
//! `skopeo copy --all` in the same run. Reports wall time, peak resident memory (from
//! `/usr/bin/time`), requests through both proxies, and a re-copy of the unchanged list.

use manifest_core::digest::Digest;
use manifest_core::media;
use mt_testkit::delay::DelayProxy;
use mt_testkit::localreg::{LocalConfig, LocalRegistry};
use mt_testkit::samples::{self, SampleImage, Seeder};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Repository (on the source registry) of the list and its children.
pub const REPO: &str = "bench/copy";
/// Platforms of the list: six, like the samples.
pub const PLATFORMS: [&str; 6] = [
    "linux/amd64",
    "linux/arm64",
    "linux/arm",
    "linux/ppc64le",
    "linux/s390x",
    "linux/386",
];

#[derive(Clone, Debug)]
pub struct CopyBenchOptions {
    pub delay: Duration,
    /// Layer size per platform, in MiB.
    pub mib: usize,
    pub runs: usize,
    pub manifest_tui: PathBuf,
    /// `skopeo` (None: skipped).
    pub skopeo: Option<PathBuf>,
    /// Print each command's requests through both proxies (source first) to stderr.
    pub show_requests: bool,
}

/// Incompressible bytes: xorshift64* from `seed` (seeds differing only in the lowest bit
/// give the same bytes).
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Platform `i`'s image: a config and one layer of `mib` MiB of noise (stored as a gzip
/// layer: registries do not look inside).
fn image(i: usize, mib: usize) -> SampleImage {
    noise_image(
        REPO,
        i,
        mib << 20,
        (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        false,
    )
}

/// An image of `repo` for platform `i` of [`PLATFORMS`]: a config and one layer of `len`
/// bytes of [`noise`] from `seed`, Docker schema 2 or (`oci`) OCI media types.
pub fn noise_image(repo: &str, i: usize, len: usize, seed: u64, oci: bool) -> SampleImage {
    let p = PLATFORMS[i % PLATFORMS.len()];
    let plat = samples::platform(p);
    let layer = noise(len, seed);
    let layer_digest = Digest::sha256(&layer);
    let config = serde_json::to_vec(&json!({
        "architecture": plat.architecture,
        "os": plat.os,
        "variant": plat.variant,
        "rootfs": {"type": "layers", "diff_ids": [layer_digest.as_str()]},
    }))
    .unwrap_or_default();
    let mut img = samples::image_of(config, vec![layer], oci);
    img.repo = repo.into();
    img.platform = plat;
    img
}

/// Push `images` by digest into `repo` (blobs first), then the list of them (`list_type`)
/// as `repo:tag`; returns the list's digest.
pub async fn push_list(
    s: &Seeder,
    repo: &str,
    tag: &str,
    list_type: &str,
    images: Vec<SampleImage>,
) -> Result<Digest, String> {
    let mut children = Vec::new();
    for img in images {
        for (d, bytes) in &img.blobs {
            s.upload_blob(repo, d, bytes).await?;
        }
        s.put_manifest(
            repo,
            img.digest.as_str(),
            img.media_type,
            &img.manifest,
            &img.digest,
        )
        .await?;
        children.push(SampleImage {
            blobs: Vec::new(),
            ..img
        });
    }
    let list = samples::list_body(list_type, &children);
    let d = Digest::sha256(&list);
    s.put_manifest(repo, tag, list_type, &list, &d).await?;
    Ok(d)
}

/// Seed the list `bench/copy:v1` (children by digest) at `base`; returns its digest.
async fn seed(base: &str, mib: usize) -> Result<Digest, String> {
    let s = Seeder::new(base, None)?;
    let images = (0..PLATFORMS.len()).map(|i| image(i, mib)).collect();
    push_list(&s, REPO, "v1", media::DOCKER_LIST, images).await
}

/// One measured command.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Measured {
    pub tool: String,
    pub what: String,
    pub seconds: f64,
    /// Peak resident set of the process, KiB.
    pub max_rss_kib: u64,
    /// CPU time of the process (user + system), seconds.
    pub cpu_seconds: f64,
    /// HTTP requests through the source's and the target's proxy.
    pub requests: u64,
    /// Bytes through the target's proxy, upwards.
    pub bytes_up: u64,
}

/// Run `prog args` under `/usr/bin/time`: wall seconds, peak RSS (KiB), CPU seconds (user
/// and system) and stdout.
pub(crate) fn timed(
    prog: &Path,
    args: &[String],
    cfg: &Path,
) -> Result<(f64, u64, f64, String), String> {
    let t0 = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("MTBENCH %e %M %U %S")
        .arg(prog)
        .args(args)
        .env("DOCKER_CONFIG", cfg)
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time {}: {e}", prog.display()))?;
    let wall = t0.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "`{} {}` failed: {}",
            prog.display(),
            args.join(" "),
            err.trim()
        ));
    }
    let fields: Vec<f64> = err
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("MTBENCH "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let rss = fields.get(1).copied().unwrap_or(0.0) as u64;
    let cpu = fields.get(2).copied().unwrap_or(0.0) + fields.get(3).copied().unwrap_or(0.0);
    Ok((
        wall,
        rss,
        cpu,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

/// The whole benchmark. Prints progress to stderr; returns every measurement.
pub fn run(opts: &CopyBenchOptions) -> Result<Vec<Measured>, String> {
    let rt = crate::run::runtime()?;
    let src = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    let dst = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    eprintln!(
        "mt-bench copy: seeding {} platforms x {} MiB at {}...",
        PLATFORMS.len(),
        opts.mib,
        src.base_url()
    );
    let digest = rt.block_on(seed(&src.base_url(), opts.mib))?;
    let addr = |r: &LocalRegistry| -> Result<std::net::SocketAddr, String> {
        format!("127.0.0.1:{}", r.port())
            .parse()
            .map_err(|e| format!("bad registry address: {e}"))
    };
    let (sp, dp) = rt.block_on(async {
        let a = DelayProxy::start(addr(&src)?, opts.delay)
            .await
            .map_err(|e| e.to_string())?;
        let b = DelayProxy::start(addr(&dst)?, opts.delay)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((a, b))
    })?;
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let cfg = work.path().join("docker");
    std::fs::create_dir_all(&cfg).map_err(|e| e.to_string())?;
    std::fs::write(cfg.join("config.json"), "{\"auths\":{}}").map_err(|e| e.to_string())?;
    let from = format!("{}/{REPO}:v1", sp.host());
    let mut out = Vec::new();
    let mut measure = |tool: &str, what: &str, prog: &Path, args: Vec<String>| {
        sp.reset();
        dp.reset();
        let (seconds, rss, cpu_seconds, stdout) = timed(prog, &args, &cfg)?;
        let (s, d) = (sp.counters(), dp.counters());
        let m = Measured {
            tool: tool.into(),
            what: what.into(),
            seconds,
            max_rss_kib: rss,
            cpu_seconds,
            requests: s.requests + d.requests,
            bytes_up: d.bytes_up,
        };
        if opts.show_requests {
            for (side, p) in [("source", &sp), ("target", &dp)] {
                for line in p.request_log() {
                    eprintln!("    {side} {line}");
                }
            }
        }
        eprintln!(
            "  {tool:<12} {what:<19} {seconds:>7.2} s  {:>6.1} MiB  {cpu_seconds:>5.2} s CPU  {:>4} requests",
            rss as f64 / 1024.0,
            m.requests
        );
        out.push(m);
        Ok::<_, String>(stdout)
    };
    for n in 0..opts.runs {
        let to = format!("{}/mt/run{n}:v1", dp.host());
        let stdout = measure(
            "manifest-tui",
            "copy",
            &opts.manifest_tui,
            vec!["copy".into(), from.clone(), to.clone()],
        )?;
        if !stdout.trim_end().ends_with(digest.as_str()) {
            return Err(format!(
                "manifest-tui copied to another digest than {digest}: {stdout}"
            ));
        }
        measure(
            "manifest-tui",
            "re-copy",
            &opts.manifest_tui,
            vec!["copy".into(), from.clone(), to],
        )?;
        // What --referrers costs: the same copy to a fresh repository, asking the source for
        // what refers to the list and each entry (nothing here) and the target for each
        // subject found; then again, unchanged.
        let to = format!("{}/mt-referrers/run{n}:v1", dp.host());
        let with = |to: &str| vec!["copy".into(), "--referrers".into(), from.clone(), to.into()];
        measure(
            "manifest-tui",
            "copy --referrers",
            &opts.manifest_tui,
            with(&to),
        )?;
        measure(
            "manifest-tui",
            "re-copy --referrers",
            &opts.manifest_tui,
            with(&to),
        )?;
        if let Some(skopeo) = &opts.skopeo {
            let to = format!("{}/skopeo/run{n}:v1", dp.host());
            measure(
                "skopeo",
                "copy",
                skopeo,
                vec![
                    "copy".into(),
                    "--all".into(),
                    "--src-tls-verify=false".into(),
                    "--dest-tls-verify=false".into(),
                    format!("docker://{from}"),
                    format!("docker://{to}"),
                ],
            )?;
        }
    }
    Ok(out)
}

/// The medians of one (tool, what).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Medians {
    pub tool: String,
    pub what: String,
    pub runs: usize,
    pub seconds: f64,
    pub max_rss_mib: f64,
    pub cpu_seconds: f64,
    pub requests: f64,
}

/// The medians of each (tool, what), in the order they first ran.
pub fn medians(m: &[Measured]) -> Vec<Medians> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for x in m {
        let k = (x.tool.clone(), x.what.clone());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let med = |v: Vec<f64>| crate::run::median(&v).unwrap_or(0.0);
    keys.into_iter()
        .map(|(tool, what)| {
            let xs: Vec<&Measured> = m
                .iter()
                .filter(|x| x.tool == tool && x.what == what)
                .collect();
            Medians {
                runs: xs.len(),
                seconds: med(xs.iter().map(|x| x.seconds).collect()),
                max_rss_mib: med(xs.iter().map(|x| x.max_rss_kib as f64).collect()) / 1024.0,
                cpu_seconds: med(xs.iter().map(|x| x.cpu_seconds).collect()),
                requests: med(xs.iter().map(|x| x.requests as f64).collect()),
                tool,
                what,
            }
        })
        .collect()
}

/// The medians as a Markdown table.
pub fn medians_table(rows: &[Medians]) -> String {
    let mut s = String::from(
        "| tool | operation | time | peak RSS | CPU | requests |\n|---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {:.2} s | {:.1} MiB | {:.2} s | {:.0} |\n",
            r.tool, r.what, r.seconds, r.max_rss_mib, r.cpu_seconds, r.requests
        ));
    }
    s
}

/// The median time of (tool, what).
pub fn median_of(rows: &[Medians], tool: &str, what: &str) -> Option<f64> {
    rows.iter()
        .find(|r| r.tool == tool && r.what == what)
        .map(|r| r.seconds)
}

/// The median of each (tool, what), as a table.
pub fn render(opts: &CopyBenchOptions, m: &[Measured]) -> String {
    let rows = medians(m);
    let mut s = format!(
        "copy of a {}-platform list, {} MiB per platform, {} ms one way per proxy, {} run(s); medians\n\n",
        PLATFORMS.len(),
        opts.mib,
        opts.delay.as_millis(),
        opts.runs
    );
    s.push_str(&medians_table(&rows));
    if let (Some(a), Some(b)) = (
        median_of(&rows, "manifest-tui", "copy"),
        median_of(&rows, "skopeo", "copy"),
    ) {
        s.push_str(&format!(
            "\nmanifest-tui copy is {:.1}x faster than skopeo copy --all\n",
            b / a
        ));
    }
    s
}

/// Run `prog args` through [`timed`] with every proxy's counters reset first: the
/// measurement (requests summed over `proxies`, bytes up through the last one) and stdout.
/// Prints one line to stderr (and, with `show_requests`, every request, proxy by proxy).
pub(crate) fn measure(
    proxies: &[(&str, &DelayProxy)],
    (tool, what): (&str, &str),
    prog: &Path,
    args: &[String],
    cfg: &Path,
    show_requests: bool,
) -> Result<(Measured, String), String> {
    for (_, p) in proxies {
        p.reset();
    }
    let (seconds, rss, cpu_seconds, stdout) = timed(prog, args, cfg)?;
    let m = Measured {
        tool: tool.into(),
        what: what.into(),
        seconds,
        max_rss_kib: rss,
        cpu_seconds,
        requests: proxies.iter().map(|(_, p)| p.counters().requests).sum(),
        bytes_up: proxies.last().map_or(0, |(_, p)| p.counters().bytes_up),
    };
    if show_requests {
        for (side, p) in proxies {
            for line in p.request_log() {
                eprintln!("    {side} {line}");
            }
        }
    }
    eprintln!(
        "  {tool:<12} {what:<24} {seconds:>7.2} s  {:>6.1} MiB  {cpu_seconds:>5.2} s CPU  {:>4} requests",
        rss as f64 / 1024.0,
        m.requests
    );
    Ok((m, stdout))
}

/// The sha256 of the bytes `skopeo inspect --raw` reads at `place` (a transport and its
/// reference, `docker://…` or `oci:…`; `extra` before it, e.g. `--tls-verify=false`).
pub(crate) fn skopeo_digest(skopeo: &Path, extra: &[&str], place: &str) -> Result<Digest, String> {
    let out = Command::new(skopeo)
        .arg("inspect")
        .arg("--raw")
        .args(extra)
        .arg(place)
        .output()
        .map_err(|e| format!("cannot run skopeo inspect: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "skopeo inspect --raw {place}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(Digest::sha256(&out.stdout))
}

/// A temporary `DOCKER_CONFIG` with no credentials, under `work`.
pub(crate) fn empty_docker_config(work: &Path) -> Result<PathBuf, String> {
    let cfg = work.join("docker");
    std::fs::create_dir_all(&cfg).map_err(|e| e.to_string())?;
    std::fs::write(cfg.join("config.json"), "{\"auths\":{}}").map_err(|e| e.to_string())?;
    Ok(cfg)
}

/// `127.0.0.1:PORT` of a local registry, as the proxy's upstream.
pub(crate) fn upstream(r: &LocalRegistry) -> Result<std::net::SocketAddr, String> {
    format!("127.0.0.1:{}", r.port())
        .parse()
        .map_err(|e| format!("bad registry address: {e}"))
}

/// "yes" or "NO" for a target.
pub(crate) fn met(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "NO"
    }
}
