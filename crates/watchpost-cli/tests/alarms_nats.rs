//! `watchpost alarms --from nats://...` end to end against a real `nats-server -js` (these tests
//! need the `nats-server` binary and fail when it is missing: `apt-get install nats-server`):
//! alarms published by the bridge's `Publisher`, printed by the binary as for direct sources.
#![cfg(feature = "bridge")]

use std::process::Output;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use serde_json::Value;
use watchpost::alarm::{Alarm, AlarmSource, Category, Delivery, RawEvent};
use watchpost_bridge::async_nats::jetstream;
use watchpost_bridge::testing::NatsServer;
use watchpost_bridge::{
    connect, ensure_stream, AlarmFeed, FeedEnd, FeedItem, PublishSettings, Publisher, StreamSettings,
};

const SOURCE: &str = "gw-lobby";
const TIMEOUT: Duration = Duration::from_secs(60);

/// The binary, with no `WATCHPOST_*` variable of the environment leaking into the test.
fn watchpost() -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_watchpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WATCHPOST_") {
            cmd.env_remove(key);
        }
    }
    cmd.kill_on_drop(true);
    cmd
}

async fn run(args: &[&str]) -> Output {
    tokio::time::timeout(TIMEOUT, watchpost().args(args).output()).await.expect("exits in time").expect("runs")
}

fn alarm(n: u32, description: &str) -> Alarm {
    Alarm {
        source: AlarmSource::new("hik-gateway", "http://10.0.0.5"),
        device_id: format!("panel-{n}"),
        device_name: None,
        zone: Some(n),
        partition: Some(1),
        channel: None,
        user: None,
        event_time: None,
        received_at: SystemTime::now(),
        category: Category::Intrusion,
        restore_of: None,
        code: "1130".into(),
        description: description.into(),
        correlation_id: None,
        media: vec![],
        raw: RawEvent::Json(serde_json::json!({ "n": n })),
    }
}

