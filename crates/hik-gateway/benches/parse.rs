//! Parse cost of alarm stream parts: 0.5 KB `EventNotificationAlert` JSON into typed events, alone
//! and behind the multipart decoder.
//!
//! Run with `cargo bench -p hik-gateway --bench parse`.

use std::hint::black_box;

use criterion::{criterion_main, Criterion, Throughput};
use hik_gateway::events::{parse_part, Event, Part};
use hik_gateway::CidCode;
use watchpost_core::multipart::{DecoderConfig, MultipartDecoder};

const EVENTS: usize = 1000;

/// A CID alarm part as the gateway sends it, padded to 512 bytes in `CIDDescribe`.
fn cid_event(i: usize) -> String {
    let code = &CidCode::KNOWN[i % CidCode::KNOWN.len()];
    let head = format!(
        r#"{{"EventNotificationAlert":{{"channelID":"1","dateTime":"2024-05-01T10:00:{:02}+08:00","activePostCount":1,"eventType":"CIDAlarm","eventState":"active","eventDescription":"CID event","devIndex":"2cd6716d-767f-4756-ac55-{:012x}","channelName":"Panel {i}","deviceID":"AX{i:04}","CIDAlarm":{{"subSys":{},"zoneNo":{},"CIDCode":"{}","CIDType":1,"timeZoneIdx":0,"triggerTime":"2024-05-01 10:00:00","uploadTime":"2024-05-01 10:00:01","CIDParam":"2,1,{},-1,-1,-1,-1,admin","UUID":"{i}","CIDDescribe":""#,
        i % 60,
        i,
        i % 4 + 1,
        i % 16 + 1,
        code.code(),
        i % 16 + 1,
    );
    let mut s = head;
    while s.len() < 512 - 4 {
        s.push('x');
    }
    s.push_str("\"}}}");
    s
}

fn heartbeat(i: usize) -> String {
    format!(
        r#"{{"EventNotificationAlert":{{"channelID":"1","dateTime":"2024-05-01T10:00:{:02}+08:00","activePostCount":{i},"eventType":"heartBeat","eventState":"active","eventDescription":"Heart Beat"}}}}"#,
        i % 60
    )
}

fn multipart(bodies: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for b in bodies {
        out.extend_from_slice(
            format!(
                "--boundary\r\nContent-Type: application/json; charset=\"UTF-8\"\r\nContent-Length: {}\r\n\r\n",
                b.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(b.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn bench(c: &mut Criterion) {
    let events: Vec<String> = (0..EVENTS).map(cid_event).collect();
    assert!(events.iter().all(|e| e.len() == 512));
    for e in &events[..3] {
        assert!(matches!(parse_part(None, e.as_bytes()), Ok(Part::Event(Event::CidAlarm(_)))));
    }
    let bytes: usize = events.iter().map(String::len).sum();

    let mut g = c.benchmark_group("parse_part");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function("cid_alarm_512B_x1000", |b| {
        b.iter(|| {
            for e in &events {
                black_box(parse_part(Some("application/json"), black_box(e.as_bytes())).ok());
            }
        })
    });
    let beats: Vec<String> = (0..EVENTS).map(heartbeat).collect();
    g.bench_function("heartbeat_x1000", |b| {
        b.iter(|| {
            for e in &beats {
                black_box(parse_part(Some("application/json"), black_box(e.as_bytes())).ok());
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("parse_part_bytes");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("cid_alarm_512B_x1000", |b| {
        b.iter(|| {
            for e in &events {
                black_box(parse_part(Some("application/json"), black_box(e.as_bytes())).ok());
            }
        })
    });
    g.finish();

    let stream = multipart(&events);
    let mut g = c.benchmark_group("decode_and_parse");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function("multipart_16KiB_chunks_x1000", |b| {
        b.iter(|| {
            let mut d = MultipartDecoder::new("boundary", DecoderConfig::default());
            let mut n = 0;
            for chunk in stream.chunks(16 * 1024) {
                d.push(chunk);
                while let Some(part) = d.next_part() {
                    if let Ok(part) = part {
                        if parse_part(part.content_type(), &part.body).is_ok() {
                            n += 1;
                        }
                    }
                }
            }
            assert_eq!(n, EVENTS);
        })
    });
    g.finish();
}

/// The benchmark group: 30 samples (each sample parses 1000 events).
fn benches() {
    let mut c = Criterion::default().sample_size(30).configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
