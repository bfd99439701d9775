//! Incremental `multipart/mixed` (and `multipart/x-mixed-replace`) decoder for endless streams.
//!
//! Alarm streams such as Hikvision ISAPI's `alertStream` or `subscribeDeviceMgmt` answer with a
//! `multipart/mixed; boundary=...` response that never ends: each event is one part, and the
//! delimiter after a part only arrives with the *next* event, maybe seconds later. A part is
//! therefore yielded as soon as it is complete (see [`MultipartDecoder`] for the exact rule),
//! not when the next delimiter shows up.
//!
//! The decoder is tolerant (preamble, LF-only line endings, missing final delimiter, header
//! names in any case, extra whitespace, wrong `Content-Length` either way, epilogue) and bounded:
//! it never buffers more than the limits of [`DecoderConfig`] plus a few bytes for a
//! delimiter, a bad part is reported as an error item and decoding continues with the next
//! one. Part bodies are zero-copy slices of the receive buffer.
//!
//! - [`MultipartDecoder`]: the push/pull state machine, usable with any byte source.
//! - [`decode_stream`]: an adapter from a body stream of [`Bytes`] to a stream of [`Part`]s.
//! - [`boundary_from_content_type`]: the `boundary` parameter of a `Content-Type` header.
//!
//! ```
//! use watchpost_core::multipart::{DecoderConfig, MultipartDecoder};
//!
//! let mut decoder = MultipartDecoder::new("boundary", DecoderConfig::default());
//! decoder.push(b"--boundary\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
//! // The part is complete (Content-Length satisfied): no need to wait for the next delimiter.
//! let part = decoder.next_part().expect("a part").expect("a good part");
//! assert!(part.is_json());
//! assert_eq!(&part.body[..], b"{}");
//! assert!(decoder.next_part().is_none());
//! ```

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use futures_util::Stream;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::HeaderMap;
use memchr::memmem;

use crate::error::{Error, TransportError};

/// Longest run of spaces and tabs accepted between a boundary and the end of its line
/// (RFC 2046 "transport padding"). Anything longer is not treated as a delimiter.
const MAX_PADDING: usize = 64;

/// One decoded part: its headers and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The part's headers (names are case-insensitive, as in [`HeaderMap`]).
    pub headers: HeaderMap,
    /// The part's body, a zero-copy slice of the receive buffer.
    pub body: Bytes,
}

impl Part {
    /// The part's `Content-Type`, when present and valid text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Whether the part's media type is JSON (`application/json`, `text/json`, `...+json`).
    pub fn is_json(&self) -> bool {
        self.media_type_ends_with("json")
    }

    /// Whether the part's media type is XML (`application/xml`, `text/xml`, `...+xml`).
    pub fn is_xml(&self) -> bool {
        self.media_type_ends_with("xml")
    }

    fn media_type_ends_with(&self, suffix: &str) -> bool {
        media_type_ends_with(&self.headers, suffix)
    }
}

fn media_type_ends_with(headers: &HeaderMap, suffix: &str) -> bool {
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let media = ct.split(';').next().unwrap_or_default().trim().as_bytes();
    media.len() >= suffix.len() && media[media.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Whether a JSON or XML body is a complete document (other media types: never known).
fn is_complete_document(headers: &HeaderMap, body: &[u8]) -> bool {
    (media_type_ends_with(headers, "json") || media_type_ends_with(headers, "xml"))
        && body_looks_complete(headers, body)
}

/// Whether the brackets and braces of a JSON text, outside strings, close exactly at its end
/// (a body cut after an inner `}` is not balanced).
fn json_is_balanced(body: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut opened = false;
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                opened = true;
            }
            b'}' | b']' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    opened && depth == 0 && !in_string
}

/// Whether a JSON or XML body ends the way a complete document does (`}`/`]`, or `>`), so a
/// `Content-Length` that cut it short is not trusted before the following bytes are seen.
/// Other media types are taken at their length.
fn body_looks_complete(headers: &HeaderMap, body: &[u8]) -> bool {
    let last = body.iter().rev().find(|b| !b.is_ascii_whitespace());
    if media_type_ends_with(headers, "json") {
        matches!(last, Some(b'}' | b']')) && json_is_balanced(body)
    } else if media_type_ends_with(headers, "xml") {
        last == Some(&b'>')
    } else {
        true
    }
}

/// The `boundary` parameter of a `Content-Type` such as `multipart/mixed; boundary="abc"`.
///
/// The parameter name is matched case-insensitively, whitespace around `;` and `=` is
/// ignored, and a quoted value may contain `;` and backslash escapes. The media type itself is
/// not checked (devices mislabel it). Returns `None` when there is no non-empty boundary.
pub fn boundary_from_content_type(ct: &str) -> Option<String> {
    let mut rest = ct.split_once(';')?.1;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ';' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return None;
        }
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        let name = rest[..name_end].trim();
        rest = &rest[name_end..];
        let Some(after_eq) = rest.strip_prefix('=') else { continue };
        let after_eq = after_eq.trim_start();
        let (value, tail) = if let Some(quoted) = after_eq.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    _ => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after_eq.find(';').unwrap_or(after_eq.len());
            (after_eq[..end].trim().to_owned(), &after_eq[end..])
        };
        rest = tail;
        if name.eq_ignore_ascii_case("boundary") {
            return (!value.is_empty()).then_some(value);
        }
    }
}

