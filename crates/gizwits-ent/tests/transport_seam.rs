//! The transport seam against the simulator: a recording layer sees the token fetch and the
//! API call of a typed call; the recording then serves the same typed call with no server.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use gizwits_ent::sim::fixtures::*;
use gizwits_ent::sim::Simulator;
use gizwits_ent::*;
use watchpost_core::error::BoxError;
use watchpost_core::transport::tower::{Layer, Service};
use watchpost_core::transport::{
    HttpRequest, HttpResponse, HttpService, ResponseBody, ServiceFuture, SharedService, TransportConfig,
};

/// One recorded answer.
#[derive(Clone, Debug)]
struct Recorded {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

/// Recorded answers by `METHOD path?query`, in the order they came. Request headers (with
/// their `Authorization`) are not kept; response bodies hold tokens, so a recording written to
/// disk must be treated as a secret or redacted.
#[derive(Clone, Default)]
struct Recording(Arc<Mutex<Vec<(String, Recorded)>>>);

fn key(req: &HttpRequest) -> String {
    format!("{} {}", req.method(), req.uri().path_and_query().map_or("/", |p| p.as_str()))
}

impl Layer<SharedService> for Recording {
    type Service = Recorder;
    fn layer(&self, inner: SharedService) -> Recorder {
        Recorder { inner, recording: self.clone() }
    }
}

/// The recording layer's service: passes each request on and keeps a copy of the answer.
#[derive(Clone)]
struct Recorder {
    inner: SharedService,
    recording: Recording,
}

impl Service<HttpRequest> for Recorder {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = ServiceFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> ServiceFuture {
        let key = key(&req);
        let recording = self.recording.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let (parts, body) = fut.await?.into_parts();
            let body = body.collect_bytes().await?;
            let recorded = Recorded { status: parts.status, headers: parts.headers.clone(), body: body.clone() };
            recording.0.lock().unwrap().push((key, recorded));
            Ok(http::Response::from_parts(parts, ResponseBody::full(body)))
        })
    }
}

/// Serves a recording: each request gets the next answer recorded for it, or an error.
struct Replay(Mutex<HashMap<String, VecDeque<Recorded>>>);

impl Replay {
    fn new(recording: &Recording) -> Self {
        let mut by_key: HashMap<String, VecDeque<Recorded>> = HashMap::new();
        for (k, r) in recording.0.lock().unwrap().iter() {
            by_key.entry(k.clone()).or_default().push_back(r.clone());
        }
        Replay(Mutex::new(by_key))
    }
}

impl HttpService for Replay {
    fn call(&self, req: HttpRequest) -> ServiceFuture {
        let key = key(&req);
        let next = self.0.lock().unwrap().get_mut(&key).and_then(VecDeque::pop_front);
        Box::pin(async move {
            let recorded = next.ok_or_else(|| format!("nothing recorded for {key}"))?;
            let mut resp = http::Response::new(ResponseBody::full(recorded.body));
            *resp.status_mut() = recorded.status;
            *resp.headers_mut() = recorded.headers;
            Ok(resp)
        })
    }
}

#[tokio::test]
async fn a_recording_layer_sees_the_token_fetch_and_replays_a_typed_call_without_a_server() {
    let sim = Simulator::start().await.unwrap();
    let recording = Recording::default();
    let client = sim.client_builder().transport(TransportConfig::default().layer(recording.clone())).build().unwrap();
    let live = client.product_datapoints(&ProductDatapointsRequest::new(PRODUCT_KEY)).await.unwrap();
    let keys: Vec<String> = recording.0.lock().unwrap().iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        keys,
        [format!("POST /v1/products/{PRODUCT_KEY}/access_token"), format!("GET /v1/products/{PRODUCT_KEY}/datapoint"),],
        "the layer saw the token fetch, then the call"
    );
    sim.shutdown().await;

    // No server now: the base URL points at a closed port; the replay answers everything.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let replayed = Client::builder()
        .base_url(closed)
        .enterprise(ENTERPRISE_ID, ENTERPRISE_SECRET)
        .product(PRODUCT_KEY, PRODUCT_SECRET)
        .transport(TransportConfig::default().service(Replay::new(&recording)))
        .build()
        .unwrap();
    let again = replayed.product_datapoints(&ProductDatapointsRequest::new(PRODUCT_KEY)).await.unwrap();
    assert_eq!(format!("{again:?}"), format!("{live:?}"));
    // A request that was never recorded is an error, not an empty success.
    let err = replayed.product_datapoints(&ProductDatapointsRequest::new(PRODUCT_KEY)).await.unwrap_err();
    let chain: Vec<String> =
        std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source()).map(|e| e.to_string()).collect();
    assert!(chain.iter().any(|m| m.contains("nothing recorded")), "{chain:?}");
}
