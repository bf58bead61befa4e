//! Deterministic sample images: six platforms × {Docker schema2, OCI} × releases {v1, v2},
//! plus a Docker manifest list and an OCI index per release, and code to push them all.
//!
//! Everything is generated in code with no clock and no randomness, so every digest is fixed
//! (see `assets/samples/README.md` and the `digests_are_stable` test).
//!
//! Naming (see [`image_repo`], [`list_tag`]):
//! - Docker images: `samples/app-<plat>:<rel>`, e.g. `samples/app-linux-arm64-v8:v1`
//! - OCI images: `samples/app-oci-<plat>:<rel>`
//! - Docker manifest list: `samples/app:<rel>`; OCI index: `samples/app:<rel>-oci`. Their
//!   children are pushed into `samples/app` too (by digest only).
//!
//! Release v2 differs from v1 only for `linux/arm64/v8` and `linux/s390x`; the other four
//! images of v2 are byte-identical to v1 (same digests). Each image's config carries the label
//! `org.opencontainers.image.version` = the release its content was last changed in, and its
//! single layer holds `/hello.txt` = `hello from <platform> (<that release>)\n`.

pub mod attest;
pub mod pairs;

use manifest_core::digest::Digest;
use manifest_core::media;
use manifest_core::platform::Platform;
use serde_json::json;

pub mod details;

/// The six sample platforms, in list order.
pub const PLATFORMS: [&str; 6] = [
    "linux/amd64",
    "linux/arm64/v8",
    "linux/arm/v7",
    "linux/ppc64le",
    "linux/s390x",
    "windows/amd64",
];
/// The releases there are samples for.
pub const RELEASES: [&str; 2] = ["v1", "v2"];
/// Platforms whose image changes between v1 and v2.
pub const CHANGED_IN_V2: [&str; 2] = ["linux/arm64/v8", "linux/s390x"];
/// The repository holding the lists (and, by digest, their children).
pub const LIST_REPO: &str = "samples/app";
/// os.version of the windows/amd64 sample.
pub const WINDOWS_OS_VERSION: &str = "10.0.17763.6054";
/// Label carrying the release an image's content belongs to.
pub const RELEASE_LABEL: &str = "org.opencontainers.image.version";

/// One single-platform sample image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleImage {
    pub repo: String,
    /// The tag; empty for a list child (pushed into [`LIST_REPO`] by digest only).
    pub tag: String,
    pub platform: Platform,
    pub media_type: &'static str,
    pub manifest: Vec<u8>,
    pub digest: Digest,
    /// Config first, then the layer.
    pub blobs: Vec<(Digest, Vec<u8>)>,
}

impl SampleImage {
    /// Its descriptor as a list/index entry: media type, size, digest, platform.
    pub fn descriptor_json(&self) -> serde_json::Value {
        json!({
            "mediaType": self.media_type,
            "size": self.manifest.len(),
            "digest": self.digest.as_str(),
            "platform": serde_json::to_value(&self.platform).unwrap_or_default(),
        })
    }

    /// `repo:tag`, or `repo@digest` when there is no tag.
    pub fn reference(&self) -> String {
        if self.tag.is_empty() {
            format!("{}@{}", self.repo, self.digest)
        } else {
            format!("{}:{}", self.repo, self.tag)
        }
    }
}

/// A Docker manifest list or OCI index over the six images of one release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleList {
    pub repo: String,
    pub tag: String,
    pub media_type: &'static str,
    pub manifest: Vec<u8>,
    pub digest: Digest,
    /// The same images as [`images`], with `repo` = [`LIST_REPO`] and an empty `tag`.
    pub children: Vec<SampleImage>,
}

impl SampleList {
    pub fn reference(&self) -> String {
        format!("{}:{}", self.repo, self.tag)
    }
}

/// What [`seed`] pushed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Every tag pushed, as (`repo:tag`, manifest digest), in push order.
    pub tags: Vec<(String, Digest)>,
    /// Blobs actually uploaded (blobs the registry already had are skipped).
    pub blobs_uploaded: usize,
    /// Manifest PUTs made (tags and by-digest children).
    pub manifests_put: usize,
}

