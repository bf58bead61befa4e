//! The worker: a tokio task that owns the registry [`Client`] and the [`Store`] and runs every
//! slow operation off the UI path. The UI sends [`ToWorker`] messages and receives
//! [`WorkerEvent`]s, each tagged with the [`RequestId`] and [`Slot`] of its request; the app
//! drops a reply whose id is no longer the latest for its slot ([`Requests`]).
//! Every command runs in its own spawned task, so a slow one never delays another, and a
//! cancelled one is aborted (its HTTP requests are dropped mid-flight).

use crate::image::ConfigFile;
use crate::media::{ImageManifest, Parsed};
use crate::ops::{self, Comparison, Inspection, Source};
use crate::ops::{AnnotateOptions, EntrySelector};
use crate::reference::Reference;
use crate::registry::{Client, ClientOptions, RateLimit, Repo};
use crate::store::{Draft, Format, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle};

mod registries;
mod store;

pub(crate) use registries::{default_history_file, default_recent_file, remember};
use registries::{stream_catalog, stream_tags};
use store::{change_store, list_drafts};
#[cfg(test)]
pub(crate) use store::{draft_rows, store_op};

/// Identifies one request. Ids grow; a newer request in a slot supersedes older ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What a request is for. Only the latest request of a slot is listened to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    Registries,
    Catalog,
    Tags,
    Content,
    /// What is inside each platform of the list shown (sizes, layers, created).
    Details,
    /// The in-toto statements of the attestations of the platform shown.
    Statements,
    Compare,
    /// The draft editor: reading the store (`Drafts`) and changing it (`Draft`).
    Drafts,
    Draft,
    /// A push or a copy (the push view follows one at a time).
    Push,
    /// Retagging a tag of the browser.
    Retag,
    /// Working out a delete, then deleting.
    Delete,
    /// Working out a sync's plan (the run is a transfer, in the push slot).
    SyncPlan,
}

/// A command for the worker.
#[derive(Clone, Debug)]
pub enum Command {
    /// Registries from config.json `auths` and from the history file.
    Registries,
    /// Remember a registry in the history file (no reply).
    RememberRegistry(String),
    /// Stream the catalog of a registry page by page.
    Catalog { registry: String, page_size: usize },
    /// Stream the tags of a repository page by page.
    Tags { repo: Repo, page_size: usize },
    /// Inspect a tag or digest: a list's entries, or an image's config and layers.
    Inspect { reference: Reference },
    /// Fetch every entry's manifest and config of the list `list` (concurrently): replies
    /// [`Reply::Details`], one result per entry.
    Details {
        list: Reference,
        entries: Vec<crate::media::Descriptor>,
    },
    /// The in-toto statements of attestation entries of the list `list` (every layer of
    /// every one at once): replies [`Reply::Statements`].
    Statements {
        list: Reference,
        attestations: Vec<crate::media::Descriptor>,
    },
    /// Compare two sources per platform.
    Compare { a: Source, b: Source },
    /// Every local list in the store (replies [`Reply::Drafts`]).
    ListDrafts,
    /// Change the store; replies [`Reply::Drafts`] with the lists afterwards.
    Store(StoreOp),
    /// Push a local list: [`Reply::PushStarted`], [`Reply::Progress`]…, then
    /// [`Reply::Pushed`] or [`Reply::Failed`]. Cancel it through the slot.
    Push { list: Reference, purge: bool },
    /// Copy `src` (a list or an image) to `dst`, all of it or only `platforms`:
    /// [`Reply::CopyStarted`], [`Reply::Progress`]…, then [`Reply::Copied`] or
    /// [`Reply::Failed`]. Runs in the push slot; cancel it through the slot.
    Copy(ops::CopyJob),
    /// Put the manifest `src` names under each of `tags`: [`Reply::Retagged`].
    Retag { src: Reference, tags: Vec<String> },
    /// Resolve a reference to what a delete removes (its digest and every tag pointing at
    /// it): [`Reply::DeletePlan`]. Deletes nothing.
    DeletePlan { reference: Reference },
    /// Delete what a [`Command::DeletePlan`] found: [`Reply::Deleted`].
    Delete { plan: ops::DeletePlan },
    /// Work out what mirroring `source` to `dest` (`REG[/NAMESPACE]`) would do, with each
    /// changed image's per-platform verdicts: [`Reply::SyncPlanned`]. Writes nothing.
    SyncPlan {
        source: ops::SyncSource,
        dest: String,
    },
    /// Run a sync's plan: [`Reply::SyncProgress`]…, then [`Reply::Synced`]. Runs in the
    /// push slot; cancel it through the slot.
    Sync { plan: Arc<ops::SyncPlan> },
}

