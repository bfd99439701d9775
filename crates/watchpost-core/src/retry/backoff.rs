//! Exponential backoff with full jitter, as a pure function plus a small stateful iterator.

use std::time::Duration;

/// Where jitter comes from: a value in `[0, 1)`. Injectable so tests can assert exact delays.
pub trait JitterSource: Send + Sync + std::fmt::Debug {
    /// A uniformly distributed value in `[0, 1)`.
    fn sample(&self) -> f64;
}

/// Jitter from the thread-local fast RNG. Default.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomJitter;

impl JitterSource for RandomJitter {
    fn sample(&self) -> f64 {
        fastrand::f64()
    }
}

/// A fixed jitter value, for tests (`FixedJitter(1.0)` gives the full, unjittered delay).
#[derive(Debug, Clone, Copy)]
pub struct FixedJitter(pub f64);

impl JitterSource for FixedJitter {
    fn sample(&self) -> f64 {
        self.0.clamp(0.0, 1.0)
    }
}

/// The delay before retry `attempt` (1-based): `jitter * min(initial * 2^(attempt-1), max)`.
///
/// Falls back to `max` when the exponent overflows. `jitter` is clamped to `[0, 1]`; with full
/// jitter (AWS architecture blog, "Exponential Backoff and Jitter") the expected delay is half
/// the capped exponential value.
pub fn exponential_delay(jitter: f64, initial: Duration, attempt: u32, max: Duration) -> Duration {
    let exp = attempt.saturating_sub(1).min(62);
    let base = initial
        .checked_mul(1u32.checked_shl(exp.min(31)).unwrap_or(u32::MAX))
        .filter(|_| exp < 32)
        .map_or(max, |d| d.min(max));
    base.mul_f64(jitter.clamp(0.0, 1.0))
}

/// An exponential backoff policy with full jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialBackoff {
    /// Delay cap before jitter for the first retry. Default is 200 ms.
    pub initial: Duration,
    /// Upper bound for any delay. Default is 20 s.
    pub max: Duration,
    /// Whether to apply full jitter (`false` gives deterministic delays). Default is `true`.
    pub jitter: bool,
}

impl Default for ExponentialBackoff {
    fn default() -> Self {
        // 200 ms doubles to the 20 s cap in 7 steps: short enough for an interactive call to
        // recover from a blip, long enough not to hammer a busy device.
        ExponentialBackoff { initial: Duration::from_millis(200), max: Duration::from_secs(20), jitter: true }
    }
}

impl ExponentialBackoff {
    /// The delay before retry `attempt` (1-based) using `jitter` as the random source.
    pub fn delay(&self, attempt: u32, jitter: &dyn JitterSource) -> Duration {
        let j = if self.jitter { jitter.sample() } else { 1.0 };
        exponential_delay(j, self.initial, attempt, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_then_caps() {
        let ms = Duration::from_millis;
        assert_eq!(exponential_delay(1.0, ms(100), 1, ms(1000)), ms(100));
        assert_eq!(exponential_delay(1.0, ms(100), 2, ms(1000)), ms(200));
        assert_eq!(exponential_delay(1.0, ms(100), 4, ms(1000)), ms(800));
        assert_eq!(exponential_delay(1.0, ms(100), 5, ms(1000)), ms(1000));
        assert_eq!(exponential_delay(0.5, ms(100), 3, ms(1000)), ms(200));
    }

    #[test]
    fn overflow_falls_back_to_max() {
        let max = Duration::from_secs(30);
        assert_eq!(exponential_delay(1.0, Duration::from_secs(1), 40, max), max);
        assert_eq!(exponential_delay(1.0, Duration::from_secs(u64::MAX / 4), 3, max), max);
        assert_eq!(exponential_delay(1.0, Duration::from_secs(1), u32::MAX, max), max);
    }

    #[test]
    fn policy_uses_injected_jitter() {
        let p = ExponentialBackoff { initial: Duration::from_secs(1), max: Duration::from_secs(8), jitter: true };
        assert_eq!(p.delay(3, &FixedJitter(0.25)), Duration::from_secs(1));
        let fixed = ExponentialBackoff { jitter: false, ..p };
        assert_eq!(fixed.delay(3, &FixedJitter(0.25)), Duration::from_secs(4));
    }
}
