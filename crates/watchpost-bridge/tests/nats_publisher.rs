//! The publisher against a real `nats-server -js` (these tests need the `nats-server` binary
//! and fail when it is missing: `apt-get install nats-server`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_nats::jetstream;
use futures_util::{FutureExt, StreamExt};
use tokio::sync::{mpsc, oneshot};
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{
    alarm_subject, connect, ensure_stream, message_id, state_subject, AlarmFeed, FeedEnd, FeedItem, FeedSummary,
    PublishSettings, Publisher, StreamSettings,
};
use watchpost_core::alarm::{Ack, AckGroup, Alarm, AlarmSource, Category, Delivery, GroupOutcome, RawEvent};
use watchpost_core::supervise::ConnectionState;

const SOURCE: &str = "gw.lobby 1";
const PATIENCE: Duration = Duration::from_secs(60);

fn alarm(device: usize) -> Alarm {
    Alarm {
        source: AlarmSource::new("hik-gateway", "http://10.0.0.5"),
        device_id: format!("dev.{device}"),
        device_name: None,
        zone: Some(1),
        partition: None,
        channel: None,
        user: None,
        event_time: None,
        received_at: SystemTime::now(),
        category: Category::Intrusion,
        restore_of: None,
        code: "1130".into(),
        description: "burglary".into(),
        correlation_id: None,
        media: vec![],
        raw: RawEvent::Json(serde_json::json!({ "device": device })),
    }
}

/// A feed from a channel that counts the items the publisher took from it.
fn channel_feed() -> (mpsc::UnboundedSender<FeedItem>, AlarmFeed, Arc<AtomicUsize>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let polled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polled);
    let items = futures_util::stream::unfold(rx, move |mut rx| {
        let counter = Arc::clone(&counter);
        async move {
            let item = rx.recv().await?;
            counter.fetch_add(1, Ordering::SeqCst);
            Some((item, rx))
        }
    });
    (tx, AlarmFeed::new(SOURCE, items.boxed()), polled)
}

fn send(tx: &mpsc::UnboundedSender<FeedItem>, alarm: Alarm) -> AckGroup {
    let (group, acks) = AckGroup::new(1);
    let ack = acks.into_iter().next().unwrap_or_else(Ack::noop);
    tx.send(FeedItem::Alarm(Delivery::new(alarm, ack))).expect("publisher alive");
    group
}

struct Rig {
    server: NatsServer,
    stream: jetstream::stream::Stream,
    stop: Option<oneshot::Sender<()>>,
    run: tokio::task::JoinHandle<FeedSummary>,
}

async fn rig(feed: AlarmFeed, window: usize) -> Rig {
    let server = NatsServer::start().expect("nats-server for this test");
    let client = connect(&server.url()).await.expect("connect");
    let mut js = jetstream::new(client);
    // Publications time out (and are retried) well within the outage of the restart test.
    js.set_timeout(Duration::from_millis(500));
    let stream = ensure_stream(&js, &StreamSettings::default()).await.expect("stream");
    let publisher = Publisher::new(js, PublishSettings { window, ..PublishSettings::default() });
    let (stop, stop_rx) = oneshot::channel::<()>();
    let run = tokio::spawn(async move {
        publisher
            .run(feed, async move {
                let _ = stop_rx.await;
            })
            .await
    });
    Rig { server, stream, stop: Some(stop), run }
}

impl Rig {
    async fn finish(mut self) -> FeedSummary {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(PATIENCE, self.run).await.expect("publisher stops").expect("no panic")
    }

    async fn stored(&mut self) -> u64 {
        self.stream.info().await.expect("stream info").state.messages
    }
}

