//! What `sync` mirrors, and where it lands: skopeo sync's source file (`--src yaml`), read as
//! skopeo 1.x reads it (cmd/skopeo/sync.go), and skopeo's destination rule. Pure: no I/O but
//! reading the file; the plan and the run are `ops::sync`.
//!
//! The file maps a registry (`host[:port]`, a key as docker writes it) to:
//! - `images`: repository → tags or digests (each tried as a digest first, as skopeo does);
//!   an empty or missing list means every tag of the repository;
//! - `images-by-tag-regex`: repository → a regular expression (RE2 syntax, Go's `regexp`,
//!   which the `regex` crate follows); unanchored, as skopeo's `MatchString`: `^1\.` for a
//!   prefix, `^…$` for the whole tag;
//! - `images-by-semver`: repository → a Masterminds semver constraint ([`semver`]), tags read
//!   as versions the way Masterminds reads them (`v1.2` is 1.2.0; other tags never match);
//! - `tls-verify` (true unless false), `credentials` (`username`, `password`), `cert-dir` (a
//!   directory of `*.crt` CAs and `*.cert`/`*.key` client pairs, as skopeo's).
//!
//! Where skopeo differs: skopeo ignores a key it does not know and skips (with a log line) a
//! repository, tag or pattern it cannot read; here each is an error naming the file, line and
//! key, before anything is sent. One extension, not skopeo's: a registry's `semver-latest: N`
//! keeps, of each `images-by-semver` repository, only the N highest versions that match
//! (skopeo ignores the key, so a file that uses it still works there, selecting more).

pub mod semver;

use crate::digest::Digest;
use crate::reference::Reference;
use crate::registry::{Credential, Secret};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

/// A whole source file: its registries in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncFile {
    /// As given (for messages).
    pub path: String,
    pub registries: Vec<SourceRegistry>,
}

/// One registry key of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRegistry {
    /// The key as written.
    pub key: String,
    /// The registry the key names (`host[:port]`, Docker Hub as `docker.io`).
    pub domain: String,
    /// Each repository with what to take of it, in file order: `images`, then
    /// `images-by-tag-regex`, then `images-by-semver` (skopeo's order).
    pub repos: Vec<RepoRule>,
    /// `tls-verify`: `Some(false)` allows plain HTTP and unverified TLS for this registry.
    pub tls_verify: Option<bool>,
    pub credentials: Option<Credential>,
    pub cert_dir: Option<PathBuf>,
}

/// One repository and what to take of it.
#[derive(Clone, Debug, PartialEq)]
pub struct RepoRule {
    /// The repository, normalised (no tag, no digest).
    pub repo: Reference,
    pub rule: Rule,
}

/// Which images of a repository to take.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// These tags and digests, in the file's order.
    Refs(Vec<ImageRef>),
    /// Every tag (an empty list in `images`).
    AllTags,
    /// The tags the pattern finds a match in (unanchored).
    TagRegex(TagRegex),
    /// The tags that read as versions satisfying the constraint; with `latest`, only that
    /// many of the highest (the `semver-latest` extension).
    Semver(semver::Constraint, Option<usize>),
}

/// A tag or a digest named in `images`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageRef {
    Tag(String),
    Digest(Digest),
}

/// A compiled `images-by-tag-regex` value.
#[derive(Clone, Debug)]
pub struct TagRegex(regex::Regex);

