//! Blobs: HEAD, small GETs, cross-repository mounts, monolithic uploads, and streamed copies
//! between repositories or registries, with the upload session each needs.

use super::auth::Scope;
use super::client::{ByteProgress, Client, Registry, Repo};
use super::transport::{
    check_digest, encode, expect, fail, header_str, transport, Call, Permit, ReqBody, Resp,
};
use super::{ErrorCode, ErrorKind, RegistryError};
use crate::digest::Digest;
use reqwest::{Method, StatusCode, Url};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::OwnedSemaphorePermit;

/// Bytes per PATCH of a chunked upload, unless the registry asks for more
/// (`OCI-Chunk-Min-Length`).
const CHUNK: usize = 8 * 1024 * 1024;

/// An open upload session: where to send the next request, and the smallest chunk the
/// registry takes.
pub(super) struct Session {
    /// Absolute URL, resolved against the URL of the answer that carried it (a relative
    /// `Location`, or one outside `/v2/`, is as valid as an absolute one).
    location: String,
    min_chunk: Option<u64>,
}

impl Session {
    fn of(resp: &Resp) -> Result<Session, RegistryError> {
        let h = resp.resp.headers();
        let loc = header_str(h, "location").ok_or_else(|| {
            RegistryError::new(
                resp.request.clone(),
                ErrorKind::Other("the registry opened an upload without a Location".into()),
            )
        })?;
        let location = resp
            .resp
            .url()
            .join(&loc)
            .map(|u| u.to_string())
            .map_err(|e| {
                RegistryError::new(
                    resp.request.clone(),
                    ErrorKind::Other(format!("bad upload Location {loc:?}: {e}")),
                )
            })?;
        let min_chunk = header_str(h, "oci-chunk-min-length").and_then(|v| v.parse().ok());
        Ok(Session {
            location,
            min_chunk,
        })
    }
}

/// The registry refused to take a blob in one PUT (JFrog Artifactory): a 4xx that is not
/// about auth, the session, or the bytes themselves.
fn refuses_monolithic(e: &RegistryError) -> bool {
    let Some(status) = e.status() else {
        return false;
    };
    matches!(status, 400 | 405 | 411 | 413 | 415 | 416 | 501)
        && !matches!(
            e.code(),
            Some(ErrorCode::DigestInvalid | ErrorCode::SizeInvalid | ErrorCode::BlobUploadUnknown)
        )
}

/// A mount the registry refused outright (401, 403, 404, or no token for the source's
/// scope): the blob is copied instead.
fn mount_refused(e: &RegistryError) -> bool {
    matches!(e.status(), Some(401 | 403 | 404)) || matches!(e.kind, ErrorKind::Auth { .. })
}

/// The PUT closing an upload failed in a way that leaves unknown whether the registry
/// stored the blob: a 5xx, a dropped connection, or the session gone (a retry after a
/// success the registry did not report).
fn closing_unsure(e: &RegistryError) -> bool {
    matches!(e.status(), Some(500..=599))
        || matches!(e.kind, ErrorKind::Transport { .. })
        || e.code() == Some(&ErrorCode::BlobUploadUnknown)
}

/// The error of a closing PUT after which the registry does not hold the blob.
fn not_closed(e: RegistryError, digest: &Digest) -> RegistryError {
    e.extend_message(|m| format!(
        "{m}; the registry did not finish the upload after every chunk was sent, even when asked again, and does not hold {digest}: push again (nothing was tagged)"
    ))
}

/// Bytes held by an upload whose `Range` is `0-<last>` (`bytes=` optional); Distribution
/// says `0-0` for an empty upload, so that counts as none.
fn range_end(range: &str) -> Option<u64> {
    let r = range.trim().trim_start_matches("bytes=");
    let (start, end) = r.split_once('-')?;
    let (start, end): (u64, u64) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    if start != 0 {
        return None;
    }
    Some(if end == 0 { 0 } else { end + 1 })
}

/// Bytes in hand as a chunk source.
fn chunks_of(
    bytes: Vec<u8>,
) -> futures_util::stream::Iter<std::vec::IntoIter<Result<Vec<u8>, RegistryError>>> {
    futures_util::stream::iter(vec![Ok(bytes)])
}

