//! Stress: 10,000 alarm subscriptions opened at once from ONE client (one connection pool, one
//! shared Digest state) against one simulated gateway, kept for 10 minutes. Every subscription
//! must be alive at the end: connected, with a heartbeat in the last two heartbeat intervals,
//! and never closed. Prints how many re-subscriptions, error items and Digest challenges it took.
//!
//! Ignored by default. Run it with
//!
//! ```text
//! cargo test -p hik-gateway --features sim --release --test scale -- --ignored --nocapture
//! ```
//!
//! `HIKGW_SCALE_SUBS` and `HIKGW_SCALE_MINUTES` change the size (default 10,000 and 10);
//! `HIKGW_SCALE_TWO_PROCESSES=1` forces the two-process run described below.
//!
//! The client and the simulator in one process need about 4 open files per subscription (both
//! ends of every subscription, and of the resync requests that run at the same time). The test
//! raises the open-file limit itself (the soft one, and the hard one when the process may).
//! - When the limit allows it, both run in one process on tokio's paused clock (10 *virtual*
//!   minutes, a few seconds of real time).
//! - Otherwise (a container whose hard limit is 20,000, as on the build machine) the simulator
//!   runs in a child process (this test binary again, test `simulator_process`), and the run
//!   takes real time: 10 real minutes with the default 10 s heartbeat.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{Client, ConnectionState, EventStreamConfig, Notification};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::Instant;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Raises the soft (and if need be the hard) open-file limit to `want`; returns the limit in
/// force.
fn raise_open_files(want: u64) -> u64 {
    use rlimit::Resource;
    let Ok((soft, hard)) = rlimit::getrlimit(Resource::NOFILE) else { return 0 };
    if soft >= want {
        return soft;
    }
    let _ = if hard >= want {
        rlimit::setrlimit(Resource::NOFILE, want, hard)
    } else {
        rlimit::setrlimit(Resource::NOFILE, want, want).or_else(|_| rlimit::setrlimit(Resource::NOFILE, hard, hard))
    };
    rlimit::getrlimit(Resource::NOFILE).map_or(soft, |(s, _)| s)
}

const HEARTBEAT: Duration = Duration::from_secs(10);
const ROLE: &str = "HIKGW_SCALE_ROLE";

/// What one subscription has seen.
#[derive(Default)]
struct Seen {
    /// Virtual milliseconds since the start at the last heartbeat (0: none yet).
    last_beat_ms: AtomicU64,
    subscribed: AtomicU64,
    errors: AtomicU64,
    closed: AtomicBool,
}

/// Opens `subs` subscriptions at once on `client`, keeps them `run`, prints what it saw and
/// returns (alive, closed).
async fn keep_alive(client: Client, subs: usize, run: Duration) -> (usize, usize) {
    let start = Instant::now();
    let errors_by_kind: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
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
    tokio::time::sleep(run).await;
    let now_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let recent = now_ms.saturating_sub(2 * u64::try_from(HEARTBEAT.as_millis()).unwrap_or(0));

    let (mut alive, mut not_connected, mut stale, mut closed, mut resubscriptions, mut errors) = (0, 0, 0, 0, 0, 0);
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
    println!("  alive at the end:        {alive} of {subs}");
    println!("  not connected:           {not_connected}");
    println!("  no heartbeat in 20 s:    {stale}");
    println!("  closed (ended):          {closed}");
    println!("  re-subscriptions:        {resubscriptions}");
    println!("  error items:             {errors}");
    println!(
        "  error items by kind:     {:?}",
        errors_by_kind.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    );
    for t in tasks {
        t.abort();
    }
    (alive, closed)
}

fn sim_stats(sim: &Simulator) -> String {
    let d = sim.digest();
    format!(
        "subscriptions opened {}, requests {}, digest: {} challenges, {} stale, {} wrong-password rejections, {} authorized",
        sim.subscriptions_opened(),
        sim.requests_total(),
        d.challenges_sent(),
        d.stale_challenges(),
        d.failures(),
        d.authorized()
    )
}

