//! The consumer side: the stream's alarms (and connection states), typed, through a durable
//! JetStream pull consumer, each handed out as a [`Delivery`] whose acknowledgement acknowledges
//! the JetStream message.
//!
//! Acknowledgement semantics follow [`Delivery`]'s: [`Delivery::ack`] sends `+ACK` (the durable
//! consumer moves past the message for good); a delivery dropped (or its [`Ack`] nacked)
//! without `ack` sends `-NAK`, so JetStream delivers the message again at once, to this or the
//! next subscriber of the same durable. A message pulled but never handed out (the subscriber
//! was dropped with messages still buffered) is delivered again after the consumer's
//! [`ack_wait`](ConsumeSettings::ack_wait). At least once: a consumer that must not act twice on
//! one alarm deduplicates by [`StoredAlarm::message_id`].
//!
//! A message that does not decode (not an alarm's JSON, not a state) is never hidden: it is
//! logged (`error`), yielded as a [`BridgeError::Decode`] item naming its subject and stream
//! sequence, and terminated (`+TERM`: JetStream does not deliver it again, so it cannot block
//! or loop; it stays in the stream under its sequence for inspection). The stream goes on.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, SystemTime};

use async_nats::jetstream::consumer::pull::{self, MessagesErrorKind};
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy};
use async_nats::jetstream::message::{AckKind, Acker};
use async_nats::jetstream::{self, Message};
use futures_util::future::BoxFuture;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use watchpost_core::alarm::{Ack, Alarm, Delivery};
use watchpost_core::supervise::ConnectionState;

use crate::error::BridgeError;

/// Where a new durable consumer starts in the stream.
///
/// It applies only when the durable is created: an existing durable resumes after its last
/// acknowledged message, whatever is asked here (that is what a durable is for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeliverFrom {
    /// Every message still in the stream. The default.
    #[default]
    All,
    /// Only messages stored after the consumer is created.
    New,
    /// From this stream sequence on.
    Sequence(u64),
    /// From the first message stored at or after this time.
    Time(SystemTime),
}

impl DeliverFrom {
    fn policy(self) -> DeliverPolicy {
        match self {
            DeliverFrom::All => DeliverPolicy::All,
            DeliverFrom::New => DeliverPolicy::New,
            DeliverFrom::Sequence(start_sequence) => DeliverPolicy::ByStartSequence { start_sequence },
            DeliverFrom::Time(t) => DeliverPolicy::ByStartTime { start_time: OffsetDateTime::from(t) },
        }
    }
}

/// How an [`AlarmSubscriber`] consumes the stream: plain data, every field has a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumeSettings {
    /// The stream's name. Default `WATCHPOST_ALARMS` (as [`crate::StreamSettings`]).
    pub stream: String,
    /// The durable consumer's name: subscribers with the same name share one position (and
    /// split the messages between them). Default `watchpost-alarms`.
    pub durable: String,
    /// The first token of every subject. Default `watchpost` (as [`crate::StreamSettings`]).
    pub subject_prefix: String,
    /// The subjects to consume; `None` for `<prefix>.alarms.>` (every alarm, no state). Use
    /// `<prefix>.>` for alarms and connection states. Default `None`.
    pub filter_subject: Option<String>,
    /// Where a new durable starts. Default [`DeliverFrom::All`].
    pub deliver_from: DeliverFrom,
    /// How long JetStream waits for the acknowledgement of a delivered message before it
    /// delivers it again. Default 30 s (JetStream's default).
    pub ack_wait: Duration,
    /// Messages delivered and not yet acknowledged, at most: JetStream delivers no more until
    /// some are acknowledged. Default 1,000 (JetStream's default).
    pub max_ack_pending: i64,
    /// Messages asked for per pull request (pulled ahead of the consumer; those not handed out
    /// when the subscriber stops come again after `ack_wait`). Default 64.
    pub batch: usize,
    /// The idle heartbeat the server sends on a waiting pull request: when two in a row are
    /// missed (the consumer was deleted, the connection is dead) the consumer is opened again.
    /// Default 5 s.
    pub heartbeat: Duration,
    /// First delay before reopening the consumer after it failed or was deleted (doubling).
    /// Default 200 ms.
    pub reopen_initial: Duration,
    /// Longest delay between attempts to reopen the consumer. Default 10 s.
    pub reopen_max: Duration,
}

