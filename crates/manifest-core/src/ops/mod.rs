//! The operations shared by the CLI and the TUI worker: inspect, create, annotate, push,
//! copy, remove, diff, and the whole-list changes (new, rename, format). They never print: progress
//! goes through a [`ProgressFn`] callback, results are returned as data for the front end to
//! render.

use crate::digest::Digest;
use crate::platform::Platform;
use crate::reference::ReferenceError;
use crate::registry::RegistryError;
use crate::store::StoreError;
use std::fmt;
use std::sync::Arc;

mod annotate;
mod attest;
mod copy;
mod create;
mod details;
mod diff;
mod inspect;
mod lists;
mod push;
mod retag;
mod sync;

pub use annotate::apply as apply_annotation;
pub use annotate::{annotate, remove_entry, AnnotateOptions, EntrySelector};
pub use attest::{statements, StatementLayer, MAX_STATEMENT_BYTES};
pub use copy::{
    copy, copy_target, plan_copy, run_copy, CopiedEntry, CopiedReferrer, CopyJob, CopyOptions,
    CopyPlan, CopyReport, CopyRow, MAX_REFERRER_DEPTH,
};
pub use create::{create, CreateOptions, CreateReport};
pub use details::{
    config_bytes, image_details, inspection_details, list_details, MAX_CONFIG_BYTES,
};
pub use diff::{
    diff, human_size, platform_diff, AttestationStatus, Comparison, ConfigChange, ConfigField,
    DiffRow, DiffSide, DiffStatus, LayerInfo, LayerMatch, LayerRow, PlatformDiff, Source, Totals,
};
pub use inspect::{inspect, inspect_local, InspectEntry, InspectOptions, Inspection};
pub use lists::{new_list, rename_list, set_format, Renamed};
pub use push::{
    list_bytes as list_bytes_for, push, push_problems, PushIssue, PushOptions, PushProblem,
    PushReport, PushedEntry,
};
pub use retag::{delete, delete_plan, tag, DeletePlan, TagReport};
pub use sync::{
    plan_sync, run_sync, ImageState, Outcome, PlannedImage, SyncEvent, SyncOptions, SyncPlan,
    SyncProblem, SyncProgressFn, SyncSource, IMAGES_AT_ONCE,
};

/// Progress reported by long operations. Indices refer to entries in store order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A manifest fetch started (create, inspect, diff).
    Fetching { reference: String },
    /// A manifest arrived.
    Fetched { reference: String, digest: Digest },
    /// Push: the stage of one entry changed.
    Entry { index: usize, stage: EntryStage },
    /// Push: the list itself was written.
    ListPushed { digest: Digest },
}

/// Where one entry of a push stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryStage {
    Waiting,
    /// Blobs mounted or found so far, of all blobs of the entry.
    Blobs {
        done: usize,
        total: usize,
    },
    /// Bytes copied from another registry so far.
    Copying {
        done: u64,
        total: u64,
    },
    /// The entry's manifest is in the target repository.
    Pushed {
        digest: Digest,
    },
    /// The entry already lives in the target repository: nothing to send.
    InPlace,
    Failed {
        reason: String,
    },
}

/// A progress sink. Cheap to clone; called from worker tasks.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// A sink that drops everything.
pub fn no_progress() -> ProgressFn {
    Arc::new(|_| {})
}

/// Why an operation failed. `Display` is one paragraph: what failed, where, what to try.
#[derive(Debug)]
pub enum OpError {
    /// Rejected before any network traffic (validation, arguments).
    Invalid(String),
    Reference(ReferenceError),
    Store(StoreError),
    /// A registry request failed; `context` says which step (e.g. "fetching child X").
    Registry {
        context: String,
        source: RegistryError,
    },
    Cancelled,
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpError::Invalid(m) => f.write_str(m),
            OpError::Reference(e) => write!(f, "{e}"),
            OpError::Store(e) => write!(f, "{e}"),
            OpError::Registry { context, source } => write!(f, "{context}: {source}"),
            OpError::Cancelled => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for OpError {}

impl From<StoreError> for OpError {
    fn from(e: StoreError) -> Self {
        OpError::Store(e)
    }
}

impl From<ReferenceError> for OpError {
    fn from(e: ReferenceError) -> Self {
        OpError::Reference(e)
    }
}

pub(crate) fn reg_err(context: impl Into<String>) -> impl FnOnce(RegistryError) -> OpError {
    let context = context.into();
    move |source| OpError::Registry { context, source }
}

/// GET the manifest `reference` names, reported as [`Progress::Fetching`] then
/// [`Progress::Fetched`]; a failure says `fetching {what}`.
pub(crate) async fn fetch_manifest(
    client: &crate::registry::Client,
    reference: &crate::reference::Reference,
    what: &str,
    progress: &ProgressFn,
) -> Result<crate::media::RawManifest, OpError> {
    progress(Progress::Fetching {
        reference: reference.to_string(),
    });
    let m = client
        .get_manifest(reference)
        .await
        .map_err(reg_err(format!("fetching {what}")))?;
    progress(Progress::Fetched {
        reference: reference.to_string(),
        digest: m.digest.clone(),
    });
    Ok(m)
}

/// Platforms that appear more than once: `(platform key, first ref, second ref)`.
pub(crate) fn duplicate_platforms<'a>(
    entries: impl IntoIterator<Item = (&'a Platform, String)>,
) -> Vec<(String, String, String)> {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut dups = Vec::new();
    for (p, r) in entries {
        let key = p.key();
        match seen.get(&key) {
            Some(first) => dups.push((p.display(), first.clone(), r)),
            None => {
                seen.insert(key, r);
            }
        }
    }
    dups
}
