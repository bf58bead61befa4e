//! The user documentation stays true: docs/KEYS.md is the keymap's own table (and what
//! `manifest-tui keys` prints), the README's keys.conf example is accepted by the parser, its
//! links lead to files that exist, and its first lines are the two commands CI and a new user
//! rely on.

mod common;

use manifest_tui::tui::keymap::Keymap;
use std::path::Path;

const START: &str = "<!-- keys:start -->\n";
const END: &str = "<!-- keys:end -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let p = root().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// The generated part of docs/KEYS.md, between the markers.
fn keys_doc_table(doc: &str) -> (usize, usize) {
    (
        doc.find(START).expect("keys:start marker in docs/KEYS.md") + START.len(),
        doc.find(END).expect("keys:end marker in docs/KEYS.md"),
    )
}

#[test]
fn keys_doc_matches_the_keymap() {
    let doc = read("docs/KEYS.md");
    let (a, b) = keys_doc_table(&doc);
    let want = Keymap::default().markdown();
    if doc[a..b] != want {
        if std::env::var_os("UPDATE_KEYS").is_some() {
            let new = format!("{}{}{}", &doc[..a], want, &doc[b..]);
            std::fs::write(root().join("docs/KEYS.md"), new).unwrap();
        } else {
            panic!(
                "docs/KEYS.md's key table is out of date: run `UPDATE_KEYS=1 cargo test --test readme`"
            );
        }
    }
}

/// `manifest-tui keys` with `home` as HOME and `home/config` as XDG_CONFIG_HOME.
fn keys_command(home: &Path) -> std::process::Output {
    let out = common::cli::tool(common::cli::BIN)
        .arg("keys")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    out
}

#[test]
fn keys_command_prints_the_documented_table() {
    // No keys.conf anywhere: the command prints the defaults, which docs/KEYS.md holds.
    let home = tempfile::tempdir().unwrap();
    let out = keys_command(home.path());
    assert!(out.stderr.is_empty(), "{out:?}");
    let doc = read("docs/KEYS.md");
    let (a, b) = keys_doc_table(&doc);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), doc[a..b]);

    // With a keys.conf, it prints the bindings in effect.
    let conf = home.path().join("config/manifest-tui");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("keys.conf"), "global quit ctrl-q\n").unwrap();
    let text = String::from_utf8(keys_command(home.path()).stdout).unwrap();
    assert!(
        text.contains("| `Ctrl-q` | quit | `global quit` |"),
        "{text}"
    );
}

/// The first fenced ```conf block of a Markdown text.
fn conf_block(doc: &str) -> &str {
    let start = doc.find("```conf\n").expect("a ```conf block") + "```conf\n".len();
    let len = doc[start..]
        .find("```")
        .expect("the end of the ```conf block");
    &doc[start..start + len]
}

#[test]
fn keys_conf_examples_are_accepted() {
    for rel in ["README.md", "docs/KEYS.md"] {
        let example = conf_block(&read(rel)).to_string();
        let mut km = Keymap::default();
        let errors = km.apply(Path::new(rel), &example);
        assert!(errors.is_empty(), "{rel}: {errors:?}");
        for line in example.lines().filter(|l| !l.trim().starts_with('#')) {
            let mut one = Keymap::default();
            one.apply(Path::new(rel), line);
            assert_ne!(
                one.bindings(),
                Keymap::default().bindings(),
                "{rel}: {line:?} changes nothing"
            );
        }
    }
}

#[test]
fn documentation_links_lead_to_files() {
    for rel in [
        "README.md",
        "docs/KEYS.md",
        "docs/RELIABILITY.md",
        "docs/TOUR.md",
        "BENCHMARKS.md",
    ] {
        let doc = read(rel);
        let dir = root().join(rel).parent().unwrap().to_path_buf();
        let mut rest = doc.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let target = &rest[..rest.find(')').expect("a closing parenthesis")];
            let file = target.split('#').next().unwrap();
            if file.is_empty() || file.contains("://") {
                continue;
            }
            assert!(
                dir.join(file).exists(),
                "{rel} links to {target}, which does not exist"
            );
        }
    }
}

#[test]
fn readme_opens_with_the_two_commands_and_ci_runs_the_second() {
    let readme = read("README.md");
    let head: Vec<&str> = readme.lines().take(6).collect();
    assert!(
        head.iter().any(|l| l.starts_with("bash scripts/demo.sh")),
        "{head:?}"
    );
    assert!(
        head.iter().any(|l| l.starts_with("bash scripts/test.sh")),
        "{head:?}"
    );
    let ci = read(".ci/run");
    assert!(ci.contains("bash scripts/test.sh"), "{ci}");
}
