//! The per-client rate limiter: callers wait for a permit; they are never failed.
//!
//! Two limits apply, and a caller waits for the later of them:
//!
//! 1. **The local quota**, a sliding-window log of send times: at most `permits` requests in
//!    *any* interval of length `per`, which keeps a client inside a vendor's fixed-window quota
//!    whatever the alignment of the vendor's window. (A token bucket or GCRA with a burst of
//!    `permits` would allow nearly twice the quota across a window boundary.)
//!    `X-RateLimit-Limit` replaces the configured permit count.
//! 2. **The server's word**, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (a wall-clock
//!    instant). A quota may belong to an account shared by several processes, which see each
//!    other only through `Remaining`, so the server wins when it says fewer remain than the log
//!    would allow. The limiter keeps an estimate of the permits left in the server's window:
//!    the lowest `Remaining` seen in that window, less the requests it sent since. Pacing
//!    policy:
//!    - while more than the *tail* (by default the last 10 % of the limit) is left, requests go
//!      as fast as the local quota allows;
//!    - within the tail, the permits left are spread evenly until the reset: the next request
//!      goes no earlier than `last + (reset - last) / left`. With one permit left that is the
//!      reset itself, so the last permit of a window is left to other sharers, and several
//!      processes spreading the tail this way slow down together instead of running into the
//!      quota;
//!    - with nothing left, every caller waits until the reset. A reset more than a day ahead
//!      is taken as a day ahead (a broken header must not stall a client for months).
//!
//!    [`RateLimiter::quota`] shows what the server said last ([`QuotaSnapshot`]).
//!
//! `Retry-After`, and a vendor's throttling error (the pipeline calls
//! [`block_until`](RateLimiter::block_until)), hold every caller for the time given. Unix times
//! are read with the limiter's [`Clock`] (the system clock in production, so an NTP correction
//! is seen at once); all waiting uses `tokio::time`, so tests run on a paused clock.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use tokio::time::Instant;

use crate::clock::{Clock, SharedClock, SystemClock, TokioClock};

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

/// What the server said about its quota last (`X-RateLimit-*`), and what the limiter makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaSnapshot {
    /// `X-RateLimit-Limit`, when the server sent it.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining` of the last answer of the current window.
    pub remaining: u64,
    /// The limiter's estimate of the permits left: the lowest `Remaining` of the window less
    /// the requests this limiter sent since (other processes sharing the quota are seen only
    /// through `Remaining`).
    pub estimated_remaining: u64,
    /// `X-RateLimit-Reset`: when the server's window ends.
    pub reset_at: SystemTime,
    /// When the limiter read that answer (by its clock).
    pub observed_at: SystemTime,
}

impl QuotaSnapshot {
    /// Whether the window had ended at `now` (the numbers are then stale).
    pub fn is_stale_at(&self, now: SystemTime) -> bool {
        now >= self.reset_at
    }
}

/// The server's window as last observed (Unix times by the limiter's clock).
#[derive(Debug, Clone, Copy)]
struct ServerWindow {
    limit: Option<u64>,
    remaining: u64,
    left: u64,
    reset_at: Duration,
    observed_at: Duration,
}

#[derive(Debug)]
struct State {
    quota: Option<Quota>,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    waits: u64,
    server: Option<ServerWindow>,
    last_sent: Option<Instant>,
}

/// A rate limiter shared by all clones of a client.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    clock: SharedClock,
    tail_percent: u8,
}

/// Largest permit count tracked by the sliding log; larger quotas are clamped to it (documented
/// approximation: a quota above 100,000 per period is effectively never the bottleneck of one client).
const MAX_LOGGED_PERMITS: u32 = 100_000;

/// The longest a server's `X-RateLimit-Reset` is honoured ahead of now.
pub const MAX_RESET_AHEAD: Duration = Duration::from_secs(86_400);

/// How long callers are held after `Remaining: 0` with a `Reset` already past by our clock (the
/// server's clock lags ours): long enough not to spin, short enough to find the new window.
pub const LAGGING_RESET_HOLD: Duration = Duration::from_secs(1);

/// Two `Reset` values this close name the same window (a reset given in seconds from now
/// moves by a fraction of a second between answers).
const SAME_WINDOW: Duration = Duration::from_secs(1);

/// The default share of the server's limit whose use is spread until the reset: 10 %.
pub const DEFAULT_TAIL_PERCENT: u8 = 10;

impl RateLimiter {
    /// A limiter enforcing `quota`, or only server hints when `None`, reading Unix time from
    /// the [`TokioClock`] (simulators and tests; production clients use
    /// [`with_clock`](Self::with_clock) with a system clock).
    pub fn new(quota: Option<Quota>) -> Self {
        Self::with_clock(quota, Arc::new(TokioClock))
    }

