//! Typed registry errors with actionable messages. Credentials never appear in them.

use std::fmt;

/// Error codes from the Distribution error envelope (`{"errors":[{"code":…}]}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    ManifestUnverified,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    Other(String),
}

impl ErrorCode {
    /// Map the envelope's `code` string.
    pub fn parse(code: &str) -> ErrorCode {
        match code {
            "BLOB_UNKNOWN" => ErrorCode::BlobUnknown,
            "BLOB_UPLOAD_INVALID" => ErrorCode::BlobUploadInvalid,
            "BLOB_UPLOAD_UNKNOWN" => ErrorCode::BlobUploadUnknown,
            "DIGEST_INVALID" => ErrorCode::DigestInvalid,
            "MANIFEST_BLOB_UNKNOWN" => ErrorCode::ManifestBlobUnknown,
            "MANIFEST_INVALID" => ErrorCode::ManifestInvalid,
            "MANIFEST_UNKNOWN" => ErrorCode::ManifestUnknown,
            "MANIFEST_UNVERIFIED" => ErrorCode::ManifestUnverified,
            "NAME_INVALID" => ErrorCode::NameInvalid,
            "NAME_UNKNOWN" => ErrorCode::NameUnknown,
            "SIZE_INVALID" => ErrorCode::SizeInvalid,
            "TAG_INVALID" => ErrorCode::TagInvalid,
            "UNAUTHORIZED" => ErrorCode::Unauthorized,
            "DENIED" => ErrorCode::Denied,
            "UNSUPPORTED" => ErrorCode::Unsupported,
            "TOOMANYREQUESTS" => ErrorCode::TooManyRequests,
            other => ErrorCode::Other(other.to_string()),
        }
    }

