//! Listings: tag and catalog pages, and the pager that follows their `Link` headers.

use super::auth::Scope;
use super::client::{Client, Repo};
use super::transport::{encode, expect, read_limited, Call};
use super::{http, ErrorKind, RegistryError};
use reqwest::Method;

/// The most pages [`Client::list_tags`] fetches (a registry whose `Link`s never end).
pub const MAX_PAGES: usize = 10_000;

/// Follows `Link` continuation tokens safely: stops when a token repeats (a Link loop such
/// as a→b→a) or after [`MAX_PAGES`] pages. Shared by every paging loop.
#[derive(Debug, Default)]
pub struct Pager {
    last: Option<String>,
    seen: std::collections::HashSet<String>,
    pages: usize,
}

impl Pager {
    /// The token to ask the next page with (`None` for the first page).
    pub fn last(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// Record the token a page returned; false when paging must stop.
    pub fn advance(&mut self, next: Option<String>) -> bool {
        self.pages += 1;
        match next {
            Some(nx) if self.pages < MAX_PAGES && self.seen.insert(nx.clone()) => {
                self.last = Some(nx);
                true
            }
            _ => false,
        }
    }
}

impl Client {
    /// One page of tags (`n` per page, `last` = continuation token from the previous page's
    /// Link header). Returns the tags and the next `last` token, if any.
    pub async fn tags_page(
        &self,
        repo: &Repo,
        n: usize,
        last: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), RegistryError> {
        #[derive(serde::Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let path = page_path(&format!("/v2/{}/tags/list", repo.path), n, last);
        let call = Call::new(Method::GET, path, vec![Scope::pull(&repo.path)]);
        let (body, next, request): (Tags, _, _) = self.page(&repo.domain, call, last).await?;
        let _ = request;
        Ok((body.tags.unwrap_or_default(), next))
    }

    /// One page of the catalog (same paging as `tags_page`).
    pub async fn catalog_page(
        &self,
        domain: &str,
        n: usize,
        last: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), RegistryError> {
        #[derive(serde::Deserialize)]
        struct Catalog {
            #[serde(default)]
            repositories: Option<Vec<String>>,
        }
        let path = page_path("/v2/_catalog", n, last);
        let call = Call::new(Method::GET, path, vec![Scope::catalog()]);
        let (body, next, _): (Catalog, _, _) = self.page(domain, call, last).await?;
        Ok((body.repositories.unwrap_or_default(), next))
    }

    /// Every tag of a repository, page by page (`n` per page), with a loop guard: a `Link`
    /// that leads back to any page already fetched ends the listing, and so does reaching
    /// [`MAX_PAGES`] pages.
    pub async fn list_tags(&self, repo: &Repo, n: usize) -> Result<Vec<String>, RegistryError> {
        let mut all = Vec::new();
        let mut pager = Pager::default();
        loop {
            let (tags, next) = self.tags_page(repo, n, pager.last()).await?;
            all.extend(tags);
            if !pager.advance(next) {
                break;
            }
        }
        Ok(all)
    }

    /// GET a listing page, returning the JSON body and the next `last` token.
    async fn page<T: serde::de::DeserializeOwned>(
        &self,
        domain: &str,
        call: Call,
        last: Option<&str>,
    ) -> Result<(T, Option<String>, String), RegistryError> {
        let resp = self.execute(domain, call).await?;
        let resp = expect(resp, &[200]).await?;
        let links: Vec<String> = resp
            .resp
            .headers()
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let mut next = http::parse_next_link(&links.iter().map(String::as_str).collect::<Vec<_>>());
        if next
            .as_deref()
            .is_some_and(|n| Some(n) == last || n.is_empty())
        {
            next = None;
        }
        let request = resp.request.clone();
        let body = read_limited(resp, 16 * 1024 * 1024).await?;
        let parsed: T = serde_json::from_slice(&body).map_err(|e| {
            RegistryError::new(
                request.clone(),
                ErrorKind::Other(format!("malformed listing: {e}")),
            )
        })?;
        Ok((parsed, next, request))
    }
}

fn page_path(base: &str, n: usize, last: Option<&str>) -> String {
    let mut p = format!("{base}?n={n}");
    if let Some(l) = last {
        p.push_str("&last=");
        p.push_str(&encode(l));
    }
    p
}

#[cfg(test)]
mod pager_tests {
    use super::Pager;

    #[test]
    fn stops_on_a_link_loop_and_at_the_end() {
        let mut p = Pager::default();
        assert_eq!(p.last(), None);
        assert!(p.advance(Some("a".into())));
        assert!(p.advance(Some("b".into())));
        assert!(!p.advance(Some("a".into())), "a→b→a is a loop");
        let mut p = Pager::default();
        assert!(!p.advance(None));
    }
}
