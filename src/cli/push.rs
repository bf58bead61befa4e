//! `push`: docker's output on stdout, the progress of copies across registries on stderr.

use super::args::PushArgs;
use super::{client, parse_ref, write_out as w};
use crate::ops::{self, OpError, PushOptions};
use crate::reference::Reference;
use crate::store::Store;
use std::process::ExitCode;

pub(super) async fn push(
    store: &Store,
    args: PushArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let list = parse_ref(&args.list)?;
    let client = client(args.insecure)?;
    let opts = PushOptions {
        purge: args.purge,
        target: None,
        allow_duplicates: args.allow_duplicates,
    };
    let progress = copy_progress(store, &list);
    let report = ops::push(&client, store, &list, opts, progress).await?;
    for e in report.entries.iter().filter(|e| !e.in_place) {
        w(
            out,
            &format!("Pushed ref {} with digest: {}\n", e.reference, e.digest),
        );
    }
    w(out, &format!("{}\n", report.digest));
    Ok(ExitCode::SUCCESS)
}

/// How often `push` reports the bytes copied for one entry.
pub(super) const COPY_PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// `push`'s progress on stderr (stdout keeps docker's output): for each entry whose image
/// lives on another registry, and whose blobs are therefore copied across, a line with the
/// bytes copied so far, at most every [`COPY_PROGRESS_EVERY`], and one when the copy is
/// complete. Entries on the target's registry are mounted in one request each and say
/// nothing.
fn copy_progress(store: &Store, list: &Reference) -> ops::ProgressFn {
    let list = list.clone().with_default_tag();
    let names: Vec<Option<String>> = match store.load(&list) {
        Ok(d) => d
            .entries
            .iter()
            .map(|e| {
                (e.reference.domain != list.domain)
                    .then(|| format!("{} ({})", e.reference, e.platform().display()))
            })
            .collect(),
        // The push itself reports why the list cannot be read.
        Err(_) => Vec::new(),
    };
    bytes_progress(names)
}

/// Lines on stderr with the bytes copied for each entry that has a name in `names` (by
/// entry index), at most every [`COPY_PROGRESS_EVERY`], and one when its copy is complete.
pub(super) fn bytes_progress(names: Vec<Option<String>>) -> ops::ProgressFn {
    // Per entry: when its last line was printed, and the bytes it showed.
    let shown = std::sync::Mutex::new(std::collections::HashMap::new());
    std::sync::Arc::new(move |p| {
        let ops::Progress::Entry {
            index,
            stage: ops::EntryStage::Copying { done, total },
        } = p
        else {
            return;
        };
        let Some(Some(name)) = names.get(index) else {
            return;
        };
        let now = std::time::Instant::now();
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        let (at, bytes) = shown.get(&index).copied().unwrap_or((None, 0));
        let due =
            at.is_none_or(|t: std::time::Instant| now.duration_since(t) >= COPY_PROGRESS_EVERY);
        let finished = done >= total && bytes < total;
        if done < bytes || !(due || finished) {
            return;
        }
        shown.insert(index, (Some(now), done));
        let size = |n: u64| crate::text::human_size(i64::try_from(n).unwrap_or(i64::MAX));
        eprintln!("Copying {name}: {} of {}", size(done), size(total));
    })
}
