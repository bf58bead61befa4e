//! The commands that change or list the local store: `create`, `annotate`, `rm`, `ls`,
//! `remove`.

use super::args::{AnnotateArgs, CreateArgs, ListFormat, RemoveArgs, RmArgs};
use super::{client, parse_ref, render, write_out as w};
use crate::ops::{self, AnnotateOptions, CreateOptions, EntrySelector, OpError};
use crate::store::{Format, Store};
use std::process::ExitCode;

pub(super) async fn create(
    store: &Store,
    args: CreateArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let list = parse_ref(&args.list)?;
    let refs = args
        .images
        .iter()
        .map(|s| parse_ref(s))
        .collect::<Result<Vec<_>, _>>()?;
    let client = client(args.insecure)?;
    let opts = CreateOptions {
        amend: args.amend,
        format: args.format.map(|f| match f {
            ListFormat::Docker => Format::Docker,
            ListFormat::Oci => Format::Oci,
        }),
        include_attestations: args.include_attestations,
        allow_duplicates: args.allow_duplicates,
    };
    let report = ops::create(&client, store, &list, &refs, opts, ops::no_progress()).await?;
    w(out, &format!("Created manifest list {}\n", report.list));
    Ok(ExitCode::SUCCESS)
}

pub(super) fn annotate(store: &Store, args: AnnotateArgs) -> Result<ExitCode, OpError> {
    let list = parse_ref(&args.list)?;
    let entry = EntrySelector::parse(&args.entry)?;
    let annotations = args
        .annotations
        .iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| {
                    OpError::Invalid(format!(
                        "--annotation {a:?} is not KEY=VALUE (use KEY= to remove a key)"
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let opts = AnnotateOptions {
        os: args.os,
        arch: args.arch,
        variant: args.variant,
        os_version: args.os_version,
        os_features: args.os_features,
        replace_os_features: false,
        annotations,
        validate: true,
    };
    ops::annotate(store, &list, &entry, &opts)?;
    Ok(ExitCode::SUCCESS)
}

/// `rm`: every list named is tried; the first failure is the one reported.
pub(super) fn rm(store: &Store, args: RmArgs) -> Result<ExitCode, OpError> {
    let mut first_err = None;
    for l in args.lists {
        let res =
            parse_ref(&l).and_then(|r| store.remove(&r.with_default_tag()).map_err(OpError::from));
        if let Err(e) = res {
            first_err.get_or_insert(e);
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `ls`: one row per list; a list the store cannot read is a warning, not a failure.
pub(super) fn ls(store: &Store, out: &mut dyn std::io::Write) -> Result<ExitCode, OpError> {
    let lists = store.lists()?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for l in lists {
        match l.draft {
            Ok(d) => {
                if let Some(p) = d.ambiguity_problem() {
                    errors.push(format!("{}: {p}", l.dir_name));
                }
                rows.push([
                    d.shown_name(),
                    d.entries.len().to_string(),
                    d.kind().label().to_string(),
                    d.entries
                        .iter()
                        .map(|e| e.platform().display())
                        .collect::<Vec<_>>()
                        .join(", "),
                ])
            }
            Err(e) => errors.push(format!("{}: {e}", l.dir_name)),
        }
    }
    w(
        out,
        &render::table(&["LIST", "ENTRIES", "FORMAT", "PLATFORMS"], &rows),
    );
    for e in &errors {
        eprintln!("warning: {}", crate::sanitize::inert(e));
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn remove(
    store: &Store,
    args: RemoveArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let list = parse_ref(&args.list)?;
    let entry = EntrySelector::parse(&args.entry)?;
    let removed = ops::remove_entry(store, &list, &entry)?;
    w(
        out,
        &format!(
            "Removed {} ({}) from {}\n",
            removed.reference,
            removed.platform().display(),
            list.with_default_tag()
        ),
    );
    Ok(ExitCode::SUCCESS)
}
