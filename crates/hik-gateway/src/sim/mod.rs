//! An in-process Hikvision Device Gateway (feature `sim`), built on the core simulator kit.
//!
//! [`Simulator::start`] serves every operation of the spec over loopback HTTP, as strictly as
//! the seed describes the gateway:
//!
//! - **Auth**: HTTP Digest (realm `DS-GWAS0101(6419)`, `qop="auth"`, MD5, nonces that go stale
//!   after [`SimConfig::nonce_ttl`] with a `stale=true` challenge) or Basic ([`SimAuth`]). A wrong
//!   password answers 401 with `JSON_ResponseStatus_AuthenticationFailed` (9.24): `retryTimes`
//!   counts down from 5 (the seed's example) to 0, and the next failure locks the user
//!   ("if the remaining attempts is 0, the user will be locked at the next authentication
//!   attempt", 3.1) for [`SimConfig::lock_duration`]. `userCheck` answers `JSON_UserCheck`.
//! - **State**: a gateway holding devices (add, delete, search, refresh), each with device
//!   information, time and time zone, network interfaces and IO; panels with partitions,
//!   zones, bypass, relays, sirens, repeaters and alarm state. Panel operations are reported on
//!   the alarm stream as CID events (3401 Arming, 1401 Disarming, 1406 Alarm Clearing, 1570
//!   Bypass...), as AX panels do.
//! - **Errors**: `JSON_ResponseStatus` with the codes of table A.2 (unknown devices, bad
//!   parameters, per-device subscription calls under `eventMode` all, arming a partition with a
//!   zone in alarm...), per-item outcomes for batches, `JSON_ErrorList` for relays.
//! - **Alarm stream**: `subscribeDeviceMgmt` opens an endless `multipart/mixed` body (first part
//!   `SubscribeDeviceMgmtRsp` with a numeric id from 5939, then events) with a heartbeat every
//!   [`SimConfig::heartbeat_interval`] (10 s); the control API raises `devStatusChanged`,
//!   `CIDAlarm` and `videoReview` events, injects raw or malformed parts, and cuts, stalls or
//!   resumes the streams. Video files are served for the `videoURL` of video reviews.
//!
//! Routes come from the generated [`OPERATIONS`](crate::OPERATIONS) table (route name =
//! operation id), so [`Simulator::hits`] proves which operations a test exercised and
//! [`Simulator::journal`] shows what was sent. [`Simulator::builder`] sets where it listens
//! ([`SimulatorBuilder::bind`], default `127.0.0.1:0`), the base URL it hands out
//! ([`SimulatorBuilder::advertise`]), a seed for its nonces, and the [`SimConfig`].
//!
//! ```
//! use hik_gateway::sim::Simulator;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::start().await?;
//! let client = sim.client_builder().build()?;
//! let check = client.login_check().await?;
//! assert!(check.is_authenticated());
//! // Two requests reached the route: the Digest challenge and the authenticated one.
//! assert_eq!(sim.hits("security.user_check"), 2);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod alarms;
/// Generated from the spec: request decoders, the `Handlers` trait and its router.
pub mod generated;
mod handlers;
mod state;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::header::WWW_AUTHENTICATE;
use serde_json::{json, Value};
use watchpost_core::operation::{Operation, ParamLocation};
use watchpost_core::sim::{
    BasicOutcome, BasicServer, DigestConfig, DigestOutcome, DigestServer, Faults, Journal, Router, SimKit, SimRequest,
    SimResponse, SimSettings, StreamChunk,
};

pub use state::{PanelState, PartitionState, RelayState, ZoneState};

use crate::cid::{CidCode, CidQualifier};
use crate::error::SubStatus;
use crate::models::{EventKind, ResponseStatus, ZoneStatus};

/// Locks a mutex, ignoring poisoning (a panicking handler must not wedge the simulator).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which HTTP authentication the simulated gateway offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SimAuth {
    /// Digest only. Default.
    #[default]
    Digest,
    /// Basic only.
    Basic,
    /// Both challenges; the client picks.
    DigestOrBasic,
}

