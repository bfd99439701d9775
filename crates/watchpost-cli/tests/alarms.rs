//! `watchpost alarms` end to end: two Device Gateway simulators the test starts, one named by
//! a `--source` flag and one by a `--sources` file, merged; `--json` prints one `Alarm` per line.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use watchpost::hikgw::sim::Simulator;
use watchpost::hikgw::CidCode;

/// A generous bound for the whole command.
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

/// Raises a burglary alarm on the first panel of `sim` once the command's subscription is live
/// (retrying while it is not); returns the alarm's UUID.
///
/// Panel-wide (zone 0): a zone alarm would also stand on the panel, and the resync that follows
/// the subscription would report it as a second alarm (`resync.zone_in_alarm`).
async fn raise_when_subscribed(sim: &Simulator) -> String {
    let panel = sim.device_ids().into_iter().next().expect("a panel");
    let started = std::time::Instant::now();
    while started.elapsed() < TIMEOUT {
        if sim.live_subscriptions() > 0 {
            let raised = sim.raise_cid(&panel, CidCode::BurglaryAlarm, 0);
            if raised.delivered == 1 {
                return raised.uuid;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the command never subscribed to {} (after {:?})", sim.base_url(), started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_follow_json_merges_a_flag_source_and_a_file_source() {
    let north = Simulator::start().await.expect("a simulator");
    let south = Simulator::start().await.expect("a simulator");
    let file = std::env::temp_dir().join(format!("watchpost-alarms-test-{}.toml", std::process::id()));
    std::fs::write(
        &file,
        format!("[[source]]\nname = \"south\"\nvendor = \"hikgw\"\nbase_url = \"{}\"\n", south.base_url()),
    )
    .expect("the sources file is written");

    let mut child = watchpost()
        .args(["alarms", "--follow", "--json", "--max-alarms", "2", "--source"])
        .arg(format!("hikgw={}", north.base_url()))
        .arg("--sources")
        .arg(&file)
        .env("WATCHPOST_HIKGW_USERNAME", north.username())
        .env("WATCHPOST_HIKGW_PASSWORD", north.password())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watchpost starts");
    let stdout = child.stdout.take().expect("stdout");
    let (north_uuid, south_uuid) = tokio::join!(raise_when_subscribed(&north), raise_when_subscribed(&south));

    let mut lines = BufReader::new(stdout).lines();
    let mut alarms = Vec::new();
    while let Some(line) =
        tokio::time::timeout(TIMEOUT, lines.next_line()).await.expect("output within the bound").expect("stdout reads")
    {
        alarms.push(serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")));
    }
    let status = tokio::time::timeout(TIMEOUT, child.wait()).await.expect("exits within the bound").expect("waits");
    let _ = std::fs::remove_file(&file);
    assert!(status.success(), "{status:?}");
    assert_eq!(alarms.len(), 2, "{alarms:?}");
    for (sim, uuid) in [(&north, &north_uuid), (&south, &south_uuid)] {
        let a = alarms
            .iter()
            .find(|a| a["source"]["account"] == sim.base_url().as_str())
            .unwrap_or_else(|| panic!("no alarm of {}: {alarms:?}", sim.base_url()));
        assert_eq!(a["source"]["vendor"], "hik-gateway");
        assert_eq!(a["category"], "intrusion");
        assert_eq!(a["code"], "1130");
        assert_eq!(a["description"], "Burglary Alarm");
        assert_eq!(a["zone"], Value::Null);
        assert_eq!(a["correlation_id"], uuid.as_str());
        assert_eq!(a["event_time"]["kind"], "naive");
        assert_eq!(a["raw"]["format"], "json");
    }
    north.shutdown().await;
    south.shutdown().await;
}

#[tokio::test]
async fn alarms_without_a_source_or_follow_is_a_usage_error() {
    for args in [
        &["alarms", "--follow"][..],
        &["alarms", "--source", "hikgw=http://127.0.0.1:9"][..],
        &["alarms", "--follow", "--source", "nosuchvendor=http://127.0.0.1:9"][..],
    ] {
        let out = watchpost().args(args).output().await.expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
