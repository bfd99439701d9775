//! Throughput of `AlarmSubscriber` against a real `nats-server -js` the example starts (the
//! `testing` harness): N alarms stored by the `Publisher`, then read, decoded and acknowledged
//! by a fresh durable per batch size. Figures in docs/PERFORMANCE.md.
//!
//! ```sh
//! cargo run --release -p watchpost-bridge --example consume_throughput -- 5000
//! ```

use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use watchpost_bridge::async_nats::jetstream;
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{
    connect, ensure_stream, AlarmFeed, AlarmSubscriber, ConsumeSettings, Consumed, FeedItem, PublishSettings,
    Publisher, StreamSettings,
};
use watchpost_core::alarm::{Alarm, AlarmSource, Category, Delivery, RawEvent};

fn alarm(n: u32) -> Alarm {
    Alarm {
        source: AlarmSource::new("hik-gateway", "http://10.0.0.5"),
        device_id: format!("panel-{n}"),
        device_name: Some("hall".into()),
        zone: Some(n % 64),
        partition: Some(1),
        channel: None,
        user: None,
        event_time: None,
        received_at: SystemTime::now(),
        category: Category::Intrusion,
        restore_of: None,
        code: "1130".into(),
        description: "Burglary Alarm".into(),
        correlation_id: None,
        media: vec![],
        raw: RawEvent::Json(serde_json::json!({ "cid": 1130, "n": n })),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = std::env::args().nth(1).map_or(Ok(5000), |a| a.parse())?;
    let server = NatsServer::start()?;
    let js = jetstream::new(connect(&server.url()).await?);
    ensure_stream(&js, &StreamSettings::default()).await?;
    let items: Vec<FeedItem> = (0..n).map(|i| FeedItem::Alarm(Delivery::unacknowledged(alarm(i)))).collect();
    let feed = AlarmFeed::new("gw-lobby", futures_util::stream::iter(items).boxed());
    Publisher::new(js.clone(), PublishSettings { window: 256, ..PublishSettings::default() })
        .run(feed, std::future::pending())
        .await;
    for batch in [64, 1] {
        let settings = ConsumeSettings { batch, durable: format!("batch-{batch}"), ..ConsumeSettings::default() };
        let mut sub = AlarmSubscriber::connect(js.clone(), settings).await?;
        let started = Instant::now();
        let mut read = 0u32;
        while read < n {
            match sub.next().await {
                Some(Ok(Consumed::Alarm(delivery))) => {
                    delivery.ack();
                    read += 1;
                }
                Some(Ok(Consumed::State(delivery))) => {
                    delivery.ack();
                }
                Some(Err(e)) => eprintln!("{e}"),
                None => break,
            }
        }
        sub.close(Duration::from_secs(10)).await;
        let elapsed = started.elapsed();
        println!(
            "batch {batch:>2}: {read} alarms read, decoded and acknowledged in {elapsed:.2?}: {:.0} alarms/s",
            f64::from(read) / elapsed.as_secs_f64()
        );
    }
    Ok(())
}
