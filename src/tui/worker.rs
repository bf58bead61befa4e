//! The worker: a tokio task that owns the registry [`Client`] and the [`Store`] and runs every
//! slow operation off the UI path. The UI sends [`ToWorker`] messages and receives
//! [`WorkerEvent`]s, each tagged with the [`RequestId`] and [`Slot`] of its request; the app
//! drops a reply whose id is no longer the latest for its slot ([`Requests`]).
//! Every command runs in its own spawned task, so a slow one never delays another, and a
//! cancelled one is aborted (its HTTP requests are dropped mid-flight).

use crate::media::{ImageConfig, ImageManifest, Parsed};
use crate::ops::{self, Comparison, Inspection, Source};
use crate::ops::{AnnotateOptions, EntrySelector};
use crate::reference::Reference;
use crate::registry::error::ErrorKind;
use crate::registry::{Client, ClientOptions, RegistryError, Repo};
use crate::store::{Draft, Format, Store, StoreError};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle};

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
    Compare,
    /// The draft editor: reading the store (`Drafts`) and changing it (`Draft`).
    Drafts,
    Draft,
    Push,
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
    /// Compare two sources per platform.
    Compare { a: Source, b: Source },
    /// Every local list in the store (replies [`Reply::Drafts`]).
    ListDrafts,
    /// Change the store; replies [`Reply::Drafts`] with the lists afterwards.
    Store(StoreOp),
    /// Push a local list: [`Reply::PushStarted`], [`Reply::Progress`]…, then
    /// [`Reply::Pushed`] or [`Reply::Failed`]. Cancel it through the slot.
    Push { list: Reference, purge: bool },
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
    pub fn needs_network(&self) -> bool {
        matches!(self, StoreOp::AddEntries { .. } | StoreOp::Refresh { .. })
    }

    /// The list the operation leaves in focus.
    pub fn focus(&self) -> Option<&Reference> {
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
    pub dir_name: String,
    pub draft: Result<Draft, String>,
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
    pub fn label(self) -> &'static str {
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
    pub manifest: ImageManifest,
    pub config: Option<ImageConfig>,
}

/// An inspected tag or digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub inspection: Inspection,
    /// For a single image: its manifest (layers) and config.
    pub image: Option<ImageDetails>,
}

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
        Content { inspection, image }
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
    /// The registry does not offer a catalog (or refuses it): type a repository instead.
    CatalogUnavailable(String),
    TagsPage {
        tags: Vec<String>,
        done: bool,
    },
    Inspected(Box<Content>),
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
    /// Progress of a long operation (push…).
    Progress(ops::Progress),
    /// The request failed; the message says what, where and what to try.
    Failed(String),
}

impl Reply {
    /// True when no more events follow for this request.
    pub fn is_final(&self) -> bool {
        match self {
            Reply::CatalogPage { done, .. } | Reply::TagsPage { done, .. } => *done,
            Reply::Progress(_) | Reply::PushStarted { .. } => false,
            _ => true,
        }
    }
}

#[derive(Clone, Debug)]
pub struct WorkerEvent {
    pub id: RequestId,
    pub slot: Slot,
    pub reply: Reply,
}

/// Hands out request ids and remembers the latest one per slot.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    next: u64,
    latest: HashMap<Slot, RequestId>,
    /// Stale replies dropped so far (for tests and the debug line).
    pub dropped: u64,
}

impl Requests {
    /// A new id for `slot`; returns the superseded request still in flight, if any.
    pub fn begin(&mut self, slot: Slot) -> (RequestId, Option<RequestId>) {
        self.next += 1;
        let id = RequestId(self.next);
        (id, self.latest.insert(slot, id))
    }

    /// A fresh id for a command whose reply nobody listens to.
    pub fn begin_untracked(&mut self) -> (RequestId, Option<RequestId>) {
        self.next += 1;
        (RequestId(self.next), None)
    }

    /// Forget the slot's request (cancelled); returns it when one was in flight.
    pub fn cancel(&mut self, slot: Slot) -> Option<RequestId> {
        self.latest.remove(&slot)
    }

    pub fn in_flight(&self, slot: Slot) -> bool {
        self.latest.contains_key(&slot)
    }

