//! The harness of the bridge's acceptance tests (chaos, leases, back-pressure): simulated
//! Device Gateways and Hik-Partner Pro keys in the test process, `watchpost bridge` instances as
//! child processes against a real `nats-server` with JetStream, and the checks, all taken from
//! the simulators' own records (subscription spans, MQ polls and commits) and from the stream
//! read back with async-nats, never from the bridge's word.
//!
//! Not every test uses every part.
#![allow(dead_code, clippy::missing_panics_doc, clippy::print_stdout)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt as _;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use watchpost::hikgw::sim::{SimConfig, Simulator as GatewaySim, SubscriptionSpan};
use watchpost::hikgw::CidCode;
use watchpost::hpp::models::mq::FormatType;
use watchpost::hpp::sim::{MqRecord, Simulator as HppSim};

/// The lease bucket and the stream the bridge uses by default.
pub const BUCKET: &str = "watchpost_bridge_leases";
/// The alarm stream's default name.
pub const STREAM: &str = "WATCHPOST_ALARMS";
/// The Device Gateway password (the simulator's default), passed to the bridge by environment.
const GW_PASSWORD_ENV: &str = "WP_CH_TEST_GW_PASSWORD";

/// Heartbeat interval of the simulated gateways' alarm streams. The simulator learns that a
/// client went away when it reads EOF (at once, when the kernel closes a dead process's socket)
/// or at the latest when its next write fails (a heartbeat); short heartbeats bound the
/// lateness of a recorded close (see `lease_spans.rs`).
pub const GW_HEARTBEAT: Duration = Duration::from_millis(250);

/// Locks, ignoring poisoning.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The simulated sources: `gw-NN` Device Gateways and `hpp-N` HPP keys.
pub struct Sources {
    /// (name, simulator) of each gateway.
    pub gateways: Vec<(String, GatewaySim)>,
    /// (name, app key, secret, simulator) of each HPP key.
    pub keys: Vec<(String, String, String, HppSim)>,
}

impl Sources {
    /// Starts `gateways` gateway simulators (one device each, heartbeats every
    /// [`GW_HEARTBEAT`]) and `keys` HPP simulators (each its own key; redelivery after 1 s, a
    /// consumer lease of 300 ms, long polls of 100 ms).
    pub async fn start(gateways: usize, keys: usize) -> Sources {
        let mut gws = Vec::new();
        for i in 0..gateways {
            let config = SimConfig::default().heartbeat_interval(GW_HEARTBEAT).devices(1);
            gws.push((format!("gw-{i:02}"), GatewaySim::start_with(config).await.expect("gateway simulator")));
        }
        let mut hpps = Vec::new();
        for i in 0..keys {
            let (key, secret) = (format!("ch-key-{i}"), format!("ch-secret-{i}-x9"));
            let sim = HppSim::builder().credentials(key.clone(), secret.clone()).start().await.expect("hpp simulator");
            sim.set_redelivery_delay(Duration::from_secs(1));
            sim.set_consumer_lease(Duration::from_millis(300));
            sim.set_long_poll(Duration::from_millis(100));
            hpps.push((format!("hpp-{i}"), key, secret, sim));
        }
        Sources { gateways: gws, keys: hpps }
    }

    /// Every source name.
    pub fn names(&self) -> Vec<String> {
        self.gateways.iter().map(|g| g.0.clone()).chain(self.keys.iter().map(|k| k.0.clone())).collect()
    }

