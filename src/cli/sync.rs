//! `sync`: mirror the images a skopeo sync file, a repository or an image names. The plan
//! (`--dry-run`, or `--format json`) and the per-image results go to stdout; progress goes
//! to stderr, as one line redrawn on a terminal and nothing else when not (the results are
//! the quiet lines). Exit status: [`exit::Batch`] (0 done, 1 some images failed), 2 when
//! nothing could start (the command's failure rule).

use super::args::{NamesFormat, SyncArgs};
use super::exit::Batch;
use super::{write_out as w, ClientOptions};
use crate::ops::{
    self, ImageState, OpError, Outcome, PlannedImage, SyncEvent, SyncOptions, SyncPlan, SyncSource,
};
use crate::platform::Platform;
use crate::reference::Reference;
use crate::registry::Client;
use crate::store::Store;
use crate::sync::{check_dest, SyncFile};
use crate::text::human_size;
use serde_json::json;
use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// SOURCE: an existing file is a sync file; else a reference, a repository when it has no
/// tag or digest (as skopeo's `--src docker`).
fn source(arg: &str) -> Result<SyncSource, OpError> {
    let path = Path::new(arg);
    if path.is_file() {
        return SyncFile::load(path)
            .map(SyncSource::File)
            .map_err(|e| OpError::Invalid(e.to_string()));
    }
    if arg.ends_with(".yaml") || arg.ends_with(".yml") {
        return Err(OpError::Invalid(format!(
            "the sync file {arg} does not exist"
        )));
    }
    match Reference::parse(arg) {
        Ok(r) if r.tag.is_some() || r.digest.is_some() => Ok(SyncSource::Image(r)),
        Ok(r) => Ok(SyncSource::Repository(r)),
        Err(e) => Err(OpError::Invalid(format!(
            "SOURCE {arg:?} is neither an existing sync file nor a reference: {}",
            e.reason()
        ))),
    }
}

/// The client: docker's config and `--insecure`, plus the file's `tls-verify: false`
/// registries, its `cert-dir`s and its `credentials`.
fn client_for(src: &SyncSource, insecure: bool) -> Result<Client, OpError> {
    let mut opts = ClientOptions {
        insecure_all: insecure,
        ..ClientOptions::default()
    };
    let regs = match src {
        SyncSource::File(f) => f.registries.as_slice(),
        _ => &[],
    };
    opts.insecure.extend(
        regs.iter()
            .filter(|r| r.tls_verify == Some(false))
            .map(|r| r.domain.clone()),
    );
    let setup = |e| OpError::Registry {
        context: "setting up the registry client".into(),
        source: e,
    };
    let client = Client::new(opts).map_err(setup)?;
    for r in regs {
        if let Some(d) = &r.cert_dir {
            client.use_cert_dir(&r.domain, d.clone());
        }
    }
    for r in regs {
        if let Some(c) = &r.credentials {
            client
                .use_credentials(&r.domain, c.clone())
                .map_err(setup)?;
        }
    }
    Ok(client)
}

pub(super) async fn sync(
    args: SyncArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let src = source(&args.source)?;
    let dest = check_dest(&args.dest).map_err(OpError::Invalid)?;
    let platforms = args
        .platforms
        .iter()
        .map(|p| Platform::parse(p).map_err(|e| OpError::Invalid(format!("--platform {p}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let client = client_for(&src, args.insecure)?;
    if !dest.is_layout() {
        client
            .ping(&dest.domain)
            .await
            .map_err(|e| OpError::Registry {
                context: format!("reaching the destination {}", dest.domain),
                source: e,
            })?;
    }
    let opts = SyncOptions {
        scoped: args.scoped,
        platforms,
        referrers: args.referrers,
        detail: args.dry_run,
    };
    let store = Store::open(None);
    let plan = ops::plan_sync(&client, &store, &src, &args.dest, &opts).await;
    let json = args.format == NamesFormat::Json;
    if args.dry_run {
        if json {
            let v = json!({ "dryRun": true, "plan": plan_json(&plan), "problems": problems_json(&plan) });
            w(
                out,
                &format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()),
            );
        } else {
            w(out, &plan_text(&plan));
        }
        let failures = plan.problems.len() + plan.count("failed");
        return Ok(Batch::of(failures).exit_code());
    }
    let progress = Progress::new(&plan, std::io::stderr().is_terminal() && !json);
    let outcomes = ops::run_sync(&client, &plan, &opts, progress.sink()).await;
    progress.finish();
    let bytes = progress.bytes();
    if json {
        let v = json!({
            "images": plan.images.iter().zip(&outcomes).map(|(p, o)| outcome_json(p, o)).collect::<Vec<_>>(),
            "problems": problems_json(&plan),
            "bytesCopied": bytes,
        });
        w(
            out,
            &format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()),
        );
    } else {
        w(out, &summary_text(&plan, &outcomes, bytes));
    }
    let failures = plan.problems.len()
        + outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Failed(_)))
            .count();
    Ok(Batch::of(failures).exit_code())
}