impl Client {
    /// HEAD a blob: its size when present.
    pub async fn blob_exists(
        &self,
        repo: &Repo,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        self.blob_size(repo, digest, false).await
    }

    /// [`Client::blob_exists`]; `held`: the caller already holds this request's permit.
    async fn blob_size(
        &self,
        repo: &Repo,
        digest: &Digest,
        held: bool,
    ) -> Result<Option<u64>, RegistryError> {
        if let Some(l) = self.layout(&repo.domain)? {
            return Ok(l.blob_size(digest));
        }
        let path = format!("/v2/{}/blobs/{}", repo.path, digest);
        let mut call = Call::new(Method::HEAD, path, vec![Scope::pull(&repo.path)]);
        if held {
            call.permit = Permit::Held(None);
        }
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
        if let Some(l) = self.layout(&repo.domain)? {
            return l.read_blob(digest, max);
        }
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
        if self.layout(&target.domain)?.is_some() || self.layout(&from.domain)?.is_some() {
            // Nothing to mount across files: not mounted, so the caller copies.
            return Ok(false);
        }
        match self.mount_or_session(target, from, digest).await? {
            None => Ok(true),
            Some(session) => {
                self.cancel_upload(&target.domain, &target.path, &session.location)
                    .await;
                Ok(false)
            }
        }
    }