    /// The environment the bridge resolves the secrets from.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![(GW_PASSWORD_ENV.to_owned(), SimConfig::default().http.password.clone())];
        env.extend(self.keys.iter().enumerate().map(|(i, k)| (format!("WP_CH_TEST_HPP_SECRET_{i}"), k.2.clone())));
        env
    }

    /// The bridge's TOML: NATS at `nats_url`, short leases (`renew_every`, `ttl`), the publish
    /// window `window`, retries capped at 1 s, and every source (secrets by `env:` reference).
    pub fn config(&self, nats_url: &str, renew_every: Duration, ttl: Duration, window: usize) -> String {
        let ms = |d: Duration| format!("{}ms", d.as_millis());
        let mut toml = format!(
            "[nats]\nurl = \"{nats_url}\"\n\n[publish]\nwindow = {window}\nretry_max = \"1s\"\n\n\
             [leases]\nrenew_every = \"{}\"\nttl = \"{}\"\n",
            ms(renew_every),
            ms(ttl)
        );
        for (name, sim) in &self.gateways {
            toml += &format!(
                "\n[[source]]\nkind = \"hik-gateway\"\nname = \"{name}\"\nbase_url = \"{}\"\nusername = \"{}\"\n\
                 password = \"env:{GW_PASSWORD_ENV}\"\n",
                sim.base_url(),
                sim.username()
            );
        }
        for (i, (name, key, _, sim)) in self.keys.iter().enumerate() {
            toml += &format!(
                "\n[[source]]\nkind = \"hpp\"\nname = \"{name}\"\napp_key = \"{key}\"\n\
                 app_secret = \"env:WP_CH_TEST_HPP_SECRET_{i}\"\nbase_url = \"{}\"\n",
                sim.base_url()
            );
        }
        toml
    }

    /// Whether every source is followed now: each gateway has one live subscription, each key
    /// was polled in the last second.
    pub fn all_followed(&self) -> bool {
        let gws = self.gateways.iter().all(|(_, s)| s.live_subscriptions() == 1);
        let recent = SystemTime::now() - Duration::from_secs(1);
        let keys = self.keys.iter().all(|k| {
            k.3.mq_log().0.iter().rev().any(|r| matches!(r, MqRecord::Poll { answered, .. } if *answered >= recent))
        });
        gws && keys
    }

    /// Waits (at most `limit`) until [`all_followed`](Self::all_followed).
    pub async fn wait_all_followed(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.all_followed() {
            assert!(Instant::now() < deadline, "not every source was followed within {limit:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// One alarm the test raised.
#[derive(Debug, Clone)]
pub struct RaisedAlarm {
    /// The source's name.
    pub source: String,
    /// What identifies it in the stream: the gateway's `UUID`, or the marker in an HPP alarm.
    pub token: String,
    /// When it was raised.
    pub at: SystemTime,
    /// Whether the simulator handed it on: sent to a live subscription (gateway), queued for
    /// the key's consumer (HPP).
    pub delivered: bool,
}

/// Raises alarm number `n` (0-based) of the run: every fifth goes to an HPP key (round robin
/// over the keys), the others to the gateways (round robin); without keys, all to gateways.
pub fn raise(sources: &Sources, n: usize) -> RaisedAlarm {
    let (gws, keys) = (sources.gateways.len(), sources.keys.len());
    let to_key = keys > 0 && (gws == 0 || n % 5 == 4);
    if !to_key {
        // The n-th alarm is the (n - n / 5)-th of the gateways when keys take every fifth.
        let ordinal = if keys > 0 { n - n / 5 } else { n };
        let (name, sim) = sources.gateways.get(ordinal % gws.max(1)).expect("a gateway");
        let device = sim.device_ids().into_iter().next().unwrap_or_default();
        let zone = u32::try_from(n % 16).unwrap_or(0) + 1;
        let raised = sim.raise_cid(&device, CidCode::from_code("1130"), zone);
        return RaisedAlarm {
            source: name.clone(),
            token: raised.uuid,
            at: SystemTime::now(),
            delivered: raised.delivered > 0,
        };
    }
    let (name, _, _, sim) = sources.keys.get((n / 5) % keys).expect("a key");
    let token = format!("wpseq{n}x");
    let data = json!({
        "deviceSerial": "Q12345678", "triggerTime": "2026-12-06T04:00:00", "eventType": "",
        "eventDescription": "CID event",
        "CIDEvent": { "code": 1103, "description": "", "system": 1, "systemName": "", "zone": 1, "userNo": 1,
            "userName": "test", "ipcChannel": 0, "channelSerial": "", "zoneName": token, "partitionNo": "",
            "ModNo": 1, "deviceNo": 1, "temp": 1, "longitude": "", "latitude": "", "evttype": "11",
            "isTalk": 1, "media": 3 }
    });
    let at = SystemTime::now();
    let delivered = sim.push_alarm("Q12345678", FormatType::Json, Value::String(data.to_string()));
    RaisedAlarm { source: name.clone(), token, at, delivered }
}

/// Raises `count` alarms (numbered from `first`) at `per_second`, on a task; the task's result
/// is the list.
pub fn raise_at_rate(
    sources: Arc<Sources>,
    first: usize,
    count: usize,
    per_second: f64,
) -> tokio::task::JoinHandle<Vec<RaisedAlarm>> {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now();
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            #[allow(clippy::cast_precision_loss)]
            let due = start + Duration::from_secs_f64(i as f64 / per_second);
            tokio::time::sleep_until(due).await;
            out.push(raise(&sources, first + i));
        }
        out
    })
}

