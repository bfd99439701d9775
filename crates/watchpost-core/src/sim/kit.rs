//! [`SimKit`]: what every vendor `Simulator` shares: its servers (one or more hosts), where they
//! bind and what base URL they advertise, the seed and clock, the [`Journal`], the [`Faults`]
//! addressed by operation, hit counts, coverage records and shutdown. A vendor simulator wraps
//! one kit and adds its own state and controls.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};

use super::coverage;
use super::faults::Faults;
use super::journal::Journal;
use super::response::SimResponse;
use super::router::Router;
use super::server::{AnswerCounts, ServeOptions, SimServer};
use crate::clock::{SharedClock, TokioClock};
use crate::operation::Operation;

/// Where a simulator binds, what it advertises, its seed and its clock: the settings every
/// vendor `SimulatorBuilder` shares (its `.bind`, `.advertise`, `.seed`, `.clock` setters).
#[derive(Clone)]
pub struct SimSettings {
    /// The address to bind. Default `127.0.0.1:0` (a free loopback port).
    pub bind: SocketAddr,
    /// The base URL handed to clients (and written into answers that name the simulator's own
    /// host, such as an EZVIZ area domain). Default `http://<bound address>`.
    pub advertise: Option<String>,
    /// Where the area host of a two-host simulator listens (a token host that hands out an area
    /// host, as EZVIZ and Hik-Partner Pro do; [`SimKit::serve_area`]). Default: the IP of
    /// [`bind`](Self::bind) on a free port.
    pub area_bind: Option<SocketAddr>,
    /// The base URL of the area host handed to clients. Default: [`advertise`](Self::advertise)
    /// with the area host's port, or `http://<area bound address>`.
    pub area_advertise: Option<String>,
    /// Seeds every random choice of the simulator (nonces, tokens, generated ids) so a run can
    /// be repeated. Default: a random seed.
    pub seed: u64,
    /// The clock of the simulator's journal and of the clients it builds. Default [`TokioClock`]
    /// (follows a paused tokio clock).
    pub clock: SharedClock,
}

impl Default for SimSettings {
    fn default() -> Self {
        SimSettings {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            advertise: None,
            area_bind: None,
            area_advertise: None,
            seed: fastrand::u64(..),
            clock: TokioClock::shared(),
        }
    }
}

impl fmt::Debug for SimSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimSettings")
            .field("bind", &self.bind)
            .field("advertise", &self.advertise)
            .field("area_bind", &self.area_bind)
            .field("area_advertise", &self.area_advertise)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl SimSettings {
    /// A random generator for one purpose (`stream`: nonces, tokens...), derived from the seed.
    pub fn rng(&self, stream: u64) -> fastrand::Rng {
        fastrand::Rng::with_seed(self.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
}

/// One host of a simulator.
struct Host {
    server: SimServer,
    url: String,
}

/// The shared part of every vendor simulator (see the module docs).
pub struct SimKit {
    vendor: &'static str,
    operations: &'static [&'static Operation],
    settings: SimSettings,
    journal: Journal,
    faults: Faults,
    primary: Option<Host>,
    extra: Vec<Host>,
    area_url: Option<String>,
    coverage_written: AtomicBool,
}

impl fmt::Debug for SimKit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimKit")
            .field("vendor", &self.vendor)
            .field("base_url", &self.primary.as_ref().map(|h| h.url.as_str()))
            .field("area_url", &self.area_url)
            .field("requests_total", &self.requests_total())
            .finish_non_exhaustive()
    }
}

