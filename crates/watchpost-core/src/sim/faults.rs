//! [`Faults`]: failures a test injects while the server runs. Latency, resets and canned failures
//! apply before the middleware and the handler; truncation applies to the response they produce.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::lock;
use super::response::SimResponse;

/// Shared fault controls (clone freely: clones control the same server).
///
/// Every `*_next` fault applies to the next `n` requests whose route name equals `route`, or to
/// any request when `route` is `None`; faults queued earlier are used up first. Per request at
/// most one reset-or-failure and one truncation apply, and latencies add up.
#[derive(Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<FaultState>>,
}

#[derive(Default)]
struct FaultState {
    latency: Duration,
    rules: Vec<Rule>,
    injected: u64,
}

struct Rule {
    remaining: u32,
    route: Option<String>,
    kind: Kind,
}

enum Kind {
    Latency(Duration),
    Reset,
    Fail(SimResponse),
    Truncate(usize),
}

/// What the faults decided for one request.
#[derive(Default)]
pub(crate) struct FaultPlan {
    /// Sleep this long before anything else.
    pub(crate) latency: Duration,
    /// Answer this (a reset or a canned failure) instead of running the handler.
    pub(crate) replace: Option<SimResponse>,
    /// Cut the response body after this many bytes.
    pub(crate) truncate: Option<usize>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.inner);
        f.debug_struct("Faults")
            .field("latency", &state.latency)
            .field("pending", &state.rules.len())
            .field("injected", &state.injected)
            .finish()
    }
}

impl Faults {
    /// No faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Delays every request by `delay` (in addition to any `latency_next`); `Duration::ZERO` turns
    /// it off.
    pub fn latency(&self, delay: Duration) {
        lock(&self.inner).latency = delay;
    }

    /// Delays the next `n` matching requests by `delay`.
    pub fn latency_next(&self, n: u32, route: Option<&str>, delay: Duration) {
        self.push(n, route, Kind::Latency(delay));
    }

    /// Answers the next `n` matching requests with `response` (a status, a vendor error code, a
    /// malformed body) instead of running the middleware and the handler. A streamed response
    /// cannot be replayed: its copies have an empty body.
    pub fn fail_next(&self, n: u32, route: Option<&str>, response: SimResponse) {
        self.push(n, route, Kind::Fail(response));
    }

    /// Resets the connection of the next `n` matching requests without any response.
    pub fn reset_next(&self, n: u32, route: Option<&str>) {
        self.push(n, route, Kind::Reset);
    }

    /// Cuts the response body of the next `n` matching requests after `bytes` bytes (see
    /// [`SimResponse::truncate_after`]).
    pub fn truncate_next(&self, n: u32, route: Option<&str>, bytes: usize) {
        self.push(n, route, Kind::Truncate(bytes));
    }

    /// Removes every queued fault and the global latency.
    pub fn clear(&self) {
        let mut state = lock(&self.inner);
        state.rules.clear();
        state.latency = Duration::ZERO;
    }

    /// How many requests queued faults will still affect (summed over the queue).
    pub fn pending(&self) -> u64 {
        lock(&self.inner).rules.iter().map(|r| u64::from(r.remaining)).sum()
    }

    /// How many queued faults were applied so far (one per fault per request).
    pub fn injected(&self) -> u64 {
        lock(&self.inner).injected
    }

    fn push(&self, n: u32, route: Option<&str>, kind: Kind) {
        if n == 0 {
            return;
        }
        lock(&self.inner).rules.push(Rule { remaining: n, route: route.map(str::to_owned), kind });
    }

    /// Takes the faults for one request to `route`.
    pub(crate) fn plan(&self, route: &str) -> FaultPlan {
        let mut state = lock(&self.inner);
        let mut plan = FaultPlan { latency: state.latency, ..FaultPlan::default() };
        let mut used = Vec::new();
        let (mut terminal, mut truncate) = (None, None);
        let matching = state.rules.iter().enumerate().filter(|(_, r)| r.route.as_deref().is_none_or(|x| x == route));
        for (i, rule) in matching {
            match &rule.kind {
                Kind::Latency(delay) => {
                    plan.latency = plan.latency.saturating_add(*delay);
                    used.push(i);
                }
                Kind::Reset | Kind::Fail(_) if terminal.is_none() => terminal = Some((i, &rule.kind)),
                Kind::Truncate(bytes) if truncate.is_none() => truncate = Some((i, *bytes)),
                _ => {}
            }
        }
        match terminal {
            Some((i, Kind::Fail(resp))) => {
                plan.replace = Some(resp.duplicate());
                used.push(i);
            }
            Some((i, _)) => {
                plan.replace = Some(SimResponse::reset());
                used.push(i);
            }
            None => {}
        }
        // A reset sends no body: a queued truncation is left for a later request.
        if let Some((i, bytes)) = truncate.filter(|_| !plan.replace.as_ref().is_some_and(SimResponse::is_reset)) {
            plan.truncate = Some(bytes);
            used.push(i);
        }
        for i in &used {
            if let Some(rule) = state.rules.get_mut(*i) {
                rule.remaining = rule.remaining.saturating_sub(1);
            }
        }
        state.rules.retain(|r| r.remaining > 0);
        state.injected += used.len() as u64;
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_used_up_in_order_and_filtered_by_route() {
        let faults = Faults::new();
        faults.fail_next(2, Some("a"), SimResponse::text(503, "busy"));
        faults.reset_next(1, None);
        faults.truncate_next(1, None, 3);
        faults.latency_next(1, Some("b"), Duration::from_secs(2));
        faults.latency(Duration::from_millis(5));
        assert_eq!(faults.pending(), 5);

        let p = faults.plan("b");
        assert!(p.replace.as_ref().unwrap().is_reset());
        assert_eq!(p.truncate, None, "a reset keeps the truncation queued");
        assert_eq!(p.latency, Duration::from_millis(2005));

        let p = faults.plan("a");
        assert_eq!(p.replace.unwrap().status().as_u16(), 503);
        assert_eq!(p.truncate, Some(3));
        assert_eq!(p.latency, Duration::from_millis(5));

        let p = faults.plan("a");
        assert_eq!(p.replace.unwrap().status().as_u16(), 503);
        assert_eq!(p.truncate, None);
        let p = faults.plan("a");
        assert!(p.replace.is_none());
        assert_eq!(faults.pending(), 0);
        assert_eq!(faults.injected(), 5);
        faults.clear();
        assert_eq!(faults.plan("a").latency, Duration::ZERO);
    }
}
