//! The configured sources as [`FeedFactory`]s: a Device Gateway's supervised alarm
//! subscription, a Hik-Partner Pro key's alarm queue consumer.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{BoxStream, Fuse};
use futures_util::{FutureExt, Stream, StreamExt};
use secrecy::ExposeSecret as _;
use tokio::sync::watch;
use tokio::task::JoinSet;
use watchpost::alarm::AlarmSource;
use watchpost::core::supervise::ConnectionState;
use watchpost::hikgw;
use watchpost::hikgw::events::AlarmItem;
use watchpost::hikgw::models::SubscribeDeviceMgmtMsg;
use watchpost::hpp;
use watchpost::hpp::consumer::{Consumer, ConsumerConfig, ALARM_VENDOR as HPP_VENDOR};

use crate::config::{HppRegion, SourceConfig};
use crate::error::BridgeError;
use crate::feed::{AlarmFeed, FeedFactory, FeedFinisher, FeedItem};

/// How long a Device Gateway subscription given up (lease lost or released, shutdown) may take
/// to be ended on the gateway before the connection is simply dropped (the gateway then ends it
/// itself).
const UNSUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The tasks that finish a source after its feed was dropped (an unsubscribe, a queue
/// consumer committing the batch whose alarms were all stored). The runner waits for them
/// before it returns, so a clean stop does not cut them short. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Closers {
    tasks: Arc<Mutex<JoinSet<()>>>,
}

impl Closers {
    /// No task yet.
    pub fn new() -> Self {
        Closers::default()
    }

    /// Runs `task` on the current runtime (nothing when called outside one: there is nothing
    /// left to finish then).
    fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
            // Reap the finished ones so the set does not grow with every takeover.
            while tasks.try_join_next().is_some() {}
            tasks.spawn_on(task, &handle);
        }
    }

    /// Waits until every task spawned so far has finished, at most `timeout`; returns how many
    /// were still running then (they are aborted).
    pub async fn wait(&self, timeout: Duration) -> usize {
        let mut tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        let all = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(timeout, all).await.is_err() {
            let left = tasks.len();
            tasks.abort_all();
            return left;
        }
        0
    }
}

/// Turns every configured source into a [`FeedFactory`], resolving its secret now.
///
/// `drain` is how long a stopped queue source (HPP) may take to commit the batch whose alarms
/// were all stored (use [`PublishSettings::drain_timeout`](crate::PublishSettings)).
///
/// # Errors
/// [`BridgeError::Secret`] when a secret reference cannot be read, [`BridgeError::Config`]
/// when a client cannot be built from the settings (a bad URL).
pub fn build_sources(
    configs: &[SourceConfig],
    closers: &Closers,
    drain: Duration,
) -> Result<Vec<Arc<dyn FeedFactory>>, BridgeError> {
    configs.iter().map(|c| build_source(c, closers, drain)).collect()
}

fn build_source(
    config: &SourceConfig,
    closers: &Closers,
    drain: Duration,
) -> Result<Arc<dyn FeedFactory>, BridgeError> {
    let name = config.name().to_owned();
    let client_error = |e: &dyn std::fmt::Display| BridgeError::Config { message: format!("source {name:?}: {e}") };
    match config {
        SourceConfig::HikGateway { base_url, username, password, idle_timeout, resync, .. } => {
            let password = password.resolve()?;
            let mut events = hikgw::events::EventStreamConfig::default();
            if let Some(t) = idle_timeout {
                events.idle_timeout = *t;
            }
            if let Some(r) = resync {
                events.resync = *r;
            }
            let client = hikgw::Client::builder()
                .base_url(base_url.clone())
                .credentials(username.clone(), password.expose_secret())
                .events(events)
                .build()
                .map_err(|e| client_error(&e))?;
            Ok(Arc::new(HikGatewaySource { name, client, closers: closers.clone() }))
        }
        SourceConfig::Hpp { app_key, app_secret, base_url, region, .. } => {
            let secret = app_secret.resolve()?;
            let mut builder = hpp::Client::builder().app_key(app_key.clone()).secret_key(secret.expose_secret());
            if let Some(region) = region {
                builder = builder.region(match region {
                    HppRegion::Global => hpp::Region::Global,
                    HppRegion::Russia => hpp::Region::Russia,
                    HppRegion::LegacyGlobal => hpp::Region::LegacyGlobal,
                    HppRegion::LegacyRussia => hpp::Region::LegacyRussia,
                });
            }
            if let Some(url) = base_url {
                builder = builder.base_url(url.clone());
            }
            let client = builder.build().map_err(|e| client_error(&e))?;
            let source = AlarmSource::new(HPP_VENDOR, app_key.clone());
            Ok(Arc::new(HppSource { name, client, source, closers: closers.clone(), drain }))
        }
    }
}

