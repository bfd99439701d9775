//! A simulated Akuvox door phone / access controller (feature `sim`), on the core simulator kit.
//!
//! - Functions: all 85 of the spec, routed by operation id ([`Simulator::hits`],
//!   [`Simulator::unhit_operations`]), in every form the device accepts: GET with a query, POST
//!   of the envelope to the function's path or to `/api/`, `callog` or `calllog` (see
//!   `normalize`). A GET of a POST-only function, an envelope naming another function, or an
//!   unknown path answer the documented negative reply `{"retcode": -1, "action": "unknow",
//!   "message": "unsupport action"}`.
//! - State: the configuration map, relays (a trigger opens one for its delay or the relay's
//!   hold delay, or toggles it in manual mode) and inputs, private keys, cards, contacts,
//!   groups, users, dial replace rules, the call log (a dial appends to it) and the door log
//!   (a relay trigger or a card at the reader append to it), the call, the packet capture and
//!   the firmware upgrade (prepare, upload, MD5 check).
//! - Files: every export answers a file a matching import reads back (formats of the simulator's
//!   own, see `files`); an empty contact list exports as "Export Failed.".
//! - Auth ([`SimAuth`]): none, an allow-list of source addresses, Basic, or Digest (realm
//!   `HTTPAPI`, MD5, qop `auth,auth-int`, opaque, as L309-311). A disabled API answers 403 to
//!   everything ([`Simulator::set_api_enabled`]).
//! - API version ([`SimulatorBuilder::api_version`]): V2.0 by default; a V1.0 device does not
//!   know the `user` module.
//! - The seed's reply quirks: wrong `action` echoes, user add/set/del answering retcode 1, no
//!   `Ret` in a privatekey add reply, numbers as strings where the seed sends them so.
//!
//! All time follows the kit's clock (tokio's by default), so tests run on a paused clock.

mod files;
/// Generated from the spec: request decoders, the `Handlers` trait and its router.
pub mod generated;
mod handlers;
mod normalize;
mod state;

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use watchpost_core::sim::{BasicServer, DigestConfig, DigestServer, Qop, SimKit, SimRequest, SimResponse, SimSettings};

use crate::models::{CallLogEntry, ConfigMap, Door, DoorLogEntry, PrivateKey, RfKey, User};
use crate::{AuthMode, ClientBuilder};
use handlers::Shared;
pub use state::{FIRMWARE_VERSION, MAC, MODEL};

/// The device's default HTTP API user (L282).
pub const DEFAULT_USER: &str = "admin";

/// The device's default HTTP API password (L283).
pub const DEFAULT_PASSWORD: &str = "httpapi";

/// The Digest realm the device announces (L311).
pub const REALM: &str = "HTTPAPI";

/// The simulated device's auth mode.
#[derive(Clone, PartialEq, Eq)]
pub enum SimAuth {
    /// No authentication.
    None,
    /// Only these source addresses (IP01-IP05); others get 403.
    AllowList(Vec<IpAddr>),
    /// HTTP Basic with this user and password.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// HTTP Digest (MD5) with this user and password, offering these qop values.
    Digest {
        /// User name.
        user: String,
        /// Password.
        password: String,
        /// The qop values offered (`auth,auth-int` on the device).
        qop: Vec<Qop>,
    },
}

impl fmt::Debug for SimAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimAuth::None => f.write_str("None"),
            SimAuth::AllowList(ips) => f.debug_tuple("AllowList").field(ips).finish(),
            SimAuth::Basic { user, .. } => f.debug_struct("Basic").field("user", user).finish_non_exhaustive(),
            SimAuth::Digest { user, qop, .. } => {
                f.debug_struct("Digest").field("user", user).field("qop", qop).finish_non_exhaustive()
            }
        }
    }
}

impl SimAuth {
    /// Digest with the device defaults (`admin` / `httpapi`, qop `auth,auth-int`).
    pub fn digest() -> Self {
        SimAuth::Digest {
            user: DEFAULT_USER.into(),
            password: DEFAULT_PASSWORD.into(),
            qop: vec![Qop::Auth, Qop::AuthInt],
        }
    }

