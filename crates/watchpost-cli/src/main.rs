//! `watchpost`: security and IoT vendor APIs from the terminal.
//!
//! - `watchpost demo`: every vendor's simulator started in-process and a realistic scenario
//!   walked against each.
//! - `watchpost sim <vendor> [--listen ADDR] [--advertise URL]`: one simulator served until Ctrl-C.
//! - `watchpost <vendor> <operation> [--param KEY=VALUE ...] [--json]`: any operation of the
//!   vendor's spec, against a real endpoint or (`--sim`) a simulator; `--list` lists them.
//! - `watchpost hikgw events --follow`: the gateway's alarm stream.
//! - `watchpost alarms --follow [--json] --source VENDOR=PROFILE|URL ... [--sources FILE]`: the
//!   alarms of several sources merged.
//! - `watchpost bridge --config FILE [--instance-id ID] [--http ADDR]`: the alarms of the
//!   file's sources onto NATS JetStream, until SIGTERM (docs/bridge.md).
//!
//! Exit codes: 0 success, 1 an error of the vendor's service or the network, 2 a bad command
//! line, operation or parameter. See `docs/cli.md`.

// A build with fewer vendors (`--no-default-features --features hikgw`) leaves helpers that only
// the other vendors use.
#![cfg_attr(not(all(feature = "ezviz", feature = "hikgw", feature = "gizwits")), allow(dead_code))]

#[macro_use]
mod output;
mod alarms;
#[cfg(feature = "bridge")]
mod bridge;
mod call;
mod cli;
mod demo;
mod error;
mod interrupt;
mod net;
mod params;
mod profile;
mod secret;
mod serve;
mod vendors;

use std::process::ExitCode;

use clap::FromArgMatches as _;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::profile::Profile;

fn main() -> ExitCode {
    let matches = cli::command().get_matches();
    let global = GlobalArgs::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // The bridge, a service, logs at info in its own format.
    #[cfg(feature = "bridge")]
    match matches.subcommand_matches("bridge") {
        Some(m) => bridge::init_tracing(Some(m)),
        None => init_tracing(global.verbose),
    }
    #[cfg(not(feature = "bridge"))]
    init_tracing(global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tell!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let interrupt = Interrupt::listen();
        run(&matches, &global, interrupt).await
    });
    // Do not wait for tasks still running (a simulator, an unsubscribe given up on).
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.exit == error::EXIT_INTERRUPTED => {
            tell!("interrupted");
            e.exit_code()
        }
        Err(e) => {
            for line in e.lines() {
                tell!("{line}");
            }
            e.exit_code()
        }
    }
}

/// Logs to stderr: `WATCHPOST_LOG` as a filter, else by `-v` count (errors only by default:
/// the CLI reports failures itself).
fn init_tracing(verbose: u8) {
    use std::io::IsTerminal as _;
    let default = match verbose {
        0 => "error",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WATCHPOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// Runs the command of `matches`: a vendor's (found in the registry, with the selected profile),
/// `demo` or `sim`. The alarm stream, the simulator server and the video download stop cleanly
/// on the first Ctrl-C themselves; any other command is abandoned on it (exit 130).
async fn run(matches: &clap::ArgMatches, global: &GlobalArgs, mut interrupt: Interrupt) -> CliResult<()> {
    if let Some((name, sub)) = matches.subcommand() {
        if let Some(vendor) = vendors::find(name) {
            let profile = match &global.profile {
                Some(name) => {
                    let p = Profile::load(global.config.as_deref(), name)?;
                    p.check(vendor)?;
                    Some(p)
                }
                None => None,
            };
            return vendor.run(sub, profile.as_ref(), interrupt).await;
        }
    }
    let cli = Cli::from_arg_matches(matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Alarms(args) => alarms::run(&args, global, interrupt).await,
        // The bridge handles SIGTERM and Ctrl-C itself (a clean stop exits 0).
        #[cfg(feature = "bridge")]
        Command::Bridge(args) => bridge::run(&args, global.config.as_deref()).await,
        Command::Sim(args) => serve::run(&args.vendor, args.listen, args.advertise, interrupt).await,
        Command::Demo(args) => {
            tokio::select! {
                result = demo::run(&args.vendors) => result,
                () = interrupt.requested() => Err(CliError::interrupted()),
            }
        }
    }
}