/// The options a sync's plan is made with and its run uses: exact copies, and the plan's
/// details (per-platform verdicts) for its table.
pub(crate) fn sync_options() -> ops::SyncOptions {
    ops::SyncOptions {
        detail: true,
        ..Default::default()
    }
}

impl Command {
    /// True when the command talks to a registry: the worker hands it the client before it
    /// runs, or answers at once with why there is none.
    pub(crate) fn needs_client(&self) -> bool {
        match self {
            Command::Registries | Command::RememberRegistry(_) | Command::ListDrafts => false,
            Command::Store(op) => op.needs_network(),
            Command::Catalog { .. }
            | Command::Tags { .. }
            | Command::Inspect { .. }
            | Command::Details { .. }
            | Command::Statements { .. }
            | Command::Compare { .. }
            | Command::Push { .. }
            | Command::Copy(_)
            | Command::Retag { .. }
            | Command::DeletePlan { .. }
            | Command::Delete { .. }
            | Command::SyncPlan { .. }
            | Command::Sync { .. } => true,
        }
    }

    /// False for the one command nobody waits on ([`Command::RememberRegistry`]).
    pub(crate) fn replies(&self) -> bool {
        !matches!(self, Command::RememberRegistry(_))
    }
}

/// A change to the local store, run by the worker under the store's lock.
#[derive(Clone, Debug)]
pub enum StoreOp {
    /// An empty list with this target and format.
    New {
        list: Reference,
        format: Format,
    },
    /// Fetch the references (an index expands into its platform entries) and add them.
    AddEntries {
        list: Reference,
        refs: Vec<Reference>,
    },
    /// Fetch an entry again (keeps what the user set while the manifest is unchanged).
    Refresh {
        list: Reference,
        entry: Reference,
    },
    Annotate {
        list: Reference,
        entry: EntrySelector,
        opts: AnnotateOptions,
    },
    RemoveEntry {
        list: Reference,
        entry: EntrySelector,
    },
    /// `None` = docker's rule (the first entry's family).
    SetFormat {
        list: Reference,
        format: Option<Format>,
    },
    /// Change the list's target reference.
    Rename {
        from: Reference,
        to: Reference,
    },
    Delete {
        list: Reference,
    },
}

impl StoreOp {
    /// True when the operation fetches from a registry.
    pub(crate) fn needs_network(&self) -> bool {
        matches!(self, StoreOp::AddEntries { .. } | StoreOp::Refresh { .. })
    }

    /// The list the operation leaves in focus.
    pub(crate) fn focus(&self) -> Option<&Reference> {
        match self {
            StoreOp::New { list, .. }
            | StoreOp::AddEntries { list, .. }
            | StoreOp::Refresh { list, .. }
            | StoreOp::Annotate { list, .. }
            | StoreOp::RemoveEntry { list, .. }
            | StoreOp::SetFormat { list, .. } => Some(list),
            StoreOp::Rename { to, .. } => Some(to),
            StoreOp::Delete { .. } => None,
        }
    }
}

/// One list of the store, or why it could not be read.
#[derive(Clone, Debug)]
pub struct DraftRow {
    pub(crate) dir_name: String,
    pub(crate) draft: Result<Draft, String>,
}

