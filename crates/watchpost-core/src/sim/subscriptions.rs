//! Numbered subscriptions to endless streamed bodies, each with the vendor's own filter: the
//! alarm subscriptions whose id a client later uses to change or close them (unlike
//! [`StreamHub`](super::StreamHub), which broadcasts to anonymous streams). Plus the framing of
//! one `multipart/mixed` part, as alarm streams send them. Every subscription's life (opened,
//! closed) is kept in a bounded [`SubscriptionLog`], so that tests can tell from the simulator's
//! own records who followed the stream when.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::StreamChunk;

/// One open subscription: its stream, the vendor's filter and whether a test stalled it.
#[derive(Debug)]
struct Subscription<F> {
    tx: mpsc::Sender<StreamChunk>,
    filter: F,
    stalled: bool,
}

impl<F> Subscription<F> {
    fn live(&self) -> bool {
        !self.tx.is_closed() && !self.stalled
    }
}

/// The most spans a [`SubscriptionLog`] keeps: beyond it the oldest are forgotten (and counted
/// in [`SubscriptionLog::forgotten`]).
pub const SUBSCRIPTION_LOG_CAP: usize = 65_536;

/// One subscription's life as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSpan {
    /// The subscription id.
    pub id: u64,
    /// When it was opened (wall clock, comparable with other processes' timestamps).
    pub opened: SystemTime,
    /// When its response body went away: the stream ended (closed, cut, server shut down) or
    /// the connection was found closed, which the server learns on its next write (a heartbeat)
    /// or on reading EOF. `None` while open.
    pub closed: Option<SystemTime>,
}

#[derive(Debug, Default)]
struct LogInner {
    spans: VecDeque<SubscriptionSpan>,
    forgotten: u64,
}

/// The log of every subscription's open and close instants, oldest first, bounded by
/// [`SUBSCRIPTION_LOG_CAP`]. Cloning shares the log.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionLog(Arc<Mutex<LogInner>>);

impl SubscriptionLog {
    fn inner(&self) -> std::sync::MutexGuard<'_, LogInner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn opened(&self, id: u64) {
        let mut log = self.inner();
        if log.spans.len() >= SUBSCRIPTION_LOG_CAP {
            log.spans.pop_front();
            log.forgotten += 1;
        }
        log.spans.push_back(SubscriptionSpan { id, opened: SystemTime::now(), closed: None });
    }

    fn closed(&self, id: u64) {
        let mut log = self.inner();
        if let Some(span) = log.spans.iter_mut().rev().find(|s| s.id == id) {
            span.closed.get_or_insert_with(SystemTime::now);
        }
    }

    /// A copy of the spans, oldest first.
    pub fn spans(&self) -> Vec<SubscriptionSpan> {
        self.inner().spans.iter().cloned().collect()
    }

    /// Spans forgotten because the log was full.
    pub fn forgotten(&self) -> u64 {
        self.inner().forgotten
    }
}

/// Closes a subscription's span in the log when dropped: attach it to the response body with
/// [`SimResponse::guard`](super::SimResponse::guard), so the close instant is when the body
/// goes away.
#[derive(Debug)]
pub struct SpanGuard {
    log: SubscriptionLog,
    id: u64,
}

impl Drop for SpanGuard {
    fn drop(&mut self) {
        self.log.closed(self.id);
    }
}

/// Open subscriptions by id; a subscription whose response body is gone is forgotten.
#[derive(Debug)]
pub struct Subscriptions<F> {
    by_id: BTreeMap<u64, Subscription<F>>,
    next_id: u64,
    opened: u64,
    capacity: usize,
    log: SubscriptionLog,
}

impl<F> Subscriptions<F> {
    /// No subscriptions yet; ids count from `first_id`; each stream queues at most `capacity`
    /// chunks (more are dropped for it).
    pub fn new(first_id: u64, capacity: usize) -> Self {
        Subscriptions {
            by_id: BTreeMap::new(),
            next_id: first_id,
            opened: 0,
            capacity: capacity.max(1),
            log: SubscriptionLog::default(),
        }
    }

    fn prune(&mut self) {
        self.by_id.retain(|_, s| !s.tx.is_closed());
    }

    /// Opens a subscription with `filter`: its id, and the receiver to answer
    /// [`SimResponse::stream`](super::SimResponse::stream) with, whose first chunk is `first(id)`.
    /// The span is logged as opened; attach [`span_guard`](Self::span_guard)`(id)` to the body to
    /// log its close.
    pub fn open(&mut self, filter: F, first: impl FnOnce(u64) -> Bytes) -> (u64, mpsc::Receiver<StreamChunk>) {
        self.prune();
        let (id, (tx, rx)) = (self.next_id, mpsc::channel(self.capacity));
        self.next_id += 1;
        self.opened += 1;
        self.log.opened(id);
        let _ = tx.try_send(StreamChunk::Data(first(id)));
        self.by_id.insert(id, Subscription { tx, filter, stalled: false });
        (id, rx)
    }