impl SimKit {
    /// A kit for `vendor` serving (some of) `operations`, with no host yet.
    pub fn new(vendor: &'static str, operations: &'static [&'static Operation], settings: SimSettings) -> Self {
        SimKit {
            vendor,
            operations,
            settings,
            journal: Journal::new(),
            faults: Faults::new(),
            primary: None,
            extra: Vec::new(),
            area_url: None,
            coverage_written: AtomicBool::new(false),
        }
    }

    /// Serves `router` as the primary host, on [`SimSettings::bind`]; returns its advertised
    /// base URL (what [`base_url`](Self::base_url) answers).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn serve(&mut self, router: Router) -> std::io::Result<String> {
        let (bind, advertise) = (self.settings.bind, self.settings.advertise.clone());
        let host = self.start(router, bind, advertise).await?;
        let url = host.url.clone();
        if let Some(old) = self.primary.replace(host) {
            self.extra.push(old);
        }
        Ok(url)
    }

    /// Serves `router` as another host of the same simulator (sharing its journal and faults)
    /// on `bind`; returns its base URL: `advertise`, or `http://<bound address>`.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn serve_extra(
        &mut self,
        router: Router,
        bind: SocketAddr,
        advertise: Option<String>,
    ) -> std::io::Result<String> {
        let host = self.start(router, bind, advertise).await?;
        let url = host.url.clone();
        self.extra.push(host);
        Ok(url)
    }

    /// Serves `router` as the area host of a two-host simulator (as [`serve_extra`](Self::serve_extra)):
    /// on [`SimSettings::area_bind`], default the primary's IP on a free port; its URL
    /// ([`area_url`](Self::area_url)) is [`SimSettings::area_advertise`], else the advertised
    /// primary URL with this host's port, else `http://<bound address>`. For a vendor whose
    /// token host hands out a second host reachable where the primary is (an EZVIZ or
    /// Hik-Partner Pro area domain).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn serve_area(&mut self, router: Router) -> std::io::Result<String> {
        let bind = self.settings.area_bind.unwrap_or_else(|| SocketAddr::new(self.settings.bind.ip(), 0));
        let advertise = self.settings.area_advertise.clone();
        let host = self.start(router, bind, advertise.clone()).await?;
        let port = host.server.addr().port();
        let url = match (advertise, self.settings.advertise.as_deref().and_then(|a| with_port(a, port))) {
            (None, Some(url)) => url,
            _ => host.url.clone(),
        };
        self.extra.push(Host { url: url.clone(), ..host });
        self.area_url = Some(url.clone());
        Ok(url)
    }

    /// The URL of the area host ([`serve_area`](Self::serve_area)); empty before it serves.
    pub fn area_url(&self) -> String {
        self.area_url.clone().unwrap_or_default()
    }

    async fn start(&self, router: Router, bind: SocketAddr, advertise: Option<String>) -> std::io::Result<Host> {
        let options = ServeOptions {
            bind,
            journal: self.journal.clone(),
            clock: self.settings.clock.clone(),
            faults: Some(self.faults.clone()),
        };
        let server = SimServer::start_with(router, options).await?;
        let url = match advertise {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => server.base_url(),
        };
        Ok(Host { server, url })
    }

    fn hosts(&self) -> impl Iterator<Item = &Host> {
        self.primary.iter().chain(&self.extra)
    }

    /// The vendor short name (`ezviz`, `hikgw`, ...).
    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    /// The settings the kit was made with.
    pub fn settings(&self) -> &SimSettings {
        &self.settings
    }

    /// The advertised base URL of the primary host, without a trailing slash (empty before
    /// [`serve`](Self::serve)).
    pub fn base_url(&self) -> String {
        self.primary.as_ref().map(|h| h.url.clone()).unwrap_or_default()
    }

    /// The bound address of the primary host.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.primary.as_ref().map(|h| h.server.addr())
    }

    /// Every request received by any host, oldest first.
    pub fn journal(&self) -> Journal {
        self.journal.clone()
    }

    /// The fault controls of every host: `faults().on(&ops::X).fail_next(..)`.
    pub fn faults(&self) -> Faults {
        self.faults.clone()
    }

    /// The next `n` requests of `op` (of any operation on any host when `None`) answer `answer`
    /// instead of their handler.
    pub fn fail_next(&self, n: u32, op: Option<&'static Operation>, answer: SimResponse) {
        match op {
            Some(op) => self.faults.on(op).fail_next(n, answer),
            None => self.faults.fail_next(n, answer),
        }
    }

    /// Requests received for operation `op_id` on any host (faulted and refused ones included).
    pub fn hits(&self, op_id: &str) -> u64 {
        self.hosts().map(|h| h.server.hits(op_id)).sum()
    }

    /// Requests received by every host, unmatched ones included.
    pub fn requests_total(&self) -> u64 {
        self.hosts().map(|h| h.server.requests_total()).sum()
    }

    /// The operations some host routes to a handler, in table order.
    pub fn simulated_operations(&self) -> Vec<&'static str> {
        let routed: Vec<&'static str> = self.hosts().flat_map(|h| h.server.route_names()).collect();
        self.operations.iter().map(|op| op.id).filter(|id| routed.contains(id)).collect()
    }

    /// Simulated operations no request reached so far: an empty list proves every one was
    /// exercised.
    pub fn unhit_operations(&self) -> Vec<&'static str> {
        self.simulated_operations().into_iter().filter(|id| self.hits(id) == 0).collect()
    }

    /// How each operation's requests were answered, over every host.
    pub fn answer_counts(&self) -> BTreeMap<&'static str, AnswerCounts> {
        let mut all: BTreeMap<&'static str, AnswerCounts> = BTreeMap::new();
        for (route, c) in self.hosts().flat_map(|h| h.server.answer_counts()) {
            let e = all.entry(route).or_default();
            e.handler += c.handler;
            e.not_simulated += c.not_simulated;
        }
        all
    }

    /// Stops every host (see [`SimServer::shutdown`]) and, when `WATCHPOST_COVERAGE_DIR` is set,
    /// records which operations were simulated and answered. Calling it again does nothing more.
    pub async fn shutdown(&self) {
        for host in self.hosts() {
            host.server.shutdown().await;
        }
        self.write_coverage();
    }

    /// What this simulator would record for coverage now: the operations it routes and how
    /// their handlers answered.
    pub fn coverage_record(&self) -> coverage::Record {
        coverage::Record {
            vendor: self.vendor,
            simulated: self.simulated_operations(),
            answers: self
                .answer_counts()
                .into_iter()
                .filter(|(id, _)| self.operations.iter().any(|o| o.id == *id))
                .collect(),
        }
    }

    /// Writes the coverage record once (see [`coverage`]).
    fn write_coverage(&self) {
        if self.coverage_written.swap(true, Ordering::AcqRel) {
            return;
        }
        let Some(dir) = std::env::var_os(coverage::ENV_DIR) else { return };
        let record = self.coverage_record();
        if let Err(e) = coverage::write(std::path::Path::new(&dir), &record) {
            tracing::warn!(error = %e, "could not write the simulator coverage record");
        }
    }
}

