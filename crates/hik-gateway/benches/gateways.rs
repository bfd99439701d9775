//! Scale: one client process following 10,000 Device Gateways, one supervised alarm stream per
//! gateway, each gateway a simulator on its own loopback port in another process.
//!
//! Run with
//!
//! ```text
//! cargo bench -p hik-gateway --features sim --bench gateways
//! ```
//!
//! Options (after `--`, or as environment variables `SCALE_<NAME>`): `--gateways 10000`,
//! `--processes 10` (simulator processes, the gateways split evenly), `--base-port 20000` (the
//! gateways listen on `base-port .. base-port + gateways`, below Linux's ephemeral range so the
//! ports are free again when the simulators restart), `--idle-secs 60` (CPU sample while idle),
//! `--outage-secs 5` (how long the simulators stay killed), `--heartbeat-secs 10`.
//!
//! The bench binary is both sides: started with `SCALE_ROLE=simhost` it hosts a range of
//! simulated gateways (one [`Simulator`] each, default settings, one panel, 10 s heartbeats)
//! until its stdin closes. The driver (no `SCALE_ROLE`) starts the simulator processes, then
//! follows every gateway with its own [`Client`] and [`Client::subscribe`] stream, and prints:
//!
//! 1. the time until every stream is connected, and the client's resident memory (VmRSS,
//!    VmHWM from `/proc/self/status`);
//! 2. the client's CPU time while idle (utime + stime from `/proc/self/stat`) over
//!    `--idle-secs`, as a share of one core, and the heartbeats received meanwhile;
//! 3. a network cut: every simulator process is killed (SIGKILL), restarted on the same ports
//!    `--outage-secs` later, and the bench waits until every stream is connected again: the
//!    time from the cut and from the restart, the distribution of the reconnect instants after
//!    the restart (p50/p99/max), when each stream noticed the cut, the client's CPU time until
//!    every stream was back, and the largest number of connection attempts one gateway received
//!    within any 1 s, counted at the client twice: every `Connecting` of its stream, and every
//!    subscription request sent to it (a tower layer on its client's transport; Digest challenge
//!    rounds included).

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{Client, ConnectionState, Notification};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use watchpost_core::error::BoxError;
use watchpost_core::transport::tower::{Layer, Service};
use watchpost_core::transport::{HttpRequest, ServiceFuture, SharedService, TransportConfig};

const ROLE: &str = "SCALE_ROLE";

/// The bench's settings.
#[derive(Debug, Clone)]
struct Settings {
    gateways: u16,
    processes: u16,
    base_port: u16,
    idle_secs: u64,
    outage_secs: u64,
    heartbeat_secs: u64,
}

impl Settings {
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let get = |name: &str, default: u64| -> u64 {
            let flag = format!("--{name}");
            args.iter()
                .position(|a| *a == flag)
                .and_then(|i| args.get(i + 1))
                .cloned()
                .or_else(|| std::env::var(format!("SCALE_{}", name.replace('-', "_").to_uppercase())).ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let small = |v: u64| u16::try_from(v).unwrap_or(u16::MAX);
        Settings {
            gateways: small(get("gateways", 10_000)).max(1),
            processes: small(get("processes", 10)).max(1),
            base_port: small(get("base-port", 20_000)),
            idle_secs: get("idle-secs", 60),
            outage_secs: get("outage-secs", 5),
            heartbeat_secs: get("heartbeat-secs", 10),
        }
    }

    /// The first port and the number of gateways of simulator process `p`.
    fn range(&self, p: u16) -> (u16, u16) {
        let per = self.gateways.div_ceil(self.processes);
        let first = p.saturating_mul(per).min(self.gateways);
        let last = first.saturating_add(per).min(self.gateways);
        (self.base_port.saturating_add(first), last - first)
    }
}

/// Raises the soft open-file limit to the hard one; returns the limit in force.
fn raise_open_files() -> u64 {
    use rlimit::Resource;
    let Ok((soft, hard)) = rlimit::getrlimit(Resource::NOFILE) else { return 0 };
    if soft < hard {
        let _ = rlimit::setrlimit(Resource::NOFILE, hard, hard);
    }
    rlimit::getrlimit(Resource::NOFILE).map_or(soft, |(s, _)| s)
}

/// `VmRSS` and `VmHWM` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// utime + stime of this process, in clock ticks (`/proc/self/stat` fields 14 and 15).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, stime 15.
    let at = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    at(11) + at(12)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when it cannot be asked).
fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

// ---------------------------------------------------------------------------------------------
// The simulator host.

async fn simhost() {
    raise_open_files();
    let first: u16 = std::env::var("SCALE_FIRST_PORT").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let count: u16 = std::env::var("SCALE_COUNT").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let heartbeat = std::env::var("SCALE_HEARTBEAT_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let config = SimConfig::default().devices(1).heartbeat_interval(Duration::from_secs(heartbeat));
    let mut sims = Vec::with_capacity(usize::from(count));
    let mut out = tokio::io::stdout();
    for i in 0..count {
        let port = first.saturating_add(i);
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        match Simulator::builder().bind(addr).config(config.clone()).start().await {
            Ok(sim) => sims.push(sim),
            Err(e) => {
                let _ = out.write_all(format!("BINDFAIL {port} {e}\n").as_bytes()).await;
                let _ = out.flush().await;
                std::process::exit(1);
            }
        }
    }
    let _ = out.write_all(format!("READY {}\n", sims.len()).as_bytes()).await;
    let _ = out.flush().await;
    let mut rest = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut rest).await;
    let opened: u64 = sims.iter().map(Simulator::subscriptions_opened).sum();
    let most = sims.iter().map(Simulator::subscriptions_opened).max().unwrap_or(0);
    let _ =
        out.write_all(format!("STATS subscriptions opened {opened}, at most {most} on one gateway\n").as_bytes()).await;
    let _ = out.flush().await;
}

/// One simulator process of the driver.
struct Host {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// Starts the simulator processes and waits until every gateway listens.
async fn start_hosts(settings: &Settings) -> Result<Vec<Host>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut hosts = Vec::new();
    let mut readers = Vec::new();
    for p in 0..settings.processes {
        let (first, count) = settings.range(p);
        if count == 0 {
            continue;
        }
        let mut child = Command::new(&exe)
            .env(ROLE, "simhost")
            .env("SCALE_FIRST_PORT", first.to_string())
            .env("SCALE_COUNT", count.to_string())
            .env("SCALE_HEARTBEAT_SECS", settings.heartbeat_secs.to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start a simulator process: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        readers.push(BufReader::new(stdout).lines());
        let stdin = child.stdin.take();
        hosts.push(Host { child, stdin });
    }
    for lines in &mut readers {
        match lines.next_line().await {
            Ok(Some(line)) if line.starts_with("READY") => {}
            other => return Err(format!("a simulator process did not start: {other:?}")),
        }
    }
    // Keep reading their output (the final STATS line) in the background.
    for mut lines in readers {
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                println!("  simulator process: {line}");
            }
        });
    }
    Ok(hosts)
}

/// Kills every simulator process (as a network cut or a crash of every gateway would).
async fn kill_hosts(hosts: Vec<Host>) {
    for mut h in hosts {
        let _ = h.child.start_kill();
        let _ = h.child.wait().await;
    }
}