/// A `watchpost bridge` child process.
pub struct Bridge {
    /// Its instance id.
    pub id: String,
    child: Child,
    /// Its HTTP endpoint.
    pub http: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Bridge {
    /// Starts `watchpost bridge --config <config> --instance-id <id> --http 127.0.0.1:0` with
    /// `env`, and waits (at most 60 s) for its `listening on http://ADDR` line.
    pub fn start(config: &Path, id: &str, env: &[(String, String)]) -> Bridge {
        let mut child = Command::new(env!("CARGO_BIN_EXE_watchpost"))
            .args(["bridge", "--config"])
            .arg(config)
            .args(["--instance-id", id, "--http", "127.0.0.1:0"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start watchpost bridge");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let keep = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(addr.trim().to_owned());
                }
                let mut lines = lock(&keep);
                if lines.len() >= 2000 {
                    lines.remove(0);
                }
                lines.push(line);
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("bridge {id} did not say where it listens; its log:\n{}", lock(&lines).join("\n"))
        });
        let http = addr.parse().unwrap_or_else(|e| panic!("bad address {addr:?}: {e}"));
        Bridge { id: id.to_owned(), child, http, lines }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills it with SIGKILL (no warning) and reaps it; the instant it was sent.
    pub fn kill(&mut self) -> SystemTime {
        let at = SystemTime::now();
        let _ = self.child.kill();
        let _ = self.child.wait();
        at
    }

    /// Sends SIGTERM and waits (at most 60 s) for the exit; the instant it was sent and the
    /// status.
    pub fn terminate(&mut self) -> (SystemTime, ExitStatus) {
        let at = SystemTime::now();
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (at, status);
            }
            assert!(
                Instant::now() < deadline,
                "bridge {} did not exit within 60 s of SIGTERM:\n{}",
                self.id,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its stderr so far (the last 2,000 lines).
    pub fn log(&self) -> String {
        lock(&self.lines).join("\n")
    }

    /// Its resident memory (`VmRSS` of /proc/<pid>/status), in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// `GET /metrics`, the body.
    pub async fn metrics(&self) -> Result<String, String> {
        http_get(self.http, "/metrics").await
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET on loopback; the body of a 200 answer.
pub async fn http_get(addr: SocketAddr, path: &str) -> Result<String, String> {
    let io = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(Duration::from_secs(10), io)
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no header end")?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(head.lines().next().unwrap_or_default().to_owned());
    }
    Ok(body.to_owned())
}

/// The values of metric `name` by its `source` label (or `""` without labels), from a
/// Prometheus text exposition.
pub fn metric(text: &str, name: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some(rest) = line.strip_prefix(name) else { continue };
        let (labels, value) = match rest.strip_prefix('{') {
            Some(r) => match r.split_once('}') {
                Some((labels, value)) => (labels, value),
                None => continue,
            },
            None if rest.starts_with(' ') => ("", rest),
            None => continue,
        };
        let source = labels
            .split(',')
            .find_map(|l| l.strip_prefix("source=\""))
            .map(|s| s.trim_end_matches('"').to_owned())
            .unwrap_or_default();
        if let Ok(v) = value.trim().parse::<f64>() {
            out.insert(source, v);
        }
    }
    out
}

/// A temporary directory holding the bridge's configuration file.
pub fn write_config(dir: &Path, toml: &str) -> PathBuf {
    let path = dir.join("bridge.toml");
    std::fs::write(&path, toml).expect("write the configuration");
    path
}

/// One alarm message read back from the stream.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The `Watchpost-Source` header.
    pub source: String,
    /// The `Nats-Msg-Id` header.
    pub msg_id: String,
    /// When the stream stored it (the server's `published` time).
    pub published: SystemTime,
    /// The identifying token found in its raw event (see [`RaisedAlarm::token`]).
    pub token: Option<String>,
}

/// The token of a stored alarm payload: the gateway's `UUID`, or an HPP marker `wpseq…x`,
/// searched through the JSON (and JSON held in strings).
fn find_token(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, v)| match v {
            Value::String(s) if k == "UUID" => Some(s.clone()),
            Value::String(s) if s.starts_with("wpseq") && s.ends_with('x') => Some(s.clone()),
            other => find_token(other),
        }),
        Value::Array(a) => a.iter().find_map(find_token),
        Value::String(s) if s.starts_with('{') => serde_json::from_str::<Value>(s).ok().as_ref().and_then(find_token),
        _ => None,
    }
}

