//! The retry strategy: the one place that decides whether, and after how long, to repeat.

use std::sync::Arc;
use std::time::Duration;

use super::backoff::{ExponentialBackoff, JitterSource, RandomJitter};
use super::budget::{BudgetConfig, RetryBudget};
use crate::error::{Error, ErrorClass, ErrorKind};

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryConfig {
    /// Attempts per operation, the first included. Default is 3. 1 disables retries.
    pub max_attempts: u32,
    /// Back-off between attempts. Default: 200 ms doubling to 20 s, full jitter.
    pub backoff: ExponentialBackoff,
    /// The longest server-requested wait (`Retry-After`, a quota reset) the client accepts
    /// before retrying; a longer one is returned to the caller as the error. Default is 60 s.
    pub max_retry_after: Duration,
    /// The shared retry budget. Default: see [`BudgetConfig`].
    pub budget: BudgetConfig,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            backoff: ExponentialBackoff::default(),
            max_retry_after: Duration::from_secs(60),
            budget: BudgetConfig::default(),
        }
    }
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait `delay`, then try again.
    Retry {
        /// How long to wait.
        delay: Duration,
        /// Why (for logs).
        reason: &'static str,
    },
    /// Return the error to the caller.
    Stop {
        /// Why (for logs).
        reason: &'static str,
    },
}

/// Decides retries from an error's class, the attempt number, and the retry budget.
#[derive(Debug, Clone)]
pub struct RetryStrategy {
    config: RetryConfig,
    budget: Arc<RetryBudget>,
    jitter: Arc<dyn JitterSource>,
}

impl RetryStrategy {
    /// A strategy with random jitter.
    pub fn new(config: RetryConfig) -> Self {
        Self::with_jitter(config, Arc::new(RandomJitter))
    }

    /// A strategy with an injected jitter source (tests use [`FixedJitter`](super::FixedJitter)).
    pub fn with_jitter(config: RetryConfig, jitter: Arc<dyn JitterSource>) -> Self {
        RetryStrategy { budget: Arc::new(RetryBudget::new(config.budget)), config, jitter }
    }

    /// The configuration.
    pub fn config(&self) -> &RetryConfig {
        &self.config
    }

    /// The shared budget.
    pub fn budget(&self) -> &RetryBudget {
        &self.budget
    }

    /// Records a successful operation (refills the budget).
    pub fn on_success(&self) {
        self.budget.refund();
    }

    /// Decides what to do after `attempt` (1-based) failed with `err`.
    ///
    /// `may_repeat` says whether repeating is safe: the operation is idempotent, or the vendor
    /// declared this error safe to repeat. A connect error (nothing was sent) and a throttling
    /// error (the service did not execute the request) are always safe to repeat.
    pub fn decide(&self, err: &Error, attempt: u32, may_repeat: bool) -> RetryDecision {
        if attempt >= self.config.max_attempts {
            return RetryDecision::Stop { reason: "attempts exhausted" };
        }
        match err.class() {
            ErrorClass::RateLimited => {
                let delay = match err.retry_after() {
                    Some(d) if d > self.config.max_retry_after => {
                        return RetryDecision::Stop { reason: "server asks to wait longer than max_retry_after" }
                    }
                    Some(d) => d,
                    None => self.config.backoff.delay(attempt, &*self.jitter),
                };
                RetryDecision::Retry { delay, reason: "rate limited" }
            }
            ErrorClass::Retryable => {
                let never_sent = matches!(err, Error::Transport { source, .. } if source.is_connect());
                if !(may_repeat || never_sent) {
                    return RetryDecision::Stop { reason: "not idempotent" };
                }
                if !self.budget.try_take(err.kind() == ErrorKind::Timeout) {
                    return RetryDecision::Stop { reason: "retry budget exhausted" };
                }
                let mut delay = self.config.backoff.delay(attempt, &*self.jitter);
                if let Some(hint) = err.retry_after() {
                    delay = hint.min(self.config.max_retry_after);
                }
                RetryDecision::Retry { delay, reason: "transient" }
            }
            _ => RetryDecision::Stop { reason: "not retryable" },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::FixedJitter;
    use super::*;

    fn strategy() -> RetryStrategy {
        RetryStrategy::with_jitter(RetryConfig::default(), Arc::new(FixedJitter(1.0)))
    }

    fn transient() -> Error {
        Error::api("op", Some(503), None, None, ErrorClass::Retryable)
    }

    #[test]
    fn transient_errors_back_off_only_when_repeatable() {
        let s = strategy();
        assert_eq!(
            s.decide(&transient(), 1, true),
            RetryDecision::Retry { delay: Duration::from_millis(200), reason: "transient" }
        );
        assert_eq!(
            s.decide(&transient(), 2, true),
            RetryDecision::Retry { delay: Duration::from_millis(400), reason: "transient" }
        );
        assert_eq!(s.decide(&transient(), 3, true), RetryDecision::Stop { reason: "attempts exhausted" });
        assert_eq!(s.decide(&transient(), 1, false), RetryDecision::Stop { reason: "not idempotent" });
    }

    #[test]
    fn connect_errors_are_always_repeatable() {
        let e = Error::Transport { op: "op".into(), source: crate::error::TransportError::connect("refused") };
        assert!(matches!(strategy().decide(&e, 1, false), RetryDecision::Retry { .. }));
    }

    #[test]
    fn rate_limits_wait_for_the_server_but_within_bounds() {
        let s = strategy();
        let e = |secs| Error::RateLimited {
            op: "op".into(),
            status: Some(403),
            code: None,
            message: None,
            retry_after: Some(Duration::from_secs(secs)),
            reset_at: None,
        };
        assert_eq!(
            s.decide(&e(30), 1, false),
            RetryDecision::Retry { delay: Duration::from_secs(30), reason: "rate limited" }
        );
        assert!(matches!(s.decide(&e(3600), 1, false), RetryDecision::Stop { .. }));
    }

    #[test]
    fn auth_and_permanent_errors_stop() {
        let s = strategy();
        let e = Error::api("op", Some(400), None, None, ErrorClass::Permanent);
        assert!(matches!(s.decide(&e, 1, true), RetryDecision::Stop { .. }));
    }

    #[test]
    fn empty_budget_stops_retries() {
        let config =
            RetryConfig { budget: BudgetConfig { capacity: 5, ..BudgetConfig::default() }, ..RetryConfig::default() };
        let s = RetryStrategy::with_jitter(config, Arc::new(FixedJitter(1.0)));
        assert!(matches!(s.decide(&transient(), 1, true), RetryDecision::Retry { .. }));
        assert_eq!(s.decide(&transient(), 1, true), RetryDecision::Stop { reason: "retry budget exhausted" });
    }
}