/// A message to the worker (rare and short-lived, so size does not matter).
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum ToWorker {
    Run {
        id: RequestId,
        slot: Slot,
        command: Command,
    },
    /// Abort a running request (no reply is sent for it).
    Cancel(RequestId),
}

/// Where a registry choice came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrySource {
    /// Given on the command line.
    Startup,
    /// A key of config.json's `auths`.
    Config,
    /// Opened before (history file).
    History,
    /// Typed in this session.
    Typed,
}

impl RegistrySource {
    pub(crate) fn label(self) -> &'static str {
        match self {
            RegistrySource::Startup => "command line",
            RegistrySource::Config => "docker config",
            RegistrySource::History => "recent",
            RegistrySource::Typed => "typed",
        }
    }
}

/// What an inspected image looks like, parsed once when the reply arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageDetails {
    pub(crate) manifest: ImageManifest,
    pub(crate) config: Option<ConfigFile>,
}

/// An inspected tag or digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub inspection: Inspection,
    /// For a single image: its manifest (layers) and config.
    pub(crate) image: Option<ImageDetails>,
    /// For a single image: its whole config file (run settings, history) with the manifest.
    pub(crate) inside: Option<Box<crate::image::ImageDetails>>,
    /// What refers to the manifest shown (OCI 1.1 referrers): arrives after the content,
    /// as a second reply of the same request.
    pub(crate) referrers: Option<Result<crate::registry::Referrers, String>>,
}

/// One list entry's details, or why they could not be fetched.
pub type EntryDetails = Result<Box<crate::image::ImageDetails>, String>;

impl Content {
    pub fn new(inspection: Inspection) -> Content {
        let image = if inspection.is_list() {
            None
        } else {
            match inspection.manifest.parse() {
                Ok(Parsed::Image(m)) => Some(ImageDetails {
                    manifest: *m,
                    config: inspection.entries.first().and_then(|e| e.config.clone()),
                }),
                _ => None,
            }
        };
        Content {
            inspection,
            image,
            inside: None,
            referrers: None,
        }
    }
}

/// A reply from the worker.
#[derive(Clone, Debug)]
pub enum Reply {
    Registries(Vec<(String, RegistrySource)>),
    /// One page of repositories; `done` when it was the last.
    CatalogPage {
        repos: Vec<String>,
        done: bool,
    },
    /// The registry does not offer a catalog (or refuses it): why, and the repositories
    /// recently opened on it (most recent first). The user types a repository or picks one.
    CatalogUnavailable {
        reason: String,
        recent: Vec<String>,
    },
    TagsPage {
        tags: Vec<String>,
        done: bool,
    },
    /// The content shown; [`Reply::Referrers`] follows, as the request's last reply.
    Inspected(Box<Content>),
    /// One result per entry of the list, in order.
    Details(Vec<EntryDetails>),
    /// The statements of the attestations asked for, in order.
    Statements(Vec<ops::StatementLayer>),
    /// What refers to the content just sent (the second reply of an `Inspect`).
    Referrers(Result<crate::registry::Referrers, String>),
    Compared(Box<Comparison>),
    /// The store's lists; `focus` is the list a store command was about, `note` what it did.
    Drafts {
        rows: Vec<DraftRow>,
        focus: Option<Reference>,
        note: Option<String>,
    },
    /// A push began: the list as it is being pushed (more events follow).
    PushStarted {
        draft: Box<Draft>,
        purge: bool,
    },
    Pushed(Box<ops::PushReport>),
    /// A copy was worked out (its entries, its target); progress and [`Reply::Copied`] follow.
    CopyStarted(Box<ops::CopyReport>),
    Copied(Box<ops::CopyReport>),
    Retagged(Box<ops::TagReport>),
    DeletePlan(Box<ops::DeletePlan>),
    Deleted(Box<ops::DeletePlan>),
    /// A sync's plan, shared with the run that follows it.
    SyncPlanned(Arc<ops::SyncPlan>),
    /// A step of a sync's run (images by their index in the plan).
    SyncProgress(ops::SyncEvent),
    /// Every image's outcome, in the plan's order.
    Synced(Vec<ops::Outcome>),
    /// Progress of a long operation (push…).
    Progress(ops::Progress),
    /// The request failed; the message says what, where and what to try.
    Failed(String),
    /// Not an answer: the pull quotas registries stated so far (Docker Hub's
    /// `ratelimit-remaining`), sent after a command that talked to a registry.
    RateLimits(Vec<(String, RateLimit)>),
}