    /// The envelope spelling (`MANIFEST_UNKNOWN`).
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::BlobUnknown => "BLOB_UNKNOWN",
            ErrorCode::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            ErrorCode::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            ErrorCode::DigestInvalid => "DIGEST_INVALID",
            ErrorCode::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            ErrorCode::ManifestInvalid => "MANIFEST_INVALID",
            ErrorCode::ManifestUnknown => "MANIFEST_UNKNOWN",
            ErrorCode::ManifestUnverified => "MANIFEST_UNVERIFIED",
            ErrorCode::NameInvalid => "NAME_INVALID",
            ErrorCode::NameUnknown => "NAME_UNKNOWN",
            ErrorCode::SizeInvalid => "SIZE_INVALID",
            ErrorCode::TagInvalid => "TAG_INVALID",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Denied => "DENIED",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::TooManyRequests => "TOOMANYREQUESTS",
            ErrorCode::Other(s) => s,
        }
    }

    /// The code implied by a bare status when the body carries no envelope.
    pub fn from_status(status: u16) -> ErrorCode {
        match status {
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Denied,
            405 => ErrorCode::Unsupported,
            429 => ErrorCode::TooManyRequests,
            s => ErrorCode::Other(format!("HTTP {s}")),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong talking to a registry.
#[derive(Clone, Debug)]
pub struct RegistryError {
    /// What we were doing: `GET https://host/v2/repo/manifests/tag`.
    pub request: String,
    pub kind: ErrorKind,
}

#[derive(Clone, Debug)]
pub enum ErrorKind {
    /// The registry answered with an error envelope / status.
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    /// Could not connect / TLS failure / timeout; `hint` says which flag or setup fixes it.
    Transport {
        message: String,
        hint: Option<String>,
    },
    /// Bytes did not hash to the digest expected.
    DigestMismatch { expected: String, actual: String },
    /// Body larger than allowed.
    TooLarge { limit: usize },
    /// Auth failed (no credentials, wrong credentials, token refused).
    Auth { message: String },
    /// Anything else (malformed response…).
    Other(String),
    /// A file of an OCI layout ([`crate::layout`]): what is wrong with it; `missing` when
    /// it is a "does not exist" (a missing ref name, blob or directory).
    Local { message: String, missing: bool },
}

impl RegistryError {
    pub fn new(request: impl Into<String>, kind: ErrorKind) -> Self {
        RegistryError {
            request: request.into(),
            kind,
        }
    }

    /// The same error with the registry's message (trimmed, without its final `.`) turned
    /// into `f(message)`, to say what was tried and what to do; errors that are not the
    /// registry's answer are returned as they are.
    pub fn extend_message(self, f: impl FnOnce(&str) -> String) -> RegistryError {
        let ErrorKind::Api {
            status,
            code,
            message,
        } = self.kind
        else {
            return self;
        };
        let message = f(message.trim().trim_end_matches('.'));
        RegistryError::new(
            self.request,
            ErrorKind::Api {
                status,
                code,
                message,
            },
        )
    }

    /// True when the registry will not give its catalog to us (Docker Hub and GHCR have none,
    /// it may be disabled, or we lack the permission): the user must name a repository.
    pub fn refuses_catalog(&self) -> bool {
        match &self.kind {
            ErrorKind::Api { status, .. } => matches!(status, 401 | 403 | 404 | 405),
            ErrorKind::Auth { .. } => true,
            _ => false,
        }
    }

    /// The envelope code, when the registry answered with one.
    pub fn code(&self) -> Option<&ErrorCode> {
        match &self.kind {
            ErrorKind::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ErrorKind::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for "does not exist" answers (MANIFEST_UNKNOWN, NAME_UNKNOWN, BLOB_UNKNOWN, 404).
    pub fn is_not_found(&self) -> bool {
        match &self.kind {
            ErrorKind::Local { missing, .. } => *missing,
            ErrorKind::Api { status, code, .. } => {
                *status == 404
                    || matches!(
                        code,
                        ErrorCode::ManifestUnknown
                            | ErrorCode::NameUnknown
                            | ErrorCode::BlobUnknown
                    )
            }
            _ => false,
        }
    }
}

/// `(host, repository)` out of a request line `METHOD URL`.
fn host_and_repo(request: &str) -> (String, Option<String>) {
    let url = request.split_whitespace().nth(1).unwrap_or(request);
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.split(['?', '#']).next().unwrap_or("");
    let repo = path.strip_prefix("v2/").and_then(|p| {
        ["/manifests/", "/blobs/", "/tags/"]
            .iter()
            .filter_map(|m| p.find(m))
            .min()
            .map(|i| p[..i].to_string())
    });
    (host.to_string(), repo)
}

/// Strip a trailing period so sentences join cleanly.
fn sentence(s: &str) -> &str {
    s.trim().trim_end_matches('.')
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ErrorKind::Local { message, .. } = &self.kind {
            // A file, not a request: "oci:./dir/index.json: no ref name …".
            return write!(f, "{}: {}.", self.request, sentence(message));
        }
        let (host, repo) = host_and_repo(&self.request);
        let repo_s = repo.clone().unwrap_or_else(|| "the repository".to_string());
        write!(f, "{} failed: ", self.request)?;
        match &self.kind {
            ErrorKind::Api { status, code, message } => {
                let why = if message.is_empty() {
                    format!("the registry answered {status} {code}")
                } else {
                    format!("the registry answered {status} {code} ({})", sentence(message))
                };
                let hint = match code {
                    ErrorCode::ManifestUnknown => format!(
                        "the tag or digest does not exist in {repo_s}; check the tag with `manifest-tui inspect` or list the tags of the repository"
                    ),
                    ErrorCode::NameUnknown => format!(
                        "the repository {repo_s} does not exist on {host}; check the name (and the registry host)"
                    ),
                    ErrorCode::BlobUnknown => format!(
                        "the blob is not in {repo_s}; the image may be incomplete, push it again"
                    ),
                    ErrorCode::ManifestBlobUnknown => format!(
                        "a manifest or blob it references is missing from {repo_s}; push the referenced images to that repository first"
                    ),
                    ErrorCode::ManifestInvalid | ErrorCode::ManifestUnverified => {
                        "the registry rejected the manifest; check that every entry is a valid image manifest".to_string()
                    }
                    ErrorCode::DigestInvalid | ErrorCode::SizeInvalid => {
                        "the uploaded content did not match its digest or size; retry, and report it if it persists".to_string()
                    }
                    ErrorCode::NameInvalid | ErrorCode::TagInvalid => {
                        "the registry refused the repository name or tag; use lower-case names and valid tags".to_string()
                    }
                    ErrorCode::Unauthorized => format!(
                        "authentication is required; run `docker login {host}` (credentials are read from the docker config)"
                    ),
                    ErrorCode::Denied => format!(
                        "your account lacks the access this needs (push access to {repo_s} for writes); check the account you logged in with (`docker login {host}`)"
                    ),
                    ErrorCode::TooManyRequests => {
                        "rate limited; retry later (or log in to get a higher limit)".to_string()
                    }
                    ErrorCode::Unsupported => {
                        "the registry does not support this operation (deleting may be disabled on it)".to_string()
                    }
                    ErrorCode::BlobUploadInvalid | ErrorCode::BlobUploadUnknown => {
                        "the upload session failed; retry the operation".to_string()
                    }
                    ErrorCode::Other(_) if *status == 429 => {
                        "rate limited; retry later (or log in to get a higher limit)".to_string()
                    }
                    ErrorCode::Other(_) if *status >= 500 => {
                        "the registry had an internal problem; retry later".to_string()
                    }
                    ErrorCode::Other(_) => "check the reference and the registry".to_string(),
                };
                write!(f, "{why}; {hint}.")
            }
            ErrorKind::Transport { message, hint } => {
                write!(f, "{}", sentence(message))?;
                match hint {
                    Some(h) => write!(f, "; {}.", sentence(h)),
                    None => write!(
                        f,
                        "; is the registry running at {host}? For a plain-HTTP registry pass --insecure."
                    ),
                }
            }
            ErrorKind::DigestMismatch { expected, actual } => write!(
                f,
                "the content does not match its digest: expected {expected} but the bytes hash to {actual}; the registry served corrupted or tampered content, do not trust it (retry, or report it to the registry's operator)."
            ),
            ErrorKind::TooLarge { limit } => write!(
                f,
                "the response is larger than the {limit} byte limit; this is not a manifest or config we can handle (check the reference)."
            ),
            ErrorKind::Auth { message } => write!(f, "{}.", sentence(message)),
            ErrorKind::Other(m) => write!(f, "{}.", sentence(m)),
            ErrorKind::Local { .. } => Ok(()),
        }
    }
}

impl std::error::Error for RegistryError {}

/// One error of the Distribution error envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeError {
    pub code: ErrorCode,
    pub message: String,
    /// `detail` rendered as compact JSON (empty when null/missing).
    pub detail: String,
}

/// Parse `{"errors":[{"code","message","detail"}]}`; `None` when the body is not an envelope.
pub(crate) fn parse_envelope(body: &[u8]) -> Option<Vec<EnvelopeError>> {
    #[derive(serde::Deserialize)]
    struct Env {
        errors: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
        #[serde(default)]
        detail: serde_json::Value,
    }
    let env: Env = serde_json::from_slice(body).ok()?;
    if env.errors.is_empty() {
        return None;
    }
    Some(
        env.errors
            .into_iter()
            .map(|i| EnvelopeError {
                code: ErrorCode::parse(&i.code),
                message: i.message,
                detail: if i.detail.is_null() {
                    String::new()
                } else {
                    i.detail.to_string()
                },
            })
            .collect(),
    )
}

/// Build the `Api` error kind from a status and a body (envelope or not).
pub(crate) fn api_error(status: u16, body: &[u8]) -> ErrorKind {
    match parse_envelope(body) {
        Some(errs) => {
            let first = &errs[0];
            let mut message = first.message.clone();
            if !first.detail.is_empty() && first.detail.len() <= 300 {
                message.push_str(&format!(" (detail: {})", first.detail));
            }
            for e in errs.iter().skip(1) {
                message.push_str(&format!("; also {}: {}", e.code, e.message));
            }
            ErrorKind::Api {
                status,
                code: first.code.clone(),
                message,
            }
        }
        None => {
            let text = String::from_utf8_lossy(body);
            let text: String = text.trim().chars().take(200).collect();
            let code = if status == 404 {
                ErrorCode::Other("NOT_FOUND".into())
            } else {
                ErrorCode::from_status(status)
            };
            ErrorKind::Api {
                status,
                code,
                message: text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_parses_codes_and_detail() {
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v9"}}]}"#;
        let e = parse_envelope(body).expect("envelope");
        assert_eq!(e[0].code, ErrorCode::ManifestUnknown);
        assert_eq!(e[0].message, "manifest unknown");
        assert_eq!(e[0].detail, r#"{"Tag":"v9"}"#);
        let body = br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null},{"code":"SOMETHING_NEW","message":"x"}]}"#;
        let e = parse_envelope(body).expect("envelope");
        assert_eq!(e[0].code, ErrorCode::Unauthorized);
        assert_eq!(e[0].detail, "");
        assert_eq!(e[1].code, ErrorCode::Other("SOMETHING_NEW".into()));
        assert!(parse_envelope(b"not json").is_none());
        assert!(parse_envelope(br#"{"errors":[]}"#).is_none());
    }

    #[test]
    fn display_is_actionable() {
        let e = RegistryError::new(
            "GET https://127.0.0.1:5000/v2/samples/app/manifests/v9",
            api_error(
                404,
                br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            ),
        );
        let s = e.to_string();
        assert!(
            s.contains("GET https://127.0.0.1:5000/v2/samples/app/manifests/v9 failed"),
            "{s}"
        );
        assert!(s.contains("manifest-tui inspect"), "{s}");
        assert!(e.is_not_found());
        let e = RegistryError::new(
            "PUT https://r.example/v2/team/app/manifests/v1",
            api_error(403, br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#),
        );
        assert!(e.to_string().contains("push access to team/app"), "{e}");
        let e = RegistryError::new(
            "GET https://r.example/v2/",
            api_error(
                401,
                br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            ),
        );
        assert!(e.to_string().contains("docker login r.example"), "{e}");
        let e = RegistryError::new("GET https://r.example/v2/x/tags/list", api_error(429, b""));
        assert_eq!(e.code(), Some(&ErrorCode::TooManyRequests));
        assert!(e.to_string().contains("rate limited; retry later"), "{e}");
        let e = RegistryError::new(
            "GET http://127.0.0.1:1/v2/",
            ErrorKind::Transport {
                message: "connection refused".into(),
                hint: None,
            },
        );
        assert!(e.to_string().contains("is the registry running"), "{e}");
        assert!(e.to_string().contains("--insecure"), "{e}");
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn host_repo_extraction() {
        let (h, r) = host_and_repo("GET https://h:5000/v2/a/b/blobs/sha256:00?x=1");
        assert_eq!(h, "h:5000");
        assert_eq!(r.as_deref(), Some("a/b"));
        let (_, r) = host_and_repo("GET https://h/v2/_catalog?n=2");
        assert_eq!(r, None);
    }
}
