//! What the README promises, each checked against the real registry by a test that fails
//! when the promise is broken: an unchanged re-push is one request (counted at the wire by
//! the fault proxy), `create --amend` refreshes entries and keeps their annotations, the
//! credential lookup order of `config.json` (`credHelpers`, then `auths`, then
//! `credsStore`, with fake `docker-credential-*` helpers on PATH), `remove` by reference,
//! digest prefix and platform through the CLI, and progress in bytes during a
//! cross-registry push, in the CLI and in the TUI.

mod common;

use common::cli::{fails_output as fails, ok_output as ok};
use common::faultproxy::{Action, FaultProxy, Gate};
use common::pty::{isolated_env, Tui};
use common::{args, children, TestRegistry, ALICE, ALICE_PASSWORD};
use manifest_tui::digest::Digest;
use manifest_tui::media;
use manifest_tui::reference::Reference;
use manifest_tui::store::Store;
use mt_testkit::samples::{self, SampleImage, Seeder};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_manifest-tui");

/// Run the CLI with `DOCKER_CONFIG` = `config` (and a private HOME, so nothing of the user's
/// is read), plus `env`.
fn mt_env(config: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
    let mut c = common::cli::command(config);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

fn mt(config: &Path, args: &[&str]) -> Output {
    mt_env(config, args, &[])
}

/// Push `img` (its blobs, then its manifest) to `repo:tag` on the registry at `base`.
fn push_image(base: &str, repo: &str, tag: &str, img: &SampleImage) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let s = Seeder::new(base, None)?;
        for (d, bytes) in &img.blobs {
            s.upload_blob(repo, d, bytes).await?;
        }
        s.put_manifest(repo, tag, img.media_type, &img.manifest, &img.digest)
            .await
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

fn sample(platform: &str, release: &str) -> SampleImage {
    samples::images(release, false)
        .into_iter()
        .find(|i| i.platform == samples::platform(platform))
        .unwrap_or_else(|| panic!("no sample for {platform}"))
}

/// "push again, unchanged, is one request": counted at the wire, by a proxy in front of the
/// registry that records every request.
#[test]
fn unchanged_repush_is_one_request() {
    let reg = TestRegistry::plain();
    reg.seed();
    let proxy = FaultProxy::start(&reg.host);
    let cfg = tempfile::tempdir().expect("config dir");
    let list = format!("{}/again/app:v1", proxy.host);
    ok(
        mt(
            cfg.path(),
            &args(&["create", &list], &children(&proxy.host, "v1", false)),
        ),
        "create",
    );
    proxy.reset_seen();
    let first = ok(mt(cfg.path(), &["push", &list]), "push");
    let first_requests = proxy.seen().len();
    assert!(
        first_requests > 6,
        "the first push really sends the children and the list: {:#?}",
        proxy.seen()
    );

    proxy.reset_seen();
    let again = ok(mt(cfg.path(), &["push", &list]), "push again");
    // The client races HTTPS and plain HTTP for a loopback registry it has not spoken to
    // yet: the HTTPS attempt reaches the proxy as a connection that is not HTTP (a TLS
    // ClientHello), sent alongside the request, not before it.
    let all = proxy.seen();
    let (seen, probes): (Vec<_>, Vec<_>) = all.iter().cloned().partition(|s| s.unparsed == 0);
    assert!(probes.len() <= 1, "one HTTPS attempt at most: {all:#?}");
    assert_eq!(
        seen.len(),
        1,
        "an unchanged re-push is one request; it sent:\n{seen:#?}"
    );
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.as_str()),
        ("HEAD", "/v2/again/app/manifests/v1"),
        "{seen:#?}"
    );
    assert_eq!(
        first.lines().last(),
        again.lines().last(),
        "both print the same list digest"
    );
    // The registry's list, as skopeo reads it, has that digest.
    let raw = common::skopeo_inspect_raw(&format!("{}/again/app:v1", reg.host), &[]);
    assert_eq!(again.lines().last(), Some(Digest::sha256(&raw).as_str()));
    eprintln!(
        "push: {first_requests} requests; unchanged re-push: {} request",
        seen.len()
    );
}

