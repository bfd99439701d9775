//! The runner's metrics, in the Prometheus text format (`GET /metrics`), and what its health
//! check reads: one registry per runner, fed by the [`Observer`] hooks of the publisher and the
//! instance (no global recorder).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, PoisonError};
use std::time::{Instant, SystemTime};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use watchpost_core::supervise::ConnectionState;

use crate::observer::{Observer, Stored};

/// The `source` label of the per-source metrics.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabel {
    source: String,
}

/// What the lag of one source is computed from.
#[derive(Debug, Default)]
struct LagState {
    /// Receive times of the alarms in flight (taken, not stored), with their count.
    in_flight: BTreeMap<SystemTime, u32>,
    /// Seconds from receive to store of the latest alarm stored.
    last_delay: f64,
}

impl LagState {
    fn add(&mut self, at: SystemTime) {
        *self.in_flight.entry(at).or_insert(0) += 1;
    }

    fn remove(&mut self, at: SystemTime) {
        if let Some(n) = self.in_flight.get_mut(&at) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.in_flight.remove(&at);
            }
        }
    }

    /// `max(last_delay, now − the oldest receive time in flight)`.
    fn lag(&self, now: SystemTime) -> f64 {
        let oldest =
            self.in_flight.keys().next().map_or(0.0, |t| now.duration_since(*t).map_or(0.0, |d| d.as_secs_f64()));
        self.last_delay.max(oldest)
    }
}

/// The last lease round the instance reported.
#[derive(Debug, Clone, Copy)]
struct Round {
    /// When the last successful round ended.
    last_ok: Option<Instant>,
    /// Whether the last round succeeded.
    ok: bool,
    /// The instance stopped.
    stopped: bool,
}

/// The metrics of one bridge runner (see `docs/bridge.md` for each one's meaning); an
/// [`Observer`] to give to the [`Publisher`](crate::Publisher).
pub struct BridgeMetrics {
    registry: Registry,
    received: Family<SourceLabel, Counter>,
    published: Family<SourceLabel, Counter>,
    duplicates: Family<SourceLabel, Counter>,
    retries: Family<SourceLabel, Counter>,
    latency: Histogram,
    in_flight: Family<SourceLabel, Gauge>,
    connected: Family<SourceLabel, Gauge>,
    lag: Family<SourceLabel, Gauge<f64, AtomicU64>>,
    leases_held: Gauge,
    instances_live: Gauge,
    lags: Mutex<HashMap<String, LagState>>,
    round: Mutex<Round>,
}

impl std::fmt::Debug for BridgeMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeMetrics").finish_non_exhaustive()
    }
}

