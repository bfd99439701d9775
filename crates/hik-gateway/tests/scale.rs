//! Stress: 10,000 alarm subscriptions opened at once from ONE client (one shared Digest
//! state) against one simulated gateway, kept for 10 virtual minutes. Every subscription must
//! be alive at the end: connected, with a heartbeat in the last two heartbeat intervals, and
//! never closed. Prints how many re-subscriptions, errors and Digest challenges it took.
//!
//! Ignored by default (it holds about 40,000 sockets: both ends of every subscription, and of
//! the resync requests that run at the same time). Run it with
//!
//! ```text
//! cargo test -p hik-gateway --features sim --release --test scale -- --ignored --nocapture
//! ```
//!
//! `HIKGW_SCALE_SUBS` and `HIKGW_SCALE_MINUTES` change the size (default 10,000 and 10). The
//! test raises the open-file limit itself (soft, and hard when it runs as root) to
//! 4 × subscriptions + 1,024; without that it reports the limit it needs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{Client, ConnectionState, EventStreamConfig, Notification};
use tokio::sync::watch;
use tokio::time::Instant;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Raises the soft (and if need be, as root, the hard) open-file limit to `want`; returns the
/// limit in force.
fn raise_open_files(want: u64) -> u64 {
    use rlimit::Resource;
    let Ok((soft, hard)) = rlimit::getrlimit(Resource::NOFILE) else { return 0 };
    if soft >= want {
        return soft;
    }
    let raised = if hard >= want {
        rlimit::setrlimit(Resource::NOFILE, want, hard)
    } else {
        rlimit::setrlimit(Resource::NOFILE, want, want).or_else(|_| rlimit::setrlimit(Resource::NOFILE, hard, hard))
    };
    if raised.is_err() {
        return soft;
    }
    rlimit::getrlimit(Resource::NOFILE).map_or(soft, |(s, _)| s)
}

/// What one subscription has seen.
#[derive(Default)]
struct Seen {
    /// Virtual milliseconds since the start at the last heartbeat (0: none yet).
    last_beat_ms: AtomicU64,
    subscribed: AtomicU64,
    errors: AtomicU64,
    closed: AtomicBool,
}

#[tokio::test(start_paused = true)]
#[ignore = "stress: 10,000 subscriptions for 10 virtual minutes (about 40,000 sockets)"]
async fn ten_thousand_subscriptions_from_one_client_stay_alive() {
    let subs = usize::try_from(env_or("HIKGW_SCALE_SUBS", 10_000)).unwrap_or(10_000);
    let minutes = env_or("HIKGW_SCALE_MINUTES", 10);
    let want = 4 * subs as u64 + 1024;
    let limit = raise_open_files(want);
    assert!(limit >= want, "this test needs {want} open files (RLIMIT_NOFILE); the limit is {limit}");

    let heartbeat = Duration::from_secs(10);
    let sim = Simulator::start_with(SimConfig::default().devices(1).heartbeat_interval(heartbeat)).await.unwrap();
    // One client: every subscription shares its connection pool and Digest state.
    let client = Client::builder(sim.base_url())
        .credentials(sim.username(), sim.password())
        .events(EventStreamConfig::default())
        .build()
        .unwrap();
    let start = Instant::now();
    let errors_by_kind: Arc<Mutex<std::collections::BTreeMap<String, u64>>> = Arc::default();
    let mut watched: Vec<(Arc<Seen>, watch::Receiver<ConnectionState>)> = Vec::with_capacity(subs);
    let mut tasks = Vec::with_capacity(subs);
    for _ in 0..subs {
        let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
        let seen = Arc::new(Seen::default());
        watched.push((seen.clone(), stream.state()));
        let kinds = errors_by_kind.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(item) = stream.next().await {
                match item {
                    Ok(Notification::Event(e)) if e.is_heartbeat() => {
                        let ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
                        seen.last_beat_ms.store(ms.max(1), Ordering::Relaxed);
                    }
                    Ok(Notification::Subscribed(_)) => {
                        seen.subscribed.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Notification::State(ConnectionState::Closed)) => seen.closed.store(true, Ordering::Relaxed),
                    Ok(_) => {}
                    Err(e) => {
                        seen.errors.fetch_add(1, Ordering::Relaxed);
                        let key = format!("{:?}/{}", e.kind(), e.class());
                        *kinds.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(key).or_default() += 1;
                    }
                }
            }
            seen.closed.store(true, Ordering::Relaxed);
        }));
    }

    let run = Duration::from_secs(minutes * 60);
    tokio::time::sleep(run).await;
    let now_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let recent = now_ms.saturating_sub(2 * u64::try_from(heartbeat.as_millis()).unwrap_or(0));

    let mut alive = 0;
    let mut not_connected = 0;
    let mut stale = 0;
    let mut closed = 0;
    let mut resubscriptions = 0;
    let mut errors = 0;
    for (seen, state) in &watched {
        let connected = *state.borrow() == ConnectionState::Connected;
        let beat = seen.last_beat_ms.load(Ordering::Relaxed);
        let fresh = beat > 0 && beat >= recent;
        let is_closed = seen.closed.load(Ordering::Relaxed);
        closed += usize::from(is_closed);
        not_connected += usize::from(!connected);
        stale += usize::from(!fresh);
        alive += usize::from(connected && fresh && !is_closed);
        resubscriptions += seen.subscribed.load(Ordering::Relaxed).saturating_sub(1);
        errors += seen.errors.load(Ordering::Relaxed);
    }
    let digest = sim.digest();
    println!("{subs} subscriptions from one client, {minutes} virtual minutes (open-file limit {limit}):");
    println!("  alive at the end:        {alive}");
    println!("  not connected:           {not_connected}");
    println!("  no heartbeat in 20 s:    {stale}");
    println!("  closed (ended):          {closed}");
    println!("  re-subscriptions:        {resubscriptions}");
    println!("  error items:             {errors}");
    println!(
        "  error items by kind:     {:?}",
        errors_by_kind.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    );
    println!("  subscriptions opened:    {} (simulator)", sim.subscriptions_opened());
    println!("  live on the simulator:   {}", sim.live_subscriptions());
    println!(
        "  digest: {} challenges, {} stale, {} wrong-password rejections, {} authorized",
        digest.challenges_sent(),
        digest.stale_challenges(),
        digest.failures(),
        digest.authorized()
    );
    println!("  requests served:         {}", sim.requests_total());

    assert_eq!(closed, 0, "a subscription ended by itself");
    assert_eq!(alive, subs, "every subscription is connected with a recent heartbeat");
    for t in tasks {
        t.abort();
    }
    sim.shutdown().await;
}
