//! The simulated alarm message queue (3.33-3.36): subscriptions, batches of pushed alarms that
//! stay unconfirmed until `mq/offset`, redelivery, the two-hour cache, one consumer per key, the
//! long poll, and picture URLs.
//!
//! How the platform behaves here (the seed documents only part of it):
//! - a poll hands out the next batch of up to [`DEFAULT_BATCH_SIZE`] queued messages
//!   ([`Simulator::set_mq_batch_size`]); a batch not confirmed with `mq/offset` is handed out
//!   again, **with the same batch id**, by the first poll after the redelivery delay
//!   ([`Simulator::set_redelivery_delay`], default [`DEFAULT_REDELIVERY_DELAY`]; the seed says
//!   "re-sent after a while", L3299), while later messages keep flowing in new batches;
//! - messages older than two hours of (tokio) time are dropped, queued or unconfirmed, and
//!   counted ([`Simulator::alarms_expired`]; "the platform only caches two hours", L3303);
//! - **one consumer per app key**: the seed's LAP068001 says "when AK and SK are occupied ...
//!   concurrent searching and synchronous calling are not supported". The simulator identifies a
//!   consumer by its **access token** (each `token/get` makes a new one, so two processes with the
//!   same key are two consumers, as they are to the platform: neither can see the other's TCP
//!   connections behind a load balancer). The token that polls holds the key's lease for
//!   [`DEFAULT_CONSUMER_LEASE`] after its last poll ([`Simulator::set_consumer_lease`]); a poll
//!   with another token meanwhile answers LAP068001 and counts
//!   ([`Simulator::consumer_rejections`]). A holder whose token expired no longer holds it, so a
//!   consumer that refreshed its token takes over at once;
//! - an idle poll is held until a message arrives, a batch is due again, or the long poll ends
//!   ([`Simulator::set_long_poll`]: default [`DEFAULT_LONG_POLL`] to keep tests fast; the
//!   platform's is 20 s, L487, usable with tokio's paused clock), then answers
//!   `{"batchId": null, "list": []}`. Other empty shapes can be injected with
//!   [`Simulator::faults`].
//!
//! The queue keeps a log ([`Simulator::mq_log`], at most [`MQ_LOG_CAP`] records, oldest
//! forgotten first) of every answered poll (which consumer, when it started and was answered,
//! the batch and its messages), every refused poll and every confirmed batch, so that tests can
//! tell from the platform's side who consumed the key when and what was confirmed when.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::time::Instant;
use watchpost_core::sim::{SimRequest, SimResponse, TokenCheck};

use super::handlers::{answer, failure, filled, Answer, HppSim};
use super::Simulator;
use crate::error::HppCode;
use crate::generated as api;
use crate::models::mq::{SubMode, SubType};

/// The most messages one `mq/messages` answer carries by default.
pub const DEFAULT_BATCH_SIZE: usize = 50;
/// How long an unconfirmed batch waits before it is handed out again, by default.
pub const DEFAULT_REDELIVERY_DELAY: Duration = Duration::from_secs(60);
/// How long the platform keeps a message: two hours (L3303).
pub const CACHE_TIME: Duration = Duration::from_secs(2 * 3600);
/// How long an idle poll is held by default (the platform holds 20 s).
pub const DEFAULT_LONG_POLL: Duration = Duration::from_millis(100);
/// How long a consumer holds the key's lease after its last poll, by default.
pub const DEFAULT_CONSUMER_LEASE: Duration = Duration::from_secs(30);

/// The most records the queue's log keeps ([`Simulator::mq_log`]).
pub const MQ_LOG_CAP: usize = 100_000;

/// One record of the queue's log. A consumer is numbered by its access token, from 1 in the
/// order the tokens first polled (the token itself is not kept in the log).
#[derive(Debug, Clone, PartialEq)]
pub enum MqRecord {
    /// A poll answered: a batch (new or handed out again) or an empty list.
    Poll {
        /// The consumer that polled.
        consumer: u64,
        /// When the poll arrived (wall clock).
        started: SystemTime,
        /// When it was answered (wall clock).
        answered: SystemTime,
        /// The batch id (`None` for an empty answer).
        batch_id: Option<String>,
        /// Whether the batch was handed out before.
        redelivered: bool,
        /// The messages of the batch, as sent.
        messages: Vec<Value>,
    },
    /// A poll answered LAP068001 (another consumer holds the key).
    Refused {
        /// The consumer that polled.
        consumer: u64,
        /// When (wall clock).
        at: SystemTime,
    },
    /// A batch confirmed with `mq/offset`.
    Commit {
        /// The consumer that confirmed it.
        consumer: u64,
        /// When the confirmation was applied (wall clock).
        at: SystemTime,
        /// The batch id.
        batch_id: String,
        /// The messages of the batch.
        messages: Vec<Value>,
    },
}