    /// Should this event be listened to? Counts the ones that should not.
    pub fn accept(&mut self, ev: &WorkerEvent) -> bool {
        let current = self.latest.get(&ev.slot) == Some(&ev.id);
        if !current {
            self.dropped += 1;
        } else if ev.reply.is_final() {
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
}

/// The running worker: send with [`Worker::send`], receive from `events`.
pub struct Worker {
    tx: mpsc::UnboundedSender<ToWorker>,
    pub events: mpsc::UnboundedReceiver<WorkerEvent>,
    pub join: JoinHandle<()>,
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

/// The default history file: `$XDG_STATE_HOME/manifest-tui/registries` or
/// `~/.local/state/manifest-tui/registries`.
pub fn default_history_file() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("manifest-tui/registries"));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|h| PathBuf::from(h).join(".local/state/manifest-tui/registries"))
}

struct Shared {
    client: Result<Client, String>,
    store: Store,
    docker_config: PathBuf,
    history_file: Option<PathBuf>,
}

async fn worker_loop(
    opts: WorkerOptions,
    mut rx: mpsc::UnboundedReceiver<ToWorker>,
    tx: mpsc::UnboundedSender<WorkerEvent>,
) {
    // Test hook for the "a panic anywhere restores the terminal" end-to-end test.
    if std::env::var_os("MANIFEST_TUI_TEST_PANIC").is_some_and(|v| v == "worker") {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        panic!("test panic in the worker (MANIFEST_TUI_TEST_PANIC=worker)");
    }
    let docker_config = opts
        .docker_config
        .clone()
        .unwrap_or_else(crate::store::docker_config_dir);
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
    let send = |reply: Reply| {
        // The UI may have quit already: nothing to do then.
        let _ = tx.send(WorkerEvent { id, slot, reply });
    };
    let client = match (&command, &shared.client) {
        (Command::Registries | Command::RememberRegistry(_) | Command::ListDrafts, _) => None,
        (Command::Store(op), _) if !op.needs_network() => None,
        (_, Ok(c)) => Some(c),
        (_, Err(e)) => {
            send(Reply::Failed(e.clone()));
            return;
        }
    };
    match command {
        Command::Registries => {
            let dc = shared.docker_config.clone();
            let hf = shared.history_file.clone();
            let list = tokio::task::spawn_blocking(move || known_registries(&dc, hf.as_deref()))
                .await
                .unwrap_or_default();
            send(Reply::Registries(list));
        }
        Command::RememberRegistry(host) => {
            if let Some(hf) = shared.history_file.clone() {
                let _ = tokio::task::spawn_blocking(move || remember(&hf, &host)).await;
            }
        }
        Command::Catalog {
            registry,
            page_size,
        } => {
            let Some(client) = client else { return };
            let mut pager = crate::registry::Pager::default();
            loop {
                match client
                    .catalog_page(&registry, page_size, pager.next())
                    .await
                {
                    Ok((repos, next)) => {
                        let empty = repos.is_empty();
                        let more = pager.advance(next) && !empty;
                        send(Reply::CatalogPage { repos, done: !more });
                        if !more {
                            break;
                        }
                    }
                    Err(e) if pager.next().is_none() && catalog_refused(&e) => {
                        send(Reply::CatalogUnavailable(format!(
                            "{registry} does not list its repositories ({e}). Type a repository name instead."
                        )));
                        break;
                    }
                    Err(e) => {
                        send(Reply::Failed(format!(
                            "listing the repositories of {registry} failed: {e}"
                        )));
                        break;
                    }
                }
            }
        }
        Command::Tags { repo, page_size } => {
            let Some(client) = client else { return };
            let mut pager = crate::registry::Pager::default();
            loop {
                match client.tags_page(&repo, page_size, pager.next()).await {
                    Ok((tags, next)) => {
                        let empty = tags.is_empty();
                        let more = pager.advance(next) && !empty;
                        send(Reply::TagsPage { tags, done: !more });
                        if !more {
                            break;
                        }
                    }
                    Err(e) => {
                        send(Reply::Failed(format!(
                            "listing the tags of {repo} failed: {e}"
                        )));
                        break;
                    }
                }
            }
        }
        Command::Inspect { reference } => {
            let Some(client) = client else { return };
            let opts = ops::InspectOptions {
                children: false,
                configs: true,
            };
            match ops::inspect(client, &reference, opts, ops::no_progress()).await {
                Ok(ins) => send(Reply::Inspected(Box::new(Content::new(ins)))),
                Err(e) => send(Reply::Failed(e.to_string())),
            }
        }
        Command::Compare { a, b } => {
            let Some(client) = client else { return };
            match ops::diff(client, &shared.store, &a, &b).await {
                Ok(c) => send(Reply::Compared(Box::new(c))),
                Err(e) => send(Reply::Failed(format!(
                    "comparing {} with {} failed: {e}",
                    a.label(),
                    b.label()
                ))),
            }
        }
        Command::ListDrafts => {
            let store = shared.store.clone();
            match tokio::task::spawn_blocking(move || draft_rows(&store)).await {
                Ok(Ok(rows)) => send(Reply::Drafts {
                    rows,
                    focus: None,
                    note: None,
                }),
                Ok(Err(e)) => send(Reply::Failed(e)),
                Err(e) => send(Reply::Failed(format!(
                    "reading the local lists failed: {e}"
                ))),
            }
        }
        Command::Store(op) => {
            let focus = op.focus().cloned();
            let result = match (&op, client) {
                (StoreOp::AddEntries { list, refs }, Some(client)) => {
                    add_entries(client, &shared.store, list, refs).await
                }
                (StoreOp::Refresh { list, entry }, Some(client)) => {
                    add_entries(client, &shared.store, list, std::slice::from_ref(entry))
                        .await
                        .map(|_| format!("refreshed {entry} from the registry"))
                }
                (_, _) if op.needs_network() => return,
                _ => {
                    let store = shared.store.clone();
                    tokio::task::spawn_blocking(move || store_op(&store, op))
                        .await
                        .unwrap_or_else(|e| Err(format!("the store operation failed: {e}")))
                }
            };
            let store = shared.store.clone();
            let rows = tokio::task::spawn_blocking(move || draft_rows(&store))
                .await
                .unwrap_or_else(|e| Err(format!("reading the local lists failed: {e}")));
            match (result, rows) {
                (Ok(note), Ok(rows)) => send(Reply::Drafts {
                    rows,
                    focus,
                    note: Some(note),
                }),
                (Err(e), _) | (Ok(_), Err(e)) => send(Reply::Failed(e)),
            }
        }
        Command::Push { list, purge } => {
            let Some(client) = client else { return };
            let store = shared.store.clone();
            let l = list.clone();
            match tokio::task::spawn_blocking(move || store.load(&l)).await {
                Ok(Ok(d)) => send(Reply::PushStarted {
                    draft: Box::new(d),
                    purge,
                }),
                Ok(Err(e)) => return send(Reply::Failed(e.to_string())),
                Err(e) => return send(Reply::Failed(format!("reading {list} failed: {e}"))),
            }
            let ptx = tx.clone();
            let progress: ops::ProgressFn = Arc::new(move |p| {
                let _ = ptx.send(WorkerEvent {
                    id,
                    slot,
                    reply: Reply::Progress(p),
                });
            });
            let opts = ops::PushOptions {
                purge,
                ..Default::default()
            };
            match ops::push(client, &shared.store, &list, opts, progress).await {
                Ok(r) => send(Reply::Pushed(Box::new(r))),
                Err(e) => send(Reply::Failed(e.to_string())),
            }
        }
    }
}

