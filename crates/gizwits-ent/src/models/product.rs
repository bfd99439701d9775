//! Product data points (`GET /v1/products/{product_key}/datapoint`) and the checks of control
//! values against them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::opt_f64;
use super::control::AttrValue;
use super::enums::{BinaryCoding, DataType, DatapointKind};

/// The data point definitions of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDatapoints {
    /// Product name.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub name: Option<String>,
    /// Product key.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub product_key: Option<String>,
    /// Fixed value `standard`.
    #[serde(rename = "protocolType", default, with = "watchpost_core::codec::lenient::opt_string")]
    pub protocol_type: Option<String>,
    /// Fixed value `0x00000004`.
    #[serde(rename = "packetVersion", default, with = "watchpost_core::codec::lenient::opt_string")]
    pub packet_version: Option<String>,
    /// The entities (in practice one, `entity0`) holding the data points.
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// The mobile UI definition (QuickDialog-style), kept as JSON.
    #[serde(default)]
    pub ui: Option<Value>,
}

/// An entity of a product (`EntitiyList` in the seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Fixed value 0.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub id: Option<i64>,
    /// Fixed value `entity0`.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub name: Option<String>,
    /// Display name.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub display_name: Option<String>,
    /// The data points.
    #[serde(default)]
    pub attrs: Vec<Datapoint>,
}

/// One data point (`AttrItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    /// Order of the data point.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub id: Option<i64>,
    /// Name, the key in `attrs`.
    #[serde(with = "watchpost_core::codec::lenient::string")]
    pub name: String,
    /// Display name.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub desc: Option<String>,
    /// Read/write kind.
    #[serde(rename = "type", default)]
    pub kind: Option<DatapointKind>,
    /// Data type.
    pub data_type: DataType,
    /// Range and scaling of numeric data points.
    #[serde(default)]
    pub uint_spec: Option<UintSpec>,
    /// Values of an enum data point, in order (index = raw value).
    #[serde(rename = "enum", default)]
    pub enum_values: Option<Vec<String>>,
    /// Byte and bit position in the device frame.
    #[serde(default)]
    pub position: Option<Position>,
}

/// Range and scaling of a numeric data point: value = raw × ratio + addition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UintSpec {
    /// Minimum raw value.
    #[serde(default, with = "opt_f64")]
    pub min: Option<f64>,
    /// Maximum raw value.
    #[serde(default, with = "opt_f64")]
    pub max: Option<f64>,
    /// Ratio k.
    #[serde(default, with = "opt_f64")]
    pub ratio: Option<f64>,
    /// Increment.
    #[serde(default, with = "opt_f64")]
    pub addition: Option<f64>,
}

impl UintSpec {
    /// The range of values a control call may send: `[min × ratio + addition, max × ratio + addition]`.
    pub fn value_range(&self) -> Option<(f64, f64)> {
        let ratio = self.ratio.filter(|r| *r != 0.0).unwrap_or(1.0);
        let addition = self.addition.unwrap_or(0.0);
        let (min, max) = (self.min? * ratio + addition, self.max? * ratio + addition);
        Some((min.min(max), min.max(max)))
    }
}

/// Position of a data point in the device frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Bit index (0 for variable-length protocols).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub bit_offset: Option<u32>,
    /// Length in `unit`s.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub len: Option<u32>,
    /// `bit` or `byte`.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub unit: Option<String>,
    /// Byte index (0 for variable-length protocols).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub byte_offset: Option<u32>,
}

impl Position {
    /// The length in bytes when the unit is `byte`.
    pub fn byte_len(&self) -> Option<u32> {
        match self.unit.as_deref() {
            Some(u) if u.eq_ignore_ascii_case("byte") => self.len,
            _ => None,
        }
    }
}

impl ProductDatapoints {
    /// Every data point of every entity.
    pub fn datapoints(&self) -> impl Iterator<Item = &Datapoint> {
        self.entities.iter().flat_map(|e| e.attrs.iter())
    }

    /// The data point named `name`.
    pub fn datapoint(&self, name: &str) -> Option<&Datapoint> {
        self.datapoints().find(|d| d.name == name)
    }

