//! `watchpost bridge` end to end, as a child process: a Device Gateway simulator and a
//! Hik-Partner Pro simulator as sources, a real `nats-server -js` (these tests need the
//! `nats-server` binary and fail when it is missing: `apt-get install nats-server`).
#![cfg(all(feature = "bridge", feature = "hikgw", feature = "hpp"))]

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use watchpost::hikgw::sim::Simulator as Gateway;
use watchpost::hikgw::CidCode;
use watchpost::hpp::sim::{fixtures as f, Simulator as Cloud};
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{escape_token, open_lease_bucket, LeaseSettings};

/// A generous bound for anything to happen.
const PATIENCE: Duration = Duration::from_secs(60);
const GW_SOURCE: &str = "gw.lobby";
const HPP_SOURCE: &str = "hpp-eu";
const SERIAL: &str = "Q01728482";

/// The bridge's configuration: fast leases, secrets from the environment.
fn config(nats: &str, gw: &Gateway, cloud: &Cloud) -> String {
    format!(
        r#"
[nats]
url = "{nats}"

[leases]
renew_every = "500ms"
ttl = "3s"

[publish]
drain_timeout = "3s"

[[source]]
kind = "hik-gateway"
name = "{GW_SOURCE}"
base_url = "{}"
username = "{}"
password = "env:WP_TEST_GW_PASSWORD"

[[source]]
kind = "hpp"
name = "{HPP_SOURCE}"
app_key = "{}"
app_secret = "env:WP_TEST_HPP_SECRET"
base_url = "{}"
"#,
        gw.base_url(),
        gw.username(),
        f::APP_KEY,
        cloud.base_url(),
    )
}

/// A running `watchpost bridge`: its ops address and everything it wrote to stderr so far.
struct Bridge {
    child: tokio::process::Child,
    http: String,
    stderr: Arc<Mutex<String>>,
}

