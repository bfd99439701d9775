//! Akuvox access control HTTP API (`watchpost akuvox`): one device, its auth mode and
//! credentials, and the request form it accepts.

use std::net::SocketAddr;

use clap::{ArgMatches, Args, FromArgMatches as _};
use serde_json::Value;
use watchpost::akuvox;
use watchpost::core::operation::Operation;
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
mod files;

/// The Akuvox access control HTTP API.
pub struct Akuvox;

impl Vendor for Akuvox {
    fn id(&self) -> &'static str {
        "akuvox"
    }

    fn title(&self) -> &'static str {
        "Akuvox"
    }

    fn operations(&self) -> &'static [&'static Operation] {
        akuvox::OPERATIONS
    }

    fn credential_help(&self) -> &'static str {
        "--base-url and, for Basic or Digest, --user/--password (WATCHPOST_AKUVOX_BASE_URL, WATCHPOST_AKUVOX_USER, WATCHPOST_AKUVOX_PASSWORD)"
    }

    fn code_meaning(&self, e: &Error) -> Option<String> {
        if e.is_api_disabled() {
            return Some("the device's HTTP API is disabled (Intercom > HTTP API)".to_owned());
        }
        e.akuvox_retcode().map(|code| format!("negative reply (retcode {code})"))
    }

    fn not_callable(&self, op_id: &str) -> Option<&'static str> {
        let op = akuvox::OPERATIONS.iter().find(|op| op.id == op_id)?;
        let (_, action) = akuvox::forms::target_action(op);
        match action {
            "export" if op_id != "user.export" => {
                Some("a file download: `--output FILE` writes it (progress on stderr), `--param` sets its options")
            }
            "import" => Some("a file upload: `--file FILE` sends it, streamed (progress on stderr)"),
            "upload" => Some(
                "a firmware upload: `--file IMAGE` sends it, streamed; `--upgrade` also prepares and upgrades with its MD5",
            ),
            _ => None,
        }
    }

    fn list_note(&self) -> Option<&'static str> {
        Some("--form get|post|auto picks the request form (the device's firmware may accept one only); --post-root POSTs to /api/")
    }

    fn command(&self) -> clap::Command {
        AkuvoxArgs::augment_args(clap::Command::new(self.id()))
            .about("Akuvox access control: `watchpost akuvox <FUNCTION> --param KEY=VALUE ...` or `--list`")
            .long_about(None)
    }

    fn run<'a>(
        &'static self,
        matches: &'a ArgMatches,
        profile: Option<&'a Profile>,
        interrupt: Interrupt,
    ) -> BoxFuture<'a, CliResult<()>> {
        Box::pin(async move {
            let args = AkuvoxArgs::from_arg_matches(matches).unwrap_or_else(|e| e.exit());
            let mut conn = args.conn.clone();
            if let (Some(p), false) = (profile, args.call.list || args.call.sim) {
                conn.fill_from(p)?;
            }
            match args.call.operation.as_deref() {
                Some(id) if !args.call.list && files::is_file_function(id) => files::run(&args, conn, interrupt).await,
                _ if args.output.is_some() || args.file.is_some() || args.upgrade => Err(CliError::usage(
                    "--output goes with an export, --file with an import or firmware.upload, --upgrade with firmware.upload",
                )),
                _ => call_command(self, &args.call, Box::new(conn), interrupt).await,
            }
        })
    }

    fn profile_keys(&self) -> &'static [&'static str] {
        &["user", "auth", "form"]
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
            let builder = akuvox::sim::Simulator::builder().bind(listen).auth(akuvox::sim::SimAuth::digest());
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
}

/// `watchpost akuvox`.
#[derive(Args)]
struct AkuvoxArgs {
    /// Function, parameters, output.
    #[command(flatten)]
    call: CallArgs,
    /// Which device and how.
    #[command(flatten)]
    conn: AkuvoxConn,
    /// With an export (`contact.export`): the file to write.
    #[arg(long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
    /// With an import (`contact.import`) or `firmware.upload`: the file to send (streamed).
    #[arg(long, value_name = "FILE")]
    file: Option<std::path::PathBuf>,
    /// With `firmware.upload --file`: the whole upgrade (prepare, upload, upgrade with the
    /// image's MD5).
    #[arg(long)]
    upgrade: bool,
}

/// How to reach one Akuvox device.
#[derive(Args, Clone, Debug, Default)]
struct AkuvoxConn {
    /// The device (`http://192.168.1.78`).
    #[arg(long, env = "WATCHPOST_AKUVOX_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
    /// The HTTP API user (device default `admin`).
    #[arg(long, env = "WATCHPOST_AKUVOX_USER", value_name = "USER")]
    user: Option<String>,
    /// The HTTP API password (prefer the environment variable: flags show in process lists).
    #[arg(long, env = "WATCHPOST_AKUVOX_PASSWORD", hide_env_values = true, value_name = "PASSWORD")]
    password: Option<Secret>,
    /// The device's auth mode: none, allow-list, basic, digest or auto (default: auto with a
    /// user, none without).
    #[arg(long, env = "WATCHPOST_AKUVOX_AUTH", value_name = "MODE")]
    auth: Option<String>,
    /// The request form: auto (POST where allowed), get or post.
    #[arg(long, env = "WATCHPOST_AKUVOX_FORM", value_name = "FORM")]
    form: Option<String>,
    /// POST the envelope to `/api/` instead of `/api/<target>/<action>`.
    #[arg(long)]
    post_root: bool,
    /// Spell the call log target `callog` (the function table's spelling).
    #[arg(long)]
    callog: bool,
    /// A capability table (TOML `[[rule]]` rows: name, model, firmware_from, firmware_to, api,
    /// allow, deny) applied after the seed's: the device is probed first, and a function the
    /// table denies fails before it is sent.
    #[arg(long, env = "WATCHPOST_AKUVOX_CAPABILITIES", value_name = "FILE")]
    capabilities: Option<std::path::PathBuf>,
    /// TLS trust and timeouts.
    #[command(flatten)]
    net: NetArgs,
}