    /// The filter of the open subscription `id`, to change it.
    pub fn filter_mut(&mut self, id: u64) -> Option<&mut F> {
        self.prune();
        self.by_id.get_mut(&id).map(|s| &mut s.filter)
    }

    /// Ends the subscription `id` cleanly; whether it was open.
    pub fn close(&mut self, id: u64) -> bool {
        let Some(sub) = self.by_id.remove(&id) else { return false };
        let _ = sub.tx.try_send(StreamChunk::End);
        true
    }

    /// Sends `data` to every live (open, not stalled) subscription whose filter `wants` it;
    /// returns how many took it.
    pub fn send_where(&mut self, data: &Bytes, wants: impl Fn(&F) -> bool) -> usize {
        self.prune();
        let take = |s: &&Subscription<F>| s.live() && wants(&s.filter);
        self.by_id.values().filter(take).filter(|s| s.tx.try_send(StreamChunk::Data(data.clone())).is_ok()).count()
    }

    /// Sends `chunk` to every open subscription, sets its stall flag when given, and returns how
    /// many took the chunk. [`StreamChunk::Cut`] and [`StreamChunk::End`] also forget them all.
    pub fn control(&mut self, chunk: StreamChunk, stalled: Option<bool>) -> usize {
        self.prune();
        let mut n = 0;
        for sub in self.by_id.values_mut() {
            n += usize::from(sub.tx.try_send(chunk.clone()).is_ok());
            sub.stalled = stalled.unwrap_or(sub.stalled);
        }
        if matches!(chunk, StreamChunk::Cut | StreamChunk::End) {
            self.by_id.clear();
        }
        n
    }

    /// Subscriptions open and not stalled.
    pub fn live(&mut self) -> usize {
        self.prune();
        self.by_id.values().filter(|s| s.live()).count()
    }

    /// Subscriptions opened since the start.
    pub fn opened(&self) -> u64 {
        self.opened
    }

    /// The guard that logs the close of subscription `id` when dropped (see [`SpanGuard`]).
    pub fn span_guard(&self, id: u64) -> SpanGuard {
        SpanGuard { log: self.log.clone(), id }
    }

    /// The log of every subscription's open and close instants (shared: it keeps filling).
    pub fn log(&self) -> SubscriptionLog {
        self.log.clone()
    }
}

/// One part of a `multipart/mixed` body: the boundary line, `Content-Type` and
/// `Content-Length` headers, the body and a CRLF.
pub fn multipart_part(boundary: &str, content_type: &str, body: &[u8]) -> Bytes {
    let head = format!("--{boundary}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len());
    [head.as_bytes(), body, b"\r\n"].concat().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn filtered_delivery_stall_and_close() {
        let mut subs = Subscriptions::new(7, 4);
        let (a, mut rx_a) = subs.open("a", |id| Bytes::from(id.to_string()));
        let (b, _rx_b) = subs.open("b", |_| Bytes::new());
        assert_eq!((a, b, subs.opened()), (7, 8, 2));
        assert!(matches!(rx_a.recv().await, Some(StreamChunk::Data(d)) if d == "7"));
        assert_eq!(subs.send_where(&Bytes::from_static(b"x"), |f| *f == "a"), 1);
        assert_eq!(subs.control(StreamChunk::Stall, Some(true)), 2);
        assert_eq!((subs.live(), subs.send_where(&Bytes::new(), |_| true)), (0, 0));
        subs.control(StreamChunk::Resume, Some(false));
        *subs.filter_mut(b).unwrap() = "c";
        assert!(subs.close(a) && !subs.close(a));
        drop(rx_a);
        assert_eq!(subs.live(), 1);
        assert_eq!(subs.control(StreamChunk::End, None), 1);
        assert_eq!(subs.live(), 0);
    }

    #[test]
    fn the_log_closes_a_span_when_its_guard_drops_and_stays_bounded() {
        let mut subs = Subscriptions::new(1, 1);
        let (a, _rx) = subs.open((), |_| Bytes::new());
        let guard = subs.span_guard(a);
        let spans = subs.log().spans();
        assert_eq!((spans.len(), spans[0].id, spans[0].closed), (1, a, None));
        drop(guard);
        let closed = subs.log().spans()[0].closed.expect("closed when the guard dropped");
        assert!(closed >= spans[0].opened);
        for _ in 0..SUBSCRIPTION_LOG_CAP {
            let _ = subs.open((), |_| Bytes::new());
        }
        assert_eq!((subs.log().spans().len(), subs.log().forgotten()), (SUBSCRIPTION_LOG_CAP, 1));
        assert_eq!(subs.log().spans()[0].id, a + 1, "the oldest went first");
    }

    #[test]
    fn parts_carry_their_length() {
        let p = multipart_part("boundary", "application/json", b"{}");
        assert_eq!(&p[..], b"--boundary\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}\r\n");
    }
}
