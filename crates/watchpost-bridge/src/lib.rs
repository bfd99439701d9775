//! watchpost alarms onto NATS JetStream.
//!
//! A bridge instance follows alarm sources (Device Gateways, Hik-Partner Pro keys), each as an
//! [`AlarmFeed`] of [`FeedItem`]s, and publishes every [`Alarm`](watchpost_core::alarm::Alarm)
//! to a JetStream stream on `watchpost.alarms.<vendor>.<source>.<device>` with a stable
//! `Nats-Msg-Id` ([`message_id`]), and every connection-state change on
//! `watchpost.state.<source>`:
//!
//! - [`ensure_stream`] creates the stream when it is missing ([`StreamSettings`]);
//! - [`Publisher`] acknowledges an alarm to its source only after JetStream's publish
//!   acknowledgement, retries failed publications with back-off while the feed is not polled
//!   (a bounded in-flight window), and never drops one;
//! - [`Instance`] shares the sources between several bridge instances through leases in a
//!   JetStream key-value bucket ([`LeaseSettings`]).
//!
//! The crate is separate from the SDK so that users who do not want NATS never compile it.
//! `docs/bridge.md` states the delivery guarantee and the lease design.

mod config;
mod error;
mod feed;
mod http;
mod instance;
mod lease;
mod metrics;
mod msg_id;
mod observer;
mod publisher;
mod run;
mod sources;
mod stream;
mod subject;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{BridgeConfig, HppRegion, NatsConfig, SecretRef, SourceConfig};
pub use error::BridgeError;
pub use feed::{AlarmFeed, FeedFactory, FeedItem};
pub use instance::Instance;
pub use lease::{open_lease_bucket, LeaseSettings};
pub use metrics::BridgeMetrics;
pub use msg_id::message_id;
pub use observer::{NoObserver, Observer, Stored};
pub use publisher::{FeedEnd, FeedSummary, PublishSettings, Publisher};
pub use run::{run, Bridge, RunOptions};
pub use sources::{build_sources, Closers};
pub use stream::{ensure_stream, Retention, Storage, StreamSettings};
pub use subject::{alarm_subject, escape_token, state_subject};

/// Connects to NATS at `url` (`nats://host:port`), reconnecting for ever once connected.
pub async fn connect(url: &str) -> Result<async_nats::Client, BridgeError> {
    async_nats::ConnectOptions::new()
        .max_reconnects(None)
        .connect(url)
        .await
        .map_err(|e| BridgeError::Nats { what: "connect".into(), message: e.to_string() })
}

/// As [`connect`], with the server's `token` when given, the connection named after the
/// instance, and the connection's events (disconnected, reconnected, ...) logged. Returns at
/// once even when the server is not reachable yet: the client connects (and reconnects) in the
/// background, and requests wait for it within their timeouts.
pub async fn connect_with(
    url: &str,
    token: Option<secrecy::SecretString>,
    instance: &str,
) -> Result<async_nats::Client, BridgeError> {
    use secrecy::ExposeSecret as _;
    let mut options = async_nats::ConnectOptions::new()
        .max_reconnects(None)
        .retry_on_initial_connect()
        .name(format!("watchpost-bridge {instance}"))
        .event_callback(|event| async move {
            match event {
                async_nats::Event::Connected => tracing::info!("NATS connected"),
                async_nats::Event::Disconnected => tracing::warn!("NATS disconnected; reconnecting"),
                other => tracing::info!(event = %other, "NATS"),
            }
        });
    if let Some(token) = token {
        options = options.token(token.expose_secret().to_owned());
    }
    options
        .connect(url)
        .await
        .map_err(|e| BridgeError::Nats { what: format!("connect to {url}"), message: e.to_string() })
}