impl Default for ConsumeSettings {
    fn default() -> Self {
        ConsumeSettings {
            stream: "WATCHPOST_ALARMS".into(),
            durable: "watchpost-alarms".into(),
            subject_prefix: "watchpost".into(),
            filter_subject: None,
            deliver_from: DeliverFrom::All,
            // JetStream's own defaults for a consumer (ack_wait 30 s, max_ack_pending 1000).
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 1000,
            batch: 64,
            heartbeat: Duration::from_secs(5),
            reopen_initial: Duration::from_millis(200),
            reopen_max: Duration::from_secs(10),
        }
    }
}

impl ConsumeSettings {
    /// The filter subject: [`filter_subject`](Self::filter_subject) or `<prefix>.alarms.>`.
    pub fn effective_filter(&self) -> String {
        self.filter_subject.clone().unwrap_or_else(|| format!("{}.alarms.>", self.subject_prefix))
    }

    fn consumer_config(&self) -> pull::Config {
        pull::Config {
            durable_name: Some(self.durable.clone()),
            deliver_policy: self.deliver_from.policy(),
            ack_policy: AckPolicy::Explicit,
            ack_wait: self.ack_wait,
            max_ack_pending: self.max_ack_pending,
            filter_subject: self.effective_filter(),
            description: Some("watchpost alarms consumer".into()),
            ..Default::default()
        }
    }
}

/// An alarm read from the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAlarm {
    /// The alarm, as the bridge published it.
    pub alarm: Alarm,
    /// The bridge's source name it was followed from (`Watchpost-Source`, else the subject's
    /// `<source>` token unescaped).
    pub source: String,
    /// Its `Nats-Msg-Id` (the same for re-publications of one alarm: deduplicate by it).
    pub message_id: Option<String>,
    /// Its sequence in the stream.
    pub stream_sequence: u64,
    /// When the stream stored it.
    pub stored_at: SystemTime,
    /// How many times it was delivered to this durable (1 the first time).
    pub delivered: u64,
}

/// A connection-state change of a bridge source (`<prefix>.state.<source>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredState {
    /// The source's name.
    pub source: String,
    /// The state's name as published (`connecting`, `connected`, `backoff`, `closed`, or a
    /// name this version does not know).
    pub name: String,
    /// The state, when its name is one this version knows.
    pub state: Option<ConnectionState>,
    /// When the bridge saw it, when the message says.
    pub at: Option<SystemTime>,
    /// Its sequence in the stream.
    pub stream_sequence: u64,
    /// When the stream stored it.
    pub stored_at: SystemTime,
}

/// One item of an [`AlarmSubscriber`].
#[derive(Debug)]
// Alarms are nearly every item: boxing them would allocate once more per alarm for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Consumed {
    /// An alarm; acknowledge it once handled.
    Alarm(Delivery<StoredAlarm>),
    /// A connection state (only when the filter covers `<prefix>.state.>`); acknowledge it too.
    State(Delivery<StoredState>),
}

/// What the acknowledgement task is asked to do.
enum AckCommand {
    /// Acknowledge (`+ACK`), or report not handled (`-NAK`), one message.
    Settle(Acker, bool),
    /// Terminate (`+TERM`) an undecodable message.
    Term(Acker, u64),
    /// Flush what was sent so far, then answer.
    Flush(oneshot::Sender<()>),
}

