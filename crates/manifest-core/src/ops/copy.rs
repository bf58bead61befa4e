//! Copy an image or a list to another repository, on the same registry or another one.
//!
//! Without platforms the copy is exact: every child manifest is put by digest with the bytes
//! it was fetched as, and the list (or the image) last, under the tag, so the target has the
//! source's digest. With platforms, the chosen entries and the attestations describing them
//! go into a new list of the same format, whose digest differs. Blobs move through the push
//! path's [`send_blobs`] (mounts on one registry, streamed and verified copies across, one
//! HEAD for a blob already there), so an interrupted copy run again sends only what is
//! missing. Nothing is tagged before everything it needs is in place. With `referrers`,
//! what refers to the copied manifests comes along too ([`referrers`]).

mod referrers;

pub use referrers::{CopiedReferrer, MAX_DEPTH as MAX_REFERRER_DEPTH};

use super::push::{put_entry, send_blobs};
use super::{reg_err, EntryStage, OpError, Progress, ProgressFn};
use crate::attest::attestation_subject;
use crate::digest::Digest;
use crate::media::{is_attestation, render_list, Descriptor, Kind, ListEntry, Parsed, RawManifest};
use crate::platform::Platform;
use crate::reference::Reference;
use crate::registry::{Client, Repo};
use futures_util::future::join_all;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// Copy only these platforms of a list (and their attestations); empty: everything,
    /// byte for byte.
    pub platforms: Vec<Platform>,
    /// Also copy what refers to the copied manifest and its entries (signatures, SBOMs…),
    /// by the referrers API or the tag scheme, and list it on the target.
    pub referrers: bool,
}

/// One entry of the copied list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedEntry {
    /// As the list gives it (`unknown/unknown` for an attestation).
    pub platform: Platform,
    pub digest: Digest,
    pub media_type: String,
    /// For an attestation manifest: the digest of the image it describes.
    pub describes: Option<Digest>,
}

