//! Attestations: BuildKit's attestation manifests inside an index (matched to the platform
//! they describe), the in-toto statements they carry, and a short summary of each statement
//! (SLSA provenance, SPDX and CycloneDX SBOMs). Also the OCI 1.1 referrers tag scheme.
//! Pure data, no I/O: [`crate::ops::statements`] and [`crate::registry::Client::referrers`]
//! fetch.

use crate::digest::Digest;
use crate::media::{is_attestation, Descriptor};
use serde_json::Value;
use std::collections::BTreeMap;

/// The annotation BuildKit puts on an attestation entry of an index.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// The annotation naming the manifest an attestation entry describes.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// The annotation on each layer of an attestation manifest naming its predicate type.
pub const PREDICATE_TYPE: &str = "in-toto.io/predicate-type";

/// For an attestation entry of an index, the digest of the manifest it describes: the
/// [`REFERENCE_DIGEST`] annotation of an entry [`is_attestation`] counts as one (BuildKit
/// also sets [`REFERENCE_TYPE`], hand-made lists may not). The one rule for "which image
/// does this attestation describe": the views, the JSON and `copy --platform` all use it.
pub fn attestation_subject(d: &Descriptor) -> Option<Digest> {
    if !is_attestation(d) {
        return None;
    }
    d.annotations
        .get(REFERENCE_DIGEST)
        .and_then(|s| Digest::parse(s).ok())
}

/// The entries of an index split into images and the attestations describing each: for every
/// entry without an [`attestation_subject`], the indices of the attestation entries whose
/// subject it is. Attestations whose subject is not in the index are returned apart
/// (`orphans`). An entry [`is_attestation`] counts but that names no image stays a row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grouped {
    /// `(index of the image entry, indices of its attestation entries)`, in index order.
    pub images: Vec<(usize, Vec<usize>)>,
    pub orphans: Vec<usize>,
}

pub fn group(entries: &[Descriptor]) -> Grouped {
    let mut out = Grouped::default();
    let mut subjects: BTreeMap<&Digest, usize> = BTreeMap::new();
    for (i, d) in entries.iter().enumerate() {
        if attestation_subject(d).is_none() {
            subjects.entry(&d.digest).or_insert(out.images.len());
            out.images.push((i, Vec::new()));
        }
    }
    for (i, d) in entries.iter().enumerate() {
        if let Some(s) = attestation_subject(d) {
            match subjects.get(&s) {
                Some(&slot) => out.images[slot].1.push(i),
                None => out.orphans.push(i),
            }
        }
    }
    out
}

/// What a type string names: an OCI `artifactType` (`application/vnd.cyclonedx+json`) or an
/// in-toto `predicateType` (`https://slsa.dev/provenance/v1`). The one classifier both
/// [`PredicateKind::of`] and [`artifact_label`] read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArtifactKind {
    /// cosign, Notary, any `signature` type.
    Signature,
    /// SLSA provenance.
    Provenance,
    /// SPDX, CycloneDX, any `sbom` type.
    Sbom,
    /// Any other in-toto or DSSE type.
    Attestation,
    Other,
}

impl ArtifactKind {
    pub fn of(type_string: &str) -> ArtifactKind {
        let t = type_string.to_ascii_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if any(&["signature", "cosign", "notary"]) {
            ArtifactKind::Signature
        } else if any(&["slsa.dev/provenance"]) {
            ArtifactKind::Provenance
        } else if any(&["spdx", "cyclonedx", "sbom"]) {
            ArtifactKind::Sbom
        } else if any(&["in-toto", "dsse", "attestation"]) {
            ArtifactKind::Attestation
        } else {
            ArtifactKind::Other
        }
    }
}

/// A short name for an artifact type: `signature`, `provenance`, `SBOM`, `attestation`, else
/// the type itself.
pub fn artifact_label(artifact_type: &str) -> String {
    match ArtifactKind::of(artifact_type) {
        ArtifactKind::Signature => "signature".into(),
        ArtifactKind::Provenance => "provenance".into(),
        ArtifactKind::Sbom => "SBOM".into(),
        ArtifactKind::Attestation => "attestation".into(),
        ArtifactKind::Other => artifact_type.to_string(),
    }
}

/// What a statement is, by its predicate type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PredicateKind {
    Provenance,
    Sbom,
    Other,
}

