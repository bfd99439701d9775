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
mod sites;
mod state;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use watchpost_core::operation::Operation;
use watchpost_core::sim::{Faults, Journal, SimKit, SimResponse, SimSettings, TokenStore, FALLBACK_ROUTE};

use crate::client::ClientBuilder;
use crate::error::HppCode;
use crate::generated::{ops, OPERATIONS};

pub use arc::ArcService;
pub use devices::SimDevice;
pub use handlers::HppSim;
pub use people::{APPLY_TIME, SYNC_STEP};
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
    area_domain: String,
    sim: Arc<HppSim>,
}

/// Where and how a [`Simulator`] starts (see the module docs).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    settings: SimSettings,
    area_bind: Option<SocketAddr>,
    area_advertise: Option<String>,
    credentials: Vec<(String, String)>,
    token_ttl: Option<Duration>,
}

impl SimulatorBuilder {
    watchpost_core::sim_settings_setters!(settings);

    /// The address of the area host. Default: the token host's IP on a free port.
    pub fn area_bind(mut self, addr: SocketAddr) -> Self {
        self.area_bind = Some(addr);
        self
    }

    /// The `areaDomain` the token endpoint answers. Default: the advertised token host with the
    /// area host's port, or `http://<area bound address>`.
    pub fn area_advertise(mut self, base_url: impl Into<String>) -> Self {
        self.area_advertise = Some(base_url.into());
        self
    }

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

/// `base` (an advertised URL, `scheme://host[:port][/...]`) with its port replaced by `port`;
/// `None` when `base` has no `scheme://host`.
fn with_port(base: &str, port: u16) -> Option<String> {
    let (scheme, rest) = base.split_once("://")?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or_default()),
        None => authority.split(':').next().unwrap_or_default().to_owned(),
    };
    (!scheme.is_empty() && !host.is_empty() && host != "[]").then(|| format!("{scheme}://{host}:{port}"))
}

/// The port of a `http://IP:PORT` base URL.
fn port_of(base: &str) -> Option<u16> {
    base.rsplit(':').next()?.trim_end_matches('/').parse().ok()
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("token_host", &self.token_host())
            .field("area_domain", &self.area_domain)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts the token host and the area host on `127.0.0.1` (the builder's defaults).
    ///
    /// # Errors
    /// When a port cannot be bound.
    pub async fn start() -> std::io::Result<Simulator> {
        Self::builder().start().await
    }

    /// Settings for a simulator.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    async fn start_in(builder: SimulatorBuilder) -> std::io::Result<Simulator> {
        let SimulatorBuilder { settings, area_bind, area_advertise, credentials, token_ttl } = builder;
        let credentials: BTreeMap<String, String> = if credentials.is_empty() {
            [(fixtures::APP_KEY.to_owned(), fixtures::SECRET_KEY.to_owned())].into_iter().collect()
        } else {
            credentials.into_iter().collect()
        };
        let tokens: TokenStore<String> = TokenStore::with_prefix("hpc.").seeded(settings.rng(1).u64(..));
        let advertise = settings.advertise.clone();
        let area_bind = area_bind.unwrap_or_else(|| SocketAddr::new(settings.bind.ip(), 0));
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
        let bound_area = kit.serve_extra(area, area_bind, None).await?;
        let area_port = port_of(&bound_area);
        let area_domain = area_advertise
            .or_else(|| advertise.as_deref().zip(area_port).and_then(|(a, p)| with_port(a, p)))
            .map_or(bound_area, |url| url.trim_end_matches('/').to_owned());
        area_domain.clone_into(&mut lock(&sim.area_domain));

        let token = generated::router_for(sim.clone(), |op| op.id == ops::GET_TOKEN.id).layer(json_content_type);
        kit.serve(token).await?;
        Ok(Simulator { kit, area_domain, sim })
    }

    /// The token host, `http://127.0.0.1:PORT` by default (what a client is configured with).
    pub fn base_url(&self) -> String {
        self.kit.base_url()
    }

    /// The address the token host is bound to, whatever it advertises.
    pub fn local_addr(&self) -> SocketAddr {
        self.kit.local_addr().unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The token host (same as [`base_url`](Self::base_url)).
    pub fn token_host(&self) -> String {
        self.kit.base_url()
    }

    /// The area domain every token points to: the host of every operation but the token's.
    pub fn area_domain(&self) -> String {
        self.area_domain.clone()
    }

    /// A client builder with the simulator's default credentials and token host.
    pub fn client_builder(&self) -> ClientBuilder {
        crate::Client::builder()
            .app_key(fixtures::APP_KEY)
            .secret_key(fixtures::SECRET_KEY)
            .token_host(self.token_host())
            .clock(watchpost_core::clock::TokioClock::shared())
    }

    /// Fault controls of both hosts, for any request or one operation
    /// (`faults().on(&ops::GET_TOKEN)` for the token endpoint).
    pub fn faults(&self) -> Faults {
        self.kit.faults()
    }

    /// Every request both hosts received.
    pub fn journal(&self) -> Journal {
        self.kit.journal()
    }

    /// Requests received for operation `op_id` (faulted ones included), on either host.
    pub fn hits(&self, op_id: &str) -> u64 {
        self.kit.hits(op_id)
    }

    /// Requests received by both hosts, unmatched ones included.
    pub fn requests_total(&self) -> u64 {
        self.kit.requests_total()
    }

    /// Operations of [`OPERATIONS`] never called so far.
    pub fn unhit_operations(&self) -> Vec<&'static str> {
        self.kit.unhit_operations()
    }

    /// How many times the token endpoint was called.
    pub fn token_calls(&self) -> u64 {
        self.kit.hits(ops::GET_TOKEN.id)
    }

    /// How many tokens were issued.
    pub fn tokens_issued(&self) -> u64 {
        self.sim.tokens.issued_count()
    }

    /// The lifetime of tokens issued from now on. Default is 7 days.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.sim.settings).token_ttl = ttl;
    }

    /// Expires every token issued so far: the next call with one answers LAP500004.
    pub fn expire_tokens(&self) {
        self.sim.tokens.expire_all();
    }

    /// The next `n` calls of `op` (of any operation on either host when `None`) answer the
    /// envelope of `code` (HTTP 200), e.g. EVZ20008 (device busy) or LAP500007 (rate limited).
    pub fn fail_next_code(&self, n: u32, op: Option<&'static Operation>, code: &str) {
        let answer = handlers::failure(&HppCode::from_code(code));
        match op {
            Some(op) => self.kit.faults().on(op).fail_next(n, answer),
            None => self.kit.faults().fail_next(n, answer),
        }
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

    /// Stops both hosts.
    pub async fn shutdown(&self) {
        self.kit.shutdown().await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_area_domain_keeps_the_advertised_host_with_the_area_port() {
        assert_eq!(with_port("http://sim.example:8080", 9000).as_deref(), Some("http://sim.example:9000"));
        assert_eq!(with_port("http://[::1]:80/x", 9000).as_deref(), Some("http://[::1]:9000"));
        assert_eq!(with_port("sim.example:8080", 9000), None);
        assert_eq!(port_of("http://127.0.0.1:4321"), Some(4321));
    }
}
