//! The EZVIZ simulator (feature `sim`): a token host and an area-domain host on loopback, with
//! the seed's devices, every operation stateful, and the documented error codes.
//!
//! Two servers, as with the real service: the **token host** answers only
//! `POST /api/lapp/token/get`, and its `areaDomain` points at the **area host**, which answers
//! every other operation (and nothing else: a client that sends an operation to the token host
//! gets a 404). Routes are built from [`OPERATIONS`] and named by operation id,
//! so [`Simulator::hits`] and [`Simulator::unhit_operations`] prove coverage, and
//! [`Simulator::journal`] holds every request both hosts received.
//!
//! [`Simulator::builder`] sets where the token host listens ([`SimulatorBuilder::bind`]) and the
//! URL it hands out ([`SimulatorBuilder::advertise`]); the area host listens on the same IP on a
//! free port ([`SimulatorBuilder::area_bind`]) and the `areaDomain` is the advertised host with
//! the area host's port ([`SimulatorBuilder::area_advertise`] overrides it).
//!
//! What it checks and answers, in this order:
//! - the token endpoint: 10001 (missing field), 10017 (unknown appKey), 10030 (wrong secret),
//!   10005 (frozen app, [`Simulator::freeze_app`]); tokens live 7 days by default
//!   ([`Simulator::set_token_ttl`]) and answer 10002 once expired ([`Simulator::expire_tokens`]);
//! - every operation but the time zone list: a form body with a valid `accessToken` (10002);
//! - parameters: present, non-empty, well-formed (10001); serials (20014), unknown devices
//!   (20002), devices of another account (20018), offline devices where the seed lists 20007
//!   ([`Simulator::set_online`]), missing functions (60020), channels (20032 where the seed lists
//!   it, else 10001), then the operation's own: the verification code (20010) and "already in
//!   that state" (60016, 60019, 60022);
//! - busy devices (20008) and any other code through [`Simulator::busy_next`] and
//!   [`Simulator::fail_next_code`]; malformed bodies through [`Simulator::faults`]
//!   (`sim.faults().on(&ops::GET_DEVICE_INFO).fail_next(1, answer)`), on either host.
//!
//! ```
//! use ezviz_lapp::models::DefenceMode;
//! use ezviz_lapp::requests::{GetDeviceInfoRequest, SetDefenceRequest};
//! use ezviz_lapp::sim::{fixtures, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::start().await?;
//! let client = sim.client_builder().build()?;
//! client.set_defence(&SetDefenceRequest::new(fixtures::HUB, DefenceMode::Away)).await?;
//! let info = client.get_device_info(&GetDeviceInfoRequest::new(fixtures::HUB)).await?;
//! assert_eq!(info.defence.and_then(|d| d.as_hub()), Some(DefenceMode::Away));
//! assert_eq!(sim.token_calls(), 1);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

/// Generated from the spec: request decoders, the `Handlers` trait and its router.
pub mod generated;
mod handlers;
mod state;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use watchpost_core::operation::Operation;
use watchpost_core::sim::{lock, SimKit, SimRequest, SimResponse, SimSettings, TokenStore, FALLBACK_ROUTE};

use crate::client::ClientBuilder;
use crate::error::EzvizCode;
use crate::generated::{ops, OPERATIONS};
use crate::models::AccessToken;
use handlers::{failure, Ezviz, State};

pub use state::{Feature, SimDevice};

/// The simulator's accounts, credentials and devices (serials from the seed's examples).
pub mod fixtures {
    /// The app key the token endpoint accepts.
    pub const APP_KEY: &str = "26810f3acd794862b608b6cfbc32a6b8";
    /// The app secret of [`APP_KEY`].
    pub const APP_SECRET: &str = "sim-app-secret";
    /// The account that owns every device but [`FOREIGN_DEVICE`].
    pub const ACCOUNT: &str = "sim-account";
    /// The verification code of every device (for `disable_encryption`).
    pub const VALIDATE_CODE: &str = "ABCDEF";
    /// The A1S hub of 1.20, 1.23, 1.24 (defence 0 Sleep / 8 Home / 16 Away; the seed's capability map).
    pub const HUB: &str = "Q00737272";
    /// The camera of 1.1, 1.2, 1.3 and 1.10: encrypted, schedule 23:20 to 23:21 on days 0,1,6.
    pub const CAMERA: &str = "427734888";
    /// The camera of 1.4, with the audio prompt on.
    pub const CAMERA_2: &str = "502608888";
    /// The camera of 1.6, 1.8 and 1.12: lens masking, sound source positioning and microphone on.
    pub const SSL_CAMERA: &str = "596510666";
    /// The camera of 1.5 and the request of 1.19.
    pub const CAMERA_3: &str = "596510888";
    /// The doorbell of 1.15 to 1.19: chime type 3 for 1000, PIR grid 3 × 4 with masks 1, 9, 13.
    pub const DOORBELL: &str = "C24899350";
    /// A device of another account (20018). Not in the seed.
    pub const FOREIGN_DEVICE: &str = "D41899990";
}

