//! [`ClientConfig`]: the settings every vendor client shares (transport, retry, jitter, rate
//! limiter, clock, user agent, per-device serialisation), and [`client_config_setters!`](crate::client_config_setters), the
//! macro that gives every vendor `ClientBuilder` the same setters for them.
//!
//! A vendor builder keeps one `ClientConfig` and hands it to
//! [`PipelineBuilder::config`](crate::pipeline::PipelineBuilder::config). Settings left unset
//! ([`retry`](ClientConfig::retry_config), [`serialize_per_device`](ClientConfig::serialize_per_device_setting))
//! keep the vendor's own default, which each vendor crate documents.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{SharedClock, SystemClock};
use crate::ratelimit::RateLimiter;
use crate::retry::{JitterSource, RetryConfig};
use crate::transport::TransportConfig;

/// The settings shared by every vendor client. Cheap to clone (the limiter, jitter source and
/// clock are shared `Arc`s).
///
/// ```
/// use std::time::Duration;
/// use watchpost_core::config::ClientConfig;
/// use watchpost_core::retry::RetryConfig;
///
/// let config = ClientConfig::default()
///     .attempt_timeout(Duration::from_secs(10))
///     .retry(RetryConfig { max_attempts: 5, ..RetryConfig::default() })
///     .user_agent("acme-arc/2.1");
/// assert_eq!(config.transport_config().attempt_timeout, Duration::from_secs(10));
/// assert_eq!(config.effective_user_agent(), "acme-arc/2.1");
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientConfig {
    transport: TransportConfig,
    retry: Option<RetryConfig>,
    jitter: Option<Arc<dyn JitterSource>>,
    rate_limiter: Option<Arc<RateLimiter>>,
    clock: SharedClock,
    user_agent: Option<String>,
    serialize_per_device: Option<bool>,
    metrics: Option<crate::metrics::SharedMetrics>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            transport: TransportConfig::default(),
            retry: None,
            jitter: None,
            rate_limiter: None,
            // Production reads the system clock on every call (an NTP correction is seen at once).
            clock: SystemClock::shared(),
            user_agent: None,
            serialize_per_device: None,
            metrics: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("jitter", &self.jitter)
            .field("rate_limiter", &self.rate_limiter.as_ref().map(|_| "shared"))
            .field("clock", &self.clock)
            .field("user_agent", &self.user_agent)
            .field("serialize_per_device", &self.serialize_per_device)
            .field("metrics", &self.metrics.as_ref().map(|_| "set"))
            .finish()
    }
}

impl ClientConfig {
    /// Replaces the whole transport configuration (timeouts, body limit, TLS, user agent),
    /// including any timeout set before with a shortcut. Default is [`TransportConfig::default`].
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Retry settings (attempts, back-off, budget). Default is the vendor's (the core's
    /// [`RetryConfig::default`] unless the vendor crate documents otherwise).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The jitter source of the retry back-off (tests inject a fixed one). Default is random.
    pub fn jitter(mut self, jitter: Arc<dyn JitterSource>) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// A rate limiter, shared with other clients if the `Arc` is. Default is the vendor's
    /// (none, or a limiter of the vendor's documented quota).
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The clock Unix time is read from (token expiry, quota resets). Default is
    /// [`SystemClock`]; simulators and paused-clock tests use
    /// [`TokioClock`](crate::clock::TokioClock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The `User-Agent` header, overriding the transport's. Default is `watchpost/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Whether calls naming the same device wait for each other (one request in flight per
    /// device, all attempts of a call included). Default is the vendor's (on for EZVIZ, whose
    /// devices answer "too many operations" otherwise; off elsewhere).
    pub fn serialize_per_device(mut self, on: bool) -> Self {
        self.serialize_per_device = Some(on);
        self
    }

    /// The sink of the pipeline's metric events (limiter waits, retry decisions, reconnects,
    /// auth failures, request durations; see [`crate::metrics`]). Default: none.
    pub fn metrics(mut self, sink: crate::metrics::SharedMetrics) -> Self {
        self.metrics = Some(sink);
        self
    }