    /// A limiter enforcing `quota` (or only server hints when `None`) that reads Unix time
    /// (`X-RateLimit-Reset`, HTTP-date `Retry-After`) from `clock`.
    pub fn with_clock(quota: Option<Quota>, clock: SharedClock) -> Self {
        let quota = quota.map(|q| Quota { permits: q.permits.clamp(1, MAX_LOGGED_PERMITS), per: q.per });
        RateLimiter {
            state: Mutex::new(State {
                quota,
                sent: VecDeque::new(),
                blocked_until: None,
                waits: 0,
                server: None,
                last_sent: None,
            }),
            clock,
            tail_percent: DEFAULT_TAIL_PERCENT,
        }
    }

    /// The share of the server's limit (in percent, at most 100) whose use is spread evenly until
    /// the reset; 0 sends as fast as the local quota allows until `Remaining` is 0. Default is
    /// [`DEFAULT_TAIL_PERCENT`] (10 %).
    #[must_use]
    pub fn tail_percent(mut self, percent: u8) -> Self {
        self.tail_percent = percent.min(100);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The clock the limiter reads Unix time from.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The local quota currently enforced (after adaptation to `X-RateLimit-Limit`).
    pub fn local_quota(&self) -> Option<Quota> {
        self.lock().quota
    }

    /// What the server said about its quota last; `None` before any answer carried
    /// `X-RateLimit-Remaining` and `X-RateLimit-Reset`.
    pub fn quota(&self) -> Option<QuotaSnapshot> {
        self.lock().server.map(|w| QuotaSnapshot {
            limit: w.limit,
            remaining: w.remaining,
            estimated_remaining: w.left,
            reset_at: UNIX_EPOCH + w.reset_at,
            observed_at: UNIX_EPOCH + w.observed_at,
        })
    }

    /// How many times a caller had to wait.
    pub fn wait_count(&self) -> u64 {
        self.lock().waits
    }

    /// The tail of the server's window (in permits) that is spread until the reset.
    fn tail(&self, s: &State) -> u64 {
        if self.tail_percent == 0 {
            return 0;
        }
        let limit = s.server.and_then(|w| w.limit).or_else(|| s.quota.map(|q| u64::from(q.permits))).unwrap_or(0);
        limit.saturating_mul(u64::from(self.tail_percent)).div_ceil(100)
    }

    /// Waits until a request may be sent, and records it.
    pub async fn acquire(&self) {
        loop {
            let wait_until = {
                let mut s = self.lock();
                let now = Instant::now();
                let now_unix = self.clock.unix_now();
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
                        let free_at = s.sent.get(s.sent.len() - permits).map_or(now, |t| *t + q.per);
                        until = Some(until.map_or(free_at, |u| u.max(free_at)));
                    }
                }
                let tail = self.tail(&s);
                let window = s.server.filter(|w| now_unix < w.reset_at);
                if let Some(w) = window {
                    let reset = now + (w.reset_at - now_unix);
                    let server_until = if w.left == 0 {
                        Some(reset)
                    } else if w.left <= tail {
                        let left = u32::try_from(w.left).unwrap_or(u32::MAX);
                        s.last_sent.map(|last| last + reset.saturating_duration_since(last) / left).filter(|t| *t > now)
                    } else {
                        None
                    };
                    if let Some(t) = server_until {
                        until = Some(until.map_or(t, |u| u.max(t)));
                    }
                }
                match until {
                    None => {
                        if s.quota.is_some() {
                            s.sent.push_back(now);
                        }
                        if let (Some(server), Some(_)) = (&mut s.server, window) {
                            server.left = server.left.saturating_sub(1);
                        }
                        s.last_sent = Some(now);
                        return;
                    }
                    Some(u) => {
                        s.waits += 1;
                        u
                    }
                }
            };
            tracing::debug!(target: "watchpost::ratelimit", wait_ms = (wait_until - Instant::now()).as_millis() as u64, "waiting for a permit");
            // Woken, the loop reads the clock again: a clock stepped back never lets a caller early.
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
        let now_unix = self.clock.unix_now();
        let hints = RateLimitHints::read(headers, now_unix);
        let mut s = self.lock();
        if let Some(limit) = hints.limit {
            if let Some(q) = &mut s.quota {
                let limit = u32::try_from(limit).unwrap_or(u32::MAX).clamp(1, MAX_LOGGED_PERMITS);
                if q.permits != limit {
                    tracing::debug!(target: "watchpost::ratelimit", from = q.permits, to = limit, "quota adapted to X-RateLimit-Limit");
                    q.permits = limit;
                }
            }
        }
        if let (Some(remaining), Some(reset_at)) = (hints.remaining, hints.reset_at) {
            if remaining == 0 && reset_at <= now_unix {
                tracing::warn!(target: "watchpost::ratelimit", reset = reset_at.as_secs(), now = now_unix.as_secs(), "X-RateLimit-Remaining is 0 but X-RateLimit-Reset has passed: the server's clock lags ours");
                let hold = Instant::now() + LAGGING_RESET_HOLD;
                s.blocked_until = Some(s.blocked_until.map_or(hold, |b| b.max(hold)));
            }
            let reset_at = reset_at.min(now_unix.saturating_add(MAX_RESET_AHEAD));
            observe_window(&mut s.server, hints.limit, remaining, reset_at, now_unix);
        }
        if let Some(after) = hints.retry_after {
            let until = Instant::now() + after;
            s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
        }
    }
}

