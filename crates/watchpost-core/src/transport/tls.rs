//! TLS configuration: webpki roots, opt-in extra roots, and SHA-256 certificate pinning.
//!
//! Roots: the Mozilla set bundled by `webpki-roots`, plus the OS trust store when
//! [`TlsConfig::native_roots`] is on (read with `rustls-native-certs` when the client is built:
//! `/etc/ssl/certs` on Debian, or `SSL_CERT_FILE`/`SSL_CERT_DIR`), plus extra roots.
//!
//! Certificate verification is never off. LAN devices with self-signed certificates are
//! reached either by adding their CA (or the certificate itself) as an extra root, or by pinning
//! the SHA-256 fingerprint of the device's certificate: with pins configured, a server is
//! accepted only when its end-entity certificate matches a pin (the chain is then not checked,
//! because a self-signed device certificate has none), and handshake signatures are still verified.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::error::{Error, TransportError};

/// TLS settings of a client. Default: the Mozilla roots from `webpki-roots`, nothing else.
#[derive(Clone, Default)]
pub struct TlsConfig {
    extra_roots: Vec<CertificateDer<'static>>,
    pins: Vec<[u8; 32]>,
    native_roots: bool,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("extra_roots", &self.extra_roots.len())
            .field("pins", &self.pins.iter().map(hex::encode).collect::<Vec<_>>())
            .field("native_roots", &self.native_roots)
            .finish()
    }
}

impl TlsConfig {
    /// Trusts the certificates in `pem` (one or more PEM blocks) in addition to the webpki roots.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `pem` holds no certificate or a malformed one.
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let mut n = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::invalid_input("tls", format!("bad PEM certificate: {e}")))?;
            self.extra_roots.push(cert);
            n += 1;
        }
        if n == 0 {
            return Err(Error::invalid_input("tls", "no certificate found in PEM data"));
        }
        Ok(self)
    }

    /// Trusts one DER-encoded certificate in addition to the webpki roots.
    #[must_use]
    pub fn add_root_der(mut self, der: Vec<u8>) -> Self {
        self.extra_roots.push(CertificateDer::from(der));
        self
    }

    /// Pins the SHA-256 fingerprint (64 hex digits, `:` separators allowed) of a server certificate.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the fingerprint is not 32 bytes of hex.
    pub fn pin_sha256(mut self, fingerprint: &str) -> Result<Self, Error> {
        let clean: String = fingerprint.chars().filter(|c| *c != ':' && !c.is_whitespace()).collect();
        let bytes = hex::decode(&clean).map_err(|_| Error::invalid_input("tls", "pin is not hex"))?;
        let pin: [u8; 32] =
            bytes.try_into().map_err(|_| Error::invalid_input("tls", "pin must be a 32-byte SHA-256 fingerprint"))?;
        self.pins.push(pin);
        Ok(self)
    }

    /// Also trusts the operating system's store (a company CA installed on the host, a TLS-
    /// inspecting proxy's root), read when the client is built, beside the bundled webpki roots.
    /// Default: off, so behaviour does not depend on the host. Building fails when the store
    /// holds no usable certificate. No effect with pins (pins replace chain checks).
    #[must_use]
    pub fn native_roots(mut self, on: bool) -> Self {
        self.native_roots = on;
        self
    }

    /// The roots to verify against: webpki, the OS store if asked, and the extra roots.
    fn root_store(&self) -> Result<rustls::RootCertStore, TransportError> {
        let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        if self.native_roots {
            let found = rustls_native_certs::load_native_certs();
            let (added, ignored) = roots.add_parsable_certificates(found.certs);
            if !found.errors.is_empty() || ignored > 0 {
                tracing::debug!(target: "watchpost::tls", added, ignored, errors = found.errors.len(), "OS trust store read with problems");
            }
            if added == 0 {
                return Err(TransportError::tls(NoNativeRoots { errors: found.errors.len() }));
            }
        }
        for cert in &self.extra_roots {
            roots.add(cert.clone()).map_err(TransportError::tls)?;
        }
        Ok(roots)
    }

    /// Builds the rustls client configuration.
    pub(crate) fn build(&self) -> Result<rustls::ClientConfig, TransportError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(TransportError::tls)?;
        let config = if self.pins.is_empty() {
            builder.with_root_certificates(self.root_store()?).with_no_client_auth()
        } else {
            let verifier =
                PinnedVerifier { pins: self.pins.clone(), algorithms: provider.signature_verification_algorithms };
            builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier)).with_no_client_auth()
        };
        Ok(config)
    }
}

/// The OS trust store was asked for and yielded no certificate.
#[derive(Debug)]
struct NoNativeRoots {
    errors: usize,
}

impl fmt::Display for NoNativeRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no usable certificate in the OS trust store ({} read errors; install ca-certificates or set SSL_CERT_FILE)",
            self.errors
        )
    }
}

impl std::error::Error for NoNativeRoots {}

/// SHA-256 fingerprint of a DER certificate, as lowercase hex (for building pins).
pub fn fingerprint_sha256(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// Accepts exactly the pinned end-entity certificates; verifies handshake signatures.
#[derive(Debug)]
struct PinnedVerifier {
    pins: Vec<[u8; 32]>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let got: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if self.pins.contains(&got) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A few words on why a certificate was not trusted, for [`TransportError::certificate`].
pub(crate) fn certificate_reason(error: &rustls::CertificateError) -> &'static str {
    use rustls::CertificateError as C;
    match error {
        C::UnknownIssuer => "issued by an unknown authority (self-signed or a private CA)",
        C::Expired | C::ExpiredContext { .. } => "expired",
        C::NotValidYet | C::NotValidYetContext { .. } => "not valid yet (check the clock)",
        C::NotValidForName | C::NotValidForNameContext { .. } => "not issued for this host name",
        C::Revoked => "revoked",
        C::BadSignature => "bad signature",
        C::BadEncoding => "malformed certificate",
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => "not valid for a TLS server",
        // Only the pinning verifier reports this (with pins set, it is the only verifier).
        C::ApplicationVerificationFailure => "does not match the pinned SHA-256 fingerprint",
        _ => "failed verification",
    }
}

/// Makes sure the ring provider is the process default (hyper-rustls asks for one).
pub(crate) fn install_default_provider() {
    let _ = CryptoProvider::install_default(rustls::crypto::ring::default_provider());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_with_separators_and_reject_bad_input() {
        let fp = "AA:".repeat(31) + "AA";
        assert!(TlsConfig::default().pin_sha256(&fp).is_ok());
        assert!(TlsConfig::default().pin_sha256("abcd").is_err());
        assert!(TlsConfig::default().pin_sha256("zz").is_err());
    }

    #[test]
    fn native_roots_add_the_os_store_to_the_bundled_roots() {
        // CI installs ca-certificates (.ci/run); Debian keeps the store under /etc/ssl/certs.
        let bundled = TlsConfig::default().root_store().unwrap().len();
        let with_native = TlsConfig::default().native_roots(true).root_store().unwrap().len();
        assert!(with_native > bundled, "{with_native} roots with the OS store, {bundled} without");
        assert!(TlsConfig::default().native_roots(true).build().is_ok());
    }

    #[test]
    fn pem_without_certificates_is_rejected() {
        assert!(TlsConfig::default().add_root_pem(b"not a pem").is_err());
    }

    #[test]
    fn default_and_pinned_configs_build() {
        assert!(TlsConfig::default().build().is_ok());
        let pinned = TlsConfig::default().pin_sha256(&"00".repeat(32)).unwrap();
        assert!(pinned.build().is_ok());
        assert_eq!(fingerprint_sha256(b"").len(), 64);
    }
}
