//! SAMP over HTTPS (feature `tls`): rustls with the `ring` provider, certificates and keys
//! read from PEM files, and sampy's six options in one place ([`TlsOptions`]).
//!
//! Neither JSAMP nor astropy speaks HTTPS, so this goes past the standard's reference
//! implementations; it is checked against independent TLS stacks (Python's `ssl`,
//! OpenSSL) in the interop suite. Everything that can be wrong with a certificate is
//! found when it is loaded, and the error names the file and the problem: missing, not
//! PEM, key not matching, expired or not yet valid, or not naming this machine.
//!
//! Trust: a client trusts the system's roots — or, as OpenSSL does, the file named by
//! `SSL_CERT_FILE` (and the directory `SSL_CERT_DIR`) when set — plus any CA file given.
//!
//! ```no_run
//! use samp_http::tls::{CertReqs, TlsOptions, TlsVersion};
//! let options = TlsOptions {
//!     https: true,
//!     cert_file: Some("cert.pem".into()),
//!     key_file: Some("key.pem".into()),
//!     cert_reqs: CertReqs::None,
//!     ca_certs: Some("ca.pem".into()),
//!     ssl_version: TlsVersion::V1_2,
//! };
//! let server = options.server()?;   // for a callback server: Some(ServerTls)
//! let client = options.client()?;   // to call the hub: ClientTls
//! # Ok::<(), samp_http::tls::TlsError>(())
//! ```

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::sign::CertifiedKey;
use tracing::{debug, warn};

/// The lowest TLS version accepted (sampy's `ssl_version`); rustls speaks 1.2 and 1.3.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TlsVersion {
    /// TLS 1.2 and 1.3.
    #[default]
    V1_2,
    /// TLS 1.3 only.
    V1_3,
}

impl FromStr for TlsVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<TlsVersion, String> {
        match s
            .trim()
            .trim_start_matches("TLSv")
            .replace('_', ".")
            .as_str()
        {
            "1.2" => Ok(TlsVersion::V1_2),
            "1.3" => Ok(TlsVersion::V1_3),
            other => Err(format!(
                "unsupported TLS version {other:?}: 1.2 or 1.3 (older versions are insecure)"
            )),
        }
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsVersion::V1_2 => "1.2",
            TlsVersion::V1_3 => "1.3",
        })
    }
}

impl TlsVersion {
    fn versions(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        static BOTH: [&rustls::SupportedProtocolVersion; 2] =
            [&rustls::version::TLS13, &rustls::version::TLS12];
        static ONLY_13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        match self {
            TlsVersion::V1_2 => &BOTH,
            TlsVersion::V1_3 => &ONLY_13,
        }
    }
}

/// Whether a server asks its peers for certificates (sampy's `cert_reqs`, after Python's
/// `ssl.CERT_NONE`, `CERT_OPTIONAL`, `CERT_REQUIRED`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CertReqs {
    /// No client certificates.
    #[default]
    None,
    /// Verified if presented.
    Optional,
    /// Required and verified.
    Required,
}