/// Every list of the store as editor rows.
pub fn draft_rows(store: &Store) -> Result<Vec<DraftRow>, String> {
    let lists = store
        .lists()
        .map_err(|e| format!("reading the local lists failed: {e}"))?;
    Ok(lists
        .into_iter()
        .map(|l| {
            let draft = l.draft.map_err(|e| e.to_string()).map(|mut d| {
                if let Some(r) = tagged_list_ref(&l.dir_name) {
                    d.list = r;
                }
                d
            });
            DraftRow {
                dir_name: l.dir_name,
                draft,
            }
        })
        .collect())
}

/// The store's directory names are lossy (`:` and `-` both become `-`). A list always has a
/// tag, so prefer the reading with a tag (and a port, when one fits) that maps back to the
/// same directory: `127.0.0.1-5000_app-v1` is `127.0.0.1:5000/app:v1`, not the untagged
/// `127.0.0.1-5000/app-v1`.
pub fn tagged_list_ref(dir_name: &str) -> Option<Reference> {
    if dir_name.contains('@') {
        return None;
    }
    let slash = dir_name.replace('_', "/");
    let dashes: Vec<usize> = slash.match_indices('-').map(|(i, _)| i).collect();
    let first_end = slash.find('/').unwrap_or(slash.len());
    let mut with_port = Vec::new();
    let mut tag_only = Vec::new();
    for &t in dashes.iter().rev().filter(|&&t| t > first_end) {
        let mut c = slash.clone();
        c.replace_range(t..t + 1, ":");
        for &p in dashes.iter().filter(|&&p| p < first_end) {
            let mut c2 = c.clone();
            c2.replace_range(p..p + 1, ":");
            with_port.push(c2);
        }
        tag_only.push(c);
    }
    with_port
        .into_iter()
        .chain(tag_only)
        .filter_map(|c| Reference::parse(&c).ok())
        .find(|r| r.tag.is_some() && r.store_name() == dir_name)
}

