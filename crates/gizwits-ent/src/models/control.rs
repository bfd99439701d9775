//! The body of a device control call: data point values (`attrs`) or a raw frame (`raw`),
//! never both.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::enums::BinaryCoding;

/// One data point value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// A boolean data point.
    Bool(bool),
    /// A whole number (numeric data points, or an enum index).
    Int(i64),
    /// A fractional number (numeric data points with a ratio).
    Float(f64),
    /// Text: an enum value, or binary data already written as hex/base64 text.
    Text(String),
    /// Binary (extended) data, written as hex or base64 text per the command's `binary_coding`.
    Binary(Vec<u8>),
    /// Any other JSON value, kept as sent.
    Json(Value),
}

impl AttrValue {
    /// Reads a JSON value without a data point definition.
    pub fn from_json(v: &Value) -> Self {
        match v {
            Value::Bool(b) => AttrValue::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => AttrValue::Int(i),
                None => n.as_f64().map_or_else(|| AttrValue::Json(v.clone()), AttrValue::Float),
            },
            Value::String(s) => AttrValue::Text(s.clone()),
            other => AttrValue::Json(other.clone()),
        }
    }

    /// The JSON wire form; binary data is encoded with `coding` (hex by default).
    pub fn to_json(&self, coding: Option<&BinaryCoding>) -> Value {
        match self {
            AttrValue::Bool(b) => Value::Bool(*b),
            AttrValue::Int(i) => Value::from(*i),
            AttrValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            AttrValue::Text(s) => Value::String(s.clone()),
            AttrValue::Binary(b) => Value::String(encode_binary(b, coding)),
            AttrValue::Json(v) => v.clone(),
        }
    }

    /// The value as a boolean, when it is one (or 0/1).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AttrValue::Bool(b) => Some(*b),
            AttrValue::Int(0) => Some(false),
            AttrValue::Int(1) => Some(true),
            _ => None,
        }
    }

    /// The value as a number, when it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AttrValue::Int(i) => Some(*i as f64),
            AttrValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value as text, when it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl From<bool> for AttrValue {
    fn from(v: bool) -> Self {
        AttrValue::Bool(v)
    }
}

impl From<i64> for AttrValue {
    fn from(v: i64) -> Self {
        AttrValue::Int(v)
    }
}

impl From<i32> for AttrValue {
    fn from(v: i32) -> Self {
        AttrValue::Int(i64::from(v))
    }
}

impl From<u32> for AttrValue {
    fn from(v: u32) -> Self {
        AttrValue::Int(i64::from(v))
    }
}

impl From<f64> for AttrValue {
    fn from(v: f64) -> Self {
        AttrValue::Float(v)
    }
}

impl From<&str> for AttrValue {
    fn from(v: &str) -> Self {
        AttrValue::Text(v.to_owned())
    }
}

impl From<String> for AttrValue {
    fn from(v: String) -> Self {
        AttrValue::Text(v)
    }
}

impl From<Vec<u8>> for AttrValue {
    fn from(v: Vec<u8>) -> Self {
        AttrValue::Binary(v)
    }
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json(None).serialize(s)
    }
}

impl<'de> Deserialize<'de> for AttrValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|v| AttrValue::from_json(&v))
    }
}

/// A typed map of data point values, for a control call (`attrs`).
///
/// ```
/// use gizwits_ent::models::{Attrs, ControlCommand};
///
/// let cmd = ControlCommand::attrs(Attrs::new().set("switch", true).set("set_temp", 26).set("mode", "制冷"));
/// assert_eq!(
///     serde_json::to_string(&cmd)?,
///     r#"{"attrs":{"mode":"制冷","set_temp":26,"switch":true}}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attrs(pub BTreeMap<String, AttrValue>);

impl Attrs {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets data point `name` to `value`.
    #[must_use]
    pub fn set(mut self, name: impl Into<String>, value: impl Into<AttrValue>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }

    /// Sets a value in place.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<AttrValue>) {
        self.0.insert(name.into(), value.into());
    }

    /// The value of data point `name`.
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.0.get(name)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &AttrValue)> {
        self.0.iter()
    }

    fn to_json(&self, coding: Option<&BinaryCoding>) -> Map<String, Value> {
        self.0.iter().map(|(k, v)| (k.clone(), v.to_json(coding))).collect()
    }
}

/// What a control call sends: data point values or a raw frame. Being an enum, a command can
/// never carry both (the seed's table marks both "required"; they are alternatives).
#[derive(Debug, Clone, PartialEq)]
pub enum ControlCommand {
    /// Data point values: `{"attrs": {...}}`. The product must have data points defined.
    Attrs {
        /// The values.
        attrs: Attrs,
        /// Encoding of binary data point values; hex when `None`.
        binary_coding: Option<BinaryCoding>,
    },
    /// A raw frame: `{"raw": [97, 98, 99]}` (a decimal byte array), or hex/base64 text when
    /// `binary_coding` is set.
    Raw {
        /// The frame.
        raw: Vec<u8>,
        /// Encoding of the frame; a decimal array when `None`.
        binary_coding: Option<BinaryCoding>,
    },
}

impl ControlCommand {
    /// A data point command.
    pub fn attrs(attrs: Attrs) -> Self {
        ControlCommand::Attrs { attrs, binary_coding: None }
    }

    /// A raw frame command.
    pub fn raw(frame: impl Into<Vec<u8>>) -> Self {
        ControlCommand::Raw { raw: frame.into(), binary_coding: None }
    }

