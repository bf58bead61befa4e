//! The Distribution registry client. Knows nothing of the UI or the store.
//!
//! Its public API is a contract that `ops` (create/inspect/push/diff) and the TUI worker are
//! written against; extend it, but do not change these signatures without updating the callers.
//!
//! How it works:
//! - One pooled reqwest client (keep-alive, HTTP/2 via ALPN) per (host, security mode), with
//!   our own rustls config: system roots + `certs.d` CAs, or accept-anything for registries
//!   the user allowed to be insecure (`--insecure`, listed, or loopback).
//! - Per registry, once: `GET /v2/` resolves the scheme (https; for insecure-allowed
//!   registries http when https fails) and learns the auth challenge. Credentials are read
//!   once from the docker config (helpers run on a blocking thread).
//! - Every request asks for exactly the scopes it needs; tokens are cached per (registry,
//!   scope set) until shortly before they expire; a 401 is retried once with a fresh token.
//! - Redirects are followed here (not by reqwest) and never carry `Authorization` to another
//!   origin. Idempotent requests are retried on transport errors, 5xx and 429.
//! - A semaphore bounds the requests in flight per registry.
//!
//! Where each part lives (all but the public helpers extend the one [`Client`]):
//! - `client`: the client, its options, and what it keeps per registry (pools, semaphores).
//! - `transport`: sending a call (auth, re-auth on 401, retries, redirects), reading bodies
//!   within a limit, errors from responses.
//! - `scheme`: the `GET /v2/` ping and the HTTPS/plain-HTTP race that resolve a registry's
//!   scheme.
//! - `token`: the auth challenge, credentials per registry, bearer tokens and their cache.
//! - `manifests` (reads by tag go HEAD first and are served from `cache`, the
//!   content-addressed manifest cache, when the digest is known there), `blobs` (uploads,
//!   mounts, copies), `listing` (tags, catalog, [`Pager`]),
//!   `referrers` (the OCI 1.1 API, else the `sha256-<hex>` tag scheme).
//! - [`auth`] (credentials, challenges, scopes), [`error`], [`http`] (links, backoff),
//!   [`tls`]: the parts with no client state.

pub mod auth;
mod blobs;
mod cache;
mod client;
pub mod error;
pub mod http;
mod listing;
mod manifests;
mod referrers;
mod scheme;
pub mod tls;
mod token;
mod transport;

pub use auth::{Credential, Scope, Secret};
pub use cache::default_manifest_cache_dir;
pub use client::{
    ByteProgress, Client, ClientOptions, Repo, Stats, TraceFn, DEFAULT_MAX_IN_FLIGHT,
};
pub use error::{ErrorCode, ErrorKind, RegistryError};
pub use http::RateLimit;
pub use listing::{Pager, MAX_PAGES, PAGE_SIZE};
pub use referrers::{Referrers, ReferrersVia};
