//! [`SimResponse`]: what a simulator handler answers, from a plain JSON document to an endless
//! stream, a body cut short, or a connection dropped without any answer.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use tokio::sync::mpsc;

use super::stream::StreamChunk;

/// Produces the bytes of one stream heartbeat.
pub(crate) type HeartbeatFn = Arc<dyn Fn() -> Bytes + Send + Sync>;

/// A response of a simulator handler, middleware or fault.
///
/// Build it with a constructor ([`json`](Self::json), [`text`](Self::text), [`xml`](Self::xml),
/// [`bytes`](Self::bytes), [`empty`](Self::empty), [`stream`](Self::stream),
/// [`truncated`](Self::truncated), [`reset`](Self::reset)) and add headers with
/// [`header`](Self::header). Status codes outside `100..=999` become `500`.
pub struct SimResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: SimBody,
}

/// The body of a [`SimResponse`].
pub(crate) enum SimBody {
    /// A complete body.
    Full(Bytes),
    /// A body fed from a channel of stream controls.
    Stream(StreamSpec),
    /// Declares `full.len()` as Content-Length, sends `send` bytes, then aborts.
    Truncated { full: Bytes, send: usize },
    /// No response: the connection is reset.
    Reset,
}

/// A streamed body: its channel, heartbeat and an optional cut-off after some bytes.
pub(crate) struct StreamSpec {
    pub(crate) rx: mpsc::Receiver<StreamChunk>,
    pub(crate) heartbeat: Option<(Duration, HeartbeatFn)>,
    pub(crate) cut_after: Option<usize>,
    /// Kept as long as the body: its `Drop` says when the body went away.
    pub(crate) guard: Option<Box<dyn Send>>,
}

