//! The connection flags every vendor shares: TLS trust (`--ca-cert`, `--pin-sha256`,
//! `--native-roots`), the proxy (`--proxy`) and timeouts (`--timeout`, `--connect-timeout`),
//! turned into a [`TransportConfig`]; and the
//! HTTP authentication scheme (`--auth`) of the vendors that use HTTP authentication.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use clap::Args;
use watchpost::core::auth::HttpAuthMode;
use watchpost::core::transport::{ProxyConfig, TlsConfig, TransportConfig};

use crate::error::{CliError, CliResult};

/// TLS and timeout flags, in every vendor command.
#[derive(Args, Clone, Debug, Default)]
pub struct NetArgs {
    /// Also trust the certificates in this PEM file (a device's own CA or its self-signed
    /// certificate); repeatable. The public web roots stay trusted.
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,
    /// Accept only a server certificate with this SHA-256 fingerprint (64 hex digits, `:`
    /// allowed, or base64, optionally `sha256//`-prefixed); repeatable. With a pin the chain is
    /// not checked: the pin is the trust.
    #[arg(long = "pin-sha256", value_name = "HASH")]
    pub pins: Vec<String>,
    /// Also trust the operating system's certificate store (e.g. /etc/ssl/certs), beside the
    /// bundled web roots.
    #[arg(long)]
    pub native_roots: bool,
    /// Send every request through this HTTP proxy (`http://[user:password@]host:port`; https
    /// goes through a CONNECT tunnel), or `none` to ignore HTTP_PROXY/HTTPS_PROXY. Default:
    /// HTTP_PROXY, HTTPS_PROXY and NO_PROXY.
    #[arg(long, value_name = "URL", value_parser = |s: &str| Ok::<_, std::convert::Infallible>(ProxyArg(s.to_owned())))]
    pub proxy: Option<ProxyArg>,
    /// Limit for a whole operation, retries included (e.g. `30s`, `2m`). Default is 120 s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Limit for opening a connection (e.g. `5s`, `500ms`). Default is 10 s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub connect_timeout: Option<Duration>,
}

/// Parses `5s`, `500ms`, `2m`, `1h 30m` (humantime); a bare number is refused (unit unknown).
///
/// # Errors
/// The reason, for clap to show.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{e} (write a number with a unit: 500ms, 5s, 2m)"))?;
    if d.is_zero() {
        return Err("a duration of zero would fail every call".to_owned());
    }
    Ok(d)
}

/// The text of `--proxy`, kept out of `Debug` and error messages (it may hold a password):
/// clap only stores it; [`NetArgs::transport`] parses it.
#[derive(Clone, Default)]
pub struct ProxyArg(String);

impl std::fmt::Debug for ProxyArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.proxy() {
            Ok(config) => write!(f, "{config:?}"),
            Err(_) => f.write_str("ProxyArg(<invalid>)"),
        }
    }
}

impl ProxyArg {
    /// Wraps the text of a proxy setting (a URL, `none` or `direct`), parsed when used.
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// `none` (or `direct`) or a proxy URL.
    ///
    /// # Errors
    /// A usage error that never repeats the URL.
    pub fn proxy(&self) -> CliResult<ProxyConfig> {
        match self.0.trim() {
            "none" | "direct" => Ok(ProxyConfig::none()),
            url => ProxyConfig::url(url).map_err(|e| {
                CliError::usage(format!("--proxy: {e}")).hint("write --proxy http://[user:password@]host:port, or none")
            }),
        }
    }
}

impl NetArgs {
    /// The transport configuration: the defaults with the flags applied.
    ///
    /// # Errors
    /// A usage error (exit 2) naming the file or pin when a CA file cannot be read or holds no
    /// valid certificate, or a pin is malformed.
    pub fn transport(&self) -> CliResult<TransportConfig> {
        let mut tls = TlsConfig::default().native_roots(self.native_roots);
        for path in &self.ca_certs {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::usage(format!("cannot read the CA certificate file {}: {e}", path.display()))
                    .hint("--ca-cert takes a PEM file (-----BEGIN CERTIFICATE-----)")
            })?;
            tls = tls.add_root_pem(&pem).map_err(|e| {
                CliError::usage(format!("{} is not a usable CA certificate file: {e}", path.display()))
                    .hint("--ca-cert takes a PEM file (-----BEGIN CERTIFICATE-----)")
            })?;
        }
        for pin in &self.pins {
            let hex = pin_hex(pin).ok_or_else(|| {
                CliError::usage(format!("--pin-sha256 {pin:?} is not a SHA-256 fingerprint"))
                    .hint("give 64 hex digits (`:` allowed) or 44 characters of base64, e.g. from `openssl x509 -noout -fingerprint -sha256`")
            })?;
            tls = tls.pin_sha256(&hex).map_err(|e| CliError::usage(format!("--pin-sha256 {pin:?}: {e}")))?;
        }
        let mut config = TransportConfig { tls, ..TransportConfig::default() };
        if let Some(proxy) = &self.proxy {
            config.proxy = proxy.proxy()?;
        }
        if let Some(t) = self.timeout {
            config.operation_timeout = Some(t);
            // One attempt cannot outlast the whole operation.
            config.attempt_timeout = config.attempt_timeout.min(t);
        }
        if let Some(t) = self.connect_timeout {
            config.connect_timeout = t;
        }
        Ok(config)
    }
}

