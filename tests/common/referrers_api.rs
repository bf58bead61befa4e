//! A registry with the OCI 1.1 referrers API, for tests: a [`FaultProxy`] in front of the
//! real Distribution registry (2.8 has no referrers API) that adds the API as
//! distribution-spec 1.1 describes it, from what is pushed through it.
//!
//! - `PUT /v2/<name>/manifests/<ref>` is forwarded; when the registry answers 201 and the body
//!   has a `subject`, the proxy records a descriptor of the body under (name, subject digest)
//!   — `mediaType` (the body's, else the request's `Content-Type`), `digest` (sha256 of the
//!   exact body bytes), `size`, `artifactType` (the body's, else its `config.mediaType`),
//!   `annotations` (the body's) — and adds `OCI-Subject: <subject digest>` to the answer.
//!   A manifest pushed again (same digest) keeps its first place.
//! - `GET /v2/<name>/referrers/<digest>[?artifactType=X]` is answered by the proxy: 200, an
//!   OCI image index of the recorded descriptors in push order, filtered by `artifactType`
//!   when asked (then with `OCI-Filters-Applied: artifactType`). A subject nothing refers to
//!   gives an empty `manifests` array, never 404; a reference that is not a digest gives 400
//!   `DIGEST_INVALID`. The caller must be allowed to read the repository: the proxy asks the
//!   registry for the repository's tag list with the caller's headers and passes a 401 or
//!   403 on as it came (so a token registry's challenge works as for any other route).
//! - `DELETE /v2/<name>/manifests/<digest>` is forwarded; on success that digest leaves every
//!   list of the repository (the referrers of a deleted subject stay, as the spec allows).
//! - [`ReferrersApi::set_page_size`] splits answers into pages of that many descriptors,
//!   each but the last with `Link: </v2/<name>/referrers/<digest>?page=N>; rel="next"`
//!   (the filter carried along), for testing clients that follow `Link`.
//!
//! Only what was pushed through the proxy is known: manifests already in the registry, and
//! the tag scheme's indexes, are not read back into the API. A `+` in a query value is kept
//! as `+` (media types have them), `%XX` is decoded.
//!
//! ```ignore
//! let reg = TestRegistry::plain();
//! let api = ReferrersApi::start(&reg.host);
//! // push through `api.host`; read `GET /v2/<name>/referrers/<digest>` from `api.host`
//! api.proxy.count("GET", "/referrers/"); // requests seen, as with any FaultProxy
//! // Faults before the API: one 503, then the API answers.
//! let api = ReferrersApi::start_with(&reg.host, |p| {
//!     p.rule("GET", "/referrers/", Action::Status(503), Some(1))
//! });
//! ```
#![allow(dead_code)]

use super::faultproxy::{self, Action, FaultProxy, Request};
use manifest_tui::digest::Digest;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The media type of the answer (an OCI image index).
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

#[derive(Default)]
struct Recorded {
    /// (repository, subject digest) → the referrers' descriptors, in push order.
    lists: BTreeMap<(String, String), Vec<Value>>,
    page_size: Option<usize>,
}

type Shared = Arc<Mutex<Recorded>>;

/// Records what a forwarded request changed, from the request and the registry's answer;
/// returns the answer the client gets.
type Recorder = fn(&Shared, &Request, Vec<u8>) -> Vec<u8>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Recorded> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running referrers API in front of a registry. Stops with its proxy on drop.
pub struct ReferrersApi {
    /// `127.0.0.1:PORT`: push to and read from here instead of the registry.
    pub host: String,
    /// The proxy underneath: its request log ([`FaultProxy::count`], [`FaultProxy::seen`]).
    /// Rules added to it after the start come after the API's (see [`Self::start_with`]).
    pub proxy: FaultProxy,
    state: Shared,
}

impl ReferrersApi {
    /// Start the API in front of `upstream` (`host:port`, plain HTTP).
    pub fn start(upstream: &str) -> ReferrersApi {
        Self::start_with(upstream, |_| {})
    }

    /// Start the API with the rules `faults` adds to the proxy tried before the API's own
    /// (e.g. a 503 on the first `GET …/referrers/`; once a rule's count is spent, the API
    /// answers).
    pub fn start_with(upstream: &str, faults: impl FnOnce(&FaultProxy)) -> ReferrersApi {
        let proxy = FaultProxy::start(upstream);
        faults(&proxy);
        let state = Shared::default();
        // Manifest pushes and deletes are forwarded, then recorded from the registry's answer.
        let recorders: [(&str, Recorder); 2] = [("PUT", record_push), ("DELETE", record_delete)];
        for (method, record) in recorders {
            let s = state.clone();
            proxy.rule(
                method,
                "/manifests/",
                Action::Rewrite(Arc::new(move |req, answer| record(&s, req, answer))),
                None,
            );
        }
        let (s, up) = (state.clone(), upstream.to_string());
        proxy.rule(
            "GET",
            "/referrers/",
            Action::Intercept(Arc::new(move |req| answer_referrers(&s, &up, req))),
            None,
        );
        ReferrersApi {
            host: proxy.host.clone(),
            proxy,
            state,
        }
    }

    /// Answer in pages of `n` descriptors (`None`: everything in one answer).
    pub fn set_page_size(&self, n: Option<usize>) {
        lock(&self.state).page_size = n.map(|n| n.max(1));
    }

