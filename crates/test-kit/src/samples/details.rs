//! A sample with what real images carry inside: `samples/webapp:v1`, an OCI index over three
//! images with real-looking configs (entrypoint, cmd, env, user, working dir, exposed ports,
//! volumes, labels, stop signal, created, author) and a BuildKit-style history (twelve steps,
//! three of which made the three layers; the others are empty). Layer sizes and created times
//! differ per platform, so a table of them says something.
//!
//! Deterministic like the rest of the samples: no clock, no randomness.

use super::{gzip_stored, platform, tar_one_file, SampleImage, Seeded, Seeder};
use manifest_core::digest::Digest;
use manifest_core::media;
use serde_json::{json, Value};

/// The repository of the index, its images, attestations and referrers.
pub const REPO: &str = "samples/webapp";
/// The index's tag.
pub const TAG: &str = "v1";
/// The platforms of the index, in order.
pub const PLATFORMS: [&str; 3] = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"];
/// The application version the configs, labels and build args name.
pub const VERSION: &str = "1.4.2";
/// The source repository and commit the labels name.
pub const SOURCE_REPO: &str = "https://github.com/example/webapp";
pub const SOURCE_COMMIT: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

/// Everything under `samples/webapp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebApp {
    /// The index `samples/webapp:v1` (exact bytes).
    pub index: Vec<u8>,
    pub digest: Digest,
    /// The platform images, in [`PLATFORMS`] order (pushed by digest).
    pub images: Vec<SampleImage>,
}

impl WebApp {
    pub fn reference(&self) -> String {
        format!("{REPO}:{TAG}")
    }
}

/// Created times differ per platform, as the builds of a multi-platform build finish apart.
fn created(i: usize) -> String {
    format!("2026-11-02T09:{:02}:{:02}Z", 30 + i * 2, 12 + i * 17)
}

/// Deterministic filler text of about `n` bytes.
fn filler(what: &str, n: usize) -> Vec<u8> {
    let mut s = String::new();
    let mut line = 0;
    while s.len() < n {
        s.push_str(&format!("{what}: line {line:06}\n"));
        line += 1;
    }
    s.into_bytes()
}

fn image(i: usize, p: &str) -> SampleImage {
    let plat = platform(p);
    let slug = super::platform_slug(p);
    let files: [(&str, Vec<u8>); 3] = [
        (
            "etc/os-release",
            filler(&format!("base system for {p}"), 180_000 + i * 23_000),
        ),
        (
            "usr/local/bin/webapp",
            filler(
                &format!("webapp {VERSION} binary for {slug}"),
                60_000 + i * 9_000,
            ),
        ),
        (
            "etc/webapp/config.toml",
            b"listen = \"0.0.0.0:8080\"\nmetrics = \"0.0.0.0:9090\"\ndata = \"/var/lib/webapp\"\n"
                .to_vec(),
        ),
    ];
    let mut diff_ids = Vec::new();
    let mut layers = Vec::new();
    for (name, data) in &files {
        let tar = tar_one_file(name, data);
        diff_ids.push(Digest::sha256(&tar).to_string());
        layers.push(gzip_stored(&tar));
    }
    let at = created(i);
    let base_at = "2026-10-28T00:00:00Z";
    let bk = "buildkit.dockerfile.v0";
    let history = json!([
        {"created": base_at, "created_by": format!("/bin/sh -c #(nop) ADD file:{} in / ", &diff_ids[0][7..71])},
        {"created": base_at, "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]", "empty_layer": true},
        {"created": at, "created_by": format!("ARG VERSION={VERSION}"), "comment": bk, "empty_layer": true},
        {"created": at, "created_by": "ENV WEBAPP_VERSION=1.4.2 WEBAPP_LISTEN=0.0.0.0:8080", "comment": bk, "empty_layer": true},
        {"created": at, "created_by": "COPY webapp /usr/local/bin/webapp # buildkit", "comment": bk},
        {"created": at, "created_by": "COPY config.toml /etc/webapp/config.toml # buildkit", "comment": bk},
        {"created": at, "created_by": "WORKDIR /srv/webapp", "comment": bk, "empty_layer": true},
        {"created": at, "created_by": "EXPOSE map[8080/tcp:{} 9090/tcp:{}]", "comment": bk, "empty_layer": true},
        {"created": at, "created_by": "VOLUME [/var/lib/webapp]", "comment": bk, "empty_layer": true},
        {"created": at, "created_by": "USER 10001:10001", "comment": bk, "empty_layer": true},
        {"created": at, "created_by": "ENTRYPOINT [\"/usr/local/bin/webapp\"]", "comment": bk, "empty_layer": true},
        {"created": at, "created_by": "CMD [\"serve\" \"--config\" \"/etc/webapp/config.toml\"]", "comment": bk, "empty_layer": true},
    ]);
    let mut cfg = serde_json::Map::new();
    cfg.insert("architecture".into(), json!(plat.architecture));
    cfg.insert("os".into(), json!(plat.os));
    if !plat.variant.is_empty() {
        cfg.insert("variant".into(), json!(plat.variant));
    }
    cfg.insert("created".into(), json!(at));
    cfg.insert(
        "author".into(),
        json!("Webapp Maintainers <webapp@example.com>"),
    );
    cfg.insert(
        "config".into(),
        json!({
            "User": "10001:10001",
            "ExposedPorts": {"8080/tcp": {}, "9090/tcp": {}},
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                format!("WEBAPP_VERSION={VERSION}"),
                "WEBAPP_LISTEN=0.0.0.0:8080",
                "WEBAPP_FEATURES=metrics,tracing,health-checks,graceful-shutdown,structured-logging,request-ids,rate-limits",
            ],
            "Entrypoint": ["/usr/local/bin/webapp"],
            "Cmd": ["serve", "--config", "/etc/webapp/config.toml"],
            "Volumes": {"/var/lib/webapp": {}},
            "WorkingDir": "/srv/webapp",
            "Labels": {
                "org.opencontainers.image.created": at,
                "org.opencontainers.image.revision": SOURCE_COMMIT,
                "org.opencontainers.image.source": SOURCE_REPO,
                "org.opencontainers.image.title": "webapp",
                "org.opencontainers.image.version": VERSION,
            },
            "StopSignal": "SIGTERM",
        }),
    );
    cfg.insert(
        "rootfs".into(),
        json!({"type": "layers", "diff_ids": diff_ids}),
    );
    cfg.insert("history".into(), history);
    let config = serde_json::to_vec(&Value::Object(cfg)).unwrap_or_default();
    let mut blobs = vec![(Digest::sha256(&config), config)];
    blobs.extend(layers.into_iter().map(|l| (Digest::sha256(&l), l)));
    let desc = |mt: &str, (d, b): &(Digest, Vec<u8>)| json!({"mediaType": mt, "digest": d.as_str(), "size": b.len()});
    let manifest = serde_json::to_vec_pretty(&json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "config": desc(media::OCI_CONFIG, &blobs[0]),
        "layers": blobs[1..].iter().map(|b| desc(media::OCI_LAYER, b)).collect::<Vec<_>>(),
    }))
    .unwrap_or_default();
    SampleImage {
        repo: REPO.to_string(),
        tag: String::new(),
        platform: plat,
        media_type: media::OCI_MANIFEST,
        digest: Digest::sha256(&manifest),
        manifest,
        blobs,
    }
}

