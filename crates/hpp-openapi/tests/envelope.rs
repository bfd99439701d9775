//! The envelope against a hostile server the test writes (a tokio `TcpListener` answering exactly
//! the bytes chosen here) and against the simulator: every malformed answer is a typed error,
//! never a panic and never a success.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hpp_openapi::models::mq::{SubMode, SubType};
use hpp_openapi::requests::{MqMessagesRequest, MqSubscribeRequest};
use hpp_openapi::sim::Simulator;
use hpp_openapi::{Client, HppCode, HppErrorExt as _};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use watchpost_core::error::DecodeError;
use watchpost_core::retry::RetryConfig;
use watchpost_core::sim::SimResponse;
use watchpost_core::{ErrorClass, ErrorKind};

/// A raw HTTP answer.
fn http(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Reads one request (head and `content-length` body); returns its head.
async fn read_request(sock: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return head;
        }
    }
    String::new()
}

/// A server that answers the token endpoint with a token whose `areaDomain` is itself, and
/// every other request with `answer`. Counts the non-token requests.
async fn hostile(answer: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let area = base.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let head = read_request(&mut sock).await;
            let reply = if head.contains("/token/get") {
                let body = format!(
                    r#"{{"errorCode":"0","data":{{"accessToken":"hpc.hostile","expireTime":{},"areaDomain":"{area}"}}}}"#,
                    u64::MAX / 2
                );
                http("200 OK", "application/json", &body)
            } else {
                counted.fetch_add(1, Ordering::SeqCst);
                answer.clone()
            };
            let _ = sock.write_all(reply.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (base, calls)
}

fn client(base: &str) -> Client {
    Client::builder()
        .app_key("k")
        .secret_key("s")
        .base_url(base)
        .retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() })
        .max_body_size(4096)
        .build()
        .unwrap()
}

async fn subscribe(answer: String) -> watchpost_core::Result<()> {
    let (base, _) = hostile(answer).await;
    client(&base).mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await
}