/// Ends the simulator processes cleanly (they print their figures).
async fn stop_hosts(hosts: Vec<Host>) {
    for mut h in hosts {
        drop(h.stdin.take());
        let _ = tokio::time::timeout(Duration::from_secs(10), h.child.wait()).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
}

// ---------------------------------------------------------------------------------------------
// The client side.

/// What one gateway's stream has seen.
#[derive(Default)]
struct Track {
    /// Every `Connecting` (one connection attempt each).
    connecting: Mutex<Vec<Instant>>,
    /// Every subscription request sent (`POST .../subscribeDeviceMgmt`, Digest challenge rounds
    /// and the pipeline's own retries included), seen by [`Tap`].
    requests: Arc<Mutex<Vec<Instant>>>,
    /// Every `Connected`.
    connected: Mutex<Vec<Instant>>,
    beats: AtomicU64,
    errors: AtomicU64,
    /// Error items by kind and class, with the instant of the first one after a mark.
    kinds: Mutex<Vec<(Instant, String)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Track {
    fn connected_since(&self, t: Instant) -> Option<Instant> {
        lock(&self.connected).iter().copied().find(|&c| c >= t)
    }

    /// The most `Connecting` instants since `t` within any window of `window`.
    fn most_attempts_within(&self, t: Instant, window: Duration) -> usize {
        let at: Vec<Instant> = lock(&self.connecting).iter().copied().filter(|&c| c >= t).collect();
        let mut most = 0;
        let mut start = 0;
        for (end, &instant) in at.iter().enumerate() {
            while at.get(start).is_some_and(|&s| instant.duration_since(s) >= window) {
                start += 1;
            }
            most = most.max(end + 1 - start);
        }
        most
    }

    fn attempts(&self, t: Instant) -> Vec<Instant> {
        lock(&self.connecting).iter().copied().filter(|&c| c >= t).collect()
    }

    fn attempts_since(&self, t: Instant) -> usize {
        lock(&self.connecting).iter().filter(|&&c| c >= t).count()
    }
}

/// A tower layer on one gateway's client that notes when each subscription request is sent.
#[derive(Clone)]
struct TapLayer(Arc<Mutex<Vec<Instant>>>);

impl Layer<SharedService> for TapLayer {
    type Service = Tap;
    fn layer(&self, inner: SharedService) -> Tap {
        Tap { inner, log: self.0.clone() }
    }
}

#[derive(Clone)]
struct Tap {
    inner: SharedService,
    log: Arc<Mutex<Vec<Instant>>>,
}

impl Service<HttpRequest> for Tap {
    type Response = watchpost_core::transport::HttpResponse;
    type Error = BoxError;
    type Future = ServiceFuture;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> ServiceFuture {
        if req.uri().path().ends_with("/subscribeDeviceMgmt") {
            lock(&self.log).push(Instant::now());
        }
        self.inner.call(req)
    }
}

/// The most instants of `at` (sorted) within any window of `window`.
fn busiest(at: &[Instant], window: Duration) -> usize {
    let (mut most, mut from) = (0, 0);
    for (i, &instant) in at.iter().enumerate() {
        while at.get(from).is_some_and(|&f| instant.duration_since(f) >= window) {
            from += 1;
        }
        most = most.max(i + 1 - from);
    }
    most
}

fn follow(client: Client, track: Arc<Track>) -> tokio::task::JoinHandle<()> {
    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
    tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            match item {
                Ok(Notification::Event(e)) if e.is_heartbeat() => {
                    track.beats.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Notification::State(ConnectionState::Connecting)) => lock(&track.connecting).push(Instant::now()),
                Ok(Notification::State(ConnectionState::Connected)) => lock(&track.connected).push(Instant::now()),
                Ok(_) => {}
                Err(e) => {
                    track.errors.fetch_add(1, Ordering::Relaxed);
                    lock(&track.kinds).push((Instant::now(), format!("{:?}/{}", e.kind(), e.class())));
                }
            }
        }
    })
}

/// Waits until every gateway has connected at or after `since` (or `limit` passed); returns
/// how many did.
async fn wait_all_connected(tracks: &[Arc<Track>], since: Instant, limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    loop {
        let n = tracks.iter().filter(|t| t.connected_since(since).is_some()).count();
        if n == tracks.len() || Instant::now() >= deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1).min(sorted.len() - 1)).copied().unwrap_or_default()
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