/// Folds one answer into the known server window.
fn observe_window(
    window: &mut Option<ServerWindow>,
    limit: Option<u64>,
    remaining: u64,
    reset_at: Duration,
    now_unix: Duration,
) {
    let fresh = ServerWindow { limit, remaining, left: remaining, reset_at, observed_at: now_unix };
    let Some(w) = window.as_mut().filter(|w| now_unix < w.reset_at) else {
        *window = Some(fresh);
        return;
    };
    if reset_at > w.reset_at.saturating_add(SAME_WINDOW) {
        // The server moved on to a new window.
        *w = fresh;
    } else if reset_at.saturating_add(SAME_WINDOW) < w.reset_at {
        // A late answer from an earlier window: nothing new.
    } else {
        // Remaining only falls within a window, unless the limit changed.
        w.left = if limit.is_some() && limit != w.limit { remaining } else { w.left.min(remaining) };
        w.limit = limit.or(w.limit);
        w.remaining = remaining;
        w.reset_at = w.reset_at.max(reset_at);
        w.observed_at = now_unix;
    }
}

/// Rate-limit information parsed from response headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitHints {
    /// `X-RateLimit-Limit`.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset` as Unix time (a small value, taken as seconds from now, converted).
    pub reset_at: Option<Duration>,
    /// `Retry-After` (seconds form; an HTTP date is converted too).
    pub retry_after: Option<Duration>,
}

impl RateLimitHints {
    /// Parses the hints from `headers`, reading "now" (for an HTTP-date `Retry-After` and a
    /// relative `X-RateLimit-Reset`) from the [`SystemClock`]; with an injected clock, use
    /// [`read`](Self::read).
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self::read(headers, SystemClock.unix_now())
    }

    /// Parses the hints from `headers` received at Unix time `now_unix`.
    pub fn read(headers: &HeaderMap, now_unix: Duration) -> Self {
        let num =
            |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<u64>().ok());
        let reset_at = num("x-ratelimit-reset").map(|reset| {
            // Unix seconds (GitHub and Gizwits style) or seconds from now (some gateways).
            if reset > 1_000_000_000 {
                Duration::from_secs(reset)
            } else {
                now_unix.saturating_add(Duration::from_secs(reset))
            }
        });
        let retry_after = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after_at(v, now_unix));
        RateLimitHints {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset_at,
            retry_after,
        }
    }

    /// The time from `now_unix` until `X-RateLimit-Reset` (zero when it has passed).
    pub fn reset_in(&self, now_unix: Duration) -> Option<Duration> {
        self.reset_at.map(|at| at.saturating_sub(now_unix))
    }
}

/// Parses `Retry-After`: delay-seconds or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// reading "now" from the [`SystemClock`]; with an injected clock, use [`parse_retry_after_at`].
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    parse_retry_after_at(v, SystemClock.unix_now())
}

