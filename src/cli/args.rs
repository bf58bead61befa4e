//! The command line: clap's definitions of every command and flag.

use clap::{Args, Parser, Subcommand, ValueEnum};

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
        after_help = "Examples:\n  manifest-tui inspect alpine:3.20\n  manifest-tui inspect -v 127.0.0.1:5000/app:v1\n  manifest-tui inspect --format table 127.0.0.1:5000/app:v1\n  manifest-tui inspect --config --platform linux/arm64 127.0.0.1:5000/app:v1\n  manifest-tui inspect --format json 127.0.0.1:5000/app:v1 | jq '.platforms[].size'\n  manifest-tui inspect LOCAL_LIST ENTRY_REF      (reads the local store)"
    )]
    Inspect(InspectArgs),
    /// Create a local manifest list for annotating and pushing to a registry
    #[command(
        after_help = "Examples:\n  manifest-tui create 127.0.0.1:5000/app:v1 127.0.0.1:5000/app-amd64:v1 127.0.0.1:5000/app-arm64:v1\n  manifest-tui create --amend 127.0.0.1:5000/app:v1 127.0.0.1:5000/app-s390x:v1\n  manifest-tui create --format oci 127.0.0.1:5000/app:v1 docker.io/library/alpine:3.20   (an index is expanded)"
    )]
    Create(CreateArgs),
    /// Add additional information to a local image manifest
    #[command(
        after_help = "Examples:\n  manifest-tui annotate 127.0.0.1:5000/app:v1 127.0.0.1:5000/app-arm:v1 --arch arm --variant v7\n  manifest-tui annotate --os-features sse4 LIST linux/amd64\n  manifest-tui annotate --annotation org.opencontainers.image.source=https://x LIST sha256:abc1234"
    )]
    Annotate(AnnotateArgs),
    /// Push a manifest list to a repository
    #[command(
        after_help = "Examples:\n  manifest-tui push 127.0.0.1:5000/app:v1\n  manifest-tui push --purge 127.0.0.1:5000/app:v1"
    )]
    Push(PushArgs),
    /// Delete one or more manifest lists from local storage
    #[command(
        after_help = "Example:\n  manifest-tui rm 127.0.0.1:5000/app:v1 127.0.0.1:5000/app:v2"
    )]
    Rm(RmArgs),
    /// List local manifest lists with their entry count and target format
    #[command(after_help = "Example:\n  manifest-tui ls")]
    Ls,
    /// Remove one entry from a local list (by reference, digest or platform)
    #[command(
        after_help = "Examples:\n  manifest-tui remove 127.0.0.1:5000/app:v1 linux/s390x\n  manifest-tui remove 127.0.0.1:5000/app:v1 sha256:0123abc"
    )]
    Remove(RemoveArgs),
    /// Compare two lists or images per platform and say why each differs (exit 0 when the same)
    #[command(
        after_help = "Examples:\n  manifest-tui diff 127.0.0.1:5000/app:v1 127.0.0.1:5000/app:v2\n  manifest-tui diff --local-a 127.0.0.1:5000/app:next 127.0.0.1:5000/app:v2   (a local draft against a pushed list)\n  manifest-tui diff app:v1 app:v2 --platform linux/arm64   (one platform: layers, config fields, totals)\n\nThe same means: every platform identical or differing only in manifest format (--strict: identical only)."
    )]
    Diff(DiffArgs),
    /// Copy an image or a list (all of it, byte for byte, or some platforms) to another repository or registry
    #[command(
        after_help = "Without --platform the copy is exact: the same manifests, so the same digest. With --platform, the\nchosen platforms (and their attestations) go into a new list of the same format, with a new digest.\nBlobs are mounted on one registry and streamed across registries; run an interrupted copy again to\nfinish it (what is already there is not sent again). Nothing is tagged until everything is in place.\n\nExamples:\n  manifest-tui copy 127.0.0.1:5000/app:v1 registry.example.com/app:v1\n  manifest-tui copy --platform linux/amd64 --platform linux/arm64 127.0.0.1:5000/app:v1 127.0.0.1:5000/app-slim:v1\n  manifest-tui copy 127.0.0.1:5000/app@sha256:0123… 127.0.0.1:5000/release/app:1.0"
    )]
    Copy(CopyArgs),
    /// Put an image or a list under more tags in its repository (one manifest PUT each, no blobs)
    #[command(after_help = "Example:\n  manifest-tui tag 127.0.0.1:5000/app:v1 stable 1.0")]
    Tag(TagArgs),
    /// Mirror many images to another registry: a skopeo sync file, a repository or an image
    #[command(
        after_help = "SOURCE is skopeo sync's YAML file (registry keys with images, images-by-tag-regex, images-by-semver,\ntls-verify, credentials, cert-dir; unknown keys are an error), a repository (REG/REPO: every tag)\nor one image (REG/REPO:TAG or @DIGEST). DEST is REG[/NAMESPACE]: an image lands under the source's\nlast path component (--scoped: its whole name), with the same tag. Lists are copied exactly (same\ndigest) unless --platform is given. An image already up to date costs one HEAD on each side.\n\nExamples:\n  manifest-tui sync --dry-run sync.yaml 127.0.0.1:5000/mirror\n  manifest-tui sync sync.yaml 127.0.0.1:5000/mirror\n  manifest-tui sync --format json --dry-run 127.0.0.1:5000/team/app 127.0.0.1:6000   (every tag)\n  manifest-tui sync --platform linux/amd64 127.0.0.1:5000/app:v1 127.0.0.1:6000/slim"
    )]
    Sync(SyncArgs),
    /// Delete a manifest from a registry, by tag or digest, with every tag pointing at it
    #[command(
        after_help = "A registry deletes manifests by digest, and with a manifest go all its tags: deleting a tag on a\nDistribution registry deletes the manifest and every tag pointing at it. The tags that go are listed\nfirst and you are asked; --yes skips the question (needed when stdin is not a terminal).\n\nExamples:\n  manifest-tui delete 127.0.0.1:5000/app:old\n  manifest-tui delete --yes 127.0.0.1:5000/app@sha256:0123…"
    )]
    Delete(DeleteArgs),
    /// List a repository's tags, one a line, every page of the registry's listing followed
    #[command(
        after_help = "Examples:\n  manifest-tui tags 127.0.0.1:5000/samples/app\n  manifest-tui tags --format json quay.io/org/app | jq -r '.tags[]'"
    )]
    Tags(TagsArgs),
    /// List the repositories of a registry (its catalog), one a line, every page followed
    #[command(
        after_help = "Examples:\n  manifest-tui catalog 127.0.0.1:5000\n  manifest-tui catalog --format json 127.0.0.1:5000 | jq -r '.repositories[]'"
    )]
    Catalog(CatalogArgs),
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
    Demo(DemoArgs),
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Allow communication with an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// Output additional info including layers and platform
    #[arg(short, long)]
    pub verbose: bool,
    /// Output format: docker (docker manifest inspect's shapes), json (every platform's size,
    /// created time, layers and config summary; docs/inspect-json.md) or table (a row per platform)
    #[arg(long, value_enum, default_value_t = InspectFormat::Docker)]
    pub format: InspectFormat,
    /// Print the image's config file (of a list: the config of the platform given by --platform)
    #[arg(long, conflicts_with = "verbose")]
    pub config: bool,
    /// With --config on a list: the platform whose config to print (OS/ARCH[/VARIANT])
    #[arg(long, value_name = "PLATFORM", requires = "config")]
    pub platform: Option<String>,
    /// [MANIFEST_LIST] MANIFEST
    #[arg(required = true, num_args = 1..=2, value_name = "REF")]
    pub refs: Vec<String>,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Amend an existing manifest list
    #[arg(short, long)]
    pub amend: bool,
    /// Allow communication with an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// Push the list as a Docker manifest list or an OCI index (default: the first entry's family)
    #[arg(long, value_enum)]
    pub format: Option<ListFormat>,
    /// Keep attestation entries (unknown/unknown) when expanding an index
    #[arg(long)]
    pub include_attestations: bool,
    /// Allow two entries with the same platform
    #[arg(long)]
    pub allow_duplicates: bool,
    #[arg(value_name = "MANIFEST_LIST")]
    pub list: String,
    #[arg(required = true, value_name = "MANIFEST")]
    pub images: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AnnotateArgs {
    /// Set architecture
    #[arg(long)]
    pub arch: Option<String>,
    /// Set operating system
    #[arg(long)]
    pub os: Option<String>,
    /// Set operating system version
    #[arg(long = "os-version")]
    pub os_version: Option<String>,
    /// Set operating system feature (appends, as docker does)
    #[arg(long = "os-features", value_delimiter = ',')]
    pub os_features: Vec<String>,
    /// Set architecture variant
    #[arg(long)]
    pub variant: Option<String>,
    /// Set an annotation KEY=VALUE (OCI index only; an empty VALUE removes KEY)
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    #[arg(value_name = "MANIFEST_LIST")]
    pub list: String,
    /// The entry: its image reference, digest (prefix) or platform (os/arch[/variant])
    #[arg(value_name = "MANIFEST")]
    pub entry: String,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// Allow push to an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// Remove the local manifest list after push
    #[arg(short, long)]
    pub purge: bool,
    /// Allow two entries with the same platform
    #[arg(long)]
    pub allow_duplicates: bool,
    #[arg(value_name = "MANIFEST_LIST")]
    pub list: String,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    #[arg(required = true, value_name = "MANIFEST_LIST")]
    pub lists: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RemoveArgs {
    #[arg(value_name = "MANIFEST_LIST")]
    pub list: String,
    #[arg(value_name = "REF|DIGEST|PLATFORM")]
    pub entry: String,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Allow communication with an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// Read A from the local store instead of the registry
    #[arg(long)]
    pub local_a: bool,
    /// Read B from the local store instead of the registry
    #[arg(long)]
    pub local_b: bool,
    /// Count a change of manifest format alone (Docker ↔ OCI, same image) as a difference
    #[arg(long)]
    pub strict: bool,
    /// Show one platform's diff: layers side by side, changed config fields, totals
    /// (e.g. linux/arm64)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Output format: table (text) or json
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    #[arg(value_name = "REF_A")]
    pub a: String,
    #[arg(value_name = "REF_B")]
    pub b: String,
}

#[derive(Args, Debug)]
pub struct CopyArgs {
    /// Allow communication with insecure registries
    #[arg(long)]
    pub insecure: bool,
    /// Copy only this platform of a list (os/arch[/variant]; repeat for more)
    #[arg(long = "platform", value_name = "PLATFORM")]
    pub platforms: Vec<String>,
    /// Also copy what refers to it and its entries (signatures, SBOMs: OCI 1.1 referrers,
    /// by the referrers API or the sha256-<hex> tag scheme)
    #[arg(long)]
    pub referrers: bool,
    /// The image or list to copy (a tag or a digest)
    #[arg(value_name = "SRC")]
    pub src: String,
    /// Where to (repository with a tag; without one, the source's tag)
    #[arg(value_name = "DST")]
    pub dst: String,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// Allow communication with an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// The image or list to tag
    #[arg(value_name = "REF")]
    pub reference: String,
    /// The new tags (in the same repository)
    #[arg(required = true, value_name = "NEWTAG")]
    pub tags: Vec<String>,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// Allow communication with an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// Delete without asking (the tags that go are still listed)
    #[arg(short, long)]
    pub yes: bool,
    /// The manifest to delete: REPO:TAG or REPO@DIGEST
    #[arg(value_name = "REF")]
    pub reference: String,
}

#[derive(Args, Debug)]
pub struct TagsArgs {
    /// Allow communication with an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// Output format: text (one tag a line) or json ({"name": REPO, "tags": [...]})
    #[arg(long, value_enum, default_value_t = NamesFormat::Text)]
    pub format: NamesFormat,
    /// The repository (host/path, without a tag)
    #[arg(value_name = "REPO")]
    pub repo: String,
}

#[derive(Args, Debug)]
pub struct CatalogArgs {
    /// Allow communication with an insecure registry
    #[arg(long)]
    pub insecure: bool,
    /// Output format: text (one repository a line) or json ({"repositories": [...]})
    #[arg(long, value_enum, default_value_t = NamesFormat::Text)]
    pub format: NamesFormat,
    /// The registry (host[:port])
    #[arg(value_name = "REGISTRY")]
    pub registry: String,
}

/// How `tags` and `catalog` print names.
#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Print the plan (new, changed, up to date; per-platform verdicts and bytes) and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Put each image under its whole source name (DEST/REG/REPO), not only its last path component
    #[arg(long)]
    pub scoped: bool,
    /// Copy only this platform of each list (os/arch[/variant]; repeat for more): new lists, new digests
    #[arg(long = "platform", value_name = "PLATFORM")]
    pub platforms: Vec<String>,
    /// Also copy what refers to each image and its entries (signatures, SBOMs)
    #[arg(long)]
    pub referrers: bool,
    /// Output format of the plan and the summary: text, or json
    #[arg(long, value_enum, default_value_t = NamesFormat::Text)]
    pub format: NamesFormat,
    /// Allow communication with insecure registries
    #[arg(long)]
    pub insecure: bool,
    /// A skopeo sync YAML file, a repository (every tag) or an image
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// The registry, optionally with a namespace, to mirror to (REG[/NAMESPACE])
    #[arg(value_name = "DEST")]
    pub dest: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NamesFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Use your real $DOCKER_CONFIG store instead of a temporary one
    #[arg(long)]
    pub keep_store: bool,
    /// Only start and seed the registry, print its address, and wait for Ctrl-C
    #[arg(long)]
    pub no_tui: bool,
}

/// How `diff` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// What `docker manifest inspect` prints (the default).
    Docker,
    /// The stable JSON view of every platform's details.
    Json,
    Table,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Docker,
    Oci,
}
