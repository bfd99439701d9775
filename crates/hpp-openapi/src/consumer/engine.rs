//! The consumer's engine, shared by the handler and the delivery-stream modes: subscribe, poll,
//! decode, deduplicate, commit, back off, publish the connection state, watch for shutdown.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use watchpost_core::error::{DecodeError, ErrorKind};
use watchpost_core::supervise::ConnectionState;
use watchpost_core::{Error, ErrorClass};

use super::batch::{decode, Batch, Polled, Ticket};
use super::config::{ConsumerConfig, Subscription};
use super::dedupe::Seen;
use super::stats::SharedStats;
use super::Condition;
use crate::error::{HppCode, HppErrorExt as _};
use crate::models::mq::{SubMode, SubType};
use crate::requests::{MqMessagesRequest, MqOffsetRequest, MqSubscribeRequest};
use crate::Client;

/// The operation id used in the consumer's own errors.
const OP: &str = "mq.messages";

/// What the engine has for its driver next.
pub(crate) enum Step {
    /// Fresh messages to hand over; settle the ticket with the outcome.
    Batch(Batch, Ticket),
    /// Nothing to hand over (an empty poll, or only duplicates, already committed).
    Idle,
    /// A failure to report; the engine backs off before its next poll.
    Error(Error),
    /// The consumer stops: shut down (`None`) or a fatal error before it ever worked.
    Stop(Option<Error>),
}

/// The consumer's engine (see the module docs).
pub(crate) struct Engine {
    /// The client for polls: the poll timeout per attempt, no retries (the engine backs off).
    poller: Client,
    /// The client for subscribing and committing (its own retries).
    client: Client,
    config: ConsumerConfig,
    state: watch::Sender<ConnectionState>,
    condition: watch::Sender<Option<Condition>>,
    stats: SharedStats,
    shutdown: watch::Receiver<bool>,
    /// Contents handled (committed or handed over successfully): later copies are suppressed.
    handled: Seen,
    /// Contents handed over (for `delivered_again`).
    delivered: Seen,
    subscribed: bool,
    /// A poll has succeeded once.
    established: bool,
    /// Consecutive failed polls other than LAP068001.
    failures: u32,
    /// Consecutive LAP068001 answers.
    busy: u32,
    /// Consecutive failed batches.
    failed_batches: u32,
    /// The back-off to wait before the next poll.
    backoff: Option<Duration>,
    /// The pause before the next poll after an empty poll answered early.
    pause: Option<Duration>,
}

impl Engine {
    pub(crate) fn new(
        client: &Client,
        config: ConsumerConfig,
        state: watch::Sender<ConnectionState>,
        condition: watch::Sender<Option<Condition>>,
        stats: SharedStats,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let timeout = config.poll_timeout;
        Engine {
            poller: client.customize(|o| o.attempt_timeout(timeout).disable_retry()),
            client: client.clone(),
            handled: Seen::new(config.dedupe),
            delivered: Seen::new(config.dedupe),
            subscribed: matches!(config.subscription, Subscription::Existing),
            config,
            state,
            condition,
            stats,
            shutdown,
            established: false,
            failures: 0,
            busy: 0,
            failed_batches: 0,
            backoff: None,
            pause: None,
        }
    }