/// Reads every alarm message of the stream (subjects `watchpost.alarms.>`), with a fresh
/// ephemeral pull consumer.
pub async fn read_alarms(nats_url: &str) -> Vec<Stored> {
    use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
    let client = async_nats::connect(nats_url).await.expect("connect to NATS");
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream(STREAM).await.expect("the alarm stream exists");
    let consumer = stream
        .create_consumer(pull::Config {
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::None,
            filter_subject: "watchpost.alarms.>".into(),
            ..Default::default()
        })
        .await
        .expect("create a consumer");
    let mut out = Vec::new();
    loop {
        let mut batch =
            consumer.fetch().max_messages(1000).expires(Duration::from_secs(1)).messages().await.expect("fetch");
        let mut got = 0usize;
        let mut pending = 0;
        while let Some(m) = batch.next().await {
            let m = m.expect("a message");
            got += 1;
            let info = m.info().expect("message info");
            pending = info.pending;
            let published = SystemTime::from(info.published);
            let header = |n: &str| m.headers.as_ref().and_then(|h| h.get(n)).map(|v| v.as_str().to_owned());
            let payload: Value = serde_json::from_slice(&m.payload).unwrap_or(Value::Null);
            out.push(Stored {
                source: header("Watchpost-Source").unwrap_or_default(),
                msg_id: header("Nats-Msg-Id").unwrap_or_default(),
                published,
                token: find_token(&payload),
            });
        }
        if got == 0 || pending == 0 {
            return out;
        }
    }
}

/// How the raised alarms ended up in the stream.
#[derive(Debug, Default)]
pub struct Delivery {
    /// Alarms the simulators handed on (see [`RaisedAlarm::delivered`]) that count.
    pub expected: usize,
    /// Of those, stored exactly once.
    pub once: usize,
    /// (source, token) stored more than once, with the count.
    pub duplicated: Vec<(String, String, usize)>,
    /// (source, token) never stored.
    pub missing: Vec<(String, String)>,
    /// Alarm messages that match no raised alarm (e.g. a resync's).
    pub unmatched: usize,
    /// Raised alarms that were not handed on (no live subscription at the instant), stored
    /// anyway (impossible) or not.
    pub not_delivered: usize,
}

/// Compares the raised alarms that count (`counts(alarm)`) with the stream.
pub fn compare(raised: &[RaisedAlarm], stored: &[Stored], counts: impl Fn(&RaisedAlarm) -> bool) -> Delivery {
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    let mut unmatched = 0;
    for s in stored {
        match &s.token {
            Some(t) => *by_key.entry((s.source.clone(), t.clone())).or_default() += 1,
            None => unmatched += 1,
        }
    }
    let mut d = Delivery { unmatched, ..Delivery::default() };
    for r in raised {
        if !r.delivered {
            d.not_delivered += 1;
            continue;
        }
        if !counts(r) {
            continue;
        }
        d.expected += 1;
        match by_key.get(&(r.source.clone(), r.token.clone())).copied().unwrap_or(0) {
            0 => d.missing.push((r.source.clone(), r.token.clone())),
            1 => d.once += 1,
            n => d.duplicated.push((r.source.clone(), r.token.clone(), n)),
        }
    }
    d
}

