//! [`Faults`]: failures a test injects while the server runs. Latency, resets and canned failures
//! apply before the middleware and the handler; truncation applies to the response they produce.
//! Faults apply to any request, or, through [`Faults::on`], to the requests of one spec
//! [`Operation`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::lock;
use super::response::SimResponse;
use crate::operation::Operation;

/// Shared fault controls (clone freely: clones control the same server).
///
/// Every `*_next` fault on `Faults` itself applies to the next `n` requests of any route; on
/// [`on(&op)`](Self::on) to the next `n` requests routed to that operation. Faults queued earlier
/// are used up first. Per request at most one reset-or-failure and one truncation apply, and
/// latencies add up.
///
/// ```
/// # use watchpost_core::operation::Operation;
/// # use watchpost_core::sim::{Faults, SimResponse};
/// static DEVICE_INFO: Operation = Operation::adhoc("x", "device.info", http::Method::GET, "/info");
/// let faults = Faults::new();
/// faults.on(&DEVICE_INFO).fail_next(1, SimResponse::text(503, "busy"));
/// faults.reset_next(1);
/// assert_eq!(faults.pending(), 2);
/// ```
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
    route: Option<&'static str>,
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

    /// Delays the next `n` requests by `delay`.
    pub fn latency_next(&self, n: u32, delay: Duration) {
        self.push(n, None, Kind::Latency(delay));
    }

    /// Answers the next `n` requests with `response` (a status, a vendor error code, a malformed
    /// body) instead of running the middleware and the handler. A streamed response cannot be
    /// replayed: its copies have an empty body.
    pub fn fail_next(&self, n: u32, response: SimResponse) {
        self.push(n, None, Kind::Fail(response));
    }

    /// Resets the connection of the next `n` requests without any response.
    pub fn reset_next(&self, n: u32) {
        self.push(n, None, Kind::Reset);
    }

    /// Cuts the response body of the next `n` requests after `bytes` bytes (see
    /// [`SimResponse::truncate_after`]).
    pub fn truncate_next(&self, n: u32, bytes: usize) {
        self.push(n, None, Kind::Truncate(bytes));
    }

    /// The faults of one operation: only requests routed to `op` (by its id) are affected.
    pub fn on(&self, op: &'static Operation) -> OperationFaults {
        OperationFaults { faults: self.clone(), route: op.id }
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

    fn push(&self, n: u32, route: Option<&'static str>, kind: Kind) {
        if n == 0 {
            return;
        }
        lock(&self.inner).rules.push(Rule { remaining: n, route, kind });
    }

    /// Takes the faults for one request to `route`.
    pub(crate) fn plan(&self, route: &str) -> FaultPlan {
        let mut state = lock(&self.inner);
        let mut plan = FaultPlan { latency: state.latency, ..FaultPlan::default() };
        let mut used = Vec::new();
        let (mut terminal, mut truncate) = (None, None);
        let matching = state.rules.iter().enumerate().filter(|(_, r)| r.route.is_none_or(|x| x == route));
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

/// The faults of one operation (from [`Faults::on`]): the same `*_next` controls, applied only to
/// requests routed to it.
#[derive(Clone, Debug)]
pub struct OperationFaults {
    faults: Faults,
    route: &'static str,
}

impl OperationFaults {
    /// Delays the next `n` requests of the operation by `delay`.
    pub fn latency_next(&self, n: u32, delay: Duration) {
        self.faults.push(n, Some(self.route), Kind::Latency(delay));
    }

    /// Answers the next `n` requests of the operation with `response` (see [`Faults::fail_next`]).
    pub fn fail_next(&self, n: u32, response: SimResponse) {
        self.faults.push(n, Some(self.route), Kind::Fail(response));
    }

    /// Resets the connection of the next `n` requests of the operation.
    pub fn reset_next(&self, n: u32) {
        self.faults.push(n, Some(self.route), Kind::Reset);
    }

    /// Cuts the response body of the next `n` requests of the operation after `bytes` bytes.
    pub fn truncate_next(&self, n: u32, bytes: usize) {
        self.faults.push(n, Some(self.route), Kind::Truncate(bytes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: Operation = Operation::adhoc("test", "a", http::Method::GET, "/a");
    static B: Operation = Operation::adhoc("test", "b", http::Method::GET, "/b");

    #[test]
    fn faults_are_used_up_in_order_and_filtered_by_operation() {
        let faults = Faults::new();
        faults.on(&A).fail_next(2, SimResponse::text(503, "busy"));
        faults.reset_next(1);
        faults.truncate_next(1, 3);
        faults.on(&B).latency_next(1, Duration::from_secs(2));
        faults.latency(Duration::from_millis(5));
        assert_eq!(faults.pending(), 5);

        let p = faults.plan(B.id);
        assert!(p.replace.as_ref().unwrap().is_reset());
        assert_eq!(p.truncate, None, "a reset keeps the truncation queued");
        assert_eq!(p.latency, Duration::from_millis(2005));

        let p = faults.plan(A.id);
        assert_eq!(p.replace.unwrap().status().as_u16(), 503);
        assert_eq!(p.truncate, Some(3));
        assert_eq!(p.latency, Duration::from_millis(5));

        let p = faults.plan(A.id);
        assert_eq!(p.replace.unwrap().status().as_u16(), 503);
        assert_eq!(p.truncate, None);
        let p = faults.plan(A.id);
        assert!(p.replace.is_none());
        assert_eq!(faults.pending(), 0);
        assert_eq!(faults.injected(), 5);
        faults.clear();
        assert_eq!(faults.plan(A.id).latency, Duration::ZERO);
    }
}