fn short(d: &Option<crate::digest::Digest>) -> String {
    d.as_ref().map(|d| d.short()).unwrap_or_else(|| "-".into())
}

/// The plan as lines: per image its state, source and destination, and for a changed list
/// each platform's verdict; then the counts.
fn plan_text(plan: &SyncPlan) -> String {
    let mut s = String::new();
    for p in &plan.problems {
        s.push_str(&format!("failed      {}: {}\n", p.what, p.reason));
    }
    for i in &plan.images {
        let bytes = match i.bytes {
            Some(b) if matches!(i.state, ImageState::New | ImageState::Changed) => {
                format!(
                    ", {} to move",
                    human_size(i64::try_from(b).unwrap_or(i64::MAX))
                )
            }
            _ => String::new(),
        };
        match &i.state {
            // No destination could be named: the reason says where it would have landed.
            ImageState::Failed(why) if i.target == i.source => {
                s.push_str(&format!("failed      {}: {why}\n", i.source))
            }
            ImageState::Failed(why) => s.push_str(&format!(
                "failed      {} -> {}: {why}\n",
                i.source, i.target
            )),
            ImageState::Changed => s.push_str(&format!(
                "changed     {} -> {} ({} -> {}{bytes})\n",
                i.source,
                i.target,
                short(&i.target_digest),
                short(&i.source_digest)
            )),
            st => s.push_str(&format!(
                "{:<11} {} -> {} ({}{bytes})\n",
                st.label(),
                i.source,
                i.target,
                short(&i.source_digest)
            )),
        }
        if let Some(c) = &i.comparison {
            for r in &c.rows {
                let why = r.why();
                let why = if why.is_empty() {
                    String::new()
                } else {
                    format!(": {why}")
                };
                s.push_str(&format!(
                    "              {:<20} {}{why}\n",
                    r.platform.display(),
                    r.status.label()
                ));
            }
        }
    }
    s.push_str(&format!(
        "Would sync {} of {} images ({} new, {} changed, {} up to date, {} failed) from {} sources\n",
        plan.to_copy(),
        plan.images.len(),
        plan.count("new"),
        plan.count("changed"),
        plan.count("up to date"),
        plan.count("failed") + plan.problems.len(),
        plan.sources
    ));
    s
}

fn plan_json(plan: &SyncPlan) -> Vec<serde_json::Value> {
    plan.images.iter().map(image_json).collect()
}

fn image_json(i: &PlannedImage) -> serde_json::Value {
    let mut v = json!({
        "source": i.source.to_string(),
        "target": i.target.to_string(),
        "state": i.state.label(),
        "sourceDigest": i.source_digest.as_ref().map(|d| d.to_string()),
        "targetDigest": i.target_digest.as_ref().map(|d| d.to_string()),
        "bytes": i.bytes,
    });
    if let ImageState::Failed(why) = &i.state {
        v["error"] = json!(why);
    }
    if let Some(c) = &i.comparison {
        v["platforms"] = c
            .rows
            .iter()
            .map(|r| json!({"platform": r.platform.display(), "status": r.status.label(), "why": r.why()}))
            .collect();
    }
    v
}

