//! The `watchpost` binary end to end: the demo, `--list`, one call per vendor against a
//! simulator the test starts (through `--base-url` and credentials, the real-endpoint path),
//! usage errors (exit code 2) and rejected credentials (exit code 1).

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use watchpost::{ezviz, gizwits, hikgw};

/// A generous bound for one command (the slowest, the demo, takes about a second).
const TIMEOUT: Duration = Duration::from_secs(30);

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

fn ezviz_args(sim: &ezviz::sim::Simulator, secret: &str) -> Vec<String> {
    ["--base-url", &sim.base_url(), "--app-key", sim.app_key(), "--app-secret", secret].map(str::to_owned).to_vec()
}

fn gizwits_args(sim: &gizwits::sim::Simulator, enterprise_secret: &str) -> Vec<String> {
    use gizwits::sim::fixtures as f;
    [
        "--base-url",
        &sim.base_url(),
        "--enterprise-id",
        sim.enterprise_id(),
        "--enterprise-secret",
        enterprise_secret,
        "--product-key",
        f::PRODUCT_KEY,
        "--product-secret",
        f::PRODUCT_SECRET,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn demo_walks_every_scenario_and_exits_0() {
    let out = watchpost()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("EZVIZ: 5/5 steps ok"))
        .stdout(predicate::str::contains("Device Gateway: 8/8 steps ok"))
        .stdout(predicate::str::contains("Gizwits: 4/4 steps ok"))
        .stdout(predicate::str::contains("Hik-Partner Pro: 8/8 steps ok"))
        .stdout(predicate::str::contains("Akuvox: 4/4 steps ok"))
        .stdout(predicate::str::contains("All 5 scenarios passed"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    for line in [
        "received CID 1130 Burglary Alarm",
        "heartbeat #",
        "partition 1 armed away",
        "hub Q00737272 armed: away",
        "panel Q01728482 added to the site",
        "consumed as a video_verification alarm",
        "acknowledged, batch committed",
        "downloaded and decrypted: a 159-byte JPEG (FF D8 FF), as sent",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(!text.contains("[FAIL]"), "{text}");
    // The summary table: one row per vendor.
    let summary = text.split("Summary").nth(1).unwrap_or_default();
    for row in [
        "EZVIZ             5/5     ok",
        "Device Gateway    8/8     ok",
        "Gizwits           4/4     ok",
        "Hik-Partner Pro   8/8     ok",
    ] {
        assert!(summary.contains(row), "missing {row:?} in:\n{summary}");
    }
}

#[test]
fn list_shows_every_operation_of_each_vendor() {
    for (vendor, ops) in [("ezviz", ezviz::OPERATIONS), ("hikgw", hikgw::OPERATIONS), ("gizwits", gizwits::OPERATIONS)]
    {
        let out = watchpost().args([vendor, "--list"]).assert().success().get_output().stdout.clone();
        let text = String::from_utf8_lossy(&out);
        for op in ops {
            assert!(text.lines().any(|l| l.starts_with(&format!("{} ", op.id))), "{vendor}: {} not listed", op.id);
        }
        assert!(text.contains(&format!("{} operations", ops.len())), "{text}");
    }
    watchpost()
        .args(["ezviz", "device.defence.set", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deviceSerial").and(predicate::str::contains("isDefence")));
    let out = watchpost().args(["gizwits", "--list", "--json"]).assert().success().get_output().stdout.clone();
    let list: serde_json::Value = serde_json::from_slice(&out).expect("--list --json prints JSON");
    assert_eq!(list.as_array().map(Vec::len), Some(gizwits::OPERATIONS.len()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ezviz_call_against_a_simulator_through_base_url_and_credentials() {
    let sim = ezviz::sim::Simulator::start().await.expect("simulator");
    let mut cmd = watchpost();
    cmd.args([
        "ezviz",
        "device.defence.set",
        "--param",
        "deviceSerial=Q00737272",
        "--param",
        "isDefence=away",
        "--json",
    ]);
    cmd.args(ezviz_args(&sim, sim.app_secret()));
    run(cmd).await.success();
    let armed = sim.device(ezviz::sim::fixtures::HUB).map(|d| d.defence);
    assert_eq!(armed, Some(16), "the hub is armed away (16) on the simulator");

    let mut cmd = watchpost();
    cmd.args(["ezviz", "device.info", "-p", "deviceSerial=Q00737272", "-p", "version=utc"]);
    cmd.args(ezviz_args(&sim, sim.app_secret()));
    run(cmd)
        .await
        .success()
        .stdout(predicate::str::contains("deviceSerial").and(predicate::str::contains("Q00737272")))
        .stdout(predicate::str::is_match(r"defence\s+16").expect("regex"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hikgw_call_against_a_simulator_through_base_url_and_credentials() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let panel = sim.device_ids().into_iter().next().expect("a panel");
    let mut cmd = watchpost();
    cmd.args(["hikgw", "security_cp.arm", "-p", "ID=2", "-p", "ways=stay", "-p", &format!("devIndex={panel}")]);
    cmd.args(["--base-url", &sim.base_url(), "--username", sim.username()]);
    cmd.env("WATCHPOST_HIKGW_PASSWORD", sim.password());
    run(cmd).await.success().stdout(predicate::str::contains("statusCode"));
    let arming = sim.panel(&panel).and_then(|p| p.partitions.into_iter().find(|x| x.id == 2)).and_then(|p| p.arming);
    assert_eq!(arming, Some(hikgw::models::Arming::Stay));

    let mut cmd = watchpost();
    cmd.args(["hikgw", "security_cp.status.sub_systems", "-p", &format!("devIndex={panel}"), "--json"]);
    cmd.env("WATCHPOST_HIKGW_BASE_URL", sim.base_url());
    cmd.env("WATCHPOST_HIKGW_USERNAME", sim.username());
    cmd.env("WATCHPOST_HIKGW_PASSWORD", sim.password());
    let out = run(cmd).await.success().get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert!(v.to_string().contains("\"stay\""), "{v}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gizwits_call_against_a_simulator_through_base_url_and_credentials() {
    use gizwits::sim::fixtures as f;
    let sim = gizwits::sim::Simulator::start().await.expect("simulator");
    let mut cmd = watchpost();
    // `product_key` comes from --product-key.
    cmd.args([
        "gizwits",
        "devices.control",
        "-p",
        &format!("did={}", f::DEVICE_DID),
        "-p",
        r#"command={"attrs":{"switch":true}}"#,
    ]);
    cmd.args(gizwits_args(&sim, sim.enterprise_secret()));
    run(cmd).await.success().stdout(predicate::str::contains("OK"));
    assert!(!sim.commands_sent(f::DEVICE_DID).is_empty(), "the device received the command");

    let mut cmd = watchpost();
    cmd.args(["gizwits", "devices.search"]);
    cmd.args(gizwits_args(&sim, sim.enterprise_secret()));
    run(cmd).await.success().stdout(predicate::str::contains(f::DEVICE_DID).and(predicate::str::contains("objects (")));
    sim.shutdown().await;
}

#[test]
fn bad_parameters_are_usage_errors_with_exit_code_2() {
    // A value of the wrong type: rejected before anything is sent.
    watchpost()
        .args(["gizwits", "devices.search", "--sim", "-p", "limit=many"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("parameter `limit` expects a whole number"));
    // An unknown parameter, a missing required one, an unknown operation, a malformed pair.
    watchpost()
        .args(["ezviz", "device.info", "--sim", "-p", "serial=Q00737272"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown parameter `serial`").and(predicate::str::contains("deviceSerial")));
    watchpost()
        .args(["ezviz", "device.info", "--sim", "-p", "version=utc"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing required parameter `deviceSerial`"));
    watchpost().args(["hikgw", "security_cp.arrm", "--sim"]).assert().code(2).stderr(
        predicate::str::contains("no operation `security_cp.arrm`").and(predicate::str::contains("security_cp.arm")),
    );
    watchpost()
        .args(["hikgw", "devices.list", "-p", "oops"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KEY=VALUE"));
    // A value the vendor crate's request rejects (an unknown arming mode): InvalidInput, exit 2.
    watchpost()
        .args(["ezviz", "device.defence.set", "--sim", "-p", "deviceSerial=Q00737272", "-p", "isDefence=sideways"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("device.defence.set").and(predicate::str::contains("hint:")));
    // Missing credentials, and clap's own usage errors.
    watchpost()
        .args(["hikgw", "security.user_check", "--base-url", "http://127.0.0.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("WATCHPOST_HIKGW_PASSWORD"));
    watchpost().args(["ezviz", "--no-such-flag"]).assert().code(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_give_the_vendor_error_and_exit_code_1() {
    const WRONG: &str = "not-the-password";
    // EZVIZ: the token endpoint answers 10030 (appKey and appSecret mismatched).
    let sim = ezviz::sim::Simulator::start().await.expect("simulator");
    let mut cmd = watchpost();
    cmd.args(["ezviz", "device.info", "-p", "deviceSerial=Q00737272", "-p", "version=utc"]);
    cmd.args(ezviz_args(&sim, WRONG));
    let out = run(cmd).await.code(1).stderr(predicate::str::contains("10030")).get_output().clone();
    assert_secret_not_echoed(&out, WRONG);
    sim.shutdown().await;

    // Device Gateway: HTTP 401 with the attempts left, never retried.
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let mut cmd = watchpost();
    cmd.args(["hikgw", "security.user_check", "--base-url", &sim.base_url(), "--username", sim.username()]);
    cmd.args(["--password", WRONG]);
    let out = run(cmd)
        .await
        .code(1)
        .stderr(predicate::str::contains("credentials rejected").and(predicate::str::contains("401")))
        .stderr(predicate::str::contains("attempts left"))
        .get_output()
        .clone();
    assert_secret_not_echoed(&out, WRONG);
    assert_eq!(sim.digest().failures(), 1, "a rejected password is sent once");
    sim.shutdown().await;

    // Gizwits: a wrong enterprise secret is refused with the vendor's code.
    let sim = gizwits::sim::Simulator::start().await.expect("simulator");
    let mut cmd = watchpost();
    cmd.args(["gizwits", "devices.search"]);
    cmd.args(gizwits_args(&sim, WRONG));
    let out = run(cmd)
        .await
        .code(1)
        .stderr(predicate::str::contains("Gizwits").and(predicate::str::contains("code 50")))
        .get_output()
        .clone();
    assert_secret_not_echoed(&out, WRONG);
    sim.shutdown().await;
}

fn assert_secret_not_echoed(out: &std::process::Output, secret: &str) {
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains(secret), "the secret was echoed:\n{all}");
}

#[test]
fn help_never_shows_secret_environment_values() {
    watchpost()
        .args(["ezviz", "--help"])
        .env("WATCHPOST_EZVIZ_APP_SECRET", "topsecret-value")
        .env("WATCHPOST_EZVIZ_APP_KEY", "visible-key")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("WATCHPOST_EZVIZ_APP_SECRET")
                .and(predicate::str::contains("topsecret-value").not()),
        );
}

#[test]
fn results_mask_tokens_unless_asked() {
    watchpost()
        .args(["ezviz", "token.get", "--sim"])
        .assert()
        .success()
        .stdout(predicate::str::contains("accessToken").and(predicate::str::contains("***")))
        .stdout(predicate::str::contains("at.").not());
}

#[test]
fn events_follow_prints_alarms_and_state_changes() {
    watchpost()
        .args(["hikgw", "events", "--follow", "--sim", "--max-events", "2", "--heartbeat", "30"])
        .assert()
        .success()
        .stdout(predicate::str::contains("state      connected"))
        .stdout(predicate::str::contains("subscribed id"))
        .stdout(predicate::str::contains("CID alarm  1130 Burglary Alarm"))
        .stdout(predicate::str::contains("3130 Burglary Alarm Restored"));
}

#[test]
fn video_download_writes_the_file() {
    let dir = std::env::temp_dir().join(format!("watchpost-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("alarm.mp4");
    watchpost()
        .args(["hikgw", "video.download", "--sim", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("bytes written"));
    let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(len > 0, "the video was written");
}

/// Runs `watchpost hikgw <args>` against a hostile server answering `answer` to the command
/// (`--base-url` and credentials as for a real gateway) and returns the output.
async fn hikgw_against(args: &[&str], answer: &[u8]) -> (std::process::Output, usize, usize) {
    use watchpost::core::sim::{http_response, ScriptedServer};
    let other = ScriptedServer::start([http_response("200 OK", &[], br#"{"statusCode":1}"#)]).await.expect("listener");
    let answer = String::from_utf8_lossy(answer).replace("{OTHER}", &other.base_url());
    let hostile = ScriptedServer::start([answer.into_bytes()]).await.expect("listener");
    let mut cmd = watchpost();
    cmd.arg("hikgw").args(args).args(["--base-url", &hostile.base_url(), "--username", "admin"]);
    cmd.env("WATCHPOST_HIKGW_PASSWORD", "hik12345");
    let out = run(cmd).await.get_output().clone();
    (out, hostile.requests().len(), other.connections())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_or_an_empty_answer_to_arm_or_reboot_exits_1_without_a_status() {
    use watchpost::core::sim::http_response;
    let arm: &[&str] = &["security_cp.arm", "-p", "ID=1", "-p", "ways=away", "-p", "devIndex=dev-1"];
    let reboot: &[&str] = &["gateway.reboot"];
    let redirect =
        http_response("307 Temporary Redirect", &[("Location", "{OTHER}/ISAPI/System/reboot?format=json")], b"");
    let empty = http_response("200 OK", &[("Content-Type", "application/json")], b"");
    let bare = http_response("200 OK", &[("Content-Type", "application/json")], b"{}");
    for command in [arm, reboot] {
        for (name, answer) in [("307", &redirect), ("empty 200", &empty), ("{} 200", &bare)] {
            let (out, requests, elsewhere) = hikgw_against(command, answer).await;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let case = format!("{} {name}", command[0]);
            assert_eq!(out.status.code(), Some(1), "{case}: stdout {stdout} stderr {stderr}");
            assert!(!stdout.contains("statusCode"), "{case}: a status was printed: {stdout}");
            assert_eq!(requests, 1, "{case}: one request");
            assert_eq!(elsewhere, 0, "{case}: the redirect was followed");
            if name == "307" {
                assert!(stderr.contains("HTTP 307") && stderr.contains("/ISAPI/System/reboot"), "{case}: {stderr}");
                assert!(stderr.contains("never followed"), "{case}: the hint: {stderr}");
            } else {
                assert!(stderr.contains("cannot decode"), "{case}: {stderr}");
            }
        }
    }
}

/// A `watchpost sim ...` process, killed when dropped, and the lines it printed up to its
/// `listening on` line.
struct SimProcess {
    child: std::process::Child,
    lines: Vec<String>,
}

impl SimProcess {
    fn start(args: &[&str]) -> SimProcess {
        use std::io::BufRead as _;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_watchpost"));
        cmd.arg("sim").args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("WATCHPOST_")) {
            cmd.env_remove(key);
        }
        let mut child = cmd.spawn().expect("watchpost sim starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            std::io::BufReader::new(stdout).lines().map_while(Result::ok).try_for_each(|l| tx.send(l))
        });
        let mut sim = SimProcess { child, lines: Vec::new() };
        // The process serves until killed: stop reading at its last line (or at TIMEOUT, when it
        // never prints it, with what it printed so far).
        while let Ok(line) = rx.recv_timeout(TIMEOUT) {
            let done = line.trim_start().starts_with("listening on");
            sim.lines.push(line);
            if done {
                break;
            }
        }
        sim
    }

    /// The value printed after `label`.
    fn value(&self, label: &str) -> String {
        let line = self.lines.iter().map(|l| l.trim_start()).find(|l| l.starts_with(label));
        line.unwrap_or_else(|| panic!("no `{label}` line in {:?}", self.lines))[label.len()..].trim().to_owned()
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Posts the simulator's credentials to the token endpoint at `addr` and returns the answer.
async fn ezviz_token_answer(addr: &str) -> serde_json::Value {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use watchpost::ezviz::sim::fixtures as f;
    let body = format!("appKey={}&appSecret={}", f::APP_KEY, f::APP_SECRET);
    let request = format!(
        "POST /api/lapp/token/get HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect to the simulator");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let json = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

#[tokio::test]
async fn sim_serves_on_the_listen_address_and_hands_out_the_advertised_url() {
    let sim = tokio::task::spawn_blocking(|| {
        SimProcess::start(&["ezviz", "--listen", "127.0.0.1:0", "--advertise", "http://sim.example:8080"])
    })
    .await
    .expect("the start thread panicked");
    assert_eq!(sim.value("token host"), "http://sim.example:8080");
    let area = sim.value("area domain");
    let answer = ezviz_token_answer(&sim.value("listening on")).await;
    assert_eq!(answer["code"], "200", "{answer}");
    assert_eq!(answer["data"]["areaDomain"], area.as_str(), "{answer}");
    assert!(area.starts_with("http://sim.example:") && area != "http://sim.example:8080", "{area}");
}

#[tokio::test]
async fn sim_without_advertise_is_reachable_at_the_urls_it_prints() {
    let sim = tokio::task::spawn_blocking(|| SimProcess::start(&["ezviz", "--listen", "127.0.0.1:0"]))
        .await
        .expect("the start thread panicked");
    let token_host = sim.value("token host");
    assert_eq!(token_host, format!("http://{}", sim.value("listening on")));
    use watchpost::ezviz::sim::fixtures as f;
    let client = ezviz::Client::builder().app_key(f::APP_KEY).app_secret(f::APP_SECRET).token_host(token_host);
    let client = client.build().expect("client");
    let info = client.get_device_info(&ezviz::requests::GetDeviceInfoRequest::new(f::HUB)).await.expect("device info");
    assert_eq!(info.device_serial.as_deref(), Some(f::HUB));
}
