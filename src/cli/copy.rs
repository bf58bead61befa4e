//! `copy`, `tag` and `delete`: results on stdout, copy progress and the delete question on
//! stderr.

use super::args::{CopyArgs, DeleteArgs, TagArgs};
use super::push::bytes_progress;
use super::{client, parse_ref, write_out as w};
use crate::ops::{self, CopyJob, CopyOptions, OpError};
use crate::platform::Platform;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

pub(super) async fn copy(
    args: CopyArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let src = parse_ref(&args.src)?;
    let dst = parse_ref(&args.dst)?;
    let platforms = args
        .platforms
        .iter()
        .map(|p| Platform::parse(p).map_err(|e| OpError::Invalid(format!("--platform {p}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let client = client(args.insecure)?;
    let job = CopyJob {
        src,
        dst,
        options: CopyOptions {
            platforms,
            referrers: args.referrers,
        },
    };
    let plan = ops::plan_copy(&client, &job).await?;
    let r = &plan.report;
    // Bytes are reported for what crosses registries; a mount on one registry is one request.
    let across = r.source.domain != r.target.domain;
    let names = r
        .rows()
        .into_iter()
        .map(|row| {
            across.then(|| match row.label {
                Some(l) => format!("{} ({l})", row.source),
                None => row.source.to_string(),
            })
        })
        .collect();
    let report = ops::run_copy(&client, &plan, bytes_progress(names)).await?;
    if report.unchanged {
        let also = if report.referrers.is_empty() {
            ""
        } else {
            " and everything referring to it"
        };
        w(
            out,
            &format!(
                "{} already holds {}{also}: nothing to copy\n",
                report.target, report.digest
            ),
        );
    } else {
        for e in &report.entries {
            w(
                out,
                &format!(
                    "Copied {} ({})\n",
                    report.target.at_digest(&e.digest),
                    e.label()
                ),
            );
        }
        for x in &report.referrers {
            let verb = if x.present {
                "Already there:"
            } else {
                "Copied"
            };
            w(
                out,
                &format!(
                    "{verb} {} ({})\n",
                    report.target.at_digest(&x.descriptor.digest),
                    x.label()
                ),
            );
        }
        for s in &report.tag_scheme {
            w(
                out,
                &format!(
                    "Listed the referrers of {} under {}:{} ({})\n",
                    s.short(),
                    report.target.name(),
                    crate::attest::referrers_tag(s),
                    if report.target.is_layout() {
                        "a layout has no referrers API: this is how it keeps them"
                    } else {
                        "the registry has no referrers API"
                    }
                ),
            );
        }
        w(
            out,
            &format!("Copied {} to {}\n", report.source, report.target),
        );
    }
    for n in &report.referrer_notes {
        w(out, &format!("Not copied: {n}\n"));
    }
    if let Some(why) = &report.changed {
        w(
            out,
            &format!("The digest changed: {} is {why}\n", report.target),
        );
    }
    w(out, &format!("{}\n", report.digest));
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn tag(args: TagArgs, out: &mut dyn std::io::Write) -> Result<ExitCode, OpError> {
    let r = parse_ref(&args.reference)?;
    let client = client(args.insecure)?;
    let report = ops::tag(&client, &r, &args.tags).await?;
    for t in &report.tagged {
        w(out, &format!("Tagged {t} with digest: {}\n", report.digest));
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn delete(
    args: DeleteArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let r = parse_ref(&args.reference)?;
    let client = client(args.insecure)?;
    let plan = ops::delete_plan(&client, &r).await?;
    let what = what_goes(&plan);
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(OpError::Invalid(format!(
                "not deleting without a confirmation, and stdin is not a terminal to ask on. {what} Run again with --yes to delete"
            )));
        }
        eprint!("{what} Delete? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            eprintln!("Nothing deleted.");
            return Ok(ExitCode::FAILURE);
        }
    } else {
        eprintln!("{what}");
    }
    ops::delete(&client, &plan).await?;
    w(out, &format!("Deleted {}\n", plan.target));
    for t in &plan.tags {
        w(out, &format!("Untagged {}:{t}\n", plan.target.name()));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a delete removes, in one or two sentences: the manifest, and the tags that go with it.
fn what_goes(plan: &ops::DeletePlan) -> String {
    let name = plan.target.name();
    let list = |tags: &[&str]| {
        tags.iter()
            .map(|t| format!("{name}:{t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all: Vec<&str> = plan.tags.iter().map(String::as_str).collect();
    match &plan.by_tag {
        Some(t) => {
            let others = plan.other_tags();
            let mut s = format!(
                "Deleting the tag {name}:{t} deletes the manifest {} (a registry deletes by digest)",
                plan.target
            );
            if others.is_empty() {
                s.push_str("; no other tag points at it.");
            } else {
                s.push_str(&format!(
                    ", and with it every other tag pointing at it: {}.",
                    list(&others)
                ));
            }
            s
        }
        None if all.is_empty() => format!("Deleting {} (no tag points at it).", plan.target),
        None => format!(
            "Deleting {} also removes every tag pointing at it: {}.",
            plan.target,
            list(&all)
        ),
    }
}
