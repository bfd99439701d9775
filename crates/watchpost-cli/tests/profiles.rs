//! Connection profiles (`--profile NAME`, `--config FILE`, `$XDG_CONFIG_HOME`) end to end:
//! against the simulators over loopback, flags winning over the profile, and the rules for
//! secrets (environment variable, owner-only file, clear text only when the profile insists).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use watchpost::{gizwits, hikgw};

/// A generous bound for one command.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The binary, with no `WATCHPOST_*` variable of the environment leaking into the test, and a
/// `HOME`/`XDG_CONFIG_HOME` of its own (an empty directory) so no real config file is read.
fn watchpost(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_watchpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WATCHPOST_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home).env_remove("XDG_CONFIG_HOME");
    cmd.timeout(TIMEOUT);
    cmd
}

/// Runs `cmd` off the async runtime (the simulator keeps serving on the runtime's workers).
async fn run(mut cmd: Command) -> assert_cmd::assert::Assert {
    tokio::task::spawn_blocking(move || cmd.assert()).await.expect("the command thread panicked")
}

/// A fresh directory for one test (removed when dropped).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("watchpost-profiles-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    /// Writes `text` to `name` in the directory with unix `mode`, and returns its path.
    fn file(&self, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("dir");
        }
        std::fs::write(&path, text).expect("write");
        set_mode(&path, mode);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