impl PartialEq for TagRegex {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl TagRegex {
    pub fn new(pattern: &str) -> Result<TagRegex, String> {
        regex::Regex::new(pattern).map(TagRegex).map_err(|e| {
            e.to_string()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string()
        })
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Rule {
    /// Whether a tag listed by the registry is taken (`Refs` take no listed tag: they are
    /// named, not listed).
    pub fn takes(&self, tag: &str) -> bool {
        match self {
            Rule::Refs(_) => false,
            Rule::AllTags => true,
            Rule::TagRegex(r) => r.0.is_match(tag),
            Rule::Semver(c, _) => c.matches_tag(tag),
        }
    }

    /// The listed tags the rule takes, in the listing's order (`semver-latest`: the highest
    /// versions only, a tie of equal precedence kept in listing order).
    pub fn select<'a>(&self, tags: &'a [String]) -> Vec<&'a String> {
        let mut taken: Vec<&String> = tags.iter().filter(|t| self.takes(t)).collect();
        if let Rule::Semver(_, Some(n)) = self {
            let mut by_version: Vec<(::semver::Version, usize)> = taken
                .iter()
                .enumerate()
                .filter_map(|(i, t)| semver::parse_version(t).map(|v| (v, i)))
                .collect();
            by_version.sort_by(|a, b| b.0.cmp_precedence(&a.0).then(a.1.cmp(&b.1)));
            let keep: std::collections::BTreeSet<usize> =
                by_version.iter().take(*n).map(|(_, i)| *i).collect();
            taken = taken
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep.contains(i))
                .map(|(_, t)| t)
                .collect();
        }
        taken
    }

    /// Whether the repository's tags must be listed to apply the rule.
    pub fn lists_tags(&self) -> bool {
        !matches!(self, Rule::Refs(_))
    }

    /// The rule as a user reads it: `2 refs`, `every tag`, `tags matching ^v1`, `semver >=1.2`.
    pub fn label(&self) -> String {
        match self {
            Rule::Refs(r) => format!("{} named", r.len()),
            Rule::AllTags => "every tag".into(),
            Rule::TagRegex(r) => format!("tags matching {}", r.as_str()),
            Rule::Semver(c, None) => format!("tags in semver {}", c.as_str()),
            Rule::Semver(c, Some(n)) => format!("the {n} highest tags in semver {}", c.as_str()),
        }
    }
}

/// The file's error: one paragraph naming the file and, when known, the line and the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncFileError(pub String);

impl std::fmt::Display for SyncFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SyncFileError {}

// The file as YAML. Go's yaml.v3 names a field by its lowercased Go name unless tagged:
// `images`, `credentials`, `username`, `password`; the others are tagged in sync.go.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryYaml {
    #[serde(default)]
    images: IndexMap<String, Spanned<Option<Vec<Spanned<String>>>>>,
    #[serde(default, rename = "images-by-tag-regex")]
    by_regex: IndexMap<String, Spanned<String>>,
    #[serde(default, rename = "images-by-semver")]
    by_semver: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    credentials: Option<CredentialsYaml>,
    #[serde(default, rename = "tls-verify")]
    tls_verify: Option<bool>,
    #[serde(default, rename = "cert-dir")]
    cert_dir: Option<String>,
    /// Not skopeo's: keep the N highest versions of each `images-by-semver` repository.
    #[serde(default, rename = "semver-latest")]
    semver_latest: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsYaml {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

type FileYaml = IndexMap<String, Option<Spanned<RegistryYaml>>>;

impl SyncFile {
    /// Read and check a source file.
    pub fn load(path: &Path) -> Result<SyncFile, SyncFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| SyncFileError(format!("cannot read the sync file {shown}: {e}")))?;
        SyncFile::parse(&shown, &text)
    }

    /// Check a source file's text; `path` names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<SyncFile, SyncFileError> {
        let doc: Option<FileYaml> =
            serde_saphyr::from_str(text).map_err(|e| yaml_error(path, &e))?;
        let mut registries = Vec::new();
        for (key, reg) in doc.unwrap_or_default() {
            let Some(reg) = reg else {
                // skopeo: "No images specified for registry", a warning.
                registries.push(SourceRegistry::empty(&key, path)?);
                continue;
            };
            registries.push(SourceRegistry::read(path, &key, reg)?);
        }
        Ok(SyncFile {
            path: path.to_string(),
            registries,
        })
    }
}

