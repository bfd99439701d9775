//! The alarm consumer: at-least-once delivery of the alarm message queue (3.33-3.35).
//!
//! A [`Consumer`] subscribes ([`Subscription`]), long-polls `mq/messages` (the platform holds an
//! idle poll 20 s; the poll's timeout, [`ConsumerConfig::poll_timeout`], sits above it) and
//! confirms a batch with `mq/offset` **only once it is handled**, so a crash or a failure means
//! the platform sends the batch again. Two ways to consume, one engine:
//!
//! - [`Consumer::run`]: a handler gets each [`Batch`] and returns `Result<(), E>`; `Ok` commits the
//!   batch, `Err` leaves it uncommitted (it comes again) and backs off
//!   ([`ConsumerConfig::handler_backoff`]);
//! - [`Consumer::deliveries`]: a stream of [`Delivery<AlarmMessage>`](Delivery), each carrying an
//!   acknowledgement; a batch is committed once every delivery of it was acknowledged
//!   ([`AckGroup`](watchpost_core::alarm::AckGroup)); a nack or a dropped delivery means no commit.
//!
//! Redelivered messages carry no id: they are recognised by content (device serial and alarm
//! data, hashed) within a [`DedupeWindow`], and each one suppressed is counted
//! ([`ConsumerStats::duplicates_suppressed`]). A content enters the window once it was handled
//! (never merely delivered: a failed batch's messages reach the handler again). A redelivery
//! that comes after the window, or after a restart, reaches the handler again: handlers must be
//! idempotent, as with any at-least-once source.
//!
//! Failures never stop a consumer that has polled once: LAP068001 (another consumer holds the
//! key) backs off with [`ConsumerConfig::other_consumer_backoff`]; LAP068002, network errors,
//! timeouts and malformed answers with [`ConsumerConfig::backoff`]; an expired token is renewed
//! by the client. The [`ConnectionState`] channel ([`ConsumerHandle::state`]) and the
//! [`Condition`] channel ([`ConsumerHandle::condition`]) say what is going on; errors are also
//! items of the delivery stream. Before the first successful poll, a rejected key, a forbidden or
//! invalid subscription ends the consumer with that error.
//!
//! [`ConsumerHandle::shutdown`] stops it: a poll in flight is dropped, the batch in hand gets
//! [`ConsumerConfig::shutdown_grace`] to finish and is committed only if it was fully handled.
//!
//! ```no_run
//! use hpp_openapi::consumer::{Consumer, ConsumerConfig};
//! # async fn run(client: hpp_openapi::Client) -> Result<(), hpp_openapi::Error> {
//! let consumer = Consumer::new(&client, ConsumerConfig::default());
//! let handle = consumer.handle();
//! tokio::spawn(async move {
//!     let _ = tokio::signal::ctrl_c().await;
//!     handle.shutdown();
//! });
//! consumer
//!     .run(|batch| async move {
//!         for m in &batch.messages {
//!             println!("{} {}", m.device_serial, m.alarm_text());
//!         }
//!         Ok::<(), std::io::Error>(())
//!     })
//!     .await?;
//! # Ok(()) }
//! ```

mod alarms;
mod batch;
mod config;
mod dedupe;
mod deliveries;
mod engine;
mod stats;

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;
use watchpost_core::alarm::Delivery;
use watchpost_core::supervise::ConnectionState;
use watchpost_core::Error;

pub use alarms::{Alarms, ALARM_VENDOR};
pub use batch::{Batch, MalformedMessage};
pub use config::{ConsumerConfig, Subscription};
pub use dedupe::DedupeWindow;
pub use deliveries::Deliveries;
pub use stats::ConsumerStats;

use engine::{Engine, Step};
use stats::SharedStats;

use crate::models::mq::AlarmMessage;
use crate::Client;

/// Why the consumer is not receiving right now (cleared by the next successful poll).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// LAP068001: another consumer holds the app key; backing off.
    OtherConsumer,
    /// LAP068002: the platform failed to pull alarms; backing off.
    PullFailed,
    /// Another error code answered; backing off.
    Rejected,
    /// The platform could not be reached or timed out; backing off.
    Unreachable,
    /// The platform answered something that is not a batch; backing off.
    Malformed,
}

