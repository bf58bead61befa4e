//! HTTP/1.1 message framing (RFC 9112), the one copy both test proxies follow: the delay
//! proxy counts requests in a byte stream with it, the fault proxy reads whole requests.

/// How the body after a request head is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body: the next request starts right after the head.
    None,
    /// `Content-Length` bytes.
    Length(u64),
    /// `Transfer-Encoding: chunked`: chunks, then trailers up to an empty line.
    Chunked,
    /// An upgrade or a CONNECT: no more HTTP/1.1 on this connection.
    Opaque,
}

/// A request head: its request line and its header fields, names as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub line: String,
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// Parse the bytes of a head (up to and including the empty line).
    pub fn parse(head: &[u8]) -> Head {
        let text = String::from_utf8_lossy(head);
        let mut lines = text.split("\r\n");
        let line = lines.next().unwrap_or("").to_string();
        let headers = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Head { line, headers }
    }

    /// The first field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn method(&self) -> &str {
        self.line.split(' ').next().unwrap_or("")
    }

    pub fn target(&self) -> &str {
        self.line.split(' ').nth(1).unwrap_or("")
    }

    /// How its body is delimited: chunked wins over a length; an upgrade or CONNECT ends
    /// HTTP/1.1 on the connection.
    pub fn framing(&self) -> Framing {
        if self.header("upgrade").is_some() || self.method() == "CONNECT" {
            return Framing::Opaque;
        }
        if self
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            return Framing::Chunked;
        }
        match self.header("content-length").and_then(|v| v.parse().ok()) {
            Some(0) | None => Framing::None,
            Some(n) => Framing::Length(n),
        }
    }
}

/// The size a chunk-size line gives (extensions after `;` ignored), `None` when it is not hex.
pub fn chunk_size(line: &str) -> Option<u64> {
    u64::from_str_radix(line.split(';').next()?.trim(), 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_follows_the_head() {
        let f = |s: &str| Head::parse(s.as_bytes()).framing();
        assert_eq!(f("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n"), Framing::None);
        assert_eq!(
            f("PUT /a HTTP/1.1\r\ncontent-length: 12\r\n\r\n"),
            Framing::Length(12)
        );
        assert_eq!(
            f("PATCH /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Framing::Chunked
        );
        assert_eq!(f("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n"), Framing::Opaque);
        assert_eq!(f("CONNECT a:443 HTTP/1.1\r\n\r\n"), Framing::Opaque);
        let h = Head::parse(b"HEAD /v2/x/manifests/v1 HTTP/1.1\r\nAccept: a\r\n\r\n");
        assert_eq!((h.method(), h.target()), ("HEAD", "/v2/x/manifests/v1"));
        assert_eq!(chunk_size("1a;ext=1\r\n"), Some(26));
        assert_eq!(chunk_size("zz"), None);
    }
}