/// "`--amend` refreshes and keeps your annotations": a child re-pushed under the same tag
/// is fetched again, and the entry keeps the annotation the user set.
#[test]
fn amend_refreshes_a_changed_child_and_keeps_its_annotations() {
    let reg = TestRegistry::plain();
    let cfg = tempfile::tempdir().expect("config dir");
    let (old, new) = (
        sample("linux/arm64/v8", "v1"),
        sample("linux/arm64/v8", "v2"),
    );
    assert_ne!(old.digest, new.digest, "v2 changed arm64");
    let other = sample("linux/amd64", "v1");
    push_image(&reg.url, "amend/arm64", "latest-arm64", &old);
    push_image(&reg.url, "amend/amd64", "v1", &other);
    let child = reg.reference("amend/arm64:latest-arm64");
    let kept = reg.reference("amend/amd64:v1");
    let list = reg.reference("amend/list:v1");
    ok(
        mt(
            cfg.path(),
            &["create", "--format", "oci", &list, &child, &kept],
        ),
        "create",
    );
    ok(
        mt(
            cfg.path(),
            &[
                "annotate",
                "--annotation",
                "org.example.note=keep me",
                &list,
                &child,
            ],
        ),
        "annotate",
    );

    // The child changes under the same tag; amend fetches it again.
    push_image(&reg.url, "amend/arm64", "latest-arm64", &new);
    let out = ok(
        mt(cfg.path(), &["create", "--amend", &list, &child]),
        "create --amend",
    );
    assert_eq!(out, format!("Created manifest list {list}\n"));

    let store = Store::open(Some(cfg.path()));
    let draft = store
        .load(&Reference::parse(&list).expect("list ref"))
        .expect("load the list");
    assert_eq!(draft.entries.len(), 2, "amend refreshed, it did not add");
    let e = draft
        .entries
        .iter()
        .find(|e| e.reference.to_string() == child)
        .expect("the amended entry");
    assert_eq!(e.digest(), &new.digest, "the entry has the new digest");
    assert_eq!(e.raw.bytes, new.manifest, "and the new manifest's bytes");
    assert_eq!(
        e.descriptor
            .annotations
            .get("org.example.note")
            .map(String::as_str),
        Some("keep me"),
        "the annotation is kept: {:?}",
        e.descriptor.annotations
    );
    let untouched = draft
        .entries
        .iter()
        .find(|e| e.reference.to_string() == kept)
        .expect("the other entry");
    assert_eq!(untouched.digest(), &other.digest);

    // What is pushed carries both: the new digest, with the annotation.
    ok(mt(cfg.path(), &["push", &list]), "push");
    let raw = common::skopeo_inspect_raw(&list, &[]);
    let v: serde_json::Value = serde_json::from_slice(&raw).expect("index JSON");
    let entry = v["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .find(|m| m["digest"] == new.digest.as_str())
        .unwrap_or_else(|| panic!("the new digest is in the pushed index: {v}"));
    assert_eq!(entry["annotations"]["org.example.note"], "keep me", "{v}");
}

/// `remove LIST ENTRY` through the CLI, by reference, by digest prefix and by platform; an
/// entry that is not there is an error (exit 1) that changes nothing.
#[test]
fn remove_by_reference_digest_prefix_and_platform() {
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = tempfile::tempdir().expect("config dir");
    let list = reg.reference("rm/app:v1");
    let kids = children(&reg.host, "v1", false);
    ok(mt(cfg.path(), &args(&["create", &list], &kids)), "create");
    let store = Store::open(Some(cfg.path()));
    let list_ref = Reference::parse(&list).expect("list ref");
    let refs_in = || -> Vec<String> {
        let d = store.load(&list_ref).expect("load");
        d.entries.iter().map(|e| e.reference.to_string()).collect()
    };
    assert_eq!(refs_in().len(), 6);

    // By reference: exactly that entry goes.
    let arm = kids[1].clone();
    let out = ok(mt(cfg.path(), &["remove", &list, &arm]), "remove by ref");
    assert_eq!(out, format!("Removed {arm} (linux/arm64/v8) from {list}\n"));
    assert_eq!(refs_in().len(), 5);
    assert!(!refs_in().contains(&arm), "{:?}", refs_in());

    // The same reference again: nothing to remove.
    let err = fails(mt(cfg.path(), &["remove", &list, &arm]), "remove it again");
    assert!(err.contains("does not exist"), "{err}");
    // A reference of the same repository with another tag is another image.
    let other_tag = format!(
        "{}/{}:v2",
        reg.host,
        samples::image_repo("linux/amd64", false)
    );
    let err = fails(
        mt(cfg.path(), &["remove", &list, &other_tag]),
        "remove another tag",
    );
    assert!(err.contains("does not exist"), "{err}");
    assert_eq!(refs_in().len(), 5, "a failed remove changes nothing");

    // By digest prefix.
    let s390x = sample("linux/s390x", "v1");
    let prefix = &s390x.digest.as_str()[..19];
    let out = ok(
        mt(cfg.path(), &["remove", &list, prefix]),
        "remove by digest",
    );
    assert!(out.contains("(linux/s390x)"), "{out}");
    // By platform.
    let out = ok(
        mt(cfg.path(), &["remove", &list, "windows/amd64"]),
        "remove by platform",
    );
    assert!(out.contains("(windows/amd64"), "{out}");
    let mut left = refs_in();
    left.sort();
    let mut want = vec![kids[0].clone(), kids[2].clone(), kids[3].clone()];
    want.sort();
    assert_eq!(left, want);
}

/// A `docker-credential-NAME` helper (a shell script in `dir`) that answers `get` with
/// `user`/`password` and appends `NAME get SERVER` to `dir/calls.log`.
fn fake_helper(dir: &Path, name: &str, user: &str, password: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(format!("docker-credential-{name}"));
    let log = dir.join("calls.log");
    let script = format!(
        "#!/bin/sh\n\
         read -r server\n\
         echo \"{name} $1 $server\" >> '{log}'\n\
         [ \"$1\" = get ] || exit 1\n\
         printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{password}\"}}\\n' \"$server\"\n",
        log = log.display()
    );
    std::fs::write(&path, script).expect("write the helper");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The credential lookup order of `config.json`, against the htpasswd registry: each level
/// wins over the next. Which credentials were really used shows in the outcome: the right
/// password reads the list, the wrong one is refused (401, exit 1); the helpers' log shows
/// which helpers ran.
#[test]
fn credential_lookup_order_is_cred_helpers_then_auths_then_creds_store() {
    use base64::Engine as _;
    let reg = TestRegistry::basic();
    reg.seed();
    let bin = tempfile::tempdir().expect("helpers dir");
    fake_helper(bin.path(), "good", ALICE, ALICE_PASSWORD);
    fake_helper(bin.path(), "bad", ALICE, "not-alices-password");
    let path = std::env::join_paths(std::iter::once(bin.path().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let auth = |password: &str| {
        serde_json::json!({"auth": base64::engine::general_purpose::STANDARD
            .encode(format!("{ALICE}:{password}"))})
    };
    let host = reg.host.clone();
    let target = reg.reference(&format!("{}:v1", samples::LIST_REPO));
    let log = bin.path().join("calls.log");

    struct Case {
        what: &'static str,
        config: serde_json::Value,
        /// The credentials used are alice's right ones.
        good: bool,
        /// Helpers that must have run, and helpers that must not.
        ran: &'static [&'static str],
        not_ran: &'static [&'static str],
    }
    let cases = [
        Case {
            what: "credHelpers wins over auths and credsStore",
            config: serde_json::json!({
                "credHelpers": {&host: "good"},
                "auths": {&host: auth("wrong")},
                "credsStore": "bad",
            }),
            good: true,
            ran: &["good"],
            not_ran: &["bad"],
        },
        Case {
            what: "credHelpers is used even when auths has the right password",
            config: serde_json::json!({
                "credHelpers": {&host: "bad"},
                "auths": {&host: auth(ALICE_PASSWORD)},
            }),
            good: false,
            ran: &["bad"],
            not_ran: &["good"],
        },
        Case {
            what: "auths wins over credsStore",
            config: serde_json::json!({
                "auths": {&host: auth(ALICE_PASSWORD)},
                "credsStore": "bad",
            }),
            good: true,
            ran: &[],
            not_ran: &["bad", "good"],
        },
        Case {
            what: "auths is used even when credsStore has the right password",
            config: serde_json::json!({
                "auths": {&host: auth("wrong")},
                "credsStore": "good",
            }),
            good: false,
            ran: &[],
            not_ran: &["bad", "good"],
        },
        Case {
            what: "credsStore when nothing else is configured",
            config: serde_json::json!({"credsStore": "good"}),
            good: true,
            ran: &["good"],
            not_ran: &["bad"],
        },
        Case {
            what: "credsStore's wrong password is what is sent",
            config: serde_json::json!({"credsStore": "bad"}),
            good: false,
            ran: &["bad"],
            not_ran: &["good"],
        },
    ];
    for c in &cases {
        let cfg = tempfile::tempdir().expect("config dir");
        std::fs::write(
            cfg.path().join("config.json"),
            serde_json::to_vec_pretty(&c.config).expect("config JSON"),
        )
        .expect("write config.json");
        let _ = std::fs::remove_file(&log);
        let o = mt_env(
            cfg.path(),
            &["inspect", &target],
            &[("PATH", path.as_os_str())],
        );
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        let what = format!("{}\nhelper calls:\n{calls}", c.what);
        if c.good {
            let out = ok(o, &what);
            assert!(out.contains("\"manifests\""), "{what}: {out}");
        } else {
            let err = fails(o, &what);
            assert!(
                err.contains("refused the credentials of user alice"),
                "{what}: the refusal is an authentication failure: {err}"
            );
            assert!(
                !err.contains("not-alices-password") && !err.contains(ALICE_PASSWORD),
                "{what}: no password in the error: {err}"
            );
        }
        for h in c.ran {
            assert!(
                calls.lines().any(|l| l == format!("{h} get {host}")),
                "{what}: docker-credential-{h} should have been asked for {host}"
            );
        }
        for h in c.not_ran {
            assert!(
                !calls.lines().any(|l| l.starts_with(&format!("{h} "))),
                "{what}: docker-credential-{h} should not have run"
            );
        }
    }
}

/// The layer of [`big_image`]: 2 MiB, of which the proxy sends the first [`HELD_AFTER`] bytes
/// and then holds the rest until the test has seen the copy in progress.
const BIG_LAYER: usize = 2 << 20;
const HELD_AFTER: usize = 1 << 20;

/// A linux/amd64 Docker image with one [`BIG_LAYER`]-byte layer of pseudo-random bytes.
fn big_image() -> SampleImage {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let layer: Vec<u8> = (0..BIG_LAYER)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let layer_digest = Digest::sha256(&layer);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer_digest.as_str()]},
    }))
    .expect("config JSON");
    let config_digest = Digest::sha256(&config);
    let manifest = serde_json::to_vec_pretty(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::DOCKER_MANIFEST,
        "config": {"mediaType": media::DOCKER_CONFIG, "size": config.len(), "digest": config_digest.as_str()},
        "layers": [{"mediaType": media::DOCKER_LAYER, "size": layer.len(), "digest": layer_digest.as_str()}],
    }))
    .expect("manifest JSON");
    SampleImage {
        repo: "big/app".into(),
        tag: "v1".into(),
        platform: samples::platform("linux/amd64"),
        media_type: media::DOCKER_MANIFEST,
        digest: Digest::sha256(&manifest),
        manifest,
        blobs: vec![(config_digest, config), (layer_digest, layer)],
    }
}