    /// Checks data point values about to be sent in a control call (as their JSON wire form):
    /// every name must be a writable data point and every value must fit its type and range.
    ///
    /// # Errors
    /// A message naming the first offending data point.
    pub fn check_attrs(
        &self,
        attrs: &serde_json::Map<String, Value>,
        coding: Option<&BinaryCoding>,
    ) -> Result<(), String> {
        for (name, value) in attrs {
            let dp = self.datapoint(name).ok_or_else(|| format!("`{name}` is not a data point of this product"))?;
            dp.check_value(value, coding).map_err(|m| format!("data point `{name}`: {m}"))?;
        }
        Ok(())
    }

    /// The wire form of data point values about to be sent in a control call (see
    /// [`Datapoint::encode_value`]); names that are not data points are kept as given.
    pub fn encode_attrs(
        &self,
        attrs: &serde_json::Map<String, Value>,
        coding: Option<&BinaryCoding>,
    ) -> serde_json::Map<String, Value> {
        attrs
            .iter()
            .map(|(name, value)| {
                let wire = self.datapoint(name).map_or_else(|| value.clone(), |dp| dp.encode_value(value, coding));
                (name.clone(), wire)
            })
            .collect()
    }

    /// Types a loosely typed value of this product's data point `name` (as in data history:
    /// bools as 0/1, enums as display text or index). `None` when `name` is unknown.
    pub fn typed_value(&self, name: &str, value: &Value) -> Option<AttrValue> {
        let dp = self.datapoint(name)?;
        Some(dp.typed_value(value))
    }
}

impl Datapoint {
    /// Whether a control call may set it.
    pub fn is_writable(&self) -> bool {
        matches!(self.kind, None | Some(DatapointKind::Writable))
    }

    /// The wire form of a value of this data point in a control call.
    ///
    /// Only `binary` values change: the seed (L762-763) says a value shorter than the data
    /// point's length must be padded to it, and shows hex `1234567` for a 5-byte point sent as
    /// `"1234567000"`, so hex text is padded on the right with `0` digits to twice the length,
    /// and base64 data (`binary_coding: base64`) on the right with zero bytes. Bools, numbers
    /// and enums go as given (L1054 shows them as JSON numbers and display text). A value that
    /// is not valid text of its coding, or is longer than the point, is left for
    /// [`check_value`](Self::check_value) to reject.
    pub fn encode_value(&self, value: &Value, coding: Option<&BinaryCoding>) -> Value {
        let (DataType::Binary, Value::String(text), Some(len)) =
            (&self.data_type, value, self.position.as_ref().and_then(Position::byte_len))
        else {
            return value.clone();
        };
        let Ok(len) = usize::try_from(len) else { return value.clone() };
        match coding.unwrap_or(&BinaryCoding::Hex) {
            BinaryCoding::Base64 => {
                use base64::Engine as _;
                let engine = base64::engine::general_purpose::STANDARD;
                match engine.decode(text) {
                    Ok(mut bytes) if bytes.len() < len => {
                        bytes.resize(len, 0);
                        Value::String(engine.encode(bytes))
                    }
                    _ => value.clone(),
                }
            }
            _ if text.bytes().all(|b| b.is_ascii_hexdigit()) => Value::String(pad_hex(text, len)),
            _ => value.clone(),
        }
    }