/// `FILE: line L, column C: message`; the message names the key serde saw (unknown fields
/// are named with the fields a registry may have).
fn yaml_error(path: &str, e: &serde_saphyr::Error) -> SyncFileError {
    let msg = e.without_snippet().to_string();
    let msg = msg.lines().next().unwrap_or("").trim().to_string();
    match e.location() {
        Some(l) if l.line() > 0 && !msg.contains(&format!("line {}", l.line())) => SyncFileError(
            format!("{path}: line {}, column {}: {msg}", l.line(), l.column()),
        ),
        _ => SyncFileError(format!("{path}: {msg}")),
    }
}

fn at(path: &str, line: u64, what: String) -> SyncFileError {
    if line > 0 {
        SyncFileError(format!("{path}: line {line}: {what}"))
    } else {
        SyncFileError(format!("{path}: {what}"))
    }
}

impl SourceRegistry {
    fn empty(key: &str, path: &str) -> Result<SourceRegistry, SyncFileError> {
        Ok(SourceRegistry {
            key: key.to_string(),
            domain: registry_domain(key).map_err(|e| at(path, 0, e))?,
            repos: Vec::new(),
            tls_verify: None,
            credentials: None,
            cert_dir: None,
        })
    }

    fn read(
        path: &str,
        key: &str,
        reg: Spanned<RegistryYaml>,
    ) -> Result<SourceRegistry, SyncFileError> {
        let line = reg.referenced.line();
        let domain = registry_domain(key).map_err(|e| at(path, line, e))?;
        let reg = reg.value;
        let repo_of = |name: &str, line: u64| -> Result<Reference, SyncFileError> {
            repository(key, name).map_err(|e| at(path, line, e))
        };
        let mut repos = Vec::new();
        for (name, refs) in reg.images {
            let line = refs.referenced.line();
            let repo = repo_of(&name, line)?;
            let refs = refs.value.unwrap_or_default();
            let rule = if refs.is_empty() {
                Rule::AllTags
            } else {
                Rule::Refs(
                    refs.iter()
                        .map(|r| {
                            image_ref(&r.value).map_err(|e| {
                                at(path, r.referenced.line(), format!("images: {name}: {e}"))
                            })
                        })
                        .collect::<Result<_, _>>()?,
                )
            };
            repos.push(RepoRule { repo, rule });
        }
        for (name, pattern) in reg.by_regex {
            let line = pattern.referenced.line();
            let repo = repo_of(&name, line)?;
            let re = TagRegex::new(&pattern.value).map_err(|e| {
                at(
                    path,
                    line,
                    format!(
                        "images-by-tag-regex: {name}: {:?} is not a regular expression: {e}",
                        pattern.value
                    ),
                )
            })?;
            repos.push(RepoRule {
                repo,
                rule: Rule::TagRegex(re),
            });
        }
        let latest = match reg.semver_latest {
            Some(n) if n.value == 0 => {
                return Err(at(
                    path,
                    n.referenced.line(),
                    "semver-latest: 0 keeps nothing; give 1 or more, or leave it out".into(),
                ))
            }
            Some(n) => Some(usize::try_from(n.value).unwrap_or(usize::MAX)),
            None => None,
        };
        for (name, c) in reg.by_semver {
            let line = c.referenced.line();
            let repo = repo_of(&name, line)?;
            let constraint = semver::Constraint::parse(&c.value)
                .map_err(|e| at(path, line, format!("images-by-semver: {name}: {e}")))?;
            repos.push(RepoRule {
                repo,
                rule: Rule::Semver(constraint, latest),
            });
        }
        let credentials = reg
            .credentials
            .filter(|c| !(c.username.is_empty() && c.password.is_empty()))
            .map(|c| Credential::Basic {
                username: c.username,
                password: Secret::new(c.password),
            });
        Ok(SourceRegistry {
            key: key.to_string(),
            domain,
            repos,
            tls_verify: reg.tls_verify,
            credentials,
            cert_dir: reg.cert_dir.filter(|d| !d.is_empty()).map(PathBuf::from),
        })
    }
}

