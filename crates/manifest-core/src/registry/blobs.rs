//! Blobs: HEAD, small GETs, cross-repository mounts, monolithic uploads, and streamed copies
//! between repositories or registries, with the upload session each needs.

use super::auth::Scope;
use super::client::{ByteProgress, Client, Repo};
use super::transport::{
    check_digest, encode, expect, fail, header_str, Call, Permit, ReqBody, Resp,
};
use super::{ErrorKind, RegistryError};
use crate::digest::Digest;
use reqwest::{Method, StatusCode, Url};

impl Client {
    /// HEAD a blob: its size when present.
    pub async fn blob_exists(
        &self,
        repo: &Repo,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        let path = format!("/v2/{}/blobs/{}", repo.path, digest);
        let call = Call::new(Method::HEAD, path, vec![Scope::pull(&repo.path)]);
        let resp = self.execute(&repo.domain, call).await?;
        if resp.resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = expect(resp, &[200]).await?;
        Ok(Some(
            header_str(resp.resp.headers(), "content-length")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        ))
    }

    /// GET a small blob (an image config), digest-verified, refusing more than `max` bytes.
    pub async fn get_blob(
        &self,
        repo: &Repo,
        digest: &Digest,
        max: usize,
    ) -> Result<Vec<u8>, RegistryError> {
        let path = format!("/v2/{}/blobs/{}", repo.path, digest);
        let (_, request, bytes) = self
            .fetch_body(
                || {
                    let call = Call::new(Method::GET, path.clone(), vec![Scope::pull(&repo.path)]);
                    self.execute(&repo.domain, call)
                },
                max,
            )
            .await?;
        check_digest(&request, digest, &bytes)?;
        Ok(bytes)
    }

