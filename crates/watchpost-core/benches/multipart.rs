//! Multipart decoder throughput: N alarm-like parts of 0.5 KiB JSON fed in 16 KiB chunks, as a
//! Hikvision alarm stream arrives from the socket.
//!
//! Run with `cargo bench -p watchpost-core --features multipart --bench multipart`.
//! Prints the allocations per decoded part once (counted by a `System` wrapper installed as
//! the global allocator), then criterion's throughput figures.

use std::alloc::System;
use std::hint::black_box;

use criterion::{criterion_main, Criterion, Throughput};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use watchpost_core::multipart::{DecoderConfig, MultipartDecoder};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const BOUNDARY: &str = "MIME_boundary";
const PARTS: usize = 2000;
const CHUNK: usize = 16 * 1024;

/// A JSON event of exactly `len` bytes, shaped like an ISAPI `EventNotificationAlert`.
fn json_event(i: usize, len: usize) -> String {
    let mut s = format!(
        r#"{{"ipAddress":"10.0.0.{}","portNo":80,"protocol":"HTTP","macAddress":"44:19:b6:00:00:01","channelID":1,"dateTime":"2024-05-01T10:00:{:02}+08:00","activePostCount":{i},"eventType":"VMD","eventState":"active","eventDescription":"Motion alarm","pad":""#,
        i % 250,
        i % 60
    );
    while s.len() < len - 2 {
        s.push('x');
    }
    s.push_str("\"}");
    s
}

fn stream(parts: usize, content_length: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..parts {
        let body = json_event(i, 512);
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Type: application/json; charset=\"UTF-8\"\r\n").as_bytes(),
        );
        if content_length {
            out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// Decodes `input` fed in `CHUNK`-byte pieces; returns the number of parts.
fn decode(input: &[u8]) -> usize {
    let mut decoder = MultipartDecoder::new(BOUNDARY, DecoderConfig::default());
    let mut parts = 0;
    for chunk in input.chunks(CHUNK) {
        decoder.push(chunk);
        while let Some(part) = decoder.next_part() {
            black_box(part.map(|p| p.body.len()).unwrap_or(0));
            parts += 1;
        }
    }
    while let Some(part) = decoder.finish() {
        black_box(part.map(|p| p.body.len()).unwrap_or(0));
        parts += 1;
    }
    parts
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("multipart");
    for (name, content_length) in [("content_length", true), ("delimiter_only", false)] {
        let input = stream(PARTS, content_length);
        let region = Region::new(GLOBAL);
        let parts = decode(&input);
        let stats = region.change();
        assert_eq!(parts, PARTS);
        println!(
            "multipart/{name}: {PARTS} parts of 512 B, {} bytes in {} KiB chunks: {:.2} allocations/part, {:.0} bytes allocated/part",
            input.len(),
            CHUNK / 1024,
            stats.allocations as f64 / PARTS as f64,
            stats.bytes_allocated as f64 / PARTS as f64,
        );
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| b.iter(|| decode(black_box(&input))));
    }
    group.finish();
}

/// Criterion's entry point, in a private module so the generated `pub fn` needs no docs.
mod entry {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(entry::benches);
