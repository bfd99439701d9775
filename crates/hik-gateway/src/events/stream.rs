//! The supervised alarm stream of `subscribeDeviceMgmt` (6.1, 8.2.3).

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::task::AtomicWaker;
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;
use watchpost_core::error::TimeoutPhase;
use watchpost_core::multipart::{boundary_from_content_type, decode_stream, DecoderConfig};
use watchpost_core::operation::ToRequest;
use watchpost_core::pipeline::VendorProfile;
use watchpost_core::retry::{ExponentialBackoff, JitterSource, RandomJitter};
use watchpost_core::supervise::{supervise, ConnectionState, SuperviseConfig, Supervised, SupervisedStream};
use watchpost_core::{Error, RawResponse, Result};

use super::model::Event;
use super::parse::{parse_part, Part};
use super::resync::{resync, ResyncLimits, ResyncReport, ResyncSummary};
use crate::client::{unsupported_under_all, Client};
use crate::error::status_error;
use crate::generated::{
    ops, AddDeviceEventsRequest, GetDeviceEventsRequest, QuerySubscriptionStatusRequest, RemoveDeviceEventsRequest,
    SubscribeRawRequest, UnsubscribeRequest,
};
use crate::models::{
    DevEvent, DevSubscribeStatus, EventMode, ResponseStatus, SubscribeDevEventMsg, SubscribeDeviceMgmtMsg,
    SubscribeDeviceMgmtRsp, UploadMode,
};
use crate::profile::HikProfile;

/// How the alarm stream watches and re-subscribes. Plain data; every field has a default.
#[derive(Debug, Clone)]
pub struct EventStreamConfig {
    /// Re-subscribe when nothing (not even a heartbeat) arrives for this long; the seed suggests
    /// 30 s for its 10 s heartbeat (6.1 step 4). Default is 30 s.
    pub idle_timeout: Duration,
    /// Delays between re-subscription attempts. Default is 1 s doubling to 30 s with full jitter.
    pub backoff: ExponentialBackoff,
    /// A subscription that lived this long counts as healthy: when it is lost the back-off
    /// restarts and the client re-subscribes at once. Default is 60 s.
    pub healthy_after: Duration,
    /// Give up after this many consecutive failed subscriptions before the first one
    /// succeeded; `None` retries forever. Once a subscription succeeded, the stream never
    /// gives up. Default is `None`.
    pub max_attempts: Option<u32>,
    /// Once a subscription had succeeded, the wait after a rejected login before the next
    /// attempt (each attempt may cost one of the gateway's lock-out attempts), jittered to
    /// between half and all of it. Default is 10 min.
    pub rejected_backoff: Duration,
    /// Read the panels' standing state after every subscription (see [`Notification::Resync`]).
    /// Default is `true`.
    pub resync: bool,
    /// Panels whose state a resync reads at the same time (each panel costs two requests, one
    /// after the other, so at most this many requests are in flight). Default is 4.
    pub resync_concurrency: usize,
    /// Largest part accepted; a larger part is reported as an error item and skipped (event
    /// parts are 0.2-4 KiB). Default is 64 KiB.
    pub max_part_size: usize,
    /// Jitter source of the back-off (tests inject a fixed one). Default is random.
    pub jitter: Arc<dyn JitterSource>,
}

impl Default for EventStreamConfig {
    fn default() -> Self {
        EventStreamConfig {
            idle_timeout: Duration::from_secs(30),
            // An ARC wants the link back quickly; 30 s caps the wait at one idle period.
            backoff: ExponentialBackoff { initial: Duration::from_secs(1), max: Duration::from_secs(30), jitter: true },
            healthy_after: Duration::from_secs(60),
            max_attempts: None,
            // Hikvision locks a user for 30 min after about 7 failures; see SuperviseConfig.
            rejected_backoff: Duration::from_secs(10 * 60),
            resync: true,
            // A gateway serves its panels over ISUP links to the panels: a few reads at a time
            // keep a resync of 100 panels quick without a burst of hundreds of requests.
            resync_concurrency: 4,
            max_part_size: 64 * 1024,
            jitter: Arc::new(RandomJitter),
        }
    }
}

