//! The benchmark's extra images: 24 tiny single-platform images `bench/img-NN:v1`, each with
//! its own platform, and a 24-entry Docker manifest list `bench/list24:v1` over them (its
//! children pushed into `bench/list24` by digest, as a registry requires).

use crate::digest::Digest;
use crate::media;
use crate::samples::{self, SampleImage};
use serde_json::json;
use std::time::Duration;

/// How many bench images there are.
pub const N_IMAGES: usize = 24;
/// Repository of the 24-entry list.
pub const LIST24_REPO: &str = "bench/list24";
/// Tag of everything the bench seeds.
pub const TAG: &str = "v1";

/// 24 distinct os/arch pairs docker accepts (its own list minus windows, which would need an
/// os.version, and two more to make 24).
pub const PLATFORMS: [&str; N_IMAGES] = [
    "linux/amd64",
    "linux/arm64",
    "linux/arm",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/mips64",
    "linux/mips64le",
    "linux/riscv64",
    "darwin/amd64",
    "darwin/arm64",
    "darwin/386",
    "darwin/arm",
    "freebsd/amd64",
    "freebsd/386",
    "freebsd/arm",
    "netbsd/amd64",
    "netbsd/386",
    "netbsd/arm",
    "openbsd/amd64",
    "openbsd/386",
    "openbsd/arm",
    "plan9/amd64",
    "solaris/amd64",
];

/// Repository of bench image `i`: `bench/img-07`.
pub fn image_repo(i: usize) -> String {
    format!("bench/img-{i:02}")
}

/// Bench image `i` (0..24): a Docker schema2 image with a config and one small layer.
pub fn image(i: usize) -> SampleImage {
    let p = PLATFORMS[i % N_IMAGES];
    let plat = samples::platform(p);
    let text = format!("manifest-tui bench image {i:02} for {p}\n");
    let tar = samples::tar_one_file("bench.txt", text.as_bytes());
    let layer = samples::gzip_stored(&tar);
    let config = json!({
        "architecture": plat.architecture,
        "os": plat.os,
        "config": {"Cmd": ["/bin/cat", "/bench.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [Digest::sha256(&tar).as_str()]},
    });
    let config = serde_json::to_vec(&config).unwrap_or_default();
    let config_digest = Digest::sha256(&config);
    let layer_digest = Digest::sha256(&layer);
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": media::DOCKER_MANIFEST,
        "config": {"mediaType": media::DOCKER_CONFIG, "size": config.len(), "digest": config_digest.as_str()},
        "layers": [{"mediaType": media::DOCKER_LAYER, "size": layer.len(), "digest": layer_digest.as_str()}],
    });
    let manifest = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    SampleImage {
        repo: image_repo(i),
        tag: TAG.to_string(),
        platform: plat,
        media_type: media::DOCKER_MANIFEST,
        digest: Digest::sha256(&manifest),
        manifest,
        blobs: vec![(config_digest, config), (layer_digest, layer)],
    }
}

/// The 24-entry list's bytes and digest.
pub fn list24() -> (Vec<u8>, Digest) {
    let images: Vec<SampleImage> = (0..N_IMAGES).map(image).collect();
    let bytes = samples::list_body(media::DOCKER_LIST, &images);
    let d = Digest::sha256(&bytes);
    (bytes, d)
}

/// Push the 24 images and the 24-entry list to the plain-HTTP registry at `base_url`
/// (`http://127.0.0.1:PORT`, directly, not through the proxy).
pub async fn seed(base_url: &str) -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("bench seed: cannot build an HTTP client: {e}"))?;
    let base = base_url.trim_end_matches('/');
    for i in 0..N_IMAGES {
        let img = image(i);
        push_image(&client, base, &img.repo, TAG, &img).await?;
        push_image(&client, base, LIST24_REPO, img.digest.as_str(), &img).await?;
    }
    let (list, digest) = list24();
    put_manifest(
        &client,
        base,
        LIST24_REPO,
        TAG,
        media::DOCKER_LIST,
        &list,
        &digest,
    )
    .await
}

async fn push_image(
    c: &reqwest::Client,
    base: &str,
    repo: &str,
    reference: &str,
    img: &SampleImage,
) -> Result<(), String> {
    for (d, bytes) in &img.blobs {
        upload_blob(c, base, repo, d, bytes).await?;
    }
    put_manifest(
        c,
        base,
        repo,
        reference,
        img.media_type,
        &img.manifest,
        &img.digest,
    )
    .await
}

async fn upload_blob(
    c: &reqwest::Client,
    base: &str,
    repo: &str,
    d: &Digest,
    bytes: &[u8],
) -> Result<(), String> {
    let url = format!("{base}/v2/{repo}/blobs/uploads/");
    let r = c
        .post(&url)
        .header(reqwest::header::CONTENT_LENGTH, "0")
        .send()
        .await
        .map_err(|e| format!("bench seed: POST {url}: {e}"))?;
    if r.status().as_u16() != 202 {
        return Err(format!("bench seed: POST {url} answered {}", r.status()));
    }
    let loc = r
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("bench seed: POST {url} answered 202 without a Location"))?
        .to_string();
    let loc = if loc.starts_with('/') {
        format!("{base}{loc}")
    } else {
        loc
    };
    let sep = if loc.contains('?') { '&' } else { '?' };
    let put = format!("{loc}{sep}digest={d}");
    let r = c
        .put(&put)
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .map_err(|e| format!("bench seed: PUT blob {d} into {repo}: {e}"))?;
    if r.status().as_u16() != 201 {
        return Err(format!(
            "bench seed: PUT blob {d} into {repo} answered {}",
            r.status()
        ));
    }
    Ok(())
}

async fn put_manifest(
    c: &reqwest::Client,
    base: &str,
    repo: &str,
    reference: &str,
    media_type: &str,
    body: &[u8],
    want: &Digest,
) -> Result<(), String> {
    let url = format!("{base}/v2/{repo}/manifests/{reference}");
    let r = c
        .put(&url)
        .header(reqwest::header::CONTENT_TYPE, media_type)
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| format!("bench seed: PUT {url}: {e}"))?;
    let status = r.status();
    let got = r
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if status.as_u16() != 201 {
        let body: String = r
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        return Err(format!("bench seed: PUT {url} answered {status}: {body}"));
    }
    if got != want.as_str() {
        return Err(format!(
            "bench seed: PUT {url}: registry reports digest {got:?}, expected {want}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_distinct_and_images_differ() {
        let mut p: Vec<&str> = PLATFORMS.to_vec();
        p.sort_unstable();
        p.dedup();
        assert_eq!(p.len(), N_IMAGES);
        let mut d: Vec<String> = (0..N_IMAGES).map(|i| image(i).digest.to_string()).collect();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), N_IMAGES);
        assert_eq!(image(3).digest, image(3).digest);
    }
}
