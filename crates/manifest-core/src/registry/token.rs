//! Authorization for requests: the challenge a registry answers with, its credentials
//! (looked up once), and bearer tokens, cached per scope set, with what a failed token
//! request says.

use super::auth::{self, Credential, Scope, Secret};
use super::client::{Client, Registry};
use super::error;
use super::transport::{
    encode, header_str, read_response_limited, transport, Retry, MAX_ERROR_BODY,
};
use super::{http, ErrorCode, ErrorKind, RegistryError};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Url;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum AuthMode {
    None,
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

#[derive(Clone)]
struct CachedToken {
    token: Secret,
    expires: Instant,
}

/// One scope's token, or the failure to get it. Requests for the same scope queue on the
/// slot; remembering a failure for [`TOKEN_FAILURE_MEMORY`] makes the ones queued behind a
/// failed fetch fail at once instead of each retrying the token server again.
#[derive(Default)]
pub(super) struct TokenSlot {
    cached: Option<CachedToken>,
    failed: Option<(Instant, RegistryError)>,
}

const TOKEN_FAILURE_MEMORY: Duration = Duration::from_secs(5);

/// A failed token request, and whether it is worth retrying (`Some`, with the server's
/// `Retry-After` when it sent one).
struct TokenFailure {
    error: RegistryError,
    retry: Option<Option<Duration>>,
}

impl From<RegistryError> for TokenFailure {
    fn from(error: RegistryError) -> Self {
        TokenFailure { error, retry: None }
    }
}

impl TokenFailure {
    /// The request never got an answer: retry unless the request itself was malformed.
    fn transport(request: String, e: &reqwest::Error) -> Self {
        TokenFailure {
            error: transport(request, e),
            retry: (!e.is_builder()).then_some(None),
        }
    }
}

/// One token request: the realm asked, for what, and who asks (for messages).
struct TokenAsk<'a> {
    reg: &'a Registry,
    client: reqwest::Client,
    realm: &'a str,
    service: Option<&'a str>,
    scopes: Vec<String>,
    who: String,
}

/// The token realm as a URL, and its `host[:port]` (how the insecure list names hosts).
fn parse_realm(realm: &str) -> Result<(Url, String), RegistryError> {
    let realm_url = Url::parse(realm).map_err(|e| {
        realm_error(
            realm,
            format!("the registry's token realm {realm:?} is not a URL: {e}"),
        )
    })?;
    let realm_host = match (realm_url.host_str(), realm_url.port()) {
        (Some(h), Some(p)) if h.contains(':') => format!("[{h}]:{p}"),
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => {
            return Err(realm_error(
                realm,
                format!("the token realm {realm} has no host"),
            ))
        }
    };
    Ok((realm_url, realm_host))
}

/// An error about the realm itself, or about sending credentials to it.
fn realm_error(realm: &str, message: String) -> RegistryError {
    RegistryError::new(format!("GET {realm}"), ErrorKind::Auth { message })
}

impl Client {
    pub(super) fn learn_auth(&self, reg: &Registry, headers: &HeaderMap) {
        let values: Vec<&str> = headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ch = auth::parse_challenges(values);
        let mode = if let Some(b) = ch
            .iter()
            .find(|c| c.scheme == "bearer" && c.param("realm").is_some())
        {
            AuthMode::Bearer {
                realm: b.param("realm").unwrap_or_default().to_string(),
                service: b.param("service").map(str::to_string),
            }
        } else if ch.iter().any(|c| c.scheme == "basic") {
            AuthMode::Basic
        } else {
            return;
        };
        if let Ok(mut a) = reg.auth.lock() {
            *a = mode;
        }
    }

