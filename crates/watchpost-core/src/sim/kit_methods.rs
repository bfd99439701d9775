//! [`sim_kit_methods!`](crate::sim_kit_methods): the methods every vendor `Simulator` forwards to
//! its [`SimKit`](super::SimKit), written once.

/// Adds to a vendor `Simulator` the methods every simulator forwards to its
/// [`SimKit`](crate::sim::SimKit) field (`base_url`, `local_addr`, `faults`, `journal`, `hits`,
/// `unhit_operations`, `simulated_operations`, `requests_total`, `shutdown`): the server-side
/// twin of [`sim_settings_setters!`](crate::sim_settings_setters). Use it inside the `impl`.
#[macro_export]
macro_rules! sim_kit_methods {
    ($kit:ident) => {
        /// The advertised base URL (default `http://127.0.0.1:PORT`).
        pub fn base_url(&self) -> String {
            self.$kit.base_url()
        }

        /// The address the simulator is bound to (its primary host), whatever it advertises.
        pub fn local_addr(&self) -> ::std::net::SocketAddr {
            self.$kit.local_addr().unwrap_or_else(|| ::std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        }

        /// The fault controls, for any request or one operation (`faults().on(&ops::X)`).
        pub fn faults(&self) -> $crate::sim::Faults {
            self.$kit.faults()
        }

        /// Every request received so far (operation, method, path and query, redacted headers,
        /// body, status, who answered).
        pub fn journal(&self) -> $crate::sim::Journal {
            self.$kit.journal()
        }

        /// How many requests matched the route of operation `op_id`.
        pub fn hits(&self, op_id: &str) -> u64 {
            self.$kit.hits(op_id)
        }

        /// Simulated operations never called so far.
        pub fn unhit_operations(&self) -> Vec<&'static str> {
            self.$kit.unhit_operations()
        }

        /// The operations the simulator routes to a handler.
        pub fn simulated_operations(&self) -> Vec<&'static str> {
            self.$kit.simulated_operations()
        }

        /// All requests received.
        pub fn requests_total(&self) -> u64 {
            self.$kit.requests_total()
        }

        /// Stops the server (see [`SimServer::shutdown`]($crate::sim::SimServer::shutdown)).
        pub async fn shutdown(&self) {
            self.$kit.shutdown().await;
        }
    };
}
