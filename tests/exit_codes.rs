//! Exit codes scripts can rely on, and a mistyped command line answered usefully: the real
//! binary, its stderr read through a pipe (or a pty where a terminal matters), against the real
//! registry. Also: the generated completions pass `bash -n` and the man page renders with
//! `man -l`, its EXIT STATUS section included.

mod common;

use common::cli::{mt, Run, BIN};
use common::pty::{isolated_env, Tui};
use common::TestRegistry;
use std::path::Path;
use std::time::Duration;

/// Run the binary hermetically with stdout and stderr pipes, `NO_COLOR` and the colour-forcing
/// variables removed (so any colour must come from the binary's own choice), and a backtrace
/// asked for (colour-eyre's report printed one; an error paragraph must not).
fn piped(home: &Path, args: &[&str]) -> Run {
    let mut cmd = common::cli::bare(BIN);
    cmd.args(args)
        .env("RUST_BACKTRACE", "full")
        .env("TERM", "xterm-256color");
    for (k, v) in isolated_env(home, &home.join("docker")) {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("run manifest-tui");
    Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[track_caller]
fn no_escapes(r: &Run, what: &str) {
    assert!(
        !r.err.contains('\x1b') && !r.out.contains('\x1b'),
        "{what}: escape codes in a pipe:\n{:?}",
        r.err
    );
}

/// One `Error: ...` paragraph: one line, no numbered report, no backtrace.
#[track_caller]
fn one_paragraph(r: &Run, what: &str) {
    no_escapes(r, what);
    assert!(r.err.starts_with("Error: "), "{what}: {}", r.err);
    assert_eq!(r.err.trim_end().lines().count(), 1, "{what}: {}", r.err);
    assert!(!r.err.contains("BACKTRACE"), "{what}: {}", r.err);
}

#[test]
fn diff_exits_0_same_1_different_2_trouble() {
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = tempfile::tempdir().unwrap();
    let at = |t: &str| format!("{}/samples/app:{t}", reg.host);
    let code = |a: &[&str]| {
        let r = mt(cfg.path(), a);
        assert!(!r.err.contains("panicked"), "{a:?}: {}", r.err);
        (r.code, r)
    };

    let (c, r) = code(&["diff", &at("v1"), &at("v1")]);
    assert_eq!(c, 0, "the same list: {}\n{}", r.out, r.err);
    let (c, r) = code(&["diff", &at("v1"), &at("v2")]);
    assert_eq!(
        c, 1,
        "v1 and v2 differ in two platforms: {}\n{}",
        r.out, r.err
    );
    assert!(r.out.contains("layers changed"), "{}", r.out);
    // One platform: the same in both, different in both.
    let (c, r) = code(&["diff", &at("v1"), &at("v2"), "--platform", "linux/amd64"]);
    assert_eq!(c, 0, "{}\n{}", r.out, r.err);
    let (c, r) = code(&["diff", &at("v1"), &at("v2"), "--platform", "linux/s390x"]);
    assert_eq!(c, 1, "{}\n{}", r.out, r.err);

    // Trouble: 2, and the error says what it was.
    let (c, r) = code(&["diff", &at("v1"), &at("nope")]);
    assert_eq!(c, 2, "a missing reference: {}\n{}", r.out, r.err);
    assert!(r.err.contains("nope"), "{}", r.err);
    let (c, r) = code(&["diff", &at("v1"), &at("v2"), "--platform", "linux/riscv64"]);
    assert_eq!(c, 2, "a platform neither side has: {}", r.err);
    assert!(r.err.contains("linux/riscv64"), "{}", r.err);
    let (c, r) = code(&["diff", &at("v1"), &at("v2"), "--platform", "linux"]);
    assert_eq!(c, 2, "a malformed platform: {}", r.err);
    let (c, r) = code(&["diff", "Not A Ref", &at("v1")]);
    assert_eq!(c, 2, "a malformed reference: {}", r.err);
    let (c, r) = code(&["diff", &at("v1")]);
    assert_eq!(c, 2, "a missing argument (clap's usage error): {}", r.err);
    let (c, r) = code(&["diff", "--frmat", "json", &at("v1"), &at("v2")]);
    assert_eq!(c, 2, "an unknown flag: {}", r.err);
    assert!(r.out.is_empty(), "no verdict printed: {}", r.out);

    // docker's commands keep docker's 1 for the same trouble.
    let (c, r) = code(&["inspect", &at("nope")]);
    assert_eq!(c, 1, "inspect of a missing reference: {}", r.err);
}

/// Nothing listens on 127.0.0.1 port 1 (tcpmux; only root could bind it, and no test does):
/// a registry that cannot be reached, with no port to race for.
#[test]
fn diff_exits_2_when_the_registry_cannot_be_reached() {
    assert!(
        std::net::TcpStream::connect("127.0.0.1:1").is_err(),
        "something listens on 127.0.0.1:1; this test needs it closed"
    );
    let reg = TestRegistry::plain();
    reg.seed();
    let cfg = tempfile::tempdir().unwrap();
    let good = format!("{}/samples/app:v1", reg.host);
    for (a, b) in [
        (good.as_str(), "127.0.0.1:1/samples/app:v1"),
        ("127.0.0.1:1/samples/app:v1", good.as_str()),
    ] {
        let r = mt(cfg.path(), &["diff", a, b]);
        assert_eq!(r.code, 2, "diff {a} {b}: {}\n{}", r.out, r.err);
        assert!(r.err.contains("127.0.0.1:1"), "{}", r.err);
        assert!(r.out.is_empty(), "no verdict printed: {}", r.out);
    }
    // docker's inspect: 1.
    let r = mt(cfg.path(), &["inspect", "127.0.0.1:1/samples/app:v1"]);
    assert_eq!(r.code, 1, "{}", r.err);
}

#[test]
fn help_states_the_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let top = piped(home.path(), &["--help"]);
    assert_eq!(top.code, 0, "{}", top.err);
    let diff = piped(home.path(), &["diff", "--help"]);
    assert_eq!(diff.code, 0, "{}", diff.err);
    for (what, text) in [("--help", &top.out), ("diff --help", &diff.out)] {
        assert!(text.contains("Exit status"), "{what}:\n{text}");
        assert!(
            text.contains("2 trouble") || text.contains("\n  2    diff"),
            "{what}:\n{text}"
        );
    }
    assert!(
        diff.out.contains("0 the same, 1 different, 2 trouble"),
        "{}",
        diff.out
    );
    // Not a verdict command: no verdict paragraph.
    let inspect = piped(home.path(), &["inspect", "--help"]);
    assert!(!inspect.out.contains("2 trouble"), "{}", inspect.out);
}

#[test]
fn a_mistyped_command_gets_clap_s_error_and_a_suggestion() {
    let home = tempfile::tempdir().unwrap();
    for (args, word, near) in [
        (&["isnpect", "foo/bar:1"][..], "isnpect", "inspect"),
        (&["inspectt"][..], "inspectt", "inspect"),
        (
            &["--insecure", "craete", "a/b:1", "c/d:1"][..],
            "craete",
            "create",
        ),
        (&["dif", "a/b:1", "a/b:2"][..], "dif", "diff"),
    ] {
        let r = piped(home.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.err);
        no_escapes(&r, &format!("{args:?}"));
        assert!(
            r.err.contains(&format!("unrecognized subcommand '{word}'")),
            "{args:?}: {}",
            r.err
        );
        assert!(
            r.err
                .contains(&format!("a similar subcommand exists: '{near}'")),
            "{args:?}: {}",
            r.err
        );
        assert!(
            !r.err.contains("cannot be used with"),
            "{args:?}: {}",
            r.err
        );
        assert!(!r.err.contains("needs a terminal"), "{args:?}: {}", r.err);
    }
    // A bare word one slip from a command says how to open an image of that name, and that
    // way opens the TUI (here: refused as there is no terminal, which is past the check).
    let r = piped(home.path(), &["crate"]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("'manifest-tui crate:latest'"), "{}", r.err);
    let r = piped(home.path(), &["crate:latest"]);
    assert!(r.err.contains("needs a terminal"), "{}", r.err);
    // A second argument after a reference: unexpected, with the order to use.
    let r = piped(home.path(), &["foo/bar:1", "inspect"]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("unexpected argument 'inspect'"), "{}", r.err);
    assert!(
        r.err.contains("'manifest-tui inspect foo/bar:1 ...'"),
        "{}",
        r.err
    );
}

#[test]
fn bare_references_still_reach_the_tui() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["busybox"][..],
        &["alpine"][..],
        &["localhost:5000/app:1"][..],
        &["127.0.0.1:5000/inspectt"][..],
        &["--registry", "127.0.0.1:5000", "samples/app"][..],
        &["--", "inspectt"][..],
    ] {
        let r = piped(home.path(), args);
        // Past the command-line checks, at the terminal check: one paragraph, exit 1.
        assert_eq!(r.code, 1, "{args:?}: {}", r.err);
        one_paragraph(&r, &format!("{args:?}"));
        assert!(
            r.err.contains("the TUI needs a terminal"),
            "{args:?}: {}",
            r.err
        );
    }
}

