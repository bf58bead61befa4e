//! Reference parsing on arbitrary UTF-8: never panics, and every accepted reference
//! round-trips through its display forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use manifest_core::reference::{is_valid_tag, Reference};
use manifest_core::store::list_readings;

fn hub_namespace_looks_like_a_domain(r: &Reference) -> bool {
    let first = r.path.split('/').next().unwrap_or("");
    r.domain == "docker.io"
        && r.path.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost")
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = is_valid_tag(s);
    match Reference::parse(s) {
        Err(e) => {
            // The error message must be buildable for any input.
            let _ = e.to_string();
        }
        Ok(r) => {
            let full = r.to_string();
            let again = Reference::parse(&full)
                .unwrap_or_else(|e| panic!("{s:?}: display form {full:?} does not re-parse: {e}"));
            assert_eq!(
                again, r,
                "{s:?}: display form {full:?} re-parses differently"
            );
            // Docker's own ambiguity: `docker.io/a.b/c` is shown as `a.b/c`, which reads as
            // registry `a.b` (or is refused, `a_b.c/d`). Docker Hub namespaces cannot hold a
            // '.', so no real image has it. Everything else must come back unchanged.
            if !hub_namespace_looks_like_a_domain(&r) {
                let fam = r.familiar();
                let again = Reference::parse(&fam).unwrap_or_else(|e| {
                    panic!("{s:?}: familiar form {fam:?} does not re-parse: {e}")
                });
                assert_eq!(
                    again, r,
                    "{s:?}: familiar form {fam:?} re-parses differently"
                );
            }
            let tagged = r.clone().with_default_tag();
            // A layout keeps neither (it then names its only manifest).
            assert!(tagged.tag.is_some() || tagged.digest.is_some() || r.is_layout());
            assert_eq!(Reference::parse_tagged(s).ok(), Some(tagged));
            let _ = r.manifest_reference();
            // The store's directory name mapping is lossy ('_' and '-'), but whatever it
            // recovers must map back to the same directory.
            // Directory names come from the file system, so they are at most 255 bytes
            // (NAME_MAX); longer ones are not reachable (and the lookup is quadratic).
            let dir = r.store_name();
            if dir.len() > 255 {
                return;
            }
            for back in list_readings(&dir) {
                assert_eq!(back.store_name(), dir, "{s:?}");
            }
        }
    }
});
