//! The vendors the CLI knows: their operation tables, how to build a client from the command
//! line, how to start their simulators, and the generic call.

use serde_json::{json, Value};
use watchpost::core::auth::Auth;
use watchpost::core::codec::param::{from_params, to_output};
use watchpost::core::operation::Operation;
use watchpost::{ezviz, gizwits, hikgw, Error};

use crate::cli::{EzvizConn, GizwitsConn, HikgwConn};
use crate::error::{CliError, CliResult};
use crate::secret::Secret;

/// A vendor of the CLI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Vendor {
    /// EZVIZ open platform.
    Ezviz,
    /// Hikvision Device Gateway.
    Hikgw,
    /// Gizwits Enterprise API.
    Gizwits,
}

impl Vendor {
    /// Every vendor, in the order of the demo.
    pub const ALL: [Vendor; 3] = [Vendor::Ezviz, Vendor::Hikgw, Vendor::Gizwits];

    /// The short name of commands and environment variables (`ezviz`).
    pub fn id(self) -> &'static str {
        match self {
            Vendor::Ezviz => "ezviz",
            Vendor::Hikgw => "hikgw",
            Vendor::Gizwits => "gizwits",
        }
    }

    /// The name people know (`EZVIZ`).
    pub fn title(self) -> &'static str {
        match self {
            Vendor::Ezviz => "EZVIZ",
            Vendor::Hikgw => "Device Gateway",
            Vendor::Gizwits => "Gizwits",
        }
    }

    /// The environment variable `WATCHPOST_<VENDOR>_<suffix>`.
    pub fn env(self, suffix: &str) -> String {
        format!("WATCHPOST_{}_{suffix}", self.id().to_ascii_uppercase())
    }

    /// Where the credentials come from, for hints.
    pub fn credential_help(self) -> &'static str {
        match self {
            Vendor::Ezviz => {
                "--app-key/--app-secret (WATCHPOST_EZVIZ_APP_KEY, WATCHPOST_EZVIZ_APP_SECRET), or --access-token with --area-domain"
            }
            Vendor::Hikgw => "--username/--password (WATCHPOST_HIKGW_USERNAME, WATCHPOST_HIKGW_PASSWORD)",
            Vendor::Gizwits => {
                "--enterprise-id/--enterprise-secret and --product-key/--product-secret (WATCHPOST_GIZWITS_ENTERPRISE_ID, ..._ENTERPRISE_SECRET, ..._PRODUCT_KEY, ..._PRODUCT_SECRET)"
            }
        }
    }

    /// The vendor's operation table.
    pub fn operations(self) -> &'static [&'static Operation] {
        match self {
            Vendor::Ezviz => ezviz::OPERATIONS,
            Vendor::Hikgw => hikgw::OPERATIONS,
            Vendor::Gizwits => gizwits::OPERATIONS,
        }
    }

    /// The operation `id`, if the vendor has it.
    pub fn operation(self, id: &str) -> Option<&'static Operation> {
        self.operations().iter().copied().find(|op| op.id == id)
    }

    /// The parameter defaults a simulator of this vendor supplies (see [`Conn::defaults`]), known
    /// before it starts.
    pub fn sim_defaults(self) -> Vec<(&'static str, String)> {
        use gizwits::sim::fixtures as f;
        match self {
            Vendor::Gizwits => vec![
                ("product_key", f::PRODUCT_KEY.to_owned()),
                ("product_secret", f::PRODUCT_SECRET.to_owned()),
                ("enterprise_id", f::ENTERPRISE_ID.to_owned()),
                ("enterprise_secret", f::ENTERPRISE_SECRET.to_owned()),
            ],
            Vendor::Ezviz => {
                use ezviz::sim::fixtures as f;
                vec![("appKey", f::APP_KEY.to_owned()), ("appSecret", f::APP_SECRET.to_owned())]
            }
            Vendor::Hikgw => Vec::new(),
        }
    }

    /// Why the generic call cannot run `op_id` and what to use instead, for the operations the
    /// CLI does not run with `--param`.
    pub fn not_callable(self, op_id: &str) -> Option<&'static str> {
        match (self, op_id) {
            (Vendor::Hikgw, "event.subscribe") => Some("the alarm stream: use `watchpost hikgw events --follow`"),
            (Vendor::Gizwits, "reports.activation") => {
                Some("undocumented by the vendor and not offered by the client; use the typed API (`Client::execute`) at your own risk")
            }
            _ => None,
        }
    }
}

