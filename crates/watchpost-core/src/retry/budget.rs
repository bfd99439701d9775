//! The retry budget: a token bucket shared by all calls of a client (as in smithy-rs), kept
//! separate from the per-call attempt limit. Each retry takes tokens, each success gives one
//! back; an empty bucket means "stop retrying", so a failing service is not hammered by every
//! caller's retries at once.

use std::sync::atomic::{AtomicU32, Ordering};

/// Retry budget settings. The builder methods clamp invalid input instead of failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetConfig {
    /// Tokens in a full bucket. Default is 500 (smithy-rs's standard).
    pub capacity: u32,
    /// Tokens a retry after a transient error takes. Default is 5.
    pub retry_cost: u32,
    /// Tokens a retry after a timeout takes. Default is 10 (timeouts are costlier to repeat).
    pub timeout_cost: u32,
    /// Tokens a success gives back. Default is 1.
    pub success_refund: u32,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        // Values from smithy-rs `token_bucket.rs`: 500 tokens, 5 per retry, 10 per timeout retry,
        // 1 back per success: at most 100 retries in a burst of failures.
        BudgetConfig { capacity: 500, retry_cost: 5, timeout_cost: 10, success_refund: 1 }
    }
}

/// A shared retry budget.
#[derive(Debug)]
pub struct RetryBudget {
    config: BudgetConfig,
    tokens: AtomicU32,
}

impl RetryBudget {
    /// A full budget. A capacity of 0 is clamped to 1.
    pub fn new(config: BudgetConfig) -> Self {
        let config = BudgetConfig { capacity: config.capacity.max(1), ..config };
        RetryBudget { tokens: AtomicU32::new(config.capacity), config }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Relaxed)
    }

    /// Takes the cost of one retry; `false` (and nothing taken) when the budget cannot pay it.
    pub fn try_take(&self, timeout: bool) -> bool {
        let cost = if timeout { self.config.timeout_cost } else { self.config.retry_cost };
        self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost)).is_ok()
    }

    /// Gives back the refund of one success, up to the capacity.
    pub fn refund(&self) {
        let cap = self.config.capacity;
        let add = self.config.success_refund;
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| Some(t.saturating_add(add).min(cap)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_runs_dry_and_refills() {
        let b = RetryBudget::new(BudgetConfig { capacity: 12, retry_cost: 5, timeout_cost: 10, success_refund: 1 });
        assert!(b.try_take(false));
        assert!(b.try_take(false));
        assert!(!b.try_take(false), "2 left");
        assert_eq!(b.available(), 2);
        for _ in 0..20 {
            b.refund();
        }
        assert_eq!(b.available(), 12, "capped");
        assert!(b.try_take(true));
        assert!(!b.try_take(true));
    }
}