impl CopiedEntry {
    /// `linux/arm64/v8`, or `attestation of sha256:0123456789ab` for an attestation.
    pub fn label(&self) -> String {
        match &self.describes {
            Some(d) => format!("attestation of {}", d.short()),
            None => self.platform.display(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyReport {
    pub source: Reference,
    /// Where it went, with a tag.
    pub target: Reference,
    /// The digest of the source's manifest.
    pub source_digest: Digest,
    /// The digest now under the target tag (the source's, unless platforms were chosen).
    pub digest: Digest,
    /// The list's entries as copied (empty for a single image, whose own blobs and
    /// manifest are progress entry 0).
    pub entries: Vec<CopiedEntry>,
    /// Why `digest` differs from `source_digest`, when it does.
    pub changed: Option<String>,
    /// The target tag already held exactly these bytes (and every referrer asked for was
    /// listed there): nothing was sent.
    pub unchanged: bool,
    /// With `referrers`: what refers to the copied manifests, in depth order.
    pub referrers: Vec<CopiedReferrer>,
    /// Referrers found and not copied, and why.
    pub referrer_notes: Vec<String>,
    /// The subjects whose referrers tag (`sha256-<hex>`) was written on the target, which
    /// has no referrers API (filled in by the run).
    pub tag_scheme: Vec<Digest>,
}

/// One row of a copy's progress: what [`Progress::Entry`]'s `index` counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyRow {
    /// The entry's [`CopiedEntry::label`] or the referrer's [`CopiedReferrer::label`];
    /// `None` for a single image's one row.
    pub label: Option<String>,
    /// Where it is read: the source at the row's digest (the source itself for a single
    /// image).
    pub source: Reference,
}

impl CopyReport {
    /// The progress rows, in the order the copy numbers them (the one home of that order):
    /// every entry of the list (or the single image), then every referrer.
    pub fn rows(&self) -> Vec<CopyRow> {
        let mut rows: Vec<CopyRow> = if self.entries.is_empty() {
            vec![CopyRow {
                label: None,
                source: self.source.clone(),
            }]
        } else {
            self.entries
                .iter()
                .map(|e| CopyRow {
                    label: Some(e.label()),
                    source: self.source.at_digest(&e.digest),
                })
                .collect()
        };
        rows.extend(self.referrers.iter().map(|x| CopyRow {
            label: Some(x.label()),
            source: self.source.at_digest(&x.descriptor.digest),
        }));
        rows
    }

    /// The progress row of `referrers[0]`: after the entries (or the single image's row).
    pub fn first_referrer_row(&self) -> usize {
        self.entries.len().max(1)
    }
}

/// Where `dst` puts the copy: its own tag, else the source's tag, else `latest`.
pub fn copy_target(src: &Reference, dst: &Reference) -> Result<Reference, OpError> {
    if dst.digest.is_some() {
        return Err(OpError::Invalid(format!(
            "{dst}: copy to a tag, not a digest (e.g. {}:{})",
            dst.name(),
            src.tag.as_deref().unwrap_or("latest")
        )));
    }
    let mut t = dst.clone();
    if t.tag.is_none() {
        t.tag = Some(src.tag.clone().unwrap_or_else(|| "latest".into()));
    }
    Ok(t)
}

/// True when the entry's platform is one of `chosen` ([`Platform::selects`]: a chosen
/// platform without os.version picks the entry whatever its os.version).
fn chosen(p: &Platform, chosen: &[Platform]) -> bool {
    chosen.iter().any(|c| c.selects(p))
}

/// The entries of `index` to copy: all of them, or those of the chosen platforms and the
/// attestations that describe them. Errors when a chosen platform is not in the list.
fn select(
    index: &[Descriptor],
    platforms: &[Platform],
    src: &Reference,
) -> Result<Vec<Descriptor>, OpError> {
    if platforms.is_empty() {
        return Ok(index.to_vec());
    }
    let images: Vec<&Descriptor> = index
        .iter()
        .filter(|d| !is_attestation(d))
        .filter(|d| d.platform.as_ref().is_some_and(|p| chosen(p, platforms)))
        .collect();
    for c in platforms {
        let found = images.iter().any(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| chosen(p, std::slice::from_ref(c)))
        });
        if !found {
            let have: Vec<String> = index
                .iter()
                .filter(|d| !is_attestation(d))
                .filter_map(|d| d.platform.as_ref().map(Platform::display))
                .collect();
            return Err(OpError::Invalid(format!(
                "{src} has no {} entry; it has {}",
                c.display(),
                have.join(", ")
            )));
        }
    }
    let kept: Vec<&Digest> = images.iter().map(|d| &d.digest).collect();
    Ok(index
        .iter()
        .filter(|d| {
            if is_attestation(d) {
                attestation_subject(d).is_some_and(|a| kept.contains(&&a))
            } else {
                kept.contains(&&d.digest)
            }
        })
        .cloned()
        .collect())
}

/// The bytes of a new list of `kind` holding `entries` (rendered like every list we write),
/// with the source index's own annotations.
fn filtered_list(
    kind: Kind,
    entries: &[Descriptor],
    annotations: &std::collections::BTreeMap<String, String>,
) -> Vec<u8> {
    let entries: Vec<ListEntry> = entries
        .iter()
        .map(|d| ListEntry {
            media_type: d.media_type.clone(),
            size: d.size,
            digest: d.digest.clone(),
            platform: d.platform.clone().unwrap_or_default(),
            annotations: if kind.is_oci() {
                d.annotations.clone()
            } else {
                Default::default()
            },
        })
        .collect();
    let annotations = if kind.is_oci() {
        annotations.clone()
    } else {
        Default::default()
    };
    render_list(kind, &entries, &annotations)
}

/// A copy worked out and not yet run: what [`run_copy`] will do, and its report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyPlan {
    pub report: CopyReport,
    /// The source manifest and the bytes to put under the tag; `None` when unchanged.
    work: Option<(RawManifest, Vec<u8>, String)>,
    /// With `referrers`: the subjects and what both sides list for them (the referrers
    /// themselves are the report's).
    subjects: Vec<referrers::Subject>,
}

