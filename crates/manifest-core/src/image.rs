//! What is inside one platform's image: its config file (run settings, history, rootfs) and
//! the layers its manifest lists, with history steps matched to the layers they made.
//! Pure data, no I/O: [`crate::ops::image_details`] fetches it.

use crate::digest::Digest;
use crate::media::{Descriptor, ImageManifest, RawManifest};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// `null` and a missing field both read as the default (configs written by other tools use
/// either).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A JSON object used as a set (`ExposedPorts`, `Volumes`): its keys, in order.
fn object_keys<'de, D>(d: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let m = Option::<BTreeMap<String, serde::de::IgnoredAny>>::deserialize(d)?;
    Ok(m.map(|m| m.into_keys().collect()).unwrap_or_default())
}

/// The image config file (OCI `application/vnd.oci.image.config.v1+json`, Docker's
/// `container.image.v1+json`: the same fields). Unknown fields are ignored. The one reader
/// of config bytes: the platform of an image (inspect, create, diff) and its details come
/// from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFile {
    #[serde(default, deserialize_with = "null_default")]
    pub architecture: String,
    #[serde(default, deserialize_with = "null_default")]
    pub os: String,
    #[serde(rename = "os.version", default, deserialize_with = "null_default")]
    pub os_version: String,
    #[serde(
        rename = "os.features",
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub os_features: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub variant: String,
    #[serde(default, deserialize_with = "null_default")]
    pub created: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub author: Option<String>,
    /// The run settings (`config` in the file).
    #[serde(default, deserialize_with = "null_default")]
    pub config: RunConfig,
    #[serde(default, deserialize_with = "null_default")]
    pub rootfs: RootFs,
    #[serde(default, deserialize_with = "null_default")]
    pub history: Vec<HistoryStep>,
}

/// How a container of the image runs (the config file's `config` object).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    #[serde(rename = "User", default, deserialize_with = "null_default")]
    pub user: String,
    #[serde(rename = "ExposedPorts", default, deserialize_with = "object_keys")]
    pub exposed_ports: Vec<String>,
    #[serde(rename = "Env", default, deserialize_with = "null_default")]
    pub env: Vec<String>,
    #[serde(rename = "Entrypoint", default, deserialize_with = "null_default")]
    pub entrypoint: Vec<String>,
    #[serde(rename = "Cmd", default, deserialize_with = "null_default")]
    pub cmd: Vec<String>,
    #[serde(rename = "Volumes", default, deserialize_with = "object_keys")]
    pub volumes: Vec<String>,
    #[serde(rename = "WorkingDir", default, deserialize_with = "null_default")]
    pub working_dir: String,
    #[serde(rename = "Labels", default, deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(rename = "StopSignal", default, deserialize_with = "null_default")]
    pub stop_signal: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub kind: String,
    /// Digests of the uncompressed layers, in layer order.
    #[serde(default, deserialize_with = "null_default")]
    pub diff_ids: Vec<Digest>,
}

/// One build step of the image's history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryStep {
    #[serde(default, deserialize_with = "null_default")]
    pub created: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub created_by: String,
    #[serde(default, deserialize_with = "null_default")]
    pub author: String,
    #[serde(default, deserialize_with = "null_default")]
    pub comment: String,
    /// True when the step made no layer (ENV, LABEL, CMD...).
    #[serde(default, deserialize_with = "null_default")]
    pub empty_layer: bool,
}

impl ConfigFile {
    pub fn parse(bytes: &[u8]) -> Result<ConfigFile, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid image config: {e}"))
    }

    /// The platform the config says it is for.
    pub fn platform(&self) -> crate::platform::Platform {
        crate::platform::Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            os_version: self.os_version.clone(),
            os_features: self.os_features.clone(),
            features: Vec::new(),
        }
    }

    /// `created` for a table: to the second (`2026-11-02T09:30:12Z`), fractions dropped.
    pub fn created_label(&self) -> Option<String> {
        self.created.as_deref().map(time_label)
    }
}

/// An RFC 3339 time to the second: `2024-01-02T03:04:05.123456789Z` → `2024-01-02T03:04:05Z`
/// (any offset kept); anything else unchanged.
pub fn time_label(t: &str) -> String {
    let b = t.as_bytes();
    if b.len() > 20 && b[10] == b'T' && b[19] == b'.' {
        let rest = &t[20..];
        let tz = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        if tz.len() < rest.len() {
            return format!("{}{tz}", &t[..19]);
        }
    }
    t.to_string()
}

/// A history step with the layer it made (an index into the manifest's layers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step<'a> {
    pub history: &'a HistoryStep,
    /// `None` for an empty step, or a step beyond the manifest's layers.
    pub layer: Option<usize>,
}

/// One platform's image: the manifest (exact bytes and parsed), the config file (exact bytes
/// and parsed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageDetails {
    pub manifest: RawManifest,
    pub image: ImageManifest,
    pub config_bytes: Vec<u8>,
    pub config: ConfigFile,
}

impl ImageDetails {
    pub fn digest(&self) -> &Digest {
        &self.manifest.digest
    }

    pub fn layers(&self) -> &[Descriptor] {
        &self.image.layers
    }

    /// The image's compressed size as a registry stores it: config plus layers (what a pull
    /// of this platform downloads), not counting the manifest itself.
    pub fn size(&self) -> i64 {
        self.image.config.size + self.image.layers.iter().map(|l| l.size).sum::<i64>()
    }

