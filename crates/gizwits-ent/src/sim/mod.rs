//! An in-process Gizwits Enterprise API simulator (feature `sim`), built on the core simulator
//! kit: stateful and strict like the real service.
//!
//! - Routes: one per operation of `spec/gizwits.toml` (all but the undocumented
//!   `reports.activation`), named by operation id, so [`Simulator::hits`] and
//!   [`Simulator::unhit_operations`] prove coverage, and [`Simulator::journal`] shows what was
//!   sent.
//! - World: an enterprise with one app, two products ([`fixtures::PRODUCT_KEY`] with data points
//!   and remote control; [`fixtures::SECOND_PRODUCT_KEY`] without either), devices with online
//!   records, communication logs, data history and latest values, users, bindings, a group tree,
//!   faults and alarms; every report is computed from it. [`Simulator::add_devices`] adds more.
//! - Auth: `POST .../access_token` issues 7-day tokens per product key;
//!   `Authorization: token <t>` is checked on every product call (5009 missing or unknown, 5010
//!   another product's, 5011 expired); `/v1/users/*` check the enterprise headers (5003, 5004).
//! - Quota: a fixed window of 3600 requests per hour (every request counts, token requests
//!   included). The seed (L100) says calls resume "after one hour" without naming an alignment;
//!   a window starts with the first request after the previous one ended and lasts one hour
//!   ([`Quota::aligned`] makes windows start on the hour instead). `X-RateLimit-Limit`,
//!   `X-RateLimit-Remaining` (after this request) and `X-RateLimit-Reset` (the window's end in
//!   Unix seconds, rounded up) on every answer as L98 documents for successes, and on the 5013
//!   (HTTP 403) beyond the quota too (undocumented either way). [`Simulator::quota`] lowers it
//!   behind the client's back and tells when each caller was answered what.
//! - Control: a `binary` data point value must have exactly its declared length (L762: "you
//!   need to pad the extended field to the given length"), else 5401.
//! - Errors: the documented codes with the documented HTTP status, as
//!   `{"error_code": "5002", "error_message": "form invalid", "detail": "..."}`.
//! - Faults: [`Simulator::faults`] (latency, resets, canned answers, truncation), for any request
//!   or one operation: `sim.faults().on(&ops::DEVICES_DETAIL).fail_next(1, answer)`.
//! - Where: [`SimulatorBuilder::bind`] (default `127.0.0.1:0`) and [`SimulatorBuilder::advertise`]
//!   (the base URL handed to clients); [`SimulatorBuilder::seed`] makes tokens repeatable.
//!
//! All time follows tokio's clock, so tests run on a paused clock.

pub mod fixtures;
/// Generated from the spec: request decoders, the `Handlers` trait and its router.
pub mod generated;
mod handlers;
mod reports;
mod state;
mod time;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};
use watchpost_core::sim::{lock, Quota, SimKit, SimSettings, TokenStore};

use crate::ClientBuilder;
use state::State;

/// A running simulator. Dropping it shuts the server down.
pub struct Simulator {
    kit: SimKit,
    shared: Arc<Mutex<State>>,
    quota: Quota,
    tokens: TokenStore<String>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url())
            .field("quota", &self.quota)
            .finish_non_exhaustive()
    }
}

/// Settings of a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    quota: u32,
    window: Duration,
    token_ttl: Duration,
    extra_devices: usize,
    settings: SimSettings,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        // The documented quota (3600 per hour, L100) and token lifetime (7 days, L99).
        SimulatorBuilder {
            quota: 3600,
            window: Duration::from_secs(3600),
            token_ttl: Duration::from_secs(7 * 86_400),
            extra_devices: 0,
            settings: SimSettings::default(),
        }
    }
}

impl SimulatorBuilder {
    watchpost_core::sim_settings_setters!(settings);

    /// Requests allowed per window. Default is 3600.
    pub fn quota(mut self, limit: u32) -> Self {
        self.quota = limit;
        self
    }

    /// The quota window. Default is one hour.
    pub fn quota_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Lifetime of issued tokens. Default is 7 days.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Generated devices added to [`fixtures::PRODUCT_KEY`] besides the fixture ones. Default is 0.
    pub fn extra_devices(mut self, n: usize) -> Self {
        self.extra_devices = n;
        self
    }