impl EventStreamConfig {
    /// Sets [`EventStreamConfig::idle_timeout`].
    #[must_use]
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }

    /// Sets [`EventStreamConfig::backoff`].
    #[must_use]
    pub fn backoff(mut self, backoff: ExponentialBackoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets [`EventStreamConfig::healthy_after`].
    #[must_use]
    pub fn healthy_after(mut self, healthy_after: Duration) -> Self {
        self.healthy_after = healthy_after;
        self
    }

    /// Sets [`EventStreamConfig::max_attempts`].
    #[must_use]
    pub fn max_attempts(mut self, max_attempts: Option<u32>) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Sets [`EventStreamConfig::rejected_backoff`].
    #[must_use]
    pub fn rejected_backoff(mut self, delay: Duration) -> Self {
        self.rejected_backoff = delay;
        self
    }

    /// Sets [`EventStreamConfig::resync`].
    #[must_use]
    pub fn resync(mut self, resync: bool) -> Self {
        self.resync = resync;
        self
    }

    /// Sets [`EventStreamConfig::resync_concurrency`] (0 counts as 1).
    #[must_use]
    pub fn resync_concurrency(mut self, panels: usize) -> Self {
        self.resync_concurrency = panels;
        self
    }

    /// Sets [`EventStreamConfig::max_part_size`].
    #[must_use]
    pub fn max_part_size(mut self, bytes: usize) -> Self {
        self.max_part_size = bytes;
        self
    }

    /// Sets [`EventStreamConfig::jitter`].
    #[must_use]
    pub fn jitter(mut self, jitter: Arc<dyn JitterSource>) -> Self {
        self.jitter = jitter;
        self
    }
}

/// An item of the alarm stream.
// Nearly every item is an event: boxing it would add an allocation per event to save space
// only in the rare state and subscription items.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Notification {
    /// The connection state changed: `Connecting` means alarms may have been missed since
    /// the last `Connected` (also published on [`EventStream::state`]).
    State(ConnectionState),
    /// A (re)subscription took effect: its ID and the devices that could not be armed.
    Subscribed(SubscribeDeviceMgmtRsp),
    /// An event: an alarm, a status change or a heartbeat.
    Event(Event),
    /// A resync begins: the panels' standing state follows (one `Resync` or one `Err` item per
    /// panel), then `ResyncDone`. Sent after every `Subscribed` when
    /// [`EventStreamConfig::resync`] is on, before any event of that subscription.
    ResyncStarted,
    /// The standing state of one panel, read with its status operations right after the
    /// subscription took effect: the zones and partitions in alarm *now*, whether or not their
    /// event was missed.
    Resync(ResyncReport),
    /// The resync is over: live events of the subscription follow. Says which panels could not
    /// be read.
    ResyncDone(ResyncSummary),
}

/// The alarm stream of [`Client::subscribe`]: a `Stream` of [`Notification`]s that never ends
/// on its own once a subscription succeeded.
///
/// Before the first subscription succeeded, a rejected login, a permanent refusal or
/// `max_attempts` end it after a `State(Closed)` item (a wrong password or a wrong request is
/// not repeated). From then on, nothing ends it but dropping it or
/// [`EventStream::unsubscribe`]: a part that cannot be parsed, an idle timeout (no heartbeat
/// for [`EventStreamConfig::idle_timeout`]), a lost connection, even a refusal or a rejected
/// login are reported as `Err` items, and the stream re-subscribes with back-off (the gateway's
/// new subscription ID replaces the old; a rejected login waits
/// [`EventStreamConfig::rejected_backoff`]).
///
/// After every subscription, a resync reports what is standing on the panels
/// ([`Notification::ResyncStarted`], [`Notification::Resync`], [`Notification::ResyncDone`]),
/// so an alarm raised while the stream was down is not lost silently.
pub struct EventStream {
    inner: SupervisedStream<Notification>,
    state: watch::Receiver<ConnectionState>,
    current: Arc<Mutex<Option<String>>>,
    /// What the next re-subscription asks for (per-device changes are folded in).
    request: Arc<Mutex<SubscribeDeviceMgmtMsg>>,
    client: Client,
    /// Set by a [`Finisher`]: end with the current connection instead of re-subscribing.
    finish: Arc<FinishFlag>,
}

