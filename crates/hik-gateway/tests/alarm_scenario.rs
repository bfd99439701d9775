//! The alarm-receiving-centre scenario of the issue: 50 panels, 1000 alarms spread across them,
//! the connection cut twice and stalled once mid-run. Every alarm raised while the client was
//! connected must arrive exactly once, in order per device, typed; heartbeat-only periods must
//! never cause a reconnect; the connection state shows every transition. Paused tokio clock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{CidCode, Client, ConnectionState, Event, EventStreamConfig, Notification};
use watchpost_core::error::TimeoutPhase;
use watchpost_core::retry::FixedJitter;
use watchpost_core::Error;

type Log = Arc<Mutex<Vec<Result<Notification, Error>>>>;

fn count(log: &Log, f: impl Fn(&Result<Notification, Error>) -> bool) -> usize {
    log.lock().unwrap().iter().filter(|i| f(i)).count()
}

fn subscribed(i: &Result<Notification, Error>) -> bool {
    matches!(i, Ok(Notification::Subscribed(_)))
}

fn cid_alarms(log: &Log) -> usize {
    count(log, |i| matches!(i, Ok(Notification::Event(Event::CidAlarm(_)))))
}

/// Waits (in virtual time) until `cond` holds; panics after `limit`.
async fn wait_until(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

struct Raiser<'a> {
    sim: &'a Simulator,
    ids: Vec<String>,
    next: usize,
    /// Per device: (uuid, code) of every alarm raised while the client was connected.
    expected: BTreeMap<String, Vec<(String, CidCode)>>,
    missed: usize,
}

impl Raiser<'_> {
    /// Raises `n` alarms, round-robin over the devices with changing codes and zones.
    async fn raise(&mut self, n: usize, connected: bool) {
        for _ in 0..n {
            let i = self.next;
            self.next += 1;
            let dev = self.ids[i % self.ids.len()].clone();
            let code = CidCode::KNOWN[(i * 7) % CidCode::KNOWN.len()].clone();
            let r = self.sim.raise_cid(&dev, code.clone(), (i % 16) as u32 + 1);
            if connected {
                assert_eq!(r.delivered, 1, "alarm {i} raised while connected must reach the subscription");
                self.expected.entry(dev).or_default().push((r.uuid, code));
            } else {
                assert_eq!(r.delivered, 0, "alarm {i} raised while disconnected");
                self.missed += 1;
            }
            if i % 20 == 19 {
                // Let time pass between bursts (heartbeats interleave with alarms).
                tokio::time::sleep(Duration::from_millis(700)).await;
            }
        }
    }

    fn total_expected(&self) -> usize {
        self.expected.values().map(Vec::len).sum()
    }
}

