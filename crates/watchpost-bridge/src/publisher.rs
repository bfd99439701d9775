//! The publisher: a feed's alarms onto JetStream, acknowledged to the source only once stored.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_nats::jetstream;
use async_nats::HeaderMap;
use bytes::Bytes;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use watchpost_core::alarm::{Ack, Alarm};
use watchpost_core::supervise::ConnectionState;

use crate::feed::{AlarmFeed, FeedItem};
use crate::msg_id::message_id;
use crate::observer::{NoObserver, Observer, Stored};
use crate::stream::humantime_serde_compat;
use crate::subject::{alarm_subject, state_subject};

/// How the publisher publishes (`[publish]` of the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishSettings {
    /// The first token of every subject. Default `watchpost` (as [`crate::StreamSettings`]).
    pub subject_prefix: String,
    /// Items taken from a feed and not yet stored, at most: the feed is not polled while the
    /// window is full (back-pressure; memory bounded by the window). Default 64.
    pub window: usize,
    /// First delay before re-publishing a failed publication. Default 200 ms.
    #[serde(with = "humantime_serde_compat")]
    pub retry_initial: Duration,
    /// Longest delay between re-publications (doubling from `retry_initial`). Default 10 s.
    #[serde(with = "humantime_serde_compat")]
    pub retry_max: Duration,
    /// When a feed is stopped, how long the items already taken from it may still be
    /// published; the rest are reported not handled to their source. Default 10 s.
    #[serde(with = "humantime_serde_compat")]
    pub drain_timeout: Duration,
}

impl Default for PublishSettings {
    fn default() -> Self {
        PublishSettings {
            subject_prefix: "watchpost".into(),
            window: 64,
            retry_initial: Duration::from_millis(200),
            retry_max: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// Why [`Publisher::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEnd {
    /// The feed ended by itself and every item was stored.
    Exhausted,
    /// The stop future completed: the feed was dropped and the items taken drained.
    Stopped,
}

/// What one [`Publisher::run`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedSummary {
    /// Why it returned.
    pub end: FeedEnd,
    /// Alarms stored and acknowledged to their source (duplicates included).
    pub alarms: u64,
    /// Alarms JetStream reported as duplicates (already stored within the window).
    pub duplicates: u64,
    /// Connection states stored.
    pub states: u64,
    /// Failed publications that were retried.
    pub retries: u64,
    /// Items taken from the feed but not stored when the drain timed out (reported not
    /// handled to their source).
    pub abandoned: u64,
}

enum Done {
    Alarm { duplicate: bool, retries: u64 },
    State { retries: u64 },
}

/// Publishes feeds to JetStream. Cheap to clone.
#[derive(Clone)]
pub struct Publisher {
    js: jetstream::Context,
    settings: Arc<PublishSettings>,
    observer: Arc<dyn Observer>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Publisher {
    /// A publisher on `js`.
    pub fn new(js: jetstream::Context, settings: PublishSettings) -> Self {
        Publisher { js, settings: Arc::new(settings), observer: Arc::new(NoObserver) }
    }

    /// The same publisher reporting to `observer` (the [`Instance`](crate::Instance) built on
    /// it reports its lease rounds there too).
    #[must_use]
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = observer;
        self
    }

    /// The observer (a no-op one unless [`with_observer`](Self::with_observer) was used).
    pub fn observer(&self) -> &Arc<dyn Observer> {
        &self.observer
    }

    /// The settings.
    pub fn settings(&self) -> &PublishSettings {
        &self.settings
    }

