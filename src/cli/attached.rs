//! What is attached to an inspected list or image, for `inspect --format json`: the in-toto
//! statements of BuildKit's attestation entries, and the OCI 1.1 referrers of the list and of
//! each platform (the referrers API, else the `sha256-<hex>` tag scheme). Everything is
//! fetched concurrently.

use crate::attest;
use crate::digest::Digest;
use crate::ops::{self, Inspection, StatementLayer};
use crate::registry::{Client, Referrers, Repo};
use futures_util::future::join_all;
use std::collections::BTreeMap;

/// Statements per attestation entry (by entry index), referrers per subject digest.
#[derive(Default)]
pub struct Attached {
    pub statements: BTreeMap<usize, Result<Vec<StatementLayer>, String>>,
    pub referrers: BTreeMap<Digest, Result<Referrers, String>>,
}

/// Fetch the statements of every attestation entry and the referrers of the manifest
/// inspected and of every image entry, all at once.
pub async fn fetch(client: &Client, ins: &Inspection) -> Attached {
    let descriptors: Vec<_> = ins.entries.iter().map(|e| e.descriptor.clone()).collect();
    let attestations: Vec<usize> = (0..descriptors.len())
        .filter(|&i| attest::attestation_subject(&descriptors[i]).is_some())
        .collect();
    let mut subjects = vec![ins.manifest.digest.clone()];
    if ins.is_list() {
        subjects.extend(
            descriptors
                .iter()
                .filter(|d| attest::attestation_subject(d).is_none())
                .map(|d| d.digest.clone()),
        );
    }
    let repo = Repo::of(&ins.reference);
    let statements = join_all(attestations.iter().map(|&i| {
        let d = &descriptors[i];
        async move {
            let r = ops::statements(client, &ins.reference, d)
                .await
                .map_err(|e| e.to_string());
            (i, r)
        }
    }));
    let referrers = join_all(subjects.iter().map(|s| {
        let repo = &repo;
        async move {
            let r = client
                .referrers(repo, s)
                .await
                .map_err(|e| format!("the referrers of {s}: {e}"));
            (s.clone(), r)
        }
    }));
    let (statements, referrers) = futures_util::future::join(statements, referrers).await;
    Attached {
        statements: statements.into_iter().collect(),
        referrers: referrers.into_iter().collect(),
    }
}
