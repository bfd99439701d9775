//! The alarm queue consumer against the simulator over loopback: the at-least-once acceptance
//! run (10,000 alarms, failing batches, consumers replaced), LAP068001 back-off, empty polls of
//! every shape, token expiry, shutdown mid-batch, malformed answers, and the delivery stream.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use hpp_openapi::consumer::{Batch, Condition, Consumer, ConsumerConfig, ConsumerStats, Subscription};
use hpp_openapi::models::mq::FormatType;
use hpp_openapi::requests::MqMessagesRequest;
use hpp_openapi::sim::Simulator;
use hpp_openapi::{ops, Client, HppCode, HppErrorExt as _};
use serde_json::json;
use tokio::sync::mpsc;
use watchpost_core::retry::FixedJitter;
use watchpost_core::sim::SimResponse;
use watchpost_core::supervise::ConnectionState;
use watchpost_core::ErrorKind;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// Deterministic back-offs (no jitter) with the documented shapes.
fn config() -> ConsumerConfig {
    ConsumerConfig::default().jitter(FixedJitter(1.0))
}

fn alarm(seq: usize) -> serde_json::Value {
    json!({ "eventType": "cidEvent", "seq": seq, "cid": 1130 })
}

fn seq_of(m: &hpp_openapi::models::mq::AlarmMessage) -> usize {
    m.alarm_json().and_then(|v| v["seq"].as_u64()).map_or(usize::MAX, |s| s as usize)
}

/// What the handlers of the acceptance run saw.
#[derive(Default)]
struct Seen {
    /// Deliveries to a handler, per alarm.
    delivered: BTreeMap<usize, u32>,
    /// Alarms whose batch a handler returned `Ok` for.
    handled: std::collections::BTreeSet<usize>,
    /// Handler calls so far (over every consumer).
    calls: u64,
    /// Calls answered with an error.
    failures: u64,
    /// Messages of the failed calls.
    failed_messages: u64,
    /// Messages handed to a consumer that was then dropped.
    abandoned_messages: u64,
    /// Messages of a batch already confirmed (must stay 0).
    after_commit: u64,
}