/// `base` (an advertised URL, `scheme://host[:port][/...]`) with its port replaced by `port`;
/// `None` when `base` has no `scheme://host`.
pub fn with_port(base: &str, port: u16) -> Option<String> {
    let (scheme, rest) = base.split_once("://")?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or_default()),
        None => authority.split(':').next().unwrap_or_default().to_owned(),
    };
    (!scheme.is_empty() && !host.is_empty() && host != "[]").then(|| format!("{scheme}://{host}:{port}"))
}

impl Drop for SimKit {
    fn drop(&mut self) {
        self.write_coverage();
    }
}

/// Generates, inside a vendor's `impl Simulator`, the accessors every simulator shares,
/// delegating to its [`SimKit`] field named as the argument: `base_url`, `local_addr`, `faults`,
/// `journal`, `hits`, `requests_total`, `unhit_operations`, `simulated_operations` and `shutdown`
/// (`sim_kit_accessors!(kit, own_shutdown)` leaves `shutdown` to the vendor, e.g. to end its
/// streams first).
#[macro_export]
macro_rules! sim_kit_accessors {
    ($kit:ident) => {
        $crate::sim_kit_accessors!($kit, own_shutdown);

        /// Stops every host (and writes the coverage record when asked to).
        pub async fn shutdown(&self) {
            self.$kit.shutdown().await;
        }
    };
    ($kit:ident, own_shutdown) => {
        /// The advertised base URL of the simulator's (primary) host, without a trailing slash.
        pub fn base_url(&self) -> String {
            self.$kit.base_url()
        }

        /// The address the simulator's (primary) host is bound to, whatever it advertises.
        pub fn local_addr(&self) -> ::std::net::SocketAddr {
            self.$kit.local_addr().unwrap_or_else(|| ::std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        }

        /// Fault controls of every host, for any request or one operation
        /// (`faults().on(&ops::X).fail_next(..)`).
        pub fn faults(&self) -> $crate::sim::Faults {
            self.$kit.faults()
        }

        /// Every request every host received (operation, method, path and query, redacted
        /// headers, body, status, who answered).
        pub fn journal(&self) -> $crate::sim::Journal {
            self.$kit.journal()
        }

        /// Requests received for operation `op_id` (faulted ones included), on any host.
        pub fn hits(&self, op_id: &str) -> u64 {
            self.$kit.hits(op_id)
        }

        /// Requests received by every host, unmatched ones included.
        pub fn requests_total(&self) -> u64 {
            self.$kit.requests_total()
        }

        /// Simulated operations never called so far.
        pub fn unhit_operations(&self) -> Vec<&'static str> {
            self.$kit.unhit_operations()
        }

        /// The operations the simulator routes to a handler.
        pub fn simulated_operations(&self) -> Vec<&'static str> {
            self.$kit.simulated_operations()
        }
    };
}