    /// Checks one wire value against this data point.
    ///
    /// # Errors
    /// What is wrong with the value.
    pub fn check_value(&self, value: &Value, coding: Option<&BinaryCoding>) -> Result<(), String> {
        if !self.is_writable() {
            let kind = self.kind.as_ref().map(|k| k.as_str()).unwrap_or_default();
            return Err(format!("is not writable (type {kind})"));
        }
        match &self.data_type {
            DataType::Bool => match value {
                Value::Bool(_) => Ok(()),
                Value::Number(n) if n.as_u64().is_some_and(|v| v <= 1) => Ok(()),
                other => Err(format!("expects a boolean, got {other}")),
            },
            DataType::Uint8 | DataType::Uint16 | DataType::Uint32 => {
                let n = value.as_f64().ok_or_else(|| format!("expects a number, got {value}"))?;
                match self.uint_spec.and_then(|s| s.value_range()) {
                    Some((min, max)) if n < min - 1e-9 || n > max + 1e-9 => {
                        Err(format!("{n} is outside the range {min}..={max}"))
                    }
                    Some(_) => Ok(()),
                    None => {
                        let max = match self.data_type {
                            DataType::Uint8 => f64::from(u8::MAX),
                            DataType::Uint16 => f64::from(u16::MAX),
                            _ => f64::from(u32::MAX),
                        };
                        if n < 0.0 || n > max {
                            Err(format!("{n} is outside the range 0..={max}"))
                        } else {
                            Ok(())
                        }
                    }
                }
            }
            DataType::Enum => {
                let values = self.enum_values.as_deref().unwrap_or_default();
                let ok = match value {
                    Value::String(s) => values.is_empty() || values.iter().any(|v| v == s),
                    Value::Number(n) => n
                        .as_u64()
                        .and_then(|i| usize::try_from(i).ok())
                        .is_some_and(|i| values.is_empty() || i < values.len()),
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("expects one of {values:?} (or its index), got {value}"))
                }
            }
            DataType::Binary => {
                let Value::String(text) = value else {
                    return Err(format!("expects binary data as text, got {value}"));
                };
                let len = self.position.as_ref().and_then(Position::byte_len).and_then(|l| usize::try_from(l).ok());
                let (size, unit, width) = match coding.unwrap_or(&BinaryCoding::Hex) {
                    BinaryCoding::Base64 => {
                        use base64::Engine as _;
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(text)
                            .map_err(|_| "is not valid base64".to_owned())?;
                        (bytes.len(), "bytes", len)
                    }
                    _ => {
                        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
                            return Err("is not hexadecimal text".to_owned());
                        }
                        (text.len(), "hex digits", len.map(|l| l.saturating_mul(2)))
                    }
                };
                match (width, len) {
                    (Some(w), Some(l)) if size > w => {
                        Err(format!("{size} {unit} is longer than the data point's {l} bytes"))
                    }
                    (Some(w), Some(l)) if size < w => Err(format!(
                        "{size} {unit} is shorter than the data point's {l} bytes: pad it on the right (L762)"
                    )),
                    _ => Ok(()),
                }
            }
            DataType::Other(_) => Ok(()),
        }
    }

    /// Types a loosely typed value of this data point (see [`ProductDatapoints::typed_value`]).
    pub fn typed_value(&self, value: &Value) -> AttrValue {
        match (&self.data_type, value) {
            (DataType::Bool, Value::Bool(b)) => AttrValue::Bool(*b),
            (DataType::Bool, Value::Number(n)) if n.as_u64().is_some_and(|v| v <= 1) => {
                AttrValue::Bool(n.as_u64() == Some(1))
            }
            (DataType::Enum, Value::Number(n)) => {
                let idx = n.as_u64().and_then(|i| usize::try_from(i).ok());
                match idx.and_then(|i| self.enum_values.as_ref().and_then(|v| v.get(i))) {
                    Some(text) => AttrValue::Text(text.clone()),
                    None => AttrValue::from_json(value),
                }
            }
            _ => AttrValue::from_json(value),
        }
    }
}

