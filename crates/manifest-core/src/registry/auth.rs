//! Authentication pieces: `WWW-Authenticate` challenges, token scopes, docker credentials,
//! token responses. Pure functions (plus a blocking credential lookup), unit-tested here.

use crate::reference::host_of_key;
use base64::Engine as _;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// A secret string (password, token). Its `Debug` and `Display` print `<redacted>`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself: only for building a header or a form, never for messages.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Credentials for one registry, from the docker config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// Username and password (or a personal access token used as a password).
    Basic { username: String, password: Secret },
    /// An identity (OAuth2 refresh) token saved by `docker login`; `username` when known.
    IdentityToken { username: String, token: Secret },
}

impl Credential {
    pub fn username(&self) -> &str {
        match self {
            Credential::Basic { username, .. } | Credential::IdentityToken { username, .. } => {
                username
            }
        }
    }

    /// `Basic base64(user:password)`, when this is a username/password pair.
    pub fn basic_header(&self) -> Option<Secret> {
        match self {
            Credential::Basic { username, password } => Some(Secret(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{}", password.expose()))
            ))),
            Credential::IdentityToken { .. } => None,
        }
    }
}

/// One challenge from a `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// Lower-cased scheme: `bearer`, `basic`, …
    pub scheme: String,
    /// Lower-cased parameter names → values (unquoted).
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// Parse every challenge out of one or more `WWW-Authenticate` header values. Handles quoted
/// and unquoted parameter values, escapes inside quotes, and several challenges per header.
pub fn parse_challenges<'a>(headers: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out = Vec::new();
    for h in headers {
        parse_one_header(h, &mut out);
    }
    out
}

fn parse_one_header(s: &str, out: &mut Vec<Challenge>) {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut cur: Option<Challenge> = None;
    let is_sep = |c: char| c == ',' || c.is_whitespace();
    loop {
        while i < b.len() && is_sep(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !is_sep(b[i]) && b[i] != '=' && b[i] != '"' {
            i += 1;
        }
        let token: String = b[start..i].iter().collect();
        let mut j = i;
        while j < b.len() && b[j] == ' ' {
            j += 1;
        }
        if j < b.len() && b[j] == '=' {
            // A parameter (or a token68 ending in '=').
            i = j + 1;
            while i < b.len() && b[i] == ' ' {
                i += 1;
            }
            let mut value = String::new();
            if i < b.len() && b[i] == '"' {
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' && i + 1 < b.len() {
                        i += 1;
                    }
                    value.push(b[i]);
                    i += 1;
                }
                i += 1; // closing quote
            } else {
                while i < b.len() && !is_sep(b[i]) {
                    value.push(b[i]);
                    i += 1;
                }
            }
            if let Some(c) = cur.as_mut() {
                if !token.is_empty() {
                    c.params.insert(token.to_ascii_lowercase(), value);
                }
            }
        } else if token.is_empty() {
            // Stray quote or '=': skip one char to make progress.
            i += 1;
        } else {
            if let Some(c) = cur.take() {
                out.push(c);
            }
            cur = Some(Challenge {
                scheme: token.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
            i = j;
        }
    }
    if let Some(c) = cur {
        out.push(c);
    }
}

/// One resource scope: `repository:samples/app:pull,push`, `registry:catalog:*`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    pub kind: String,
    pub class: Option<String>,
    pub name: String,
    /// Sorted, de-duplicated.
    pub actions: BTreeSet<String>,
}

