//! `copy --referrers`: what refers to the copied manifests (signatures, SBOMs, attestations
//! pushed as OCI 1.1 artifacts), found on the source by the referrers API or the tag scheme,
//! copied by digest as the exact bytes with their blobs, and listed on the target. A target
//! with the referrers API indexes a manifest with a `subject` itself (it answers
//! `OCI-Subject`); for one without, the `sha256-<hex>` tag's index is written, merged with
//! what it already lists, and byte for byte the source's when the source had the same one.
//!
//! Subjects are the copied manifest and its entries, then (wave by wave, up to
//! [`MAX_DEPTH`]) the referrers found: a signature of an SBOM is copied with the SBOM. The
//! copied manifest is asked alone first, so a registry without the API is learnt from one
//! request and its entries go straight to the tag scheme.

use super::super::push::send_blobs;
use super::super::{reg_err, EntryStage, OpError, Progress, ProgressFn};
use crate::attest::{artifact_label, referrers_tag};
use crate::digest::Digest;
use crate::media::{Descriptor, Index, Parsed, RawManifest, OCI_INDEX};
use crate::reference::Reference;
use crate::registry::{Client, Referrers, ReferrersVia, RegistryError, Repo};
use futures_util::future::join_all;
use std::collections::{BTreeMap, BTreeSet};

/// How far referrers are followed: 1 is what refers to the copied manifest or an entry, 2
/// what refers to one of those, and so on.
pub const MAX_DEPTH: usize = 4;

/// A manifest referring to one being copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedReferrer {
    /// The digest it refers to.
    pub subject: Digest,
    /// As the source lists it (`artifactType`, annotations).
    pub descriptor: Descriptor,
    /// 1: refers to the copied manifest or one of its entries; 2: to a depth-1 referrer…
    pub depth: usize,
    /// The target already lists it under its subject: nothing is sent for it.
    pub present: bool,
}

impl CopiedReferrer {
    /// `signature of sha256:0123456789ab`, with the artifact type's short name.
    pub fn label(&self) -> String {
        let kind = self
            .descriptor
            .artifact_type
            .as_deref()
            .map(artifact_label)
            .unwrap_or_else(|| "referrer".into());
        format!("{kind} of {}", self.subject.short())
    }
}

/// One subject with referrers: what the source and the target list for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Subject {
    digest: Digest,
    source: Referrers,
    target: Referrers,
}

/// What discovery found: the subjects, the referrers to copy (in depth order), and why some
/// were left (a filtered copy's new list cannot carry the source list's signatures).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) subjects: Vec<Subject>,
    pub(super) referrers: Vec<CopiedReferrer>,
    pub(super) notes: Vec<String>,
}

/// A subject found on the source with what refers to it there: its digest, its depth (0:
/// the copied manifest or an entry), and the source's answer.
type SourceFound = (Digest, usize, Referrers);

/// Find what refers to `top` (when `follow_top`) and to `entries` on the source, and what
/// the target lists for each subject found. Sends only reads.
pub(super) async fn discover(
    client: &Client,
    src: &Reference,
    target: &Reference,
    top: &Digest,
    follow_top: bool,
    entries: &[Digest],
) -> Result<Found, OpError> {
    let (found, notes) = on_source(client, src, top, follow_top, entries).await?;
    let on_target = on_target(client, &Repo::of(target), &found).await;
    let mut out = Found {
        notes,
        ..Found::default()
    };
    for ((digest, depth, source), t) in found.into_iter().zip(on_target) {
        let target_has = t.map_err(reg_err(format!(
            "listing what refers to {} on the target",
            target.at_digest(&digest)
        )))?;
        for d in &source.descriptors {
            out.referrers.push(CopiedReferrer {
                subject: digest.clone(),
                descriptor: d.clone(),
                depth: depth + 1,
                present: target_has.descriptors.iter().any(|t| t.digest == d.digest),
            });
        }
        out.subjects.push(Subject {
            digest,
            source,
            target: target_has,
        });
    }
    out.referrers.sort_by_key(|r| r.depth);
    Ok(out)
}

