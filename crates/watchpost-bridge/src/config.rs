//! The bridge's TOML configuration: NATS, stream, publishing, leases and sources, with secrets
//! as references (`env:NAME`, `file:PATH`), never inline.

use std::fmt;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

use crate::error::BridgeError;
use crate::lease::LeaseSettings;
use crate::publisher::PublishSettings;
use crate::stream::StreamSettings;

/// The whole configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeConfig {
    /// The NATS server.
    pub nats: NatsConfig,
    /// The stream (created when missing).
    #[serde(default)]
    pub stream: StreamSettings,
    /// Publishing.
    #[serde(default)]
    pub publish: PublishSettings,
    /// Leases.
    #[serde(default)]
    pub leases: LeaseSettings,
    /// The sources every instance may follow.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
}

impl BridgeConfig {
    /// Parses the TOML text and checks it (unique source names, lease timing).
    pub fn from_toml(text: &str) -> Result<Self, BridgeError> {
        let config: BridgeConfig =
            toml::from_str(text).map_err(|e| BridgeError::Config { message: e.message().to_owned() })?;
        config.leases.validate()?;
        let mut names: Vec<&str> = config.sources.iter().map(SourceConfig::name).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w.first() == w.get(1)) {
            return Err(BridgeError::Config {
                message: format!("source name {:?} is used twice", w.first().copied().unwrap_or_default()),
            });
        }
        Ok(config)
    }
}

/// `[nats]`: where the server is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsConfig {
    /// `nats://host:port` (no credentials in it).
    pub url: String,
    /// A token for the server, as a reference.
    #[serde(default)]
    pub token: Option<SecretRef>,
}

/// One `[[source]]`.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SourceConfig {
    /// A Device Gateway (`hik-gateway`).
    HikGateway {
        /// The source's name (lease key, subject token).
        name: String,
        /// The gateway's base URL.
        base_url: String,
        /// The user name.
        username: String,
        /// The password, as a reference.
        password: SecretRef,
        /// Re-subscribe when nothing, not even a heartbeat (the gateway sends one every 10 s),
        /// arrived for this long. Default: the SDK's, 30 s.
        #[serde(default, with = "crate::stream::humantime_serde_compat::option")]
        idle_timeout: Option<std::time::Duration>,
        /// Read the panels' standing alarms after every subscription and publish them as
        /// `resync` alarms. Default: the SDK's, `true`.
        #[serde(default)]
        resync: Option<bool>,
    },
    /// A Hik-Partner Pro key (`hpp`).
    Hpp {
        /// The source's name.
        name: String,
        /// The app key (an identifier).
        app_key: String,
        /// The app secret, as a reference.
        app_secret: SecretRef,
        /// The API base URL (the token host), when not the region's.
        #[serde(default)]
        base_url: Option<String>,
        /// The region whose token host to use (default `global`); `base_url` wins over it.
        #[serde(default)]
        region: Option<HppRegion>,
    },
}

/// The Hik-Partner Pro region of an `hpp` source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HppRegion {
    /// Every area but Russia. The default.
    Global,
    /// Russia.
    Russia,
    /// The former general domain.
    LegacyGlobal,
    /// The former Russian domain.
    LegacyRussia,
}

impl SourceConfig {
    /// The source's name.
    pub fn name(&self) -> &str {
        match self {
            SourceConfig::HikGateway { name, .. } | SourceConfig::Hpp { name, .. } => name,
        }
    }
}

/// Where a secret is: `env:NAME` (an environment variable) or `file:PATH` (a file's content,
/// trailing newline removed). Inline secrets are refused.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// An environment variable.
    Env(String),
    /// A file.
    File(PathBuf),
}

impl SecretRef {
    /// Parses `env:NAME` or `file:PATH`.
    pub fn parse(text: &str) -> Result<Self, BridgeError> {
        if let Some(name) = text.strip_prefix("env:").filter(|n| !n.is_empty()) {
            return Ok(SecretRef::Env(name.to_owned()));
        }
        if let Some(path) = text.strip_prefix("file:").filter(|p| !p.is_empty()) {
            return Ok(SecretRef::File(PathBuf::from(path)));
        }
        Err(BridgeError::Config {
            message: "a secret must be a reference, `env:NAME` or `file:PATH`, never inline".into(),
        })
    }

    /// Reads the secret.
    pub fn resolve(&self) -> Result<SecretString, BridgeError> {
        let fail = |message: String| BridgeError::Secret { reference: self.to_string(), message };
        let value = match self {
            SecretRef::Env(name) => std::env::var(name).map_err(|e| fail(e.to_string()))?,
            SecretRef::File(path) => std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?,
        };
        let value = value.trim_end_matches(['\r', '\n']);
        if value.is_empty() {
            return Err(fail("empty".into()));
        }
        Ok(SecretString::from(value.to_owned()))
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "env:{name}"),
            SecretRef::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SecretRef::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[nats]
url = "nats://127.0.0.1:4222"

[stream]
replicas = 3
duplicate_window = "5m"

[leases]
renew_every = "2s"
ttl = "6s"

[[source]]
kind = "hik-gateway"
name = "gw-lobby"
base_url = "http://10.0.0.5"
username = "admin"
password = "env:GW_LOBBY_PASSWORD"
idle_timeout = "45s"
resync = false

[[source]]
kind = "hpp"
name = "hpp-eu"
app_key = "ak-1"
app_secret = "file:/run/secrets/hpp"
region = "russia"
"#;

    #[test]
    fn the_example_parses_with_defaults_for_the_rest() {
        let c = BridgeConfig::from_toml(EXAMPLE).unwrap();
        assert_eq!(c.stream.replicas, 3);
        assert_eq!(c.stream.duplicate_window, std::time::Duration::from_secs(300));
        assert_eq!(c.stream.name, "WATCHPOST_ALARMS");
        assert_eq!(c.sources.len(), 2);
        assert_eq!(c.sources.first().map(SourceConfig::name), Some("gw-lobby"));
        assert!(matches!(
            c.sources.first(),
            Some(SourceConfig::HikGateway { idle_timeout: Some(t), resync: Some(false), .. }) if t.as_secs() == 45
        ));
        assert!(matches!(c.sources.get(1), Some(SourceConfig::Hpp { region: Some(HppRegion::Russia), .. })));
    }

    #[test]
    fn an_inline_secret_is_refused_without_echoing_it() {
        let text = EXAMPLE.replace("env:GW_LOBBY_PASSWORD", "hunter2");
        let e = BridgeConfig::from_toml(&text).unwrap_err().to_string();
        assert!(e.contains("never inline"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn duplicate_source_names_are_refused() {
        let text = EXAMPLE.replace("hpp-eu", "gw-lobby");
        assert!(BridgeConfig::from_toml(&text).unwrap_err().to_string().contains("used twice"));
    }

    #[test]
    fn a_file_secret_is_read_and_never_shown_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "s3cret\n").unwrap();
        let r = SecretRef::parse(&format!("file:{}", path.display())).unwrap();
        use secrecy::ExposeSecret as _;
        assert_eq!(r.resolve().unwrap().expose_secret(), "s3cret");
        assert!(!format!("{r:?}").contains("s3cret"));
        assert!(SecretRef::Env("WATCHPOST_BRIDGE_UNSET_VAR".into()).resolve().is_err());
    }
}
