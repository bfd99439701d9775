//! Supervision of long-lived streams: idle watchdog, reconnect with backoff, connection state.
//!
//! Alarm streams and MQ consumers must run for months. [`supervise`] turns a `connect`
//! function (which opens one subscription and returns its stream of events) into one endless
//! stream that reconnects on its own:
//!
//! - every state change ([`ConnectionState`]) is yielded in-band as [`Supervised::State`], so a
//!   consumer sees, in order, exactly where events may have been missed, and is also published
//!   on a [`watch`] channel for dashboards and health checks;
//! - an error item of the inner stream (a part that could not be parsed) is forwarded and the
//!   connection is kept;
//! - no item at all (heartbeats included) for [`SuperviseConfig::idle_timeout`] yields an
//!   [`Error::Timeout`] with [`TimeoutPhase::Idle`], then reconnects;
//! - a failed connect, or a connection lost before it was healthy, waits with exponential
//!   backoff; a connection that lived [`SuperviseConfig::healthy_after`] resets the counter and
//!   is reconnected at once;
//! - **before the stream was first established**, a connect error of class
//!   [`ErrorClass::AuthRejected`], [`ErrorClass::Permanent`] or [`ErrorClass::Unsupported`] ends
//!   it (a wrong password or a wrong request: repeating a rejected login locks accounts), and
//!   so does [`SuperviseConfig::max_attempts`];
//! - **once established, the stream never ends by itself**: every error is reported as an item
//!   and the supervisor reconnects with back-off until the caller drops the stream. A rejected
//!   login then waits [`SuperviseConfig::rejected_backoff`] (jittered; longer if the server says
//!   the account is locked for longer) rather than the ordinary back-off, since each attempt
//!   may cost one of the device's lock-out attempts; a credential proven once and rejected
//!   later is far more often a device-side glitch (a reboot, a nonce bookkeeping error) than a
//!   changed password, and an alarm receiver that stops listening loses every later alarm.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use watchpost_core::supervise::{supervise, SuperviseConfig, Supervised};
//!
//! # async fn open() -> watchpost_core::Result<futures_util::stream::BoxStream<'static, watchpost_core::Result<String>>> { Ok(futures_util::stream::empty().boxed()) }
//! # async fn run() {
//! let (mut events, state) = supervise(open, SuperviseConfig::default().op("hikgw.alarms"));
//! while let Some(event) = events.next().await {
//!     match event {
//!         Ok(Supervised::Item(alarm)) => println!("alarm: {alarm}"),
//!         Ok(Supervised::State(s)) => println!("connection: {s:?} (now {:?})", *state.borrow()),
//!         Err(e) => eprintln!("{}", e.report()),
//!     }
//! }
//! # }
//! ```
//!
//! [`Error::Timeout`]: crate::Error::Timeout
//! [`TimeoutPhase::Idle`]: crate::error::TimeoutPhase::Idle
//! [`ErrorClass::AuthRejected`]: crate::ErrorClass::AuthRejected
//! [`ErrorClass::Permanent`]: crate::ErrorClass::Permanent
//! [`ErrorClass::Unsupported`]: crate::ErrorClass::Unsupported

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::{Error, ErrorClass, TimeoutPhase};
use crate::metrics::{MetricEvent, SharedMetrics};
use crate::retry::{ExponentialBackoff, JitterSource, RandomJitter};

/// The state of a supervised connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Calling `connect`: events may have been missed since the last `Connected`.
    Connecting,
    /// The subscription is open and items flow.
    Connected,
    /// Waiting `delay` before connection attempt `attempt + 1`, after `attempt` consecutive
    /// failures (a failed connect or a connection lost before it was healthy).
    Backoff {
        /// Consecutive failures so far (1-based).
        attempt: u32,
        /// How long the supervisor waits before the next attempt.
        delay: Duration,
    },
    /// The supervisor gave up (fatal error, attempts exhausted) or was dropped; final.
    Closed,
}

/// An item of a supervised stream: a state change or an item of the inner stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Supervised<T> {
    /// The connection state changed (also published on the watch channel).
    State(ConnectionState),
    /// An item of the inner stream.
    Item(T),
}

