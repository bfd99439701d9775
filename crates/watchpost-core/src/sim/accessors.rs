//! [`sim_kit_accessors!`](crate::sim_kit_accessors): the read-only methods every vendor
//! `Simulator` exposes from its [`SimKit`](super::SimKit), written once.

/// Generates, inside a vendor's `impl Simulator`, the methods every simulator shares, delegating
/// to its [`SimKit`](crate::sim::SimKit) field named as the argument: `base_url`, `local_addr`,
/// `faults`, `journal`, `hits`, `unhit_operations` and `requests_total`.
#[macro_export]
macro_rules! sim_kit_accessors {
    ($kit:ident) => {
        /// The advertised base URL (default `http://127.0.0.1:<port>`): what clients are given.
        pub fn base_url(&self) -> String {
            self.$kit.base_url()
        }

        /// The address the simulator is bound to (its primary host), whatever it advertises.
        pub fn local_addr(&self) -> ::std::net::SocketAddr {
            self.$kit.local_addr().unwrap_or_else(|| ::std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        }

        /// The fault controls (latency, canned failures, resets, truncation), for any request or
        /// one operation (`faults().on(&ops::X)`).
        pub fn faults(&self) -> $crate::sim::Faults {
            self.$kit.faults()
        }

        /// Every request received so far (operation, method, path and query, redacted headers,
        /// body, status, who answered).
        pub fn journal(&self) -> $crate::sim::Journal {
            self.$kit.journal()
        }

        /// Requests received for the operation `op_id` (faulted ones included).
        pub fn hits(&self, op_id: &str) -> u64 {
            self.$kit.hits(op_id)
        }

        /// Simulated operations no request reached yet.
        pub fn unhit_operations(&self) -> Vec<&'static str> {
            self.$kit.unhit_operations()
        }

        /// Requests received in total, unmatched ones included.
        pub fn requests_total(&self) -> u64 {
            self.$kit.requests_total()
        }
    };
}
