//! One retry and re-auth decision for calls and streams: every failure in a table goes through
//! `Pipeline::execute` and through `Pipeline::open_stream` against a hostile loopback server
//! (`sim::ScriptedServer`), and both must make the same number of attempts and end in the same
//! class.
#![cfg(feature = "sim")]

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use watchpost_core::auth::{Auth, Token, TokenAuth, TokenProvider};
use watchpost_core::metrics::{MetricEvent, MetricsSink, RetryVerdict};
use watchpost_core::operation::RawResponse;
use watchpost_core::pipeline::{classify_http_status, classify_redirect, Pipeline, VendorProfile};
use watchpost_core::ratelimit::RateLimiter;
use watchpost_core::retry::{FixedJitter, RetryConfig};
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Error, ErrorClass, Operation, Request};

/// An idempotent read (an event stream is one).
static GET: Operation = Operation::adhoc("test", "test.read", Method::GET, "/read/{id}").idempotent(true);
/// A command: repeated only when nothing was sent or the vendor says the error had no effect.
static POST: Operation = Operation::adhoc("test", "test.command", Method::POST, "/command");

/// A vendor whose error bodies carry `{"code": N}`:
/// 7001 busy (retryable, documented as safe to repeat), 7002 permanent,
/// 7003 retryable but worth one retry only, 7004 token expired, 7005 quota exhausted for 5 s
/// (in the body only, like Gizwits' 5013: no header tells the limiter).
#[derive(Debug)]
struct CodeProfile;

fn vendor_code(resp: &RawResponse) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(&resp.body).ok()?.get("code")?.as_u64()
}

impl VendorProfile for CodeProfile {
    fn classify(&self, resp: &RawResponse) -> watchpost_core::Result<()> {
        classify_redirect(resp)?;
        let api = |class| {
            Err(Error::api(resp.op, Some(resp.status.as_u16()), vendor_code(resp).map(|c| c.to_string()), None, class))
        };
        match vendor_code(resp) {
            Some(7001) | Some(7003) => api(ErrorClass::Retryable),
            Some(7002) => api(ErrorClass::Permanent),
            Some(7004) => Err(Error::Auth {
                op: resp.op.into(),
                status: Some(resp.status.as_u16()),
                code: Some("7004".into()),
                message: None,
                expired: true,
                lockout: Default::default(),
            }),
            Some(7005) => Err(Error::RateLimited {
                op: resp.op.into(),
                status: Some(resp.status.as_u16()),
                code: Some("7005".into()),
                message: None,
                retry_after: Some(Duration::from_secs(5)),
                reset_at: None,
            }),
            _ => classify_http_status(resp),
        }
    }

    fn safe_to_retry(&self, err: &Error) -> bool {
        err.to_string().contains("7001")
    }

    fn max_attempts(&self, err: &Error) -> Option<u32> {
        err.to_string().contains("7003").then_some(2)
    }
}

/// Records every metric event (as text, for easy assertions).
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<String>>);

impl Recorder {
    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn attempts(&self) -> usize {
        self.events().iter().filter(|e| e.starts_with("Request")).count()
    }
}

impl MetricsSink for Recorder {
    fn record(&self, event: &MetricEvent<'_>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(format!("{event:?}"));
    }
}

