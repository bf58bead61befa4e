//! TLS registries under a name that is not loopback, for tests of certificate trust with the
//! real binary.
//!
//! A loopback registry is insecure-allowed (as docker does), so the binary accepts any
//! certificate from `127.0.0.1` and a test there proves nothing about trust. Here the
//! registry is reached as [`NAME`]`:PORT` through a [`ConnectProxy`]: an HTTP CONNECT proxy
//! on 127.0.0.1 (the binary's `HTTPS_PROXY`) that opens a tunnel to `127.0.0.1:PORT` for that
//! name and refuses every other host, so nothing but loopback is ever a network target and no
//! name is looked up. The TLS session runs end to end through the tunnel: the server name,
//! the registry's certificate and its demand for a client certificate are the real ones.
//!
//! [`TestCa`] makes the certificates (a CA, server and client certificates it signs).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The registry's name as the binary sees it: a reserved TLD (RFC 2606), never resolved.
pub const NAME: &str = "registry.manifest-tui.test";

/// A certificate authority of the test's own.
pub struct TestCa {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate and its private key, both PEM.
pub struct Pair {
    pub cert: String,
    pub key: String,
}

impl Pair {
    /// Write the certificate to `cert` and the key to `key`.
    pub fn write(&self, cert: &Path, key: &Path) {
        std::fs::write(cert, &self.cert).expect("tlsnet: write certificate");
        std::fs::write(key, &self.key).expect("tlsnet: write key");
    }
}

impl TestCa {
    /// A fresh self-signed CA named `cn`.
    pub fn new(cn: &str) -> TestCa {
        let key = KeyPair::generate().expect("tlsnet: CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("tlsnet: CA params");
        params.distinguished_name.push(DnType::CommonName, cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("tlsnet: self-sign CA");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Write the CA certificate (PEM) to `path`.
    pub fn write(&self, path: &Path) {
        std::fs::write(path, &self.pem).expect("tlsnet: write CA certificate");
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn server(&self, names: &[&str]) -> Pair {
        let sans: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        self.leaf(sans, names[0], ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate for `cn`.
    pub fn client(&self, cn: &str) -> Pair {
        self.leaf(Vec::new(), cn, ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn leaf(&self, sans: Vec<String>, cn: &str, usage: ExtendedKeyUsagePurpose) -> Pair {
        let key = KeyPair::generate().expect("tlsnet: leaf key");
        let mut p = CertificateParams::new(sans).expect("tlsnet: leaf params");
        p.distinguished_name.push(DnType::CommonName, cn);
        p.extended_key_usages = vec![usage];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let cert = p
            .signed_by(&key, &self.issuer)
            .expect("tlsnet: sign leaf certificate");
        Pair {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }
}

/// An HTTP CONNECT proxy on 127.0.0.1 that tunnels `NAME:PORT` to `127.0.0.1:PORT` for one
/// name, and answers everything else (other hosts, plain-HTTP requests) 502 without
/// connecting anywhere. Stops accepting on drop.
pub struct ConnectProxy {
    /// `127.0.0.1:PORT`
    pub host: String,
    /// Every request head's first line, in order (`CONNECT host:port HTTP/1.1`, …).
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl ConnectProxy {
    /// A proxy that tunnels `name:PORT` (any port) to `127.0.0.1:PORT`.
    pub fn start(name: &str) -> ConnectProxy {
        let l = TcpListener::bind("127.0.0.1:0").expect("connect proxy: bind");
        let host = l.local_addr().expect("connect proxy: addr").to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, st2, name) = (seen.clone(), stop.clone(), name.to_string());
        std::thread::spawn(move || {
            for conn in l.incoming() {
                if st2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (s3, name) = (s2.clone(), name.clone());
                std::thread::spawn(move || tunnel(conn, &name, &s3));
            }
        });
        ConnectProxy { host, seen, stop }
    }

    /// `http://127.0.0.1:PORT`, the value for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host)
    }

    /// The proxy variables that send every request of a child process through this proxy
    /// (both spellings, as curl and reqwest read both; no `NO_PROXY`).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let u = self.url();
        ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
            .into_iter()
            .map(|k| (k, u.clone()))
            .collect()
    }

    /// Every request line received so far.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many tunnels to `target` (`host:port`) were asked for.
    pub fn tunnels_to(&self, target: &str) -> usize {
        let want = format!("CONNECT {target} ");
        self.seen().iter().filter(|l| l.starts_with(&want)).count()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.host);
    }
}

fn tunnel(conn: TcpStream, name: &str, seen: &Mutex<Vec<String>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut r = BufReader::new(read_half);
    let mut first = String::new();
    if r.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let first = first.trim_end().to_string();
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(first.clone());
    let mut w = conn;
    let mut parts = first.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let port = target
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|p| p.parse::<u16>().ok());
    let (true, Some(port)) = (method == "CONNECT", port) else {
        let _ = w.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        let _ = w.shutdown(Shutdown::Both);
        return;
    };
    let Ok(mut up) = TcpStream::connect(("127.0.0.1", port)) else {
        let _ = w.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    if w.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let _ = w.set_read_timeout(None);
    // Whatever the client sent after the head (it may not wait for the 200) goes first.
    let early = r.buffer().to_vec();
    if !early.is_empty() && up.write_all(&early).is_err() {
        return;
    }
    let (Ok(mut up_r), Ok(mut w2)) = (up.try_clone(), w.try_clone()) else {
        return;
    };
    let back = std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_r, &mut w2);
        let _ = w2.shutdown(Shutdown::Write);
    });
    let mut client_r = r.into_inner();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match client_r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if up.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = up.shutdown(Shutdown::Write);
    let _ = back.join();
}
