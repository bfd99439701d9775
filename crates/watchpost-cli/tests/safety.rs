//! The `watchpost` binary against hostile devices and field conditions: device text that tries
//! to forge the operator's screen comes out escaped (alarm stream, operation results of every
//! vendor, error messages); `--auth` keeps the password off a Basic-only gateway over http;
//! `--ca-cert` and `--pin-sha256` reach a self-signed device; Ctrl-C stops cleanly, and at once
//! when pressed twice, even when the gateway never answers the unsubscribe.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use watchpost::core::sim::SimResponse;
use watchpost::{ezviz, gizwits, hikgw};

/// A generous bound for one command.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A device name that erases the alarm line, returns to its start, prints a fake heartbeat on a
/// new line, reverses the rest of the line and rings the bell.
const HOSTILE: &str = "Shop\x1b[2K\r[   0.50s] heartbeat  #1\n\u{202e}mrala yralgrub\x07";
/// How it must look on the screen.
const ESCAPED: &str = "Shop\\x1b[2K\\r[   0.50s] heartbeat  #1\\n\\u{202e}mrala yralgrub\\x07";

/// The binary, with no `WATCHPOST_*` variable of the environment leaking into the test.
fn watchpost() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_watchpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WATCHPOST_") {
            cmd.env_remove(key);
        }
    }
    cmd.timeout(TIMEOUT);
    cmd
}

/// Runs `cmd` off the async runtime (the simulator keeps serving on the runtime's workers).
async fn run(mut cmd: Command) -> assert_cmd::assert::Assert {
    tokio::task::spawn_blocking(move || cmd.assert()).await.expect("the command thread panicked")
}

/// Fails on any raw control character (other than the line ends between lines) or bidi
/// override in `text`.
fn assert_no_raw_controls(text: &str) {
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        assert!(!bad, "raw {c:?} at byte {i} of:\n{text}");
    }
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn hikgw_args(sim: &hikgw::sim::Simulator) -> Vec<String> {
    ["--base-url", &sim.base_url(), "--username", sim.username(), "--password", sim.password()]
        .map(str::to_owned)
        .to_vec()
}

/// Adds a panel named [`HOSTILE`] to the gateway simulator; returns its devIndex.
async fn add_hostile_panel(sim: &hikgw::sim::Simulator) -> String {
    use hikgw::models::{DeviceIn, DeviceInListMsg};
    let client =
        hikgw::Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build().unwrap();
    let msg =
        DeviceInListMsg { device_in_list: vec![DeviceIn::security_panel("ARC-EVIL-0001", "isup-key-0001", HOSTILE)] };
    let out = client.add_devices(&hikgw::AddDevicesRequest::new(msg)).await.expect("the panel is added");
    out.device_out_list.into_iter().find_map(|d| d.dev_index).expect("a devIndex")
}

