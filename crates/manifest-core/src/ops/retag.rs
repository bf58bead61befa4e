//! Retag and delete in a repository. A retag puts the manifest's exact bytes under each new
//! tag (no blob traffic). A delete removes a manifest by digest; the registry drops every
//! tag pointing at it, so those tags are found first for the front end to show.

use super::{reg_err, OpError};
use crate::digest::Digest;
use crate::reference::Reference;
use crate::registry::{Client, ErrorCode, Repo, PAGE_SIZE};
use futures_util::future::{join_all, try_join_all};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagReport {
    pub source: Reference,
    pub digest: Digest,
    /// Every new tag, as a reference.
    pub tagged: Vec<Reference>,
}

/// Put the manifest `src` names under each of `tags` in the same repository.
pub async fn tag(client: &Client, src: &Reference, tags: &[String]) -> Result<TagReport, OpError> {
    let src = src.clone().with_default_tag();
    if tags.is_empty() {
        return Err(OpError::Invalid(format!(
            "give at least one new tag for {src} (e.g. `manifest-tui tag {src} v2`)"
        )));
    }
    let tagged: Vec<Reference> = tags
        .iter()
        .map(|t| tagged(&src, t))
        .collect::<Result<_, _>>()?;
    let raw = client
        .get_manifest(&src)
        .await
        .map_err(reg_err(format!("fetching {src}")))?;
    let repo = Repo::of(&src);
    let puts = tagged.iter().map(|t| {
        let (repo, raw, src) = (&repo, &raw, &src);
        async move {
            client
                .put_manifest(repo, &t.manifest_reference(), &raw.media_type, &raw.bytes)
                .await
                .map_err(reg_err(format!("tagging {src} as {t}")))
        }
    });
    try_join_all(puts).await?;
    Ok(TagReport {
        source: src,
        digest: raw.digest,
        tagged,
    })
}

/// `r`'s repository under `tag` (no digest).
fn tagged(r: &Reference, tag: &str) -> Result<Reference, crate::reference::ReferenceError> {
    let mut t = r.with_tag(tag)?;
    t.digest = None;
    Ok(t)
}

/// What a delete removes: the manifest by digest, and every tag of the repository that
/// points at it (they go with it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletePlan {
    /// The repository and digest deleted (`repo@digest`).
    pub target: Reference,
    pub digest: Digest,
    /// Every tag pointing at `digest`, in the registry's order.
    pub tags: Vec<String>,
    /// The reference given was a tag (the rest of `tags` go too).
    pub by_tag: Option<String>,
}

impl DeletePlan {
    /// Tags that go too, besides the one named.
    pub fn other_tags(&self) -> Vec<&str> {
        self.tags
            .iter()
            .filter(|t| Some(t.as_str()) != self.by_tag.as_deref())
            .map(String::as_str)
            .collect()
    }
}

/// Resolve `r` to a digest and find every tag of its repository pointing at it (all tags
/// HEADed at once). Nothing is deleted.
pub async fn delete_plan(client: &Client, r: &Reference) -> Result<DeletePlan, OpError> {
    let r = r.clone().with_default_tag();
    let repo = Repo::of(&r);
    let digest = match &r.digest {
        Some(d) => d.clone(),
        None => match client
            .head_manifest(&r)
            .await
            .map_err(reg_err(format!("resolving {r}")))?
        {
            Some((_, d, _)) => d,
            None => {
                return Err(OpError::Invalid(format!(
                    "{r} does not exist; list the tags with `manifest-tui tags {}`",
                    r.name()
                )))
            }
        },
    };
    let all = client
        .list_tags(&repo, PAGE_SIZE)
        .await
        .map_err(reg_err(format!("listing the tags of {repo}")))?;
    let heads = all.iter().map(|t| {
        let r = &r;
        async move {
            match tagged(r, t) {
                Ok(x) => client.head_manifest(&x).await.map(|h| (t, h)),
                Err(_) => Ok((t, None)),
            }
        }
    });
    let mut tags = Vec::new();
    for res in join_all(heads).await {
        let (t, head) = res.map_err(reg_err(format!("checking the tags of {repo}")))?;
        if head.is_some_and(|(_, d, _)| d == digest) {
            tags.push(t.clone());
        }
    }
    Ok(DeletePlan {
        target: r.at_digest(&digest),
        digest,
        tags,
        by_tag: if r.digest.is_none() {
            r.tag.clone()
        } else {
            None
        },
    })
}

/// Delete the manifest of `plan` (by digest; with it go every tag in `plan.tags`).
pub async fn delete(client: &Client, plan: &DeletePlan) -> Result<(), OpError> {
    let repo = Repo::of(&plan.target);
    match client.delete_manifest(&repo, &plan.digest).await {
        Ok(()) => Ok(()),
        Err(e) if e.status() == Some(405) || e.code() == Some(&ErrorCode::Unsupported) => {
            Err(OpError::Invalid(format!(
                "this registry does not allow deletes ({} answered {} to DELETE {}): nothing was deleted. On a Distribution registry, deletes are enabled by `storage: delete: enabled: true` in its config (or REGISTRY_STORAGE_DELETE_ENABLED=true)",
                repo.domain,
                e.status().map_or_else(|| "UNSUPPORTED".to_string(), |s| s.to_string()),
                plan.target
            )))
        }
        Err(e) => Err(reg_err(format!("deleting {}", plan.target))(e)),
    }
}
