//! Network fixtures of the transport tests: a real forward proxy (Debian's tinyproxy, run as a
//! child process), a relay that counts the connections reaching it, and a TLS front for the
//! plain-http simulator.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// A tinyproxy process listening on loopback, stopped when dropped.
pub struct Tinyproxy {
    child: tokio::process::Child,
    pub addr: SocketAddr,
    dir: PathBuf,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts tinyproxy requiring Basic credentials `user:password` (none when `None`). Fails the
/// test (never skips it) when tinyproxy is not installed: `.ci/run` installs it.
pub async fn tinyproxy(credentials: Option<(&str, &str)>) -> Tinyproxy {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = std::env::temp_dir().join(format!("watchpost-tinyproxy-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut conf = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nLogLevel Info\nAllow 127.0.0.1\nDisableViaHeader Yes\n"
    );
    if let Some((user, password)) = credentials {
        conf.push_str(&format!("BasicAuth {user} {password}\n"));
    }
    let conf_path = dir.join("tinyproxy.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let binary = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("tinyproxy");
    let child = tokio::process::Command::new(binary)
        .arg("-d")
        .arg("-c")
        .arg(&conf_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run tinyproxy ({e}): install it with `apt-get install tinyproxy` (.ci/run does)")
        });
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    // Readiness: tinyproxy listens within milliseconds; give a loaded machine time.
    for _ in 0..500 {
        if TcpStream::connect(addr).await.is_ok() {
            return Tinyproxy { child, addr, dir };
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("tinyproxy did not start listening on {addr}");
}

/// A TCP relay in front of `target` counting the connections it accepts.
pub async fn counting_relay(target: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (addr, count)
}

/// A self-signed certificate for `names` (IP addresses become IP SANs) and its key.
pub fn certificate(names: &[&str]) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    (cert.der().clone(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(signing_key.serialize_der())))
}

/// The same as [`certificate`], with the certificate in PEM too.
pub fn certificate_with_pem(names: &[&str]) -> (CertificateDer<'static>, PrivateKeyDer<'static>, String) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    let pem = cert.pem();
    (cert.der().clone(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(signing_key.serialize_der())), pem)
}

/// Terminates TLS with `cert` on a loopback port and relays the plain bytes to `target` (a
/// simulator). Returns the TLS port.
pub async fn tls_front(target: SocketAddr, cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> u16 {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                if let Ok(mut plain) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    port
}
