//! The per-client rate limiter: callers wait for a permit; they are never failed.
//!
//! A sliding-window log of send times guarantees at most `permits` requests in *any* interval
//! of length `per`, which keeps a client inside a vendor's fixed-window quota whatever the
//! alignment of the vendor's window. (A token bucket or GCRA with a burst of `permits` would
//! allow nearly twice the quota across a window boundary.) The limiter also adapts to what the
//! server says: `X-RateLimit-Limit` replaces the configured permit count, `X-RateLimit-Remaining: 0`
//! holds every caller until `X-RateLimit-Reset`, and `Retry-After` or a vendor's throttling error
//! holds callers for the time given. All waiting uses `tokio::time`, so tests run on a paused clock.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use http::HeaderMap;
use tokio::time::Instant;

/// A quota: at most `permits` requests per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per period.
    pub permits: u32,
    /// The period.
    pub per: Duration,
}

impl Quota {
    /// `permits` per hour.
    pub const fn per_hour(permits: u32) -> Self {
        Quota { permits, per: Duration::from_secs(3600) }
    }

    /// `permits` per minute.
    pub const fn per_minute(permits: u32) -> Self {
        Quota { permits, per: Duration::from_secs(60) }
    }

    /// `permits` per second.
    pub const fn per_second(permits: u32) -> Self {
        Quota { permits, per: Duration::from_secs(1) }
    }
}

#[derive(Debug)]
struct State {
    quota: Option<Quota>,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    waits: u64,
}

/// A rate limiter shared by all clones of a client.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
}

/// Largest permit count tracked by the sliding log; larger quotas are clamped to it (documented
/// approximation: a quota above 100,000 per period is effectively never the bottleneck of one client).
const MAX_LOGGED_PERMITS: u32 = 100_000;

impl RateLimiter {
    /// A limiter enforcing `quota`, or only server hints when `None`.
    pub fn new(quota: Option<Quota>) -> Self {
        let quota = quota.map(|q| Quota { permits: q.permits.clamp(1, MAX_LOGGED_PERMITS), per: q.per });
        RateLimiter { state: Mutex::new(State { quota, sent: VecDeque::new(), blocked_until: None, waits: 0 }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The quota currently enforced (after adaptation to server headers).
    pub fn quota(&self) -> Option<Quota> {
        self.lock().quota
    }

    /// How many times a caller had to wait.
    pub fn wait_count(&self) -> u64 {
        self.lock().waits
    }

    /// Waits until a request may be sent, and records it.
    pub async fn acquire(&self) {
        loop {
            let wait_until = {
                let mut s = self.lock();
                let now = Instant::now();
                let mut until = s.blocked_until.filter(|b| *b > now);
                if until.is_none() {
                    s.blocked_until = None;
                }
                if let Some(q) = s.quota {
                    while s.sent.front().is_some_and(|t| *t + q.per <= now) {
                        s.sent.pop_front();
                    }
                    let permits = q.permits as usize;
                    if s.sent.len() >= permits {
                        let idx = s.sent.len() - permits;
                        let free_at = s.sent[idx] + q.per;
                        until = Some(until.map_or(free_at, |u| u.max(free_at)));
                    }
                }
                match until {
                    None => {
                        if s.quota.is_some() {
                            s.sent.push_back(now);
                        }
                        return;
                    }
                    Some(u) => {
                        s.waits += 1;
                        u
                    }
                }
            };
            tracing::debug!(target: "watchpost::ratelimit", wait_ms = (wait_until - Instant::now()).as_millis() as u64, "waiting for a permit");
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Holds every caller until `until`.
    pub fn block_until(&self, until: Instant) {
        let mut s = self.lock();
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
    }

    /// Learns from a response's headers: `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
    /// `X-RateLimit-Reset` (Unix seconds, or seconds from now when small) and `Retry-After`.
    pub fn observe(&self, headers: &HeaderMap) {
        let hints = RateLimitHints::from_headers(headers);
        if let Some(limit) = hints.limit {
            let mut s = self.lock();
            if let Some(q) = &mut s.quota {
                let limit = u32::try_from(limit).unwrap_or(u32::MAX).clamp(1, MAX_LOGGED_PERMITS);
                if q.permits != limit {
                    tracing::debug!(target: "watchpost::ratelimit", from = q.permits, to = limit, "quota adapted to X-RateLimit-Limit");
                    q.permits = limit;
                }
            }
        }
        if hints.remaining == Some(0) {
            if let Some(reset) = hints.reset_in {
                self.block_until(Instant::now() + reset);
            }
        }
        if let Some(after) = hints.retry_after {
            self.block_until(Instant::now() + after);
        }
    }
}

/// Rate-limit information parsed from response headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitHints {
    /// `X-RateLimit-Limit`.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
    /// Time until `X-RateLimit-Reset`.
    pub reset_in: Option<Duration>,
    /// `Retry-After` (seconds form; an HTTP date is converted too).
    pub retry_after: Option<Duration>,
}

impl RateLimitHints {
    /// Parses the hints from `headers`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let num =
            |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<u64>().ok());
        let reset_in = num("x-ratelimit-reset").map(|reset| {
            // Unix seconds (GitHub and Gizwits style) or seconds from now (some gateways).
            if reset > 1_000_000_000 {
                Duration::from_secs(reset).saturating_sub(crate::clock::unix_now())
            } else {
                Duration::from_secs(reset)
            }
        });
        let retry_after =
            headers.get(http::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        RateLimitHints {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset_in,
            retry_after,
        }
    }
}

/// Parses `Retry-After`: delay-seconds or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_imf_fixdate(v)?;
    Some(Duration::from_secs(at).saturating_sub(crate::clock::unix_now()))
}

fn parse_imf_fixdate(v: &str) -> Option<u64> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let mut it = v.split_whitespace();
    let _weekday = it.next()?;
    let day: u64 = it.next()?.parse().ok()?;
    let month_name = it.next()?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == month_name)? as u64
        + 1;
    let year: u64 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if it.next()? != "GMT" || !(1..=31).contains(&day) || year < 1970 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sliding_window_never_exceeds_the_quota_in_any_window() {
        let limiter = RateLimiter::new(Some(Quota::per_minute(10)));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..35 {
            limiter.acquire().await;
            times.push(Instant::now() - start);
        }
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..].iter().filter(|u| **u < *t + Duration::from_secs(60)).count();
            assert!(in_window <= 10, "window starting at {t:?} holds {in_window}");
        }
        assert_eq!(times[34], Duration::from_secs(180), "35 calls at 10/min need exactly 3 minutes");
    }

    #[tokio::test(start_paused = true)]
    async fn remaining_zero_blocks_until_reset_and_limit_adapts() {
        let limiter = RateLimiter::new(Some(Quota::per_hour(3600)));
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", "100".parse().unwrap());
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-reset", "30".parse().unwrap());
        limiter.observe(&h);
        assert_eq!(limiter.quota().unwrap().permits, 100);
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(30));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_imf_fixdate("Sun, 99 Nov 1994 08:49:37 GMT"), None);
    }
}
