//! The sync benchmark (issue #25): one skopeo sync YAML naming 12 tags (6-platform Docker
//! lists) in 4 repositories of one real registry, mirrored into fresh namespaces of another,
//! each registry behind its own delay proxy, by `manifest-tui sync` and `skopeo sync --all
//! --preserve-digests` in the same run, tools alternating; then the same sync again with
//! nothing changed. Reports wall time, peak resident memory (`wait4`'s `ru_maxrss`, through
//! `/usr/bin/time`, as `--copy` does), CPU and requests through both proxies, and checks that
//! every synced tag has the source's digest (`skopeo inspect --raw`, straight to the
//! destination registry).

use crate::copy::{self, Measured, PLATFORMS};
use manifest_core::digest::Digest;
use manifest_core::media;
use mt_testkit::delay::DelayProxy;
use mt_testkit::localreg::{LocalConfig, LocalRegistry};
use mt_testkit::samples::Seeder;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Source repositories (their last components differ: that is where each lands).
pub const REPOS: [&str; 4] = [
    "bench/sync/alpha",
    "bench/sync/bravo",
    "bench/sync/charlie",
    "bench/sync/delta",
];
/// Tags of each repository: 4 × 3 = 12 lists.
pub const TAGS: [&str; 3] = ["1.0", "1.1", "2.0"];

/// Targets of the issue.
pub const FIRST_TARGET: f64 = 5.0;
pub const RESYNC_TARGET: f64 = 10.0;
pub const RSS_TARGET_MIB: f64 = 64.0;

#[derive(Clone, Debug)]
pub struct SyncBenchOptions {
    pub delay: Duration,
    /// Layer size of each image, in KiB.
    pub kib: usize,
    pub runs: usize,
    pub manifest_tui: PathBuf,
    pub skopeo: Option<PathBuf>,
    pub show_requests: bool,
}

/// A distinct seed for (repository, tag, platform).
fn seed_of(r: usize, t: usize, i: usize) -> u64 {
    // Even and distinct before `| 1`, so every stream differs.
    (((r * TAGS.len() + t) * PLATFORMS.len() + i + 1) as u64 * 2)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ 0x5e17_c000_0000_0000
}

/// Seed the 12 lists (each image its own layer of `kib` KiB of noise and its own config);
/// returns (`repo:tag`, digest).
async fn seed(base: &str, kib: usize) -> Result<Vec<(String, Digest)>, String> {
    let s = Seeder::new(base, None)?;
    let mut out = Vec::new();
    for (r, repo) in REPOS.iter().enumerate() {
        for (t, tag) in TAGS.iter().enumerate() {
            let images = (0..PLATFORMS.len())
                .map(|i| copy::noise_image(repo, i, kib << 10, seed_of(r, t, i), false))
                .collect();
            let d = copy::push_list(&s, repo, tag, media::DOCKER_LIST, images).await?;
            out.push((format!("{repo}:{tag}"), d));
        }
    }
    Ok(out)
}

/// The sync file: the source registry (its proxy's address) with `tls-verify: false` and
/// every repository's three tags.
pub fn yaml(source_host: &str) -> String {
    let mut s = format!("\"{source_host}\":\n  tls-verify: false\n  images:\n");
    for repo in REPOS {
        let tags: Vec<String> = TAGS.iter().map(|t| format!("\"{t}\"")).collect();
        s.push_str(&format!("    {repo}: [{}]\n", tags.join(", ")));
    }
    s
}

/// Every synced tag under `namespace` (on the destination registry `direct`, no proxy) has
/// its source's digest.
fn check(
    skopeo: &Path,
    direct: &str,
    namespace: &str,
    want: &[(String, Digest)],
) -> Result<(), String> {
    for (name, d) in want {
        let last = name.rsplit('/').next().unwrap_or(name);
        let place = format!("docker://{direct}/{namespace}/{last}");
        let got = copy::skopeo_digest(skopeo, &["--tls-verify=false"], &place)?;
        if &got != d {
            return Err(format!("{place} has {got}, the source {name} has {d}"));
        }
    }
    Ok(())
}

