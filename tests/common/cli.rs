//! Running programs from a test: the manifest-tui binary ([`command`], [`mt`]) and every other
//! tool a test calls (skopeo, docker, curl, tar, find, tmux: [`tool`]). This is the one way
//! tests start a program: each run gets a private home (`HOME`, the XDG directories, an empty
//! `REGISTRY_AUTH_FILE` and, for tools, an empty `DOCKER_CONFIG`), and only the basics of the
//! test's own environment ([`hermetic::INHERITED`]): no proxy variables, nothing read from
//! the CI user's `~/.docker` or `~/.config`. `tests/harness.rs` checks that no test builds a
//! `Command` of its own.

use super::pty::hermetic;
use std::ffi::OsStr;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_manifest-tui");

/// What one run printed.
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&o.stdout).into_owned(),
            err: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// A private home that exists: `home/` with the XDG directories of [`hermetic::home_vars`]
/// below it, `home/.docker/config.json` (`{"auths":{}}`) and `home/auth.json` (the same, for
/// skopeo's `REGISTRY_AUTH_FILE`). Removed on drop.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("manifest-tui-home-")
            .tempdir()
            .expect("harness: create a private HOME");
        let s = Sandbox { dir };
        let home = s.home();
        for d in ["config", "cache", "state", "data", "run", ".docker"] {
            std::fs::create_dir_all(home.join(d)).expect("harness: create a HOME directory");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // XDG_RUNTIME_DIR and tmux's socket directory must be the user's alone.
            let _ =
                std::fs::set_permissions(home.join("run"), std::fs::Permissions::from_mode(0o700));
        }
        for f in [".docker/config.json", "auth.json"] {
            std::fs::write(home.join(f), "{\"auths\":{}}")
                .expect("harness: write an empty auth file");
        }
        s
    }

    /// `HOME`.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// An empty docker config directory (`HOME/.docker`).
    pub fn docker_config(&self) -> PathBuf {
        self.home().join(".docker")
    }

    /// skopeo's (containers-auth) credentials file, empty.
    pub fn auth_file(&self) -> PathBuf {
        self.home().join("auth.json")
    }

    /// `program` in this home (as [`tool`] does, but several commands can share the home: a
    /// tmux server and the clients that talk to it).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        self.apply(&mut cmd, &self.docker_config());
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Give `cmd` this home and nothing else of the test's environment but
    /// [`hermetic::INHERITED`]; `DOCKER_CONFIG` is `docker_config`.
    pub fn apply(&self, cmd: &mut Command, docker_config: &Path) {
        hermetic_env(cmd, &self.home(), docker_config);
        cmd.env("REGISTRY_AUTH_FILE", self.auth_file());
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// Clear `cmd`'s environment and give it the harness's: [`hermetic::INHERITED`], `HOME` and
/// the XDG directories under `home`, `DOCKER_CONFIG` = `docker_config`. Set a test's own
/// variables after this.
pub fn hermetic_env(cmd: &mut Command, home: &Path, docker_config: &Path) {
    cmd.env_clear();
    cmd.envs(hermetic::inherited());
    cmd.envs(hermetic::home_vars(home));
    cmd.env("DOCKER_CONFIG", docker_config);
}

/// A [`Command`] with the private home it runs in (kept until the command is dropped).
/// Derefs to the `Command`: add arguments and variables, then `output()`/`spawn()`.
pub struct TestCommand {
    cmd: Command,
    sandbox: Sandbox,
}

impl TestCommand {
    /// The private home this command runs in.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Run it to the end; panics when it cannot start.
    pub fn run(&mut self) -> Run {
        let prog = self.cmd.get_program().to_string_lossy().into_owned();
        self.cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {prog}: {e} (scripts/install-test-deps.sh installs every tool the tests use)"))
            .into()
    }
}

impl Deref for TestCommand {
    type Target = Command;
    fn deref(&self) -> &Command {
        &self.cmd
    }
}

impl DerefMut for TestCommand {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.cmd
    }
}

/// `program` with nothing of the test's environment but [`hermetic::INHERITED`] and stdin
/// closed, for a test that sets `HOME`, `DOCKER_CONFIG` and the XDG directories itself.
pub fn bare(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    cmd.envs(hermetic::inherited());
    cmd.stdin(Stdio::null());
    cmd
}

/// Any program (`skopeo`, `docker`, `curl`, `tar`, `find`, `tmux`, `bash`…) in a private home:
/// `DOCKER_CONFIG` is the home's empty `.docker` and `REGISTRY_AUTH_FILE` an empty file
/// (override either with `.env(…)`); stdin is closed.
pub fn tool(program: impl AsRef<OsStr>) -> TestCommand {
    let sandbox = Sandbox::new();
    let cmd = sandbox.command(program);
    TestCommand { cmd, sandbox }
}

/// manifest-tui with `DOCKER_CONFIG` = `config`, a private home, no colour (`NO_COLOR=1`) and
/// stdin closed (not a terminal).
pub fn command(config: &Path) -> TestCommand {
    let mut c = tool(BIN);
    c.env("DOCKER_CONFIG", config).env("NO_COLOR", "1");
    c
}

/// Run manifest-tui with `DOCKER_CONFIG=config`, no colour, and stdin closed (not a terminal).
pub fn mt(config: &Path, args: &[&str]) -> Run {
    command(config)
        .args(args)
        .output()
        .map(Run::from)
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

/// The run, after checking it exited 0 (else both streams are shown).
#[track_caller]
pub fn ok(r: Run, what: &str) -> Run {
    assert_eq!(
        r.code, 0,
        "{what} failed:\nstdout: {}\nstderr: {}",
        r.out, r.err
    );
    r
}

/// An exited program's status and both streams, for an assertion's message.
pub fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The stdout of `o`, after checking it exited 0 (else both streams are shown).
#[track_caller]
pub fn ok_output(o: Output, what: &str) -> String {
    assert_eq!(o.status.code(), Some(0), "{what} failed\n{}", show(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The stderr of `o`, after checking it exited as an error (1, not a panic).
#[track_caller]
pub fn fails_output(o: Output, what: &str) -> String {
    super::assert_error_exit(o.status.code(), format!("{what}\n{}", show(&o)));
    String::from_utf8_lossy(&o.stderr).into_owned()
}
