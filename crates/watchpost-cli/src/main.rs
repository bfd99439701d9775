//! `watchpost`: security and IoT vendor APIs from the terminal.
//!
//! - `watchpost demo`: every vendor's simulator started in-process and a realistic scenario
//!   walked against each.
//! - `watchpost sim <vendor> [--listen ADDR]`: one simulator served until Ctrl-C.
//! - `watchpost <vendor> <operation> [--param KEY=VALUE ...] [--json]`: any operation of the
//!   vendor's spec, against a real endpoint or (`--sim`) a simulator; `--list` lists them.
//! - `watchpost hikgw events --follow`: the gateway's alarm stream.
//!
//! Exit codes: 0 success, 1 an error of the vendor's service or the network, 2 a bad command
//! line, operation or parameter. See `docs/cli.md`.

#[macro_use]
mod output;
mod call;
mod cli;
mod demo;
mod error;
mod events;
mod params;
mod secret;
mod serve;
mod vendor;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::{CliError, CliResult};
use crate::vendor::{Conn, Vendor};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tell!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tell!("{e}");
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

async fn run(command: Command) -> CliResult<()> {
    match command {
        Command::Demo(args) => demo::run(&args.vendors).await,
        Command::Sim(args) => serve::run(args.vendor, args.listen).await,
        Command::Ezviz(args) => vendor_command(Vendor::Ezviz, &args.call, Conn::Ezviz(args.conn)).await,
        Command::Gizwits(args) => vendor_command(Vendor::Gizwits, &args.call, Conn::Gizwits(args.conn)).await,
        Command::Hikgw(args) => {
            let conn = Conn::Hikgw(args.conn.clone());
            match args.call.operation.as_deref() {
                Some("events") if !args.call.list => events::follow(&args, conn).await,
                Some("video.download") if !args.call.list => {
                    call::download_video(&args.call, conn, args.output.as_deref()).await
                }
                _ => {
                    if args.follow || args.max_events.is_some() {
                        return Err(CliError::usage("--follow and --max-events go with `events`")
                            .hint("watchpost hikgw events --follow"));
                    }
                    vendor_command(Vendor::Hikgw, &args.call, conn).await
                }
            }
        }
    }
}

async fn vendor_command(vendor: Vendor, args: &cli::CallArgs, conn: Conn) -> CliResult<()> {
    if args.list {
        return call::list(vendor, args.operation.as_deref(), args.json);
    }
    call::run(vendor, args, conn).await
}
