//! Manifests: GET (digest-verified), HEAD, PUT of exact bytes, DELETE.

use super::auth::Scope;
use super::client::{Client, Repo};
use super::transport::{check_digest, expect, header_str, Call, ReqBody, Retry, CONTENT_DIGEST};
use super::{ErrorCode, ErrorKind, RegistryError};
use crate::digest::Digest;
use crate::media::{Kind, RawManifest, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES};
use crate::reference::Reference;
use reqwest::{Method, StatusCode};

impl Client {
    /// Read a manifest by tag or digest. With a manifest cache, a read by digest that is
    /// cached sends nothing, and a read by tag HEADs first: when the answer names a digest
    /// (`Docker-Content-Digest`, and only then) whose bytes are cached, they are served
    /// and no GET is sent (a GET is a pull on Docker Hub's quota, a HEAD is not).
    /// Otherwise the manifest is fetched ([`Client::fetch_manifest`]) and cached.
    pub async fn get_manifest(&self, r: &Reference) -> Result<RawManifest, RegistryError> {
        if let Some(l) = self.layout(&r.domain)? {
            return l.get_manifest(r.tag.as_deref(), r.digest.as_ref());
        }
        match self.read_manifest(r, false).await? {
            Some(m) => Ok(m),
            // Only a HEAD answered 404 gives `None`, and that is not asked for here.
            None => self.fetch_manifest(r).await,
        }
    }

    /// Read a manifest that may well not exist (a referrers tag): `None` when the registry
    /// says so. As [`Client::get_manifest`], except that with a cache a HEAD answered 404
    /// settles it: no GET follows.
    pub async fn find_manifest(&self, r: &Reference) -> Result<Option<RawManifest>, RegistryError> {
        match self.read_manifest(r, true).await {
            Err(e) if e.is_not_found() => Ok(None),
            other => other,
        }
    }

    /// [`Client::get_manifest`]'s rule; `None` only when `head_404_ends` and a HEAD found
    /// nothing.
    async fn read_manifest(
        &self,
        r: &Reference,
        head_404_ends: bool,
    ) -> Result<Option<RawManifest>, RegistryError> {
        if let Some(l) = self.layout(&r.domain)? {
            return l
                .get_manifest(r.tag.as_deref(), r.digest.as_ref())
                .map(Some);
        }
        let Some(cache) = self.inner.cache.as_ref() else {
            return self.fetch_manifest(r).await.map(Some);
        };
        let known = match &r.digest {
            Some(d) => cache.get(d).map(|b| (b, String::new())),
            None => match self.head_fields(r).await {
                Ok(Some((ct, Some(d), _))) => cache.get(&d).map(|b| (b, ct)),
                Ok(None) if head_404_ends => return Ok(None),
                // No digest named, not found, or the HEAD failed: the GET decides.
                _ => None,
            },
        };
        if let Some((bytes, ct)) = known {
            let request = format!("cached {}", r);
            self.trace(&format!("{request} (no GET)"));
            return RawManifest::new(bytes, &ct)
                .map(Some)
                .map_err(|e| RegistryError::new(request, ErrorKind::Other(e.to_string())));
        }
        let m = self.fetch_manifest(r).await?;
        cache.put(&m.digest, &m.bytes);
        Ok(Some(m))
    }

    /// GET a manifest by tag or digest with all four Accept types; verifies the bytes against
    /// the digest in the reference and against `Docker-Content-Digest`; refuses > 4 MiB.
    pub async fn fetch_manifest(&self, r: &Reference) -> Result<RawManifest, RegistryError> {
        if let Some(l) = self.layout(&r.domain)? {
            return l.get_manifest(r.tag.as_deref(), r.digest.as_ref());
        }
        let path = format!("/v2/{}/manifests/{}", r.path, r.manifest_reference());
        let (headers, request, bytes) = self
            .fetch_body(
                || {
                    let call = Call::new(Method::GET, path.clone(), vec![Scope::pull(&r.path)])
                        .header(reqwest::header::ACCEPT, MANIFEST_ACCEPT);
                    self.execute(&r.domain, call)
                },
                MAX_MANIFEST_BYTES,
            )
            .await?;
        let ct = header_str(&headers, "content-type").unwrap_or_default();
        let header_digest = header_str(&headers, CONTENT_DIGEST);
        if let Some(want) = &r.digest {
            check_digest(&request, want, &bytes)?;
        }
        if let Some(h) = header_digest.as_deref().and_then(|h| Digest::parse(h).ok()) {
            check_digest(&request, &h, &bytes)?;
        }
        RawManifest::new(bytes, &ct)
            .map_err(|e| RegistryError::new(request, ErrorKind::Other(e.to_string())))
    }

    /// HEAD a manifest: `(media type, digest, size)`, or `None` when it does not exist.
    pub async fn head_manifest(
        &self,
        r: &Reference,
    ) -> Result<Option<(String, Digest, u64)>, RegistryError> {
        if let Some(l) = self.layout(&r.domain)? {
            return l.head_manifest(r.tag.as_deref(), r.digest.as_ref());
        }
        match self.head_fields(r).await? {
            None => Ok(None),
            Some((ct, Some(d), Some(s))) if !ct.is_empty() => Ok(Some((ct, d, s))),
            Some(_) => {
                // The registry did not say enough: fetch and hash the bytes ourselves.
                let m = self.fetch_manifest(r).await?;
                Ok(Some((
                    m.media_type.clone(),
                    m.digest.clone(),
                    m.bytes.len() as u64,
                )))
            }
        }
    }