fn status_from(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl SimResponse {
    /// A response with an empty body.
    pub fn empty(status: u16) -> Self {
        SimResponse { status: status_from(status), headers: HeaderMap::new(), body: SimBody::Full(Bytes::new()) }
    }

    /// A body of `content_type`.
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        let mut resp = Self::empty(status).header(CONTENT_TYPE, content_type);
        resp.body = SimBody::Full(body.into());
        resp
    }

    /// A JSON document (`application/json;charset=UTF-8`); a value that cannot be serialized
    /// gives a `500` text response saying so.
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self::bytes(status, "application/json;charset=UTF-8", body),
            Err(e) => Self::text(500, format!("simulator could not serialize its JSON response: {e}")),
        }
    }

    /// `Ok` of a `200` [`json`](Self::json) answer: the success of a handler that returns
    /// `Result<SimResponse, E>` (a spec with `[vendor] sim_error`).
    ///
    /// # Errors
    /// Never; the `Result` is the handler's.
    pub fn json_ok<T: Serialize + ?Sized, E>(value: &T) -> Result<Self, E> {
        Ok(Self::json(200, value))
    }

    /// Plain text (`text/plain; charset=utf-8`).
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self::bytes(status, "text/plain; charset=utf-8", body.into())
    }

    /// An XML document (`application/xml; charset="UTF-8"`, as ISAPI devices send).
    pub fn xml(status: u16, body: impl Into<String>) -> Self {
        Self::bytes(status, "application/xml; charset=\"UTF-8\"", body.into())
    }

    /// An endless (chunked) body fed from `rx`; see [`StreamChunk`] for the controls. The body
    /// ends cleanly when the sender is dropped, on [`StreamChunk::End`], or when the server shuts
    /// down.
    pub fn stream(status: u16, content_type: &str, rx: mpsc::Receiver<StreamChunk>) -> Self {
        let mut resp = Self::empty(status).header(CONTENT_TYPE, content_type);
        resp.body = SimBody::Stream(StreamSpec { rx, heartbeat: None, cut_after: None, guard: None });
        resp
    }

    /// For a [`stream`](Self::stream) response: sends `beat()` whenever the stream has sent
    /// nothing for `period` (never while stalled). No effect on other bodies.
    #[must_use]
    pub fn heartbeat<F>(mut self, period: Duration, beat: F) -> Self
    where
        F: Fn() -> Bytes + Send + Sync + 'static,
    {
        if let SimBody::Stream(spec) = &mut self.body {
            spec.heartbeat = Some((period.max(Duration::from_millis(1)), Arc::new(beat)));
        }
        self
    }

    /// For a [`stream`](Self::stream) response: keeps `guard` alive exactly as long as the body,
    /// so its `Drop` runs when the body goes away (the stream ended, the server shut down, or
    /// the connection was found closed: on the next write, or on reading EOF). No effect on
    /// other bodies (the guard is dropped at once).
    #[must_use]
    pub fn guard(mut self, guard: impl Send + 'static) -> Self {
        if let SimBody::Stream(spec) = &mut self.body {
            spec.guard = Some(Box::new(guard));
        }
        self
    }

    /// A body that declares its full length in `Content-Length`, sends only the first
    /// `send_bytes` bytes, then aborts the connection: the client sees a body error. At most
    /// `len - 1` bytes are sent (an empty `full_body` declares a length of 1).
    pub fn truncated(status: u16, content_type: &str, full_body: impl Into<Bytes>, send_bytes: usize) -> Self {
        let mut resp = Self::empty(status).header(CONTENT_TYPE, content_type);
        resp.body = SimBody::Truncated { full: full_body.into(), send: send_bytes };
        resp
    }

    /// No response at all: the connection is reset (TCP RST) as soon as the request is read.
    pub fn reset() -> Self {
        SimResponse { status: StatusCode::INTERNAL_SERVER_ERROR, headers: HeaderMap::new(), body: SimBody::Reset }
    }

    /// Adds a header (appending to any with the same name). An invalid name or value is ignored;
    /// `Content-Length` is ignored for complete bodies, which always send their real length.
    #[must_use]
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        match (name.try_into(), value.try_into()) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            _ => tracing::warn!("simulator response header ignored: invalid name or value"),
        }
        self
    }

    /// Adds several headers (see [`header`](Self::header)).
    #[must_use]
    pub fn headers<I, K, V>(self, headers: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        headers.into_iter().fold(self, |resp, (k, v)| resp.header(k, v))
    }

    /// Replaces the status code.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status_from(status);
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers set so far.
    pub fn headers_map(&self) -> &HeaderMap {
        &self.headers
    }

    /// The complete body, for a response that has one (not streamed, truncated or reset).
    pub fn body(&self) -> Option<&Bytes> {
        match &self.body {
            SimBody::Full(b) => Some(b),
            _ => None,
        }
    }

    /// Whether this response resets the connection instead of answering.
    pub fn is_reset(&self) -> bool {
        matches!(self.body, SimBody::Reset)
    }

    /// Cuts the body after `bytes` bytes: a complete body becomes [`truncated`](Self::truncated),
    /// a stream is cut once it has sent that many bytes. A reset stays a reset.
    #[must_use]
    pub fn truncate_after(mut self, bytes: usize) -> Self {
        self.body = match self.body {
            SimBody::Full(full) => SimBody::Truncated { full, send: bytes },
            SimBody::Truncated { full, send } => SimBody::Truncated { full, send: send.min(bytes) },
            SimBody::Stream(mut spec) => {
                spec.cut_after = Some(spec.cut_after.map_or(bytes, |n| n.min(bytes)));
                SimBody::Stream(spec)
            }
            SimBody::Reset => SimBody::Reset,
        };
        self
    }

    /// A copy for replaying a canned response; a stream cannot be copied and becomes an empty body.
    pub(crate) fn duplicate(&self) -> Self {
        let body = match &self.body {
            SimBody::Full(b) => SimBody::Full(b.clone()),
            SimBody::Truncated { full, send } => SimBody::Truncated { full: full.clone(), send: *send },
            SimBody::Reset => SimBody::Reset,
            SimBody::Stream(_) => SimBody::Full(Bytes::new()),
        };
        SimResponse { status: self.status, headers: self.headers.clone(), body }
    }

    /// Removes headers the server computes itself.
    pub(crate) fn strip_computed_headers(&mut self) {
        if !matches!(self.body, SimBody::Truncated { .. }) {
            self.headers.remove(CONTENT_LENGTH);
        }
    }
}

impl fmt::Debug for SimResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            SimBody::Full(b) => format!("{} bytes", b.len()),
            SimBody::Stream(_) => "stream".to_owned(),
            SimBody::Truncated { full, send } => format!("truncated {send} of {} bytes", full.len()),
            SimBody::Reset => "reset".to_owned(),
        };
        f.debug_struct("SimResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_set_status_type_and_headers() {
        let r = SimResponse::json(200, &serde_json::json!({"a": 1})).header("X-Test", "1").header("bad name", "x");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers_map()["content-type"], "application/json;charset=UTF-8");
        assert_eq!(r.headers_map()["x-test"], "1");
        assert_eq!(r.headers_map().len(), 2);
        assert_eq!(r.body().unwrap().as_ref(), br#"{"a":1}"#);
        assert_eq!(SimResponse::empty(42).status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(SimResponse::reset().is_reset());
        let t = SimResponse::text(200, "hello").truncate_after(2);
        assert!(t.body().is_none());
        assert!(format!("{t:?}").contains("truncated 2 of 5 bytes"));
        let copy = SimResponse::xml(503, "<a/>").duplicate();
        assert_eq!(copy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(copy.body().unwrap().as_ref(), b"<a/>");
    }
}