/// Limits of a [`MultipartDecoder`]: plain data, every field has a documented default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderConfig {
    /// Largest part body accepted; larger parts are reported as [`PartError::TooLarge`] and
    /// skipped without being buffered. Default is 1 MiB.
    pub max_part_size: usize,
    /// Largest header block (all header lines and the blank line) accepted; larger blocks are
    /// reported as [`PartError::HeadersTooLarge`] and the part is skipped. Default is 16 KiB.
    pub max_header_size: usize,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        // 1 MiB holds any event part (ISAPI JSON/XML events are 0.5-4 KiB) and a 1080p JPEG
        // snapshot; 16 KiB is the header limit common to HTTP servers (nginx large buffers).
        DecoderConfig { max_part_size: 1024 * 1024, max_header_size: 16 * 1024 }
    }
}

impl DecoderConfig {
    /// Sets [`DecoderConfig::max_part_size`].
    #[must_use]
    pub fn max_part_size(mut self, bytes: usize) -> Self {
        self.max_part_size = bytes;
        self
    }

    /// Sets [`DecoderConfig::max_header_size`].
    #[must_use]
    pub fn max_header_size(mut self, bytes: usize) -> Self {
        self.max_header_size = bytes;
        self
    }
}

/// Why one part could not be decoded. Decoding continues with the next part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartError {
    /// The part's body (declared by `Content-Length` or found by delimiter) is larger than
    /// [`DecoderConfig::max_part_size`]; it was discarded.
    TooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The part's header block is larger than [`DecoderConfig::max_header_size`]; the part was
    /// discarded.
    HeadersTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The part's header block is malformed; the part was discarded.
    BadHeaders {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The input ended inside a part's body before `Content-Length` bytes arrived.
    Truncated {
        /// The declared `Content-Length`.
        expected: usize,
        /// The body bytes that arrived.
        got: usize,
    },
    /// After a part was emitted on its `Content-Length`, the next bytes turned out not to be a
    /// delimiter: the declared length was too small but that could not be seen before the
    /// part was emitted (its remaining bytes had not arrived). The emitted body is therefore
    /// cut short, and the bytes up to the next delimiter were skipped.
    Misframed,
}

impl fmt::Display for PartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartError::TooLarge { limit } => write!(f, "multipart part larger than the limit of {limit} bytes"),
            PartError::HeadersTooLarge { limit } => {
                write!(f, "multipart part headers larger than the limit of {limit} bytes")
            }
            PartError::BadHeaders { reason } => write!(f, "malformed multipart part headers: {reason}"),
            PartError::Truncated { expected, got } => {
                write!(f, "multipart part cut off after {got} of {expected} bytes")
            }
            PartError::Misframed => {
                f.write_str("data after a multipart part is not a delimiter (wrong Content-Length); skipped")
            }
        }
    }
}

impl std::error::Error for PartError {}

impl PartError {
    /// Converts to a watchpost [`Error::Stream`] for operation `op` (class: retryable, the
    /// stream itself goes on).
    pub fn into_error(self, op: impl Into<String>) -> Error {
        Error::Stream { op: op.into(), message: self.to_string(), cause: None }
    }
}

/// Where the decoder is in the stream.
#[derive(Debug)]
enum State {
    /// Before the first delimiter: bytes are discarded.
    Preamble,
    /// After a delimiter line: collecting the header block.
    Headers,
    /// Collecting a body. `len` is the trusted `Content-Length` (`None`: unknown or found wrong).
    Body { headers: HeaderMap, len: Option<usize> },
    /// A part was emitted on its `Content-Length`: a delimiter must follow.
    AfterBody,
    /// Discarding a bad part up to the next delimiter.
    Skip,
    /// After the close delimiter: everything is ignored.
    Closed,
    /// `finish` returned its last item.
    Finished,
}

/// What a slice holds at a candidate delimiter position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// Not a delimiter.
    Invalid,
    /// Could be a delimiter, more bytes are needed to tell.
    Partial,
    /// A delimiter line of this many bytes; a part follows.
    Open(usize),
    /// The close delimiter (`--boundary--`).
    Close,
}

/// The result of scanning for the first delimiter.
#[derive(Debug, Clone, Copy)]
enum Scan {
    /// A delimiter (its `--boundary` starts at `at`).
    Found { at: usize, kind: Match },
    /// A candidate at `at` needs more bytes.
    Partial { at: usize },
    /// No delimiter starts before `resume`.
    NotFound { resume: usize },
}

/// A push/pull decoder for `multipart/*` bodies.
///
/// Feed bytes with [`push`](Self::push) as they arrive, then call
/// [`next_part`](Self::next_part) until it returns `None`; at the end of the input call
/// [`finish`](Self::finish) until it returns `None`.
///
/// # When a part is emitted
/// - With a `Content-Length` of `n` (at most [`DecoderConfig::max_part_size`]): as soon as `n`
///   body bytes have arrived and the bytes after them, as far as they have arrived, can be the
///   start of a delimiter (`\r\n--boundary`, `\n--boundary` or `--boundary`). The part does
///   not wait for the next delimiter.
/// - A delimiter that appears before `n` bytes wins (the declared length was too large).
/// - When the bytes after `n` are visibly not a delimiter (the declared length was too small),
///   the length is ignored and the part ends at the next delimiter. A JSON or XML body that
///   does not end like a complete document (`}`/`]`, `>`) at `n` bytes waits for those bytes
///   before it is emitted, so this is always seen for such parts. For other media types, if
///   those bytes had not arrived when the part was emitted, the part is emitted cut short, and a
///   [`PartError::Misframed`] item follows once the mismatch is seen; the bytes up to the
///   next delimiter are skipped.
/// - Without a (valid) `Content-Length`: at the next delimiter, or at [`finish`](Self::finish).
///   The line break before a delimiter is not part of the body.
///
/// # Memory
/// After `next_part` returned `None`, the decoder holds at most
/// [`max_buffered`](Self::max_buffered) bytes: `max(max_part_size, max_header_size)` plus the
/// length of a delimiter line (see [`buffered_len`](Self::buffered_len)). A too-large part or
/// header block is reported once and its bytes are discarded as they arrive.
#[derive(Debug)]
pub struct MultipartDecoder {
    buf: BytesMut,
    state: State,
    /// Where the next scan of `buf` starts (bytes before it were already examined).
    scan_from: usize,
    /// `--` followed by the boundary.
    dash_boundary: Box<[u8]>,
    finder: memmem::Finder<'static>,
    config: DecoderConfig,
}

