//! Registry-supplied strings carrying terminal control sequences (CSI, OSC 52 clipboard
//! writes, OSC 8 links, BEL, NUL, 8-bit CSI) never reach the terminal raw.
//!
//! A real registry is seeded with OCI indexes whose annotations (keys and values) and
//! platform fields hold such sequences; the registry stores manifests as opaque JSON, so they
//! survive as JSON escapes. A tag cannot hold them (tags are restricted), and a registry's
//! error messages are exercised with a tiny fake registry. Every CLI output that is not raw
//! JSON must be free of control characters; raw JSON may carry only the JSON-escaped form.

mod common;

use common::*;
use manifest_tui::media;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

/// Clear screen + home, an OSC 52 clipboard write, an OSC 8 hyperlink, bell, NUL, an 8-bit
/// CSI (U+009B) and a bidi override.
const EVIL: &str = "pwn\x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\\x07\0\u{9b}31m\u{202e}gnp.exe";
const EVIL_KEY: &str = "org.example.\x1b[31mred\x1b[0m\x07";

fn run_cli(docker_config: &Path, args: &[&str]) -> Output {
    common::cli::command(docker_config)
        .args(args)
        .output()
        .expect("run manifest-tui")
}

/// The first raw control character (other than newline and tab) in a text output, with
/// its offset. Bytes that are not UTF-8 count as raw 0x9b when they are 0x9b.
fn first_control(bytes: &[u8]) -> Option<(usize, String)> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s
            .char_indices()
            .find(|&(_, c)| c.is_control() && c != '\n' && c != '\t')
            .map(|(i, c)| (i, format!("{c:?}"))),
        Err(_) => bytes
            .iter()
            .position(|&b| matches!(b, 0x00..=0x08 | 0x0b..=0x1f | 0x7f | 0x9b))
            .map(|i| (i, format!("byte {:#04x}", bytes[i]))),
    }
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).escape_debug(),
        String::from_utf8_lossy(&o.stderr).escape_debug()
    )
}

/// Text output (tables, messages): no control character at all in stdout or stderr.
fn assert_inert(what: &str, o: &Output) {
    for (stream, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        if let Some((at, c)) = first_control(bytes) {
            panic!(
                "{what}: raw control character {c} at byte {at} of {stream}\n{}",
                show(o)
            );
        }
    }
}

/// Raw JSON output: only JSON's own escapes; no ESC, BEL or NUL byte (JSON requires those
/// to be escaped). stderr is text and must be fully inert.
fn assert_json_inert(what: &str, o: &Output) {
    // No control character at all outside indentation (C1 such as U+009B included), and no
    // bidi override: JSON escapes them inside strings, so the value is unchanged.
    if let Some((at, c)) = first_control(&o.stdout) {
        panic!(
            "{what}: raw control character {c} at byte {at} of JSON stdout\n{}",
            show(o)
        );
    }
    let text = String::from_utf8_lossy(&o.stdout);
    if let Some(c) = text
        .chars()
        .find(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    {
        panic!("{what}: raw bidi control {c:?} in JSON stdout\n{}", show(o));
    }
    if let Some((at, c)) = first_control(&o.stderr) {
        panic!(
            "{what}: raw control character {c} at byte {at} of stderr\n{}",
            show(o)
        );
    }
}

/// An OCI index over the sample children, with hostile annotations and platform fields.
fn hostile_index(children: &[samples::SampleImage], take: usize, evil_platform: bool) -> Vec<u8> {
    let manifests: Vec<serde_json::Value> = children
        .iter()
        .take(take)
        .enumerate()
        .map(|(i, c)| {
            let mut platform = serde_json::to_value(&c.platform).unwrap_or_default();
            if evil_platform && i == 0 {
                platform["os.version"] = serde_json::Value::String(EVIL.into());
                platform["features"] = serde_json::json!([EVIL]);
            }
            serde_json::json!({
                "mediaType": c.media_type,
                "size": c.manifest.len(),
                "digest": c.digest.as_str(),
                "annotations": {
                    "org.opencontainers.image.title": EVIL,
                    EVIL_KEY: format!("entry {i} {EVIL}"),
                },
                "platform": platform,
            })
        })
        .collect();
    let body = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_INDEX,
        "manifests": manifests,
        "annotations": {
            "org.opencontainers.image.description": EVIL,
            EVIL_KEY: EVIL,
        },
    });
    let bytes = serde_json::to_vec(&body).expect("index JSON");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !bytes.contains(&0x1b) && text.contains("\\u001b"),
        "the index must carry the sequences as JSON escapes"
    );
    bytes
}

