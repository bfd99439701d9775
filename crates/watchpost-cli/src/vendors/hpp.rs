//! Hik-Partner Pro OpenAPI (`watchpost hpp`): an API key (or ARC ID) and its secret (a token is
//! fetched from the token host and names the area domain of every call), or a fixed access token
//! with its area domain.

use std::net::SocketAddr;

use clap::{ArgMatches, Args, FromArgMatches as _};
use serde_json::{json, Value};
use watchpost::core::auth::Auth;
use watchpost::core::operation::Operation;
use watchpost::hpp;
use watchpost::prelude::*;
use watchpost::Error;

use super::{call_command, export, missing, AlarmFeed, BoxFuture, Connection, RunningSim, Vendor};
use crate::cli::CallArgs;
use crate::demo::Outcome;
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::net::NetArgs;
use crate::profile::Profile;
use crate::secret::Secret;

mod alarms;
mod demo;

/// The Hik-Partner Pro OpenAPI.
pub struct Hpp;

impl Vendor for Hpp {
    fn id(&self) -> &'static str {
        "hpp"
    }

    fn title(&self) -> &'static str {
        "Hik-Partner Pro"
    }

    fn operations(&self) -> &'static [&'static Operation] {
        hpp::OPERATIONS
    }

    fn credential_help(&self) -> &'static str {
        "--app-key/--secret-key (WATCHPOST_HPP_APP_KEY, WATCHPOST_HPP_SECRET_KEY), or --access-token with --area-domain"
    }

    fn code_meaning(&self, e: &Error) -> Option<String> {
        e.hpp_code().map(|c| c.description().to_owned()).filter(|d| !d.is_empty())
    }

    fn list_note(&self) -> Option<&'static str> {
        Some("Also: `watchpost hpp alarms --follow` consumes the alarm queue as typed alarms (each acknowledged once printed); `watchpost alarms --source hpp=PROFILE` merges it with other sources.")
    }

    fn command(&self) -> clap::Command {
        HppArgs::augment_args(clap::Command::new(self.id()))
            .about("Hik-Partner Pro OpenAPI: `watchpost hpp <OPERATION> --param KEY=VALUE ...`, `--list`, or `alarms --follow`")
            .long_about(None)
    }

    fn run<'a>(
        &'static self,
        matches: &'a ArgMatches,
        profile: Option<&'a Profile>,
        interrupt: Interrupt,
    ) -> BoxFuture<'a, CliResult<()>> {
        Box::pin(async move {
            let args = HppArgs::from_arg_matches(matches).unwrap_or_else(|e| e.exit());
            let mut conn = args.conn.clone();
            if let (Some(p), false) = (profile, args.call.list || args.call.sim) {
                conn.fill_from(p)?;
            }
            match (args.call.operation.as_deref(), args.call.list) {
                (Some("alarms"), false) => alarms::follow(&args, conn, interrupt).await,
                _ if args.follow || args.max_events.is_some() => {
                    Err(CliError::usage("--follow and --max-events go with `alarms`")
                        .hint("watchpost hpp alarms --follow"))
                }
                _ => call_command(self, &args.call, Box::new(conn), interrupt).await,
            }
        })
    }

    fn profile_keys(&self) -> &'static [&'static str] {
        &["region", "app_key", "area_domain"]
    }

    fn profile_secrets(&self) -> &'static [&'static str] {
        &["secret_key", "access_token"]
    }

    fn start_sim(
        &'static self,
        listen: SocketAddr,
        advertise: Option<String>,
    ) -> BoxFuture<'static, CliResult<Box<dyn RunningSim>>> {
        Box::pin(async move {
            let builder = hpp::sim::Simulator::builder().bind(listen);
            let builder = match advertise {
                Some(url) => builder.advertise(url),
                None => builder,
            };
            let sim = builder.start().await.map_err(|e| crate::demo::start_failed(self, &e))?;
            Ok(Box::new(Sim(sim)) as Box<dyn RunningSim>)
        })
    }

    fn sim_defaults(&self) -> Vec<(&'static str, String)> {
        use hpp::sim::fixtures as f;
        vec![("appKey", f::APP_KEY.to_owned()), ("secretKey", f::SECRET_KEY.to_owned())]
    }

    fn demo(&'static self) -> Option<BoxFuture<'static, CliResult<Outcome>>> {
        Some(Box::pin(demo::scenario(self)))
    }

    fn alarm_source(&'static self, profile: Option<&Profile>, base_url: Option<&str>) -> Option<CliResult<AlarmFeed>> {
        Some(alarms::alarm_feed(profile, base_url))
    }
}