/// The shared "finish" request of an [`EventStream`] and its [`Finisher`]s.
#[derive(Debug, Default)]
struct FinishFlag {
    requested: AtomicBool,
    /// The stream's task, woken when a finish is requested while it waits (a back-off).
    waker: AtomicWaker,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("state", &*self.state.borrow())
            .field("subscription_id", &self.subscription_id())
            .finish_non_exhaustive()
    }
}

impl Stream for EventStream {
    type Item = Result<Notification>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let finishing = self.finish.requested.load(Ordering::Acquire);
        if finishing {
            // Nothing left to read once the subscription is gone (or was never made).
            if *self.state.borrow() != ConnectionState::Connected {
                return Poll::Ready(None);
            }
        } else {
            self.finish.waker.register(cx.waker());
        }
        let item = match self.inner.poll_next_unpin(cx) {
            Poll::Ready(item) => item,
            Poll::Pending => return Poll::Pending,
        };
        if finishing {
            // The connection is over (a state change or its end as an error): do not re-subscribe.
            if matches!(item, Some(Ok(Supervised::State(_)) | Err(_)) | None) {
                *lock(&self.current) = None;
                return Poll::Ready(None);
            }
        }
        Poll::Ready(item.map(|r| {
            r.map(|s| match s {
                Supervised::State(state) => {
                    if state != ConnectionState::Connected {
                        *lock(&self.current) = None;
                    }
                    Notification::State(state)
                }
                Supervised::Item(n) => {
                    if let Notification::Subscribed(rsp) = &n {
                        if let (Some(id), true) = (&rsp.id, self.is_all_mode()) {
                            self.client.note_all_mode_subscription(id);
                        }
                        *lock(&self.current) = rsp.id.clone();
                    }
                    n
                }
            })
        }))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl EventStream {
    pub(crate) fn start(client: Client, msg: SubscribeDeviceMgmtMsg) -> Self {
        let config = client.event_config().clone();
        let supervise_config = SuperviseConfig {
            op: ops::SUBSCRIBE_RAW.id.to_owned(),
            idle_timeout: Some(config.idle_timeout),
            backoff: config.backoff,
            healthy_after: config.healthy_after,
            max_attempts: config.max_attempts,
            rejected_backoff: config.rejected_backoff,
            jitter: config.jitter.clone(),
            metrics: client.pipeline().metrics().clone(),
        };
        let connect_client = client.clone();
        let config = Arc::new(config);
        let request = Arc::new(Mutex::new(msg));
        let connect_request = request.clone();
        let connect = move || {
            let client = connect_client.clone();
            let msg = lock(&connect_request).clone();
            let config = config.clone();
            async move { open(client, msg, config).await }
        };
        let (inner, state) = supervise(connect, supervise_config);
        EventStream {
            inner,
            state,
            current: Arc::new(Mutex::new(None)),
            request,
            client,
            finish: Arc::new(FinishFlag::default()),
        }
    }

    /// The base URL of the client the stream subscribes with.
    pub(super) fn client_base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// A receiver of the connection state (for dashboards and health checks).
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// The ID of the current subscription, once its first part arrived (`None` while
    /// reconnecting).
    pub fn subscription_id(&self) -> Option<String> {
        lock(&self.current).clone()
    }

    /// Whether this stream subscribes with `eventMode: all`.
    fn is_all_mode(&self) -> bool {
        lock(&self.request).subscribe_device_mgmt.event_mode == EventMode::All
    }

    /// Refuses `op` locally when the seed documents it as unsupported under `eventMode: all`.
    fn refuse_under_all(&self, op: &str) -> Result<()> {
        if self.is_all_mode() {
            return Err(unsupported_under_all(op));
        }
        Ok(())
    }

    fn require_id(&self, op: &str) -> Result<String> {
        self.subscription_id().ok_or_else(|| Error::invalid_input(op, "no active subscription (not connected yet)"))
    }

    /// Adds event types of one device to the current subscription (8.2.1, POST).
    /// Not supported when the subscription's eventMode is `all` (6.1 step 3): refused locally.
    ///
    /// Once the gateway accepted it, the change is also kept for every later re-subscription
    /// (a new subscription would otherwise start from the original request).
    ///
    /// # Errors
    /// [`Error::Unsupported`] under eventMode `all` (nothing sent); [`Error::InvalidInput`]
    /// while not subscribed; the gateway's typed error otherwise.
    pub async fn add_device_events(&self, dev: DevEvent) -> Result<ResponseStatus> {
        self.refuse_under_all(ops::ADD_DEVICE_EVENTS.id)?;
        let id = self.require_id(ops::ADD_DEVICE_EVENTS.id)?;
        let dev_index = dev.dev_index.clone();
        let req = AddDeviceEventsRequest::new(id, dev_index, SubscribeDevEventMsg { subscribe_dev_event: dev.clone() });
        let status = self.client.add_device_events(&req).await?;
        let mut request = lock(&self.request);
        let list = &mut request.subscribe_device_mgmt.dev_event_list;
        match list.iter_mut().find(|d| d.dev_index == dev.dev_index) {
            // Event types added to a device subscribed for some types extend its list.
            Some(existing) if existing.upload_mode == UploadMode::Part && dev.upload_mode == UploadMode::Part => {
                for kind in dev.event_list {
                    if !existing.event_list.contains(&kind) {
                        existing.event_list.push(kind);
                    }
                }
            }
            Some(existing) => *existing = dev,
            None => list.push(dev),
        }
        Ok(status)
    }

    /// The event types subscribed for one device (8.2.1, GET).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] while not subscribed; the gateway's typed error otherwise.
    pub async fn device_events(&self, dev_index: &str) -> Result<DevEvent> {
        let id = self.require_id(ops::GET_DEVICE_EVENTS.id)?;
        Ok(self.client.get_device_events(&GetDeviceEventsRequest::new(id, dev_index)).await?.subscribe_dev_event)
    }

    /// Removes one device's event types from the current subscription (8.2.4).
    /// Not supported when the subscription's eventMode is `all` (6.1 step 5): refused locally.
    ///
    /// # Errors
    /// [`Error::Unsupported`] under eventMode `all` (nothing sent); [`Error::InvalidInput`]
    /// while not subscribed; the gateway's typed error otherwise.
    pub async fn remove_device_events(&self, dev_index: &str) -> Result<ResponseStatus> {
        self.refuse_under_all(ops::REMOVE_DEVICE_EVENTS.id)?;
        let id = self.require_id(ops::REMOVE_DEVICE_EVENTS.id)?;
        let status = self.client.remove_device_events(&RemoveDeviceEventsRequest::new(id, dev_index)).await?;
        lock(&self.request).subscribe_device_mgmt.dev_event_list.retain(|d| d.dev_index != dev_index);
        Ok(status)
    }

    /// What the next re-subscription will ask for: the original request with the per-device
    /// changes made since.
    pub fn request(&self) -> SubscribeDeviceMgmtMsg {
        lock(&self.request).clone()
    }

    /// The per-device status of the current subscription (8.2.2).
    /// Not supported when the subscription's eventMode is `all` (6.1 step 2): refused locally.
    ///
    /// # Errors
    /// [`Error::Unsupported`] under eventMode `all` (nothing sent); [`Error::InvalidInput`]
    /// while not subscribed; the gateway's typed error otherwise.
    pub async fn query_status(&self) -> Result<Vec<DevSubscribeStatus>> {
        self.refuse_under_all(ops::QUERY_SUBSCRIPTION_STATUS.id)?;
        let id = self.require_id(ops::QUERY_SUBSCRIPTION_STATUS.id)?;
        Ok(self
            .client
            .query_subscription_status(&QuerySubscriptionStatusRequest::new(id))
            .await?
            .subscribe_query_status_list)
    }

    /// A handle that ends the subscription on the gateway while this stream is still read, so
    /// that the events the gateway sent before it closed the connection are not lost (unlike
    /// [`unsubscribe`](Self::unsubscribe), which drops the connection first). See [`Finisher`].
    pub fn finisher(&self) -> Finisher {
        Finisher { flag: Arc::clone(&self.finish), current: Arc::clone(&self.current), client: self.client.clone() }
    }

    /// Ends the subscription on the gateway (8.2.5) and closes the stream. Returns `None`
    /// when no subscription was active.
    ///
    /// # Errors
    /// The gateway's typed error; the stream is closed either way.
    pub async fn unsubscribe(self) -> Result<Option<ResponseStatus>> {
        let id = self.subscription_id();
        let EventStream { inner, client, .. } = self;
        drop(inner);
        unsubscribe_id(&client, id).await
    }
}

/// Finishes an [`EventStream`] gracefully: [`finish`](Self::finish) tells the stream to end
/// with its current connection instead of re-subscribing, then ends the subscription on the
/// gateway (8.2.5). Keep reading the stream: it yields what the gateway sent up to the close,
/// then ends. A gateway that keeps the connection open after the unsubscribe keeps the stream
/// open too, so bound the reading with a timeout. Cheap to clone.
#[derive(Clone)]
pub struct Finisher {
    flag: Arc<FinishFlag>,
    current: Arc<Mutex<Option<String>>>,
    client: Client,
}

impl std::fmt::Debug for Finisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finisher").field("requested", &self.flag.requested.load(Ordering::Relaxed)).finish()
    }
}