    /// Sets `binary_coding`.
    #[must_use]
    pub fn binary_coding(mut self, coding: BinaryCoding) -> Self {
        match &mut self {
            ControlCommand::Attrs { binary_coding, .. } | ControlCommand::Raw { binary_coding, .. } => {
                *binary_coding = Some(coding);
            }
        }
        self
    }

    /// The body as JSON.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        let coding = match self {
            ControlCommand::Attrs { attrs, binary_coding } => {
                body.insert("attrs".into(), Value::Object(attrs.to_json(binary_coding.as_ref())));
                binary_coding
            }
            ControlCommand::Raw { raw, binary_coding } => {
                let value = match binary_coding {
                    None => Value::Array(raw.iter().map(|b| Value::from(*b)).collect()),
                    Some(c) => Value::String(encode_binary(raw, Some(c))),
                };
                body.insert("raw".into(), value);
                binary_coding
            }
        };
        if let Some(c) = coding {
            body.insert("binary_coding".into(), Value::String(c.as_str().to_owned()));
        }
        Value::Object(body)
    }

    /// Reads a command from its JSON wire form.
    ///
    /// # Errors
    /// A message when the body has neither or both of `raw` and `attrs`, or a malformed one.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let obj = v.as_object().ok_or("a control command is a JSON object")?;
        let binary_coding = match obj.get("binary_coding") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(BinaryCoding::parse(s)),
            Some(other) => return Err(format!("binary_coding must be text, got {other}")),
        };
        match (obj.get("attrs"), obj.get("raw")) {
            (Some(_), Some(_)) => Err("a control command has either `attrs` or `raw`, never both".into()),
            (None, None) => Err("a control command needs `attrs` or `raw`".into()),
            (Some(Value::Object(m)), None) => Ok(ControlCommand::Attrs {
                attrs: Attrs(m.iter().map(|(k, v)| (k.clone(), AttrValue::from_json(v))).collect()),
                binary_coding,
            }),
            (Some(other), None) => Err(format!("`attrs` must be an object, got {other}")),
            (None, Some(raw)) => {
                Ok(ControlCommand::Raw { raw: decode_raw(raw, binary_coding.as_ref())?, binary_coding })
            }
        }
    }
}

impl Serialize for ControlCommand {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ControlCommand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        ControlCommand::from_json(&v).map_err(de::Error::custom)
    }
}

/// Binary data as hex (default) or base64 text.
pub(crate) fn encode_binary(bytes: &[u8], coding: Option<&BinaryCoding>) -> String {
    match coding {
        Some(BinaryCoding::Base64) => base64::engine::general_purpose::STANDARD.encode(bytes),
        _ => hex::encode(bytes),
    }
}

/// A `raw` wire value: a decimal byte array, or text in `coding`.
pub(crate) fn decode_raw(raw: &Value, coding: Option<&BinaryCoding>) -> Result<Vec<u8>, String> {
    match raw {
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_u64()
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or_else(|| format!("`raw` holds bytes 0..=255, got {i}"))
            })
            .collect(),
        Value::String(text) => match coding {
            Some(BinaryCoding::Base64) => {
                base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| "`raw` is not valid base64".into())
            }
            Some(BinaryCoding::Hex) => hex::decode(text).map_err(|_| "`raw` is not valid hex".into()),
            _ => Err("`raw` text needs binary_coding hex or base64".into()),
        },
        other => Err(format!("`raw` must be a byte array, got {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_frames_follow_the_seed_and_binary_coding() {
        // L761: binary 01100001 01100010 01100011 and hex 616263 both give [97,98,99].
        let cmd = ControlCommand::raw(vec![0b0110_0001, 0b0110_0010, 0b0110_0011]);
        assert_eq!(serde_json::to_string(&cmd).unwrap(), r#"{"raw":[97,98,99]}"#);
        let hex = ControlCommand::raw(b"abc".to_vec()).binary_coding(BinaryCoding::Hex);
        assert_eq!(hex.to_json(), serde_json::json!({"raw": "616263", "binary_coding": "hex"}));
        let back: ControlCommand = serde_json::from_value(hex.to_json()).unwrap();
        assert_eq!(back, hex);
        let b64 = ControlCommand::raw(b"abc".to_vec()).binary_coding(BinaryCoding::Base64);
        assert_eq!(b64.to_json()["raw"], "YWJj");
    }

    #[test]
    fn attrs_carry_binary_as_hex_and_never_both() {
        // L763: {"attrs": {"binary": "1234567000"}}
        let seed: ControlCommand = serde_json::from_str(r#"{ "attrs": { "binary": "1234567000" } }"#).unwrap();
        assert_eq!(seed, ControlCommand::attrs(Attrs::new().set("binary", "1234567000")));
        let cmd = ControlCommand::attrs(Attrs::new().set("binary", vec![0x12, 0x34]));
        assert_eq!(cmd.to_json(), serde_json::json!({"attrs": {"binary": "1234"}}));
        let both = serde_json::from_str::<ControlCommand>(r#"{"attrs":{"a":1},"raw":[1]}"#).unwrap_err();
        assert!(both.to_string().contains("never both"), "{both}");
        assert!(serde_json::from_str::<ControlCommand>("{}").is_err());
        assert!(serde_json::from_str::<ControlCommand>(r#"{"raw":[256]}"#).is_err());
        assert_eq!(AttrValue::from_json(&serde_json::json!(1.5)).as_f64(), Some(1.5));
        assert_eq!(AttrValue::Int(1).as_bool(), Some(true));
    }
}