#[test]
fn errors_before_the_tui_are_one_paragraph_without_colour() {
    let home = tempfile::tempdir().unwrap();
    let r = piped(home.path(), &["busybox"]);
    one_paragraph(&r, "not a terminal");
    assert!(
        r.err.contains("`manifest-tui inspect busybox`"),
        "{}",
        r.err
    );
    let r = piped(home.path(), &["--registry", "127.0.0.1:5000"]);
    one_paragraph(&r, "not a terminal, a registry");
    assert!(
        r.err.contains("`manifest-tui catalog 127.0.0.1:5000`"),
        "{}",
        r.err
    );
    let r = piped(home.path(), &[]);
    one_paragraph(&r, "not a terminal, nothing given");
    assert!(r.err.contains("`manifest-tui inspect REF`"), "{}", r.err);

    let r = piped(home.path(), &["--registry", "kit"]);
    assert_eq!(r.code, 1);
    one_paragraph(&r, "--registry kit");
    assert!(
        r.err.contains("--registry: \"kit\" is not a registry host"),
        "{}",
        r.err
    );
    let r = piped(home.path(), &["Busybox"]);
    assert_eq!(r.code, 1);
    one_paragraph(&r, "a bad REF");
    assert!(
        r.err.contains("cannot open \"Busybox\"") && r.err.contains("lowercase"),
        "{}",
        r.err
    );
    let r = piped(
        home.path(),
        &["--keymap", "/nonexistent/keys.conf", "busybox"],
    );
    assert_eq!(r.code, 1);
    one_paragraph(&r, "a missing --keymap");
    assert!(
        r.err.contains("--keymap /nonexistent/keys.conf"),
        "{}",
        r.err
    );
    let r = piped(home.path(), &["demo"]);
    assert_eq!(r.code, 1);
    one_paragraph(&r, "demo without a terminal");
    assert!(r.err.contains("`manifest-tui demo --no-tui`"), "{}", r.err);
}

