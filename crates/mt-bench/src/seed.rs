//! The benchmark's extra images: 24 tiny single-platform images `bench/img-NN:v1`, each with
//! its own platform, and a 24-entry Docker manifest list `bench/list24:v1` over them (its
//! children pushed into `bench/list24` by digest, as a registry requires). For `diff`, a
//! second release `bench/list24:v2` whose 24 images all differ from v1's (another layer and
//! config each).

use manifest_core::digest::Digest;
use manifest_core::media;
use mt_testkit::samples::{self, SampleImage, Seeder};
use serde_json::json;

/// How many bench images there are.
pub const N_IMAGES: usize = 24;
/// Repository of the 24-entry list.
pub const LIST24_REPO: &str = "bench/list24";
/// Tag of everything the bench seeds.
pub const TAG: &str = "v1";
/// Tag of the 24-entry list whose every image differs from [`TAG`]'s.
pub const TAG2: &str = "v2";

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
    image_of(i, TAG)
}

/// Bench image `i` of release `tag` (its layer's text names the release, so every image of
/// one release differs from the other's).
pub fn image_of(i: usize, tag: &str) -> SampleImage {
    let p = PLATFORMS[i % N_IMAGES];
    let plat = samples::platform(p);
    let text = if tag == TAG {
        format!("manifest-tui bench image {i:02} for {p}\n")
    } else {
        format!("manifest-tui bench image {i:02} for {p} ({tag})\n")
    };
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
        tag: tag.to_string(),
        platform: plat,
        media_type: media::DOCKER_MANIFEST,
        digest: Digest::sha256(&manifest),
        manifest,
        blobs: vec![(config_digest, config), (layer_digest, layer)],
    }
}

/// The 24-entry list's bytes and digest.
pub fn list24() -> (Vec<u8>, Digest) {
    list24_of(TAG)
}

/// The 24-entry list of release `tag`.
pub fn list24_of(tag: &str) -> (Vec<u8>, Digest) {
    let images: Vec<SampleImage> = (0..N_IMAGES).map(|i| image_of(i, tag)).collect();
    let bytes = samples::list_body(media::DOCKER_LIST, &images);
    let d = Digest::sha256(&bytes);
    (bytes, d)
}

/// Push the 24 images and the 24-entry list to the plain-HTTP registry at `base_url`
/// (`http://127.0.0.1:PORT`, directly, not through the proxy).
pub async fn seed(base_url: &str) -> Result<(), String> {
    let s = Seeder::new(base_url, None)?;
    for i in 0..N_IMAGES {
        let img = image(i);
        // Each image under its own tag, and by digest in the list's repository (a list's
        // children must live there).
        for (repo, reference) in [(img.repo.as_str(), TAG), (LIST24_REPO, img.digest.as_str())] {
            for (d, bytes) in &img.blobs {
                s.upload_blob(repo, d, bytes).await?;
            }
            s.put_manifest(repo, reference, img.media_type, &img.manifest, &img.digest)
                .await?;
        }
    }
    let (list, digest) = list24();
    s.put_manifest(LIST24_REPO, TAG, media::DOCKER_LIST, &list, &digest)
        .await?;
    // The second release: its children by digest only.
    for i in 0..N_IMAGES {
        let img = image_of(i, TAG2);
        for (d, bytes) in &img.blobs {
            s.upload_blob(LIST24_REPO, d, bytes).await?;
        }
        s.put_manifest(
            LIST24_REPO,
            img.digest.as_str(),
            img.media_type,
            &img.manifest,
            &img.digest,
        )
        .await?;
    }
    let (list, digest) = list24_of(TAG2);
    s.put_manifest(LIST24_REPO, TAG2, media::DOCKER_LIST, &list, &digest)
        .await
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
        // Pinned: sha256sum of the manifest's bytes, computed once outside this code.
        assert_eq!(
            image(3).digest.as_str(),
            "sha256:8630fa066d928d648117e73da0b25e0450072b5d617a991714048a6d2d12bda1"
        );
        assert!(image(3).digest.verify(&image(3).manifest));
    }
}
