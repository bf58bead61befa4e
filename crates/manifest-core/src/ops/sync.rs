//! Mirror many images: the plan (what each image's destination holds: new, changed or up to
//! date) and the run (each image that needs it copied exactly, by [`super::copy`]).
//!
//! What to mirror and where it lands are `crate::sync`'s rules (skopeo sync's file and
//! destination). The plan is cheap: one HEAD of each image on each side, concurrently, so a
//! re-run with nothing changed sends no write at all (with `--platform` or `--referrers` the
//! copy's own plan is asked instead, since what goes under the tag depends on the source's
//! bytes). The run copies [`IMAGES_AT_ONCE`] repositories at a time (a repository's images one
//! after another) through [`copy_one`], the one
//! place this module calls the copy engine; the requests in flight on each registry are
//! bounded across every image by the client's per-registry limit. One image failing does not
//! stop the others: its reason is its outcome.

use super::copy::{plan_copy, run_copy, CopyJob, CopyOptions, CopyPlan, CopyReport};
use super::diff::{diff, Comparison, Source};
use super::{OpError, Progress, ProgressFn};
use crate::digest::Digest;
use crate::media::{is_attestation, Parsed};
use crate::platform::Platform;
use crate::reference::Reference;
use crate::registry::{Client, Repo, PAGE_SIZE};
use crate::store::Store;
use crate::sync::{destination, ImageRef, Rule, SyncFile};
use futures_util::stream::{self, StreamExt as _};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Images copied at once. Each copy already sends its entries and blobs concurrently, so a
/// few images keep every registry's request limit busy while memory stays that of a few.
pub const IMAGES_AT_ONCE: usize = 4;
/// Images whose state is asked at once while planning (two HEADs each).
const PLAN_AT_ONCE: usize = 16;

/// What to mirror.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncSource {
    /// skopeo sync's YAML.
    File(SyncFile),
    /// Every tag of a repository (`REG/REPO`).
    Repository(Reference),
    /// One image, by tag or digest.
    Image(Reference),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// The whole source name under DEST (`DEST/REG/REPO`), not only its last component.
    pub scoped: bool,
    /// As `copy --platform`: filtered lists (new digests).
    pub platforms: Vec<Platform>,
    /// As `copy --referrers`.
    pub referrers: bool,
    /// For the printed plan: per-platform verdicts of changed images and the bytes to move
    /// (reads every manifest and config concerned; the run does not need them).
    pub detail: bool,
}

/// Where one image stands before the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageState {
    /// The destination has nothing under the tag (or digest).
    New,
    /// The destination's tag holds another manifest.
    Changed,
    /// The destination already holds exactly what the copy would put there.
    UpToDate,
    /// It cannot be copied: the reason.
    Failed(String),
}

impl ImageState {
    pub fn label(&self) -> &'static str {
        match self {
            ImageState::New => "new",
            ImageState::Changed => "changed",
            ImageState::UpToDate => "up to date",
            ImageState::Failed(_) => "failed",
        }
    }
}

/// One image of the plan.
#[derive(Clone, Debug)]
pub struct PlannedImage {
    /// By tag, or by digest when the file names a digest.
    pub source: Reference,
    /// The destination, with the same tag or digest; the source itself when no destination
    /// can be named (the failure says where it would have landed).
    pub target: Reference,
    pub state: ImageState,
    pub source_digest: Option<Digest>,
    /// What the destination holds now.
    pub target_digest: Option<Digest>,
    /// With `detail`, for a changed image: the diff engine's per-platform verdicts
    /// (A = the destination now, B = the source).
    pub comparison: Option<Comparison>,
    /// With `detail`: compressed bytes of the blobs the source's manifests name that the
    /// destination's current manifest does not (each blob once).
    pub bytes: Option<u64>,
    /// The copy's own plan, when planning needed it (platforms, referrers).
    copy: Option<CopyPlan>,
}

impl PlannedImage {
    /// An image in `state` with nothing else known (what a front end's tests build; the
    /// run plans its copy itself).
    pub fn new(source: Reference, target: Reference, state: ImageState) -> PlannedImage {
        PlannedImage {
            source,
            target,
            state,
            source_digest: None,
            target_digest: None,
            comparison: None,
            bytes: None,
            copy: None,
        }
    }
}

/// Something that failed before any image of it could be planned (a repository whose tags
/// cannot be listed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncProblem {
    pub what: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default)]
pub struct SyncPlan {
    pub images: Vec<PlannedImage>,
    pub problems: Vec<SyncProblem>,
    /// Repositories (source, `sources` as skopeo counts them) the images come from.
    pub sources: usize,
}

