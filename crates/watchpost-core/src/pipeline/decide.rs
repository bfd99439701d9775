//! The one retry and re-auth decision after a failed attempt, shared by
//! [`Pipeline::execute`] and [`Pipeline::open_stream`]: classify (done by the caller), then
//! decide here, with the same tracing events and metrics for calls and streams.
//!
//! In order:
//! 1. a throttled answer that gave no wait in its error gets one from its headers
//!    (`Retry-After`, `X-RateLimit-Reset`), read by the pipeline's clock;
//! 2. an expired token is refreshed and the attempt replayed, once per operation;
//! 3. a throttled answer holds the pipeline's rate limiter (every caller) for its wait,
//!    whether or not this call is retried;
//! 4. the vendor's attempt cap for the error ([`VendorProfile::max_attempts`]);
//! 5. the [`RetryStrategy`](crate::retry::RetryStrategy): attempt limit, idempotency or
//!    the vendor's [`VendorProfile::safe_to_retry`], never-sent connect errors, retry budget.
//!
//! [`VendorProfile::max_attempts`]: super::VendorProfile::max_attempts
//! [`VendorProfile::safe_to_retry`]: super::VendorProfile::safe_to_retry

use std::time::{Duration, UNIX_EPOCH};

use http::HeaderMap;
use tokio::time::Instant;

use super::{millis, Pipeline};
use crate::auth::Auth;
use crate::error::{Error, ErrorClass};
use crate::metrics::{AuthFailure, MetricEvent, RetryVerdict};
use crate::operation::Operation;
use crate::ratelimit::RateLimitHints;
use crate::retry::RetryDecision;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Send again at once with a fresh token (does not count as an attempt).
    Replay,
    /// Wait this long, then try again.
    Retry(Duration),
    /// Return the error.
    Stop,
}

impl Pipeline {
    /// Decides what follows attempt `attempt` of `op`, which failed with `err` (the response's
    /// `headers` when one arrived). `generation` is the token generation the attempt used;
    /// `reauthed` whether the one token replay of this operation was spent.
    // The inputs are the attempt's own facts (no state hides in a struct): clippy's limit is one short.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn after_failure(
        &self,
        op: &'static Operation,
        err: &mut Error,
        headers: Option<&HeaderMap>,
        attempt: u32,
        generation: Option<u64>,
        reauthed: &mut bool,
        no_retry: bool,
    ) -> Next {
        let vendor = self.shared.vendor;
        if let Some(headers) = headers {
            self.fill_throttle_wait(err, headers);
        }
        let class = err.class();
        match class {
            ErrorClass::AuthExpired => {
                self.shared.metrics.record(&MetricEvent::AuthFailure {
                    vendor,
                    op: op.id,
                    failure: AuthFailure::Expired,
                });
                if let (Auth::Token(t), false, Some(g)) = (&self.auth, *reauthed, generation) {
                    if t.provider.invalidate(g).await {
                        *reauthed = true;
                        tracing::info!(target: "watchpost::auth", op = op.id, attempt, "token expired: refreshing once and replaying");
                        self.record_decision(op, attempt, class, RetryVerdict::Replay, "token expired", None);
                        return Next::Replay;
                    }
                }
            }
            ErrorClass::AuthRejected => {
                self.shared.metrics.record(&MetricEvent::AuthFailure {
                    vendor,
                    op: op.id,
                    failure: AuthFailure::Rejected,
                });
            }
            _ => {}
        }
        // A throttled answer holds every caller of the limiter for the time the server gave,
        // whether or not this call is retried (classifiers stay free of side effects).
        if let (Some(limiter), ErrorClass::RateLimited, Some(after)) = (&self.shared.limiter, class, err.retry_after())
        {
            limiter.block_until(Instant::now() + after);
        }
        let may_repeat = op.idempotent || self.shared.profile.safe_to_retry(err);
        let decision = match self.shared.profile.max_attempts(err) {
            _ if no_retry => RetryDecision::Stop { reason: "retries turned off for this call" },
            Some(limit) if attempt >= limit => RetryDecision::Stop { reason: "vendor attempt limit for this error" },
            _ => self.shared.retry.decide(err, attempt, may_repeat),
        };
        match decision {
            RetryDecision::Retry { delay, reason } => {
                tracing::info!(target: "watchpost::retry", op = op.id, attempt, delay_ms = millis(delay), reason, %class, "retrying");
                self.record_decision(op, attempt, class, RetryVerdict::Retry, reason, Some(delay));
                Next::Retry(delay)
            }
            RetryDecision::Stop { reason } => {
                tracing::debug!(target: "watchpost::retry", op = op.id, attempt, reason, %class, "not retrying");
                self.record_decision(op, attempt, class, RetryVerdict::Stop, reason, None);
                Next::Stop
            }
        }
    }

    /// Gives a throttled error without a wait the one its response's headers name, read by the
    /// pipeline's clock: `Retry-After`, else the time until `X-RateLimit-Reset`. A reset already
    /// past (the server's clock lags ours) gives no wait: the back-off applies.
    fn fill_throttle_wait(&self, err: &mut Error, headers: &HeaderMap) {
        if let Error::RateLimited { retry_after: retry_after @ None, reset_at, .. } = err {
            let now = self.shared.clock.unix_now();
            let hints = RateLimitHints::read(headers, now);
            let wait = hints.retry_after.or_else(|| hints.reset_in(now)).filter(|w| !w.is_zero());
            if let Some(wait) = wait {
                *retry_after = Some(wait);
                if reset_at.is_none() {
                    *reset_at = Some(UNIX_EPOCH + hints.reset_at.unwrap_or_else(|| now.saturating_add(wait)));
                }
            }
        }
    }

    /// Reports a decision to the metrics sink.
    fn record_decision(
        &self,
        op: &'static Operation,
        attempt: u32,
        class: ErrorClass,
        verdict: RetryVerdict,
        reason: &'static str,
        delay: Option<Duration>,
    ) {
        self.shared.metrics.record(&MetricEvent::RetryDecision {
            vendor: self.shared.vendor,
            op: op.id,
            attempt,
            class,
            verdict,
            reason,
            delay,
            budget_left: self.shared.retry.budget().available(),
        });
    }

    /// Waits `delay` before retrying after `err`; returns the time to count against the
    /// operation deadline, or `None` when the wait would pass it (`remaining` is what is left).
    /// A throttled call waits in the limiter (with every other caller) when there is one;
    /// rate-limit waits never count against the deadline.
    pub(super) async fn wait_to_retry(
        &self,
        op: &'static Operation,
        err: &Error,
        delay: Duration,
        remaining: Option<Duration>,
    ) -> Option<Duration> {
        match (&self.shared.limiter, err.class()) {
            (Some(limiter), ErrorClass::RateLimited) => {
                limiter.block_until(Instant::now() + delay);
                Some(Duration::ZERO)
            }
            (None, ErrorClass::RateLimited) => {
                tokio::time::sleep(delay).await;
                Some(Duration::ZERO)
            }
            _ => {
                if remaining.is_some_and(|r| r <= delay) {
                    tracing::debug!(target: "watchpost::retry", op = op.id, "back-off would pass the operation deadline");
                    return None;
                }
                tokio::time::sleep(delay).await;
                Some(delay)
            }
        }
    }
}