/// One reply of one request. The worker, which knows, says which reply is a request's
/// last (`last`): a page before the last page, a push's progress, the content before its
/// referrers are not.
#[derive(Clone, Debug)]
pub struct WorkerEvent {
    pub id: RequestId,
    pub slot: Slot,
    pub reply: Reply,
    /// No more replies follow for this request (but [`Reply::RateLimits`], which is not an
    /// answer).
    pub last: bool,
}

impl WorkerEvent {
    /// The last reply of request `id`.
    pub(crate) fn last(id: RequestId, slot: Slot, reply: Reply) -> WorkerEvent {
        WorkerEvent {
            id,
            slot,
            reply,
            last: true,
        }
    }

    /// A reply of request `id` that more replies follow.
    pub(crate) fn more(id: RequestId, slot: Slot, reply: Reply) -> WorkerEvent {
        WorkerEvent {
            id,
            slot,
            reply,
            last: false,
        }
    }
}

/// Where one request's replies go: [`Out::more`] for a reply more follow, [`Out::end`] for
/// its last one. A command that returns without ending its request gets a `Failed` end
/// (see [`run_command`]), so no request is left waiting for ever.
pub(super) struct Out {
    tx: mpsc::UnboundedSender<WorkerEvent>,
    id: RequestId,
    slot: Slot,
    ended: std::sync::atomic::AtomicBool,
}

impl Out {
    pub(super) fn more(&self, reply: Reply) {
        // The UI may have quit already: nothing to do then.
        let _ = self.tx.send(WorkerEvent::more(self.id, self.slot, reply));
    }

    pub(super) fn end(&self, reply: Reply) {
        self.ended.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.tx.send(WorkerEvent::last(self.id, self.slot, reply));
    }

    /// `more` while `more_follow`, else `end` (a page of a listing).
    pub(super) fn page(&self, reply: Reply, more_follow: bool) {
        if more_follow {
            self.more(reply)
        } else {
            self.end(reply)
        }
    }

    fn ended(&self) -> bool {
        self.ended.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A progress sink that sends each event as a [`Reply::Progress`] of this request.
    fn progress(&self) -> ops::ProgressFn {
        let (tx, id, slot) = (self.tx.clone(), self.id, self.slot);
        Arc::new(move |p| {
            let _ = tx.send(WorkerEvent::more(id, slot, Reply::Progress(p)));
        })
    }
}

/// Hands out request ids and remembers the latest one per slot.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    next: u64,
    latest: HashMap<Slot, RequestId>,
    /// Stale replies dropped so far (for tests and the debug line).
    pub(crate) dropped: u64,
}

impl Requests {
    /// A new id for `slot`; returns the superseded request still in flight, if any.
    pub(crate) fn begin(&mut self, slot: Slot) -> (RequestId, Option<RequestId>) {
        self.next += 1;
        let id = RequestId(self.next);
        (id, self.latest.insert(slot, id))
    }

    /// A fresh id for a command whose reply nobody listens to.
    pub(crate) fn begin_untracked(&mut self) -> (RequestId, Option<RequestId>) {
        self.next += 1;
        (RequestId(self.next), None)
    }

    /// Forget the slot's request (cancelled); returns it when one was in flight.
    pub(crate) fn cancel(&mut self, slot: Slot) -> Option<RequestId> {
        self.latest.remove(&slot)
    }

    /// Should this event be listened to? Counts the ones that should not.
    pub(crate) fn accept(&mut self, ev: &WorkerEvent) -> bool {
        let current = self.latest.get(&ev.slot) == Some(&ev.id);
        if !current {
            self.dropped += 1;
        } else if ev.last {
            self.latest.remove(&ev.slot);
        }
        current
    }
}

