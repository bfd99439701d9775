//! Memory held by one idle alarm subscription beyond its connection: the heap of `N` idle
//! `EventStream`s minus the heap of `N` bare streamed responses of the same subscription request
//! (same connection, same server side), each after three heartbeats. Target: < 64 KiB.
//!
//! Run with `cargo test -p hik-gateway --features sim --test idle_memory -- --nocapture` to see
//! the figures.

use std::alloc::System;
use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::Simulator;
use hik_gateway::{Client, Notification, SubscribeRawRequest};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use watchpost_core::operation::ToRequest;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes currently allocated on the heap (process-wide).
fn live_heap() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64
}

const N: usize = 40;

async fn settle() {
    // Three heartbeats (10 s each) on every stream, then let the tasks run dry.
    tokio::time::sleep(Duration::from_secs(35)).await;
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn an_idle_subscription_holds_less_than_64_kib_beyond_its_connection() {
    let sim = Simulator::start().await.unwrap();
    // The simulator runs in this process: its request journal would count as the client's.
    sim.journal().set_capacity(0);
    // One client per phase, so that neither reuses connections the other pooled.
    let new_client =
        || Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build().unwrap();
    let (raw_client, client) = (new_client(), new_client());
    // Warm-up: authenticate both, and open and close one stream of each kind (lazy statics).
    raw_client.login_check().await.unwrap();
    client.login_check().await.unwrap();
    {
        let mut s = client.subscribe(SubscribeDeviceMgmtMsg::all());
        while !matches!(s.next().await, Some(Ok(Notification::Subscribed(_)))) {}
        let req = SubscribeRawRequest::new(SubscribeDeviceMgmtMsg::all()).to_request().unwrap();
        let mut raw = raw_client.pipeline().open_stream(req).await.unwrap().body;
        raw.next().await;
    }
    sim.end_streams();
    settle().await;

    // N bare connections: the streamed response of the same request, read and discarded.
    let base = live_heap();
    let mut raw_tasks = Vec::new();
    for _ in 0..N {
        let req = SubscribeRawRequest::new(SubscribeDeviceMgmtMsg::all()).to_request().unwrap();
        let mut body = raw_client.pipeline().open_stream(req).await.unwrap().body;
        raw_tasks.push(tokio::spawn(async move { while body.next().await.is_some() {} }));
    }
    settle().await;
    let raw = live_heap() - base;
    assert_eq!(sim.live_subscriptions(), N);
    for t in raw_tasks {
        t.abort();
    }
    sim.end_streams();
    settle().await;

    // N idle subscriptions through the client.
    let base = live_heap();
    let mut tasks = Vec::new();
    for _ in 0..N {
        let mut s = client.subscribe(SubscribeDeviceMgmtMsg::all());
        tasks.push(tokio::spawn(async move {
            let mut beats = 0u64;
            while let Some(item) = s.next().await {
                if let Ok(Notification::Event(e)) = item {
                    beats += u64::from(e.is_heartbeat());
                }
            }
            beats
        }));
    }
    settle().await;
    let full = live_heap() - base;
    assert_eq!(sim.live_subscriptions(), N);

    let per_raw = raw / N as i64;
    let per_full = full / N as i64;
    let beyond = per_full - per_raw;
    println!("idle subscription heap (client and simulator in one process, {N} of each):");
    println!("  bare streamed response: {per_raw} B each");
    println!("  EventStream:            {per_full} B each");
    println!("  beyond the connection:  {beyond} B each (target < 65536)");
    assert!(beyond < 64 * 1024, "an idle subscription holds {beyond} B beyond its connection");
    for t in tasks {
        t.abort();
    }
    sim.shutdown().await;
}