/// How to reach one vendor.
#[derive(Debug, Clone)]
pub enum Conn {
    /// EZVIZ.
    Ezviz(EzvizConn),
    /// Device Gateway.
    Hikgw(HikgwConn),
    /// Gizwits.
    Gizwits(GizwitsConn),
}

fn missing(vendor: Vendor, what: &str) -> CliError {
    CliError::usage(format!("{}: {what}", vendor.title())).hint(format!("give {}", vendor.credential_help()))
}

impl Conn {
    /// The vendor.
    pub fn vendor(&self) -> Vendor {
        match self {
            Conn::Ezviz(_) => Vendor::Ezviz,
            Conn::Hikgw(_) => Vendor::Hikgw,
            Conn::Gizwits(_) => Vendor::Gizwits,
        }
    }

    /// The CLI error of `e`, an error of this connection's client ([`CliError::vendor`]: a
    /// refused Basic challenge says why and how to allow it).
    pub fn error(&self, e: &Error) -> CliError {
        CliError::vendor(self.vendor(), e)
    }

    /// Builds the vendor's client. Nothing is sent yet.
    ///
    /// # Errors
    /// A usage error for missing or inconsistent credentials or an invalid address.
    pub fn client(&self) -> CliResult<Client> {
        let vendor = self.vendor();
        let built = match self {
            Conn::Ezviz(c) => {
                let mut b = ezviz::Client::builder().transport(c.net.transport()?);
                if c.china {
                    b = b.region(ezviz::Region::China);
                }
                if let Some(url) = &c.base_url {
                    b = b.token_host(url.clone());
                }
                match (&c.access_token, &c.app_key, &c.app_secret) {
                    (Some(token), None, None) => {
                        let Some(area) = &c.area_domain else {
                            return Err(missing(
                                vendor,
                                "a fixed access token needs its --area-domain (WATCHPOST_EZVIZ_AREA_DOMAIN)",
                            ));
                        };
                        b = b.access_token(token.expose()).area_domain(area.clone());
                    }
                    (None, Some(key), Some(secret)) => {
                        b = b.app_key(key.clone()).app_secret(secret.expose());
                        if let Some(area) = &c.area_domain {
                            b = b.area_domain(area.clone());
                        }
                    }
                    (Some(_), _, _) => {
                        return Err(missing(vendor, "give either an access token or an app key and secret, not both"))
                    }
                    _ => return Err(missing(vendor, "no credentials: an app key and app secret are needed")),
                }
                b.build().map(Client::Ezviz)
            }
            Conn::Hikgw(c) => {
                let Some(url) = &c.base_url else {
                    return Err(CliError::usage("Device Gateway: no gateway address")
                        .hint("give --base-url (WATCHPOST_HIKGW_BASE_URL), e.g. http://10.0.0.5"));
                };
                let (Some(user), Some(password)) = (&c.username, &c.password) else {
                    return Err(missing(vendor, "no credentials: a user name and password are needed"));
                };
                hikgw::Client::builder()
                    .base_url(url.clone())
                    .credentials(user.clone(), password.expose())
                    .auth_mode(c.auth.mode())
                    .transport(c.net.transport()?)
                    .build()
                    .map(Client::Hikgw)
            }
            Conn::Gizwits(c) => {
                let (Some(id), Some(secret)) = (&c.enterprise_id, &c.enterprise_secret) else {
                    return Err(missing(vendor, "no credentials: the enterprise id and secret are needed"));
                };
                let mut b =
                    gizwits::Client::builder().enterprise(id.clone(), secret.expose()).transport(c.net.transport()?);
                if let Some(url) = &c.base_url {
                    b = b.base_url(url.clone());
                }
                match (&c.product_key, &c.product_secret) {
                    (Some(key), Some(secret)) => b = b.product(key.clone(), secret.expose()),
                    (Some(_), None) => return Err(missing(vendor, "the product key needs its product secret")),
                    _ => {}
                }
                if let Some(app) = &c.application_id {
                    b = b.application_id(app.clone());
                }
                b.build().map(Client::Gizwits)
            }
        };
        built.map_err(|e| CliError::vendor(vendor, &e))
    }