/// A source registry holding [`big_image`] behind a proxy that holds its layer half-sent
/// until [`CrossRegistry::gate`] opens, and an empty destination registry.
struct CrossRegistry {
    _src: TestRegistry,
    proxy: FaultProxy,
    /// Opened by the test once it has seen the copy under way.
    gate: Gate,
    dst: TestRegistry,
    image: SampleImage,
    /// The image through the proxy: `PROXY/big/app:v1`.
    child: String,
}

impl CrossRegistry {
    fn start() -> CrossRegistry {
        let src = TestRegistry::plain();
        let image = big_image();
        push_image(&src.url, &image.repo, &image.tag, &image);
        let proxy = FaultProxy::start(&src.host);
        let gate = Gate::new();
        proxy.rule(
            "GET",
            &format!("/blobs/{}", image.blobs[1].0),
            Action::Hold {
                after: HELD_AFTER,
                gate: gate.clone(),
            },
            None,
        );
        let child = format!("{}/{}", proxy.host, image.reference());
        CrossRegistry {
            _src: src,
            proxy,
            gate,
            dst: TestRegistry::plain(),
            image,
            child,
        }
    }

    /// Bytes the push copies: config and layer.
    fn total(&self) -> u64 {
        self.image.blobs.iter().map(|(_, b)| b.len() as u64).sum()
    }
}