    /// Limit for establishing a connection (TCP and TLS). Default is 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = timeout;
        self
    }

    /// Limit for one ordinary attempt (send and read the whole answer). Default is 30 s.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.transport.attempt_timeout = timeout;
        self
    }

    /// Limit for a whole call, retries and back-off included; `None` for no limit. Default is 120 s.
    pub fn operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.transport.operation_timeout = timeout;
        self
    }

    /// Largest answer read into memory; a larger one fails with a decode error. Default is 8 MiB.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.transport.max_body_size = bytes;
        self
    }

    /// The transport configuration, with the [`user_agent`](Self::user_agent) override applied.
    pub fn transport_config(&self) -> TransportConfig {
        let mut transport = self.transport.clone();
        if let Some(ua) = &self.user_agent {
            transport.user_agent.clone_from(ua);
        }
        transport
    }

    /// The retry settings, if set (`None`: the vendor's default).
    pub fn retry_config(&self) -> Option<&RetryConfig> {
        self.retry.as_ref()
    }

    /// The jitter source, if set.
    pub fn jitter_source(&self) -> Option<&Arc<dyn JitterSource>> {
        self.jitter.as_ref()
    }

    /// The rate limiter, if set.
    pub fn limiter(&self) -> Option<&Arc<RateLimiter>> {
        self.rate_limiter.as_ref()
    }

    /// The clock.
    pub fn shared_clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The `User-Agent` header that will be sent.
    pub fn effective_user_agent(&self) -> &str {
        self.user_agent.as_deref().unwrap_or(&self.transport.user_agent)
    }

    /// The per-device serialisation setting, if set (`None`: the vendor's default).
    pub fn serialize_per_device_setting(&self) -> Option<bool> {
        self.serialize_per_device
    }

    /// The metrics sink, when one is set.
    pub fn metrics_sink(&self) -> Option<&crate::metrics::SharedMetrics> {
        self.metrics.as_ref()
    }
}

/// Generates, inside a vendor's `impl ClientBuilder`, the setters of every [`ClientConfig`]
/// setting, delegating to the builder's `ClientConfig` field named as the argument:
/// `config`, `transport`, `retry`, `jitter`, `rate_limiter`, `clock`, `user_agent`,
/// `serialize_per_device`, `connect_timeout`, `attempt_timeout`, `operation_timeout`,
/// `max_body_size`.
///
/// ```
/// use watchpost_core::config::ClientConfig;
///
/// /// Builds a client.
/// #[must_use]
/// pub struct ClientBuilder {
///     config: ClientConfig,
/// }
///
/// impl ClientBuilder {
///     watchpost_core::client_config_setters!(config);
/// }
///
/// let b = ClientBuilder { config: ClientConfig::default() }.user_agent("x/1").serialize_per_device(true);
/// assert_eq!(b.config.effective_user_agent(), "x/1");
/// ```
#[macro_export]
macro_rules! client_config_setters {
    ($field:ident) => {
        /// Replaces every shared setting at once (transport, retry, jitter, rate limiter, clock,
        /// user agent, per-device serialisation), including any set before with the setters
        /// below. Default is [`ClientConfig::default`]($crate::config::ClientConfig::default).
        pub fn config(mut self, config: $crate::config::ClientConfig) -> Self {
            self.$field = config;
            self
        }

        /// Replaces the whole transport configuration (timeouts, body limit, TLS, user agent),
        /// including any timeout set before with a shortcut. Default is
        /// [`TransportConfig::default`]($crate::transport::TransportConfig::default).
        pub fn transport(mut self, transport: $crate::transport::TransportConfig) -> Self {
            self.$field = self.$field.transport(transport);
            self
        }

        /// Retry settings (attempts, back-off, budget). Default: see the crate's client docs
        /// (the core's [`RetryConfig::default`]($crate::retry::RetryConfig::default) unless
        /// stated): 3 attempts, 200 ms doubling to 20 s with full jitter.
        pub fn retry(mut self, retry: $crate::retry::RetryConfig) -> Self {
            self.$field = self.$field.retry(retry);
            self
        }

        /// The jitter source of the retry back-off (tests inject a fixed one). Default is random.
        pub fn jitter(mut self, jitter: ::std::sync::Arc<dyn $crate::retry::JitterSource>) -> Self {
            self.$field = self.$field.jitter(jitter);
            self
        }

        /// A rate limiter, shared with other clients if the `Arc` is. Default: see the crate's
        /// client docs (none, or a limiter of the vendor's documented quota).
        pub fn rate_limiter(mut self, limiter: ::std::sync::Arc<$crate::ratelimit::RateLimiter>) -> Self {
            self.$field = self.$field.rate_limiter(limiter);
            self
        }

        /// The clock Unix time is read from (token expiry, quota resets). Default is the system
        /// clock; simulators and paused-clock tests use
        /// [`TokioClock`]($crate::clock::TokioClock).
        pub fn clock(mut self, clock: $crate::clock::SharedClock) -> Self {
            self.$field = self.$field.clock(clock);
            self
        }

        /// The `User-Agent` header. Default is `watchpost/<version>`.
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.$field = self.$field.user_agent(user_agent);
            self
        }

        /// Whether calls naming the same device wait for each other (one request in flight per
        /// device, all attempts of a call included). Default: see the crate's client docs.
        pub fn serialize_per_device(mut self, on: bool) -> Self {
            self.$field = self.$field.serialize_per_device(on);
            self
        }

        /// The sink of the client's metric events (see
        /// [`watchpost_core::metrics`]($crate::metrics)). Default: none.
        pub fn metrics(mut self, sink: $crate::metrics::SharedMetrics) -> Self {
            self.$field = self.$field.metrics(sink);
            self
        }

        /// Limit for establishing a connection (TCP and TLS). Default is 10 s.
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field = self.$field.connect_timeout(timeout);
            self
        }

        /// Limit for one ordinary attempt (send and read the whole answer). Default is 30 s.
        pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field = self.$field.attempt_timeout(timeout);
            self
        }

        /// Limit for a whole call, retries and back-off included; `None` for no limit.
        /// Default is 120 s.
        pub fn operation_timeout(mut self, timeout: Option<::std::time::Duration>) -> Self {
            self.$field = self.$field.operation_timeout(timeout);
            self
        }

        /// Largest answer read into memory; a larger one fails with a decode error.
        /// Default is 8 MiB.
        pub fn max_body_size(mut self, bytes: usize) -> Self {
            self.$field = self.$field.max_body_size(bytes);
            self
        }
    };
}

