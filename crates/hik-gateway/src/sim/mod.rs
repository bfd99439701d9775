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
//! The generated router decodes every request (one that does not decode answers
//! `badParameters` or `badJsonFormat`) and calls the gateway's [`generated::Handlers`], named by
//! operation id, so [`Simulator::hits`] proves which operations a test exercised and
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
mod auth;
/// Generated from the spec: request decoders, the `Handlers` trait and its router.
pub mod generated;
mod handlers;
mod state;

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
pub use watchpost_core::sim::subscriptions::SubscriptionSpan;
use watchpost_core::sim::subscriptions::Subscriptions;
use watchpost_core::sim::{
    lock, BasicServer, DigestServer, HttpAuthConfig, HttpAuthServer, SimKit, SimSettings, StreamChunk,
};

pub use alarms::Raised;
pub use state::{PanelState, ZoneState};

use crate::cid::CidCode;

/// Which HTTP authentication the simulated gateway offers: the core's mode (the gateway itself
/// knows `Digest`, the default, `Basic` and `DigestOrBasic`).
pub use watchpost_core::sim::AuthMode as SimAuth;

/// The simulator's settings: plain data, every field has a default.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// HTTP authentication, as in the seed's example: Digest (or [`SimAuth`]) for user `admin`
    /// in realm `DS-GWAS0101(6419)` with password `hik12345` (it reproduces the `response` of
    /// the seed's Digest example, chapter 6), nonces fresh for 60 s. The lock-out: the 7th wrong
    /// password in a row (`max_failures` 7) locks the user for 30 minutes, as on Hikvision
    /// devices, so the first failure reports `retryTimes` 5 (the seed's example) counting down
    /// to 0 ("locked at the next authentication attempt", 3.1).
    pub http: HttpAuthConfig,
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

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            http: HttpAuthConfig { max_failures: 7, ..HttpAuthConfig::new("DS-GWAS0101(6419)", "admin", "hik12345") },
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

/// One setter per named field of [`SimConfig`] (`self.<field>`), of its [`HttpAuthConfig`]
/// (`self.http.<field>`, the setter named first), or of the builder's config (`self.config`).
macro_rules! config_setters {
    ($($field:ident: $ty:ty),*) => {$(
        #[doc = concat!("Sets [`SimConfig::", stringify!($field), "`].")]
        #[must_use]
        pub fn $field(mut self, value: $ty) -> Self { self.$field = value; self }
    )*};
    ($on:ident => $($setter:ident($field:ident): $ty:ty),*) => {$(
        #[doc = concat!("Sets [`HttpAuthConfig::", stringify!($field), "`].")]
        #[must_use]
        pub fn $setter(mut self, value: $ty) -> Self { self.$on.$field = value; self }
    )*};
    ($on:ident; $($field:ident: $ty:ty),*) => {$(
        #[doc = concat!("Sets [`SimConfig::", stringify!($field), "`].")]
        pub fn $field(mut self, value: $ty) -> Self { self.$on.$field = value; self }
    )*};
}

impl SimConfig {
    config_setters!(heartbeat_interval: Duration, devices: u32, max_devices: usize, video_size: usize);
    config_setters!(http => auth(mode): SimAuth, nonce_ttl(nonce_ttl): Duration, lock_duration(lock_duration): Duration);

    /// Sets the credentials.
    #[must_use]
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        (self.http.username, self.http.password) = (username.into(), password.into());
        self
    }

    fn layout(&self) -> (u32, u32, u32) {
        (self.partitions.max(1), self.zones_per_partition.max(1), self.relays)
    }
}

/// The simulated gateway behind the generated router: its state, subscriptions and alarm
/// sequence, shared by the handlers and the control API.
pub(crate) struct Shared {
    config: SimConfig,
    state: Arc<Mutex<state::GatewayState>>,
    subs: Mutex<Subscriptions<alarms::Filter>>,
    seq: AtomicU64,
}

/// A running simulated gateway. Dropping it shuts the server down in the background; call
/// [`shutdown`](Self::shutdown) to wait for it.
pub struct Simulator {
    kit: SimKit,
    shared: Arc<Shared>,
    auth: HttpAuthServer,
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
    config_setters!(config; devices: u32, heartbeat_interval: Duration);

    /// Sets [`HttpAuthConfig::mode`].
    pub fn auth(mut self, mode: SimAuth) -> Self {
        self.config.http.mode = mode;
        self
    }

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