/// A Device Gateway: each [`start`](FeedFactory::start) subscribes to every device's events
/// (the SDK's supervised stream: reconnects with back-off, a resync after each subscription).
/// A stopped feed is finished: the subscription is ended on the gateway while the stream is
/// still read, so the events the gateway pushed before it closed are stored (a push source does
/// not send them again). Dropping a feed that was not finished unsubscribes (at most
/// [`UNSUBSCRIBE_TIMEOUT`], on a [`Closers`] task).
struct HikGatewaySource {
    name: String,
    client: hikgw::Client,
    closers: Closers,
}

impl FeedFactory for HikGatewaySource {
    fn name(&self) -> &str {
        &self.name
    }

    fn start(&self) -> AlarmFeed {
        let alarms = self.client.subscribe(SubscribeDeviceMgmtMsg::all()).gateway_alarms();
        let state = alarms.state();
        let closers = self.closers.clone();
        let name = self.name.clone();
        let on_drop = Box::new(move |alarms: hikgw::events::AlarmStream| {
            closers.spawn(async move {
                unsubscribed(&name, alarms.into_events().unsubscribe()).await;
            });
        });
        let finisher = alarms.events().finisher();
        let name = self.name.clone();
        let finish: FeedFinisher =
            Box::new(move || async move { unsubscribed(&name, finisher.finish()).await }.boxed());
        let followed = Followed::new(self.name.clone(), alarms, hik_item, state, on_drop);
        AlarmFeed::new(self.name.clone(), followed.boxed()).with_finisher(finish)
    }
}

/// Whether `unsubscribe` (ending a gateway subscription) succeeded within
/// [`UNSUBSCRIBE_TIMEOUT`]; a failure is logged (the connection is then dropped).
async fn unsubscribed(
    name: &str,
    unsubscribe: impl std::future::Future<Output = watchpost::Result<Option<hikgw::models::ResponseStatus>>>,
) -> bool {
    match tokio::time::timeout(UNSUBSCRIBE_TIMEOUT, unsubscribe).await {
        Ok(Ok(_)) => {
            tracing::debug!(source = %name, "unsubscribed");
            true
        }
        Ok(Err(e)) => {
            tracing::info!(source = %name, error = %e, "unsubscribe failed; the connection is dropped");
            false
        }
        Err(_) => {
            tracing::info!(source = %name, "unsubscribe timed out; the connection is dropped");
            false
        }
    }
}

fn hik_item(name: &str, item: watchpost::Result<AlarmItem>) -> Option<FeedItem> {
    match item {
        Ok(AlarmItem::Alarm(delivery)) => Some(FeedItem::Alarm(delivery)),
        Ok(AlarmItem::ResyncStarted) => {
            tracing::info!(source = %name, "resync: reading the standing alarms");
            None
        }
        Ok(AlarmItem::ResyncDone(summary)) => {
            tracing::info!(source = %name, ?summary, "resync done");
            None
        }
        Err(e) => {
            tracing::warn!(source = %name, error = %e, "gateway stream error");
            None
        }
    }
}

/// A Hik-Partner Pro key: each [`start`](FeedFactory::start) runs a queue consumer whose
/// acknowledgements commit the offsets. Dropping the feed shuts the consumer down and keeps
/// reading it (dropping what comes: not acknowledged, delivered again) for at most the drain
/// time, so the batch whose alarms were all stored is committed.
struct HppSource {
    name: String,
    client: hpp::Client,
    source: AlarmSource,
    closers: Closers,
    drain: Duration,
}

