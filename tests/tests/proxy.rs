//! Forward proxies against a real one (tinyproxy, with Basic credentials) on loopback: plain
//! http in absolute form, https through a CONNECT tunnel, `NO_PROXY` bypassing it, refused
//! proxy credentials not retried, and the proxy credentials never reaching the origin.
//! The proxy settings are injected (never read from the developer's environment), except in
//! `the_environment_is_read_by_default`, which sets it in a child process.

mod net_support;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use net_support::{certificate, counting_relay, tinyproxy, tls_front};
use serde_json::json;
use watchpost_core::operation::Operation;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::sim::{Router, SimResponse, SimServer};
use watchpost_core::transport::{ProxyConfig, TlsConfig, TransportConfig};
use watchpost_core::{ErrorClass, Request};

static OP: Operation = Operation::adhoc("test", "hello.get", http::Method::GET, "/hello").idempotent(true);

const USER: &str = "watch";
const PASSWORD: &str = "pr0xy-s3cret";

/// A simulator answering `GET /hello`, recording the `Proxy-Authorization` header it received.
async fn origin() -> (SimServer, Arc<Mutex<Vec<Option<String>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = Router::new().get("/hello", "hello", move |req| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(req.header("proxy-authorization").map(str::to_owned));
            SimResponse::json(200, &json!({"hello": "world"}))
        }
    });
    (SimServer::start(router).await.unwrap(), seen)
}

fn env(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
}

fn pipeline(base: &str, proxy: ProxyConfig, tls: TlsConfig) -> Pipeline {
    Pipeline::builder("test", base)
        .transport(TransportConfig { proxy, tls, ..TransportConfig::default() })
        .build()
        .unwrap()
}

#[tokio::test]
async fn plain_http_goes_through_the_proxy_with_its_credentials() {
    let proxy = tinyproxy(Some((USER, PASSWORD))).await;
    let (relay, connections) = counting_relay(proxy.addr).await;
    let (sim, seen) = origin().await;
    let config =
        ProxyConfig::from_env_with(env(vec![("http_proxy", format!("http://{USER}:{PASSWORD}@{relay}"))])).unwrap();
    let p = pipeline(&sim.base_url(), config, TlsConfig::default());
    for _ in 0..2 {
        let resp = p.execute(Request::new(&OP)).await.unwrap();
        assert_eq!(resp.json::<serde_json::Value>().unwrap(), json!({"hello": "world"}));
    }
    assert!(connections.load(Ordering::SeqCst) >= 1, "the requests went through the proxy");
    assert_eq!(sim.requests_total(), 2);
    assert_eq!(*seen.lock().unwrap(), vec![None, None], "the origin never sees the proxy credentials");
}

