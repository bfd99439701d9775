//! Hikvision Device Gateway, ISAPI (`watchpost hikgw`): the gateway's address and an account
//! (HTTP Digest or Basic); also the alarm stream (`events --follow`) and the video download.

use std::net::SocketAddr;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches as _, ValueEnum as _};
use serde_json::{json, Value};
use watchpost::core::codec::param::{from_params, to_output};
use watchpost::core::operation::Operation;
use watchpost::hikgw;
use watchpost::prelude::*;
use watchpost::Error;

use super::{call_command, export, missing, AlarmFeed, BoxFuture, Connection, RunningSim, Vendor};
use crate::cli::CallArgs;
use crate::demo::Outcome;
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::net::{AuthArg, NetArgs};
use crate::profile::Profile;
use crate::secret::Secret;

mod demo;
mod events;
mod video;

/// The Hikvision Device Gateway.
pub struct HikGw;

impl Vendor for HikGw {
    fn id(&self) -> &'static str {
        "hikgw"
    }

    fn title(&self) -> &'static str {
        "Device Gateway"
    }

    fn operations(&self) -> &'static [&'static Operation] {
        hikgw::OPERATIONS
    }

    fn credential_help(&self) -> &'static str {
        "--username/--password (WATCHPOST_HIKGW_USERNAME, WATCHPOST_HIKGW_PASSWORD)"
    }

    fn code_meaning(&self, e: &Error) -> Option<String> {
        e.sub_status().and_then(|s| s.known_description()).map(str::to_owned)
    }

    fn not_callable(&self, op_id: &str) -> Option<&'static str> {
        (op_id == "event.subscribe").then_some("the alarm stream: use `watchpost hikgw events --follow`")
    }

    fn list_note(&self) -> Option<&'static str> {
        Some("Also: `watchpost hikgw events --follow` prints the alarm stream; `video.download` writes a file (-o FILE).")
    }

    fn command(&self) -> clap::Command {
        HikgwArgs::augment_args(clap::Command::new(self.id()))
            .about("Hikvision Device Gateway: `watchpost hikgw <OPERATION> ...`, `--list`, or `events --follow`")
            .long_about(None)
    }

    fn run<'a>(
        &'static self,
        matches: &'a ArgMatches,
        profile: Option<&'a Profile>,
        interrupt: Interrupt,
    ) -> BoxFuture<'a, CliResult<()>> {
        Box::pin(async move {
            let mut args = HikgwArgs::from_arg_matches(matches).unwrap_or_else(|e| e.exit());
            if let (Some(p), false) = (profile, args.call.list || args.call.sim) {
                let auth_given = matches.value_source("auth").is_some_and(|s| s != ValueSource::DefaultValue);
                args.conn.fill_from(p, auth_given)?;
            }
            let conn = args.conn.clone();
            match (args.call.operation.as_deref(), args.call.list) {
                (Some("events"), false) => events::follow(&args, conn, interrupt).await,
                (Some("video.download"), false) => {
                    video::download(&args.call, conn, args.output.as_deref(), interrupt).await
                }
                _ if args.follow || args.max_events.is_some() => {
                    Err(CliError::usage("--follow and --max-events go with `events`")
                        .hint("watchpost hikgw events --follow"))
                }
                _ => call_command(self, &args.call, Box::new(conn), interrupt).await,
            }
        })
    }

    fn profile_keys(&self) -> &'static [&'static str] {
        &["username", "auth"]
    }

    fn profile_secrets(&self) -> &'static [&'static str] {
        &["password"]
    }

    fn start_sim(
        &'static self,
        listen: SocketAddr,
        advertise: Option<String>,
    ) -> BoxFuture<'static, CliResult<Box<dyn RunningSim>>> {
        Box::pin(async move {
            let builder = hikgw::sim::Simulator::builder().bind(listen);
            let builder = match advertise {
                Some(url) => builder.advertise(url),
                None => builder,
            };
            let sim = builder.start().await.map_err(|e| crate::demo::start_failed(self, &e))?;
            Ok(Box::new(Sim(sim)) as Box<dyn RunningSim>)
        })
    }

    fn demo(&'static self) -> Option<BoxFuture<'static, CliResult<Outcome>>> {
        Some(Box::pin(demo::scenario(self)))
    }

    fn alarm_source(&'static self, profile: Option<&Profile>, base_url: Option<&str>) -> Option<CliResult<AlarmFeed>> {
        Some(events::alarm_feed(profile, base_url))
    }
}

