//! End-to-end alarm stream throughput: events raised in the simulator, sent over loopback as
//! the gateway's multipart stream, decoded by `Client::subscribe` into typed events, on one
//! single-threaded runtime (client and simulator share one core).
//!
//! Run with `cargo bench -p hik-gateway --features sim --bench stream`.

use std::time::{Duration, Instant};

use criterion::{criterion_main, Criterion, Throughput};
use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{CidCode, Client, Event, EventStream, Notification, SubscribeRawRequest};
use watchpost_core::operation::ToRequest;

const BATCH: usize = 2000;

/// The wire size of one CID event part (multipart headers included), read from a raw stream.
async fn part_size(sim: &Simulator, client: &Client, dev: &str) -> usize {
    let req = SubscribeRawRequest::new(SubscribeDeviceMgmtMsg::all()).to_request().unwrap();
    let mut raw = client.pipeline().open_stream(req).await.unwrap().body;
    let first = raw.next().await.unwrap().unwrap();
    assert!(first.windows(22).any(|w| w == b"SubscribeDeviceMgmtRsp"));
    sim.raise_cid(dev, CidCode::BurglaryAlarm, 1);
    loop {
        let chunk = raw.next().await.unwrap().unwrap();
        if chunk.windows(8).any(|w| w == b"CIDAlarm") {
            return chunk.len();
        }
    }
}

async fn run_batch(sim: &Simulator, ids: &[String], stream: &mut EventStream) {
    for i in 0..BATCH {
        let r = sim.raise_cid(&ids[i % ids.len()], CidCode::BurglaryAlarm, (i % 16) as u32 + 1);
        assert_eq!(r.delivered, 1);
        if i % 64 == 63 {
            tokio::task::yield_now().await;
        }
    }
    let mut got = 0;
    while got < BATCH {
        if let Some(Ok(Notification::Event(Event::CidAlarm(_)))) = stream.next().await {
            got += 1;
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (sim, client) = rt.block_on(async {
        let mut config = SimConfig::default().devices(20);
        config.stream_capacity = 1 << 20;
        let sim = Simulator::start_with(config).await.unwrap();
        let client =
            Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build().unwrap();
        (sim, client)
    });
    let ids = sim.device_ids();
    let part = rt.block_on(part_size(&sim, &client, &ids[0]));
    println!("wire size of one CID event part: {part} bytes");
    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
    rt.block_on(async {
        while let Some(item) = stream.next().await {
            if matches!(item, Ok(Notification::Subscribed(_))) {
                break;
            }
        }
    });
    let mut g = c.benchmark_group("alarm_stream");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(15));
    for (name, throughput) in
        [("events", Throughput::Elements(BATCH as u64)), ("bytes", Throughput::Bytes((BATCH * part) as u64))]
    {
        g.throughput(throughput);
        g.bench_function(format!("sim_to_typed_events_x{BATCH}_{name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    rt.block_on(run_batch(&sim, &ids, &mut stream));
                    total += start.elapsed();
                }
                total
            })
        });
    }
    g.finish();
    rt.block_on(sim.shutdown());
}

/// The benchmark group.
fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
