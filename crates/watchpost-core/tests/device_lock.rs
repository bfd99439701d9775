//! The per-device lock of the pipeline, over loopback HTTP against a server that counts the
//! requests in flight per device: with the option on, two calls to one device never overlap,
//! calls to two devices do, and the lock map empties when the calls end. Paused clock: the
//! server holds each request one virtual second, so the durations below are exact.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;
use watchpost_core::operation::{Operation, Request};
use watchpost_core::pipeline::Pipeline;

static DEVICE_GET: Operation = Operation::adhoc("t", "device.get", http::Method::GET, "/devices/{id}").idempotent(true);

/// Requests in flight now and at most, per device and in all.
#[derive(Default)]
struct Counts {
    now: HashMap<String, usize>,
    max: HashMap<String, usize>,
    total_now: usize,
    total_max: usize,
}

/// A keep-alive HTTP/1.1 server that answers every `GET /devices/<id>` after one second.
async fn counting_server() -> (String, Arc<Mutex<Counts>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counts = Arc::new(Mutex::new(Counts::default()));
    let shared = counts.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counts = shared.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end + 4);
                    let path = head.split(' ').nth(1).unwrap_or_default();
                    let device = path.trim_start_matches("/devices/").to_owned();
                    {
                        let mut c = counts.lock().unwrap();
                        let now = c.now.entry(device.clone()).or_default();
                        *now += 1;
                        let now = *now;
                        let max = c.max.entry(device.clone()).or_default();
                        *max = (*max).max(now);
                        c.total_now += 1;
                        c.total_max = c.total_max.max(c.total_now);
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    {
                        let mut c = counts.lock().unwrap();
                        *c.now.entry(device).or_default() -= 1;
                        c.total_now -= 1;
                    }
                    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                    if socket.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, counts)
}

fn pipeline(url: &str, serialize: bool) -> Pipeline {
    Pipeline::builder("t", url).serialize_per_device(serialize).build().unwrap()
}

fn call(p: &Pipeline, device: &str) -> impl std::future::Future<Output = watchpost_core::Result<()>> + 'static {
    let p = p.clone();
    let req = Request::new(&DEVICE_GET).path_param("id", device).device_key(Some(device.to_owned()));
    async move { p.execute(req).await.map(|_| ()) }
}

#[tokio::test(start_paused = true)]
async fn two_calls_to_one_device_are_sent_one_after_the_other() {
    let (url, counts) = counting_server().await;
    let p = pipeline(&url, true);
    let started = Instant::now();
    let (a, b) = tokio::join!(call(&p, "A"), call(&p, "A"));
    a.unwrap();
    b.unwrap();
    assert_eq!(counts.lock().unwrap().max["A"], 1, "never two requests to A at once");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(3),
        "the second waited for the first: {took:?}"
    );
    assert_eq!(p.devices_in_use(), 0);
}

#[tokio::test(start_paused = true)]
async fn calls_to_two_devices_do_not_wait_for_each_other() {
    let (url, counts) = counting_server().await;
    let p = pipeline(&url, true);
    let started = Instant::now();
    let (a, b) = tokio::join!(call(&p, "A"), call(&p, "B"));
    a.unwrap();
    b.unwrap();
    assert_eq!(counts.lock().unwrap().total_max, 2, "A and B were in flight together");
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test(start_paused = true)]
async fn without_the_option_calls_to_one_device_overlap() {
    // The counterpart of the first test: the server does see overlapping calls when the
    // pipeline does not serialise them (this is what the lock prevents).
    let (url, counts) = counting_server().await;
    let p = pipeline(&url, false);
    assert!(!p.serializes_per_device());
    let (a, b) = tokio::join!(call(&p, "A"), call(&p, "A"));
    a.unwrap();
    b.unwrap();
    assert_eq!(counts.lock().unwrap().max["A"], 2);
}

#[tokio::test(start_paused = true)]
async fn the_lock_map_holds_only_devices_in_use() {
    let (url, counts) = counting_server().await;
    let p = pipeline(&url, true);
    // 200 devices, three calls each, all at once.
    let calls: Vec<_> = (0..200).flat_map(|d| (0..3).map(move |_| d)).map(|d| call(&p, &format!("dev{d}"))).collect();
    let handles: Vec<_> = calls.into_iter().map(tokio::spawn).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(p.devices_in_use(), 200, "one entry per device, however many calls wait");
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(p.devices_in_use(), 0, "entries are removed when idle");
    {
        let c = counts.lock().unwrap();
        assert!(c.max.values().all(|&m| m == 1), "one call per device at a time");
        assert_eq!(c.max.len(), 200);
    }
    // A call cancelled while it waits for its turn leaves nothing behind either.
    let first = tokio::spawn(call(&p, "X"));
    let waiting = tokio::spawn(call(&p, "X"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    waiting.abort();
    first.await.unwrap().unwrap();
    assert_eq!(p.devices_in_use(), 0);
}
