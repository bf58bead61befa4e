//! Regenerate `screenshots/*.png` from the real app against the demo registry:
//!
//! ```sh
//! bash scripts/screenshots.sh        # builds, runs this example, converts SVG → PNG
//! ```
//!
//! The release binary runs in a pseudo-terminal (120×34) against a real Distribution registry
//! seeded with the sample images, behind a delay proxy (so the push view can be caught in
//! progress). Keys are typed as a user would; the emulated screen (vt100) is rendered to SVG
//! with its colours; `rsvg-convert` turns each SVG into a PNG.

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use mt_testkit::delay::DelayProxy;
use mt_testkit::localreg::{LocalConfig, LocalRegistry};
use mt_testkit::samples;
use pty::Tui;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

const ROWS: u16 = 34;
const COLS: u16 = 120;

fn shot(tui: &Tui, dir: &Path, name: &str, title: &str) {
    // Let the frame settle (the loop draws at most every ~16 ms).
    std::thread::sleep(Duration::from_millis(250));
    let svg = dir.join(format!("{name}.svg"));
    std::fs::write(&svg, tui.svg(title)).expect("write svg");
    let png = dir.join(format!("{name}.png"));
    let converted = std::process::Command::new("rsvg-convert")
        .arg("-o")
        .arg(&png)
        .arg(&svg)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if converted {
        let _ = std::fs::remove_file(&svg);
        eprintln!("wrote {}", png.display());
    } else {
        eprintln!(
            "wrote {} (rsvg-convert missing: apt-get install librsvg2-bin fonts-dejavu-core)",
            svg.display()
        );
    }
}

