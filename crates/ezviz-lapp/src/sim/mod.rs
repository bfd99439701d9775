//! The EZVIZ simulator (feature `sim`): a token host and an area-domain host on loopback, with
//! the seed's devices, every operation stateful, and the documented error codes.
//!
//! Two servers, as with the real service: the **token host** answers only
//! `POST /api/lapp/token/get`, and its `areaDomain` points at the **area host**, which answers
//! every other operation (and nothing else: a client that sends an operation to the token host
//! gets a 404). Routes are built from [`OPERATIONS`] and named by operation id,
//! so [`Simulator::hits`] and [`Simulator::unhit_operations`] prove coverage.
//!
//! What it checks and answers:
//! - the token endpoint: 10001 (missing field), 10017 (unknown appKey), 10030 (wrong secret),
//!   10005 (frozen app, [`Simulator::freeze_app`]); tokens live 7 days by default
//!   ([`Simulator::set_token_ttl`]) and answer 10002 once expired ([`Simulator::expire_tokens`]);
//! - every operation but the time zone list: a form body with a valid `accessToken` (10002);
//! - parameters: present, non-empty, well-formed (10001); serials (20014), unknown devices
//!   (20002), devices of another account (20018), offline devices where the seed lists 20007
//!   ([`Simulator::set_online`]), missing functions (60020), channels (20032), the verification
//!   code (20010), and "already in that state" (60016, 60019, 60022);
//! - busy devices (20008) and any other code through [`Simulator::busy_next`] and
//!   [`Simulator::fail_next_code`]; malformed bodies through [`Simulator::faults`].
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
//! let info = client.get_device_info(&GetDeviceInfoRequest::new(fixtures::HUB, Default::default())).await?;
//! assert_eq!(info.defence.and_then(|d| d.as_hub()), Some(DefenceMode::Away));
//! assert_eq!(sim.token_calls(), 1);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod handlers;
mod state;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use watchpost_core::sim::{Faults, Router, SimResponse, SimServer, TokenStore, FALLBACK_ROUTE};

use crate::client::ClientBuilder;
use crate::error::EzvizCode;
use crate::generated::{ops, OPERATIONS};

pub use state::{DeviceKind, Feature, SimDevice, SimPlan};

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

/// What the handlers share.
pub(crate) struct State {
    devices: BTreeMap<String, SimDevice>,
    zones: Vec<state::Zone>,
    app_frozen: bool,
    token_ttl: Duration,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A token issued outside the token endpoint, as for an EZVIZ sub-account. Its `Debug` output
/// hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct SubAccountToken {
    /// The token.
    pub access_token: String,
    /// The area domain the token belongs to (the simulator's area host).
    pub area_domain: String,
    /// Its expiry in Unix epoch milliseconds.
    pub expire_time: u64,
}

impl fmt::Debug for SubAccountToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubAccountToken")
            .field("access_token", &"***")
            .field("area_domain", &self.area_domain)
            .field("expire_time", &self.expire_time)
            .finish()
    }
}

/// A running EZVIZ simulator (see the module docs).
pub struct Simulator {
    token_server: SimServer,
    area_server: SimServer,
    state: Arc<Mutex<State>>,
    tokens: TokenStore<String>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("token_host", &self.token_host())
            .field("area_domain", &self.area_domain())
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts the token host and the area host on `127.0.0.1`, seeded with the seed's devices.
    ///
    /// # Errors
    /// When a port cannot be bound.
    pub async fn start() -> std::io::Result<Simulator> {
        let state = Arc::new(Mutex::new(State {
            devices: state::seed_devices(),
            zones: state::zones(),
            app_frozen: false,
            token_ttl: handlers::TOKEN_TTL,
        }));
        let tokens: TokenStore<String> = TokenStore::with_prefix("at.");

        let mut area = Router::new();
        for op in OPERATIONS.iter().filter(|op| op.id != ops::GET_TOKEN.id) {
            let st = state.clone();
            let id = op.id;
            area = area.operation(op, move |req| {
                let form = handlers::Form::new(&req);
                let account = req.extensions.get::<handlers::Account>().map(|a| a.0.clone());
                let answer = handlers::operation(&mut lock(&st), id, &form, account.as_deref());
                std::future::ready(answer)
            });
        }
        let t = tokens.clone();
        let area = area.layer(form_content_type).layer(move |req| {
            if req.route == ops::LIST_TIMEZONES.id || req.route == FALLBACK_ROUTE {
                return None;
            }
            handlers::check_token(&t, req)
        });
        let area_server = SimServer::start(area).await?;

        let area_url = area_server.base_url();
        let (st, t) = (state.clone(), tokens.clone());
        let token = Router::new()
            .operation(&ops::GET_TOKEN, move |req| {
                let answer = handlers::token_get(&lock(&st), &t, &area_url, &handlers::Form::new(&req));
                std::future::ready(answer)
            })
            .layer(form_content_type);
        let token_server = SimServer::start(token).await?;
        Ok(Simulator { token_server, area_server, state, tokens })
    }