async fn settled(group: AckGroup) -> GroupOutcome {
    tokio::time::timeout(PATIENCE, group.settled()).await.expect("acknowledged in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_every_alarm_is_stored_once_and_acked_only_after_storage() {
    let (tx, feed, _) = channel_feed();
    let mut rig = rig(feed, 8).await;
    let groups: Vec<AckGroup> = (0..200).map(|i| send(&tx, alarm(i))).collect();
    tx.send(FeedItem::State(ConnectionState::Connected)).expect("publisher alive");
    for (i, group) in groups.into_iter().enumerate() {
        assert!(settled(group).await.all_acked(), "alarm {i} not acknowledged");
        // Acknowledged means stored: the message is there with its id.
        let a = alarm(i);
        let subject = alarm_subject("watchpost", SOURCE, &a);
        let stored = rig.stream.get_last_raw_message_by_subject(&subject).await.expect("stored before the ack");
        let headers = stored.headers;
        assert_eq!(
            headers.get("Nats-Msg-Id").map(|v| v.as_str().to_owned()),
            Some(message_id(SOURCE, &a)),
            "alarm {i}"
        );
    }
    let state =
        rig.stream.get_last_raw_message_by_subject(&state_subject("watchpost", SOURCE)).await.expect("state stored");
    let body: serde_json::Value = serde_json::from_slice(&state.payload).expect("JSON state");
    assert_eq!(body["state"], "connected");
    assert_eq!(rig.stored().await, 201, "each alarm once, plus the state");
    drop(tx);
    let summary = rig.finish().await;
    assert_eq!((summary.alarms, summary.states, summary.duplicates, summary.abandoned), (200, 1, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_republished_alarm_is_deduplicated() {
    let (tx, feed, _) = channel_feed();
    let mut rig = rig(feed, 4).await;
    let first = alarm(7);
    let mut again = first.clone();
    again.received_at = SystemTime::UNIX_EPOCH; // a re-delivery, received at another time
    assert!(settled(send(&tx, first)).await.all_acked());
    assert!(settled(send(&tx, again)).await.all_acked(), "a duplicate is acknowledged too");
    assert_eq!(rig.stored().await, 1);
    drop(tx);
    let summary = rig.finish().await;
    assert_eq!((summary.alarms, summary.duplicates), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_restart_mid_run_loses_nothing_and_the_feed_waits() {
    const WINDOW: usize = 4;
    let (tx, feed, polled) = channel_feed();
    let mut rig = rig(feed, WINDOW).await;
    let before: Vec<AckGroup> = (0..50).map(|i| send(&tx, alarm(i))).collect();
    for group in before {
        assert!(settled(group).await.all_acked());
    }
    rig.server.stop();
    let during: Vec<AckGroup> = (50..100).map(|i| send(&tx, alarm(i))).collect();
    // The publisher takes a window's worth, then stops polling the feed while it cannot store.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while polled.load(Ordering::SeqCst) < 50 + WINDOW {
        assert!(tokio::time::Instant::now() < deadline, "the window never filled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // failed publications are being retried
    assert_eq!(polled.load(Ordering::SeqCst), 50 + WINDOW, "feed polled beyond the window while the broker was down");
    assert!(during.iter().all(|g| g.outcome().is_none()), "nothing acknowledged while the broker was down");
    rig.server.restart().expect("nats-server restarts");
    for group in during {
        assert!(settled(group).await.all_acked());
    }
    assert_eq!(rig.stored().await, 100, "every alarm stored once across the restart");
    drop(tx);
    let summary = rig.finish().await;
    assert_eq!(summary.alarms, 100);
    assert!(summary.retries > 0, "the restart caused retries");
}

#[test]
fn nats_server_missing_binary_is_a_clear_error_not_a_skip() {
    let error = NatsServer::start_binary("/nonexistent/nats-server").expect_err("no such binary");
    assert!(error.contains("apt-get install nats-server"), "{error}");
    assert!(error.contains("/nonexistent/nats-server"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_the_stream_is_created_as_configured_and_an_existing_one_kept() {
    let server = NatsServer::start().expect("nats-server for this test");
    let js = jetstream::new(connect(&server.url()).await.expect("connect"));
    let settings = StreamSettings {
        name: "CUSTOM".into(),
        subject_prefix: "wp2".into(),
        retention: watchpost_bridge::Retention::Interest,
        replicas: 1,
        max_age: Duration::from_secs(3600),
        duplicate_window: Duration::from_secs(300),
        storage: watchpost_bridge::Storage::Memory,
    };
    let mut stream = ensure_stream(&js, &settings).await.expect("created");
    let config = stream.info().await.expect("info").config.clone();
    assert_eq!(config.subjects, vec!["wp2.alarms.>".to_owned(), "wp2.state.>".to_owned()]);
    assert_eq!(config.retention, jetstream::stream::RetentionPolicy::Interest);
    assert_eq!(config.storage, jetstream::stream::StorageType::Memory);
    assert_eq!((config.max_age, config.duplicate_window), (Duration::from_secs(3600), Duration::from_secs(300)));
    // An existing stream is the operator's: opened as it is, not changed.
    let other = StreamSettings { duplicate_window: Duration::from_secs(60), ..settings };
    let mut again = ensure_stream(&js, &other).await.expect("opened");
    assert_eq!(again.info().await.expect("info").config.duplicate_window, Duration::from_secs(300));
}

/// A feed whose finisher reports the call and answers `agree`.
fn finishing_feed(
    agree: bool,
) -> (mpsc::UnboundedSender<FeedItem>, AlarmFeed, Arc<AtomicUsize>, oneshot::Receiver<()>) {
    let (tx, feed, polled) = channel_feed();
    let (called, called_rx) = oneshot::channel::<()>();
    let feed = feed.with_finisher(Box::new(move || {
        let _ = called.send(());
        async move { agree }.boxed()
    }));
    (tx, feed, polled, called_rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_stopped_push_feed_is_finished_and_read_to_its_end() {
    let (tx, feed, _, called) = finishing_feed(true);
    let mut rig = rig(feed, 8).await;
    assert!(settled(send(&tx, alarm(0))).await.all_acked());
    let stop = rig.stop.take().expect("not stopped yet");
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, called).await.expect("finisher called").expect("finisher called once");
    // What the source sent before it closed is still taken and stored.
    let late: Vec<AckGroup> = (1..4).map(|i| send(&tx, alarm(i))).collect();
    drop(tx); // the source closed
    for group in late {
        assert!(settled(group).await.all_acked());
    }
    assert_eq!(rig.stored().await, 4);
    let summary = rig.finish().await;
    assert_eq!((summary.end, summary.alarms, summary.abandoned), (FeedEnd::Stopped, 4, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_feed_whose_source_cannot_be_finished_is_dropped() {
    let (tx, feed, polled, called) = finishing_feed(false);
    let mut rig = rig(feed, 8).await;
    assert!(settled(send(&tx, alarm(0))).await.all_acked());
    let stop = rig.stop.take().expect("not stopped yet");
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, called).await.expect("finisher called").expect("finisher called once");
    // Sent after the refusal: never taken (a feed still read would take and store it).
    let _ = tx.send(FeedItem::Alarm(Delivery::unacknowledged(alarm(1))));
    let summary = tokio::time::timeout(PATIENCE, &mut rig.run).await.expect("publisher stops").expect("no panic");
    assert_eq!((summary.end, summary.alarms), (FeedEnd::Stopped, 1));
    assert!(tx.send(FeedItem::State(ConnectionState::Connected)).is_err(), "the feed was dropped");
    assert_eq!(polled.load(Ordering::SeqCst), 1);
    assert_eq!(rig.stored().await, 1);
}