/// The registry a key names: what `KEY/x` normalises to (a key that is not a host, such as
/// `library`, is a Docker Hub namespace to skopeo, and so here).
fn registry_domain(key: &str) -> Result<String, String> {
    Reference::parse(&format!("{key}/x"))
        .map(|r| r.domain)
        .map_err(|e| format!("registry {key:?}: {}", e.reason()))
}

/// skopeo's `parseRepositoryReference(REGISTRY + "/" + NAME)`: a repository, not an image.
fn repository(key: &str, name: &str) -> Result<Reference, String> {
    let r = Reference::parse(&format!("{key}/{name}"))
        .map_err(|e| format!("repository {name:?} of {key}: {}", e.reason()))?;
    if r.tag.is_some() || r.digest.is_some() {
        return Err(format!(
            "repository {name:?} of {key}: names an image, not a repository (put tags and digests in its list)"
        ));
    }
    Ok(r)
}

/// A list item: a digest when it parses as one (skopeo's order), else a tag.
fn image_ref(s: &str) -> Result<ImageRef, String> {
    if let Ok(d) = Digest::parse(s) {
        return Ok(ImageRef::Digest(d));
    }
    if crate::reference::is_valid_tag(s) {
        Ok(ImageRef::Tag(s.to_string()))
    } else {
        Err(format!("{s:?} is neither a tag nor a digest"))
    }
}

/// Where skopeo sync puts `src` under `dest` (`REG[/NAMESPACE]`): `dest/` + the source's last
/// path component, or with `scoped` its whole name including the registry
/// (`path.Join(dest, ref.String())`), with the same tag or digest. A scoped name whose
/// source registry has a port is not a valid repository (skopeo refuses it too).
///
/// An OCI layout ([`crate::place`]) holds one namespace, so there that same suffix, with
/// its tag (`app:v1`, `app@sha256:…`), is the ref name, and tags of two repositories never
/// collide. From a layout, a ref name written that way (`REPO:TAG`) goes to `dest/REPO:TAG`.
pub fn destination(src: &Reference, dest: &str, scoped: bool) -> Result<Reference, String> {
    let full = if src.is_layout() {
        match src.tag.as_deref() {
            Some(name) if name.contains(':') || name.contains('@') => name.to_string(),
            Some(name) => {
                return Err(format!(
                    "{src}: the ref name {name:?} names no repository (sync reads REPO:TAG names from a layout, as it writes them); copy it instead: manifest-tui copy {src} {dest}/REPO:{name}"
                ))
            }
            None => return Err(format!("{src}: name a ref of the layout")),
        }
    } else {
        src.to_string()
    };
    let suffix = if scoped {
        full.as_str()
    } else {
        full.rsplit('/').next().unwrap_or(&full)
    };
    if crate::place::is_layout(dest) {
        let joined = format!("{}:{suffix}", dest.trim_end_matches('/'));
        return Reference::parse(&joined).map_err(|e| {
            format!(
                "{src} would be named {suffix:?} in {dest}, which is not a ref name: {}",
                e.reason()
            )
        });
    }
    let joined = format!("{}/{suffix}", dest.trim_end_matches('/'));
    Reference::parse(&joined).map_err(|e| {
        format!(
            "{src} would land at {joined}, which is not a valid reference: {}",
            e.reason()
        )
    })
}

