//! TLS roots: Mozilla's roots bundled in the binary (a `FROM scratch` image
//! has no system store), plus the CA bundle named by `SSL_CERT_FILE`
//! (corporate TLS inspection). One crypto provider: ring.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Could not read the CA bundle in SSL_CERT_FILE ({})", path.display())]
    CertFile {
        path: PathBuf,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("SSL_CERT_FILE ({}) holds no usable certificate", path.display())]
    NoCerts { path: PathBuf },
    #[error("Could not set up TLS: {0}")]
    Setup(String),
}

impl Error {
    /// The documented exit code: every TLS set-up error is a usage error (10).
    pub fn exit(&self) -> crate::exit::Exit {
        match self {
            Error::CertFile { .. } => crate::exit::Exit::Usage,
            Error::NoCerts { .. } => crate::exit::Exit::Usage,
            Error::Setup(_) => crate::exit::Exit::Usage,
        }
    }
}

/// The client's TLS set-up; `ca_file` is `SSL_CERT_FILE`, trusted besides the bundled roots.
pub fn client_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .map_err(|source| Error::CertFile { path: path.to_path_buf(), source })?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(Error::NoCerts { path: path.to_path_buf() });
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Setup(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