/// Pads hex text on the right with `0` to `bytes` bytes, as the seed requires for binary data
/// points (`1234567` for a 5-byte point becomes `1234567000`, L762).
pub fn pad_hex(text: &str, bytes: usize) -> String {
    let mut out = text.to_owned();
    let width = bytes.saturating_mul(2);
    if out.len() < width {
        out.extend(std::iter::repeat_n('0', width - out.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's example (L346).
    const SEED_EXAMPLE: &str = r#"{ "name": "微信宠物屋", "entities": [ { "id": 0, "display_name": "机智云开发套件", "attrs": [ { "display_name": "开关", "name": "switch", "data_type": "bool", "position": { "bit_offset": 0, "len": 1, "unit": "bit", "byte_offset": 0 }, "type": "status_writable", "id": 0, "desc": "....." } ], "name": "entity0" } ], "protocolType": "standard", "product_key": "4244bf2d79694a259232431b6f2ef46a", "packetVersion": "0x00000004", "ui": { "object": { "version": 4, "showEditButton": false }, "sections": [ { "elements": [ { "boolValue": false, "object": { "action": "entity0", "bind": [ "entity0.switch" ], "perm": "W" }, "type": "QBooleanElement", "key": "entity0.switch", "title": "开关" } ] } ] } }"#;

    fn product() -> ProductDatapoints {
        serde_json::from_value(serde_json::json!({
            "entities": [{"name": "entity0", "attrs": [
                {"name": "switch", "data_type": "bool", "type": "status_writable"},
                {"name": "set_temp", "data_type": "uint8", "type": "W", "uint_spec": {"min": 0, "max": 30, "ratio": 1, "addition": 16}},
                {"name": "mode", "data_type": "enum", "type": "status_writable", "enum": ["制冷", "制热"]},
                {"name": "room_temp", "data_type": "uint8", "type": "status_readonly"},
                {"name": "binary", "data_type": "binary", "type": "status_writable", "position": {"len": 5, "unit": "byte"}}
            ]}]
        }))
        .unwrap()
    }

    #[test]
    fn seed_example_decodes() {
        let p: ProductDatapoints = serde_json::from_str(SEED_EXAMPLE).unwrap();
        assert_eq!(p.protocol_type.as_deref(), Some("standard"));
        let dp = p.datapoint("switch").unwrap();
        assert_eq!((dp.data_type.clone(), dp.kind.clone()), (DataType::Bool, Some(DatapointKind::Writable)));
        assert_eq!(dp.position.as_ref().and_then(|p| p.len), Some(1));
        assert!(p.ui.is_some());
    }

    #[test]
    fn control_values_are_checked_against_types_ranges_and_permissions() {
        let p = product();
        let check = |v: serde_json::Value| p.check_attrs(v.as_object().unwrap(), None);
        assert!(
            check(serde_json::json!({"switch": true, "set_temp": 46, "mode": "制热", "binary": "1234567000"})).is_ok()
        );
        assert!(check(serde_json::json!({"mode": 1})).is_ok());
        let e = check(serde_json::json!({"set_temp": 47})).unwrap_err();
        assert!(e.contains("outside the range 16..=46"), "{e}");
        assert!(check(serde_json::json!({"switch": "on"})).unwrap_err().contains("boolean"));
        assert!(check(serde_json::json!({"mode": "auto"})).is_err());
        assert!(check(serde_json::json!({"room_temp": 3})).unwrap_err().contains("not writable"));
        assert!(check(serde_json::json!({"nope": 1})).unwrap_err().contains("not a data point"));
        assert!(check(serde_json::json!({"binary": "12345670001"})).unwrap_err().contains("longer"));
        assert!(check(serde_json::json!({"binary": "xyz"})).unwrap_err().contains("hexadecimal"));
        let b64 =
            p.check_attrs(serde_json::json!({"binary": "AAECAwQF"}).as_object().unwrap(), Some(&BinaryCoding::Base64));
        assert!(b64.unwrap_err().contains("6 bytes"));
        assert_eq!(pad_hex("1234567", 5), "1234567000");
    }

    fn encode(p: &ProductDatapoints, name: &str, v: serde_json::Value, coding: Option<&BinaryCoding>) -> Value {
        let dp = p.datapoint(name).unwrap();
        let wire = dp.encode_value(&v, coding);
        dp.check_value(&wire, coding).unwrap_or_else(|e| panic!("{name}: {wire} is rejected: {e}"));
        wire
    }

    #[test]
    fn bool_points_go_as_json_booleans() {
        // L226: "data_type ... bool: Boolean type"; L1054 reads a bool point back as `"switch": 1`.
        let p = product();
        assert_eq!(encode(&p, "switch", serde_json::json!(true), None), serde_json::json!(true));
        assert_eq!(encode(&p, "switch", serde_json::json!(1), None), serde_json::json!(1), "0/1 as in L1054");
        assert_eq!(p.typed_value("switch", &serde_json::json!(1)), Some(AttrValue::Bool(true)));
    }

    #[test]
    fn numeric_points_go_as_display_numbers() {
        // L226 "'uint8', 'uint16', 'uint32': numeric type", L251-265 min/max/ratio k/increment;
        // L1054 `"room_temp": -10, "set_temp": 16`: values are raw × ratio + addition, so a uint8
        // point with an increment may be negative, and they go as JSON numbers, not scaled back.
        let p: ProductDatapoints = serde_json::from_value(serde_json::json!({"entities": [{"attrs": [
            {"name": "room_temp", "data_type": "uint8", "type": "status_writable",
             "uint_spec": {"min": 0, "max": 100, "ratio": 1, "addition": -20}},
            {"name": "set_temp", "data_type": "uint8", "type": "status_writable",
             "uint_spec": {"min": 0, "max": 30, "ratio": 0.5, "addition": 16}}]}]}))
        .unwrap();
        assert_eq!(encode(&p, "room_temp", serde_json::json!(-10), None), serde_json::json!(-10));
        assert_eq!(encode(&p, "set_temp", serde_json::json!(16), None), serde_json::json!(16));
        assert_eq!(encode(&p, "set_temp", serde_json::json!(30.5), None), serde_json::json!(30.5));
        assert!(p.datapoint("set_temp").unwrap().check_value(&serde_json::json!(31.5), None).is_err());
    }

    #[test]
    fn enum_points_go_as_display_text_or_index() {
        // L230-232 "enum ... This field is available when data_type is enum"; L1054 reads an enum
        // point back as its display text, `"mode": "制冷"`.
        let p = product();
        assert_eq!(encode(&p, "mode", serde_json::json!("制冷"), None), serde_json::json!("制冷"));
        assert_eq!(encode(&p, "mode", serde_json::json!(1), None), serde_json::json!(1));
        assert!(p.datapoint("mode").unwrap().check_value(&serde_json::json!(2), None).is_err());
    }

    #[test]
    fn binary_points_are_padded_on_the_right_to_their_length() {
        // L762-763: "If you want to set the value of the extended field binary to hexadecimal
        // 1234567, you need to pad the extended field to the given length" and
        // `{ "attrs": { "binary": "1234567000" } }` (a 5-byte point).
        let p = product();
        assert_eq!(encode(&p, "binary", serde_json::json!("1234567"), None), serde_json::json!("1234567000"));
        assert_eq!(encode(&p, "binary", serde_json::json!("1234567000"), None), serde_json::json!("1234567000"));
        assert_eq!(encode(&p, "binary", serde_json::json!(""), None), serde_json::json!("0000000000"));
        // "base64 can be used ... as well": the bytes are padded the same way, with zero bytes.
        let b64 = Some(&BinaryCoding::Base64);
        assert_eq!(encode(&p, "binary", serde_json::json!("EjQ="), b64), serde_json::json!("EjQAAAA="));
        // Longer than the point, or not hex: left for the check to reject.
        let dp = p.datapoint("binary").unwrap();
        let long = dp.encode_value(&serde_json::json!("12345670001"), None);
        assert_eq!(long, serde_json::json!("12345670001"));
        assert!(dp.check_value(&long, None).unwrap_err().contains("longer"));
        assert!(dp.check_value(&serde_json::json!("1234567"), None).unwrap_err().contains("shorter"));
        assert_eq!(dp.encode_value(&serde_json::json!("xyz"), None), serde_json::json!("xyz"));
        // The whole attrs map: only binary points change.
        let attrs = serde_json::json!({"binary": "12", "switch": true, "unknown": "12"});
        let wire = p.encode_attrs(attrs.as_object().unwrap(), None);
        assert_eq!(
            serde_json::Value::Object(wire),
            serde_json::json!({"binary": "1200000000", "switch": true, "unknown": "12"})
        );
    }

    #[test]
    fn history_values_are_typed_by_the_definition() {
        let p = product();
        assert_eq!(p.typed_value("switch", &serde_json::json!(1)), Some(AttrValue::Bool(true)));
        assert_eq!(p.typed_value("mode", &serde_json::json!(0)), Some(AttrValue::Text("制冷".into())));
        assert_eq!(p.typed_value("mode", &serde_json::json!("制热")), Some(AttrValue::Text("制热".into())));
        assert_eq!(p.typed_value("set_temp", &serde_json::json!(-10)), Some(AttrValue::Int(-10)));
        assert_eq!(p.typed_value("unknown", &serde_json::json!(1)), None);
    }
}