/// Waits (bounded) until `ready` holds.
async fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_follow_escapes_a_hostile_device_name() {
    let config = hikgw::sim::SimConfig::default().heartbeat_interval(Duration::from_secs(3600));
    let sim = hikgw::sim::Simulator::start_with(config).await.expect("simulator");
    let panel = add_hostile_panel(&sim).await;
    let mut cmd = watchpost();
    cmd.args(["hikgw", "events", "--follow", "--max-events", "1"]).args(hikgw_args(&sim));
    let running = tokio::task::spawn_blocking(move || cmd.assert());
    wait_until("the subscription", || sim.live_subscriptions() > 0).await;
    sim.raise_cid(&panel, hikgw::CidCode::BurglaryAlarm, 1);
    let done = running.await.expect("the command thread").success();
    let out = stdout_of(&done);
    assert!(out.contains("CID alarm  1130 Burglary Alarm"), "{out}");
    assert!(out.contains(ESCAPED), "the name is shown escaped:\n{out}");
    assert_no_raw_controls(&out);
    let alarm_lines = out.lines().filter(|l| l.contains("CID alarm")).count();
    let heartbeat_lines = out.lines().filter(|l| l.contains("heartbeat")).count();
    assert_eq!((alarm_lines, heartbeat_lines), (1, 1), "the fake heartbeat stays inside the alarm line:\n{out}");
    assert!(
        out.lines().any(|l| l.contains("CID alarm") && l.contains("heartbeat  #1")),
        "the alarm line holds the fake heartbeat:\n{out}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hikgw_results_and_errors_escape_device_text() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let panel = add_hostile_panel(&sim).await;
    // The device list, as a table.
    let mut cmd = watchpost();
    cmd.args(["hikgw", "devices.list", "-p", r#"SearchDescription={"position":0,"maxResult":50}"#]);
    cmd.args(hikgw_args(&sim));
    let done = run(cmd).await.success();
    let out = stdout_of(&done);
    assert!(out.contains("Shop\\x1b[2K\\r[   0.50s]"), "the name is shown escaped:\n{out}");
    assert_no_raw_controls(&out);
    // One device's information, as key/value rows: the whole name.
    let mut cmd = watchpost();
    cmd.args(["hikgw", "device.info.get", "-p", &format!("devIndex={panel}")]).args(hikgw_args(&sim));
    let done = run(cmd).await.success();
    let out = stdout_of(&done);
    assert!(out.contains(ESCAPED), "the name is shown escaped:\n{out}");
    assert_no_raw_controls(&out);
    // An error whose message comes from the device.
    let refusal = json!({"statusCode": 4, "statusString": HOSTILE, "subStatusCode": "badParameters"});
    sim.faults().on(&hikgw::ops::GATEWAY_INFO).fail_next(1, SimResponse::json(400, &refusal));
    let mut cmd = watchpost();
    cmd.args(["hikgw", "gateway.device_info.get"]).args(hikgw_args(&sim));
    let done = run(cmd).await.code(1);
    assert_eq!(sim.faults().injected(), 1, "the canned refusal was served");
    let err = stderr_of(&done);
    assert!(err.contains("Shop\\x1b[2K\\r"), "the device's message is shown escaped:\n{err}");
    assert_no_raw_controls(&err);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ezviz_results_escape_the_device_name_in_text_and_json() {
    let sim = ezviz::sim::Simulator::start().await.expect("simulator");
    assert!(sim.update_device(ezviz::sim::fixtures::HUB, |d| d.name = HOSTILE.to_owned()));
    let args = |json: bool| {
        let mut cmd = watchpost();
        cmd.args(["ezviz", "device.info", "-p", "deviceSerial=Q00737272", "-p", "version=utc"]);
        cmd.args(["--base-url", &sim.base_url(), "--app-key", sim.app_key(), "--app-secret", sim.app_secret()]);
        if json {
            cmd.arg("--json");
        }
        cmd
    };
    let done = run(args(false)).await.success();
    let out = stdout_of(&done);
    assert!(out.contains(ESCAPED), "the name is shown escaped:\n{out}");
    assert_no_raw_controls(&out);
    // JSON keeps the value (a parser reads the same name) but never prints the bidi override raw.
    let done = run(args(true)).await.success();
    let out = stdout_of(&done);
    assert_no_raw_controls(&out);
    assert!(out.contains("\\u202e") && out.contains("\\u001b"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(v.to_string().contains("yralgrub"), "{v}");
    assert_eq!(find_string(&v, "Shop"), Some(HOSTILE.to_owned()), "the name survives JSON unchanged");
    sim.shutdown().await;
}

/// The first string in `v` that starts with `prefix`.
fn find_string(v: &serde_json::Value, prefix: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) if s.starts_with(prefix) => Some(s.clone()),
        serde_json::Value::Array(items) => items.iter().find_map(|i| find_string(i, prefix)),
        serde_json::Value::Object(map) => map.values().find_map(|i| find_string(i, prefix)),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gizwits_results_escape_user_names_and_remarks() {
    use gizwits::sim::fixtures as f;
    let sim = gizwits::sim::Simulator::start().await.expect("simulator");
    let page = json!({
        "meta": {"previous": null, "skip": 0, "total": 1, "limit": 20, "next": null},
        "objects": [{"uid": "u-1", "username": HOSTILE, "remark": HOSTILE, "is_anonymous": false,
                     "created_at": 1513135417, "updated_at": 1513135417}]
    });
    sim.faults().on(&gizwits::ops::SEARCH_BOUND_USERS).fail_next(1, SimResponse::json(200, &page));
    let mut cmd = watchpost();
    cmd.args(["gizwits", "users.search_bound"]);
    cmd.args(["--base-url", &sim.base_url(), "--enterprise-id", sim.enterprise_id()]);
    cmd.args(["--enterprise-secret", sim.enterprise_secret(), "--product-key", f::PRODUCT_KEY]);
    cmd.args(["--product-secret", f::PRODUCT_SECRET]);
    let done = run(cmd).await.success();
    assert_eq!(sim.faults().injected(), 1, "the canned page was served");
    let out = stdout_of(&done);
    assert!(out.contains("Shop\\x1b[2K\\r"), "the remark is shown escaped:\n{out}");
    assert_no_raw_controls(&out);
    sim.shutdown().await;
}

/// A gateway that offers only Basic over plain http: answers every request 401 with a Basic
/// challenge and records each request's head.
async fn basic_only_gateway() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let journal = Arc::new(Mutex::new(Vec::new()));
    let seen = journal.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                seen.lock().unwrap().push(String::from_utf8_lossy(&head).to_ascii_lowercase());
                let answer = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"gateway\"\r\n\
                              Content-Length: 0\r\nConnection: close\r\n\r\n";
                let _ = tcp.write_all(answer.as_bytes()).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    (url, journal)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_basic_only_gateway_gets_the_password_only_with_auth_basic() {
    let (url, journal) = basic_only_gateway().await;
    let base = ["hikgw", "security.user_check", "--base-url", &url, "--username", "admin", "--password", "pw"];
    let mut cmd = watchpost();
    cmd.args(base);
    let done = run(cmd).await.code(1);
    let heads = journal.lock().unwrap().clone();
    assert!(!heads.is_empty(), "the gateway was asked");
    assert!(heads.iter().all(|h| !h.contains("authorization:")), "no credentials by default: {heads:?}");
    let err = stderr_of(&done);
    assert!(err.contains("--auth basic") && err.contains("https"), "the hint says how to allow it:\n{err}");

    journal.lock().unwrap().clear();
    let mut cmd = watchpost();
    cmd.args(base).args(["--auth", "basic"]);
    run(cmd).await.code(1);
    let heads = journal.lock().unwrap().clone();
    assert!(heads.iter().any(|h| h.contains("authorization: basic ")), "--auth basic sends it: {heads:?}");
}

/// A TLS endpoint with a fresh self-signed certificate for `localhost` in front of `target`
/// (`host:port`); returns its base URL and the certificate.
async fn tls_front(target: String) -> (String, rcgen::CertifiedKey<rcgen::KeyPair>) {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let target = target.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut plain) = tokio::net::TcpStream::connect(&target).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (url, certified)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_gateway_is_reached_with_ca_cert_or_pin_only() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let (url, certified) = tls_front(sim.base_url().trim_start_matches("http://").to_owned()).await;
    let dir = std::env::temp_dir().join(format!("watchpost-cli-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("gateway.pem");
    std::fs::write(&ca, certified.cert.pem()).unwrap();
    let pin = watchpost::core::transport::tls::fingerprint_sha256(certified.cert.der());
    let cmd = |extra: &[&str]| {
        let mut cmd = watchpost();
        cmd.args(["hikgw", "security.user_check", "--base-url", &url, "--username", sim.username()]);
        cmd.args(["--password", sim.password(), "--timeout", "20s", "--connect-timeout", "5s"]).args(extra);
        cmd
    };

    let done = run(cmd(&[])).await.code(1);
    let err = stderr_of(&done).to_ascii_lowercase();
    assert!(err.contains("certificate"), "the refusal names the certificate:\n{err}");
    run(cmd(&["--ca-cert", ca.to_str().unwrap()])).await.success();
    run(cmd(&["--pin-sha256", &pin])).await.success();
    let wrong = pin.chars().rev().collect::<String>();
    let done = run(cmd(&["--pin-sha256", &wrong])).await.code(1);
    assert!(stderr_of(&done).to_ascii_lowercase().contains("certificate"), "{}", stderr_of(&done));
    // A CA file that is missing or not PEM is a usage error, before anything is sent.
    let requests = sim.requests_total();
    let missing = dir.join("missing.pem");
    let done = run(cmd(&["--ca-cert", missing.to_str().unwrap()])).await.code(2);
    assert!(stderr_of(&done).contains("missing.pem"), "{}", stderr_of(&done));
    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let done = run(cmd(&["--ca-cert", junk.to_str().unwrap()])).await.code(2);
    assert!(stderr_of(&done).contains("junk.pem"), "{}", stderr_of(&done));
    assert_eq!(sim.requests_total(), requests, "nothing was sent");
    let _ = std::fs::remove_dir_all(&dir);
    sim.shutdown().await;
}

/// `watchpost hikgw events --follow` against `sim`, with piped output; returns the child and
/// its stdout and stderr lines as they come.
fn follow(sim: &hikgw::sim::Simulator, extra: &[&str]) -> (Child, mpsc::Receiver<String>, mpsc::Receiver<String>) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_watchpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WATCHPOST_") {
            cmd.env_remove(key);
        }
    }
    cmd.args(["hikgw", "events", "--follow"]).args(hikgw_args(sim)).args(extra);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary starts");
    let lines = |pipe: Box<dyn std::io::Read + Send>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        rx
    };
    let out = lines(Box::new(child.stdout.take().expect("stdout")));
    let err = lines(Box::new(child.stderr.take().expect("stderr")));
    (child, out, err)
}

/// Waits (bounded) for a line containing `needle`.
fn wait_line(lines: &mpsc::Receiver<String>, needle: &str) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return,
            Ok(_) => {}
            Err(e) => panic!("no line with {needle:?}: {e}"),
        }
    }
}