/// `watchpost hikgw`.
#[derive(Args)]
struct HikgwArgs {
    /// Operation, parameters, output. The operation `events` follows the alarm stream.
    #[command(flatten)]
    call: CallArgs,
    /// Where and as whom.
    #[command(flatten)]
    conn: HikgwConn,
    /// With `events`: keep printing alarms and connection state changes until Ctrl-C.
    #[arg(long)]
    follow: bool,
    /// With `events`: stop after this many events (heartbeats included).
    #[arg(long, value_name = "N")]
    max_events: Option<u64>,
    /// With `events`: how long the unsubscribe on exit may take before the CLI gives up on it
    /// (e.g. `3s`). Default is 3 s.
    #[arg(long, value_name = "DURATION", value_parser = crate::net::parse_duration)]
    unsubscribe_timeout: Option<std::time::Duration>,
    /// With `events --sim`: seconds between the simulator's heartbeats. Default is 10.
    #[arg(long, value_name = "SECONDS")]
    heartbeat: Option<u64>,
    /// With `video.download`: the file to write (default: the name in the video URL).
    #[arg(short, long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

/// How to reach a Device Gateway: its address and an account (HTTP Digest or Basic).
#[derive(Args, Clone, Debug, Default)]
struct HikgwConn {
    /// The gateway's address, e.g. `http://10.0.0.5` or `https://gw.example:8443`.
    #[arg(long, env = "WATCHPOST_HIKGW_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// The user name.
    #[arg(long, env = "WATCHPOST_HIKGW_USERNAME", value_name = "USER")]
    username: Option<String>,
    /// The password (prefer the environment variable: flags show in process lists).
    #[arg(long, env = "WATCHPOST_HIKGW_PASSWORD", hide_env_values = true, value_name = "PASSWORD")]
    password: Option<Secret>,
    /// The HTTP authentication scheme. The gateway's documentation specifies Digest, so a
    /// gateway that offers only Basic is refused unless you pass `basic` (or `auto`).
    #[arg(long, env = "WATCHPOST_HIKGW_AUTH", value_enum, default_value_t, value_name = "SCHEME")]
    auth: AuthArg,
    /// TLS trust and timeouts.
    #[command(flatten)]
    net: NetArgs,
}

impl HikgwConn {
    /// Fills what the command line left unset from the profile (`auth` unless `auth_given`).
    fn fill_from(&mut self, p: &Profile, auth_given: bool) -> CliResult<()> {
        p.fill(&mut self.base_url, "base_url")?;
        p.fill(&mut self.username, "username")?;
        p.fill_secret(&mut self.password, "password")?;
        if let (Some(auth), false) = (p.text("auth")?, auth_given) {
            self.auth = AuthArg::from_str(&auth, true)
                .map_err(|_| CliError::usage(format!("profile: auth `{auth}` is not digest, basic or auto")))?;
        }
        p.fill_net(&mut self.net)
    }

    /// The client. Nothing is sent yet.
    fn client(&self) -> CliResult<hikgw::Client> {
        let Some(url) = &self.base_url else {
            return Err(CliError::usage("Device Gateway: no gateway address")
                .hint("give --base-url (WATCHPOST_HIKGW_BASE_URL), e.g. http://10.0.0.5"));
        };
        let (Some(user), Some(password)) = (&self.username, &self.password) else {
            return Err(missing(&HikGw, "no credentials: a user name and password are needed"));
        };
        hikgw::Client::builder()
            .base_url(url.clone())
            .credentials(user.clone(), password.expose())
            .auth_mode(self.auth.mode())
            .transport(self.net.transport()?)
            .build()
            .map_err(|e| CliError::vendor(&HikGw, &e))
    }

    /// The connection settings of a client of a gateway simulator.
    fn of_sim(s: &hikgw::sim::Simulator) -> HikgwConn {
        HikgwConn {
            base_url: Some(s.base_url()),
            username: Some(s.username().to_owned()),
            password: Some(Secret::from(s.password())),
            ..HikgwConn::default()
        }
    }
}

impl Connection for HikgwConn {
    fn defaults(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn call<'a>(&'a self, op: &'static Operation, mut params: Value) -> BoxFuture<'a, CliResult<Value>> {
        Box::pin(async move {
            crate::params::wrap_body_roots(op, &mut params);
            let client = self.client()?;
            call(&client, op, params).await.map_err(|e| CliError::vendor(&HikGw, &e))
        })
    }
}

/// Calls `op`: the dispatch of the crate, and the plain-text time zone operations the CLI runs
/// itself.
async fn call(client: &hikgw::Client, op: &'static Operation, params: Value) -> watchpost::Result<Value> {
    if op.id == "device.time_zone.get" {
        let req: hikgw::TimeZoneRequest = from_params(op.id, params)?;
        let tz = client.time_zone(&req).await?;
        return to_output(op.id, &json!({ "timeZone": tz.to_string() }));
    }
    if op.id == "device.time_zone.put" {
        let req: hikgw::SetTimeZoneRequest = from_params(op.id, params)?;
        return to_output(op.id, &client.set_time_zone(&req).await?);
    }
    hikgw::dispatch(client, op.id, params).await
}

/// A running gateway simulator.
struct Sim(hikgw::sim::Simulator);

impl RunningSim for Sim {
    fn base_url(&self) -> String {
        self.0.base_url()
    }

    fn local_addr(&self) -> SocketAddr {
        self.0.local_addr()
    }

    fn connection(&self) -> Box<dyn Connection> {
        Box::new(HikgwConn::of_sim(&self.0))
    }

    fn describe(&self) -> Vec<(&'static str, String)> {
        let s = &self.0;
        let mut lines = vec![
            ("base URL", s.base_url()),
            ("username", s.username().to_owned()),
            ("password", s.password().to_owned()),
        ];
        lines.extend(s.device_ids().into_iter().map(|id| ("panel devIndex", id)));
        lines
    }

    fn env_lines(&self) -> Vec<String> {
        let s = &self.0;
        vec![
            export(&HikGw, "BASE_URL", &s.base_url()),
            export(&HikGw, "USERNAME", s.username()),
            export(&HikGw, "PASSWORD", s.password()),
        ]
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.0.shutdown())
    }
}
