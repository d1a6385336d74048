//! HTTPS for the hub (feature `tls`): the Standard Profile served over TLS, callbacks made
//! to `https://` URLs, and a local CA made once for people who have no certificate.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, date_time_ymd,
};
use samp_http::tls::{ClientTls, Identity, ServerTls, TlsError};
use samp_protocol::lockfile;

/// The hub's TLS: how it serves (identity, client certificates, lowest version), and how
/// it calls clients' `https://` callback URLs (trust, and the certificate it presents
/// when a callback server asks for one).
#[derive(Clone, Debug)]
pub struct HubTls {
    pub(crate) server: ServerTls,
    pub(crate) client: ClientTls,
}

impl HubTls {
    /// Serving with `server`, calling back with `client`.
    pub fn new(server: ServerTls, client: ClientTls) -> HubTls {
        HubTls { server, client }
    }
}

/// The files of a local CA made by [`self_signed`].
#[derive(Clone, Debug)]
pub struct SelfSigned {
    /// The CA certificate clients must trust (e.g. `SSL_CERT_FILE=…/ca.pem`).
    pub ca: PathBuf,
    /// The hub's certificate, for `localhost`, `127.0.0.1` and `::1`.
    pub cert: PathBuf,
    /// Its private key.
    pub key: PathBuf,
    /// A client certificate signed by the same CA, for mutual TLS.
    pub client_cert: PathBuf,
    /// Its private key.
    pub client_key: PathBuf,
    /// Whether they were made just now (else they were there and still valid).
    pub created: bool,
}

/// Why the local CA could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SelfSignedError {
    /// A file could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Generating a key or certificate failed.
    #[error("cannot generate the local CA: {0}")]
    Generate(String),
    /// Files already there are not usable.
    #[error("{0} (delete the directory's *.pem files to make new ones)")]
    Existing(TlsError),
}

/// Makes (once) a local CA in `dir` and, signed by it, a certificate for this machine
/// (`localhost`, `127.0.0.1`, `::1`; for servers and clients) and a client certificate.
/// Keys are written readable by their owner only. Files already there are reused while
/// they are valid.
pub fn self_signed(dir: &Path) -> Result<SelfSigned, SelfSignedError> {
    let files = SelfSigned {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        client_cert: dir.join("client.pem"),
        client_key: dir.join("client-key.pem"),
        created: false,
    };
    if files.cert.exists() && files.key.exists() && files.ca.exists() {
        Identity::from_pem_files(&files.cert, &files.key).map_err(SelfSignedError::Existing)?;
        return Ok(files);
    }
    std::fs::create_dir_all(dir).map_err(|source| SelfSignedError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let generate = |e: rcgen::Error| SelfSignedError::Generate(e.to_string());
    let year = 1970
        + (SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            / 31_556_952) as i32;
    let dated = |mut params: CertificateParams| {
        params.not_before = date_time_ymd(year - 1, 1, 1);
        params.not_after = date_time_ymd(year + 5, 1, 1);
        params
    };

    let mut ca = dated(CertificateParams::default());
    ca.distinguished_name = rcgen::DistinguishedName::new();
    ca.distinguished_name
        .push(DnType::CommonName, "samp-hub local CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().map_err(generate)?;
    let ca = CertifiedIssuer::self_signed(ca, ca_key).map_err(generate)?;

    let leaf = |names: Vec<String>, common: &str, usages: Vec<ExtendedKeyUsagePurpose>| {
        let mut params = dated(CertificateParams::new(names).map_err(generate)?);
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, common);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = usages;
        let key = KeyPair::generate().map_err(generate)?;
        let cert = params.signed_by(&key, &ca).map_err(generate)?;
        Ok::<_, SelfSignedError>((cert.pem(), key.serialize_pem()))
    };
    let both = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let local = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    let (cert, key) = leaf(local.clone(), "samp-hub", both.clone())?;
    let (client_cert, client_key) = leaf(local, "samp client", both)?;

    for (path, text) in [
        (&files.ca, ca.pem()),
        (&files.cert, cert),
        (&files.key, key),
        (&files.client_cert, client_cert),
        (&files.client_key, client_key),
    ] {
        let _ = std::fs::remove_file(path);
        lockfile::write_new(path, &text).map_err(|source| SelfSignedError::Write {
            path: path.clone(),
            source,
        })?;
    }
    // The CA's key is not kept: nothing more is ever signed with it.
    Ok(SelfSigned {
        created: true,
        ..files
    })
}

#[cfg(test)]
mod tests {
    use samp_http::tls::{CertReqs, TlsVersion};

    use super::*;

    #[test]
    fn a_local_ca_is_made_once_and_its_certificate_names_this_machine() {
        let dir = std::env::temp_dir().join(format!("samp-selfsigned-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let made = self_signed(&dir).unwrap();
        assert!(made.created);
        let again = self_signed(&dir).unwrap();
        assert!(!again.created, "reused");
        let id = Identity::from_pem_files(&made.cert, &made.key).unwrap();
        assert_eq!(
            id.url_host("127.0.0.1".parse().unwrap()).unwrap(),
            "127.0.0.1"
        );
        assert_eq!(id.url_host("::1".parse().unwrap()).unwrap(), "[::1]");
        ServerTls::new(id, CertReqs::Required, Some(&made.ca), TlsVersion::V1_3).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&made.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A key from elsewhere does not match.
        let err = Identity::from_pem_files(&made.cert, &made.client_key).unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
