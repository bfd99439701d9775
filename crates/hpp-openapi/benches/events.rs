//! Decode cost of Hik-Partner Pro alarm batches: a `mq/messages` batch of 100 messages of about
//! 0.5 KB (JSON and XML events of A.3, mixed) into typed `HppEvent`s, and on into `Alarm`s
//! (`from_message` then `to_alarm`, and the one-step `decode_alarm` that reads the JSON once).
//! Criterion reports events/s (one element = one message).
//!
//! Run with `cargo bench -p hpp-openapi --bench events`.

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{criterion_main, Criterion, Throughput};
use hpp_openapi::events::{decode_alarm, to_alarm, HppEvent};
use hpp_openapi::models::mq::MessageBatch;
use watchpost_core::alarm::AlarmSource;

#[path = "support/batch.rs"]
mod batch;

use batch::{batch_json, MESSAGES, TARGET_BYTES};

fn bench(c: &mut Criterion) {
    let body = batch_json();
    let batch: MessageBatch = serde_json::from_str(&body).expect("the bench batch is valid");
    assert_eq!(batch.list.len(), MESSAGES);
    for m in &batch.list {
        let size = m.alarm_text().len();
        assert!((TARGET_BYTES..=TARGET_BYTES + 64).contains(&size), "{size} bytes");
        let event = HppEvent::from_message(m).expect("every bench message decodes");
        assert!(event.kind().is_some(), "{event:?}");
    }
    let source = AlarmSource::new("hpp", "bench-app-key");
    let now = SystemTime::now();

    let mut g = c.benchmark_group("hpp_events");
    g.throughput(Throughput::Elements(MESSAGES as u64));
    g.bench_function("batch_to_events_100x512B", |b| {
        b.iter(|| {
            let batch: MessageBatch = serde_json::from_str(black_box(&body)).unwrap_or_default();
            let n = batch.list.iter().filter_map(|m| HppEvent::from_message(m).ok()).count();
            black_box(n)
        })
    });
    g.bench_function("batch_to_alarms_100x512B", |b| {
        b.iter(|| {
            let batch: MessageBatch = serde_json::from_str(black_box(&body)).unwrap_or_default();
            let alarms: Vec<_> = batch
                .list
                .iter()
                .filter_map(|m| HppEvent::from_message(m).ok().map(|e| to_alarm(m, &e, &source, now)))
                .collect();
            black_box(alarms)
        })
    });
    g.bench_function("batch_to_alarms_one_step_100x512B", |b| {
        b.iter(|| {
            let batch: MessageBatch = serde_json::from_str(black_box(&body)).unwrap_or_default();
            let alarms: Vec<_> =
                batch.list.iter().filter_map(|m| decode_alarm(m, &source, now).ok().map(|(_, a)| a)).collect();
            black_box(alarms)
        })
    });
    g.finish();
}

/// The benchmark group: 30 samples (each sample decodes one batch of 100 messages).
fn benches() {
    let mut c = Criterion::default().sample_size(30).configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
