//! The configuration key space: a flat map `Config.<Module>.<SECTION>.<Key>` → string value,
//! read by `config.get` and the per-module views (`relay`, `input`, `publiccode`, `sip`, `log`),
//! written by their `set`. [`ConfigMap`] keeps every key, known or not, and adds typed
//! accessors for the keys the seed documents.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::wire::Door;

/// Key prefixes of the documented modules.
pub mod keys {
    /// Relay settings (`TypeA`, `HoldDelayA`, `TriggerDelayA`, ...).
    pub const RELAY: &str = "Config.DoorSetting.RELAY.";
    /// DTMF door codes.
    pub const DTMF: &str = "Config.DoorSetting.DTMF.";
    /// Input settings.
    pub const INPUT: &str = "Config.DoorSetting.INPUT.";
    /// The action of an input (`CallNum`, `CallName`).
    pub const ACTION: &str = "Config.DoorSetting.Action.";
    /// The public code (shared PIN).
    pub const PASSWORD: &str = "Config.DoorSetting.PASSWORD.";
    /// The cloud server.
    pub const CLOUDSERVER: &str = "Config.DoorSetting.CLOUDSERVER.";
    /// The log level key.
    pub const LOG_LEVEL: &str = "Config.Settings.LOGLEVEL.Level";
    /// SIP account 1 (`Config.Account1.<SECTION>.<Key>`).
    pub const ACCOUNT1: &str = "Config.Account1.";
    /// SIP account 2.
    pub const ACCOUNT2: &str = "Config.Account2.";
}

/// A flat configuration map. Values are strings on the wire; a number or boolean a device sends
/// instead is kept as its text. Unknown keys are kept.
///
/// `Debug` prints `***` for the values of secret keys ([`ConfigMap::is_secret_key`]): SIP and
/// relay passwords, tokens, public codes and DTMF door codes.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct ConfigMap(pub BTreeMap<String, String>);

impl std::fmt::Debug for ConfigMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, if Self::is_secret_key(k) { "***" } else { v.as_str() })))
            .finish()
    }
}

impl<'de> Deserialize<'de> for ConfigMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Option::<BTreeMap<String, Value>>::deserialize(d)?.unwrap_or_default();
        let mut out = BTreeMap::new();
        for (k, v) in raw {
            let text = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                v @ (Value::Number(_) | Value::Bool(_)) => v.to_string(),
                _ => return Err(D::Error::custom(format!("config key {k} is not a string"))),
            };
            out.insert(k, text);
        }
        Ok(ConfigMap(out))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for ConfigMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        ConfigMap(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// How a relay opens (`RELAY.Type<X>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayOpenType {
    /// 0: NC-COM opens.
    NcCom,
    /// 1: NO-COM opens.
    NoCom,
}

/// When an input triggers (`INPUT.Option<X>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputTrigger {
    /// 0: low level.
    Low,
    /// 1: high level.
    High,
}

impl ConfigMap {
    /// Whether the value of `key` is a secret: a password, token or secret (`GENERAL.Pwd`,
    /// `RELAY.Password`, `CLOUDSERVER.Token`), a public code (`PASSWORD.PublicKey1`) or a DTMF
    /// door code (`DTMF.Code1`, `DTMF.MultiCode1`).
    pub fn is_secret_key(key: &str) -> bool {
        let last = key.rsplit('.').next().unwrap_or(key);
        let numbered = |prefix: &str| {
            last.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let lower = last.to_ascii_lowercase();
        ["pwd", "passw", "token", "secret"].iter().any(|k| lower.contains(k))
            || numbered("PublicKey")
            || numbered("Code")
            || numbered("MultiCode")
    }

    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The value of `key` parsed (`None` when absent or not of that type).
    pub fn parsed<T: FromStr>(&self, key: &str) -> Option<T> {
        self.get(key)?.trim().parse().ok()
    }

    /// A `"0"`/`"1"` value as a bool.
    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.get(key)?.trim() {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        }
    }