impl BridgeMetrics {
    /// A registry with every metric, the per-source ones at zero for each of `sources` (so a
    /// source that never sent anything is listed too).
    pub fn new<'a>(sources: impl IntoIterator<Item = &'a str>) -> Self {
        let mut registry = Registry::with_prefix("watchpost_bridge");
        let received = Family::<SourceLabel, Counter>::default();
        let published = Family::<SourceLabel, Counter>::default();
        let duplicates = Family::<SourceLabel, Counter>::default();
        let retries = Family::<SourceLabel, Counter>::default();
        // 1 ms to 32 s.
        let latency = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let in_flight = Family::<SourceLabel, Gauge>::default();
        let connected = Family::<SourceLabel, Gauge>::default();
        let lag = Family::<SourceLabel, Gauge<f64, AtomicU64>>::default();
        let leases_held = Gauge::default();
        let instances_live = Gauge::default();
        registry.register("alarms_received", "Alarms taken from the source's feed", received.clone());
        registry.register(
            "alarms_published",
            "Alarms stored by JetStream and acknowledged to their source, duplicates included",
            published.clone(),
        );
        registry.register(
            "duplicates",
            "Alarms JetStream reported as duplicates (already stored within the duplicate window)",
            duplicates.clone(),
        );
        registry.register("publish_retries", "Failed publications retried", retries.clone());
        registry.register(
            "publish_latency_seconds",
            "From an alarm taken from its feed to JetStream's publish acknowledgement",
            latency.clone(),
        );
        registry.register(
            "in_flight",
            "Items (alarms and connection states) taken from the source and not yet stored",
            in_flight.clone(),
        );
        registry.register(
            "source_connected",
            "1 when the source's last connection state taken was connected, else 0",
            connected.clone(),
        );
        registry.register(
            "source_lag_seconds",
            "The larger of: receive-to-store time of the source's latest stored alarm, age of its oldest alarm in flight",
            lag.clone(),
        );
        registry.register("leases_held", "Source leases this instance holds", leases_held.clone());
        registry.register(
            "instances_live",
            "Bridge instances announced in the lease bucket at the last lease round",
            instances_live.clone(),
        );
        let mut lags = HashMap::new();
        for source in sources {
            let label = label(source);
            drop(received.get_or_create(&label));
            drop(published.get_or_create(&label));
            drop(duplicates.get_or_create(&label));
            drop(retries.get_or_create(&label));
            drop(in_flight.get_or_create(&label));
            drop(connected.get_or_create(&label));
            drop(lag.get_or_create(&label));
            lags.insert(source.to_owned(), LagState::default());
        }
        BridgeMetrics {
            registry,
            received,
            published,
            duplicates,
            retries,
            latency,
            in_flight,
            connected,
            lag,
            leases_held,
            instances_live,
            lags: Mutex::new(lags),
            round: Mutex::new(Round { last_ok: None, ok: false, stopped: false }),
        }
    }

    /// Every metric in the Prometheus text exposition format.
    pub fn encode(&self) -> String {
        let now = SystemTime::now();
        for (source, state) in lock(&self.lags).iter() {
            self.lag.get_or_create(&label(source)).set(state.lag(now));
        }
        let mut text = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            // Writing into a String does not fail; say so rather than serve half a page silently.
            tracing::warn!(error = %e, "metrics encoding failed");
        }
        text
    }

    /// When the last successful lease round ended (`None` before the first), whether the last
    /// round succeeded, and whether the instance stopped.
    pub(crate) fn lease_status(&self) -> (Option<Instant>, bool, bool) {
        let r = *lock(&self.round);
        (r.last_ok, r.ok, r.stopped)
    }

    fn with_lag(&self, source: &str, f: impl FnOnce(&mut LagState)) {
        let mut lags = lock(&self.lags);
        f(lags.entry(source.to_owned()).or_default());
    }
}