impl Finisher {
    /// Requests the end and unsubscribes the current subscription, if there is one (`None`
    /// otherwise: the stream ends at once).
    ///
    /// # Errors
    /// The gateway's typed error; the stream ends with its connection either way.
    pub async fn finish(&self) -> Result<Option<ResponseStatus>> {
        self.flag.requested.store(true, Ordering::Release);
        self.flag.waker.wake();
        let id = lock(&self.current).clone();
        unsubscribe_id(&self.client, id).await
    }
}

/// Ends the subscription `id` on the gateway (8.2.5); `None` when there is none.
async fn unsubscribe_id(client: &Client, id: Option<String>) -> Result<Option<ResponseStatus>> {
    match id {
        Some(id) => client.unsubscribe(&UnsubscribeRequest::new(id)).await.map(Some),
        None => Ok(None),
    }
}

type PartItems = BoxStream<'static, Result<Notification>>;

/// Converts one decoded part; `None` for parts that carry nothing (a success status).
fn convert(item: Result<watchpost_core::multipart::Part>) -> Option<Result<Notification>> {
    let op = ops::SUBSCRIBE_RAW.id;
    let part = match item {
        Ok(part) => part,
        Err(e) => return Some(Err(e)),
    };
    match parse_part(part.content_type(), &part.body) {
        Ok(Part::Event(e)) => Some(Ok(Notification::Event(e))),
        Ok(Part::Subscribed(r)) => Some(Ok(Notification::Subscribed(r))),
        Ok(Part::Status(s)) if s.is_success() => None,
        Ok(Part::Status(s)) => Some(Err(status_error(op, None, &s))),
        Err(source) => Some(Err(Error::Stream {
            op: op.to_owned(),
            message: "an alarm stream part could not be decoded; the stream continues".to_owned(),
            cause: Some(Box::new(Error::decode(op, None, &part.body, source))),
        })),
    }
}

