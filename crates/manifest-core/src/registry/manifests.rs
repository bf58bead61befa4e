//! Manifests: GET (digest-verified), HEAD, PUT of exact bytes, DELETE.

use super::auth::Scope;
use super::client::{Client, Repo};
use super::transport::{check_digest, expect, header_str, Call, ReqBody, CONTENT_DIGEST};
use super::{ErrorKind, RegistryError};
use crate::digest::Digest;
use crate::media::{RawManifest, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES};
use crate::reference::Reference;
use reqwest::{Method, StatusCode};

impl Client {
    /// GET a manifest by tag or digest with all four Accept types; verifies the bytes against
    /// the digest in the reference and against `Docker-Content-Digest`; refuses > 4 MiB.
    pub async fn get_manifest(&self, r: &Reference) -> Result<RawManifest, RegistryError> {
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
        match (digest, size) {
            (Some(d), Some(s)) if !ct.is_empty() => {
                if let Some(want) = &r.digest {
                    if &d != want {
                        return Err(RegistryError::new(
                            resp.request.clone(),
                            ErrorKind::DigestMismatch {
                                expected: want.to_string(),
                                actual: d.to_string(),
                            },
                        ));
                    }
                }
                Ok(Some((ct, d, s)))
            }
            _ => {
                // The registry did not say enough: fetch and hash the bytes ourselves.
                drop(resp);
                let m = self.get_manifest(r).await?;
                Ok(Some((
                    m.media_type.clone(),
                    m.digest.clone(),
                    m.bytes.len() as u64,
                )))
            }
        }
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
        let own = Digest::sha256(bytes);
        let path = format!("/v2/{}/manifests/{}", repo.path, reference);
        if let Ok(d) = Digest::parse(reference) {
            check_digest(&format!("PUT {path}"), &d, bytes)?;
        }
        let mut call = Call::new(Method::PUT, path, vec![Scope::push(&repo.path)])
            .header(reqwest::header::CONTENT_TYPE, media_type);
        call.body = ReqBody::Bytes(bytes.to_vec());
        call.idempotent = true;
        let resp = self.execute(&repo.domain, call).await?;
        let resp = expect(resp, &[201, 200]).await?;
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
        Ok(own)
    }

    pub async fn delete_manifest(&self, repo: &Repo, digest: &Digest) -> Result<(), RegistryError> {
        let path = format!("/v2/{}/manifests/{}", repo.path, digest);
        let call = Call::new(Method::DELETE, path, vec![Scope::delete(&repo.path)]);
        let resp = self.execute(&repo.domain, call).await?;
        expect(resp, &[202, 200, 204]).await.map(|_| ())
    }
}
