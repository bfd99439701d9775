//! A part nested thousands of levels deep does not abort the process: on a tokio runtime whose
//! workers have a 2 MiB stack, the alarm stream yields a typed decode error for it and delivers
//! the next alarm.
//!
//! The gateway is a hostile server written here: a `TcpListener` that answers the subscription
//! with exactly the bytes below. Its first part is the `SubscribeDeviceMgmtRsp` whose `FailList`
//! holds 5,000 nested elements; later parts are a 15 KB run of 5,000 unclosed start tags and a
//! JSON `SubscribeDeviceMgmtRsp` nesting 5,000 arrays.

use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::{CidCode, Client, ConnectionState, Event, EventStream, EventStreamConfig, Notification};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use watchpost_core::codec::xml::MAX_DEPTH;
use watchpost_core::error::DecodeError;
use watchpost_core::Error;

/// A tokio worker thread's default stack.
const WORKER_STACK: usize = 2 << 20;

/// Levels of nesting in the hostile parts.
const LEVELS: usize = 5_000;

/// One `multipart/mixed` part with its length.
fn part(content_type: &str, body: &str) -> String {
    format!("--boundary\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}\r\n", body.len())
}

/// A CID alarm part whose `UUID` is `uuid`.
fn alarm(uuid: &str) -> String {
    part(
        "application/json",
        &format!(
            r#"{{"EventNotificationAlert":{{"eventType":"CIDAlarm","devIndex":"d1","CIDAlarm":{{"CIDCode":"1103","UUID":"{uuid}"}}}}}}"#
        ),
    )
}

/// The first part of a subscription whose `FailList` nests [`LEVELS`] elements (well-formed).
fn deep_subscribe_rsp() -> String {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SubscribeDeviceMgmtRsp version=\"2.0\" \
         xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><id>5939</id><FailList>{}{}</FailList></SubscribeDeviceMgmtRsp>",
        "<Dev>".repeat(LEVELS),
        "</Dev>".repeat(LEVELS),
    );
    part("application/xml", &body)
}

/// 15 KB of start tags that never close, under an `EventNotificationAlert` root.
fn deep_unclosed_alert() -> String {
    let body = format!("<EventNotificationAlert>{}", "<a>".repeat(LEVELS));
    assert!(body.len() < 16 * 1024);
    part("application/xml", &body)
}

/// The JSON twin of [`deep_subscribe_rsp`]: its `FailList` nests [`LEVELS`] arrays, read into a
/// generic value by the model (serde_json's own limit of 128 refuses it).
fn deep_json_rsp() -> String {
    let body = format!(
        r#"{{"SubscribeDeviceMgmtRsp":{{"id":5940,"FailList":{}{}}}}}"#,
        "[".repeat(LEVELS),
        "]".repeat(LEVELS)
    );
    part("application/json", &body)
}

/// Accepts one connection, reads the subscription request and answers it with `response`,
/// then keeps the connection open.
async fn hostile_gateway(response: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // The request head, then as many body bytes as it declares.
        let head_end = loop {
            let n = sock.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed before sending its request");
            request.extend_from_slice(&buf[..n]);
            if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
        assert!(head.starts_with("post /isapi/event/notification/subscribedevicemgmt"), "{head}");
        let length: usize =
            head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
        while request.len() < head_end + length {
            let n = sock.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed mid-request");
            request.extend_from_slice(&buf[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed; boundary=boundary\r\nConnection: close\r\n\r\n";
        sock.write_all(head.as_bytes()).await.unwrap();
        sock.write_all(response.as_bytes()).await.unwrap();
        std::future::pending::<()>().await;
    });
    format!("http://{addr}")
}

/// The next item of the stream that is not a connection state, within a generous bound that
/// only guards against a hang; the states seen on the way are pushed onto `states`.
async fn next(stream: &mut EventStream, states: &mut Vec<ConnectionState>) -> Result<Notification, Error> {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(60), stream.next())
            .await
            .expect("an item (no hang)")
            .expect("the stream does not end");
        match item {
            Ok(Notification::State(state)) => states.push(state),
            other => return other,
        }
    }
}

/// Asserts that `item` is the stream's decode error for a part nested past [`MAX_DEPTH`].
fn assert_too_deep(item: Result<Notification, Error>) {
    match item {
        Err(Error::Stream { cause: Some(cause), .. }) => match *cause {
            Error::Decode { source: DecodeError::TooDeep { limit }, .. } => assert_eq!(limit, MAX_DEPTH),
            other => panic!("expected a TooDeep decode error, got {other:?}"),
        },
        other => panic!("expected a stream error item, got {other:?}"),
    }
}

/// Asserts that `item` is the stream's JSON decode error (serde_json refuses depth past 128).
fn assert_json_error(item: Result<Notification, Error>) {
    match item {
        Err(Error::Stream { cause: Some(cause), .. }) => {
            assert!(matches!(*cause, Error::Decode { source: DecodeError::Json { .. }, .. }), "{cause:?}")
        }
        other => panic!("expected a stream error item, got {other:?}"),
    }
}

async fn expect_cid(stream: &mut EventStream, states: &mut Vec<ConnectionState>, uuid: &str) {
    match next(stream, states).await {
        Ok(Notification::Event(Event::CidAlarm(a))) => {
            assert_eq!(a.cid.uuid.as_deref(), Some(uuid));
            assert_eq!(a.cid.code, Some(CidCode::InstantAlarm));
        }
        other => panic!("expected CID alarm {uuid}, got {other:?}"),
    }
}

#[test]
fn deep_parts_are_decode_errors_on_a_worker_stack_and_the_stream_goes_on() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(WORKER_STACK)
        .enable_all()
        .build()
        .unwrap();
    // Spawned, so that the stream is polled (and its parts decoded) on a worker thread.
    let test = rt.spawn(async {
        let response = [
            deep_subscribe_rsp(),
            alarm("after-rsp"),
            deep_unclosed_alert(),
            alarm("after-alert"),
            deep_json_rsp(),
            alarm("after-json"),
        ]
        .concat();
        let url = hostile_gateway(response).await;
        // The hostile gateway speaks only the alarm stream: no resync reads after subscribing.
        let client = Client::builder()
            .base_url(url)
            .credentials("admin", "secret")
            .events(EventStreamConfig::default().resync(false))
            .build()
            .unwrap();
        let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
        let mut states = Vec::new();
        assert_too_deep(next(&mut stream, &mut states).await);
        expect_cid(&mut stream, &mut states, "after-rsp").await;
        assert_too_deep(next(&mut stream, &mut states).await);
        expect_cid(&mut stream, &mut states, "after-alert").await;
        assert_json_error(next(&mut stream, &mut states).await);
        expect_cid(&mut stream, &mut states, "after-json").await;
        // One connection throughout: the bad parts did not cost a resubscription.
        assert_eq!(states, [ConnectionState::Connecting, ConnectionState::Connected]);
    });
    rt.block_on(test).expect("the stream task neither panics nor aborts");
}