/// Opens one subscription: POST, check that the answer is a multipart stream, read its first
/// part (the subscription ID, or a refusal), and return the rest as notifications.
///
/// When [`EventStreamConfig::resync`] is on, the resync items follow the first part, before
/// the events of the subscription (which wait, unread, in the connection meanwhile).
async fn open(client: Client, msg: SubscribeDeviceMgmtMsg, config: Arc<EventStreamConfig>) -> Result<PartItems> {
    let op = ops::SUBSCRIBE_RAW.id;
    let request = config.resync.then(|| msg.subscribe_device_mgmt.clone());
    let mut req = SubscribeRawRequest::new(msg).to_request()?.options(client.call_options());
    // One request per connection attempt (a Digest challenge round aside): the supervisor owns
    // the jittered back-off. The pipeline's own retries inside each attempt tripled what a
    // gateway that is down or busy received (up to 10 subscriptions within one second after a
    // cut, docs/PERFORMANCE.md).
    req.no_retry = true;
    let resp = client.pipeline().open_stream(req).await?;
    let content_type = resp.content_type().unwrap_or_default().to_owned();
    let idle = |_| Error::Timeout { op: op.to_owned(), phase: TimeoutPhase::Idle, after: config.idle_timeout };
    let declared = boundary_from_content_type(&content_type)
        .filter(|_| content_type.trim_start().to_ascii_lowercase().starts_with("multipart/"));
    let mut body = resp.body;
    let (boundary, prefix) = match declared {
        Some(b) => (b, None),
        None => {
            // No multipart content type. A body that starts with a delimiter line is a stream
            // anyway (mislabelled); anything else is a document, normally a refusal.
            let mut buf = Vec::new();
            let limit = config.max_part_size;
            let read = async {
                while let Some(chunk) = body.next().await {
                    buf.extend_from_slice(&chunk?);
                    if buf.len() > limit || sniff_boundary(&buf).is_some() {
                        break;
                    }
                }
                Ok::<_, Error>(())
            };
            tokio::time::timeout(config.idle_timeout, read).await.map_err(idle)??;
            match sniff_boundary(&buf) {
                Some(b) => (b, Some(bytes::Bytes::from(buf))),
                None => {
                    let raw = RawResponse { op, status: resp.status, headers: resp.headers, body: buf.into() };
                    HikProfile.classify(&raw)?;
                    // Not a refusal either (a proxy page, an empty answer): worth another try.
                    return Err(Error::api(
                        op,
                        Some(raw.status.as_u16()),
                        None,
                        Some(format!("the subscription was answered with {content_type:?}, not a multipart stream")),
                        watchpost_core::ErrorClass::Retryable,
                    ));
                }
            }
        }
    };
    let input = futures_util::stream::iter(prefix.map(Ok::<_, Error>)).chain(body);
    let decoder = DecoderConfig::default().max_part_size(config.max_part_size);
    let mut parts = decode_until_failure(input, &boundary, decoder, op);
    let first = loop {
        let next = tokio::time::timeout(config.idle_timeout, parts.next()).await.map_err(idle)?;
        match next {
            None => {
                return Err(Error::Stream {
                    op: op.to_owned(),
                    message: "the gateway closed the subscription before its first part".to_owned(),
                    cause: None,
                })
            }
            Some(Err(e @ Error::Transport { .. })) => return Err(e),
            Some(item) => match convert(item) {
                None => continue,
                // A refusal in the first part fails the connect (classified: busy is retried,
                // rejected credentials or bad content end the stream).
                Some(Err(e)) if !matches!(e, Error::Stream { .. }) => return Err(e),
                Some(first) => break first,
            },
        }
    };
    let rest = parts.filter_map(|item| std::future::ready(convert(item)));
    let resync = match request {
        Some(request) => {
            let unarmed: Vec<String> = match &first {
                Ok(Notification::Subscribed(rsp)) => rsp.fail_list.iter().map(|f| f.dev_index.clone()).collect(),
                _ => Vec::new(),
            };
            let limits = ResyncLimits { concurrency: config.resync_concurrency, budget: config.idle_timeout / 2 };
            resync(client, &request, &unarmed, limits)
        }
        None => futures_util::stream::empty().boxed(),
    };
    Ok(futures_util::stream::iter([first]).chain(resync).chain(rest).boxed())
}

