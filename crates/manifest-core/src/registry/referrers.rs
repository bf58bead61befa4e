//! OCI 1.1 referrers: the referrers API (`GET /v2/<name>/referrers/<digest>`), and where a
//! registry has none (Distribution 2.8, GHCR) the `sha256-<hex>` tag scheme's index.

use super::auth::Scope;
use super::client::{Client, Repo};
use super::transport::Call;
use super::{ErrorCode, RegistryError};
use crate::attest::referrers_tag;
use crate::digest::Digest;
use crate::media::{Descriptor, Parsed, RawManifest, OCI_INDEX};
use crate::reference::Reference;
use reqwest::Method;
use std::sync::atomic::Ordering;

/// How a registry answered for the referrers of a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferrersVia {
    /// The registry's referrers API.
    Api,
    /// The `sha256-<hex>` tag (the registry has no referrers API).
    TagScheme,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referrers {
    pub via: ReferrersVia,
    /// The referring manifests' descriptors (with `artifactType`, annotations).
    pub descriptors: Vec<Descriptor>,
    /// By the tag scheme: the index under the `sha256-<hex>` tag, as fetched.
    pub index: Option<RawManifest>,
}

impl Client {
    /// What refers to `subject` in `repo`: the referrers API's pages when the registry has
    /// the API, else the tag scheme's index (empty when neither has anything). A tag-scheme
    /// tag that resolves to something other than an index of referrers (GitLab answers with
    /// the subject itself) counts as none.
    pub async fn referrers(
        &self,
        repo: &Repo,
        subject: &Digest,
    ) -> Result<Referrers, RegistryError> {
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            manifests: Option<Vec<Descriptor>>,
        }
        let mut descriptors = Vec::new();
        let mut next: Option<String> = None;
        let mut pages = 0;
        // An OCI layout has no referrers API: its tags are the tag scheme.
        if self.layout(&repo.domain)?.is_none() {
            let registry = self.registry(&repo.domain)?;
            while !registry.no_referrers_api.load(Ordering::Relaxed) {
                let path = next
                    .clone()
                    .unwrap_or_else(|| format!("/v2/{}/referrers/{subject}", repo.path));
                let call = Call::new(Method::GET, path, vec![Scope::pull(&repo.path)])
                    .header(reqwest::header::ACCEPT, OCI_INDEX);
                match self.page::<Page>(&repo.domain, call).await {
                    Ok((page, link)) => {
                        descriptors.extend(page.manifests.unwrap_or_default());
                        pages += 1;
                        match link {
                            Some(l) if pages < super::MAX_PAGES => next = Some(l),
                            _ => {
                                return Ok(Referrers {
                                    via: ReferrersVia::Api,
                                    descriptors,
                                    index: None,
                                })
                            }
                        }
                    }
                    // No API (404 on the route, or a registry that answers "unsupported"):
                    // the tag scheme. A 404 with an error envelope (NAME_UNKNOWN: no such
                    // repository yet) says nothing about the route, so only a bare one (no
                    // envelope) or a 405 is remembered for the registry.
                    Err(e) if pages == 0 && (e.is_not_found() || e.status() == Some(405)) => {
                        let bare =
                            matches!(e.code(), Some(ErrorCode::Other(c)) if c == "NOT_FOUND");
                        if bare || e.status() == Some(405) {
                            registry.no_referrers_api.store(true, Ordering::Relaxed);
                        }
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        let tag = Reference {
            domain: repo.domain.clone(),
            path: repo.path.clone(),
            tag: Some(referrers_tag(subject)),
            digest: None,
        };
        // Most manifests have no referrers tag: with the manifest cache, its HEAD's 404 is
        // the answer (no GET), so reading a list again sends no manifest GET at all.
        let (descriptors, index) = match self.find_manifest(&tag).await? {
            Some(m) if &m.digest != subject => match m.parse() {
                Ok(Parsed::Index(idx)) => (idx.manifests, Some(m)),
                _ => (Vec::new(), None),
            },
            _ => (Vec::new(), None),
        };
        Ok(Referrers {
            via: ReferrersVia::TagScheme,
            descriptors,
            index,
        })
    }
}