impl MultipartDecoder {
    /// A decoder for parts delimited by `boundary` (without the leading `--`).
    pub fn new(boundary: &str, config: DecoderConfig) -> Self {
        let mut dash_boundary = Vec::with_capacity(boundary.len() + 2);
        dash_boundary.extend_from_slice(b"--");
        dash_boundary.extend_from_slice(boundary.as_bytes());
        let finder = memmem::Finder::new(&dash_boundary).into_owned();
        MultipartDecoder {
            buf: BytesMut::new(),
            state: State::Preamble,
            scan_from: 0,
            dash_boundary: dash_boundary.into_boxed_slice(),
            finder,
            config,
        }
    }

    /// Appends bytes received from the transport.
    pub fn push(&mut self, chunk: &[u8]) {
        if !matches!(self.state, State::Closed | State::Finished) {
            self.buf.extend_from_slice(chunk);
        }
    }

    /// The number of bytes currently buffered (for monitoring and tests).
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }

    /// The most bytes this decoder holds once [`next_part`](Self::next_part) returned `None`:
    /// the larger of the two limits plus a delimiter line (the boundary, its dashes, line
    /// breaks and transport padding).
    pub fn max_buffered(&self) -> usize {
        let limits = self.config.max_part_size.max(self.config.max_header_size);
        limits.saturating_add(self.dash_boundary.len()).saturating_add(MAX_PADDING + 6)
    }

    /// Whether the close delimiter (`--boundary--`) was seen or [`finish`](Self::finish) ran.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed | State::Finished)
    }

    /// The next complete part, an error for a bad part, or `None` when more input is needed.
    pub fn next_part(&mut self) -> Option<Result<Part, PartError>> {
        loop {
            match self.state {
                State::Preamble | State::Skip => match self.scan(self.scan_from, None) {
                    Scan::Found { at, kind } => self.consume_delimiter(at, kind),
                    Scan::Partial { at } | Scan::NotFound { resume: at } => {
                        self.buf.advance(at);
                        self.scan_from = 0;
                        return None;
                    }
                },
                State::Headers => {
                    if let Some(item) = self.step_headers() {
                        return Some(item);
                    }
                    if matches!(self.state, State::Headers) {
                        return None;
                    }
                }
                State::Body { .. } => return self.step_body(),
                State::AfterBody => match self.delimiter_at(&self.buf, true) {
                    Match::Partial => return None,
                    Match::Invalid => {
                        self.enter(State::Skip);
                        return Some(Err(PartError::Misframed));
                    }
                    // The length of an `Open` match counts the line break too.
                    kind => self.consume_delimiter(0, kind),
                },
                State::Closed | State::Finished => {
                    self.buf.clear();
                    return None;
                }
            }
        }
    }

    /// Ends the input: returns parts still pending, then a final part that had no closing
    /// delimiter, or the error for a part cut off; then `None`. Call until it returns `None`.
    /// Bytes pushed afterwards are ignored.
    pub fn finish(&mut self) -> Option<Result<Part, PartError>> {
        if let Some(item) = self.next_part() {
            return Some(item);
        }
        let state = std::mem::replace(&mut self.state, State::Finished);
        let item = match state {
            State::Headers if self.buf.iter().any(|b| !b.is_ascii_whitespace()) => {
                Some(Err(PartError::BadHeaders { reason: "header block cut off by the end of the stream" }))
            }
            State::Body { headers, len } => {
                let end = match self.scan(self.scan_from, len) {
                    // A delimiter cut off by the end of the input still ends the part.
                    Scan::Partial { at } | Scan::Found { at, .. } => Some(strip_line_break(&self.buf, at)),
                    Scan::NotFound { .. } => match len {
                        Some(expected) if self.buf.len() < expected && !is_complete_document(&headers, &self.buf) => {
                            let got = self.buf.len();
                            self.buf.clear();
                            return Some(Err(PartError::Truncated { expected, got }));
                        }
                        // Shorter than declared but a complete document: the length was wrong.
                        Some(expected) if self.buf.len() < expected => Some(self.trailing_partial_delimiter()),
                        Some(n) => Some(n),
                        None => Some(self.trailing_partial_delimiter()),
                    },
                };
                end.map(|end| self.emit(headers, end))
            }
            _ => None,
        };
        self.buf.clear();
        self.scan_from = 0;
        item
    }

    /// Switches state, resetting the scan position.
    fn enter(&mut self, state: State) {
        self.state = state;
        self.scan_from = 0;
    }

    /// Consumes a delimiter whose `--boundary` starts at `at` and moves to the next state.
    fn consume_delimiter(&mut self, at: usize, kind: Match) {
        match kind {
            Match::Open(len) => {
                self.buf.advance((at + len).min(self.buf.len()));
                self.enter(State::Headers);
            }
            _ => {
                self.buf.clear();
                self.enter(State::Closed);
            }
        }
    }

    /// Emits the first `end` bytes as the body of a part, or `TooLarge`.
    fn emit(&mut self, headers: HeaderMap, end: usize) -> Result<Part, PartError> {
        let end = end.min(self.buf.len());
        let body = self.buf.split_to(end).freeze();
        if body.len() > self.config.max_part_size {
            return Err(PartError::TooLarge { limit: self.config.max_part_size });
        }
        Ok(Part { headers, body })
    }

    fn step_headers(&mut self) -> Option<Result<Part, PartError>> {
        let limit = self.config.max_header_size;
        let mut line_start = self.scan_from;
        let block_end = loop {
            let Some(nl) = self.buf.get(line_start..).and_then(|rest| memchr::memchr(b'\n', rest)) else {
                self.scan_from = line_start;
                if self.buf.len() > limit {
                    self.enter(State::Skip);
                    return Some(Err(PartError::HeadersTooLarge { limit }));
                }
                return None;
            };
            let line_end = line_start + nl;
            let blank = self.buf.get(line_start..line_end).is_some_and(|l| l.iter().all(u8::is_ascii_whitespace));
            line_start = line_end + 1;
            if blank {
                break line_end + 1;
            }
        };
        if block_end > limit {
            self.enter(State::Skip);
            return Some(Err(PartError::HeadersTooLarge { limit }));
        }
        let block = self.buf.split_to(block_end).freeze();
        self.scan_from = 0;
        let headers = match parse_headers(&block) {
            Ok(h) => h,
            Err(e) => {
                // Keep the body bytes: the next delimiter is searched from here.
                self.enter(State::Skip);
                return Some(Err(e));
            }
        };
        let len =
            headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<usize>().ok());
        if let Some(n) = len {
            if n > self.config.max_part_size {
                self.enter(State::Skip);
                return Some(Err(PartError::TooLarge { limit: self.config.max_part_size }));
            }
        }
        self.enter(State::Body { headers, len });
        None
    }

    /// One step in `State::Body`: returns an item, or `None` when more input is needed.
    fn step_body(&mut self) -> Option<Result<Part, PartError>> {
        let State::Body { len, .. } = &self.state else { return None };
        let len = *len;
        let scan = self.scan(self.scan_from, len);
        match (scan, len) {
            (Scan::Found { at, kind }, _) => {
                let end = strip_line_break(&self.buf, at);
                let item = self.take_part(end);
                self.consume_delimiter(at - end, kind);
                Some(item)
            }
            (Scan::Partial { at }, _) => {
                self.scan_from = at;
                self.check_unbounded_size(at)
            }
            (Scan::NotFound { resume }, None) => {
                self.scan_from = resume;
                self.check_unbounded_size(resume)
            }
            (Scan::NotFound { resume }, Some(n)) => {
                self.scan_from = resume;
                let tail = self.buf.get(n..)?;
                let after = self.delimiter_at(tail, true);
                if after == Match::Invalid {
                    // Content-Length too small: fall back to the delimiter.
                    if let State::Body { len, .. } = &mut self.state {
                        *len = None;
                    }
                    return self.step_body();
                }
                if after == Match::Partial {
                    // The bytes that would confirm the length have not arrived. Emit now only if
                    // the body looks complete; a JSON/XML body cut mid-document waits for them,
                    // so a too-small Content-Length cannot lose an alarm at a read boundary.
                    let complete = match &self.state {
                        State::Body { headers, .. } => body_looks_complete(headers, &self.buf[..n]),
                        _ => true,
                    };
                    if !complete {
                        return None;
                    }
                }
                let item = self.take_part(n);
                self.enter(State::AfterBody);
                Some(item)
            }
        }
    }

    /// Takes the body (the first `end` bytes) and the headers of the current part.
    fn take_part(&mut self, end: usize) -> Result<Part, PartError> {
        let state = std::mem::replace(&mut self.state, State::Skip);
        let headers = match state {
            State::Body { headers, .. } => headers,
            _ => HeaderMap::new(),
        };
        self.emit(headers, end)
    }

    /// Without a trusted length: no delimiter starts before `boundary`, so the body is at least
    /// `boundary - 2` bytes long. Reports `TooLarge` (and starts skipping) when that is too much.
    fn check_unbounded_size(&mut self, boundary: usize) -> Option<Result<Part, PartError>> {
        let limit = self.config.max_part_size;
        if boundary.saturating_sub(2) > limit {
            self.buf.advance(boundary.min(self.buf.len()));
            self.enter(State::Skip);
            return Some(Err(PartError::TooLarge { limit }));
        }
        None
    }

    /// Finds the first delimiter in `buf[from..]`. With `before = Some(n)`, candidates starting
    /// at or after `n` are left to the `Content-Length` check (reported as `NotFound`).
    fn scan(&self, from: usize, before: Option<usize>) -> Scan {
        let buf = &self.buf[..];
        let mut pos = from.min(buf.len());
        while let Some(i) = buf.get(pos..).and_then(|rest| self.finder.find(rest)) {
            let at = pos + i;
            if before.is_some_and(|n| at >= n) {
                break;
            }
            match self.delimiter_at(buf.get(at..).unwrap_or_default(), false) {
                Match::Invalid => pos = at + 1,
                Match::Partial => return Scan::Partial { at },
                kind => return Scan::Found { at, kind },
            }
        }
        let resume = buf.len().saturating_sub(self.dash_boundary.len().saturating_sub(1)).max(pos);
        Scan::NotFound { resume: before.map_or(resume, |n| resume.min(n)) }
    }

    /// Whether `s` starts with a delimiter line: optionally (`line_break`) `\r\n` or `\n`, then
    /// `--boundary`, then `--` (close) or padding and a line break.
    fn delimiter_at(&self, s: &[u8], line_break: bool) -> Match {
        let mut i = 0;
        if line_break {
            match s.first() {
                None => return Match::Partial,
                Some(b'\r') => match s.get(1) {
                    None => return Match::Partial,
                    Some(b'\n') => i = 2,
                    Some(_) => return Match::Invalid,
                },
                Some(b'\n') => i = 1,
                Some(_) => {}
            }
        }
        let rest = s.get(i..).unwrap_or_default();
        let d = &self.dash_boundary[..];
        let common = rest.len().min(d.len());
        if rest.get(..common) != d.get(..common) {
            return Match::Invalid;
        }
        if rest.len() < d.len() {
            return Match::Partial;
        }
        i += d.len();
        match (s.get(i), s.get(i + 1)) {
            (Some(b'-'), Some(b'-')) => return Match::Close,
            (Some(b'-'), None) => return Match::Partial,
            (Some(b'-'), Some(_)) => return Match::Invalid,
            _ => {}
        }
        let pad_start = i;
        while matches!(s.get(i), Some(b' ' | b'\t')) {
            i += 1;
            if i - pad_start > MAX_PADDING {
                return Match::Invalid;
            }
        }
        match (s.get(i), s.get(i + 1)) {
            (None, _) | (Some(b'\r'), None) => Match::Partial,
            (Some(b'\n'), _) => Match::Open(i + 1),
            (Some(b'\r'), Some(b'\n')) => Match::Open(i + 2),
            _ => Match::Invalid,
        }
    }

    /// Where the body ends when the input ends without a delimiter: before a trailing cut-off
    /// delimiter (`\r\n--bou`, `\n--bo`, `--b`), else at the end.
    fn trailing_partial_delimiter(&self) -> usize {
        let len = self.buf.len();
        let from = len.saturating_sub(self.dash_boundary.len() + 2);
        (from..len)
            .find(|&j| {
                let tail = self.buf.get(j..).unwrap_or_default();
                let starts_ok = matches!(tail.first(), Some(b'\r' | b'\n')) || tail.starts_with(b"--");
                starts_ok && self.delimiter_at(tail, true) == Match::Partial
            })
            .unwrap_or(len)
    }
}