    /// Credentials for the registry, looked up once (helpers on a blocking thread).
    async fn creds(&self, reg: &Arc<Registry>) -> Result<Option<Credential>, RegistryError> {
        let dir = self.inner.config_dir.clone();
        let domain = reg.domain.clone();
        reg.creds
            .get_or_try_init(|| async move {
                let Some(dir) = dir else { return Ok(None) };
                let d2 = domain.clone();
                tokio::task::spawn_blocking(move || auth::lookup_credentials(&dir, &d2))
                    .await
                    .map_err(|e| format!("credential lookup failed: {e}"))
                    .and_then(|r| r)
                    .map_err(|m| {
                        RegistryError::new(
                            format!("credentials for {domain}"),
                            ErrorKind::Auth { message: m },
                        )
                    })
            })
            .await
            .cloned()
    }

    /// The Authorization value for a request (None: send none). `stale`: the token that just
    /// got a 401, to be replaced.
    pub(super) async fn authorization(
        &self,
        reg: &Arc<Registry>,
        scopes: &[Scope],
        stale: Option<&Secret>,
        url: &str,
    ) -> Result<Option<Secret>, RegistryError> {
        if url.starts_with("http://") && !reg.insecure {
            return Ok(None);
        }
        let mode = reg.auth.lock().map(|a| a.clone()).unwrap_or(AuthMode::None);
        match mode {
            AuthMode::None => Ok(None),
            AuthMode::Basic => Ok(self.creds(reg).await?.and_then(|c| c.basic_header())),
            AuthMode::Bearer { realm, service } => {
                let t = self
                    .token(reg, &realm, service.as_deref(), scopes, stale)
                    .await?;
                Ok(Some(Secret::new(format!("Bearer {}", t.expose()))))
            }
        }
    }