/// The stream's alarms through a durable pull consumer: a [`Stream`] of
/// `Result<`[`Consumed`]`, `[`BridgeError`]`>` that never ends by itself.
///
/// Errors are items and the stream goes on: an undecodable message ([`BridgeError::Decode`]:
/// logged, and terminated so that JetStream does not deliver it again), a failed pull while the
/// server is away (the client reconnects by itself and pulls again), a consumer that could not
/// be reopened (retried with back-off: a consumer deleted under the subscriber is created
/// again).
///
/// ```no_run
/// use futures_util::StreamExt;
/// use watchpost_bridge::async_nats::jetstream;
/// use watchpost_bridge::{AlarmSubscriber, ConsumeSettings, Consumed};
///
/// # async fn run() -> Result<(), watchpost_bridge::BridgeError> {
/// let client = watchpost_bridge::connect("nats://127.0.0.1:4222").await?;
/// let settings = ConsumeSettings { durable: "arc-screen".into(), ..ConsumeSettings::default() };
/// let mut alarms = AlarmSubscriber::connect(jetstream::new(client), settings).await?;
/// while let Some(item) = alarms.next().await {
///     match item {
///         Ok(Consumed::Alarm(delivery)) => {
///             println!("{:?}", delivery.item().alarm.description);
///             delivery.ack(); // dropping it instead: a NAK, delivered again
///         }
///         Ok(Consumed::State(delivery)) => {
///             delivery.ack();
///         }
///         Err(e) => eprintln!("{e}"), // an undecodable message (terminated), a NATS error
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub struct AlarmSubscriber {
    state: Step,
    js: jetstream::Context,
    settings: Arc<ConsumeSettings>,
    acks: mpsc::UnboundedSender<AckCommand>,
}

impl fmt::Debug for AlarmSubscriber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlarmSubscriber").field("durable", &self.settings.durable).finish_non_exhaustive()
    }
}

impl AlarmSubscriber {
    /// Opens (creating it when missing) the durable consumer of `settings` on `js`.
    ///
    /// # Errors
    /// [`BridgeError::Nats`] when the stream is missing or the consumer cannot be created;
    /// [`BridgeError::Config`] when the durable exists with another filter subject (it would
    /// deliver other messages than asked: delete it or choose another name).
    pub async fn connect(js: jetstream::Context, settings: ConsumeSettings) -> Result<Self, BridgeError> {
        let messages = open(js.clone(), Arc::new(settings.clone())).await?;
        let (acks, commands) = mpsc::unbounded_channel();
        tokio::spawn(acknowledge(js.client(), commands));
        Ok(AlarmSubscriber { state: Step::Pulling(Box::new(messages)), js, settings: Arc::new(settings), acks })
    }

    /// Stops pulling, then waits until every acknowledgement settled so far is written to the
    /// server (bounded by `timeout`). Deliveries still held elsewhere settle as usual. Messages
    /// pulled ahead and not handed out (at most [`ConsumeSettings::batch`]) are delivered again
    /// after the consumer's `ack_wait`: a consumer that stops often (a command line tool) uses
    /// a batch of 1, so that the next subscriber gets every unhandled message at once.
    pub async fn close(self, timeout: Duration) {
        let AlarmSubscriber { state, acks, .. } = self;
        if let Step::Pulling(messages) = state {
            release(*messages);
        }
        let (done, flushed) = oneshot::channel();
        if acks.send(AckCommand::Flush(done)).is_ok() && tokio::time::timeout(timeout, flushed).await.is_err() {
            tracing::warn!("acknowledgements not confirmed written within {timeout:?}");
        }
    }

    /// Reopen attempt `attempt` (1-based), after its back-off.
    fn reopen(&self, attempt: u32) -> Step {
        let (js, settings) = (self.js.clone(), Arc::clone(&self.settings));
        let delay = reopen_delay(&settings, attempt);
        Step::Reopening {
            attempt,
            open: Box::pin(async move {
                tokio::time::sleep(delay).await;
                open(js, settings).await
            }),
        }
    }

    fn pull_error(&self, message: String) -> BridgeError {
        BridgeError::Nats { what: format!("pull from {}/{}", self.settings.stream, self.settings.durable), message }
    }
}

impl Stream for AlarmSubscriber {
    type Item = Result<Consumed, BridgeError>;

