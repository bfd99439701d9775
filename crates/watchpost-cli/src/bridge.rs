//! `watchpost bridge --config FILE [--instance-id ID] [--http ADDR] [--log-format text|json]`:
//! one instance of the NATS JetStream bridge (`watchpost-bridge`, see docs/bridge.md) until
//! SIGTERM or Ctrl-C.
//!
//! The first signal stops it cleanly (the followers drain, the leases are released) and it
//! exits 0; a second one exits at once (130). Once the operations endpoint listens, one line
//! `listening on http://ADDR` goes to stderr (tests parse it with `--http 127.0.0.1:0`).

use std::net::SocketAddr;
use std::path::Path;

use clap::{Args, ValueEnum};
use watchpost_bridge::{Bridge, BridgeConfig, BridgeError, RunOptions};

use crate::error::{CliError, CliResult, EXIT_INTERRUPTED};

/// Arguments of `watchpost bridge` (the bridge's TOML file is the global `--config FILE`).
#[derive(Args, Debug)]
pub struct BridgeArgs {
    /// This instance's id, unique among the running instances. Default: `<hostname>-<pid>`.
    #[arg(long, value_name = "ID")]
    pub instance_id: Option<String>,
    /// Serve `GET /metrics` (Prometheus) and `GET /healthz` on this address (port 0: a free
    /// port, printed as `listening on http://ADDR`).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// The log format on stderr; the level comes from `RUST_LOG` (default `info`).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How the bridge logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line.
    Json,
}

/// Logs to stderr for `watchpost bridge`: `RUST_LOG` as a filter (default `info`), in the
/// `--log-format` of `matches` (the bridge subcommand's).
pub fn init_tracing(matches: Option<&clap::ArgMatches>) {
    use std::io::IsTerminal as _;
    let format = matches.and_then(|m| m.get_one::<LogFormat>("log_format").copied()).unwrap_or(LogFormat::Text);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
}

/// Runs one bridge instance with the configuration `config` until a signal.
///
/// # Errors
/// A usage error for a missing or invalid configuration; a failure when it cannot start
/// (a secret unreadable, NATS unreachable, the address not bindable).
pub async fn run(args: &BridgeArgs, config: Option<&Path>) -> CliResult<()> {
    let Some(path) = config else {
        return Err(CliError::usage("bridge: no configuration file")
            .hint("watchpost bridge --config bridge.toml (see docs/bridge.md)"));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read the bridge configuration {}: {e}", path.display())))?;
    let config = BridgeConfig::from_toml(&text).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    let instance_id = args.instance_id.clone().unwrap_or_else(default_instance_id);
    let options = RunOptions { instance_id, http_listen: args.http };
    // Listen before connecting, so a signal during the start is not the default (fatal) one.
    let shutdown = signals();
    tokio::pin!(shutdown);
    let bridge = tokio::select! {
        started = Bridge::start(config, options) => started.map_err(|e| failure(&e))?,
        () = &mut shutdown => {
            tell!("stopped before NATS was ready");
            return Ok(());
        }
    };
    if let Some(addr) = bridge.http_addr() {
        tell!("listening on http://{addr}");
    }
    bridge.run(shutdown).await.map_err(|e| failure(&e))
}

fn failure(e: &BridgeError) -> CliError {
    match e {
        BridgeError::Config { .. } | BridgeError::Secret { .. } => CliError::usage(e.to_string()),
        _ => CliError::failure(e.to_string()),
    }
}

/// `<hostname>-<pid>`.
fn default_instance_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "watchpost".to_owned());
    format!("{host}-{}", std::process::id())
}

/// Completes on the first SIGTERM or SIGINT; the second exits the process at once.
fn signals() -> impl std::future::Future<Output = ()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let listening = listen(tx);
    async move {
        if !listening || rx.await.is_err() {
            // No signal handler: never stop by a signal (as without one).
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(unix)]
fn listen(tx: tokio::sync::oneshot::Sender<()>) -> bool {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM and SIGINT");
            return false;
        }
    };
    tokio::spawn(async move {
        let mut tx = Some(tx);
        loop {
            let name = tokio::select! {
                Some(()) = term.recv() => "SIGTERM",
                Some(()) = int.recv() => "SIGINT",
                else => return,
            };
            match tx.take() {
                Some(tx) => {
                    tell!("{name}: stopping (draining, releasing the leases); again to exit at once");
                    let _ = tx.send(());
                }
                None => {
                    tell!("{name} again: exiting now");
                    std::process::exit(i32::from(EXIT_INTERRUPTED));
                }
            }
        }
    });
    true
}

#[cfg(not(unix))]
fn listen(tx: tokio::sync::oneshot::Sender<()>) -> bool {
    tokio::spawn(async move {
        let mut tx = Some(tx);
        while tokio::signal::ctrl_c().await.is_ok() {
            match tx.take() {
                Some(tx) => {
                    tell!("Ctrl-C: stopping (draining, releasing the leases); again to exit at once");
                    let _ = tx.send(());
                }
                None => std::process::exit(i32::from(EXIT_INTERRUPTED)),
            }
        }
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_instance_id_ends_with_the_pid() {
        let id = default_instance_id();
        assert!(id.ends_with(&format!("-{}", std::process::id())), "{id}");
        assert!(id.len() > format!("-{}", std::process::id()).len(), "{id}");
    }
}