    /// The token host, `http://127.0.0.1:PORT` (what a client is configured with).
    pub fn base_url(&self) -> String {
        self.token_server.base_url()
    }

    /// The token host (same as [`base_url`](Self::base_url)).
    pub fn token_host(&self) -> String {
        self.token_server.base_url()
    }

    /// The area domain every token points to: the host of every operation.
    pub fn area_domain(&self) -> String {
        self.area_server.base_url()
    }

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
        crate::Client::builder()
            .app_key(fixtures::APP_KEY)
            .app_secret(fixtures::APP_SECRET)
            .token_host(self.token_host())
            .clock(watchpost_core::clock::TokioClock::shared())
    }

    /// Fault controls of the area host (every operation but the token endpoint).
    pub fn faults(&self) -> Faults {
        self.area_server.faults()
    }

    /// Fault controls of the token host.
    pub fn token_faults(&self) -> Faults {
        self.token_server.faults()
    }

    /// Requests received for operation `op_id` (faulted ones included), on either host.
    pub fn hits(&self, op_id: &str) -> u64 {
        self.token_server.hits(op_id) + self.area_server.hits(op_id)
    }

    /// Requests received by both hosts, unmatched ones included.
    pub fn requests_total(&self) -> u64 {
        self.token_server.requests_total() + self.area_server.requests_total()
    }

    /// Operations of [`OPERATIONS`] never called so far.
    pub fn unhit_operations(&self) -> Vec<&'static str> {
        OPERATIONS.iter().map(|op| op.id).filter(|id| self.hits(id) == 0).collect()
    }

    /// How many times the token endpoint was called.
    pub fn token_calls(&self) -> u64 {
        self.token_server.hits(ops::GET_TOKEN.id)
    }

    /// How many tokens were issued (token endpoint and sub-account tokens).
    pub fn tokens_issued(&self) -> u64 {
        self.tokens.issued_count()
    }

    /// The lifetime of tokens issued from now on. Default is 7 days.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.state).token_ttl = ttl;
    }

    /// Expires every token issued so far: the next call with one answers 10002.
    pub fn expire_tokens(&self) {
        self.tokens.expire_all();
    }

    /// Freezes the app (the token endpoint answers 10005) or thaws it.
    pub fn freeze_app(&self, frozen: bool) {
        lock(&self.state).app_frozen = frozen;
    }

    /// Issues a token of the simulator's account without the token endpoint, as an EZVIZ
    /// sub-account token handed to a client.
    pub fn issue_sub_account_token(&self, ttl: Duration) -> SubAccountToken {
        let issued = self.tokens.issue_with(fixtures::ACCOUNT.to_owned(), ttl);
        SubAccountToken {
            expire_time: issued.expires_at_millis(),
            access_token: issued.token,
            area_domain: self.area_domain(),
        }
    }

    /// Takes a device online or offline; returns whether the serial exists.
    pub fn set_online(&self, serial: &str, online: bool) -> bool {
        lock(&self.state).devices.get_mut(serial).map(|d| d.online = online).is_some()
    }

    /// A snapshot of a device's state.
    pub fn device(&self, serial: &str) -> Option<SimDevice> {
        lock(&self.state).devices.get(serial).cloned()
    }

    /// Changes a device's state (for test set-ups); returns whether the serial exists.
    pub fn update_device(&self, serial: &str, update: impl FnOnce(&mut SimDevice)) -> bool {
        lock(&self.state).devices.get_mut(serial).map(update).is_some()
    }

    /// The next `n` calls of `op_id` answer 20008 (device busy: "Too many operations. Try later").
    pub fn busy_next(&self, n: u32, op_id: &str) {
        self.fail_next_code(n, Some(op_id), EzvizCode::DeviceBusy.code());
    }

    /// The next `n` calls of `op_id` (of any operation when `None`) answer the envelope of `code`.
    pub fn fail_next_code(&self, n: u32, op_id: Option<&str>, code: &str) {
        let answer = || handlers::failure(&EzvizCode::from_code(code));
        if op_id == Some(ops::GET_TOKEN.id) {
            self.token_server.faults().fail_next(n, op_id, answer());
        } else {
            self.area_server.faults().fail_next(n, op_id, answer());
        }
    }

    /// Stops both hosts.
    pub async fn shutdown(&self) {
        self.area_server.shutdown().await;
        self.token_server.shutdown().await;
    }
}

/// Every request must be form-encoded (10001 otherwise), as the seed documents.
fn form_content_type(req: &mut watchpost_core::sim::SimRequest) -> Option<SimResponse> {
    if req.route == FALLBACK_ROUTE {
        return None;
    }
    let form = req.header("content-type").is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    (!form).then(|| handlers::failure(&EzvizCode::InvalidParameters))
}