/// The simulator's settings: plain data, every field has a default.
#[derive(Clone)]
pub struct SimConfig {
    /// The user name, as in the seed's example. Default is `admin`.
    pub username: String,
    /// The password; `hik12345` reproduces the `response` of the seed's Digest example (chapter
    /// 6). Default is `hik12345`.
    pub password: String,
    /// The Digest realm, as in the seed's example. Default is `DS-GWAS0101(6419)`.
    pub realm: String,
    /// The authentication offered. Default is Digest.
    pub auth: SimAuth,
    /// How long a Digest nonce stays fresh. Default is 60 s.
    pub nonce_ttl: Duration,
    /// Wrong passwords answered with attempts left before the next one locks the user: the
    /// first failure reports `retryTimes` = this − 1 (5 as in the seed's example, counting down
    /// to 0; the 7th wrong password locks). Default is 6.
    pub max_auth_failures: u32,
    /// How long a locked user stays locked, as on Hikvision devices. Default is 30 minutes.
    pub lock_duration: Duration,
    /// Heartbeat interval of the alarm stream (6.1 step 4). Default is 10 s.
    pub heartbeat_interval: Duration,
    /// Security control panels present at start. Default is 2.
    pub devices: u32,
    /// Partitions per panel. Default is 4.
    pub partitions: u32,
    /// Zones per partition. Default is 4.
    pub zones_per_partition: u32,
    /// Relays per panel. Default is 4.
    pub relays: u32,
    /// The most devices the gateway accepts (`monitorNodeOverLimit` beyond). Default is 256.
    pub max_devices: usize,
    /// Chunks a subscription may have queued before events are dropped for it. Default is 8192.
    pub stream_capacity: usize,
    /// Size of the video files of video reviews. Default is 256 KiB.
    pub video_size: usize,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("username", &self.username)
            .field("password", &"***")
            .field("realm", &self.realm)
            .field("auth", &self.auth)
            .field("devices", &self.devices)
            .finish_non_exhaustive()
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            username: "admin".to_owned(),
            password: "hik12345".to_owned(),
            realm: "DS-GWAS0101(6419)".to_owned(),
            auth: SimAuth::Digest,
            nonce_ttl: Duration::from_secs(60),
            max_auth_failures: 6,
            lock_duration: Duration::from_secs(30 * 60),
            heartbeat_interval: Duration::from_secs(10),
            devices: 2,
            partitions: 4,
            zones_per_partition: 4,
            relays: 4,
            max_devices: 256,
            stream_capacity: 8192,
            video_size: 256 * 1024,
        }
    }
}

impl SimConfig {
    /// Sets the credentials.
    #[must_use]
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = username.into();
        self.password = password.into();
        self
    }

    /// Sets [`SimConfig::auth`].
    #[must_use]
    pub fn auth(mut self, auth: SimAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets [`SimConfig::nonce_ttl`].
    #[must_use]
    pub fn nonce_ttl(mut self, ttl: Duration) -> Self {
        self.nonce_ttl = ttl;
        self
    }

    /// Sets [`SimConfig::max_auth_failures`].
    #[must_use]
    pub fn max_auth_failures(mut self, n: u32) -> Self {
        self.max_auth_failures = n;
        self
    }

    /// Sets [`SimConfig::lock_duration`].
    #[must_use]
    pub fn lock_duration(mut self, d: Duration) -> Self {
        self.lock_duration = d;
        self
    }

    /// Sets [`SimConfig::heartbeat_interval`].
    #[must_use]
    pub fn heartbeat_interval(mut self, d: Duration) -> Self {
        self.heartbeat_interval = d;
        self
    }

    /// Sets [`SimConfig::devices`].
    #[must_use]
    pub fn devices(mut self, n: u32) -> Self {
        self.devices = n;
        self
    }

    /// Sets [`SimConfig::max_devices`].
    #[must_use]
    pub fn max_devices(mut self, n: usize) -> Self {
        self.max_devices = n;
        self
    }

    /// Sets [`SimConfig::video_size`].
    #[must_use]
    pub fn video_size(mut self, bytes: usize) -> Self {
        self.video_size = bytes;
        self
    }

    fn layout(&self) -> (u32, u32, u32) {
        (self.partitions.max(1), self.zones_per_partition.max(1), self.relays)
    }
}

/// What raising an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    /// How many live subscriptions (open, not stalled, interested) the event was sent to.
    pub delivered: usize,
    /// The event's `UUID` (the simulator's alarm sequence number), for matching.
    pub uuid: String,
}

/// State shared by the handlers and the control API.
pub(crate) struct Shared {
    config: SimConfig,
    state: Mutex<state::GatewayState>,
    subs: Mutex<alarms::Subscriptions>,
    seq: AtomicU64,
}

