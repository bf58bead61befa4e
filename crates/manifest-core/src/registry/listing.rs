//! Listings: tag and catalog pages, and the pager that follows their `Link` headers.

use super::auth::Scope;
use super::client::{Client, Repo};
use super::transport::{expect, read_limited, Call};
use super::{http, ErrorKind, RegistryError};
use reqwest::Method;

/// The most pages [`Client::list_tags`] fetches (a registry whose `Link`s never end).
pub const MAX_PAGES: usize = 10_000;

/// The page size listings ask for: Distribution ≥ 2.8 refuses a larger `n`, and registries
/// with a smaller page (Quay sends 50) say where the next page is in their `Link` header.
pub const PAGE_SIZE: usize = 1000;

/// Follows `Link` headers safely: stops when a next-page URL repeats (a Link loop such
/// as a→b→a) or after [`MAX_PAGES`] pages. Shared by every paging loop.
#[derive(Debug, Default)]
pub struct Pager {
    next: Option<String>,
    seen: std::collections::HashSet<String>,
    pages: usize,
}

impl Pager {
    /// Where to ask the next page (`None` for the first page): the path and query of the
    /// previous page's `rel="next"` link.
    pub fn next(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// Record the next-page link a page returned; false when paging must stop.
    pub fn advance(&mut self, next: Option<String>) -> bool {
        self.pages += 1;
        match next {
            Some(nx) if self.pages < MAX_PAGES && self.seen.insert(nx.clone()) => {
                self.next = Some(nx);
                true
            }
            _ => false,
        }
    }
}

impl Client {
    /// One page of tags: the first (`next` = `None`, `n` per page), or the page a previous
    /// page's link named (`next`, asked exactly as the registry wrote it; `n` is not added).
    /// Returns the tags and the link to the page after, if any.
    pub async fn tags_page(
        &self,
        repo: &Repo,
        n: usize,
        next: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), RegistryError> {
        #[derive(serde::Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        if let Some(l) = self.layout(&repo.domain)? {
            // A layout's tags are its ref names, all on one page.
            return l.tags().map(|t| (t, None));
        }
        let path = page_path(&format!("/v2/{}/tags/list", repo.path), n, next);
        let call = Call::new(Method::GET, path, vec![Scope::pull(&repo.path)]);
        let (body, next): (Tags, _) = self.page(&repo.domain, call).await?;
        Ok((body.tags.unwrap_or_default(), next))
    }

    /// One page of the catalog (same paging as `tags_page`).
    pub async fn catalog_page(
        &self,
        domain: &str,
        n: usize,
        next: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), RegistryError> {
        #[derive(serde::Deserialize)]
        struct Catalog {
            #[serde(default)]
            repositories: Option<Vec<String>>,
        }
        if let Some(l) = self.layout(domain)? {
            // A layout is one repository, with no name of its own.
            return l.tags().map(|_| (vec![String::new()], None));
        }
        let path = page_path("/v2/_catalog", n, next);
        let call = Call::new(Method::GET, path, vec![Scope::catalog()]);
        let (body, next): (Catalog, _) = self.page(domain, call).await?;
        Ok((body.repositories.unwrap_or_default(), next))
    }

    /// Every tag of a repository, page by page (`n` per page), with a loop guard: a `Link`
    /// that leads back to any page already fetched ends the listing, and so does reaching
    /// [`MAX_PAGES`] pages.
    pub async fn list_tags(&self, repo: &Repo, n: usize) -> Result<Vec<String>, RegistryError> {
        every_page(|next| async move { self.tags_page(repo, n, next.as_deref()).await }).await
    }

    /// Every repository of a registry's catalog, paged as [`Client::list_tags`] is.
    pub async fn list_catalog(&self, domain: &str, n: usize) -> Result<Vec<String>, RegistryError> {
        every_page(|next| async move { self.catalog_page(domain, n, next.as_deref()).await }).await
    }