/// Decodes the body into parts. A body error (a reset connection) ends the input first, so
/// that the decoder flushes what it holds: a complete part still waiting for its delimiter is
/// delivered and a part cut off is reported as an error item, never dropped silently. The body
/// error follows as the last item.
fn decode_until_failure(
    input: impl Stream<Item = Result<bytes::Bytes>> + Send + Unpin + 'static,
    boundary: &str,
    decoder: DecoderConfig,
    op: &str,
) -> BoxStream<'static, Result<watchpost_core::multipart::Part>> {
    let failure: Arc<Mutex<Option<Error>>> = Arc::default();
    let stash = failure.clone();
    let input = input.scan((), move |(), chunk| {
        std::future::ready(match chunk {
            Ok(bytes) => Some(Ok::<_, Error>(bytes)),
            Err(e) => {
                *lock(&stash) = Some(e);
                None
            }
        })
    });
    let failed =
        futures_util::stream::once(async move { lock(&failure).take() }).filter_map(|e| std::future::ready(e.map(Err)));
    decode_stream(input, boundary, decoder).op(op).chain(failed).boxed()
}

/// The boundary of a body that starts (after blank lines) with a `--boundary` line.
fn sniff_boundary(head: &[u8]) -> Option<String> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let line = &head[start..];
    let end = line.iter().position(|b| *b == b'\n')?;
    let token = std::str::from_utf8(line.get(2..end)?).ok()?.trim_end();
    (line.starts_with(b"--") && !token.is_empty() && !token.contains(char::is_whitespace)).then(|| token.to_owned())
}

