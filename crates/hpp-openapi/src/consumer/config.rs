//! How a consumer subscribes, deduplicates, times out and backs off.

use std::sync::Arc;
use std::time::Duration;

use watchpost_core::retry::{ExponentialBackoff, JitterSource, RandomJitter};

use super::dedupe::DedupeWindow;

/// What the consumer subscribes to when it starts (`mq/subscribe`, 3.33).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Subscription {
    /// Every device of the key, devices added later included (`subMode` `"all"`). Default.
    #[default]
    All,
    /// The devices of the list (`subMode` `"list"`; the list must not be empty).
    Devices(Vec<String>),
    /// Keep the key's subscription as it is (made by another tool).
    Existing,
}

/// How a [`Consumer`](super::Consumer) works: plain data, every field has a default.
#[derive(Debug, Clone)]
#[must_use]
pub struct ConsumerConfig {
    /// What to subscribe to at start. Default [`Subscription::All`].
    pub subscription: Subscription,
    /// The dedupe window of redelivered messages. Default: 100,000 contents, 3 h.
    pub dedupe: DedupeWindow,
    /// The attempt timeout of a poll: above the platform's 20 s long poll. Default 30 s.
    pub poll_timeout: Duration,
    /// After network errors, timeouts, LAP068002 (pulling alarms failed), malformed answers
    /// and other error codes. Default 1 s doubling to 60 s, jittered.
    pub backoff: ExponentialBackoff,
    /// After LAP068001 (another consumer holds the key): slower, since that consumer holds it
    /// as long as it keeps polling. Default 5 s doubling to 5 min, jittered.
    pub other_consumer_backoff: ExponentialBackoff,
    /// After a batch that was not handled (handler error, nack). Default 1 s doubling to 60 s.
    pub handler_backoff: ExponentialBackoff,
    /// An empty poll answered sooner than this waits the rest before the next poll (the
    /// platform holds an idle poll 20 s; a proxy or a fault that answers at once must not make
    /// a tight loop). Default 1 s.
    pub min_empty_poll: Duration,
    /// At shutdown, how long the batch in hand may take to finish before it is abandoned
    /// (never committed unless fully handled). Default 10 s.
    pub shutdown_grace: Duration,
    /// Source of back-off jitter. Default random.
    pub jitter: Arc<dyn JitterSource>,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        let secs = Duration::from_secs;
        ConsumerConfig {
            subscription: Subscription::All,
            dedupe: DedupeWindow::default(),
            poll_timeout: secs(30),
            backoff: ExponentialBackoff { initial: secs(1), max: secs(60), jitter: true },
            other_consumer_backoff: ExponentialBackoff { initial: secs(5), max: secs(300), jitter: true },
            handler_backoff: ExponentialBackoff { initial: secs(1), max: secs(60), jitter: true },
            min_empty_poll: secs(1),
            shutdown_grace: secs(10),
            jitter: Arc::new(RandomJitter),
        }
    }
}

impl ConsumerConfig {
    /// Sets [`ConsumerConfig::subscription`].
    pub fn subscription(mut self, subscription: Subscription) -> Self {
        self.subscription = subscription;
        self
    }

    /// Sets [`ConsumerConfig::dedupe`].
    pub fn dedupe(mut self, dedupe: DedupeWindow) -> Self {
        self.dedupe = dedupe;
        self
    }

    /// Sets [`ConsumerConfig::poll_timeout`].
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = timeout;
        self
    }

    /// Sets [`ConsumerConfig::backoff`].
    pub fn backoff(mut self, backoff: ExponentialBackoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets [`ConsumerConfig::other_consumer_backoff`].
    pub fn other_consumer_backoff(mut self, backoff: ExponentialBackoff) -> Self {
        self.other_consumer_backoff = backoff;
        self
    }

    /// Sets [`ConsumerConfig::handler_backoff`].
    pub fn handler_backoff(mut self, backoff: ExponentialBackoff) -> Self {
        self.handler_backoff = backoff;
        self
    }

    /// Sets [`ConsumerConfig::min_empty_poll`].
    pub fn min_empty_poll(mut self, pause: Duration) -> Self {
        self.min_empty_poll = pause;
        self
    }

    /// Sets [`ConsumerConfig::shutdown_grace`].
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Sets [`ConsumerConfig::jitter`].
    pub fn jitter(mut self, jitter: impl JitterSource + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }
}