    // One step of the state machine (`Step`); errors are items, and the stream never ends.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                Step::Pulling(messages) => match ready!(messages.poll_next_unpin(cx)) {
                    Some(Ok(message)) => return Poll::Ready(Some(decode(message, &this.settings, &this.acks))),
                    Some(Err(e)) => {
                        let error = this.pull_error(e.to_string());
                        match e.kind() {
                            // The pull stream ended itself, or the server went silent (a deleted
                            // consumer gets no more heartbeats, nor a dead connection): open the
                            // consumer again (creating it if it is gone).
                            MessagesErrorKind::ConsumerDeleted
                            | MessagesErrorKind::PushBasedConsumer
                            | MessagesErrorKind::RequestLimitExceeded
                            | MessagesErrorKind::MissingHeartbeat => {
                                tracing::warn!(error = %error, "consumer lost; reopening");
                                let next = this.reopen(1);
                                if let Step::Pulling(old) = std::mem::replace(&mut this.state, next) {
                                    release(*old);
                                }
                            }
                            // Transient: the client reconnects and pulls again.
                            _ => {}
                        }
                        return Poll::Ready(Some(Err(error)));
                    }
                    None => {
                        tracing::warn!(durable = %this.settings.durable, "pull stream ended; reopening");
                        this.state = this.reopen(1);
                        return Poll::Ready(Some(Err(this.pull_error("the pull stream ended".into()))));
                    }
                },
                Step::Reopening { attempt, open } => {
                    let attempt = *attempt;
                    match ready!(open.as_mut().poll(cx)) {
                        Ok(messages) => {
                            tracing::info!(durable = %this.settings.durable, attempt, "consumer reopened");
                            this.state = Step::Pulling(Box::new(messages));
                        }
                        Err(e) => {
                            this.state = this.reopen(attempt.saturating_add(1));
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                }
            }
        }
    }
}