/// Check `DEST` (`REG[/NAMESPACE]`, or an OCI layout `oci:DIR` / `oci-archive:FILE` with no
/// ref): a registry, optionally a namespace, no tag or digest.
pub fn check_dest(dest: &str) -> Result<Reference, String> {
    if crate::place::is_layout(dest) {
        let r = Reference::parse(dest).map_err(|e| format!("DEST {dest:?}: {}", e.reason()))?;
        if r.tag.is_some() || r.digest.is_some() {
            return Err(format!(
                "DEST {dest:?}: give the layout without :REF (each image is named REPO:TAG in it), e.g. {}",
                r.name()
            ));
        }
        return Ok(r);
    }
    let r = Reference::parse(&format!("{}/x", dest.trim_end_matches('/')))
        .map_err(|e| format!("DEST {dest:?}: {}", e.reason()))?;
    if !crate::reference::names_registry(dest) {
        return Err(format!(
            "DEST {dest:?}: name a registry first (REG[/NAMESPACE], e.g. 127.0.0.1:5000/mirror)"
        ));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SyncFile, SyncFileError> {
        SyncFile::parse("sync.yaml", text)
    }

    #[test]
    fn every_key_of_skopeos_format_is_read() {
        let f = parse(
            r#"
registry.example.com:
  images:
    busybox: []
    team/app:
      - "1.10"
      - v2
      - sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    nginx:
  images-by-tag-regex:
    redis: ^6\.2
  images-by-semver:
    alpine: ">= 3.14, < 4"
  credentials:
    username: john
    password: secret
  tls-verify: false
  cert-dir: /etc/certs
docker.io:
  images:
    busybox: [latest]
"#,
        )
        .unwrap();
        assert_eq!(f.registries.len(), 2);
        let r = &f.registries[0];
        assert_eq!(r.domain, "registry.example.com");
        assert_eq!(r.tls_verify, Some(false));
        assert_eq!(r.cert_dir.as_deref(), Some(Path::new("/etc/certs")));
        assert_eq!(r.credentials.as_ref().unwrap().username(), "john");
        let names: Vec<String> = r.repos.iter().map(|x| x.repo.to_string()).collect();
        assert_eq!(
            names,
            [
                "registry.example.com/busybox",
                "registry.example.com/team/app",
                "registry.example.com/nginx",
                "registry.example.com/redis",
                "registry.example.com/alpine"
            ]
        );
        assert_eq!(r.repos[0].rule, Rule::AllTags);
        assert_eq!(r.repos[2].rule, Rule::AllTags, "no list at all: every tag");
        let Rule::Refs(refs) = &r.repos[1].rule else {
            panic!("{:?}", r.repos[1].rule)
        };
        assert_eq!(
            refs[0],
            ImageRef::Tag("1.10".into()),
            "a quoted number stays text"
        );
        assert_eq!(refs[1], ImageRef::Tag("v2".into()));
        assert!(matches!(refs[2], ImageRef::Digest(_)));
        assert_eq!(
            f.registries[1].repos[0].repo.to_string(),
            "docker.io/library/busybox",
            "normalised as docker does"
        );
    }

    #[test]
    fn an_unquoted_number_tag_is_read_as_written() {
        let f = parse("r.example.com:\n  images:\n    app: [1.10, 3]\n").unwrap();
        let Rule::Refs(refs) = &f.registries[0].repos[0].rule else {
            panic!()
        };
        assert_eq!(
            refs,
            &[ImageRef::Tag("1.10".into()), ImageRef::Tag("3".into())]
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_file_and_line() {
        let e = parse("r.example.com:\n  images:\n    app: [v1]\n  tls-verfy: false\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("sync.yaml: "), "{e}");
        assert!(e.contains("line 4"), "{e}");
        assert!(e.contains("tls-verfy"), "{e}");
        let e = parse("r.example.com:\n  credentials:\n    user: x\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("user"), "{e}");
    }

    #[test]
    fn bad_names_tags_patterns_and_constraints_are_refused_with_their_line() {
        let cases = [
            (
                "r.example.com:\n  images:\n    app: [v1, \"bad tag\"]\n",
                "line 3",
            ),
            ("r.example.com:\n  images:\n    Bad/App: [v1]\n", "line 3"),
            (
                "r.example.com:\n  images:\n    app:v1: []\n",
                "names an image",
            ),
            (
                "r.example.com:\n  images-by-tag-regex:\n    app: \"(\"\n",
                "line 3",
            ),
            (
                "r.example.com:\n  images-by-semver:\n    app: latest\n",
                "line 3",
            ),
            ("r.example.com:\n  images: [a, b]\n", "line 2"),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(
                e.contains(want) && e.starts_with("sync.yaml"),
                "{text:?}: {e}"
            );
        }
    }

    #[test]
    fn tag_regexes_are_unanchored_as_gos_match_string() {
        let re = Rule::TagRegex(TagRegex::new(r"1\.2").unwrap());
        assert!(re.takes("1.2.3") && re.takes("v1.2") && re.takes("x1.2y"));
        assert!(!re.takes("1.3"));
        let anchored = Rule::TagRegex(TagRegex::new(r"^v1\.\d+$").unwrap());
        assert!(anchored.takes("v1.10") && !anchored.takes("v1.10-rc"));
        let semver = Rule::Semver(semver::Constraint::parse("~1.2").unwrap(), None);
        assert!(semver.takes("v1.2.9") && semver.takes("1.2") && !semver.takes("1.3.0"));
        assert!(!semver.takes("latest"));
    }

    #[test]
    fn semver_latest_keeps_the_highest_versions_that_match() {
        let f =
            parse("r.example.com:\n  images-by-semver:\n    app: \">= 1.0\"\n  semver-latest: 2\n")
                .unwrap();
        let rule = &f.registries[0].repos[0].rule;
        let tags: Vec<String> = [
            "v1.0",
            "2.0.0-rc1",
            "1.10.0",
            "latest",
            "1.9",
            "v1.10.0",
            "0.9",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // 1.10.0 and v1.10.0 are the same version: both kept, in the listing's order; a
        // prerelease never matches a constraint without one (Masterminds).
        assert_eq!(rule.select(&tags), [&tags[2], &tags[5]]);
        let all = Rule::Semver(semver::Constraint::parse(">= 1.0").unwrap(), None);
        assert_eq!(all.select(&tags), [&tags[0], &tags[2], &tags[4], &tags[5]]);
        assert!(parse("r.example.com:\n  semver-latest: 0\n").is_err());
    }

    #[test]
    fn the_destination_is_skopeos() {
        let src = Reference::parse("registry.example.com/team/app:v1").unwrap();
        let d = |dest: &str, scoped| destination(&src, dest, scoped).map(|r| r.to_string());
        assert_eq!(d("127.0.0.1:6000", false).unwrap(), "127.0.0.1:6000/app:v1");
        assert_eq!(
            d("127.0.0.1:6000/mirror/", false).unwrap(),
            "127.0.0.1:6000/mirror/app:v1"
        );
        assert_eq!(
            d("127.0.0.1:6000/mirror", true).unwrap(),
            "127.0.0.1:6000/mirror/registry.example.com/team/app:v1"
        );
        let hub = Reference::parse("busybox").unwrap().with_default_tag();
        assert_eq!(
            destination(&hub, "127.0.0.1:6000", true)
                .unwrap()
                .to_string(),
            "127.0.0.1:6000/docker.io/library/busybox:latest"
        );
        let dig = src.at_digest(&Digest::sha256(b"x"));
        assert_eq!(
            destination(&dig, "127.0.0.1:6000", false).unwrap(),
            Reference::parse("127.0.0.1:6000/app")
                .unwrap()
                .at_digest(&Digest::sha256(b"x"))
        );
        // A source registry with a port cannot be a path component: refused, as by skopeo.
        let ported = Reference::parse("127.0.0.1:5000/app:v1").unwrap();
        assert!(destination(&ported, "127.0.0.1:6000", true).is_err());
        assert!(check_dest("127.0.0.1:6000/mirror").is_ok());
        assert!(check_dest("mirror").is_err());
        assert!(check_dest("127.0.0.1:6000/app:v1").is_err());
    }
}
