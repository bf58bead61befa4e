//! Registry header parsers: `WWW-Authenticate` challenges, `Link` pagination,
//! `Retry-After`, token scopes and token endpoint answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use manifest_core::registry::auth::{
    jwt_granted_scopes, parse_challenges, parse_scopes, parse_token_response, Scope,
};
use manifest_core::registry::http::{parse_next_link, retry_after};

fuzz_target!(|data: &[u8]| {
    let _ = parse_token_response(data);
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    // Several header values, one per line.
    let headers: Vec<&str> = s.split('\n').collect();
    for c in parse_challenges(headers.iter().copied()) {
        assert!(!c.scheme.is_empty(), "{s:?}: empty scheme");
        assert_eq!(c.scheme, c.scheme.to_ascii_lowercase(), "{s:?}");
        for k in c.params.keys() {
            assert!(!k.is_empty(), "{s:?}: empty parameter name");
            assert_eq!(*k, k.to_ascii_lowercase(), "{s:?}");
            assert_eq!(c.param(k), c.params.get(k).map(String::as_str));
        }
        if let Some(scope) = c.param("scope") {
            let _ = parse_scopes(scope);
        }
    }
    let _ = parse_next_link(&headers);
    let _ = retry_after(Some(s));
    for sc in parse_scopes(s) {
        let shown = sc.to_string();
        // A parsed scope always prints to something that parses again.
        let again = Scope::parse(&shown);
        assert!(again.is_some(), "{s:?}: scope {shown:?} does not re-parse");
        assert!(
            sc.covers(&sc),
            "{s:?}: scope {shown:?} does not cover itself"
        );
    }
    let _ = jwt_granted_scopes(s);
});
