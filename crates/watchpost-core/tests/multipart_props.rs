//! Properties of the multipart decoder: chunking never changes the result of a valid stream,
//! arbitrary input never panics, and buffered memory stays within the configured limits.
#![cfg(feature = "multipart")]

use proptest::prelude::*;
use watchpost_core::multipart::{DecoderConfig, MultipartDecoder, Part, PartError};

const BOUNDARY: &str = "wpB0undary";

type Items = Vec<Result<Part, PartError>>;

/// Feeds `chunks` one by one, draining after each, then finishes. Checks the memory bound
/// after every drain.
fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>, config: DecoderConfig) -> Items {
    let mut decoder = MultipartDecoder::new(BOUNDARY, config);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(item) = decoder.next_part() {
            out.push(item);
        }
        assert!(
            decoder.buffered_len() <= decoder.max_buffered(),
            "buffered {} > bound {}",
            decoder.buffered_len(),
            decoder.max_buffered()
        );
    }
    while let Some(item) = decoder.finish() {
        out.push(item);
    }
    assert_eq!(decoder.buffered_len(), 0);
    out
}

fn decode_one_shot(input: &[u8], config: DecoderConfig) -> Items {
    decode_chunks([input], config)
}

/// Splits `input` at the given cut points (sorted and clamped here).
fn split_at_points(input: &[u8], mut cuts: Vec<usize>) -> Vec<&[u8]> {
    cuts.iter_mut().for_each(|c| *c = (*c).min(input.len()));
    cuts.sort_unstable();
    let mut chunks = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts {
        chunks.push(&input[start..cut]);
        start = cut;
    }
    chunks.push(&input[start..]);
    chunks
}

/// A hand-written stream with most of what devices send: preamble, CRLF and LF-only parts,
/// parts with and without Content-Length, near-miss boundaries, padding, folded headers, an
/// epilogue.
fn sample_stream() -> (Vec<u8>, Vec<&'static [u8]>) {
    let b = BOUNDARY;
    let json = r#"{"eventType":"heartBeat","dateTime":"2024-05-01T10:00:00+08:00"}"#;
    let xml = "<EventNotificationAlert><eventType>VMD</eventType></EventNotificationAlert>";
    let near_miss = format!("line\r\n--{b}x\r\n--{b}-\r\n-- {b}\r\nend");
    let text = format!(
        "This is the preamble. --{b}nope\r\n\
         --{b}\r\nContent-Type: application/json\r\nContent-Length: {jl}\r\n\r\n{json}\r\n\
         --{b}\r\ncontent-type: application/xml\r\n\r\n{xml}\r\n\
         --{b}  \t\nCONTENT-LENGTH:   {jl}  \nX-Folded: a\n  b\n\n{json}\n\
         --{b}\r\nContent-Length: {nl}\r\n\r\n{near_miss}--{b}\r\n\r\n{near_miss}\r\n\
         --{b}\r\nContent-Length: 0\r\n\r\n\r\n\
         --{b}--\r\nepilogue --{b}\r\n\r\nignored\r\n",
        jl = json.len(),
        nl = near_miss.len(),
    );
    let near_miss: &'static str = Box::leak(near_miss.into_boxed_str());
    let bodies: Vec<&'static [u8]> =
        vec![json.as_bytes(), xml.as_bytes(), json.as_bytes(), near_miss.as_bytes(), near_miss.as_bytes(), b""];
    (text.into_bytes(), bodies)
}

fn ok_bodies(items: &Items) -> Vec<&[u8]> {
    items.iter().map(|i| &i.as_ref().expect("only good parts in a valid stream").body[..]).collect()
}

#[test]
fn sample_stream_decodes_to_the_expected_parts() {
    let (input, expected) = sample_stream();
    let items = decode_one_shot(&input, DecoderConfig::default());
    assert_eq!(ok_bodies(&items), expected);
    assert!(items[0].as_ref().unwrap().is_json());
    assert!(items[1].as_ref().unwrap().is_xml());
    assert_eq!(items[2].as_ref().unwrap().headers.get("x-folded").unwrap(), "a b");
}

