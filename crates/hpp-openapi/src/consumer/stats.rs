//! What a consumer counted so far.

use std::sync::{Arc, Mutex, PoisonError};

/// Counters of a [`Consumer`](super::Consumer), readable at any time
/// ([`ConsumerHandle::stats`](super::ConsumerHandle::stats)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ConsumerStats {
    /// `mq/messages` calls answered (batches and empty polls).
    pub polls: u64,
    /// Polls that brought no message (any empty shape).
    pub polls_empty: u64,
    /// Polls that failed (network, timeouts, error codes, malformed answers).
    pub poll_errors: u64,
    /// Polls refused with LAP068001: another consumer holds the key.
    pub other_consumer: u64,
    /// Answers whose `data` was not a batch at all (counted in `poll_errors` too).
    pub malformed_batches: u64,
    /// Messages of a batch that did not decode (handed over raw, see `Batch::malformed`).
    pub malformed_messages: u64,
    /// Batches received with at least one message.
    pub batches: u64,
    /// Messages received, duplicates included.
    pub received: u64,
    /// Messages handed to the handler or the delivery stream.
    pub delivered: u64,
    /// Messages handed over again after an earlier delivery that was not handled (a failed
    /// batch, a nack): expected duplicates of at-least-once delivery.
    pub delivered_again: u64,
    /// Messages suppressed because the same content was handled within the dedupe window.
    pub duplicates_suppressed: u64,
    /// Batches confirmed with `mq/offset`.
    pub batches_committed: u64,
    /// Batches not handled (handler error, a nack or a dropped delivery): not committed.
    pub batches_failed: u64,
    /// Batches abandoned at shutdown without a commit.
    pub batches_abandoned: u64,
    /// `mq/offset` calls that failed (the batch comes again and its duplicates are suppressed).
    pub commit_errors: u64,
    /// Messages that came without a batch id (nothing to commit).
    pub uncommittable: u64,
}

/// The counters shared by a consumer and its handles.
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedStats(Arc<Mutex<ConsumerStats>>);

impl SharedStats {
    /// A copy of the counters.
    pub(crate) fn get(&self) -> ConsumerStats {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Updates the counters.
    pub(crate) fn update(&self, f: impl FnOnce(&mut ConsumerStats)) {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }
}