/// A server with the bridge's stream holding three alarms (the third's description holds an
/// escape sequence that would clear a terminal).
async fn server_with_three_alarms() -> (NatsServer, jetstream::Context) {
    let server = NatsServer::start().expect("nats-server for this test");
    let js = jetstream::new(connect(&server.url()).await.expect("connect"));
    ensure_stream(&js, &StreamSettings::default()).await.expect("stream");
    let items = [alarm(1, "burglary"), alarm(2, "burglary"), alarm(3, "evil \u{1b}[2J description")]
        .into_iter()
        .map(|a| FeedItem::Alarm(Delivery::unacknowledged(a)));
    let feed = AlarmFeed::new(SOURCE, futures_util::stream::iter(items).boxed());
    let publisher = Publisher::new(js.clone(), PublishSettings::default());
    let summary = tokio::time::timeout(TIMEOUT, publisher.run(feed, std::future::pending())).await.expect("stored");
    assert_eq!((summary.end, summary.alarms), (FeedEnd::Exhausted, 3));
    (server, js)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_from_nats_json_prints_three_alarms_acks_them_and_exits_0() {
    let (server, js) = server_with_three_alarms().await;
    let url = server.url();
    let out = run(&["alarms", "--from", &url, "--max-alarms", "3", "--json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    for (n, line) in (1u32..).zip(&lines) {
        // The `Alarm` serialisation, as for a direct source.
        let expected = alarm(n, line["description"].as_str().unwrap_or_default());
        assert_eq!(line["device_id"], expected.device_id.as_str());
        assert_eq!(line["zone"], n);
        assert_eq!(line["source"]["vendor"], "hik-gateway");
        assert_eq!(line["category"], "intrusion");
        assert_eq!(line["raw"]["body"]["n"], n);
    }
    assert_eq!(lines.get(2).map(|l| l["description"].clone()), Some(Value::from("evil \u{1b}[2J description")));

    // Each printed alarm was acknowledged before the command exited.
    let stream = js.get_stream("WATCHPOST_ALARMS").await.expect("stream");
    let info = stream.consumer_info("watchpost-alarms").await.expect("the durable consumer");
    assert_eq!((info.ack_floor.stream_sequence, info.num_ack_pending, info.num_pending), (3, 0, 0));

    // A second run of the same durable resumes after them: nothing to print, so --max-alarms 1
    // waits; a new alarm then arrives alone.
    let child = watchpost()
        .args(["alarms", "--from", &url, "--max-alarms", "1", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let publisher = Publisher::new(js.clone(), PublishSettings::default());
    let feed = AlarmFeed::new(
        SOURCE,
        futures_util::stream::iter([FeedItem::Alarm(Delivery::unacknowledged(alarm(4, "later")))]).boxed(),
    );
    tokio::time::timeout(TIMEOUT, publisher.run(feed, std::future::pending())).await.expect("stored");
    let out = tokio::time::timeout(TIMEOUT, child.wait_with_output()).await.expect("exits").expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("one JSON line ({e}): {stdout}"));
    assert_eq!(line["device_id"], "panel-4");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_from_nats_text_escapes_control_characters_as_for_direct_sources() {
    let (server, _js) = server_with_three_alarms().await;
    let out = run(&["alarms", "--from", &server.url(), "--durable", "text", "--max-alarms", "3"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.contains(&0x1b), "a raw ESC reached stdout");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines.iter().all(|l| l.starts_with("gw-lobby: intrusion 1130 ")), "{stdout}");
    assert!(lines.get(2).is_some_and(|l| l.contains(r"evil \x1b[2J description")), "{stdout}");
    assert!(lines.first().is_some_and(|l| l.contains("device panel-1 partition 1 zone 1")), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_from_nats_usage_and_connection_errors() {
    for args in [
        // --from and --source are exclusive; credentials in the URL are refused.
        &["alarms", "--max-alarms", "1", "--from", "nats://127.0.0.1:1", "--source", "hikgw=http://127.0.0.1:9"][..],
        &["alarms", "--max-alarms", "1", "--from", "nats://user:pw@127.0.0.1:1"][..],
        &["alarms", "--max-alarms", "1", "--durable", "x"][..],
        &["alarms", "--from", "nats://127.0.0.1:1"][..],
        // An unreadable token file is named, never guessed around.
        &["alarms", "--max-alarms", "1", "--from", "nats://127.0.0.1:1", "--nats-token-file", "/nonexistent/token"][..],
    ] {
        let out = run(args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("pw@"), "{stderr}");
    }
    // Nothing listens there: a failure (exit 1), not a hang nor a success.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let out = run(&["alarms", "--max-alarms", "1", "--from", &format!("nats://127.0.0.1:{port}")]).await;
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_from_nats_follow_stops_on_ctrl_c_with_130_and_the_printed_alarms_acknowledged() {
    use tokio::io::{AsyncBufReadExt as _, BufReader};
    let (server, js) = server_with_three_alarms().await;
    let mut child = watchpost()
        .args(["alarms", "--from", &server.url(), "--follow", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    for n in 1..=3 {
        let line = tokio::time::timeout(TIMEOUT, lines.next_line()).await.expect("in time").expect("reads");
        assert!(line.is_some_and(|l| l.contains(&format!("panel-{n}"))), "alarm {n}");
    }
    let pid = child.id().expect("running").to_string();
    let kill = std::process::Command::new("kill").args(["-INT", &pid]).status();
    assert!(kill.is_ok_and(|s| s.success()), "kill -INT works");
    let status = tokio::time::timeout(TIMEOUT, child.wait()).await.expect("exits").expect("waits");
    assert_eq!(status.code(), Some(130));
    let stream = js.get_stream("WATCHPOST_ALARMS").await.expect("stream");
    let info = stream.consumer_info("watchpost-alarms").await.expect("the durable consumer");
    assert_eq!((info.ack_floor.stream_sequence, info.num_ack_pending), (3, 0), "printed means acknowledged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_from_nats_a_second_run_resumes_at_the_first_unprinted_alarm_in_order() {
    let (server, js) = server_with_three_alarms().await;
    let url = server.url();
    let devices = |out: &Output| -> Vec<String> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).map(|v| v["device_id"].as_str().unwrap_or_default().to_owned()))
            .collect::<Result<_, _>>()
            .expect("JSON lines")
    };
    let first = run(&["alarms", "--from", &url, "--max-alarms", "1", "--json"]).await;
    assert_eq!(devices(&first), ["panel-1"], "{}", String::from_utf8_lossy(&first.stderr));
    // A later alarm: were the unprinted ones left pulled ahead by the first run (held by the
    // server until their ack wait), it would come before them.
    let publisher = Publisher::new(js.clone(), PublishSettings::default());
    let feed = AlarmFeed::new(
        SOURCE,
        futures_util::stream::iter([FeedItem::Alarm(Delivery::unacknowledged(alarm(4, "later")))]).boxed(),
    );
    tokio::time::timeout(TIMEOUT, publisher.run(feed, std::future::pending())).await.expect("stored");
    let second = run(&["alarms", "--from", &url, "--max-alarms", "3", "--json"]).await;
    assert_eq!(devices(&second), ["panel-2", "panel-3", "panel-4"], "{}", String::from_utf8_lossy(&second.stderr));
}

/// A `nats-server -js` that requires `token`, killed on drop (the harness starts servers
/// without authentication).
struct TokenServer {
    child: std::process::Child,
    port: u16,
    store: std::path::PathBuf,
}

impl TokenServer {
    fn start(token: &str) -> TokenServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let store = std::env::temp_dir().join(format!("watchpost-nats-token-{}-{port}", std::process::id()));
        let binary = std::env::var_os("WATCHPOST_NATS_SERVER").unwrap_or_else(|| "nats-server".into());
        let child = std::process::Command::new(&binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "--auth", token, "-sd"])
            .arg(&store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server for this test (apt-get install nats-server, or WATCHPOST_NATS_SERVER)");
        let server = TokenServer { child, port, store };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < TIMEOUT, "nats-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_from_nats_sends_the_token_of_the_file_or_the_environment_and_never_prints_it() {
    const TOKEN: &str = "s3cret-nats-token";
    let server = TokenServer::start(TOKEN);
    let url = server.url();
    let file = std::env::temp_dir().join(format!("watchpost-nats-token-file-{}", std::process::id()));
    std::fs::write(&file, format!("{TOKEN}\n")).expect("token file");
    let token = watchpost_bridge::SecretRef::File(file.clone()).resolve().expect("the token file reads");
    let client = tokio::time::timeout(TIMEOUT, watchpost_bridge::connect_with_token(&url, Some(&token)))
        .await
        .expect("in time")
        .expect("connects with the token");
    let js = jetstream::new(client);
    ensure_stream(&js, &StreamSettings::default()).await.expect("stream");
    let items = [1, 2].map(|n| FeedItem::Alarm(Delivery::unacknowledged(alarm(n, "burglary"))));
    let feed = AlarmFeed::new(SOURCE, futures_util::stream::iter(items).boxed());
    tokio::time::timeout(TIMEOUT, Publisher::new(js, PublishSettings::default()).run(feed, std::future::pending()))
        .await
        .expect("stored");

    let by_file =
        run(&["alarms", "--from", &url, "--max-alarms", "1", "--nats-token-file", &file.to_string_lossy()]).await;
    let _ = std::fs::remove_file(&file);
    assert_eq!(by_file.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_file.stderr));
    let by_env = tokio::time::timeout(
        TIMEOUT,
        watchpost().args(["alarms", "--from", &url, "--max-alarms", "1"]).env("WATCHPOST_NATS_TOKEN", TOKEN).output(),
    )
    .await
    .expect("exits in time")
    .expect("runs");
    assert_eq!(by_env.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_env.stderr));
    let without = run(&["alarms", "--from", &url, "--max-alarms", "1"]).await;
    assert_eq!(without.status.code(), Some(1), "no token: refused by the server");
    for out in [&by_file, &by_env, &without] {
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(TOKEN), "the token was printed: {all}");
    }
}