impl Client {
    /// Subscribes to alarms and events (6.1, 8.2.3) and returns the supervised stream.
    ///
    /// The subscription starts when the stream is first polled. Each connection's first item
    /// is `Notification::Subscribed` with the subscription ID and the devices that could not be
    /// armed; then events follow as they arrive (heartbeats included, every 10 s by default).
    /// See [`EventStream`] for how failures are handled.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use hik_gateway::{Client, Notification, Event};
    /// use hik_gateway::models::SubscribeDeviceMgmtMsg;
    /// # async fn run(client: Client) {
    /// let mut alarms = client.subscribe(SubscribeDeviceMgmtMsg::all());
    /// while let Some(item) = alarms.next().await {
    ///     match item {
    ///         Ok(Notification::Event(Event::CidAlarm(a))) => println!("{:?} {:?}", a.header.dev_index, a.cid.code),
    ///         Ok(other) => println!("{other:?}"),
    ///         Err(e) => eprintln!("{}", e.report()),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn subscribe(&self, msg: SubscribeDeviceMgmtMsg) -> EventStream {
        EventStream::start(self.clone(), msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::EventState;
    use crate::models::DevStatus;

    /// The response body of the seed's chapter 6 example, verbatim (LF line endings, wrong
    /// Content-Length values 39/415/183, a trailing comma, `dataTime`, no closing delimiter).
    const SEED_STREAM: &str = include_str!("../../tests/data/seed_stream.txt");

    async fn decode(input: &str, chunk: usize) -> Vec<Result<Notification>> {
        let chunks: Vec<std::result::Result<bytes::Bytes, Error>> =
            input.as_bytes().chunks(chunk).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
        let parts = decode_stream(futures_util::stream::iter(chunks), BOUNDARY, DecoderConfig::default());
        parts.filter_map(|item| std::future::ready(convert(item))).collect().await
    }

    const BOUNDARY: &str = "boundary";

    #[tokio::test]
    async fn the_seed_example_stream_decodes_into_typed_notifications() {
        // The stream goes on after the example (the next part starts): all three parts decode,
        // whether a part's declared length is right (39), too large (415) or too small (183),
        // whatever the chunking (see also the next test).
        let continued = format!("{SEED_STREAM}--boundary\n");
        for chunk in [1, 2, 5, 64, 100, 4096] {
            let items = decode(&continued, chunk).await;
            let ok: Vec<&Notification> = items.iter().filter_map(|i| i.as_ref().ok()).collect();
            assert!(
                matches!(ok.first(), Some(Notification::Subscribed(r)) if r.id.as_deref() == Some("5939")),
                "{items:?}"
            );
            let status_changed = ok.iter().find_map(|n| match n {
                Notification::Event(Event::DevStatusChanged(d)) => Some(d),
                _ => None,
            });
            let d = status_changed.unwrap_or_else(|| panic!("chunk {chunk}: {items:?}"));
            assert_eq!(d.status, Some(DevStatus::Online));
            assert_eq!(d.header.event_state, Some(EventState::Active));
            let heartbeat = ok.iter().find_map(|n| match n {
                Notification::Event(e @ Event::Heartbeat(_)) => Some(e),
                _ => None,
            });
            let hb = heartbeat.unwrap_or_else(|| panic!("chunk {chunk}: {items:?}"));
            assert_eq!(hb.header().date_time.as_ref().map(|t| t.as_str()), Some("2018-12-26T19:39:21+08:00"));
            // Three parts, three notifications: the wrong lengths cost nothing.
            assert_eq!(ok.len(), 3, "chunk {chunk}: {items:?}");
            assert_eq!(items.len(), 3, "chunk {chunk}: {items:?}");
        }
    }

    #[tokio::test]
    async fn a_too_small_length_at_a_chunk_boundary_loses_nothing() {
        // Byte by byte, the third part reaches its (wrong, too small) length before the bytes
        // that show the length is wrong arrive. The core decoder does not trust a length that
        // ends a JSON body mid-document, so the part is framed by the next delimiter instead:
        // the same items as when the stream arrives in one piece.
        let continued = format!("{SEED_STREAM}--boundary\n");
        let byte_by_byte = decode(&continued, 1).await;
        let whole = decode(&continued, continued.len()).await;
        assert_eq!(format!("{byte_by_byte:?}"), format!("{whole:?}"));
        assert!(
            byte_by_byte
                .iter()
                .all(|i| !matches!(i, Err(Error::Stream { message, .. }) if message.contains("not a delimiter"))),
            "{byte_by_byte:?}"
        );
    }

    #[test]
    fn boundaries_are_sniffed_from_a_mislabelled_stream() {
        assert_eq!(sniff_boundary(b"\r\n--boundary\r\nContent-Type: x").as_deref(), Some("boundary"));
        assert_eq!(sniff_boundary(b"--MIME_boundary\n").as_deref(), Some("MIME_boundary"));
        assert_eq!(sniff_boundary(b"--boun"), None);
        assert_eq!(sniff_boundary(b"{\"statusCode\":4}\n"), None);
        assert_eq!(sniff_boundary(b"--\n"), None);
        assert_eq!(sniff_boundary(b""), None);
    }

    #[tokio::test]
    async fn a_stream_that_ends_inside_a_part_reports_it_typed() {
        // The connection ends in the middle of the second part.
        let cut = &SEED_STREAM[..SEED_STREAM.find("\"eventState\"").unwrap_or(200)];
        let items = decode(cut, 16).await;
        assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 1, "{items:?}");
        match items.last() {
            Some(Err(Error::Stream { message, .. })) => assert!(message.contains("cut off"), "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_too_small_length_ending_at_an_inner_brace_is_never_dropped_silently() {
        // The declared length ends right after an inner `}` and the read boundary falls there:
        // the body looks like a complete document. The alarm must be delivered, or at the very
        // least reported as an error item (today the core decoder only looks at the last byte,
        // so it is reported, see the review notes); it must never vanish without an item.
        let body = r#"{"EventNotificationAlert":{"eventType":"CIDAlarm","CIDAlarm":{"CIDCode":"1130","UUID":"u1"},"devIndex":"d"}}"#;
        let cut = body.find("},").map_or(body.len(), |i| i + 1);
        let head = format!("--boundary\r\nContent-Type: application/json\r\nContent-Length: {cut}\r\n\r\n");
        let all = format!("{head}{body}\r\n--boundary\r\n");
        let split = head.len() + cut;
        let chunks: Vec<std::result::Result<bytes::Bytes, Error>> = vec![
            Ok(bytes::Bytes::copy_from_slice(&all.as_bytes()[..split])),
            Ok(bytes::Bytes::copy_from_slice(&all.as_bytes()[split..])),
        ];
        let parts = decode_stream(futures_util::stream::iter(chunks), BOUNDARY, DecoderConfig::default());
        let items: Vec<_> = parts.filter_map(|item| std::future::ready(convert(item))).collect().await;
        let delivered = items
            .iter()
            .any(|i| matches!(i, Ok(Notification::Event(Event::CidAlarm(a))) if a.cid.uuid.as_deref() == Some("u1")));
        let reported = items.iter().any(|i| matches!(i, Err(Error::Stream { cause: Some(_), .. })));
        assert!(delivered || reported, "{items:?}");
    }
}