fn problems_json(plan: &SyncPlan) -> Vec<serde_json::Value> {
    plan.problems
        .iter()
        .map(|p| json!({"what": p.what, "error": p.reason}))
        .collect()
}

fn outcome_json(p: &PlannedImage, o: &Outcome) -> serde_json::Value {
    let mut v = image_json(p);
    match o {
        Outcome::Copied(r) => {
            v["outcome"] = json!("copied");
            v["digest"] = json!(r.digest.to_string());
        }
        Outcome::UpToDate => v["outcome"] = json!("up to date"),
        Outcome::Failed(why) => {
            v["outcome"] = json!("failed");
            v["error"] = json!(why);
        }
    }
    v
}

/// Each image's result, then the counts, then every failure with its reason.
fn summary_text(plan: &SyncPlan, outcomes: &[Outcome], bytes: u64) -> String {
    let mut s = String::new();
    let (mut copied, mut same, mut failures) = (0, 0, Vec::new());
    for p in &plan.problems {
        failures.push(format!("{}: {}", p.what, p.reason));
    }
    for (p, o) in plan.images.iter().zip(outcomes) {
        match o {
            Outcome::Copied(r) => {
                copied += 1;
                s.push_str(&format!(
                    "Copied {} to {} ({})\n",
                    p.source, r.target, r.digest
                ));
            }
            Outcome::UpToDate => {
                same += 1;
                s.push_str(&format!("Up to date: {}\n", p.target));
            }
            Outcome::Failed(why) if p.target == p.source => {
                failures.push(format!("{}: {why}", p.source))
            }
            Outcome::Failed(why) => failures.push(format!("{} -> {}: {why}", p.source, p.target)),
        }
    }
    s.push_str(&format!(
        "Synced {copied} images ({same} already up to date, {} failed, {} copied) from {} sources\n",
        failures.len(),
        human_size(i64::try_from(bytes).unwrap_or(i64::MAX)),
        plan.sources
    ));
    for f in &failures {
        s.push_str(&format!("Failed: {f}\n"));
    }
    s
}

/// A run's progress: images done of those to copy, and bytes copied (the sum of each
/// entry's growth), as one line redrawn on a terminal.
struct Progress {
    state: Arc<Mutex<Counts>>,
    terminal: bool,
}

#[derive(Default)]
struct Counts {
    total: usize,
    done: usize,
    bytes: u64,
    /// Bytes each (image, entry) showed last.
    seen: HashMap<(usize, usize), u64>,
    drawn: Option<std::time::Instant>,
}

impl Progress {
    fn new(plan: &SyncPlan, terminal: bool) -> Progress {
        let state = Counts {
            total: plan.to_copy(),
            ..Counts::default()
        };
        Progress {
            state: Arc::new(Mutex::new(state)),
            terminal,
        }
    }

    fn sink(&self) -> ops::SyncProgressFn {
        let state = self.state.clone();
        let terminal = self.terminal;
        Arc::new(move |e| {
            let mut c = state.lock().unwrap_or_else(|e| e.into_inner());
            let redraw = match e {
                SyncEvent::Started { .. } => false,
                SyncEvent::Done { .. } => {
                    c.done += 1;
                    true
                }
                SyncEvent::Copy {
                    image,
                    progress:
                        ops::Progress::Entry {
                            index,
                            stage: ops::EntryStage::Copying { done, .. },
                        },
                } => {
                    let last = c.seen.insert((image, index), done).unwrap_or(0);
                    c.bytes += done.saturating_sub(last);
                    c.drawn
                        .is_none_or(|t| t.elapsed() >= super::push::COPY_PROGRESS_EVERY)
                }
                SyncEvent::Copy { .. } => false,
            };
            if terminal && redraw {
                c.drawn = Some(std::time::Instant::now());
                eprint!(
                    "\r\x1b[2KSyncing: {} of {} images, {} copied",
                    c.done,
                    c.total,
                    human_size(i64::try_from(c.bytes).unwrap_or(i64::MAX))
                );
            }
        })
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }

    fn bytes(&self) -> u64 {
        self.state.lock().map(|c| c.bytes).unwrap_or(0)
    }
}
