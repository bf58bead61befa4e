//! Content digests (`sha256:<64 hex>`), computed over exact bytes.

use sha2::{Digest as _, Sha256, Sha512};
use std::fmt;
use std::str::FromStr;

/// A validated content digest such as `sha256:e3b0c4…`.
///
/// Only `sha256` and `sha512` are accepted, with lower-case hex of the right length,
/// which is what the Distribution registry accepts too.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Digest(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestError(pub String);

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for DigestError {}

impl Digest {
    /// SHA-256 of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Self {
        Digest(format!("sha256:{}", hex(&Sha256::digest(bytes))))
    }

    pub fn parse(s: &str) -> Result<Self, DigestError> {
        let (algo, hexpart) = s
            .split_once(':')
            .ok_or_else(|| DigestError(format!("invalid digest {s:?}: expected ALGORITHM:HEX")))?;
        let want = match algo {
            "sha256" => 64,
            "sha512" => 128,
            _ => {
                return Err(DigestError(format!(
                    "invalid digest {s:?}: unsupported algorithm {algo:?} (sha256 or sha512)"
                )))
            }
        };
        if hexpart.len() != want
            || !hexpart
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(DigestError(format!(
                "invalid digest {s:?}: {algo} needs {want} lower-case hex characters"
            )));
        }
        Ok(Digest(s.to_string()))
    }

    pub fn algorithm(&self) -> &str {
        self.0.split_once(':').map(|(a, _)| a).unwrap_or("")
    }

    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or("")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A short form for tables: `sha256:0123456789ab`.
    pub fn short(&self) -> String {
        let hex = self.hex();
        format!("{}:{}", self.algorithm(), &hex[..hex.len().min(12)])
    }

    /// True when `bytes` hash to this digest (with this digest's algorithm).
    pub fn verify(&self, bytes: &[u8]) -> bool {
        match self.algorithm() {
            "sha256" => hex(&Sha256::digest(bytes)) == self.hex(),
            "sha512" => hex(&Sha512::digest(bytes)) == self.hex(),
            _ => false,
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sha256() {
        let d = Digest::sha256(b"");
        assert_eq!(
            d.as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(d.verify(b""));
        assert!(!d.verify(b"x"));
    }

    #[test]
    fn parse_rejects_bad_forms() {
        assert!(Digest::parse("sha256:abc").is_err());
        assert!(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e").is_err());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(Digest::parse(&format!("sha256:{}", "a".repeat(64))).is_ok());
    }
}
