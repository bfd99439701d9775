//! `watchpost akuvox` end to end: `--list`, calls against a simulated device the test starts
//! (Digest, through `--base-url` and credentials, in each request form), `--sim`, and a wrong
//! password (exit code 1).
#![cfg(feature = "akuvox")]

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use watchpost::akuvox;
use watchpost::akuvox::models::Door;

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
fn list_shows_the_functions() {
    watchpost()
        .args(["akuvox", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("relay.trig"))
        .stdout(predicate::str::contains("user.scan"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_reach_the_device_in_each_form() {
    let sim = akuvox::sim::Simulator::builder().auth(akuvox::sim::SimAuth::digest()).start().await.unwrap();
    for form in ["get", "post"] {
        let mut cmd = watchpost();
        cmd.args(["akuvox", "relay.trig", "-p", "mode=0", "-p", "num=2", "-p", "delay=60", "--form", form])
            .args(["--base-url", &sim.base_url(), "--user", "admin", "--auth", "digest"])
            .env("WATCHPOST_AKUVOX_PASSWORD", "httpapi");
        run(cmd).await.success();
    }
    assert_eq!(sim.relay_state(Door::B), 1);
    assert_eq!(sim.door_log().len(), 2);
    let mut cmd = watchpost();
    cmd.args(["akuvox", "privatekey.get", "--json", "--base-url", &sim.base_url(), "--user", "admin"])
        .env("WATCHPOST_AKUVOX_PASSWORD", "httpapi");
    run(cmd).await.success().stdout(predicate::str::contains("78965412"));
    let mut wrong = watchpost();
    wrong
        .args(["akuvox", "system.info", "--base-url", &sim.base_url(), "--user", "admin"])
        .env("WATCHPOST_AKUVOX_PASSWORD", "nope");
    run(wrong).await.code(1);
}

#[test]
fn the_simulator_answers_a_call() {
    watchpost()
        .args(["akuvox", "system.info", "--sim", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("R29S"));
}