/// In a terminal, clap colours its errors; `NO_COLOR` turns that off, and our own error
/// paragraphs are never coloured.
#[test]
fn no_colour_codes_in_a_terminal_with_no_color() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str], no_color: bool, done: &str| -> Vec<u8> {
        let mut env = isolated_env(home.path(), &home.path().join("docker"));
        if no_color {
            env.push(("NO_COLOR", "1".into()));
        }
        let mut t = Tui::spawn(Path::new(BIN), args, env, 24, 120);
        t.wait_for(done, |s| s.contains(done));
        let code = t.wait_exit_code(Duration::from_secs(40));
        assert!(code.is_some(), "{args:?} did not exit");
        t.output()
    };
    let coloured = run(&["isnpect", "foo/bar:1"], false, "try '--help'");
    assert!(
        coloured.contains(&0x1b),
        "clap colours its errors in a terminal (the control case): {}",
        String::from_utf8_lossy(&coloured)
    );
    let plain = run(&["isnpect", "foo/bar:1"], true, "try '--help'");
    assert!(
        !plain.contains(&0x1b),
        "NO_COLOR: {}",
        String::from_utf8_lossy(&plain)
    );
    let ours = run(&["--registry", "kit"], false, "registry host");
    assert!(
        !ours.contains(&0x1b),
        "an error paragraph is never coloured: {}",
        String::from_utf8_lossy(&ours)
    );
}

#[test]
fn bash_completion_passes_bash_n() {
    let home = tempfile::tempdir().unwrap();
    let r = piped(home.path(), &["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.out.contains("complete -F"),
        "a bash completion script:\n{}",
        r.out
    );
    for name in ["inspect", "diff", "copy", "catalog"] {
        assert!(r.out.contains(name), "{name} is completed");
    }
    let file = home.path().join("manifest-tui.bash");
    std::fs::write(&file, &r.out).unwrap();
    let o = common::cli::tool("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("run bash");
    assert!(
        o.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The check can fail: a script cut in the middle does not parse.
    let cut = &r.out[..r
        .out
        .find("case \"${prev}\"")
        .expect("a case in the script")
        + 20];
    std::fs::write(&file, cut).unwrap();
    let o = common::cli::tool("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!o.status.success(), "bash -n accepted a cut script");
}

#[test]
fn man_page_renders_with_man_l_and_states_the_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let r = piped(home.path(), &["man"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.out.starts_with(".ie") || r.out.contains(".TH"),
        "roff:\n{}",
        r.out
    );
    let file = home.path().join("manifest-tui.1");
    std::fs::write(&file, &r.out).unwrap();
    let o = common::cli::tool("man")
        .args(["--warnings", "-l", "-P", "cat"])
        .arg(&file)
        .env("MANWIDTH", "100")
        .output()
        .expect("run man (Debian package man-db; scripts/install-test-deps.sh installs it)");
    let text = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "man -l: {err}\n{text}");
    assert!(!err.contains("warning"), "groff warnings: {err}");
    assert!(text.contains("EXIT STATUS"), "{text}");
    let section = &text[text.find("EXIT STATUS").unwrap()..];
    for code in ["0", "1", "2", "101"] {
        assert!(
            section
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "code {code} in:\n{section}"
        );
    }
    // Justified text: compare words, not spaces.
    let words = section.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("diff: could not compare"), "{section}");
    assert!(text.contains("EXAMPLES"), "{text}");
}
