//! TLS against a loopback server with a self-signed certificate (as LAN devices have):
//! rejected by default, accepted as an opt-in extra root or by its SHA-256 pin, rejected by a
//! wrong pin. Certificate failures are permanent errors, not retried.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use watchpost_core::operation::Operation;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::transport::tls::fingerprint_sha256;
use watchpost_core::transport::{TlsConfig, TransportConfig};
use watchpost_core::{ErrorClass, ErrorKind, Request};

static OP: Operation =
    Operation::adhoc("test", "tls.get", http::Method::GET, "/ISAPI/System/deviceInfo").idempotent(true);

/// Serves `{"ok":true}` over TLS with a fresh self-signed certificate for `localhost`;
/// returns the port and the certificate.
async fn tls_server() -> (u16, CertificateDer<'static>) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_der = cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(signing_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let service = service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(
                        http::Response::builder()
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from_static(br#"{"ok":true}"#)))
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (port, cert_der)
}

fn pipeline(port: u16, tls: TlsConfig) -> Pipeline {
    Pipeline::builder("test", format!("https://localhost:{port}"))
        .transport(TransportConfig { tls, ..TransportConfig::default() })
        .build()
        .unwrap()
}

#[tokio::test]
async fn self_signed_certificate_is_rejected_by_default_and_not_retried() {
    let (port, _) = tls_server().await;
    let err = pipeline(port, TlsConfig::default()).execute(Request::new(&OP)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert_eq!(err.class(), ErrorClass::Permanent, "a distrusted certificate is not retried: {err:?}");
    // Said as what it is, with the remedy, and not as a configuration mistake to "try again".
    assert!(err.is_certificate(), "{err:?}");
    let text = err.report().to_string();
    assert!(text.contains("server certificate not trusted: issued by an unknown authority"), "{text}");
    assert!(!text.contains("invalid TLS configuration"), "{text}");
    assert!(err.hint().is_some_and(|h| h.contains("--ca-cert") && h.contains("--pin-sha256")), "{:?}", err.hint());
}

#[tokio::test]
async fn a_certificate_for_another_name_is_not_trusted() {
    let (port, cert) = tls_server().await;
    // Trusted as a root, but issued for `localhost`, not `127.0.0.1`.
    let p = Pipeline::builder("test", format!("https://127.0.0.1:{port}"))
        .transport(TransportConfig {
            tls: TlsConfig::default().add_root_der(cert.to_vec()),
            ..TransportConfig::default()
        })
        .build()
        .unwrap();
    let err = p.execute(Request::new(&OP)).await.unwrap_err();
    assert!(err.is_certificate(), "{err:?}");
    assert!(err.report().to_string().contains("not issued for this host name"), "{}", err.report());
    assert_eq!(err.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn self_signed_certificate_is_accepted_as_an_extra_root() {
    let (port, cert) = tls_server().await;
    let resp =
        pipeline(port, TlsConfig::default().add_root_der(cert.to_vec())).execute(Request::new(&OP)).await.unwrap();
    assert_eq!(resp.json::<serde_json::Value>().unwrap()["ok"], true);
}

#[tokio::test]
async fn pinned_certificate_is_accepted_and_a_wrong_pin_rejected() {
    let (port, cert) = tls_server().await;
    let pin = fingerprint_sha256(&cert);
    let tls = TlsConfig::default().pin_sha256(&pin).unwrap();
    let resp = pipeline(port, tls).execute(Request::new(&OP)).await.unwrap();
    assert_eq!(resp.status, 200);

    let wrong = TlsConfig::default().pin_sha256(&"ab".repeat(32)).unwrap();
    let err = pipeline(port, wrong).execute(Request::new(&OP)).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Permanent, "{err:?}");
    assert!(err.is_certificate(), "{err:?}");
    assert!(
        err.report().to_string().contains("server certificate not trusted: does not match the pinned"),
        "{}",
        err.report()
    );
    assert!(err.hint().is_some());
}

#[tokio::test]
async fn a_bad_tls_configuration_is_not_a_certificate_error() {
    // A root that is not a certificate fails when the client is built, as a configuration error.
    let err = Pipeline::builder("test", "https://localhost:1")
        .transport(TransportConfig {
            tls: TlsConfig::default().add_root_der(vec![1, 2, 3]),
            ..TransportConfig::default()
        })
        .build()
        .unwrap_err();
    assert!(!err.is_certificate(), "{err:?}");
    assert!(err.report().to_string().contains("invalid TLS configuration"), "{}", err.report());
    assert_eq!(err.hint(), None);
}
