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

pub mod auth;
pub mod error;
pub mod http;
pub mod tls;
mod transport;

pub use auth::{Credential, Scope, Secret};
pub use error::{ErrorCode, ErrorKind, RegistryError};
pub use transport::{
    ByteProgress, Client, ClientOptions, Pager, Repo, Stats, TraceFn, DEFAULT_MAX_IN_FLIGHT,
    MAX_PAGES,
};
