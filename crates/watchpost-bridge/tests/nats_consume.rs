//! The consumer side against a real `nats-server -js` (these tests need the `nats-server`
//! binary and fail when it is missing: `apt-get install nats-server`): alarms published by the
//! bridge's `Publisher` read back typed through a durable consumer.

use std::time::{Duration, SystemTime};

use async_nats::jetstream;
use futures_util::StreamExt;
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{
    connect, ensure_stream, message_id, AlarmFeed, AlarmSubscriber, BridgeError, ConsumeSettings, Consumed, FeedEnd,
    FeedItem, PublishSettings, Publisher, StoredAlarm, StreamSettings,
};
use watchpost_core::alarm::{Alarm, AlarmSource, Category, Delivery, EventTime, RawEvent};
use watchpost_core::supervise::ConnectionState;

const SOURCE: &str = "gw.lobby 1";
const PATIENCE: Duration = Duration::from_secs(60);

fn alarm(n: usize) -> Alarm {
    Alarm {
        source: AlarmSource::new("hik-gateway", "http://10.0.0.5"),
        device_id: format!("dev.{n}"),
        device_name: Some(format!("panel {n}")),
        zone: Some(1),
        partition: None,
        channel: None,
        user: None,
        event_time: Some(EventTime::Offset(time::macros::datetime!(2024-03-01 08:09:10 +08:00))),
        received_at: SystemTime::now(),
        category: Category::Intrusion,
        restore_of: None,
        code: "1130".into(),
        description: format!("burglary {n}"),
        correlation_id: None,
        media: vec![],
        raw: RawEvent::Json(serde_json::json!({ "n": n })),
    }
}

/// Publishes `items` with the bridge's publisher; returns once every one is stored.
async fn publish(js: &jetstream::Context, items: Vec<FeedItem>) {
    let publisher = Publisher::new(js.clone(), PublishSettings::default());
    let feed = AlarmFeed::new(SOURCE, futures_util::stream::iter(items).boxed());
    let summary =
        tokio::time::timeout(PATIENCE, publisher.run(feed, std::future::pending())).await.expect("published in time");
    assert_eq!(summary.end, FeedEnd::Exhausted);
}

fn alarms(range: std::ops::Range<usize>) -> Vec<FeedItem> {
    range.map(|n| FeedItem::Alarm(Delivery::unacknowledged(alarm(n)))).collect()
}

async fn setup() -> (NatsServer, jetstream::Context) {
    let server = NatsServer::start().expect("nats-server for this test");
    let js = jetstream::new(connect(&server.url()).await.expect("connect"));
    ensure_stream(&js, &StreamSettings::default()).await.expect("stream");
    (server, js)
}

fn settings(durable: &str) -> ConsumeSettings {
    ConsumeSettings {
        durable: durable.into(),
        // One message per pull, and a short ack wait: what a subscriber pulled and did not hand
        // out comes back soon to the next one.
        batch: 1,
        ack_wait: Duration::from_secs(2),
        ..ConsumeSettings::default()
    }
}

async fn next(sub: &mut AlarmSubscriber) -> Result<Consumed, BridgeError> {
    tokio::time::timeout(PATIENCE, sub.next()).await.expect("an item in time").expect("the stream never ends")
}

/// The next alarm, skipping transient error items (a pull failing while the server restarts).
async fn next_alarm(sub: &mut AlarmSubscriber) -> Delivery<StoredAlarm> {
    loop {
        match next(sub).await {
            Ok(Consumed::Alarm(d)) => return d,
            Ok(Consumed::State(s)) => panic!("a state under the alarms filter: {:?}", s.item()),
            Err(BridgeError::Nats { .. }) => {}
            Err(e) => panic!("unexpected error item: {e}"),
        }
    }
}