/// Generates, inside a vendor's `impl SimulatorBuilder`, the setters every simulator builder
/// shares (`bind`, `advertise`, `seed`, `clock`), delegating to its [`SimSettings`] field named
/// as the argument: the simulator-side twin of
/// [`client_config_setters!`](crate::client_config_setters).
#[macro_export]
macro_rules! sim_settings_setters {
    ($field:ident) => {
        /// The address to listen on. Default `127.0.0.1:0` (a free loopback port).
        pub fn bind(mut self, addr: ::std::net::SocketAddr) -> Self {
            self.$field.bind = addr;
            self
        }

        /// The base URL handed to clients (`Simulator::base_url`), for a simulator reached
        /// through another address than the bound one (a container, a forwarded port); answers
        /// that name the simulator's own host use it too. Default `http://<bound address>`.
        pub fn advertise(mut self, base_url: impl Into<String>) -> Self {
            self.$field.advertise = Some(base_url.into());
            self
        }

        /// Seeds the simulator's random choices (tokens, Digest nonces): the same seed gives the
        /// same answers. Default: random.
        pub fn seed(mut self, seed: u64) -> Self {
            self.$field.seed = seed;
            self
        }

        /// The clock of the journal and of the clients `Simulator::client_builder` builds.
        /// Default [`TokioClock`]($crate::clock::TokioClock).
        pub fn clock(mut self, clock: $crate::clock::SharedClock) -> Self {
            self.$field.clock = clock;
            self
        }
    };
}

/// Generates, inside a vendor's `impl Simulator`, `start()` (the builder's defaults) and
/// `builder()` (`SimulatorBuilder::default()`), for a `SimulatorBuilder` with an async `start`.
#[macro_export]
macro_rules! sim_constructors {
    () => {
        /// Starts a simulator with the builder's defaults (on `127.0.0.1`).
        ///
        /// # Errors
        /// When a port cannot be bound.
        pub async fn start() -> ::std::io::Result<Self> {
            Self::builder().start().await
        }

        /// Settings for a simulator.
        pub fn builder() -> SimulatorBuilder {
            SimulatorBuilder::default()
        }
    };
}

