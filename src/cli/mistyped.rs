//! The first word of a command line, when it is neither a command nor the TUI's REF.
//!
//! `manifest-tui WORD` opens the TUI at the image WORD, so without a check a mistyped command
//! (`inspectt`) would be taken for an image name, and `isnpect foo/bar:1` would get clap's
//! "cannot be used with '[REF]'". Before clap parses, the first word is classified:
//!
//! - a command name (or alias): clap's business;
//! - a word with `/`, `:`, `@` or `.` in it is a reference, never a command; a second
//!   argument after it that the TUI does not take is an unexpected argument;
//! - a bare word followed by arguments the TUI does not take is an unknown command (the TUI
//!   takes one REF), with the closest command suggested if one is within 2 edits;
//! - a bare word alone is an image name (`busybox`) unless it is one edit from a command of
//!   4 or more letters (`inspectt`, `isnpect`, `craete`), or two adjacent letters swapped from a
//!   3-letter one (`tga`, `amn`): then it is an unknown command, and the error says how to open
//!   the TUI at an image of that name anyway (`NAME:latest`; `-- NAME` works too). The 2-letter
//!   commands (`rm`, `ls`) are never guessed from a word alone: `sl` is an official image.
//!
//! The errors are clap's own (same wording, colours only on a terminal, exit status 2).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use manifest_core::platform::edit_distance;
use std::ffi::OsString;

/// The top-level options that take a value (the word after them is not the first word).
const VALUED: &[&str] = &["--registry", "--keymap"];
/// The top-level flags.
const FLAGS: &[&str] = &["--insecure"];

/// The error for a first word that is a mistyped command, if it is one.
pub(super) fn check(cmd: &clap::Command, argv: &[OsString]) -> Option<clap::Error> {
    let args: Vec<&str> = argv
        .iter()
        .skip(1)
        .map(|a| a.to_str())
        .collect::<Option<_>>()?;
    let (at, word) = first_word(&args)?;
    let mut cmd = cmd.clone();
    cmd.build();
    if cmd.find_subcommand(word).is_some() {
        return None;
    }
    let names = command_names(&cmd);
    let extra = not_for_the_tui(&args[at + 1..]);
    let tui_ref = names_a_reference(word);
    let mut err;
    if let Some(arg) = extra {
        if tui_ref {
            err = clap::Error::new(ErrorKind::UnknownArgument).with_cmd(&cmd);
            err.insert(ContextKind::InvalidArg, ContextValue::String(arg.into()));
            let tip = if names.iter().any(|n| n == arg) {
                format!("a command goes first: 'manifest-tui {arg} {word} ...'")
            } else {
                "the TUI opens at one REF; a command goes first: 'manifest-tui COMMAND ...'".into()
            };
            err.insert(
                ContextKind::Suggested,
                ContextValue::StyledStrs(vec![tip.into()]),
            );
        } else {
            err = unknown_command(&cmd, word, closest(word, &names, 2));
        }
    } else {
        if tui_ref {
            return None;
        }
        let near = close_command(word, &names)?;
        err = unknown_command(&cmd, word, Some(near));
        if is_image_name(word) {
            let tip = format!(
                "to open the TUI at the image '{word}', give its tag: 'manifest-tui {word}:latest'"
            );
            err.insert(
                ContextKind::Suggested,
                ContextValue::StyledStrs(vec![tip.into()]),
            );
        }
    }
    err.insert(
        ContextKind::Usage,
        ContextValue::StyledStr(cmd.render_usage()),
    );
    Some(err)
}

fn unknown_command(cmd: &clap::Command, word: &str, near: Option<String>) -> clap::Error {
    let mut err = clap::Error::new(ErrorKind::InvalidSubcommand).with_cmd(cmd);
    err.insert(
        ContextKind::InvalidSubcommand,
        ContextValue::String(word.into()),
    );
    if let Some(n) = near {
        err.insert(ContextKind::SuggestedSubcommand, ContextValue::String(n));
    }
    err
}