impl Shared {
    fn now(&self, dev: Option<&state::DeviceState>) -> crate::IsoDateTime {
        match dev {
            Some(d) => handlers::local_time(d.clock_skew, d.utc_offset),
            None => {
                let s = lock(&self.state);
                handlers::local_time(s.clock_skew, s.utc_offset)
            }
        }
    }

    /// Sends an event of `kind` about `dev` to the interested live subscriptions.
    fn deliver(&self, dev: &str, kind: &EventKind, event: &Value) -> usize {
        let part = alarms::json_part(event);
        lock(&self.subs).deliver(dev, kind, &part)
    }

    fn common(&self, d: &state::DeviceState, event_type: &str, description: &str) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("channelID".into(), json!("1"));
        m.insert("dateTime".into(), json!(self.now(Some(d)).as_str()));
        m.insert("activePostCount".into(), json!(1));
        m.insert("eventType".into(), json!(event_type));
        m.insert("eventState".into(), json!("active"));
        m.insert("eventDescription".into(), json!(description));
        m.insert("devIndex".into(), json!(d.dev_index));
        m.insert("channelName".into(), json!(d.info.device_name.clone().unwrap_or_default()));
        m.insert("deviceID".into(), json!(d.ehome_id));
        m
    }

    fn cid_body(
        &self,
        d: &state::DeviceState,
        code: &CidCode,
        partition: u32,
        zone: u32,
        cid_type: u32,
        uuid: &str,
    ) -> Value {
        let local = self.now(Some(d));
        let t = local.as_str().get(..19).unwrap_or_default().replace('T', " ");
        json!({
            "subSys": partition,
            "zoneNo": zone,
            "CIDCode": code.code(),
            "CIDType": cid_type,
            "CIDDescribe": code.description().unwrap_or("unknown"),
            "timeZoneIdx": 0,
            "triggerTime": t,
            "uploadTime": t,
            "CIDParam": format!("2,1,{},-1,-1,-1,-1,{}", if zone == 0 { -1 } else { i64::from(zone) }, self.config.username),
            "UUID": uuid,
        })
    }

    /// Raises a CID event (also used by the panel operations).
    pub(crate) fn emit_cid(&self, dev: &str, code: CidCode, partition: u32, zone: u32, cid_type: u32) -> Raised {
        let uuid = (self.seq.fetch_add(1, Ordering::Relaxed) + 1).to_string();
        let event = {
            let mut s = lock(&self.state);
            let Some(d) = s.devices.get_mut(dev) else { return Raised { delivered: 0, uuid } };
            if !d.online {
                return Raised { delivered: 0, uuid };
            }
            if let (Some(p), true) = (d.panel.as_mut(), zone > 0 && cid_type == 1) {
                if let Some(z) = p.zones.iter_mut().find(|z| z.id == zone) {
                    match code.qualifier() {
                        Some(CidQualifier::Trigger) => {
                            z.alarm = true;
                            z.status = ZoneStatus::Trigger;
                            let pid = z.partition;
                            if let Some(part) = p.partitions.iter_mut().find(|x| x.id == pid) {
                                part.alarm = true;
                            }
                        }
                        Some(CidQualifier::Restore) => z.status = ZoneStatus::Online,
                        None => {}
                    }
                }
            }
            let d = &*d;
            let mut m = self.common(d, "CIDAlarm", "CID event");
            m.insert("CIDAlarm".into(), self.cid_body(d, &code, partition, zone, cid_type, &uuid));
            json!({ "EventNotificationAlert": Value::Object(m) })
        };
        Raised { delivered: self.deliver(dev, &EventKind::CidAlarm, &event), uuid }
    }
}

/// A running simulated gateway. Dropping it shuts the server down in the background; call
/// [`shutdown`](Self::shutdown) to wait for it.
pub struct Simulator {
    kit: SimKit,
    shared: Arc<Shared>,
    digest: DigestServer,
    basic: BasicServer,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator").field("base_url", &self.kit.base_url()).finish_non_exhaustive()
    }
}

/// Where and how a [`Simulator`] starts: the kit's settings (bind, advertise, seed, clock) and
/// the gateway's [`SimConfig`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    config: SimConfig,
    settings: SimSettings,
}

impl SimulatorBuilder {
    watchpost_core::sim_settings_setters!(settings);

    /// The whole gateway configuration.
    pub fn config(mut self, config: SimConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the credentials (see [`SimConfig::credentials`]).
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.config = self.config.credentials(username, password);
        self
    }