#[test]
fn registry_strings_with_control_sequences_are_rendered_inert() {
    let r = TestRegistry::plain();
    r.seed();
    let cfg = r.docker_config();
    let children = samples::list("v1", true).children;
    assert!(children.len() >= 3, "the samples have several platforms");
    let repo = samples::LIST_REPO;
    put_manifest(
        &r.url,
        repo,
        "evil",
        media::OCI_INDEX,
        &hostile_index(&children, children.len(), true),
    );
    put_manifest(
        &r.url,
        repo,
        "evil2",
        media::OCI_INDEX,
        &hostile_index(&children, children.len() - 1, false),
    );
    let evil = r.reference(&format!("{repo}:evil"));
    let evil2 = r.reference(&format!("{repo}:evil2"));

    // inspect --format table: annotations and platforms are shown, escaped.
    let o = run_cli(&cfg, &["inspect", "--format", "table", &evil]);
    assert!(
        o.status.success(),
        "inspect --format table failed\n{}",
        show(&o)
    );
    assert_inert("inspect --format table", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("\\u{1b}]52;c;ZXZpbA=="),
        "the annotation should be shown, escaped:\n{text}"
    );

    // inspect (JSON, docker's shape) and inspect -v (raw manifests inside).
    for args in [vec!["inspect", &evil], vec!["inspect", "-v", &evil]] {
        let o = run_cli(&cfg, &args);
        assert!(o.status.success(), "{args:?} failed\n{}", show(&o));
        assert_json_inert(&format!("{args:?}"), &o);
    }

    // diff: the two indexes differ by one platform.
    let o = run_cli(&cfg, &["diff", &evil, &evil2]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "diff should report a difference\n{}",
        show(&o)
    );
    assert_inert("diff", &o);

    // create a local list from the hostile index, then ls and inspect it locally.
    let local = r.reference(&format!("{repo}:local-evil"));
    let o = run_cli(&cfg, &["create", "--format", "oci", &local, &evil]);
    assert_inert("create", &o);
    assert!(o.status.success(), "create failed\n{}", show(&o));
    let o = run_cli(&cfg, &["ls"]);
    assert!(o.status.success(), "ls failed\n{}", show(&o));
    assert_inert("ls", &o);
    let o = run_cli(&cfg, &["inspect", "--format", "table", &local]);
    assert!(
        o.status.success(),
        "local inspect --format table failed\n{}",
        show(&o)
    );
    assert_inert("local inspect --format table", &o);
    for args in [vec!["inspect", &local], vec!["inspect", "-v", &local]] {
        let o = run_cli(&cfg, &args);
        assert!(o.status.success(), "local {args:?} failed\n{}", show(&o));
        assert_json_inert(&format!("local {args:?}"), &o);
    }
    // A local entry's own view (docker's `inspect LIST ENTRY`).
    let entry = r.reference(&format!("{repo}@{}", children[0].digest));
    for args in [
        vec!["inspect", &local, &entry],
        vec!["inspect", "-v", &local, &entry],
    ] {
        let o = run_cli(&cfg, &args);
        assert!(o.status.success(), "{args:?} failed\n{}", show(&o));
        assert_json_inert(&format!("{args:?}"), &o);
    }
    let o = run_cli(&cfg, &["inspect", "--format", "table", &local, &entry]);
    assert!(
        o.status.success(),
        "inspect --format table LIST ENTRY failed\n{}",
        show(&o)
    );
    assert_inert("inspect --format table LIST ENTRY", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(children[0].digest.as_str()),
        "the entry's row is shown:\n{text}"
    );

    // Diff of the local draft against the pushed index: evil2 lacks the last platform, and
    // its first entry has a plain platform where the local list has the hostile os.version.
    let o = run_cli(&cfg, &["diff", "--local-a", &local, &evil2]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "diff --local-a should report a difference\n{}",
        show(&o)
    );
    assert_inert("diff --local-a", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    let summary = format!("{} identical, 2 only in A, 1 only in B", children.len() - 2);
    assert!(
        text.contains(&summary),
        "expected {summary:?} in the diff:\n{text}"
    );
}

/// A fake registry: `/v2/` answers 200, every other request an error envelope whose code,
/// message and detail carry control sequences.
fn hostile_error_registry() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake registry");
    let host = listener
        .local_addr()
        .expect("fake registry address")
        .to_string();
    let handle = std::thread::spawn(move || {
        listener.set_nonblocking(false).expect("blocking listener");
        // It serves for as long as the test binary runs (no deadline that a slow machine
        // could reach before the test is done with it).
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
                let Ok(clone) = stream.try_clone() else {
                    return;
                };
                let mut reader = BufReader::new(clone);
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut content_length = 0usize;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("content-length") {
                                content_length = v.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                    let mut body = vec![0; content_length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let head = request_line.starts_with("HEAD ");
                    let path = request_line.split_whitespace().nth(1).unwrap_or("");
                    let (status, body) = if path == "/v2/" || path == "/v2" {
                        ("200 OK", "{}".to_string())
                    } else {
                        let envelope = serde_json::json!({"errors": [{
                            "code": format!("MANIFEST_UNKNOWN\x1b[2J"),
                            "message": format!("manifest unknown {EVIL}"),
                            "detail": {"Tag": EVIL},
                        }]});
                        ("404 Not Found", envelope.to_string())
                    };
                    let resp = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n\
                         Docker-Distribution-Api-Version: registry/2.0\r\n\
                         Content-Length: {}\r\n\r\n{}",
                        body.len(),
                        if head { "" } else { &body }
                    );
                    if stream.write_all(resp.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (host, handle)
}

#[test]
fn registry_error_messages_with_control_sequences_are_rendered_inert() {
    let (host, _server) = hostile_error_registry();
    let cfg = tempfile::tempdir().expect("temp DOCKER_CONFIG");
    std::fs::write(cfg.path().join("config.json"), "{\"auths\":{}}").expect("config.json");
    let reference = format!("{host}/hostile/repo:v1");
    for args in [
        vec!["inspect", "--insecure", reference.as_str()],
        vec![
            "inspect",
            "--insecure",
            "--format",
            "table",
            reference.as_str(),
        ],
        vec!["diff", "--insecure", reference.as_str(), reference.as_str()],
        vec![
            "create",
            "--insecure",
            "127.0.0.1:5999/hostile/list:v1",
            reference.as_str(),
        ],
    ] {
        let o = run_cli(cfg.path(), &args);
        let what = format!("{args:?} should fail on a registry error\n{}", show(&o));
        if args[0] == "diff" {
            common::assert_trouble_exit(o.status.code(), what);
        } else {
            common::assert_error_exit(o.status.code(), what);
        }
        assert_inert(&format!("{args:?}"), &o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("manifest unknown")
                || err.contains("MANIFEST_UNKNOWN")
                || err.contains("not found"),
            "{args:?}: the registry's error should be reported\n{}",
            show(&o)
        );
    }
}