/// A queued message and when it was pushed.
#[derive(Debug, Clone)]
struct Message {
    value: Value,
    pushed: Instant,
}

/// A batch handed out and not confirmed.
#[derive(Debug)]
struct Outstanding {
    id: String,
    messages: Vec<Message>,
    sent: Instant,
}

/// The consumer holding the key: its token and when it last polled.
#[derive(Debug)]
struct Lease {
    token: String,
    seen: Instant,
}

/// What the queue remembers.
#[derive(Debug)]
pub(crate) struct State {
    /// Subscribed to every device.
    all: bool,
    /// Subscribed devices (mode "list").
    devices: BTreeSet<String>,
    /// Messages not yet handed out.
    queue: VecDeque<Message>,
    /// Batches handed out and not confirmed, oldest first.
    outstanding: Vec<Outstanding>,
    /// Batches issued so far (for batch ids).
    batches: u64,
    /// Batches confirmed.
    confirmed: u64,
    /// The ids of the batches confirmed.
    confirmed_ids: BTreeSet<String>,
    /// Batches handed out again.
    redelivered: u64,
    /// Messages dropped by the two-hour cache.
    expired: u64,
    /// Polls answered LAP068001.
    rejections: u64,
    /// Whether the last batch [`next_batch`](Self::next_batch) handed out was a redelivery.
    redelivered_last: bool,
    lease: Option<Lease>,
    batch_size: usize,
    redelivery_delay: Duration,
    long_poll: Duration,
    lease_time: Duration,
    /// Bumped on every push: wakes held polls.
    pushed: watch::Sender<u64>,
    /// Consumer numbers by access token.
    consumers: BTreeMap<String, u64>,
    /// The log of polls and confirmations, oldest first.
    log: VecDeque<MqRecord>,
    /// Records forgotten because the log was full.
    log_forgotten: u64,
}

impl Default for State {
    fn default() -> Self {
        State {
            all: false,
            devices: BTreeSet::new(),
            queue: VecDeque::new(),
            outstanding: Vec::new(),
            batches: 0,
            confirmed: 0,
            confirmed_ids: BTreeSet::new(),
            redelivered: 0,
            expired: 0,
            rejections: 0,
            redelivered_last: false,
            lease: None,
            batch_size: DEFAULT_BATCH_SIZE,
            redelivery_delay: DEFAULT_REDELIVERY_DELAY,
            long_poll: DEFAULT_LONG_POLL,
            lease_time: DEFAULT_CONSUMER_LEASE,
            pushed: watch::channel(0).0,
            consumers: BTreeMap::new(),
            log: VecDeque::new(),
            log_forgotten: 0,
        }
    }
}

impl State {
    /// The number of the consumer with `token` (a new one for a token never seen).
    fn consumer(&mut self, token: &str) -> u64 {
        let next = self.consumers.len() as u64 + 1;
        *self.consumers.entry(token.to_owned()).or_insert(next)
    }

    fn record(&mut self, record: MqRecord) {
        if self.log.len() >= MQ_LOG_CAP {
            self.log.pop_front();
            self.log_forgotten += 1;
        }
        self.log.push_back(record);
    }

    fn subscribed(&self, serial: &str) -> bool {
        self.all || self.devices.contains(serial)
    }

    /// Takes (or keeps) the key's lease for `token`; LAP068001 while another valid token holds it.
    fn take_lease(&mut self, token: &str, now: Instant, valid: impl Fn(&str) -> bool) -> Answer<()> {
        if let Some(lease) = &self.lease {
            let live = now < lease.seen + self.lease_time;
            if lease.token != token && live && valid(&lease.token) {
                self.rejections += 1;
                return Err(HppCode::SearchInProgress);
            }
        }
        self.lease = Some(Lease { token: token.to_owned(), seen: now });
        Ok(())
    }

