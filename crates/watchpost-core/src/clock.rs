//! Wall-clock time as an injected [`Clock`]: the system clock in production, a clock that
//! follows tokio's (possibly paused) clock in tests and simulators.
//!
//! Vendors speak in Unix timestamps (`X-RateLimit-Reset`, token `expired_at`), while waiting is
//! done with `tokio::time`. A [`Clock`] gives the Unix time now and maps a Unix time to the tokio
//! [`Instant`] to sleep until:
//!
//! - [`SystemClock`] reads `SystemTime::now()` on every call, so an NTP correction is seen at once
//!   (a centre's process runs for months; a clock corrected after start must not skew every
//!   quota reset it reads). Use it in production.
//! - [`TokioClock`] anchors Unix time once per process and follows tokio's clock after that, so
//!   when a test pauses and advances tokio's clock, simulators and clients agree on "now" and a
//!   token that expires in one virtual hour expires after one virtual hour. Use it with
//!   simulators and paused-clock tests; [`unix_now`] is this clock.
//! - [`ManualClock`] follows tokio's clock from a Unix time you set, and jumps when you set it
//!   again (an NTP step, a wrong clock at start): for tests of clock handling.
//!
//! Waits computed from a Unix time are re-checked when they end, so a clock stepped back
//! during a wait never lets a caller through early.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// A source of wall-clock (Unix) time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Time since the Unix epoch, now.
    fn unix_now(&self) -> Duration;

    /// Now as a [`SystemTime`].
    fn system_now(&self) -> SystemTime {
        UNIX_EPOCH + self.unix_now()
    }

    /// The tokio instant at which this clock reaches Unix time `unix` (now if it is not in the
    /// future), as far as can be told now.
    fn instant_at_unix(&self, unix: Duration) -> Instant {
        Instant::now() + unix.saturating_sub(self.unix_now())
    }
}

/// A clock shared by the parts of a client (limiter, validation, tokens).
pub type SharedClock = Arc<dyn Clock>;

/// The system clock: `SystemTime::now()` on every call. The clock for production.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl SystemClock {
    /// A shared system clock.
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

impl Clock for SystemClock {
    fn unix_now(&self) -> Duration {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}

/// Unix time anchored once per process and following tokio's (possibly paused) clock after
/// that. The clock of simulators and paused-clock tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokioClock;

impl TokioClock {
    /// A shared tokio-following clock.
    pub fn shared() -> SharedClock {
        Arc::new(TokioClock)
    }
}

fn anchor() -> &'static (Duration, std::time::Instant) {
    static ANCHOR: OnceLock<(Duration, std::time::Instant)> = OnceLock::new();
    ANCHOR.get_or_init(|| (SystemClock.unix_now(), std::time::Instant::now()))
}

/// `epoch` at `at`, moved to the tokio instant `now`.
fn follow(epoch: Duration, at: std::time::Instant, now: std::time::Instant) -> Duration {
    match now.checked_duration_since(at) {
        Some(ahead) => epoch.saturating_add(ahead),
        None => epoch.saturating_sub(at.saturating_duration_since(now)),
    }
}

impl Clock for TokioClock {
    fn unix_now(&self) -> Duration {
        let (epoch, at) = *anchor();
        follow(epoch, at, Instant::now().into_std())
    }
}

/// A clock set by hand that follows tokio's clock from the last time it was set: `set` makes it
/// jump like an NTP step. For tests.
#[derive(Debug)]
pub struct ManualClock {
    anchor: Mutex<(Duration, Instant)>,
}

impl ManualClock {
    /// A clock that reads `unix` now.
    pub fn new(unix: Duration) -> Self {
        ManualClock { anchor: Mutex::new((unix, Instant::now())) }
    }

    /// A clock that reads `secs` Unix seconds now.
    pub fn at_secs(secs: u64) -> Self {
        Self::new(Duration::from_secs(secs))
    }

    /// Makes the clock read `unix` now (forwards or backwards).
    pub fn set(&self, unix: Duration) {
        *self.anchor.lock().unwrap_or_else(PoisonError::into_inner) = (unix, Instant::now());
    }

    /// Moves the clock by `by` (without moving tokio's clock).
    pub fn advance(&self, by: Duration) {
        let now = self.unix_now();
        self.set(now.saturating_add(by));
    }
}

impl Clock for ManualClock {
    fn unix_now(&self) -> Duration {
        let (epoch, at) = *self.anchor.lock().unwrap_or_else(PoisonError::into_inner);
        follow(epoch, at.into_std(), Instant::now().into_std())
    }
}

/// Time since the Unix epoch by the [`TokioClock`] (simulators and tests; a client reads its
/// injected [`Clock`] instead).
pub fn unix_now() -> Duration {
    TokioClock.unix_now()
}

/// The tokio instant at which [`TokioClock`] reaches `unix` (now if it is in the past).
pub fn instant_at_unix(unix: Duration) -> Instant {
    TokioClock.instant_at_unix(unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn unix_time_follows_the_paused_clock() {
        let before = unix_now();
        tokio::time::advance(Duration::from_secs(3600)).await;
        let after = unix_now();
        let d = after - before;
        assert!(d >= Duration::from_secs(3600) && d < Duration::from_secs(3601), "{d:?}");
        let target = after + Duration::from_secs(10);
        let at = instant_at_unix(target);
        assert_eq!(at - Instant::now(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_manual_clock_follows_tokio_and_jumps_when_set() {
        let clock = ManualClock::at_secs(1_000);
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(clock.unix_now(), Duration::from_secs(1_005));
        clock.set(Duration::from_secs(5_000));
        assert_eq!(clock.unix_now(), Duration::from_secs(5_000));
        assert_eq!(clock.instant_at_unix(Duration::from_secs(5_060)) - Instant::now(), Duration::from_secs(60));
        assert_eq!(clock.instant_at_unix(Duration::from_secs(10)), Instant::now(), "the past is now");
        clock.advance(Duration::from_secs(30));
        assert_eq!(clock.system_now(), UNIX_EPOCH + Duration::from_secs(5_030));
    }

    #[test]
    fn the_system_clock_reads_the_system_time_on_every_call() {
        let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let now = SystemClock.unix_now();
        let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        assert!(before <= now && now <= after);
    }
}