/// Generates, inside a vendor's `impl Client`, `customize` (per-call options on a cheap clone)
/// and `call_options`, for a client struct with a field of type
/// [`CallOptions`](crate::operation::CallOptions) named as the argument.
#[macro_export]
macro_rules! client_customize {
    ($field:ident) => {
        /// A cheap clone of this client whose every call uses the options `f` makes (a timeout,
        /// extra headers, no retries): `client.customize(|o| o.operation_timeout(d)).call(..)`.
        /// The clone shares everything else (connections, tokens, limiter) with this client.
        #[must_use]
        pub fn customize(
            &self,
            f: impl FnOnce($crate::operation::CallOptions) -> $crate::operation::CallOptions,
        ) -> Self {
            let mut client = self.clone();
            client.$field = f(self.$field.clone());
            client
        }

        /// The per-call options of this client (empty unless made by [`customize`](Self::customize)).
        pub fn call_options(&self) -> &$crate::operation::CallOptions {
            &self.$field
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_survives_a_later_transport() {
        let c = ClientConfig::default().user_agent("a/1").transport(TransportConfig::default());
        assert_eq!(c.transport_config().user_agent, "a/1");
        assert_eq!(ClientConfig::default().transport_config().user_agent, TransportConfig::default().user_agent);
    }

    #[test]
    fn unset_settings_leave_the_vendor_default() {
        let c = ClientConfig::default();
        assert!(c.retry_config().is_none() && c.serialize_per_device_setting().is_none());
        assert!(c.limiter().is_none() && c.jitter_source().is_none());
        assert_eq!(format!("{:?}", c.shared_clock()), "SystemClock");
        let c = c.serialize_per_device(false).max_body_size(10).operation_timeout(None);
        assert_eq!(c.serialize_per_device_setting(), Some(false));
        assert_eq!(c.transport_config().max_body_size, 10);
        assert_eq!(c.transport_config().operation_timeout, None);
    }
}