    /// Drops every message older than the cache time.
    fn expire(&mut self, now: Instant) {
        let fresh = |m: &Message| now.saturating_duration_since(m.pushed) < CACHE_TIME;
        let before = self.queue.len() + self.outstanding.iter().map(|b| b.messages.len()).sum::<usize>();
        self.queue.retain(fresh);
        for batch in &mut self.outstanding {
            batch.messages.retain(fresh);
        }
        self.outstanding.retain(|b| !b.messages.is_empty());
        let after = self.queue.len() + self.outstanding.iter().map(|b| b.messages.len()).sum::<usize>();
        self.expired += (before - after) as u64;
    }

    /// The next batch to hand out: an unconfirmed one that is due again, or new messages.
    fn next_batch(&mut self, now: Instant) -> Option<Value> {
        let delay = self.redelivery_delay;
        if let Some(batch) = self.outstanding.iter_mut().find(|b| now >= b.sent + delay) {
            batch.sent = now;
            self.redelivered += 1;
            let json = batch_json(&batch.id, &batch.messages);
            self.redelivered_last = true;
            return Some(json);
        }
        self.redelivered_last = false;
        if self.queue.is_empty() {
            return None;
        }
        let n = self.queue.len().min(self.batch_size.max(1));
        let messages: Vec<Message> = self.queue.drain(..n).collect();
        self.batches += 1;
        let id = format!("batch-{:08}", self.batches);
        let json = batch_json(&id, &messages);
        self.outstanding.push(Outstanding { id, messages, sent: now });
        Some(json)
    }

    /// When the next unconfirmed batch is due again.
    fn next_due(&self) -> Option<Instant> {
        self.outstanding.iter().map(|b| b.sent + self.redelivery_delay).min()
    }
}

fn batch_json(id: &str, messages: &[Message]) -> Value {
    let list: Vec<&Value> = messages.iter().map(|m| &m.value).collect();
    json!({ "batchId": id, "list": list })
}

/// The bearer token of a request (the token middleware has checked it).
fn bearer(ctx: &SimRequest) -> String {
    ctx.header("authorization").and_then(|h| h.trim().strip_prefix("Bearer ")).unwrap_or_default().trim().to_owned()
}

/// 3.33: subscribe to all devices or a list, or unsubscribe.
pub(crate) fn subscribe(h: &HppSim, req: api::MqSubscribeRequest) -> SimResponse {
    let mut state = h.state();
    let mq = &mut state.mq;
    let mut run = || -> Answer<Option<Value>> {
        match (req.sub_type, req.sub_mode) {
            (SubType::Subscribe, SubMode::All) => mq.all = true,
            (SubType::Unsubscribe, SubMode::All) => {
                mq.all = false;
                mq.devices.clear();
            }
            (sub, SubMode::List) => {
                let list =
                    req.device_serial_list.as_deref().filter(|l| !l.is_empty()).ok_or(HppCode::ParameterError)?;
                for serial in list {
                    let serial = filled(serial)?.to_owned();
                    if sub == SubType::Subscribe {
                        mq.devices.insert(serial);
                    } else {
                        mq.devices.remove(&serial);
                    }
                }
            }
        }
        Ok(None)
    };
    answer(run())
}

/// 3.34: a batch due again, or the next batch of queued messages; an idle poll is held (see
/// the module docs) and then answers an empty list without a batch id.
pub(crate) async fn messages(h: &HppSim, _req: api::MqMessagesRequest, ctx: &SimRequest) -> SimResponse {
    let token = bearer(ctx);
    let valid = |t: &str| h.tokens.validate(t) == TokenCheck::Valid;
    let started = SystemTime::now();
    let mut deadline = None;
    loop {
        let (mut pushed, wake) = {
            let mut state = h.state();
            let mq = &mut state.mq;
            let now = Instant::now();
            let consumer = mq.consumer(&token);
            if let Err(code) = mq.take_lease(&token, now, valid) {
                mq.record(MqRecord::Refused { consumer, at: SystemTime::now() });
                return failure(&code);
            }
            mq.expire(now);
            if let Some(batch) = mq.next_batch(now) {
                let batch_id = batch["batchId"].as_str().map(str::to_owned);
                let messages = batch["list"].as_array().cloned().unwrap_or_default();
                let redelivered = mq.redelivered_last;
                let answered = SystemTime::now();
                mq.record(MqRecord::Poll { consumer, started, answered, batch_id, redelivered, messages });
                return answer(Ok(Some(batch)));
            }
            let end = *deadline.get_or_insert(now + mq.long_poll);
            if now >= end {
                let answered = SystemTime::now();
                let empty = MqRecord::Poll {
                    consumer,
                    started,
                    answered,
                    batch_id: None,
                    redelivered: false,
                    messages: Vec::new(),
                };
                mq.record(empty);
                return answer(Ok(Some(json!({ "batchId": null, "list": [] }))));
            }
            let wake = mq.next_due().map_or(end, |due| due.min(end));
            (mq.pushed.subscribe(), wake)
        };
        tokio::select! {
            _ = pushed.changed() => {}
            () = tokio::time::sleep_until(wake) => {}
        }
    }
}