/// One consumer of the acceptance run: a fresh client (its own token, so its own consumer to
/// the platform); `hang_at` makes its handler stop answering once that many alarms are handled
/// overall, then reports on `hung`.
fn start_consumer(
    sim: &Arc<Simulator>,
    seen: &Arc<Mutex<Seen>>,
    hang_at: Option<usize>,
    hung: mpsc::UnboundedSender<()>,
) -> (tokio::task::JoinHandle<Result<ConsumerStats, hpp_openapi::Error>>, hpp_openapi::consumer::ConsumerHandle) {
    let client: Client = sim.client_builder().build().unwrap();
    let consumer = Consumer::new(&client, config());
    let handle = consumer.handle();
    let (sim, seen) = (sim.clone(), seen.clone());
    let task = tokio::spawn(consumer.run(move |batch: Batch| {
        let (sim, seen, hung) = (sim.clone(), seen.clone(), hung.clone());
        async move {
            let id = batch.id.clone().unwrap_or_default();
            let hang;
            let fail;
            {
                let mut s = seen.lock().unwrap();
                s.calls += 1;
                if sim.batch_confirmed(&id) {
                    s.after_commit += batch.messages.len() as u64;
                }
                for m in &batch.messages {
                    *s.delivered.entry(seq_of(m)).or_default() += 1;
                }
                hang = hang_at.is_some_and(|n| s.handled.len() >= n);
                // 1% of the batches fail.
                fail = !hang && s.calls % 100 == 42;
                if hang {
                    s.abandoned_messages += batch.messages.len() as u64;
                } else if fail {
                    s.failures += 1;
                    s.failed_messages += batch.messages.len() as u64;
                } else {
                    s.handled.extend(batch.messages.iter().map(seq_of));
                }
            }
            if hang {
                let _ = hung.send(());
                std::future::pending::<()>().await;
            }
            if fail {
                return Err("the store is down");
            }
            Ok(())
        }
    }));
    (task, handle)
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_alarms_survive_failing_batches_and_two_replaced_consumers() {
    const ALARMS: usize = 10_000;
    let sim = Arc::new(Simulator::start().await.unwrap());
    sim.set_redelivery_delay(SECS(30));
    sim.set_long_poll(SECS(20));
    let setup = sim.client_builder().build().unwrap();
    setup
        .mq_subscribe(&hpp_openapi::requests::MqSubscribeRequest::new(
            hpp_openapi::models::mq::SubType::Subscribe,
            hpp_openapi::models::mq::SubMode::All,
        ))
        .await
        .unwrap();
    for seq in 0..ALARMS {
        assert!(sim.push_alarm(&format!("DEV{:03}", seq % 100), FormatType::Json, alarm(seq)));
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (hung_tx, mut hung) = mpsc::unbounded_channel();

    // Consumer 1 hangs a third of the way through and is dropped without committing; consumer 2
    // the same at two thirds; consumer 3 finishes.
    let mut stats = Vec::new();
    for hang_at in [Some(ALARMS / 3), Some(2 * ALARMS / 3)] {
        let (task, handle) = start_consumer(&sim, &seen, hang_at, hung_tx.clone());
        hung.recv().await.unwrap();
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        stats.push(handle.stats());
    }
    let (last, handle) = start_consumer(&sim, &seen, None, hung_tx);
    while sim.alarms_unconfirmed() > 0 {
        tokio::time::sleep(SECS(1)).await;
    }
    handle.shutdown();
    stats.push(last.await.unwrap().unwrap());

    let s = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(s.handled.len(), ALARMS, "no alarm lost");
    assert_eq!(s.after_commit, 0, "nothing delivered again once its batch was committed");
    let duplicates: u64 = s.delivered.values().map(|n| u64::from(n - 1)).sum();
    let delivered: u64 = stats.iter().map(|st| st.delivered).sum();
    let again: u64 = stats.iter().map(|st| st.delivered_again).sum();
    let failed: u64 = stats.iter().map(|st| st.batches_failed).sum();
    let committed: u64 = stats.iter().map(|st| st.batches_committed).sum();
    let rejected: u64 = stats.iter().map(|st| st.other_consumer).sum();
    println!(
        "handler calls {}, failed {} ({} messages), abandoned messages {}, deliveries {delivered}, \
         duplicates delivered {duplicates} (redelivered within one consumer {again}), batches committed {committed}, \
         LAP068001 answers {rejected}, sim redeliveries {}",
        s.calls,
        s.failures,
        s.failed_messages,
        s.abandoned_messages,
        sim.batches_redelivered()
    );
    assert_eq!(delivered, ALARMS as u64 + duplicates, "the consumers count every delivery");
    assert_eq!(failed, s.failures, "every failed batch counted");
    assert!(s.failures >= 2, "1% of the batches failed");
    assert_eq!(duplicates, s.failed_messages + s.abandoned_messages, "duplicates are exactly the unhandled deliveries");
    assert!(again <= s.failed_messages, "a consumer counts what it delivers again itself");
    assert_eq!(committed, sim.batches_confirmed());
    assert_eq!(sim.alarms_expired(), 0);
    // Each replacement met the old consumer's lease a few times, not in a tight loop.
    assert!(sim.consumer_rejections() >= 2 && sim.consumer_rejections() <= 10, "{}", sim.consumer_rejections());
    assert_eq!(rejected, sim.consumer_rejections());
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn another_consumer_on_the_key_is_waited_out_with_backoff_not_a_tight_loop() {
    let sim = Simulator::start().await.unwrap();
    sim.set_consumer_lease(SECS(600));
    // The other consumer: a client with its own token that polled once.
    let other = sim.client_builder().build().unwrap();
    other.mq_messages(&MqMessagesRequest::new()).await.unwrap();

    let client = sim.client_builder().build().unwrap();
    let mut stream = Consumer::new(&client, config()).deliveries();
    let handle = stream.handle();
    let first = stream.next().await.unwrap().unwrap_err();
    assert_eq!(first.hpp_code(), Some(HppCode::SearchInProgress));
    assert_eq!(*handle.condition().borrow(), Some(Condition::OtherConsumer));

    // The lease holds for 10 minutes: the consumer waits 5, 10, 20, ... s between polls
    // (t = 0, 5, 15, 35, 75, 155, 315), then takes over at 615 s.
    let started = tokio::time::Instant::now();
    for refused in 2..=7 {
        let e = stream.next().await.unwrap().unwrap_err();
        assert_eq!(e.hpp_code(), Some(HppCode::SearchInProgress));
        assert!(matches!(*handle.state().borrow(), ConnectionState::Backoff { attempt, .. } if attempt == refused));
    }
    assert_eq!(started.elapsed().as_secs(), 315);
    assert_eq!(sim.consumer_rejections(), 7);

    // Once the lease lapsed, the consumer takes over and alarms flow.
    assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(1)));
    let d = stream.next().await.unwrap().unwrap();
    assert_eq!(seq_of(&d), 1);
    assert_eq!(started.elapsed().as_secs(), 615, "7 polls in ten minutes, not a tight loop");
    d.ack();
    assert_eq!(*handle.state().borrow(), ConnectionState::Connected);
    assert_eq!(*handle.condition().borrow(), None);
    assert_eq!(handle.stats().other_consumer, 7);
    assert_eq!(sim.consumer_rejections(), 7);
    handle.shutdown();
    assert!(stream.next().await.is_none());
    assert_eq!(*handle.state().borrow(), ConnectionState::Closed);
    assert_eq!(sim.batches_confirmed(), 1);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn empty_polls_of_every_shape_are_empty_and_never_a_tight_loop() {
    let sim = Simulator::start().await.unwrap();
    let shapes = [
        json!({"errorCode": "0"}),
        json!({"errorCode": "0", "data": null}),
        json!({"errorCode": "0", "data": {}}),
        json!({"errorCode": "0", "data": {"batchId": null}}),
        json!({"errorCode": "0", "data": {"batchId": null, "list": null}}),
        json!({"errorCode": "0", "data": {"batchId": null, "list": []}}),
        json!({"errorCode": "0", "data": {"list": []}}),
    ];
    for shape in &shapes {
        sim.faults().on(&ops::MQ_MESSAGES).fail_next(1, SimResponse::json(200, shape));
    }
    let client = sim.client_builder().build().unwrap();
    let mut stream = Consumer::new(&client, config()).deliveries();
    let handle = stream.handle();
    // The alarm is pushed only after the seven empty answers (and the subscription).
    let started = tokio::time::Instant::now();
    while sim.hits(ops::MQ_MESSAGES.id) < shapes.len() as u64 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(started.elapsed() >= SECS(6), "each early empty answer waits min_empty_poll");
    assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(7)));
    let d = stream.next().await.unwrap().unwrap();
    assert_eq!(seq_of(&d), 7);
    d.ack();
    let stats = handle.stats();
    assert!(stats.polls_empty >= shapes.len() as u64, "{stats:?}");
    assert_eq!((stats.poll_errors, stats.delivered), (0, 1));
    handle.shutdown();
    assert!(stream.next().await.is_none());
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_is_renewed_mid_loop() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let mut stream = Consumer::new(&client, config()).deliveries();
    let handle = stream.handle();
    tokio::time::sleep(SECS(1)).await; // subscribed
    assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(1)));
    stream.next().await.unwrap().unwrap().ack();
    sim.expire_tokens();
    assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(2)));
    let d = stream.next().await.unwrap().unwrap();
    assert_eq!(seq_of(&d), 2);
    d.ack();
    tokio::time::sleep(SECS(1)).await;
    assert_eq!(sim.tokens_issued(), 2, "the client fetched a new token");
    let stats = handle.stats();
    assert_eq!((stats.poll_errors, stats.batches_committed), (0, 2), "{stats:?}");
    assert_eq!(sim.consumer_rejections(), 0, "a renewed token is the same consumer");
    handle.shutdown();
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn shutdown_mid_batch_abandons_it_without_commit_or_lets_it_finish() {
    let sim = Arc::new(Simulator::start().await.unwrap());
    let client = sim.client_builder().build().unwrap();
    sim.set_mq_batch_size(3);

    // A handler slower than the grace time: abandoned, nothing committed.
    let consumer = Consumer::new(&client, config().shutdown_grace(SECS(5)));
    let handle = consumer.handle();
    let (tx, mut started) = mpsc::unbounded_channel();
    let run = tokio::spawn(consumer.run(move |batch: Batch| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(batch.messages.len());
            tokio::time::sleep(SECS(3600)).await;
            Ok::<(), String>(())
        }
    }));
    tokio::time::sleep(SECS(1)).await;
    for seq in 0..3 {
        assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(seq)));
    }
    assert_eq!(started.recv().await, Some(3));
    handle.shutdown();
    let stats = run.await.unwrap().unwrap();
    assert_eq!((stats.batches_abandoned, stats.batches_committed), (1, 0), "{stats:?}");
    assert_eq!(sim.batches_confirmed(), 0);
    assert_eq!(sim.alarms_unconfirmed(), 3);
    assert_eq!(*handle.state().borrow(), ConnectionState::Closed);

    // A handler that finishes within the grace time: committed. The batch comes again after
    // the redelivery delay (the same key, a new consumer once the first one's lease lapsed).
    let client = sim.client_builder().build().unwrap();
    let consumer = Consumer::new(&client, config().shutdown_grace(SECS(5)));
    let handle = consumer.handle();
    let (tx, mut started) = mpsc::unbounded_channel();
    let run = tokio::spawn(consumer.run(move |batch: Batch| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(batch.messages.len());
            tokio::time::sleep(SECS(2)).await;
            Ok::<(), String>(())
        }
    }));
    assert_eq!(started.recv().await, Some(3));
    handle.shutdown();
    let stats = run.await.unwrap().unwrap();
    assert_eq!((stats.batches_abandoned, stats.batches_committed), (0, 1), "{stats:?}");
    assert_eq!(sim.alarms_unconfirmed(), 0);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_malformed_batch_is_a_typed_error_and_the_consumer_survives() {
    let sim = Simulator::start().await.unwrap();
    let faults = sim.faults().on(&ops::MQ_MESSAGES);
    faults.fail_next(1, SimResponse::json(200, &json!({"errorCode": "0", "data": "not a batch"})));
    faults.fail_next(1, SimResponse::json(200, &json!({"errorCode": "0", "data": {"batchId": "x", "list": {}}})));
    faults.fail_next(1, SimResponse::text(200, "{\"errorCode\":\"0\",\"data\":{\"batchId\""));
    faults
        .fail_next(1, SimResponse::json(200, &json!({"errorCode": "LAP068002", "message": "Pulling alarms failed."})));
    faults.fail_next(
        1,
        SimResponse::json(
            200,
            &json!({"errorCode": "0", "data": {"batchId": "fake-1", "list": [
                {"formatType": 5, "deviceSerial": "DEV009"},
                {"formatType": "JSON", "deviceSerial": "DEV009", "alarmData": {"seq": 99}}
            ]}}),
        ),
    );
    let client = sim.client_builder().build().unwrap();
    let mut stream = Consumer::new(&client, config()).deliveries();
    let handle = stream.handle();
    for expected in [Condition::Malformed, Condition::Malformed, Condition::Malformed] {
        let e = stream.next().await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
        assert_eq!(*handle.condition().borrow(), Some(expected));
    }
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::PullingAlarmsFailed));
    assert_eq!(*handle.condition().borrow(), Some(Condition::PullFailed));
    // A batch with one bad message: the bad one is an error item, the good one a delivery.
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    let d = stream.next().await.unwrap().unwrap();
    assert_eq!(seq_of(&d), 99);
    d.ack();
    // The consumer goes on with real batches.
    assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(1)));
    let d = stream.next().await.unwrap().unwrap();
    assert_eq!(seq_of(&d), 1);
    d.ack();
    tokio::time::sleep(SECS(1)).await;
    let stats = handle.stats();
    assert_eq!((stats.malformed_batches, stats.malformed_messages, stats.poll_errors), (2, 1, 4), "{stats:?}");
    // "fake-1" is no batch of the platform: its commit is refused, counted, not hidden.
    assert_eq!((stats.commit_errors, stats.batches_committed), (1, 1), "{stats:?}");
    handle.shutdown();
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn acknowledgements_drive_the_commit_of_the_delivery_stream() {
    let sim = Simulator::start().await.unwrap();
    sim.set_mq_batch_size(2);
    sim.set_redelivery_delay(SECS(30));
    let client = sim.client_builder().build().unwrap();
    let config = config().subscription(Subscription::Devices(vec!["DEV001".into()]));
    let mut stream = Consumer::new(&client, config).deliveries();
    let handle = stream.handle();
    tokio::time::sleep(SECS(1)).await;
    for seq in 0..3 {
        assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(seq)));
    }
    assert!(!sim.push_alarm("DEV002", FormatType::Json, alarm(9)), "subscribed to the list only");

    // First batch: one ack, one nack: not committed.
    let a = stream.next().await.unwrap().unwrap();
    let b = stream.next().await.unwrap().unwrap();
    assert_eq!((seq_of(&a), seq_of(&b)), (0, 1));
    a.ack();
    tokio::time::sleep(SECS(1)).await;
    assert_eq!(sim.batches_confirmed(), 0, "half a batch acknowledged commits nothing");
    b.into_parts().1.nack();
    // The second batch meanwhile; then the first again after the redelivery delay.
    let c = stream.next().await.unwrap().unwrap();
    assert_eq!(seq_of(&c), 2);
    c.ack();
    let again: Vec<_> = vec![stream.next().await.unwrap().unwrap(), stream.next().await.unwrap().unwrap()];
    assert_eq!(again.iter().map(|d| seq_of(d)).collect::<Vec<_>>(), [0, 1]);
    for d in again {
        d.ack();
    }
    tokio::time::sleep(SECS(1)).await;
    assert_eq!(sim.batches_confirmed(), 2);
    assert_eq!(sim.alarms_unconfirmed(), 0);
    let stats = handle.stats();
    assert_eq!((stats.batches_failed, stats.delivered, stats.delivered_again), (1, 5, 2), "{stats:?}");
    handle.shutdown();
    assert!(stream.next().await.is_none());
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_batch_handled_but_not_committed_comes_again_and_is_suppressed() {
    let sim = Arc::new(Simulator::start().await.unwrap());
    sim.set_redelivery_delay(SECS(30));
    let client = sim.client_builder().build().unwrap();
    let consumer = Consumer::new(&client, config());
    let handle = consumer.handle();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let run = tokio::spawn(consumer.run(move |batch: Batch| {
        seen.lock().unwrap().push(batch.messages.iter().map(seq_of).collect::<Vec<_>>());
        async { Ok::<(), String>(()) }
    }));
    tokio::time::sleep(SECS(1)).await;
    // The commit of the first batch is lost.
    sim.fail_next_code(1, Some(&ops::MQ_OFFSET), "LAP000001");
    for seq in 0..2 {
        assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(seq)));
    }
    tokio::time::sleep(SECS(5)).await;
    assert_eq!(handle.stats().commit_errors, 1);
    assert_eq!(sim.alarms_unconfirmed(), 2);
    tokio::time::sleep(SECS(60)).await;
    assert_eq!(sim.alarms_unconfirmed(), 0, "the redelivered batch was committed");
    assert_eq!(*calls.lock().unwrap(), [vec![0, 1]], "and not handed over again");
    handle.shutdown();
    let stats = run.await.unwrap().unwrap();
    assert_eq!((stats.duplicates_suppressed, stats.batches_committed), (2, 1), "{stats:?}");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_poll_hanging_past_the_poll_timeout_is_an_error_and_retried() {
    let sim = Simulator::start().await.unwrap();
    sim.faults().on(&ops::MQ_MESSAGES).latency_next(1, SECS(120));
    let client = sim.client_builder().build().unwrap();
    let mut stream = Consumer::new(&client, config()).deliveries();
    let handle = stream.handle();
    let started = tokio::time::Instant::now();
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(started.elapsed().as_secs(), 30, "the default poll timeout");
    assert_eq!(*handle.condition().borrow(), Some(Condition::Unreachable));
    assert!(sim.push_alarm("DEV001", FormatType::Json, alarm(1)));
    let d = stream.next().await.unwrap().unwrap();
    assert_eq!(seq_of(&d), 1);
    d.ack();
    handle.shutdown();
    assert!(stream.next().await.is_none());
    assert_eq!(sim.batches_confirmed(), 1);
    sim.shutdown().await;
}
