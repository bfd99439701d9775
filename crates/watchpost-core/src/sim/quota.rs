//! [`Quota`]: a fixed-window request quota (Gizwits' 3600 per hour) that answers with the
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` headers, and keeps a
//! journal of its decisions ([`Quota::journal`]) so tests can check when each caller was
//! answered what.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::unix_now;

use super::lock;
use super::response::SimResponse;

/// The rate-limit headers of one decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`: requests allowed per window.
    pub limit: u32,
    /// `X-RateLimit-Remaining`: requests left in the current window.
    pub remaining: u32,
    /// `X-RateLimit-Reset`: Unix seconds at which the window ends (rounded up).
    pub reset_unix: u64,
}

impl RateLimitHeaders {
    /// The headers as name/value pairs.
    pub fn pairs(&self) -> [(&'static str, String); 3] {
        [
            ("X-RateLimit-Limit", self.limit.to_string()),
            ("X-RateLimit-Remaining", self.remaining.to_string()),
            ("X-RateLimit-Reset", self.reset_unix.to_string()),
        ]
    }

    /// Adds the headers to a response.
    pub fn apply(&self, response: SimResponse) -> SimResponse {
        response.headers(self.pairs())
    }
}

/// What [`Quota::try_acquire`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaDecision {
    /// The request fits in the quota.
    Allowed {
        /// Headers to send with the response.
        headers: RateLimitHeaders,
    },
    /// The quota of the window is used up.
    Exceeded {
        /// Headers to send with the rejection (`remaining` is 0).
        headers: RateLimitHeaders,
        /// Unix seconds at which the window ends.
        reset_unix: u64,
    },
}

impl QuotaDecision {
    /// The rate-limit headers, whatever the decision.
    pub fn headers(&self) -> RateLimitHeaders {
        match self {
            QuotaDecision::Allowed { headers } | QuotaDecision::Exceeded { headers, .. } => *headers,
        }
    }

    /// Whether the request was allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, QuotaDecision::Allowed { .. })
    }
}

/// One decision of a [`Quota`], as kept in its journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaEvent {
    /// Unix time of the request (following tokio's clock).
    pub at: Duration,
    /// Who asked, as the simulator identifies callers (Gizwits: a hash of the token), if known.
    pub caller: Option<u64>,
    /// Whether the request was allowed.
    pub allowed: bool,
    /// `X-RateLimit-Remaining` of the answer.
    pub remaining: u32,
    /// `X-RateLimit-Reset` of the answer (Unix seconds).
    pub reset_unix: u64,
}

/// The most decisions a journal keeps; older ones are dropped first.
pub const JOURNAL_CAPACITY: usize = 100_000;

/// A fixed-window quota (clone freely: clones share the count).
///
/// By default a window starts with the first request after the previous window ended, so tests
/// are independent of the wall clock; [`aligned`](Self::aligned) makes windows start at multiples
/// of the window length since the Unix epoch (top of the hour for hourly quotas). Time is
/// [`unix_now`], which follows tokio's (possibly paused) clock.
#[derive(Clone)]
pub struct Quota {
    inner: Arc<Mutex<QuotaState>>,
}

struct QuotaState {
    limit: u32,
    window: Duration,
    aligned: bool,
    /// Unix time at which the current window ends (`None` before the first request).
    window_end: Option<Duration>,
    used: u32,
    rejected: u64,
    journal: VecDeque<QuotaEvent>,
}

impl fmt::Debug for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = lock(&self.inner);
        f.debug_struct("Quota").field("limit", &s.limit).field("window", &s.window).field("used", &s.used).finish()
    }
}

impl Quota {
    /// `limit` requests per `window` (a zero window is taken as one second).
    pub fn new(limit: u32, window: Duration) -> Self {
        Quota {
            inner: Arc::new(Mutex::new(QuotaState {
                limit,
                window: window.max(Duration::from_secs(1)),
                aligned: false,
                window_end: None,
                used: 0,
                rejected: 0,
                journal: VecDeque::new(),
            })),
        }
    }

    /// `limit` requests per hour.
    pub fn per_hour(limit: u32) -> Self {
        Self::new(limit, Duration::from_secs(3600))
    }

