//! The Hik-Partner Pro simulator: a token host and an area host over loopback HTTP, stateful and
//! strict, with fault injection (built on the watchpost-core simulator kit).
//!
//! Two hosts, as with the real service: the **token host** answers only
//! `POST /api/hpcgw/v1/token/get`, and its `areaDomain` points at the **area host**, which answers
//! every other operation (a client that sends an operation to the token host gets a 404). Routes
//! are built from [`OPERATIONS`] and named by operation id, so [`Simulator::hits`] and
//! [`Simulator::unhit_operations`] prove coverage, and [`Simulator::journal`] holds every request
//! both hosts received.
//!
//! [`Simulator::builder`] sets where the token host listens ([`SimulatorBuilder::bind`], default
//! `127.0.0.1:0`) and the base URL it hands out ([`SimulatorBuilder::advertise`]); the area host
//! listens on the same IP on a free port and the `areaDomain` is the advertised host with the area
//! host's port ([`SimulatorBuilder::area_advertise`] overrides it).
//!
//! What it checks and answers:
//! - the token endpoint: LAP000001 (missing field), LAP300001 (unknown key), LAP300002 (wrong
//!   secret); keys and secrets come from [`SimulatorBuilder::credentials`] (default
//!   [`fixtures::APP_KEY`] / [`fixtures::SECRET_KEY`]); tokens live 7 days
//!   ([`Simulator::set_token_ttl`]) and answer LAP500004 once expired
//!   ([`Simulator::expire_tokens`]);
//! - every other operation: `Authorization: Bearer <token>` (LAP500002 when absent, LAP500003
//!   when not a bearer token, LAP500004 when unknown or expired) and a JSON content type;
//! - alarm pictures: a storage host of its own serves the pictures issued by
//!   [`Simulator::encrypted_picture`] (an `ISAPI_FILES` path that `alarm/pictureurl` resolves) and
//!   [`Simulator::direct_picture`] (a direct URL), plain or encrypted in either mode, single or
//!   multi-picture, with no token (journal route [`PICTURE_DOWNLOAD_ROUTE`]);
//! - faults: [`Simulator::fail_next_code`] (any documented code, e.g. busy EVZ20008 or rate
//!   limited LAP500007), [`Simulator::set_offline`] for offline devices (the device chapters answer EVZ20007 for them), and the kit's
//!   [`Simulator::faults`] for malformed bodies.
//!
//! ```
//! use hpp_openapi::sim::Simulator;
//! use hpp_openapi::models::mq::{SubMode, SubType};
//! use hpp_openapi::requests::MqSubscribeRequest;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::start().await?;
//! let client = sim.client_builder().build()?;
//! client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await?;
//! assert_eq!(sim.token_calls(), 1);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

/// Generated from the spec: request decoders, the `Handlers` trait and its router.
pub mod generated;
mod handlers;

mod arc;
mod devices;
mod events;
mod hotspare;
mod isapi;
mod mq;
mod otap;
mod people;
mod pictures;
mod sites;
mod state;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use watchpost_core::operation::Operation;
use watchpost_core::sim::{SimKit, SimResponse, SimSettings, TokenStore, FALLBACK_ROUTE};

use crate::client::ClientBuilder;
use crate::error::HppCode;
use crate::generated::{ops, OPERATIONS};

pub use arc::ArcService;
pub use devices::SimDevice;
pub use handlers::HppSim;
pub use mq::{
    MqRecord, CACHE_TIME, DEFAULT_BATCH_SIZE, DEFAULT_CONSUMER_LEASE, DEFAULT_LONG_POLL, DEFAULT_REDELIVERY_DELAY,
    MQ_LOG_CAP,
};
pub use people::{APPLY_TIME, SYNC_STEP};
pub use pictures::{DirectPicture, SimEncryption, DOWNLOAD_ROUTE as PICTURE_DOWNLOAD_ROUTE};
pub use sites::{ADMIN_INSTALLER_ID, COMPANY_DOMAIN};

/// The simulator's default credentials.
pub mod fixtures {
    /// The API key the token endpoint accepts by default.
    pub const APP_KEY: &str = "sim-hpp-app-key";
    /// The secret of [`APP_KEY`].
    pub const SECRET_KEY: &str = "sim-hpp-secret-key";
}

/// The token life the guide documents: 7 days.
pub const TOKEN_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Settings the handlers read (credentials, token life).
#[derive(Debug)]
pub(crate) struct Settings {
    /// Accepted keys and their secrets.
    pub(crate) credentials: BTreeMap<String, String>,
    /// The life of tokens issued from now on.
    pub(crate) token_ttl: Duration,
    /// Devices taken offline by [`Simulator::set_offline`].
    pub(crate) offline: std::collections::BTreeSet<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running Hik-Partner Pro simulator (see the module docs).
pub struct Simulator {
    kit: SimKit,
    sim: Arc<HppSim>,
}

/// Where and how a [`Simulator`] starts (see the module docs).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    settings: SimSettings,
    credentials: Vec<(String, String)>,
    token_ttl: Option<Duration>,
}

impl SimulatorBuilder {
    watchpost_core::sim_settings_setters!(settings);
    watchpost_core::sim_area_setters!(settings);