    /// The same EZVIZ connection with another app key and secret (the parameters of
    /// `token.get`); other connections unchanged.
    pub fn with_app_credentials(&self, params: &Value) -> Conn {
        let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_owned);
        match (self, text("appKey"), text("appSecret")) {
            (Conn::Ezviz(c), Some(key), Some(secret)) => Conn::Ezviz(EzvizConn {
                app_key: Some(key),
                app_secret: Some(Secret::from(secret)),
                access_token: None,
                ..c.clone()
            }),
            _ => self.clone(),
        }
    }

    /// Parameter defaults taken from the connection (wire name, value): the Gizwits product key
    /// and the credentials its token operation takes.
    pub fn defaults(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Conn::Ezviz(c) = self {
            // The parameters of `token.get`.
            if let Some(k) = &c.app_key {
                out.push(("appKey", k.clone()));
            }
            if let Some(s) = &c.app_secret {
                out.push(("appSecret", s.expose().to_owned()));
            }
        }
        if let Conn::Gizwits(c) = self {
            if let Some(k) = &c.product_key {
                out.push(("product_key", k.clone()));
            }
            if let Some(s) = &c.product_secret {
                out.push(("product_secret", s.expose().to_owned()));
            }
            if let Some(id) = &c.enterprise_id {
                out.push(("enterprise_id", id.clone()));
            }
            if let Some(s) = &c.enterprise_secret {
                out.push(("enterprise_secret", s.expose().to_owned()));
            }
        }
        out
    }
}

/// A client of one vendor.
#[derive(Debug, Clone)]
pub enum Client {
    /// EZVIZ.
    Ezviz(ezviz::Client),
    /// Device Gateway.
    Hikgw(hikgw::Client),
    /// Gizwits.
    Gizwits(gizwits::Client),
}

impl Client {
    /// Calls `op` with parameters keyed by wire names and returns the answer as JSON.
    ///
    /// Dispatchable operations go through the vendor crate's `dispatch`; the CLI runs a few
    /// hand-written ones itself (the EZVIZ token, the gateway's plain-text time zone).
    ///
    /// # Errors
    /// Those of the operation; [`Error::InvalidInput`] for parameters that do not fit.
    pub async fn call(&self, op: &'static Operation, params: Value) -> watchpost::Result<Value> {
        match (self, op.id) {
            (Client::Ezviz(c), "token.get") => {
                let (token, _) = match c.pipeline().auth() {
                    Auth::Token(t) => t.provider.get().await?,
                    _ => return Err(Error::invalid_input(op.id, "the client has no token provider")),
                };
                Ok(json!({
                    "accessToken": token.secret(),
                    "areaDomain": token.base_url,
                    "expireTime": token.expires_at.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                }))
            }
            (Client::Ezviz(c), _) => ezviz::dispatch(c, op.id, params).await,
            (Client::Hikgw(c), "device.time_zone.get") => {
                let req: hikgw::TimeZoneRequest = from_params(op.id, params)?;
                let tz = c.time_zone(&req).await?;
                to_output(op.id, &json!({ "timeZone": tz.to_string() }))
            }
            (Client::Hikgw(c), "device.time_zone.put") => {
                let req: hikgw::SetTimeZoneRequest = from_params(op.id, params)?;
                to_output(op.id, &c.set_time_zone(&req).await?)
            }
            (Client::Hikgw(c), _) => hikgw::dispatch(c, op.id, params).await,
            (Client::Gizwits(c), _) => gizwits::dispatch(c, op.id, params).await,
        }
    }
}

/// A running simulator of one vendor.
pub enum Sim {
    /// EZVIZ.
    Ezviz(ezviz::sim::Simulator),
    /// Device Gateway.
    Hikgw(hikgw::sim::Simulator),
    /// Gizwits.
    Gizwits(gizwits::sim::Simulator),
}

impl Sim {
    /// Starts `vendor`'s simulator on a free loopback port.
    ///
    /// # Errors
    /// A failure when a port cannot be bound.
    pub async fn start(vendor: Vendor) -> CliResult<Sim> {
        let started = match vendor {
            Vendor::Ezviz => ezviz::sim::Simulator::start().await.map(Sim::Ezviz),
            Vendor::Hikgw => hikgw::sim::Simulator::start().await.map(Sim::Hikgw),
            Vendor::Gizwits => gizwits::sim::Simulator::start().await.map(Sim::Gizwits),
        };
        started.map_err(|e| CliError::failure(format!("cannot start the {} simulator: {e}", vendor.title())))
    }

    /// The vendor.
    pub fn vendor(&self) -> Vendor {
        match self {
            Sim::Ezviz(_) => Vendor::Ezviz,
            Sim::Hikgw(_) => Vendor::Hikgw,
            Sim::Gizwits(_) => Vendor::Gizwits,
        }
    }