fn interrupt(child: &Child) {
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    assert!(status.is_ok_and(|s| s.success()), "kill -INT works");
}

/// Waits (bounded by `limit`) for the child to exit; its exit code.
fn exit_code_within(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status.code();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the CLI did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_unsubscribes_with_a_deadline_when_the_gateway_hangs() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    sim.faults().on(&hikgw::ops::UNSUBSCRIBE).latency_next(1, Duration::from_secs(3600));
    // The default deadline (3 s).
    let (mut child, out, err) = follow(&sim, &[]);
    let code = tokio::task::spawn_blocking(move || {
        wait_line(&out, "subscribed id");
        interrupt(&child);
        wait_line(&err, "did not confirm the unsubscribe");
        exit_code_within(&mut child, Duration::from_secs(20))
    })
    .await
    .expect("the test thread");
    assert_eq!(code, Some(130));
    assert_eq!(sim.faults().injected(), 1, "the unsubscribe was sent and hung");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_exits_at_once() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    sim.faults().on(&hikgw::ops::UNSUBSCRIBE).latency_next(1, Duration::from_secs(3600));
    // The unsubscribe may take 10 minutes: only the second Ctrl-C can end the CLI in time.
    let (mut child, out, err) = follow(&sim, &["--unsubscribe-timeout", "10m"]);
    let (code, stderr) = tokio::task::spawn_blocking(move || {
        wait_line(&out, "subscribed id");
        interrupt(&child);
        wait_line(&err, "Ctrl-C again to quit at once");
        interrupt(&child);
        let code = exit_code_within(&mut child, Duration::from_secs(20));
        (code, err.try_iter().collect::<Vec<_>>().join("\n"))
    })
    .await
    .expect("the test thread");
    assert_eq!(code, Some(130), "{stderr}");
    sim.shutdown().await;
}

#[test]
fn bad_durations_are_usage_errors() {
    watchpost()
        .args(["hikgw", "devices.list", "--timeout", "5", "--base-url", "http://127.0.0.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("500ms"));
}
