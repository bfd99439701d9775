//! Bridge throughput into a real `nats-server -js` (file storage), against the floor: the same
//! publish loop written directly on async-nats.
//!
//! Run with
//!
//! ```text
//! cargo bench -p watchpost-bridge --bench throughput
//! ```
//!
//! It needs the `nats-server` binary (`apt-get install nats-server`, or
//! `$WATCHPOST_NATS_SERVER`) and fails when it is missing.
//!
//! - `bridge_throughput/publisher_run`: a batch of [`BATCH`] alarms through
//!   [`Publisher::run`] (window 64, the default) until every one is stored and acknowledged.
//! - `bridge_throughput/async_nats_direct`: the floor: the same alarms, the same subject,
//!   `Nats-Msg-Id` and JSON payload, published with `publish_with_headers` and their
//!   acknowledgements awaited with at most the same 64 outstanding.
//! - `bridge_throughput/end_to_end_from_simulator`: alarms raised in a simulated Device
//!   Gateway, received over its alarm stream (`EventStream::alarms`) and published through
//!   `Publisher::run`.
//!
//! The first two are fed the same alarms, collected once from a simulated Device Gateway
//! before measuring: with the simulator running inside the loop, its event generation and the
//! stream decoding would share the machine's two cores with the server and the publisher in
//! both measurements, and the comparison is about the publisher's own cost. The third gives
//! the whole path. Each batch publishes under a source name of its own so that no message id
//! repeats (JetStream would drop a repeat as a duplicate without storing it).
//!
//! After the criterion figures, a latency pass prints the publish latency (taken from the feed,
//! or handed to the loop, until JetStream's acknowledgement) at p50/p99 for both loops.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use async_nats::HeaderMap;
use criterion::{criterion_main, Criterion, Throughput};
use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use hik_gateway::events::AlarmItem;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{CidCode, EventStreamConfig};
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{
    alarm_subject, connect, ensure_stream, message_id, AlarmFeed, FeedEnd, FeedItem, PublishSettings, Publisher,
    StreamSettings,
};
use watchpost_core::alarm::{AckGroup, Alarm, AlarmSource, Delivery};

/// Alarms per measured batch.
const BATCH: usize = 4000;
/// Panels of the simulated gateway the alarms come from.
const PANELS: u32 = 20;

static BATCHES: AtomicU64 = AtomicU64::new(0);

/// A source name no earlier batch used.
fn fresh_source(kind: &str) -> String {
    format!("bench-{kind}-{}", BATCHES.fetch_add(1, Ordering::Relaxed))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Raises `n` CID alarms spread over the panels and zones of `sim`.
async fn raise(sim: &Simulator, ids: &[String], n: usize) {
    for i in 0..n {
        let dev = &ids[i % ids.len()];
        sim.raise_cid(dev, CidCode::BurglaryAlarm, (i % 16) as u32 + 1);
        if i % 64 == 63 {
            tokio::task::yield_now().await;
        }
    }
}

/// A simulated gateway and a client following its alarms without resync (each measured batch
/// subscribes afresh; a resync would report the zones left in alarm by the earlier batches).
async fn gateway() -> (Simulator, hik_gateway::Client) {
    let mut config = SimConfig::default().devices(PANELS);
    config.stream_capacity = 1 << 20;
    let sim = Simulator::start_with(config).await.expect("simulator");
    let client = sim.client_builder().events(EventStreamConfig::default().resync(false)).build().expect("client");
    (sim, client)
}

/// The alarm stream of `client` as a feed of its first `n` alarms, once subscribed.
async fn gateway_feed(client: &hik_gateway::Client, name: String, n: usize) -> AlarmFeed {
    let source = AlarmSource::new("hik-gateway", client.base_url());
    let mut items = client.subscribe(SubscribeDeviceMgmtMsg::all()).alarms(source);
    let mut watch = items.state();
    // Drive the stream until it is subscribed, so that no alarm raised next is missed (nothing
    // was raised yet: an item before that is no alarm).
    loop {
        tokio::select! {
            _ = watch.wait_for(|s| *s == hik_gateway::ConnectionState::Connected) => break,
            item = items.next() => assert!(item.is_some(), "the alarm stream ended"),
        }
    }
    let alarms = items
        .filter_map(|item| async move {
            match item {
                Ok(AlarmItem::Alarm(delivery)) => Some(FeedItem::Alarm(delivery)),
                _ => None,
            }
        })
        .take(n);
    AlarmFeed::new(name, alarms.boxed())
}

/// `n` alarms collected from a simulated gateway.
async fn collect_alarms(n: usize) -> Vec<Alarm> {
    let (sim, client) = gateway().await;
    let source = AlarmSource::new("hik-gateway", client.base_url());
    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all()).alarms(source);
    let mut watch = stream.state();
    let ids = sim.device_ids();
    let raiser = async {
        let _ = watch.wait_for(|s| *s == hik_gateway::ConnectionState::Connected).await;
        raise(&sim, &ids, n).await;
    };
    let collect = async {
        let mut alarms = Vec::with_capacity(n);
        while alarms.len() < n {
            if let Some(Ok(AlarmItem::Alarm(delivery))) = stream.next().await {
                alarms.push(delivery.ack());
            }
        }
        alarms
    };
    let ((), alarms) = tokio::join!(raiser, collect);
    sim.shutdown().await;
    alarms
}

