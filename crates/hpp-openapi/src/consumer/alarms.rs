//! The vendor-neutral mode: every message of the queue as a [`Delivery<Alarm>`], with the same
//! acknowledgement rules as [`Deliveries`] (a batch is committed once all of its alarms are
//! acknowledged).

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use futures_util::Stream;
use watchpost_core::alarm::{Alarm, AlarmSource, Delivery};
use watchpost_core::Error;

use super::{ConsumerHandle, Deliveries};
use crate::events::{decode_alarm, to_alarm, HppEvent};
use crate::models::mq::AlarmMessage;

/// The vendor id of Hik-Partner Pro alarms ([`AlarmSource::vendor`]).
pub const ALARM_VENDOR: &str = "hpp";

/// The stream of [`Consumer::alarms`](super::Consumer::alarms): each message as an [`Alarm`] to
/// acknowledge, and the consumer's errors as items.
///
/// A message whose event cannot be decoded is still delivered, as an alarm of category
/// [`Other`](watchpost_core::alarm::Category::Other) with its data raw; such messages are
/// counted ([`undecoded`](Self::undecoded)) and logged at warn, never dropped.
pub struct Alarms {
    inner: Deliveries,
    source: AlarmSource,
    undecoded: Arc<AtomicU64>,
}

impl std::fmt::Debug for Alarms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alarms").field("source", &self.source).finish_non_exhaustive()
    }
}

impl Alarms {
    pub(crate) fn new(inner: Deliveries, source: AlarmSource) -> Self {
        Alarms { inner, source, undecoded: Arc::default() }
    }

    /// Controls of the consumer behind the stream (state, stats, shutdown).
    pub fn handle(&self) -> ConsumerHandle {
        self.inner.handle()
    }

    /// The source every alarm of this stream names.
    pub fn source(&self) -> &AlarmSource {
        &self.source
    }

    /// Messages delivered as raw [`Other`](watchpost_core::alarm::Category::Other) alarms because
    /// their event did not decode.
    pub fn undecoded(&self) -> u64 {
        self.undecoded.load(Ordering::Relaxed)
    }

    fn alarm_of(&self, msg: &AlarmMessage) -> Alarm {
        let received = SystemTime::now();
        match decode_alarm(msg, &self.source, received) {
            Ok((_, alarm)) => alarm,
            Err(error) => {
                self.undecoded.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    device = ?msg.device_serial,
                    %error,
                    "alarm event not decoded; delivered raw"
                );
                let (event, _) = HppEvent::from_message_or_raw(msg);
                to_alarm(msg, &event, &self.source, received)
            }
        }
    }
}

impl Stream for Alarms {
    type Item = Result<Delivery<Alarm>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(delivery))) => {
                let this = &*self;
                Poll::Ready(Some(Ok(delivery.map(|msg| this.alarm_of(&msg)))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
