//! An alarm receiving centre's consumer of the bridge's stream: every alarm, typed, through a
//! durable consumer, acknowledged once handled.
//!
//! ```sh
//! cargo run -p watchpost-bridge --example consume -- nats://127.0.0.1:4222
//! ```

use futures_util::StreamExt;
use watchpost_bridge::async_nats::jetstream;
use watchpost_bridge::{AlarmSubscriber, ConsumeSettings, Consumed};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "nats://127.0.0.1:4222".into());
    let client = watchpost_bridge::connect(&url).await?;
    // Every run with this durable name resumes after the last alarm it acknowledged. Add
    // `filter_subject: Some("watchpost.>".into())` to get the sources' connection states too.
    let settings = ConsumeSettings { durable: "arc-screen".into(), ..ConsumeSettings::default() };
    let mut alarms = AlarmSubscriber::connect(jetstream::new(client), settings).await?;
    while let Some(item) = alarms.next().await {
        match item {
            Ok(Consumed::Alarm(delivery)) => {
                let stored = delivery.item();
                // At least once: a redelivery (`stored.delivered > 1`) or a re-publication has
                // the same `message_id`; deduplicate by it where acting twice would hurt.
                println!(
                    "#{} {} {:?} {} {:?} (device {:?}, id {:?})",
                    stored.stream_sequence,
                    stored.source,
                    stored.alarm.category,
                    stored.alarm.code,
                    stored.alarm.description,
                    stored.alarm.device_id,
                    stored.message_id,
                );
                // Handled: the durable moves past it. Dropping the delivery instead sends a
                // negative acknowledgement and JetStream delivers the alarm again.
                delivery.ack();
            }
            Ok(Consumed::State(delivery)) => {
                eprintln!("{}: {}", delivery.item().source, delivery.item().name);
                delivery.ack();
            }
            // An undecodable message (named by subject and sequence, never delivered again) or
            // a transient NATS error (the client reconnects by itself): the stream goes on.
            Err(e) => eprintln!("{e}"),
        }
    }
    Ok(())
}