/// Pairs of intervals of one source that overlap: `(a, b)` with `a` still open when `b` opened.
/// `None` as an end means "still open".
pub fn overlaps(mut spans: Vec<(SystemTime, Option<SystemTime>)>) -> Vec<(usize, usize)> {
    spans.sort_by_key(|s| s.0);
    let mut out = Vec::new();
    for (i, a) in spans.iter().enumerate() {
        for (j, b) in spans.iter().enumerate().skip(i + 1) {
            if a.1.is_none_or(|end| end > b.0) {
                out.push((i, j));
            }
        }
    }
    out
}

/// The gateway spans as intervals.
pub fn gateway_intervals(spans: &[SubscriptionSpan]) -> Vec<(SystemTime, Option<SystemTime>)> {
    spans.iter().map(|s| (s.opened, s.closed)).collect()
}

/// Per HPP consumer, the interval it followed the key: from the start of its first poll to the
/// start of its last poll, refused polls included (a consumer that polls is trying to follow,
/// whether the platform lets it or not). Start instants, not answers: a long poll abandoned by
/// a consumer that stopped is still answered by the platform up to the long-poll time later,
/// and that answer goes nowhere.
pub fn consumer_intervals(log: &[MqRecord]) -> BTreeMap<u64, (SystemTime, SystemTime)> {
    let mut out: BTreeMap<u64, (SystemTime, SystemTime)> = BTreeMap::new();
    for r in log {
        let (consumer, at) = match r {
            MqRecord::Poll { consumer, started, .. } => (*consumer, *started),
            MqRecord::Refused { consumer, at } => (*consumer, *at),
            MqRecord::Commit { .. } => continue,
        };
        let e = out.entry(consumer).or_insert((at, at));
        e.0 = e.0.min(at);
        e.1 = e.1.max(at);
    }
    out
}

/// The first poll (answered or refused) that started at or after `after`.
pub fn first_poll_after(log: &[MqRecord], after: SystemTime) -> Option<SystemTime> {
    log.iter()
        .filter_map(|r| match r {
            MqRecord::Poll { started, .. } => Some(*started),
            MqRecord::Refused { at, .. } => Some(*at),
            MqRecord::Commit { .. } => None,
        })
        .filter(|t| *t >= after)
        .min()
}

/// The HPP markers of a committed batch's messages, with the commit instant.
pub fn commits(log: &[MqRecord]) -> Vec<(SystemTime, Vec<String>)> {
    log.iter()
        .filter_map(|r| match r {
            MqRecord::Commit { at, messages, .. } => Some((*at, messages.iter().filter_map(find_token).collect())),
            _ => None,
        })
        .collect()
}

/// The first instant at or after `after` a gateway span opened.
pub fn first_open_after(spans: &[SubscriptionSpan], after: SystemTime) -> Option<SystemTime> {
    spans.iter().map(|s| s.opened).filter(|o| *o >= after).min()
}

/// The span open at `at`.
pub fn span_at(spans: &[SubscriptionSpan], at: SystemTime) -> Option<&SubscriptionSpan> {
    spans.iter().find(|s| s.opened <= at && s.closed.is_none_or(|c| c > at))
}

/// Who holds each source's lease now (source name → instance id), read from the bucket.
pub async fn lease_holders(nats_url: &str) -> BTreeMap<String, String> {
    let client = async_nats::connect(nats_url).await.expect("connect to NATS");
    let js = async_nats::jetstream::new(client);
    let kv = js.get_key_value(BUCKET).await.expect("the lease bucket");
    let mut keys = kv.keys().await.expect("list the keys");
    let mut out = BTreeMap::new();
    while let Some(key) = keys.next().await {
        let Ok(key) = key else { continue };
        let Some(source) = key.strip_prefix("source.") else { continue };
        if let Ok(Some(v)) = kv.get(&key).await {
            out.insert(source.to_owned(), String::from_utf8_lossy(&v).into_owned());
        }
    }
    out
}

/// Milliseconds between two instants (negative when `b` is before `a`).
pub fn ms_between(a: SystemTime, b: SystemTime) -> i128 {
    match b.duration_since(a) {
        Ok(d) => i128::try_from(d.as_millis()).unwrap_or(i128::MAX),
        Err(e) => -i128::try_from(e.duration().as_millis()).unwrap_or(i128::MAX),
    }
}