/// `watchpost hpp`.
#[derive(Args)]
struct HppArgs {
    /// Operation, parameters, output.
    #[command(flatten)]
    call: CallArgs,
    /// Where and as whom.
    #[command(flatten)]
    conn: HppConn,
    /// With `alarms`: keep printing (and acknowledging) alarms until Ctrl-C.
    #[arg(long)]
    follow: bool,
    /// With `alarms`: stop after this many alarms.
    #[arg(long, value_name = "N")]
    max_events: Option<u64>,
}

/// How to reach Hik-Partner Pro: an API key and secret (a token is fetched from the token host),
/// or a fixed access token with its area domain.
#[derive(Args, Clone, Debug, Default)]
struct HppConn {
    /// The token host. Default: the region's (https://api.hik-partner.com).
    #[arg(long, env = "WATCHPOST_HPP_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// The region of the token host: global, russia, legacy-global, legacy-russia.
    #[arg(long, env = "WATCHPOST_HPP_REGION", value_name = "REGION")]
    region: Option<String>,
    /// The API key (or ARC ID).
    #[arg(long, env = "WATCHPOST_HPP_APP_KEY", value_name = "KEY")]
    app_key: Option<String>,
    /// The API secret (or ARC key); prefer the environment variable: flags show in process lists.
    #[arg(long, env = "WATCHPOST_HPP_SECRET_KEY", hide_env_values = true, value_name = "SECRET")]
    secret_key: Option<Secret>,
    /// A fixed access token instead of the key and secret.
    #[arg(long, env = "WATCHPOST_HPP_ACCESS_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    access_token: Option<Secret>,
    /// The area domain of the fixed access token (or one overriding the token's).
    #[arg(long, env = "WATCHPOST_HPP_AREA_DOMAIN", value_name = "URL")]
    area_domain: Option<String>,
    /// TLS trust and timeouts.
    #[command(flatten)]
    net: NetArgs,
}

/// The region of a `--region` value.
fn region(name: &str) -> CliResult<hpp::Region> {
    match name {
        "global" => Ok(hpp::Region::Global),
        "russia" => Ok(hpp::Region::Russia),
        "legacy-global" => Ok(hpp::Region::LegacyGlobal),
        "legacy-russia" => Ok(hpp::Region::LegacyRussia),
        other => Err(CliError::usage(format!(
            "Hik-Partner Pro region `{other}` is not global, russia, legacy-global or legacy-russia"
        ))),
    }
}

impl HppConn {
    /// Fills what the command line left unset from the profile.
    fn fill_from(&mut self, p: &Profile) -> CliResult<()> {
        p.fill(&mut self.base_url, "base_url")?;
        p.fill(&mut self.area_domain, "area_domain")?;
        p.fill(&mut self.region, "region")?;
        if self.access_token.is_none() {
            p.fill(&mut self.app_key, "app_key")?;
            p.fill_secret(&mut self.secret_key, "secret_key")?;
        }
        if self.app_key.is_none() && self.secret_key.is_none() {
            p.fill_secret(&mut self.access_token, "access_token")?;
        }
        p.fill_net(&mut self.net)
    }

    /// The client. Nothing is sent yet.
    fn client(&self) -> CliResult<hpp::Client> {
        let mut b = hpp::Client::builder().transport(self.net.transport()?);
        if let Some(name) = &self.region {
            b = b.region(region(name)?);
        }
        if let Some(url) = &self.base_url {
            b = b.token_host(url.clone());
        }
        match (&self.access_token, &self.app_key, &self.secret_key) {
            (Some(token), None, None) => {
                let Some(area) = &self.area_domain else {
                    return Err(missing(
                        &Hpp,
                        "a fixed access token needs its --area-domain (WATCHPOST_HPP_AREA_DOMAIN)",
                    ));
                };
                b = b.access_token(token.expose()).area_domain(area.clone());
            }
            (None, Some(key), Some(secret)) => {
                b = b.app_key(key.clone()).secret_key(secret.expose());
                if let Some(area) = &self.area_domain {
                    b = b.area_domain(area.clone());
                }
            }
            (Some(_), _, _) => {
                return Err(missing(&Hpp, "give either an access token or an API key and secret, not both"))
            }
            _ => return Err(missing(&Hpp, "no credentials: an API key and secret key are needed")),
        }
        b.build().map_err(|e| CliError::vendor(&Hpp, &e))
    }