fn client_of(base_url: &str) -> Client {
    let sim = SimConfig::default();
    // One client: every subscription shares its connection pool and Digest state.
    Client::builder()
        .base_url(base_url)
        .credentials(sim.http.username, sim.http.password)
        .events(EventStreamConfig::default())
        .build()
        .unwrap()
}

#[tokio::test]
#[ignore = "stress: 10,000 subscriptions for 10 minutes; run with --ignored --nocapture"]
async fn ten_thousand_subscriptions_from_one_client_stay_alive() {
    let subs = usize::try_from(env_or("HIKGW_SCALE_SUBS", 10_000)).unwrap_or(10_000);
    let minutes = env_or("HIKGW_SCALE_MINUTES", 10);
    let run = Duration::from_secs(minutes * 60);
    let want_one = 4 * subs as u64 + 1024;
    let limit = raise_open_files(want_one);
    let two_processes = std::env::var("HIKGW_SCALE_TWO_PROCESSES").is_ok_and(|v| v == "1");
    let outcome = if limit >= want_one && !two_processes {
        // Both in this process, on the paused clock: 10 virtual minutes.
        tokio::time::pause();
        let sim = Simulator::start_with(SimConfig::default().devices(1).heartbeat_interval(HEARTBEAT)).await.unwrap();
        println!("{subs} subscriptions from one client, {minutes} virtual minutes, one process (open files {limit}):");
        let outcome = keep_alive(client_of(&sim.base_url()), subs, run).await;
        println!("  simulator: {}", sim_stats(&sim));
        sim.shutdown().await;
        outcome
    } else {
        // The simulator in a child process; real time.
        let want_each = subs as u64 + 2048;
        assert!(
            limit >= want_each,
            "this test needs {want_each} open files per process (RLIMIT_NOFILE); the limit is {limit}"
        );
        let exe = std::env::current_exe().unwrap();
        let mut child = tokio::process::Command::new(exe)
            .args(["simulator_process", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(ROLE, "simulator")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines.next_line().await.unwrap().expect("the simulator process prints its URL");
            // The harness writes `test simulator_process ... ` before it, on the same line.
            if let Some((_, url)) = line.split_once("SIM_URL=") {
                break url.trim().to_owned();
            }
        };
        println!("{subs} subscriptions from one client, {minutes} real minutes, simulator in process {} (open files {limit}):", child.id().unwrap_or(0));
        let outcome = keep_alive(client_of(&url), subs, run).await;
        // Closing its stdin makes the simulator print its figures and stop.
        drop(child.stdin.take());
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some((_, stats)) = line.split_once("SIM_STATS ") {
                println!("  simulator: {stats}");
            }
        }
        let _ = child.wait().await;
        outcome
    };
    let (alive, closed) = outcome;
    assert_eq!(closed, 0, "a subscription ended by itself");
    assert_eq!(alive, subs, "every subscription is connected with a recent heartbeat");
}

/// The simulator half of the two-process run (does nothing unless started by it).
#[tokio::test]
#[ignore = "started by ten_thousand_subscriptions_from_one_client_stay_alive"]
async fn simulator_process() {
    if std::env::var(ROLE).as_deref() != Ok("simulator") {
        return;
    }
    let subs = env_or("HIKGW_SCALE_SUBS", 10_000);
    raise_open_files(subs + 2048);
    let sim = Simulator::start_with(SimConfig::default().devices(1).heartbeat_interval(HEARTBEAT)).await.unwrap();
    let mut out = tokio::io::stdout();
    out.write_all(format!("SIM_URL={}\n", sim.base_url()).as_bytes()).await.unwrap();
    out.flush().await.unwrap();
    let mut rest = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut rest).await;
    out.write_all(format!("SIM_STATS {}\n", sim_stats(&sim)).as_bytes()).await.unwrap();
    out.flush().await.unwrap();
    sim.shutdown().await;
}
