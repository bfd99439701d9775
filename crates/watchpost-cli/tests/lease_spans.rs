//! Issue 16's lease acceptance test (needs the real `nats-server`; fails when it is missing): a
//! source is never followed by two `watchpost bridge` instances at once, across 20 random joins
//! and leaves (start, SIGTERM, SIGKILL; seeded, the seed is printed; set
//! `WATCHPOST_LEASE_SEED` to replay one), checked from the simulators' own connection logs.
//!
//! - Device Gateway: the simulator's subscription spans [opened, closed] of each gateway must
//!   not overlap.
//! - HPP key: "followed" by a consumer (an access token) from the start of its first poll to the
//!   start of its last poll (answered or refused); the consumers' intervals must not overlap.
//!
//! The close instant. The simulator records a subscription's close when its response body goes
//! away, which it learns when it reads EOF on the connection or when a write fails. A clean stop
//! drops the connection (FIN), and so does the kernel when it reaps a SIGKILLed process: the
//! server reads EOF at once (measured in microseconds in `hik-gateway/tests/subscription_log.rs`).
//! Were the FIN lost (a machine that vanished), the next heartbeat write would fail instead:
//! heartbeats every 250 ms (`common::GW_HEARTBEAT`) bound the lateness of a recorded close to
//! about two heartbeats (the first write after a peer's reset may still succeed). A recorded close
//! is never earlier than the real one, so "no overlap" on the recorded spans proves no overlap
//! on the real ones; the short heartbeats (two of them, 500 ms, well under the lease TTL of 2 s
//! minus one renewal of 500 ms, the earliest another instance can take a dead one's source)
//! keep a late close from showing a false overlap. For HPP the platform cannot see a consumer
//! leave at all, hence poll start instants.

mod common;

use std::time::{Duration, SystemTime};

use common::{consumer_intervals, gateway_intervals, overlaps, write_config, Bridge, Sources};
use watchpost_bridge::testing::NatsServer;

const RENEW: Duration = Duration::from_millis(500);
const TTL: Duration = Duration::from_secs(2);
const CHANGES: usize = 20;

fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lease_nats_server_no_source_is_followed_twice_across_random_joins_and_leaves() {
    let seed = std::env::var("WATCHPOST_LEASE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(1, |d| d.as_secs()));
    println!("lease test seed {seed} (WATCHPOST_LEASE_SEED={seed} replays it)");
    let mut rng = fastrand::Rng::with_seed(seed);

    let nats = blocking(NatsServer::start).unwrap_or_else(|e| panic!("{e}"));
    let sources = Sources::start(12, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sources.config(&nats.url(), RENEW, TTL, 64));
    let env = sources.env();
    let mut next = 0;
    let mut start = |live: &mut Vec<Bridge>| {
        next += 1;
        let id = format!("lease-{next}");
        live.push(blocking(|| Bridge::start(&config, &id, &env)));
        id
    };
    let mut live = Vec::new();
    start(&mut live);
    start(&mut live);
    sources.wait_all_followed(Duration::from_secs(60)).await;

    let mut history = Vec::new();
    for _ in 0..CHANGES {
        let action = match live.len() {
            0 | 1 => 0,
            n if n >= 4 => 1 + rng.usize(..2),
            _ => rng.usize(..3),
        };
        match action {
            0 => history.push(format!("join {}", start(&mut live))),
            1 => {
                let mut b = live.remove(rng.usize(..live.len()));
                let (_, status) = blocking(|| b.terminate());
                assert!(status.success(), "{} exited with {status} on SIGTERM:\n{}", b.id, b.log());
                history.push(format!("SIGTERM {}", b.id));
            }
            _ => {
                let mut b = live.remove(rng.usize(..live.len()));
                blocking(|| b.kill());
                history.push(format!("SIGKILL {}", b.id));
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(200..2500))).await;
    }
    // Let the last takeover happen, then stop the rest cleanly.
    tokio::time::sleep(TTL + RENEW * 2).await;
    sources.wait_all_followed(Duration::from_secs(30)).await;
    for mut b in live.drain(..) {
        let (_, status) = blocking(|| b.terminate());
        assert!(status.success(), "{} exited with {status} on SIGTERM", b.id);
    }
    println!("changes: {}", history.join(", "));

    let mut spans_total = 0;
    let mut bad = Vec::new();
    for (name, sim) in &sources.gateways {
        let log = sim.subscription_log();
        spans_total += log.len();
        let intervals = gateway_intervals(&log);
        for (i, j) in overlaps(intervals.clone()) {
            bad.push(format!("{name}: {:?} overlaps {:?}", intervals[i], intervals[j]));
        }
    }
    let mut consumers_total = 0;
    let mut refused = 0;
    for (name, _, _, sim) in &sources.keys {
        let (log, forgotten) = sim.mq_log();
        assert_eq!(forgotten, 0);
        let intervals: Vec<_> = consumer_intervals(&log).into_values().map(|(a, b)| (a, Some(b))).collect();
        consumers_total += intervals.len();
        refused += sim.consumer_rejections();
        for (i, j) in overlaps(intervals.clone()) {
            bad.push(format!("{name}: consumer {:?} overlaps {:?}", intervals[i], intervals[j]));
        }
    }
    println!(
        "lease figures: {} changes, gateway subscriptions {spans_total} over {} gateways, HPP consumers {consumers_total} \
         over {} keys, polls refused by the platform {refused}, overlaps {}",
        history.len(),
        sources.gateways.len(),
        sources.keys.len(),
        bad.len()
    );
    assert_eq!(history.len(), CHANGES);
    assert!(spans_total > sources.gateways.len(), "sources moved between instances");
    assert!(bad.is_empty(), "sources followed by two instances at once (seed {seed}):\n{}", bad.join("\n"));
}