#[test]
fn every_two_chunk_split_gives_the_same_parts() {
    let (input, _) = sample_stream();
    let config = DecoderConfig::default();
    let reference = decode_one_shot(&input, config);
    for cut in 0..=input.len() {
        let items = decode_chunks(split_at_points(&input, vec![cut]), config);
        assert_eq!(items, reference, "split at {cut}");
    }
}

#[test]
fn every_two_chunk_split_of_a_stream_without_close_delimiter() {
    // Ends with a CL part, then a part without length and without closing delimiter.
    let b = BOUNDARY;
    let input = format!("--{b}\r\nContent-Length: 5\r\n\r\nfirst\r\n--{b}\r\n\r\nlast part\r\n");
    let config = DecoderConfig::default();
    let reference = decode_one_shot(input.as_bytes(), config);
    assert_eq!(ok_bodies(&reference), vec![&b"first"[..], b"last part"]);
    for cut in 0..=input.len() {
        assert_eq!(decode_chunks(split_at_points(input.as_bytes(), vec![cut]), config), reference, "split at {cut}");
    }
}

#[test]
fn every_two_chunk_split_with_limits_and_errors() {
    // A too-large part, bad headers, then a good part: errors do not depend on chunking.
    let b = BOUNDARY;
    let input = format!(
        "--{b}\r\n\r\n{big}\r\n--{b}\r\nno colon\r\n\r\nx\r\n--{b}\r\nContent-Length: {big_len}\r\n\r\n{big}\r\n\
         --{b}\r\nX-Long: {long}\r\n\r\ny\r\n--{b}\r\nContent-Length: 2\r\n\r\nok\r\n--{b}\r\nContent-Length: 9\r\n\r\ncut",
        big = "z".repeat(40),
        big_len = 40,
        long = "h".repeat(80),
    );
    let config = DecoderConfig::default().max_part_size(32).max_header_size(64);
    let reference = decode_one_shot(input.as_bytes(), config);
    assert_eq!(
        reference.iter().map(|r| r.as_ref().map(|p| &p.body[..]).map_err(Clone::clone)).collect::<Vec<_>>(),
        vec![
            Err(PartError::TooLarge { limit: 32 }),
            Err(PartError::BadHeaders { reason: "header line without a colon" }),
            Err(PartError::TooLarge { limit: 32 }),
            Err(PartError::HeadersTooLarge { limit: 64 }),
            Ok(&b"ok"[..]),
            Err(PartError::Truncated { expected: 9, got: 3 }),
        ]
    );
    for cut in 0..=input.len() {
        assert_eq!(decode_chunks(split_at_points(input.as_bytes(), vec![cut]), config), reference, "split at {cut}");
    }
}

/// One generated part.
#[derive(Debug, Clone)]
struct PartSpec {
    body: Vec<u8>,
    content_length: bool,
    lf_only: bool,
    /// Content-Length parts only: the delimiter follows the body without a line break.
    glued: bool,
    content_type: Option<&'static str>,
}

fn part_spec() -> impl Strategy<Value = PartSpec> {
    (
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200),
            proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'-'), Just(b'a')], 0..40),
        ],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(None), Just(Some("application/json")), Just(Some("text/xml; charset=utf-8"))],
    )
        .prop_map(|(mut body, content_length, lf_only, glued, content_type)| {
            // A body never holds the boundary (that is what boundaries are chosen for).
            let dash = format!("--{BOUNDARY}");
            while let Some(at) = body.windows(dash.len()).position(|w| w == dash.as_bytes()) {
                body.remove(at);
            }
            // With LF-only framing and no length, a body ending in CR is ambiguous.
            while !content_length && lf_only && body.last() == Some(&b'\r') {
                body.pop();
            }
            PartSpec { body, content_length, lf_only, glued: glued && content_length, content_type }
        })
}