impl Seeded {
    /// The digest pushed for `repo:tag`.
    pub fn digest_of(&self, reference: &str) -> Option<&Digest> {
        self.tags
            .iter()
            .find(|(r, _)| r == reference)
            .map(|(_, d)| d)
    }
}

/// `linux/arm64/v8` → `linux-arm64-v8`.
pub fn platform_slug(platform: &str) -> String {
    platform.replace('/', "-")
}

/// Repository of a single-platform sample: `samples/app-<slug>` or `samples/app-oci-<slug>`.
pub fn image_repo(platform: &str, oci: bool) -> String {
    let slug = platform_slug(platform);
    if oci {
        format!("samples/app-oci-{slug}")
    } else {
        format!("samples/app-{slug}")
    }
}

/// Tag of the list in [`LIST_REPO`]: `v1` (Docker list) or `v1-oci` (OCI index).
pub fn list_tag(release: &str, oci: bool) -> String {
    if oci {
        format!("{release}-oci")
    } else {
        release.to_string()
    }
}

/// Every repository the samples use (for minting a token that can push them all).
pub fn repositories() -> Vec<String> {
    let mut v = vec![LIST_REPO.to_string()];
    for oci in [false, true] {
        for p in PLATFORMS {
            v.push(image_repo(p, oci));
        }
    }
    v.push(details::REPO.to_string());
    v
}

/// The platform struct for one of [`PLATFORMS`].
pub fn platform(p: &str) -> Platform {
    let mut parts = p.split('/');
    let os = parts.next().unwrap_or("").to_string();
    let architecture = parts.next().unwrap_or("").to_string();
    let variant = parts.next().unwrap_or("").to_string();
    let os_version = if os == "windows" {
        WINDOWS_OS_VERSION.to_string()
    } else {
        String::new()
    };
    Platform {
        architecture,
        os,
        os_version,
        os_features: Vec::new(),
        variant,
        features: Vec::new(),
    }
}

/// The release an image's content comes from: v2 only for platforms changed in v2.
fn content_release(platform: &str, release: &str) -> String {
    if release == "v1" || CHANGED_IN_V2.contains(&platform) {
        release.to_string()
    } else {
        "v1".to_string()
    }
}

/// The six images of `release` (`"v1"` or `"v2"`; any other string makes a release where
/// every image is new), Docker schema2 or OCI, in [`PLATFORMS`] order.
pub fn images(release: &str, oci: bool) -> Vec<SampleImage> {
    PLATFORMS
        .iter()
        .map(|p| build_image(p, release, oci))
        .collect()
}

fn build_image(p: &str, release: &str, oci: bool) -> SampleImage {
    let plat = platform(p);
    let content = content_release(p, release);
    let text = format!("hello from {p} ({content})\n");
    let tar = tar_one_file("hello.txt", text.as_bytes());
    let layer = gzip_stored(&tar);
    let diff_id = Digest::sha256(&tar);

    let mut cfg = serde_json::Map::new();
    cfg.insert("architecture".into(), json!(plat.architecture));
    cfg.insert("os".into(), json!(plat.os));
    if !plat.os_version.is_empty() {
        cfg.insert("os.version".into(), json!(plat.os_version));
    }
    if !plat.variant.is_empty() {
        cfg.insert("variant".into(), json!(plat.variant));
    }
    let cmd = if plat.os == "windows" {
        json!(["cmd", "/S", "/C", "type C:\\hello.txt"])
    } else {
        json!(["/bin/cat", "/hello.txt"])
    };
    cfg.insert(
        "config".into(),
        json!({
            "Cmd": cmd,
            "Labels": {
                RELEASE_LABEL: content,
                "org.opencontainers.image.title": "manifest-tui sample app",
            },
        }),
    );
    cfg.insert(
        "rootfs".into(),
        json!({"type": "layers", "diff_ids": [diff_id.as_str()]}),
    );
    cfg.insert(
        "history".into(),
        json!([{"created_by": format!("manifest-tui samples: hello.txt for {p} ({content})")}]),
    );
    let config = serde_json::to_vec(&serde_json::Value::Object(cfg)).unwrap_or_default();
    let mut img = image_of(config, vec![layer], oci);
    img.repo = image_repo(p, oci);
    img.tag = release.to_string();
    img.platform = plat;
    img
}