impl FeedFactory for HppSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn start(&self) -> AlarmFeed {
        let config = ConsumerConfig::default().shutdown_grace(self.drain);
        let alarms = Consumer::new(&self.client, config).alarms(self.source.clone());
        let handle = alarms.handle();
        let state = handle.state();
        let closers = self.closers.clone();
        let name = self.name.clone();
        let drain = self.drain;
        let on_drop = Box::new(move |mut alarms: hpp::consumer::Alarms| {
            handle.shutdown();
            closers.spawn(async move {
                // What still comes is dropped: not acknowledged, so delivered again. The consumer
                // commits the batch in hand only once every alarm of it was acknowledged.
                let rest = async { while alarms.next().await.is_some() {} };
                // The grace of the batch in hand, and a little for the commit itself.
                if tokio::time::timeout(drain + Duration::from_secs(5), rest).await.is_err() {
                    tracing::warn!(source = %name, "the queue consumer did not stop in time");
                } else {
                    tracing::debug!(source = %name, "queue consumer stopped");
                }
            });
        });
        let followed = Followed::new(self.name.clone(), alarms, hpp_item, state, on_drop);
        AlarmFeed::new(self.name.clone(), followed.boxed())
    }
}

fn hpp_item(
    name: &str,
    item: watchpost::Result<watchpost::alarm::Delivery<watchpost::alarm::Alarm>>,
) -> Option<FeedItem> {
    match item {
        Ok(delivery) => Some(FeedItem::Alarm(delivery)),
        Err(e) => {
            tracing::warn!(source = %name, error = %e, "queue consumer error");
            None
        }
    }
}

/// A vendor stream with its connection state merged in as [`FeedItem::State`] items (each
/// change once, the current state first), ending when the vendor stream ends (after its last
/// state), and handing the vendor stream to `on_drop` when dropped.
struct Followed<S: Stream + Unpin> {
    name: String,
    inner: Option<S>,
    map: fn(&str, S::Item) -> Option<FeedItem>,
    states: Fuse<BoxStream<'static, ConnectionState>>,
    state_rx: watch::Receiver<ConnectionState>,
    last_state: Option<ConnectionState>,
    on_drop: Option<Box<dyn FnOnce(S) + Send>>,
}

impl<S: Stream + Unpin> Followed<S> {
    fn new(
        name: String,
        inner: S,
        map: fn(&str, S::Item) -> Option<FeedItem>,
        state_rx: watch::Receiver<ConnectionState>,
        on_drop: Box<dyn FnOnce(S) + Send>,
    ) -> Self {
        let states = watch_states(state_rx.clone()).fuse();
        Followed { name, inner: Some(inner), map, states, state_rx, last_state: None, on_drop: Some(on_drop) }
    }

    /// The state if it differs from the last one handed out.
    fn changed(&mut self, state: ConnectionState) -> Option<FeedItem> {
        if self.last_state.as_ref() == Some(&state) {
            return None;
        }
        self.last_state = Some(state.clone());
        Some(FeedItem::State(state))
    }
}

/// The current state, then every change (the watch channel keeps only the latest).
fn watch_states(rx: watch::Receiver<ConnectionState>) -> BoxStream<'static, ConnectionState> {
    futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let state = rx.borrow_and_update().clone();
        Some((state, (rx, false)))
    })
    .boxed()
}