/// The subscriber's state machine, driven by [`AlarmSubscriber::poll_next`].
enum Step {
    /// Pulling messages from the consumer.
    Pulling(Box<pull::Stream>),
    /// Waiting out the back-off of reopen attempt `attempt` (1-based), then opening the
    /// consumer again (creating it when it is gone).
    Reopening { attempt: u32, open: BoxFuture<'static, Result<pull::Stream, BridgeError>> },
}

/// Drops `messages` (and with it its subscription, which withdraws its waiting pull request).
/// It is not polled again to hand back what it pulled ahead: a poll may send a new pull
/// request, whose messages would go to a subscription about to be gone.
fn release(messages: pull::Stream) {
    drop(messages);
}

/// Jittered exponential delay before reopen attempt `attempt` (1-based): between half and all
/// of `reopen_initial * 2^(attempt-1)`, capped at `reopen_max`.
fn reopen_delay(settings: &ConsumeSettings, attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(1).min(20);
    let full = settings.reopen_initial.saturating_mul(1u32 << exp).min(settings.reopen_max);
    let half = full / 2;
    half + half.mul_f64(fastrand::f64())
}

/// Gets or creates the durable consumer and starts pulling.
async fn open(js: jetstream::Context, settings: Arc<ConsumeSettings>) -> Result<pull::Stream, BridgeError> {
    let stream = js
        .get_stream(&settings.stream)
        .await
        .map_err(|e| BridgeError::Nats { what: format!("open stream {}", settings.stream), message: e.to_string() })?;
    let consumer: jetstream::consumer::PullConsumer = stream
        .get_or_create_consumer(&settings.durable, settings.consumer_config())
        .await
        .map_err(|e| BridgeError::Nats {
            what: format!("open consumer {}/{}", settings.stream, settings.durable),
            message: e.to_string(),
        })?;
    let wanted = settings.effective_filter();
    let existing = &consumer.cached_info().config.filter_subject;
    if *existing != wanted {
        return Err(BridgeError::Config {
            message: format!(
                "the durable consumer {}/{} exists with filter subject {existing:?}, not {wanted:?}: \
                 delete it or choose another durable name",
                settings.stream, settings.durable
            ),
        });
    }
    consumer
        .stream()
        .max_messages_per_batch(settings.batch.max(1))
        .heartbeat(settings.heartbeat)
        .messages()
        .await
        .map_err(|e| BridgeError::Nats {
            what: format!("pull from {}/{}", settings.stream, settings.durable),
            message: e.to_string(),
        })
}

/// Sends the acknowledgements in the order they were settled; ends when the subscriber and
/// every acknowledgement it handed out are gone.
async fn acknowledge(client: async_nats::Client, mut commands: mpsc::UnboundedReceiver<AckCommand>) {
    while let Some(command) = commands.recv().await {
        match command {
            AckCommand::Settle(acker, acked) => {
                let kind = if acked { AckKind::Ack } else { AckKind::Nak(None) };
                if let Err(e) = acker.ack_with(kind).await {
                    tracing::warn!(error = %e, acked, "acknowledgement not sent; JetStream delivers the message again after ack_wait");
                }
            }
            AckCommand::Term(acker, sequence) => {
                if let Err(e) = acker.ack_with(AckKind::Term).await {
                    tracing::warn!(error = %e, stream_sequence = sequence, "terminate not sent; the undecodable message comes again after ack_wait");
                }
            }
            AckCommand::Flush(done) => {
                if let Err(e) = client.flush().await {
                    tracing::warn!(error = %e, "acknowledgements not flushed");
                }
                let _ = done.send(());
            }
        }
    }
}

/// The JSON of a state message (see the publisher's `state_payload`).
#[derive(Deserialize)]
struct StateWire {
    source: Option<String>,
    state: String,
    attempt: Option<u32>,
    delay_ms: Option<u64>,
    at: Option<String>,
}

/// The typed item of `message`, or a decode error (the message terminated).
fn decode(
    message: Message,
    settings: &ConsumeSettings,
    acks: &mpsc::UnboundedSender<AckCommand>,
) -> Result<Consumed, BridgeError> {
    let subject = message.subject.to_string();
    let (stream_sequence, stored_at, delivered) = match message.info() {
        Ok(info) => {
            (info.stream_sequence, SystemTime::from(info.published), u64::try_from(info.delivered).unwrap_or(0))
        }
        Err(e) => {
            return Err(BridgeError::Nats {
                what: format!("metadata of a message on {subject}"),
                message: e.to_string(),
            })
        }
    };
    let header = |name: &str| message.headers.as_ref().and_then(|h| h.get(name)).map(|v| v.as_str().to_owned());
    let source_header = header("Watchpost-Source");
    let message_id = header("Nats-Msg-Id");
    let state_prefix = format!("{}.state.", settings.subject_prefix);
    let (message, acker) = message.split();
    let decoded = if let Some(token) = subject.strip_prefix(&state_prefix) {
        decode_state(&message.payload).map(|(wire, name, state, at)| {
            let source = source_header.or(wire).unwrap_or_else(|| unescape_token(token));
            Item::State(StoredState { source, name, state, at, stream_sequence, stored_at })
        })
    } else {
        serde_json::from_slice::<Alarm>(&message.payload).map_err(|e| e.to_string()).map(|alarm| {
            let source = source_header.unwrap_or_else(|| source_of_alarm_subject(&subject, &alarm));
            Item::Alarm(StoredAlarm { alarm, source, message_id, stream_sequence, stored_at, delivered })
        })
    };
    match decoded {
        Ok(item) => {
            let tx = acks.clone();
            let ack = Ack::from_fn(move |acked| {
                let _ = tx.send(AckCommand::Settle(acker, acked));
            });
            Ok(match item {
                Item::Alarm(a) => Consumed::Alarm(Delivery::new(a, ack)),
                Item::State(s) => Consumed::State(Delivery::new(s, ack)),
            })
        }
        Err(reason) => {
            tracing::error!(
                subject = %subject,
                stream_sequence,
                error = %reason,
                "undecodable message: terminated (not delivered again; it stays in the stream)"
            );
            let _ = acks.send(AckCommand::Term(acker, stream_sequence));
            Err(BridgeError::Decode { subject, stream_sequence, message: reason })
        }
    }
}

/// A decoded message, before its acknowledgement is attached.
#[allow(clippy::large_enum_variant)] // as `Consumed`
enum Item {
    Alarm(StoredAlarm),
    State(StoredState),
}

/// A state message's body: the source name it names, the state's name, the state, its time.
type DecodedState = (Option<String>, String, Option<ConnectionState>, Option<SystemTime>);

/// Decodes a state message's body.
fn decode_state(payload: &[u8]) -> Result<DecodedState, String> {
    let wire: StateWire = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
    let state = match wire.state.as_str() {
        "connecting" => Some(ConnectionState::Connecting),
        "connected" => Some(ConnectionState::Connected),
        "closed" => Some(ConnectionState::Closed),
        "backoff" => match (wire.attempt, wire.delay_ms) {
            (Some(attempt), Some(ms)) => Some(ConnectionState::Backoff { attempt, delay: Duration::from_millis(ms) }),
            _ => return Err("a `backoff` state without `attempt` and `delay_ms`".into()),
        },
        _ => None,
    };
    let at = match wire.at {
        Some(text) => Some(SystemTime::from(OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| format!("`at`: {e}"))?)),
        None => None,
    };
    Ok((wire.source, wire.state, state, at))
}

