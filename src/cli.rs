//! The headless CLI: docker manifest's commands, flag for flag, plus what docker lacks.
//! A thin layer: parse, call an operation, render its result.

use crate::ops::{
    self, render, AnnotateOptions, CreateOptions, EntrySelector, OpError, PushOptions, Source,
};
use crate::reference::Reference;
use crate::registry::{Client, ClientOptions};
use crate::store::{Format, Store};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write as _;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "manifest-tui",
    version,
    about = "Build, annotate, push and compare multi-arch manifest lists — a TUI, and docker manifest's CLI",
    long_about = "Run with no command to open the terminal UI. The commands mirror `docker manifest` flag for flag \
(inspect, create, annotate, push, rm) and add ls, remove and diff. Local lists live in docker's own store \
($DOCKER_CONFIG/manifests), so docker and manifest-tui share them.",
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  manifest-tui                                  open the TUI\n  manifest-tui --registry 127.0.0.1:5000        open the TUI at a registry\n  manifest-tui inspect --format table alpine    per-platform digests of a list\n  manifest-tui diff myapp:v1 myapp:v2           which architectures changed"
)]
pub struct Cli {
    /// Open the TUI's browser at this registry (host[:port]).
    #[arg(long, value_name = "HOST")]
    pub registry: Option<String>,
    /// Allow plain HTTP / unverified TLS for the registries the TUI talks to.
    #[arg(long)]
    pub insecure: bool,
    /// Key bindings file for the TUI (default: ~/.config/manifest-tui/keys.conf)
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<std::path::PathBuf>,
    /// Open the TUI at this list or image.
    #[arg(value_name = "REF")]
    pub reference: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Display an image manifest, or manifest list
    #[command(
        after_help = "Examples:\n  manifest-tui inspect alpine:3.20\n  manifest-tui inspect -v 127.0.0.1:5000/app:v1\n  manifest-tui inspect --format table 127.0.0.1:5000/app:v1\n  manifest-tui inspect LOCAL_LIST ENTRY_REF      (reads the local store)"
    )]
    Inspect {
        /// Allow communication with an insecure registry
        #[arg(long)]
        insecure: bool,
        /// Output additional info including layers and platform
        #[arg(short, long)]
        verbose: bool,
        /// Output format: json (docker's shapes) or table (digest per platform)
        #[arg(long, value_enum, default_value_t = InspectFormat::Json)]
        format: InspectFormat,
        /// [MANIFEST_LIST] MANIFEST
        #[arg(required = true, num_args = 1..=2, value_name = "REF")]
        refs: Vec<String>,
    },
    /// Create a local manifest list for annotating and pushing to a registry
    #[command(
        after_help = "Examples:\n  manifest-tui create 127.0.0.1:5000/app:v1 127.0.0.1:5000/app-amd64:v1 127.0.0.1:5000/app-arm64:v1\n  manifest-tui create --amend 127.0.0.1:5000/app:v1 127.0.0.1:5000/app-s390x:v1\n  manifest-tui create --format oci 127.0.0.1:5000/app:v1 docker.io/library/alpine:3.20   (an index is expanded)"
    )]
    Create {
        /// Amend an existing manifest list
        #[arg(short, long)]
        amend: bool,
        /// Allow communication with an insecure registry
        #[arg(long)]
        insecure: bool,
        /// Push the list as a Docker manifest list or an OCI index (default: the first entry's family)
        #[arg(long, value_enum)]
        format: Option<ListFormat>,
        /// Keep attestation entries (unknown/unknown) when expanding an index
        #[arg(long)]
        include_attestations: bool,
        /// Allow two entries with the same platform
        #[arg(long)]
        allow_duplicates: bool,
        #[arg(value_name = "MANIFEST_LIST")]
        list: String,
        #[arg(required = true, value_name = "MANIFEST")]
        images: Vec<String>,
    },
    /// Add additional information to a local image manifest
    #[command(
        after_help = "Examples:\n  manifest-tui annotate 127.0.0.1:5000/app:v1 127.0.0.1:5000/app-arm:v1 --arch arm --variant v7\n  manifest-tui annotate --os-features sse4 LIST linux/amd64\n  manifest-tui annotate --annotation org.opencontainers.image.source=https://x LIST sha256:abc1234"
    )]
    Annotate {
        /// Set architecture
        #[arg(long)]
        arch: Option<String>,
        /// Set operating system
        #[arg(long)]
        os: Option<String>,
        /// Set operating system version
        #[arg(long = "os-version")]
        os_version: Option<String>,
        /// Set operating system feature (appends, as docker does)
        #[arg(long = "os-features", value_delimiter = ',')]
        os_features: Vec<String>,
        /// Set architecture variant
        #[arg(long)]
        variant: Option<String>,
        /// Set an annotation KEY=VALUE (OCI index only; an empty VALUE removes KEY)
        #[arg(long = "annotation", value_name = "KEY=VALUE")]
        annotations: Vec<String>,
        #[arg(value_name = "MANIFEST_LIST")]
        list: String,
        /// The entry: its image reference, digest (prefix) or platform (os/arch[/variant])
        #[arg(value_name = "MANIFEST")]
        entry: String,
    },
    /// Push a manifest list to a repository
    #[command(
        after_help = "Examples:\n  manifest-tui push 127.0.0.1:5000/app:v1\n  manifest-tui push --purge 127.0.0.1:5000/app:v1"
    )]
    Push {
        /// Allow push to an insecure registry
        #[arg(long)]
        insecure: bool,
        /// Remove the local manifest list after push
        #[arg(short, long)]
        purge: bool,
        /// Allow two entries with the same platform
        #[arg(long)]
        allow_duplicates: bool,
        #[arg(value_name = "MANIFEST_LIST")]
        list: String,
    },
    /// Delete one or more manifest lists from local storage
    #[command(
        after_help = "Example:\n  manifest-tui rm 127.0.0.1:5000/app:v1 127.0.0.1:5000/app:v2"
    )]
    Rm {
        #[arg(required = true, value_name = "MANIFEST_LIST")]
        lists: Vec<String>,
    },
    /// List local manifest lists with their entry count and target format
    #[command(after_help = "Example:\n  manifest-tui ls")]
    Ls,
    /// Remove one entry from a local list (by reference, digest or platform)
    #[command(
        after_help = "Examples:\n  manifest-tui remove 127.0.0.1:5000/app:v1 linux/s390x\n  manifest-tui remove 127.0.0.1:5000/app:v1 sha256:0123abc"
    )]
    Remove {
        #[arg(value_name = "MANIFEST_LIST")]
        list: String,
        #[arg(value_name = "REF|DIGEST|PLATFORM")]
        entry: String,
    },
    /// Compare two lists or images per platform (exit 0 when identical, 1 when not)
    #[command(
        after_help = "Examples:\n  manifest-tui diff 127.0.0.1:5000/app:v1 127.0.0.1:5000/app:v2\n  manifest-tui diff --local-a 127.0.0.1:5000/app:next 127.0.0.1:5000/app:v2   (a local draft against a pushed list)"
    )]
    Diff {
        /// Allow communication with an insecure registry
        #[arg(long)]
        insecure: bool,
        /// Read A from the local store instead of the registry
        #[arg(long)]
        local_a: bool,
        /// Read B from the local store instead of the registry
        #[arg(long)]
        local_b: bool,
        #[arg(value_name = "REF_A")]
        a: String,
        #[arg(value_name = "REF_B")]
        b: String,
    },
    /// List a repository's tags, one a line, every page of the registry's listing followed
    #[command(
        after_help = "Examples:\n  manifest-tui tags 127.0.0.1:5000/samples/app\n  manifest-tui tags --format json quay.io/org/app | jq -r '.tags[]'"
    )]
    Tags {
        /// Allow communication with an insecure registry
        #[arg(long)]
        insecure: bool,
        /// Output format: text (one tag a line) or json ({"name": REPO, "tags": [...]})
        #[arg(long, value_enum, default_value_t = NamesFormat::Text)]
        format: NamesFormat,
        /// The repository (host/path, without a tag)
        #[arg(value_name = "REPO")]
        repo: String,
    },
    /// List the repositories of a registry (its catalog), one a line, every page followed
    #[command(
        after_help = "Examples:\n  manifest-tui catalog 127.0.0.1:5000\n  manifest-tui catalog --format json 127.0.0.1:5000 | jq -r '.repositories[]'"
    )]
    Catalog {
        /// Allow communication with an insecure registry
        #[arg(long)]
        insecure: bool,
        /// Output format: text (one repository a line) or json ({"repositories": [...]})
        #[arg(long, value_enum, default_value_t = NamesFormat::Text)]
        format: NamesFormat,
        /// The registry (host[:port])
        #[arg(value_name = "REGISTRY")]
        registry: String,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell) to stdout
    #[command(
        after_help = "Example:\n  manifest-tui completions bash > /etc/bash_completion.d/manifest-tui"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout
    #[command(
        after_help = "Example:\n  manifest-tui man > /usr/local/share/man/man1/manifest-tui.1"
    )]
    Man,
    /// Print the TUI's key bindings (the same table the help overlay shows) as Markdown
    #[command(after_help = "Example:\n  manifest-tui keys")]
    Keys,
    /// Start a local registry seeded with sample multi-arch images and open the TUI on it
    #[command(
        after_help = "The registry (Debian package docker-registry) runs on a free 127.0.0.1 port with its own\ntemporary storage and stops when the TUI exits. Lists you create are kept in a temporary\nDOCKER_CONFIG unless --keep-store is given.\n\nExample:\n  manifest-tui demo"
    )]
    Demo {
        /// Use your real $DOCKER_CONFIG store instead of a temporary one
        #[arg(long)]
        keep_store: bool,
        /// Only start and seed the registry, print its address, and wait for Ctrl-C
        #[arg(long)]
        no_tui: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Json,
    Table,
}