/// How the worker is set up.
#[derive(Clone, Debug, Default)]
pub struct WorkerOptions {
    pub client: ClientOptions,
    pub docker_config: Option<PathBuf>,
    /// The recent-registries file; `None` = no history.
    pub history_file: Option<PathBuf>,
    /// The recently opened repositories per registry (`recent.json`); `None` = none kept.
    pub recent_file: Option<PathBuf>,
}

/// The running worker: send with [`Worker::send`], receive from `events`.
pub struct Worker {
    tx: mpsc::UnboundedSender<ToWorker>,
    pub events: mpsc::UnboundedReceiver<WorkerEvent>,
    pub(crate) join: JoinHandle<()>,
}

impl Worker {
    /// Start the worker on the current tokio runtime.
    pub fn spawn(opts: WorkerOptions) -> Worker {
        let (tx, rx) = mpsc::unbounded_channel();
        let (etx, events) = mpsc::unbounded_channel();
        let join = tokio::spawn(worker_loop(opts, rx, etx));
        Worker { tx, events, join }
    }

    /// Send a message; false when the worker has stopped.
    pub fn send(&self, msg: ToWorker) -> bool {
        self.tx.send(msg).is_ok()
    }
}

struct Shared {
    client: Result<Client, String>,
    store: Store,
    docker_config: PathBuf,
    history_file: Option<PathBuf>,
    recent_file: Option<PathBuf>,
}

async fn worker_loop(
    opts: WorkerOptions,
    mut rx: mpsc::UnboundedReceiver<ToWorker>,
    tx: mpsc::UnboundedSender<WorkerEvent>,
) {
    // Test hook for the "a panic anywhere restores the terminal" end-to-end test.
    #[cfg(feature = "panic-hooks")]
    if super::crash::test_panic("worker") {
        super::crash::test_panic_trigger().await;
        panic!("test panic in the worker (MANIFEST_TUI_TEST_PANIC=worker)");
    }
    let docker_config = opts
        .docker_config
        .clone()
        .unwrap_or_else(|| manifest_core::docker_config_dir(None));
    let client_opts = ClientOptions {
        docker_config: opts
            .client
            .docker_config
            .clone()
            .or(opts.docker_config.clone()),
        ..opts.client.clone()
    };
    // Building the client reads certificates from disk: keep it off the async threads.
    let client = tokio::task::spawn_blocking(move || Client::new(client_opts))
        .await
        .map_err(|e| format!("the registry client could not start: {e}"))
        .and_then(|r| r.map_err(|e| format!("the registry client could not start: {e}")));
    let shared = Arc::new(Shared {
        client,
        store: Store::open(Some(&docker_config)),
        docker_config,
        history_file: opts.history_file,
        recent_file: opts.recent_file,
    });
    let mut running: HashMap<RequestId, AbortHandle> = HashMap::new();
    while let Some(msg) = rx.recv().await {
        running.retain(|_, h| !h.is_finished());
        match msg {
            ToWorker::Cancel(id) => {
                if let Some(h) = running.remove(&id) {
                    h.abort();
                }
            }
            ToWorker::Run { id, slot, command } => {
                let shared = shared.clone();
                let tx = tx.clone();
                let handle = tokio::spawn(async move {
                    run_command(&shared, id, slot, command, &tx).await;
                });
                running.insert(id, handle.abort_handle());
            }
        }
    }
    for h in running.values() {
        h.abort();
    }
}