/// Ask the source wave by wave: `top` alone first, then what refers to `top` and the
/// entries, then what refers to those (each digest once, up to [`MAX_DEPTH`]). Returns the
/// subjects with referrers, in the order asked, and a note for the referrers of `top` left
/// when it is not followed.
async fn on_source(
    client: &Client,
    src: &Reference,
    top: &Digest,
    follow_top: bool,
    entries: &[Digest],
) -> Result<(Vec<SourceFound>, Vec<String>), OpError> {
    let from = Repo::of(src);
    let mut seen: BTreeSet<Digest> = entries.iter().cloned().collect();
    seen.insert(top.clone());
    let mut found: Vec<SourceFound> = Vec::new();
    let mut notes = Vec::new();
    let mut wave = vec![(top.clone(), 0)];
    let mut entries = Some(entries);
    while !wave.is_empty() {
        let answers = join_all(wave.iter().map(|(d, _)| client.referrers(&from, d))).await;
        let mut next = Vec::new();
        for ((d, depth), r) in wave.into_iter().zip(answers) {
            let r = r.map_err(reg_err(format!(
                "listing what refers to {}",
                src.at_digest(&d)
            )))?;
            if r.descriptors.is_empty() {
                continue;
            }
            if &d == top && !follow_top {
                notes.push(unfollowed_note(&d, r.descriptors.len()));
                continue;
            }
            if depth + 1 < MAX_DEPTH {
                for x in &r.descriptors {
                    if seen.insert(x.digest.clone()) {
                        next.push((x.digest.clone(), depth + 1));
                    }
                }
            }
            found.push((d, depth, r));
        }
        if let Some(e) = entries.take() {
            next.extend(e.iter().map(|d| (d.clone(), 0)));
        }
        wave = next;
    }
    Ok((found, notes))
}

/// Why the `n` referrers of the source list `top` are not copied by a filtered copy.
fn unfollowed_note(top: &Digest, n: usize) -> String {
    format!(
        "{} of the source {top}: this copy is a new list with another digest, which {} not refer to",
        count(n, "referrer"),
        if n == 1 { "it does" } else { "they do" }
    )
}

/// What the target lists for each subject found, in the same order: the first subject
/// alone, so that a target without the API is learnt from one request, then the rest at
/// once.
async fn on_target(
    client: &Client,
    to: &Repo,
    found: &[SourceFound],
) -> Vec<Result<Referrers, RegistryError>> {
    let mut on_target = Vec::with_capacity(found.len());
    if let Some((d, _, _)) = found.first() {
        on_target.push(client.referrers(to, d).await);
    }
    on_target.extend(
        join_all(
            found
                .iter()
                .skip(1)
                .map(|(d, _, _)| client.referrers(to, d)),
        )
        .await,
    );
    on_target
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// What the target answered for a manifest put: the subject it indexed it under, and the
/// subject the manifest itself names.
type Answer = (Option<Digest>, Option<Digest>);

/// What every step of one [`copy_referrers`] shares: both sides, the referrers and where
/// their progress rows start.
struct Run<'a> {
    client: &'a Client,
    src: &'a Reference,
    target: &'a Reference,
    from: Repo,
    to: Repo,
    referrers: &'a [CopiedReferrer],
    first_row: usize,
    progress: &'a ProgressFn,
}

/// Copy the referrers not on the target yet (depth by depth: what a referrer refers to is in
/// place before it), then write the tag scheme's index for each subject the target did not
/// index itself. Progress rows are `first_row + position in referrers`. Returns the
/// subjects whose `sha256-<hex>` tag was written.
pub(super) async fn copy_referrers(
    client: &Client,
    src: &Reference,
    target: &Reference,
    subjects: &[Subject],
    referrers: &[CopiedReferrer],
    first_row: usize,
    progress: &ProgressFn,
) -> Result<Vec<Digest>, OpError> {
    let run = Run {
        client,
        src,
        target,
        from: Repo::of(src),
        to: Repo::of(target),
        referrers,
        first_row,
        progress,
    };
    let mut answers: BTreeMap<Digest, Answer> = BTreeMap::new();
    run.mark_in_place();
    for depth in 1..=MAX_DEPTH {
        for res in run.copy_depth(depth, &answers).await {
            let (digest, answer) = res?;
            answers.insert(digest, answer);
        }
    }
    run.write_tag_indexes(subjects, &answers).await
}

