//! Manifest / index parsing on arbitrary bytes: media-type sniffing, the parsed view for
//! every kind, and the JSON re-indenter used by `inspect`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use manifest_core::media::{self, Kind, RawManifest};
use manifest_core::media::reindent;
use manifest_core::sanitize::{inert, inert_multiline};

fuzz_target!(|data: &[u8]| {
    let _ = media::sniff_media_type(data);
    if let Ok(raw) = RawManifest::new(data.to_vec(), "") {
        assert!(Kind::from_media_type(&raw.media_type).is_some());
        assert!(raw.digest.verify(data));
        let _ = raw.parse();
        let _ = raw.descriptor();
    }
    for kind in [
        Kind::DockerManifest,
        Kind::DockerList,
        Kind::OciManifest,
        Kind::OciIndex,
    ] {
        if let Ok(raw) = RawManifest::new(data.to_vec(), kind.media_type()) {
            assert_eq!(raw.kind(), kind);
            if let Ok(media::Parsed::Index(idx)) = raw.parse() {
                for d in &idx.manifests {
                    let _ = media::is_attestation(d);
                }
            }
        }
    }
    // inspect re-indents the raw bytes; valid JSON must stay the same JSON value.
    let out = reindent(data, "   ");
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let w: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("reindent broke valid JSON: {e}\n{out}"));
        assert_eq!(v, w, "reindent changed the JSON value");
    }
    let text = String::from_utf8_lossy(data);
    assert!(!inert(&text).chars().any(char::is_control));
    assert!(!inert_multiline(&text)
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t'));
});