/// Parses `Retry-After` received at Unix time `now_unix`.
pub fn parse_retry_after_at(v: &str, now_unix: Duration) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_imf_fixdate(v)?;
    Some(Duration::from_secs(at).saturating_sub(now_unix))
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
        assert_eq!(limiter.local_quota().unwrap().permits, 100);
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(30));
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn server(limit: u64, remaining: u64, reset_unix: u64) -> HeaderMap {
        headers(&[
            ("x-ratelimit-limit", limit.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset", reset_unix.to_string()),
        ])
    }

    const T0: u64 = 1_700_000_000;

    #[tokio::test(start_paused = true)]
    async fn a_reset_is_read_by_the_injected_clock_after_it_jumps() {
        // The process started with a clock an hour slow; NTP then stepped it forward. A clock
        // anchored at start would read this reset as an hour and a minute away.
        let clock = Arc::new(crate::clock::ManualClock::at_secs(T0 - 3600));
        let limiter = RateLimiter::with_clock(None, clock.clone());
        clock.set(Duration::from_secs(T0));
        limiter.observe(&server(3600, 0, T0 + 60));
        let snap = limiter.quota().unwrap();
        assert_eq!(snap.reset_at, UNIX_EPOCH + Duration::from_secs(T0 + 60));
        assert_eq!(snap.observed_at, UNIX_EPOCH + Duration::from_secs(T0));
        assert_eq!((snap.limit, snap.remaining, snap.estimated_remaining), (Some(3600), 0, 0));
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(60), "waited until the reset, by the corrected clock");

        // Stepped back by 30 s during a wait: the wait is re-checked, never cut short.
        limiter.observe(&server(3600, 0, T0 + 120));
        let start = Instant::now();
        let wait = limiter.acquire();
        tokio::pin!(wait);
        tokio::select! {
            () = &mut wait => panic!("let through before the reset"),
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
        clock.set(Duration::from_secs(T0 + 60));
        wait.await;
        assert_eq!(Instant::now() - start, Duration::from_secs(90), "the reset by the stepped-back clock");
    }

    #[tokio::test(start_paused = true)]
    async fn the_servers_remaining_wins_over_the_local_log() {
        // Another process spent most of the shared quota: 2 remain although the local log
        // would allow 3600.
        let clock = Arc::new(crate::clock::ManualClock::at_secs(T0));
        let limiter = RateLimiter::with_clock(Some(Quota::per_hour(3600)), clock).tail_percent(0);
        limiter.observe(&server(3600, 2, T0 + 100));
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(Instant::now(), start, "two permits were left");
        assert_eq!(limiter.quota().unwrap().estimated_remaining, 0);
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(100), "the third waited for the reset");
    }

    #[tokio::test(start_paused = true)]
    async fn the_tail_of_a_window_is_spread_until_the_reset() {
        let clock = Arc::new(crate::clock::ManualClock::at_secs(T0));
        let limiter = RateLimiter::with_clock(Some(Quota::per_hour(3600)), clock);
        // 10 % of 100 is the tail: 10 left, 100 s to go.
        limiter.observe(&server(100, 10, T0 + 100));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..10 {
            limiter.acquire().await;
            times.push((Instant::now() - start).as_secs_f64());
        }
        for pair in times.windows(2) {
            let gap = pair[1] - pair[0];
            assert!((gap - 100.0 / 9.0).abs() < 0.01, "evenly spread: {times:?}");
        }
        assert!(times[8] < 100.0, "nine in the window: {times:?}");
        assert!((times[9] - 100.0).abs() < 0.01, "the last permit of the window is left for the reset: {times:?}");
    }

    #[test]
    fn windows_are_told_apart_by_their_reset() {
        let now = Duration::from_secs(T0);
        let reset = Duration::from_secs(T0 + 100);
        let mut w = None;
        observe_window(&mut w, Some(10), 8, reset, now);
        observe_window(&mut w, Some(10), 9, reset, now);
        assert_eq!(w.map(|w| w.left), Some(8), "Remaining only falls within a window");
        observe_window(&mut w, Some(10), 5, reset - Duration::from_secs(3600), now);
        assert_eq!(w.map(|w| w.left), Some(8), "a late answer of an earlier window is ignored");
        observe_window(&mut w, Some(20), 15, reset, now);
        assert_eq!(w.map(|w| (w.left, w.limit)), Some((15, Some(20))), "a new limit starts the count again");
        observe_window(&mut w, Some(20), 19, reset + Duration::from_secs(3600), now);
        assert_eq!(w.map(|w| w.left), Some(19), "a later reset is a new window");
        observe_window(&mut w, None, 3, reset, reset + Duration::from_secs(3600));
        assert_eq!(w.map(|w| (w.left, w.limit)), Some((3, None)), "a stale window is replaced");
    }

    #[tokio::test(start_paused = true)]
    async fn a_lagging_server_clock_and_a_broken_reset_are_bounded() {
        let clock = Arc::new(crate::clock::ManualClock::at_secs(T0));
        let limiter = RateLimiter::with_clock(None, clock);
        limiter.observe(&server(10, 0, T0 - 5));
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(Instant::now() - start, LAGGING_RESET_HOLD, "no spinning on a reset already past");
        limiter.observe(&server(10, 0, T0 + 10 * 365 * 86_400));
        let snap = limiter.quota().unwrap();
        let ahead = snap.reset_at.duration_since(snap.observed_at).unwrap();
        assert_eq!(ahead, MAX_RESET_AHEAD);
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
