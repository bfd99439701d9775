//! `TlsConfig::native_roots`: a server whose CA is only in the OS trust store (here
//! `SSL_CERT_FILE`, set for a child process) is trusted with the option and not without it.

mod net_support;

use net_support::{certificate_with_pem, tls_front};
use serde_json::json;
use watchpost_core::operation::Operation;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::sim::{Router, SimResponse, SimServer};
use watchpost_core::transport::{ProxyConfig, TlsConfig, TransportConfig};
use watchpost_core::Request;

static OP: Operation = Operation::adhoc("test", "hello.get", http::Method::GET, "/hello").idempotent(true);

#[tokio::test]
async fn the_os_trust_store_is_used_when_asked() {
    let router = Router::new().get("/hello", "hello", |_| async { SimResponse::json(200, &json!({"ok": true})) });
    let sim = SimServer::start(router).await.unwrap();
    let (cert, key, pem) = certificate_with_pem(&["127.0.0.1"]);
    let port = tls_front(sim.addr(), cert, key).await;
    let file = std::env::temp_dir().join(format!("watchpost-native-roots-{}-{port}.pem", std::process::id()));
    std::fs::write(&file, pem).unwrap();
    let output = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_trusts_the_os_store", "--ignored"])
        .env("SSL_CERT_FILE", &file)
        .env_remove("SSL_CERT_DIR")
        .env("WATCHPOST_TEST_ORIGIN", format!("https://127.0.0.1:{port}"))
        .output()
        .await
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(sim.requests_total(), 1, "one call passed, the one with native roots");
}

#[tokio::test]
#[ignore = "run by the_os_trust_store_is_used_when_asked in a child process"]
async fn child_trusts_the_os_store() {
    let origin = std::env::var("WATCHPOST_TEST_ORIGIN").expect("run by the_os_trust_store_is_used_when_asked");
    let pipeline = |native| {
        let tls = TlsConfig::default().native_roots(native);
        Pipeline::builder("test", origin.as_str())
            .transport(TransportConfig { tls, proxy: ProxyConfig::none(), ..TransportConfig::default() })
            .build()
            .unwrap()
    };
    let err = pipeline(false).execute(Request::new(&OP)).await.unwrap_err();
    assert!(err.is_certificate(), "{err:?}");
    let resp = pipeline(true).execute(Request::new(&OP)).await.unwrap();
    assert_eq!(resp.json::<serde_json::Value>().unwrap(), json!({"ok": true}));
}