/// What is wrong with the TLS set-up; each text names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file has no PEM section of the kind needed.
    #[error("{} holds no PEM {what} (a \"-----BEGIN {label}-----\" section)", .path.display())]
    NotPem {
        /// The file.
        path: PathBuf,
        /// What was looked for.
        what: &'static str,
        /// The PEM label expected.
        label: &'static str,
    },
    /// The certificate cannot be parsed.
    #[error("{} is not a valid X.509 certificate: {why}", .path.display())]
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// The parser's complaint.
        why: String,
    },
    /// The private key is not the certificate's.
    #[error("the key in {} does not match the certificate in {}", .key.display(), .cert.display())]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// The certificate has expired (or is not valid yet).
    #[error("the certificate in {} is valid from {not_before} to {not_after}, not now", .path.display())]
    OutOfDate {
        /// The file.
        path: PathBuf,
        /// Start of validity.
        not_before: String,
        /// End of validity.
        not_after: String,
    },
    /// The certificate does not name the host its server is reached at.
    #[error("the certificate in {} is for {names}, not {wanted}: clients could not verify the server", .path.display())]
    WrongHost {
        /// The file.
        path: PathBuf,
        /// The names it has.
        names: String,
        /// What it would need.
        wanted: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(String),
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// A certificate chain and its private key, checked.
pub struct Identity {
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    /// DNS names and IP addresses the certificate is for.
    names: Vec<String>,
    cert_path: PathBuf,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("cert", &self.cert_path)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl Clone for Identity {
    fn clone(&self) -> Identity {
        Identity {
            certs: self.certs.clone(),
            key: self.key.clone_key(),
            names: self.names.clone(),
            cert_path: self.cert_path.clone(),
        }
    }
}

impl Identity {
    /// Reads a certificate chain (leaf first) and its private key from PEM files, and
    /// checks that they match and that the certificate is valid now.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Identity, TlsError> {
        let certs = read_certs(cert)?;
        let key_der = read_key(key)?;
        let leaf = certs[0].clone();
        let names = check_leaf(cert, &leaf)?;
        let signer = provider()
            .key_provider
            .load_private_key(key_der.clone_key())
            .map_err(|e| TlsError::Config(format!("the key in {}: {e}", key.display())))?;
        let pair = CertifiedKey::new(certs.clone(), signer);
        if let Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) =
            pair.keys_match()
        {
            return Err(TlsError::KeyMismatch {
                cert: cert.to_owned(),
                key: key.to_owned(),
            });
        }
        Ok(Identity {
            certs,
            key: key_der,
            names,
            cert_path: cert.to_owned(),
        })
    }

    /// The host to put in a URL for a server bound to `ip` with this certificate: `ip`
    /// itself if the certificate names it (a loopback or wildcard bind counts as
    /// 127.0.0.1), else `localhost` if named and the server is local.
    pub fn url_host(&self, ip: IpAddr) -> Result<String, TlsError> {
        let local = ip.is_loopback() || ip.is_unspecified();
        let ip = if ip.is_unspecified() || ip.is_loopback() && ip.is_ipv4() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            ip
        };
        let wanted = ip.to_string();
        if self.names.contains(&wanted) {
            return Ok(match ip {
                IpAddr::V6(v6) => format!("[{v6}]"),
                IpAddr::V4(v4) => v4.to_string(),
            });
        }
        if local
            && self
                .names
                .iter()
                .any(|n| n.eq_ignore_ascii_case("localhost"))
        {
            return Ok("localhost".to_owned());
        }
        Err(TlsError::WrongHost {
            path: self.cert_path.clone(),
            names: if self.names.is_empty() {
                "no name (it has no subjectAltName)".to_owned()
            } else {
                self.names.join(", ")
            },
            wanted: format!("{wanted} or localhost"),
        })
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(TlsError::NotPem {
            path: path.to_owned(),
            what: "certificate",
            label: "CERTIFICATE",
        });
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read(path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|_| TlsError::NotPem {
        path: path.to_owned(),
        what: "private key",
        label: "PRIVATE KEY",
    })
}

/// Checks the leaf's validity period; returns the names it is for.
fn check_leaf(path: &Path, der: &CertificateDer<'_>) -> Result<Vec<String>, TlsError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|e| TlsError::BadCertificate {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
    let validity = cert.validity();
    if !validity.is_valid() {
        return Err(TlsError::OutOfDate {
            path: path.to_owned(),
            not_before: validity.not_before.to_string(),
            not_after: validity.not_after.to_string(),
        });
    }
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(dns) => names.push((*dns).to_owned()),
                x509_parser::extensions::GeneralName::IPAddress(bytes) => match bytes.len() {
                    4 => names.push(
                        IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap_or_default()).to_string(),
                    ),
                    16 => names.push(
                        IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap_or_default()).to_string(),
                    ),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    Ok(names)
}

/// The roots a client trusts by default: the system's, or `SSL_CERT_FILE`/`SSL_CERT_DIR`.
fn default_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        for e in &found.errors {
            warn!(error = %e, "could not read some trusted roots");
        }
        let mut roots = RootCertStore::empty();
        let (added, ignored) = roots.add_parsable_certificates(found.certs);
        debug!(added, ignored, "trusted roots loaded");
        roots
    })
}

fn roots_with(files: &[&Path], system: bool) -> Result<RootCertStore, TlsError> {
    let mut roots = if system {
        default_roots().clone()
    } else {
        RootCertStore::empty()
    };
    for file in files {
        for cert in read_certs(file)? {
            roots.add(cert).map_err(|e| TlsError::BadCertificate {
                path: file.to_path_buf(),
                why: e.to_string(),
            })?;
        }
    }
    Ok(roots)
}

fn config_error(e: rustls::Error) -> TlsError {
    TlsError::Config(e.to_string())
}

/// A server's TLS: its identity, and whether it asks for client certificates.
#[derive(Clone)]
pub struct ServerTls {
    pub(crate) config: Arc<rustls::ServerConfig>,
    identity: Arc<Identity>,
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl ServerTls {
    /// A server presenting `identity`; with `client_certs` other than `None`, client
    /// certificates are checked against the CAs in `client_ca` (required then).
    pub fn new(
        identity: Identity,
        client_certs: CertReqs,
        client_ca: Option<&Path>,
        min: TlsVersion,
    ) -> Result<ServerTls, TlsError> {
        let builder = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(min.versions())
            .map_err(config_error)?;
        let builder = match client_certs {
            CertReqs::None => builder.with_no_client_auth(),
            reqs => {
                let Some(ca) = client_ca else {
                    return Err(TlsError::Config(
                        "checking client certificates needs the CA file that signs them (ca_certs / --tls-client-ca)".to_owned(),
                    ));
                };
                let roots = Arc::new(roots_with(&[ca], false)?);
                let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider());
                let verifier = if reqs == CertReqs::Optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(
                    verifier
                        .build()
                        .map_err(|e| TlsError::Config(e.to_string()))?,
                )
            }
        };
        let mut config = builder
            .with_single_cert(identity.certs.clone(), identity.key.clone_key())
            .map_err(config_error)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerTls {
            config: Arc::new(config),
            identity: Arc::new(identity),
        })
    }

    /// The certificate and key it presents.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }
}