    /// Sets `key` to `value` (builder style).
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }

    /// The keys under `prefix` (a section such as [`keys::RELAY`]).
    pub fn section(&self, prefix: &str) -> ConfigMap {
        ConfigMap(
            self.0
                .range(prefix.to_owned()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The key of a per-door setting (`RELAY.`, `HoldDelay`, A → `Config.DoorSetting.RELAY.HoldDelayA`).
    pub fn door_key(prefix: &str, name: &str, door: Door) -> String {
        format!("{prefix}{name}{}", door.letter())
    }

    /// `RELAY.Type<X>`: how the relay opens.
    pub fn relay_open_type(&self, door: Door) -> Option<RelayOpenType> {
        match self.get(&Self::door_key(keys::RELAY, "Type", door))?.trim() {
            "0" => Some(RelayOpenType::NcCom),
            "1" => Some(RelayOpenType::NoCom),
            _ => None,
        }
    }

    /// `RELAY.HoldDelay<X>`: seconds the relay stays open (0-60).
    pub fn relay_hold_delay(&self, door: Door) -> Option<u32> {
        self.parsed(&Self::door_key(keys::RELAY, "HoldDelay", door))
    }

    /// Sets `RELAY.HoldDelay<X>`.
    #[must_use]
    pub fn with_relay_hold_delay(self, door: Door, seconds: u32) -> Self {
        self.with(Self::door_key(keys::RELAY, "HoldDelay", door), seconds.to_string())
    }

    /// `RELAY.TriggerDelay<X>`: seconds before the relay triggers (0-60).
    pub fn relay_trigger_delay(&self, door: Door) -> Option<u32> {
        self.parsed(&Self::door_key(keys::RELAY, "TriggerDelay", door))
    }

    /// `RELAY.Name<X>` (in the example only).
    pub fn relay_name(&self, door: Door) -> Option<&str> {
        self.get(&Self::door_key(keys::RELAY, "Name", door))
    }

    /// `DTMF.Enable`.
    pub fn dtmf_enabled(&self) -> Option<bool> {
        self.flag(&format!("{}Enable", keys::DTMF))
    }

    /// `INPUT.Enable<X>`.
    pub fn input_enabled(&self, door: Door) -> Option<bool> {
        self.flag(&Self::door_key(keys::INPUT, "Enable", door))
    }

    /// Sets `INPUT.Enable<X>`.
    #[must_use]
    pub fn with_input_enabled(self, door: Door, on: bool) -> Self {
        self.with(Self::door_key(keys::INPUT, "Enable", door), if on { "1" } else { "0" })
    }

    /// `INPUT.Option<X>`: the trigger level.
    pub fn input_trigger(&self, door: Door) -> Option<InputTrigger> {
        match self.get(&Self::door_key(keys::INPUT, "Option", door))?.trim() {
            "0" => Some(InputTrigger::Low),
            "1" => Some(InputTrigger::High),
            _ => None,
        }
    }

    /// `INPUT.Delay<X>`: seconds before the input's action (0 now).
    pub fn input_delay(&self, door: Door) -> Option<u32> {
        self.parsed(&Self::door_key(keys::INPUT, "Delay", door))
    }

    /// `INPUT.RelayId<X>`: the relay the input triggers.
    pub fn input_relay(&self, door: Door) -> Option<Door> {
        self.parsed::<u32>(&Self::door_key(keys::INPUT, "RelayId", door)).and_then(Door::from_number)
    }

    /// `INPUT.ActionUrl<X>`.
    pub fn input_action_url(&self, door: Door) -> Option<&str> {
        self.get(&Self::door_key(keys::INPUT, "ActionUrl", door))
    }

    /// `PASSWORD.PublicKeyEnable`.
    pub fn public_code_enabled(&self) -> Option<bool> {
        self.flag(&format!("{}PublicKeyEnable", keys::PASSWORD))
    }

    /// `PASSWORD.PublicKey<n>` (n = 1-3).
    pub fn public_code(&self, n: u8) -> Option<&str> {
        self.get(&format!("{}PublicKey{n}", keys::PASSWORD))
    }

    /// `PASSWORD.PublicKeyBitsLimit` as a digit count: 0 → 8, 1 → 4, 2 → 5, 3 → 6, 4 → 7.
    pub fn public_code_digits(&self) -> Option<u8> {
        match self.parsed::<u8>(&format!("{}PublicKeyBitsLimit", keys::PASSWORD))? {
            0 => Some(8),
            n @ 1..=4 => Some(n + 3),
            _ => None,
        }
    }

    /// `Settings.LOGLEVEL.Level` (0 EMERG .. 7 DEBUG).
    pub fn log_level(&self) -> Option<u8> {
        self.parsed::<u8>(keys::LOG_LEVEL).filter(|l| *l <= 7)
    }

    /// `Config.Account<n>.<section>.<key>` of SIP account `n` (1 or 2).
    pub fn account(&self, n: u8, section: &str, key: &str) -> Option<&str> {
        self.get(&format!("Config.Account{n}.{section}.{key}"))
    }

    /// `Config.Account<n>.GENERAL.Enable`.
    pub fn account_enabled(&self, n: u8) -> Option<bool> {
        self.flag(&format!("Config.Account{n}.GENERAL.Enable"))
    }

    /// `Config.Account<n>.SIP.Port`.
    pub fn account_sip_port(&self, n: u8) -> Option<u16> {
        self.account(n, "SIP", "Port").and_then(|p| p.trim().parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_text_and_unknown_keys_stay() {
        let m: ConfigMap = serde_json::from_str(
            r#"{"Config.DoorSetting.RELAY.HoldDelayA": 5, "X.Y": "z", "Config.Settings.LOGLEVEL.Level": "7"}"#,
        )
        .unwrap();
        assert_eq!(m.relay_hold_delay(Door::A), Some(5));
        assert_eq!(m.get("X.Y"), Some("z"));
        assert_eq!(m.log_level(), Some(7));
        assert!(serde_json::from_str::<ConfigMap>(r#"{"a": [1]}"#).is_err());
        assert_eq!(serde_json::from_str::<ConfigMap>("null").unwrap(), ConfigMap::new());
    }

    #[test]
    fn debug_hides_passwords_and_codes() {
        let m = ConfigMap::new()
            .with("Config.Account1.GENERAL.Pwd", "sip-secret")
            .with("Config.DoorSetting.RELAY.Password", "relay-secret")
            .with("Config.DoorSetting.PASSWORD.PublicKey1", "33333333")
            .with("Config.DoorSetting.DTMF.MultiCode2", "012")
            .with("Config.DoorSetting.PASSWORD.PublicKeyEnable", "1");
        let text = format!("{m:?}");
        for secret in ["sip-secret", "relay-secret", "33333333", "012"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("PublicKeyEnable\": \"1\""), "{text}");
    }

    #[test]
    fn sections_select_by_prefix() {
        let m = ConfigMap::new().with_relay_hold_delay(Door::B, 8).with_input_enabled(Door::A, false);
        assert_eq!(m.section(keys::RELAY).len(), 1);
        assert_eq!(m.section(keys::INPUT).input_enabled(Door::A), Some(false));
    }
}
