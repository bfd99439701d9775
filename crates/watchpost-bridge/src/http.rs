//! The runner's operations endpoint: `GET /metrics` (Prometheus text) and `GET /healthz`, on
//! hyper's HTTP/1 server.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::metrics::BridgeMetrics;

/// What the endpoint reads.
pub(crate) struct Ops {
    pub(crate) metrics: Arc<BridgeMetrics>,
    pub(crate) nats: async_nats::Client,
    /// A lease round older than this makes the instance unhealthy (the lease TTL).
    pub(crate) stale_after: Duration,
}

impl Ops {
    /// `Ok` when the NATS connection is up and a lease round succeeded within `stale_after`;
    /// otherwise why not, in one line.
    pub(crate) fn health(&self) -> Result<(), String> {
        let state = self.nats.connection_state();
        if state != async_nats::connection::State::Connected {
            return Err(format!("NATS connection {state}"));
        }
        let (last_ok, last_round_ok, stopped) = self.metrics.lease_status();
        if stopped {
            return Err("stopping".to_owned());
        }
        match last_ok {
            None => Err("no lease round has succeeded yet".to_owned()),
            Some(at) if at.elapsed() > self.stale_after => Err(format!(
                "the last successful lease round was {:.1} s ago (more than the lease ttl, {:.1} s){}",
                at.elapsed().as_secs_f64(),
                self.stale_after.as_secs_f64(),
                if last_round_ok { "" } else { "; the last round failed" }
            )),
            Some(_) => Ok(()),
        }
    }
}

/// Serves `listener` until the task is aborted (its connections with it).
pub(crate) async fn serve(listener: TcpListener, ops: Arc<Ops>) {
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "ops endpoint: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let ops = Arc::clone(&ops);
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let ops = Arc::clone(&ops);
                async move { Ok::<_, Infallible>(answer(&ops, &req)) }
            });
            if let Err(e) =
                hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await
            {
                tracing::debug!(%peer, error = %e, "ops endpoint: connection ended with an error");
            }
        });
    }
}

fn answer(ops: &Ops, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path();
    if path != "/metrics" && path != "/healthz" {
        return text(StatusCode::NOT_FOUND, "not found: /metrics or /healthz\n".to_owned());
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n".to_owned());
        r.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if path == "/metrics" {
        let mut r = text(StatusCode::OK, ops.metrics.encode());
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        );
        return r;
    }
    match ops.health() {
        Ok(()) => text(StatusCode::OK, "ok\n".to_owned()),
        Err(reason) => text(StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n")),
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}