/// The end of a body that is followed by a delimiter at `at`: without the `\r\n` or `\n` before it.
fn strip_line_break(buf: &[u8], at: usize) -> usize {
    match buf.get(..at) {
        Some(b) if b.ends_with(b"\r\n") => at - 2,
        Some(b) if b.ends_with(b"\n") => at - 1,
        _ => at.min(buf.len()),
    }
}

/// Trims ASCII whitespace from both ends of `range` within `buf`.
fn trim_range(buf: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && buf.get(start).is_some_and(u8::is_ascii_whitespace) {
        start += 1;
    }
    while end > start && buf.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        end -= 1;
    }
    (start, end)
}

/// A header value being collected: a slice of the block, or owned bytes after a folded line.
enum PendingValue {
    Slice(usize, usize),
    Owned(Vec<u8>),
}

/// Parses a header block (lines ending in `\n` or `\r\n`, the last one blank) into a map.
/// Values are zero-copy slices of `block`, except for folded (continued) lines.
fn parse_headers(block: &Bytes) -> Result<HeaderMap, PartError> {
    let mut map = HeaderMap::new();
    let mut current: Option<(HeaderName, PendingValue)> = None;
    let mut line_start = 0;
    while let Some(nl) = block.get(line_start..).and_then(|rest| memchr::memchr(b'\n', rest)) {
        let line_end = line_start + nl;
        let (start, end) = trim_range(block, line_start, line_end);
        let folded = matches!(block.get(line_start), Some(b' ' | b'\t'));
        line_start = line_end + 1;
        if start == end {
            continue;
        }
        if folded {
            let Some((_, value)) = current.as_mut() else {
                return Err(PartError::BadHeaders { reason: "continuation line without a header" });
            };
            let mut owned = match std::mem::replace(value, PendingValue::Owned(Vec::new())) {
                PendingValue::Slice(a, b) => block.get(a..b).unwrap_or_default().to_vec(),
                PendingValue::Owned(v) => v,
            };
            owned.push(b' ');
            owned.extend_from_slice(block.get(start..end).unwrap_or_default());
            *value = PendingValue::Owned(owned);
            continue;
        }
        if let Some((name, value)) = current.take() {
            insert_header(&mut map, block, name, value)?;
        }
        let line = block.get(start..end).unwrap_or_default();
        let Some(colon) = memchr::memchr(b':', line) else {
            return Err(PartError::BadHeaders { reason: "header line without a colon" });
        };
        let (ns, ne) = trim_range(block, start, start + colon);
        let name = HeaderName::from_bytes(block.get(ns..ne).unwrap_or_default())
            .map_err(|_| PartError::BadHeaders { reason: "invalid header name" })?;
        let (vs, ve) = trim_range(block, start + colon + 1, end);
        current = Some((name, PendingValue::Slice(vs, ve)));
    }
    if let Some((name, value)) = current {
        insert_header(&mut map, block, name, value)?;
    }
    Ok(map)
}