impl Scope {
    pub fn new(kind: &str, name: &str, actions: &[&str]) -> Scope {
        Scope {
            kind: kind.to_string(),
            class: None,
            name: name.to_string(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
        }
    }
    pub fn pull(repo: &str) -> Scope {
        Scope::new("repository", repo, &["pull"])
    }
    pub fn push(repo: &str) -> Scope {
        Scope::new("repository", repo, &["pull", "push"])
    }
    pub fn delete(repo: &str) -> Scope {
        Scope::new("repository", repo, &["delete"])
    }
    pub fn catalog() -> Scope {
        Scope::new("registry", "catalog", &["*"])
    }

    /// Parse one resource scope. The type ends at the first `:`, the actions start after the
    /// last `:` (a name may hold one `host:port` colon).
    pub fn parse(s: &str) -> Option<Scope> {
        let (kind, rest) = s.split_once(':')?;
        let (name, actions) = rest.rsplit_once(':')?;
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        let (kind, class) = match kind.split_once('(') {
            Some((k, c)) => (k, Some(c.trim_end_matches(')').to_string())),
            None => (kind, None),
        };
        Some(Scope {
            kind: kind.to_string(),
            class,
            name: name.to_string(),
            actions: actions
                .split(',')
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }

    /// Does this scope cover `other` (same resource, all its actions, `*` covers all)?
    pub fn covers(&self, other: &Scope) -> bool {
        self.kind == other.kind
            && self.name == other.name
            && (self.actions.contains("*") || other.actions.is_subset(&self.actions))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if let Some(c) = &self.class {
            write!(f, "({c})")?;
        }
        write!(f, ":{}:", self.name)?;
        let acts: Vec<&str> = self.actions.iter().map(String::as_str).collect();
        f.write_str(&acts.join(","))
    }
}

/// Parse a space-separated scope list (a challenge's `scope` or a token response's `scope`),
/// merging entries for the same resource. Order in the input does not matter.
pub fn parse_scopes(s: &str) -> Vec<Scope> {
    normalize_scopes(s.split_whitespace().filter_map(Scope::parse))
}

/// Merge scopes on the same resource and sort: the canonical form used as a cache key.
pub(crate) fn normalize_scopes(scopes: impl IntoIterator<Item = Scope>) -> Vec<Scope> {
    let mut map: BTreeMap<(String, Option<String>, String), BTreeSet<String>> = BTreeMap::new();
    for s in scopes {
        map.entry((s.kind, s.class, s.name))
            .or_default()
            .extend(s.actions);
    }
    map.into_iter()
        .map(|((kind, class, name), actions)| Scope {
            kind,
            class,
            name,
            actions,
        })
        .collect()
}

/// A parsed token endpoint answer.
#[derive(Clone, Debug)]
pub struct TokenResponse {
    pub token: Secret,
    /// Seconds; defaults to 60 when missing or lower.
    pub expires_in: u64,
    pub refresh_token: Option<Secret>,
}

/// Parse `{"token"|"access_token", "expires_in", "refresh_token"}`.
pub fn parse_token_response(body: &[u8]) -> Option<TokenResponse> {
    #[derive(serde::Deserialize)]
    struct T {
        token: Option<String>,
        access_token: Option<String>,
        expires_in: Option<serde_json::Value>,
        refresh_token: Option<String>,
    }
    let t: T = serde_json::from_slice(body).ok()?;
    let token = t
        .token
        .filter(|s| !s.is_empty())
        .or(t.access_token.filter(|s| !s.is_empty()))?;
    let expires_in = t
        .expires_in
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)))
        .unwrap_or(60)
        .max(60);
    Some(TokenResponse {
        token: Secret(token),
        expires_in,
        refresh_token: t.refresh_token.filter(|s| !s.is_empty()).map(Secret),
    })
}

/// The `access` claim of a JWT, rendered as scopes (for error messages: what was granted).
/// `None` when the token is not a readable JWT.
pub fn jwt_granted_scopes(token: &str) -> Option<Vec<Scope>> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    #[derive(serde::Deserialize)]
    struct Claims {
        #[serde(default)]
        access: Vec<Access>,
    }
    #[derive(serde::Deserialize)]
    struct Access {
        #[serde(rename = "type", default)]
        kind: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        actions: Vec<String>,
    }
    let c: Claims = serde_json::from_slice(&bytes).ok()?;
    Some(normalize_scopes(c.access.into_iter().map(|a| Scope {
        kind: a.kind,
        class: None,
        name: a.name,
        actions: a.actions.into_iter().collect(),
    })))
}

