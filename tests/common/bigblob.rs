//! Blobs of any size, made as they are sent: the bytes come from a small generator and go
//! to a plain-HTTP registry in one streamed PATCH, hashed on the way, so neither the test nor
//! the disk ever holds the whole blob.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use manifest_tui::digest::Digest;

/// Bytes generated per write.
const PIECE: usize = 1 << 20;

/// `len` pseudo-random bytes (xorshift from `seed`), piece by piece, to `sink`.
pub fn generate(len: u64, seed: u64, mut sink: impl FnMut(&[u8])) {
    let mut x = seed | 1;
    let mut buf = vec![0u8; PIECE];
    let mut left = len;
    while left > 0 {
        let n = left.min(PIECE as u64) as usize;
        for word in buf[..n].chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes()[..word.len()]);
        }
        sink(&buf[..n]);
        left -= n as u64;
    }
}

/// One HTTP/1.1 answer: status, headers (lower-case names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Send one request to `host` (`127.0.0.1:PORT`, plain HTTP) with `Connection: close`; the
/// body of `body_len` bytes is written by `body` as it is made. HEAD answers have no body.
pub fn request(
    host: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body_len: u64,
    body: impl FnOnce(&mut dyn Write),
) -> Answer {
    let mut s = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect {host}: {e}"));
    let _ = s.set_read_timeout(Some(Duration::from_secs(120)));
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {body_len}\r\nConnection: close\r\n\r\n"
    ));
    s.write_all(head.as_bytes())
        .unwrap_or_else(|e| panic!("{method} {target}: {e}"));
    {
        let mut w = std::io::BufWriter::with_capacity(PIECE, &mut s);
        body(&mut w);
        w.flush()
            .unwrap_or_else(|e| panic!("{method} {target}: {e}"));
    }
    let mut r = BufReader::new(s);
    let mut status_line = String::new();
    r.read_line(&mut status_line)
        .unwrap_or_else(|e| panic!("{method} {target}: no answer: {e}"));
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("{method} {target}: bad status line {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        if r.read_line(&mut l).unwrap_or(0) == 0 || l.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut body = Vec::new();
    if method != "HEAD" {
        let _ = r.read_to_end(&mut body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

/// An upload answer's `Location` as a request target (its path and query).
fn location(a: &Answer) -> String {
    let loc = a.header("location").expect("upload Location").to_string();
    match loc.split_once("://") {
        Some((_, rest)) => rest[rest.find('/').unwrap_or(rest.len())..].to_string(),
        None => loc,
    }
}

/// POST an upload session for `repo` on the plain-HTTP registry at `host` (202 checked).
fn start_upload(host: &str, repo: &str) -> Answer {
    let post = request(
        host,
        "POST",
        &format!("/v2/{repo}/blobs/uploads/"),
        &[],
        0,
        |_| {},
    );
    assert_eq!(
        post.status,
        202,
        "POST upload: {}",
        String::from_utf8_lossy(&post.body)
    );
    post
}

/// Upload a generated blob of `len` bytes into `repo` on the plain-HTTP registry at `host`:
/// POST a session, PATCH every byte in one streamed request, hashing as it goes, then PUT
/// `?digest=` with an empty body, and the registry checks the digest. Returns it.
pub fn push_generated_blob(host: &str, repo: &str, len: u64, seed: u64) -> Digest {
    let post = start_upload(host, repo);
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    let patch = request(
        host,
        "PATCH",
        &location(&post),
        &[("Content-Type", "application/octet-stream")],
        len,
        |w| {
            generate(len, seed, |piece| {
                hash.update(piece);
                w.write_all(piece).expect("PATCH: write the blob");
            })
        },
    );
    assert_eq!(
        patch.status,
        202,
        "PATCH: {}",
        String::from_utf8_lossy(&patch.body)
    );
    let hex: String = hash
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let digest = Digest::parse(&format!("sha256:{hex}")).expect("a sha256 digest");
    let loc = location(&patch);
    let sep = if loc.contains('?') { '&' } else { '?' };
    let put = request(
        host,
        "PUT",
        &format!("{loc}{sep}digest={digest}"),
        &[],
        0,
        |_| {},
    );
    assert_eq!(
        put.status,
        201,
        "PUT ?digest=: {}",
        String::from_utf8_lossy(&put.body)
    );
    digest
}

/// Upload `bytes` (a small blob) into `repo` on the plain-HTTP registry at `host`: POST a
/// session, then PUT `?digest=` with the bytes. Returns the digest.
pub fn push_blob(host: &str, repo: &str, bytes: &[u8]) -> Digest {
    let digest = Digest::sha256(bytes);
    let post = start_upload(host, repo);
    let loc = location(&post);
    let sep = if loc.contains('?') { '&' } else { '?' };
    let put = request(
        host,
        "PUT",
        &format!("{loc}{sep}digest={digest}"),
        &[("Content-Type", "application/octet-stream")],
        bytes.len() as u64,
        |w| w.write_all(bytes).expect("PUT: write the blob"),
    );
    assert_eq!(
        put.status,
        201,
        "PUT ?digest=: {}",
        String::from_utf8_lossy(&put.body)
    );
    digest
}
