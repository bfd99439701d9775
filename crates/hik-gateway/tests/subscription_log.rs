//! The simulator's subscription log: each alarm subscription's open and close instants, as the
//! gateway sees them, for tests that check who followed the stream when (the bridge's lease
//! tests). A client that drops its stream closes the span; an unsubscribe closes it at once.

use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimConfig, Simulator, SubscriptionSpan};
use hik_gateway::Notification;

/// Waits (up to 30 s) until the log shows `n` spans and returns them.
async fn spans(sim: &Simulator, n: usize, closed: usize) -> Vec<SubscriptionSpan> {
    for _ in 0..3000 {
        let log = sim.subscription_log();
        if log.len() == n && log.iter().filter(|s| s.closed.is_some()).count() == closed {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the log did not reach {n} spans, {closed} closed: {:?}", sim.subscription_log());
}

#[tokio::test]
async fn a_dropped_stream_and_an_unsubscribe_close_their_spans() {
    // Heartbeats every 200 ms: a closed connection is found on the next write at the latest.
    let sim = Simulator::start_with(SimConfig::default().heartbeat_interval(Duration::from_millis(200))).await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let before = SystemTime::now();
    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
    while !matches!(stream.next().await, Some(Ok(Notification::Subscribed(_)))) {}
    let open = spans(&sim, 1, 0).await;
    assert!(open[0].opened >= before);
    let dropped_at = SystemTime::now();
    drop(stream);
    let log = spans(&sim, 1, 1).await;
    let closed = log[0].closed.unwrap();
    assert!(closed >= dropped_at, "closed after the client went away");
    println!("close noticed {:?} after the drop", closed.duration_since(dropped_at).unwrap_or_default());

    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
    while !matches!(stream.next().await, Some(Ok(Notification::Subscribed(_)))) {}
    spans(&sim, 2, 1).await;
    stream.unsubscribe().await.unwrap();
    let log = spans(&sim, 2, 2).await;
    assert!(log[1].opened >= closed && log[1].id == log[0].id + 1, "{log:?}");
    sim.shutdown().await;
}
