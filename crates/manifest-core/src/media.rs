//! Media types, descriptors, and the manifest shapes we read and write.
//!
//! Fetched manifests are kept as their exact bytes ([`RawManifest`]); the parsed view is
//! only for reading fields. The list we push is rendered by [`render_list`] byte for byte
//! like docker's `json.MarshalIndent(list, "", "   ")`.

use crate::digest::Digest;
use crate::platform::Platform;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// The Accept header for manifest GET/HEAD: all four manifest types.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// Largest manifest we accept from a registry or a store file.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// What a manifest is, from its media type (or its body when the type is missing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    DockerManifest,
    DockerList,
    OciManifest,
    OciIndex,
}

impl Kind {
    pub fn from_media_type(mt: &str) -> Option<Kind> {
        let mt = mt.split(';').next().unwrap_or("").trim();
        match mt {
            DOCKER_MANIFEST => Some(Kind::DockerManifest),
            DOCKER_LIST => Some(Kind::DockerList),
            OCI_MANIFEST => Some(Kind::OciManifest),
            OCI_INDEX => Some(Kind::OciIndex),
            _ => None,
        }
    }
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::DockerManifest => DOCKER_MANIFEST,
            Kind::DockerList => DOCKER_LIST,
            Kind::OciManifest => OCI_MANIFEST,
            Kind::OciIndex => OCI_INDEX,
        }
    }
    pub fn is_list(self) -> bool {
        matches!(self, Kind::DockerList | Kind::OciIndex)
    }
    pub fn is_oci(self) -> bool {
        matches!(self, Kind::OciManifest | Kind::OciIndex)
    }
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Kind::DockerManifest => "docker",
            Kind::DockerList => "docker list",
            Kind::OciManifest => "oci",
            Kind::OciIndex => "oci index",
        }
    }
}

/// A content descriptor (mediaType, digest, size, platform, annotations…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptor {
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    pub digest: Digest,
    pub size: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(
        rename = "artifactType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub artifact_type: Option<String>,
}

/// Go marshals an empty slice as `null` (docker writes `"manifests": null` for an empty
/// list): read it as empty.
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An image manifest (Docker schema2 or OCI), parsed view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageManifest {
    #[serde(rename = "schemaVersion")]
    pub schema_version: i64,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(
        rename = "artifactType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An index / manifest list, parsed view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    #[serde(rename = "schemaVersion")]
    pub schema_version: i64,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);
impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ParseError {}

/// A manifest exactly as fetched: bytes, the media type, and the digest of the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawManifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: Digest,
}

/// The parsed view of a raw manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Image(Box<ImageManifest>),
    Index(Index),
}

impl RawManifest {
    /// Wrap bytes, computing their digest. `media_type` may be empty: it is then sniffed from
    /// the body's own `mediaType` (or its shape).
    pub fn new(bytes: Vec<u8>, media_type: &str) -> Result<Self, ParseError> {
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(ParseError(format!(
                "manifest is {} bytes, over the {} byte limit",
                bytes.len(),
                MAX_MANIFEST_BYTES
            )));
        }
        let digest = Digest::sha256(&bytes);
        let mut raw = RawManifest {
            bytes,
            media_type: media_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string(),
            digest,
        };
        if Kind::from_media_type(&raw.media_type).is_none() {
            raw.media_type = sniff_media_type(&raw.bytes)?.to_string();
        }
        Ok(raw)
    }

    pub fn kind(&self) -> Kind {
        Kind::from_media_type(&self.media_type).unwrap_or(Kind::DockerManifest)
    }

    pub fn size(&self) -> i64 {
        self.bytes.len() as i64
    }

    pub fn parse(&self) -> Result<Parsed, ParseError> {
        parse_manifest(&self.bytes, self.kind())
    }

    /// A descriptor for this manifest (no platform).
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.size(),
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            platform: None,
            artifact_type: None,
        }
    }
}

/// Work out the media type of a manifest body with no (or an unknown) Content-Type.
pub fn sniff_media_type(bytes: &[u8]) -> Result<&'static str, ParseError> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "schemaVersion")]
        schema_version: Option<i64>,
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
        config: Option<serde_json::Value>,
    }
    let p: Probe = serde_json::from_slice(bytes)
        .map_err(|e| ParseError(format!("manifest is not valid JSON: {e}")))?;
    if let Some(k) = p.media_type.as_deref().and_then(Kind::from_media_type) {
        return Ok(k.media_type());
    }
    if p.schema_version == Some(1) {
        return Err(ParseError(
            "schema 1 manifests are deprecated and not supported; re-push the image with a current tool".into(),
        ));
    }
    if p.manifests.is_some() {
        return Ok(OCI_INDEX);
    }
    if p.config.is_some() {
        return Ok(OCI_MANIFEST);
    }
    Err(ParseError(
        "unrecognised manifest: no mediaType, manifests or config".into(),
    ))
}

