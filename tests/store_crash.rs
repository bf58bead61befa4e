//! The local store under process death and process concurrency, with the real CLI binary:
//! `kill -9` during bursts of `annotate` writes leaves every list readable, and two
//! processes annotating the same list concurrently lose no update (the store's flock).
//!
//! That a write really was interrupted is made certain, not left to timing: a writer run
//! with a file-size limit (`RLIMIT_FSIZE`) below the size of the entry file it writes is
//! killed by the kernel (SIGXFSZ, no handler runs, as with `kill -9`) in the middle of
//! writing it. Its temp file is left behind, holding the start of the new entry, and the
//! list keeps its old files byte for byte.

use manifest_tui::media::RawManifest;
use manifest_tui::reference::Reference;
use manifest_tui::store::{Draft, ListMeta, Store, StoredEntry};
use mt_testkit::samples;
use std::path::Path;
mod common;

use common::cli::TestCommand;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const HOST: &str = "127.0.0.1:5999";

/// Write a list of the six v1 OCI samples straight into the store (no registry needed).
fn seed_list(store: &Store, name: &str) -> Reference {
    let list = Reference::parse(&format!("{HOST}/{name}")).expect("list ref");
    let entries: Vec<StoredEntry> = samples::images("v1", true)
        .into_iter()
        .map(|img| {
            let r = Reference::parse(&format!("{HOST}/{}@{}", img.repo, img.digest))
                .expect("entry ref");
            let raw = RawManifest::new(img.manifest.clone(), img.media_type).expect("raw");
            StoredEntry::new(r, raw, img.platform.clone())
        })
        .collect();
    store
        .update(&list, |_| {
            let d = Draft {
                list: list.clone(),
                entries: entries.clone(),
                meta: ListMeta::default(),
            };
            Ok::<_, manifest_tui::store::StoreError>((d, ()))
        })
        .expect("seed list");
    list
}

fn annotate(cfg: &Path, list: &Reference, platform: &str, kv: &str) -> TestCommand {
    let mut c = common::cli::command(cfg);
    c.args(["annotate", "--annotation", kv])
        .arg(list.to_string())
        .arg(platform)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// [`annotate`], run so that the kernel kills it (SIGXFSZ) once it writes past `limit`
/// bytes into any file (`RLIMIT_FSIZE`; no core file), in the directory `cwd`.
fn annotate_limited(
    cfg: &Path,
    list: &Reference,
    platform: &str,
    kv: &str,
    limit: u64,
    cwd: &Path,
) -> TestCommand {
    use std::os::unix::process::CommandExt as _;
    let mut c = annotate(cfg, list, platform, kv);
    c.current_dir(cwd);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        c.pre_exec(move || {
            let set = |what, n: u64| {
                let l = libc::rlimit {
                    rlim_cur: n as libc::rlim_t,
                    rlim_max: n as libc::rlim_t,
                };
                if libc::setrlimit(what, &l) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            };
            set(libc::RLIMIT_CORE, 0)?;
            set(libc::RLIMIT_FSIZE, limit)
        });
    }
    c
}

/// The store's temp files (`manifests/.manifest-tui/tmp/`), by name.
fn temp_files(cfg: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    files_in(&cfg.join("manifests/.manifest-tui/tmp"))
}

