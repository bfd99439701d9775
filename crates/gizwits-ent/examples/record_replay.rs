//! Records the traffic of a typed call with a tower layer (token fetch included), then serves
//! the same call from the recording with no server at all: the pattern for offline tests of
//! code built on watchpost.
//!
//! Run: `cargo run -p gizwits-ent --features sim --example record_replay`
//!
//! A recording holds response bodies with access tokens: keep it secret or redact it before
//! storing it. Request headers (with `Authorization`) are not recorded here.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use gizwits_ent::sim::fixtures::{ENTERPRISE_ID, ENTERPRISE_SECRET, PRODUCT_KEY, PRODUCT_SECRET};
use gizwits_ent::sim::Simulator;
use gizwits_ent::{Client, ProductDatapointsRequest};
use watchpost_core::error::BoxError;
use watchpost_core::transport::tower::{Layer, Service};
use watchpost_core::transport::{
    HttpRequest, HttpResponse, HttpService, ResponseBody, ServiceFuture, SharedService, TransportConfig,
};

/// One answer: status, headers, body.
type Answer = (http::StatusCode, http::HeaderMap, Bytes);

/// Answers by `METHOD path?query`, in the order they came; the layer that fills it.
#[derive(Clone, Default)]
struct Recording(Arc<Mutex<HashMap<String, VecDeque<Answer>>>>);

fn key(req: &HttpRequest) -> String {
    format!("{} {}", req.method(), req.uri().path_and_query().map_or("/", |p| p.as_str()))
}

impl Layer<SharedService> for Recording {
    type Service = Recorder;
    fn layer(&self, inner: SharedService) -> Recorder {
        Recorder { inner, recording: self.clone() }
    }
}

/// Passes each request on and keeps a copy of the answer.
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
        let (key, recording, fut) = (key(&req), self.recording.clone(), self.inner.call(req));
        Box::pin(async move {
            let (parts, body) = fut.await?.into_parts();
            let body = body.collect_bytes().await?;
            println!("recorded {key} -> {}", parts.status);
            let answer = (parts.status, parts.headers.clone(), body.clone());
            recording.0.lock().map_err(|_| "recording poisoned")?.entry(key).or_default().push_back(answer);
            Ok(http::Response::from_parts(parts, ResponseBody::full(body)))
        })
    }
}

/// Serves a recording: each request gets the next answer recorded for it, or an error.
struct Replay(Recording);

impl HttpService for Replay {
    fn call(&self, req: HttpRequest) -> ServiceFuture {
        let key = key(&req);
        let next = self.0 .0.lock().ok().and_then(|mut r| r.get_mut(&key).and_then(VecDeque::pop_front));
        Box::pin(async move {
            let (status, headers, body) = next.ok_or_else(|| format!("nothing recorded for {key}"))?;
            let mut resp = http::Response::new(ResponseBody::full(body));
            *resp.status_mut() = status;
            *resp.headers_mut() = headers;
            Ok(resp)
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Simulator::start().await?;
    let recording = Recording::default();
    let live = sim.client_builder().transport(TransportConfig::default().layer(recording.clone())).build()?;
    let datapoints = live.product_datapoints(&ProductDatapointsRequest::new(PRODUCT_KEY)).await?;
    sim.shutdown().await;

    // The simulator is gone: the replay answers the token fetch and the call.
    let offline = Client::builder()
        .base_url("http://127.0.0.1:9")
        .enterprise(ENTERPRISE_ID, ENTERPRISE_SECRET)
        .product(PRODUCT_KEY, PRODUCT_SECRET)
        .transport(TransportConfig::default().service(Replay(recording)))
        .build()?;
    let replayed = offline.product_datapoints(&ProductDatapointsRequest::new(PRODUCT_KEY)).await?;
    assert_eq!(format!("{replayed:?}"), format!("{datapoints:?}"));
    println!("replayed {} datapoints with no server", replayed.entities.len());
    Ok(())
}
