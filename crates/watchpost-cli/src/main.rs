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
mod interrupt;
mod net;
mod params;
mod secret;
mod serve;
mod vendor;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
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
    let outcome = runtime.block_on(async {
        let interrupt = Interrupt::listen();
        run(cli.command, interrupt).await
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

/// Runs `command`. The alarm stream, the simulator server and the video download stop cleanly
/// on the first Ctrl-C themselves; any other command is abandoned on it (exit 130).
async fn run(command: Command, mut interrupt: Interrupt) -> CliResult<()> {
    let one_shot = match command {
        Command::Sim(args) => return serve::run(args.vendor, args.listen, interrupt).await,
        Command::Demo(args) => Box::pin(async move { demo::run(&args.vendors).await }) as OneShot,
        Command::Ezviz(args) => {
            Box::pin(async move { vendor_command(Vendor::Ezviz, &args.call, Conn::Ezviz(args.conn)).await })
        }
        Command::Gizwits(args) => {
            Box::pin(async move { vendor_command(Vendor::Gizwits, &args.call, Conn::Gizwits(args.conn)).await })
        }
        Command::Hikgw(args) => {
            let conn = Conn::Hikgw(args.conn.clone());
            match args.call.operation.as_deref() {
                Some("events") if !args.call.list => return events::follow(&args, conn, interrupt).await,
                Some("video.download") if !args.call.list => {
                    return call::download_video(&args.call, conn, args.output.as_deref(), interrupt).await;
                }
                _ if args.follow || args.max_events.is_some() => {
                    return Err(CliError::usage("--follow and --max-events go with `events`")
                        .hint("watchpost hikgw events --follow"));
                }
                _ => Box::pin(async move { vendor_command(Vendor::Hikgw, &args.call, conn).await }),
            }
        }
    };
    tokio::select! {
        result = one_shot => result,
        () = interrupt.requested() => Err(CliError::interrupted()),
    }
}

/// A command that is abandoned on the first Ctrl-C.
type OneShot = std::pin::Pin<Box<dyn std::future::Future<Output = CliResult<()>>>>;

async fn vendor_command(vendor: Vendor, args: &cli::CallArgs, conn: Conn) -> CliResult<()> {
    if args.list {
        return call::list(vendor, args.operation.as_deref(), args.json);
    }
    call::run(vendor, args, conn).await
}