fn main() -> ExitCode {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("screenshots"));
    std::fs::create_dir_all(&out).expect("screenshots dir");
    let bin = std::env::var_os("MANIFEST_TUI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/manifest-tui"));
    let Ok(bin) = bin.canonicalize() else {
        eprintln!(
            "{} not found: run `cargo build --release` first",
            bin.display()
        );
        return ExitCode::FAILURE;
    };

    let reg = match LocalRegistry::start(LocalConfig::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let seeded = samples::seed_blocking(&reg.base_url(), None)
        .and_then(|_| samples::attest::seed_attested_blocking(&reg.base_url()));
    if let Err(e) = seeded {
        eprintln!("seeding failed: {e}");
        return ExitCode::FAILURE;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let upstream = format!("127.0.0.1:{}", reg.port()).parse().expect("addr");
    let proxy = rt
        .block_on(DelayProxy::start(upstream, Duration::ZERO))
        .expect("delay proxy");
    let host = proxy.host();

    let home = tempfile::tempdir().expect("tempdir");
    let docker = home.path().join("docker");
    std::fs::create_dir_all(&docker).expect("docker config");
    let mut tui = Tui::spawn(
        &bin,
        &["--registry", &host],
        pty::isolated_env(home.path(), &docker),
        ROWS,
        COLS,
    );

    // 1. The browser on a list.
    tui.wait_for("the catalog", |s| s.contains("samples/app-linux-amd64"));
    tui.keys("/samples/app\r\r");
    tui.wait_for("the tags", |s| s.contains("4 tags"));
    tui.keys("\r");
    tui.wait_for("the list", |s| s.contains("list: 6 entries"));
    shot(
        &tui,
        &out,
        "browser",
        "manifest-tui — browsing samples/app:v1",
    );

    // 2. The comparison of v1 and v2.
    tui.keys("\x1b");
    tui.wait_for("the tags", |s| s.contains("4 tags"));
    tui.keys("a/v2\rb");
    tui.wait_for("the comparison", |s| s.contains("2 layers changed"));
    shot(
        &tui,
        &out,
        "compare",
        "manifest-tui — which architectures changed?",
    );

    // 2b. Why linux/arm64/v8 changed: its layers side by side, the config fields, the totals.
    tui.keys("jj\r");
    tui.wait_for("the platform's diff", |s| s.contains("a host with A pulls"));
    shot(
        &tui,
        &out,
        "compare-platform",
        "manifest-tui — why did linux/arm64/v8 change?",
    );
    tui.keys("\x1b");
    tui.wait_for("the comparison", |s| s.contains("2 layers changed"));

    // 3. The help overlay, generated from the key table.
    tui.keys("?");
    tui.wait_for("the help", |s| s.contains("Esc closes"));
    shot(&tui, &out, "help", "manifest-tui — keys");
    tui.keys("\x1b");

    // 4. The draft editor with the annotation form and a validation error.
    let target = format!("{host}/demo/app:v3");
    let refs: Vec<String> = samples::PLATFORMS
        .iter()
        .map(|p| format!("{host}/{}:v2", samples::image_repo(p, false)))
        .collect();
    tui.build_list(&target, &refs);
    shot(&tui, &out, "editor", "manifest-tui — a draft list");
    tui.keys("\r");
    tui.wait_for("the form", |s| s.contains("Annotate linux/amd64"));
    tui.keys("\x0e\x0ev9");
    tui.wait_for("the validation error", |s| s.contains("did you mean"));
    shot(&tui, &out, "annotate", "manifest-tui — annotating an entry");
    tui.keys("\x7f\x7f\t\t\x0e\x0e");
    tui.paste("sse4");
    tui.keys("\r");
    tui.wait_for("the saved entry", |s| {
        s.contains("+sse4") && !s.contains("Annotate linux")
    });

    // 5. The push, slowed down by the proxy so it can be seen in progress.
    proxy.set_delay(Duration::from_millis(120));
    tui.keys("p");
    tui.wait_for("the push in progress", |s| {
        s.contains("pushing:") && (s.contains("mounting blobs") || s.contains("pushed sha256"))
    });
    shot(&tui, &out, "push", "manifest-tui — pushing");
    tui.wait_for("the pushed list", |s| s.contains("✓ pushed"));
    proxy.set_delay(Duration::ZERO);
    shot(&tui, &out, "push-done", "manifest-tui — pushed");

    // 6. What is inside a platform: samples/webapp's list with sizes, then one image opened.
    tui.keys("1");
    // Back up to the catalog (Esc clears a filter first, then goes up a level).
    for _ in 0..6 {
        if tui.contents().contains("o type repo") {
            break;
        }
        tui.keys("\x1b");
        std::thread::sleep(Duration::from_millis(300));
    }
    tui.keys("o");
    tui.wait_for("the repository prompt", |s| s.contains("repository"));
    tui.paste("samples/webapp");
    tui.keys("\r");
    tui.wait_for("webapp's tags", |s| {
        s.contains("samples/webapp") && s.contains("v1")
    });
    tui.keys("\r");
    tui.wait_for("webapp's details", |s| {
        s.contains("KiB") && s.contains("Created")
    });
    shot(
        &tui,
        &out,
        "details",
        "manifest-tui — size, layers and created per platform",
    );
    tui.keys("\r");
    tui.wait_for("the image", |s| {
        s.contains("History") && s.contains("empty")
    });
    shot(
        &tui,
        &out,
        "image",
        "manifest-tui — one platform's config, history and layers",
    );

    // 7. What refers to a release: samples/attested's signature, one by one.
    for _ in 0..6 {
        if tui.contents().contains("o type repo") {
            break;
        }
        tui.keys("\x1b");
        std::thread::sleep(Duration::from_millis(300));
    }
    tui.keys("o");
    tui.wait_for("the repository prompt", |s| s.contains("repository"));
    tui.paste("samples/attested");
    tui.keys("\r");
    tui.wait_for("attested's tags", |s| {
        s.contains("samples/attested") && s.contains("v1")
    });
    tui.keys("\r");
    tui.wait_for("the referrers of the release", |s| {
        s.contains("referred to by 1")
    });
    tui.keys("R");
    tui.wait_for("the referrers panel", |s| s.contains("What refers to"));
    shot(
        &tui,
        &out,
        "referrers",
        "manifest-tui — what refers to a release, one by one",
    );
    tui.keys("q");
    let _ = tui.wait_exit(Duration::from_secs(5));
    ExitCode::SUCCESS
}