/// How `tags` and `catalog` print names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NamesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Docker,
    Oci,
}

/// The process entry point.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        let opts = crate::tui::TuiOptions {
            registry: cli.registry,
            reference: cli.reference,
            client: ClientOptions {
                insecure_all: cli.insecure,
                ..ClientOptions::default()
            },
            docker_config: None,
            keymap_file: cli.keymap,
        };
        return match crate::tui::run(opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {e:?}");
                ExitCode::FAILURE
            }
        };
    };
    match command {
        Command::Demo { keep_store, no_tui } => return demo(keep_store, no_tui),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "manifest-tui", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            return match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("Error: writing the man page: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Keys => {
            let (keymap, errors) = crate::tui::keymap::Keymap::load(None);
            for e in errors {
                eprintln!("warning: {e}");
            }
            print!("{}", keymap.markdown());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    match rt.block_on(run(command, &mut stdout)) {
        Ok(code) => code,
        Err(e) => {
            let _ = stdout.flush();
            eprintln!(
                "Error: {}",
                crate::sanitize::inert_multiline(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
}

fn parse_ref(s: &str) -> Result<Reference, OpError> {
    Ok(Reference::parse(s)?)
}

fn client(insecure: bool) -> Result<Client, OpError> {
    Client::new(ClientOptions {
        insecure_all: insecure,
        ..ClientOptions::default()
    })
    .map_err(|e| OpError::Registry {
        context: "setting up the registry client".into(),
        source: e,
    })
}

/// Run one command, writing its output to `out`. Returns the exit code on success.
pub async fn run(command: Command, out: &mut dyn std::io::Write) -> Result<ExitCode, OpError> {
    let store = Store::open(None);
    let w = |out: &mut dyn std::io::Write, s: &str| {
        let _ = out.write_all(s.as_bytes());
    };
    match command {
        Command::Inspect {
            insecure,
            verbose,
            format,
            refs,
        } => {
            if refs.len() == 2 {
                let list = parse_ref(&refs[0])?;
                let entry = parse_ref(&refs[1])?;
                let (draft, idx) = ops::inspect_local(&store, &list, Some(&entry))?;
                let e = &draft.entries[idx[0]];
                match format {
                    // Like docker: `-v` shows the store entry, otherwise the entry's manifest.
                    InspectFormat::Json if verbose => {
                        let obj = render::verbose_object(&e.reference, &e.descriptor, &e.raw);
                        w(out, &json_out(render::reindent(obj.as_bytes(), "\t")));
                    }
                    InspectFormat::Json => w(out, &json_out(render::reindent(&e.raw.bytes, "\t"))),
                    InspectFormat::Table => {
                        w(out, &render::inspect_table(&local_inspection(&draft, &idx)))
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let r = parse_ref(&refs[0])?.with_default_tag();
            // Like docker: a local list of that name wins over the registry.
            if store.exists(&r) {
                let (draft, idx) = ops::inspect_local(&store, &r, None)?;
                let ins = local_inspection(&draft, &idx);
                let text = match (format, verbose) {
                    (InspectFormat::Table, _) => render::inspect_table(&ins),
                    (InspectFormat::Json, true) => json_out(render::inspect_verbose(&ins)),
                    (InspectFormat::Json, false) => json_out(render::inspect_plain(&ins)),
                };
                w(out, &text);
                return Ok(ExitCode::SUCCESS);
            }
            let client = client(insecure)?;
            let opts = ops::InspectOptions {
                children: verbose,
                configs: verbose || format == InspectFormat::Table,
            };
            let ins = ops::inspect(&client, &r, opts, ops::no_progress()).await?;
            let text = match (format, verbose) {
                (InspectFormat::Table, _) => render::inspect_table(&ins),
                (InspectFormat::Json, true) => json_out(render::inspect_verbose(&ins)),
                (InspectFormat::Json, false) => json_out(render::inspect_plain(&ins)),
            };
            w(out, &text);
            Ok(ExitCode::SUCCESS)
        }
        Command::Create {
            amend,
            insecure,
            format,
            include_attestations,
            allow_duplicates,
            list,
            images,
        } => {
            let list = parse_ref(&list)?;
            let refs = images
                .iter()
                .map(|s| parse_ref(s))
                .collect::<Result<Vec<_>, _>>()?;
            let client = client(insecure)?;
            let opts = CreateOptions {
                amend,
                format: format.map(|f| match f {
                    ListFormat::Docker => Format::Docker,
                    ListFormat::Oci => Format::Oci,
                }),
                include_attestations,
                allow_duplicates,
            };
            let report =
                ops::create(&client, &store, &list, &refs, opts, ops::no_progress()).await?;
            w(out, &format!("Created manifest list {}\n", report.list));
            Ok(ExitCode::SUCCESS)
        }
        Command::Annotate {
            arch,
            os,
            os_version,
            os_features,
            variant,
            annotations,
            list,
            entry,
        } => {
            let list = parse_ref(&list)?;
            let entry = EntrySelector::parse(&entry)?;
            let annotations = annotations
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
                os,
                arch,
                variant,
                os_version,
                os_features,
                replace_os_features: false,
                annotations,
                validate: true,
            };
            ops::annotate(&store, &list, &entry, &opts)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Push {
            insecure,
            purge,
            allow_duplicates,
            list,
        } => {
            let list = parse_ref(&list)?;
            let client = client(insecure)?;
            let opts = PushOptions {
                purge,
                target: None,
                allow_duplicates,
            };
            let progress = copy_progress(&store, &list);
            let report = ops::push(&client, &store, &list, opts, progress).await?;
            for e in report.entries.iter().filter(|e| !e.in_place) {
                w(
                    out,
                    &format!("Pushed ref {} with digest: {}\n", e.reference, e.digest),
                );
            }
            w(out, &format!("{}\n", report.digest));
            Ok(ExitCode::SUCCESS)
        }
        Command::Rm { lists } => {
            let mut first_err = None;
            for l in lists {
                let res = parse_ref(&l)
                    .and_then(|r| store.remove(&r.with_default_tag()).map_err(OpError::from));
                if let Err(e) = res {
                    first_err.get_or_insert(e);
                }
            }
            match first_err {
                Some(e) => Err(e),
                None => Ok(ExitCode::SUCCESS),
            }
        }
        Command::Ls => {
            let lists = store.lists()?;
            let mut rows = Vec::new();
            let mut errors = Vec::new();
            for l in lists {
                match l.draft {
                    Ok(d) => rows.push([
                        d.list.to_string(),
                        d.entries.len().to_string(),
                        d.kind().label().to_string(),
                        d.entries
                            .iter()
                            .map(|e| e.platform().display())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]),
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
        Command::Remove { list, entry } => {
            let list = parse_ref(&list)?;
            let entry = EntrySelector::parse(&entry)?;
            let removed = ops::remove_entry(&store, &list, &entry)?;
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
        Command::Tags {
            insecure,
            format,
            repo,
        } => list_tags(&repo, insecure, format, out).await,
        Command::Catalog {
            insecure,
            format,
            registry,
        } => list_catalog(&registry, insecure, format, out).await,
        Command::Demo { .. } | Command::Completions { .. } | Command::Man | Command::Keys => Err(
            OpError::Invalid("this command runs outside the async runtime".into()),
        ),
        Command::Diff {
            insecure,
            local_a,
            local_b,
            a,
            b,
        } => {
            let ra = parse_ref(&a)?;
            let rb = parse_ref(&b)?;
            let sa = if local_a {
                Source::Local(ra)
            } else {
                Source::Remote(ra)
            };
            let sb = if local_b {
                Source::Local(rb)
            } else {
                Source::Remote(rb)
            };
            let client = client(insecure)?;
            let c = ops::diff(&client, &store, &sa, &sb).await?;
            w(out, &render::diff_table(&c));
            Ok(if c.identical() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// `tags REPO`: every tag, in the registry's order, one a line or as JSON.
async fn list_tags(
    repo: &str,
    insecure: bool,
    format: NamesFormat,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let r = parse_ref(repo)?;
    if r.tag.is_some() || r.digest.is_some() {
        return Err(OpError::Invalid(format!(
            "{repo:?} names an image, not a repository: give it without :tag or @digest (e.g. `manifest-tui tags {}`)",
            r.name()
        )));
    }
    let repo = crate::registry::Repo::of(&r);
    let tags = client(insecure)?
        .list_tags(&repo, crate::registry::PAGE_SIZE)
        .await
        .map_err(|source| OpError::Registry {
            context: format!("listing the tags of {repo}"),
            source,
        })?;
    let json = serde_json::json!({ "name": repo.path, "tags": tags });
    write_names(out, format, &tags, json)
}

/// `catalog REGISTRY`: every repository, in the registry's order, one a line or as JSON.
async fn list_catalog(
    registry: &str,
    insecure: bool,
    format: NamesFormat,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let host = crate::tui::worker::registry_host(registry).map_err(OpError::Invalid)?;
    let repos = client(insecure)?
        .list_catalog(&host, crate::registry::PAGE_SIZE)
        .await
        .map_err(|source| {
            let hint = if crate::tui::worker::catalog_refused(&source) {
                format!(" (some registries, Docker Hub and GHCR among them, offer no catalog; list a repository's tags with `manifest-tui tags {host}/REPO`)")
            } else {
                String::new()
            };
            OpError::Registry {
                context: format!("listing the repositories of {host}{hint}"),
                source,
            }
        })?;
    let json = serde_json::json!({ "repositories": repos });
    write_names(out, format, &repos, json)
}

/// Names one a line (made inert for the terminal), or the JSON document.
fn write_names(
    out: &mut dyn std::io::Write,
    format: NamesFormat,
    names: &[String],
    json: serde_json::Value,
) -> Result<ExitCode, OpError> {
    let text = match format {
        NamesFormat::Json => json_out(json.to_string()),
        NamesFormat::Text => names
            .iter()
            .map(|n| format!("{}\n", crate::sanitize::inert(n)))
            .collect(),
    };
    out.write_all(text.as_bytes())
        .map_err(|e| OpError::Invalid(format!("writing the listing to stdout failed: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// How often `push` reports the bytes copied for one entry.
const COPY_PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

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
        let size = |n: u64| crate::tui::text::human_size(i64::try_from(n).unwrap_or(i64::MAX));
        eprintln!("Copying {name}: {} of {}", size(done), size(total));
    })
}

/// JSON for the terminal: one trailing newline, and characters a terminal could act on
/// escaped inside strings (the document's value is unchanged).
fn json_out(json: String) -> String {
    let mut s = crate::sanitize::json_inert(&json).into_owned();
    s.push('\n');
    s
}

/// A local draft viewed as an inspection (for `inspect` of a local list).
fn local_inspection(draft: &crate::store::Draft, idx: &[usize]) -> ops::Inspection {
    let kind = draft.kind();
    let (_, bytes) = ops::list_bytes_for(draft);
    let entries = idx
        .iter()
        .map(|&i| {
            let e = &draft.entries[i];
            ops::InspectEntry {
                reference: e.reference.clone(),
                descriptor: e.descriptor.clone(),
                manifest: Some(e.raw.clone()),
                config: None,
            }
        })
        .collect();
    ops::Inspection {
        reference: draft.list.clone(),
        manifest: crate::media::RawManifest {
            digest: crate::digest::Digest::sha256(&bytes),
            bytes,
            media_type: kind.media_type().to_string(),
        },
        entries,
        annotations: draft.meta.annotations.clone(),
    }
}

/// `demo`: a real local registry, seeded with the sample images, and the TUI on it.
fn demo(keep_store: bool, no_tui: bool) -> ExitCode {
    use crate::localreg::{LocalConfig, LocalRegistry};
    eprintln!("Starting a local registry (docker-registry) on 127.0.0.1 ...");
    let mut reg = match LocalRegistry::start(LocalConfig::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let host = reg.host();
    if let Err(e) = crate::samples::seed_blocking(&reg.base_url(), None) {
        eprintln!("Error: seeding the demo registry at {host} failed: {e}");
        return ExitCode::FAILURE;
    }
    let tmp_config = if keep_store {
        None
    } else {
        match tempfile::tempdir() {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("Error: cannot create a temporary DOCKER_CONFIG: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    eprintln!(
        "Demo registry at {host}: samples/app:v1 and :v2 (Docker lists), :v1-oci and :v2-oci (OCI indexes)."
    );
    if no_tui {
        println!("{host}");
        let _ = std::io::stdout().flush();
        // Wait for Ctrl-C / SIGTERM, then stop the registry (Drop).
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        if let Ok(rt) = rt {
            rt.block_on(async {
                let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
                }
            });
        }
        reg.stop();
        return ExitCode::SUCCESS;
    }
    let opts = crate::tui::TuiOptions {
        registry: Some(host),
        reference: None,
        client: ClientOptions::default(),
        docker_config: tmp_config.as_ref().map(|d| d.path().to_path_buf()),
        keymap_file: None,
    };
    let res = crate::tui::run(opts);
    reg.stop();
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:?}");
            ExitCode::FAILURE
        }
    }
}