    /// Publishes `feed` until it ends or `stop` completes.
    ///
    /// Each alarm goes to `watchpost.alarms.<vendor>.<source>.<device>` with its
    /// [`message_id`] as `Nats-Msg-Id`, and is acknowledged to its source only after
    /// JetStream's publish acknowledgement (a duplicate acknowledgement included). A failed
    /// publication is retried with back-off, for ever; while [`PublishSettings::window`] items
    /// are unstored the feed is not polled. On `stop`, a feed with a finisher (a push source,
    /// [`AlarmFeed::with_finisher`]) is finished and read to its end (dropped as soon as the
    /// source could not be asked), and one without is dropped at once; within [`PublishSettings::drain_timeout`] every item taken is stored, and what is
    /// left then is dropped unacknowledged (reported not handled, so a queue source delivers it
    /// again; counted in [`FeedSummary::abandoned`] and logged).
    pub async fn run(&self, feed: AlarmFeed, stop: impl Future<Output = ()>) -> FeedSummary {
        let source = feed.name().to_owned();
        let window = self.settings.window.max(1);
        let mut feed = Some(feed);
        let mut in_flight = FuturesUnordered::new();
        // What is in flight, by sequence number: the receive time of an alarm, `None` for a state.
        let mut pending: HashMap<u64, Option<SystemTime>> = HashMap::new();
        let mut seq = 0u64;
        let mut summary =
            FeedSummary { end: FeedEnd::Exhausted, alarms: 0, duplicates: 0, states: 0, retries: 0, abandoned: 0 };
        tokio::pin!(stop);
        // Once stopped: until when the feed (if it finishes) and the items taken may be stored.
        let mut deadline: Option<tokio::time::Instant> = None;
        // The finisher of a stopped push feed, until the source answered it.
        let mut finishing: Option<futures_util::future::BoxFuture<'static, bool>> = None;
        loop {
            if feed.is_none() && in_flight.is_empty() {
                self.feed_ended(&source, &pending);
                return summary;
            }
            let poll_feed = feed.is_some() && in_flight.len() < window;
            let drain_over = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = &mut stop, if deadline.is_none() => {
                    summary.end = FeedEnd::Stopped;
                    deadline = Some(tokio::time::Instant::now() + self.settings.drain_timeout);
                    // A push source is finished and read to its end (what it sent before it
                    // closed is stored); any other feed is dropped at once.
                    match feed.as_mut().and_then(AlarmFeed::take_finisher) {
                        Some(finish) => {
                            tracing::debug!(source = %source, "finishing the feed");
                            finishing = Some(finish());
                        }
                        None => drop(feed.take()),
                    }
                }
                () = drain_over => break,
                agreed = finish_answer(&mut finishing), if finishing.is_some() => {
                    finishing = None;
                    if !agreed {
                        tracing::info!(source = %source, "the source could not be finished; its feed is dropped");
                        drop(feed.take());
                    }
                }
                Some((n, done)) = in_flight.next(), if !in_flight.is_empty() => {
                    pending.remove(&n);
                    record(&mut summary, done);
                }
                item = next_item(&mut feed), if poll_feed => match item {
                    Some(FeedItem::Alarm(delivery)) => {
                        let (alarm, ack) = delivery.into_parts();
                        seq += 1;
                        let n = seq;
                        pending.insert(n, Some(alarm.received_at));
                        self.observer.alarm_taken(&source, alarm.received_at);
                        let taken = std::time::Instant::now();
                        in_flight.push(self.publish_alarm(&source, alarm, ack, taken).map(move |d| (n, d)).boxed());
                    }
                    Some(FeedItem::State(state)) => {
                        seq += 1;
                        let n = seq;
                        pending.insert(n, None);
                        self.observer.state_taken(&source, &state);
                        in_flight.push(self.publish_state(&source, state).map(move |d| (n, d)).boxed());
                    }
                    None => {
                        tracing::info!(source = %source, "feed ended");
                        feed = None;
                    }
                },
            }
        }
        // The drain time is over: a feed still open is dropped, and dropping the futures left
        // drops their acknowledgements (not handled: a queue delivers them again).
        let unfinished = feed.take().is_some();
        drop(in_flight);
        summary.abandoned = pending.len() as u64;
        tracing::warn!(
            source = %source,
            abandoned = summary.abandoned,
            unfinished,
            "drain timed out; unstored items reported not handled"
        );
        self.feed_ended(&source, &pending);
        summary
    }

    fn feed_ended(&self, source: &str, pending: &HashMap<u64, Option<SystemTime>>) {
        let alarms: Vec<SystemTime> = pending.values().filter_map(|t| *t).collect();
        let states = (pending.len() - alarms.len()) as u64;
        self.observer.feed_ended(source, &alarms, states);
    }