/// A valid stream of `parts`, with its expected bodies.
fn build_stream(parts: &[PartSpec], preamble: bool, close: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if preamble {
        out.extend_from_slice(b"preamble text\r\n");
    }
    for (i, part) in parts.iter().enumerate() {
        let nl: &[u8] = if part.lf_only { b"\n" } else { b"\r\n" };
        if i == 0 || !parts[i - 1].glued {
            // The delimiter's own line break belongs to the end of the previous part.
            if i > 0 {
                out.extend_from_slice(if parts[i - 1].lf_only { b"\n" } else { b"\r\n" });
            }
        }
        out.extend_from_slice(format!("--{BOUNDARY}").as_bytes());
        out.extend_from_slice(nl);
        if let Some(ct) = part.content_type {
            out.extend_from_slice(format!("content-TYPE: {ct}").as_bytes());
            out.extend_from_slice(nl);
        }
        if part.content_length {
            out.extend_from_slice(format!("Content-Length: {}", part.body.len()).as_bytes());
            out.extend_from_slice(nl);
        }
        out.extend_from_slice(nl);
        out.extend_from_slice(&part.body);
    }
    let last_nl: &[u8] = match parts.last() {
        Some(p) if p.glued => b"",
        Some(p) if p.lf_only => b"\n",
        _ => b"\r\n",
    };
    if close {
        out.extend_from_slice(last_nl);
        out.extend_from_slice(format!("--{BOUNDARY}--\r\nepilogue").as_bytes());
    } else if !parts.last().is_some_and(|p| p.content_length) {
        // A part without length and without closing delimiter ends at the end of the input.
        out.extend_from_slice(last_nl);
    }
    out
}

proptest! {
    // 256 cases by default; set PROPTEST_CASES for a longer run.
    #[test]
    fn random_valid_streams_decode_to_their_parts_under_any_chunking(
        parts in proptest::collection::vec(part_spec(), 0..8),
        preamble in any::<bool>(),
        close in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let input = build_stream(&parts, preamble, close);
        let config = DecoderConfig::default();
        let reference = decode_one_shot(&input, config);
        let bodies: Vec<&[u8]> = parts.iter().map(|p| &p.body[..]).collect();
        let got: Vec<&[u8]> = reference.iter().map(|r| r.as_ref().map(|p| &p.body[..]).unwrap_or(b"<error>")).collect();
        prop_assert_eq!(got, bodies);
        for (item, spec) in reference.iter().zip(&parts) {
            let part = item.as_ref().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(part.content_type(), spec.content_type);
        }
        let cuts: Vec<usize> = cuts.into_iter().map(|c| c % (input.len() + 1)).collect();
        let chunked = decode_chunks(split_at_points(&input, cuts), config);
        prop_assert_eq!(chunked, reference);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(
        input in proptest::collection::vec(
            prop_oneof![
                4 => any::<u8>().prop_map(|b| vec![b]),
                1 => Just(format!("--{BOUNDARY}").into_bytes()),
                1 => Just(b"\r\n".to_vec()),
                1 => Just(b"\n".to_vec()),
                1 => Just(b"--".to_vec()),
                1 => Just(b"Content-Length: 7\r\n".to_vec()),
                1 => Just(b"Content-Length: 99999\n".to_vec()),
                1 => Just(vec![b' '; 70]),
                1 => Just(vec![b'x'; 50]),
            ],
            0..200,
        ).prop_map(|pieces| pieces.concat()),
        chunk in 1usize..64,
    ) {
        let config = DecoderConfig::default().max_part_size(48).max_header_size(40);
        decode_one_shot(&input, config);
        decode_chunks(input.chunks(chunk), config);
    }

    #[test]
    fn garbage_inserted_into_a_valid_stream_never_panics_and_stays_bounded(
        parts in proptest::collection::vec(part_spec(), 1..6),
        garbage in proptest::collection::vec(any::<u8>(), 1..100),
        at in any::<usize>(),
        chunk in 1usize..300,
    ) {
        let mut input = build_stream(&parts, false, true);
        let at = at % (input.len() + 1);
        input.splice(at..at, garbage);
        let config = DecoderConfig::default().max_part_size(150).max_header_size(64);
        let items = decode_chunks(input.chunks(chunk), config);
        // Garbage damages at most the parts around it; the decoder does not invent parts.
        prop_assert!(items.len() <= parts.len() + 2, "{} items for {} parts", items.len(), parts.len());
    }
}