/// A copy as asked for, by the CLI's `copy` or the TUI: kept whole, so a failed one can be
/// run again unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyJob {
    pub src: Reference,
    pub dst: Reference,
    pub options: CopyOptions,
}

/// Copy `src` (a list, an index or an image) to `dst`: [`plan_copy`], then [`run_copy`].
pub async fn copy(
    client: &Client,
    job: &CopyJob,
    progress: ProgressFn,
) -> Result<CopyReport, OpError> {
    let plan = plan_copy(client, job).await?;
    run_copy(client, &plan, progress).await
}

/// What goes under the target tag, worked out from the source manifest.
struct ToPut {
    bytes: Vec<u8>,
    media_type: String,
    /// The list's entries to copy (empty for a single image).
    entries: Vec<Descriptor>,
    /// Why the digest differs from the source's, for a new (filtered) list.
    changed: Option<String>,
}

/// Whether the target tag already holds `digest` (by one HEAD; a failed HEAD says no).
async fn target_holds(client: &Client, target: &Reference, digest: &Digest) -> bool {
    matches!(client.head_manifest(target).await, Ok(Some((_, have, _))) if &have == digest)
}

/// Decide what to put under the tag: the source's own bytes for an exact copy (of an image,
/// or of a list with all its entries), else a new list of the chosen entries. A single
/// image with platforms, or a chosen platform the list lacks, is refused.
fn what_to_put(
    raw: &RawManifest,
    parsed: &Parsed,
    platforms: &[Platform],
    src: &Reference,
) -> Result<ToPut, OpError> {
    let exact = platforms.is_empty();
    let (bytes, media_type, entries, changed) = match parsed {
        Parsed::Image(_) => {
            if !exact {
                return Err(OpError::Invalid(format!(
                    "{src} is a single image, not a list: copy it without --platform"
                )));
            }
            (raw.bytes.clone(), raw.media_type.clone(), Vec::new(), None)
        }
        Parsed::Index(idx) => {
            let chosen = select(&idx.manifests, platforms, src)?;
            if exact {
                (raw.bytes.clone(), raw.media_type.clone(), chosen, None)
            } else {
                let kind = raw.kind();
                let bytes = filtered_list(kind, &chosen, &idx.annotations);
                let why = new_list_reason(kind, &chosen, idx.manifests.len(), &raw.digest);
                (bytes, kind.media_type().to_string(), chosen, Some(why))
            }
        }
    };
    Ok(ToPut {
        bytes,
        media_type,
        entries,
        changed,
    })
}

/// Why a filtered list's digest differs from the source's: what it holds of the source.
fn new_list_reason(kind: Kind, chosen: &[Descriptor], of: usize, source: &Digest) -> String {
    let names: Vec<String> = chosen
        .iter()
        .filter(|d| !is_attestation(d))
        .filter_map(|d| d.platform.as_ref().map(Platform::display))
        .collect();
    format!(
        "a new {} holding {} of the source's {} entries ({}), so its digest differs from the source's {}",
        kind.label(),
        chosen.len(),
        of,
        names.join(", "),
        source
    )
}

/// The report's view of the entries to copy.
fn copied_entries(entries: &[Descriptor]) -> Vec<CopiedEntry> {
    entries
        .iter()
        .map(|d| CopiedEntry {
            platform: d.platform.clone().unwrap_or_default(),
            digest: d.digest.clone(),
            media_type: d.media_type.clone(),
            describes: attestation_subject(d),
        })
        .collect()
}