/// Controls of a running consumer: shutdown, statistics, state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ConsumerHandle {
    shutdown: Arc<watch::Sender<bool>>,
    stats: SharedStats,
    state: watch::Receiver<ConnectionState>,
    condition: watch::Receiver<Option<Condition>>,
}

impl ConsumerHandle {
    /// Asks the consumer to stop (see the module docs: the batch in hand is committed only if
    /// fully handled within the grace time).
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// The counters so far.
    pub fn stats(&self) -> ConsumerStats {
        self.stats.get()
    }

    /// The connection state: `Connecting` until the first poll succeeds, `Connected`,
    /// `Backoff` after a failure, `Closed` once stopped.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// Why the consumer is not receiving, when it is not (`None` once a poll succeeds).
    pub fn condition(&self) -> watch::Receiver<Option<Condition>> {
        self.condition.clone()
    }
}

/// The alarm queue consumer (see the module docs).
pub struct Consumer {
    engine: Engine,
    handle: ConsumerHandle,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer").field("handle", &self.handle).finish_non_exhaustive()
    }
}

impl Consumer {
    /// A consumer polling with `client` (a clone: it shares the client's token and connections).
    /// Nothing is sent until it runs.
    pub fn new(client: &Client, config: ConsumerConfig) -> Consumer {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (state, state_rx) = watch::channel(ConnectionState::Connecting);
        let (condition, condition_rx) = watch::channel(None);
        let stats = SharedStats::default();
        let engine = Engine::new(client, config, state, condition, stats.clone(), shutdown_rx);
        let handle = ConsumerHandle { shutdown: Arc::new(shutdown), stats, state: state_rx, condition: condition_rx };
        Consumer { engine, handle }
    }

    /// Controls of this consumer, usable while it runs.
    pub fn handle(&self) -> ConsumerHandle {
        self.handle.clone()
    }

    /// Hands every batch to `handler` until shut down, committing a batch once the handler
    /// returned `Ok` for it; returns the final counters.
    ///
    /// A handler error is logged and counted ([`ConsumerStats::batches_failed`]); the batch is
    /// not committed and comes again. Dropping the returned future stops the consumer without
    /// committing the batch in hand.
    ///
    /// # Errors
    /// Only before the first successful poll: the key is rejected, or the subscription is
    /// refused or invalid (a permanent error). Afterwards the consumer never fails by itself.
    pub async fn run<F, Fut, E>(self, mut handler: F) -> Result<ConsumerStats, Error>
    where
        F: FnMut(Batch) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        let Consumer { mut engine, handle } = self;
        let result = loop {
            match engine.next().await {
                Step::Stop(None) => break Ok(handle.stats()),
                Step::Stop(Some(e)) => break Err(e),
                Step::Idle | Step::Error(_) => {}
                Step::Batch(batch, ticket) => match engine.finish_or_abandon(handler(batch)).await {
                    Some(Ok(())) => engine.handled(ticket).await,
                    Some(Err(e)) => {
                        tracing::warn!(target: "hpp_openapi::consumer", error = %e, "the handler failed");
                        engine.failed(&ticket);
                    }
                    None => engine.abandoned(&ticket),
                },
            }
        };
        engine.close();
        result
    }

    /// The messages as a stream of deliveries to acknowledge, with errors as items (see the
    /// module docs). Runs on a task of its own until shut down or the stream is dropped.
    ///
    /// Must be called within a tokio runtime.
    pub fn deliveries(self) -> Deliveries {
        deliveries::spawn(self.engine, self.handle)
    }

    /// The vendor-neutral stream: every message as a [`Delivery`]
    /// of an [`Alarm`](watchpost_core::alarm::Alarm) named after `source` (usually
    /// `AlarmSource::new(ALARM_VENDOR, app_key)`), acknowledged as [`deliveries`](Self::deliveries)
    /// are: a batch's offset is committed once every alarm of the batch is acknowledged. An event
    /// that does not decode is delivered raw as an `Other` alarm, never dropped. Needs a tokio
    /// runtime (the consumer runs on a task of its own).
    pub fn alarms(self, source: watchpost_core::alarm::AlarmSource) -> Alarms {
        Alarms::new(self.deliveries(), source)
    }
}

/// A delivery of the stream: the message and its acknowledgement.
pub type MessageDelivery = Delivery<AlarmMessage>;
