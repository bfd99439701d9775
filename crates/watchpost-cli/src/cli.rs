//! The command line, as clap derive structs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::net::{AuthArg, NetArgs};
use crate::secret::Secret;
use crate::vendor::Vendor;

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
    /// Log requests, retries and reconnects to stderr (-v: info, -vv: debug). `WATCHPOST_LOG`
    /// (a tracing filter such as `watchpost_core=debug`) overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Start every simulator in-process and walk a realistic scenario per vendor.
    Demo(DemoArgs),
    /// Serve one vendor's simulator until Ctrl-C, printing its base URL and credentials.
    Sim(SimArgs),
    /// EZVIZ open platform: `watchpost ezviz <OPERATION> --param KEY=VALUE ...` or `--list`.
    Ezviz(EzvizArgs),
    /// Hikvision Device Gateway: `watchpost hikgw <OPERATION> ...`, `--list`, or `events --follow`.
    Hikgw(HikgwArgs),
    /// Gizwits Enterprise API: `watchpost gizwits <OPERATION> --param KEY=VALUE ...` or `--list`.
    Gizwits(GizwitsArgs),
}

/// Arguments of `watchpost demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Run only these vendors' scenarios (default: every vendor).
    #[arg(value_enum)]
    pub vendors: Vec<Vendor>,
}

/// Arguments of `watchpost sim`.
#[derive(Args)]
pub struct SimArgs {
    /// The vendor whose simulator to serve.
    #[arg(value_enum)]
    pub vendor: Vendor,
    /// Also accept connections on this address (forwarded to the simulator), e.g.
    /// `127.0.0.1:8080`. Default: only the simulator's own loopback port.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
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

/// `watchpost ezviz`.
#[derive(Args)]
pub struct EzvizArgs {
    /// Operation, parameters, output.
    #[command(flatten)]
    pub call: CallArgs,
    /// Where and as whom.
    #[command(flatten)]
    pub conn: EzvizConn,
}

/// How to reach EZVIZ: an app key and secret (a token is fetched from the token host), or a
/// fixed access token with its area domain.
#[derive(Args, Clone, Debug, Default)]
pub struct EzvizConn {
    /// The token host. Default: the region's (https://open.ezvizlife.com).
    #[arg(long, env = "WATCHPOST_EZVIZ_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Fetch tokens from the mainland China host (https://open.ys7.com) instead.
    #[arg(long)]
    pub china: bool,
    /// The application key.
    #[arg(long, env = "WATCHPOST_EZVIZ_APP_KEY", value_name = "KEY")]
    pub app_key: Option<String>,
    /// The application secret (prefer the environment variable: flags show in process lists).
    #[arg(long, env = "WATCHPOST_EZVIZ_APP_SECRET", hide_env_values = true, value_name = "SECRET")]
    pub app_secret: Option<Secret>,
    /// A fixed access token (an EZVIZ sub-account token) instead of the app key and secret.
    #[arg(long, env = "WATCHPOST_EZVIZ_ACCESS_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub access_token: Option<Secret>,
    /// The area domain of the fixed access token.
    #[arg(long, env = "WATCHPOST_EZVIZ_AREA_DOMAIN", value_name = "URL")]
    pub area_domain: Option<String>,
    /// TLS trust and timeouts.
    #[command(flatten)]
    pub net: NetArgs,
}

/// `watchpost hikgw`.
#[derive(Args)]
pub struct HikgwArgs {
    /// Operation, parameters, output. The operation `events` follows the alarm stream.
    #[command(flatten)]
    pub call: CallArgs,
    /// Where and as whom.
    #[command(flatten)]
    pub conn: HikgwConn,
    /// With `events`: keep printing alarms and connection state changes until Ctrl-C.
    #[arg(long)]
    pub follow: bool,
    /// With `events`: stop after this many events (heartbeats included).
    #[arg(long, value_name = "N")]
    pub max_events: Option<u64>,
    /// With `events`: how long the unsubscribe on exit may take before the CLI gives up on it
    /// (e.g. `3s`). Default is 3 s.
    #[arg(long, value_name = "DURATION", value_parser = crate::net::parse_duration)]
    pub unsubscribe_timeout: Option<std::time::Duration>,
    /// With `events --sim`: seconds between the simulator's heartbeats. Default is 10.
    #[arg(long, value_name = "SECONDS")]
    pub heartbeat: Option<u64>,
    /// With `video.download`: the file to write (default: the name in the video URL).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How to reach a Device Gateway: its address and an account (HTTP Digest or Basic).
#[derive(Args, Clone, Debug, Default)]
pub struct HikgwConn {
    /// The gateway's address, e.g. `http://10.0.0.5` or `https://gw.example:8443`.
    #[arg(long, env = "WATCHPOST_HIKGW_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// The user name.
    #[arg(long, env = "WATCHPOST_HIKGW_USERNAME", value_name = "USER")]
    pub username: Option<String>,
    /// The password (prefer the environment variable: flags show in process lists).
    #[arg(long, env = "WATCHPOST_HIKGW_PASSWORD", hide_env_values = true, value_name = "PASSWORD")]
    pub password: Option<Secret>,
    /// The HTTP authentication scheme. The gateway's documentation specifies Digest, so a
    /// gateway that offers only Basic is refused unless you pass `basic` (or `auto`).
    #[arg(long, env = "WATCHPOST_HIKGW_AUTH", value_enum, default_value_t, value_name = "SCHEME")]
    pub auth: AuthArg,
    /// TLS trust and timeouts.
    #[command(flatten)]
    pub net: NetArgs,
}

/// `watchpost gizwits`.
#[derive(Args)]
pub struct GizwitsArgs {
    /// Operation, parameters, output.
    #[command(flatten)]
    pub call: CallArgs,
    /// Where and as whom.
    #[command(flatten)]
    pub conn: GizwitsConn,
}

/// How to reach the Gizwits Enterprise API: the enterprise credentials and one product.
#[derive(Args, Clone, Debug, Default)]
pub struct GizwitsConn {
    /// The API host. Default: https://enterpriseapi.gizwits.com.
    #[arg(long, env = "WATCHPOST_GIZWITS_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// The enterprise id.
    #[arg(long, env = "WATCHPOST_GIZWITS_ENTERPRISE_ID", value_name = "ID")]
    pub enterprise_id: Option<String>,
    /// The enterprise secret (prefer the environment variable).
    #[arg(long, env = "WATCHPOST_GIZWITS_ENTERPRISE_SECRET", hide_env_values = true, value_name = "SECRET")]
    pub enterprise_secret: Option<Secret>,
    /// The product key; also the default of every `product_key` parameter.
    #[arg(long, env = "WATCHPOST_GIZWITS_PRODUCT_KEY", value_name = "KEY")]
    pub product_key: Option<String>,
    /// The product secret (prefer the environment variable).
    #[arg(long, env = "WATCHPOST_GIZWITS_PRODUCT_SECRET", hide_env_values = true, value_name = "SECRET")]
    pub product_secret: Option<Secret>,
    /// The application id sent with user calls (optional).
    #[arg(long, env = "WATCHPOST_GIZWITS_APPLICATION_ID", value_name = "ID")]
    pub application_id: Option<String>,
    /// TLS trust and timeouts.
    #[command(flatten)]
    pub net: NetArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