/// `create --amend LIST REFS...`; the note says what was added.
async fn add_entries(
    client: &Client,
    store: &Store,
    list: &Reference,
    refs: &[Reference],
) -> Result<String, String> {
    let opts = ops::CreateOptions {
        amend: true,
        ..Default::default()
    };
    let r = ops::create(client, store, list, refs, opts, ops::no_progress())
        .await
        .map_err(|e| e.to_string())?;
    let mut note = format!(
        "{} entr{} added to {}",
        r.added.len(),
        if r.added.len() == 1 { "y" } else { "ies" },
        r.list
    );
    if !r.skipped.is_empty() {
        note.push_str(&format!(" ({} attestations left out)", r.skipped.len()));
    }
    Ok(note)
}

/// A store change that needs no network; the note says what was done.
pub fn store_op(store: &Store, op: StoreOp) -> Result<String, String> {
    use crate::store::ListMeta;
    let err = |e: ops::OpError| e.to_string();
    match op {
        StoreOp::New { list, format } => {
            let list = list.with_default_tag();
            if list.digest.is_some() {
                return Err(format!(
                    "{list}: a list is pushed under a tag, not a digest; name it like {}:TAG",
                    list.name()
                ));
            }
            if store.exists(&list) {
                return Err(format!(
                    "{list} already exists locally; pick it in the list, or choose another name"
                ));
            }
            store
                .update(&list, |cur| {
                    if cur.is_some() {
                        return Err(ops::OpError::Invalid(format!(
                            "{list} already exists locally"
                        )));
                    }
                    let draft = Draft {
                        list: list.clone(),
                        entries: Vec::new(),
                        meta: ListMeta {
                            format: Some(format),
                            ..Default::default()
                        },
                    };
                    Ok((draft, ()))
                })
                .map_err(err)?;
            Ok(format!("created {list}; add entries with a"))
        }
        StoreOp::Annotate { list, entry, opts } => {
            let e = ops::annotate(store, &list, &entry, &opts).map_err(err)?;
            Ok(format!(
                "saved {} ({})",
                e.reference,
                e.platform().display()
            ))
        }
        StoreOp::RemoveEntry { list, entry } => {
            let e = ops::remove_entry(store, &list, &entry).map_err(err)?;
            Ok(format!("removed {} from {list}", e.reference))
        }
        StoreOp::SetFormat { list, format } => {
            store
                .update(&list, |cur| {
                    let mut d = cur.ok_or_else(|| StoreError::NoSuchList(list.to_string()))?;
                    d.meta.format = format;
                    Ok::<_, StoreError>((d, ()))
                })
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "{list} will be pushed as {}",
                match format {
                    Some(Format::Oci) => "an OCI index",
                    Some(Format::Docker) => "a Docker manifest list",
                    None => "docker's choice (the first entry's family)",
                }
            ))
        }
        StoreOp::Rename { from, to } => {
            let to = to.with_default_tag();
            if to.digest.is_some() {
                return Err(format!("{to}: a list is pushed under a tag, not a digest"));
            }
            if to == from {
                return Ok(format!("{to} unchanged"));
            }
            if store.exists(&to) {
                return Err(format!(
                    "{to} already exists locally; delete it first or choose another name"
                ));
            }
            let draft = store.load(&from).map_err(|e| e.to_string())?;
            store
                .update(&to, |cur| {
                    if cur.is_some() {
                        return Err(StoreError::Corrupt {
                            path: store.list_dir(&to),
                            reason: "it appeared while renaming".into(),
                        });
                    }
                    Ok((
                        Draft {
                            list: to.clone(),
                            ..draft
                        },
                        (),
                    ))
                })
                .map_err(|e| e.to_string())?;
            store.remove(&from).map_err(|e| {
                format!("{to} was written, but removing the old {from} failed: {e}")
            })?;
            Ok(format!("renamed {from} to {to}"))
        }
        StoreOp::Delete { list } => {
            store.remove(&list).map_err(|e| e.to_string())?;
            Ok(format!("deleted the local list {list}"))
        }
        StoreOp::AddEntries { .. } | StoreOp::Refresh { .. } => {
            Err("adding entries needs the registry client".to_string())
        }
    }
}