/// A `[profile.gw]` for the gateway simulator at `base_url`, plus `extra` lines.
fn gw_profile(base_url: &str, user: &str, extra: &str) -> String {
    format!("[profile.gw]\nvendor = \"hikgw\"\nbase_url = \"{base_url}\"\nusername = \"{user}\"\ntimeout = \"20s\"\n{extra}\n")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_in_xdg_config_home_reaches_the_simulator_with_the_password_from_env() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let dir = TempDir::new("xdg");
    dir.file(
        "xdg/watchpost/config.toml",
        &gw_profile(&sim.base_url(), sim.username(), "password_env = \"WP_TEST_GW_PASSWORD\""),
        0o644,
    );
    let mut cmd = watchpost(&dir.0);
    cmd.env("XDG_CONFIG_HOME", dir.0.join("xdg")).env("WP_TEST_GW_PASSWORD", sim.password());
    cmd.args(["hikgw", "security.user_check", "--profile", "gw"]);
    let out = run(cmd).await.success().get_output().clone();
    assert!(!text(&out.stdout).contains(sim.password()) && !text(&out.stderr).contains(sim.password()));
    assert_eq!(sim.digest().failures(), 0);

    // The variable unset: a usage error naming it, nothing sent.
    let mut cmd = watchpost(&dir.0);
    cmd.env("XDG_CONFIG_HOME", dir.0.join("xdg")).env_remove("WP_TEST_GW_PASSWORD");
    cmd.args(["--profile", "gw", "hikgw", "security.user_check"]);
    run(cmd).await.code(2).stderr(predicate::str::contains("WP_TEST_GW_PASSWORD"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_win_over_the_profile() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let (elsewhere, connections) = counting_listener().await;
    let dir = TempDir::new("flags");
    // The profile names another address and another user.
    let config =
        dir.file("config.toml", &gw_profile(&elsewhere, "nobody", "password_env = \"WP_TEST_GW_PASSWORD\""), 0o644);
    let config = config.to_str().expect("utf-8 path").to_owned();
    let mut cmd = watchpost(&dir.0);
    cmd.env("WP_TEST_GW_PASSWORD", sim.password());
    cmd.args(["hikgw", "security.user_check", "--config", &config, "--profile", "gw"]);
    cmd.args(["--base-url", &sim.base_url(), "--username", sim.username()]);
    run(cmd).await.success();
    // An environment variable wins over the profile too.
    let mut cmd = watchpost(&dir.0);
    cmd.env("WP_TEST_GW_PASSWORD", sim.password());
    cmd.env("WATCHPOST_HIKGW_BASE_URL", sim.base_url()).env("WATCHPOST_HIKGW_USERNAME", sim.username());
    cmd.args(["hikgw", "security.user_check", "--config", &config, "--profile", "gw"]);
    run(cmd).await.success();
    assert_eq!(connections.load(Ordering::SeqCst), 0, "the profile's address was not used");

    // Without them the profile's address is used.
    let mut cmd = watchpost(&dir.0);
    cmd.env("WP_TEST_GW_PASSWORD", sim.password());
    cmd.args(["hikgw", "security.user_check", "--config", &config, "--profile", "gw"]);
    run(cmd).await.code(1);
    assert!(connections.load(Ordering::SeqCst) >= 1, "the profile's address was used");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_file_only_its_owner_can_read_is_used() {
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let dir = TempDir::new("file");
    // A relative path is relative to the config file; the trailing newline is dropped.
    dir.file("secrets/gw.pw", &format!("{}\n", sim.password()), 0o600);
    let config = dir.file(
        "config.toml",
        &gw_profile(&sim.base_url(), sim.username(), "password_file = \"secrets/gw.pw\""),
        0o644,
    );
    let mut cmd = watchpost(&dir.0);
    cmd.arg("--config").arg(&config).args(["--profile", "gw", "hikgw", "security.user_check"]);
    run(cmd).await.success();
    assert_eq!(sim.digest().failures(), 0);
    sim.shutdown().await;
}

/// A listener that counts the connections it accepts (and answers none).
async fn counting_listener() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, count)
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_file_others_can_read_is_refused_and_nothing_is_sent() {
    let (url, connections) = counting_listener().await;
    let dir = TempDir::new("open-file");
    let secret = dir.file("gw.pw", "hunter2-file\n", 0o644);
    let config = dir.file("config.toml", &gw_profile(&url, "admin", &format!("password_file = {:?}", secret)), 0o644);
    let mut cmd = watchpost(&dir.0);
    cmd.arg("--config").arg(&config).args(["--profile", "gw", "hikgw", "security.user_check"]);
    let out = run(cmd)
        .await
        .code(2)
        .stderr(predicate::str::contains("group or others").and(predicate::str::contains("chmod 600")))
        .get_output()
        .clone();
    assert!(!text(&out.stderr).contains("hunter2-file"));
    assert_eq!(connections.load(Ordering::SeqCst), 0, "nothing is sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clear_text_password_is_refused_unless_the_profile_insists() {
    let (url, connections) = counting_listener().await;
    let dir = TempDir::new("clear");
    let config = dir.file("config.toml", &gw_profile(&url, "admin", "password = \"hunter2-clear\""), 0o600);
    let mut cmd = watchpost(&dir.0);
    cmd.arg("--config").arg(&config).args(["--profile", "gw", "hikgw", "security.user_check"]);
    let out = run(cmd)
        .await
        .code(2)
        .stderr(predicate::str::contains("clear text").and(predicate::str::contains("allow_plaintext_secrets")))
        .get_output()
        .clone();
    assert!(!text(&out.stderr).contains("hunter2-clear") && !text(&out.stdout).contains("hunter2-clear"));
    assert_eq!(connections.load(Ordering::SeqCst), 0, "nothing is sent");

    // With allow_plaintext_secrets = true it is used, with a warning.
    let sim = hikgw::sim::Simulator::start().await.expect("simulator");
    let extra = format!("password = \"{}\"\nallow_plaintext_secrets = true", sim.password());
    let config = dir.file("config.toml", &gw_profile(&sim.base_url(), sim.username(), &extra), 0o600);
    let mut cmd = watchpost(&dir.0);
    cmd.arg("--config").arg(&config).args(["--profile", "gw", "hikgw", "security.user_check"]);
    let out = run(cmd).await.success().stderr(predicate::str::contains("warning")).get_output().clone();
    assert!(!text(&out.stderr).contains(sim.password()), "the warning does not show the password");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gizwits_profile_takes_its_secrets_from_the_environment() {
    use gizwits::sim::fixtures as f;
    let sim = gizwits::sim::Simulator::start().await.expect("simulator");
    let dir = TempDir::new("gizwits");
    let profile = format!(
        "[profile.g]\nvendor = \"gizwits\"\nbase_url = \"{}\"\nenterprise_id = \"{}\"\nenterprise_secret_env = \"WP_TEST_ES\"\nproduct_key = \"{}\"\nproduct_secret_env = \"WP_TEST_PS\"\n",
        sim.base_url(),
        sim.enterprise_id(),
        f::PRODUCT_KEY
    );
    let config = dir.file("config.toml", &profile, 0o644);
    let mut cmd = watchpost(&dir.0);
    cmd.env("WP_TEST_ES", sim.enterprise_secret()).env("WP_TEST_PS", f::PRODUCT_SECRET);
    cmd.arg("--config").arg(&config).args(["--profile", "g", "gizwits", "devices.search"]);
    run(cmd).await.success().stdout(predicate::str::contains(f::DEVICE_DID));
    sim.shutdown().await;
}

#[test]
fn profiles_of_another_vendor_unknown_keys_and_missing_profiles_are_usage_errors() {
    let dir = TempDir::new("usage");
    let config = dir.file(
        "config.toml",
        "[profile.gw]\nvendor = \"hikgw\"\nusername = \"admin\"\n\n[profile.typo]\nvendor = \"hikgw\"\npasword_env = \"X\"\n\n[profile.auth]\nvendor = \"hikgw\"\nauth = \"sideways\"\n",
        0o644,
    );
    let base = |profile: &str, vendor: &str| {
        let mut cmd = watchpost(&dir.0);
        cmd.arg("--config").arg(&config).args(["--profile", profile, vendor, "x.y"]);
        cmd
    };
    base("gw", "ezviz").assert().code(2).stderr(predicate::str::contains("is for `hikgw`, not `ezviz`"));
    base("typo", "hikgw").assert().code(2).stderr(predicate::str::contains("unknown key `pasword_env`"));
    base("auth", "hikgw").assert().code(2).stderr(predicate::str::contains("auth `sideways`"));
    // `--auth` on the command line wins: the profile's value is not even read.
    base("auth", "hikgw")
        .args(["--auth", "digest"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no operation `x.y`").and(predicate::str::contains("sideways").not()));
    base("nope", "hikgw").assert().code(2).stderr(predicate::str::contains("no profile `nope`"));
    // No config file at all (HOME is an empty directory).
    let mut cmd = watchpost(&dir.0);
    cmd.args(["--profile", "gw", "hikgw", "x.y"]);
    cmd.assert().code(2).stderr(predicate::str::contains("cannot read the config file"));
}