pub fn parse_manifest(bytes: &[u8], kind: Kind) -> Result<Parsed, ParseError> {
    if kind.is_list() {
        let idx: Index = serde_json::from_slice(bytes)
            .map_err(|e| ParseError(format!("malformed {}: {e}", kind.label())))?;
        if idx.schema_version != 2 {
            return Err(ParseError(format!(
                "unsupported schemaVersion {} in {}",
                idx.schema_version,
                kind.label()
            )));
        }
        Ok(Parsed::Index(idx))
    } else {
        let m: ImageManifest = serde_json::from_slice(bytes)
            .map_err(|e| ParseError(format!("malformed {} manifest: {e}", kind.label())))?;
        if m.schema_version != 2 {
            return Err(ParseError(format!(
                "unsupported schemaVersion {} in {} manifest",
                m.schema_version,
                kind.label()
            )));
        }
        Ok(Parsed::Image(Box::new(m)))
    }
}

/// True for attestation / signature style artifacts found in indexes: an `unknown/unknown`
/// platform, a buildkit `vnd.docker.reference.type` annotation, or an artifactType. The
/// one rule for "not an image entry" (create, copy, diff and the copy checklist leave these
/// out); [`crate::attest::attestation_subject`] says which image one describes.
pub fn is_attestation(d: &Descriptor) -> bool {
    d.platform.as_ref().is_some_and(|p| p.is_unknown())
        || d.annotations.contains_key(crate::attest::REFERENCE_TYPE)
        || d.artifact_type.is_some()
}

/// A layer clients fetch from its `urls` instead of the registry: Docker's foreign layers
/// and OCI's non-distributable ones (Windows base layers). Registries accept a manifest
/// naming one without holding the blob, so copies and pushes do not send it, as docker,
/// crane and skopeo do not by default.
pub fn is_foreign_layer(d: &Descriptor) -> bool {
    !d.urls.is_empty()
        && (d.media_type == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
            || d.media_type
                .starts_with("application/vnd.oci.image.layer.nondistributable.v1.tar"))
}

/// One entry of a list we are about to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEntry {
    pub media_type: String,
    pub size: i64,
    pub digest: Digest,
    pub platform: Platform,
    pub annotations: BTreeMap<String, String>,
}

/// Render a list/index the way docker's `json.MarshalIndent(list, "", "   ")` does: key order
/// schemaVersion, mediaType, manifests[{mediaType,size,digest,platform{architecture,os,
/// os.version?,os.features?,variant?,features?}}], three-space indent, no trailing newline,
/// `<`, `>`, `&` escaped as `\u003c` etc.
///
/// Annotations are emitted only for an OCI index (docker emits none); a Docker list with
/// annotations is refused earlier by validation. `index_annotations` go last, after manifests.
pub fn render_list(
    kind: Kind,
    entries: &[ListEntry],
    index_annotations: &BTreeMap<String, String>,
) -> Vec<u8> {
    let mut w = GoJson::default();
    w.open('{');
    w.key("schemaVersion");
    w.raw("2");
    w.comma();
    w.key("mediaType");
    w.string(kind.media_type());
    w.comma();
    w.key("manifests");
    if entries.is_empty() {
        w.raw("null");
    } else {
        w.open('[');
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                w.comma();
            }
            w.open('{');
            w.key("mediaType");
            w.string(&e.media_type);
            w.comma();
            w.key("size");
            w.raw(&e.size.to_string());
            w.comma();
            w.key("digest");
            w.string(e.digest.as_str());
            if kind.is_oci() && !e.annotations.is_empty() {
                w.comma();
                w.key("annotations");
                w.map(&e.annotations);
            }
            w.comma();
            w.key("platform");
            w.open('{');
            let p = &e.platform;
            w.key("architecture");
            w.string(&p.architecture);
            w.comma();
            w.key("os");
            w.string(&p.os);
            if !p.os_version.is_empty() {
                w.comma();
                w.key("os.version");
                w.string(&p.os_version);
            }
            if !p.os_features.is_empty() {
                w.comma();
                w.key("os.features");
                w.strings(&p.os_features);
            }
            if !p.variant.is_empty() {
                w.comma();
                w.key("variant");
                w.string(&p.variant);
            }
            if !p.features.is_empty() {
                w.comma();
                w.key("features");
                w.strings(&p.features);
            }
            w.close('}');
            w.close('}');
        }
        w.close(']');
    }
    if kind.is_oci() && !index_annotations.is_empty() {
        w.comma();
        w.key("annotations");
        w.map(index_annotations);
    }
    w.close('}');
    w.out.into_bytes()
}