    /// Resolves once shutdown was asked (never, if it cannot be asked any more).
    fn shutdown_asked(&self) -> impl Future<Output = ()> + use<> {
        let mut rx = self.shutdown.clone();
        async move {
            if rx.wait_for(|stop| *stop).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    fn is_shut_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    fn set_state(&self, state: ConnectionState) {
        self.state.send_if_modified(|s| {
            let changed = *s != state;
            *s = state;
            changed
        });
    }

    /// Publishes `Closed`: the consumer stopped.
    pub(crate) fn close(&self) {
        self.set_state(ConnectionState::Closed);
    }

    /// Polls (after any back-off) and decides what to hand over.
    pub(crate) async fn next(&mut self) -> Step {
        if self.is_shut_down() {
            return Step::Stop(None);
        }
        if let Some(delay) = self.backoff.take() {
            let attempt = self.failures.max(self.busy).max(self.failed_batches).max(1);
            self.set_state(ConnectionState::Backoff { attempt, delay });
            let stopped = tokio::select! {
                () = self.shutdown_asked() => true,
                () = tokio::time::sleep(delay) => false,
            };
            if stopped {
                return Step::Stop(None);
            }
        }
        if let Some(pause) = self.pause.take() {
            let stopped = tokio::select! {
                () = self.shutdown_asked() => true,
                () = tokio::time::sleep(pause) => false,
            };
            if stopped {
                return Step::Stop(None);
            }
        }
        if !self.established {
            self.set_state(ConnectionState::Connecting);
        }
        if !self.subscribed {
            if let Err(e) = self.subscribe().await {
                return self.poll_failed(e);
            }
            self.subscribed = true;
        }
        let started = Instant::now();
        let request = MqMessagesRequest::new();
        let answer = tokio::select! {
            () = self.shutdown_asked() => return Step::Stop(None),
            answer = self.poller.call::<_, serde_json::Value>(&request) => answer,
        };
        let data = match answer {
            Ok(data) => data,
            Err(e) => return self.poll_failed(e),
        };
        let polled = match decode(data) {
            Ok(polled) => polled,
            Err(message) => {
                self.stats.update(|s| s.malformed_batches += 1);
                let e = Error::decode(
                    OP,
                    Some(200),
                    message.as_bytes(),
                    DecodeError::Envelope { message: message.clone() },
                );
                return self.poll_failed(e);
            }
        };
        self.established = true;
        self.failures = 0;
        self.busy = 0;
        self.condition.send_replace(None);
        self.set_state(ConnectionState::Connected);
        if polled.is_empty() {
            // The platform holds an idle poll 20 s; one answered at once must not make a tight loop.
            self.pause = self.config.min_empty_poll.checked_sub(started.elapsed()).filter(|d| !d.is_zero());
        }
        self.received(polled).await
    }

    async fn subscribe(&self) -> Result<(), Error> {
        let req = match &self.config.subscription {
            Subscription::All => MqSubscribeRequest::new(SubType::Subscribe, SubMode::All),
            Subscription::Devices(list) => {
                MqSubscribeRequest::new(SubType::Subscribe, SubMode::List).device_serial_list(list.iter().cloned())
            }
            Subscription::Existing => return Ok(()),
        };
        self.client.mq_subscribe(&req).await
    }

    /// Counts a failed poll, schedules the back-off and says whether the consumer stops.
    fn poll_failed(&mut self, e: Error) -> Step {
        let busy = e.hpp_code() == Some(HppCode::SearchInProgress);
        self.stats.update(|s| {
            s.poll_errors += 1;
            if busy {
                s.other_consumer += 1;
            }
        });
        let condition = match e.hpp_code() {
            Some(HppCode::SearchInProgress) => Condition::OtherConsumer,
            Some(HppCode::PullingAlarmsFailed) => Condition::PullFailed,
            _ if e.kind() == ErrorKind::Decode => Condition::Malformed,
            Some(_) => Condition::Rejected,
            None => Condition::Unreachable,
        };
        self.condition.send_replace(Some(condition));
        let fatal = matches!(e.class(), ErrorClass::AuthRejected | ErrorClass::Permanent | ErrorClass::Unsupported)
            && !busy
            && e.kind() != ErrorKind::Decode;
        if fatal && !self.established {
            tracing::error!(target: "hpp_openapi::consumer", error = %e.report(), "the consumer cannot start");
            return Step::Stop(Some(e));
        }
        let delay = if busy {
            self.busy = self.busy.saturating_add(1);
            self.config.other_consumer_backoff.delay(self.busy, &*self.config.jitter)
        } else {
            self.failures = self.failures.saturating_add(1);
            self.config.backoff.delay(self.failures, &*self.config.jitter)
        };
        tracing::warn!(target: "hpp_openapi::consumer", error = %e.report(), ?delay, "poll failed; backing off");
        self.backoff = Some(delay);
        Step::Error(e)
    }

    /// Deduplicates a polled batch; commits at once what holds nothing new.
    async fn received(&mut self, polled: Polled) -> Step {
        let Polled { id, messages, malformed } = polled;
        let now = Instant::now();
        let total = messages.len() + malformed.len();
        let mut fresh = Vec::with_capacity(messages.len());
        let mut keys = Vec::with_capacity(messages.len());
        let (mut duplicates, mut again) = (0u64, 0u64);
        for m in messages {
            let key = self.handled.key(&m.device_serial, &m.alarm_text());
            if self.handled.contains(key, now) || keys.contains(&key) {
                duplicates += 1;
                continue;
            }
            if self.delivered.contains(key, now) {
                again += 1;
            }
            self.delivered.insert(key, now);
            keys.push(key);
            fresh.push(m);
        }
        let uncommittable = if id.is_none() { total as u64 } else { 0 };
        let delivered = fresh.len() as u64;
        let bad = malformed.len() as u64;
        self.stats.update(|s| {
            s.polls += 1;
            if total == 0 {
                s.polls_empty += 1;
            } else {
                s.batches += 1;
            }
            s.received += total as u64;
            s.duplicates_suppressed += duplicates;
            s.delivered_again += again;
            s.delivered += delivered;
            s.malformed_messages += bad;
            s.uncommittable += uncommittable;
        });
        if duplicates > 0 {
            tracing::debug!(target: "hpp_openapi::consumer", duplicates, batch = ?id, "redelivered messages suppressed");
        }
        if fresh.is_empty() && malformed.is_empty() {
            if let Some(id) = id {
                self.commit(&id).await;
            }
            return Step::Idle;
        }
        Step::Batch(Batch { id: id.clone(), messages: fresh, malformed }, Ticket { id, keys })
    }

    /// The batch was handled: remember its contents and commit it.
    pub(crate) async fn handled(&mut self, ticket: Ticket) {
        let now = Instant::now();
        for key in ticket.keys {
            self.handled.insert(key, now);
        }
        self.failed_batches = 0;
        if let Some(id) = ticket.id {
            self.commit(&id).await;
        }
    }

    /// The batch was not handled: no commit, back off before the next poll.
    pub(crate) fn failed(&mut self, ticket: &Ticket) {
        self.stats.update(|s| s.batches_failed += 1);
        self.failed_batches = self.failed_batches.saturating_add(1);
        let delay = self.config.handler_backoff.delay(self.failed_batches, &*self.config.jitter);
        tracing::warn!(target: "hpp_openapi::consumer", batch = ?ticket.id, ?delay, "batch not handled: not committed, it comes again");
        self.backoff = Some(delay);
    }

    /// The batch was given up at shutdown: no commit.
    pub(crate) fn abandoned(&mut self, ticket: &Ticket) {
        self.stats.update(|s| s.batches_abandoned += 1);
        tracing::info!(target: "hpp_openapi::consumer", batch = ?ticket.id, "shutdown: batch abandoned without commit");
    }

    async fn commit(&mut self, id: &str) {
        match self.client.mq_offset(&MqOffsetRequest::new(id)).await {
            Ok(()) => self.stats.update(|s| s.batches_committed += 1),
            Err(e) => {
                self.stats.update(|s| s.commit_errors += 1);
                tracing::warn!(target: "hpp_openapi::consumer", error = %e.report(), batch = id, "commit failed: the batch comes again and its messages are suppressed as duplicates");
            }
        }
    }

    /// Runs `work` (a handler call, the wait for acknowledgements) to its end; on shutdown it
    /// gets the grace time to finish, then is abandoned (`None`).
    pub(crate) async fn finish_or_abandon<T>(&mut self, work: impl Future<Output = T>) -> Option<T> {
        let mut work = std::pin::pin!(work);
        tokio::select! {
            out = &mut work => return Some(out),
            () = self.shutdown_asked() => {}
        }
        tokio::time::timeout(self.config.shutdown_grace, work).await.ok()
    }
}