/// The `<source>` token of `<prefix>.alarms.<vendor>.<source>.<device>`, unescaped; the
/// alarm's own source when the subject has another shape.
fn source_of_alarm_subject(subject: &str, alarm: &Alarm) -> String {
    let tokens: Vec<&str> = subject.split('.').collect();
    match tokens.as_slice() {
        [_, "alarms", _, source, _] => unescape_token(source),
        _ => alarm.source.to_string(),
    }
}

/// The inverse of [`crate::escape_token`]; text that is not a valid escape is kept as it is.
fn unescape_token(token: &str) -> String {
    if token == "=" {
        return String::new();
    }
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'=' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escape_token;

    #[test]
    fn unescaping_inverts_the_subject_escape() {
        for text in ["gw.lobby 1", "", "=", "=3D", "é*>", "plain-name_1", "10.0.0.5:80"] {
            assert_eq!(unescape_token(&escape_token(text)), text);
        }
        // Not an escape: kept as it is, never a panic.
        for odd in ["=", "a=", "a=Z1", "=4", "=FF"] {
            let _ = unescape_token(odd);
        }
        assert_eq!(unescape_token("a=Z1"), "a=Z1");
    }

    #[test]
    fn states_decode_as_published_and_bad_ones_are_errors() {
        let (source, name, state, at) = decode_state(
            br#"{"source":"gw","state":"backoff","attempt":2,"delay_ms":1500,"at":"2024-03-01T08:09:10Z"}"#,
        )
        .unwrap();
        assert_eq!((source.as_deref(), name.as_str()), (Some("gw"), "backoff"));
        assert_eq!(state, Some(ConnectionState::Backoff { attempt: 2, delay: Duration::from_millis(1500) }));
        assert!(at.is_some());
        let (_, name, state, _) = decode_state(br#"{"state":"hibernating"}"#).unwrap();
        assert_eq!((name.as_str(), state), ("hibernating", None));
        for bad in [&b"{"[..], br#"{"source":"gw"}"#, br#"{"state":"backoff"}"#, br#"{"state":"closed","at":"noon"}"#] {
            assert!(decode_state(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_default_filter_is_every_alarm_and_reopening_backs_off_within_bounds() {
        let s = ConsumeSettings::default();
        assert_eq!(s.effective_filter(), "watchpost.alarms.>");
        assert_eq!(s.consumer_config().ack_policy, AckPolicy::Explicit);
        for attempt in [1, 2, 5, 40, u32::MAX] {
            let d = reopen_delay(&s, attempt);
            assert!(d <= s.reopen_max, "{attempt}: {d:?}");
        }
        let first = reopen_delay(&s, 1);
        assert!(first >= s.reopen_initial / 2 && first <= s.reopen_initial);
    }
}