/// 3.35: confirms an unconfirmed batch (LAP000001 for an unknown or already confirmed one).
pub(crate) fn offset(h: &HppSim, req: api::MqOffsetRequest, ctx: &SimRequest) -> SimResponse {
    let token = bearer(ctx);
    let mut state = h.state();
    let mq = &mut state.mq;
    let mut run = || -> Answer<Option<Value>> {
        let id = filled(&req.batch_id)?;
        let at = mq.outstanding.iter().position(|b| b.id == id).ok_or(HppCode::ParameterError)?;
        let batch = mq.outstanding.remove(at);
        mq.confirmed += 1;
        let consumer = mq.consumer(&token);
        let messages = batch.messages.into_iter().map(|m| m.value).collect();
        mq.record(MqRecord::Commit { consumer, at: SystemTime::now(), batch_id: batch.id.clone(), messages });
        mq.confirmed_ids.insert(batch.id);
        Ok(None)
    };
    answer(run())
}

/// 3.36: a picture URL for a file path of an alarm message (`ISAPI_FILES/...`).
pub(crate) fn picture_url(h: &HppSim, req: api::AlarmPictureUrlRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let path = filled(&req.file_path)?;
        if !path.starts_with("ISAPI_FILES") {
            return Err(HppCode::InvalidAlarmPictureUrl);
        }
        if let Some(issued) = super::pictures::picture_url(h, path) {
            return Ok(Some(issued));
        }
        let encrypt = path.contains("$encrypt=2");
        let base = h.area_domain.lock().map(|a| a.clone()).unwrap_or_default();
        let name: String = path.bytes().map(|b| if b.is_ascii_alphanumeric() { b as char } else { '_' }).collect();
        Ok(Some(json!({ "pictureUrl": format!("{base}/pictures/{name}"), "encrypt": encrypt })))
    };
    answer(run())
}

/// Test hooks of the queue.
impl Simulator {
    /// Queues an alarm message for the device when it is subscribed and online (alarms of
    /// devices nobody subscribed to are dropped, as the platform does, and an offline device
    /// sends none); returns whether it was queued.
    /// `alarm_data` is the message's `alarmData` (a string, or a JSON value).
    pub fn push_alarm(&self, device_serial: &str, format: crate::models::mq::FormatType, alarm_data: Value) -> bool {
        if self.sim().check_online(device_serial).is_err() {
            return false;
        }
        let mut state = self.sim().state();
        if !state.mq.subscribed(device_serial) {
            return false;
        }
        let value = json!({ "formatType": format, "deviceSerial": device_serial, "alarmData": alarm_data });
        state.mq.queue.push_back(Message { value, pushed: Instant::now() });
        state.mq.pushed.send_modify(|n| *n = n.wrapping_add(1));
        true
    }

    /// Messages queued and not yet handed out, plus those of the unconfirmed batches.
    pub fn alarms_unconfirmed(&self) -> usize {
        let state = self.sim().state();
        state.mq.queue.len() + state.mq.outstanding.iter().map(|b| b.messages.len()).sum::<usize>()
    }

    /// How many batches were confirmed with `mq/offset`.
    pub fn batches_confirmed(&self) -> u64 {
        self.sim().state().mq.confirmed
    }

    /// Whether the batch `id` was confirmed with `mq/offset`.
    pub fn batch_confirmed(&self, id: &str) -> bool {
        self.sim().state().mq.confirmed_ids.contains(id)
    }

