//! Image references, parsed and normalised exactly as docker does
//! (`busybox` → `docker.io/library/busybox:latest`).

use crate::digest::Digest;
use std::fmt;

pub const DEFAULT_DOMAIN: &str = "docker.io";
pub const DEFAULT_TAG: &str = "latest";
/// `index.docker.io`, normalised to [`DEFAULT_DOMAIN`].
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// Docker Hub's registry API host.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// Docker Hub's namespace for official images.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// Maximum length of the repository path (without the domain), as distribution/reference
/// v0.6 (used by docker CLI 28) checks it.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// Maximum tag length.
pub const TAG_MAX: usize = 128;

/// Docker Hub's old API host: only ever written by users and in config keys (docker's
/// parser keeps it as a registry of its own).
pub const DOCKER_HUB_OLD_HOST: &str = "registry.hub.docker.com";

/// Whether `host` names Docker Hub's registry: [`DEFAULT_DOMAIN`], [`LEGACY_DEFAULT_DOMAIN`]
/// or [`DOCKER_HUB_API_HOST`]. (Parsing normalises only the legacy domain, as docker does.)
pub fn is_docker_hub(host: &str) -> bool {
    [DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, DOCKER_HUB_API_HOST].contains(&host)
}

/// Whether `first`, the part of a reference before its first `/`, is a registry domain
/// (docker's `splitDockerDomain`): it holds a `.` or a `:`, is `localhost`, or has upper
/// case (which makes a reference with it fail as one, as docker's does). The one rule for
/// "does this reference name its registry": the parser and the TUI's start reference use it.
pub fn first_is_domain(first: &str) -> bool {
    first == "localhost" || first.contains(['.', ':']) || first.to_lowercase() != first
}

/// Whether the reference `s` names its registry ([`first_is_domain`] of the part before
/// the first `/`; a name without `/` never does).
pub fn names_registry(s: &str) -> bool {
    s.split_once('/')
        .is_some_and(|(first, _)| first_is_domain(first))
}

/// The host of a config.json `auths` key (docker's `ConvertToHostname`): the scheme and
/// any path removed. `https://index.docker.io/v1/` → `index.docker.io`.
pub fn host_of_key(key: &str) -> &str {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

/// A registry as a user or a config key writes it, as one host: trimmed, [`host_of_key`],
/// lower case, and every Docker Hub host (with [`DOCKER_HUB_OLD_HOST`]) as
/// [`DEFAULT_DOMAIN`]. `https://index.docker.io/v1/` → `docker.io`, `http://Host:5000/` →
/// `host:5000`.
pub fn normalize_registry(s: &str) -> String {
    let host = host_of_key(s.trim()).to_ascii_lowercase();
    if is_docker_hub(&host) || host == DOCKER_HUB_OLD_HOST {
        DEFAULT_DOMAIN.to_string()
    } else {
        host
    }
}

/// A registry host as the user typed it (`--registry`, the registry prompt),
/// [normalised](normalize_registry), and refused unless the reference parser takes it as a
/// domain on its own (a port outside 1-65535, `_` in a name …).
pub fn registry_host(s: &str) -> Result<String, String> {
    let host = normalize_registry(s);
    match Reference::parse(&format!("{host}/x")) {
        Ok(r) if r.domain == host => Ok(host),
        Err(e) if e.kind == ReferenceErrorKind::InvalidFormat => {
            Err(format!("{s:?} is not a registry host: {}", e.reason()))
        }
        _ => Err(format!(
            "{s:?} is not a registry host; expected host[:port], e.g. 127.0.0.1:5000"
        )),
    }
}

/// A fully normalised reference: registry domain, repository path, optional tag and digest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// `docker.io`, `127.0.0.1:5000`, `[::1]:5000`, `localhost`.
    pub domain: String,
    /// `library/busybox`, `samples/app-linux-amd64`.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceError {
    pub input: String,
    pub kind: ReferenceErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceErrorKind {
    Empty,
    InvalidFormat,
    NameContainsUppercase,
    NameTooLong,
    InvalidTag,
    InvalidDigest,
    /// `sha256:…` 64-hex given alone (docker refuses a bare identifier as a name).
    NameIsIdentifier,
    /// An OCI layout (`oci:PATH[:REF]`) written wrongly: what is wrong.
    Layout(String),
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = quote(&self.input);
        match &self.kind {
            ReferenceErrorKind::Empty => write!(
                f,
                "invalid reference format: the image reference is empty; \
                 give a name such as busybox, user/app:tag or 127.0.0.1:5000/app:v1"
            ),
            ReferenceErrorKind::InvalidFormat => write!(
                f,
                "invalid reference format: {shown}: {}; expected [HOST[:PORT]/]NAME[:TAG][@DIGEST], \
                 e.g. busybox:latest or 127.0.0.1:5000/team/app:v1",
                diagnose_format(&self.input)
            ),
            ReferenceErrorKind::NameContainsUppercase => {
                let remote = uppercase_part(&self.input);
                write!(
                    f,
                    "invalid reference format: repository name ({remote}) must be lowercase \
                     (in {shown}); use lower case: {}",
                    quote(&lowercase_suggestion(&self.input))
                )
            }
            ReferenceErrorKind::NameTooLong => write!(
                f,
                "repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters \
                 ({shown} has a {}-character repository path); use a shorter name",
                path_len_hint(&self.input)
            ),
            ReferenceErrorKind::InvalidTag => write!(
                f,
                "invalid tag in {shown}: {}; a tag is 1 to 128 letters, digits, '_', '.' or '-', \
                 and must not start with '.' or '-'",
                tag_problem(&self.input)
            ),
            ReferenceErrorKind::InvalidDigest => write!(
                f,
                "invalid digest in {shown}: {}; a digest looks like sha256:<64 lower-case hex digits>",
                digest_problem(&self.input)
            ),
            ReferenceErrorKind::NameIsIdentifier => write!(
                f,
                "invalid repository name ({}), cannot specify 64-byte hexadecimal strings; \
                 to refer to an image by content use NAME@sha256:<hex>",
                truncate(&self.input)
            ),
            ReferenceErrorKind::Layout(why) => write!(f, "invalid layout reference {shown}: {why}"),
        }
    }
}
impl std::error::Error for ReferenceError {}

