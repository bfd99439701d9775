//! EZVIZ open platform (`watchpost ezviz`): an app key and secret (a token is fetched from the
//! token host), or a fixed access token with its area domain.

use clap::{ArgMatches, Args, FromArgMatches as _};
use serde_json::{json, Value};
use watchpost::core::auth::Auth;
use watchpost::core::operation::Operation;
use watchpost::ezviz;
use watchpost::prelude::*;
use watchpost::Error;

use super::{call_command, export, missing, BoxFuture, Connection, RunningSim, Vendor};
use crate::cli::CallArgs;
use crate::demo::Outcome;
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::net::NetArgs;
use crate::profile::Profile;
use crate::secret::Secret;

mod demo;

/// The EZVIZ open platform.
pub struct Ezviz;

impl Vendor for Ezviz {
    fn id(&self) -> &'static str {
        "ezviz"
    }

    fn title(&self) -> &'static str {
        "EZVIZ"
    }

    fn operations(&self) -> &'static [&'static Operation] {
        ezviz::OPERATIONS
    }

    fn credential_help(&self) -> &'static str {
        "--app-key/--app-secret (WATCHPOST_EZVIZ_APP_KEY, WATCHPOST_EZVIZ_APP_SECRET), or --access-token with --area-domain"
    }

    fn code_meaning(&self, e: &Error) -> Option<String> {
        e.ezviz_code().map(|c| c.description().to_owned())
    }

    fn command(&self) -> clap::Command {
        EzvizArgs::augment_args(clap::Command::new(self.id()))
            .about("EZVIZ open platform: `watchpost ezviz <OPERATION> --param KEY=VALUE ...` or `--list`")
            .long_about(None)
    }

    fn run<'a>(
        &'static self,
        matches: &'a ArgMatches,
        profile: Option<&'a Profile>,
        interrupt: Interrupt,
    ) -> BoxFuture<'a, CliResult<()>> {
        Box::pin(async move {
            let args = EzvizArgs::from_arg_matches(matches).unwrap_or_else(|e| e.exit());
            let mut conn = args.conn;
            if let (Some(p), false) = (profile, args.call.list || args.call.sim) {
                conn.fill_from(p)?;
            }
            call_command(self, &args.call, Box::new(conn), interrupt).await
        })
    }

    fn profile_keys(&self) -> &'static [&'static str] {
        &["region", "app_key", "area_domain"]
    }

    fn profile_secrets(&self) -> &'static [&'static str] {
        &["app_secret", "access_token"]
    }

    fn start_sim(&'static self) -> BoxFuture<'static, CliResult<Box<dyn RunningSim>>> {
        Box::pin(async move {
            let sim = ezviz::sim::Simulator::start().await.map_err(|e| crate::demo::start_failed(self, &e))?;
            Ok(Box::new(Sim(sim)) as Box<dyn RunningSim>)
        })
    }

    fn sim_defaults(&self) -> Vec<(&'static str, String)> {
        use ezviz::sim::fixtures as f;
        vec![("appKey", f::APP_KEY.to_owned()), ("appSecret", f::APP_SECRET.to_owned())]
    }

    fn demo(&'static self) -> Option<BoxFuture<'static, CliResult<Outcome>>> {
        Some(Box::pin(demo::scenario(self)))
    }
}

/// `watchpost ezviz`.
#[derive(Args)]
struct EzvizArgs {
    /// Operation, parameters, output.
    #[command(flatten)]
    call: CallArgs,
    /// Where and as whom.
    #[command(flatten)]
    conn: EzvizConn,
}

/// How to reach EZVIZ: an app key and secret (a token is fetched from the token host), or a
/// fixed access token with its area domain.
#[derive(Args, Clone, Debug, Default)]
struct EzvizConn {
    /// The token host. Default: the region's (https://open.ezvizlife.com).
    #[arg(long, env = "WATCHPOST_EZVIZ_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// Fetch tokens from the mainland China host (https://open.ys7.com) instead.
    #[arg(long)]
    china: bool,
    /// The application key.
    #[arg(long, env = "WATCHPOST_EZVIZ_APP_KEY", value_name = "KEY")]
    app_key: Option<String>,
    /// The application secret (prefer the environment variable: flags show in process lists).
    #[arg(long, env = "WATCHPOST_EZVIZ_APP_SECRET", hide_env_values = true, value_name = "SECRET")]
    app_secret: Option<Secret>,
    /// A fixed access token (an EZVIZ sub-account token) instead of the app key and secret.
    #[arg(long, env = "WATCHPOST_EZVIZ_ACCESS_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    access_token: Option<Secret>,
    /// The area domain of the fixed access token.
    #[arg(long, env = "WATCHPOST_EZVIZ_AREA_DOMAIN", value_name = "URL")]
    area_domain: Option<String>,
    /// TLS trust and timeouts.
    #[command(flatten)]
    net: NetArgs,
}

impl EzvizConn {
    /// Fills what the command line left unset from the profile.
    fn fill_from(&mut self, p: &Profile) -> CliResult<()> {
        p.fill(&mut self.base_url, "base_url")?;
        p.fill(&mut self.area_domain, "area_domain")?;
        if !self.china {
            self.china = match p.text("region")?.as_deref() {
                None | Some("global") => false,
                Some("china") => true,
                Some(other) => {
                    return Err(CliError::usage(format!("profile: EZVIZ region `{other}` is not global or china")))
                }
            };
        }
        // A fixed token given on the command line replaces the profile's key and secret, and a
        // key given there replaces the profile's token.
        if self.access_token.is_none() {
            p.fill(&mut self.app_key, "app_key")?;
            p.fill_secret(&mut self.app_secret, "app_secret")?;
        }
        if self.app_key.is_none() && self.app_secret.is_none() {
            p.fill_secret(&mut self.access_token, "access_token")?;
        }
        p.fill_net(&mut self.net)
    }

    /// The client. Nothing is sent yet.
    fn client(&self) -> CliResult<ezviz::Client> {
        let mut b = ezviz::Client::builder().transport(self.net.transport()?);
        if self.china {
            b = b.region(ezviz::Region::China);
        }
        if let Some(url) = &self.base_url {
            b = b.token_host(url.clone());
        }
        match (&self.access_token, &self.app_key, &self.app_secret) {
            (Some(token), None, None) => {
                let Some(area) = &self.area_domain else {
                    return Err(missing(
                        &Ezviz,
                        "a fixed access token needs its --area-domain (WATCHPOST_EZVIZ_AREA_DOMAIN)",
                    ));
                };
                b = b.access_token(token.expose()).area_domain(area.clone());
            }
            (None, Some(key), Some(secret)) => {
                b = b.app_key(key.clone()).app_secret(secret.expose());
                if let Some(area) = &self.area_domain {
                    b = b.area_domain(area.clone());
                }
            }
            (Some(_), _, _) => {
                return Err(missing(&Ezviz, "give either an access token or an app key and secret, not both"))
            }
            _ => return Err(missing(&Ezviz, "no credentials: an app key and app secret are needed")),
        }
        b.build().map_err(|e| CliError::vendor(&Ezviz, &e))
    }

    /// The same connection with the app key and secret of `token.get`'s parameters.
    fn with_app_credentials(&self, params: &Value) -> EzvizConn {
        let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_owned);
        match (text("appKey"), text("appSecret")) {
            (Some(key), Some(secret)) => EzvizConn {
                app_key: Some(key),
                app_secret: Some(Secret::from(secret)),
                access_token: None,
                ..self.clone()
            },
            _ => self.clone(),
        }
    }
}