    /// Sets [`SimConfig::auth`].
    pub fn auth(mut self, auth: SimAuth) -> Self {
        self.config.auth = auth;
        self
    }

    /// Sets [`SimConfig::devices`].
    pub fn devices(mut self, n: u32) -> Self {
        self.config.devices = n;
        self
    }

    /// Sets [`SimConfig::heartbeat_interval`].
    pub fn heartbeat_interval(mut self, d: Duration) -> Self {
        self.config.heartbeat_interval = d;
        self
    }

    /// Starts the simulator.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> std::io::Result<Simulator> {
        Simulator::start_in(self.config, self.settings).await
    }
}

/// The route template of an operation: its path with a `devIndex` constraint for per-device
/// operations (so they win over the gateway operation of the same path), or the video store.
fn route_template(op: &Operation) -> String {
    if op.path == "{video_url}" {
        return "/HikGatewayStorage/{*file}".to_owned();
    }
    let mut t = op.path.to_owned();
    for p in op.params.iter().filter(|p| p.location == ParamLocation::Query && p.required) {
        t.push(if t.contains('?') { '&' } else { '?' });
        t.push_str(&format!("{}={{{}}}", p.wire, p.name));
    }
    t
}

impl Simulator {
    /// Starts a simulator with the builder's defaults: the default [`SimConfig`] on
    /// `127.0.0.1:0`.
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub async fn start() -> std::io::Result<Simulator> {
        Self::builder().start().await
    }

    /// Settings for a simulator.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// Starts a simulator with `config` (and the builder's other defaults).
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub async fn start_with(config: SimConfig) -> std::io::Result<Simulator> {
        Self::builder().config(config).start().await
    }

    async fn start_in(config: SimConfig, settings: SimSettings) -> std::io::Result<Simulator> {
        let digest = DigestServer::new(
            DigestConfig::new(config.realm.clone())
                .user(config.username.clone(), config.password.clone())
                .nonce_ttl(config.nonce_ttl)
                .max_failures(config.max_auth_failures.saturating_add(1))
                .lock_duration(config.lock_duration)
                .seed(settings.rng(2).u64(..)),
        );
        let basic = BasicServer::new(&config.realm, [(config.username.clone(), config.password.clone())]);
        let shared = Arc::new(Shared {
            state: Mutex::new(state::GatewayState::new(config.devices, config.layout(), config.max_devices)),
            subs: Mutex::new(alarms::Subscriptions::new()),
            seq: AtomicU64::new(0),
            config,
        });
        let mut router = Router::new();
        for op in crate::OPERATIONS.iter().copied() {
            let template = route_template(op);
            let shared = shared.clone();
            let id = op.id;
            router = if id == "event.subscribe" {
                router.route(op.method.clone(), &template, id, move |req| {
                    let shared = shared.clone();
                    async move { handlers::subscribe(&shared, &req) }
                })
            } else {
                router.route(op.method.clone(), &template, id, move |req| {
                    let shared = shared.clone();
                    async move { handlers::handle(&shared, id, &req) }
                })
            };
        }
        let auth = (shared.clone(), digest.clone(), basic.clone());
        router = router.layer(move |req| check_auth(&auth.0, &auth.1, &auth.2, req));
        let mut kit = SimKit::new(crate::VENDOR, crate::OPERATIONS, settings);
        kit.serve(router).await?;
        Ok(Simulator { kit, shared, digest, basic })
    }

    /// The advertised base URL (default `http://127.0.0.1:<port>`).
    pub fn base_url(&self) -> String {
        self.kit.base_url()
    }

