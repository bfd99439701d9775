//! Observability: the operation span carries OpenTelemetry's HTTP client attribute names, and a
//! metrics sink sees the limiter waits, retry decisions and requests of a retried and of a
//! rate-limited call.
#![cfg(feature = "sim")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http::Method;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;
use watchpost_core::metrics::{MetricEvent, MetricsSink, RetryVerdict};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::ratelimit::{Quota, RateLimiter};
use watchpost_core::retry::FixedJitter;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{ErrorClass, Operation, Request};

static GET: Operation = Operation::adhoc("test", "test.read", Method::GET, "/devices/{id}").idempotent(true);

/// Span name → field name → last value (as `Debug` text), for every span opened.
type Fields = Arc<Mutex<BTreeMap<String, BTreeMap<String, String>>>>;

/// A layer that captures the field names and values of every span.
struct Capture(Fields);

struct Values<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Values<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let fields = all.entry(attrs.metadata().name().to_owned()).or_default();
        // Declared fields, even those still empty, then the values given at creation.
        for f in attrs.metadata().fields() {
            fields.entry(f.name().to_owned()).or_insert_with(|| "<empty>".to_owned());
        }
        attrs.record(&mut Values(fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        values.record(&mut Values(all.entry(span.metadata().name().to_owned()).or_default()));
    }
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<String>>);

impl Recorder {
    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl MetricsSink for Recorder {
    fn record(&self, event: &MetricEvent<'_>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(format!("{event:?}"));
    }
}

fn retried_server_script() -> [bytes::Bytes; 2] {
    [http_response("503 Service Unavailable", &[], b""), http_response("200 OK", &[], b"{}")]
}

#[tokio::test(start_paused = true)]
async fn the_operation_span_has_opentelemetry_http_client_fields() {
    let fields: Fields = Arc::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(Capture(fields.clone())));
    for stream in [false, true] {
        let server = ScriptedServer::start(retried_server_script()).await.unwrap();
        let pipeline = Pipeline::builder("test", server.base_url()).jitter(Arc::new(FixedJitter(1.0))).build().unwrap();
        let req = Request::new(&GET).path_param("id", "7");
        if stream {
            pipeline.open_stream(req).await.unwrap();
        } else {
            pipeline.execute(req).await.unwrap();
        }
        let port = server.base_url().rsplit(':').next().unwrap_or_default().to_owned();
        let name = if stream { "watchpost.stream" } else { "watchpost.op" };
        let all = fields.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let span = all.get(name).unwrap_or_else(|| panic!("no span {name}: {all:#?}"));
        let expect = [
            ("vendor", "test"),
            ("op", "test.read"),
            ("otel.kind", "client"),
            ("otel.name", "GET /devices/{id}"),
            ("http.request.method", "GET"),
            ("url.template", "/devices/{id}"),
            ("server.address", "127.0.0.1"),
            ("server.port", port.as_str()),
            ("http.response.status_code", "200"),
            ("http.request.resend_count", "1"),
            ("attempt", "2"),
        ];
        for (field, value) in expect {
            assert_eq!(span.get(field).map(String::as_str), Some(value), "{name}.{field}: {span:#?}");
        }
        assert!(!span.contains_key("path") && !span.contains_key("status"), "old field names are gone: {span:#?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_sink_sees_a_retried_call() {
    let server = ScriptedServer::start(retried_server_script()).await.unwrap();
    let recorder = Arc::new(Recorder::default());
    let pipeline = Pipeline::builder("test", server.base_url())
        .jitter(Arc::new(FixedJitter(1.0)))
        .metrics(recorder.clone())
        .build()
        .unwrap();
    pipeline.execute(Request::new(&GET).path_param("id", "7")).await.unwrap();
    let events = recorder.events();
    let retry = format!(
        "{:?}",
        MetricEvent::RetryDecision {
            vendor: "test",
            op: "test.read",
            attempt: 1,
            class: ErrorClass::Retryable,
            verdict: RetryVerdict::Retry,
            reason: "transient",
            delay: Some(Duration::from_millis(200)),
            budget_left: 495,
        }
    );
    let request = |status: u16| {
        format!(
            "{:?}",
            MetricEvent::Request { vendor: "test", op: "test.read", status: Some(status), duration: Duration::ZERO }
        )
    };
    assert_eq!(events, vec![request(503), retry, request(200)]);
}

#[tokio::test(start_paused = true)]
async fn a_sink_sees_limiter_waits_and_the_throttled_decision() {
    let server = ScriptedServer::start([
        http_response("200 OK", &[], b"{}"),
        http_response("429 Too Many Requests", &[("Retry-After", "5")], b""),
        http_response("200 OK", &[], b"{}"),
    ])
    .await
    .unwrap();
    let recorder = Arc::new(Recorder::default());
    let limiter = Arc::new(RateLimiter::new(Some(Quota::per_second(1))));
    let pipeline = Pipeline::builder("test", server.base_url())
        .jitter(Arc::new(FixedJitter(1.0)))
        .rate_limiter(limiter)
        .metrics(recorder.clone())
        .build()
        .unwrap();
    let call = || pipeline.execute(Request::new(&GET).path_param("id", "7"));
    call().await.unwrap();
    // The second call waits 1 s for the quota, is throttled for 5 s, and waits those in the limiter.
    call().await.unwrap();
    let events = recorder.events();
    let waits: Vec<&String> = events.iter().filter(|e| e.starts_with("LimiterWait")).collect();
    assert_eq!(waits.len(), 2, "{events:#?}");
    assert!(waits[0].contains("waited: 1s"), "{events:#?}");
    assert!(waits[1].contains("waited: 5s"), "the limiter held for Retry-After: {events:#?}");
    let decision = events.iter().find(|e| e.starts_with("RetryDecision")).expect("a retry decision");
    assert!(
        decision.contains("class: RateLimited")
            && decision.contains("verdict: Retry")
            && decision.contains("reason: \"rate limited\"")
            && decision.contains("delay: Some(5s)"),
        "{decision}"
    );
    let statuses: Vec<&String> = events.iter().filter(|e| e.starts_with("Request")).collect();
    assert_eq!(statuses.len(), 3, "{events:#?}");
}
