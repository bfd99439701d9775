//! A metrics hook: the pipeline reports what it decides and waits for to a [`MetricsSink`].
//!
//! Set one with [`PipelineBuilder::metrics`](crate::pipeline::PipelineBuilder::metrics); the
//! default ([`NoMetrics`]) does nothing. A sink sees one [`MetricEvent`] per:
//!
//! - rate-limiter wait (with how long the caller waited),
//! - retry decision (retry, replay with a new token, or stop, with the reason and the retry
//!   budget left),
//! - stream reconnect (from [`supervise`](crate::supervise::supervise) when its config has a sink),
//! - authentication failure (an expired token, a rejected login),
//! - HTTP request (one per attempt, with its status and duration).
//!
//! With the `metrics` feature, [`MetricsFacade`] forwards every event to the
//! [`metrics`](https://docs.rs/metrics) crate facade, so any of its exporters (Prometheus,
//! StatsD, ...) sees them.
//!
//! A sink must be cheap and must not block: it runs on the request path.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::ErrorClass;

/// What a retry decision decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryVerdict {
    /// The attempt is repeated after a delay.
    Retry,
    /// The token had expired: it is refreshed and the attempt replayed once, at once.
    Replay,
    /// The error goes to the caller.
    Stop,
}

impl RetryVerdict {
    /// `retry`, `replay` or `stop` (a metric label).
    pub fn as_str(self) -> &'static str {
        match self {
            RetryVerdict::Retry => "retry",
            RetryVerdict::Replay => "replay",
            RetryVerdict::Stop => "stop",
        }
    }
}

/// Why authentication failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthFailure {
    /// The token expired (refreshed once when the provider can).
    Expired,
    /// The credentials were rejected (never re-sent).
    Rejected,
}

impl AuthFailure {
    /// `expired` or `rejected` (a metric label).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthFailure::Expired => "expired",
            AuthFailure::Rejected => "rejected",
        }
    }
}

/// One event of the pipeline, as a [`MetricsSink`] sees it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MetricEvent<'a> {
    /// A caller waited for a rate-limiter permit.
    LimiterWait {
        /// Vendor short name.
        vendor: &'static str,
        /// Operation id.
        op: &'static str,
        /// How long it waited.
        waited: Duration,
    },
    /// The pipeline decided what to do after a failed attempt.
    RetryDecision {
        /// Vendor short name.
        vendor: &'static str,
        /// Operation id.
        op: &'static str,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// The class of its error.
        class: ErrorClass,
        /// What was decided.
        verdict: RetryVerdict,
        /// Why (the same text as the tracing event).
        reason: &'static str,
        /// The wait before the next attempt, for a retry.
        delay: Option<Duration>,
        /// Tokens left in the client's retry budget after the decision.
        budget_left: u32,
    },
    /// A supervised stream is about to reconnect.
    StreamReconnect {
        /// The supervised operation (its [`SuperviseConfig::op`](crate::supervise::SuperviseConfig::op)).
        op: &'a str,
        /// Consecutive failures so far (0 after a healthy connection was lost).
        attempt: u32,
        /// The wait before reconnecting.
        delay: Duration,
    },
    /// Authentication failed.
    AuthFailure {
        /// Vendor short name.
        vendor: &'static str,
        /// Operation id.
        op: &'static str,
        /// How.
        failure: AuthFailure,
    },
    /// One HTTP request (one attempt) completed or failed.
    Request {
        /// Vendor short name.
        vendor: &'static str,
        /// Operation id.
        op: &'static str,
        /// The response status; `None` when no response arrived (connect error, timeout).
        status: Option<u16>,
        /// From sending to the complete response (to the head, for a stream).
        duration: Duration,
    },
}