/// A catalog the registry will not give us (Docker Hub, disabled, no permission).
pub fn catalog_refused(e: &RegistryError) -> bool {
    match &e.kind {
        ErrorKind::Api { status, .. } => matches!(status, 401 | 403 | 404 | 405),
        ErrorKind::Auth { .. } => true,
        _ => false,
    }
}

/// A registry host as the user typed it (`--registry`, the registry prompt), normalised, and
/// refused unless the reference parser takes it as a domain on its own (a port outside
/// 1-65535, `_` in a name …).
pub fn registry_host(s: &str) -> Result<String, String> {
    let host = normalize_registry(s);
    match Reference::parse(&format!("{host}/x")) {
        Ok(r) if r.domain == host => Ok(host),
        Err(e) if e.kind == crate::reference::ReferenceErrorKind::InvalidFormat => {
            Err(format!("{s:?} is not a registry host: {}", e.reason()))
        }
        _ => Err(format!(
            "{s:?} is not a registry host; expected host[:port], e.g. 127.0.0.1:5000"
        )),
    }
}

/// `https://index.docker.io/v1/` → `docker.io`, `http://host:5000/` → `host:5000`.
pub fn normalize_registry(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let host = s.split('/').next().unwrap_or(s).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => host,
    }
}

/// Registries from config.json's `auths` keys and the history file (history first), each once.
pub fn known_registries(
    docker_config: &std::path::Path,
    history: Option<&std::path::Path>,
) -> Vec<(String, RegistrySource)> {
    let mut out: Vec<(String, RegistrySource)> = Vec::new();
    let mut push = |h: String, src| {
        if !h.is_empty() && !out.iter().any(|(x, _)| *x == h) {
            out.push((h, src));
        }
    };
    if let Some(text) = history.and_then(|h| std::fs::read_to_string(h).ok()) {
        for line in text.lines() {
            push(normalize_registry(line), RegistrySource::History);
        }
    }
    if let Ok(bytes) = std::fs::read(docker_config.join("config.json")) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            if let Some(auths) = v.get("auths").and_then(|a| a.as_object()) {
                let mut keys: Vec<String> = auths.keys().map(|k| normalize_registry(k)).collect();
                keys.sort();
                for k in keys {
                    push(k, RegistrySource::Config);
                }
            }
        }
    }
    out
}

/// Put `host` first in the history file (at most 20 entries), written atomically.
pub fn remember(file: &std::path::Path, host: &str) -> std::io::Result<()> {
    let host = normalize_registry(host);
    let old = std::fs::read_to_string(file).unwrap_or_default();
    let mut lines = vec![host.clone()];
    lines.extend(
        old.lines()
            .map(normalize_registry)
            .filter(|l| !l.is_empty() && *l != host)
            .take(19),
    );
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, lines.join("\n") + "\n")?;
    std::fs::rename(&tmp, file)
}