impl AkuvoxConn {
    /// Fills what the command line left unset from the profile.
    fn fill_from(&mut self, p: &Profile) -> CliResult<()> {
        p.fill(&mut self.base_url, "base_url")?;
        p.fill(&mut self.auth, "auth")?;
        p.fill(&mut self.form, "form")?;
        if self.user.is_none() {
            p.fill(&mut self.user, "user")?;
            p.fill_secret(&mut self.password, "password")?;
        }
        p.fill_net(&mut self.net)
    }

    /// The client. Nothing is sent yet.
    fn client(&self) -> CliResult<akuvox::Client> {
        let Some(url) = &self.base_url else {
            return Err(missing(&Akuvox, "no device: --base-url is needed"));
        };
        let mut b = akuvox::Client::builder().base_url(url.clone()).transport(self.net.transport()?);
        match (&self.user, &self.password) {
            (Some(user), Some(password)) => b = b.credentials(user.clone(), password.expose()),
            (Some(_), None) => return Err(missing(&Akuvox, "the user needs its --password")),
            _ => {}
        }
        if let Some(mode) = &self.auth {
            b = b.auth_mode(auth_mode(mode)?);
        }
        if let Some(form) = &self.form {
            b = b.request_form(request_form(form)?);
        }
        if self.post_root {
            b = b.post_path(akuvox::PostPath::Root);
        }
        if self.callog {
            b = b.calllog_spelling(akuvox::CallLogSpelling::Callog);
        }
        b.build().map_err(|e| CliError::vendor(&Akuvox, &e))
    }
}

impl AkuvoxConn {
    /// The client, checking the `--capabilities` table (after probing the device) when given.
    async fn guarded_client(&self) -> CliResult<akuvox::Client> {
        let client = self.client()?;
        let Some(path) = &self.capabilities else { return Ok(client) };
        let text = tokio::fs::read_to_string(path)
            .await
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
        let table: akuvox::CapabilityTable = toml::from_str(&text)
            .map_err(|e| CliError::usage(format!("{} is not a capability table: {e}", path.display())))?;
        let caps = client.probe().await.map_err(|e| CliError::vendor(&Akuvox, &e))?;
        let table = caps.table.clone().extend(table);
        Ok(client.with_capabilities(caps.with_table(table)))
    }
}

/// The connection to a simulator: Digest with the device's default user and password.
fn sim_conn(sim: &akuvox::sim::Simulator) -> AkuvoxConn {
    AkuvoxConn {
        base_url: Some(sim.base_url()),
        user: Some(akuvox::sim::DEFAULT_USER.to_owned()),
        password: Some(Secret::from(akuvox::sim::DEFAULT_PASSWORD)),
        auth: Some("digest".to_owned()),
        ..AkuvoxConn::default()
    }
}

/// The auth mode of an `--auth` value.
fn auth_mode(name: &str) -> CliResult<akuvox::AuthMode> {
    [
        ("none", akuvox::AuthMode::None),
        ("allow-list", akuvox::AuthMode::AllowList),
        ("basic", akuvox::AuthMode::Basic),
        ("digest", akuvox::AuthMode::Digest),
        ("auto", akuvox::AuthMode::Auto),
    ]
    .into_iter()
    .find_map(|(n, m)| (n == name).then_some(m))
    .ok_or_else(|| CliError::usage(format!("Akuvox auth mode `{name}` is not none, allow-list, basic, digest or auto")))
}

/// The request form of a `--form` value.
fn request_form(name: &str) -> CliResult<akuvox::RequestForm> {
    [("auto", akuvox::RequestForm::Auto), ("get", akuvox::RequestForm::Get), ("post", akuvox::RequestForm::Post)]
        .into_iter()
        .find_map(|(n, f)| (n == name).then_some(f))
        .ok_or_else(|| CliError::usage(format!("Akuvox request form `{name}` is not auto, get or post")))
}

impl Connection for AkuvoxConn {
    fn defaults(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn call<'a>(&'a self, op: &'static Operation, params: Value) -> BoxFuture<'a, CliResult<Value>> {
        Box::pin(async move {
            let client = self.guarded_client().await?;
            akuvox::dispatch(&client, op.id, params).await.map_err(|e| CliError::vendor(&Akuvox, &e))
        })
    }
}

/// A running Akuvox device simulator (Digest, the device's default user and password).
struct Sim(akuvox::sim::Simulator);

impl Sim {
    fn conn(&self) -> AkuvoxConn {
        sim_conn(&self.0)
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
        vec![
            ("device", self.0.base_url()),
            ("auth", "digest".to_owned()),
            ("user", akuvox::sim::DEFAULT_USER.to_owned()),
            ("password", akuvox::sim::DEFAULT_PASSWORD.to_owned()),
        ]
    }

    fn env_lines(&self) -> Vec<String> {
        vec![
            export(&Akuvox, "BASE_URL", &self.0.base_url()),
            export(&Akuvox, "USER", akuvox::sim::DEFAULT_USER),
            export(&Akuvox, "PASSWORD", akuvox::sim::DEFAULT_PASSWORD),
            export(&Akuvox, "AUTH", "digest"),
        ]
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.0.shutdown())
    }
}