impl<S: Stream + Unpin> Stream for Followed<S> {
    type Item = FeedItem;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<FeedItem>> {
        let this = &mut *self;
        loop {
            // States first, so that `connected` is stored before the alarms that follow it.
            while let Poll::Ready(Some(state)) = this.states.poll_next_unpin(cx) {
                if let Some(item) = this.changed(state) {
                    return Poll::Ready(Some(item));
                }
            }
            let Some(inner) = this.inner.as_mut() else { return Poll::Ready(None) };
            match inner.poll_next_unpin(cx) {
                Poll::Ready(Some(item)) => {
                    if let Some(item) = (this.map)(&this.name, item) {
                        return Poll::Ready(Some(item));
                    }
                }
                Poll::Ready(None) => {
                    tracing::info!(source = %this.name, "the source's stream ended");
                    // Ended by itself: nothing to finish on drop.
                    this.inner = None;
                    this.on_drop = None;
                    let last = this.state_rx.borrow().clone();
                    return Poll::Ready(this.changed(last));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<S: Stream + Unpin> Drop for Followed<S> {
    fn drop(&mut self) {
        if let (Some(on_drop), Some(inner)) = (self.on_drop.take(), self.inner.take()) {
            on_drop(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::sync::mpsc;
    use watchpost::alarm::{Alarm, Category, Delivery, RawEvent};

    fn alarm(n: u32) -> Alarm {
        Alarm {
            source: AlarmSource::new("hik-gateway", "http://gw"),
            device_id: format!("dev{n}"),
            device_name: None,
            zone: None,
            partition: None,
            channel: None,
            user: None,
            event_time: None,
            received_at: std::time::SystemTime::UNIX_EPOCH,
            category: Category::Intrusion,
            restore_of: None,
            code: "1130".into(),
            description: String::new(),
            correlation_id: None,
            media: vec![],
            raw: RawEvent::Json(serde_json::json!({ "n": n })),
        }
    }

    /// Even numbers are alarms; odd ones are left out (as errors and resync markers are).
    fn map(_: &str, n: u32) -> Option<FeedItem> {
        n.is_multiple_of(2).then(|| FeedItem::Alarm(Delivery::unacknowledged(alarm(n))))
    }

    type Inner = BoxStream<'static, u32>;

    fn rig() -> (mpsc::UnboundedSender<u32>, watch::Sender<ConnectionState>, Followed<Inner>, Arc<AtomicBool>) {
        let (tx, rx) = mpsc::unbounded_channel::<u32>();
        let inner: Inner =
            futures_util::stream::unfold(rx, |mut rx| async move { Some((rx.recv().await?, rx)) }).boxed();
        let (state_tx, state_rx) = watch::channel(ConnectionState::Connecting);
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&dropped);
        let on_drop = Box::new(move |_: Inner| flag.store(true, Ordering::SeqCst));
        (tx, state_tx, Followed::new("s".into(), inner, map, state_rx, on_drop), dropped)
    }

    fn describe(item: Option<FeedItem>) -> String {
        match item {
            Some(FeedItem::Alarm(d)) => d.item().device_id.clone(),
            Some(FeedItem::State(s)) => format!("{s:?}"),
            None => "end".into(),
        }
    }

    #[tokio::test]
    async fn states_come_first_once_each_and_a_stream_that_ends_ends_with_its_last_state() {
        let (tx, state_tx, mut feed, dropped) = rig();
        assert_eq!(describe(feed.next().await), "Connecting");
        state_tx.send_replace(ConnectionState::Connected);
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        assert_eq!(describe(feed.next().await), "Connected");
        assert_eq!(describe(feed.next().await), "dev2", "1 is left out");
        // The same state again is not repeated.
        state_tx.send_replace(ConnectionState::Connected);
        tx.send(4).unwrap();
        assert_eq!(describe(feed.next().await), "dev4");
        state_tx.send_replace(ConnectionState::Closed);
        drop(tx);
        assert_eq!(describe(feed.next().await), "Closed");
        assert_eq!(describe(feed.next().await), "end");
        assert_eq!(describe(feed.next().await), "end", "stays ended");
        drop(feed);
        assert!(!dropped.load(Ordering::SeqCst), "a stream that ended by itself has nothing to finish");
    }

    #[tokio::test]
    async fn dropping_a_live_feed_hands_the_stream_to_its_closer() {
        let (_tx, _state_tx, mut feed, dropped) = rig();
        assert_eq!(describe(feed.next().await), "Connecting");
        drop(feed);
        assert!(dropped.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn closers_are_waited_for_and_cut_short_after_the_timeout() {
        let closers = Closers::new();
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        closers.spawn(async move { flag.store(true, Ordering::SeqCst) });
        closers.spawn(std::future::pending());
        assert_eq!(closers.wait(Duration::from_millis(200)).await, 1);
        assert!(done.load(Ordering::SeqCst));
    }
}