impl Run<'_> {
    /// Mark the rows of the referrers the target already lists as in place.
    fn mark_in_place(&self) {
        for (i, r) in self.referrers.iter().enumerate() {
            if r.present {
                (self.progress)(Progress::Entry {
                    index: self.first_row + i,
                    stage: EntryStage::InPlace,
                });
            }
        }
    }

    /// One wave: every referrer of this depth not on the target and not put yet, each
    /// digest once and all at once. Returns each one's answer (or its error), in digest
    /// order, once all have ended.
    async fn copy_depth(
        &self,
        depth: usize,
        answers: &BTreeMap<Digest, Answer>,
    ) -> Vec<Result<(Digest, Answer), OpError>> {
        let mut rows: BTreeMap<&Digest, Vec<usize>> = BTreeMap::new();
        for (i, r) in self.referrers.iter().enumerate() {
            if r.depth == depth && !r.present && !answers.contains_key(&r.descriptor.digest) {
                rows.entry(&r.descriptor.digest)
                    .or_default()
                    .push(self.first_row + i);
            }
        }
        join_all(
            rows.iter()
                .map(|(digest, rows)| self.copy_rows(digest, rows)),
        )
        .await
    }

    /// One referrer, shown on `rows` (the same manifest may refer to several subjects):
    /// copied by [`copy_one`] with progress on the first row, then every row marked pushed
    /// or failed; a failure names the referrer and says that a second run finishes the copy.
    async fn copy_rows(
        &self,
        digest: &Digest,
        rows: &[usize],
    ) -> Result<(Digest, Answer), OpError> {
        let (src, target, progress) = (self.src, self.target, self.progress);
        let res = copy_one(
            self.client,
            src,
            &self.from,
            &self.to,
            digest,
            rows[0],
            progress,
        )
        .await;
        for &row in rows {
            progress(Progress::Entry {
                index: row,
                stage: match &res {
                    Ok(_) => EntryStage::Pushed {
                        digest: digest.clone(),
                    },
                    Err(e) => EntryStage::Failed {
                        reason: e.to_string(),
                    },
                },
            });
        }
        let what = self.referrers[rows[0] - self.first_row].label();
        res.map(|a| (digest.clone(), a)).map_err(|e| {
            OpError::Invalid(format!(
                "copying what refers to {src} to {target}: the {what} ({digest}) failed: {}. The image itself is in place by digest but not tagged yet; run the copy again to finish",
                e.to_string().trim_end().trim_end_matches('.')
            ))
        })
    }

    /// Write the tag scheme's index ([`tag_index`]) for each subject with referrers copied
    /// that the target did not index itself, one after another. Returns those subjects.
    async fn write_tag_indexes(
        &self,
        subjects: &[Subject],
        answers: &BTreeMap<Digest, Answer>,
    ) -> Result<Vec<Digest>, OpError> {
        let mut tagged = Vec::new();
        for s in subjects {
            let copied: Vec<&Descriptor> = self
                .referrers
                .iter()
                .filter(|r| r.subject == s.digest && !r.present)
                .map(|r| &r.descriptor)
                .collect();
            if copied.is_empty() || indexed(s, &copied, answers) {
                continue;
            }
            let bytes = tag_index(s, &copied);
            let tag = referrers_tag(&s.digest);
            self.client
                .put_manifest(&self.to, &tag, OCI_INDEX, &bytes)
                .await
                .map_err(reg_err(format!(
                    "listing the referrers of {} under the tag {}:{tag} (the target has no referrers API)",
                    s.digest,
                    self.target.name()
                )))?;
            tagged.push(s.digest.clone());
        }
        Ok(tagged)
    }
}

/// Whether the target indexed every one put under this subject (so nothing is kept by
/// hand): it said so when it was put, or, with the referrers API, the manifest names it.
fn indexed(s: &Subject, copied: &[&Descriptor], answers: &BTreeMap<Digest, Answer>) -> bool {
    copied.iter().all(|d| {
        answers.get(&d.digest).is_some_and(|(said, names)| {
            said.as_ref() == Some(&s.digest)
                || (s.target.via == ReferrersVia::Api && names.as_ref() == Some(&s.digest))
        })
    })
}

/// The tag scheme's index for a subject on the target: what it lists already, then the
/// copied ones. The source's exact bytes when the target had none and every one the source
/// lists was copied.
fn tag_index(s: &Subject, copied: &[&Descriptor]) -> Vec<u8> {
    if let (true, Some(raw)) = (s.target.descriptors.is_empty(), &s.source.index) {
        if copied.len() == s.source.descriptors.len() {
            return raw.bytes.clone();
        }
    }
    let mut manifests = s.target.descriptors.clone();
    for d in copied {
        if !manifests.iter().any(|m| m.digest == d.digest) {
            manifests.push((*d).clone());
        }
    }
    let index = Index {
        schema_version: 2,
        media_type: Some(OCI_INDEX.to_string()),
        manifests,
        annotations: Default::default(),
    };
    serde_json::to_vec(&index).unwrap_or_default()
}

