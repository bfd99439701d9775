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

/// `watchpost akuvox` against `sim` with Digest.
fn on(sim: &akuvox::sim::Simulator) -> Command {
    let mut cmd = watchpost();
    cmd.args(["akuvox", "--base-url", &sim.base_url(), "--user", "admin", "--auth", "digest"])
        .env("WATCHPOST_AKUVOX_PASSWORD", "httpapi");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_and_imports_go_through_files_with_a_summary_on_stderr() {
    let sim = akuvox::sim::Simulator::builder().auth(akuvox::sim::SimAuth::digest()).start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.xml");
    let mut export = on(&sim);
    export.args(["privatekey.export", "--output"]).arg(&path);
    // Not a terminal: no bar, stdout stays empty, one summary line with the byte count.
    let out = run(export).await.success().stdout(predicate::str::is_empty()).get_output().clone();
    let written = std::fs::read(&path).unwrap();
    assert!(!written.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{} bytes", written.len())), "{stderr}");
    assert!(!stderr.contains('\r'), "no bar drawn when stderr is not a terminal: {stderr:?}");

    // The file goes back into another device.
    let other = akuvox::sim::Simulator::builder().auth(akuvox::sim::SimAuth::digest()).start().await.unwrap();
    let client = other.client_builder().build().unwrap();
    client.privatekey_clear(&akuvox::PrivatekeyClearRequest::new()).await.unwrap();
    assert!(other.private_keys().is_empty());
    let mut import = on(&other);
    import.args(["privatekey.import", "--file"]).arg(&path);
    let out = run(import).await.success().stdout(predicate::str::is_empty()).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{} bytes", written.len())));
    assert_eq!(other.private_keys(), sim.private_keys());

    // A missing flag is a usage error (exit 2), nothing sent.
    let mut missing = on(&sim);
    missing.args(["contact.import"]);
    run(missing).await.code(2).stderr(predicate::str::contains("--file"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firmware_upgrade_from_a_file() {
    let sim = akuvox::sim::Simulator::builder().auth(akuvox::sim::SimAuth::digest()).start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("fw.rom");
    std::fs::write(&image, vec![0x42u8; 200_000]).unwrap();
    let mut cmd = on(&sim);
    cmd.args(["firmware.upload", "--upgrade", "--file"]).arg(&image);
    run(cmd)
        .await
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("200000 bytes").and(predicate::str::contains("upgrading")));
    assert_ne!(sim.firmware_version(), akuvox::sim::FIRMWARE_VERSION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capability_table_denies_before_sending() {
    let sim = akuvox::sim::Simulator::builder()
        .auth(akuvox::sim::SimAuth::digest())
        .model("A05")
        .firmware_version("29.1.1.250")
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("caps.toml");
    std::fs::write(&table, "[[rule]]\nname = \"site: no relays on old A05\"\nmodel = \"A05\"\nfirmware_to = \"29.2\"\ndeny = [\"relay\"]\n")
        .unwrap();
    let mut cmd = on(&sim);
    cmd.args(["relay.trig", "-p", "mode=0", "-p", "num=1", "--capabilities"]).arg(&table);
    run(cmd).await.code(1).stderr(predicate::str::contains("site: no relays on old A05"));
    assert!(sim.door_log().is_empty(), "the relay was never triggered");
}
