//! `watchpost hpp` end to end: `--list`, calls against a simulator the test starts (through
//! `--base-url` and credentials, the real-endpoint path), `--sim`, a client-side check (exit
//! code 2) and rejected credentials (exit code 1).
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
        .stdout(predicate::str::contains("alarm      Q01728482 JSON"))
        .stdout(predicate::str::contains("alarm      Q01728482 XML <EventNotificationAlert>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_are_acknowledged_once_printed_so_their_batch_is_committed() {
    use hpp::models::mq::{FormatType, SubMode, SubType};
    use hpp::sim::fixtures as f;
    let sim = hpp::sim::Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&hpp::requests::MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
    assert!(sim.push_alarm("DEV001", FormatType::Json, serde_json::json!({"eventType": "cidEvent", "n": 1})));
    assert!(sim.push_alarm("DEV002", FormatType::Xml, serde_json::json!("<x/>")));
    let mut cmd = watchpost();
    cmd.args(["hpp", "alarms", "--max-events", "2", "--json"]);
    cmd.args(["--base-url", &sim.base_url(), "--app-key", f::APP_KEY, "--secret-key", f::SECRET_KEY]);
    let done = run(cmd).await.success();
    let out = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
    let alarms: Vec<serde_json::Value> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "alarm")
        .collect();
    assert_eq!(alarms.len(), 2, "{out}");
    assert_eq!(alarms[0]["deviceSerial"], "DEV001");
    assert_eq!(alarms[0]["alarmData"]["n"], 1);
    assert_eq!(alarms[1]["formatType"], "XML");
    assert_eq!(sim.batches_confirmed(), 1, "both printed: the batch was committed");
    assert_eq!(sim.alarms_unconfirmed(), 0);
    sim.shutdown().await;
}