    /// The descriptors recorded for `subject` in `repo`, in push order.
    pub fn recorded(&self, repo: &str, subject: &Digest) -> Vec<Value> {
        lock(&self.state)
            .lists
            .get(&(repo.to_string(), subject.to_string()))
            .cloned()
            .unwrap_or_default()
    }
}

/// `/v2/<name>/<route>/<reference>[?query]` → (name, reference, query).
fn route<'a>(target: &'a str, route: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (name, reference) = path
        .strip_prefix("/v2/")?
        .rsplit_once(&format!("/{route}/"))?;
    (!name.is_empty() && !reference.is_empty() && !reference.contains('/'))
        .then_some((name, reference, query))
}

/// The value of `key` in a query string, `%XX` decoded.
fn query_param(query: &str, key: &str) -> Option<String> {
    let raw = query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))?;
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Percent-encode a query value (everything but unreserved characters and `/`).
fn query_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A manifest PUT: on 201 with a `subject` in the body, record the referrer and add
/// `OCI-Subject` to the answer.
fn record_push(state: &Shared, req: &Request, answer: Vec<u8>) -> Vec<u8> {
    let Some((name, _, _)) = route(&req.target, "manifests") else {
        return answer;
    };
    if faultproxy::raw_status(&answer) != 201 {
        return answer;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return answer;
    };
    let Some(subject) = body["subject"]["digest"].as_str() else {
        return answer;
    };
    let media_type = body["mediaType"]
        .as_str()
        .or_else(|| req.header("content-type"))
        .unwrap_or_default();
    let digest = Digest::sha256(&req.body).to_string();
    let mut d = json!({"mediaType": media_type, "digest": digest, "size": req.body.len()});
    if let Some(t) = body["artifactType"]
        .as_str()
        .or_else(|| body["config"]["mediaType"].as_str())
    {
        d["artifactType"] = json!(t);
    }
    if body["annotations"].is_object() {
        d["annotations"] = body["annotations"].clone();
    }
    let mut s = lock(state);
    let list = s
        .lists
        .entry((name.to_string(), subject.to_string()))
        .or_default();
    match list.iter_mut().find(|e| e["digest"] == d["digest"]) {
        Some(e) => *e = d,
        None => list.push(d),
    }
    drop(s);
    faultproxy::add_header(&answer, "OCI-Subject", subject)
}

/// A manifest DELETE by digest: on success the digest leaves every list of the repository.
fn record_delete(state: &Shared, req: &Request, answer: Vec<u8>) -> Vec<u8> {
    if let Some((name, reference, _)) = route(&req.target, "manifests") {
        if (200..300).contains(&faultproxy::raw_status(&answer)) {
            for ((repo, _), list) in lock(state).lists.iter_mut() {
                if repo == name {
                    list.retain(|e| e["digest"] != reference);
                }
            }
        }
    }
    answer
}

/// `GET /v2/<name>/referrers/<digest>`: one page of the subject's referrers as an OCI index.
/// `None` (forward) for a target that is not that route.
fn answer_referrers(state: &Shared, upstream: &str, req: &Request) -> Option<Vec<u8>> {
    let (name, reference, query) = route(&req.target, "referrers")?;
    let Ok(subject) = Digest::parse(reference) else {
        return Some(faultproxy::error_response(
            400,
            "DIGEST_INVALID",
            &format!("referrers are asked for by digest, not {reference:?}"),
        ));
    };
    // Whoever may not read the repository may not read its referrers either.
    let probe = format!("/v2/{name}/tags/list?n=1");
    let check = faultproxy::forward(upstream, "GET", &probe, &req.headers, &[])?;
    if matches!(faultproxy::raw_status(&check), 401 | 403) {
        return Some(check);
    }
    let filter = query_param(query, "artifactType").filter(|t| !t.is_empty());
    let page: usize = match query_param(query, "page").map(|p| p.parse()) {
        None => 0,
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            return Some(faultproxy::error_response(
                400,
                "PAGINATION_NUMBER_INVALID",
                "page must be a number",
            ))
        }
    };
    let (all, page_size) = {
        let s = lock(state);
        let all: Vec<Value> = s
            .lists
            .get(&(name.to_string(), subject.to_string()))
            .into_iter()
            .flatten()
            .filter(|d| {
                filter
                    .as_deref()
                    .is_none_or(|f| d["artifactType"].as_str() == Some(f))
            })
            .cloned()
            .collect();
        (all, s.page_size)
    };
    let per_page = page_size.unwrap_or(all.len().max(1));
    let shown: Vec<Value> = all
        .iter()
        .skip(page.saturating_mul(per_page))
        .take(per_page)
        .cloned()
        .collect();
    let body = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": shown}).to_string();
    let mut headers = vec![("Content-Type".to_string(), OCI_INDEX.to_string())];
    if filter.is_some() {
        headers.push(("OCI-Filters-Applied".into(), "artifactType".into()));
    }
    if (page + 1).saturating_mul(per_page) < all.len() {
        let mut next = format!("/v2/{name}/referrers/{subject}?");
        if let Some(f) = &filter {
            next.push_str(&format!("artifactType={}&", query_encode(f)));
        }
        next.push_str(&format!("page={}", page + 1));
        headers.push(("Link".into(), format!("<{next}>; rel=\"next\"")));
    }
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Some(faultproxy::response(200, &headers, body.as_bytes()))
}