    /// Windows start at multiples of the window length since the Unix epoch. Default is off.
    #[must_use]
    pub fn aligned(self, aligned: bool) -> Self {
        lock(&self.inner).aligned = aligned;
        self
    }

    /// Counts one request against the quota.
    pub fn try_acquire(&self) -> QuotaDecision {
        self.try_acquire_as(None)
    }

    /// Counts one request of `caller` against the quota, and journals the decision.
    pub fn try_acquire_as(&self, caller: Option<u64>) -> QuotaDecision {
        let mut s = lock(&self.inner);
        let now = unix_now();
        let end = match s.window_end {
            Some(end) if now < end => end,
            _ => {
                let end = if s.aligned {
                    let w = s.window.as_nanos().max(1);
                    let next = (now.as_nanos() / w + 1) * w;
                    Duration::from_nanos(u64::try_from(next).unwrap_or(u64::MAX))
                } else {
                    now.saturating_add(s.window)
                };
                s.window_end = Some(end);
                s.used = 0;
                end
            }
        };
        let reset_unix = end.as_secs() + u64::from(end.subsec_nanos() > 0);
        let decision = if s.used < s.limit {
            s.used += 1;
            let headers = RateLimitHeaders { limit: s.limit, remaining: s.limit - s.used, reset_unix };
            QuotaDecision::Allowed { headers }
        } else {
            s.rejected += 1;
            let headers = RateLimitHeaders { limit: s.limit, remaining: 0, reset_unix };
            QuotaDecision::Exceeded { headers, reset_unix }
        };
        if s.journal.len() >= JOURNAL_CAPACITY {
            s.journal.pop_front();
        }
        let headers = decision.headers();
        s.journal.push_back(QuotaEvent {
            at: now,
            caller,
            allowed: decision.is_allowed(),
            remaining: headers.remaining,
            reset_unix,
        });
        decision
    }

    /// The decisions so far, oldest first (at most [`JOURNAL_CAPACITY`]).
    pub fn journal(&self) -> Vec<QuotaEvent> {
        lock(&self.inner).journal.iter().copied().collect()
    }

    /// Changes the limit behind the client's back, effective in the current window.
    pub fn set_limit(&self, limit: u32) {
        lock(&self.inner).limit = limit;
    }

    /// Requests counted in the current window.
    pub fn used(&self) -> u32 {
        lock(&self.inner).used
    }

    /// Requests rejected so far.
    pub fn rejected_count(&self) -> u64 {
        lock(&self.inner).rejected
    }

    /// Starts a fresh window at the next request (test control).
    pub fn reset(&self) {
        let mut s = lock(&self.inner);
        s.window_end = None;
        s.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn counts_down_rejects_and_resets_after_the_window() {
        let quota = Quota::new(2, Duration::from_secs(60));
        let first = quota.try_acquire();
        let h = first.headers();
        assert_eq!((h.limit, h.remaining), (2, 1));
        let reset = h.reset_unix;
        assert!(reset >= unix_now().as_secs() + 59 && reset <= unix_now().as_secs() + 61);
        assert_eq!(quota.try_acquire().headers().remaining, 0);
        let third = quota.try_acquire();
        assert_eq!(
            third,
            QuotaDecision::Exceeded {
                headers: RateLimitHeaders { limit: 2, remaining: 0, reset_unix: reset },
                reset_unix: reset
            }
        );
        assert_eq!(quota.rejected_count(), 1);
        let journal = quota.journal();
        assert_eq!(
            journal.iter().map(|e| (e.allowed, e.remaining)).collect::<Vec<_>>(),
            [(true, 1), (true, 0), (false, 0)]
        );
        assert!(journal.iter().all(|e| e.reset_unix == reset && e.caller.is_none()));
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(quota.try_acquire().is_allowed());
        quota.set_limit(1);
        assert!(!quota.try_acquire().is_allowed());
        let resp = third.headers().apply(SimResponse::empty(403));
        assert_eq!(resp.headers_map()["x-ratelimit-remaining"], "0");
    }

    #[tokio::test(start_paused = true)]
    async fn aligned_windows_end_on_multiples() {
        let quota = Quota::per_hour(10).aligned(true);
        let reset = quota.try_acquire().headers().reset_unix;
        assert_eq!(reset % 3600, 0);
        assert!(reset > unix_now().as_secs() && reset <= unix_now().as_secs() + 3600);
    }
}
