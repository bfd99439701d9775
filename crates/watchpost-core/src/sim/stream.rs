//! Endless streamed responses: the [`StreamChunk`] controls that feed a
//! [`SimResponse::stream`](super::SimResponse::stream) body, and the [`StreamHub`] that broadcasts
//! them to every open stream so a test can push events, stall or cut all streams at once.

use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::mpsc;

use super::lock;

/// One instruction for a streamed response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamChunk {
    /// Send these bytes (held back while the stream is stalled).
    Data(Bytes),
    /// Keep the connection open but send nothing (not even heartbeats) until [`Resume`](Self::Resume);
    /// data arriving meanwhile is held back in order.
    Stall,
    /// End a stall: held-back data is sent at once.
    Resume,
    /// Close the connection abruptly, without the final chunk: the client sees a body error.
    /// Send a partial part as `Data` first to cut mid-part.
    Cut,
    /// End the body cleanly (as does dropping the sender).
    End,
}

/// How many chunks a subscriber may have queued before further chunks are dropped for it.
const DEFAULT_CAPACITY: usize = 1024;

/// A broadcaster to every open streamed response (clone it freely: clones share the streams).
///
/// A vendor's stream handler calls [`subscribe`](Self::subscribe) (or
/// [`subscribe_with`](Self::subscribe_with) to send a first part to that stream only) and answers
/// [`SimResponse::stream`](super::SimResponse::stream) with the receiver; the simulator and tests
/// then push events with [`send`](Self::send) and drive faults with [`cut_all`](Self::cut_all),
/// [`stall_all`](Self::stall_all) and [`resume_all`](Self::resume_all).
///
/// Each subscriber has a bounded queue (1024 chunks by default); a chunk that finds a queue full
/// is dropped for that subscriber and counted in [`dropped`](Self::dropped).
#[derive(Clone)]
pub struct StreamHub {
    inner: Arc<Mutex<HubState>>,
}

struct HubState {
    subscribers: Vec<mpsc::Sender<StreamChunk>>,
    capacity: usize,
    dropped: u64,
    subscribed: u64,
}

impl Default for StreamHub {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for StreamHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamHub").field("open_streams", &self.open_streams()).finish()
    }
}

impl StreamHub {
    /// A hub with the default per-subscriber queue of 1024 chunks.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A hub whose subscribers queue at most `capacity` chunks (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        StreamHub {
            inner: Arc::new(Mutex::new(HubState {
                subscribers: Vec::new(),
                capacity: capacity.max(1),
                dropped: 0,
                subscribed: 0,
            })),
        }
    }

    /// Opens a new stream: the receiver feeds a [`SimResponse::stream`](super::SimResponse::stream).
    pub fn subscribe(&self) -> mpsc::Receiver<StreamChunk> {
        self.subscribe_with(std::iter::empty::<Bytes>())
    }

    /// Opens a new stream whose first chunks are `first` (for example a subscription id part),
    /// sent to this stream only.
    pub fn subscribe_with<I, B>(&self, first: I) -> mpsc::Receiver<StreamChunk>
    where
        I: IntoIterator<Item = B>,
        B: Into<Bytes>,
    {
        let mut state = lock(&self.inner);
        let (tx, rx) = mpsc::channel(state.capacity);
        for data in first {
            if tx.try_send(StreamChunk::Data(data.into())).is_err() {
                state.dropped += 1;
            }
        }
        state.subscribers.push(tx);
        state.subscribed += 1;
        rx
    }

    /// Sends bytes to every open stream; returns how many streams took them.
    pub fn send(&self, data: impl Into<Bytes>) -> usize {
        self.broadcast(&StreamChunk::Data(data.into()), false)
    }

    /// Stalls every open stream (see [`StreamChunk::Stall`]); returns how many were told.
    pub fn stall_all(&self) -> usize {
        self.broadcast(&StreamChunk::Stall, false)
    }

    /// Resumes every stalled stream (see [`StreamChunk::Resume`]); returns how many were told.
    pub fn resume_all(&self) -> usize {
        self.broadcast(&StreamChunk::Resume, false)
    }

    /// Cuts every open stream abruptly (see [`StreamChunk::Cut`]) and forgets them; returns how
    /// many were cut.
    pub fn cut_all(&self) -> usize {
        self.broadcast(&StreamChunk::Cut, true)
    }

    /// Ends every open stream cleanly and forgets them; returns how many were ended.
    pub fn end_all(&self) -> usize {
        self.broadcast(&StreamChunk::End, true)
    }

    /// How many streams are open (their response bodies are still alive).
    pub fn open_streams(&self) -> usize {
        let mut state = lock(&self.inner);
        state.subscribers.retain(|tx| !tx.is_closed());
        state.subscribers.len()
    }

    /// How many streams were ever opened on this hub.
    pub fn subscribed_count(&self) -> u64 {
        lock(&self.inner).subscribed
    }

    /// How many chunks were dropped because a subscriber's queue was full.
    pub fn dropped(&self) -> u64 {
        lock(&self.inner).dropped
    }

    fn broadcast(&self, chunk: &StreamChunk, forget: bool) -> usize {
        let mut state = lock(&self.inner);
        let mut delivered = 0;
        let mut dropped = 0;
        state.subscribers.retain(|tx| match tx.try_send(chunk.clone()) {
            Ok(()) => {
                delivered += 1;
                !forget
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                dropped += 1;
                !forget
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        state.dropped += dropped;
        delivered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hub_broadcasts_and_forgets_closed_streams() {
        let hub = StreamHub::with_capacity(2);
        let mut a = hub.subscribe_with(["first"]);
        let b = hub.subscribe();
        assert_eq!(hub.open_streams(), 2);
        assert_eq!(hub.send("x"), 2);
        assert_eq!(a.recv().await, Some(StreamChunk::Data(Bytes::from_static(b"first"))));
        assert_eq!(a.recv().await, Some(StreamChunk::Data(Bytes::from_static(b"x"))));
        drop(b);
        assert_eq!(hub.open_streams(), 1);
        assert_eq!(hub.stall_all(), 1);
        assert_eq!(hub.resume_all(), 1);
        assert_eq!(hub.send("y"), 0, "queue of 2 is full");
        assert_eq!(hub.dropped(), 1);
        assert_eq!(a.recv().await, Some(StreamChunk::Stall));
        assert_eq!(hub.cut_all(), 1);
        assert_eq!(hub.open_streams(), 0);
        assert_eq!(hub.subscribed_count(), 2);
    }
}
