//! Which scheme a registry speaks: the `GET /v2/` ping that resolves it once (racing HTTPS
//! and plain HTTP for registries allowed to be insecure), or the first request doing the
//! same race itself.

use super::client::{Client, Registry};
use super::transport::{
    describe, is_client_certificate_alert, is_tls_error, received_alert, transport, Call, Permit,
    ReqBody, Resp, Retry,
};
use super::{ErrorKind, RegistryError};
use reqwest::{Method, StatusCode};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

impl Client {
    /// Check that a registry answers (`GET /v2/`), resolving its scheme and auth.
    pub async fn ping(&self, domain: &str) -> Result<(), RegistryError> {
        let reg = self.registry(domain)?;
        self.base(&reg).await.map(|_| ())
    }

    /// The registry's base URL, resolving scheme and auth with `GET /v2/` the first time.
    pub(super) async fn base(&self, reg: &Arc<Registry>) -> Result<String, RegistryError> {
        reg.base
            .get_or_try_init(|| self.resolve_base(reg))
            .await
            .cloned()
    }

    async fn resolve_base(&self, reg: &Arc<Registry>) -> Result<String, RegistryError> {
        let mut retry = Retry::new();
        loop {
            match self.try_resolve_base(reg).await {
                Ok(b) => return Ok(b),
                Err((e, retryable)) => {
                    let Some(delay) = retry.delay(None).filter(|_| retryable) else {
                        return Err(e);
                    };
                    self.trace(&format!("retrying {} in {delay:?}: {e}", e.request));
                    retry.wait(delay).await;
                }
            }
        }
    }

    /// One attempt to resolve the scheme; the error says whether another attempt may help.
    async fn try_resolve_base(&self, reg: &Arc<Registry>) -> Result<String, (RegistryError, bool)> {
        if reg.insecure {
            return self.ping_either_scheme(reg).await;
        }
        let https = format!("https://{}", reg.api_host);
        let https_err = match self.ping_once(reg, &https).await {
            Ok(()) => return Ok(https),
            Err(e) => e,
        };
        let request = format!("GET {https}/v2/");
        if let Some(e) = self.client_certificate_failure(reg, &request, &https_err) {
            return Err((e, false));
        }
        if is_tls_error(&https_err) {
            return Err((self.tls_failure(reg, request, &https_err).await, false));
        }
        let retryable = https_err.is_connect() || https_err.is_timeout();
        Err((transport(request, &https_err), retryable))
    }

    /// An insecure-allowed registry: ping both schemes at once, so a plain-HTTP registry
    /// costs no failed TLS round trip first.
    async fn ping_either_scheme(
        &self,
        reg: &Arc<Registry>,
    ) -> Result<String, (RegistryError, bool)> {
        let https = format!("https://{}", reg.api_host);
        let http_base = format!("http://{}", reg.api_host);
        let race = race_schemes(self.ping_once(reg, &https), self.ping_once(reg, &http_base)).await;
        let (https_err, e) = match race {
            SchemeRace::Https(()) => return Ok(https),
            SchemeRace::Http(()) => return Ok(http_base),
            SchemeRace::Neither { https, http } => (https, http),
        };
        let request = format!("GET {http_base}/v2/");
        let retryable = e.is_connect() || e.is_timeout();
        let msg = format!(
            "{} (https failed too: {})",
            describe(&e),
            describe(&https_err)
        );
        Err((
            RegistryError::new(
                request,
                ErrorKind::Transport {
                    message: msg,
                    hint: Some(format!(
                        "is the registry running at {}? Start it or check the host and port",
                        reg.domain
                    )),
                },
            ),
            retryable,
        ))
    }