fn insert_header(map: &mut HeaderMap, block: &Bytes, name: HeaderName, value: PendingValue) -> Result<(), PartError> {
    let value = match value {
        PendingValue::Slice(a, b) => HeaderValue::from_maybe_shared(block.slice(a..b)),
        PendingValue::Owned(v) => HeaderValue::from_bytes(&v),
    }
    .map_err(|_| PartError::BadHeaders { reason: "invalid header value" })?;
    map.append(name, value);
    Ok(())
}

pin_project_lite::pin_project! {
    /// A stream of [`Part`]s decoded from a body stream; see [`decode_stream`].
    #[must_use = "streams do nothing unless polled"]
    pub struct PartStream<S> {
        #[pin]
        body: S,
        decoder: MultipartDecoder,
        op: String,
        input: Input,
    }
}

/// Whether the body stream of a [`PartStream`] can still deliver bytes.
#[derive(Debug)]
enum Input {
    Open,
    Ended,
    /// The body failed: flush the parts already received, then report the error.
    Failed(Option<Error>),
    Done,
}

impl<S> PartStream<S> {
    /// Sets the operation id used in errors. Default is `"multipart"`.
    pub fn op(mut self, op: impl Into<String>) -> Self {
        self.op = op.into();
        self
    }

    /// The decoder (for example to read [`MultipartDecoder::buffered_len`]).
    pub fn decoder(&self) -> &MultipartDecoder {
        &self.decoder
    }
}