/// The whole benchmark: every measurement.
pub fn run(opts: &SyncBenchOptions) -> Result<Vec<Measured>, String> {
    let rt = crate::run::runtime()?;
    let src = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    let dst = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    eprintln!(
        "mt-bench sync: seeding {} lists of {} platforms x {} KiB at {}...",
        REPOS.len() * TAGS.len(),
        PLATFORMS.len(),
        opts.kib,
        src.base_url()
    );
    let want = rt.block_on(seed(&src.base_url(), opts.kib))?;
    let (sp, dp) = rt.block_on(async {
        let a = DelayProxy::start(copy::upstream(&src)?, opts.delay)
            .await
            .map_err(|e| e.to_string())?;
        let b = DelayProxy::start(copy::upstream(&dst)?, opts.delay)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((a, b))
    })?;
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let cfg = copy::empty_docker_config(work.path())?;
    let file = work.path().join("sync.yaml");
    std::fs::write(&file, yaml(&sp.host())).map_err(|e| e.to_string())?;
    let file = file.to_string_lossy().into_owned();
    let proxies = [("source", &sp), ("target", &dp)];
    let direct = format!("127.0.0.1:{}", dst.port());
    let mut out = Vec::new();
    for n in 0..opts.runs {
        // Alternate which tool goes first.
        let mut tools: Vec<&str> = vec!["manifest-tui"];
        if opts.skopeo.is_some() {
            tools.push("skopeo");
        }
        if n % 2 == 1 {
            tools.reverse();
        }
        for tool in tools {
            let (prog, namespace, mut args) = match tool {
                "skopeo" => (
                    opts.skopeo.clone().unwrap_or_default(),
                    format!("skopeo/run{n}"),
                    [
                        "sync",
                        "--all",
                        "--preserve-digests",
                        "--src",
                        "yaml",
                        "--dest",
                        "docker",
                        "--src-tls-verify=false",
                        "--dest-tls-verify=false",
                    ]
                    .map(String::from)
                    .to_vec(),
                ),
                _ => (
                    opts.manifest_tui.clone(),
                    format!("mt/run{n}"),
                    vec!["sync".to_string()],
                ),
            };
            args.push(file.clone());
            args.push(format!("{}/{namespace}", dp.host()));
            for what in ["sync, 12 tags", "re-sync, unchanged"] {
                let (m, _) = copy::measure(
                    &proxies,
                    (tool, what),
                    &prog,
                    &args,
                    &cfg,
                    opts.show_requests,
                )?;
                out.push(m);
            }
            if let Some(skopeo) = &opts.skopeo {
                check(skopeo, &direct, &namespace, &want)?;
            }
        }
    }
    Ok(out)
}

/// The medians, the ratios and the targets.
pub fn render(opts: &SyncBenchOptions, m: &[Measured]) -> String {
    let rows = copy::medians(m);
    let mut s = format!(
        "sync of {} tags ({}-platform lists, {} KiB layers) in {} repositories, {} ms one way per proxy, {} run(s) per tool; medians\n\n",
        REPOS.len() * TAGS.len(),
        PLATFORMS.len(),
        opts.kib,
        REPOS.len(),
        opts.delay.as_millis(),
        opts.runs
    );
    s.push_str(&copy::medians_table(&rows));
    s.push('\n');
    for (what, target) in [
        ("sync, 12 tags", FIRST_TARGET),
        ("re-sync, unchanged", RESYNC_TARGET),
    ] {
        if let (Some(a), Some(b)) = (
            copy::median_of(&rows, "manifest-tui", what),
            copy::median_of(&rows, "skopeo", what),
        ) {
            s.push_str(&format!(
                "{what}: skopeo / manifest-tui = {:.1}x (target >= {target}x: {})\n",
                b / a,
                copy::met(b / a >= target)
            ));
        }
    }
    let peak = m
        .iter()
        .filter(|x| x.tool == "manifest-tui")
        .map(|x| x.max_rss_kib)
        .max()
        .unwrap_or(0) as f64
        / 1024.0;
    s.push_str(&format!(
        "manifest-tui's highest peak RSS: {peak:.1} MiB (target <= {RSS_TARGET_MIB} MiB: {})\n",
        copy::met(peak <= RSS_TARGET_MIB)
    ));
    if opts.skopeo.is_some() {
        s.push_str("every synced tag has its source's digest (skopeo inspect --raw)\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_names_every_tag_and_seeds_differ() {
        let y = yaml("127.0.0.1:5000");
        assert!(y.starts_with("\"127.0.0.1:5000\":\n  tls-verify: false\n"));
        assert!(y.contains("    bench/sync/delta: [\"1.0\", \"1.1\", \"2.0\"]\n"));
        let mut seeds: Vec<u64> = (0..REPOS.len())
            .flat_map(|r| {
                (0..TAGS.len())
                    .flat_map(move |t| (0..PLATFORMS.len()).map(move |i| seed_of(r, t, i)))
            })
            .map(|x| x | 1)
            .collect();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), REPOS.len() * TAGS.len() * PLATFORMS.len());
    }
}
