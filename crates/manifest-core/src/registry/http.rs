//! HTTP helpers: `Link` pagination, `Retry-After`, backoff, and a connector layer that counts
//! new connections.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The target of the `rel="next"` link in a `Link` header value, exactly as written (relative
/// or absolute, whatever its query holds), if any.
/// `</v2/_catalog?last=b&n=2>; rel="next"` → `Some("/v2/_catalog?last=b&n=2")`.
pub fn parse_next_link(values: &[&str]) -> Option<String> {
    for v in values {
        for part in split_links(v) {
            let part = part.trim();
            let Some(rest) = part.strip_prefix('<') else {
                continue;
            };
            let Some((target, params)) = rest.split_once('>') else {
                continue;
            };
            let is_next = params.split(';').any(|p| {
                let p = p.trim();
                let Some((k, val)) = p.split_once('=') else {
                    return false;
                };
                k.trim().eq_ignore_ascii_case("rel")
                    && val
                        .trim()
                        .trim_matches('"')
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            });
            if !is_next {
                continue;
            }
            let target = target.trim();
            if !target.is_empty() {
                return Some(target.to_string());
            }
        }
    }
    None
}

/// Split a Link header on commas that are outside `<…>`.
fn split_links(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in v.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&v[start..]);
    out
}

/// A registry's pull quota as its latest answer stated it: Docker Hub's `ratelimit-limit`
/// and `ratelimit-remaining` headers (`100;w=21600`: 100 pulls per 21600 s window).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Pulls allowed per window, when the registry said.
    pub limit: Option<u64>,
    /// Pulls left in the current window.
    pub remaining: u64,
    /// The window in seconds (`w=`), when the registry said.
    pub window_secs: Option<u64>,
}

/// The quota in `ratelimit-remaining` (and `ratelimit-limit`, if present), or `None` when
/// the answer carries no readable `ratelimit-remaining`.
pub fn rate_limit(remaining: Option<&str>, limit: Option<&str>) -> Option<RateLimit> {
    // `N` or `N;w=SECS` (further `;`-parameters ignored).
    fn parse(v: &str) -> Option<(u64, Option<u64>)> {
        let mut parts = v.split(';');
        let n = parts.next()?.trim().parse::<u64>().ok()?;
        let w = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k.trim() == "w").then(|| v.trim().parse::<u64>().ok())?
        });
        Some((n, w))
    }
    let (remaining, w_rem) = parse(remaining?)?;
    let lim = limit.and_then(parse);
    Some(RateLimit {
        limit: lim.map(|(n, _)| n),
        remaining,
        window_secs: w_rem.or(lim.and_then(|(_, w)| w)),
    })
}

/// The longest `Retry-After` we honour: a registry asking for more gets 10 s and, if it
/// still refuses, the error (rather than a command that sits silent for an hour).
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(10);

/// `Retry-After` as seconds or as an HTTP-date, capped at [`RETRY_AFTER_CAP`]; a date in
/// the past means now.
pub fn retry_after(v: Option<&str>) -> Option<Duration> {
    retry_after_at(v, std::time::SystemTime::now())
}

