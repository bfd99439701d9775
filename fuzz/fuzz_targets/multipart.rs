//! The core `multipart/mixed` decoder fed arbitrary bytes in arbitrary chunkings, with limits
//! small enough to reach the too-large paths.
//!
//! Input: three control bytes (part limit, header limit, chunking seed), then the stream.
//! Checks: no panic; every part fits the part limit; once `next_part` returns `None` the decoder
//! holds no more than `max_buffered()`; `finish` ends with `None`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchpost_core::multipart::{boundary_from_content_type, DecoderConfig, MultipartDecoder, Part, PartError};

fn check(item: Result<Part, PartError>, max_part: usize) {
    match item {
        Ok(part) => {
            assert!(part.body.len() <= max_part, "part of {} bytes over the limit {max_part}", part.body.len());
            let _ = (part.content_type(), part.is_json(), part.is_xml());
        }
        Err(e) => {
            let _ = e.to_string();
            let _ = e.into_error("fuzz.multipart").to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [part_ctl, header_ctl, seed, stream @ ..] = data else { return };
    // The first line doubles as a Content-Type header value for the boundary parser.
    if let Some(line) = stream.split(|b| *b == b'\n').next() {
        let _ = boundary_from_content_type(&String::from_utf8_lossy(line));
    }
    let max_part = 16 + usize::from(*part_ctl) * 16;
    let max_header = 8 + usize::from(*header_ctl) * 4;
    let config = DecoderConfig::default().max_part_size(max_part).max_header_size(max_header);
    let mut decoder = MultipartDecoder::new("boundary", config);
    // Chunk sizes of 1 to 64 bytes from a small linear congruential generator.
    let mut state = u32::from(*seed) | 1;
    let mut rest = stream;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (state >> 16) as usize % 64).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        decoder.push(chunk);
        rest = tail;
        while let Some(item) = decoder.next_part() {
            check(item, max_part);
        }
        assert!(
            decoder.buffered_len() <= decoder.max_buffered(),
            "{} bytes buffered, more than {}",
            decoder.buffered_len(),
            decoder.max_buffered()
        );
    }
    let mut items = 0usize;
    while let Some(item) = decoder.finish() {
        check(item, max_part);
        items += 1;
        assert!(items <= stream.len() + 2, "finish does not end");
    }
    assert!(decoder.is_closed());
    assert!(decoder.next_part().is_none());
});