/// A client's TLS: whom it trusts, and the certificate it presents when asked.
#[derive(Clone)]
pub struct ClientTls {
    pub(crate) config: Arc<rustls::ClientConfig>,
}

impl fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientTls { .. }")
    }
}

impl Default for ClientTls {
    /// The default roots, no client certificate, TLS 1.2 and 1.3.
    fn default() -> ClientTls {
        ClientTls {
            config: Arc::new(default_client_config()),
        }
    }
}

/// What [`ClientTls::default`] holds, built once.
pub(crate) fn default_client_config() -> rustls::ClientConfig {
    static CONFIG: OnceLock<rustls::ClientConfig> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            rustls::ClientConfig::builder_with_provider(provider())
                .with_protocol_versions(TlsVersion::V1_2.versions())
                .expect("ring supports TLS 1.2 and 1.3")
                .with_root_certificates(default_roots().clone())
                .with_no_client_auth()
        })
        .clone()
}

impl ClientTls {
    /// Trusting the default roots plus the CAs in `extra_ca`, presenting `identity` to
    /// servers that ask for a certificate.
    pub fn new(
        extra_ca: &[&Path],
        identity: Option<&Identity>,
        min: TlsVersion,
    ) -> Result<ClientTls, TlsError> {
        let roots = roots_with(extra_ca, true)?;
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(min.versions())
            .map_err(config_error)?
            .with_root_certificates(roots);
        let config = match identity {
            Some(id) => builder
                .with_client_auth_cert(id.certs.clone(), id.key.clone_key())
                .map_err(config_error)?,
            None => builder.with_no_client_auth(),
        };
        Ok(ClientTls {
            config: Arc::new(config),
        })
    }
}

/// sampy's TLS options (`SAMPClient(https=…, key_file=…, cert_file=…, cert_reqs=…,
/// ca_certs=…, ssl_version=…)`), with the same meanings.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Serve callbacks over HTTPS (needs `cert_file` and `key_file`).
    pub https: bool,
    /// The private key (PEM) of `cert_file`.
    pub key_file: Option<PathBuf>,
    /// Our certificate (PEM): the callback server's, and the one shown to a hub that asks.
    pub cert_file: Option<PathBuf>,
    /// Whether the callback server asks the hub for a certificate.
    pub cert_reqs: CertReqs,
    /// CAs (PEM) trusted for the hub's certificate, and for the hub's client certificate
    /// when `cert_reqs` asks for one.
    pub ca_certs: Option<PathBuf>,
    /// The lowest TLS version accepted.
    pub ssl_version: TlsVersion,
}

impl TlsOptions {
    fn identity(&self) -> Result<Option<Identity>, TlsError> {
        match (&self.cert_file, &self.key_file) {
            (Some(cert), Some(key)) => Identity::from_pem_files(cert, key).map(Some),
            (None, None) => Ok(None),
            _ => Err(TlsError::Config(
                "cert_file and key_file go together".to_owned(),
            )),
        }
    }

    /// The TLS of connections to the hub.
    pub fn client(&self) -> Result<ClientTls, TlsError> {
        let extra: Vec<&Path> = self.ca_certs.iter().map(PathBuf::as_path).collect();
        ClientTls::new(&extra, self.identity()?.as_ref(), self.ssl_version)
    }

    /// The TLS of the callback server, when `https` is set.
    pub fn server(&self) -> Result<Option<ServerTls>, TlsError> {
        if !self.https {
            return Ok(None);
        }
        let Some(identity) = self.identity()? else {
            return Err(TlsError::Config(
                "https needs cert_file and key_file for the callback server".to_owned(),
            ));
        };
        ServerTls::new(
            identity,
            self.cert_reqs,
            self.ca_certs.as_deref(),
            self.ssl_version,
        )
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_as_people_write_them() {
        for (text, v) in [
            ("1.2", TlsVersion::V1_2),
            ("TLSv1_3", TlsVersion::V1_3),
            ("1.3", TlsVersion::V1_3),
        ] {
            assert_eq!(text.parse::<TlsVersion>(), Ok(v));
        }
        assert!(
            "1.1"
                .parse::<TlsVersion>()
                .unwrap_err()
                .contains("insecure")
        );
    }
}
