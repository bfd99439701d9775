//! Leases between several instances in one process against a real `nats-server -js` (needs
//! the `nats-server` binary and fails when it is missing: `apt-get install nats-server`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use futures_util::StreamExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{
    connect, ensure_stream, escape_token, open_lease_bucket, AlarmFeed, FeedFactory, Instance, LeaseSettings,
    PublishSettings, Publisher, StreamSettings,
};

const SOURCES: usize = 6;
const PATIENCE: Duration = Duration::from_secs(60);

/// Per source: feeds alive now and the most ever alive at once (across every instance).
#[derive(Default)]
struct Tracker {
    active: AtomicUsize,
    most: AtomicUsize,
}

struct Alive {
    tracker: Arc<Tracker>,
    mine: Arc<AtomicUsize>,
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.tracker.active.fetch_sub(1, Ordering::SeqCst);
        self.mine.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A source whose feed yields nothing and records that it is being followed.
struct Tracked {
    name: String,
    tracker: Arc<Tracker>,
    mine: Arc<AtomicUsize>,
}

impl FeedFactory for Tracked {
    fn name(&self) -> &str {
        &self.name
    }
    fn start(&self) -> AlarmFeed {
        let now = self.tracker.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.tracker.most.fetch_max(now, Ordering::SeqCst);
        self.mine.fetch_add(1, Ordering::SeqCst);
        let alive = Alive { tracker: Arc::clone(&self.tracker), mine: Arc::clone(&self.mine) };
        let items = futures_util::stream::poll_fn(move |_| {
            let _ = &alive;
            std::task::Poll::Pending
        });
        AlarmFeed::new(self.name.clone(), items.boxed())
    }
}

struct Running {
    following: Arc<AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

fn settings() -> LeaseSettings {
    // A wide margin (900 ms) between a follower's own deadline and the server's expiry, for a
    // machine busy compiling.
    LeaseSettings { renew_every: Duration::from_millis(200), ttl: Duration::from_secs(2), ..LeaseSettings::default() }
}

async fn launch(url: &str, id: &str, trackers: &[Arc<Tracker>]) -> Running {
    let client = connect(url).await.expect("connect");
    let js = jetstream::new(client);
    let kv = open_lease_bucket(&js, &settings()).await.expect("bucket");
    let following = Arc::new(AtomicUsize::new(0));
    let sources: Vec<Arc<dyn FeedFactory>> = trackers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Arc::new(Tracked { name: format!("source {i}"), tracker: Arc::clone(t), mine: Arc::clone(&following) })
                as Arc<dyn FeedFactory>
        })
        .collect();
    let instance = Instance::new(id, kv, Publisher::new(js, PublishSettings::default()), sources, settings());
    let (shutdown, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(instance.run(async move {
        let _ = rx.await;
    }));
    Running { following, shutdown: Some(shutdown), task }
}

/// Waits until `done` holds, checking on the way that no source ever had two followers.
async fn until(trackers: &[Arc<Tracker>], what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        for (i, t) in trackers.iter().enumerate() {
            assert!(t.most.load(Ordering::SeqCst) <= 1, "source {i} had two followers at once");
        }
        if done() {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "never reached: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks for `pause` that no source has two followers.
async fn watch_for(trackers: &[Arc<Tracker>], pause: Duration) {
    let end = tokio::time::Instant::now() + pause;
    while tokio::time::Instant::now() < end {
        for (i, t) in trackers.iter().enumerate() {
            assert!(t.most.load(Ordering::SeqCst) <= 1, "source {i} had two followers at once");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn each_followed_once(trackers: &[Arc<Tracker>]) -> bool {
    trackers.iter().all(|t| t.active.load(Ordering::SeqCst) == 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_leases_spread_take_over_and_release() {
    let server = NatsServer::start().expect("nats-server for this test");
    let url = server.url();
    {
        let js = jetstream::new(connect(&url).await.expect("connect"));
        ensure_stream(&js, &StreamSettings::default()).await.expect("stream");
    }
    let trackers: Vec<Arc<Tracker>> = (0..SOURCES).map(|_| Arc::default()).collect();

    let a = launch(&url, "a", &trackers).await;
    let b = launch(&url, "b", &trackers).await;
    until(&trackers, "two instances share six sources 3/3", || {
        each_followed_once(&trackers)
            && a.following.load(Ordering::SeqCst) == 3
            && b.following.load(Ordering::SeqCst) == 3
    })
    .await;

    let c = launch(&url, "c", &trackers).await;
    until(&trackers, "a third instance joins: 2/2/2", || {
        each_followed_once(&trackers) && [&a, &b, &c].iter().all(|r| r.following.load(Ordering::SeqCst) == 2)
    })
    .await;

    // a dies: its leases expire and b and c take its sources.
    a.task.abort();
    let _ = a.task.await;
    until(&trackers, "after a died: 3/3", || {
        each_followed_once(&trackers)
            && b.following.load(Ordering::SeqCst) == 3
            && c.following.load(Ordering::SeqCst) == 3
    })
    .await;

    // b shuts down cleanly: its leases are deleted at once.
    let mut b = b;
    let _ = b.shutdown.take().map(|s| s.send(()));
    tokio::time::timeout(PATIENCE, b.task).await.expect("b stops").expect("no panic");
    assert_eq!(b.following.load(Ordering::SeqCst), 0);
    let js = jetstream::new(connect(&url).await.expect("connect"));
    let kv = open_lease_bucket(&js, &settings()).await.expect("bucket");
    let mut left = 0;
    for i in 0..SOURCES {
        if let Some(owner) = kv.get(format!("source.{}", escape_token(&format!("source {i}")))).await.expect("get") {
            // Not deleted, b's leases would name b until their TTL ran out.
            assert_eq!(&owner[..], b"c", "after b's clean shutdown only c holds leases");
            left += 1;
        }
    }
    assert!(left >= 3, "c's three leases remain (and it may already have taken b's)");
    until(&trackers, "c alone follows all six", || {
        each_followed_once(&trackers) && c.following.load(Ordering::SeqCst) == SOURCES
    })
    .await;

    let mut c = c;
    let _ = c.shutdown.take().map(|s| s.send(()));
    tokio::time::timeout(PATIENCE, c.task).await.expect("c stops").expect("no panic");
    assert!(trackers.iter().all(|t| t.active.load(Ordering::SeqCst) == 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_down_stops_every_follower_before_the_ttl_and_a_restart_resumes() {
    let mut server = NatsServer::start().expect("nats-server for this test");
    let url = server.url();
    let trackers: Vec<Arc<Tracker>> = (0..SOURCES).map(|_| Arc::default()).collect();
    let mut a = launch(&url, "a", &trackers).await;
    let mut b = launch(&url, "b", &trackers).await;
    until(&trackers, "3/3", || {
        each_followed_once(&trackers)
            && a.following.load(Ordering::SeqCst) == 3
            && b.following.load(Ordering::SeqCst) == 3
    })
    .await;
    // Cut off from NATS, an instance cannot renew: it stops following by itself (it cannot
    // know whether another instance, still connected, took the source over).
    server.stop();
    until(&trackers, "no follower while NATS is down", || {
        trackers.iter().all(|t| t.active.load(Ordering::SeqCst) == 0)
    })
    .await;
    server.restart().expect("nats-server restarts");
    until(&trackers, "every source followed again after the restart", || each_followed_once(&trackers)).await;
    for r in [&mut a, &mut b] {
        let _ = r.shutdown.take().map(|s| s.send(()));
    }
    for r in [a, b] {
        tokio::time::timeout(PATIENCE, r.task).await.expect("stops").expect("no panic");
    }
}

/// A TCP relay to the NATS server that can be frozen: bytes stop flowing both ways but the
/// connections stay open (a network partition, as seen by the client: its requests hang).
struct FreezableRelay {
    url: String,
    frozen: tokio::sync::watch::Sender<bool>,
}

async fn freezable_relay(upstream: &str) -> FreezableRelay {
    let upstream = upstream.trim_start_matches("nats://").to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("nats://{}", listener.local_addr().expect("addr"));
    let (frozen, _) = tokio::sync::watch::channel(false);
    let flag = frozen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else { continue };
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pump(cr, sw, flag.subscribe()));
            tokio::spawn(pump(sr, cw, flag.subscribe()));
        }
    });
    FreezableRelay { url, frozen }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buf).await else { return };
        if n == 0 || frozen.wait_for(|f| !*f).await.is_err() {
            return;
        }
        if to.write_all(buf.get(..n).unwrap_or_default()).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_partitioned_instance_stops_before_another_takes_over() {
    let server = NatsServer::start().expect("nats-server for this test");
    let relay = freezable_relay(&server.url()).await;
    let trackers: Vec<Arc<Tracker>> = (0..SOURCES).map(|_| Arc::default()).collect();
    // a reaches NATS through the relay, b directly.
    let a = launch(&relay.url, "a", &trackers).await;
    let b = launch(&server.url(), "b", &trackers).await;
    until(&trackers, "3/3", || {
        each_followed_once(&trackers)
            && a.following.load(Ordering::SeqCst) == 3
            && b.following.load(Ordering::SeqCst) == 3
    })
    .await;
    // a's requests now hang; its leases expire on the server and b takes the sources. `until`
    // checks all along that a never follows a source b already follows.
    relay.frozen.send_replace(true);
    until(&trackers, "b follows all six, a none", || {
        each_followed_once(&trackers)
            && b.following.load(Ordering::SeqCst) == SOURCES
            && a.following.load(Ordering::SeqCst) == 0
    })
    .await;
    a.task.abort();
    let mut b = b;
    let _ = b.shutdown.take().map(|s| s.send(()));
    tokio::time::timeout(PATIENCE, b.task).await.expect("b stops").expect("no panic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_twenty_random_joins_and_leaves_never_two_followers() {
    let server = NatsServer::start().expect("nats-server for this test");
    let url = server.url();
    let trackers: Vec<Arc<Tracker>> = (0..SOURCES).map(|_| Arc::default()).collect();
    let mut rng = fastrand::Rng::with_seed(16);
    let mut live: Vec<Running> = vec![launch(&url, "i0", &trackers).await];
    for event in 1..=20 {
        let join = live.len() <= 1 || (live.len() < 4 && rng.bool());
        if join {
            live.push(launch(&url, &format!("i{event}"), &trackers).await);
        } else {
            let mut leaving = live.swap_remove(rng.usize(..live.len()));
            if rng.bool() {
                let _ = leaving.shutdown.take().map(|s| s.send(()));
                tokio::time::timeout(PATIENCE, leaving.task).await.expect("stops").expect("no panic");
            } else {
                leaving.task.abort();
                let _ = leaving.task.await;
            }
        }
        // Some events come before the leases settle, some after.
        let pause = Duration::from_millis(rng.u64(50..600));
        watch_for(&trackers, pause).await;
    }
    let fair = SOURCES.div_ceil(live.len());
    until(&trackers, "every source followed once, each instance within its fair share", || {
        each_followed_once(&trackers) && live.iter().all(|r| r.following.load(Ordering::SeqCst) <= fair)
    })
    .await;
    for r in &mut live {
        let _ = r.shutdown.take().map(|s| s.send(()));
    }
    for r in live {
        tokio::time::timeout(PATIENCE, r.task).await.expect("stops").expect("no panic");
    }
}
