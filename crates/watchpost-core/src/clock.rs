//! Wall-clock time that follows tokio's clock, so paused-clock tests see consistent epochs.
//!
//! Vendors speak in Unix timestamps (`X-RateLimit-Reset`, token `expireTime`), while waiting is
//! done with `tokio::time`. [`unix_now`] is the Unix time derived from `tokio::time::Instant`
//! through a process-wide anchor, so when a test pauses and advances tokio's clock, the
//! simulators and the client agree on what "now" is, and a token that expires in one virtual
//! hour expires after one virtual hour.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

fn anchor() -> &'static (Duration, std::time::Instant) {
    static ANCHOR: OnceLock<(Duration, std::time::Instant)> = OnceLock::new();
    ANCHOR.get_or_init(|| {
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        (since_epoch, std::time::Instant::now())
    })
}

/// Time since the Unix epoch, following tokio's (possibly paused) clock.
pub fn unix_now() -> Duration {
    let (epoch, at) = *anchor();
    let now = Instant::now().into_std();
    match now.checked_duration_since(at) {
        Some(ahead) => epoch + ahead,
        None => epoch.saturating_sub(at.saturating_duration_since(now)),
    }
}

/// The tokio instant at which Unix time reaches `unix` (clamped to now if it is in the past).
pub fn instant_at_unix(unix: Duration) -> Instant {
    let now_unix = unix_now();
    Instant::now() + unix.saturating_sub(now_unix)
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
}