impl ReferenceError {
    /// What is wrong, without the expected-grammar hint: for a malformed reference the
    /// specific reason (`"h:0" has port 0, outside 1-65535 …`), otherwise the whole message.
    pub fn reason(&self) -> String {
        match self.kind {
            ReferenceErrorKind::InvalidFormat => diagnose_format(&self.input),
            _ => self.to_string(),
        }
    }
}

impl Reference {
    /// Parse and normalise like docker's `ParseNormalizedNamed` (no default tag added).
    /// `oci:PATH[:REF]` and `oci-archive:FILE[:REF]` name an OCI layout ([`crate::place`]).
    pub fn parse(s: &str) -> Result<Self, ReferenceError> {
        if let Some(layout) = crate::place::parse(s) {
            return layout;
        }
        parse_normalized(s).map_err(|kind| ReferenceError {
            input: s.to_string(),
            kind,
        })
    }

    /// Parse, then add `:latest` when neither tag nor digest is given (docker's `TagNameOnly`).
    pub fn parse_tagged(s: &str) -> Result<Self, ReferenceError> {
        Self::parse(s).map(Self::with_default_tag)
    }

    /// A layout keeps neither: it then names its only manifest.
    pub fn with_default_tag(mut self) -> Self {
        if self.tag.is_none() && self.digest.is_none() && !self.is_layout() {
            self.tag = Some(DEFAULT_TAG.to_string());
        }
        self
    }

    /// `domain/path` without tag or digest (a layout: `oci:PATH`).
    pub fn name(&self) -> String {
        if self.is_layout() {
            return self.domain.clone();
        }
        format!("{}/{}", self.domain, self.path)
    }

    /// True when this names an OCI layout, not a registry ([`crate::place`]).
    pub fn is_layout(&self) -> bool {
        crate::place::Location::of(&self.domain).is_some()
    }

    /// The short form docker shows (`busybox:latest`, `user/app`, `localhost:5000/x:1`).
    pub fn familiar(&self) -> String {
        let mut out = self.familiar_name();
        if let Some(t) = &self.tag {
            out.push(':');
            out.push_str(t);
        }
        if let Some(d) = &self.digest {
            out.push('@');
            out.push_str(d.as_str());
        }
        out
    }

    /// The familiar repository name without tag or digest (`busybox`, `user/app`,
    /// `127.0.0.1:5000/app`), like docker's `FamiliarName`, except that it always parses
    /// back to this repository: `library/` stays when the rest alone is 64 hex digits,
    /// which would read as an image ID (docker shows `aa…` there, which it then refuses).
    pub fn familiar_name(&self) -> String {
        if self.domain != DEFAULT_DOMAIN || self.is_layout() {
            return self.name();
        }
        match self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
            Some(rest) if !rest.contains('/') && !is_identifier(rest) => rest.to_string(),
            _ => self.path.clone(),
        }
    }

    /// True for Docker Hub references (`docker.io`).
    pub fn is_docker_hub(&self) -> bool {
        self.domain == DEFAULT_DOMAIN
    }

    /// The same repository with `tag` (digest kept). Fails when `tag` is not a valid tag.
    pub fn with_tag(&self, tag: &str) -> Result<Self, ReferenceError> {
        let valid = if self.is_layout() {
            crate::place::is_ref_name(tag)
        } else {
            is_valid_tag(tag)
        };
        if !valid {
            return Err(ReferenceError {
                input: format!("{}:{tag}", self.name()),
                kind: ReferenceErrorKind::InvalidTag,
            });
        }
        Ok(Reference {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: Some(tag.to_string()),
            digest: self.digest.clone(),
        })
    }

    /// The same repository, pointing at `digest` (tag dropped).
    pub fn at_digest(&self, digest: &Digest) -> Self {
        Reference {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: None,
            digest: Some(digest.clone()),
        }
    }

    /// The tag or digest to put in a `/manifests/<reference>` URL (digest wins).
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => DEFAULT_TAG.to_string(),
        }
    }
}