/// A single-platform image of this config and these layers (bottom first), Docker schema 2 or
/// OCI; no repository, tag or platform yet. Blobs: the config, then the layers.
pub fn image_of(config: Vec<u8>, layers: Vec<Vec<u8>>, oci: bool) -> SampleImage {
    let config_digest = Digest::sha256(&config);
    let (mt, cfg_mt, layer_mt) = if oci {
        (media::OCI_MANIFEST, media::OCI_CONFIG, media::OCI_LAYER)
    } else {
        (
            media::DOCKER_MANIFEST,
            media::DOCKER_CONFIG,
            media::DOCKER_LAYER,
        )
    };
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": mt,
        "config": {"mediaType": cfg_mt, "size": config.len(), "digest": config_digest.as_str()},
        "layers": layers.iter().map(|l| json!({"mediaType": layer_mt, "size": l.len(),
            "digest": Digest::sha256(l).as_str()})).collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    let mut blobs = vec![(config_digest, config)];
    blobs.extend(layers.into_iter().map(|l| (Digest::sha256(&l), l)));
    SampleImage {
        repo: String::new(),
        tag: String::new(),
        platform: Platform::default(),
        media_type: mt,
        digest: Digest::sha256(&manifest),
        manifest,
        blobs,
    }
}

/// The Docker manifest list (`samples/app:<rel>`) or OCI index (`samples/app:<rel>-oci`).
pub fn list(release: &str, oci: bool) -> SampleList {
    let children: Vec<SampleImage> = images(release, oci)
        .into_iter()
        .map(|mut i| {
            i.repo = LIST_REPO.to_string();
            i.tag = String::new();
            i
        })
        .collect();
    let mt = if oci {
        media::OCI_INDEX
    } else {
        media::DOCKER_LIST
    };
    let manifest = list_body(mt, &children);
    SampleList {
        repo: LIST_REPO.to_string(),
        tag: list_tag(release, oci),
        media_type: mt,
        digest: Digest::sha256(&manifest),
        manifest,
        children,
    }
}

/// The bytes of a list/index of `media_type` over `children` (pretty-printed JSON, the way
/// common build tools write them; deterministic).
pub fn list_body(media_type: &str, children: &[SampleImage]) -> Vec<u8> {
    let manifests: Vec<serde_json::Value> =
        children.iter().map(SampleImage::descriptor_json).collect();
    let body = json!({"schemaVersion": 2, "mediaType": media_type, "manifests": manifests});
    serde_json::to_vec_pretty(&body).unwrap_or_default()
}

/// (`repo:tag`, digest) of the four lists/indexes, in README order.
pub fn list_digests() -> Vec<(String, Digest)> {
    let mut v = Vec::new();
    for rel in RELEASES {
        for oci in [false, true] {
            let l = list(rel, oci);
            v.push((l.reference(), l.digest));
        }
    }
    v
}

/// (`repo:tag`, digest) of every single-platform image tag.
pub fn image_digests() -> Vec<(String, Digest)> {
    let mut v = Vec::new();
    for rel in RELEASES {
        for oci in [false, true] {
            for i in images(rel, oci) {
                v.push((i.reference(), i.digest));
            }
        }
    }
    v
}

