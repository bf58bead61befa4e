//! Exit statuses: the one place they are decided, and the table `--help` and the man page show.
//!
//! docker's commands (inspect, create, annotate, push, rm) and the other commands that act exit
//! as docker's do: 0 done, 1 failed. A command whose exit status is its answer (a verdict
//! command: `diff`, and the comparisons to come) follows diff(1) and cmp(1): 0 the same,
//! 1 different, 2 trouble, so a script can tell "changed" from "could not tell". clap's usage
//! errors are 2 for every command; a panic is 101.

use clap_mangen::roff::{bold, roman, Roff};
use std::process::ExitCode;

/// The commands whose exit status is a verdict.
pub const VERDICT_COMMANDS: &[&str] = &["diff"];

/// What a verdict command concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Same,
    Different,
}

impl Verdict {
    /// `Different` when `differs`.
    pub fn of(differs: bool) -> Verdict {
        if differs {
            Verdict::Different
        } else {
            Verdict::Same
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Verdict::Same => 0,
            Verdict::Different => 1,
        }
    }

    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// The commands that act on many images and tell "some failed" from "nothing could start".
pub const BATCH_COMMANDS: &[&str] = &["sync"];

/// How a batch command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batch {
    /// Every image done (or already up to date).
    Done,
    /// Some images failed; the others finished.
    SomeFailed,
}

impl Batch {
    pub fn of(failures: usize) -> Batch {
        if failures == 0 {
            Batch::Done
        } else {
            Batch::SomeFailed
        }
    }

    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Batch::Done => 0,
            Batch::SomeFailed => 1,
        })
    }
}

/// How a command's failure shows in its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// docker's: 1.
    Docker,
    /// diff(1)'s: 2 ("trouble"), as 1 already means "different".
    Verdict,
    /// A batch command's: 2, nothing could start (1 is some images failed).
    Batch,
}

impl Rule {
    /// The rule of the command named `name` (its clap name).
    pub fn of(name: &str) -> Rule {
        if VERDICT_COMMANDS.contains(&name) {
            Rule::Verdict
        } else if BATCH_COMMANDS.contains(&name) {
            Rule::Batch
        } else {
            Rule::Docker
        }
    }

    /// The status of a command that failed.
    pub fn failure(self) -> u8 {
        match self {
            Rule::Docker => 1,
            Rule::Verdict | Rule::Batch => 2,
        }
    }

    pub fn failure_code(self) -> ExitCode {
        ExitCode::from(self.failure())
    }
}

/// Every exit status and what it means; `{verdict}` stands for the verdict commands.
const STATUSES: &[(&str, &str)] = &[
    (
        "0",
        "success: the command did what was asked; {verdict}: the two are the same",
    ),
    (
        "1",
        "every command but {verdict}, as docker's (inspect, create, annotate, push, rm, ...), and the \
         TUI: it failed, and stderr says why in one paragraph; {verdict}: the two differ; {batch}: \
         some images failed (the others finished; the summary names each failure and why)",
    ),
    (
        "2",
        "{verdict}: could not compare (a reference is missing, a registry cannot be reached, \
         --platform names a platform neither side has, an argument is bad); {batch}: nothing could \
         start (a bad source file, an unreachable DEST); any command: a usage error (an unknown \
         command or flag, a missing argument)",
    ),
    (
        "101",
        "an internal error (a bug); the report says where to send it",
    ),
];

fn verdict_names() -> String {
    VERDICT_COMMANDS.join(", ")
}

fn statuses() -> impl Iterator<Item = (&'static str, String)> {
    STATUSES.iter().map(|(code, text)| {
        let text = text.replace("{verdict}", &verdict_names());
        (*code, text.replace("{batch}", &BATCH_COMMANDS.join(", ")))
    })
}

/// The exit-status table for the top-level `--help`.
pub fn help() -> String {
    let mut s = String::from("Exit status:\n");
    for (code, text) in statuses() {
        let mut line = format!("  {code:<5}");
        let mut width = line.len();
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 && width + 1 + word.len() > 96 {
                line.push_str("\n       ");
                width = 7;
            } else if i > 0 {
                line.push(' ');
                width += 1;
            }
            line.push_str(word);
            width += word.len();
        }
        s.push_str(&line);
        s.push('\n');
    }
    s.pop();
    s
}

/// The paragraph a verdict command's `--help` ends with.
pub fn verdict_help() -> &'static str {
    "Exit status, as diff(1) and cmp(1): 0 the same, 1 different, 2 trouble (a reference is\n\
     missing, a registry cannot be reached, --platform names a platform neither side has, an\n\
     argument is bad). A script can tell \"changed\" (1) from \"could not tell\" (2)."
}

/// The paragraph a batch command's `--help` ends with.
pub fn batch_help() -> &'static str {
    "Exit status: 0 every image done or already up to date, 1 some images failed (the others\n\
     finished; the summary names each failure and why), 2 nothing could start (a bad source\n\
     file, an unreachable DEST, an argument is bad)."
}

/// The man page's EXIT STATUS section.
pub fn man_section(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, text) in statuses() {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(text)]);
    }
}

/// clap's command for `manifest-tui` with the exit statuses in its help: the parser,
/// the completions and the man page all use this one.
pub fn document(mut cmd: clap::Command) -> clap::Command {
    let top = cmd
        .get_after_help()
        .map(|s| format!("{s}\n\n"))
        .unwrap_or_default();
    cmd = cmd.after_help(format!("{top}{}", help()));
    for name in VERDICT_COMMANDS {
        cmd = cmd.mut_subcommand(*name, |sub| {
            let own = sub
                .get_after_help()
                .map(|s| format!("{s}\n\n"))
                .unwrap_or_default();
            sub.after_help(format!("{own}{}", verdict_help()))
        });
    }
    for name in BATCH_COMMANDS {
        cmd = cmd.mut_subcommand(*name, |sub| {
            let own = sub
                .get_after_help()
                .map(|s| format!("{s}\n\n"))
                .unwrap_or_default();
            sub.after_help(format!("{own}{}", batch_help()))
        });
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_failures_map_to_diff_1s_codes() {
        assert_eq!(Verdict::of(false).code(), 0);
        assert_eq!(Verdict::of(true).code(), 1);
        assert_eq!(Rule::of("diff").failure(), 2);
        assert_eq!(Rule::of("inspect").failure(), 1);
        assert_eq!(Rule::of("push").failure(), 1);
        assert_eq!(Rule::of("sync").failure(), 2, "nothing could start");
        assert_eq!(Batch::of(0).exit_code(), ExitCode::from(0));
        assert_eq!(Batch::of(2).exit_code(), ExitCode::from(1));
    }

    #[test]
    fn every_verdict_command_exists() {
        let cmd = <super::super::Cli as clap::CommandFactory>::command();
        for name in VERDICT_COMMANDS.iter().chain(BATCH_COMMANDS) {
            assert!(cmd.find_subcommand(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_help_table_is_wrapped_under_100_columns() {
        let h = help();
        assert!(h.lines().all(|l| l.chars().count() <= 100), "{h}");
        for code in ["0", "1", "2", "101"] {
            assert!(h.contains(&format!("\n  {code:<5}")), "{h}");
        }
    }
}
