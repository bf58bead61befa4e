//! What refers to the manifest the browser shows (OCI 1.1 referrers: signatures, SBOMs,
//! attestations pushed as artifacts), one row per referrer.
//! Pure: built from the [`Referrers`] the worker sent after the content.

use crate::digest::Digest;
use crate::media::Descriptor;
use crate::registry::{Referrers, ReferrersVia};

/// The annotation a referrer's creation time is read from.
pub(crate) const CREATED: &str = "org.opencontainers.image.created";

/// How the referrers were found, in a few words (`referrers API`, `tag scheme`).
pub(crate) fn via_label(via: ReferrersVia) -> &'static str {
    match via {
        ReferrersVia::Api => "referrers API",
        ReferrersVia::TagScheme => "tag scheme",
    }
}

/// What a referrer is (`signature`, `SBOM`, `attestation`, else its artifact type), from its
/// descriptor's `artifactType`; `referrer` when the descriptor names none.
pub(crate) fn referrer_kind(d: &Descriptor) -> String {
    d.artifact_type
        .as_deref()
        .map(crate::attest::artifact_label)
        .unwrap_or_else(|| "referrer".into())
}

/// One referrer as the panel shows it. Text is registry-supplied: drawing makes it inert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferrerRow {
    /// `signature`, `SBOM`, `attestation`; `other` for any other artifact type (shown
    /// beside it), `referrer` when the descriptor names none.
    pub(crate) kind: String,
    pub(crate) artifact_type: Option<String>,
    pub(crate) media_type: String,
    pub(crate) digest: Digest,
    pub(crate) size: i64,
    /// The `org.opencontainers.image.created` annotation, to the second.
    pub(crate) created: Option<String>,
}

/// The rows of the referrers found, in the registry's order.
pub(crate) fn referrer_rows(r: &Referrers) -> Vec<ReferrerRow> {
    r.descriptors
        .iter()
        .map(|d| {
            let kind = referrer_kind(d);
            ReferrerRow {
                kind: if d.artifact_type.as_deref() == Some(kind.as_str()) {
                    "other".to_string()
                } else {
                    kind
                },
                artifact_type: d.artifact_type.clone(),
                media_type: d.media_type.clone(),
                digest: d.digest.clone(),
                size: d.size,
                created: d
                    .annotations
                    .get(CREATED)
                    .map(|t| crate::image::time_label(t)),
            }
        })
        .collect()
}

/// How they were asked for, for the panel's message when none were found: the API, or the
/// `sha256-<hex>` tag the tag scheme keeps them under. One line each.
pub(crate) fn asked_how(via: ReferrersVia, subject: &Digest) -> Vec<String> {
    match via {
        ReferrersVia::Api => vec!["asked the registry's referrers API".to_string()],
        ReferrersVia::TagScheme => vec![
            "asked by the tag scheme (the registry has no referrers API):".to_string(),
            format!(
                "nothing under the tag {}",
                crate::attest::referrers_tag(subject)
            ),
        ],
    }
}