    /// How many times an unconfirmed batch was handed out again.
    pub fn batches_redelivered(&self) -> u64 {
        self.sim().state().mq.redelivered
    }

    /// The queue's log of answered and refused polls and confirmed batches, oldest first (see
    /// [`MqRecord`]), and how many older records were forgotten beyond [`MQ_LOG_CAP`].
    pub fn mq_log(&self) -> (Vec<MqRecord>, u64) {
        let state = self.sim().state();
        (state.mq.log.iter().cloned().collect(), state.mq.log_forgotten)
    }

    /// How many messages the two-hour cache dropped.
    pub fn alarms_expired(&self) -> u64 {
        self.sim().state().mq.expired
    }

    /// How many polls were answered LAP068001 (another consumer holds the key).
    pub fn consumer_rejections(&self) -> u64 {
        self.sim().state().mq.rejections
    }

    /// The most messages of one batch (at least 1). Default [`DEFAULT_BATCH_SIZE`].
    pub fn set_mq_batch_size(&self, n: usize) {
        self.sim().state().mq.batch_size = n.max(1);
    }

    /// How long an unconfirmed batch waits before it is handed out again. Default
    /// [`DEFAULT_REDELIVERY_DELAY`]; zero hands it out again on the next poll.
    pub fn set_redelivery_delay(&self, delay: Duration) {
        self.sim().state().mq.redelivery_delay = delay;
    }

    /// How long an idle poll is held. Default [`DEFAULT_LONG_POLL`]; the platform's is 20 s.
    pub fn set_long_poll(&self, hold: Duration) {
        self.sim().state().mq.long_poll = hold;
    }

    /// How long a consumer keeps the key after its last poll. Default [`DEFAULT_CONSUMER_LEASE`].
    pub fn set_consumer_lease(&self, lease: Duration) {
        self.sim().state().mq.lease_time = lease;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(n: u64, pushed: Instant) -> Message {
        Message { value: json!({ "n": n }), pushed }
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_token_is_refused_until_the_lease_lapses_or_the_holder_is_invalid() {
        let mut s = State::default();
        let t0 = Instant::now();
        assert_eq!(s.take_lease("a", t0, |_| true), Ok(()));
        assert_eq!(s.take_lease("b", t0 + Duration::from_secs(29), |_| true), Err(HppCode::SearchInProgress));
        assert_eq!(s.take_lease("b", t0 + Duration::from_secs(29), |t| t != "a"), Ok(()), "holder expired");
        assert_eq!(s.take_lease("a", t0 + Duration::from_secs(59), |_| true), Ok(()), "lease lapsed");
        assert_eq!(s.rejections, 1);
    }

    #[test]
    fn consumers_are_numbered_by_token_and_the_log_is_bounded() {
        let mut s = State::default();
        assert_eq!((s.consumer("a"), s.consumer("b"), s.consumer("a")), (1, 2, 1));
        for n in 0..=MQ_LOG_CAP {
            s.record(MqRecord::Refused { consumer: n as u64, at: SystemTime::UNIX_EPOCH });
        }
        assert_eq!((s.log.len(), s.log_forgotten), (MQ_LOG_CAP, 1));
        assert_eq!(s.log.front(), Some(&MqRecord::Refused { consumer: 1, at: SystemTime::UNIX_EPOCH }));
    }

    #[tokio::test(start_paused = true)]
    async fn batches_come_again_after_the_delay_and_old_messages_expire() {
        let mut s = State { batch_size: 2, ..State::default() };
        let t0 = Instant::now();
        s.queue.extend((0..3).map(|n| msg(n, t0)));
        let first = s.next_batch(t0).unwrap();
        assert_eq!(first["list"].as_array().map(Vec::len), Some(2));
        let second = s.next_batch(t0).unwrap();
        assert_eq!(second["list"].as_array().map(Vec::len), Some(1));
        assert!(s.next_batch(t0).is_none());
        assert_eq!(s.next_due(), Some(t0 + DEFAULT_REDELIVERY_DELAY));
        let again = s.next_batch(t0 + DEFAULT_REDELIVERY_DELAY).unwrap();
        assert_eq!(again, first, "same id, same messages");
        s.expire(t0 + CACHE_TIME);
        assert_eq!((s.expired, s.outstanding.len()), (3, 0));
    }
}
