//! The capability set of a device (1.23).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::language::Language;

/// The capability set of a device: a flat map of about 40 keys (1.23).
///
/// Most values are the strings `"0"`/`"1"` or a level digit (`support_wifi: "3"`), some are
/// comma-separated lists (`support_language`), `support_channel_number` is an int and
/// `video_quality_capacity` an array. **A key that is missing means "not supported"** (L1838).
/// The raw map is kept; the accessors read the usual forms:
///
/// ```
/// use ezviz_lapp::models::{Capabilities, Language};
/// let caps: Capabilities = serde_json::from_str(
///     r#"{"support_defence":"1","support_ptz":"0","support_wifi":"3","support_language":"GERMAN,ENGLISH"}"#,
/// ).unwrap();
/// assert!(caps.supports("support_defence"));
/// assert!(!caps.supports("support_ptz"));
/// assert!(!caps.supports("support_talk"), "missing means unsupported");
/// assert_eq!(caps.level("support_wifi"), Some(3));
/// assert_eq!(caps.languages(), [Language::German, Language::English]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Capabilities(pub Map<String, Value>);

impl Capabilities {
    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Whether the device supports `key`: present and not `0`, `"0"`, `""`, `false`, `null` or empty.
    pub fn supports(&self, key: &str) -> bool {
        match self.0.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            Some(Value::String(s)) => !matches!(s.trim(), "" | "0"),
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(o)) => !o.is_empty(),
        }
    }

    /// The numeric level of `key` (`support_wifi: "3"` is 3), from a number or a numeric string.
    pub fn level(&self, key: &str) -> Option<u32> {
        match self.0.get(key)? {
            Value::Number(n) => n.as_u64().and_then(|v| u32::try_from(v).ok()),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The comma-separated items of `key` (`support_modify_detectorguard: "0,0,7"`), or the items of
    /// an array; empty when missing.
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.0.get(key) {
            Some(Value::String(s)) => {
                s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
            }
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The languages the device accepts (`support_language`), the values for `set_language`.
    pub fn languages(&self) -> Vec<Language> {
        self.list("support_language").iter().map(|l| Language::parse(l)).collect()
    }

    /// The number of channels (`support_channel_number`), when given.
    pub fn channel_number(&self) -> Option<u32> {
        self.level("support_channel_number")
    }

    /// The capability keys, in the order the device sent them.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}
