//! Turns a [`SimResponse`] into a hyper response: a complete body, or a streamed body driven by
//! an explicit state machine (stream controls, heartbeats, cut-offs, server shutdown).

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use http::header::{HeaderValue, CONTENT_LENGTH};
use http_body::Frame;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::response::{HeartbeatFn, SimBody, SimResponse, StreamSpec};
use super::stream::StreamChunk;
use crate::error::BoxError;

/// The body type the server hands to hyper.
pub(crate) type HyperBody = UnsyncBoxBody<Bytes, BoxError>;

/// The error a body yields to make hyper abort the connection mid-body.
#[derive(Debug)]
struct BodyAborted;

impl fmt::Display for BodyAborted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response body aborted by the simulator")
    }
}

impl std::error::Error for BodyAborted {}

/// Converts a response; `None` means "reset the connection instead of answering".
pub(crate) fn into_hyper(mut resp: SimResponse, shutdown: watch::Receiver<bool>) -> Option<http::Response<HyperBody>> {
    resp.strip_computed_headers();
    let SimResponse { status, mut headers, body } = resp;
    let body = match body {
        SimBody::Reset => return None,
        SimBody::Full(bytes) => Full::new(bytes).map_err(|never| match never {}).boxed_unsync(),
        SimBody::Stream(spec) => StreamState::from_spec(spec, shutdown).into_body(),
        SimBody::Truncated { full, send } => {
            let declared = full.len().max(1);
            headers.insert(CONTENT_LENGTH, HeaderValue::from(declared));
            let send = send.min(declared - 1);
            let (_, rx) = mpsc::channel(1);
            let spec = StreamSpec { rx, heartbeat: None, cut_after: Some(send), guard: None };
            let mut state = StreamState::from_spec(spec, shutdown);
            state.held.push_back(full);
            state.into_body()
        }
    };
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Some(response)
}

/// When the next heartbeat is due if nothing is sent meanwhile (`None`: no heartbeat).
fn beat_deadline(heartbeat: Option<&(Duration, HeartbeatFn)>) -> Option<Instant> {
    heartbeat.and_then(|(period, _)| Instant::now().checked_add(*period))
}

/// Where a streamed body is in its life.
enum Phase {
    /// Sending data as it comes.
    Open,
    /// The body must be cut: yield once so hyper flushes what was sent, then fail.
    CutPending,
    /// Finished (cleanly or not): yield nothing more.
    Done,
}

/// The state of a streamed body between two frames.
struct StreamState {
    rx: mpsc::Receiver<StreamChunk>,
    shutdown: watch::Receiver<bool>,
    heartbeat: Option<(Duration, HeartbeatFn)>,
    next_beat: Option<Instant>,
    stalled: bool,
    /// Data to send before reading the channel again (held back while stalled).
    held: VecDeque<Bytes>,
    /// Bytes that may still be sent before the body is cut.
    budget: Option<usize>,
    phase: Phase,
    /// Dropped with the body (see [`SimResponse::guard`]).
    _guard: Option<Box<dyn Send>>,
}

type Item = Result<Frame<Bytes>, BoxError>;

impl StreamState {
    fn from_spec(spec: StreamSpec, shutdown: watch::Receiver<bool>) -> Self {
        let next_beat = beat_deadline(spec.heartbeat.as_ref());
        let phase = if spec.cut_after == Some(0) { Phase::CutPending } else { Phase::Open };
        StreamState {
            rx: spec.rx,
            shutdown,
            heartbeat: spec.heartbeat,
            next_beat,
            stalled: false,
            held: VecDeque::new(),
            budget: spec.cut_after,
            phase,
            _guard: spec.guard,
        }
    }

    fn into_body(self) -> HyperBody {
        StreamBody::new(stream::unfold(self, Self::step)).boxed_unsync()
    }

    /// Produces the next frame, or `None` at the end of the body.
    async fn step(mut self) -> Option<(Item, Self)> {
        loop {
            match self.phase {
                Phase::Done => return None,
                Phase::CutPending => {
                    // Pending once: hyper flushes the bytes already written before aborting.
                    tokio::task::yield_now().await;
                    self.phase = Phase::Done;
                    return Some((Err(Box::new(BodyAborted)), self));
                }
                Phase::Open => {}
            }
            if !self.stalled {
                if let Some(data) = self.held.pop_front() {
                    let frame = self.emit(data);
                    return Some((frame, self));
                }
            }
            let beat_at = if self.stalled { None } else { self.next_beat };
            tokio::select! {
                biased;
                () = super::shutting_down(&mut self.shutdown) => {
                    self.phase = Phase::Done;
                }
                chunk = self.rx.recv() => match chunk {
                    None | Some(StreamChunk::End) => self.phase = Phase::Done,
                    Some(StreamChunk::Data(data)) => self.held.push_back(data),
                    Some(StreamChunk::Stall) => self.stalled = true,
                    Some(StreamChunk::Resume) => {
                        self.stalled = false;
                        self.next_beat = beat_deadline(self.heartbeat.as_ref());
                    }
                    Some(StreamChunk::Cut) => self.phase = Phase::CutPending,
                },
                () = tokio::time::sleep_until(beat_at.unwrap_or_else(Instant::now)), if beat_at.is_some() => {
                    if let Some((_, beat)) = &self.heartbeat {
                        let data = beat();
                        self.held.push_back(data);
                    }
                }
            }
        }
    }

    /// Turns data into a frame, spending the cut-off budget and re-arming the heartbeat.
    fn emit(&mut self, data: Bytes) -> Item {
        let data = match self.budget.as_mut() {
            Some(left) if data.len() >= *left => {
                let cut = data.slice(..*left);
                *left = 0;
                self.phase = Phase::CutPending;
                cut
            }
            Some(left) => {
                *left -= data.len();
                data
            }
            None => data,
        };
        self.next_beat = beat_deadline(self.heartbeat.as_ref());
        Ok(Frame::data(data))
    }
}