    /// The same connection with the key and secret of `token.get`'s parameters.
    fn with_key_credentials(&self, params: &Value) -> HppConn {
        let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_owned);
        match (text("appKey"), text("secretKey")) {
            (Some(key), Some(secret)) => HppConn {
                app_key: Some(key),
                secret_key: Some(Secret::from(secret)),
                access_token: None,
                ..self.clone()
            },
            _ => self.clone(),
        }
    }
}

impl Connection for HppConn {
    fn defaults(&self) -> Vec<(&'static str, String)> {
        // The parameters of `token.get`.
        let mut out = Vec::new();
        if let Some(k) = &self.app_key {
            out.push(("appKey", k.clone()));
        }
        if let Some(s) = &self.secret_key {
            out.push(("secretKey", s.expose().to_owned()));
        }
        out
    }

    fn call<'a>(&'a self, op: &'static Operation, params: Value) -> BoxFuture<'a, CliResult<Value>> {
        Box::pin(async move {
            // The token is fetched with the key and secret given as its parameters; the CLI runs
            // it itself (the client keeps tokens to itself otherwise).
            if op.id == "token.get" {
                let client = self.with_key_credentials(&params).client()?;
                return token(&client, op).await.map_err(|e| CliError::vendor(&Hpp, &e));
            }
            let client = self.client()?;
            hpp::dispatch(&client, op.id, params).await.map_err(|e| CliError::vendor(&Hpp, &e))
        })
    }
}

/// `token.get`: the client's token, its area domain and expiry.
async fn token(client: &hpp::Client, op: &Operation) -> watchpost::Result<Value> {
    let (token, _) = match client.pipeline().auth() {
        Auth::Token(t) => t.provider.get().await?,
        _ => return Err(Error::invalid_input(op.id, "the client has no token provider")),
    };
    Ok(json!({
        "accessToken": token.secret(),
        "areaDomain": token.base_url,
        "expireTime": token.expires_at.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
    }))
}

/// A running Hik-Partner Pro simulator.
struct Sim(hpp::sim::Simulator);

impl Sim {
    fn conn(&self) -> HppConn {
        Sim::conn_of(&self.0)
    }

    /// The connection to a simulator: its token host and default credentials.
    fn conn_of(sim: &hpp::sim::Simulator) -> HppConn {
        use hpp::sim::fixtures as f;
        HppConn {
            base_url: Some(sim.base_url()),
            app_key: Some(f::APP_KEY.to_owned()),
            secret_key: Some(Secret::from(f::SECRET_KEY)),
            ..HppConn::default()
        }
    }
}

impl RunningSim for Sim {
    fn base_url(&self) -> String {
        self.0.base_url()
    }

    fn local_addr(&self) -> SocketAddr {
        self.0.local_addr()
    }

    fn connection(&self) -> Box<dyn Connection> {
        Box::new(self.conn())
    }

    fn describe(&self) -> Vec<(&'static str, String)> {
        use hpp::sim::fixtures as f;
        vec![
            ("token host", self.0.base_url()),
            ("area domain", self.0.area_domain()),
            ("API key", f::APP_KEY.to_owned()),
            ("secret key", f::SECRET_KEY.to_owned()),
        ]
    }

    fn env_lines(&self) -> Vec<String> {
        let c = self.conn();
        vec![
            export(&Hpp, "BASE_URL", c.base_url.as_deref().unwrap_or_default()),
            export(&Hpp, "APP_KEY", c.app_key.as_deref().unwrap_or_default()),
            export(&Hpp, "SECRET_KEY", c.secret_key.as_ref().map(Secret::expose).unwrap_or_default()),
        ]
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.0.shutdown())
    }
}
