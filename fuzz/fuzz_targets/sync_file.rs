//! `sync`'s source file: skopeo sync's YAML, and the Masterminds constraints and versions in it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use manifest_core::sync::semver::{parse_version, Constraint};
use manifest_core::sync::SyncFile;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match SyncFile::parse("f.yaml", s) {
        Ok(f) => {
            let tags: Vec<String> = ["v1", "1.2.3", "1.2.3-rc.1", "latest", "sha256-ab"]
                .iter()
                .map(|t| t.to_string())
                .collect();
            for reg in &f.registries {
                for r in &reg.repos {
                    // A rule names a repository, never an image.
                    assert!(r.repo.tag.is_none() && r.repo.digest.is_none(), "{s:?}");
                    let taken = r.rule.select(&tags);
                    assert!(taken.len() <= tags.len());
                }
            }
        }
        // Every error names the file.
        Err(e) => assert!(e.0.starts_with("f.yaml"), "{s:?}: {e}"),
    }
    if let Ok(c) = Constraint::parse(s) {
        let _ = c.matches_tag("1.2.3");
    }
    if let Some(v) = parse_version(s) {
        // A version read from a tag prints as a version that reads back the same.
        assert_eq!(parse_version(&v.to_string()), Some(v), "{s:?}");
    }
});