impl PredicateKind {
    /// By [`ArtifactKind::of`]: provenance, SBOM, or any other statement.
    pub fn of(predicate_type: &str) -> PredicateKind {
        match ArtifactKind::of(predicate_type) {
            ArtifactKind::Provenance => PredicateKind::Provenance,
            ArtifactKind::Sbom => PredicateKind::Sbom,
            _ => PredicateKind::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PredicateKind::Provenance => "provenance",
            PredicateKind::Sbom => "SBOM",
            PredicateKind::Other => "attestation",
        }
    }
}

/// The predicate type of an attestation manifest's layer (its annotation), if any.
pub fn layer_predicate(layer: &Descriptor) -> Option<&str> {
    layer.annotations.get(PREDICATE_TYPE).map(String::as_str)
}

/// One in-toto statement, summarised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub predicate_type: String,
    /// `(name, sha256 digest)` of each subject.
    pub subjects: Vec<(String, String)>,
    pub summary: Summary,
}

impl Statement {
    pub fn kind(&self) -> PredicateKind {
        PredicateKind::of(&self.predicate_type)
    }
}

/// What a statement says, in a few fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Summary {
    Provenance(Provenance),
    Sbom(Sbom),
    /// A predicate type we do not summarise: its top-level keys, sorted.
    Other {
        keys: Vec<String>,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    pub builder: String,
    pub build_type: String,
    /// Where the build definition came from (a git URL, a context).
    pub source: String,
    /// The source's commit, when recorded.
    pub commit: String,
    /// Build arguments (`build-arg:` prefix removed) and other frontend arguments.
    pub args: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sbom {
    /// `SPDX` or `CycloneDX`.
    pub format: String,
    pub packages: usize,
    /// The tools that wrote it.
    pub tools: Vec<String>,
    /// The packages the document describes at its top level (name and version).
    pub top: Vec<String>,
}

fn s(v: &Value, path: &[&str]) -> String {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(next) => cur = next,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(x) => x.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Parse and summarise an in-toto statement (`application/vnd.in-toto+json`).
pub fn parse_statement(bytes: &[u8]) -> Result<Statement, String> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid in-toto statement: {e}"))?;
    let predicate_type = s(&v, &["predicateType"]);
    if predicate_type.is_empty() {
        return Err("not an in-toto statement: it has no predicateType".into());
    }
    let subjects = v
        .get("subject")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| (s(x, &["name"]), s(x, &["digest", "sha256"])))
                .collect()
        })
        .unwrap_or_default();
    let p = v.get("predicate").cloned().unwrap_or(Value::Null);
    let summary = match PredicateKind::of(&predicate_type) {
        PredicateKind::Provenance => Summary::Provenance(provenance(&p)),
        PredicateKind::Sbom if predicate_type.contains("spdx") => Summary::Sbom(spdx(&p)),
        PredicateKind::Sbom if predicate_type.contains("cyclonedx") => Summary::Sbom(cyclonedx(&p)),
        // Another SBOM format, or any other statement: its predicate's keys.
        PredicateKind::Sbom | PredicateKind::Other => Summary::Other {
            keys: {
                let mut keys: Vec<String> = p
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                keys.sort();
                keys
            },
        },
    };
    Ok(Statement {
        predicate_type,
        subjects,
        summary,
    })
}

/// SLSA provenance v0.2 (`builder`, `invocation`) or v1 (`buildDefinition`, `runDetails`).
fn provenance(p: &Value) -> Provenance {
    let v1 = p.get("buildDefinition").is_some();
    let (builder, build_type, source, args) = if v1 {
        (
            s(p, &["runDetails", "builder", "id"]),
            s(p, &["buildDefinition", "buildType"]),
            p.pointer("/buildDefinition/externalParameters/configSource")
                .cloned(),
            p.pointer("/buildDefinition/externalParameters/request/args")
                .cloned(),
        )
    } else {
        (
            s(p, &["builder", "id"]),
            s(p, &["buildType"]),
            p.pointer("/invocation/configSource").cloned(),
            p.pointer("/invocation/parameters/args").cloned(),
        )
    };
    let source = source.unwrap_or(Value::Null);
    let mut out = Provenance {
        builder,
        build_type,
        source: s(&source, &["uri"]),
        commit: s(&source, &["digest", "sha1"]),
        args: BTreeMap::new(),
    };
    // BuildKit also records the git source in its own metadata.
    let vcs = p
        .pointer("/metadata/https:~1~1mobyproject.org~1buildkit@v1#metadata/vcs")
        .or_else(|| p.pointer("/runDetails/metadata/buildkit_metadata/vcs"));
    if let Some(vcs) = vcs {
        if out.source.is_empty() {
            out.source = s(vcs, &["source"]);
        }
        if out.commit.is_empty() {
            out.commit = s(vcs, &["revision"]);
        }
    }
    if let Some(Value::Object(m)) = args {
        for (k, v) in m {
            let k = k.strip_prefix("build-arg:").unwrap_or(&k).to_string();
            let v = match v {
                Value::String(x) => x,
                other => other.to_string(),
            };
            out.args.insert(k, v);
        }
    }
    out
}