async fn driver(settings: Settings) -> Result<(), String> {
    let limit = raise_open_files();
    let tick = ticks_per_second();
    println!(
        "{} gateways in {} simulator processes (ports {}..{}), heartbeat {} s; client open-file limit {limit}",
        settings.gateways,
        settings.processes,
        settings.base_port,
        u32::from(settings.base_port) + u32::from(settings.gateways),
        settings.heartbeat_secs
    );
    let (rss0, _) = memory_kib();
    let t = Instant::now();
    let hosts = start_hosts(&settings).await?;
    println!("simulators listening after {}", secs(t.elapsed()));

    // One client per gateway, the SDK's defaults except a short pool idle time: the resync's
    // connection would otherwise stay pooled for 60 s beside the stream's, two descriptors per
    // gateway where the container allows 20,000 in all.
    let transport = TransportConfig { pool_idle_timeout: Duration::from_secs(2), ..TransportConfig::default() };
    let tracks: Vec<Arc<Track>> = (0..settings.gateways).map(|_| Arc::new(Track::default())).collect();
    let mut clients = Vec::with_capacity(usize::from(settings.gateways));
    for (g, track) in (0..settings.gateways).zip(&tracks) {
        let url = format!("http://127.0.0.1:{}", settings.base_port.saturating_add(g));
        let client = Client::builder()
            .base_url(url)
            .credentials("admin", "hik12345")
            .transport(transport.clone().layer(TapLayer(track.requests.clone())))
            .build()
            .map_err(|e| e.report().to_string())?;
        clients.push(client);
    }
    let (rss_clients, _) = memory_kib();
    println!(
        "{} clients built: VmRSS {:.1} MiB ({:.1} KiB per client)",
        clients.len(),
        mib(rss_clients),
        (rss_clients.saturating_sub(rss0)) as f64 / f64::from(settings.gateways)
    );

    let start = Instant::now();
    let tasks: Vec<_> = clients.into_iter().zip(&tracks).map(|(c, t)| follow(c, t.clone())).collect();
    let n = wait_all_connected(&tracks, start, Duration::from_secs(180)).await;
    println!("connected: {n} of {} after {}", tracks.len(), secs(start.elapsed()));
    if n < tracks.len() {
        kill_hosts(hosts).await;
        return Err("not every stream connected within 180 s".into());
    }
    // Let the resyncs and the opening burst settle, then one heartbeat period.
    tokio::time::sleep(Duration::from_secs(settings.heartbeat_secs.max(5) + 5)).await;
    let (rss, hwm) = memory_kib();
    println!(
        "memory after connecting: VmRSS {:.1} MiB, VmHWM {:.1} MiB ({:.1} KiB per gateway)",
        mib(rss),
        mib(hwm),
        rss as f64 / f64::from(settings.gateways)
    );

    // Idle: heartbeats only.
    let beats0: u64 = tracks.iter().map(|t| t.beats.load(Ordering::Relaxed)).sum();
    let errors0: u64 = tracks.iter().map(|t| t.errors.load(Ordering::Relaxed)).sum();
    let (cpu0, t0) = (cpu_ticks(), Instant::now());
    tokio::time::sleep(Duration::from_secs(settings.idle_secs)).await;
    let (cpu1, wall) = (cpu_ticks(), t0.elapsed());
    let beats1: u64 = tracks.iter().map(|t| t.beats.load(Ordering::Relaxed)).sum();
    let errors1: u64 = tracks.iter().map(|t| t.errors.load(Ordering::Relaxed)).sum();
    let cpu = Duration::from_secs_f64((cpu1 - cpu0) as f64 / tick as f64);
    println!(
        "idle {}: CPU {} = {:.2} % of one core; {} heartbeats ({:.0}/s), {} error items",
        secs(wall),
        secs(cpu),
        100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
        beats1 - beats0,
        (beats1 - beats0) as f64 / wall.as_secs_f64(),
        errors1 - errors0
    );
    let (rss, hwm) = memory_kib();
    println!("memory after idle: VmRSS {:.1} MiB, VmHWM {:.1} MiB", mib(rss), mib(hwm));

    // The cut: kill every simulator, restart them on the same ports after the outage.
    let cpu_cut = cpu_ticks();
    let cut = Instant::now();
    kill_hosts(hosts).await;
    println!("simulators killed in {}", secs(cut.elapsed()));
    tokio::time::sleep(Duration::from_secs(settings.outage_secs)).await;
    let restart = Instant::now();
    let hosts = start_hosts(&settings).await?;
    let listening = Instant::now();
    println!(
        "simulators restarted {} after the cut, listening {} later",
        secs(restart - cut),
        secs(listening - restart)
    );
    let n = wait_all_connected(&tracks, cut, Duration::from_secs(180)).await;
    let all = Instant::now();
    let cpu = Duration::from_secs_f64(cpu_ticks().saturating_sub(cpu_cut) as f64 / tick as f64);
    println!("client CPU from the cut until every stream was back: {}", secs(cpu));
    let mut after_restart: Vec<Duration> =
        tracks.iter().filter_map(|t| t.connected_since(cut)).map(|c| c.saturating_duration_since(restart)).collect();
    after_restart.sort_unstable();
    let most = tracks.iter().map(|t| t.most_attempts_within(cut, Duration::from_secs(1))).max().unwrap_or(0);
    let attempts: usize = tracks.iter().map(|t| t.attempts_since(cut)).sum();
    let most_total = tracks.iter().map(|t| t.attempts_since(cut)).max().unwrap_or(0);
    println!(
        "reconnected: {n} of {} — all {} after the cut, {} after the restart began",
        tracks.len(),
        secs(all - cut),
        secs(all.saturating_duration_since(restart))
    );
    println!(
        "reconnect instants after the restart: p50 {}, p99 {}, max {}",
        secs(percentile(&after_restart, 50.0)),
        secs(percentile(&after_restart, 99.0)),
        secs(percentile(&after_restart, 100.0))
    );
    println!(
        "connection attempts since the cut: {attempts} in all, at most {most_total} for one gateway; \
         at most {most} for one gateway within 1 s"
    );
    // Every gateway's attempts together: the busiest second, and the first 100 ms after the cut
    // (healthy streams re-subscribe at once).
    let mut every: Vec<Instant> = tracks.iter().flat_map(|t| t.attempts(cut)).collect();
    every.sort_unstable();
    // When each stream noticed the cut: its first attempt after it.
    let mut noticed: Vec<Duration> =
        tracks.iter().filter_map(|t| t.attempts(cut).first().map(|a| a.saturating_duration_since(cut))).collect();
    noticed.sort_unstable();
    println!(
        "cut noticed (first attempt after it): {} streams, p50 {}, p99 {}, max {}",
        noticed.len(),
        secs(percentile(&noticed, 50.0)),
        secs(percentile(&noticed, 99.0)),
        secs(percentile(&noticed, 100.0))
    );
    println!("attempts of all gateways together: at most {} within 1 s", busiest(&every, Duration::from_secs(1)));
    // The same at the HTTP level: every subscription request a gateway was sent.
    let mut most_requests = 0;
    let mut all_requests = Vec::new();
    for t in &tracks {
        let sent: Vec<Instant> = lock(&t.requests).iter().copied().filter(|&r| r >= cut).collect();
        most_requests = most_requests.max(busiest(&sent, Duration::from_secs(1)));
        all_requests.extend(sent);
    }
    all_requests.sort_unstable();
    println!(
        "subscription requests since the cut (Digest rounds and pipeline retries included): {} in all; \
         at most {most_requests} to one gateway within 1 s; at most {} to all gateways within 1 s",
        all_requests.len(),
        busiest(&all_requests, Duration::from_secs(1))
    );
    let (rss, hwm) = memory_kib();
    println!("memory after the reconnect: VmRSS {:.1} MiB, VmHWM {:.1} MiB", mib(rss), mib(hwm));
    let errors: u64 = tracks.iter().map(|t| t.errors.load(Ordering::Relaxed)).sum();
    println!("error items in all (reported in-band): {errors}");
    let mut by_kind = std::collections::BTreeMap::<String, usize>::new();
    let mut first_error: Vec<Duration> = Vec::new();
    for t in &tracks {
        let kinds = lock(&t.kinds);
        for (_, k) in kinds.iter().filter(|(at, _)| *at >= cut) {
            *by_kind.entry(k.clone()).or_default() += 1;
        }
        if let Some((at, _)) = kinds.iter().find(|(at, _)| *at >= cut) {
            first_error.push(at.saturating_duration_since(cut));
        }
    }
    first_error.sort_unstable();
    println!("error items since the cut by kind/class: {by_kind:?}");
    println!(
        "first error item after the cut: p50 {}, max {}",
        secs(percentile(&first_error, 50.0)),
        secs(percentile(&first_error, 100.0))
    );
    for t in tasks {
        t.abort();
    }
    stop_hosts(hosts).await;
    let _ = std::io::stdout().flush();
    if n < tracks.len() {
        return Err("not every stream reconnected within 180 s".into());
    }
    Ok(())
}

fn main() {
    let role = std::env::var(ROLE).unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let Ok(rt) = rt else {
        eprintln!("no tokio runtime");
        std::process::exit(2);
    };
    if role == "simhost" {
        rt.block_on(simhost());
        return;
    }
    if let Err(e) = rt.block_on(driver(Settings::from_args())) {
        eprintln!("scale bench failed: {e}");
        std::process::exit(1);
    }
}