    /// Basic with the device defaults.
    pub fn basic() -> Self {
        SimAuth::Basic { user: DEFAULT_USER.into(), password: DEFAULT_PASSWORD.into() }
    }
}

/// Settings of a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    auth: SimAuth,
    version: crate::ApiVersion,
    model: Option<String>,
    firmware: Option<String>,
    settings: SimSettings,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            auth: SimAuth::None,
            version: crate::ApiVersion::V2,
            model: None,
            firmware: None,
            settings: SimSettings::default(),
        }
    }
}

/// The auth check the middleware runs.
enum Check {
    None,
    AllowList(Vec<IpAddr>),
    Basic(BasicServer),
    Digest(DigestServer),
}

impl SimulatorBuilder {
    watchpost_core::sim_settings_setters!(settings);

    /// The auth mode. Default [`SimAuth::None`].
    pub fn auth(mut self, auth: SimAuth) -> Self {
        self.auth = auth;
        self
    }

    /// The API version the device speaks. Default V2.0; a V1.0 device answers every `user`
    /// function "unsupport action".
    pub fn api_version(mut self, version: crate::ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// The model `system.info` reports. Default the seed's `R29S` ([`MODEL`]).
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// The firmware version the device starts with. Default the seed's
    /// ([`FIRMWARE_VERSION`]).
    pub fn firmware_version(mut self, version: impl Into<String>) -> Self {
        self.firmware = Some(version.into());
        self
    }

    /// Starts the simulator on the bound address (default a free loopback port).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let clock = self.settings.clock.clone();
        let mut device = state::Device::seeded(clock.unix_now());
        if let Some(model) = self.model {
            device.model = model;
        }
        if let Some(version) = self.firmware {
            device.firmware.version = version;
        }
        let shared = Arc::new(Shared { device: Mutex::new(device), clock });
        let enabled = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let check = Arc::new(match &self.auth {
            SimAuth::None => Check::None,
            SimAuth::AllowList(ips) => Check::AllowList(ips.clone()),
            SimAuth::Basic { user, password } => {
                Check::Basic(BasicServer::new(REALM, [(user.clone(), password.clone())]))
            }
            SimAuth::Digest { user, password, qop } => Check::Digest(DigestServer::new(
                DigestConfig::new(REALM).qop(qop.clone()).opaque(true).user(user.clone(), password.clone()),
            )),
        });
        let data = shared.clone();
        let gate = enabled.clone();
        let v1 = self.version == crate::ApiVersion::V1;
        let router = generated::router(shared.clone())
            .rewrite(normalize::rewrite)
            .route(http::Method::GET, handlers::USER_DATA_PATH, "user.export.file", move |_req| {
                let resp = handlers::user_data(&data);
                async move { resp }
            })
            .fallback(|_req| async { handlers::unsupported() })
            .layer(move |req| {
                if !gate.load(std::sync::atomic::Ordering::Relaxed) {
                    return Some(SimResponse::text(403, "Forbidden"));
                }
                authorize(&check, req).or_else(|| (v1 && req.route.starts_with("user.")).then(handlers::unsupported))
            });
        let mut kit = SimKit::new("akuvox", crate::OPERATIONS, self.settings);
        kit.serve(router).await?;
        Ok(Simulator { kit, shared, enabled, auth: self.auth })
    }
}

/// Turns a request in any form the device accepts (GET with a query, POST of the envelope to the
/// function's path or to `/api/`, `callog`) into the form of the spec, as the simulator does
/// before routing: for tests that decode a seed example with the generated decoders.
pub fn normalize_request(req: &mut SimRequest) {
    normalize::rewrite(req);
}

/// The auth middleware: `None` to go on, else the answer.
fn authorize(check: &Check, req: &mut SimRequest) -> Option<SimResponse> {
    match check {
        Check::None => None,
        Check::AllowList(ips) => (!ips.contains(&req.peer.ip())).then(|| SimResponse::text(403, "Forbidden")),
        Check::Basic(server) => {
            let outcome = server.check(req);
            outcome.www_authenticate().map(|challenge| {
                watchpost_core::sim::challenge_response(challenge, SimResponse::text(401, "401 Unauthorized"))
            })
        }
        Check::Digest(server) => {
            // Digest signs the request as sent, before the form rewrite.
            let sent = req.extensions.get::<normalize::Sent>().map(|s| s.restore(req));
            let outcome = server.check(sent.as_ref().unwrap_or(req));
            outcome.into_response(SimResponse::text(401, "401 Unauthorized"))
        }
    }
}

