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
//!   JetStream key-value bucket ([`LeaseSettings`]);
//! - [`AlarmSubscriber`] reads the stream back, typed, through a durable pull consumer
//!   ([`ConsumeSettings`]), each alarm a `Delivery` whose acknowledgement acknowledges the
//!   JetStream message.
//!
//! The crate is separate from the SDK so that users who do not want NATS never compile it.
//! `docs/bridge.md` states the delivery guarantee and the lease design.

mod config;
mod consume;
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

/// The NATS client this crate is built on (to make a `jetstream::Context` for
/// [`AlarmSubscriber::connect`] or [`Publisher::new`]).
pub use async_nats;
pub use config::{BridgeConfig, HppRegion, NatsConfig, SecretRef, SourceConfig};
pub use consume::{AlarmSubscriber, ConsumeSettings, Consumed, DeliverFrom, StoredAlarm, StoredState};
pub use error::BridgeError;
pub use feed::{AlarmFeed, FeedFactory, FeedFinisher, FeedItem};
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
/// background, and requests wait for it within their timeouts. The token goes to a
/// non-loopback host only over TLS (see [`connect_with_token`]).
pub async fn connect_with(
    url: &str,
    token: Option<secrecy::SecretString>,
    instance: &str,
) -> Result<async_nats::Client, BridgeError> {
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
        options = with_token(options, url, &token);
    }
    options
        .connect(url)
        .await
        .map_err(|e| BridgeError::Nats { what: format!("connect to {url}"), message: e.to_string() })
}

/// As [`connect`], with a token when one is given (`--nats-token-file`, `[nats] token`).
///
/// A token never travels in clear text to another host: unless `url`'s host is a loopback
/// address, a token requires TLS (the connection fails rather than send it unencrypted).
pub async fn connect_with_token(
    url: &str,
    token: Option<&secrecy::SecretString>,
) -> Result<async_nats::Client, BridgeError> {
    let mut options = async_nats::ConnectOptions::new().max_reconnects(None);
    if let Some(token) = token {
        options = with_token(options, url, token);
    }
    options.connect(url).await.map_err(|e| BridgeError::Nats { what: "connect".into(), message: e.to_string() })
}

/// `options` with `token`, and TLS required unless `url`'s host is a loopback address, so the
/// token never travels in clear text to another host.
fn with_token(
    options: async_nats::ConnectOptions,
    url: &str,
    token: &secrecy::SecretString,
) -> async_nats::ConnectOptions {
    use secrecy::ExposeSecret as _;
    let options = options.token(token.expose_secret().to_owned());
    if is_loopback_url(url) {
        options
    } else {
        options.require_tls(true)
    }
}

/// Whether the host of a `scheme://[user@]host[:port]` URL (or a bare `host[:port]`) is a
/// loopback address (`localhost`, `127.x.x.x`, `[::1]`).
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_url;

    #[test]
    fn only_loopback_hosts_may_get_a_token_without_tls() {
        for url in
            ["nats://127.0.0.1:4222", "nats://localhost", "127.0.0.2:4222", "nats://[::1]:4222", "nats://u@127.0.0.1"]
        {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in [
            "nats://10.0.0.5:4222",
            "nats://nats.example",
            "nats://127.0.0.1.example:4222",
            "nats://[::2]",
            "",
            "nats://",
        ] {
            assert!(!is_loopback_url(url), "{url}");
        }
    }
}
