//! # watchpost-core
//!
//! The vendor-neutral machinery under every watchpost vendor crate: one request pipeline
//! (encode, authorize, pace, send, classify, retry, re-auth, decode), the error type and its
//! retry classes, codecs, a multipart stream decoder, stream supervision, and a simulator kit.
//!
//! Vendor crates describe their API as a table of [`Operation`]s and plug a
//! [`VendorProfile`](pipeline::VendorProfile) (envelope classifier, safe-to-retry codes) and an
//! [`Auth`](auth::Auth) flow into a [`Pipeline`](pipeline::Pipeline).
//!
//! ## Modules
//! - [`config`]: [`ClientConfig`](config::ClientConfig), the settings every vendor client shares.
//! - [`error`]: [`Error`], [`ErrorClass`] and friends.
//! - [`operation`]: [`Operation`], [`Request`], [`Body`], [`RawResponse`], per-call
//!   [`CallOptions`](operation::CallOptions).
//! - [`transport`]: pooled hyper-util client over rustls, timeouts, body limit, pinning.
//! - [`auth`]: Basic, Digest, token providers.
//! - [`retry`]: backoff, retry budget, the retry strategy.
//! - [`ratelimit`]: the per-client rate limiter.
//! - [`pipeline`]: the executor every vendor crate reuses.
//! - [`device_lock`]: one call in flight per device, a pipeline option.
//! - [`codec`]: form/query, XML (feature `xml`), lenient serde helpers.
//! - [`multipart`] (feature `multipart`): incremental `multipart/mixed` decoder.
//! - [`metrics`]: the metrics hook ([`MetricsSink`](metrics::MetricsSink)).
//! - [`clock`]: the injected wall clock.
//! - [`supervise`]: idle watchdog, reconnect with backoff, connection state.
//! - [`sim`] (feature `sim`): the simulator kit.
//!
//! ## Feature flags
//! - `xml`: the XML codec (quick-xml).
//! - `multipart`: the multipart stream decoder.
//! - `sim`: the simulator kit (an HTTP server).
//! - `metrics`: [`MetricsFacade`](metrics::MetricsFacade), pipeline events to the `metrics` crate.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod alarm;
pub mod auth;
pub mod clock;
pub mod codec;
pub mod config;
pub mod device_lock;
pub mod error;
mod macros;
pub mod metrics;
#[cfg(feature = "multipart")]
pub mod multipart;
pub mod operation;
pub mod paginate;
pub mod pipeline;
pub mod ratelimit;
pub mod retry;
#[cfg(feature = "sim")]
pub mod sim;
pub mod supervise;
pub mod transport;

pub use error::{Error, ErrorClass, ErrorKind, LockoutInfo, Result};
pub use operation::{Body, Operation, RawResponse, Request};
pub use secrecy::{ExposeSecret, SecretString};

/// Re-exports for generated code and vendor crates.
#[doc(hidden)]
pub mod __private {
    pub use http::Method;
    pub use serde;
    pub use serde_json;
}