    /// Starts the simulator on the bound address (default a free loopback port).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let now = time::now_secs();
        let mut world = fixtures::world(now).map_err(std::io::Error::other)?;
        let tokens = TokenStore::with_prefix("").seeded(self.settings.rng(1).u64(..)).lifetime(self.token_ttl);
        world.tokens = tokens.clone();
        let shared = Arc::new(Mutex::new(world));
        let quota = Quota::new(self.quota, self.window);
        let mut kit = SimKit::new("gizwits", crate::OPERATIONS, self.settings);
        kit.serve(handlers::router(shared.clone(), quota.clone())).await?;
        let sim = Simulator { kit, shared, quota, tokens };
        if self.extra_devices > 0 {
            sim.add_devices(fixtures::PRODUCT_KEY, self.extra_devices);
        }
        Ok(sim)
    }
}

impl Simulator {
    /// Starts a simulator with the defaults (see [`SimulatorBuilder`]).
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

    /// A client builder for this simulator: its base URL, the enterprise credentials, both
    /// products, and the simulator's clock (by default
    /// [`TokioClock`](watchpost_core::clock::TokioClock), which follows a paused tokio clock).
    pub fn client_builder(&self) -> ClientBuilder {
        crate::Client::builder()
            .clock(self.kit.settings().clock.clone())
            .base_url(self.base_url())
            .enterprise(fixtures::ENTERPRISE_ID, fixtures::ENTERPRISE_SECRET)
            .product(fixtures::PRODUCT_KEY, fixtures::PRODUCT_SECRET)
            .product(fixtures::SECOND_PRODUCT_KEY, fixtures::SECOND_PRODUCT_SECRET)
    }

    /// The enterprise id.
    pub fn enterprise_id(&self) -> &'static str {
        fixtures::ENTERPRISE_ID
    }

    /// The enterprise secret.
    pub fn enterprise_secret(&self) -> &'static str {
        fixtures::ENTERPRISE_SECRET
    }

    /// The quota: a handle to read (`used()`, `rejected_count()`, `journal()`: every decision so
    /// far, oldest first, for which caller, a hash of the token, `None` for token requests and
    /// `/v1/users/*`) and to change behind the client's back (`set_limit()`, effective in the
    /// current window; `reset()`).
    pub fn quota(&self) -> &Quota {
        &self.quota
    }

    watchpost_core::sim_token_accessors!(tokens);

    /// Adds `n` generated devices to `product_key` (none if the product does not exist) and
    /// returns their dids.
    pub fn add_devices(&self, product_key: &str, n: usize) -> Vec<String> {
        let now = time::now_secs();
        let Ok(fresh) = fixtures::world(now) else { return Vec::new() };
        let mut st = lock(&self.shared);
        let mut dids = Vec::with_capacity(n);
        for _ in 0..n {
            st.serial += 1;
            let device = fixtures::bulk_device(&fresh, st.serial, now);
            let (Some(p), Some(device)) = (st.products.get_mut(product_key), device) else { break };
            dids.push(device.did.clone());
            p.devices.push(device);
        }
        dids
    }

    /// Every did of `product_key`, in enumeration order (disabled devices included).
    pub fn device_dids(&self, product_key: &str) -> Vec<String> {
        lock(&self.shared)
            .products
            .get(product_key)
            .map(|p| p.devices.iter().map(|d| d.did.clone()).collect())
            .unwrap_or_default()
    }

    /// Runs `f` on the device `did`, whichever product has it.
    fn with_device<R>(&self, did: &str, f: impl FnOnce(&mut state::SimDevice) -> R) -> Option<R> {
        lock(&self.shared).products.values_mut().find_map(|p| p.device_mut(did)).map(f)
    }

    /// Sets a device online or offline.
    pub fn set_device_online(&self, did: &str, online: bool) {
        self.with_device(did, |d| d.is_online = online);
    }

    /// The latest data point values of a device.
    pub fn device_attrs(&self, did: &str) -> Option<Map<String, Value>> {
        self.with_device(did, |d| d.attrs.clone())
    }

    /// The frames sent to a device by control calls (hex), oldest first.
    pub fn commands_sent(&self, did: &str) -> Vec<String> {
        self.with_device(did, |d| d.commands.iter().map(|(_, _, frame)| frame.clone()).collect()).unwrap_or_default()
    }
}