    /// GET a listing page, returning the JSON body and the link to the next page.
    pub(super) async fn page<T: serde::de::DeserializeOwned>(
        &self,
        domain: &str,
        call: Call,
    ) -> Result<(T, Option<String>), RegistryError> {
        let asked = call.path.clone();
        let resp = self.execute(domain, call).await?;
        let resp = expect(resp, &[200]).await?;
        let links: Vec<&str> = resp
            .resp
            .headers()
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let next = http::parse_next_link(&links)
            .map(|target| next_page_path(resp.resp.url(), &target))
            .transpose()
            .map_err(|e| RegistryError::new(resp.request.clone(), ErrorKind::Other(e)))?
            // A link back to the page just read would repeat it forever.
            .filter(|p| *p != asked);
        let request = resp.request.clone();
        let body = read_limited(resp, 16 * 1024 * 1024).await?;
        let parsed: T = serde_json::from_slice(&body).map_err(|e| {
            RegistryError::new(
                request.clone(),
                ErrorKind::Other(format!("malformed listing: {e}")),
            )
        })?;
        Ok((parsed, next))
    }
}

/// Fetch page after page (`page(next link)`) under a [`Pager`] until a page is empty, has no
/// next link, or the pager stops; every name in order.
async fn every_page<F, Fut>(mut page: F) -> Result<Vec<String>, RegistryError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<String>, Option<String>), RegistryError>>,
{
    let mut all = Vec::new();
    let mut pager = Pager::default();
    loop {
        let (names, next) = page(pager.next().map(str::to_string)).await?;
        let empty = names.is_empty();
        all.extend(names);
        if empty || !pager.advance(next) {
            return Ok(all);
        }
    }
}

/// The first page's path (`?n=`), or the path of a page a link named, unchanged.
fn page_path(base: &str, n: usize, next: Option<&str>) -> String {
    match next {
        Some(p) => p.to_string(),
        None => format!("{base}?n={n}"),
    }
}

/// The path and query of a `Link` target, resolved against the URL of the page that carried
/// it (a relative link such as `tags/list?…` is relative to that page). The query is kept as
/// the registry wrote it: Quay's `next_page` tokens are opaque. The host of an absolute link
/// is not used: the next page is asked of the same registry, with the same credentials, as
/// skopeo does, so a link naming another host (a proxy's internal name) still works and never
/// receives the registry's token.
fn next_page_path(page: &reqwest::Url, target: &str) -> Result<String, String> {
    let url = page.join(target).map_err(|e| {
        format!("the registry's Link header names a next page that is not a URL ({target:?}: {e})")
    })?;
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    })
}

#[cfg(test)]
mod pager_tests {
    use super::Pager;

    #[test]
    fn stops_on_a_link_loop_and_at_the_end() {
        let mut p = Pager::default();
        assert_eq!(p.next(), None);
        assert!(p.advance(Some("a".into())));
        assert!(p.advance(Some("b".into())));
        assert!(!p.advance(Some("a".into())), "a→b→a is a loop");
        let mut p = Pager::default();
        assert!(!p.advance(None));
    }
}

#[cfg(test)]
mod link_tests {
    use super::next_page_path;

    #[test]
    fn next_page_links_resolve_against_the_page() {
        let page = reqwest::Url::parse("https://r.example/v2/a/b/tags/list?n=1000").unwrap();
        let at = |t: &str| next_page_path(&page, t).unwrap();
        assert_eq!(
            at("/v2/a/b/tags/list?n=50&next_page=gAAAA%3D%3D"),
            "/v2/a/b/tags/list?n=50&next_page=gAAAA%3D%3D"
        );
        assert_eq!(
            at("list?next_page=x&n=50"),
            "/v2/a/b/tags/list?next_page=x&n=50"
        );
        assert_eq!(
            at("http://internal:5000/v2/a/b/tags/list?n=50&next_page=x"),
            "/v2/a/b/tags/list?n=50&next_page=x"
        );
        assert_eq!(at("/v2/_catalog"), "/v2/_catalog");
        assert!(next_page_path(&page, "http://[::1").is_err());
    }
}
