//! Retries: backoff, the retry budget, and the strategy that decides.
//!
//! Classify, then decide: vendor crates classify a response into an [`ErrorClass`]
//! (see [`crate::pipeline::VendorProfile`]); only [`RetryStrategy`] decides whether and when to
//! repeat. Vendor crates hold no retry loops.
//!
//! [`ErrorClass`]: crate::error::ErrorClass

pub mod backoff;
pub mod budget;
pub mod strategy;

pub use backoff::{ExponentialBackoff, FixedJitter, JitterSource, RandomJitter};
pub use budget::{BudgetConfig, RetryBudget};
pub use strategy::{RetryConfig, RetryDecision, RetryStrategy};
