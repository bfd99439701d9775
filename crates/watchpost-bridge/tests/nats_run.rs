//! The runner (`Bridge::start` / `run`) in-process, against a real `nats-server -js` (these
//! tests need the `nats-server` binary and fail when it is missing: `apt-get install
//! nats-server`) and the Hik-Partner Pro simulator.

use std::time::Duration;

use async_nats::jetstream;
use futures_util::StreamExt;
use watchpost::hpp::sim::{fixtures as f, Simulator as Cloud};
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{open_lease_bucket, Bridge, BridgeConfig, BridgeMetrics, RunOptions};

const PATIENCE: Duration = Duration::from_secs(60);
const SOURCE: &str = "hpp-1";
const SERIAL: &str = "Q01728482";
/// The configuration, with the app secret in a file of `dir` (a `file:` reference).
fn config(nats: &str, cloud: &Cloud, dir: &tempfile::TempDir) -> BridgeConfig {
    let secret = dir.path().join("hpp-secret");
    std::fs::write(&secret, format!("{}\n", f::SECRET_KEY)).expect("the secret file is written");
    // A TTL far above the outage of the test: the follower keeps its lease while NATS is down.
    let text = format!(
        r#"
[nats]
url = "{nats}"

[leases]
renew_every = "500ms"
ttl = "60s"

[publish]
retry_initial = "50ms"
retry_max = "500ms"

[[source]]
kind = "hpp"
name = "{SOURCE}"
app_key = "{}"
app_secret = "file:{}"
base_url = "{}"
"#,
        f::APP_KEY,
        secret.display(),
        cloud.base_url()
    );
    BridgeConfig::from_toml(&text).expect("a valid configuration")
}

fn metric(metrics: &BridgeMetrics, name: &str) -> u64 {
    let prefix = format!("{name}{{source=\"{SOURCE}\"}} ");
    metrics
        .encode()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).and_then(|v| v.parse::<f64>().ok()))
        .map_or(0, |v| v as u64)
}

async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_run_acknowledges_to_hpp_only_once_stored_across_an_outage_and_releases_on_stop() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut nats = NatsServer::start().expect("nats-server for this test");
    let cloud = Cloud::start().await.expect("an HPP simulator");
    let options = RunOptions { instance_id: "run-1".into(), http_listen: None };
    let bridge = Bridge::start(config(&nats.url(), &cloud, &dir), options).await.expect("the bridge starts");
    assert_eq!(bridge.http_addr(), None);
    let metrics = bridge.metrics().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(bridge.run(async move {
        let _ = stopped.await;
    }));

    until("the consumer subscribed", || metric(&metrics, "watchpost_bridge_source_connected") == 1).await;
    nats.stop();
    until("the alarm was queued", || cloud.push_seed_event("VMD", SERIAL)).await;
    until("the alarm was taken", || metric(&metrics, "watchpost_bridge_alarms_received_total") == 1).await;
    until("a publication failed", || metric(&metrics, "watchpost_bridge_publish_retries_total") >= 1).await;
    assert_eq!(metric(&metrics, "watchpost_bridge_alarms_published_total"), 0);
    assert_eq!(metric(&metrics, "watchpost_bridge_in_flight"), 1);
    assert_eq!(cloud.batches_confirmed(), 0, "acknowledged to HPP before it was stored");

    nats.restart().expect("nats-server restarts");
    until("the alarm was stored", || metric(&metrics, "watchpost_bridge_alarms_published_total") == 1).await;
    until("the batch was committed", || cloud.batches_confirmed() == 1).await;
    assert_eq!(metric(&metrics, "watchpost_bridge_in_flight"), 0);

    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, running).await.expect("stops in time").expect("no panic").expect("a clean stop");
    assert_eq!(metric(&metrics, "watchpost_bridge_source_connected"), 0, "not followed any more");
    assert!(metrics.encode().lines().any(|l| l == "watchpost_bridge_leases_held 0"));
    let js = jetstream::new(async_nats::connect(nats.url()).await.expect("connect"));
    let stream = js.get_stream("WATCHPOST_ALARMS").await.expect("the stream");
    let mut info = stream.clone();
    let stored = info.info().await.expect("stream info").state.messages;
    assert!(stored >= 1, "the alarm (and the connection states) are in the stream");
    let kv = open_lease_bucket(&js, &config(&nats.url(), &cloud, &dir).leases).await.expect("the bucket");
    let keys: Vec<String> = kv.keys().await.expect("keys").filter_map(|k| async move { k.ok() }).collect().await;
    assert!(keys.is_empty(), "leases left after a clean stop: {keys:?}");
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_a_clean_stop_lets_hpp_commit_the_batch_stored_during_the_drain() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut nats = NatsServer::start().expect("nats-server for this test");
    let cloud = Cloud::start().await.expect("an HPP simulator");
    let options = RunOptions { instance_id: "run-2".into(), http_listen: None };
    let bridge = Bridge::start(config(&nats.url(), &cloud, &dir), options).await.expect("the bridge starts");
    let metrics = bridge.metrics().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(bridge.run(async move {
        let _ = stopped.await;
    }));

    until("the consumer subscribed", || metric(&metrics, "watchpost_bridge_source_connected") == 1).await;
    nats.stop();
    until("the alarm was queued", || cloud.push_seed_event("VMD", SERIAL)).await;
    until("a publication failed", || metric(&metrics, "watchpost_bridge_publish_retries_total") >= 1).await;
    assert_eq!(cloud.batches_confirmed(), 0);

    // Stop while the alarm is still in flight: the feed is dropped at once, the alarm is stored
    // during the drain once NATS is back, and only then acknowledged; the consumer, shut down but
    // still running, commits the batch before the runner returns.
    let _ = stop.send(());
    nats.restart().expect("nats-server restarts");
    tokio::time::timeout(PATIENCE, running).await.expect("stops in time").expect("no panic").expect("a clean stop");
    assert_eq!(metric(&metrics, "watchpost_bridge_alarms_published_total"), 1, "{}", metrics.encode());
    assert_eq!(cloud.batches_confirmed(), 1, "the batch stored during the drain was committed at stop");
    assert_eq!(cloud.alarms_unconfirmed(), 0);
    cloud.shutdown().await;
}
