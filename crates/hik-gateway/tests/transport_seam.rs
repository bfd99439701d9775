//! The transport seam against the simulator: a user's tower layer sees every request of a
//! typed call, the Digest challenge round trip included, with the final headers.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hik_gateway::sim::Simulator;
use hik_gateway::Client;
use watchpost_core::error::BoxError;
use watchpost_core::transport::tower::{Layer, Service};
use watchpost_core::transport::{HttpRequest, HttpResponse, ServiceFuture, SharedService, TransportConfig};

/// What the layer saw of one exchange.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    method: String,
    path: String,
    authorization: Option<String>,
    site: Option<String>,
    status: Option<u16>,
}

/// Records each request it passes on, and the status of the answer.
#[derive(Clone, Default)]
struct TapLayer(Arc<Mutex<Vec<Seen>>>);

impl Layer<SharedService> for TapLayer {
    type Service = Tap;
    fn layer(&self, inner: SharedService) -> Tap {
        Tap { inner, log: self.0.clone() }
    }
}

#[derive(Clone)]
struct Tap {
    inner: SharedService,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Service<HttpRequest> for Tap {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = ServiceFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> ServiceFuture {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let seen = Seen {
            method: req.method().to_string(),
            path: req.uri().path().to_owned(),
            authorization: header("authorization").map(|a| a.split(' ').next().unwrap_or_default().to_owned()),
            site: header("x-site"),
            status: None,
        };
        let index = {
            let mut log = self.log.lock().unwrap();
            log.push(seen);
            log.len() - 1
        };
        let log = self.log.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            log.lock().unwrap()[index].status = Some(resp.status().as_u16());
            Ok(resp)
        })
    }
}

/// Adds `X-Site: arc-7` to every request (the header-injecting layer of the docs).
#[derive(Clone)]
struct SiteHeaderLayer;

impl Layer<SharedService> for SiteHeaderLayer {
    type Service = SiteHeader;
    fn layer(&self, inner: SharedService) -> SiteHeader {
        SiteHeader(inner)
    }
}

#[derive(Clone)]
struct SiteHeader(SharedService);

impl Service<HttpRequest> for SiteHeader {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = ServiceFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> ServiceFuture {
        req.headers_mut().insert("x-site", http::HeaderValue::from_static("arc-7"));
        self.0.call(req)
    }
}

#[tokio::test]
async fn a_layer_sees_the_digest_challenge_round_trip_and_every_later_request() {
    let sim = Simulator::start().await.unwrap();
    let tap = TapLayer::default();
    // The tap is added first, so it sits inside the header layer and sees its header.
    let transport = TransportConfig::default().layer(tap.clone()).layer(SiteHeaderLayer);
    let client = Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .transport(transport)
        .build()
        .unwrap();
    assert!(client.login_check().await.unwrap().is_authenticated());
    assert!(client.login_check().await.unwrap().is_authenticated());

    let seen = tap.0.lock().unwrap().clone();
    let summary: Vec<_> = seen.iter().map(|s| (s.authorization.as_deref(), s.status)).collect();
    assert_eq!(
        summary,
        [(None, Some(401)), (Some("Digest"), Some(200)), (Some("Digest"), Some(200))],
        "the unauthenticated probe, its answer to the challenge, then a pre-emptive request: {seen:#?}"
    );
    assert!(seen.iter().all(|s| s.site.as_deref() == Some("arc-7") && s.path == seen[0].path), "{seen:#?}");
    // The simulator served exactly what the layer saw.
    assert_eq!(sim.digest().challenges_sent(), 1);
    assert_eq!(sim.digest().authorized(), 2);
}