    /// The address the simulator is bound to (its primary host), whatever it advertises.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.kit.local_addr().unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// A client builder for this simulator: its base URL and credentials.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        crate::Client::builder().base_url(self.base_url()).credentials(self.username(), self.password())
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.shared.config.username
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.shared.config.password
    }

    /// The fault controls of the kit (latency, canned failures, resets, truncation), for any
    /// request or one operation (`faults().on(&ops::X)`).
    pub fn faults(&self) -> Faults {
        self.kit.faults()
    }

    /// Every request received so far (operation, method, path and query, redacted headers,
    /// body, status, who answered).
    pub fn journal(&self) -> Journal {
        self.kit.journal()
    }

    /// The Digest verifier (to expire nonces, count failures and stale challenges).
    pub fn digest(&self) -> &DigestServer {
        &self.digest
    }

    /// The Basic verifier (its counters).
    pub fn basic(&self) -> &BasicServer {
        &self.basic
    }

    /// Requests served for an operation id.
    pub fn hits(&self, op_id: &str) -> u64 {
        self.kit.hits(op_id)
    }

    /// Operation ids that no request reached yet.
    pub fn unhit_operations(&self) -> Vec<&'static str> {
        self.kit.unhit_operations()
    }

    /// Requests served in total.
    pub fn requests_total(&self) -> u64 {
        self.kit.requests_total()
    }

    /// The IDs of the devices on the gateway, in the order they were added.
    pub fn device_ids(&self) -> Vec<String> {
        lock(&self.shared.state).order.clone()
    }

    /// A snapshot of a panel's state.
    pub fn panel(&self, dev_index: &str) -> Option<PanelState> {
        lock(&self.shared.state).devices.get(dev_index).and_then(|d| d.panel.clone())
    }

    /// Whether a device is online.
    pub fn is_online(&self, dev_index: &str) -> Option<bool> {
        lock(&self.shared.state).devices.get(dev_index).map(|d| d.online)
    }

    /// Reboots requested so far (`None` = the gateway itself).
    pub fn reboots(&self) -> Vec<Option<String>> {
        lock(&self.shared.state).reboots.clone()
    }

    /// Raises a CID alarm of a panel (`CIDType` 1, zone alarm, for a zone > 0; 5, exception,
    /// otherwise). A trigger code puts the zone and its partition in alarm.
    pub fn raise_cid(&self, dev_index: &str, code: CidCode, zone: u32) -> Raised {
        let partition =
            self.panel(dev_index).and_then(|p| p.zones.iter().find(|z| z.id == zone).map(|z| z.partition)).unwrap_or(0);
        self.shared.emit_cid(dev_index, code, partition, zone, if zone > 0 { 1 } else { 5 })
    }

    /// Takes a device online or offline and raises `devStatusChanged` (sent even for offline:
    /// the gateway reports it).
    pub fn raise_dev_status(&self, dev_index: &str, online: bool) -> Raised {
        let uuid = (self.shared.seq.fetch_add(1, Ordering::Relaxed) + 1).to_string();
        let event = {
            let mut s = lock(&self.shared.state);
            let Some(d) = s.devices.get_mut(dev_index) else { return Raised { delivered: 0, uuid } };
            d.online = online;
            let d = &*d;
            let mut m = self.shared.common(d, "devStatusChanged", "device status about online or offline changed");
            m.insert("status".into(), json!(if online { "online" } else { "offline" }));
            json!({ "EventNotificationAlert": Value::Object(m) })
        };
        Raised { delivered: self.shared.deliver(dev_index, &EventKind::DevStatusChanged, &event), uuid }
    }

    /// Raises a video verification alarm (`videoReview`) and stores its video file; returns
    /// what happened and the `videoURL`.
    pub fn raise_video_review(&self, dev_index: &str, code: CidCode, zone: u32) -> (Raised, String) {
        let uuid = (self.shared.seq.fetch_add(1, Ordering::Relaxed) + 1).to_string();
        let Some(d) = lock(&self.shared.state).devices.get(dev_index).cloned() else {
            return (Raised { delivered: 0, uuid }, String::new());
        };
        let local = self.shared.now(Some(&d));
        let stamp: String = local.as_str().chars().filter(char::is_ascii_digit).take(14).collect();
        let hash =
            hex::encode(<md5::Md5 as md5::Digest>::digest(format!("{dev_index}/{uuid}").as_bytes())).to_uppercase();
        let url = format!("/HikGatewayStorage/pic?{hash}Q{:08}_CH02_{stamp}.mp4", uuid.parse::<u64>().unwrap_or(0));
        let size = self.shared.config.video_size;
        let video: Vec<u8> = (0..size).map(|i| (i as u64).wrapping_mul(2_654_435_761).to_le_bytes()[1]).collect();
        lock(&self.shared.state).videos.insert(url.clone(), Bytes::from(video));
        let partition =
            d.panel.as_ref().and_then(|p| p.zones.iter().find(|z| z.id == zone).map(|z| z.partition)).unwrap_or(0);
        let mut params = self.shared.cid_body(&d, &code, partition, zone, 2, &uuid);
        if let Value::Object(m) = &mut params {
            // 9.14 spells the zone `ZoneNo` here.
            if let Some(z) = m.remove("zoneNo") {
                m.insert("ZoneNo".into(), z);
            }
            m.insert("videoURL".into(), json!(url));
        }
        let mut m = self.shared.common(&d, "videoReview", "video review");
        m.insert("VideoReview".into(), json!({"HikCIDParams": params, "protocolType": "HikCIDProtocol"}));
        let event = json!({ "EventNotificationAlert": Value::Object(m) });
        let delivered = if d.online { self.shared.deliver(dev_index, &EventKind::VideoReview, &event) } else { 0 };
        (Raised { delivered, uuid }, url)
    }

    /// Stores a video file for `path_and_query` (served by the download URL).
    pub fn add_video(&self, path_and_query: &str, data: impl Into<Bytes>) {
        lock(&self.shared.state).videos.insert(path_and_query.to_owned(), data.into());
    }

    /// Sends a JSON document as one well-formed part to every live subscription.
    pub fn send_json_part(&self, value: &Value) -> usize {
        lock(&self.shared.subs).broadcast(&alarms::json_part(value))
    }

    /// Sends raw bytes (a malformed part, a partial part...) to every live subscription.
    pub fn send_raw(&self, data: impl Into<Bytes>) -> usize {
        lock(&self.shared.subs).broadcast(&data.into())
    }

    /// Sends a part whose JSON is broken (unterminated object) to every live subscription.
    pub fn inject_malformed_part(&self) -> usize {
        self.send_raw(alarms::part(
            br#"{"EventNotificationAlert":{"eventType":"CIDAlarm","CIDAlarm":{"CIDCode":"1130""#,
        ))
    }

    /// Cuts every alarm stream abruptly (the connection drops mid-body).
    pub fn cut_streams(&self) -> usize {
        let mut subs = lock(&self.shared.subs);
        let n = subs.control(StreamChunk::Cut, |_| {});
        subs.by_id.clear();
        n
    }

    /// Stalls every alarm stream: the connection stays open but nothing is sent, not even
    /// heartbeats; events raised meanwhile count as missed (not delivered).
    pub fn stall_streams(&self) -> usize {
        lock(&self.shared.subs).control(StreamChunk::Stall, |s| s.stalled = true)
    }

    /// Resumes stalled streams.
    pub fn resume_streams(&self) -> usize {
        lock(&self.shared.subs).control(StreamChunk::Resume, |s| s.stalled = false)
    }

    /// Ends every alarm stream cleanly.
    pub fn end_streams(&self) -> usize {
        let mut subs = lock(&self.shared.subs);
        let n = subs.control(StreamChunk::End, |_| {});
        subs.by_id.clear();
        n
    }

    /// Alarm streams open and not stalled.
    pub fn live_subscriptions(&self) -> usize {
        lock(&self.shared.subs).live()
    }

    /// Subscriptions opened since start.
    pub fn subscriptions_opened(&self) -> u64 {
        lock(&self.shared.subs).opened
    }

    /// Stops the server (open streams end).
    pub async fn shutdown(&self) {
        self.end_streams();
        self.kit.shutdown().await;
    }
}