impl SyncPlan {
    pub fn count(&self, label: &str) -> usize {
        self.images
            .iter()
            .filter(|i| i.state.label() == label)
            .count()
    }
    /// The images the run copies.
    pub fn to_copy(&self) -> usize {
        self.images
            .iter()
            .filter(|i| matches!(i.state, ImageState::New | ImageState::Changed))
            .count()
    }
}

/// What happened to one image in the run.
#[derive(Clone, Debug)]
pub enum Outcome {
    Copied(Box<CopyReport>),
    UpToDate,
    Failed(String),
}

/// Progress of a run: images by their index in the plan.
#[derive(Clone, Debug)]
pub enum SyncEvent {
    /// The image's copy started.
    Started { image: usize },
    /// A step of its copy ([`Progress`], entries numbered as [`CopyReport::rows`]).
    Copy { image: usize, progress: Progress },
    /// It ended: its digest at the destination, or why it failed.
    Done {
        image: usize,
        result: Result<Digest, String>,
    },
}

pub type SyncProgressFn = Arc<dyn Fn(SyncEvent) + Send + Sync>;

/// Work out what a sync would do: list the tags the rules need, name each image's
/// destination, and ask each side what it holds. Sends nothing but reads.
pub async fn plan_sync(
    client: &Client,
    store: &Store,
    source: &SyncSource,
    dest: &str,
    opts: &SyncOptions,
) -> SyncPlan {
    let (pairs, problems, sources) = expand(client, source).await;
    let mut seen = std::collections::HashSet::new();
    let pairs: Vec<Reference> = pairs
        .into_iter()
        .filter(|s| seen.insert(s.to_string()))
        .collect();
    let images = stream::iter(pairs)
        .map(|src| async move {
            match destination(&src, dest, opts.scoped) {
                Ok(target) => plan_image(client, store, src, target, opts).await,
                Err(e) => failed(src.clone(), src, e),
            }
        })
        .buffered(PLAN_AT_ONCE)
        .collect()
        .await;
    SyncPlan {
        images,
        problems,
        sources,
    }
}

/// The source images in order, the problems met listing tags, and the repositories counted.
async fn expand(client: &Client, source: &SyncSource) -> (Vec<Reference>, Vec<SyncProblem>, usize) {
    let rules: Vec<(Reference, Rule)> = match source {
        SyncSource::Image(r) => return (vec![r.clone().with_default_tag()], Vec::new(), 1),
        SyncSource::Repository(r) => vec![(r.clone(), Rule::AllTags)],
        SyncSource::File(f) => f
            .registries
            .iter()
            .flat_map(|reg| reg.repos.iter().map(|x| (x.repo.clone(), x.rule.clone())))
            .collect(),
    };
    let listed = stream::iter(rules)
        .map(|(repo, rule)| async move {
            let tags = if rule.lists_tags() {
                Some(client.list_tags(&Repo::of(&repo), PAGE_SIZE).await)
            } else {
                None
            };
            (repo, rule, tags)
        })
        .buffered(PLAN_AT_ONCE)
        .collect::<Vec<_>>()
        .await;
    let (mut images, mut problems, mut sources) = (Vec::new(), Vec::new(), 0);
    for (repo, rule, tags) in listed {
        let found: Vec<Reference> = match (&rule, tags) {
            (Rule::Refs(refs), _) => refs
                .iter()
                .filter_map(|r| match r {
                    ImageRef::Tag(t) => repo.with_tag(t).ok(),
                    ImageRef::Digest(d) => Some(repo.at_digest(d)),
                })
                .collect(),
            (_, Some(Err(e))) => {
                problems.push(SyncProblem {
                    what: format!("{repo} ({})", rule.label()),
                    reason: format!("listing its tags: {e}"),
                });
                continue;
            }
            (_, Some(Ok(tags))) => rule
                .select(&tags)
                .into_iter()
                // A tag the registry lists that is not a valid tag is skipped, as skopeo does.
                .filter_map(|t| repo.with_tag(t).ok())
                .collect(),
            (_, None) => Vec::new(),
        };
        if found.is_empty() {
            if matches!(source, SyncSource::Repository(_)) {
                problems.push(SyncProblem {
                    what: repo.to_string(),
                    reason: "it has no tags: no images to sync".into(),
                });
            }
            continue;
        }
        sources += 1;
        images.extend(found);
    }
    (images, problems, sources)
}

fn failed(source: Reference, target: Reference, reason: String) -> PlannedImage {
    PlannedImage {
        source,
        target,
        state: ImageState::Failed(reason),
        source_digest: None,
        target_digest: None,
        comparison: None,
        bytes: None,
        copy: None,
    }
}