    async fn token(
        &self,
        reg: &Arc<Registry>,
        realm: &str,
        service: Option<&str>,
        scopes: &[Scope],
        stale: Option<&Secret>,
    ) -> Result<Secret, RegistryError> {
        let scopes = auth::normalize_scopes(scopes.iter().cloned());
        let key = format!(
            "{}|{}|{}",
            reg.domain,
            realm,
            scopes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let cell = {
            let mut m = self.inner.tokens.lock().map_err(|_| {
                RegistryError::new(realm, ErrorKind::Other("internal lock poisoned".into()))
            })?;
            m.entry(key).or_default().clone()
        };
        let mut slot = cell.lock().await;
        if let Some((at, e)) = &slot.failed {
            if at.elapsed() < TOKEN_FAILURE_MEMORY {
                return Err(e.clone());
            }
        }
        if let Some(t) = slot.cached.as_ref() {
            let is_stale =
                stale.is_some_and(|s| s.expose().strip_prefix("Bearer ") == Some(t.token.expose()));
            if !is_stale && t.expires > Instant::now() {
                return Ok(t.token.clone());
            }
        }
        // The token server is a request like any other: a 5xx, a 429 or a dropped connection
        // is retried with the same backoff and budget as registry requests.
        let mut retry = Retry::new();
        let (token, expires_in) = loop {
            match self.fetch_token(reg, realm, service, &scopes).await {
                Ok(t) => break t,
                Err(TokenFailure {
                    error,
                    retry: Some(hint),
                }) => {
                    let Some(d) = retry.delay(hint) else {
                        slot.failed = Some((Instant::now(), error.clone()));
                        return Err(error);
                    };
                    self.trace(&format!("{error}; retry {} in {d:?}", retry.attempt()));
                    retry.wait(d).await;
                }
                Err(TokenFailure { error, retry: None }) => {
                    slot.failed = Some((Instant::now(), error.clone()));
                    return Err(error);
                }
            }
        };
        slot.failed = None;
        let margin = if expires_in > 40 { 20 } else { expires_in / 3 };
        slot.cached = Some(CachedToken {
            token: token.clone(),
            expires: Instant::now() + Duration::from_secs(expires_in - margin),
        });
        Ok(token)
    }

    /// Ask the realm for a token for `scopes`. With an identity token, the OAuth2 refresh
    /// grant goes first; a realm without it (404, 405) is asked with a GET like the others.
    async fn fetch_token(
        &self,
        reg: &Arc<Registry>,
        realm: &str,
        service: Option<&str>,
        scopes: &[Scope],
    ) -> Result<(Secret, u64), TokenFailure> {
        let (realm_url, realm_host) = parse_realm(realm)?;
        let realm_insecure = self.is_insecure_allowed(&realm_host);
        let creds = self.creds(reg).await?;
        if realm_url.scheme() != "https" && creds.is_some() && !realm_insecure && !reg.insecure {
            return Err(realm_error(realm, format!(
                "the token realm {realm} is plain HTTP; refusing to send your credentials over it (pass --insecure to allow it)"
            ))
            .into());
        }
        let ask = TokenAsk {
            reg,
            client: self.pool(&realm_host, realm_insecure)?,
            realm,
            service,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            who: creds
                .as_ref()
                .map(|c| format!("user {}", c.username()))
                .unwrap_or_else(|| "anonymous".to_string()),
        };
        if let Some(Credential::IdentityToken { token, .. }) = &creds {
            if let Some(answer) = self.refresh_grant(&ask, &realm_url, token).await? {
                return Ok(answer);
            }
        }
        self.token_get(&ask, realm_url, creds.as_ref()).await
    }

    /// `POST realm` with the refresh grant for an identity token. `None`: the realm does not
    /// offer the grant (404, 405).
    async fn refresh_grant(
        &self,
        ask: &TokenAsk<'_>,
        realm_url: &Url,
        token: &Secret,
    ) -> Result<Option<(Secret, u64)>, TokenFailure> {
        let realm = ask.realm;
        let mut form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", token.expose().to_string()),
            ("client_id", "manifest-tui".to_string()),
        ];
        if let Some(s) = ask.service {
            form.push(("service", s.to_string()));
        }
        if !ask.scopes.is_empty() {
            form.push(("scope", ask.scopes.join(" ")));
        }
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.count_token_request();
        self.trace(&format!(
            "POST {realm} (token, refresh grant, scopes {})",
            ask.scopes.join(" ")
        ));
        let resp = ask
            .client
            .post(realm_url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| TokenFailure::transport(format!("POST {realm}"), &e))?;
        let status = resp.status().as_u16();
        if status == 404 || status == 405 {
            return Ok(None);
        }
        self.token_answer(resp, &format!("POST {realm}"), &ask.who, ask.reg)
            .await
            .map(Some)
    }