/// The 401 document of a failed authentication (9.24), or `JSON_UserCheck` (9.33) for the
/// login check. A rejection (`retries_left` or `locked_for` set) carries every lock-out member
/// the seed documents, locked or not: 9.24 `lockStatus`, `retryTimes`, `resLockTime` (as in the
/// seed's example, the lock duration while still unlocked); 9.33 `lockStatus`,
/// `retryLoginTime`, `unlockTime`. A bare challenge (no credentials sent) carries none.
fn auth_failure(
    route: &str,
    url: String,
    retries_left: Option<u32>,
    locked_for: Option<Duration>,
    lock_duration: Duration,
) -> SimResponse {
    if route == "security.user_check" {
        let mut check = json!({"statusValue": 401, "statusString": "Unauthorized"});
        if let Some(d) = locked_for {
            check["lockStatus"] = json!("locked");
            check["unlockTime"] = json!(d.as_secs());
            check["retryLoginTime"] = json!(0);
        } else if let Some(r) = retries_left {
            check["lockStatus"] = json!("unlocked");
            check["unlockTime"] = json!(lock_duration.as_secs());
            check["retryLoginTime"] = json!(r);
        }
        return SimResponse::json(401, &json!({ "userCheck": check }));
    }
    let mut s = ResponseStatus::failure(url, SubStatus::BadAuthorization);
    s.error_msg = Some("authentication failed".to_owned());
    match (retries_left, locked_for) {
        (_, Some(d)) => {
            s.lock_status = Some(crate::models::AuthLockStatus::Lock);
            s.retry_times = Some(0);
            s.res_lock_time = Some(d.as_secs());
        }
        (Some(r), None) => {
            s.lock_status = Some(crate::models::AuthLockStatus::Unlock);
            s.retry_times = Some(r);
            s.res_lock_time = Some(lock_duration.as_secs());
        }
        (None, None) => s.error_msg = Some("authentication required".to_owned()),
    }
    // 9.24 writes errorCode as a hex literal; real gateways send a number.
    SimResponse::json(401, &s)
}