    /// Adds an accepted API key (or ARC ID) and its secret. Default: only
    /// [`fixtures::APP_KEY`] / [`fixtures::SECRET_KEY`]; once one is added, only the added ones.
    pub fn credentials(mut self, app_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.credentials.push((app_key.into(), secret_key.into()));
        self
    }

    /// The life of issued tokens. Default [`TOKEN_TTL`] (7 days).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = Some(ttl);
        self
    }

    /// Starts both hosts.
    ///
    /// # Errors
    /// When an address cannot be bound.
    pub async fn start(self) -> std::io::Result<Simulator> {
        Simulator::start_in(self).await
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
    watchpost_core::sim_token_host_accessors!(kit, ops::GET_TOKEN, sim.tokens);

    async fn start_in(builder: SimulatorBuilder) -> std::io::Result<Simulator> {
        let SimulatorBuilder { settings, credentials, token_ttl } = builder;
        let credentials: BTreeMap<String, String> = if credentials.is_empty() {
            [(fixtures::APP_KEY.to_owned(), fixtures::SECRET_KEY.to_owned())].into_iter().collect()
        } else {
            credentials.into_iter().collect()
        };
        let tokens: TokenStore<String> = TokenStore::with_prefix("hpc.").seeded(settings.rng(1).u64(..));
        let sim = Arc::new(HppSim {
            state: Mutex::new(state::State::default()),
            settings: Mutex::new(Settings {
                credentials,
                token_ttl: token_ttl.unwrap_or(TOKEN_TTL),
                offline: Default::default(),
            }),
            tokens: tokens.clone(),
            area_domain: Mutex::new(String::new()),
        });
        let mut kit = SimKit::new("hpp", OPERATIONS, settings);

        let area = generated::router_for(sim.clone(), |op| op.id != ops::GET_TOKEN.id);
        let area = hotspare::with_download_route(area, sim.clone());
        let area = isapi::routes(area, sim.clone());
        let t = tokens.clone();
        let area = area.layer(json_content_type).layer(move |req| {
            if req.route == FALLBACK_ROUTE || req.route == hotspare::DOWNLOAD_ROUTE {
                return None;
            }
            handlers::check_token(&t, req)
        });
        kit.serve_area(area).await?.clone_into(&mut lock(&sim.area_domain));

        let token = generated::router_for(sim.clone(), |op| op.id == ops::GET_TOKEN.id).layer(json_content_type);
        kit.serve(token).await?;
        pictures::serve(&mut kit, sim.clone()).await?;
        Ok(Simulator { kit, sim })
    }

    /// A client builder with the simulator's default credentials and token host.
    pub fn client_builder(&self) -> ClientBuilder {
        crate::Client::builder()
            .app_key(fixtures::APP_KEY)
            .secret_key(fixtures::SECRET_KEY)
            .token_host(self.token_host())
            .clock(watchpost_core::clock::TokioClock::shared())
    }

    /// The lifetime of tokens issued from now on. Default is 7 days.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.sim.settings).token_ttl = ttl;
    }

    /// The next `n` calls of `op` (of any operation on either host when `None`) answer the
    /// envelope of `code` (HTTP 200), e.g. EVZ20008 (device busy) or LAP500007 (rate limited).
    pub fn fail_next_code(&self, n: u32, op: Option<&'static Operation>, code: &str) {
        self.kit.fail_next(n, op, handlers::failure(&HppCode::from_code(code)));
    }

    /// Takes a device offline (or back online): operations that reach the device answer
    /// EVZ20007 (the device is offline) while it is.
    pub fn set_offline(&self, device_serial: &str, offline: bool) {
        let mut settings = lock(&self.sim.settings);
        if offline {
            settings.offline.insert(device_serial.to_owned());
        } else {
            settings.offline.remove(device_serial);
        }
    }

    /// The next `n` calls of `op` answer EVZ20008 (device response timed out: busy).
    pub fn busy_next(&self, n: u32, op: &'static Operation) {
        self.fail_next_code(n, Some(op), HppCode::DeviceTimeout.as_str());
    }

    /// The next `n` calls (of `op`, or of any operation) answer LAP500007 (the number of calls
    /// exceeds the limit).
    pub fn rate_limit_next(&self, n: u32, op: Option<&'static Operation>) {
        self.fail_next_code(n, op, HppCode::CallLimitExceeded.as_str());
    }

    /// The handlers and their state (for the parts' test hooks).
    pub(crate) fn sim(&self) -> &HppSim {
        &self.sim
    }
}

/// Every request must carry a JSON content type (LAP000001 otherwise), as the guide documents.
fn json_content_type(req: &mut watchpost_core::sim::SimRequest) -> Option<SimResponse> {
    // The ISAPI pass-through carries XML too (its handler checks the content type); the hot
    // spare upload and download are not JSON.
    if req.route == FALLBACK_ROUTE
        || hotspare::own_content_type(req.route)
        || req.route.starts_with(crate::models::isapi::OP_PREFIX)
    {
        return None;
    }
    let json = req.header("content-type").is_some_and(|ct| ct.starts_with("application/json"));
    (!json).then(|| handlers::failure(&HppCode::ParameterError))
}