    /// Starts the simulator.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let (config, settings) = (self.config, self.settings);
        let (auth, lock) = (config.http.server(settings.rng(2).u64(..)), config.http.lock_duration);
        let shared = Arc::new(Shared {
            state: Arc::new(Mutex::new(state::GatewayState::new(config.devices, config.layout(), config.max_devices))),
            // The seed's example subscription ID.
            subs: Mutex::new(Subscriptions::new(5939, config.stream_capacity)),
            seq: AtomicU64::new(0),
            config,
        });
        let video = shared.clone();
        let router = generated::router(shared.clone())
            .get("/HikGatewayStorage/{*file}", crate::ops::DOWNLOAD_VIDEO.id, move |req| {
                let video = video.clone();
                async move { video.download(&req) }
            })
            .layer(auth.layer(move |req, outcome| auth::refusal(req, outcome, lock)));
        let mut kit = SimKit::new(crate::VENDOR, crate::OPERATIONS, settings);
        kit.serve(router).await?;
        Ok(Simulator { kit, shared, auth })
    }
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

    watchpost_core::sim_kit_accessors!(kit, own_shutdown);

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
        &self.shared.config.http.username
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.shared.config.http.password
    }

    /// The Digest verifier (to expire nonces, count failures and stale challenges).
    pub fn digest(&self) -> &DigestServer {
        self.auth.digest()
    }

    /// The Basic verifier (its counters).
    pub fn basic(&self) -> &BasicServer {
        self.auth.basic()
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
        let partition = self
            .panel(dev_index)
            .and_then(|p| p.zones.iter().find(|z| z.zone.id == zone).map(|z| z.partition))
            .unwrap_or(0);
        self.shared.emit_cid(dev_index, code, partition, zone, if zone > 0 { 1 } else { 5 })
    }

    /// Stores a video file for `path_and_query` (served by the download URL).
    pub fn add_video(&self, path_and_query: &str, data: impl Into<Bytes>) {
        lock(&self.shared.state).videos.insert(path_and_query.to_owned(), data.into());
    }

    /// Sends a JSON document as one well-formed part to every live subscription.
    pub fn send_json_part(&self, value: &Value) -> usize {
        self.send_raw(alarms::json_part(value))
    }

    /// Sends raw bytes (a malformed part, a partial part...) to every live subscription.
    pub fn send_raw(&self, data: impl Into<Bytes>) -> usize {
        lock(&self.shared.subs).send_where(&data.into(), |_| true)
    }

    /// Sends a part whose JSON is broken (unterminated object) to every live subscription.
    pub fn inject_malformed_part(&self) -> usize {
        self.send_raw(alarms::part(
            br#"{"EventNotificationAlert":{"eventType":"CIDAlarm","CIDAlarm":{"CIDCode":"1130""#,
        ))
    }

    /// Cuts every alarm stream abruptly (the connection drops mid-body).
    pub fn cut_streams(&self) -> usize {
        lock(&self.shared.subs).control(StreamChunk::Cut, None)
    }

    /// Stalls every alarm stream: the connection stays open but nothing is sent, not even
    /// heartbeats; events raised meanwhile count as missed (not delivered).
    pub fn stall_streams(&self) -> usize {
        lock(&self.shared.subs).control(StreamChunk::Stall, Some(true))
    }

    /// Resumes stalled streams.
    pub fn resume_streams(&self) -> usize {
        lock(&self.shared.subs).control(StreamChunk::Resume, Some(false))
    }

    /// Ends every alarm stream cleanly.
    pub fn end_streams(&self) -> usize {
        lock(&self.shared.subs).control(StreamChunk::End, None)
    }

    /// Alarm streams open and not stalled.
    pub fn live_subscriptions(&self) -> usize {
        lock(&self.shared.subs).live()
    }

    /// Subscriptions opened since start.
    pub fn subscriptions_opened(&self) -> u64 {
        lock(&self.shared.subs).opened()
    }

    /// Every alarm subscription's open and close instants, from the gateway's side (the close is
    /// when the stream body went away: see [`SubscriptionSpan::closed`]).
    pub fn subscription_log(&self) -> Vec<SubscriptionSpan> {
        lock(&self.shared.subs).log().spans()
    }

    /// Stops the server (open streams end).
    pub async fn shutdown(&self) {
        self.end_streams();
        self.kit.shutdown().await;
    }
}