/// The digest table embedded in `assets/samples/README.md` (Markdown).
pub fn readme_table() -> String {
    let mut s = String::from("| reference | media type | digest |\n|---|---|---|\n");
    for rel in RELEASES {
        for oci in [false, true] {
            let l = list(rel, oci);
            s.push_str(&format!(
                "| `{}` | `{}` | `{}` |\n",
                l.reference(),
                l.media_type,
                l.digest
            ));
        }
    }
    s.push_str("\nSingle-platform images:\n\n| reference | digest |\n|---|---|\n");
    for (r, d) in image_digests() {
        s.push_str(&format!("| `{r}` | `{d}` |\n"));
    }
    let w = details::webapp();
    s.push_str(&format!(
        "\nImages with run settings and history (`samples/details.rs`):\n\n| reference | media type | digest |\n|---|---|---|\n| `{}` | `{}` | `{}` |\n",
        w.reference(),
        media::OCI_INDEX,
        w.digest
    ));
    s
}

// ---------------------------------------------------------------------------------------
// tar + gzip by hand
// ---------------------------------------------------------------------------------------

/// A ustar archive with one regular file (mode 0644, uid/gid 0, mtime 0), ending with the two
/// zero blocks.
pub fn tar_one_file(name: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    fn put(h: &mut [u8], off: usize, s: &[u8]) {
        h[off..off + s.len()].copy_from_slice(s);
    }
    let name = name.as_bytes();
    put(&mut h, 0, &name[..name.len().min(100)]);
    put(&mut h, 100, b"0000644\0");
    put(&mut h, 108, b"0000000\0");
    put(&mut h, 116, b"0000000\0");
    put(&mut h, 124, format!("{:011o}\0", data.len()).as_bytes());
    put(&mut h, 136, b"00000000000\0");
    put(&mut h, 148, b"        ");
    h[156] = b'0';
    put(&mut h, 257, b"ustar\0");
    put(&mut h, 263, b"00");
    put(&mut h, 265, b"root");
    put(&mut h, 297, b"root");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    put(&mut h, 148, format!("{sum:06o}\0 ").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.extend(std::iter::repeat_n(0u8, pad + 1024));
    out
}

/// gzip (RFC 1952) of `data` using stored (uncompressed) deflate blocks; mtime 0, OS unknown.
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(65535).peekable();
    if data.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(c) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(if last { 1 } else { 0 });
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE 802.3, reflected, as gzip uses).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

// ---------------------------------------------------------------------------------------
// seeding
// ---------------------------------------------------------------------------------------

/// Push every sample (both releases, both formats, the lists and their children) to the
/// registry at `base_url` (`http://127.0.0.1:PORT` or `https://…`; self-signed TLS accepted).
/// `authorization` is a full `Authorization` header value (`Basic …` / `Bearer …`) or `None`.
/// Blobs the registry already has are not uploaded again, so seeding twice is fine.
pub async fn seed(base_url: &str, authorization: Option<&str>) -> Result<Seeded, String> {
    let s = Seeder::new(base_url, authorization)?;
    let mut out = Seeded::default();
    let mut have: std::collections::HashSet<(String, Digest)> = Default::default();
    for rel in RELEASES {
        for oci in [false, true] {
            for img in images(rel, oci) {
                s.push_image(&img, &mut have, &mut out).await?;
            }
        }
    }
    for rel in RELEASES {
        for oci in [false, true] {
            s.push_list(&list(rel, oci), &mut have, &mut out).await?;
        }
    }
    details::seed(&s, &mut have, &mut out).await?;
    Ok(out)
}

/// [`seed`] for synchronous code: runs on its own thread with its own current-thread runtime,
/// so it may be called from inside a tokio runtime as well.
pub fn seed_blocking(base_url: &str, authorization: Option<&str>) -> Result<Seeded, String> {
    let base = base_url.to_string();
    let auth = authorization.map(str::to_string);
    on_own_runtime(move || async move { seed(&base, auth.as_deref()).await })
}

/// Run a seeding future to completion on a thread of its own with its own runtime (callable
/// from inside another runtime, as tests and the demo are).
pub(crate) fn on_own_runtime<F, Fut, T>(f: F) -> Result<T, String>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, String>>,
    T: Send + 'static,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("seed: cannot start a tokio runtime: {e}"))?;
        rt.block_on(f())
    })
    .join()
    .map_err(|_| "seed: the seeding thread panicked".to_string())?
}

