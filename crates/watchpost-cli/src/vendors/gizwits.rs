//! Gizwits Enterprise API (`watchpost gizwits`): the enterprise credentials and one product.

use clap::{ArgMatches, Args, FromArgMatches as _};
use serde_json::Value;
use watchpost::core::operation::Operation;
use watchpost::gizwits;
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

/// The Gizwits Enterprise API.
pub struct Gizwits;

impl Vendor for Gizwits {
    fn id(&self) -> &'static str {
        "gizwits"
    }

    fn title(&self) -> &'static str {
        "Gizwits"
    }

    fn operations(&self) -> &'static [&'static Operation] {
        gizwits::OPERATIONS
    }

    fn credential_help(&self) -> &'static str {
        "--enterprise-id/--enterprise-secret and --product-key/--product-secret (WATCHPOST_GIZWITS_ENTERPRISE_ID, ..._ENTERPRISE_SECRET, ..._PRODUCT_KEY, ..._PRODUCT_SECRET)"
    }

    fn code_meaning(&self, e: &Error) -> Option<String> {
        e.gizwits_code().map(|c| c.description().to_owned())
    }

    fn not_callable(&self, op_id: &str) -> Option<&'static str> {
        (op_id == "reports.activation").then_some(
            "undocumented by the vendor and not offered by the client; use the typed API (`Client::execute`) at your own risk",
        )
    }

    fn param_hint(&self, e: CliError) -> CliError {
        if e.message.contains("`product_key`") {
            e.hint("pass --product-key (WATCHPOST_GIZWITS_PRODUCT_KEY) with its --product-secret, or --param product_key=KEY")
        } else {
            e
        }
    }

    fn command(&self) -> clap::Command {
        GizwitsArgs::augment_args(clap::Command::new(self.id()))
            .about("Gizwits Enterprise API: `watchpost gizwits <OPERATION> --param KEY=VALUE ...` or `--list`")
            .long_about(None)
    }

    fn run<'a>(
        &'static self,
        matches: &'a ArgMatches,
        profile: Option<&'a Profile>,
        interrupt: Interrupt,
    ) -> BoxFuture<'a, CliResult<()>> {
        Box::pin(async move {
            let args = GizwitsArgs::from_arg_matches(matches).unwrap_or_else(|e| e.exit());
            let mut conn = args.conn;
            if let (Some(p), false) = (profile, args.call.list || args.call.sim) {
                conn.fill_from(p)?;
            }
            call_command(self, &args.call, Box::new(conn), interrupt).await
        })
    }

    fn profile_keys(&self) -> &'static [&'static str] {
        &["enterprise_id", "product_key", "application_id"]
    }

    fn profile_secrets(&self) -> &'static [&'static str] {
        &["enterprise_secret", "product_secret"]
    }

    fn start_sim(&'static self) -> BoxFuture<'static, CliResult<Box<dyn RunningSim>>> {
        Box::pin(async move {
            let sim = gizwits::sim::Simulator::start().await.map_err(|e| crate::demo::start_failed(self, &e))?;
            Ok(Box::new(Sim(sim)) as Box<dyn RunningSim>)
        })
    }

    fn sim_defaults(&self) -> Vec<(&'static str, String)> {
        use gizwits::sim::fixtures as f;
        vec![
            ("product_key", f::PRODUCT_KEY.to_owned()),
            ("product_secret", f::PRODUCT_SECRET.to_owned()),
            ("enterprise_id", f::ENTERPRISE_ID.to_owned()),
            ("enterprise_secret", f::ENTERPRISE_SECRET.to_owned()),
        ]
    }

    fn demo(&'static self) -> Option<BoxFuture<'static, CliResult<Outcome>>> {
        Some(Box::pin(demo::scenario(self)))
    }
}

/// `watchpost gizwits`.
#[derive(Args)]
struct GizwitsArgs {
    /// Operation, parameters, output.
    #[command(flatten)]
    call: CallArgs,
    /// Where and as whom.
    #[command(flatten)]
    conn: GizwitsConn,
}

/// How to reach the Gizwits Enterprise API: the enterprise credentials and one product.
#[derive(Args, Clone, Debug, Default)]
struct GizwitsConn {
    /// The API host. Default: https://enterpriseapi.gizwits.com.
    #[arg(long, env = "WATCHPOST_GIZWITS_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// The enterprise id.
    #[arg(long, env = "WATCHPOST_GIZWITS_ENTERPRISE_ID", value_name = "ID")]
    enterprise_id: Option<String>,
    /// The enterprise secret (prefer the environment variable).
    #[arg(long, env = "WATCHPOST_GIZWITS_ENTERPRISE_SECRET", hide_env_values = true, value_name = "SECRET")]
    enterprise_secret: Option<Secret>,
    /// The product key; also the default of every `product_key` parameter.
    #[arg(long, env = "WATCHPOST_GIZWITS_PRODUCT_KEY", value_name = "KEY")]
    product_key: Option<String>,
    /// The product secret (prefer the environment variable).
    #[arg(long, env = "WATCHPOST_GIZWITS_PRODUCT_SECRET", hide_env_values = true, value_name = "SECRET")]
    product_secret: Option<Secret>,
    /// The application id sent with user calls (optional).
    #[arg(long, env = "WATCHPOST_GIZWITS_APPLICATION_ID", value_name = "ID")]
    application_id: Option<String>,
    /// TLS trust and timeouts.
    #[command(flatten)]
    net: NetArgs,
}

impl GizwitsConn {
    /// Fills what the command line left unset from the profile.
    fn fill_from(&mut self, p: &Profile) -> CliResult<()> {
        p.fill(&mut self.base_url, "base_url")?;
        p.fill(&mut self.enterprise_id, "enterprise_id")?;
        p.fill_secret(&mut self.enterprise_secret, "enterprise_secret")?;
        // The product secret goes with its key: a key given on the command line does not take
        // the profile's secret.
        if self.product_key.is_none() {
            p.fill(&mut self.product_key, "product_key")?;
            p.fill_secret(&mut self.product_secret, "product_secret")?;
        }
        p.fill(&mut self.application_id, "application_id")?;
        p.fill_net(&mut self.net)
    }

    /// The client. Nothing is sent yet.
    fn client(&self) -> CliResult<gizwits::Client> {
        let (Some(id), Some(secret)) = (&self.enterprise_id, &self.enterprise_secret) else {
            return Err(missing(&Gizwits, "no credentials: the enterprise id and secret are needed"));
        };
        let mut b = gizwits::Client::builder().enterprise(id.clone(), secret.expose()).transport(self.net.transport()?);
        if let Some(url) = &self.base_url {
            b = b.base_url(url.clone());
        }
        match (&self.product_key, &self.product_secret) {
            (Some(key), Some(secret)) => b = b.product(key.clone(), secret.expose()),
            (Some(_), None) => return Err(missing(&Gizwits, "the product key needs its product secret")),
            _ => {}
        }
        if let Some(app) = &self.application_id {
            b = b.application_id(app.clone());
        }
        b.build().map_err(|e| CliError::vendor(&Gizwits, &e))
    }
}

impl Connection for GizwitsConn {
    fn defaults(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(k) = &self.product_key {
            out.push(("product_key", k.clone()));
        }
        if let Some(s) = &self.product_secret {
            out.push(("product_secret", s.expose().to_owned()));
        }
        if let Some(id) = &self.enterprise_id {
            out.push(("enterprise_id", id.clone()));
        }
        if let Some(s) = &self.enterprise_secret {
            out.push(("enterprise_secret", s.expose().to_owned()));
        }
        out
    }

    fn call<'a>(&'a self, op: &'static Operation, params: Value) -> BoxFuture<'a, CliResult<Value>> {
        Box::pin(async move {
            let client = self.client()?;
            gizwits::dispatch(&client, op.id, params).await.map_err(|e| CliError::vendor(&Gizwits, &e))
        })
    }
}

/// A running Gizwits simulator.
struct Sim(gizwits::sim::Simulator);

impl Sim {
    fn conn(&self) -> GizwitsConn {
        use gizwits::sim::fixtures as f;
        GizwitsConn {
            base_url: Some(self.0.base_url()),
            enterprise_id: Some(self.0.enterprise_id().to_owned()),
            enterprise_secret: Some(Secret::from(self.0.enterprise_secret())),
            product_key: Some(f::PRODUCT_KEY.to_owned()),
            product_secret: Some(Secret::from(f::PRODUCT_SECRET)),
            ..GizwitsConn::default()
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
        use gizwits::sim::fixtures as f;
        let s = &self.0;
        vec![
            ("base URL", s.base_url()),
            ("enterprise id", s.enterprise_id().to_owned()),
            ("enterprise secret", s.enterprise_secret().to_owned()),
            ("product key", f::PRODUCT_KEY.to_owned()),
            ("product secret", f::PRODUCT_SECRET.to_owned()),
            ("device did", f::DEVICE_DID.to_owned()),
        ]
    }

    fn env_lines(&self) -> Vec<String> {
        let c = self.conn();
        let secret = |s: &Option<Secret>| s.as_ref().map(Secret::expose).unwrap_or_default().to_owned();
        vec![
            export(&Gizwits, "BASE_URL", c.base_url.as_deref().unwrap_or_default()),
            export(&Gizwits, "ENTERPRISE_ID", c.enterprise_id.as_deref().unwrap_or_default()),
            export(&Gizwits, "ENTERPRISE_SECRET", &secret(&c.enterprise_secret)),
            export(&Gizwits, "PRODUCT_KEY", c.product_key.as_deref().unwrap_or_default()),
            export(&Gizwits, "PRODUCT_SECRET", &secret(&c.product_secret)),
        ]
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.0.shutdown())
    }
}