/// Fetch the source manifest and the target tag's digest (at once), pick the entries and
/// work out the bytes to put under the tag. Sends nothing. An exact copy of a source given
/// by digest costs one request (the target's HEAD) when the target already has it.
pub async fn plan_copy(client: &Client, job: &CopyJob) -> Result<CopyPlan, OpError> {
    let opts = &job.options;
    let src = job.src.clone().with_default_tag();
    let target = copy_target(&src, &job.dst)?;
    let exact = opts.platforms.is_empty();

    if let (Some(d), true, false) = (&src.digest, exact, opts.referrers) {
        if target_holds(client, &target, d).await {
            return Ok(CopyPlan {
                report: unchanged(src.clone(), target, d.clone()),
                work: None,
                subjects: Vec::new(),
            });
        }
    }
    let (raw, head) =
        futures_util::future::join(client.get_manifest(&src), client.head_manifest(&target)).await;
    let raw = raw.map_err(reg_err(format!("fetching the source {src}")))?;
    let target_has = head.ok().flatten().map(|(_, d, _)| d);

    let parsed = raw
        .parse()
        .map_err(|e| OpError::Invalid(format!("{src}: {e}")))?;
    let put = what_to_put(&raw, &parsed, &opts.platforms, &src)?;
    if src.is_layout() {
        check_layout_source(client, &src, &raw, &put.entries).await?;
    }
    let digest = Digest::sha256(&put.bytes);
    let entries = copied_entries(&put.entries);
    let tag_unchanged = target_has.as_ref() == Some(&digest);
    let found = if opts.referrers {
        // A single image is its own subject; a list's entries are subjects too, the list
        // itself only when it is copied exactly (a new list has another digest).
        let subjects: Vec<Digest> = entries.iter().map(|e| e.digest.clone()).collect();
        let top = raw.digest.clone();
        referrers::discover(client, &src, &target, &top, exact, &subjects).await?
    } else {
        referrers::Found::default()
    };
    let referrers::Found {
        subjects,
        referrers,
        notes: referrer_notes,
    } = found;
    let unchanged = tag_unchanged && referrers.iter().all(|r| r.present);
    Ok(CopyPlan {
        report: CopyReport {
            source: src,
            target,
            source_digest: raw.digest.clone(),
            digest,
            entries,
            changed: put.changed,
            unchanged,
            referrers,
            referrer_notes,
            tag_scheme: Vec::new(),
        },
        work: (!tag_unchanged).then_some((raw, put.bytes, put.media_type)),
        subjects,
    })
}

/// A layout is read before anything is written: every entry's manifest (verified) and
/// every blob it needs must be there, so a layout missing a file, or holding one whose
/// bytes do not match, is refused with the file named and nothing sent. (A blob's bytes
/// are checked as they are copied; one that does not match is never put in place.)
async fn check_layout_source(
    client: &Client,
    src: &Reference,
    raw: &RawManifest,
    entries: &[Descriptor],
) -> Result<(), OpError> {
    let repo = Repo::of(src);
    let mut manifests = vec![raw.clone()];
    for e in entries {
        let m = client
            .get_manifest(&src.at_digest(&e.digest))
            .await
            .map_err(reg_err(format!("reading {}", src.at_digest(&e.digest))))?;
        manifests.push(m);
    }
    for m in &manifests {
        let Ok(Parsed::Image(img)) = m.parse() else {
            continue;
        };
        let blobs = std::iter::once(&img.config).chain(
            img.layers
                .iter()
                .filter(|l| !crate::media::is_foreign_layer(l)),
        );
        for b in blobs {
            let size = client
                .blob_exists(&repo, &b.digest)
                .await
                .map_err(reg_err(format!("reading {src}")))?;
            if size.is_none() {
                return Err(OpError::Invalid(format!(
                    "{src}: the blob {} that {} needs is missing from the layout (blobs/{}/{}); nothing was copied",
                    b.digest,
                    src.at_digest(&m.digest),
                    b.digest.algorithm(),
                    b.digest.hex()
                )));
            }
        }
    }
    Ok(())
}

