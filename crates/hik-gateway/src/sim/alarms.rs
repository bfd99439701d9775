//! Alarm subscriptions of the simulator: one endless multipart stream per subscription, event
//! filtering by `eventMode`/`defenceMode`/`DevEventList`, and the parts the gateway sends.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use watchpost_core::sim::StreamChunk;

use crate::models::{DevEvent, EventKind, UploadMode};

/// The multipart boundary of the stream (as in the seed's example).
pub(crate) const BOUNDARY: &str = "boundary";

/// Which events a subscription receives.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    /// `eventMode` all: every device; `None` = every event type (`defenceMode` all).
    All(Option<Vec<EventKind>>),
    /// `eventMode` device: these devices, each with its `uploadMode`/`eventList`.
    Devices(BTreeMap<String, DevEvent>),
}

impl Filter {
    fn accepts(&self, dev_index: &str, kind: &EventKind) -> bool {
        // devStatusChanged is a general event: sent whatever the type list says.
        let general = *kind == EventKind::DevStatusChanged;
        match self {
            Filter::All(None) => true,
            Filter::All(Some(kinds)) => general || kinds.contains(kind),
            Filter::Devices(devices) => match devices.get(dev_index) {
                None => false,
                Some(dev) => general || dev.upload_mode == UploadMode::All || dev.event_list.contains(kind),
            },
        }
    }
}

/// One open subscription.
#[derive(Debug)]
pub(crate) struct Subscription {
    pub(crate) tx: mpsc::Sender<StreamChunk>,
    pub(crate) filter: Filter,
    /// Stalled by the control API: events are not sent (they count as missed).
    pub(crate) stalled: bool,
}

impl Subscription {
    fn open(&self) -> bool {
        !self.tx.is_closed()
    }

    fn live(&self) -> bool {
        self.open() && !self.stalled
    }
}

/// Every subscription by ID.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    pub(crate) by_id: BTreeMap<u64, Subscription>,
    pub(crate) next_id: u64,
    pub(crate) opened: u64,
}

impl Subscriptions {
    pub(crate) fn new() -> Self {
        // The seed's example subscription ID.
        Subscriptions { by_id: BTreeMap::new(), next_id: 5939, opened: 0 }
    }

    /// Drops subscriptions whose stream is gone.
    pub(crate) fn prune(&mut self) {
        self.by_id.retain(|_, s| s.open());
    }

    /// Sends an event part to every live subscription that wants it; returns how many took it.
    pub(crate) fn deliver(&mut self, dev_index: &str, kind: &EventKind, part: &Bytes) -> usize {
        self.prune();
        let mut delivered = 0;
        for sub in self.by_id.values() {
            if sub.live()
                && sub.filter.accepts(dev_index, kind)
                && sub.tx.try_send(StreamChunk::Data(part.clone())).is_ok()
            {
                delivered += 1;
            }
        }
        delivered
    }

    /// Sends raw bytes to every live subscription; returns how many took them.
    pub(crate) fn broadcast(&mut self, data: &Bytes) -> usize {
        self.prune();
        self.by_id.values().filter(|s| s.live() && s.tx.try_send(StreamChunk::Data(data.clone())).is_ok()).count()
    }

    /// Sends a control chunk to every open subscription and applies `f` to it.
    pub(crate) fn control(&mut self, chunk: StreamChunk, mut f: impl FnMut(&mut Subscription)) -> usize {
        self.prune();
        let mut n = 0;
        for sub in self.by_id.values_mut() {
            if sub.tx.try_send(chunk.clone()).is_ok() {
                n += 1;
            }
            f(sub);
        }
        n
    }

    /// Live (open, not stalled) subscriptions.
    pub(crate) fn live(&mut self) -> usize {
        self.prune();
        self.by_id.values().filter(|s| s.live()).count()
    }
}

/// One multipart part with the headers of the seed's example (content type and length).
pub(crate) fn part(body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(body.len() + 96);
    out.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Type: application/json; charset=\"UTF-8\"\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
    out.into()
}

/// The part of a JSON document.
pub(crate) fn json_part(value: &Value) -> Bytes {
    part(value.to_string().as_bytes())
}

/// A heartbeat part (9.13).
pub(crate) fn heartbeat(date_time: &str, count: u64) -> Bytes {
    json_part(&json!({
        "EventNotificationAlert": {
            "channelID": "1",
            "dateTime": date_time,
            "activePostCount": count,
            "eventType": "heartBeat",
            "eventState": "active",
            "eventDescription": "Heart Beat"
        }
    }))
}

/// The next heartbeat count of a subscription.
pub(crate) fn next_beat(counter: &AtomicU64) -> u64 {
    counter.fetch_add(1, Ordering::Relaxed) + 1
}