/// One image's state: a HEAD on each side for an exact copy, else the copy's own plan (and
/// a HEAD of the destination, to tell new from changed).
async fn plan_image(
    client: &Client,
    store: &Store,
    src: Reference,
    target: Reference,
    opts: &SyncOptions,
) -> PlannedImage {
    let exact = opts.platforms.is_empty();
    if !exact && src.digest.is_some() {
        return failed(
            src,
            target,
            "--platform makes a new list with another digest, which cannot go under the source's digest: name a tag".into(),
        );
    }
    let head_target = async {
        match client.head_manifest(&target).await {
            Ok(h) => Ok(h.map(|(_, d, _)| d)),
            Err(e) => Err(format!("reading the destination {target}: {e}")),
        }
    };
    let (source_digest, target_digest, copy) = if exact && !opts.referrers {
        let head_source = async {
            match client.head_manifest(&src).await {
                Ok(Some((_, d, _))) => Ok(d),
                Ok(None) => Err("not found in the source".to_string()),
                Err(e) => Err(format!("reading {src}: {e}")),
            }
        };
        let (s, t) = futures_util::future::join(head_source, head_target).await;
        match (s, t) {
            (Ok(s), Ok(t)) => (s, t, None),
            (Err(e), _) | (_, Err(e)) => return failed(src, target, e),
        }
    } else {
        let (p, t) =
            futures_util::future::join(plan_copy(client, &job(&src, &target, opts)), head_target)
                .await;
        match (p, t) {
            (Ok(p), Ok(t)) => (p.report.digest.clone(), t, Some(p)),
            (Err(e), _) => return failed(src, target, e.to_string()),
            (_, Err(e)) => return failed(src, target, e),
        }
    };
    let state = match (&copy, &target_digest) {
        (Some(p), _) if p.report.unchanged => ImageState::UpToDate,
        (None, Some(t)) if *t == source_digest => ImageState::UpToDate,
        (_, Some(_)) => ImageState::Changed,
        (_, None) => ImageState::New,
    };
    let mut planned = PlannedImage {
        source: src,
        target,
        state,
        source_digest: Some(source_digest),
        target_digest,
        comparison: None,
        bytes: None,
        copy,
    };
    if opts.detail {
        add_detail(client, store, &mut planned, &opts.platforms).await;
    }
    planned
}

/// The printed plan's view of an image: the per-platform verdicts of a changed one (the diff
/// engine's, destination as A, source as B) and the bytes to move.
async fn add_detail(client: &Client, store: &Store, p: &mut PlannedImage, platforms: &[Platform]) {
    let target_now = p.target_digest.as_ref().map(|d| p.target.at_digest(d));
    match p.state {
        ImageState::Changed => {
            let (cmp, from, to) = futures_util::future::join3(
                diff(
                    client,
                    store,
                    &Source::Remote(p.target.clone()),
                    &Source::Remote(p.source.clone()),
                ),
                blobs(client, &p.source, platforms),
                async {
                    match &target_now {
                        Some(t) => blobs(client, t, &[]).await,
                        None => Ok(BTreeMap::new()),
                    }
                },
            )
            .await;
            p.comparison = cmp.ok();
            if let (Ok(from), Ok(to)) = (from, to) {
                p.bytes = Some(
                    from.iter()
                        .filter(|(d, _)| !to.contains_key(*d))
                        .map(|(_, s)| *s)
                        .sum(),
                );
            }
        }
        ImageState::New => {
            p.bytes = blobs(client, &p.source, platforms)
                .await
                .ok()
                .map(|b| b.values().sum());
        }
        ImageState::UpToDate => p.bytes = Some(0),
        ImageState::Failed(_) => {}
    }
}

/// Every blob (config and layers) the manifest at `r` names, with its size: its entries'
/// for a list (only the chosen platforms' images when `platforms` is not empty).
async fn blobs(
    client: &Client,
    r: &Reference,
    platforms: &[Platform],
) -> Result<BTreeMap<Digest, u64>, OpError> {
    let raw = client
        .get_manifest(r)
        .await
        .map_err(super::reg_err(format!("fetching {r}")))?;
    let parsed = raw
        .parse()
        .map_err(|e| OpError::Invalid(format!("{r}: {e}")))?;
    let images = match parsed {
        Parsed::Image(m) => vec![*m],
        Parsed::Index(idx) => {
            let chosen = idx.manifests.iter().filter(|d| {
                platforms.is_empty()
                    || (!is_attestation(d)
                        && d.platform
                            .as_ref()
                            .is_some_and(|p| platforms.iter().any(|c| c.selects(p))))
            });
            let fetched = futures_util::future::join_all(chosen.map(|d| {
                let at = r.at_digest(&d.digest);
                async move { client.get_manifest(&at).await }
            }))
            .await;
            let mut images = Vec::new();
            for m in fetched {
                let m = m.map_err(super::reg_err(format!("fetching an entry of {r}")))?;
                if let Ok(Parsed::Image(i)) = m.parse() {
                    images.push(*i);
                }
            }
            images
        }
    };
    Ok(images
        .iter()
        .flat_map(|i| std::iter::once(&i.config).chain(i.layers.iter()))
        .map(|d| (d.digest.clone(), u64::try_from(d.size).unwrap_or(0)))
        .collect())
}