/// The first argument that is not a top-level option or its value, and where it is. None when
/// an option clap must judge (`--help`, an unknown flag) or `--` comes first.
fn first_word<'a>(args: &[&'a str]) -> Option<(usize, &'a str)> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if VALUED.contains(a) {
            i += 2;
        } else if FLAGS.contains(a) || VALUED.iter().any(|v| option_with_value(a, v)) {
            i += 1;
        } else if a.starts_with('-') {
            return None;
        } else {
            return Some((i, a));
        }
    }
    None
}

fn option_with_value(arg: &str, option: &str) -> bool {
    arg.strip_prefix(option).is_some_and(|r| r.starts_with('='))
}

/// The first of `rest` that the TUI does not take (anything but its options and their values).
fn not_for_the_tui<'a>(rest: &[&'a str]) -> Option<&'a str> {
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        if VALUED.contains(a) {
            i += 2;
        } else if FLAGS.contains(a) || VALUED.iter().any(|v| option_with_value(a, v)) {
            i += 1;
        } else {
            return Some(a);
        }
    }
    None
}

/// A word with a registry, a path, a tag or a digest in it names an image, never a command.
fn names_a_reference(word: &str) -> bool {
    word.contains(['/', ':', '@', '.'])
}

/// A word `manifest-tui WORD:latest` would open (lowercase letters, digits, `-`, `_`).
fn is_image_name(word: &str) -> bool {
    word.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Every command name and visible alias (`help` included).
fn command_names(cmd: &clap::Command) -> Vec<String> {
    cmd.get_subcommands()
        .flat_map(|s| std::iter::once(s.get_name()).chain(s.get_all_aliases()))
        .map(str::to_string)
        .collect()
}

/// The command `word` is one slip away from (see the module doc), if any.
fn close_command(word: &str, names: &[String]) -> Option<String> {
    let w = word.to_ascii_lowercase();
    names
        .iter()
        .filter(|n| {
            if n.len() >= 4 {
                edit_distance(&w, n) <= 1
            } else {
                n.len() == 3 && swapped(&w, n)
            }
        })
        .min_by_key(|n| edit_distance(&w, n))
        .cloned()
}

/// `a` is `b` with two adjacent letters swapped.
fn swapped(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(diff[..], [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i])
}

/// The closest command within `limit` edits (the first in command order on a tie).
fn closest(word: &str, names: &[String], limit: usize) -> Option<String> {
    let w = word.to_ascii_lowercase();
    names
        .iter()
        .map(|n| (edit_distance(&w, n), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(line: &str) -> Option<(ErrorKind, String)> {
        let cmd = <super::super::Cli as clap::CommandFactory>::command();
        let argv: Vec<OsString> = std::iter::once("manifest-tui")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect();
        check(&cmd, &argv).map(|e| (e.kind(), e.render().to_string()))
    }

    #[test]
    fn mistyped_commands_are_unknown_commands_with_a_suggestion() {
        for (line, near) in [
            ("inspectt", "inspect"),
            ("isnpect", "inspect"),
            ("isnpect foo/bar:1", "inspect"),
            ("Inspect", "inspect"),
            ("craete", "create"),
            ("--insecure catlog", "catalog"),
            ("--registry 127.0.0.1:5000 inspct", "inspect"),
            ("mr a/b:1", "rm"),
            ("amn", "man"),
            ("tga", "tag"),
            ("dif a b", "diff"),
            ("inspcet --format table x/y:1", "inspect"),
        ] {
            let (kind, text) = verdict(line).unwrap_or_else(|| panic!("{line}: accepted"));
            assert_eq!(kind, ErrorKind::InvalidSubcommand, "{line}");
            assert!(
                text.contains(&format!("a similar subcommand exists: '{near}'")),
                "{line}: {text}"
            );
        }
    }

    const OFFICIAL: &[&str] = &[
        "adminer",
        "aerospike",
        "almalinux",
        "alpine",
        "alt",
        "amazoncorretto",
        "amazonlinux",
        "arangodb",
        "archlinux",
        "bash",
        "bonita",
        "buildpack-deps",
        "busybox",
        "caddy",
        "cassandra",
        "chronograf",
        "cirros",
        "clojure",
        "composer",
        "consul",
        "couchbase",
        "couchdb",
        "dart",
        "debian",
        "docker",
        "drupal",
        "eclipse-temurin",
        "eggdrop",
        "elixir",
        "emqx",
        "erlang",
        "fedora",
        "flink",
        "fluentd",
        "gcc",
        "ghost",
        "golang",
        "gradle",
        "groovy",
        "haproxy",
        "haskell",
        "haxe",
        "hello-world",
        "hitch",
        "httpd",
        "hylang",
        "influxdb",
        "irssi",
        "jetty",
        "joomla",
        "julia",
        "kapacitor",
        "kibana",
        "kong",
        "liquibase",
        "logstash",
        "mageia",
        "mariadb",
        "matomo",
        "maven",
        "mediawiki",
        "memcached",
        "mongo",
        "mongo-express",
        "mono",
        "mysql",
        "nats",
        "neo4j",
        "nextcloud",
        "nginx",
        "node",
        "odoo",
        "open-liberty",
        "oraclelinux",
        "orientdb",
        "percona",
        "perl",
        "photon",
        "php",
        "phpmyadmin",
        "plone",
        "postfixadmin",
        "postgres",
        "pypy",
        "python",
        "r-base",
        "rabbitmq",
        "redis",
        "redmine",
        "registry",
        "rethinkdb",
        "rockylinux",
        "ros",
        "ruby",
        "rust",
        "sapmachine",
        "satosa",
        "silverpeas",
        "sl",
        "solr",
        "sonarqube",
        "spark",
        "spiped",
        "storm",
        "swift",
        "teamspeak",
        "telegraf",
        "tomcat",
        "tomee",
        "traefik",
        "ubuntu",
        "unit",
        "varnish",
        "vault",
        "websphere-liberty",
        "wordpress",
        "xwiki",
        "yourls",
        "znc",
        "zookeeper",
    ];

    #[test]
    fn image_names_and_references_still_open_the_tui() {
        // Docker Hub's official images (a sample) are not commands; `crate` is (see below).
        for name in OFFICIAL {
            assert_eq!(verdict(name), None, "{name}");
        }
        for line in [
            "busybox",
            "alpine",
            "nginx",
            "redis",
            "node",
            "rust",
            "tar",
            "mac",
            "bash",
            "debian",
            "localhost:5000/app:1",
            "crate:latest",
            "docker.io/library/crate",
            "127.0.0.1:5000/inspectt",
            "inspectt.example.com/app",
            "--registry 127.0.0.1:5000 samples/app",
            "busybox --insecure",
            "busybox --registry 127.0.0.1:5000",
            "-- inspectt",
            "inspect foo/bar:1",
            "help",
            "--help",
            "",
        ] {
            assert_eq!(verdict(line), None, "{line}");
        }
    }

    #[test]
    fn a_bare_word_with_more_arguments_is_an_unknown_command() {
        let (kind, text) = verdict("busybox foo/bar:1").unwrap();
        assert_eq!(kind, ErrorKind::InvalidSubcommand);
        assert!(text.contains("unrecognized subcommand 'busybox'"), "{text}");
        assert!(!text.contains("similar"), "{text}");
    }

    #[test]
    fn a_word_one_slip_from_a_command_says_how_to_open_that_image() {
        let (_, text) = verdict("crate").unwrap();
        assert!(text.contains("'create'"), "{text}");
        assert!(text.contains("'manifest-tui crate:latest'"), "{text}");
    }

    #[test]
    fn an_argument_after_a_reference_is_unexpected() {
        let (kind, text) = verdict("foo/bar:1 inspect").unwrap();
        assert_eq!(kind, ErrorKind::UnknownArgument);
        assert!(
            text.contains("'manifest-tui inspect foo/bar:1 ...'"),
            "{text}"
        );
        let (kind, text) = verdict("foo/bar:1 baz").unwrap();
        assert_eq!(kind, ErrorKind::UnknownArgument);
        assert!(text.contains("unexpected argument 'baz'"), "{text}");
    }
}