    /// The TLS handshake failed on a registry that must use HTTPS. When it speaks plain HTTP
    /// say so (docker only says "no such manifest"); else say how to trust its certificate.
    async fn tls_failure(
        &self,
        reg: &Arc<Registry>,
        request: String,
        https_err: &reqwest::Error,
    ) -> RegistryError {
        let http_base = format!("http://{}", reg.api_host);
        if let Ok(resp) = reg.client.get(format!("{http_base}/v2/")).send().await {
            self.inner.requests.fetch_add(1, Ordering::Relaxed);
            if resp
                .headers()
                .contains_key("docker-distribution-api-version")
                || matches!(resp.status().as_u16(), 200 | 401)
            {
                return RegistryError::new(
                    request,
                    ErrorKind::Transport {
                        message: format!(
                            "the registry {} speaks plain HTTP, not HTTPS, and it is not allowed to be insecure",
                            reg.domain
                        ),
                        hint: Some(format!(
                            "pass --insecure (or list {} as an insecure registry) to use plain HTTP with it",
                            reg.domain
                        )),
                    },
                );
            }
        }
        RegistryError::new(
            request,
            ErrorKind::Transport {
                message: format!("TLS handshake failed: {}", describe(https_err)),
                hint: Some(format!(
                    "if the registry uses a private CA put its certificate in /etc/docker/certs.d/{d}/ca.crt or ~/.config/docker/certs.d/{d}/ca.crt; to skip verification pass --insecure",
                    d = reg.domain
                )),
            },
        )
    }

    /// The registry's TLS server refused the client's certificate, or its lack of one: say
    /// which, and where docker's `certs.d` pair goes. `None`: the failure is something else.
    /// Told by the server's alert when it arrived, else by the server having asked for a
    /// certificate (a refusing server often closes before its alert can be read).
    fn client_certificate_failure(
        &self,
        reg: &Arc<Registry>,
        request: &str,
        e: &reqwest::Error,
    ) -> Option<RegistryError> {
        let alert = received_alert(e);
        let refused = match &alert {
            Some(a) => is_client_certificate_alert(a),
            None => {
                self.client_cert_asked(&reg.domain)
                    && !e.is_timeout()
                    && !describe(e).contains("invalid peer certificate")
            }
        };
        if !refused {
            return None;
        }
        let how = match &alert {
            Some(a) => format!("TLS alert {a}"),
            None => "it closed the connection".to_string(),
        };
        let d = &reg.domain;
        let sent = self.certs(&reg.domain).ok().and_then(|c| c.client_file);
        let (message, hint) = match sent {
            None => (
                format!(
                    "the registry {d} requires a client certificate and there is none for it ({how})"
                ),
                format!(
                    "put the certificate and its key in /etc/docker/certs.d/{d}/client.cert and client.key, or in ~/.config/docker/certs.d/{d}/, as for docker"
                ),
            ),
            Some(file) => (
                format!(
                    "the registry {d} refused the client certificate {} ({how})",
                    file.display()
                ),
                "use a certificate signed by a CA the registry accepts, not expired, with its key beside it (same name, .key)".to_string(),
            ),
        };
        Some(RegistryError::new(
            request,
            ErrorKind::Transport {
                message,
                hint: Some(hint),
            },
        ))
    }