    /// `GET realm?service=&scope=&account=`, with basic credentials when there are any.
    async fn token_get(
        &self,
        ask: &TokenAsk<'_>,
        mut url: Url,
        creds: Option<&Credential>,
    ) -> Result<(Secret, u64), TokenFailure> {
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = ask.service {
                q.append_pair("service", s);
            }
            for s in &ask.scopes {
                q.append_pair("scope", s);
            }
            if let Some(c) = creds {
                if !c.username().is_empty() {
                    q.append_pair("account", c.username());
                }
            }
        }
        let request = format!("GET {url}");
        let mut rb = ask.client.get(url.clone());
        if let Some(h) = creds.and_then(|c| c.basic_header()) {
            let mut v = HeaderValue::from_str(h.expose()).map_err(|_| {
                realm_error(
                    ask.realm,
                    "the stored credentials cannot be sent in a header".into(),
                )
            })?;
            v.set_sensitive(true);
            rb = rb.header(reqwest::header::AUTHORIZATION, v);
        }
        self.count_token_request();
        self.trace(&format!("{request} (token, {})", ask.who));
        let resp = rb
            .send()
            .await
            .map_err(|e| TokenFailure::transport(request.clone(), &e))?;
        self.token_answer(resp, &request, &ask.who, ask.reg).await
    }

    /// A token request counts as a request too.
    fn count_token_request(&self) {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        self.inner.token_requests.fetch_add(1, Ordering::Relaxed);
    }

    async fn token_answer(
        &self,
        resp: reqwest::Response,
        request: &str,
        who: &str,
        reg: &Registry,
    ) -> Result<(Secret, u64), TokenFailure> {
        let status = resp.status().as_u16();
        // Worth another try: the token server is overloaded or restarting.
        let retry = (status >= 500 || status == 429)
            .then(|| http::retry_after(header_str(resp.headers(), "retry-after").as_deref()));
        let body = read_response_limited(resp, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        self.trace(&format!("{status} {request}"));
        if status == 200 {
            let t = auth::parse_token_response(&body).ok_or_else(|| {
                TokenFailure::from(RegistryError::new(
                    request,
                    ErrorKind::Auth {
                        message: "the token server answered without a token".into(),
                    },
                ))
            })?;
            return Ok((t.token, t.expires_in));
        }
        let detail = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("details")
                    .or_else(|| v.get("error_description"))
                    .or_else(|| v.get("error"))
                    .and_then(|d| d.as_str().map(str::to_string))
            })
            .unwrap_or_default();
        let message = if status == 401 || status == 403 {
            format!(
                "the token server refused {who} ({status}{}); check the credentials with `docker login {}`",
                if detail.is_empty() { String::new() } else { format!(": {detail}") },
                reg.domain
            )
        } else {
            format!(
                "the token server answered {status}{}; retry later or check the registry's auth setup",
                if detail.is_empty() { String::new() } else { format!(": {detail}") }
            )
        };
        Err(TokenFailure {
            error: RegistryError::new(request, ErrorKind::Auth { message }),
            retry,
        })
    }

    /// Build the error for a 401 that survived a fresh token: say what was asked, what the
    /// token server granted and what to do.
    pub(super) async fn unauthorized(
        &self,
        reg: &Arc<Registry>,
        resp: reqwest::Response,
        request: &str,
        scopes: &[Scope],
    ) -> RegistryError {
        let values: Vec<String> = resp
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let ch = auth::parse_challenges(values.iter().map(String::as_str));
        let err = ch.iter().find_map(|c| c.param("error").map(str::to_string));
        let body = read_response_limited(resp, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        let creds = self.creds(reg).await.ok().flatten();
        let needed = scopes
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let envelope_msg = error::parse_envelope(&body)
            .and_then(|e| e.first().map(|e| e.message.clone()))
            .unwrap_or_else(|| "authentication required".into());
        match (&creds, err.as_deref()) {
            (Some(c), Some("insufficient_scope")) => RegistryError::new(
                request,
                ErrorKind::Api {
                    status: 401,
                    code: ErrorCode::Denied,
                    message: format!(
                        "{envelope_msg}: the token server did not grant {needed} to user {}",
                        c.username()
                    ),
                },
            ),
            // The token server took the credentials; the registry refused what it issued
            // (expired or not trusted), a fresh token as well.
            (Some(c), Some("invalid_token")) => RegistryError::new(
                request,
                ErrorKind::Auth {
                    message: format!(
                        "the registry refused the tokens its token server issued to user {} ({envelope_msg}), a fresh one too; the two disagree on the time or on the signing key: check the clocks of the registry and its token server, and the registry's auth setup",
                        c.username()
                    ),
                },
            ),
            (Some(c), _) => RegistryError::new(
                request,
                ErrorKind::Auth {
                    message: format!(
                        "the registry refused the credentials of user {} ({envelope_msg}); log in again with `docker login {}`",
                        c.username(),
                        reg.domain
                    ),
                },
            ),
            (None, _) => RegistryError::new(
                request,
                ErrorKind::Api {
                    status: 401,
                    code: ErrorCode::Unauthorized,
                    message: format!("{envelope_msg} (no credentials for {} in the docker config; needed {needed})", reg.domain),
                },
            ),
        }
    }
}