    async fn publish_alarm(&self, source: &str, alarm: Alarm, ack: Ack, taken: std::time::Instant) -> Done {
        let subject = alarm_subject(&self.settings.subject_prefix, source, &alarm);
        let id = message_id(source, &alarm);
        let payload = alarm_payload(&alarm);
        let mut headers = HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, id.as_str());
        headers.insert("Watchpost-Source", source);
        let received_at = alarm.received_at;
        drop(alarm);
        let (stored, retries) = self.publish_until_stored(source, subject, headers, payload).await;
        ack.ack();
        self.observer
            .alarm_stored(source, &Stored { duplicate: stored.duplicate, latency: taken.elapsed(), received_at });
        Done::Alarm { duplicate: stored.duplicate, retries }
    }

    async fn publish_state(&self, source: &str, state: ConnectionState) -> Done {
        let subject = state_subject(&self.settings.subject_prefix, source);
        let payload = state_payload(source, &state, SystemTime::now());
        let mut headers = HeaderMap::new();
        headers.insert("Watchpost-Source", source);
        let (_, retries) = self.publish_until_stored(source, subject, headers, payload).await;
        self.observer.state_stored(source);
        Done::State { retries }
    }

    /// Publishes until JetStream acknowledges; returns the acknowledgement and the retries.
    async fn publish_until_stored(
        &self,
        source: &str,
        subject: String,
        headers: HeaderMap,
        payload: Bytes,
    ) -> (jetstream::publish::PublishAck, u64) {
        let mut delay = self.settings.retry_initial;
        let mut retries = 0u64;
        loop {
            let attempt = async {
                let pending = self
                    .js
                    .publish_with_headers(subject.clone(), headers.clone(), payload.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                pending.await.map_err(|e| e.to_string())
            };
            match attempt.await {
                Ok(stored) => return (stored, retries),
                Err(error) => {
                    retries += 1;
                    self.observer.publish_retry(source);
                    tracing::warn!(subject = %subject, retries, error = %error, "publish failed; retrying");
                    // Full jitter between half and all of the delay.
                    let half = delay / 2;
                    let jitter = half.mul_f64(fastrand::f64());
                    tokio::time::sleep(half + jitter).await;
                    delay = delay.saturating_mul(2).min(self.settings.retry_max);
                }
            }
        }
    }
}

fn record(summary: &mut FeedSummary, done: Done) {
    match done {
        Done::Alarm { duplicate, retries } => {
            summary.alarms += 1;
            summary.duplicates += u64::from(duplicate);
            summary.retries += retries;
        }
        Done::State { retries } => {
            summary.states += 1;
            summary.retries += retries;
        }
    }
}

/// The answer of a feed's finisher (never completes when there is none).
async fn finish_answer(finishing: &mut Option<futures_util::future::BoxFuture<'static, bool>>) -> bool {
    match finishing {
        Some(answer) => answer.await,
        None => std::future::pending().await,
    }
}

async fn next_item(feed: &mut Option<AlarmFeed>) -> Option<FeedItem> {
    match feed {
        Some(feed) => feed.next().await,
        None => std::future::pending().await,
    }
}

/// The alarm as JSON; an alarm that cannot be serialised (a receive time out of range) is
/// still published, as an envelope naming it, never dropped.
fn alarm_payload(alarm: &Alarm) -> Bytes {
    match serde_json::to_vec(alarm) {
        Ok(bytes) => Bytes::from(bytes),
        Err(e) => Bytes::from(
            serde_json::json!({
                "unserialisable": e.to_string(),
                "source": alarm.source,
                "device_id": alarm.device_id,
                "code": alarm.code,
                "description": alarm.description,
                "raw": alarm.raw,
            })
            .to_string(),
        ),
    }
}

/// `{"source", "state", "attempt"?, "delay_ms"?, "at"}` of a connection-state change.
fn state_payload(source: &str, state: &ConnectionState, at: SystemTime) -> Bytes {
    let mut body = serde_json::json!({ "source": source });
    let name = match state {
        ConnectionState::Connecting => "connecting",
        ConnectionState::Connected => "connected",
        ConnectionState::Backoff { attempt, delay } => {
            body["attempt"] = (*attempt).into();
            body["delay_ms"] = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX).into();
            "backoff"
        }
        ConnectionState::Closed => "closed",
        _ => "other",
    };
    body["state"] = name.into();
    if let Ok(text) = OffsetDateTime::from(at).format(&Rfc3339) {
        body["at"] = text.into();
    }
    Bytes::from(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_payload_names_the_state_and_the_backoff() {
        let p = state_payload(
            "gw-1",
            &ConnectionState::Backoff { attempt: 3, delay: Duration::from_millis(1500) },
            SystemTime::UNIX_EPOCH,
        );
        let v: serde_json::Value = serde_json::from_slice(&p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"source": "gw-1", "state": "backoff", "attempt": 3, "delay_ms": 1500, "at": "1970-01-01T00:00:00Z"})
        );
    }
}