/// Full normalised string: `docker.io/library/busybox:latest`, `host:5000/a/b@sha256:…`,
/// `name:tag@sha256:…` when both are present.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written parser for distribution/reference's grammar:
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [domain "/"] path-component ["/" path-component]*
//   domain     := host [":" port]          host := domain-name | "[" ipv6 "]"
//   path-comp  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest     := alg-comp ( [-_+.] alg-comp )* ":" hex{32,}   (then sha256/sha512 only)
//
// Every slice below is taken at the position of an ASCII byte, so it is always on a char
// boundary: the parser cannot panic, whatever the input.
// ---------------------------------------------------------------------------------------------

/// The pieces of an input after docker's `splitDockerDomain`.
struct Pieces<'a> {
    /// The domain as written (`index.docker.io` kept), or [`DEFAULT_DOMAIN`].
    domain: &'a str,
    /// True when the first component was taken as the domain.
    explicit_domain: bool,
    /// True when `library/` is to be prepended (Docker Hub official image).
    library: bool,
    /// The repository path as written (without an added `library/`).
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

impl Pieces<'_> {
    fn normalised_domain(&self) -> &str {
        if self.domain == LEGACY_DEFAULT_DOMAIN {
            DEFAULT_DOMAIN
        } else {
            self.domain
        }
    }

    fn full_path(&self) -> String {
        if self.library {
            format!("{OFFICIAL_REPO_PREFIX}{}", self.path)
        } else {
            self.path.to_string()
        }
    }
}

fn split_pieces(s: &str) -> Pieces<'_> {
    let (domain, explicit_domain, remainder) = match s.split_once('/') {
        None => (DEFAULT_DOMAIN, false, s),
        Some((first, rest)) => {
            if first_is_domain(first) {
                (first, true, rest)
            } else {
                (DEFAULT_DOMAIN, false, s)
            }
        }
    };
    let hub = domain == DEFAULT_DOMAIN || domain == LEGACY_DEFAULT_DOMAIN;
    let library = hub && !remainder.contains('/');
    let (left, digest) = match remainder.split_once('@') {
        Some((l, d)) => (l, Some(d)),
        None => (remainder, None),
    };
    let (path, tag) = match left.split_once(':') {
        Some((p, t)) => (p, Some(t)),
        None => (left, None),
    };
    Pieces {
        domain,
        explicit_domain,
        library,
        path,
        tag,
        digest,
    }
}

fn parse_normalized(s: &str) -> Result<Reference, ReferenceErrorKind> {
    use ReferenceErrorKind as K;
    if s.is_empty() {
        return Err(K::Empty);
    }
    if is_identifier(s) {
        return Err(K::NameIsIdentifier);
    }
    let p = split_pieces(s);
    if p.path.to_lowercase() != p.path {
        return Err(K::NameContainsUppercase);
    }
    if p.explicit_domain && !is_domain(p.domain) {
        let lower = p.domain.to_lowercase();
        if lower != p.domain && is_path_component(&lower) {
            // Go's Parse: the input only fails because of upper case.
            return Err(K::NameContainsUppercase);
        }
        return Err(K::InvalidFormat);
    }
    if !is_remote_name(p.path) {
        return Err(K::InvalidFormat);
    }
    if let Some(t) = p.tag {
        if !is_valid_tag(t) {
            return Err(K::InvalidTag);
        }
    }
    if let Some(d) = p.digest {
        if !is_digest_syntax(d) {
            return Err(K::InvalidDigest);
        }
    }
    let path = p.full_path();
    if path.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(K::NameTooLong);
    }
    let digest = match p.digest {
        Some(d) => Some(Digest::parse(d).map_err(|_| K::InvalidDigest)?),
        None => None,
    };
    Ok(Reference {
        domain: p.normalised_domain().to_string(),
        path,
        tag: p.tag.map(str::to_string),
        digest,
    })
}

