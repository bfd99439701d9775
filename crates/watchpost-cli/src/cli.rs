//! The command line: clap derive structs for the global options, `demo` and `sim`, and the
//! arguments every vendor command shares; the vendor subcommands come from the registry
//! ([`crate::vendors::VENDORS`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory as _, Parser, Subcommand};

use crate::vendors::VENDORS;

/// watchpost: security and IoT vendor APIs from the terminal, with in-process simulators.
///
/// Exit codes: 0 success, 1 an error of the vendor's service or of the network, 2 a bad command
/// line, operation or parameter.
#[derive(Parser)]
#[command(name = "watchpost", version, propagate_version = true, max_term_width = 110)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
    /// The options of every command.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// The options of every command.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Log requests, retries and reconnects to stderr (-v: info, -vv: debug). `WATCHPOST_LOG`
    /// (a tracing filter such as `watchpost_core=debug`) overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The config file of the connection profiles. Default:
    /// `$XDG_CONFIG_HOME/watchpost/config.toml` or `~/.config/watchpost/config.toml`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Connect with the `[profile.NAME]` of the config file (flags and environment variables
    /// win over it).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
}

/// The commands besides the vendors'.
#[derive(Subcommand)]
pub enum Command {
    /// Start every simulator in-process and walk a realistic scenario per vendor.
    Demo(DemoArgs),
    /// Serve one vendor's simulator until Ctrl-C, printing its base URL and credentials.
    Sim(SimArgs),
    /// Follow the alarms of several sources (gateways, accounts) merged into one stream.
    Alarms(AlarmsArgs),
    /// Publish the alarms of the sources of the `--config` TOML file to NATS JetStream, shared
    /// with the other instances through leases, until SIGTERM or Ctrl-C (docs/bridge.md).
    #[cfg(feature = "bridge")]
    Bridge(crate::bridge::BridgeArgs),
}

/// Arguments of `watchpost alarms`.
#[derive(Args)]
pub struct AlarmsArgs {
    /// Keep printing alarms until Ctrl-C (connection states and errors go to stderr).
    #[arg(long)]
    pub follow: bool,
    /// Print each alarm as one line of JSON (the `Alarm` serialisation, stable field names).
    #[arg(long)]
    pub json: bool,
    /// A source as VENDOR=PROFILE (a `[profile.NAME]` of the config file) or VENDOR=URL (the
    /// credentials from the vendor's environment variables); repeatable.
    #[arg(long = "source", value_name = "VENDOR=PROFILE|URL")]
    pub sources: Vec<String>,
    /// A TOML file of `[[source]]` tables (`vendor`, `profile` or `base_url`, optional `name`);
    /// see docs/cli.md.
    #[arg(long = "sources", value_name = "FILE")]
    pub sources_file: Option<PathBuf>,
    /// Stop after this many alarms (exit 0).
    #[arg(long, value_name = "N")]
    pub max_alarms: Option<u64>,
}

/// The whole command line: [`Cli`] with one subcommand per registered vendor.
pub fn command() -> clap::Command {
    VENDORS.iter().fold(Cli::command(), |cmd, v| cmd.subcommand(v.command()))
}

/// Arguments of `watchpost demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Run only these vendors' scenarios (default: every vendor).
    #[arg(value_parser = crate::vendors::id_parser())]
    pub vendors: Vec<String>,
}

/// Arguments of `watchpost sim`.
#[derive(Args)]
pub struct SimArgs {
    /// The vendor whose simulator to serve.
    #[arg(value_parser = crate::vendors::id_parser())]
    pub vendor: String,
    /// The address the simulator listens on, e.g. `0.0.0.0:8080` (port 0: a free port; a
    /// vendor with a second host, such as the EZVIZ area host, binds it on the same IP).
    /// Default: `127.0.0.1:0`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// The base URL the simulator hands out (to clients, and in answers that name its own
    /// hosts, such as the EZVIZ area domain), for a simulator reached through another address
    /// than the one it listens on (a container, a forwarded port). Default: `http://<listen>`.
    #[arg(long, value_name = "URL")]
    pub advertise: Option<String>,
}

/// What every vendor command takes: the operation, its parameters and the output format.
#[derive(Args)]
pub struct CallArgs {
    /// The operation id, as `--list` shows it (e.g. `device.defence.set`, `security_cp.arm`).
    #[arg(value_name = "OPERATION")]
    pub operation: Option<String>,
    /// List the vendor's operations; with an OPERATION, list its parameters.
    #[arg(long)]
    pub list: bool,
    /// A parameter as KEY=VALUE, keyed by its wire name (or Rust field name); repeatable.
    /// KEY=@FILE reads the value from FILE (handy for JSON bodies).
    #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Print the result as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Start the vendor's simulator in-process for this call (connection flags are ignored).
    #[arg(long)]
    pub sim: bool,
    /// Print tokens, secrets and passwords found in results instead of `***`.
    #[arg(long)]
    pub show_secrets: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_vendor_has_a_subcommand() {
        let cmd = command();
        for v in VENDORS {
            assert!(cmd.find_subcommand(v.id()).is_some(), "{}", v.id());
        }
    }
}