/// A running EZVIZ simulator (see the module docs).
pub struct Simulator {
    kit: SimKit,
    state: Arc<Mutex<State>>,
    tokens: TokenStore<String>,
}

/// Where and how a [`Simulator`] starts (see the module docs).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    settings: SimSettings,
}

impl SimulatorBuilder {
    watchpost_core::sim_settings_setters!(settings);
    watchpost_core::sim_area_setters!(settings);

    /// Starts both hosts, seeded with the seed's devices.
    ///
    /// # Errors
    /// When an address cannot be bound.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let state = Arc::new(Mutex::new(State::seeded()));
        // EZVIZ tokens live 7 days.
        let tokens = TokenStore::with_prefix("at.")
            .seeded(self.settings.rng(1).u64(..))
            .lifetime(Duration::from_secs(7 * 86_400));
        let platform =
            |area_domain: String| Arc::new(Ezviz { state: state.clone(), tokens: tokens.clone(), area_domain });
        let mut kit = SimKit::new("ezviz", OPERATIONS, self.settings);
        // The area host serves every operation but the token endpoint, which is on the token host.
        let area = generated::router_for(platform(String::new()), |op| op.id != ops::GET_TOKEN.id);
        let t = tokens.clone();
        let area = area.layer(form_content_type).layer(move |req| match req.route {
            r if r == ops::LIST_TIMEZONES.id || r == FALLBACK_ROUTE => None,
            _ => handlers::check_token(&t, req),
        });
        let area_domain = kit.serve_area(area).await?;
        let token = generated::router_for(platform(area_domain), |op| op.id == ops::GET_TOKEN.id);
        kit.serve(token.layer(form_content_type)).await?;
        Ok(Simulator { kit, state, tokens })
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator").field("kit", &self.kit).finish_non_exhaustive()
    }
}

impl Simulator {
    watchpost_core::sim_constructors!();
    watchpost_core::sim_kit_accessors!(kit);
    watchpost_core::sim_token_host_accessors!(kit, ops::GET_TOKEN);
    watchpost_core::sim_token_accessors!(tokens);

    /// The app key the simulator accepts.
    pub fn app_key(&self) -> &'static str {
        fixtures::APP_KEY
    }

    /// The app secret the simulator accepts.
    pub fn app_secret(&self) -> &'static str {
        fixtures::APP_SECRET
    }

    /// A client builder with the simulator's credentials and token host.
    pub fn client_builder(&self) -> ClientBuilder {
        let client = crate::Client::builder().app_key(fixtures::APP_KEY).app_secret(fixtures::APP_SECRET);
        client.token_host(self.token_host()).clock(watchpost_core::clock::TokioClock::shared())
    }

    /// Freezes the app (the token endpoint answers 10005) or thaws it.
    pub fn freeze_app(&self, frozen: bool) {
        lock(&self.state).app_frozen = frozen;
    }

    /// Issues a token of the simulator's account without the token endpoint, as an EZVIZ
    /// sub-account token handed to a client (its `area_domain` is the simulator's area host).
    pub fn issue_sub_account_token(&self, ttl: Duration) -> AccessToken {
        let issued = self.tokens.issue_with(fixtures::ACCOUNT.to_owned(), ttl);
        let (expire_time, area_domain) = (issued.expires_at_millis(), Some(self.area_domain()));
        AccessToken { expire_time, access_token: issued.token, area_domain }
    }

    /// Takes a device online or offline; returns whether the serial exists.
    pub fn set_online(&self, serial: &str, online: bool) -> bool {
        self.update_device(serial, |d| d.online = online)
    }

    /// A snapshot of a device's state.
    pub fn device(&self, serial: &str) -> Option<SimDevice> {
        lock(&self.state).devices.get(serial).cloned()
    }

    /// Changes a device's state (for test set-ups); returns whether the serial exists.
    pub fn update_device(&self, serial: &str, update: impl FnOnce(&mut SimDevice)) -> bool {
        lock(&self.state).devices.get_mut(serial).map(update).is_some()
    }

    /// The next `n` calls of `op` answer 20008 (device busy: "Too many operations. Try later").
    pub fn busy_next(&self, n: u32, op: &'static Operation) {
        self.fail_next_code(n, Some(op), EzvizCode::DeviceBusy.as_str());
    }

    /// The next `n` calls of `op` (of any operation on either host when `None`) answer the
    /// envelope of `code`.
    pub fn fail_next_code(&self, n: u32, op: Option<&'static Operation>, code: &str) {
        self.kit.fail_next(n, op, failure(&EzvizCode::from_code(code)));
    }
}

/// Every request must be form-encoded (10001 otherwise), as the seed documents.
fn form_content_type(req: &mut SimRequest) -> Option<SimResponse> {
    let form = req.header("content-type").is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    (req.route != FALLBACK_ROUTE && !form).then(|| failure(&EzvizCode::InvalidParameters))
}