impl<S> fmt::Debug for PartStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartStream").field("decoder", &self.decoder).field("op", &self.op).finish_non_exhaustive()
    }
}

impl<S, E> Stream for PartStream<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<crate::error::BoxError>,
{
    type Item = Result<Part, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            match &*this.input {
                Input::Done => return Poll::Ready(None),
                Input::Failed(_) => {
                    // A part that was complete (or cut off) when the connection broke is
                    // delivered (or reported) before the transport error: nothing is dropped.
                    if let Some(item) = this.decoder.finish() {
                        return Poll::Ready(Some(item.map_err(|e| e.into_error(this.op.as_str()))));
                    }
                    let err = match std::mem::replace(&mut *this.input, Input::Done) {
                        Input::Failed(err) => err,
                        _ => None,
                    };
                    return Poll::Ready(err.map(Err));
                }
                Input::Ended => {
                    return Poll::Ready(match this.decoder.finish() {
                        Some(item) => Some(item.map_err(|e| e.into_error(this.op.as_str()))),
                        None => {
                            *this.input = Input::Done;
                            None
                        }
                    })
                }
                Input::Open => {}
            }
            if let Some(item) = this.decoder.next_part() {
                return Poll::Ready(Some(item.map_err(|e| e.into_error(this.op.as_str()))));
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.decoder.push(&chunk),
                Poll::Ready(Some(Err(e))) => {
                    let source = TransportError::body(e);
                    *this.input = Input::Failed(Some(Error::Transport { op: this.op.clone(), source }));
                }
                Poll::Ready(None) => *this.input = Input::Ended,
            }
        }
    }
}