/// Receives the pipeline's [`MetricEvent`]s. Must be cheap and must not block.
pub trait MetricsSink: Send + Sync + fmt::Debug {
    /// Records one event.
    fn record(&self, event: &MetricEvent<'_>);
}

/// The default sink: records nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMetrics;

impl MetricsSink for NoMetrics {
    fn record(&self, _event: &MetricEvent<'_>) {}
}

/// A shared sink.
pub type SharedMetrics = Arc<dyn MetricsSink>;

/// The shared no-op sink.
pub fn no_metrics() -> SharedMetrics {
    Arc::new(NoMetrics)
}

#[cfg(feature = "metrics")]
pub use facade::MetricsFacade;

#[cfg(feature = "metrics")]
mod facade {
    use super::{MetricEvent, MetricsSink};

    /// Forwards every event to the [`metrics`] crate facade (feature `metrics`).
    ///
    /// | event | metric | labels |
    /// |---|---|---|
    /// | limiter wait | histogram `watchpost_limiter_wait_seconds` | `vendor`, `op` |
    /// | retry decision | counter `watchpost_retry_decisions_total`, gauge `watchpost_retry_budget_tokens` | `vendor`, `op`, `decision`, `class` / `vendor` |
    /// | stream reconnect | counter `watchpost_stream_reconnects_total` | `op` |
    /// | auth failure | counter `watchpost_auth_failures_total` | `vendor`, `op`, `failure` |
    /// | request | histogram `watchpost_request_duration_seconds` | `vendor`, `op`, `status` (`none` without a response) |
    ///
    /// ```
    /// use std::sync::Arc;
    /// use watchpost_core::metrics::MetricsFacade;
    /// use watchpost_core::pipeline::Pipeline;
    ///
    /// // Install any `metrics` recorder (a Prometheus exporter, ...) first, then:
    /// let pipeline = Pipeline::builder("hikgw", "https://gateway.example")
    ///     .metrics(Arc::new(MetricsFacade))
    ///     .build()?;
    /// # Ok::<(), watchpost_core::Error>(())
    /// ```
    #[derive(Debug, Clone, Copy, Default)]
    pub struct MetricsFacade;

    impl MetricsSink for MetricsFacade {
        fn record(&self, event: &MetricEvent<'_>) {
            match *event {
                MetricEvent::LimiterWait { vendor, op, waited } => {
                    metrics::histogram!("watchpost_limiter_wait_seconds", "vendor" => vendor, "op" => op)
                        .record(waited.as_secs_f64());
                }
                MetricEvent::RetryDecision { vendor, op, class, verdict, budget_left, .. } => {
                    metrics::counter!(
                        "watchpost_retry_decisions_total",
                        "vendor" => vendor,
                        "op" => op,
                        "decision" => verdict.as_str(),
                        "class" => class.to_string()
                    )
                    .increment(1);
                    metrics::gauge!("watchpost_retry_budget_tokens", "vendor" => vendor).set(f64::from(budget_left));
                }
                MetricEvent::StreamReconnect { op, .. } => {
                    metrics::counter!("watchpost_stream_reconnects_total", "op" => op.to_owned()).increment(1);
                }
                MetricEvent::AuthFailure { vendor, op, failure } => {
                    metrics::counter!(
                        "watchpost_auth_failures_total",
                        "vendor" => vendor,
                        "op" => op,
                        "failure" => failure.as_str()
                    )
                    .increment(1);
                }
                MetricEvent::Request { vendor, op, status, duration } => {
                    let status = status.map_or_else(|| "none".to_owned(), |s| s.to_string());
                    metrics::histogram!(
                        "watchpost_request_duration_seconds",
                        "vendor" => vendor,
                        "op" => op,
                        "status" => status
                    )
                    .record(duration.as_secs_f64());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable() {
        assert_eq!(RetryVerdict::Retry.as_str(), "retry");
        assert_eq!(RetryVerdict::Replay.as_str(), "replay");
        assert_eq!(RetryVerdict::Stop.as_str(), "stop");
        assert_eq!(AuthFailure::Expired.as_str(), "expired");
        assert_eq!(AuthFailure::Rejected.as_str(), "rejected");
        NoMetrics.record(&MetricEvent::StreamReconnect { op: "x", attempt: 1, delay: Duration::ZERO });
    }
}
