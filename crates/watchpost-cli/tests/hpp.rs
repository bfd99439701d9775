//! `watchpost hpp` end to end: `--list`, calls against a simulator the test starts (through
//! `--base-url` and credentials, the real-endpoint path), `--sim`, a client-side check (exit
//! code 2), rejected credentials (exit code 1), `hpp alarms` (typed alarms, acknowledged once
//! printed) and the account as a source of `watchpost alarms`, merged with a Device Gateway.
#![cfg(feature = "hpp")]

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use watchpost::hpp;

fn watchpost() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_watchpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WATCHPOST_") {
            cmd.env_remove(key);
        }
    }
    cmd.timeout(Duration::from_secs(30));
    cmd
}

async fn run(mut cmd: Command) -> assert_cmd::assert::Assert {
    tokio::task::spawn_blocking(move || cmd.assert()).await.expect("the command thread panicked")
}

#[test]
fn list_shows_the_operations() {
    watchpost()
        .args(["hpp", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("mq.messages"))
        .stdout(predicate::str::contains("token.get"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_reach_the_simulator_through_the_token_and_its_area_domain() {
    use hpp::sim::fixtures as f;
    let sim = hpp::sim::Simulator::start().await.unwrap();
    let args = |secret: &str| -> Vec<String> {
        ["--base-url", &sim.base_url(), "--app-key", f::APP_KEY, "--secret-key", secret].map(str::to_owned).to_vec()
    };
    let mut cmd = watchpost();
    cmd.args(["hpp", "mq.subscribe", "-p", "subType=1", "-p", "subMode=all"]).args(args(f::SECRET_KEY));
    run(cmd).await.success();
    assert!(sim.push_alarm("Q01728482", hpp::models::mq::FormatType::Xml, serde_json::json!("<x/>")));
    let mut cmd = watchpost();
    cmd.args(["hpp", "mq.messages", "--json"]).args(args(f::SECRET_KEY));
    run(cmd).await.success().stdout(predicate::str::contains("Q01728482"));
    assert_eq!(sim.hits("mq.messages"), 1);

    let mut cmd = watchpost();
    cmd.args(["hpp", "mq.messages"]).args(args("wrong"));
    run(cmd).await.code(1).stderr(predicate::str::contains("LAP300002"));
    sim.shutdown().await;
}

#[test]
fn sim_mode_and_client_side_checks() {
    watchpost().args(["hpp", "mq.messages", "--sim"]).assert().success();
    watchpost()
        .args(["hpp", "mq.subscribe", "--sim", "-p", "subType=1", "-p", "subMode=list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("deviceSerialList"));
}

#[test]
fn alarms_follow_prints_the_simulated_alarms() {
    watchpost()
        .args(["hpp", "alarms", "--follow", "--sim", "--max-events", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("state      connected"))
        .stdout(predicate::str::contains("alarm      Q01728482 intrusion VMD"))
        .stdout(predicate::str::contains("alarm      Q01728482 video_verification Linkage"))
        .stdout(predicate::str::contains("+2 pictures"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_are_acknowledged_once_printed_so_their_batch_is_committed() {
    use hpp::models::mq::{FormatType, SubMode, SubType};
    use hpp::sim::fixtures as f;
    let sim = hpp::sim::Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&hpp::requests::MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
    assert!(sim.push_seed_event("VMD", "DEV001"));
    assert!(sim.push_alarm("DEV002", FormatType::Xml, serde_json::json!("<x/>")));
    let mut cmd = watchpost();
    cmd.args(["hpp", "alarms", "--max-events", "2", "--json"]);
    cmd.args(["--base-url", &sim.base_url(), "--app-key", f::APP_KEY, "--secret-key", f::SECRET_KEY]);
    let done = run(cmd).await.success();
    let out = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
    // With --json stdout is alarms only: every line an `Alarm`.
    let alarms: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(alarms.len(), 2, "{out}");
    assert_eq!(alarms[0]["source"]["vendor"], "hpp");
    assert_eq!(alarms[0]["source"]["account"], f::APP_KEY);
    assert_eq!(alarms[0]["device_id"], "DEV001");
    assert_eq!(alarms[0]["category"], "intrusion");
    assert_eq!(alarms[0]["raw"]["format"], "xml");
    // Not an A.3 event: delivered all the same, raw, as `other`.
    assert_eq!(alarms[1]["device_id"], "DEV002");
    assert_eq!(alarms[1]["category"], "other");
    assert_eq!(sim.batches_confirmed(), 1, "both printed: the batch was committed");
    assert_eq!(sim.alarms_unconfirmed(), 0);
    sim.shutdown().await;
}

#[cfg(feature = "hikgw")]
/// Queues the seed's VMD event of `serial` once the consumer of the command has subscribed
/// (the simulator drops alarms of devices nobody subscribed to).
async fn push_when_subscribed(sim: &hpp::sim::Simulator, serial: &str) {
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if sim.push_seed_event("VMD", serial) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the command never subscribed to the Hik-Partner Pro queue");
}

#[cfg(feature = "hikgw")]
/// Raises a panel-wide burglary alarm on the gateway simulator once the command subscribed.
async fn raise_when_subscribed(sim: &watchpost::hikgw::sim::Simulator) -> String {
    let panel = sim.device_ids().into_iter().next().expect("a panel");
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if sim.live_subscriptions() > 0 {
            let raised = sim.raise_cid(&panel, watchpost::hikgw::CidCode::BurglaryAlarm, 0);
            if raised.delivered == 1 {
                return raised.uuid;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the command never subscribed to the gateway");
}

#[cfg(feature = "hikgw")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchpost_alarms_merges_a_hpp_profile_and_a_hikgw_profile() {
    use hpp::sim::fixtures as f;
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, BufReader};

    let cloud = hpp::sim::Simulator::start().await.unwrap();
    let gw = watchpost::hikgw::sim::Simulator::start().await.unwrap();
    let config = std::env::temp_dir().join(format!("watchpost-hpp-alarms-{}.toml", std::process::id()));
    std::fs::write(
        &config,
        format!(
            "[profile.cloud]\nvendor = \"hpp\"\nbase_url = \"{}\"\napp_key = \"{}\"\nsecret_key_env = \"WP_TEST_HPP_SECRET\"\n\n\
             [profile.gw]\nvendor = \"hikgw\"\nbase_url = \"{}\"\nusername = \"{}\"\npassword_env = \"WP_TEST_GW_PASSWORD\"\n",
            cloud.base_url(),
            f::APP_KEY,
            gw.base_url(),
            gw.username()
        ),
    )
    .unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_watchpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WATCHPOST_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .arg("--config")
        .arg(&config)
        .args(["alarms", "--follow", "--json", "--max-alarms", "2", "--source", "hpp=cloud", "--source", "hikgw=gw"])
        .env("WP_TEST_HPP_SECRET", f::SECRET_KEY)
        .env("WP_TEST_GW_PASSWORD", gw.password())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let raise = async { tokio::join!(push_when_subscribed(&cloud, "Q01728482"), raise_when_subscribed(&gw)) };
    let ((), gw_uuid) = tokio::select! {
        raised = raise => raised,
        status = child.wait() => panic!("the command ended before both sources were subscribed: {status:?}"),
    };

    let bound = Duration::from_secs(60);
    let mut lines = BufReader::new(stdout).lines();
    let mut alarms = Vec::new();
    while let Some(line) = tokio::time::timeout(bound, lines.next_line()).await.expect("output in time").unwrap() {
        alarms.push(serde_json::from_str::<serde_json::Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}")));
    }
    let status = tokio::time::timeout(bound, child.wait()).await.expect("exits in time").unwrap();
    let _ = std::fs::remove_file(&config);
    assert!(status.success(), "{status:?}");
    assert_eq!(alarms.len(), 2, "{alarms:?}");
    assert_eq!(
        cloud.alarms_unconfirmed(),
        0,
        "the batch of the printed HPP alarm is committed before the command exits"
    );
    let of = |vendor: &str| {
        alarms
            .iter()
            .find(|a| a["source"]["vendor"] == vendor)
            .unwrap_or_else(|| panic!("no {vendor} alarm in {alarms:?}"))
    };
    let hpp_alarm = of("hpp");
    assert_eq!(hpp_alarm["source"]["account"], f::APP_KEY);
    assert_eq!(hpp_alarm["device_id"], "Q01728482");
    assert_eq!(hpp_alarm["category"], "intrusion");
    assert_eq!(hpp_alarm["raw"]["format"], "xml");
    let gw_alarm = of("hik-gateway");
    assert_eq!(gw_alarm["source"]["account"], gw.base_url().as_str());
    assert_eq!(gw_alarm["correlation_id"], gw_uuid.as_str());
    assert_eq!(gw_alarm["code"], "1130");
    cloud.shutdown().await;
    gw.shutdown().await;
}

/// `watchpost alarms` exits after its last alarm only once the Hik-Partner Pro batch of the
/// printed alarms is committed: the next run does not get them again.
#[tokio::test]
async fn watchpost_alarms_commits_the_last_printed_hpp_batch_before_exiting() {
    use hpp::sim::fixtures as f;
    use std::process::Stdio;

    let cloud = hpp::sim::Simulator::start().await.unwrap();
    let config = std::env::temp_dir().join(format!("watchpost-hpp-alarms-exit-{}.toml", std::process::id()));
    std::fs::write(
        &config,
        format!(
            "[profile.cloud]\nvendor = \"hpp\"\nbase_url = \"{}\"\napp_key = \"{}\"\nsecret_key_env = \"WP_TEST_HPP_SECRET\"\n",
            cloud.base_url(),
            f::APP_KEY
        ),
    )
    .unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_watchpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WATCHPOST_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .arg("--config")
        .arg(&config)
        .args(["alarms", "--json", "--max-alarms", "1", "--source", "hpp=cloud"])
        .env("WP_TEST_HPP_SECRET", f::SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::select! {
        () = push_when_subscribed(&cloud, "Q01728482") => {}
        status = child.wait() => panic!("the command ended before it subscribed: {status:?}"),
    }
    let out =
        tokio::time::timeout(Duration::from_secs(60), child.wait_with_output()).await.expect("exits in time").unwrap();
    let _ = std::fs::remove_file(&config);
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert_eq!(cloud.alarms_unconfirmed(), 0, "the printed alarm's batch is committed before the command exits");
    assert!(cloud.batches_confirmed() >= 1);
    cloud.shutdown().await;
}