/// Every file of a directory (none when it does not exist), by name.
fn files_in(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|f| {
                    let bytes = std::fs::read(f.path()).expect("read a file");
                    (f.file_name().to_string_lossy().into_owned(), bytes)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The size of the smallest entry file of `list`: a file-size limit at most this is
/// below the size of any entry an annotation makes bigger.
fn smallest_entry(store: &Store, list: &Reference) -> u64 {
    files_in(&store.list_dir(list))
        .values()
        .map(|b| b.len() as u64)
        .min()
        .expect("the list has entry files")
}

#[track_caller]
fn assert_killed_by_the_size_limit(status: std::process::ExitStatus, what: &str) {
    use std::os::unix::process::ExitStatusExt as _;
    assert_eq!(
        status.signal(),
        Some(libc::SIGXFSZ),
        "{what}: the writer was killed while writing: {status}"
    );
}

/// A small xorshift generator seeded from the clock (the seed is printed on failure).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn sigkill(child: &mut Child) {
    let pid = child.id() as libc::pid_t;
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    let _ = child.wait();
}

/// Every list in the store loads, and every entry parses.
fn assert_all_readable(store: &Store, seed: u64, round: usize) -> usize {
    let lists = store
        .lists()
        .unwrap_or_else(|e| panic!("seed {seed} round {round}: lists(): {e}"));
    for l in &lists {
        let d = l.draft.as_ref().unwrap_or_else(|e| {
            panic!(
                "seed {seed} round {round}: list {} unreadable: {e}",
                l.dir_name
            )
        });
        assert_eq!(
            d.entries.len(),
            6,
            "seed {seed} round {round}: {}",
            l.dir_name
        );
        for e in &d.entries {
            e.raw.parse().unwrap_or_else(|err| {
                panic!("seed {seed} round {round}: entry {}: {err}", e.file_name)
            });
        }
    }
    lists.len()
}

#[test]
fn kill_9_during_write_bursts_leaves_every_list_readable() {
    let cfg = tempfile::tempdir().expect("config dir");
    std::fs::write(cfg.path().join("config.json"), "{\"auths\":{}}").expect("config.json");
    let store = Store::open(Some(cfg.path()));
    let lists: Vec<Reference> = ["crash/a:v1", "crash/b:v1", "crash/c:v1"]
        .iter()
        .map(|n| seed_list(&store, n))
        .collect();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    let mut rng = Rng(seed);
    let plats = ["linux/amd64", "linux/arm64/v8", "linux/s390x"];
    let (mut killed, mut finished, mut interrupted_for_sure) = (0, 0, 0);
    for round in 0..20 {
        // A burst: 6 writers over the three lists, each killed at a random moment.
        let mut kids: Vec<(Child, Duration, TestCommand)> = (0..6)
            .map(|i| {
                let list = &lists[i % lists.len()];
                let plat = plats[(rng.next() % 3) as usize];
                let kv = format!(
                    "round{round}.w{i}={}",
                    "x".repeat((rng.next() % 4096) as usize + 1)
                );
                let mut cmd = annotate(cfg.path(), list, plat, &kv);
                let child = cmd.spawn().expect("spawn");
                (child, Duration::from_micros(rng.next() % 40_000), cmd)
            })
            .collect();
        // And one writer that is certain to die mid-write: not killed by the test, but by
        // the kernel once it has written `limit` bytes of its new entry.
        let target = &lists[round % lists.len()];
        let limit = smallest_entry(&store, target);
        let mut certain = annotate_limited(
            cfg.path(),
            target,
            plats[round % 3],
            &format!("round{round}.limited={}", "y".repeat(8192)),
            limit,
            cfg.path(),
        )
        .spawn()
        .expect("spawn the limited writer");
        let start = Instant::now();
        kids.sort_by_key(|(_, d, _)| *d);
        for (child, at, _) in kids.iter_mut() {
            if let Some(wait) = at.checked_sub(start.elapsed()) {
                std::thread::sleep(wait);
            }
            match child.try_wait() {
                Ok(Some(status)) => {
                    assert!(status.success(), "seed {seed}: annotate failed: {status}");
                    finished += 1;
                }
                _ => {
                    sigkill(child);
                    killed += 1;
                }
            }
        }
        assert_killed_by_the_size_limit(
            certain.wait().expect("wait for the limited writer"),
            &format!("seed {seed} round {round}"),
        );
        interrupted_for_sure += 1;
        let n = assert_all_readable(&store, seed, round);
        assert_eq!(n, 3);
        // The lock of a killed writer is gone: a fresh write goes through at once.
        let out = annotate(
            cfg.path(),
            &lists[0],
            "linux/amd64",
            &format!("after{round}=ok"),
        )
        .output()
        .expect("annotate after kill");
        assert!(
            out.status.success(),
            "seed {seed} round {round}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_all_readable(&store, seed, 99);
    // No temp files left where lists live (they belong in the tool's own tmp dir).
    for l in &lists {
        for f in std::fs::read_dir(store.list_dir(l))
            .expect("list dir")
            .flatten()
        {
            let name = f.file_name().to_string_lossy().to_string();
            assert!(
                !name.starts_with("entry") && !name.starts_with('.'),
                "stray file {name}"
            );
        }
    }
    // Every writer that died after creating its temp file and before renaming it left
    // that file: at least the one certain interruption of each round.
    let left = temp_files(cfg.path()).len();
    assert!(
        left >= interrupted_for_sure,
        "seed {seed}: {left} temp files left by {interrupted_for_sure} writers killed mid-write"
    );
    eprintln!("kill -9: {killed} writers killed at random moments, {finished} finished, {interrupted_for_sure} killed mid-write for sure; {left} temp files left by interrupted writes; 20 rounds, every list readable (seed {seed})");
    // Whether a randomly timed kill lands mid-write depends on the machine's speed; the
    // size-limited writer of each round is killed mid-write whatever the speed.
    assert!(
        interrupted_for_sure >= 20,
        "seed {seed}: only {interrupted_for_sure} certain interruptions in 20 rounds"
    );
}

/// A writer killed in the middle of writing an entry: its temp file holds the start of the
/// new entry (the same bytes a completed write then puts in place) and was never renamed;
/// the list's files are byte for byte the old ones, and the list reads as before. Its lock
/// died with it: the next write goes through.
#[test]
fn a_writer_killed_mid_write_leaves_its_temp_file_and_the_old_list() {
    let cfg = tempfile::tempdir().expect("config dir");
    std::fs::write(cfg.path().join("config.json"), "{\"auths\":{}}").expect("config.json");
    let store = Store::open(Some(cfg.path()));
    let list = seed_list(&store, "crash/limit:v1");
    let before = files_in(&store.list_dir(&list));
    assert_eq!(before.len(), 6);
    assert!(temp_files(cfg.path()).is_empty());
    let limit = smallest_entry(&store, &list);
    let kv = format!("org.example.big={}", "z".repeat(8192));

    let out = annotate_limited(cfg.path(), &list, "linux/s390x", &kv, limit, cfg.path())
        .output()
        .expect("run the limited writer");
    assert_killed_by_the_size_limit(out.status, "the limited writer");

    // The write was interrupted: one temp file, cut at the limit, never renamed.
    let temps = temp_files(cfg.path());
    assert_eq!(temps.len(), 1, "{:?}", temps.keys());
    let (name, partial) = temps.iter().next().expect("the temp file");
    assert!(name.starts_with(".tmp-"), "{name}");
    assert_eq!(
        partial.len() as u64,
        limit,
        "the write stopped at the limit"
    );
    // The list is untouched, file by file, and reads as before.
    assert_eq!(
        files_in(&store.list_dir(&list)),
        before,
        "the old files, unchanged"
    );
    let d = store.load(&list).expect("the list loads");
    assert_eq!(d.entries.len(), 6);
    assert!(d
        .entries
        .iter()
        .all(|e| !e.descriptor.annotations.contains_key("org.example.big")));

    // The same write, not interrupted: it goes through (the dead writer's lock is gone),
    // and the interrupted temp file is the beginning of the entry file it puts in place.
    let out = annotate(cfg.path(), &list, "linux/s390x", &kv)
        .output()
        .expect("annotate again");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = files_in(&store.list_dir(&list));
    let changed: Vec<(&String, &Vec<u8>)> = after
        .iter()
        .filter(|(n, b)| before.get(*n) != Some(b))
        .collect();
    assert_eq!(changed.len(), 1, "one entry file rewritten");
    let (_, full) = changed[0];
    assert!(full.len() as u64 > limit);
    assert_eq!(
        &full[..partial.len()],
        &partial[..],
        "the temp file held the new entry's start"
    );

    // The dead writer's temp file outlives the next write while it is young (a live writer's
    // may be that young); once it is older than a write can last, the next write sweeps it.
    let temps = temp_files(cfg.path());
    assert_eq!(
        temps.len(),
        1,
        "a young temp file is kept: {:?}",
        temps.keys()
    );
    let path = cfg.path().join("manifests/.manifest-tui/tmp").join(name);
    let aged = std::time::SystemTime::now()
        - manifest_tui::store::STALE_TEMP
        - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(aged))
        .expect("age the temp file");
    let out = annotate(cfg.path(), &list, "linux/s390x", "org.example.after=sweep")
        .output()
        .expect("annotate once more");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        temp_files(cfg.path()).is_empty(),
        "the stale temp file is swept: {:?}",
        temp_files(cfg.path()).keys()
    );
    assert!(
        store
            .load(&list)
            .expect("loads")
            .entries
            .iter()
            .any(|e| e.descriptor.annotations.contains_key("org.example.after")),
        "and the write went through"
    );
}

#[test]
fn two_processes_annotating_one_list_lose_no_update() {
    let cfg = tempfile::tempdir().expect("config dir");
    std::fs::write(cfg.path().join("config.json"), "{\"auths\":{}}").expect("config.json");
    let store = Store::open(Some(cfg.path()));
    let list = seed_list(&store, "race/app:v1");
    const N: usize = 25;
    let run = |who: &'static str| {
        let cfg = cfg.path().to_path_buf();
        let list = list.clone();
        std::thread::spawn(move || {
            for i in 0..N {
                let out = annotate(&cfg, &list, "linux/amd64", &format!("{who}{i}=v"))
                    .output()
                    .expect("spawn annotate");
                assert!(
                    out.status.success(),
                    "{who}{i}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let (a, b) = (run("a"), run("b"));
    a.join().expect("writer a");
    b.join().expect("writer b");
    let d = store.load(&list).expect("load");
    let e = d
        .entries
        .iter()
        .find(|e| e.platform().display() == "linux/amd64")
        .expect("amd64 entry");
    let missing: Vec<String> = ["a", "b"]
        .iter()
        .flat_map(|w| (0..N).map(move |i| format!("{w}{i}")))
        .filter(|k| !e.descriptor.annotations.contains_key(k))
        .collect();
    assert!(missing.is_empty(), "lost updates: {missing:?}");
    assert_eq!(e.descriptor.annotations.len(), 2 * N);
}