fn retry_after_at(v: Option<&str>, now: std::time::SystemTime) -> Option<Duration> {
    let v = v?.trim();
    let wait = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = httpdate::parse_http_date(v).ok()?;
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

/// Exponential backoff with jitter for retry number `attempt` (1-based): ~300 ms, 600 ms,
/// 1.2 s, … plus up to 25 % jitter, capped at 10 s.
pub fn backoff(attempt: u32) -> Duration {
    let base = 300u64.saturating_mul(1u64 << attempt.saturating_sub(1).min(10));
    let jitter = jitter_ms(base / 4 + 1);
    Duration::from_millis((base + jitter).min(10_000))
}

fn jitter_ms(max: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish() % max.max(1)
}

/// A tower layer for reqwest's connector that counts connection attempts (each call to the
/// connector is one new TCP connection; pooled requests do not reach it).
#[derive(Clone)]
pub struct CountConnections(pub Arc<AtomicU64>);

impl<S> tower_layer::Layer<S> for CountConnections {
    type Service = Counted<S>;
    fn layer(&self, inner: S) -> Counted<S> {
        Counted {
            inner,
            count: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Counted<S> {
    inner: S,
    count: Arc<AtomicU64>,
}

impl<S, R> tower_service::Service<R> for Counted<S>
where
    S: tower_service::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rate_limit_headers_as_docker_hub_sends_them() {
        assert_eq!(
            rate_limit(Some("76;w=21600"), Some("100;w=21600")),
            Some(RateLimit {
                limit: Some(100),
                remaining: 76,
                window_secs: Some(21600)
            })
        );
        assert_eq!(
            rate_limit(Some(" 5 "), None),
            Some(RateLimit {
                limit: None,
                remaining: 5,
                window_secs: None
            })
        );
        assert_eq!(
            rate_limit(Some("0;w=60;comment=x"), Some("bogus")),
            Some(RateLimit {
                limit: None,
                remaining: 0,
                window_secs: Some(60)
            })
        );
        assert_eq!(rate_limit(None, Some("100;w=21600")), None);
        assert_eq!(rate_limit(Some("-1"), None), None);
        assert_eq!(rate_limit(Some(""), None), None);
    }

    use super::*;

    #[test]
    fn next_link() {
        assert_eq!(
            parse_next_link(&[r#"</v2/_catalog?last=b&n=2>; rel="next""#]).as_deref(),
            Some("/v2/_catalog?last=b&n=2")
        );
        assert_eq!(
            parse_next_link(&[r#"<https://h/v2/x/tags/list?n=2&last=v1%2Bx>; rel=next"#])
                .as_deref(),
            Some("https://h/v2/x/tags/list?n=2&last=v1%2Bx")
        );
        // Quay: an opaque token and no `last` at all; the query is kept byte for byte.
        assert_eq!(
            parse_next_link(&[r#"</v2/x/tags/list?n=50&next_page=gAAAA%3D%3D>; rel="next""#])
                .as_deref(),
            Some("/v2/x/tags/list?n=50&next_page=gAAAA%3D%3D")
        );
        assert_eq!(
            parse_next_link(&[
                r#"</v2/x/tags/list?last=a>; rel="prev", </v2/x/tags/list?n=2&last=c>; rel="next""#
            ])
            .as_deref(),
            Some("/v2/x/tags/list?n=2&last=c")
        );
        assert_eq!(
            parse_next_link(&[r#"</v2/x/tags/list?last=a>; rel="prev""#]),
            None
        );
        assert_eq!(parse_next_link(&[r#"<>; rel="next""#]), None);
        assert_eq!(parse_next_link(&[]), None);
        assert_eq!(parse_next_link(&["garbage"]), None);
    }

    #[test]
    fn retry_after_and_backoff() {
        assert_eq!(retry_after(Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(Some("120")), Some(Duration::from_secs(10)));
        // HTTP-date: relative to now, past dates mean now, capped like the seconds form.
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let at = |v: &str| retry_after_at(Some(v), now);
        assert_eq!(
            at("Wed, 21 Oct 2015 07:28:04 GMT"),
            Some(Duration::from_secs(4))
        );
        assert_eq!(at("Wed, 21 Oct 2015 07:27:00 GMT"), Some(Duration::ZERO));
        assert_eq!(at("Thu, 22 Oct 2015 07:28:00 GMT"), Some(RETRY_AFTER_CAP));
        // The obsolete RFC 850 and asctime forms are HTTP-dates too.
        assert_eq!(
            at("Wednesday, 21-Oct-15 07:28:02 GMT"),
            Some(Duration::from_secs(2))
        );
        assert_eq!(at("Wed Oct 21 07:28:01 2015"), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(Some("soon")), None);
        assert_eq!(retry_after(Some("-3")), None);
        assert_eq!(retry_after(None), None);
        let b1 = backoff(1);
        let b3 = backoff(3);
        assert!(
            b1 >= Duration::from_millis(300) && b1 < Duration::from_millis(400),
            "{b1:?}"
        );
        assert!(
            b3 >= Duration::from_millis(1200) && b3 < Duration::from_millis(1600),
            "{b3:?}"
        );
        assert!(backoff(30) <= Duration::from_secs(10));
    }
}