fn number(stored: &StoredAlarm) -> usize {
    stored.alarm.description.trim_start_matches("burglary ").parse().expect("a test alarm")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_durable_resumes_after_the_last_ack_and_redelivers_the_unacked() {
    let (_server, js) = setup().await;
    let mut items = alarms(0..5);
    items.insert(2, FeedItem::State(ConnectionState::Connected)); // not under the alarms filter
    publish(&js, items).await;

    let mut first = AlarmSubscriber::connect(js.clone(), settings("arc")).await.expect("subscribes");
    for n in 0..3 {
        let delivery = next_alarm(&mut first).await;
        let stored = delivery.item();
        let mut expected = alarm(n);
        expected.received_at = stored.alarm.received_at;
        assert_eq!(stored.alarm, expected, "alarm {n} reads back as published");
        assert_eq!(stored.source, SOURCE);
        assert_eq!(stored.message_id.as_deref(), Some(message_id(SOURCE, &expected).as_str()));
        assert_eq!(stored.delivered, 1);
        delivery.ack();
    }
    let unhandled = next_alarm(&mut first).await;
    assert_eq!(number(unhandled.item()), 3);
    let unhandled_sequence = unhandled.item().stream_sequence;
    drop(unhandled); // not acknowledged: a nak, delivered again
    first.close(PATIENCE).await;

    let mut second = AlarmSubscriber::connect(js.clone(), settings("arc")).await.expect("subscribes again");
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let delivery = next_alarm(&mut second).await;
        let stored = delivery.item();
        if stored.stream_sequence == unhandled_sequence {
            assert!(stored.delivered >= 2, "the nacked alarm is a redelivery");
        }
        seen.push(number(stored));
        delivery.ack();
    }
    seen.sort_unstable();
    assert_eq!(seen, [3, 4], "the second subscriber resumes after the acknowledged ones");
    second.close(PATIENCE).await;

    let stream = js.get_stream("WATCHPOST_ALARMS").await.expect("stream");
    let info = stream.consumer_info("arc").await.expect("consumer info");
    assert_eq!((info.num_pending, info.num_ack_pending), (0, 0), "everything delivered and acknowledged");
    assert_eq!(info.ack_floor.stream_sequence, 6, "acknowledged up to the last alarm (the state is filtered out)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_bad_payload_is_an_error_item_and_the_next_alarm_still_arrives() {
    let (_server, js) = setup().await;
    publish(&js, vec![FeedItem::State(ConnectionState::Connected)]).await;
    let bad_subject = "watchpost.alarms.hik-gateway.gw=2Elobby=201.dev=2E9";
    js.publish(bad_subject, "{\"not\": \"an alarm\"}".into()).await.expect("published").await.expect("stored");
    publish(&js, alarms(7..8)).await;

    let settings = ConsumeSettings { filter_subject: Some("watchpost.>".into()), ..settings("with-states") };
    let mut sub = AlarmSubscriber::connect(js.clone(), settings).await.expect("subscribes");
    match next(&mut sub).await.expect("a state") {
        Consumed::State(state) => {
            assert_eq!((state.source.as_str(), state.state.clone()), (SOURCE, Some(ConnectionState::Connected)));
            assert_eq!(state.stream_sequence, 1);
            state.ack();
        }
        Consumed::Alarm(a) => panic!("expected the state first, got {:?}", a.item()),
    }
    match next(&mut sub).await {
        Err(BridgeError::Decode { subject, stream_sequence, .. }) => {
            assert_eq!((subject.as_str(), stream_sequence), (bad_subject, 2));
        }
        other => panic!("expected a decode error item, got {other:?}"),
    }
    let good = next_alarm(&mut sub).await;
    assert_eq!((number(good.item()), good.item().stream_sequence), (7, 3));
    good.ack();
    sub.close(PATIENCE).await;

    // The bad message was terminated, not left to come back for ever.
    let stream = js.get_stream("WATCHPOST_ALARMS").await.expect("stream");
    let info = stream.consumer_info("with-states").await.expect("consumer info");
    assert_eq!((info.num_pending, info.num_ack_pending), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_the_subscriber_survives_a_server_restart() {
    let (mut server, mut js) = setup().await;
    js.set_timeout(Duration::from_millis(500));
    publish(&js, alarms(0..1)).await;
    let mut sub = AlarmSubscriber::connect(js.clone(), settings("restart")).await.expect("subscribes");
    let before = next_alarm(&mut sub).await;
    assert_eq!(number(before.item()), 0);
    before.ack();

    server.restart().expect("nats-server restarts"); // file storage: stream and durable kept
    publish(&js, alarms(1..3)).await;
    let mut after = Vec::new();
    while after.len() < 2 {
        let delivery = next_alarm(&mut sub).await;
        after.push(number(delivery.item()));
        delivery.ack();
    }
    after.sort_unstable();
    assert_eq!(after, [1, 2], "alarms stored after the restart arrive on the same subscriber");
    sub.close(PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_durable_with_another_filter_is_refused_and_a_missing_stream_named() {
    let (_server, js) = setup().await;
    AlarmSubscriber::connect(js.clone(), settings("shared")).await.expect("subscribes").close(PATIENCE).await;
    let other = ConsumeSettings { filter_subject: Some("watchpost.state.>".into()), ..settings("shared") };
    let e = AlarmSubscriber::connect(js.clone(), other).await.expect_err("another filter");
    assert!(matches!(e, BridgeError::Config { .. }) && e.to_string().contains("watchpost.alarms.>"), "{e}");
    let missing = ConsumeSettings { stream: "NO_SUCH_STREAM".into(), ..settings("x") };
    let e = AlarmSubscriber::connect(js, missing).await.expect_err("no stream");
    assert!(e.to_string().contains("NO_SUCH_STREAM"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_consumer_deleted_under_the_subscriber_is_created_again() {
    let (_server, js) = setup().await;
    publish(&js, alarms(0..1)).await;
    // A short heartbeat: the deleted consumer's silence is noticed after two.
    let settings = ConsumeSettings { heartbeat: Duration::from_millis(500), ..settings("deleted") };
    let mut sub = AlarmSubscriber::connect(js.clone(), settings).await.expect("subscribes");
    next_alarm(&mut sub).await.ack();
    let stream = js.get_stream("WATCHPOST_ALARMS").await.expect("stream");
    stream.delete_consumer("deleted").await.expect("deleted");
    publish(&js, alarms(1..2)).await;
    // The subscriber says so (an error item), creates the durable again (deliver from: all, so
    // the first alarm comes again: at least once) and goes on.
    let mut errors = 0;
    let mut seen = Vec::new();
    while !seen.contains(&1) {
        match next(&mut sub).await {
            Ok(Consumed::Alarm(d)) => {
                seen.push(number(d.item()));
                d.ack();
            }
            Ok(Consumed::State(_)) => panic!("a state under the alarms filter"),
            Err(_) => errors += 1,
        }
    }
    assert!(errors > 0, "the lost consumer was reported");
    assert_eq!(seen, [0, 1], "replayed from the configured start");
    stream.consumer_info("deleted").await.expect("the durable exists again");
    sub.close(PATIENCE).await;
}