/// Decodes a body stream (e.g. an HTTP response body) into parts as they complete.
///
/// A bad part yields an [`Error::Stream`] item and decoding goes on. A transport error from
/// `body` ends the stream with an [`Error::Transport`] (a body error), after the parts already
/// received: a complete last part (without delimiter, or with a wrong length) is delivered and
/// one cut off is reported as truncated, so a reset never drops a part silently. When `body`
/// ends normally, the same flush happens (see [`MultipartDecoder::finish`]). Errors carry the operation id
/// `"multipart"`; set another with [`PartStream::op`].
///
/// The returned stream is `Unpin` when `body` is.
pub fn decode_stream<S, E>(body: S, boundary: &str, config: DecoderConfig) -> PartStream<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<crate::error::BoxError>,
{
    PartStream {
        body,
        decoder: MultipartDecoder::new(boundary, config),
        op: "multipart".to_owned(),
        input: Input::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "frontier";

    fn decode_all(input: &[u8], config: DecoderConfig) -> Vec<Result<Part, PartError>> {
        let mut d = MultipartDecoder::new(B, config);
        d.push(input);
        let mut out = Vec::new();
        while let Some(item) = d.next_part() {
            out.push(item);
        }
        while let Some(item) = d.finish() {
            out.push(item);
        }
        out
    }

    fn bodies(items: &[Result<Part, PartError>]) -> Vec<Result<&[u8], PartError>> {
        items.iter().map(|r| r.as_ref().map(|p| &p.body[..]).map_err(Clone::clone)).collect()
    }

    fn json_part(body: &str) -> String {
        format!("--{B}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}\r\n", body.len())
    }

    #[test]
    fn boundary_parsing() {
        assert_eq!(boundary_from_content_type("multipart/mixed; boundary=abc").as_deref(), Some("abc"));
        assert_eq!(boundary_from_content_type("multipart/mixed;boundary=\"a;b c\"").as_deref(), Some("a;b c"));
        assert_eq!(
            boundary_from_content_type("multipart/x-mixed-replace ; charset=utf-8 ;  BOUNDARY = xyz ; q=1").as_deref(),
            Some("xyz")
        );
        assert_eq!(boundary_from_content_type("multipart/mixed; boundary=\"a\\\"b\"").as_deref(), Some("a\"b"));
        assert_eq!(boundary_from_content_type("multipart/mixed; boundary=").as_deref(), None);
        assert_eq!(boundary_from_content_type("multipart/mixed").as_deref(), None);
        assert_eq!(boundary_from_content_type("multipart/mixed; charset=x").as_deref(), None);
        assert_eq!(boundary_from_content_type("multipart/mixed; flag; boundary=ok").as_deref(), Some("ok"));
        assert_eq!(
            boundary_from_content_type("multipart/mixed; boundary=\"unterminated").as_deref(),
            Some("unterminated")
        );
    }

    #[test]
    fn part_helpers() {
        let input = format!("{}--{B}--\r\n", json_part("{}"));
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        let part = items[0].as_ref().unwrap();
        assert_eq!(part.content_type(), Some("application/json"));
        assert!(part.is_json() && !part.is_xml());
    }

    #[test]
    fn crlf_stream_with_preamble_epilogue_and_mixed_content_length() {
        let input = format!(
            "preamble --{B}x not a delimiter\r\n--{B}\r\ncontent-type: text/plain\r\n\r\nno length\r\n{}--{B}--\r\nepilogue --{B}\r\n\r\nignored",
            json_part(r#"{"a":1}"#)
        );
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Ok(&b"no length"[..]), Ok(&br#"{"a":1}"#[..])]);
        assert!(items[1].as_ref().unwrap().is_json());
    }

    #[test]
    fn lf_only_line_endings_and_header_case_and_whitespace() {
        let input =
            format!("--{B}\nCONTENT-TYPE:   application/xml  \ncontent-length:3\n\n<a>\n--{B}   \n\nxyz\n--{B}--");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Ok(&b"<a>"[..]), Ok(&b"xyz"[..])]);
        let first = items[0].as_ref().unwrap();
        assert_eq!(first.content_type(), Some("application/xml"));
        assert!(first.is_xml());
    }

    #[test]
    fn missing_final_boundary_flushes_at_finish() {
        let input = format!("--{B}\r\n\r\nlast part\r\n--fron");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Ok(&b"last part"[..])]);
        let input = format!("--{B}\r\n\r\nlast part");
        assert_eq!(bodies(&decode_all(input.as_bytes(), DecoderConfig::default())), vec![Ok(&b"last part"[..])]);
    }

    #[test]
    fn content_length_too_large_delimiter_wins() {
        let input = format!("--{B}\r\nContent-Length: 100\r\n\r\nshort\r\n--{B}\r\n\r\nnext\r\n--{B}--");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Ok(&b"short"[..]), Ok(&b"next"[..])]);
    }

    #[test]
    fn content_length_too_small_detected_falls_back_to_delimiter() {
        let input = format!("--{B}\r\nContent-Length: 3\r\n\r\nlonger body\r\n--{B}\r\n\r\nnext\r\n--{B}--");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Ok(&b"longer body"[..]), Ok(&b"next"[..])]);
    }

    #[test]
    fn content_length_too_small_undetectable_reports_misframed() {
        let mut d = MultipartDecoder::new(B, DecoderConfig::default());
        d.push(format!("--{B}\r\nContent-Length: 3\r\n\r\nlon").as_bytes());
        assert_eq!(&d.next_part().unwrap().unwrap().body[..], b"lon");
        d.push(format!("ger body\r\n--{B}\r\n\r\nnext").as_bytes());
        assert_eq!(d.next_part(), Some(Err(PartError::Misframed)));
        assert_eq!(d.next_part(), None);
        assert_eq!(&d.finish().unwrap().unwrap().body[..], b"next");
        assert_eq!(d.finish(), None);
    }

    #[test]
    fn json_cut_short_by_content_length_at_a_read_boundary_waits_and_is_not_lost() {
        let body = r#"{"eventType":"CIDAlarm","CIDEvent":{"code":1130}}"#;
        let mut d = MultipartDecoder::new(B, DecoderConfig::default());
        // The declared length ends inside the document, and the read ends exactly there.
        let head = format!("--{B}\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n");
        d.push(head.as_bytes());
        d.push(&body.as_bytes()[..20]);
        assert_eq!(d.next_part(), None, "a JSON body cut mid-document is not trusted yet");
        d.push(format!("{}\r\n--{B}\r\n", &body[20..]).as_bytes());
        let part = d.next_part().unwrap().unwrap();
        assert_eq!(&part.body[..], body.as_bytes(), "the whole alarm, framed by the delimiter");
        // A complete JSON body at its correct length is still emitted at once.
        d.push(format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        assert_eq!(&d.next_part().unwrap().unwrap().body[..], body.as_bytes());
    }

    #[test]
    fn json_balance_is_checked_outside_strings() {
        assert!(json_is_balanced(br#"{"a":{"b":"}"},"c":[1,2]}"#));
        assert!(!json_is_balanced(br#"{"a":{"b":1}"#), "cut after an inner brace");
        assert!(!json_is_balanced(br#"{"a":"x\"}"#), "an escaped quote keeps the string open");
        assert!(!json_is_balanced(b"}{"));
        assert!(!json_is_balanced(b"42"));
    }

    #[test]
    fn a_complete_json_part_shorter_than_its_length_survives_the_end_of_input() {
        let mut d = MultipartDecoder::new(B, DecoderConfig::default());
        d.push(
            format!("--{B}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"a\":1}}\r\n").as_bytes(),
        );
        assert_eq!(d.next_part(), None);
        assert_eq!(&d.finish().unwrap().unwrap().body[..], br#"{"a":1}"#);
        let mut d = MultipartDecoder::new(B, DecoderConfig::default());
        d.push(format!("--{B}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"a\":").as_bytes());
        assert!(matches!(d.finish(), Some(Err(PartError::Truncated { expected: 400, .. }))));
    }

    #[tokio::test]
    async fn a_body_error_flushes_received_parts_before_the_error() {
        use futures_util::StreamExt as _;
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from(format!("--{B}\r\nContent-Type: application/json\r\n\r\n{{\"alarm\":1}}\r\n"))),
            Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset")),
        ];
        let items: Vec<_> =
            decode_stream(futures_util::stream::iter(chunks), B, DecoderConfig::default()).collect().await;
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(&items[0].as_ref().unwrap().body[..], br#"{"alarm":1}"#);
        assert!(matches!(&items[1], Err(Error::Transport { .. })));
    }

    #[test]
    fn too_large_part_then_good_part() {
        let config = DecoderConfig::default().max_part_size(8);
        // Declared too large.
        let input = format!("--{B}\r\nContent-Length: 20\r\n\r\n01234567890123456789\r\n{}--{B}--", json_part("{}"));
        let items = decode_all(input.as_bytes(), config);
        assert_eq!(bodies(&items), vec![Err(PartError::TooLarge { limit: 8 }), Ok(&b"{}"[..])]);
        // Found too large by delimiter, fed in small chunks: discarded while arriving.
        let input = format!("--{B}\r\n\r\n{}\r\n{}--{B}--", "x".repeat(1000), json_part("{}"));
        let mut d = MultipartDecoder::new(B, config);
        let mut items = Vec::new();
        for chunk in input.as_bytes().chunks(7) {
            d.push(chunk);
            while let Some(item) = d.next_part() {
                items.push(item);
            }
            assert!(d.buffered_len() <= d.max_buffered(), "{}", d.buffered_len());
        }
        assert_eq!(bodies(&items), vec![Err(PartError::TooLarge { limit: 8 }), Ok(&b"{}"[..])]);
    }

    #[test]
    fn too_large_headers_then_good_part() {
        let config = DecoderConfig::default().max_header_size(64);
        let input = format!("--{B}\r\nX-Long: {}\r\n\r\nbody\r\n{}--{B}--", "y".repeat(100), json_part("{}"));
        let items = decode_all(input.as_bytes(), config);
        assert_eq!(bodies(&items), vec![Err(PartError::HeadersTooLarge { limit: 64 }), Ok(&b"{}"[..])]);
    }

    #[test]
    fn bad_headers_skip_the_part() {
        let input = format!("--{B}\r\nno colon here\r\n\r\nbody\r\n{}", json_part("{}"));
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(
            bodies(&items),
            vec![Err(PartError::BadHeaders { reason: "header line without a colon" }), Ok(&b"{}"[..])]
        );
    }

    #[test]
    fn folded_header_lines_are_joined() {
        let input = format!("--{B}\r\nContent-Type: application/json;\r\n  charset=utf-8\r\n\r\n{{}}\r\n--{B}--");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(items[0].as_ref().unwrap().content_type(), Some("application/json; charset=utf-8"));
    }

    #[test]
    fn truncation_at_finish() {
        let input = format!("--{B}\r\nContent-Length: 10\r\n\r\n12345");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Err(PartError::Truncated { expected: 10, got: 5 })]);
        let input = format!("--{B}\r\nContent-Ty");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert!(matches!(items[..], [Err(PartError::BadHeaders { .. })]));
        // A stream cut right after a delimiter line has nothing to report.
        assert!(decode_all(format!("--{B}\r\n").as_bytes(), DecoderConfig::default()).is_empty());
    }

    #[test]
    fn emits_immediately_without_the_next_boundary() {
        let mut d = MultipartDecoder::new(B, DecoderConfig::default());
        d.push(b"--frontier\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":");
        assert_eq!(d.next_part(), None);
        d.push(b"1}");
        let part = d.next_part().unwrap().unwrap();
        assert_eq!(&part.body[..], br#"{"a":1}"#);
        // The line break after the body arrives later, then the next event 10 s later.
        d.push(b"\r");
        assert_eq!(d.next_part(), None);
        d.push(b"\n--fron");
        assert_eq!(d.next_part(), None);
        d.push(b"tier\r\nContent-Length: 2\r\n\r\n{}");
        assert_eq!(&d.next_part().unwrap().unwrap().body[..], b"{}");
        assert_eq!(d.finish(), None);
    }

    #[test]
    fn delimiter_directly_after_content_length_body() {
        let input = format!("--{B}\r\nContent-Length: 2\r\n\r\n{{}}--{B}\r\nContent-Length: 2\r\n\r\n[]--{B}--");
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Ok(&b"{}"[..]), Ok(&b"[]"[..])]);
    }

    #[test]
    fn near_miss_boundaries_in_bodies_are_data() {
        let body = format!("a\r\n--{B}x\r\n--{B}- \r\n--{B}  x\r\nz");
        let input = format!("--{B}\r\n\r\n{body}\r\n--{B}\r\nContent-Length: {}\r\n\r\n{body}\r\n--{B}--", body.len());
        let items = decode_all(input.as_bytes(), DecoderConfig::default());
        assert_eq!(bodies(&items), vec![Ok(body.as_bytes()), Ok(body.as_bytes())]);
    }

    #[test]
    fn empty_boundary_and_garbage_do_not_panic() {
        let mut d = MultipartDecoder::new("", DecoderConfig::default());
        d.push(b"--\r\n\r\n--\r\n--\n\n--x--");
        while d.next_part().is_some() {}
        while d.finish().is_some() {}
    }

    #[tokio::test]
    async fn decode_stream_yields_parts_then_transport_error() {
        use futures_util::{stream, StreamExt};
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from(json_part("{}"))),
            Ok(Bytes::from(format!("--{B}\r\nContent-Length: 9\r\n\r\nxx"))),
            Err(std::io::Error::other("reset")),
            Ok(Bytes::from_static(b"never read")),
        ];
        let items: Vec<_> =
            decode_stream(stream::iter(chunks), B, DecoderConfig::default()).op("alarms").collect().await;
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(&items[0].as_ref().unwrap().body[..], b"{}");
        // The part the reset cut off is reported, then the transport error.
        let cut = items[1].as_ref().unwrap_err();
        assert_eq!(cut.kind(), crate::ErrorKind::Stream);
        let err = items[2].as_ref().unwrap_err();
        assert_eq!(err.op(), "alarms");
        assert_eq!(err.kind(), crate::ErrorKind::Transport);
    }

    #[tokio::test]
    async fn decode_stream_flushes_and_reports_bad_parts() {
        use futures_util::{stream, StreamExt};
        let input = format!("--{B}\r\nbad\r\n\r\nx\r\n--{B}\r\n\r\nlast");
        let chunks =
            input.as_bytes().chunks(3).map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c))).collect::<Vec<_>>();
        let items: Vec<_> = decode_stream(stream::iter(chunks), B, DecoderConfig::default()).collect().await;
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].as_ref().unwrap_err().kind(), crate::ErrorKind::Stream);
        assert_eq!(&items[1].as_ref().unwrap().body[..], b"last");
    }
}