/// Send the entries: none when unchanged (each row marked pushed), a single image's blobs
/// as row 0, else every entry of the list at once ([`copy_entry`]); the first failure (in
/// the list's order) once all have ended.
async fn send_entries(
    client: &Client,
    plan: &CopyPlan,
    target_repo: &Repo,
    progress: &ProgressFn,
) -> Result<(), OpError> {
    let report = &plan.report;
    let (src, target) = (&report.source, &report.target);
    let from = Repo::of(src);
    match &plan.work {
        None => {
            for (i, e) in report.entries.iter().enumerate() {
                progress(Progress::Entry {
                    index: i,
                    stage: EntryStage::Pushed {
                        digest: e.digest.clone(),
                    },
                });
            }
        }
        Some((raw, _, _)) if report.entries.is_empty() => {
            // A single image: its blobs are entry 0, its manifest goes under the tag.
            progress(Progress::Entry {
                index: 0,
                stage: EntryStage::Waiting,
            });
            send_blobs(client, target_repo, &from, 0, raw, progress)
                .await
                .map_err(|(stage, err)| entry_failed(src, target, &src.to_string(), stage, err))?;
        }
        Some(_) => {
            for i in 0..report.entries.len() {
                progress(Progress::Entry {
                    index: i,
                    stage: EntryStage::Waiting,
                });
            }
            let jobs =
                report.entries.iter().enumerate().map(|(i, e)| {
                    let from = &from;
                    async move {
                        copy_entry(client, src, target, target_repo, from, i, e, progress).await
                    }
                });
            if let Some(err) = join_all(jobs).await.into_iter().find_map(Result::err) {
                return Err(err);
            }
        }
    }
    Ok(())
}

/// Send the referrers not on the target: the copied manifest by digest first when one of
/// them refers to it, then [`referrers::copy_referrers`]. Returns the subjects whose
/// referrers tag was written.
async fn send_referrers(
    client: &Client,
    plan: &CopyPlan,
    target_repo: &Repo,
    progress: &ProgressFn,
) -> Result<Vec<Digest>, OpError> {
    let report = &plan.report;
    let (src, target, digest) = (&report.source, &report.target, &report.digest);
    let refers_to_top = report
        .referrers
        .iter()
        .any(|r| !r.present && &r.subject == digest);
    if let (Some((_, bytes, media_type)), true) = (&plan.work, refers_to_top) {
        client
            .put_manifest(target_repo, digest.as_str(), media_type, bytes)
            .await
            .map_err(reg_err(format!(
                "putting {} by digest before what refers to it (nothing is tagged yet; run the copy again to finish)",
                target.at_digest(digest)
            )))?;
    }
    let first = report.first_referrer_row();
    referrers::copy_referrers(
        client,
        src,
        target,
        &plan.subjects,
        &report.referrers,
        first,
        progress,
    )
    .await
}

/// Put the list or image under the target tag (when there is work), and check the registry
/// stored it under the digest its bytes hash to.
async fn put_tagged(client: &Client, plan: &CopyPlan, target_repo: &Repo) -> Result<(), OpError> {
    let (target, digest) = (&plan.report.target, &plan.report.digest);
    if let Some((_, bytes, media_type)) = &plan.work {
        let put = client
            .put_manifest(target_repo, &target.manifest_reference(), media_type, bytes)
            .await
            .map_err(reg_err(format!(
                "putting {target} (every entry and blob is in place; nothing is tagged yet, run the copy again to finish)"
            )))?;
        if &put != digest {
            return Err(OpError::Invalid(format!(
                "the registry stored {target} as {put}, but its bytes hash to {digest}"
            )));
        }
    }
    Ok(())
}

/// Run a planned copy: every entry at once (its manifest fetched, its blobs mounted or
/// copied, its manifest put by digest), then the referrers asked for (the copied manifest
/// put by digest first when they refer to it), then the list or image under the tag.
pub async fn run_copy(
    client: &Client,
    plan: &CopyPlan,
    progress: ProgressFn,
) -> Result<CopyReport, OpError> {
    let mut report = plan.report.clone();
    let target_repo = Repo::of(&report.target);
    send_entries(client, plan, &target_repo, &progress).await?;
    if !report.unchanged && !report.referrers.is_empty() {
        report.tag_scheme = send_referrers(client, plan, &target_repo, &progress).await?;
    }
    put_tagged(client, plan, &target_repo).await?;
    progress(Progress::ListPushed {
        digest: report.digest.clone(),
    });
    Ok(report)
}