/// A tiny writer reproducing Go's `MarshalIndent` layout with a three-space indent.
#[derive(Default)]
struct GoJson {
    out: String,
    depth: usize,
}

impl GoJson {
    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("   ");
        }
    }
    fn open(&mut self, c: char) {
        self.out.push(c);
        self.depth += 1;
        self.newline();
    }
    fn close(&mut self, c: char) {
        self.depth -= 1;
        self.newline();
        self.out.push(c);
    }
    fn comma(&mut self) {
        self.out.push(',');
        self.newline();
    }
    fn key(&mut self, k: &str) {
        self.string(k);
        self.out.push_str(": ");
    }
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }
    fn strings(&mut self, v: &[String]) {
        self.open('[');
        for (i, s) in v.iter().enumerate() {
            if i > 0 {
                self.comma();
            }
            self.string(s);
        }
        self.close(']');
    }
    fn map(&mut self, m: &BTreeMap<String, String>) {
        self.open('{');
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 {
                self.comma();
            }
            self.key(k);
            self.string(v);
        }
        self.close('}');
    }
    /// Go's string encoding with HTML escaping.
    fn string(&mut self, s: &str) {
        go_quote_into(&mut self.out, s);
    }
}

/// Quote a string as Go's encoding/json does (HTML-safe escapes, U+2028/2029 escaped).
pub fn go_quote_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Re-indent JSON text the way Go's `json.Indent(dst, src, "", indent)` does, which is how
/// docker prints a manifest's own bytes (`inspect`, `inspect -v`): strings are
/// copied verbatim, empty `{}`/`[]` stay closed, `": "` after keys. Invalid input is
/// returned unchanged.
pub fn reindent(src: &[u8], indent: &str) -> String {
    let Ok(text) = std::str::from_utf8(src) else {
        return String::from_utf8_lossy(src).into_owned();
    };
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let mut need_indent = false;
    let chars: Vec<char> = text.chars().collect();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(indent);
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if need_indent && c != ']' && c != '}' {
            need_indent = false;
            depth += 1;
            newline(&mut out, depth);
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                need_indent = true;
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            '}' | ']' => {
                if need_indent {
                    need_indent = false; // empty object/array
                } else {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plat(arch: &str, os: &str, variant: &str) -> Platform {
        Platform {
            architecture: arch.into(),
            os: os.into(),
            variant: variant.into(),
            ..Default::default()
        }
    }

    #[test]
    fn render_matches_go_marshal_indent() {
        let e = ListEntry {
            media_type: DOCKER_MANIFEST.into(),
            size: 424,
            digest: Digest::sha256(b"a"),
            platform: plat("arm", "linux", "v7"),
            annotations: BTreeMap::new(),
        };
        let out = String::from_utf8(render_list(Kind::DockerList, &[e], &BTreeMap::new())).unwrap();
        let want = format!(
            "{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"{DOCKER_LIST}\",\n   \"manifests\": [\n      {{\n         \"mediaType\": \"{DOCKER_MANIFEST}\",\n         \"size\": 424,\n         \"digest\": \"{}\",\n         \"platform\": {{\n            \"architecture\": \"arm\",\n            \"os\": \"linux\",\n            \"variant\": \"v7\"\n         }}\n      }}\n   ]\n}}",
            Digest::sha256(b"a")
        );
        assert_eq!(out, want);
    }

    #[test]
    fn empty_list_reads_back() {
        let bytes = render_list(Kind::OciIndex, &[], &BTreeMap::new());
        let raw = RawManifest::new(bytes, OCI_INDEX).unwrap();
        match raw.parse().unwrap() {
            Parsed::Index(i) => assert!(i.manifests.is_empty()),
            Parsed::Image(_) => panic!("an index"),
        }
    }

    #[test]
    fn reindent_like_go() {
        let src = br#"{"a":[1,2],"b":{},"c":[],"d":"x\"{,"}"#;
        assert_eq!(
            reindent(src, "\t"),
            "{\n\t\"a\": [\n\t\t1,\n\t\t2\n\t],\n\t\"b\": {},\n\t\"c\": [],\n\t\"d\": \"x\\\"{,\"\n}"
        );
    }

    #[test]
    fn go_escapes_html() {
        let mut s = String::new();
        go_quote_into(&mut s, "a<b>&\u{1}");
        assert_eq!(s, "\"a\\u003cb\\u003e\\u0026\\u0001\"");
    }

    #[test]
    fn sniff() {
        assert_eq!(
            sniff_media_type(br#"{"schemaVersion":2,"manifests":[]}"#).unwrap(),
            OCI_INDEX
        );
        assert_eq!(
            sniff_media_type(br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}"#).unwrap(),
            DOCKER_MANIFEST
        );
        assert!(sniff_media_type(b"nope").is_err());
    }
}
