//! Numbered subscriptions to endless streamed bodies, each with the vendor's own filter: the
//! alarm subscriptions whose id a client later uses to change or close them (unlike
//! [`StreamHub`](super::StreamHub), which broadcasts to anonymous streams). Plus the framing of
//! one `multipart/mixed` part, as alarm streams send them.

use std::collections::BTreeMap;

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

/// Open subscriptions by id; a subscription whose response body is gone is forgotten.
#[derive(Debug)]
pub struct Subscriptions<F> {
    by_id: BTreeMap<u64, Subscription<F>>,
    next_id: u64,
    opened: u64,
    capacity: usize,
}

impl<F> Subscriptions<F> {
    /// No subscriptions yet; ids count from `first_id`; each stream queues at most `capacity`
    /// chunks (more are dropped for it).
    pub fn new(first_id: u64, capacity: usize) -> Self {
        Subscriptions { by_id: BTreeMap::new(), next_id: first_id, opened: 0, capacity: capacity.max(1) }
    }

    fn prune(&mut self) {
        self.by_id.retain(|_, s| !s.tx.is_closed());
    }

    /// Opens a subscription with `filter`: its id, and the receiver to answer
    /// [`SimResponse::stream`](super::SimResponse::stream) with, whose first chunk is `first(id)`.
    pub fn open(&mut self, filter: F, first: impl FnOnce(u64) -> Bytes) -> (u64, mpsc::Receiver<StreamChunk>) {
        self.prune();
        let (id, (tx, rx)) = (self.next_id, mpsc::channel(self.capacity));
        self.next_id += 1;
        self.opened += 1;
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
    fn parts_carry_their_length() {
        let p = multipart_part("boundary", "application/json", b"{}");
        assert_eq!(&p[..], b"--boundary\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}\r\n");
    }
}