fn job(src: &Reference, target: &Reference, opts: &SyncOptions) -> CopyJob {
    // The copy engine puts under a tag; an image named by digest is planned against the
    // repository (the engine's default tag is only HEADed) and put by digest (copy_one).
    let dst = if target.digest.is_some() {
        Reference {
            tag: None,
            digest: None,
            ..target.clone()
        }
    } else {
        target.clone()
    };
    CopyJob {
        src: src.clone(),
        dst,
        options: CopyOptions {
            platforms: opts.platforms.clone(),
            referrers: opts.referrers,
        },
    }
}

/// The one call into the copy engine: plan the copy (unless planning already did), point an
/// image named by digest at its digest, run it.
async fn copy_one(
    client: &Client,
    image: &PlannedImage,
    opts: &SyncOptions,
    progress: ProgressFn,
) -> Result<CopyReport, OpError> {
    let mut plan = match &image.copy {
        Some(p) => p.clone(),
        None => plan_copy(client, &job(&image.source, &image.target, opts)).await?,
    };
    if image.target.digest.is_some() {
        plan.report.target = image.target.clone();
    }
    run_copy(client, &plan, progress).await
}

/// Run a plan: every new or changed image copied, each reported through `progress`; one
/// outcome per planned image, in the plan's order. Images bound for one repository go one
/// after another, [`IMAGES_AT_ONCE`] repositories at a time: two copies into one
/// repository at once (tags sharing children) mount the same blobs and put the same child
/// manifests while the other verifies them, and Distribution's filesystem writes are not
/// atomic, so it answers MANIFEST_BLOB_UNKNOWN / DIGEST_INVALID now and then.
pub async fn run_sync(
    client: &Client,
    plan: &SyncPlan,
    opts: &SyncOptions,
    progress: SyncProgressFn,
) -> Vec<Outcome> {
    let mut groups: Vec<(Repo, Vec<usize>)> = Vec::new();
    for (i, image) in plan.images.iter().enumerate() {
        let repo = Repo::of(&image.target);
        match groups.iter_mut().find(|(r, _)| *r == repo) {
            Some((_, v)) => v.push(i),
            None => groups.push((repo, vec![i])),
        }
    }
    // By index, not over `&PlannedImage`: a closure over a reference makes the future not
    // provably `Send` (rust#102211), and the TUI's worker spawns it.
    let groups = &groups;
    let mut outcomes: Vec<(usize, Outcome)> = stream::iter(0..groups.len())
        .map(|g| {
            let progress = progress.clone();
            async move {
                let mut out = Vec::new();
                for &i in &groups[g].1 {
                    out.push((i, run_image(client, plan, i, opts, progress.clone()).await));
                }
                out
            }
        })
        .buffer_unordered(IMAGES_AT_ONCE)
        .flat_map(stream::iter)
        .collect()
        .await;
    outcomes.sort_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, o)| o).collect()
}

/// One image of a run: copied when new or changed, its events sent.
async fn run_image(
    client: &Client,
    plan: &SyncPlan,
    i: usize,
    opts: &SyncOptions,
    progress: SyncProgressFn,
) -> Outcome {
    let image = &plan.images[i];
    match &image.state {
        ImageState::UpToDate => return Outcome::UpToDate,
        ImageState::Failed(why) => return Outcome::Failed(why.clone()),
        ImageState::New | ImageState::Changed => {}
    }
    progress(SyncEvent::Started { image: i });
    let inner = progress.clone();
    let copy_progress: ProgressFn = Arc::new(move |p| {
        inner(SyncEvent::Copy {
            image: i,
            progress: p,
        })
    });
    let r = copy_one(client, image, opts, copy_progress).await;
    progress(SyncEvent::Done {
        image: i,
        result: r
            .as_ref()
            .map(|r| r.digest.clone())
            .map_err(|e| e.to_string()),
    });
    match r {
        Ok(r) => Outcome::Copied(Box::new(r)),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}