async fn run_command(
    shared: &Shared,
    id: RequestId,
    slot: Slot,
    command: Command,
    tx: &mpsc::UnboundedSender<WorkerEvent>,
) {
    // Test hook for "a panic in an operation restores the terminal".
    #[cfg(feature = "panic-hooks")]
    if super::crash::test_panic("operation") {
        super::crash::test_panic_trigger().await;
        panic!("test panic in an operation (MANIFEST_TUI_TEST_PANIC=operation)");
    }
    let out = Out {
        tx: tx.clone(),
        id,
        slot,
        ended: Default::default(),
    };
    let replies = command.replies();
    let client = match (command.needs_client(), &shared.client) {
        (false, _) => None,
        (true, Ok(c)) => Some(c),
        (true, Err(e)) => return out.end(Reply::Failed(e.clone())),
    };
    run(shared, command, client, &out).await;
    if replies && !out.ended() {
        out.end(Reply::Failed(
            "the worker finished this request without an answer (a bug: please report it)".into(),
        ));
    }
    if let Some(c) = client {
        let quotas = c.rate_limits();
        if !quotas.is_empty() {
            out.more(Reply::RateLimits(quotas));
        }
    }
}

/// Carry out one command; `client` is set for every command that [`Command::needs_client`].
async fn run(shared: &Shared, command: Command, client: Option<&Client>, out: &Out) {
    let recent = shared.recent_file.as_deref();
    match (command, client) {
        (Command::Registries, _) => out.end(Reply::Registries(registries::offered(shared).await)),
        (Command::RememberRegistry(host), _) => {
            if let Some(hf) = shared.history_file.clone() {
                let _ = tokio::task::spawn_blocking(move || remember(&hf, &host)).await;
            }
        }
        (Command::ListDrafts, _) => out.end(list_drafts(&shared.store).await),
        (Command::Store(op), client) => {
            if let Some(reply) = change_store(shared, client, op).await {
                out.end(reply)
            }
        }
        (
            Command::Catalog {
                registry,
                page_size,
            },
            Some(client),
        ) => stream_catalog(client, &registry, page_size, recent, out).await,
        (Command::Tags { repo, page_size }, Some(client)) => {
            stream_tags(client, &repo, page_size, recent, out).await
        }
        (Command::Inspect { reference }, Some(client)) => {
            let Some(content) = inspect(client, &reference, out).await else {
                return;
            };
            let subject = content.inspection.manifest.digest.clone();
            out.more(Reply::Inspected(content));
            // Then what refers to it: the content is on screen already.
            let repo = Repo::of(&reference);
            let r = client.referrers(&repo, &subject).await;
            out.end(Reply::Referrers(r.map_err(|e| e.to_string())));
        }
        (Command::Details { list, entries }, Some(client)) => {
            let got = ops::list_details(client, &list, &entries).await;
            out.end(Reply::Details(
                got.into_iter()
                    .map(|r| r.map(Box::new).map_err(|e| e.to_string()))
                    .collect(),
            ))
        }
        (Command::Statements { list, attestations }, Some(client)) => {
            let got = futures_util::future::join_all(
                attestations
                    .iter()
                    .map(|a| ops::statements(client, &list, a)),
            )
            .await;
            out.end(match got.into_iter().collect::<Result<Vec<_>, _>>() {
                Ok(v) => Reply::Statements(v.into_iter().flatten().collect()),
                Err(e) => Reply::Failed(e.to_string()),
            })
        }
        (Command::Compare { a, b }, Some(client)) => {
            out.end(compare(client, &shared.store, &a, &b).await)
        }
        (Command::Push { list, purge }, Some(client)) => {
            push(client, &shared.store, list, purge, out).await
        }
        (Command::Copy(job), Some(client)) => copy(client, &job, out).await,
        (Command::Retag { src, tags }, Some(client)) => {
            out.end(match ops::tag(client, &src, &tags).await {
                Ok(r) => Reply::Retagged(Box::new(r)),
                Err(e) => Reply::Failed(e.to_string()),
            })
        }
        (Command::DeletePlan { reference }, Some(client)) => {
            out.end(match ops::delete_plan(client, &reference).await {
                Ok(p) => Reply::DeletePlan(Box::new(p)),
                Err(e) => Reply::Failed(e.to_string()),
            })
        }
        (Command::Delete { plan }, Some(client)) => {
            out.end(match ops::delete(client, &plan).await {
                Ok(()) => Reply::Deleted(Box::new(plan)),
                Err(e) => Reply::Failed(e.to_string()),
            })
        }
        (Command::SyncPlan { source, dest }, Some(client)) => {
            let opts = sync_options();
            let plan = ops::plan_sync(client, &shared.store, &source, &dest, &opts).await;
            out.end(Reply::SyncPlanned(Arc::new(plan)))
        }
        (Command::Sync { plan }, Some(client)) => {
            let (tx, id, slot) = (out.tx.clone(), out.id, out.slot);
            let progress: ops::SyncProgressFn = Arc::new(move |e| {
                let _ = tx.send(WorkerEvent::more(id, slot, Reply::SyncProgress(e)));
            });
            let outcomes = ops::run_sync(client, &plan, &sync_options(), progress).await;
            out.end(Reply::Synced(outcomes))
        }
        // `run_command` hands a client to every command that needs one; this ends the
        // request, were that ever broken, instead of leaving it waiting.
        (_, None) => {}
    }
}

