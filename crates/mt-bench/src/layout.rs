//! The layout benchmark (issue #26): a 6-platform OCI index whose images each have one
//! layer of incompressible bytes, on a real registry behind a delay proxy, copied into a
//! fresh OCI layout (`oci:DIR:TAG`) by `manifest-tui copy` and `skopeo copy --all
//! --preserve-digests`, tools alternating; and a layout copied to a fresh repository of a
//! second registry (behind its own proxy) by both. Reports wall time, peak resident memory
//! (`wait4`'s `ru_maxrss`, through `/usr/bin/time`, as `--copy` does), CPU and requests, and
//! checks that every result has the source's digest (`skopeo inspect --raw`). The index is
//! OCI-format: skopeo 1.9.3 reads only OCI media types from a layout.

use crate::copy::{self, Measured, PLATFORMS};
use manifest_core::digest::Digest;
use manifest_core::media;
use mt_testkit::delay::DelayProxy;
use mt_testkit::localreg::{LocalConfig, LocalRegistry};
use mt_testkit::samples::Seeder;
use std::path::PathBuf;
use std::time::Duration;

/// Repository (on the source registry) of the index and its children.
pub const REPO: &str = "bench/layout";
/// Its tag, and the layouts' ref name.
pub const TAG: &str = "v1";

/// Targets of the issue.
pub const SPEED_TARGET: f64 = 3.0;
pub const RSS_TARGET_MIB: f64 = 32.0;

/// The two operations.
pub const TO_LAYOUT: &str = "registry -> layout";
pub const FROM_LAYOUT: &str = "layout -> registry";

#[derive(Clone, Debug)]
pub struct LayoutBenchOptions {
    pub delay: Duration,
    /// Layer size per platform, in MiB.
    pub mib: usize,
    pub runs: usize,
    pub manifest_tui: PathBuf,
    pub skopeo: PathBuf,
    pub show_requests: bool,
}

/// Seed `bench/layout:v1`, an OCI index over six OCI images; returns its digest.
async fn seed(base: &str, mib: usize) -> Result<Digest, String> {
    let s = Seeder::new(base, None)?;
    let images = (0..PLATFORMS.len())
        .map(|i| {
            let seed = (i as u64 + 101).wrapping_mul(0x9e37_79b9_7f4a_7c15) << 1;
            copy::noise_image(REPO, i, mib << 20, seed, true)
        })
        .collect();
    copy::push_list(&s, REPO, TAG, media::OCI_INDEX, images).await
}