#[tokio::test]
async fn an_explicit_proxy_takes_basic_credentials() {
    let proxy = tinyproxy(Some((USER, PASSWORD))).await;
    let (relay, connections) = counting_relay(proxy.addr).await;
    let (sim, _) = origin().await;
    let config =
        ProxyConfig::url(&format!("http://{relay}")).unwrap().basic_auth(USER, &secrecy::SecretString::from(PASSWORD));
    assert!(!format!("{config:?}").contains(PASSWORD));
    let resp = pipeline(&sim.base_url(), config, TlsConfig::default()).execute(Request::new(&OP)).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn https_is_tunnelled_with_connect() {
    let proxy = tinyproxy(Some((USER, PASSWORD))).await;
    let (relay, connections) = counting_relay(proxy.addr).await;
    let (sim, seen) = origin().await;
    let (cert, key) = certificate(&["127.0.0.1"]);
    let tls_port = tls_front(sim.addr(), cert.clone(), key).await;
    let config =
        ProxyConfig::from_env_with(env(vec![("HTTPS_PROXY", format!("http://{USER}:{PASSWORD}@{relay}"))])).unwrap();
    let p =
        pipeline(&format!("https://127.0.0.1:{tls_port}"), config, TlsConfig::default().add_root_der(cert.to_vec()));
    let resp = p.execute(Request::new(&OP)).await.unwrap();
    assert_eq!(resp.json::<serde_json::Value>().unwrap(), json!({"hello": "world"}));
    assert_eq!(connections.load(Ordering::SeqCst), 1, "one tunnel through the proxy");
    assert_eq!(sim.requests_total(), 1);
    assert_eq!(*seen.lock().unwrap(), vec![None]);
}

#[tokio::test]
async fn no_proxy_bypasses_the_proxy() {
    let proxy = tinyproxy(Some((USER, PASSWORD))).await;
    let (relay, connections) = counting_relay(proxy.addr).await;
    let (sim, seen) = origin().await;
    let (cert, key) = certificate(&["127.0.0.1"]);
    let tls_port = tls_front(sim.addr(), cert.clone(), key).await;
    let url = format!("http://{USER}:{PASSWORD}@{relay}");
    let config = ProxyConfig::from_env_with(env(vec![
        ("HTTP_PROXY", url.clone()),
        ("HTTPS_PROXY", url),
        ("no_proxy", "localhost, 127.0.0.0/8".to_owned()),
    ]))
    .unwrap();
    let http = pipeline(&sim.base_url(), config.clone(), TlsConfig::default());
    assert_eq!(http.execute(Request::new(&OP)).await.unwrap().status, 200);
    let https =
        pipeline(&format!("https://127.0.0.1:{tls_port}"), config, TlsConfig::default().add_root_der(cert.to_vec()));
    assert_eq!(https.execute(Request::new(&OP)).await.unwrap().status, 200);
    assert_eq!(connections.load(Ordering::SeqCst), 0, "the proxy saw no connection");
    assert_eq!(*seen.lock().unwrap(), vec![None, None], "no proxy credentials sent directly to the origin");
}

#[tokio::test]
async fn refused_proxy_credentials_are_not_sent_again() {
    let proxy = tinyproxy(Some((USER, PASSWORD))).await;
    let (relay, connections) = counting_relay(proxy.addr).await;
    let (sim, _) = origin().await;
    let (cert, key) = certificate(&["127.0.0.1"]);
    let tls_port = tls_front(sim.addr(), cert.clone(), key).await;
    let config = ProxyConfig::url(&format!("http://{USER}:wrong@{relay}")).unwrap();

    let https = pipeline(
        &format!("https://127.0.0.1:{tls_port}"),
        config.clone(),
        TlsConfig::default().add_root_der(cert.to_vec()),
    );
    let err = https.execute(Request::new(&OP)).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::AuthRejected, "{err:?}");
    assert!(matches!(err, watchpost_core::Error::Auth { status: Some(407), .. }), "{err:?}");
    assert!(!format!("{err:?}{err}").contains("wrong"), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "CONNECT was not retried");

    let http = pipeline(&sim.base_url(), config, TlsConfig::default());
    let err = http.execute(Request::new(&OP)).await.unwrap_err();
    // tinyproxy answers 401 where RFC 9110 says 407; either way the call fails, unretried.
    assert!(matches!(err.class(), ErrorClass::AuthRejected | ErrorClass::Permanent), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 2, "the request was not retried");
    assert_eq!(sim.requests_total(), 0);
}

/// Runs [`child_reads_the_environment`] in a child process whose environment names the proxy
/// (the variables of this process are left alone).
#[tokio::test]
async fn the_environment_is_read_by_default() {
    let proxy = tinyproxy(None).await;
    let (relay, connections) = counting_relay(proxy.addr).await;
    let (sim, _) = origin().await;
    let status = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_reads_the_environment", "--ignored"])
        .stdout(std::process::Stdio::null())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("REQUEST_METHOD")
        .env("http_proxy", format!("http://{relay}"))
        .env("WATCHPOST_TEST_ORIGIN", sim.base_url())
        .status()
        .await
        .unwrap();
    assert!(status.success());
    assert_eq!(connections.load(Ordering::SeqCst), 1, "the default transport used http_proxy");
    assert_eq!(sim.requests_total(), 1);
}

#[tokio::test]
#[ignore = "run by the_environment_is_read_by_default in a child process"]
async fn child_reads_the_environment() {
    let origin = std::env::var("WATCHPOST_TEST_ORIGIN").expect("run by the_environment_is_read_by_default");
    let p = Pipeline::builder("test", origin).build().unwrap();
    assert_eq!(p.execute(Request::new(&OP)).await.unwrap().status, 200);
}
