//! Stream supervision on tokio's paused clock: scripted connects, fake inner streams.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::{ready, Ready};
use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::time::Instant;
use watchpost_core::error::{TimeoutPhase, TransportError};
use watchpost_core::retry::{ExponentialBackoff, FixedJitter};
use watchpost_core::supervise::{supervise, ConnectionState, SuperviseConfig, Supervised, SupervisedStream};
use watchpost_core::{Error, ErrorKind};

type Inner = BoxStream<'static, Result<u32, Error>>;

/// A connector that plays back a script of connect outcomes and counts its calls. When the
/// script runs out, connects fail with a retryable error.
#[derive(Clone, Default)]
struct ScriptedConnector {
    script: Arc<Mutex<VecDeque<Result<Inner, Error>>>>,
    connects: Arc<AtomicUsize>,
}

impl ScriptedConnector {
    fn new(script: Vec<Result<Inner, Error>>) -> Self {
        ScriptedConnector { script: Arc::new(Mutex::new(script.into())), connects: Arc::default() }
    }

    fn connects(&self) -> usize {
        self.connects.load(Ordering::SeqCst)
    }

    fn connect_fn(&self) -> impl FnMut() -> Ready<Result<Inner, Error>> + Send + 'static {
        let this = self.clone();
        move || {
            this.connects.fetch_add(1, Ordering::SeqCst);
            let next = this.script.lock().unwrap().pop_front();
            ready(next.unwrap_or_else(|| Err(refused())))
        }
    }

    fn start(&self, config: SuperviseConfig) -> Run {
        let (stream, state) = supervise(self.connect_fn(), config);
        Run { stream, state, start: Instant::now() }
    }
}

/// What a test sees of one supervised item.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    State(ConnectionState),
    Item(u32),
    Err(ErrorKind),
}

struct Run {
    stream: SupervisedStream<u32>,
    state: watch::Receiver<ConnectionState>,
    start: Instant,
}

impl Run {
    /// The next item with its virtual time in milliseconds since the start; checks that every
    /// in-band state is also the one published on the watch channel.
    async fn next(&mut self) -> Option<(u64, Ev)> {
        let item = self.stream.next().await?;
        let at = u64::try_from((Instant::now() - self.start).as_millis()).unwrap();
        let ev = match item {
            Ok(Supervised::State(s)) => {
                assert_eq!(*self.state.borrow(), s, "watch channel lags the in-band state");
                Ev::State(s)
            }
            Ok(Supervised::Item(i)) => Ev::Item(i),
            Err(e) => Ev::Err(e.kind()),
        };
        Some((at, ev))
    }

    async fn take(&mut self, n: usize) -> Vec<(u64, Ev)> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.next().await.expect("stream ended early"));
        }
        out
    }
}

fn refused() -> Error {
    Error::Transport { op: "test".into(), source: TransportError::connect(std::io::Error::other("refused")) }
}

fn auth_rejected() -> Error {
    Error::Auth {
        op: "test".into(),
        status: Some(401),
        code: None,
        message: None,
        expired: false,
        lockout: watchpost_core::LockoutInfo { retries_left: Some(2), ..Default::default() },
    }
}

fn bad_part() -> Error {
    Error::Stream { op: "test".into(), message: "bad part".into(), cause: None }
}

/// Yields `0, 1, 2, ...` every `every`, forever.
fn heartbeats(every: Duration) -> Inner {
    stream::unfold(0u32, move |i| async move {
        tokio::time::sleep(every).await;
        Some((Ok(i), i + 1))
    })
    .boxed()
}

/// Stays connected without items for `d` from its first poll, then ends.
fn lives_for(d: Duration) -> Inner {
    // The timer starts on the first poll, i.e. when the connection is up.
    stream::once(async move { tokio::time::sleep(d).await }).filter_map(|()| ready(None)).boxed()
}

fn connecting() -> Ev {
    Ev::State(ConnectionState::Connecting)
}
fn connected() -> Ev {
    Ev::State(ConnectionState::Connected)
}
fn closed() -> Ev {
    Ev::State(ConnectionState::Closed)
}
fn backoff(attempt: u32, delay_ms: u64) -> Ev {
    Ev::State(ConnectionState::Backoff { attempt, delay: Duration::from_millis(delay_ms) })
}