/// How [`supervise`] watches and reconnects a stream: plain data, every field has a default.
#[derive(Debug, Clone)]
pub struct SuperviseConfig {
    /// Operation id used in errors and logs. Default is `"stream"`.
    pub op: String,
    /// Reconnect when the inner stream yields nothing (not even an error or a heartbeat) for
    /// this long; `None` disables the watchdog. Default is 30 s.
    pub idle_timeout: Option<Duration>,
    /// Delays between reconnection attempts. Default is 1 s initial, 60 s max, jitter on.
    pub backoff: ExponentialBackoff,
    /// A connection that lived this long counts as healthy: when it is lost the failure
    /// counter restarts and the supervisor reconnects without waiting. Default is 60 s.
    pub healthy_after: Duration,
    /// Give up after this many consecutive failures *before the stream was first established*
    /// (a caller that wants to fail fast on a wrong address); once a connection succeeded, the
    /// supervisor never gives up. `None` retries forever. Default is `None`.
    pub max_attempts: Option<u32>,
    /// Once the stream had been established, how long to wait after a rejected login
    /// ([`ErrorClass::AuthRejected`]) before the next attempt: each attempt may cost one of the
    /// device's lock-out attempts, so it is far slower than the back-off. Jittered to between
    /// half and all of it when [`SuperviseConfig::backoff`] has jitter; a server's lock time
    /// (`Retry-After`, a lock time) wins when longer, up to one hour. Default is 10 min.
    pub rejected_backoff: Duration,
    /// Source of backoff jitter; inject [`FixedJitter`](crate::retry::FixedJitter) in tests.
    /// Default is [`RandomJitter`].
    pub jitter: Arc<dyn JitterSource>,
    /// Where each reconnect is reported ([`MetricEvent::StreamReconnect`]); vendor streams pass
    /// their pipeline's sink. Default: [`NoMetrics`](crate::metrics::NoMetrics).
    pub metrics: SharedMetrics,
}

impl Default for SuperviseConfig {
    fn default() -> Self {
        SuperviseConfig {
            op: "stream".to_owned(),
            // Hikvision alarm streams send a heartbeat every 10 s: three missed heartbeats.
            idle_timeout: Some(Duration::from_secs(30)),
            // 1 s doubling to 60 s: quick recovery from a blip without hammering a rebooting
            // device or a gateway under maintenance (kube-runtime's watcher uses 0.8 s to 30 s).
            backoff: ExponentialBackoff { initial: Duration::from_secs(1), max: Duration::from_secs(60), jitter: true },
            // A minute of uninterrupted events is long past any login or subscription failure.
            healthy_after: Duration::from_secs(60),
            max_attempts: None,
            // Hikvision devices lock a user after about 7 failures for 30 min: one attempt per
            // 10 min keeps a glitch from locking the account while the link still comes back
            // within minutes (the resync of the vendor streams recovers standing alarms).
            rejected_backoff: Duration::from_secs(10 * 60),
            jitter: Arc::new(RandomJitter),
            metrics: crate::metrics::no_metrics(),
        }
    }
}

impl SuperviseConfig {
    /// Sets [`SuperviseConfig::op`].
    #[must_use]
    pub fn op(mut self, op: impl Into<String>) -> Self {
        self.op = op.into();
        self
    }