/// The config.json keys docker would use for `domain`, in order.
pub(crate) fn credential_keys(domain: &str) -> Vec<String> {
    if crate::reference::is_docker_hub(domain) {
        return vec!["https://index.docker.io/v1/".to_string()];
    }
    vec![
        domain.to_string(),
        format!("https://{domain}"),
        format!("http://{domain}"),
    ]
}

fn decode_auth_field(auth: &str) -> Option<(String, String)> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(auth.trim()))
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// The keys of a parsed config.json's `auths` object, as written
/// (`https://index.docker.io/v1/`, `127.0.0.1:5000`).
fn auths_keys(json: &serde_json::Value) -> impl Iterator<Item = &String> {
    json.get("auths")
        .and_then(|a| a.as_object())
        .into_iter()
        .flat_map(|a| a.keys())
}

/// The registries `<config_dir>/config.json` holds credentials for (its `auths` keys), each
/// [normalised](crate::reference::normalize_registry), sorted, each once. A missing or
/// unreadable file has none.
pub fn configured_registries(config_dir: &Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(config_dir.join("config.json")) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    let mut hosts: Vec<String> = auths_keys(&json)
        .map(|k| crate::reference::normalize_registry(k))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Look up the credentials for `domain` in `<config_dir>/config.json` like docker does:
/// credHelpers, then the identity token in `auths`, then auths/credsStore through the
/// `docker_credential` crate. Blocking (a helper may run): call from `spawn_blocking`.
/// `Ok(None)`: nothing configured (anonymous). Errors never contain secrets.
pub(crate) fn lookup_credentials(
    config_dir: &Path,
    domain: &str,
) -> Result<Option<Credential>, String> {
    let path = config_dir.join("config.json");
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let json: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
    let mut keys = credential_keys(domain);
    // Any other auths key naming the same host (e.g. `https://host/v1/`), as docker matches.
    let host = host_of_key(&keys[0]).to_string();
    for k in auths_keys(&json) {
        if !keys.contains(k) && host_of_key(k) == host {
            keys.push(k.clone());
        }
    }
    let helpers = json.get("credHelpers").and_then(|h| h.as_object());
    let has_helper = |key: &str| {
        helpers.is_some_and(|h| {
            h.get(key)
                .and_then(|v| v.as_str())
                .is_some_and(|v| !v.is_empty())
        })
    };
    // The identity token saved by `docker login` (read here so it is never missed); a
    // credential helper configured for the registry wins over it, as in docker.
    if !keys.iter().any(|k| has_helper(k)) {
        for key in &keys {
            let Some(entry) = json.get("auths").and_then(|a| a.get(key.as_str())) else {
                continue;
            };
            let Some(tok) = entry
                .get("identitytoken")
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
            else {
                continue;
            };
            let username = entry
                .get("auth")
                .and_then(|a| a.as_str())
                .and_then(decode_auth_field)
                .map(|(u, _)| u)
                .or_else(|| {
                    entry
                        .get("username")
                        .and_then(|u| u.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_default();
            return Ok(Some(Credential::IdentityToken {
                username,
                token: Secret::new(tok),
            }));
        }
    }
    for key in &keys {
        match docker_credential::get_credential_from_reader(text.as_slice(), key) {
            Ok(docker_credential::DockerCredential::UsernamePassword(u, p)) => {
                if u.is_empty() && p.is_empty() {
                    continue;
                }
                return Ok(Some(Credential::Basic { username: u, password: Secret::new(p) }));
            }
            Ok(docker_credential::DockerCredential::IdentityToken(t)) => {
                return Ok(Some(Credential::IdentityToken { username: String::new(), token: Secret::new(t) }));
            }
            Err(docker_credential::CredentialRetrievalError::NoCredentialConfigured) => continue,
            Err(docker_credential::CredentialRetrievalError::HelperFailure { helper, stdout, .. }) => {
                if stdout.to_ascii_lowercase().contains("credentials not found") {
                    continue;
                }
                return Err(format!(
                    "the credential helper docker-credential-{helper} failed for {key} (configured in {}); run `docker login {domain}` or fix the helper",
                    path.display()
                ));
            }
            Err(e) => {
                return Err(format!(
                    "cannot read the credentials for {key} from {}: {e}; run `docker login {domain}` again",
                    path.display()
                ))
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_bearer_basic_and_several() {
        let c = parse_challenges([
            r#"Bearer realm="http://127.0.0.1:5001/token",service="test-registry",scope="repository:foo2:push,pull repository:foo:pull",error="insufficient_scope""#,
        ]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].param("realm"), Some("http://127.0.0.1:5001/token"));
        assert_eq!(c[0].param("service"), Some("test-registry"));
        assert_eq!(c[0].param("error"), Some("insufficient_scope"));
        let scopes = parse_scopes(c[0].param("scope").unwrap_or(""));
        assert_eq!(
            scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            vec!["repository:foo:pull", "repository:foo2:pull,push"]
        );

        let c = parse_challenges([
            r#"Basic realm="Registry Realm", Bearer realm=https://auth.example/token, service=reg"#,
            "Negotiate",
            r#"BASIC realm="a \"quoted\" realm",charset="UTF-8""#,
        ]);
        assert_eq!(c.len(), 4);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].param("realm"), Some("Registry Realm"));
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].param("realm"), Some("https://auth.example/token"));
        assert_eq!(c[1].param("service"), Some("reg"));
        assert_eq!(c[2].scheme, "negotiate");
        assert_eq!(c[3].param("realm"), Some("a \"quoted\" realm"));
        assert_eq!(c[3].param("charset"), Some("UTF-8"));
    }

    #[test]
    fn scopes_parse_in_any_order_and_with_ports() {
        let a = parse_scopes("repository:foo:push,pull repository:bar:pull");
        let b = parse_scopes("repository:bar:pull   repository:foo:pull,push");
        assert_eq!(a, b);
        let s = Scope::parse("repository:localhost:5000/x/y:pull").expect("scope");
        assert_eq!(s.name, "localhost:5000/x/y");
        let s = Scope::parse("repository(plugin):x/y:pull").expect("scope");
        assert_eq!(s.class.as_deref(), Some("plugin"));
        assert_eq!(s.to_string(), "repository(plugin):x/y:pull");
        assert_eq!(Scope::catalog().to_string(), "registry:catalog:*");
        assert!(Scope::catalog().covers(&Scope::catalog()));
        assert!(Scope::push("a").covers(&Scope::pull("a")));
        assert!(!Scope::pull("a").covers(&Scope::push("a")));
        let merged = normalize_scopes([Scope::pull("a"), Scope::new("repository", "a", &["push"])]);
        assert_eq!(merged, vec![Scope::push("a")]);
        assert!(Scope::parse("nonsense").is_none());
    }

    #[test]
    fn token_response_and_jwt() {
        let t = parse_token_response(br#"{"access_token":"abc","expires_in":300}"#).expect("token");
        assert_eq!(t.token.expose(), "abc");
        assert_eq!(t.expires_in, 300);
        let t = parse_token_response(br#"{"token":"x","refresh_token":"r"}"#).expect("token");
        assert_eq!(t.expires_in, 60);
        assert_eq!(t.refresh_token.as_ref().map(|r| r.expose()), Some("r"));
        assert!(parse_token_response(br#"{"details":"invalid credentials"}"#).is_none());
        let claims = r#"{"access":[{"type":"repository","name":"foo","actions":["pull"]},{"type":"repository","name":"foo","actions":["push"]}]}"#;
        let jwt = format!(
            "e30.{}.sig",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims)
        );
        assert_eq!(jwt_granted_scopes(&jwt), Some(vec![Scope::push("foo")]));
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Credential::Basic {
            username: "alice".into(),
            password: Secret::new("alice-password"),
        };
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("alice-password"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
        assert_eq!(Secret::new("x").to_string(), "<redacted>");
        let h = c.basic_header().expect("basic");
        assert!(h.expose().starts_with("Basic "));
        assert_eq!(format!("{h}"), "<redacted>");
    }

    #[test]
    fn credentials_from_config_json() {
        let dir = tempfile::tempdir().expect("tempdir");
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:alice-password");
        let tok_auth = base64::engine::general_purpose::STANDARD.encode("bob:");
        let cfg = serde_json::json!({
            "auths": {
                "127.0.0.1:5000": {"auth": auth},
                "https://127.0.0.1:6000": {"auth": tok_auth, "identitytoken": "refresh-123"},
                "https://index.docker.io/v1/": {"auth": auth},
                "https://other.example:7000/v1/": {"auth": auth},
            }
        });
        std::fs::write(dir.path().join("config.json"), cfg.to_string()).expect("write");
        let c = lookup_credentials(dir.path(), "127.0.0.1:5000").expect("lookup");
        assert_eq!(
            c,
            Some(Credential::Basic {
                username: "alice".into(),
                password: Secret::new("alice-password")
            })
        );
        let c = lookup_credentials(dir.path(), "127.0.0.1:6000").expect("lookup");
        assert_eq!(
            c,
            Some(Credential::IdentityToken {
                username: "bob".into(),
                token: Secret::new("refresh-123")
            })
        );
        assert!(lookup_credentials(dir.path(), "docker.io")
            .expect("lookup")
            .is_some());
        assert!(lookup_credentials(dir.path(), "other.example:7000")
            .expect("lookup")
            .is_some());
        assert_eq!(
            lookup_credentials(dir.path(), "127.0.0.1:5999").expect("lookup"),
            None
        );
        let empty = tempfile::tempdir().expect("tempdir");
        assert_eq!(lookup_credentials(empty.path(), "x").expect("lookup"), None);
        // A failing helper gives an error without secrets.
        let cfg =
            serde_json::json!({"credHelpers": {"h.example": "manifest-tui-test-nonexistent"}});
        std::fs::write(dir.path().join("config.json"), cfg.to_string()).expect("write");
        let e = lookup_credentials(dir.path(), "h.example");
        assert!(e.is_err() || e == Ok(None));
    }

    #[test]
    fn docker_hub_credentials_are_read_from_the_v1_index_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let enc = |u: &str| base64::engine::general_purpose::STANDARD.encode(format!("{u}:pw"));
        let user = |domain: &str| match lookup_credentials(dir.path(), domain).expect("lookup") {
            Some(Credential::Basic { username, .. }) => Some(username),
            other => other.map(|c| format!("{c:?}")),
        };
        // As `docker login` files Docker Hub, next to keys docker never uses for it.
        let cfg = serde_json::json!({"auths": {
            "https://index.docker.io/v1/": {"auth": enc("hub-user")},
            "registry-1.docker.io": {"auth": enc("not-for-hub")},
            "docker.io": {"auth": enc("not-for-hub-either")},
        }});
        std::fs::write(dir.path().join("config.json"), cfg.to_string()).expect("write");
        for domain in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
            assert_eq!(user(domain).as_deref(), Some("hub-user"), "{domain}");
        }
        // Without the index key there is nothing for Docker Hub, as in docker.
        let cfg = serde_json::json!({"auths": {
            "registry-1.docker.io": {"auth": enc("not-for-hub")},
            "docker.io": {"auth": enc("not-for-hub-either")},
        }});
        std::fs::write(dir.path().join("config.json"), cfg.to_string()).expect("write");
        assert_eq!(user("docker.io"), None);
    }
}