#[tokio::test(start_paused = true)]
async fn fifty_panels_a_thousand_alarms_two_cuts_one_stall() {
    let sim = Simulator::start_with(SimConfig::default().devices(50)).await.unwrap();
    let ids = sim.device_ids();
    assert_eq!(ids.len(), 50);
    let client = Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .events(EventStreamConfig::default().jitter(Arc::new(FixedJitter(1.0))))
        .build()
        .unwrap();

    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
    let mut watch = stream.state();
    let log: Log = Arc::default();
    let sink = log.clone();
    let consumer = tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            sink.lock().unwrap().push(item);
        }
    });
    // The connection-state channel, observed on its own.
    let watched: Arc<Mutex<Vec<ConnectionState>>> = Arc::default();
    let w = watched.clone();
    let watcher = tokio::spawn(async move {
        w.lock().unwrap().push(watch.borrow_and_update().clone());
        while watch.changed().await.is_ok() {
            w.lock().unwrap().push(watch.borrow_and_update().clone());
        }
    });

    let mut raiser = Raiser { sim: &sim, ids, next: 0, expected: BTreeMap::new(), missed: 0 };
    let minute = Duration::from_secs(60);
    let (log_ref, sim_ref) = (&log, &sim);
    let connected = move |n: usize| move || count(log_ref, subscribed) == n && sim_ref.live_subscriptions() == 1;

    // Phase 1: connected, 240 alarms.
    wait_until("the first subscription", minute, connected(1)).await;
    raiser.raise(240, true).await;

    // Cut 1, straight after the burst; alarms raised before the client is back are missed.
    assert_eq!(sim.cut_streams(), 1);
    raiser.raise(10, false).await;
    wait_until("re-subscription after cut 1", minute, connected(2)).await;

    // Phase 2: 240 alarms, then cut 2 mid-burst.
    raiser.raise(120, true).await;
    assert_eq!(sim.cut_streams(), 1);
    raiser.raise(10, false).await;
    wait_until("re-subscription after cut 2", minute, connected(3)).await;
    raiser.raise(120, true).await;

    // A heartbeat-only period of five minutes: no reconnect.
    let opened = sim.subscriptions_opened();
    let states_before = count(&log, |i| matches!(i, Ok(Notification::State(_))));
    tokio::time::sleep(Duration::from_secs(300)).await;
    assert_eq!(sim.subscriptions_opened(), opened, "heartbeats alone never trigger a reconnect");
    assert_eq!(count(&log, |i| matches!(i, Ok(Notification::State(_)))), states_before);

    // Phase 3: the stream stalls (no heartbeats); alarms raised meanwhile are missed; the idle
    // watchdog (30 s) reconnects.
    raiser.raise(100, true).await;
    assert_eq!(sim.stall_streams(), 1);
    raiser.raise(30, false).await;
    wait_until("re-subscription after the stall", Duration::from_secs(120), connected(4)).await;

    // Phase 4: the rest, to 1000 alarms in all.
    let rest = 1000 - raiser.next;
    raiser.raise(rest, true).await;
    assert_eq!(raiser.next, 1000);
    let expected_total = raiser.total_expected();
    assert_eq!(expected_total + raiser.missed, 1000);
    assert_eq!(raiser.missed, 50);
    wait_until("every alarm raised while connected", minute, || cid_alarms(&log) >= expected_total).await;
    // Some more heartbeat time: nothing else arrives, nothing reconnects.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(sim.subscriptions_opened(), 4);

    // Delivered exactly once, in order per device, typed.
    let items = std::mem::take(&mut *log.lock().unwrap());
    let mut got: BTreeMap<String, Vec<(String, CidCode)>> = BTreeMap::new();
    for item in &items {
        if let Ok(Notification::Event(Event::CidAlarm(a))) = item {
            let dev = a.header.dev_index.clone().expect("devIndex");
            let code = a.cid.code.clone().expect("typed CID code");
            assert!(code.is_known());
            got.entry(dev).or_default().push((a.cid.uuid.clone().expect("UUID"), code));
        }
    }
    assert_eq!(got.values().map(Vec::len).sum::<usize>(), expected_total, "no duplicates, nothing extra");
    assert_eq!(got, raiser.expected, "every alarm raised while connected, exactly once, in order per device");

    // Errors: two cut connections (transport) and one idle timeout; no parse errors.
    let errors: Vec<&Error> = items.iter().filter_map(|i| i.as_ref().err()).collect();
    let idle = errors.iter().filter(|e| matches!(e, Error::Timeout { phase: TimeoutPhase::Idle, .. })).count();
    assert_eq!(idle, 1, "{errors:?}");
    assert!(
        errors.iter().all(|e| matches!(e, Error::Timeout { .. } | Error::Transport { .. } | Error::Stream { .. })),
        "{errors:?}"
    );
    assert!(
        errors.iter().all(|e| !matches!(e, Error::Stream { cause: Some(_), .. })),
        "no undecodable part: {errors:?}"
    );

    // The in-band states, in order. The first two connections lived less than a minute, so
    // their loss counts as a failure (back-off 1 s, then 2 s); the third lived through the
    // five heartbeat-only minutes, so it was healthy and is re-established at once.
    let states: Vec<ConnectionState> = items
        .iter()
        .filter_map(|i| match i {
            Ok(Notification::State(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    use ConnectionState::{Connected, Connecting};
    let want = vec![
        Connecting,
        Connected,
        ConnectionState::Backoff { attempt: 1, delay: Duration::from_secs(1) },
        Connecting,
        Connected,
        ConnectionState::Backoff { attempt: 2, delay: Duration::from_secs(2) },
        Connecting,
        Connected,
        Connecting,
        Connected,
    ];
    assert_eq!(states, want);
    // Every Subscribed follows a Connected.
    assert_eq!(items.iter().filter(|i| subscribed(i)).count(), 4);

    // The watch channel saw the same transitions.
    consumer.abort();
    let _ = consumer.await;
    let _ = watcher.await;
    let watched = watched.lock().unwrap().clone();
    let mut expected_watch = want.clone();
    expected_watch.push(ConnectionState::Closed);
    assert_eq!(watched, expected_watch);
    sim.shutdown().await;
}