    /// History steps in order, each with the layer it made: the n-th non-empty step made the
    /// n-th layer (docker and BuildKit write them that way).
    pub fn steps(&self) -> Vec<Step<'_>> {
        let mut next = 0;
        self.config
            .history
            .iter()
            .map(|h| {
                let layer = if h.empty_layer || next >= self.image.layers.len() {
                    None
                } else {
                    next += 1;
                    Some(next - 1)
                };
                Step { history: h, layer }
            })
            .collect()
    }

    /// For each layer, the history step that made it (by the same matching as [`steps`]).
    ///
    /// [`steps`]: ImageDetails::steps
    pub fn layer_steps(&self) -> Vec<Option<&HistoryStep>> {
        let mut out = vec![None; self.image.layers.len()];
        for s in self.steps() {
            if let Some(i) = s.layer {
                out[i] = Some(s.history);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{"architecture":"arm64","os":"linux","variant":"v8",
        "created":"2026-11-30T10:00:00Z","author":"ci",
        "config":{"User":"app","ExposedPorts":{"8080/tcp":{},"443/tcp":{}},
          "Env":["PATH=/usr/bin","A=1"],"Entrypoint":["/app"],"Cmd":null,
          "Volumes":{"/data":{}},"WorkingDir":"/srv","Labels":{"org.opencontainers.image.version":"1.2"}},
        "rootfs":{"type":"layers","diff_ids":["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]},
        "history":[{"created_by":"ADD base.tar /"},{"created_by":"ENV A=1","empty_layer":true},
          {"created_by":"COPY app /app"},{"created_by":"CMD x","empty_layer":true}],
        "unknown":{"ignored":true}}"#;

    fn details(layers: usize) -> ImageDetails {
        let layer = |i: usize| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":{},"digest":"sha256:{:064x}"}}"#,
                100 * (i + 1),
                i
            )
        };
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","size":{},"digest":"sha256:{:064x}"}},"layers":[{}]}}"#,
            CONFIG.len(),
            99,
            (0..layers).map(layer).collect::<Vec<_>>().join(",")
        );
        let manifest = RawManifest::new(
            body.into_bytes(),
            "application/vnd.oci.image.manifest.v1+json",
        )
        .unwrap();
        let image = match manifest.parse().unwrap() {
            crate::media::Parsed::Image(i) => *i,
            _ => unreachable!(),
        };
        ImageDetails {
            manifest,
            image,
            config_bytes: CONFIG.as_bytes().to_vec(),
            config: ConfigFile::parse(CONFIG.as_bytes()).unwrap(),
        }
    }

    #[test]
    fn parses_run_settings_and_tolerates_nulls() {
        let c = ConfigFile::parse(CONFIG.as_bytes()).unwrap();
        assert_eq!(c.architecture, "arm64");
        assert_eq!(c.variant, "v8");
        assert_eq!(c.author.as_deref(), Some("ci"));
        assert_eq!(c.config.exposed_ports, ["443/tcp", "8080/tcp"]);
        assert_eq!(c.config.entrypoint, ["/app"]);
        assert!(c.config.cmd.is_empty());
        assert_eq!(c.config.volumes, ["/data"]);
        assert_eq!(c.config.working_dir, "/srv");
        assert_eq!(c.config.labels["org.opencontainers.image.version"], "1.2");
        assert_eq!(c.rootfs.diff_ids.len(), 1);
        assert_eq!(c.history.len(), 4);
        let nulls = ConfigFile::parse(br#"{"config":null,"history":null,"rootfs":null}"#).unwrap();
        assert_eq!(nulls, ConfigFile::default());
        assert!(ConfigFile::parse(b"[1]").is_err());
    }

    #[test]
    fn the_platform_of_a_config_keeps_os_features_and_reads_null_as_unset() {
        // The two old readers disagreed here: media::ImageConfig refused a null field (the
        // image lost its platform), image::ConfigFile dropped os.features.
        let c = ConfigFile::parse(
            br#"{"os":"windows","architecture":"amd64","os.version":null,"os.features":["win32k"]}"#,
        )
        .expect("config");
        let p = c.platform();
        assert_eq!(
            (p.os.as_str(), p.architecture.as_str()),
            ("windows", "amd64")
        );
        assert_eq!(p.os_version, "");
        assert_eq!(p.os_features, ["win32k"]);
        // Written back only when present, as the file had it.
        let json = serde_json::to_value(ConfigFile::default()).expect("json");
        assert!(json.get("os.features").is_none(), "{json}");
    }

    #[test]
    fn time_labels_drop_fractions_only() {
        assert_eq!(
            time_label("2024-01-02T03:04:05.123456789Z"),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            time_label("2024-01-02T03:04:05.5+02:00"),
            "2024-01-02T03:04:05+02:00"
        );
        assert_eq!(time_label("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05Z");
        assert_eq!(time_label("yesterday"), "yesterday");
    }

    #[test]
    fn steps_match_non_empty_history_to_layers_in_order() {
        let d = details(2);
        let made: Vec<Option<usize>> = d.steps().iter().map(|s| s.layer).collect();
        assert_eq!(made, [Some(0), None, Some(1), None]);
        let by_layer: Vec<&str> = d
            .layer_steps()
            .iter()
            .map(|s| s.map_or("", |h| h.created_by.as_str()))
            .collect();
        assert_eq!(by_layer, ["ADD base.tar /", "COPY app /app"]);
        assert_eq!(d.size(), CONFIG.len() as i64 + 100 + 200);
    }

    #[test]
    fn more_steps_than_layers_or_more_layers_than_steps() {
        // One layer: the second non-empty step has no layer to point at.
        let d = details(1);
        let made: Vec<Option<usize>> = d.steps().iter().map(|s| s.layer).collect();
        assert_eq!(made, [Some(0), None, None, None]);
        // Three layers: the third has no step.
        let d = details(3);
        assert_eq!(d.layer_steps().iter().filter(|s| s.is_none()).count(), 1);
    }
}