    /// HEAD a manifest: what the answer says of it (content type without parameters,
    /// `Docker-Content-Digest`, `Content-Length`), or `None` when it does not exist. A
    /// digest named that differs from the reference's own is an error.
    async fn head_fields(
        &self,
        r: &Reference,
    ) -> Result<Option<(String, Option<Digest>, Option<u64>)>, RegistryError> {
        let path = format!("/v2/{}/manifests/{}", r.path, r.manifest_reference());
        let call = Call::new(Method::HEAD, path, vec![Scope::pull(&r.path)])
            .header(reqwest::header::ACCEPT, MANIFEST_ACCEPT);
        let resp = self.execute(&r.domain, call).await?;
        if resp.resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = expect(resp, &[200]).await?;
        let h = resp.resp.headers();
        let ct = header_str(h, "content-type").unwrap_or_default();
        let ct = ct.split(';').next().unwrap_or("").trim().to_string();
        let digest = header_str(h, CONTENT_DIGEST).and_then(|d| Digest::parse(&d).ok());
        let size = header_str(h, "content-length").and_then(|s| s.parse::<u64>().ok());
        if let (Some(d), Some(want)) = (&digest, &r.digest) {
            if d != want {
                return Err(RegistryError::new(
                    resp.request.clone(),
                    ErrorKind::DigestMismatch {
                        expected: want.to_string(),
                        actual: d.to_string(),
                    },
                ));
            }
        }
        Ok(Some((ct, digest, size)))
    }

    /// PUT exact bytes under `reference` (a tag or a digest string); returns the digest the
    /// registry reports, checked against the bytes' own digest.
    pub async fn put_manifest(
        &self,
        repo: &Repo,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        self.put_manifest_subject(repo, reference, media_type, bytes)
            .await
            .map(|(d, _)| d)
    }

    /// [`put_manifest`](Self::put_manifest), also returning the subject the registry says it
    /// indexed the manifest under (its `OCI-Subject` answer header): a registry with the
    /// referrers API sets it for a manifest with a `subject`; without it, the client keeps
    /// the referrers tag scheme itself.
    pub async fn put_manifest_subject(
        &self,
        repo: &Repo,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(Digest, Option<Digest>), RegistryError> {
        let own = Digest::sha256(bytes);
        if let Some(l) = self.layout(&repo.domain)? {
            // A layout has no referrers API: the tag scheme keeps its referrers.
            return match Digest::parse(reference) {
                Ok(d) if d != own => Err(RegistryError::new(
                    format!("putting {repo}@{d}"),
                    ErrorKind::DigestMismatch {
                        expected: d.to_string(),
                        actual: own.to_string(),
                    },
                )),
                Ok(_) => l.put_manifest(None, media_type, bytes).map(|d| (d, None)),
                Err(_) => l
                    .put_manifest(Some(reference), media_type, bytes)
                    .map(|d| (d, None)),
            };
        }
        let path = format!("/v2/{}/manifests/{}", repo.path, reference);
        if let Ok(d) = Digest::parse(reference) {
            check_digest(&format!("PUT {path}"), &d, bytes)?;
        }
        // A list PUT right after its children were pushed can meet a registry that has not
        // caught up with them yet (Nexus answers MANIFEST_BLOB_UNKNOWN for a moment): retry
        // that with backoff, a bounded number of times, and say so if it never catches up.
        let is_list = Kind::from_media_type(media_type).is_some_and(|k| k.is_list());
        let mut retry = Retry::new();
        let resp = loop {
            let mut call = Call::new(Method::PUT, path.clone(), vec![Scope::push(&repo.path)])
                .header(reqwest::header::CONTENT_TYPE, media_type);
            call.body = ReqBody::Bytes(bytes.to_vec());
            call.idempotent = true;
            let resp = self.execute(&repo.domain, call).await?;
            match expect(resp, &[201, 200]).await {
                Ok(r) => break r,
                Err(e) if is_list && e.code() == Some(&ErrorCode::ManifestBlobUnknown) => {
                    if let Some(d) = retry.delay(None) {
                        self.trace(&format!(
                            "{}: entries not visible yet; retry {} in {d:?}",
                            e.request,
                            retry.attempt()
                        ));
                        retry.wait(d).await;
                        continue;
                    }
                    return Err(still_unknown(e, retry.attempt(), retry.elapsed()));
                }
                Err(e) => return Err(e),
            }
        };
        if let Some(h) = header_str(resp.resp.headers(), CONTENT_DIGEST) {
            if h != own.as_str() {
                return Err(RegistryError::new(
                    resp.request.clone(),
                    ErrorKind::DigestMismatch {
                        expected: own.to_string(),
                        actual: h,
                    },
                ));
            }
        }
        let subject =
            header_str(resp.resp.headers(), "oci-subject").and_then(|h| Digest::parse(&h).ok());
        Ok((own, subject))
    }

    pub async fn delete_manifest(&self, repo: &Repo, digest: &Digest) -> Result<(), RegistryError> {
        if self.layout(&repo.domain)?.is_some() {
            return Err(RegistryError::new(
                format!("deleting {repo}@{digest}"),
                ErrorKind::Other(
                    "deleting from an OCI layout is not supported; copy what you keep to a new layout".into(),
                ),
            ));
        }
        let path = format!("/v2/{}/manifests/{}", repo.path, digest);
        let call = Call::new(Method::DELETE, path, vec![Scope::delete(&repo.path)]);
        let resp = self.execute(&repo.domain, call).await?;
        expect(resp, &[202, 200, 204]).await.map(|_| ())
    }
}

/// The last MANIFEST_BLOB_UNKNOWN of a list PUT, saying how long the registry was given.
fn still_unknown(e: RegistryError, attempts: u32, waited: std::time::Duration) -> RegistryError {
    e.extend_message(|m| format!(
        "{m}; still so after {attempts} attempts over {:.1} s, so the entries just pushed are not visible to the registry yet (or were removed): wait and push again",
        waited.as_secs_f64()
    ))
}