/// One entry of a list: its manifest (fetched by digest, verified), its blobs, then the
/// manifest itself by digest, as the exact bytes fetched.
#[allow(clippy::too_many_arguments)]
async fn copy_entry(
    client: &Client,
    src: &Reference,
    target: &Reference,
    target_repo: &Repo,
    from: &Repo,
    i: usize,
    e: &CopiedEntry,
    progress: &ProgressFn,
) -> Result<(), OpError> {
    let what = format!("{} ({})", e.label(), src.at_digest(&e.digest));
    let fail = |stage: &'static str, err: OpError| {
        progress(Progress::Entry {
            index: i,
            stage: EntryStage::Failed {
                reason: err.to_string(),
            },
        });
        entry_failed(src, target, &what, stage, err)
    };
    let raw: RawManifest = client
        .get_manifest(&src.at_digest(&e.digest))
        .await
        .map_err(|err| fail("fetching its manifest", reg_err("")(err)))?;
    if raw.kind().is_list() {
        return Err(fail(
            "reading its manifest",
            OpError::Invalid("it is itself a list; lists inside lists are not copied".into()),
        ));
    }
    send_blobs(client, target_repo, from, i, &raw, progress)
        .await
        .map_err(|(stage, err)| entry_failed(src, target, &what, stage, err))?;
    put_entry(client, target_repo, i, &raw, progress)
        .await
        .map_err(|err| {
            entry_failed(src, target, &what, "putting its manifest", reg_err("")(err))
        })?;
    Ok(())
}

/// The one message for a failed entry: what, where, and that a second run finishes it.
fn entry_failed(
    src: &Reference,
    target: &Reference,
    what: &str,
    stage: &str,
    err: OpError,
) -> OpError {
    let reason = match err {
        OpError::Registry { context, source } if context.is_empty() => source.to_string(),
        other => other.to_string(),
    };
    OpError::Invalid(format!(
        "copying {src} to {target}: {what} failed while {stage}: {}. Nothing is tagged yet; run the copy again to finish (what is already there is not sent again)",
        reason.trim_end().trim_end_matches('.')
    ))
}