/// Build everything under [`REPO`].
pub fn webapp() -> WebApp {
    let images: Vec<SampleImage> = PLATFORMS
        .iter()
        .enumerate()
        .map(|(i, p)| image(i, p))
        .collect();
    let manifests: Vec<Value> = images.iter().map(SampleImage::descriptor_json).collect();
    let index = serde_json::to_vec_pretty(&json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_INDEX,
        "manifests": manifests,
    }))
    .unwrap_or_default();
    WebApp {
        digest: Digest::sha256(&index),
        index,
        images,
    }
}

/// Push the images (by digest) and the index (tagged [`TAG`]).
pub(super) async fn seed(
    s: &Seeder,
    have: &mut std::collections::HashSet<(String, Digest)>,
    out: &mut Seeded,
) -> Result<(), String> {
    let w = webapp();
    for img in &w.images {
        s.push_image(img, have, out).await?;
    }
    s.put_manifest(REPO, TAG, media::OCI_INDEX, &w.index, &w.digest)
        .await?;
    out.manifests_put += 1;
    out.tags.push((w.reference(), w.digest.clone()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use manifest_core::image::ConfigFile;

    #[test]
    fn deterministic_and_consistent() {
        let a = webapp();
        // Pinned: sha256sum of the index's bytes, computed once outside this code; the
        // index names every image's manifest digest, which names its config and layers.
        assert_eq!(
            a.digest.as_str(),
            "sha256:639f4ace8841094c17be218e9dbf005c369279219c7744c05617276d32092778"
        );
        assert!(a.digest.verify(&a.index));
        for img in &a.images {
            assert!(img.digest.verify(&img.manifest));
            let m: Value = serde_json::from_slice(&img.manifest).unwrap();
            assert_eq!(m["config"]["digest"], img.blobs[0].0.as_str());
            for (l, (d, b)) in m["layers"].as_array().unwrap().iter().zip(&img.blobs[1..]) {
                assert_eq!(l["digest"], d.as_str());
                assert_eq!(l["size"], b.len());
            }
        }
        let idx: Value = serde_json::from_slice(&a.index).unwrap();
        assert_eq!(idx["manifests"].as_array().unwrap().len(), 3);
        assert_eq!(idx["manifests"][1]["digest"], a.images[1].digest.as_str());
    }

    #[test]
    fn configs_have_run_settings_and_history_with_empty_steps() {
        let a = webapp();
        let c = ConfigFile::parse(&a.images[1].blobs[0].1).unwrap();
        assert_eq!(
            (c.os.as_str(), c.architecture.as_str(), c.variant.as_str()),
            ("linux", "arm64", "v8")
        );
        assert_eq!(c.config.entrypoint, ["/usr/local/bin/webapp"]);
        assert_eq!(c.config.exposed_ports, ["8080/tcp", "9090/tcp"]);
        assert_eq!(c.config.volumes, ["/var/lib/webapp"]);
        assert_eq!(c.config.user, "10001:10001");
        assert_eq!(c.rootfs.diff_ids.len(), 3);
        let made = c.history.iter().filter(|h| !h.empty_layer).count();
        assert_eq!(made, 3, "one non-empty step per layer");
        assert!(c.history.len() > made);
        // The created times differ per platform.
        let created: Vec<Option<String>> = a
            .images
            .iter()
            .map(|i| ConfigFile::parse(&i.blobs[0].1).unwrap().created)
            .collect();
        assert_eq!(created[0].as_deref(), Some("2026-11-02T09:30:12Z"));
        assert_ne!(created[0], created[1]);
    }
}