/// `[a-f0-9]{64}`: a bare image ID, which docker refuses as a repository name.
fn is_identifier(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let mut i = 0;
    loop {
        // One alphanumeric run.
        let start = i;
        while i < b.len() && is_alnum_lower(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        // One separator.
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

fn is_remote_name(p: &str) -> bool {
    !p.is_empty() && p.split('/').all(is_path_component)
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`
fn is_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        }
        _ => false,
    }
}

/// Digits only (the grammar's `[0-9]+`).
fn is_port_syntax(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
}

/// A TCP port that can be connected to: 1 to 65535 (leading zeros allowed, as in the
/// grammar). Docker accepts any digits and fails later at the connection.
fn is_port(p: &str) -> bool {
    is_port_syntax(p) && p.parse::<u16>().is_ok_and(|n| n != 0)
}

/// The port part of a registry domain (`host:port`, `[v6]:port`), if any.
fn domain_port(d: &str) -> Option<&str> {
    match d.strip_prefix('[') {
        Some(rest) => rest.split_once(']')?.1.strip_prefix(':'),
        None => d.split_once(':').map(|(_, p)| p),
    }
}

/// `host[:port]` where host is a DNS-like name, an IPv4 address or `[ipv6]`.
fn is_domain(d: &str) -> bool {
    if let Some(rest) = d.strip_prefix('[') {
        let Some((inner, after)) = rest.split_once(']') else {
            return false;
        };
        let inner_ok =
            !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        return inner_ok && port_ok;
    }
    let (host, port) = match d.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    host.split('.').all(is_domain_component) && port.is_none_or(is_port)
}

/// `[\w][\w.-]{0,127}` (ASCII `\w`).
pub fn is_valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    match b.first() {
        Some(&f) if word(f) => {
            b.len() <= TAG_MAX && b.iter().all(|&x| word(x) || x == b'.' || x == b'-')
        }
        _ => false,
    }
}

/// The digest grammar of distribution/reference (algorithm and at least 32 hex digits).
fn is_digest_syntax(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['-', '_', '+', '.']).all(|c| {
            let b = c.as_bytes();
            b.first().is_some_and(u8::is_ascii_alphabetic)
                && b.iter().all(u8::is_ascii_alphanumeric)
        });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

// ----- helpers for error messages (recomputed from the input, so errors stay small) -----

const SHOWN_MAX: usize = 120;

/// Part of the input for a message, shortened when very long and terminal-inert (control
/// and bidi characters escaped).
fn truncate(s: &str) -> String {
    let s = crate::sanitize::inert(s);
    match s.char_indices().nth(SHOWN_MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.into_owned(),
    }
}

/// The input, quoted and escaped (control characters visible), shortened when very long.
fn quote(s: &str) -> String {
    match s.char_indices().nth(SHOWN_MAX) {
        Some((i, _)) => format!("{:?}…", &s[..i]),
        None => format!("{s:?}"),
    }
}

/// What docker names in its "must be lowercase" message.
fn uppercase_part(input: &str) -> String {
    let p = split_pieces(input);
    if p.path.to_lowercase() != p.path {
        truncate(&p.full_path())
    } else {
        truncate(p.domain)
    }
}

/// The input with the repository name lower-cased (tag and digest kept as written).
fn lowercase_suggestion(input: &str) -> String {
    let (left, digest) = match input.split_once('@') {
        Some((l, d)) => (l, Some(d)),
        None => (input, None),
    };
    let last_slash = left.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match left[last_slash..].find(':') {
        Some(i) => left.split_at(last_slash + i),
        None => (left, ""),
    };
    let mut out = name.to_lowercase();
    out.push_str(tag);
    if let Some(d) = digest {
        out.push('@');
        out.push_str(d);
    }
    out
}

fn path_len_hint(input: &str) -> usize {
    split_pieces(input).full_path().len()
}

fn tag_problem(input: &str) -> String {
    let p = split_pieces(input);
    let Some(t) = p.tag else {
        return "no tag found".to_string();
    };
    let shown = quote(t);
    if t.is_empty() {
        return "the tag after ':' is empty (leave out the ':' to use latest)".to_string();
    }
    if t.len() > TAG_MAX {
        return format!(
            "tag {shown} is {} characters long, more than {TAG_MAX}",
            t.len()
        );
    }
    if t.starts_with(['.', '-']) {
        return format!("tag {shown} starts with {:?}", &t[..1]);
    }
    match t
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        Some(c) => format!("tag {shown} contains {c:?}"),
        None => format!("tag {shown} is not valid"),
    }
}

fn digest_problem(input: &str) -> String {
    let Some((_, d)) = input.split_once('@') else {
        return "no digest found".to_string();
    };
    let shown = quote(d);
    if d.is_empty() {
        return "the digest after '@' is empty".to_string();
    }
    if !d.contains(':') {
        return format!("digest {shown} has no ALGORITHM: prefix");
    }
    if d.contains('@') {
        return format!("digest {shown} contains a second '@'");
    }
    if !is_digest_syntax(d) {
        return format!("digest {shown} is not ALGORITHM:HEX with at least 32 hex digits");
    }
    match Digest::parse(d) {
        Ok(_) => format!("digest {shown} is not valid"),
        Err(e) => e.to_string(),
    }
}

/// A specific reason for an "invalid reference format" error.
fn diagnose_format(input: &str) -> String {
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return "it contains spaces or control characters".to_string();
    }
    if let Some((scheme, _)) = input.split_once("://") {
        return format!(
            "it looks like a URL; leave out the {}:// scheme",
            truncate(scheme)
        );
    }
    let p = split_pieces(input);
    if p.explicit_domain && !is_domain(p.domain) {
        let d = quote(p.domain);
        if let Some(port) = domain_port(p.domain).filter(|p| is_port_syntax(p)) {
            if !is_port(port) {
                return format!(
                    "{d} has port {}, outside 1-65535: use the registry's real port, e.g. \
                     127.0.0.1:5000",
                    truncate(port)
                );
            }
        }
        if p.domain.starts_with('[') {
            return format!(
                "{d} is not a valid IPv6 registry address: use [ADDRESS]:PORT with hex digits and \
                 ':' only (no zone such as %eth0)"
            );
        }
        if p.domain.contains('_') {
            return format!("{d} looks like a registry host but '_' is not allowed in host names");
        }
        if let Some((_, port)) = p.domain.split_once(':') {
            if !is_port_syntax(port) {
                return format!("{d} is not HOST:PORT: the port must be digits");
            }
        }
        return format!(
            "{d} is not a valid registry host: use letters, digits, '-' and '.', or an IPv6 \
             address in brackets"
        );
    }
    if !p.explicit_domain && input.starts_with('[') {
        return "an IPv6 registry needs a repository path after it, e.g. [::1]:5000/app"
            .to_string();
    }
    if p.path.is_empty() {
        return "the repository name is empty".to_string();
    }
    for c in p.path.split('/') {
        if c.is_empty() {
            return "the repository path has an empty component ('//' or a leading or trailing '/')"
                .to_string();
        }
        if !is_path_component(c) {
            return format!(
                "path component {} is invalid: use lower-case letters and digits, separated by \
                 '.', '_', '__' or '-' (not at the start or end)",
                quote(c)
            );
        }
    }
    "it does not match the reference grammar".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferenceErrorKind as K;

    const FF: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    fn ok(s: &str) -> Reference {
        match Reference::parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn err(s: &str) -> ReferenceErrorKind {
        match Reference::parse(s) {
            Ok(r) => panic!("{s:?} should fail, got {r}"),
            Err(e) => e.kind,
        }
    }

    /// (input, full normalised string, domain, path, tag, digest)
    type Vector<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
    );

    #[test]
    fn parse_vectors() {
        let cases: &[Vector] = &[
            ("busybox", "docker.io/library/busybox", "docker.io", "library/busybox", None, None),
            ("user/app", "docker.io/user/app", "docker.io", "user/app", None, None),
            ("test_com", "docker.io/library/test_com", "docker.io", "library/test_com", None, None),
            ("test.com:tag", "docker.io/library/test.com:tag", "docker.io", "library/test.com", Some("tag"), None),
            ("test.com:5000", "docker.io/library/test.com:5000", "docker.io", "library/test.com", Some("5000"), None),
            ("test.com/repo:tag", "test.com/repo:tag", "test.com", "repo", Some("tag"), None),
            ("test:5000/repo", "test:5000/repo", "test:5000", "repo", None, None),
            ("test:5000/repo:tag", "test:5000/repo:tag", "test:5000", "repo", Some("tag"), None),
            ("lowercase:Uppercase", "docker.io/library/lowercase:Uppercase", "docker.io", "library/lowercase", Some("Uppercase"), None),
            ("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", Some("some-long-tag"), None),
            ("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", Some("test.example.com"), None),
            ("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", Some("xn--n3h.com"), None),
            ("foo_bar.com:8080", "docker.io/library/foo_bar.com:8080", "docker.io", "library/foo_bar.com", Some("8080"), None),
            ("foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", Some("8080"), None),
            ("192.168.1.1", "docker.io/library/192.168.1.1", "docker.io", "library/192.168.1.1", None, None),
            ("192.168.1.1:5000", "docker.io/library/192.168.1.1:5000", "docker.io", "library/192.168.1.1", Some("5000"), None),
            ("192.168.1.1/repo", "192.168.1.1/repo", "192.168.1.1", "repo", None, None),
            ("192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", Some("5050"), None),
            ("[2001:db8::1]/repo", "[2001:db8::1]/repo", "[2001:db8::1]", "repo", None, None),
            ("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", Some("tag"), None),
            ("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", Some("tag"), None),
            ("[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", None, None),
            ("[::1]:5000/repo", "[::1]:5000/repo", "[::1]:5000", "repo", None, None),
            ("localhost/name", "localhost/name", "localhost", "name", None, None),
            ("localhost:5000/name:v1", "localhost:5000/name:v1", "localhost:5000", "name", Some("v1"), None),
            ("localhost", "docker.io/library/localhost", "docker.io", "library/localhost", None, None),
            ("localhost:5000", "docker.io/library/localhost:5000", "docker.io", "library/localhost", Some("5000"), None),
            ("index.docker.io/fooo/bar", "docker.io/fooo/bar", "docker.io", "fooo/bar", None, None),
            ("index.docker.io/debian", "docker.io/library/debian", "docker.io", "library/debian", None, None),
            ("docker.io/foo", "docker.io/library/foo", "docker.io", "library/foo", None, None),
            ("docker.io/library/foo/bar", "docker.io/library/foo/bar", "docker.io", "library/foo/bar", None, None),
            ("Foo/bar", "Foo/bar", "Foo", "bar", None, None),
            ("FOO/bar", "FOO/bar", "FOO", "bar", None, None),
            ("test-com:8080/foo", "test-com:8080/foo", "test-com:8080", "foo", None, None),
            ("docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker.io", "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", None, None),
            ("dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io", "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", None, None),
        ];
        for (input, full, domain, path, tag, digest) in cases {
            let r = ok(input);
            assert_eq!(r.to_string(), *full, "{input}");
            assert_eq!(r.domain, *domain, "{input}");
            assert_eq!(r.path, *path, "{input}");
            assert_eq!(r.tag.as_deref(), *tag, "{input}");
            assert_eq!(r.digest.as_ref().map(Digest::as_str), *digest, "{input}");
        }
    }

    #[test]
    fn tag_and_digest() {
        let r = ok(&format!("test:5000/repo@{FF}"));
        assert_eq!((r.domain.as_str(), r.path.as_str()), ("test:5000", "repo"));
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_ref().map(Digest::as_str), Some(FF));

        let r = ok(&format!("[2001:db8::1]:5000/repo:tag@{FF}"));
        assert_eq!(r.tag.as_deref(), Some("tag"));
        assert_eq!(r.to_string(), format!("[2001:db8::1]:5000/repo:tag@{FF}"));

        let short = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
        let r = ok(short);
        assert_eq!(r.to_string(), format!("docker.io/library/{short}"));
        assert_eq!(r.familiar(), short);
        assert_eq!(r.tag.as_deref(), Some("latest"));
        assert!(r.digest.is_some());

        let sha512 = format!(
            "xn--7o8h.com/myimage:xn--7o8h.com@sha512:{}",
            "f".repeat(128)
        );
        let r = ok(&sha512);
        assert_eq!(r.to_string(), sha512);
        assert_eq!(r.digest.as_ref().map(Digest::algorithm), Some("sha512"));
    }

    #[test]
    fn invalid_vectors() {
        let cases: &[(&str, ReferenceErrorKind)] = &[
            ("", K::Empty),
            (":justtag", K::InvalidFormat),
            ("@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", K::InvalidFormat),
            ("repo@sha256:ffffffffffffffffffffffffffffffffff", K::InvalidDigest),
            ("validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", K::InvalidDigest),
            ("repo@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", K::InvalidDigest),
            ("repo@sha256:abc", K::InvalidDigest),
            ("repo@", K::InvalidDigest),
            ("Uppercase:tag", K::NameContainsUppercase),
            ("test:5000/Uppercase/lowercase:tag", K::NameContainsUppercase),
            ("docker/Docker", K::NameContainsUppercase),
            ("docker.io/docker/Docker", K::NameContainsUppercase),
            ("Foo_x/bar", K::NameContainsUppercase),
            ("aa/asdf$$^/aa", K::InvalidFormat),
            ("[2001:db8::1]", K::InvalidFormat),
            ("[2001:db8::1]:5000", K::InvalidFormat),
            ("[2001:db8::1]:tag", K::InvalidFormat),
            ("[fe80::1%eth0]:5000/repo", K::InvalidFormat),
            ("[fe80::1%@invalidzone]:5000/repo", K::InvalidFormat),
            ("[fc00::1]", K::InvalidFormat),
            ("[fc00::1]:5000", K::InvalidFormat),
            ("fc00::1:5000/debian", K::InvalidFormat),
            ("[2001:db8:3:4::192.0.2.33]:5000/debian", K::InvalidFormat),
            ("https://github.com/docker/docker", K::InvalidFormat),
            ("-docker", K::InvalidFormat),
            ("-docker/docker", K::InvalidFormat),
            ("-docker.io/docker/docker", K::InvalidFormat),
            ("docker///docker", K::InvalidFormat),
            ("docker.io/docker///docker", K::InvalidFormat),
            ("docker-/docker", K::InvalidFormat),
            ("-docker-/docker", K::InvalidFormat),
            ("____/____", K::InvalidFormat),
            ("_docker/_docker", K::InvalidFormat),
            ("dock..er/docker", K::InvalidFormat),
            ("dock_.er/docker", K::InvalidFormat),
            ("dock-.er/docker", K::InvalidFormat),
            ("dock___er/docker", K::InvalidFormat),
            ("docker/", K::InvalidFormat),
            ("foo_bar.com/x", K::InvalidFormat),
            ("host:port/x", K::InvalidFormat),
            ("foo bar", K::InvalidFormat),
            ("foo:-bad", K::InvalidTag),
            ("foo:.bad", K::InvalidTag),
            ("foo:", K::InvalidTag),
            ("foo:a/b", K::InvalidFormat),
            ("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", K::NameIsIdentifier),
            ("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker", K::NameTooLong),
        ];
        for (input, kind) in cases {
            assert_eq!(err(input), *kind, "{input:?}");
        }
    }

    #[test]
    fn valid_names_from_normalize_test() {
        for s in [
            "docker/docker",
            "library/debian",
            "debian",
            "docker.io/docker/docker",
            "docker.io/library/debian",
            "docker.io/debian",
            "index.docker.io/docker/docker",
            "index.docker.io/library/debian",
            "index.docker.io/debian",
            "127.0.0.1:5000/docker/docker",
            "127.0.0.1:5000/library/debian",
            "127.0.0.1:5000/debian",
            "192.168.0.1",
            "192.168.0.1:80",
            "192.168.0.1:8/debian",
            "192.168.0.2:25000/debian",
            "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            "[fc00::1]:5000/docker",
            "[fc00::1]:5000/docker/docker",
            "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
            "Docker/docker",
            "DOCKER/docker",
            "docker-rules/docker",
            "docker---rules/docker",
            "doc/docker",
            "d/docker",
            "jess/t",
            "dock__er/docker",
            "a.b/c__d/e--f/g.h",
        ] {
            ok(s);
        }
    }

    #[test]
    fn length_limits() {
        // The check is on the repository path (without the domain), as docker 28 does.
        let at_limit = format!("{}a:tag-puts-this-over-max", "a/".repeat(127));
        assert_eq!(ok(&at_limit).path.len(), 255);
        assert_eq!(err(&format!("{}a:tag", "a/".repeat(128))), K::NameTooLong);
        // A long domain does not count.
        let long_domain = format!("{}.example.com:5000/{}", "d".repeat(60), "p".repeat(250));
        assert_eq!(ok(&long_domain).path.len(), 250);
        // Familiar names get library/ prepended, which counts.
        assert_eq!(ok(&"a".repeat(247)).path.len(), 255);
        assert_eq!(err(&"a".repeat(248)), K::NameTooLong);
        // Tags: 128 characters at most.
        ok(&format!("foo:{}", "t".repeat(128)));
        assert_eq!(err(&format!("foo:{}", "t".repeat(129))), K::InvalidTag);
    }

    #[test]
    fn familiar_forms() {
        let cases = [
            ("docker.io/library/busybox:latest", "busybox:latest"),
            ("busybox", "busybox"),
            ("docker.io/user/app", "user/app"),
            ("fooo/bar", "fooo/bar"),
            ("library/ubuntu", "ubuntu"),
            ("docker.io/library/foo/bar", "library/foo/bar"),
            ("store/foo/bar", "store/foo/bar"),
            (
                "index.docker.io/library/ubuntu-12.04-base",
                "ubuntu-12.04-base",
            ),
            (
                "127.0.0.1:8000/private/moonbase",
                "127.0.0.1:8000/private/moonbase",
            ),
            (
                "example.com:8000/privatebasee",
                "example.com:8000/privatebasee",
            ),
            ("localhost:5000/x:1", "localhost:5000/x:1"),
            ("Foo/bar", "Foo/bar"),
        ];
        for (input, familiar) in cases {
            assert_eq!(ok(input).familiar(), familiar, "{input}");
        }
        assert_eq!(ok("docker.io/library/redis:7").familiar_name(), "redis");
    }

    #[test]
    fn familiar_form_of_a_hex_repository_parses_back() {
        // A 64-hex official name: alone it reads as an image ID, so `library/` stays.
        let hex = "aa627ca9".repeat(8);
        for input in [
            format!("library/{hex}"),
            format!("docker.io/library/{hex}:v1"),
            format!("library/{hex}@sha256:{}", "f".repeat(64)),
        ] {
            let r = ok(&input);
            let fam = r.familiar();
            assert!(fam.starts_with(&format!("library/{hex}")), "{input}: {fam}");
            assert_eq!(ok(&fam), r, "{input}: {fam}");
            assert_eq!(ok(&r.familiar_name()).name(), r.name(), "{input}");
        }
        // One hex digit less is a plain name, shown short as usual.
        let short = &hex[..63];
        assert_eq!(ok(&format!("library/{short}")).familiar(), short);
        // Under a user namespace nothing changes.
        assert_eq!(ok(&format!("user/{hex}")).familiar(), format!("user/{hex}"));
    }

    #[test]
    fn default_tag_and_helpers() {
        let r = Reference::parse_tagged("busybox").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/busybox:latest");
        let r = Reference::parse_tagged(&format!("busybox@{FF}")).unwrap();
        assert_eq!(r.tag, None, "a digest reference gets no default tag");
        assert_eq!(r.manifest_reference(), FF);
        let r = ok("127.0.0.1:5000/a/b:v1");
        assert_eq!(r.name(), "127.0.0.1:5000/a/b");
        assert_eq!(r.manifest_reference(), "v1");
        assert_eq!(
            r.with_tag("v2").unwrap().to_string(),
            "127.0.0.1:5000/a/b:v2"
        );
        assert_eq!(r.with_tag("-x").unwrap_err().kind, K::InvalidTag);
        let d = Digest::parse(FF).unwrap();
        assert_eq!(
            r.at_digest(&d).to_string(),
            format!("127.0.0.1:5000/a/b@{FF}")
        );
        assert!(ok("busybox").is_docker_hub());
        assert_eq!(
            "busybox:1".parse::<Reference>().unwrap().tag.as_deref(),
            Some("1")
        );
    }

    #[test]
    fn the_first_component_names_a_registry_as_docker_decides() {
        for (input, named) in [
            ("127.0.0.1:5000/app", true),
            ("example.com/app", true),
            ("localhost/app", true),
            ("index.docker.io/app", true),
            // docker's rule: upper case makes it a domain (the TUI's old `looks_like_host`
            // read it as a repository path, put `--registry` before it, and the reference
            // failed on upper case).
            ("Team/app", true),
            ("team/app", false),
            ("localhost", false),
            ("busybox:latest", false),
        ] {
            assert_eq!(names_registry(input), named, "{input}");
        }
        assert_eq!(ok("Team/app").domain, "Team");
        assert_eq!(err("team/Team/app"), K::NameContainsUppercase);
    }

    #[test]
    fn registry_hosts_are_normalised_once() {
        for (typed, host) in [
            ("https://index.docker.io/v1/", "docker.io"),
            ("registry-1.docker.io", "docker.io"),
            ("registry.hub.docker.com", "docker.io"),
            (" http://Host.Example:5000/ ", "host.example:5000"),
            ("127.0.0.1:5000", "127.0.0.1:5000"),
        ] {
            assert_eq!(normalize_registry(typed), host, "{typed:?}");
        }
        assert_eq!(
            host_of_key("https://other.example:7000/v1/"),
            "other.example:7000"
        );
        assert_eq!(
            registry_host("http://localhost:5001/").as_deref(),
            Ok("localhost:5001")
        );
        assert!(registry_host("h:0").is_err_and(|e| e.contains("outside 1-65535")));
        assert!(registry_host("a_b").is_err());
    }

    #[test]
    fn messages_are_actionable() {
        let msg = |s: &str| Reference::parse(s).unwrap_err().to_string();
        let m = msg("Foo:tag");
        assert!(
            m.contains("repository name (library/Foo) must be lowercase"),
            "{m}"
        );
        assert!(m.contains("use lower case: \"foo:tag\""), "{m}");
        let m = msg("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a");
        assert!(
            m.contains("cannot specify 64-byte hexadecimal strings"),
            "{m}"
        );
        let m = msg("foo:-bad");
        assert!(
            m.contains("\"foo:-bad\"") && m.contains("starts with \"-\""),
            "{m}"
        );
        let m = msg("repo@md5:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
        assert!(m.contains("unsupported algorithm"), "{m}");
        let m = msg("docker///docker");
        assert!(m.contains("empty component"), "{m}");
        let m = msg("https://x/y");
        assert!(m.contains("URL"), "{m}");
        let m = msg("[fe80::1%eth0]:5000/repo");
        assert!(m.contains("IPv6"), "{m}");
        let m = msg("[::1]:5000");
        assert!(m.contains("needs a repository path"), "{m}");
        let m = msg(&"a".repeat(300));
        assert!(
            m.contains("must not be more than 255") && m.contains('…'),
            "{m}"
        );
        assert!(m.len() < 400, "long inputs are shortened in messages");
        let m = msg("");
        assert!(m.contains("empty"), "{m}");
        let m = msg("a\u{1b}[31m");
        assert!(m.contains("\\u{1b}"), "control characters are escaped: {m}");
    }

    #[test]
    fn ports_outside_1_to_65535_are_refused() {
        for (s, port) in [
            ("127.0.0.1:99999/x", "99999"),
            ("host:0/x", "0"),
            ("localhost:65536/app:v1", "65536"),
            ("[::1]:0/repo", "0"),
            ("[2001:db8::1]:70000/repo:tag", "70000"),
            ("registry.example.com:00000/a/b", "00000"),
            ("x.y:99999999999999999999999/z", "99999999999999999999999"),
        ] {
            let e = Reference::parse(s).unwrap_err();
            assert_eq!(e.kind, K::InvalidFormat, "{s}");
            let m = e.to_string();
            assert!(
                m.contains(&format!("has port {port}, outside 1-65535")),
                "{s}: {m}"
            );
        }
        for (s, domain) in [
            ("127.0.0.1:1/x", "127.0.0.1:1"),
            ("host:65535/x", "host:65535"),
            ("[::1]:443/repo", "[::1]:443"),
            ("localhost:05000/x", "localhost:05000"),
        ] {
            assert_eq!(ok(s).domain, domain, "{s}");
        }
        // A port-like tag is not a port: `name:99999` is tag 99999 of docker.io/library/name.
        assert_eq!(ok("test.com:99999").tag.as_deref(), Some("99999"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "/",
            "//",
            ":",
            "@",
            "@@",
            ":@",
            "[",
            "]",
            "[]",
            "[]/a",
            "[:]/a",
            "a/[",
            "é",
            "é/é",
            "a:é",
            "a@é:é",
            "É/a",
            "a/É",
            "ÉÉ:x/y",
            "\0",
            "a\0b/c",
            "[::1]:/a",
            "a:/b",
            ":/",
            "a//",
            "localhost/",
            "localhost:",
            "docker.io/",
            "a@sha256:",
            "a:b:c",
            "a@b@c",
            "🐳",
            "🐳/🐳:🐳@🐳",
            "x.y:99999999999999999999999/z",
        ];
        for s in odd {
            let _ = Reference::parse(s).map_err(|e| e.to_string());
        }
        // Every prefix of a few tricky inputs, at every char boundary.
        for base in [
            "[2001:db8::1]:5000/repo:tag@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "Éé.x_y:1/ä/b:Ü@sha256:ää",
        ] {
            for (i, _) in base.char_indices() {
                let _ = Reference::parse(&base[..i]).map_err(|e| e.to_string());
                let _ = Reference::parse(&base[i..]).map_err(|e| e.to_string());
            }
        }
    }

    #[test]
    fn grammar_helpers() {
        assert!(is_path_component("a"));
        assert!(is_path_component("a.b_c__d---e"));
        assert!(!is_path_component("a___b"));
        assert!(!is_path_component("a."));
        assert!(!is_path_component(""));
        assert!(is_domain("localhost:5000"));
        assert!(is_domain("[::1]"));
        assert!(!is_domain("[::1]:"));
        assert!(!is_domain("a..b"));
        assert!(!is_domain("-a.b"));
        assert!(is_valid_tag("_x"));
        assert!(!is_valid_tag(""));
        assert!(is_digest_syntax(
            "sha256+b64u.x-y_z:0123456789abcdef0123456789abcdef"
        ));
        assert!(!is_digest_syntax("1sha:0123456789abcdef0123456789abcdef"));
    }
}
