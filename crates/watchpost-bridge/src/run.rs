//! The runner: a whole bridge instance from its configuration, until shut down.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use tokio::net::TcpListener;

use crate::config::BridgeConfig;
use crate::error::BridgeError;
use crate::feed::FeedFactory;
use crate::http::{serve, Ops};
use crate::instance::Instance;
use crate::lease::open_lease_bucket;
use crate::metrics::BridgeMetrics;
use crate::publisher::Publisher;
use crate::sources::{build_sources, Closers};
use crate::stream::ensure_stream;

/// How one runner runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// This instance's id, unique among the live instances (`<hostname>-<pid>` in the CLI).
    pub instance_id: String,
    /// Where to serve `GET /metrics` and `GET /healthz` (port 0: a free port); `None`: nowhere.
    pub http_listen: Option<SocketAddr>,
}

/// A bridge instance connected and ready: the stream and the lease bucket exist, the
/// operations endpoint listens. [`Bridge::run`] follows the sources.
pub struct Bridge {
    options: RunOptions,
    config: BridgeConfig,
    sources: Vec<Arc<dyn FeedFactory>>,
    closers: Closers,
    nats: async_nats::Client,
    kv: jetstream::kv::Store,
    publisher: Publisher,
    metrics: Arc<BridgeMetrics>,
    listener: Option<(TcpListener, SocketAddr)>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("instance_id", &self.options.instance_id)
            .field("sources", &self.sources.len())
            .field("http", &self.http_addr())
            .finish_non_exhaustive()
    }
}

impl Bridge {
    /// Resolves the secrets and builds the sources, connects to NATS (with the token, when
    /// configured), creates the stream and the lease bucket when missing, and binds the
    /// operations endpoint.
    ///
    /// While NATS is unreachable (or the stream or bucket cannot be created) it waits and
    /// tries again, 200 ms doubling to 5 s, logging why at warn: a bridge started before its
    /// broker (or during a broker restart) comes up with it. Drop the future to give up.
    ///
    /// # Errors
    /// A secret that cannot be read, a source that cannot be built, an invalid lease timing,
    /// the address not bindable.
    pub async fn start(config: BridgeConfig, options: RunOptions) -> Result<Self, BridgeError> {
        config.leases.validate()?;
        let closers = Closers::new();
        let sources = build_sources(&config.sources, &closers, config.publish.drain_timeout)?;
        let token = config.nats.token.as_ref().map(crate::SecretRef::resolve).transpose()?;
        let nats = crate::connect_with(&config.nats.url, token, &options.instance_id).await?;
        let js = jetstream::new(nats.clone());
        let kv = prepare(&js, &config).await?;
        let metrics = Arc::new(BridgeMetrics::new(config.sources.iter().map(crate::SourceConfig::name)));
        let publisher = Publisher::new(js, config.publish.clone()).with_observer(metrics.clone());
        let listener = match options.http_listen {
            Some(addr) => {
                let fail = |e: std::io::Error| BridgeError::Config { message: format!("cannot listen on {addr}: {e}") };
                let listener = TcpListener::bind(addr).await.map_err(fail)?;
                let bound = listener.local_addr().map_err(fail)?;
                Some((listener, bound))
            }
            None => None,
        };
        Ok(Bridge { options, config, sources, closers, nats, kv, publisher, metrics, listener })
    }

    /// The address the operations endpoint listens on.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.listener.as_ref().map(|(_, addr)| *addr)
    }

    /// The metrics (the same as `GET /metrics` serves).
    pub fn metrics(&self) -> &Arc<BridgeMetrics> {
        &self.metrics
    }

    /// Follows this instance's share of the sources until `shutdown` completes, then stops
    /// cleanly: every follower drains (at most `publish.drain_timeout`), the leases and the
    /// announcement are deleted, the sources finish (an unsubscribe, a queue's last commit),
    /// and the operations endpoint closes.
    ///
    /// # Errors
    /// None at present once started (failures are retried and logged); kept for the future.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), BridgeError> {
        let Bridge { options, config, sources, closers, nats, kv, publisher, metrics, listener } = self;
        let http = listener.map(|(listener, _)| {
            let ops = Arc::new(Ops { metrics, nats: nats.clone(), stale_after: config.leases.ttl });
            tokio::spawn(serve(listener, ops))
        });
        tracing::info!(instance = %options.instance_id, sources = sources.len(), "bridge running");
        let instance = Instance::new(options.instance_id.clone(), kv, publisher, sources, config.leases.clone());
        instance.run(shutdown).await;
        let left = closers.wait(config.publish.drain_timeout + Duration::from_secs(10)).await;
        if left > 0 {
            tracing::warn!(left, "sources still finishing at exit were cut short");
        }
        if tokio::time::timeout(Duration::from_secs(5), nats.flush()).await.is_err() {
            tracing::warn!("NATS flush timed out at exit");
        }
        if let Some(http) = http {
            http.abort();
        }
        tracing::info!(instance = %options.instance_id, "bridge stopped");
        Ok(())
    }
}

/// Creates the stream and opens the lease bucket, retrying NATS failures with back-off.
async fn prepare(js: &jetstream::Context, config: &BridgeConfig) -> Result<jetstream::kv::Store, BridgeError> {
    let mut delay = Duration::from_millis(200);
    loop {
        let attempt = async {
            ensure_stream(js, &config.stream).await?;
            open_lease_bucket(js, &config.leases).await
        };
        match attempt.await {
            Ok(kv) => return Ok(kv),
            Err(e @ BridgeError::Nats { .. }) => {
                tracing::warn!(error = %e, retry_in = ?delay, "NATS not ready; retrying");
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs one bridge instance until `shutdown` completes: [`Bridge::start`], then
/// [`Bridge::run`]. A `shutdown` while it still waits for NATS returns `Ok` at once.
///
/// # Errors
/// See [`Bridge::start`].
pub async fn run(
    config: BridgeConfig,
    options: RunOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BridgeError> {
    tokio::pin!(shutdown);
    let bridge = tokio::select! {
        started = Bridge::start(config, options) => started?,
        // Stopped while waiting for NATS: nothing was followed, nothing to release.
        () = &mut shutdown => return Ok(()),
    };
    bridge.run(shutdown).await
}
