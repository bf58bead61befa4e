//! End to end, keyboard only: the binary in a pseudo-terminal (screen parsed by vt100) against
//! a real seeded registry builds a list from the six sample images, sets one entry's variant
//! and os.features in the annotation form, and pushes it; skopeo then reads the pushed list.
//! A second run makes the push fail (the registry is stopped) and checks that the error is on
//! screen and the local list intact.

mod common;

use manifest_tui::reference::Reference;
use manifest_tui::samples;
use manifest_tui::store::Store;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 200;

struct Tui {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Tui {
    fn spawn(args: &[&str], env: &[(&str, &Path)]) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_manifest-tui"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn manifest-tui");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let rows = std::num::NonZeroU16::new(ROWS).expect("rows");
        let cols = std::num::NonZeroU16::new(COLS).expect("cols");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let s = screen.clone();
        std::thread::spawn(move || {
            let _master = pty.master; // keep the pty open while reading
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut p) = s.lock() {
                    p.process(&buf[..n]);
                }
            }
        });
        Tui {
            screen,
            writer,
            child,
        }
    }

    fn contents(&self) -> String {
        self.screen
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let c = self.contents();
            if pred(&c) {
                return c;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{c}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Type text, one key at a time (control characters are keys too: \r Enter, \x0e Ctrl-N).
    fn keys(&mut self, keys: &str) {
        for b in keys.bytes() {
            self.writer.write_all(&[b]).expect("write key");
            self.writer.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    /// Bracketed paste, as a terminal sends it.
    fn paste(&mut self, text: &str) {
        let s = format!("\x1b[200~{text}\x1b[201~");
        self.writer.write_all(s.as_bytes()).expect("paste");
        self.writer.flush().expect("flush");
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

fn six_refs(host: &str) -> Vec<String> {
    samples::PLATFORMS
        .iter()
        .map(|p| format!("{host}/{}:v1", samples::image_repo(p, false)))
        .collect()
}

/// Start the TUI on the registry and build `target` from `refs` with the keyboard.
fn build_list(
    reg: &common::TestRegistry,
    docker_config: &Path,
    home: &Path,
    target: &str,
    refs: &[String],
) -> Tui {
    let mut tui = Tui::spawn(
        &["--registry", &reg.host],
        &[
            ("HOME", home),
            ("XDG_STATE_HOME", &home.join("state")),
            ("XDG_CONFIG_HOME", &home.join("config")),
            ("DOCKER_CONFIG", docker_config),
        ],
    );
    tui.wait_for("the catalog", |s| s.contains("samples/app-linux-amd64"));
    tui.keys("3");
    tui.wait_for("the empty editor", |s| s.contains("No local lists."));
    tui.keys("n");
    tui.wait_for("the new-list prompt", |s| s.contains("new Docker list:"));
    tui.keys(&format!("{target}\r"));
    tui.wait_for("the new list", |s| s.contains("Local lists (1)"));
    tui.keys("a");
    tui.wait_for("the add prompt", |s| s.contains("add:"));
    tui.keys(&refs.join(" "));
    tui.keys("\r");
    let n = refs.len();
    tui.wait_for("the entries", |s| s.contains(&format!("{n} entries")));
    tui
}

#[test]
fn build_annotate_and_push_a_list_with_the_keyboard_only() {
    let reg = common::TestRegistry::plain();
    reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    let target = format!("{}/e2e/app:v1", reg.host);
    let mut tui = build_list(
        &reg,
        &docker_config,
        home.path(),
        &target,
        &six_refs(&reg.host),
    );

    // The first entry (store order) is linux/amd64: annotate it.
    let screen = tui.contents();
    assert!(screen.contains("linux/amd64"), "{screen}");
    tui.keys("\r");
    tui.wait_for("the form", |s| s.contains("Annotate linux/amd64"));
    // Ctrl-N twice: variant. A wrong value first: the form marks it with suggestions.
    tui.keys("\x0e\x0e");
    tui.keys("v9");
    tui.wait_for("the validation error", |s| {
        s.contains("not a known variant of amd64") && s.contains("did you mean")
    });
    tui.keys("\x7f\x7f"); // backspace twice
                          // Tab cycles the known variants: v1, then v2.
    tui.keys("\t\t");
    tui.wait_for("the completion", |s| s.contains("variant     : v2"));
    // Ctrl-N twice: os.features, pasted.
    tui.keys("\x0e\x0e");
    tui.paste("sse4");
    tui.wait_for("the unsaved mark", |s| {
        s.contains("[unsaved]") && s.contains("sse4")
    });
    tui.keys("\r");
    tui.wait_for("the saved entry", |s| {
        s.contains("linux/amd64/v2 +sse4") && !s.contains("Annotate linux")
    });

    // The store has it (the form saved through ops::annotate).
    let store = Store::open(Some(&docker_config));
    let list = Reference::parse(&target).expect("target");
    let d = store.load(&list).expect("the local list");
    let p = d.entries[0].platform();
    assert_eq!(
        (p.variant.as_str(), p.os_features.clone()),
        ("v2", vec!["sse4".to_string()])
    );

    // Push and wait for the digest.
    tui.keys("p");
    let screen = tui.wait_for("the pushed list", |s| {
        s.contains("✓ pushed") && s.contains("digest sha256:")
    });
    let digest_line = screen
        .lines()
        .find(|l| l.contains("digest sha256:"))
        .expect("digest line");
    assert!(digest_line.contains("(y copies)"), "{digest_line}");
    tui.keys("q");

    // An independent peer reads what was pushed.
    let out = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            &format!("docker://{target}"),
        ])
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list JSON");
    assert_eq!(
        v["mediaType"],
        "application/vnd.docker.distribution.manifest.list.v2+json"
    );
    let ms = v["manifests"].as_array().expect("manifests");
    assert_eq!(ms.len(), 6);
    let mut annotated = 0;
    for m in ms {
        let p = &m["platform"];
        if p["os"] == "linux" && p["architecture"] == "amd64" {
            annotated += 1;
            assert_eq!(p["variant"], "v2", "{p}");
            assert_eq!(p["os.features"], serde_json::json!(["sse4"]), "{p}");
        } else {
            assert!(p.get("os.features").is_none(), "{p}");
        }
    }
    assert_eq!(annotated, 1);
    let digest = digest_line
        .split("digest ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("digest on screen");
    let listed = manifest_tui::digest::Digest::sha256(&out.stdout);
    assert_eq!(digest, listed.as_str());
}

#[test]
fn a_failed_push_shows_the_error_and_keeps_the_draft() {
    let mut reg = common::TestRegistry::plain();
    reg.seed();
    let home = tempfile::tempdir().expect("tempdir");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    let target = format!("{}/e2e/down:v1", reg.host);
    let refs = six_refs(&reg.host);
    let mut tui = build_list(&reg, &docker_config, home.path(), &target, &refs[..2]);

    // The registry goes away before the push (stopping it mid-push is a race with six small
    // images; the fault-proxy tests cover an interrupted push of the operation itself).
    reg.stop();
    tui.keys("p");
    let screen = tui.wait_for("the failure", |s| s.contains("✗ push failed"));
    assert!(screen.contains("r retries"), "{screen}");

    // The draft is untouched.
    let store = Store::open(Some(&docker_config));
    let d = store
        .load(&Reference::parse(&target).expect("target"))
        .expect("the local list is still there");
    assert_eq!(d.entries.len(), 2);
    // Back in the editor, it is still listed.
    tui.keys("\x1b");
    std::thread::sleep(Duration::from_millis(100));
    tui.keys("3");
    tui.wait_for("the editor", |s| {
        s.contains("Local lists (1)") && s.contains("2 entries")
    });
    tui.keys("q");
}