    /// Mount `digest` from `from`: `None` when mounted (201), else the upload session the
    /// registry opened instead (202: ECR for blobs no manifest references, Harbor without
    /// pull on the source), for the copy to use.
    async fn mount_or_session(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
    ) -> Result<Option<Session>, RegistryError> {
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
            201 => Ok(None),
            202 => Session::of(&resp).map(Some),
            _ => Err(fail(resp).await),
        }
    }

    /// Make sure `digest` exists in `target`. On one registry, mount it from `from` straight
    /// away (a 201 also answers "already there", so no HEAD is spent first); when the mount is
    /// refused, or across registries, HEAD the target and stream-copy what is missing,
    /// reporting bytes copied. A blob already on its way to the same repository (two entries
    /// of a list sharing a layer) is not sent twice: the second caller waits for the first's
    /// result (its bytes are reported to the first caller's progress).
    pub async fn ensure_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
    ) -> Result<(), RegistryError> {
        let in_flight = || {
            self.inner
                .blobs_in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
        };
        let key = (target.domain.clone(), target.path.clone(), digest.clone());
        let cell = in_flight().entry(key.clone()).or_default().clone();
        let res = cell
            .get_or_init(|| self.ensure_blob_once(target, from, digest, size, progress))
            .await
            .clone();
        let mut m = in_flight();
        if m.get(&key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            m.remove(&key);
        }
        res
    }

    /// [`ensure_blob`](Self::ensure_blob)'s transfer itself.
    async fn ensure_blob_once(
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
        match (self.layout(&target.domain)?, self.layout(&from.domain)?) {
            (None, None) => {}
            (Some(to), from_layout) => {
                if to.blob_size(digest).is_some() {
                    done(&progress);
                    return Ok(());
                }
                let report = |n: u64| {
                    if let Some(p) = &progress {
                        p(n);
                    }
                };
                return match from_layout {
                    Some(l) => {
                        let (chunks, _) = l.blob_chunks(digest).await?;
                        to.write_blob(digest, Some(size), chunks, Some(&report))
                            .await
                    }
                    None => {
                        let chunks = self.blob_chunks(from, digest).await?;
                        to.write_blob(digest, Some(size), chunks, Some(&report))
                            .await
                    }
                };
            }
            (None, Some(l)) => {
                if self.blob_exists(target, digest).await?.is_some() {
                    done(&progress);
                    return Ok(());
                }
                return self.upload_from_layout(target, &l, digest, progress).await;
            }
        }
        let mut session = None;
        if target.domain == from.domain && target.path != from.path {
            match self.mount_or_session(target, from, digest).await {
                Ok(None) => {
                    done(&progress);
                    return Ok(());
                }
                Ok(Some(s)) => session = Some(s),
                // Harbor answers 401 for a `from` repository it does not know or will not
                // let us pull: not mounted, so copy. The token for the target alone is
                // cached apart from the mount's, so the copy still has its credentials.
                Err(e) if mount_refused(&e) => {
                    self.trace(&format!("{}: mount refused ({e}); copying", e.request));
                }
                Err(e) => return Err(e),
            }
        }
        let exists = self.blob_exists(target, digest).await;
        if !matches!(exists, Ok(None)) {
            if let Some(s) = &session {
                self.cancel_upload(&target.domain, &target.path, &s.location)
                    .await;
            }
            exists?;
            done(&progress);
            return Ok(());
        }
        self.copy_blob(target, from, digest, size, progress, session)
            .await
    }

    /// Upload bytes: monolithic (POST, then PUT ?digest= with the bytes), or in PATCH chunks
    /// on a registry that refuses that.
    pub async fn upload_blob(
        &self,
        repo: &Repo,
        digest: &Digest,
        bytes: Vec<u8>,
    ) -> Result<(), RegistryError> {
        check_digest(&format!("upload to {repo}"), digest, &bytes)?;
        if let Some(l) = self.layout(&repo.domain)? {
            let one = futures_util::stream::iter([Ok(bytes::Bytes::from(bytes))]);
            return l.write_blob(digest, None, one, None).await;
        }
        let session = self.start_upload(repo).await?;
        self.upload_over(
            repo,
            session,
            |location| self.put_whole(repo, digest, location, bytes.clone()),
            |s| self.upload_chunks(repo, digest, s, chunks_of(bytes.clone()), None, false),
        )
        .await
    }

    /// Upload over `session`: in one piece (`whole`, given the session's location) unless
    /// the registry is known to refuse that, in chunks (`chunked`, given a session)
    /// otherwise; a refused monolithic upload is done again in chunks over a new session.
    /// A failed upload's session is cancelled.
    async fn upload_over<W, WF, C, CF>(
        &self,
        repo: &Repo,
        session: Session,
        whole: W,
        chunked: C,
    ) -> Result<(), RegistryError>
    where
        W: FnOnce(String) -> WF,
        WF: std::future::Future<Output = Result<(), RegistryError>>,
        C: Fn(Session) -> CF,
        CF: std::future::Future<Output = Result<(), RegistryError>>,
    {
        let reg = self.registry(&repo.domain)?;
        let mut open = session.location.clone();
        let monolithic = !reg.chunked_only.load(Ordering::Relaxed);
        let mut result = if monolithic {
            whole(open.clone()).await
        } else {
            chunked(session).await
        };
        if let Err(e) = &result {
            if monolithic && refuses_monolithic(e) {
                self.chunked_from_now(&reg, e, repo, &open).await;
                let s = self.start_upload(repo).await?;
                open = s.location.clone();
                result = chunked(s).await;
            }
        }
        if result.is_err() {
            self.cancel_upload(&repo.domain, &repo.path, &open).await;
        }
        result
    }

    /// The monolithic PUT of an open session.
    async fn put_whole(
        &self,
        repo: &Repo,
        digest: &Digest,
        location: String,
        bytes: Vec<u8>,
    ) -> Result<(), RegistryError> {
        self.close_upload(repo, digest, &location, bytes, false)
            .await
    }

    /// The `PUT ?digest=` that closes an upload session: with the whole blob (monolithic),
    /// or empty after the chunks. `held`: the caller already holds this request's permit.
    async fn close_upload(
        &self,
        repo: &Repo,
        digest: &Digest,
        location: &str,
        bytes: Vec<u8>,
        held: bool,
    ) -> Result<(), RegistryError> {
        let mut call = Call::new(
            Method::PUT,
            with_digest(location, digest),
            vec![Scope::push(&repo.path)],
        )
        .header(reqwest::header::CONTENT_LENGTH, &bytes.len().to_string());
        let after_chunks = bytes.is_empty();
        if !after_chunks {
            call = call.header(reqwest::header::CONTENT_TYPE, "application/octet-stream");
            call.body = ReqBody::Bytes(bytes);
        }
        // The empty PUT after the chunks carries nothing to lose: it is sent again on a 5xx
        // or a dropped connection (ECR answers 500 to it now and then).
        call.idempotent = after_chunks;
        if held {
            call.permit = Permit::Held(None);
        }
        let result = match self.execute(&repo.domain, call).await {
            Ok(resp) => expect(resp, &[201, 204]).await.map(|_| ()),
            Err(e) => Err(e),
        };
        match result {
            Err(e) if after_chunks && closing_unsure(&e) => {
                // The registry may have stored the blob and failed only to say so (then a
                // PUT sent again finds no session): its HEAD decides.
                match self.blob_size(repo, digest, held).await {
                    Ok(Some(_)) => {
                        self.trace(&format!(
                            "{}: {e}, yet the registry holds {digest}; upload done",
                            e.request
                        ));
                        Ok(())
                    }
                    _ => Err(not_closed(e, digest)),
                }
            }
            other => other,
        }
    }

    /// The registry refused a monolithic upload: cancel that session and upload in chunks
    /// to this registry from now on.
    async fn chunked_from_now(
        &self,
        reg: &Registry,
        refusal: &RegistryError,
        repo: &Repo,
        location: &str,
    ) {
        self.trace(&format!(
            "{}: monolithic upload refused; uploading in chunks",
            refusal.request
        ));
        reg.chunked_only.store(true, Ordering::Relaxed);
        self.cancel_upload(&repo.domain, &repo.path, location).await;
    }

    /// Send the blob in PATCH chunks with `Content-Range` (each at least the session's
    /// `OCI-Chunk-Min-Length`, the last one excepted), following the `Location` of every
    /// answer, then close the session with an empty PUT ?digest=. `progress` gets the bytes
    /// of each accepted chunk.
    async fn upload_chunks<S>(
        &self,
        repo: &Repo,
        digest: &Digest,
        session: Session,
        mut source: S,
        progress: Option<ByteProgress>,
        held: bool,
    ) -> Result<(), RegistryError>
    where
        S: futures_util::Stream<Item = Result<Vec<u8>, RegistryError>> + Unpin,
    {
        use futures_util::StreamExt;
        let chunk = session
            .min_chunk
            .map_or(CHUNK, |m| m.max(CHUNK as u64) as usize);
        let mut location = session.location;
        let mut offset: u64 = 0;
        let mut buf: Vec<u8> = Vec::new();
        let mut ended = false;
        while !ended || !buf.is_empty() {
            while !ended && buf.len() < chunk {
                match source.next().await {
                    Some(piece) => buf.extend_from_slice(&piece?),
                    None => ended = true,
                }
            }
            if buf.is_empty() {
                break;
            }
            let rest = buf.split_off(buf.len().min(chunk));
            let part = std::mem::replace(&mut buf, rest);
            let len = part.len() as u64;
            // `sent`: bytes of this chunk the registry holds. A PATCH cut off on the way
            // (its answer lost, the connection reset) is resumed from the offset the
            // registry reports for the session, not sent again from zero.
            let mut sent: u64 = 0;
            let mut resumes = 0;
            while sent < len {
                let piece = &part[sent as usize..];
                let mut call = Call::new(
                    Method::PATCH,
                    location.clone(),
                    vec![Scope::push(&repo.path)],
                )
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .header(reqwest::header::CONTENT_LENGTH, &piece.len().to_string())
                .header(
                    reqwest::header::CONTENT_RANGE,
                    &format!("{}-{}", offset + sent, offset + len - 1),
                );
                call.body = ReqBody::Bytes(piece.to_vec());
                if held {
                    call.permit = Permit::Held(None);
                }
                let resp = match self.execute(&repo.domain, call).await {
                    Ok(r) => r,
                    Err(e) if matches!(e.kind, ErrorKind::Transport { .. }) && resumes < 3 => {
                        resumes += 1;
                        let Some((at, have)) = self.upload_offset(repo, &location, held).await
                        else {
                            return Err(e);
                        };
                        if have < offset + sent || have > offset + len {
                            return Err(e);
                        }
                        self.trace(&format!(
                            "{}: resuming the upload at byte {have}",
                            e.request
                        ));
                        location = at;
                        sent = have - offset;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let resp = expect(resp, &[202]).await?;
                if header_str(resp.resp.headers(), "location").is_some() {
                    location = Session::of(&resp)?.location;
                }
                sent = len;
            }
            offset += len;
            if let Some(p) = &progress {
                p(len);
            }
        }
        self.close_upload(repo, digest, &location, Vec::new(), held)
            .await
    }

    /// Ask an upload session how far it got (GET, `Range: 0-<last byte>`): its location for
    /// the next request and the bytes it holds; `None` when the registry cannot say.
    async fn upload_offset(
        &self,
        repo: &Repo,
        location: &str,
        held: bool,
    ) -> Option<(String, u64)> {
        let mut call = Call::new(
            Method::GET,
            location.to_string(),
            vec![Scope::push(&repo.path)],
        );
        if held {
            call.permit = Permit::Held(None);
        }
        let resp = expect(self.execute(&repo.domain, call).await.ok()?, &[204, 200])
            .await
            .ok()?;
        let range = header_str(resp.resp.headers(), "range")?;
        let held = range_end(&range)?;
        let at = match header_str(resp.resp.headers(), "location") {
            Some(_) => Session::of(&resp).ok()?.location,
            None => location.to_string(),
        };
        Some((at, held))
    }

    /// POST an upload session.
    async fn start_upload(&self, repo: &Repo) -> Result<Session, RegistryError> {
        let call = Call::new(
            Method::POST,
            format!("/v2/{}/blobs/uploads/", repo.path),
            vec![Scope::push(&repo.path)],
        );
        let resp = self.execute(&repo.domain, call).await?;
        let resp = expect(resp, &[202]).await?;
        Session::of(&resp)
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

    /// A registry's blob as a stream of chunks (its GET holds a slot on the registry until
    /// the stream is dropped): what a copy into an OCI layout reads.
    async fn blob_chunks(
        &self,
        from: &Repo,
        digest: &Digest,
    ) -> Result<
        impl futures_util::Stream<Item = Result<bytes::Bytes, RegistryError>> + Unpin,
        RegistryError,
    > {
        use futures_util::StreamExt;
        let get = Call::new(
            Method::GET,
            format!("/v2/{}/blobs/{}", from.path, digest),
            vec![Scope::pull(&from.path)],
        );
        let src = expect(self.execute(&from.domain, get).await?, &[200]).await?;
        let Resp {
            resp,
            request,
            _permit: permit,
        } = src;
        Ok(Box::pin(resp.bytes_stream().map(move |chunk| {
            let _hold = &permit;
            chunk.map_err(|e| transport(request.clone(), &e))
        })))
    }

    /// Upload a blob of an OCI layout to `target`, streamed from its file: in one PUT, or
    /// in chunks where the registry refuses that (the file is read again from the start).
    async fn upload_from_layout(
        &self,
        target: &Repo,
        layout: &crate::layout::Layout,
        digest: &Digest,
        progress: Option<ByteProgress>,
    ) -> Result<(), RegistryError> {
        use futures_util::StreamExt;
        let session = self.start_upload(target).await?;
        let progress = &progress;
        self.upload_over(
            target,
            session,
            |location| async move {
                let (chunks, len) = layout.blob_chunks(digest).await?;
                let report = progress.clone();
                let chunks = chunks.map(move |c| {
                    if let (Ok(c), Some(p)) = (&c, &report) {
                        p(c.len() as u64);
                    }
                    c
                });
                let mut put = Call::new(
                    Method::PUT,
                    with_digest(&location, digest),
                    vec![Scope::push(&target.path)],
                )
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .header(reqwest::header::CONTENT_LENGTH, &len.to_string());
                put.body = ReqBody::Stream(Some(reqwest::Body::wrap_stream(chunks)));
                put.idempotent = false;
                expect(self.execute(&target.domain, put).await?, &[201, 204]).await?;
                Ok(())
            },
            |s| async move {
                let (chunks, _) = layout.blob_chunks(digest).await?;
                let chunks = chunks.map(|c| c.map(|b| b.to_vec()));
                self.upload_chunks(target, digest, s, chunks, progress.clone(), false)
                    .await
            },
        )
        .await
    }

    /// Stream a blob from `from` to `target` (any registries) over `session` (or a new
    /// one): GET, then PUT with the GET's body as it arrives, reporting bytes; in PATCH
    /// chunks where the registry refuses a monolithic upload.
    async fn copy_blob(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        size: u64,
        progress: Option<ByteProgress>,
        session: Option<Session>,
    ) -> Result<(), RegistryError> {
        let session = match session {
            Some(s) => s,
            None => self.start_upload(target).await?,
        };
        // Bytes already reported, so a second attempt does not count them twice.
        let reported = Arc::new(AtomicU64::new(0));
        let counted = || -> Option<ByteProgress> {
            let reported = reported.clone();
            let progress = progress.clone()?;
            let sent = Arc::new(AtomicU64::new(0));
            Some(Arc::new(move |n: u64| {
                let now = sent.fetch_add(n, Ordering::Relaxed) + n;
                let before = reported.fetch_max(now, Ordering::Relaxed);
                if now > before {
                    progress(now - before);
                }
            }))
        };
        self.upload_over(
            target,
            session,
            |location| async move {
                self.copy_into(target, from, digest, size, counted(), &location)
                    .await
            },
            |s| self.copy_chunked(target, from, digest, s, counted()),
        )
        .await
    }

    /// Slots for a copy on both registries, taken up front (in a fixed order) so copies
    /// cannot deadlock each other: `(source, target)`; one registry gives up to two slots.
    async fn copy_permits(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
    ) -> Result<(Option<OwnedSemaphorePermit>, Option<OwnedSemaphorePermit>), RegistryError> {
        // Take both slots up front (in a fixed order) so copies cannot deadlock each other.
        let src = self.registry(&from.domain)?;
        let dst = self.registry(&target.domain)?;
        let closed = |_| {
            RegistryError::new(
                format!("copy {digest}"),
                ErrorKind::Other("client shut down".into()),
            )
        };
        Ok(if src.domain == dst.domain {
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
        })
    }

    /// Take both registries' slots (see [`Self::copy_permits`]) and open the source blob's
    /// GET: its body as a stream of chunks that holds the source's slot until it is dropped.
    async fn open_source(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
    ) -> Result<
        SourceBody<
            impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send + 'static,
        >,
        RegistryError,
    > {
        use futures_util::StreamExt;
        let (p_src, p_dst) = self.copy_permits(target, from, digest).await?;
        let mut get = Call::new(
            Method::GET,
            format!("/v2/{}/blobs/{}", from.path, digest),
            vec![Scope::pull(&from.path)],
        );
        get.permit = Permit::Held(p_src);
        let src = expect(self.execute(&from.domain, get).await?, &[200]).await?;
        let len = header_str(src.resp.headers(), "content-length").and_then(|s| s.parse().ok());
        let Resp {
            resp,
            request,
            _permit: src_permit,
        } = src;
        let chunks = resp.bytes_stream().map(move |chunk| {
            let _hold = &src_permit;
            chunk
        });
        Ok(SourceBody {
            chunks,
            request,
            len,
            target_slot: p_dst,
        })
    }

    /// GET the blob from `from` and send it to `session` in chunks.
    async fn copy_chunked(
        &self,
        target: &Repo,
        from: &Repo,
        digest: &Digest,
        session: Session,
        progress: Option<ByteProgress>,
    ) -> Result<(), RegistryError> {
        use futures_util::StreamExt;
        let src = self.open_source(target, from, digest).await?;
        let request = src.request;
        let stream = src.chunks.map(move |chunk| {
            chunk
                .map(|b| b.to_vec())
                .map_err(|e| transport(request.clone(), &e))
        });
        let _hold = src.target_slot;
        self.upload_chunks(target, digest, session, stream, progress, true)
            .await
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
        let src = self.open_source(target, from, digest).await?;
        let len = src.len.unwrap_or(size);
        let stream = src.chunks.map(move |chunk| {
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
        put.permit = Permit::Held(src.target_slot);
        expect(self.execute(&target.domain, put).await?, &[201, 204]).await?;
        Ok(())
    }
}

/// A copy's source blob, being read: see [`Client::open_source`].
struct SourceBody<S> {
    /// The body's chunks; the stream holds the source registry's slot.
    chunks: S,
    /// The GET, for naming it in errors.
    request: String,
    /// Its Content-Length, when given.
    len: Option<u64>,
    /// The target registry's slot for the upload.
    target_slot: Option<OwnedSemaphorePermit>,
}

/// Append `digest=` to an upload location.
fn with_digest(location: &str, digest: &Digest) -> String {
    let sep = if location.contains('?') { '&' } else { '?' };
    format!("{location}{sep}digest={}", encode(digest.as_str()))
}