impl Connection for EzvizConn {
    fn defaults(&self) -> Vec<(&'static str, String)> {
        // The parameters of `token.get`.
        let mut out = Vec::new();
        if let Some(k) = &self.app_key {
            out.push(("appKey", k.clone()));
        }
        if let Some(s) = &self.app_secret {
            out.push(("appSecret", s.expose().to_owned()));
        }
        out
    }

    fn call<'a>(&'a self, op: &'static Operation, params: Value) -> BoxFuture<'a, CliResult<Value>> {
        Box::pin(async move {
            // The token is fetched with the app key and secret given as its parameters; the CLI
            // runs it itself (the client keeps tokens to itself otherwise).
            if op.id == "token.get" {
                let client = self.with_app_credentials(&params).client()?;
                return token(&client, op).await.map_err(|e| CliError::vendor(&Ezviz, &e));
            }
            let client = self.client()?;
            ezviz::dispatch(&client, op.id, params).await.map_err(|e| CliError::vendor(&Ezviz, &e))
        })
    }
}

/// `token.get`: the client's token, its area domain and expiry.
async fn token(client: &ezviz::Client, op: &Operation) -> watchpost::Result<Value> {
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

/// A running EZVIZ simulator.
struct Sim(ezviz::sim::Simulator);

impl Sim {
    fn conn(&self) -> EzvizConn {
        EzvizConn {
            base_url: Some(self.0.base_url()),
            app_key: Some(self.0.app_key().to_owned()),
            app_secret: Some(Secret::from(self.0.app_secret())),
            ..EzvizConn::default()
        }
    }
}

impl RunningSim for Sim {
    fn base_url(&self) -> String {
        self.0.base_url()
    }

    fn connection(&self) -> Box<dyn Connection> {
        Box::new(self.conn())
    }

    fn describe(&self) -> Vec<(&'static str, String)> {
        use ezviz::sim::fixtures as f;
        let s = &self.0;
        vec![
            ("token host", s.base_url()),
            ("area domain", s.area_domain()),
            ("app key", s.app_key().to_owned()),
            ("app secret", s.app_secret().to_owned()),
            ("A1S hub", f::HUB.to_owned()),
            ("camera", f::CAMERA.to_owned()),
            ("doorbell", f::DOORBELL.to_owned()),
        ]
    }

    fn env_lines(&self) -> Vec<String> {
        let c = self.conn();
        vec![
            export(&Ezviz, "BASE_URL", c.base_url.as_deref().unwrap_or_default()),
            export(&Ezviz, "APP_KEY", c.app_key.as_deref().unwrap_or_default()),
            export(&Ezviz, "APP_SECRET", c.app_secret.as_ref().map(Secret::expose).unwrap_or_default()),
        ]
    }

    fn forward_note(&self) -> Option<&'static str> {
        Some("tokens point every call at the area domain above, which listens on loopback only.")
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.0.shutdown())
    }
}