fn unchanged(source: Reference, target: Reference, digest: Digest) -> CopyReport {
    CopyReport {
        source,
        target,
        source_digest: digest.clone(),
        digest,
        entries: Vec::new(),
        changed: None,
        unchanged: true,
        referrers: Vec::new(),
        referrer_notes: Vec::new(),
        tag_scheme: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::REFERENCE_DIGEST;

    fn desc(n: u8, platform: &str, describes: Option<u8>) -> Descriptor {
        let digest = Digest::sha256(&[n]);
        let mut annotations = std::collections::BTreeMap::new();
        let platform = match describes {
            Some(of) => {
                annotations.insert(
                    REFERENCE_DIGEST.to_string(),
                    Digest::sha256(&[of]).to_string(),
                );
                Platform::new("unknown", "unknown", "")
            }
            None => {
                let mut p = Platform::parse(platform.split(' ').next().unwrap_or("")).unwrap();
                if let Some(v) = platform.split(' ').nth(1) {
                    p.os_version = v.to_string();
                }
                p
            }
        };
        Descriptor {
            media_type: crate::media::OCI_MANIFEST.into(),
            digest,
            size: 1,
            urls: Vec::new(),
            annotations,
            platform: Some(platform),
            artifact_type: None,
        }
    }

    fn src() -> Reference {
        Reference::parse("127.0.0.1:5000/app:v1").unwrap()
    }

    #[test]
    fn selection_keeps_the_chosen_images_and_only_their_attestations() {
        let index = vec![
            desc(1, "linux/amd64", None),
            desc(2, "linux/arm64", None),
            desc(3, "windows/amd64 10.0.17763.6054", None),
            desc(11, "", Some(1)),
            desc(12, "", Some(2)),
            desc(13, "", Some(3)),
        ];
        let pick = |ps: &[&str]| {
            let ps: Vec<Platform> = ps.iter().map(|p| Platform::parse(p).unwrap()).collect();
            select(&index, &ps, &src())
                .map(|v| v.iter().map(|d| d.digest.clone()).collect::<Vec<_>>())
        };
        let d = |n: u8| Digest::sha256(&[n]);
        // linux/arm64 matches linux/arm64/v8 and its variant-less spelling alike; windows
        // without os.version matches every os.version.
        assert_eq!(
            pick(&["linux/arm64/v8", "windows/amd64"]).unwrap(),
            vec![d(2), d(3), d(12), d(13)]
        );
        assert_eq!(pick(&[]).unwrap().len(), 6, "no platforms: everything");
        let err = pick(&["linux/s390x"]).unwrap_err().to_string();
        assert!(
            err.contains("no linux/s390x entry") && err.contains("linux/amd64"),
            "{err}"
        );
    }

    #[test]
    fn a_filtered_list_keeps_its_format_and_drops_annotations_a_docker_list_cannot_carry() {
        let entries = vec![desc(1, "linux/amd64", None), desc(11, "", Some(1))];
        let none = Default::default();
        let oci = filtered_list(Kind::OciIndex, &entries, &none);
        let v: serde_json::Value = serde_json::from_slice(&oci).unwrap();
        assert_eq!(v["mediaType"], crate::media::OCI_INDEX);
        assert_eq!(
            v["manifests"][1]["annotations"][REFERENCE_DIGEST],
            Digest::sha256(&[1]).to_string()
        );
        let docker = filtered_list(Kind::DockerList, &entries, &none);
        let v: serde_json::Value = serde_json::from_slice(&docker).unwrap();
        assert_eq!(v["mediaType"], crate::media::DOCKER_LIST);
        assert!(v["manifests"][1].get("annotations").is_none());
    }

    #[test]
    fn progress_rows_are_the_entries_then_the_referrers() {
        let src = src();
        let image = desc(1, "linux/amd64", None);
        let mut r = unchanged(src.clone(), src.clone(), Digest::sha256(b"list"));
        // A single image is one row, the source itself.
        assert_eq!(
            r.rows(),
            [CopyRow {
                label: None,
                source: src.clone()
            }]
        );
        r.entries = vec![CopiedEntry {
            platform: image.platform.clone().unwrap_or_default(),
            digest: image.digest.clone(),
            media_type: image.media_type.clone(),
            describes: None,
        }];
        let mut sig = desc(7, "linux/amd64", None);
        sig.artifact_type = Some("application/vnd.dev.cosign.artifact.sig.v1+json".into());
        r.referrers = vec![CopiedReferrer {
            subject: image.digest.clone(),
            descriptor: sig.clone(),
            depth: 1,
            present: false,
        }];
        let rows = r.rows();
        let labels: Vec<_> = rows
            .iter()
            .map(|x| x.label.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            labels,
            [
                "linux/amd64".to_string(),
                format!("signature of {}", image.digest.short())
            ]
        );
        assert_eq!(rows[1].source, src.at_digest(&sig.digest));
        assert_eq!(r.first_referrer_row(), 1);
    }

    #[test]
    fn the_target_takes_the_source_tag_and_refuses_a_digest() {
        let dst = Reference::parse("127.0.0.1:6000/team/app").unwrap();
        assert_eq!(
            copy_target(&src(), &dst).unwrap().tag.as_deref(),
            Some("v1")
        );
        let by_digest = src().at_digest(&Digest::sha256(b"x"));
        assert_eq!(
            copy_target(&by_digest, &dst).unwrap().tag.as_deref(),
            Some("latest")
        );
        assert!(copy_target(&src(), &dst.at_digest(&Digest::sha256(b"x"))).is_err());
    }
}