/// One batch through [`Publisher::run`]; returns how long it took.
async fn bridge_batch(publisher: &Publisher, alarms: &[Alarm]) -> Duration {
    let (group, acks) = AckGroup::new(alarms.len());
    let items: Vec<FeedItem> =
        alarms.iter().cloned().zip(acks).map(|(alarm, ack)| FeedItem::Alarm(Delivery::new(alarm, ack))).collect();
    let feed = AlarmFeed::new(fresh_source("bridge"), futures_util::stream::iter(items).boxed());
    let start = Instant::now();
    let summary = publisher.run(feed, std::future::pending()).await;
    let took = start.elapsed();
    assert_eq!(summary.end, FeedEnd::Exhausted);
    assert_eq!(summary.alarms, alarms.len() as u64, "every alarm stored");
    assert_eq!(summary.duplicates, 0, "no duplicate in a fresh batch");
    assert!(group.settled().await.all_acked(), "every alarm acknowledged");
    took
}

/// The floor: the same alarms published directly on async-nats, at most `window` outstanding;
/// `latencies` (if given) receives each alarm's publish-to-acknowledgement time. Like the
/// publisher, it owns the alarms it is handed (cloned before the clock starts) and drops each
/// once published.
async fn direct_batch(
    js: &jetstream::Context,
    alarms: Vec<Alarm>,
    window: usize,
    latencies: Option<&Mutex<Vec<Duration>>>,
) -> Duration {
    let source = fresh_source("direct");
    let count = alarms.len();
    let start = Instant::now();
    let mut in_flight = FuturesUnordered::new();
    let mut stored = 0usize;
    for alarm in alarms {
        while in_flight.len() >= window {
            if let Some(took) = in_flight.next().await {
                stored += 1;
                if let Some(l) = latencies {
                    lock(l).push(took);
                }
            }
        }
        let begun = Instant::now();
        let subject = alarm_subject("watchpost", &source, &alarm);
        let id = message_id(&source, &alarm);
        let payload = serde_json::to_vec(&alarm).expect("alarm as JSON");
        drop(alarm);
        let mut headers = HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, id.as_str());
        headers.insert("Watchpost-Source", source.as_str());
        let ack = js.publish_with_headers(subject, headers, payload.into()).await.expect("publish");
        in_flight.push(async move {
            let stored = ack.await.expect("stored");
            assert!(!stored.duplicate, "no duplicate in a fresh batch");
            begun.elapsed()
        });
    }
    while let Some(took) = in_flight.next().await {
        stored += 1;
        if let Some(l) = latencies {
            lock(l).push(took);
        }
    }
    let took = start.elapsed();
    assert_eq!(stored, count);
    took
}