/// The auth middleware: `None` lets the request through.
fn check_auth(
    shared: &Shared,
    digest: &DigestServer,
    basic: &BasicServer,
    req: &mut SimRequest,
) -> Option<SimResponse> {
    let config = &shared.config;
    let url = req.path_and_query();
    let route = req.route;
    let is_basic = req
        .header("authorization")
        .is_some_and(|a| a.trim_start().get(..6).is_some_and(|p| p.eq_ignore_ascii_case("basic ")));
    let basic_challenge = format!("Basic realm=\"{}\"", config.realm);
    let use_basic = match config.auth {
        SimAuth::Basic => true,
        SimAuth::Digest => false,
        SimAuth::DigestOrBasic => is_basic,
    };
    if use_basic {
        return match basic.check(req) {
            BasicOutcome::Authorized { .. } => None,
            BasicOutcome::Challenge { www_authenticate } => Some(
                auth_failure(route, url, None, None, config.lock_duration).header(WWW_AUTHENTICATE, www_authenticate),
            ),
            BasicOutcome::Rejected { www_authenticate, .. } => Some(
                auth_failure(route, url, Some(config.max_auth_failures.saturating_sub(1)), None, config.lock_duration)
                    .header(WWW_AUTHENTICATE, www_authenticate),
            ),
        };
    }
    let both = config.auth == SimAuth::DigestOrBasic;
    let resp = match digest.check(req) {
        DigestOutcome::Authorized { .. } => return None,
        DigestOutcome::Challenge { www_authenticate, .. } => {
            auth_failure(route, url, None, None, config.lock_duration).header(WWW_AUTHENTICATE, www_authenticate)
        }
        DigestOutcome::Rejected { retries_left, www_authenticate, .. } => {
            // The kit counts failures until the lock; the seed reports attempts left before
            // the *next* failure locks (3.1): one fewer.
            let locked = (retries_left == 0).then_some(config.lock_duration);
            auth_failure(route, url, Some(retries_left.saturating_sub(1)), locked, config.lock_duration)
                .header(WWW_AUTHENTICATE, www_authenticate)
        }
        DigestOutcome::Locked { unlock_in, www_authenticate, .. } => {
            auth_failure(route, url, Some(0), Some(unlock_in), config.lock_duration)
                .header(WWW_AUTHENTICATE, www_authenticate)
        }
    };
    Some(if both { resp.header(WWW_AUTHENTICATE, basic_challenge) } else { resp })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates_constrain_per_device_operations() {
        let t: Vec<(String, &str)> = crate::OPERATIONS.iter().map(|op| (route_template(op), op.id)).collect();
        let find = |id: &str| t.iter().find(|(_, i)| *i == id).map(|(t, _)| t.clone()).unwrap();
        assert_eq!(find("gateway.device_info.get"), "/ISAPI/System/deviceInfo?format=json");
        assert_eq!(find("device.info.get"), "/ISAPI/System/deviceInfo?format=json&devIndex={dev_index}");
        assert_eq!(find("device.time_zone.get"), "/ISAPI/System/time/timeZone?devIndex={dev_index}");
        assert_eq!(
            find("security_cp.arm"),
            "/ISAPI/SecurityCP/control/arm/{id}?ways={ways}&format=json&devIndex={dev_index}"
        );
        assert_eq!(find("video.download"), "/HikGatewayStorage/{*file}");
        assert_eq!(find("devices.add"), "/ISAPI/ContentMgmt/DeviceMgmt/addDevice?format=json");
    }

    #[test]
    fn fixture_uuids_are_hyphenated_and_stable() {
        let a = state::uuid_from("x");
        assert_eq!(a, state::uuid_from("x"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }
}
