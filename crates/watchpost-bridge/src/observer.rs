//! What the publisher and the instance report as they work: a small observer trait, so that the
//! metrics (and health) of a runner are hooked in without globals.

use std::time::{Duration, SystemTime};

use watchpost_core::supervise::ConnectionState;

/// One alarm stored by JetStream.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    /// JetStream reported it as a duplicate (already stored within the duplicate window).
    pub duplicate: bool,
    /// From the moment the publisher took it from the feed to JetStream's acknowledgement.
    pub latency: Duration,
    /// When the SDK received it from the source ([`Alarm::received_at`](watchpost_core::alarm::Alarm)).
    pub received_at: SystemTime,
}

/// Told what a [`Publisher`](crate::Publisher) and an [`Instance`](crate::Instance) do. Every
/// method has a default that does nothing; implementations must be cheap and never block (they
/// are called on the publishing path).
pub trait Observer: Send + Sync {
    /// An alarm was taken from source `source`'s feed (it is now in flight) at `received_at`.
    fn alarm_taken(&self, source: &str, received_at: SystemTime) {
        let _ = (source, received_at);
    }

    /// A connection-state change was taken from `source`'s feed (it is now in flight).
    fn state_taken(&self, source: &str, state: &ConnectionState) {
        let _ = (source, state);
    }

    /// An alarm of `source` was stored (and acknowledged to its source).
    fn alarm_stored(&self, source: &str, stored: &Stored) {
        let _ = (source, stored);
    }

    /// A connection-state change of `source` was stored.
    fn state_stored(&self, source: &str) {
        let _ = source;
    }

    /// A publication for `source` failed and will be retried.
    fn publish_retry(&self, source: &str) {
        let _ = source;
    }

    /// The feed of `source` stopped being followed; `abandoned` alarms taken from it (received
    /// at the given times) and `abandoned_states` states were not stored before the drain timed
    /// out (they were reported not handled to the source).
    fn feed_ended(&self, source: &str, abandoned: &[SystemTime], abandoned_states: u64) {
        let _ = (source, abandoned, abandoned_states);
    }

    /// A lease round ended: `ok` when the instance could announce itself and count the live
    /// instances (`live`), holding `held` leases afterwards.
    fn lease_round(&self, ok: bool, held: usize, live: Option<usize>) {
        let _ = (ok, held, live);
    }

    /// The instance stopped and released its leases.
    fn stopped(&self) {}
}

/// The observer that ignores everything (the default of a [`Publisher`](crate::Publisher)).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl Observer for NoObserver {}