/// One referrer: its manifest by digest (an index's entries first), its blobs, then the
/// manifest by digest. Returns the subject the target says it indexed it under and the one
/// the manifest names.
async fn copy_one(
    client: &Client,
    src: &Reference,
    from: &Repo,
    to: &Repo,
    digest: &Digest,
    row: usize,
    progress: &ProgressFn,
) -> Result<(Option<Digest>, Option<Digest>), OpError> {
    let at = src.at_digest(digest);
    let raw: RawManifest = client
        .get_manifest(&at)
        .await
        .map_err(reg_err(format!("fetching {at}")))?;
    let names = match raw.parse() {
        Ok(Parsed::Image(m)) => m.subject.map(|s| s.digest),
        Ok(Parsed::Index(idx)) => {
            for e in &idx.manifests {
                let child = client
                    .get_manifest(&src.at_digest(&e.digest))
                    .await
                    .map_err(reg_err(format!("fetching {}", src.at_digest(&e.digest))))?;
                send_blobs(client, to, from, row, &child, progress)
                    .await
                    .map_err(|(_, e)| e)?;
                client
                    .put_manifest(to, child.digest.as_str(), &child.media_type, &child.bytes)
                    .await
                    .map_err(reg_err(format!("putting {}", e.digest)))?;
            }
            subject_of(&raw.bytes)
        }
        Err(e) => return Err(OpError::Invalid(format!("{at}: {e}"))),
    };
    send_blobs(client, to, from, row, &raw, progress)
        .await
        .map_err(|(_, e)| e)?;
    let (_, said) = client
        .put_manifest_subject(to, raw.digest.as_str(), &raw.media_type, &raw.bytes)
        .await
        .map_err(reg_err("putting it on the target"))?;
    Ok((said, names))
}

/// The `subject` an index names (our parsed index does not keep it).
fn subject_of(bytes: &[u8]) -> Option<Digest> {
    #[derive(serde::Deserialize)]
    struct WithSubject {
        subject: Option<Descriptor>,
    }
    serde_json::from_slice::<WithSubject>(bytes)
        .ok()
        .and_then(|w| w.subject)
        .map(|s| s.digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(n: u8, artifact: &str) -> Descriptor {
        Descriptor {
            media_type: crate::media::OCI_MANIFEST.into(),
            digest: Digest::sha256(&[n]),
            size: 10,
            urls: Vec::new(),
            annotations: Default::default(),
            platform: None,
            artifact_type: Some(artifact.into()),
        }
    }

    fn refs(via: ReferrersVia, d: Vec<Descriptor>, index: Option<RawManifest>) -> Referrers {
        Referrers {
            via,
            descriptors: d,
            index,
        }
    }

    #[test]
    fn the_tag_index_keeps_the_targets_own_and_the_sources_bytes_when_it_can() {
        let (sig, sbom, theirs) = (
            desc(1, "application/vnd.dev.cosign.artifact.sig.v1+json"),
            desc(2, "application/spdx+json"),
            desc(3, "application/vnd.cncf.notary.signature"),
        );
        let src_bytes = br#"{"schemaVersion":2,"manifests":[]}"#.to_vec();
        let raw = RawManifest::new(src_bytes.clone(), OCI_INDEX).unwrap();
        let s = Subject {
            digest: Digest::sha256(b"subject"),
            source: refs(
                ReferrersVia::TagScheme,
                vec![sig.clone(), sbom.clone()],
                Some(raw),
            ),
            target: refs(ReferrersVia::TagScheme, Vec::new(), None),
        };
        // Everything the source lists, onto an empty target: the source's exact bytes.
        assert_eq!(tag_index(&s, &[&sig, &sbom]), src_bytes);
        // Only part of it: a new index of what was copied.
        let v: serde_json::Value = serde_json::from_slice(&tag_index(&s, &[&sig])).unwrap();
        assert_eq!(v["mediaType"], OCI_INDEX);
        assert_eq!(v["manifests"].as_array().unwrap().len(), 1);
        assert_eq!(
            v["manifests"][0]["artifactType"],
            sig.artifact_type.clone().unwrap()
        );
        // The target lists one of its own: it stays, first, and the copied ones follow.
        let s = Subject {
            target: refs(ReferrersVia::TagScheme, vec![theirs.clone()], None),
            ..s
        };
        let v: serde_json::Value = serde_json::from_slice(&tag_index(&s, &[&sig, &sbom])).unwrap();
        let digests: Vec<&str> = v["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["digest"].as_str().unwrap())
            .collect();
        assert_eq!(
            digests,
            vec![
                theirs.digest.as_str(),
                sig.digest.as_str(),
                sbom.digest.as_str()
            ]
        );
    }

    #[test]
    fn labels_name_the_kind_of_artifact() {
        let r = |t: &str| CopiedReferrer {
            subject: Digest::sha256(b"s"),
            descriptor: desc(1, t),
            depth: 1,
            present: false,
        };
        let short = Digest::sha256(b"s").short();
        assert_eq!(
            r("application/vnd.dev.cosign.artifact.sig.v1+json").label(),
            format!("signature of {short}")
        );
        assert_eq!(
            r("application/vnd.cyclonedx+json").label(),
            format!("SBOM of {short}")
        );
        assert_eq!(
            r("application/vnd.example.thing").label(),
            format!("application/vnd.example.thing of {short}")
        );
        let mut none = r("x");
        none.descriptor.artifact_type = None;
        assert_eq!(none.label(), format!("referrer of {short}"));
    }
}