/// One batch through [`Publisher::run`], recording each alarm's time from leaving the feed to
/// its acknowledgement (one acknowledgement group per alarm, watched in order).
async fn bridge_latencies(publisher: &Publisher, alarms: &[Alarm], out: &Mutex<Vec<Duration>>) {
    let taken: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; alarms.len()]));
    let mut groups = Vec::with_capacity(alarms.len());
    let mut items = Vec::with_capacity(alarms.len());
    for alarm in alarms {
        let (group, acks) = AckGroup::new(1);
        let ack = acks.into_iter().next().expect("one ack");
        groups.push(group);
        items.push(FeedItem::Alarm(Delivery::new(alarm.clone(), ack)));
    }
    let marks = taken.clone();
    let feed = futures_util::stream::iter(items.into_iter().enumerate())
        .map(move |(i, item)| {
            if let Some(slot) = lock(&marks).get_mut(i) {
                *slot = Some(Instant::now());
            }
            item
        })
        .boxed();
    let feed = AlarmFeed::new(fresh_source("bridge-latency"), feed);
    let watcher = async {
        let mut done = Vec::with_capacity(groups.len());
        for group in groups {
            let _ = group.settled().await;
            done.push(Instant::now());
        }
        done
    };
    let (summary, done) = tokio::join!(publisher.run(feed, std::future::pending()), watcher);
    assert_eq!(summary.alarms, alarms.len() as u64);
    let taken = lock(&taken);
    let mut out = lock(out);
    for (t, d) in taken.iter().zip(done) {
        if let Some(t) = t {
            out.push(d.saturating_duration_since(*t));
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1).min(sorted.len().saturating_sub(1))).copied().unwrap_or_default()
}

fn print_latencies(what: &str, latencies: &Mutex<Vec<Duration>>) {
    let mut l = lock(latencies).clone();
    l.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "publish latency, {what}: {} alarms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        l.len(),
        ms(percentile(&l, 50.0)),
        ms(percentile(&l, 99.0)),
        ms(percentile(&l, 100.0))
    );
}

fn bench(c: &mut Criterion) {
    let server = NatsServer::start().unwrap_or_else(|e| panic!("this benchmark needs nats-server: {e}"));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (js, publisher, alarms, gw) = rt.block_on(async {
        let client = connect(&server.url()).await.expect("connect to nats-server");
        let js = jetstream::new(client);
        ensure_stream(&js, &StreamSettings::default()).await.expect("stream");
        let publisher = Publisher::new(js.clone(), PublishSettings::default());
        let alarms = collect_alarms(BATCH).await;
        (js, publisher, alarms, gateway().await)
    });
    let window = publisher.settings().window;
    let (sim, client) = gw;
    let ids = sim.device_ids();

    let mut group = c.benchmark_group("bridge_throughput");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.bench_function("publisher_run", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += bridge_batch(&publisher, &alarms).await;
                }
                total
            })
        });
    });
    group.bench_function("async_nats_direct", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += direct_batch(&js, alarms.clone(), window, None).await;
                }
                total
            })
        });
    });
    group.bench_function("end_to_end_from_simulator", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let feed = gateway_feed(&client, fresh_source("e2e"), BATCH).await;
                    let start = Instant::now();
                    let (summary, ()) =
                        tokio::join!(publisher.run(feed, std::future::pending()), raise(&sim, &ids, BATCH));
                    total += start.elapsed();
                    assert_eq!(summary.alarms, BATCH as u64, "every raised alarm stored");
                }
                total
            })
        });
    });
    group.finish();

    // Latency pass: the same number of batches for both, alternating.
    let bridge = Mutex::new(Vec::new());
    let direct = Mutex::new(Vec::new());
    rt.block_on(async {
        for _ in 0..5 {
            bridge_latencies(&publisher, &alarms, &bridge).await;
            direct_batch(&js, alarms.clone(), window, Some(&direct)).await;
        }
    });
    print_latencies("Publisher::run (window 64)", &bridge);
    print_latencies("async-nats direct (64 outstanding)", &direct);
    rt.block_on(sim.shutdown());
    drop(server);
}

/// The benchmark group.
fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