/// A running simulated device. Dropping it shuts the server down.
pub struct Simulator {
    kit: SimKit,
    shared: Arc<Shared>,
    enabled: Arc<std::sync::atomic::AtomicBool>,
    auth: SimAuth,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url())
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts a simulator with the defaults (no auth).
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start() -> std::io::Result<Simulator> {
        Self::builder().start().await
    }

    /// Settings for a simulator.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    watchpost_core::sim_kit_accessors!(kit);

    /// A client builder for this device: its base URL, the simulator's clock, and the auth
    /// mode and credentials of its [`SimAuth`].
    pub fn client_builder(&self) -> ClientBuilder {
        let builder = crate::Client::builder().clock(self.kit.settings().clock.clone()).base_url(self.base_url());
        match &self.auth {
            SimAuth::None => builder.auth_mode(AuthMode::None),
            SimAuth::AllowList(_) => builder.auth_mode(AuthMode::AllowList),
            SimAuth::Basic { user, password } => builder.credentials(user, password).auth_mode(AuthMode::Basic),
            SimAuth::Digest { user, password, .. } => builder.credentials(user, password).auth_mode(AuthMode::Digest),
        }
    }

    /// Enables or disables the HTTP API (disabled: 403 to everything, L277).
    pub fn set_api_enabled(&self, on: bool) {
        self.enabled.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The configuration map.
    pub fn config(&self) -> ConfigMap {
        ConfigMap(self.shared.device().config.clone())
    }

    /// The state of a relay now: 1 open, 0 closed.
    pub fn relay_state(&self, door: Door) -> i64 {
        let now = self.shared.now();
        self.shared.device().relay_state(door, now)
    }

    /// Sets an input's GPIO level.
    pub fn set_input(&self, door: Door, level: i64) {
        self.shared.device().inputs[handlers::input_index(door)] = level;
    }

    /// Holds a card at the reader (what `user.scan` reads), or takes it away.
    pub fn present_card(&self, code: Option<&str>) {
        self.shared.device().card_at_reader = code.map(str::to_owned);
    }

    /// A card swiped at the reader: a known card opens its doors (their hold delay) and the
    /// door log records the attempt either way. Returns whether it opened.
    pub fn swipe_card(&self, code: &str) -> bool {
        let now = self.shared.now();
        let mut dev = self.shared.device();
        let card = dev.rf_keys.iter().find(|k| k.code.as_deref() == Some(code)).cloned();
        let doors = card.as_ref().and_then(|c| c.door_num.as_ref()).map(|d| d.doors()).unwrap_or_default();
        for door in &doors {
            let hold = dev.hold_delay(*door);
            dev.open_relay(*door, false, hold, now);
        }
        let name = card.and_then(|c| c.name).unwrap_or_default();
        let opened = !doors.is_empty();
        dev.log_door("Card", &name, code, opened, now);
        opened
    }

    /// The private keys.
    pub fn private_keys(&self) -> Vec<PrivateKey> {
        self.shared.device().private_keys.clone()
    }

    /// The RF cards.
    pub fn rf_keys(&self) -> Vec<RfKey> {
        self.shared.device().rf_keys.clone()
    }

    /// The users.
    pub fn users(&self) -> Vec<User> {
        self.shared.device().users.clone()
    }

    /// The call log.
    pub fn call_log(&self) -> Vec<CallLogEntry> {
        self.shared.device().call_log.clone()
    }

    /// The door log.
    pub fn door_log(&self) -> Vec<DoorLogEntry> {
        self.shared.device().door_log.clone()
    }

    /// The firmware version now.
    pub fn firmware_version(&self) -> String {
        self.shared.device().firmware.version.clone()
    }

    /// How many times the device rebooted.
    pub fn reboots(&self) -> u32 {
        self.shared.device().reboots
    }
}