fn spdx(p: &Value) -> Sbom {
    let packages = p.get("packages").and_then(Value::as_array);
    let tools = p
        .pointer("/creationInfo/creators")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|c| c.strip_prefix("Tool:"))
                .map(|c| c.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    // Top level: what the document DESCRIBES (documentDescribes, or DESCRIBES relationships).
    let mut described: Vec<String> = p
        .get("documentDescribes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if described.is_empty() {
        if let Some(rels) = p.get("relationships").and_then(Value::as_array) {
            described = rels
                .iter()
                .filter(|r| s(r, &["relationshipType"]) == "DESCRIBES")
                .map(|r| s(r, &["relatedSpdxElement"]))
                .collect();
        }
    }
    let top = packages
        .map(|a| {
            a.iter()
                .filter(|pkg| described.contains(&s(pkg, &["SPDXID"])))
                .map(|pkg| name_version(&s(pkg, &["name"]), &s(pkg, &["versionInfo"])))
                .collect()
        })
        .unwrap_or_default();
    Sbom {
        format: "SPDX".into(),
        packages: packages.map_or(0, Vec::len),
        tools,
        top,
    }
}

fn cyclonedx(p: &Value) -> Sbom {
    let components = p.get("components").and_then(Value::as_array);
    // `metadata.tools` is an array of {name, version} (1.4) or {components: [...]} (1.5+).
    let tools = p.pointer("/metadata/tools");
    let tools = tools
        .and_then(Value::as_array)
        .or_else(|| {
            tools
                .and_then(|t| t.get("components"))
                .and_then(Value::as_array)
        })
        .map(|a| {
            a.iter()
                .map(|t| name_version(&s(t, &["name"]), &s(t, &["version"])))
                .collect()
        })
        .unwrap_or_default();
    let top = p
        .pointer("/metadata/component")
        .map(|c| vec![name_version(&s(c, &["name"]), &s(c, &["version"]))])
        .unwrap_or_default();
    Sbom {
        format: "CycloneDX".into(),
        packages: components.map_or(0, Vec::len),
        tools,
        top,
    }
}

fn name_version(name: &str, version: &str) -> String {
    if version.is_empty() {
        name.to_string()
    } else {
        format!("{name} {version}")
    }
}

/// The tag the OCI 1.1 referrers tag scheme uses for `subject`: `sha256-<hex>`.
pub fn referrers_tag(subject: &Digest) -> String {
    subject.to_string().replacen(':', "-", 1)
}

