//! Per-platform comparison of two lists (or images, or a list and a local draft).

use super::inspect::{inspect, InspectOptions};
use super::{no_progress, OpError};
use crate::digest::Digest;
use crate::platform::Platform;
use crate::reference::Reference;
use crate::registry::Client;
use crate::store::Store;
use std::collections::BTreeMap;

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Remote(Reference),
    Local(Reference),
}

impl Source {
    pub fn label(&self) -> String {
        match self {
            Source::Remote(r) => r.familiar(),
            Source::Local(r) => format!("{} (local)", r.familiar()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiffStatus {
    Same,
    Changed,
    OnlyA,
    OnlyB,
}

impl DiffStatus {
    pub fn label(self) -> &'static str {
        match self {
            DiffStatus::Same => "same",
            DiffStatus::Changed => "changed",
            DiffStatus::OnlyA => "only in A",
            DiffStatus::OnlyB => "only in B",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffSide {
    pub digest: Digest,
    pub size: i64,
    pub media_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    pub platform: Platform,
    pub a: Option<DiffSide>,
    pub b: Option<DiffSide>,
    pub status: DiffStatus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub a_label: String,
    pub b_label: String,
    /// The list's own digest (None for a local draft).
    pub a_digest: Option<Digest>,
    pub b_digest: Option<Digest>,
    pub rows: Vec<DiffRow>,
}

impl Comparison {
    pub fn count(&self, s: DiffStatus) -> usize {
        self.rows.iter().filter(|r| r.status == s).count()
    }
    pub fn identical(&self) -> bool {
        self.rows.iter().all(|r| r.status == DiffStatus::Same)
    }
}

type Side = (Option<Digest>, Vec<(Platform, DiffSide)>);

async fn load_side(client: &Client, store: &Store, s: &Source) -> Result<Side, OpError> {
    match s {
        Source::Local(r) => {
            let d = store.load(&r.clone().with_default_tag())?;
            Ok((
                None,
                d.entries
                    .iter()
                    .map(|e| {
                        (
                            e.platform(),
                            DiffSide {
                                digest: e.digest().clone(),
                                size: e.raw.size(),
                                media_type: e.raw.media_type.clone(),
                            },
                        )
                    })
                    .collect(),
            ))
        }
        Source::Remote(r) => {
            // A single image needs its config for the platform; a list does not.
            let opts = InspectOptions {
                children: false,
                configs: true,
            };
            let ins = inspect(client, r, opts, no_progress()).await?;
            Ok((
                Some(ins.manifest.digest.clone()),
                ins.entries
                    .iter()
                    .filter(|e| !crate::media::is_attestation(&e.descriptor))
                    .map(|e| {
                        (
                            e.platform(),
                            DiffSide {
                                digest: e.descriptor.digest.clone(),
                                size: e.descriptor.size,
                                media_type: e.descriptor.media_type.clone(),
                            },
                        )
                    })
                    .collect(),
            ))
        }
    }
}

/// Compare two sources per platform; both are fetched concurrently.
pub async fn diff(
    client: &Client,
    store: &Store,
    a: &Source,
    b: &Source,
) -> Result<Comparison, OpError> {
    let (ra, rb) = tokio::join!(load_side(client, store, a), load_side(client, store, b));
    let (a_digest, a_entries) = ra?;
    let (b_digest, b_entries) = rb?;
    Ok(Comparison {
        a_label: a.label(),
        b_label: b.label(),
        a_digest,
        b_digest,
        rows: compare(a_entries, b_entries),
    })
}

/// Pair entries by platform key; rows sorted by platform display.
pub fn compare(a: Vec<(Platform, DiffSide)>, b: Vec<(Platform, DiffSide)>) -> Vec<DiffRow> {
    let mut map: BTreeMap<String, (Platform, Option<DiffSide>, Option<DiffSide>)> = BTreeMap::new();
    for (p, s) in a {
        map.entry(p.key())
            .or_insert_with(|| (p.clone(), None, None))
            .1 = Some(s);
    }
    for (p, s) in b {
        map.entry(p.key())
            .or_insert_with(|| (p.clone(), None, None))
            .2 = Some(s);
    }
    let mut rows: Vec<DiffRow> = map
        .into_values()
        .map(|(platform, a, b)| {
            let status = match (&a, &b) {
                (Some(x), Some(y)) if x.digest == y.digest => DiffStatus::Same,
                (Some(_), Some(_)) => DiffStatus::Changed,
                (Some(_), None) => DiffStatus::OnlyA,
                _ => DiffStatus::OnlyB,
            };
            DiffRow {
                platform,
                a,
                b,
                status,
            }
        })
        .collect();
    rows.sort_by_key(|r| r.platform.display());
    rows
}