/// A pin as 64 hex digits: hex (with or without `:`) as given, or base64 (standard or URL-safe,
/// `sha256//` prefix allowed, as curl writes pins) decoded. `None` unless it is 32 bytes.
fn pin_hex(pin: &str) -> Option<String> {
    let text = pin.trim();
    let text = text.strip_prefix("sha256//").unwrap_or(text);
    let hex_digits: String = text.chars().filter(|c| *c != ':').collect();
    if hex_digits.len() == 64 && hex_digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some(hex_digits.to_ascii_lowercase());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
        .ok()?;
    (bytes.len() == 32).then(|| hex::encode(bytes))
}

/// `--auth`: which HTTP authentication scheme to use with a device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthArg {
    /// Digest only: a device that offers only Basic is refused, the password is not sent.
    /// Default for devices whose documentation specifies Digest (the Device Gateway).
    #[default]
    Digest,
    /// Basic, sent with every request (the password travels base64-encoded: use https).
    Basic,
    /// Whatever the device's challenge offers, Digest preferred.
    Auto,
}

impl AuthArg {
    /// The client setting.
    pub fn mode(self) -> HttpAuthMode {
        match self {
            AuthArg::Digest => HttpAuthMode::Digest,
            AuthArg::Basic => HttpAuthMode::Basic,
            AuthArg::Auto => HttpAuthMode::Auto,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn pins_are_hex_or_base64() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let colons: String =
            hex.as_bytes().chunks(2).map(|p| String::from_utf8_lossy(p).to_uppercase()).collect::<Vec<_>>().join(":");
        let b64 = base64::engine::general_purpose::STANDARD.encode(hex::decode(hex).unwrap());
        for given in [hex.to_owned(), colons, b64.clone(), format!("sha256//{b64}")] {
            assert_eq!(pin_hex(&given).as_deref(), Some(hex), "{given}");
        }
        assert_eq!(pin_hex("abcd"), None);
        assert_eq!(pin_hex("not a pin at all"), None);
    }

    #[test]
    fn a_missing_ca_file_is_a_usage_error() {
        let args = NetArgs { ca_certs: vec!["/nonexistent/ca.pem".into()], ..NetArgs::default() };
        let e = args.transport().unwrap_err();
        assert_eq!(e.exit, crate::error::EXIT_USAGE);
        assert!(e.message.contains("/nonexistent/ca.pem"), "{}", e.message);
    }

    #[test]
    fn proxy_and_native_roots_reach_the_transport_without_showing_the_password() {
        use clap::Parser as _;
        #[derive(clap::Parser, Debug)]
        struct Cmd {
            #[command(flatten)]
            net: NetArgs,
        }
        let cmd =
            Cmd::try_parse_from(["t", "--proxy", "http://ops:s3cr3t-pw@proxy.lan:3128", "--native-roots"]).unwrap();
        let shown = format!("{cmd:?} {:?}", cmd.net.transport().unwrap());
        assert!(!shown.contains("s3cr3t-pw"), "{shown}");
        assert!(shown.contains("proxy.lan:3128") && shown.contains("native_roots: true"), "{shown}");
        let none = Cmd::try_parse_from(["t", "--proxy", "none"]).unwrap();
        assert_eq!(format!("{:?}", none.net.transport().unwrap().proxy), "ProxyConfig::None");
        let bad = Cmd::try_parse_from(["t", "--proxy", "socks5://u:hunter2@h:1"]).unwrap();
        assert!(!format!("{bad:?}").contains("hunter2"));
        let e = bad.net.transport().unwrap_err();
        assert_eq!(e.exit, crate::error::EXIT_USAGE);
        assert!(e.message.contains("--proxy") && !e.message.contains("hunter2"), "{}", e.message);
    }

    #[test]
    fn timeouts_reach_the_transport() {
        let args = NetArgs {
            timeout: Some(Duration::from_secs(5)),
            connect_timeout: Some(Duration::from_millis(500)),
            ..NetArgs::default()
        };
        let t = args.transport().unwrap();
        assert_eq!(t.operation_timeout, Some(Duration::from_secs(5)));
        assert_eq!(t.attempt_timeout, Duration::from_secs(5));
        assert_eq!(t.connect_timeout, Duration::from_millis(500));
    }
}