    /// The base URL a client is configured with.
    pub fn base_url(&self) -> String {
        match self {
            Sim::Ezviz(s) => s.base_url(),
            Sim::Hikgw(s) => s.base_url(),
            Sim::Gizwits(s) => s.base_url(),
        }
    }

    /// The connection settings of a client of this simulator.
    pub fn conn(&self) -> Conn {
        match self {
            Sim::Ezviz(s) => Conn::Ezviz(EzvizConn {
                base_url: Some(s.base_url()),
                app_key: Some(s.app_key().to_owned()),
                app_secret: Some(Secret::from(s.app_secret())),
                ..EzvizConn::default()
            }),
            Sim::Hikgw(s) => hikgw_conn(s),
            Sim::Gizwits(s) => Conn::Gizwits(GizwitsConn {
                base_url: Some(s.base_url()),
                enterprise_id: Some(s.enterprise_id().to_owned()),
                enterprise_secret: Some(Secret::from(s.enterprise_secret())),
                product_key: Some(gizwits::sim::fixtures::PRODUCT_KEY.to_owned()),
                product_secret: Some(Secret::from(gizwits::sim::fixtures::PRODUCT_SECRET)),
                ..GizwitsConn::default()
            }),
        }
    }

    /// What a person needs to use the simulator: addresses, credentials (the simulator's own
    /// fixture values, not secrets) and fixture ids, as (label, value).
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        match self {
            Sim::Ezviz(s) => {
                use ezviz::sim::fixtures as f;
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
            Sim::Hikgw(s) => {
                let (user, password) = hikgw_credentials(s);
                let mut lines = vec![("base URL", s.base_url()), ("username", user), ("password", password)];
                lines.extend(s.device_ids().into_iter().map(|id| ("panel devIndex", id)));
                lines
            }
            Sim::Gizwits(s) => {
                use gizwits::sim::fixtures as f;
                vec![
                    ("base URL", s.base_url()),
                    ("enterprise id", s.enterprise_id().to_owned()),
                    ("enterprise secret", s.enterprise_secret().to_owned()),
                    ("product key", f::PRODUCT_KEY.to_owned()),
                    ("product secret", f::PRODUCT_SECRET.to_owned()),
                    ("device did", f::DEVICE_DID.to_owned()),
                ]
            }
        }
    }

    /// `export` lines that point the CLI at this simulator.
    pub fn env_lines(&self) -> Vec<String> {
        let vendor = self.vendor();
        let mut lines = Vec::new();
        let mut put = |suffix: &str, value: &str| lines.push(format!("export {}={value}", vendor.env(suffix)));
        match self.conn() {
            Conn::Ezviz(c) => {
                put("BASE_URL", c.base_url.as_deref().unwrap_or_default());
                put("APP_KEY", c.app_key.as_deref().unwrap_or_default());
                put("APP_SECRET", c.app_secret.as_ref().map(Secret::expose).unwrap_or_default());
            }
            Conn::Hikgw(c) => {
                put("BASE_URL", c.base_url.as_deref().unwrap_or_default());
                put("USERNAME", c.username.as_deref().unwrap_or_default());
                put("PASSWORD", c.password.as_ref().map(Secret::expose).unwrap_or_default());
            }
            Conn::Gizwits(c) => {
                put("BASE_URL", c.base_url.as_deref().unwrap_or_default());
                put("ENTERPRISE_ID", c.enterprise_id.as_deref().unwrap_or_default());
                put("ENTERPRISE_SECRET", c.enterprise_secret.as_ref().map(Secret::expose).unwrap_or_default());
                put("PRODUCT_KEY", c.product_key.as_deref().unwrap_or_default());
                put("PRODUCT_SECRET", c.product_secret.as_ref().map(Secret::expose).unwrap_or_default());
            }
        }
        lines
    }

    /// Stops the simulator.
    pub async fn shutdown(&self) {
        match self {
            Sim::Ezviz(s) => s.shutdown().await,
            Sim::Hikgw(s) => s.shutdown().await,
            Sim::Gizwits(s) => s.shutdown().await,
        }
    }
}

/// The connection settings of a client of a gateway simulator.
pub fn hikgw_conn(s: &hikgw::sim::Simulator) -> Conn {
    let (user, password) = hikgw_credentials(s);
    Conn::Hikgw(HikgwConn {
        base_url: Some(s.base_url()),
        username: Some(user),
        password: Some(Secret::from(password)),
        ..HikgwConn::default()
    })
}

/// The gateway simulator's account.
fn hikgw_credentials(s: &hikgw::sim::Simulator) -> (String, String) {
    (s.username().to_owned(), s.password().to_owned())
}