/// Generates, inside a vendor's `impl SimulatorBuilder`, the setters of a two-host simulator's
/// area host (`area_bind`, `area_advertise`), delegating to its [`SimSettings`] field named as
/// the argument (see [`SimKit::serve_area`]).
#[macro_export]
macro_rules! sim_area_setters {
    ($field:ident) => {
        /// The address of the area host. Default: the token host's IP on a free port.
        pub fn area_bind(mut self, addr: ::std::net::SocketAddr) -> Self {
            self.$field.area_bind = Some(addr);
            self
        }

        /// The `areaDomain` the token endpoint answers. Default: the advertised token host with
        /// the area host's port, or `http://<area bound address>`.
        pub fn area_advertise(mut self, base_url: impl Into<String>) -> Self {
            self.$field.area_advertise = Some(base_url.into());
            self
        }
    };
}

/// Generates, inside a vendor's `impl Simulator`, the accessors of its
/// [`TokenStore`](crate::sim::TokenStore) at `self.$tokens`: `tokens_issued`, `expire_tokens` and
/// `set_token_ttl` (the store's [`lifetime`](crate::sim::TokenStore::lifetime), so the vendor's
/// token endpoint issues with [`issue_to`](crate::sim::TokenStore::issue_to)).
#[macro_export]
macro_rules! sim_token_accessors {
    ($($tokens:ident).+) => {
        /// How many tokens were issued.
        pub fn tokens_issued(&self) -> u64 {
            self.$($tokens).+.issued_count()
        }

        /// Expires every token issued so far: the next call with one answers the vendor's
        /// "token expired" code.
        pub fn expire_tokens(&self) {
            self.$($tokens).+.expire_all();
        }

        /// The lifetime of tokens issued from now on (the builder's is the vendor's documented
        /// one).
        pub fn set_token_ttl(&self, ttl: ::std::time::Duration) {
            self.$($tokens).+.set_lifetime(ttl);
        }
    };
}

/// Generates, inside a vendor's `impl Simulator` of a two-host simulator (its [`SimKit`] field
/// `$kit` serving the token endpoint `$token_op` on the primary host and the rest with
/// [`SimKit::serve_area`]), the accessors of both hosts: `token_host`, `area_domain` and
/// `token_calls`. With a third argument, the [`TokenStore`](crate::sim::TokenStore) at
/// `self.$tokens`, it adds `tokens_issued` and `expire_tokens` (a simulator that keeps the
/// lifetime itself; [`sim_token_accessors!`] is the whole set).
#[macro_export]
macro_rules! sim_token_host_accessors {
    ($kit:ident, $token_op:expr) => {
        /// The token host (same as `base_url`): what a client is configured with.
        pub fn token_host(&self) -> String {
            self.$kit.base_url()
        }

        /// The area domain every token points to: the host of every operation but the token's.
        pub fn area_domain(&self) -> String {
            self.$kit.area_url()
        }

        /// How many times the token endpoint was called.
        pub fn token_calls(&self) -> u64 {
            self.$kit.hits($token_op.id)
        }
    };
    ($kit:ident, $token_op:expr, $($tokens:ident).+) => {
        $crate::sim_token_host_accessors!($kit, $token_op);

        /// How many tokens were issued.
        pub fn tokens_issued(&self) -> u64 {
            self.$($tokens).+.issued_count()
        }

        /// Expires every token issued so far: the next call with one answers the vendor's
        /// "token expired" code.
        pub fn expire_tokens(&self) {
            self.$($tokens).+.expire_all();
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_port;

    #[test]
    fn with_port_keeps_the_scheme_and_host() {
        assert_eq!(with_port("http://sim.example:8080", 9000).as_deref(), Some("http://sim.example:9000"));
        assert_eq!(with_port("https://10.0.0.5/", 9000).as_deref(), Some("https://10.0.0.5:9000"));
        assert_eq!(with_port("http://[::1]:80/x", 9000).as_deref(), Some("http://[::1]:9000"));
        assert_eq!(with_port("sim.example:8080", 9000), None);
        assert_eq!(with_port("http://", 9000), None);
    }
}