/// Raw-HTTP uploads of blobs and manifests to a registry, independent of the crate's own
/// client (so seeding also checks the registry with a second implementation). Shared by the
/// samples, the benchmark's extra images and the demo.
pub struct Seeder {
    client: reqwest::Client,
    base: String,
    auth: Option<String>,
}

impl Seeder {
    /// A seeder for `base_url` (`http://127.0.0.1:PORT` or `https://…`; self-signed TLS
    /// accepted); `authorization` is a full `Authorization` header value, if any.
    pub fn new(base_url: &str, authorization: Option<&str>) -> Result<Seeder, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .tls_danger_accept_invalid_certs(true)
            .no_proxy()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| format!("seed: cannot build an HTTP client: {e}"))?;
        Ok(Seeder {
            client,
            base: base_url.trim_end_matches('/').to_string(),
            auth: authorization.map(str::to_string),
        })
    }

    fn req(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, url);
        if let Some(a) = &self.auth {
            r = r.header(reqwest::header::AUTHORIZATION, a);
        }
        r
    }

    async fn push_image(
        &self,
        img: &SampleImage,
        have: &mut std::collections::HashSet<(String, Digest)>,
        out: &mut Seeded,
    ) -> Result<(), String> {
        for (d, bytes) in &img.blobs {
            if have.insert((img.repo.clone(), d.clone()))
                && self.upload_blob(&img.repo, d, bytes).await?
            {
                out.blobs_uploaded += 1;
            }
        }
        let tag_or_digest = if img.tag.is_empty() {
            img.digest.to_string()
        } else {
            img.tag.clone()
        };
        self.put_manifest(
            &img.repo,
            &tag_or_digest,
            img.media_type,
            &img.manifest,
            &img.digest,
        )
        .await?;
        out.manifests_put += 1;
        if !img.tag.is_empty() {
            out.tags.push((img.reference(), img.digest.clone()));
        }
        Ok(())
    }

    /// A list: its children by digest (blobs not pushed yet first), then the list by tag.
    /// `have` remembers the (repository, blob) pairs already sent.
    pub async fn push_list(
        &self,
        l: &SampleList,
        have: &mut std::collections::HashSet<(String, Digest)>,
        out: &mut Seeded,
    ) -> Result<(), String> {
        for c in &l.children {
            self.push_image(c, have, out).await?;
        }
        self.put_manifest(&l.repo, &l.tag, l.media_type, &l.manifest, &l.digest)
            .await?;
        out.manifests_put += 1;
        out.tags.push((l.reference(), l.digest.clone()));
        Ok(())
    }

    /// Upload one blob unless present; true when it was uploaded.
    pub async fn upload_blob(&self, repo: &str, d: &Digest, bytes: &[u8]) -> Result<bool, String> {
        let head_url = format!("{}/v2/{repo}/blobs/{d}", self.base);
        let r = self
            .req(reqwest::Method::HEAD, &head_url)
            .send()
            .await
            .map_err(|e| format!("seed: HEAD {head_url}: {e}"))?;
        if r.status().is_success() {
            return Ok(false);
        }
        let url = format!("{}/v2/{repo}/blobs/uploads/", self.base);
        let r = self
            .req(reqwest::Method::POST, &url)
            .header(reqwest::header::CONTENT_LENGTH, "0")
            .send()
            .await
            .map_err(|e| format!("seed: POST {url}: {e}"))?;
        if r.status().as_u16() != 202 {
            return Err(status_error("POST", &url, r).await);
        }
        let loc = r
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("seed: POST {url} answered 202 without a Location header"))?
            .to_string();
        let loc = if loc.starts_with('/') {
            format!("{}{loc}", self.base)
        } else {
            loc
        };
        let sep = if loc.contains('?') { '&' } else { '?' };
        let put_url = format!("{loc}{sep}digest={d}");
        let r = self
            .req(reqwest::Method::PUT, &put_url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .await
            .map_err(|e| format!("seed: PUT blob {d} into {repo}: {e}"))?;
        if r.status().as_u16() != 201 {
            return Err(status_error("PUT blob", &format!("{repo}@{d}"), r).await);
        }
        Ok(true)
    }

    /// One small image (the first v1 sample) in `repo`, tagged with every name of `tags`: a
    /// repository with as many tags as a test needs, for one blob upload and one manifest PUT
    /// per tag (16 at a time).
    pub async fn tag_many(&self, repo: &str, tags: &[String]) -> Result<(), String> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let img = images("v1", false).swap_remove(0);
        for (d, bytes) in &img.blobs {
            self.upload_blob(repo, d, bytes).await?;
        }
        stream::iter(tags)
            .map(|t| self.put_manifest(repo, t, img.media_type, &img.manifest, &img.digest))
            .buffer_unordered(16)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// PUT a manifest under a tag or digest and check the digest the registry reports.
    pub async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        body: &[u8],
        want: &Digest,
    ) -> Result<(), String> {
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base);
        let r = self
            .req(reqwest::Method::PUT, &url)
            .header(reqwest::header::CONTENT_TYPE, media_type)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| format!("seed: PUT {url}: {e}"))?;
        if r.status().as_u16() != 201 {
            return Err(status_error("PUT manifest", &url, r).await);
        }
        let got = r
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if got != want.as_str() {
            return Err(format!(
                "seed: PUT {url}: registry reports digest {got:?}, expected {want}"
            ));
        }
        Ok(())
    }
}