fn error(status: &str, code: u64) -> Bytes {
    http_response(status, &[("Content-Type", "application/json")], format!(r#"{{"code":{code}}}"#).as_bytes())
}

fn ok() -> Bytes {
    http_response("200 OK", &[], b"{}")
}

/// Where the request goes.
enum Target {
    /// The scripted server.
    Script(Vec<Bytes>),
    /// A port nobody listens on (connect refused).
    Refused,
}

struct Case {
    name: &'static str,
    op: &'static Operation,
    target: Target,
    token: bool,
    /// Requests sent (attempts plus the token replay).
    attempts: usize,
    /// `None`: success.
    class: Option<ErrorClass>,
}

fn cases() -> Vec<Case> {
    use ErrorClass::*;
    let case = |name, op, script: Vec<Bytes>, attempts, class| Case {
        name,
        op,
        target: Target::Script(script),
        token: false,
        attempts,
        class,
    };
    vec![
        Case {
            name: "connect refused, command",
            op: &POST,
            target: Target::Refused,
            token: false,
            attempts: 3,
            class: Some(Retryable),
        },
        Case {
            name: "connect refused, read",
            op: &GET,
            target: Target::Refused,
            token: false,
            attempts: 3,
            class: Some(Retryable),
        },
        case("5xx, read", &GET, vec![http_response("503 Service Unavailable", &[], b"")], 3, Some(Retryable)),
        case("5xx then success, read", &GET, vec![http_response("502 Bad Gateway", &[], b""), ok()], 2, None),
        case("5xx, command", &POST, vec![http_response("503 Service Unavailable", &[], b"")], 1, Some(Retryable)),
        case(
            "429 + Retry-After",
            &POST,
            vec![http_response("429 Too Many Requests", &[("Retry-After", "2")], b"")],
            3,
            Some(RateLimited),
        ),
        case(
            "429 + Retry-After longer than max_retry_after",
            &GET,
            vec![http_response("429 Too Many Requests", &[("Retry-After", "3600")], b"")],
            1,
            Some(RateLimited),
        ),
        case("vendor retryable code, safe to repeat", &POST, vec![error("400 Bad Request", 7001)], 3, Some(Retryable)),
        case("vendor non-retryable code", &GET, vec![error("400 Bad Request", 7002)], 1, Some(Permanent)),
        case("vendor code with an attempt cap of 2", &GET, vec![error("400 Bad Request", 7003)], 2, Some(Retryable)),
        case("404", &GET, vec![http_response("404 Not Found", &[], b"")], 1, Some(Permanent)),
        case("501", &GET, vec![http_response("501 Not Implemented", &[], b"")], 1, Some(Unsupported)),
        case(
            "401 without a token (rejected)",
            &GET,
            vec![http_response("401 Unauthorized", &[], b"")],
            1,
            Some(AuthRejected),
        ),
        case(
            "redirect",
            &GET,
            vec![http_response("302 Found", &[("Location", "http://127.0.0.1:9/x")], b"")],
            1,
            Some(Permanent),
        ),
        Case {
            name: "401 expired token, then success",
            op: &POST,
            target: Target::Script(vec![error("401 Unauthorized", 7004), ok()]),
            token: true,
            attempts: 2,
            class: None,
        },
        Case {
            name: "401 expired token twice: one replay only",
            op: &GET,
            target: Target::Script(vec![error("401 Unauthorized", 7004)]),
            token: true,
            attempts: 2,
            class: Some(AuthExpired),
        },
    ]
}

async fn refused_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// Runs `case` once through `execute` (`stream == false`) or `open_stream`; returns the
/// requests sent and the final class.
async fn run(case: &Case, stream: bool) -> (usize, Option<ErrorClass>) {
    let (server, base) = match &case.target {
        Target::Script(script) => {
            let server = ScriptedServer::start(script.clone()).await.unwrap();
            let base = server.base_url();
            (Some(server), base)
        }
        Target::Refused => (None, refused_url().await),
    };
    let recorder = Arc::new(Recorder::default());
    let mut builder = Pipeline::builder("test", base)
        .retry(RetryConfig { max_attempts: 3, ..RetryConfig::default() })
        .jitter(Arc::new(FixedJitter(1.0)))
        .profile(CodeProfile)
        .metrics(recorder.clone());
    if case.token {
        let provider = TokenProvider::new(|| async { Ok(Token::new("t0k3n")) });
        builder = builder.auth(Auth::Token(TokenAuth::header(provider, "authorization", "Bearer ")));
    }
    let pipeline = builder.build().unwrap();
    let mut req = Request::new(case.op);
    if case.op.path.contains("{id}") {
        req = req.path_param("id", "1");
    }
    let class = if stream {
        pipeline.open_stream(req).await.err().map(|e| e.class())
    } else {
        pipeline.execute(req).await.err().map(|e| e.class())
    };
    let sent = recorder.attempts();
    if let Some(server) = server {
        assert_eq!(server.requests().len(), sent, "{}: the server saw every request the metrics saw", case.name);
    }
    (sent, class)
}

#[tokio::test(start_paused = true)]
async fn calls_and_streams_take_the_same_retry_decisions() {
    let mut failures = Vec::new();
    for case in cases() {
        let call = run(&case, false).await;
        let stream = run(&case, true).await;
        let want = (case.attempts, case.class);
        if call != want || stream != want {
            failures.push(format!("{}: want {want:?}, execute {call:?}, open_stream {stream:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(start_paused = true)]
async fn every_decision_is_reported_with_the_budget_left() {
    let server = ScriptedServer::start([http_response("503 Service Unavailable", &[], b""), ok()]).await.unwrap();
    let recorder = Arc::new(Recorder::default());
    let pipeline = Pipeline::builder("test", server.base_url())
        .jitter(Arc::new(FixedJitter(1.0)))
        .metrics(recorder.clone())
        .build()
        .unwrap();
    let mut stream_req = Request::new(&GET);
    stream_req = stream_req.path_param("id", "1");
    pipeline.open_stream(stream_req).await.unwrap();
    let events = recorder.events();
    assert_eq!(events.len(), 3, "{events:#?}");
    assert!(events[0].starts_with("Request") && events[0].contains("status: Some(503)"), "{events:#?}");
    assert!(events[1].contains("RetryDecision") && events[1].contains(&format!("verdict: {:?}", RetryVerdict::Retry)));
    assert!(events[1].contains("budget_left: 495") && events[1].contains("delay: Some(200ms)"), "{events:#?}");
    assert!(events[2].starts_with("Request") && events[2].contains("status: Some(200)"), "{events:#?}");
}

#[tokio::test(start_paused = true)]
async fn the_pipeline_holds_the_limiter_after_a_throttled_answer_even_without_a_retry() {
    for stream in [false, true] {
        // A quota error in the body only (no Retry-After, no X-RateLimit-*), not retried (one
        // attempt allowed): the next call of any caller still waits the 5 s the vendor gave.
        let script = if stream { vec![ok()] } else { vec![error("200 OK", 7005), ok()] };
        let server = ScriptedServer::start(script).await.unwrap();
        let recorder = Arc::new(Recorder::default());
        let pipeline = Pipeline::builder("test", server.base_url())
            .retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() })
            .profile(CodeProfile)
            .rate_limiter(Arc::new(RateLimiter::new(None)))
            .metrics(recorder.clone())
            .build()
            .unwrap();
        let call = |op| pipeline.execute(Request::new(op));
        let err = if stream {
            // A stream's error status is classified; a 200 is the stream itself.
            let server = ScriptedServer::start([error("429 Too Many Requests", 7005)]).await.unwrap();
            let p = pipeline.with_base_url(&server.base_url()).unwrap();
            p.open_stream(Request::new(&POST)).await.unwrap_err()
        } else {
            call(&POST).await.unwrap_err()
        };
        assert_eq!(err.class(), ErrorClass::RateLimited);
        let began = tokio::time::Instant::now();
        call(&POST).await.unwrap_or_else(|e| panic!("stream {stream}: {e}"));
        assert_eq!(began.elapsed(), Duration::from_secs(5), "stream {stream}: the next call waited for the quota");
        assert!(recorder.events().iter().any(|e| e.starts_with("LimiterWait") && e.contains("waited: 5s")));
    }
}