fn config() -> SuperviseConfig {
    SuperviseConfig::default().op("test.stream").jitter(FixedJitter(1.0))
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_triggers_exactly_one_reconnect() {
    let connector =
        ScriptedConnector::new(vec![Ok(stream::pending().boxed()), Ok(heartbeats(Duration::from_secs(10)))]);
    let mut run = connector.start(config());
    let events = run.take(9).await;
    assert_eq!(
        events,
        vec![
            (0, connecting()),
            (0, connected()),
            (30_000, Ev::Err(ErrorKind::Timeout)),
            (30_000, backoff(1, 1000)),
            (31_000, connecting()),
            (31_000, connected()),
            (41_000, Ev::Item(0)),
            (51_000, Ev::Item(1)),
            (61_000, Ev::Item(2)),
        ]
    );
    // Ten more minutes of heartbeats: no second reconnect.
    for (_, ev) in run.take(60).await {
        assert!(matches!(ev, Ev::Item(_)), "{ev:?}");
    }
    assert_eq!(connector.connects(), 2);
}

#[tokio::test(start_paused = true)]
async fn idle_error_names_the_idle_phase_and_the_limit() {
    let connector = ScriptedConnector::new(vec![Ok(stream::pending().boxed())]);
    let (mut stream, _state) = supervise(connector.connect_fn(), config().idle_timeout(Some(Duration::from_secs(45))));
    let err = loop {
        if let Err(e) = stream.next().await.unwrap() {
            break e;
        }
    };
    match err {
        Error::Timeout { op, phase, after } => {
            assert_eq!(op, "test.stream");
            assert_eq!(phase, TimeoutPhase::Idle);
            assert_eq!(after, Duration::from_secs(45));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn heartbeats_every_10s_never_reconnect_over_a_virtual_hour() {
    let connector = ScriptedConnector::new(vec![Ok(heartbeats(Duration::from_secs(10)))]);
    let mut run = connector.start(config());
    assert_eq!(run.take(2).await, vec![(0, connecting()), (0, connected())]);
    let mut items = 0;
    while let Some((at, ev)) = run.next().await {
        assert_eq!(ev, Ev::Item(items), "at {at} ms");
        items += 1;
        if at >= 3_600_000 {
            break;
        }
    }
    assert_eq!(items, 360);
    assert_eq!(connector.connects(), 1);
    assert_eq!(*run.state.borrow(), ConnectionState::Connected);
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_caps_and_resets_after_a_healthy_period() {
    let connector = ScriptedConnector::new(vec![
        Err(refused()),
        Err(refused()),
        Err(refused()),
        Err(refused()),
        Err(refused()),
        Ok(lives_for(Duration::from_secs(61))),
        Err(refused()),
        Ok(lives_for(Duration::from_secs(5))),
        Err(auth_rejected()),
    ]);
    let backoff_policy =
        ExponentialBackoff { initial: Duration::from_secs(1), max: Duration::from_secs(8), jitter: true };
    // Half jitter: every delay is half the capped exponential value, exactly.
    let config = config().idle_timeout(None).backoff(backoff_policy).jitter(FixedJitter(0.5));
    let mut run = connector.start(config);
    let events = run.take(29).await;
    let e = || Ev::Err(ErrorKind::Transport);
    assert_eq!(
        events,
        vec![
            (0, connecting()),
            (0, e()),
            (0, backoff(1, 500)),
            (500, connecting()),
            (500, e()),
            (500, backoff(2, 1000)),
            (1500, connecting()),
            (1500, e()),
            (1500, backoff(3, 2000)),
            (3500, connecting()),
            (3500, e()),
            (3500, backoff(4, 4000)),
            (7500, connecting()),
            (7500, e()),
            (7500, backoff(5, 4000)), // capped at max (8 s) before jitter
            (11_500, connecting()),
            (11_500, connected()),
            // Lived 61 s > healthy_after: the counter resets, reconnect without waiting.
            (72_500, connecting()),
            (72_500, e()),
            (72_500, backoff(1, 500)),
            (73_000, connecting()),
            (73_000, connected()),
            // Lived only 5 s: counts as a failure.
            (78_000, backoff(2, 1000)),
            (79_000, connecting()),
            // A rejection once established does not end the stream: the slow back-off
            // (10 min, half jitter: 0.5 + 0.5 × 0.5 of it).
            (79_000, Ev::Err(ErrorKind::Auth)),
            (79_000, backoff(3, 450_000)),
            (529_000, connecting()),
            (529_000, e()),
            (529_000, backoff(4, 4000)),
        ]
    );
    // The nine scripted connects, then one retry past the script.
    assert_eq!(connector.connects(), 10);
}

#[tokio::test(start_paused = true)]
async fn fatal_connect_errors_close_the_stream() {
    let fatal = [
        auth_rejected(),
        Error::invalid_input("test", "bad channel"),
        Error::Unsupported { op: "test".into(), status: Some(404), code: None, message: None },
        Error::AuthLocked {
            op: "test".into(),
            status: Some(401),
            code: None,
            message: None,
            lockout: Default::default(),
        },
    ];
    for err in fatal {
        let kind = err.kind();
        let connector = ScriptedConnector::new(vec![Err(err)]);
        let mut run = connector.start(config());
        let mut events = Vec::new();
        while let Some(ev) = run.next().await {
            events.push(ev);
        }
        assert_eq!(events, vec![(0, connecting()), (0, Ev::Err(kind)), (0, closed())]);
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(connector.connects(), 1, "{kind:?} must not be retried");
        assert_eq!(*run.state.borrow(), ConnectionState::Closed);
    }
}

#[tokio::test(start_paused = true)]
async fn an_established_stream_never_ends_by_itself() {
    // Once a connection succeeded, every error that would have ended the stream before it is
    // reported and retried; `max_attempts` no longer applies.
    let locked = Error::AuthLocked {
        op: "test".into(),
        status: Some(401),
        code: None,
        message: None,
        lockout: watchpost_core::LockoutInfo {
            lock_time: Some(Duration::from_secs(2 * 3600)),
            locked: Some(true),
            ..Default::default()
        },
    };
    let connector = ScriptedConnector::new(vec![
        Ok(lives_for(Duration::from_secs(5))),
        Err(auth_rejected()),
        Err(Error::Unsupported { op: "test".into(), status: Some(404), code: None, message: None }),
        Err(Error::invalid_input("test", "bad channel")),
        Err(locked),
        Ok(stream::pending().boxed()),
    ]);
    let mut run = connector.start(config().idle_timeout(None).max_attempts(Some(2)));
    assert_eq!(
        run.take(17).await,
        vec![
            (0, connecting()),
            (0, connected()),
            (5000, backoff(1, 1000)),
            (6000, connecting()),
            // A rejected login: the slow back-off (10 min by default), not the exponential one.
            (6000, Ev::Err(ErrorKind::Auth)),
            (6000, backoff(2, 600_000)),
            (606_000, connecting()),
            (606_000, Ev::Err(ErrorKind::Unsupported)),
            (606_000, backoff(3, 4000)),
            (610_000, connecting()),
            (610_000, Ev::Err(ErrorKind::InvalidInput)),
            (610_000, backoff(4, 8000)),
            (618_000, connecting()),
            // Locked for 2 h: the lock time wins over the slow back-off, bounded to 1 h.
            (618_000, Ev::Err(ErrorKind::AuthLocked)),
            (618_000, backoff(5, 3_600_000)),
            (4_218_000, connecting()),
            (4_218_000, connected()),
        ]
    );
    assert_eq!(connector.connects(), 6);
    assert_eq!(*run.state.borrow(), ConnectionState::Connected);
}

#[tokio::test(start_paused = true)]
async fn the_slow_backoff_after_a_rejection_is_jittered_within_half_to_all() {
    for (jitter, expected_ms) in [(0.0, 60_000), (0.5, 90_000), (0.999_999, 119_999)] {
        let connector = ScriptedConnector::new(vec![Ok(lives_for(Duration::from_secs(61))), Err(auth_rejected())]);
        let config = config().idle_timeout(None).rejected_backoff(Duration::from_secs(120)).jitter(FixedJitter(jitter));
        let mut run = connector.start(config);
        let events = run.take(5).await;
        let Some((_, Ev::State(ConnectionState::Backoff { delay, .. }))) = events.last() else { panic!("{events:?}") };
        assert_eq!(delay.as_millis(), expected_ms, "jitter {jitter}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_err_item_is_forwarded_and_the_connection_kept() {
    let inner = stream::iter(vec![Ok(1), Err(bad_part()), Ok(2)]).chain(stream::pending()).boxed();
    let connector = ScriptedConnector::new(vec![Ok(inner)]);
    let mut run = connector.start(config().idle_timeout(None));
    assert_eq!(
        run.take(5).await,
        vec![(0, connecting()), (0, connected()), (0, Ev::Item(1)), (0, Ev::Err(ErrorKind::Stream)), (0, Ev::Item(2))]
    );
    let more = tokio::time::timeout(Duration::from_secs(24 * 3600), run.next()).await;
    assert!(more.is_err(), "nothing after the items: {more:?}");
    assert_eq!(connector.connects(), 1);
    assert_eq!(*run.state.borrow(), ConnectionState::Connected);
}

#[tokio::test(start_paused = true)]
async fn err_items_count_as_activity_for_the_idle_watchdog() {
    let inner = stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_secs(20)).await;
        Some((Err(bad_part()), ()))
    })
    .boxed();
    let connector = ScriptedConnector::new(vec![Ok(inner)]);
    let mut run = connector.start(config());
    run.take(2).await;
    for (_, ev) in run.take(50).await {
        assert_eq!(ev, Ev::Err(ErrorKind::Stream));
    }
    assert_eq!(connector.connects(), 1);
}

#[tokio::test(start_paused = true)]
async fn server_ending_the_stream_reconnects_with_backoff() {
    let connector = ScriptedConnector::new(vec![
        Ok(stream::iter(vec![Ok(7)]).boxed()),
        Ok(stream::iter(vec![Ok(8)]).chain(stream::pending()).boxed()),
    ]);
    let mut run = connector.start(config());
    assert_eq!(
        run.take(8).await,
        vec![
            (0, connecting()),
            (0, connected()),
            (0, Ev::Item(7)),
            (0, backoff(1, 1000)),
            (1000, connecting()),
            (1000, connected()),
            (1000, Ev::Item(8)),
            (31_000, Ev::Err(ErrorKind::Timeout)),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn max_attempts_exhausted_closes() {
    let connector = ScriptedConnector::new(vec![]);
    let mut run = connector.start(config().max_attempts(Some(3)));
    let mut events = Vec::new();
    while let Some(ev) = run.next().await {
        events.push(ev);
    }
    let e = || Ev::Err(ErrorKind::Transport);
    assert_eq!(
        events,
        vec![
            (0, connecting()),
            (0, e()),
            (0, backoff(1, 1000)),
            (1000, connecting()),
            (1000, e()),
            (1000, backoff(2, 2000)),
            (3000, connecting()),
            (3000, e()),
            (3000, closed()),
        ]
    );
    assert_eq!(connector.connects(), 3);
}

#[tokio::test(start_paused = true)]
async fn retry_after_hint_wins_but_is_bounded() {
    let limited = |secs| Error::RateLimited {
        op: "test".into(),
        status: Some(429),
        code: None,
        message: None,
        retry_after: Some(Duration::from_secs(secs)),
        reset_at: None,
    };
    let connector = ScriptedConnector::new(vec![Err(limited(10)), Err(limited(600)), Ok(stream::pending().boxed())]);
    let mut run = connector.start(config().idle_timeout(None));
    assert_eq!(
        run.take(8).await,
        vec![
            (0, connecting()),
            (0, Ev::Err(ErrorKind::RateLimited)),
            (0, backoff(1, 10_000)),
            (10_000, connecting()),
            (10_000, Ev::Err(ErrorKind::RateLimited)),
            (10_000, backoff(2, 60_000)),
            (70_000, connecting()),
            (70_000, connected()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_publishes_closed() {
    let connector = ScriptedConnector::new(vec![Ok(stream::pending().boxed())]);
    let mut run = connector.start(config());
    run.take(2).await;
    let mut state = run.state.clone();
    state.mark_unchanged();
    drop(run);
    assert!(state.has_changed().unwrap_or(true));
    assert_eq!(*state.borrow(), ConnectionState::Closed);
}

#[tokio::test(start_paused = true)]
async fn an_idle_limit_too_large_for_the_clock_disables_the_watchdog() {
    let connector = ScriptedConnector::new(vec![Ok(heartbeats(Duration::from_secs(3600)))]);
    let mut run = connector.start(config().idle_timeout(Some(Duration::MAX)));
    assert_eq!(run.take(3).await, vec![(0, connecting()), (0, connected()), (3_600_000, Ev::Item(0))]);
}