/// `1.5 MiB` → bytes (to the precision shown).
fn parse_size(s: &str) -> u64 {
    let (v, unit) = s
        .trim()
        .split_once(' ')
        .unwrap_or_else(|| panic!("size {s:?}"));
    let v: f64 = v.parse().unwrap_or_else(|_| panic!("size {s:?}"));
    let scale = match unit {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => panic!("unit of {s:?}"),
    };
    (v * scale) as u64
}

/// `Copying NAME: DONE of TOTAL` lines of a push's stderr, as byte counts.
fn progress_lines(err: &str, prefix: &str) -> Vec<(u64, u64)> {
    err.lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .map(|rest| {
            let (done, total) = rest.split_once(" of ").expect("DONE of TOTAL");
            (parse_size(done), parse_size(total))
        })
        .collect()
}

/// Progress in bytes in the CLI: a cross-registry push prints, on stderr, the bytes copied
/// so far while the copy runs (not only a final count), never more than the total. The
/// proxy holds the layer half-sent until a line with bytes between none and all has been
/// printed: that line was certainly printed mid-copy, whatever the machine's speed.
#[test]
fn cross_registry_push_prints_bytes_while_copying() {
    use std::io::Read;
    let x = CrossRegistry::start();
    let cfg = tempfile::tempdir().expect("config dir");
    let list = x.dst.reference("progress/cli:v1");
    ok(mt(cfg.path(), &["create", &list, &x.child]), "create");
    let prefix = format!("Copying {} (linux/amd64): ", x.child);
    let mut cmd = common::cli::command(cfg.path());
    cmd.args(["push", &list])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run the push");
    let mut stdout = child.stdout.take().expect("stdout");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    // stderr, as it comes.
    let err_buf = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (eb, mut stderr) = (err_buf.clone(), child.stderr.take().expect("stderr"));
    let err_reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            eb.lock()
                .expect("stderr buffer")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let total = x.total();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mid = loop {
        let err = err_buf.lock().expect("stderr buffer").clone();
        if let Some(&(d, t)) = progress_lines(&err, &prefix)
            .iter()
            .find(|&&(d, t)| d > 0 && d < t)
        {
            break (d, t);
        }
        let exited = child.try_wait().expect("wait").is_some();
        assert!(
            !exited && Instant::now() < deadline,
            "no progress line while the copy was held:\n{err}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // (The layer cannot be complete before the gate opens, so neither is the push.)
    assert!(child.try_wait().expect("wait").is_none(), "still copying");
    x.gate.open();
    let status = child.wait().expect("the push ends");
    err_reader.join().expect("stderr reader");
    let out = out_reader.join().expect("stdout reader");
    let err = err_buf.lock().expect("stderr buffer").clone();
    assert!(status.success(), "push: {out}\n{err}");
    assert_eq!(out.lines().count(), 2, "docker's stdout, unchanged: {out}");
    assert!(
        x.proxy
            .count("GET", &format!("/blobs/{}", x.image.blobs[1].0))
            == 1,
        "the layer came through the holding proxy"
    );

    let shown = progress_lines(&err, &prefix);
    eprintln!("progress lines (the one seen while held: {mid:?}):\n{err}");
    // Totals are shown to 0.1 MiB.
    assert!(
        shown.iter().all(|&(_, t)| t.abs_diff(total) < 100 << 10),
        "every line shows the total ({total} bytes):\n{err}"
    );
    assert!(
        shown.iter().all(|&(d, t)| d <= t),
        "never more than the total:\n{err}"
    );
    assert!(
        shown.windows(2).all(|w| w[0].0 <= w[1].0),
        "bytes only grow:\n{err}"
    );
    assert!(
        mid.0 <= HELD_AFTER as u64 + x.image.blobs[0].1.len() as u64 + (100 << 10),
        "the line seen while held shows no more than was sent: {mid:?}"
    );
    assert_eq!(
        shown.last().map(|&(d, t)| d == t),
        Some(true),
        "the last line is the whole copy:\n{err}"
    );
}

/// Progress in bytes in the TUI: while the same cross-registry push runs, the push pane
/// shows the entry copying, with a byte count between zero and the total (the proxy holds
/// the layer half-sent until the pane has shown it).
#[test]
fn cross_registry_push_shows_bytes_mid_transfer_in_the_tui() {
    let x = CrossRegistry::start();
    let home = tempfile::tempdir().expect("home");
    let docker_config = home.path().join("docker");
    std::fs::create_dir_all(&docker_config).expect("docker config dir");
    let mut tui = Tui::spawn(
        Path::new(BIN),
        &["--registry", &x.proxy.host],
        isolated_env(home.path(), &docker_config),
        40,
        160,
    );
    tui.wait_for("the catalog", |s| s.contains("big/app"));
    let list = x.dst.reference("progress/tui:v1");
    tui.build_list(&list, std::slice::from_ref(&x.child));
    tui.keys("p");

    // The copying row's DONE / TOTAL.
    let copying = |s: &str| -> Option<(u64, u64)> {
        let rest = s.lines().find_map(|l| l.split("copying ").nth(1))?;
        let (done, total) = rest.split_once(" / ")?;
        let total = total.split("  ").next().unwrap_or(total);
        let total = total.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
        let total: String = total
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        Some((parse_size(done), parse_size(&total)))
    };
    let screen = tui.wait_for("bytes mid-transfer", |s| {
        copying(s).is_some_and(|(d, t)| d > 0 && d < t)
    });
    let (done, total) = copying(&screen).expect("the copying row");
    assert!(
        !screen.contains("✓ pushed"),
        "not done while the layer is held"
    );
    x.gate.open();
    let end = tui.wait_for("the end of the push", |s| {
        s.contains("✓ pushed") || s.contains("push failed")
    });
    tui.keys("q");
    assert!(end.contains("✓ pushed"), "the push completes:\n{end}");
    eprintln!("copying, as the pane showed it while held: {done} / {total}");
    assert!(done <= total, "never more than the total:\n{screen}");
}