#[tokio::test]
async fn an_error_code_sent_as_a_number_is_read() {
    subscribe(http("200 OK", "application/json", r#"{"errorCode":0}"#)).await.unwrap();
    let err =
        subscribe(http("200 OK", "application/json", r#"{"errorCode":12345,"message":"odd"}"#)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::Other("12345".into())));
    assert_eq!(err.vendor_message(), Some("odd"));
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    for body in [r#"{"errorCode":"0""#, "", "[]", r#"{"data":{}}"#, r#"{"errorCode":{"a":1}}"#, "\u{0}\u{1}"] {
        let err = subscribe(http("200 OK", "application/json", body)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body:?}: {err:?}");
    }
}

#[tokio::test]
async fn html_error_pages_are_typed_errors() {
    let err = subscribe(http("200 OK", "text/html", "<html><body>Maintenance</body></html>")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let err = subscribe(http("502 Bad Gateway", "text/html", "<html>502</html>")).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable, "{err:?}");
    let err = subscribe(http("404 Not Found", "text/html", "<html>404</html>")).await.unwrap_err();
    assert_ne!(err.class(), ErrorClass::Retryable, "{err:?}");
}

#[tokio::test]
async fn a_success_envelope_on_an_error_status_or_a_redirect_is_not_success() {
    let err =
        subscribe(http("500 Internal Server Error", "application/json", r#"{"errorCode":"0"}"#)).await.unwrap_err();
    assert_ne!(err.kind(), ErrorKind::Decode, "{err:?}");
    let redirect =
        "HTTP/1.1 302 Found\r\nlocation: http://elsewhere/\r\ncontent-length: 15\r\nconnection: close\r\n\r\n{\"errorCode\":0}"
            .to_owned();
    let err = subscribe(redirect).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect);
}

#[tokio::test]
async fn an_error_envelope_on_a_non_2xx_status_keeps_its_code() {
    let err = subscribe(http("500 Internal Server Error", "application/json", r#"{"errorCode":"EVZ20007"}"#))
        .await
        .unwrap_err();
    assert!(err.is_device_offline(), "{err:?}");
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_a_typed_error() {
    let big = format!(r#"{{"errorCode":"0","data":{{"batchId":"b","list":[{}]}}}}"#, "1,".repeat(5000) + "1");
    let (base, _) = hostile(http("200 OK", "application/json", &big)).await;
    let err = client(&base).mq_messages(&MqMessagesRequest::new()).await.unwrap_err();
    assert!(
        matches!(err, watchpost_core::Error::Decode { source: DecodeError::TooLarge { limit: 4096 }, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_data_member_of_the_wrong_shape_is_a_decode_error_with_its_path() {
    let (base, _) =
        hostile(http("200 OK", "application/json", r#"{"errorCode":"0","data":{"list":[{"formatType":5}]}}"#)).await;
    let err = client(&base).mq_messages(&MqMessagesRequest::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(format!("{err:?}").contains("data.list"), "{err:?}");
}

#[tokio::test]
async fn the_flat_token_form_of_3_1_is_accepted() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let area = base.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let head = read_request(&mut sock).await;
            let body = if head.contains("/token/get") {
                format!(r#"{{"accessToken ": "hpc.flat", "expireTime ": {}, "areaDomain": "{area}"}}"#, u64::MAX / 2)
            } else if head.to_ascii_lowercase().contains("authorization: bearer hpc.flat") {
                r#"{"errorCode":"0"}"#.to_owned()
            } else {
                r#"{"errorCode":"LAP500004"}"#.to_owned()
            };
            let _ = sock.write_all(http("200 OK", "application/json", &body).as_bytes()).await;
        }
    });
    client(&base).mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
}

#[tokio::test]
async fn simulator_faults_are_typed_errors() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() }).build().unwrap();
    sim.faults().on(&hpp_openapi::ops::MQ_MESSAGES).fail_next(1, SimResponse::text(200, "<html>oops</html>"));
    let err = client.mq_messages(&MqMessagesRequest::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    sim.fail_next_code(1, Some(&hpp_openapi::ops::MQ_MESSAGES), "LAP500007");
    let err = client.mq_messages(&MqMessagesRequest::new()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::RateLimited);
    sim.fail_next_code(1, Some(&hpp_openapi::ops::MQ_MESSAGES), "EVZ20008");
    let err = client.mq_messages(&MqMessagesRequest::new()).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceTimeout));
    // And the next call is fine again.
    client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    sim.shutdown().await;
}

/// A server that answers every request after a short pause, counting the most requests it had
/// in flight at once (the token endpoint excluded).
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let area = base.clone();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let seen = most.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let (area, in_flight, most) = (area.clone(), in_flight.clone(), most.clone());
            tokio::spawn(async move {
                loop {
                    let head = read_request(&mut sock).await;
                    if head.is_empty() {
                        return;
                    }
                    let body = if head.contains("/token/get") {
                        format!(
                            r#"{{"errorCode":"0","data":{{"accessToken":"hpc.t","expireTime":{},"areaDomain":"{area}"}}}}"#,
                            u64::MAX / 2
                        )
                    } else {
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        r#"{"errorCode":"0","data":{"page":1,"pageSize":20,"rows":[],"total":0,"totalPage":1}}"#
                            .to_owned()
                    };
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, seen)
}

static SITE_SEARCH: watchpost_core::operation::Operation =
    watchpost_core::operation::Operation::adhoc("hpp", "site.search", http::Method::POST, "/api/hpcgw/v1/site/search")
        .idempotent(true);

static NOT_A_SEARCH: watchpost_core::operation::Operation = watchpost_core::operation::Operation::adhoc(
    "hpp",
    "mq.subscribe",
    http::Method::POST,
    "/api/hpcgw/v1/mq/subscribe",
)
.idempotent(true);

async fn most_in_flight(op: &'static watchpost_core::operation::Operation) -> usize {
    let (base, most) = counting_server().await;
    let client = client(&base);
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                let req = watchpost_core::operation::Request::new(op)
                    .body(watchpost_core::operation::Body::Json("{}".into()));
                c.execute(req).await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    most.load(Ordering::SeqCst)
}

#[tokio::test]
async fn searches_with_one_key_are_sent_one_at_a_time() {
    // LAP068001: the platform refuses concurrent searches with one key, so the client queues them.
    assert_eq!(most_in_flight(&SITE_SEARCH).await, 1);
    // Other operations are not held back (the server does see concurrency when there is some).
    assert!(most_in_flight(&NOT_A_SEARCH).await > 1);
}

#[tokio::test]
async fn another_callers_search_in_progress_is_retried_with_backoff() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    sim.fail_next_code(1, Some(&hpp_openapi::ops::MQ_SUBSCRIBE), "LAP068001");
    client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
    assert_eq!(sim.hits("mq.subscribe"), 2, "one refusal, one retry");
    sim.shutdown().await;
}