/// The whole benchmark: every measurement.
pub fn run(opts: &LayoutBenchOptions) -> Result<Vec<Measured>, String> {
    let rt = crate::run::runtime()?;
    let src = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    let dst = LocalRegistry::start(LocalConfig::default()).map_err(|e| e.to_string())?;
    eprintln!(
        "mt-bench layout: seeding an OCI index of {} platforms x {} MiB at {}...",
        PLATFORMS.len(),
        opts.mib,
        src.base_url()
    );
    let digest = rt.block_on(seed(&src.base_url(), opts.mib))?;
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
    let proxies = [("source", &sp), ("target", &dp)];
    let from = format!("{}/{REPO}:{TAG}", sp.host());
    let direct = format!("127.0.0.1:{}", dst.port());
    let expect = |what: &str, got: Digest| {
        if got == digest {
            Ok(())
        } else {
            Err(format!("{what} has {got}, the source has {digest}"))
        }
    };
    // The layout both tools copy from: written once, untimed, by skopeo straight from the
    // source registry (no proxy).
    let shared = work.path().join("shared-layout");
    let shared_place = format!("oci:{}:{TAG}", shared.display());
    let status = std::process::Command::new(&opts.skopeo)
        .args([
            "copy",
            "--all",
            "--preserve-digests",
            "--src-tls-verify=false",
        ])
        .arg(format!("docker://127.0.0.1:{}/{REPO}:{TAG}", src.port()))
        .arg(&shared_place)
        .output()
        .map_err(|e| format!("cannot run skopeo: {e}"))?;
    if !status.status.success() {
        return Err(format!(
            "skopeo copy to the shared layout: {}",
            String::from_utf8_lossy(&status.stderr).trim()
        ));
    }
    expect(
        "the shared layout",
        copy::skopeo_digest(&opts.skopeo, &[], &shared_place)?,
    )?;
    let mut out = Vec::new();
    for n in 0..opts.runs {
        let mut tools = ["manifest-tui", "skopeo"];
        if n % 2 == 1 {
            tools.reverse();
        }
        for tool in tools {
            // Registry -> a fresh layout.
            let dir = work.path().join(format!("{tool}-run{n}"));
            let place = format!("oci:{}:{TAG}", dir.display());
            let (prog, args) = if tool == "skopeo" {
                (
                    &opts.skopeo,
                    vec![
                        "copy".into(),
                        "--all".into(),
                        "--preserve-digests".into(),
                        "--src-tls-verify=false".into(),
                        format!("docker://{from}"),
                        place.clone(),
                    ],
                )
            } else {
                (
                    &opts.manifest_tui,
                    vec!["copy".into(), from.clone(), place.clone()],
                )
            };
            let (m, stdout) = copy::measure(
                &proxies,
                (tool, TO_LAYOUT),
                prog,
                &args,
                &cfg,
                opts.show_requests,
            )?;
            out.push(m);
            if tool == "manifest-tui" && !stdout.trim_end().ends_with(digest.as_str()) {
                return Err(format!(
                    "manifest-tui copied another digest than {digest}: {stdout}"
                ));
            }
            expect(&place, copy::skopeo_digest(&opts.skopeo, &[], &place)?)?;
            std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            // The shared layout -> a fresh repository.
            let repo = format!("{tool}/run{n}:{TAG}");
            let to = format!("{}/{repo}", dp.host());
            let args = if tool == "skopeo" {
                vec![
                    "copy".into(),
                    "--all".into(),
                    "--preserve-digests".into(),
                    "--dest-tls-verify=false".into(),
                    shared_place.clone(),
                    format!("docker://{to}"),
                ]
            } else {
                vec!["copy".into(), shared_place.clone(), to.clone()]
            };
            let (m, _) = copy::measure(
                &proxies,
                (tool, FROM_LAYOUT),
                prog,
                &args,
                &cfg,
                opts.show_requests,
            )?;
            out.push(m);
            let there = format!("docker://{direct}/{repo}");
            expect(
                &there,
                copy::skopeo_digest(&opts.skopeo, &["--tls-verify=false"], &there)?,
            )?;
        }
    }
    Ok(out)
}

/// The medians, the ratios and the targets.
pub fn render(opts: &LayoutBenchOptions, m: &[Measured]) -> String {
    let rows = copy::medians(m);
    let mut s = format!(
        "a {}-platform OCI index, {} MiB per platform, {} ms one way per proxy, {} run(s) per tool; medians\n\n",
        PLATFORMS.len(),
        opts.mib,
        opts.delay.as_millis(),
        opts.runs
    );
    s.push_str(&copy::medians_table(&rows));
    s.push('\n');
    for what in [TO_LAYOUT, FROM_LAYOUT] {
        if let (Some(a), Some(b)) = (
            copy::median_of(&rows, "manifest-tui", what),
            copy::median_of(&rows, "skopeo", what),
        ) {
            let peak = m
                .iter()
                .filter(|x| x.tool == "manifest-tui" && x.what == what)
                .map(|x| x.max_rss_kib)
                .max()
                .unwrap_or(0) as f64
                / 1024.0;
            s.push_str(&format!(
                "{what}: skopeo / manifest-tui = {:.1}x (target >= {SPEED_TARGET}x: {}); manifest-tui's highest peak RSS {peak:.1} MiB (target <= {RSS_TARGET_MIB} MiB: {})\n",
                b / a,
                copy::met(b / a >= SPEED_TARGET),
                copy::met(peak <= RSS_TARGET_MIB)
            ));
        }
    }
    s.push_str("every copy has the source's digest (skopeo inspect --raw)\n");
    s
}