fn label(source: &str) -> SourceLabel {
    SourceLabel { source: source.to_owned() }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Observer for BridgeMetrics {
    fn alarm_taken(&self, source: &str, received_at: SystemTime) {
        let l = label(source);
        self.received.get_or_create(&l).inc();
        self.in_flight.get_or_create(&l).inc();
        self.with_lag(source, |s| s.add(received_at));
    }

    fn state_taken(&self, source: &str, state: &ConnectionState) {
        let l = label(source);
        self.in_flight.get_or_create(&l).inc();
        self.connected.get_or_create(&l).set(i64::from(*state == ConnectionState::Connected));
    }

    fn alarm_stored(&self, source: &str, stored: &Stored) {
        let l = label(source);
        self.published.get_or_create(&l).inc();
        if stored.duplicate {
            self.duplicates.get_or_create(&l).inc();
        }
        self.in_flight.get_or_create(&l).dec();
        self.latency.observe(stored.latency.as_secs_f64());
        let delay = SystemTime::now().duration_since(stored.received_at).map_or(0.0, |d| d.as_secs_f64());
        self.with_lag(source, |s| {
            s.remove(stored.received_at);
            s.last_delay = delay;
        });
    }

    fn state_stored(&self, source: &str) {
        self.in_flight.get_or_create(&label(source)).dec();
    }

    fn publish_retry(&self, source: &str) {
        self.retries.get_or_create(&label(source)).inc();
    }

    fn feed_ended(&self, source: &str, abandoned: &[SystemTime], abandoned_states: u64) {
        let l = label(source);
        let items = i64::try_from(abandoned.len() as u64 + abandoned_states).unwrap_or(i64::MAX);
        self.in_flight.get_or_create(&l).dec_by(items);
        self.connected.get_or_create(&l).set(0);
        self.with_lag(source, |s| {
            for at in abandoned {
                s.remove(*at);
            }
        });
    }

    fn lease_round(&self, ok: bool, held: usize, live: Option<usize>) {
        self.leases_held.set(i64::try_from(held).unwrap_or(i64::MAX));
        if let Some(live) = live {
            self.instances_live.set(i64::try_from(live).unwrap_or(i64::MAX));
        }
        let mut r = lock(&self.round);
        r.ok = ok;
        if ok {
            r.last_ok = Some(Instant::now());
        }
    }

    fn stopped(&self) {
        self.leases_held.set(0);
        lock(&self.round).stopped = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_exposition_names_every_metric_with_its_source() {
        let m = BridgeMetrics::new(["gw-1"]);
        let at = SystemTime::now();
        m.alarm_taken("gw-1", at);
        m.alarm_stored("gw-1", &Stored { duplicate: true, latency: Duration::from_millis(3), received_at: at });
        m.publish_retry("gw-1");
        m.state_taken("gw-1", &ConnectionState::Connected);
        m.lease_round(true, 1, Some(2));
        let text = m.encode();
        for line in [
            "watchpost_bridge_alarms_received_total{source=\"gw-1\"} 1",
            "watchpost_bridge_alarms_published_total{source=\"gw-1\"} 1",
            "watchpost_bridge_duplicates_total{source=\"gw-1\"} 1",
            "watchpost_bridge_publish_retries_total{source=\"gw-1\"} 1",
            "watchpost_bridge_publish_latency_seconds_count 1",
            "watchpost_bridge_in_flight{source=\"gw-1\"} 1",
            "watchpost_bridge_source_connected{source=\"gw-1\"} 1",
            "watchpost_bridge_leases_held 1",
            "watchpost_bridge_instances_live 2",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing from\n{text}");
        }
        assert!(text.contains("watchpost_bridge_source_lag_seconds{source=\"gw-1\"}"), "{text}");
    }

    #[test]
    fn the_lag_is_the_age_of_the_oldest_alarm_in_flight_when_larger() {
        let mut s = LagState::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        s.last_delay = 0.5;
        assert!((s.lag(now) - 0.5).abs() < 1e-9);
        s.add(SystemTime::UNIX_EPOCH + Duration::from_secs(90));
        s.add(SystemTime::UNIX_EPOCH + Duration::from_secs(90));
        s.add(SystemTime::UNIX_EPOCH + Duration::from_secs(95));
        assert!((s.lag(now) - 10.0).abs() < 1e-9);
        s.remove(SystemTime::UNIX_EPOCH + Duration::from_secs(90));
        assert!((s.lag(now) - 10.0).abs() < 1e-9, "one of two still in flight");
        s.remove(SystemTime::UNIX_EPOCH + Duration::from_secs(90));
        assert!((s.lag(now) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn an_abandoned_feed_leaves_nothing_in_flight_and_the_source_disconnected() {
        let m = BridgeMetrics::new(["hpp-1"]);
        let at = SystemTime::now();
        m.state_taken("hpp-1", &ConnectionState::Connected);
        m.alarm_taken("hpp-1", at);
        m.feed_ended("hpp-1", &[at], 1);
        let text = m.encode();
        assert!(text.lines().any(|l| l == "watchpost_bridge_in_flight{source=\"hpp-1\"} 0"), "{text}");
        assert!(text.lines().any(|l| l == "watchpost_bridge_source_connected{source=\"hpp-1\"} 0"), "{text}");
    }
}