    /// Sets [`SuperviseConfig::idle_timeout`].
    #[must_use]
    pub fn idle_timeout(mut self, idle_timeout: Option<Duration>) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// Sets [`SuperviseConfig::backoff`].
    #[must_use]
    pub fn backoff(mut self, backoff: ExponentialBackoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets [`SuperviseConfig::healthy_after`].
    #[must_use]
    pub fn healthy_after(mut self, healthy_after: Duration) -> Self {
        self.healthy_after = healthy_after;
        self
    }

    /// Sets [`SuperviseConfig::max_attempts`].
    #[must_use]
    pub fn max_attempts(mut self, max_attempts: Option<u32>) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Sets [`SuperviseConfig::rejected_backoff`].
    #[must_use]
    pub fn rejected_backoff(mut self, delay: Duration) -> Self {
        self.rejected_backoff = delay;
        self
    }

    /// Sets [`SuperviseConfig::metrics`].
    #[must_use]
    pub fn metrics(mut self, metrics: SharedMetrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Sets [`SuperviseConfig::jitter`].
    #[must_use]
    pub fn jitter(mut self, jitter: impl JitterSource + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }
}

/// The stream returned by [`supervise`].
pub type SupervisedStream<T> = BoxStream<'static, Result<Supervised<T>, Error>>;

/// Runs `connect` and re-runs it whenever the stream it returned ends, stalls or cannot be
/// opened; see the [module docs](self) for the rules.
///
/// Returns the supervised stream and a receiver of the current [`ConnectionState`] (it reads
/// `Connecting` until the stream is first polled). The stream ends after yielding
/// `State(Closed)`, which only happens before a first connection succeeded; dropping it
/// publishes `Closed` too. Nothing happens until it is polled.
pub fn supervise<C, Fut, S, T>(
    connect: C,
    config: SuperviseConfig,
) -> (SupervisedStream<T>, watch::Receiver<ConnectionState>)
where
    C: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<S, Error>> + Send + 'static,
    S: Stream<Item = Result<T, Error>> + Send + Unpin + 'static,
    T: Send + 'static,
{
    let (tx, rx) = watch::channel(ConnectionState::Connecting);
    let machine = Machine { connect, config, tx, attempt: 0, established: false, state: State::Start };
    let stream = futures_util::stream::unfold(machine, |m| m.step());
    (stream.boxed(), rx)
}

/// The supervisor's states; each call of [`Machine::step`] yields one item and moves on.
enum State<S> {
    /// Nothing done yet: announce `Connecting`.
    Start,
    /// `Connecting` was announced: call `connect`.
    Connect,
    /// Connected since `since`; the last item arrived at `last`.
    Connected { stream: S, since: Instant, last: Instant },
    /// The connection opened at `since` was lost (ended or idle); the reason was reported.
    Lost { since: Instant },
    /// A connect failed (reported): count the failure and back off or give up. `rejected`: a
    /// login refused after the stream had been established (the slow back-off applies).
    Failed { retry_after: Option<Duration>, rejected: bool },
    /// `Backoff` was announced: sleep, then announce `Connecting`.
    Sleep { delay: Duration },
    /// Announce `Closed`.
    Close,
    /// `Closed` was announced: the stream ends.
    Done,
}

struct Machine<C, S> {
    connect: C,
    config: SuperviseConfig,
    tx: watch::Sender<ConnectionState>,
    /// Consecutive failures.
    attempt: u32,
    /// A connection succeeded once: from then on nothing ends the stream.
    established: bool,
    state: State<S>,
}

impl<C, S> Drop for Machine<C, S> {
    fn drop(&mut self) {
        self.tx.send_replace(ConnectionState::Closed);
    }
}

type Step<T, M> = Option<(Result<Supervised<T>, Error>, M)>;

impl<C, Fut, S, T> Machine<C, S>
where
    C: FnMut() -> Fut,
    Fut: Future<Output = Result<S, Error>>,
    S: Stream<Item = Result<T, Error>> + Unpin,
{
    /// Publishes `state` and returns it as an in-band item.
    fn announce(mut self, state: ConnectionState, next: State<S>) -> Step<T, Self> {
        self.tx.send_replace(state.clone());
        self.state = next;
        Some((Ok(Supervised::State(state)), self))
    }

    /// Advances the machine to its next item; `None` ends the stream.
    async fn step(mut self) -> Step<T, Self> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Start => {
                    tracing::debug!(op = %self.config.op, "stream connecting");
                    return self.announce(ConnectionState::Connecting, State::Connect);
                }
                State::Connect => return self.connect().await,
                State::Connected { mut stream, since, last } => {
                    // An idle limit too large for the clock is no limit.
                    let watchdog = self.config.idle_timeout.and_then(|idle| Some((idle, last.checked_add(idle)?)));
                    let next = match watchdog {
                        Some((idle, deadline)) => match tokio::time::timeout_at(deadline, stream.next()).await {
                            Ok(next) => next,
                            Err(_) => {
                                tracing::warn!(op = %self.config.op, idle_ms = millis(idle), "stream idle; reconnecting");
                                self.state = State::Lost { since };
                                let e = Error::Timeout {
                                    op: self.config.op.clone(),
                                    phase: TimeoutPhase::Idle,
                                    after: idle,
                                };
                                return Some((Err(e), self));
                            }
                        },
                        None => stream.next().await,
                    };
                    match next {
                        Some(item) => {
                            self.state = State::Connected { stream, since, last: Instant::now() };
                            return Some((item.map(Supervised::Item), self));
                        }
                        // No item to report: go straight on to the next state.
                        None => {
                            tracing::info!(op = %self.config.op, "stream ended by the server; reconnecting");
                            self.state = State::Lost { since };
                        }
                    }
                }
                State::Lost { since } => {
                    let lived = since.elapsed();
                    if lived >= self.config.healthy_after {
                        self.attempt = 0;
                        self.config.metrics.record(&MetricEvent::StreamReconnect {
                            op: &self.config.op,
                            attempt: 0,
                            delay: Duration::ZERO,
                        });
                        tracing::debug!(op = %self.config.op, lived_ms = millis(lived), "stream connecting");
                        return self.announce(ConnectionState::Connecting, State::Connect);
                    }
                    self.state = State::Failed { retry_after: None, rejected: false };
                }
                State::Failed { retry_after, rejected } => return self.fail(retry_after, rejected),
                State::Sleep { delay } => {
                    tokio::time::sleep(delay).await;
                    tracing::debug!(op = %self.config.op, attempt = self.attempt, "stream connecting");
                    return self.announce(ConnectionState::Connecting, State::Connect);
                }
                State::Close => return self.announce(ConnectionState::Closed, State::Done),
                State::Done => return None,
            }
        }
    }

    /// Calls `connect`: `Connected`, or the error (then back off, or close when fatal).
    async fn connect(mut self) -> Step<T, Self> {
        match (self.connect)().await {
            Ok(stream) => {
                tracing::info!(op = %self.config.op, attempt = self.attempt, "stream connected");
                self.established = true;
                let now = Instant::now();
                self.announce(ConnectionState::Connected, State::Connected { stream, since: now, last: now })
            }
            Err(e) => {
                let class = e.class();
                let fatal = matches!(class, ErrorClass::AuthRejected | ErrorClass::Permanent | ErrorClass::Unsupported);
                if fatal && !self.established {
                    tracing::warn!(op = %self.config.op, error = %e.report(), %class, "stream connect failed; giving up");
                    self.state = State::Close;
                } else {
                    tracing::warn!(op = %self.config.op, error = %e.report(), %class, "stream connect failed");
                    let rejected = class == ErrorClass::AuthRejected;
                    self.state = State::Failed { retry_after: e.retry_after(), rejected };
                }
                Some((Err(e), self))
            }
        }
    }

    /// Counts a failure: `Backoff`, or `Closed` when the attempts are exhausted before the
    /// stream was ever established.
    fn fail(mut self, retry_after: Option<Duration>, rejected: bool) -> Step<T, Self> {
        self.attempt = self.attempt.saturating_add(1);
        if !self.established && self.config.max_attempts.is_some_and(|max| self.attempt >= max) {
            tracing::warn!(op = %self.config.op, attempt = self.attempt, "stream attempts exhausted; giving up");
            return self.announce(ConnectionState::Closed, State::Done);
        }
        let delay = if rejected {
            rejected_delay(&self.config, retry_after)
        } else {
            let computed = self.config.backoff.delay(self.attempt, self.config.jitter.as_ref());
            // A server hint (Retry-After) wins over the computed delay, bounded by the max.
            retry_after.map_or(computed, |hint| hint.max(computed).min(self.config.backoff.max))
        };
        tracing::info!(op = %self.config.op, attempt = self.attempt, delay_ms = millis(delay), "stream backing off");
        self.config.metrics.record(&MetricEvent::StreamReconnect { op: &self.config.op, attempt: self.attempt, delay });
        let attempt = self.attempt;
        self.announce(ConnectionState::Backoff { attempt, delay }, State::Sleep { delay })
    }
}

/// The longest lock time announced by a server that the supervisor waits out.
const MAX_LOCK_WAIT: Duration = Duration::from_secs(3600);

/// The wait after a login rejected once the stream had been established: the slow back-off,
/// jittered to between half and all of it, or the server's lock time when longer (bounded).
fn rejected_delay(config: &SuperviseConfig, hint: Option<Duration>) -> Duration {
    let base = config.rejected_backoff;
    let jittered = if config.backoff.jitter {
        let j = config.jitter.sample();
        // A jitter source outside [0, 1) must not stretch or shrink the delay past its bounds.
        let j = if j.is_finite() { j.clamp(0.0, 1.0) } else { 1.0 };
        base.mul_f64(0.5 + 0.5 * j)
    } else {
        base
    };
    hint.map_or(jittered, |h| h.min(MAX_LOCK_WAIT).max(jittered))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