/// True when `tag` is [`referrers_tag`] of some digest (`<algorithm>-<hex>` where
/// `<algorithm>:<hex>` is a digest [`Digest::parse`] accepts: lower-case hex only, as the
/// OCI digest grammar has it): such tags hold referrer indexes, not images, and are marked
/// apart in tag lists.
pub fn is_referrers_tag(tag: &str) -> bool {
    tag.split_once('-')
        .is_some_and(|(alg, hex)| Digest::parse(&format!("{alg}:{hex}")).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(digest: u8, annotations: &[(&str, String)]) -> Descriptor {
        let mut d = crate::media::RawManifest::new(
            format!(r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"x","size":{digest},"digest":"sha256:{:064x}"}},"layers":[]}}"#, digest).into_bytes(),
            "application/vnd.oci.image.manifest.v1+json",
        )
        .unwrap()
        .descriptor();
        d.annotations = annotations
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        d
    }

    fn att(of: &Descriptor) -> Vec<(&'static str, String)> {
        vec![
            (REFERENCE_TYPE, "attestation-manifest".to_string()),
            (REFERENCE_DIGEST, of.digest.to_string()),
        ]
    }

    #[test]
    fn groups_attestations_under_their_platform() {
        let amd = desc(1, &[]);
        let arm = desc(2, &[]);
        let ghost = desc(9, &[]);
        let entries = vec![
            amd.clone(),
            arm.clone(),
            desc(3, &att(&amd)),
            desc(4, &att(&arm)),
            desc(5, &att(&ghost)),
            // An entry with the type but no digest is an ordinary row.
            desc(6, &[(REFERENCE_TYPE, "attestation-manifest".into())]),
        ];
        let g = group(&entries);
        assert_eq!(g.images, vec![(0, vec![2]), (1, vec![3]), (5, vec![])]);
        assert_eq!(g.orphans, vec![4]);
    }

    /// A hand-made attestation entry (platform unknown/unknown, the digest annotation, no
    /// type annotation) describes its image like BuildKit's; an image entry carrying a stray
    /// digest annotation does not.
    #[test]
    fn the_digest_annotation_of_any_attestation_entry_names_its_image() {
        let amd = desc(1, &[]);
        let mut hand_made = desc(3, &[(REFERENCE_DIGEST, amd.digest.to_string())]);
        hand_made.platform = Some(crate::platform::Platform::new("unknown", "unknown", ""));
        assert_eq!(attestation_subject(&hand_made), Some(amd.digest.clone()));
        let mut image = desc(4, &[(REFERENCE_DIGEST, amd.digest.to_string())]);
        image.platform = Some(crate::platform::Platform::new("linux", "arm64", ""));
        assert_eq!(attestation_subject(&image), None);
        let g = group(&[amd, hand_made, image]);
        assert_eq!(g.images, vec![(0, vec![1]), (2, vec![])]);
    }

    #[test]
    fn slsa_v02_provenance_as_buildkit_writes_it() {
        let st = br#"{"_type":"https://in-toto.io/Statement/v0.1",
          "predicateType":"https://slsa.dev/provenance/v0.2",
          "subject":[{"name":"pkg:docker/app@v1?platform=linux%2Famd64","digest":{"sha256":"ab"}}],
          "predicate":{"builder":{"id":"https://github.com/org/app/actions/runs/1"},
            "buildType":"https://mobyproject.org/buildkit@v1",
            "invocation":{"configSource":{"uri":"https://github.com/org/app.git#refs/tags/v1",
                "digest":{"sha1":"0123456789abcdef0123456789abcdef01234567"},"entryPoint":"Dockerfile"},
              "parameters":{"frontend":"dockerfile.v0","args":{"build-arg:VERSION":"1.0","target":"prod"}}}}}"#;
        let s = parse_statement(st).unwrap();
        assert_eq!(s.kind(), PredicateKind::Provenance);
        assert_eq!(s.subjects[0].1, "ab");
        let Summary::Provenance(p) = s.summary else {
            panic!("{:?}", s.summary)
        };
        assert_eq!(p.builder, "https://github.com/org/app/actions/runs/1");
        assert_eq!(p.build_type, "https://mobyproject.org/buildkit@v1");
        assert_eq!(p.source, "https://github.com/org/app.git#refs/tags/v1");
        assert_eq!(p.commit, "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(p.args["VERSION"], "1.0");
        assert_eq!(p.args["target"], "prod");
    }

    #[test]
    fn slsa_v1_provenance_and_vcs_metadata() {
        let st = br#"{"predicateType":"https://slsa.dev/provenance/v1","predicate":{
          "buildDefinition":{"buildType":"https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md",
            "externalParameters":{"request":{"args":{"build-arg:A":"b"}}}},
          "runDetails":{"builder":{"id":"local"},"metadata":{"buildkit_metadata":{"vcs":{
            "source":"https://github.com/org/app","revision":"feed"}}}}}}"#;
        let Summary::Provenance(p) = parse_statement(st).unwrap().summary else {
            panic!()
        };
        assert_eq!(p.builder, "local");
        assert_eq!(p.source, "https://github.com/org/app");
        assert_eq!(p.commit, "feed");
        assert_eq!(p.args["A"], "b");
    }

    #[test]
    fn spdx_and_cyclonedx_summaries() {
        let spdx = br#"{"predicateType":"https://spdx.dev/Document","predicate":{
          "spdxVersion":"SPDX-2.3","creationInfo":{"creators":["Organization: x","Tool: syft-v1.0.0","Tool: buildkit-v0.16"]},
          "packages":[{"SPDXID":"SPDXRef-img","name":"app","versionInfo":"1.0"},
                      {"SPDXID":"SPDXRef-a","name":"musl","versionInfo":"1.2.5"},
                      {"SPDXID":"SPDXRef-b","name":"busybox"}],
          "relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-img"}]}}"#;
        let s = parse_statement(spdx).unwrap();
        assert_eq!(s.kind(), PredicateKind::Sbom);
        let Summary::Sbom(b) = s.summary else {
            panic!()
        };
        assert_eq!(b.format, "SPDX");
        assert_eq!(b.packages, 3);
        assert_eq!(b.tools, ["syft-v1.0.0", "buildkit-v0.16"]);
        assert_eq!(b.top, ["app 1.0"]);

        let cdx = br#"{"predicateType":"https://cyclonedx.org/bom","predicate":{
          "metadata":{"tools":{"components":[{"name":"syft","version":"1.0"}]},"component":{"name":"app","version":"2"}},
          "components":[{"name":"a"},{"name":"b"}]}}"#;
        let Summary::Sbom(b) = parse_statement(cdx).unwrap().summary else {
            panic!()
        };
        assert_eq!((b.format.as_str(), b.packages), ("CycloneDX", 2));
        assert_eq!(b.tools, ["syft 1.0"]);
        assert_eq!(b.top, ["app 2"]);
    }

    #[test]
    fn refuses_what_is_not_a_statement() {
        assert!(parse_statement(b"{}").is_err());
        assert!(parse_statement(b"not json").is_err());
        let other = parse_statement(
            br#"{"predicateType":"https://example.com/x","predicate":{"b":1,"a":2}}"#,
        )
        .unwrap();
        assert_eq!(
            other.summary,
            Summary::Other {
                keys: vec!["a".into(), "b".into()]
            }
        );
    }

    #[test]
    fn one_classifier_for_artifact_and_predicate_types() {
        use ArtifactKind as A;
        for (t, kind) in [
            (
                "application/vnd.dev.cosign.artifact.sig.v1+json",
                A::Signature,
            ),
            ("application/vnd.cncf.notary.signature", A::Signature),
            ("https://slsa.dev/provenance/v0.2", A::Provenance),
            ("https://spdx.dev/Document", A::Sbom),
            ("application/vnd.cyclonedx+json", A::Sbom),
            ("application/vnd.in-toto+json", A::Attestation),
            ("application/vnd.example.thing", A::Other),
        ] {
            assert_eq!(ArtifactKind::of(t), kind, "{t}");
        }
        // Where the two old rules disagreed: a predicate type naming an SBOM by word (the
        // old predicate rule knew only spdx.dev and cyclonedx.org) is an SBOM, and an
        // artifact type naming SLSA provenance is provenance (the old artifact rule showed
        // the bare type).
        assert_eq!(
            PredicateKind::of("https://example.com/sbom/v1"),
            PredicateKind::Sbom
        );
        assert_eq!(
            artifact_label("https://slsa.dev/provenance/v1"),
            "provenance"
        );
        assert_eq!(
            artifact_label("application/vnd.example.thing"),
            "application/vnd.example.thing"
        );
        // An SBOM in a format without a summary shows its predicate's keys.
        let st = br#"{"predicateType":"https://example.com/sbom/v1","predicate":{"b":1,"a":2}}"#;
        let st = parse_statement(st).expect("statement");
        assert_eq!(st.kind(), PredicateKind::Sbom);
        assert_eq!(
            st.summary,
            Summary::Other {
                keys: vec!["a".into(), "b".into()]
            }
        );
    }

    #[test]
    fn referrers_tag_scheme() {
        let d = Digest::sha256(b"x");
        let t = referrers_tag(&d);
        assert!(t.starts_with("sha256-") && t.len() == 71);
        assert!(is_referrers_tag(&t));
        assert!(!is_referrers_tag("sha256-abc"));
        assert!(!is_referrers_tag("v1-rc"));
        assert!(!is_referrers_tag(&format!("sha256-{}", "g".repeat(64))));
        // Upper-case hex is no digest (Digest::parse refuses it), so no referrers tag: the
        // old shape check here accepted it.
        assert!(!is_referrers_tag(&format!("sha256-{}", "A".repeat(64))));
        assert!(is_referrers_tag(&format!("sha512-{}", "a".repeat(128))));
    }
}