impl Bridge {
    async fn start(config_path: &std::path::Path, gw: &Gateway, instance: &str, extra: &[&str]) -> Bridge {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_watchpost"));
        for (key, _) in std::env::vars() {
            if key.starts_with("WATCHPOST_") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd
            .arg("bridge")
            .arg("--config")
            .arg(config_path)
            .args(["--http", "127.0.0.1:0", "--instance-id", instance])
            .args(extra)
            .env("RUST_LOG", "debug")
            .env("WP_TEST_GW_PASSWORD", gw.password())
            .env("WP_TEST_HPP_SECRET", f::SECRET_KEY)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("watchpost starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel::<String>();
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let log = Arc::clone(&stderr);
        tokio::spawn(async move {
            let mut addr_tx = Some(addr_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    if let Some(tx) = addr_tx.take() {
                        let _ = tx.send(addr.trim().to_owned());
                    }
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let http = match tokio::time::timeout(PATIENCE, addr_rx).await {
            Ok(Ok(addr)) => addr,
            _ => panic!("no `listening on` line; stderr:\n{}", stderr.lock().unwrap()),
        };
        Bridge { child, http, stderr }
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    async fn get(&self, path: &str) -> (u16, String) {
        get(&self.http, path).await
    }

    /// Waits until `GET /metrics` has `line`.
    async fn until_metric(&self, line: &str) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let (status, text) = self.get("/metrics").await;
            if status == 200 && text.lines().any(|l| l == line) {
                return text;
            }
            assert!(tokio::time::Instant::now() < deadline, "never in /metrics: {line}\n{text}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `GET /healthz` answers `status`; returns the body.
    async fn until_health(&self, status: u16) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let (got, body) = self.get("/healthz").await;
            if got == status {
                return body;
            }
            assert!(tokio::time::Instant::now() < deadline, "/healthz never {status}: last {got} {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, then the exit status.
    async fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("still running");
        let sent = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
        assert!(sent.success());
        tokio::time::timeout(PATIENCE, self.child.wait()).await.expect("exits in time").expect("waits")
    }
}

/// `GET path` over HTTP/1.0: the status code and the body.
async fn get(addr: &str, path: &str) -> (u16, String) {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { return (0, "no connection".into()) };
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return (0, "write failed".into());
    }
    let mut answer = String::new();
    if stream.read_to_string(&mut answer).await.is_err() {
        return (0, "read failed".into());
    }
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// Raises a panel-wide burglary alarm on the gateway once the bridge subscribed; its UUID.
async fn raise_when_subscribed(gw: &Gateway) -> String {
    let panel = gw.device_ids().into_iter().next().expect("a panel");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        if gw.live_subscriptions() > 0 {
            let raised = gw.raise_cid(&panel, CidCode::BurglaryAlarm, 0);
            if raised.delivered == 1 {
                return raised.uuid;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the bridge never subscribed to the gateway");
}

/// Queues the seed's VMD event of `SERIAL` once the bridge's consumer subscribed.
async fn push_when_subscribed(cloud: &Cloud) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        if cloud.push_seed_event("VMD", SERIAL) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the bridge never subscribed to the Hik-Partner Pro queue");
}

/// The alarm messages of the stream: (subject, `Nats-Msg-Id`, `Watchpost-Source`, payload).
async fn alarms_in_stream(js: &jetstream::Context, want: usize) -> Vec<(String, String, String, serde_json::Value)> {
    let stream = js.get_stream("WATCHPOST_ALARMS").await.expect("the bridge created the stream");
    let consumer = stream
        .create_consumer(jetstream::consumer::pull::OrderedConfig {
            filter_subject: "watchpost.alarms.>".into(),
            ..Default::default()
        })
        .await
        .expect("an ordered consumer");
    let mut messages = consumer.messages().await.expect("messages");
    let mut out = Vec::new();
    while out.len() < want {
        let message = tokio::time::timeout(PATIENCE, messages.next())
            .await
            .unwrap_or_else(|_| panic!("only {} alarm(s) in the stream: {out:?}", out.len()))
            .expect("a message")
            .expect("no error");
        let header = |name: &str| {
            message.headers.as_ref().and_then(|h| h.get(name)).map(|v| v.as_str().to_owned()).unwrap_or_default()
        };
        let payload: serde_json::Value = serde_json::from_slice(&message.payload).expect("JSON payload");
        out.push((message.subject.to_string(), header("Nats-Msg-Id"), header("Watchpost-Source"), payload));
    }
    out
}

/// The keys of the lease bucket still present.
async fn lease_keys(js: &jetstream::Context) -> Vec<String> {
    let kv = open_lease_bucket(
        js,
        &LeaseSettings {
            renew_every: Duration::from_millis(500),
            ttl: Duration::from_secs(3),
            ..LeaseSettings::default()
        },
    )
    .await
    .expect("the bucket");
    let keys = kv.keys().await.expect("keys");
    keys.filter_map(|k| async move { k.ok() }).collect().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_bridge_publishes_both_sources_serves_metrics_and_stops_cleanly_on_sigterm() {
    let nats = NatsServer::start().expect("nats-server for this test");
    let gw = Gateway::start().await.expect("a gateway simulator");
    let cloud = Cloud::start().await.expect("an HPP simulator");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bridge.toml");
    std::fs::write(&path, config(&nats.url(), &gw, &cloud)).expect("the configuration is written");

    let mut bridge = Bridge::start(&path, &gw, "it-1", &[]).await;
    let (uuid, ()) = tokio::join!(raise_when_subscribed(&gw), push_when_subscribed(&cloud));

    let js = jetstream::new(async_nats::connect(nats.url()).await.expect("connect"));
    let mut alarms = alarms_in_stream(&js, 2).await;
    alarms.sort_by(|a, b| a.0.cmp(&b.0));
    let [(gw_subject, gw_id, gw_header, gw_alarm), (hpp_subject, hpp_id, hpp_header, hpp_alarm)] = &alarms[..] else {
        panic!("{alarms:?}")
    };
    let panel = gw_alarm["device_id"].as_str().expect("a device id");
    assert_eq!(
        gw_subject,
        &format!("watchpost.alarms.hik-gateway.{}.{}", escape_token(GW_SOURCE), escape_token(panel))
    );
    assert_eq!(gw_header, GW_SOURCE);
    assert_eq!(gw_alarm["source"]["vendor"], "hik-gateway");
    assert!(gw_alarm["raw"].to_string().contains(&uuid), "the raised event {uuid} in {gw_alarm}");
    assert_eq!(hpp_subject, &format!("watchpost.alarms.hpp.{HPP_SOURCE}.{SERIAL}"));
    assert_eq!(hpp_header, HPP_SOURCE);
    assert_eq!(hpp_alarm["source"]["account"], f::APP_KEY);
    for id in [gw_id, hpp_id] {
        assert!(id.starts_with("wp1-") && id.len() == 36, "{id}");
    }
    assert_ne!(gw_id, hpp_id);

    // Stored, then acknowledged: the HPP batch is committed.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while cloud.batches_confirmed() < 1 {
        assert!(tokio::time::Instant::now() < deadline, "the HPP batch was never committed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let metrics =
        bridge.until_metric(&format!("watchpost_bridge_alarms_published_total{{source=\"{HPP_SOURCE}\"}} 1")).await;
    let metrics =
        if metrics.lines().any(|l| l == format!("watchpost_bridge_alarms_published_total{{source=\"{GW_SOURCE}\"}} 1"))
        {
            metrics
        } else {
            bridge.until_metric(&format!("watchpost_bridge_alarms_published_total{{source=\"{GW_SOURCE}\"}} 1")).await
        };
    for line in [
        format!("watchpost_bridge_alarms_received_total{{source=\"{GW_SOURCE}\"}} 1"),
        format!("watchpost_bridge_alarms_received_total{{source=\"{HPP_SOURCE}\"}} 1"),
        format!("watchpost_bridge_duplicates_total{{source=\"{GW_SOURCE}\"}} 0"),
        format!("watchpost_bridge_source_connected{{source=\"{GW_SOURCE}\"}} 1"),
        format!("watchpost_bridge_source_connected{{source=\"{HPP_SOURCE}\"}} 1"),
        format!("watchpost_bridge_in_flight{{source=\"{GW_SOURCE}\"}} 0"),
        "watchpost_bridge_publish_latency_seconds_count 2".to_owned(),
        "watchpost_bridge_leases_held 2".to_owned(),
        "watchpost_bridge_instances_live 1".to_owned(),
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} not in\n{metrics}");
    }
    assert!(metrics.contains("watchpost_bridge_source_lag_seconds{source=\"hpp-eu\"}"), "{metrics}");
    assert_eq!(bridge.until_health(200).await, "ok\n");
    let (status, _) = bridge.get("/nothing").await;
    assert_eq!(status, 404);

    // SIGTERM: a clean stop, exit 0, leases and announcement deleted at once.
    let status = bridge.terminate().await;
    let log = bridge.log();
    assert!(status.success(), "{status:?}\n{log}");
    assert_eq!(lease_keys(&js).await, Vec::<String>::new(), "{log}");
    assert_eq!(gw.live_subscriptions(), 0, "the gateway subscription was ended");
    for secret in [gw.password(), f::SECRET_KEY] {
        assert!(!log.contains(secret), "a secret in the debug log:\n{log}");
    }
    assert!(log.contains("leases released"), "{log}");
    gw.shutdown().await;
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_bridge_health_follows_the_nats_connection() {
    let mut nats = NatsServer::start().expect("nats-server for this test");
    let gw = Gateway::start().await.expect("a gateway simulator");
    let cloud = Cloud::start().await.expect("an HPP simulator");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bridge.toml");
    std::fs::write(&path, config(&nats.url(), &gw, &cloud)).expect("the configuration is written");

    let mut bridge = Bridge::start(&path, &gw, "it-2", &["--log-format", "json"]).await;
    assert_eq!(bridge.until_health(200).await, "ok\n");
    nats.stop();
    let reason = bridge.until_health(503).await;
    assert!(reason.starts_with("NATS connection"), "{reason}");
    assert_eq!(reason.lines().count(), 1, "{reason}");
    nats.restart().expect("nats-server restarts");
    assert_eq!(bridge.until_health(200).await, "ok\n");

    let status = bridge.terminate().await;
    let log = bridge.log();
    assert!(status.success(), "{status:?}\n{log}");
    // Every log line is a JSON object; the lines of the command itself are plain.
    let mut json = 0;
    for line in log.lines() {
        if line.starts_with("listening on ") || line.starts_with("SIGTERM") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
        json += 1;
    }
    assert!(json > 0, "{log}");
    gw.shutdown().await;
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_server_bridge_started_before_nats_waits_for_it() {
    let mut nats = NatsServer::start().expect("nats-server for this test");
    nats.stop();
    let gw = Gateway::start().await.expect("a gateway simulator");
    let cloud = Cloud::start().await.expect("an HPP simulator");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bridge.toml");
    std::fs::write(&path, config(&nats.url(), &gw, &cloud)).expect("the configuration is written");

    // The ops endpoint comes up once NATS is there (the helper waits for its line).
    let (mut bridge, restarted) = tokio::join!(Bridge::start(&path, &gw, "it-3", &[]), async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        nats.restart()
    });
    restarted.expect("nats-server starts");
    assert_eq!(bridge.until_health(200).await, "ok\n");
    bridge.until_metric("watchpost_bridge_leases_held 2").await;
    let status = bridge.terminate().await;
    assert!(status.success(), "{status:?}\n{}", bridge.log());
    gw.shutdown().await;
    cloud.shutdown().await;
}

#[test]
fn bridge_without_a_configuration_is_a_usage_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_watchpost")).arg("bridge").output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no configuration file"), "{out:?}");
}
