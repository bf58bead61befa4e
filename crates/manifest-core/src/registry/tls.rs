//! TLS setup like docker's: system roots plus `certs.d/HOST[:PORT]/*.crt` CAs, client
//! certificates from `*.cert` + `*.key`, and an accept-anything verifier for registries the
//! user allowed to be insecure.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The ring provider, installed process-wide once (errors ignored: someone else did it).
pub fn provider() -> Arc<CryptoProvider> {
    static P: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    P.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Arc::new(rustls::crypto::ring::default_provider())
    })
    .clone()
}

/// System roots, loaded once per process.
fn native_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// Default certs.d roots: `/etc/docker/certs.d` and `~/.config/docker/certs.d`.
pub(crate) fn default_certs_dirs() -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from("/etc/docker/certs.d")];
    if let Some(h) = std::env::var_os("HOME") {
        v.push(PathBuf::from(h).join(".config/docker/certs.d"));
    }
    v
}

/// What certs.d holds for one registry.
#[derive(Default)]
pub struct CertsD {
    pub cas: Vec<CertificateDer<'static>>,
    pub client: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    /// The `*.cert` file of `client` (for messages).
    pub client_file: Option<PathBuf>,
    /// Files found (for messages).
    pub files: Vec<PathBuf>,
}

impl std::fmt::Debug for CertsD {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertsD")
            .field("cas", &self.cas.len())
            .field("client", &self.client_file)
            .field("files", &self.files)
            .finish()
    }
}

/// Read `<root>/<domain>/` in every root: `*.crt` are CAs, `*.cert` + same-stem `*.key` a
/// client identity. (The client reads them through `Client::certs`, which adds the host's own
/// cert dir.)
#[cfg(test)]
pub(crate) fn load_certs_d(roots: &[PathBuf], domain: &str) -> Result<CertsD, String> {
    load_cert_dirs(roots.iter().map(|r| r.join(domain)))
}

/// Read each directory as a certs.d host directory is read (skopeo's `cert-dir` is one).
pub(crate) fn load_cert_dirs(dirs: impl IntoIterator<Item = PathBuf>) -> Result<CertsD, String> {
    let mut out = CertsD::default();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            match ext {
                "crt" => {
                    let certs = read_certs(&p)?;
                    out.cas.extend(certs);
                    out.files.push(p);
                }
                "cert" => {
                    let key = p.with_extension("key");
                    if !key.exists() {
                        return Err(format!(
                            "client certificate {} has no matching key {}; add the key or remove the certificate",
                            p.display(),
                            key.display()
                        ));
                    }
                    let certs = read_certs(&p)?;
                    let k = PrivateKeyDer::from_pem_file(&key).map_err(|e| {
                        format!("cannot read the private key {}: {e}", key.display())
                    })?;
                    if out.client.is_none() {
                        out.client = Some((certs, k));
                        out.client_file = Some(p.clone());
                    }
                    out.files.push(p);
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

fn read_certs(p: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let iter = CertificateDer::pem_file_iter(p)
        .map_err(|e| format!("cannot read the certificate file {}: {e}", p.display()))?;
    let certs: Result<Vec<_>, _> = iter.collect();
    let certs = certs.map_err(|e| format!("malformed certificate in {}: {e}", p.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no PEM certificate", p.display()));
    }
    Ok(certs)
}

/// A rustls client config: verified (system roots + certs.d CAs) or, when `insecure`,
/// accepting any server certificate. ALPN offers h2 and http/1.1. `asked` is set when a
/// server asks for a client certificate ([`ClientCert`]).
pub(crate) fn client_config(
    certs: &CertsD,
    insecure: bool,
    asked: Arc<AtomicBool>,
) -> Result<ClientConfig, String> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let builder = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider.clone())))
    } else {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(native_roots().iter().cloned());
        for ca in &certs.cas {
            roots
                .add(ca.clone())
                .map_err(|e| format!("a certs.d CA certificate is not usable: {e}"))?;
        }
        builder.with_root_certificates(roots)
    };
    let key = match &certs.client {
        Some((chain, key)) => Some(Arc::new(
            CertifiedKey::from_der(chain.clone(), key.clone_key(), &provider)
                .map_err(|e| format!("the certs.d client certificate is not usable: {e}"))?,
        )),
        None => None,
    };
    let mut cfg = builder.with_client_cert_resolver(Arc::new(ClientCert { key, asked }));
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}

/// The certs.d client certificate (if any), given to every server that asks for one, and
/// the note that one asked. A server that refuses the client often closes the connection
/// before its alert can be read; having asked is what tells that failure from any other
/// broken connection.
#[derive(Debug)]
struct ClientCert {
    key: Option<Arc<CertifiedKey>>,
    asked: Arc<AtomicBool>,
}

impl ResolvesClientCert for ClientCert {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

/// Accepts any certificate (the user allowed this registry to be insecure), but still checks
/// the handshake signatures so the connection is at least consistent.
#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Is `domain` (`host[:port]`, `[v6]:port`) a loopback registry?
pub fn is_loopback(domain: &str) -> bool {
    let host = host_of(domain);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// The host part of `host[:port]` / `[v6]:port` (brackets removed).
pub(crate) fn host_of(domain: &str) -> &str {
    if let Some(rest) = domain.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    if domain.matches(':').count() > 1 {
        return domain; // bare IPv6
    }
    domain.split(':').next().unwrap_or(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for d in [
            "127.0.0.1:5000",
            "127.3.4.5",
            "localhost",
            "localhost:5000",
            "[::1]:5000",
            "::1",
        ] {
            assert!(is_loopback(d), "{d}");
        }
        for d in ["docker.io", "10.0.0.1:5000", "myhost:5000", "[::2]:80"] {
            assert!(!is_loopback(d), "{d}");
        }
    }

    #[test]
    fn certs_d_reads_cas_and_client_pairs() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("127.0.0.1:5443");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        std::fs::write(dir.join("ca.crt"), cert.pem()).expect("write");
        std::fs::write(dir.join("client.cert"), cert.pem()).expect("write");
        std::fs::write(dir.join("client.key"), key.serialize_pem()).expect("write");
        let c = load_certs_d(&[root.path().to_path_buf()], "127.0.0.1:5443").expect("load");
        assert_eq!(c.cas.len(), 1);
        assert!(c.client.is_some());
        assert!(client_config(&c, false, Arc::default()).is_ok());
        assert!(client_config(&c, true, Arc::default()).is_ok());
        // A sync file's cert-dir is such a directory itself.
        let own = load_cert_dirs([dir.clone()]).expect("load");
        assert_eq!((own.cas.len(), own.client.is_some()), (1, true));
        let none = load_certs_d(&[root.path().to_path_buf()], "other:1").expect("load");
        assert!(none.cas.is_empty() && none.client.is_none());
        std::fs::remove_file(dir.join("client.key")).expect("rm");
        assert!(load_certs_d(&[root.path().to_path_buf()], "127.0.0.1:5443").is_err());
    }
}