    /// One `GET base/v2/`; learns the auth scheme from the answer.
    async fn ping_once(&self, reg: &Arc<Registry>, base: &str) -> Result<(), reqwest::Error> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        self.trace(&format!("GET {base}/v2/ (ping)"));
        let resp = reg.client.get(format!("{base}/v2/")).send().await?;
        self.trace(&format!("{} GET {base}/v2/", resp.status().as_u16()));
        if resp.status() == StatusCode::UNAUTHORIZED {
            self.learn_auth(reg, resp.headers());
        }
        // Read the (small) body so the connection goes back to the pool for the next request.
        let _ = resp.bytes().await;
        Ok(())
    }

    /// The first request to an insecure-allowed registry whose scheme is not known yet: send
    /// it over HTTPS and plain HTTP at once instead of pinging `/v2/` first, which saves a
    /// round trip. The scheme that answers becomes the registry's (HTTPS wins a tie). A
    /// plain answer is returned as the call's response; a 401 teaches the auth scheme and
    /// lets the normal path retry with credentials; anything else falls back to it too.
    pub(super) async fn probe_with_first_request(
        &self,
        reg: &Arc<Registry>,
        call: &mut Call,
    ) -> Option<Resp> {
        if !reg.insecure
            || reg.base.initialized()
            || !matches!(call.method, Method::GET | Method::HEAD)
            || !matches!(call.body, ReqBody::Empty)
            || call.is_absolute()
        {
            return None;
        }
        let permit = match std::mem::replace(&mut call.permit, Permit::Acquire) {
            Permit::Held(p) => p,
            Permit::Acquire => Some(reg.sem.clone().acquire_owned().await.ok()?),
        };
        // Whatever happens below, the normal path reuses this permit.
        let outcome = self.probe_send(reg, call).await;
        match outcome {
            Some(resp) => Some(Resp {
                resp: resp.0,
                request: resp.1,
                _permit: permit,
            }),
            None => {
                call.permit = Permit::Held(permit);
                None
            }
        }
    }

    /// The two sends of [`Client::probe_with_first_request`]; `None` sends the call down the
    /// normal path.
    async fn probe_send(
        &self,
        reg: &Arc<Registry>,
        call: &Call,
    ) -> Option<(reqwest::Response, String)> {
        let send = |scheme: &str| {
            let url = format!("{scheme}://{}{}", reg.api_host, call.path);
            self.inner.requests.fetch_add(1, Ordering::Relaxed);
            self.trace(&format!("{} {url} (probing the scheme)", call.method));
            reg.client
                .request(call.method.clone(), url)
                .headers(call.headers.clone())
                .send()
        };
        let (scheme, resp) = match race_schemes(send("https"), send("http")).await {
            SchemeRace::Https(r) => ("https", r),
            SchemeRace::Http(r) => ("http", r),
            // Both failed: the normal path pings and explains what is wrong.
            SchemeRace::Neither { .. } => return None,
        };
        let base = format!("{scheme}://{}", reg.api_host);
        let _ = reg.base.set(base.clone());
        self.note_rate_limit(reg, resp.headers());
        let status = resp.status();
        let request = format!("{} {base}{}", call.method, call.path);
        self.trace(&format!("{} {request}", status.as_u16()));
        if status == StatusCode::UNAUTHORIZED {
            self.learn_auth(reg, resp.headers());
        }
        if status == StatusCode::UNAUTHORIZED
            || status.is_redirection()
            || status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
        {
            // Keep the connection for the retry the normal path makes.
            let _ = resp.bytes().await;
            return None;
        }
        Some((resp, request))
    }
}

/// How long HTTPS may still take once plain HTTP has answered: a port that swallows a
/// ClientHello must not stall the first request to an insecure registry.
const TLS_GRACE: Duration = Duration::from_millis(1500);

/// Which scheme answered when both were tried at once ([`race_schemes`]).
enum SchemeRace<T, E> {
    Https(T),
    Http(T),
    Neither { https: E, http: E },
}

/// Try the same thing over HTTPS and plain HTTP at once. HTTPS wins when both succeed:
/// once plain HTTP has succeeded, HTTPS gets [`TLS_GRACE`] more, then plain HTTP wins.
/// Shared by the `/v2/` ping and the first request's scheme probe.
async fn race_schemes<T, E>(
    tls: impl std::future::Future<Output = Result<T, E>>,
    plain: impl std::future::Future<Output = Result<T, E>>,
) -> SchemeRace<T, E> {
    tokio::pin!(tls, plain);
    let (tls, plain) = tokio::select! {
        r = &mut tls => match r {
            Ok(v) => return SchemeRace::Https(v),
            Err(e) => (e, (&mut plain).await),
        },
        r = &mut plain => match r {
            Ok(v) => {
                return match tokio::time::timeout(TLS_GRACE, &mut tls).await {
                    Ok(Ok(t)) => SchemeRace::Https(t),
                    _ => SchemeRace::Http(v),
                }
            }
            Err(e) => match (&mut tls).await {
                Ok(t) => return SchemeRace::Https(t),
                Err(te) => (te, Err(e)),
            },
        },
    };
    match plain {
        Ok(v) => SchemeRace::Http(v),
        Err(http) => SchemeRace::Neither { https: tls, http },
    }
}
