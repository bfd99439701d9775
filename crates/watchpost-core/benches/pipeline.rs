//! Per-request overhead of the core pipeline against a bare hyper-util client, same loopback
//! server, same JSON request with Digest auth in steady state (challenge cached, nc+1).
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::sync::Arc;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use digest_auth::{AuthContext, WwwAuthenticateHeader};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use watchpost_core::auth::{Auth, Credentials, HttpAuth};
use watchpost_core::operation::Operation;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::sim::{DigestConfig, DigestServer, Router, SimResponse, SimServer};
use watchpost_core::transport::{ProxyConfig, TransportConfig};
use watchpost_core::Request;

static OP: Operation =
    Operation::adhoc("bench", "device.info", http::Method::GET, "/ISAPI/System/deviceInfo").idempotent(true);

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let digest = DigestServer::new(
        DigestConfig::new("bench").nonce_ttl(std::time::Duration::from_secs(3600)).user("admin", "pw"),
    );
    let d = digest.clone();
    let body = json!({"DeviceInfo": {"deviceName": "Gateway", "deviceID": "48", "model": "DS-GWAS0101", "serialNumber": "DS-GWAS0101-0123456789", "firmwareVersion": "V1.0.0"}});
    let router = Router::new()
        .get("/ISAPI/System/deviceInfo", "device.info", move |_req| {
            let body = body.clone();
            async move { SimResponse::json(200, &body) }
        })
        .layer(move |req| d.check(req).into_response(SimResponse::text(401, "unauthorized")));
    let server = rt.block_on(SimServer::start(router)).unwrap();
    let base = server.base_url();
    let uri: http::Uri = format!("{base}/ISAPI/System/deviceInfo").parse().unwrap();

    // Bare client: hyper-util + digest_auth, challenge fetched once, nc+1 per request, with the
    // pool, keep-alive and TCP_NODELAY settings the default transport uses (a fair baseline).
    let defaults = TransportConfig::default();
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(defaults.connect_timeout));
    let bare = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(defaults.pool_idle_timeout)
        .pool_max_idle_per_host(defaults.pool_max_idle_per_host)
        .pool_timer(hyper_util::rt::TokioTimer::new())
        .build::<_, Full<Bytes>>(connector);
    let mut challenge = rt.block_on(async {
        let resp = bare.request(http::Request::get(uri.clone()).body(Full::default()).unwrap()).await.unwrap();
        let h = resp.headers()[http::header::WWW_AUTHENTICATE].to_str().unwrap().to_owned();
        let _ = resp.into_body().collect().await;
        WwwAuthenticateHeader::parse(&h).unwrap()
    });
    c.bench_function("json_digest_call/bare_hyper_util", |b| {
        b.iter(|| {
            rt.block_on(async {
                let ctx = AuthContext::new("admin", "pw", "/ISAPI/System/deviceInfo");
                let auth = challenge.respond(&ctx).unwrap().to_header_string();
                let req = http::Request::get(uri.clone()).header("authorization", auth).body(Full::default()).unwrap();
                let resp = bare.request(req).await.unwrap();
                assert_eq!(resp.status(), 200);
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                serde_json::from_slice::<serde_json::Value>(&body).unwrap()
            })
        })
    });

    // Through the transport seam (the default hyper-util service), no proxy whatever the environment.
    let pipeline = Pipeline::builder("bench", base.clone())
        .transport(TransportConfig { proxy: ProxyConfig::none(), ..TransportConfig::default() })
        .auth(Auth::Http(HttpAuth::new(Credentials::new("admin", "pw"))))
        .build()
        .unwrap();
    let pipeline = Arc::new(pipeline);
    rt.block_on(pipeline.execute(Request::new(&OP))).unwrap();
    c.bench_function("json_digest_call/watchpost_pipeline", |b| {
        b.iter(|| {
            rt.block_on(async {
                let resp = pipeline.execute(Request::new(&OP)).await.unwrap();
                resp.json::<serde_json::Value>().unwrap()
            })
        })
    });
    assert_eq!(digest.failures(), 0);
    rt.block_on(server.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