/// Copy: the plan first (the push view shows its entries), then the progress, then the
/// report.
async fn copy(client: &Client, job: &ops::CopyJob, out: &Out) {
    let plan = match ops::plan_copy(client, job).await {
        Ok(p) => p,
        Err(e) => return out.end(Reply::Failed(e.to_string())),
    };
    out.more(Reply::CopyStarted(Box::new(plan.report.clone())));
    out.end(match ops::run_copy(client, &plan, out.progress()).await {
        Ok(r) => Reply::Copied(Box::new(r)),
        Err(e) => Reply::Failed(e.to_string()),
    })
}

/// A list's entries, or an image's config file and layers (the same two round trips as
/// the manifest and its config). A failure ends the request.
async fn inspect(client: &Client, reference: &Reference, out: &Out) -> Option<Box<Content>> {
    match inspect_content(client, reference).await {
        Ok(c) => Some(Box::new(c)),
        Err(e) => {
            out.end(Reply::Failed(e));
            None
        }
    }
}

async fn inspect_content(client: &Client, reference: &Reference) -> Result<Content, String> {
    let opts = ops::InspectOptions {
        children: false,
        configs: false,
    };
    let mut ins = ops::inspect(client, reference, opts, ops::no_progress())
        .await
        .map_err(|e| e.to_string())?;
    if ins.is_list() {
        return Ok(Content::new(ins));
    }
    let details = ops::image_details(client, &ins.reference, Some(ins.manifest.clone()))
        .await
        .map_err(|e| e.to_string())?;
    if let Some(e) = ins.entries.first_mut() {
        // The config as `image_details` read it: parsed once.
        e.descriptor.platform = Some(details.config.platform());
        e.config = Some(details.config.clone());
    }
    let mut c = Content::new(ins);
    c.inside = Some(Box::new(details));
    Ok(c)
}

async fn compare(client: &Client, store: &Store, a: &Source, b: &Source) -> Reply {
    match ops::diff(client, store, a, b).await {
        Ok(c) => Reply::Compared(Box::new(c)),
        Err(e) => Reply::Failed(format!(
            "comparing {} with {} failed: {e}",
            a.label(),
            b.label()
        )),
    }
}

/// Push a local list: the list as read first (the push pane shows its entries), then the
/// progress, then the report.
async fn push(client: &Client, store: &Store, list: Reference, purge: bool, out: &Out) {
    let s = store.clone();
    let l = list.clone();
    match tokio::task::spawn_blocking(move || s.load(&l)).await {
        Ok(Ok(d)) => out.more(Reply::PushStarted {
            draft: Box::new(d),
            purge,
        }),
        Ok(Err(e)) => return out.end(Reply::Failed(e.to_string())),
        Err(e) => return out.end(Reply::Failed(format!("reading {list} failed: {e}"))),
    }
    let opts = ops::PushOptions {
        purge,
        ..Default::default()
    };
    out.end(
        match ops::push(client, store, &list, opts, out.progress()).await {
            Ok(r) => Reply::Pushed(Box::new(r)),
            Err(e) => Reply::Failed(e.to_string()),
        },
    )
}