    /// Cross-repository mount on one registry. `Ok(true)`: mounted (201).
    /// `Ok(false)`: the registry opened an upload instead (202); that session is cancelled.
    pub async fn mount_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
    ) -> Result<bool, RegistryError> {
        if target.domain != from.domain {
            return Err(RegistryError::new(
                format!("POST {}/v2/{}/blobs/uploads/", target.domain, target.path),
                ErrorKind::Other(format!(
                    "cannot mount a blob across registries ({} → {}); copy it instead",
                    from.domain, target.domain
                )),
            ));
        }
        let path = format!(
            "/v2/{}/blobs/uploads/?mount={}&from={}",
            target.path,
            digest,
            encode(&from.path)
        );
        let call = Call::new(
            Method::POST,
            path,
            vec![Scope::push(&target.path), Scope::pull(&from.path)],
        );
        let resp = self.execute(&target.domain, call).await?;
        match resp.resp.status().as_u16() {
            201 => Ok(true),
            202 => {
                let location = header_str(resp.resp.headers(), "location");
                drop(resp);
                if let Some(loc) = location {
                    self.cancel_upload(&target.domain, &target.path, &loc).await;
                }
                Ok(false)
            }
            _ => Err(fail(resp).await),
        }
    }

    /// Make sure `digest` exists in `target`. On one registry, mount it from `from` straight
    /// away (a 201 also answers "already there", so no HEAD is spent first); when the mount is
    /// refused, or across registries, HEAD the target and stream-copy what is missing,
    /// reporting bytes copied.
    pub async fn ensure_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
    ) -> Result<(), RegistryError> {
        let done = |progress: &Option<ByteProgress>| {
            if let Some(p) = progress {
                p(size);
            }
        };
        if target.domain == from.domain
            && target.path != from.path
            && self.mount_blob(target, from, digest).await?
        {
            done(&progress);
            return Ok(());
        }
        if self.blob_exists(target, digest).await?.is_some() {
            done(&progress);
            return Ok(());
        }
        self.copy_blob(target, from, digest, size, progress).await
    }

    /// Monolithic upload of bytes (POST then PUT ?digest=).
    pub async fn upload_blob(
        &self,
        repo: &Repo,
        digest: &Digest,
        bytes: Vec<u8>,
    ) -> Result<(), RegistryError> {
        check_digest(&format!("upload to {repo}"), digest, &bytes)?;
        let location = self.start_upload(repo).await?;
        let url = with_digest(&location, digest);
        let len = bytes.len();
        let mut call = Call::new(Method::PUT, url, vec![Scope::push(&repo.path)])
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header(reqwest::header::CONTENT_LENGTH, &len.to_string());
        call.body = ReqBody::Bytes(bytes);
        let resp = match self.execute(&repo.domain, call).await {
            Ok(r) => r,
            Err(e) => {
                self.cancel_upload(&repo.domain, &repo.path, &location)
                    .await;
                return Err(e);
            }
        };
        match expect(resp, &[201, 204]).await {
            Ok(_) => Ok(()),
            Err(e) => {
                self.cancel_upload(&repo.domain, &repo.path, &location)
                    .await;
                Err(e)
            }
        }
    }

    /// POST an upload session; returns its absolute location.
    async fn start_upload(&self, repo: &Repo) -> Result<String, RegistryError> {
        let call = Call::new(
            Method::POST,
            format!("/v2/{}/blobs/uploads/", repo.path),
            vec![Scope::push(&repo.path)],
        );
        let resp = self.execute(&repo.domain, call).await?;
        let resp = expect(resp, &[202]).await?;
        let loc = header_str(resp.resp.headers(), "location").ok_or_else(|| {
            RegistryError::new(
                resp.request.clone(),
                ErrorKind::Other("the registry opened an upload without a Location".into()),
            )
        })?;
        let base = resp.resp.url().clone();
        base.join(&loc).map(|u| u.to_string()).map_err(|e| {
            RegistryError::new(
                resp.request.clone(),
                ErrorKind::Other(format!("bad upload Location {loc:?}: {e}")),
            )
        })
    }

    /// DELETE an upload session (best effort: a failure only leaves a session that expires).
    async fn cancel_upload(&self, domain: &str, repo_path: &str, location: &str) {
        let url = match self.registry(domain) {
            Ok(reg) => match self.base(&reg).await {
                Ok(b) => Url::parse(&format!("{b}/"))
                    .and_then(|u| u.join(location))
                    .map(|u| u.to_string())
                    .unwrap_or_else(|_| location.to_string()),
                Err(_) => return,
            },
            Err(_) => return,
        };
        let mut call = Call::new(Method::DELETE, url, vec![Scope::push(repo_path)]);
        call.idempotent = false;
        if let Ok(r) = self.execute(domain, call).await {
            self.trace(&format!("{} cancel upload", r.resp.status().as_u16()));
        }
    }

    /// Stream a blob from `from` to `target` (any registries): POST, GET, PUT with the GET's
    /// body as it arrives, reporting bytes.
    async fn copy_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
    ) -> Result<(), RegistryError> {
        let location = self.start_upload(target).await?;
        let result = self
            .copy_into(target, from, digest, size, progress, &location)
            .await;
        if result.is_err() {
            self.cancel_upload(&target.domain, &target.path, &location)
                .await;
        }
        result
    }

    async fn copy_into(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
        location: &str,
    ) -> Result<(), RegistryError> {
        use futures_util::StreamExt;
        // Take both slots up front (in a fixed order) so copies cannot deadlock each other.
        let src = self.registry(&from.domain)?;
        let dst = self.registry(&target.domain)?;
        let closed = |_| {
            RegistryError::new(
                format!("copy {digest}"),
                ErrorKind::Other("client shut down".into()),
            )
        };
        let (p_src, p_dst) = if src.domain == dst.domain {
            let n = self.inner.opts.max_in_flight.min(2) as u32;
            let mut p = src
                .sem
                .clone()
                .acquire_many_owned(n)
                .await
                .map_err(closed)?;
            let second = if n == 2 { p.split(1) } else { None };
            (Some(p), second)
        } else if src.domain < dst.domain {
            let a = src.sem.clone().acquire_owned().await.map_err(closed)?;
            let b = dst.sem.clone().acquire_owned().await.map_err(closed)?;
            (Some(a), Some(b))
        } else {
            let b = dst.sem.clone().acquire_owned().await.map_err(closed)?;
            let a = src.sem.clone().acquire_owned().await.map_err(closed)?;
            (Some(a), Some(b))
        };
        let mut get = Call::new(
            Method::GET,
            format!("/v2/{}/blobs/{}", from.path, digest),
            vec![Scope::pull(&from.path)],
        );
        get.permit = Permit::Held(p_src);
        let src_resp = expect(self.execute(&from.domain, get).await?, &[200]).await?;
        let len = header_str(src_resp.resp.headers(), "content-length")
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(size);
        let Resp {
            resp,
            _permit: src_permit,
            ..
        } = src_resp;
        let stream = resp.bytes_stream().map(move |chunk| {
            let _hold = &src_permit;
            if let (Ok(c), Some(p)) = (&chunk, &progress) {
                p(c.len() as u64);
            }
            chunk
        });
        let mut put = Call::new(
            Method::PUT,
            with_digest(location, digest),
            vec![Scope::push(&target.path)],
        )
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream");
        if len > 0 {
            put = put.header(reqwest::header::CONTENT_LENGTH, &len.to_string());
        }
        put.body = ReqBody::Stream(Some(reqwest::Body::wrap_stream(stream)));
        put.idempotent = false;
        put.permit = Permit::Held(p_dst);
        expect(self.execute(&target.domain, put).await?, &[201, 204]).await?;
        Ok(())
    }
}

/// Append `digest=` to an upload location.
fn with_digest(location: &str, digest: &Digest) -> String {
    let sep = if location.contains('?') { '&' } else { '?' };
    format!("{location}{sep}digest={}", encode(digest.as_str()))
}