async fn status_error(what: &str, target: &str, r: reqwest::Response) -> String {
    let status = r.status();
    let challenge = r
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(|c| format!(" (WWW-Authenticate: {c})"))
        .unwrap_or_default();
    let body = r.text().await.unwrap_or_default();
    let body: String = body.chars().take(500).collect();
    format!("seed: {what} {target} failed with HTTP {status}{challenge}: {body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture digests. If this fails, the samples changed: that breaks every test and doc
    /// naming them. Only update deliberately (and regenerate assets/samples/README.md).
    const EXPECTED_LISTS: [(&str, &str); 4] = [
        (
            "samples/app:v1",
            "sha256:92e2c4ec97f0ad73f08810a765c980e03033a155c9088a24177b1ed75e32cc33",
        ),
        (
            "samples/app:v1-oci",
            "sha256:6eef625208bb0d094d527f1a9917c9f3ee63c22a442417e53c806bf4035676c4",
        ),
        (
            "samples/app:v2",
            "sha256:cfe306a9f9ad2b6e86205f9888447cbc4d0a0f9b25978a528a8f39e5022aae4a",
        ),
        (
            "samples/app:v2-oci",
            "sha256:63251e6c31c560a5ab5660052f81c637c756656916a049147a81082a1bc21a3a",
        ),
    ];

    #[test]
    fn digests_are_stable() {
        let got = list_digests();
        let got: Vec<(String, String)> = got.into_iter().map(|(r, d)| (r, d.to_string())).collect();
        let want: Vec<(String, String)> = EXPECTED_LISTS
            .iter()
            .map(|(r, d)| (r.to_string(), d.to_string()))
            .collect();
        assert_eq!(got, want, "sample digests changed:\n{}", readme_table());
    }

    #[test]
    fn readme_lists_current_digests() {
        let readme = include_str!("../assets/samples/README.md");
        assert!(
            readme.contains(&readme_table()),
            "assets/samples/README.md is out of date; its table must be:\n{}",
            readme_table()
        );
    }

    #[test]
    fn v2_changes_exactly_two_platforms() {
        for oci in [false, true] {
            let a = images("v1", oci);
            let b = images("v2", oci);
            let changed: Vec<String> = a
                .iter()
                .zip(&b)
                .filter(|(x, y)| x.digest != y.digest)
                .map(|(x, _)| {
                    format!(
                        "{}/{}{}",
                        x.platform.os,
                        x.platform.architecture,
                        if x.platform.variant.is_empty() {
                            String::new()
                        } else {
                            format!("/{}", x.platform.variant)
                        }
                    )
                })
                .collect();
            assert_eq!(changed, CHANGED_IN_V2.to_vec());
        }
    }

    #[test]
    fn generation_is_deterministic_and_consistent() {
        // Pinned: sha256sum of each manifest's bytes, computed once outside this code. A
        // manifest names its config's and layer's digests and sizes, so the blobs are
        // pinned with it (each is checked against its digest below).
        let pinned = [
            (
                "linux/amd64",
                "3df075ca04707fc6afac261d2ef57773946e2e7a16bd4da40c13d61b3c2162e3",
            ),
            (
                "linux/arm64/v8",
                "1fd99fb7580edbad9f5dfcc1633eebffa3184279d6749352d4fd2f2df4a5b33e",
            ),
            (
                "linux/arm/v7",
                "d8cd8c0bb29a3e609ca4795337efa7aa791426072b24ead009fbf939a17d5b6c",
            ),
            (
                "linux/ppc64le",
                "e4744f4998df601b71562765031dd9bcedf5c8202ae2d3fc18baf27d666f2c47",
            ),
            (
                "linux/s390x",
                "a56537265b3f33f3ec6f29027054070b9a0e1a58ad9509c8f36e8d9c92ca29f1",
            ),
            (
                "windows/amd64 (10.0.17763.6054)",
                "dab0b0330b185a7bfb5d1530c9517700fceab245ec39fca9c0957f40c1a7b9ae",
            ),
        ];
        let a = images("v1", true);
        let got: Vec<(String, String)> = a
            .iter()
            .map(|i| (i.platform.display(), i.digest.as_str().to_string()))
            .collect();
        let want: Vec<(String, String)> = pinned
            .iter()
            .map(|(p, hex)| (p.to_string(), format!("sha256:{hex}")))
            .collect();
        assert_eq!(got, want);
        for i in &a {
            assert!(i.digest.verify(&i.manifest));
            for (d, bytes) in &i.blobs {
                assert!(d.verify(bytes));
            }
            let m: serde_json::Value = serde_json::from_slice(&i.manifest).unwrap();
            assert_eq!(m["config"]["digest"], i.blobs[0].0.as_str());
            assert_eq!(m["layers"][0]["size"], i.blobs[1].1.len());
        }
        let w = &a[5];
        let cfg: serde_json::Value = serde_json::from_slice(&w.blobs[0].1).unwrap();
        assert_eq!(cfg["os.version"], WINDOWS_OS_VERSION);
        assert_eq!(cfg["config"]["Labels"][RELEASE_LABEL], "v1");
    }

    #[test]
    fn layer_is_valid_gzip_tar() {
        let tar = tar_one_file("hello.txt", b"hi\n");
        assert_eq!(tar.len(), 512 * 4);
        assert_eq!(&tar[257..263], b"ustar\0");
        // header checksum
        let mut h = tar[..512].to_vec();
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        let field = std::str::from_utf8(&tar[148..154]).unwrap();
        assert_eq!(u32::from_str_radix(field, 8).unwrap(), sum);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let gz = gzip_stored(&tar);
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(gz.len(), 10 + 5 + tar.len() + 8);
    }

    #[test]
    fn list_children_live_in_list_repo() {
        let l = list("v2", false);
        assert_eq!(l.reference(), "samples/app:v2");
        assert_eq!(l.children.len(), 6);
        assert!(l
            .children
            .iter()
            .all(|c| c.repo == LIST_REPO && c.tag.is_empty()));
        let idx: serde_json::Value = serde_json::from_slice(&l.manifest).unwrap();
        assert_eq!(idx["manifests"][1]["platform"]["variant"], "v8");
        assert_eq!(
            idx["manifests"][5]["platform"]["os.version"],
            WINDOWS_OS_VERSION
        );
        assert_eq!(list("v1", true).tag, "v1-oci");
    }
}
